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
 * gst_buffer_pool_set_config() validates as #GstVideoBufferPool does: fixed
 * raw video caps, a size of at least a frame, min-buffers no more than a
 * non-zero max-buffers, a VVAS allocator, alignments that are masks (a
 * power of two less one), and video alignment only with the video meta
 * option. A refused config returns %FALSE with the reason as a warning in
 * the `vvasbufferpool` debug category. When the pool can correct it (size,
 * maximum, an allocator of another kind replaced by the pool's own), the
 * correction is written into the config, as GStreamer's contract has it:
 * gst_buffer_pool_get_config() returns it, and a caller that accepts it
 * (gst_buffer_pool_config_validate_params()) sets it again. A pool whose
 * last config was refused does not activate.
 *
 * Every buffer carries a #GstVvasMeta from its allocation on, marked
 * %GST_META_FLAG_POOLED: gst_vvas_buffer_write_metadata() and copies of
 * metadata update it instead of adding one per frame, and its times are
 * reset to %GST_CLOCK_TIME_NONE when the buffer comes back.
 *
 * The pool keeps its free buffers itself, in a last-in first-out list under
 * one mutex, rather than in #GstBufferPool's own queue: acquiring and
 * releasing stay cheap when many threads share the pool, and deactivation
 * frees every buffer once the last one is back. Above the minimum, new
 * buffers are allocated on demand and kept up to the maximum (0: no
 * maximum); at the maximum, an acquire waits for a release, or returns
 * %GST_FLOW_EOS with %GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT, and returns
 * %GST_FLOW_FLUSHING once the pool flushes or is deactivated. A returned
 * buffer is discarded (and its device memory freed when nobody else holds
 * it) rather than reused when its memory was removed, replaced or added
 * to, when it was resized, or when its memory is shared away or locked by
 * someone else.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvasbufferpool.h"
#include "gstvvasconflict-private.h"
#include "gstvvasmeta.h"
#include "gstvvasmeta-private.h"

#include <pthread.h>

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
  guint min_buffers;
  guint max_buffers;            /* 0: no maximum */
  gboolean configured;          /* the last config was accepted or corrected */

  /*
   * The free list and the counts, under @lock. POSIX rather than GMutex and
   * GCond: GLib's futex-based ones are invisible to ThreadSanitizer (GLib
   * is not instrumented), and the tests run this pool under it.
   */
  pthread_mutex_t lock;
  pthread_cond_t cond;          /* signalled on release, discard, flush */
  GstBuffer **free_buffers;     /* a stack: the last released goes first */
  guint n_free;
  guint capacity;               /* of free_buffers, >= n_allocated */
  guint n_allocated;            /* allocated and not freed: free or out */
  guint n_waiting;              /* acquires waiting on @cond */
};

#define gst_vvas_buffer_pool_parent_class parent_class
/* AMD VVAS registers a GstVvasBufferPool too: registered only when the name
 * is free (gstvvasconflict-private.h). */
#define gst_vvas_buffer_pool_get_type gst_vvas_buffer_pool_register_type
G_GNUC_INTERNAL GType gst_vvas_buffer_pool_get_type (void);
G_DEFINE_TYPE_WITH_CODE (GstVvasBufferPool, gst_vvas_buffer_pool,
    GST_TYPE_BUFFER_POOL, G_ADD_PRIVATE (GstVvasBufferPool);
    GST_DEBUG_CATEGORY_INIT (gst_vvas_buffer_pool_debug, "vvasbufferpool",
        0, "VVAS buffer pool"));
#undef gst_vvas_buffer_pool_get_type
GST_VVAS_DEFINE_CHECKED_GET_TYPE (GstVvasBufferPool, gst_vvas_buffer_pool);

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

/* GstAllocator and gst_video_info_align() take alignments as masks. */
static inline gboolean
is_alignment_mask (gsize align)
{
  return (align & (align + 1)) == 0;
}

/*
 * Validates @config as GstVideoBufferPool does, and more strictly where
 * its mistakes would surface later as critical warnings. Following
 * GstBufferPool's contract, a config that is wrong in a way the pool can
 * correct (a size too small for a frame, min-buffers above max-buffers, an
 * allocator of another kind) is refused with the correction written into
 * it, for the caller to check with gst_buffer_pool_config_validate_params()
 * and set again. The pool takes the corrected state at once: GstBufferPool
 * stores the config it was given, refused or not, and does not call this
 * again when a configured pool is given that same config.
 */
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
  gsize frame_size;
  gboolean corrected = FALSE;

  /* Whatever happened before, a refused config is not started on. */
  priv->configured = FALSE;

  /* gst_buffer_pool_config_get_params() reads a missing caps field with
   * a critical warning. */
  if (!gst_structure_has_field_typed (config, "caps", GST_TYPE_CAPS)) {
    GST_WARNING_OBJECT (pool, "invalid config: no caps");
    return FALSE;
  }
  if (!gst_buffer_pool_config_get_params (config, &caps, &size, &min_buffers,
          &max_buffers)) {
    GST_WARNING_OBJECT (pool, "invalid config: no buffer parameters");
    return FALSE;
  }
  if (!caps) {
    GST_WARNING_OBJECT (pool, "invalid config: no caps");
    return FALSE;
  }
  if (!gst_caps_is_fixed (caps)) {
    GST_WARNING_OBJECT (pool, "invalid config: caps %" GST_PTR_FORMAT
        " are not fixed", caps);
    return FALSE;
  }
  if (!gst_video_info_from_caps (&info, caps)
      || GST_VIDEO_INFO_FORMAT (&info) == GST_VIDEO_FORMAT_ENCODED) {
    GST_WARNING_OBJECT (pool, "invalid config: caps %" GST_PTR_FORMAT
        " are not raw video", caps);
    return FALSE;
  }
  frame_size = info.size;
  if (!gst_buffer_pool_config_get_allocator (config, &allocator, &params)) {
    GST_WARNING_OBJECT (pool, "invalid config: no allocator parameters");
    return FALSE;
  }
  if (!is_alignment_mask (params.align)) {
    GST_WARNING_OBJECT (pool, "invalid config: allocation alignment %"
        G_GSIZE_FORMAT " is not a power of two less one", params.align);
    return FALSE;
  }
  if (allocator && !GST_IS_VVAS_ALLOCATOR (allocator)) {
    if (!priv->own_allocator) {
      GST_WARNING_OBJECT (pool, "invalid config: allocator %" GST_PTR_FORMAT
          " is not a VVAS allocator, and the pool was made without one",
          allocator);
      return FALSE;
    }
    GST_WARNING_OBJECT (pool, "invalid config: allocator %" GST_PTR_FORMAT
        " is not a VVAS allocator; corrected to the pool's own", allocator);
    allocator = NULL;
    corrected = TRUE;
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
    for (plane = 0; plane < GST_VIDEO_MAX_PLANES; plane++) {
      if (!is_alignment_mask (alignment.stride_align[plane])) {
        GST_WARNING_OBJECT (pool, "invalid config: stride alignment %u of "
            "plane %u is not a power of two less one",
            alignment.stride_align[plane], plane);
        return FALSE;
      }
      stride_align |= alignment.stride_align[plane];
    }
    /*
     * Every plane gets the strictest stride alignment asked for, so that
     * plane starts (sums of whole strides) are aligned too, and the memory
     * is at least as aligned. The memory's own alignment (a page, say) does
     * not widen strides: it would waste up to half of every buffer.
     */
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

  /* The caller cannot know the padding the alignment adds: only a size
   * below a frame's with the default layout is the caller's mistake. */
  if (size < frame_size) {
    GST_WARNING_OBJECT (pool, "invalid config: size %u is smaller than a "
        "%dx%d %s frame (%" G_GSIZE_FORMAT " bytes); corrected", size,
        GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
        GST_VIDEO_INFO_NAME (&info), frame_size);
    corrected = TRUE;
  }
  size = MAX (size, info.size);
  if (max_buffers != 0 && min_buffers > max_buffers) {
    GST_WARNING_OBJECT (pool, "invalid config: min-buffers %u > max-buffers "
        "%u; corrected to max-buffers %u", min_buffers, max_buffers,
        min_buffers);
    max_buffers = min_buffers;
    corrected = TRUE;
  }

  gst_object_replace ((GstObject **) & priv->allocator,
      (GstObject *) allocator);
  priv->params = params;
  priv->info = info;
  priv->alignment = alignment;
  priv->size = size;
  priv->min_buffers = min_buffers;
  priv->max_buffers = max_buffers;
  priv->configured = TRUE;
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

  return GST_BUFFER_POOL_CLASS (parent_class)->set_config (pool, config) &&
      !corrected;
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
  /* Pooled along with the video meta: never added per frame. */
  gst_buffer_add_vvas_meta (*buffer, NULL);
  return GST_FLOW_OK;
}

static gboolean
mark_meta_pooled (GstBuffer * buffer, GstMeta ** meta, gpointer user_data)
{
  GST_META_FLAG_SET (*meta, GST_META_FLAG_POOLED | GST_META_FLAG_LOCKED);
  return TRUE;
}

/*
 * Counts one more buffer and makes room for it in the free list, so that a
 * release never allocates. Under the lock.
 */
static void
reserve_buffer_locked (GstVvasBufferPoolPrivate * priv)
{
  priv->n_allocated++;
  if (priv->n_allocated > priv->capacity) {
    priv->capacity = MAX (16, 2 * priv->capacity);
    priv->free_buffers = g_renew (GstBuffer *, priv->free_buffers,
        priv->capacity);
  }
}

/* Forgets a buffer (freed, or never allocated). Under the lock. */
static void
forget_buffer_locked (GstVvasBufferPoolPrivate * priv)
{
  priv->n_allocated--;
  /* Room below the maximum: a waiting acquire can allocate. */
  if (priv->n_waiting > 0)
    pthread_cond_signal (&priv->cond);
}

/*
 * Allocates a buffer for a slot reserved with reserve_buffer_locked(), as
 * GstBufferPool does for its own queue: the metas it carries now stay for
 * its whole life, and it starts with untouched memory. Without the lock.
 */
static GstFlowReturn
new_buffer (GstBufferPool * pool, GstBuffer ** buffer,
    GstBufferPoolAcquireParams * params)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (pool)->priv;
  GstFlowReturn ret;

  ret = GST_BUFFER_POOL_GET_CLASS (pool)->alloc_buffer (pool, buffer, params);
  if (ret != GST_FLOW_OK) {
    pthread_mutex_lock (&priv->lock);
    forget_buffer_locked (priv);
    pthread_mutex_unlock (&priv->lock);
    return ret;
  }
  gst_buffer_foreach_meta (*buffer, mark_meta_pooled, NULL);
  GST_BUFFER_FLAG_UNSET (*buffer, GST_BUFFER_FLAG_TAG_MEMORY);
  GST_LOG_OBJECT (pool, "allocated buffer %p", *buffer);
  return GST_FLOW_OK;
}

/* Frees a buffer of the pool that is neither free nor out any more. */
static void
free_buffer (GstBufferPool * pool, GstBuffer * buffer)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (pool)->priv;

  GST_BUFFER_POOL_GET_CLASS (pool)->free_buffer (pool, buffer);
  pthread_mutex_lock (&priv->lock);
  forget_buffer_locked (priv);
  pthread_mutex_unlock (&priv->lock);
}

/*
 * Under the lock. There is room: @buffer is one of the n_allocated buffers
 * reserve_buffer_locked() made room for, and it was not free.
 */
static void
push_free_locked (GstVvasBufferPoolPrivate * priv, GstBuffer * buffer)
{
  priv->free_buffers[priv->n_free++] = buffer;
  if (priv->n_waiting > 0)
    pthread_cond_signal (&priv->cond);
}

/*
 * Frees the free buffers; TRUE if none of the pool's buffers is left, out
 * or free.
 */
static gboolean
free_all (GstBufferPool * pool)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (pool)->priv;
  GstBuffer *buffer;
  guint left;

  /* One at a time, so that XRT is never called under the lock. */
  pthread_mutex_lock (&priv->lock);
  while (priv->n_free > 0) {
    buffer = priv->free_buffers[--priv->n_free];
    pthread_mutex_unlock (&priv->lock);
    free_buffer (pool, buffer);
    pthread_mutex_lock (&priv->lock);
  }
  left = priv->n_allocated;
  pthread_mutex_unlock (&priv->lock);

  if (left > 0) {
    GST_WARNING_OBJECT (pool, "%u buffers are still out", left);
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_vvas_buffer_pool_start (GstBufferPool * pool)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (pool)->priv;
  GstBuffer *buffer;
  guint i;

  if (!priv->configured) {
    GST_WARNING_OBJECT (pool, "cannot start: its last config was refused");
    return FALSE;
  }
  for (i = 0; i < priv->min_buffers; i++) {
    pthread_mutex_lock (&priv->lock);
    reserve_buffer_locked (priv);
    pthread_mutex_unlock (&priv->lock);
    if (new_buffer (pool, &buffer, NULL) != GST_FLOW_OK) {
      GST_WARNING_OBJECT (pool, "could allocate only %u of its %u buffers",
          i, priv->min_buffers);
      free_all (pool);
      return FALSE;
    }
    pthread_mutex_lock (&priv->lock);
    push_free_locked (priv, buffer);
    pthread_mutex_unlock (&priv->lock);
  }
  GST_DEBUG_OBJECT (pool, "started with %u buffers", priv->min_buffers);
  return TRUE;
}

/*
 * GstBufferPool stops a pool once it is inactive and every buffer it
 * handed out came back: free them all.
 */
static gboolean
gst_vvas_buffer_pool_stop (GstBufferPool * pool)
{
  GST_DEBUG_OBJECT (pool, "stopping");
  return free_all (pool);
}

static GstFlowReturn
gst_vvas_buffer_pool_acquire_buffer (GstBufferPool * pool,
    GstBuffer ** buffer, GstBufferPoolAcquireParams * params)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (pool)->priv;

  pthread_mutex_lock (&priv->lock);
  while (TRUE) {
    if (G_UNLIKELY (GST_BUFFER_POOL_IS_FLUSHING (pool))) {
      pthread_mutex_unlock (&priv->lock);
      GST_DEBUG_OBJECT (pool, "flushing");
      return GST_FLOW_FLUSHING;
    }
    if (G_LIKELY (priv->n_free > 0)) {
      *buffer = priv->free_buffers[--priv->n_free];
      pthread_mutex_unlock (&priv->lock);
      return GST_FLOW_OK;
    }
    if (priv->max_buffers == 0 || priv->n_allocated < priv->max_buffers)
      break;
    if (params && (params->flags & GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT)) {
      pthread_mutex_unlock (&priv->lock);
      GST_LOG_OBJECT (pool, "all %u buffers are out", priv->max_buffers);
      return GST_FLOW_EOS;
    }
    GST_LOG_OBJECT (pool, "all %u buffers are out: waiting", priv->max_buffers);
    priv->n_waiting++;
    pthread_cond_wait (&priv->cond, &priv->lock);
    priv->n_waiting--;
  }
  reserve_buffer_locked (priv);
  pthread_mutex_unlock (&priv->lock);

  return new_buffer (pool, buffer, params);
}

static void
gst_vvas_buffer_pool_reset_buffer (GstBufferPool * pool, GstBuffer * buffer)
{
  GST_BUFFER_POOL_CLASS (parent_class)->reset_buffer (pool, buffer);

  /* The pooled meta, its times unset like the buffer's. */
  gst_vvas_meta_unset_times (gst_buffer_get_vvas_meta (buffer));
}

/* Why @buffer, back from its user, cannot be handed out again, or NULL. */
static const gchar *
why_not_reusable (GstVvasBufferPoolPrivate * priv, GstBuffer * buffer)
{
  GstMemory *mem;

  if (GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_TAG_MEMORY))
    return "memory removed, replaced or added";
  if (gst_buffer_n_memory (buffer) != 1)
    return "not one memory";
  mem = gst_buffer_peek_memory (buffer, 0);
  if (mem->allocator != priv->allocator)
    return "not a memory of the pool's allocator";
  /* reset_buffer() gave the buffer its full size back if it could. */
  if (mem->size != priv->size)
    return "resized";
  /* Shared away (a sub-memory holds it) or locked by someone else. */
  if (!gst_memory_is_writable (mem))
    return "memory not exclusively the buffer's";
  return NULL;
}

static void
gst_vvas_buffer_pool_release_buffer (GstBufferPool * pool, GstBuffer * buffer)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (pool)->priv;
  const gchar *reason = why_not_reusable (priv, buffer);

  if (G_UNLIKELY (reason)) {
    GST_DEBUG_OBJECT (pool, "discarding buffer %p: %s", buffer, reason);
    free_buffer (pool, buffer);
    return;
  }
  pthread_mutex_lock (&priv->lock);
  push_free_locked (priv, buffer);
  pthread_mutex_unlock (&priv->lock);
}

static void
gst_vvas_buffer_pool_flush_start (GstBufferPool * pool)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (pool)->priv;

  /*
   * GstBufferPool set the flushing flag before this call: a waiting acquire
   * checked it under the lock before it waited, so it sees it when woken.
   */
  pthread_mutex_lock (&priv->lock);
  if (priv->n_waiting > 0)
    pthread_cond_broadcast (&priv->cond);
  pthread_mutex_unlock (&priv->lock);
}

static void
gst_vvas_buffer_pool_finalize (GObject * object)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (object)->priv;

  /* A pool goes when no buffer holds it any more, stopped or not. */
  free_all (GST_BUFFER_POOL_CAST (object));
  g_free (priv->free_buffers);
  pthread_mutex_destroy (&priv->lock);
  pthread_cond_destroy (&priv->cond);
  gst_clear_object (&priv->allocator);
  gst_clear_object (&priv->own_allocator);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

enum
{
  PROP_0,
  PROP_ALLOCATOR,
};

static void
gst_vvas_buffer_pool_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (object)->priv;

  switch (prop_id) {
    case PROP_ALLOCATOR:
      /* Construct-only: set once, before any other thread sees the pool. */
      priv->own_allocator = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_vvas_buffer_pool_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstVvasBufferPoolPrivate *priv = GST_VVAS_BUFFER_POOL_CAST (object)->priv;

  switch (prop_id) {
    case PROP_ALLOCATOR:
      g_value_set_object (value, priv->own_allocator);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_vvas_buffer_pool_class_init (GstVvasBufferPoolClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstBufferPoolClass *pool_class = GST_BUFFER_POOL_CLASS (klass);

  gobject_class->finalize = gst_vvas_buffer_pool_finalize;
  gobject_class->set_property = gst_vvas_buffer_pool_set_property;
  gobject_class->get_property = gst_vvas_buffer_pool_get_property;

  /**
   * GstVvasBufferPool:allocator:
   *
   * The #GstVvasAllocator used when a config names none (and put in place
   * of one that is not a VVAS allocator). Set at construction, so that a
   * subclass gets the same behaviour as gst_vvas_buffer_pool_new().
   *
   * Since: 1.0
   */
  g_object_class_install_property (gobject_class, PROP_ALLOCATOR,
      g_param_spec_object ("allocator", "Allocator",
          "The VVAS allocator used when a config names none",
          GST_TYPE_VVAS_ALLOCATOR, G_PARAM_READWRITE |
          G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  pool_class->get_options =
      GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_get_options);
  pool_class->set_config = GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_set_config);
  pool_class->alloc_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_alloc_buffer);
  pool_class->start = GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_start);
  pool_class->stop = GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_stop);
  pool_class->acquire_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_acquire_buffer);
  pool_class->reset_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_reset_buffer);
  pool_class->release_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_release_buffer);
  pool_class->flush_start =
      GST_DEBUG_FUNCPTR (gst_vvas_buffer_pool_flush_start);
}

static void
gst_vvas_buffer_pool_init (GstVvasBufferPool * self)
{
  self->priv = gst_vvas_buffer_pool_get_instance_private (self);
  /* With default attributes, neither can fail on Linux. */
  pthread_mutex_init (&self->priv->lock, NULL);
  pthread_cond_init (&self->priv->cond, NULL);
}

/**
 * gst_vvas_buffer_pool_new:
 * @allocator: (nullable): the #GstVvasAllocator to use when the config
 *   names none
 *
 * Makes a video buffer pool of VVAS memories.
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

  if (!gst_vvas_conflict_check (NULL))
    return NULL;
  self = g_object_new (GST_TYPE_VVAS_BUFFER_POOL, "allocator", allocator, NULL);
  gst_object_ref_sink (self);
  return GST_BUFFER_POOL_CAST (self);
}

/**
 * gst_vvas_buffer_pool_get_allocator:
 * @pool: (type GstVvas.BufferPool): a #GstVvasBufferPool
 *
 * Gives the allocator a pool's buffers come from.
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
