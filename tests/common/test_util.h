/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/* Shared set-up of the core tests: xclbins in a temporary folder. */

#ifndef __VVAS_TEST_UTIL_H__
#define __VVAS_TEST_UTIL_H__

#include <glib.h>

#include "xclbin_gen.h"
#include "xrt_count.h"

/*
 * Creates a temporary folder holding one_bank.xclbin, two_banks.xclbin and
 * four_banks.xclbin (bank 2 of four unused). Removed by test_util_cleanup().
 */
void test_util_init (void);
void test_util_cleanup (void);

/* Path of a file in the temporary folder (owned by the folder's list). */
const gchar *test_util_path (const gchar * name);

/* Writes an xclbin of @flavor into the temporary folder, returns its path. */
const gchar *test_util_xclbin (const gchar * name, guint n_banks,
    guint64 unused_mask, XclbinFlavor flavor);

#endif /* __VVAS_TEST_UTIL_H__ */
