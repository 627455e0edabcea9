/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#include "test_util.h"

#include <glib/gstdio.h>

static gchar *tmp_dir;
static GPtrArray *paths;

const gchar *
test_util_path (const gchar * name)
{
  gchar *path = g_build_filename (tmp_dir, name, NULL);

  g_ptr_array_add (paths, path);
  return path;
}

const gchar *
test_util_xclbin (const gchar * name, guint n_banks, guint64 unused_mask,
    XclbinFlavor flavor)
{
  const gchar *path = test_util_path (name);

  g_assert_cmpint (xclbin_gen_write (path, n_banks, unused_mask,
          (guint8) n_banks, flavor), ==, 0);
  return path;
}

void
test_util_init (void)
{
  GError *error = NULL;

  tmp_dir = g_dir_make_tmp ("vvas-test-XXXXXX", &error);
  g_assert_no_error (error);
  paths = g_ptr_array_new_with_free_func (g_free);
  test_util_xclbin ("one_bank.xclbin", 1, 0, XCLBIN_VALID);
  test_util_xclbin ("two_banks.xclbin", 2, 0, XCLBIN_VALID);
  test_util_xclbin ("four_banks.xclbin", 4, 1 << 2, XCLBIN_VALID);
}

void
test_util_cleanup (void)
{
  guint i;

  for (i = 0; i < paths->len; i++)
    g_unlink (g_ptr_array_index (paths, i));
  g_ptr_array_unref (paths);
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
}
