/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Every public function of the core working: contexts (with an xclbin,
 * adopting one, host only), device (CMA) and host (NON_CMA) memories on every
 * usable bank of one-, two- and four-bank xclbins (bank 2 of four unused),
 * wrapped user data, metadata, the private helpers, copies, transfer
 * statistics and logging. Transfers are counted at the XRT boundary.
 */

#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vvas_core/vvas_memory_priv.h>

#include "core_test_util.h"
#include "test_util.h"
#include "xrt_emu.h"

#define NV12_1080P (1920 * 1080 * 3 / 2)
#define NV12_4K (3840 * 2160 * 3 / 2)

static const gsize sizes[] = { 1, 4096, NV12_1080P, NV12_4K };

typedef struct
{
  const gchar *name;
  const gchar *file;
  guint n_banks;
  const guint8 *usable;
  guint n_usable;
} XclbinCase;

static const guint8 one_bank_usable[] = { 0 };
static const guint8 two_banks_usable[] = { 0, 1 };
static const guint8 four_banks_usable[] = { 0, 1, 3 };

static const XclbinCase xclbins[] = {
  {"one-bank", "one_bank.xclbin", 1, one_bank_usable, 1},
  {"two-banks", "two_banks.xclbin", 2, two_banks_usable, 2},
  {"four-banks", "four_banks.xclbin", 4, four_banks_usable, 3},
};

typedef struct
{
  const XclbinCase *xclbin;
  VvasAllocationType type;
} AllocCase;

static AllocCase alloc_cases[G_N_ELEMENTS (xclbins) * 2];

/* ------------------------------------------------------------------------ */
/* Helpers */

static guint8
pattern_byte (gsize i, guint seed)
{
  /* Not periodic in 256, so that a shifted copy does not match by chance. */
  return (guint8) (i * 131u + (i >> 8) * 7u + seed * 29u + 1u);
}

static void
fill_pattern (guint8 * data, gsize size, guint seed)
{
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = pattern_byte (i, seed);
}

/* Asserts @data[i] == pattern (i + @pattern_offset) for i in [0, @size). */
static void
assert_pattern_at (const guint8 * data, gsize size, guint seed,
    gsize pattern_offset)
{
  gsize i;

  for (i = 0; i < size; i++)
    if (data[i] != pattern_byte (i + pattern_offset, seed)) {
      g_assert_cmphex (data[i], ==, pattern_byte (i + pattern_offset, seed));
      g_assert_not_reached ();
    }
}

static void
assert_pattern (const guint8 * data, gsize size, guint seed)
{
  assert_pattern_at (data, size, seed, 0);
}

static gboolean
bank_is_in (const XclbinCase * x, guint bank)
{
  guint i;

  for (i = 0; i < x->n_usable; i++)
    if (x->usable[i] == bank)
      return TRUE;
  return FALSE;
}

static VvasContext *
device_context (const gchar * file, VvasLogLevel level)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx;

  ctx = vvas_context_create (0, (char *) test_util_path (file), level, &ret);
  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_true (xrt_count_is_active ());
  return ctx;
}

static VvasContext *
host_context (void)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx;

  ctx = vvas_context_create (-1, NULL, LOG_LEVEL_WARNING, &ret);
  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  return ctx;
}




static guint8 *
map_ok (VvasMemory * mem, VvasDataMapFlags flags, VvasMemoryMapInfo * map)
{
  map->data = NULL;
  map->size = 0;
  g_assert_cmpint (vvas_memory_map (mem, flags, map), ==, VVAS_RET_SUCCESS);
  g_assert_nonnull (map->data);
  g_assert_cmpuint (map->size, ==, vvas_memory_get_size (mem));
  return map->data;
}

static void
unmap_ok (VvasMemory * mem, VvasMemoryMapInfo * map)
{
  g_assert_cmpint (vvas_memory_unmap (mem, map), ==, VVAS_RET_SUCCESS);
}

/* Writes the pattern of @seed over the whole memory through a WRITE map. */
static void
write_pattern (VvasMemory * mem, guint seed)
{
  VvasMemoryMapInfo map;

  map_ok (mem, VVAS_DATA_MAP_WRITE, &map);
  fill_pattern (map.data, map.size, seed);
  unmap_ok (mem, &map);
}

/* Checks the whole memory holds the pattern of @seed through a READ map. */
static void
check_pattern (VvasMemory * mem, guint seed)
{
  VvasMemoryMapInfo map;

  map_ok (mem, VVAS_DATA_MAP_READ, &map);
  assert_pattern (map.data, map.size, seed);
  unmap_ok (mem, &map);
}

static void
assert_syncs (guint64 to_device, guint64 from_device)
{
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, to_device);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, from_device);
}

/* ------------------------------------------------------------------------ */
/* Contexts */

static void
test_context_device (gconstpointer data)
{
  const XclbinCase *x = data;
  gchar *path = g_strdup (test_util_path (x->file));
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx;
  guint i;

  xrt_count_reset ();
  ctx = vvas_context_create (0, path, LOG_LEVEL_WARNING, &ret);
  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 1);

  /* The context keeps its own copy of the path. */
  memset (path, 'x', strlen (path));
  g_free (path);
  g_assert_nonnull (ctx->xclbin_loc);
  g_assert_cmpstr (ctx->xclbin_loc, ==, test_util_path (x->file));

  g_assert_cmpint (ctx->dev_idx, ==, 0);
  g_assert_nonnull (ctx->dev_handle);
  g_assert_cmpint (ctx->log_level, ==, LOG_LEVEL_WARNING);
  for (i = 0; i < sizeof (ctx->uuid); i++)
    g_assert_cmphex (ctx->uuid[i], ==, (guint8) (x->n_banks * 16 + i + 1));

  g_assert_cmpint (vvas_context_get_bank_count (ctx), ==, x->n_banks);
  for (i = 0; i <= G_MAXUINT8; i++)
    g_assert_cmpint (vvas_context_is_bank_usable (ctx, (guint8) i), ==,
        bank_is_in (x, i) ? 1 : 0);

  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 0);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 1);
}

static void
test_context_adopt (void)
{
  VvasContext *first, *adopted;
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasMemory *mem;
  gboolean uuid_zero = TRUE;
  guint i;

  first = device_context ("two_banks.xclbin", LOG_LEVEL_WARNING);
  xrt_count_reset ();
  /* Error level: XRT's no-op device may not report the loaded xclbin to a
   * second handle, and the library then warns that none is loaded. */
  adopted = vvas_context_create (0, NULL, LOG_LEVEL_ERROR, &ret);
  g_assert_nonnull (adopted);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 0);
  g_assert_true (adopted != first);
  g_assert_cmpint (adopted->dev_idx, ==, 0);
  g_assert_null (adopted->xclbin_loc);
  g_assert_nonnull (adopted->dev_handle);
  g_assert_cmpint (adopted->log_level, ==, LOG_LEVEL_ERROR);

  /* The topology of an adopted xclbin is not known: no bank count, and
   * every bank may be tried. */
  g_assert_cmpint (vvas_context_get_bank_count (adopted), ==, 0);
  g_assert_cmpint (vvas_context_is_bank_usable (adopted, 0), ==, 1);
  g_assert_cmpint (vvas_context_is_bank_usable (adopted, 2), ==, 1);
  g_assert_cmpint (vvas_context_is_bank_usable (adopted, 200), ==, 1);
  g_assert_cmpint (vvas_context_is_bank_usable (adopted, 255), ==, 1);

  /* XRT's no-op device reports no UUID to a second handle on the device
   * (checked with plain XRT calls); a real device reports the loaded one. */
  for (i = 0; i < sizeof (adopted->uuid); i++)
    if (adopted->uuid[i])
      uuid_zero = FALSE;
  if (!uuid_zero)
    g_assert_cmpmem (adopted->uuid, sizeof (adopted->uuid), first->uuid,
        sizeof (first->uuid));

  /* Banks are not checked, but allocation works on the loaded banks. */
  mem = alloc_ok (adopted, VVAS_ALLOC_TYPE_CMA, 1, 4096);
  g_assert_cmpint (vvas_memory_get_bank_index (mem), ==, 1);
  g_assert_true (vvas_memory_get_context (mem) == adopted);
  write_pattern (mem, 3);
  check_pattern (mem, 3);
  vvas_memory_free (mem);

  g_assert_cmpint (vvas_context_destroy (adopted), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 1);
  /* The first context is untouched by the second's life. */
  g_assert_cmpint (vvas_context_get_bank_count (first), ==, 2);
  g_assert_cmpint (vvas_context_is_bank_usable (first, 2), ==, 0);
  g_assert_cmpint (vvas_context_destroy (first), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 2);
}

static void
test_context_host_only (void)
{
  VvasReturnType ret = VVAS_RET_SUCCESS;
  VvasContext *ctx;
  VvasMemory *mem;
  guint i;

  xrt_count_reset ();
  ctx = host_context ();
  g_assert_cmpint (ctx->dev_idx, ==, -1);
  g_assert_null (ctx->dev_handle);
  g_assert_null (ctx->xclbin_loc);
  g_assert_cmpint (ctx->log_level, ==, LOG_LEVEL_WARNING);
  for (i = 0; i < sizeof (ctx->uuid); i++)
    g_assert_cmphex (ctx->uuid[i], ==, 0);
  g_assert_cmpint (vvas_context_get_bank_count (ctx), ==, 0);
  g_assert_cmpint (vvas_context_is_bank_usable (ctx, 0), ==, -1);

  mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, 4096);
  g_assert_true (vvas_memory_get_context (mem) == ctx);
  g_assert_cmpint (vvas_memory_get_device_index (mem), ==, -1);
  write_pattern (mem, 5);
  check_pattern (mem, 5);
  vvas_memory_free (mem);

  /* Device memory needs a device. */
  g_assert_null (vvas_memory_alloc (ctx, VVAS_ALLOC_TYPE_CMA,
          VVAS_ALLOC_FLAG_NONE, 0, 4096, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);

  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  for (i = 0; i < XRT_CALL_LAST; i++)
    g_assert_cmpuint (xrt_count_get (i), ==, 0);
}

/* ------------------------------------------------------------------------ */
/* Allocation, maps, data */

/* Every map kind: flags while mapped, none after, pending state. */
static void
check_maps (VvasMemory * mem, VvasAllocationType type)
{
  const gboolean cma = type == VVAS_ALLOC_TYPE_CMA;
  VvasMemoryMapInfo r, w, rw;

  map_ok (mem, VVAS_DATA_MAP_READ, &r);
  g_assert_cmpint (alloc_info (mem).map_flags, ==, VVAS_DATA_MAP_READ);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_NONE);
  unmap_ok (mem, &r);
  g_assert_cmpint (alloc_info (mem).map_flags, ==, VVAS_DATA_MAP_NONE);

  map_ok (mem, VVAS_DATA_MAP_WRITE, &w);
  g_assert_true (w.data == r.data);
  g_assert_cmpint (alloc_info (mem).map_flags, ==, VVAS_DATA_MAP_WRITE);
  g_assert_cmpint (pending (mem), ==, cma ? VVAS_DATA_SYNC_TO_DEVICE :
      VVAS_DATA_SYNC_NONE);
  unmap_ok (mem, &w);
  g_assert_cmpint (alloc_info (mem).map_flags, ==, VVAS_DATA_MAP_NONE);
  vvas_memory_unset_sync_flag (mem, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_NONE);

  map_ok (mem, VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE, &rw);
  g_assert_true (rw.data == r.data);
  g_assert_cmpint (alloc_info (mem).map_flags, ==,
      VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE);
  g_assert_cmpint (pending (mem), ==, cma ? VVAS_DATA_SYNC_TO_DEVICE :
      VVAS_DATA_SYNC_NONE);
  unmap_ok (mem, &rw);
  g_assert_cmpint (alloc_info (mem).map_flags, ==, VVAS_DATA_MAP_NONE);

  /* Nested maps: mapped until the last unmap. */
  map_ok (mem, VVAS_DATA_MAP_READ, &r);
  map_ok (mem, VVAS_DATA_MAP_WRITE, &w);
  g_assert_cmpint (alloc_info (mem).map_flags, ==,
      VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE);
  unmap_ok (mem, &w);
  g_assert_cmpint (alloc_info (mem).map_flags, !=, VVAS_DATA_MAP_NONE);
  unmap_ok (mem, &r);
  g_assert_cmpint (alloc_info (mem).map_flags, ==, VVAS_DATA_MAP_NONE);
  vvas_memory_unset_sync_flag (mem, VVAS_DATA_SYNC_TO_DEVICE);

  /* No transfer: nothing was ever newer on the device. */
  assert_syncs (0, 0);
}

/* Host writes, device uses and rewrites, host reads back. */
static void
round_trip (VvasMemory * mem, VvasAllocationType type, guint seed)
{
  const gsize size = vvas_memory_get_size (mem);
  const gboolean cma = type == VVAS_ALLOC_TYPE_CMA;

  xrt_count_reset ();
  write_pattern (mem, seed);
  vvas_memory_sync_data (mem, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (pending (mem), ==, cma ? VVAS_DATA_SYNC_FROM_DEVICE :
      VVAS_DATA_SYNC_NONE);
  check_pattern (mem, seed);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_NONE);
  assert_syncs (cma ? 1 : 0, cma ? 1 : 0);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_TO_DEVICE), ==,
      cma ? size : 0);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_FROM_DEVICE), ==,
      cma ? size : 0);
}

static void
test_alloc (gconstpointer data)
{
  const AllocCase *c = data;
  const gboolean cma = c->type == VVAS_ALLOC_TYPE_CMA;
  const guint n_banks = cma ? c->xclbin->n_usable : 1;
  const gsize page = (gsize) sysconf (_SC_PAGESIZE);
  VvasContext *ctx = device_context (c->xclbin->file, LOG_LEVEL_WARNING);
  guint b, s;

  for (b = 0; b < n_banks; b++) {
    const guint8 bank = c->xclbin->usable[b];

    for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
      VvasAllocationInfo info;
      VvasMemoryMapInfo map;
      VvasMemory *mem;

      xrt_count_reset ();
      mem = alloc_ok (ctx, c->type, bank, sizes[s]);
      g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, cma ? 1 : 0);
      g_assert_cmpuint (vvas_memory_get_size (mem), ==, sizes[s]);
      g_assert_true (vvas_memory_get_context (mem) == ctx);

      info = alloc_info (mem);
      g_assert_cmpint (info.alloc_type, ==, c->type);
      g_assert_cmpint (info.alloc_flags, ==, VVAS_ALLOC_FLAG_NONE);
      g_assert_cmpint (info.map_flags, ==, VVAS_DATA_MAP_NONE);
      g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_NONE);
      if (cma)
        g_assert_cmpuint (info.mbank_idx, ==, bank);

      map_ok (mem, VVAS_DATA_MAP_READ, &map);
      g_assert_cmpuint (map.size, ==, sizes[s]);
      if (!cma)
        g_assert_cmpuint ((guintptr) map.data % page, ==, 0);
      unmap_ok (mem, &map);

      check_maps (mem, c->type);
      round_trip (mem, c->type, b * 8 + s);

      xrt_count_reset ();
      vvas_memory_free (mem);
      g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, cma ? 1 : 0);
    }
  }
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* A memory on every usable bank at once: each keeps its own bytes. */
static void
test_banks_separate (gconstpointer data)
{
  const XclbinCase *x = data;
  VvasContext *ctx = device_context (x->file, LOG_LEVEL_WARNING);
  VvasMemory *mems[4];
  VvasMemoryMapInfo maps[4];
  guint i, j;

  g_assert_cmpuint (x->n_usable, <=, G_N_ELEMENTS (mems));
  for (i = 0; i < x->n_usable; i++) {
    mems[i] = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, x->usable[i], NV12_1080P);
    g_assert_cmpint (vvas_memory_get_bank_index (mems[i]), ==, x->usable[i]);
    g_assert_cmpuint (alloc_info (mems[i]).mbank_idx, ==, x->usable[i]);
  }
  for (i = 0; i < x->n_usable; i++)
    write_pattern (mems[i], 100 + x->usable[i]);
  for (i = 0; i < x->n_usable; i++) {
    vvas_memory_sync_data (mems[i], VVAS_DATA_SYNC_TO_DEVICE);
    vvas_memory_set_sync_flag (mems[i], VVAS_DATA_SYNC_FROM_DEVICE);
  }

  /* All mapped at once: distinct host views, distinct buffer objects. */
  for (i = 0; i < x->n_usable; i++)
    map_ok (mems[i], VVAS_DATA_MAP_READ, &maps[i]);
  for (i = 0; i < x->n_usable; i++) {
    assert_pattern (maps[i].data, maps[i].size, 100 + x->usable[i]);
    for (j = 0; j < i; j++) {
      g_assert_true (maps[i].data != maps[j].data);
      g_assert_true (vvas_memory_get_bo (mems[i]) !=
          vvas_memory_get_bo (mems[j]));
    }
  }
  for (i = 0; i < x->n_usable; i++)
    unmap_ok (mems[i], &maps[i]);

  for (i = 0; i < x->n_usable; i++)
    vvas_memory_free (mems[i]);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* ------------------------------------------------------------------------ */
/* Wrapped user data */

static gint free_sentinel;

typedef struct
{
  guint calls;
  void *data;
  void *user_data;
} FreeRecord;

static FreeRecord free_record;

static void
record_and_free (void *data, void *user_data)
{
  free_record.calls++;
  free_record.data = data;
  free_record.user_data = user_data;
  g_free (data);
}

static void
test_from_data (gconstpointer device)
{
  const gsize size = 10000;
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx;
  VvasMemoryMapInfo map;
  VvasAllocationInfo info;
  VvasMemory *mem;
  guint8 *data;

  ctx = device ? device_context ("two_banks.xclbin", LOG_LEVEL_WARNING) :
      host_context ();
  data = g_malloc (size);
  fill_pattern (data, size, 41);
  memset (&free_record, 0, sizeof (free_record));
  xrt_count_reset ();

  mem = vvas_memory_alloc_from_data (ctx, data, size, record_and_free,
      &free_sentinel, &ret);
  g_assert_nonnull (mem);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (vvas_memory_get_size (mem), ==, size);
  g_assert_true (vvas_memory_get_context (mem) == ctx);
  info = alloc_info (mem);
  g_assert_cmpint (info.alloc_type, ==, VVAS_ALLOC_TYPE_NON_CMA);
  g_assert_cmpint (info.alloc_flags, ==, VVAS_ALLOC_FLAG_NONE);
  g_assert_cmpint (info.map_flags, ==, VVAS_DATA_MAP_NONE);
  g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_NONE);
  g_assert_null (vvas_memory_get_bo (mem));
  g_assert_cmpint (vvas_memory_get_bank_index (mem), ==, -1);
  g_assert_cmpint (vvas_memory_get_device_index (mem), ==, device ? 0 : -1);

  /* The map gives the caller's pointer, with the caller's bytes. */
  g_assert_true (map_ok (mem, VVAS_DATA_MAP_READ, &map) == data);
  g_assert_cmpuint (map.size, ==, size);
  assert_pattern (map.data, size, 41);
  unmap_ok (mem, &map);
  g_assert_true (map_ok (mem, VVAS_DATA_MAP_WRITE, &map) == data);
  fill_pattern (map.data, size, 42);
  unmap_ok (mem, &map);
  assert_pattern (data, size, 42);
  check_pattern (mem, 42);

  /* Nothing of it ever reaches XRT. */
  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  vvas_memory_sync_data (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_NONE);
  assert_syncs (0, 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 0);

  g_assert_cmpuint (free_record.calls, ==, 0);
  vvas_memory_free (mem);
  g_assert_cmpuint (free_record.calls, ==, 1);
  g_assert_true (free_record.data == data);
  g_assert_true (free_record.user_data == &free_sentinel);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 0);

  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (free_record.calls, ==, 1);
}

static void
test_from_data_no_free_cb (void)
{
  const gsize size = 4096 + 3;
  VvasContext *ctx = host_context ();
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasMemoryMapInfo map;
  VvasMemory *mem;
  guint8 *data = g_malloc (size);

  fill_pattern (data, size, 7);
  mem = vvas_memory_alloc_from_data (ctx, data, size, NULL, &free_sentinel,
      &ret);
  g_assert_nonnull (mem);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_true (map_ok (mem, VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE,
          &map) == data);
  assert_pattern (map.data, size, 7);
  fill_pattern (map.data, size, 8);
  unmap_ok (mem, &map);
  vvas_memory_free (mem);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);

  /* Still the caller's, and intact (valgrind reports a use after free). */
  assert_pattern (data, size, 8);
  g_free (data);
}

/* ------------------------------------------------------------------------ */
/* Metadata */

static void
assert_metadata (VvasMemory * mem, guint64 pts, guint64 dts, guint64 duration)
{
  VvasMetadata meta;

  memset (&meta, 0x5a, sizeof (meta));
  vvas_memory_get_metadata (mem, &meta);
  g_assert_cmpuint (meta.pts, ==, pts);
  g_assert_cmpuint (meta.dts, ==, dts);
  g_assert_cmpuint (meta.duration, ==, duration);
}

static void
test_metadata (void)
{
  VvasContext *ctx = device_context ("two_banks.xclbin", LOG_LEVEL_WARNING);
  VvasMemory *cma = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, 4096);
  VvasMemory *host = alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, 4096);
  guint8 *data = g_malloc (64);
  VvasMemory *wrapped = vvas_memory_alloc_from_data (ctx, data, 64, NULL,
      NULL, NULL);
  VvasMetadata meta = { 1000, 900, 33333333 };

  g_assert_nonnull (wrapped);
  assert_metadata (cma, 0, 0, 0);
  assert_metadata (host, 0, 0, 0);
  assert_metadata (wrapped, 0, 0, 0);

  vvas_memory_set_metadata (cma, &meta);
  /* A copy is stored: changing the caller's struct changes nothing. */
  meta.pts = 1;
  assert_metadata (cma, 1000, 900, 33333333);
  assert_metadata (host, 0, 0, 0);
  assert_metadata (wrapped, 0, 0, 0);

  meta.pts = G_MAXUINT64;
  meta.dts = G_MAXUINT64 - 1;
  meta.duration = 0;
  vvas_memory_set_metadata (host, &meta);
  meta.pts = 5;
  meta.dts = 6;
  meta.duration = 7;
  vvas_memory_set_metadata (wrapped, &meta);
  assert_metadata (cma, 1000, 900, 33333333);
  assert_metadata (host, G_MAXUINT64, G_MAXUINT64 - 1, 0);
  assert_metadata (wrapped, 5, 6, 7);

  /* Maps and transfers leave it alone. */
  write_pattern (cma, 1);
  vvas_memory_sync_data (cma, VVAS_DATA_SYNC_TO_DEVICE);
  check_pattern (cma, 1);
  assert_metadata (cma, 1000, 900, 33333333);

  meta.pts = meta.dts = meta.duration = 0;
  vvas_memory_set_metadata (cma, &meta);
  assert_metadata (cma, 0, 0, 0);
  assert_metadata (host, G_MAXUINT64, G_MAXUINT64 - 1, 0);

  vvas_memory_free (wrapped);
  vvas_memory_free (host);
  vvas_memory_free (cma);
  g_free (data);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* ------------------------------------------------------------------------ */
/* Private helpers */

static void
test_priv (gconstpointer data)
{
  const XclbinCase *x = data;
  VvasContext *ctx = device_context (x->file, LOG_LEVEL_WARNING);
  VvasMemory *host = alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, 8192);
  guint i;

  for (i = 0; i < x->n_usable; i++) {
    VvasMemory *mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, x->usable[i],
        8192);

    /* XRT's no-op device gives every buffer the same fake address. */
    g_assert_cmphex (vvas_memory_get_paddr (mem), !=, (guint64) - 1);
    g_assert_nonnull (vvas_memory_get_bo (mem));
    g_assert_cmpint (vvas_memory_get_device_index (mem), ==, 0);
    g_assert_cmpint (vvas_memory_get_bank_index (mem), ==, x->usable[i]);

    /* The flags: newest writer wins, unset forgets, sync clears. */
    xrt_count_reset ();
    vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_TO_DEVICE);
    g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_TO_DEVICE);
    vvas_memory_sync_data (mem, VVAS_DATA_SYNC_FROM_DEVICE);
    g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_TO_DEVICE);
    assert_syncs (0, 0);
    vvas_memory_sync_data (mem, VVAS_DATA_SYNC_TO_DEVICE);
    g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_NONE);
    assert_syncs (1, 0);
    vvas_memory_sync_data (mem, VVAS_DATA_SYNC_TO_DEVICE);
    assert_syncs (1, 0);

    vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
    g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);
    vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
    g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);
    vvas_memory_unset_sync_flag (mem, VVAS_DATA_SYNC_TO_DEVICE);
    g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);
    vvas_memory_unset_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
    g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_NONE);

    vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
    vvas_memory_sync_data (mem, VVAS_DATA_SYNC_TO_DEVICE);
    g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);
    vvas_memory_sync_data (mem, VVAS_DATA_SYNC_FROM_DEVICE);
    g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_NONE);
    assert_syncs (1, 1);
    g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_FROM_DEVICE), ==, 8192);

    vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_TO_DEVICE);
    vvas_memory_unset_sync_flag (mem,
        VVAS_DATA_SYNC_TO_DEVICE | VVAS_DATA_SYNC_FROM_DEVICE);
    g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_NONE);
    assert_syncs (1, 1);

    vvas_memory_free (mem);
  }

  g_assert_cmphex (vvas_memory_get_paddr (host), ==, (guint64) - 1);
  g_assert_null (vvas_memory_get_bo (host));
  g_assert_cmpint (vvas_memory_get_device_index (host), ==, 0);
  g_assert_cmpint (vvas_memory_get_bank_index (host), ==, -1);
  xrt_count_reset ();
  vvas_memory_set_sync_flag (host, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (pending (host), ==, VVAS_DATA_SYNC_NONE);
  vvas_memory_sync_data (host, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_set_sync_flag (host, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (pending (host), ==, VVAS_DATA_SYNC_NONE);
  vvas_memory_sync_data (host, VVAS_DATA_SYNC_FROM_DEVICE);
  vvas_memory_unset_sync_flag (host, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (pending (host), ==, VVAS_DATA_SYNC_NONE);
  assert_syncs (0, 0);
  vvas_memory_free (host);

  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

static void
test_priv_host_only (void)
{
  VvasContext *ctx = host_context ();
  VvasMemory *mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, 100);

  g_assert_cmpint (vvas_memory_get_device_index (mem), ==, -1);
  g_assert_cmpint (vvas_memory_get_bank_index (mem), ==, -1);
  g_assert_null (vvas_memory_get_bo (mem));
  g_assert_cmphex (vvas_memory_get_paddr (mem), ==, (guint64) - 1);
  vvas_memory_free (mem);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* ------------------------------------------------------------------------ */
/*
 * DMA-buf refused both ways (by XRT's no-op device; on the emulated device,
 * which exports and imports, by an injected failure): nothing transferred,
 * nothing leaked, the memory still usable. The emulated device's successes
 * are in test_emulated.c.
 */

static void
test_dmabuf_refused (void)
{
  VvasContext *ctx = device_context ("two_banks.xclbin", LOG_LEVEL_ERROR);
  VvasMemory *cma = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, 4096);
  VvasMemory *host = alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, 4096);
  VvasReturnType ret = VVAS_RET_SUCCESS;
  int fd;

  /* The host copy is newer; an export that fails transfers nothing. */
  write_pattern (cma, 8);
  xrt_count_reset ();
  if (xrt_emu_enabled ())
    xrt_count_fail_next (XRT_CALL_BO_EXPORT, 1);
  g_assert_cmpint (vvas_memory_export_dmabuf (cma, &ret), ==, -1);
  g_assert_cmpint (ret, ==, VVAS_RET_ERROR);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_EXPORT), ==, 1);
  assert_syncs (0, 0);
  g_assert_cmpint (pending (cma), ==, VVAS_DATA_SYNC_TO_DEVICE);

  ret = VVAS_RET_SUCCESS;
  g_assert_cmpint (vvas_memory_export_dmabuf (host, &ret), ==, -1);
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_EXPORT), ==, 1);

  fd = memfd_create ("not-a-dmabuf", 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 4096), ==, 0);
  ret = VVAS_RET_SUCCESS;
  if (xrt_emu_enabled ())
    xrt_count_fail_next (XRT_CALL_BO_IMPORT, 1);
  g_assert_null (vvas_memory_alloc_from_dmabuf (ctx, fd, 0, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_ERROR);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_IMPORT), ==, 1);
  close (fd);

  /* Still usable after the refusals. */
  write_pattern (cma, 9);
  check_pattern (cma, 9);
  vvas_memory_free (host);
  vvas_memory_free (cma);
  /* A failed import holds no reference: the device closes now. */
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 1);
}

/* ------------------------------------------------------------------------ */
/* Copies */

typedef struct
{
  VvasContext *ctx;
  VvasTransferStats stats;
} CopyFixture;

static void
copy_set_up (CopyFixture * f, gconstpointer unused)
{
  f->ctx = device_context ("four_banks.xclbin", LOG_LEVEL_WARNING);
}

static void
copy_tear_down (CopyFixture * f, gconstpointer unused)
{
  g_assert_cmpint (vvas_context_destroy (f->ctx), ==, VVAS_RET_SUCCESS);
}

static void
reset_counts (CopyFixture * f)
{
  xrt_count_reset ();
  g_assert_cmpint (vvas_context_reset_transfer_stats (f->ctx), ==,
      VVAS_RET_SUCCESS);
}

static void
get_stats (CopyFixture * f)
{
  memset (&f->stats, 0xff, sizeof (f->stats));
  g_assert_cmpint (vvas_context_get_transfer_stats (f->ctx, &f->stats), ==,
      VVAS_RET_SUCCESS);
}

/*
 * Checks @dst after copying [@src_off, @src_off + @size) of a memory holding
 * the pattern of @src_seed to @dst_off of a memory that held @dst_seed.
 */
static void
check_copied (VvasMemory * dst, guint dst_seed, gsize dst_off,
    guint src_seed, gsize src_off, gsize size)
{
  VvasMemoryMapInfo map;

  map_ok (dst, VVAS_DATA_MAP_READ, &map);
  assert_pattern_at (map.data, dst_off, dst_seed, 0);
  assert_pattern_at (map.data + dst_off, size, src_seed, src_off);
  assert_pattern_at (map.data + dst_off + size, map.size - dst_off - size,
      dst_seed, dst_off + size);
  unmap_ok (dst, &map);
}

/*
 * Device path: both device memories of one device, the source's device copy
 * current. XRT's no-op device's xrtBOCopy returns success without moving a
 * byte (checked with plain XRT calls: the destination keeps its old bytes),
 * so this test checks the calls and the state, not the bytes; the host-path
 * tests below check the bytes.
 */
static void
test_copy_device (CopyFixture * f, gconstpointer unused)
{
  VvasMemory *src = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 0, NV12_1080P);
  VvasMemory *dst = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 3, NV12_1080P);

  write_pattern (src, 1);
  vvas_memory_sync_data (src, VVAS_DATA_SYNC_TO_DEVICE);
  reset_counts (f);

  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 0, NV12_1080P), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 1);
  assert_syncs (0, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (pending (src), ==, VVAS_DATA_SYNC_NONE);
  get_stats (f);
  g_assert_cmpuint (f->stats.device_copies, ==, 1);
  g_assert_cmpuint (f->stats.bytes_device_copied, ==, NV12_1080P);
  g_assert_cmpuint (f->stats.syncs_to_device, ==, 0);
  g_assert_cmpuint (f->stats.syncs_from_device, ==, 0);

  /* Reading dst refreshes it from the device once. */
  {
    VvasMemoryMapInfo map;

    map_ok (dst, VVAS_DATA_MAP_READ, &map);
    unmap_ok (dst, &map);
    assert_syncs (0, 1);
  }

  /* Partial, with offsets; the source's device copy is newer (a kernel
   * wrote it): still a device copy. */
  vvas_memory_set_sync_flag (src, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (vvas_memory_copy (dst, 4096, src, 100, 1000), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 2);
  assert_syncs (0, 1);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (pending (src), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  get_stats (f);
  g_assert_cmpuint (f->stats.device_copies, ==, 2);
  g_assert_cmpuint (f->stats.bytes_device_copied, ==, NV12_1080P + 1000);

  /* dst newer on the host: it reaches the device first, then the copy. */
  write_pattern (dst, 2);
  reset_counts (f);
  g_assert_cmpint (vvas_memory_copy (dst, 1, src, 0, 64), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 1);
  assert_syncs (1, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  get_stats (f);
  g_assert_cmpuint (f->stats.syncs_to_device, ==, 1);
  g_assert_cmpuint (f->stats.bytes_to_device, ==, NV12_1080P);
  g_assert_cmpuint (f->stats.device_copies, ==, 1);
  g_assert_cmpuint (f->stats.bytes_device_copied, ==, 64);

  vvas_memory_free (dst);
  vvas_memory_free (src);
}

/* Host memory into device memory: through host maps, bytes checked. */
static void
test_copy_host_to_device (CopyFixture * f, gconstpointer unused)
{
  const gsize size = 3 * 4096 + 17;
  VvasMemory *src = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, size);
  VvasMemory *dst = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 1, size);

  write_pattern (src, 11);
  write_pattern (dst, 12);
  vvas_memory_sync_data (dst, VVAS_DATA_SYNC_TO_DEVICE);
  reset_counts (f);

  g_assert_cmpint (vvas_memory_copy (dst, 333, src, 4097, 5000), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_TO_DEVICE);
  check_copied (dst, 12, 333, 11, 4097, 5000);

  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 0, size), ==,
      VVAS_RET_SUCCESS);
  check_pattern (dst, 11);
  check_pattern (src, 11);

  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 0);
  assert_syncs (0, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (alloc_info (dst).map_flags, ==, VVAS_DATA_MAP_NONE);
  g_assert_cmpint (alloc_info (src).map_flags, ==, VVAS_DATA_MAP_NONE);

  /* Before a kernel reads dst, one transfer. */
  vvas_memory_sync_data (dst, VVAS_DATA_SYNC_TO_DEVICE);
  assert_syncs (1, 0);
  get_stats (f);
  g_assert_cmpuint (f->stats.device_copies, ==, 0);
  g_assert_cmpuint (f->stats.syncs_to_device, ==, 1);

  vvas_memory_free (dst);
  vvas_memory_free (src);
}

/* Device memory a kernel wrote, into host memory: refreshed once. */
static void
test_copy_device_to_host (CopyFixture * f, gconstpointer unused)
{
  const gsize size = 2 * 4096 + 5;
  VvasMemory *src = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 3, size);
  VvasMemory *dst = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, size);

  write_pattern (src, 21);
  write_pattern (dst, 22);
  vvas_memory_sync_data (src, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_set_sync_flag (src, VVAS_DATA_SYNC_FROM_DEVICE);
  reset_counts (f);

  g_assert_cmpint (vvas_memory_copy (dst, 7, src, 4000, 4100), ==,
      VVAS_RET_SUCCESS);
  assert_syncs (0, 1);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_FROM_DEVICE), ==, size);
  g_assert_cmpint (pending (src), ==, VVAS_DATA_SYNC_NONE);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_NONE);
  check_copied (dst, 22, 7, 21, 4000, 4100);

  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 0, size), ==,
      VVAS_RET_SUCCESS);
  check_pattern (dst, 21);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 0);
  assert_syncs (0, 1);
  g_assert_cmpint (pending (src), ==, VVAS_DATA_SYNC_NONE);

  vvas_memory_free (dst);
  vvas_memory_free (src);
}

/* Device to device with the source newer on the host: host path. */
static void
test_copy_device_host_newer (CopyFixture * f, gconstpointer unused)
{
  const gsize size = 64 * 1024;
  VvasMemory *src = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 0, size);
  VvasMemory *dst = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 1, size);

  write_pattern (dst, 32);
  vvas_memory_sync_data (dst, VVAS_DATA_SYNC_TO_DEVICE);
  write_pattern (src, 31);
  reset_counts (f);

  g_assert_cmpint (vvas_memory_copy (dst, 10, src, 20, 30000), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 0);
  assert_syncs (0, 0);
  g_assert_cmpint (pending (src), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_TO_DEVICE);
  check_copied (dst, 32, 10, 31, 20, 30000);
  get_stats (f);
  g_assert_cmpuint (f->stats.device_copies, ==, 0);

  vvas_memory_free (dst);
  vvas_memory_free (src);
}

static void
test_copy_host_to_host (CopyFixture * f, gconstpointer unused)
{
  const gsize size = 5000;
  VvasMemory *src = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, size);
  VvasMemory *dst = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, size);

  write_pattern (src, 41);
  write_pattern (dst, 42);
  reset_counts (f);
  g_assert_cmpint (vvas_memory_copy (dst, size - 1, src, 0, 1), ==,
      VVAS_RET_SUCCESS);
  check_copied (dst, 42, size - 1, 41, 0, 1);
  write_pattern (dst, 42);
  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 1, size - 1), ==,
      VVAS_RET_SUCCESS);
  check_copied (dst, 42, 0, 41, 1, size - 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 0);
  assert_syncs (0, 0);
  vvas_memory_free (dst);
  vvas_memory_free (src);
}

/*
 * Part of a buffer copied on the device to offset 0 of a memory whose host
 * copy is newer: the host bytes outside the range reach the device first,
 * since the device copy then becomes the newer one. Only a copy over the
 * whole destination may skip that transfer.
 */
static void
test_copy_device_part_at_start (CopyFixture * f, gconstpointer unused)
{
  VvasMemory *src = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 0, NV12_1080P);
  VvasMemory *dst = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 3, NV12_1080P);

  write_pattern (src, 71);
  vvas_memory_sync_data (src, VVAS_DATA_SYNC_TO_DEVICE);

  /* All but the last byte. */
  write_pattern (dst, 72);
  reset_counts (f);
  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 0, NV12_1080P - 1), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 1);
  assert_syncs (1, 0);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_TO_DEVICE), ==, NV12_1080P);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_FROM_DEVICE);

  /* A short one. */
  write_pattern (dst, 73);
  reset_counts (f);
  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 4096, 4096), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 1);
  assert_syncs (1, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_FROM_DEVICE);

  /* The whole of dst: none of its bytes is kept, none is transferred. */
  write_pattern (dst, 74);
  reset_counts (f);
  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 0, NV12_1080P), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 1);
  assert_syncs (0, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_FROM_DEVICE);

  vvas_memory_free (dst);
  vvas_memory_free (src);
}

/*
 * A copy that overwrites all of a device memory through host maps fetches
 * nothing from the device first, even if the device copy was newer: every
 * byte is replaced. A partial one still does.
 */
static void
test_copy_whole_fetches_nothing (CopyFixture * f, gconstpointer unused)
{
  const gsize size = 5 * 4096 + 11;
  VvasMemory *host = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, size);
  VvasMemory *src = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 0, size);
  VvasMemory *dst = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 1, size);

  /* From host memory. */
  write_pattern (host, 61);
  vvas_memory_set_sync_flag (dst, VVAS_DATA_SYNC_FROM_DEVICE);
  reset_counts (f);
  g_assert_cmpint (vvas_memory_copy (dst, 0, host, 0, size), ==,
      VVAS_RET_SUCCESS);
  assert_syncs (0, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_TO_DEVICE);
  check_pattern (dst, 61);
  assert_syncs (0, 0);

  /* From device memory newer on the host (the host path). */
  write_pattern (src, 62);
  vvas_memory_set_sync_flag (dst, VVAS_DATA_SYNC_FROM_DEVICE);
  reset_counts (f);
  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 0, size), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 0);
  assert_syncs (0, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_TO_DEVICE);
  check_pattern (dst, 62);
  g_assert_cmpint (alloc_info (dst).map_flags, ==, VVAS_DATA_MAP_NONE);

  /* Part of it: the device's bytes around the range are fetched first. */
  vvas_memory_set_sync_flag (dst, VVAS_DATA_SYNC_FROM_DEVICE);
  reset_counts (f);
  g_assert_cmpint (vvas_memory_copy (dst, 1, host, 1, size - 1), ==,
      VVAS_RET_SUCCESS);
  assert_syncs (0, 1);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_TO_DEVICE);

  /* Part of it, at offset 0: the bytes after the range still come from
   * the device, where a kernel wrote them. */
  vvas_memory_set_sync_flag (dst, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_sync_data (dst, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (vvas_memory_begin_device_access (dst, VVAS_DATA_MAP_WRITE),
      ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (xrt_emu_kernel_fill (vvas_memory_get_bo (dst), 0, 0x5c,
          size), ==, 0);
  vvas_memory_end_device_access (dst, VVAS_DATA_MAP_WRITE);
  reset_counts (f);
  g_assert_cmpint (vvas_memory_copy (dst, 0, host, 0, size - 1), ==,
      VVAS_RET_SUCCESS);
  assert_syncs (0, 1);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_TO_DEVICE);
  {
    VvasMemoryMapInfo map;

    g_assert_cmpint (vvas_memory_map (dst, VVAS_DATA_MAP_READ, &map), ==,
        VVAS_RET_SUCCESS);
    g_assert_cmpuint (map.data[size - 1], ==, 0x5c);
    g_assert_cmpint (vvas_memory_unmap (dst, &map), ==, VVAS_RET_SUCCESS);
  }

  vvas_memory_free (dst);
  vvas_memory_free (src);
  vvas_memory_free (host);
}

/*
 * A copy into a memory mapped for writing, from a source whose device copy
 * is current (which would otherwise be copied on the device): it goes
 * through the mapped host view, so the writer's bytes around the range,
 * the copied ones and the writer's later ones are all there, and the host
 * copy stays the newer one. (On XRT's no-op device a device copy would not
 * move the bytes: they show only if the copy went through the host view.)
 */
static void
test_copy_into_mapped_writer (CopyFixture * f, gconstpointer unused)
{
  const gsize size = 64 * 1024;
  VvasMemory *src = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 0, size);
  VvasMemory *dst = alloc_ok (f->ctx, VVAS_ALLOC_TYPE_CMA, 1, size);
  VvasMemoryMapInfo map;

  write_pattern (src, 81);
  vvas_memory_sync_data (src, VVAS_DATA_SYNC_TO_DEVICE);
  reset_counts (f);

  map_ok (dst, VVAS_DATA_MAP_WRITE, &map);
  fill_pattern (map.data, size, 82);
  g_assert_cmpint (vvas_memory_copy (dst, 100, src, 200, 5000), ==,
      VVAS_RET_SUCCESS);
  /* The writer sees the copied bytes in its map, and writes on. */
  assert_pattern_at (map.data + 100, 5000, 81, 200);
  fill_pattern (map.data + size - 1000, 1000, 83);
  unmap_ok (dst, &map);

  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 0);
  assert_syncs (0, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (pending (src), ==, VVAS_DATA_SYNC_NONE);

  map_ok (dst, VVAS_DATA_MAP_READ, &map);
  assert_pattern_at (map.data, 100, 82, 0);
  assert_pattern_at (map.data + 100, 5000, 81, 200);
  assert_pattern_at (map.data + 5100, size - 1000 - 5100, 82, 5100);
  assert_pattern_at (map.data + size - 1000, 1000, 83, 0);
  unmap_ok (dst, &map);
  assert_syncs (0, 0);

  /* Unmapped again: the next copy is on the device. */
  g_assert_cmpint (vvas_memory_copy (dst, 100, src, 200, 5000), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 1);
  assert_syncs (1, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_FROM_DEVICE);

  vvas_memory_free (dst);
  vvas_memory_free (src);
}

/* ------------------------------------------------------------------------ */
/* Transfer statistics */

static void
assert_stats_match_xrt (VvasContext * ctx)
{
  VvasTransferStats stats;

  g_assert_cmpint (vvas_context_get_transfer_stats (ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device, ==,
      xrt_count_get (XRT_CALL_SYNC_TO_DEVICE));
  g_assert_cmpuint (stats.bytes_to_device, ==,
      xrt_count_bytes (XRT_CALL_SYNC_TO_DEVICE));
  g_assert_cmpuint (stats.syncs_from_device, ==,
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE));
  g_assert_cmpuint (stats.bytes_from_device, ==,
      xrt_count_bytes (XRT_CALL_SYNC_FROM_DEVICE));
  g_assert_cmpuint (stats.device_copies, ==, xrt_count_get (XRT_CALL_BO_COPY));
}

static void
test_stats (void)
{
  VvasContext *ctx, *other;
  VvasMemory *a, *b, *o;
  VvasTransferStats stats;
  guint i;

  xrt_count_reset ();
  ctx = device_context ("two_banks.xclbin", LOG_LEVEL_WARNING);
  memset (&stats, 0xff, sizeof (stats));
  g_assert_cmpint (vvas_context_get_transfer_stats (ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device, ==, 0);
  g_assert_cmpuint (stats.bytes_to_device, ==, 0);
  g_assert_cmpuint (stats.syncs_from_device, ==, 0);
  g_assert_cmpuint (stats.bytes_from_device, ==, 0);
  g_assert_cmpuint (stats.device_copies, ==, 0);
  g_assert_cmpuint (stats.bytes_device_copied, ==, 0);

  a = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, 4096);
  b = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, 3 * 4096);
  for (i = 0; i < 3; i++) {
    round_trip (a, VVAS_ALLOC_TYPE_CMA, i);
    round_trip (b, VVAS_ALLOC_TYPE_CMA, i);
  }
  /* round_trip resets the XRT counts: start over, count everything. */
  xrt_count_reset ();
  vvas_context_reset_transfer_stats (ctx);
  for (i = 0; i < 3; i++) {
    write_pattern (a, i);
    vvas_memory_sync_data (a, VVAS_DATA_SYNC_TO_DEVICE);
    vvas_memory_set_sync_flag (a, VVAS_DATA_SYNC_FROM_DEVICE);
    check_pattern (a, i);
    write_pattern (b, i);
    check_pattern (b, i);
  }
  vvas_memory_sync_data (b, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (vvas_memory_copy (b, 0, a, 0, 4096), ==, VVAS_RET_SUCCESS);
  assert_stats_match_xrt (ctx);
  g_assert_cmpint (vvas_context_get_transfer_stats (ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device, ==, 4);
  g_assert_cmpuint (stats.bytes_to_device, ==, 3 * 4096 + 3 * 4096);
  g_assert_cmpuint (stats.syncs_from_device, ==, 3);
  g_assert_cmpuint (stats.bytes_from_device, ==, 3 * 4096);
  g_assert_cmpuint (stats.device_copies, ==, 1);
  g_assert_cmpuint (stats.bytes_device_copied, ==, 4096);

  /* Another context on the same device keeps its own counts. */
  other = device_context ("two_banks.xclbin", LOG_LEVEL_WARNING);
  o = alloc_ok (other, VVAS_ALLOC_TYPE_CMA, 0, 8192);
  write_pattern (o, 1);
  vvas_memory_sync_data (o, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (vvas_context_get_transfer_stats (other, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device, ==, 1);
  g_assert_cmpuint (stats.bytes_to_device, ==, 8192);
  g_assert_cmpuint (stats.syncs_from_device, ==, 0);
  g_assert_cmpint (vvas_context_get_transfer_stats (ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device, ==, 4);
  vvas_memory_free (o);
  g_assert_cmpint (vvas_context_destroy (other), ==, VVAS_RET_SUCCESS);

  /* Reset: zero, and XRT's counts are not the stats' business. */
  xrt_count_reset ();
  g_assert_cmpint (vvas_context_reset_transfer_stats (ctx), ==,
      VVAS_RET_SUCCESS);
  assert_stats_match_xrt (ctx);
  g_assert_cmpint (vvas_context_get_transfer_stats (ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device + stats.bytes_to_device +
      stats.syncs_from_device + stats.bytes_from_device +
      stats.device_copies + stats.bytes_device_copied, ==, 0);

  /* Counting resumes after a reset. */
  vvas_memory_set_sync_flag (b, VVAS_DATA_SYNC_FROM_DEVICE);
  check_pattern (b, 2);
  assert_stats_match_xrt (ctx);
  g_assert_cmpint (vvas_context_get_transfer_stats (ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_from_device, ==, 1);
  g_assert_cmpuint (stats.bytes_from_device, ==, 3 * 4096);

  /* A failed transfer is not counted. */
  xrt_count_fail_next (XRT_CALL_SYNC_TO_DEVICE, 1);
  write_pattern (a, 1);
  vvas_memory_sync_data (a, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (pending (a), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (vvas_context_get_transfer_stats (ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device, ==, 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 1);

  vvas_memory_free (a);
  vvas_memory_free (b);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* ------------------------------------------------------------------------ */
/* Logging */

typedef struct
{
  VvasLogLevel level;
  gchar *func;
  gchar *file;
  gint line;
  gchar *message;
} LogRecord;

static GMutex log_lock;
static GPtrArray *log_records;

static void
log_record_free (gpointer data)
{
  LogRecord *r = data;

  g_free (r->func);
  g_free (r->file);
  g_free (r->message);
  g_free (r);
}

static void
capture_log (VvasLogLevel level, const char *file, const char *func,
    int line, const char *message, void *user_data)
{
  LogRecord *r = g_new0 (LogRecord, 1);

  g_assert_true (user_data == &log_records);
  r->level = level;
  r->file = g_strdup (file);
  r->func = g_strdup (func);
  r->line = line;
  r->message = g_strdup (message);
  g_mutex_lock (&log_lock);
  g_ptr_array_add (log_records, r);
  g_mutex_unlock (&log_lock);
}

static void
log_capture_start (void)
{
  log_records = g_ptr_array_new_with_free_func (log_record_free);
  vvas_log_set_handler (capture_log, &log_records);
}

static void
log_capture_stop (void)
{
  vvas_log_set_handler (NULL, NULL);
  g_ptr_array_unref (log_records);
  log_records = NULL;
}

static guint
log_count (VvasLogLevel level, const gchar * needle)
{
  guint i, n = 0;

  g_mutex_lock (&log_lock);
  for (i = 0; i < log_records->len; i++) {
    LogRecord *r = g_ptr_array_index (log_records, i);

    if (r->level == level && (!needle || strstr (r->message, needle)))
      n++;
  }
  g_mutex_unlock (&log_lock);
  return n;
}

/* One context for every user of a device, whichever names the xclbin. */
static void
test_context_load_xclbin (void)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx, *host;
  VvasMemory *mem;
  gchar *two = g_strdup (test_util_path ("two_banks.xclbin"));
  gchar *dir = g_path_get_dirname (two);
  gchar *two_again = g_build_filename (dir, ".", "two_banks.xclbin", NULL);
  const gchar *four = test_util_path ("four_banks.xclbin");

  xrt_count_reset ();
  ctx = vvas_context_create (0, NULL, LOG_LEVEL_ERROR, &ret);
  g_assert_nonnull (ctx);
  g_assert_cmpint (vvas_context_get_bank_count (ctx), ==, 0);
  g_assert_cmpuint (vvas_context_get_bank_size (ctx, 0), ==, 0);

  /* Adopted, then loaded: from now on banks are checked. */
  g_assert_cmpint (vvas_context_load_xclbin (ctx, two, 1), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 1);
  g_assert_cmpstr (ctx->xclbin_loc, ==, two);
  g_assert_cmpint (vvas_context_get_bank_count (ctx), ==, 2);
  g_assert_cmpint (vvas_context_is_bank_usable (ctx, 2), ==, 0);
  g_assert_cmpuint (vvas_context_get_bank_size (ctx, 1), ==,
      XCLBIN_GEN_BANK_SIZE);
  g_assert_cmpuint (vvas_context_get_bank_size (ctx, 2), ==, 0);
  log_capture_start ();
  g_assert_null (vvas_memory_alloc (ctx, VVAS_ALLOC_TYPE_CMA,
          VVAS_ALLOC_FLAG_NONE, 2, 4096, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  g_assert_cmpuint (log_count (LOG_LEVEL_ERROR, "valid banks: 0, 1"), ==, 1);

  /* The same file, however its path is written: nothing to do. */
  g_assert_cmpint (vvas_context_load_xclbin (ctx, two_again, 1), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 1);
  g_assert_cmpstr (ctx->xclbin_loc, ==, two);

  /* Another one while memory of this one is alive: refused, named. */
  mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, 4096);
  g_assert_cmpint (vvas_context_load_xclbin (ctx, four, 1), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpuint (log_count (LOG_LEVEL_ERROR, "cannot also load"), ==, 1);
  g_assert_cmpuint (log_count (LOG_LEVEL_ERROR, "two_banks.xclbin"), >=, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 1);
  g_assert_cmpint (vvas_context_get_bank_count (ctx), ==, 2);

  /* Idle, but its users still need it: refused the same way. */
  vvas_memory_free (mem);
  g_assert_cmpint (vvas_context_load_xclbin (ctx, four, 0), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpuint (log_count (LOG_LEVEL_ERROR, "in use: it cannot also"),
      ==, 1);
  g_assert_cmpint (vvas_context_get_bank_count (ctx), ==, 2);

  /* Once the device is idle and may change, it does. */
  g_assert_cmpint (vvas_context_load_xclbin (ctx, four, 1), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 2);
  g_assert_cmpint (vvas_context_get_bank_count (ctx), ==, 4);
  g_assert_cmpstr (ctx->xclbin_loc, ==, four);

  /* Bad arguments and files. */
  g_assert_cmpint (vvas_context_load_xclbin (NULL, two, 1), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpint (vvas_context_load_xclbin (ctx, NULL, 1), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpint (vvas_context_load_xclbin (ctx, "", 1), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpint (vvas_context_load_xclbin (ctx, dir, 1), ==,
      VVAS_RET_INVALID_ARGS);
  host = vvas_context_create (-1, NULL, LOG_LEVEL_ERROR, &ret);
  g_assert_cmpint (vvas_context_load_xclbin (host, two, 1), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpuint (log_count (LOG_LEVEL_ERROR, "host-only"), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 2);
  log_capture_stop ();

  g_assert_cmpint (vvas_context_destroy (host), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_free (two_again);
  g_free (dir);
  g_free (two);
}

static guint
log_total (void)
{
  guint n;

  g_mutex_lock (&log_lock);
  n = log_records->len;
  g_mutex_unlock (&log_lock);
  return n;
}

#define DISCARD_WARNING "discards a pending transfer"

/* Host wrote, then a kernel overwrote it: the WARNING-level message. */
static void
discard_pending_transfer (VvasMemory * mem)
{
  write_pattern (mem, 1);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);
}

static void
test_log_context_level (void)
{
  VvasContext *quiet, *loud;
  VvasMemory *q, *l;
  LogRecord *r;

  log_capture_start ();

  /* At error level only errors pass. */
  quiet = device_context ("two_banks.xclbin", LOG_LEVEL_ERROR);
  q = alloc_ok (quiet, VVAS_ALLOC_TYPE_CMA, 0, 4096);
  discard_pending_transfer (q);
  g_assert_cmpuint (log_count (LOG_LEVEL_WARNING, NULL), ==, 0);
  g_assert_cmpuint (log_total (), ==, 0);

  xrt_count_fail_next (XRT_CALL_SYNC_FROM_DEVICE, 1);
  vvas_memory_sync_data (q, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpuint (log_count (LOG_LEVEL_ERROR, "failed to transfer"), ==, 1);
  g_assert_cmpuint (log_total (), ==, 1);

  /* At warning level the warning passes, once, with its origin. */
  loud = device_context ("two_banks.xclbin", LOG_LEVEL_WARNING);
  l = alloc_ok (loud, VVAS_ALLOC_TYPE_CMA, 1, 4096);
  g_assert_cmpuint (log_total (), ==, 1);
  discard_pending_transfer (l);
  g_assert_cmpuint (log_count (LOG_LEVEL_WARNING, DISCARD_WARNING), ==, 1);
  g_assert_cmpuint (log_total (), ==, 2);
  r = g_ptr_array_index (log_records, 1);
  g_assert_cmpstr (r->func, ==, "vvas_memory_set_sync_flag");
  g_assert_nonnull (strstr (r->file, "vvas_memory.c"));
  g_assert_cmpint (r->line, >, 0);
  g_assert_false (g_str_has_suffix (r->message, "\n"));

  /* The quiet context stays quiet while the loud one speaks. */
  discard_pending_transfer (q);
  g_assert_cmpuint (log_count (LOG_LEVEL_WARNING, DISCARD_WARNING), ==, 1);

  vvas_memory_free (l);
  vvas_memory_free (q);
  g_assert_cmpint (vvas_context_destroy (loud), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_context_destroy (quiet), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (log_total (), ==, 2);

  /* Info and debug messages follow the same rule. */
  quiet = device_context ("one_bank.xclbin", LOG_LEVEL_WARNING);
  g_assert_cmpint (vvas_context_destroy (quiet), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (log_count (LOG_LEVEL_INFO, NULL), ==, 0);
  g_assert_cmpuint (log_count (LOG_LEVEL_DEBUG, NULL), ==, 0);
  loud = device_context ("one_bank.xclbin", LOG_LEVEL_INFO);
  g_assert_cmpuint (log_count (LOG_LEVEL_INFO, "created"), ==, 1);
  g_assert_cmpint (vvas_context_destroy (loud), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (log_count (LOG_LEVEL_DEBUG, NULL), ==, 0);
  loud = device_context ("one_bank.xclbin", LOG_LEVEL_DEBUG);
  g_assert_cmpuint (log_count (LOG_LEVEL_INFO, "created"), ==, 2);
  g_assert_cmpint (vvas_context_destroy (loud), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (log_count (LOG_LEVEL_DEBUG, NULL), >=, 1);

  log_capture_stop ();
}

static void
test_log_restore_default_handler (void)
{
  VvasContext *ctx = device_context ("two_banks.xclbin", LOG_LEVEL_WARNING);
  VvasMemory *mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, 4096);
  GPtrArray *records;

  log_capture_start ();
  records = g_ptr_array_ref (log_records);
  discard_pending_transfer (mem);
  g_assert_cmpuint (records->len, ==, 1);

  /* Back to stderr: the handler sees nothing more. */
  vvas_log_set_handler (NULL, NULL);
  discard_pending_transfer (mem);
  g_assert_cmpuint (records->len, ==, 1);
  log_capture_stop ();
  g_ptr_array_unref (records);

  vvas_memory_free (mem);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

static void
test_log_direct (void)
{
  gchar *long_text = g_strnfill (2000, 'z');
  LogRecord *r;

  log_capture_start ();
  vvas_log (LOG_LEVEL_INFO, LOG_LEVEL_WARNING, "f.c", "fn", 12, "no %d", 1);
  vvas_log (LOG_LEVEL_DEBUG, LOG_LEVEL_ERROR, "f.c", "fn", 12, "no %d", 2);
  g_assert_cmpuint (log_total (), ==, 0);

  vvas_log (LOG_LEVEL_WARNING, LOG_LEVEL_WARNING, "f.c", "fn", 12,
      "yes %d %s", 3, "three");
  g_assert_cmpuint (log_total (), ==, 1);
  r = g_ptr_array_index (log_records, 0);
  g_assert_cmpint (r->level, ==, LOG_LEVEL_WARNING);
  g_assert_cmpstr (r->message, ==, "yes 3 three");
  g_assert_cmpstr (r->file, ==, "f.c");
  g_assert_cmpstr (r->func, ==, "fn");
  g_assert_cmpint (r->line, ==, 12);

  LOG_MESSAGE (LOG_LEVEL_ERROR, LOG_LEVEL_DEBUG, "macro %s", "ok");
  LOG_MESSAGE (LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, "macro %s", "not");
  g_assert_cmpuint (log_total (), ==, 2);
  r = g_ptr_array_index (log_records, 1);
  g_assert_cmpint (r->level, ==, LOG_LEVEL_ERROR);
  g_assert_cmpstr (r->message, ==, "macro ok");
  g_assert_cmpstr (r->func, ==, "test_log_direct");

  /* Longer than any fixed buffer: delivered whole. */
  vvas_log (LOG_LEVEL_ERROR, LOG_LEVEL_ERROR, "f.c", "fn", 1, "<%s>",
      long_text);
  g_assert_cmpuint (log_total (), ==, 3);
  r = g_ptr_array_index (log_records, 2);
  g_assert_cmpuint (strlen (r->message), ==, 2002);
  g_assert_true (r->message[0] == '<' && r->message[2001] == '>');
  g_assert_nonnull (strstr (r->message, long_text));

  log_capture_stop ();
  g_free (long_text);
}

static void
test_log_default_level (void)
{
  static const gchar *names[] = { "error", "warning", "info", "debug" };
  const gchar *env = g_getenv ("VVAS_CORE_LOG_LEVEL");
  VvasLogLevel initial = vvas_log_get_default_level ();
  /* Unset, the default is no floor under the contexts' levels. */
  VvasLogLevel expected = LOG_LEVEL_ERROR;
  guint i;

  if (env && env[0] >= '0' && env[0] <= '3' && env[1] == '\0')
    expected = (VvasLogLevel) (env[0] - '0');
  for (i = 0; env && i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (env, names[i]) == 0)
      expected = (VvasLogLevel) i;
  g_assert_cmpint (initial, ==, expected);

  vvas_log_set_default_level (LOG_LEVEL_DEBUG);
  g_assert_cmpint (vvas_log_get_default_level (), ==, LOG_LEVEL_DEBUG);
  vvas_log_set_default_level (LOG_LEVEL_ERROR);
  g_assert_cmpint (vvas_log_get_default_level (), ==, LOG_LEVEL_ERROR);

  /* Not a level: refused with an error, the level unchanged. */
  log_capture_start ();
  vvas_log_set_default_level ((VvasLogLevel) 7);
  g_assert_cmpint (vvas_log_get_default_level (), ==, LOG_LEVEL_ERROR);
  g_assert_cmpuint (log_count (LOG_LEVEL_ERROR, "invalid argument"), ==, 1);
  log_capture_stop ();

  vvas_log_set_default_level (initial);
  g_assert_cmpint (vvas_log_get_default_level (), ==, initial);
}

/* ------------------------------------------------------------------------ */

static void
add_case (const gchar * prefix, const gchar * name, gconstpointer data,
    GTestDataFunc func)
{
  gchar *path = g_strconcat (prefix, name, NULL);

  g_test_add_data_func (path, data, func);
  g_free (path);
}

int
main (int argc, char **argv)
{
  guint i;
  int res;

  g_test_init (&argc, &argv, NULL);
  test_util_init ();

  for (i = 0; i < G_N_ELEMENTS (xclbins); i++) {
    const XclbinCase *x = &xclbins[i];

    alloc_cases[2 * i].xclbin = x;
    alloc_cases[2 * i].type = VVAS_ALLOC_TYPE_CMA;
    alloc_cases[2 * i + 1].xclbin = x;
    alloc_cases[2 * i + 1].type = VVAS_ALLOC_TYPE_NON_CMA;

    add_case ("/memory/context/device/", x->name, x, test_context_device);
    add_case ("/memory/alloc/cma/", x->name, &alloc_cases[2 * i], test_alloc);
    add_case ("/memory/alloc/non-cma/", x->name, &alloc_cases[2 * i + 1],
        test_alloc);
    if (x->n_usable > 1)
      add_case ("/memory/banks-separate/", x->name, x, test_banks_separate);
    add_case ("/memory/priv/", x->name, x, test_priv);
  }
  g_test_add_func ("/memory/context/adopt", test_context_adopt);
  g_test_add_func ("/memory/context/host-only", test_context_host_only);
  g_test_add_func ("/memory/context/load-xclbin", test_context_load_xclbin);
  g_test_add_data_func ("/memory/from-data/host-context", NULL, test_from_data);
  g_test_add_data_func ("/memory/from-data/device-context",
      GINT_TO_POINTER (1), test_from_data);
  g_test_add_func ("/memory/from-data/no-free-cb", test_from_data_no_free_cb);
  g_test_add_func ("/memory/metadata", test_metadata);
  g_test_add_func ("/memory/priv/host-only", test_priv_host_only);
  g_test_add_func ("/memory/dmabuf/refused", test_dmabuf_refused);

#define ADD_COPY(name, func) \
  g_test_add ("/memory/copy/" name, CopyFixture, NULL, copy_set_up, func, \
      copy_tear_down)
  ADD_COPY ("device", test_copy_device);
  ADD_COPY ("host-to-device", test_copy_host_to_device);
  ADD_COPY ("device-to-host", test_copy_device_to_host);
  ADD_COPY ("device-host-newer", test_copy_device_host_newer);
  ADD_COPY ("host-to-host", test_copy_host_to_host);
  ADD_COPY ("device-part-at-start", test_copy_device_part_at_start);
  ADD_COPY ("whole-fetches-nothing", test_copy_whole_fetches_nothing);
  ADD_COPY ("into-mapped-writer", test_copy_into_mapped_writer);

  g_test_add_func ("/memory/stats", test_stats);
  g_test_add_func ("/memory/log/context-level", test_log_context_level);
  g_test_add_func ("/memory/log/restore-default-handler",
      test_log_restore_default_handler);
  g_test_add_func ("/memory/log/direct", test_log_direct);
  g_test_add_func ("/memory/log/default-level", test_log_default_level);

  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
