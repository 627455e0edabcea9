/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The XRT boundary: every call into XRT goes through here, so that errors
 * are translated in one place and every transfer is counted in one place.
 * Not installed.
 */

#ifndef __VVAS_XRT_H__
#define __VVAS_XRT_H__

#include "vvas_internal.h"

/*
 * Checks what XRT needs before its first device call, which otherwise
 * aborts the process: XILINX_XRT set; XCL_EMULATION_MODE unset or a mode
 * XRT knows (set but empty is neither); and the driver library of that
 * mode in $XILINX_XRT/lib, loaded as XRT loads it (it stays loaded).
 * Returns 0, or -1 with what is wrong and what to set in @why.
 */
int vvas_xrt_check_environment (char *why, size_t why_len);

void *vvas_xrt_device_open (int32_t dev_idx, VvasLogLevel level);
void vvas_xrt_device_close (void *device);
int vvas_xrt_device_load_xclbin (void *device, const char *path,
    VvasLogLevel level);
int vvas_xrt_device_get_xclbin_uuid (void *device, unsigned char uuid[16]);

/*
 * With @quiet, XRT refusing the allocation is not logged: the caller may
 * make room and try again (see vvas_bo_cache.h).
 */
void *vvas_xrt_bo_alloc (void *device, size_t size, uint8_t bank,
    bool quiet, VvasLogLevel level);
void *vvas_xrt_bo_import (void *device, int dmabuf_fd, VvasLogLevel level);
void vvas_xrt_bo_free (void *bo);
void *vvas_xrt_bo_map (void *bo);
size_t vvas_xrt_bo_size (void *bo);
uint64_t vvas_xrt_bo_address (void *bo);
int vvas_xrt_bo_export (void *bo, VvasLogLevel level);

/*
 * Transfers the whole of @bo in @direction (VVAS_DATA_SYNC_TO_DEVICE or
 * VVAS_DATA_SYNC_FROM_DEVICE) and counts it in @counters when XRT reports
 * success. Returns 0 or -1.
 */
int vvas_xrt_bo_sync (void *bo, VvasDataSyncFlags direction, size_t size,
    VvasTransferCounters * counters, VvasLogLevel level);

/*
 * Copies @size bytes between two buffer objects on the device, counted in
 * @counters. Returns 0 or -1.
 */
int vvas_xrt_bo_copy (void *dst, size_t dst_offset, void *src,
    size_t src_offset, size_t size, VvasTransferCounters * counters,
    VvasLogLevel level);

#endif /* __VVAS_XRT_H__ */
