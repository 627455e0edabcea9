/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * A stand-in for AMD VVAS's GStreamer libraries, for the coexistence tests:
 * what libgstvvasallocator-3.0, libgstvvasbufferpool-3.0 and the vvas-core
 * they load (libvvascore_common-1.0) have in common with this project, in
 * one library. It registers GstVvasAllocator (a GstAllocator) and
 * GstVvasBufferPool (a GstVideoBufferPool, as AMD's is) and exports the
 * same-named functions with AMD's signatures (VVAS 1.1 to 3.1):
 *
 *   GstAllocator *gst_vvas_allocator_new (guint dev_idx, gboolean need_dma,
 *       guint mem_bank);
 *   gboolean gst_is_vvas_memory (GstMemory * mem);
 *   gboolean gst_vvas_memory_can_avoid_copy (GstMemory * mem,
 *       guint cur_devid, guint req_mem_bank);
 *   GstBufferPool *gst_vvas_buffer_pool_new (guint stride_align,
 *       guint elevation_align);
 *
 * plus the core functions both cores define. It is not AMD's code: its
 * allocator hands out system memory and its core opens nothing. Every
 * exported function counts its calls in amd_vvas_standin_calls, so that a
 * test sees when this project's code ran one of them by mistake.
 */

#include <stdint.h>
#include <stddef.h>

#include <gst/gst.h>
#include <gst/video/video.h>

/* Read by the tests (dlsym): calls of the functions below. */
gint amd_vvas_standin_calls;
const gchar *amd_vvas_standin_last_call;

static void
count_call (const gchar * name)
{
  g_atomic_int_inc (&amd_vvas_standin_calls);
  amd_vvas_standin_last_call = name;
}

/* --- GstVvasAllocator ------------------------------------------------------ */

typedef struct
{
  GstAllocator parent;
  gint dev_idx;
  gboolean need_dma;
  gint mem_bank;
} GstVvasAllocator;

typedef struct
{
  GstAllocatorClass parent_class;
} GstVvasAllocatorClass;

enum
{
  PROP_ALLOC_0,
  PROP_DEVICE_INDEX,
  PROP_NEED_DMA,
  PROP_MEM_BANK,
};

/* The type is named after the struct, as AMD's is; G_DEFINE_TYPE makes the
 * registration, the exported get_type counts its calls. */
GType gst_vvas_allocator_get_type (void);
GType standin_allocator_register (void);
#define standin_allocator_get_type standin_allocator_register
G_DEFINE_TYPE (GstVvasAllocator, standin_allocator, GST_TYPE_ALLOCATOR);
#undef standin_allocator_get_type

GType
gst_vvas_allocator_get_type (void)
{
  count_call (G_STRFUNC);
  return standin_allocator_register ();
}

static GstMemory *
standin_allocator_alloc (GstAllocator * allocator, gsize size,
    GstAllocationParams * params)
{
  return gst_allocator_alloc (NULL, size, params);
}

static void
standin_allocator_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstVvasAllocator *self = (GstVvasAllocator *) object;

  switch (prop_id) {
    case PROP_DEVICE_INDEX:
      self->dev_idx = g_value_get_int (value);
      break;
    case PROP_NEED_DMA:
      self->need_dma = g_value_get_boolean (value);
      break;
    case PROP_MEM_BANK:
      self->mem_bank = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
standin_allocator_class_init (GstVvasAllocatorClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = standin_allocator_set_property;
  GST_ALLOCATOR_CLASS (klass)->alloc = standin_allocator_alloc;
  g_object_class_install_property (gobject_class, PROP_DEVICE_INDEX,
      g_param_spec_int ("device-index", "Device index", "Device index", 0,
          G_MAXINT, 0, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_NEED_DMA,
      g_param_spec_boolean ("need-dma", "Need DMA", "Expose as DMA-buf",
          FALSE, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MEM_BANK,
      g_param_spec_int ("mem-bank", "Memory bank", "Memory bank", 0,
          G_MAXINT, 0, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
}

static void
standin_allocator_init (GstVvasAllocator * self)
{
  GST_ALLOCATOR_CAST (self)->mem_type = "VVASMemory";   /* AMD's */
}

GstAllocator *gst_vvas_allocator_new (guint dev_idx, gboolean need_dma,
    guint mem_bank);
GstAllocator *
gst_vvas_allocator_new (guint dev_idx, gboolean need_dma, guint mem_bank)
{
  GstAllocator *allocator;

  count_call (G_STRFUNC);
  allocator = g_object_new (standin_allocator_register (), "device-index",
      (gint) dev_idx, "need-dma", need_dma, "mem-bank", (gint) mem_bank, NULL);
  return gst_object_ref_sink (allocator);
}

gboolean gst_is_vvas_memory (GstMemory * mem);
gboolean
gst_is_vvas_memory (GstMemory * mem)
{
  count_call (G_STRFUNC);
  return mem && mem->allocator && G_TYPE_CHECK_INSTANCE_TYPE (mem->allocator,
      standin_allocator_register ());
}

gboolean gst_vvas_memory_can_avoid_copy (GstMemory * mem, guint cur_devid,
    guint req_mem_bank);
gboolean
gst_vvas_memory_can_avoid_copy (GstMemory * mem, guint cur_devid,
    guint req_mem_bank)
{
  GstVvasAllocator *allocator;

  count_call (G_STRFUNC);
  if (!mem || !mem->allocator || !G_TYPE_CHECK_INSTANCE_TYPE (mem->allocator,
          standin_allocator_register ()))
    return FALSE;
  allocator = (GstVvasAllocator *) mem->allocator;
  return allocator->dev_idx == (gint) cur_devid
      && allocator->mem_bank == (gint) req_mem_bank;
}

/* --- GstVvasBufferPool ----------------------------------------------------- */

typedef struct
{
  GstVideoBufferPool parent;
  guint stride_align;
  guint elevation_align;
} GstVvasBufferPool;

typedef struct
{
  GstVideoBufferPoolClass parent_class;
} GstVvasBufferPoolClass;

enum
{
  PROP_POOL_0,
  PROP_STRIDE_ALIGN,
  PROP_ELEVATION_ALIGN,
};

GType gst_vvas_buffer_pool_get_type (void);
GType standin_pool_register (void);
#define standin_pool_get_type standin_pool_register
G_DEFINE_TYPE (GstVvasBufferPool, standin_pool, GST_TYPE_VIDEO_BUFFER_POOL);
#undef standin_pool_get_type

GType
gst_vvas_buffer_pool_get_type (void)
{
  count_call (G_STRFUNC);
  return standin_pool_register ();
}

static void
standin_pool_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstVvasBufferPool *self = (GstVvasBufferPool *) object;

  switch (prop_id) {
    case PROP_STRIDE_ALIGN:
      self->stride_align = g_value_get_uint (value);
      break;
    case PROP_ELEVATION_ALIGN:
      self->elevation_align = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
standin_pool_class_init (GstVvasBufferPoolClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = standin_pool_set_property;
  g_object_class_install_property (gobject_class, PROP_STRIDE_ALIGN,
      g_param_spec_uint ("stride-align", "Stride alignment",
          "Stride alignment", 0, G_MAXUINT, 1,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_ELEVATION_ALIGN,
      g_param_spec_uint ("elevation-align", "Height alignment",
          "Height alignment", 0, G_MAXUINT, 1,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
}

static void
standin_pool_init (GstVvasBufferPool * self)
{
}

GstBufferPool *gst_vvas_buffer_pool_new (guint stride_align,
    guint elevation_align);
GstBufferPool *
gst_vvas_buffer_pool_new (guint stride_align, guint elevation_align)
{
  GstBufferPool *pool;

  count_call (G_STRFUNC);
  pool = g_object_new (standin_pool_register (), "stride-align", stride_align,
      "elevation-align", elevation_align, NULL);
  return gst_object_ref_sink (pool);
}

/* --- The core functions both vvas-cores define --------------------------- */
/* AMD's signatures; enums as int (the same ABI), structs opaque. */

void *vvas_context_create (int32_t dev_idx, char *xclbin_loc, int log_level,
    int *vret);
void *
vvas_context_create (int32_t dev_idx, char *xclbin_loc, int log_level,
    int *vret)
{
  count_call (G_STRFUNC);
  if (vret)
    *vret = -1;                 /* VVAS_RET_ERROR */
  return NULL;
}

int vvas_context_destroy (void *vvas_ctx);
int
vvas_context_destroy (void *vvas_ctx)
{
  count_call (G_STRFUNC);
  return -2;                    /* VVAS_RET_INVALID_ARGS */
}

void *vvas_memory_alloc (void *vvas_ctx, int mem_type, int mem_flags,
    uint8_t mbank_idx, size_t size, int *ret);
void *
vvas_memory_alloc (void *vvas_ctx, int mem_type, int mem_flags,
    uint8_t mbank_idx, size_t size, int *ret)
{
  count_call (G_STRFUNC);
  if (ret)
    *ret = -2;
  return NULL;
}

void vvas_memory_free (void *vvas_mem);
void
vvas_memory_free (void *vvas_mem)
{
  count_call (G_STRFUNC);
}

int vvas_memory_map (void *vvas_mem, int flags, void *info);
int
vvas_memory_map (void *vvas_mem, int flags, void *info)
{
  count_call (G_STRFUNC);
  return -2;
}

int vvas_memory_unmap (void *vvas_mem, void *info);
int
vvas_memory_unmap (void *vvas_mem, void *info)
{
  count_call (G_STRFUNC);
  return -2;
}

void vvas_memory_get_metadata (void *vvas_mem, void *meta_data);
void
vvas_memory_get_metadata (void *vvas_mem, void *meta_data)
{
  count_call (G_STRFUNC);
}

void vvas_memory_set_metadata (void *vvas_mem, void *meta_data);
void
vvas_memory_set_metadata (void *vvas_mem, void *meta_data)
{
  count_call (G_STRFUNC);
}

void vvas_memory_sync_data (void *vvas_mem, int flag);
void
vvas_memory_sync_data (void *vvas_mem, int flag)
{
  count_call (G_STRFUNC);
}
