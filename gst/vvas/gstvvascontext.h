/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifndef __GST_VVAS_CONTEXT_H__
#define __GST_VVAS_CONTEXT_H__

#include <gst/gst.h>
#include <gst/vvas/vvas-prelude.h>
#include <vvas_core/vvas_context.h>

G_BEGIN_DECLS

#define GST_TYPE_VVAS_CONTEXT            (gst_vvas_context_get_type ())
#define GST_VVAS_CONTEXT(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), GST_TYPE_VVAS_CONTEXT, GstVvasContext))
#define GST_VVAS_CONTEXT_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), GST_TYPE_VVAS_CONTEXT, GstVvasContextClass))
#define GST_IS_VVAS_CONTEXT(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), GST_TYPE_VVAS_CONTEXT))
#define GST_IS_VVAS_CONTEXT_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), GST_TYPE_VVAS_CONTEXT))

/**
 * GST_VVAS_CONTEXT_CAST:
 * @obj: a #GstVvasContext
 *
 * Casts @obj to a #GstVvasContext pointer, without the type check of
 * GST_VVAS_CONTEXT().
 *
 * Since: 1.0
 */
#define GST_VVAS_CONTEXT_CAST(obj)       ((GstVvasContext *) (obj))

/**
 * GST_VVAS_CONTEXT_TYPE:
 *
 * The type of the #GstContext that carries a #GstVvasContext between the
 * elements of a pipeline and the application. Its structure holds the
 * #GstVvasContext in the field "context" and its device index in "dev-idx".
 *
 * Since: 1.0
 */
#define GST_VVAS_CONTEXT_TYPE "gst.vvas.context"

typedef struct _GstVvasContext GstVvasContext;
typedef struct _GstVvasContextClass GstVvasContextClass;
typedef struct _GstVvasContextPrivate GstVvasContextPrivate;

/**
 * GstVvasContext:
 * @parent: the parent #GstObject
 *
 * A refcounted device context: one opened XRT device with its xclbin,
 * owning a #VvasContext. Every #GstVvasAllocator and every memory made from
 * it keeps it alive.
 *
 * Since: 1.0
 */
struct _GstVvasContext
{
  GstObject parent;

  /*< private >*/
  GstVvasContextPrivate *priv;
  gpointer _gst_reserved[GST_PADDING];
};

/**
 * GstVvasContextClass:
 * @parent_class: the parent class
 *
 * Since: 1.0
 */
struct _GstVvasContextClass
{
  GstObjectClass parent_class;

  /*< private >*/
  gpointer _gst_reserved[GST_PADDING];
};

GST_VVAS_API
GType            gst_vvas_context_get_type (void);

GST_VVAS_API
GstVvasContext * gst_vvas_context_new (gint dev_idx,
                                       const gchar * xclbin_location,
                                       GError ** error);

/* Hidden from the GObject introspection scanner, which could not use it (it
 * returns a core type) and stops at its name: stripped of the "gst_vvas"
 * symbol prefix, it is gst_context_get_vvas_context() stripped of "gst". */
#ifndef __GI_SCANNER__
GST_VVAS_API
VvasContext *    gst_vvas_context_get_vvas_context (GstVvasContext * context);
#endif

GST_VVAS_API
gint             gst_vvas_context_get_device_index (GstVvasContext * context);

GST_VVAS_API
const gchar *    gst_vvas_context_get_xclbin_location (GstVvasContext * context);

GST_VVAS_API
gchar *          gst_vvas_context_describe_usable_banks (GstVvasContext * context);

GST_VVAS_API
GstContext *     gst_context_new_vvas_context (GstVvasContext * vvas_context);

GST_VVAS_API
gboolean         gst_context_get_vvas_context (GstContext * context,
                                               GstVvasContext ** vvas_context);

GST_VVAS_API
gboolean         gst_vvas_handle_set_context (GstElement * element,
                                              GstContext * context,
                                              gint dev_idx,
                                              GstVvasContext ** vvas_context);

GST_VVAS_API
gboolean         gst_vvas_handle_context_query (GstElement * element,
                                                GstQuery * query,
                                                GstVvasContext * vvas_context);

GST_VVAS_API
gboolean         gst_vvas_ensure_element_context (GstElement * element,
                                                  gint dev_idx,
                                                  const gchar * xclbin_location,
                                                  GstVvasContext ** vvas_context,
                                                  GError ** error);

GST_VVAS_API
void             gst_vvas_release_element_context (GstElement * element,
                                                   GstVvasContext ** vvas_context);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstVvasContext, gst_object_unref)

G_END_DECLS

#endif /* __GST_VVAS_CONTEXT_H__ */
