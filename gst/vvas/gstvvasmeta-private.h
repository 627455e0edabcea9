/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/* GstVvasMeta helpers for this project's pools and elements; not installed. */

#ifndef __GST_VVAS_META_PRIVATE_H__
#define __GST_VVAS_META_PRIVATE_H__

#include <gst/vvas/gstvvasmeta.h>

G_BEGIN_DECLS

/*
 * Unsets the times of @meta (NULL: does nothing). Inline: buffer pools call
 * it on every release, to reset the meta they keep with each buffer.
 */
static inline void
gst_vvas_meta_unset_times (GstVvasMeta * meta)
{
  if (meta) {
    meta->metadata.pts = GST_CLOCK_TIME_NONE;
    meta->metadata.dts = GST_CLOCK_TIME_NONE;
    meta->metadata.duration = GST_CLOCK_TIME_NONE;
  }
}

G_END_DECLS

#endif /* __GST_VVAS_META_PRIVATE_H__ */
