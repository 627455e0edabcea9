/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Frames changed on the device copy reach the application exactly: a test
 * kernel element between vvasupload and vvasdownload maps each memory with
 * GST_MAP_VVAS and rewrites its device copy (inverting it, or overwriting
 * it with a per-frame tag); appsink must receive, byte for byte, the
 * kernel's output of the frames a reference run without VVAS elements
 * produced. For several formats and sizes (odd ones, and 1080p), with the
 * zero-copy path, with vvasupload copying system-memory input, and with
 * vvasdownload copying out (force-copy); each frame crosses to the device
 * and back exactly once.
 *
 * Meant for the emulated device (meson test --setup emulated), where a
 * transfer that is missing or goes the wrong way leaves wrong bytes; on
 * XRT's no-op device it checks the plumbing, offsets and counts.
 */

#include "device_data_common.h"

static gint64 live_bos, live_devices;

static void
setup (void)
{
  plugin_test_assert_counting ();
  assert_device_as_asked ();
  test_kernel_register ();
  live_bos = xrt_count_live_bos ();
  live_devices = xrt_count_live_devices ();
}

typedef struct
{
  const gchar *format;
  gint width, height;
  guint frames;
  const gchar *pattern;         /* videotestsrc properties */
} Case;

/* Moving patterns: every frame differs from the one before it. */
#define ZONE_PLATE "pattern=zone-plate kx2=20 ky2=20 kt=1"
#define BALL "pattern=ball"

static const Case cases[] = {
  {"NV12", 320, 240, 8, BALL},
  {"NV12", 322, 242, 5, ZONE_PLATE},
  {"I420", 321, 241, 5, ZONE_PLATE},
  {"RGBA", 322, 242, 5, ZONE_PLATE},
  {"GRAY8", 321, 241, 5, BALL},
  {"NV12", 1920, 1080, 3, ZONE_PLATE},
};

typedef enum
{
  PATH_ZERO_COPY,               /* videotestsrc writes into device memory */
  PATH_UPLOAD_COPIES,           /* system memory in, copied by vvasupload */
  PATH_DOWNLOAD_COPIES,         /* copied out by vvasdownload force-copy */
  N_PATHS
} Path;

static const gchar *const path_names[] = { "zero-copy", "upload copies",
  "download copies"
};

#define N_MODES 2

GST_START_TEST (test_frames_changed_on_device)
{
  const Case *c = &cases[__i__ / (N_PATHS * N_MODES)];
  Path path = (__i__ / N_MODES) % N_PATHS;
  TestKernelMode mode = __i__ % N_MODES;
  gchar *source = g_strdup_printf ("videotestsrc num-buffers=%u %s ! "
      "video/x-raw,format=%s,width=%d,height=%d,framerate=30/1", c->frames,
      c->pattern, c->format, c->width, c->height);
  /* identity drop-allocation: videotestsrc gets no VVAS pool and writes
   * system memory, which vvasupload must copy. */
  gchar *launch = g_strdup_printf ("%s ! %svvasupload name=up "
      "xclbin-location=%s ! vvastestkernel name=kernel mode=%d ! "
      "vvasdownload name=down force-copy=%s ! appsink name=sink", source,
      path == PATH_UPLOAD_COPIES ? "identity drop-allocation=true ! " : "",
      two_banks_xclbin, mode, path == PATH_DOWNLOAD_COPIES ? "true" : "false");
  GPtrArray *reference;
  GstElement *pipeline;
  GstVideoInfo info;
  GstMessage *msg;
  Frames f;
  gsize frame_bytes;

  GST_INFO ("%s %dx%d, %s, %s", c->format, c->width, c->height,
      path_names[path], mode == TEST_KERNEL_FILL ? "fill" : "invert");
  gst_video_info_set_format (&info, gst_video_format_from_string (c->format),
      c->width, c->height);
  frame_bytes = visible_bytes (&info);
  reference = reference_frames (source);
  fail_unless_equals_int (reference->len, c->frames);

  xrt_count_reset ();
  frames_init (&f, reference, mode);
  pipeline = pipeline_new (launch, &f);
  msg = pipeline_play (pipeline);
  fail_unless (msg != NULL, "%s: hung", launch);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *error = NULL;
    gchar *debug = NULL;

    gst_message_parse_error (msg, &error, &debug);
    fail ("%s: error from %s: %s (%s)", launch, GST_MESSAGE_SRC_NAME (msg),
        error->message, debug);
  }
  gst_message_unref (msg);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);

  /* Every frame arrived, changed exactly as the kernel changed it. */
  fail_unless (f.mismatch == NULL, "%s %dx%d, %s: %s", c->format, c->width,
      c->height, path_names[path], f.mismatch);
  fail_unless_equals_int (f.unmappable, 0);
  fail_unless_equals_int (f.uncompared, 0);
  fail_unless_equals_int (f.frames, c->frames);
  fail_unless_equals_int (pipeline_kernel_frames (pipeline), c->frames);

  /* By the path asked for. */
  if (path == PATH_UPLOAD_COPIES) {
    fail_unless_equals_uint64 (pipeline_counter (pipeline, "up",
            "buffers-copied"), c->frames);
    fail_unless_equals_uint64 (pipeline_counter (pipeline, "up",
            "bytes-copied"), c->frames * frame_bytes);
  } else {
    fail_unless_equals_uint64 (pipeline_counter (pipeline, "up",
            "buffers-passed"), c->frames);
  }
  if (path == PATH_DOWNLOAD_COPIES) {
    fail_unless_equals_uint64 (pipeline_counter (pipeline, "down",
            "buffers-copied"), c->frames);
    fail_unless_equals_int (f.vvas_frames, 0);
  } else {
    fail_unless_equals_uint64 (pipeline_counter (pipeline, "down",
            "buffers-passed"), c->frames);
    fail_unless_equals_int (f.vvas_frames, c->frames);
  }
  /* Each frame went to the device once (the kernel's map) and came back
   * once (the first host read after it), whichever element read it. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE),
      c->frames);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE),
      c->frames);

  pipeline_unref_and_check (pipeline, launch, live_bos, live_devices);
  frames_clear (&f);
  g_ptr_array_unref (reference);
  g_free (launch);
  g_free (source);
}

GST_END_TEST;

static Suite *
vvas_device_data_suite (void)
{
  Suite *s = suite_create ("vvasdevicedata");
  TCase *tc = tcase_create ("frames");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, NULL);
  tcase_set_timeout (tc, g_getenv ("VVAS_UNDER_VALGRIND") ? 600 : 60);
  tcase_add_loop_test (tc, test_frames_changed_on_device, 0,
      G_N_ELEMENTS (cases) * N_PATHS * N_MODES);
  return s;
}

int
main (int argc, char **argv)
{
  return plugin_test_run (vvas_device_data_suite, "vvasdevicedata", argc, argv);
}
