/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The emulated device itself (tests/common/xrt_emu.h), driven through XRT's
 * C API with no library in between: a test double that moved the wrong
 * bytes would hide the very bugs it is there to show.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>

#include "test_util.h"
#include "xrt_emu.h"

#define SIZE (64 * 1024)

typedef struct
{
  xrtDeviceHandle device;
  gint64 live_bos;
  gint64 live_devices;
  guint fds;
} Fixture;

static void
fixture_set_up (Fixture * f, gconstpointer unused)
{
  f->live_bos = xrt_count_live_bos ();
  f->live_devices = xrt_count_live_devices ();
  f->fds = xrt_emu_count_open_fds ();
  f->device = xrtDeviceOpen (0);
  g_assert_nonnull (f->device);
  g_assert_cmpint (xrtDeviceLoadXclbinFile (f->device,
          test_util_path ("two_banks.xclbin")), ==, 0);
  g_assert_cmpint (xrt_count_live_devices (), ==, f->live_devices + 1);
  xrt_count_reset ();
}

static void
fixture_tear_down (Fixture * f, gconstpointer unused)
{
  g_assert_cmpint (xrtDeviceClose (f->device), ==, 0);
  g_assert_cmpint (xrt_count_live_bos (), ==, f->live_bos);
  g_assert_cmpint (xrt_count_live_devices (), ==, f->live_devices);
  g_assert_cmpuint (xrt_emu_count_open_fds (), ==, f->fds);
}

static xrtBufferHandle
bo_alloc (Fixture * f, size_t size, unsigned int bank)
{
  xrtBufferHandle bo = xrtBOAlloc (f->device, size, XRT_BO_FLAGS_NONE, bank);

  g_assert_nonnull (bo);
  return bo;
}

static gboolean
all_bytes (const guint8 * data, gsize size, guint8 byte)
{
  gsize i;

  for (i = 0; i < size; i++)
    if (data[i] != byte)
      return FALSE;
  return TRUE;
}

static guint8 *
device_bytes (xrtBufferHandle bo, gsize offset, gsize size)
{
  guint8 *bytes = g_malloc (size);

  g_assert_cmpint (xrt_emu_kernel_read (bo, offset, bytes, size), ==, 0);
  return bytes;
}

static void
test_fresh_and_separate (Fixture * f, gconstpointer unused)
{
  xrtBufferHandle bo = bo_alloc (f, SIZE, 0);
  guint8 *host = xrtBOMap (bo);
  guint8 *device = device_bytes (bo, 0, SIZE);

  g_assert_true (all_bytes (host, SIZE, XRT_EMU_FRESH_HOST_BYTE));
  g_assert_true (all_bytes (device, SIZE, XRT_EMU_FRESH_DEVICE_BYTE));
  g_assert_cmpuint (xrtBOSize (bo), ==, SIZE);
  /* Writing one side leaves the other alone. */
  memset (host, 1, SIZE);
  g_free (device);
  device = device_bytes (bo, 0, SIZE);
  g_assert_true (all_bytes (device, SIZE, XRT_EMU_FRESH_DEVICE_BYTE));
  g_assert_cmpint (xrt_emu_kernel_fill (bo, 0, 2, SIZE), ==, 0);
  g_assert_true (all_bytes (host, SIZE, 1));
  g_free (device);
  g_assert_cmpint (xrtBOFree (bo), ==, 0);
}

static void
test_sync_moves_exact_range (Fixture * f, gconstpointer unused)
{
  xrtBufferHandle bo = bo_alloc (f, SIZE, 1);
  guint8 *host = xrtBOMap (bo);
  guint8 *device;

  memset (host, 1, SIZE);
  g_assert_cmpint (xrtBOSync (bo, XCL_BO_SYNC_BO_TO_DEVICE, 100, 200), ==, 0);
  device = device_bytes (bo, 0, SIZE);
  g_assert_true (all_bytes (device, 200, XRT_EMU_FRESH_DEVICE_BYTE));
  g_assert_true (all_bytes (device + 200, 100, 1));
  g_assert_true (all_bytes (device + 300, SIZE - 300,
          XRT_EMU_FRESH_DEVICE_BYTE));
  g_free (device);

  g_assert_cmpint (xrt_emu_kernel_fill (bo, 0, 3, SIZE), ==, 0);
  g_assert_cmpint (xrtBOSync (bo, XCL_BO_SYNC_BO_FROM_DEVICE, 10, SIZE - 10),
      ==, 0);
  g_assert_true (all_bytes (host, SIZE - 10, 1));
  g_assert_true (all_bytes (host + SIZE - 10, 10, 3));

  /* Past the end: refused, nothing moved. */
  g_assert_cmpint (xrtBOSync (bo, XCL_BO_SYNC_BO_FROM_DEVICE, 11, SIZE - 10),
      !=, 0);
  g_assert_cmpint (xrtBOSync (bo, XCL_BO_SYNC_BO_TO_DEVICE, 1, SIZE + 1), !=,
      0);
  g_assert_true (all_bytes (host, SIZE - 10, 1));
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, 2);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_TO_DEVICE), ==, 101);
  g_assert_cmpint (xrtBOFree (bo), ==, 0);
}

static void
test_copy_device_to_device (Fixture * f, gconstpointer unused)
{
  xrtBufferHandle a = bo_alloc (f, SIZE, 0), b = bo_alloc (f, SIZE, 1);
  guint8 *bytes;

  g_assert_cmpint (xrt_emu_kernel_fill (a, 0, 5, SIZE), ==, 0);
  g_assert_cmpint (xrtBOCopy (b, a, 1000, 24, 8), ==, 0);
  bytes = device_bytes (b, 0, SIZE);
  g_assert_true (all_bytes (bytes, 24, XRT_EMU_FRESH_DEVICE_BYTE));
  g_assert_true (all_bytes (bytes + 24, 1000, 5));
  g_assert_true (all_bytes (bytes + 1024, SIZE - 1024,
          XRT_EMU_FRESH_DEVICE_BYTE));
  /* Host views untouched. */
  g_assert_true (all_bytes (xrtBOMap (b), SIZE, XRT_EMU_FRESH_HOST_BYTE));
  g_assert_cmpint (xrtBOCopy (b, a, 1000, SIZE - 999, 0), !=, 0);
  g_free (bytes);
  g_assert_cmpint (xrtBOFree (a), ==, 0);
  g_assert_cmpint (xrtBOFree (b), ==, 0);
}

static void
test_bank_capacity (Fixture * f, gconstpointer unused)
{
  xrtBufferHandle a, b;

  /* The generated xclbin's banks, as its MEM_TOPOLOGY says. */
  g_assert_cmpuint (xrt_emu_bank_capacity (0, 1), ==, XCLBIN_GEN_BANK_SIZE);
  xrt_emu_set_bank_capacity (0, 1, 3 * SIZE);
  a = bo_alloc (f, 2 * SIZE, 1);
  g_assert_cmpuint (xrt_emu_bank_used (0, 1), ==, 2 * SIZE);
  errno = 0;
  g_assert_null (xrtBOAlloc (f->device, 2 * SIZE, XRT_BO_FLAGS_NONE, 1));
  g_assert_cmpint (errno, ==, ENOMEM);
  /* Bank 0 is another bank; freed bytes come back. */
  b = bo_alloc (f, 2 * SIZE, 0);
  g_assert_cmpint (xrtBOFree (b), ==, 0);
  g_assert_cmpint (xrtBOFree (a), ==, 0);
  g_assert_cmpuint (xrt_emu_bank_used (0, 1), ==, 0);
  a = bo_alloc (f, 3 * SIZE, 1);
  g_assert_cmpint (xrtBOFree (a), ==, 0);
  /* A bank the topology does not have. */
  errno = 0;
  g_assert_null (xrtBOAlloc (f->device, SIZE, XRT_BO_FLAGS_NONE, 2));
  g_assert_cmpint (errno, ==, EINVAL);
  xrt_emu_set_bank_capacity (0, 1, XCLBIN_GEN_BANK_SIZE);
}

static void
test_export_import (Fixture * f, gconstpointer unused)
{
  xrtBufferHandle bo = bo_alloc (f, SIZE, 0), imported;
  guint8 *bytes;
  int fd = xrtBOExport (bo), dup_fd;

  g_assert_cmpint (fd, >=, 0);
  /* XRT's rule: the BO's own fd, the same every time. */
  g_assert_cmpint (xrtBOExport (bo), ==, fd);
  g_assert_cmpint (xrt_emu_kernel_fill (bo, 0, 9, SIZE), ==, 0);
  bytes = g_malloc (SIZE);
  g_assert_cmpint (pread (fd, bytes, SIZE, 0), ==, SIZE);
  g_assert_true (all_bytes (bytes, SIZE, 9));

  /* An import of a duplicate shares the device copy, both ways. */
  dup_fd = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  imported = xrtBOImport (f->device, dup_fd);
  g_assert_nonnull (imported);
  g_assert_cmpint (close (dup_fd), ==, 0);
  g_assert_cmpuint (xrtBOSize (imported), ==, SIZE);
  g_assert_cmpint (xrtBOSync (imported, XCL_BO_SYNC_BO_FROM_DEVICE, SIZE, 0),
      ==, 0);
  g_assert_true (all_bytes (xrtBOMap (imported), SIZE, 9));
  g_assert_cmpint (xrt_emu_kernel_fill (imported, 0, 4, 16), ==, 0);
  g_free (bytes);
  bytes = device_bytes (bo, 0, 16);
  g_assert_true (all_bytes (bytes, 16, 4));
  g_assert_cmpint (xrtBOFree (imported), ==, 0);

  /* The fd goes with the BO. */
  g_assert_cmpint (fcntl (fd, F_GETFD), !=, -1);
  g_assert_cmpint (xrtBOFree (bo), ==, 0);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);
  g_free (bytes);

  /* What cannot be mapped is refused. */
  fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  g_assert_null (xrtBOImport (f->device, fd));
  close (fd);
}

static void
test_fail_nth (Fixture * f, gconstpointer unused)
{
  xrtBufferHandle a, b;

  g_assert_cmpint (xrt_count_call_from_name ("xrtBOAlloc"), ==,
      XRT_CALL_BO_ALLOC);
  g_assert_cmpstr (xrt_count_call_name (XRT_CALL_SYNC_FROM_DEVICE), ==,
      "xrtBOSync.from_device");
  g_assert_cmpint (xrt_count_call_from_name ("xrtNothing"), ==, XRT_CALL_LAST);

  /* The second allocation from now fails, and only that one. */
  xrt_count_fail_nth (XRT_CALL_BO_ALLOC, 2);
  a = bo_alloc (f, SIZE, 0);
  g_assert_null (xrtBOAlloc (f->device, SIZE, XRT_BO_FLAGS_NONE, 0));
  b = bo_alloc (f, SIZE, 0);
  g_assert_cmpint (xrt_count_live_bos (), ==, f->live_bos + 2);
  g_assert_cmpuint (xrt_emu_bank_used (0, 0), ==, 2 * SIZE);
  /* A failed sync moves nothing. */
  xrt_count_fail_nth (XRT_CALL_SYNC_TO_DEVICE, 1);
  memset (xrtBOMap (a), 6, SIZE);
  g_assert_cmpint (xrtBOSync (a, XCL_BO_SYNC_BO_TO_DEVICE, SIZE, 0), !=, 0);
  g_assert_cmpint (xrtBOSync (a, XCL_BO_SYNC_BO_FROM_DEVICE, SIZE, 0), ==, 0);
  g_assert_true (all_bytes (xrtBOMap (a), SIZE, XRT_EMU_FRESH_DEVICE_BYTE));
  g_assert_cmpint (xrtBOFree (a), ==, 0);
  g_assert_cmpint (xrtBOFree (b), ==, 0);
}

/* VVAS_XRT_FAIL: the same from the environment, in a process of its own. */
static void
test_fail_from_environment (void)
{
  if (g_test_subprocess ()) {
    xrtDeviceHandle device = xrtDeviceOpen (0);
    xrtBufferHandle a = xrtBOAlloc (device, SIZE, XRT_BO_FLAGS_NONE, 0);
    xrtBufferHandle b = xrtBOAlloc (device, SIZE, XRT_BO_FLAGS_NONE, 0);

    g_assert_nonnull (a);
    g_assert_null (b);
    xrtBOFree (a);
    xrtDeviceClose (device);
    return;
  }
  g_setenv ("VVAS_XRT_FAIL", "xrtBOAlloc:2", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("VVAS_XRT_FAIL");
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  int res;

  xrt_emu_enable ();
  g_test_init (&argc, &argv, NULL);
  test_util_init ();

#define ADD(name, func) \
  g_test_add ("/xrt-emu/" name, Fixture, NULL, fixture_set_up, func, \
      fixture_tear_down)
  ADD ("fresh-and-separate", test_fresh_and_separate);
  ADD ("sync-moves-exact-range", test_sync_moves_exact_range);
  ADD ("copy-device-to-device", test_copy_device_to_device);
  ADD ("bank-capacity", test_bank_capacity);
  ADD ("export-import", test_export_import);
  ADD ("fail-nth", test_fail_nth);
  g_test_add_func ("/xrt-emu/fail-from-environment",
      test_fail_from_environment);

  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
