/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Shared by the plugin tests that check frames changed on the device:
 * "vvastestkernel", an element that plays an accelerator between
 * vvasupload and vvasdownload (it maps each memory with GST_MAP_VVAS and
 * changes its device copy through the buffer object, as a kernel would),
 * the frames expected of it, computed from a reference run without the
 * VVAS elements, and an appsink that compares every frame it receives,
 * byte by byte, as it arrives (holding none, so the pools' buffers go
 * round as in a real pipeline).
 */

#ifndef __VVAS_PLUGIN_DEVICE_DATA_COMMON_H__
#define __VVAS_PLUGIN_DEVICE_DATA_COMMON_H__

#include "plugin_test_common.h"
#include "xrt_emu.h"

#include <gst/base/gstbasetransform.h>
#include <vvas_core/vvas_memory_priv.h>

/* The emulated device is on exactly when the set-up asked for it: a run
 * meant to check bytes really does. After the first XRT call. */
static inline void
assert_device_as_asked (void)
{
  fail_unless_equals_int (xrt_emu_enabled (),
      g_strcmp0 (g_getenv ("VVAS_XRT_EMULATION"), "1") == 0);
}

/* --- The test kernel ------------------------------------------------------ */

typedef enum
{
  /* Reads the device copy, writes back ~byte ^ tag (a device READWRITE
   * map): the output depends on the input reaching the device. */
  TEST_KERNEL_INVERT,
  /* Overwrites the device copy with the tag (a device WRITE-only map). */
  TEST_KERNEL_FILL,
} TestKernelMode;

/* The byte a frame's output is tagged with: differs from frame to frame,
 * so that a stale frame does not pass for the next one. */
static inline guint8
test_kernel_tag (guint frame)
{
  return (guint8) (frame * 37 + 11);
}

typedef struct
{
  GstBaseTransform parent;

  TestKernelMode mode;
  guint frames;                 /* frames changed on the device */
} TestKernel;

typedef struct
{
  GstBaseTransformClass parent_class;
} TestKernelClass;

enum
{
  PROP_TEST_KERNEL_0,
  PROP_TEST_KERNEL_MODE,
  PROP_TEST_KERNEL_FRAMES,
};

static GType test_kernel_get_type (void);
G_DEFINE_TYPE (TestKernel, test_kernel, GST_TYPE_BASE_TRANSFORM);

static void
test_kernel_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  TestKernel *self = (TestKernel *) object;

  GST_OBJECT_LOCK (self);
  if (prop_id == PROP_TEST_KERNEL_MODE)
    self->mode = (TestKernelMode) g_value_get_int (value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  GST_OBJECT_UNLOCK (self);
}

static void
test_kernel_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  TestKernel *self = (TestKernel *) object;

  GST_OBJECT_LOCK (self);
  if (prop_id == PROP_TEST_KERNEL_MODE)
    g_value_set_int (value, self->mode);
  else if (prop_id == PROP_TEST_KERNEL_FRAMES)
    g_value_set_uint (value, self->frames);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  GST_OBJECT_UNLOCK (self);
}

static gboolean
test_kernel_start (GstBaseTransform * trans)
{
  ((TestKernel *) trans)->frames = 0;
  return TRUE;
}

/*
 * What an accelerator element does with one memory: a device map gives the
 * device address it hands the kernel; the kernel works on the device copy
 * (here through the buffer object, at that address's offset in it). The
 * map, not the element, makes the device copy current before and marks it
 * newer after.
 */
static gboolean
test_kernel_run (TestKernel * self, GstMemory * mem, guint8 tag)
{
  GstMapFlags flags = GST_MAP_VVAS | (self->mode == TEST_KERNEL_FILL ?
      GST_MAP_WRITE : GST_MAP_READWRITE);
  GstMapInfo dev;
  guint64 bo_address;
  gsize offset, i;
  gpointer bo;
  guint8 *bytes;
  gboolean ok;

  if (!gst_is_vvas_memory (mem)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Not in VVAS memory."),
        ("memory %p of allocator %s", mem, mem->allocator ?
            mem->allocator->mem_type : "none"));
    return FALSE;
  }
  if (!gst_memory_map (mem, &dev, flags)) {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Device map failed."),
        ("GST_MAP_VVAS map of memory %p", mem));
    return FALSE;
  }
  /* Relative to the buffer object's own address: XRT's no-op device gives
   * every buffer object the same one. */
  bo = gst_vvas_memory_get_bo (mem);
  bo_address = vvas_memory_get_paddr (gst_vvas_memory_get_vvas_memory (mem));
  offset = (gsize) ((guintptr) dev.data - bo_address);

  if (self->mode == TEST_KERNEL_FILL) {
    ok = xrt_emu_kernel_fill (bo, offset, tag, dev.size) == 0;
  } else {
    bytes = g_malloc (dev.size);
    ok = xrt_emu_kernel_read (bo, offset, bytes, dev.size) == 0;
    for (i = 0; ok && i < dev.size; i++)
      bytes[i] = ~bytes[i] ^ tag;
    ok = ok && xrt_emu_kernel_write (bo, offset, bytes, dev.size) == 0;
    g_free (bytes);
  }
  gst_memory_unmap (mem, &dev);
  if (!ok)
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Kernel failed."),
        ("device address %p is not within buffer object %p", dev.data, bo));
  return ok;
}

static GstFlowReturn
test_kernel_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  TestKernel *self = (TestKernel *) trans;
  guint8 tag = test_kernel_tag (self->frames);
  guint i;

  for (i = 0; i < gst_buffer_n_memory (buf); i++) {
    if (!test_kernel_run (self, gst_buffer_peek_memory (buf, i), tag))
      return GST_FLOW_ERROR;
  }
  GST_OBJECT_LOCK (self);
  self->frames++;
  GST_OBJECT_UNLOCK (self);
  return GST_FLOW_OK;
}

static void
test_kernel_class_init (TestKernelClass * klass)
{
  static GstStaticPadTemplate sink = GST_STATIC_PAD_TEMPLATE ("sink",
      GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
  static GstStaticPadTemplate src = GST_STATIC_PAD_TEMPLATE ("src",
      GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gobject_class->set_property = test_kernel_set_property;
  gobject_class->get_property = test_kernel_get_property;
  g_object_class_install_property (gobject_class, PROP_TEST_KERNEL_MODE,
      g_param_spec_int ("mode", "Mode", "A TestKernelMode", TEST_KERNEL_INVERT,
          TEST_KERNEL_FILL, TEST_KERNEL_INVERT, G_PARAM_READWRITE));
  g_object_class_install_property (gobject_class, PROP_TEST_KERNEL_FRAMES,
      g_param_spec_uint ("frames", "Frames", "Frames changed on the device",
          0, G_MAXUINT, 0, G_PARAM_READABLE));

  gst_element_class_add_static_pad_template (element_class, &sink);
  gst_element_class_add_static_pad_template (element_class, &src);
  gst_element_class_set_static_metadata (element_class, "Test kernel",
      "Filter/Video", "Changes each frame on its device copy", "tests");

  /* In place on every buffer, never passed through untouched. */
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->start = test_kernel_start;
  trans_class->transform_ip = test_kernel_transform_ip;
}

static void
test_kernel_init (TestKernel * self)
{
}

/* Makes "vvastestkernel" known to gst_parse_launch(); once per process. */
static inline void
test_kernel_register (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    fail_unless (gst_element_register (NULL, "vvastestkernel", GST_RANK_NONE,
            test_kernel_get_type ()));
    g_once_init_leave (&done, 1);
  }
}

/* --- Frames ------------------------------------------------------------- */

/*
 * The visible bytes of @buf (rows of every plane, strides left out), or
 * NULL if it cannot be mapped for reading.
 */
static inline GBytes *
frame_visible_bytes (GstBuffer * buf, const GstVideoInfo * info)
{
  GByteArray *bytes = g_byte_array_new ();
  GstVideoFrame frame;
  guint plane, row, rows;
  gsize row_bytes;

  if (!gst_video_frame_map (&frame, (GstVideoInfo *) info, buf, GST_MAP_READ)) {
    g_byte_array_unref (bytes);
    return NULL;
  }
  for (plane = 0; plane < GST_VIDEO_FRAME_N_PLANES (&frame); plane++) {
    plane_geometry (GST_VIDEO_INFO_FORMAT (info), plane,
        GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
        &row_bytes, &rows);
    for (row = 0; row < rows; row++)
      g_byte_array_append (bytes,
          (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, plane) +
          (gsize) row * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, plane),
          (guint) row_bytes);
  }
  gst_video_frame_unmap (&frame);
  return g_byte_array_free_to_bytes (bytes);
}

/*
 * What an appsink receives. With @reference set, frame k must be the test
 * kernel's output of reference frame k in @mode; without, frames are kept
 * (to become a reference).
 */
typedef struct
{
  GMutex lock;
  GPtrArray *reference;         /* GBytes per frame, or NULL */
  TestKernelMode mode;
  GPtrArray *kept;              /* without a reference: GBytes per frame */
  guint frames;                 /* received */
  guint vvas_frames;            /* of them, in VVAS memory */
  guint unmappable;             /* that could not be read */
  guint uncompared;             /* not compared (see below) */
  gchar *mismatch;              /* the first wrong frame, said in words */
} Frames;

static inline void
frames_init (Frames * f, GPtrArray * reference, TestKernelMode mode)
{
  memset (f, 0, sizeof (*f));
  g_mutex_init (&f->lock);
  f->reference = reference;
  f->mode = mode;
  f->kept = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static inline void
frames_clear (Frames * f)
{
  g_ptr_array_unref (f->kept);
  g_free (f->mismatch);
  g_mutex_clear (&f->lock);
}

/* Compares frame @k with the kernel's output of the reference; NULL if
 * equal, else what differs. */
static inline gchar *
frames_compare (Frames * f, guint k, GBytes * got)
{
  GBytes *ref;
  const guint8 *g, *r;
  gsize size, ref_size, i;
  guint8 tag = test_kernel_tag (k), want;

  if (k >= f->reference->len)
    return g_strdup_printf ("frame %u: more frames than the reference's %u",
        k, f->reference->len);
  ref = g_ptr_array_index (f->reference, k);
  g = g_bytes_get_data (got, &size);
  r = g_bytes_get_data (ref, &ref_size);
  if (size != ref_size)
    return g_strdup_printf ("frame %u: %" G_GSIZE_FORMAT " visible bytes, "
        "expected %" G_GSIZE_FORMAT, k, size, ref_size);
  for (i = 0; i < size; i++) {
    want = f->mode == TEST_KERNEL_FILL ? tag : (guint8) (~r[i] ^ tag);
    if (g[i] != want)
      return g_strdup_printf ("frame %u: visible byte %" G_GSIZE_FORMAT
          " of %" G_GSIZE_FORMAT " is 0x%02x, expected 0x%02x (source byte "
          "0x%02x, tag 0x%02x)", k, i, size, g[i], want, r[i], tag);
  }
  return NULL;
}

/* appsink "new-sample": reads the frame at once and lets it go. */
static inline GstFlowReturn
frames_on_new_sample (GstElement * sink, gpointer user_data)
{
  Frames *f = user_data;
  GstSample *sample = NULL;
  GstVideoInfo info;
  GstBuffer *buf;
  GBytes *bytes;
  gchar *mismatch = NULL;
  gboolean vvas;

  g_signal_emit_by_name (sink, "pull-sample", &sample);
  if (!sample)
    return GST_FLOW_EOS;
  buf = gst_sample_get_buffer (sample);
  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample))) {
    gst_sample_unref (sample);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  vvas = gst_is_vvas_memory (gst_buffer_peek_memory (buf, 0));
  bytes = frame_visible_bytes (buf, &info);
  gst_sample_unref (sample);

  g_mutex_lock (&f->lock);
  if (vvas)
    f->vvas_frames++;
  if (!bytes) {
    /* A transfer that failed: the sink cannot read the frame. */
    f->unmappable++;
    g_mutex_unlock (&f->lock);
    return GST_FLOW_ERROR;
  }
  /*
   * When a host map's transfer fails, GStreamer copies the memory and maps
   * the copy; the copy is made on the device, and XRT's no-op device's
   * xrtBOCopy moves nothing: on that device only, such a frame holds bytes
   * nobody wrote, not worth comparing (or reading: valgrind).
   */
  if (f->reference && !xrt_emu_enabled () &&
      xrt_count_get (XRT_CALL_BO_COPY) > 0)
    f->uncompared++;
  else if (f->reference)
    mismatch = frames_compare (f, f->frames, bytes);
  else
    g_ptr_array_add (f->kept, g_bytes_ref (bytes));
  if (mismatch && !f->mismatch)
    f->mismatch = mismatch;
  else
    g_free (mismatch);
  f->frames++;
  g_mutex_unlock (&f->lock);
  g_bytes_unref (bytes);
  return GST_FLOW_OK;
}

/* --- Pipelines ------------------------------------------------------------ */

/* Parses @launch and connects its appsink "sink" to @f. */
static inline GstElement *
pipeline_new (const gchar * launch, Frames * f)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &error);
  GstElement *sink;

  fail_unless (pipeline != NULL && error == NULL, "%s: %s", launch,
      error ? error->message : "?");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  fail_unless (sink != NULL, "%s: no element 'sink'", launch);
  g_object_set (sink, "emit-signals", TRUE, "sync", FALSE, NULL);
  g_signal_connect (sink, "new-sample", G_CALLBACK (frames_on_new_sample), f);
  gst_object_unref (sink);
  return pipeline;
}

/* Seconds a pipeline of a few frames may take before it counts as hung. */
static inline guint
pipeline_timeout (void)
{
  return g_getenv ("VVAS_UNDER_VALGRIND") ? 120 : 20;
}

/*
 * Plays @pipeline until EOS or ERROR and returns that message (NULL only
 * if it hung). A pipeline that fails to start has posted its ERROR too.
 */
static inline GstMessage *
pipeline_play (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, pipeline_timeout () * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_object_unref (bus);
  return msg;
}

static inline void
pipeline_on_freed (gpointer data, GObject * where_the_object_was)
{
  g_atomic_int_set ((gint *) data, 1);
}

/*
 * Drops @pipeline (in state NULL) and asserts that it goes, and with it
 * every buffer object and device it had: the live counts come back to
 * @bos and @devices. After a failed start, GStreamer's own thread for
 * asynchronous state changes (gst_element_call_async) may hold the
 * pipeline a moment longer and drop it last: wait for that, bounded. A
 * leak never comes back.
 */
static inline void
pipeline_unref_and_check (GstElement * pipeline, const gchar * what,
    gint64 bos, gint64 devices)
{
  gint64 deadline = g_get_monotonic_time () +
      pipeline_timeout () * G_TIME_SPAN_SECOND;
  gint freed = 0;

  g_object_weak_ref (G_OBJECT (pipeline), pipeline_on_freed, &freed);
  gst_object_unref (pipeline);
  while ((!g_atomic_int_get (&freed) || xrt_count_live_bos () != bos ||
          xrt_count_live_devices () != devices) &&
      g_get_monotonic_time () < deadline)
    g_usleep (1000);
  fail_unless (g_atomic_int_get (&freed), "%s: the pipeline was never "
      "freed", what);
  fail_unless (xrt_count_live_bos () == bos, "%s: %" G_GINT64_FORMAT
      " buffer objects leaked", what, xrt_count_live_bos () - bos);
  fail_unless (xrt_count_live_devices () == devices, "%s: %" G_GINT64_FORMAT
      " devices leaked", what, xrt_count_live_devices () - devices);
}

/* Counter @name of the element named @element in @pipeline. */
static inline guint64
pipeline_counter (GstElement * pipeline, const gchar * element,
    const gchar * name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), element);
  guint64 value;

  fail_unless (e != NULL, "no element %s", element);
  value = get_counter (e, name);
  gst_object_unref (e);
  return value;
}

/* Frames the test kernel of @pipeline (named "kernel") changed. */
static inline guint
pipeline_kernel_frames (GstElement * pipeline)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), "kernel");
  guint frames = G_MAXUINT;

  fail_unless (e != NULL, "no element kernel");
  g_object_get (e, "frames", &frames, NULL);
  gst_object_unref (e);
  return frames;
}

/*
 * The visible bytes of every frame of "@source ! appsink": the reference
 * the kernel's output is computed from. @source must make the same frames
 * every run (videotestsrc does, frame by frame).
 */
static inline GPtrArray *
reference_frames (const gchar * source)
{
  gchar *launch = g_strdup_printf ("%s ! appsink name=sink", source);
  GstElement *pipeline;
  GstMessage *msg;
  GPtrArray *frames;
  Frames f;

  frames_init (&f, NULL, TEST_KERNEL_INVERT);
  pipeline = pipeline_new (launch, &f);
  msg = pipeline_play (pipeline);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "reference pipeline %s did not reach EOS", launch);
  gst_message_unref (msg);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (pipeline);
  fail_unless_equals_int (f.vvas_frames, 0);
  frames = g_ptr_array_ref (f.kept);
  frames_clear (&f);
  g_free (launch);
  return frames;
}

#endif /* __VVAS_PLUGIN_DEVICE_DATA_COMMON_H__ */
