/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION: gstvvasdmabuf
 * @title: DMA-buf
 * @short_description: VVAS memory to and from #GstDmaBufMemory
 *
 * gst_vvas_memory_export_dmabuf_memory() gives a #GstDmaBufMemory onto the
 * device copy of a VVAS memory, for a display, a decoder or another
 * accelerator; gst_vvas_allocator_import_dmabuf() gives a VVAS memory onto
 * a #GstDmaBufMemory that another driver filled, without copying.
 *
 * Since: 1.0
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <unistd.h>

#include <gst/allocators/allocators.h>
#include <vvas_core/vvas_memory_priv.h>

#include "gstvvasdmabuf.h"
#include "gstvvasmemory.h"
#include "gstvvaslog-private.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_dmabuf_debug);
#define GST_CAT_DEFAULT gst_vvas_dmabuf_debug

/* On an exported DMA-buf memory: the VVAS memory it shows. On an imported
 * one: the VVAS memory that imports it. */
static GQuark exported_quark;
static GQuark imported_quark;
static GstAllocator *dmabuf_allocator;
/* Makes the look-up and the insertion of a cached import one step, so that
 * two threads importing the same DMA-buf at once import it once. */
static GMutex import_lock;

static void
dmabuf_init_once (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (gst_vvas_dmabuf_debug, "vvasdmabuf", 0,
        "VVAS DMA-buf export and import");
    exported_quark = g_quark_from_static_string ("GstVvasDmabufExported");
    imported_quark = g_quark_from_static_string ("GstVvasDmabufImported");
    /* One for the process, as GStreamer's own DMA-buf users keep theirs. */
    dmabuf_allocator = gst_dmabuf_allocator_new ();
    GST_OBJECT_FLAG_SET (dmabuf_allocator, GST_OBJECT_FLAG_MAY_BE_LEAKED);
    g_once_init_leave (&done, 1);
  }
}

/**
 * gst_vvas_memory_export_dmabuf_memory:
 * @mem: a VVAS device #GstMemory
 * @error: return location for a #GError describing a failure, or %NULL
 *
 * Exports the memory as a #GstDmaBufMemory (from a #GstDmaBufAllocator)
 * with the same bytes: no copy, the same offset and size in the buffer
 * object, and a duplicate file descriptor of its own. Bytes the host wrote
 * are transferred to the device first, since an importer reads the device
 * copy. The DMA-buf memory keeps @mem alive as long as it lives, so the
 * buffer object is neither freed nor recycled by the core under it. It
 * does not keep @mem's buffer out of its pool: an element that exports the
 * memory of a pooled buffer holds that buffer as long as the DMA-buf
 * memory lives (vvasdownload keeps it as qdata on the DMA-buf memory), or
 * the pool hands it out to be written while the DMA-buf is still read.
 * XRT's no-op device cannot export.
 *
 * Writes made through the DMA-buf (its mapping, or another driver) reach
 * the device copy only: the writer's side tells the VVAS memory's users, as
 * after a kernel run (%GST_MAP_VVAS with %GST_MAP_WRITE).
 *
 * Returns: (transfer full) (nullable): the DMA-buf memory, or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
GstMemory *
gst_vvas_memory_export_dmabuf_memory (GstMemory * mem, GError ** error)
{
  VvasMemory *vmem;
  GstMemory *dmamem;
  gsize bo_size, bo_offset;
  gint fd;

  g_return_val_if_fail (gst_is_vvas_memory (mem), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dmabuf_init_once ();
  fd = gst_vvas_memory_export_dmabuf (mem, error);
  if (fd < 0)
    return NULL;

  /* The memory's block ends where the buffer object ends (its start may be
   * moved for alignment), so its offset in the BO follows from maxsize. */
  vmem = gst_vvas_memory_get_vvas_memory (mem);
  bo_size = vvas_memory_get_size (vmem);
  bo_offset = bo_size - mem->maxsize + mem->offset;
  dmamem = gst_dmabuf_allocator_alloc (dmabuf_allocator, fd, bo_size);
  if (!dmamem) {
    close (fd);
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "Could not wrap DMA-buf fd of %" G_GSIZE_FORMAT " bytes", bo_size);
    return NULL;
  }
  gst_memory_resize (dmamem, bo_offset, mem->size);
  gst_mini_object_set_qdata (GST_MINI_OBJECT_CAST (dmamem), exported_quark,
      gst_memory_ref (mem), (GDestroyNotify) gst_memory_unref);
  GST_LOG ("exported %p as DMA-buf memory %p (fd %d, offset %" G_GSIZE_FORMAT
      ", size %" G_GSIZE_FORMAT ")", mem, dmamem, fd, bo_offset, mem->size);
  return dmamem;
}

/* Imports the whole DMA-buf behind @dmabuf_memory as a memory of
 * @allocator, sized and placed as @dmabuf_memory. */
static GstMemory *
import_dmabuf (GstAllocator * allocator, GstMemory * dmabuf_memory,
    GError ** error)
{
  GstVvasContext *context = gst_vvas_allocator_get_context (allocator);
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasMemory *vmem;
  GstMemory *mem;
  gsize size;
  gint fd = gst_dmabuf_memory_get_fd (dmabuf_memory);

  gst_vvas_log_clear_last_error ();
  vmem = vvas_memory_alloc_from_dmabuf (gst_vvas_context_get_vvas_context
      (context), fd, (guint8) gst_vvas_allocator_get_mem_bank (allocator),
      &ret);
  if (!vmem) {
    const gchar *why = gst_vvas_log_get_last_error ();

    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "Could not import DMA-buf fd %d: %s", fd, why ? why : "unknown error");
    gst_vvas_log_clear_last_error ();
    return NULL;
  }
  gst_vvas_log_clear_last_error ();

  size = vvas_memory_get_size (vmem);
  if (dmabuf_memory->offset + dmabuf_memory->size > size) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "DMA-buf fd %d holds %" G_GSIZE_FORMAT " bytes, the memory shows %"
        G_GSIZE_FORMAT " at offset %" G_GSIZE_FORMAT, fd, size,
        dmabuf_memory->size, dmabuf_memory->offset);
    vvas_memory_free (vmem);
    return NULL;
  }
  mem = gst_vvas_memory_wrap (allocator, vmem);
  if (!mem) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "DMA-buf import landed on another device context");
    vvas_memory_free (vmem);
    return NULL;
  }
  gst_memory_resize (mem, dmabuf_memory->offset, dmabuf_memory->size);
  return mem;
}

/**
 * gst_vvas_allocator_import_dmabuf:
 * @vvas_allocator: a #GstVvasAllocator of a device context
 * @dmabuf_memory: a DMA-buf backed #GstMemory (gst_is_dmabuf_memory())
 * @error: return location for a #GError describing a failure, or %NULL
 *
 * Gives a VVAS memory of @vvas_allocator's device onto the bytes of
 * @dmabuf_memory (the same offset and size), without copying. The import
 * is made once per DMA-buf memory and cached on it until it is freed, so
 * that an upstream pool recycling its buffers costs one import per buffer
 * of the pool. The producer wrote the buffer, so every call marks the
 * device copy newer: the first host map transfers it.
 *
 * The memory is shared by every caller for the same @dmabuf_memory: map it
 * for reading, or for writing only when the caller holds the DMA-buf's
 * buffer alone.
 *
 * Returns: (transfer full) (nullable): the VVAS memory, or %NULL with
 *   @error set (XRT's no-op device cannot import)
 *
 * Since: 1.0
 */
GstMemory *
gst_vvas_allocator_import_dmabuf (GstAllocator * vvas_allocator,
    GstMemory * dmabuf_memory, GError ** error)
{
  GstMemory *mem;

  g_return_val_if_fail (GST_IS_VVAS_ALLOCATOR (vvas_allocator), NULL);
  g_return_val_if_fail (dmabuf_memory != NULL
      && gst_is_dmabuf_memory (dmabuf_memory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dmabuf_init_once ();
  g_mutex_lock (&import_lock);
  mem = gst_mini_object_get_qdata (GST_MINI_OBJECT_CAST (dmabuf_memory),
      imported_quark);
  /* An import made for another device or bank does not serve this one. */
  if (mem && mem->allocator != vvas_allocator &&
      (gst_vvas_allocator_get_context (mem->allocator) !=
          gst_vvas_allocator_get_context (vvas_allocator) ||
          gst_vvas_allocator_get_mem_bank (mem->allocator) !=
          gst_vvas_allocator_get_mem_bank (vvas_allocator)))
    mem = NULL;
  /* The DMA-buf memory may have been resized since it was imported. */
  if (mem && (mem->offset != dmabuf_memory->offset
          || mem->size != dmabuf_memory->size))
    mem = NULL;
  if (mem) {
    gst_memory_ref (mem);
  } else {
    mem = import_dmabuf (vvas_allocator, dmabuf_memory, error);
    if (mem) {
      GST_DEBUG_OBJECT (vvas_allocator, "imported DMA-buf memory %p (fd %d) "
          "as %p", dmabuf_memory, gst_dmabuf_memory_get_fd (dmabuf_memory),
          mem);
      gst_mini_object_set_qdata (GST_MINI_OBJECT_CAST (dmabuf_memory),
          imported_quark, gst_memory_ref (mem),
          (GDestroyNotify) gst_memory_unref);
    }
  }
  g_mutex_unlock (&import_lock);

  if (mem)
    vvas_memory_set_sync_flag (gst_vvas_memory_get_vvas_memory (mem),
        VVAS_DATA_SYNC_FROM_DEVICE);
  return mem;
}
