/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifndef __GST_VVAS_H__
#define __GST_VVAS_H__

#include <gst/vvas/vvas-prelude.h>
#include <gst/vvas/gstvvasbufferpool.h>
#include <gst/vvas/gstvvascontext.h>
#include <gst/vvas/gstvvasdmabuf.h>
#include <gst/vvas/gstvvasmemory.h>
#include <gst/vvas/gstvvasmeta.h>
#include <gst/vvas/gstvvasversion.h>

#endif /* __GST_VVAS_H__ */
