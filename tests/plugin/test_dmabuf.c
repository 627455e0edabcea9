/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * DMA-buf in and out of pipelines.
 *
 * In: an appsrc pushes frames in memfd-backed GstDmaBufMemory from a small
 * set of buffers it refills, as a V4L2 capture or decoder pool does,
 * through vvasupload ! vvasdownload ! appsink. On the emulated device
 * (meson test --setup emulated) vvasupload imports each DMA-buf once and
 * copies nothing; on XRT's no-op device, which cannot import, it copies
 * every frame and the pipeline still runs.
 *
 * Out: videotestsrc ! vvasupload ! vvasdownload ! appsink with DMA-buf caps.
 * On the emulated device each frame leaves as GstDmaBufMemory whose fd,
 * mapped by the test itself, shows the frame a system-memory run gives;
 * the DMA-bufs outlive their pipeline and go round through a second
 * pipeline. On the no-op device, which cannot export, vvasdownload says so
 * once at INFO and renegotiates in system memory, and the same frames come
 * out.
 *
 * With vvasdownload dmabuf-export=always, the frames leave as DMA-buf
 * memory under plain system-memory caps too (what kmssink of GStreamer 1.22
 * imports without a copy), or as VVAS memory where the device cannot
 * export; with dmabuf-export=never they never do, and a downstream that
 * takes DMA-buf only gets a negotiation error that says so.
 *
 * Either way the frames arrive byte-identical and no fd, buffer object or
 * device is left open.
 */

#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include <gst/allocators/allocators.h>

#include "plugin_test_common.h"
#include "xrt_emu.h"

#define WIDTH 320
#define HEIGHT 240
#define N_BUFFERS 4
#define N_FRAMES 12

/* The frames of the export tests. */
#define EXPORT_FRAMES 4
#define VIDEO_FIELDS "format=NV12,width=320,height=240,framerate=30/1"

/* appsink caps that name DMA-buf memory first, system memory as well: the
 * zero-copy path where the device exports, the fallback where not. */
#define DMABUF_OR_SYSTEM_CAPS \
  "video/x-raw(memory:DMABuf)," VIDEO_FIELDS ";video/x-raw," VIDEO_FIELDS

/* What is open before a test, to compare with after it. */
static guint fds_at_start;
static gint64 bos_at_start;
static gint64 devices_at_start;

/* INFO lines of vvasdownload saying the device cannot export; atomic. */
static gint export_info_lines;

static void
count_export_info (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text;

  if (level != GST_LEVEL_INFO ||
      strcmp (gst_debug_category_get_name (category), "vvasdownload") != 0)
    return;
  text = gst_debug_message_get (message);
  if (text && strstr (text, "cannot export DMA-buf"))
    g_atomic_int_inc (&export_info_lines);
}

static void
setup (void)
{
  plugin_test_assert_counting ();
  xrt_count_reset ();
  fds_at_start = xrt_emu_count_open_fds ();
  bos_at_start = xrt_count_live_bos ();
  devices_at_start = xrt_count_live_devices ();
  g_atomic_int_set (&export_info_lines, 0);
  /* The INFO line is what the fallback promises: see it whatever GST_DEBUG
   * says. */
  gst_debug_set_threshold_for_name ("vvasdownload", GST_LEVEL_INFO);
  gst_debug_add_log_function (count_export_info, NULL, NULL);
}

/* Whatever a test made is gone: no fd, buffer object or device left. */
static void
teardown (void)
{
  gst_debug_remove_log_function (count_export_info);
  fail_unless_equals_int (xrt_emu_count_open_fds (), fds_at_start);
  fail_unless_equals_int64 (xrt_count_live_bos (), bos_at_start);
  fail_unless_equals_int64 (xrt_count_live_devices (), devices_at_start);
}

/* A buffer of one memfd-backed DMA-buf holding a frame of @info. */
static GstBuffer *
memfd_buffer (GstAllocator * dmabuf_alloc, const GstVideoInfo * info)
{
  gint fd = memfd_create ("test-frame", MFD_CLOEXEC);
  GstBuffer *buf = gst_buffer_new ();

  fail_unless (fd >= 0);
  fail_unless_equals_int (ftruncate (fd, GST_VIDEO_INFO_SIZE (info)), 0);
  gst_buffer_append_memory (buf, gst_dmabuf_allocator_alloc (dmabuf_alloc,
          fd, GST_VIDEO_INFO_SIZE (info)));
  return buf;
}

static GstElement *
make_pipeline (const gchar * launch)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &error);

  fail_unless (pipeline != NULL && error == NULL, "%s: %s", launch,
      error ? error->message : "?");
  return pipeline;
}

static GstElement *
get_element (GstElement * pipeline, const gchar * name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);

  fail_unless (e != NULL, "no element %s", name);
  gst_object_unref (e);         /* the pipeline holds it */
  return e;
}

static GstSample *
pull_sample (GstElement * sink)
{
  GstSample *sample = NULL;

  g_signal_emit_by_name (sink, "try-pull-sample",
      (GstClockTime) ((g_getenv ("VVAS_UNDER_VALGRIND") ? 60 : 10) *
          GST_SECOND), &sample);
  fail_unless (sample != NULL, "no frame came out");
  return sample;
}

static void
push_buffer (GstElement * src, GstBuffer * buf)
{
  GstFlowReturn ret = GST_FLOW_ERROR;

  g_signal_emit_by_name (src, "push-buffer", buf, &ret);
  fail_unless_equals_int (ret, GST_FLOW_OK);
}

/* Every frame came out already: the pipeline stops without an EOS. */
static void
end_pipeline (GstElement * pipeline)
{
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
}

/* The caps appsrc announces: DMA-buf memory, or plain caps with buffers in
 * DMA-buf memory all the same (a producer that does not say). */
static const gchar *const upload_caps_features[] = {
  "(memory:DMABuf)", "",
};

GST_START_TEST (test_upload_imports_dmabuf)
{
  gboolean emulated = xrt_emu_enabled ();
  guint fds_before = xrt_emu_count_open_fds ();
  GstAllocator *dmabuf_alloc = gst_dmabuf_allocator_new ();
  GstBuffer *bufs[N_BUFFERS];
  GstElement *pipeline, *src, *up, *down, *sink;
  GstVideoInfo info;
  gchar *launch;
  guint i;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_NV12, WIDTH, HEIGHT);
  launch = g_strdup_printf ("appsrc name=src format=time "
      "caps=video/x-raw%s,format=NV12,width=%d,height=%d,framerate=30/1 ! "
      "vvasupload name=up xclbin-location=%s ! vvasdownload name=down ! "
      "appsink name=sink sync=false enable-last-sample=false",
      upload_caps_features[__i__], WIDTH, HEIGHT, two_banks_xclbin);
  pipeline = make_pipeline (launch);
  g_free (launch);
  src = get_element (pipeline, "src");
  up = get_element (pipeline, "up");
  down = get_element (pipeline, "down");
  sink = get_element (pipeline, "sink");
  for (i = 0; i < N_BUFFERS; i++)
    bufs[i] = memfd_buffer (dmabuf_alloc, &info);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);

  for (i = 0; i < N_FRAMES; i++) {
    GstBuffer *buf = bufs[i % N_BUFFERS];
    GstSample *sample;

    /* The pipeline is done with it: the frames after it came out. */
    fail_unless (gst_buffer_is_writable (buf), "frame %u: refcount %d", i,
        GST_MINI_OBJECT_REFCOUNT_VALUE (buf));
    fill_frame (buf, &info, i);
    GST_BUFFER_PTS (buf) = i * GST_SECOND / 30;
    /* The signal takes a reference of its own. */
    push_buffer (src, buf);
    sample = pull_sample (sink);
    check_frame (gst_sample_get_buffer (sample), &info, i);
    gst_sample_unref (sample);
  }
  end_pipeline (pipeline);

  if (emulated) {
    /* One import per DMA-buf, not per frame, and no copy into the device. */
    fail_unless_equals_uint64 (get_counter (up, "buffers-imported"), N_BUFFERS);
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_IMPORT), N_BUFFERS);
    assert_counters (up, N_FRAMES, 0, 0);
  } else {
    /* The no-op device cannot import: each frame is copied instead. */
    fail_unless_equals_uint64 (get_counter (up, "buffers-imported"), 0);
    fail_unless_equals_uint64 (get_counter (up, "buffers-copied"), N_FRAMES);
    fail_unless_equals_uint64 (get_counter (up, "buffers-passed"), 0);
  }
  /* Every frame reached vvasdownload (appsink takes VVAS memory: passed). */
  fail_unless_equals_uint64 (get_counter (down, "buffers-passed") +
      get_counter (down, "buffers-copied"), N_FRAMES);

  gst_object_unref (pipeline);
  for (i = 0; i < N_BUFFERS; i++)
    gst_buffer_unref (bufs[i]);
  gst_object_unref (dmabuf_alloc);
  fail_unless_equals_int (xrt_emu_count_open_fds (), fds_before);
}

GST_END_TEST;


/* The launch line of the export tests: moving SMPTE bars, so that every
 * frame differs, into device memory and out through vvasdownload with
 * properties @down_props to appsink @caps. */
static GstElement *
make_export_pipeline_full (gint num_buffers, const gchar * caps,
    gint max_buffers, const gchar * down_props)
{
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=%d "
      "pattern=smpte horizontal-speed=7 ! video/x-raw," VIDEO_FIELDS " ! "
      "vvasupload name=up xclbin-location=%s ! vvasdownload name=down %s ! "
      "appsink name=sink sync=false enable-last-sample=false "
      "max-buffers=%d %s%s%s", num_buffers, two_banks_xclbin, down_props,
      max_buffers, caps ? "caps=\"" : "", caps ? caps : "",
      caps ? "\"" : "");
  GstElement *pipeline = make_pipeline (launch);

  g_free (launch);
  return pipeline;
}

static GstElement *
make_export_pipeline (gint num_buffers, const gchar * caps, gint max_buffers)
{
  return make_export_pipeline_full (num_buffers, caps, max_buffers, "");
}

static GstVideoInfo *
export_info (void)
{
  static GstVideoInfo info;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_NV12, 320, 240);
  info.fps_n = 30;
  info.fps_d = 1;
  return &info;
}

/*
 * SHA-1 of the visible bytes of @buf's frame read through its DMA-buf fds,
 * mapped here with mmap (not through GStreamer), at the offsets and
 * strides its GstVideoMeta gives.
 */
static gchar *
fd_frame_checksum (GstBuffer * buf, const GstVideoInfo * info)
{
  GstVideoMeta *meta = gst_buffer_get_video_meta (buf);
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA1);
  gchar *result;
  guint plane;

  fail_unless (meta != NULL, "a DMA-buf frame without GstVideoMeta");
  fail_unless_equals_int (meta->n_planes, GST_VIDEO_INFO_N_PLANES (info));
  fail_unless_equals_int (meta->format, GST_VIDEO_INFO_FORMAT (info));
  for (plane = 0; plane < meta->n_planes; plane++) {
    guint idx, len, row, rows;
    gsize skip, row_bytes, map_len;
    GstMemory *mem;
    guint8 *map;

    plane_geometry (GST_VIDEO_INFO_FORMAT (info), plane,
        GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
        &row_bytes, &rows);
    fail_unless (gst_buffer_find_memory (buf, meta->offset[plane], 1, &idx,
            &len, &skip), "plane %u at %" G_GSIZE_FORMAT " is in no memory",
        plane, meta->offset[plane]);
    mem = gst_buffer_peek_memory (buf, idx);
    fail_unless (gst_is_dmabuf_memory (mem));
    fail_unless (meta->stride[plane] >= (gint) row_bytes);
    /* The plane's last row ends inside the memory. */
    fail_unless (skip + (gsize) (rows - 1) * meta->stride[plane] + row_bytes
        <= mem->size);
    map_len = mem->offset + mem->size;
    map = mmap (NULL, map_len, PROT_READ, MAP_SHARED,
        gst_dmabuf_memory_get_fd (mem), 0);
    fail_unless (map != MAP_FAILED);
    for (row = 0; row < rows; row++)
      g_checksum_update (sum, map + mem->offset + skip +
          (gsize) row * meta->stride[plane], row_bytes);
    fail_unless_equals_int (munmap (map, map_len), 0);
  }
  result = g_strdup (g_checksum_get_string (sum));
  g_checksum_free (sum);
  return result;
}

static gboolean
buffer_all_dmabuf (GstBuffer * buf)
{
  guint i, n = gst_buffer_n_memory (buf);

  for (i = 0; i < n; i++)
    if (!gst_is_dmabuf_memory (gst_buffer_peek_memory (buf, i)))
      return FALSE;
  return n > 0;
}

static gboolean
caps_are_dmabuf (GstCaps * caps)
{
  fail_unless (caps != NULL && gst_caps_get_size (caps) == 1);
  return gst_caps_features_contains (gst_caps_get_features (caps, 0),
      GST_CAPS_FEATURE_MEMORY_DMABUF);
}

/*
 * The checksums of the first @n frames of the export pipeline, from a run
 * in system memory (appsink without caps takes anything: it gets the VVAS
 * memory itself, not a DMA-buf).
 */
static gchar **
reference_frames (guint n)
{
  GstElement *pipeline = make_export_pipeline (n, NULL, 0);
  GstElement *sink = get_element (pipeline, "sink");
  GstElement *down = get_element (pipeline, "down");
  gchar **sums = g_new0 (gchar *, n + 1);
  guint i;

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < n; i++) {
    GstSample *sample = pull_sample (sink);
    GstBuffer *buf = gst_sample_get_buffer (sample);

    fail_if (caps_are_dmabuf (gst_sample_get_caps (sample)));
    fail_unless (gst_is_vvas_memory (gst_buffer_peek_memory (buf, 0)));
    sums[i] = frame_checksum (buf, export_info ());
    /* Moving bars: no two frames alike. */
    if (i > 0)
      fail_if (g_str_equal (sums[i], sums[i - 1]));
    gst_sample_unref (sample);
  }
  end_pipeline (pipeline);
  assert_counters (down, n, 0, 0);
  fail_unless_equals_uint64 (get_counter (down, "buffers-exported"), 0);
  gst_object_unref (pipeline);
  return sums;
}

/*
 * Asserts that @buf is frame @sum: on the emulated device in DMA-buf
 * memory, read through its own fds and through GStreamer's mapping of
 * them; on the no-op device in system memory (the VVAS memory).
 */
static void
check_exported_frame (GstSample * sample, const gchar * sum)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  gchar *got;

  if (xrt_emu_enabled ()) {
    fail_unless (caps_are_dmabuf (gst_sample_get_caps (sample)));
    fail_unless (buffer_all_dmabuf (buf));
    got = fd_frame_checksum (buf, export_info ());
    fail_unless_equals_string (got, sum);
    g_free (got);
  } else {
    fail_if (caps_are_dmabuf (gst_sample_get_caps (sample)));
    fail_if (buffer_all_dmabuf (buf));
  }
  got = frame_checksum (buf, export_info ());
  fail_unless_equals_string (got, sum);
  g_free (got);
}

/*
 * What the exported frames were: for each input buffer of vvasdownload
 * (the pool buffer the output buffer holds, in its GstParentBufferMeta),
 * the DMA-buf memory and fd it left in. Pool buffers and their DMA-buf
 * memories live as long as the pipeline, so their addresses name them.
 */
#define MAX_SEEN 64

typedef struct
{
  guint n;
  GstBuffer *inbuf[MAX_SEEN];
  GstMemory *mem[MAX_SEEN];
  gint fd[MAX_SEEN];
} ExportSeen;

/* The input buffer @buf holds: the one parent whose memory is VVAS
 * memory. */
static GstBuffer *
held_input_buffer (GstBuffer * buf)
{
  GstBuffer *found = NULL;
  gpointer state = NULL;
  GstMeta *meta;

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_PARENT_BUFFER_META_API_TYPE))) {
    GstBuffer *parent = ((GstParentBufferMeta *) meta)->buffer;

    if (gst_buffer_n_memory (parent) > 0 &&
        gst_is_vvas_memory (gst_buffer_peek_memory (parent, 0))) {
      fail_unless (found == NULL, "two VVAS input buffers held");
      found = parent;
    }
  }
  return found;
}

/*
 * Records the exported frame @buf: it holds its input buffer; that buffer
 * always leaves in the same DMA-buf memory with the same fd, and no other
 * buffer in that memory.
 */
static void
export_seen_add (ExportSeen * seen, GstBuffer * buf)
{
  GstBuffer *inbuf = held_input_buffer (buf);
  GstMemory *mem = gst_buffer_peek_memory (buf, 0);
  guint i;

  fail_unless (inbuf != NULL, "an exported frame does not hold its input");
  fail_unless_equals_int (gst_buffer_n_memory (buf), 1);
  fail_unless (gst_is_dmabuf_memory (mem));
  for (i = 0; i < seen->n; i++) {
    if (seen->inbuf[i] == inbuf) {
      fail_unless (seen->mem[i] == mem, "input buffer %p left in DMA-buf "
          "memory %p, then in %p", inbuf, seen->mem[i], mem);
      fail_unless_equals_int (gst_dmabuf_memory_get_fd (mem), seen->fd[i]);
      return;
    }
    fail_unless (seen->mem[i] != mem, "DMA-buf memory %p shows input "
        "buffers %p and %p", mem, seen->inbuf[i], inbuf);
  }
  fail_unless (seen->n < MAX_SEEN);
  seen->inbuf[seen->n] = inbuf;
  seen->mem[seen->n] = mem;
  seen->fd[seen->n] = gst_dmabuf_memory_get_fd (mem);
  seen->n++;
}

/*
 * The export counters of @down after @n frames, and the INFO line. On the
 * emulated device @seen holds the frames (NULL: the test did not look at
 * them all): one xrtBOExport per input buffer, not per frame.
 */
static void
check_export_counters (GstElement * down, guint n, const ExportSeen * seen)
{
  if (xrt_emu_enabled ()) {
    /* Zero copy: every frame exported, each pool buffer exported once. */
    fail_unless_equals_uint64 (get_counter (down, "buffers-exported"), n);
    assert_counters (down, n, 0, 0);
    fail_unless (seen != NULL && seen->n > 0 && seen->n <= n);
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), seen->n);
    fail_unless_equals_int (g_atomic_int_get (&export_info_lines), 0);
  } else {
    /* One failed export, one INFO line, then system memory. */
    fail_unless_equals_uint64 (get_counter (down, "buffers-exported"), 0);
    fail_unless_equals_uint64 (get_counter (down, "buffers-passed") +
        get_counter (down, "buffers-copied"), n);
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), 1);
    fail_unless_equals_int (g_atomic_int_get (&export_info_lines), 1);
  }
}

GST_START_TEST (test_download_exports_dmabuf)
{
  gchar **ref = reference_frames (EXPORT_FRAMES);
  GstElement *pipeline, *down, *sink;
  ExportSeen seen = { 0 };
  guint i;

  xrt_count_reset ();
  pipeline = make_export_pipeline (EXPORT_FRAMES, DMABUF_OR_SYSTEM_CAPS, 0);
  down = get_element (pipeline, "down");
  sink = get_element (pipeline, "sink");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < EXPORT_FRAMES; i++) {
    GstSample *sample = pull_sample (sink);

    check_exported_frame (sample, ref[i]);
    if (xrt_emu_enabled ())
      export_seen_add (&seen, gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  }
  /* And then the end of the stream, nothing more. */
  {
    GstSample *sample = NULL;

    g_signal_emit_by_name (sink, "pull-sample", &sample);
    fail_unless (sample == NULL);
  }
  end_pipeline (pipeline);
  check_export_counters (down, EXPORT_FRAMES, &seen);
  gst_object_unref (pipeline);
  g_strfreev (ref);
}

GST_END_TEST;

/*
 * Downstream that takes DMA-buf memory only: the frames leave exported on
 * the emulated device; on the no-op device there is nothing to fall back
 * to, and the element says why (a negotiation error, not a crash).
 */
GST_START_TEST (test_download_dmabuf_only)
{
  GstElement *pipeline = make_export_pipeline (2,
      "video/x-raw(memory:DMABuf)," VIDEO_FIELDS, 0);
  GstElement *down = get_element (pipeline, "down");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  if (xrt_emu_enabled ()) {
    GstElement *sink = get_element (pipeline, "sink");
    guint i;

    /* appsink posts EOS once its frames are taken. */
    for (i = 0; i < 2; i++) {
      GstSample *sample = pull_sample (sink);

      fail_unless (caps_are_dmabuf (gst_sample_get_caps (sample)));
      fail_unless (buffer_all_dmabuf (gst_sample_get_buffer (sample)));
      gst_sample_unref (sample);
    }
  }
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  if (xrt_emu_enabled ()) {
    fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
    fail_unless_equals_uint64 (get_counter (down, "buffers-exported"), 2);
  } else {
    GError *error = NULL;

    fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR);
    fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (down),
        "error from %s", GST_MESSAGE_SRC_NAME (msg));
    gst_message_parse_error (msg, &error, NULL);
    fail_unless (g_error_matches (error, GST_CORE_ERROR,
            GST_CORE_ERROR_NEGOTIATION), "%s", error->message);
    g_clear_error (&error);
    fail_unless_equals_uint64 (get_counter (down, "buffers-exported"), 0);
    fail_unless_equals_int (g_atomic_int_get (&export_info_lines), 1);
  }
  gst_message_unref (msg);
  gst_object_unref (bus);
  end_pipeline (pipeline);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/*
 * Round trip: the DMA-bufs one pipeline exported, after it is gone, go
 * through appsrc ! vvasupload ! vvasdownload ! appsink of another, three
 * times each: identical frames, one import per distinct buffer.
 */
GST_START_TEST (test_dmabuf_round_trip)
{
  gchar **ref = reference_frames (EXPORT_FRAMES);
  GstBuffer *bufs[EXPORT_FRAMES];
  GstElement *pipeline, *src, *up, *down, *sink;
  gchar *launch;
  guint i;

  /* Export. */
  pipeline = make_export_pipeline (EXPORT_FRAMES, DMABUF_OR_SYSTEM_CAPS, 0);
  sink = get_element (pipeline, "sink");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < EXPORT_FRAMES; i++) {
    GstSample *sample = pull_sample (sink);

    check_exported_frame (sample, ref[i]);
    bufs[i] = gst_buffer_ref (gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  }
  end_pipeline (pipeline);
  gst_object_unref (pipeline);

  /* Import, in a pipeline of its own. */
  xrt_count_reset ();
  launch = g_strdup_printf ("appsrc name=src format=time caps=\"video/x-raw"
      "%s," VIDEO_FIELDS "\" ! vvasupload name=up xclbin-location=%s ! "
      "vvasdownload name=down ! appsink name=sink sync=false "
      "enable-last-sample=false caps=\"video/x-raw," VIDEO_FIELDS "\"",
      xrt_emu_enabled ()? "(memory:DMABuf)" : "", two_banks_xclbin);
  pipeline = make_pipeline (launch);
  g_free (launch);
  src = get_element (pipeline, "src");
  up = get_element (pipeline, "up");
  down = get_element (pipeline, "down");
  sink = get_element (pipeline, "sink");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < 3 * EXPORT_FRAMES; i++) {
    GstSample *sample;
    gchar *sum;

    push_buffer (src, bufs[i % EXPORT_FRAMES]);
    sample = pull_sample (sink);
    sum = frame_checksum (gst_sample_get_buffer (sample), export_info ());
    fail_unless_equals_string (sum, ref[i % EXPORT_FRAMES]);
    g_free (sum);
    gst_sample_unref (sample);
  }
  end_pipeline (pipeline);

  if (xrt_emu_enabled ()) {
    /* One import per exported buffer, not per frame; nothing copied. */
    fail_unless_equals_uint64 (get_counter (up, "buffers-imported"),
        EXPORT_FRAMES);
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_IMPORT),
        EXPORT_FRAMES);
    assert_counters (up, 3 * EXPORT_FRAMES, 0, 0);
  } else {
    /* Nothing was exported: the frames were VVAS memory all along. */
    fail_unless_equals_uint64 (get_counter (up, "buffers-imported"), 0);
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_IMPORT), 0);
    fail_unless_equals_uint64 (get_counter (up, "buffers-passed") +
        get_counter (up, "buffers-copied"), 3 * EXPORT_FRAMES);
  }
  fail_unless_equals_uint64 (get_counter (down, "buffers-passed") +
      get_counter (down, "buffers-copied"), 3 * EXPORT_FRAMES);
  gst_object_unref (pipeline);
  for (i = 0; i < EXPORT_FRAMES; i++)
    gst_buffer_unref (bufs[i]);
  g_strfreev (ref);
}

GST_END_TEST;

/*
 * A DMA-buf memory kept without its buffer outlives its pipeline (set to
 * NULL and unreffed) and the VVAS memory it showed: once the last frame
 * buffer is gone too, no buffer object and no device is left (the DMA-buf
 * memory holds none of them), and its own fd still maps the frame; the fd
 * goes when it goes (teardown checks).
 */
GST_START_TEST (test_dmabuf_outlives_pipeline)
{
  gchar **ref = reference_frames (2);
  GstElement *pipeline, *sink;
  GstSample *samples[2];
  GstBuffer *held;
  GstVideoMeta *meta;
  gchar *sum;
  guint i;

  /* Two frames and no more: nothing is written into the second frame's
   * pool buffer after the test lets go of its buffer. */
  pipeline = make_export_pipeline (2, DMABUF_OR_SYSTEM_CAPS, 0);
  sink = get_element (pipeline, "sink");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < 2; i++)
    samples[i] = pull_sample (sink);
  /* The second frame's memory alone, without the buffer it came in (a
   * consumer may keep only that), with a layout of the test's own. */
  meta = gst_buffer_get_video_meta (gst_sample_get_buffer (samples[1]));
  fail_unless (meta != NULL);
  fail_unless_equals_int (gst_buffer_n_memory (gst_sample_get_buffer
          (samples[1])), 1);
  held = gst_buffer_new ();
  gst_buffer_append_memory (held, gst_memory_ref (gst_buffer_peek_memory
          (gst_sample_get_buffer (samples[1]), 0)));
  gst_buffer_add_video_meta_full (held, meta->flags, meta->format,
      meta->width, meta->height, meta->n_planes, meta->offset, meta->stride);
  gst_sample_unref (samples[1]);
  end_pipeline (pipeline);
  gst_object_unref (pipeline);

  /* The first frame's buffer holds its input buffer: the frame is still
   * there, and its device memory with it. */
  check_exported_frame (samples[0], ref[0]);
  fail_unless (xrt_count_live_bos () > bos_at_start);
  gst_sample_unref (samples[0]);

  if (xrt_emu_enabled ()) {
    /* Every VVAS memory is gone, their buffer objects and the device with
     * them; the DMA-buf memory's fd still maps the second frame. */
    fail_unless_equals_int64 (xrt_count_live_bos (), bos_at_start);
    fail_unless_equals_int64 (xrt_count_live_devices (), devices_at_start);
    fail_unless (xrt_emu_count_open_fds () > fds_at_start);
    sum = fd_frame_checksum (held, export_info ());
    fail_unless_equals_string (sum, ref[1]);
    g_free (sum);
  } else {
    /* No export: the memory kept is the VVAS memory, with its BO. */
    fail_unless (gst_is_vvas_memory (gst_buffer_peek_memory (held, 0)));
    fail_unless (xrt_count_live_bos () > bos_at_start);
  }
  /* And through GStreamer's mapping. */
  sum = frame_checksum (held, export_info ());
  fail_unless_equals_string (sum, ref[1]);
  g_free (sum);
  gst_buffer_unref (held);
  g_strfreev (ref);
}

GST_END_TEST;

/* The frames of test_download_export_stable: three times as many as
 * upstream's pool has buffers, at least. */
#define STABLE_FRAMES 12

/* The downstream caps and vvasdownload properties of
 * test_download_export_stable: DMA-buf caps; system-memory caps with
 * dmabuf-export=always (kmssink of GStreamer 1.22). */
static const gchar *const stable_caps[] = {
  DMABUF_OR_SYSTEM_CAPS, "video/x-raw," VIDEO_FIELDS,
};

static const gchar *const stable_props[] = {
  "", "dmabuf-export=always",
};

/* Asserts that @buf is frame @sum: exported on the emulated device (its
 * fds show it), VVAS memory on the no-op device; GStreamer's mapping shows
 * it either way. */
static void
check_frame_in_any_caps (GstBuffer * buf, const gchar * sum)
{
  gchar *got;

  if (xrt_emu_enabled ()) {
    fail_unless (buffer_all_dmabuf (buf));
    got = fd_frame_checksum (buf, export_info ());
    fail_unless_equals_string (got, sum);
    g_free (got);
  } else {
    fail_unless (gst_is_vvas_memory (gst_buffer_peek_memory (buf, 0)));
  }
  got = frame_checksum (buf, export_info ());
  fail_unless_equals_string (got, sum);
  g_free (got);
}

/*
 * Stable DMA-buf memories: N frames through upstream's pool of K buffers
 * leave in K DMA-buf memories (K exports, not N), the same memory object
 * and fd every time the same pool buffer comes, with the right bytes at
 * every frame (moving bars: each frame differs, so the export transfers
 * every frame's bytes, not only the first). A frame whose buffer the
 * consumer keeps stays that frame while the pool turns around it: the
 * output buffer holds the input buffer.
 */
GST_START_TEST (test_download_export_stable)
{
  gchar **ref = reference_frames (STABLE_FRAMES);
  ExportSeen seen = { 0 };
  GstElement *pipeline, *down, *sink;
  GstSample *first;
  guint i;

  xrt_count_reset ();
  /* appsink takes one frame at a time: a few pool buffers turn round. */
  pipeline = make_export_pipeline_full (STABLE_FRAMES, stable_caps[__i__], 1,
      stable_props[__i__]);
  down = get_element (pipeline, "down");
  sink = get_element (pipeline, "sink");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  first = pull_sample (sink);
  check_frame_in_any_caps (gst_sample_get_buffer (first), ref[0]);
  if (xrt_emu_enabled ())
    export_seen_add (&seen, gst_sample_get_buffer (first));
  for (i = 1; i < STABLE_FRAMES; i++) {
    GstSample *sample = pull_sample (sink);

    check_frame_in_any_caps (gst_sample_get_buffer (sample), ref[i]);
    if (xrt_emu_enabled ())
      export_seen_add (&seen, gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  }
  /* The first frame, its buffer kept all along, is still the first. */
  check_frame_in_any_caps (gst_sample_get_buffer (first), ref[0]);
  gst_sample_unref (first);
  end_pipeline (pipeline);

  if (xrt_emu_enabled ()) {
    /* The pool turned round: fewer memories than frames. */
    fail_unless (seen.n >= 2 && seen.n < STABLE_FRAMES, "%u DMA-buf "
        "memories for %u frames", seen.n, STABLE_FRAMES);
  }
  check_export_counters (down, STABLE_FRAMES, &seen);
  gst_object_unref (pipeline);
  g_strfreev (ref);
}

GST_END_TEST;

#define TEE_FRAMES 8

/*
 * Two vvasdownload behind a tee export the same pool buffers, maybe at
 * the same time: each VVAS memory gets one DMA-buf memory, which both
 * branches hand on, with the right bytes; one xrtBOExport per pool buffer
 * for both. On the no-op device each element probes once, says so at
 * INFO and goes on in system memory.
 */
GST_START_TEST (test_download_export_tee)
{
  gchar **ref = reference_frames (TEE_FRAMES);
  ExportSeen seen = { 0 };
  GstElement *pipeline, *downs[2], *sinks[2];
  gchar *launch;
  guint i, b;

  xrt_count_reset ();
  launch = g_strdup_printf ("videotestsrc num-buffers=%d pattern=smpte "
      "horizontal-speed=7 ! video/x-raw," VIDEO_FIELDS " ! vvasupload "
      "xclbin-location=%s ! tee name=t "
      "t. ! queue ! vvasdownload name=down0 ! appsink name=sink0 sync=false "
      "enable-last-sample=false max-buffers=1 caps=\"" DMABUF_OR_SYSTEM_CAPS
      "\" t. ! queue ! vvasdownload name=down1 ! appsink name=sink1 "
      "sync=false enable-last-sample=false max-buffers=1 caps=\""
      DMABUF_OR_SYSTEM_CAPS "\"", TEE_FRAMES, two_banks_xclbin);
  pipeline = make_pipeline (launch);
  g_free (launch);
  for (b = 0; b < 2; b++) {
    gchar name[8];

    g_snprintf (name, sizeof (name), "down%u", b);
    downs[b] = get_element (pipeline, name);
    g_snprintf (name, sizeof (name), "sink%u", b);
    sinks[b] = get_element (pipeline, name);
  }
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < TEE_FRAMES; i++) {
    GstSample *samples[2];

    for (b = 0; b < 2; b++) {
      samples[b] = pull_sample (sinks[b]);
      check_exported_frame (samples[b], ref[i]);
      if (xrt_emu_enabled ())
        export_seen_add (&seen, gst_sample_get_buffer (samples[b]));
    }
    /* One frame, one input buffer, one DMA-buf memory for both. */
    if (xrt_emu_enabled ()) {
      GstBuffer *bufs[2] = { gst_sample_get_buffer (samples[0]),
        gst_sample_get_buffer (samples[1])
      };

      fail_unless (bufs[0] != bufs[1]);
      fail_unless (held_input_buffer (bufs[0]) == held_input_buffer (bufs[1]));
      fail_unless (gst_buffer_peek_memory (bufs[0], 0) ==
          gst_buffer_peek_memory (bufs[1], 0));
    }
    for (b = 0; b < 2; b++)
      gst_sample_unref (samples[b]);
  }
  end_pipeline (pipeline);

  for (b = 0; b < 2; b++) {
    fail_unless_equals_uint64 (get_counter (downs[b], "buffers-exported"),
        xrt_emu_enabled ()? TEE_FRAMES : 0);
    fail_unless_equals_uint64 (get_counter (downs[b], "buffers-passed") +
        get_counter (downs[b], "buffers-copied"), TEE_FRAMES);
  }
  if (xrt_emu_enabled ()) {
    fail_unless (seen.n >= 1 && seen.n <= TEE_FRAMES);
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), seen.n);
    fail_unless_equals_int (g_atomic_int_get (&export_info_lines), 0);
  } else {
    /* Each element's probe fails once and says so once. */
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), 2);
    fail_unless_equals_int (g_atomic_int_get (&export_info_lines), 2);
  }
  gst_object_unref (pipeline);
  g_strfreev (ref);
}

GST_END_TEST;

/*
 * The pipeline is stopped while downstream holds exported frames and the
 * streaming thread waits on a full appsink: the stop does not wait for the
 * frames, and they stay readable after it.
 */
GST_START_TEST (test_dmabuf_held_at_stop)
{
  gchar **ref = reference_frames (3);
  GstElement *pipeline, *sink;
  GstSample *samples[3];
  guint i;

  /* No end: videotestsrc runs on until the stop. */
  pipeline = make_export_pipeline (-1, DMABUF_OR_SYSTEM_CAPS, 1);
  sink = get_element (pipeline, "sink");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < 3; i++)
    samples[i] = pull_sample (sink);
  /* The next frame waits in appsink, and the one after it in the
   * streaming thread. */
  end_pipeline (pipeline);
  for (i = 0; i < 3; i++)
    check_exported_frame (samples[i], ref[i]);
  gst_object_unref (pipeline);
  for (i = 0; i < 3; i++) {
    check_exported_frame (samples[i], ref[i]);
    gst_sample_unref (samples[i]);
  }
  g_strfreev (ref);
}

GST_END_TEST;

/* vvasdownload's dmabuf-export: an enum gst-inspect-1.0 and gst-launch-1.0
 * know by its nicks, "caps" by default. */
GST_START_TEST (test_download_export_property)
{
  static const gchar *const nicks[] = { "caps", "always", "never" };
  GstElement *down = make_element ("vvasdownload");
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (down),
      "dmabuf-export");
  GEnumClass *klass;
  guint i;
  gint value = -1;

  fail_unless (G_IS_PARAM_SPEC_ENUM (pspec));
  fail_unless_equals_string (g_type_name (pspec->value_type),
      "GstVvasDownloadDmabufExport");
  fail_unless (pspec->flags & G_PARAM_WRITABLE);
  fail_unless (pspec->flags & GST_PARAM_MUTABLE_READY);
  klass = g_type_class_ref (pspec->value_type);
  fail_unless_equals_int (klass->n_values, G_N_ELEMENTS (nicks));
  for (i = 0; i < G_N_ELEMENTS (nicks); i++) {
    GEnumValue *v = g_enum_get_value (klass, i);

    fail_unless (v != NULL);
    fail_unless_equals_string (v->value_nick, nicks[i]);
    /* gst-inspect-1.0 prints the name as the value's description. */
    fail_unless (strlen (v->value_name) > strlen (nicks[i]));
  }
  fail_unless_equals_int (G_PARAM_SPEC_ENUM (pspec)->default_value,
      g_enum_get_value_by_nick (klass, "caps")->value);
  g_object_get (down, "dmabuf-export", &value, NULL);
  fail_unless_equals_int (value, g_enum_get_value_by_nick (klass,
          "caps")->value);
  for (i = 0; i < G_N_ELEMENTS (nicks); i++) {
    gst_util_set_object_arg (G_OBJECT (down), "dmabuf-export", nicks[i]);
    g_object_get (down, "dmabuf-export", &value, NULL);
    fail_unless_equals_int (value, g_enum_get_value_by_nick (klass,
            nicks[i])->value);
  }
  g_type_class_unref (klass);
  gst_object_unref (down);
}

GST_END_TEST;

/* The vvasdownload properties of test_download_export_always. */
static const gchar *const always_props[] = {
  "dmabuf-export=always",
  "dmabuf-export=always force-copy=true",
};

/*
 * dmabuf-export=always, downstream in plain system-memory caps (as
 * kmssink of GStreamer 1.22 is): on the emulated device every frame leaves
 * as DMA-buf memory all the same, its fds showing the exact frame, no
 * copy; on the no-op device one failed export, one INFO line, and the VVAS
 * memory passed on. force-copy still copies into system memory.
 */
GST_START_TEST (test_download_export_always)
{
  gboolean force_copy = __i__ == 1;
  gchar **ref = reference_frames (EXPORT_FRAMES);
  GstElement *pipeline, *down, *sink;
  gsize frame_bytes = GST_VIDEO_INFO_SIZE (export_info ());
  ExportSeen seen = { 0 };
  guint i;

  xrt_count_reset ();
  pipeline = make_export_pipeline_full (EXPORT_FRAMES,
      "video/x-raw," VIDEO_FIELDS, 0, always_props[__i__]);
  down = get_element (pipeline, "down");
  sink = get_element (pipeline, "sink");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < EXPORT_FRAMES; i++) {
    GstSample *sample = pull_sample (sink);
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstMemory *mem = gst_buffer_peek_memory (buf, 0);
    gchar *sum;

    /* System-memory caps, whatever the memory. */
    fail_if (caps_are_dmabuf (gst_sample_get_caps (sample)));
    if (force_copy) {
      fail_if (gst_is_dmabuf_memory (mem));
      fail_if (gst_is_vvas_memory (mem));
    } else if (xrt_emu_enabled ()) {
      fail_unless (buffer_all_dmabuf (buf));
      /* Each DMA-buf memory holds an fd of its own while it lives. */
      fail_unless (xrt_emu_count_open_fds () > fds_at_start);
      sum = fd_frame_checksum (buf, export_info ());
      fail_unless_equals_string (sum, ref[i]);
      g_free (sum);
      export_seen_add (&seen, buf);
    } else {
      fail_if (buffer_all_dmabuf (buf));
      fail_unless (gst_is_vvas_memory (mem));
    }
    /* And through GStreamer's mapping, as a system-memory sink reads it. */
    sum = frame_checksum (buf, export_info ());
    fail_unless_equals_string (sum, ref[i]);
    g_free (sum);
    gst_sample_unref (sample);
  }
  end_pipeline (pipeline);

  if (force_copy) {
    /* No export attempted: copies, as without the property. */
    assert_counters (down, 0, EXPORT_FRAMES, EXPORT_FRAMES * frame_bytes);
    fail_unless_equals_uint64 (get_counter (down, "buffers-exported"), 0);
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), 0);
    fail_unless_equals_int (g_atomic_int_get (&export_info_lines), 0);
  } else if (xrt_emu_enabled ()) {
    /* Zero copy: every frame exported, each pool buffer exported once. */
    check_export_counters (down, EXPORT_FRAMES, &seen);
  } else {
    /* One failed export, one INFO line, then the VVAS memory passed. */
    fail_unless_equals_uint64 (get_counter (down, "buffers-exported"), 0);
    assert_counters (down, EXPORT_FRAMES, 0, 0);
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), 1);
    fail_unless_equals_int (g_atomic_int_get (&export_info_lines), 1);
  }
  gst_object_unref (pipeline);
  g_strfreev (ref);
}

GST_END_TEST;

/*
 * dmabuf-export=never: a downstream that takes DMA-buf memory only cannot
 * link to vvasdownload (gst-launch-1.0 says so); one whose caps become
 * DMA-buf only after linking makes negotiation fail, on either device:
 * upstream's caps query finds nothing and the source stops with
 * not-negotiated before a frame reaches vvasdownload. One that takes
 * DMA-buf or system memory gets system memory (the VVAS memory). No
 * export is attempted.
 */
GST_START_TEST (test_download_export_never)
{
  gboolean dmabuf_only = __i__ == 0;
  gchar **ref = dmabuf_only ? NULL : reference_frames (EXPORT_FRAMES);
  GstElement *pipeline, *down, *sink;

  if (dmabuf_only) {
    GError *error = NULL;
    gchar *launch = g_strdup_printf ("videotestsrc ! vvasupload "
        "xclbin-location=%s ! vvasdownload dmabuf-export=never ! "
        "appsink caps=\"video/x-raw(memory:DMABuf)," VIDEO_FIELDS "\"",
        two_banks_xclbin);

    pipeline = gst_parse_launch (launch, &error);
    fail_unless (g_error_matches (error, GST_PARSE_ERROR,
            GST_PARSE_ERROR_LINK), "%s: %s", launch,
        error ? error->message : "no error");
    g_clear_error (&error);
    g_free (launch);
    if (pipeline)
      gst_object_unref (pipeline);
    /* Without caps it links; then the caps that refuse system memory. */
    pipeline = make_export_pipeline_full (EXPORT_FRAMES, NULL, 0,
        "dmabuf-export=never");
    sink = get_element (pipeline, "sink");
    gst_util_set_object_arg (G_OBJECT (sink), "caps",
        "video/x-raw(memory:DMABuf)," VIDEO_FIELDS);
  } else {
    pipeline = make_export_pipeline_full (EXPORT_FRAMES,
        DMABUF_OR_SYSTEM_CAPS, 0, "dmabuf-export=never");
    sink = get_element (pipeline, "sink");
  }
  down = get_element (pipeline, "down");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  if (dmabuf_only) {
    GstBus *bus = gst_element_get_bus (pipeline);
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    const GstStructure *details = NULL;
    gint flow = GST_FLOW_OK;

    fail_unless (msg != NULL);
    fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR);
    /* The streaming thread's flow error says why it stopped. */
    gst_message_parse_error_details (msg, &details);
    fail_unless (details != NULL && gst_structure_get_int (details,
            "flow-return", &flow), "error from %s without a flow return",
        GST_MESSAGE_SRC_NAME (msg));
    fail_unless_equals_int (flow, GST_FLOW_NOT_NEGOTIATED);
    gst_message_unref (msg);
    gst_object_unref (bus);
    assert_counters (down, 0, 0, 0);
  } else {
    guint i;

    for (i = 0; i < EXPORT_FRAMES; i++) {
      GstSample *sample = pull_sample (sink);
      GstBuffer *buf = gst_sample_get_buffer (sample);
      gchar *sum;

      fail_if (caps_are_dmabuf (gst_sample_get_caps (sample)));
      fail_if (buffer_all_dmabuf (buf));
      fail_unless (gst_is_vvas_memory (gst_buffer_peek_memory (buf, 0)));
      sum = frame_checksum (buf, export_info ());
      fail_unless_equals_string (sum, ref[i]);
      g_free (sum);
      gst_sample_unref (sample);
    }
    assert_counters (down, EXPORT_FRAMES, 0, 0);
  }
  end_pipeline (pipeline);
  /* Never a probe, so never the INFO line. */
  fail_unless_equals_uint64 (get_counter (down, "buffers-exported"), 0);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_EXPORT), 0);
  fail_unless_equals_int (g_atomic_int_get (&export_info_lines), 0);
  gst_object_unref (pipeline);
  g_strfreev (ref);
}

GST_END_TEST;

static Suite *
vvas_dmabuf_suite (void)
{
  Suite *s = suite_create ("vvasdmabuf");
  TCase *tc = tcase_create ("dmabuf");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_loop_test (tc, test_upload_imports_dmabuf, 0,
      G_N_ELEMENTS (upload_caps_features));
  tcase_add_test (tc, test_download_exports_dmabuf);
  tcase_add_test (tc, test_download_dmabuf_only);
  tcase_add_test (tc, test_dmabuf_round_trip);
  tcase_add_test (tc, test_dmabuf_outlives_pipeline);
  tcase_add_test (tc, test_dmabuf_held_at_stop);
  tcase_add_loop_test (tc, test_download_export_stable, 0,
      G_N_ELEMENTS (stable_caps));
  tcase_add_test (tc, test_download_export_tee);
  tcase_add_test (tc, test_download_export_property);
  tcase_add_loop_test (tc, test_download_export_always, 0,
      G_N_ELEMENTS (always_props));
  tcase_add_loop_test (tc, test_download_export_never, 0, 2);
  return s;
}

int
main (int argc, char **argv)
{
  return plugin_test_run (vvas_dmabuf_suite, "vvasdmabuf", argc, argv);
}
