/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Core log lines become GStreamer debug messages in the "vvascore"
 * category. The last error of each thread is kept too, so that a failed
 * call can put the core's reason into its GError.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvaslog-private.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_core_debug);
#define GST_CAT_DEFAULT gst_vvas_core_debug

static GPrivate last_error = G_PRIVATE_INIT (g_free);

static void
forward_to_gst (VvasLogLevel level, const char *file, const char *func,
    int line, const char *message, void *user_data)
{
  static const GstDebugLevel gst_levels[] = {
    GST_LEVEL_ERROR, GST_LEVEL_WARNING, GST_LEVEL_INFO, GST_LEVEL_DEBUG
  };
  GstDebugLevel gst_level = level <= LOG_LEVEL_DEBUG ?
      gst_levels[level] : GST_LEVEL_LOG;

  if (level == LOG_LEVEL_ERROR)
    g_private_replace (&last_error, g_strdup (message));
  gst_debug_log (GST_CAT_DEFAULT, gst_level, file, func, line, NULL, "%s",
      message);
}

VvasLogLevel
gst_vvas_log_init (void)
{
  static gsize initialized = 0;
  GstDebugLevel threshold;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (gst_vvas_core_debug, "vvascore", 0,
        "VVAS core library");
    vvas_log_set_handler (forward_to_gst, NULL);
    g_once_init_leave (&initialized, 1);
  }

  threshold = gst_debug_category_get_threshold (GST_CAT_DEFAULT);
  if (threshold >= GST_LEVEL_DEBUG)
    return LOG_LEVEL_DEBUG;
  if (threshold >= GST_LEVEL_INFO)
    return LOG_LEVEL_INFO;
  /* Warnings are cheap and rare: keep them even at the default threshold. */
  return LOG_LEVEL_WARNING;
}

const gchar *
gst_vvas_log_get_last_error (void)
{
  return g_private_get (&last_error);
}

void
gst_vvas_log_clear_last_error (void)
{
  g_private_replace (&last_error, NULL);
}
