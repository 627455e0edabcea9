/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The vvas plugin: registering it touches no device.
 *
 * It refuses to load into a process where the functions it calls would be
 * AMD VVAS's rather than libgstvvas-1.0's: AMD's GStreamer libraries export
 * some of the same names with other signatures, and when they are in the
 * process's global scope (linked by the application, or in LD_PRELOAD) the
 * dynamic loader binds this plugin's calls to them. It refuses too when
 * another library has registered the type names of libgstvvas-1.0 first.
 * A library that is merely loaded (another plugin's dependency) does not
 * stop it, so that a registry scan of both installations keeps both; the
 * library then refuses to work when an element starts (docs/amd-vvas.md).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* dladdr() */
#endif

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dlfcn.h>
#include <string.h>

#include <gst/vvas/gstvvas.h>
#include <vvas_core/vvas_context.h>
#include <vvas_core/vvas_memory.h>

#include "gstvvasdownload.h"
#include "gstvvasupload.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_plugin_debug);
#define GST_CAT_DEFAULT gst_vvas_plugin_debug

static const gchar *
file_of (gpointer address, gconstpointer * base)
{
  Dl_info info;

  if (!dladdr (address, &info) || !info.dli_fname) {
    *base = NULL;
    return "an unknown file";
  }
  *base = info.dli_fbase;
  return info.dli_fname;
}

/*
 * Where this plugin's calls go, for each function AMD VVAS's libraries (or
 * the vvas-core they load) define too: the file of a function only this
 * project's library has, or a list of the ones that go elsewhere.
 */
static gchar *
find_foreign_bindings (void)
{
  const struct
  {
    const gchar *name;
    gpointer address;           /* where this plugin's calls go */
    gpointer only_ours;         /* a function of the same library */
  } imports[] = {
    {"gst_vvas_allocator_get_type", (gpointer) gst_vvas_allocator_get_type,
        (gpointer) gst_vvas_allocator_new_for_bank},
    {"gst_vvas_allocator_new", (gpointer) gst_vvas_allocator_new,
        (gpointer) gst_vvas_allocator_new_for_bank},
    {"gst_is_vvas_memory", (gpointer) gst_is_vvas_memory,
        (gpointer) gst_vvas_allocator_new_for_bank},
    {"gst_vvas_memory_can_avoid_copy",
          (gpointer) gst_vvas_memory_can_avoid_copy,
        (gpointer) gst_vvas_allocator_new_for_bank},
    {"gst_vvas_buffer_pool_get_type", (gpointer) gst_vvas_buffer_pool_get_type,
        (gpointer) gst_vvas_allocator_new_for_bank},
    {"gst_vvas_buffer_pool_new", (gpointer) gst_vvas_buffer_pool_new,
        (gpointer) gst_vvas_allocator_new_for_bank},
    {"vvas_memory_get_metadata", (gpointer) vvas_memory_get_metadata,
        (gpointer) vvas_context_get_bank_size},
  };
  GString *names = g_string_new (NULL);
  GString *found = g_string_new (NULL);
  const gchar *last_file = NULL, *last_ours = NULL;
  guint i;

  /* Grouped by where they go: "a, b resolve to X, not to Y". */
  for (i = 0; i <= G_N_ELEMENTS (imports); i++) {
    gconstpointer base = NULL, ours_base = NULL;
    const gchar *file = NULL, *ours = NULL;

    if (i < G_N_ELEMENTS (imports)) {
      file = file_of (imports[i].address, &base);
      ours = file_of (imports[i].only_ours, &ours_base);
      if (base == ours_base)
        continue;
    }
    if (names->len && (!file || g_strcmp0 (file, last_file) != 0 ||
            g_strcmp0 (ours, last_ours) != 0)) {
      g_string_append_printf (found, "%s%s %s to %s, not to %s",
          found->len ? "; " : "", names->str,
          strchr (names->str, ',') ? "resolve" : "resolves", last_file,
          last_ours);
      g_string_truncate (names, 0);
    }
    if (file) {
      g_string_append_printf (names, "%s%s", names->len ? ", " : "",
          imports[i].name);
      last_file = file;
      last_ours = ours;
    }
  }
  g_string_free (names, TRUE);
  return g_string_free (found, found->len == 0);
}

/*
 * TRUE if another library registered a type name of libgstvvas-1.0 first;
 * the library then refuses its own (0), and has said so in a warning.
 */
static gboolean
types_taken (void)
{
  const struct
  {
    const gchar *name;
      GType (*get_type) (void);
  } types[] = {
    {"GstVvasAllocator", gst_vvas_allocator_get_type},
    {"GstVvasBufferPool", gst_vvas_buffer_pool_get_type},
    {"GstVvasContext", gst_vvas_context_get_type},
    {"GstVvasMetaAPI", gst_vvas_meta_api_get_type},
  };
  guint i;

  /* Asked only when the name exists: a plugin load registers nothing. */
  for (i = 0; i < G_N_ELEMENTS (types); i++) {
    if (g_type_from_name (types[i].name) && types[i].get_type () == 0) {
      GST_ERROR ("not loading: the GType %s belongs to another library",
          types[i].name);
      return TRUE;
    }
  }
  return FALSE;
}

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = FALSE;
  gchar *foreign;

  GST_DEBUG_CATEGORY_INIT (gst_vvas_plugin_debug, "vvasplugin", 0,
      "vvas plugin loading");
  foreign = find_foreign_bindings ();
  if (foreign) {
    gconstpointer base;
    gchar *message = g_strdup_printf ("The vvas plugin (%s) cannot load: %s. "
        "AMD VVAS's GStreamer libraries (libgstvvasallocator, "
        "libgstvvasbufferpool and the vvas-core they load) export these names "
        "with other signatures, and this process has them ahead of this "
        "project's libgstvvas-1.0 (linked by the application, or in "
        "LD_PRELOAD). Use AMD VVAS elements and this project's elements in "
        "separate processes (see docs/amd-vvas.md).",
        file_of ((gpointer) plugin_init, &base), foreign);

    GST_ERROR ("%s", message);
    g_warning ("%s", message);
    g_free (message);
    g_free (foreign);
    return FALSE;
  }
  if (types_taken ())
    return FALSE;

  ok |= GST_ELEMENT_REGISTER (vvasupload, plugin);
  ok |= GST_ELEMENT_REGISTER (vvasdownload, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, vvas,
    "Move raw video in and out of VVAS device memory on XRT",
    plugin_init, PACKAGE_VERSION, "MIT/X11", GST_PACKAGE_NAME, PACKAGE_ORIGIN)
