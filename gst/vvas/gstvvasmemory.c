/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION:gstvvasmemory
 * @title: GstVvasAllocator
 * @short_description: GstMemory on XRT device memory
 *
 * A #GstVvasAllocator allocates #GstMemory backed by one #VvasMemory each:
 * an XRT buffer object on one memory bank of one device
 * (%VVAS_ALLOC_TYPE_CMA), or host memory (%VVAS_ALLOC_TYPE_NON_CMA).
 *
 * Host maps follow the coherence contract of the core library: a READ map
 * transfers from the device only when the device copy is newer, a WRITE map
 * makes the host copy the newer one. Elements that hand a memory to a
 * kernel map it with %GST_MAP_VVAS: the pending host-to-device transfer is
 * done then, and a WRITE device map marks the device copy newer. Nobody
 * calls sync by hand, and no transfer happens that is not needed.
 *
 * The pending-transfer state lives in the core memory only (read it with
 * gst_vvas_memory_get_pending_transfers()); shares map through their parent
 * and so share its state.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <vvas_core/vvas_memory_priv.h>

#include "gstvvasmemory.h"
#include "gstvvasconflict-private.h"
#include "gstvvaslog-private.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_memory_debug);
#define GST_CAT_DEFAULT gst_vvas_memory_debug

typedef struct
{
  GstMemory mem;

  /* Owned by the root memory; shares borrow their parent's. */
  VvasMemory *vmem;
  guint8 *host;                 /* host view of the whole VvasMemory */
  gsize vsize;                  /* its size */
  gsize block_offset;           /* where the GstMemory block starts in it */
  guint64 paddr;                /* its device address; none for host memory */
} GstVvasMemory;

#define NO_DEVICE_ADDRESS G_MAXUINT64

struct _GstVvasAllocatorPrivate
{
  GstVvasContext *context;
  guint8 mem_bank;
  VvasAllocationType alloc_type;
  gint fill_byte;               /* -1: none; atomic */
};

#define gst_vvas_allocator_parent_class parent_class
/* AMD VVAS registers a GstVvasAllocator too: registered only when the name
 * is free (gstvvasconflict-private.h). */
#define gst_vvas_allocator_get_type gst_vvas_allocator_register_type
G_GNUC_INTERNAL GType gst_vvas_allocator_get_type (void);
G_DEFINE_TYPE_WITH_PRIVATE (GstVvasAllocator, gst_vvas_allocator,
    GST_TYPE_ALLOCATOR);
#undef gst_vvas_allocator_get_type
GST_VVAS_DEFINE_CHECKED_GET_TYPE (GstVvasAllocator, gst_vvas_allocator);

/**
 * gst_vvas_memory_init_once:
 *
 * Initialises the debug categories and routes the core library's log into
 * GStreamer's debug system. Called by every constructor of this library;
 * calling it again does nothing.
 *
 * Since: 1.0
 */
void
gst_vvas_memory_init_once (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (gst_vvas_memory_debug, "vvasmemory", 0,
        "VVAS memory and allocator");
    gst_vvas_log_init ();
    g_once_init_leave (&initialized, 1);
  }
}

static inline VvasDataMapFlags
to_vvas_map_flags (GstMapFlags flags)
{
  return ((flags & GST_MAP_READ) ? VVAS_DATA_MAP_READ : 0) |
      ((flags & GST_MAP_WRITE) ? VVAS_DATA_MAP_WRITE : 0);
}

/* Writes @len bytes of @value at @offset through a host WRITE map. */
static gboolean
host_fill (GstVvasMemory * vmem, gsize offset, gint value, gsize len)
{
  VvasMemoryMapInfo info;

  if (len == 0)
    return TRUE;
  if (vvas_memory_map (vmem->vmem, VVAS_DATA_MAP_WRITE, &info) !=
      VVAS_RET_SUCCESS)
    return FALSE;
  memset (info.data + vmem->block_offset + offset, value, len);
  vvas_memory_unmap (vmem->vmem, &info);
  return TRUE;
}

static GstVvasMemory *
wrap_vvas_memory (GstAllocator * allocator, VvasMemory * vmem,
    GstMemoryFlags flags, gsize align, gsize offset, gsize size)
{
  GstVvasMemory *mem;
  guint8 *host = vvas_memory_get_host_address (vmem);
  gsize vsize = vvas_memory_get_size (vmem);
  gsize block_offset = 0;

  /* Align the block start, as GStreamer's system memory does. */
  if (((guintptr) host & align) != 0)
    block_offset = (align + 1) - ((guintptr) host & align);

  mem = g_new0 (GstVvasMemory, 1);
  mem->vmem = vmem;
  mem->host = host;
  mem->vsize = vsize;
  mem->block_offset = block_offset;
  mem->paddr = vvas_memory_get_bo (vmem) ? vvas_memory_get_paddr (vmem) :
      NO_DEVICE_ADDRESS;
  gst_memory_init (GST_MEMORY_CAST (mem), flags, allocator, NULL,
      vsize - block_offset, align, offset, size);
  return mem;
}

/* Allocates a memory; @with_fill applies the allocator's fill byte. */
static GstMemory *
allocate (GstAllocator * allocator, gsize size, GstAllocationParams * params,
    gboolean with_fill)
{
  GstVvasAllocatorPrivate *priv = GST_VVAS_ALLOCATOR_CAST (allocator)->priv;
  gsize align = params->align | gst_memory_alignment;
  gsize maxsize, alloc_size;
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasMemory *vmem;
  GstVvasMemory *mem;
  gint fill_byte;

  /* Room to move the block start to the alignment, whatever it is. */
  if (!g_size_checked_add (&maxsize, size, params->prefix) ||
      !g_size_checked_add (&maxsize, maxsize, params->padding) ||
      !g_size_checked_add (&alloc_size, maxsize, align)) {
    GST_WARNING_OBJECT (allocator, "allocation of %" G_GSIZE_FORMAT " bytes "
        "with prefix %" G_GSIZE_FORMAT ", padding %" G_GSIZE_FORMAT
        " and alignment %" G_GSIZE_FORMAT " overflows", size, params->prefix,
        params->padding, align + 1);
    return NULL;
  }
  /* GStreamer allows empty memories; the core does not. */
  alloc_size = MAX (alloc_size, 1);

  vmem = vvas_memory_alloc (gst_vvas_context_get_vvas_context
      (priv->context), priv->alloc_type, VVAS_ALLOC_FLAG_NONE, priv->mem_bank,
      alloc_size, &ret);
  if (!vmem) {
    GST_WARNING_OBJECT (allocator, "cannot allocate %" G_GSIZE_FORMAT
        " bytes on bank %u (error %d)", alloc_size, priv->mem_bank, ret);
    return NULL;
  }
  mem = wrap_vvas_memory (allocator, vmem, params->flags, align,
      params->prefix, size);

  /* Host writes at allocation make the host copy the newer one. */
  fill_byte = with_fill ? g_atomic_int_get (&priv->fill_byte) : -1;
  if ((fill_byte >= 0 && !host_fill (mem, 0, fill_byte, maxsize)) ||
      ((params->flags & GST_MEMORY_FLAG_ZERO_PREFIXED) &&
          !host_fill (mem, 0, 0, params->prefix)) ||
      ((params->flags & GST_MEMORY_FLAG_ZERO_PADDED) &&
          !host_fill (mem, params->prefix + size, 0, params->padding))) {
    gst_memory_unref (GST_MEMORY_CAST (mem));
    return NULL;
  }
  return GST_MEMORY_CAST (mem);
}

static GstMemory *
gst_vvas_allocator_alloc (GstAllocator * allocator, gsize size,
    GstAllocationParams * params)
{
  return allocate (allocator, size, params, TRUE);
}

static void
gst_vvas_allocator_free (GstAllocator * allocator, GstMemory * memory)
{
  GstVvasMemory *mem = (GstVvasMemory *) memory;

  /* A share borrows its parent's VvasMemory. */
  if (!memory->parent)
    vvas_memory_free (mem->vmem);
  g_free (mem);
}

/* @flags as a message names them: "GST_MAP_READ | GST_MAP_VVAS". */
static gchar *
map_flags_to_string (GstMapFlags flags)
{
  GString *str = g_string_new (NULL);
  guint others = flags & ~(GST_MAP_READWRITE | GST_MAP_VVAS);

  if (flags & GST_MAP_READ)
    g_string_append (str, " | GST_MAP_READ");
  if (flags & GST_MAP_WRITE)
    g_string_append (str, " | GST_MAP_WRITE");
  if (flags & GST_MAP_VVAS)
    g_string_append (str, " | GST_MAP_VVAS");
  if (others)
    g_string_append_printf (str, " | 0x%x", others);
  if (str->len == 0)
    g_string_append (str, " | 0");
  g_string_erase (str, 0, 3);
  return g_string_free (str, FALSE);
}

/* Refuses a map of @memory with @flags; @why ends with what is accepted. */
static gpointer
refuse_map (GstMemory * memory, GstMapFlags flags, const gchar * why)
{
  gchar *given = map_flags_to_string (flags);

  GST_WARNING_OBJECT (memory->allocator, "memory %p: map flags %s refused: "
      "%s", memory, given, why);
  g_free (given);
  return NULL;
}

/*
 * GstMemory's lock counts the maps and refuses unbalanced unmaps, so the
 * core is asked only for coherence: with nothing to transfer, a map costs an
 * atomic load (a first write map, an atomic operation) and takes no lock.
 * Flags this memory does not know (GstVideoFrame's, say) are others'.
 */
static gpointer
gst_vvas_memory_map_full (GstMemory * memory, GstMapInfo * info, gsize maxsize)
{
  GstVvasMemory *mem = (GstVvasMemory *) memory;
  VvasDataMapFlags flags = to_vvas_map_flags (info->flags);

  if (info->flags & GST_MAP_VVAS) {
    if (mem->paddr == NO_DEVICE_ADDRESS)
      return refuse_map (memory, info->flags, "host memory has no device "
          "copy; accepted are GST_MAP_READ, GST_MAP_WRITE or both");
    /* A device map exists to make the device copy current for a reader or
     * a writer; the address alone is gst_vvas_memory_get_paddr(). */
    if (flags == VVAS_DATA_MAP_NONE)
      return refuse_map (memory, info->flags, "accepted are GST_MAP_READ, "
          "GST_MAP_WRITE or both, with or without GST_MAP_VVAS");
    if (vvas_memory_begin_device_access (mem->vmem, flags) != VVAS_RET_SUCCESS) {
      GST_ERROR_OBJECT (memory->allocator, "memory %p: transfer to the "
          "device failed", memory);
      return NULL;
    }
    return (gpointer) (guintptr) (mem->paddr + mem->block_offset);
  }

  /* No access asked (GstMemory counts no lock for it): as GStreamer's own
   * memories do, the address, with nothing transferred. */
  if (flags == VVAS_DATA_MAP_NONE) {
    GST_LOG_OBJECT (memory->allocator, "memory %p: map with no access flag, "
        "the host address only", memory);
    return mem->host + mem->block_offset;
  }
  if (vvas_memory_begin_host_access (mem->vmem, flags) != VVAS_RET_SUCCESS) {
    GST_ERROR_OBJECT (memory->allocator, "memory %p: host map failed (the "
        "transfer from the device failed)", memory);
    return NULL;
  }
  return mem->host + mem->block_offset;
}

static void
gst_vvas_memory_unmap_full (GstMemory * memory, GstMapInfo * info)
{
  GstVvasMemory *mem = (GstVvasMemory *) memory;

  if (!(info->flags & GST_MAP_WRITE))
    return;
  if (info->flags & GST_MAP_VVAS)
    vvas_memory_end_device_access (mem->vmem, VVAS_DATA_MAP_WRITE);
  else
    vvas_memory_end_host_access (mem->vmem, VVAS_DATA_MAP_WRITE);
}

static GstMemory *
gst_vvas_memory_copy (GstMemory * memory, gssize offset, gssize size)
{
  GstVvasMemory *src = (GstVvasMemory *) memory;
  GstAllocationParams params;
  GstVvasMemory *copy;

  if (size == -1)
    size = memory->size > (gsize) offset ? memory->size - offset : 0;

  /* No fill: every byte of the copy comes from the source. Aligned as the
   * source, as GStreamer's system memory copies are; no prefix or padding,
   * which the source's offset and size do not carry over. */
  gst_allocation_params_init (&params);
  params.align = memory->align;
  copy = (GstVvasMemory *) allocate (memory->allocator, size, &params, FALSE);
  if (!copy)
    return NULL;
  /* The core copies on the device when the source's device copy is current,
   * through host maps otherwise. */
  if (size > 0 && vvas_memory_copy (copy->vmem,
          copy->block_offset + copy->mem.offset, src->vmem,
          src->block_offset + memory->offset + offset, size) !=
      VVAS_RET_SUCCESS) {
    GST_ERROR_OBJECT (memory->allocator, "copy of %" G_GSSIZE_FORMAT
        " bytes from memory %p failed", size, memory);
    gst_memory_unref (GST_MEMORY_CAST (copy));
    return NULL;
  }
  GST_LOG_OBJECT (memory->allocator, "copied %" G_GSSIZE_FORMAT " bytes of "
      "%p into %p", size, memory, copy);
  return GST_MEMORY_CAST (copy);
}

static GstMemory *
gst_vvas_memory_share (GstMemory * memory, gssize offset, gssize size)
{
  GstVvasMemory *mem = (GstVvasMemory *) memory;
  GstMemory *parent = memory->parent ? memory->parent : memory;
  GstVvasMemory *sub;

  if (size == -1)
    size = memory->size - offset;

  sub = g_new0 (GstVvasMemory, 1);
  sub->vmem = mem->vmem;
  sub->host = mem->host;
  sub->vsize = mem->vsize;
  sub->block_offset = mem->block_offset;
  sub->paddr = mem->paddr;
  gst_memory_init (GST_MEMORY_CAST (sub), GST_MINI_OBJECT_FLAGS (parent) |
      GST_MINI_OBJECT_FLAG_LOCK_READONLY | GST_VVAS_MEMORY_FLAG_SHARED,
      memory->allocator, parent, memory->maxsize, memory->align,
      memory->offset + offset, size);
  return GST_MEMORY_CAST (sub);
}

static gboolean
gst_vvas_memory_is_span (GstMemory * mem1, GstMemory * mem2, gsize * offset)
{
  /* gst_memory_is_span() checked that both share one parent. */
  if (offset)
    *offset = mem1->offset - mem1->parent->offset;
  return mem1->offset + mem1->size == mem2->offset;
}

static void
gst_vvas_allocator_finalize (GObject * object)
{
  GstVvasAllocator *self = GST_VVAS_ALLOCATOR (object);

  GST_DEBUG_OBJECT (self, "finalize");
  gst_clear_object (&self->priv->context);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_vvas_allocator_class_init (GstVvasAllocatorClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstAllocatorClass *allocator_class = GST_ALLOCATOR_CLASS (klass);

  gobject_class->finalize = gst_vvas_allocator_finalize;
  allocator_class->alloc = GST_DEBUG_FUNCPTR (gst_vvas_allocator_alloc);
  allocator_class->free = GST_DEBUG_FUNCPTR (gst_vvas_allocator_free);
}

static void
gst_vvas_allocator_init (GstVvasAllocator * self)
{
  GstAllocator *allocator = GST_ALLOCATOR_CAST (self);

  self->priv = gst_vvas_allocator_get_instance_private (self);
  self->priv->fill_byte = -1;

  allocator->mem_type = GST_VVAS_MEMORY_TYPE_NAME;
  allocator->mem_map_full = gst_vvas_memory_map_full;
  allocator->mem_unmap_full = gst_vvas_memory_unmap_full;
  allocator->mem_copy = gst_vvas_memory_copy;
  allocator->mem_share = gst_vvas_memory_share;
  allocator->mem_is_span = gst_vvas_memory_is_span;
}

/**
 * gst_vvas_allocator_new: (skip)
 * @context: the device context
 * @mem_bank: memory bank to allocate on (checked against the xclbin)
 * @alloc_type: %VVAS_ALLOC_TYPE_CMA (device memory) or
 *   %VVAS_ALLOC_TYPE_NON_CMA (host memory)
 *
 * Creates an allocator for one device, bank and allocation type. It keeps
 * @context alive; every memory it allocates keeps it alive in turn. It is
 * not registered: gst_vvas_allocator_register_default() does that, for an
 * application that wants one found by name.
 *
 * Language bindings, which cannot pass a #VvasAllocationType, use
 * gst_vvas_allocator_new_for_bank().
 *
 * Returns: (transfer full) (nullable): a new allocator, or %NULL when the
 *   bank is not a usable bank of the context's xclbin
 *
 * Since: 1.0
 */
GstAllocator *
gst_vvas_allocator_new (GstVvasContext * context, guint8 mem_bank,
    VvasAllocationType alloc_type)
{
  VvasContext *vvas_ctx;
  GstVvasAllocator *self;

  g_return_val_if_fail (GST_IS_VVAS_CONTEXT (context), NULL);
  g_return_val_if_fail (alloc_type == VVAS_ALLOC_TYPE_CMA
      || alloc_type == VVAS_ALLOC_TYPE_NON_CMA, NULL);

  gst_vvas_memory_init_once ();
  if (!gst_vvas_conflict_check (NULL))
    return NULL;
  vvas_ctx = gst_vvas_context_get_vvas_context (context);
  if (alloc_type == VVAS_ALLOC_TYPE_CMA &&
      vvas_context_is_bank_usable (vvas_ctx, mem_bank) != 1) {
    GST_ERROR_OBJECT (context, "bank %u of device %d cannot hold device "
        "memory (host-only context, or not a used bank of the xclbin)",
        mem_bank, gst_vvas_context_get_device_index (context));
    return NULL;
  }

  self = g_object_new (GST_TYPE_VVAS_ALLOCATOR, NULL);
  gst_object_ref_sink (self);
  self->priv->context = gst_object_ref (context);
  self->priv->mem_bank = alloc_type == VVAS_ALLOC_TYPE_CMA ? mem_bank : 0;
  self->priv->alloc_type = alloc_type;
  GST_INFO_OBJECT (self, "%s memory on device %d, bank %u",
      alloc_type == VVAS_ALLOC_TYPE_CMA ? "device" : "host",
      gst_vvas_context_get_device_index (context), self->priv->mem_bank);
  return GST_ALLOCATOR_CAST (self);
}

/**
 * gst_vvas_allocator_new_for_bank:
 * @context: the device context
 * @mem_bank: memory bank to allocate on (checked against the xclbin)
 * @error: return location for a #GError describing a failure, or %NULL
 *
 * Creates an allocator of device memory on bank @mem_bank of @context's
 * device: gst_vvas_allocator_new() with %VVAS_ALLOC_TYPE_CMA, for language
 * bindings, which cannot pass a #VvasAllocationType, and for callers that
 * want the reason of a failure.
 *
 * Returns: (transfer full) (nullable): a new allocator, or %NULL with
 *   @error set (naming the usable banks) when @mem_bank is not a usable bank
 *   of the context's xclbin, or @context is a host-only context
 *
 * Since: 1.0
 */
GstAllocator *
gst_vvas_allocator_new_for_bank (GstVvasContext * context, guint8 mem_bank,
    GError ** error)
{
  GstAllocator *allocator;

  g_return_val_if_fail (GST_IS_VVAS_CONTEXT (context), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (gst_vvas_context_get_device_index (context) < 0) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "Device memory needs a device context; this one is host only "
        "(device index -1)");
    return NULL;
  }
  allocator = gst_vvas_allocator_new (context, mem_bank, VVAS_ALLOC_TYPE_CMA);
  if (!allocator) {
    gchar *banks = gst_vvas_context_describe_usable_banks (context);

    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "Memory bank %u is not a usable bank of device %d; usable banks: %s",
        mem_bank, gst_vvas_context_get_device_index (context), banks);
    g_free (banks);
  }
  return allocator;
}

/**
 * gst_vvas_allocator_new_for_device:
 * @dev_idx: device index
 * @xclbin_location: (nullable): xclbin to load (NULL: the one loaded)
 * @mem_bank: memory bank
 * @error: return location for a #GError describing a failure, or %NULL
 *
 * Opens a device context of its own and creates a device-memory allocator
 * on it. Elements in a pipeline should share a context instead (see
 * gst_vvas_ensure_element_context()).
 *
 * Returns: (transfer full) (nullable): a new allocator, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
GstAllocator *
gst_vvas_allocator_new_for_device (gint dev_idx,
    const gchar * xclbin_location, guint8 mem_bank, GError ** error)
{
  GstVvasContext *context;
  GstAllocator *allocator;

  g_return_val_if_fail (dev_idx >= 0, NULL);

  context = gst_vvas_context_new (dev_idx, xclbin_location, error);
  if (!context)
    return NULL;
  allocator = gst_vvas_allocator_new_for_bank (context, mem_bank, error);
  gst_object_unref (context);
  return allocator;
}

/**
 * gst_vvas_allocator_register_default:
 * @allocator: (type GstVvas.Allocator) (transfer none): a #GstVvasAllocator
 *
 * Registers @allocator as %GST_VVAS_ALLOCATOR_NAME, so that
 * `gst_allocator_find (GST_VVAS_ALLOCATOR_NAME)` returns it, replacing (and
 * releasing) the one registered before. Nothing is registered unless an
 * application calls this: GStreamer keeps a registered allocator, and so
 * its context's device open with its xclbin, until gst_deinit() or until
 * another is registered in its place.
 *
 * Since: 1.0
 */
void
gst_vvas_allocator_register_default (GstAllocator * allocator)
{
  g_return_if_fail (GST_IS_VVAS_ALLOCATOR (allocator));

  gst_allocator_register (GST_VVAS_ALLOCATOR_NAME, gst_object_ref (allocator));
}

/**
 * gst_vvas_allocator_get_context:
 * @allocator: (type GstVvas.Allocator): a #GstVvasAllocator
 *
 * Gives the device context an allocator allocates on.
 *
 * Returns: (transfer none): its device context
 *
 * Since: 1.0
 */
GstVvasContext *
gst_vvas_allocator_get_context (GstAllocator * allocator)
{
  g_return_val_if_fail (GST_IS_VVAS_ALLOCATOR (allocator), NULL);

  return GST_VVAS_ALLOCATOR_CAST (allocator)->priv->context;
}

/**
 * gst_vvas_allocator_get_mem_bank:
 * @allocator: (type GstVvas.Allocator): a #GstVvasAllocator
 *
 * Reads the memory bank an allocator allocates on.
 *
 * Returns: its memory bank, or -1 for a host-memory allocator
 *
 * Since: 1.0
 */
gint
gst_vvas_allocator_get_mem_bank (GstAllocator * allocator)
{
  GstVvasAllocatorPrivate *priv;

  g_return_val_if_fail (GST_IS_VVAS_ALLOCATOR (allocator), -1);

  priv = GST_VVAS_ALLOCATOR_CAST (allocator)->priv;
  return priv->alloc_type == VVAS_ALLOC_TYPE_CMA ? priv->mem_bank : -1;
}

/**
 * gst_vvas_allocator_get_alloc_type: (skip)
 * @allocator: (type GstVvas.Allocator): a #GstVvasAllocator
 *
 * Not available to language bindings (#VvasAllocationType is a core type):
 * gst_vvas_allocator_get_mem_bank() returns -1 for host memory.
 *
 * Returns: the allocation type of its memories
 *
 * Since: 1.0
 */
VvasAllocationType
gst_vvas_allocator_get_alloc_type (GstAllocator * allocator)
{
  g_return_val_if_fail (GST_IS_VVAS_ALLOCATOR (allocator),
      VVAS_ALLOC_TYPE_UNKNOWN);

  return GST_VVAS_ALLOCATOR_CAST (allocator)->priv->alloc_type;
}

/**
 * gst_vvas_allocator_set_fill_byte:
 * @allocator: (type GstVvas.Allocator): a #GstVvasAllocator
 * @fill_byte: 0 to 255 to fill every new memory with that byte, -1 for no
 *   fill (the default: contents undefined)
 *
 * A filled memory's host copy is the newer one: the fill reaches the device
 * with the memory's first device access.
 *
 * Since: 1.0
 */
void
gst_vvas_allocator_set_fill_byte (GstAllocator * allocator, gint fill_byte)
{
  g_return_if_fail (GST_IS_VVAS_ALLOCATOR (allocator));
  g_return_if_fail (fill_byte >= -1 && fill_byte <= 255);

  g_atomic_int_set (&GST_VVAS_ALLOCATOR_CAST (allocator)->priv->fill_byte,
      fill_byte);
}

/**
 * gst_is_vvas_memory:
 * @mem: (nullable): a #GstMemory
 *
 * Tells whether a memory is a VVAS memory, before its VVAS functions or the
 * %GST_MAP_VVAS flag are used on it.
 *
 * Returns: %TRUE if @mem was allocated by a #GstVvasAllocator
 *
 * Since: 1.0
 */
gboolean
gst_is_vvas_memory (GstMemory * mem)
{
  return mem != NULL && mem->allocator != NULL &&
      GST_IS_VVAS_ALLOCATOR (mem->allocator);
}

/**
 * gst_vvas_memory_get_vvas_memory: (skip)
 * @mem: a VVAS #GstMemory
 *
 * Not available to language bindings: #VvasMemory is a core type.
 *
 * Returns: (transfer none): the #VvasMemory behind @mem (shared with its
 *   parent for a share); valid as long as @mem
 *
 * Since: 1.0
 */
VvasMemory *
gst_vvas_memory_get_vvas_memory (GstMemory * mem)
{
  g_return_val_if_fail (gst_is_vvas_memory (mem), NULL);

  return ((GstVvasMemory *) mem)->vmem;
}

/**
 * gst_vvas_memory_wrap: (skip)
 * @allocator: a #GstVvasAllocator
 * @vvas_mem: (transfer full): a #VvasMemory allocated from the allocator's
 *   device context
 *
 * Wraps a core memory as a #GstMemory of @allocator, which frees it when
 * the #GstMemory is freed. Not available to language bindings: #VvasMemory
 * is a core type.
 *
 * Returns: (transfer full) (nullable): the memory, or %NULL if @vvas_mem
 *   belongs to another context (it is then not taken)
 *
 * Since: 1.0
 */
GstMemory *
gst_vvas_memory_wrap (GstAllocator * allocator, VvasMemory * vvas_mem)
{
  GstVvasContext *context;
  GstVvasMemory *mem;
  gsize size;

  g_return_val_if_fail (GST_IS_VVAS_ALLOCATOR (allocator), NULL);
  g_return_val_if_fail (vvas_mem != NULL, NULL);

  context = GST_VVAS_ALLOCATOR_CAST (allocator)->priv->context;
  if (vvas_memory_get_context (vvas_mem) !=
      gst_vvas_context_get_vvas_context (context)) {
    GST_ERROR_OBJECT (allocator, "VvasMemory %p belongs to another device "
        "context", vvas_mem);
    return NULL;
  }
  size = vvas_memory_get_size (vvas_mem);
  mem = wrap_vvas_memory (allocator, vvas_mem, 0, 0, 0, size);
  return GST_MEMORY_CAST (mem);
}

/**
 * gst_vvas_memory_get_device_index:
 * @mem: a VVAS #GstMemory
 *
 * Reads the device index of a VVAS memory's context.
 *
 * Returns: the device index of its context, -1 for a host-only context
 *
 * Since: 1.0
 */
gint
gst_vvas_memory_get_device_index (GstMemory * mem)
{
  g_return_val_if_fail (gst_is_vvas_memory (mem), -1);

  return vvas_memory_get_device_index (((GstVvasMemory *) mem)->vmem);
}

/**
 * gst_vvas_memory_get_bank_index:
 * @mem: a VVAS #GstMemory
 *
 * Reads the memory bank a VVAS memory lives on.
 *
 * Returns: its memory bank, -1 for host memory
 *
 * Since: 1.0
 */
gint
gst_vvas_memory_get_bank_index (GstMemory * mem)
{
  g_return_val_if_fail (gst_is_vvas_memory (mem), -1);

  return vvas_memory_get_bank_index (((GstVvasMemory *) mem)->vmem);
}

/**
 * gst_vvas_memory_get_paddr:
 * @mem: a VVAS #GstMemory
 *
 * Reads the device address of a VVAS memory's data, for a kernel's
 * arguments.
 *
 * Returns: the device address of the memory's first byte (after its
 *   offset), what a kernel is given; (guint64) -1 for host memory
 *
 * Since: 1.0
 */
guint64
gst_vvas_memory_get_paddr (GstMemory * mem)
{
  GstVvasMemory *vmem = (GstVvasMemory *) mem;

  g_return_val_if_fail (gst_is_vvas_memory (mem), (guint64) - 1);

  if (vmem->paddr == NO_DEVICE_ADDRESS)
    return (guint64) - 1;
  return vmem->paddr + vmem->block_offset + mem->offset;
}

/**
 * gst_vvas_memory_get_bo:
 * @mem: a VVAS #GstMemory
 *
 * Gives the XRT buffer object behind a VVAS memory, for kernel arguments.
 *
 * Returns: (transfer none) (nullable): the `xrtBufferHandle` behind @mem,
 *   %NULL for host memory. The memory's bytes start at
 *   gst_vvas_memory_get_paddr() within it.
 *
 * Since: 1.0
 */
gpointer
gst_vvas_memory_get_bo (GstMemory * mem)
{
  g_return_val_if_fail (gst_is_vvas_memory (mem), NULL);

  return vvas_memory_get_bo (((GstVvasMemory *) mem)->vmem);
}

/**
 * gst_vvas_memory_get_pending_transfers: (skip)
 * @mem: a VVAS #GstMemory
 *
 * The transfer state: which copy is newer. Not available to language
 * bindings: #VvasDataSyncFlags is a core type.
 *
 * Returns: %VVAS_DATA_SYNC_TO_DEVICE when the host copy is newer,
 *   %VVAS_DATA_SYNC_FROM_DEVICE when the device copy is, or
 *   %VVAS_DATA_SYNC_NONE
 *
 * Since: 1.0
 */
VvasDataSyncFlags
gst_vvas_memory_get_pending_transfers (GstMemory * mem)
{
  VvasAllocationInfo info;

  g_return_val_if_fail (gst_is_vvas_memory (mem), VVAS_DATA_SYNC_NONE);

  if (vvas_memory_get_allocation_info (((GstVvasMemory *) mem)->vmem,
          &info) != VVAS_RET_SUCCESS)
    return VVAS_DATA_SYNC_NONE;
  return info.sync_flags;
}

/**
 * gst_vvas_memory_can_avoid_copy:
 * @mem: a #GstMemory
 * @dev_idx: a device index
 * @mem_bank: a memory bank
 *
 * Tells whether a memory can be handed to a kernel of a given device and
 * memory bank as it is.
 *
 * Returns: %TRUE if @mem is device memory on device @dev_idx and bank
 *   @mem_bank, so a kernel there can use it without a copy
 *
 * Since: 1.0
 */
gboolean
gst_vvas_memory_can_avoid_copy (GstMemory * mem, gint dev_idx, gint mem_bank)
{
  VvasMemory *vmem;

  g_return_val_if_fail (mem != NULL, FALSE);

  if (!gst_is_vvas_memory (mem))
    return FALSE;
  vmem = ((GstVvasMemory *) mem)->vmem;
  return vvas_memory_get_bo (vmem) != NULL &&
      vvas_memory_get_device_index (vmem) == dev_idx &&
      vvas_memory_get_bank_index (vmem) == mem_bank;
}

/**
 * gst_vvas_memory_sync: (skip)
 * @mem: a VVAS #GstMemory
 * @direction: %VVAS_DATA_SYNC_TO_DEVICE or %VVAS_DATA_SYNC_FROM_DEVICE
 *
 * Transfers the memory in @direction now, pending or not, for
 * applications that change one side behind GStreamer's back (a kernel run
 * outside any element, say). Elements use %GST_MAP_VVAS instead, and so do
 * language bindings, which cannot pass a #VvasDataSyncFlags.
 *
 * Returns: %TRUE if the transfer was done (or @mem is host memory)
 *
 * Since: 1.0
 */
gboolean
gst_vvas_memory_sync (GstMemory * mem, VvasDataSyncFlags direction)
{
  VvasMemory *vmem;

  g_return_val_if_fail (gst_is_vvas_memory (mem), FALSE);
  g_return_val_if_fail (direction == VVAS_DATA_SYNC_TO_DEVICE
      || direction == VVAS_DATA_SYNC_FROM_DEVICE, FALSE);

  vmem = ((GstVvasMemory *) mem)->vmem;
  if (!vvas_memory_get_bo (vmem))
    return TRUE;
  vvas_memory_set_sync_flag (vmem, direction);
  vvas_memory_sync_data (vmem, direction);
  return !(gst_vvas_memory_get_pending_transfers (mem) & direction);
}

/**
 * gst_vvas_memory_export_dmabuf:
 * @mem: a VVAS device #GstMemory
 * @error: return location for a #GError describing a failure, or %NULL
 *
 * Exports the buffer object as a DMA-buf, as vvas_memory_export_dmabuf()
 * does: bytes the host wrote are transferred to the device first, since an
 * importer reads the device copy. XRT's no-op device cannot export.
 *
 * Returns: a new file descriptor of the caller's own, which it closes (the
 *   buffer object keeps its own), or -1 with @error set
 *
 * Since: 1.0
 */
gint
gst_vvas_memory_export_dmabuf (GstMemory * mem, GError ** error)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  gint fd;

  g_return_val_if_fail (gst_is_vvas_memory (mem), -1);

  gst_vvas_log_clear_last_error ();
  fd = vvas_memory_export_dmabuf (((GstVvasMemory *) mem)->vmem, &ret);
  if (fd < 0) {
    const gchar *why = gst_vvas_log_get_last_error ();

    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "Could not export memory as DMA-buf: %s", why ? why : "unknown error");
  }
  gst_vvas_log_clear_last_error ();
  return fd;
}
