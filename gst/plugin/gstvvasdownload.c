/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION:element-vvasdownload
 * @title: vvasdownload
 *
 * Hands raw video in VVAS memory to elements that work in system memory.
 *
 * VVAS memory is host-mappable, and its host view is made coherent lazily,
 * when downstream maps it: so when downstream supports #GstVideoMeta (or
 * the frame has the default layout) the device buffer is passed on without
 * a copy. Otherwise, or when #GstVvasDownload:force-copy is set (for
 * consumers that hold buffers for long and would starve the device pool),
 * each frame is copied into system memory.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc ! vvasupload xclbin-location=my.xclbin ! \
 *   vvasdownload ! autovideosink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvasdownload.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_download_debug);
#define GST_CAT_DEFAULT gst_vvas_download_debug

enum
{
  PROP_0,
  PROP_FORCE_COPY,
  PROP_BUFFERS_PASSED,          /* the three counters, in this order */
  PROP_BUFFERS_COPIED,
  PROP_BYTES_COPIED,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE_WITH_FEATURES
        (GST_CAPS_FEATURE_MEMORY_VVAS, GST_VIDEO_FORMATS_ALL) "; "
        GST_VIDEO_CAPS_MAKE (GST_VIDEO_FORMATS_ALL)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (GST_VIDEO_FORMATS_ALL)));

#define gst_vvas_download_parent_class parent_class
G_DEFINE_TYPE (GstVvasDownload, gst_vvas_download, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (vvasdownload, "vvasdownload",
    GST_RANK_NONE, GST_TYPE_VVAS_DOWNLOAD,
    GST_DEBUG_CATEGORY_INIT (gst_vvas_download_debug, "vvasdownload", 0,
        "Download from VVAS memory"));

static void
gst_vvas_download_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstVvasDownload *self = GST_VVAS_DOWNLOAD (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FORCE_COPY:
      self->force_copy = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_vvas_download_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstVvasDownload *self = GST_VVAS_DOWNLOAD (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FORCE_COPY:
      g_value_set_boolean (value, self->force_copy);
      break;
    default:
      if (!gst_vvas_counters_get_property (&self->counters,
              PROP_BUFFERS_PASSED, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_vvas_download_start (GstBaseTransform * trans)
{
  GstVvasDownload *self = GST_VVAS_DOWNLOAD (trans);

  gst_vvas_counters_reset (GST_ELEMENT (self), &self->counters);
  return TRUE;
}

static GstCaps *
gst_vvas_download_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  /* Sink to src: system memory only; src to sink: VVAS memory preferred. */
  GstCaps *result = gst_vvas_caps_with_features (caps,
      direction == GST_PAD_SRC, TRUE);

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, result,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (result);
    result = tmp;
  }
  return result;
}

static gboolean
gst_vvas_download_set_caps (GstBaseTransform * trans, GstCaps * incaps,
    GstCaps * outcaps)
{
  GstVvasDownload *self = GST_VVAS_DOWNLOAD (trans);

  if (!gst_video_info_from_caps (&self->in_info, incaps) ||
      !gst_video_info_from_caps (&self->out_info, outcaps)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("caps %" GST_PTR_FORMAT " or %" GST_PTR_FORMAT " are not raw "
            "video", incaps, outcaps));
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_vvas_download_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query)
{
  /* Any layout is fine: it is either passed on with its meta or copied. */
  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  gst_vvas_element_propose_downstream_metas (trans, decide_query, query);
  return TRUE;
}

static gboolean
gst_vvas_download_decide_allocation (GstBaseTransform * trans, GstQuery * query)
{
  GstVvasDownload *self = GST_VVAS_DOWNLOAD (trans);
  GstBufferPool *pool = NULL;
  GstStructure *config;
  guint size = 0, min = 0, max = 0;
  GstVideoInfo info;
  GstCaps *caps;
  gboolean update;

  gst_query_parse_allocation (query, &caps, NULL);
  if (!caps || !gst_video_info_from_caps (&info, caps))
    return FALSE;
  self->downstream_has_video_meta =
      gst_query_find_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);

  /* Copies go to system memory: downstream's pool, or a video pool whose
   * buffers keep their GstVvasMeta. */
  update = gst_query_get_n_allocation_pools (query) > 0;
  if (update)
    gst_query_parse_nth_allocation_pool (query, 0, &pool, &size, &min, &max);
  if (pool && GST_IS_VVAS_BUFFER_POOL (pool))
    gst_clear_object (&pool);
  if (!pool) {
    pool = gst_vvas_element_new_system_pool ();
    size = info.size;
  }
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, MAX (size, info.size),
      min, max);
  if (self->downstream_has_video_meta)
    gst_buffer_pool_config_add_option (config,
        GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (!gst_buffer_pool_set_config (pool, config)) {
    config = gst_buffer_pool_get_config (pool);
    if (!gst_buffer_pool_config_validate_params (config, caps,
            MAX (size, info.size), min, max) ||
        !gst_buffer_pool_set_config (pool, config)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, (NULL),
          ("output pool %" GST_PTR_FORMAT " refused its config", pool));
      gst_object_unref (pool);
      return FALSE;
    }
  }
  if (update)
    gst_query_set_nth_allocation_pool (query, 0, pool, MAX (size, info.size),
        min, max);
  else
    gst_query_add_allocation_pool (query, pool, MAX (size, info.size), min,
        max);
  gst_object_unref (pool);
  GST_DEBUG_OBJECT (self, "downstream %s GstVideoMeta",
      self->downstream_has_video_meta ? "supports" : "does not support");
  return TRUE;
}

static GstFlowReturn
gst_vvas_download_prepare_output_buffer (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer ** outbuf)
{
  GstVvasDownload *self = GST_VVAS_DOWNLOAD (trans);
  gboolean force_copy;

  GST_OBJECT_LOCK (self);
  force_copy = self->force_copy;
  GST_OBJECT_UNLOCK (self);

  /* No frame to copy: transform() passes or drops it. */
  if (gst_vvas_buffer_is_empty (inbuf)) {
    *outbuf = inbuf;
    return GST_FLOW_OK;
  }
  if (!force_copy && (self->downstream_has_video_meta ||
          gst_vvas_element_has_default_layout (inbuf, &self->in_info))) {
    /* Ownership of inbuf moves to outbuf, as in base passthrough. */
    *outbuf = inbuf;
    return GST_FLOW_OK;
  }

  return gst_vvas_element_acquire_output (trans, inbuf, outbuf);
}

static GstFlowReturn
gst_vvas_download_transform (GstBaseTransform * trans, GstBuffer * inbuf,
    GstBuffer * outbuf)
{
  GstVvasDownload *self = GST_VVAS_DOWNLOAD (trans);
  gsize copied;

  if (gst_vvas_buffer_is_empty (inbuf) &&
      !gst_vvas_element_pass_empty (GST_ELEMENT (self), inbuf))
    return GST_BASE_TRANSFORM_FLOW_DROPPED;
  if (inbuf == outbuf) {
    gst_vvas_counters_add (GST_ELEMENT (self), &self->counters, FALSE, 0);
    return GST_FLOW_OK;
  }

  if (!gst_vvas_element_copy_frame (GST_ELEMENT (self), &self->in_info,
          inbuf, &self->out_info, outbuf, &copied))
    return GST_FLOW_ERROR;

  gst_vvas_counters_add (GST_ELEMENT (self), &self->counters, TRUE, copied);
  return GST_FLOW_OK;
}

static gboolean
gst_vvas_download_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstVvasDownload *self = GST_VVAS_DOWNLOAD (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    GST_VVAS_COUNTERS_LOG_EOS (self, &self->counters);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static void
gst_vvas_download_class_init (GstVvasDownloadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gst_vvas_element_init_debug ();
  gobject_class->set_property = gst_vvas_download_set_property;
  gobject_class->get_property = gst_vvas_download_get_property;

  g_object_class_install_property (gobject_class, PROP_FORCE_COPY,
      g_param_spec_boolean ("force-copy", "Force copy",
          "Copy every frame into system memory, for consumers that hold "
          "buffers for long", FALSE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  gst_vvas_counters_install_properties (gobject_class, PROP_BUFFERS_PASSED);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "VVAS memory download", "Filter/Video",
      "Hands raw video in VVAS memory to system-memory elements, without a "
      "copy when they support GstVideoMeta", "vvas-xrt-memory authors");

  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->start = GST_DEBUG_FUNCPTR (gst_vvas_download_start);
  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_vvas_download_transform_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_vvas_download_set_caps);
  trans_class->propose_allocation =
      GST_DEBUG_FUNCPTR (gst_vvas_download_propose_allocation);
  trans_class->decide_allocation =
      GST_DEBUG_FUNCPTR (gst_vvas_download_decide_allocation);
  trans_class->prepare_output_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_download_prepare_output_buffer);
  trans_class->transform = GST_DEBUG_FUNCPTR (gst_vvas_download_transform);
  trans_class->transform_meta =
      GST_DEBUG_FUNCPTR (gst_vvas_element_transform_meta);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_vvas_download_sink_event);
}

static void
gst_vvas_download_init (GstVvasDownload * self)
{
  /* A copy is the same bytes: as neutral as its input when that is a GAP. */
  gst_base_transform_set_gap_aware (GST_BASE_TRANSFORM (self), TRUE);
}
