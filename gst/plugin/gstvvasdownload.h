/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifndef __GST_VVAS_DOWNLOAD_H__
#define __GST_VVAS_DOWNLOAD_H__

#include <gst/base/gstbasetransform.h>

#include "gstvvaselement.h"

G_BEGIN_DECLS

/**
 * GstVvasDownloadDmabufExport:
 * @GST_VVAS_DOWNLOAD_DMABUF_EXPORT_CAPS: export VVAS device frames as
 *   DMA-buf memory only when downstream's caps name `memory:DMABuf`
 * @GST_VVAS_DOWNLOAD_DMABUF_EXPORT_ALWAYS: also export them under
 *   system-memory caps, for sinks that import a DMA-buf memory they are
 *   handed without saying so in their caps (`kmssink` of GStreamer 1.22,
 *   V4L2 elements with `io-mode=dmabuf-import`)
 * @GST_VVAS_DOWNLOAD_DMABUF_EXPORT_NEVER: never export; negotiate system
 *   memory even with a downstream whose caps name `memory:DMABuf`
 *
 * When #GstVvasDownload hands frames on as #GstDmaBufMemory
 * (#GstVvasDownload:dmabuf-export).
 *
 * Since: 1.0
 */
typedef enum
{
  GST_VVAS_DOWNLOAD_DMABUF_EXPORT_CAPS,
  GST_VVAS_DOWNLOAD_DMABUF_EXPORT_ALWAYS,
  GST_VVAS_DOWNLOAD_DMABUF_EXPORT_NEVER,
} GstVvasDownloadDmabufExport;

#define GST_TYPE_VVAS_DOWNLOAD_DMABUF_EXPORT \
  (gst_vvas_download_dmabuf_export_get_type ())
GType gst_vvas_download_dmabuf_export_get_type (void);

#define GST_TYPE_VVAS_DOWNLOAD (gst_vvas_download_get_type ())
G_DECLARE_FINAL_TYPE (GstVvasDownload, gst_vvas_download, GST, VVAS_DOWNLOAD,
    GstBaseTransform);

struct _GstVvasDownload
{
  GstBaseTransform parent;

  /* properties, under the object lock */
  gboolean force_copy;
  GstVvasDownloadDmabufExport dmabuf_export;
  GstVvasCounters counters;
  guint64 buffers_exported;     /* frames passed on as DMA-buf memory */

  /* streaming state */
  GstVideoInfo in_info;
  GstVideoInfo out_info;
  gboolean downstream_has_video_meta;
  /* set_caps negotiated memory:DMABuf on the source pad. */
  gboolean output_dmabuf;
  /* This run found the device cannot export (or the frames are not device
   * memory): no DMA-buf caps offered, no export under system-memory caps;
   * atomic (transform_caps runs in any thread). */
  gint export_failed;
  /* prepare_output_buffer exported the buffer that transform() gets. */
  gboolean output_exported;
};

GST_ELEMENT_REGISTER_DECLARE (vvasdownload);

G_END_DECLS

#endif /* __GST_VVAS_DOWNLOAD_H__ */
