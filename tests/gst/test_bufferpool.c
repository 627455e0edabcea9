/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * GstVvasBufferPool: GStreamer core's own pool checks (recycling, reuse out
 * of order, buffer size, flushing, discarding modified buffers, blocking at
 * the maximum) on device memory, plus what the pool adds: buffers allocated
 * at activation and never per frame (counted at the XRT boundary), a pooled
 * GstVvasMeta, video meta and alignment (strides and plane offsets), configs
 * it refuses or corrects (GStreamer's set_config contract), and its own free
 * list shared by many threads: every buffer object freed at deactivation,
 * however releases and deactivation race.
 */

#include "gst_test_common.h"

#include <gst/video/video.h>

static GstVvasContext *ctx;
static GstAllocator *alloc;     /* bank 0 */

static void
setup (void)
{
  ctx = gst_vvas_test_context_new ();
  alloc = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  fail_unless (alloc != NULL);
  xrt_count_reset ();
}

static void
teardown (void)
{
  gst_clear_object (&alloc);
  gst_clear_object (&ctx);
}

/* Pool options for make_pool(). */
#define OPT_META  (1 << 0)
#define OPT_ALIGN (1 << 1)

/* The size of a frame of @caps with the default layout. */
static guint
frame_size (GstCaps * caps)
{
  GstVideoInfo info;

  fail_unless (gst_video_info_from_caps (&info, caps));
  return info.size;
}

/*
 * A pool on @allocator configured for @caps_str with buffers of @size bytes
 * (0: a frame's size); with OPT_ALIGN, every plane's stride aligned to
 * @stride_align (a mask), and @pad_top/@pad_bottom rows of padding. Asserts
 * that the config is accepted.
 */
static GstBufferPool *
make_pool_full (GstAllocator * allocator, const gchar * caps_str, guint size,
    guint min, guint max, guint options, guint stride_align, guint pad_top,
    guint pad_bottom)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (allocator);
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstCaps *caps = gst_caps_from_string (caps_str);

  gst_buffer_pool_config_set_params (config, caps,
      size ? size : frame_size (caps), min, max);
  if (options & OPT_META)
    gst_buffer_pool_config_add_option (config,
        GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (options & OPT_ALIGN) {
    GstVideoAlignment align;
    guint i;

    gst_video_alignment_reset (&align);
    for (i = 0; i < GST_VIDEO_MAX_PLANES; i++)
      align.stride_align[i] = stride_align;
    align.padding_top = pad_top;
    align.padding_bottom = pad_bottom;
    gst_buffer_pool_config_add_option (config,
        GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT);
    gst_buffer_pool_config_set_video_alignment (config, &align);
  }
  fail_unless (gst_buffer_pool_set_config (pool, config),
      "config for %s refused", caps_str);
  gst_caps_unref (caps);
  return pool;
}

#define SMALL_CAPS "video/x-raw,format=NV12,width=320,height=240"
#define SMALL_SIZE (320 * 240 * 3 / 2)

static GstBufferPool *
make_pool (guint min, guint max)
{
  return make_pool_full (alloc, SMALL_CAPS, SMALL_SIZE, min, max, 0, 0, 0, 0);
}

static void
buffer_destroy_notify (gpointer ptr)
{
  gint *counter = ptr;

  *counter += 1;
}

/* Counts in @counter the finalisation of @buf (not its return to a pool). */
static void
buffer_track_destroy (GstBuffer * buf, gint * counter)
{
  gst_mini_object_set_qdata (GST_MINI_OBJECT (buf),
      g_quark_from_static_string ("TestTracker"), counter,
      buffer_destroy_notify);
}

static GstBuffer *
acquire (GstBufferPool * pool)
{
  GstBuffer *buf = NULL;

  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_OK);
  fail_unless (buf != NULL);
  return buf;
}

/* Asserts that @buf holds one VVAS memory of @size bytes on @bank. */
static void
assert_vvas_buffer (GstBuffer * buf, gsize size, gint bank)
{
  GstMemory *mem;

  fail_unless_equals_int (gst_buffer_n_memory (buf), 1);
  mem = gst_buffer_peek_memory (buf, 0);
  fail_unless (gst_is_vvas_memory (mem));
  fail_unless (GST_IS_VVAS_ALLOCATOR (mem->allocator));
  fail_unless_equals_uint64 (gst_buffer_get_size (buf), size);
  fail_unless_equals_int (gst_vvas_memory_get_device_index (mem), 0);
  fail_unless_equals_int (gst_vvas_memory_get_bank_index (mem), bank);
  fail_unless (gst_vvas_memory_get_bo (mem) != NULL);
}

GST_START_TEST (test_new_buffer_from_empty_pool)
{
  GstBufferPool *pool = make_pool (0, 0);
  GstBuffer *buf;

  fail_unless (GST_IS_VVAS_BUFFER_POOL (pool));
  fail_unless (gst_vvas_buffer_pool_get_allocator (pool) == alloc);
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  /* A minimum of zero: nothing allocated until asked for. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);

  buf = acquire (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 1);
  assert_vvas_buffer (buf, SMALL_SIZE, 0);
  fail_unless (gst_buffer_peek_memory (buf, 0)->allocator == alloc);
  /* No video meta without the option. */
  fail_unless (gst_buffer_get_video_meta (buf) == NULL);
  /* Allocation transfers nothing. */
  assert_syncs (0, 0);

  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_buffer_is_recycled)
{
  GstBufferPool *pool = make_pool (0, 0);
  GstBuffer *buf, *prev;
  GstMemory *prev_mem;
  gpointer prev_bo;
  gint dcount = 0;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf = acquire (pool);
  prev = buf;
  prev_mem = gst_buffer_peek_memory (buf, 0);
  prev_bo = gst_vvas_memory_get_bo (prev_mem);
  buffer_track_destroy (buf, &dcount);
  gst_buffer_unref (buf);

  /* Not freed: back in the pool, with its device memory. */
  fail_unless_equals_int (dcount, 0);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 0);

  buf = acquire (pool);
  fail_unless (buf == prev, "got a fresh buffer instead of previous");
  fail_unless (gst_buffer_peek_memory (buf, 0) == prev_mem);
  fail_unless (gst_vvas_memory_get_bo (prev_mem) == prev_bo);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 1);

  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);

  /* Gone now, with its buffer object. */
  fail_unless_equals_int (dcount, 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
}

GST_END_TEST;

GST_START_TEST (test_buffer_out_of_order_reuse)
{
  GstBufferPool *pool = make_pool (0, 0);
  GstBuffer *buf1, *buf2, *prev;
  gint dcount1 = 0, dcount2 = 0;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf1 = acquire (pool);
  buffer_track_destroy (buf1, &dcount1);
  buf2 = acquire (pool);
  buffer_track_destroy (buf2, &dcount2);
  fail_unless (gst_buffer_peek_memory (buf1, 0) !=
      gst_buffer_peek_memory (buf2, 0));
  prev = buf2;
  gst_buffer_unref (buf2);
  fail_unless_equals_int (dcount2, 0);

  /* The second buffer comes back while the first is still out. */
  buf2 = acquire (pool);
  fail_unless (buf2 == prev, "got a fresh buffer instead of previous");
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 2);

  gst_buffer_unref (buf1);
  gst_buffer_unref (buf2);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);

  fail_unless_equals_int (dcount1, 1);
  fail_unless_equals_int (dcount2, 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 2);
}

GST_END_TEST;

/*
 * GStreamer's contract for a config a pool cannot take as it is:
 * set_config() returns FALSE, having written the nearest config it can take
 * into it; the caller reads that back with gst_buffer_pool_get_config(),
 * checks it with gst_buffer_pool_config_validate_params() and sets it.
 * GstBaseSrc, GstBaseTransform and GstVideoDecoder do so. Asserts that
 * @config is refused with a warning that says @why, corrected to @size,
 * @min and @max, and that the correction is accepted.
 */
static void
assert_refused_and_corrected (GstBufferPool * pool, GstStructure * config,
    const gchar * why, guint size, guint min, guint max)
{
  GstCaps *caps, *asked;
  guint asked_size, asked_min, asked_max, new_size, new_min, new_max;

  fail_unless (gst_buffer_pool_config_get_params (config, &caps, &asked_size,
          &asked_min, &asked_max));
  asked = gst_caps_ref (caps);
  fail_if (gst_buffer_pool_set_config (pool, config));
  fail_unless (gst_vvas_test_warned ("vvasbufferpool", why),
      "no warning saying \"%s\"", why);

  config = gst_buffer_pool_get_config (pool);
  fail_unless (gst_buffer_pool_config_get_params (config, &caps, &new_size,
          &new_min, &new_max));
  fail_unless (gst_caps_is_equal (caps, asked));
  fail_unless_equals_int (new_size, size);
  fail_unless_equals_int (new_min, min);
  fail_unless_equals_int (new_max, max);
  fail_unless (gst_buffer_pool_config_validate_params (config, asked,
          asked_size, asked_min, asked_max));
  fail_unless (gst_buffer_pool_set_config (pool, config));
  gst_caps_unref (asked);
}

GST_START_TEST (test_pool_config_buffer_size)
{
  GstBufferPool *pool;
  GstStructure *config;
  GstCaps *caps = gst_caps_from_string (SMALL_CAPS);
  GstBuffer *buf;

  gst_vvas_test_watch_warnings ("vvasbufferpool");
  /* Too small for a frame (GstVideoBufferPool refuses it too): refused, the
   * config corrected to a frame's size, which is then accepted. */
  pool = gst_vvas_buffer_pool_new (alloc);
  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, 10, 0, 0);
  assert_refused_and_corrected (pool, config, "size 10", SMALL_SIZE, 0, 0);
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf = acquire (pool);
  assert_vvas_buffer (buf, SMALL_SIZE, 0);
  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);

  /* Larger than a frame: kept. */
  pool = make_pool_full (alloc, SMALL_CAPS, SMALL_SIZE + 4097, 0, 0, 0, 0, 0,
      0);
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf = acquire (pool);
  assert_vvas_buffer (buf, SMALL_SIZE + 4097, 0);
  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  gst_vvas_test_unwatch_warnings ();
}

GST_END_TEST;

GST_START_TEST (test_config_min_above_max)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (alloc);
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstCaps *caps = gst_caps_from_string (SMALL_CAPS);
  GstBufferPoolAcquireParams dontwait = {.flags =
        GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT
  };
  GstBuffer *bufs[3], *buf = NULL;
  guint i;

  gst_vvas_test_watch_warnings ("vvasbufferpool");
  /* gst_buffer_pool_config_set_params() refuses min > max; a config made
   * by hand (or from a string) can hold it all the same. */
  gst_buffer_pool_config_set_params (config, caps, SMALL_SIZE, 0, 0);
  gst_structure_set (config, "min-buffers", G_TYPE_UINT, 3, "max-buffers",
      G_TYPE_UINT, 2, NULL);
  /* Refused with no critical warning, corrected to at most as many as the
   * minimum asked for. */
  assert_refused_and_corrected (pool, config, "min-buffers 3 > max-buffers 2",
      SMALL_SIZE, 3, 3);

  /* Three buffers, allocated at activation, and recycled. */
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 3);
  for (i = 0; i < 3; i++)
    bufs[i] = acquire (pool);
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf,
          &dontwait), GST_FLOW_EOS);
  gst_buffer_unref (bufs[1]);
  buf = acquire (pool);
  fail_unless (buf == bufs[1]);
  gst_buffer_unref (buf);
  gst_buffer_unref (bufs[0]);
  gst_buffer_unref (bufs[2]);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 3);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 3);

  gst_caps_unref (caps);
  gst_object_unref (pool);
  gst_vvas_test_unwatch_warnings ();
}

GST_END_TEST;

/* A config of @pool for @caps_str, @size bytes, @min buffers or more. */
static GstStructure *
new_config (GstBufferPool * pool, const gchar * caps_str, guint size, guint min)
{
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstCaps *caps = gst_caps_from_string (caps_str);

  gst_buffer_pool_config_set_params (config, caps, size, min, 0);
  gst_caps_unref (caps);
  return config;
}

/*
 * GstBufferPool keeps the last config it was given, refused or not, and
 * lets a pool that was configured once activate: a pool whose config was
 * refused must neither start on the previous config nor be stuck.
 */
GST_START_TEST (test_refused_config_keeps_pool_usable)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (alloc);
  GstBuffer *buf;

  gst_vvas_test_watch_warnings ("vvasbufferpool");
  fail_unless (gst_buffer_pool_set_config (pool, new_config (pool,
              SMALL_CAPS, SMALL_SIZE, 1)));
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  xrt_count_reset ();

  /* Caps no config can fix: refused, and no activation on the old config
   * (which would allocate its one buffer). */
  fail_if (gst_buffer_pool_set_config (pool, new_config (pool,
              "audio/x-raw,format=S16LE,rate=48000,channels=2,"
              "layout=interleaved", SMALL_SIZE, 1)));
  fail_unless (gst_vvas_test_warned ("vvasbufferpool", "not raw video"));
  fail_if (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless (gst_vvas_test_warned ("vvasbufferpool", "refused"));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);

  /* A valid config again: it works, with the new caps. */
  fail_unless (gst_buffer_pool_set_config (pool, new_config (pool,
              "video/x-raw,format=RGBA,width=16,height=16", 16 * 16 * 4, 1)));
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 1);
  buf = acquire (pool);
  assert_vvas_buffer (buf, 16 * 16 * 4, 0);
  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));

  gst_object_unref (pool);
  gst_vvas_test_unwatch_warnings ();
}

GST_END_TEST;

GST_START_TEST (test_inactive_pool_returns_flushing)
{
  GstBufferPool *pool = make_pool (2, 0);
  GstBuffer *buf = NULL;

  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_FLUSHING);
  fail_unless (buf == NULL);
  /* Configuring allocates nothing; only activation does. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);

  /* And again once deactivated. */
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_FLUSHING);
  fail_unless (buf == NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 2);
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_unconfigured_pool_cannot_activate)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (alloc);
  GstBuffer *buf = NULL;

  /* No caps yet: nothing to allocate for. */
  fail_if (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_FLUSHING);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_flushing_pool_returns_flushing)
{
  GstBufferPool *pool = make_pool (0, 0);
  GstBuffer *buf = NULL;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  gst_buffer_pool_set_flushing (pool, TRUE);
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_FLUSHING);
  fail_unless (buf == NULL);

  gst_buffer_pool_set_flushing (pool, FALSE);
  buf = acquire (pool);
  assert_vvas_buffer (buf, SMALL_SIZE, 0);
  gst_buffer_unref (buf);
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_buffer_modify_discard)
{
  GstBufferPool *pool = make_pool (0, 0);
  GstBuffer *buf, *prev;
  GstMemory *mem, *share;
  gint dcount = 0;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));

  /* Memory removed: the buffer is destroyed, not reused. */
  buf = acquire (pool);
  buffer_track_destroy (buf, &dcount);
  gst_buffer_remove_all_memory (buf);
  gst_buffer_unref (buf);
  fail_unless_equals_int (dcount, 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);

  /* Resized: reused, with its full size back. */
  buf = acquire (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 2);
  buffer_track_destroy (buf, &dcount);
  prev = buf;
  mem = gst_buffer_peek_memory (buf, 0);
  gst_buffer_resize (buf, 8, 2);
  gst_buffer_unref (buf);
  fail_unless_equals_int (dcount, 1);
  buf = acquire (pool);
  fail_unless (buf == prev, "got a fresh buffer instead of previous");
  fail_unless (gst_buffer_peek_memory (buf, 0) == mem);
  assert_vvas_buffer (buf, SMALL_SIZE, 0);
  fail_unless_equals_uint64 (gst_buffer_peek_memory (buf, 0)->offset, 0);

  /* A plain reference to its memory: not exclusive, so reused. */
  mem = gst_buffer_get_memory (buf, 0);
  gst_buffer_unref (buf);
  gst_memory_unref (mem);
  fail_unless_equals_int (dcount, 1);
  buf = acquire (pool);
  fail_unless (buf == prev, "got a fresh buffer instead of previous");

  /* Memory locked exclusively by someone else: discarded. */
  mem = gst_buffer_get_memory (buf, 0);
  gst_memory_lock (mem, GST_LOCK_FLAG_EXCLUSIVE);
  gst_buffer_unref (buf);
  fail_unless_equals_int (dcount, 2);
  /* The memory lives on with its holder. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
  gst_memory_unlock (mem, GST_LOCK_FLAG_EXCLUSIVE);
  gst_memory_unref (mem);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 2);

  /* Memory shared away (a sub-memory still alive): discarded too, so that
   * nobody is handed device memory another holder still reads. */
  buf = acquire (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 3);
  buffer_track_destroy (buf, &dcount);
  share = gst_memory_share (gst_buffer_peek_memory (buf, 0), 0, 100);
  gst_buffer_unref (buf);
  fail_unless_equals_int (dcount, 3);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 2);
  gst_memory_unref (share);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 3);

  /* Memory replaced by system memory: never handed out again as a pool
   * buffer. */
  buf = acquire (pool);
  buffer_track_destroy (buf, &dcount);
  gst_buffer_replace_all_memory (buf, gst_allocator_alloc (NULL, SMALL_SIZE,
          NULL));
  gst_buffer_unref (buf);
  fail_unless_equals_int (dcount, 4);
  buf = acquire (pool);
  assert_vvas_buffer (buf, SMALL_SIZE, 0);
  gst_buffer_unref (buf);

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE),
      xrt_count_get (XRT_CALL_BO_ALLOC));
}

GST_END_TEST;

static gpointer
unref_buf (gpointer p)
{
  GstBuffer *buf = (GstBuffer *) p;

  /* Memory removed: the pool must not reuse this buffer. */
  gst_buffer_remove_all_memory (buf);
  gst_buffer_unref (buf);
  return NULL;
}

GST_START_TEST (test_no_deadlock_for_buffer_discard)
{
  GstBufferPool *pool = make_pool (1, 1);
  GstBuffer *buf1, *buf2;
  GThread *thread;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf1 = acquire (pool);
  thread = g_thread_new ("discard", unref_buf, buf1);
  /* Blocks until buf1 is discarded, then gets a new buffer. */
  buf2 = acquire (pool);
  assert_vvas_buffer (buf2, SMALL_SIZE, 0);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 2);
  g_thread_join (thread);
  gst_buffer_unref (buf2);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 2);
}

GST_END_TEST;

typedef struct
{
  GstBufferPool *pool;
  GstBuffer *buf;
  GstFlowReturn ret;
  gint started;
  gint done;
} BlockedAcquire;

static gpointer
blocked_acquire (gpointer data)
{
  BlockedAcquire *b = data;

  g_atomic_int_set (&b->started, 1);
  b->ret = gst_buffer_pool_acquire_buffer (b->pool, &b->buf, NULL);
  g_atomic_int_set (&b->done, 1);
  return NULL;
}

/* Starts an acquire in a thread and checks that it blocks. */
static GThread *
start_blocked_acquire (BlockedAcquire * b, GstBufferPool * pool)
{
  GThread *thread;

  memset (b, 0, sizeof (*b));
  b->pool = pool;
  b->ret = GST_FLOW_CUSTOM_ERROR;
  thread = g_thread_new ("acquire", blocked_acquire, b);
  while (!g_atomic_int_get (&b->started))
    g_usleep (1000);
  g_usleep (50000);
  fail_if (g_atomic_int_get (&b->done), "acquire at max_buffers returned %s",
      gst_flow_get_name (b->ret));
  return thread;
}

GST_START_TEST (test_blocked_acquire_unblocks_on_deactivate)
{
  GstBufferPool *pool = make_pool (0, 2);
  GstBuffer *buf1, *buf2;
  BlockedAcquire b;
  GThread *thread;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf1 = acquire (pool);
  buf2 = acquire (pool);
  thread = start_blocked_acquire (&b, pool);

  /* Deactivation wakes it up, empty-handed. */
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  g_thread_join (thread);
  fail_unless_equals_int (b.ret, GST_FLOW_FLUSHING);
  fail_unless (b.buf == NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 2);

  /* The buffers still out are freed when they come back. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 0);
  gst_buffer_unref (buf1);
  gst_buffer_unref (buf2);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 2);
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_blocked_acquire_unblocks_on_flush_and_release)
{
  GstBufferPool *pool = make_pool (0, 1);
  GstBuffer *buf;
  BlockedAcquire b;
  GThread *thread;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf = acquire (pool);

  /* A release hands the buffer to the waiting acquire. */
  thread = start_blocked_acquire (&b, pool);
  gst_buffer_unref (buf);
  g_thread_join (thread);
  fail_unless_equals_int (b.ret, GST_FLOW_OK);
  fail_unless (b.buf == buf);
  buf = b.buf;

  /* Flushing wakes a waiting acquire too. */
  thread = start_blocked_acquire (&b, pool);
  gst_buffer_pool_set_flushing (pool, TRUE);
  g_thread_join (thread);
  fail_unless_equals_int (b.ret, GST_FLOW_FLUSHING);
  fail_unless (b.buf == NULL);
  gst_buffer_pool_set_flushing (pool, FALSE);

  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 1);
  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_dontwait_at_max)
{
  GstBufferPool *pool = make_pool (0, 2);
  GstBufferPoolAcquireParams params = {
    .flags = GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT
  };
  GstBuffer *buf1, *buf2, *buf = NULL;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf1,
          &params), GST_FLOW_OK);
  buf2 = acquire (pool);
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf,
          &params), GST_FLOW_EOS);
  fail_unless (buf == NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 2);

  /* One back: available again, without waiting and without allocating. */
  gst_buffer_unref (buf2);
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf,
          &params), GST_FLOW_OK);
  fail_unless (buf == buf2);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 2);

  gst_buffer_unref (buf);
  gst_buffer_unref (buf1);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_flush_wakes_every_waiter)
{
  GstBufferPool *pool = make_pool (0, 1);
  BlockedAcquire b[3];
  GThread *threads[3];
  GstBuffer *buf;
  guint i;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf = acquire (pool);
  for (i = 0; i < G_N_ELEMENTS (b); i++)
    threads[i] = start_blocked_acquire (&b[i], pool);

  /* All of them, not just one. */
  gst_buffer_pool_set_flushing (pool, TRUE);
  for (i = 0; i < G_N_ELEMENTS (b); i++) {
    g_thread_join (threads[i]);
    fail_unless_equals_int (b[i].ret, GST_FLOW_FLUSHING);
    fail_unless (b[i].buf == NULL);
  }
  gst_buffer_pool_set_flushing (pool, FALSE);

  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_min_buffers_allocated_at_activation)
{
  GstBufferPool *pool = make_pool (3, 5);
  GstBuffer *bufs[5];
  guint i;

  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 3);
  assert_syncs (0, 0);

  /* The three preallocated ones first, then new ones up to the max. */
  for (i = 0; i < 3; i++)
    bufs[i] = acquire (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 3);
  for (; i < 5; i++)
    bufs[i] = acquire (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 5);

  for (i = 0; i < 5; i++)
    gst_buffer_unref (bufs[i]);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 0);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 5);
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_max_zero_is_unlimited)
{
  GstBufferPool *pool = make_pool (0, 0);
  GstBufferPoolAcquireParams params = {
    .flags = GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT
  };
  GstBuffer *bufs[20];
  guint i, j;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  for (i = 0; i < G_N_ELEMENTS (bufs); i++) {
    /* Never EOS, even without waiting. */
    fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &bufs[i],
            &params), GST_FLOW_OK);
    assert_vvas_buffer (bufs[i], SMALL_SIZE, 0);
    for (j = 0; j < i; j++)
      fail_unless (gst_buffer_peek_memory (bufs[i], 0) !=
          gst_buffer_peek_memory (bufs[j], 0));
  }
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 20);
  for (i = 0; i < G_N_ELEMENTS (bufs); i++)
    gst_buffer_unref (bufs[i]);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 20);
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_beyond_min_kept_up_to_max)
{
  GstBufferPool *pool = make_pool (1, 4);
  GstBufferPoolAcquireParams params = {
    .flags = GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT
  };
  GstBuffer *bufs[4], *again[4], *buf = NULL;
  guint i, j;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 1);
  for (i = 0; i < 4; i++)
    bufs[i] = acquire (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 4);
  for (i = 0; i < 4; i++)
    gst_buffer_unref (bufs[i]);
  /* The three allocated above the minimum are kept, not freed. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 0);

  /* The same four come back, the last released first; no new one. */
  for (i = 0; i < 4; i++) {
    again[i] = acquire (pool);
    fail_unless (again[i] == bufs[3 - i]);
  }
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 4);
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf,
          &params), GST_FLOW_EOS);
  for (i = 0; i < 4; i++)
    for (j = 0; j < i; j++)
      fail_if (again[i] == again[j]);

  for (i = 0; i < 4; i++)
    gst_buffer_unref (again[i]);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 4);
  gst_object_unref (pool);
}

GST_END_TEST;

static guint
count_vvas_metas (GstBuffer * buf)
{
  gpointer state = NULL;
  guint n = 0;

  while (gst_buffer_iterate_meta_filtered (buf, &state, GST_VVAS_META_API_TYPE))
    n++;
  return n;
}

#define assert_vvas_meta_times(meta, p, d, dur) G_STMT_START {          \
  fail_unless_equals_uint64 ((meta)->metadata.pts, (p));                \
  fail_unless_equals_uint64 ((meta)->metadata.dts, (d));                \
  fail_unless_equals_uint64 ((meta)->metadata.duration, (dur));         \
} G_STMT_END

GST_START_TEST (test_pooled_vvas_meta)
{
  GstBufferPool *pool = make_pool_full (alloc, SMALL_CAPS, 0, 1, 1, OPT_META,
      0, 0, 0);
  GstBuffer *buf, *pooled, *src;
  GstVvasMeta *meta, *pooled_meta;
  VvasMetadata md = { 7 * GST_SECOND, 6 * GST_SECOND, GST_SECOND / 25 };
  guint cycle;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  pooled = acquire (pool);
  pooled_meta = gst_buffer_get_vvas_meta (pooled);
  fail_unless (pooled_meta != NULL, "a pool buffer without GstVvasMeta");
  fail_unless (GST_META_FLAG_IS_SET (pooled_meta, GST_META_FLAG_POOLED));
  fail_unless_equals_int (count_vvas_metas (pooled), 1);
  assert_vvas_meta_times (pooled_meta, GST_CLOCK_TIME_NONE,
      GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE);
  gst_buffer_unref (pooled);

  /* A source of metadata copies, as an element's copy_metadata uses. */
  src = gst_buffer_new ();
  gst_buffer_add_vvas_meta (src, &md);

  for (cycle = 0; cycle < 5; cycle++) {
    GstClockTime pts = cycle * GST_SECOND;

    buf = acquire (pool);
    fail_unless (buf == pooled);
    meta = gst_buffer_get_vvas_meta (buf);
    /* The same meta, one of it, its times reset by the last release. */
    fail_unless (meta == pooled_meta);
    fail_unless_equals_int (count_vvas_metas (buf), 1);
    fail_unless (GST_META_FLAG_IS_SET (meta, GST_META_FLAG_POOLED));
    fail_unless (!GST_BUFFER_PTS_IS_VALID (buf));
    assert_vvas_meta_times (meta, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE,
        GST_CLOCK_TIME_NONE);

    if (cycle % 2 == 0) {
      /* As vvasupload does: the buffer's times written into its meta. */
      GST_BUFFER_PTS (buf) = pts;
      GST_BUFFER_DTS (buf) = pts;
      GST_BUFFER_DURATION (buf) = GST_SECOND;
      fail_unless (gst_vvas_buffer_write_metadata (buf));
      assert_vvas_meta_times (meta, pts, pts, GST_SECOND);
    } else {
      /* As a copy of metadata does: the meta's transform. */
      fail_unless (gst_buffer_copy_into (buf, src, GST_BUFFER_COPY_META, 0,
              -1));
      assert_vvas_meta_times (meta, md.pts, md.dts, md.duration);
    }
    fail_unless (gst_buffer_get_vvas_meta (buf) == meta);
    fail_unless_equals_int (count_vvas_metas (buf), 1);
    gst_buffer_unref (buf);
  }
  gst_buffer_unref (src);

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 1);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_steady_state_allocates_nothing)
{
  GstBufferPool *pool = make_pool_full (alloc,
      "video/x-raw,format=NV12,width=1920,height=1080", 0, 2, 0, OPT_META,
      0, 0, 0);
  GstBuffer *a, *b;
  guint i, call;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 2);
  xrt_count_reset ();

  for (i = 0; i < 100; i++) {
    a = acquire (pool);
    b = acquire (pool);
    GST_BUFFER_PTS (a) = i * GST_SECOND;
    gst_buffer_unref (b);
    gst_buffer_unref (a);
  }
  /* Not a single call into XRT: no allocation, free, map or transfer. */
  for (call = 0; call < XRT_CALL_LAST; call++)
    fail_unless_equals_uint64 (xrt_count_get (call), 0);

  /* Returned buffers are reset: no stale timestamp, the video meta kept. */
  a = acquire (pool);
  fail_unless (!GST_BUFFER_PTS_IS_VALID (a));
  fail_unless (gst_buffer_get_video_meta (a) != NULL);
  gst_buffer_unref (a);

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 2);
  gst_object_unref (pool);
}

GST_END_TEST;

typedef struct
{
  const gchar *caps;
  guint options;
  guint stride_align;
  guint pad_top, pad_bottom;
  guint size;
  guint n_planes;
  gint stride[3];
  gsize offset[3];
} LayoutCase;

/* Expected layouts, worked out by hand from GStreamer's video-info rules:
 * strides grow with the padded width until they meet the alignment. */
static const LayoutCase layouts[] = {
  /* Default layout, meta only. */
  {"video/x-raw,format=NV12,width=1918,height=1080", OPT_META, 0, 0, 0,
      3110400, 2, {1920, 1920}, {0, 2073600}},
  {"video/x-raw,format=I420,width=321,height=241", OPT_META, 0, 0, 0,
      118096, 3, {324, 164, 164}, {0, 78408, 98252}},
  /* 256-byte strides, as accelerators want them. */
  {"video/x-raw,format=NV12,width=1918,height=1080", OPT_META | OPT_ALIGN,
      255, 0, 0, 3317760, 2, {2048, 2048}, {0, 2211840}},
  {"video/x-raw,format=I420,width=321,height=241", OPT_META | OPT_ALIGN,
      255, 0, 0, 185856, 3, {512, 256, 256}, {0, 123904, 154880}},
  {"video/x-raw,format=RGBA,width=321,height=241", OPT_META | OPT_ALIGN,
      255, 0, 0, 370176, 1, {1536}, {0}},
  {"video/x-raw,format=GRAY8,width=321,height=241", OPT_META | OPT_ALIGN,
      255, 0, 0, 123392, 1, {512}, {0}},
  /* Padding rows move the planes' first visible bytes. */
  {"video/x-raw,format=NV12,width=320,height=240", OPT_META | OPT_ALIGN,
      63, 2, 2, 117120, 2, {320, 320}, {640, 78400}},
};

GST_START_TEST (test_video_meta_layout)
{
  const LayoutCase *c = &layouts[__i__];
  GstBufferPool *pool = make_pool_full (alloc, c->caps, 0, 1, 0, c->options,
      c->stride_align, c->pad_top, c->pad_bottom);
  GstStructure *config;
  GstVideoMeta *meta;
  GstVideoAlignment align;
  GstVideoInfo info;
  GstVideoFrame frame;
  GstCaps *caps;
  GstBuffer *buf;
  GstMapInfo map;
  guint size, i;

  /* The config reports the size it settled on. */
  config = gst_buffer_pool_get_config (pool);
  fail_unless (gst_buffer_pool_config_get_params (config, &caps, &size, NULL,
          NULL));
  fail_unless_equals_int (size, c->size);
  fail_unless (gst_video_info_from_caps (&info, caps));
  if (c->options & OPT_ALIGN) {
    fail_unless (gst_buffer_pool_config_get_video_alignment (config, &align));
    for (i = 0; i < c->n_planes; i++)
      fail_unless_equals_int (align.stride_align[i] & c->stride_align,
          c->stride_align);
  }
  gst_structure_free (config);

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf = acquire (pool);
  assert_vvas_buffer (buf, c->size, 0);

  meta = gst_buffer_get_video_meta (buf);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->format, GST_VIDEO_INFO_FORMAT (&info));
  fail_unless_equals_int (meta->width, GST_VIDEO_INFO_WIDTH (&info));
  fail_unless_equals_int (meta->height, GST_VIDEO_INFO_HEIGHT (&info));
  fail_unless_equals_int (meta->n_planes, c->n_planes);
  for (i = 0; i < c->n_planes; i++) {
    fail_unless_equals_int (meta->stride[i], c->stride[i]);
    fail_unless_equals_uint64 (meta->offset[i], c->offset[i]);
    if (c->options & OPT_ALIGN)
      fail_unless_equals_int (meta->alignment.stride_align[i] &
          c->stride_align, c->stride_align);
  }
  if (c->options & OPT_ALIGN) {
    fail_unless_equals_int (meta->alignment.padding_top, c->pad_top);
    fail_unless_equals_int (meta->alignment.padding_bottom, c->pad_bottom);
  }

  /* The memory starts as aligned as its strides, so every row is too. */
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless_equals_uint64 ((guintptr) map.data & c->stride_align, 0);
  gst_buffer_unmap (buf, &map);

  /* A video frame maps through the meta to the same planes. */
  fail_unless (gst_video_frame_map (&frame, &info, buf, GST_MAP_READ));
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (i = 0; i < c->n_planes; i++) {
    fail_unless_equals_int (GST_VIDEO_FRAME_PLANE_STRIDE (&frame, i),
        c->stride[i]);
    fail_unless ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, i) ==
        map.data + c->offset[i]);
  }
  gst_buffer_unmap (buf, &map);
  gst_video_frame_unmap (&frame);

  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_memory_alignment_does_not_widen_strides)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (alloc);
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstCaps *caps =
      gst_caps_from_string ("video/x-raw,format=NV12,width=1920,height=1080");
  GstAllocationParams params;
  GstVideoAlignment align;
  GstVideoMeta *meta;
  GstBuffer *buf;
  GstMapInfo map;

  /* Page-aligned memory, no stride alignment asked for (padding only). */
  gst_buffer_pool_config_set_params (config, caps, 1920 * 1080 * 3 / 2, 0, 0);
  gst_allocation_params_init (&params);
  params.align = 4095;
  gst_buffer_pool_config_set_allocator (config, alloc, &params);
  gst_buffer_pool_config_add_option (config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  gst_buffer_pool_config_add_option (config,
      GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT);
  gst_video_alignment_reset (&align);
  align.padding_bottom = 8;
  gst_buffer_pool_config_set_video_alignment (config, &align);
  fail_unless (gst_buffer_pool_set_config (pool, config));
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));

  buf = acquire (pool);
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless_equals_uint64 ((guintptr) map.data & 4095, 0);
  gst_buffer_unmap (buf, &map);
  /* The strides follow the requested (default) alignment: the memory's
   * alignment is no reason for 4096-byte rows. */
  meta = gst_buffer_get_video_meta (buf);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->stride[0], 1920);
  fail_unless_equals_int (meta->stride[1], 1920);
  fail_unless_equals_uint64 (meta->offset[1], 1920 * 1088);
  fail_unless_equals_uint64 (gst_buffer_get_size (buf), 1920 * 1088 * 3 / 2);

  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_caps_unref (caps);
  gst_object_unref (pool);
}

GST_END_TEST;

/*
 * Sets @config on @pool: TRUE if accepted. A refused config must have said
 * @why in a warning (and @why is NULL for a config that must be accepted),
 * and cannot be activated.
 */
static gboolean
set_config_why (GstBufferPool * pool, GstStructure * config, const gchar * why)
{
  gboolean ok = gst_buffer_pool_set_config (pool, config);

  if (!ok) {
    fail_unless (why != NULL, "a valid config was refused");
    fail_unless (gst_vvas_test_warned ("vvasbufferpool", why),
        "no warning saying \"%s\"", why);
    fail_if (gst_buffer_pool_set_active (pool, TRUE));
  }
  return ok;
}

/*
 * Tries a config on a new pool made with @pool_alloc: @caps_str (a frame's
 * size if it is raw video, else 4096 bytes), @config_alloc, the video meta
 * option and a 256-byte stride alignment if asked; @why as for
 * set_config_why(). Returns whether it was accepted.
 */
static gboolean
try_config (GstAllocator * pool_alloc, const gchar * caps_str,
    GstAllocator * config_alloc, gboolean meta, gboolean alignment,
    const gchar * why)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (pool_alloc);
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstCaps *caps = caps_str ? gst_caps_from_string (caps_str) : NULL;
  GstVideoInfo info;
  gboolean ok;

  gst_buffer_pool_config_set_params (config, caps, caps &&
      gst_video_info_from_caps (&info, caps) ? info.size : 4096, 0, 0);
  if (config_alloc)
    gst_buffer_pool_config_set_allocator (config, config_alloc, NULL);
  if (meta)
    gst_buffer_pool_config_add_option (config,
        GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (alignment) {
    GstVideoAlignment align;

    gst_video_alignment_reset (&align);
    align.stride_align[0] = 255;
    gst_buffer_pool_config_add_option (config,
        GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT);
    gst_buffer_pool_config_set_video_alignment (config, &align);
  }
  ok = set_config_why (pool, config, why);
  gst_clear_caps (&caps);
  gst_object_unref (pool);
  return ok;
}

/* Config edits for try_edited_config(). */
typedef void (*ConfigEdit) (GstStructure * config);

static void
edit_unfixed_caps (GstStructure * config)
{
  GstCaps *caps = gst_caps_from_string ("video/x-raw,format=NV12,"
      "width=[16,320],height=240");

  gst_structure_set (config, "caps", GST_TYPE_CAPS, caps, NULL);
  gst_caps_unref (caps);
}

static void
edit_no_caps_field (GstStructure * config)
{
  gst_structure_remove_field (config, "caps");
}

static void
edit_params_align_100 (GstStructure * config)
{
  GstAllocationParams params;

  gst_allocation_params_init (&params);
  params.align = 100;
  gst_buffer_pool_config_set_allocator (config, alloc, &params);
}

static void
set_stride_align (GstStructure * config, guint stride_align)
{
  GstVideoAlignment align;

  gst_buffer_pool_config_add_option (config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  gst_buffer_pool_config_add_option (config,
      GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT);
  gst_video_alignment_reset (&align);
  align.stride_align[1] = stride_align;
  gst_buffer_pool_config_set_video_alignment (config, &align);
}

static void
edit_stride_align_127 (GstStructure * config)
{
  set_stride_align (config, 127);
}

static void
edit_stride_align_100 (GstStructure * config)
{
  set_stride_align (config, 100);
}

/* A valid config for SMALL_CAPS changed by @edit on a new pool, as
 * set_config_why() takes it. */
static gboolean
try_edited_config (ConfigEdit edit, const gchar * why)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (alloc);
  GstStructure *config = new_config (pool, SMALL_CAPS, SMALL_SIZE, 0);
  gboolean ok;

  edit (config);
  ok = set_config_why (pool, config, why);
  gst_object_unref (pool);
  return ok;
}

GST_START_TEST (test_config_rejected)
{
  GstAllocator *sysmem = gst_allocator_find (NULL);

  gst_vvas_test_watch_warnings ("vvasbufferpool");
  /* The valid baseline each case below changes one thing of. */
  fail_unless (try_config (alloc, SMALL_CAPS, NULL, TRUE, TRUE, NULL));

  /* Video alignment needs the video meta, or nobody learns the strides. */
  fail_if (try_config (alloc, SMALL_CAPS, NULL, FALSE, TRUE, "video meta"));
  /* A non-VVAS allocator, with no VVAS allocator to put in its place. */
  fail_if (try_config (NULL, SMALL_CAPS, sysmem, TRUE, FALSE,
          "not a VVAS allocator"));
  /* No allocator at all: neither at creation nor in the config. */
  fail_if (try_config (NULL, SMALL_CAPS, NULL, TRUE, FALSE, "no VVAS"));
  /* Caps that are not raw video, or no caps, or unfixed raw video. */
  fail_if (try_config (alloc, "audio/x-raw,format=S16LE,rate=48000,"
          "channels=2,layout=interleaved", NULL, TRUE, FALSE, "not raw video"));
  fail_if (try_config (alloc, NULL, NULL, TRUE, FALSE, "no caps"));
  fail_if (try_config (alloc, "video/x-raw,format=NV12", NULL, TRUE, FALSE,
          "not raw video"));
  fail_if (try_config (alloc, "image/jpeg,width=320,height=240", NULL, TRUE,
          FALSE, "not raw video"));
  fail_if (try_config (alloc, "video/x-h264,stream-format=byte-stream,"
          "alignment=au,width=320,height=240", NULL, TRUE, FALSE,
          "not raw video"));
  fail_if (try_config (alloc, "video/x-raw,format=ENCODED,width=320,"
          "height=240", NULL, TRUE, FALSE, "not raw video"));

  /* Configs no public setter makes, which must not raise a critical
   * warning either: unfixed caps, and no caps field at all. */
  fail_if (try_edited_config (edit_unfixed_caps, "not fixed"));
  fail_if (try_edited_config (edit_no_caps_field, "no caps"));

  /* Alignments are masks (a power of two less one), as GstAllocator and
   * gst_video_info_align() take them: 100 would reach the allocation as a
   * critical warning, or as strides that are not aligned. */
  fail_if (try_edited_config (edit_params_align_100, "alignment 100"));
  fail_unless (try_edited_config (edit_stride_align_127, NULL));
  fail_if (try_edited_config (edit_stride_align_100, "stride alignment 100"));

  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 0);
  gst_object_unref (sysmem);
  gst_vvas_test_unwatch_warnings ();
}

GST_END_TEST;

/* A pool made with a VVAS allocator and configured with another kind: the
 * config is refused and names the pool's allocator instead, as a caller
 * that follows GStreamer's contract then takes. */
GST_START_TEST (test_config_foreign_allocator_corrected)
{
  GstAllocator *sysmem = gst_allocator_find (NULL);
  GstBufferPool *pool = gst_vvas_buffer_pool_new (alloc);
  GstStructure *config = new_config (pool, SMALL_CAPS, SMALL_SIZE, 1);
  GstAllocator *configured = NULL;
  GstBuffer *buf;

  gst_vvas_test_watch_warnings ("vvasbufferpool");
  gst_buffer_pool_config_set_allocator (config, sysmem, NULL);
  assert_refused_and_corrected (pool, config, "not a VVAS allocator",
      SMALL_SIZE, 1, 0);
  config = gst_buffer_pool_get_config (pool);
  fail_unless (gst_buffer_pool_config_get_allocator (config, &configured,
          NULL));
  fail_unless (configured == alloc);
  gst_structure_free (config);

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf = acquire (pool);
  assert_vvas_buffer (buf, SMALL_SIZE, 0);
  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_object_unref (sysmem);
  gst_vvas_test_unwatch_warnings ();
}

GST_END_TEST;

GST_START_TEST (test_config_allocator_wins)
{
  GstAllocator *bank1 = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  GstBufferPool *pool;
  GstStructure *config;
  GstAllocator *configured = NULL;
  GstBuffer *buf;

  /* Made without an allocator: the config's is used. */
  pool = gst_vvas_buffer_pool_new (NULL);
  fail_unless (gst_vvas_buffer_pool_get_allocator (pool) == NULL);
  gst_object_unref (pool);
  pool = make_pool_full (bank1, SMALL_CAPS, 0, 0, 0, 0, 0, 0, 0);
  gst_object_unref (pool);
  fail_unless (try_config (NULL, SMALL_CAPS, bank1, TRUE, FALSE, NULL));

  /* Made with bank 0, configured with bank 1: bank 1. */
  pool = gst_vvas_buffer_pool_new (alloc);
  fail_unless (gst_vvas_buffer_pool_get_allocator (pool) == alloc);
  config = gst_buffer_pool_get_config (pool);
  {
    GstCaps *caps = gst_caps_from_string (SMALL_CAPS);

    gst_buffer_pool_config_set_params (config, caps, SMALL_SIZE, 0, 0);
    gst_caps_unref (caps);
  }
  gst_buffer_pool_config_set_allocator (config, bank1, NULL);
  fail_unless (gst_buffer_pool_set_config (pool, config));
  fail_unless (gst_vvas_buffer_pool_get_allocator (pool) == bank1);
  config = gst_buffer_pool_get_config (pool);
  fail_unless (gst_buffer_pool_config_get_allocator (config, &configured,
          NULL));
  fail_unless (configured == bank1);
  gst_structure_free (config);

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf = acquire (pool);
  assert_vvas_buffer (buf, SMALL_SIZE, 1);
  fail_unless (gst_buffer_peek_memory (buf, 0)->allocator == bank1);
  gst_buffer_unref (buf);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_object_unref (bank1);
}

GST_END_TEST;

GST_START_TEST (test_options)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (alloc);

  fail_unless (gst_buffer_pool_has_option (pool,
          GST_BUFFER_POOL_OPTION_VIDEO_META));
  fail_unless (gst_buffer_pool_has_option (pool,
          GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT));
  fail_if (gst_buffer_pool_has_option (pool,
          GST_BUFFER_POOL_OPTION_VIDEO_AFFINE_TRANSFORMATION_META));
  /* The caps feature the elements negotiate. */
  fail_unless_equals_string (GST_CAPS_FEATURE_MEMORY_VVAS, "memory:VVASMemory");
  gst_object_unref (pool);
}

GST_END_TEST;

GST_START_TEST (test_activation_failure_and_retry)
{
  GstBufferPool *pool = make_pool (1, 0);
  GstBuffer *buf = NULL, *held;

  /* The device refuses the preallocation: activation fails cleanly. */
  xrt_count_fail_next (XRT_CALL_BO_ALLOC, 1);
  fail_if (gst_buffer_pool_set_active (pool, TRUE));
  fail_if (gst_buffer_pool_is_active (pool));
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_FLUSHING);

  /* Once the device is willing, it works. */
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 2);
  buf = acquire (pool);
  gst_buffer_unref (buf);

  /* A failed allocation beyond the minimum is an error, not a crash. */
  held = acquire (pool);
  xrt_count_fail_next (XRT_CALL_BO_ALLOC, 1);
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_ERROR);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_ALLOC), 3);
  gst_buffer_unref (held);

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
}

GST_END_TEST;

/* Slower under valgrind: fewer rounds there. */
static guint
rounds (guint n)
{
  return g_getenv ("VVAS_UNDER_VALGRIND") ? MAX (n / 10, 1) : n;
}

#define STRESS_THREADS 8
#define STRESS_HOLD 4

typedef struct
{
  GstBufferPool *pool;
  guint hold;                   /* buffers held at most at once */
  gint *stop;
  guint64 cycles;
  GstFlowReturn ret;
} StressWorker;

static gpointer
stress_worker (gpointer data)
{
  StressWorker *w = data;
  GstBuffer *bufs[STRESS_HOLD];
  guint i, n;

  w->ret = GST_FLOW_OK;
  /* A few cycles at least, however late the thread starts (valgrind). */
  while (w->cycles < 100 || !g_atomic_int_get (w->stop)) {
    /* 1, 2, ... hold buffers at once, back in either order. */
    n = 1 + w->cycles % w->hold;
    for (i = 0; i < n; i++) {
      w->ret = gst_buffer_pool_acquire_buffer (w->pool, &bufs[i], NULL);
      if (w->ret != GST_FLOW_OK)
        break;
      GST_BUFFER_PTS (bufs[i]) = w->cycles;
    }
    n = i;
    for (i = 0; i < n; i++)
      gst_buffer_unref (bufs[w->cycles % 2 ? i : n - 1 - i]);
    if (w->ret != GST_FLOW_OK)
      break;
    w->cycles++;
  }
  return NULL;
}

/*
 * Eight threads share one pool: without a maximum, each holds up to four
 * buffers at a time (up to 32 out, more than GstBufferPool's queue starts
 * with); with a maximum of 4, one each, so most of them wait most of the
 * time. Afterwards the pool deactivates, having freed every buffer object
 * it allocated and allocated no more than were ever out at once.
 */
GST_START_TEST (test_shared_pool_threads)
{
  gboolean limited = (__i__ == 1);
  guint hold = limited ? 1 : STRESS_HOLD;
  guint most = limited ? 4 : STRESS_THREADS * STRESS_HOLD;
  GstBufferPool *pool = make_pool (2, limited ? 4 : 0);
  StressWorker workers[STRESS_THREADS];
  GThread *threads[STRESS_THREADS];
  guint64 total = 0, allocs;
  gint stop = 0;
  guint i;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  for (i = 0; i < STRESS_THREADS; i++) {
    memset (&workers[i], 0, sizeof (workers[i]));
    workers[i].pool = pool;
    workers[i].hold = hold;
    workers[i].stop = &stop;
    threads[i] = g_thread_new ("stress", stress_worker, &workers[i]);
  }
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  g_atomic_int_set (&stop, 1);
  for (i = 0; i < STRESS_THREADS; i++) {
    g_thread_join (threads[i]);
    fail_unless_equals_int (workers[i].ret, GST_FLOW_OK);
    fail_unless (workers[i].cycles >= 100);
    total += workers[i].cycles;
  }
  GST_INFO ("%" G_GUINT64_FORMAT " cycles in 300 ms", total);

  allocs = xrt_count_get (XRT_CALL_BO_ALLOC);
  fail_unless (allocs >= 2);
  fail_unless (allocs <= most, "%" G_GUINT64_FORMAT " buffers for at most "
      "%u out at once", allocs, most);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 0);
  fail_unless (gst_buffer_pool_set_active (pool, FALSE),
      "the pool lost track of a buffer");
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), allocs);
  gst_object_unref (pool);
}

GST_END_TEST;

typedef struct
{
  GstBufferPool *pool;
  GstBuffer *bufs[4];
  gint go;
  guint64 acquired;
} Race;

static void
wait_for_go (Race * r)
{
  while (!g_atomic_int_get (&r->go))
    g_thread_yield ();
}

static gpointer
race_release (gpointer data)
{
  Race *r = data;
  guint i;

  wait_for_go (r);
  for (i = 0; i < G_N_ELEMENTS (r->bufs); i++)
    gst_buffer_unref (r->bufs[i]);
  return NULL;
}

static gpointer
race_acquire (gpointer data)
{
  Race *r = data;
  GstBuffer *buf;

  wait_for_go (r);
  /* Until the deactivation reaches it. */
  while (gst_buffer_pool_acquire_buffer (r->pool, &buf, NULL) == GST_FLOW_OK) {
    r->acquired++;
    gst_buffer_unref (buf);
  }
  return NULL;
}

/*
 * Buffers come back, and another thread acquires and releases, while the
 * pool is deactivated: whichever comes last frees everything, every time,
 * and the pool can be activated again.
 */
GST_START_TEST (test_release_races_deactivation)
{
  GstBufferPool *pool = make_pool (1, 0);
  guint round, i, n = rounds (200);
  guint64 acquired = 0;
  Race r;

  for (round = 0; round < n; round++) {
    GThread *releaser, *acquirer;

    memset (&r, 0, sizeof (r));
    r.pool = pool;
    fail_unless (gst_buffer_pool_set_active (pool, TRUE));
    for (i = 0; i < G_N_ELEMENTS (r.bufs); i++)
      r.bufs[i] = acquire (pool);
    releaser = g_thread_new ("release", race_release, &r);
    acquirer = g_thread_new ("acquire", race_acquire, &r);
    g_atomic_int_set (&r.go, 1);
    if (round % 2)
      g_thread_yield ();
    fail_unless (gst_buffer_pool_set_active (pool, FALSE));
    g_thread_join (releaser);
    g_thread_join (acquirer);
    acquired += r.acquired;

    fail_if (gst_buffer_pool_is_active (pool));
    fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE),
        xrt_count_get (XRT_CALL_BO_ALLOC));
  }
  GST_INFO ("%u rounds, %" G_GUINT64_FORMAT " buffers acquired by the "
      "racing thread", n, acquired);
  gst_object_unref (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE),
      xrt_count_get (XRT_CALL_BO_ALLOC));
}

GST_END_TEST;

static void
weak_notify (gpointer data, GObject * where_the_object_was)
{
  *(gboolean *) data = TRUE;
}

GST_START_TEST (test_buffer_outlives_pool)
{
  GstBufferPool *pool = make_pool (2, 0);
  gboolean ctx_gone = FALSE;
  GstBuffer *buf;
  GstMapInfo map;

  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  buf = acquire (pool);
  /* The pool, its allocator and the context go; the buffer stays. As in
   * GStreamer, the free buffers go only when the last one is back. */
  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 0);
  g_object_weak_ref (G_OBJECT (ctx), weak_notify, &ctx_gone);
  gst_clear_object (&alloc);
  gst_clear_object (&ctx);
  fail_if (ctx_gone, "the buffer's memory does not hold its context");

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  fill_pattern (map.data, map.size, 3);
  gst_buffer_unmap (buf, &map);
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless_equals_int (check_pattern (map.data, map.size, 3), -1);
  gst_buffer_unmap (buf, &map);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 0);

  gst_buffer_unref (buf);
  fail_unless (ctx_gone);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 2);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_DEVICE_CLOSE), 1);
}

GST_END_TEST;

static Suite *
vvas_buffer_pool_suite (void)
{
  Suite *s = suite_create ("vvasbufferpool");
  TCase *tc = tcase_create ("gstbufferpool");
  TCase *vvas = tcase_create ("vvas");

  tcase_set_timeout (tc, 60);
  tcase_set_timeout (vvas, 60);
  suite_add_tcase (s, tc);
  suite_add_tcase (s, vvas);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_checked_fixture (vvas, setup, teardown);

  /* GStreamer core's pool checks, on device memory. */
  tcase_add_test (tc, test_new_buffer_from_empty_pool);
  tcase_add_test (tc, test_buffer_is_recycled);
  tcase_add_test (tc, test_buffer_out_of_order_reuse);
  tcase_add_test (tc, test_pool_config_buffer_size);
  tcase_add_test (tc, test_config_min_above_max);
  tcase_add_test (tc, test_refused_config_keeps_pool_usable);
  tcase_add_test (tc, test_inactive_pool_returns_flushing);
  tcase_add_test (tc, test_unconfigured_pool_cannot_activate);
  tcase_add_test (tc, test_flushing_pool_returns_flushing);
  tcase_add_test (tc, test_buffer_modify_discard);
  tcase_add_test (tc, test_no_deadlock_for_buffer_discard);
  tcase_add_test (tc, test_blocked_acquire_unblocks_on_deactivate);
  tcase_add_test (tc, test_blocked_acquire_unblocks_on_flush_and_release);
  tcase_add_test (tc, test_dontwait_at_max);
  tcase_add_test (tc, test_flush_wakes_every_waiter);

  /* What the VVAS pool adds. */
  tcase_add_test (vvas, test_min_buffers_allocated_at_activation);
  tcase_add_test (vvas, test_max_zero_is_unlimited);
  tcase_add_test (vvas, test_beyond_min_kept_up_to_max);
  tcase_add_test (vvas, test_pooled_vvas_meta);
  tcase_add_test (vvas, test_steady_state_allocates_nothing);
  tcase_add_loop_test (vvas, test_video_meta_layout, 0, G_N_ELEMENTS (layouts));
  tcase_add_test (vvas, test_memory_alignment_does_not_widen_strides);
  tcase_add_test (vvas, test_config_rejected);
  tcase_add_test (vvas, test_config_foreign_allocator_corrected);
  tcase_add_test (vvas, test_config_allocator_wins);
  tcase_add_test (vvas, test_options);
  tcase_add_test (vvas, test_activation_failure_and_retry);
  tcase_add_test (vvas, test_buffer_outlives_pool);
  tcase_add_loop_test (vvas, test_shared_pool_threads, 0, 2);
  tcase_add_test (vvas, test_release_races_deactivation);
  return s;
}

int
main (int argc, char **argv)
{
  return gst_vvas_test_run (vvas_buffer_pool_suite, "vvasbufferpool", argc,
      argv);
}
