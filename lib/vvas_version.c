/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/* The library's version at run time: the values its headers had when it
 * was built. */

#include <vvas_core/vvas_version.h>

void
vvas_core_get_version (unsigned int *major, unsigned int *minor,
    unsigned int *micro)
{
  if (major)
    *major = VVAS_CORE_VERSION_MAJOR;
  if (minor)
    *minor = VVAS_CORE_VERSION_MINOR;
  if (micro)
    *micro = VVAS_CORE_VERSION_MICRO;
}

const char *
vvas_core_version_string (void)
{
  return VVAS_CORE_VERSION_STRING;
}
