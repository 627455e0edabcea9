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
 * Its source pad also offers `video/x-raw(memory:DMABuf)`, after system
 * memory. When downstream names that feature in its caps (a display, an
 * encoder or an accelerator that takes DMA-bufs; or a capsfilter), each
 * frame in VVAS device memory leaves as #GstDmaBufMemory onto the same
 * device memory: no copy, a #GstVideoMeta with the frame's strides and
 * offsets, bytes the host wrote transferred to the device first. Each VVAS
 * memory has one DMA-buf memory, with one fd, handed out with every frame
 * it carries (gst_vvas_memory_get_dmabuf_memory()), so a display that
 * caches its import per memory imports once per buffer of the pool. The
 * output buffer holds the input buffer (#GstParentBufferMeta): the input
 * buffer stays out of its pool, so the frame is not overwritten under its
 * reader, as long as the output buffer lives; a consumer that keeps a
 * DMA-buf memory without its buffer keeps a valid fd but not the frame, as
 * with GStreamer's own DMA-buf pools. #GstVvasDownload:buffers-exported
 * counts such frames (they count in #GstVvasDownload:buffers-passed too).
 * A device that cannot export (XRT's no-op device) is found out at the
 * first frame: the element says so once at INFO and renegotiates in system
 * memory, so the pipeline runs on as long as downstream also takes system
 * memory. Only VVAS device memory is exported: frames in any other memory
 * make the element renegotiate the same way, and take the copy path into
 * system memory. #GstVvasDownload:force-copy does not apply to DMA-buf
 * output.
 *
 * #GstVvasDownload:dmabuf-export says when frames leave as DMA-buf memory.
 * `caps` (the default) is the behaviour above. `always` also exports under
 * system-memory caps: for sinks that import a buffer whose memories are all
 * DMA-buf memory but advertise system memory only, as `kmssink` of
 * GStreamer 1.22 and V4L2 sinks and encoders with `io-mode=dmabuf-import`
 * do; such a sink then displays or encodes the device memory without a
 * copy, where it would copy the VVAS memory into a buffer of its own. The
 * frames carry #GstVideoMeta, which those sinks read for strides and
 * offsets; they go as DMA-buf memory wherever they would pass without a
 * copy (downstream supports #GstVideoMeta, or the layout is the default
 * one), and #GstVvasDownload:force-copy still copies them into system
 * memory. Where the device cannot export, the element says so once at INFO
 * and passes the VVAS memory on, as with `caps`: nothing to renegotiate,
 * no failed pipeline. `never` never exports: it offers system memory only,
 * so a downstream that takes DMA-buf memory only does not link, or fails
 * to negotiate (upstream stops with not-negotiated).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 videotestsrc ! vvasupload xclbin-location=my.xclbin ! \
 *   vvasdownload ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 videotestsrc ! vvasupload xclbin-location=my.xclbin ! \
 *   vvasdownload ! 'video/x-raw(memory:DMABuf)' ! waylandsink
 * ]|
 * |[
 * gst-launch-1.0 videotestsrc ! vvasupload xclbin-location=my.xclbin ! \
 *   vvasdownload dmabuf-export=always ! kmssink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvasdownload.h"

#include <gst/vvas/gstvvasdmabuf.h>

GST_DEBUG_CATEGORY_STATIC (gst_vvas_download_debug);
#define GST_CAT_DEFAULT gst_vvas_download_debug

enum
{
  PROP_0,
  PROP_FORCE_COPY,
  PROP_DMABUF_EXPORT,
  PROP_BUFFERS_PASSED,          /* the three counters, in this order */
  PROP_BUFFERS_COPIED,
  PROP_BYTES_COPIED,
  PROP_BUFFERS_EXPORTED,
};

#define DEFAULT_DMABUF_EXPORT GST_VVAS_DOWNLOAD_DMABUF_EXPORT_CAPS

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE_WITH_FEATURES
        (GST_CAPS_FEATURE_MEMORY_VVAS, GST_VIDEO_FORMATS_ALL) "; "
        GST_VIDEO_CAPS_MAKE (GST_VIDEO_FORMATS_ALL)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (GST_VIDEO_FORMATS_ALL) "; "
        GST_VIDEO_CAPS_MAKE_WITH_FEATURES (GST_CAPS_FEATURE_MEMORY_DMABUF,
            GST_VIDEO_FORMATS_ALL)));

#define gst_vvas_download_parent_class parent_class
G_DEFINE_TYPE (GstVvasDownload, gst_vvas_download, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (vvasdownload, "vvasdownload",
    GST_RANK_NONE, GST_TYPE_VVAS_DOWNLOAD,
    GST_DEBUG_CATEGORY_INIT (gst_vvas_download_debug, "vvasdownload", 0,
        "Download from VVAS memory"));

GType
gst_vvas_download_dmabuf_export_get_type (void)
{
  static gsize type = 0;
  /* gst-inspect-1.0 shows the nick and, as its description, the name. */
  static const GEnumValue values[] = {
    {GST_VVAS_DOWNLOAD_DMABUF_EXPORT_CAPS,
        "Export only when downstream's caps name memory:DMABuf", "caps"},
    {GST_VVAS_DOWNLOAD_DMABUF_EXPORT_ALWAYS,
        "Export under system-memory caps too, for sinks that import DMA-buf "
          "memory without saying so in their caps (kmssink of 1.22, V4L2 "
          "dmabuf-import)", "always"},
    {GST_VVAS_DOWNLOAD_DMABUF_EXPORT_NEVER,
        "Never export; negotiate system memory only", "never"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstVvasDownloadDmabufExport", values);

    g_once_init_leave (&type, t);
  }
  return (GType) type;
}

static GstVvasDownloadDmabufExport
get_dmabuf_export (GstVvasDownload * self)
{
  GstVvasDownloadDmabufExport mode;

  GST_OBJECT_LOCK (self);
  mode = self->dmabuf_export;
  GST_OBJECT_UNLOCK (self);
  return mode;
}

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
    case PROP_DMABUF_EXPORT:
      self->dmabuf_export = g_value_get_enum (value);
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
    case PROP_DMABUF_EXPORT:
      g_value_set_enum (value, self->dmabuf_export);
      break;
    case PROP_BUFFERS_EXPORTED:
      g_value_set_uint64 (value, self->buffers_exported);
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
  GST_OBJECT_LOCK (self);
  self->buffers_exported = 0;
  GST_OBJECT_UNLOCK (self);
  /* Each run finds out again: it may run on another device. */
  g_atomic_int_set (&self->export_failed, FALSE);
  self->output_dmabuf = FALSE;
  self->output_exported = FALSE;
  return TRUE;
}

static GstCaps *
gst_vvas_download_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstVvasDownload *self = GST_VVAS_DOWNLOAD (trans);
  /* Sink to src: system memory, then DMA-buf memory (unless this run found
   * it cannot export, or dmabuf-export is never); src to sink: VVAS memory
   * preferred. The input caps do not say whether the frames are VVAS memory
   * (vvasupload may hand VVAS memory on in system-memory caps): the frames
   * say it. With never, a downstream that takes DMA-buf only finds no
   * common caps: it does not link, or upstream's caps query (filtered by
   * these caps) comes back empty and upstream reports not-negotiated. */
  GstCaps *result = gst_vvas_caps_with_features (caps,
      direction == GST_PAD_SRC, TRUE);

  if (direction == GST_PAD_SINK && !g_atomic_int_get (&self->export_failed)
      && get_dmabuf_export (self) != GST_VVAS_DOWNLOAD_DMABUF_EXPORT_NEVER)
    result = gst_vvas_caps_add_dmabuf (result);

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, result,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (result);
    result = tmp;
  }
  return result;
}

static gboolean
caps_have_dmabuf (GstCaps * caps)
{
  guint i, n = gst_caps_get_size (caps);

  for (i = 0; i < n; i++) {
    GstCapsFeatures *f = gst_caps_get_features (caps, i);

    if (f && !gst_caps_features_is_any (f) &&
        gst_caps_features_contains (f, GST_CAPS_FEATURE_MEMORY_DMABUF))
      return TRUE;
  }
  return FALSE;
}

/*
 * System memory comes first in what this element offers: passing the VVAS
 * memory on is zero-copy too, and its host view is mapped once, where a
 * DMA-buf memory is mapped anew at every map. A downstream whose own
 * caps name memory:DMABuf wants DMA-bufs, though (a display, a capsfilter):
 * then the DMA-buf structures go first. A downstream that takes ANY caps
 * (fakesink, an appsink without caps) gets system memory.
 */
static GstCaps *
gst_vvas_download_fixate_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * othercaps)
{
  GstCaps *peer;

  if (direction == GST_PAD_SINK && caps_have_dmabuf (othercaps)) {
    peer = gst_pad_peer_query_caps (GST_BASE_TRANSFORM_SRC_PAD (trans), NULL);
    if (peer && !gst_caps_is_any (peer) && caps_have_dmabuf (peer)) {
      GstCaps *first = gst_caps_new_empty ();
      GstCaps *rest = gst_caps_new_empty ();
      guint i, n = gst_caps_get_size (othercaps);

      for (i = 0; i < n; i++) {
        GstCapsFeatures *f = gst_caps_get_features (othercaps, i);
        gboolean dmabuf = f && !gst_caps_features_is_any (f) &&
            gst_caps_features_contains (f, GST_CAPS_FEATURE_MEMORY_DMABUF);

        gst_caps_append_structure_full (dmabuf ? first : rest,
            gst_structure_copy (gst_caps_get_structure (othercaps, i)),
            f ? gst_caps_features_copy (f) : NULL);
      }
      gst_caps_unref (othercaps);
      othercaps = gst_caps_merge (first, rest);
      GST_DEBUG_OBJECT (trans, "downstream takes DMA-buf memory: %"
          GST_PTR_FORMAT, othercaps);
    }
    gst_clear_caps (&peer);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->fixate_caps (trans,
      direction, caps, othercaps);
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
  self->output_dmabuf = caps_have_dmabuf (outcaps);
  GST_DEBUG_OBJECT (self, "output in %s memory",
      self->output_dmabuf ? "DMA-buf" : "system");
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

/* True when every memory of @buf is VVAS device memory, which exports. */
static gboolean
is_vvas_device_buffer (GstBuffer * buf)
{
  guint i, n = gst_buffer_n_memory (buf);

  for (i = 0; i < n; i++) {
    GstMemory *mem = gst_buffer_peek_memory (buf, i);
    VvasAllocationInfo info;

    if (!gst_is_vvas_memory (mem) ||
        vvas_memory_get_allocation_info (gst_vvas_memory_get_vvas_memory
            (mem), &info) != VVAS_RET_SUCCESS ||
        info.alloc_type != VVAS_ALLOC_TYPE_CMA)
      return FALSE;
  }
  return n > 0;
}

/*
 * A buffer of @inbuf's frame in DMA-buf memories onto its VVAS memories,
 * with a GstVideoMeta for the layout, or NULL with @error set when the
 * device cannot export. Each VVAS memory's own DMA-buf memory: the same
 * object, with the same fd, every time the pool hands out its buffer, so
 * that a consumer's cache on the memory hits (see gstvvasdmabuf.c for
 * kmssink's and waylandsink's), and pending host bytes synced at each
 * frame. Since that memory is shared by every frame of the buffer, the
 * frame hold is on the output buffer: a GstParentBufferMeta holding
 * @inbuf, which goes back to its pool, to be refilled, when the output
 * buffer (or a copy of it: the meta is copied with it) goes. A consumer
 * that keeps a memory without its buffer keeps a valid fd, not the frame,
 * as with v4l2src's DMA-buf pool.
 */
static GstBuffer *
export_buffer (GstVvasDownload * self, GstBuffer * inbuf, GError ** error)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstVideoInfo *info = &self->in_info;
  GstVideoMeta *in_meta = gst_buffer_get_video_meta (inbuf);
  GstVideoMeta *out_meta;
  guint i, n = gst_buffer_n_memory (inbuf);
  GstBuffer *outbuf = gst_buffer_new ();

  for (i = 0; i < n; i++) {
    GstMemory *dmamem =
        gst_vvas_memory_get_dmabuf_memory (gst_buffer_peek_memory (inbuf, i),
        error);

    if (!dmamem) {
      gst_buffer_unref (outbuf);
      return NULL;
    }
    gst_buffer_append_memory (outbuf, dmamem);
  }
  gst_buffer_add_parent_buffer_meta (outbuf, inbuf);

  /* Flags, times and the frame's metas, as for a copy. */
  if (!GST_BASE_TRANSFORM_GET_CLASS (trans)->copy_metadata (trans, inbuf,
          outbuf)) {
    gst_buffer_unref (outbuf);
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
        "could not copy the frame's metadata");
    return NULL;
  }
  /* The layout: the input's own, else the caps' default one. */
  if (in_meta)
    out_meta = gst_buffer_add_video_meta_full (outbuf, in_meta->flags,
        in_meta->format, in_meta->width, in_meta->height, in_meta->n_planes,
        in_meta->offset, in_meta->stride);
  else
    out_meta = gst_buffer_add_video_meta_full (outbuf,
        GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT (info),
        GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
        GST_VIDEO_INFO_N_PLANES (info), info->offset, info->stride);
  if (in_meta && out_meta)
    gst_video_meta_set_alignment (out_meta, in_meta->alignment);
  return outbuf;
}

/*
 * The frame cannot leave as DMA-buf (@why): this run goes on in system
 * memory. vvasdownload has no device of its own, so it cannot ask one
 * beforehand; and XRT has no query for it (the no-op device opens,
 * allocates and maps, and fails only the export itself). A device context
 * shared through GstContext does not help either: the frames may come from
 * elements of another device, or not from a VVAS element at all. So the
 * first frame's export is the probe, at no cost where exporting works;
 * where it fails, or the frames are not VVAS device memory, the element
 * drops the DMA-buf caps and renegotiates before any output buffer leaves,
 * so nothing goes out in DMA-buf caps without DMA-buf memory. The
 * knowledge lasts for the run (start() forgets it: the next run may be on
 * another device).
 */
static gboolean
fall_back_to_system_memory (GstVvasDownload * self, const gchar * why)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);

  GST_INFO_OBJECT (self, "%s: renegotiating in system memory", why);
  g_atomic_int_set (&self->export_failed, TRUE);
  gst_pad_mark_reconfigure (GST_BASE_TRANSFORM_SRC_PAD (trans));
  if (!gst_base_transform_reconfigure (trans)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Downstream takes only DMA-buf memory, which this element cannot "
            "give."), ("%s", why));
    return FALSE;
  }
  return TRUE;
}

/*
 * dmabuf-export=always, system-memory caps: the frame leaves as DMA-buf
 * memory all the same, for sinks that look at the memory rather than the
 * caps. GStreamer 1.22's kmssink, for one, advertises system-memory caps
 * only; for each buffer it checks gst_is_dmabuf_memory() on the first
 * memory, then finds each plane's memory at the GstVideoMeta offset (taking
 * the meta's strides and offsets over the caps'), requires every such
 * memory to be DMA-buf and no more memories than planes, and adds the
 * memory's own offset to the plane's: it imports the fds with
 * drmPrimeFDToHandle and makes a framebuffer (drmModeAddFB2) of those
 * pitches and offsets, which the display driver accepts or refuses (pitch
 * and offset alignment, contiguity: only a board tells). Anything else
 * (not all DMA-buf, import or framebuffer refused) it copies into a dumb
 * buffer, which is what a VVAS memory gets. It caches the framebuffer on
 * the first DMA-buf memory (qdata), and each VVAS memory has one DMA-buf
 * memory (export_buffer()): one import and one framebuffer per buffer of
 * the upstream pool, not per frame.
 *
 * Where the device cannot export, the frames go as they would with caps:
 * they are in system-memory caps already, so there is nothing to
 * renegotiate; one INFO line, and no further attempt this run.
 */
static gboolean
export_under_system_caps (GstVvasDownload * self, GstBuffer * inbuf,
    GstBuffer ** outbuf)
{
  GError *error = NULL;

  if (!is_vvas_device_buffer (inbuf)) {
    GST_INFO_OBJECT (self, "dmabuf-export=always: the input frames are not "
        "in VVAS device memory, which is all that exports as DMA-buf: "
        "passing them on as they are");
    g_atomic_int_set (&self->export_failed, TRUE);
    return FALSE;
  }
  *outbuf = export_buffer (self, inbuf, &error);
  if (*outbuf) {
    self->output_exported = TRUE;
    return TRUE;
  }
  GST_INFO_OBJECT (self, "VVAS device %d cannot export DMA-buf (%s): "
      "dmabuf-export=always passes its memory on instead",
      gst_vvas_memory_get_device_index (gst_buffer_peek_memory (inbuf, 0)),
      error->message);
  g_clear_error (&error);
  g_atomic_int_set (&self->export_failed, TRUE);
  return FALSE;
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

  self->output_exported = FALSE;
  /* No frame to copy: transform() passes or drops it. */
  if (gst_vvas_buffer_is_empty (inbuf)) {
    *outbuf = inbuf;
    return GST_FLOW_OK;
  }
  if (self->output_dmabuf) {
    GError *error = NULL;
    gchar *why;
    gboolean renegotiated;

    if (is_vvas_device_buffer (inbuf)) {
      *outbuf = export_buffer (self, inbuf, &error);
      if (*outbuf) {
        self->output_exported = TRUE;
        return GST_FLOW_OK;
      }
      why = g_strdup_printf ("VVAS device %d cannot export DMA-buf (%s)",
          gst_vvas_memory_get_device_index (gst_buffer_peek_memory (inbuf,
                  0)), error->message);
      g_clear_error (&error);
    } else {
      why = g_strdup ("the input frames are not in VVAS device memory, "
          "which is all that exports as DMA-buf");
    }
    renegotiated = fall_back_to_system_memory (self, why);
    g_free (why);
    if (!renegotiated)
      return GST_FLOW_NOT_NEGOTIATED;
    /* set_caps chose system memory: on as below. */
  }
  if (!force_copy && !self->output_dmabuf &&
      (self->downstream_has_video_meta ||
          gst_vvas_element_has_default_layout (inbuf, &self->in_info))) {
    if (get_dmabuf_export (self) == GST_VVAS_DOWNLOAD_DMABUF_EXPORT_ALWAYS &&
        !g_atomic_int_get (&self->export_failed) &&
        export_under_system_caps (self, inbuf, outbuf))
      return GST_FLOW_OK;
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
  if (self->output_exported) {
    self->output_exported = FALSE;
    gst_vvas_counters_add (GST_ELEMENT (self), &self->counters, FALSE, 0);
    GST_OBJECT_LOCK (self);
    self->buffers_exported++;
    GST_OBJECT_UNLOCK (self);
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
    /* Only when there were some: the line above says it all otherwise. */
    GST_OBJECT_LOCK (self);
    if (self->buffers_exported > 0)
      GST_INFO_OBJECT (self, "EOS: %" G_GUINT64_FORMAT " of the buffers "
          "passed through went as DMA-buf", self->buffers_exported);
    GST_OBJECT_UNLOCK (self);
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
  /**
   * GstVvasDownload:dmabuf-export:
   *
   * When frames in VVAS device memory leave as #GstDmaBufMemory onto that
   * memory: only under caps that name `memory:DMABuf` (`caps`), under
   * system-memory caps too (`always`: for `kmssink` of GStreamer 1.22 and
   * V4L2 elements with `io-mode=dmabuf-import`, which import DMA-buf
   * memory they are handed but advertise system memory only), or never
   * (`never`: system memory only, even with a downstream that asks for
   * DMA-buf). A device that cannot export makes `always` pass the VVAS
   * memory on, with one INFO line. #GstVvasDownload:force-copy still copies
   * into system memory under system-memory caps. Read when caps are
   * negotiated and per frame; set it before the element starts.
   *
   * Since: 1.0
   */
  g_object_class_install_property (gobject_class, PROP_DMABUF_EXPORT,
      g_param_spec_enum ("dmabuf-export", "DMA-buf export",
          "When device frames leave as DMA-buf memory: caps (only under "
          "memory:DMABuf caps), always (under system-memory caps too, for "
          "kmssink of GStreamer 1.22 and V4L2 dmabuf-import; VVAS memory "
          "where the device cannot export; force-copy still copies), never "
          "(system memory only)",
          GST_TYPE_VVAS_DOWNLOAD_DMABUF_EXPORT, DEFAULT_DMABUF_EXPORT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  gst_type_mark_as_plugin_api (GST_TYPE_VVAS_DOWNLOAD_DMABUF_EXPORT, 0);
  gst_vvas_counters_install_properties (gobject_class, PROP_BUFFERS_PASSED);
  /**
   * GstVvasDownload:buffers-exported:
   *
   * Frames handed on as #GstDmaBufMemory onto their VVAS device memory,
   * without a copy (DMA-buf caps negotiated, or
   * #GstVvasDownload:dmabuf-export is `always`); each is counted in
   * #GstVvasDownload:buffers-passed too. Reset when the element starts.
   *
   * Since: 1.0
   */
  g_object_class_install_property (gobject_class, PROP_BUFFERS_EXPORTED,
      g_param_spec_uint64 ("buffers-exported", "Buffers exported",
          "Buffers passed on as DMA-buf memory onto their device memory, "
          "without a copy (also counted in buffers-passed)", 0, G_MAXUINT64,
          0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "VVAS memory download", "Filter/Video",
      "Hands raw video in VVAS memory to system-memory elements, without a "
      "copy when they support GstVideoMeta, or as DMA-buf memory to those "
      "that take it", "vvas-xrt-memory authors");

  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->start = GST_DEBUG_FUNCPTR (gst_vvas_download_start);
  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_vvas_download_transform_caps);
  trans_class->fixate_caps = GST_DEBUG_FUNCPTR (gst_vvas_download_fixate_caps);
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
  self->dmabuf_export = DEFAULT_DMABUF_EXPORT;
}
