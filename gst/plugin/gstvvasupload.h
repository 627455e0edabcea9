/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifndef __GST_VVAS_UPLOAD_H__
#define __GST_VVAS_UPLOAD_H__

#include <gst/base/gstbasetransform.h>

#include "gstvvaselement.h"

G_BEGIN_DECLS

#define GST_TYPE_VVAS_UPLOAD (gst_vvas_upload_get_type ())
G_DECLARE_FINAL_TYPE (GstVvasUpload, gst_vvas_upload, GST, VVAS_UPLOAD,
    GstBaseTransform);

struct _GstVvasUpload
{
  GstBaseTransform parent;

  /* properties, under the object lock */
  gint dev_idx;
  guint mem_bank;
  gchar *xclbin_location;
  GstVvasCounters counters;
  guint64 buffers_imported;     /* DMA-bufs imported, each once per run */

  /* streaming state */
  GstVvasContext *context;      /* object lock */
  /* The device and bank of this run, read from the properties at start. */
  gint active_dev_idx;
  guint active_mem_bank;
  GstAllocator *allocator;
  GstVideoInfo in_info;
  GstVideoInfo out_info;
  gboolean downstream_has_video_meta;
  /* This run's mark on the DMA-bufs it imported (process-wide unique). */
  guint import_run;
  /* An import failed: the rest of the run copies. */
  gboolean import_failed;
  /* prepare_output_buffer imported the buffer that transform() gets. */
  gboolean output_imported;
};

GST_ELEMENT_REGISTER_DECLARE (vvasupload);

G_END_DECLS

#endif /* __GST_VVAS_UPLOAD_H__ */
