/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION: vvas_memory
 * @short_description: Device and host memory with host/device coherence
 *
 * A #VvasMemory is either device memory (an XRT buffer object on a memory
 * bank, %VVAS_ALLOC_TYPE_CMA) or host memory (%VVAS_ALLOC_TYPE_NON_CMA).
 * Mapping follows the coherence contract: a READ map refreshes the host view
 * only when the device copy is newer; a WRITE map marks the host copy newer;
 * nothing is transferred that is not needed. Maps may be taken from several
 * threads at once.
 */

#ifndef __VVAS_MEMORY_H__
#define __VVAS_MEMORY_H__

#include <vvas_core/vvas_common.h>
#include <vvas_core/vvas_context.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * VvasMemory:
 *
 * Opaque handle of a memory.
 *
 * Since: 1.0
 */
typedef struct _VvasMemory VvasMemory;

/**
 * VvasMemoryDataFreeCB:
 * @data: the pointer given to vvas_memory_alloc_from_data()
 * @user_data: the user data given with it
 *
 * Frees wrapped data; called exactly once, by vvas_memory_free().
 *
 * Since: 1.0
 */
typedef void (*VvasMemoryDataFreeCB) (void *data, void *user_data);

/**
 * VvasMemoryMapInfo:
 * @data: host address of the mapped memory
 * @size: size of the mapped memory
 *
 * Filled by vvas_memory_map(), given back to vvas_memory_unmap().
 *
 * Since: 1.0
 */
typedef struct
{
  uint8_t *data;
  size_t size;
} VvasMemoryMapInfo;

/**
 * vvas_memory_alloc:
 * @vvas_ctx: a context; a device context for %VVAS_ALLOC_TYPE_CMA
 * @mem_type: %VVAS_ALLOC_TYPE_CMA or %VVAS_ALLOC_TYPE_NON_CMA
 * @mem_flags: %VVAS_ALLOC_FLAG_NONE
 * @mbank_idx: memory bank (checked against the xclbin's topology; ignored
 *   for host memory)
 * @size: bytes to allocate, more than zero
 * @ret: (out) (optional): result code
 *
 * Allocates memory. Device memory is an XRT buffer object on @mbank_idx with
 * a host view; host memory is page-aligned heap memory. The new memory has
 * no transfer pending. Its contents are undefined.
 *
 * Returns: the memory, or NULL with @ret set to %VVAS_RET_INVALID_ARGS or
 *   %VVAS_RET_ALLOC_ERROR.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasMemory *vvas_memory_alloc (VvasContext * vvas_ctx,
    VvasAllocationType mem_type, VvasAllocationFlags mem_flags,
    uint8_t mbank_idx, size_t size, VvasReturnType * ret);

/**
 * vvas_memory_alloc_from_data:
 * @vvas_ctx: a context
 * @data: memory owned by the caller
 * @size: size of @data, more than zero
 * @free_cb: (nullable): called once with @data and @user_data when the
 *   memory is freed; NULL when the caller frees @data itself
 * @user_data: passed to @free_cb
 * @ret: (out) (optional): result code
 *
 * Wraps caller memory as a host (%VVAS_ALLOC_TYPE_NON_CMA) memory. The
 * library never frees @data itself. On error @free_cb is not called.
 *
 * Returns: the memory, or NULL with @ret set.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasMemory *vvas_memory_alloc_from_data (VvasContext * vvas_ctx,
    uint8_t * data, size_t size, VvasMemoryDataFreeCB free_cb,
    void *user_data, VvasReturnType * ret);

/**
 * vvas_memory_free:
 * @vvas_mem: (nullable): a memory
 *
 * Frees the memory and drops its reference on its context. A memory still
 * mapped is freed all the same, with a warning. NULL is ignored.
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_memory_free (VvasMemory * vvas_mem);

/**
 * vvas_memory_map:
 * @vvas_mem: a memory
 * @flags: %VVAS_DATA_MAP_READ, %VVAS_DATA_MAP_WRITE or both
 * @info: (out): the host address and size
 *
 * Maps the memory for host access. If the device copy is newer it is
 * transferred first (for READ and WRITE maps alike: a writer may change only
 * part of the buffer). A WRITE map marks the host copy newer. A transfer that
 * fails fails the map and leaves the pending state as it was.
 *
 * Returns: %VVAS_RET_SUCCESS, %VVAS_RET_INVALID_ARGS, or %VVAS_RET_ERROR if
 *   the transfer failed.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_memory_map (VvasMemory * vvas_mem,
    VvasDataMapFlags flags, VvasMemoryMapInfo * info);

/**
 * vvas_memory_unmap:
 * @vvas_mem: a memory
 * @info: the map info vvas_memory_map() filled
 *
 * Ends one map.
 *
 * Returns: %VVAS_RET_SUCCESS, or %VVAS_RET_INVALID_ARGS for a NULL argument,
 *   an @info that does not belong to @vvas_mem, or a memory not mapped.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_memory_unmap (VvasMemory * vvas_mem,
    VvasMemoryMapInfo * info);

/**
 * vvas_memory_set_metadata:
 * @vvas_mem: a memory
 * @meta_data: the metadata to store
 *
 * Stores a copy of @meta_data on the memory.
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_memory_set_metadata (VvasMemory * vvas_mem,
    VvasMetadata * meta_data);

/**
 * vvas_memory_get_metadata:
 * @vvas_mem: a memory
 * @meta_data: (out): receives the memory's metadata
 *
 * Reads the metadata stored on the memory (all zero until set).
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_memory_get_metadata (VvasMemory * vvas_mem,
    VvasMetadata * meta_data);

/**
 * vvas_memory_get_size:
 * @vvas_mem: a memory
 *
 * Reads the size of a memory.
 *
 * Returns: the memory's size in bytes, 0 for NULL.
 *
 * Since: 1.0
 */
VVAS_CORE_API size_t vvas_memory_get_size (VvasMemory * vvas_mem);

/**
 * vvas_memory_get_allocation_info:
 * @vvas_mem: a memory
 * @info: (out): receives its bank, type, flags, map and pending sync state
 *
 * Reads the allocation parameters of a memory and its live map and
 * pending-transfer state.
 *
 * Returns: %VVAS_RET_SUCCESS or %VVAS_RET_INVALID_ARGS.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_memory_get_allocation_info (VvasMemory *
    vvas_mem, VvasAllocationInfo * info);

/**
 * vvas_memory_get_context:
 * @vvas_mem: a memory
 *
 * Gives the context a memory was allocated from.
 *
 * Returns: (transfer none): the context the memory was allocated from; it
 *   lives at least as long as the memory.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasContext *vvas_memory_get_context (VvasMemory * vvas_mem);

/**
 * vvas_memory_export_dmabuf:
 * @vvas_mem: a device (%VVAS_ALLOC_TYPE_CMA) memory
 * @ret: (out) (optional): result code
 *
 * Exports the buffer object as a DMA-buf, for zero-copy sharing with other
 * drivers. An importer reads the device copy, so if the host copy is newer
 * it is transferred to the device first (as vvas_memory_sync_data() with
 * %VVAS_DATA_SYNC_TO_DEVICE does; while a vvas_memory_map() for writing is
 * still held, the host copy stays marked newer for the bytes still to
 * come). If that transfer fails, the export fails and the transfer stays
 * pending.
 *
 * The descriptor returned is the caller's own, a duplicate (close-on-exec)
 * of the one XRT keeps for the buffer object: each call returns a new one,
 * which the caller closes when done with it, and which stays valid after
 * vvas_memory_free(). XRT's own descriptor is never handed out; it is
 * closed when the memory is freed.
 *
 * XRT's no-op device cannot export and fails here, without transferring.
 *
 * Returns: a new file descriptor the caller owns and closes, or -1 with
 *   @ret set to %VVAS_RET_INVALID_ARGS (NULL or host memory) or
 *   %VVAS_RET_ERROR.
 *
 * Since: 1.0
 */
VVAS_CORE_API int vvas_memory_export_dmabuf (VvasMemory * vvas_mem,
    VvasReturnType * ret);

/**
 * vvas_memory_alloc_from_dmabuf:
 * @vvas_ctx: a device context
 * @dmabuf_fd: a DMA-buf file descriptor; the caller keeps it
 * @mbank_idx: the bank the buffer is reported on
 * @ret: (out) (optional): result code
 *
 * Imports a DMA-buf as device memory of the context's device. The memory's
 * size is the buffer's. The exporter may have written the buffer, so the
 * device copy is marked newer (%VVAS_DATA_SYNC_FROM_DEVICE pending): the
 * first map, READ or WRITE, transfers it to the host view. The import holds
 * the buffer itself: the caller may close @dmabuf_fd at once.
 *
 * Returns: the memory, or NULL on error.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasMemory *vvas_memory_alloc_from_dmabuf (VvasContext *
    vvas_ctx, int dmabuf_fd, uint8_t mbank_idx, VvasReturnType * ret);

/**
 * vvas_memory_copy:
 * @dst: destination memory
 * @dst_offset: where to write in @dst
 * @src: source memory, not @dst
 * @src_offset: where to read in @src
 * @size: bytes to copy, more than zero
 *
 * Copies bytes between memories with the fewest transfers: on the device
 * (XRT's BO copy) when both are device memories of the same context, the
 * device copy of @src is current and @dst is not mapped, after which the
 * device copy of @dst is the newer one (if its host copy was newer, that is
 * transferred to the device first, unless the copy covers all of @dst);
 * otherwise through the host views, which follow the coherence contract:
 * @src is refreshed if its device copy is newer, and so is @dst, unless the
 * copy covers all of it (then nothing of @dst is transferred).
 *
 * While @dst is mapped (a vvas_memory_map() not yet unmapped), the copy
 * writes its host view, whatever @src is, and the host copy of @dst stays
 * the newer one: the mapper's bytes around the range, its later writes and
 * the copied bytes all reach the device at the next transfer to it. A map of
 * @dst that begins during a copy on the device waits for it and sees its
 * bytes. Host accesses opened with vvas_memory_begin_host_access() are not
 * counted and so not seen: do not copy into a memory while one of them
 * writes it.
 *
 * Returns: %VVAS_RET_SUCCESS, %VVAS_RET_INVALID_ARGS (a range past the end
 *   of a memory, say) or %VVAS_RET_ERROR.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_memory_copy (VvasMemory * dst,
    size_t dst_offset, VvasMemory * src, size_t src_offset, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* __VVAS_MEMORY_H__ */
