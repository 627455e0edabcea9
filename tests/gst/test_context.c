/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * GstVvasContext and its sharing through GstContext: the elements of a
 * pipeline open a device once, an application's context is used as is,
 * and a context of another device is refused. A tiny element defined here
 * uses the library's helpers the way a real element would.
 */

#include <glib/gstdio.h>

#include "gst_test_common.h"

/* --- A test element that needs a device ------------------------------- */

typedef struct
{
  GstElement parent;

  GstPad *sinkpad, *srcpad;
  gint dev_idx;
  const gchar *xclbin;
  GstVvasContext *ctx;
  guint context_queries;        /* CONTEXT queries it was asked */
} TestVvasElement;

typedef struct
{
  GstElementClass parent_class;
} TestVvasElementClass;

static GType test_vvas_element_get_type (void);
G_DEFINE_TYPE (TestVvasElement, test_vvas_element, GST_TYPE_ELEMENT);

#define TEST_VVAS_ELEMENT(obj) ((TestVvasElement *) (obj))

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

static gboolean
test_vvas_element_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  TestVvasElement *self = TEST_VVAS_ELEMENT (parent);

  if (GST_QUERY_TYPE (query) == GST_QUERY_CONTEXT) {
    self->context_queries++;
    /* Answered here or not at all: no forwarding, to test peers alone. */
    return gst_vvas_handle_context_query (GST_ELEMENT (self), query, self->ctx);
  }
  return gst_pad_query_default (pad, parent, query);
}

static void
test_vvas_element_set_context (GstElement * element, GstContext * context)
{
  TestVvasElement *self = TEST_VVAS_ELEMENT (element);

  gst_vvas_handle_set_context (element, context, self->dev_idx, &self->ctx);
  GST_ELEMENT_CLASS (test_vvas_element_parent_class)->set_context (element,
      context);
}

static GstStateChangeReturn
test_vvas_element_change_state (GstElement * element, GstStateChange transition)
{
  TestVvasElement *self = TEST_VVAS_ELEMENT (element);
  GstStateChangeReturn ret;
  GError *error = NULL;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY &&
      !gst_vvas_ensure_element_context (element, self->dev_idx, self->xclbin,
          &self->ctx, &error)) {
    gst_element_message_full (element, GST_MESSAGE_ERROR, error->domain,
        error->code, g_strdup (error->message), NULL, __FILE__, GST_FUNCTION,
        __LINE__);
    g_clear_error (&error);
    return GST_STATE_CHANGE_FAILURE;
  }

  ret = GST_ELEMENT_CLASS (test_vvas_element_parent_class)->change_state
      (element, transition);

  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    gst_vvas_release_element_context (element, &self->ctx);
  return ret;
}

static void
test_vvas_element_finalize (GObject * object)
{
  gst_vvas_release_element_context (GST_ELEMENT (object),
      &TEST_VVAS_ELEMENT (object)->ctx);
  G_OBJECT_CLASS (test_vvas_element_parent_class)->finalize (object);
}

static void
test_vvas_element_class_init (TestVvasElementClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->finalize = test_vvas_element_finalize;
  element_class->set_context = test_vvas_element_set_context;
  element_class->change_state = test_vvas_element_change_state;
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "VVAS test element",
      "Testing", "Needs a VVAS device", "vvas-xrt-memory authors");
}

static void
test_vvas_element_init (TestVvasElement * self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_query_function (self->sinkpad, test_vvas_element_query);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_set_query_function (self->srcpad, test_vvas_element_query);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
  self->dev_idx = 0;
  self->xclbin = two_banks_xclbin;
}

static TestVvasElement *
element_new (const gchar * name, gint dev_idx)
{
  TestVvasElement *self = g_object_new (test_vvas_element_get_type (),
      "name", name, NULL);

  self->dev_idx = dev_idx;
  return self;
}

/* --- Helpers ------------------------------------------------------------ */

static guint
count_messages (GstBus * bus, GstMessageType type)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, type))) {
    n++;
    gst_message_unref (msg);
  }
  return n;
}

static gboolean
context_holds (GstContext * context, GstVvasContext * expected)
{
  GstVvasContext *got = NULL;
  gboolean ret;

  ret = gst_context_get_vvas_context (context, &got) && got == expected;
  gst_clear_object (&got);
  return ret;
}

/* --- GstVvasContext ----------------------------------------------------- */

GST_START_TEST (test_context_new)
{
  GstVvasContext *ctx;
  VvasContext *vctx;
  GError *error = NULL;

  xrt_count_reset ();
  ctx = gst_vvas_context_new (0, two_banks_xclbin, &error);
  fail_unless (ctx != NULL);
  fail_unless (error == NULL);
  fail_unless (GST_IS_VVAS_CONTEXT (ctx));
  fail_if (g_object_is_floating (ctx));
  ASSERT_OBJECT_REFCOUNT (ctx, "context", 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 1);
  fail_unless_equals_int (gst_vvas_context_get_device_index (ctx), 0);
  fail_unless_equals_string (gst_vvas_context_get_xclbin_location (ctx),
      two_banks_xclbin);
  vctx = gst_vvas_context_get_vvas_context (ctx);
  fail_unless (vctx != NULL);
  fail_unless_equals_int (vctx->dev_idx, 0);
  fail_unless (vctx->dev_handle != NULL);
  fail_unless_equals_int (vvas_context_get_bank_count (vctx), 2);
  gst_object_unref (ctx);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);

  /* Host only: no device at all. */
  xrt_count_reset ();
  ctx = gst_vvas_context_new (-1, NULL, &error);
  fail_unless (ctx != NULL);
  fail_unless_equals_int (gst_vvas_context_get_device_index (ctx), -1);
  fail_unless (gst_vvas_context_get_xclbin_location (ctx) == NULL);
  fail_unless (gst_vvas_context_get_vvas_context (ctx)->dev_handle == NULL);
  gst_object_unref (ctx);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 0);

  /* Any device opens on the no-op device; each context opens its own. */
  ctx = gst_vvas_context_new (1, two_banks_xclbin, NULL);
  fail_unless (ctx != NULL);
  fail_unless_equals_int (gst_vvas_context_get_device_index (ctx), 1);
  gst_object_unref (ctx);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
}

GST_END_TEST;

GST_START_TEST (test_context_new_errors)
{
  const gchar *bad = test_util_xclbin ("bad_magic.xclbin", 2, 0,
      XCLBIN_BAD_MAGIC);
  GError *error = NULL;
  gchar *xrt;

  /* Failures are logged; with the library's categories at WARNING, that
   * works even when a failure is the first thing the process does. */
  gst_debug_set_threshold_for_name ("vvas*", GST_LEVEL_WARNING);
  xrt_count_reset ();
  /* A missing file: the error has the core's reason. */
  fail_unless (gst_vvas_context_new (0, "/nonexistent.xclbin", &error) == NULL);
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  fail_unless (strstr (error->message, "/nonexistent.xclbin") != NULL);
  fail_unless (strstr (error->message, "cannot open xclbin") != NULL,
      "no reason in: %s", error->message);
  g_clear_error (&error);

  /* Not an xclbin: refused before the device is opened. */
  fail_unless (gst_vvas_context_new (0, bad, &error) == NULL);
  fail_unless (error != NULL);
  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS), "%s", error->message);
  fail_unless (strstr (error->message, "magic") != NULL,
      "no reason in: %s", error->message);
  g_clear_error (&error);

  /* A host-only context takes no xclbin. */
  fail_unless (gst_vvas_context_new (-1, two_banks_xclbin, &error) == NULL);
  fail_unless (error != NULL);
  g_clear_error (&error);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 0);

  /* XRT cannot run: an error that says what to set, not an abort. */
  xrt = g_strdup (g_getenv ("XILINX_XRT"));
  g_unsetenv ("XILINX_XRT");
  fail_unless (gst_vvas_context_new (0, two_banks_xclbin, &error) == NULL);
  g_setenv ("XILINX_XRT", xrt, TRUE);
  g_free (xrt);
  fail_unless (error != NULL);
  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ_WRITE), "%s", error->message);
  fail_unless (strstr (error->message, "XILINX_XRT") != NULL, "%s",
      error->message);
  g_clear_error (&error);
  /* Made in a forked test: the parent's clean-up cannot see it. */
  g_unlink (bad);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 0);

  /* Programming errors. */
  ASSERT_CRITICAL (fail_unless (gst_vvas_context_new (-2, NULL, NULL) == NULL));
  error = g_error_new_literal (GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "x");
  ASSERT_CRITICAL (fail_unless (gst_vvas_context_new (-1, NULL,
              &error) == NULL));
  g_clear_error (&error);
  ASSERT_CRITICAL (fail_unless (gst_vvas_context_get_vvas_context (NULL) ==
          NULL));
  ASSERT_CRITICAL (fail_unless_equals_int (gst_vvas_context_get_device_index
          (NULL), -1));
  ASSERT_CRITICAL (fail_unless (gst_vvas_context_get_xclbin_location (NULL)
          == NULL));
}

GST_END_TEST;

GST_START_TEST (test_gst_context)
{
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstVvasContext *got = NULL;
  GstContext *context, *other;
  const GstStructure *s;
  gint dev_idx = -5;

  context = gst_context_new_vvas_context (ctx);
  fail_unless (context != NULL);
  fail_unless_equals_string (gst_context_get_context_type (context),
      GST_VVAS_CONTEXT_TYPE);
  fail_unless (gst_context_is_persistent (context));
  s = gst_context_get_structure (context);
  fail_unless (gst_structure_get_int (s, "dev-idx", &dev_idx));
  fail_unless_equals_int (dev_idx, 0);

  /* It holds the context, and hands out references. */
  ASSERT_OBJECT_REFCOUNT (ctx, "context", 2);
  fail_unless (gst_context_get_vvas_context (context, &got));
  fail_unless (got == ctx);
  ASSERT_OBJECT_REFCOUNT (ctx, "context", 3);
  gst_object_unref (got);
  gst_context_unref (context);
  ASSERT_OBJECT_REFCOUNT (ctx, "context", 1);

  /* Other types, or ours without a context in it, carry none. */
  got = NULL;
  other = gst_context_new ("gst.gl.GLDisplay", TRUE);
  fail_if (gst_context_get_vvas_context (other, &got));
  fail_unless (got == NULL);
  gst_context_unref (other);
  other = gst_context_new (GST_VVAS_CONTEXT_TYPE, TRUE);
  fail_if (gst_context_get_vvas_context (other, &got));
  fail_unless (got == NULL);
  gst_context_unref (other);

  ASSERT_CRITICAL (fail_unless (gst_context_new_vvas_context (NULL) == NULL));
  ASSERT_CRITICAL (fail_if (gst_context_get_vvas_context (NULL, &got)));
  gst_object_unref (ctx);
}

GST_END_TEST;

GST_START_TEST (test_handle_set_context)
{
  TestVvasElement *e = element_new ("e", 0);
  GstVvasContext *ctx0 = gst_vvas_test_context_new ();
  GstVvasContext *ctx1 = gst_vvas_context_new (1, two_banks_xclbin, NULL);
  GstVvasContext *held = NULL;
  GstContext *c0 = gst_context_new_vvas_context (ctx0);
  GstContext *c1 = gst_context_new_vvas_context (ctx1);
  GstContext *gl = gst_context_new ("gst.gl.GLDisplay", TRUE);

  fail_unless (gst_vvas_handle_set_context (GST_ELEMENT (e), c0, 0, &held));
  fail_unless (held == ctx0);
  /* Another device's is refused; the one held stays. */
  fail_if (gst_vvas_handle_set_context (GST_ELEMENT (e), c1, 0, &held));
  fail_unless (held == ctx0);
  /* Nothing, or another type: nothing changes. */
  fail_if (gst_vvas_handle_set_context (GST_ELEMENT (e), NULL, 0, &held));
  fail_if (gst_vvas_handle_set_context (GST_ELEMENT (e), gl, 0, &held));
  fail_unless (held == ctx0);
  /* Any device: the new one replaces it, and the old one is released. */
  ASSERT_OBJECT_REFCOUNT (ctx0, "ctx0", 3);
  fail_unless (gst_vvas_handle_set_context (GST_ELEMENT (e), c1, -1, &held));
  fail_unless (held == ctx1);
  ASSERT_OBJECT_REFCOUNT (ctx0, "ctx0", 2);
  gst_clear_object (&held);

  ASSERT_CRITICAL (fail_if (gst_vvas_handle_set_context (NULL, c0, 0, &held)));
  ASSERT_CRITICAL (fail_if (gst_vvas_handle_set_context (GST_ELEMENT (e),
              c0, 0, NULL)));
  fail_unless (held == NULL);

  gst_context_unref (gl);
  gst_context_unref (c1);
  gst_context_unref (c0);
  gst_object_unref (ctx1);
  gst_object_unref (ctx0);
  gst_object_unref (e);
}

GST_END_TEST;

GST_START_TEST (test_handle_context_query)
{
  TestVvasElement *e = element_new ("e", 0);
  GstVvasContext *ctx = gst_vvas_test_context_new ();
  GstQuery *query;
  GstContext *context = NULL;

  query = gst_query_new_context (GST_VVAS_CONTEXT_TYPE);
  fail_if (gst_vvas_handle_context_query (GST_ELEMENT (e), query, NULL));
  fail_unless (gst_vvas_handle_context_query (GST_ELEMENT (e), query, ctx));
  gst_query_parse_context (query, &context);
  fail_unless (context != NULL);
  fail_unless (context_holds (context, ctx));
  gst_query_unref (query);

  query = gst_query_new_context ("gst.gl.GLDisplay");
  fail_if (gst_vvas_handle_context_query (GST_ELEMENT (e), query, ctx));
  context = NULL;
  gst_query_parse_context (query, &context);
  fail_unless (context == NULL);
  gst_query_unref (query);

  query = gst_query_new_position (GST_FORMAT_TIME);
  fail_if (gst_vvas_handle_context_query (GST_ELEMENT (e), query, ctx));
  gst_query_unref (query);

  ASSERT_CRITICAL (fail_if (gst_vvas_handle_context_query (GST_ELEMENT (e),
              NULL, ctx)));
  gst_object_unref (ctx);
  gst_object_unref (e);
}

GST_END_TEST;

/* --- Sharing in pipelines ----------------------------------------------- */

GST_START_TEST (test_pipeline_shares_one_device)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  TestVvasElement *a = element_new ("a", 0);
  TestVvasElement *b = element_new ("b", 0);
  TestVvasElement *c = element_new ("c", 0);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstContext *context;

  /* a ! b, and c on its own: shared through the bin, not only peers. */
  gst_bin_add_many (GST_BIN (pipeline), GST_ELEMENT (a), GST_ELEMENT (b),
      GST_ELEMENT (c), NULL);
  fail_unless (gst_element_link (GST_ELEMENT (a), GST_ELEMENT (b)));

  xrt_count_reset ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (a->ctx != NULL);
  fail_unless (a->ctx == b->ctx);
  fail_unless (a->ctx == c->ctx);
  fail_unless_equals_int (gst_vvas_context_get_device_index (a->ctx), 0);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_LOAD_XCLBIN), 1);
  /* One element made it and announced it once; the pipeline keeps it. */
  fail_unless_equals_int (count_messages (bus, GST_MESSAGE_HAVE_CONTEXT), 1);
  context = gst_element_get_context (pipeline, GST_VVAS_CONTEXT_TYPE);
  fail_unless (context != NULL);
  fail_unless (context_holds (context, a->ctx));
  gst_context_unref (context);

  /* Down and up again: the pipeline's context is used, no new device. */
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (a->ctx == NULL);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (a->ctx != NULL && a->ctx == b->ctx && a->ctx == c->ctx);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  fail_unless_equals_int (count_messages (bus, GST_MESSAGE_HAVE_CONTEXT), 0);

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  /* Nothing keeps the device open any more. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);
}

GST_END_TEST;

GST_START_TEST (test_peers_share_one_device)
{
  TestVvasElement *a = element_new ("a", 0);
  TestVvasElement *up = element_new ("up", 0);
  TestVvasElement *down = element_new ("down", 0);

  /* Outside any bin, only the peers can answer. */
  fail_unless_equals_int (gst_pad_link (up->srcpad, a->sinkpad),
      GST_PAD_LINK_OK);
  fail_unless_equals_int (gst_pad_link (a->srcpad, down->sinkpad),
      GST_PAD_LINK_OK);
  xrt_count_reset ();
  fail_unless_equals_int (gst_element_set_state (GST_ELEMENT (a),
          GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  fail_unless (a->ctx != NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);

  /* Upstream of a: asks downstream. */
  fail_unless_equals_int (gst_element_set_state (GST_ELEMENT (up),
          GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  fail_unless (up->ctx == a->ctx);
  /* Downstream of a: asks upstream. */
  fail_unless_equals_int (gst_element_set_state (GST_ELEMENT (down),
          GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  fail_unless (down->ctx == a->ctx);
  fail_unless (a->context_queries >= 2);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);

  /* Already has one: no query, no message. */
  a->context_queries = down->context_queries = 0;
  fail_unless (gst_vvas_ensure_element_context (GST_ELEMENT (up), 0,
          two_banks_xclbin, &up->ctx, NULL));
  fail_unless_equals_int (a->context_queries, 0);

  gst_element_set_state (GST_ELEMENT (down), GST_STATE_NULL);
  gst_element_set_state (GST_ELEMENT (up), GST_STATE_NULL);
  gst_element_set_state (GST_ELEMENT (a), GST_STATE_NULL);
  gst_pad_unlink (up->srcpad, a->sinkpad);
  gst_pad_unlink (a->srcpad, down->sinkpad);
  gst_object_unref (down);
  gst_object_unref (up);
  gst_object_unref (a);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);
}

GST_END_TEST;

GST_START_TEST (test_application_context_on_pipeline)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  TestVvasElement *a = element_new ("a", 0);
  TestVvasElement *b = element_new ("b", 0);
  TestVvasElement *late = element_new ("late", 0);
  GstVvasContext *app = gst_vvas_test_context_new ();
  GstContext *context = gst_context_new_vvas_context (app);
  GstBus *bus = gst_element_get_bus (pipeline);

  gst_bin_add_many (GST_BIN (pipeline), GST_ELEMENT (a), GST_ELEMENT (b), NULL);
  fail_unless (gst_element_link (GST_ELEMENT (a), GST_ELEMENT (b)));
  gst_element_set_context (pipeline, context);
  /* Given to the elements at once, and to those added later. */
  fail_unless (a->ctx == app && b->ctx == app);
  gst_bin_add (GST_BIN (pipeline), GST_ELEMENT (late));
  fail_unless (late->ctx == app);

  xrt_count_reset ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (a->ctx == app && b->ctx == app && late->ctx == app);
  /* The elements opened nothing and announced nothing. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 0);
  fail_unless_equals_int (count_messages (bus, GST_MESSAGE_HAVE_CONTEXT), 0);

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_context_unref (context);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  /* The application's reference is the last one. */
  ASSERT_OBJECT_REFCOUNT (app, "application context", 1);
  gst_object_unref (app);
}

GST_END_TEST;

typedef struct
{
  GstContext *answer;
  guint asked;
} SyncAnswer;

static GstBusSyncReply
answer_need_context (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  SyncAnswer *sa = user_data;
  const gchar *type;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_NEED_CONTEXT &&
      gst_message_parse_context_type (msg, &type) &&
      g_strcmp0 (type, GST_VVAS_CONTEXT_TYPE) == 0) {
    sa->asked++;
    gst_element_set_context (GST_ELEMENT (GST_MESSAGE_SRC (msg)), sa->answer);
  }
  return GST_BUS_PASS;
}

GST_START_TEST (test_application_context_on_request)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  TestVvasElement *a = element_new ("a", 0);
  TestVvasElement *b = element_new ("b", 0);
  GstVvasContext *app = gst_vvas_test_context_new ();
  SyncAnswer sa = { gst_context_new_vvas_context (app), 0 };
  GstBus *bus = gst_element_get_bus (pipeline);

  gst_bus_set_sync_handler (bus, answer_need_context, &sa, NULL);
  gst_bin_add_many (GST_BIN (pipeline), GST_ELEMENT (a), GST_ELEMENT (b), NULL);
  fail_unless (gst_element_link (GST_ELEMENT (a), GST_ELEMENT (b)));

  xrt_count_reset ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (a->ctx == app);
  fail_unless (b->ctx == app);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 0);
  /* b (the sink, first to start) asked; a then found it at its peer. */
  fail_unless_equals_int (sa.asked, 1);

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  gst_context_unref (sa.answer);
  ASSERT_OBJECT_REFCOUNT (app, "application context", 1);
  gst_object_unref (app);
}

GST_END_TEST;

GST_START_TEST (test_other_device_refused)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  TestVvasElement *a = element_new ("a", 0);
  TestVvasElement *b = element_new ("b", 0);
  TestVvasElement *any = element_new ("any", -1);
  GstVvasContext *app = gst_vvas_context_new (1, two_banks_xclbin, NULL);
  GstContext *context = gst_context_new_vvas_context (app);
  GstBus *bus = gst_element_get_bus (pipeline);
  SyncAnswer sa = { context, 0 };

  fail_unless (app != NULL);
  gst_bus_set_sync_handler (bus, answer_need_context, &sa, NULL);
  gst_bin_add_many (GST_BIN (pipeline), GST_ELEMENT (a), GST_ELEMENT (b), NULL);
  fail_unless (gst_element_link (GST_ELEMENT (a), GST_ELEMENT (b)));
  /* Device 1's context set on the pipeline and offered on request. */
  gst_element_set_context (pipeline, context);
  fail_unless (a->ctx == NULL);

  xrt_count_reset ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  /* Refused: the elements opened device 0 once, for both. */
  fail_unless (a->ctx != NULL);
  fail_unless (a->ctx != app);
  fail_unless (a->ctx == b->ctx);
  fail_unless_equals_int (gst_vvas_context_get_device_index (a->ctx), 0);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 1);
  fail_unless_equals_int (count_messages (bus, GST_MESSAGE_HAVE_CONTEXT), 1);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  /* An element that takes any device takes it. */
  gst_element_set_context (GST_ELEMENT (any), context);
  fail_unless (any->ctx == app);
  gst_object_unref (any);

  gst_context_unref (context);
  ASSERT_OBJECT_REFCOUNT (app, "application context", 1);
  gst_object_unref (app);
}

GST_END_TEST;

GST_START_TEST (test_device_that_cannot_open)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  TestVvasElement *a = element_new ("a", 0);
  GstVvasContext *ctx = NULL;
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *error = NULL;

  a->xclbin = "/nonexistent.xclbin";
  gst_bin_add (GST_BIN (pipeline), GST_ELEMENT (gst_object_ref (a)));
  xrt_count_reset ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  fail_unless (a->ctx == NULL);
  /* The element's error carries the library's reason. */
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &error, NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  fail_unless (strstr (error->message, "/nonexistent.xclbin") != NULL,
      "%s", error->message);
  g_clear_error (&error);
  gst_message_unref (msg);

  fail_if (gst_vvas_ensure_element_context (GST_ELEMENT (a), 0,
          "/nonexistent.xclbin", &ctx, &error));
  fail_unless (ctx == NULL);
  fail_unless (error != NULL);
  fail_unless (error->domain == GST_RESOURCE_ERROR);
  g_clear_error (&error);
  /* A NULL error is allowed. */
  fail_if (gst_vvas_ensure_element_context (GST_ELEMENT (a), 0,
          "/nonexistent.xclbin", &ctx, NULL));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_OPEN), 0);
  /* Nothing half-made was left in the pipeline. */
  fail_unless (gst_element_get_context (pipeline,
          GST_VVAS_CONTEXT_TYPE) == NULL);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  ASSERT_CRITICAL (fail_if (gst_vvas_ensure_element_context (NULL, 0,
              NULL, &ctx, NULL)));
  ASSERT_CRITICAL (fail_if (gst_vvas_ensure_element_context (GST_ELEMENT
              (a), 0, NULL, NULL, NULL)));
  gst_object_unref (a);
}

GST_END_TEST;

/* --- Core log lines in GStreamer's debug log ------------------------------ */

typedef struct
{
  GstDebugLevel level;
  gchar *message;
} LogLine;

static GMutex log_lock;
static GPtrArray *core_lines;   /* LogLine of category "vvascore" */

static void
log_line_free (LogLine * line)
{
  g_free (line->message);
  g_free (line);
}

static void
record_core_lines (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  LogLine *l;

  if (g_strcmp0 (gst_debug_category_get_name (category), "vvascore") != 0)
    return;
  l = g_new0 (LogLine, 1);
  l->level = level;
  l->message = g_strdup (gst_debug_message_get (message));
  g_mutex_lock (&log_lock);
  g_ptr_array_add (core_lines, l);
  g_mutex_unlock (&log_lock);
}

/* Index of the first line at @level that contains @text, or -1. */
static gint
find_core_line (GstDebugLevel level, const gchar * text)
{
  guint i;

  for (i = 0; i < core_lines->len; i++) {
    LogLine *l = g_ptr_array_index (core_lines, i);

    if (l->level == level && strstr (l->message, text))
      return i;
  }
  return -1;
}

GST_START_TEST (test_core_log_in_gst_debug)
{
  GstVvasContext *ctx;

  core_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) log_line_free);
  gst_debug_set_active (TRUE);
  gst_debug_add_log_function (record_core_lines, NULL, NULL);

  /* The category's threshold is the new context's: INFO lines pass... */
  gst_debug_set_threshold_for_name ("vvascore", GST_LEVEL_INFO);
  ctx = gst_vvas_test_context_new ();
  fail_unless_equals_int (gst_vvas_context_get_vvas_context (ctx)->log_level,
      LOG_LEVEL_INFO);
  fail_unless (find_core_line (GST_LEVEL_INFO, "created") >= 0);
  gst_object_unref (ctx);

  /* ...and are not even formatted below it. */
  g_ptr_array_set_size (core_lines, 0);
  gst_debug_set_threshold_for_name ("vvascore", GST_LEVEL_WARNING);
  ctx = gst_vvas_test_context_new ();
  fail_unless_equals_int (gst_vvas_context_get_vvas_context (ctx)->log_level,
      LOG_LEVEL_WARNING);
  fail_unless_equals_int (find_core_line (GST_LEVEL_INFO, "created"), -1);
  gst_object_unref (ctx);

  gst_debug_set_threshold_for_name ("vvascore", GST_LEVEL_DEBUG);
  ctx = gst_vvas_test_context_new ();
  fail_unless_equals_int (gst_vvas_context_get_vvas_context (ctx)->log_level,
      LOG_LEVEL_DEBUG);
  gst_object_unref (ctx);

  /* Errors: the core's reason, as an ERROR of "vvascore". */
  gst_debug_set_threshold_for_name ("vvascore", GST_LEVEL_WARNING);
  fail_unless (gst_vvas_context_new (0, "/nonexistent.xclbin", NULL) == NULL);
  fail_unless (find_core_line (GST_LEVEL_ERROR, "/nonexistent.xclbin") >= 0);

  gst_debug_remove_log_function (record_core_lines);
  g_ptr_array_unref (core_lines);
}

GST_END_TEST;

static Suite *
vvas_context_suite (void)
{
  Suite *s = suite_create ("vvascontext");
  TCase *tc = tcase_create ("context");
  TCase *sharing = tcase_create ("sharing");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_context_new);
  tcase_add_test (tc, test_context_new_errors);
  tcase_add_test (tc, test_gst_context);
  tcase_add_test (tc, test_handle_set_context);
  tcase_add_test (tc, test_handle_context_query);
  tcase_add_test (tc, test_core_log_in_gst_debug);

  suite_add_tcase (s, sharing);
  tcase_add_test (sharing, test_pipeline_shares_one_device);
  tcase_add_test (sharing, test_peers_share_one_device);
  tcase_add_test (sharing, test_application_context_on_pipeline);
  tcase_add_test (sharing, test_application_context_on_request);
  tcase_add_test (sharing, test_other_device_refused);
  tcase_add_test (sharing, test_device_that_cannot_open);
  return s;
}

int
main (int argc, char **argv)
{
  return gst_vvas_test_run (vvas_context_suite, "vvascontext", argc, argv);
}
