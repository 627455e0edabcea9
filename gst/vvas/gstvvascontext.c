/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION:gstvvascontext
 * @title: GstVvasContext
 * @short_description: A device shared by the elements of a pipeline
 *
 * A #GstVvasContext owns one #VvasContext: an opened XRT device with its
 * xclbin loaded. Elements find one another's context through GStreamer's
 * #GstContext mechanism (gst_vvas_ensure_element_context()), so the
 * elements of a pipeline that use device N open it and load its xclbin
 * once; an application can provide the context itself, with
 * gst_element_set_context() or in answer to a NEED_CONTEXT message.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvascontext.h"
#include "gstvvaslog-private.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_context_debug);
#define GST_CAT_DEFAULT gst_vvas_context_debug
GST_DEBUG_CATEGORY_STATIC (GST_CAT_CONTEXT);

struct _GstVvasContextPrivate
{
  VvasContext *vvas_ctx;
  gint dev_idx;
  gchar *xclbin_location;
};

#define gst_vvas_context_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstVvasContext, gst_vvas_context, GST_TYPE_OBJECT,
    G_ADD_PRIVATE (GstVvasContext);
    GST_DEBUG_CATEGORY_INIT (gst_vvas_context_debug, "vvascontext", 0,
        "VVAS device context");
    GST_DEBUG_CATEGORY_GET (GST_CAT_CONTEXT, "GST_CONTEXT"));

/* The debug categories are made with the type. */
static inline void
init_debug (void)
{
  g_type_ensure (GST_TYPE_VVAS_CONTEXT);
}

static void
gst_vvas_context_finalize (GObject * object)
{
  GstVvasContext *self = GST_VVAS_CONTEXT (object);

  GST_DEBUG_OBJECT (self, "releasing device %d", self->priv->dev_idx);
  /* Memories still alive keep the device open until they are freed. */
  if (self->priv->vvas_ctx)
    vvas_context_destroy (self->priv->vvas_ctx);
  g_free (self->priv->xclbin_location);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_vvas_context_class_init (GstVvasContextClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->finalize = gst_vvas_context_finalize;
}

static void
gst_vvas_context_init (GstVvasContext * self)
{
  self->priv = gst_vvas_context_get_instance_private (self);
  self->priv->dev_idx = -1;
}

/**
 * gst_vvas_context_new:
 * @dev_idx: device index, or -1 for a host-only context
 * @xclbin_location: (nullable): xclbin to load; NULL adopts the xclbin
 *   already loaded on the device (and must be NULL for a host-only context)
 * @error: return location for a #GError describing a failure, or %NULL
 *
 * Opens a device and loads its xclbin, as vvas_context_create() does. Fails,
 * never aborts, when XRT cannot run or the device cannot open; the error
 * message says why.
 *
 * Returns: (transfer full) (nullable): a new context, or %NULL
 *
 * Since: 1.0
 */
GstVvasContext *
gst_vvas_context_new (gint dev_idx, const gchar * xclbin_location,
    GError ** error)
{
  GstVvasContext *self;
  VvasContext *vvas_ctx;
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasLogLevel level;

  g_return_val_if_fail (dev_idx >= -1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  init_debug ();
  level = gst_vvas_log_init ();
  gst_vvas_log_clear_last_error ();
  vvas_ctx = vvas_context_create (dev_idx, (char *) xclbin_location, level,
      &ret);
  if (!vvas_ctx) {
    const gchar *why = gst_vvas_log_get_last_error ();

    GST_WARNING ("cannot open VVAS device %d: %s", dev_idx,
        why ? why : "unknown error");
    g_set_error (error, GST_RESOURCE_ERROR,
        ret == VVAS_RET_INVALID_ARGS ? GST_RESOURCE_ERROR_SETTINGS :
        GST_RESOURCE_ERROR_OPEN_READ_WRITE,
        "Could not open VVAS device %d%s%s: %s", dev_idx,
        xclbin_location ? " with xclbin " : "",
        xclbin_location ? xclbin_location : "", why ? why : "unknown error");
    gst_vvas_log_clear_last_error ();
    return NULL;
  }

  self = g_object_new (GST_TYPE_VVAS_CONTEXT, NULL);
  gst_object_ref_sink (self);
  self->priv->vvas_ctx = vvas_ctx;
  self->priv->dev_idx = dev_idx;
  self->priv->xclbin_location = g_strdup (xclbin_location);
  GST_INFO_OBJECT (self, "opened device %d%s%s", dev_idx,
      xclbin_location ? " with xclbin " : "",
      xclbin_location ? xclbin_location : "");
  return self;
}

/**
 * gst_vvas_context_get_vvas_context: (skip)
 * @context: a #GstVvasContext
 *
 * Not available to language bindings: #VvasContext is a core type.
 *
 * Returns: (transfer none): the core context, valid as long as @context
 *
 * Since: 1.0
 */
VvasContext *
gst_vvas_context_get_vvas_context (GstVvasContext * context)
{
  g_return_val_if_fail (GST_IS_VVAS_CONTEXT (context), NULL);

  return context->priv->vvas_ctx;
}

/**
 * gst_vvas_context_get_device_index:
 * @context: a #GstVvasContext
 *
 * Returns: the device index, -1 for a host-only context
 *
 * Since: 1.0
 */
gint
gst_vvas_context_get_device_index (GstVvasContext * context)
{
  g_return_val_if_fail (GST_IS_VVAS_CONTEXT (context), -1);

  return context->priv->dev_idx;
}

/**
 * gst_vvas_context_get_xclbin_location:
 * @context: a #GstVvasContext
 *
 * Returns: (transfer none) (nullable): the xclbin this context loaded, or
 *   %NULL when it adopted the device's
 *
 * Since: 1.0
 */
const gchar *
gst_vvas_context_get_xclbin_location (GstVvasContext * context)
{
  g_return_val_if_fail (GST_IS_VVAS_CONTEXT (context), NULL);

  return context->priv->xclbin_location;
}

/**
 * gst_vvas_context_describe_usable_banks:
 * @context: a #GstVvasContext
 *
 * Lists the memory banks device memory can be allocated on, for messages.
 *
 * Returns: (transfer full): "0, 1, 3", "none", or a note that the banks are
 *   not known (a host-only context, or an xclbin adopted from the device)
 *
 * Since: 1.0
 */
gchar *
gst_vvas_context_describe_usable_banks (GstVvasContext * context)
{
  VvasContext *vvas_ctx;
  GString *banks;
  gint n, i;

  g_return_val_if_fail (GST_IS_VVAS_CONTEXT (context), NULL);

  vvas_ctx = context->priv->vvas_ctx;
  if (!vvas_ctx->dev_handle)
    return g_strdup ("none (host-only context)");
  n = vvas_context_get_bank_count (vvas_ctx);
  if (n <= 0)
    return g_strdup ("not known (the xclbin was adopted from the device)");
  banks = g_string_new (NULL);
  for (i = 0; i < n && i <= G_MAXUINT8; i++) {
    if (vvas_context_is_bank_usable (vvas_ctx, (guint8) i) == 1)
      g_string_append_printf (banks, "%s%d", banks->len ? ", " : "", i);
  }
  if (banks->len == 0)
    g_string_append (banks, "none");
  return g_string_free (banks, FALSE);
}

/**
 * gst_context_new_vvas_context:
 * @vvas_context: a #GstVvasContext
 *
 * Wraps @vvas_context in a persistent #GstContext of type
 * %GST_VVAS_CONTEXT_TYPE, for gst_element_set_context().
 *
 * Returns: (transfer full): a new #GstContext
 *
 * Since: 1.0
 */
GstContext *
gst_context_new_vvas_context (GstVvasContext * vvas_context)
{
  GstContext *context;
  GstStructure *s;

  g_return_val_if_fail (GST_IS_VVAS_CONTEXT (vvas_context), NULL);

  context = gst_context_new (GST_VVAS_CONTEXT_TYPE, TRUE);
  s = gst_context_writable_structure (context);
  gst_structure_set (s, "context", GST_TYPE_VVAS_CONTEXT, vvas_context,
      "dev-idx", G_TYPE_INT, vvas_context->priv->dev_idx, NULL);
  return context;
}

/**
 * gst_context_get_vvas_context:
 * @context: a #GstContext
 * @vvas_context: (out) (transfer full) (nullable): the #GstVvasContext it
 *   carries
 *
 * Returns: %TRUE if @context is of type %GST_VVAS_CONTEXT_TYPE and carries
 *   a #GstVvasContext
 *
 * Since: 1.0
 */
gboolean
gst_context_get_vvas_context (GstContext * context,
    GstVvasContext ** vvas_context)
{
  const GstStructure *s;

  g_return_val_if_fail (GST_IS_CONTEXT (context), FALSE);
  g_return_val_if_fail (vvas_context != NULL, FALSE);

  if (g_strcmp0 (gst_context_get_context_type (context),
          GST_VVAS_CONTEXT_TYPE) != 0)
    return FALSE;
  s = gst_context_get_structure (context);
  return gst_structure_get (s, "context", GST_TYPE_VVAS_CONTEXT,
      vvas_context, NULL) && *vvas_context != NULL;
}

/**
 * gst_vvas_handle_set_context:
 * @element: the element whose set_context vfunc was called
 * @context: (nullable): the context given to it
 * @dev_idx: the element's device, or -1 for any
 * @vvas_context: (inout) (transfer full) (nullable): the element's context,
 *   replaced when @context carries one for the right device
 *
 * Helper for an element's #GstElementClass.set_context.
 *
 * Returns: %TRUE if @vvas_context was set from @context
 *
 * Since: 1.0
 */
gboolean
gst_vvas_handle_set_context (GstElement * element, GstContext * context,
    gint dev_idx, GstVvasContext ** vvas_context)
{
  GstVvasContext *other = NULL;

  g_return_val_if_fail (GST_IS_ELEMENT (element), FALSE);
  g_return_val_if_fail (vvas_context != NULL, FALSE);

  init_debug ();
  if (!context || !gst_context_get_vvas_context (context, &other))
    return FALSE;

  if (dev_idx >= 0 && other->priv->dev_idx != dev_idx) {
    GST_CAT_DEBUG_OBJECT (GST_CAT_CONTEXT, element, "ignoring context of "
        "device %d: element uses device %d", other->priv->dev_idx, dev_idx);
    gst_object_unref (other);
    return FALSE;
  }
  GST_CAT_DEBUG_OBJECT (GST_CAT_CONTEXT, element, "using context %"
      GST_PTR_FORMAT " of device %d", other, other->priv->dev_idx);
  gst_object_replace ((GstObject **) vvas_context, (GstObject *) other);
  gst_object_unref (other);
  return TRUE;
}

/**
 * gst_vvas_handle_context_query:
 * @element: the element answering
 * @query: a #GstQuery
 * @vvas_context: (nullable): the element's context
 *
 * Helper for an element's query handler: answers a CONTEXT query of type
 * %GST_VVAS_CONTEXT_TYPE with @vvas_context.
 *
 * Returns: %TRUE if @query was answered
 *
 * Since: 1.0
 */
gboolean
gst_vvas_handle_context_query (GstElement * element, GstQuery * query,
    GstVvasContext * vvas_context)
{
  const gchar *type;
  GstContext *context;

  g_return_val_if_fail (GST_IS_ELEMENT (element), FALSE);
  g_return_val_if_fail (GST_IS_QUERY (query), FALSE);

  if (GST_QUERY_TYPE (query) != GST_QUERY_CONTEXT || !vvas_context)
    return FALSE;
  init_debug ();
  if (!gst_query_parse_context_type (query, &type)
      || g_strcmp0 (type, GST_VVAS_CONTEXT_TYPE) != 0)
    return FALSE;

  context = gst_context_new_vvas_context (vvas_context);
  gst_query_set_context (query, context);
  gst_context_unref (context);
  GST_CAT_DEBUG_OBJECT (GST_CAT_CONTEXT, element, "answered context query "
      "with %" GST_PTR_FORMAT, vvas_context);
  return TRUE;
}

static gpointer
ref_pad (gconstpointer pad, gpointer unused)
{
  return gst_object_ref ((gpointer) pad);
}

/* Asks the peers of @element's pads in @direction for a context. */
static gboolean
run_context_query (GstElement * element, GstPadDirection direction,
    gint dev_idx, GstVvasContext ** vvas_context)
{
  GstQuery *query = gst_query_new_context (GST_VVAS_CONTEXT_TYPE);
  GList *pads, *l;
  gboolean found = FALSE;

  GST_OBJECT_LOCK (element);
  pads = g_list_copy_deep (direction == GST_PAD_SRC ? element->srcpads :
      element->sinkpads, ref_pad, NULL);
  GST_OBJECT_UNLOCK (element);

  for (l = pads; l && !found; l = l->next) {
    GstContext *context = NULL;

    if (!gst_pad_peer_query (GST_PAD (l->data), query))
      continue;
    gst_query_parse_context (query, &context);
    if (context) {
      found = gst_vvas_handle_set_context (element, context, dev_idx,
          vvas_context);
      if (found)
        gst_element_set_context (element, context);
    }
  }
  g_list_free_full (pads, gst_object_unref);
  gst_query_unref (query);
  return found;
}

/*
 * A context found for an element that names an xclbin must have loaded that
 * xclbin; another (one that adopted the device's, say) is dropped, so that
 * the element's xclbin is never silently ignored. Returns TRUE if one is
 * left.
 */
static gboolean
keeps_xclbin (GstElement * element, GstVvasContext ** vvas_context,
    const gchar * xclbin_location)
{
  if (!*vvas_context)
    return FALSE;
  if (xclbin_location && g_strcmp0 (xclbin_location,
          (*vvas_context)->priv->xclbin_location) != 0) {
    GST_CAT_INFO_OBJECT (GST_CAT_CONTEXT, element, "not using context of "
        "xclbin '%s': element wants '%s'",
        GST_STR_NULL ((*vvas_context)->priv->xclbin_location), xclbin_location);
    gst_clear_object (vvas_context);
    return FALSE;
  }
  return TRUE;
}

/**
 * gst_vvas_ensure_element_context:
 * @element: the element needing a device
 * @dev_idx: its device index
 * @xclbin_location: (nullable): xclbin to load if a context has to be made
 * @vvas_context: (inout) (transfer full) (nullable): the element's context
 * @error: return location for a #GError describing a failure to open the
 *   device, or %NULL
 *
 * Finds the device context an element should use, in GStreamer's usual
 * order: the one it has; one a downstream, then an upstream, peer has; one
 * the application gives in answer to the NEED_CONTEXT message posted here
 * (synchronously, from a sync bus handler); otherwise a new one, which is
 * set on the element and announced with a HAVE_CONTEXT message so that the
 * pipeline shares it with its other elements. When @xclbin_location is
 * given, only a context that loaded that xclbin is used.
 *
 * Returns: %TRUE if @vvas_context is set; %FALSE with @error set if the
 *   device could not be opened (elements turn it into an element error)
 *
 * Since: 1.0
 */
gboolean
gst_vvas_ensure_element_context (GstElement * element, gint dev_idx,
    const gchar * xclbin_location, GstVvasContext ** vvas_context,
    GError ** error)
{
  static GMutex creation_lock;
  GstVvasContext *created;
  GstMessage *msg;
  GstContext *context;

  g_return_val_if_fail (GST_IS_ELEMENT (element), FALSE);
  g_return_val_if_fail (vvas_context != NULL, FALSE);

  init_debug ();
  if (keeps_xclbin (element, vvas_context, xclbin_location))
    return TRUE;

  /* Serialised so that two elements starting at once open the device once. */
  g_mutex_lock (&creation_lock);
  if (keeps_xclbin (element, vvas_context, xclbin_location))
    goto done;
  if ((run_context_query (element, GST_PAD_SRC, dev_idx, vvas_context) &&
          keeps_xclbin (element, vvas_context, xclbin_location)) ||
      (run_context_query (element, GST_PAD_SINK, dev_idx, vvas_context) &&
          keeps_xclbin (element, vvas_context, xclbin_location)))
    goto done;

  /* The application (or the bin's cache) may answer with set_context. */
  msg = gst_message_new_need_context (GST_OBJECT_CAST (element),
      GST_VVAS_CONTEXT_TYPE);
  gst_element_post_message (element, msg);
  if (keeps_xclbin (element, vvas_context, xclbin_location))
    goto done;

  created = gst_vvas_context_new (dev_idx, xclbin_location, error);
  if (!created) {
    g_mutex_unlock (&creation_lock);
    return FALSE;
  }
  context = gst_context_new_vvas_context (created);
  gst_object_replace ((GstObject **) vvas_context, (GstObject *) created);
  gst_object_unref (created);
  gst_element_set_context (element, context);
  GST_CAT_INFO_OBJECT (GST_CAT_CONTEXT, element, "posting have-context "
      "for device %d", dev_idx);
  msg = gst_message_new_have_context (GST_OBJECT_CAST (element), context);
  gst_element_post_message (element, msg);

done:
  g_mutex_unlock (&creation_lock);
  return TRUE;
}
