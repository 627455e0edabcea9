/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Shared set-up of the gst-check tests of the GStreamer library: the
 * xclbins of test_util, transfer counts at the XRT boundary, and small map
 * helpers. Every test program runs on XRT's no-op device.
 */

#ifndef __GST_VVAS_TEST_COMMON_H__
#define __GST_VVAS_TEST_COMMON_H__

#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/vvas/gstvvas.h>
#include <vvas_core/vvas_memory_priv.h>

#include "test_util.h"
#include "xrt_emu.h"

#include <xrt/xrt_bo.h>

/* Path of two_banks.xclbin; set once in main, read by any thread. */
static const gchar *two_banks_xclbin;

/*
 * gst-check's log handlers do not match messages that G_DEBUG=fatal-criticals
 * made fatal, and it watches neither the library's own domain nor the
 * plain one with those flags. These handlers do what gst-check's do
 * (count a critical for ASSERT_CRITICAL, fail a test that does not expect
 * one) for those messages too.
 */
#define GST_VVAS_TEST_LOG_DOMAIN "GStreamer-VVAS"

static inline void
gst_vvas_test_log_func (const gchar * log_domain, GLogLevelFlags log_level,
    const gchar * message, gpointer user_data)
{
  if (!_gst_check_expecting_log)
    fail ("Unexpected critical/warning: %s", message);
  if (log_level & G_LOG_LEVEL_CRITICAL)
    _gst_check_raised_critical = TRUE;
  if (log_level & G_LOG_LEVEL_WARNING)
    _gst_check_raised_warning = TRUE;
}

/* A critical is fatal unless a test expects it (inside ASSERT_CRITICAL). */
static inline gboolean
gst_vvas_test_fatal_func (const gchar * log_domain, GLogLevelFlags log_level,
    const gchar * message, gpointer user_data)
{
  return !_gst_check_expecting_log;
}

static inline void
gst_vvas_test_watch_logs (void)
{
  static const gchar *domains[] = { GST_VVAS_TEST_LOG_DOMAIN, "GStreamer",
    "GLib-GObject", "GLib", NULL
  };
  GLogLevelFlags levels = G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING |
      G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION;
  guint i;

  /* The last entry, NULL, is the default domain. */
  for (i = 0; i < G_N_ELEMENTS (domains); i++)
    g_log_set_handler (domains[i], levels, gst_vvas_test_log_func, NULL);
  g_test_log_set_fatal_handler (gst_vvas_test_fatal_func, NULL);
}

/* Runs @suite with the xclbins of test_util in place; for main(). */
static inline int
gst_vvas_test_run (Suite * (*make_suite) (void), const gchar * name,
    int argc, char **argv)
{
  int ret;

  gst_check_init (&argc, &argv);
  gst_vvas_test_watch_logs ();
  test_util_init ();
  two_banks_xclbin = test_util_path ("two_banks.xclbin");
  ret = gst_check_run_suite (make_suite (), name, __FILE__);
  test_util_cleanup ();
  return ret;
}

/* True when each test runs in a process of its own (check's default). */
static inline gboolean
gst_vvas_test_forked (void)
{
  return g_strcmp0 (g_getenv ("CK_FORK"), "no") != 0;
}

/* A device context on device 0 with two_banks.xclbin. */
static inline GstVvasContext *
gst_vvas_test_context_new (void)
{
  GError *error = NULL;
  GstVvasContext *ctx = gst_vvas_context_new (0, two_banks_xclbin, &error);

  fail_unless (ctx != NULL, "gst_vvas_context_new: %s",
      error ? error->message : "no error");
  fail_unless (error == NULL);
  fail_unless (xrt_count_is_active (), "XRT calls are not being counted");
  return ctx;
}

/* Asserts the syncs XRT was asked for since the last xrt_count_reset(). */
#define assert_syncs(to_device, from_device) G_STMT_START {             \
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE),   \
      (guint64) (to_device));                                           \
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), \
      (guint64) (from_device));                                         \
} G_STMT_END

#define assert_pending(mem, flags)                                      \
  fail_unless_equals_int (gst_vvas_memory_get_pending_transfers (mem),  \
      (flags))

/* Asserts that the core memory behind @mem holds no host map. */
#define assert_core_unmapped(mem) G_STMT_START {                        \
  VvasAllocationInfo _ai;                                               \
  fail_unless_equals_int (vvas_memory_get_allocation_info (             \
          gst_vvas_memory_get_vvas_memory (mem), &_ai), VVAS_RET_SUCCESS); \
  fail_unless_equals_int (_ai.map_flags, VVAS_DATA_MAP_NONE);           \
} G_STMT_END

/* Maps @mem with @flags and unmaps it; returns whether the map worked. */
static inline gboolean
map_unmap (GstMemory * mem, GstMapFlags flags)
{
  GstMapInfo info;

  if (!gst_memory_map (mem, &info, flags))
    return FALSE;
  gst_memory_unmap (mem, &info);
  return TRUE;
}

/*
 * Debug-log lines at WARNING level or above, recorded between
 * gst_vvas_test_watch_warnings() and gst_vvas_test_unwatch_warnings(), as
 * "category: message": a refusal must say why at a level a user sees.
 */
static GMutex gst_vvas_test_warnings_lock;
static GPtrArray *gst_vvas_test_warnings;

static inline void
gst_vvas_test_record_warning (GstDebugCategory * category,
    GstDebugLevel level, const gchar * file, const gchar * function,
    gint line, GObject * object, GstDebugMessage * message, gpointer data)
{
  if (level > GST_LEVEL_WARNING)
    return;
  g_mutex_lock (&gst_vvas_test_warnings_lock);
  if (gst_vvas_test_warnings)
    g_ptr_array_add (gst_vvas_test_warnings, g_strdup_printf ("%s: %s",
            gst_debug_category_get_name (category),
            gst_debug_message_get (message)));
  g_mutex_unlock (&gst_vvas_test_warnings_lock);
}

/* Records the warnings of @category_name (raising its threshold to WARNING
 * if GST_DEBUG left it lower). */
static inline void
gst_vvas_test_watch_warnings (const gchar * category_name)
{
  GSList *cats = gst_debug_get_all_categories (), *l;

  for (l = cats; l; l = l->next) {
    GstDebugCategory *cat = l->data;

    if (g_strcmp0 (gst_debug_category_get_name (cat), category_name) == 0 &&
        gst_debug_category_get_threshold (cat) < GST_LEVEL_WARNING)
      gst_debug_category_set_threshold (cat, GST_LEVEL_WARNING);
  }
  g_slist_free (cats);
  gst_debug_set_active (TRUE);
  g_mutex_lock (&gst_vvas_test_warnings_lock);
  if (!gst_vvas_test_warnings) {
    gst_vvas_test_warnings = g_ptr_array_new_with_free_func (g_free);
    gst_debug_add_log_function (gst_vvas_test_record_warning, NULL, NULL);
  }
  g_mutex_unlock (&gst_vvas_test_warnings_lock);
}

static inline void
gst_vvas_test_unwatch_warnings (void)
{
  gst_debug_remove_log_function (gst_vvas_test_record_warning);
  g_mutex_lock (&gst_vvas_test_warnings_lock);
  g_clear_pointer (&gst_vvas_test_warnings, g_ptr_array_unref);
  g_mutex_unlock (&gst_vvas_test_warnings_lock);
}

/*
 * TRUE if a warning of @category_name recorded since the last call contains
 * @text, a glob pattern ('*' matches any text, '?' any character);
 * forgets the warnings.
 */
static inline gboolean
gst_vvas_test_warned (const gchar * category_name, const gchar * text)
{
  gchar *pattern = g_strdup_printf ("%s: *%s*", category_name, text);
  gboolean found = FALSE;
  guint i;

  fail_unless (gst_vvas_test_warnings != NULL, "warnings are not watched");
  g_mutex_lock (&gst_vvas_test_warnings_lock);
  for (i = 0; i < gst_vvas_test_warnings->len && !found; i++) {
    const gchar *w = g_ptr_array_index (gst_vvas_test_warnings, i);

    found = g_pattern_match_simple (pattern, w);
  }
  g_ptr_array_set_size (gst_vvas_test_warnings, 0);
  g_mutex_unlock (&gst_vvas_test_warnings_lock);
  g_free (pattern);
  return found;
}

/* Writes a pattern that depends on @seed into @size bytes at @data. */
static inline void
fill_pattern (guint8 * data, gsize size, guint seed)
{
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = (guint8) (i * 31 + seed);
}

/* Index of the first byte of @data that is not the pattern, or -1. */
static inline gssize
check_pattern (const guint8 * data, gsize size, guint seed)
{
  gsize i;

  for (i = 0; i < size; i++)
    if (data[i] != (guint8) (i * 31 + seed))
      return (gssize) i;
  return -1;
}

/* Index of the first byte of @data that is not @byte, or -1. */
static inline gssize
check_bytes (const guint8 * data, gsize size, guint8 byte)
{
  gsize i;

  for (i = 0; i < size; i++)
    if (data[i] != byte)
      return (gssize) i;
  return -1;
}

/*
 * Plays a kernel handed @dev_addr (from a GST_MAP_VVAS map of @mem): the
 * offset of that byte in @mem's buffer object, whose device copy the
 * kernel functions of xrt_emu.h then read and write.
 */
static inline gsize
kernel_offset (GstMemory * mem, guintptr dev_addr)
{
  xrtBufferHandle bo = gst_vvas_memory_get_bo (mem);

  fail_unless (bo != NULL);
  return (gsize) (dev_addr - xrtBOAddress (bo));
}

/* What the kernel reads at @dev_addr: @size bytes, g_free() them. */
static inline guint8 *
kernel_read (GstMemory * mem, guintptr dev_addr, gsize size)
{
  guint8 *bytes = g_malloc (size);

  fail_unless_equals_int (xrt_emu_kernel_read (gst_vvas_memory_get_bo (mem),
          kernel_offset (mem, dev_addr), bytes, size), 0);
  return bytes;
}

/* The kernel writes fill_pattern (@seed) at @dev_addr. */
static inline void
kernel_write_pattern (GstMemory * mem, guintptr dev_addr, gsize size,
    guint seed)
{
  guint8 *bytes = g_malloc (size);

  fill_pattern (bytes, size, seed);
  fail_unless_equals_int (xrt_emu_kernel_write (gst_vvas_memory_get_bo (mem),
          kernel_offset (mem, dev_addr), bytes, size), 0);
  g_free (bytes);
}

/* Index of the first byte the kernel reads at @dev_addr that is not
 * fill_pattern (@seed), or -1. */
static inline gssize
kernel_check_pattern (GstMemory * mem, guintptr dev_addr, gsize size,
    guint seed)
{
  guint8 *bytes = kernel_read (mem, dev_addr, size);
  gssize res = check_pattern (bytes, size, seed);

  g_free (bytes);
  return res;
}

#endif /* __GST_VVAS_TEST_COMMON_H__ */
