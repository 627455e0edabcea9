/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * A gst-check unit test of your own element and pipeline on VVAS device
 * memory, with no FPGA: XRT's no-op device (XCL_EMULATION_MODE=noop and
 * XILINX_XRT) and an xclbin made by vvas-make-xclbin. The element under
 * test is vvaskerneltemplate (examples/template); put yours in its place.
 *
 * Environment: MY_TEST_XCLBIN, an xclbin with 2 memory banks
 * (vvas-make-xclbin two.xclbin 2); GST_PLUGIN_PATH reaching the vvas
 * plugin and yours.
 *
 * XRT's no-op device's xrtBOCopy (the template's kernel) succeeds without
 * moving a byte: there the output's bytes are not compared, everything else
 * is. On the project's emulated device and on a card they are.
 */

#include <string.h>

#include <gst/gst.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gst/vvas/gstvvas.h>

#define CAPS_FMT "format=NV12,width=64,height=48,framerate=30/1"
#define FRAME_SIZE (64 * 48 * 3 / 2)
#define N_FRAMES 5

static const gchar *
xclbin (void)
{
  const gchar *path = g_getenv ("MY_TEST_XCLBIN");

  fail_unless (path != NULL, "set MY_TEST_XCLBIN to an xclbin with 2 banks "
      "(vvas-make-xclbin two.xclbin 2)");
  return path;
}

/* False on XRT's no-op device, whose device-side copies move no byte. */
static gboolean
device_copies_move_bytes (void)
{
  return g_strcmp0 (g_getenv ("XCL_EMULATION_MODE"), "noop") != 0 ||
      g_strcmp0 (g_getenv ("VVAS_XRT_EMULATION"), "1") == 0;
}

static guint8
pattern_byte (guint frame, gsize offset)
{
  return (guint8) (frame * 53 + offset * 3 + (offset >> 8));
}

static void
fill_buffer (GstBuffer * buf, guint frame)
{
  GstMapInfo map;
  gsize i;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (i = 0; i < map.size; i++)
    map.data[i] = pattern_byte (frame, i);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = frame * GST_SECOND / 30;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
}

/* What the element must give: the kernel's output, in device memory on
 * @bank with its device copy newer, the input's bytes and timestamps. */
static void
check_output (GstBuffer * out, guint frame, gint bank)
{
  GstMemory *mem = gst_buffer_peek_memory (out, 0);
  GstVvasMeta *meta = gst_buffer_get_vvas_meta (out);
  GstClockTime pts, dts, duration;
  GstMapInfo map;
  gsize i;

  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), frame * GST_SECOND / 30);
  fail_unless (meta != NULL);
  gst_vvas_meta_get_times (meta, &pts, &dts, &duration);
  fail_unless_equals_uint64 (pts, GST_BUFFER_PTS (out));
  fail_unless_equals_uint64 (duration, GST_SECOND / 30);

  fail_unless (gst_is_vvas_memory (mem));
  fail_unless_equals_int (gst_vvas_memory_get_bank_index (mem), bank);
  fail_unless_equals_int (gst_vvas_memory_get_pending_transfers (mem),
      VVAS_DATA_SYNC_FROM_DEVICE);

  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  fail_unless (map.size >= FRAME_SIZE);
  fail_unless_equals_int (gst_vvas_memory_get_pending_transfers (mem),
      VVAS_DATA_SYNC_NONE);
  for (i = 0; device_copies_move_bytes () && i < FRAME_SIZE; i++) {
    if (map.data[i] != pattern_byte (frame, i))
      fail ("frame %u: byte %" G_GSIZE_FORMAT " is 0x%02x, expected 0x%02x",
          frame, i, map.data[i], pattern_byte (frame, i));
  }
  gst_buffer_unmap (out, &map);
}

/* The element alone, fed device frames as vvasupload would give them. */
GST_START_TEST (test_element_takes_device_frames)
{
  GstElement *element = gst_element_factory_make ("vvaskerneltemplate", NULL);
  GstVvasContext *context;
  GstAllocator *allocator;
  GstBufferPool *pool;
  GstStructure *config;
  GstHarness *h;
  GstCaps *caps;
  GError *error = NULL;
  guint64 runs;
  guint i;

  fail_unless (element != NULL, "vvaskerneltemplate not found: is "
      "GST_PLUGIN_PATH set?");
  g_object_set (element, "xclbin-location", xclbin (), "mem-bank", 0, NULL);
  h = gst_harness_new_with_element (element, "sink", "src");
  gst_harness_set_src_caps_str (h, "video/x-raw(memory:VVASMemory)," CAPS_FMT);

  /* Input frames on bank 1 of the same device: the process has one
   * context per device, so this is the element's context. */
  context = gst_vvas_context_new (0, xclbin (), &error);
  fail_unless (context != NULL, "%s", error ? error->message : "");
  allocator = gst_vvas_allocator_new_for_bank (context, 1, &error);
  fail_unless (allocator != NULL, "%s", error ? error->message : "");
  caps = gst_caps_from_string ("video/x-raw(memory:VVASMemory)," CAPS_FMT);
  pool = gst_vvas_buffer_pool_new (allocator);
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, FRAME_SIZE, 1, 0);
  fail_unless (gst_buffer_pool_set_config (pool, config));
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));

  for (i = 0; i < N_FRAMES; i++) {
    GstBuffer *in = NULL, *out;

    fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &in, NULL),
        GST_FLOW_OK);
    fill_buffer (in, i);
    /* The host wrote it: the element's device map must transfer it. */
    fail_unless_equals_int (gst_vvas_memory_get_pending_transfers
        (gst_buffer_peek_memory (in, 0)), VVAS_DATA_SYNC_TO_DEVICE);
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    out = gst_harness_pull (h);
    check_output (out, i, 0);
    gst_buffer_unref (out);
  }
  g_object_get (element, "kernel-runs", &runs, NULL);
  fail_unless_equals_uint64 (runs, N_FRAMES);

  gst_harness_teardown (h);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  gst_object_unref (allocator);
  gst_object_unref (context);
  gst_object_unref (element);
}

GST_END_TEST;

/* A user's pipeline as one harness: host frames in, device frames out. */
GST_START_TEST (test_pipeline_upload_kernel_download)
{
  GstHarness *h;
  gchar *desc;
  guint i;

  desc = g_strdup_printf ("vvasupload mem-bank=1 xclbin-location=\"%s\" "
      "! vvaskerneltemplate mem-bank=0 ! vvasdownload", xclbin ());
  h = gst_harness_new_parse (desc);
  g_free (desc);
  gst_harness_set_src_caps_str (h, "video/x-raw," CAPS_FMT);

  for (i = 0; i < N_FRAMES; i++) {
    GstBuffer *in = gst_harness_create_buffer (h, FRAME_SIZE), *out;

    fill_buffer (in, i);
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    out = gst_harness_pull (h);
    /* vvasdownload passes device frames on (no copy): the kernel's. */
    check_output (out, i, 0);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Host memory is refused with a flow error, not handed to the device. */
GST_START_TEST (test_element_refuses_host_memory)
{
  GstElement *element = gst_element_factory_make ("vvaskerneltemplate", NULL);
  GstHarness *h;
  GstBuffer *in;

  g_object_set (element, "xclbin-location", xclbin (), NULL);
  h = gst_harness_new_with_element (element, "sink", "src");
  gst_harness_set_src_caps_str (h, "video/x-raw(memory:VVASMemory)," CAPS_FMT);
  in = gst_buffer_new_allocate (NULL, FRAME_SIZE, NULL);
  fill_buffer (in, 0);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_ERROR);
  fail_unless_equals_int (gst_harness_buffers_received (h), 0);
  gst_harness_teardown (h);
  gst_object_unref (element);
}

GST_END_TEST;

/* A bank the xclbin lacks: the element does not start, and says why. */
GST_START_TEST (test_element_names_usable_banks)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *element = gst_element_factory_make ("vvaskerneltemplate", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *error = NULL;
  gchar *debug = NULL;

  g_object_set (element, "xclbin-location", xclbin (), "mem-bank", 7, NULL);
  gst_bin_add (GST_BIN (pipeline), element);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &error, &debug);
  fail_unless (strstr (error->message, "bank 7") != NULL, "%s", error->message);
  /* The debug text lists what the xclbin has. */
  fail_unless (strstr (debug, "usable banks: 0, 1") != NULL, "%s", debug);
  g_clear_error (&error);
  g_free (debug);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/*
 * The same bank in a pipeline where vvasupload names the xclbin: elements
 * start from the sink, so the template starts before the device has the
 * xclbin; it checks its bank again when caps come, before any buffer.
 */
GST_START_TEST (test_pipeline_checks_bank_when_caps_come)
{
  GstHarness *h;
  gchar *desc;

  desc = g_strdup_printf ("vvasupload mem-bank=1 xclbin-location=\"%s\" "
      "! vvaskerneltemplate mem-bank=7", xclbin ());
  h = gst_harness_new_parse (desc);
  g_free (desc);
  gst_harness_set_src_caps_str (h, "video/x-raw," CAPS_FMT);
  fail_unless_equals_int (gst_harness_push (h, gst_harness_create_buffer (h,
              FRAME_SIZE)), GST_FLOW_NOT_NEGOTIATED);
  fail_unless_equals_int (gst_harness_buffers_received (h), 0);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
my_element_suite (void)
{
  Suite *s = suite_create ("my_element");
  TCase *tc = tcase_create ("device_memory");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_element_takes_device_frames);
  tcase_add_test (tc, test_pipeline_upload_kernel_download);
  tcase_add_test (tc, test_element_refuses_host_memory);
  tcase_add_test (tc, test_element_names_usable_banks);
  tcase_add_test (tc, test_pipeline_checks_bank_when_caps_come);
  return s;
}

GST_CHECK_MAIN (my_element);
