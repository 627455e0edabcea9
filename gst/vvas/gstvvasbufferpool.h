/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifndef __GST_VVAS_BUFFER_POOL_H__
#define __GST_VVAS_BUFFER_POOL_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/vvas/vvas-prelude.h>
#include <gst/vvas/gstvvasmemory.h>

G_BEGIN_DECLS

/**
 * GST_CAPS_FEATURE_MEMORY_VVAS:
 *
 * Caps feature of raw video in VVAS memory (which is also host-mappable).
 *
 * Since: 1.0
 */
#define GST_CAPS_FEATURE_MEMORY_VVAS "memory:VVASMemory"

#define GST_TYPE_VVAS_BUFFER_POOL            (gst_vvas_buffer_pool_get_type ())
#define GST_VVAS_BUFFER_POOL(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), GST_TYPE_VVAS_BUFFER_POOL, GstVvasBufferPool))
#define GST_VVAS_BUFFER_POOL_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), GST_TYPE_VVAS_BUFFER_POOL, GstVvasBufferPoolClass))
#define GST_IS_VVAS_BUFFER_POOL(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), GST_TYPE_VVAS_BUFFER_POOL))
#define GST_IS_VVAS_BUFFER_POOL_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), GST_TYPE_VVAS_BUFFER_POOL))

/**
 * GST_VVAS_BUFFER_POOL_CAST:
 * @obj: a #GstVvasBufferPool
 *
 * Casts @obj to a #GstVvasBufferPool pointer, without the type check of
 * GST_VVAS_BUFFER_POOL().
 *
 * Since: 1.0
 */
#define GST_VVAS_BUFFER_POOL_CAST(obj)       ((GstVvasBufferPool *) (obj))

typedef struct _GstVvasBufferPool GstVvasBufferPool;
typedef struct _GstVvasBufferPoolClass GstVvasBufferPoolClass;
typedef struct _GstVvasBufferPoolPrivate GstVvasBufferPoolPrivate;

/**
 * GstVvasBufferPool:
 * @parent: the parent #GstBufferPool
 *
 * A pool of raw video buffers in VVAS memory.
 *
 * Since: 1.0
 */
struct _GstVvasBufferPool
{
  GstBufferPool parent;

  /*< private >*/
  GstVvasBufferPoolPrivate *priv;
  gpointer _gst_reserved[GST_PADDING];
};

/**
 * GstVvasBufferPoolClass:
 * @parent_class: the parent class
 *
 * Since: 1.0
 */
struct _GstVvasBufferPoolClass
{
  GstBufferPoolClass parent_class;

  /*< private >*/
  gpointer _gst_reserved[GST_PADDING];
};

GST_VVAS_API
GType           gst_vvas_buffer_pool_get_type (void);

GST_VVAS_API
GstBufferPool * gst_vvas_buffer_pool_new (GstAllocator * allocator);

GST_VVAS_API
GstAllocator *  gst_vvas_buffer_pool_get_allocator (GstBufferPool * pool);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstVvasBufferPool, gst_object_unref)

G_END_DECLS

#endif /* __GST_VVAS_BUFFER_POOL_H__ */
