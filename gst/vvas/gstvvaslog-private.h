/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/* Routing of the core library's log into GStreamer; not installed. */

#ifndef __GST_VVAS_LOG_PRIVATE_H__
#define __GST_VVAS_LOG_PRIVATE_H__

#include <gst/gst.h>
#include <vvas_core/vvas_log.h>

G_BEGIN_DECLS

/* Installs the core log handler (once) and returns the threshold new core
 * contexts should use: the "vvascore" category's, mapped to VvasLogLevel. */
G_GNUC_INTERNAL
VvasLogLevel gst_vvas_log_init (void);

/* The last core error logged on this thread, or NULL; cleared by the call
 * to gst_vvas_log_clear_last_error(). */
G_GNUC_INTERNAL
const gchar * gst_vvas_log_get_last_error (void);

G_GNUC_INTERNAL
void gst_vvas_log_clear_last_error (void);

G_END_DECLS

#endif /* __GST_VVAS_LOG_PRIVATE_H__ */
