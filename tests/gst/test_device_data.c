/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Host/device coherence of GstVvasMemory proven by bytes, not only by
 * transfer counts: a kernel (tests/common/xrt_emu.h) reads and writes a
 * memory's device copy at the address a GST_MAP_VVAS map gives, and host
 * maps must see exactly what it wrote, and it what the host wrote: whole
 * and partial writes, shares and their offsets, prefix and padding,
 * gst_memory_copy() on the device and through the host, buffers of several
 * memories, pool buffers across release and acquire (with their
 * GstVvasMeta), overlapping maps and failed transfers. Every step also
 * asserts the exact transfers XRT was asked for.
 *
 * On the emulated device (meson test --setup emulated) the device copy is
 * a buffer of its own, so a missing, misdirected or lost transfer shows as
 * wrong bytes; on XRT's no-op device the kernel touches the host view and
 * the same tests check the offsets and the counts.
 */

#include "gst_test_common.h"
#include "xrt_emu.h"

#include <gst/video/video.h>

static GstVvasContext *ctx;
static GstAllocator *alloc;     /* device memory, bank 0 */
static GstAllocator *alloc1;    /* device memory, bank 1 */
static gint64 live_bos;         /* buffer objects alive before the test */

static void
setup (void)
{
  ctx = gst_vvas_test_context_new ();
  alloc = gst_vvas_allocator_new (ctx, 0, VVAS_ALLOC_TYPE_CMA);
  alloc1 = gst_vvas_allocator_new (ctx, 1, VVAS_ALLOC_TYPE_CMA);
  fail_unless (alloc != NULL && alloc1 != NULL);
  /* The emulated device is on exactly when the set-up asked for it. */
  fail_unless_equals_int (xrt_emu_enabled (),
      g_strcmp0 (g_getenv ("VVAS_XRT_EMULATION"), "1") == 0);
  live_bos = xrt_count_live_bos ();
  xrt_count_reset ();
}

static void
teardown (void)
{
  gst_object_unref (alloc1);
  gst_object_unref (alloc);
  gst_object_unref (ctx);
  /* No memory of the test outlived it. */
  fail_unless_equals_int64 (xrt_count_live_bos (), live_bos);
}

/* --- Patterns and the kernel ------------------------------------------- */

/*
 * The byte at @index of the pattern of @seed. Not periodic within a
 * memory (the higher bits of @index count too), so that bytes read at a
 * wrong offset do not match by chance.
 */
static inline guint8
pat (guint seed, gsize index)
{
  return (guint8) (index * 31 + seed * 71 + (index >> 8) * 13 +
      (index >> 16) * 101);
}

/* Writes the pattern of @seed for indexes @from to @from + @len - 1. */
static void
fill_range (guint8 * data, gsize from, gsize len, guint seed)
{
  gsize i;

  for (i = from; i < from + len; i++)
    data[i] = pat (seed, i);
}

/*
 * Asserts that @data[0..@len) holds the pattern of @seed for indexes @base
 * to @base + @len - 1; @what says where for the failure message.
 */
static void
assert_range (const guint8 * data, gsize base, gsize len, guint seed,
    const gchar * what)
{
  gsize i;

  for (i = 0; i < len; i++) {
    if (data[i] != pat (seed, base + i))
      fail ("%s: byte %" G_GSIZE_FORMAT " is 0x%02x, expected 0x%02x "
          "(pattern %u)", what, base + i, data[i], pat (seed, base + i), seed);
  }
}

/* The offset in @mem's buffer object of the address device map @dev gave. */
static gsize
map_offset (GstMemory * mem, const GstMapInfo * dev)
{
  fail_unless (dev->flags & GST_MAP_VVAS, "not a device map");
  return kernel_offset (mem, (guintptr) dev->data);
}

/* A kernel writes the pattern of @seed at bytes [@from, @from + @len) of
 * device map @dev (indexes of the pattern count from the map's start). */
static void
kernel_put (GstMemory * mem, const GstMapInfo * dev, gsize from,
    gsize len, guint seed)
{
  guint8 *bytes = g_malloc (len);
  gsize i;

  fail_unless (from + len <= dev->size);
  for (i = 0; i < len; i++)
    bytes[i] = pat (seed, from + i);
  fail_unless_equals_int (xrt_emu_kernel_write (gst_vvas_memory_get_bo (mem),
          map_offset (mem, dev) + from, bytes, len), 0);
  g_free (bytes);
}

/* A kernel reads bytes [@from, @from + @len) of device map @dev and asserts
 * that they are the pattern of @seed for indexes @base + @from onwards. */
static void
kernel_assert_range (GstMemory * mem, const GstMapInfo * dev, gsize from,
    gsize len, gsize base, guint seed, const gchar * what)
{
  guint8 *bytes = g_malloc (len);

  fail_unless (from + len <= dev->size);
  fail_unless_equals_int (xrt_emu_kernel_read (gst_vvas_memory_get_bo (mem),
          map_offset (mem, dev) + from, bytes, len), 0);
  assert_range (bytes, base + from, len, seed, what);
  g_free (bytes);
}

/* Bytes of the whole buffer object behind @mem: what every sync moves. */
static gsize
bo_size (GstMemory * mem)
{
  return vvas_memory_get_size (gst_vvas_memory_get_vvas_memory (mem));
}

/* The transfers since the last reset: calls, and bytes (each moves the
 * whole buffer object of @mem). */
#define assert_transfers(mem, to_device, from_device) G_STMT_START {    \
  assert_syncs ((to_device), (from_device));                            \
  fail_unless_equals_uint64 (xrt_count_bytes (XRT_CALL_SYNC_TO_DEVICE), \
      (guint64) (to_device) * bo_size (mem));                           \
  fail_unless_equals_uint64 (xrt_count_bytes (XRT_CALL_SYNC_FROM_DEVICE), \
      (guint64) (from_device) * bo_size (mem));                         \
} G_STMT_END

static GstMemory *
alloc_memory (GstAllocator * allocator, gsize size, gsize prefix,
    gsize padding, gsize align, GstMemoryFlags flags)
{
  GstAllocationParams params;
  GstMemory *mem;

  gst_allocation_params_init (&params);
  params.prefix = prefix;
  params.padding = padding;
  params.align = align;
  params.flags = flags;
  mem = gst_allocator_alloc (allocator, size, &params);
  fail_unless (mem != NULL);
  return mem;
}

#define SIZE 100000

/* --- A kernel writes, the host reads ----------------------------------- */

GST_START_TEST (test_kernel_write_host_read)
{
  GstMemory *mem = alloc_memory (alloc, SIZE, 64, 32, 255, 0);
  GstMapInfo dev, host;

  /* The kernel writes all of it. */
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_WRITE));
  fail_unless_equals_uint64 (dev.size, SIZE);
  kernel_put (mem, &dev, 0, SIZE, 1);
  gst_memory_unmap (mem, &dev);
  assert_transfers (mem, 0, 0);
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);

  /* The host sees it after one transfer, and the next read moves nothing */
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_range (host.data, 0, SIZE, 1, "host read after a kernel write");
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 0, 1);
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_range (host.data, 0, SIZE, 1, "second host read");
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 0, 1);

  /* A kernel reads all of it and rewrites the middle only. */
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READWRITE));
  kernel_assert_range (mem, &dev, 0, SIZE, 0, 1, "kernel read");
  kernel_put (mem, &dev, 40000, 1000, 2);
  gst_memory_unmap (mem, &dev);
  assert_transfers (mem, 0, 1);

  /* The host sees the kernel's middle and the rest as it was. */
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_range (host.data, 0, 40000, 1, "host, before the kernel's part");
  assert_range (host.data + 40000, 40000, 1000, 2, "host, the kernel's part");
  assert_range (host.data + 41000, 41000, SIZE - 41000, 1,
      "host, after the kernel's part");
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 0, 2);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  gst_memory_unref (mem);
}

GST_END_TEST;

/*
 * An alignment beyond the page moves the block start inside the buffer
 * object (XRT's host views are page-aligned, so smaller ones never do):
 * the device address must follow it, or the kernel and the host work on
 * different bytes. (Unless the host view happens to be 1 MiB-aligned: one
 * chance in 256 that this checks nothing more than the test above.)
 */
GST_START_TEST (test_block_offset)
{
  GstMemory *mem = alloc_memory (alloc, 10000, 100, 0, (1 << 20) - 1, 0);
  GstMapInfo dev, host;

  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_WRITE));
  fail_unless_equals_uint64 ((guintptr) dev.data,
      gst_vvas_memory_get_paddr (mem));
  kernel_put (mem, &dev, 0, 10000, 16);
  gst_memory_unmap (mem, &dev);
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  /* The block start (before the prefix) is aligned. */
  fail_unless_equals_uint64 (((guintptr) host.data - 100) & ((1 << 20) - 1), 0);
  assert_range (host.data, 0, 10000, 16, "host, after a kernel write");
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 0, 1);
  gst_memory_unref (mem);
}

GST_END_TEST;

/* --- The host writes, a kernel reads ----------------------------------- */

GST_START_TEST (test_host_write_kernel_read)
{
  GstMemory *mem = alloc_memory (alloc1, SIZE, 0, 0, 4095, 0);
  GstMapInfo dev, host;

  fail_unless (gst_memory_map (mem, &host, GST_MAP_WRITE));
  fill_range (host.data, 0, SIZE, 3);
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 0, 0);
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);

  /* Device access brings it to the device, once. */
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  kernel_assert_range (mem, &dev, 0, SIZE, 0, 3, "kernel read");
  gst_memory_unmap (mem, &dev);
  assert_transfers (mem, 1, 0);
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  kernel_assert_range (mem, &dev, 0, SIZE, 0, 3, "second kernel read");
  gst_memory_unmap (mem, &dev);
  assert_transfers (mem, 1, 0);

  /* The host changes a part... */
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READWRITE));
  fill_range (host.data, 5000, 1000, 4);
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 1, 0);

  /* ...and a kernel that overwrites another part only (a device write-only
   * map) must still find the host's part on the device. */
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_WRITE));
  assert_transfers (mem, 2, 0);
  kernel_put (mem, &dev, 0, 100, 5);
  kernel_assert_range (mem, &dev, 0, 100, 0, 5, "kernel's own part");
  kernel_assert_range (mem, &dev, 100, 4900, 0, 3, "kernel, untouched part");
  kernel_assert_range (mem, &dev, 5000, 1000, 0, 4, "kernel, the host's part");
  kernel_assert_range (mem, &dev, 6000, SIZE - 6000, 0, 3,
      "kernel, untouched end");
  gst_memory_unmap (mem, &dev);

  /* The host gets all three back. */
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_range (host.data, 0, 100, 5, "host, the kernel's part");
  assert_range (host.data + 100, 100, 4900, 3, "host, untouched part");
  assert_range (host.data + 5000, 5000, 1000, 4, "host, its own part");
  assert_range (host.data + 6000, 6000, SIZE - 6000, 3, "host, untouched end");
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 2, 1);
  gst_memory_unref (mem);
}

GST_END_TEST;

/* A host write-only map of a memory a kernel wrote: a writer may change
 * part of it only, so the kernel's bytes come back first. */
GST_START_TEST (test_partial_host_write)
{
  GstMemory *mem = alloc_memory (alloc, SIZE, 0, 0, 0, 0);
  GstMapInfo dev, host;

  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_WRITE));
  kernel_put (mem, &dev, 0, SIZE, 6);
  gst_memory_unmap (mem, &dev);

  fail_unless (gst_memory_map (mem, &host, GST_MAP_WRITE));
  assert_transfers (mem, 0, 1);
  fill_range (host.data, SIZE - 10, 10, 7);
  gst_memory_unmap (mem, &host);

  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  kernel_assert_range (mem, &dev, 0, SIZE - 10, 0, 6, "the kernel's bytes");
  kernel_assert_range (mem, &dev, SIZE - 10, 10, 0, 7, "the host's bytes");
  gst_memory_unmap (mem, &dev);
  assert_transfers (mem, 1, 1);
  gst_memory_unref (mem);
}

GST_END_TEST;

/* --- Prefix, padding and fill are host bytes ---------------------------- */

GST_START_TEST (test_prefix_padding_and_fill)
{
  GstMemory *mem;
  GstMapInfo dev, host;
  guint8 *bytes;
  gsize off;

  /* Zeroed prefix and padding reach the device with the first access. */
  mem = alloc_memory (alloc, 5000, 128, 64, 255,
      GST_MEMORY_FLAG_ZERO_PREFIXED | GST_MEMORY_FLAG_ZERO_PADDED);
  assert_pending (mem, VVAS_DATA_SYNC_TO_DEVICE);
  fail_unless (gst_memory_map (mem, &host, GST_MAP_WRITE));
  fill_range (host.data, 0, 5000, 8);
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 0, 0);

  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  off = map_offset (mem, &dev);
  fail_unless (off >= 128);
  bytes = g_malloc (128 + 5000 + 64);
  fail_unless_equals_int (xrt_emu_kernel_read (gst_vvas_memory_get_bo (mem),
          off - 128, bytes, 128 + 5000 + 64), 0);
  fail_unless_equals_int (check_bytes (bytes, 128, 0), -1);
  assert_range (bytes + 128, 0, 5000, 8, "kernel, the data");
  fail_unless_equals_int (check_bytes (bytes + 128 + 5000, 64, 0), -1);
  g_free (bytes);
  gst_memory_unmap (mem, &dev);
  assert_transfers (mem, 1, 0);
  gst_memory_unref (mem);

  /* The allocator's fill byte too, over prefix, data and padding. */
  xrt_count_reset ();
  gst_vvas_allocator_set_fill_byte (alloc1, 0x42);
  mem = alloc_memory (alloc1, 3000, 16, 16, 0, 0);
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  bytes = g_malloc (16 + 3000 + 16);
  fail_unless_equals_int (xrt_emu_kernel_read (gst_vvas_memory_get_bo (mem),
          map_offset (mem, &dev) - 16, bytes, 16 + 3000 + 16), 0);
  fail_unless_equals_int (check_bytes (bytes, 16 + 3000 + 16, 0x42), -1);
  g_free (bytes);
  gst_memory_unmap (mem, &dev);
  assert_transfers (mem, 1, 0);
  gst_memory_unref (mem);
}

GST_END_TEST;

/* --- Shares: offsets into one buffer object, one state ------------------ */

GST_START_TEST (test_share_offsets)
{
  GstMemory *mem = alloc_memory (alloc1, 65536, 32, 0, 4095, 0);
  GstMemory *sub, *subsub;
  GstBuffer *buf, *region;
  GstMapInfo dev, host;
  guint8 bytes[300];

  fail_unless (gst_memory_map (mem, &host, GST_MAP_WRITE));
  fill_range (host.data, 0, 65536, 9);
  gst_memory_unmap (mem, &host);
  sub = gst_memory_share (mem, 1000, 5000);
  subsub = gst_memory_share (sub, 100, 200);

  /* A kernel given a share's address reads the share's bytes. */
  fail_unless (gst_memory_map (sub, &dev, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless_equals_uint64 (dev.size, 5000);
  kernel_assert_range (sub, &dev, 0, 5000, 1000, 9, "kernel, the share");
  gst_memory_unmap (sub, &dev);
  assert_transfers (mem, 1, 0);
  fail_unless (gst_memory_map (subsub, &dev, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless_equals_uint64 (dev.size, 200);
  kernel_assert_range (subsub, &dev, 0, 200, 1100, 9,
      "kernel, the share of the share");
  gst_memory_unmap (subsub, &dev);
  assert_transfers (mem, 1, 0);

  /* Shares lock their parent against writers: they go while a kernel
   * writes through the parent, across the end of the share of the share.
   * New shares see its bytes at their own offsets. */
  gst_memory_unref (subsub);
  gst_memory_unref (sub);
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_WRITE));
  kernel_put (mem, &dev, 1250, 100, 10);
  gst_memory_unmap (mem, &dev);
  sub = gst_memory_share (mem, 1000, 5000);
  subsub = gst_memory_share (sub, 100, 200);
  fail_unless (gst_memory_map (subsub, &host, GST_MAP_READ));
  assert_range (host.data, 1100, 150, 9, "share of share, before");
  assert_range (host.data + 150, 1250, 50, 10, "share of share, kernel's");
  gst_memory_unmap (subsub, &host);
  assert_transfers (mem, 1, 1);
  fail_unless (gst_memory_map (sub, &host, GST_MAP_READ));
  assert_range (host.data, 1000, 250, 9, "share, before");
  assert_range (host.data + 250, 1250, 100, 10, "share, the kernel's");
  assert_range (host.data + 350, 1350, 5000 - 350, 9, "share, after");
  gst_memory_unmap (sub, &host);
  assert_transfers (mem, 1, 1);
  gst_memory_unref (subsub);
  gst_memory_unref (sub);

  /* A region of a buffer is a share too, at its offset. */
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_WRITE));
  kernel_put (mem, &dev, 20000, 300, 11);
  gst_memory_unmap (mem, &dev);
  buf = gst_buffer_new ();
  gst_buffer_append_memory (buf, gst_memory_ref (mem));
  region = gst_buffer_copy_region (buf, GST_BUFFER_COPY_MEMORY, 19900, 300);
  fail_unless (region != NULL);
  fail_unless_equals_uint64 (gst_buffer_extract (region, 0, bytes, 300), 300);
  assert_range (bytes, 19900, 100, 9, "region, before");
  assert_range (bytes + 100, 20000, 200, 11, "region, the kernel's");
  assert_transfers (mem, 1, 2);
  gst_buffer_unref (region);
  gst_buffer_unref (buf);
  gst_memory_unref (mem);
}

GST_END_TEST;

/* --- gst_memory_copy() -------------------------------------------------- */

/*
 * XRT's no-op device's xrtBOCopy succeeds without moving a byte: the bytes
 * of a copy made on the device are checked on the emulated device only;
 * the transfers, on both.
 */
static gboolean
device_copy_moves_bytes (void)
{
  return xrt_emu_enabled ();
}

GST_START_TEST (test_copy_on_device_bytes)
{
  GstMemory *mem = alloc_memory (alloc, SIZE, 0, 0, 255, 0);
  GstMemory *copy, *sub;
  GstMapInfo dev, host;

  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_WRITE));
  kernel_put (mem, &dev, 0, SIZE, 12);
  gst_memory_unmap (mem, &dev);

  /* The device copy is current: a copy on the device, no transfer. */
  xrt_count_reset ();
  copy = gst_memory_copy (mem, 3000, 10000);
  fail_unless (copy != NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_COPY), 1);
  assert_transfers (mem, 0, 0);
  assert_pending (copy, VVAS_DATA_SYNC_FROM_DEVICE);

  /* A kernel finds the bytes in the copy's device copy... */
  fail_unless (gst_memory_map (copy, &dev, GST_MAP_VVAS | GST_MAP_READ));
  if (device_copy_moves_bytes ())
    kernel_assert_range (copy, &dev, 0, 10000, 3000, 12, "kernel, the copy");
  gst_memory_unmap (copy, &dev);
  assert_transfers (copy, 0, 0);
  /* ...and the host, after one transfer of the copy. */
  fail_unless (gst_memory_map (copy, &host, GST_MAP_READ));
  if (device_copy_moves_bytes ())
    assert_range (host.data, 3000, 10000, 12, "host, the copy");
  gst_memory_unmap (copy, &host);
  assert_transfers (copy, 0, 1);
  gst_memory_unref (copy);

  /* The source is untouched: its host view still comes from its device. */
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);

  /* A share's bytes, copied on the device at the share's offset. */
  sub = gst_memory_share (mem, 500, 700);
  xrt_count_reset ();
  copy = gst_memory_copy (sub, 100, -1);
  fail_unless (copy != NULL);
  fail_unless_equals_uint64 (gst_memory_get_sizes (copy, NULL, NULL), 600);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_COPY), 1);
  fail_unless (gst_memory_map (copy, &host, GST_MAP_READ));
  if (device_copy_moves_bytes ())
    assert_range (host.data, 600, 600, 12, "host, copy of a share");
  gst_memory_unmap (copy, &host);
  assert_transfers (copy, 0, 1);
  gst_memory_unref (copy);
  gst_memory_unref (sub);

  /* The source's own host read still gets the kernel's bytes. */
  xrt_count_reset ();
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_range (host.data, 0, SIZE, 12, "host, the source");
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 0, 1);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_copy_through_host_bytes)
{
  GstMemory *mem = alloc_memory (alloc, SIZE, 64, 0, 0, 0);
  GstMemory *copy;
  GstMapInfo dev, host;

  /* The host copy is newer: copied through host maps. */
  fail_unless (gst_memory_map (mem, &host, GST_MAP_WRITE));
  fill_range (host.data, 0, SIZE, 13);
  gst_memory_unmap (mem, &host);
  xrt_count_reset ();
  copy = gst_memory_copy (mem, 777, 20000);
  fail_unless (copy != NULL);
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_COPY), 0);
  assert_transfers (mem, 0, 0);
  assert_pending (copy, VVAS_DATA_SYNC_TO_DEVICE);

  /* A kernel reading the copy gets the bytes after one transfer. */
  fail_unless (gst_memory_map (copy, &dev, GST_MAP_VVAS | GST_MAP_READ));
  kernel_assert_range (copy, &dev, 0, 20000, 777, 13, "kernel, the copy");
  gst_memory_unmap (copy, &dev);
  assert_transfers (copy, 1, 0);

  /* The copy is a memory of its own: a kernel writing it leaves the
   * source's bytes alone, on both sides. */
  fail_unless (gst_memory_map (copy, &dev, GST_MAP_VVAS | GST_MAP_WRITE));
  kernel_put (copy, &dev, 0, 20000, 14);
  gst_memory_unmap (copy, &dev);
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  kernel_assert_range (mem, &dev, 0, SIZE, 0, 13, "kernel, the source");
  gst_memory_unmap (mem, &dev);
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_range (host.data, 0, SIZE, 13, "host, the source");
  gst_memory_unmap (mem, &host);
  fail_unless (gst_memory_map (copy, &host, GST_MAP_READ));
  assert_range (host.data, 0, 20000, 14, "host, the copy");
  gst_memory_unmap (copy, &host);
  assert_syncs (2, 1);
  gst_memory_unref (copy);
  gst_memory_unref (mem);
}

GST_END_TEST;

/* --- Buffers of several memories ----------------------------------------- */

GST_START_TEST (test_buffer_of_memories)
{
  GstMemory *mems[2];
  GstBuffer *buf = gst_buffer_new ();
  GstMapInfo dev, info;
  guint i;

  /* Two memories on two banks, each written by a kernel. */
  for (i = 0; i < 2; i++) {
    mems[i] = alloc_memory (i ? alloc1 : alloc, 4000, 0, 0, 0, 0);
    fail_unless (gst_memory_map (mems[i], &dev, GST_MAP_VVAS | GST_MAP_WRITE));
    kernel_put (mems[i], &dev, 0, 4000, 15 + i);
    gst_memory_unmap (mems[i], &dev);
    /* Our own reference: the merged map below replaces the buffer's
     * memories with the merged one. */
    gst_buffer_append_memory (buf, gst_memory_ref (mems[i]));
  }
  xrt_count_reset ();

  /* A map of the whole buffer merges both, each brought back once. */
  fail_unless (gst_buffer_map (buf, &info, GST_MAP_READ));
  fail_unless_equals_uint64 (info.size, 8000);
  assert_range (info.data, 0, 4000, 15, "merged map, first memory");
  assert_range (info.data + 4000, 0, 4000, 16, "merged map, second memory");
  gst_buffer_unmap (buf, &info);
  assert_transfers (mems[0], 0, 2);
  for (i = 0; i < 2; i++) {
    assert_pending (mems[i], VVAS_DATA_SYNC_NONE);
    gst_memory_unref (mems[i]);
  }
  gst_buffer_unref (buf);
}

GST_END_TEST;

/* --- Pool buffers across release and acquire ----------------------------- */

GST_START_TEST (test_pool_recycled_bytes)
{
  GstBufferPool *pool = gst_vvas_buffer_pool_new (alloc);
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstCaps *caps = gst_caps_from_string ("video/x-raw,format=NV12,"
      "width=320,height=240");
  const gsize size = 320 * 240 * 3 / 2, half = size / 2;
  GstBuffer *buf;
  GstMemory *mem;
  GstVvasMeta *meta;
  GstMapInfo dev, host;
  GstClockTime pts, dts, duration;
  VvasMetadata vmeta;

  /* One buffer: every acquire hands out the same one again. */
  gst_buffer_pool_config_set_params (config, caps, size, 1, 1);
  fail_unless (gst_buffer_pool_set_config (pool, config));
  fail_unless (gst_buffer_pool_set_active (pool, TRUE));
  xrt_count_reset ();

  /* Frame 1: a source writes it, a kernel reads it and writes its
   * result in place. */
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_OK);
  mem = gst_buffer_peek_memory (buf, 0);
  meta = gst_buffer_get_vvas_meta (buf);
  fail_unless (meta != NULL);
  fail_unless (gst_buffer_map (buf, &host, GST_MAP_WRITE));
  fill_range (host.data, 0, size, 20);
  gst_buffer_unmap (buf, &host);
  GST_BUFFER_PTS (buf) = 10 * GST_SECOND;
  GST_BUFFER_DTS (buf) = 9 * GST_SECOND;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  fail_unless (gst_vvas_buffer_write_metadata (buf));
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READWRITE));
  kernel_assert_range (mem, &dev, 0, size, 0, 20, "frame 1, kernel");
  kernel_put (mem, &dev, 0, size, 21);
  gst_memory_unmap (mem, &dev);
  assert_transfers (mem, 1, 0);

  /* Transfers and kernels leave the metadata alone. */
  gst_vvas_meta_get_times (meta, &pts, &dts, &duration);
  fail_unless_equals_uint64 (pts, 10 * GST_SECOND);
  fail_unless_equals_uint64 (dts, 9 * GST_SECOND);
  fail_unless_equals_uint64 (duration, GST_SECOND / 30);
  vvas_memory_get_metadata (gst_vvas_memory_get_vvas_memory (mem), &vmeta);
  fail_unless_equals_uint64 (vmeta.pts, 10 * GST_SECOND);
  fail_unless_equals_uint64 (vmeta.dts, 9 * GST_SECOND);
  fail_unless_equals_uint64 (vmeta.duration, GST_SECOND / 30);

  /* Released with the kernel's bytes newest: the state goes round with
   * the buffer. */
  gst_buffer_unref (buf);
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_OK);
  fail_unless (gst_buffer_peek_memory (buf, 0) == mem);
  fail_unless (gst_buffer_get_vvas_meta (buf) == meta);
  assert_pending (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  /* The pooled meta came back with its times unset. */
  gst_vvas_meta_get_times (meta, &pts, &dts, &duration);
  fail_unless_equals_uint64 (pts, GST_CLOCK_TIME_NONE);
  fail_unless_equals_uint64 (dts, GST_CLOCK_TIME_NONE);
  fail_unless_equals_uint64 (duration, GST_CLOCK_TIME_NONE);

  /* Frame 2: a source that writes half of it. The other half is the
   * kernel's frame-1 output, never the host's stale frame-1 input. */
  fail_unless (gst_buffer_map (buf, &host, GST_MAP_WRITE));
  assert_transfers (mem, 1, 1);
  assert_range (host.data + half, half, size - half, 21,
      "frame 2, host, before writing");
  fill_range (host.data, 0, half, 22);
  gst_buffer_unmap (buf, &host);
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  kernel_assert_range (mem, &dev, 0, half, 0, 22, "frame 2, kernel, new");
  kernel_assert_range (mem, &dev, half, size - half, 0, 21,
      "frame 2, kernel, kept");
  gst_memory_unmap (mem, &dev);
  assert_transfers (mem, 2, 1);
  gst_buffer_unref (buf);

  /* Frame 3: the host copy was current when released: a reader of the
   * recycled buffer moves nothing and sees the same bytes. */
  fail_unless_equals_int (gst_buffer_pool_acquire_buffer (pool, &buf, NULL),
      GST_FLOW_OK);
  fail_unless (gst_buffer_peek_memory (buf, 0) == mem);
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  fail_unless (gst_buffer_map (buf, &host, GST_MAP_READ));
  assert_range (host.data, 0, half, 22, "frame 3, host");
  assert_range (host.data + half, half, size - half, 21, "frame 3, host");
  gst_buffer_unmap (buf, &host);
  assert_transfers (mem, 2, 1);
  gst_buffer_unref (buf);

  fail_unless (gst_buffer_pool_set_active (pool, FALSE));
  gst_object_unref (pool);
  gst_caps_unref (caps);
  /* Deactivation freed the one buffer object. */
  fail_unless_equals_uint64 (xrt_count_get (XRT_CALL_BO_FREE), 1);
}

GST_END_TEST;

/* --- Overlapping maps keep every byte ------------------------------------ */

GST_START_TEST (test_overlapping_maps_bytes)
{
  GstMemory *mem = alloc_memory (alloc, SIZE, 0, 0, 0, 0);
  const gsize half = SIZE / 2;
  GstMapInfo dev, host;

  /* A kernel reads while the host writes: the host's later half is not
   * lost; it reaches the device with the next access. */
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READWRITE));
  fill_range (host.data, 0, half, 30);
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  kernel_assert_range (mem, &dev, 0, half, 0, 30, "kernel during host map");
  fill_range (host.data, half, SIZE - half, 31);
  gst_memory_unmap (mem, &dev);
  gst_memory_unmap (mem, &host);
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  kernel_assert_range (mem, &dev, 0, half, 0, 30, "kernel, first half");
  kernel_assert_range (mem, &dev, half, SIZE - half, 0, 31,
      "kernel, the host's later half");
  gst_memory_unmap (mem, &dev);
  assert_transfers (mem, 2, 0);

  /* The host reads while a kernel writes: the kernel's later half is not
   * lost; it comes back with the next host map. */
  xrt_count_reset ();
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READWRITE));
  kernel_put (mem, &dev, 0, half, 32);
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_range (host.data, 0, half, 32, "host during kernel map");
  kernel_put (mem, &dev, half, SIZE - half, 33);
  gst_memory_unmap (mem, &host);
  gst_memory_unmap (mem, &dev);
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_range (host.data, 0, half, 32, "host, first half");
  assert_range (host.data + half, half, SIZE - half, 33,
      "host, the kernel's later half");
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 0, 2);
  gst_memory_unref (mem);
}

GST_END_TEST;

/* --- Failed and explicit transfers ---------------------------------------- */

GST_START_TEST (test_failed_transfer_bytes)
{
  GstMemory *mem = alloc_memory (alloc1, SIZE, 0, 0, 0, 0);
  GstMapInfo dev, host;

  /* A failed transfer from the device fails the map; the retry brings the
   * kernel's bytes. */
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_WRITE));
  kernel_put (mem, &dev, 0, SIZE, 40);
  gst_memory_unmap (mem, &dev);
  xrt_count_fail_next (XRT_CALL_SYNC_FROM_DEVICE, 1);
  fail_if (gst_memory_map (mem, &host, GST_MAP_READ));
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_range (host.data, 0, SIZE, 40, "host, after a failed transfer");
  gst_memory_unmap (mem, &host);

  /* A failed transfer to the device fails the device map; the retry
   * brings the host's bytes. */
  fail_unless (gst_memory_map (mem, &host, GST_MAP_WRITE));
  fill_range (host.data, 0, SIZE, 41);
  gst_memory_unmap (mem, &host);
  xrt_count_fail_next (XRT_CALL_SYNC_TO_DEVICE, 1);
  fail_if (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  kernel_assert_range (mem, &dev, 0, SIZE, 0, 41,
      "kernel, after a failed transfer");
  gst_memory_unmap (mem, &dev);
  /* The failed ones were asked for too (and counted, bytes aside). */
  assert_syncs (2, 2);
  gst_memory_unref (mem);
}

GST_END_TEST;

GST_START_TEST (test_explicit_sync_bytes)
{
  GstMemory *mem = alloc_memory (alloc, SIZE, 0, 0, 0, 0);
  GstMapInfo dev, host;
  guint8 *bytes = g_malloc (SIZE);

  /* A kernel run behind GStreamer's back (no device map): the application
   * says so with an explicit transfer, and the host sees the bytes. */
  fail_unless (gst_memory_map (mem, &dev, GST_MAP_VVAS | GST_MAP_READ));
  gst_memory_unmap (mem, &dev);
  fill_range (bytes, 0, SIZE, 50);
  fail_unless_equals_int (xrt_emu_kernel_write (gst_vvas_memory_get_bo (mem),
          map_offset (mem, &dev), bytes, SIZE), 0);
  fail_unless (gst_vvas_memory_sync (mem, VVAS_DATA_SYNC_FROM_DEVICE));
  fail_unless (gst_memory_map (mem, &host, GST_MAP_READ));
  assert_range (host.data, 0, SIZE, 50, "host, after an explicit transfer");
  gst_memory_unmap (mem, &host);
  assert_transfers (mem, 0, 1);

  /* The other way: an explicit transfer to the device. */
  fail_unless (gst_memory_map (mem, &host, GST_MAP_WRITE));
  fill_range (host.data, 0, SIZE, 51);
  gst_memory_unmap (mem, &host);
  fail_unless (gst_vvas_memory_sync (mem, VVAS_DATA_SYNC_TO_DEVICE));
  assert_pending (mem, VVAS_DATA_SYNC_NONE);
  fail_unless_equals_int (xrt_emu_kernel_read (gst_vvas_memory_get_bo (mem),
          map_offset (mem, &dev), bytes, SIZE), 0);
  assert_range (bytes, 0, SIZE, 51, "kernel, after an explicit transfer");
  assert_transfers (mem, 1, 1);
  g_free (bytes);
  gst_memory_unref (mem);
}

GST_END_TEST;

static Suite *
vvas_device_data_suite (void)
{
  Suite *s = suite_create ("vvasdevicedata");
  TCase *tc = tcase_create ("bytes");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_kernel_write_host_read);
  tcase_add_test (tc, test_block_offset);
  tcase_add_test (tc, test_host_write_kernel_read);
  tcase_add_test (tc, test_partial_host_write);
  tcase_add_test (tc, test_prefix_padding_and_fill);
  tcase_add_test (tc, test_share_offsets);
  tcase_add_test (tc, test_copy_on_device_bytes);
  tcase_add_test (tc, test_copy_through_host_bytes);
  tcase_add_test (tc, test_buffer_of_memories);
  tcase_add_test (tc, test_pool_recycled_bytes);
  tcase_add_test (tc, test_overlapping_maps_bytes);
  tcase_add_test (tc, test_failed_transfer_bytes);
  tcase_add_test (tc, test_explicit_sync_bytes);
  return s;
}

int
main (int argc, char **argv)
{
  return gst_vvas_test_run (vvas_device_data_suite, "vvasdevicedata", argc,
      argv);
}
