/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * AMD VVAS's own GStreamer libraries (libgstvvasallocator-3.0 and
 * libgstvvasbufferpool-3.0, every release since 1.1) register the GTypes
 * GstVvasAllocator and GstVvasBufferPool and export gst_vvas_allocator_new(),
 * gst_vvas_buffer_pool_new(), gst_is_vvas_memory() and
 * gst_vvas_memory_can_avoid_copy() with other signatures; they load AMD's
 * vvas-core (libvvascore_common), which defines the core functions under the
 * names this project's core does. In one process with them, GLib refuses the
 * second registration of a type name (and its get_type returns 0), and a
 * function name resolves to whichever library the dynamic loader finds
 * first. Both end in crashes or in one library running the other's code.
 *
 * So this library refuses to work, with one warning that names the
 * conflict, when another library with its names is loaded or has registered
 * its type names first, or when the core functions it calls resolve to
 * another library. Its own calls to its own functions cannot be taken over:
 * it links with -Bsymbolic-functions.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* dladdr(), dl_iterate_phdr() */
#endif

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dlfcn.h>
#include <link.h>
#include <string.h>

#include <vvas_core/vvas_context.h>
#include <vvas_core/vvas_memory.h>
#include <vvas_core/vvas_memory_priv.h>

#include "gstvvasconflict-private.h"
#include "gstvvasbufferpool.h"
#include "gstvvascontext.h"
#include "gstvvasmemory.h"
#include "gstvvasmeta.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_conflict_debug);
#define GST_CAT_DEFAULT gst_vvas_conflict_debug

/* The names this library exports that AMD VVAS's GStreamer libraries
 * export too (with other signatures). */
static const gchar *const shared_symbols[] = {
  "gst_vvas_allocator_get_type",
  "gst_vvas_allocator_new",
  "gst_is_vvas_memory",
  "gst_vvas_memory_can_avoid_copy",
  "gst_vvas_buffer_pool_get_type",
  "gst_vvas_buffer_pool_new",
};

static GMutex lock;
static gchar *conflict;         /* the conflict found, or NULL; under @lock */
static gint all_claimed;        /* atomic: every type of ours is registered */

/* Records @message (taken) as the conflict, and reports it if it is the
 * first: one warning per process. */
static void
record_conflict (gchar * message)
{
  gboolean first;

  g_mutex_lock (&lock);
  first = conflict == NULL;
  if (first)
    conflict = message;
  g_mutex_unlock (&lock);

  if (!first) {
    g_free (message);
    return;
  }
  GST_ERROR ("%s", message);
  g_warning ("%s", message);
}

static gboolean
has_conflict (void)
{
  gboolean found;

  g_mutex_lock (&lock);
  found = conflict != NULL;
  g_mutex_unlock (&lock);
  return found;
}

static const gchar *
our_file (gconstpointer * base)
{
  Dl_info info;

  if (!dladdr ((gpointer) gst_vvas_conflict_check, &info)) {
    *base = NULL;
    return "libgstvvas-1.0";
  }
  *base = info.dli_fbase;
  return info.dli_fname;
}

static void
free_string (gpointer string)
{
  g_string_free (string, TRUE);
}

static int
collect_object (struct dl_phdr_info *info, size_t size, void *data)
{
  /* The program itself has no name here, the vDSO no file. */
  if (info->dlpi_name && info->dlpi_name[0] == '/')
    g_ptr_array_add (data, g_strdup (info->dlpi_name));
  return 0;
}

/*
 * The loaded files other than this library that define @symbol (NULL: any
 * of shared_symbols): file -> the symbols they define, comma-separated.
 * Each file is looked at through dlopen(NOLOAD), which finds what it
 * defines whatever scope it was loaded into.
 */
static GHashTable *
find_definers (const gchar * symbol)
{
  GHashTable *found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      free_string);
  GPtrArray *objects = g_ptr_array_new_with_free_func (g_free);
  const gchar *const *names = symbol ? &symbol : shared_symbols;
  guint n_names = symbol ? 1 : G_N_ELEMENTS (shared_symbols);
  gconstpointer self;
  guint i, s;

  our_file (&self);
  /* Collected first: no dlopen() from inside dl_iterate_phdr(). */
  dl_iterate_phdr (collect_object, objects);
  for (i = 0; i < objects->len; i++) {
    void *handle = dlopen (g_ptr_array_index (objects, i),
        RTLD_LAZY | RTLD_NOLOAD);

    if (!handle)
      continue;
    for (s = 0; s < n_names; s++) {
      Dl_info info;
      void *address = dlsym (handle, names[s]);
      GString *list;

      if (!address || !dladdr (address, &info) || info.dli_fbase == self
          || !info.dli_fname)
        continue;
      list = g_hash_table_lookup (found, info.dli_fname);
      if (!list) {
        list = g_string_new (NULL);
        g_hash_table_insert (found, g_strdup (info.dli_fname), list);
      }
      /* A handle also finds its dependencies' symbols: each name once. */
      if (!strstr (list->str, names[s]))
        g_string_append_printf (list, "%s%s", list->len ? ", " : "",
            names[s]);
    }
    dlclose (handle);
  }
  g_ptr_array_unref (objects);
  return found;
}

/* Appends "FILE defines NAMES" for each file of @definers to @what. */
static void
describe_definers (GString * what, GHashTable * definers)
{
  GHashTableIter iter;
  gpointer file, names;

  g_hash_table_iter_init (&iter, definers);
  while (g_hash_table_iter_next (&iter, &file, &names))
    g_string_append_printf (what, "%s%s defines %s", what->len ? "; " : "",
        (const gchar *) file, ((GString *) names)->str);
}

/*
 * Appends, for each core function this library calls that AMD's vvas-core
 * defines too, where it resolves when that is not the file of a function
 * only this project's core has.
 */
static void
describe_core_interposition (GString * what)
{
  const struct
  {
    const gchar *name;
    gpointer address;           /* as this library's calls reach it */
  } imports[] = {
    {"vvas_context_create", (gpointer) vvas_context_create},
    {"vvas_context_destroy", (gpointer) vvas_context_destroy},
    {"vvas_memory_alloc", (gpointer) vvas_memory_alloc},
    {"vvas_memory_free", (gpointer) vvas_memory_free},
    {"vvas_memory_map", (gpointer) vvas_memory_map},
    {"vvas_memory_unmap", (gpointer) vvas_memory_unmap},
    {"vvas_memory_get_metadata", (gpointer) vvas_memory_get_metadata},
    {"vvas_memory_sync_data", (gpointer) vvas_memory_sync_data},
  };
  Dl_info ours, info;
  GString *names = g_string_new (NULL);
  const gchar *elsewhere = NULL;
  guint i;

  if (!dladdr ((gpointer) vvas_context_get_transfer_stats, &ours)) {
    g_string_free (names, TRUE);
    return;
  }
  /* They all resolve in the same scope: named by the first one's file. */
  for (i = 0; i < G_N_ELEMENTS (imports); i++) {
    if (!dladdr (imports[i].address, &info) || info.dli_fbase == ours.dli_fbase)
      continue;
    if (!elsewhere)
      elsewhere = info.dli_fname ? info.dli_fname : "another library";
    g_string_append_printf (names, "%s%s", names->len ? ", " : "",
        imports[i].name);
  }
  if (elsewhere)
    g_string_append_printf (what, "%s%s %s to %s, not to %s",
        what->len ? "; " : "", names->str, strchr (names->str, ',') ?
        "resolve" : "resolves", elsewhere, ours.dli_fname);
  g_string_free (names, TRUE);
}

static gchar *
conflict_message (const GString * what)
{
  gconstpointer base;

  return g_strdup_printf ("%s cannot work in this process: %s. These names "
      "belong to AMD VVAS's GStreamer libraries (libgstvvasallocator, "
      "libgstvvasbufferpool and the vvas-core they load) or to another copy "
      "of this library, with other signatures: the two would run each "
      "other's functions on the wrong types. Use AMD VVAS elements and this "
      "project's elements in separate processes, and make sure no "
      "application or LD_PRELOAD brings the other one in (see "
      "docs/amd-vvas.md).", our_file (&base), what->str);
}

/* Looks once for other libraries with this library's names. */
static void
scan_once (void)
{
  static gsize scanned = 0;

  if (g_once_init_enter (&scanned)) {
    GString *what = g_string_new (NULL);
    GHashTable *definers;

    GST_DEBUG_CATEGORY_INIT (gst_vvas_conflict_debug, "vvasconflict", 0,
        "Coexistence with AMD VVAS's GStreamer libraries");
    describe_core_interposition (what);
    definers = find_definers (NULL);
    describe_definers (what, definers);
    g_hash_table_unref (definers);
    if (what->len)
      record_conflict (conflict_message (what));
    else
      GST_DEBUG ("no other library with this library's names is loaded");
    g_string_free (what, TRUE);
    g_once_init_leave (&scanned, 1);
  }
}

gboolean
gst_vvas_conflict_claim_type (const gchar * type_name,
    const gchar * get_type_symbol)
{
  GString *what;
  GHashTable *definers;

  g_return_val_if_fail (type_name != NULL, FALSE);

  scan_once ();
  if (has_conflict ()) {
    GST_DEBUG ("not registering %s: a conflict was reported", type_name);
    return FALSE;
  }
  if (!g_type_from_name (type_name))
    return TRUE;

  what = g_string_new (NULL);
  g_string_append_printf (what, "the GType %s is registered already", type_name);
  definers = find_definers (get_type_symbol);
  if (g_hash_table_size (definers) == 0)
    g_string_append (what, ", by a library that is not this one");
  else
    g_string_append (what, " (");
  describe_definers (what, definers);
  if (g_hash_table_size (definers) > 0)
    g_string_append (what, ")");
  g_hash_table_unref (definers);
  record_conflict (conflict_message (what));
  g_string_free (what, TRUE);
  return FALSE;
}

gboolean
gst_vvas_conflict_check (GError ** error)
{
  if (g_atomic_int_get (&all_claimed))
    return TRUE;

  scan_once ();
  /* Registered now, all of them: a name left free could be taken by the
   * other library before it is needed, and half a library is no use. */
  if (!has_conflict () && gst_vvas_context_get_type () &&
      gst_vvas_allocator_get_type () && gst_vvas_buffer_pool_get_type () &&
      gst_vvas_meta_api_get_type () && gst_vvas_meta_get_info ()) {
    g_atomic_int_set (&all_claimed, 1);
    return TRUE;
  }

  g_mutex_lock (&lock);
  GST_DEBUG ("refused: %s", conflict);
  g_set_error (error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_INIT, "%s",
      conflict ? conflict : "the types of libgstvvas-1.0 cannot be "
      "registered");
  g_mutex_unlock (&lock);
  return FALSE;
}
