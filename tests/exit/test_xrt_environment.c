/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * XRT environments that XRT itself aborts on (it throws through its C API
 * at the first device open): the library must refuse them first, with an
 * error code and a log line naming the problem, and the process must go
 * on. Each case runs in a subprocess of its own, since XRT loads its
 * driver library once per process; the subprocess exits 0 only when no
 * assertion failed and nothing aborted.
 */

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <vvas_core/vvas_context.h>
#include <vvas_core/vvas_log.h>
#include <vvas_core/vvas_memory.h>

#include "test_util.h"
#include "xrt_count.h"

/* The library's messages, on stdout for g_test_trap_assert_stdout(). */
static void
print_log (VvasLogLevel level, const char *file, const char *func, int line,
    const char *message, void *user_data)
{
  g_print ("vvas-log %d: %s\n", (int) level, message);
}

/* Creates a context on device 0: refused, before any device open. */
static void
child_create_is_refused (void)
{
  VvasReturnType ret = VVAS_RET_SUCCESS;
  VvasContext *ctx;

  vvas_log_set_handler (print_log, NULL);
  ctx = vvas_context_create (0, NULL, LOG_LEVEL_ERROR, &ret);
  g_assert_null (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_ERROR);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 0);
  g_print ("refused, process goes on\n");
}

/*
 * XILINX_XRT is a new folder whose lib/libxrt_noop.so.2 holds @size bytes
 * of @contents (a folder instead, when @contents is NULL); the mode is noop.
 * Returns the folder, to remove with remove_fake_root().
 */
static gchar *
make_fake_root (const gchar * contents, gssize size)
{
  gchar *root = g_dir_make_tmp ("vvas-fake-xrt-XXXXXX", NULL);
  gchar *lib = g_build_filename (root, "lib", NULL);
  gchar *driver = g_build_filename (lib, "libxrt_noop.so.2", NULL);

  g_assert_nonnull (root);
  g_assert_cmpint (g_mkdir (lib, 0755), ==, 0);
  if (contents)
    g_assert_true (g_file_set_contents (driver, contents, size, NULL));
  else
    g_assert_cmpint (g_mkdir (driver, 0755), ==, 0);
  g_setenv ("XILINX_XRT", root, TRUE);
  g_setenv ("XCL_EMULATION_MODE", "noop", TRUE);
  g_free (driver);
  g_free (lib);
  return root;
}

static void
remove_fake_root (gchar * root)
{
  gchar *lib = g_build_filename (root, "lib", NULL);
  gchar *driver = g_build_filename (lib, "libxrt_noop.so.2", NULL);

  g_assert_cmpint (g_remove (driver), ==, 0);
  g_assert_cmpint (g_rmdir (lib), ==, 0);
  g_assert_cmpint (g_rmdir (root), ==, 0);
  g_free (driver);
  g_free (lib);
  g_free (root);
}

static void
test_emulation_mode_empty (void)
{
  if (g_test_subprocess ()) {
    g_setenv ("XCL_EMULATION_MODE", "", TRUE);
    child_create_is_refused ();
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*vvas-log 0: *XCL_EMULATION_MODE is set but "
      "empty*refused, process goes on*");
}

static void
test_driver_empty_file (void)
{
  if (g_test_subprocess ()) {
    gchar *root = make_fake_root ("", 0);

    child_create_is_refused ();
    remove_fake_root (root);
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*vvas-log 0: *XRT cannot load its driver "
      "library *vvas-fake-xrt-*/lib/libxrt_noop.so.2 (*file too short*"
      "refused, process goes on*");
}

static void
test_driver_garbage (void)
{
  if (g_test_subprocess ()) {
    static const gchar garbage[] = "\x7f" "ELF but not really, and longer "
        "than an ELF header so that the loader reads it all the way through";
    gchar *root = make_fake_root (garbage, sizeof (garbage));

    child_create_is_refused ();
    remove_fake_root (root);
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*vvas-log 0: *XRT cannot load its driver "
      "library *vvas-fake-xrt-*/lib/libxrt_noop.so.2 (*ELF*"
      "refused, process goes on*");
}

/* A folder where the library should be: access() alone says yes. */
static void
test_driver_folder (void)
{
  if (g_test_subprocess ()) {
    gchar *root = make_fake_root (NULL, 0);

    child_create_is_refused ();
    remove_fake_root (root);
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*vvas-log 0: *XRT cannot load its driver "
      "library *vvas-fake-xrt-*/lib/libxrt_noop.so.2 (*"
      "refused, process goes on*");
}

/*
 * A real shared library that loads lazily (RTLD_LAZY) but not with every
 * symbol bound (RTLD_NOW), as XRT loads it: a probe that does less than
 * XRT passes it, and XRT aborts.
 */
static void
test_driver_unresolved_symbol (void)
{
  if (g_test_subprocess ()) {
    const gchar *bad = g_getenv ("VVAS_TEST_BAD_DRIVER");
    gchar *contents;
    gsize size;
    gchar *root;

    g_assert_nonnull (bad);
    g_assert_true (g_file_get_contents (bad, &contents, &size, NULL));
    root = make_fake_root (contents, (gssize) size);
    child_create_is_refused ();
    remove_fake_root (root);
    g_free (contents);
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*vvas-log 0: *XRT cannot load its driver "
      "library *vvas-fake-xrt-*/lib/libxrt_noop.so.2 (*undefined symbol: "
      "vvas_test_symbol_defined_nowhere*refused, process goes on*");
}

/*
 * The set-up of the suite passes the check; the driver library the check
 * loads is the one XRT then uses, for a second context too.
 */
static void
test_valid_environment (void)
{
  if (g_test_subprocess ()) {
    VvasReturnType ret = VVAS_RET_ERROR;
    VvasContext *ctx[2];
    VvasMemory *mem;
    int i;

    for (i = 0; i < 2; i++) {
      ctx[i] = vvas_context_create (0, (char *)
          test_util_path ("two_banks.xclbin"), LOG_LEVEL_ERROR, &ret);
      g_assert_nonnull (ctx[i]);
      g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
    }
    mem = vvas_memory_alloc (ctx[1], VVAS_ALLOC_TYPE_CMA,
        VVAS_ALLOC_FLAG_NONE, 1, 4096, &ret);
    g_assert_nonnull (mem);
    vvas_memory_free (mem);
    for (i = 0; i < 2; i++)
      g_assert_cmpint (vvas_context_destroy (ctx[i]), ==, VVAS_RET_SUCCESS);
    g_assert_cmpint (xrt_count_live_devices (), ==, 0);
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  int res;

  g_test_init (&argc, &argv, NULL);
  test_util_init ();
  g_test_add_func ("/xrt-environment/emulation-mode-empty",
      test_emulation_mode_empty);
  g_test_add_func ("/xrt-environment/driver-empty-file",
      test_driver_empty_file);
  g_test_add_func ("/xrt-environment/driver-garbage", test_driver_garbage);
  g_test_add_func ("/xrt-environment/driver-folder", test_driver_folder);
  g_test_add_func ("/xrt-environment/driver-unresolved-symbol",
      test_driver_unresolved_symbol);
  g_test_add_func ("/xrt-environment/valid", test_valid_environment);
  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
