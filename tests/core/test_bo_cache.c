/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The recycling cache of a context: hits and misses counted at the XRT
 * boundary (a hit calls no xrtBOAlloc), its limit (default, environment,
 * setter, 0 disables it), trimming when a bank is full, emptying at an
 * xclbin change and at destroy, recycled memories as fresh as new ones,
 * and 8 threads allocating and freeing through one cache. It runs on the
 * emulated device (bank capacity, export), which it turns on itself.
 */

#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vvas_core/vvas_memory_priv.h>

#include "core_test_util.h"
#include "test_util.h"
#include "xrt_emu.h"

#define NV12_1080P (1920 * 1080 * 3 / 2)
#define MIB ((gsize) 1 << 20)
#define N_THREADS 8

static gsize page_size;

static gsize
pages (gsize size)
{
  return (size + page_size - 1) / page_size * page_size;
}

static VvasContext *
cache_context (const gchar * file, gsize limit)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx;

  ctx = vvas_context_create (0, (char *) test_util_path (file),
      LOG_LEVEL_WARNING, &ret);
  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_context_set_cache_limit (ctx, limit), ==,
      VVAS_RET_SUCCESS);
  g_assert_true (xrt_emu_enabled ());
  return ctx;
}


static VvasCacheStats
stats_of (VvasContext * ctx)
{
  VvasCacheStats s;

  memset (&s, 0xff, sizeof (s));
  g_assert_cmpint (vvas_context_get_cache_stats (ctx, &s), ==,
      VVAS_RET_SUCCESS);
  return s;
}

static void
destroy_and_check_released (VvasContext * ctx)
{
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (xrt_count_live_bos (), ==, 0);
  g_assert_cmpint (xrt_count_live_devices (), ==, 0);
}

/* ------------------------------------------------------------------------ */

static void
test_hit_and_miss (void)
{
  VvasContext *ctx;
  VvasMemory *mem, *again;
  VvasCacheStats s;
  void *bo;
  guint8 *host;

  xrt_count_reset ();
  ctx = cache_context ("two_banks.xclbin", 64 * MIB);

  mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, NV12_1080P);
  bo = vvas_memory_get_bo (mem);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 1);
  s = stats_of (ctx);
  g_assert_cmpuint (s.hits, ==, 0);
  g_assert_cmpuint (s.misses, ==, 1);
  g_assert_cmpuint (s.bytes_held, ==, 0);

  /* Freed: kept, not given back to XRT. */
  vvas_memory_free (mem);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 0);
  s = stats_of (ctx);
  g_assert_cmpuint (s.bytes_held, ==, pages (NV12_1080P));
  g_assert_cmpuint (s.buffers_held, ==, 1);

  /* Same bank and size (in whole pages): no XRT call at all. */
  again = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, NV12_1080P - 100);
  g_assert_true (vvas_memory_get_bo (again) == bo);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_MAP), ==, 1);
  g_assert_cmpuint (vvas_memory_get_size (again), ==, NV12_1080P - 100);
  g_assert_cmpint (vvas_memory_get_bank_index (again), ==, 1);
  s = stats_of (ctx);
  g_assert_cmpuint (s.hits, ==, 1);
  g_assert_cmpuint (s.bytes_held, ==, 0);
  vvas_memory_free (again);

  /* Another bank, another size: misses, each a new BO. */
  mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, NV12_1080P);
  g_assert_true (vvas_memory_get_bo (mem) != bo);
  again = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, NV12_1080P + page_size);
  g_assert_true (vvas_memory_get_bo (again) != bo);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 3);
  s = stats_of (ctx);
  g_assert_cmpuint (s.hits, ==, 1);
  g_assert_cmpuint (s.misses, ==, 3);
  g_assert_cmpuint (s.buffers_held, ==, 1);
  vvas_memory_free (mem);
  vvas_memory_free (again);

  /* Host blocks: the same. */
  mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, 10000);
  host = vvas_memory_get_host_address (mem);
  vvas_memory_free (mem);
  again = alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, 10000);
  g_assert_true (vvas_memory_get_host_address (again) == host);
  s = stats_of (ctx);
  g_assert_cmpuint (s.hits, ==, 2);
  g_assert_cmpuint (s.misses, ==, 4);
  vvas_memory_free (again);
  s = stats_of (ctx);
  g_assert_cmpuint (s.buffers_held, ==, 4);
  g_assert_cmpuint (s.bytes_held, ==, 2 * pages (NV12_1080P) +
      pages (NV12_1080P + page_size) + 10000);

  /* Destroy releases what the cache holds. */
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 0);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 3);
  g_assert_cmpint (xrt_count_live_bos (), ==, 0);
  g_assert_cmpint (xrt_count_live_devices (), ==, 0);
}

/* The limit: oldest first out, the setter trims at once, 0 disables. */
static void
test_limit (void)
{
  const gsize s1 = pages (NV12_1080P);
  VvasContext *ctx;
  VvasMemory *mem[3];
  VvasCacheStats s;
  void *newest;
  guint i;

  xrt_count_reset ();
  ctx = cache_context ("two_banks.xclbin", 2 * s1);
  for (i = 0; i < 3; i++)
    mem[i] = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, NV12_1080P);
  newest = vvas_memory_get_bo (mem[2]);
  for (i = 0; i < 3; i++)
    vvas_memory_free (mem[i]);
  /* The third did not fit: the oldest went. */
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 1);
  s = stats_of (ctx);
  g_assert_cmpuint (s.buffers_held, ==, 2);
  g_assert_cmpuint (s.bytes_held, ==, 2 * s1);
  g_assert_cmpuint (s.bytes_limit, ==, 2 * s1);
  g_assert_cmpuint (s.trimmed, ==, 1);

  /* A buffer larger than the whole limit is not kept. */
  mem[0] = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, 3 * s1);
  vvas_memory_free (mem[0]);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 2);

  /* Shrinking trims at once, the newest stays. */
  g_assert_cmpint (vvas_context_set_cache_limit (ctx, s1), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 3);
  s = stats_of (ctx);
  g_assert_cmpuint (s.buffers_held, ==, 1);
  mem[0] = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, NV12_1080P);
  g_assert_true (vvas_memory_get_bo (mem[0]) == newest);
  vvas_memory_free (mem[0]);

  /* Disabled: every free goes to XRT, every allocation comes from it. */
  g_assert_cmpint (vvas_context_set_cache_limit (ctx, 0), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 4);
  xrt_count_reset ();
  for (i = 0; i < 3; i++) {
    mem[0] = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, NV12_1080P);
    vvas_memory_free (mem[0]);
    mem[0] = alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, 4096);
    vvas_memory_free (mem[0]);
  }
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 3);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 3);
  s = stats_of (ctx);
  g_assert_cmpuint (s.hits, ==, 1);     /* the one above */
  g_assert_cmpuint (s.bytes_held, ==, 0);
  g_assert_cmpuint (s.buffers_held, ==, 0);
  g_assert_cmpuint (s.bytes_limit, ==, 0);

  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (xrt_count_live_bos (), ==, 0);
  /* A destroyed context is refused. */
  g_assert_cmpint (vvas_context_set_cache_limit (NULL, 1), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpint (vvas_context_get_cache_stats (NULL, &s), ==,
      VVAS_RET_INVALID_ARGS);
}

/* VVAS_CORE_CACHE_BYTES at context creation, and the default. */
static void
test_environment (void)
{
  static const struct
  {
    const gchar *value;
    guint64 limit;
  } cases[] = {
    {NULL, 64 * MIB},
    {"0", 0},
    {"123456", 123456},
    {"3M", 3 * MIB},
    {"2k", 2048},
    {"1G", 1024 * MIB},
    {"lots", 64 * MIB},
    {"12Q", 64 * MIB},
    {"", 64 * MIB},
  };
  gchar *saved = g_strdup (g_getenv ("VVAS_CORE_CACHE_BYTES"));
  VvasReturnType ret;
  VvasContext *ctx;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    if (cases[i].value)
      g_setenv ("VVAS_CORE_CACHE_BYTES", cases[i].value, TRUE);
    else
      g_unsetenv ("VVAS_CORE_CACHE_BYTES");
    ctx = vvas_context_create (-1, NULL, LOG_LEVEL_WARNING, &ret);
    g_assert_nonnull (ctx);
    g_test_message ("VVAS_CORE_CACHE_BYTES=%s", cases[i].value);
    g_assert_cmpuint (stats_of (ctx).bytes_limit, ==, cases[i].limit);
    vvas_context_destroy (ctx);
  }
  if (saved)
    g_setenv ("VVAS_CORE_CACHE_BYTES", saved, TRUE);
  else
    g_unsetenv ("VVAS_CORE_CACHE_BYTES");
  g_free (saved);
}

/* A recycled memory is a new one: nothing pending, unmapped, no metadata. */
static void
test_recycled_is_fresh (gconstpointer data)
{
  VvasDataSyncFlags left = (VvasDataSyncFlags) GPOINTER_TO_INT (data);
  VvasMetadata meta = { 1, 2, 3 }, got;
  VvasAllocationInfo info;
  VvasMemoryMapInfo map, map2;
  VvasContext *ctx;
  VvasMemory *mem, *again;

  xrt_count_reset ();
  ctx = cache_context ("two_banks.xclbin", 64 * MIB);
  mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, 65536);
  vvas_memory_set_metadata (mem, &meta);
  if (left == VVAS_DATA_SYNC_NONE) {
    /* Freed while mapped for writing: TO_DEVICE pending, a map held. */
    g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_WRITE, &map), ==,
        VVAS_RET_SUCCESS);
  } else {
    vvas_memory_set_sync_flag (mem, left);
  }
  vvas_memory_free (mem);

  again = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, 65536 - 100);
  g_assert_true (again == mem); /* the same structure, recycled */
  g_assert_cmpuint (stats_of (ctx).hits, ==, 1);
  g_assert_cmpint (vvas_memory_get_allocation_info (again, &info), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_NONE);
  g_assert_cmpint (info.map_flags, ==, VVAS_DATA_MAP_NONE);
  g_assert_cmpint (info.alloc_type, ==, VVAS_ALLOC_TYPE_CMA);
  g_assert_cmpint (info.mbank_idx, ==, 1);
  memset (&got, 0xff, sizeof (got));
  vvas_memory_get_metadata (again, &got);
  g_assert_cmpuint (got.pts, ==, 0);
  g_assert_cmpuint (got.dts, ==, 0);
  g_assert_cmpuint (got.duration, ==, 0);
  g_assert_true (vvas_memory_get_context (again) == ctx);

  /* Its first map transfers nothing; one unmap matches it, not two. */
  g_assert_cmpint (vvas_memory_map (again, VVAS_DATA_MAP_READ, &map2), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (map2.size, ==, 65536 - 100);
  g_assert_cmpint (vvas_memory_unmap (again, &map2), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_unmap (again, &map2), ==, VVAS_RET_INVALID_ARGS);
  vvas_memory_sync_data (again, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 0);
  vvas_memory_free (again);
  destroy_and_check_released (ctx);
}

/* A full bank: the cache's buffers of that bank go, and XRT is asked again. */
static void
test_trim_on_full_bank (void)
{
  const gsize s1 = pages (NV12_1080P);
  VvasContext *ctx;
  VvasMemory *mem[3], *big, *other;
  VvasReturnType ret = VVAS_RET_SUCCESS;
  VvasCacheStats s;
  guint i;

  xrt_count_reset ();
  ctx = cache_context ("two_banks.xclbin", 64 * MIB);
  xrt_emu_set_bank_capacity (0, 1, 3 * s1);
  other = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, NV12_1080P);
  vvas_memory_free (other);     /* bank 0's, cached */
  for (i = 0; i < 3; i++)
    mem[i] = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, NV12_1080P);
  for (i = 0; i < 3; i++)
    vvas_memory_free (mem[i]);
  g_assert_cmpuint (xrt_emu_bank_used (0, 1), ==, 3 * s1);

  /* Another size on the full bank: it fits once the cache lets go. */
  big = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, 2 * s1);
  /* 4 allocations, the refused one and its retry. */
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 6);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 3);
  s = stats_of (ctx);
  g_assert_cmpuint (s.trimmed, ==, 3);
  /* Bank 0's buffer stays. */
  g_assert_cmpuint (s.buffers_held, ==, 1);
  g_assert_cmpuint (s.bytes_held, ==, s1);

  /* Full with live memory and nothing cached: that fails, once. */
  xrt_count_reset ();
  g_assert_null (vvas_memory_alloc (ctx, VVAS_ALLOC_TYPE_CMA,
          VVAS_ALLOC_FLAG_NONE, 1, 2 * s1, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_ALLOC_ERROR);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 1);
  vvas_memory_free (big);
  xrt_emu_set_bank_capacity (0, 1, XCLBIN_GEN_BANK_SIZE);
  destroy_and_check_released (ctx);
}

/*
 * A new xclbin: buffers of the old one are not handed out again (the whole
 * cache goes: its memories hold references on the context, which would
 * otherwise look in use).
 */
static void
test_xclbin_change_empties (void)
{
  VvasContext *ctx;
  VvasMemory *mem, *host;
  VvasCacheStats s;

  xrt_count_reset ();
  ctx = cache_context ("two_banks.xclbin", 64 * MIB);
  mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, 8192);
  host = alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, 8192);
  vvas_memory_free (mem);
  vvas_memory_free (host);
  g_assert_cmpuint (stats_of (ctx).buffers_held, ==, 2);

  /* Refused (its users need the old one): the cache stays. */
  g_assert_cmpint (vvas_context_load_xclbin (ctx,
          test_util_path ("one_bank.xclbin"), 0), ==, VVAS_RET_INVALID_ARGS);
  g_assert_cmpuint (stats_of (ctx).buffers_held, ==, 2);

  g_assert_cmpint (vvas_context_load_xclbin (ctx,
          test_util_path ("one_bank.xclbin"), 1), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 1);
  s = stats_of (ctx);
  g_assert_cmpuint (s.buffers_held, ==, 0);
  g_assert_cmpuint (s.bytes_held, ==, 0);
  mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, 8192);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 2);
  vvas_memory_free (mem);
  destroy_and_check_released (ctx);
}

/*
 * A memory allocated under one xclbin and freed under the next is not
 * cached: its bank belongs to the old topology.
 */
static void
test_freed_after_xclbin_change (void)
{
  VvasContext *ctx;
  VvasMemory *mem;

  xrt_count_reset ();
  ctx = cache_context ("two_banks.xclbin", 64 * MIB);
  /* No xclbin of its own yet: adopt, so that a load happens with it alive. */
  vvas_context_destroy (ctx);
  ctx = vvas_context_create (0, NULL, LOG_LEVEL_ERROR, NULL);
  g_assert_nonnull (ctx);
  vvas_context_set_cache_limit (ctx, 64 * MIB);
  mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, 8192);
  g_assert_cmpint (vvas_context_load_xclbin (ctx,
          test_util_path ("one_bank.xclbin"), 1), ==, VVAS_RET_SUCCESS);
  vvas_memory_free (mem);
  g_assert_cmpuint (stats_of (ctx).buffers_held, ==, 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 1);
  destroy_and_check_released (ctx);
}

/* An exported BO may be used by its importer after the free: not kept. */
static void
test_exported_not_recycled (void)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx;
  VvasMemory *mem;
  int fd;

  xrt_count_reset ();
  ctx = cache_context ("two_banks.xclbin", 64 * MIB);
  mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, 8192);
  fd = vvas_memory_export_dmabuf (mem, &ret);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  close (fd);
  vvas_memory_free (mem);
  g_assert_cmpuint (stats_of (ctx).buffers_held, ==, 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 1);
  destroy_and_check_released (ctx);
}

/* Destroy with memories alive: the cache empties now; later frees are not kept. */
static void
test_destroy_with_live_memory (void)
{
  VvasContext *ctx;
  VvasMemory *live, *cached;

  xrt_count_reset ();
  ctx = cache_context ("two_banks.xclbin", 64 * MIB);
  live = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, 8192);
  cached = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, 8192);
  vvas_memory_free (cached);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 1);
  g_assert_cmpint (xrt_count_live_devices (), ==, 1);
  vvas_memory_free (live);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 2);
  g_assert_cmpint (xrt_count_live_bos (), ==, 0);
  g_assert_cmpint (xrt_count_live_devices (), ==, 0);
}

/* Exit with buffers in the cache: released before XRT's teardown. */
static void
test_exit_with_cached (void)
{
  if (g_test_subprocess ()) {
    VvasContext *ctx = cache_context ("two_banks.xclbin", 64 * MIB);

    vvas_memory_free (alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, NV12_1080P));
    vvas_memory_free (alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, 4096));
    g_assert_cmpuint (stats_of (ctx).buffers_held, ==, 2);
    exit (0);
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ------------------------------------------------------------------------ */
/* 8 threads, one cache */

typedef struct
{
  VvasContext *ctx;
  guint id;
  guint rounds;
  guint64 allocs;
  guint64 cma_allocs;
} Worker;

static gpointer
worker_run (gpointer data)
{
  static const gsize sizes[] = { 4096, 3 * 4096, NV12_1080P / 8 };
  Worker *w = data;
  VvasMemory *held[4];
  VvasMemoryMapInfo map;
  guint r, i;

  for (r = 0; r < w->rounds; r++) {
    for (i = 0; i < G_N_ELEMENTS (held); i++) {
      VvasAllocationType type = (r + i) % 3 ? VVAS_ALLOC_TYPE_CMA :
          VVAS_ALLOC_TYPE_NON_CMA;
      gsize size = sizes[(r + i + w->id) % G_N_ELEMENTS (sizes)];

      held[i] = alloc_ok (w->ctx, type, (r + i) & 1, size);
      w->allocs++;
      w->cma_allocs += type == VVAS_ALLOC_TYPE_CMA;
      /* Nobody else has it: what this thread writes stays. */
      g_assert_cmpint (vvas_memory_map (held[i], VVAS_DATA_MAP_WRITE, &map),
          ==, VVAS_RET_SUCCESS);
      memset (map.data, w->id + 1, map.size);
      vvas_memory_unmap (held[i], &map);
    }
    for (i = 0; i < G_N_ELEMENTS (held); i++) {
      g_assert_cmpint (vvas_memory_map (held[i], VVAS_DATA_MAP_READ, &map),
          ==, VVAS_RET_SUCCESS);
      g_assert_cmpuint (map.data[0], ==, w->id + 1);
      g_assert_cmpuint (map.data[map.size - 1], ==, w->id + 1);
      vvas_memory_unmap (held[i], &map);
      vvas_memory_free (held[i]);
    }
  }
  return NULL;
}

static void
test_threads (void)
{
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  guint64 allocs = 0, cma_allocs = 0;
  VvasCacheStats s;
  VvasContext *ctx;
  guint i;

  xrt_count_reset ();
  /* Room for some, not all: eviction races allocation too. */
  ctx = cache_context ("two_banks.xclbin", 2 * MIB);
  for (i = 0; i < N_THREADS; i++) {
    memset (&workers[i], 0, sizeof (workers[i]));
    workers[i].ctx = ctx;
    workers[i].id = i;
    workers[i].rounds = g_getenv ("VVAS_UNDER_VALGRIND") ? 20 : 200;
    threads[i] = g_thread_new ("cache", worker_run, &workers[i]);
  }
  for (i = 0; i < N_THREADS; i++) {
    g_thread_join (threads[i]);
    allocs += workers[i].allocs;
    cma_allocs += workers[i].cma_allocs;
  }
  s = stats_of (ctx);
  g_assert_cmpuint (s.hits + s.misses, ==, allocs);
  g_assert_cmpuint (s.hits, >, 0);
  g_assert_cmpuint (s.bytes_held, <=, 2 * MIB);
  /* Every CMA miss, and only those, reached XRT. */
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), <=, cma_allocs);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), <, s.misses);
  g_assert_cmpint (xrt_count_live_bos (), ==,
      (gint64) xrt_count_get (XRT_CALL_BO_ALLOC) -
      (gint64) xrt_count_get (XRT_CALL_BO_FREE));
  destroy_and_check_released (ctx);
}

int
main (int argc, char **argv)
{
  int res;

  xrt_emu_enable ();
  g_test_init (&argc, &argv, NULL);
  test_util_init ();
  page_size = (gsize) sysconf (_SC_PAGESIZE);

  g_test_add_func ("/bo-cache/hit-and-miss", test_hit_and_miss);
  g_test_add_func ("/bo-cache/limit", test_limit);
  g_test_add_func ("/bo-cache/environment", test_environment);
  g_test_add_data_func ("/bo-cache/recycled-is-fresh/mapped-writer",
      GINT_TO_POINTER (VVAS_DATA_SYNC_NONE), test_recycled_is_fresh);
  g_test_add_data_func ("/bo-cache/recycled-is-fresh/device-newer",
      GINT_TO_POINTER (VVAS_DATA_SYNC_FROM_DEVICE), test_recycled_is_fresh);
  g_test_add_func ("/bo-cache/trim-on-full-bank", test_trim_on_full_bank);
  g_test_add_func ("/bo-cache/xclbin-change-empties",
      test_xclbin_change_empties);
  g_test_add_func ("/bo-cache/freed-after-xclbin-change",
      test_freed_after_xclbin_change);
  g_test_add_func ("/bo-cache/exported-not-recycled",
      test_exported_not_recycled);
  g_test_add_func ("/bo-cache/destroy-with-live-memory",
      test_destroy_with_live_memory);
  g_test_add_func ("/bo-cache/exit-with-cached", test_exit_with_cached);
  g_test_add_func ("/bo-cache/threads", test_threads);

  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
