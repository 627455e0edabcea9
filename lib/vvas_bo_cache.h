/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * A context's cache of freed allocations (device BOs and host blocks),
 * keyed by kind, bank and size, bounded in bytes. It only keeps entries:
 * what an entry holds, and freeing it, is the caller's (vvas_memory.c).
 * Every function that lets entries go returns them as a list (linked by
 * lru_next) for the caller to free after the cache's lock is dropped, so
 * that no XRT call is made under it. Not installed.
 */

#ifndef __VVAS_BO_CACHE_H__
#define __VVAS_BO_CACHE_H__

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct VvasBoCacheBucket VvasBoCacheBucket;

/* What can be recycled for what: an exact match of all three. */
typedef struct
{
  uint8_t kind;                 /* a VvasAllocationType */
  uint8_t bank;                 /* 0 for host blocks */
  size_t size;                  /* bytes the entry holds */
} VvasBoCacheKey;

/* Embedded in what is cached; the cache owns it while the entry is in. */
typedef struct VvasBoCacheEntry
{
  struct VvasBoCacheEntry *lru_prev, *lru_next; /* all entries, oldest first */
  struct VvasBoCacheEntry *bucket_next; /* same key, newest first */
  struct VvasBoCacheEntry *bucket_prev;
  VvasBoCacheBucket *bucket;
  unsigned int generation;      /* the cache's, when it was allocated */
} VvasBoCacheEntry;

typedef struct
{
  pthread_mutex_t lock;
  VvasBoCacheBucket *buckets;   /* one per key seen, most recent first */
  unsigned int n_buckets;
  VvasBoCacheEntry *lru_head, *lru_tail;
  /* Bytes; 0: disabled (and empty). Read unlocked by the fast paths. */
  _Atomic size_t limit;
  size_t bytes_held;
  size_t entries_held;
  /* Bumped when entries must not come back (a new xclbin): see put. */
  unsigned int generation;
  uint64_t hits, misses, trimmed;       /* under the lock */
} VvasBoCache;

typedef struct
{
  uint64_t hits;
  uint64_t misses;
  uint64_t trimmed;
  uint64_t bytes_held;
  uint64_t entries_held;
  uint64_t limit;
} VvasBoCacheStats;

/* The default limit: VVAS_CORE_CACHE_BYTES, or 64 MiB. */
size_t vvas_bo_cache_default_limit (void);

int vvas_bo_cache_init (VvasBoCache * cache, size_t limit);
/* Frees the cache's own bookkeeping; it must be empty (drained). */
void vvas_bo_cache_clear (VvasBoCache * cache);

/*
 * Takes an entry for @key (a hit) or counts a miss and returns NULL (a
 * disabled cache counts neither). On a miss, *@generation is what the new
 * allocation is to be tagged with.
 */
VvasBoCacheEntry *vvas_bo_cache_take (VvasBoCache * cache,
    const VvasBoCacheKey * key, unsigned int *generation);

/*
 * Keeps @entry (allocated with @generation) under @key, evicting the
 * oldest entries to stay within the limit. Returns the entries to free:
 * evicted ones, or @entry itself when it is not kept (cache disabled, too
 * large, or of an older generation).
 */
VvasBoCacheEntry *vvas_bo_cache_put (VvasBoCache * cache,
    VvasBoCacheEntry * entry, const VvasBoCacheKey * key,
    unsigned int generation);

/*
 * Lets go of every entry of @kind on @bank (any bank with @bank -1; all
 * kinds and banks with @kind 0), counted as trimmed. With @new_generation, entries allocated
 * before this call are not taken back either. Returns them, to free.
 */
VvasBoCacheEntry *vvas_bo_cache_drain (VvasBoCache * cache, uint8_t kind,
    int bank, bool new_generation);

/* Whether any entry of @kind on @bank is held (see drain). */
bool vvas_bo_cache_holds (VvasBoCache * cache, uint8_t kind, int bank);

/* Sets the limit; returns the entries evicted to meet it, to free. */
VvasBoCacheEntry *vvas_bo_cache_set_limit (VvasBoCache * cache, size_t limit);

void vvas_bo_cache_get_stats (VvasBoCache * cache, VvasBoCacheStats * stats);

#endif /* __VVAS_BO_CACHE_H__ */
