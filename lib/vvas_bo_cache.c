/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The recycling cache of a context. A freed allocation goes to the bucket
 * of its key (kind, bank, size) and to the tail of one list of all
 * entries; an allocation takes the newest entry of its bucket (its pages
 * are the likeliest to be warm), and eviction drops the oldest of all.
 * Every operation is O(1) but the bucket lookup, a short scan: a process
 * uses few distinct frame sizes.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vvas_bo_cache.h"

struct VvasBoCacheBucket
{
  VvasBoCacheBucket *next;
  VvasBoCacheKey key;
  VvasBoCacheEntry *head;       /* newest first */
};

/* Empty buckets kept beyond this many are freed when a new one is made. */
#define MAX_BUCKETS 32

#define DEFAULT_LIMIT ((size_t) 64 << 20)

size_t
vvas_bo_cache_default_limit (void)
{
  const char *env = getenv ("VVAS_CORE_CACHE_BYTES");
  unsigned long long value;
  char *end;

  if (!env || !*env)
    return DEFAULT_LIMIT;
  errno = 0;
  value = strtoull (env, &end, 10);
  if (errno || end == env)
    return DEFAULT_LIMIT;
  /* A suffix scales it, as sizes are usually written: 64M, 1G. */
  switch (*end) {
    case 'k':
    case 'K':
      value <<= 10;
      end++;
      break;
    case 'm':
    case 'M':
      value <<= 20;
      end++;
      break;
    case 'g':
    case 'G':
      value <<= 30;
      end++;
      break;
    default:
      break;
  }
  if (*end || value > SIZE_MAX)
    return DEFAULT_LIMIT;
  return (size_t) value;
}

int
vvas_bo_cache_init (VvasBoCache * cache, size_t limit)
{
  memset (cache, 0, sizeof (*cache));
  atomic_init (&cache->limit, limit);
  return pthread_mutex_init (&cache->lock, NULL) == 0 ? 0 : -1;
}

void
vvas_bo_cache_clear (VvasBoCache * cache)
{
  VvasBoCacheBucket *b, *next;

  for (b = cache->buckets; b; b = next) {
    next = b->next;
    free (b);
  }
  cache->buckets = NULL;
  pthread_mutex_destroy (&cache->lock);
}

static bool
key_equal (const VvasBoCacheKey * a, const VvasBoCacheKey * b)
{
  return a->size == b->size && a->kind == b->kind && a->bank == b->bank;
}

static VvasBoCacheBucket *
bucket_find (VvasBoCache * cache, const VvasBoCacheKey * key)
{
  VvasBoCacheBucket *b;

  for (b = cache->buckets; b; b = b->next)
    if (key_equal (&b->key, key))
      return b;
  return NULL;
}

/* Frees empty buckets, so that many one-off sizes do not pile up. */
static void
buckets_prune (VvasBoCache * cache)
{
  VvasBoCacheBucket **link = &cache->buckets, *b;

  while ((b = *link)) {
    if (!b->head) {
      *link = b->next;
      free (b);
      cache->n_buckets--;
    } else {
      link = &b->next;
    }
  }
}

/* Takes @e out of both lists; lock held. */
static void
entry_unlink (VvasBoCache * cache, VvasBoCacheEntry * e)
{
  if (e->lru_prev)
    e->lru_prev->lru_next = e->lru_next;
  else
    cache->lru_head = e->lru_next;
  if (e->lru_next)
    e->lru_next->lru_prev = e->lru_prev;
  else
    cache->lru_tail = e->lru_prev;

  if (e->bucket_prev)
    e->bucket_prev->bucket_next = e->bucket_next;
  else
    e->bucket->head = e->bucket_next;
  if (e->bucket_next)
    e->bucket_next->bucket_prev = e->bucket_prev;

  cache->bytes_held -= e->bucket->key.size;
  cache->entries_held--;
  e->lru_prev = e->lru_next = e->bucket_prev = e->bucket_next = NULL;
}

/* Pushes @e on the front of the list @out (to be freed by the caller). */
static void
out_push (VvasBoCacheEntry ** out, VvasBoCacheEntry * e)
{
  e->lru_next = *out;
  *out = e;
}

VvasBoCacheEntry *
vvas_bo_cache_take (VvasBoCache * cache, const VvasBoCacheKey * key,
    unsigned int *generation)
{
  VvasBoCacheBucket *b;
  VvasBoCacheEntry *e = NULL;

  /* Disabled: no lock, nothing counted, so that turning it off costs
   * what the allocation cost without a cache. */
  if (atomic_load_explicit (&cache->limit, memory_order_relaxed) == 0) {
    *generation = 0;            /* never kept anyway */
    return NULL;
  }
  pthread_mutex_lock (&cache->lock);
  b = cache->entries_held ? bucket_find (cache, key) : NULL;
  if (b && b->head) {
    e = b->head;
    entry_unlink (cache, e);
    cache->hits++;
  } else {
    cache->misses++;
  }
  *generation = cache->generation;
  pthread_mutex_unlock (&cache->lock);
  return e;
}

/* Evicts the oldest entries until @extra more bytes fit; lock held. */
static void
evict_for (VvasBoCache * cache, size_t extra, VvasBoCacheEntry ** out)
{
  VvasBoCacheEntry *e;

  while (cache->lru_head && cache->bytes_held + extra > cache->limit) {
    e = cache->lru_head;
    entry_unlink (cache, e);
    cache->trimmed++;
    out_push (out, e);
  }
}

VvasBoCacheEntry *
vvas_bo_cache_put (VvasBoCache * cache, VvasBoCacheEntry * entry,
    const VvasBoCacheKey * key, unsigned int generation)
{
  VvasBoCacheEntry *out = NULL;
  VvasBoCacheBucket *b;

  if (key->size > atomic_load_explicit (&cache->limit, memory_order_relaxed)) {
    entry->lru_next = NULL;
    return entry;
  }
  pthread_mutex_lock (&cache->lock);
  if (key->size > cache->limit || generation != cache->generation)
    goto refuse;
  b = bucket_find (cache, key);
  if (!b) {
    if (cache->n_buckets >= MAX_BUCKETS)
      buckets_prune (cache);
    b = calloc (1, sizeof (*b));
    if (!b)
      goto refuse;
    b->key = *key;
    b->next = cache->buckets;
    cache->buckets = b;
    cache->n_buckets++;
  }
  evict_for (cache, key->size, &out);

  entry->bucket = b;
  entry->bucket_prev = NULL;
  entry->bucket_next = b->head;
  if (b->head)
    b->head->bucket_prev = entry;
  b->head = entry;
  entry->lru_next = NULL;
  entry->lru_prev = cache->lru_tail;
  if (cache->lru_tail)
    cache->lru_tail->lru_next = entry;
  else
    cache->lru_head = entry;
  cache->lru_tail = entry;
  cache->bytes_held += key->size;
  cache->entries_held++;
  pthread_mutex_unlock (&cache->lock);
  return out;

refuse:
  pthread_mutex_unlock (&cache->lock);
  entry->lru_next = NULL;
  return entry;
}

VvasBoCacheEntry *
vvas_bo_cache_drain (VvasBoCache * cache, uint8_t kind, int bank,
    bool new_generation)
{
  VvasBoCacheEntry *out = NULL, *e, *next;

  pthread_mutex_lock (&cache->lock);
  for (e = cache->lru_head; e; e = next) {
    next = e->lru_next;
    if (kind && (e->bucket->key.kind != kind || (bank >= 0
                && e->bucket->key.bank != bank)))
      continue;
    entry_unlink (cache, e);
    cache->trimmed++;
    out_push (&out, e);
  }
  if (new_generation)
    cache->generation++;
  pthread_mutex_unlock (&cache->lock);
  return out;
}

bool
vvas_bo_cache_holds (VvasBoCache * cache, uint8_t kind, int bank)
{
  VvasBoCacheBucket *b;
  bool holds = false;

  /* Disabled means empty: set_limit (0) emptied it under the lock. */
  if (atomic_load_explicit (&cache->limit, memory_order_relaxed) == 0)
    return false;
  pthread_mutex_lock (&cache->lock);
  for (b = cache->buckets; b && !holds; b = b->next)
    holds = b->head && b->key.kind == kind && (bank < 0 || b->key.bank == bank);
  pthread_mutex_unlock (&cache->lock);
  return holds;
}

VvasBoCacheEntry *
vvas_bo_cache_set_limit (VvasBoCache * cache, size_t limit)
{
  VvasBoCacheEntry *out = NULL;

  pthread_mutex_lock (&cache->lock);
  cache->limit = limit;
  evict_for (cache, 0, &out);
  pthread_mutex_unlock (&cache->lock);
  return out;
}

void
vvas_bo_cache_get_stats (VvasBoCache * cache, VvasBoCacheStats * stats)
{
  pthread_mutex_lock (&cache->lock);
  stats->hits = cache->hits;
  stats->misses = cache->misses;
  stats->trimmed = cache->trimmed;
  stats->bytes_held = cache->bytes_held;
  stats->entries_held = cache->entries_held;
  stats->limit = cache->limit;
  pthread_mutex_unlock (&cache->lock);
}
