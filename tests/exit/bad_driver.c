/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * A shared library that loads with RTLD_LAZY but not with RTLD_NOW: a
 * function it calls is defined nowhere. Installed as an XRT driver library
 * by test_xrt_environment, which XRT loads with RTLD_NOW and aborts on.
 */

extern int vvas_test_symbol_defined_nowhere (void);

int vvas_test_bad_driver_entry (void);

int
vvas_test_bad_driver_entry (void)
{
  return vvas_test_symbol_defined_nowhere ();
}
