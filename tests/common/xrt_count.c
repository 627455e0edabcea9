/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The wrappers of XRT's C API: each counts its call, may fail it on
 * request, keeps the live device and BO counts, and then hands the call to
 * the emulated device (xrt_emu.c) when it is on, or to XRT.
 */

#define _GNU_SOURCE
#include "xrt_count.h"
#include "xrt_emu_private.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_uint_fast64_t calls[XRT_CALL_LAST];
static atomic_uint_fast64_t sync_bytes[XRT_CALL_LAST];
static atomic_uint failures_to_inject[XRT_CALL_LAST];
/* The call number (a value of calls[]) that must fail; 0: none. */
static atomic_uint_fast64_t failing_call[XRT_CALL_LAST];
static atomic_bool active;
static atomic_int_fast64_t live_devices;
static atomic_int_fast64_t live_bos;

/* The sync hook and its data, read together. */
static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;
static XrtSyncHook sync_hook;
static void *sync_hook_data;

static const char *const call_names[XRT_CALL_LAST] = {
  [XRT_CALL_DEVICE_OPEN] = "xrtDeviceOpen",
  [XRT_CALL_DEVICE_CLOSE] = "xrtDeviceClose",
  [XRT_CALL_LOAD_XCLBIN] = "xrtDeviceLoadXclbinFile",
  [XRT_CALL_BO_ALLOC] = "xrtBOAlloc",
  [XRT_CALL_BO_FREE] = "xrtBOFree",
  [XRT_CALL_BO_MAP] = "xrtBOMap",
  [XRT_CALL_SYNC_TO_DEVICE] = "xrtBOSync.to_device",
  [XRT_CALL_SYNC_FROM_DEVICE] = "xrtBOSync.from_device",
  [XRT_CALL_BO_COPY] = "xrtBOCopy",
  [XRT_CALL_BO_EXPORT] = "xrtBOExport",
  [XRT_CALL_BO_IMPORT] = "xrtBOImport",
  [XRT_CALL_BO_SIZE] = "xrtBOSize",
  [XRT_CALL_BO_ADDRESS] = "xrtBOAddress",
  [XRT_CALL_GET_XCLBIN_UUID] = "xrtDeviceGetXclbinUUID",
};

const char *
xrt_count_call_name (XrtCall call)
{
  return call < XRT_CALL_LAST ? call_names[call] : "?";
}

XrtCall
xrt_count_call_from_name (const char *name)
{
  int i;

  for (i = 0; name && i < XRT_CALL_LAST; i++)
    if (strcmp (name, call_names[i]) == 0)
      return (XrtCall) i;
  return XRT_CALL_LAST;
}

void *
xrt_real_symbol (const char *name)
{
  void *sym = dlsym (RTLD_NEXT, name);

  /*
   * Preloaded into a process that gets XRT with a plugin (local scope), or
   * linked into a test that calls XRT only through these wrappers (so the
   * linker dropped XRT), RTLD_NEXT finds nothing: ask XRT's library itself,
   * loading it if need be. The reference is kept: XRT stays loaded.
   */
  if (!sym) {
    void *lib = dlopen ("libxrt_coreutil.so.2", RTLD_LAZY | RTLD_NOLOAD);

    if (!lib)
      lib = dlopen ("libxrt_coreutil.so.2", RTLD_LAZY);
    if (lib)
      sym = dlsym (lib, name);
  }
  if (!sym) {
    fprintf (stderr, "xrt_count: cannot find XRT's %s: %s\n", name, dlerror ());
    abort ();
  }
  return sym;
}

/* Reads VVAS_XRT_FAIL=NAME:N[,NAME:N...] once, before the first count. */
static void
read_failures_from_environment (void)
{
  const char *env = getenv ("VVAS_XRT_FAIL");
  char *list, *item, *save = NULL;

  if (!env || !*env)
    return;
  list = strdup (env);
  for (item = strtok_r (list, ",", &save); item;
      item = strtok_r (NULL, ",", &save)) {
    char *colon = strrchr (item, ':');
    XrtCall call;
    unsigned long nth;

    if (!colon) {
      fprintf (stderr, "xrt_count: VVAS_XRT_FAIL item '%s' is not "
          "NAME:N\n", item);
      abort ();
    }
    *colon = '\0';
    call = xrt_count_call_from_name (item);
    nth = strtoul (colon + 1, NULL, 10);
    if (call == XRT_CALL_LAST || nth == 0) {
      fprintf (stderr, "xrt_count: VVAS_XRT_FAIL names no XRT call or "
          "no call number: '%s:%s'\n", item, colon + 1);
      abort ();
    }
    atomic_store (&failing_call[call], nth);
  }
  free (list);
}

/* Counts one call; true when this call must fail instead. */
static bool
count (XrtCall call)
{
  static pthread_once_t env_once = PTHREAD_ONCE_INIT;
  uint_fast64_t number;
  unsigned int left;

  pthread_once (&env_once, read_failures_from_environment);
  atomic_store (&active, true);
  number = atomic_fetch_add (&calls[call], 1) + 1;
  if (number == atomic_load (&failing_call[call]))
    return true;
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
    atomic_store (&failing_call[i], 0);
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

void
xrt_count_fail_nth (XrtCall call, unsigned int nth)
{
  atomic_store (&failing_call[call], nth ? atomic_load (&calls[call]) + nth :
      0);
}

bool
xrt_count_is_active (void)
{
  return atomic_load (&active);
}

int64_t
xrt_count_live_devices (void)
{
  return atomic_load (&live_devices);
}

int64_t
xrt_count_live_bos (void)
{
  return atomic_load (&live_bos);
}

/* Resolves XRT's function once per wrapper; atomic since any thread calls. */
#define FORWARD(name) \
  static _Atomic (__typeof__ (&name)) real_ptr; \
  __typeof__ (&name) real = atomic_load (&real_ptr); \
  if (!real) { \
    real = (__typeof__ (&name)) xrt_real_symbol (#name); \
    atomic_store (&real_ptr, real); \
  }

xrtDeviceHandle
xrtDeviceOpen (unsigned int index)
{
  xrtDeviceHandle device;
  FORWARD (xrtDeviceOpen);

  if (count (XRT_CALL_DEVICE_OPEN)) {
    errno = ENODEV;
    return NULL;
  }
  device = real (index);
  if (device) {
    atomic_fetch_add (&live_devices, 1);
    if (xrt_emu_enabled ())
      xrt_emu_device_opened (device, index);
  }
  return device;
}

int
xrtDeviceClose (xrtDeviceHandle dhdl)
{
  int res;
  FORWARD (xrtDeviceClose);

  /* Never failed: the fault sweep would only leak the device. */
  count (XRT_CALL_DEVICE_CLOSE);
  if (xrt_emu_enabled ())
    xrt_emu_device_closing (dhdl);
  res = real (dhdl);
  if (res == 0)
    atomic_fetch_sub (&live_devices, 1);
  return res;
}

int
xrtDeviceLoadXclbinFile (xrtDeviceHandle dhdl, const char *xclbin_file)
{
  int res;
  FORWARD (xrtDeviceLoadXclbinFile);

  if (count (XRT_CALL_LOAD_XCLBIN))
    return -EINVAL;
  res = real (dhdl, xclbin_file);
  if (res == 0 && xrt_emu_enabled ())
    xrt_emu_xclbin_loaded (dhdl, xclbin_file);
  return res;
}

int
xrtDeviceGetXclbinUUID (xrtDeviceHandle dhdl, xuid_t out)
{
  FORWARD (xrtDeviceGetXclbinUUID);

  if (count (XRT_CALL_GET_XCLBIN_UUID))
    return -EINVAL;
  return real (dhdl, out);
}

xrtBufferHandle
xrtBOAlloc (xrtDeviceHandle dhdl, size_t size, xrtBufferFlags flags,
    xrtMemoryGroup grp)
{
  xrtBufferHandle bo;
  FORWARD (xrtBOAlloc);

  if (count (XRT_CALL_BO_ALLOC)) {
    errno = ENOMEM;
    return NULL;
  }
  if (xrt_emu_enabled ())
    bo = xrt_emu_bo_alloc (dhdl, size, flags, grp, real);
  else
    bo = real (dhdl, size, flags, grp);
  if (bo)
    atomic_fetch_add (&live_bos, 1);
  return bo;
}

int
xrtBOFree (xrtBufferHandle bhdl)
{
  int res;
  FORWARD (xrtBOFree);

  /* Never failed: XRT frees or throws on a bad handle, nothing between. */
  count (XRT_CALL_BO_FREE);
  if (xrt_emu_enabled ())
    xrt_emu_bo_freeing (bhdl);
  res = real (bhdl);
  if (res == 0)
    atomic_fetch_sub (&live_bos, 1);
  return res;
}

void *
xrtBOMap (xrtBufferHandle bhdl)
{
  FORWARD (xrtBOMap);

  if (count (XRT_CALL_BO_MAP)) {
    errno = EINVAL;
    return NULL;
  }
  return real (bhdl);
}

size_t
xrtBOSize (xrtBufferHandle bhdl)
{
  FORWARD (xrtBOSize);

  if (count (XRT_CALL_BO_SIZE))
    return 0;
  if (xrt_emu_enabled ())
    return xrt_emu_bo_size (bhdl);
  return real (bhdl);
}

uint64_t
xrtBOAddress (xrtBufferHandle bhdl)
{
  FORWARD (xrtBOAddress);

  if (count (XRT_CALL_BO_ADDRESS))
    return (uint64_t) - 1;
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
    return -EIO;                /* as a failed DMA reports */
  atomic_fetch_add (&sync_bytes[call], size);
  if (xrt_emu_enabled ())
    return xrt_emu_bo_sync (bhdl, dir == XCL_BO_SYNC_BO_TO_DEVICE, size,
        offset);
  return real (bhdl, dir, size, offset);
}

int
xrtBOCopy (xrtBufferHandle dst, xrtBufferHandle src, size_t sz,
    size_t dst_offset, size_t src_offset)
{
  FORWARD (xrtBOCopy);

  if (count (XRT_CALL_BO_COPY))
    return -EIO;
  if (xrt_emu_enabled ())
    return xrt_emu_bo_copy (dst, src, sz, dst_offset, src_offset);
  return real (dst, src, sz, dst_offset, src_offset);
}

xclBufferExportHandle
xrtBOExport (xrtBufferHandle bhdl)
{
  FORWARD (xrtBOExport);

  if (count (XRT_CALL_BO_EXPORT)) {
    errno = EINVAL;
    return (xclBufferExportHandle) - 1;
  }
  if (xrt_emu_enabled ())
    return xrt_emu_bo_export (bhdl);
  return real (bhdl);
}

xrtBufferHandle
xrtBOImport (xrtDeviceHandle dhdl, xclBufferExportHandle ehdl)
{
  xrtBufferHandle bo;
  FORWARD (xrtBOImport);

  if (count (XRT_CALL_BO_IMPORT)) {
    errno = EINVAL;
    return NULL;
  }
  if (xrt_emu_enabled ())
    bo = xrt_emu_bo_import (dhdl, ehdl);
  else
    bo = real (dhdl, ehdl);
  if (bo)
    atomic_fetch_add (&live_bos, 1);
  return bo;
}
