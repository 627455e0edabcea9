/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifndef __GST_VVAS_DMABUF_H__
#define __GST_VVAS_DMABUF_H__

#include <gst/gst.h>
#include <gst/vvas/vvas-prelude.h>

G_BEGIN_DECLS

GST_VVAS_API
GstMemory *      gst_vvas_memory_export_dmabuf_memory (GstMemory * mem,
                                                       GError ** error);

GST_VVAS_API
GstMemory *      gst_vvas_memory_get_dmabuf_memory (GstMemory * mem,
                                                    GError ** error);

GST_VVAS_API
GstMemory *      gst_vvas_allocator_import_dmabuf (GstAllocator * vvas_allocator,
                                                   GstMemory * dmabuf_memory,
                                                   GError ** error);

G_END_DECLS

#endif /* __GST_VVAS_DMABUF_H__ */
