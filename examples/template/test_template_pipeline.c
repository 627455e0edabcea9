/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Runs vvaskerneltemplate in a pipeline and checks what comes out against
 * what went in:
 *
 *   videotestsrc pattern=snow ! NV12 ! tee name=t
 *     t. ! queue ! appsink name=ref                 (the input frames)
 *     t. ! queue ! vvasupload ! vvaskerneltemplate ! vvasdownload
 *        ! appsink name=out                          (the kernel's output)
 *
 * Checked for every frame: the output is in VVAS device memory with its
 * device copy newer (the kernel's mark), its timestamps and GstVvasMeta are
 * the input's, and once mapped on the host its bytes are the input's. For
 * the whole run: the kernel ran once a frame, and exactly one transfer to
 * the device (the kernel's input map) and one from it (the host map of the
 * output) were made per frame, none more.
 *
 * XRT's no-op device's xrtBOCopy succeeds without moving a byte, so there
 * the bytes are not compared (everything else is); they are on the
 * emulated device (VVAS_XRT_EMULATION=1, meson test --setup emulated) and
 * on a card.
 *
 * Usage: test-template-pipeline XCLBIN   (an xclbin with 2 memory banks)
 * Exit status 0 when every check passed.
 */

#include <string.h>

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <gst/vvas/gstvvas.h>

#define N_FRAMES 12
#define WIDTH 320
#define HEIGHT 240

static int failures;

#define CHECK(cond, ...) \
  G_STMT_START { \
    if (!(cond)) { \
      g_printerr ("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      g_printerr (__VA_ARGS__); \
      g_printerr ("\n"); \
      failures++; \
    } \
  } G_STMT_END

/* True where a device-side copy really moves bytes: not XRT's no-op device
 * (the emulated device runs on top of it and does move them). */
static gboolean
device_copies_move_bytes (void)
{
  return g_strcmp0 (g_getenv ("XCL_EMULATION_MODE"), "noop") != 0 ||
      g_strcmp0 (g_getenv ("VVAS_XRT_EMULATION"), "1") == 0;
}

static void
check_frame (guint i, GstSample * ref, GstSample * out, gboolean bytes)
{
  GstBuffer *rbuf = gst_sample_get_buffer (ref);
  GstBuffer *obuf = gst_sample_get_buffer (out);
  GstMemory *mem = gst_buffer_peek_memory (obuf, 0);
  GstVvasMeta *meta = gst_buffer_get_vvas_meta (obuf);
  GstClockTime pts, dts, duration;
  GstMapInfo rmap, omap;

  CHECK (GST_BUFFER_PTS (obuf) == GST_BUFFER_PTS (rbuf), "frame %u: pts %"
      GST_TIME_FORMAT " != %" GST_TIME_FORMAT, i,
      GST_TIME_ARGS (GST_BUFFER_PTS (obuf)),
      GST_TIME_ARGS (GST_BUFFER_PTS (rbuf)));
  CHECK (meta != NULL, "frame %u has no GstVvasMeta", i);
  if (meta) {
    gst_vvas_meta_get_times (meta, &pts, &dts, &duration);
    CHECK (pts == GST_BUFFER_PTS (rbuf) && duration ==
        GST_BUFFER_DURATION (rbuf), "frame %u: meta pts %" GST_TIME_FORMAT
        " duration %" GST_TIME_FORMAT, i, GST_TIME_ARGS (pts),
        GST_TIME_ARGS (duration));
  }

  /* vvasdownload passes device frames on: the kernel's output, device
   * copy newer, not yet transferred. */
  CHECK (gst_buffer_n_memory (obuf) == 1 && gst_is_vvas_memory (mem),
      "frame %u is not one VVAS memory", i);
  if (!gst_is_vvas_memory (mem))
    return;
  CHECK (gst_vvas_memory_get_bank_index (mem) == 0, "frame %u on bank %d", i,
      gst_vvas_memory_get_bank_index (mem));
  CHECK (gst_vvas_memory_get_pending_transfers (mem) ==
      VVAS_DATA_SYNC_FROM_DEVICE, "frame %u: pending transfers %d, expected "
      "the device copy newer", i, gst_vvas_memory_get_pending_transfers (mem));

  if (!gst_buffer_map (obuf, &omap, GST_MAP_READ)) {
    CHECK (FALSE, "frame %u: host map of the output failed", i);
    return;
  }
  CHECK (gst_vvas_memory_get_pending_transfers (mem) == VVAS_DATA_SYNC_NONE,
      "frame %u: the host map left transfers pending", i);
  if (gst_buffer_map (rbuf, &rmap, GST_MAP_READ)) {
    CHECK (omap.size >= rmap.size, "frame %u: %" G_GSIZE_FORMAT " bytes "
        "out, %" G_GSIZE_FORMAT " in", i, omap.size, rmap.size);
    if (bytes && omap.size >= rmap.size)
      CHECK (memcmp (omap.data, rmap.data, rmap.size) == 0,
          "frame %u: the output's bytes are not the input's", i);
    gst_buffer_unmap (rbuf, &rmap);
  } else {
    CHECK (FALSE, "frame %u: map of the input failed", i);
  }
  gst_buffer_unmap (obuf, &omap);
}

int
main (int argc, char **argv)
{
  GstElement *pipeline, *ref_sink, *out_sink, *kernel;
  GstVvasContext *context;
  VvasTransferStats stats;
  GError *error = NULL;
  GstMessage *msg;
  GstBus *bus;
  gboolean bytes = device_copies_move_bytes ();
  guint64 runs = 0;
  gchar *desc;
  guint i;

  gst_init (&argc, &argv);
  if (argc != 2) {
    g_printerr ("usage: %s XCLBIN\n", argv[0]);
    return 2;
  }

  desc = g_strdup_printf ("videotestsrc num-buffers=%d pattern=snow "
      "! video/x-raw,format=NV12,width=%d,height=%d,framerate=30/1 "
      "! tee name=t "
      "t. ! queue ! appsink name=ref sync=false "
      "t. ! queue ! vvasupload mem-bank=1 xclbin-location=\"%s\" "
      "! vvaskerneltemplate name=kernel mem-bank=0 ! vvasdownload "
      "! appsink name=out sync=false", N_FRAMES, WIDTH, HEIGHT, argv[1]);
  pipeline = gst_parse_launch (desc, &error);
  g_free (desc);
  if (!pipeline) {
    g_printerr ("FAIL: %s\n", error->message);
    g_clear_error (&error);
    return 1;
  }
  ref_sink = gst_bin_get_by_name (GST_BIN (pipeline), "ref");
  out_sink = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  kernel = gst_bin_get_by_name (GST_BIN (pipeline), "kernel");

  CHECK (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE, "pipeline did not start");

  for (i = 0; i < N_FRAMES; i++) {
    GstSample *ref = gst_app_sink_try_pull_sample (GST_APP_SINK (ref_sink),
        5 * GST_SECOND);
    GstSample *out = gst_app_sink_try_pull_sample (GST_APP_SINK (out_sink),
        5 * GST_SECOND);

    CHECK (ref && out, "frame %u did not arrive (input %p, output %p)", i,
        ref, out);
    if (ref && out)
      check_frame (i, ref, out, bytes);
    if (ref)
      gst_sample_unref (ref);
    if (out)
      gst_sample_unref (out);
    if (!ref || !out)
      break;
  }

  /* EOS after the last frame, and no error on the way. */
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  CHECK (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS, "no EOS: %s",
      msg ? GST_MESSAGE_TYPE_NAME (msg) : "timeout");
  if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    gst_message_parse_error (msg, &error, NULL);
    g_printerr ("error: %s\n", error->message);
    g_clear_error (&error);
  }
  g_clear_pointer (&msg, gst_message_unref);
  gst_object_unref (bus);

  g_object_get (kernel, "kernel-runs", &runs, NULL);
  CHECK (runs == N_FRAMES, "the kernel ran %" G_GUINT64_FORMAT " times", runs);

  /* The process's context of device 0, the one the elements share. */
  context = gst_vvas_context_new (0, NULL, &error);
  CHECK (context != NULL, "no context: %s", error ? error->message : "");
  g_clear_error (&error);
  if (context) {
    vvas_context_get_transfer_stats (gst_vvas_context_get_vvas_context
        (context), &stats);
    CHECK (stats.syncs_to_device == N_FRAMES, "%" G_GUINT64_FORMAT
        " transfers to the device, expected one a frame",
        stats.syncs_to_device);
    CHECK (stats.syncs_from_device == N_FRAMES, "%" G_GUINT64_FORMAT
        " transfers from the device, expected one a frame",
        stats.syncs_from_device);
    gst_object_unref (context);
  }

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (kernel);
  gst_object_unref (out_sink);
  gst_object_unref (ref_sink);
  gst_object_unref (pipeline);
  gst_deinit ();

  if (failures) {
    g_printerr ("%d check(s) failed\n", failures);
    return 1;
  }
  g_print ("OK: %d frames through vvaskerneltemplate, %s\n", N_FRAMES,
      bytes ? "bytes compared" : "bytes not compared (XRT's no-op device "
      "does not move them)");
  return 0;
}
