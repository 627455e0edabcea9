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
 */
VVAS_CORE_API void vvas_memory_set_sync_flag (VvasMemory * vvas_mem,
    VvasDataSyncFlags flag);

/**
 * vvas_memory_unset_sync_flag:
 * @vvas_mem: a memory
 * @flag: pending transfers to forget
 *
 * Clears pending transfers without doing them.
 */
VVAS_CORE_API void vvas_memory_unset_sync_flag (VvasMemory * vvas_mem,
    VvasDataSyncFlags flag);

/**
 * vvas_memory_get_paddr:
 * @vvas_mem: a device memory
 *
 * Returns: the device (physical) address of the buffer object, or
 *   (uint64_t) -1 for NULL or host memory.
 */
VVAS_CORE_API uint64_t vvas_memory_get_paddr (VvasMemory * vvas_mem);

/**
 * vvas_memory_get_bo:
 * @vvas_mem: a device memory
 *
 * Returns: the `xrtBufferHandle` of the memory (owned by it), or NULL for
 *   NULL or host memory.
 */
VVAS_CORE_API void *vvas_memory_get_bo (VvasMemory * vvas_mem);

/**
 * vvas_memory_get_device_index:
 * @vvas_mem: a memory
 *
 * Returns: the device index of the memory's context, -1 for a host-only
 *   context or NULL.
 */
VVAS_CORE_API int32_t vvas_memory_get_device_index (VvasMemory * vvas_mem);

/**
 * vvas_memory_get_bank_index:
 * @vvas_mem: a memory
 *
 * Returns: the memory bank of a device memory, -1 for host memory or NULL.
 */
VVAS_CORE_API int32_t vvas_memory_get_bank_index (VvasMemory * vvas_mem);

#ifdef __cplusplus
}
#endif

#endif /* __VVAS_MEMORY_PRIV_H__ */
