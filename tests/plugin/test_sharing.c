/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * How vvasupload shares devices: one open device per index in the process,
 * whatever order elements start in, whichever names the xclbin, however
 * its path is written, across bins and pipelines (counted at
 * xrtDeviceOpen); banks always checked; two xclbins on one device an
 * error; an application's context that cannot be used said on the bus;
 * properties changed in NULL used at the next start; the element's
 * context safe against set_context, queries and state changes at once.
 */

#include <glib/gstdio.h>

#include "plugin_test_common.h"
#include "xrt_count.h"

#define CAPS "video/x-raw,format=NV12,width=64,height=48,framerate=30/1"

/* The WARNING messages of the last play(). */
static GList *warnings;

static void
setup (void)
{
  xrt_count_reset ();
}

static void
teardown (void)
{
  g_list_free_full (warnings, (GDestroyNotify) gst_message_unref);
  warnings = NULL;
}

static GstElement *
parse (const gchar * launch)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &error);

  fail_unless (pipeline != NULL && error == NULL, "%s: %s", launch,
      error ? error->message : "?");
  return pipeline;
}

/* Plays @pipeline to EOS or ERROR; returns that message. */
static GstMessage *
play (GstElement * pipeline)
{
  guint seconds = g_getenv ("VVAS_UNDER_VALGRIND") ? 60 : 10;
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((msg = gst_bus_timed_pop_filtered (bus, seconds * GST_SECOND,
              GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING))
      && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING)
    warnings = g_list_append (warnings, msg);
  gst_object_unref (bus);
  fail_unless (msg != NULL, "no EOS nor ERROR in %u s", seconds);
  return msg;
}

/* Plays @pipeline, which must reach EOS, and stops it. */
static void
play_to_eos (GstElement * pipeline)
{
  GstMessage *msg = play (pipeline);
  GError *error = NULL;
  gchar *debug = NULL;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    gst_message_parse_error (msg, &error, &debug);
    fail ("error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg),
        error->message, debug);
  }
  gst_message_unref (msg);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
}

/* Plays @pipeline, which must fail; returns the error's text and debug
 * info in one string, and stops it. */
static gchar *
play_to_error (GstElement * pipeline, GQuark domain, gint code)
{
  GstMessage *msg = play (pipeline);
  GError *error = NULL;
  gchar *debug = NULL, *text;

  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR);
  gst_message_parse_error (msg, &error, &debug);
  fail_unless (error->domain == domain && error->code == code, "%s (%s)",
      error->message, debug);
  text = g_strdup_printf ("%s | %s", error->message, debug);
  g_clear_error (&error);
  g_free (debug);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return text;
}

/*
 * Asserts that no device is left open. A pipeline's streaming threads may
 * drop their last references a moment after it stops: a bounded wait, so
 * that a real leak still fails.
 */
static void
assert_no_device_open (void)
{
  guint waited_ms = 0;

  while (xrt_count_live_devices () != 0 && waited_ms < 5000) {
    g_usleep (10 * 1000);
    waited_ms += 10;
  }
  fail_unless_equals_int64 (xrt_count_live_devices (), 0);
}

static GstElement *
child (GstElement * pipeline, const gchar * name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);

  fail_unless (e != NULL, "no element %s", name);
  gst_object_unref (e);         /* the pipeline keeps it */
  return e;
}

/*
 * A bank the xclbin lacks is refused whichever element names the xclbin
 * and whichever starts first (downstream does): the one without an
 * xclbin uses the device's, with its topology.
 */
GST_START_TEST (test_bank_checked_either_order)
{
  gboolean xclbin_upstream = __i__ == 0;
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=3 ! " CAPS
      " ! vvasupload %s%s ! vvasupload %s%s ! fakesink",
      xclbin_upstream ? "xclbin-location=" : "mem-bank=9",
      xclbin_upstream ? two_banks_xclbin : "",
      xclbin_upstream ? "mem-bank=9" : "xclbin-location=",
      xclbin_upstream ? "" : two_banks_xclbin);
  GstElement *pipeline = parse (launch);
  gchar *text;

  text = play_to_error (pipeline, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_SETTINGS);
  fail_unless (strstr (text, "bank 9") || strstr (text, "bank 9 "), "%s", text);
  fail_unless (strstr (text, "0, 1"), "the usable banks are named: %s", text);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  g_free (text);
  g_free (launch);
  gst_object_unref (pipeline);
  assert_no_device_open ();
}

GST_END_TEST;

/* One xclbin, three spellings of its path: one open, one load. */
GST_START_TEST (test_xclbin_path_spellings)
{
  gchar *dir = g_path_get_dirname (two_banks_xclbin);
  gchar *cwd = g_get_current_dir ();
  gchar *dotted = g_build_filename (dir, ".", "two_banks.xclbin", NULL);
  gchar *launch;
  GstElement *pipeline;

  fail_unless_equals_int (g_chdir (dir), 0);
  launch = g_strdup_printf ("videotestsrc num-buffers=3 ! " CAPS " ! "
      "vvasupload name=a xclbin-location=two_banks.xclbin ! "
      "vvasupload name=b xclbin-location=./two_banks.xclbin ! "
      "vvasupload name=c xclbin-location=%s ! fakesink", dotted);
  pipeline = parse (launch);
  play_to_eos (pipeline);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 1);
  /* One device for all: nothing copied between them. */
  assert_counters (child (pipeline, "b"), 3, 0, 0);
  assert_counters (child (pipeline, "c"), 3, 0, 0);
  gst_object_unref (pipeline);
  fail_unless_equals_int (g_chdir (cwd), 0);
  g_free (launch);
  g_free (dotted);
  g_free (cwd);
  g_free (dir);
}

GST_END_TEST;

/* Two devices, each used by elements in two bins: one open each. */
GST_START_TEST (test_devices_across_bins)
{
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=3 ! " CAPS
      " ! tee name=t "
      "t. ! queue ! ( vvasupload dev-idx=0 xclbin-location=%s ! "
      "vvasupload dev-idx=1 ! fakesink ) "
      "t. ! queue ! ( vvasupload dev-idx=1 xclbin-location=%s ! "
      "vvasupload dev-idx=0 ! fakesink )", two_banks_xclbin,
      two_banks_xclbin);
  GstElement *pipeline = parse (launch);

  play_to_eos (pipeline);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 2);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 2);
  gst_object_unref (pipeline);
  assert_no_device_open ();
  g_free (launch);
}

GST_END_TEST;

/* Two pipelines at once, one naming the xclbin: still one open. */
GST_START_TEST (test_devices_across_pipelines)
{
  gchar *named = g_strdup_printf ("videotestsrc num-buffers=3 ! " CAPS
      " ! vvasupload xclbin-location=%s ! fakesink", two_banks_xclbin);
  GstElement *a = parse (named), *b = parse ("videotestsrc num-buffers=3 ! "
      CAPS " ! vvasupload mem-bank=1 ! fakesink");

  fail_unless (gst_element_set_state (a, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE);
  play_to_eos (b);
  play_to_eos (a);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  gst_object_unref (a);
  gst_object_unref (b);
  g_free (named);
}

GST_END_TEST;

/* Two xclbins asked of one device: an element error naming both. */
GST_START_TEST (test_two_xclbins_one_device)
{
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=3 ! " CAPS
      " ! vvasupload xclbin-location=%s ! vvasupload xclbin-location=%s ! "
      "fakesink", two_banks_xclbin, test_util_path ("four_banks.xclbin"));
  GstElement *pipeline = parse (launch);
  gchar *text = play_to_error (pipeline, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_SETTINGS);

  fail_unless (strstr (text, "two_banks.xclbin") &&
      strstr (text, "four_banks.xclbin"), "%s", text);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 1);
  g_free (text);
  g_free (launch);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* The application gives a context of device 1 to a device-0 element. */
GST_START_TEST (test_unusable_application_context)
{
  GstVvasContext *app = gst_vvas_context_new (1, two_banks_xclbin, NULL);
  GstContext *context = gst_context_new_vvas_context (app);
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=3 ! " CAPS
      " ! vvasupload name=up xclbin-location=%s ! fakesink",
      two_banks_xclbin);
  GstElement *pipeline = parse (launch);
  GstMessage *msg;
  GError *error = NULL;
  gchar *debug = NULL;

  fail_unless (app != NULL);
  gst_element_set_context (pipeline, context);
  play_to_eos (pipeline);
  /* Not silently replaced: a warning on the bus says why. */
  fail_unless_equals_int (g_list_length (warnings), 1);
  msg = warnings->data;
  fail_unless_equals_string (GST_MESSAGE_SRC_NAME (msg), "up");
  gst_message_parse_warning (msg, &error, &debug);
  fail_unless (strstr (error->message, "context"), "%s", error->message);
  fail_unless (strstr (debug, "device 1") && strstr (debug, "device 0"),
      "%s", debug);
  g_clear_error (&error);
  g_free (debug);
  /* Device 0 for the element, device 1 the application's. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 2);

  gst_object_unref (pipeline);
  gst_context_unref (context);
  gst_object_unref (app);
  /* The warning holds its element, which holds device 0. */
  teardown ();
  assert_no_device_open ();
  g_free (launch);
}

GST_END_TEST;

/* dev-idx and xclbin-location changed in NULL: used at the next start. */
GST_START_TEST (test_properties_used_at_next_start)
{
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=3 ! " CAPS
      " ! vvasupload name=a xclbin-location=%s ! vvasupload name=b "
      "xclbin-location=%s ! fakesink", two_banks_xclbin, two_banks_xclbin);
  GstElement *pipeline = parse (launch);
  GstElement *a = child (pipeline, "a"), *b = child (pipeline, "b");
  const gchar *four = test_util_path ("four_banks.xclbin");
  GParamSpec *pspec;

  play_to_eos (pipeline);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);

  /* Both to device 1: its device is opened, nothing is copied. */
  xrt_count_reset ();
  g_object_set (a, "dev-idx", 1, NULL);
  g_object_set (b, "dev-idx", 1, NULL);
  play_to_eos (pipeline);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  assert_counters (b, 3, 0, 0);

  /* Both to another xclbin (and bank 3, which only it has). */
  xrt_count_reset ();
  g_object_set (a, "xclbin-location", four, "mem-bank", 3, NULL);
  g_object_set (b, "xclbin-location", four, "mem-bank", 3, NULL);
  play_to_eos (pipeline);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 1);
  assert_counters (b, 3, 0, 0);

  /* The flags say so. */
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (a), "dev-idx");
  fail_unless (pspec->flags & GST_PARAM_MUTABLE_READY);
  gst_object_unref (pipeline);
  assert_no_device_open ();
  g_free (launch);
}

GST_END_TEST;

typedef struct
{
  GstElement *element;
  volatile gint stop;
} Hammer;

/* Gives the element device 0's context, often one that only it will hold. */
static gpointer
hammer_set_context (gpointer data)
{
  Hammer *h = data;

  while (!g_atomic_int_get (&h->stop)) {
    GstVvasContext *fresh = gst_vvas_context_new (0, NULL, NULL);
    GstContext *context = gst_context_new_vvas_context (fresh);

    gst_object_unref (fresh);
    gst_element_set_context (h->element, context);
    gst_context_unref (context);
    /* Under valgrind, so slow a device open leaves the others no room. */
    if (g_getenv ("VVAS_UNDER_VALGRIND"))
      g_usleep (1000);
  }
  return NULL;
}

static gpointer
hammer_query (gpointer data)
{
  Hammer *h = data;
  GstPad *pad = gst_element_get_static_pad (h->element, "src");

  while (!g_atomic_int_get (&h->stop)) {
    GstQuery *query = gst_query_new_context (GST_VVAS_CONTEXT_TYPE);
    GstContext *context = NULL;
    GstVvasContext *got = NULL;

    if (gst_pad_query (pad, query)) {
      gst_query_parse_context (query, &context);
      fail_unless (context != NULL);
      fail_unless (gst_context_get_vvas_context (context, &got));
      /* Alive as long as the answer is: a reference was taken. */
      fail_unless_equals_int (gst_vvas_context_get_device_index (got), 0);
      gst_object_unref (got);
    }
    gst_query_unref (query);
  }
  gst_object_unref (pad);
  return NULL;
}

/*
 * set_context and CONTEXT queries from two threads while the element
 * starts and stops (dropping its context): whoever drops the last
 * reference, a query never hands on a finalized context.
 */
GST_START_TEST (test_context_race)
{
  const guint rounds = g_getenv ("VVAS_UNDER_VALGRIND") ? 5 : 300;
  GstElement *up = make_element ("vvasupload");
  Hammer h = { up, 0 };
  GThread *setter, *querier;
  guint i;

  g_object_set (up, "xclbin-location", two_banks_xclbin, NULL);
  setter = g_thread_new ("setter", hammer_set_context, &h);
  querier = g_thread_new ("querier", hammer_query, &h);
  for (i = 0; i < rounds; i++) {
    fail_unless (gst_element_set_state (up, GST_STATE_READY) ==
        GST_STATE_CHANGE_SUCCESS);
    fail_unless (gst_element_set_state (up, GST_STATE_NULL) ==
        GST_STATE_CHANGE_SUCCESS);
  }
  g_atomic_int_set (&h.stop, 1);
  g_thread_join (setter);
  g_thread_join (querier);
  gst_object_unref (up);
  assert_no_device_open ();
}

GST_END_TEST;

static Suite *
vvas_sharing_suite (void)
{
  Suite *s = suite_create ("vvassharing");
  TCase *tc = tcase_create ("sharing");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, g_getenv ("VVAS_UNDER_VALGRIND") ? 600 : 120);
  tcase_add_loop_test (tc, test_bank_checked_either_order, 0, 2);
  tcase_add_test (tc, test_xclbin_path_spellings);
  tcase_add_test (tc, test_devices_across_bins);
  tcase_add_test (tc, test_devices_across_pipelines);
  tcase_add_test (tc, test_two_xclbins_one_device);
  tcase_add_test (tc, test_unusable_application_context);
  tcase_add_test (tc, test_properties_used_at_next_start);
  tcase_add_test (tc, test_context_race);
  return s;
}

int
main (int argc, char **argv)
{
  return plugin_test_run (vvas_sharing_suite, "vvassharing", argc, argv);
}
