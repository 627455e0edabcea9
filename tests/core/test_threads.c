/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Threads: one device context shared by many threads, one memory mapped by
 * many threads at once (the transfer is done once between them), and a
 * context destroyed from one thread while others still use its memories,
 * and threads mixing host and device accesses with core maps on one memory.
 * Transfers are counted at the XRT boundary: exact where the order is fixed,
 * bounded by the accesses that could need one where threads race.
 */

#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include <vvas_core/vvas_memory_priv.h>

#include "core_test_util.h"
#include "test_util.h"
#include "xrt_emu.h"

#define N_THREADS 8

static gboolean
under_valgrind (void)
{
  return g_getenv ("VVAS_UNDER_VALGRIND") != NULL;
}

/* ------------------------------------------------------------------------ */
/* A barrier: pthread's, which thread sanitizers understand. */

typedef pthread_barrier_t Barrier;

static void
barrier_init (Barrier * b, guint count)
{
  g_assert_cmpint (pthread_barrier_init (b, NULL, count), ==, 0);
}

static void
barrier_clear (Barrier * b)
{
  g_assert_cmpint (pthread_barrier_destroy (b), ==, 0);
}

static void
barrier_wait (Barrier * b)
{
  int res = pthread_barrier_wait (b);

  g_assert_true (res == 0 || res == PTHREAD_BARRIER_SERIAL_THREAD);
}

/* ------------------------------------------------------------------------ */
/* Helpers (callable from any thread: GLib assertions abort the test) */

/* Word i of the pattern of @seed: differs per seed and per position. */
static inline guint64
pattern_word (gsize i, guint64 seed)
{
  return (seed << 40) ^ ((guint64) i * 0x9e3779b97f4a7c15ull);
}

static void
fill_words (guint8 * data, gsize size, guint64 seed)
{
  guint64 *w = (guint64 *) data;
  gsize i;

  for (i = 0; i < size / 8; i++)
    w[i] = pattern_word (i, seed);
}

static void
assert_words (const guint8 * data, gsize size, guint64 seed)
{
  const guint64 *w = (const guint64 *) data;
  gsize i;

  for (i = 0; i < size / 8; i++)
    if (w[i] != pattern_word (i, seed)) {
      g_assert_cmphex (w[i], ==, pattern_word (i, seed));
      g_assert_not_reached ();
    }
}

static VvasContext *
device_context (const gchar * file)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx;

  ctx = vvas_context_create (0, (char *) test_util_path (file),
      LOG_LEVEL_WARNING, &ret);
  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_true (xrt_count_is_active ());
  return ctx;
}



static void
write_words (VvasMemory * mem, guint64 seed)
{
  VvasMemoryMapInfo map = { 0 };

  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_WRITE, &map), ==,
      VVAS_RET_SUCCESS);
  g_assert_nonnull (map.data);
  fill_words (map.data, map.size, seed);
  g_assert_cmpint (vvas_memory_unmap (mem, &map), ==, VVAS_RET_SUCCESS);
}

static void
check_words (VvasMemory * mem, guint64 seed)
{
  VvasMemoryMapInfo map = { 0 };

  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_READ, &map), ==,
      VVAS_RET_SUCCESS);
  g_assert_nonnull (map.data);
  g_assert_cmpuint (map.size, ==, vvas_memory_get_size (mem));
  assert_words (map.data, map.size, seed);
  g_assert_cmpint (vvas_memory_unmap (mem, &map), ==, VVAS_RET_SUCCESS);
}

/* A kernel reads the memory and writes it back in place. */
static void
device_use (VvasMemory * mem)
{
  vvas_memory_sync_data (mem, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
}

/* Host writes, device uses, host reads back: one transfer each way. */
static void
frame_cycle (VvasMemory * mem, guint64 seed)
{
  VvasAllocationInfo info;

  write_words (mem, seed);
  device_use (mem);
  check_words (mem, seed);
  info = alloc_info (mem);
  g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_NONE);
}

/* ------------------------------------------------------------------------ */
/* Threads sharing one context */

#define SHARED_SIZE (16 * 1024)

typedef struct
{
  VvasContext *ctx;
  Barrier *start;
  guint index;
  guint iterations;
} SharedWorker;

static gpointer
shared_worker (gpointer data)
{
  SharedWorker *w = data;
  guint it;

  barrier_wait (w->start);
  for (it = 0; it < w->iterations; it++) {
    const guint8 bank = (guint8) ((it + w->index) % 2);
    const guint64 seed = ((guint64) w->index << 20) | it;
    VvasMemory *cma = alloc_ok (w->ctx, VVAS_ALLOC_TYPE_CMA, bank,
        SHARED_SIZE);
    VvasMemory *host = alloc_ok (w->ctx, VVAS_ALLOC_TYPE_NON_CMA, 0,
        SHARED_SIZE);
    VvasAllocationInfo info;

    g_assert_cmpint (vvas_memory_get_bank_index (cma), ==, bank);
    g_assert_true (vvas_memory_get_context (cma) == w->ctx);

    write_words (cma, seed);
    write_words (host, ~seed);
    device_use (cma);
    device_use (host);
    check_words (cma, seed);
    check_words (host, ~seed);

    info = alloc_info (cma);
    g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_NONE);
    g_assert_cmpint (info.map_flags, ==, VVAS_DATA_MAP_NONE);
    g_assert_cmpuint (info.mbank_idx, ==, bank);
    info = alloc_info (host);
    g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_NONE);
    g_assert_cmpint (info.map_flags, ==, VVAS_DATA_MAP_NONE);

    vvas_memory_free (host);
    vvas_memory_free (cma);
  }
  return NULL;
}

static void
test_shared_context (void)
{
  const guint iterations = under_valgrind ()? 20 : 200;
  const guint64 frames = (guint64) N_THREADS * iterations;
  SharedWorker workers[N_THREADS];
  GThread *threads[N_THREADS];
  VvasTransferStats stats;
  VvasContext *ctx;
  Barrier start;
  guint i;

  xrt_count_reset ();
  ctx = device_context ("two_banks.xclbin");
  barrier_init (&start, N_THREADS);
  for (i = 0; i < N_THREADS; i++) {
    workers[i].ctx = ctx;
    workers[i].start = &start;
    workers[i].index = i;
    workers[i].iterations = iterations;
    threads[i] = g_thread_new ("shared", shared_worker, &workers[i]);
  }
  for (i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  barrier_clear (&start);

  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, frames);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, frames);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, frames);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, frames);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_TO_DEVICE), ==,
      frames * SHARED_SIZE);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_FROM_DEVICE), ==,
      frames * SHARED_SIZE);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 0);

  g_assert_cmpint (vvas_context_get_transfer_stats (ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device, ==, frames);
  g_assert_cmpuint (stats.syncs_from_device, ==, frames);
  g_assert_cmpuint (stats.bytes_to_device, ==, frames * SHARED_SIZE);
  g_assert_cmpuint (stats.bytes_from_device, ==, frames * SHARED_SIZE);

  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 1);
}

/* ------------------------------------------------------------------------ */
/* Many threads mapping one memory */

#define ONE_SIZE (64 * 1024)
#define ONE_SEED 0x77

typedef struct
{
  VvasMemory *mem;
  Barrier *barrier;
  guint index;
  guint rounds;
  guint8 *first_data;
} MapWorker;

/* All map READ at once, with the device copy newer; then again and again. */
static gpointer
read_worker (gpointer data)
{
  MapWorker *w = data;
  VvasMemoryMapInfo map = { 0 };
  guint r;

  barrier_wait (w->barrier);
  g_assert_cmpint (vvas_memory_map (w->mem, VVAS_DATA_MAP_READ, &map), ==,
      VVAS_RET_SUCCESS);
  /* Every thread holds its map here. */
  barrier_wait (w->barrier);
  g_assert_cmpint (alloc_info (w->mem).map_flags, ==, VVAS_DATA_MAP_READ);
  g_assert_cmpint (alloc_info (w->mem).sync_flags, ==, VVAS_DATA_SYNC_NONE);
  assert_words (map.data, map.size, ONE_SEED);
  w->first_data = map.data;
  g_assert_cmpint (vvas_memory_unmap (w->mem, &map), ==, VVAS_RET_SUCCESS);

  for (r = 1; r < w->rounds; r++)
    check_words (w->mem, ONE_SEED);
  return NULL;
}

/* All map WRITE at once and each writes its own slice. */
static gpointer
write_worker (gpointer data)
{
  MapWorker *w = data;
  const gsize slice = ONE_SIZE / N_THREADS;
  VvasMemoryMapInfo map = { 0 };
  guint r;

  barrier_wait (w->barrier);
  g_assert_cmpint (vvas_memory_map (w->mem, VVAS_DATA_MAP_WRITE, &map), ==,
      VVAS_RET_SUCCESS);
  barrier_wait (w->barrier);
  g_assert_cmpint (alloc_info (w->mem).map_flags, ==, VVAS_DATA_MAP_WRITE);
  g_assert_cmpint (alloc_info (w->mem).sync_flags, ==,
      VVAS_DATA_SYNC_TO_DEVICE);
  w->first_data = map.data;
  fill_words (map.data + w->index * slice, slice, w->index);
  g_assert_cmpint (vvas_memory_unmap (w->mem, &map), ==, VVAS_RET_SUCCESS);

  for (r = 1; r < w->rounds; r++) {
    g_assert_cmpint (vvas_memory_map (w->mem, VVAS_DATA_MAP_WRITE, &map), ==,
        VVAS_RET_SUCCESS);
    fill_words (map.data + w->index * slice, slice, w->index);
    g_assert_cmpint (vvas_memory_unmap (w->mem, &map), ==, VVAS_RET_SUCCESS);
  }
  return NULL;
}

static void
run_map_workers (VvasMemory * mem, GThreadFunc func)
{
  MapWorker workers[N_THREADS];
  GThread *threads[N_THREADS];
  Barrier barrier;
  guint i;

  barrier_init (&barrier, N_THREADS);
  for (i = 0; i < N_THREADS; i++) {
    workers[i].mem = mem;
    workers[i].barrier = &barrier;
    workers[i].index = i;
    workers[i].rounds = under_valgrind ()? 10 : 100;
    workers[i].first_data = NULL;
    threads[i] = g_thread_new ("mapper", func, &workers[i]);
  }
  for (i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  barrier_clear (&barrier);

  for (i = 1; i < N_THREADS; i++)
    g_assert_true (workers[i].first_data == workers[0].first_data);
}

static void
test_concurrent_read_maps (void)
{
  VvasContext *ctx = device_context ("two_banks.xclbin");
  VvasMemory *mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, ONE_SIZE);
  VvasAllocationInfo info;
  guint repeat;

  for (repeat = 0; repeat < 3; repeat++) {
    write_words (mem, ONE_SEED);
    device_use (mem);
    xrt_count_reset ();
    info = alloc_info (mem);
    g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_FROM_DEVICE);

    run_map_workers (mem, read_worker);

    g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 1);
    g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 0);
    info = alloc_info (mem);
    g_assert_cmpint (info.map_flags, ==, VVAS_DATA_MAP_NONE);
    g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_NONE);
  }

  vvas_memory_free (mem);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

static void
test_concurrent_write_maps (gconstpointer device_wrote)
{
  const gsize slice = ONE_SIZE / N_THREADS;
  VvasContext *ctx = device_context ("two_banks.xclbin");
  VvasMemory *mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, ONE_SIZE);
  VvasMemoryMapInfo map;
  VvasAllocationInfo info;
  guint i;

  if (device_wrote)
    vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  xrt_count_reset ();

  run_map_workers (mem, write_worker);

  /* The device copy, if newer, was fetched once before the writers. */
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==,
      device_wrote ? 1 : 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 0);
  info = alloc_info (mem);
  g_assert_cmpint (info.map_flags, ==, VVAS_DATA_MAP_NONE);
  g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_TO_DEVICE);

  /* One device use: one transfer for all the writers. */
  vvas_memory_sync_data (mem, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_sync_data (mem, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 1);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_TO_DEVICE), ==, ONE_SIZE);
  g_assert_cmpint (alloc_info (mem).sync_flags, ==, VVAS_DATA_SYNC_NONE);

  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_READ, &map), ==,
      VVAS_RET_SUCCESS);
  for (i = 0; i < N_THREADS; i++)
    assert_words (map.data + i * slice, slice, i);
  g_assert_cmpint (vvas_memory_unmap (mem, &map), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==,
      device_wrote ? 1 : 0);

  vvas_memory_free (mem);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* ------------------------------------------------------------------------ */
/* Threads mixing host and device accesses and core maps on one memory */

#define MIX_SIZE (64 * 1024)
#define MIX_SLICE (MIX_SIZE / N_THREADS)

typedef enum
{
  MIX_HOST_READ,
  MIX_HOST_WRITE,
  MIX_HOST_READ_WRITE,
  MIX_DEVICE_READ,
  MIX_DEVICE_WRITE,
  MIX_DEVICE_READ_WRITE,
  MIX_CORE_READ,
  MIX_CORE_WRITE,
  MIX_N_OPS
} MixOp;

typedef struct
{
  gint errors;                  /* atomic */
  gint writer_mapped_syncs;     /* atomic */
} MixLog;

/*
 * Counted before each call, so that at any time: a transfer to the device
 * runs inside a device access, and a transfer from the device clears a mark
 * a device write set (at its begin or its end).
 */
typedef struct
{
  gint device_accesses;         /* atomic */
  gint device_write_marks;      /* atomic */
  gint checks;                  /* atomic */
} MixBudget;

/* At every transfer: no more transfers so far than could be needed. */
static void
mix_check_budget (XrtCall call, void *user_data)
{
  MixBudget *b = user_data;

  if (call == XRT_CALL_SYNC_TO_DEVICE)
    g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), <=,
        (guint64) g_atomic_int_get (&b->device_accesses));
  else
    g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), <=,
        (guint64) g_atomic_int_get (&b->device_write_marks));
  g_atomic_int_inc (&b->checks);
}

typedef struct
{
  VvasMemory *mem;
  Barrier *start;
  MixBudget *budget;
  guint index;
  guint iterations;
  /* What this thread did, read after the join. */
  guint64 host_accesses;        /* begin_host_access calls */
  guint64 host_writes;          /* of them, with WRITE */
  guint64 device_accesses;      /* begin_device_access calls */
  guint64 device_write_tries;   /* of them, with WRITE */
  guint64 device_writes;        /* of those, the ones that succeeded */
  guint64 core_maps;
  guint64 core_writes;
} MixWorker;

static void
mix_log (VvasLogLevel level, const char *file, const char *func, int line,
    const char *message, void *user_data)
{
  MixLog *log = user_data;

  if (level == LOG_LEVEL_ERROR) {
    g_printerr ("unexpected error: %s\n", message);
    g_atomic_int_inc (&log->errors);
  } else if (strstr (message, "while mapped for writing")) {
    g_atomic_int_inc (&log->writer_mapped_syncs);
  }
}

/* Each thread writes and checks its own slice of the host view only. */
static void
mix_fill (guint8 * host, MixWorker * w, guint64 seed)
{
  fill_words (host + w->index * MIX_SLICE, MIX_SLICE, seed);
}

/*
 * Only where host and device share one buffer (XRT's no-op device): with a
 * device copy of its own (the emulated device), a kernel that writes the
 * buffer while other threads write their slices on the host races them for
 * real, the newest side wins the whole buffer, and a slice's bytes are not
 * defined. test_coherence checks bytes where they are.
 */
static void
mix_check (const guint8 * host, MixWorker * w, guint64 seed)
{
  if (!xrt_emu_enabled ())
    assert_words (host + w->index * MIX_SLICE, MIX_SLICE, seed);
}

static gpointer
mix_worker (gpointer data)
{
  MixWorker *w = data;
  guint8 *host = vvas_memory_get_host_address (w->mem);
  GRand *rand = g_rand_new_with_seed (0x5eed + w->index);
  guint64 seed = ((guint64) w->index << 32) | 1;
  guint it;

  /* A known slice before the first read, written as the contract says. */
  g_assert_cmpint (vvas_memory_begin_host_access (w->mem,
          VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
  mix_fill (host, w, seed);
  vvas_memory_end_host_access (w->mem, VVAS_DATA_MAP_WRITE);
  barrier_wait (w->start);
  for (it = 0; it < w->iterations; it++) {
    const MixOp op = (MixOp) g_rand_int_range (rand, 0, MIX_N_OPS);
    VvasDataMapFlags flags = 0;
    VvasMemoryMapInfo map = { 0 };
    VvasReturnType res;

    switch (op) {
      case MIX_HOST_READ:
      case MIX_HOST_WRITE:
      case MIX_HOST_READ_WRITE:
        flags = op == MIX_HOST_READ ? VVAS_DATA_MAP_READ :
            op == MIX_HOST_WRITE ? VVAS_DATA_MAP_WRITE :
            VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE;
        g_assert_cmpint (vvas_memory_begin_host_access (w->mem, flags), ==,
            VVAS_RET_SUCCESS);
        w->host_accesses++;
        if (flags & VVAS_DATA_MAP_READ)
          mix_check (host, w, seed);
        if (flags & VVAS_DATA_MAP_WRITE) {
          w->host_writes++;
          mix_fill (host, w, ++seed);
        }
        vvas_memory_end_host_access (w->mem, flags);
        break;
      case MIX_DEVICE_READ:
      case MIX_DEVICE_WRITE:
      case MIX_DEVICE_READ_WRITE:
        flags = op == MIX_DEVICE_READ ? VVAS_DATA_MAP_READ :
            op == MIX_DEVICE_WRITE ? VVAS_DATA_MAP_WRITE :
            VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE;
        g_atomic_int_inc (&w->budget->device_accesses);
        if (flags & VVAS_DATA_MAP_WRITE) {
          w->device_write_tries++;
          g_atomic_int_inc (&w->budget->device_write_marks);
        }
        /* Never refused: a core writer's map does not stop a kernel. */
        res = vvas_memory_begin_device_access (w->mem, flags);
        w->device_accesses++;
        g_assert_cmpint (res, ==, VVAS_RET_SUCCESS);
        if (flags & VVAS_DATA_MAP_WRITE) {
          w->device_writes++;
          g_atomic_int_inc (&w->budget->device_write_marks);
        }
        vvas_memory_end_device_access (w->mem, flags);
        break;
      case MIX_CORE_READ:
      case MIX_CORE_WRITE:
        flags = op == MIX_CORE_READ ? VVAS_DATA_MAP_READ : VVAS_DATA_MAP_WRITE;
        g_assert_cmpint (vvas_memory_map (w->mem, flags, &map), ==,
            VVAS_RET_SUCCESS);
        g_assert_true (map.data == host);
        g_assert_cmpuint (map.size, ==, MIX_SIZE);
        w->core_maps++;
        mix_check (map.data, w, seed);
        if (op == MIX_CORE_WRITE) {
          w->core_writes++;
          mix_fill (map.data, w, ++seed);
        }
        g_assert_cmpint (vvas_memory_unmap (w->mem, &map), ==,
            VVAS_RET_SUCCESS);
        break;
      case MIX_N_OPS:
        g_assert_not_reached ();
    }
  }
  /* No transfer moved stale bytes over this thread's writes. */
  mix_check (host, w, seed);
  g_rand_free (rand);
  return NULL;
}

/* A kernel reads @mem, then the host does: whatever is pending is done. */
static void
read_on_both_sides (VvasMemory * mem)
{
  xrt_count_reset ();
  g_assert_cmpint (vvas_memory_begin_device_access (mem, VVAS_DATA_MAP_READ),
      ==, VVAS_RET_SUCCESS);
  vvas_memory_end_device_access (mem, VVAS_DATA_MAP_READ);
  g_assert_cmpint (vvas_memory_begin_host_access (mem, VVAS_DATA_MAP_READ),
      ==, VVAS_RET_SUCCESS);
  vvas_memory_end_host_access (mem, VVAS_DATA_MAP_READ);
}

static void
test_mixed_accesses (void)
{
  const guint iterations = under_valgrind ()? 500 : 10000;
  VvasContext *ctx = device_context ("two_banks.xclbin");
  VvasMemory *mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, MIX_SIZE);
  MixWorker workers[N_THREADS];
  GThread *threads[N_THREADS];
  MixWorker sum = { 0 };
  MixLog log = { 0, 0 };
  MixBudget budget = { 0, 0, 0 };
  VvasAllocationInfo info;
  guint64 to_device, from_device, host_marks;
  Barrier start;
  guint i;

  xrt_count_reset ();
  vvas_log_set_handler (mix_log, &log);
  xrt_count_set_sync_hook (mix_check_budget, &budget);
  barrier_init (&start, N_THREADS);
  for (i = 0; i < N_THREADS; i++) {
    memset (&workers[i], 0, sizeof (workers[i]));
    workers[i].mem = mem;
    workers[i].start = &start;
    workers[i].budget = &budget;
    workers[i].index = i;
    workers[i].iterations = iterations;
    threads[i] = g_thread_new ("mixer", mix_worker, &workers[i]);
  }
  for (i = 0; i < N_THREADS; i++) {
    g_thread_join (threads[i]);
    sum.host_accesses += workers[i].host_accesses;
    sum.host_writes += workers[i].host_writes;
    sum.device_accesses += workers[i].device_accesses;
    sum.device_write_tries += workers[i].device_write_tries;
    sum.device_writes += workers[i].device_writes;
    sum.core_maps += workers[i].core_maps;
    sum.core_writes += workers[i].core_writes;
  }
  barrier_clear (&start);
  vvas_log_set_handler (NULL, NULL);
  xrt_count_set_sync_hook (NULL, NULL);

  g_assert_cmpint (log.errors, ==, 0);
  g_assert_cmpuint (budget.checks, ==,
      xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE));
  g_assert_cmpuint (sum.host_accesses + sum.device_accesses + sum.core_maps,
      ==, (guint64) N_THREADS * iterations);
  /* Each kind ran often enough to meet the others (the ops are drawn from
   * seeded generators: these counts are the same every run). */
  g_assert_cmpuint (sum.host_writes, >, iterations / 2);
  g_assert_cmpuint (sum.device_write_tries, >, iterations / 2);
  g_assert_cmpuint (sum.core_writes, >, iterations / 2);

  info = alloc_info (mem);
  g_assert_cmpint (info.map_flags, ==, VVAS_DATA_MAP_NONE);
  g_assert_cmpint (info.sync_flags, !=,
      VVAS_DATA_SYNC_TO_DEVICE | VVAS_DATA_SYNC_FROM_DEVICE);

  /*
   * No more transfers than accesses that could need one. A transfer to the
   * device is done by a device access, and clears a mark a host write set
   * (begin and end of a host access write one each, a core map one), unless
   * it ran while a core writer held its map (and said so). A transfer from
   * the device clears a mark a device write set (at its begin and end).
   */
  to_device = xrt_count_get (XRT_CALL_SYNC_TO_DEVICE);
  from_device = xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE);
  host_marks = 2 * sum.host_writes + sum.core_writes;
  g_test_message ("%" G_GUINT64_FORMAT " transfers to the device, %"
      G_GUINT64_FORMAT " from; %" G_GUINT64_FORMAT " host and %"
      G_GUINT64_FORMAT " device accesses, %" G_GUINT64_FORMAT " core maps",
      to_device, from_device, sum.host_accesses, sum.device_accesses,
      sum.core_maps);
  g_assert_cmpuint (to_device, <=, sum.device_accesses);
  g_assert_cmpuint (to_device, <=, host_marks + (guint64)
      log.writer_mapped_syncs);
  g_assert_cmpuint (from_device, <=, 2 * sum.device_writes);
  g_assert_cmpuint (from_device, <=, sum.host_accesses + sum.core_maps);

  /* Still coherent: what is pending is done once, then nothing. */
  read_on_both_sides (mem);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==,
      info.sync_flags == VVAS_DATA_SYNC_TO_DEVICE ? 1 : 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==,
      info.sync_flags == VVAS_DATA_SYNC_FROM_DEVICE ? 1 : 0);
  g_assert_cmpint (alloc_info (mem).sync_flags, ==, VVAS_DATA_SYNC_NONE);
  g_assert_cmpint (alloc_info (mem).map_flags, ==, VVAS_DATA_MAP_NONE);
  read_on_both_sides (mem);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);

  vvas_memory_free (mem);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* ------------------------------------------------------------------------ */
/* The context destroyed from one thread while others use its memories */

#define USER_SIZE (8 * 1024)
#define N_USER_MEMS 3

typedef struct
{
  VvasContext *ctx;
  Barrier *allocated;
  Barrier *destroyed;
  guint index;
  guint rounds;
} UserWorker;

static gpointer
user_worker (gpointer data)
{
  UserWorker *w = data;
  VvasMemory *mems[N_USER_MEMS];
  guint r, m;

  mems[0] = alloc_ok (w->ctx, VVAS_ALLOC_TYPE_CMA, 0, USER_SIZE);
  mems[1] = alloc_ok (w->ctx, VVAS_ALLOC_TYPE_CMA, 1, USER_SIZE);
  mems[2] = alloc_ok (w->ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, USER_SIZE);
  barrier_wait (w->allocated);

  /* In use while the context is destroyed... */
  for (r = 0; r < w->rounds; r++)
    for (m = 0; m < N_USER_MEMS; m++)
      frame_cycle (mems[m], ((guint64) w->index << 32) | (r * 4 + m));
  barrier_wait (w->destroyed);

  /* ... and after. */
  for (r = 0; r < w->rounds; r++)
    for (m = 0; m < N_USER_MEMS; m++) {
      g_assert_true (vvas_memory_get_context (mems[m]) == w->ctx);
      g_assert_cmpint (vvas_memory_get_device_index (mems[m]), ==, 0);
      frame_cycle (mems[m], ((guint64) w->index << 32) | (r * 4 + m + 1000));
    }
  for (m = 0; m < N_USER_MEMS; m++)
    vvas_memory_free (mems[m]);
  return NULL;
}

static gpointer
destroyer (gpointer data)
{
  UserWorker *w = data;

  barrier_wait (w->allocated);
  g_assert_cmpint (vvas_context_destroy (w->ctx), ==, VVAS_RET_SUCCESS);
  /* The others hold memories: the device stays open. */
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 0);
  barrier_wait (w->destroyed);
  return NULL;
}

static void
test_destroy_while_in_use (void)
{
  const guint rounds = under_valgrind ()? 5 : 50;
  const guint n_users = N_THREADS - 1;
  UserWorker workers[N_THREADS];
  GThread *threads[N_THREADS];
  Barrier allocated, destroyed;
  VvasContext *ctx;
  guint i;

  xrt_count_reset ();
  ctx = device_context ("two_banks.xclbin");
  barrier_init (&allocated, N_THREADS);
  barrier_init (&destroyed, N_THREADS);
  for (i = 0; i < N_THREADS; i++) {
    workers[i].ctx = ctx;
    workers[i].allocated = &allocated;
    workers[i].destroyed = &destroyed;
    workers[i].index = i;
    workers[i].rounds = rounds;
    threads[i] = g_thread_new ("user", i == 0 ? destroyer : user_worker,
        &workers[i]);
  }
  for (i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  barrier_clear (&allocated);
  barrier_clear (&destroyed);

  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, n_users * 2);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, n_users * 2);
  /* Two device memories per user, a frame each way per round, twice. */
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==,
      n_users * 2 * rounds * 2);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==,
      n_users * 2 * rounds * 2);
}

/* The last free and the destroy race each other: one close, every time. */
typedef struct
{
  VvasContext *ctx;
  Barrier *go;
  gboolean destroys;
  VvasMemory *mem;
} RaceWorker;

static gpointer
race_worker (gpointer data)
{
  RaceWorker *w = data;

  barrier_wait (w->go);
  if (w->destroys)
    g_assert_cmpint (vvas_context_destroy (w->ctx), ==, VVAS_RET_SUCCESS);
  else
    vvas_memory_free (w->mem);
  return NULL;
}

static void
test_destroy_races_frees (void)
{
  const guint repeats = under_valgrind ()? 5 : 50;
  RaceWorker workers[N_THREADS];
  GThread *threads[N_THREADS];
  Barrier go;
  guint rep, i;

  xrt_count_reset ();
  barrier_init (&go, N_THREADS);
  for (rep = 0; rep < repeats; rep++) {
    VvasContext *ctx = device_context ("one_bank.xclbin");

    for (i = 0; i < N_THREADS; i++) {
      workers[i].ctx = ctx;
      workers[i].go = &go;
      workers[i].destroys = i == N_THREADS / 2;
      workers[i].mem = workers[i].destroys ? NULL :
          alloc_ok (ctx, i % 2 ? VVAS_ALLOC_TYPE_CMA :
          VVAS_ALLOC_TYPE_NON_CMA, 0, 4096);
    }
    for (i = 0; i < N_THREADS; i++)
      threads[i] = g_thread_new ("race", race_worker, &workers[i]);
    for (i = 0; i < N_THREADS; i++)
      g_thread_join (threads[i]);
    g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, rep + 1);
  }
  barrier_clear (&go);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, repeats);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==,
      xrt_count_get (XRT_CALL_BO_FREE));
}

/* ------------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  int res;

  g_test_init (&argc, &argv, NULL);
  test_util_init ();

  g_test_add_func ("/threads/shared-context", test_shared_context);
  g_test_add_func ("/threads/concurrent-maps/read", test_concurrent_read_maps);
  g_test_add_data_func ("/threads/concurrent-maps/write", NULL,
      test_concurrent_write_maps);
  g_test_add_data_func ("/threads/concurrent-maps/write-device-newer",
      GINT_TO_POINTER (1), test_concurrent_write_maps);
  g_test_add_func ("/threads/mixed-accesses", test_mixed_accesses);
  g_test_add_func ("/threads/destroy-while-in-use", test_destroy_while_in_use);
  g_test_add_func ("/threads/destroy-races-frees", test_destroy_races_frees);

  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
