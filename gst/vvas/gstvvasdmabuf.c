/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION: gstvvasdmabuf
 * @title: DMA-buf
 * @short_description: VVAS memory to and from #GstDmaBufMemory
 *
 * gst_vvas_memory_get_dmabuf_memory() gives the #GstDmaBufMemory of a VVAS
 * memory, onto its device copy: the same memory object every time, for
 * a display, an encoder or another accelerator that caches its import per
 * memory. gst_vvas_memory_export_dmabuf_memory() gives a new one of the
 * caller's own at each call. gst_vvas_allocator_import_dmabuf() gives a
 * VVAS memory onto a #GstDmaBufMemory that another driver filled, without
 * copying.
 *
 * Since: 1.0
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <pthread.h>
#include <unistd.h>

#include <gst/allocators/allocators.h>
#include <vvas_core/vvas_memory_priv.h>

#include "gstvvasdmabuf.h"
#include "gstvvasmemory.h"
#include "gstvvaslog-private.h"

GST_DEBUG_CATEGORY_STATIC (gst_vvas_dmabuf_debug);
#define GST_CAT_DEFAULT gst_vvas_dmabuf_debug

/* On a DMA-buf memory of gst_vvas_memory_export_dmabuf_memory(): the VVAS
 * memory it shows. On an imported one: the VVAS memory that imports it. On
 * a VVAS memory: its own DMA-buf memory, which holds nothing of it. */
static GQuark exported_quark;
static GQuark imported_quark;
static GQuark own_dmabuf_quark;
static GstAllocator *dmabuf_allocator;
/* Makes the look-up and the insertion of a cached import one step, so that
 * two threads importing the same DMA-buf at once import it once. POSIX
 * locks and once rather than GLib's: GLib's futex-based ones are invisible
 * to ThreadSanitizer (GLib is not instrumented), which the tests run this
 * file under, as gstvvasbufferpool.c does. */
static pthread_mutex_t import_lock = PTHREAD_MUTEX_INITIALIZER;
/* The same for a VVAS memory's own DMA-buf memory: two elements exporting
 * the same memory at once (two vvasdownload behind a tee) get one. */
static pthread_mutex_t own_dmabuf_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t dmabuf_once = PTHREAD_ONCE_INIT;

static void
dmabuf_init (void)
{
  GST_DEBUG_CATEGORY_INIT (gst_vvas_dmabuf_debug, "vvasdmabuf", 0,
      "VVAS DMA-buf export and import");
  exported_quark = g_quark_from_static_string ("GstVvasDmabufExported");
  imported_quark = g_quark_from_static_string ("GstVvasDmabufImported");
  own_dmabuf_quark = g_quark_from_static_string ("GstVvasDmabufOwn");
  /* One for the process, as GStreamer's own DMA-buf users keep theirs. */
  dmabuf_allocator = gst_dmabuf_allocator_new ();
  GST_OBJECT_FLAG_SET (dmabuf_allocator, GST_OBJECT_FLAG_MAY_BE_LEAKED);
}

static void
dmabuf_init_once (void)
{
  pthread_once (&dmabuf_once, dmabuf_init);
}

/* Where @mem's bytes are in its buffer object: its block ends where the
 * buffer object ends (the start may be moved for alignment), so its offset
 * in the BO follows from maxsize. */
static gsize
offset_in_bo (GstMemory * mem, gsize bo_size)
{
  return bo_size - mem->maxsize + mem->offset;
}

/* A new DMA-buf memory onto @mem's bytes, owning a new duplicate fd of the
 * buffer object's DMA-buf (xrtBOExport; pending host bytes transferred to
 * the device first). Holds nothing of @mem. */
static GstMemory *
new_dmabuf_memory (GstMemory * mem, GError ** error)
{
  GstMemory *dmamem;
  gsize bo_size, bo_offset;
  gint fd;

  fd = gst_vvas_memory_export_dmabuf (mem, error);
  if (fd < 0)
    return NULL;

  bo_size = vvas_memory_get_size (gst_vvas_memory_get_vvas_memory (mem));
  bo_offset = offset_in_bo (mem, bo_size);
  dmamem = gst_dmabuf_allocator_alloc (dmabuf_allocator, fd, bo_size);
  if (!dmamem) {
    close (fd);
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "Could not wrap DMA-buf fd of %" G_GSIZE_FORMAT " bytes", bo_size);
    return NULL;
  }
  gst_memory_resize (dmamem, bo_offset, mem->size);
  GST_LOG ("exported %p as DMA-buf memory %p (fd %d, offset %" G_GSIZE_FORMAT
      ", size %" G_GSIZE_FORMAT ")", mem, dmamem, fd, bo_offset, mem->size);
  return dmamem;
}

/**
 * gst_vvas_memory_export_dmabuf_memory:
 * @mem: a VVAS device #GstMemory
 * @error: return location for a #GError describing a failure, or %NULL
 *
 * Exports the memory as a new #GstDmaBufMemory (from a #GstDmaBufAllocator)
 * with the same bytes: no copy, the same offset and size in the buffer
 * object, and a duplicate file descriptor of its own. Each call makes a new
 * memory with a new descriptor; gst_vvas_memory_get_dmabuf_memory() gives
 * the same one every time, which is what elements handing frames on want.
 * Bytes the host wrote are transferred to the device first, since an
 * importer reads the device copy. The DMA-buf memory keeps @mem alive as
 * long as it lives, so the buffer object is neither freed nor recycled by
 * the core under it. It does not keep @mem's buffer out of its pool: the
 * caller holds that buffer as long as the DMA-buf is read, or the pool
 * hands it out to be written while the DMA-buf is still read.
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
  GstMemory *dmamem;

  g_return_val_if_fail (gst_is_vvas_memory (mem), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dmabuf_init_once ();
  dmamem = new_dmabuf_memory (mem, error);
  if (dmamem)
    gst_mini_object_set_qdata (GST_MINI_OBJECT_CAST (dmamem), exported_quark,
        gst_memory_ref (mem), (GDestroyNotify) gst_memory_unref);
  return dmamem;
}

/*
 * Why a VVAS memory has one DMA-buf memory, the same object at every
 * export (facts from the GStreamer 1.22 sources):
 *
 * - kmssink (gst-plugins-bad sys/kms) keeps what it imported on the
 *   buffer's first memory: gst_kms_sink_import_dmabuf() asks
 *   gst_kms_allocator_get_cached(), which is qdata "kmsmem" on that
 *   DMA-buf memory (set by gst_kms_allocator_cache(), with a weak ref so
 *   the entry goes with the memory, or at kmssink's stop). On a miss it
 *   turns every plane's fd into a GEM handle (drmPrimeFDToHandle) and
 *   makes a framebuffer (drmModeAddFB2, in gst_kms_allocator_add_fb());
 *   the framebuffer is removed (drmModeRmFB) when that KMS memory is freed.
 * - waylandsink (ext/wayland, gst-libs/gst/wayland) looks the wl_buffer up
 *   in its display's table keyed by the buffer's first GstMemory
 *   (gst_buffer_get_wl_buffer(), gst_wl_display_lookup_buffer()), an entry
 *   that a weak ref on the memory removes; on a miss it asks the
 *   compositor for a new wl_buffer (zwp_linux_buffer_params).
 * - v4l2src io-mode=dmabuf (gst-plugins-good sys/v4l2) makes the
 *   GstDmaBufMemory of each pool buffer once, when the buffer is allocated
 *   (gst_v4l2_allocator_alloc_dmabuf(), over the VIDIOC_EXPBUF fd), and
 *   hands that buffer out with the same memories every time. That memory
 *   does not keep the buffer out of the pool: a consumer that keeps the
 *   memory without its buffer sees it refilled.
 *
 * So a new DMA-buf memory per frame costs a display one import and one
 * framebuffer (or wl_buffer) per frame, plus a dup() and a close(); the
 * same memory per VVAS memory costs them once per buffer of the pool.
 *
 * Lifetimes, with no reference cycle: the VVAS memory holds its DMA-buf
 * memory (qdata, unreffed when the VVAS memory is freed); the DMA-buf
 * memory holds nothing of the VVAS memory, only its own duplicate fd, which
 * keeps the dma-buf (the kernel's pages; the emulated device's memfd)
 * alive on its own. So:
 * - the VVAS memory freed (its pool stopped or destroyed, the pipeline torn
 *   down) while a consumer still holds the DMA-buf memory: the buffer
 *   object is freed (never recycled: an exported BO is not), the DMA-buf
 *   memory and its fd stay valid and show the bytes the BO had, until the
 *   consumer drops it;
 * - the DMA-buf memory dropped by every consumer: the VVAS memory's
 *   reference keeps it, with its fd and any import a consumer cached on it,
 *   until the VVAS memory is freed;
 * - a consumer's cache on the DMA-buf memory (kmssink's framebuffer) goes
 *   with it, at the latest when the VVAS memory is freed.
 * Keeping the frame itself out of its pool is the job of whoever hands the
 * memory on with a buffer (vvasdownload: the output buffer holds the input
 * buffer), as the DMA-buf memory is shared by every frame of that buffer.
 */

/* The cached DMA-buf memory still shows @mem's bytes: neither was resized
 * since (a downstream may resize a memory it holds alone). */
static gboolean
own_dmabuf_matches (GstMemory * mem, GstMemory * dmamem)
{
  return dmamem->maxsize == vvas_memory_get_size
      (gst_vvas_memory_get_vvas_memory (mem)) &&
      dmamem->offset == offset_in_bo (mem, dmamem->maxsize) &&
      dmamem->size == mem->size;
}

/**
 * gst_vvas_memory_get_dmabuf_memory:
 * @mem: a VVAS device #GstMemory
 * @error: return location for a #GError describing a failure, or %NULL
 *
 * Gives @mem's own #GstDmaBufMemory (from a #GstDmaBufAllocator) onto its
 * bytes: no copy, the same offset and size in the buffer object. The first
 * call exports the buffer object and makes the DMA-buf memory, with a
 * duplicate file descriptor of its own; every later call returns the same
 * memory object, with the same descriptor, for as long as @mem lives. A
 * consumer that caches its import on the memory (a display's framebuffer)
 * then imports once per VVAS memory, not once per frame. Thread-safe: two
 * callers at once get the same memory. If @mem or the DMA-buf memory was
 * resized since, a new DMA-buf memory replaces the old one.
 *
 * Every call, not only the first, transfers the bytes the host wrote since
 * to the device, since an importer reads the device copy.
 *
 * @mem holds its DMA-buf memory until it is freed; the DMA-buf memory holds
 * nothing of @mem, only its descriptor, which keeps the bytes valid and
 * readable after @mem and its buffer object are freed. Nor does it keep
 * @mem's buffer out of its pool: the DMA-buf memory is shared by every
 * frame that buffer carries, so whoever hands it on holds the buffer for
 * the frame (vvasdownload's output buffer holds its input buffer); a
 * consumer that keeps the DMA-buf memory without that buffer may see the
 * next frame written into it, as with GStreamer's own DMA-buf pools (V4L2).
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
gst_vvas_memory_get_dmabuf_memory (GstMemory * mem, GError ** error)
{
  GstMemory *dmamem, *stale = NULL;
  gboolean made = FALSE;
  VvasMemory *vmem;

  g_return_val_if_fail (mem != NULL && gst_is_vvas_memory (mem), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dmabuf_init_once ();
  pthread_mutex_lock (&own_dmabuf_lock);
  dmamem = gst_mini_object_get_qdata (GST_MINI_OBJECT_CAST (mem),
      own_dmabuf_quark);
  if (dmamem && own_dmabuf_matches (mem, dmamem)) {
    gst_memory_ref (dmamem);
  } else {
    /* Freed below, out of the lock: its own qdata (a consumer's cached
     * import) may run code of any kind. */
    stale = gst_mini_object_steal_qdata (GST_MINI_OBJECT_CAST (mem),
        own_dmabuf_quark);
    dmamem = new_dmabuf_memory (mem, error);
    if (dmamem) {
      gst_mini_object_set_qdata (GST_MINI_OBJECT_CAST (mem), own_dmabuf_quark,
          gst_memory_ref (dmamem), (GDestroyNotify) gst_memory_unref);
      made = TRUE;
    }
  }
  pthread_mutex_unlock (&own_dmabuf_lock);
  if (stale) {
    GST_DEBUG ("DMA-buf memory %p of %p no longer matches it: replaced by %p",
        stale, mem, dmamem);
    gst_memory_unref (stale);
  }
  if (!dmamem || made)
    return dmamem;

  /* The export transferred what was pending then; this is a later frame:
   * what the host wrote since goes to the device (no lock, no transfer when
   * nothing is pending). A failed transfer stays pending. */
  vmem = gst_vvas_memory_get_vvas_memory (mem);
  gst_vvas_log_clear_last_error ();
  if (vvas_memory_begin_device_access (vmem, VVAS_DATA_MAP_READ) !=
      VVAS_RET_SUCCESS) {
    const gchar *why = gst_vvas_log_get_last_error ();

    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "Could not transfer the host's bytes to the device before handing "
        "on the DMA-buf: %s", why ? why : "unknown error");
    gst_vvas_log_clear_last_error ();
    gst_memory_unref (dmamem);
    return NULL;
  }
  gst_vvas_log_clear_last_error ();
  vvas_memory_end_device_access (vmem, VVAS_DATA_MAP_READ);
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
  pthread_mutex_lock (&import_lock);
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
  pthread_mutex_unlock (&import_lock);

  if (mem)
    vvas_memory_set_sync_flag (gst_vvas_memory_get_vvas_memory (mem),
        VVAS_DATA_SYNC_FROM_DEVICE);
  return mem;
}
