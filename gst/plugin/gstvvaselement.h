/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/* Element glue shared by vvasupload and vvasdownload; not installed. */

#ifndef __GST_VVAS_ELEMENT_H__
#define __GST_VVAS_ELEMENT_H__

#include <gst/gst.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>
#include <gst/allocators/allocators.h>
#include <gst/vvas/gstvvas.h>

G_BEGIN_DECLS

/* What an element did with its buffers; under the element's object lock. */
typedef struct
{
  guint64 buffers_passed;
  guint64 buffers_copied;
  guint64 bytes_copied;
} GstVvasCounters;

/* The helpers' debug category; each element's class_init calls it. */
void gst_vvas_element_init_debug (void);

/* dev-idx, mem-bank and xclbin-location, as property ids first to first+2. */
void gst_vvas_element_install_device_properties (GObjectClass * klass,
    guint first_prop_id);

/* The read-only buffers-passed, buffers-copied and bytes-copied, as
 * property ids first to first+2. */
void gst_vvas_counters_install_properties (GObjectClass * klass,
    guint first_prop_id);

/* Reads counter @prop_id into @value; FALSE if it is not a counter. */
gboolean gst_vvas_counters_get_property (const GstVvasCounters * counters,
    guint first_prop_id, guint prop_id, GValue * value);

/* Counts one buffer passed on (@bytes_copied 0) or copied. */
void gst_vvas_counters_add (GstElement * element, GstVvasCounters * counters,
    gboolean copied, gsize bytes_copied);

void gst_vvas_counters_reset (GstElement * element,
    GstVvasCounters * counters);

/* Logs the counters at INFO in the element's category, at EOS. */
#define GST_VVAS_COUNTERS_LOG_EOS(element, counters) \
  G_STMT_START { \
    GST_OBJECT_LOCK (element); \
    GST_INFO_OBJECT (element, "EOS: %" G_GUINT64_FORMAT " buffers passed " \
        "through, %" G_GUINT64_FORMAT " copied (%" G_GUINT64_FORMAT \
        " bytes)", (counters)->buffers_passed, (counters)->buffers_copied, \
        (counters)->bytes_copied); \
    GST_OBJECT_UNLOCK (element); \
  } G_STMT_END

/*
 * Finds or opens the element's device context and makes an allocator on
 * @mem_bank; on failure posts an element error that names the problem.
 */
gboolean gst_vvas_element_open_device (GstElement * element, gint dev_idx,
    const gchar * xclbin_location, guint mem_bank,
    GstVvasContext ** context, GstAllocator ** allocator);

/*
 * Checks that @allocator's bank is usable on its device now (an xclbin may
 * have been loaded since it was made); on failure posts an element error
 * naming the usable banks. TRUE without an allocator.
 */
gboolean gst_vvas_element_check_bank (GstElement * element,
    GstAllocator * allocator);

/*
 * An unconfigured GstVideoBufferPool whose buffers carry a pooled
 * GstVvasMeta, for copies into system memory: copying a frame's metadata
 * updates it, so no meta is allocated per frame.
 */
GstBufferPool *gst_vvas_element_new_system_pool (void);

/*
 * A configured VVAS pool for @caps on @allocator, or NULL. When it cannot
 * allocate a buffer (for whoever uses it: upstream, for the pool an element
 * proposes) it posts a RESOURCE NO_SPACE_LEFT error on @element naming the
 * frame size, bank, device, xclbin and how many of its buffers the bank
 * holds already.
 */
GstBufferPool *gst_vvas_element_new_pool (GstElement * element,
    GstAllocator * allocator, GstCaps * caps, guint min_buffers);

/*
 * decide_allocation for an element whose output is VVAS memory: keeps the
 * downstream pool only if it is a VVAS pool on @dev_idx and @mem_bank.
 */
gboolean gst_vvas_element_decide_vvas_pool (GstElement * element,
    GstQuery * query, GstAllocator * allocator, gint dev_idx,
    guint mem_bank);

/*
 * A buffer of the element's decided pool (activated on first use, as the
 * base class does for its own path) with @inbuf's metadata, for a copy.
 */
GstFlowReturn gst_vvas_element_acquire_output (GstBaseTransform * trans,
    GstBuffer * inbuf, GstBuffer ** outbuf);

/*
 * propose_allocation for an element that passes or copies frames: adds to
 * @query the metas downstream supports, with their params, as
 * GstBaseTransform's default does (from @decide_query, the query the
 * element asked downstream, or a new one when another query holds it).
 * Metas tied to the memory are left out, as GstBaseTransform's default
 * decide_allocation leaves them out: a copy into other memory drops them.
 */
void gst_vvas_element_propose_downstream_metas (GstBaseTransform * trans,
    GstQuery * decide_query, GstQuery * query);

/*
 * transform_meta for a copy of a frame, byte for byte the same: every meta
 * of the frame holds for the copy, those tied to the memory do not (the
 * output's own GstVideoMeta describes its layout).
 */
gboolean gst_vvas_element_transform_meta (GstBaseTransform * trans,
    GstBuffer * outbuf, GstMeta * meta, GstBuffer * inbuf);

/*
 * A buffer that holds no frame (no memory, or no bytes): TRUE if it is to go
 * on as it is, for a GAP (timing only, as GstAggregator makes of a GAP
 * event); otherwise posts a warning and it is to be dropped, as
 * GstVideoFilter does with an invalid video buffer.
 */
gboolean gst_vvas_element_pass_empty (GstElement * element, GstBuffer * buf);

static inline gboolean
gst_vvas_buffer_is_empty (GstBuffer * buf)
{
  return gst_buffer_n_memory (buf) == 0 || gst_buffer_get_size (buf) == 0;
}

/*
 * Copies a frame plane by plane, honouring both layouts' strides; on
 * failure posts an element error (a failed transfer from the device is a
 * RESOURCE error naming device, bank and size).
 */
gboolean gst_vvas_element_copy_frame (GstElement * element,
    GstVideoInfo * in_info, GstBuffer * inbuf, GstVideoInfo * out_info,
    GstBuffer * outbuf, gsize * bytes_copied);

/*
 * True when @buf's GstVvasMeta and the metadata of each of its VVAS
 * memories hold its timestamps: gst_vvas_buffer_write_metadata() would
 * change nothing.
 */
gboolean gst_vvas_element_metadata_is_current (GstBuffer * buf);

/* True when @buf's planes sit where @info (from the caps) says. */
gboolean gst_vvas_element_has_default_layout (GstBuffer * buf,
    const GstVideoInfo * info);

/* @caps in VVAS memory and in system memory, VVAS first if @vvas_first;
 * only in system memory if @with_vvas is FALSE. */
GstCaps *gst_vvas_caps_with_features (GstCaps * caps, gboolean with_vvas,
    gboolean vvas_first);

/* @caps (transfer full) followed by the same video in DMA-buf memory
 * (memory:DMABuf); structures with ANY features are not repeated. */
GstCaps *gst_vvas_caps_add_dmabuf (GstCaps * caps);

/* True when @buf has memory and all of it is DMA-buf backed. */
gboolean gst_vvas_buffer_is_dmabuf (GstBuffer * buf);

G_END_DECLS

#endif /* __GST_VVAS_ELEMENT_H__ */
