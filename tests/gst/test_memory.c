/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * GstVvasMemory: GStreamer core's own memory tests (gstmemory.c) run on
 * VVAS memory, then what is VVAS's own: the transfer state after each kind
 * of map with the exact transfers at the XRT boundary (as GStreamer GL's
 * test_transfer_state does for GL memory), device-access maps, data round
 * trips through a kernel played on the buffer object, copies on the device
 * and through the host, and maps and allocations from eight threads.
 */

#define _GNU_SOURCE
#include <unistd.h>

#include <xrt/xrt_bo.h>

#include "gst_test_common.h"

#define SIZE (1920 * 1080 * 3 / 2)
#define N_THREADS 8

static GstVvasContext *ctx;
static GstAllocator *alloc;     /* device memory, bank 0 */
static GstAllocator *alloc1;    /* device memory, bank 1 */
static GstAllocator *host_alloc;        /* host memory */

static void
setup (void)
{
  ctx = gst_vvas_test_context_new ();
  alloc = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  alloc1 = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  host_alloc = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_NON_CMA);
  fail_unless (alloc != NULL && alloc1 != NULL && host_alloc != NULL);
  xrt_count_reset ();
}

static void
teardown (void)
{
  guint64 closed = xrt_count_get (XRT_CALL_DEVICE_CLOSE);

  gst_object_unref (host_alloc);
  gst_object_unref (alloc1);
  gst_object_unref (alloc);
  gst_object_unref (ctx);
  /* The device closes now: no memory of the test is left alive. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), closed + 1);
}


static GstMemory *
alloc_pattern (GstAllocator * allocator, gsize size, guint seed)
{
  GstMemory *mem = gst_allocator_alloc (allocator, size, NULL);
  GstMapInfo info;

  fail_unless (mem != NULL);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_WRITE));
  fill_pattern (info.data, size, seed);
  gst_memory_unmap (mem, &info);
  return mem;
}

/* --- GStreamer core's memory tests, on VVAS memory --------------------- */

GST_START_TEST (test_submemory)
{
  GstMemory *memory, *sub, *subsub;
  GstMapInfo info, sinfo;

  memory = gst_allocator_alloc (alloc, 4, NULL);
  fail_unless (gst_memory_map (memory, &info, GST_MAP_WRITE));
  fail_unless (info.size == 4, "memory has wrong size");
  fail_unless (info.maxsize >= 4, "memory has wrong size");
  fill_pattern (info.data, 4, 0);
  gst_memory_unmap (memory, &info);

  fail_unless (gst_memory_map (memory, &info, GST_MAP_READ));

  xrt_count_reset ();
  sub = gst_memory_share (memory, 1, 2);
  fail_if (sub == NULL, "share of memory returned NULL");
  /* A real sub-memory: no new buffer object. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  fail_unless (gst_is_vvas_memory (sub));
  fail_unless (sub->parent == memory);
  fail_unless (GST_MEMORY_FLAG_IS_SET (sub, GST_VVAS_MEMORY_FLAG_SHARED));
  fail_if (GST_MEMORY_FLAG_IS_SET (memory, GST_VVAS_MEMORY_FLAG_SHARED));
  fail_unless (gst_memory_map (sub, &sinfo, GST_MAP_READ));
  fail_unless (sinfo.size == 2, "submemory has wrong size");
  fail_unless (sinfo.data == info.data + 1, "submemory is not in place");
  fail_unless (memcmp (info.data + 1, sinfo.data, 2) == 0,
      "submemory contains the wrong data");
  ASSERT_MINI_OBJECT_REFCOUNT (sub, "submemory", 1);
  gst_memory_unmap (sub, &sinfo);

  /* A share of a share is a share of the parent, at the summed offset. */
  subsub = gst_memory_share (sub, 1, 1);
  fail_unless (subsub != NULL);
  fail_unless (subsub->parent == memory);
  fail_unless (gst_memory_map (subsub, &sinfo, GST_MAP_READ));
  fail_unless (sinfo.data == info.data + 2);
  fail_unless_equals_uint64 (sinfo.size, 1);
  gst_memory_unmap (subsub, &sinfo);
  gst_memory_unref (subsub);
  gst_memory_unref (sub);

  /* create a submemory of size 0 */
  sub = gst_memory_share (memory, 1, 0);
  fail_if (sub == NULL, "share memory returned NULL");
  fail_unless (gst_memory_map (sub, &sinfo, GST_MAP_READ));
  fail_unless (sinfo.size == 0, "submemory has wrong size");
  ASSERT_MINI_OBJECT_REFCOUNT (sub, "submemory", 1);
  gst_memory_unmap (sub, &sinfo);
  gst_memory_unref (sub);

  sub = gst_memory_share (memory, 0, 1);
  fail_unless (gst_memory_get_sizes (sub, NULL, NULL) == 1,
      "submemory has wrong size");
  gst_memory_unref (sub);

  /* size -1: the rest of the memory */
  sub = gst_memory_share (memory, 1, -1);
  fail_unless (gst_memory_get_sizes (sub, NULL, NULL) == 3,
      "submemory has wrong size");
  gst_memory_unref (sub);

  gst_memory_unmap (memory, &info);

  /* test write map + share failure */
  fail_unless (gst_memory_map (memory, &info, GST_MAP_WRITE));
  sub = gst_memory_share (memory, 0, 4);
  fail_unless (sub == NULL, "share with a write map succeeded");
  gst_memory_unmap (memory, &info);

  assert_core_unmapped (memory);
  gst_memory_unref (memory);
}

GST_END_TEST;

GST_START_TEST (test_submemory_writable)
{
  GstMemory *mem, *sub_mem;
  GstMapInfo info;

  /* A share is read-only, whatever its parent. */
  mem = gst_allocator_alloc (alloc, 100, NULL);
  sub_mem = gst_memory_share (mem, 0, 8);
  fail_unless (GST_MEMORY_IS_READONLY (sub_mem));
  fail_if (gst_memory_map (sub_mem, &info, GST_MAP_WRITE));
  fail_if (gst_memory_map (sub_mem, &info, GST_MAP_READWRITE));
  fail_if (gst_memory_map (sub_mem, &info, GST_MAP_VVAS | GST_MAP_WRITE));
  fail_unless (map_unmap (sub_mem, GST_MAP_READ));
  fail_unless (map_unmap (sub_mem, GST_MAP_VVAS | GST_MAP_READ));
  /* The refused maps changed nothing. */
  assert_pending (sub_mem, VVAS_DATA_SYNC_NONE);
  /* The parent alone stays writable. */
  fail_if (GST_MEMORY_IS_READONLY (mem));
  fail_unless (map_unmap (mem, GST_MAP_WRITE));
  gst_memory_unref (sub_mem);
  gst_memory_unref (mem);

  /* A read-only parent makes read-only shares (core test_submemory_writable) */
  mem = gst_allocator_alloc (alloc, 100, NULL);
  GST_MINI_OBJECT_FLAG_SET (mem, GST_MEMORY_FLAG_READONLY);
  sub_mem = gst_memory_share (mem, 0, 8);
  fail_unless (GST_MEMORY_IS_READONLY (sub_mem));
  fail_if (gst_memory_map (mem, &info, GST_MAP_WRITE));
  fail_if (gst_memory_map (sub_mem, &info, GST_MAP_WRITE));
  gst_memory_unref (sub_mem);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_writable)
{
  GstMemory *mem, *mem2;
  GstMapInfo info;

  /* core test_writable: the copy of read-only memory is writable. */
  mem = alloc_pattern (alloc, 26, 3);
  GST_MINI_OBJECT_FLAG_SET (mem, GST_MEMORY_FLAG_READONLY);
  fail_if (gst_memory_map (mem, &info, GST_MAP_WRITE));
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  gst_memory_unmap (mem, &info);
  fail_if (gst_memory_map (mem, &info, GST_MAP_WRITE));

  mem2 = gst_memory_copy (mem, 0, -1);
  fail_unless (GST_MEMORY_IS_READONLY (mem));
  fail_if (GST_MEMORY_IS_READONLY (mem2));
  fail_unless (gst_memory_map (mem2, &info, GST_MAP_WRITE));
  info.data[4] = 'a';
  gst_memory_unmap (mem2, &info);

  gst_memory_ref (mem2);
  fail_if (gst_memory_map (mem, &info, GST_MAP_WRITE));
  gst_memory_unref (mem2);

  fail_unless (gst_memory_map (mem2, &info, GST_MAP_WRITE));
  info.data[4] = 'a';
  gst_memory_unmap (mem2, &info);
  gst_memory_unref (mem2);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_is_span)
{
  GstAllocationParams params;
  GstMemory *memory, *sub1, *sub2, *sub3, *other;
  GstBuffer *buffer;
  GstMapInfo info, binfo;
  gsize offset = 12345;

  memory = gst_allocator_alloc (alloc, 4, NULL);
  sub1 = gst_memory_share (memory, 0, 2);
  sub2 = gst_memory_share (memory, 2, 2);
  fail_if (gst_memory_is_span (memory, sub2, NULL) == TRUE,
      "a parent memory can't be span");
  fail_if (gst_memory_is_span (sub1, memory, NULL) == TRUE,
      "a parent memory can't be span");
  fail_if (gst_memory_is_span (sub1, sub2, &offset) == FALSE,
      "two submemorys next to each other should be span");
  fail_unless_equals_uint64 (offset, 0);
  fail_if (gst_memory_is_span (sub2, sub1, NULL));
  gst_memory_unref (sub1);
  gst_memory_unref (sub2);

  /* Shares of another memory are not a span, even if adjacent. */
  other = gst_allocator_alloc (alloc, 4, NULL);
  sub1 = gst_memory_share (memory, 0, 2);
  sub2 = gst_memory_share (other, 2, 2);
  fail_if (gst_memory_is_span (sub1, sub2, NULL));
  gst_memory_unref (sub1);
  gst_memory_unref (sub2);
  gst_memory_unref (other);
  gst_memory_unref (memory);

  /* With a prefix: the offset is relative to the parent's data. */
  gst_allocation_params_init (&params);
  params.prefix = 16;
  memory = gst_allocator_alloc (alloc, 64, &params);
  fail_unless (gst_memory_map (memory, &info, GST_MAP_WRITE));
  fill_pattern (info.data, 64, 7);
  gst_memory_unmap (memory, &info);
  sub1 = gst_memory_share (memory, 4, 8);
  sub2 = gst_memory_share (memory, 12, 8);
  sub3 = gst_memory_share (memory, 21, 8);
  fail_unless (gst_memory_is_span (sub1, sub2, &offset));
  fail_unless_equals_uint64 (offset, 4);
  fail_if (gst_memory_is_span (sub2, sub3, NULL), "a gap is not a span");

  /* A buffer of spanning shares maps in place: a share, not a merge. */
  xrt_count_reset ();
  buffer = gst_buffer_new ();
  gst_buffer_append_memory (buffer, sub1);
  gst_buffer_append_memory (buffer, sub2);
  fail_unless (gst_memory_map (memory, &info, GST_MAP_READ));
  fail_unless (gst_buffer_map (buffer, &binfo, GST_MAP_READ));
  fail_unless_equals_uint64 (binfo.size, 16);
  fail_unless (binfo.data == info.data + 4, "spanning shares were merged");
  gst_buffer_unmap (buffer, &binfo);
  gst_memory_unmap (memory, &info);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  gst_buffer_unref (buffer);
  gst_memory_unref (sub3);
  gst_memory_unref (memory);
}

GST_END_TEST;

GST_START_TEST (test_copy)
{
  GstMemory *memory, *copy;
  GstMapInfo info, sinfo;

  memory = gst_allocator_alloc (alloc, 4, NULL);
  ASSERT_MINI_OBJECT_REFCOUNT (memory, "memory", 1);

  copy = gst_memory_copy (memory, 0, -1);
  ASSERT_MINI_OBJECT_REFCOUNT (memory, "memory", 1);
  ASSERT_MINI_OBJECT_REFCOUNT (copy, "copy", 1);
  /* memory is copied and must point to different memory */
  fail_if (memory == copy);
  fail_unless (gst_is_vvas_memory (copy));
  fail_unless (copy->allocator == memory->allocator);
  fail_if (gst_vvas_memory_get_vvas_memory (copy) ==
      gst_vvas_memory_get_vvas_memory (memory));

  fail_unless (gst_memory_map (memory, &info, GST_MAP_READ));
  fail_unless (gst_memory_map (copy, &sinfo, GST_MAP_READ));
  fail_unless (info.size == sinfo.size);
  fail_if (info.data == sinfo.data);
  gst_memory_unmap (copy, &sinfo);
  gst_memory_unmap (memory, &info);
  gst_memory_unref (copy);
  gst_memory_unref (memory);

  memory = gst_allocator_alloc (alloc, 0, NULL);
  fail_unless (gst_memory_map (memory, &info, GST_MAP_READ));
  fail_unless (info.size == 0);
  gst_memory_unmap (memory, &info);

  /* copying a 0-sized memory should not crash */
  copy = gst_memory_copy (memory, 0, -1);
  fail_unless (copy != NULL);
  fail_unless (gst_memory_map (copy, &info, GST_MAP_READ));
  fail_unless (info.size == 0);
  gst_memory_unmap (copy, &info);
  gst_memory_unref (copy);
  gst_memory_unref (memory);
}

GST_END_TEST;

/*
 * A copy is aligned as its source, as a copy of GStreamer's system memory
 * is (gst_memory_copy() gives a copy no allocation parameters): same
 * GstMemory align, its first byte aligned on the host. With 64 KiB, more
 * than any allocation is aligned by chance.
 */
GST_START_TEST (test_copy_keeps_alignment)
{
  static const gsize aligns[] = { 63, 4095, 65535 };
  GstAllocationParams params;
  GstMemory *mem, *sub, *copies[3];
  GstMapInfo info;
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (aligns); i++) {
    gst_allocation_params_init (&params);
    params.align = aligns[i];
    params.prefix = 100;
    params.padding = 7;
    mem = gst_allocator_alloc (alloc, 10000, &params);
    fail_unless (mem != NULL);
    fail_unless_equals_uint64 (mem->align, aligns[i]);
    sub = gst_memory_share (mem, 1, 5000);
    copies[0] = gst_memory_copy (mem, 0, -1);
    copies[1] = gst_memory_copy (mem, 3, 1000);
    copies[2] = gst_memory_copy (sub, 0, -1);
    for (j = 0; j < G_N_ELEMENTS (copies); j++) {
      fail_unless (copies[j] != NULL);
      fail_unless_equals_uint64 (copies[j]->align, aligns[i]);
      fail_unless (gst_memory_map (copies[j], &info, GST_MAP_READ));
      fail_unless_equals_uint64 ((guintptr) info.data & aligns[i], 0);
      gst_memory_unmap (copies[j], &info);
      gst_memory_unref (copies[j]);
    }
    gst_memory_unref (sub);
    gst_memory_unref (mem);
  }
}

GST_END_TEST;

GST_START_TEST (test_resize)
{
  GstMemory *mem;
  gsize maxalloc;
  gsize size, maxsize, offset;
  GstMapInfo info, dev;
  guint8 *base;
  guintptr dev_base;

  mem = gst_allocator_alloc (alloc, 100, NULL);
  size = gst_memory_get_sizes (mem, &offset, &maxalloc);
  fail_unless (size == 100);
  fail_unless (offset == 0);
  fail_unless (maxalloc >= 100);

  ASSERT_CRITICAL (gst_memory_resize (mem, 200, 50));
  ASSERT_CRITICAL (gst_memory_resize (mem, 0, 150 + maxalloc));
  ASSERT_CRITICAL (gst_memory_resize (mem, 1, maxalloc));
  ASSERT_CRITICAL (gst_memory_resize (mem, maxalloc, 1));

  gst_memory_resize (mem, 0, 100);
  size = gst_memory_get_sizes (mem, &offset, &maxsize);
  fail_unless (size == 100);
  fail_unless (offset == 0);
  fail_unless (maxsize == maxalloc);

  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  base = info.data;
  dev_base = (guintptr) dev.data;
  gst_memory_unmap (mem, &dev);
  gst_memory_unmap (mem, &info);

  gst_memory_resize (mem, 1, 99);
  size = gst_memory_get_sizes (mem, &offset, &maxsize);
  fail_unless (size == 99);
  fail_unless (offset == 1);
  fail_unless (maxsize == maxalloc);
  ASSERT_CRITICAL (gst_memory_resize (mem, 1, maxalloc - 1));

  /* Host and device maps both move with the offset. */
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless (info.data == base + 1);
  fail_unless_equals_uint64 (info.size, 99);
  fail_unless_equals_uint64 ((guintptr) dev.data, dev_base + 1);
  gst_memory_unmap (mem, &dev);
  gst_memory_unmap (mem, &info);

  gst_memory_resize (mem, 49, 40);
  size = gst_memory_get_sizes (mem, &offset, &maxsize);
  fail_unless (size == 40);
  fail_unless (offset == 50);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless (info.data == base + 50);
  gst_memory_unmap (mem, &info);

  gst_memory_resize (mem, -50, 100);
  size = gst_memory_get_sizes (mem, &offset, &maxsize);
  fail_unless (size == 100);
  fail_unless (offset == 0);
  fail_unless (maxsize == maxalloc);
  ASSERT_CRITICAL (gst_memory_resize (mem, -1, 100));

  gst_memory_resize (mem, 0, 0);
  size = gst_memory_get_sizes (mem, &offset, &maxsize);
  fail_unless (size == 0);
  fail_unless (offset == 0);
  fail_unless (maxsize == maxalloc);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_map)
{
  GstMemory *mem;
  GstMapInfo info;
  gsize maxalloc;
  gsize size, offset;

  mem = gst_allocator_alloc (alloc, 100, NULL);
  size = gst_memory_get_sizes (mem, &offset, &maxalloc);
  fail_unless (size == 100);
  fail_unless (offset == 0);
  fail_unless (maxalloc >= 100);

  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless (info.data != NULL);
  fail_unless (info.size == 100);
  fail_unless (info.maxsize == maxalloc);
  fail_unless (info.memory == mem);
  fail_unless_equals_int (GST_MINI_OBJECT_REFCOUNT (mem), 1);
  gst_memory_unmap (mem, &info);
  fail_unless_equals_int (GST_MINI_OBJECT_REFCOUNT (mem), 1);
  assert_core_unmapped (mem);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_map_nested)
{
  GstMemory *mem;
  GstMapInfo info1, info2;

  mem = gst_allocator_alloc (alloc, 100, NULL);

  /* nested mapping */
  fail_unless (gst_memory_map (mem, &info1, GST_MAP_READ));
  fail_unless (info1.data != NULL);
  fail_unless (info1.size == 100);
  fail_unless (gst_memory_map (mem, &info2, GST_MAP_READ));
  fail_unless (info2.data == info1.data);
  fail_unless (info2.size == 100);
  gst_memory_unmap (mem, &info2);
  gst_memory_unmap (mem, &info1);
  assert_core_unmapped (mem);

  fail_unless (gst_memory_map (mem, &info1, GST_MAP_READ));
  /* not allowed */
  fail_if (gst_memory_map (mem, &info2, GST_MAP_WRITE));
  fail_if (gst_memory_map (mem, &info2, GST_MAP_READWRITE));
  fail_if (gst_memory_map (mem, &info2, GST_MAP_VVAS | GST_MAP_WRITE));
  fail_unless (gst_memory_map (mem, &info2, GST_MAP_READ));
  gst_memory_unmap (mem, &info2);
  gst_memory_unmap (mem, &info1);
  /* The refused write maps did not mark the host copy newer. */
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  assert_core_unmapped (mem);

  fail_unless (gst_memory_map (mem, &info1, GST_MAP_WRITE));
  /* not allowed */
  fail_if (gst_memory_map (mem, &info2, GST_MAP_READ));
  fail_if (gst_memory_map (mem, &info2, GST_MAP_READWRITE));
  fail_unless (gst_memory_map (mem, &info2, GST_MAP_WRITE));
  gst_memory_unmap (mem, &info1);
  gst_memory_unmap (mem, &info2);
  /* nothing was mapped */
  ASSERT_CRITICAL (gst_memory_unmap (mem, &info2));
  assert_core_unmapped (mem);

  fail_unless (gst_memory_map (mem, &info1, GST_MAP_READWRITE));
  fail_unless (gst_memory_map (mem, &info2, GST_MAP_READ));
  gst_memory_unmap (mem, &info2);
  fail_unless (gst_memory_map (mem, &info2, GST_MAP_WRITE));
  gst_memory_unmap (mem, &info2);
  gst_memory_unmap (mem, &info1);
  /* nothing was mapped */
  ASSERT_CRITICAL (gst_memory_unmap (mem, &info1));
  assert_core_unmapped (mem);

  /* After the unbalanced unmaps, the memory works as before. */
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
  xrt_count_reset ();
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless (map_unmap (mem, GST_MAP_READWRITE));
  assert_syncs (1, 0);
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
  assert_core_unmapped (mem);
  gst_memory_unref (mem);
}

GST_END_TEST;

/*
 * Map flags: GST_MAP_READ, GST_MAP_WRITE or both, with or without
 * GST_MAP_VVAS. A host map with no access flag gives the address and
 * transfers nothing, as GStreamer's own memories do; a device map with no
 * access flag, or of host memory, is refused with a warning naming the
 * flags given and those accepted. Bits it does not know (GstVideoFrame's
 * NO_REF, GST_MAP_FLAG_LAST, say) belong to others and change nothing.
 */
GST_START_TEST (test_map_flags)
{
  GstMemory *mem = gst_allocator_alloc (alloc, 4096, NULL);
  GstMemory *host = gst_allocator_alloc (host_alloc, 4096, NULL);
  GstMapFlags other_bit = (GstMapFlags) (GST_MAP_FLAG_LAST << 4);
  GstMapInfo info, ref;

  gst_vvas_test_watch_warnings ("vvasmemory");
  /* The device copy newer: a host READ map would transfer it. */
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_WRITE));
  fail_unless (gst_memory_map (mem, &ref, GST_MAP_VVAS | GST_MAP_READ));
  gst_memory_unmap (mem, &ref);
  xrt_count_reset ();

  /* No access flag: the host address, nothing transferred, state kept. */
  fail_unless (gst_memory_map (mem, &info, 0));
  fail_unless_equals_uint64 (info.size, 4096);
  gst_memory_unmap (mem, &info);
  fail_unless (info.data != ref.data, "a device address");
  fail_unless (gst_memory_map (mem, &info, GST_MAP_FLAG_LAST));
  gst_memory_unmap (mem, &info);
  assert_syncs (0, 0);
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  assert_core_unmapped (mem);
  fail_unless (gst_memory_map (mem, &ref, GST_MAP_READ));
  fail_unless (ref.data == info.data);
  gst_memory_unmap (mem, &ref);
  assert_syncs (0, 1);

  /* GST_MAP_VVAS with no access flag: refused, saying why; no transfer. */
  fail_unless (map_unmap (mem, GST_MAP_WRITE));
  xrt_count_reset ();
  fail_if (gst_memory_map (mem, &info, GST_MAP_VVAS));
  fail_unless (gst_vvas_test_warned ("vvasmemory", "map flags GST_MAP_VVAS "
          "refused*accepted*GST_MAP_READ, GST_MAP_WRITE or both*"
          "GST_MAP_VVAS"));
  fail_if (gst_memory_map (mem, &info, GST_MAP_VVAS | other_bit));
  fail_unless (gst_vvas_test_warned ("vvasmemory",
          "map flags GST_MAP_VVAS | 0x100000 refused"));
  assert_syncs (0, 0);
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
  /* No lock left behind: a writer maps. */
  fail_unless (map_unmap (mem, GST_MAP_WRITE));

  /* Bits of others next to access flags: ignored. */
  fail_unless (map_unmap (mem, GST_MAP_READ | other_bit));
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ | other_bit));
  assert_syncs (1, 0);

  /* Host memory has no device side. */
  fail_if (gst_memory_map (host, &info, GST_MAP_VVAS | GST_MAP_READWRITE));
  fail_unless (gst_vvas_test_warned ("vvasmemory", "map flags GST_MAP_READ "
          "| GST_MAP_WRITE | GST_MAP_VVAS refused: host memory*accepted*"));
  fail_unless (map_unmap (host, 0));
  fail_unless (map_unmap (host, GST_MAP_READWRITE));

  gst_memory_unref (host);
  gst_memory_unref (mem);
  gst_vvas_test_unwatch_warnings ();
}

GST_END_TEST;

/* --- Transfer state --------------------------------------------------- */

/* Maps @flags, unmaps, then asserts the transfers since the last check and
 * the state left. */
#define step(mem, flags, to_dev, from_dev, state) G_STMT_START {        \
  xrt_count_reset ();                                                   \
  fail_unless (map_unmap ((mem), (flags)), "map failed");               \
  assert_syncs ((to_dev), (from_dev));                                  \
  fail_unless_equals_uint64 (xrt_count_bytes (XRT_CALL_SYNC_TO_DEVICE), \
      (to_dev) * vsize);                                                \
  fail_unless_equals_uint64 (xrt_count_bytes (XRT_CALL_SYNC_FROM_DEVICE), \
      (from_dev) * vsize);                                              \
  assert_pending ((mem), (state));                                      \
  assert_core_unmapped (mem);                                           \
} G_STMT_END

GST_START_TEST (test_transfer_state)
{
  GstMemory *mem = gst_allocator_alloc (alloc, SIZE, NULL);
  gsize vsize = vvas_memory_get_size (gst_vvas_memory_get_vvas_memory (mem));
  VvasTransferStats stats;
  VvasContext *vctx = gst_vvas_context_get_vvas_context (ctx);

  fail_unless (vsize >= SIZE);
  vvas_context_reset_transfer_stats (vctx);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);

  /* New memory: host maps move nothing. */
  step (mem, GST_MAP_READ, 0, 0, VVAS_DATA_SYNC_NONE);
  step (mem, GST_MAP_WRITE, 0, 0, VVAS_DATA_SYNC_TO_DEVICE);
  /* Host reads keep the host copy the newer one. */
  step (mem, GST_MAP_READ, 0, 0, VVAS_DATA_SYNC_TO_DEVICE);
  /* Device access makes the device copy current, once. */
  step (mem, GST_MAP_VVAS | GST_MAP_READ, 1, 0, VVAS_DATA_SYNC_NONE);
  step (mem, GST_MAP_VVAS | GST_MAP_READ, 0, 0, VVAS_DATA_SYNC_NONE);
  /* A device writer makes the device copy newer... */
  step (mem, GST_MAP_VVAS | GST_MAP_WRITE, 0, 0, VVAS_DATA_SYNC_FROM_DEVICE);
  /* ...and a device reader does not bring it back. */
  step (mem, GST_MAP_VVAS | GST_MAP_READ, 0, 0, VVAS_DATA_SYNC_FROM_DEVICE);
  /* The next host read brings it back, once. */
  step (mem, GST_MAP_READ, 0, 1, VVAS_DATA_SYNC_NONE);
  step (mem, GST_MAP_READ, 0, 0, VVAS_DATA_SYNC_NONE);
  /* A host write-only map still refreshes first (a partial write). */
  step (mem, GST_MAP_VVAS | GST_MAP_READWRITE, 0, 0,
      VVAS_DATA_SYNC_FROM_DEVICE);
  step (mem, GST_MAP_WRITE, 0, 1, VVAS_DATA_SYNC_TO_DEVICE);
  /* A device write-only map also updates the device first. */
  step (mem, GST_MAP_VVAS | GST_MAP_WRITE, 1, 0, VVAS_DATA_SYNC_FROM_DEVICE);
  step (mem, GST_MAP_READWRITE, 0, 1, VVAS_DATA_SYNC_TO_DEVICE);
  step (mem, GST_MAP_READWRITE, 0, 0, VVAS_DATA_SYNC_TO_DEVICE);
  step (mem, GST_MAP_VVAS | GST_MAP_READWRITE, 1, 0,
      VVAS_DATA_SYNC_FROM_DEVICE);

  /* The library's own statistics agree with the boundary: 3 + 3 in all. */
  fail_unless_equals_int (vvas_context_get_transfer_stats (vctx, &stats),
      VVAS_RET_SUCCESS);
  fail_unless_equals_uint64 (stats.syncs_to_device, 3);
  fail_unless_equals_uint64 (stats.syncs_from_device, 3);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_transfer_state_pipeline)
{
  GstMemory *in = gst_allocator_alloc (alloc, SIZE, NULL);
  GstMemory *out = gst_allocator_alloc (alloc1, SIZE, NULL);
  guint frame;

  /* Upload, kernel in -> out, download; maps as elements do them: per
   * frame one transfer each way, whatever the number of maps. */
  for (frame = 0; frame < 5; frame++) {
    fail_unless (map_unmap (in, GST_MAP_WRITE));
    fail_unless (map_unmap (in, GST_MAP_VVAS | GST_MAP_READ));
    fail_unless (map_unmap (out, GST_MAP_VVAS | GST_MAP_WRITE));
    fail_unless (map_unmap (out, GST_MAP_READ));
    fail_unless (map_unmap (out, GST_MAP_READ));
    fail_unless (map_unmap (in, GST_MAP_READ));
  }
  assert_syncs (5, 5);
  assert_pending (in, VVAS_DATA_SYNC_NONE);
  assert_pending (out, VVAS_DATA_SYNC_NONE);
  gst_memory_unref (in);
  gst_memory_unref (out);
}

GST_END_TEST;

/*
 * GstMemory lets a READ map in while a READWRITE map is held, so host and
 * device maps can overlap. Whichever side ends its write last leaves its
 * copy the newer one: nothing it wrote after the other side's transfer is
 * lost.
 */
GST_START_TEST (test_overlapping_maps)
{
  GstMemory *mem = gst_allocator_alloc (alloc, SIZE, NULL);
  GstMapInfo host, device;

  /* A kernel reads while the host is still writing. */
  xrt_count_reset ();
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READWRITE));
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
  fail_unless (gst_memory_map (mem, &device, GST_MAP_VVAS | GST_MAP_READ));
  assert_syncs (1, 0);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  gst_memory_unmap (mem, &device);
  gst_memory_unmap (mem, &host);
  /* The host's later bytes are pending again, and reach the device once. */
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
  assert_syncs (2, 0);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);

  /* The host reads while a kernel is still writing. */
  xrt_count_reset ();
  fail_unless (gst_memory_map (mem, &device, GST_MAP_VVAS | GST_MAP_READWRITE));
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_syncs (0, 1);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  gst_memory_unmap (mem, &host);
  gst_memory_unmap (mem, &device);
  /* The kernel's later bytes are pending again, fetched once. */
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  fail_unless (map_unmap (mem, GST_MAP_READ));
  fail_unless (map_unmap (mem, GST_MAP_READ));
  assert_syncs (0, 2);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);

  /* Readers on both sides leave the state as it was. */
  xrt_count_reset ();
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  fail_unless (gst_memory_map (mem, &device, GST_MAP_VVAS | GST_MAP_READ));
  gst_memory_unmap (mem, &device);
  gst_memory_unmap (mem, &host);
  assert_syncs (0, 0);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  assert_core_unmapped (mem);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_host_memory_transfers_nothing)
{
  GstMemory *mem = gst_allocator_alloc (host_alloc, SIZE, NULL);
  gsize vsize = SIZE;
  GstMapInfo info;

  step (mem, GST_MAP_WRITE, 0, 0, VVAS_DATA_SYNC_NONE);
  step (mem, GST_MAP_READ, 0, 0, VVAS_DATA_SYNC_NONE);
  /* Device access to host memory is refused, and leaves no lock. */
  fail_if (gst_memory_map (mem, &info, GST_MAP_VVAS | GST_MAP_READ));
  fail_if (gst_memory_map (mem, &info, GST_MAP_VVAS | GST_MAP_WRITE));
  step (mem, GST_MAP_READWRITE, 0, 0, VVAS_DATA_SYNC_NONE);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_share_state)
{
  GstMemory *mem = gst_allocator_alloc (alloc1, SIZE, NULL);
  GstMemory *sub = gst_memory_share (mem, 100, 1000);

  /* One core memory, one state. */
  fail_unless (gst_vvas_memory_get_vvas_memory (sub) ==
      gst_vvas_memory_get_vvas_memory (mem));
  fail_unless (gst_vvas_memory_get_bo (sub) == gst_vvas_memory_get_bo (mem));
  fail_unless_equals_int (gst_vvas_memory_get_bank_index (sub), 1);
  fail_unless_equals_int (gst_vvas_memory_get_device_index (sub), 0);
  fail_unless (gst_vvas_memory_can_avoid_copy (sub, 0, 1));

  /* The device wrote through the parent: a share's read downloads once,
   * for both. */
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_WRITE));
  assert_pending (sub, VVAS_DATA_SYNC_FROM_DEVICE);
  xrt_count_reset ();
  fail_unless (map_unmap (sub, GST_MAP_READ));
  fail_unless (map_unmap (mem, GST_MAP_READ));
  assert_syncs (0, 1);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);

  /* The host wrote through the parent: a share's device access uploads
   * once, for both. */
  fail_unless (map_unmap (mem, GST_MAP_WRITE));
  assert_pending (sub, VVAS_DATA_SYNC_TO_DEVICE);
  fail_unless (map_unmap (sub, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
  assert_syncs (1, 1);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);

  /* An explicit sync of a share is one of the parent. */
  fail_unless (gst_vvas_memory_sync (sub, VVAS_DATA_SYNC_FROM_DEVICE));
  assert_syncs (1, 2);
  assert_core_unmapped (mem);
  gst_memory_unref (sub);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_failed_transfers)
{
  GstMemory *mem = gst_allocator_alloc (alloc, 4096, NULL);
  GstMapInfo info;

  /* A failed upload fails the device map; the state stays. */
  fail_unless (map_unmap (mem, GST_MAP_WRITE));
  xrt_count_reset ();
  xrt_count_fail_next (XRT_CALL_SYNC_TO_DEVICE, 1);
  fail_if (gst_memory_map (mem, &info, GST_MAP_VVAS | GST_MAP_READ));
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
  /* No lock left behind: a host writer can map. */
  fail_unless (map_unmap (mem, GST_MAP_WRITE));
  /* The next device map retries, and works. */
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
  assert_syncs (2, 0);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);

  /* A failed upload before a device write does not mark the device newer */
  fail_unless (map_unmap (mem, GST_MAP_WRITE));
  xrt_count_fail_next (XRT_CALL_SYNC_TO_DEVICE, 1);
  fail_if (gst_memory_map (mem, &info, GST_MAP_VVAS | GST_MAP_WRITE));
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_WRITE));
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);

  /* A failed download fails the host map; the state stays. */
  xrt_count_reset ();
  xrt_count_fail_next (XRT_CALL_SYNC_FROM_DEVICE, 1);
  fail_if (gst_memory_map (mem, &info, GST_MAP_READ));
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  xrt_count_fail_next (XRT_CALL_SYNC_FROM_DEVICE, 1);
  fail_if (gst_memory_map (mem, &info, GST_MAP_WRITE));
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  assert_core_unmapped (mem);
  fail_unless (map_unmap (mem, GST_MAP_READ));
  assert_syncs (0, 3);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  gst_memory_unref (mem);
}

GST_END_TEST;

/* --- Device addresses and data round trips ----------------------------- */

GST_START_TEST (test_device_address)
{
  GstAllocationParams params;
  GstMemory *mem, *sub;
  GstMapInfo host, dev, sdev;

  gst_allocation_params_init (&params);
  params.prefix = 256;
  params.align = 4095;
  mem = gst_allocator_alloc (alloc, 10000, &params);

  /* The device map gives the device address of the first byte. */
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  /* The same byte of the buffer object as the host map's first. */
  fail_unless_equals_uint64 (kernel_offset (mem, (guintptr) dev.data),
      host.data - (guint8 *) xrtBOMap (gst_vvas_memory_get_bo (mem)));
  fail_unless_equals_uint64 (dev.size, 10000);

  /* A share's device address is the parent's plus the share's offset. */
  sub = gst_memory_share (mem, 100, 50);
  fail_unless (gst_memory_map (sub, &sdev, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless_equals_uint64 ((guintptr) sdev.data, (guintptr) dev.data + 100);
  fail_unless_equals_uint64 (sdev.size, 50);
  gst_memory_unmap (sub, &sdev);
  gst_memory_unmap (mem, &host);
  gst_memory_unmap (mem, &dev);

  /* gst_vvas_memory_get_paddr() is the device address of the memory's
   * first byte (after its offset): what a device map gives, and what a
   * kernel is handed. */
  fail_unless_equals_uint64 ((guintptr) dev.data,
      gst_vvas_memory_get_paddr (mem));
  fail_unless_equals_uint64 ((guintptr) sdev.data,
      gst_vvas_memory_get_paddr (sub));
  fail_unless_equals_uint64 (gst_vvas_memory_get_paddr (sub),
      gst_vvas_memory_get_paddr (mem) + 100);
  gst_memory_unref (sub);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_data_round_trip)
{
  GstAllocationParams params;
  GstMemory *mem;
  GstMapInfo info, dev;
  gsize size = 100000;

  gst_allocation_params_init (&params);
  params.prefix = 64;
  params.padding = 64;
  params.align = 255;
  mem = gst_allocator_alloc (alloc1, size, &params);

  /* Host writes. */
  fail_unless (gst_memory_map (mem, &info, GST_MAP_WRITE));
  fill_pattern (info.data, size, 1);
  gst_memory_unmap (mem, &info);

  /* A kernel reads them at the device address it is given, then writes. */
  xrt_count_reset ();
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READWRITE));
  fail_unless_equals_int (kernel_check_pattern (mem, (guintptr) dev.data,
          size, 1), -1);
  kernel_write_pattern (mem, (guintptr) dev.data, size, 2);
  gst_memory_unmap (mem, &dev);
  assert_syncs (1, 0);

  /* The host sees the kernel's bytes after one transfer. */
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless_equals_int (check_pattern (info.data, size, 2), -1);
  gst_memory_unmap (mem, &info);
  assert_syncs (1, 1);

  /* A device write-only map (a kernel that overwrites all of it). */
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_WRITE));
  kernel_write_pattern (mem, (guintptr) dev.data, size, 3);
  gst_memory_unmap (mem, &dev);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READWRITE));
  fail_unless_equals_int (check_pattern (info.data, size, 3), -1);
  /* The host changes part of it; the kernel sees it all. */
  fill_pattern (info.data, size / 2, 4);
  gst_memory_unmap (mem, &info);
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless_equals_int (kernel_check_pattern (mem, (guintptr) dev.data,
          size / 2, 4), -1);
  fail_unless_equals_int (kernel_check_pattern (mem, (guintptr) dev.data +
          size / 2, size - size / 2, 3 + (guint) (size / 2) * 31), -1);
  gst_memory_unmap (mem, &dev);
  assert_syncs (2, 2);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_explicit_sync)
{
  GstMemory *mem = gst_allocator_alloc (alloc, 8192, NULL);
  GstMemory *host = gst_allocator_alloc (host_alloc, 8192, NULL);

  /* For applications: the transfer is done whether pending or not. */
  fail_unless (gst_vvas_memory_sync (mem, VVAS_DATA_SYNC_TO_DEVICE));
  assert_syncs (1, 0);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  fail_unless (gst_vvas_memory_sync (mem, VVAS_DATA_SYNC_FROM_DEVICE));
  assert_syncs (1, 1);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  fail_unless (map_unmap (mem, GST_MAP_WRITE));
  fail_unless (gst_vvas_memory_sync (mem, VVAS_DATA_SYNC_TO_DEVICE));
  assert_syncs (2, 1);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  /* Then a device access has nothing left to do. */
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
  assert_syncs (2, 1);
  /* Host memory has nothing to sync. */
  fail_unless (gst_vvas_memory_sync (host, VVAS_DATA_SYNC_TO_DEVICE));
  fail_unless (gst_vvas_memory_sync (host, VVAS_DATA_SYNC_FROM_DEVICE));
  assert_syncs (2, 1);
  gst_memory_unref (host);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_export_dmabuf)
{
  GstMemory *mem = alloc_pattern (alloc, 8192, 7);
  GstMemory *host = gst_allocator_alloc (host_alloc, 8192, NULL);
  GError *error = NULL;
  guint8 *bytes;
  gint fd, fd2;

  /* A device that cannot export (XRT's no-op device; here any device,
   * with XRT's export failing): -1 and an error, no crash. */
  xrt_count_fail_next (XRT_CALL_BO_EXPORT, 2);
  fail_unless_equals_int (gst_vvas_memory_export_dmabuf (mem, &error), -1);
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  /* With the core's reason. */
  fail_unless (strstr (error->message, "unknown error") == NULL, "%s",
      error->message);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), 1);
  g_clear_error (&error);
  fail_unless_equals_int (gst_vvas_memory_export_dmabuf (mem, NULL), -1);
  /* Host memory has no buffer object to export. */
  fail_unless_equals_int (gst_vvas_memory_export_dmabuf (host, &error), -1);
  fail_unless (error != NULL);
  g_clear_error (&error);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), 2);

  fd = gst_vvas_memory_export_dmabuf (mem, &error);
  if (!xrt_emu_enabled ()) {
    /* The no-op device never exports. */
    fail_unless_equals_int (fd, -1);
    g_clear_error (&error);
  } else {
    /* Each export is a descriptor of the caller's own, onto the device
     * copy, which holds the host's bytes: they were pending. */
    fail_unless (fd >= 0, "%s", error ? error->message : "");
    fd2 = gst_vvas_memory_export_dmabuf (mem, NULL);
    fail_unless (fd2 >= 0 && fd2 != fd);
    bytes = g_malloc (8192);
    fail_unless_equals_int (pread (fd2, bytes, 8192, 0), 8192);
    fail_unless_equals_int (check_pattern (bytes, 8192, 7), -1);
    g_free (bytes);
    fail_unless_equals_int (close (fd), 0);
    fail_unless_equals_int (close (fd2), 0);
    assert_pending (mem, VVAS_DATA_SYNC_NONE);
  }
  gst_memory_unref (host);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_wrap)
{
  VvasContext *vctx = gst_vvas_context_get_vvas_context (ctx);
  GstVvasContext *other;
  VvasMemory *vmem;
  GstMemory *mem;
  GstMapInfo info;

  vmem = vvas_memory_alloc (vctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE,
      1, 5000, NULL);
  fail_unless (vmem != NULL);
  /* A kernel wrote it: the device copy is newer. */
  vvas_memory_set_sync_flag (vmem, VVAS_DATA_SYNC_FROM_DEVICE);
  xrt_count_reset ();
  mem = gst_vvas_memory_wrap (alloc1, vmem);
  fail_unless (mem != NULL);
  fail_unless (gst_vvas_memory_get_vvas_memory (mem) == vmem);
  fail_unless_equals_uint64 (gst_memory_get_sizes (mem, NULL, NULL), 5000);
  fail_unless_equals_int (gst_vvas_memory_get_bank_index (mem), 1);
  /* Wrapping transfers nothing, and keeps the state. */
  assert_syncs (0, 0);
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless_equals_uint64 (info.size, 5000);
  gst_memory_unmap (mem, &info);
  assert_syncs (0, 1);
  /* The GstMemory owns it. */
  gst_memory_unref (mem);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);

  /* A memory of another context (a device has one) is refused, not
   * taken. */
  other = gst_vvas_context_new (1, two_banks_xclbin, NULL);
  fail_unless (other != NULL);
  vmem = vvas_memory_alloc (gst_vvas_context_get_vvas_context (other),
      VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 0, 5000, NULL);
  fail_unless (gst_vvas_memory_wrap (alloc, vmem) == NULL);
  vvas_memory_free (vmem);
  gst_object_unref (other);
}

GST_END_TEST;

/* --- Copies ------------------------------------------------------------ */

GST_START_TEST (test_copy_on_device)
{
  GstMemory *mem = gst_allocator_alloc (alloc, SIZE, NULL);
  GstMemory *copy, *sub;

  /* The device copy of the source is current: copied on the device. */
  xrt_count_reset ();
  copy = gst_memory_copy (mem, 0, -1);
  fail_unless (copy != NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_COPY), 1);
  assert_syncs (0, 0);
  fail_unless_equals_uint64 (gst_memory_get_sizes (copy, NULL, NULL), SIZE);
  assert_pending (copy, VVAS_DATA_SYNC_FROM_DEVICE);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  gst_memory_unref (copy);

  /* Also when the device copy is the newer one. */
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_WRITE));
  xrt_count_reset ();
  copy = gst_memory_copy (mem, 100, 1000);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_COPY), 1);
  assert_syncs (0, 0);
  fail_unless_equals_uint64 (gst_memory_get_sizes (copy, NULL, NULL), 1000);
  assert_pending (copy, VVAS_DATA_SYNC_FROM_DEVICE);
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  gst_memory_unref (copy);

  /* A share's bytes, on the device too. */
  sub = gst_memory_share (mem, 4096, 8192);
  xrt_count_reset ();
  copy = gst_memory_copy (sub, 0, -1);
  fail_unless (copy != NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_COPY), 1);
  assert_syncs (0, 0);
  fail_unless_equals_uint64 (gst_memory_get_sizes (copy, NULL, NULL), 8192);
  fail_unless (copy->parent == NULL);
  gst_memory_unref (copy);
  gst_memory_unref (sub);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_copy_on_device_with_fill)
{
  GstMemory *mem, *copy;

  /* A filled allocator: the source's fill reaches the device first. */
  gst_vvas_allocator_set_fill_byte (alloc, 0x42);
  mem = gst_allocator_alloc (alloc, SIZE, NULL);
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ));
  xrt_count_reset ();
  copy = gst_memory_copy (mem, 0, -1);
  fail_unless (copy != NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_COPY), 1);
  /* The copy overwrites all of it: no transfer of a fill first. */
  assert_syncs (0, 0);
  assert_pending (copy, VVAS_DATA_SYNC_FROM_DEVICE);
  gst_memory_unref (copy);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_copy_through_host)
{
  GstAllocationParams params;
  GstMemory *mem, *copy, *sub;
  GstMapInfo info;

  /* The host copy is newer: copied through host maps, no transfer. */
  gst_allocation_params_init (&params);
  params.prefix = 32;
  mem = gst_allocator_alloc (alloc, 10000, &params);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_WRITE));
  memset (info.data - 32, 0xee, 32);
  fill_pattern (info.data, 10000, 5);
  gst_memory_unmap (mem, &info);
  xrt_count_reset ();

  copy = gst_memory_copy (mem, 0, -1);
  fail_unless (copy != NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_COPY), 0);
  assert_syncs (0, 0);
  assert_pending (copy, VVAS_DATA_SYNC_TO_DEVICE);
  fail_unless_equals_uint64 (gst_memory_get_sizes (copy, NULL, NULL), 10000);
  fail_unless (gst_memory_map (copy, &info, GST_MAP_READ));
  fail_unless_equals_int (check_pattern (info.data, 10000, 5), -1);
  gst_memory_unmap (copy, &info);
  gst_memory_unref (copy);

  /* Part of it. */
  copy = gst_memory_copy (mem, 10, 100);
  fail_unless_equals_uint64 (gst_memory_get_sizes (copy, NULL, NULL), 100);
  fail_unless (gst_memory_map (copy, &info, GST_MAP_READ));
  fail_unless_equals_int (check_pattern (info.data, 100, 5 + 10 * 31), -1);
  gst_memory_unmap (copy, &info);
  gst_memory_unref (copy);

  /* The rest from an offset. */
  copy = gst_memory_copy (mem, 9000, -1);
  fail_unless_equals_uint64 (gst_memory_get_sizes (copy, NULL, NULL), 1000);
  fail_unless (gst_memory_map (copy, &info, GST_MAP_READ));
  fail_unless_equals_int (check_pattern (info.data, 1000, 5 + 9000 * 31), -1);
  gst_memory_unmap (copy, &info);
  gst_memory_unref (copy);

  /* Past the end: refused, not read out of bounds. */
  fail_unless (gst_memory_copy (mem, 9000, 2000) == NULL);
  /* The rest from past the end is nothing, as in sysmem. */
  copy = gst_memory_copy (mem, 20000, -1);
  fail_unless (copy != NULL);
  fail_unless_equals_uint64 (gst_memory_get_sizes (copy, NULL, NULL), 0);
  gst_memory_unref (copy);

  /* Nothing. */
  copy = gst_memory_copy (mem, 10, 0);
  fail_unless (copy != NULL);
  fail_unless (gst_is_vvas_memory (copy));
  fail_unless_equals_uint64 (gst_memory_get_sizes (copy, NULL, NULL), 0);
  gst_memory_unref (copy);

  /* A share: its bytes, into a writable memory of its own. */
  sub = gst_memory_share (mem, 500, 200);
  copy = gst_memory_copy (sub, 0, -1);
  fail_unless_equals_uint64 (gst_memory_get_sizes (copy, NULL, NULL), 200);
  fail_if (GST_MEMORY_FLAG_IS_SET (copy, GST_VVAS_MEMORY_FLAG_SHARED));
  fail_if (GST_MEMORY_IS_READONLY (copy));
  fail_unless (copy->parent == NULL);
  fail_unless (gst_memory_map (copy, &info, GST_MAP_READWRITE));
  fail_unless_equals_int (check_pattern (info.data, 200, 5 + 500 * 31), -1);
  gst_memory_unmap (copy, &info);
  gst_memory_unref (copy);
  gst_memory_unref (sub);

  /* The source's state is untouched by all of this. */
  assert_syncs (0, 0);
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
  assert_core_unmapped (mem);
  gst_memory_unref (mem);

  /* Host memory copies into host memory. */
  mem = alloc_pattern (host_alloc, 3000, 6);
  copy = gst_memory_copy (mem, 1, -1);
  fail_unless (copy->allocator == host_alloc);
  fail_unless (gst_memory_map (copy, &info, GST_MAP_READ));
  fail_unless_equals_uint64 (info.size, 2999);
  fail_unless_equals_int (check_pattern (info.data, 2999, 6 + 31), -1);
  gst_memory_unmap (copy, &info);
  gst_memory_unref (copy);
  gst_memory_unref (mem);
}

GST_END_TEST;

/* --- Threads ------------------------------------------------------------ */

typedef struct
{
  GstMemory *mem;
  guint index;
  guint failures;
  guint64 allocated;
} ThreadData;

static gpointer
map_thread (gpointer user_data)
{
  ThreadData *td = user_data;
  guint i;

  for (i = 0; i < 200; i++) {
    GstMapInfo info;

    if (!gst_memory_map (td->mem, &info, GST_MAP_READ)) {
      td->failures++;
      continue;
    }
    if (info.size != 65536 || info.data[0] != (guint8) 9 ||
        info.data[65535] != (guint8) (65535 * 31 + 9))
      td->failures++;
    gst_memory_unmap (td->mem, &info);
    if (!map_unmap (td->mem, GST_MAP_VVAS | GST_MAP_READ))
      td->failures++;
  }
  return NULL;
}

GST_START_TEST (test_threads_map)
{
  GstMemory *mem = alloc_pattern (alloc, 65536, 9);
  GThread *threads[N_THREADS];
  ThreadData data[N_THREADS];
  guint i;

  /* The host copy is newer, then the device: the first device reader
   * uploads; a kernel writes; the first host reader downloads. */
  fail_unless (map_unmap (mem, GST_MAP_VVAS | GST_MAP_WRITE));
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  xrt_count_reset ();
  for (i = 0; i < N_THREADS; i++) {
    data[i].mem = mem;
    data[i].index = i;
    data[i].failures = 0;
    threads[i] = g_thread_new ("mapper", map_thread, &data[i]);
  }
  for (i = 0; i < N_THREADS; i++) {
    g_thread_join (threads[i]);
    fail_unless_equals_int (data[i].failures, 0);
  }
  /* Exactly one download, however the threads raced. */
  assert_syncs (0, 1);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  assert_core_unmapped (mem);

  /* The host copy newer: exactly one upload. */
  fail_unless (map_unmap (mem, GST_MAP_READWRITE));
  xrt_count_reset ();
  for (i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("mapper", map_thread, &data[i]);
  for (i = 0; i < N_THREADS; i++) {
    g_thread_join (threads[i]);
    fail_unless_equals_int (data[i].failures, 0);
  }
  assert_syncs (1, 0);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  assert_core_unmapped (mem);
  fail_unless_equals_int (GST_MINI_OBJECT_REFCOUNT (mem), 1);
  gst_memory_unref (mem);
}

GST_END_TEST;

static gpointer
alloc_thread (gpointer user_data)
{
  ThreadData *td = user_data;
  guint i;

  for (i = 0; i < 40; i++) {
    gsize size = 4096 + (td->index * 40 + i) * 513;
    GstMemory *mem = gst_allocator_alloc (alloc, size, NULL);
    GstMemory *copy;
    GstMapInfo info;

    if (!mem) {
      td->failures++;
      continue;
    }
    td->allocated++;
    if (gst_memory_map (mem, &info, GST_MAP_WRITE)) {
      fill_pattern (info.data, size, td->index);
      gst_memory_unmap (mem, &info);
    } else {
      td->failures++;
    }
    if (!map_unmap (mem, GST_MAP_VVAS | GST_MAP_READ))
      td->failures++;
    /* A copy now is a device copy. */
    copy = gst_memory_copy (mem, 0, -1);
    if (!copy)
      td->failures++;
    else
      gst_memory_unref (copy);
    if (gst_memory_map (mem, &info, GST_MAP_READ)) {
      if (check_pattern (info.data, size, td->index) != -1)
        td->failures++;
      gst_memory_unmap (mem, &info);
    } else {
      td->failures++;
    }
    gst_memory_unref (mem);
  }
  return NULL;
}

GST_START_TEST (test_threads_alloc)
{
  GThread *threads[N_THREADS];
  ThreadData data[N_THREADS];
  guint i;

  for (i = 0; i < N_THREADS; i++) {
    data[i].mem = NULL;
    data[i].index = i;
    data[i].failures = 0;
    data[i].allocated = 0;
    threads[i] = g_thread_new ("allocator", alloc_thread, &data[i]);
  }
  for (i = 0; i < N_THREADS; i++) {
    g_thread_join (threads[i]);
    fail_unless_equals_int (data[i].failures, 0);
    fail_unless_equals_uint64 (data[i].allocated, 40);
  }
  /* Each memory and each copy: one buffer object, freed; one upload and
   * one device copy per memory, nothing else. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC),
      2 * N_THREADS * 40);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE),
      2 * N_THREADS * 40);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_COPY), N_THREADS * 40);
  assert_syncs (N_THREADS * 40, 0);
}

GST_END_TEST;

static Suite *
vvas_memory_suite (void)
{
  Suite *s = suite_create ("vvasmemory");
  TCase *core = tcase_create ("gstmemory");
  TCase *state = tcase_create ("transfers");
  TCase *copies = tcase_create ("copies");
  TCase *threads = tcase_create ("threads");

  suite_add_tcase (s, core);
  tcase_add_checked_fixture (core, setup, teardown);
  tcase_add_test (core, test_submemory);
  tcase_add_test (core, test_submemory_writable);
  tcase_add_test (core, test_writable);
  tcase_add_test (core, test_is_span);
  tcase_add_test (core, test_copy);
  tcase_add_test (core, test_copy_keeps_alignment);
  tcase_add_test (core, test_resize);
  tcase_add_test (core, test_map);
  tcase_add_test (core, test_map_nested);
  tcase_add_test (core, test_map_flags);

  suite_add_tcase (s, state);
  tcase_add_checked_fixture (state, setup, teardown);
  tcase_add_test (state, test_transfer_state);
  tcase_add_test (state, test_transfer_state_pipeline);
  tcase_add_test (state, test_overlapping_maps);
  tcase_add_test (state, test_host_memory_transfers_nothing);
  tcase_add_test (state, test_share_state);
  tcase_add_test (state, test_failed_transfers);
  tcase_add_test (state, test_device_address);
  tcase_add_test (state, test_data_round_trip);
  tcase_add_test (state, test_explicit_sync);
  tcase_add_test (state, test_export_dmabuf);
  tcase_add_test (state, test_wrap);

  suite_add_tcase (s, copies);
  tcase_add_checked_fixture (copies, setup, teardown);
  tcase_add_test (copies, test_copy_on_device);
  tcase_add_test (copies, test_copy_on_device_with_fill);
  tcase_add_test (copies, test_copy_through_host);

  suite_add_tcase (s, threads);
  tcase_set_timeout (threads, 120);
  tcase_add_checked_fixture (threads, setup, teardown);
  tcase_add_test (threads, test_threads_map);
  tcase_add_test (threads, test_threads_alloc);
  return s;
}

int
main (int argc, char **argv)
{
  return gst_vvas_test_run (vvas_memory_suite, "vvasmemory", argc, argv);
}
