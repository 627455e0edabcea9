/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Memories and the host/device coherence contract.
 *
 * The sync flags record which copy is newer: FROM_DEVICE (the device wrote:
 * refresh the host view before the host touches it) or TO_DEVICE (the host
 * wrote: update the device before a kernel reads it). At most one is set.
 *
 * They live in one atomic state word with the map flags, the map count and
 * a "transfer in progress" bit per direction, so that a map with nothing to
 * transfer is one compare-and-swap and takes no lock: GStreamer maps memory
 * from several threads, and a mutex pair per map cost more than the map.
 * Transfers are done under the memory's lock, which serialises them: a
 * transfer clears its pending bit and sets its in-progress bit in one step,
 * and whoever then sees the in-progress bit takes the lock, so it waits for
 * the bytes instead of using them half-moved. A writer that maps during a
 * transfer to the device sets TO_DEVICE again, so its bytes stay pending.
 * XRT never calls back into this library, so holding the lock across an XRT
 * call cannot invert a lock order.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vvas_core/vvas_memory_priv.h>

#include "vvas_internal.h"
#include "vvas_xrt.h"

typedef enum
{
  MEMORY_OWNS_HOST_ALLOCATION,  /* NON_CMA from vvas_memory_alloc() */
  MEMORY_WRAPS_USER_DATA,       /* vvas_memory_alloc_from_data() */
  MEMORY_OWNS_BO,               /* CMA: allocated or imported BO */
} MemoryOrigin;

struct _VvasMemory
{
  VvasContextPrivate *ctx;      /* holds a reference */
  MemoryOrigin origin;
  size_t size;
  uint8_t *host;                /* the host view */
  void *bo;                     /* xrtBufferHandle, CMA only */
  uint64_t paddr;               /* its device address, read once */
  VvasMemoryDataFreeCB free_cb;
  void *free_cb_data;

  pthread_mutex_t lock;         /* serialises transfers; guards metadata */
  _Atomic uint64_t state;       /* STATE_* below */
  VvasAllocationInfo info;      /* its map_flags and sync_flags: in state */
  VvasMetadata metadata;

  /*
   * Goes back to the context's cache when freed: allocated by
   * vvas_memory_alloc() and never exported (an importer of the DMA-buf
   * may still use the BO after the free).
   */
  bool recyclable;
  unsigned int cache_generation;
  VvasBoCacheKey cache_key;
  VvasBoCacheEntry cache_entry;
};

#define MEMORY_FROM_CACHE_ENTRY(e) \
  ((VvasMemory *) ((char *) (e) - offsetof (VvasMemory, cache_entry)))

/*
 * The state word: VvasDataSyncFlags in bits 0-1, a transfer in progress in
 * each direction in bits 2-3, VvasDataMapFlags of the current maps in bits
 * 4-5 (cleared when the last map goes), the number of maps in bits 32-63.
 */
#define STATE_SYNC_MASK ((uint64_t) (VVAS_DATA_SYNC_FROM_DEVICE | \
    VVAS_DATA_SYNC_TO_DEVICE))
#define STATE_TRANSFER_FROM_DEVICE ((uint64_t) 1 << 2)
#define STATE_TRANSFER_TO_DEVICE ((uint64_t) 1 << 3)
#define STATE_MAP_SHIFT 4
#define STATE_MAP_MASK ((uint64_t) (VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE) \
    << STATE_MAP_SHIFT)
#define STATE_MAPPED_WRITE ((uint64_t) VVAS_DATA_MAP_WRITE << STATE_MAP_SHIFT)
#define STATE_MAP_ONE ((uint64_t) 1 << 32)
#define STATE_MAP_COUNT(state) ((unsigned int) ((state) >> 32))

/* The in-progress bit of a transfer in @direction. */
static inline uint64_t
transfer_bit (VvasDataSyncFlags direction)
{
  return direction == VVAS_DATA_SYNC_TO_DEVICE ? STATE_TRANSFER_TO_DEVICE :
      STATE_TRANSFER_FROM_DEVICE;
}

static inline uint64_t
state_load (VvasMemory * mem)
{
  return atomic_load_explicit (&mem->state, memory_order_acquire);
}

/*
 * Makes @flag the pending transfer: the newest writer wins, so the other
 * direction is dropped. Returns the state before.
 */
static uint64_t
state_mark_newer (VvasMemory * mem, VvasDataSyncFlags flag)
{
  uint64_t state = state_load (mem);

  while ((state & STATE_SYNC_MASK) != flag &&
      !atomic_compare_exchange_weak (&mem->state, &state,
          (state & ~STATE_SYNC_MASK) | flag));
  return state;
}

static inline VvasLogLevel
memory_level (VvasMemory * mem)
{
  return mem->ctx->pub.log_level;
}

static VvasMemory *
memory_new (VvasContextPrivate * ctx, MemoryOrigin origin,
    VvasAllocationType type, uint8_t bank, size_t size)
{
  VvasMemory *mem = calloc (1, sizeof (*mem));

  if (!mem)
    return NULL;
  if (pthread_mutex_init (&mem->lock, NULL) != 0) {
    free (mem);
    return NULL;
  }
  mem->ctx = vvas_context_ref (ctx);
  mem->origin = origin;
  mem->size = size;
  mem->info.mbank_idx = bank;
  mem->info.alloc_type = type;
  mem->info.alloc_flags = VVAS_ALLOC_FLAG_NONE;
  atomic_init (&mem->state, 0); /* nothing pending, not mapped */
  return mem;
}

/*
 * Checks the context argument common to every allocation function; reports
 * in the name of @caller, the public function.
 */
static bool
context_usable (VvasContext * vvas_ctx, const char *caller)
{
  if (!vvas_ctx)
    return vvas_report_invalid_argument (__FILE__, caller, __LINE__, "%s",
        "vvas_ctx is NULL");
  if (atomic_load (&vvas_context_private (vvas_ctx)->destroyed))
    return vvas_report_invalid_argument (__FILE__, caller, __LINE__, "%s",
        "vvas_ctx was destroyed");
  return true;
}

/*
 * Refuses a bank @xclbin (the context's, loaded once by the caller: another
 * may replace it meanwhile) does not offer, naming the ones it does.
 */
static bool
bank_usable (const VvasContextXclbin * xclbin, uint8_t bank, const char *caller)
{
  char banks[256];

  if (!xclbin || vvas_xclbin_bank_is_usable (&xclbin->topology, bank))
    return true;
  vvas_xclbin_describe_usable_banks (&xclbin->topology, banks, sizeof (banks));
  return vvas_report_invalid_argument (__FILE__, caller, __LINE__,
      "memory bank %u is not a used bank of xclbin '%s'; valid banks: %s",
      bank, xclbin->path, banks);
}

/* Checks a device allocation against the context and its topology. */
static VvasReturnType
check_device_allocation (VvasContextPrivate * ctx, uint8_t bank, size_t size)
{
  const VvasContextXclbin *xclbin = vvas_context_xclbin (ctx);
  VvasLogLevel level = ctx->pub.log_level;

  if (!ctx->pub.dev_handle) {
    vvas_report_invalid_argument (__FILE__, "vvas_memory_alloc", __LINE__,
        "%s", "device (CMA) memory needs a device context; this one is "
        "host only (dev_idx -1)");
    return VVAS_RET_INVALID_ARGS;
  }
  if (!bank_usable (xclbin, bank, "vvas_memory_alloc"))
    return VVAS_RET_INVALID_ARGS;
  if (!xclbin)
    return VVAS_RET_SUCCESS;
  if (xclbin->topology.banks[bank].size_bytes != 0 &&
      size > xclbin->topology.banks[bank].size_bytes) {
    VVAS_LOG_ERROR (level, "cannot allocate %zu bytes on bank %u: the bank "
        "holds %llu bytes", size, bank,
        (unsigned long long) xclbin->topology.banks[bank].size_bytes);
    return VVAS_RET_ALLOC_ERROR;
  }
  return VVAS_RET_SUCCESS;
}

/* Wraps a BO this memory will own; frees the BO on failure. */
static VvasMemory *
memory_new_from_bo (VvasContextPrivate * ctx, void *bo, uint8_t bank,
    size_t size, VvasReturnType * ret)
{
  uint8_t *host = vvas_xrt_bo_map (bo);
  /* A kernel is handed this address: a memory without one is no use. */
  uint64_t paddr = host ? vvas_xrt_bo_address (bo) : (uint64_t) - 1;
  VvasMemory *mem = NULL;

  if (!host)
    VVAS_LOG_ERROR (ctx->pub.log_level, "XRT could not map the %zu-byte "
        "buffer on bank %u into the host", size, bank);
  else if (paddr == (uint64_t) - 1)
    VVAS_LOG_ERROR (ctx->pub.log_level, "XRT reports no device address for "
        "the %zu-byte buffer on bank %u", size, bank);
  else
    mem = memory_new (ctx, MEMORY_OWNS_BO, VVAS_ALLOC_TYPE_CMA, bank, size);
  if (!mem) {
    vvas_xrt_bo_free (bo);
    vvas_set_ret (ret, VVAS_RET_ALLOC_ERROR);
    return NULL;
  }
  mem->bo = bo;
  mem->host = host;
  mem->paddr = paddr;
  vvas_set_ret (ret, VVAS_RET_SUCCESS);
  return mem;
}

/*
 * A memory back from the cache, made fresh: nothing pending, not mapped,
 * no metadata. Its BO (or host block), host view and address are kept, and
 * so is its reference on the context (see vvas_memory_free).
 */
static VvasMemory *
memory_recycle (VvasBoCacheEntry * entry, uint8_t bank, size_t size)
{
  VvasMemory *mem = MEMORY_FROM_CACHE_ENTRY (entry);

  mem->size = size;
  mem->info.mbank_idx = bank;
  memset (&mem->metadata, 0, sizeof (mem->metadata));
  atomic_store_explicit (&mem->state, 0, memory_order_relaxed);
  return mem;
}

/* Marks a new memory as one the cache may take back under @key. */
static void
memory_set_recyclable (VvasMemory * mem, const VvasBoCacheKey * key,
    unsigned int generation)
{
  mem->recyclable = true;
  mem->cache_key = *key;
  mem->cache_generation = generation;
}

/* Whole pages: read once, sysconf is a call. */
static size_t
page_size (void)
{
  static _Atomic size_t page;
  size_t p = atomic_load_explicit (&page, memory_order_relaxed);

  if (!p) {
    p = (size_t) sysconf (_SC_PAGESIZE);
    atomic_store_explicit (&page, p, memory_order_relaxed);
  }
  return p;
}

static VvasMemory *
alloc_host (VvasContextPrivate * ctx, size_t size, VvasReturnType * ret)
{
  VvasBoCacheKey key = { VVAS_ALLOC_TYPE_NON_CMA, 0, size };
  VvasBoCacheEntry *entry;
  unsigned int generation;
  VvasMemory *mem;
  void *host = NULL;

  entry = vvas_bo_cache_take (&ctx->cache, &key, &generation);
  if (entry) {
    vvas_set_ret (ret, VVAS_RET_SUCCESS);
    return memory_recycle (entry, 0, size);
  }
  /* No allocator can serve more than PTRDIFF_MAX: refuse it up front. */
  if (size > PTRDIFF_MAX || posix_memalign (&host, page_size (), size) != 0) {
    VVAS_LOG_ERROR (ctx->pub.log_level, "cannot allocate %zu bytes of "
        "host memory", size);
    vvas_set_ret (ret, VVAS_RET_ALLOC_ERROR);
    return NULL;
  }
  /* Host memory is on no bank: the bank argument is ignored. */
  mem = memory_new (ctx, MEMORY_OWNS_HOST_ALLOCATION,
      VVAS_ALLOC_TYPE_NON_CMA, 0, size);
  if (!mem) {
    free (host);
    vvas_set_ret (ret, VVAS_RET_ALLOC_ERROR);
    return NULL;
  }
  mem->host = host;
  memory_set_recyclable (mem, &key, generation);
  vvas_set_ret (ret, VVAS_RET_SUCCESS);
  return mem;
}

/*
 * Asks XRT for a BO. When the bank is full and the cache holds BOs of it,
 * those go and XRT is asked again: the cache never makes an allocation
 * fail.
 */
static void *
alloc_bo (VvasContextPrivate * ctx, size_t bo_size, uint8_t bank)
{
  VvasLogLevel level = ctx->pub.log_level;
  bool cached = vvas_bo_cache_holds (&ctx->cache, VVAS_ALLOC_TYPE_CMA, bank);
  VvasBoCacheEntry *trimmed;
  void *bo;

  bo = vvas_xrt_bo_alloc (ctx->pub.dev_handle, bo_size, bank, cached, level);
  if (bo || !cached)
    return bo;
  trimmed = vvas_bo_cache_drain (&ctx->cache, VVAS_ALLOC_TYPE_CMA, bank, false);
  if (!trimmed) {
    /* Another thread took them meanwhile: nothing to make room with. */
    VVAS_LOG_ERROR (level, "XRT could not allocate %zu bytes on bank %u",
        bo_size, bank);
    return NULL;
  }
  VVAS_LOG_DEBUG (level, "bank %u full: released the cached buffers of it "
      "and retrying", bank);
  vvas_memory_free_cached (trimmed);
  return vvas_xrt_bo_alloc (ctx->pub.dev_handle, bo_size, bank, false, level);
}

static VvasMemory *
alloc_device (VvasContextPrivate * ctx, uint8_t bank, size_t size,
    VvasReturnType * ret)
{
  VvasLogLevel level = ctx->pub.log_level;
  VvasBoCacheKey key = { VVAS_ALLOC_TYPE_CMA, bank, 0 };
  VvasBoCacheEntry *entry;
  unsigned int generation;
  VvasReturnType res;
  VvasMemory *mem;
  size_t page;
  void *bo;

  res = check_device_allocation (ctx, bank, size);
  if (res != VVAS_RET_SUCCESS) {
    vvas_set_ret (ret, res);
    return NULL;
  }
  /*
   * Whole pages: XRT allocates the host view with aligned_alloc, which
   * wants a multiple of the alignment. Syncs still cover @size only.
   */
  page = page_size ();
  if (size > SIZE_MAX - page) {
    VVAS_LOG_ERROR (level, "cannot allocate %zu bytes: too large", size);
    vvas_set_ret (ret, VVAS_RET_ALLOC_ERROR);
    return NULL;
  }
  key.size = (size + page - 1) / page * page;

  entry = vvas_bo_cache_take (&ctx->cache, &key, &generation);
  if (entry) {
    vvas_set_ret (ret, VVAS_RET_SUCCESS);
    return memory_recycle (entry, bank, size);
  }
  bo = alloc_bo (ctx, key.size, bank);
  if (!bo) {
    vvas_set_ret (ret, VVAS_RET_ALLOC_ERROR);
    return NULL;
  }
  mem = memory_new_from_bo (ctx, bo, bank, size, ret);
  if (mem)
    memory_set_recyclable (mem, &key, generation);
  return mem;
}

VvasMemory *
vvas_memory_alloc (VvasContext * vvas_ctx, VvasAllocationType mem_type,
    VvasAllocationFlags mem_flags, uint8_t mbank_idx, size_t size,
    VvasReturnType * ret)
{
  if (!context_usable (vvas_ctx, __func__) ||
      !VVAS_ARG_OK (mem_type == VVAS_ALLOC_TYPE_CMA
          || mem_type == VVAS_ALLOC_TYPE_NON_CMA, "mem_type must be "
          "VVAS_ALLOC_TYPE_CMA or VVAS_ALLOC_TYPE_NON_CMA") ||
      !VVAS_ARG_OK (mem_flags == VVAS_ALLOC_FLAG_NONE, "mem_flags must be "
          "VVAS_ALLOC_FLAG_NONE") || !VVAS_ARG_OK (size > 0, "size is 0")) {
    vvas_set_ret (ret, VVAS_RET_INVALID_ARGS);
    return NULL;
  }

  if (mem_type == VVAS_ALLOC_TYPE_NON_CMA)
    return alloc_host (vvas_context_private (vvas_ctx), size, ret);
  return alloc_device (vvas_context_private (vvas_ctx), mbank_idx, size, ret);
}

VvasMemory *
vvas_memory_alloc_from_data (VvasContext * vvas_ctx, uint8_t * data,
    size_t size, VvasMemoryDataFreeCB free_cb, void *user_data,
    VvasReturnType * ret)
{
  VvasMemory *mem;

  if (!context_usable (vvas_ctx, __func__) ||
      !VVAS_ARG_OK (data != NULL, "data is NULL") ||
      !VVAS_ARG_OK (size > 0, "size is 0")) {
    vvas_set_ret (ret, VVAS_RET_INVALID_ARGS);
    return NULL;
  }

  mem = memory_new (vvas_context_private (vvas_ctx), MEMORY_WRAPS_USER_DATA,
      VVAS_ALLOC_TYPE_NON_CMA, 0, size);
  if (!mem) {
    vvas_set_ret (ret, VVAS_RET_ALLOC_ERROR);
    return NULL;
  }
  mem->host = data;
  mem->free_cb = free_cb;
  mem->free_cb_data = user_data;
  vvas_set_ret (ret, VVAS_RET_SUCCESS);
  return mem;
}

VvasMemory *
vvas_memory_alloc_from_dmabuf (VvasContext * vvas_ctx, int dmabuf_fd,
    uint8_t mbank_idx, VvasReturnType * ret)
{
  VvasContextPrivate *ctx = vvas_context_private (vvas_ctx);
  VvasMemory *mem;
  size_t size;
  void *bo;

  if (!context_usable (vvas_ctx, __func__) ||
      !VVAS_ARG_OK (vvas_ctx->dev_handle != NULL, "importing a DMA-buf "
          "needs a device context; this one is host only") ||
      !VVAS_ARG_OK (dmabuf_fd >= 0, "dmabuf_fd is negative")) {
    vvas_set_ret (ret, VVAS_RET_INVALID_ARGS);
    return NULL;
  }

  if (!bank_usable (vvas_context_xclbin (ctx), mbank_idx, __func__)) {
    vvas_set_ret (ret, VVAS_RET_INVALID_ARGS);
    return NULL;
  }

  bo = vvas_xrt_bo_import (vvas_ctx->dev_handle, dmabuf_fd,
      vvas_ctx->log_level);
  if (!bo) {
    vvas_set_ret (ret, VVAS_RET_ERROR);
    return NULL;
  }
  size = vvas_xrt_bo_size (bo);
  if (size == 0) {
    VVAS_LOG_ERROR (vvas_ctx->log_level, "XRT reports an empty buffer for "
        "DMA-buf fd %d", dmabuf_fd);
    vvas_xrt_bo_free (bo);
    vvas_set_ret (ret, VVAS_RET_ERROR);
    return NULL;
  }
  mem = memory_new_from_bo (ctx, bo, mbank_idx, size, ret);
  /* The exporter may have written it: the first host access fetches it. */
  if (mem)
    atomic_store (&mem->state, VVAS_DATA_SYNC_FROM_DEVICE);
  return mem;
}

/* Releases what @mem holds, then @mem itself; its context is not touched. */
static void
memory_destroy (VvasMemory * mem)
{
  switch (mem->origin) {
    case MEMORY_OWNS_HOST_ALLOCATION:
      free (mem->host);
      break;
    case MEMORY_WRAPS_USER_DATA:
      if (mem->free_cb)
        mem->free_cb (mem->host, mem->free_cb_data);
      break;
    case MEMORY_OWNS_BO:
      vvas_xrt_bo_free (mem->bo);
      break;
  }
  pthread_mutex_destroy (&mem->lock);
  free (mem);
}

void
vvas_memory_free_cached (VvasBoCacheEntry * list)
{
  VvasBoCacheEntry *next;
  VvasContextPrivate *ctx;
  VvasMemory *mem;

  for (; list; list = next) {
    next = list->lru_next;
    mem = MEMORY_FROM_CACHE_ENTRY (list);
    ctx = mem->ctx;
    memory_destroy (mem);
    vvas_context_unref (ctx);
  }
}

void
vvas_memory_free (VvasMemory * vvas_mem)
{
  VvasContextPrivate *ctx;
  unsigned int map_count;

  if (!vvas_mem)
    return;

  ctx = vvas_mem->ctx;
  map_count = STATE_MAP_COUNT (state_load (vvas_mem));
  if (map_count > 0)
    VVAS_LOG_WARNING (memory_level (vvas_mem), "memory %p freed while still "
        "mapped %u time(s)", (void *) vvas_mem, map_count);

  /*
   * A cached memory keeps its reference on the context (two atomic
   * operations less per cycle): the cache is emptied before the creator's
   * reference goes. The cache hands back what it does not keep, and what
   * it evicted, each with its reference.
   */
  if (vvas_mem->recyclable) {
    vvas_memory_free_cached (vvas_bo_cache_put (&ctx->cache,
            &vvas_mem->cache_entry, &vvas_mem->cache_key,
            vvas_mem->cache_generation));
    return;
  }
  memory_destroy (vvas_mem);
  vvas_context_unref (ctx);
}

/*
 * Does the transfer in @direction if it is pending; lock held. A transfer to
 * the device while a host writer still holds a map stays pending: the
 * writer's later bytes must reach the device too. A failed transfer stays
 * pending, unless a newer write in the other direction replaced it.
 */
static VvasReturnType
sync_if_pending_locked (VvasMemory * mem, VvasDataSyncFlags direction)
{
  const uint64_t busy = transfer_bit (direction);
  uint64_t state = state_load (mem), next;
  bool writer_mapped;
  int failed;

  do {
    if (!(state & direction))
      return VVAS_RET_SUCCESS;
    writer_mapped = direction == VVAS_DATA_SYNC_TO_DEVICE
        && (state & STATE_MAPPED_WRITE);
    next = (writer_mapped ? state : state & ~(uint64_t) direction) | busy;
  } while (!atomic_compare_exchange_weak (&mem->state, &state, next));

  failed = vvas_xrt_bo_sync (mem->bo, direction, mem->size,
      &mem->ctx->counters, memory_level (mem));

  state = state_load (mem);
  do {
    next = state & ~busy;
    if (failed && !(state & STATE_SYNC_MASK))
      next |= direction;
  } while (!atomic_compare_exchange_weak (&mem->state, &state, next));

  if (failed)
    return VVAS_RET_ERROR;
  if (writer_mapped)
    VVAS_LOG_WARNING (memory_level (mem), "memory %p synced to the device "
        "while mapped for writing: it stays pending", (void *) mem);
  return VVAS_RET_SUCCESS;
}

/*
 * Does the transfer in @direction if it is pending, or waits for one in
 * progress, under the lock. One atomic load when there is nothing to do.
 */
static VvasReturnType
sync_if_due (VvasMemory * mem, VvasDataSyncFlags direction)
{
  VvasReturnType res;

  if (!(state_load (mem) & (direction | transfer_bit (direction))))
    return VVAS_RET_SUCCESS;
  pthread_mutex_lock (&mem->lock);
  res = sync_if_pending_locked (mem, direction);
  pthread_mutex_unlock (&mem->lock);
  return res;
}

/* The flags argument of maps and accesses: READ, WRITE or both. */
#define MAP_FLAGS_OK(flags) VVAS_ARG_OK ((flags) != 0 && \
    ((unsigned int) (flags) & ~(unsigned int) (VVAS_DATA_MAP_READ | \
            VVAS_DATA_MAP_WRITE)) == 0, \
    "flags must be VVAS_DATA_MAP_READ, VVAS_DATA_MAP_WRITE or both")

/*
 * Counts a map with @flags, after making the host view current. With
 * @overwrite (a WRITE map whose holder replaces every byte) the device's
 * newer bytes are dropped instead of fetched; a transfer of them already
 * in progress is still waited for, or it would land over the new bytes.
 */
static VvasReturnType
map_counted (VvasMemory * mem, VvasDataMapFlags flags, bool overwrite,
    VvasMemoryMapInfo * info)
{
  const uint64_t wait = overwrite ? STATE_TRANSFER_FROM_DEVICE :
      VVAS_DATA_SYNC_FROM_DEVICE | STATE_TRANSFER_FROM_DEVICE;
  uint64_t state, next;
  VvasReturnType res;
  bool write;

  /* Even a write-only map refreshes first: it may write part of it only. */
  write = (flags & VVAS_DATA_MAP_WRITE) && mem->bo;
  state = state_load (mem);
  do {
    while (state & wait) {
      if (overwrite) {
        /* Transfers run under the lock: taking it waits for this one. */
        pthread_mutex_lock (&mem->lock);
        pthread_mutex_unlock (&mem->lock);
      } else {
        res = sync_if_due (mem, VVAS_DATA_SYNC_FROM_DEVICE);
        if (res != VVAS_RET_SUCCESS)
          return res;
      }
      state = state_load (mem);
    }
    next = state + STATE_MAP_ONE;
    next |= (uint64_t) flags << STATE_MAP_SHIFT;
    if (write)
      next = (next & ~STATE_SYNC_MASK) | VVAS_DATA_SYNC_TO_DEVICE;
  } while (!atomic_compare_exchange_weak (&mem->state, &state, next));

  info->data = mem->host;
  info->size = mem->size;
  return VVAS_RET_SUCCESS;
}

VvasReturnType
vvas_memory_map (VvasMemory * vvas_mem, VvasDataMapFlags flags,
    VvasMemoryMapInfo * info)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (info != NULL, "info is NULL") || !MAP_FLAGS_OK (flags))
    return VVAS_RET_INVALID_ARGS;

  return map_counted (vvas_mem, flags, false, info);
}

VvasReturnType
vvas_memory_unmap (VvasMemory * vvas_mem, VvasMemoryMapInfo * info)
{
  VvasReturnType res = VVAS_RET_SUCCESS;
  uint64_t state, next;

  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (info != NULL, "info is NULL") ||
      !VVAS_ARG_OK (info->data == vvas_mem->host && info->size ==
          vvas_mem->size, "info does not come from mapping this memory"))
    return VVAS_RET_INVALID_ARGS;

  state = state_load (vvas_mem);
  do {
    if (STATE_MAP_COUNT (state) == 0) {
      res = VVAS_RET_INVALID_ARGS;
      break;
    }
    next = state - STATE_MAP_ONE;
    if (STATE_MAP_COUNT (next) == 0)
      next &= ~STATE_MAP_MASK;
  } while (!atomic_compare_exchange_weak (&vvas_mem->state, &state, next));

  if (res != VVAS_RET_SUCCESS)
    VVAS_REPORT_INVALID_ARGUMENT
        ("memory is not mapped (unmap without a matching map)");
  return res;
}

void
vvas_memory_set_metadata (VvasMemory * vvas_mem, VvasMetadata * meta_data)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (meta_data != NULL, "meta_data is NULL"))
    return;

  pthread_mutex_lock (&vvas_mem->lock);
  vvas_mem->metadata = *meta_data;
  pthread_mutex_unlock (&vvas_mem->lock);
}

void
vvas_memory_get_metadata (VvasMemory * vvas_mem, VvasMetadata * meta_data)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (meta_data != NULL, "meta_data is NULL"))
    return;

  pthread_mutex_lock (&vvas_mem->lock);
  *meta_data = vvas_mem->metadata;
  pthread_mutex_unlock (&vvas_mem->lock);
}

size_t
vvas_memory_get_size (VvasMemory * vvas_mem)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL"))
    return 0;
  return vvas_mem->size;
}

VvasReturnType
vvas_memory_get_allocation_info (VvasMemory * vvas_mem,
    VvasAllocationInfo * info)
{
  uint64_t state;

  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (info != NULL, "info is NULL"))
    return VVAS_RET_INVALID_ARGS;

  state = state_load (vvas_mem);
  *info = vvas_mem->info;
  info->sync_flags = (VvasDataSyncFlags) (state & STATE_SYNC_MASK);
  info->map_flags = (VvasDataMapFlags) ((state & STATE_MAP_MASK) >>
      STATE_MAP_SHIFT);
  return VVAS_RET_SUCCESS;
}

VvasContext *
vvas_memory_get_context (VvasMemory * vvas_mem)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL"))
    return NULL;
  return &vvas_mem->ctx->pub;
}

int
vvas_memory_export_dmabuf (VvasMemory * vvas_mem, VvasReturnType * ret)
{
  int bo_fd, fd;

  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (vvas_mem->bo != NULL, "only device (CMA) memory can be "
          "exported as a DMA-buf")) {
    vvas_set_ret (ret, VVAS_RET_INVALID_ARGS);
    return -1;
  }
  bo_fd = vvas_xrt_bo_export (vvas_mem->bo, memory_level (vvas_mem));
  if (bo_fd < 0) {
    vvas_set_ret (ret, VVAS_RET_ERROR);
    return -1;
  }
  /* An importer may use the BO after the free: it must not be recycled. */
  vvas_mem->recyclable = false;
  /* An importer reads the device copy: the host's newer bytes go first. */
  if (sync_if_due (vvas_mem, VVAS_DATA_SYNC_TO_DEVICE) != VVAS_RET_SUCCESS) {
    vvas_set_ret (ret, VVAS_RET_ERROR);
    return -1;
  }
  /*
   * XRT's fd belongs to the BO: the same one on every export, closed when
   * the BO is freed. The caller gets one of its own to keep or close.
   */
  fd = fcntl (bo_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    VVAS_LOG_ERROR (memory_level (vvas_mem), "cannot duplicate the DMA-buf "
        "fd of memory %p: %s", (void *) vvas_mem, strerror (errno));
    vvas_set_ret (ret, VVAS_RET_ERROR);
    return -1;
  }
  vvas_set_ret (ret, VVAS_RET_SUCCESS);
  return fd;
}

/*
 * Host-side copy through maps: the coherence contract does the syncs. A
 * copy over all of dst fetches none of dst's bytes from the device first.
 */
static VvasReturnType
copy_on_host (VvasMemory * dst, size_t dst_offset, VvasMemory * src,
    size_t src_offset, size_t size)
{
  VvasMemoryMapInfo src_map, dst_map;
  VvasReturnType res;

  res = vvas_memory_map (src, VVAS_DATA_MAP_READ, &src_map);
  if (res != VVAS_RET_SUCCESS)
    return res;
  res = map_counted (dst, VVAS_DATA_MAP_WRITE, dst_offset == 0
      && size == dst->size, &dst_map);
  if (res == VVAS_RET_SUCCESS) {
    memcpy (dst_map.data + dst_offset, src_map.data + src_offset, size);
    vvas_memory_unmap (dst, &dst_map);
  }
  vvas_memory_unmap (src, &src_map);
  return res;
}

/*
 * Starts a copy on the device into @dst, lock held, unless the host has
 * @dst mapped: its device copy is about to become the newer one, which
 * would lose what a mapper writes (nothing tells the copy when it is done).
 * The claim is the in-progress bit of a transfer from the device, so a map
 * that begins meanwhile waits for the lock and then fetches the result.
 */
static bool
claim_for_device_copy (VvasMemory * dst)
{
  uint64_t state = state_load (dst);

  do {
    if (STATE_MAP_COUNT (state) > 0)
      return false;
  } while (!atomic_compare_exchange_weak (&dst->state, &state,
          state | STATE_TRANSFER_FROM_DEVICE));
  return true;
}

/* Ends a claim; after a copy that worked, the device copy is the newer. */
static void
release_after_device_copy (VvasMemory * dst, bool copied)
{
  uint64_t state = state_load (dst), next;

  do {
    next = state & ~STATE_TRANSFER_FROM_DEVICE;
    if (copied)
      next = (next & ~STATE_SYNC_MASK) | VVAS_DATA_SYNC_FROM_DEVICE;
  } while (!atomic_compare_exchange_weak (&dst->state, &state, next));
}

VvasReturnType
vvas_memory_copy (VvasMemory * dst, size_t dst_offset, VvasMemory * src,
    size_t src_offset, size_t size)
{
  VvasMemory *first, *second;
  bool on_device;
  VvasReturnType res = VVAS_RET_SUCCESS;

  if (!VVAS_ARG_OK (dst != NULL, "dst is NULL") ||
      !VVAS_ARG_OK (src != NULL, "src is NULL") ||
      !VVAS_ARG_OK (dst != src, "dst and src are the same memory") ||
      !VVAS_ARG_OK (size > 0, "size is 0") ||
      !VVAS_ARG_OK (src_offset <= src->size && size <= src->size -
          src_offset, "source range runs past the end of src") ||
      !VVAS_ARG_OK (dst_offset <= dst->size && size <= dst->size -
          dst_offset, "destination range runs past the end of dst"))
    return VVAS_RET_INVALID_ARGS;

  if (!src->bo || !dst->bo ||
      src->ctx->pub.dev_handle != dst->ctx->pub.dev_handle)
    return copy_on_host (dst, dst_offset, src, src_offset, size);

  /* Both locks, in address order, so src cannot turn stale mid-copy. */
  first = src < dst ? src : dst;
  second = src < dst ? dst : src;
  pthread_mutex_lock (&first->lock);
  pthread_mutex_lock (&second->lock);
  on_device = !(state_load (src) & VVAS_DATA_SYNC_TO_DEVICE) &&
      claim_for_device_copy (dst);
  if (on_device) {
    /*
     * The device copy of dst must hold the host's bytes outside the copied
     * range before it becomes the newer copy; a copy over all of dst makes
     * them irrelevant.
     */
    if (dst_offset != 0 || size != dst->size)
      res = sync_if_pending_locked (dst, VVAS_DATA_SYNC_TO_DEVICE);
    if (res == VVAS_RET_SUCCESS && vvas_xrt_bo_copy (dst->bo, dst_offset,
            src->bo, src_offset, size, &dst->ctx->counters,
            memory_level (dst)) != 0)
      res = VVAS_RET_ERROR;
    release_after_device_copy (dst, res == VVAS_RET_SUCCESS);
  }
  pthread_mutex_unlock (&second->lock);
  pthread_mutex_unlock (&first->lock);

  if (!on_device)
    return copy_on_host (dst, dst_offset, src, src_offset, size);
  return res;
}

void
vvas_memory_sync_data (VvasMemory * vvas_mem, VvasDataSyncFlags flag)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (flag == VVAS_DATA_SYNC_TO_DEVICE
          || flag == VVAS_DATA_SYNC_FROM_DEVICE, "flag must be "
          "VVAS_DATA_SYNC_TO_DEVICE or VVAS_DATA_SYNC_FROM_DEVICE"))
    return;

  sync_if_due (vvas_mem, flag);
}

void
vvas_memory_set_sync_flag (VvasMemory * vvas_mem, VvasDataSyncFlags flag)
{
  VvasDataSyncFlags other;

  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (flag == VVAS_DATA_SYNC_TO_DEVICE
          || flag == VVAS_DATA_SYNC_FROM_DEVICE, "flag must be "
          "VVAS_DATA_SYNC_TO_DEVICE or VVAS_DATA_SYNC_FROM_DEVICE"))
    return;
  if (!vvas_mem->bo)
    return;                     /* host memory has no device copy */

  other = flag == VVAS_DATA_SYNC_TO_DEVICE ? VVAS_DATA_SYNC_FROM_DEVICE :
      VVAS_DATA_SYNC_TO_DEVICE;
  if (state_mark_newer (vvas_mem, flag) & other)
    VVAS_LOG_WARNING (memory_level (vvas_mem), "memory %p: marking the %s "
        "copy newer discards a pending transfer %s the device",
        (void *) vvas_mem, flag == VVAS_DATA_SYNC_TO_DEVICE ? "host" :
        "device", flag == VVAS_DATA_SYNC_TO_DEVICE ? "from" : "to");
}

void
vvas_memory_unset_sync_flag (VvasMemory * vvas_mem, VvasDataSyncFlags flag)
{
  const unsigned int valid = VVAS_DATA_SYNC_TO_DEVICE |
      VVAS_DATA_SYNC_FROM_DEVICE;

  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (((unsigned int) flag & ~valid) == 0, "flag has bits "
          "that are not VvasDataSyncFlags"))
    return;

  atomic_fetch_and (&vvas_mem->state, ~(uint64_t) flag);
}

uint64_t
vvas_memory_get_paddr (VvasMemory * vvas_mem)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (vvas_mem->bo != NULL, "host memory has no device "
          "address"))
    return (uint64_t) - 1;
  return vvas_mem->paddr;
}

void *
vvas_memory_get_bo (VvasMemory * vvas_mem)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL"))
    return NULL;
  return vvas_mem->bo;
}

int32_t
vvas_memory_get_device_index (VvasMemory * vvas_mem)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL"))
    return -1;
  return vvas_mem->ctx->pub.dev_idx;
}

int32_t
vvas_memory_get_bank_index (VvasMemory * vvas_mem)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL"))
    return -1;
  return vvas_mem->bo ? (int32_t) vvas_mem->info.mbank_idx : -1;
}

uint8_t *
vvas_memory_get_host_address (VvasMemory * vvas_mem)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL"))
    return NULL;
  return vvas_mem->host;
}

VvasReturnType
vvas_memory_begin_host_access (VvasMemory * vvas_mem, VvasDataMapFlags flags)
{
  VvasReturnType res;

  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !MAP_FLAGS_OK (flags))
    return VVAS_RET_INVALID_ARGS;

  res = sync_if_due (vvas_mem, VVAS_DATA_SYNC_FROM_DEVICE);
  if (res == VVAS_RET_SUCCESS && (flags & VVAS_DATA_MAP_WRITE)
      && vvas_mem->bo)
    state_mark_newer (vvas_mem, VVAS_DATA_SYNC_TO_DEVICE);
  return res;
}

void
vvas_memory_end_host_access (VvasMemory * vvas_mem, VvasDataMapFlags flags)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !MAP_FLAGS_OK (flags))
    return;
  /* A transfer to the device may have run while the host was writing. */
  if ((flags & VVAS_DATA_MAP_WRITE) && vvas_mem->bo)
    state_mark_newer (vvas_mem, VVAS_DATA_SYNC_TO_DEVICE);
}

/*
 * A vvas_memory_map() writer that may still hold its map does not stop a
 * kernel: it gets the bytes as they are, and TO_DEVICE stays pending for
 * the ones still to come (as vvas_memory_sync_data() does).
 */
VvasReturnType
vvas_memory_begin_device_access (VvasMemory * vvas_mem, VvasDataMapFlags flags)
{
  VvasReturnType res;

  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (vvas_mem->bo != NULL, "host memory has no device copy") ||
      !MAP_FLAGS_OK (flags))
    return VVAS_RET_INVALID_ARGS;

  res = sync_if_due (vvas_mem, VVAS_DATA_SYNC_TO_DEVICE);
  if (res == VVAS_RET_SUCCESS && (flags & VVAS_DATA_MAP_WRITE))
    state_mark_newer (vvas_mem, VVAS_DATA_SYNC_FROM_DEVICE);
  return res;
}

void
vvas_memory_end_device_access (VvasMemory * vvas_mem, VvasDataMapFlags flags)
{
  if (!VVAS_ARG_OK (vvas_mem != NULL, "vvas_mem is NULL") ||
      !VVAS_ARG_OK (vvas_mem->bo != NULL, "host memory has no device copy") ||
      !MAP_FLAGS_OK (flags))
    return;
  /* A host reader may have refreshed while the device was writing. */
  if (flags & VVAS_DATA_MAP_WRITE)
    state_mark_newer (vvas_mem, VVAS_DATA_SYNC_FROM_DEVICE);
}
