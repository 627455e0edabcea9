/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Fault sweep of a pipeline: vvasupload (its pool allocated up front, and
 * device opened and xclbin loaded), a test kernel working on the device
 * copy, vvasdownload and appsink, run once clean to count every XRT call,
 * then once per call of each kind with that one call failing. Every run
 * must end either in EOS with every frame correct (the failure tolerated)
 * or in an ERROR message with a domain, a code and a text; never a crash,
 * a hang or a critical warning; and once the pipeline is gone, every
 * buffer object and device it had is gone too.
 *
 * Two pipelines: the zero-copy one (videotestsrc writes into vvasupload's
 * pool, appsink reads the device buffers) and the copying one (vvasupload
 * copies system memory in, vvasdownload force-copy copies out).
 *
 * Under valgrind (VVAS_UNDER_VALGRIND) only the first, middle and last
 * call of each kind fail, to keep the run short.
 */

#include "device_data_common.h"

#define N_FRAMES 5
#define SOURCE "videotestsrc num-buffers=5 pattern=ball ! " \
  "video/x-raw,format=NV12,width=64,height=48,framerate=30/1"

typedef struct
{
  const gchar *name;
  gboolean copies;              /* vvasupload and vvasdownload copy */
} Variant;

static const Variant variants[] = {
  {"zero-copy", FALSE},
  {"copies", TRUE},
};

static gchar *
variant_launch (const Variant * v)
{
  /* identity drop-allocation: videotestsrc gets no VVAS pool and writes
   * system memory, which vvasupload copies; on bank 1 for a change. */
  return g_strdup_printf ("%s ! %svvasupload name=up mem-bank=%u "
      "xclbin-location=%s ! vvastestkernel name=kernel ! vvasdownload "
      "name=down force-copy=%s ! appsink name=sink", SOURCE,
      v->copies ? "identity drop-allocation=true ! " : "", v->copies ? 1 : 0,
      two_banks_xclbin, v->copies ? "true" : "false");
}

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

typedef enum
{
  RUN_TOLERATED,                /* EOS, every frame correct */
  RUN_ERROR,                    /* an ERROR message that says what */
} RunOutcome;

/*
 * Runs @launch to its end and asserts what every run must do; @what names
 * the run in failure messages. Returns how it ended; @error_src gets the
 * name of the element that posted the error.
 */
static RunOutcome
run_once (const gchar * launch, GPtrArray * reference, const gchar * what,
    gchar ** error_src, guint * uncompared)
{
  GstElement *pipeline;
  GstMessage *msg;
  RunOutcome outcome;
  Frames f;

  frames_init (&f, reference, TEST_KERNEL_INVERT);
  pipeline = pipeline_new (launch, &f);
  msg = pipeline_play (pipeline);
  fail_unless (msg != NULL, "%s: neither EOS nor ERROR in %u s: hung", what,
      pipeline_timeout ());

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *error = NULL;
    gchar *debug = NULL;

    gst_message_parse_error (msg, &error, &debug);
    /* An element's GST_ELEMENT_ERROR: GStreamer's domains and codes start
     * at 1, and there is a text for the user. */
    fail_unless (error != NULL, "%s: ERROR without a GError", what);
    fail_unless (error->domain != 0 && error->code != 0, "%s: error from %s "
        "without a domain or code: %s", what, GST_MESSAGE_SRC_NAME (msg),
        error->message);
    fail_unless (error->message && *error->message, "%s: error from %s "
        "without a text", what, GST_MESSAGE_SRC_NAME (msg));
    GST_INFO ("%s: error from %s: %s (%s)", what, GST_MESSAGE_SRC_NAME (msg),
        error->message, GST_STR_NULL (debug));
    *error_src = g_strdup (GST_MESSAGE_SRC_NAME (msg));
    g_clear_error (&error);
    g_free (debug);
    outcome = RUN_ERROR;
  } else {
    /* Tolerated: the failure changed nothing the application sees. */
    fail_unless (f.mismatch == NULL, "%s: EOS, but %s", what, f.mismatch);
    fail_unless_equals_int (f.frames, N_FRAMES);
    fail_unless_equals_int (f.unmappable, 0);
    outcome = RUN_TOLERATED;
  }
  gst_message_unref (msg);
  *uncompared += f.uncompared;

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  pipeline_unref_and_check (pipeline, what, live_bos, live_devices);
  frames_clear (&f);
  return outcome;
}

/* The call numbers to fail, of @count calls: all of them, or under
 * valgrind the first, the middle and the last. */
static gboolean
sweep_this (guint n, guint count)
{
  if (!g_getenv ("VVAS_UNDER_VALGRIND"))
    return TRUE;
  return n == 1 || n == (count + 1) / 2 || n == count;
}

GST_START_TEST (test_fault_sweep)
{
  const Variant *v = &variants[__i__ / XRT_CALL_LAST];
  XrtCall call = __i__ % XRT_CALL_LAST;
  gchar *launch = variant_launch (v);
  GPtrArray *reference = reference_frames (SOURCE);
  GString *sources = g_string_new (NULL);
  guint count, n, runs = 0, errors = 0, tolerated = 0, uncompared = 0;
  gchar *src = NULL;

  /* XRT never fails these (tests/common/xrt_count.c): nothing to sweep. */
  if (call == XRT_CALL_DEVICE_CLOSE || call == XRT_CALL_BO_FREE)
    goto done;

  /* The clean run: how many calls of this kind there are to fail. */
  xrt_count_reset ();
  fail_unless_equals_int (run_once (launch, reference, "clean run", &src,
          &uncompared), RUN_TOLERATED);
  count = (guint) xrt_count_get (call);
  fail_unless_equals_int (uncompared, 0);

  for (n = 1; n <= count; n++) {
    gchar *what;

    if (!sweep_this (n, count))
      continue;
    what = g_strdup_printf ("%s pipeline, %s call %u of %u failing",
        v->name, xrt_count_call_name (call), n, count);
    xrt_count_reset ();
    xrt_count_fail_nth (call, n);
    if (run_once (launch, reference, what, &src, &uncompared) == RUN_ERROR) {
      errors++;
      g_string_append_printf (sources, " %u:%s", n, src);
      g_clear_pointer (&src, g_free);
    } else {
      tolerated++;
    }
    /* The run made the failing call: what was swept was swept. */
    fail_unless (xrt_count_get (call) >= n, "%s: only %" G_GUINT64_FORMAT
        " calls made", what, xrt_count_get (call));
    runs++;
    g_free (what);
  }
  g_print ("fault sweep, %s pipeline, %s: %u calls, %u runs, %u errors "
      "(call:element%s), %u tolerated (%u frames not compared)\n", v->name,
      xrt_count_call_name (call), count, runs, errors, sources->str,
      tolerated, uncompared);

done:
  xrt_count_reset ();
  g_string_free (sources, TRUE);
  g_ptr_array_unref (reference);
  g_free (launch);
}

GST_END_TEST;

/*
 * vvasupload copying into its own pool, which cannot allocate: the error
 * names vvasupload and what it could not do, not only the source's
 * "Internal data stream error".
 */
static const XrtCall own_pool_failures[] = {
  XRT_CALL_BO_ALLOC, XRT_CALL_BO_MAP
};

GST_START_TEST (test_upload_pool_failure_reported)
{
  gchar *launch = variant_launch (&variants[1]);
  GstElement *pipeline;
  GstMessage *msg;
  GError *error = NULL;
  gchar *debug = NULL;
  Frames f;

  frames_init (&f, NULL, TEST_KERNEL_INVERT);
  xrt_count_reset ();
  xrt_count_fail_nth (own_pool_failures[__i__], 1);
  pipeline = pipeline_new (launch, &f);
  msg = pipeline_play (pipeline);
  fail_unless (msg != NULL);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR);
  gst_message_parse_error (msg, &error, &debug);
  fail_unless_equals_string (GST_MESSAGE_SRC_NAME (msg), "up");
  fail_unless (error->domain == GST_RESOURCE_ERROR, "%s",
      g_quark_to_string (error->domain));
  fail_unless_equals_int (f.frames, 0);
  g_clear_error (&error);
  g_free (debug);
  gst_message_unref (msg);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  pipeline_unref_and_check (pipeline, launch, live_bos, live_devices);
  frames_clear (&f);
  g_free (launch);
}

GST_END_TEST;

static Suite *
vvas_fault_sweep_suite (void)
{
  Suite *s = suite_create ("vvasfaultsweep");
  TCase *tc = tcase_create ("sweep");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, NULL);
  tcase_set_timeout (tc, g_getenv ("VVAS_UNDER_VALGRIND") ? 1200 : 60);
  tcase_add_loop_test (tc, test_fault_sweep, 0,
      G_N_ELEMENTS (variants) * XRT_CALL_LAST);
  tcase_add_loop_test (tc, test_upload_pool_failure_reported, 0,
      G_N_ELEMENTS (own_pool_failures));
  return s;
}

int
main (int argc, char **argv)
{
  return plugin_test_run (vvas_fault_sweep_suite, "vvasfaultsweep", argc, argv);
}
