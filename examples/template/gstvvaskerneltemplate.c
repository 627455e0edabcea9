/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION:element-vvaskerneltemplate
 *
 * A template for an accelerator element: it takes raw video in VVAS device
 * memory, hands each input frame and an output frame to a "kernel" on the
 * device, and passes the output on with its device copy marked newer.
 *
 * The stand-in kernel is a device-side copy of the frame (xrtBOCopy from
 * the input buffer object to the output one): no byte crosses to the host.
 * Replace run_kernel() below with your kernel; everything else (device
 * context, pools, maps, coherence) stays as it is. Search for "YOUR KERNEL"
 * for the places to change.
 *
 * |[
 * gst-launch-1.0 videotestsrc num-buffers=30 ! video/x-raw,format=NV12 \
 *   ! vvasupload mem-bank=0 xclbin-location=my.xclbin \
 *   ! vvaskerneltemplate mem-bank=0 ! vvasdownload ! fakesink
 * ]|
 */

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>
#include <gst/vvas/gstvvas.h>
#include <vvas_core/vvas_memory_priv.h>

/* The XRT C API, for the kernel call (xrt_bo.h and, for a real kernel,
 * xrt_kernel.h). */
#include <xrt/xrt_bo.h>

/* What gst-inspect-1.0 shows of the plugin; meson passes the project's.
 * YOUR KERNEL: your package's name, version and URL. */
#ifndef PACKAGE
#define PACKAGE "vvastemplate"
#endif
#ifndef PACKAGE_NAME
#define PACKAGE_NAME "vvastemplate"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "1.0.0"
#endif
#ifndef PACKAGE_ORIGIN
#define PACKAGE_ORIGIN "https://example.com/vvastemplate"
#endif

GST_DEBUG_CATEGORY_STATIC (gst_vvas_kernel_template_debug);
#define GST_CAT_DEFAULT gst_vvas_kernel_template_debug

#define GST_TYPE_VVAS_KERNEL_TEMPLATE (gst_vvas_kernel_template_get_type ())
G_DECLARE_FINAL_TYPE (GstVvasKernelTemplate, gst_vvas_kernel_template,
    GST, VVAS_KERNEL_TEMPLATE, GstBaseTransform);

#define DEFAULT_DEV_IDX 0
#define DEFAULT_MEM_BANK 0
/* Output buffers the pool allocates when it starts. */
#define OUTPUT_POOL_MIN_BUFFERS 2

enum
{
  PROP_0,
  PROP_DEV_IDX,
  PROP_MEM_BANK,
  PROP_XCLBIN_LOCATION,
  PROP_KERNEL_RUNS,
};

struct _GstVvasKernelTemplate
{
  GstBaseTransform parent;

  /* Properties, under the object lock. */
  gint dev_idx;
  guint mem_bank;
  gchar *xclbin_location;
  guint64 kernel_runs;

  /* The device context: read and replaced under the object lock (queries
   * and set_context come from any thread), used through a reference. */
  GstVvasContext *context;

  /* For one run (start to stop), streaming thread only. */
  gint active_dev_idx;
  guint active_mem_bank;
  GstAllocator *allocator;      /* device memory on active_mem_bank */
  GstVideoInfo out_info;

  /*
   * YOUR KERNEL: what a real kernel keeps from start to stop, e.g.
   *   xrtKernelHandle kernel;    (xrtPLKernelOpen in start())
   *   xrtRunHandle run;          (xrtRunOpen in start())
   */
};

#define parent_class gst_vvas_kernel_template_parent_class
G_DEFINE_TYPE (GstVvasKernelTemplate, gst_vvas_kernel_template,
    GST_TYPE_BASE_TRANSFORM);

/* Raw video of any format, in VVAS device memory, in and out. */
#define TEMPLATE_CAPS \
  GST_VIDEO_CAPS_MAKE_WITH_FEATURES (GST_CAPS_FEATURE_MEMORY_VVAS, \
      GST_VIDEO_FORMATS_ALL)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (TEMPLATE_CAPS));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (TEMPLATE_CAPS));

/* --- device context ------------------------------------------------------ */

static GstVvasContext *
get_context (GstVvasKernelTemplate * self)
{
  GstVvasContext *context;

  GST_OBJECT_LOCK (self);
  context = self->context ? gst_object_ref (self->context) : NULL;
  GST_OBJECT_UNLOCK (self);
  return context;
}

static void
replace_context (GstVvasKernelTemplate * self, GstVvasContext * context)
{
  GST_OBJECT_LOCK (self);
  gst_object_replace ((GstObject **) & self->context, (GstObject *) context);
  GST_OBJECT_UNLOCK (self);
}

static void
release_context (GstVvasKernelTemplate * self)
{
  GstVvasContext *context;

  GST_OBJECT_LOCK (self);
  context = g_steal_pointer (&self->context);
  GST_OBJECT_UNLOCK (self);
  gst_vvas_release_element_context (GST_ELEMENT (self), &context);
}

/* A context from the application or a neighbour: one device per pipeline. */
static void
gst_vvas_kernel_template_set_context (GstElement * element,
    GstContext * context)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (element);
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
gst_vvas_kernel_template_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (trans);
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

/* --- start and stop ------------------------------------------------------ */

static gboolean
gst_vvas_kernel_template_start (GstBaseTransform * trans)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (trans);
  GstVvasContext *context = get_context (self);
  GError *error = NULL;
  gchar *xclbin_location;

  /* The properties as they are now, for this whole run. */
  GST_OBJECT_LOCK (self);
  self->active_dev_idx = self->dev_idx;
  self->active_mem_bank = self->mem_bank;
  self->kernel_runs = 0;
  xclbin_location = g_strdup (self->xclbin_location);
  GST_OBJECT_UNLOCK (self);

  /* The pipeline's context of the device (shared with vvasupload and the
   * others), or a new one; the xclbin is loaded once per device. */
  if (!gst_vvas_ensure_element_context (GST_ELEMENT (self),
          self->active_dev_idx, xclbin_location, &context, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
        ("Could not open VVAS device %d.", self->active_dev_idx),
        ("%s", error->message));
    g_clear_error (&error);
    g_free (xclbin_location);
    gst_clear_object (&context);
    return FALSE;
  }
  replace_context (self, context);
  g_free (xclbin_location);

  /* Output frames live on this bank; the error names the usable ones. */
  self->allocator = gst_vvas_allocator_new_for_bank (context,
      self->active_mem_bank, &error);
  gst_object_unref (context);
  if (!self->allocator) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Memory bank %u cannot be used.", self->active_mem_bank),
        ("%s", error->message));
    g_clear_error (&error);
    return FALSE;
  }

  /*
   * YOUR KERNEL: open it here, once per run, on the context's device and
   * xclbin (XRT's C API, xrt/xrt_kernel.h):
   *
   *   VvasContext *vctx = gst_vvas_context_get_vvas_context (context);
   *   self->kernel = xrtPLKernelOpen (vctx->dev_handle, vctx->uuid,
   *       "my_kernel:{my_kernel_1}");
   *   self->run = self->kernel ? xrtRunOpen (self->kernel) : NULL;
   *   if (!self->run) { GST_ELEMENT_ERROR (...); return FALSE; }
   *
   * and close both in stop() (xrtRunClose, xrtKernelClose).
   */
  return TRUE;
}

static gboolean
gst_vvas_kernel_template_stop (GstBaseTransform * trans)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (trans);

  /* YOUR KERNEL: xrtRunClose (self->run); xrtKernelClose (self->kernel); */
  gst_clear_object (&self->allocator);
  return TRUE;
}

static GstStateChangeReturn
gst_vvas_kernel_template_change_state (GstElement * element,
    GstStateChange transition)
{
  GstStateChangeReturn ret =
      GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);

  /* Down to NULL: this element no longer keeps the device (or its xclbin). */
  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    release_context (GST_VVAS_KERNEL_TEMPLATE (element));
  return ret;
}

/* --- negotiation and buffers --------------------------------------------- */

/*
 * YOUR KERNEL: a kernel that changes the format or size overrides
 * transform_caps here; the default keeps the caps as they are.
 */
static gboolean
gst_vvas_kernel_template_set_caps (GstBaseTransform * trans,
    GstCaps * incaps, GstCaps * outcaps)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (trans);
  GstAllocator *checked;
  GError *error = NULL;

  if (!gst_video_info_from_caps (&self->out_info, outcaps)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("caps %" GST_PTR_FORMAT " are not raw video", outcaps));
    return FALSE;
  }

  /*
   * The bank again, now that every element has started: the device may
   * have had no xclbin when this one started (elements start from the
   * sink, and vvasupload may be the one that names the xclbin), and so no
   * memory topology to check the bank against.
   */
  checked = gst_vvas_allocator_new_for_bank (gst_vvas_allocator_get_context
      (self->allocator), self->active_mem_bank, &error);
  if (!checked) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Memory bank %u cannot be used.", self->active_mem_bank),
        ("%s", error->message));
    g_clear_error (&error);
    return FALSE;
  }
  gst_object_replace ((GstObject **) & self->allocator, (GstObject *) checked);
  gst_object_unref (checked);
  return TRUE;
}

/* A VVAS pool on our device and bank, for upstream (vvasupload keeps it
 * when it is on its own device and bank, so frames come in with no copy)
 * or for our output. */
static GstBufferPool *
new_pool (GstVvasKernelTemplate * self, GstCaps * caps, guint size,
    guint min_buffers, gboolean video_meta)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (self->allocator);
  GstStructure *config = gst_buffer_pool_get_config (pool);

  gst_buffer_pool_config_set_params (config, caps, size, min_buffers, 0);
  gst_buffer_pool_config_set_allocator (config, self->allocator, NULL);
  if (video_meta)
    gst_buffer_pool_config_add_option (config,
        GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (!gst_buffer_pool_set_config (pool, config)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, (NULL),
        ("the VVAS pool refused caps %" GST_PTR_FORMAT, caps));
    gst_object_unref (pool);
    return NULL;
  }
  return pool;
}

static gboolean
gst_vvas_kernel_template_propose_allocation (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (trans);
  GstBufferPool *pool;
  GstVideoInfo info;
  GstCaps *caps;
  gboolean need_pool;

  gst_query_parse_allocation (query, &caps, &need_pool);
  if (!caps || !gst_video_info_from_caps (&info, caps) || !self->allocator)
    return FALSE;

  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  gst_query_add_allocation_param (query, self->allocator, NULL);
  if (!need_pool)
    return TRUE;
  pool = new_pool (self, caps, info.size, 0, TRUE);
  if (!pool)
    return FALSE;
  gst_query_add_allocation_pool (query, pool, info.size, 0, 0);
  gst_object_unref (pool);
  return TRUE;
}

/* Output frames always come from a VVAS pool of ours, on our bank. */
static gboolean
gst_vvas_kernel_template_decide_allocation (GstBaseTransform * trans,
    GstQuery * query)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (trans);
  GstBufferPool *pool;
  GstCaps *caps;

  gst_query_parse_allocation (query, &caps, NULL);
  if (!caps)
    return FALSE;
  pool = new_pool (self, caps, self->out_info.size, OUTPUT_POOL_MIN_BUFFERS,
      gst_query_find_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL));
  if (!pool)
    return FALSE;

  if (gst_query_get_n_allocation_pools (query) > 0)
    gst_query_set_nth_allocation_pool (query, 0, pool, self->out_info.size,
        OUTPUT_POOL_MIN_BUFFERS, 0);
  else
    gst_query_add_allocation_pool (query, pool, self->out_info.size,
        OUTPUT_POOL_MIN_BUFFERS, 0);
  if (gst_query_get_n_allocation_params (query) > 0)
    gst_query_set_nth_allocation_param (query, 0, self->allocator, NULL);
  else
    gst_query_add_allocation_param (query, self->allocator, NULL);
  gst_object_unref (pool);
  return TRUE;
}

/*
 * The frame's one memory, if it is VVAS device memory holding @size bytes
 * in the caps' default layout; otherwise an element error saying why.
 */
static GstMemory *
frame_memory (GstVvasKernelTemplate * self, GstBuffer * buffer,
    const gchar * which, gsize size)
{
  GstVideoMeta *vmeta = gst_buffer_get_video_meta (buffer);
  GstMemory *mem;
  guint i;

  if (gst_buffer_n_memory (buffer) != 1) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("%s buffer has %u memories, the kernel takes 1", which,
            gst_buffer_n_memory (buffer)));
    return NULL;
  }
  mem = gst_buffer_peek_memory (buffer, 0);
  /* Check first: other device memories reuse the GST_MAP_VVAS bit. */
  if (!gst_is_vvas_memory (mem) || !gst_vvas_memory_get_bo (mem)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("%s buffer is not in VVAS device memory", which));
    return NULL;
  }
  if (gst_vvas_memory_get_device_index (mem) != self->active_dev_idx) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("%s buffer is on device %d, the kernel on device %d", which,
            gst_vvas_memory_get_device_index (mem), self->active_dev_idx));
    return NULL;
  }
  if (gst_memory_get_sizes (mem, NULL, NULL) < size) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("%s buffer holds %" G_GSIZE_FORMAT " bytes, a frame %" G_GSIZE_FORMAT,
            which, gst_memory_get_sizes (mem, NULL, NULL), size));
    return NULL;
  }
  /* YOUR KERNEL: a kernel that takes strides and plane offsets as
   * arguments reads them from the GstVideoMeta instead. */
  for (i = 0; vmeta && i < vmeta->n_planes; i++) {
    if (vmeta->offset[i] != self->out_info.offset[i] ||
        vmeta->stride[i] != self->out_info.stride[i]) {
      GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
          ("%s buffer's plane %u has offset %" G_GSIZE_FORMAT " and stride "
              "%d; the kernel takes the default layout", which, i,
              vmeta->offset[i], vmeta->stride[i]));
      return NULL;
    }
  }
  return mem;
}

/* Where a memory's bytes start in its buffer object, from the device
 * address a GST_MAP_VVAS map gives. */
static gsize
bo_offset (GstMemory * mem, const GstMapInfo * device_map)
{
  VvasMemory *vmem = gst_vvas_memory_get_vvas_memory (mem);

  return (gsize) ((guintptr) device_map->data - vvas_memory_get_paddr (vmem));
}

/*
 * THE KERNEL. Both frames are mapped with GST_MAP_VVAS, so the input's
 * device copy is current and the output's will be marked newer: the kernel
 * works on device memory only and never syncs.
 *
 * The stand-in is a device-side copy, XRT's xrtBOCopy from the input buffer
 * object to the output one. YOUR KERNEL replaces its body, e.g. with the
 * kernel and run handles opened in start():
 *
 *   xrtRunSetArg (self->run, 0, in_bo);    (or the device address,
 *   xrtRunSetArg (self->run, 1, out_bo);    in_addr / out_addr, for a
 *   xrtRunSetArg (self->run, 2, width);     kernel that takes a 64-bit
 *   xrtRunSetArg (self->run, 3, height);    address argument)
 *   if (xrtRunStart (self->run) != 0 ||
 *       xrtRunWait (self->run) != ERT_CMD_STATE_COMPLETED)
 *     return FALSE;
 *
 * A kernel that takes buffer objects as arguments and a memory that does
 * not start at offset 0 of its BO (in_offset, out_offset) takes a
 * sub-buffer: xrtBOSubAlloc (in_bo, size, in_offset).
 */
static gboolean
run_kernel (GstVvasKernelTemplate * self, xrtBufferHandle in_bo,
    gsize in_offset, guint64 in_addr, xrtBufferHandle out_bo,
    gsize out_offset, guint64 out_addr, gsize size)
{
  int res;

  GST_LOG_OBJECT (self, "kernel: %" G_GSIZE_FORMAT " bytes, device address "
      "0x%" G_GINT64_MODIFIER "x to 0x%" G_GINT64_MODIFIER "x", size, in_addr,
      out_addr);
  res = xrtBOCopy (out_bo, in_bo, size, out_offset, in_offset);
  if (res != 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("The kernel failed."),
        ("xrtBOCopy of %" G_GSIZE_FORMAT " bytes returned %d", size, res));
    return FALSE;
  }
  return TRUE;
}

static GstFlowReturn
gst_vvas_kernel_template_transform (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer * outbuf)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (trans);
  gsize size = self->out_info.size;
  GstMemory *in_mem, *out_mem;
  GstMapInfo in_map, out_map;
  gboolean ran;

  in_mem = frame_memory (self, inbuf, "input", size);
  out_mem = in_mem ? frame_memory (self, outbuf, "output", size) : NULL;
  if (!out_mem)
    return GST_FLOW_ERROR;

  /*
   * Device access: the READ map makes the input's device copy current (one
   * transfer if the host wrote it, none if a kernel did); the WRITE map
   * marks the output's device copy newer, so whoever maps it on the host
   * next gets the kernel's bytes, transferred once. info.data is the
   * device address of the memory's first byte: never dereference it.
   */
  if (!gst_memory_map (in_mem, &in_map, GST_MAP_READ | GST_MAP_VVAS)) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL),
        ("could not make the input frame current on the device"));
    return GST_FLOW_ERROR;
  }
  if (!gst_memory_map (out_mem, &out_map, GST_MAP_WRITE | GST_MAP_VVAS)) {
    gst_memory_unmap (in_mem, &in_map);
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, (NULL),
        ("could not map the output frame for the device"));
    return GST_FLOW_ERROR;
  }

  ran = run_kernel (self, gst_vvas_memory_get_bo (in_mem),
      bo_offset (in_mem, &in_map), (guintptr) in_map.data,
      gst_vvas_memory_get_bo (out_mem), bo_offset (out_mem, &out_map),
      (guintptr) out_map.data, size);

  gst_memory_unmap (out_mem, &out_map);
  gst_memory_unmap (in_mem, &in_map);
  if (!ran)
    return GST_FLOW_ERROR;

  /* The output's GstVvasMeta and VvasMetadata carry its timestamps. */
  gst_vvas_buffer_write_metadata (outbuf);
  GST_OBJECT_LOCK (self);
  self->kernel_runs++;
  GST_OBJECT_UNLOCK (self);
  return GST_FLOW_OK;
}

/* --- properties and registration ----------------------------------------- */

static void
gst_vvas_kernel_template_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (object);

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
gst_vvas_kernel_template_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (object);

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
    case PROP_KERNEL_RUNS:
      g_value_set_uint64 (value, self->kernel_runs);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_vvas_kernel_template_finalize (GObject * object)
{
  GstVvasKernelTemplate *self = GST_VVAS_KERNEL_TEMPLATE (object);

  g_free (self->xclbin_location);
  release_context (self);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_vvas_kernel_template_class_init (GstVvasKernelTemplateClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  gobject_class->set_property = gst_vvas_kernel_template_set_property;
  gobject_class->get_property = gst_vvas_kernel_template_get_property;
  gobject_class->finalize = gst_vvas_kernel_template_finalize;

  g_object_class_install_property (gobject_class, PROP_DEV_IDX,
      g_param_spec_int ("dev-idx", "Device index", "XRT device index", 0,
          G_MAXINT, DEFAULT_DEV_IDX, flags));
  g_object_class_install_property (gobject_class, PROP_MEM_BANK,
      g_param_spec_uint ("mem-bank", "Memory bank", "Memory bank of the "
          "output frames", 0, G_MAXUINT8, DEFAULT_MEM_BANK, flags));
  g_object_class_install_property (gobject_class, PROP_XCLBIN_LOCATION,
      g_param_spec_string ("xclbin-location", "xclbin location", "xclbin "
          "holding the kernel (NULL: whatever the device has)", NULL, flags));
  g_object_class_install_property (gobject_class, PROP_KERNEL_RUNS,
      g_param_spec_uint64 ("kernel-runs", "Kernel runs", "Frames the kernel "
          "processed since the element started", 0, G_MAXUINT64, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "VVAS kernel template", "Filter/Video",
      "Hands each frame in VVAS device memory to a kernel (here a device "
      "copy) and passes the result on, device copy newer",
      "vvas-xrt-memory authors");

  element_class->set_context =
      GST_DEBUG_FUNCPTR (gst_vvas_kernel_template_set_context);
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_vvas_kernel_template_change_state);

  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->query = GST_DEBUG_FUNCPTR (gst_vvas_kernel_template_query);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_vvas_kernel_template_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_vvas_kernel_template_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR (gst_vvas_kernel_template_set_caps);
  trans_class->propose_allocation =
      GST_DEBUG_FUNCPTR (gst_vvas_kernel_template_propose_allocation);
  trans_class->decide_allocation =
      GST_DEBUG_FUNCPTR (gst_vvas_kernel_template_decide_allocation);
  trans_class->transform =
      GST_DEBUG_FUNCPTR (gst_vvas_kernel_template_transform);

  GST_DEBUG_CATEGORY_INIT (gst_vvas_kernel_template_debug,
      "vvaskerneltemplate", 0, "VVAS kernel template element");
}

static void
gst_vvas_kernel_template_init (GstVvasKernelTemplate * self)
{
  self->dev_idx = DEFAULT_DEV_IDX;
  self->mem_bank = DEFAULT_MEM_BANK;
}

static gboolean
plugin_init (GstPlugin * plugin)
{
  return gst_element_register (plugin, "vvaskerneltemplate", GST_RANK_NONE,
      GST_TYPE_VVAS_KERNEL_TEMPLATE);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, vvastemplate,
    "Template of an accelerator element on VVAS device memory",
    plugin_init, PACKAGE_VERSION, "MIT/X11", PACKAGE_NAME, PACKAGE_ORIGIN)
