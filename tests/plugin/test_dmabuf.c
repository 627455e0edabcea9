/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * DMA-buf in and out of pipelines. An appsrc pushes frames in memfd-backed
 * GstDmaBufMemory from a small set of buffers it refills, as a V4L2 capture
 * or decoder pool does, through vvasupload ! vvasdownload ! appsink. On the
 * emulated device (meson test --setup emulated) vvasupload imports each
 * DMA-buf once and copies nothing; on XRT's no-op device, which cannot
 * import, it copies every frame and the pipeline still runs. Either way the
 * frames arrive byte-identical and no fd is left open.
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

static void
setup (void)
{
  plugin_test_assert_counting ();
  xrt_count_reset ();
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

static Suite *
vvas_dmabuf_suite (void)
{
  Suite *s = suite_create ("vvasdmabuf");
  TCase *tc = tcase_create ("dmabuf");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, NULL);
  tcase_set_timeout (tc, 120);
  tcase_add_loop_test (tc, test_upload_imports_dmabuf, 0,
      G_N_ELEMENTS (upload_caps_features));
  return s;
}

int
main (int argc, char **argv)
{
  return plugin_test_run (vvas_dmabuf_suite, "vvasdmabuf", argc, argv);
}
