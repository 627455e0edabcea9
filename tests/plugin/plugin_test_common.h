/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Shared set-up of the gst-check tests of the vvas plugin: the xclbins of
 * test_util, XRT calls counted at the boundary (the plugin is loaded from
 * the build tree through GST_PLUGIN_PATH, and its XRT calls still reach the
 * counting wrappers), video frames filled and checked byte by byte, and
 * the elements' counters.
 */

#ifndef __VVAS_PLUGIN_TEST_COMMON_H__
#define __VVAS_PLUGIN_TEST_COMMON_H__

#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gst/vvas/gstvvas.h>

#include "test_util.h"
#include "xrt_count.h"

/* Path of two_banks.xclbin; set once in main. */
static const gchar *two_banks_xclbin;

/*
 * gst-check's log handlers do not see messages that G_DEBUG=fatal-criticals
 * made fatal, nor the library's own domain: these fail a test on any
 * critical or warning it does not expect (as tests/gst does).
 */
static inline void
plugin_test_log_func (const gchar * log_domain, GLogLevelFlags log_level,
    const gchar * message, gpointer user_data)
{
  if (!_gst_check_expecting_log)
    fail ("Unexpected critical/warning: %s", message);
  if (log_level & G_LOG_LEVEL_CRITICAL)
    _gst_check_raised_critical = TRUE;
  if (log_level & G_LOG_LEVEL_WARNING)
    _gst_check_raised_warning = TRUE;
}

static inline gboolean
plugin_test_fatal_func (const gchar * log_domain, GLogLevelFlags log_level,
    const gchar * message, gpointer user_data)
{
  return !_gst_check_expecting_log;
}

static inline int
plugin_test_run (Suite * (*make_suite) (void), const gchar * name, int argc,
    char **argv)
{
  static const gchar *domains[] = { "GStreamer-VVAS", "GStreamer",
    "GLib-GObject", "GLib", NULL
  };
  GLogLevelFlags levels = G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING |
      G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION;
  guint i;
  int ret;

  gst_check_init (&argc, &argv);
  for (i = 0; i < G_N_ELEMENTS (domains); i++)
    g_log_set_handler (domains[i], levels, plugin_test_log_func, NULL);
  g_test_log_set_fatal_handler (plugin_test_fatal_func, NULL);
  test_util_init ();
  two_banks_xclbin = test_util_path ("two_banks.xclbin");
  ret = gst_check_run_suite (make_suite (), name, __FILE__);
  test_util_cleanup ();
  return ret;
}

/*
 * Opens device 0 through the counting wrappers and closes it again: proves
 * that they are in place, and leaves nothing open.
 */
static inline void
plugin_test_assert_counting (void)
{
  GstVvasContext *ctx = gst_vvas_context_new (0, two_banks_xclbin, NULL);

  fail_unless (ctx != NULL);
  gst_object_unref (ctx);
  fail_unless (xrt_count_is_active (), "XRT calls are not being counted");
}

/* The element @factory from the plugin under test; fails if not found. */
static inline GstElement *
make_element (const gchar * factory)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  fail_unless (e != NULL, "no element %s: is GST_PLUGIN_PATH the build's "
      "gst/plugin?", factory);
  return e;
}

static inline guint64
get_counter (GstElement * element, const gchar * name)
{
  guint64 value = G_MAXUINT64;

  g_object_get (element, name, &value, NULL);
  return value;
}

/* Asserts an element's buffers-passed, buffers-copied and bytes-copied. */
#define assert_counters(element, passed, copied, bytes) G_STMT_START {  \
  fail_unless_equals_uint64 (get_counter (element, "buffers-passed"),   \
      (guint64) (passed));                                              \
  fail_unless_equals_uint64 (get_counter (element, "buffers-copied"),   \
      (guint64) (copied));                                              \
  fail_unless_equals_uint64 (get_counter (element, "bytes-copied"),     \
      (guint64) (bytes));                                               \
} G_STMT_END

/*
 * Bytes of one visible row of @plane, and its number of rows, for the
 * formats the tests use: worked out by hand, not by GStreamer's tables.
 */
static inline void
plane_geometry (GstVideoFormat format, guint plane, gint width, gint height,
    gsize * row_bytes, guint * rows)
{
  gint cw = (width + 1) / 2, ch = (height + 1) / 2;

  switch (format) {
    case GST_VIDEO_FORMAT_NV12:
      *row_bytes = plane == 0 ? width : 2 * cw;
      *rows = plane == 0 ? height : ch;
      break;
    case GST_VIDEO_FORMAT_I420:
      *row_bytes = plane == 0 ? width : cw;
      *rows = plane == 0 ? height : ch;
      break;
    case GST_VIDEO_FORMAT_RGBA:
      *row_bytes = 4 * width;
      *rows = height;
      break;
    case GST_VIDEO_FORMAT_GRAY8:
      *row_bytes = width;
      *rows = height;
      break;
    default:
      fail ("format %s not handled by the test",
          gst_video_format_to_string (format));
  }
}

/* Bytes a frame shows (no strides, no padding): what a copy moves. */
static inline gsize
visible_bytes (const GstVideoInfo * info)
{
  gsize total = 0, row_bytes;
  guint plane, rows;

  for (plane = 0; plane < GST_VIDEO_INFO_N_PLANES (info); plane++) {
    plane_geometry (GST_VIDEO_INFO_FORMAT (info), plane,
        GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
        &row_bytes, &rows);
    total += row_bytes * rows;
  }
  return total;
}

/* A byte that depends on every coordinate, so that a row read at the
 * wrong stride or plane offset does not match by chance. */
static inline guint8
pattern_byte (guint seed, guint plane, guint row, gsize col)
{
  guint32 x = seed * 0x9E3779B1u + plane * 0x85EBCA77u + row * 0xC2B2AE3Du
      + (guint32) col * 0x27D4EB2Fu;

  x ^= x >> 15;
  x *= 0x2C1B3C6Du;
  x ^= x >> 12;
  return (guint8) (x >> 24);
}

/* Writes the pattern of @seed into the visible bytes of @buf, laid out as
 * its GstVideoMeta says (or as @info says without one). */
static inline void
fill_frame (GstBuffer * buf, const GstVideoInfo * info, guint seed)
{
  GstVideoFrame frame;
  guint plane, row, rows;
  gsize col, row_bytes;

  fail_unless (gst_video_frame_map (&frame, (GstVideoInfo *) info, buf,
          GST_MAP_WRITE));
  for (plane = 0; plane < GST_VIDEO_FRAME_N_PLANES (&frame); plane++) {
    plane_geometry (GST_VIDEO_INFO_FORMAT (info), plane,
        GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
        &row_bytes, &rows);
    for (row = 0; row < rows; row++) {
      guint8 *data = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, plane) +
          (gsize) row * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, plane);

      for (col = 0; col < row_bytes; col++)
        data[col] = pattern_byte (seed, plane, row, col);
    }
  }
  gst_video_frame_unmap (&frame);
}

/* Asserts that the visible bytes of @buf are the pattern of @seed. */
static inline void
check_frame (GstBuffer * buf, const GstVideoInfo * info, guint seed)
{
  GstVideoFrame frame;
  guint plane, row, rows;
  gsize col, row_bytes;

  fail_unless (gst_video_frame_map (&frame, (GstVideoInfo *) info, buf,
          GST_MAP_READ));
  for (plane = 0; plane < GST_VIDEO_FRAME_N_PLANES (&frame); plane++) {
    plane_geometry (GST_VIDEO_INFO_FORMAT (info), plane,
        GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
        &row_bytes, &rows);
    for (row = 0; row < rows; row++) {
      const guint8 *data =
          (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, plane) +
          (gsize) row * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, plane);

      for (col = 0; col < row_bytes; col++) {
        if (data[col] != pattern_byte (seed, plane, row, col)) {
          gst_video_frame_unmap (&frame);
          fail ("%s %dx%d: plane %u row %u byte %" G_GSIZE_FORMAT " is %u, "
              "expected %u", GST_VIDEO_INFO_NAME (info),
              GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
              plane, row, col, data[col], pattern_byte (seed, plane, row, col));
        }
      }
    }
  }
  gst_video_frame_unmap (&frame);
}

/* SHA-1 of the visible bytes of a frame, whatever its strides. */
static inline gchar *
frame_checksum (GstBuffer * buf, const GstVideoInfo * info)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA1);
  GstVideoFrame frame;
  guint plane, row, rows;
  gsize row_bytes;
  gchar *result;

  fail_unless (gst_video_frame_map (&frame, (GstVideoInfo *) info, buf,
          GST_MAP_READ));
  for (plane = 0; plane < GST_VIDEO_FRAME_N_PLANES (&frame); plane++) {
    plane_geometry (GST_VIDEO_INFO_FORMAT (info), plane,
        GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
        &row_bytes, &rows);
    for (row = 0; row < rows; row++)
      g_checksum_update (sum,
          (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, plane) +
          (gsize) row * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, plane),
          row_bytes);
  }
  gst_video_frame_unmap (&frame);
  result = g_strdup (g_checksum_get_string (sum));
  g_checksum_free (sum);
  return result;
}

/* Asserts that @caps carry the VVAS memory feature, or do not. */
static inline void
assert_caps_feature (GstCaps * caps, gboolean vvas)
{
  GstCapsFeatures *f;

  fail_unless (caps != NULL);
  fail_unless_equals_int (gst_caps_get_size (caps), 1);
  f = gst_caps_get_features (caps, 0);
  fail_unless_equals_int (gst_caps_features_contains (f,
          GST_CAPS_FEATURE_MEMORY_VVAS), vvas);
}

/*
 * The GstVvasMetas of @buf, all given by its pool when it allocated the
 * buffer (pooled); -1 if one was added later (per frame).
 */
static inline gint
count_pooled_vvas_metas (GstBuffer * buf)
{
  gpointer state = NULL;
  GstMeta *meta;
  gint n = 0;

  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VVAS_META_API_TYPE))) {
    if (!GST_META_FLAG_IS_SET (meta, GST_META_FLAG_POOLED))
      return -1;
    n++;
  }
  return n;
}

#endif /* __VVAS_PLUGIN_TEST_COMMON_H__ */
