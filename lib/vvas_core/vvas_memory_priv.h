/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION: vvas_memory_priv
 * @short_description: Helpers for accelerator code
 *
 * What code that hands a memory to a kernel needs: the physical address and
 * buffer object, and control of the pending transfers. The usual sequence
 * around a kernel run is vvas_memory_sync_data (mem,
 * %VVAS_DATA_SYNC_TO_DEVICE) before it (transfers only if the host copy is
 * newer) and, for an output, vvas_memory_set_sync_flag (mem,
 * %VVAS_DATA_SYNC_FROM_DEVICE) after it.
 */

#ifndef __VVAS_MEMORY_PRIV_H__
#define __VVAS_MEMORY_PRIV_H__

#include <vvas_core/vvas_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * vvas_memory_sync_data:
 * @vvas_mem: a memory
 * @flag: %VVAS_DATA_SYNC_TO_DEVICE or %VVAS_DATA_SYNC_FROM_DEVICE
 *
 * Performs the transfer in direction @flag if it is pending, and clears it.
 * Does nothing when it is not pending or for host memory. A failed transfer
 * is logged and stays pending.
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_memory_sync_data (VvasMemory * vvas_mem,
    VvasDataSyncFlags flag);

/**
 * vvas_memory_set_sync_flag:
 * @vvas_mem: a memory
 * @flag: the copy that became newer: %VVAS_DATA_SYNC_FROM_DEVICE after a
 *   kernel wrote the buffer, %VVAS_DATA_SYNC_TO_DEVICE after the host did
 *
 * Marks a transfer pending. The two directions exclude each other: marking
 * one clears the other (the newest writer wins), with a warning when that
 * discards a pending transfer.
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_memory_set_sync_flag (VvasMemory * vvas_mem,
    VvasDataSyncFlags flag);

/**
 * vvas_memory_unset_sync_flag:
 * @vvas_mem: a memory
 * @flag: pending transfers to forget
 *
 * Clears pending transfers without doing them.
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_memory_unset_sync_flag (VvasMemory * vvas_mem,
    VvasDataSyncFlags flag);

/**
 * vvas_memory_get_paddr:
 * @vvas_mem: a device memory
 *
 * Reads the device address of a device memory, for a kernel's arguments.
 *
 * Returns: the device (physical) address of the buffer object, or
 *   (uint64_t) -1 for NULL or host memory.
 *
 * Since: 1.0
 */
VVAS_CORE_API uint64_t vvas_memory_get_paddr (VvasMemory * vvas_mem);

/**
 * vvas_memory_get_bo:
 * @vvas_mem: a device memory
 *
 * Gives the XRT buffer object behind a device memory.
 *
 * Returns: the `xrtBufferHandle` of the memory (owned by it), or NULL for
 *   NULL or host memory.
 *
 * Since: 1.0
 */
VVAS_CORE_API void *vvas_memory_get_bo (VvasMemory * vvas_mem);

/**
 * vvas_memory_get_device_index:
 * @vvas_mem: a memory
 *
 * Reads the device index of a memory's context.
 *
 * Returns: the device index of the memory's context, -1 for a host-only
 *   context or NULL.
 *
 * Since: 1.0
 */
VVAS_CORE_API int32_t vvas_memory_get_device_index (VvasMemory * vvas_mem);

/**
 * vvas_memory_get_bank_index:
 * @vvas_mem: a memory
 *
 * Reads the memory bank a memory lives on.
 *
 * Returns: the memory bank of a device memory, -1 for host memory or NULL.
 *
 * Since: 1.0
 */
VVAS_CORE_API int32_t vvas_memory_get_bank_index (VvasMemory * vvas_mem);

/**
 * vvas_memory_get_host_address:
 * @vvas_mem: a memory
 *
 * The host view of the memory, without mapping it: no transfer is done and
 * no map is counted. The pointer is valid until the memory is freed. For
 * layers that count their maps themselves, with
 * vvas_memory_begin_host_access() and vvas_memory_end_host_access() around
 * each use. An extension of this library, not in the VVAS memory API.
 *
 * Returns: the host address, or NULL for NULL.
 *
 * Since: 1.0
 */
VVAS_CORE_API uint8_t *vvas_memory_get_host_address (VvasMemory * vvas_mem);

/**
 * vvas_memory_begin_host_access:
 * @vvas_mem: a memory
 * @flags: %VVAS_DATA_MAP_READ, %VVAS_DATA_MAP_WRITE or both
 *
 * The coherence part of vvas_memory_map() without the map count, for a
 * layer that counts its own maps (GStreamer's #GstMemory lock does): makes
 * the host view current (transfers from the device if that is pending) and,
 * for a write, marks the host copy newer. With nothing to transfer it takes
 * no lock: one atomic load for a read. An extension of this library, not in
 * the VVAS memory API.
 *
 * Returns: %VVAS_RET_SUCCESS, %VVAS_RET_ERROR when the transfer failed (it
 *   stays pending), %VVAS_RET_INVALID_ARGS for bad arguments.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_memory_begin_host_access (VvasMemory *
    vvas_mem, VvasDataMapFlags flags);

/**
 * vvas_memory_end_host_access:
 * @vvas_mem: a memory
 * @flags: the flags given to vvas_memory_begin_host_access()
 *
 * Ends a host access: after a write, marks the host copy newer again, in
 * case a transfer to the device ran while the host was still writing.
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_memory_end_host_access (VvasMemory * vvas_mem,
    VvasDataMapFlags flags);

/**
 * vvas_memory_begin_device_access:
 * @vvas_mem: a device memory
 * @flags: how the device will use the buffer: %VVAS_DATA_MAP_READ,
 *   %VVAS_DATA_MAP_WRITE or both
 *
 * Prepares the memory for a kernel: transfers the host copy to the device
 * if it is newer and, when the kernel writes, marks the device copy newer.
 * With nothing to transfer it takes no lock. While a vvas_memory_map() for
 * writing may still be held, the transfer is done and the host copy stays
 * marked newer, as with vvas_memory_sync_data(). An extension of this
 * library, not in the VVAS memory API.
 *
 * Returns: %VVAS_RET_SUCCESS; %VVAS_RET_ERROR when the transfer failed (it
 *   stays pending); %VVAS_RET_INVALID_ARGS for bad arguments or host
 *   memory.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_memory_begin_device_access (VvasMemory *
    vvas_mem, VvasDataMapFlags flags);

/**
 * vvas_memory_end_device_access:
 * @vvas_mem: a device memory
 * @flags: the flags given to vvas_memory_begin_device_access()
 *
 * Ends a device access: after a write, marks the device copy newer again,
 * in case the host refreshed its view while the kernel was still writing.
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_memory_end_device_access (VvasMemory * vvas_mem,
    VvasDataMapFlags flags);

#ifdef __cplusplus
}
#endif

#endif /* __VVAS_MEMORY_PRIV_H__ */
