/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/* The vvas plugin: registering it touches no device. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstvvasdownload.h"
#include "gstvvasupload.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = FALSE;

  ok |= GST_ELEMENT_REGISTER (vvasupload, plugin);
  ok |= GST_ELEMENT_REGISTER (vvasdownload, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, vvas,
    "Move raw video in and out of VVAS device memory on XRT",
    plugin_init, PACKAGE_VERSION, "MIT/X11", PACKAGE_NAME, PACKAGE_ORIGIN)
