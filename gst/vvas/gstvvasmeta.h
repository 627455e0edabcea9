/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifndef __GST_VVAS_META_H__
#define __GST_VVAS_META_H__

#include <gst/gst.h>
#include <gst/vvas/vvas-prelude.h>
#include <vvas_core/vvas_memory.h>

G_BEGIN_DECLS

/**
 * GST_VVAS_META_API_TYPE:
 *
 * The #GType of the #GstVvasMeta API, for gst_buffer_get_meta() and
 * gst_query_add_allocation_meta().
 *
 * Since: 1.0
 */
#define GST_VVAS_META_API_TYPE (gst_vvas_meta_api_get_type ())

/**
 * GST_VVAS_META_INFO:
 *
 * The #GstMetaInfo of the #GstVvasMeta implementation, for
 * gst_buffer_add_meta().
 *
 * Since: 1.0
 */
#define GST_VVAS_META_INFO     (gst_vvas_meta_get_info ())

typedef struct _GstVvasMeta GstVvasMeta;

/**
 * GstVvasMeta:
 * @meta: parent #GstMeta
 * @metadata: the #VvasMetadata (pts, dts, duration) of the buffer's memory
 *
 * Carries the metadata of the #VvasMemory behind a buffer through buffer
 * copies.
 *
 * Since: 1.0
 */
struct _GstVvasMeta
{
  GstMeta meta;

  VvasMetadata metadata;
};

GST_VVAS_API
GType           gst_vvas_meta_api_get_type (void);

GST_VVAS_API
const GstMetaInfo * gst_vvas_meta_get_info (void);

GST_VVAS_API
GstVvasMeta *   gst_buffer_add_vvas_meta (GstBuffer * buffer,
                                          const VvasMetadata * metadata);

GST_VVAS_API
GstVvasMeta *   gst_buffer_get_vvas_meta (GstBuffer * buffer);

GST_VVAS_API
void            gst_vvas_meta_get_times (GstVvasMeta * meta,
                                         GstClockTime * pts,
                                         GstClockTime * dts,
                                         GstClockTime * duration);

GST_VVAS_API
GstBuffer *     gst_vvas_buffer_new_wrapped (GstAllocator * allocator,
                                             VvasMemory * vvas_mem);

GST_VVAS_API
gboolean        gst_vvas_buffer_write_metadata (GstBuffer * buffer);

G_END_DECLS

#endif /* __GST_VVAS_META_H__ */
