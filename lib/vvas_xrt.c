/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#define _GNU_SOURCE
#include "vvas_xrt.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>
#include <stdatomic.h>

#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>

/*
 * XRT's no-op driver keeps its buffers in one table that it does not lock
 * consistently (its free erases entries unlocked while lookups run), so
 * concurrent BO calls corrupt it. Calls that change the table (alloc,
 * import, map, free, export) take this lock for writing; calls that only
 * look a BO up (sync, copy, size, address) take it for reading, so that
 * transfers of different buffers still run concurrently.
 */
static pthread_rwlock_t bo_table_lock = PTHREAD_RWLOCK_INITIALIZER;

/*
 * A process may end with buffer objects and devices still open: a leaked
 * GstMemory, a pool never deactivated, a Python script whose appsink holds
 * a sample. XRT then crashes in its own static destructors (SIGSEGV or
 * "double free" at exit): the C API's table of BOs (a static of
 * libxrt_coreutil, constructed when it is loaded) frees each BO left in it
 * through the driver library (libxrt_noop.so.2, libxrt_core.so.2), which
 * XRT loads at the first device open, after that table, and whose own
 * statics (its BO table) exit() has therefore already destroyed.
 *
 * So the library keeps the BOs and devices it opened in two sets, and an
 * exit handler registered after the first device open (so after the
 * driver library is loaded, and before its statics are destroyed) frees
 * the BOs, closes the devices and marks XRT released: from then on a free
 * or close is a no-op and any other call fails, since XRT is being torn
 * down. Both sets are guarded by bo_table_lock (written only with it held
 * for writing) and device_lock respectively; the handler takes both.
 */
typedef struct
{
  void **slots;                 /* open addressing; NULL is a free slot */
  size_t mask;                  /* capacity - 1, capacity a power of two */
  size_t count;
} HandleSet;

static HandleSet live_bos;      /* guarded by bo_table_lock */
static HandleSet live_devices;  /* guarded by device_lock */
static pthread_mutex_t device_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool xrt_released;
static pthread_once_t exit_handler_once = PTHREAD_ONCE_INIT;

/* Fibonacci hashing: the high bits of the product are well mixed. */
static size_t
handle_hash (const void *handle, size_t mask)
{
  return (size_t) (((uint64_t) (uintptr_t) handle *
          UINT64_C (0x9E3779B97F4A7C15)) >> 32) & mask;
}

static size_t
handle_slot (const HandleSet * set, const void *handle)
{
  return handle_hash (handle, set->mask);
}

/*
 * Makes room for one more handle, so that the insertion that follows a
 * successful XRT call cannot fail. At most half full: short probes.
 */
static bool
handle_set_reserve (HandleSet * set)
{
  size_t capacity = set->slots ? set->mask + 1 : 0;
  size_t new_capacity, i, j;
  void **slots;

  if ((set->count + 1) * 2 <= capacity)
    return true;
  new_capacity = capacity ? capacity * 2 : 64;
  slots = calloc (new_capacity, sizeof (*slots));
  if (!slots)
    return false;
  for (i = 0; i < capacity; i++) {
    if (!set->slots[i])
      continue;
    j = handle_hash (set->slots[i], new_capacity - 1);
    while (slots[j])
      j = (j + 1) & (new_capacity - 1);
    slots[j] = set->slots[i];
  }
  free (set->slots);
  set->slots = slots;
  set->mask = new_capacity - 1;
  return true;
}

/* After handle_set_reserve(). */
static void
handle_set_add (HandleSet * set, void *handle)
{
  size_t i = handle_slot (set, handle);

  while (set->slots[i])
    i = (i + 1) & set->mask;
  set->slots[i] = handle;
  set->count++;
}

/* Returns false when @handle is not in @set. */
static bool
handle_set_remove (HandleSet * set, void *handle)
{
  size_t i, j, home;

  if (!set->slots)
    return false;
  for (i = handle_slot (set, handle); set->slots[i] != handle;
      i = (i + 1) & set->mask)
    if (!set->slots[i])
      return false;
  /* Backward-shift deletion: no tombstones, probes stay short. */
  for (j = (i + 1) & set->mask; set->slots[j]; j = (j + 1) & set->mask) {
    home = handle_slot (set, set->slots[j]);
    /* Move slots[j] into the hole at i unless its home lies in (i, j]. */
    if (((j - home) & set->mask) >= ((j - i) & set->mask)) {
      set->slots[i] = set->slots[j];
      i = j;
    }
  }
  set->slots[i] = NULL;
  set->count--;
  return true;
}

static void
handle_set_clear (HandleSet * set)
{
  free (set->slots);
  set->slots = NULL;
  set->mask = 0;
  set->count = 0;
}

/* Runs at exit (or when the library is unloaded), before XRT's statics. */
static void
release_xrt_at_exit (void)
{
  size_t bos, devices, i;

  pthread_rwlock_wrlock (&bo_table_lock);
  pthread_mutex_lock (&device_lock);
  atomic_store (&xrt_released, true);
  bos = live_bos.count;
  devices = live_devices.count;
  for (i = 0; live_bos.slots && i <= live_bos.mask; i++)
    if (live_bos.slots[i])
      xrtBOFree (live_bos.slots[i]);
  for (i = 0; live_devices.slots && i <= live_devices.mask; i++)
    if (live_devices.slots[i])
      xrtDeviceClose (live_devices.slots[i]);
  handle_set_clear (&live_bos);
  handle_set_clear (&live_devices);
  pthread_mutex_unlock (&device_lock);
  pthread_rwlock_unlock (&bo_table_lock);

  if (bos || devices)
    VVAS_LOG_INFO (vvas_log_get_default_level (), "process exit: released "
        "%zu buffer object(s) and %zu device(s) still in use, before XRT's "
        "own teardown", bos, devices);
}

static void
register_exit_handler (void)
{
  atexit (release_xrt_at_exit);
}

/* The error of a call made after release_xrt_at_exit(). */
#define XRT_RELEASED_ERROR(level, what) \
  VVAS_LOG_ERROR (level, "%s: the process is exiting and XRT has been " \
      "released", what)

/* XRT loads one driver library per mode from $XILINX_XRT/lib. */
static const char *
driver_library_for_mode (const char *mode)
{
  if (!mode)
    return "libxrt_core.so.2";
  if (strcmp (mode, "noop") == 0)
    return "libxrt_noop.so.2";
  if (strcmp (mode, "sw_emu") == 0)
    return "libxrt_swemu.so.2";
  if (strcmp (mode, "hw_emu") == 0)
    return "libxrt_hwemu.so.2";
  return NULL;
}

/*
 * Loads the driver library as XRT 2.13 does at its first device open
 * (dlopen with RTLD_NOW | RTLD_GLOBAL, seen with a breakpoint on dlopen):
 * XRT throws through its C API, and so aborts the process, when that
 * fails, so a file that exists is not enough (an empty or truncated file,
 * a folder, a library with an unresolved symbol). The library stays
 * loaded, as XRT keeps it: XRT's own dlopen then finds it.
 */
static int
probe_driver_library (const char *path, char *why, size_t why_len)
{
  void *handle = dlopen (path, RTLD_NOW | RTLD_NOLOAD);
  const char *error;

  if (handle) {
    dlclose (handle);           /* loaded already: drop this reference */
    return 0;
  }
  if (dlopen (path, RTLD_NOW | RTLD_GLOBAL))
    return 0;
  error = dlerror ();
  snprintf (why, why_len, "XRT cannot load its driver library %s (%s): "
      "XILINX_XRT must name a folder whose lib/ holds XRT's libraries",
      path, error ? error : "unknown error");
  return -1;
}

int
vvas_xrt_check_environment (char *why, size_t why_len)
{
  const char *root = getenv ("XILINX_XRT");
  const char *mode = getenv ("XCL_EMULATION_MODE");
  const char *library;
  char path[4096];

  if (!root || !*root) {
    snprintf (why, why_len, "XILINX_XRT is not set: set it to the XRT "
        "install folder (/opt/xilinx/xrt with a card), or, to run without "
        "one, set XCL_EMULATION_MODE=noop and XILINX_XRT to a folder whose "
        "lib/ holds the XRT libraries");
    return -1;
  }
  /* XRT takes a set but empty variable as a mode, and aborts on it. */
  if (mode && !*mode) {
    snprintf (why, why_len, "XCL_EMULATION_MODE is set but empty, which "
        "XRT cannot run with: unset it for a card, or set it to noop, "
        "sw_emu or hw_emu");
    return -1;
  }
  library = driver_library_for_mode (mode);
  if (!library) {
    snprintf (why, why_len, "XCL_EMULATION_MODE='%s' is not a mode XRT "
        "knows: unset it for a card, or use noop, sw_emu or hw_emu", mode);
    return -1;
  }
  if ((size_t) snprintf (path, sizeof (path), "%s/lib/%s", root, library)
      >= sizeof (path) || access (path, R_OK) != 0) {
    snprintf (why, why_len, "XRT cannot run: %s/lib/%s is missing; "
        "XILINX_XRT must name a folder whose lib/ holds XRT's libraries%s",
        root, library, mode ? "" : " (for a machine without a "
        "card, set XCL_EMULATION_MODE=noop)");
    return -1;
  }
  return probe_driver_library (path, why, why_len);
}

void *
vvas_xrt_device_open (int32_t dev_idx, VvasLogLevel level)
{
  xrtDeviceHandle device = NULL;
  bool released, no_room = false;

  pthread_mutex_lock (&device_lock);
  released = atomic_load (&xrt_released);
  if (!released && !(no_room = !handle_set_reserve (&live_devices))) {
    device = xrtDeviceOpen ((unsigned int) dev_idx);
    if (device)
      handle_set_add (&live_devices, device);
  }
  pthread_mutex_unlock (&device_lock);

  if (device) {
    /* XRT has loaded its driver library by now: see release_xrt_at_exit. */
    pthread_once (&exit_handler_once, register_exit_handler);
  } else if (released) {
    XRT_RELEASED_ERROR (level, "cannot open a device");
  } else if (no_room) {
    VVAS_LOG_ERROR (level, "out of memory opening device %d", dev_idx);
  } else {
    VVAS_LOG_ERROR (level, "XRT could not open device %d (no such card, or "
        "its driver is not loaded)", dev_idx);
  }
  return device;
}

void
vvas_xrt_device_close (void *device)
{
  if (!device)
    return;
  pthread_mutex_lock (&device_lock);
  /* Once released, XRT closed it already. */
  if (!atomic_load (&xrt_released)) {
    handle_set_remove (&live_devices, device);
    xrtDeviceClose (device);
  }
  pthread_mutex_unlock (&device_lock);
}

int
vvas_xrt_device_load_xclbin (void *device, const char *path, VvasLogLevel level)
{
  int res;

  if (atomic_load (&xrt_released)) {
    XRT_RELEASED_ERROR (level, "cannot load an xclbin");
    return -1;
  }
  res = xrtDeviceLoadXclbinFile (device, path);

  if (res != 0) {
    VVAS_LOG_ERROR (level, "XRT could not load xclbin '%s' (error %d)", path,
        res);
    return -1;
  }
  return 0;
}

int
vvas_xrt_device_get_xclbin_uuid (void *device, unsigned char uuid[16])
{
  if (atomic_load (&xrt_released))
    return -1;
  return xrtDeviceGetXclbinUUID (device, uuid) == 0 ? 0 : -1;
}

void *
vvas_xrt_bo_alloc (void *device, size_t size, uint8_t bank, bool quiet,
    VvasLogLevel level)
{
  xrtBufferHandle bo = NULL;
  bool released, no_room = false;

  pthread_rwlock_wrlock (&bo_table_lock);
  released = atomic_load (&xrt_released);
  if (!released && !(no_room = !handle_set_reserve (&live_bos))) {
    bo = xrtBOAlloc (device, size, XRT_BO_FLAGS_NONE, bank);
    if (bo)
      handle_set_add (&live_bos, bo);
  }
  pthread_rwlock_unlock (&bo_table_lock);

  if (bo)
    return bo;
  if (released)
    XRT_RELEASED_ERROR (level, "cannot allocate");
  else if (no_room)
    VVAS_LOG_ERROR (level, "out of memory allocating %zu bytes", size);
  else if (!quiet)
    VVAS_LOG_ERROR (level, "XRT could not allocate %zu bytes on bank %u",
        size, bank);
  return NULL;
}

void *
vvas_xrt_bo_import (void *device, int dmabuf_fd, VvasLogLevel level)
{
  xrtBufferHandle bo = NULL;
  bool released, no_room = false;

  pthread_rwlock_wrlock (&bo_table_lock);
  released = atomic_load (&xrt_released);
  if (!released && !(no_room = !handle_set_reserve (&live_bos))) {
    bo = xrtBOImport (device, dmabuf_fd);
    if (bo)
      handle_set_add (&live_bos, bo);
  }
  pthread_rwlock_unlock (&bo_table_lock);

  if (bo)
    return bo;
  if (released)
    XRT_RELEASED_ERROR (level, "cannot import a DMA-buf");
  else if (no_room)
    VVAS_LOG_ERROR (level, "out of memory importing DMA-buf fd %d", dmabuf_fd);
  else
    VVAS_LOG_ERROR (level, "XRT could not import DMA-buf fd %d (not a "
        "DMA-buf this device can use)", dmabuf_fd);
  return NULL;
}

void
vvas_xrt_bo_free (void *bo)
{
  if (!bo)
    return;
  pthread_rwlock_wrlock (&bo_table_lock);
  /* Once released, XRT freed it already. */
  if (!atomic_load (&xrt_released)) {
    handle_set_remove (&live_bos, bo);
    xrtBOFree (bo);
  }
  pthread_rwlock_unlock (&bo_table_lock);
}

void *
vvas_xrt_bo_map (void *bo)
{
  void *host = NULL;

  pthread_rwlock_wrlock (&bo_table_lock);
  if (!atomic_load (&xrt_released))
    host = xrtBOMap (bo);
  pthread_rwlock_unlock (&bo_table_lock);
  return host;
}

size_t
vvas_xrt_bo_size (void *bo)
{
  size_t size = 0;

  pthread_rwlock_rdlock (&bo_table_lock);
  if (!atomic_load (&xrt_released))
    size = xrtBOSize (bo);
  pthread_rwlock_unlock (&bo_table_lock);
  return size;
}

uint64_t
vvas_xrt_bo_address (void *bo)
{
  uint64_t address = UINT64_MAX;

  pthread_rwlock_rdlock (&bo_table_lock);
  if (!atomic_load (&xrt_released))
    address = xrtBOAddress (bo);
  pthread_rwlock_unlock (&bo_table_lock);
  return address;
}

int
vvas_xrt_bo_export (void *bo, VvasLogLevel level)
{
  xclBufferExportHandle fd = -1;
  bool released;

  pthread_rwlock_wrlock (&bo_table_lock);
  released = atomic_load (&xrt_released);
  if (!released)
    fd = xrtBOExport (bo);
  pthread_rwlock_unlock (&bo_table_lock);

  if (released) {
    XRT_RELEASED_ERROR (level, "cannot export");
    return -1;
  }
  if ((intptr_t) fd < 0) {
    VVAS_LOG_ERROR (level, "XRT could not export the buffer as a DMA-buf "
        "(the device or its driver does not support export; XRT's no-op "
        "device never does)");
    return -1;
  }
  return (int) (intptr_t) fd;
}

int
vvas_xrt_bo_sync (void *bo, VvasDataSyncFlags direction, size_t size,
    VvasTransferCounters * counters, VvasLogLevel level)
{
  const bool to_device = direction == VVAS_DATA_SYNC_TO_DEVICE;
  bool released;
  int res = -1;

  pthread_rwlock_rdlock (&bo_table_lock);
  released = atomic_load (&xrt_released);
  if (!released)
    res = xrtBOSync (bo, to_device ? XCL_BO_SYNC_BO_TO_DEVICE :
        XCL_BO_SYNC_BO_FROM_DEVICE, size, 0);
  pthread_rwlock_unlock (&bo_table_lock);

  if (released) {
    XRT_RELEASED_ERROR (level, "cannot transfer");
    return -1;
  }

  if (res != 0) {
    VVAS_LOG_ERROR (level, "XRT failed to transfer %zu bytes %s the device "
        "(error %d)", size, to_device ? "to" : "from", res);
    return -1;
  }
  if (to_device) {
    atomic_fetch_add_explicit (&counters->syncs_to_device, 1,
        memory_order_relaxed);
    atomic_fetch_add_explicit (&counters->bytes_to_device, size,
        memory_order_relaxed);
  } else {
    atomic_fetch_add_explicit (&counters->syncs_from_device, 1,
        memory_order_relaxed);
    atomic_fetch_add_explicit (&counters->bytes_from_device, size,
        memory_order_relaxed);
  }
  return 0;
}

int
vvas_xrt_bo_copy (void *dst, size_t dst_offset, void *src, size_t src_offset,
    size_t size, VvasTransferCounters * counters, VvasLogLevel level)
{
  bool released;
  int res = -1;

  pthread_rwlock_rdlock (&bo_table_lock);
  released = atomic_load (&xrt_released);
  if (!released)
    res = xrtBOCopy (dst, src, size, dst_offset, src_offset);
  pthread_rwlock_unlock (&bo_table_lock);

  if (released) {
    XRT_RELEASED_ERROR (level, "cannot copy");
    return -1;
  }

  if (res != 0) {
    VVAS_LOG_ERROR (level, "XRT failed to copy %zu bytes on the device "
        "(error %d)", size, res);
    return -1;
  }
  atomic_fetch_add_explicit (&counters->device_copies, 1, memory_order_relaxed);
  atomic_fetch_add_explicit (&counters->bytes_device_copied, size,
      memory_order_relaxed);
  return 0;
}
