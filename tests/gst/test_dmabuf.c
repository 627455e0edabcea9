/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * VVAS memory to and from GstDmaBufMemory (gstvvasdmabuf.h). On the
 * emulated device (meson test --setup emulated) an export is a real memfd
 * onto the device copy and any memfd imports, so the checks read real
 * bytes through real file descriptors; XRT's no-op device can do neither,
 * and there each test checks the clean error instead.
 */

#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include <gst/allocators/allocators.h>

#include "gst_test_common.h"

#define SIZE (64 * 1024)

static GstVvasContext *ctx;
static GstAllocator *alloc;
static GstAllocator *dmabuf_alloc;
static guint fds_before;

static void
setup (void)
{
  ctx = gst_vvas_test_context_new ();
  alloc = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  fail_unless (alloc != NULL);
  dmabuf_alloc = gst_dmabuf_allocator_new ();
  fds_before = xrt_emu_count_open_fds ();
  xrt_count_reset ();
}

static void
teardown (void)
{
  guint64 closed = xrt_count_get (XRT_CALL_DEVICE_CLOSE);

  gst_object_unref (dmabuf_alloc);
  gst_object_unref (alloc);
  gst_object_unref (ctx);
  /* No memory of the test keeps the device open, nor any fd. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), closed + 1);
  fail_unless_equals_int (xrt_emu_count_open_fds (), fds_before);
}

static GstMemory *
alloc_pattern (gsize size, guint seed)
{
  GstMemory *mem = gst_allocator_alloc (alloc, size, NULL);
  GstMapInfo info;

  fail_unless (mem != NULL);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_WRITE));
  fill_pattern (info.data, size, seed);
  gst_memory_unmap (mem, &info);
  return mem;
}

/* The bytes of @dmamem, read through a mapping of its own fd. */
static gssize
check_fd_pattern (GstMemory * dmamem, guint seed)
{
  gint fd = gst_dmabuf_memory_get_fd (dmamem);
  gsize len = dmamem->offset + dmamem->size;
  guint8 *data;
  gssize res;

  data = mmap (NULL, len, PROT_READ, MAP_SHARED, fd, 0);
  fail_unless (data != MAP_FAILED);
  res = check_pattern (data + dmamem->offset, dmamem->size, seed);
  fail_unless_equals_int (munmap (data, len), 0);
  return res;
}

/* A memfd holding fill_pattern (@seed), as GstDmaBufMemory of @size bytes
 * (which owns the fd). */
static GstMemory *
memfd_dmabuf (gsize size, guint seed)
{
  gint fd = memfd_create ("test-dmabuf", MFD_CLOEXEC);
  guint8 *bytes = g_malloc (size);

  fail_unless (fd >= 0);
  fill_pattern (bytes, size, seed);
  fail_unless_equals_int (pwrite (fd, bytes, size, 0), size);
  g_free (bytes);
  return gst_dmabuf_allocator_alloc (dmabuf_alloc, fd, size);
}

static gssize
check_mem_pattern (GstMemory * mem, guint seed)
{
  GstMapInfo info;
  gssize res;

  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  res = check_pattern (info.data, info.size, seed);
  gst_memory_unmap (mem, &info);
  return res;
}

GST_START_TEST (test_export)
{
  GstMemory *mem = alloc_pattern (SIZE, 3);
  GstMemory *sub, *dmamem, *dmasub;
  GError *error = NULL;

  dmamem = gst_vvas_memory_export_dmabuf_memory (mem, &error);
  if (!xrt_emu_enabled ()) {
    /* The no-op device cannot export: an error, no memory, no fd. */
    fail_unless (dmamem == NULL);
    fail_unless (error != NULL && error->domain == GST_RESOURCE_ERROR);
    g_clear_error (&error);
    gst_memory_unref (mem);
    return;
  }
  fail_unless (dmamem != NULL, "%s", error ? error->message : "");
  fail_unless (gst_is_dmabuf_memory (dmamem));
  fail_unless_equals_uint64 (dmamem->size, SIZE);
  /* Its own fd, not XRT's: closing it leaves the BO's export working. */
  fail_unless (gst_dmabuf_memory_get_fd (dmamem) >= 0);
  /* The host's bytes were pending: the export transferred them. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), 1);
  fail_unless_equals_int (gst_vvas_memory_get_pending_transfers (mem),
      VVAS_DATA_SYNC_NONE);
  fail_unless_equals_int (check_fd_pattern (dmamem, 3), -1);
  /* GStreamer's own mapping of it shows the same bytes. */
  fail_unless_equals_int (check_mem_pattern (dmamem, 3), -1);

  /* A part of a memory exports as that part. */
  sub = gst_memory_share (mem, 100, 1000);
  dmasub = gst_vvas_memory_export_dmabuf_memory (sub, NULL);
  fail_unless (dmasub != NULL);
  fail_unless_equals_uint64 (dmasub->size, 1000);
  fail_unless (gst_dmabuf_memory_get_fd (dmasub) !=
      gst_dmabuf_memory_get_fd (dmamem));
  {
    GstMapInfo info;
    guint8 *expected = g_malloc (SIZE);

    fill_pattern (expected, SIZE, 3);
    fail_unless (gst_memory_map (dmasub, &info, GST_MAP_READ));
    fail_unless_equals_int (info.size, 1000);
    fail_unless (memcmp (info.data, expected + 100, 1000) == 0);
    gst_memory_unmap (dmasub, &info);
    g_free (expected);
  }
  gst_memory_unref (dmasub);
  gst_memory_unref (sub);
  gst_memory_unref (dmamem);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_export_outlives_memory)
{
  GstMemory *mem = alloc_pattern (SIZE, 5);
  GstMemory *dmamem = gst_vvas_memory_export_dmabuf_memory (mem, NULL);

  if (!xrt_emu_enabled ()) {
    fail_unless (dmamem == NULL);
    gst_memory_unref (mem);
    return;
  }
  fail_unless (dmamem != NULL);
  /* The VVAS memory's last other owner goes: the DMA-buf memory keeps the
   * buffer object, whose bytes stay the frame. */
  gst_memory_unref (mem);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 0);
  fail_unless_equals_int (check_fd_pattern (dmamem, 5), -1);
  fail_unless_equals_int (check_mem_pattern (dmamem, 5), -1);
  gst_memory_unref (dmamem);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
}

GST_END_TEST;

GST_START_TEST (test_import_memfd)
{
  GstMemory *dmamem = memfd_dmabuf (SIZE, 9);
  GstMemory *mem, *again;
  GError *error = NULL;

  mem = gst_vvas_allocator_import_dmabuf (alloc, dmamem, &error);
  if (!xrt_emu_enabled ()) {
    fail_unless (mem == NULL);
    fail_unless (error != NULL && error->domain == GST_RESOURCE_ERROR);
    g_clear_error (&error);
    gst_memory_unref (dmamem);
    return;
  }
  fail_unless (mem != NULL, "%s", error ? error->message : "");
  fail_unless (gst_is_vvas_memory (mem));
  fail_unless_equals_uint64 (mem->size, SIZE);
  /* The producer wrote it: the first host read transfers. */
  fail_unless_equals_int (gst_vvas_memory_get_pending_transfers (mem),
      VVAS_DATA_SYNC_FROM_DEVICE);
  fail_unless_equals_int (check_mem_pattern (mem, 9), -1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_IMPORT), 1);

  /* The producer writes the buffer again (a recycling pool): the next use
   * imports nothing and still reads the new bytes. */
  {
    guint8 *bytes = g_malloc (SIZE);

    fill_pattern (bytes, SIZE, 10);
    fail_unless_equals_int (pwrite (gst_dmabuf_memory_get_fd (dmamem), bytes,
            SIZE, 0), SIZE);
    g_free (bytes);
  }
  again = gst_vvas_allocator_import_dmabuf (alloc, dmamem, NULL);
  fail_unless (again == mem);
  fail_unless_equals_int (gst_vvas_memory_get_pending_transfers (again),
      VVAS_DATA_SYNC_FROM_DEVICE);
  fail_unless_equals_int (check_mem_pattern (again, 10), -1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_IMPORT), 1);
  gst_memory_unref (again);

  /* The import lives on after the DMA-buf memory: it holds the buffer. */
  gst_memory_unref (dmamem);
  fail_unless_equals_int (check_mem_pattern (mem, 10), -1);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_import_offset)
{
  GstMemory *dmamem = memfd_dmabuf (SIZE, 11);
  GstMemory *mem;
  GstMapInfo info;
  guint8 *expected;

  gst_memory_resize (dmamem, 4096, 2000);
  mem = gst_vvas_allocator_import_dmabuf (alloc, dmamem, NULL);
  if (!xrt_emu_enabled ()) {
    fail_unless (mem == NULL);
    gst_memory_unref (dmamem);
    return;
  }
  fail_unless (mem != NULL);
  fail_unless_equals_uint64 (mem->size, 2000);
  expected = g_malloc (SIZE);
  fill_pattern (expected, SIZE, 11);
  fail_unless (gst_memory_map (mem, &info, GST_MAP_READ));
  fail_unless_equals_int (info.size, 2000);
  fail_unless (memcmp (info.data, expected + 4096, 2000) == 0);
  gst_memory_unmap (mem, &info);
  g_free (expected);
  gst_memory_unref (mem);
  gst_memory_unref (dmamem);
}

GST_END_TEST;

/* A recycling upstream: four DMA-bufs used twelve times cost four
 * imports, each buffer's bytes read right at every use. */
GST_START_TEST (test_import_count)
{
  GstMemory *dmamems[4];
  guint i, seed;

  for (i = 0; i < G_N_ELEMENTS (dmamems); i++)
    dmamems[i] = memfd_dmabuf (SIZE, i);
  for (seed = 0; seed < 12; seed++) {
    GstMemory *dmamem = dmamems[seed % 4];
    GstMemory *mem;
    guint8 *bytes = g_malloc (SIZE);

    fill_pattern (bytes, SIZE, 100 + seed);
    fail_unless_equals_int (pwrite (gst_dmabuf_memory_get_fd (dmamem), bytes,
            SIZE, 0), SIZE);
    g_free (bytes);
    mem = gst_vvas_allocator_import_dmabuf (alloc, dmamem, NULL);
    if (!xrt_emu_enabled ()) {
      fail_unless (mem == NULL);
      continue;
    }
    fail_unless (mem != NULL);
    fail_unless_equals_int (check_mem_pattern (mem, 100 + seed), -1);
    gst_memory_unref (mem);
  }
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_IMPORT),
      xrt_emu_enabled ()? 4 : 12);
  /* The imports go with their DMA-bufs. */
  for (i = 0; i < G_N_ELEMENTS (dmamems); i++)
    gst_memory_unref (dmamems[i]);
  if (xrt_emu_enabled ())
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 4);
}

GST_END_TEST;

/* Export, then import the export in the same device: the bytes go round
 * without a copy through the host. */
GST_START_TEST (test_round_trip)
{
  GstMemory *mem = alloc_pattern (SIZE, 13);
  GstMemory *dmamem = gst_vvas_memory_export_dmabuf_memory (mem, NULL);
  GstMemory *imported;

  if (!xrt_emu_enabled ()) {
    fail_unless (dmamem == NULL);
    gst_memory_unref (mem);
    return;
  }
  fail_unless (dmamem != NULL);
  gst_memory_unref (mem);
  imported = gst_vvas_allocator_import_dmabuf (alloc, dmamem, NULL);
  fail_unless (imported != NULL);
  fail_unless_equals_int (check_mem_pattern (imported, 13), -1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_COPY), 0);
  gst_memory_unref (dmamem);
  gst_memory_unref (imported);
}

GST_END_TEST;

static Suite *
vvas_dmabuf_suite (void)
{
  Suite *s = suite_create ("vvasdmabuf");
  TCase *tc = tcase_create ("dmabuf");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_export);
  tcase_add_test (tc, test_export_outlives_memory);
  tcase_add_test (tc, test_import_memfd);
  tcase_add_test (tc, test_import_offset);
  tcase_add_test (tc, test_import_count);
  tcase_add_test (tc, test_round_trip);
  return s;
}

int
main (int argc, char **argv)
{
  return gst_vvas_test_run (vvas_dmabuf_suite, "vvasdmabuf", argc, argv);
}
