/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "vvas_internal.h"
#include "vvas_xrt.h"

static bool
uuid_is_zero (const unsigned char uuid[16])
{
  int i;

  for (i = 0; i < 16; i++)
    if (uuid[i])
      return false;
  return true;
}

static void
uuid_format (const unsigned char uuid[16], char out[37])
{
  static const char hex[] = "0123456789abcdef";
  int i, o = 0;

  for (i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[o++] = '-';
    out[o++] = hex[uuid[i] >> 4];
    out[o++] = hex[uuid[i] & 15];
  }
  out[o] = '\0';
}

/*
 * Loads @path (whose topology @topology was read from it, and is taken
 * over) on the device and makes it the context's xclbin; xclbin_lock held,
 * or the context not yet shared.
 */
static VvasReturnType
install_xclbin_locked (VvasContextPrivate * ctx, const char *path,
    VvasXclbinTopology * topology)
{
  VvasLogLevel level = ctx->pub.log_level;
  VvasContextXclbin *xclbin = calloc (1, sizeof (*xclbin));
  char *copy = strdup (path);

  if (!xclbin || !copy) {
    free (xclbin);
    free (copy);
    vvas_xclbin_topology_clear (topology);
    return VVAS_RET_ALLOC_ERROR;
  }
  if (vvas_xrt_device_load_xclbin (ctx->pub.dev_handle, path, level) != 0) {
    free (xclbin);
    free (copy);
    vvas_xclbin_topology_clear (topology);
    return VVAS_RET_ERROR;
  }
  if (vvas_xrt_device_get_xclbin_uuid (ctx->pub.dev_handle, ctx->pub.uuid) != 0)
    memset (ctx->pub.uuid, 0, sizeof (ctx->pub.uuid));
  if (memcmp (ctx->pub.uuid, topology->uuid, 16) != 0)
    VVAS_LOG_WARNING (level, "device %d reports another xclbin UUID than "
        "the one in '%s'", ctx->pub.dev_idx, path);

  xclbin->path = copy;
  xclbin->topology = *topology;
  xclbin->older = atomic_load_explicit (&ctx->xclbin, memory_order_relaxed);
  __atomic_store_n (&ctx->pub.xclbin_loc, copy, __ATOMIC_RELEASE);
  atomic_store_explicit (&ctx->xclbin, xclbin, memory_order_release);
  return VVAS_RET_SUCCESS;
}

/* Opens the device, loads (or adopts) the xclbin and fills the context. */
static VvasReturnType
open_device (VvasContextPrivate * ctx, const char *xclbin_loc)
{
  VvasLogLevel level = ctx->pub.log_level;
  VvasXclbinTopology topology;
  char why[1024];

  if (vvas_xrt_check_environment (why, sizeof (why)) != 0) {
    VVAS_LOG_ERROR (level, "cannot use device %d: %s", ctx->pub.dev_idx, why);
    return VVAS_RET_ERROR;
  }

  /* Reading the topology first refuses a bad file before touching XRT. */
  if (xclbin_loc && vvas_xclbin_read_topology (xclbin_loc, &topology, why,
          sizeof (why)) != 0) {
    VVAS_LOG_ERROR (level, "%s", why);
    return VVAS_RET_INVALID_ARGS;
  }

  ctx->pub.dev_handle = vvas_xrt_device_open (ctx->pub.dev_idx, level);
  if (!ctx->pub.dev_handle) {
    if (xclbin_loc)
      vvas_xclbin_topology_clear (&topology);
    return VVAS_RET_ERROR;
  }
  if (xclbin_loc)
    return install_xclbin_locked (ctx, xclbin_loc, &topology);

  if (vvas_xrt_device_get_xclbin_uuid (ctx->pub.dev_handle, ctx->pub.uuid) != 0)
    memset (ctx->pub.uuid, 0, sizeof (ctx->pub.uuid));
  if (uuid_is_zero (ctx->pub.uuid))
    VVAS_LOG_WARNING (level, "device %d has no xclbin loaded: buffers can be "
        "allocated but no kernel can use them", ctx->pub.dev_idx);
  else
    VVAS_LOG_INFO (level, "device %d: using the xclbin already loaded; "
        "memory banks are not checked", ctx->pub.dev_idx);
  return VVAS_RET_SUCCESS;
}

static void
context_free (VvasContextPrivate * ctx)
{
  VvasContextXclbin *xclbin = atomic_load (&ctx->xclbin), *older;

  /* Empty: every cached memory holds a reference. */
  vvas_bo_cache_clear (&ctx->cache);
  vvas_xrt_device_close (ctx->pub.dev_handle);
  for (; xclbin; xclbin = older) {
    older = xclbin->older;
    vvas_xclbin_topology_clear (&xclbin->topology);
    free (xclbin->path);
    free (xclbin);
  }
  pthread_mutex_destroy (&ctx->xclbin_lock);
  free (ctx);
}

VvasContext *
vvas_context_create (int32_t dev_idx, char *xclbin_loc,
    VvasLogLevel log_level, VvasReturnType * vret)
{
  VvasContextPrivate *ctx;
  VvasReturnType res;

  if (!VVAS_ARG_OK (dev_idx >= -1, "dev_idx must be -1 (host only) or a "
          "device index") ||
      !VVAS_ARG_OK (dev_idx >= 0 || !xclbin_loc, "a host-only context "
          "(dev_idx -1) takes no xclbin") ||
      !VVAS_ARG_OK (!xclbin_loc || *xclbin_loc, "xclbin_loc is an empty "
          "string") ||
      !VVAS_ARG_OK (log_level >= LOG_LEVEL_ERROR
          && log_level <= LOG_LEVEL_DEBUG, "log_level is not a "
          "VvasLogLevel")) {
    vvas_set_ret (vret, VVAS_RET_INVALID_ARGS);
    return NULL;
  }

  ctx = calloc (1, sizeof (*ctx));
  if (!ctx) {
    vvas_set_ret (vret, VVAS_RET_ALLOC_ERROR);
    return NULL;
  }
  if (pthread_mutex_init (&ctx->xclbin_lock, NULL) != 0) {
    free (ctx);
    vvas_set_ret (vret, VVAS_RET_ALLOC_ERROR);
    return NULL;
  }
  if (vvas_bo_cache_init (&ctx->cache, vvas_bo_cache_default_limit ()) != 0) {
    pthread_mutex_destroy (&ctx->xclbin_lock);
    free (ctx);
    vvas_set_ret (vret, VVAS_RET_ALLOC_ERROR);
    return NULL;
  }
  ctx->pub.dev_idx = dev_idx;
  ctx->pub.log_level = log_level;
  atomic_init (&ctx->refcount, 1);
  atomic_init (&ctx->destroyed, false);
  atomic_init (&ctx->xclbin, NULL);

  if (dev_idx >= 0) {
    res = open_device (ctx, xclbin_loc);
    if (res != VVAS_RET_SUCCESS) {
      context_free (ctx);
      vvas_set_ret (vret, res);
      return NULL;
    }
  }

  if (dev_idx >= 0)
    VVAS_LOG_INFO (log_level, "context %p created on device %d%s%s",
        (void *) ctx, dev_idx, xclbin_loc ? " with xclbin " : "",
        xclbin_loc ? xclbin_loc : "");
  else
    VVAS_LOG_INFO (log_level, "host-only context %p created", (void *) ctx);
  vvas_set_ret (vret, VVAS_RET_SUCCESS);
  return &ctx->pub;
}

VvasContextPrivate *
vvas_context_ref (VvasContextPrivate * ctx)
{
  atomic_fetch_add_explicit (&ctx->refcount, 1, memory_order_relaxed);
  return ctx;
}

void
vvas_context_unref (VvasContextPrivate * ctx)
{
  if (atomic_fetch_sub_explicit (&ctx->refcount, 1, memory_order_acq_rel) == 1) {
    VVAS_LOG_DEBUG (ctx->pub.log_level, "context %p: last reference gone, "
        "closing", (void *) ctx);
    context_free (ctx);
  }
}

VvasReturnType
vvas_context_destroy (VvasContext * vvas_ctx)
{
  VvasContextPrivate *ctx = vvas_context_private (vvas_ctx);

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL"))
    return VVAS_RET_INVALID_ARGS;
  if (atomic_exchange (&ctx->destroyed, true)) {
    VVAS_REPORT_INVALID_ARGUMENT ("context already destroyed");
    return VVAS_RET_INVALID_ARGS;
  }
  /*
   * Nothing more will be allocated: the cached BOs go now, not when the
   * last live memory does, and memories freed later are not kept.
   */
  vvas_memory_free_cached (vvas_bo_cache_set_limit (&ctx->cache, 0));
  vvas_context_unref (ctx);
  return VVAS_RET_SUCCESS;
}

VvasReturnType
vvas_context_get_transfer_stats (VvasContext * vvas_ctx,
    VvasTransferStats * stats)
{
  VvasTransferCounters *c;

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL") ||
      !VVAS_ARG_OK (stats != NULL, "stats is NULL"))
    return VVAS_RET_INVALID_ARGS;

  c = &vvas_context_private (vvas_ctx)->counters;
  stats->syncs_to_device = atomic_load (&c->syncs_to_device);
  stats->bytes_to_device = atomic_load (&c->bytes_to_device);
  stats->syncs_from_device = atomic_load (&c->syncs_from_device);
  stats->bytes_from_device = atomic_load (&c->bytes_from_device);
  stats->device_copies = atomic_load (&c->device_copies);
  stats->bytes_device_copied = atomic_load (&c->bytes_device_copied);
  return VVAS_RET_SUCCESS;
}

VvasReturnType
vvas_context_reset_transfer_stats (VvasContext * vvas_ctx)
{
  VvasTransferCounters *c;

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL"))
    return VVAS_RET_INVALID_ARGS;

  c = &vvas_context_private (vvas_ctx)->counters;
  atomic_store (&c->syncs_to_device, 0);
  atomic_store (&c->bytes_to_device, 0);
  atomic_store (&c->syncs_from_device, 0);
  atomic_store (&c->bytes_from_device, 0);
  atomic_store (&c->device_copies, 0);
  atomic_store (&c->bytes_device_copied, 0);
  return VVAS_RET_SUCCESS;
}

VvasReturnType
vvas_context_set_cache_limit (VvasContext * vvas_ctx, size_t bytes)
{
  VvasContextPrivate *ctx = vvas_context_private (vvas_ctx);

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL") ||
      !VVAS_ARG_OK (!atomic_load (&ctx->destroyed), "vvas_ctx was "
          "destroyed"))
    return VVAS_RET_INVALID_ARGS;
  vvas_memory_free_cached (vvas_bo_cache_set_limit (&ctx->cache, bytes));
  return VVAS_RET_SUCCESS;
}

VvasReturnType
vvas_context_get_cache_stats (VvasContext * vvas_ctx, VvasCacheStats * stats)
{
  VvasBoCacheStats s;

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL") ||
      !VVAS_ARG_OK (stats != NULL, "stats is NULL"))
    return VVAS_RET_INVALID_ARGS;

  vvas_bo_cache_get_stats (&vvas_context_private (vvas_ctx)->cache, &s);
  memset (stats, 0, sizeof (*stats));
  stats->hits = s.hits;
  stats->misses = s.misses;
  stats->trimmed = s.trimmed;
  stats->bytes_held = s.bytes_held;
  stats->buffers_held = s.entries_held;
  stats->bytes_limit = s.limit;
  return VVAS_RET_SUCCESS;
}

int32_t
vvas_context_get_bank_count (VvasContext * vvas_ctx)
{
  VvasContextPrivate *ctx = vvas_context_private (vvas_ctx);
  const VvasContextXclbin *xclbin;

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL"))
    return -1;
  xclbin = vvas_context_xclbin (ctx);
  return xclbin ? (int32_t) xclbin->topology.bank_count : 0;
}

int32_t
vvas_context_is_bank_usable (VvasContext * vvas_ctx, uint8_t mbank_idx)
{
  VvasContextPrivate *ctx = vvas_context_private (vvas_ctx);
  const VvasContextXclbin *xclbin;

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL") ||
      !VVAS_ARG_OK (vvas_ctx->dev_handle != NULL, "host-only context has "
          "no memory banks"))
    return -1;
  xclbin = vvas_context_xclbin (ctx);
  if (!xclbin)
    return 1;
  return vvas_xclbin_bank_is_usable (&xclbin->topology, mbank_idx) ? 1 : 0;
}

/*
 * Whether no memory of @ctx is alive, after emptying its cache (whose
 * memories hold references, and must not come back under another xclbin:
 * the generation changes, so one freed meanwhile is not kept either).
 */
static bool
cache_emptied_and_idle (VvasContextPrivate * ctx)
{
  vvas_memory_free_cached (vvas_bo_cache_drain (&ctx->cache, 0, -1, true));
  return atomic_load (&ctx->refcount) == 1;
}

uint64_t
vvas_context_get_bank_size (VvasContext * vvas_ctx, uint8_t mbank_idx)
{
  const VvasContextXclbin *xclbin;

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL"))
    return 0;
  xclbin = vvas_context_xclbin (vvas_context_private (vvas_ctx));
  if (!xclbin || mbank_idx >= xclbin->topology.bank_count)
    return 0;
  return xclbin->topology.banks[mbank_idx].size_bytes;
}

VvasReturnType
vvas_context_load_xclbin (VvasContext * vvas_ctx, const char *xclbin_loc,
    int32_t may_replace)
{
  VvasContextPrivate *ctx = vvas_context_private (vvas_ctx);
  const VvasContextXclbin *current;
  VvasXclbinTopology topology;
  VvasReturnType res;
  char why[1024], have[37], want[37];

  if (!VVAS_ARG_OK (vvas_ctx != NULL, "vvas_ctx is NULL") ||
      !VVAS_ARG_OK (!atomic_load (&ctx->destroyed), "vvas_ctx was "
          "destroyed") ||
      !VVAS_ARG_OK (vvas_ctx->dev_handle != NULL, "a host-only context has "
          "no device to load an xclbin on") ||
      !VVAS_ARG_OK (xclbin_loc != NULL && *xclbin_loc, "xclbin_loc is NULL "
          "or empty"))
    return VVAS_RET_INVALID_ARGS;

  if (vvas_xclbin_read_topology (xclbin_loc, &topology, why, sizeof (why)) != 0) {
    VVAS_LOG_ERROR (vvas_ctx->log_level, "%s", why);
    return VVAS_RET_INVALID_ARGS;
  }

  pthread_mutex_lock (&ctx->xclbin_lock);
  current = vvas_context_xclbin (ctx);
  if (current && memcmp (current->topology.uuid, topology.uuid, 16) == 0) {
    /* The same xclbin, however its path is written. */
    vvas_xclbin_topology_clear (&topology);
    res = VVAS_RET_SUCCESS;
  } else if (current && (!may_replace || !cache_emptied_and_idle (ctx))) {
    /* Its users still need the loaded one, or memories of it are alive. */
    uuid_format (current->topology.uuid, have);
    uuid_format (topology.uuid, want);
    VVAS_LOG_ERROR (vvas_ctx->log_level, "device %d has xclbin '%s' (UUID "
        "%s) loaded, %s: it cannot also load '%s' (UUID %s)",
        vvas_ctx->dev_idx, current->path, have, may_replace ? "with memory "
        "allocated" : "in use", xclbin_loc, want);
    vvas_xclbin_topology_clear (&topology);
    res = VVAS_RET_INVALID_ARGS;
  } else {
    /* A BO on a bank of the old topology must not come back under the new. */
    if (!current)
      vvas_memory_free_cached (vvas_bo_cache_drain (&ctx->cache, 0, -1, true));
    res = install_xclbin_locked (ctx, xclbin_loc, &topology);
    if (res == VVAS_RET_SUCCESS)
      VVAS_LOG_INFO (vvas_ctx->log_level, "device %d: loaded xclbin '%s'",
          vvas_ctx->dev_idx, xclbin_loc);
  }
  pthread_mutex_unlock (&ctx->xclbin_lock);
  return res;
}
