/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION:element-vvasupload
 * @title: vvasupload
 *
 * Moves raw video into VVAS device memory on one device and memory bank.
 *
 * It answers upstream's allocation query with a VVAS buffer pool on its
 * device and bank, so an upstream element such as videotestsrc writes
 * straight into device memory and vvasupload passes the buffers on without a
 * copy. Input already in VVAS memory on the same device and bank passes
 * through as well; anything else (system memory, another device or bank) is
 * copied, plane by plane with the right strides, into a buffer of its own
 * pool.
 *
 * Input in DMA-buf memory (`video/x-raw(memory:DMABuf)` or any buffer whose
 * memory is DMA-buf backed, from a V4L2 capture or decoder, say) is
 * imported into buffer objects instead: no copy, and one import per DMA-buf
 * for the whole run, however often upstream's pool recycles it
 * (buffers-imported counts them). If the device cannot import (XRT's no-op
 * device), it copies, with an INFO line.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=100 ! video/x-raw,format=NV12 ! \
 *   vvasupload dev-idx=0 mem-bank=0 xclbin-location=my.xclbin ! \
 *   vvasdownload ! fakesink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvasupload.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_upload_debug);
#define GST_CAT_DEFAULT gst_vvas_upload_debug

enum
{
  PROP_0,
  PROP_DEV_IDX,
  PROP_MEM_BANK,
  PROP_XCLBIN_LOCATION,
  PROP_BUFFERS_PASSED,          /* the three counters, in this order */
  PROP_BUFFERS_COPIED,
  PROP_BYTES_COPIED,
  PROP_BUFFERS_IMPORTED,
};

#define DEFAULT_DEV_IDX 0
#define DEFAULT_MEM_BANK 0

/* Buffers the upstream pool starts with: enough for a queue of a few. */
#define UPSTREAM_POOL_MIN_BUFFERS 2

#define VVAS_VIDEO_CAPS \
  GST_VIDEO_CAPS_MAKE_WITH_FEATURES (GST_CAPS_FEATURE_MEMORY_VVAS, \
      GST_VIDEO_FORMATS_ALL)

#define DMABUF_VIDEO_CAPS \
  GST_VIDEO_CAPS_MAKE_WITH_FEATURES (GST_CAPS_FEATURE_MEMORY_DMABUF, \
      GST_VIDEO_FORMATS_ALL)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (GST_VIDEO_FORMATS_ALL) "; "
        VVAS_VIDEO_CAPS "; " DMABUF_VIDEO_CAPS));

/* Marks on DMA-buf memories: the run of a vvasupload that imported them. */
static GQuark import_run_quark;
static gint last_import_run;

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (VVAS_VIDEO_CAPS "; "
        GST_VIDEO_CAPS_MAKE (GST_VIDEO_FORMATS_ALL)));

#define gst_vvas_upload_parent_class parent_class
G_DEFINE_TYPE (GstVvasUpload, gst_vvas_upload, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (vvasupload, "vvasupload",
    GST_RANK_NONE, GST_TYPE_VVAS_UPLOAD,
    GST_DEBUG_CATEGORY_INIT (gst_vvas_upload_debug, "vvasupload", 0,
        "Upload into VVAS memory"));

static void
gst_vvas_upload_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DEV_IDX:
      self->dev_idx = g_value_get_int (value);
      break;
    case PROP_MEM_BANK:
      self->mem_bank = g_value_get_uint (value);
      break;
    case PROP_XCLBIN_LOCATION:
      g_free (self->xclbin_location);
      self->xclbin_location = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_vvas_upload_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DEV_IDX:
      g_value_set_int (value, self->dev_idx);
      break;
    case PROP_MEM_BANK:
      g_value_set_uint (value, self->mem_bank);
      break;
    case PROP_XCLBIN_LOCATION:
      g_value_set_string (value, self->xclbin_location);
      break;
    case PROP_BUFFERS_IMPORTED:
      g_value_set_uint64 (value, self->buffers_imported);
      break;
    default:
      if (!gst_vvas_counters_get_property (&self->counters,
              PROP_BUFFERS_PASSED, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void release_context (GstVvasUpload * self);

static void
gst_vvas_upload_finalize (GObject * object)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (object);

  g_free (self->xclbin_location);
  release_context (self);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/*
 * The context is read and replaced under the object lock, and used through
 * a reference taken there: set_context, queries, start and the streaming
 * thread may run at once (as GStreamer's GL and CUDA elements guard theirs).
 */
static GstVvasContext *
get_context (GstVvasUpload * self)
{
  GstVvasContext *context;

  GST_OBJECT_LOCK (self);
  context = self->context ? gst_object_ref (self->context) : NULL;
  GST_OBJECT_UNLOCK (self);
  return context;
}

static void
replace_context (GstVvasUpload * self, GstVvasContext * context)
{
  GST_OBJECT_LOCK (self);
  gst_object_replace ((GstObject **) & self->context, (GstObject *) context);
  GST_OBJECT_UNLOCK (self);
}

static void
release_context (GstVvasUpload * self)
{
  GstVvasContext *context;

  GST_OBJECT_LOCK (self);
  context = g_steal_pointer (&self->context);
  GST_OBJECT_UNLOCK (self);
  gst_vvas_release_element_context (GST_ELEMENT (self), &context);
}

static void
gst_vvas_upload_set_context (GstElement * element, GstContext * context)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (element);
  GstVvasContext *current = get_context (self);
  gint dev_idx;

  GST_OBJECT_LOCK (self);
  dev_idx = self->dev_idx;
  GST_OBJECT_UNLOCK (self);
  if (gst_vvas_handle_set_context (element, context, dev_idx, &current))
    replace_context (self, current);
  gst_clear_object (&current);
  GST_ELEMENT_CLASS (parent_class)->set_context (element, context);
}

static gboolean
gst_vvas_upload_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (trans);
  GstVvasContext *context;
  gboolean answered;

  if (GST_QUERY_TYPE (query) == GST_QUERY_CONTEXT) {
    context = get_context (self);
    answered = gst_vvas_handle_context_query (GST_ELEMENT (trans), query,
        context);
    gst_clear_object (&context);
    if (answered)
      return TRUE;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
      query);
}

static gboolean
gst_vvas_upload_start (GstBaseTransform * trans)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (trans);
  GstVvasContext *context = get_context (self);
  gchar *xclbin_location;
  gboolean opened;

  gst_vvas_counters_reset (GST_ELEMENT (self), &self->counters);
  self->import_run = (guint) g_atomic_int_add (&last_import_run, 1) + 1;
  self->import_failed = FALSE;
  /* The properties as they are now, for this whole run. */
  GST_OBJECT_LOCK (self);
  self->buffers_imported = 0;
  self->active_dev_idx = self->dev_idx;
  self->active_mem_bank = self->mem_bank;
  xclbin_location = g_strdup (self->xclbin_location);
  GST_OBJECT_UNLOCK (self);

  opened = gst_vvas_element_open_device (GST_ELEMENT (trans),
      self->active_dev_idx, xclbin_location, self->active_mem_bank, &context,
      &self->allocator);
  replace_context (self, context);
  gst_clear_object (&context);
  g_free (xclbin_location);
  return opened;
}

static gboolean
gst_vvas_upload_stop (GstBaseTransform * trans)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (trans);

  gst_clear_object (&self->allocator);
  return TRUE;
}

static GstCaps *
gst_vvas_upload_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  /* Same video, in VVAS memory first (src) or any memory it takes in
   * (sink). */
  GstCaps *result = gst_vvas_caps_with_features (caps, TRUE,
      direction == GST_PAD_SINK);

  if (direction == GST_PAD_SRC)
    result = gst_vvas_caps_add_dmabuf (result);

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, result,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (result);
    result = tmp;
  }
  GST_DEBUG_OBJECT (trans, "%s caps %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, result);
  return result;
}

static gboolean
gst_vvas_upload_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (trans);

  if (!gst_video_info_from_caps (&self->in_info, incaps) ||
      !gst_video_info_from_caps (&self->out_info, outcaps)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("caps %" GST_PTR_FORMAT " or %" GST_PTR_FORMAT " are not raw "
            "video", incaps, outcaps));
    return FALSE;
  }
  /*
   * Checked again now that every element has started: one that started
   * after this one may have given the device its xclbin, and so the
   * topology the bank was not checked against at start.
   */
  return gst_vvas_element_check_bank (GST_ELEMENT (self), self->allocator);
}

static gboolean
gst_vvas_upload_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (trans);
  GstBufferPool *pool;
  GstVideoInfo info;
  GstCaps *caps;
  gboolean need_pool;

  gst_query_parse_allocation (query, &caps, &need_pool);
  if (!caps || !gst_video_info_from_caps (&info, caps)) {
    GST_DEBUG_OBJECT (self, "allocation query without raw video caps");
    return FALSE;
  }
  if (!self->allocator)
    return FALSE;

  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  gst_vvas_element_propose_downstream_metas (trans, decide_query, query);
  /* DMA-buf upstream allocates its own DMA-bufs, which are imported. */
  if (gst_caps_features_contains (gst_caps_get_features (caps, 0),
          GST_CAPS_FEATURE_MEMORY_DMABUF))
    return TRUE;
  gst_query_add_allocation_param (query, self->allocator, NULL);
  if (!need_pool)
    return TRUE;

  pool = gst_vvas_element_new_pool (GST_ELEMENT (self), self->allocator,
      caps, UPSTREAM_POOL_MIN_BUFFERS);
  if (!pool)
    return FALSE;
  gst_query_add_allocation_pool (query, pool, info.size,
      UPSTREAM_POOL_MIN_BUFFERS, 0);
  gst_object_unref (pool);
  GST_DEBUG_OBJECT (self, "proposed a VVAS pool on device %d bank %u",
      self->active_dev_idx, self->active_mem_bank);
  return TRUE;
}

static gboolean
gst_vvas_upload_decide_allocation (GstBaseTransform * trans, GstQuery * query)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (trans);

  self->downstream_has_video_meta =
      gst_query_find_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  return gst_vvas_element_decide_vvas_pool (GST_ELEMENT (self), query,
      self->allocator, self->active_dev_idx, self->active_mem_bank);
}

/*
 * Input in VVAS memory of this device and bank needs no copy, unless its
 * layout is not the caps' default one and downstream cannot read a
 * GstVideoMeta.
 */
static gboolean
can_pass_through (GstVvasUpload * self, GstBuffer * inbuf)
{
  guint i, n = gst_buffer_n_memory (inbuf);

  if (n == 0)
    return FALSE;
  if (!self->downstream_has_video_meta &&
      !gst_vvas_element_has_default_layout (inbuf, &self->in_info))
    return FALSE;
  for (i = 0; i < n; i++) {
    if (!gst_vvas_memory_can_avoid_copy (gst_buffer_peek_memory (inbuf, i),
            self->active_dev_idx, self->active_mem_bank))
      return FALSE;
  }
  return TRUE;
}

/*
 * A buffer onto @inbuf's DMA-bufs, imported (once per DMA-buf in this run),
 * or NULL when they cannot be imported. It holds @inbuf, so upstream's pool
 * does not refill the DMA-bufs while downstream still reads them.
 */
static GstBuffer *
import_buffer (GstVvasUpload * self, GstBuffer * inbuf)
{
  guint i, n = gst_buffer_n_memory (inbuf);
  guint64 imported = 0;
  GstBuffer *outbuf;

  if (self->import_failed)
    return NULL;
  if (!self->downstream_has_video_meta &&
      !gst_vvas_element_has_default_layout (inbuf, &self->in_info))
    return NULL;

  outbuf = gst_buffer_new ();
  for (i = 0; i < n; i++) {
    GstMemory *dmamem = gst_buffer_peek_memory (inbuf, i);
    GError *error = NULL;
    GstMemory *mem;

    mem = gst_vvas_allocator_import_dmabuf (self->allocator, dmamem, &error);
    if (!mem) {
      GST_INFO_OBJECT (self, "cannot import DMA-buf input, copying it "
          "instead from now on: %s", error->message);
      g_clear_error (&error);
      self->import_failed = TRUE;
      gst_buffer_unref (outbuf);
      return NULL;
    }
    if (GPOINTER_TO_UINT (gst_mini_object_get_qdata (GST_MINI_OBJECT_CAST
                (dmamem), import_run_quark)) != self->import_run) {
      gst_mini_object_set_qdata (GST_MINI_OBJECT_CAST (dmamem),
          import_run_quark, GUINT_TO_POINTER (self->import_run), NULL);
      imported++;
    }
    gst_buffer_append_memory (outbuf, mem);
  }
  gst_buffer_copy_into (outbuf, inbuf, GST_BUFFER_COPY_FLAGS |
      GST_BUFFER_COPY_TIMESTAMPS | GST_BUFFER_COPY_META, 0, -1);
  gst_buffer_add_parent_buffer_meta (outbuf, inbuf);
  if (imported) {
    GST_OBJECT_LOCK (self);
    self->buffers_imported += imported;
    GST_OBJECT_UNLOCK (self);
  }
  return outbuf;
}

static GstFlowReturn
gst_vvas_upload_prepare_output_buffer (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer ** outbuf)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (trans);

  /* No frame to upload: transform() passes or drops it. */
  if (gst_vvas_buffer_is_empty (inbuf)) {
    *outbuf = inbuf;
    return GST_FLOW_OK;
  }
  if (can_pass_through (self, inbuf)) {
    /*
     * Ownership of inbuf moves to outbuf, as in base passthrough. A buffer
     * others hold too (behind a tee) goes on as it is when its metadata is
     * current already (a VVAS element upstream wrote it): another buffer
     * with its memory would still hold that memory when the pooled buffer
     * goes back to its pool, which then discards it (GstBufferPool keeps
     * only buffers whose memory is theirs alone) and allocates anew. Only
     * one whose metadata is stale gets a shallow copy (same memory, no
     * bytes copied) for the metadata to be written.
     */
    if (gst_buffer_is_writable (inbuf) ||
        gst_vvas_element_metadata_is_current (inbuf))
      *outbuf = inbuf;
    else
      *outbuf = gst_buffer_copy (inbuf);
    return GST_FLOW_OK;
  }
  if (gst_vvas_buffer_is_dmabuf (inbuf)) {
    *outbuf = import_buffer (self, inbuf);
    self->output_imported = *outbuf != NULL;
    if (*outbuf)
      return GST_FLOW_OK;
  }

  return gst_vvas_element_acquire_output (trans, inbuf, outbuf);
}

static GstFlowReturn
gst_vvas_upload_transform (GstBaseTransform * trans, GstBuffer * inbuf,
    GstBuffer * outbuf)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (trans);
  gsize copied;

  if (gst_vvas_buffer_is_empty (inbuf)) {
    if (!gst_vvas_element_pass_empty (GST_ELEMENT (self), inbuf))
      return GST_BASE_TRANSFORM_FLOW_DROPPED;
    gst_vvas_counters_add (GST_ELEMENT (self), &self->counters, FALSE, 0);
    return GST_FLOW_OK;
  }
  if (self->output_imported) {
    self->output_imported = FALSE;
    gst_vvas_counters_add (GST_ELEMENT (self), &self->counters, FALSE, 0);
    gst_vvas_buffer_write_metadata (outbuf);
    return GST_FLOW_OK;
  }
  if (inbuf == outbuf ||
      gst_buffer_peek_memory (inbuf, 0) == gst_buffer_peek_memory (outbuf, 0)) {
    gst_vvas_counters_add (GST_ELEMENT (self), &self->counters, FALSE, 0);
    /* A buffer others hold too is passed only with current metadata. */
    if (gst_buffer_is_writable (outbuf))
      gst_vvas_buffer_write_metadata (outbuf);
    return GST_FLOW_OK;
  }

  if (!gst_vvas_element_copy_frame (GST_ELEMENT (self), &self->in_info,
          inbuf, &self->out_info, outbuf, &copied))
    return GST_FLOW_ERROR;
  gst_vvas_buffer_write_metadata (outbuf);

  gst_vvas_counters_add (GST_ELEMENT (self), &self->counters, TRUE, copied);
  return GST_FLOW_OK;
}

static gboolean
gst_vvas_upload_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstVvasUpload *self = GST_VVAS_UPLOAD (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    GST_VVAS_COUNTERS_LOG_EOS (self, &self->counters);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static GstStateChangeReturn
gst_vvas_upload_change_state (GstElement * element, GstStateChange transition)
{
  GstStateChangeReturn ret =
      GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);

  /* Down to NULL: this element no longer keeps the device (or its xclbin). */
  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    release_context (GST_VVAS_UPLOAD (element));
  return ret;
}

static void
gst_vvas_upload_class_init (GstVvasUploadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gst_vvas_element_init_debug ();
  gobject_class->set_property = gst_vvas_upload_set_property;
  gobject_class->get_property = gst_vvas_upload_get_property;
  gobject_class->finalize = gst_vvas_upload_finalize;

  gst_vvas_element_install_device_properties (gobject_class, PROP_DEV_IDX);
  gst_vvas_counters_install_properties (gobject_class, PROP_BUFFERS_PASSED);
  g_object_class_install_property (gobject_class, PROP_BUFFERS_IMPORTED,
      g_param_spec_uint64 ("buffers-imported", "Buffers imported",
          "DMA-bufs imported into device memory instead of copied, each "
          "counted once however often it comes back", 0, G_MAXUINT64, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  import_run_quark = g_quark_from_static_string ("GstVvasUploadImportRun");

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "VVAS memory upload", "Filter/Video",
      "Moves raw video into VVAS device memory on one device and bank, "
      "without a copy when upstream writes into it directly",
      "vvas-xrt-memory authors");

  element_class->set_context = GST_DEBUG_FUNCPTR (gst_vvas_upload_set_context);
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_vvas_upload_change_state);

  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->query = GST_DEBUG_FUNCPTR (gst_vvas_upload_query);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_vvas_upload_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_vvas_upload_stop);
  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_vvas_upload_transform_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_vvas_upload_set_caps);
  trans_class->propose_allocation =
      GST_DEBUG_FUNCPTR (gst_vvas_upload_propose_allocation);
  trans_class->decide_allocation =
      GST_DEBUG_FUNCPTR (gst_vvas_upload_decide_allocation);
  trans_class->prepare_output_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_upload_prepare_output_buffer);
  trans_class->transform = GST_DEBUG_FUNCPTR (gst_vvas_upload_transform);
  trans_class->transform_meta =
      GST_DEBUG_FUNCPTR (gst_vvas_element_transform_meta);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_vvas_upload_sink_event);
}

static void
gst_vvas_upload_init (GstVvasUpload * self)
{
  self->dev_idx = DEFAULT_DEV_IDX;
  self->mem_bank = DEFAULT_MEM_BANK;
  /* A copy is the same bytes: as neutral as its input when that is a GAP. */
  gst_base_transform_set_gap_aware (GST_BASE_TRANSFORM (self), TRUE);
}
