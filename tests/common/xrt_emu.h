/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The emulated device: XRT's no-op device with a device copy of its own per
 * buffer object, so that a transfer that is missing, misdirected or lost
 * shows as wrong bytes. It lives in libxrtcount, at the XRT C API boundary
 * (see xrt_count.h); real XRT still opens the device, loads the xclbin and
 * keeps the buffer objects and their host views underneath.
 *
 * It is on when the environment has VVAS_XRT_EMULATION=1 (meson test
 * --setup emulated), read once at the first XRT call. Then:
 *
 * - every BO has a device copy, separate from its host view, in a memfd;
 *   xrtBOSync moves exactly the bytes asked for (size, offset, direction)
 *   between the two; xrtBOCopy copies device copy to device copy; a range
 *   past the end of a BO fails as XRT does (-EINVAL);
 * - a new BO's device copy is filled with XRT_EMU_FRESH_DEVICE_BYTE, its
 *   host view with XRT_EMU_FRESH_HOST_BYTE, so that reading bytes that were
 *   never transferred is visible;
 * - a bank's capacity, from the MEM_TOPOLOGY of the xclbin loaded on that
 *   device index, is enforced: xrtBOAlloc past it fails (NULL, ENOMEM), as
 *   does an allocation on a bank the topology does not have (EINVAL);
 * - xrtBOExport returns the memfd of the BO's device copy: it belongs to
 *   the BO, the same fd is returned on every export, and it is closed when
 *   the BO is freed (XRT's rule); xrtBOImport of an fd that can be mapped
 *   (an exported one, a duplicate of it, any memfd) shares its bytes as the
 *   new BO's device copy.
 *
 * Off (the default), every call goes to XRT's no-op device unchanged, and
 * the kernel functions below reach the BO's host view, which is then also
 * its device copy: a test written against them runs on both devices.
 */

#ifndef __VVAS_TEST_XRT_EMU_H__
#define __VVAS_TEST_XRT_EMU_H__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What fresh memory holds on the emulated device. */
#define XRT_EMU_FRESH_DEVICE_BYTE 0xd5
#define XRT_EMU_FRESH_HOST_BYTE 0xa3

/* True when the emulated device is on (VVAS_XRT_EMULATION=1). */
bool xrt_emu_enabled (void);

/*
 * Turns the emulated device on for this process, whatever the environment
 * says: for a test program that needs it (DMA-buf export, bytes that differ
 * between host and device). Call it first in main(), before any XRT call.
 */
void xrt_emu_enable (void);

/*
 * Acts as a kernel on @bo (an xrtBufferHandle): reads or writes @size bytes
 * of its device copy at @offset. Returns 0, or -1 when @bo is not a live
 * BO or the range runs past its end.
 */
int xrt_emu_kernel_read (void *bo, size_t offset, void *dst, size_t size);
int xrt_emu_kernel_write (void *bo, size_t offset, const void *src,
    size_t size);
/* Sets @size bytes of the device copy at @offset to @value. */
int xrt_emu_kernel_fill (void *bo, size_t offset, uint8_t value, size_t size);

/*
 * Bytes allocated on @bank of device @dev_idx by live BOs (imports are on
 * no bank), and the bank's capacity from the loaded xclbin (0: unknown,
 * not enforced). Emulated device only; 0 otherwise.
 */
uint64_t xrt_emu_bank_used (unsigned int dev_idx, unsigned int bank);
uint64_t xrt_emu_bank_capacity (unsigned int dev_idx, unsigned int bank);

/*
 * Overrides the capacity of @bank of device @dev_idx (until the next xclbin
 * load there), so that a test fills a bank with a few buffers.
 */
void xrt_emu_set_bank_capacity (unsigned int dev_idx, unsigned int bank,
    uint64_t bytes);

/* Open file descriptors of this process (for fd-leak checks). */
unsigned int xrt_emu_count_open_fds (void);

#endif /* __VVAS_TEST_XRT_EMU_H__ */
