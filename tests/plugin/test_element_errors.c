/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * What vvasupload and vvasdownload tell the user when something fails: an
 * element error of their own, with a message that says what could not be
 * done and debug details naming size, bank, device and what the bank
 * holds, for device memory that cannot be allocated (a frame larger than
 * the bank, a full bank, XRT refusing) and transfers that fail; and
 * buffers without a frame (empty, GAP) handled as GStreamer's own elements
 * handle them, without a critical warning.
 */

#include "plugin_test_common.h"

#include "xrt_emu.h"

/* The test's own context on device 0: it keeps the device open with its
 * xclbin, so a bank capacity set on the emulated device stays. */
static GstVvasContext *ctx;
static GstAllocator *bank0;

static void
setup (void)
{
  GError *error = NULL;

  ctx = gst_vvas_context_new (0, two_banks_xclbin, &error);
  fail_unless (ctx != NULL, "no device: %s", error ? error->message : "?");
  bank0 = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  fail_unless (bank0 != NULL);
  fail_unless (xrt_count_is_active (), "XRT calls are not being counted");
  xrt_count_reset ();
}

static void
teardown (void)
{
  xrt_count_reset ();
  gst_clear_object (&bank0);
  gst_clear_object (&ctx);
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

/* A harness around @factory (with @props set) whose messages go to a bus
 * of the test's own, returned in @bus. */
static GstHarness *
harness_with_bus (const gchar * factory, GstBus ** bus,
    const gchar * first_prop, ...)
{
  GstElement *e = make_element (factory);
  GstHarness *h;
  va_list args;

  va_start (args, first_prop);
  if (first_prop)
    g_object_set_valist (G_OBJECT (e), first_prop, args);
  va_end (args);
  *bus = gst_bus_new ();
  gst_element_set_bus (e, *bus);
  h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  return h;
}

/* Tears down a harness_with_bus(): the messages left on the bus hold the
 * element, which holds the bus, so they go first. */
static void
harness_teardown_with_bus (GstHarness * h, GstBus * bus)
{
  gst_bus_set_flushing (bus, TRUE);
  gst_harness_teardown (h);
  gst_object_unref (bus);
}

/* The next message of @type on @bus (none waits: the elements post before
 * they return), or NULL. */
static GstMessage *
pop_message (GstBus * bus, GstMessageType type)
{
  return gst_bus_pop_filtered (bus, type);
}

/* Asserts that @msg is an error (or warning) of @domain and @code from
 * @src whose message and debug text contain every string of @needles
 * (NULL-terminated; "m:" for the message, "d:" for the debug text). */
static void
assert_message (GstMessage * msg, const gchar * src, GQuark domain,
    gint code, const gchar * const *needles)
{
  GError *error = NULL;
  gchar *debug = NULL;

  fail_unless (msg != NULL, "no message");
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    gst_message_parse_error (msg, &error, &debug);
  else
    gst_message_parse_warning (msg, &error, &debug);
  fail_unless_equals_string (GST_MESSAGE_SRC_NAME (msg), src);
  fail_unless (error->domain == domain && error->code == code,
      "%s error %d (%s; %s), expected %s %d", g_quark_to_string
      (error->domain), error->code, error->message, debug,
      g_quark_to_string (domain), code);
  for (; needles && *needles; needles++) {
    const gchar *text = g_str_has_prefix (*needles, "m:") ? error->message :
        debug;

    fail_unless (text && strstr (text, *needles + 2) != NULL,
        "%s '%s' does not say '%s'", text == debug ? "debug" : "message",
        GST_STR_NULL (text), *needles + 2);
  }
  g_clear_error (&error);
  g_free (debug);
}

/* ---------------------------------------------------------------------- */
/* Device memory that cannot be allocated                                  */

/* Runs @launch until it ends; returns its first ERROR message (or fails if
 * it reached EOS). */
static GstMessage *
run_to_error (const gchar * launch)
{
  guint seconds = g_getenv ("VVAS_UNDER_VALGRIND") ? 60 : 10;
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &error);
  GstMessage *msg;
  GstBus *bus;

  fail_unless (pipeline != NULL && error == NULL, "%s: %s", launch,
      error ? error->message : "?");
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, seconds * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "%s: hung", launch);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return msg;
}

/*
 * A frame larger than the bank (the generator's banks hold 1 GiB): the
 * pool vvasupload proposes cannot start. The user hears it from
 * vvasupload, in words about memory, not as the source's not-negotiated.
 */
GST_START_TEST (test_frame_larger_than_bank)
{
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=2 ! "
      "video/x-raw,format=RGBA,width=16384,height=16400 ! vvasupload "
      "name=up mem-bank=1 xclbin-location=%s ! fakesink", two_banks_xclbin);
  const gchar *needles[] = { "m:1074790400-byte", "m:memory bank 1",
    "m:VVAS device 0", "m:holds 1073741824 bytes", "d:two_banks.xclbin",
    "d:none of", "d:16384x16400",
    NULL
  };
  GstMessage *msg = run_to_error (launch);

  assert_message (msg, "up", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NO_SPACE_LEFT, needles);
  gst_message_unref (msg);
  /* The core refused it before XRT was asked. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  g_free (launch);
}

GST_END_TEST;

/*
 * A frame exactly as large as the bank: it fails because the allocator adds
 * the pool's alignment slack, and the message says so rather than reading
 * as if the frame fitted (a 1073741824-byte frame, a bank of 1073741824).
 */
GST_START_TEST (test_frame_as_large_as_bank)
{
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=2 ! "
      "video/x-raw,format=RGBA,width=16384,height=16384 ! vvasupload "
      "name=up mem-bank=1 xclbin-location=%s ! fakesink", two_banks_xclbin);
  /* The upload pool asks for no alignment of its own: GStreamer's default
   * one (gst_memory_alignment) is the slack. */
  gchar *request = g_strdup_printf ("m:1073741824-byte video frame (%"
      G_GUINT64_FORMAT " bytes with the pool's prefix, padding and "
      "alignment)", (guint64) 1073741824 + gst_memory_alignment);
  const gchar *needles[] = { request, "m:holds 1073741824 bytes", NULL };
  GstMessage *msg;

  fail_unless (gst_memory_alignment > 0);
  msg = run_to_error (launch);
  assert_message (msg, "up", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NO_SPACE_LEFT, needles);
  gst_message_unref (msg);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  g_free (request);
  g_free (launch);
}

GST_END_TEST;

/*
 * A bank that holds one frame but not the two the proposed pool starts
 * with: full (the emulated device's capacity, made small), or XRT
 * refusing the second (on either device).
 */
GST_START_TEST (test_bank_full)
{
  gboolean by_capacity = __i__ == 1;
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=2 ! "
      "video/x-raw,format=NV12,width=640,height=480 ! vvasupload name=up "
      "mem-bank=1 xclbin-location=%s ! fakesink", two_banks_xclbin);
  const gchar *needles[] = { "m:460800-byte", "m:memory bank 1",
    "m:VVAS device 0", "m:holds 1", "d:two_banks.xclbin", "d:640x480",
    NULL
  };
  GstMessage *msg;

  if (by_capacity)
    xrt_emu_set_bank_capacity (0, 1, 460800 * 3 / 2);
  else
    xrt_count_fail_nth (XRT_CALL_BO_ALLOC, 2);
  msg = run_to_error (launch);
  assert_message (msg, "up", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NO_SPACE_LEFT, needles);
  gst_message_unref (msg);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 2);
  if (by_capacity) {
    /* The bank is free again once the device's context goes (it may keep
     * freed buffers for reuse till then): the fixture holds it too. The
     * pipeline's threads may let go a moment late: a bounded wait. */
    guint waited_ms;

    teardown ();
    for (waited_ms = 0; xrt_emu_bank_used (0, 1) != 0 && waited_ms < 5000;
        waited_ms += 10)
      g_usleep (10 * 1000);
    fail_unless_equals_uint64 (xrt_emu_bank_used (0, 1), 0);
  }
  g_free (launch);
}

GST_END_TEST;

/* Runs an allocation query into @h for @caps; returns the proposed pool. */
static GstBufferPool *
proposed_pool (GstHarness * h, GstCaps * caps)
{
  GstQuery *query = gst_query_new_allocation (caps, TRUE);
  GstBufferPool *pool = NULL;

  fail_unless (gst_pad_peer_query (h->srcpad, query));
  fail_unless_equals_int (gst_query_get_n_allocation_pools (query), 1);
  gst_query_parse_nth_allocation_pool (query, 0, &pool, NULL, NULL, NULL);
  fail_unless (pool != NULL);
  gst_query_unref (query);
  return pool;
}

/*
 * Upstream's pool grows past its first buffers while they are all out, and
 * the bank refuses one more: vvasupload says so, although the failing
 * acquire is upstream's.
 */
GST_START_TEST (test_proposed_pool_cannot_grow)
{
  GstBus *bus;
  GstHarness *h = harness_with_bus ("vvasupload", &bus, "mem-bank", 1,
      "xclbin-location", two_banks_xclbin, NULL);
  GstCaps *caps = video_caps ("GRAY8", 64, 32, FALSE);
  const gchar *needles[] = { "m:2048-byte", "m:memory bank 1",
    "m:VVAS device 0", "m:holds 2", "d:64x32", NULL
  };
  GstBuffer *held[2] = { NULL, NULL }, *buf = NULL;
  GstAllocationParams params;
  GstBufferPool *pool;
  GstStructure *config;
  GstMessage *msg;

  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  pool = proposed_pool (h, caps);
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, 64 * 32, 2, 0);
  /* An upstream that names no allocator gets the element's bank. */
  gst_allocation_params_init (&params);
  gst_buffer_pool_config_set_allocator (config, NULL, &params);
  fail_unless (gst_buffer_pool_set_config (pool, config));
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &held[0],
          NULL), GST_FLOW_OK);
  fail_unless (gst_is_vvas_memory (gst_buffer_peek_memory (held[0], 0)));
  fail_unless_equals_int (gst_vvas_memory_get_bank_index
      (gst_buffer_peek_memory (held[0], 0)), 1);
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &held[1],
          NULL), GST_FLOW_OK);
  fail_if (pop_message (bus, GST_MESSAGE_ERROR) != NULL);

  xrt_count_fail_next (XRT_CALL_BO_ALLOC, 1);
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_ERROR);
  msg = pop_message (bus, GST_MESSAGE_ERROR);
  assert_message (msg, "vvasupload0", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NO_SPACE_LEFT, needles);
  gst_message_unref (msg);

  gst_buffer_unref (held[0]);
  gst_buffer_unref (held[1]);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  harness_teardown_with_bus (h, bus);
}

GST_END_TEST;

/* vvasupload copying into its own pool, which cannot allocate. */
GST_START_TEST (test_output_pool_cannot_allocate)
{
  GstBus *bus;
  GstHarness *h = harness_with_bus ("vvasupload", &bus, "mem-bank", 1,
      "xclbin-location", two_banks_xclbin, NULL);
  GstCaps *caps = video_caps ("I420", 320, 240, FALSE);
  const gchar *needles[] = { "m:115200-byte", "m:memory bank 1",
    "m:VVAS device 0", "d:none of", "d:320x240", "d:two_banks.xclbin", NULL
  };
  GstMessage *msg;

  gst_harness_set_src_caps (h, caps);
  xrt_count_fail_next (XRT_CALL_BO_ALLOC, 1);
  fail_unless_equals_int (gst_harness_push (h,
          gst_buffer_new_allocate (NULL, 115200, NULL)), GST_FLOW_ERROR);
  msg = pop_message (bus, GST_MESSAGE_ERROR);
  assert_message (msg, "vvasupload0", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NO_SPACE_LEFT, needles);
  gst_message_unref (msg);
  /* One error, not one from the pool and another from the element. */
  fail_if (pop_message (bus, GST_MESSAGE_ERROR) != NULL);
  harness_teardown_with_bus (h, bus);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* Transfers that fail                                                     */

/*
 * vvasdownload copies a frame whose newer copy is on the device, and XRT
 * fails every transfer from the device (so GStreamer's fallback, a copy
 * of the memory mapped instead, fails too).
 */
GST_START_TEST (test_transfer_from_device_fails)
{
  GstBus *bus;
  GstHarness *h = harness_with_bus ("vvasdownload", &bus, "force-copy", TRUE,
      NULL);
  GstCaps *caps = video_caps ("GRAY8", 64, 32, TRUE);
  const gchar *needles[] = { "m:VVAS device 0", "m:transfer", "d:bank 0",
    "d:2048-byte", NULL
  };
  GstMemory *mem = gst_allocator_alloc (bank0, 64 * 32, NULL);
  GstBuffer *in = gst_buffer_new ();
  GstMessage *msg;
  GstMapInfo map;

  gst_buffer_append_memory (in, mem);
  /* A kernel wrote it: the device copy is the newer one. */
  fail_unless (gst_memory_map (mem, &map, GST_MAP_VVAS | GST_MAP_WRITE));
  gst_memory_unmap (mem, &map);
  fail_unless (gst_vvas_memory_get_pending_transfers (mem) ==
      VVAS_DATA_SYNC_FROM_DEVICE);

  gst_harness_set_src_caps (h, caps);
  xrt_count_reset ();
  xrt_count_fail_next (XRT_CALL_SYNC_FROM_DEVICE, 100);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_ERROR);
  fail_unless (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE) > 0);
  msg = pop_message (bus, GST_MESSAGE_ERROR);
  assert_message (msg, "vvasdownload0", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_READ, needles);
  gst_message_unref (msg);
  xrt_count_reset ();
  harness_teardown_with_bus (h, bus);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* Buffers without a frame                                                 */

typedef struct
{
  const gchar *factory;
  gboolean force_copy;          /* vvasdownload only */
} EmptyCase;

static const EmptyCase empty_cases[] = {
  {"vvasupload", FALSE}, {"vvasdownload", FALSE}, {"vvasdownload", TRUE},
};

static GstHarness *
empty_case_harness (const EmptyCase * c, GstBus ** bus)
{
  GstHarness *h;

  if (g_str_equal (c->factory, "vvasupload"))
    h = harness_with_bus (c->factory, bus, "xclbin-location",
        two_banks_xclbin, NULL);
  else
    h = harness_with_bus (c->factory, bus, "force-copy", c->force_copy, NULL);
  gst_harness_set_src_caps (h, video_caps ("NV12", 64, 48,
          g_str_equal (c->factory, "vvasdownload")));
  return h;
}

/*
 * An empty GAP buffer (what GstAggregator makes of a GAP event) carries
 * timing only: it goes on as it is, nothing copied or allocated, as
 * GstVideoAggregator takes it.
 */
GST_START_TEST (test_empty_gap_buffer)
{
  const EmptyCase *c = &empty_cases[__i__];
  GstBus *bus;
  GstHarness *h = empty_case_harness (c, &bus);
  GstBuffer *in = gst_buffer_new (), *out;

  GST_BUFFER_PTS (in) = 3 * GST_SECOND;
  GST_BUFFER_DURATION (in) = 40 * GST_MSECOND;
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_GAP);
  xrt_count_reset ();
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (in)),
      GST_FLOW_OK);
  out = gst_harness_try_pull (h);
  fail_unless (out == in, "the GAP buffer did not come out as it was");
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_GAP));
  fail_unless_equals_int (gst_buffer_n_memory (out), 0);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 3 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 40 * GST_MSECOND);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  assert_counters (h->element, 1, 0, 0);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  fail_if (pop_message (bus, GST_MESSAGE_ERROR | GST_MESSAGE_WARNING));
  harness_teardown_with_bus (h, bus);
}

GST_END_TEST;

/*
 * An empty buffer that is not a GAP is not a frame: dropped with a
 * warning, as GstVideoFilter does with an invalid video buffer; the
 * stream goes on.
 */
GST_START_TEST (test_empty_buffer)
{
  const EmptyCase *c = &empty_cases[__i__];
  GstBus *bus;
  GstHarness *h = empty_case_harness (c, &bus);
  const gchar *needles[] = { "m:no frame", NULL };
  GstVideoInfo info;
  GstBuffer *out;
  GstMessage *msg;

  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new ()), GST_FLOW_OK);
  fail_if (gst_harness_try_pull (h) != NULL, "an empty buffer came out");
  msg = pop_message (bus, GST_MESSAGE_WARNING);
  assert_message (msg, GST_OBJECT_NAME (h->element), GST_STREAM_ERROR,
      GST_STREAM_ERROR_FORMAT, needles);
  gst_message_unref (msg);
  fail_if (pop_message (bus, GST_MESSAGE_ERROR) != NULL);
  assert_counters (h->element, 0, 0, 0);

  /* The next frame goes through. */
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_NV12, 64, 48);
  if (g_str_equal (c->factory, "vvasupload")) {
    out = gst_buffer_new_allocate (NULL, info.size, NULL);
  } else {
    out = gst_buffer_new ();
    gst_buffer_append_memory (out, gst_allocator_alloc (bank0, info.size,
            NULL));
  }
  fail_unless_equals_int (gst_harness_push (h, out), GST_FLOW_OK);
  out = gst_harness_try_pull (h);
  fail_unless (out != NULL);
  gst_buffer_unref (out);
  harness_teardown_with_bus (h, bus);
}

GST_END_TEST;

/*
 * A GAP buffer with a frame: copied as any frame, and the copy, byte for
 * byte the same, is as neutral as the input: it keeps the flag (GStreamer
 * clears it for elements that do not say they understand it).
 */
GST_START_TEST (test_gap_frame)
{
  const EmptyCase *c = &empty_cases[__i__];
  GstBus *bus;
  GstHarness *h = empty_case_harness (c, &bus);
  GstVideoInfo info;
  GstBuffer *in, *out;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_NV12, 64, 48);
  in = gst_buffer_new ();
  if (g_str_equal (c->factory, "vvasupload"))
    gst_buffer_append_memory (in, gst_allocator_alloc (NULL, info.size, NULL));
  else
    gst_buffer_append_memory (in, gst_allocator_alloc (bank0, info.size, NULL));
  fill_frame (in, &info, 7);
  GST_BUFFER_FLAG_SET (in, GST_BUFFER_FLAG_GAP);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_try_pull (h);
  fail_unless (out != NULL);
  fail_unless (GST_BUFFER_FLAG_IS_SET (out, GST_BUFFER_FLAG_GAP));
  check_frame (out, &info, 7);
  gst_buffer_unref (out);
  fail_if (pop_message (bus, GST_MESSAGE_ERROR | GST_MESSAGE_WARNING));
  harness_teardown_with_bus (h, bus);
}

GST_END_TEST;

static Suite *
vvas_element_errors_suite (void)
{
  Suite *s = suite_create ("vvaselementerrors");
  TCase *alloc = tcase_create ("allocation");
  TCase *transfer = tcase_create ("transfer");
  TCase *empty = tcase_create ("empty");

  suite_add_tcase (s, alloc);
  suite_add_tcase (s, transfer);
  suite_add_tcase (s, empty);
  tcase_add_checked_fixture (alloc, setup, teardown);
  tcase_add_checked_fixture (transfer, setup, teardown);
  tcase_add_checked_fixture (empty, setup, teardown);
  tcase_set_timeout (alloc, 60);

  tcase_add_test (alloc, test_frame_larger_than_bank);
  tcase_add_test (alloc, test_frame_as_large_as_bank);
  /* The capacity of a bank is enforced on the emulated device only. */
  tcase_add_loop_test (alloc, test_bank_full, 0, xrt_emu_enabled ()? 2 : 1);
  tcase_add_test (alloc, test_proposed_pool_cannot_grow);
  tcase_add_test (alloc, test_output_pool_cannot_allocate);
  tcase_add_test (transfer, test_transfer_from_device_fails);
  tcase_add_loop_test (empty, test_empty_gap_buffer, 0,
      G_N_ELEMENTS (empty_cases));
  tcase_add_loop_test (empty, test_empty_buffer, 0, G_N_ELEMENTS (empty_cases));
  tcase_add_loop_test (empty, test_gap_frame, 0, G_N_ELEMENTS (empty_cases));
  return s;
}

int
main (int argc, char **argv)
{
  return plugin_test_run (vvas_element_errors_suite, "vvaselementerrors",
      argc, argv);
}
