/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * GstVvasMeta: the VvasMetadata of a buffer through buffer copies, and
 * between buffers and core memories (wrapping a VvasMemory as a buffer,
 * writing a buffer's timestamps back into its memories).
 */

#include "gst_test_common.h"

static GstVvasContext *ctx;
static GstAllocator *alloc;

static void
setup (void)
{
  ctx = gst_vvas_test_context_new ();
  alloc = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  fail_unless (alloc != NULL);
  xrt_count_reset ();
}

static void
teardown (void)
{
  guint64 closed = xrt_count_get (XRT_CALL_DEVICE_CLOSE);

  gst_object_unref (alloc);
  gst_object_unref (ctx);
  /* No buffer or memory of the test is left alive. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), closed + 1);
}

static const VvasMetadata md = {
  .pts = 10 * GST_SECOND,
  .dts = 9 * GST_SECOND,
  .duration = GST_SECOND / 30,
};

#define assert_metadata(m, p, d, dur) G_STMT_START {                    \
  fail_unless_equals_uint64 ((m)->pts, (p));                            \
  fail_unless_equals_uint64 ((m)->dts, (d));                            \
  fail_unless_equals_uint64 ((m)->duration, (dur));                     \
} G_STMT_END

#define assert_buffer_times(b, p, d, dur) G_STMT_START {                \
  fail_unless_equals_uint64 (GST_BUFFER_PTS (b), (p));                  \
  fail_unless_equals_uint64 (GST_BUFFER_DTS (b), (d));                  \
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (b), (dur));           \
} G_STMT_END

static guint
count_vvas_metas (GstBuffer * buffer)
{
  gpointer state = NULL;
  GstMeta *meta;
  guint n = 0;

  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VVAS_META_API_TYPE)))
    n++;
  return n;
}

static GstBuffer *
buffer_with_meta (void)
{
  GstBuffer *buffer = gst_buffer_new_allocate (alloc, 4096, NULL);
  GstVvasMeta *meta;

  fail_unless (buffer != NULL);
  meta = gst_buffer_add_vvas_meta (buffer, &md);
  fail_unless (meta != NULL);
  return buffer;
}

GST_START_TEST (test_add_get)
{
  GstBuffer *buffer = gst_buffer_new ();
  GstVvasMeta *meta, *again;
  VvasMetadata other = { 1, 2, 3 };

  fail_unless (GST_VVAS_META_INFO != NULL);
  fail_unless (GST_VVAS_META_INFO->api == GST_VVAS_META_API_TYPE);
  fail_unless (gst_buffer_get_vvas_meta (buffer) == NULL);

  meta = gst_buffer_add_vvas_meta (buffer, &md);
  fail_unless (meta != NULL);
  fail_unless (meta->meta.info == GST_VVAS_META_INFO);
  fail_unless (gst_buffer_get_vvas_meta (buffer) == meta);
  assert_metadata (&meta->metadata, md.pts, md.dts, md.duration);

  /* Adding again updates the one meta a buffer has. */
  again = gst_buffer_add_vvas_meta (buffer, &other);
  fail_unless (again == meta);
  fail_unless_equals_int (count_vvas_metas (buffer), 1);
  assert_metadata (&meta->metadata, 1, 2, 3);
  /* Adding NULL unsets its times: what pools do on release. */
  fail_unless (gst_buffer_add_vvas_meta (buffer, NULL) == meta);
  fail_unless_equals_int (count_vvas_metas (buffer), 1);
  assert_metadata (&meta->metadata, GST_CLOCK_TIME_NONE,
      GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE);
  gst_buffer_unref (buffer);

  /* Without metadata: no times. */
  buffer = gst_buffer_new ();
  meta = gst_buffer_add_vvas_meta (buffer, NULL);
  fail_unless (meta != NULL);
  assert_metadata (&meta->metadata, GST_CLOCK_TIME_NONE,
      GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE);

  /* A buffer others hold is not writable. */
  gst_buffer_ref (buffer);
  ASSERT_CRITICAL (fail_unless (gst_buffer_add_vvas_meta (buffer,
              &md) == NULL));
  assert_metadata (&meta->metadata, GST_CLOCK_TIME_NONE,
      GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE);
  gst_buffer_unref (buffer);
  gst_buffer_unref (buffer);

  ASSERT_CRITICAL (fail_unless (gst_buffer_add_vvas_meta (NULL, &md) == NULL));
  ASSERT_CRITICAL (fail_unless (gst_buffer_get_vvas_meta (NULL) == NULL));
}

GST_END_TEST;

GST_START_TEST (test_get_times)
{
  GstBuffer *buffer = gst_buffer_new ();
  GstVvasMeta *meta = gst_buffer_add_vvas_meta (buffer, &md);
  GstClockTime pts = 0, dts = 0, duration = 0;
  GstMeta *other;

  gst_vvas_meta_get_times (meta, &pts, &dts, &duration);
  fail_unless_equals_uint64 (pts, md.pts);
  fail_unless_equals_uint64 (dts, md.dts);
  fail_unless_equals_uint64 (duration, md.duration);
  /* Each out argument is optional. */
  pts = dts = 0;
  gst_vvas_meta_get_times (meta, NULL, &dts, NULL);
  fail_unless_equals_uint64 (dts, md.dts);
  gst_vvas_meta_get_times (meta, &pts, NULL, NULL);
  fail_unless_equals_uint64 (pts, md.pts);
  gst_buffer_unref (buffer);

  /* Unset times read as GST_CLOCK_TIME_NONE. */
  buffer = gst_buffer_new ();
  meta = gst_buffer_add_vvas_meta (buffer, NULL);
  gst_vvas_meta_get_times (meta, &pts, &dts, &duration);
  fail_unless_equals_uint64 (pts, GST_CLOCK_TIME_NONE);
  fail_unless_equals_uint64 (dts, GST_CLOCK_TIME_NONE);
  fail_unless_equals_uint64 (duration, GST_CLOCK_TIME_NONE);

  /* Not a GstVvasMeta: refused, outputs untouched. */
  other = (GstMeta *) gst_buffer_add_protection_meta (buffer,
      gst_structure_new_empty ("application/x-test"));
  pts = 7;
  ASSERT_CRITICAL (gst_vvas_meta_get_times ((GstVvasMeta *) other, &pts,
          NULL, NULL));
  fail_unless_equals_uint64 (pts, 7);
  ASSERT_CRITICAL (gst_vvas_meta_get_times (NULL, &pts, NULL, NULL));
  gst_buffer_unref (buffer);
}

GST_END_TEST;

GST_START_TEST (test_buffer_copy)
{
  GstBuffer *buffer = buffer_with_meta ();
  GstBuffer *copy;
  GstVvasMeta *meta, *cmeta;

  meta = gst_buffer_get_vvas_meta (buffer);
  copy = gst_buffer_copy (buffer);
  cmeta = gst_buffer_get_vvas_meta (copy);
  fail_unless (cmeta != NULL);
  fail_unless (cmeta != meta);
  assert_metadata (&cmeta->metadata, md.pts, md.dts, md.duration);
  fail_unless_equals_int (count_vvas_metas (copy), 1);
  /* Each buffer has its own. */
  cmeta->metadata.pts = 0;
  fail_unless_equals_uint64 (meta->metadata.pts, md.pts);

  /* A region of it keeps it too. */
  gst_buffer_unref (copy);
  copy = gst_buffer_copy_region (buffer, GST_BUFFER_COPY_ALL, 100, 1000);
  cmeta = gst_buffer_get_vvas_meta (copy);
  fail_unless (cmeta != NULL);
  assert_metadata (&cmeta->metadata, md.pts, md.dts, md.duration);
  gst_buffer_unref (copy);
  gst_buffer_unref (buffer);
}

GST_END_TEST;

GST_START_TEST (test_buffer_copy_into)
{
  GstBuffer *buffer = buffer_with_meta ();
  GstBuffer *dest;
  GstVvasMeta *meta;

  dest = gst_buffer_new ();
  fail_unless (gst_buffer_copy_into (dest, buffer, GST_BUFFER_COPY_META, 0,
          -1));
  meta = gst_buffer_get_vvas_meta (dest);
  fail_unless (meta != NULL);
  assert_metadata (&meta->metadata, md.pts, md.dts, md.duration);
  gst_buffer_unref (dest);

  /* Without the META flag, no meta. */
  dest = gst_buffer_new ();
  fail_unless (gst_buffer_copy_into (dest, buffer, GST_BUFFER_COPY_MEMORY |
          GST_BUFFER_COPY_TIMESTAMPS | GST_BUFFER_COPY_FLAGS, 0, -1));
  fail_unless (gst_buffer_get_vvas_meta (dest) == NULL);
  fail_unless_equals_int (gst_buffer_n_memory (dest), 1);
  gst_buffer_unref (dest);

  /* Into a buffer that has one: updated, not doubled. */
  dest = gst_buffer_new ();
  gst_buffer_add_vvas_meta (dest, NULL);
  fail_unless (gst_buffer_copy_into (dest, buffer, GST_BUFFER_COPY_META, 0,
          -1));
  fail_unless_equals_int (count_vvas_metas (dest), 1);
  meta = gst_buffer_get_vvas_meta (dest);
  assert_metadata (&meta->metadata, md.pts, md.dts, md.duration);
  gst_buffer_unref (dest);
  gst_buffer_unref (buffer);
}

GST_END_TEST;

GST_START_TEST (test_make_writable)
{
  GstBuffer *buffer = buffer_with_meta ();
  GstBuffer *held = gst_buffer_ref (buffer);
  GstVvasMeta *meta;

  buffer = gst_buffer_make_writable (buffer);
  fail_if (buffer == held);
  meta = gst_buffer_get_vvas_meta (buffer);
  fail_unless (meta != NULL);
  fail_unless (meta != gst_buffer_get_vvas_meta (held));
  assert_metadata (&meta->metadata, md.pts, md.dts, md.duration);
  /* The memory is shared, not copied. */
  fail_unless (gst_buffer_peek_memory (buffer, 0) ==
      gst_buffer_peek_memory (held, 0));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 1);
  gst_buffer_unref (held);
  gst_buffer_unref (buffer);
}

GST_END_TEST;

GST_START_TEST (test_deep_copy)
{
  GstBuffer *buffer = buffer_with_meta ();
  GstBuffer *copy;
  GstMapInfo info;
  GstVvasMeta *meta;

  fail_unless (gst_buffer_map (buffer, &info, GST_MAP_WRITE));
  fill_pattern (info.data, info.size, 8);
  gst_buffer_unmap (buffer, &info);

  copy = gst_buffer_copy_deep (buffer);
  fail_unless (copy != NULL);
  fail_unless (gst_is_vvas_memory (gst_buffer_peek_memory (copy, 0)));
  fail_if (gst_buffer_peek_memory (copy, 0) ==
      gst_buffer_peek_memory (buffer, 0));
  fail_unless (gst_buffer_map (copy, &info, GST_MAP_READ));
  fail_unless_equals_uint64 (info.size, 4096);
  fail_unless_equals_int (check_pattern (info.data, info.size, 8), -1);
  gst_buffer_unmap (copy, &info);
  meta = gst_buffer_get_vvas_meta (copy);
  fail_unless (meta != NULL);
  assert_metadata (&meta->metadata, md.pts, md.dts, md.duration);
  gst_buffer_unref (copy);
  gst_buffer_unref (buffer);
}

GST_END_TEST;

GST_START_TEST (test_new_wrapped)
{
  VvasContext *vctx = gst_vvas_context_get_vvas_context (ctx);
  VvasMetadata none = { GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE,
    GST_CLOCK_TIME_NONE
  };
  VvasMemory *vmem;
  GstBuffer *buffer;
  GstMemory *mem;
  GstVvasMeta *meta;
  GstVvasContext *other;

  vmem = vvas_memory_alloc (vctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE,
      1, 6000, NULL);
  fail_unless (vmem != NULL);
  vvas_memory_set_metadata (vmem, (VvasMetadata *) & md);
  buffer = gst_vvas_buffer_new_wrapped (alloc, vmem);
  fail_unless (buffer != NULL);
  assert_buffer_times (buffer, md.pts, md.dts, md.duration);
  meta = gst_buffer_get_vvas_meta (buffer);
  fail_unless (meta != NULL);
  assert_metadata (&meta->metadata, md.pts, md.dts, md.duration);
  fail_unless_equals_int (gst_buffer_n_memory (buffer), 1);
  fail_unless_equals_uint64 (gst_buffer_get_size (buffer), 6000);
  mem = gst_buffer_peek_memory (buffer, 0);
  fail_unless (gst_is_vvas_memory (mem));
  fail_unless (mem->allocator == alloc);
  fail_unless (gst_vvas_memory_get_vvas_memory (mem) == vmem);
  /* The buffer owns the memory. */
  gst_buffer_unref (buffer);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);

  /* No times stay no times. */
  vmem = vvas_memory_alloc (vctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE,
      1, 100, NULL);
  vvas_memory_set_metadata (vmem, &none);
  buffer = gst_vvas_buffer_new_wrapped (alloc, vmem);
  fail_if (GST_BUFFER_PTS_IS_VALID (buffer));
  fail_if (GST_BUFFER_DTS_IS_VALID (buffer));
  fail_if (GST_BUFFER_DURATION_IS_VALID (buffer));
  gst_buffer_unref (buffer);

  /* A memory of another context (a device has one) is refused, not
   * taken. */
  other = gst_vvas_context_new (1, two_banks_xclbin, NULL);
  fail_unless (other != NULL);
  vmem = vvas_memory_alloc (gst_vvas_context_get_vvas_context (other),
      VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 1, 100, NULL);
  fail_unless (gst_vvas_buffer_new_wrapped (alloc, vmem) == NULL);
  vvas_memory_free (vmem);
  gst_object_unref (other);

  ASSERT_CRITICAL (fail_unless (gst_vvas_buffer_new_wrapped (alloc,
              NULL) == NULL));
  ASSERT_CRITICAL (fail_unless (gst_vvas_buffer_new_wrapped (NULL,
              NULL) == NULL));
}

GST_END_TEST;

GST_START_TEST (test_write_metadata)
{
  GstBuffer *buffer = gst_buffer_new ();
  GstMemory *mems[2];
  VvasMetadata got;
  GstVvasMeta *meta;
  guint i;

  for (i = 0; i < 2; i++) {
    mems[i] = gst_allocator_alloc (alloc, 1000, NULL);
    gst_buffer_append_memory (buffer, gst_memory_ref (mems[i]));
  }
  gst_buffer_append_memory (buffer, gst_allocator_alloc (NULL, 100, NULL));
  GST_BUFFER_PTS (buffer) = 5 * GST_SECOND;
  GST_BUFFER_DTS (buffer) = 4 * GST_SECOND;
  GST_BUFFER_DURATION (buffer) = 40 * GST_MSECOND;

  fail_unless (gst_vvas_buffer_write_metadata (buffer));
  for (i = 0; i < 2; i++) {
    vvas_memory_get_metadata (gst_vvas_memory_get_vvas_memory (mems[i]), &got);
    assert_metadata (&got, 5 * GST_SECOND, 4 * GST_SECOND, 40 * GST_MSECOND);
  }
  meta = gst_buffer_get_vvas_meta (buffer);
  fail_unless (meta != NULL);
  assert_metadata (&meta->metadata, 5 * GST_SECOND, 4 * GST_SECOND,
      40 * GST_MSECOND);

  /* Again, with new times: the one meta follows. */
  GST_BUFFER_PTS (buffer) = GST_CLOCK_TIME_NONE;
  fail_unless (gst_vvas_buffer_write_metadata (buffer));
  fail_unless_equals_int (count_vvas_metas (buffer), 1);
  vvas_memory_get_metadata (gst_vvas_memory_get_vvas_memory (mems[1]), &got);
  fail_unless_equals_uint64 (got.pts, GST_CLOCK_TIME_NONE);
  fail_unless_equals_uint64 (meta->metadata.pts, GST_CLOCK_TIME_NONE);

  /* Not writable: refused, nothing written. */
  gst_buffer_ref (buffer);
  GST_BUFFER_PTS (buffer) = 7;
  ASSERT_CRITICAL (fail_if (gst_vvas_buffer_write_metadata (buffer)));
  vvas_memory_get_metadata (gst_vvas_memory_get_vvas_memory (mems[0]), &got);
  fail_unless_equals_uint64 (got.pts, GST_CLOCK_TIME_NONE);
  gst_buffer_unref (buffer);
  gst_buffer_unref (buffer);
  for (i = 0; i < 2; i++)
    gst_memory_unref (mems[i]);

  /* No VVAS memory: FALSE, and the buffer still carries its times. */
  buffer = gst_buffer_new_allocate (NULL, 100, NULL);
  GST_BUFFER_PTS (buffer) = 3;
  fail_if (gst_vvas_buffer_write_metadata (buffer));
  meta = gst_buffer_get_vvas_meta (buffer);
  fail_unless (meta != NULL);
  fail_unless_equals_uint64 (meta->metadata.pts, 3);
  gst_buffer_unref (buffer);

  ASSERT_CRITICAL (fail_if (gst_vvas_buffer_write_metadata (NULL)));
}

GST_END_TEST;

GST_START_TEST (test_round_trip)
{
  VvasContext *vctx = gst_vvas_context_get_vvas_context (ctx);
  VvasMemory *vmem;
  VvasMetadata got;
  GstBuffer *buffer, *copy;
  GstVvasMeta *meta;
  guint frame;

  vmem = vvas_memory_alloc (vctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE,
      1, 4096, NULL);
  vvas_memory_set_metadata (vmem, (VvasMetadata *) & md);
  buffer = gst_vvas_buffer_new_wrapped (alloc, vmem);

  /* Frame after frame, an element retimes the buffer and hands its memory
   * to core code: the memory, the buffer and the meta agree throughout. */
  for (frame = 1; frame <= 3; frame++) {
    GstClockTime pts = md.pts + frame * md.duration;

    GST_BUFFER_PTS (buffer) = pts;
    GST_BUFFER_DTS (buffer) = pts - GST_SECOND;
    fail_unless (gst_vvas_buffer_write_metadata (buffer));
    vvas_memory_get_metadata (vmem, &got);
    assert_metadata (&got, pts, pts - GST_SECOND, md.duration);

    copy = gst_buffer_copy (buffer);
    assert_buffer_times (copy, pts, pts - GST_SECOND, md.duration);
    meta = gst_buffer_get_vvas_meta (copy);
    assert_metadata (&meta->metadata, pts, pts - GST_SECOND, md.duration);
    gst_buffer_unref (copy);
  }

  /* Core code hands back a new memory with the metadata it read. */
  vvas_memory_get_metadata (vmem, &got);
  vmem = vvas_memory_alloc (vctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE,
      1, 4096, NULL);
  vvas_memory_set_metadata (vmem, &got);
  copy = gst_vvas_buffer_new_wrapped (alloc, vmem);
  assert_buffer_times (copy, GST_BUFFER_PTS (buffer), GST_BUFFER_DTS (buffer),
      GST_BUFFER_DURATION (buffer));
  meta = gst_buffer_get_vvas_meta (copy);
  assert_metadata (&meta->metadata, GST_BUFFER_PTS (buffer),
      GST_BUFFER_DTS (buffer), GST_BUFFER_DURATION (buffer));
  gst_buffer_unref (copy);
  gst_buffer_unref (buffer);
}

GST_END_TEST;

static Suite *
vvas_meta_suite (void)
{
  Suite *s = suite_create ("vvasmeta");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_add_get);
  tcase_add_test (tc, test_get_times);
  tcase_add_test (tc, test_buffer_copy);
  tcase_add_test (tc, test_buffer_copy_into);
  tcase_add_test (tc, test_make_writable);
  tcase_add_test (tc, test_deep_copy);
  tcase_add_test (tc, test_new_wrapped);
  tcase_add_test (tc, test_write_metadata);
  tcase_add_test (tc, test_round_trip);
  return s;
}

int
main (int argc, char **argv)
{
  return gst_vvas_test_run (vvas_meta_suite, "vvasmeta", argc, argv);
}
