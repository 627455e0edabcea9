/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * vvasupload and vvasdownload in GstHarness: the allocation query upstream
 * receives, passthrough versus copy in every case (by the elements'
 * counters and by buffer identity), formats and sizes checked byte by byte,
 * aligned strides, renegotiation, EOS and flushing, and timestamps and
 * GstVvasMeta across both elements.
 */

#include "plugin_test_common.h"

/* A device context of the test's own, on device 0, for input buffers. */
static GstVvasContext *ctx;
static GstAllocator *bank0, *bank1;

static void
setup (void)
{
  GError *error = NULL;

  ctx = gst_vvas_context_new (0, two_banks_xclbin, &error);
  fail_unless (ctx != NULL, "no device: %s", error ? error->message : "?");
  bank0 = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  bank1 = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  fail_unless (bank0 != NULL && bank1 != NULL);
  fail_unless (xrt_count_is_active (), "XRT calls are not being counted");
  xrt_count_reset ();
}

static void
teardown (void)
{
  gst_clear_object (&bank0);
  gst_clear_object (&bank1);
  gst_clear_object (&ctx);
}

/* ---------------------------------------------------------------------- */
/* Harnesses and input buffers                                             */

static GstHarness *
upload_harness (gint dev_idx, guint bank, gboolean downstream_meta)
{
  GstElement *e = make_element ("vvasupload");
  GstHarness *h;

  g_object_set (e, "dev-idx", dev_idx, "mem-bank", bank, "xclbin-location",
      two_banks_xclbin, NULL);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  if (downstream_meta)
    gst_harness_add_propose_allocation_meta (h, GST_VIDEO_META_API_TYPE, NULL);
  return h;
}

static GstHarness *
download_harness (gboolean downstream_meta, gboolean force_copy)
{
  GstElement *e = make_element ("vvasdownload");
  GstHarness *h;

  g_object_set (e, "force-copy", force_copy, NULL);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  if (downstream_meta)
    gst_harness_add_propose_allocation_meta (h, GST_VIDEO_META_API_TYPE, NULL);
  return h;
}

static GstCaps *
video_caps (const gchar * format, gint width, gint height, gboolean vvas)
{
  GstCaps *caps = gst_caps_new_simple ("video/x-raw", "format",
      G_TYPE_STRING, format, "width", G_TYPE_INT, width, "height",
      G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION, 30, 1, NULL);

  if (vvas)
    gst_caps_set_features (caps, 0,
        gst_caps_features_new (GST_CAPS_FEATURE_MEMORY_VVAS, NULL));
  return caps;
}

static void
info_from_caps (GstVideoInfo * info, GstCaps * caps)
{
  fail_unless (gst_video_info_from_caps (info, caps));
}

/* A frame in system memory, default layout, no meta. */
static GstBuffer *
system_frame (const GstVideoInfo * info, guint seed)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, info->size, NULL);

  fill_frame (buf, info, seed);
  return buf;
}

/*
 * An active VVAS pool on @allocator for @caps, with video meta; with
 * @aligned, 256-byte strides and two rows of padding on top, a layout that
 * is never the default one.
 */
static GstBufferPool *
vvas_pool (GstAllocator * allocator, GstCaps * caps, gboolean aligned)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (allocator);
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstVideoInfo info;

  info_from_caps (&info, caps);
  gst_buffer_pool_config_set_params (config, caps, info.size, 0, 0);
  gst_buffer_pool_config_add_option (config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (aligned) {
    GstVideoAlignment align;
    guint i;

    gst_video_alignment_reset (&align);
    align.padding_top = 2;
    for (i = 0; i < GST_VIDEO_MAX_PLANES; i++)
      align.stride_align[i] = 255;
    gst_buffer_pool_config_add_option (config,
        GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT);
    gst_buffer_pool_config_set_video_alignment (config, &align);
  }
  fail_unless (gst_buffer_pool_set_config (pool, config));
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  return pool;
}

static GstBuffer *
pool_frame (GstBufferPool * pool, const GstVideoInfo * info, guint seed)
{
  GstBuffer *buf = NULL;

  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_OK);
  fill_frame (buf, info, seed);
  return buf;
}

/* True if @buf's planes are not where the caps' default layout has them. */
static gboolean
has_custom_layout (GstBuffer * buf, const GstVideoInfo * info)
{
  GstVideoMeta *meta = gst_buffer_get_video_meta (buf);
  guint i;

  if (!meta)
    return FALSE;
  for (i = 0; i < meta->n_planes; i++)
    if (meta->stride[i] != info->stride[i]
        || meta->offset[i] != info->offset[i])
      return TRUE;
  return FALSE;
}

static void
assert_vvas_memory (GstBuffer * buf, gint dev_idx, gint bank)
{
  GstMemory *mem;

  fail_unless_equals_int (gst_buffer_n_memory (buf), 1);
  mem = gst_buffer_peek_memory (buf, 0);
  fail_unless (gst_is_vvas_memory (mem), "%s memory, not VVAS memory",
      mem->allocator ? mem->allocator->mem_type : "?");
  fail_unless_equals_int (gst_vvas_memory_get_device_index (mem), dev_idx);
  fail_unless_equals_int (gst_vvas_memory_get_bank_index (mem), bank);
}

static void
assert_system_memory (GstBuffer * buf)
{
  guint i;

  for (i = 0; i < gst_buffer_n_memory (buf); i++) {
    GstMemory *mem = gst_buffer_peek_memory (buf, i);

    fail_if (gst_is_vvas_memory (mem));
    fail_unless (gst_memory_is_type (mem, GST_ALLOCATOR_SYSMEM));
  }
}

/* Asserts the current caps on the harness' sink pad. */
static void
assert_output_caps (GstHarness * h, const gchar * format, gint width,
    gint height, gboolean vvas)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstVideoInfo info;

  assert_caps_feature (caps, vvas);
  info_from_caps (&info, caps);
  fail_unless_equals_string (GST_VIDEO_INFO_NAME (&info), format);
  fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), width);
  fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&info), height);
  gst_caps_unref (caps);
}

/* Pushes @in (taking it) and pulls what comes out. */
static GstBuffer *
push_pull (GstHarness * h, GstBuffer * in)
{
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_try_pull (h);
  fail_unless (out != NULL, "nothing came out");
  return out;
}

/*
 * Runs an allocation query into @h's element for @caps and checks that it
 * offers a VVAS pool on device 0 and @bank for upstream to write into.
 * Returns the pool.
 */
static GstBufferPool *
query_upload_pool (GstHarness * h, GstCaps * caps, guint bank)
{
  GstQuery *query = gst_query_new_allocation (caps, TRUE);
  GstAllocator *config_alloc = NULL, *param_alloc = NULL;
  GstAllocationParams params;
  GstBufferPool *pool = NULL;
  GstStructure *config;
  GstCaps *config_caps = NULL;
  guint size, min, max, csize, cmin, cmax;
  GstVideoInfo info;

  info_from_caps (&info, caps);
  fail_unless (gst_pad_peer_query (h->srcpad, query));

  /* The pool. */
  fail_unless_equals_int (gst_query_get_n_allocation_pools (query), 1);
  gst_query_parse_nth_allocation_pool (query, 0, &pool, &size, &min, &max);
  fail_unless (pool != NULL);
  fail_unless (GST_IS_VVAS_BUFFER_POOL (pool));
  fail_unless_equals_int (size, info.size);
  /* Unlimited: upstream never waits for the element's output. */
  fail_unless_equals_int (max, 0);
  fail_unless (gst_buffer_pool_has_option (pool,
          GST_BUFFER_POOL_OPTION_VIDEO_META));
  fail_unless (gst_buffer_pool_has_option (pool,
          GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT));

  /* Its config: these caps, the VVAS allocator on the element's bank. */
  config = gst_buffer_pool_get_config (pool);
  fail_unless (gst_buffer_pool_config_get_params (config, &config_caps,
          &csize, &cmin, &cmax));
  fail_unless (gst_caps_is_equal (config_caps, caps));
  fail_unless_equals_int (csize, size);
  fail_unless_equals_int (cmin, min);
  fail_unless_equals_int (cmax, max);
  fail_unless (gst_buffer_pool_config_has_option (config,
          GST_BUFFER_POOL_OPTION_VIDEO_META));
  fail_unless (gst_buffer_pool_config_get_allocator (config, &config_alloc,
          NULL));
  fail_unless (config_alloc != NULL && GST_IS_VVAS_ALLOCATOR (config_alloc));
  fail_unless (config_alloc == gst_vvas_buffer_pool_get_allocator (pool));
  fail_unless_equals_int (gst_vvas_allocator_get_mem_bank (config_alloc), bank);
  fail_unless_equals_int (gst_vvas_allocator_get_alloc_type (config_alloc),
      VVAS_ALLOC_TYPE_CMA);
  fail_unless_equals_int (gst_vvas_context_get_device_index
      (gst_vvas_allocator_get_context (config_alloc)), 0);
  gst_structure_free (config);

  /* The allocator, for those who allocate without a pool: the same one. */
  fail_unless (gst_query_get_n_allocation_params (query) >= 1);
  gst_query_parse_nth_allocation_param (query, 0, &param_alloc, &params);
  fail_unless (param_alloc == config_alloc);
  gst_object_unref (param_alloc);

  /* And the video meta, since the pool's strides may not be the default. */
  fail_unless (gst_query_find_allocation_meta (query,
          GST_VIDEO_META_API_TYPE, NULL));
  gst_query_unref (query);
  return pool;
}

/* Sets @pool up as upstream would: VIDEO_META, maybe aligned, active. */
static void
upstream_configure (GstBufferPool * pool, GstCaps * caps, guint stride_align)
{
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstVideoInfo info;
  guint min, max;

  info_from_caps (&info, caps);
  fail_unless (gst_buffer_pool_config_get_params (config, NULL, NULL, &min,
          &max));
  gst_buffer_pool_config_set_params (config, caps, info.size, min, max);
  gst_buffer_pool_config_add_option (config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (stride_align) {
    GstVideoAlignment align;
    guint i;

    gst_video_alignment_reset (&align);
    for (i = 0; i < GST_VIDEO_MAX_PLANES; i++)
      align.stride_align[i] = stride_align;
    gst_buffer_pool_config_add_option (config,
        GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT);
    gst_buffer_pool_config_set_video_alignment (config, &align);
  }
  fail_unless (gst_buffer_pool_set_config (pool, config));
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
}

/* ---------------------------------------------------------------------- */
/* vvasupload                                                              */

GST_START_TEST (test_upload_allocation_query)
{
  guint bank = __i__;
  GstHarness *h = upload_harness (0, bank, FALSE);
  GstCaps *caps = video_caps ("NV12", 320, 240, FALSE);
  GstBufferPool *pool;
  GstQuery *query;
  GstAllocator *param_alloc = NULL;

  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  pool = query_upload_pool (h, caps, bank);
  gst_object_unref (pool);

  /* Without need-pool: no pool, still the allocator and the meta. */
  query = gst_query_new_allocation (caps, FALSE);
  fail_unless (gst_pad_peer_query (h->srcpad, query));
  fail_unless_equals_int (gst_query_get_n_allocation_pools (query), 0);
  fail_unless (gst_query_get_n_allocation_params (query) >= 1);
  gst_query_parse_nth_allocation_param (query, 0, &param_alloc, NULL);
  fail_unless (param_alloc != NULL && GST_IS_VVAS_ALLOCATOR (param_alloc));
  fail_unless_equals_int (gst_vvas_allocator_get_mem_bank (param_alloc), bank);
  fail_unless (gst_query_find_allocation_meta (query,
          GST_VIDEO_META_API_TYPE, NULL));
  gst_object_unref (param_alloc);
  gst_query_unref (query);

  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_upload_passthrough_from_proposed_pool)
{
  GstHarness *h = upload_harness (0, 1, FALSE);
  GstCaps *caps = video_caps ("NV12", 320, 240, FALSE);
  GstBufferPool *pool;
  GstVideoInfo info;
  guint i;

  info_from_caps (&info, caps);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  pool = query_upload_pool (h, caps, 1);
  upstream_configure (pool, caps, 0);
  xrt_count_reset ();

  for (i = 0; i < 10; i++) {
    GstBuffer *in = pool_frame (pool, &info, i), *out;
    GstMemory *in_mem = gst_buffer_peek_memory (in, 0);

    out = push_pull (h, in);
    /* The very buffer and memory upstream wrote into. */
    fail_unless (out == in, "frame %u was not passed through", i);
    fail_unless (gst_buffer_peek_memory (out, 0) == in_mem);
    assert_vvas_memory (out, 0, 1);
    check_frame (out, &info, i);
    gst_buffer_unref (out);
  }
  assert_counters (h->element, 10, 0, 0);
  /* Output in VVAS memory, announced as such. */
  assert_output_caps (h, "NV12", 320, 240, TRUE);
  /* Steady state: the pool's buffers go round, nothing is allocated. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

typedef struct
{
  const gchar *format;
  gint width, height;
} FormatCase;

static const FormatCase formats[] = {
  {"NV12", 320, 240}, {"NV12", 321, 241},
  {"I420", 320, 240}, {"I420", 321, 241},
  {"RGBA", 320, 240}, {"RGBA", 17, 9},
  {"GRAY8", 320, 240}, {"GRAY8", 321, 241},
  {"NV12", 2, 2}, {"I420", 1, 1},
};

GST_START_TEST (test_upload_copies_system_memory)
{
  const FormatCase *c = &formats[__i__];
  GstHarness *h = upload_harness (0, 1, FALSE);
  GstCaps *caps = video_caps (c->format, c->width, c->height, FALSE);
  GstVideoInfo info;
  GstVideoMeta *meta;
  GstBuffer *in, *out;
  guint64 allocs = 0;
  guint i;

  info_from_caps (&info, caps);
  gst_harness_set_src_caps (h, caps);
  xrt_count_reset ();

  for (i = 0; i < 3; i++) {
    /* Its pool's buffers go round: nothing allocated after the first. */
    if (i == 1)
      allocs = xrt_count_get (XRT_CALL_BO_ALLOC);
    in = system_frame (&info, 10 + i);
    out = push_pull (h, in);
    fail_if (out == in);
    assert_vvas_memory (out, 0, 1);
    fail_unless_equals_uint64 (gst_buffer_get_size (out), info.size);
    check_frame (out, &info, 10 + i);
    /* Its own pool's layout: whatever it is, the meta tells. */
    meta = gst_buffer_get_video_meta (out);
    if (meta) {
      fail_unless_equals_int (meta->format, GST_VIDEO_INFO_FORMAT (&info));
      fail_unless_equals_int (meta->width, c->width);
      fail_unless_equals_int (meta->height, c->height);
    } else {
      fail_if (has_custom_layout (out, &info));
    }
    gst_buffer_unref (out);
  }
  fail_unless (allocs > 0);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), allocs);
  /* Only the visible bytes are counted, plane by plane. */
  assert_counters (h->element, 0, 3, 3 * visible_bytes (&info));
  assert_output_caps (h, c->format, c->width, c->height, TRUE);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* A system-memory frame whose rows are @extra bytes longer than needed,
 * described by a GstVideoMeta. */
static GstBuffer *
system_frame_odd_strides (const GstVideoInfo * info, gint extra, guint seed)
{
  gint stride[GST_VIDEO_MAX_PLANES] = { 0 };
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
  gsize size = 0, row_bytes;
  guint plane, rows;
  GstBuffer *buf;
  GstVideoInfo layout = *info;

  for (plane = 0; plane < GST_VIDEO_INFO_N_PLANES (info); plane++) {
    plane_geometry (GST_VIDEO_INFO_FORMAT (info), plane,
        GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
        &row_bytes, &rows);
    offset[plane] = size + 3;
    stride[plane] = row_bytes + extra;
    size = offset[plane] + (gsize) stride[plane] * rows;
    layout.stride[plane] = stride[plane];
    layout.offset[plane] = offset[plane];
  }
  buf = gst_buffer_new_allocate (NULL, size, NULL);
  gst_buffer_memset (buf, 0, 0xee, size);
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), GST_VIDEO_INFO_N_PLANES (info), offset,
      stride);
  layout.size = size;
  fill_frame (buf, &layout, seed);
  return buf;
}

GST_START_TEST (test_upload_copies_odd_strides)
{
  GstHarness *h = upload_harness (0, 0, FALSE);
  GstCaps *caps = video_caps ("I420", 321, 241, FALSE);
  GstVideoInfo info;
  GstBuffer *in, *out;

  info_from_caps (&info, caps);
  gst_harness_set_src_caps (h, caps);
  in = system_frame_odd_strides (&info, 37, 5);
  fail_unless (has_custom_layout (in, &info));
  out = push_pull (h, in);
  assert_vvas_memory (out, 0, 0);
  /* Read through the output's own layout: the same pixels. */
  check_frame (out, &info, 5);
  gst_buffer_unref (out);
  assert_counters (h->element, 0, 1, visible_bytes (&info));
  gst_harness_teardown (h);
}

GST_END_TEST;

/* VVAS memory the element cannot use as it is: copied into its own. */
static void
check_upload_copies_vvas (GstHarness * h, GstAllocator * input_alloc,
    gint out_dev, gint out_bank)
{
  GstCaps *caps = video_caps ("NV12", 320, 240, FALSE);
  GstBufferPool *pool = vvas_pool (input_alloc, caps, FALSE);
  GstVideoInfo info;
  GstBuffer *in, *out;
  GstMemory *in_mem;

  info_from_caps (&info, caps);
  gst_harness_set_src_caps (h, caps);
  in = pool_frame (pool, &info, 21);
  in_mem = gst_buffer_peek_memory (in, 0);
  out = push_pull (h, in);
  fail_if (out == in);
  fail_if (gst_buffer_peek_memory (out, 0) == in_mem);
  assert_vvas_memory (out, out_dev, out_bank);
  check_frame (out, &info, 21);
  gst_buffer_unref (out);
  assert_counters (h->element, 0, 1, visible_bytes (&info));

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_harness_teardown (h);
}

GST_START_TEST (test_upload_copies_other_bank)
{
  /* Input on bank 0, element on bank 1. */
  check_upload_copies_vvas (upload_harness (0, 1, TRUE), bank0, 0, 1);
}

GST_END_TEST;

GST_START_TEST (test_upload_copies_other_device)
{
  /* Input on device 0, element on device 1 (any index opens in no-op). */
  check_upload_copies_vvas (upload_harness (1, 0, TRUE), bank0, 1, 0);
}

GST_END_TEST;

GST_START_TEST (test_upload_copies_host_vvas_memory)
{
  GstAllocator *host = gst_vvas_allocator_new (ctx, 0,
      VVAS_ALLOC_TYPE_NON_CMA);

  /* VVAS memory, but on the host heap: no device copy to pass on. */
  check_upload_copies_vvas (upload_harness (0, 0, TRUE), host, 0, 0);
  gst_object_unref (host);
}

GST_END_TEST;

GST_START_TEST (test_upload_passes_same_bank)
{
  GstHarness *h = upload_harness (0, 1, FALSE);
  GstCaps *caps = video_caps ("RGBA", 64, 48, TRUE);
  GstBufferPool *pool = vvas_pool (bank1, caps, FALSE);
  GstVideoInfo info;
  GstBuffer *in, *out;

  /* Device memory of another context, same device and bank: usable. */
  info_from_caps (&info, caps);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  in = pool_frame (pool, &info, 4);
  out = push_pull (h, in);
  fail_unless (out == in);
  check_frame (out, &info, 4);
  gst_buffer_unref (out);
  assert_counters (h->element, 1, 0, 0);
  assert_output_caps (h, "RGBA", 64, 48, TRUE);

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/*
 * Upstream asks the proposed pool for 256-byte strides. With a downstream
 * that reads GstVideoMeta, the buffers pass; with one that does not, they
 * must reach it in the default layout, copied.
 */
GST_START_TEST (test_upload_aligned_strides)
{
  gboolean downstream_meta = __i__;
  GstHarness *h = upload_harness (0, 0, downstream_meta);
  GstCaps *caps = video_caps ("NV12", 321, 241, FALSE);
  GstBufferPool *pool;
  GstVideoInfo info;
  GstVideoMeta *meta;
  GstBuffer *in, *out;

  info_from_caps (&info, caps);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  pool = query_upload_pool (h, caps, 0);
  upstream_configure (pool, caps, 255);

  in = pool_frame (pool, &info, 8);
  meta = gst_buffer_get_video_meta (in);
  fail_unless (meta != NULL);
  /* 321 bytes a row, aligned to 256: 512. */
  fail_unless_equals_int (meta->stride[0], 512);
  fail_unless_equals_int (meta->stride[1], 512);
  fail_unless_equals_uint64 (meta->offset[1], 512 * 242);

  out = push_pull (h, in);
  if (downstream_meta) {
    fail_unless (out == in);
    assert_counters (h->element, 1, 0, 0);
  } else {
    fail_if (out == in);
    fail_if (has_custom_layout (out, &info), "a layout downstream cannot read");
    assert_counters (h->element, 0, 1, visible_bytes (&info));
  }
  assert_vvas_memory (out, 0, 0);
  check_frame (out, &info, 8);
  gst_buffer_unref (out);

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_upload_renegotiation)
{
  GstHarness *h = upload_harness (0, 0, FALSE);
  GstCaps *caps1 = video_caps ("NV12", 320, 240, FALSE);
  GstCaps *caps2 = video_caps ("I420", 161, 99, FALSE);
  GstBufferPool *pool1, *pool2;
  GstVideoInfo info1, info2;
  GstBuffer *in, *out;

  info_from_caps (&info1, caps1);
  info_from_caps (&info2, caps2);

  /* First format: a copy and a pass. */
  gst_harness_set_src_caps (h, gst_caps_ref (caps1));
  pool1 = query_upload_pool (h, caps1, 0);
  upstream_configure (pool1, caps1, 0);
  out = push_pull (h, system_frame (&info1, 1));
  fail_unless_equals_uint64 (gst_buffer_get_size (out), info1.size);
  check_frame (out, &info1, 1);
  gst_buffer_unref (out);
  in = pool_frame (pool1, &info1, 2);
  out = push_pull (h, in);
  fail_unless (out == in);
  gst_buffer_unref (out);
  assert_output_caps (h, "NV12", 320, 240, TRUE);

  /* New caps mid-stream: a new pool proposed, copies sized for them. */
  gst_harness_set_src_caps (h, gst_caps_ref (caps2));
  assert_output_caps (h, "I420", 161, 99, TRUE);
  pool2 = query_upload_pool (h, caps2, 0);
  fail_if (pool2 == pool1);
  upstream_configure (pool2, caps2, 0);
  out = push_pull (h, system_frame (&info2, 3));
  assert_vvas_memory (out, 0, 0);
  fail_unless_equals_uint64 (gst_buffer_get_size (out), info2.size);
  check_frame (out, &info2, 3);
  gst_buffer_unref (out);
  in = pool_frame (pool2, &info2, 4);
  out = push_pull (h, in);
  fail_unless (out == in);
  check_frame (out, &info2, 4);
  gst_buffer_unref (out);

  assert_counters (h->element, 2, 2, visible_bytes (&info1) +
      visible_bytes (&info2));

  fail_unless (gst_buffer_pool_set_active (pool1, FALSE));
  fail_unless (gst_buffer_pool_set_active (pool2, FALSE));
  gst_object_unref (pool1);
  gst_object_unref (pool2);
  gst_caps_unref (caps1);
  gst_caps_unref (caps2);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Collects the elements' "EOS: ..." log lines. */
static void
eos_log_func (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  GPtrArray *lines = user_data;
  const gchar *text = gst_debug_message_get (message);

  if (text && g_str_has_prefix (text, "EOS: ") &&
      g_str_has_prefix (gst_debug_category_get_name (category), "vvas"))
    g_ptr_array_add (lines, g_strdup (text));
}

/* Asserts that an EOS came out of @h, after everything else. */
static void
assert_eos_out (GstHarness * h)
{
  GstEvent *event;
  gboolean eos = FALSE;

  while ((event = gst_harness_try_pull_event (h))) {
    fail_if (eos, "an event after EOS");
    eos = GST_EVENT_TYPE (event) == GST_EVENT_EOS;
    gst_event_unref (event);
  }
  fail_unless (eos, "no EOS came out");
}

/*
 * Two frames, EOS, then a flush and two more frames, for either element:
 * @make_frame gives its input, @check_out checks its output.
 */
static void
check_eos_and_flush (GstHarness * h, GstCaps * caps,
    GstBuffer * (*make_frame) (const GstVideoInfo *, guint),
    const gchar * expected_eos_log)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  GstVideoInfo info;
  GstSegment segment;
  GstBuffer *out;
  GstEvent *event;
  guint i;

  info_from_caps (&info, caps);
  gst_debug_set_threshold_for_name ("vvasupload", GST_LEVEL_INFO);
  gst_debug_set_threshold_for_name ("vvasdownload", GST_LEVEL_INFO);
  gst_debug_add_log_function (eos_log_func, lines, NULL);

  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  for (i = 0; i < 2; i++) {
    out = push_pull (h, make_frame (&info, i));
    check_frame (out, &info, i);
    gst_buffer_unref (out);
  }

  /* EOS goes through, after the frames; the counts are logged. */
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  assert_eos_out (h);
  fail_unless_equals_int (lines->len, 1);
  fail_unless_equals_string (g_ptr_array_index (lines, 0), expected_eos_log);
  /* Nothing more is taken until a flush. */
  fail_unless_equals_int (gst_harness_push (h, make_frame (&info, 9)),
      GST_FLOW_EOS);
  fail_if (gst_harness_try_pull (h) != NULL);

  /* A flushing seek: refused while flushing, working after. */
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless_equals_int (gst_harness_push (h, make_frame (&info, 9)),
      GST_FLOW_FLUSHING);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  while ((event = gst_harness_try_pull_event (h))) {
    fail_if (GST_EVENT_TYPE (event) == GST_EVENT_EOS);
    gst_event_unref (event);
  }
  for (i = 2; i < 4; i++) {
    out = push_pull (h, make_frame (&info, i));
    check_frame (out, &info, i);
    gst_buffer_unref (out);
  }
  fail_if (gst_harness_try_pull (h) != NULL);

  gst_debug_remove_log_function (eos_log_func);
  g_ptr_array_unref (lines);
}

GST_START_TEST (test_upload_eos_and_flush)
{
  GstHarness *h = upload_harness (0, 0, FALSE);
  GstCaps *caps = video_caps ("GRAY8", 33, 17, FALSE);
  gchar *expected = g_strdup_printf ("EOS: 0 buffers passed through, 2 "
      "copied (%d bytes)", 2 * 33 * 17);

  check_eos_and_flush (h, caps, system_frame, expected);
  /* Counted across the flush: 2 before, 2 after. */
  assert_counters (h->element, 0, 4, 4 * 33 * 17);
  g_free (expected);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

static void
set_timestamps (GstBuffer * buf, GstClockTime pts, GstClockTime dts,
    GstClockTime duration)
{
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DTS (buf) = dts;
  GST_BUFFER_DURATION (buf) = duration;
}

/* Asserts @buf's timestamps, its GstVvasMeta and, for VVAS memory, the
 * metadata of its core memory: all the same. */
static void
assert_timing (GstBuffer * buf, GstClockTime pts, GstClockTime dts,
    GstClockTime duration, gboolean core_too)
{
  GstVvasMeta *meta = gst_buffer_get_vvas_meta (buf);

  fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), pts);
  fail_unless_equals_uint64 (GST_BUFFER_DTS (buf), dts);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf), duration);
  fail_unless (meta != NULL, "no GstVvasMeta");
  fail_unless_equals_uint64 (meta->metadata.pts, pts);
  fail_unless_equals_uint64 (meta->metadata.dts, dts);
  fail_unless_equals_uint64 (meta->metadata.duration, duration);
  if (core_too) {
    VvasMetadata md = { 0, 0, 0 };

    vvas_memory_get_metadata (gst_vvas_memory_get_vvas_memory
        (gst_buffer_peek_memory (buf, 0)), &md);
    fail_unless_equals_uint64 (md.pts, pts);
    fail_unless_equals_uint64 (md.dts, dts);
    fail_unless_equals_uint64 (md.duration, duration);
  }
}

/*
 * Asserts that @buf has exactly one GstVvasMeta, one its pool gave it when
 * it allocated the buffer (pooled): none was added for this frame.
 */
static void
assert_one_pooled_vvas_meta (GstBuffer * buf)
{
  fail_unless_equals_int (count_pooled_vvas_metas (buf), 1);
}

GST_START_TEST (test_upload_timestamps_and_meta)
{
  GstHarness *h = upload_harness (0, 0, FALSE);
  GstCaps *caps = video_caps ("NV12", 64, 48, FALSE);
  GstBufferPool *pool;
  GstVideoInfo info;
  GstBuffer *in, *out;
  VvasMetadata stale = { 5 * GST_SECOND, 5 * GST_SECOND, GST_SECOND };

  info_from_caps (&info, caps);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  pool = query_upload_pool (h, caps, 0);
  upstream_configure (pool, caps, 0);

  /* Copied. */
  in = system_frame (&info, 1);
  set_timestamps (in, GST_SECOND, 900 * GST_MSECOND, 40 * GST_MSECOND);
  out = push_pull (h, in);
  fail_if (out == in);
  assert_timing (out, GST_SECOND, 900 * GST_MSECOND, 40 * GST_MSECOND, TRUE);
  assert_one_pooled_vvas_meta (out);
  gst_buffer_unref (out);

  /* Passed through. */
  in = pool_frame (pool, &info, 2);
  set_timestamps (in, 2 * GST_SECOND, GST_CLOCK_TIME_NONE, 40 * GST_MSECOND);
  out = push_pull (h, in);
  fail_unless (out == in);
  assert_timing (out, 2 * GST_SECOND, GST_CLOCK_TIME_NONE,
      40 * GST_MSECOND, TRUE);
  assert_one_pooled_vvas_meta (out);
  gst_buffer_unref (out);

  /* Passed through while upstream still holds it (a tee, say), with a
   * GstVvasMeta left from an earlier life: the output still agrees with
   * its timestamps, and the memory is not copied. */
  in = pool_frame (pool, &info, 3);
  set_timestamps (in, 3 * GST_SECOND, 3 * GST_SECOND, 40 * GST_MSECOND);
  gst_buffer_add_vvas_meta (in, &stale);
  gst_buffer_ref (in);
  out = push_pull (h, in);
  fail_unless (gst_buffer_peek_memory (out, 0) ==
      gst_buffer_peek_memory (in, 0));
  assert_timing (out, 3 * GST_SECOND, 3 * GST_SECOND, 40 * GST_MSECOND, TRUE);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  assert_counters (h->element, 2, 1, visible_bytes (&info));

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/*
 * A pool buffer that others hold too (a tee's other branch), its metadata
 * written by a VVAS element before: passed on as the very buffer, not as
 * another buffer sharing its memory, so that when the branches let go it
 * goes back to its pool whole and is used again (a buffer sharing its
 * memory would outlive it, and the pool would discard it).
 */
GST_START_TEST (test_upload_passes_shared_buffer)
{
  GstHarness *h = upload_harness (0, 1, FALSE);
  GstCaps *caps = video_caps ("NV12", 64, 48, FALSE);
  GstBufferPool *pool;
  GstVideoInfo info;
  GstBuffer *in, *out, *again = NULL;

  info_from_caps (&info, caps);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  pool = query_upload_pool (h, caps, 1);
  upstream_configure (pool, caps, 0);
  in = pool_frame (pool, &info, 5);
  set_timestamps (in, GST_SECOND, GST_SECOND, 40 * GST_MSECOND);
  fail_unless (gst_vvas_buffer_write_metadata (in));
  xrt_count_reset ();

  /* The other branch's reference. */
  out = push_pull (h, gst_buffer_ref (in));
  fail_unless (out == in, "a buffer held elsewhere was not passed as it is");
  assert_timing (out, GST_SECOND, GST_SECOND, 40 * GST_MSECOND, TRUE);
  check_frame (out, &info, 5);
  assert_counters (h->element, 1, 0, 0);
  /* The branches let go, the other one last. */
  gst_buffer_unref (out);
  gst_buffer_unref (in);

  /* Back in its pool, and handed out again: nothing allocated. */
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &again, NULL),
      GST_FLOW_OK);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  gst_buffer_unref (again);

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/*
 * Two vvasupload in a row: the first keeps the second's proposed pool only
 * when it is on its own bank. Both share one device context.
 */
GST_START_TEST (test_upload_decide_allocation)
{
  guint second_bank = __i__;
  gchar *launch = g_strdup_printf ("vvasupload name=a mem-bank=0 "
      "xclbin-location=%s ! vvasupload name=b mem-bank=%u "
      "xclbin-location=%s", two_banks_xclbin, second_bank,
      two_banks_xclbin);
  GstHarness *h;
  GstElement *a, *b;
  GstCaps *caps = video_caps ("I420", 64, 48, FALSE);
  GstVideoInfo info;
  GstBuffer *out;

  info_from_caps (&info, caps);
  xrt_count_reset ();
  h = gst_harness_new_parse (launch);
  g_free (launch);
  a = gst_bin_get_by_name (GST_BIN (h->element), "a");
  b = gst_bin_get_by_name (GST_BIN (h->element), "b");
  /* The device the test opened, with that xclbin, serves both. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 0);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 0);

  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  out = push_pull (h, system_frame (&info, 6));
  assert_vvas_memory (out, 0, second_bank);
  check_frame (out, &info, 6);
  gst_buffer_unref (out);

  assert_counters (a, 0, 1, visible_bytes (&info));
  if (second_bank == 0)
    assert_counters (b, 1, 0, 0);       /* a wrote into b's pool */
  else
    assert_counters (b, 0, 1, visible_bytes (&info));

  gst_object_unref (a);
  gst_object_unref (b);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* vvasdownload                                                            */

GST_START_TEST (test_download_propose_allocation)
{
  GstHarness *h = download_harness (FALSE, FALSE);
  GstCaps *caps = video_caps ("NV12", 320, 240, TRUE);
  GstQuery *query;

  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  assert_output_caps (h, "NV12", 320, 240, FALSE);
  /* Any layout will do: the video meta is welcome. */
  query = gst_query_new_allocation (caps, TRUE);
  fail_unless (gst_pad_peer_query (h->srcpad, query));
  fail_unless (gst_query_find_allocation_meta (query,
          GST_VIDEO_META_API_TYPE, NULL));
  gst_query_unref (query);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/*
 * Download of @in_caps frames from a pool on bank 0 (aligned or not); with
 * @passed, expects the buffer itself out, else a system-memory copy in the
 * default layout.
 */
static void
check_download (GstHarness * h, GstCaps * in_caps, gboolean aligned,
    gboolean passed, guint n)
{
  GstBufferPool *pool = vvas_pool (bank0, in_caps, aligned);
  guint64 passed0 = get_counter (h->element, "buffers-passed");
  guint64 copied0 = get_counter (h->element, "buffers-copied");
  guint64 bytes0 = get_counter (h->element, "bytes-copied");
  GstVideoInfo info;
  guint i;

  info_from_caps (&info, in_caps);
  gst_harness_set_src_caps (h, gst_caps_ref (in_caps));
  for (i = 0; i < n; i++) {
    GstBuffer *in = pool_frame (pool, &info, 30 + i), *out;

    fail_unless_equals_int (has_custom_layout (in, &info), aligned);
    out = push_pull (h, in);
    if (passed) {
      fail_unless (out == in);
      assert_vvas_memory (out, 0, 0);
    } else {
      fail_if (out == in);
      assert_system_memory (out);
      fail_unless_equals_uint64 (gst_buffer_get_size (out), info.size);
      fail_if (has_custom_layout (out, &info));
    }
    check_frame (out, &info, 30 + i);
    gst_buffer_unref (out);
  }
  if (passed)
    assert_counters (h->element, passed0 + n, copied0, bytes0);
  else
    assert_counters (h->element, passed0, copied0 + n,
        bytes0 + n * visible_bytes (&info));
  assert_output_caps (h, GST_VIDEO_INFO_NAME (&info),
      GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info), FALSE);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
}

GST_START_TEST (test_download_passes_with_downstream_meta)
{
  GstHarness *h = download_harness (TRUE, FALSE);
  GstCaps *caps = video_caps ("NV12", 1918, 1080, TRUE);

  /* Strides of 2048: downstream reads them from the meta. */
  check_download (h, caps, TRUE, TRUE, 3);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_download_passes_default_layout)
{
  GstHarness *h = download_harness (FALSE, FALSE);
  GstCaps *caps = video_caps ("I420", 321, 241, TRUE);

  /* No meta downstream, but none needed: the layout is the default. */
  check_download (h, caps, FALSE, TRUE, 3);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_download_copies_without_meta)
{
  GstHarness *h = download_harness (FALSE, FALSE);
  GstCaps *caps = video_caps ("NV12", 1918, 1080, TRUE);

  check_download (h, caps, TRUE, FALSE, 3);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_download_force_copy)
{
  GstHarness *h = download_harness (TRUE, TRUE);
  GstCaps *caps = video_caps ("RGBA", 64, 48, TRUE);
  GstBufferPool *pool = vvas_pool (bank0, caps, FALSE);
  GstVideoInfo info;
  GstBuffer *in, *out;

  /* Everything in favour of passing, yet copied. */
  check_download (h, caps, FALSE, FALSE, 2);

  /* The property works while playing: off, then passed. */
  info_from_caps (&info, caps);
  g_object_set (h->element, "force-copy", FALSE, NULL);
  in = pool_frame (pool, &info, 3);
  out = push_pull (h, in);
  fail_unless (out == in);
  gst_buffer_unref (out);
  assert_counters (h->element, 1, 2, 2 * visible_bytes (&info));

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_download_formats)
{
  const FormatCase *c = &formats[__i__];
  GstHarness *h = download_harness (FALSE, FALSE);
  GstCaps *caps = video_caps (c->format, c->width, c->height, TRUE);

  /* Padded, aligned input, a downstream without the meta: copied. */
  check_download (h, caps, TRUE, FALSE, 2);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_download_renegotiation)
{
  GstHarness *h = download_harness (FALSE, TRUE);
  GstCaps *caps1 = video_caps ("RGBA", 64, 48, TRUE);
  GstCaps *caps2 = video_caps ("GRAY8", 33, 17, TRUE);
  GstVideoInfo info1, info2;

  info_from_caps (&info1, caps1);
  info_from_caps (&info2, caps2);
  check_download (h, caps1, FALSE, FALSE, 2);
  /* New caps, a new output pool: copies of the new size. */
  check_download (h, caps2, TRUE, FALSE, 2);
  assert_counters (h->element, 0, 4, 2 * visible_bytes (&info1) +
      2 * visible_bytes (&info2));
  gst_caps_unref (caps1);
  gst_caps_unref (caps2);
  gst_harness_teardown (h);
}

GST_END_TEST;

static GstBufferPool *eos_pool;

static GstBuffer *
eos_pool_frame (const GstVideoInfo * info, guint seed)
{
  return pool_frame (eos_pool, info, seed);
}

GST_START_TEST (test_download_eos_and_flush)
{
  GstHarness *h = download_harness (FALSE, FALSE);
  GstCaps *caps = video_caps ("NV12", 64, 48, TRUE);

  /* Aligned frames to a downstream without the meta: all copied. */
  eos_pool = vvas_pool (bank0, caps, TRUE);
  check_eos_and_flush (h, caps, eos_pool_frame, "EOS: 0 buffers passed "
      "through, 2 copied (9216 bytes)");
  assert_counters (h->element, 0, 4, 4 * 64 * 48 * 3 / 2);
  fail_unless (gst_buffer_pool_set_active (eos_pool, FALSE));
  gst_clear_object (&eos_pool);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_download_timestamps_and_meta)
{
  GstHarness *h = download_harness (FALSE, TRUE);
  GstCaps *caps = video_caps ("NV12", 64, 48, TRUE);
  GstBufferPool *pool = vvas_pool (bank0, caps, FALSE);
  VvasMetadata md = { GST_SECOND, 990 * GST_MSECOND, 20 * GST_MSECOND };
  GstVideoInfo info;
  GstBuffer *in, *out;

  info_from_caps (&info, caps);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));

  /* Copied to system memory: timestamps and GstVvasMeta go along. */
  in = pool_frame (pool, &info, 1);
  set_timestamps (in, md.pts, md.dts, md.duration);
  gst_buffer_add_vvas_meta (in, &md);
  out = push_pull (h, in);
  assert_system_memory (out);
  assert_timing (out, md.pts, md.dts, md.duration, FALSE);
  assert_one_pooled_vvas_meta (out);
  gst_buffer_unref (out);

  /* Passed: the same buffer, the same meta. */
  g_object_set (h->element, "force-copy", FALSE, NULL);
  in = pool_frame (pool, &info, 2);
  set_timestamps (in, 2 * md.pts, 2 * md.dts, md.duration);
  fail_unless (gst_vvas_buffer_write_metadata (in));
  out = push_pull (h, in);
  fail_unless (out == in);
  assert_timing (out, 2 * md.pts, 2 * md.dts, md.duration, TRUE);
  gst_buffer_unref (out);
  assert_counters (h->element, 1, 1, visible_bytes (&info));

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* Both                                                                    */

GST_START_TEST (test_both_timestamps_and_meta)
{
  gboolean force_copy = __i__;
  gchar *launch = g_strdup_printf ("vvasupload name=up mem-bank=1 "
      "xclbin-location=%s ! vvasdownload name=down force-copy=%s",
      two_banks_xclbin, force_copy ? "true" : "false");
  GstHarness *h = gst_harness_new_parse (launch);
  GstCaps *caps = video_caps ("I420", 321, 241, FALSE);
  GstElement *up, *down;
  GstVideoInfo info;
  guint i;

  g_free (launch);
  info_from_caps (&info, caps);
  up = gst_bin_get_by_name (GST_BIN (h->element), "up");
  down = gst_bin_get_by_name (GST_BIN (h->element), "down");
  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  for (i = 0; i < 3; i++) {
    GstBuffer *in = system_frame (&info, i), *out;
    GstClockTime pts = i * 40 * GST_MSECOND;

    set_timestamps (in, pts, pts, 40 * GST_MSECOND);
    GST_BUFFER_OFFSET (in) = i;
    out = push_pull (h, in);
    check_frame (out, &info, i);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), i);
    /* From vvasdownload's system-memory pool or vvasupload's VVAS pool,
     * frame after frame: the pool's own meta each time. */
    assert_one_pooled_vvas_meta (out);
    if (force_copy) {
      assert_system_memory (out);
      assert_timing (out, pts, pts, 40 * GST_MSECOND, FALSE);
    } else {
      /* Still the device buffer vvasupload filled. */
      assert_vvas_memory (out, 0, 1);
      assert_timing (out, pts, pts, 40 * GST_MSECOND, TRUE);
    }
    gst_buffer_unref (out);
  }
  assert_counters (up, 0, 3, 3 * visible_bytes (&info));
  if (force_copy)
    assert_counters (down, 0, 3, 3 * visible_bytes (&info));
  else
    assert_counters (down, 3, 0, 0);
  assert_output_caps (h, "I420", 321, 241, FALSE);

  gst_object_unref (up);
  gst_object_unref (down);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/*
 * Two elements share one device context, whichever starts first (the
 * downstream one does): the xclbin that either names is loaded.
 */
GST_START_TEST (test_shared_context_loads_xclbin)
{
  gboolean on_upstream = (__i__ == 0);
  gchar *launch = g_strdup_printf ("vvasupload name=a mem-bank=1 %s%s ! "
      "vvasupload name=b mem-bank=1 %s%s",
      on_upstream ? "xclbin-location=" : "",
      on_upstream ? two_banks_xclbin : "",
      on_upstream ? "" : "xclbin-location=",
      on_upstream ? "" : two_banks_xclbin);
  GstCaps *caps = video_caps ("NV12", 32, 16, FALSE);
  GstVideoInfo info;
  GstHarness *h;
  GstBuffer *out;

  info_from_caps (&info, caps);
  /* The device closed: the elements open it themselves. */
  teardown ();
  xrt_count_reset ();
  h = gst_harness_new_parse (launch);
  g_free (launch);
  /* Whichever starts first, one device open and one load serve both. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);

  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  out = push_pull (h, system_frame (&info, 2));
  assert_vvas_memory (out, 0, 1);
  check_frame (out, &info, 2);
  gst_buffer_unref (out);

  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_counters_reset_on_restart)
{
  GstHarness *h = upload_harness (0, 0, FALSE);
  GstCaps *caps = video_caps ("GRAY8", 16, 16, FALSE);
  GstVideoInfo info;

  info_from_caps (&info, caps);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  gst_buffer_unref (push_pull (h, system_frame (&info, 0)));
  assert_counters (h->element, 0, 1, 256);
  /* The counters are read-only. */
  fail_unless ((g_object_class_find_property (G_OBJECT_GET_CLASS
              (h->element), "buffers-copied")->flags & G_PARAM_WRITABLE)
      == 0);

  /* A new run starts from zero. */
  fail_unless_equals_int (gst_element_set_state (h->element,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  gst_harness_play (h);
  assert_counters (h->element, 0, 0, 0);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/*
 * Downstream's metas in the allocation query each element answers: a
 * GstVideoCropMeta, a region-of-interest meta with params, and a meta tied
 * to the memory (GstVideoGLTextureUploadMeta), which an element that may
 * copy into other memory must not promise, as GstBaseTransform drops such
 * metas when it does not pass buffers through. The element's own proposal
 * (GstVideoMeta, and vvasupload's pool and allocator) stays.
 */
GST_START_TEST (test_propose_forwards_downstream_metas)
{
  gboolean upload = __i__ == 0;
  GstHarness *h = upload ? upload_harness (0, 1, FALSE) :
      download_harness (FALSE, FALSE);
  GstCaps *caps = video_caps ("NV12", 64, 48, !upload);
  GstStructure *roi_params = gst_structure_new ("roi/test", "id", G_TYPE_INT,
      42, NULL);
  const GstStructure *params = NULL;
  GstQuery *query;
  guint index;
  gint id = 0;

  gst_harness_add_propose_allocation_meta (h, GST_VIDEO_CROP_META_API_TYPE,
      NULL);
  gst_harness_add_propose_allocation_meta (h,
      GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE, roi_params);
  gst_harness_add_propose_allocation_meta (h,
      GST_VIDEO_GL_TEXTURE_UPLOAD_META_API_TYPE, NULL);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));

  query = gst_query_new_allocation (caps, TRUE);
  fail_unless (gst_pad_peer_query (h->srcpad, query));
  fail_unless (gst_query_find_allocation_meta (query,
          GST_VIDEO_CROP_META_API_TYPE, NULL), "GstVideoCropMeta dropped");
  fail_unless (gst_query_find_allocation_meta (query,
          GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE, &index),
      "region-of-interest meta dropped");
  gst_query_parse_nth_allocation_meta (query, index, &params);
  fail_unless (params != NULL, "its params dropped");
  fail_unless (gst_structure_has_name (params, "roi/test"));
  fail_unless (gst_structure_get_int (params, "id", &id));
  fail_unless_equals_int (id, 42);
  fail_if (gst_query_find_allocation_meta (query,
          GST_VIDEO_GL_TEXTURE_UPLOAD_META_API_TYPE, NULL));
  /* Once each, the element's own among them. */
  fail_unless_equals_int (gst_query_get_n_allocation_metas (query), 3);
  fail_unless (gst_query_find_allocation_meta (query,
          GST_VIDEO_META_API_TYPE, NULL));
  gst_query_unref (query);

  if (upload) {
    GstBufferPool *pool = query_upload_pool (h, caps, 1);

    gst_object_unref (pool);
  }
  gst_structure_free (roi_params);
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/*
 * A frame copied (system memory into vvasupload, device memory out of
 * vvasdownload with force-copy) keeps the metas that describe its pixels,
 * the same after an exact copy: what was proposed upstream is honoured.
 */
GST_START_TEST (test_copy_keeps_crop_meta)
{
  gboolean upload = __i__ == 0;
  GstHarness *h = upload ? upload_harness (0, 1, FALSE) :
      download_harness (FALSE, TRUE);
  GstCaps *caps = video_caps ("NV12", 64, 48, !upload);
  GstBufferPool *pool = upload ? NULL : vvas_pool (bank0, caps, FALSE);
  GstVideoCropMeta *crop;
  GstVideoInfo info;
  GstBuffer *in, *out;

  info_from_caps (&info, caps);
  gst_harness_add_propose_allocation_meta (h, GST_VIDEO_CROP_META_API_TYPE,
      NULL);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  in = upload ? system_frame (&info, 3) : pool_frame (pool, &info, 3);
  crop = gst_buffer_add_video_crop_meta (in);
  crop->x = 2;
  crop->y = 4;
  crop->width = 60;
  crop->height = 40;
  out = push_pull (h, in);
  fail_if (out == in, "passed, not copied");
  check_frame (out, &info, 3);
  crop = gst_buffer_get_video_crop_meta (out);
  fail_unless (crop != NULL, "the copy lost its GstVideoCropMeta");
  fail_unless_equals_int (crop->x, 2);
  fail_unless_equals_int (crop->y, 4);
  fail_unless_equals_int (crop->width, 60);
  fail_unless_equals_int (crop->height, 40);
  /* Its own layout's GstVideoMeta, not a second one from the input. */
  if (gst_buffer_get_video_meta (out)) {
    gpointer state = NULL;
    guint n = 0;

    while (gst_buffer_iterate_meta_filtered (out, &state,
            GST_VIDEO_META_API_TYPE))
      n++;
    fail_unless_equals_int (n, 1);
  }
  gst_buffer_unref (out);
  if (pool) {
    fail_unless (gst_buffer_pool_set_active (pool, FALSE));
    gst_object_unref (pool);
  }
  gst_caps_unref (caps);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* bytes-copied for every format                                           */

/*
 * A copy of @info frames laid out with rows @extra bytes longer than the
 * default (tiled formats keep theirs: their strides count tiles), every
 * byte of it @fill ^ its offset, never 0xff.
 */
static GstBuffer *
padded_frame (GstAllocator * allocator, const GstVideoInfo * info, gint extra)
{
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0 }, size = 0, i;
  gint stride[GST_VIDEO_MAX_PLANES] = { 0 };
  guint plane, n_planes = GST_VIDEO_INFO_N_PLANES (info);
  GstMapInfo map;
  GstBuffer *buf;

  if (GST_VIDEO_FORMAT_INFO_IS_TILED (info->finfo))
    extra = 0;
  for (plane = 0; plane < n_planes; plane++) {
    gsize end = plane + 1 < n_planes ? info->offset[plane + 1] : info->size;
    gsize rows = extra ? (end - info->offset[plane]) / info->stride[plane] : 0;

    offset[plane] = size;
    stride[plane] = info->stride[plane] + extra;
    size += extra ? rows * stride[plane] : end - info->offset[plane];
  }
  /* Room for what a row count rounded down left out. */
  size += 4096;
  buf = gst_buffer_new ();
  gst_buffer_append_memory (buf, gst_allocator_alloc (allocator, size, NULL));
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (i = 0; i < size; i++)
    map.data[i] = (guint8) ((i * 7 + 1) % 255);
  gst_buffer_unmap (buf, &map);
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), n_planes, offset, stride);
  return buf;
}

/* A system-memory buffer of @like's size and layout, every byte 0xff. */
static GstBuffer *
sentinel_like (GstBuffer * like)
{
  GstVideoMeta *meta = gst_buffer_get_video_meta (like);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, gst_buffer_get_size (like),
      NULL);

  gst_buffer_memset (buf, 0, 0xff, gst_buffer_get_size (like));
  if (meta)
    gst_buffer_add_video_meta_full (buf, meta->flags, meta->format,
        meta->width, meta->height, meta->n_planes, meta->offset, meta->stride);
  return buf;
}

/*
 * Bytes a copy of @in into a buffer laid out as @out writes, counted by
 * what changes (every input byte differs from the 0xff the reference
 * starts with), not by format tables; and whether @out holds those very
 * bytes there. NULL if @out is right, or what is wrong.
 */
static gchar *
check_copied_bytes (GstBuffer * in, GstBuffer * out, const GstVideoInfo * info,
    guint64 * bytes)
{
  GstBuffer *ref = sentinel_like (out);
  GstVideoFrame in_frame, ref_frame;
  GstMapInfo ref_map, out_map;
  gchar *wrong = NULL;
  gsize i;

  *bytes = 0;
  fail_unless (gst_video_frame_map (&in_frame, (GstVideoInfo *) info, in,
          GST_MAP_READ));
  fail_unless (gst_video_frame_map (&ref_frame, (GstVideoInfo *) info, ref,
          GST_MAP_WRITE));
  fail_unless (gst_video_frame_copy (&ref_frame, &in_frame));
  gst_video_frame_unmap (&ref_frame);
  gst_video_frame_unmap (&in_frame);

  fail_unless (gst_buffer_map (ref, &ref_map, GST_MAP_READ));
  fail_unless (gst_buffer_map (out, &out_map, GST_MAP_READ));
  for (i = 0; i < ref_map.size; i++) {
    if (ref_map.data[i] == 0xff)
      continue;
    (*bytes)++;
    if (!wrong && out_map.data[i] != ref_map.data[i])
      wrong = g_strdup_printf ("byte %" G_GSIZE_FORMAT " is %u, not %u", i,
          out_map.data[i], ref_map.data[i]);
  }
  gst_buffer_unmap (out, &out_map);
  gst_buffer_unmap (ref, &ref_map);
  gst_buffer_unref (ref);
  return wrong;
}

/*
 * Every raw format GStreamer can lay out at some size, copied by each
 * element: bytes-copied says what the copy wrote, and the output holds it.
 */
GST_START_TEST (test_bytes_copied_all_formats)
{
  static const gint sizes[][2] = { {64, 32}, {37, 19} };
  gboolean upload = __i__ == 0;
  guint n_sizes = g_getenv ("VVAS_UNDER_VALGRIND") ? 1 : G_N_ELEMENTS (sizes);
  GString *wrong = g_string_new (NULL);
  const GstVideoFormat *raw;
  guint n_formats, f, z, tried = 0;

  raw = gst_video_formats_raw (&n_formats);
  for (f = 0; f < n_formats; f++) {
    for (z = 0; z < n_sizes; z++) {
      GstHarness *h;
      GstVideoInfo info;
      GstCaps *caps;
      GstBuffer *in, *out;
      guint64 expected, counted;
      gchar *bad;

      if (!gst_video_info_set_format (&info, raw[f], sizes[z][0], sizes[z][1]))
        continue;
      caps = gst_video_info_to_caps (&info);
      if (!upload)
        gst_caps_set_features (caps, 0,
            gst_caps_features_new (GST_CAPS_FEATURE_MEMORY_VVAS, NULL));
      h = upload ? upload_harness (0, 0, FALSE) :
          download_harness (FALSE, TRUE);
      gst_harness_set_src_caps (h, caps);
      in = padded_frame (upload ? NULL : bank0, &info, 128);
      fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
          GST_FLOW_OK);
      out = gst_harness_try_pull (h);
      fail_unless (out != NULL && out != in, "%s %dx%d: not copied",
          GST_VIDEO_INFO_NAME (&info), sizes[z][0], sizes[z][1]);
      bad = check_copied_bytes (in, out, &info, &expected);
      counted = get_counter (h->element, "bytes-copied");
      if (bad || counted != expected || expected == 0)
        g_string_append_printf (wrong, "\n  %s %dx%d: %" G_GUINT64_FORMAT
            " bytes counted, %" G_GUINT64_FORMAT " copied%s%s",
            GST_VIDEO_INFO_NAME (&info), sizes[z][0], sizes[z][1], counted,
            expected, bad ? "; " : "", bad ? bad : "");
      g_free (bad);
      gst_buffer_unref (out);
      gst_buffer_unref (in);
      gst_harness_teardown (h);
      tried++;
    }
  }
  /* Every format GStreamer 1.22 knows, at one size at least. */
  fail_unless (tried >= n_formats, "only %u of %u formats tried", tried,
      n_formats);
  fail_unless (wrong->len == 0, "%s: %s", upload ? "vvasupload" :
      "vvasdownload", wrong->str);
  g_string_free (wrong, TRUE);
}

GST_END_TEST;

static Suite *
vvas_elements_suite (void)
{
  Suite *s = suite_create ("vvaselements");
  TCase *up = tcase_create ("vvasupload");
  TCase *down = tcase_create ("vvasdownload");
  TCase *both = tcase_create ("both");

  suite_add_tcase (s, up);
  suite_add_tcase (s, down);
  suite_add_tcase (s, both);
  tcase_add_checked_fixture (up, setup, teardown);
  tcase_add_checked_fixture (down, setup, teardown);
  tcase_add_checked_fixture (both, setup, teardown);
  tcase_set_timeout (up, 60);
  tcase_set_timeout (down, 60);
  tcase_set_timeout (both, 60);

  tcase_add_loop_test (up, test_upload_allocation_query, 0, 2);
  tcase_add_test (up, test_upload_passthrough_from_proposed_pool);
  tcase_add_loop_test (up, test_upload_copies_system_memory, 0,
      G_N_ELEMENTS (formats));
  tcase_add_test (up, test_upload_copies_odd_strides);
  tcase_add_test (up, test_upload_copies_other_bank);
  tcase_add_test (up, test_upload_copies_other_device);
  tcase_add_test (up, test_upload_copies_host_vvas_memory);
  tcase_add_test (up, test_upload_passes_same_bank);
  tcase_add_loop_test (up, test_upload_aligned_strides, 0, 2);
  tcase_add_test (up, test_upload_renegotiation);
  tcase_add_test (up, test_upload_eos_and_flush);
  tcase_add_test (up, test_upload_timestamps_and_meta);
  tcase_add_test (up, test_upload_passes_shared_buffer);
  tcase_add_loop_test (up, test_upload_decide_allocation, 0, 2);

  tcase_add_test (down, test_download_propose_allocation);
  tcase_add_test (down, test_download_passes_with_downstream_meta);
  tcase_add_test (down, test_download_passes_default_layout);
  tcase_add_test (down, test_download_copies_without_meta);
  tcase_add_test (down, test_download_force_copy);
  tcase_add_loop_test (down, test_download_formats, 0, G_N_ELEMENTS (formats));
  tcase_add_test (down, test_download_renegotiation);
  tcase_add_test (down, test_download_eos_and_flush);
  tcase_add_test (down, test_download_timestamps_and_meta);

  tcase_add_loop_test (both, test_both_timestamps_and_meta, 0, 2);
  tcase_add_test (both, test_counters_reset_on_restart);
  tcase_add_loop_test (both, test_shared_context_loads_xclbin, 0, 2);
  tcase_add_loop_test (both, test_propose_forwards_downstream_metas, 0, 2);
  tcase_add_loop_test (both, test_copy_keeps_crop_meta, 0, 2);
  tcase_add_loop_test (both, test_bytes_copied_all_formats, 0, 2);
  return s;
}

int
main (int argc, char **argv)
{
  return plugin_test_run (vvas_elements_suite, "vvaselements", argc, argv);
}
