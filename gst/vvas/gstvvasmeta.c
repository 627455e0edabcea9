/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION:gstvvasmeta
 * @title: GstVvasMeta
 * @short_description: VvasMetadata carried through buffer copies
 *
 * A #GstVvasMeta carries the #VvasMetadata (pts, dts, duration) of the
 * #VvasMemory behind a buffer, so that it survives gst_buffer_copy(),
 * gst_buffer_copy_into() with %GST_BUFFER_COPY_META and
 * gst_buffer_make_writable(). gst_vvas_buffer_new_wrapped() turns a core
 * memory into a buffer; gst_vvas_buffer_write_metadata() writes a buffer's
 * timestamps back into its core memories.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvasmeta.h"
#include "gstvvasmeta-private.h"
#include "gstvvasmemory.h"
#include "gstvvasconflict-private.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_meta_debug);
#define GST_CAT_DEFAULT gst_vvas_meta_debug

/**
 * gst_vvas_meta_api_get_type:
 *
 * Registers the #GstVvasMeta API type, once.
 *
 * Returns: the #GType of the #GstVvasMeta API, or 0 when this library
 *   refuses to work beside another one with its names (AMD's VVAS; a
 *   warning says which)
 *
 * Since: 1.0
 */
GType
gst_vvas_meta_api_get_type (void)
{
  static gsize checked = 0;
  static GType type = 0;
  static const gchar *tags[] = { NULL };

  /* 0 when another library has the name (gstvvasconflict-private.h). */
  if (g_once_init_enter (&checked)) {
    if (gst_vvas_conflict_claim_type ("GstVvasMetaAPI",
            "gst_vvas_meta_api_get_type"))
      type = gst_meta_api_type_register ("GstVvasMetaAPI", tags);
    g_once_init_leave (&checked, 1);
  }
  return type;
}

static gboolean
gst_vvas_meta_init (GstMeta * meta, gpointer params, GstBuffer * buffer)
{
  gst_vvas_meta_unset_times ((GstVvasMeta *) meta);
  return TRUE;
}

static gboolean
gst_vvas_meta_transform (GstBuffer * dest, GstMeta * meta,
    GstBuffer * buffer, GQuark type, gpointer data)
{
  GstVvasMeta *src = (GstVvasMeta *) meta;

  /* Copies of all or part of the buffer keep the metadata; other
   * transformations (scaling, say) do not know what it means for them. */
  if (!GST_META_TRANSFORM_IS_COPY (type))
    return FALSE;
  if (!gst_buffer_add_vvas_meta (dest, &src->metadata))
    return FALSE;
  GST_TRACE ("copied metadata from %p to %p", buffer, dest);
  return TRUE;
}

/**
 * gst_vvas_meta_get_info:
 *
 * Registers the #GstVvasMeta implementation, once.
 *
 * Returns: (transfer none) (nullable): the #GstMetaInfo of #GstVvasMeta, or
 *   %NULL when this library refuses to work beside another one with its
 *   names (AMD's VVAS; a warning says which)
 *
 * Since: 1.0
 */
const GstMetaInfo *
gst_vvas_meta_get_info (void)
{
  static gsize checked = 0;
  static const GstMetaInfo *info = NULL;

  /* NULL when another library has the names (gstvvasconflict-private.h). */
  if (g_once_init_enter (&checked)) {
    GST_DEBUG_CATEGORY_INIT (gst_vvas_meta_debug, "vvasmeta", 0,
        "VVAS metadata");
    if (GST_VVAS_META_API_TYPE && gst_vvas_conflict_claim_type ("GstVvasMeta",
            "gst_vvas_meta_get_info"))
      info = gst_meta_register (GST_VVAS_META_API_TYPE, "GstVvasMeta",
          sizeof (GstVvasMeta), gst_vvas_meta_init, NULL,
          gst_vvas_meta_transform);
    g_once_init_leave (&checked, 1);
  }
  return info;
}

/**
 * gst_buffer_add_vvas_meta: (skip)
 * @buffer: a writable #GstBuffer
 * @metadata: (nullable): the metadata to carry; NULL sets every field to
 *   %GST_CLOCK_TIME_NONE (buffer pools reset their pooled meta so)
 *
 * Adds a #GstVvasMeta to @buffer, or updates the one it has. Language
 * bindings, which cannot pass a #VvasMetadata, set the buffer's timestamps
 * and call gst_vvas_buffer_write_metadata().
 *
 * Returns: (transfer none): the meta
 *
 * Since: 1.0
 */
GstVvasMeta *
gst_buffer_add_vvas_meta (GstBuffer * buffer, const VvasMetadata * metadata)
{
  GstVvasMeta *meta;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (gst_buffer_is_writable (buffer), NULL);

  meta = gst_buffer_get_vvas_meta (buffer);
  if (!meta && GST_VVAS_META_INFO)     /* NULL: another library's names */
    meta = (GstVvasMeta *) gst_buffer_add_meta (buffer, GST_VVAS_META_INFO,
        NULL);
  if (meta && metadata)
    meta->metadata = *metadata;
  else
    gst_vvas_meta_unset_times (meta);
  return meta;
}

/**
 * gst_buffer_get_vvas_meta:
 * @buffer: a #GstBuffer
 *
 * Finds the #GstVvasMeta on a buffer.
 *
 * Returns: (transfer none) (nullable): the #GstVvasMeta of @buffer
 *
 * Since: 1.0
 */
GstVvasMeta *
gst_buffer_get_vvas_meta (GstBuffer * buffer)
{
  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);

  if (!GST_VVAS_META_API_TYPE)  /* another library has the name */
    return NULL;
  return (GstVvasMeta *) gst_buffer_get_meta (buffer, GST_VVAS_META_API_TYPE);
}

/**
 * gst_vvas_meta_get_times:
 * @meta: a #GstVvasMeta
 * @pts: (out) (optional): return location for the presentation timestamp
 * @dts: (out) (optional): return location for the decoding timestamp
 * @duration: (out) (optional): return location for the duration
 *
 * Reads the times of the #VvasMetadata the meta carries, each
 * %GST_CLOCK_TIME_NONE when unset: for language bindings, which cannot read
 * the @metadata field.
 *
 * Since: 1.0
 */
void
gst_vvas_meta_get_times (GstVvasMeta * meta, GstClockTime * pts,
    GstClockTime * dts, GstClockTime * duration)
{
  g_return_if_fail (meta != NULL);
  g_return_if_fail (meta->meta.info != NULL
      && meta->meta.info->api == GST_VVAS_META_API_TYPE);

  if (pts)
    *pts = meta->metadata.pts;
  if (dts)
    *dts = meta->metadata.dts;
  if (duration)
    *duration = meta->metadata.duration;
}

/**
 * gst_vvas_buffer_new_wrapped: (skip)
 * @allocator: a #GstVvasAllocator of the memory's device context
 * @vvas_mem: (transfer full): a #VvasMemory
 *
 * Makes a buffer of one memory wrapping @vvas_mem, with its timestamps and
 * a #GstVvasMeta taken from the memory's metadata. Not available to
 * language bindings: #VvasMemory is a core type.
 *
 * Returns: (transfer full) (nullable): the buffer, or %NULL if @vvas_mem
 *   belongs to another context (it is then not taken)
 *
 * Since: 1.0
 */
GstBuffer *
gst_vvas_buffer_new_wrapped (GstAllocator * allocator, VvasMemory * vvas_mem)
{
  VvasMetadata metadata;
  GstBuffer *buffer;
  GstMemory *mem;

  g_return_val_if_fail (GST_IS_VVAS_ALLOCATOR (allocator), NULL);
  g_return_val_if_fail (vvas_mem != NULL, NULL);

  vvas_memory_get_metadata (vvas_mem, &metadata);
  mem = gst_vvas_memory_wrap (allocator, vvas_mem);
  if (!mem)
    return NULL;

  buffer = gst_buffer_new ();
  gst_buffer_append_memory (buffer, mem);
  GST_BUFFER_PTS (buffer) = metadata.pts;
  GST_BUFFER_DTS (buffer) = metadata.dts;
  GST_BUFFER_DURATION (buffer) = metadata.duration;
  gst_buffer_add_vvas_meta (buffer, &metadata);
  return buffer;
}

/**
 * gst_vvas_buffer_write_metadata:
 * @buffer: a writable #GstBuffer
 *
 * Writes the buffer's PTS, DTS and duration into the #VvasMetadata of every
 * VVAS memory in it, and into its #GstVvasMeta (added if missing), so that
 * core code handed the memory sees the buffer's timing.
 *
 * Returns: %TRUE if @buffer holds at least one VVAS memory
 *
 * Since: 1.0
 */
gboolean
gst_vvas_buffer_write_metadata (GstBuffer * buffer)
{
  VvasMetadata metadata;
  guint i, n;
  gboolean found = FALSE;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), FALSE);
  g_return_val_if_fail (gst_buffer_is_writable (buffer), FALSE);

  metadata.pts = GST_BUFFER_PTS (buffer);
  metadata.dts = GST_BUFFER_DTS (buffer);
  metadata.duration = GST_BUFFER_DURATION (buffer);

  n = gst_buffer_n_memory (buffer);
  for (i = 0; i < n; i++) {
    GstMemory *mem = gst_buffer_peek_memory (buffer, i);

    if (gst_is_vvas_memory (mem)) {
      vvas_memory_set_metadata (gst_vvas_memory_get_vvas_memory (mem),
          &metadata);
      found = TRUE;
    }
  }
  gst_buffer_add_vvas_meta (buffer, &metadata);
  return found;
}
