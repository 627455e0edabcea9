/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvaselement.h"

#include <gst/vvas/gstvvasmeta-private.h>

GST_DEBUG_CATEGORY_STATIC (gst_vvas_element_debug);
#define GST_CAT_DEFAULT gst_vvas_element_debug

void
gst_vvas_element_init_debug (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (gst_vvas_element_debug, "vvaselement", 0,
        "VVAS element helpers");
    g_once_init_leave (&initialized, 1);
  }
}

void
gst_vvas_element_install_device_properties (GObjectClass * klass,
    guint first_prop_id)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  g_object_class_install_property (klass, first_prop_id,
      g_param_spec_int ("dev-idx", "Device index",
          "Index of the XRT device to use", 0, G_MAXINT, 0, rw));
  g_object_class_install_property (klass, first_prop_id + 1,
      g_param_spec_uint ("mem-bank", "Memory bank",
          "Memory bank of the device the buffers live on", 0, G_MAXUINT8, 0,
          rw));
  g_object_class_install_property (klass, first_prop_id + 2,
      g_param_spec_string ("xclbin-location", "xclbin location",
          "xclbin to load on the device (none: use the one loaded, or the "
          "pipeline's shared device context)", NULL, rw));
}

void
gst_vvas_counters_install_properties (GObjectClass * klass, guint first_prop_id)
{
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  g_object_class_install_property (klass, first_prop_id,
      g_param_spec_uint64 ("buffers-passed", "Buffers passed",
          "Buffers passed on without a copy", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property (klass, first_prop_id + 1,
      g_param_spec_uint64 ("buffers-copied", "Buffers copied",
          "Buffers copied", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property (klass, first_prop_id + 2,
      g_param_spec_uint64 ("bytes-copied", "Bytes copied",
          "Bytes copied", 0, G_MAXUINT64, 0, ro));
}

gboolean
gst_vvas_counters_get_property (const GstVvasCounters * counters,
    guint first_prop_id, guint prop_id, GValue * value)
{
  if (prop_id == first_prop_id)
    g_value_set_uint64 (value, counters->buffers_passed);
  else if (prop_id == first_prop_id + 1)
    g_value_set_uint64 (value, counters->buffers_copied);
  else if (prop_id == first_prop_id + 2)
    g_value_set_uint64 (value, counters->bytes_copied);
  else
    return FALSE;
  return TRUE;
}

void
gst_vvas_counters_add (GstElement * element, GstVvasCounters * counters,
    gboolean copied, gsize bytes_copied)
{
  GST_OBJECT_LOCK (element);
  if (copied) {
    counters->buffers_copied++;
    counters->bytes_copied += bytes_copied;
  } else {
    counters->buffers_passed++;
  }
  GST_OBJECT_UNLOCK (element);
}

void
gst_vvas_counters_reset (GstElement * element, GstVvasCounters * counters)
{
  GST_OBJECT_LOCK (element);
  counters->buffers_passed = counters->buffers_copied = 0;
  counters->bytes_copied = 0;
  GST_OBJECT_UNLOCK (element);
}

static void
report_missing_bank (GstElement * element, GstVvasContext * context,
    guint mem_bank)
{
  gchar *banks = gst_vvas_context_describe_usable_banks (context);
  const gchar *xclbin = gst_vvas_context_get_xclbin_location (context);

  GST_ELEMENT_ERROR (element, RESOURCE, SETTINGS,
      ("Memory bank %u does not exist on VVAS device %d.", mem_bank,
          gst_vvas_context_get_device_index (context)),
      ("usable banks of xclbin %s: %s", xclbin ? xclbin : "(the device's)",
          banks));
  g_free (banks);
}

gboolean
gst_vvas_element_open_device (GstElement * element, gint dev_idx,
    const gchar * xclbin_location, guint mem_bank,
    GstVvasContext ** context, GstAllocator ** allocator)
{
  GError *error = NULL;

  if (!gst_vvas_ensure_element_context (element, dev_idx, xclbin_location,
          context, &error)) {
    if (g_error_matches (error, GST_RESOURCE_ERROR,
            GST_RESOURCE_ERROR_SETTINGS) && *context)
      /* Open, but busy with another xclbin (or this one is unusable). */
      GST_ELEMENT_ERROR (element, RESOURCE, SETTINGS,
          ("VVAS device %d cannot use xclbin %s.", dev_idx, xclbin_location),
          ("%s", error->message));
    else
      GST_ELEMENT_ERROR (element, RESOURCE, OPEN_READ_WRITE,
          ("Could not open VVAS device %d.", dev_idx), ("%s", error->message));
    g_clear_error (&error);
    return FALSE;
  }

  gst_clear_object (allocator);
  if (mem_bank <= G_MAXUINT8)
    *allocator = gst_vvas_allocator_new (*context, (guint8) mem_bank,
        VVAS_ALLOC_TYPE_CMA);
  if (!*allocator) {
    report_missing_bank (element, *context, mem_bank);
    return FALSE;
  }
  return TRUE;
}

gboolean
gst_vvas_element_check_bank (GstElement * element, GstAllocator * allocator)
{
  GstVvasContext *context;
  guint8 bank;
  gboolean usable;

  if (!allocator)
    return TRUE;
  context = gst_vvas_allocator_get_context (allocator); /* not a ref */
  bank = (guint8) gst_vvas_allocator_get_mem_bank (allocator);
  usable = vvas_context_is_bank_usable (gst_vvas_context_get_vvas_context
      (context), bank) == 1;
  if (!usable)
    report_missing_bank (element, context, bank);
  return usable;
}

/*
 * GstVvasSystemPool: a GstVideoBufferPool whose buffers get a GstVvasMeta
 * when allocated; GstBufferPool marks it pooled, so it stays across
 * releases, and it is reset here like the buffer's own timestamps.
 */
typedef struct
{
  GstVideoBufferPool parent;
} GstVvasSystemPool;

typedef struct
{
  GstVideoBufferPoolClass parent_class;
} GstVvasSystemPoolClass;

static GType gst_vvas_system_pool_get_type (void);

G_DEFINE_TYPE (GstVvasSystemPool, gst_vvas_system_pool,
    GST_TYPE_VIDEO_BUFFER_POOL);

static GstFlowReturn
gst_vvas_system_pool_alloc_buffer (GstBufferPool * pool, GstBuffer ** buffer,
    GstBufferPoolAcquireParams * params)
{
  GstFlowReturn ret;

  ret = GST_BUFFER_POOL_CLASS (gst_vvas_system_pool_parent_class)->alloc_buffer
      (pool, buffer, params);
  if (ret == GST_FLOW_OK)
    gst_buffer_add_vvas_meta (*buffer, NULL);
  return ret;
}

static void
gst_vvas_system_pool_reset_buffer (GstBufferPool * pool, GstBuffer * buffer)
{
  GST_BUFFER_POOL_CLASS (gst_vvas_system_pool_parent_class)->reset_buffer
      (pool, buffer);
  /* The pooled meta, its times unset like the buffer's. */
  gst_vvas_meta_unset_times (gst_buffer_get_vvas_meta (buffer));
}

static void
gst_vvas_system_pool_class_init (GstVvasSystemPoolClass * klass)
{
  GstBufferPoolClass *pool_class = GST_BUFFER_POOL_CLASS (klass);

  pool_class->alloc_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_system_pool_alloc_buffer);
  pool_class->reset_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_system_pool_reset_buffer);
}

static void
gst_vvas_system_pool_init (GstVvasSystemPool * self)
{
}

GstBufferPool *
gst_vvas_element_new_system_pool (void)
{
  GstBufferPool *pool = g_object_new (gst_vvas_system_pool_get_type (), NULL);

  gst_object_ref_sink (pool);
  return pool;
}

/*
 * GstVvasElementPool: a VVAS pool that tells its element when it cannot
 * allocate a buffer. Upstream activates and fills the pool vvasupload
 * proposes, so without it a frame larger than the bank reaches the user as
 * the source's "not-negotiated", with the reason only in the debug log.
 */
typedef struct
{
  GstVvasBufferPool parent;

  GWeakRef element;             /* the element errors are posted on */
  gint n_buffers;               /* allocated and not freed; atomic */
} GstVvasElementPool;

typedef struct
{
  GstVvasBufferPoolClass parent_class;
} GstVvasElementPoolClass;

static GType gst_vvas_element_pool_get_type (void);

G_DEFINE_TYPE (GstVvasElementPool, gst_vvas_element_pool,
    GST_TYPE_VVAS_BUFFER_POOL);

/*
 * Posts the element error for a buffer @pool could not allocate: the frame
 * size, bank, device and xclbin, and how many of the pool's buffers the
 * bank already holds (none: the frame may be larger than the bank).
 */
static void
report_allocation_failure (GstVvasElementPool * self)
{
  GstBufferPool *pool = GST_BUFFER_POOL_CAST (self);
  GstElement *element = g_weak_ref_get (&self->element);
  GstAllocator *allocator = gst_vvas_buffer_pool_get_allocator (pool);
  GstVvasContext *context = gst_vvas_allocator_get_context (allocator);
  GstStructure *config = gst_buffer_pool_get_config (pool);
  guint held = (guint) g_atomic_int_get (&self->n_buffers);
  const gchar *xclbin = gst_vvas_context_get_xclbin_location (context);
  gchar *banks = gst_vvas_context_describe_usable_banks (context);
  gint dev_idx = gst_vvas_context_get_device_index (context);
  gint bank = gst_vvas_allocator_get_mem_bank (allocator);
  guint64 capacity =
      vvas_context_get_bank_size (gst_vvas_context_get_vvas_context (context),
      (guint8) bank);
  gchar *holds = capacity ? g_strdup_printf ("%" G_GUINT64_FORMAT " bytes",
      capacity) : g_strdup ("an unknown number of bytes");
  GstCaps *caps = NULL;
  GstVideoInfo info;
  GstAllocationParams params;
  gchar *frame, *request;
  guint size = 0;
  guint64 allocation;

  gst_buffer_pool_config_get_params (config, &caps, &size, NULL, NULL);
  frame = caps && gst_video_info_from_caps (&info, caps) ?
      g_strdup_printf ("%dx%d %s", GST_VIDEO_INFO_WIDTH (&info),
      GST_VIDEO_INFO_HEIGHT (&info), GST_VIDEO_INFO_NAME (&info)) :
      g_strdup ("video");
  /* What the allocator asks the device for: a frame exactly the bank's
   * size does not fit once prefix, padding and alignment slack are added,
   * and the message must not read as if it did. */
  gst_allocation_params_init (&params);
  gst_buffer_pool_config_get_allocator (config, NULL, &params);
  allocation = (guint64) size + params.prefix + params.padding +
      (params.align | gst_memory_alignment);
  request = allocation != size ? g_strdup_printf (" (%" G_GUINT64_FORMAT
      " bytes with the pool's prefix, padding and alignment)", allocation) :
      g_strdup ("");

  if (!element) {
    GST_WARNING_OBJECT (pool, "cannot allocate a %u-byte buffer on bank %d "
        "of device %d, and its element is gone", size, bank, dev_idx);
  } else if (held == 0) {
    GST_ELEMENT_ERROR (element, RESOURCE, NO_SPACE_LEFT,
        ("Could not allocate a %u-byte video frame%s in memory bank %d of "
            "VVAS device %d, which holds %s.", size, request, bank, dev_idx,
            holds),
        ("%s frames; the bank holds none of pool %s's buffers yet: a frame "
            "larger than the bank, a bank full of other buffers, or XRT "
            "refusing (the vvascore debug category says which); xclbin %s, "
            "usable banks: %s", frame, GST_OBJECT_NAME (pool),
            xclbin ? xclbin : "(the device's)", banks));
  } else {
    GST_ELEMENT_ERROR (element, RESOURCE, NO_SPACE_LEFT,
        ("Could not allocate a %u-byte video frame%s in memory bank %d of "
            "VVAS device %d (%s): it holds %u of them and has no room for "
            "more.", size, request, bank, dev_idx, holds, held),
        ("%s frames; the bank holds %u of pool %s's buffers (%"
            G_GUINT64_FORMAT " bytes) and refused one more, or XRT refused "
            "it (the vvascore debug category says which); xclbin %s, usable "
            "banks: %s", frame, held, GST_OBJECT_NAME (pool),
            (guint64) held * size, xclbin ? xclbin : "(the device's)", banks));
  }
  gst_clear_object (&element);
  gst_structure_free (config);
  g_free (holds);
  g_free (frame);
  g_free (request);
  g_free (banks);
}

static GstFlowReturn
gst_vvas_element_pool_alloc_buffer (GstBufferPool * pool, GstBuffer ** buffer,
    GstBufferPoolAcquireParams * params)
{
  GstVvasElementPool *self = (GstVvasElementPool *) pool;
  GstFlowReturn ret;

  ret =
      GST_BUFFER_POOL_CLASS (gst_vvas_element_pool_parent_class)->alloc_buffer
      (pool, buffer, params);
  if (ret == GST_FLOW_OK)
    g_atomic_int_inc (&self->n_buffers);
  else if (ret == GST_FLOW_ERROR)
    report_allocation_failure (self);
  return ret;
}

static void
gst_vvas_element_pool_free_buffer (GstBufferPool * pool, GstBuffer * buffer)
{
  GstVvasElementPool *self = (GstVvasElementPool *) pool;

  g_atomic_int_add (&self->n_buffers, -1);
  GST_BUFFER_POOL_CLASS (gst_vvas_element_pool_parent_class)->free_buffer
      (pool, buffer);
}

static void
gst_vvas_element_pool_finalize (GObject * object)
{
  GstVvasElementPool *self = (GstVvasElementPool *) object;

  g_weak_ref_clear (&self->element);
  G_OBJECT_CLASS (gst_vvas_element_pool_parent_class)->finalize (object);
}

static void
gst_vvas_element_pool_class_init (GstVvasElementPoolClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstBufferPoolClass *pool_class = GST_BUFFER_POOL_CLASS (klass);

  gobject_class->finalize = gst_vvas_element_pool_finalize;
  pool_class->alloc_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_element_pool_alloc_buffer);
  pool_class->free_buffer =
      GST_DEBUG_FUNCPTR (gst_vvas_element_pool_free_buffer);
}

static void
gst_vvas_element_pool_init (GstVvasElementPool * self)
{
  g_weak_ref_init (&self->element, NULL);
}

GstBufferPool *
gst_vvas_element_new_pool (GstElement * element, GstAllocator * allocator,
    GstCaps * caps, guint min_buffers)
{
  GstVvasElementPool *self;
  GstBufferPool *pool;
  GstStructure *config;
  GstVideoInfo info;

  if (!gst_video_info_from_caps (&info, caps))
    return NULL;
  /* The allocator serves configs that name none, as the base pool's. */
  self = g_object_new (gst_vvas_element_pool_get_type (), "allocator",
      allocator, NULL);
  g_weak_ref_set (&self->element, element);
  pool = GST_BUFFER_POOL_CAST (gst_object_ref_sink (self));
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, info.size, min_buffers, 0);
  gst_buffer_pool_config_set_allocator (config, allocator, NULL);
  gst_buffer_pool_config_add_option (config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (!gst_buffer_pool_set_config (pool, config)) {
    GST_WARNING_OBJECT (element, "VVAS pool refused config for %"
        GST_PTR_FORMAT, caps);
    gst_object_unref (pool);
    return NULL;
  }
  return pool;
}

/* True for a VVAS pool whose buffers live on @dev_idx and @mem_bank. */
static gboolean
pool_is_on (GstBufferPool * pool, gint dev_idx, guint mem_bank)
{
  GstAllocator *allocator;

  if (!pool || !GST_IS_VVAS_BUFFER_POOL (pool))
    return FALSE;
  allocator = gst_vvas_buffer_pool_get_allocator (pool);
  return allocator && gst_vvas_allocator_get_mem_bank (allocator) ==
      (gint) mem_bank && gst_vvas_context_get_device_index
      (gst_vvas_allocator_get_context (allocator)) == dev_idx;
}

gboolean
gst_vvas_element_decide_vvas_pool (GstElement * element, GstQuery * query,
    GstAllocator * allocator, gint dev_idx, guint mem_bank)
{
  GstBufferPool *pool = NULL;
  guint size = 0, min = 0, max = 0;
  GstCaps *caps;
  GstVideoInfo info;
  gboolean update;

  gst_query_parse_allocation (query, &caps, NULL);
  if (!caps || !gst_video_info_from_caps (&info, caps))
    return FALSE;

  update = gst_query_get_n_allocation_pools (query) > 0;
  if (update)
    gst_query_parse_nth_allocation_pool (query, 0, &pool, &size, &min, &max);

  if (!pool_is_on (pool, dev_idx, mem_bank)) {
    GST_DEBUG_OBJECT (element, "downstream pool %" GST_PTR_FORMAT " is not "
        "a VVAS pool on device %d bank %u: using our own", pool, dev_idx,
        mem_bank);
    gst_clear_object (&pool);
    pool = gst_vvas_element_new_pool (element, allocator, caps, min);
    if (!pool)
      return FALSE;
    size = info.size;
    max = 0;
  } else {
    GST_DEBUG_OBJECT (element, "keeping downstream VVAS pool %"
        GST_PTR_FORMAT, pool);
  }

  if (update)
    gst_query_set_nth_allocation_pool (query, 0, pool, size, min, max);
  else
    gst_query_add_allocation_pool (query, pool, size, min, max);
  gst_object_unref (pool);
  return TRUE;
}

GstFlowReturn
gst_vvas_element_acquire_output (GstBaseTransform * trans, GstBuffer * inbuf,
    GstBuffer ** outbuf)
{
  GstBufferPool *pool = gst_base_transform_get_buffer_pool (trans);
  GstFlowReturn ret;

  if (!pool) {
    GST_ELEMENT_ERROR (trans, RESOURCE, NO_SPACE_LEFT, (NULL),
        ("no output buffer pool was negotiated"));
    return GST_FLOW_ERROR;
  }
  if (!gst_buffer_pool_is_active (pool) &&
      !gst_buffer_pool_set_active (pool, TRUE)) {
    if (G_TYPE_CHECK_INSTANCE_TYPE (pool, gst_vvas_element_pool_get_type ())) {
      /* It could not allocate its first buffers, and has said so. */
      gst_object_unref (pool);
      return GST_FLOW_ERROR;
    }
    GST_ELEMENT_ERROR (trans, RESOURCE, SETTINGS, (NULL),
        ("could not activate output pool %" GST_PTR_FORMAT, pool));
    gst_object_unref (pool);
    return GST_FLOW_ERROR;
  }
  ret = gst_buffer_pool_acquire_buffer (pool, outbuf, NULL);
  /* A pool of ours has said why already. */
  if (ret == GST_FLOW_ERROR && !G_TYPE_CHECK_INSTANCE_TYPE (pool,
          gst_vvas_element_pool_get_type ())) {
    /* The pool cannot allocate (device memory, say): say so here, or the
     * user only gets the source's "Internal data stream error". */
    GST_ELEMENT_ERROR (trans, RESOURCE, NO_SPACE_LEFT,
        ("Could not allocate an output buffer."), ("output pool %"
            GST_PTR_FORMAT " could not allocate a buffer", pool));
  }
  gst_object_unref (pool);
  if (ret != GST_FLOW_OK)
    return ret;
  if (!GST_BASE_TRANSFORM_GET_CLASS (trans)->copy_metadata (trans, inbuf,
          *outbuf)) {
    gst_clear_buffer (outbuf);
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

/*
 * Posts the error for @buf, which could not be mapped as a frame of @info.
 * A VVAS memory whose newer copy is still on the device after the map
 * failed is a transfer that failed (GStreamer then maps a copy of the
 * memory, which needs the same transfer); anything else is a buffer that
 * does not hold such a frame.
 */
static void
report_map_failure (GstElement * element, GstBuffer * buf,
    const GstVideoInfo * info, gboolean input)
{
  guint i, n = gst_buffer_n_memory (buf);

  for (i = 0; i < n; i++) {
    GstMemory *mem = gst_buffer_peek_memory (buf, i);
    gint dev_idx, bank;

    if (!gst_is_vvas_memory (mem) ||
        !(gst_vvas_memory_get_pending_transfers (mem) &
            VVAS_DATA_SYNC_FROM_DEVICE))
      continue;
    dev_idx = gst_vvas_memory_get_device_index (mem);
    bank = gst_vvas_memory_get_bank_index (mem);
    if (input)
      GST_ELEMENT_ERROR (element, RESOURCE, READ,
          ("Could not transfer an input video frame from VVAS device %d to "
              "the host.", dev_idx),
          ("the %" G_GSIZE_FORMAT "-byte memory %p on bank %d holds its newer "
              "copy on the device, and the transfer to the host failed (the "
              "vvascore debug category says why)", mem->size, mem, bank));
    else
      GST_ELEMENT_ERROR (element, RESOURCE, WRITE,
          ("Could not transfer an output video frame from VVAS device %d to "
              "the host.", dev_idx),
          ("the %" G_GSIZE_FORMAT "-byte output memory %p on bank %d holds its "
              "newer copy on the device, and the transfer to the host, due "
              "before a write, failed (the vvascore debug category says why)",
              mem->size, mem, bank));
    return;
  }
  if (input)
    GST_ELEMENT_ERROR (element, STREAM, FAILED,
        ("Could not read an input frame."),
        ("input buffer %p of %" G_GSIZE_FORMAT " bytes in %u memories does "
            "not hold a %dx%d %s frame of %" G_GSIZE_FORMAT " bytes, or "
            "cannot be mapped", buf, gst_buffer_get_size (buf), n,
            GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
            GST_VIDEO_INFO_NAME (info), GST_VIDEO_INFO_SIZE (info)));
  else
    GST_ELEMENT_ERROR (element, STREAM, FAILED,
        ("Could not write an output frame."),
        ("output buffer %p of %" G_GSIZE_FORMAT " bytes cannot be mapped "
            "for writing as a %dx%d %s frame", buf, gst_buffer_get_size (buf),
            GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
            GST_VIDEO_INFO_NAME (info)));
}

/*
 * Bytes gst_video_frame_copy_plane() moves for @plane, by its own rules:
 * the palette; whole tiles, as many as both layouts hold; else the rows,
 * each as wide as its pixels, or for formats whose pixels have no fixed
 * size in bytes (v210, UYVP, IYU1, the 10-bit packed ones) as the smaller
 * stride, which is what it copies of them.
 */
static gsize
plane_bytes_copied (const GstVideoFrame * dest, const GstVideoFrame * src,
    guint plane)
{
  const GstVideoFormatInfo *finfo = dest->info.finfo;
  gint ss = GST_VIDEO_FRAME_PLANE_STRIDE (src, plane);
  gint ds = GST_VIDEO_FRAME_PLANE_STRIDE (dest, plane);
  gint comp[GST_VIDEO_MAX_COMPONENTS];
  gsize row;

  if (GST_VIDEO_FORMAT_INFO_HAS_PALETTE (finfo) && plane == 1)
    return 256 * 4;
  if (GST_VIDEO_FORMAT_INFO_IS_TILED (finfo))
    return (gsize) MIN (GST_VIDEO_TILE_X_TILES (ss),
        GST_VIDEO_TILE_X_TILES (ds)) * MIN (GST_VIDEO_TILE_Y_TILES (ss),
        GST_VIDEO_TILE_Y_TILES (ds)) *
        GST_VIDEO_FORMAT_INFO_TILE_SIZE (finfo, plane);

  gst_video_format_info_component (finfo, plane, comp);
  row = (gsize) GST_VIDEO_FRAME_COMP_WIDTH (dest, comp[0]) *
      GST_VIDEO_FRAME_COMP_PSTRIDE (dest, comp[0]);
  if (row == 0)
    row = MIN (ss, ds);
  return row * GST_VIDEO_FRAME_COMP_HEIGHT (dest, comp[0]);
}

gboolean
gst_vvas_element_copy_frame (GstElement * element, GstVideoInfo * in_info,
    GstBuffer * inbuf, GstVideoInfo * out_info, GstBuffer * outbuf,
    gsize * bytes_copied)
{
  GstVideoFrame in_frame, out_frame;
  gboolean ok;
  guint plane;

  if (!gst_video_frame_map (&in_frame, in_info, inbuf, GST_MAP_READ)) {
    report_map_failure (element, inbuf, in_info, TRUE);
    return FALSE;
  }
  if (!gst_video_frame_map (&out_frame, out_info, outbuf, GST_MAP_WRITE)) {
    gst_video_frame_unmap (&in_frame);
    report_map_failure (element, outbuf, out_info, FALSE);
    return FALSE;
  }
  ok = gst_video_frame_copy (&out_frame, &in_frame);

  *bytes_copied = 0;
  for (plane = 0; ok && plane < GST_VIDEO_FRAME_N_PLANES (&out_frame); plane++)
    *bytes_copied += plane_bytes_copied (&out_frame, &in_frame, plane);
  gst_video_frame_unmap (&out_frame);
  gst_video_frame_unmap (&in_frame);

  if (!ok) {
    GST_ELEMENT_ERROR (element, STREAM, FAILED, ("Could not copy a frame."),
        ("%s frames of different sizes", GST_VIDEO_INFO_NAME (in_info)));
    return FALSE;
  }
  return TRUE;
}

/* True for a meta that describes the memory, not the frame in it. */
static gboolean
is_memory_meta (GType api)
{
  return gst_meta_api_type_has_tag (api,
      g_quark_from_static_string (GST_META_TAG_MEMORY_STR));
}

void
gst_vvas_element_propose_downstream_metas (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query)
{
  GstQuery *downstream = NULL;
  guint i, n;

  if (!decide_query) {
    /* Another allocation query holds it for now: ask downstream again. */
    GstCaps *caps = gst_pad_get_current_caps (GST_BASE_TRANSFORM_SRC_PAD
        (trans));

    if (!caps)
      return;
    downstream = gst_query_new_allocation (caps, FALSE);
    gst_caps_unref (caps);
    if (!gst_pad_peer_query (GST_BASE_TRANSFORM_SRC_PAD (trans), downstream)) {
      gst_query_unref (downstream);
      return;
    }
    decide_query = downstream;
  }

  n = gst_query_get_n_allocation_metas (decide_query);
  for (i = 0; i < n; i++) {
    const GstStructure *params = NULL;
    GType api = gst_query_parse_nth_allocation_meta (decide_query, i, &params);

    if (is_memory_meta (api) || gst_query_find_allocation_meta (query, api,
            NULL))
      continue;
    GST_DEBUG_OBJECT (trans, "proposing downstream's %s", g_type_name (api));
    gst_query_add_allocation_meta (query, api, params);
  }
  if (downstream)
    gst_query_unref (downstream);
}

gboolean
gst_vvas_element_transform_meta (GstBaseTransform * trans, GstBuffer * outbuf,
    GstMeta * meta, GstBuffer * inbuf)
{
  return !is_memory_meta (meta->info->api);
}

gboolean
gst_vvas_element_pass_empty (GstElement * element, GstBuffer * buf)
{
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP))
    return TRUE;
  GST_ELEMENT_WARNING (element, STREAM, FORMAT,
      ("Dropped a buffer that holds no frame."),
      ("buffer %" GST_PTR_FORMAT " has %" G_GSIZE_FORMAT " bytes in %u "
          "memories and is not a GAP", buf, gst_buffer_get_size (buf),
          gst_buffer_n_memory (buf)));
  return FALSE;
}

gboolean
gst_vvas_element_metadata_is_current (GstBuffer * buf)
{
  GstVvasMeta *meta = gst_buffer_get_vvas_meta (buf);
  VvasMetadata current = { GST_BUFFER_PTS (buf), GST_BUFFER_DTS (buf),
    GST_BUFFER_DURATION (buf)
  };
  guint i, n = gst_buffer_n_memory (buf);

  if (!meta || meta->metadata.pts != current.pts ||
      meta->metadata.dts != current.dts ||
      meta->metadata.duration != current.duration)
    return FALSE;
  for (i = 0; i < n; i++) {
    GstMemory *mem = gst_buffer_peek_memory (buf, i);
    VvasMetadata md;

    if (!gst_is_vvas_memory (mem))
      continue;
    vvas_memory_get_metadata (gst_vvas_memory_get_vvas_memory (mem), &md);
    if (md.pts != current.pts || md.dts != current.dts ||
        md.duration != current.duration)
      return FALSE;
  }
  return TRUE;
}

gboolean
gst_vvas_element_has_default_layout (GstBuffer * buf, const GstVideoInfo * info)
{
  GstVideoMeta *meta = gst_buffer_get_video_meta (buf);
  guint i;

  if (!meta)
    return TRUE;
  for (i = 0; i < meta->n_planes; i++) {
    if (meta->offset[i] != info->offset[i]
        || meta->stride[i] != info->stride[i])
      return FALSE;
  }
  return TRUE;
}

GstCaps *
gst_vvas_caps_with_features (GstCaps * caps, gboolean with_vvas,
    gboolean vvas_first)
{
  GstCaps *vvas = gst_caps_new_empty ();
  GstCaps *system = gst_caps_new_empty ();
  guint i, n = gst_caps_get_size (caps);

  for (i = 0; i < n; i++) {
    GstStructure *s = gst_caps_get_structure (caps, i);
    GstCapsFeatures *f = gst_caps_get_features (caps, i);

    /* ANY features stay as they are: they already mean both. */
    if (f && gst_caps_features_is_any (f)) {
      gst_caps_append_structure_full (system, gst_structure_copy (s),
          gst_caps_features_copy (f));
      continue;
    }
    if (with_vvas)
      gst_caps_append_structure_full (vvas, gst_structure_copy (s),
          gst_caps_features_new (GST_CAPS_FEATURE_MEMORY_VVAS, NULL));
    gst_caps_append_structure_full (system, gst_structure_copy (s),
        gst_caps_features_new (GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY, NULL));
  }
  if (vvas_first)
    return gst_caps_merge (vvas, system);
  return gst_caps_merge (system, vvas);
}

GstCaps *
gst_vvas_caps_add_dmabuf (GstCaps * caps)
{
  GstCaps *dmabuf = gst_caps_new_empty ();
  guint i, n = gst_caps_get_size (caps);

  for (i = 0; i < n; i++) {
    GstCapsFeatures *f = gst_caps_get_features (caps, i);

    if (f && gst_caps_features_is_any (f))
      continue;
    gst_caps_append_structure_full (dmabuf,
        gst_structure_copy (gst_caps_get_structure (caps, i)),
        gst_caps_features_new (GST_CAPS_FEATURE_MEMORY_DMABUF, NULL));
  }
  return gst_caps_merge (caps, dmabuf);
}

gboolean
gst_vvas_buffer_is_dmabuf (GstBuffer * buf)
{
  guint i, n = gst_buffer_n_memory (buf);

  for (i = 0; i < n; i++) {
    if (!gst_is_dmabuf_memory (gst_buffer_peek_memory (buf, i)))
      return FALSE;
  }
  return n > 0;
}
