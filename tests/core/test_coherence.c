/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The host/device coherence contract, checked by the transfers XRT was
 * asked for (counted by the interposer at the XRT boundary) and, second,
 * by the library's own statistics, which must agree: through core maps,
 * through the host and device accesses of vvas_memory_priv.h, and with one
 * thing happening while a transfer is in progress (the interposer's sync
 * hook runs it inside xrtBOSync, so the interleaving is deterministic).
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
  /* The bank, in the low byte; a case number may follow (see CASE). */
  guint8 bank = (guint8) (GPOINTER_TO_UINT (bank_data) & 0xff);

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

/* --- Host and device access without a map count -------------------------- */

/*
 * vvas_memory_begin/end_host_access and vvas_memory_begin/end_device_access:
 * the coherence of a map, and of a kernel run, for a layer that counts its
 * maps itself.
 */

static void
host_access (Fixture * f, VvasDataMapFlags flags)
{
  g_assert_cmpint (vvas_memory_begin_host_access (f->mem, flags), ==,
      VVAS_RET_SUCCESS);
  vvas_memory_end_host_access (f->mem, flags);
}

static void
device_access (Fixture * f, VvasDataMapFlags flags)
{
  g_assert_cmpint (vvas_memory_begin_device_access (f->mem, flags), ==,
      VVAS_RET_SUCCESS);
  vvas_memory_end_device_access (f->mem, flags);
}

static VvasDataMapFlags
mapped (Fixture * f)
{
  VvasAllocationInfo info;

  g_assert_cmpint (vvas_memory_get_allocation_info (f->mem, &info), ==,
      VVAS_RET_SUCCESS);
  return info.map_flags;
}

static void
test_access_fresh (Fixture * f, gconstpointer unused)
{
  host_access (f, VVAS_DATA_MAP_READ);
  device_access (f, VVAS_DATA_MAP_READ);
  host_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  /* Accesses are not maps. */
  g_assert_cmpint (mapped (f), ==, VVAS_DATA_MAP_NONE);
}

static void
test_access_host_write_device_read (Fixture * f, gconstpointer unused)
{
  g_assert_cmpint (vvas_memory_begin_host_access (f->mem,
          VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (mapped (f), ==, VVAS_DATA_MAP_NONE);
  vvas_memory_end_host_access (f->mem, VVAS_DATA_MAP_WRITE);
  assert_transfers (f, 0, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);

  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  /* A second device use with nothing new on the host moves nothing. */
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 0);
  /* Nor does reading on the host what the host wrote. */
  host_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 0);
}

static void
test_access_two_host_writes_one_transfer (Fixture * f, gconstpointer unused)
{
  host_access (f, VVAS_DATA_MAP_WRITE);
  host_access (f, VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE);
  map_unmap (f, VVAS_DATA_MAP_WRITE);
  device_access (f, VVAS_DATA_MAP_READ);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

static void
test_access_device_write_two_host_reads (Fixture * f, gconstpointer unused)
{
  g_assert_cmpint (vvas_memory_begin_device_access (f->mem,
          VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  vvas_memory_end_device_access (f->mem, VVAS_DATA_MAP_WRITE);
  assert_transfers (f, 0, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);

  host_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  host_access (f, VVAS_DATA_MAP_READ);
  map_unmap (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 1);
  /* The device copy is current: using it again moves nothing. */
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 1);
}

/* A kernel reading and writing in place: inputs first, then its output. */
static void
test_access_device_read_write (Fixture * f, gconstpointer unused)
{
  host_access (f, VVAS_DATA_MAP_WRITE);
  device_access (f, VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE);
  assert_transfers (f, 1, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  host_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

static void
test_access_write_only_refreshes (Fixture * f, gconstpointer unused)
{
  device_access (f, VVAS_DATA_MAP_WRITE);
  /* A host writer may write part of the buffer only: refreshed first. */
  g_assert_cmpint (vvas_memory_begin_host_access (f->mem,
          VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
  assert_transfers (f, 0, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
  vvas_memory_end_host_access (f->mem, VVAS_DATA_MAP_WRITE);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

static void
test_access_pipeline_round_trip (Fixture * f, gconstpointer unused)
{
  guint frame;

  /* Per frame: host writes, kernel reads and writes in place, two host
   * reads, a core map of the output: one transfer each way. */
  for (frame = 0; frame < 5; frame++) {
    host_access (f, VVAS_DATA_MAP_WRITE);
    device_access (f, VVAS_DATA_MAP_READ);
    device_access (f, VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE);
    host_access (f, VVAS_DATA_MAP_READ);
    host_access (f, VVAS_DATA_MAP_READ);
    map_unmap (f, VVAS_DATA_MAP_READ);
  }
  assert_transfers (f, 5, 5);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

/* The host address is the map's, and taking it maps and moves nothing. */
static void
test_access_data_round_trip (Fixture * f, gconstpointer unused)
{
  VvasMemoryMapInfo info = { 0 };
  guint8 *host;
  gsize i;

  device_access (f, VVAS_DATA_MAP_WRITE);
  host = vvas_memory_get_host_address (f->mem);
  g_assert_nonnull (host);
  assert_transfers (f, 0, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (mapped (f), ==, VVAS_DATA_MAP_NONE);

  g_assert_cmpint (vvas_memory_begin_host_access (f->mem,
          VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
  for (i = 0; i < SIZE; i++)
    host[i] = (guint8) (i * 13 + 5);
  vvas_memory_end_host_access (f->mem, VVAS_DATA_MAP_WRITE);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 1);

  g_assert_cmpint (vvas_memory_map (f->mem, VVAS_DATA_MAP_READ, &info), ==,
      VVAS_RET_SUCCESS);
  g_assert_true (info.data == host);
  for (i = 0; i < SIZE; i++)
    if (info.data[i] != (guint8) (i * 13 + 5))
      g_error ("byte %" G_GSIZE_FORMAT " differs", i);
  g_assert_cmpint (vvas_memory_unmap (f->mem, &info), ==, VVAS_RET_SUCCESS);
  assert_transfers (f, 1, 1);
}

static void
test_access_failed_host_refresh (Fixture * f, gconstpointer unused)
{
  VvasTransferStats stats;
  guint i;

  device_access (f, VVAS_DATA_MAP_WRITE);
  for (i = 0; i < 2; i++) {
    VvasDataMapFlags flags = i == 0 ? VVAS_DATA_MAP_READ : VVAS_DATA_MAP_WRITE;

    xrt_count_fail_next (XRT_CALL_SYNC_FROM_DEVICE, 1);
    g_assert_cmpint (vvas_memory_begin_host_access (f->mem, flags), ==,
        VVAS_RET_ERROR);
    /* Still pending; a failed write access marked nothing newer. */
    g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);
    g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, i + 1);
  }
  /* Not reported as done. */
  g_assert_cmpint (vvas_context_get_transfer_stats (f->ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_from_device, ==, 0);
  /* The next access transfers, once. */
  host_access (f, VVAS_DATA_MAP_READ);
  host_access (f, VVAS_DATA_MAP_READ);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 3);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 0);
  g_assert_cmpint (vvas_context_get_transfer_stats (f->ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_from_device, ==, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

static void
test_access_failed_device_sync (Fixture * f, gconstpointer unused)
{
  VvasTransferStats stats;
  guint i;

  host_access (f, VVAS_DATA_MAP_WRITE);
  for (i = 0; i < 2; i++) {
    VvasDataMapFlags flags = i == 0 ? VVAS_DATA_MAP_READ :
        VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE;

    xrt_count_fail_next (XRT_CALL_SYNC_TO_DEVICE, 1);
    g_assert_cmpint (vvas_memory_begin_device_access (f->mem, flags), ==,
        VVAS_RET_ERROR);
    /* Still pending; a failed write access marked nothing newer. */
    g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
    g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, i + 1);
  }
  g_assert_cmpint (vvas_context_get_transfer_stats (f->ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device, ==, 0);
  device_access (f, VVAS_DATA_MAP_READ);
  device_access (f, VVAS_DATA_MAP_READ);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 3);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
  g_assert_cmpint (vvas_context_get_transfer_stats (f->ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_to_device, ==, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

/*
 * A core writer's map is held: the kernel gets the bytes as they are, and
 * the host copy stays newer for the bytes still to come.
 */
static void
test_access_device_while_core_writer_mapped (Fixture * f, gconstpointer unused)
{
  VvasMemoryMapInfo info = { 0 };

  g_assert_cmpint (vvas_memory_map (f->mem, VVAS_DATA_MAP_WRITE, &info), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_begin_device_access (f->mem,
          VVAS_DATA_MAP_READ), ==, VVAS_RET_SUCCESS);
  vvas_memory_end_device_access (f->mem, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (mapped (f), ==, VVAS_DATA_MAP_WRITE);

  /* After the unmap, the rest reaches the device once. */
  g_assert_cmpint (vvas_memory_unmap (f->mem, &info), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (vvas_memory_begin_device_access (f->mem,
          VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
  vvas_memory_end_device_access (f->mem,
      VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE);
  assert_transfers (f, 2, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 2, 0);
}

/*
 * vvas_memory_unmap() cannot tell which map ends (VvasMemoryMapInfo holds
 * no flags), so map_flags is the union of the maps held and WRITE stays
 * until the last map goes: until then a transfer to the device keeps the
 * host copy newer, as if the writer were still writing.
 */
static void
test_access_reader_keeps_writer_flag (Fixture * f, gconstpointer unused)
{
  VvasMemoryMapInfo reader = { 0 }, writer = { 0 };

  g_assert_cmpint (vvas_memory_map (f->mem, VVAS_DATA_MAP_READ, &reader), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_map (f->mem, VVAS_DATA_MAP_WRITE, &writer), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_memory_unmap (f->mem, &writer), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (mapped (f), ==, VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE);

  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);

  g_assert_cmpint (vvas_memory_unmap (f->mem, &reader), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (mapped (f), ==, VVAS_DATA_MAP_NONE);
  device_access (f, VVAS_DATA_MAP_READ);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 2, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

/* A core reader's map does not stop the device from reading. */
static void
test_access_device_while_core_reader_mapped (Fixture * f, gconstpointer unused)
{
  VvasMemoryMapInfo info = { 0 };

  host_access (f, VVAS_DATA_MAP_WRITE);
  g_assert_cmpint (vvas_memory_map (f->mem, VVAS_DATA_MAP_READ, &info), ==,
      VVAS_RET_SUCCESS);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  g_assert_cmpint (vvas_memory_unmap (f->mem, &info), ==, VVAS_RET_SUCCESS);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 0);
}

/* The host began writing before the kernel ran and ended after it. */
static void
test_access_host_write_spans_device_access (Fixture * f, gconstpointer unused)
{
  g_assert_cmpint (vvas_memory_begin_host_access (f->mem,
          VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 1, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  vvas_memory_end_host_access (f->mem, VVAS_DATA_MAP_WRITE);
  /* The bytes written after the transfer must reach the device too. */
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 2, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

/* (d) The host refreshed while the kernel was still writing. */
static void
test_access_device_write_spans_host_read (Fixture * f, gconstpointer unused)
{
  g_assert_cmpint (vvas_memory_begin_device_access (f->mem,
          VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
  host_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  vvas_memory_end_device_access (f->mem, VVAS_DATA_MAP_WRITE);
  /* What the kernel wrote after the refresh must reach the host too. */
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  host_access (f, VVAS_DATA_MAP_READ);
  host_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 2);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

static void
test_access_host_memory_never_transfers (void)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx = vvas_context_create (0, (char *) test_util_path
      ("two_banks.xclbin"), LOG_LEVEL_WARNING, &ret);
  guint8 *data = g_malloc (4096);
  VvasMemory *mems[2];
  VvasAllocationInfo info;
  guint i, round;

  g_assert_nonnull (ctx);
  mems[0] = vvas_memory_alloc (ctx, VVAS_ALLOC_TYPE_NON_CMA,
      VVAS_ALLOC_FLAG_NONE, 0, 4096, NULL);
  mems[1] = vvas_memory_alloc_from_data (ctx, data, 4096, NULL, NULL, NULL);
  xrt_count_reset ();
  for (i = 0; i < G_N_ELEMENTS (mems); i++) {
    g_assert_nonnull (mems[i]);
    g_assert_true (vvas_memory_get_host_address (mems[i]) == (i == 0 ?
            vvas_memory_get_host_address (mems[0]) : data));
    for (round = 0; round < 2; round++) {
      g_assert_cmpint (vvas_memory_begin_host_access (mems[i],
              VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
      vvas_memory_end_host_access (mems[i], VVAS_DATA_MAP_WRITE);
      g_assert_cmpint (vvas_memory_begin_host_access (mems[i],
              VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
      vvas_memory_end_host_access (mems[i],
          VVAS_DATA_MAP_READ | VVAS_DATA_MAP_WRITE);
      g_assert_cmpint (vvas_memory_begin_host_access (mems[i],
              VVAS_DATA_MAP_READ), ==, VVAS_RET_SUCCESS);
      vvas_memory_end_host_access (mems[i], VVAS_DATA_MAP_READ);
    }
    g_assert_cmpint (vvas_memory_get_allocation_info (mems[i], &info), ==,
        VVAS_RET_SUCCESS);
    g_assert_cmpint (info.sync_flags, ==, VVAS_DATA_SYNC_NONE);
    g_assert_cmpint (info.map_flags, ==, VVAS_DATA_MAP_NONE);
  }
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 0);
  vvas_memory_free (mems[0]);
  vvas_memory_free (mems[1]);
  g_free (data);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* --- Interleavings, made deterministic by the sync hook ------------------ */

/* The case number of a test's data, above the bank (on bank 0). */
#define CASE(data) (GPOINTER_TO_UINT (data) >> 8)

/*
 * The hook runs inside xrtBOSync, on the thread doing the transfer, while
 * the library holds the memory's lock: what it does happens during the
 * transfer. It acts on the first transfer only; later ones are counted.
 */

typedef enum
{
  DURING_HOST_WRITE,            /* begin and end a host write access */
  DURING_HOST_WRITE_BEGUN,      /* begin a host write access, end it later */
  DURING_CORE_WRITE,            /* vvas_memory_map WRITE and unmap */
  DURING_CORE_WRITE_HELD,       /* vvas_memory_map WRITE, unmap later */
  DURING_DEVICE_WRITE_END,      /* end a device write access */
} DuringAction;

typedef struct
{
  Fixture *f;
  DuringAction action;
  XrtCall expected;             /* the direction the hook acts in */
  VvasMemoryMapInfo map;
  gint calls;                   /* atomic */
} DuringHook;

static void
during_transfer (XrtCall call, void *user_data)
{
  DuringHook *h = user_data;

  if (g_atomic_int_add (&h->calls, 1) != 0)
    return;
  g_assert_cmpint (call, ==, h->expected);
  switch (h->action) {
    case DURING_HOST_WRITE:
    case DURING_HOST_WRITE_BEGUN:
      g_assert_cmpint (vvas_memory_begin_host_access (h->f->mem,
              VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
      if (h->action == DURING_HOST_WRITE)
        vvas_memory_end_host_access (h->f->mem, VVAS_DATA_MAP_WRITE);
      break;
    case DURING_CORE_WRITE:
    case DURING_CORE_WRITE_HELD:
      g_assert_cmpint (vvas_memory_map (h->f->mem, VVAS_DATA_MAP_WRITE,
              &h->map), ==, VVAS_RET_SUCCESS);
      if (h->action == DURING_CORE_WRITE)
        g_assert_cmpint (vvas_memory_unmap (h->f->mem, &h->map), ==,
            VVAS_RET_SUCCESS);
      break;
    case DURING_DEVICE_WRITE_END:
      vvas_memory_end_device_access (h->f->mem, VVAS_DATA_MAP_WRITE);
      break;
  }
}

/* (a) The host writes while the host copy is moving to the device. */
static void
test_during_to_device_host_writes (Fixture * f, gconstpointer data)
{
  DuringHook h = { f, (DuringAction) CASE (data),
    XRT_CALL_SYNC_TO_DEVICE, {0}, 0
  };
  const gboolean writer_held = h.action == DURING_CORE_WRITE_HELD;

  host_access (f, VVAS_DATA_MAP_WRITE);
  xrt_count_set_sync_hook (during_transfer, &h);
  device_access (f, VVAS_DATA_MAP_READ);
  xrt_count_set_sync_hook (NULL, NULL);
  g_assert_cmpint (g_atomic_int_get (&h.calls), ==, 1);
  assert_transfers (f, 1, 0);
  /* The bytes written meanwhile have not reached the device. */
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);

  if (h.action == DURING_HOST_WRITE_BEGUN)
    vvas_memory_end_host_access (f->mem, VVAS_DATA_MAP_WRITE);
  if (writer_held)
    g_assert_cmpint (vvas_memory_unmap (f->mem, &h.map), ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_TO_DEVICE);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 2, 0);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
  device_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 2, 0);
}

/* (d) The kernel ends its write while the host view is being refreshed. */
static void
test_during_from_device_device_write_ends (Fixture * f, gconstpointer unused)
{
  DuringHook h = { f, DURING_DEVICE_WRITE_END, XRT_CALL_SYNC_FROM_DEVICE,
    {0}, 0
  };

  g_assert_cmpint (vvas_memory_begin_device_access (f->mem,
          VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
  xrt_count_set_sync_hook (during_transfer, &h);
  host_access (f, VVAS_DATA_MAP_READ);
  xrt_count_set_sync_hook (NULL, NULL);
  g_assert_cmpint (g_atomic_int_get (&h.calls), ==, 1);
  assert_transfers (f, 0, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  host_access (f, VVAS_DATA_MAP_READ);
  host_access (f, VVAS_DATA_MAP_READ);
  assert_transfers (f, 0, 2);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

/*
 * (b), (c) A second thread wants the bytes that are moving: the hook starts
 * it, gives it 50 ms, and checks it is still waiting for the transfer.
 */

typedef enum
{
  WAITER_HOST_READ,
  WAITER_HOST_WRITE,
  WAITER_CORE_READ,
  WAITER_CORE_WRITE,
  WAITER_DEVICE_READ,
  WAITER_DEVICE_WRITE,
} WaiterKind;

typedef struct
{
  Fixture *f;
  WaiterKind kind;
  XrtCall expected;
  gint calls;                   /* atomic: hook calls */
  gint done;                    /* atomic: the waiter returned */
  VvasReturnType result;        /* the waiter's, read after the join */
  GThread *thread;
} Waiter;

static gpointer
waiter_thread (gpointer data)
{
  Waiter *w = data;
  VvasMemory *mem = w->f->mem;
  VvasMemoryMapInfo info = { 0 };
  VvasReturnType res = VVAS_RET_ERROR;

  switch (w->kind) {
    case WAITER_HOST_READ:
    case WAITER_HOST_WRITE:{
      VvasDataMapFlags flags = w->kind == WAITER_HOST_READ ?
          VVAS_DATA_MAP_READ : VVAS_DATA_MAP_WRITE;

      res = vvas_memory_begin_host_access (mem, flags);
      g_atomic_int_set (&w->done, 1);
      if (res == VVAS_RET_SUCCESS)
        vvas_memory_end_host_access (mem, flags);
      break;
    }
    case WAITER_CORE_READ:
    case WAITER_CORE_WRITE:
      res = vvas_memory_map (mem, w->kind == WAITER_CORE_READ ?
          VVAS_DATA_MAP_READ : VVAS_DATA_MAP_WRITE, &info);
      g_atomic_int_set (&w->done, 1);
      if (res == VVAS_RET_SUCCESS)
        g_assert_cmpint (vvas_memory_unmap (mem, &info), ==, VVAS_RET_SUCCESS);
      break;
    case WAITER_DEVICE_READ:
    case WAITER_DEVICE_WRITE:{
      VvasDataMapFlags flags = w->kind == WAITER_DEVICE_READ ?
          VVAS_DATA_MAP_READ : VVAS_DATA_MAP_WRITE;

      res = vvas_memory_begin_device_access (mem, flags);
      g_atomic_int_set (&w->done, 1);
      if (res == VVAS_RET_SUCCESS)
        vvas_memory_end_device_access (mem, flags);
      break;
    }
  }
  w->result = res;
  return NULL;
}

static void
start_waiter (XrtCall call, void *user_data)
{
  Waiter *w = user_data;

  if (g_atomic_int_add (&w->calls, 1) != 0)
    return;
  g_assert_cmpint (call, ==, w->expected);
  w->thread = g_thread_new ("waiter", waiter_thread, w);
  g_usleep (50 * 1000);
  /* The transfer has not ended: the waiter must not have the bytes yet. */
  g_assert_cmpint (g_atomic_int_get (&w->done), ==, 0);
}

/* (b) A host reader or writer waits for the refresh another host read does. */
static void
test_during_from_device_host_waits (Fixture * f, gconstpointer data)
{
  Waiter w = { f, (WaiterKind) CASE (data),
    XRT_CALL_SYNC_FROM_DEVICE, 0, 0, VVAS_RET_ERROR, NULL
  };
  const gboolean writes = w.kind == WAITER_HOST_WRITE ||
      w.kind == WAITER_CORE_WRITE;

  device_access (f, VVAS_DATA_MAP_WRITE);
  xrt_count_set_sync_hook (start_waiter, &w);
  host_access (f, VVAS_DATA_MAP_READ);
  g_assert_nonnull (w.thread);
  g_thread_join (w.thread);
  xrt_count_set_sync_hook (NULL, NULL);

  g_assert_cmpint (w.done, ==, 1);
  g_assert_cmpint (w.result, ==, VVAS_RET_SUCCESS);
  /* One transfer between them. */
  g_assert_cmpint (g_atomic_int_get (&w.calls), ==, 1);
  assert_transfers (f, 0, 1);
  g_assert_cmpint (pending (f), ==, writes ? VVAS_DATA_SYNC_TO_DEVICE :
      VVAS_DATA_SYNC_NONE);
  g_assert_cmpint (mapped (f), ==, VVAS_DATA_MAP_NONE);
}

/* (c) A kernel waits for the transfer another kernel's access started. */
static void
test_during_to_device_device_waits (Fixture * f, gconstpointer data)
{
  Waiter w = { f, (WaiterKind) CASE (data),
    XRT_CALL_SYNC_TO_DEVICE, 0, 0, VVAS_RET_ERROR, NULL
  };

  host_access (f, VVAS_DATA_MAP_WRITE);
  xrt_count_set_sync_hook (start_waiter, &w);
  device_access (f, VVAS_DATA_MAP_READ);
  g_assert_nonnull (w.thread);
  g_thread_join (w.thread);
  xrt_count_set_sync_hook (NULL, NULL);

  g_assert_cmpint (w.done, ==, 1);
  g_assert_cmpint (w.result, ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (g_atomic_int_get (&w.calls), ==, 1);
  assert_transfers (f, 1, 0);
  g_assert_cmpint (pending (f), ==, w.kind == WAITER_DEVICE_WRITE ?
      VVAS_DATA_SYNC_FROM_DEVICE : VVAS_DATA_SYNC_NONE);
}

/* A failed refresh: the waiter does the transfer itself, once. */
static void
test_during_failed_from_device_waiter_retries (Fixture * f,
    gconstpointer unused)
{
  Waiter w = { f, WAITER_HOST_READ, XRT_CALL_SYNC_FROM_DEVICE, 0, 0,
    VVAS_RET_ERROR, NULL
  };
  VvasTransferStats stats;

  device_access (f, VVAS_DATA_MAP_WRITE);
  xrt_count_fail_next (XRT_CALL_SYNC_FROM_DEVICE, 1);
  xrt_count_set_sync_hook (start_waiter, &w);
  g_assert_cmpint (vvas_memory_begin_host_access (f->mem, VVAS_DATA_MAP_READ),
      ==, VVAS_RET_ERROR);
  g_assert_nonnull (w.thread);
  g_thread_join (w.thread);
  xrt_count_set_sync_hook (NULL, NULL);

  g_assert_cmpint (w.result, ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (g_atomic_int_get (&w.calls), ==, 2);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, 2);
  g_assert_cmpint (vvas_context_get_transfer_stats (f->ctx, &stats), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (stats.syncs_from_device, ==, 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
}

/* (e) A transfer in one direction does not hold up accesses needing none. */
static void
start_free_runner (XrtCall call, void *user_data)
{
  Waiter *w = user_data;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  if (g_atomic_int_add (&w->calls, 1) != 0)
    return;
  g_assert_cmpint (call, ==, w->expected);
  w->thread = g_thread_new ("runner", waiter_thread, w);
  /* It must finish while this transfer is still in progress. */
  while (!g_atomic_int_get (&w->done) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_cmpint (g_atomic_int_get (&w->done), ==, 1);
}

static void
test_during_transfer_no_wait (Fixture * f, gconstpointer data)
{
  Waiter w = { f, (WaiterKind) CASE (data), XRT_CALL_LAST, 0, 0,
    VVAS_RET_ERROR, NULL
  };
  const gboolean host = w.kind == WAITER_HOST_READ ||
      w.kind == WAITER_CORE_READ;

  /* A host reader during a transfer to the device; a kernel reading the
   * buffer during a refresh of the host view. */
  w.expected = host ? XRT_CALL_SYNC_TO_DEVICE : XRT_CALL_SYNC_FROM_DEVICE;
  xrt_count_set_sync_hook (start_free_runner, &w);
  if (host) {
    host_access (f, VVAS_DATA_MAP_WRITE);
    device_access (f, VVAS_DATA_MAP_READ);
  } else {
    device_access (f, VVAS_DATA_MAP_WRITE);
    host_access (f, VVAS_DATA_MAP_READ);
  }
  g_assert_nonnull (w.thread);
  g_thread_join (w.thread);
  xrt_count_set_sync_hook (NULL, NULL);

  g_assert_cmpint (w.result, ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (g_atomic_int_get (&w.calls), ==, 1);
  assert_transfers (f, host ? 1 : 0, host ? 0 : 1);
  g_assert_cmpint (pending (f), ==, VVAS_DATA_SYNC_NONE);
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

  ADD_BOTH_BANKS ("access/fresh", test_access_fresh);
  ADD_BOTH_BANKS ("access/host-write-device-read",
      test_access_host_write_device_read);
  ADD ("access/two-host-writes-one-transfer",
      test_access_two_host_writes_one_transfer, 0);
  ADD_BOTH_BANKS ("access/device-write-two-host-reads",
      test_access_device_write_two_host_reads);
  ADD ("access/device-read-write", test_access_device_read_write, 1);
  ADD_BOTH_BANKS ("access/write-only-refreshes",
      test_access_write_only_refreshes);
  ADD ("access/pipeline-round-trip", test_access_pipeline_round_trip, 1);
  ADD ("access/data-round-trip", test_access_data_round_trip, 0);
  ADD ("access/failed-host-refresh", test_access_failed_host_refresh, 0);
  ADD ("access/failed-device-sync", test_access_failed_device_sync, 1);
  ADD ("access/device-while-core-writer-mapped",
      test_access_device_while_core_writer_mapped, 0);
  ADD ("access/reader-keeps-writer-flag",
      test_access_reader_keeps_writer_flag, 0);
  ADD ("access/device-while-core-reader-mapped",
      test_access_device_while_core_reader_mapped, 0);
  ADD ("access/host-write-spans-device-access",
      test_access_host_write_spans_device_access, 0);
  ADD ("access/device-write-spans-host-read",
      test_access_device_write_spans_host_read, 0);
  g_test_add_func ("/coherence/access/host-memory-never-transfers",
      test_access_host_memory_never_transfers);

#define ADD_CASE(name, func, value) \
  g_test_add ("/coherence/" name, Fixture, GUINT_TO_POINTER ((value) << 8), \
      fixture_set_up, func, fixture_tear_down)

  ADD_CASE ("during-to-device/host-write", test_during_to_device_host_writes,
      DURING_HOST_WRITE);
  ADD_CASE ("during-to-device/host-write-begun",
      test_during_to_device_host_writes, DURING_HOST_WRITE_BEGUN);
  ADD_CASE ("during-to-device/core-write", test_during_to_device_host_writes,
      DURING_CORE_WRITE);
  ADD_CASE ("during-to-device/core-write-held",
      test_during_to_device_host_writes, DURING_CORE_WRITE_HELD);
  ADD_CASE ("during-to-device/device-read-waits",
      test_during_to_device_device_waits, WAITER_DEVICE_READ);
  ADD_CASE ("during-to-device/device-write-waits",
      test_during_to_device_device_waits, WAITER_DEVICE_WRITE);
  ADD_CASE ("during-to-device/host-read-runs", test_during_transfer_no_wait,
      WAITER_HOST_READ);
  ADD_CASE ("during-to-device/core-read-runs", test_during_transfer_no_wait,
      WAITER_CORE_READ);
  ADD_CASE ("during-from-device/host-read-waits",
      test_during_from_device_host_waits, WAITER_HOST_READ);
  ADD_CASE ("during-from-device/host-write-waits",
      test_during_from_device_host_waits, WAITER_HOST_WRITE);
  ADD_CASE ("during-from-device/core-read-waits",
      test_during_from_device_host_waits, WAITER_CORE_READ);
  ADD_CASE ("during-from-device/core-write-waits",
      test_during_from_device_host_waits, WAITER_CORE_WRITE);
  ADD_CASE ("during-from-device/device-read-runs",
      test_during_transfer_no_wait, WAITER_DEVICE_READ);
  ADD_CASE ("during-from-device/device-write-ends",
      test_during_from_device_device_write_ends, 0);
  ADD_CASE ("during-from-device/failed-waiter-retries",
      test_during_failed_from_device_waiter_retries, 0);


  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
