/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * A program that returns from main() with device memory still alive, as a
 * user's program may: one run per scenario (the first argument), and the
 * test is its exit code, which must be 0. XRT's own static destructors
 * run after main() returns; the library must have released what it holds
 * before they do, whatever the user left alive.
 *
 * The "late-*" scenarios also free what they left alive from an exit
 * handler that runs after the library's own (registered before the first
 * device is opened, so it runs later), as a C++ static destructor or an
 * early atexit() of a user's program would: those frees must reach XRT no
 * more (XRT is being torn down), and the handler checks through
 * libxrtcount that no buffer object or device is left open in XRT.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/vvas/gstvvas.h>
#include <vvas_core/vvas_context.h>
#include <vvas_core/vvas_memory.h>

#include "test_util.h"
#include "xrt_count.h"

/* What the scenarios leave alive; still reachable, so valgrind is quiet. */
static VvasContext *core_ctx;
static VvasMemory *core_mems[8];
static guint n_core_mems;
static GstAllocator *gst_allocator;
static GstMemory *gst_mem;
static GstBufferPool *gst_pools[2];
static GstBuffer *gst_buf;

static void
fail (const char *what)
{
  fprintf (stderr, "exit_live: FAIL: %s\n", what);
  fflush (stderr);
  _exit (1);
}

static VvasMemory *
core_alloc (VvasAllocationType type, guint8 bank, gsize size)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasMemory *mem = vvas_memory_alloc (core_ctx, type, VVAS_ALLOC_FLAG_NONE,
      bank, size, &ret);

  if (!mem || ret != VVAS_RET_SUCCESS)
    fail ("vvas_memory_alloc");
  core_mems[n_core_mems++] = mem;
  return mem;
}

/*
 * A core context on device 0 with device memory on both banks, host
 * memory, and one memory left mapped for writing.
 */
static void
leave_core_memory (const gchar * xclbin)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasMemoryMapInfo info;
  VvasMemory *mapped;

  core_ctx = vvas_context_create (0, (char *) xclbin, LOG_LEVEL_WARNING, &ret);
  if (!core_ctx || ret != VVAS_RET_SUCCESS)
    fail ("vvas_context_create");
  core_alloc (VVAS_ALLOC_TYPE_CMA, 0, 4096);
  core_alloc (VVAS_ALLOC_TYPE_CMA, 1, 3 * 1024 * 1024);
  core_alloc (VVAS_ALLOC_TYPE_NON_CMA, 0, 100);
  mapped = core_alloc (VVAS_ALLOC_TYPE_CMA, 0, 65536);
  if (vvas_memory_map (mapped, VVAS_DATA_MAP_WRITE, &info) != VVAS_RET_SUCCESS)
    fail ("vvas_memory_map");
  memset (info.data, 0x5a, info.size);
}

/*
 * Allocates and frees device memory until an allocation fails, which it
 * does once the library has released XRT at exit.
 */
static gpointer
alloc_free_loop (gpointer data)
{
  gint *rounds = data;

  for (;;) {
    VvasReturnType ret = VVAS_RET_ERROR;
    VvasMemory *mem = vvas_memory_alloc (core_ctx, VVAS_ALLOC_TYPE_CMA,
        VVAS_ALLOC_FLAG_NONE, 0, 4096, &ret);

    if (!mem)
      return NULL;
    vvas_memory_free (mem);
    g_atomic_int_inc (rounds);
  }
}

/* A thread still allocating and freeing while the process exits. */
static void
leave_busy_thread (const gchar * xclbin)
{
  static gint rounds;
  VvasReturnType ret = VVAS_RET_ERROR;

  core_ctx = vvas_context_create (0, (char *) xclbin, LOG_LEVEL_WARNING, &ret);
  if (!core_ctx)
    fail ("vvas_context_create");
  g_thread_unref (g_thread_new ("alloc-free", alloc_free_loop, &rounds));
  while (g_atomic_int_get (&rounds) < 100)
    g_usleep (1000);
}

/* A GstVvasAllocator's memory, and the allocator (and so its context). */
static void
leave_gst_memory (const gchar * xclbin)
{
  GError *error = NULL;

  gst_allocator = gst_vvas_allocator_new_for_device (0, xclbin, 1, &error);
  if (!gst_allocator)
    fail (error ? error->message : "gst_vvas_allocator_new_for_device");
  gst_mem = gst_allocator_alloc (gst_allocator, 4096, NULL);
  if (!gst_mem || !gst_is_vvas_memory (gst_mem))
    fail ("gst_allocator_alloc");
}

static GstBufferPool *
active_pool (GstAllocator * allocator, guint min, guint max)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (allocator);
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstCaps *caps = gst_caps_from_string ("video/x-raw,format=NV12,"
      "width=320,height=240,framerate=30/1");
  GstVideoInfo info;

  if (!gst_video_info_from_caps (&info, caps))
    fail ("gst_video_info_from_caps");
  gst_buffer_pool_config_set_params (config, caps, info.size, min, max);
  gst_caps_unref (caps);
  if (!gst_buffer_pool_set_config (pool, config))
    fail ("gst_buffer_pool_set_config");
  if (!gst_buffer_pool_set_active (pool, TRUE))
    fail ("gst_buffer_pool_set_active");
  return pool;
}

/*
 * Two active pools: one with a buffer acquired and held, one with all its
 * buffers back in it.
 */
static void
leave_gst_pools (const gchar * xclbin)
{
  leave_gst_memory (xclbin);
  gst_pools[0] = active_pool (gst_allocator, 2, 4);
  if (gst_buffer_pool_acquire_buffer (gst_pools[0], &gst_buf, NULL) !=
      GST_FLOW_OK)
    fail ("gst_buffer_pool_acquire_buffer");
  gst_pools[1] = active_pool (gst_allocator, 3, 0);
}

/* Frees everything left alive, as a late destructor of the user's would. */
static void
free_everything (void)
{
  guint i;

  for (i = 0; i < n_core_mems; i++)
    vvas_memory_free (core_mems[i]);
  if (core_ctx)
    vvas_context_destroy (core_ctx);
  if (gst_buf)
    gst_buffer_unref (gst_buf);
  for (i = 0; i < G_N_ELEMENTS (gst_pools); i++) {
    if (gst_pools[i]) {
      gst_buffer_pool_set_active (gst_pools[i], FALSE);
      gst_object_unref (gst_pools[i]);
    }
  }
  if (gst_mem)
    gst_memory_unref (gst_mem);
  if (gst_allocator)
    gst_object_unref (gst_allocator);
}

/*
 * Runs after the library's exit handler (it is registered before the first
 * device is opened): nothing may be left open in XRT, and the user's frees
 * from here on must not reach XRT.
 */
static void
free_late (void)
{
  guint64 frees = xrt_count_get (XRT_CALL_BO_FREE);
  guint64 closes = xrt_count_get (XRT_CALL_DEVICE_CLOSE);

  if (!xrt_count_is_active ())
    fail ("XRT calls are not being counted");
  if (xrt_count_live_bos () != 0)
    fail ("buffer objects still open in XRT after the library's exit "
        "handler");
  if (xrt_count_live_devices () != 0)
    fail ("devices still open in XRT after the library's exit handler");
  free_everything ();
  if (xrt_count_get (XRT_CALL_BO_FREE) != frees)
    fail ("a free after the library's exit handler reached XRT");
  if (xrt_count_get (XRT_CALL_DEVICE_CLOSE) != closes)
    fail ("a close after the library's exit handler reached XRT");
  printf ("exit_live: late frees done, nothing reached XRT\n");
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  const gchar *scenario = argc > 1 ? argv[1] : "";
  const gchar *xclbin;

  if (g_str_has_prefix (scenario, "late-"))
    atexit (free_late);

  gst_init (&argc, &argv);
  test_util_init ();
  xclbin = test_util_path ("two_banks.xclbin");

  if (g_str_equal (scenario, "core-memory") ||
      g_str_equal (scenario, "late-core-memory")) {
    leave_core_memory (xclbin);
  } else if (g_str_equal (scenario, "core-orphan")) {
    /* The memories outlive the caller's context reference. */
    leave_core_memory (xclbin);
    if (vvas_context_destroy (core_ctx) != VVAS_RET_SUCCESS)
      fail ("vvas_context_destroy");
    core_ctx = NULL;
  } else if (g_str_equal (scenario, "core-context")) {
    VvasReturnType ret = VVAS_RET_ERROR;

    core_ctx = vvas_context_create (0, (char *) xclbin, LOG_LEVEL_WARNING,
        &ret);
    if (!core_ctx)
      fail ("vvas_context_create");
  } else if (g_str_equal (scenario, "core-thread")) {
    leave_busy_thread (xclbin);
  } else if (g_str_equal (scenario, "gst-memory")) {
    leave_gst_memory (xclbin);
  } else if (g_str_equal (scenario, "gst-pool") ||
      g_str_equal (scenario, "late-gst-pool")) {
    leave_gst_pools (xclbin);
  } else {
    fprintf (stderr, "usage: %s core-memory|core-orphan|core-context|"
        "core-thread|gst-memory|gst-pool|late-core-memory|late-gst-pool\n",
        argv[0]);
    return 2;
  }

  /* The xclbin is loaded: its folder can go. */
  test_util_cleanup ();
  printf ("exit_live: %s: returning from main with device memory alive\n",
      scenario);
  fflush (stdout);
  return 0;
}
