/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The host/device coherence contract, checked by the transfers XRT was
 * asked for (counted by the interposer at the XRT boundary) and, second,
 * by the library's own statistics, which must agree.
 */

#include <string.h>

#include <vvas_core/vvas_memory_priv.h>

#include "test_util.h"

#define SIZE (1920 * 1080 * 3 / 2)

typedef struct
{
  VvasContext *ctx;
  VvasMemory *mem;
} Fixture;

static void
fixture_set_up (Fixture * f, gconstpointer bank_data)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  guint8 bank = (guint8) GPOINTER_TO_UINT (bank_data);

  f->ctx = vvas_context_create (0, (char *) test_util_path
      ("two_banks.xclbin"), LOG_LEVEL_WARNING, &ret);
  g_assert_nonnull (f->ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_true (xrt_count_is_active ());
  f->mem = vvas_memory_alloc (f->ctx, VVAS_ALLOC_TYPE_CMA,
      VVAS_ALLOC_FLAG_NONE, bank, SIZE, &ret);
  g_assert_nonnull (f->mem);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  xrt_count_reset ();
  vvas_context_reset_transfer_stats (f->ctx);
}

static void
fixture_tear_down (Fixture * f, gconstpointer unused)
{
  vvas_memory_free (f->mem);
  g_assert_cmpint (vvas_context_destroy (f->ctx), ==, VVAS_RET_SUCCESS);
}

/* Asserts the transfers since the fixture's reset, at XRT and in stats. */
static void
assert_transfers (Fixture * f, guint64 to_device, guint64 from_device)
{
  VvasTransferStats stats;

  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, to_device);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, from_device);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_TO_DEVICE), ==,
      to_device * SIZE);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_FROM_DEVICE), ==,
      from_device * SIZE);

  g_assert_cmpint (vvas_context_get_transfer_stats (f->ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device, ==, to_device);
  g_assert_cmpuint (stats.syncs_from_device, ==, from_device);
  g_assert_cmpuint (stats.bytes_to_device, ==, to_device * SIZE);
  g_assert_cmpuint (stats.bytes_from_device, ==, from_device * SIZE);
}

static VvasDataSyncFlags
pending (Fixture * f)
{
  VvasAllocationInfo info;

  g_assert_cmpint (vvas_memory_get_allocation_info (f->mem, &info), ==,
      VVAS_RET_SUCCESS);
  return info.sync_flags;
}

static void
map_unmap (Fixture * f, VvasDataMapFlags flags)
{
  VvasMemoryMapInfo info = { 0 };

  g_assert_cmpint (vvas_memory_map (f->mem, flags, &info), ==,
      VVAS_RET_SUCCESS);
  g_assert_nonnull (info.data);
  g_assert_cmpuint (info.size, ==, SIZE);
  g_assert_cmpint (vvas_memory_unmap (f->mem, &info), ==, VVAS_RET_SUCCESS);
}

/* A kernel ran on the buffer: inputs synced first, then it wrote it. */
static void
device_writes (Fixture * f)
{
  vvas_memory_sync_data (f->mem, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_set_sync_flag (f->mem, VVAS_DATA_SYNC_FROM_DEVICE);
}

static void
test_fresh_map_read (Fixture * f, gconstpointer unused)
{
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  map_unmap (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

static void
test_fresh_map_write (Fixture * f, gconstpointer unused)
{
  map_unmap (f, VVAS_DATA_MAP_WRITE);
  assert_transfers (f, 0, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
}

static void
test_write_then_device_use (Fixture * f, gconstpointer unused)
{
  map_unmap (f, VVAS_DATA_MAP_WRITE);
  vvas_memory_sync_data (f->mem, VVAS_DATA_SYNC_TO_DEVICE);
  assert_transfers (f, 1, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  /* A second device use with nothing new on the host moves nothing. */
  vvas_memory_sync_data (f->mem, VVAS_DATA_SYNC_TO_DEVICE);
  assert_transfers (f, 1, 0);
}

static void
test_two_writes_one_transfer (Fixture * f, gconstpointer unused)
{
  map_unmap (f, VVAS_DATA_MAP_WRITE);
  map_unmap (f, VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE);
  map_unmap (f, VVAS_DATA_MAP_READ);
  vvas_memory_sync_data (f->mem, VVAS_DATA_SYNC_TO_DEVICE);
  assert_transfers (f, 1, 0);
}

static void
test_device_wrote_two_reads (Fixture * f, gconstpointer unused)
{
  device_writes (f);
  assert_transfers (f, 0, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  map_unmap (f, VVAS_DATA_MAP_READ);
  map_unmap (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

static void
test_device_wrote_write_only_map (Fixture * f, gconstpointer unused)
{
  device_writes (f);
  map_unmap (f, VVAS_DATA_MAP_WRITE);
  assert_transfers (f, 0, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_sync_data (f->mem, VVAS_DATA_SYNC_TO_DEVICE);
  assert_transfers (f, 1, 1);
}

static void
test_device_use_nothing_pending (Fixture * f, gconstpointer unused)
{
  vvas_memory_sync_data (f->mem, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_sync_data (f->mem, VVAS_DATA_SYNC_FROM_DEVICE);
  map_unmap (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 0);
}

static void
test_read_keeps_host_newer (Fixture * f, gconstpointer unused)
{
  map_unmap (f, VVAS_DATA_MAP_WRITE);
  map_unmap (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
}

static void
test_pipeline_round_trip (Fixture * f, gconstpointer unused)
{
  guint frame;

  /* Host writes, kernel reads and writes in place, host reads: per frame
   * one transfer each way, whatever the number of maps. */
  for (frame = 0; frame < 5; frame++) {
    map_unmap (f, VVAS_DATA_MAP_WRITE);
    device_writes (f);
    map_unmap (f, VVAS_DATA_MAP_READ);
    map_unmap (f, VVAS_DATA_MAP_READ);
  }
  assert_transfers (f, 5, 5);
}

static void
test_failed_transfer_fails_map (Fixture * f, gconstpointer unused)
{
  VvasMemoryMapInfo info = { 0 };

  device_writes (f);
  xrt_count_fail_next (XRT_CALL_SYNC_FROM_DEVICE, 1);
  g_assert_cmpint (vvas_memory_map (f->mem, VVAS_DATA_MAP_READ, &info), ==,
      VVAS_RET_ERROR);
  g_assert_null (info.data);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  /* Not reported as done, and not mapped: unmap is refused. */
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 1);
  {
    VvasTransferStats stats;
    vvas_context_get_transfer_stats (f->ctx, &stats);
    g_assert_cmpuint (stats.syncs_from_device, ==, 0);
  }
  info.data = NULL;
  /* The next map retries the transfer and succeeds. */
  map_unmap (f, VVAS_DATA_MAP_READ);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 2);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

static void
test_failed_sync_to_device_stays_pending (Fixture * f, gconstpointer unused)
{
  map_unmap (f, VVAS_DATA_MAP_WRITE);
  xrt_count_fail_next (XRT_CALL_SYNC_TO_DEVICE, 1);
  vvas_memory_sync_data (f->mem, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_sync_data (f->mem, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 2);
}

static void
test_set_flag_newest_wins (Fixture * f, gconstpointer unused)
{
  map_unmap (f, VVAS_DATA_MAP_WRITE);
  /* The kernel overwrote the whole buffer without reading it. */
  vvas_memory_set_sync_flag (f->mem, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  vvas_memory_unset_sync_flag (f->mem, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  map_unmap (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 0);
}

static void
test_data_round_trip (Fixture * f, gconstpointer unused)
{
  VvasMemoryMapInfo info;
  gsize i;

  g_assert_cmpint (vvas_memory_map (f->mem, VVAS_DATA_MAP_WRITE, &info), ==,
      VVAS_RET_SUCCESS);
  for (i = 0; i < SIZE; i++)
    info.data[i] = (guint8) (i * 7 + 3);
  vvas_memory_unmap (f->mem, &info);
  device_writes (f);
  g_assert_cmpint (vvas_memory_map (f->mem, VVAS_DATA_MAP_READ, &info), ==,
      VVAS_RET_SUCCESS);
  for (i = 0; i < SIZE; i++)
    if (info.data[i] != (guint8) (i * 7 + 3))
      g_error ("byte %" G_GSIZE_FORMAT " differs", i);
  vvas_memory_unmap (f->mem, &info);
  assert_transfers (f, 1, 1);
}

static void
test_host_memory_never_transfers (void)
{
  VvasContext *ctx = vvas_context_create (-1, NULL, LOG_LEVEL_WARNING, NULL);
  VvasMemory *mem;
  VvasMemoryMapInfo info;
  VvasAllocationInfo alloc;

  g_assert_nonnull (ctx);
  xrt_count_reset ();
  mem = vvas_memory_alloc (ctx, VVAS_ALLOC_TYPE_NON_CMA, VVAS_ALLOC_FLAG_NONE,
      0, 4096, NULL);
  g_assert_nonnull (mem);
  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_WRITE, &info), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_SUCCESS);
  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  vvas_memory_sync_data (mem, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (vvas_memory_map (mem, VVAS_DATA_MAP_READ, &info), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_SUCCESS);
  vvas_memory_get_allocation_info (mem, &alloc);
  g_assert_cmpint (alloc.sync_flags, ==, VVAS_DATA_SYNC_NONE);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
  vvas_memory_free (mem);
  vvas_context_destroy (ctx);
}

static void
test_device_copy (Fixture * f, gconstpointer unused)
{
  VvasReturnType ret;
  VvasMemory *dst = vvas_memory_alloc (f->ctx, VVAS_ALLOC_TYPE_CMA,
      VVAS_ALLOC_FLAG_NONE, 1, SIZE, &ret);
  VvasAllocationInfo info;

  g_assert_nonnull (dst);
  /* Source device copy current: copy on the device, no sync. */
  g_assert_cmpint (vvas_memory_copy (dst, 0, f->mem, 0, SIZE), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 1);
  assert_transfers (f, 0, 0);
  vvas_memory_get_allocation_info (dst, &info);
  g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_FROM_DEVICE);

  /* Source newer on the host: copied through host maps, no BO copy. */
  map_unmap (f, VVAS_DATA_MAP_WRITE);
  g_assert_cmpint (vvas_memory_copy (dst, 16, f->mem, 0, 1024), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 1);
  /* dst's device copy was newer: refreshed once before the host write. */
  assert_transfers (f, 0, 1);
  vvas_memory_get_allocation_info (dst, &info);
  g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_free (dst);
}

int
main (int argc, char **argv)
{
  int res;

  g_test_init (&argc, &argv, NULL);
  test_util_init ();

#define ADD(name, func, bank) \
  g_test_add ("/coherence/" name, Fixture, GUINT_TO_POINTER (bank), \
      fixture_set_up, func, fixture_tear_down)
#define ADD_BOTH_BANKS(name, func) \
  ADD (name "/bank0", func, 0); ADD (name "/bank1", func, 1)

  ADD_BOTH_BANKS ("fresh-map-read", test_fresh_map_read);
  ADD_BOTH_BANKS ("fresh-map-write", test_fresh_map_write);
  ADD_BOTH_BANKS ("write-then-device-use", test_write_then_device_use);
  ADD_BOTH_BANKS ("two-writes-one-transfer", test_two_writes_one_transfer);
  ADD_BOTH_BANKS ("device-wrote-two-reads", test_device_wrote_two_reads);
  ADD_BOTH_BANKS ("device-wrote-write-only-map",
      test_device_wrote_write_only_map);
  ADD_BOTH_BANKS ("device-use-nothing-pending",
      test_device_use_nothing_pending);
  ADD_BOTH_BANKS ("read-keeps-host-newer", test_read_keeps_host_newer);
  ADD_BOTH_BANKS ("pipeline-round-trip", test_pipeline_round_trip);
  ADD_BOTH_BANKS ("failed-transfer-fails-map", test_failed_transfer_fails_map);
  ADD_BOTH_BANKS ("failed-sync-to-device-stays-pending",
      test_failed_sync_to_device_stays_pending);
  ADD_BOTH_BANKS ("set-flag-newest-wins", test_set_flag_newest_wins);
  ADD_BOTH_BANKS ("data-round-trip", test_data_round_trip);
  ADD ("device-copy", test_device_copy, 0);
  g_test_add_func ("/coherence/host-memory-never-transfers",
      test_host_memory_never_transfers);

  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
