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

  /* streaming state */
  GstVideoInfo in_info;
  GstVideoInfo out_info;
  gboolean downstream_has_video_meta;
};

GST_ELEMENT_REGISTER_DECLARE (vvasdownload);

G_END_DECLS

#endif /* __GST_VVAS_DOWNLOAD_H__ */
