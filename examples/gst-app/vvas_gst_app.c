/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * A GStreamer application on VVAS device memory:
 *
 *   appsrc (frames in device memory, from a VVAS pool) ! queue ! appsink
 *
 * It asks for the VVAS allocator by API on a device context, fills each
 * frame on the host, hands it to the device as a kernel would (a
 * GST_MAP_VVAS map, which makes the device copy current and, with WRITE,
 * marks it newer), attaches the VVAS metadata, and pushes it. On the other
 * side it checks every frame: still device memory with the device copy
 * newer, its bytes (one transfer back on the host map), its timestamps and
 * GstVvasMeta. At the end it checks the transfers the context counted: one
 * each way per frame, none more.
 *
 * Usage: vvas-gst-app -x XCLBIN [-d DEVICE] [-b BANK] [-n FRAMES]
 * Exit status 0 when every frame came out as it went in.
 */

#include <string.h>

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <gst/vvas/gstvvas.h>

#define WIDTH 320
#define HEIGHT 240
#define FPS 30

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

/* What byte @offset of frame @frame holds: differs between frames. */
static guint8
pattern_byte (guint frame, gsize offset)
{
  return (guint8) (frame * 37 + offset * 7 + (offset >> 9));
}

/* A frame from @pool: filled on the host, then handed to the device. */
static GstBuffer *
make_frame (GstBufferPool * pool, guint frame)
{
  GstBuffer *buf = NULL;
  GstMemory *mem;
  GstMapInfo map;
  VvasMetadata metadata;
  gsize i;

  if (gst_buffer_pool_acquire_buffer (pool, &buf, NULL) != GST_FLOW_OK) {
    CHECK (FALSE, "frame %u: the pool gave no buffer", frame);
    return NULL;
  }
  mem = gst_buffer_peek_memory (buf, 0);

  /* A host write: the host copy becomes the newer one. */
  if (!gst_buffer_map (buf, &map, GST_MAP_WRITE)) {
    CHECK (FALSE, "frame %u: host map failed", frame);
    gst_buffer_unref (buf);
    return NULL;
  }
  for (i = 0; i < map.size; i++)
    map.data[i] = pattern_byte (frame, i);
  gst_buffer_unmap (buf, &map);
  CHECK (gst_vvas_memory_get_pending_transfers (mem) ==
      VVAS_DATA_SYNC_TO_DEVICE, "frame %u: after a host write, pending %d",
      frame, gst_vvas_memory_get_pending_transfers (mem));

  /*
   * Device access, as an element does before it starts a kernel that reads
   * and writes the frame in place: the map transfers the host's bytes to
   * the device (once) and gives the device address; the WRITE marks the
   * device copy newer. No explicit sync anywhere.
   */
  if (!gst_memory_map (mem, &map, GST_MAP_READWRITE | GST_MAP_VVAS)) {
    CHECK (FALSE, "frame %u: device map failed", frame);
    gst_buffer_unref (buf);
    return NULL;
  }
  CHECK ((guint64) (guintptr) map.data == gst_vvas_memory_get_paddr (mem),
      "frame %u: the device map gave %p, not the device address 0x%"
      G_GINT64_MODIFIER "x", frame, map.data, gst_vvas_memory_get_paddr (mem));
  /* ... here a kernel would run on gst_vvas_memory_get_bo (mem) ... */
  gst_memory_unmap (mem, &map);
  CHECK (gst_vvas_memory_get_pending_transfers (mem) ==
      VVAS_DATA_SYNC_FROM_DEVICE, "frame %u: after device access, pending %d",
      frame, gst_vvas_memory_get_pending_transfers (mem));

  GST_BUFFER_PTS (buf) = gst_util_uint64_scale (frame, GST_SECOND, FPS);
  GST_BUFFER_DTS (buf) = GST_BUFFER_PTS (buf);
  GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (1, GST_SECOND, FPS);
  /* The VVAS metadata, for VVAS-aware code downstream (a buffer has one
   * GstVvasMeta; adding to a pool buffer updates the one it carries). */
  metadata.pts = GST_BUFFER_PTS (buf);
  metadata.dts = GST_BUFFER_DTS (buf);
  metadata.duration = GST_BUFFER_DURATION (buf);
  CHECK (gst_buffer_add_vvas_meta (buf, &metadata) != NULL,
      "frame %u: no meta added", frame);
  return buf;
}

/* Checks a frame that came out of the pipeline. */
static void
check_frame (GstSample * sample, guint frame, guint bank, gsize size)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstMemory *mem = gst_buffer_peek_memory (buf, 0);
  GstVvasMeta *meta = gst_buffer_get_vvas_meta (buf);
  GstClockTime pts, dts, duration;
  GstMapInfo map;
  gsize i, wrong = 0;

  CHECK (GST_BUFFER_PTS (buf) == gst_util_uint64_scale (frame, GST_SECOND,
          FPS), "frame %u: pts %" GST_TIME_FORMAT, frame,
      GST_TIME_ARGS (GST_BUFFER_PTS (buf)));
  CHECK (meta != NULL, "frame %u: no GstVvasMeta", frame);
  if (meta) {
    gst_vvas_meta_get_times (meta, &pts, &dts, &duration);
    CHECK (pts == GST_BUFFER_PTS (buf) && dts == GST_BUFFER_DTS (buf) &&
        duration == GST_BUFFER_DURATION (buf), "frame %u: meta says pts %"
        GST_TIME_FORMAT " dts %" GST_TIME_FORMAT " duration %"
        GST_TIME_FORMAT, frame, GST_TIME_ARGS (pts), GST_TIME_ARGS (dts),
        GST_TIME_ARGS (duration));
  }

  CHECK (gst_is_vvas_memory (mem), "frame %u: not VVAS memory", frame);
  if (!gst_is_vvas_memory (mem))
    return;
  CHECK (gst_vvas_memory_get_bank_index (mem) == (gint) bank,
      "frame %u: on bank %d", frame, gst_vvas_memory_get_bank_index (mem));
  CHECK (gst_vvas_memory_get_pending_transfers (mem) ==
      VVAS_DATA_SYNC_FROM_DEVICE, "frame %u: pending %d, expected the "
      "device copy newer", frame, gst_vvas_memory_get_pending_transfers (mem));

  /* A host read: the device's bytes come back, once. */
  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    CHECK (FALSE, "frame %u: host map failed", frame);
    return;
  }
  CHECK (map.size == size, "frame %u: %" G_GSIZE_FORMAT " bytes", frame,
      map.size);
  for (i = 0; i < map.size; i++)
    wrong += map.data[i] != pattern_byte (frame, i);
  CHECK (wrong == 0, "frame %u: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
      " bytes wrong", frame, wrong, map.size);
  gst_buffer_unmap (buf, &map);
  CHECK (gst_vvas_memory_get_pending_transfers (mem) == VVAS_DATA_SYNC_NONE,
      "frame %u: transfers still pending after the host read", frame);
}

int
main (int argc, char **argv)
{
  gchar *xclbin = NULL;
  gint dev_idx = 0, bank = 0, n_frames = 10;
  GOptionEntry entries[] = {
    {"xclbin", 'x', 0, G_OPTION_ARG_FILENAME, &xclbin, "xclbin to load",
        "FILE"},
    {"device", 'd', 0, G_OPTION_ARG_INT, &dev_idx, "device index (0)", "N"},
    {"bank", 'b', 0, G_OPTION_ARG_INT, &bank, "memory bank (0)", "N"},
    {"frames", 'n', 0, G_OPTION_ARG_INT, &n_frames, "frames (10)", "N"},
    {NULL}
  };
  GOptionContext *options;
  GError *error = NULL;
  GstVvasContext *context;
  GstAllocator *allocator;
  GstBufferPool *pool;
  GstStructure *config;
  GstElement *pipeline, *src, *sink;
  GstContext *gst_context;
  GstVideoInfo info;
  GstCaps *caps;
  VvasTransferStats stats;
  GstMessage *msg;
  GstBus *bus;
  gint i;

  options = g_option_context_new ("- VVAS device memory through appsrc and "
      "appsink");
  g_option_context_add_main_entries (options, entries, NULL);
  g_option_context_add_group (options, gst_init_get_option_group ());
  if (!g_option_context_parse (options, &argc, &argv, &error) || !xclbin ||
      bank < 0 || bank > G_MAXUINT8 || n_frames < 1) {
    g_printerr ("%s\nusage: %s -x XCLBIN [-d DEVICE] [-b BANK] [-n FRAMES]\n",
        error ? error->message : "", argv[0]);
    g_clear_error (&error);
    g_option_context_free (options);
    g_free (xclbin);
    return 2;
  }
  g_option_context_free (options);

  /* The device context and an allocator on its bank, by API. */
  context = gst_vvas_context_new (dev_idx, xclbin, &error);
  if (!context) {
    g_printerr ("FAIL: %s\n", error->message);
    g_clear_error (&error);
    g_free (xclbin);
    return 1;
  }
  allocator = gst_vvas_allocator_new_for_bank (context, bank, &error);
  if (!allocator) {
    g_printerr ("FAIL: %s\n", error->message);
    g_clear_error (&error);
    gst_object_unref (context);
    g_free (xclbin);
    return 1;
  }

  /* A pool of frames in that memory. */
  caps = gst_caps_from_string ("video/x-raw(" GST_CAPS_FEATURE_MEMORY_VVAS
      "),format=NV12");
  gst_caps_set_simple (caps, "width", G_TYPE_INT, WIDTH, "height",
      G_TYPE_INT, HEIGHT, "framerate", GST_TYPE_FRACTION, FPS, 1, NULL);
  gst_video_info_from_caps (&info, caps);
  pool = gst_vvas_buffer_pool_new (allocator);
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, info.size, 2, 4);
  CHECK (gst_buffer_pool_set_config (pool, config), "pool refused its config");
  CHECK (gst_buffer_pool_set_active (pool, TRUE), "pool did not activate");

  pipeline = gst_parse_launch ("appsrc name=src format=time "
      "! queue ! appsink name=sink sync=false", &error);
  if (!pipeline) {
    g_printerr ("FAIL: %s\n", error->message);
    g_clear_error (&error);
    return 1;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  /* VVAS elements in the pipeline (vvasupload, your own) use this device
   * context instead of opening the device again. */
  gst_context = gst_context_new_vvas_context (context);
  gst_element_set_context (pipeline, gst_context);
  gst_context_unref (gst_context);
  CHECK (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE, "pipeline did not start");

  for (i = 0; i < n_frames; i++) {
    GstBuffer *buf = make_frame (pool, i);
    GstSample *sample;

    if (!buf)
      break;
    CHECK (gst_app_src_push_buffer (GST_APP_SRC (src), buf) == GST_FLOW_OK,
        "frame %d not pushed", i);
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 5 * GST_SECOND);
    CHECK (sample != NULL, "frame %d did not come out", i);
    if (!sample)
      break;
    check_frame (sample, i, bank, info.size);
    gst_sample_unref (sample);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  CHECK (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS, "no EOS: %s",
      msg ? GST_MESSAGE_TYPE_NAME (msg) : "timeout");
  g_clear_pointer (&msg, gst_message_unref);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  /* What moved between host and device: one transfer each way a frame. */
  vvas_context_get_transfer_stats (gst_vvas_context_get_vvas_context
      (context), &stats);
  g_print ("transfers: %" G_GUINT64_FORMAT " to the device (%"
      G_GUINT64_FORMAT " bytes), %" G_GUINT64_FORMAT " from it (%"
      G_GUINT64_FORMAT " bytes)\n", stats.syncs_to_device,
      stats.bytes_to_device, stats.syncs_from_device, stats.bytes_from_device);
  CHECK (stats.syncs_to_device == (guint64) n_frames &&
      stats.syncs_from_device == (guint64) n_frames, "expected %d each way",
      n_frames);

  CHECK (gst_buffer_pool_set_active (pool, FALSE), "pool did not stop");
  gst_object_unref (pool);
  gst_caps_unref (caps);
  gst_object_unref (sink);
  gst_object_unref (src);
  gst_object_unref (pipeline);
  gst_object_unref (allocator);
  gst_object_unref (context);
  g_free (xclbin);
  gst_deinit ();

  if (failures) {
    g_printerr ("%d check(s) failed\n", failures);
    return 1;
  }
  g_print ("OK: %d frames of %dx%d NV12 in device memory on bank %d, "
      "checked\n", n_frames, WIDTH, HEIGHT, bank);
  return 0;
}
