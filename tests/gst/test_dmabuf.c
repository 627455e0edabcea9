/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * VVAS memory to and from GstDmaBufMemory (gstvvasdmabuf.h), a new
 * DMA-buf memory per export and the VVAS memory's own one. On the
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

/* Writes fill_pattern (@seed) over @mem through a host map. */
static void
write_pattern (GstMemory * mem, guint seed)
{
  GstMapInfo info;

  fail_unless (gst_memory_map (mem, &info, GST_MAP_WRITE));
  fill_pattern (info.data, info.size, seed);
  gst_memory_unmap (mem, &info);
}

/*
 * A VVAS memory's own DMA-buf memory: the same object and fd at every
 * call, one xrtBOExport in all; the host's new bytes transferred at every
 * call that finds some pending, and only then.
 */
GST_START_TEST (test_own_dmabuf_stable)
{
  GstMemory *mem = alloc_pattern (SIZE, 21);
  GstMemory *dmamem, *again;
  GError *error = NULL;
  gint fd;

  dmamem = gst_vvas_memory_get_dmabuf_memory (mem, &error);
  if (!xrt_emu_enabled ()) {
    /* The no-op device cannot export: an error, nothing cached. */
    fail_unless (dmamem == NULL);
    fail_unless (error != NULL && error->domain == GST_RESOURCE_ERROR);
    g_clear_error (&error);
    fail_unless (gst_vvas_memory_get_dmabuf_memory (mem, NULL) == NULL);
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), 2);
    gst_memory_unref (mem);
    return;
  }
  fail_unless (dmamem != NULL, "%s", error ? error->message : "");
  fail_unless (gst_is_dmabuf_memory (dmamem));
  fail_unless_equals_uint64 (dmamem->size, SIZE);
  fd = gst_dmabuf_memory_get_fd (dmamem);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), 1);
  fail_unless_equals_int (check_fd_pattern (dmamem, 21), -1);

  /* Nothing new: the same memory, no export, no transfer. */
  again = gst_vvas_memory_get_dmabuf_memory (mem, NULL);
  fail_unless (again == dmamem);
  fail_unless_equals_int (gst_dmabuf_memory_get_fd (again), fd);
  gst_memory_unref (again);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), 1);

  /* The host writes the next frame: the next call transfers it, into the
   * same memory, which shows it. */
  write_pattern (mem, 22);
  fail_unless_equals_int (gst_vvas_memory_get_pending_transfers (mem),
      VVAS_DATA_SYNC_TO_DEVICE);
  again = gst_vvas_memory_get_dmabuf_memory (mem, NULL);
  fail_unless (again == dmamem);
  fail_unless_equals_int (gst_dmabuf_memory_get_fd (again), fd);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), 2);
  fail_unless_equals_int (gst_vvas_memory_get_pending_transfers (mem),
      VVAS_DATA_SYNC_NONE);
  fail_unless_equals_int (check_fd_pattern (again, 22), -1);
  fail_unless_equals_int (check_mem_pattern (again, 22), -1);
  gst_memory_unref (again);

  /* A transfer that fails: an error, the bytes stay pending, and the next
   * call transfers them, into the same memory. */
  write_pattern (mem, 24);
  xrt_count_fail_next (XRT_CALL_SYNC_TO_DEVICE, 1);
  fail_unless (gst_vvas_memory_get_dmabuf_memory (mem, &error) == NULL);
  fail_unless (error != NULL && error->domain == GST_RESOURCE_ERROR);
  g_clear_error (&error);
  fail_unless_equals_int (gst_vvas_memory_get_pending_transfers (mem),
      VVAS_DATA_SYNC_TO_DEVICE);
  again = gst_vvas_memory_get_dmabuf_memory (mem, &error);
  fail_unless (again == dmamem, "%s", error ? error->message : "");
  fail_unless_equals_int (gst_vvas_memory_get_pending_transfers (mem),
      VVAS_DATA_SYNC_NONE);
  fail_unless_equals_int (check_fd_pattern (again, 24), -1);
  gst_memory_unref (again);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), 1);

  /* export_dmabuf_memory() still makes one of the caller's own. */
  again = gst_vvas_memory_export_dmabuf_memory (mem, NULL);
  fail_unless (again != NULL && again != dmamem);
  fail_unless (gst_dmabuf_memory_get_fd (again) != fd);
  gst_memory_unref (again);

  gst_memory_unref (dmamem);
  gst_memory_unref (mem);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
}

GST_END_TEST;

/*
 * No reference cycle: the VVAS memory goes (its buffer object freed) while
 * its DMA-buf memory is still held, whose own fd still maps the bytes;
 * the fd goes with it (teardown counts).
 */
GST_START_TEST (test_own_dmabuf_outlives_memory)
{
  GstMemory *mem = alloc_pattern (SIZE, 23);
  GstMemory *dmamem = gst_vvas_memory_get_dmabuf_memory (mem, NULL);

  if (!xrt_emu_enabled ()) {
    fail_unless (dmamem == NULL);
    gst_memory_unref (mem);
    return;
  }
  fail_unless (dmamem != NULL);
  gst_memory_unref (mem);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
  fail_unless_equals_int (check_fd_pattern (dmamem, 23), -1);
  fail_unless_equals_int (check_mem_pattern (dmamem, 23), -1);
  fail_unless (xrt_emu_count_open_fds () > fds_before);
  gst_memory_unref (dmamem);
}

GST_END_TEST;

/* Either side resized: a new DMA-buf memory of the new place; the old one
 * stays valid for whoever holds it. */
GST_START_TEST (test_own_dmabuf_resized)
{
  GstMemory *mem = alloc_pattern (SIZE, 25);
  GstMemory *dmamem, *again, *third;
  guint8 *expected;
  GstMapInfo info;

  dmamem = gst_vvas_memory_get_dmabuf_memory (mem, NULL);
  if (!xrt_emu_enabled ()) {
    fail_unless (dmamem == NULL);
    gst_memory_unref (mem);
    return;
  }
  fail_unless (dmamem != NULL);
  gst_memory_resize (mem, 100, 1000);
  again = gst_vvas_memory_get_dmabuf_memory (mem, NULL);
  fail_unless (again != NULL && again != dmamem);
  fail_unless_equals_uint64 (again->size, 1000);
  expected = g_malloc (SIZE);
  fill_pattern (expected, SIZE, 25);
  fail_unless (gst_memory_map (again, &info, GST_MAP_READ));
  fail_unless (memcmp (info.data, expected + 100, 1000) == 0);
  gst_memory_unmap (again, &info);
  fail_unless_equals_int (check_fd_pattern (dmamem, 25), -1);
  gst_memory_unref (dmamem);

  /* A holder resizes the DMA-buf memory itself: not handed out again. */
  gst_memory_resize (again, 10, 10);
  third = gst_vvas_memory_get_dmabuf_memory (mem, NULL);
  fail_unless (third != NULL && third != again);
  fail_unless_equals_uint64 (third->size, 1000);
  fail_unless (gst_vvas_memory_get_dmabuf_memory (mem, NULL) == third);
  gst_memory_unref (third);
  gst_memory_unref (third);
  gst_memory_unref (again);
  g_free (expected);
  gst_memory_unref (mem);
}

GST_END_TEST;

#define N_THREADS 4

typedef struct
{
  GstMemory *mem;
  gint waiting;
  GstMemory *got[N_THREADS];
} RaceData;

static gpointer
race_thread (gpointer user_data)
{
  RaceData *data = user_data;
  gint i = g_atomic_int_add (&data->waiting, -1) - 1;

  /* Every thread starts, then all ask at once. */
  while (g_atomic_int_get (&data->waiting) > 0)
    g_thread_yield ();
  data->got[i] = gst_vvas_memory_get_dmabuf_memory (data->mem, NULL);
  return NULL;
}

/* Threads asking at once for the same memory's DMA-buf memory (two
 * vvasdownload behind a tee) get one memory and one export. */
GST_START_TEST (test_own_dmabuf_threads)
{
  RaceData data = { 0 };
  GThread *threads[N_THREADS];
  guint i;

  data.mem = alloc_pattern (SIZE, 27);
  data.waiting = N_THREADS;
  for (i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("dmabuf-race", race_thread, &data);
  for (i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  for (i = 0; i < N_THREADS; i++) {
    if (!xrt_emu_enabled ()) {
      fail_unless (data.got[i] == NULL);
      continue;
    }
    fail_unless (data.got[i] != NULL);
    fail_unless (data.got[i] == data.got[0]);
    gst_memory_unref (data.got[i]);
  }
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT),
      xrt_emu_enabled ()? 1 : N_THREADS);
  gst_memory_unref (data.mem);
}

GST_END_TEST;

/* Programming errors are criticals, and return NULL. */
GST_START_TEST (test_own_dmabuf_args)
{
  GstMemory *sysmem = gst_allocator_alloc (NULL, 100, NULL);
  GstMemory *mem = alloc_pattern (SIZE, 29);
  GError *error = g_error_new_literal (GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_FAILED, "set before");

  ASSERT_CRITICAL (fail_unless (gst_vvas_memory_get_dmabuf_memory (NULL,
              NULL) == NULL));
  ASSERT_CRITICAL (fail_unless (gst_vvas_memory_get_dmabuf_memory (sysmem,
              NULL) == NULL));
  ASSERT_CRITICAL (fail_unless (gst_vvas_memory_get_dmabuf_memory (mem,
              &error) == NULL));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), 0);
  g_clear_error (&error);
  gst_memory_unref (mem);
  gst_memory_unref (sysmem);
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
  tcase_add_test (tc, test_own_dmabuf_stable);
  tcase_add_test (tc, test_own_dmabuf_outlives_memory);
  tcase_add_test (tc, test_own_dmabuf_resized);
  tcase_add_test (tc, test_own_dmabuf_threads);
  tcase_add_test (tc, test_own_dmabuf_args);
  return s;
}

int
main (int argc, char **argv)
{
  return gst_vvas_test_run (vvas_dmabuf_suite, "vvasdmabuf", argc, argv);
}
