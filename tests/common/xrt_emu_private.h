/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Between the XRT wrappers (xrt_count.c) and the emulated device
 * (xrt_emu.c), inside libxrtcount; tests use xrt_emu.h.
 */

#ifndef __VVAS_TEST_XRT_EMU_PRIVATE_H__
#define __VVAS_TEST_XRT_EMU_PRIVATE_H__

#include "xrt_emu.h"

#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>

/* XRT's own @name, behind the wrappers; aborts if XRT has none. */
void *xrt_real_symbol (const char *name);

typedef xrtBufferHandle (*XrtBOAllocFunc) (xrtDeviceHandle, size_t,
    xrtBufferFlags, xrtMemoryGroup);

void xrt_emu_device_opened (xrtDeviceHandle device, unsigned int index);
void xrt_emu_device_closing (xrtDeviceHandle device);
void xrt_emu_xclbin_loaded (xrtDeviceHandle device, const char *path);

/* XRT's BO under a device copy of the emulation; NULL with errno. */
xrtBufferHandle xrt_emu_bo_alloc (xrtDeviceHandle device, size_t size,
    xrtBufferFlags flags, xrtMemoryGroup bank, XrtBOAllocFunc real_alloc);
xrtBufferHandle xrt_emu_bo_import (xrtDeviceHandle device, int fd);
void xrt_emu_bo_freeing (xrtBufferHandle bo);
size_t xrt_emu_bo_size (xrtBufferHandle bo);
int xrt_emu_bo_sync (xrtBufferHandle bo, bool to_device, size_t size,
    size_t offset);
int xrt_emu_bo_copy (xrtBufferHandle dst, xrtBufferHandle src, size_t size,
    size_t dst_offset, size_t src_offset);
int xrt_emu_bo_export (xrtBufferHandle bo);

#endif /* __VVAS_TEST_XRT_EMU_PRIVATE_H__ */
