/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/* Declarations shared by the core's source files; not installed. */

#ifndef __VVAS_INTERNAL_H__
#define __VVAS_INTERNAL_H__

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <vvas_core/vvas_context.h>
#include <vvas_core/vvas_memory.h>

#include "vvas_bo_cache.h"
#include "vvas_xclbin.h"

/* Transfer counters of a context, bumped by the XRT boundary only. */
typedef struct
{
  atomic_uint_fast64_t syncs_to_device;
  atomic_uint_fast64_t bytes_to_device;
  atomic_uint_fast64_t syncs_from_device;
  atomic_uint_fast64_t bytes_from_device;
  atomic_uint_fast64_t device_copies;
  atomic_uint_fast64_t bytes_device_copied;
} VvasTransferCounters;

/*
 * An xclbin a context loaded: its path and memory topology. Never changed
 * once published, and kept until the context goes, so that a reader that
 * loaded the pointer may use it while another xclbin replaces it.
 */
typedef struct VvasContextXclbin
{
  char *path;
  VvasXclbinTopology topology;
  struct VvasContextXclbin *older;      /* the one it replaced */
} VvasContextXclbin;

/* What a VvasContext pointer really points to. */
typedef struct
{
  VvasContext pub;              /* first: the public pointer is this one */
  /* The creator's reference plus one per memory, cached ones included. */
  atomic_int refcount;
  atomic_bool destroyed;        /* vvas_context_destroy() was called */
  /* NULL: no topology known (host-only, or the device's xclbin adopted). */
    _Atomic (VvasContextXclbin *) xclbin;
  pthread_mutex_t xclbin_lock;  /* serialises loads */
  VvasTransferCounters counters;
  VvasBoCache cache;            /* freed memories kept for reuse */
} VvasContextPrivate;

/* The xclbin in force and its topology, or NULL when not known. */
static inline const VvasContextXclbin *
vvas_context_xclbin (VvasContextPrivate * ctx)
{
  return atomic_load_explicit (&ctx->xclbin, memory_order_acquire);
}

static inline VvasContextPrivate *
vvas_context_private (VvasContext * ctx)
{
  return (VvasContextPrivate *) ctx;
}

VvasContextPrivate *vvas_context_ref (VvasContextPrivate * ctx);

/*
 * Frees memories the cache let go (a list linked by lru_next): their BO or
 * host block, then the structure, then the context reference each held.
 * In vvas_memory.c.
 */
void vvas_memory_free_cached (VvasBoCacheEntry * list);
void vvas_context_unref (VvasContextPrivate * ctx);

#define VVAS_LOG_ERROR(threshold, ...) \
  LOG_MESSAGE (LOG_LEVEL_ERROR, threshold, __VA_ARGS__)
#define VVAS_LOG_WARNING(threshold, ...) \
  LOG_MESSAGE (LOG_LEVEL_WARNING, threshold, __VA_ARGS__)
#define VVAS_LOG_INFO(threshold, ...) \
  LOG_MESSAGE (LOG_LEVEL_INFO, threshold, __VA_ARGS__)
#define VVAS_LOG_DEBUG(threshold, ...) \
  LOG_MESSAGE (LOG_LEVEL_DEBUG, threshold, __VA_ARGS__)

/*
 * The single place that reports bad arguments: evaluates to true when @cond
 * holds; otherwise logs "<function>: invalid argument: <why>" at error level
 * and evaluates to false.
 */
#define VVAS_ARG_OK(cond, why) \
  ((cond) || vvas_report_invalid_argument (__FILE__, __func__, __LINE__, \
      "%s", (why)))

/* Reports a bad argument found by a check that is not a plain condition. */
#define VVAS_REPORT_INVALID_ARGUMENT(...) \
  ((void) vvas_report_invalid_argument (__FILE__, __func__, __LINE__, \
      __VA_ARGS__))

/* Logs the bad argument (printf-style reason); always returns false. */
bool vvas_report_invalid_argument (const char *file, const char *func,
    int line, const char *fmt, ...) __attribute__((format (printf, 4, 5)));

static inline void
vvas_set_ret (VvasReturnType * ret, VvasReturnType value)
{
  if (ret)
    *ret = value;
}

#endif /* __VVAS_INTERNAL_H__ */
