/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#define _GNU_SOURCE
#include "vvas_xrt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

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

/* XRT loads one driver library per mode from $XILINX_XRT/lib. */
static const char *
driver_library_for_mode (const char *mode)
{
  if (!mode || !*mode)
    return "libxrt_core.so.2";
  if (strcmp (mode, "noop") == 0)
    return "libxrt_noop.so.2";
  if (strcmp (mode, "sw_emu") == 0)
    return "libxrt_swemu.so.2";
  if (strcmp (mode, "hw_emu") == 0)
    return "libxrt_hwemu.so.2";
  return NULL;
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
        root, library, mode && *mode ? "" : " (for a machine without a "
        "card, set XCL_EMULATION_MODE=noop)");
    return -1;
  }
  return 0;
}

void *
vvas_xrt_device_open (int32_t dev_idx, VvasLogLevel level)
{
  xrtDeviceHandle device = xrtDeviceOpen ((unsigned int) dev_idx);

  if (!device)
    VVAS_LOG_ERROR (level, "XRT could not open device %d (no such card, or "
        "its driver is not loaded)", dev_idx);
  return device;
}

void
vvas_xrt_device_close (void *device)
{
  if (device)
    xrtDeviceClose (device);
}

int
vvas_xrt_device_load_xclbin (void *device, const char *path, VvasLogLevel level)
{
  int res = xrtDeviceLoadXclbinFile (device, path);

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
  return xrtDeviceGetXclbinUUID (device, uuid) == 0 ? 0 : -1;
}

void *
vvas_xrt_bo_alloc (void *device, size_t size, uint8_t bank, VvasLogLevel level)
{
  xrtBufferHandle bo;

  pthread_rwlock_wrlock (&bo_table_lock);
  bo = xrtBOAlloc (device, size, XRT_BO_FLAGS_NONE, bank);
  pthread_rwlock_unlock (&bo_table_lock);

  if (!bo)
    VVAS_LOG_ERROR (level, "XRT could not allocate %zu bytes on bank %u",
        size, bank);
  return bo;
}

void *
vvas_xrt_bo_import (void *device, int dmabuf_fd, VvasLogLevel level)
{
  xrtBufferHandle bo;

  pthread_rwlock_wrlock (&bo_table_lock);
  bo = xrtBOImport (device, dmabuf_fd);
  pthread_rwlock_unlock (&bo_table_lock);

  if (!bo)
    VVAS_LOG_ERROR (level, "XRT could not import DMA-buf fd %d (not a "
        "DMA-buf this device can use)", dmabuf_fd);
  return bo;
}

void
vvas_xrt_bo_free (void *bo)
{
  if (!bo)
    return;
  pthread_rwlock_wrlock (&bo_table_lock);
  xrtBOFree (bo);
  pthread_rwlock_unlock (&bo_table_lock);
}

void *
vvas_xrt_bo_map (void *bo)
{
  void *host;

  pthread_rwlock_wrlock (&bo_table_lock);
  host = xrtBOMap (bo);
  pthread_rwlock_unlock (&bo_table_lock);
  return host;
}

size_t
vvas_xrt_bo_size (void *bo)
{
  size_t size;

  pthread_rwlock_rdlock (&bo_table_lock);
  size = xrtBOSize (bo);
  pthread_rwlock_unlock (&bo_table_lock);
  return size;
}

uint64_t
vvas_xrt_bo_address (void *bo)
{
  uint64_t address;

  pthread_rwlock_rdlock (&bo_table_lock);
  address = xrtBOAddress (bo);
  pthread_rwlock_unlock (&bo_table_lock);
  return address;
}

int
vvas_xrt_bo_export (void *bo, VvasLogLevel level)
{
  xclBufferExportHandle fd;

  pthread_rwlock_wrlock (&bo_table_lock);
  fd = xrtBOExport (bo);
  pthread_rwlock_unlock (&bo_table_lock);

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
  int res;

  pthread_rwlock_rdlock (&bo_table_lock);
  res = xrtBOSync (bo, to_device ? XCL_BO_SYNC_BO_TO_DEVICE :
      XCL_BO_SYNC_BO_FROM_DEVICE, size, 0);
  pthread_rwlock_unlock (&bo_table_lock);

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
  int res;

  pthread_rwlock_rdlock (&bo_table_lock);
  res = xrtBOCopy (dst, src, size, dst_offset, src_offset);
  pthread_rwlock_unlock (&bo_table_lock);

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
