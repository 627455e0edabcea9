/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Coexistence with AMD VVAS's GStreamer libraries, which register the same
 * type names and export same-named functions with other signatures; not
 * installed. See gstvvasconflict.c and docs/amd-vvas.md.
 */

#ifndef __GST_VVAS_CONFLICT_PRIVATE_H__
#define __GST_VVAS_CONFLICT_PRIVATE_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/*
 * TRUE when this library can work in this process. The first call looks
 * for another library with this library's names (loaded, or registering
 * its type names first) and for core functions that resolve to another
 * core library, then registers all of this library's types, so that none
 * of its names is left to be taken afterwards. On a conflict it returns
 * FALSE with @error (GST_LIBRARY_ERROR_INIT) naming it; the conflict is
 * reported once per process as a warning, never as a critical.
 */
G_GNUC_INTERNAL
gboolean gst_vvas_conflict_check (GError ** error);

/*
 * For a get_type function, before it registers @type_name: TRUE if no
 * conflict is known and no type of that name exists. Otherwise the
 * conflict is recorded and reported (once), naming the library that
 * exports @get_type_symbol if one is loaded, and the caller must not
 * register the type (its get_type returns 0).
 */
G_GNUC_INTERNAL
gboolean gst_vvas_conflict_claim_type (const gchar * type_name,
    const gchar * get_type_symbol);

/*
 * The public type_name##_get_type() of a type whose G_DEFINE_TYPE was made
 * under the name type_name##_register_type (G_DEFINE_TYPE's own code runs
 * after the registration, too late for the check):
 *
 *   #define gst_vvas_foo_get_type gst_vvas_foo_register_type
 *   G_DEFINE_TYPE (GstVvasFoo, gst_vvas_foo, PARENT);
 *   #undef gst_vvas_foo_get_type
 *   GST_VVAS_DEFINE_CHECKED_GET_TYPE (GstVvasFoo, gst_vvas_foo);
 *
 * It returns 0 when the name is taken by another library.
 */
#define GST_VVAS_DEFINE_CHECKED_GET_TYPE(TypeName, type_name)           \
GType                                                                   \
type_name##_get_type (void)                                             \
{                                                                       \
  static gsize checked = 0;                                             \
  static GType type = 0;                                                \
                                                                        \
  if (g_once_init_enter (&checked)) {                                   \
    if (gst_vvas_conflict_claim_type (#TypeName,                        \
            #type_name "_get_type"))                                    \
      type = type_name##_register_type ();                              \
    g_once_init_leave (&checked, 1);                                    \
  }                                                                     \
  return type;                                                          \
}

G_END_DECLS

#endif /* __GST_VVAS_CONFLICT_PRIVATE_H__ */
