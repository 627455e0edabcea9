/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION: vvas_common
 * @short_description: Types shared by every VVAS core API
 *
 * Return codes, allocation types and flags, host/device synchronisation and
 * map flags, and the per-memory metadata. Names and values match the VVAS
 * core 1.1 headers so that code written against them compiles unchanged.
 */

#ifndef __VVAS_COMMON_H__
#define __VVAS_COMMON_H__

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * VVAS_CORE_API:
 *
 * Marks a symbol exported by libvvascore.
 *
 * Since: 1.0
 */
#if defined(__GNUC__) && !defined(VVAS_CORE_STATIC)
#define VVAS_CORE_API __attribute__ ((visibility ("default")))
#else
#define VVAS_CORE_API
#endif

/**
 * VvasReturnType:
 * @VVAS_RET_ALLOC_ERROR: memory or a device buffer could not be allocated
 * @VVAS_RET_INVALID_ARGS: an argument was invalid; a log line names it
 * @VVAS_RET_ERROR: any other failure (device, XRT environment, file)
 * @VVAS_RET_SUCCESS: success
 * @VVAS_RET_EOS: end of stream
 * @VVAS_RET_SEND_AGAIN: call again with the same input
 * @VVAS_RET_NEED_MOREDATA: more input is needed
 * @VVAS_RET_CAPS_CHANGED: the stream's format changed
 *
 * Result of a VVAS core call. Every value below zero is an error.
 *
 * Since: 1.0
 */
typedef enum
{
  VVAS_RET_ALLOC_ERROR = -3,
  VVAS_RET_INVALID_ARGS = -2,
  VVAS_RET_ERROR = -1,
  VVAS_RET_SUCCESS = 0,
  VVAS_RET_EOS = 1,
  VVAS_RET_SEND_AGAIN = 2,
  VVAS_RET_NEED_MOREDATA = 3,
  VVAS_RET_CAPS_CHANGED = 4,
} VvasReturnType;

/**
 * VVAS_IS_ERROR:
 * @ret: a #VvasReturnType
 *
 * True when @ret is an error code.
 *
 * Since: 1.0
 */
#define VVAS_IS_ERROR(ret) ((ret) < 0)

/**
 * VvasDataSyncFlags:
 * @VVAS_DATA_SYNC_NONE: host and device copies agree
 * @VVAS_DATA_SYNC_FROM_DEVICE: the device copy may be newer; the host view
 *   must be refreshed from the device before it is read
 * @VVAS_DATA_SYNC_TO_DEVICE: the host copy is newer; the device must be
 *   updated before a kernel reads the buffer
 *
 * Pending host/device transfers of a memory.
 *
 * Since: 1.0
 */
typedef enum
{
  VVAS_DATA_SYNC_NONE = 0,
  VVAS_DATA_SYNC_FROM_DEVICE = 1 << 0,
  VVAS_DATA_SYNC_TO_DEVICE = 1 << 1,
} VvasDataSyncFlags;

/**
 * VvasDataMapFlags:
 * @VVAS_DATA_MAP_NONE: not mapped
 * @VVAS_DATA_MAP_READ: mapped for reading
 * @VVAS_DATA_MAP_WRITE: mapped for writing
 *
 * How a memory is mapped into the host's address space.
 *
 * Since: 1.0
 */
typedef enum
{
  VVAS_DATA_MAP_NONE = 0,
  VVAS_DATA_MAP_READ = 1 << 0,
  VVAS_DATA_MAP_WRITE = 1 << 1,
} VvasDataMapFlags;

/**
 * VvasAllocationType:
 * @VVAS_ALLOC_TYPE_UNKNOWN: not a valid type
 * @VVAS_ALLOC_TYPE_CMA: device memory: an XRT buffer object on a memory bank,
 *   with a host-visible view
 * @VVAS_ALLOC_TYPE_NON_CMA: host heap memory (page aligned)
 *
 * Where a memory lives.
 *
 * Since: 1.0
 */
typedef enum
{
  VVAS_ALLOC_TYPE_UNKNOWN = 0,
  VVAS_ALLOC_TYPE_CMA = 1,
  VVAS_ALLOC_TYPE_NON_CMA = 2,
} VvasAllocationType;

/**
 * VvasAllocationFlags:
 * @VVAS_ALLOC_FLAG_UNKNOWN: not a valid flag
 * @VVAS_ALLOC_FLAG_NONE: memory on the device with a host view
 *
 * Allocation flags.
 *
 * Since: 1.0
 */
typedef enum
{
  VVAS_ALLOC_FLAG_UNKNOWN = -1,
  VVAS_ALLOC_FLAG_NONE = 0,
} VvasAllocationFlags;

/**
 * VvasAllocationInfo:
 * @mbank_idx: memory bank the memory was allocated on
 * @alloc_type: where the memory lives
 * @alloc_flags: flags it was allocated with
 * @map_flags: how it is mapped now: the union of the flags of the
 *   vvas_memory_map() calls since it was last fully unmapped, cleared when
 *   the last map ends (vvas_memory_unmap() cannot tell which map ends).
 *   Accesses through vvas_memory_begin_host_access(), which GStreamer's
 *   maps use, are not counted here.
 * @sync_flags: transfers pending between host and device
 *
 * Allocation parameters and live state of a memory.
 *
 * Since: 1.0
 */
typedef struct
{
  uint8_t mbank_idx;
  VvasAllocationType alloc_type;
  VvasAllocationFlags alloc_flags;
  VvasDataMapFlags map_flags;
  VvasDataSyncFlags sync_flags;
} VvasAllocationInfo;

/**
 * VvasMetadata:
 * @pts: presentation timestamp
 * @dts: decoding timestamp
 * @duration: duration
 *
 * Timing metadata carried by a memory. Units are the caller's (GStreamer
 * uses nanoseconds).
 *
 * Since: 1.0
 */
typedef struct
{
  uint64_t pts;
  uint64_t dts;
  uint64_t duration;
} VvasMetadata;

#ifdef __cplusplus
}
#endif

#endif /* __VVAS_COMMON_H__ */
