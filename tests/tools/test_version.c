/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The version of libvvascore (vvas_core/vvas_version.h) and, when built
 * with TEST_GST_VVAS, of libgstvvas-1.0 (gst/vvas/gstvvasversion.h): the
 * macros, the runtime functions and the Meson project version
 * (PROJECT_VERSION, given by the build) agree.
 */

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include <vvas_core/vvas_version.h>
#ifdef TEST_GST_VVAS
#include <gst/vvas/gstvvas.h>
#endif

static int project[3];

static void
parse_project_version (void)
{
  char tail = '\0';

  g_assert_cmpint (sscanf (PROJECT_VERSION, "%d.%d.%d%c", &project[0],
          &project[1], &project[2], &tail), ==, 3);
}

static void
test_core_macros (void)
{
  g_assert_cmpint (VVAS_CORE_VERSION_MAJOR, ==, project[0]);
  g_assert_cmpint (VVAS_CORE_VERSION_MINOR, ==, project[1]);
  g_assert_cmpint (VVAS_CORE_VERSION_MICRO, ==, project[2]);
  g_assert_cmpstr (VVAS_CORE_VERSION_STRING, ==, PROJECT_VERSION);

  g_assert_true (VVAS_CORE_CHECK_VERSION (project[0], project[1],
          project[2]));
  g_assert_true (VVAS_CORE_CHECK_VERSION (project[0], project[1], 0));
  g_assert_true (VVAS_CORE_CHECK_VERSION (project[0], 0, 0));
  g_assert_false (VVAS_CORE_CHECK_VERSION (project[0], project[1],
          project[2] + 1));
  g_assert_false (VVAS_CORE_CHECK_VERSION (project[0], project[1] + 1, 0));
  g_assert_false (VVAS_CORE_CHECK_VERSION (project[0] + 1, 0, 0));
  if (project[0] > 0)
    g_assert_true (VVAS_CORE_CHECK_VERSION (project[0] - 1, 999, 999));
  if (project[1] > 0)
    g_assert_true (VVAS_CORE_CHECK_VERSION (project[0], project[1] - 1,
            999));
  /* Usable in #if, as applications use it. */
#if !VVAS_CORE_CHECK_VERSION(1, 0, 0)
  g_assert_not_reached ();
#endif
}

static void
test_core_runtime (void)
{
  unsigned int major = 77, minor = 77, micro = 77;

  vvas_core_get_version (&major, &minor, &micro);
  g_assert_cmpint (major, ==, project[0]);
  g_assert_cmpint (minor, ==, project[1]);
  g_assert_cmpint (micro, ==, project[2]);
  /* Each pointer may be NULL. */
  major = minor = micro = 77;
  vvas_core_get_version (NULL, &minor, NULL);
  g_assert_cmpint (minor, ==, project[1]);
  vvas_core_get_version (&major, NULL, &micro);
  g_assert_cmpint (major, ==, project[0]);
  g_assert_cmpint (micro, ==, project[2]);
  vvas_core_get_version (NULL, NULL, NULL);
  g_assert_cmpstr (vvas_core_version_string (), ==, PROJECT_VERSION);
  g_assert_true (vvas_core_version_string () == vvas_core_version_string ());
}

#ifdef TEST_GST_VVAS
static void
test_gst_macros (void)
{
  g_assert_cmpint (GST_VVAS_VERSION_MAJOR, ==, project[0]);
  g_assert_cmpint (GST_VVAS_VERSION_MINOR, ==, project[1]);
  g_assert_cmpint (GST_VVAS_VERSION_MICRO, ==, project[2]);
  g_assert_true (GST_VVAS_CHECK_VERSION (project[0], project[1],
          project[2]));
  g_assert_false (GST_VVAS_CHECK_VERSION (project[0], project[1],
          project[2] + 1));
  g_assert_false (GST_VVAS_CHECK_VERSION (project[0], project[1] + 1, 0));
  g_assert_false (GST_VVAS_CHECK_VERSION (project[0] + 1, 0, 0));
  g_assert_true (GST_VVAS_CHECK_VERSION (project[0], 0, 0));
  if (project[0] > 0)
    g_assert_true (GST_VVAS_CHECK_VERSION (project[0] - 1, 999, 999));
#if !GST_VVAS_CHECK_VERSION(1, 0, 0)
  g_assert_not_reached ();
#endif
}

static void
test_gst_runtime (void)
{
  guint major = 77, minor = 77, micro = 77;
  gchar *text, *text2;

  gst_vvas_version (&major, &minor, &micro);
  g_assert_cmpint (major, ==, project[0]);
  g_assert_cmpint (minor, ==, project[1]);
  g_assert_cmpint (micro, ==, project[2]);
  major = micro = 77;
  gst_vvas_version (&major, NULL, &micro);
  g_assert_cmpint (major, ==, project[0]);
  g_assert_cmpint (micro, ==, project[2]);
  gst_vvas_version (NULL, NULL, NULL);

  /* A new string each time, the caller's to free. */
  text = gst_vvas_version_string ();
  text2 = gst_vvas_version_string ();
  g_assert_cmpstr (text, ==, "GStreamer VVAS " PROJECT_VERSION);
  g_assert_cmpstr (text2, ==, text);
  g_assert_true (text != text2);
  g_free (text);
  g_free (text2);
}
#endif

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  parse_project_version ();
  g_test_add_func ("/version/core/macros", test_core_macros);
  g_test_add_func ("/version/core/runtime", test_core_runtime);
#ifdef TEST_GST_VVAS
  g_test_add_func ("/version/gst/macros", test_gst_macros);
  g_test_add_func ("/version/gst/runtime", test_gst_runtime);
#endif
  return g_test_run ();
}
