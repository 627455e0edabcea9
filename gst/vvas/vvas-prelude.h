/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#ifndef __GST_VVAS_PRELUDE_H__
#define __GST_VVAS_PRELUDE_H__

#include <gst/gst.h>

/**
 * GST_VVAS_API:
 *
 * Marks a symbol exported by libgstvvas-1.0.
 *
 * Since: 1.0
 */
#ifndef GST_VVAS_API
#ifdef BUILDING_GST_VVAS
#define GST_VVAS_API __attribute__ ((visibility ("default"))) extern
#else
#define GST_VVAS_API extern
#endif
#endif

#endif /* __GST_VVAS_PRELUDE_H__ */
