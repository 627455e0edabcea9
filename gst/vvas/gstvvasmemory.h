/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifndef __GST_VVAS_MEMORY_H__
#define __GST_VVAS_MEMORY_H__

#include <gst/gst.h>
#include <gst/vvas/vvas-prelude.h>
#include <gst/vvas/gstvvascontext.h>
#include <vvas_core/vvas_memory.h>

G_BEGIN_DECLS

#define GST_TYPE_VVAS_ALLOCATOR            (gst_vvas_allocator_get_type ())
#define GST_VVAS_ALLOCATOR(obj)            (G_TYPE_CHECK_INSTANCE_CAST ((obj), GST_TYPE_VVAS_ALLOCATOR, GstVvasAllocator))
#define GST_VVAS_ALLOCATOR_CLASS(klass)    (G_TYPE_CHECK_CLASS_CAST ((klass), GST_TYPE_VVAS_ALLOCATOR, GstVvasAllocatorClass))
#define GST_IS_VVAS_ALLOCATOR(obj)         (G_TYPE_CHECK_INSTANCE_TYPE ((obj), GST_TYPE_VVAS_ALLOCATOR))
#define GST_IS_VVAS_ALLOCATOR_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), GST_TYPE_VVAS_ALLOCATOR))

/**
 * GST_VVAS_ALLOCATOR_CAST:
 * @obj: a #GstVvasAllocator
 *
 * Casts @obj to a #GstVvasAllocator pointer, without the type check of
 * GST_VVAS_ALLOCATOR().
 *
 * Since: 1.0
 */
#define GST_VVAS_ALLOCATOR_CAST(obj)       ((GstVvasAllocator *) (obj))

/**
 * GST_VVAS_MEMORY_TYPE_NAME:
 *
 * The memory type (#GstAllocator.mem_type) of VVAS memories.
 *
 * Since: 1.0
 */
#define GST_VVAS_MEMORY_TYPE_NAME "VvasMemory"

/**
 * GST_VVAS_ALLOCATOR_NAME:
 *
 * The name under which gst_vvas_allocator_register_default() registers an
 * allocator: `gst_allocator_find (GST_VVAS_ALLOCATOR_NAME)` returns it, or
 * %NULL if the application registered none (making an allocator registers
 * nothing).
 *
 * Since: 1.0
 */
#define GST_VVAS_ALLOCATOR_NAME "vvas"

/**
 * GST_MAP_VVAS:
 *
 * Map flag for device access: gst_memory_map() with it (and READ and/or
 * WRITE) makes the device copy current (the pending host-to-device transfer
 * is done) and, with WRITE, marks the device copy newer, so that the next
 * host map transfers it back. The mapped data is the device address of the
 * memory's bytes. Without %GST_MAP_READ or %GST_MAP_WRITE, or on host
 * memory, the map is refused with a warning naming the flags. Check
 * gst_is_vvas_memory() first: other memories reuse the bit.
 *
 * Language bindings see it as an integer constant (GstVvas.MAP_VVAS), to be
 * or-ed with the #GstMapFlags values.
 *
 * Since: 1.0
 */
/* The scanner types a constant by its cast, and PyGObject reads a constant
 * of a flags type as 0: bindings get the plain integer, as GST_MAP_GL. */
#ifdef __GI_SCANNER__
#define GST_MAP_VVAS (GST_MAP_FLAG_LAST << 1)
#else
#define GST_MAP_VVAS ((GstMapFlags) (GST_MAP_FLAG_LAST << 1))
#endif

/**
 * GST_VVAS_MEMORY_FLAG_SHARED:
 *
 * Set on a memory made by gst_memory_share(): it maps through its parent
 * and shares its coherence state.
 *
 * Since: 1.0
 */
#define GST_VVAS_MEMORY_FLAG_SHARED (GST_MEMORY_FLAG_LAST << 0)

typedef struct _GstVvasAllocator GstVvasAllocator;
typedef struct _GstVvasAllocatorClass GstVvasAllocatorClass;
typedef struct _GstVvasAllocatorPrivate GstVvasAllocatorPrivate;

/**
 * GstVvasAllocator:
 * @parent: the parent #GstAllocator
 *
 * Allocates #GstMemory backed by one #VvasMemory each, on one device
 * context, memory bank and allocation type.
 *
 * Since: 1.0
 */
struct _GstVvasAllocator
{
  GstAllocator parent;

  /*< private >*/
  GstVvasAllocatorPrivate *priv;
  gpointer _gst_reserved[GST_PADDING];
};

/**
 * GstVvasAllocatorClass:
 * @parent_class: the parent class
 *
 * Since: 1.0
 */
struct _GstVvasAllocatorClass
{
  GstAllocatorClass parent_class;

  /*< private >*/
  gpointer _gst_reserved[GST_PADDING];
};

GST_VVAS_API
void             gst_vvas_memory_init_once (void);

GST_VVAS_API
GType            gst_vvas_allocator_get_type (void);

GST_VVAS_API
GstAllocator *   gst_vvas_allocator_new (GstVvasContext * context,
                                         guint8 mem_bank,
                                         VvasAllocationType alloc_type);

GST_VVAS_API
GstAllocator *   gst_vvas_allocator_new_for_bank (GstVvasContext * context,
                                                  guint8 mem_bank,
                                                  GError ** error);

GST_VVAS_API
GstAllocator *   gst_vvas_allocator_new_for_device (gint dev_idx,
                                                    const gchar * xclbin_location,
                                                    guint8 mem_bank,
                                                    GError ** error);

GST_VVAS_API
void             gst_vvas_allocator_register_default (GstAllocator * allocator);

GST_VVAS_API
GstVvasContext * gst_vvas_allocator_get_context (GstAllocator * allocator);

GST_VVAS_API
gint             gst_vvas_allocator_get_mem_bank (GstAllocator * allocator);

GST_VVAS_API
VvasAllocationType gst_vvas_allocator_get_alloc_type (GstAllocator * allocator);

GST_VVAS_API
void             gst_vvas_allocator_set_fill_byte (GstAllocator * allocator,
                                                   gint fill_byte);

GST_VVAS_API
gboolean         gst_is_vvas_memory (GstMemory * mem);

GST_VVAS_API
VvasMemory *     gst_vvas_memory_get_vvas_memory (GstMemory * mem);

GST_VVAS_API
GstMemory *      gst_vvas_memory_wrap (GstAllocator * allocator,
                                       VvasMemory * vvas_mem);

GST_VVAS_API
gint             gst_vvas_memory_get_device_index (GstMemory * mem);

GST_VVAS_API
gint             gst_vvas_memory_get_bank_index (GstMemory * mem);

GST_VVAS_API
guint64          gst_vvas_memory_get_paddr (GstMemory * mem);

GST_VVAS_API
gpointer         gst_vvas_memory_get_bo (GstMemory * mem);

GST_VVAS_API
VvasDataSyncFlags gst_vvas_memory_get_pending_transfers (GstMemory * mem);

GST_VVAS_API
gboolean         gst_vvas_memory_can_avoid_copy (GstMemory * mem,
                                                 gint dev_idx,
                                                 gint mem_bank);

GST_VVAS_API
gboolean         gst_vvas_memory_sync (GstMemory * mem,
                                       VvasDataSyncFlags direction);

GST_VVAS_API
gint             gst_vvas_memory_export_dmabuf (GstMemory * mem,
                                                GError ** error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstVvasAllocator, gst_object_unref)

G_END_DECLS

#endif /* __GST_VVAS_MEMORY_H__ */
