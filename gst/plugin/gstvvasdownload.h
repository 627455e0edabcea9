/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifndef __GST_VVAS_DOWNLOAD_H__
#define __GST_VVAS_DOWNLOAD_H__

#include <gst/base/gstbasetransform.h>

#include "gstvvaselement.h"

G_BEGIN_DECLS

#define GST_TYPE_VVAS_DOWNLOAD (gst_vvas_download_get_type ())
G_DECLARE_FINAL_TYPE (GstVvasDownload, gst_vvas_download, GST, VVAS_DOWNLOAD,
    GstBaseTransform);

struct _GstVvasDownload
{
  GstBaseTransform parent;

  /* properties, under the object lock */
  gboolean force_copy;
  GstVvasCounters counters;
  guint64 buffers_exported;     /* frames passed on as DMA-buf memory */

  /* streaming state */
  GstVideoInfo in_info;
  GstVideoInfo out_info;
  gboolean downstream_has_video_meta;
  /* set_caps negotiated memory:DMABuf on the source pad. */
  gboolean output_dmabuf;
  /* This run found the device cannot export: no DMA-buf caps offered;
   * atomic (transform_caps runs in any thread). */
  gint export_failed;
  /* prepare_output_buffer exported the buffer that transform() gets. */
  gboolean output_exported;
};

GST_ELEMENT_REGISTER_DECLARE (vvasdownload);

G_END_DECLS

#endif /* __GST_VVAS_DOWNLOAD_H__ */
