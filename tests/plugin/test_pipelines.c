/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Whole pipelines: frames after vvasupload ! vvasdownload are byte-identical
 * to frames without them, and carry the GstVvasMeta their pool gave them;
 * a steady-state pipeline allocates nothing per frame; two pipelines share
 * one application-provided device context; pipelines that cannot work end
 * with an ERROR message, not a hang or a crash; and gst-launch-1.0 /
 * gst-inspect-1.0 behave, XRT or no XRT.
 */

#include "plugin_test_common.h"

#include <sys/wait.h>

#include <glib/gstdio.h>

static void
setup (void)
{
  plugin_test_assert_counting ();
  xrt_count_reset ();
}

/* ---------------------------------------------------------------------- */
/* Running pipelines                                                       */

typedef struct
{
  GPtrArray *checksums;         /* one per frame */
  guint vvas_frames;            /* frames that reached the sink in VVAS */
  guint pooled_meta_frames;     /* with one GstVvasMeta, from their pool */
  GstVvasContext *context;      /* their memories' context, if all the same */
  gboolean mixed_contexts;
} Frames;

static void
frames_init (Frames * f)
{
  memset (f, 0, sizeof (*f));
  f->checksums = g_ptr_array_new_with_free_func (g_free);
}

static void
frames_clear (Frames * f)
{
  g_ptr_array_unref (f->checksums);
}

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, gpointer data)
{
  Frames *f = data;
  GstCaps *caps = gst_pad_get_current_caps (pad);
  GstMemory *mem = gst_buffer_peek_memory (buf, 0);
  GstVideoInfo info;

  fail_unless (caps != NULL);
  fail_unless (gst_video_info_from_caps (&info, caps));
  gst_caps_unref (caps);
  g_ptr_array_add (f->checksums, frame_checksum (buf, &info));
  if (count_pooled_vvas_metas (buf) == 1)
    f->pooled_meta_frames++;
  if (gst_is_vvas_memory (mem)) {
    GstVvasContext *c = gst_vvas_allocator_get_context (mem->allocator);

    f->vvas_frames++;
    if (f->context && f->context != c)
      f->mixed_contexts = TRUE;
    f->context = c;
  }
}

/* Parses @launch; its fakesink "sink" hands every frame to @f. */
static GstElement *
make_pipeline (const gchar * launch, Frames * f)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &error);
  GstElement *sink;

  fail_unless (pipeline != NULL, "%s: %s", launch,
      error ? error->message : "?");
  fail_unless (error == NULL, "%s: %s", launch, error->message);
  if (f) {
    sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
    fail_unless (sink != NULL);
    g_object_set (sink, "signal-handoffs", TRUE, "sync", FALSE, NULL);
    g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), f);
    gst_object_unref (sink);
  }
  return pipeline;
}

/* Waits for EOS or ERROR (a few frames take milliseconds; valgrind makes
 * it seconds); returns the message. */
static GstMessage *
wait_end (GstElement * pipeline)
{
  guint seconds = g_getenv ("VVAS_UNDER_VALGRIND") ? 60 : 10;
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, seconds * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

  gst_object_unref (bus);
  fail_unless (msg != NULL, "pipeline neither finished nor failed in %u s: "
      "hung", seconds);
  return msg;
}

/* Asserts that @msg is EOS, or says what the error was. */
static void
assert_eos (GstMessage * msg)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *error = NULL;
    gchar *debug = NULL;

    gst_message_parse_error (msg, &error, &debug);
    fail ("error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg),
        error->message, debug);
  }
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
}

/* Runs @pipeline to EOS and sets it back to NULL. */
static void
run_to_eos (GstElement * pipeline)
{
  GstMessage *msg;

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  msg = wait_end (pipeline);
  assert_eos (msg);
  gst_message_unref (msg);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
}

static GstElement *
get_element (GstElement * pipeline, const gchar * name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);

  fail_unless (e != NULL, "no element %s", name);
  gst_object_unref (e);         /* the pipeline keeps it */
  return e;
}

/* ---------------------------------------------------------------------- */
/* Frames through device memory                                            */

typedef struct
{
  const gchar *format;
  gint width, height;
} Format;

static const Format e2e_formats[] = {
  {"NV12", 320, 240}, {"I420", 321, 241},
};

#define N_FRAMES 8

GST_START_TEST (test_frames_identical)
{
  const Format *fmt = &e2e_formats[__i__ / 2];
  gboolean force_copy = __i__ % 2;
  gchar *src = g_strdup_printf ("videotestsrc num-buffers=%d pattern=ball ! "
      "video/x-raw,format=%s,width=%d,height=%d,framerate=30/1",
      N_FRAMES, fmt->format, fmt->width, fmt->height);
  gchar *ref_launch = g_strdup_printf ("%s ! fakesink name=sink", src);
  gchar *vvas_launch = g_strdup_printf ("%s ! vvasupload name=up "
      "xclbin-location=%s ! vvasdownload name=down force-copy=%s ! "
      "fakesink name=sink", src, two_banks_xclbin,
      force_copy ? "true" : "false");
  GstElement *ref, *vvas;
  Frames ref_frames, vvas_frames;
  GstVideoInfo info;
  guint i;

  gst_video_info_set_format (&info, gst_video_format_from_string
      (fmt->format), fmt->width, fmt->height);
  frames_init (&ref_frames);
  frames_init (&vvas_frames);

  ref = make_pipeline (ref_launch, &ref_frames);
  run_to_eos (ref);
  vvas = make_pipeline (vvas_launch, &vvas_frames);
  run_to_eos (vvas);

  /* Same number of frames, each byte-identical; and the frames differ
   * from one another, so that the comparison means something. */
  fail_unless_equals_int (ref_frames.checksums->len, N_FRAMES);
  fail_unless_equals_int (vvas_frames.checksums->len, N_FRAMES);
  for (i = 0; i < N_FRAMES; i++)
    fail_unless_equals_string (g_ptr_array_index (vvas_frames.checksums, i),
        g_ptr_array_index (ref_frames.checksums, i));
  fail_if (g_str_equal (g_ptr_array_index (ref_frames.checksums, 0),
          g_ptr_array_index (ref_frames.checksums, N_FRAMES - 1)));

  /* videotestsrc wrote into device memory: no copy on the way in; on the
   * way out, a copy only when forced. */
  assert_counters (get_element (vvas, "up"), N_FRAMES, 0, 0);
  if (force_copy) {
    assert_counters (get_element (vvas, "down"), 0, N_FRAMES,
        N_FRAMES * visible_bytes (&info));
    fail_unless_equals_int (vvas_frames.vvas_frames, 0);
  } else {
    assert_counters (get_element (vvas, "down"), N_FRAMES, 0, 0);
    fail_unless_equals_int (vvas_frames.vvas_frames, N_FRAMES);
  }
  fail_unless_equals_int (ref_frames.vvas_frames, 0);
  /* Device or system memory, each frame carries the one GstVvasMeta its
   * pool gave its buffer: none is allocated per frame. */
  fail_unless_equals_int (vvas_frames.pooled_meta_frames, N_FRAMES);
  fail_unless_equals_int (ref_frames.pooled_meta_frames, 0);

  gst_object_unref (vvas);
  gst_object_unref (ref);
  /* Everything on the device was given back. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE),
      xrt_count_get (XRT_CALL_BO_ALLOC));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);

  frames_clear (&ref_frames);
  frames_clear (&vvas_frames);
  g_free (src);
  g_free (ref_launch);
  g_free (vvas_launch);
}

GST_END_TEST;

/* Device buffers allocated by a zero-copy pipeline of @frames frames. */
static guint64
allocations_for (guint frames)
{
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=%u ! "
      "video/x-raw,format=NV12,width=640,height=480 ! vvasupload name=up "
      "mem-bank=1 xclbin-location=%s ! vvasdownload ! fakesink name=sink",
      frames, two_banks_xclbin);
  Frames f;
  GstElement *pipeline;
  guint64 allocs;

  frames_init (&f);
  xrt_count_reset ();
  pipeline = make_pipeline (launch, &f);
  run_to_eos (pipeline);
  fail_unless_equals_int (f.checksums->len, frames);
  fail_unless_equals_int (f.vvas_frames, frames);
  assert_counters (get_element (pipeline, "up"), frames, 0, 0);
  allocs = xrt_count_get (XRT_CALL_BO_ALLOC);
  gst_object_unref (pipeline);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), allocs);
  frames_clear (&f);
  g_free (launch);
  return allocs;
}

GST_START_TEST (test_steady_state_pipeline)
{
  guint64 few = allocations_for (3);
  guint64 many = allocations_for (60);

  /* The pool's buffers go round: 57 more frames, not one more buffer. */
  fail_unless (few > 0);
  fail_unless_equals_uint64 (many, few);
}

GST_END_TEST;

/*
 * Device frames behind a tee: vvasupload (videotestsrc writes into its
 * pool) ! tee, and a vvasupload on each branch, on the same bank, so every
 * frame passes everywhere. The pool's buffers must come back to it and be
 * used again: device memory allocated is bounded by the buffers that can
 * be in flight at once, not by the number of frames. Counted at XRT's
 * xrtBOAlloc (the test environment turns the core's BO cache off, so each
 * buffer a pool discards is a new BO).
 */
GST_START_TEST (test_tee_recycles_buffers)
{
  guint frames = g_getenv ("VVAS_UNDER_VALGRIND") ? 30 : 100;
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=%u ! "
      "video/x-raw,format=NV12,width=640,height=480 ! vvasupload name=up "
      "mem-bank=1 xclbin-location=%s ! tee name=t "
      "t. ! queue max-size-buffers=2 ! vvasupload name=a mem-bank=1 ! "
      "fakesink name=sa sync=false "
      "t. ! queue max-size-buffers=2 ! vvasupload name=b mem-bank=1 ! "
      "fakesink name=sb sync=false", frames, two_banks_xclbin);
  GstElement *pipeline = make_pipeline (launch, NULL);
  guint64 allocs;

  run_to_eos (pipeline);
  allocs = xrt_count_get (XRT_CALL_BO_ALLOC);
  /* Zero-copy all the way: one buffer per frame, shared by the branches. */
  assert_counters (get_element (pipeline, "up"), frames, 0, 0);
  assert_counters (get_element (pipeline, "a"), frames, 0, 0);
  assert_counters (get_element (pipeline, "b"), frames, 0, 0);
  /*
   * In flight at most: one being filled and one pushed into a full queue,
   * two in each queue, and in each branch one in vvasupload and two at the
   * fakesink (the one it renders and its last-sample): 12.
   */
  fail_unless (allocs > 0 && allocs <= 12, "%" G_GUINT64_FORMAT " buffers "
      "allocated for %u frames", allocs, frames);
  gst_object_unref (pipeline);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), allocs);
  g_free (launch);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* One device context for two pipelines                                    */

GST_START_TEST (test_two_pipelines_share_context)
{
  GstVvasContext *app_ctx;
  GstContext *context;
  GstElement *p[2];
  Frames f[2];
  GError *error = NULL;
  guint i;

  app_ctx = gst_vvas_context_new (0, two_banks_xclbin, &error);
  fail_unless (app_ctx != NULL);
  context = gst_context_new_vvas_context (app_ctx);

  /* No xclbin-location: the device comes from the application. */
  for (i = 0; i < 2; i++) {
    gchar *launch = g_strdup_printf ("videotestsrc num-buffers=%u ! "
        "video/x-raw,format=%s,width=%d,height=%d ! vvasupload name=up "
        "mem-bank=%u ! vvasdownload ! fakesink name=sink", 20 + 5 * i,
        i ? "I420" : "NV12", 160 + i, 120 + i, i);

    frames_init (&f[i]);
    p[i] = make_pipeline (launch, &f[i]);
    gst_element_set_context (p[i], context);
    g_free (launch);
  }

  /* Both at once. */
  for (i = 0; i < 2; i++)
    fail_unless (gst_element_set_state (p[i], GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < 2; i++) {
    GstMessage *msg = wait_end (p[i]);

    assert_eos (msg);
    gst_message_unref (msg);
  }

  for (i = 0; i < 2; i++) {
    fail_unless_equals_int (f[i].checksums->len, 20 + 5 * i);
    fail_unless_equals_int (f[i].vvas_frames, 20 + 5 * i);
    /* Every frame's memory came from the application's context. */
    fail_if (f[i].mixed_contexts);
    fail_unless (f[i].context == app_ctx);
    assert_counters (get_element (p[i], "up"), 20 + 5 * i, 0, 0);
    fail_unless_equals_int (gst_element_set_state (p[i], GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
    gst_object_unref (p[i]);
    frames_clear (&f[i]);
  }
  /* One device opened, one xclbin loaded: the application's. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 0);

  gst_context_unref (context);
  gst_object_unref (app_ctx);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE),
      xrt_count_get (XRT_CALL_BO_ALLOC));
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* Pipelines that cannot run                                               */

typedef struct
{
  const gchar *xclbin;          /* a test_util file, or a missing one */
  XclbinFlavor flavor;          /* for a generated one */
  guint mem_bank;
  const gchar *message;         /* expected in the error's message */
  const gchar *debug;           /* expected in its debug text */
} ErrorCase;

static const ErrorCase error_cases[] = {
  /* A bank the xclbin does not have: the valid ones are named. */
  {"two_banks.xclbin", XCLBIN_VALID, 7, "Memory bank 7 does not exist",
      "two_banks.xclbin: 0, 1"},
  /* A bank the xclbin marks unused. */
  {"four_banks.xclbin", XCLBIN_VALID, 2, "Memory bank 2 does not exist",
      "four_banks.xclbin: 0, 1, 3"},
  /* No such file. */
  {"missing.xclbin", XCLBIN_VALID, 0, "Could not open VVAS device 0",
      "missing.xclbin"},
  /* Not an xclbin. */
  {"bad_magic.xclbin", XCLBIN_BAD_MAGIC, 0, "Could not open VVAS device 0",
      "bad_magic.xclbin"},
};

GST_START_TEST (test_error_pipelines)
{
  const ErrorCase *c = &error_cases[__i__];
  const gchar *xclbin;
  gchar *launch;
  GstElement *pipeline;
  GstMessage *msg;
  GError *error = NULL;
  gchar *debug = NULL;

  if (g_str_equal (c->xclbin, "missing.xclbin"))
    xclbin = test_util_path (c->xclbin);
  else if (c->flavor != XCLBIN_VALID)
    xclbin = test_util_xclbin (c->xclbin, 2, 0, c->flavor);
  else
    xclbin = test_util_path (c->xclbin);
  launch = g_strdup_printf ("videotestsrc num-buffers=5 ! vvasupload "
      "name=up mem-bank=%u xclbin-location=%s ! vvasdownload ! fakesink",
      c->mem_bank, xclbin);
  pipeline = make_pipeline (launch, NULL);

  /* It fails to start, and says why on the bus. */
  fail_unless_equals_int (gst_element_set_state (pipeline,
          GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  msg = wait_end (pipeline);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR);
  fail_unless_equals_string (GST_MESSAGE_SRC_NAME (msg), "up");
  gst_message_parse_error (msg, &error, &debug);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  fail_unless (strstr (error->message, c->message) != NULL,
      "message '%s' does not say '%s'", error->message, c->message);
  fail_unless (debug && strstr (debug, c->debug) != NULL,
      "debug '%s' does not say '%s'", debug, c->debug);
  g_clear_error (&error);
  g_free (debug);
  gst_message_unref (msg);

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (pipeline);
  /* Nothing left behind on the device. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE),
      xrt_count_get (XRT_CALL_DEVICE_OPEN));
  g_free (launch);
  /* Made in this (forked) process: test_util_cleanup() does not know it. */
  if (c->flavor != XCLBIN_VALID)
    g_unlink (xclbin);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* The command-line tools, in processes of their own                       */

static gchar *
tool_path (const gchar * env, const gchar * name)
{
  const gchar *path = g_getenv (env);
  gchar *found = path ? g_strdup (path) : g_find_program_in_path (name);

  fail_unless (found != NULL, "%s not found (Debian: gstreamer1.0-tools)",
      name);
  return found;
}

/*
 * Runs @tool with @args (a space-separated list) under a 60 s timeout, in
 * the test's environment minus @unset (a NULL-terminated list), with the
 * GStreamer registry in @registry. Returns its exit code; fails if it
 * crashed or hung. Its output is returned in @output.
 */
static gint
run_tool (const gchar * tool, const gchar * args, const gchar * const *unset,
    const gchar * registry, gchar ** output)
{
  gchar **env = g_get_environ ();
  gchar *cmd = g_strdup_printf ("timeout -s KILL 60 %s %s", tool, args);
  gchar **argv = NULL, *out = NULL, *err = NULL;
  GError *error = NULL;
  gint status = 0;

  for (; unset && *unset; unset++)
    env = g_environ_unsetenv (env, *unset);
  env = g_environ_unsetenv (env, "GST_DEBUG");
  env = g_environ_setenv (env, "GST_REGISTRY", registry, TRUE);
  fail_unless (g_shell_parse_argv (cmd, NULL, &argv, &error));
  fail_unless (g_spawn_sync (NULL, argv, env, G_SPAWN_SEARCH_PATH, NULL,
          NULL, &out, &err, &status, &error), "cannot run %s: %s", tool,
      error ? error->message : "?");
  fail_unless (WIFEXITED (status), "%s %s was killed by signal %d", tool,
      args, WTERMSIG (status));
  fail_if (WEXITSTATUS (status) == 124 || WEXITSTATUS (status) == 137,
      "%s %s hung", tool, args);
  *output = g_strconcat (out, err, NULL);
  g_free (out);
  g_free (err);
  g_strfreev (argv);
  g_strfreev (env);
  g_free (cmd);
  return WEXITSTATUS (status);
}

/* A folder of its own for a tool's registry; removed by tools_done(). */
static gchar *
tools_dir (void)
{
  GError *error = NULL;
  gchar *dir = g_dir_make_tmp ("vvas-tools-XXXXXX", &error);

  fail_unless (dir != NULL);
  return dir;
}

static void
tools_done (gchar * dir)
{
  gchar *registry = g_build_filename (dir, "registry.bin", NULL);

  g_unlink (registry);
  fail_unless_equals_int (g_rmdir (dir), 0);
  g_free (registry);
  g_free (dir);
}

GST_START_TEST (test_inspect_without_xrt)
{
  static const gchar *const no_xrt[] = { "XILINX_XRT", "XCL_EMULATION_MODE",
    NULL
  };
  gchar *inspect = tool_path ("VVAS_TEST_GST_INSPECT", "gst-inspect-1.0");
  gchar *dir = tools_dir ();
  gchar *registry = g_build_filename (dir, "registry.bin", NULL);
  gchar *out;

  /* A fresh registry: the plugin is scanned with XRT unusable. */
  fail_unless_equals_int (run_tool (inspect, "vvas", no_xrt, registry, &out),
      0);
  fail_unless (strstr (out, "vvasupload") != NULL, "%s", out);
  fail_unless (strstr (out, "vvasdownload") != NULL, "%s", out);
  g_free (out);

  fail_unless_equals_int (run_tool (inspect, "vvasupload", no_xrt, registry,
          &out), 0);
  fail_unless (strstr (out, "dev-idx") != NULL, "%s", out);
  fail_unless (strstr (out, "mem-bank") != NULL, "%s", out);
  fail_unless (strstr (out, "xclbin-location") != NULL, "%s", out);
  fail_unless (strstr (out, "buffers-passed") != NULL, "%s", out);
  fail_unless (strstr (out, "bytes-copied") != NULL, "%s", out);
  fail_unless (strstr (out, GST_CAPS_FEATURE_MEMORY_VVAS) != NULL, "%s", out);
  g_free (out);

  fail_unless_equals_int (run_tool (inspect, "vvasdownload", no_xrt,
          registry, &out), 0);
  fail_unless (strstr (out, "force-copy") != NULL, "%s", out);
  fail_unless (strstr (out, "buffers-copied") != NULL, "%s", out);
  g_free (out);

  g_free (registry);
  tools_done (dir);
  g_free (inspect);
}

GST_END_TEST;

GST_START_TEST (test_launch_unopenable_device)
{
  static const gchar *const no_noop[] = { "XCL_EMULATION_MODE", NULL };
  static const gchar *const no_xrt[] = { "XILINX_XRT", "XCL_EMULATION_MODE",
    NULL
  };
  gchar *launch = tool_path ("VVAS_TEST_GST_LAUNCH", "gst-launch-1.0");
  gchar *dir = tools_dir ();
  gchar *registry = g_build_filename (dir, "registry.bin", NULL);
  gchar *args, *out;

  /* The control: on the no-op device the pipeline runs. */
  args = g_strdup_printf ("videotestsrc num-buffers=3 ! vvasupload "
      "xclbin-location=%s ! vvasdownload ! fakesink", two_banks_xclbin);
  fail_unless_equals_int (run_tool (launch, args, NULL, registry, &out), 0);
  g_free (out);
  g_free (args);

  /* No no-op device, and no card 63: an error, and a clean exit. */
  fail_if (run_tool (launch, "videotestsrc num-buffers=3 ! vvasupload "
          "dev-idx=63 ! vvasdownload ! fakesink", no_noop, registry,
          &out) == 0);
  fail_unless (strstr (out, "ERROR") != NULL, "%s", out);
  fail_unless (strstr (out, "Could not open VVAS device 63") != NULL, "%s",
      out);
  g_free (out);

  /* No XRT at all: the error says what to set. */
  fail_if (run_tool (launch, "videotestsrc num-buffers=3 ! vvasupload "
          "dev-idx=0 ! vvasdownload ! fakesink", no_xrt, registry, &out) == 0);
  fail_unless (strstr (out, "Could not open VVAS device 0") != NULL, "%s", out);
  fail_unless (strstr (out, "XILINX_XRT") != NULL, "%s", out);
  g_free (out);

  g_free (registry);
  tools_done (dir);
  g_free (launch);
}

GST_END_TEST;

static Suite *
vvas_pipelines_suite (void)
{
  Suite *s = suite_create ("vvaspipelines");
  TCase *tc = tcase_create ("pipelines");
  TCase *tools = tcase_create ("tools");

  suite_add_tcase (s, tc);
  suite_add_tcase (s, tools);
  tcase_add_checked_fixture (tc, setup, NULL);
  tcase_set_timeout (tc, 60);
  tcase_set_timeout (tools, 120);

  tcase_add_loop_test (tc, test_frames_identical, 0,
      2 * G_N_ELEMENTS (e2e_formats));
  tcase_add_test (tc, test_steady_state_pipeline);
  tcase_add_test (tc, test_tee_recycles_buffers);
  tcase_add_test (tc, test_two_pipelines_share_context);
  tcase_add_loop_test (tc, test_error_pipelines, 0, G_N_ELEMENTS (error_cases));
  tcase_add_test (tools, test_inspect_without_xrt);
  tcase_add_test (tools, test_launch_unopenable_device);
  return s;
}

int
main (int argc, char **argv)
{
  return plugin_test_run (vvas_pipelines_suite, "vvaspipelines", argc, argv);
}
