/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION:gstvvasbufferpool
 * @title: GstVvasBufferPool
 * @short_description: Raw video buffers in VVAS memory
 *
 * A #GstBufferPool whose buffers each hold one VVAS memory sized for the
 * configured video caps. It honours %GST_BUFFER_POOL_OPTION_VIDEO_META and
 * %GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT (strides and plane offsets follow
 * the requested alignment, which accelerators need: 256-byte strides, for
 * example), allocates its minimum number of buffers at activation (zero is
 * a valid minimum) and recycles buffers with their device memory, so a
 * pipeline in steady state allocates nothing per frame.
 *
 * Recycling, discarding of modified buffers (memory removed, resized,
 * shared away or still mapped), flushing and blocking at the maximum are
 * #GstBufferPool's.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvasbufferpool.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_buffer_pool_debug);
#define GST_CAT_DEFAULT gst_vvas_buffer_pool_debug

struct _GstVvasBufferPoolPrivate
{
  GstAllocator *allocator;      /* the one in force: the config's or ours */
  GstAllocator *own_allocator;  /* given to gst_vvas_buffer_pool_new() */
  GstAllocationParams params;
  GstVideoInfo info;
  GstVideoAlignment alignment;
  gboolean add_video_meta;
  guint size;
};

#define gst_vvas_buffer_pool_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstVvasBufferPool, gst_vvas_buffer_pool,
    GST_TYPE_BUFFER_POOL, G_ADD_PRIVATE (GstVvasBufferPool);
    GST_DEBUG_CATEGORY_INIT (gst_vvas_buffer_pool_debug, "vvasbufferpool",
        0, "VVAS buffer pool"));

static const gchar **
gst_vvas_buffer_pool_get_options (GstBufferPool * pool)
{
  static const gchar *options[] = {
    GST_BUFFER_POOL_OPTION_VIDEO_META,
    GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT,
    NULL
  };

  return options;
}

static gboolean
gst_vvas_buffer_pool_set_config (GstBufferPool * pool, GstStructure * config)
{
  GstVvasBufferPool *self = GST_VVAS_BUFFER_POOL_CAST (pool);
  GstVvasBufferPoolPrivate *priv = self->priv;
  GstAllocator *allocator = NULL;
  GstAllocationParams params;
  GstVideoAlignment alignment;
  GstVideoInfo info;
  GstCaps *caps = NULL;
  guint size, min_buffers, max_buffers, plane, stride_align = 0;

  if (!gst_buffer_pool_config_get_params (config, &caps, &size, &min_buffers,
          &max_buffers)) {
    GST_WARNING_OBJECT (pool, "invalid config: no buffer parameters");
    return FALSE;
  }
  if (!caps) {
    GST_WARNING_OBJECT (pool, "invalid config: no caps");
    return FALSE;
  }
  if (!gst_video_info_from_caps (&info, caps)
      || GST_VIDEO_INFO_FORMAT (&info) == GST_VIDEO_FORMAT_ENCODED) {
    GST_WARNING_OBJECT (pool, "invalid config: caps %" GST_PTR_FORMAT
        " are not raw video", caps);
    return FALSE;
  }
  if (!gst_buffer_pool_config_get_allocator (config, &allocator, &params)) {
    GST_WARNING_OBJECT (pool, "invalid config: no allocator parameters");
    return FALSE;
  }
  if (allocator && !GST_IS_VVAS_ALLOCATOR (allocator)) {
    GST_WARNING_OBJECT (pool, "invalid config: allocator %" GST_PTR_FORMAT
        " is not a VVAS allocator", allocator);
    return FALSE;
  }
  if (!allocator)
    allocator = priv->own_allocator;
  if (!allocator) {
    GST_WARNING_OBJECT (pool, "invalid config: no VVAS allocator given, and "
        "the pool was made without one");
    return FALSE;
  }

  priv->add_video_meta = gst_buffer_pool_config_has_option (config,
      GST_BUFFER_POOL_OPTION_VIDEO_META);

  /* Strides and offsets can differ from the default layout only when
   * downstream learns them from a GstVideoMeta. */
  gst_video_alignment_reset (&alignment);
  if (gst_buffer_pool_config_has_option (config,
          GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT)) {
    if (!priv->add_video_meta) {
      GST_WARNING_OBJECT (pool, "invalid config: video alignment needs the "
          "video meta option too");
      return FALSE;
    }
    gst_buffer_pool_config_get_video_alignment (config, &alignment);
    /*
     * Every plane gets the strictest stride alignment asked for, so that
     * plane starts (sums of whole strides) are aligned too, and the memory
     * is at least as aligned. The memory's own alignment (a page, say) does
     * not widen strides: it would waste up to half of every buffer.
     */
    for (plane = 0; plane < GST_VIDEO_MAX_PLANES; plane++)
      stride_align |= alignment.stride_align[plane];
    for (plane = 0; plane < GST_VIDEO_MAX_PLANES; plane++)
      alignment.stride_align[plane] = stride_align;
    if (!gst_video_info_align (&info, &alignment)) {
      GST_WARNING_OBJECT (pool, "invalid config: cannot align %dx%d %s with "
          "the requested padding and strides", GST_VIDEO_INFO_WIDTH (&info),
          GST_VIDEO_INFO_HEIGHT (&info), GST_VIDEO_INFO_NAME (&info));
      return FALSE;
    }
    gst_buffer_pool_config_set_video_alignment (config, &alignment);
  }
  params.align |= stride_align;

  if (size < info.size) {
    GST_DEBUG_OBJECT (pool, "buffer size %u raised to the %" G_GSIZE_FORMAT
        " bytes a frame needs", size, info.size);
    size = info.size;
  }

  gst_object_replace ((GstObject **) & priv->allocator,
      (GstObject *) allocator);
  priv->params = params;
  priv->info = info;
  priv->alignment = alignment;
  priv->size = size;
  gst_buffer_pool_config_set_params (config, caps, size, min_buffers,
      max_buffers);
  gst_buffer_pool_config_set_allocator (config, allocator, &params);

  GST_DEBUG_OBJECT (pool, "%dx%d %s, %u-byte buffers, strides %d/%d/%d, "
      "%u to %u buffers, video meta %s", GST_VIDEO_INFO_WIDTH (&info),
      GST_VIDEO_INFO_HEIGHT (&info), GST_VIDEO_INFO_NAME (&info), size,
      GST_VIDEO_INFO_PLANE_STRIDE (&info, 0),
      GST_VIDEO_INFO_PLANE_STRIDE (&info, 1),
      GST_VIDEO_INFO_PLANE_STRIDE (&info, 2), min_buffers, max_buffers,
      priv->add_video_meta ? "on" : "off");

  return GST_BUFFER_POOL_CLASS (parent_class)->set_config (pool, config);
}

static GstFlowReturn
gst_vvas_buffer_pool_alloc_buffer (GstBufferPool * pool, GstBuffer ** buffer,
    GstBufferPoolAcquireParams * acquire_params)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (pool)->priv;
  GstVideoInfo *info = &priv->info;
  GstMemory *mem;

  mem = gst_allocator_alloc (priv->allocator, priv->size, &priv->params);
  if (!mem) {
    GST_WARNING_OBJECT (pool, "cannot allocate a %u-byte buffer", priv->size);
    return GST_FLOW_ERROR;
  }
  *buffer = gst_buffer_new ();
  gst_buffer_append_memory (*buffer, mem);

  if (priv->add_video_meta) {
    GstVideoMeta *meta = gst_buffer_add_video_meta_full (*buffer,
        GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT (info),
        GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
        GST_VIDEO_INFO_N_PLANES (info), info->offset, info->stride);

    gst_video_meta_set_alignment (meta, priv->alignment);
  }
  return GST_FLOW_OK;
}

static void
gst_vvas_buffer_pool_finalize (GObject * object)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (object)->priv;

  gst_clear_object (&priv->allocator);
  gst_clear_object (&priv->own_allocator);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_vvas_buffer_pool_class_init (GstVvasBufferPoolClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstBufferPoolClass *pool_class = GST_BUFFER_POOL_CLASS (klass);

  gobject_class->finalize = gst_vvas_buffer_pool_finalize;
  pool_class->get_options =
      GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_get_options);
  pool_class->set_config = GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_set_config);
  pool_class->alloc_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_alloc_buffer);
}

static void
gst_vvas_buffer_pool_init (GstVvasBufferPool * self)
{
  self->priv = gst_vvas_buffer_pool_get_instance_private (self);
}

/**
 * gst_vvas_buffer_pool_new:
 * @allocator: (nullable): the #GstVvasAllocator to use when the config
 *   names none
 *
 * Returns: (transfer full): a new pool
 *
 * Since: 1.0
 */
GstBufferPool *
gst_vvas_buffer_pool_new (GstAllocator * allocator)
{
  GstVvasBufferPool *self;

  g_return_val_if_fail (allocator == NULL
      || GST_IS_VVAS_ALLOCATOR (allocator), NULL);

  self = g_object_new (GST_TYPE_VVAS_BUFFER_POOL, NULL);
  gst_object_ref_sink (self);
  if (allocator)
    self->priv->own_allocator = gst_object_ref (allocator);
  return GST_BUFFER_POOL_CAST (self);
}

/**
 * gst_vvas_buffer_pool_get_allocator:
 * @pool: a #GstVvasBufferPool
 *
 * Returns: (transfer none) (nullable): the allocator of its buffers: the
 *   configured one, or the one it was made with
 *
 * Since: 1.0
 */
GstAllocator *
gst_vvas_buffer_pool_get_allocator (GstBufferPool * pool)
{
  GstVvasBufferPoolPrivate *priv;

  g_return_val_if_fail (GST_IS_VVAS_BUFFER_POOL (pool), NULL);

  priv = GST_VVAS_BUFFER_POOL_CAST (pool)->priv;
  return priv->allocator ? priv->allocator : priv->own_allocator;
}
