/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION: vvas_context
 * @short_description: A device, its loaded xclbin, and the memories on it
 *
 * A context opens one XRT device and loads (or adopts) its xclbin, or is a
 * host-only context for host memory. Every memory holds a reference on its
 * context: vvas_context_destroy() drops the caller's reference and the device
 * is closed when the last memory allocated from it is freed.
 */

#ifndef __VVAS_CONTEXT_H__
#define __VVAS_CONTEXT_H__

#include <uuid/uuid.h>
#include <vvas_core/vvas_common.h>
#include <vvas_core/vvas_log.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * vvasDeviceHandle:
 *
 * The XRT device handle (an `xrtDeviceHandle`).
 *
 * Since: 1.0
 */
typedef void *vvasDeviceHandle;

/**
 * VvasContext:
 * @dev_idx: device index, or -1 for a host-only context
 * @xclbin_loc: path of the xclbin this context loaded, or NULL
 * @dev_handle: the XRT device, or NULL for a host-only context
 * @uuid: UUID of the xclbin loaded on the device (all zero if none)
 * @log_level: threshold of the messages emitted for this context
 *
 * A device context. The members are read-only for users.
 *
 * Since: 1.0
 */
typedef struct
{
  int32_t dev_idx;
  char *xclbin_loc;
  vvasDeviceHandle dev_handle;
  uuid_t uuid;
  VvasLogLevel log_level;
} VvasContext;

/**
 * VvasTransferStats:
 * @syncs_to_device: host-to-device transfers done
 * @bytes_to_device: bytes moved host-to-device
 * @syncs_from_device: device-to-host transfers done
 * @bytes_from_device: bytes moved device-to-host
 * @device_copies: device-side copies between buffer objects
 * @bytes_device_copied: bytes copied on the device
 *
 * What a context moved between host and device since it was created (or
 * since the last vvas_context_reset_transfer_stats()). Only transfers that
 * XRT reported as done are counted.
 *
 * Since: 1.0
 */
typedef struct
{
  uint64_t syncs_to_device;
  uint64_t bytes_to_device;
  uint64_t syncs_from_device;
  uint64_t bytes_from_device;
  uint64_t device_copies;
  uint64_t bytes_device_copied;
} VvasTransferStats;

/**
 * VvasCacheStats:
 * @hits: allocations served from the cache (no XRT call, no heap call)
 * @misses: allocations the cache could not serve (device or heap memory
 *   was allocated); neither is counted while the cache is disabled
 * @trimmed: cached buffers released to stay within the limit, to make
 *   room on a full bank, or because the xclbin or the limit changed
 * @bytes_held: bytes the cache holds now (device and host)
 * @buffers_held: buffers the cache holds now
 * @bytes_limit: the most it may hold; 0: the cache is disabled
 * @reserved: for later counters; zero
 *
 * The recycling cache of a context: freed device (CMA) and host (NON_CMA)
 * memories are kept, per memory bank and size, and handed out again by
 * the next allocation of that bank and size. Read with
 * vvas_context_get_cache_stats(). An extension of this library.
 *
 * Since: 1.0
 */
typedef struct
{
  uint64_t hits;
  uint64_t misses;
  uint64_t trimmed;
  uint64_t bytes_held;
  uint64_t buffers_held;
  uint64_t bytes_limit;
  uint64_t reserved[4];
} VvasCacheStats;

/**
 * vvas_context_create:
 * @dev_idx: device index, or -1 for a host-only context
 * @xclbin_loc: (nullable): xclbin to load on the device; NULL adopts the
 *   xclbin already loaded there. Must be NULL when @dev_idx is -1.
 * @log_level: threshold of the messages emitted for this context
 * @vret: (out) (optional): where the result code is stored
 *
 * Creates a context. With a device index it first checks that XRT can run
 * (`XILINX_XRT` set and its libraries present), reads and validates the
 * xclbin's memory topology, opens the device and loads the xclbin. No XRT
 * error aborts the process; each becomes a result code and a log line.
 *
 * Returns: a new context, or NULL on error with @vret set to
 *   %VVAS_RET_INVALID_ARGS (bad argument, unreadable or corrupt xclbin),
 *   %VVAS_RET_ERROR (XRT environment, device open or xclbin load failed) or
 *   %VVAS_RET_ALLOC_ERROR (out of memory).
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasContext *vvas_context_create (int32_t dev_idx,
    char *xclbin_loc, VvasLogLevel log_level, VvasReturnType * vret);

/**
 * vvas_context_destroy:
 * @vvas_ctx: a context
 *
 * Drops the caller's reference. The device closes once every memory
 * allocated from the context has been freed as well. Calling it twice on
 * the same context is an error; it is detected (and refused) while memories
 * keep the context alive, and is a use after free otherwise.
 *
 * Returns: %VVAS_RET_SUCCESS, or %VVAS_RET_INVALID_ARGS for NULL or a
 *   context already destroyed while its memories live.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_context_destroy (VvasContext * vvas_ctx);

/**
 * vvas_context_get_transfer_stats:
 * @vvas_ctx: a context
 * @stats: (out): filled with the context's transfer statistics
 *
 * Reads the transfers done on the context's memories. Thread-safe.
 *
 * Returns: %VVAS_RET_SUCCESS, or %VVAS_RET_INVALID_ARGS for a NULL argument.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_context_get_transfer_stats (VvasContext *
    vvas_ctx, VvasTransferStats * stats);

/**
 * vvas_context_reset_transfer_stats:
 * @vvas_ctx: a context
 *
 * Sets every transfer statistic of the context back to zero.
 *
 * Returns: %VVAS_RET_SUCCESS, or %VVAS_RET_INVALID_ARGS for NULL.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_context_reset_transfer_stats (VvasContext *
    vvas_ctx);

/**
 * vvas_context_get_bank_count:
 * @vvas_ctx: a context
 *
 * Counts the memory banks of the xclbin's memory topology.
 *
 * Returns: the number of memory banks in the xclbin's topology (used or
 *   not), 0 when it is not known (a host-only context, or an xclbin adopted
 *   from the device), or -1 for NULL.
 *
 * Since: 1.0
 */
VVAS_CORE_API int32_t vvas_context_get_bank_count (VvasContext * vvas_ctx);

/**
 * vvas_context_is_bank_usable:
 * @vvas_ctx: a context
 * @mbank_idx: a memory bank index
 *
 * Tells whether buffers can be allocated on a memory bank of the context's
 * device.
 *
 * Returns: 1 if buffers can be allocated on @mbank_idx (a used, non-streaming
 *   bank of the topology, or any bank when the topology is not known), 0 if
 *   not, -1 for NULL or a host-only context.
 *
 * Since: 1.0
 */
VVAS_CORE_API int32_t vvas_context_is_bank_usable (VvasContext * vvas_ctx,
    uint8_t mbank_idx);

/**
 * vvas_context_get_bank_size:
 * @vvas_ctx: a context
 * @mbank_idx: a memory bank index
 *
 * For messages and sizing: the capacity the xclbin's memory topology gives
 * the bank. This is an extension of this library.
 *
 * Returns: the bank's size in bytes, or 0 when it is not known (no
 *   topology, a streaming bank, a bank the topology lacks, or NULL).
 *
 * Since: 1.0
 */
VVAS_CORE_API uint64_t vvas_context_get_bank_size (VvasContext * vvas_ctx,
    uint8_t mbank_idx);

/**
 * vvas_context_load_xclbin:
 * @vvas_ctx: a device context
 * @xclbin_loc: path of an xclbin
 * @may_replace: non-zero if another xclbin the context has may be replaced
 *   (when no memory of it is alive); 0 if its users still need it
 *
 * Makes @xclbin_loc the xclbin of the context's device, so that one context
 * can serve every user of a device whatever the order they come in. An
 * xclbin is known by its UUID, not its path:
 *
 * - the context has that xclbin already: nothing is done;
 * - the context has none of its own (it adopted the device's), or has
 *   another that @may_replace and no memory of it is alive: the file is
 *   loaded on the device, and from then on its memory topology checks
 *   banks (%VVAS_RET_ERROR if XRT cannot load it);
 * - otherwise (another xclbin, still in use): refused with
 *   %VVAS_RET_INVALID_ARGS and a message naming both.
 *
 * @vvas_ctx's xclbin_loc then names the file loaded. Thread-safe; an
 * allocation made while the xclbin changes is checked against one of the
 * two. This is an extension of this library, not of the VVAS core API.
 *
 * Returns: %VVAS_RET_SUCCESS, %VVAS_RET_INVALID_ARGS (bad argument,
 *   unreadable or corrupt xclbin, another xclbin in use) or
 *   %VVAS_RET_ERROR (XRT could not load it).
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_context_load_xclbin (VvasContext *
    vvas_ctx, const char *xclbin_loc, int32_t may_replace);

/**
 * vvas_context_set_cache_limit:
 * @vvas_ctx: a context
 * @bytes: the most the context's cache may hold; 0 disables it
 *
 * Bounds the cache of freed memories that a context keeps for reuse (see
 * #VvasCacheStats). The default is 64 MiB, or the environment variable
 * `VVAS_CORE_CACHE_BYTES` read at context creation (a number of bytes,
 * with an optional K, M or G suffix; 0 disables the cache). Buffers held
 * beyond the new limit are released at once, oldest first. Thread-safe.
 * An extension of this library.
 *
 * Returns: %VVAS_RET_SUCCESS, or %VVAS_RET_INVALID_ARGS for NULL or a
 *   destroyed context.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_context_set_cache_limit (VvasContext *
    vvas_ctx, size_t bytes);

/**
 * vvas_context_get_cache_stats:
 * @vvas_ctx: a context
 * @stats: (out): filled with the cache's statistics
 *
 * Reads what the context's cache of freed memories did and holds.
 * Thread-safe. An extension of this library.
 *
 * Returns: %VVAS_RET_SUCCESS, or %VVAS_RET_INVALID_ARGS for a NULL argument.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasReturnType vvas_context_get_cache_stats (VvasContext *
    vvas_ctx, VvasCacheStats * stats);

#ifdef __cplusplus
}
#endif

#endif /* __VVAS_CONTEXT_H__ */
