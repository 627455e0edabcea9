/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#define _GNU_SOURCE
#include "xrt_count.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>

static atomic_uint_fast64_t calls[XRT_CALL_LAST];
static atomic_uint_fast64_t sync_bytes[XRT_CALL_LAST];
static atomic_uint failures_to_inject[XRT_CALL_LAST];
static atomic_bool active;

/* The sync hook and its data, read together. */
static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;
static XrtSyncHook sync_hook;
static void *sync_hook_data;

/* Looks up XRT's own definition of @name, behind this library. */
static void *
next_symbol (const char *name)
{
  void *sym = dlsym (RTLD_NEXT, name);

  if (!sym) {
    fprintf (stderr, "xrt_count: cannot find XRT's %s: %s\n", name, dlerror ());
    abort ();
  }
  return sym;
}

/* Resolves XRT's function once per wrapper; atomic since any thread calls. */
#define FORWARD(name) \
  static _Atomic (__typeof__ (&name)) real_ptr; \
  __typeof__ (&name) real = atomic_load (&real_ptr); \
  if (!real) { \
    real = (__typeof__ (&name)) next_symbol (#name); \
    atomic_store (&real_ptr, real); \
  }

/* Counts one call; true when this call must fail instead. */
static bool
count (XrtCall call)
{
  unsigned int left;

  atomic_store (&active, true);
  atomic_fetch_add (&calls[call], 1);
  left = atomic_load (&failures_to_inject[call]);
  while (left > 0) {
    if (atomic_compare_exchange_weak (&failures_to_inject[call], &left,
            left - 1))
      return true;
  }
  return false;
}

uint64_t
xrt_count_get (XrtCall call)
{
  return atomic_load (&calls[call]);
}

uint64_t
xrt_count_bytes (XrtCall call)
{
  return atomic_load (&sync_bytes[call]);
}

void
xrt_count_reset (void)
{
  int i;

  for (i = 0; i < XRT_CALL_LAST; i++) {
    atomic_store (&calls[i], 0);
    atomic_store (&sync_bytes[i], 0);
    atomic_store (&failures_to_inject[i], 0);
  }
  xrt_count_set_sync_hook (NULL, NULL);
}

void
xrt_count_set_sync_hook (XrtSyncHook hook, void *user_data)
{
  pthread_mutex_lock (&hook_lock);
  sync_hook = hook;
  sync_hook_data = user_data;
  pthread_mutex_unlock (&hook_lock);
}

/* Runs the sync hook, if any, outside hook_lock: it may set another. */
static void
run_sync_hook (XrtCall call)
{
  XrtSyncHook hook;
  void *user_data;

  pthread_mutex_lock (&hook_lock);
  hook = sync_hook;
  user_data = sync_hook_data;
  pthread_mutex_unlock (&hook_lock);
  if (hook)
    hook (call, user_data);
}

void
xrt_count_fail_next (XrtCall call, unsigned int n)
{
  atomic_store (&failures_to_inject[call], n);
}

bool
xrt_count_is_active (void)
{
  return atomic_load (&active);
}

xrtDeviceHandle
xrtDeviceOpen (unsigned int index)
{
  FORWARD (xrtDeviceOpen);
  if (count (XRT_CALL_DEVICE_OPEN))
    return NULL;
  return real (index);
}

int
xrtDeviceClose (xrtDeviceHandle dhdl)
{
  FORWARD (xrtDeviceClose);
  count (XRT_CALL_DEVICE_CLOSE);
  return real (dhdl);
}

int
xrtDeviceLoadXclbinFile (xrtDeviceHandle dhdl, const char *xclbin_file)
{
  FORWARD (xrtDeviceLoadXclbinFile);
  if (count (XRT_CALL_LOAD_XCLBIN))
    return -1;
  return real (dhdl, xclbin_file);
}

xrtBufferHandle
xrtBOAlloc (xrtDeviceHandle dhdl, size_t size, xrtBufferFlags flags,
    xrtMemoryGroup grp)
{
  FORWARD (xrtBOAlloc);
  if (count (XRT_CALL_BO_ALLOC))
    return NULL;
  return real (dhdl, size, flags, grp);
}

int
xrtBOFree (xrtBufferHandle bhdl)
{
  FORWARD (xrtBOFree);
  count (XRT_CALL_BO_FREE);
  return real (bhdl);
}

void *
xrtBOMap (xrtBufferHandle bhdl)
{
  FORWARD (xrtBOMap);
  if (count (XRT_CALL_BO_MAP))
    return NULL;
  return real (bhdl);
}

int
xrtBOSync (xrtBufferHandle bhdl, enum xclBOSyncDirection dir, size_t size,
    size_t offset)
{
  XrtCall call = dir == XCL_BO_SYNC_BO_TO_DEVICE ? XRT_CALL_SYNC_TO_DEVICE :
      XRT_CALL_SYNC_FROM_DEVICE;
  bool fail;
  FORWARD (xrtBOSync);
  fail = count (call);
  run_sync_hook (call);
  if (fail)
    return -5;                  /* -EIO, as a failed DMA reports */
  atomic_fetch_add (&sync_bytes[call], size);
  return real (bhdl, dir, size, offset);
}

int
xrtBOCopy (xrtBufferHandle dst, xrtBufferHandle src, size_t sz,
    size_t dst_offset, size_t src_offset)
{
  FORWARD (xrtBOCopy);
  if (count (XRT_CALL_BO_COPY))
    return -5;
  return real (dst, src, sz, dst_offset, src_offset);
}

xclBufferExportHandle
xrtBOExport (xrtBufferHandle bhdl)
{
  FORWARD (xrtBOExport);
  if (count (XRT_CALL_BO_EXPORT))
    return (xclBufferExportHandle) - 1;
  return real (bhdl);
}

xrtBufferHandle
xrtBOImport (xrtDeviceHandle dhdl, xclBufferExportHandle ehdl)
{
  FORWARD (xrtBOImport);
  if (count (XRT_CALL_BO_IMPORT))
    return NULL;
  return real (dhdl, ehdl);
}
