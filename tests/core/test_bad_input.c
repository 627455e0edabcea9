/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Bad input to every public function: each case asserts the exact result
 * code and out values, that exactly one error line naming the problem was
 * logged, and that nothing leaked at the XRT boundary (every BO allocated or
 * imported is freed, every device opened is closed). Heap leaks are left to
 * the valgrind run of the suite.
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <vvas_core/vvas_memory_priv.h>

#include "test_util.h"
#include "xrt_emu.h"

#define SIZE 4096

typedef struct
{
  GPtrArray *errors;            /* ERROR-level messages not yet checked */
  guint64 failed_opens;         /* counted XRT calls that returned nothing */
  guint64 failed_bo_allocs;
  guint64 failed_imports;
} Fixture;

static void
capture_log (VvasLogLevel level, const char *file, const char *func,
    int line, const char *message, void *user_data)
{
  Fixture *f = user_data;

  if (level == LOG_LEVEL_ERROR)
    g_ptr_array_add (f->errors, g_strdup (message));
}

static void
fixture_set_up (Fixture * f, gconstpointer unused)
{
  f->errors = g_ptr_array_new_with_free_func (g_free);
  f->failed_opens = 0;
  f->failed_bo_allocs = 0;
  f->failed_imports = 0;
  xrt_count_reset ();
  vvas_log_set_handler (capture_log, f);
}

static void
fixture_tear_down (Fixture * f, gconstpointer unused)
{
  vvas_log_set_handler (NULL, NULL);
  /* Every error the library logged was expected by the case. */
  g_assert_cmpuint (f->errors->len, ==, 0);
  g_ptr_array_unref (f->errors);

  /* Nothing leaked at the XRT boundary. */
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN) - f->failed_opens,
      ==, xrt_count_get (XRT_CALL_DEVICE_CLOSE));
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC) - f->failed_bo_allocs +
      xrt_count_get (XRT_CALL_BO_IMPORT) - f->failed_imports, ==,
      xrt_count_get (XRT_CALL_BO_FREE));
}

/* Asserts that exactly one error was logged since the last check. */
static void
assert_logged (Fixture * f, const gchar * pattern)
{
  const gchar *message;

  g_assert_cmpuint (f->errors->len, ==, 1);
  message = g_ptr_array_index (f->errors, 0);
  if (!g_pattern_match_simple (pattern, message))
    g_error ("logged \"%s\", expected \"%s\"", message, pattern);
  g_ptr_array_set_size (f->errors, 0);
}

static void
assert_nothing_logged (Fixture * f)
{
  if (f->errors->len > 0)
    g_error ("unexpected error logged: \"%s\"",
        (const gchar *) g_ptr_array_index (f->errors, 0));
}

static VvasContext *
device_context (Fixture * f, const gchar * xclbin)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx = vvas_context_create (0, (char *) test_util_path (xclbin),
      LOG_LEVEL_WARNING, &ret);

  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  assert_nothing_logged (f);
  return ctx;
}

static VvasContext *
host_context (Fixture * f)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx = vvas_context_create (-1, NULL, LOG_LEVEL_WARNING, &ret);

  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  return ctx;
}

static VvasMemory *
alloc_ok (Fixture * f, VvasContext * ctx, VvasAllocationType type,
    guint8 bank, gsize size)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasMemory *mem = vvas_memory_alloc (ctx, type, VVAS_ALLOC_FLAG_NONE, bank,
      size, &ret);

  g_assert_nonnull (mem);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  assert_nothing_logged (f);
  return mem;
}

static void
destroy_ok (VvasContext * ctx)
{
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

static VvasDataMapFlags
map_state (VvasMemory * mem)
{
  VvasAllocationInfo info;

  g_assert_cmpint (vvas_memory_get_allocation_info (mem, &info), ==,
      VVAS_RET_SUCCESS);
  return info.map_flags;
}

static VvasDataSyncFlags
sync_state (VvasMemory * mem)
{
  VvasAllocationInfo info;

  g_assert_cmpint (vvas_memory_get_allocation_info (mem, &info), ==,
      VVAS_RET_SUCCESS);
  return info.sync_flags;
}

/* A failing allocation: NULL, the expected code, one error, no BO made. */
static void
assert_alloc_fails (Fixture * f, VvasContext * ctx, VvasAllocationType type,
    VvasAllocationFlags flags, guint8 bank, gsize size,
    VvasReturnType expected, const gchar * pattern)
{
  VvasReturnType ret = VVAS_RET_SUCCESS;
  guint64 allocs = xrt_count_get (XRT_CALL_BO_ALLOC);

  g_assert_null (vvas_memory_alloc (ctx, type, flags, bank, size, &ret));
  g_assert_cmpint (ret, ==, expected);
  assert_logged (f, pattern);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, allocs);
}

/* --- NULL arguments ------------------------------------------------------ */

static void
test_null_context_destroy (Fixture * f, gconstpointer unused)
{
  g_assert_cmpint (vvas_context_destroy (NULL), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_ctx is NULL*");
}

static void
test_null_context_helpers (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  VvasTransferStats stats;

  memset (&stats, 0xa5, sizeof (stats));
  g_assert_cmpint (vvas_context_get_transfer_stats (NULL, &stats), ==,
      VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_ctx is NULL*");
  g_assert_cmphex (stats.syncs_to_device, ==, 0xa5a5a5a5a5a5a5a5ull);
  g_assert_cmpint (vvas_context_get_transfer_stats (ctx, NULL), ==,
      VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*stats is NULL*");
  g_assert_cmpint (vvas_context_reset_transfer_stats (NULL), ==,
      VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_ctx is NULL*");
  g_assert_cmpint (vvas_context_get_bank_count (NULL), ==, -1);
  assert_logged (f, "*vvas_ctx is NULL*");
  g_assert_cmpint (vvas_context_is_bank_usable (NULL, 0), ==, -1);
  assert_logged (f, "*vvas_ctx is NULL*");
  /* A host-only context has no banks at all. */
  g_assert_cmpint (vvas_context_is_bank_usable (ctx, 0), ==, -1);
  assert_logged (f, "*host-only*");
  destroy_ok (ctx);
}

static void
test_null_context_alloc (Fixture * f, gconstpointer unused)
{
  assert_alloc_fails (f, NULL, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 0,
      SIZE, VVAS_RET_INVALID_ARGS, "*vvas_ctx is NULL*");
  assert_alloc_fails (f, NULL, VVAS_ALLOC_TYPE_NON_CMA, VVAS_ALLOC_FLAG_NONE,
      0, SIZE, VVAS_RET_INVALID_ARGS, "*vvas_ctx is NULL*");
}

static void
count_free_cb (void *data, void *user_data)
{
  (*(guint *) user_data)++;
}

static void
test_null_context_alloc_from_data (Fixture * f, gconstpointer unused)
{
  VvasReturnType ret = VVAS_RET_SUCCESS;
  guint8 data[64];
  guint freed = 0;

  g_assert_null (vvas_memory_alloc_from_data (NULL, data, sizeof (data),
          count_free_cb, &freed, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_ctx is NULL*");
  g_assert_cmpuint (freed, ==, 0);
}

static void
test_null_data_alloc_from_data (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  VvasReturnType ret = VVAS_RET_SUCCESS;
  guint freed = 0;

  g_assert_null (vvas_memory_alloc_from_data (ctx, NULL, SIZE, count_free_cb,
          &freed, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*data is NULL*");
  g_assert_cmpuint (freed, ==, 0);
  destroy_ok (ctx);
}

static void
test_null_context_alloc_from_dmabuf (Fixture * f, gconstpointer unused)
{
  VvasReturnType ret = VVAS_RET_SUCCESS;

  g_assert_null (vvas_memory_alloc_from_dmabuf (NULL, 0, 0, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_ctx is NULL*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_IMPORT), ==, 0);
}

static void
test_null_map (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  VvasMemoryMapInfo info = { NULL, 0 };

  g_assert_cmpint (vvas_memory_map (NULL, VVAS_DATA_MAP_READ, &info), ==,
      VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_null (info.data);
  g_assert_cmpuint (info.size, ==, 0);

  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_WRITE, NULL), ==,
      VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*info is NULL*");
  /* Not mapped, and the refused write map marked nothing newer. */
  g_assert_cmpint (map_state (mem), ==, VVAS_DATA_MAP_NONE);
  g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_NONE);

  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_null_unmap (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);
  VvasMemoryMapInfo info;

  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_READ, &info), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_unmap (NULL, &info), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpint (vvas_memory_unmap (mem, NULL), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*info is NULL*");
  /* The refused unmaps ended nothing: the map is still there. */
  g_assert_cmpint (map_state (mem), ==, VVAS_DATA_MAP_READ);
  g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (map_state (mem), ==, VVAS_DATA_MAP_NONE);

  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_null_set_metadata (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);
  VvasMetadata meta = { 10, 20, 30 };
  VvasMetadata other = { 1, 2, 3 };
  VvasMetadata out = { 0, 0, 0 };

  vvas_memory_set_metadata (mem, &meta);
  vvas_memory_set_metadata (NULL, &other);
  assert_logged (f, "*vvas_mem is NULL*");
  vvas_memory_set_metadata (mem, NULL);
  assert_logged (f, "*meta_data is NULL*");
  vvas_memory_get_metadata (mem, &out);
  g_assert_cmpuint (out.pts, ==, 10);
  g_assert_cmpuint (out.dts, ==, 20);
  g_assert_cmpuint (out.duration, ==, 30);

  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_null_get_metadata (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);
  VvasMetadata meta = { 10, 20, 30 };
  VvasMetadata out = { 7, 8, 9 };

  vvas_memory_set_metadata (mem, &meta);
  vvas_memory_get_metadata (NULL, &out);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpuint (out.pts, ==, 7);
  g_assert_cmpuint (out.dts, ==, 8);
  g_assert_cmpuint (out.duration, ==, 9);
  vvas_memory_get_metadata (mem, NULL);
  assert_logged (f, "*meta_data is NULL*");
  vvas_memory_get_metadata (mem, &out);
  g_assert_cmpuint (out.pts, ==, 10);
  g_assert_cmpuint (out.dts, ==, 20);
  g_assert_cmpuint (out.duration, ==, 30);

  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_null_getters (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);
  VvasAllocationInfo info;

  g_assert_cmpuint (vvas_memory_get_size (NULL), ==, 0);
  assert_logged (f, "*vvas_mem is NULL*");
  memset (&info, 0x5a, sizeof (info));
  g_assert_cmpint (vvas_memory_get_allocation_info (NULL, &info), ==,
      VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpuint (info.mbank_idx, ==, 0x5a);
  g_assert_cmpint (vvas_memory_get_allocation_info (mem, NULL), ==,
      VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*info is NULL*");
  g_assert_null (vvas_memory_get_context (NULL));
  assert_logged (f, "*vvas_mem is NULL*");

  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_null_private_helpers (Fixture * f, gconstpointer unused)
{
  g_assert_cmphex (vvas_memory_get_paddr (NULL), ==, (guint64) - 1);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_null (vvas_memory_get_bo (NULL));
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpint (vvas_memory_get_device_index (NULL), ==, -1);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpint (vvas_memory_get_bank_index (NULL), ==, -1);
  assert_logged (f, "*vvas_mem is NULL*");
  vvas_memory_sync_data (NULL, VVAS_DATA_SYNC_TO_DEVICE);
  assert_logged (f, "*vvas_mem is NULL*");
  vvas_memory_set_sync_flag (NULL, VVAS_DATA_SYNC_FROM_DEVICE);
  assert_logged (f, "*vvas_mem is NULL*");
  vvas_memory_unset_sync_flag (NULL, VVAS_DATA_SYNC_FROM_DEVICE);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
}

static void
test_null_memory_free (Fixture * f, gconstpointer unused)
{
  vvas_memory_free (NULL);
  assert_nothing_logged (f);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 0);
}

static void
test_null_export (Fixture * f, gconstpointer unused)
{
  VvasReturnType ret = VVAS_RET_SUCCESS;

  g_assert_cmpint (vvas_memory_export_dmabuf (NULL, &ret), ==, -1);
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_EXPORT), ==, 0);
}

static void
test_null_copy (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);

  g_assert_cmpint (vvas_memory_copy (NULL, 0, mem, 0, 16), ==,
      VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*dst is NULL*");
  g_assert_cmpint (vvas_memory_copy (mem, 0, NULL, 0, 16), ==,
      VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*src is NULL*");
  g_assert_cmpint (vvas_memory_copy (NULL, 0, NULL, 0, 16), ==,
      VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*dst is NULL*");
  g_assert_cmpint (map_state (mem), ==, VVAS_DATA_MAP_NONE);

  vvas_memory_free (mem);
  destroy_ok (ctx);
}

/* The result pointers are optional: bad input with them NULL still fails. */
static void
test_null_optional_ret (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);

  g_assert_null (vvas_context_create (-2, NULL, LOG_LEVEL_WARNING, NULL));
  assert_logged (f, "*dev_idx*");
  g_assert_null (vvas_memory_alloc (ctx, VVAS_ALLOC_TYPE_NON_CMA,
          VVAS_ALLOC_FLAG_NONE, 0, 0, NULL));
  assert_logged (f, "*size is 0*");
  g_assert_null (vvas_memory_alloc_from_data (ctx, NULL, SIZE, NULL, NULL,
          NULL));
  assert_logged (f, "*data is NULL*");
  g_assert_null (vvas_memory_alloc_from_dmabuf (ctx, -1, 0, NULL));
  assert_logged (f, "*host only*");
  g_assert_cmpint (vvas_memory_export_dmabuf (NULL, NULL), ==, -1);
  assert_logged (f, "*vvas_mem is NULL*");
  destroy_ok (ctx);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 0);
}

/* --- Sizes, types, flags, banks ------------------------------------------ */

static void
test_size_zero_cma (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");

  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 0, 0,
      VVAS_RET_INVALID_ARGS, "*size is 0*");
  destroy_ok (ctx);
}

static void
test_size_zero_non_cma (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);

  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_NON_CMA, VVAS_ALLOC_FLAG_NONE,
      0, 0, VVAS_RET_INVALID_ARGS, "*size is 0*");
  destroy_ok (ctx);
}

static void
test_size_zero_from_data (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  VvasReturnType ret = VVAS_RET_SUCCESS;
  guint8 data[16];
  guint freed = 0;

  g_assert_null (vvas_memory_alloc_from_data (ctx, data, 0, count_free_cb,
          &freed, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*size is 0*");
  g_assert_cmpuint (freed, ==, 0);
  destroy_ok (ctx);
}

static void
test_size_max_cma (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");

  /* Larger than the bank: refused before XRT is asked. */
  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 1,
      SIZE_MAX, VVAS_RET_ALLOC_ERROR, "*bank 1*holds*");
  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 0,
      XCLBIN_GEN_BANK_SIZE + 1, VVAS_RET_ALLOC_ERROR, "*bank 0*holds*");
  destroy_ok (ctx);
}

/* Without a topology (xclbin adopted from the device) no bank size is known. */
static void
test_size_max_cma_no_topology (Fixture * f, gconstpointer unused)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx = vvas_context_create (0, NULL, LOG_LEVEL_WARNING, &ret);
  gsize page = (gsize) sysconf (_SC_PAGESIZE);

  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_context_get_bank_count (ctx), ==, 0);
  /* Rounding up to whole pages would wrap around: refused before XRT. */
  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 0,
      SIZE_MAX, VVAS_RET_ALLOC_ERROR, "*too large*");
  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 0,
      SIZE_MAX - page + 2, VVAS_RET_ALLOC_ERROR, "*too large*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 0);
  destroy_ok (ctx);
}

static void
test_size_max_non_cma (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);

  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_NON_CMA, VVAS_ALLOC_FLAG_NONE,
      0, SIZE_MAX, VVAS_RET_ALLOC_ERROR, "*cannot allocate*host memory*");
  destroy_ok (ctx);
}

static void
test_unknown_mem_type (Fixture * f, gconstpointer unused)
{
  VvasContext *dev = device_context (f, "two_banks.xclbin");
  VvasContext *host = host_context (f);
  const int types[] = { VVAS_ALLOC_TYPE_UNKNOWN, 3, 99, -1 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (types); i++) {
    assert_alloc_fails (f, dev, (VvasAllocationType) types[i],
        VVAS_ALLOC_FLAG_NONE, 0, SIZE, VVAS_RET_INVALID_ARGS, "*mem_type*");
    assert_alloc_fails (f, host, (VvasAllocationType) types[i],
        VVAS_ALLOC_FLAG_NONE, 0, SIZE, VVAS_RET_INVALID_ARGS, "*mem_type*");
  }
  destroy_ok (host);
  destroy_ok (dev);
}

static void
test_bad_mem_flags (Fixture * f, gconstpointer unused)
{
  VvasContext *dev = device_context (f, "two_banks.xclbin");
  VvasContext *host = host_context (f);

  assert_alloc_fails (f, dev, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_UNKNOWN, 0,
      SIZE, VVAS_RET_INVALID_ARGS, "*mem_flags*");
  assert_alloc_fails (f, host, VVAS_ALLOC_TYPE_NON_CMA,
      VVAS_ALLOC_FLAG_UNKNOWN, 0, SIZE, VVAS_RET_INVALID_ARGS, "*mem_flags*");
  assert_alloc_fails (f, dev, VVAS_ALLOC_TYPE_CMA, (VvasAllocationFlags) 8, 0,
      SIZE, VVAS_RET_INVALID_ARGS, "*mem_flags*");
  destroy_ok (host);
  destroy_ok (dev);
}

static void
test_cma_on_host_context (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);

  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 0,
      SIZE, VVAS_RET_INVALID_ARGS, "*host only*");
  destroy_ok (ctx);
}

static void
test_bank_out_of_range (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");

  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 2,
      SIZE, VVAS_RET_INVALID_ARGS, "*bank 2 *valid banks: 0, 1");
  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 255,
      SIZE, VVAS_RET_INVALID_ARGS, "*bank 255 *valid banks: 0, 1");
  g_assert_cmpint (vvas_context_is_bank_usable (ctx, 2), ==, 0);
  destroy_ok (ctx);
}

static void
test_bank_unused (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "four_banks.xclbin");
  VvasMemory *mem;
  guint8 bank;

  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 2,
      SIZE, VVAS_RET_INVALID_ARGS, "*bank 2 *valid banks: 0, 1, 3");
  g_assert_cmpint (vvas_context_is_bank_usable (ctx, 2), ==, 0);
  /* The banks it names are indeed the usable ones. */
  for (bank = 0; bank < 4; bank++) {
    if (bank == 2)
      continue;
    mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, bank, SIZE);
    g_assert_cmpint (vvas_memory_get_bank_index (mem), ==, bank);
    vvas_memory_free (mem);
  }
  destroy_ok (ctx);
}

/* --- Map and unmap ------------------------------------------------------- */

static void
test_map_bad_flags (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  const guint flags[] = { 0, 4, 0xff, VVAS_DATA_MAP_WRITE | 4 };
  VvasMemoryMapInfo info;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (flags); i++) {
    info.data = NULL;
    info.size = 0;
    g_assert_cmpint (vvas_memory_map (mem, (VvasDataMapFlags) flags[i],
            &info), ==, VVAS_RET_INVALID_ARGS);
    assert_logged (f, "*flags*");
    g_assert_null (info.data);
    g_assert_cmpuint (info.size, ==, 0);
    g_assert_cmpint (map_state (mem), ==, VVAS_DATA_MAP_NONE);
    g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_NONE);
  }
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_unmap_twice (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 1, SIZE);
  VvasMemoryMapInfo info;

  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_READ, &info), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_SUCCESS);
  assert_nothing_logged (f);
  g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*not mapped*");
  g_assert_cmpint (map_state (mem), ==, VVAS_DATA_MAP_NONE);
  /* Still usable afterwards. */
  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_READ, &info), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_SUCCESS);
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_unmap_never_mapped (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  guint8 *data = g_malloc0 (SIZE);
  VvasMemory *mem;
  VvasMemoryMapInfo info;
  VvasReturnType ret = VVAS_RET_ERROR;

  /* Wrapped data: the genuine map info is known without mapping. */
  mem = vvas_memory_alloc_from_data (ctx, data, SIZE, NULL, NULL, &ret);
  g_assert_nonnull (mem);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  info.data = data;
  info.size = SIZE;
  g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*not mapped*");
  g_assert_cmpint (map_state (mem), ==, VVAS_DATA_MAP_NONE);
  /* A zeroed info is no map of it either. */
  memset (&info, 0, sizeof (info));
  g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*info does not come from*");
  vvas_memory_free (mem);
  g_free (data);
  destroy_ok (ctx);
}

static void
test_unmap_foreign_info (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *a = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  VvasMemory *b = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 1, SIZE);
  VvasMemoryMapInfo info_a, info_b, forged;

  g_assert_cmpint (vvas_memory_map (a, VVAS_DATA_MAP_READ, &info_a), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_map (b, VVAS_DATA_MAP_WRITE, &info_b), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_unmap (a, &info_b), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*info does not come from*");
  g_assert_cmpint (vvas_memory_unmap (b, &info_a), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*info does not come from*");
  /* The right address with the wrong size is not this map either. */
  forged = info_a;
  forged.size = SIZE / 2;
  g_assert_cmpint (vvas_memory_unmap (a, &forged), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*info does not come from*");
  g_assert_cmpint (map_state (a), ==, VVAS_DATA_MAP_READ);
  g_assert_cmpint (map_state (b), ==, VVAS_DATA_MAP_WRITE);

  g_assert_cmpint (vvas_memory_unmap (a, &info_a), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_unmap (b, &info_b), ==, VVAS_RET_SUCCESS);
  vvas_memory_free (a);
  vvas_memory_free (b);
  destroy_ok (ctx);
}

static void
test_map_failure_leaves_unmapped (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  VvasMemoryMapInfo good, info;
  guint i;

  /* Learn what a real map of this memory looks like. */
  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_READ, &good), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_unmap (mem, &good), ==, VVAS_RET_SUCCESS);

  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  for (i = 0; i < 2; i++) {
    VvasDataMapFlags flags = i == 0 ? VVAS_DATA_MAP_READ : VVAS_DATA_MAP_WRITE;

    xrt_count_fail_next (XRT_CALL_SYNC_FROM_DEVICE, 1);
    info.data = NULL;
    info.size = 0;
    g_assert_cmpint (vvas_memory_map (mem, flags, &info), ==, VVAS_RET_ERROR);
    assert_logged (f, "*transfer*from the device*");
    g_assert_null (info.data);
    g_assert_cmpuint (info.size, ==, 0);
    g_assert_cmpint (map_state (mem), ==, VVAS_DATA_MAP_NONE);
    /* Still pending, and a failed WRITE map did not mark the host newer. */
    g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);
    /* Nothing to unmap, even with a genuine map info. */
    g_assert_cmpint (vvas_memory_unmap (mem, &good), ==, VVAS_RET_INVALID_ARGS);
    assert_logged (f, "*not mapped*");
  }
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 2);
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_bad_sync_flags (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  const guint flags[] = { VVAS_DATA_SYNC_NONE,
    VVAS_DATA_SYNC_TO_DEVICE | VVAS_DATA_SYNC_FROM_DEVICE, 4
  };
  guint i;

  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_TO_DEVICE);
  for (i = 0; i < G_N_ELEMENTS (flags); i++) {
    vvas_memory_set_sync_flag (mem, (VvasDataSyncFlags) flags[i]);
    assert_logged (f, "*flag must be*");
    vvas_memory_sync_data (mem, (VvasDataSyncFlags) flags[i]);
    assert_logged (f, "*flag must be*");
    g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_TO_DEVICE);
  }
  vvas_memory_unset_sync_flag (mem, (VvasDataSyncFlags) 0x10);
  assert_logged (f, "*flag has bits*");
  g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

/* --- Context creation ---------------------------------------------------- */

/* A refused context: NULL, the code, one error, no device left open. */
static void
assert_create_fails (Fixture * f, int32_t dev_idx, const gchar * xclbin,
    VvasLogLevel level, VvasReturnType expected, const gchar * pattern)
{
  VvasReturnType ret = VVAS_RET_SUCCESS;

  g_assert_null (vvas_context_create (dev_idx, (char *) xclbin, level, &ret));
  g_assert_cmpint (ret, ==, expected);
  assert_logged (f, pattern);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN) - f->failed_opens,
      ==, xrt_count_get (XRT_CALL_DEVICE_CLOSE));
}

static void
test_context_bad_dev_idx (Fixture * f, gconstpointer unused)
{
  assert_create_fails (f, -2, NULL, LOG_LEVEL_WARNING, VVAS_RET_INVALID_ARGS,
      "*dev_idx*");
  assert_create_fails (f, INT32_MIN, test_util_path ("one_bank.xclbin"),
      LOG_LEVEL_WARNING, VVAS_RET_INVALID_ARGS, "*dev_idx*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 0);
}

static void
test_context_host_with_xclbin (Fixture * f, gconstpointer unused)
{
  assert_create_fails (f, -1, test_util_path ("one_bank.xclbin"),
      LOG_LEVEL_WARNING, VVAS_RET_INVALID_ARGS, "*host-only*xclbin*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 0);
}

static void
test_context_empty_xclbin_path (Fixture * f, gconstpointer unused)
{
  assert_create_fails (f, 0, "", LOG_LEVEL_WARNING, VVAS_RET_INVALID_ARGS,
      "*empty string*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 0);
}

static void
test_context_bad_log_level (Fixture * f, gconstpointer unused)
{
  const gchar *xclbin = test_util_path ("one_bank.xclbin");

  assert_create_fails (f, 0, xclbin, (VvasLogLevel) 7, VVAS_RET_INVALID_ARGS,
      "*log_level*");
  assert_create_fails (f, -1, NULL, (VvasLogLevel) - 1,
      VVAS_RET_INVALID_ARGS, "*log_level*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 0);
}

static void
test_context_destroyed_twice (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);

  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 0);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*already destroyed*");
  /* The memory still holds the device. */
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 0);
  g_assert_true (vvas_memory_get_context (mem) == ctx);
  g_assert_cmpint (vvas_memory_get_device_index (mem), ==, 0);
  vvas_memory_free (mem);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 1);
}

static void
test_alloc_from_destroyed_context (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  VvasReturnType ret = VVAS_RET_SUCCESS;
  guint8 data[16];
  guint freed = 0;

  destroy_ok (ctx);
  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 0,
      SIZE, VVAS_RET_INVALID_ARGS, "*destroyed*");
  assert_alloc_fails (f, ctx, VVAS_ALLOC_TYPE_NON_CMA, VVAS_ALLOC_FLAG_NONE,
      0, SIZE, VVAS_RET_INVALID_ARGS, "*destroyed*");
  g_assert_null (vvas_memory_alloc_from_data (ctx, data, sizeof (data),
          count_free_cb, &freed, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*destroyed*");
  g_assert_cmpuint (freed, ==, 0);
  ret = VVAS_RET_SUCCESS;
  g_assert_null (vvas_memory_alloc_from_dmabuf (ctx, 0, 0, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*destroyed*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_IMPORT), ==, 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 1);
  vvas_memory_free (mem);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 1);
}

/* --- Broken xclbins ------------------------------------------------------ */

typedef struct
{
  const gchar *file;
  XclbinFlavor flavor;          /* XCLBIN_VALID: do not write the file */
  const gchar *pattern;
} XclbinCase;

static const XclbinCase xclbin_cases[] = {
  {"missing.xclbin", XCLBIN_VALID, "*cannot open xclbin*missing.xclbin*"},
  {"empty.xclbin", XCLBIN_EMPTY, "*empty.xclbin*truncated*"},
  {"truncated.xclbin", XCLBIN_TRUNCATED, "*truncated.xclbin*truncated*"},
  {"truncated_section.xclbin", XCLBIN_TRUNCATED_SECTION,
      "*truncated_section.xclbin*truncated*"},
  {"bad_magic.xclbin", XCLBIN_BAD_MAGIC, "*bad_magic.xclbin*not an xclbin*"},
  {"section_out_of_bounds.xclbin", XCLBIN_SECTION_OUT_OF_BOUNDS,
      "*section_out_of_bounds.xclbin*MEM_TOPOLOGY*outside*"},
  {"bank_count.xclbin", XCLBIN_BANK_COUNT_TOO_LARGE,
      "*bank_count.xclbin*1002 banks*"},
  {"no_topology.xclbin", XCLBIN_NO_TOPOLOGY,
      "*no_topology.xclbin*no MEM_TOPOLOGY*"},
  {"huge_section_count.xclbin", XCLBIN_HUGE_SECTION_COUNT,
      "*huge_section_count.xclbin*60000 section*"},
};

static void
test_xclbin_broken (Fixture * f, gconstpointer data)
{
  const XclbinCase *c = data;
  const gchar *path = c->flavor == XCLBIN_VALID ? test_util_path (c->file) :
      test_util_xclbin (c->file, 2, 0, c->flavor);

  assert_create_fails (f, 0, path, LOG_LEVEL_WARNING, VVAS_RET_INVALID_ARGS,
      c->pattern);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 0);
}

static void
test_xclbin_directory (Fixture * f, gconstpointer unused)
{
  const gchar *path = test_util_path ("directory.xclbin");

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  assert_create_fails (f, 0, path, LOG_LEVEL_WARNING, VVAS_RET_INVALID_ARGS,
      "*directory.xclbin*not a regular file*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 0);
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

/* --- XRT failures -------------------------------------------------------- */

static void
test_xrt_device_open_fails (Fixture * f, gconstpointer unused)
{
  xrt_count_fail_next (XRT_CALL_DEVICE_OPEN, 1);
  f->failed_opens = 1;
  assert_create_fails (f, 0, test_util_path ("two_banks.xclbin"),
      LOG_LEVEL_WARNING, VVAS_RET_ERROR, "*could not open device 0*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 0);
}

static void
test_xrt_load_xclbin_fails (Fixture * f, gconstpointer unused)
{
  xrt_count_fail_next (XRT_CALL_LOAD_XCLBIN, 1);
  assert_create_fails (f, 0, test_util_path ("two_banks.xclbin"),
      LOG_LEVEL_WARNING, VVAS_RET_ERROR, "*could not load xclbin*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 1);
}

static void
test_xrt_bo_alloc_fails (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasReturnType ret = VVAS_RET_SUCCESS;

  xrt_count_fail_next (XRT_CALL_BO_ALLOC, 1);
  f->failed_bo_allocs = 1;
  g_assert_null (vvas_memory_alloc (ctx, VVAS_ALLOC_TYPE_CMA,
          VVAS_ALLOC_FLAG_NONE, 1, SIZE, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_ALLOC_ERROR);
  assert_logged (f, "*could not allocate 4096 bytes on bank 1*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_MAP), ==, 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 0);
  destroy_ok (ctx);
}

static void
test_xrt_bo_map_fails (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasReturnType ret = VVAS_RET_SUCCESS;

  xrt_count_fail_next (XRT_CALL_BO_MAP, 1);
  g_assert_null (vvas_memory_alloc (ctx, VVAS_ALLOC_TYPE_CMA,
          VVAS_ALLOC_FLAG_NONE, 0, SIZE, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_ALLOC_ERROR);
  assert_logged (f, "*could not map*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_MAP), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_FREE), ==, 1);
  destroy_ok (ctx);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_CLOSE), ==, 1);
}

/* --- DMA-buf ------------------------------------------------------------- */

/* A device that cannot export: XRT's no-op device; here any, with XRT's
 * export failing. */
static void
test_dmabuf_export_noop (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  VvasReturnType ret = VVAS_RET_SUCCESS;

  xrt_count_fail_next (XRT_CALL_BO_EXPORT, 1);
  g_assert_cmpint (vvas_memory_export_dmabuf (mem, &ret), ==, -1);
  g_assert_cmpint (ret, ==, VVAS_RET_ERROR);
  assert_logged (f, "*export*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_EXPORT), ==, 1);
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_dmabuf_export_non_cma (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);
  VvasReturnType ret = VVAS_RET_SUCCESS;

  g_assert_cmpint (vvas_memory_export_dmabuf (mem, &ret), ==, -1);
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*only device (CMA) memory*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_EXPORT), ==, 0);
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_dmabuf_import_negative_fd (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasReturnType ret = VVAS_RET_SUCCESS;

  g_assert_null (vvas_memory_alloc_from_dmabuf (ctx, -1, 0, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*dmabuf_fd*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_IMPORT), ==, 0);
  destroy_ok (ctx);
}

/* Imports @fd, which is no DMA-buf: XRT refuses it. */
static void
assert_import_refused (Fixture * f, VvasContext * ctx, int fd)
{
  VvasReturnType ret = VVAS_RET_SUCCESS;
  guint64 imports = xrt_count_get (XRT_CALL_BO_IMPORT);

  g_assert_cmpint (fd, >=, 0);
  g_assert_null (vvas_memory_alloc_from_dmabuf (ctx, fd, 0, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_ERROR);
  assert_logged (f, "*could not import DMA-buf*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_IMPORT), ==, imports + 1);
  f->failed_imports++;
  /* The caller keeps its fd. */
  g_assert_cmpint (fcntl (fd, F_GETFD), !=, -1);
  g_assert_cmpint (close (fd), ==, 0);
}

static void
test_dmabuf_import_memfd (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  int fd = memfd_create ("vvas-not-a-dmabuf", MFD_CLOEXEC);

  g_assert_cmpint (ftruncate (fd, SIZE), ==, 0);
  /* The emulated device imports any buffer it can map, as a driver does a
   * udmabuf: there, XRT's refusal is injected. */
  if (xrt_emu_enabled ())
    xrt_count_fail_next (XRT_CALL_BO_IMPORT, 1);
  assert_import_refused (f, ctx, fd);
  destroy_ok (ctx);
}

static void
test_dmabuf_import_dev_null (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");

  assert_import_refused (f, ctx, open ("/dev/null", O_RDWR | O_CLOEXEC));
  destroy_ok (ctx);
}

static void
test_dmabuf_import_host_context (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  VvasReturnType ret = VVAS_RET_SUCCESS;
  int fd = open ("/dev/null", O_RDWR | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_null (vvas_memory_alloc_from_dmabuf (ctx, fd, 0, &ret));
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*host only*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_IMPORT), ==, 0);
  close (fd);
  destroy_ok (ctx);
}

/* The bank an import is reported on is checked like an allocation's. */
static void
test_dmabuf_import_bad_bank (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "four_banks.xclbin");
  VvasReturnType ret = VVAS_RET_SUCCESS;
  int fd = memfd_create ("vvas-not-a-dmabuf", MFD_CLOEXEC);
  VvasMemory *mem;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, SIZE), ==, 0);
  mem = vvas_memory_alloc_from_dmabuf (ctx, fd, 2, &ret);
  g_assert_null (mem);
  g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*bank 2 *valid banks: 0, 1, 3");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_IMPORT), ==, 0);
  close (fd);
  destroy_ok (ctx);
}

/* --- vvas_memory_copy ---------------------------------------------------- */

typedef struct
{
  VvasContext *ctx;
  VvasMemory *a;                /* device memory, bank 0 */
  VvasMemory *b;                /* device memory, bank 1 */
  VvasMemory *host;             /* host memory */
} CopySet;

static void
copy_set_up (Fixture * f, CopySet * s)
{
  s->ctx = device_context (f, "two_banks.xclbin");
  s->a = alloc_ok (f, s->ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  s->b = alloc_ok (f, s->ctx, VVAS_ALLOC_TYPE_CMA, 1, SIZE);
  s->host = alloc_ok (f, s->ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);
}

/* Asserts a refused copy moved, mapped and marked nothing. */
static void
assert_copy_refused (Fixture * f, CopySet * s, VvasMemory * dst,
    size_t dst_offset, VvasMemory * src, size_t src_offset, size_t size,
    const gchar * pattern)
{
  g_assert_cmpint (vvas_memory_copy (dst, dst_offset, src, src_offset, size),
      ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, pattern);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 0);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
  g_assert_cmpint (map_state (s->a), ==, VVAS_DATA_MAP_NONE);
  g_assert_cmpint (map_state (s->b), ==, VVAS_DATA_MAP_NONE);
  g_assert_cmpint (map_state (s->host), ==, VVAS_DATA_MAP_NONE);
  g_assert_cmpint (sync_state (s->a), ==, VVAS_DATA_SYNC_NONE);
  g_assert_cmpint (sync_state (s->b), ==, VVAS_DATA_SYNC_NONE);
}

static void
copy_tear_down (CopySet * s)
{
  vvas_memory_free (s->a);
  vvas_memory_free (s->b);
  vvas_memory_free (s->host);
  destroy_ok (s->ctx);
}

static void
test_copy_same_memory (Fixture * f, gconstpointer unused)
{
  CopySet s;

  copy_set_up (f, &s);
  assert_copy_refused (f, &s, s.a, 0, s.a, 64, 16, "*same memory*");
  assert_copy_refused (f, &s, s.host, 0, s.host, 64, 16, "*same memory*");
  copy_tear_down (&s);
}

static void
test_copy_size_zero (Fixture * f, gconstpointer unused)
{
  CopySet s;

  copy_set_up (f, &s);
  assert_copy_refused (f, &s, s.a, 0, s.b, 0, 0, "*size is 0*");
  assert_copy_refused (f, &s, s.host, 0, s.a, 0, 0, "*size is 0*");
  copy_tear_down (&s);
}

static void
test_copy_past_the_end (Fixture * f, gconstpointer unused)
{
  CopySet s;

  copy_set_up (f, &s);
  assert_copy_refused (f, &s, s.a, 0, s.b, 0, SIZE + 1,
      "*past the end of src*");
  assert_copy_refused (f, &s, s.a, 0, s.b, 1, SIZE, "*past the end of src*");
  assert_copy_refused (f, &s, s.a, 1, s.b, 0, SIZE, "*past the end of dst*");
  assert_copy_refused (f, &s, s.a, 0, s.b, SIZE, 1, "*past the end of src*");
  assert_copy_refused (f, &s, s.a, 0, s.b, SIZE + 1, 1,
      "*past the end of src*");
  assert_copy_refused (f, &s, s.host, SIZE, s.a, 0, 1, "*past the end of dst*");
  assert_copy_refused (f, &s, s.a, SIZE - 8, s.host, 0, 16,
      "*past the end of dst*");
  copy_tear_down (&s);
}

static void
test_copy_offset_overflow (Fixture * f, gconstpointer unused)
{
  CopySet s;

  copy_set_up (f, &s);
  /* offset + size wraps around to a small number: still refused. */
  assert_copy_refused (f, &s, s.a, 0, s.b, SIZE_MAX, 16,
      "*past the end of src*");
  assert_copy_refused (f, &s, s.a, SIZE_MAX, s.b, 0, 16,
      "*past the end of dst*");
  assert_copy_refused (f, &s, s.a, 16, s.b, 0, SIZE_MAX,
      "*past the end of src*");
  assert_copy_refused (f, &s, s.a, 0, s.b, 16, SIZE_MAX - 15,
      "*past the end of src*");
  assert_copy_refused (f, &s, s.host, SIZE_MAX - 15, s.a, 0, 16,
      "*past the end of dst*");
  copy_tear_down (&s);
}

/* --- Host and device access (vvas_memory_priv.h) ------------------------- */

static void
test_null_access (Fixture * f, gconstpointer unused)
{
  g_assert_null (vvas_memory_get_host_address (NULL));
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpint (vvas_memory_begin_host_access (NULL, VVAS_DATA_MAP_READ),
      ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_mem is NULL*");
  vvas_memory_end_host_access (NULL, VVAS_DATA_MAP_WRITE);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpint (vvas_memory_begin_device_access (NULL,
          VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_mem is NULL*");
  vvas_memory_end_device_access (NULL, VVAS_DATA_MAP_WRITE);
  assert_logged (f, "*vvas_mem is NULL*");
  /* NULL with bad flags: the NULL is what is reported. */
  g_assert_cmpint (vvas_memory_begin_host_access (NULL, (VvasDataMapFlags) 0),
      ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpint (vvas_memory_begin_device_access (NULL,
          (VvasDataMapFlags) 0xff), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*vvas_mem is NULL*");
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
}

static const guint bad_access_flags[] = {
  0, 4, 8, 0xff, VVAS_DATA_MAP_READ | 4, VVAS_DATA_MAP_WRITE | 0x100,
  VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE | 0x80000000u,
};

/* Refused before any transfer: the pending one stays, nothing is marked. */
static void
test_begin_host_access_bad_flags (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  guint i;

  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  for (i = 0; i < G_N_ELEMENTS (bad_access_flags); i++) {
    g_assert_cmpint (vvas_memory_begin_host_access (mem,
            (VvasDataMapFlags) bad_access_flags[i]), ==, VVAS_RET_INVALID_ARGS);
    assert_logged (f, "*flags must be*");
    g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);
    g_assert_cmpint (map_state (mem), ==, VVAS_DATA_MAP_NONE);
  }
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
  /* Still usable afterwards. */
  g_assert_cmpint (vvas_memory_begin_host_access (mem, VVAS_DATA_MAP_READ),
      ==, VVAS_RET_SUCCESS);
  vvas_memory_end_host_access (mem, VVAS_DATA_MAP_READ);
  assert_nothing_logged (f);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 1);
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

static void
test_begin_device_access_bad_flags (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 1, SIZE);
  guint i;

  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_TO_DEVICE);
  for (i = 0; i < G_N_ELEMENTS (bad_access_flags); i++) {
    g_assert_cmpint (vvas_memory_begin_device_access (mem,
            (VvasDataMapFlags) bad_access_flags[i]), ==, VVAS_RET_INVALID_ARGS);
    assert_logged (f, "*flags must be*");
    g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_TO_DEVICE);
  }
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
  g_assert_cmpint (vvas_memory_begin_device_access (mem, VVAS_DATA_MAP_READ),
      ==, VVAS_RET_SUCCESS);
  vvas_memory_end_device_access (mem, VVAS_DATA_MAP_READ);
  assert_nothing_logged (f);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 1);
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

/* Refuses device access to @mem, host memory, whatever the flags. */
static void
assert_device_access_refused (Fixture * f, VvasMemory * mem)
{
  const VvasDataMapFlags flags[] = { VVAS_DATA_MAP_READ, VVAS_DATA_MAP_WRITE,
    VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (flags); i++) {
    g_assert_cmpint (vvas_memory_begin_device_access (mem, flags[i]), ==,
        VVAS_RET_INVALID_ARGS);
    assert_logged (f, "*host memory has no device copy*");
    g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_NONE);
  }
  /* Host access to it is fine and moves nothing. */
  g_assert_cmpint (vvas_memory_begin_host_access (mem, VVAS_DATA_MAP_WRITE),
      ==, VVAS_RET_SUCCESS);
  vvas_memory_end_host_access (mem, VVAS_DATA_MAP_WRITE);
  g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_NONE);
  g_assert_nonnull (vvas_memory_get_host_address (mem));
  assert_nothing_logged (f);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
}

static void
test_device_access_host_memory (Fixture * f, gconstpointer unused)
{
  VvasContext *dev_ctx = device_context (f, "two_banks.xclbin");
  VvasContext *host_ctx = host_context (f);
  guint8 *data = g_malloc0 (SIZE);
  guint freed = 0;
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasMemory *mems[3];
  guint i;

  mems[0] = alloc_ok (f, dev_ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);
  mems[1] = alloc_ok (f, host_ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);
  mems[2] = vvas_memory_alloc_from_data (dev_ctx, data, SIZE, count_free_cb,
      &freed, &ret);
  g_assert_nonnull (mems[2]);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_true (vvas_memory_get_host_address (mems[2]) == data);
  for (i = 0; i < G_N_ELEMENTS (mems); i++) {
    assert_device_access_refused (f, mems[i]);
    vvas_memory_free (mems[i]);
  }
  g_assert_cmpuint (freed, ==, 1);
  g_free (data);
  destroy_ok (host_ctx);
  destroy_ok (dev_ctx);
}

/* The host address is the one a map gives, and taking it maps nothing. */
static void
test_host_address_is_no_map (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  VvasMemoryMapInfo info;
  guint8 *host;

  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  host = vvas_memory_get_host_address (mem);
  g_assert_nonnull (host);
  g_assert_cmpint (map_state (mem), ==, VVAS_DATA_MAP_NONE);
  g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
  /* Nothing to unmap. */
  info.data = host;
  info.size = SIZE;
  g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_INVALID_ARGS);
  assert_logged (f, "*not mapped*");
  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_READ, &info), ==,
      VVAS_RET_SUCCESS);
  g_assert_true (info.data == host);
  g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_SUCCESS);
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

/* A failed transfer: one error naming it, pending kept, nothing marked. */
static void
test_access_transfer_fails (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);

  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  xrt_count_fail_next (XRT_CALL_SYNC_FROM_DEVICE, 1);
  g_assert_cmpint (vvas_memory_begin_host_access (mem,
          VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE), ==, VVAS_RET_ERROR);
  assert_logged (f, "*transfer*from the device*");
  g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);

  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_TO_DEVICE);
  xrt_count_fail_next (XRT_CALL_SYNC_TO_DEVICE, 1);
  g_assert_cmpint (vvas_memory_begin_device_access (mem,
          VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE), ==, VVAS_RET_ERROR);
  assert_logged (f, "*transfer*to the device*");
  g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 1);
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

/*
 * The end functions check the flags given back to them: bits outside
 * READ|WRITE, or none, are reported and mark nothing pending.
 */
static void
test_access_end_bad_flags (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = device_context (f, "two_banks.xclbin");
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad_access_flags); i++) {
    vvas_memory_end_host_access (mem, (VvasDataMapFlags) bad_access_flags[i]);
    g_assert_cmpuint (f->errors->len, ==, 1);
    g_ptr_array_set_size (f->errors, 0);
    g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_NONE);
    vvas_memory_end_device_access (mem, (VvasDataMapFlags) bad_access_flags[i]);
    g_assert_cmpuint (f->errors->len, ==, 1);
    g_ptr_array_set_size (f->errors, 0);
    g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_NONE);
    vvas_memory_unset_sync_flag (mem, VVAS_DATA_SYNC_TO_DEVICE |
        VVAS_DATA_SYNC_FROM_DEVICE);
  }
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

/* The end of a device access refuses host memory, as its beginning does. */
static void
test_access_end_device_host_memory (Fixture * f, gconstpointer unused)
{
  VvasContext *ctx = host_context (f);
  VvasMemory *mem = alloc_ok (f, ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);

  vvas_memory_end_device_access (mem, VVAS_DATA_MAP_WRITE);
  g_assert_cmpuint (f->errors->len, ==, 1);
  g_ptr_array_set_size (f->errors, 0);
  g_assert_cmpint (sync_state (mem), ==, VVAS_DATA_SYNC_NONE);
  vvas_memory_free (mem);
  destroy_ok (ctx);
}

/* --- Logging ------------------------------------------------------------- */

static void
test_log_bad_default_level (Fixture * f, gconstpointer unused)
{
  VvasLogLevel before = vvas_log_get_default_level ();

  vvas_log_set_default_level ((VvasLogLevel) 8);
  assert_logged (f, "*level is not a VvasLogLevel*");
  g_assert_cmpint (vvas_log_get_default_level (), ==, before);
  vvas_log_set_default_level ((VvasLogLevel) - 1);
  assert_logged (f, "*level is not a VvasLogLevel*");
  g_assert_cmpint (vvas_log_get_default_level (), ==, before);
}

/* --- The XRT environment (each in a child process) ----------------------- */

/* In the child: a device context cannot be made, and nothing aborts. */
static void
child_create_fails (void)
{
  VvasReturnType ret = VVAS_RET_SUCCESS;
  VvasContext *ctx;

  ctx = vvas_context_create (0, (char *) test_util_path ("two_banks.xclbin"),
      LOG_LEVEL_WARNING, &ret);
  g_assert_null (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_ERROR);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 0);
}

static void
test_env_xilinx_xrt_unset (void)
{
  if (g_test_subprocess ()) {
    g_unsetenv ("XILINX_XRT");
    child_create_fails ();
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*XILINX_XRT is not set*");
}

static void
test_env_xilinx_xrt_no_lib (void)
{
  if (g_test_subprocess ()) {
    gchar *root = g_dir_make_tmp ("vvas-no-xrt-XXXXXX", NULL);

    g_assert_nonnull (root);
    g_setenv ("XILINX_XRT", root, TRUE);
    child_create_fails ();
    g_assert_cmpint (g_rmdir (root), ==, 0);
    g_free (root);
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*vvas-no-xrt-*/lib/libxrt_noop.so.2 is "
      "missing*");
}

static void
test_env_emulation_mode_bogus (void)
{
  if (g_test_subprocess ()) {
    g_setenv ("XCL_EMULATION_MODE", "bogus", TRUE);
    child_create_fails ();
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*XCL_EMULATION_MODE='bogus'*");
}

/* The real hardware path, on a machine without a card. */
static void
test_env_hardware_no_card (void)
{
  if (g_test_subprocess ()) {
    VvasReturnType ret = VVAS_RET_SUCCESS;
    VvasContext *ctx;

    g_unsetenv ("XCL_EMULATION_MODE");
    ctx = vvas_context_create (63, (char *) test_util_path
        ("two_banks.xclbin"), LOG_LEVEL_WARNING, &ret);
    g_assert_null (ctx);
    g_assert_cmpint (ret, ==, VVAS_RET_ERROR);
    g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==,
        xrt_count_get (XRT_CALL_DEVICE_CLOSE) + 1);
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*device 63*");
}

int
main (int argc, char **argv)
{
  int res;
  guint i;

  g_test_init (&argc, &argv, NULL);
  test_util_init ();

#define ADD(name, func) \
  g_test_add ("/bad-input/" name, Fixture, NULL, fixture_set_up, func, \
      fixture_tear_down)

  ADD ("null/context-destroy", test_null_context_destroy);
  ADD ("null/context-helpers", test_null_context_helpers);
  ADD ("null/context-alloc", test_null_context_alloc);
  ADD ("null/context-alloc-from-data", test_null_context_alloc_from_data);
  ADD ("null/data-alloc-from-data", test_null_data_alloc_from_data);
  ADD ("null/context-alloc-from-dmabuf", test_null_context_alloc_from_dmabuf);
  ADD ("null/map", test_null_map);
  ADD ("null/unmap", test_null_unmap);
  ADD ("null/set-metadata", test_null_set_metadata);
  ADD ("null/get-metadata", test_null_get_metadata);
  ADD ("null/getters", test_null_getters);
  ADD ("null/private-helpers", test_null_private_helpers);
  ADD ("null/memory-free", test_null_memory_free);
  ADD ("null/export", test_null_export);
  ADD ("null/copy", test_null_copy);
  ADD ("null/optional-ret", test_null_optional_ret);

  ADD ("alloc/size-zero-cma", test_size_zero_cma);
  ADD ("alloc/size-zero-non-cma", test_size_zero_non_cma);
  ADD ("alloc/size-zero-from-data", test_size_zero_from_data);
  ADD ("alloc/size-max-cma", test_size_max_cma);
  ADD ("alloc/size-max-cma-no-topology", test_size_max_cma_no_topology);
  ADD ("alloc/size-max-non-cma", test_size_max_non_cma);
  ADD ("alloc/unknown-mem-type", test_unknown_mem_type);
  ADD ("alloc/bad-mem-flags", test_bad_mem_flags);
  ADD ("alloc/cma-on-host-context", test_cma_on_host_context);
  ADD ("alloc/bank-out-of-range", test_bank_out_of_range);
  ADD ("alloc/bank-unused", test_bank_unused);

  ADD ("map/bad-flags", test_map_bad_flags);
  ADD ("map/unmap-twice", test_unmap_twice);
  ADD ("map/unmap-never-mapped", test_unmap_never_mapped);
  ADD ("map/unmap-foreign-info", test_unmap_foreign_info);
  ADD ("map/failure-leaves-unmapped", test_map_failure_leaves_unmapped);
  ADD ("map/bad-sync-flags", test_bad_sync_flags);

  ADD ("context/bad-dev-idx", test_context_bad_dev_idx);
  ADD ("context/host-with-xclbin", test_context_host_with_xclbin);
  ADD ("context/empty-xclbin-path", test_context_empty_xclbin_path);
  ADD ("context/bad-log-level", test_context_bad_log_level);
  ADD ("context/destroyed-twice", test_context_destroyed_twice);
  ADD ("context/alloc-from-destroyed", test_alloc_from_destroyed_context);

  for (i = 0; i < G_N_ELEMENTS (xclbin_cases); i++) {
    gchar *name = g_strdup_printf ("/bad-input/xclbin/%s",
        xclbin_cases[i].file);

    g_test_add (name, Fixture, &xclbin_cases[i], fixture_set_up,
        test_xclbin_broken, fixture_tear_down);
    g_free (name);
  }
  ADD ("xclbin/directory.xclbin", test_xclbin_directory);

  ADD ("xrt/device-open-fails", test_xrt_device_open_fails);
  ADD ("xrt/load-xclbin-fails", test_xrt_load_xclbin_fails);
  ADD ("xrt/bo-alloc-fails", test_xrt_bo_alloc_fails);
  ADD ("xrt/bo-map-fails", test_xrt_bo_map_fails);

  ADD ("dmabuf/export-noop", test_dmabuf_export_noop);
  ADD ("dmabuf/export-non-cma", test_dmabuf_export_non_cma);
  ADD ("dmabuf/import-negative-fd", test_dmabuf_import_negative_fd);
  ADD ("dmabuf/import-memfd", test_dmabuf_import_memfd);
  ADD ("dmabuf/import-dev-null", test_dmabuf_import_dev_null);
  ADD ("dmabuf/import-host-context", test_dmabuf_import_host_context);
  ADD ("dmabuf/import-bad-bank", test_dmabuf_import_bad_bank);

  ADD ("copy/same-memory", test_copy_same_memory);
  ADD ("copy/size-zero", test_copy_size_zero);
  ADD ("copy/past-the-end", test_copy_past_the_end);
  ADD ("copy/offset-overflow", test_copy_offset_overflow);

  ADD ("log/bad-default-level", test_log_bad_default_level);

  ADD ("null/access", test_null_access);
  ADD ("access/begin-host-bad-flags", test_begin_host_access_bad_flags);
  ADD ("access/begin-device-bad-flags", test_begin_device_access_bad_flags);
  ADD ("access/device-on-host-memory", test_device_access_host_memory);
  ADD ("access/host-address-is-no-map", test_host_address_is_no_map);
  ADD ("access/transfer-fails", test_access_transfer_fails);
  ADD ("access/end-bad-flags", test_access_end_bad_flags);
  ADD ("access/end-device-host-memory", test_access_end_device_host_memory);

  g_test_add_func ("/bad-input/env/xilinx-xrt-unset",
      test_env_xilinx_xrt_unset);
  g_test_add_func ("/bad-input/env/xilinx-xrt-no-lib",
      test_env_xilinx_xrt_no_lib);
  g_test_add_func ("/bad-input/env/emulation-mode-bogus",
      test_env_emulation_mode_bogus);
  g_test_add_func ("/bad-input/env/hardware-no-card",
      test_env_hardware_no_card);

  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
