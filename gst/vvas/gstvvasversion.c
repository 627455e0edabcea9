/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION:gstvvasversion
 * @title: Version
 * @short_description: The version of libgstvvas-1.0, at build and at run
 *   time
 *
 * The #GST_VVAS_VERSION_MAJOR, #GST_VVAS_VERSION_MINOR and
 * #GST_VVAS_VERSION_MICRO macros and GST_VVAS_CHECK_VERSION() give the
 * version of the headers an application was compiled against;
 * gst_vvas_version() and gst_vvas_version_string() give the version of the
 * library it runs with. Both follow the project version; the core library
 * has the same (vvas_core/vvas_version.h).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvasversion.h"

/**
 * gst_vvas_version:
 * @major: (out) (optional): where the library's major version is stored
 * @minor: (out) (optional): where its minor version is stored
 * @micro: (out) (optional): where its micro version is stored
 *
 * Reads the version of the libgstvvas-1.0 library the program runs with,
 * which may be newer than the headers it was compiled against
 * (#GST_VVAS_VERSION_MAJOR...). Each pointer may be %NULL.
 *
 * Since: 1.0
 */
void
gst_vvas_version (guint * major, guint * minor, guint * micro)
{
  if (major)
    *major = GST_VVAS_VERSION_MAJOR;
  if (minor)
    *minor = GST_VVAS_VERSION_MINOR;
  if (micro)
    *micro = GST_VVAS_VERSION_MICRO;
}

/**
 * gst_vvas_version_string:
 *
 * Describes the libgstvvas-1.0 library the program runs with, for logs and
 * "about" text, as gst_version_string() does for GStreamer.
 *
 * Returns: (transfer full): a newly allocated string, "GStreamer VVAS
 *   major.minor.micro"; free it with g_free().
 *
 * Since: 1.0
 */
gchar *
gst_vvas_version_string (void)
{
  return g_strdup_printf ("GStreamer VVAS %u.%u.%u", GST_VVAS_VERSION_MAJOR,
      GST_VVAS_VERSION_MINOR, GST_VVAS_VERSION_MICRO);
}
