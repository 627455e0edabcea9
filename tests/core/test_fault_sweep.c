/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The fault sweep: a scenario that uses the whole core API runs once
 * cleanly, to count its XRT calls, and then once per call with that one
 * call failing (xrt_count_fail_nth). Whatever fails, every function
 * reports it (a return code, *ret always written, an error logged), no
 * buffer object or device outlives the scenario, and a memory whose map or
 * transfer failed is still usable: the same step done again succeeds with
 * the right bytes.
 */

#include <string.h>
#include <unistd.h>

#include <vvas_core/vvas_memory_priv.h>

#include "test_util.h"
#include "xrt_emu.h"

#define SIZE (256 * 1024)
#define PART (SIZE / 4)
/* Not a VvasReturnType: shows that a function wrote *ret. */
#define RET_UNWRITTEN ((VvasReturnType) 0x5eed)

typedef struct
{
  guint errors_logged;
  guint errors_returned;
} Outcome;

static void
count_errors (VvasLogLevel level, const char *file, const char *func,
    int line, const char *message, void *user_data)
{
  Outcome *outcome = user_data;

  if (level == LOG_LEVEL_ERROR)
    outcome->errors_logged++;
}

static void
fill (guint8 * data, gsize size, guint seed)
{
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = (guint8) (i * 13 + seed);
}

static gboolean
holds (const guint8 * data, gsize size, guint seed)
{
  gsize i;

  for (i = 0; i < size; i++)
    if (data[i] != (guint8) (i * 13 + seed))
      return FALSE;
  return TRUE;
}

/* Checks a function's *ret; true when it says success. */
static gboolean
succeeded (Outcome * outcome, VvasReturnType ret, gboolean has_result)
{
  g_assert_cmpint (ret, !=, RET_UNWRITTEN);
  if (ret == VVAS_RET_SUCCESS) {
    g_assert_true (has_result);
    return TRUE;
  }
  g_assert_true (VVAS_IS_ERROR (ret));
  g_assert_false (has_result);
  outcome->errors_returned++;
  return FALSE;
}

static VvasMemory *
alloc (Outcome * outcome, VvasContext * ctx, VvasAllocationType type,
    guint8 bank)
{
  VvasReturnType ret = RET_UNWRITTEN;
  VvasMemory *mem = vvas_memory_alloc (ctx, type, VVAS_ALLOC_FLAG_NONE, bank,
      SIZE, &ret);

  return succeeded (outcome, ret, mem != NULL) ? mem : NULL;
}

/*
 * Maps @mem for @flags; a failed map is reported and then, the fault
 * having passed, must succeed. Returns the host view (mapped).
 */
static guint8 *
map_retrying (Outcome * outcome, VvasMemory * mem, VvasDataMapFlags flags,
    VvasMemoryMapInfo * info)
{
  VvasReturnType ret = vvas_memory_map (mem, flags, info);

  if (ret != VVAS_RET_SUCCESS) {
    g_assert_true (VVAS_IS_ERROR (ret));
    outcome->errors_returned++;
    g_assert_cmpint (vvas_memory_map (mem, flags, info), ==, VVAS_RET_SUCCESS);
  }
  g_assert_cmpuint (info->size, ==, SIZE);
  return info->data;
}

/* The bytes a kernel would read: the device copy, after a device access. */
static gboolean
device_holds (Outcome * outcome, VvasMemory * mem, gsize offset, gsize size,
    guint seed)
{
  guint8 *bytes = g_malloc (size);
  gboolean res;

  if (vvas_memory_begin_device_access (mem, VVAS_DATA_MAP_READ) !=
      VVAS_RET_SUCCESS) {
    outcome->errors_returned++;
    g_assert_cmpint (vvas_memory_begin_device_access (mem,
            VVAS_DATA_MAP_READ), ==, VVAS_RET_SUCCESS);
  }
  g_assert_cmpint (xrt_emu_kernel_read (vvas_memory_get_bo (mem), offset,
          bytes, size), ==, 0);
  vvas_memory_end_device_access (mem, VVAS_DATA_MAP_READ);
  res = holds (bytes, size, seed);
  g_free (bytes);
  return res;
}

static void
scenario (Outcome * outcome)
{
  VvasReturnType ret = RET_UNWRITTEN;
  VvasMemory *dev0, *dev1, *host, *imported;
  VvasMemoryMapInfo map;
  VvasMetadata meta = { 1, 2, 3 }, meta_back;
  guint8 *data, *kernel_bytes;
  int fd;
  VvasContext *ctx = vvas_context_create (0, (char *)
      test_util_path ("two_banks.xclbin"), LOG_LEVEL_WARNING, &ret);

  if (!succeeded (outcome, ret, ctx != NULL))
    return;

  dev0 = alloc (outcome, ctx, VVAS_ALLOC_TYPE_CMA, 0);
  dev1 = alloc (outcome, ctx, VVAS_ALLOC_TYPE_CMA, 1);
  host = alloc (outcome, ctx, VVAS_ALLOC_TYPE_NON_CMA, 0);

  if (dev0) {
    /* The host writes; a kernel reads, then writes the first part. */
    data = map_retrying (outcome, dev0, VVAS_DATA_MAP_WRITE, &map);
    fill (data, SIZE, 1);
    g_assert_cmpint (vvas_memory_unmap (dev0, &map), ==, VVAS_RET_SUCCESS);
    vvas_memory_set_metadata (dev0, &meta);
    g_assert_true (device_holds (outcome, dev0, 0, SIZE, 1));
    g_assert_cmpint (vvas_memory_begin_device_access (dev0,
            VVAS_DATA_MAP_WRITE), ==, VVAS_RET_SUCCESS);
    kernel_bytes = g_malloc (PART);
    fill (kernel_bytes, PART, 2);
    g_assert_cmpint (xrt_emu_kernel_write (vvas_memory_get_bo (dev0), 0,
            kernel_bytes, PART), ==, 0);
    g_free (kernel_bytes);
    vvas_memory_end_device_access (dev0, VVAS_DATA_MAP_WRITE);
    data = map_retrying (outcome, dev0, VVAS_DATA_MAP_READ, &map);
    g_assert_true (holds (data, PART, 2));
    g_assert_true (holds (data + PART, SIZE - PART, 1 + PART * 13));
    g_assert_cmpint (vvas_memory_unmap (dev0, &map), ==, VVAS_RET_SUCCESS);
    vvas_memory_get_metadata (dev0, &meta_back);
    g_assert_cmpuint (meta_back.duration, ==, 3);
    g_assert_cmpuint (vvas_memory_get_paddr (dev0), !=, (guint64) - 1);
  }

  if (dev0 && dev1) {
    /* A device copy of part of one into the other, at offset 0. */
    data = map_retrying (outcome, dev1, VVAS_DATA_MAP_WRITE, &map);
    fill (data, SIZE, 7);
    g_assert_cmpint (vvas_memory_unmap (dev1, &map), ==, VVAS_RET_SUCCESS);
    ret = vvas_memory_copy (dev1, 0, dev0, 0, PART);
    if (ret != VVAS_RET_SUCCESS) {
      g_assert_true (VVAS_IS_ERROR (ret));
      outcome->errors_returned++;
      g_assert_cmpint (vvas_memory_copy (dev1, 0, dev0, 0, PART), ==,
          VVAS_RET_SUCCESS);
    }
    /* XRT's no-op device copies nothing on the device. */
    data = map_retrying (outcome, dev1, VVAS_DATA_MAP_READ, &map);
    g_assert_true (!xrt_emu_enabled () || holds (data, PART, 2));
    g_assert_true (holds (data + PART, SIZE - PART, 7 + PART * 13));
    g_assert_cmpint (vvas_memory_unmap (dev1, &map), ==, VVAS_RET_SUCCESS);
  }

  if (dev0 && host) {
    /* Device to host memory: through the host view. */
    g_assert_cmpint (vvas_memory_copy (host, 0, dev0, PART, SIZE - PART), ==,
        VVAS_RET_SUCCESS);
    data = map_retrying (outcome, host, VVAS_DATA_MAP_READ, &map);
    g_assert_true (holds (data, SIZE - PART, 1 + PART * 13));
    g_assert_cmpint (vvas_memory_unmap (host, &map), ==, VVAS_RET_SUCCESS);
  }

  if (dev0) {
    /* Shared as a DMA-buf with an importer (the emulated device exports;
     * XRT's no-op device never does). */
    ret = RET_UNWRITTEN;
    fd = vvas_memory_export_dmabuf (dev0, &ret);
    if (succeeded (outcome, ret, fd >= 0)) {
      ret = RET_UNWRITTEN;
      imported = vvas_memory_alloc_from_dmabuf (ctx, fd, 0, &ret);
      g_assert_cmpint (close (fd), ==, 0);
      if (succeeded (outcome, ret, imported != NULL)) {
        data = map_retrying (outcome, imported, VVAS_DATA_MAP_READ, &map);
        g_assert_true (holds (data, PART, 2));
        g_assert_cmpint (vvas_memory_unmap (imported, &map), ==,
            VVAS_RET_SUCCESS);
        vvas_memory_free (imported);
      }
    }
  }

  vvas_memory_free (host);
  vvas_memory_free (dev1);
  vvas_memory_free (dev0);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* Runs the scenario; nothing it made may outlive it. */
static Outcome
run_scenario (void)
{
  const gint64 bos = xrt_count_live_bos ();
  const gint64 devices = xrt_count_live_devices ();
  Outcome outcome = { 0, 0 };

  vvas_log_set_handler (count_errors, &outcome);
  scenario (&outcome);
  vvas_log_set_handler (NULL, NULL);
  g_assert_cmpint (xrt_count_live_bos (), ==, bos);
  g_assert_cmpint (xrt_count_live_devices (), ==, devices);
  return outcome;
}

static void
test_clean_run (void)
{
  Outcome outcome;

  xrt_count_reset ();
  outcome = run_scenario ();
  /* On XRT's no-op device the export fails: its one error. */
  g_assert_cmpuint (outcome.errors_returned, ==, xrt_emu_enabled ()? 0 : 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_ALLOC), ==, 2);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_EXPORT), ==, 1);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_IMPORT), ==,
      xrt_emu_enabled ()? 1 : 0);
}

static void
test_sweep (void)
{
  guint64 calls[XRT_CALL_LAST];
  guint swept = 0, reported = 0, tolerated = 0;
  XrtCall call;
  guint nth;

  xrt_count_reset ();
  run_scenario ();
  for (call = 0; call < XRT_CALL_LAST; call++)
    calls[call] = xrt_count_get (call);

  for (call = 0; call < XRT_CALL_LAST; call++) {
    for (nth = 1; nth <= calls[call]; nth++) {
      Outcome outcome;

      xrt_count_reset ();
      xrt_count_fail_nth (call, nth);
      outcome = run_scenario ();
      swept++;
      /* The closing calls cannot fail (xrt_count.c); the others fail as
       * asked, and every failure is said: a returned error, logged. */
      if (call == XRT_CALL_DEVICE_CLOSE || call == XRT_CALL_BO_FREE)
        continue;
      g_assert_cmpuint (xrt_count_get (call), >=, nth);
      if (outcome.errors_returned > 0) {
        g_assert_cmpuint (outcome.errors_logged, >=, 1);
        reported++;
      } else {
        /* What needs no error: a transfer retried by the scenario's own
         * next step, a UUID XRT could not report (a warning). */
        tolerated++;
      }
      if (g_test_verbose ())
        g_printerr ("%s #%u: %u errors returned, %u logged\n",
            xrt_count_call_name (call), nth, outcome.errors_returned,
            outcome.errors_logged);
    }
  }
  g_test_message ("%u runs, one failed call each: %u reported, %u "
      "tolerated", swept, reported, tolerated);
  /* Every kind of call the API makes was failed at least once. */
  for (call = 0; call < XRT_CALL_LAST; call++) {
    if (call == XRT_CALL_BO_IMPORT || call == XRT_CALL_BO_SIZE)
      g_assert_cmpuint (calls[call], >=, xrt_emu_enabled ()? 1 : 0);
    else
      g_assert_cmpuint (calls[call], >=, 1);
  }
  g_assert_cmpuint (reported, >, tolerated);
}

int
main (int argc, char **argv)
{
  int res;

  g_test_init (&argc, &argv, NULL);
  test_util_init ();
  g_test_add_func ("/fault-sweep/clean-run", test_clean_run);
  g_test_add_func ("/fault-sweep/every-call-fails-once", test_sweep);
  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
