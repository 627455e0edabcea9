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
 * xclbin loaded. A process has one per device: gst_vvas_context_new()
 * returns the device's context if anyone holds it, so every element,
 * pipeline and application that uses device N shares one open device and
 * one xclbin, whatever order they start in and whoever names the xclbin;
 * the device closes when its last user goes. Elements also pass it along
 * through GStreamer's #GstContext mechanism
 * (gst_vvas_ensure_element_context()), so an application can provide it,
 * with gst_element_set_context() or in answer to a NEED_CONTEXT message.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvascontext.h"
#include "gstvvasconflict-private.h"
#include "gstvvaslog-private.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_context_debug);
#define GST_CAT_DEFAULT gst_vvas_context_debug
GST_DEBUG_CATEGORY_STATIC (GST_CAT_CONTEXT);

struct _GstVvasContextPrivate
{
  VvasContext *vvas_ctx;
  gint dev_idx;

  GMutex lock;
  /*
   * The elements that asked for the loaded xclbin and have not released
   * the context yet (gst_vvas_release_element_context()): while any other
   * does, the device keeps its xclbin. Element (not reffed) -> its name.
   */
  GHashTable *xclbin_users;
};

/*
 * The process's context of each device index, held weakly (GWeakRef): a
 * context is shared while someone holds it, and the device closes with its
 * last user. The lock also serialises opening a device.
 */
static GMutex registry_lock;
static GHashTable *registry;    /* dev_idx -> GWeakRef */

/* Marks a GstContext that an element made, as opposed to the application. */
#define FIELD_FROM_ELEMENT "from-element"

#define gst_vvas_context_parent_class parent_class
/* Registered only when the name is free (gstvvasconflict-private.h). */
#define gst_vvas_context_get_type gst_vvas_context_register_type
G_GNUC_INTERNAL GType gst_vvas_context_get_type (void);
G_DEFINE_TYPE_WITH_PRIVATE (GstVvasContext, gst_vvas_context,
    GST_TYPE_OBJECT);
#undef gst_vvas_context_get_type
GST_VVAS_DEFINE_CHECKED_GET_TYPE (GstVvasContext, gst_vvas_context);

/* Apart from the type, which may be refused (another library has it). */
static void
init_debug (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (gst_vvas_context_debug, "vvascontext", 0,
        "VVAS device context");
    GST_DEBUG_CATEGORY_GET (GST_CAT_CONTEXT, "GST_CONTEXT");
    g_once_init_leave (&initialized, 1);
  }
}

static void
gst_vvas_context_finalize (GObject * object)
{
  GstVvasContext *self = GST_VVAS_CONTEXT (object);

  GST_DEBUG_OBJECT (self, "releasing device %d", self->priv->dev_idx);
  /* Memories still alive keep the device open until they are freed. */
  if (self->priv->vvas_ctx)
    vvas_context_destroy (self->priv->vvas_ctx);
  g_hash_table_unref (self->priv->xclbin_users);
  g_mutex_clear (&self->priv->lock);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_vvas_context_class_init (GstVvasContextClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  init_debug ();                /* for objects made with g_object_new() */
  gobject_class->finalize = gst_vvas_context_finalize;
}

static void
gst_vvas_context_init (GstVvasContext * self)
{
  self->priv = gst_vvas_context_get_instance_private (self);
  self->priv->dev_idx = -1;
  g_mutex_init (&self->priv->lock);
  self->priv->xclbin_users = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

/* Opens @dev_idx (or a host-only context) anew. */
static GstVvasContext *
open_context (gint dev_idx, const gchar * xclbin_location, GError ** error)
{
  GstVvasContext *self;
  VvasContext *vvas_ctx;
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasLogLevel level;

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
  GST_INFO_OBJECT (self, "opened device %d%s%s", dev_idx,
      xclbin_location ? " with xclbin " : "",
      xclbin_location ? xclbin_location : "");
  return self;
}

/* The first element other than @element that uses @self's xclbin. */
static gboolean
find_other_user (gpointer key, gpointer value, gpointer element)
{
  return key != element;
}

/*
 * Makes @xclbin_location the xclbin of @self's device (a no-op if it is).
 * @element, if any, then uses it until it releases the context; while
 * another element does, the device keeps the xclbin it has.
 */
static gboolean
use_xclbin (GstVvasContext * self, GstElement * element,
    const gchar * xclbin_location, GError ** error)
{
  const gchar *why;
  gchar *user;
  VvasReturnType ret;

  g_mutex_lock (&self->priv->lock);
  user = g_strdup (g_hash_table_find (self->priv->xclbin_users,
          find_other_user, element));
  gst_vvas_log_clear_last_error ();
  ret = vvas_context_load_xclbin (self->priv->vvas_ctx, xclbin_location,
      user == NULL);
  if (ret == VVAS_RET_SUCCESS && element)
    g_hash_table_replace (self->priv->xclbin_users, element,
        g_strdup (GST_ELEMENT_NAME (element)));
  g_mutex_unlock (&self->priv->lock);
  if (ret == VVAS_RET_SUCCESS) {
    g_free (user);
    return TRUE;
  }

  why = gst_vvas_log_get_last_error ();
  GST_WARNING_OBJECT (self, "cannot use xclbin %s: %s", xclbin_location,
      why ? why : "unknown error");
  g_set_error (error, GST_RESOURCE_ERROR,
      ret == VVAS_RET_INVALID_ARGS ? GST_RESOURCE_ERROR_SETTINGS :
      GST_RESOURCE_ERROR_OPEN_READ_WRITE,
      "VVAS device %d cannot use xclbin %s: %s%s%s%s", self->priv->dev_idx,
      xclbin_location, why ? why : "unknown error",
      user ? " (element " : "", user ? user : "", user ? " runs with it)" : "");
  gst_vvas_log_clear_last_error ();
  g_free (user);
  return FALSE;
}

static void
weak_ref_free (gpointer ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

/**
 * gst_vvas_context_new:
 * @dev_idx: device index, or -1 for a host-only context
 * @xclbin_location: (nullable): xclbin the device must have; NULL takes the
 *   one it has (and must be NULL for a host-only context)
 * @error: return location for a #GError describing a failure, or %NULL
 *
 * Gets the process's context of device @dev_idx, opening the device (as
 * vvas_context_create() does) if no one holds its context. With
 * @xclbin_location, the device must end up with that xclbin: known by its
 * UUID, however the path is written; loaded if the context has none of its
 * own or its device is idle; an error if the device is busy with another
 * (vvas_context_load_xclbin()). Without it, the context uses the xclbin
 * the device has, with its memory topology when this process loaded it,
 * so banks are checked. A host-only context is new at every call. Fails,
 * never aborts, when XRT cannot run or the device cannot open; the error
 * message says why.
 *
 * Returns: (transfer full) (nullable): the device's context, or %NULL
 *
 * Since: 1.0
 */
GstVvasContext *
gst_vvas_context_new (gint dev_idx, const gchar * xclbin_location,
    GError ** error)
{
  GstVvasContext *self;
  GWeakRef *ref;

  g_return_val_if_fail (dev_idx >= -1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  init_debug ();
  if (!gst_vvas_conflict_check (error))
    return NULL;
  if (dev_idx < 0)
    return open_context (dev_idx, xclbin_location, error);

  g_mutex_lock (&registry_lock);
  if (!registry)
    registry = g_hash_table_new_full (NULL, NULL, NULL, weak_ref_free);
  ref = g_hash_table_lookup (registry, GINT_TO_POINTER (dev_idx));
  self = ref ? g_weak_ref_get (ref) : NULL;
  if (self) {
    GST_DEBUG_OBJECT (self, "device %d is open: sharing it", dev_idx);
    if (xclbin_location && !use_xclbin (self, NULL, xclbin_location, error))
      gst_clear_object (&self);
  } else {
    self = open_context (dev_idx, xclbin_location, error);
    if (self && ref) {
      g_weak_ref_set (ref, self);
    } else if (self) {
      ref = g_new0 (GWeakRef, 1);
      g_weak_ref_init (ref, self);
      g_hash_table_insert (registry, GINT_TO_POINTER (dev_idx), ref);
    }
  }
  g_mutex_unlock (&registry_lock);
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
 * Reads the device index of a context.
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
 * Reads the path of the xclbin a context loaded.
 *
 * Returns: (transfer none) (nullable): the xclbin this context loaded
 *   last, as its path was first given, or %NULL while it uses the one the
 *   device had; valid as long as @context
 *
 * Since: 1.0
 */
const gchar *
gst_vvas_context_get_xclbin_location (GstVvasContext * context)
{
  g_return_val_if_fail (GST_IS_VVAS_CONTEXT (context), NULL);

  /* Another user may load one meanwhile; the core keeps every path. */
  return __atomic_load_n (&context->priv->vvas_ctx->xclbin_loc,
      __ATOMIC_ACQUIRE);
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
 * Reads the device context a #GstContext carries (one made by
 * gst_context_new_vvas_context()).
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

/* Where an element keeps why it refused an application's context. */
static GQuark
refused_context_quark (void)
{
  return g_quark_from_static_string ("gst-vvas-refused-context");
}

/* A GstContext an element made to share its own (not the application). */
static GstContext *
new_element_context (GstVvasContext * vvas_context)
{
  GstContext *context = gst_context_new_vvas_context (vvas_context);

  gst_structure_set (gst_context_writable_structure (context),
      FIELD_FROM_ELEMENT, G_TYPE_BOOLEAN, TRUE, NULL);
  return context;
}

/**
 * gst_vvas_handle_set_context:
 * @element: the element whose set_context vfunc was called
 * @context: (nullable): the context given to it
 * @dev_idx: the element's device, or -1 for any
 * @vvas_context: (inout) (transfer full) (nullable): the element's context,
 *   replaced when @context carries one for the right device
 *
 * Helper for an element's #GstElementClass.set_context. A context of
 * another device is not used; if the application gave it (rather than
 * another element sharing its own), a warning message on the bus says so,
 * posted by the element's next gst_vvas_ensure_element_context() (a bin
 * may call set_context with its lock held). This helper takes no lock:
 * the element guards the context it passes.
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
  gboolean from_element = FALSE;

  g_return_val_if_fail (GST_IS_ELEMENT (element), FALSE);
  g_return_val_if_fail (vvas_context != NULL, FALSE);

  init_debug ();
  if (!context || !gst_context_get_vvas_context (context, &other))
    return FALSE;

  if (dev_idx >= 0 && other->priv->dev_idx != dev_idx) {
    gst_structure_get_boolean (gst_context_get_structure (context),
        FIELD_FROM_ELEMENT, &from_element);
    GST_CAT_DEBUG_OBJECT (GST_CAT_CONTEXT, element, "ignoring context of "
        "device %d: element uses device %d", other->priv->dev_idx, dev_idx);
    /*
     * Said at the element's next gst_vvas_ensure_element_context(): a bin
     * calls set_context with its lock held, and a message posted now would
     * wait for it.
     */
    if (!from_element)
      g_object_set_qdata_full (G_OBJECT (element), refused_context_quark (),
          g_strdup_printf ("it is for device %d, this element uses device "
              "%d", other->priv->dev_idx, dev_idx), g_free);
    gst_object_unref (other);
    return FALSE;
  }
  GST_CAT_DEBUG_OBJECT (GST_CAT_CONTEXT, element, "using context %"
      GST_PTR_FORMAT " of device %d", other, other->priv->dev_idx);
  if (*vvas_context != other) {
    /* The claim on the old one's xclbin goes with it. */
    gst_vvas_release_element_context (element, vvas_context);
    *vvas_context = other;
  } else {
    gst_object_unref (other);
  }
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

  context = new_element_context (vvas_context);
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

/**
 * gst_vvas_ensure_element_context:
 * @element: the element needing a device
 * @dev_idx: its device index
 * @xclbin_location: (nullable): the xclbin it needs the device to have
 * @vvas_context: (inout) (transfer full) (nullable): the element's context
 * @error: return location for a #GError describing a failure to open the
 *   device or to give it @xclbin_location, or %NULL
 *
 * Finds the device context an element should use, in GStreamer's usual
 * order: the one it has, unless it is for another device (its dev-idx
 * changed); one a downstream, then an upstream, peer has; one the
 * application gives in answer to the NEED_CONTEXT message posted here
 * (synchronously, from a sync bus handler); otherwise the process's
 * context of the device (gst_vvas_context_new()), which is set on the
 * element and announced with a HAVE_CONTEXT message. Whichever it is, with
 * @xclbin_location the device must have that xclbin: it is loaded if the
 * device has none of its own or is idle, and a device busy with another
 * one is an error.
 *
 * Returns: %TRUE if @vvas_context is set; %FALSE with @error set if the
 *   device could not be opened or cannot have @xclbin_location (elements
 *   turn it into an element error)
 *
 * Since: 1.0
 */
gboolean
gst_vvas_ensure_element_context (GstElement * element, gint dev_idx,
    const gchar * xclbin_location, GstVvasContext ** vvas_context,
    GError ** error)
{
  GstVvasContext *found;
  GstMessage *msg;
  GstContext *context;
  gchar *refused;

  g_return_val_if_fail (GST_IS_ELEMENT (element), FALSE);
  g_return_val_if_fail (vvas_context != NULL, FALSE);

  init_debug ();
  if (!gst_vvas_conflict_check (error))
    return FALSE;
  if (*vvas_context && dev_idx >= 0 && (*vvas_context)->priv->dev_idx !=
      dev_idx) {
    GST_CAT_INFO_OBJECT (GST_CAT_CONTEXT, element, "dropping the context of "
        "device %d: the element now uses device %d",
        (*vvas_context)->priv->dev_idx, dev_idx);
    gst_vvas_release_element_context (element, vvas_context);
  }

  if (!*vvas_context && !run_context_query (element, GST_PAD_SRC, dev_idx,
          vvas_context) && !run_context_query (element, GST_PAD_SINK, dev_idx,
          vvas_context)) {
    /* The application (or the bin's cache) may answer with set_context. */
    msg = gst_message_new_need_context (GST_OBJECT_CAST (element),
        GST_VVAS_CONTEXT_TYPE);
    gst_element_post_message (element, msg);
  }

  refused = g_object_steal_qdata (G_OBJECT (element), refused_context_quark ());
  if (refused) {
    GST_ELEMENT_WARNING (element, RESOURCE, SETTINGS,
        ("Not using the VVAS context the application gave."), ("%s", refused));
    g_free (refused);
  }

  /* What set_context gave, if anything, is in *vvas_context now. */
  if (*vvas_context)
    return !xclbin_location || use_xclbin (*vvas_context, element,
        xclbin_location, error);

  found = gst_vvas_context_new (dev_idx, xclbin_location, error);
  if (!found)
    return FALSE;
  /* The element's claim on the xclbin (loaded already: nothing to do). */
  if (xclbin_location && !use_xclbin (found, element, xclbin_location, error)) {
    gst_object_unref (found);
    return FALSE;
  }
  *vvas_context = found;
  context = new_element_context (found);
  gst_element_set_context (element, context);
  GST_CAT_INFO_OBJECT (GST_CAT_CONTEXT, element, "posting have-context "
      "for device %d", dev_idx);
  msg = gst_message_new_have_context (GST_OBJECT_CAST (element), context);
  gst_element_post_message (element, msg);
  return TRUE;
}

/**
 * gst_vvas_release_element_context:
 * @element: the element
 * @vvas_context: (inout) (transfer full) (nullable): the element's context,
 *   cleared
 *
 * Drops @element's context and its claim on the context's xclbin (made by
 * gst_vvas_ensure_element_context()): once no element claims it and no
 * memory of it is alive, the device may take another xclbin, and once no
 * one holds the context, the device closes. Elements call it on their way
 * to NULL.
 *
 * Since: 1.0
 */
void
gst_vvas_release_element_context (GstElement * element,
    GstVvasContext ** vvas_context)
{
  GstVvasContext *context;

  g_return_if_fail (GST_IS_ELEMENT (element));
  g_return_if_fail (vvas_context != NULL);

  context = g_steal_pointer (vvas_context);
  if (!context)
    return;
  g_mutex_lock (&context->priv->lock);
  g_hash_table_remove (context->priv->xclbin_users, element);
  g_mutex_unlock (&context->priv->lock);
  gst_object_unref (context);
}
