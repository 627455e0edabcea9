/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * GstVvasAllocator: allocation on both banks and in host memory,
 * GstAllocationParams (alignment, prefix, padding, zero flags), the fill
 * byte, bad arguments, no default allocator registered unless asked for,
 * and lifetimes: a device closes when its last user goes.
 */

#include <xrt/xrt_bo.h>

#include "gst_test_common.h"

static const gsize sizes[] = {
  1, 100, 4095, 4096, 4097, 65536, 1920 * 1080 * 3 / 2, 3840 * 2160 * 4
};

static void
weak_notify (gpointer data, GObject * where_the_object_was)
{
  *(gboolean *) data = TRUE;
}

/* Asserts that @mem's host and device addresses are the same byte of its
 * buffer object. */
static void
assert_host_and_device_agree (GstMemory * mem)
{
  GstMapInfo host, dev;
  xrtBufferHandle bo = gst_vvas_memory_get_bo (mem);
  guint8 *bo_host;
  guint64 bo_addr;

  fail_unless (bo != NULL);
  bo_host = xrtBOMap (bo);
  bo_addr = xrtBOAddress (bo);
  fail_unless (bo_host != NULL);

  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless_equals_uint64 ((guint64) (guintptr) dev.data - bo_addr,
      (guint64) (host.data - bo_host));
  gst_memory_unmap (mem, &dev);
  gst_memory_unmap (mem, &host);
}

GST_START_TEST (test_alloc_sizes_both_banks)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  gint bank;
  guint i;

  for (bank = 0; bank < 2; bank++) {
    GstAllocator *alloc = gst_vvas_allocator_new (ctx, bank,
        VVAS_ALLOC_TYPE_CMA);

    fail_unless (GST_IS_VVAS_ALLOCATOR (alloc));
    fail_unless_equals_string (alloc->mem_type, GST_VVAS_MEMORY_TYPE_NAME);
    fail_unless (gst_vvas_allocator_get_context (alloc) == ctx);
    fail_unless_equals_int (gst_vvas_allocator_get_mem_bank (alloc), bank);
    fail_unless_equals_int (gst_vvas_allocator_get_alloc_type (alloc),
        VVAS_ALLOC_TYPE_CMA);

    for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
      GstMemory *mem;
      GstMapInfo info;
      gsize size, offset, maxsize;

      xrt_count_reset ();
      mem = gst_allocator_alloc (alloc, sizes[i], NULL);
      fail_unless (mem != NULL, "no memory of %" G_GSIZE_FORMAT " bytes",
          sizes[i]);
      fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 1);
      fail_unless (gst_is_vvas_memory (mem));
      fail_unless (mem->allocator == alloc);
      size = gst_memory_get_sizes (mem, &offset, &maxsize);
      fail_unless_equals_uint64 (size, sizes[i]);
      fail_unless_equals_uint64 (offset, 0);
      fail_unless (maxsize >= sizes[i]);
      fail_unless_equals_int (gst_vvas_memory_get_device_index (mem), 0);
      fail_unless_equals_int (gst_vvas_memory_get_bank_index (mem), bank);
      fail_unless (gst_vvas_memory_get_bo (mem) != NULL);
      fail_unless (gst_vvas_memory_get_paddr (mem) != (guint64) - 1);
      fail_unless (gst_vvas_memory_can_avoid_copy (mem, 0, bank));
      fail_if (gst_vvas_memory_can_avoid_copy (mem, 0, !bank));
      fail_if (gst_vvas_memory_can_avoid_copy (mem, 1, bank));
      assert_pending (mem, VVAS_DATA_SYNC_NONE);

      /* First and last byte are really there. */
      fail_unless (gst_memory_map (mem, &info, GST_MAP_WRITE));
      fail_unless_equals_uint64 (info.size, sizes[i]);
      info.data[0] = 0x12;
      info.data[sizes[i] - 1] = 0x34;
      gst_memory_unmap (mem, &info);
      fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
      fail_unless_equals_int (info.data[0], sizes[i] > 1 ? 0x12 : 0x34);
      fail_unless_equals_int (info.data[sizes[i] - 1], 0x34);
      gst_memory_unmap (mem, &info);
      /* Host maps of a new memory transfer nothing. */
      assert_syncs (0, 0);
      assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);

      gst_memory_unref (mem);
      fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
    }
    gst_object_unref (alloc);
  }
  gst_object_unref (ctx);
}

GST_END_TEST;

static void
check_host_allocator (GstVvasContext * ctx)
{
  GstAllocator *alloc = gst_vvas_allocator_new (ctx, 7,
      VVAS_ALLOC_TYPE_NON_CMA);
  guint i;

  fail_unless (alloc != NULL);
  fail_unless_equals_int (gst_vvas_allocator_get_alloc_type (alloc),
      VVAS_ALLOC_TYPE_NON_CMA);
  fail_unless_equals_int (gst_vvas_allocator_get_mem_bank (alloc), -1);

  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    GstMemory *mem;
    GstMapInfo info;

    xrt_count_reset ();
    mem = gst_allocator_alloc (alloc, sizes[i], NULL);
    fail_unless (mem != NULL);
    fail_unless (gst_is_vvas_memory (mem));
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
    fail_unless_equals_uint64 (gst_memory_get_sizes (mem, NULL, NULL),
        sizes[i]);
    fail_unless (gst_vvas_memory_get_bo (mem) == NULL);
    fail_unless_equals_uint64 (gst_vvas_memory_get_paddr (mem), (guint64) - 1);
    fail_unless_equals_int (gst_vvas_memory_get_bank_index (mem), -1);
    fail_unless_equals_int (gst_vvas_memory_get_device_index (mem),
        gst_vvas_context_get_device_index (ctx));
    fail_if (gst_vvas_memory_can_avoid_copy (mem,
            gst_vvas_context_get_device_index (ctx), 0));

    fail_unless (gst_memory_map (mem, &info, GST_MAP_WRITE));
    fill_pattern (info.data, info.size, i);
    gst_memory_unmap (mem, &info);
    /* Host memory has no device copy: nothing is ever pending. */
    assert_pending (mem, VVAS_DATA_SYNC_NONE);
    fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
    fail_unless_equals_int (check_pattern (info.data, info.size, i), -1);
    gst_memory_unmap (mem, &info);
    /* And no device access. */
    fail_if (gst_memory_map (mem, &info, GST_MAP_VVAS | GST_MAP_READ));
    assert_syncs (0, 0);
    assert_core_unmapped (mem);
    gst_memory_unref (mem);
  }
  gst_object_unref (alloc);
}

GST_START_TEST (test_alloc_host_memory)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstVvasContext *host_ctx = gst_vvas_context_new (-1, NULL, NULL);

  fail_unless (host_ctx != NULL);
  fail_unless_equals_int (gst_vvas_context_get_device_index (host_ctx), -1);
  check_host_allocator (ctx);
  check_host_allocator (host_ctx);
  /* A host-only context has no device memory. */
  fail_unless (gst_vvas_allocator_new (host_ctx, 0,
          VVAS_ALLOC_TYPE_CMA) == NULL);
  gst_object_unref (host_ctx);
  gst_object_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_alloc_empty)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstAllocator *alloc = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  GstMemory *mem;
  GstMapInfo info;

  /* GStreamer allows empty memories. */
  mem = gst_allocator_alloc (alloc, 0, NULL);
  fail_unless (mem != NULL);
  fail_unless (gst_is_vvas_memory (mem));
  fail_unless_equals_uint64 (gst_memory_get_sizes (mem, NULL, NULL), 0);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READWRITE));
  fail_unless_equals_uint64 (info.size, 0);
  gst_memory_unmap (mem, &info);
  assert_core_unmapped (mem);
  gst_memory_unref (mem);
  gst_object_unref (alloc);
  gst_object_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_params_alignment)
{
  static const gsize aligns[] = { 0, 7, 63, 255, 4095, 8191, 65535 };
  static const gsize asizes[] = { 1, 1000, 100000 };
  static const gsize prefixes[] = { 0, 100 };
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstAllocator *alloc = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  guint a, s, p;

  for (a = 0; a < G_N_ELEMENTS (aligns); a++) {
    for (s = 0; s < G_N_ELEMENTS (asizes); s++) {
      for (p = 0; p < G_N_ELEMENTS (prefixes); p++) {
        GstAllocationParams params;
        GstMemory *mem;
        GstMapInfo info;

        gst_allocation_params_init (&params);
        params.align = aligns[a];
        params.prefix = prefixes[p];
        mem = gst_allocator_alloc (alloc, asizes[s], &params);
        fail_unless (mem != NULL);
        /* GStreamer's minimum alignment applies, as in sysmem. */
        fail_unless_equals_uint64 (mem->align,
            aligns[a] | gst_memory_alignment);
        fail_unless_equals_uint64 (mem->offset, prefixes[p]);
        fail_unless_equals_uint64 (mem->size, asizes[s]);
        fail_unless (mem->maxsize >= prefixes[p] + asizes[s]);

        fail_unless (gst_memory_map (mem, &info, GST_MAP_WRITE));
        /* The block (before the prefix) starts aligned, as in sysmem. */
        fail_unless_equals_uint64 (((guintptr) info.data - mem->offset) &
            aligns[a], 0);
        fail_unless_equals_uint64 (info.maxsize, mem->maxsize - mem->offset);
        /* The whole block is writable. */
        memset (info.data - mem->offset, 0x5c, mem->maxsize);
        gst_memory_unmap (mem, &info);
        assert_host_and_device_agree (mem);
        gst_memory_unref (mem);
      }
    }
  }
  gst_object_unref (alloc);
  gst_object_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_params_prefix_padding)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstAllocator *alloc = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  GstAllocationParams params;
  GstMemory *mem;
  GstMapInfo info;
  gsize size, offset, maxsize;

  gst_allocation_params_init (&params);
  params.prefix = 64;
  params.padding = 32;
  mem = gst_allocator_alloc (alloc, 1000, &params);
  fail_unless (mem != NULL);
  size = gst_memory_get_sizes (mem, &offset, &maxsize);
  fail_unless_equals_uint64 (size, 1000);
  fail_unless_equals_uint64 (offset, 64);
  fail_unless (maxsize >= 64 + 1000 + 32);
  /* No host write at allocation: nothing pending. */
  assert_pending (mem, VVAS_DATA_SYNC_NONE);

  fail_unless (gst_memory_map (mem, &info, GST_MAP_WRITE));
  fail_unless_equals_uint64 (info.size, 1000);
  fail_unless_equals_uint64 (info.maxsize, maxsize - 64);
  /* Prefix and padding are part of the block. */
  memset (info.data - 64, 0xee, 64);
  fill_pattern (info.data, 1000, 9);
  memset (info.data + 1000, 0xdd, 32);
  gst_memory_unmap (mem, &info);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless_equals_int (check_bytes (info.data - 64, 64, 0xee), -1);
  fail_unless_equals_int (check_pattern (info.data, 1000, 9), -1);
  fail_unless_equals_int (check_bytes (info.data + 1000, 32, 0xdd), -1);
  gst_memory_unmap (mem, &info);
  assert_host_and_device_agree (mem);

  /* Resizing into the prefix and padding is allowed, beyond is not. */
  gst_memory_resize (mem, -64, 1000 + 64 + 32);
  fail_unless_equals_uint64 (mem->offset, 0);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless_equals_int (check_bytes (info.data, 64, 0xee), -1);
  fail_unless_equals_int (check_pattern (info.data + 64, 1000, 9), -1);
  gst_memory_unmap (mem, &info);
  ASSERT_CRITICAL (gst_memory_resize (mem, 0, mem->maxsize + 1));
  gst_memory_unref (mem);
  gst_object_unref (alloc);
  gst_object_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_params_zero_flags)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstAllocator *alloc = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  GstAllocationParams params;
  GstMemory *mem;
  GstMapInfo info;
  guint round;

  /* Once over fresh memory, once over memory dirtied by a previous one. */
  for (round = 0; round < 2; round++) {
    gst_allocation_params_init (&params);
    params.prefix = 128;
    params.padding = 256;
    params.flags = GST_MEMORY_FLAG_ZERO_PREFIXED | GST_MEMORY_FLAG_ZERO_PADDED;
    xrt_count_reset ();
    mem = gst_allocator_alloc (alloc, 5000, &params);
    fail_unless (mem != NULL);
    fail_unless (GST_MEMORY_FLAG_IS_SET (mem, GST_MEMORY_FLAG_ZERO_PREFIXED));
    fail_unless (GST_MEMORY_FLAG_IS_SET (mem, GST_MEMORY_FLAG_ZERO_PADDED));
    /* The host wrote the zeros: the device copy is older. */
    assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
    fail_unless (gst_memory_map (mem, &info, GST_MAP_READWRITE));
    fail_unless_equals_int (check_bytes (info.data - 128, 128, 0), -1);
    fail_unless_equals_int (check_bytes (info.data + 5000, 256, 0), -1);
    /* Dirty all of it for the next round. */
    memset (info.data - 128, 0xff, 128 + 5000 + 256);
    gst_memory_unmap (mem, &info);
    /* The zeros reach the device once, at the first device access. */
    fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
    fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
    assert_syncs (1, 0);
    gst_memory_unref (mem);
  }

  /* Zero flags with nothing to zero write nothing. */
  gst_allocation_params_init (&params);
  params.flags = GST_MEMORY_FLAG_ZERO_PREFIXED | GST_MEMORY_FLAG_ZERO_PADDED;
  mem = gst_allocator_alloc (alloc, 5000, &params);
  fail_unless (mem != NULL);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  gst_memory_unref (mem);

  gst_object_unref (alloc);
  gst_object_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_fill_byte)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstAllocator *alloc = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  GstAllocator *host = gst_vvas_allocator_new (ctx, 0,
      VVAS_ALLOC_TYPE_NON_CMA);
  GstAllocationParams params;
  GstMemory *mem;
  GstMapInfo info;

  gst_vvas_allocator_set_fill_byte (alloc, 0xa5);
  xrt_count_reset ();
  mem = gst_allocator_alloc (alloc, 10000, NULL);
  fail_unless (mem != NULL);
  /* Filled on the host: the device copy is older, nothing moved yet. */
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
  assert_syncs (0, 0);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless_equals_int (check_bytes (info.data, 10000, 0xa5), -1);
  gst_memory_unmap (mem, &info);
  assert_syncs (0, 0);
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
  assert_syncs (1, 0);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  gst_memory_unref (mem);

  /* The fill covers prefix and padding unless they are to be zero. */
  gst_allocation_params_init (&params);
  params.prefix = 16;
  params.padding = 16;
  params.flags = GST_MEMORY_FLAG_ZERO_PREFIXED;
  mem = gst_allocator_alloc (alloc, 100, &params);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless_equals_int (check_bytes (info.data - 16, 16, 0), -1);
  fail_unless_equals_int (check_bytes (info.data, 100 + 16, 0xa5), -1);
  gst_memory_unmap (mem, &info);
  gst_memory_unref (mem);

  /* Over memory dirtied with 0xff, a fill of 0 is a real fill. */
  gst_vvas_allocator_set_fill_byte (alloc, 0xff);
  gst_memory_unref (gst_allocator_alloc (alloc, 10000, NULL));
  gst_vvas_allocator_set_fill_byte (alloc, 0);
  mem = gst_allocator_alloc (alloc, 10000, NULL);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless_equals_int (check_bytes (info.data, 10000, 0), -1);
  gst_memory_unmap (mem, &info);
  gst_memory_unref (mem);

  /* -1 turns the fill off: nothing written, nothing pending. */
  gst_vvas_allocator_set_fill_byte (alloc, -1);
  mem = gst_allocator_alloc (alloc, 10000, NULL);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  gst_memory_unref (mem);

  /* Host memory is filled too, with nothing pending. */
  gst_vvas_allocator_set_fill_byte (host, 0x3c);
  mem = gst_allocator_alloc (host, 3000, NULL);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless_equals_int (check_bytes (info.data, 3000, 0x3c), -1);
  gst_memory_unmap (mem, &info);
  gst_memory_unref (mem);

  gst_object_unref (host);
  gst_object_unref (alloc);
  gst_object_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_bad_params)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstAllocator *alloc = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  GstAllocator *sys = gst_allocator_find (NULL);
  GstAllocationParams params;
  GstMemory *mem;
  GstMapInfo info;

  ASSERT_CRITICAL (fail_unless (gst_vvas_allocator_new (NULL, 0,
              VVAS_ALLOC_TYPE_CMA) == NULL));
  ASSERT_CRITICAL (fail_unless (gst_vvas_allocator_new (ctx, 0,
              VVAS_ALLOC_TYPE_UNKNOWN) == NULL));
  ASSERT_CRITICAL (fail_unless (gst_vvas_allocator_new (ctx, 0,
              (VvasAllocationType) 3) == NULL));
  ASSERT_CRITICAL (fail_unless (gst_vvas_allocator_new ((GstVvasContext *)
              sys, 0, VVAS_ALLOC_TYPE_CMA) == NULL));
  ASSERT_CRITICAL (fail_unless (gst_vvas_allocator_new_for_device (-1,
              NULL, 0, NULL) == NULL));

  /* A bad fill byte is refused and the fill in force stays. */
  gst_vvas_allocator_set_fill_byte (alloc, 0x11);
  ASSERT_CRITICAL (gst_vvas_allocator_set_fill_byte (alloc, 256));
  ASSERT_CRITICAL (gst_vvas_allocator_set_fill_byte (alloc, -2));
  ASSERT_CRITICAL (gst_vvas_allocator_set_fill_byte (NULL, 0));
  ASSERT_CRITICAL (gst_vvas_allocator_set_fill_byte (sys, 0));
  mem = gst_allocator_alloc (alloc, 512, NULL);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless_equals_int (check_bytes (info.data, 512, 0x11), -1);
  gst_memory_unmap (mem, &info);
  gst_memory_unref (mem);
  gst_vvas_allocator_set_fill_byte (alloc, -1);

  /* Getters on other allocators. */
  ASSERT_CRITICAL (fail_unless (gst_vvas_allocator_get_context (sys) == NULL));
  ASSERT_CRITICAL (fail_unless_equals_int (gst_vvas_allocator_get_mem_bank
          (sys), -1));
  ASSERT_CRITICAL (fail_unless_equals_int (gst_vvas_allocator_get_alloc_type
          (NULL), VVAS_ALLOC_TYPE_UNKNOWN));
  ASSERT_CRITICAL (gst_vvas_allocator_register_default (sys));
  ASSERT_CRITICAL (gst_vvas_allocator_register_default (NULL));

  /* Sizes that overflow with prefix, padding or alignment: no memory, no
   * device allocation, no crash. */
  xrt_count_reset ();
  gst_allocation_params_init (&params);
  params.prefix = 64;
  fail_unless (gst_allocator_alloc (alloc, G_MAXSIZE - 32, &params) == NULL);
  gst_allocation_params_init (&params);
  params.padding = G_MAXSIZE;
  fail_unless (gst_allocator_alloc (alloc, 1, &params) == NULL);
  gst_allocation_params_init (&params);
  params.align = 4095;
  fail_unless (gst_allocator_alloc (alloc, G_MAXSIZE - 100, &params) == NULL);
  /* Larger than the bank the xclbin declares (1 GiB). */
  fail_unless (gst_allocator_alloc (alloc, (gsize) 2 << 30, NULL) == NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  /* An alignment that is not a power of two less one (GStreamer's check). */
  gst_allocation_params_init (&params);
  params.align = 100;
  ASSERT_CRITICAL (fail_unless (gst_allocator_alloc (alloc, 10,
              &params) == NULL));
  /* Failed device allocations: NULL, and the allocator still works. */
  xrt_count_fail_next (XRT_CALL_BO_ALLOC, 1);
  fail_unless (gst_allocator_alloc (alloc, 4096, NULL) == NULL);
  mem = gst_allocator_alloc (alloc, 4096, NULL);
  fail_unless (mem != NULL);
  gst_memory_unref (mem);
  /* Every BO allocated was freed. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC) - 1,
      xrt_count_get (XRT_CALL_BO_FREE));

  gst_object_unref (sys);
  gst_object_unref (alloc);
  gst_object_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_bad_banks)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstVvasContext *four;
  GstAllocator *alloc;
  GError *error = NULL;
  const gchar *four_banks = test_util_path ("four_banks.xclbin");

  /* two_banks has banks 0 and 1. */
  fail_unless (gst_vvas_allocator_new (ctx, 2, VVAS_ALLOC_TYPE_CMA) == NULL);
  fail_unless (gst_vvas_allocator_new (ctx, 255, VVAS_ALLOC_TYPE_CMA) == NULL);
  /* Host memory ignores the bank. */
  alloc = gst_vvas_allocator_new (ctx, 255, VVAS_ALLOC_TYPE_NON_CMA);
  fail_unless (alloc != NULL);
  gst_object_unref (alloc);

  /* four_banks has bank 2 unused. One device, one context: idle, it takes
   * the other xclbin. */
  xrt_count_reset ();
  four = gst_vvas_context_new (0, four_banks, &error);
  fail_unless (four != NULL);
  fail_unless (four == ctx);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 0);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 1);
  fail_unless (gst_vvas_allocator_new (four, 2, VVAS_ALLOC_TYPE_CMA) == NULL);
  alloc = gst_vvas_allocator_new (four, 3, VVAS_ALLOC_TYPE_CMA);
  fail_unless (alloc != NULL);
  gst_object_unref (alloc);
  gst_object_unref (four);

  /* The error names the bank and the banks that are valid. */
  gst_object_unref (ctx);
  xrt_count_reset ();
  alloc = gst_vvas_allocator_new_for_device (0, four_banks, 2, &error);
  fail_unless (alloc == NULL);
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  fail_unless (strstr (error->message, "2") != NULL, "%s", error->message);
  fail_unless (strstr (error->message, "0, 1, 3") != NULL,
      "error does not name the valid banks: %s", error->message);
  g_clear_error (&error);
  /* The device it opened for this is closed again. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);
}

GST_END_TEST;

GST_START_TEST (test_new_for_device)
{
  GstAllocator *alloc;
  GstVvasContext *ctx;
  GstMemory *mem;
  GError *error = NULL;

  xrt_count_reset ();
  alloc = gst_vvas_allocator_new_for_device (0, two_banks_xclbin, 1, &error);
  fail_unless (alloc != NULL);
  fail_unless (error == NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 1);
  ctx = gst_vvas_allocator_get_context (alloc);
  fail_unless (GST_IS_VVAS_CONTEXT (ctx));
  fail_unless_equals_int (gst_vvas_context_get_device_index (ctx), 0);
  fail_unless_equals_string (gst_vvas_context_get_xclbin_location (ctx),
      two_banks_xclbin);
  fail_unless_equals_int (gst_vvas_allocator_get_alloc_type (alloc),
      VVAS_ALLOC_TYPE_CMA);
  fail_unless_equals_int (gst_vvas_allocator_get_mem_bank (alloc), 1);
  mem = gst_allocator_alloc (alloc, 1024, NULL);
  fail_unless_equals_int (gst_vvas_memory_get_bank_index (mem), 1);
  gst_memory_unref (mem);
  /* The allocator owns the context it opened. */
  gst_object_unref (alloc);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);

  /* A device that cannot open: NULL and an error saying why. */
  alloc = gst_vvas_allocator_new_for_device (0, "/nonexistent.xclbin", 0,
      &error);
  fail_unless (alloc == NULL);
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  fail_unless (strstr (error->message, "/nonexistent.xclbin") != NULL,
      "%s", error->message);
  g_clear_error (&error);
  /* NULL error is allowed. */
  fail_unless (gst_vvas_allocator_new_for_device (0, "/nonexistent.xclbin",
          0, NULL) == NULL);
}

GST_END_TEST;

GST_START_TEST (test_new_for_bank)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstVvasContext *host_ctx = gst_vvas_context_new (-1, NULL, NULL);
  GstAllocator *alloc;
  GstMemory *mem;
  GError *error = NULL;
  guint bank;

  for (bank = 0; bank < 2; bank++) {
    alloc = gst_vvas_allocator_new_for_bank (ctx, bank, &error);
    fail_unless (alloc != NULL);
    fail_unless (error == NULL);
    fail_unless (gst_vvas_allocator_get_context (alloc) == ctx);
    fail_unless_equals_int (gst_vvas_allocator_get_alloc_type (alloc),
        VVAS_ALLOC_TYPE_CMA);
    fail_unless_equals_int (gst_vvas_allocator_get_mem_bank (alloc), bank);
    mem = gst_allocator_alloc (alloc, 4096, NULL);
    fail_unless_equals_int (gst_vvas_memory_get_bank_index (mem), bank);
    gst_memory_unref (mem);
    gst_object_unref (alloc);
  }

  /* A bank the xclbin does not use: the error names the usable ones. */
  alloc = gst_vvas_allocator_new_for_bank (ctx, 2, &error);
  fail_unless (alloc == NULL);
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  fail_unless (strstr (error->message, "0, 1") != NULL, "%s", error->message);
  g_clear_error (&error);
  fail_unless (gst_vvas_allocator_new_for_bank (ctx, 255, NULL) == NULL);

  /* A host-only context has no device memory. */
  alloc = gst_vvas_allocator_new_for_bank (host_ctx, 0, &error);
  fail_unless (alloc == NULL);
  fail_unless (error != NULL);
  fail_unless (strstr (error->message, "host only") != NULL, "%s",
      error->message);
  g_clear_error (&error);

  ASSERT_CRITICAL (fail_unless (gst_vvas_allocator_new_for_bank (NULL, 0,
              NULL) == NULL));
  gst_object_unref (host_ctx);
  gst_object_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_helpers_refuse_other_memory)
{
  GstMemory *sys = gst_allocator_alloc (NULL, 100, NULL);
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstAllocator *alloc = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  GstAllocator *sys_alloc = gst_allocator_find (NULL);
  VvasMemory *vmem;
  GError *error = NULL;
  guint i;

  fail_unless (sys != NULL);
  /* The type check itself and the copy test accept any memory. */
  fail_if (gst_is_vvas_memory (sys));
  fail_if (gst_is_vvas_memory (NULL));
  fail_if (gst_vvas_memory_can_avoid_copy (sys, 0, 0));
  ASSERT_CRITICAL (fail_if (gst_vvas_memory_can_avoid_copy (NULL, 0, 0)));

  for (i = 0; i < 2; i++) {
    GstMemory *mem = i == 0 ? sys : NULL;

    ASSERT_CRITICAL (fail_unless (gst_vvas_memory_get_vvas_memory (mem) ==
            NULL));
    ASSERT_CRITICAL (fail_unless_equals_int (gst_vvas_memory_get_device_index
            (mem), -1));
    ASSERT_CRITICAL (fail_unless_equals_int (gst_vvas_memory_get_bank_index
            (mem), -1));
    ASSERT_CRITICAL (fail_unless_equals_uint64 (gst_vvas_memory_get_paddr
            (mem), (guint64) - 1));
    ASSERT_CRITICAL (fail_unless (gst_vvas_memory_get_bo (mem) == NULL));
    ASSERT_CRITICAL (fail_unless_equals_int
        (gst_vvas_memory_get_pending_transfers (mem), VVAS_DATA_SYNC_NONE));
    ASSERT_CRITICAL (fail_if (gst_vvas_memory_sync (mem,
                VVAS_DATA_SYNC_TO_DEVICE)));
    ASSERT_CRITICAL (fail_unless_equals_int (gst_vvas_memory_export_dmabuf
            (mem, &error), -1));
    fail_unless (error == NULL);
  }

  /* Wrapping: a VVAS allocator and a core memory are required. */
  vmem = vvas_memory_alloc (gst_vvas_context_get_vvas_context (ctx),
      VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 0, 4096, NULL);
  fail_unless (vmem != NULL);
  ASSERT_CRITICAL (fail_unless (gst_vvas_memory_wrap (sys_alloc, vmem) ==
          NULL));
  ASSERT_CRITICAL (fail_unless (gst_vvas_memory_wrap (NULL, vmem) == NULL));
  ASSERT_CRITICAL (fail_unless (gst_vvas_memory_wrap (alloc, NULL) == NULL));
  vvas_memory_free (vmem);

  /* An explicit sync needs one direction. */
  {
    GstMemory *mem = gst_allocator_alloc (alloc, 100, NULL);

    ASSERT_CRITICAL (fail_if (gst_vvas_memory_sync (mem, VVAS_DATA_SYNC_NONE)));
    ASSERT_CRITICAL (fail_if (gst_vvas_memory_sync (mem,
                VVAS_DATA_SYNC_TO_DEVICE | VVAS_DATA_SYNC_FROM_DEVICE)));
    gst_memory_unref (mem);
  }

  gst_object_unref (sys_alloc);
  gst_object_unref (alloc);
  gst_object_unref (ctx);
  gst_memory_unref (sys);
}

GST_END_TEST;

/*
 * Making an allocator registers nothing: GStreamer would keep a registered
 * allocator, and with it its device open and its xclbin loaded, until
 * gst_deinit(). Every device opened here closes when its last user goes.
 */
GST_START_TEST (test_no_implicit_default_allocator)
{
  GstAllocator *before = gst_allocator_find (GST_VVAS_ALLOCATOR_NAME);
  gint64 live_devices = xrt_count_live_devices ();
  GstAllocator *allocs[3], *found;
  GstVvasContext *ctx;
  GError *error = NULL;
  GstMemory *mem;
  guint i;

  /* In a process of its own, nothing is registered before. */
  if (gst_vvas_test_forked ())
    fail_unless (before == NULL);
  xrt_count_reset ();
  ctx = gst_vvas_test_context_new ();
  allocs[0] = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  allocs[1] = gst_vvas_allocator_new_for_bank (ctx, 0, &error);
  allocs[2] = gst_vvas_allocator_new_for_device (0, two_banks_xclbin, 1,
      &error);
  fail_unless (error == NULL);
  for (i = 0; i < G_N_ELEMENTS (allocs); i++) {
    fail_unless (allocs[i] != NULL);
    mem = gst_allocator_alloc (allocs[i], 4096, NULL);
    fail_unless (gst_is_vvas_memory (mem));
    gst_memory_unref (mem);
  }
  found = gst_allocator_find (GST_VVAS_ALLOCATOR_NAME);
  fail_unless (found == before, "an allocator was registered");
  gst_clear_object (&found);
  gst_clear_object (&before);

  for (i = 0; i < G_N_ELEMENTS (allocs); i++)
    gst_object_unref (allocs[i]);
  gst_object_unref (ctx);
  fail_unless (xrt_count_get (XRT_CALL_DEVICE_OPEN) >= 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE),
      xrt_count_get (XRT_CALL_DEVICE_OPEN));
  fail_unless_equals_int64 (xrt_count_live_devices (), live_devices);
}

GST_END_TEST;

/* The explicit registration: found by name, kept (with its device) until
 * another takes its place. */
GST_START_TEST (test_register_default)
{
  GstVvasContext *ctx, *host_ctx = gst_vvas_context_new (-1, NULL, NULL);
  GstAllocator *host = gst_vvas_allocator_new (host_ctx, 0,
      VVAS_ALLOC_TYPE_NON_CMA);
  GstAllocator *alloc, *found;
  GstMemory *mem;

  xrt_count_reset ();
  ctx = gst_vvas_test_context_new ();
  alloc = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  gst_vvas_allocator_register_default (alloc);
  found = gst_allocator_find (GST_VVAS_ALLOCATOR_NAME);
  fail_unless (found == alloc);
  mem = gst_allocator_alloc (found, 4096, NULL);
  fail_unless (gst_is_vvas_memory (mem));
  fail_unless_equals_int (gst_vvas_memory_get_bank_index (mem), 1);
  gst_memory_unref (mem);
  gst_object_unref (found);
  /* Transfer none: the caller's reference is still its own. */
  ASSERT_OBJECT_REFCOUNT (alloc, "alloc", 2);

  /* GStreamer holds the registered allocator, so the device stays open. */
  gst_object_unref (alloc);
  gst_object_unref (ctx);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 0);

  /* Another one in its place releases it, and the device closes. A host
   * memory allocator holds no device. */
  gst_vvas_allocator_register_default (host);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);
  found = gst_allocator_find (GST_VVAS_ALLOCATOR_NAME);
  fail_unless (found == host);
  gst_object_unref (found);

  gst_object_unref (host);
  gst_object_unref (host_ctx);
}

GST_END_TEST;

GST_START_TEST (test_memory_keeps_allocator_and_context_alive)
{
  GstVvasContext *ctx;
  GstAllocator *alloc;
  GstMemory *mem, *share;
  GstMapInfo info;
  gboolean ctx_gone = FALSE, alloc_gone = FALSE;

  xrt_count_reset ();
  ctx = gst_vvas_test_context_new ();
  alloc = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  g_object_weak_ref (G_OBJECT (ctx), weak_notify, &ctx_gone);
  g_object_weak_ref (G_OBJECT (alloc), weak_notify, &alloc_gone);
  /* The allocator holds the context. */
  ASSERT_OBJECT_REFCOUNT (ctx, "context", 2);

  mem = gst_allocator_alloc (alloc, 8192, NULL);
  gst_object_unref (alloc);
  gst_object_unref (ctx);
  fail_if (alloc_gone);
  fail_if (ctx_gone);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 0);

  /* Still a working memory on an open device. */
  fail_unless (gst_memory_map (mem, &info, GST_MAP_WRITE));
  fill_pattern (info.data, info.size, 1);
  gst_memory_unmap (mem, &info);
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), 1);
  fail_unless_equals_int (gst_vvas_memory_get_device_index (mem), 0);

  /* A share keeps its parent, so it keeps them too. */
  share = gst_memory_share (mem, 100, 100);
  gst_memory_unref (mem);
  fail_if (alloc_gone);
  fail_if (ctx_gone);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 0);
  fail_unless (gst_memory_map (share, &info, GST_MAP_READ));
  fail_unless_equals_int (info.data[0], (guint8) (100 * 31 + 1));
  gst_memory_unmap (share, &info);

  gst_memory_unref (share);
  fail_unless (alloc_gone);
  fail_unless (ctx_gone);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);
}

GST_END_TEST;

GST_START_TEST (test_many_memories_any_order)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstAllocator *allocs[3];
  GPtrArray *mems = g_ptr_array_new ();
  guint i;

  allocs[0] = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  allocs[1] = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  allocs[2] = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_NON_CMA);
  xrt_count_reset ();
  for (i = 0; i < 90; i++)
    g_ptr_array_add (mems, gst_allocator_alloc (allocs[i % 3],
            1 + i * 997, NULL));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 60);
  /* The allocators go first; then the memories, odd ones first. */
  for (i = 0; i < 3; i++)
    gst_object_unref (allocs[i]);
  gst_object_unref (ctx);
  for (i = 1; i < mems->len; i += 2)
    gst_memory_unref (g_ptr_array_index (mems, i));
  for (i = 0; i < mems->len; i += 2)
    gst_memory_unref (g_ptr_array_index (mems, i));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 60);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);
  g_ptr_array_unref (mems);
}

GST_END_TEST;

static Suite *
vvas_allocator_suite (void)
{
  Suite *s = suite_create ("vvasallocator");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_alloc_sizes_both_banks);
  tcase_add_test (tc, test_alloc_host_memory);
  tcase_add_test (tc, test_alloc_empty);
  tcase_add_test (tc, test_params_alignment);
  tcase_add_test (tc, test_params_prefix_padding);
  tcase_add_test (tc, test_params_zero_flags);
  tcase_add_test (tc, test_fill_byte);
  tcase_add_test (tc, test_bad_params);
  tcase_add_test (tc, test_bad_banks);
  tcase_add_test (tc, test_new_for_device);
  tcase_add_test (tc, test_new_for_bank);
  tcase_add_test (tc, test_helpers_refuse_other_memory);
  tcase_add_test (tc, test_no_implicit_default_allocator);
  tcase_add_test (tc, test_register_default);
  tcase_add_test (tc, test_memory_keeps_allocator_and_context_alive);
  tcase_add_test (tc, test_many_memories_any_order);
  return s;
}

int
main (int argc, char **argv)
{
  return gst_vvas_test_run (vvas_allocator_suite, "vvasallocator", argc, argv);
}
