/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * What XRT's no-op device cannot show, checked by bytes on the emulated
 * device (xrt_emu.h), where a buffer's device copy and host view differ and
 * export gives a real fd: DMA-buf export (a descriptor of the caller's own,
 * after the host's newer bytes reached the device) and import (the first
 * host read fetches what the exporter wrote), and copies that must lose no
 * byte. The program always runs on the emulated device, whatever the test
 * set-up; transfers are counted at the XRT boundary as elsewhere.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vvas_core/vvas_memory_priv.h>

#include "core_test_util.h"
#include "test_util.h"
#include "xrt_emu.h"

/* XRT's own export (xrt/xrt_bo.h; test programs do not see XRT's headers). */
int xrtBOExport (void *bo);

/* Whole pages, so that an import of an export has the same size. */
#define SIZE (16 * 4096)

/* ------------------------------------------------------------------------ */
/* Helpers */

static guint8
pattern_byte (gsize i, guint seed)
{
  /* Not periodic in 256, so that a shifted copy does not match by chance;
   * never the emulation's fresh bytes for long. */
  return (guint8) (i * 131u + (i >> 8) * 7u + seed * 29u + 1u);
}

static void
fill_pattern (guint8 * data, gsize size, guint seed, gsize pattern_offset)
{
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = pattern_byte (i + pattern_offset, seed);
}

/* Asserts @data[i] == pattern (i + @pattern_offset) for i in [0, @size). */
static void
assert_pattern_at (const guint8 * data, gsize size, guint seed,
    gsize pattern_offset)
{
  gsize i;

  for (i = 0; i < size; i++)
    if (data[i] != pattern_byte (i + pattern_offset, seed)) {
      g_test_message ("byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT, i, size);
      g_assert_cmphex (data[i], ==, pattern_byte (i + pattern_offset, seed));
    }
}

static VvasContext *
device_context (void)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx;

  ctx = vvas_context_create (0, (char *) test_util_path ("two_banks.xclbin"),
      LOG_LEVEL_WARNING, &ret);
  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_true (xrt_count_is_active ());
  g_assert_true (xrt_emu_enabled ());
  return ctx;
}



static void
assert_syncs (guint64 to_device, guint64 from_device)
{
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_TO_DEVICE), ==, to_device);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE), ==, from_device);
}

static void
map_ok (VvasMemory * mem, VvasDataMapFlags flags, VvasMemoryMapInfo * map)
{
  map->data = NULL;
  g_assert_cmpint (vvas_memory_map (mem, flags, map), ==, VVAS_RET_SUCCESS);
  g_assert_nonnull (map->data);
  g_assert_cmpuint (map->size, ==, vvas_memory_get_size (mem));
}

static void
unmap_ok (VvasMemory * mem, VvasMemoryMapInfo * map)
{
  g_assert_cmpint (vvas_memory_unmap (mem, map), ==, VVAS_RET_SUCCESS);
}

/* The host writes the pattern of @seed over all of @mem. */
static void
host_write (VvasMemory * mem, guint seed)
{
  VvasMemoryMapInfo map;

  map_ok (mem, VVAS_DATA_MAP_WRITE, &map);
  fill_pattern (map.data, map.size, seed, 0);
  unmap_ok (mem, &map);
}

/* The host reads all of @mem: the pattern of @seed. */
static void
host_check (VvasMemory * mem, guint seed)
{
  VvasMemoryMapInfo map;

  map_ok (mem, VVAS_DATA_MAP_READ, &map);
  assert_pattern_at (map.data, map.size, seed, 0);
  unmap_ok (mem, &map);
}

/* A kernel writes the pattern of @seed over all of @mem's device copy. */
static void
kernel_write (VvasMemory * mem, guint seed)
{
  gsize size = vvas_memory_get_size (mem);
  guint8 *bytes = g_malloc (size);

  fill_pattern (bytes, size, seed, 0);
  g_assert_cmpint (xrt_emu_kernel_write (vvas_memory_get_bo (mem), 0, bytes,
          size), ==, 0);
  g_free (bytes);
}

/* A copy of @mem's device copy, as a kernel reads it; g_free() it. */
static guint8 *
kernel_read (VvasMemory * mem)
{
  gsize size = vvas_memory_get_size (mem);
  guint8 *bytes = g_malloc (size);

  g_assert_cmpint (xrt_emu_kernel_read (vvas_memory_get_bo (mem), 0, bytes,
          size), ==, 0);
  return bytes;
}

/* What an importer of @fd sees: @size bytes, the pattern of @seed. */
static void
fd_check (int fd, gsize size, guint seed)
{
  guint8 *bytes = mmap (NULL, size, PROT_READ, MAP_SHARED, fd, 0);

  g_assert_true (bytes != MAP_FAILED);
  assert_pattern_at (bytes, size, seed, 0);
  g_assert_cmpint (munmap (bytes, size), ==, 0);
}

static gboolean
fd_is_open (int fd)
{
  return fcntl (fd, F_GETFD) != -1;
}

static void
assert_same_file (int a, int b)
{
  struct stat sa, sb;

  g_assert_cmpint (fstat (a, &sa), ==, 0);
  g_assert_cmpint (fstat (b, &sb), ==, 0);
  g_assert_cmpuint (sa.st_dev, ==, sb.st_dev);
  g_assert_cmpuint (sa.st_ino, ==, sb.st_ino);
}

static int
export_ok (VvasMemory * mem)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  int fd = vvas_memory_export_dmabuf (mem, &ret);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  return fd;
}

static VvasMemory *
import_ok (VvasContext * ctx, int fd)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasMemory *mem = vvas_memory_alloc_from_dmabuf (ctx, fd, 0, &ret);

  g_assert_nonnull (mem);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  return mem;
}

/* ------------------------------------------------------------------------ */
/* DMA-buf export */

/*
 * Each export is a descriptor of the caller's own onto the buffer: not the
 * one XRT keeps for the BO (which XRT closes when the BO goes, and which a
 * caller closing it would take from the BO), and a new one every time.
 */
static void
test_export_own_fd (void)
{
  VvasContext *ctx = device_context ();
  guint open_fds = xrt_emu_count_open_fds ();
  VvasMemory *mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, SIZE);
  int xrt_fd, fd, other, again;
  guint8 *bytes;

  fd = export_ok (mem);
  other = export_ok (mem);
  xrt_fd = xrtBOExport (vvas_memory_get_bo (mem));
  g_assert_cmpint (xrt_fd, >=, 0);
  g_assert_cmpint (fd, !=, xrt_fd);
  g_assert_cmpint (other, !=, xrt_fd);
  g_assert_cmpint (fd, !=, other);
  assert_same_file (fd, xrt_fd);
  assert_same_file (other, xrt_fd);
  /* Not inherited by a program the caller runs. */
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);

  /* Closing one export leaves the others, XRT's and the BO alone. */
  g_assert_cmpint (close (other), ==, 0);
  g_assert_true (fd_is_open (fd));
  g_assert_true (fd_is_open (xrt_fd));
  host_write (mem, 1);
  vvas_memory_sync_data (mem, VVAS_DATA_SYNC_TO_DEVICE);
  bytes = kernel_read (mem);
  assert_pattern_at (bytes, SIZE, 1, 0);
  g_free (bytes);
  again = export_ok (mem);
  fd_check (again, SIZE, 1);
  g_assert_cmpint (close (again), ==, 0);

  /* The caller's descriptor outlives the memory, with its bytes. */
  vvas_memory_free (mem);
  g_assert_true (fd_is_open (fd));
  fd_check (fd, SIZE, 1);
  g_assert_cmpint (close (fd), ==, 0);
  g_assert_cmpuint (xrt_emu_count_open_fds (), ==, open_fds);

  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/*
 * The host wrote last: export transfers its bytes to the device first, once,
 * so an importer sees them. Nothing pending: no transfer.
 */
static void
test_export_sends_host_bytes (void)
{
  VvasContext *ctx = device_context ();
  VvasMemory *mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  VvasMemoryMapInfo map;
  int fd, again;

  host_write (mem, 2);
  xrt_count_reset ();
  fd = export_ok (mem);
  assert_syncs (1, 0);
  g_assert_cmpuint (xrt_count_bytes (XRT_CALL_SYNC_TO_DEVICE), ==, SIZE);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_NONE);
  fd_check (fd, SIZE, 2);

  again = export_ok (mem);
  assert_syncs (1, 0);
  g_assert_cmpint (close (again), ==, 0);

  /*
   * A writer still holds its map: its bytes so far are exported, and the
   * host copy stays newer for the bytes still to come.
   */
  map_ok (mem, VVAS_DATA_MAP_WRITE, &map);
  fill_pattern (map.data, SIZE, 3, 0);
  again = export_ok (mem);
  assert_syncs (2, 0);
  fd_check (again, SIZE, 3);
  unmap_ok (mem, &map);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpint (close (again), ==, 0);

  /* A kernel wrote last: the fd is the device copy, nothing to move. */
  vvas_memory_sync_data (mem, VVAS_DATA_SYNC_TO_DEVICE);
  kernel_write (mem, 4);
  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  xrt_count_reset ();
  again = export_ok (mem);
  assert_syncs (0, 0);
  fd_check (again, SIZE, 4);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (close (again), ==, 0);

  g_assert_cmpint (close (fd), ==, 0);
  vvas_memory_free (mem);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* A transfer that fails fails the export: no descriptor, still pending. */
static void
test_export_failed_transfer (void)
{
  VvasContext *ctx = device_context ();
  VvasMemory *mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  guint open_fds = xrt_emu_count_open_fds ();
  VvasReturnType ret = VVAS_RET_SUCCESS;
  int fd;

  host_write (mem, 5);
  xrt_count_reset ();
  xrt_count_fail_next (XRT_CALL_SYNC_TO_DEVICE, 1);
  g_assert_cmpint (vvas_memory_export_dmabuf (mem, &ret), ==, -1);
  g_assert_cmpint (ret, ==, VVAS_RET_ERROR);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_TO_DEVICE);
  g_assert_cmpuint (xrt_emu_count_open_fds (), ==, open_fds);

  fd = export_ok (mem);
  assert_syncs (2, 0);
  fd_check (fd, SIZE, 5);
  g_assert_cmpint (close (fd), ==, 0);
  vvas_memory_free (mem);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* ------------------------------------------------------------------------ */
/* DMA-buf import */

/*
 * A buffer written through its fd by someone else: the first host read of
 * the import fetches it, once.
 */
static void
test_import_first_read_fetches (void)
{
  VvasContext *ctx = device_context ();
  guint8 *bytes = g_malloc (SIZE);
  VvasMemory *mem;
  int fd;

  fd = memfd_create ("exporter", MFD_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  fill_pattern (bytes, SIZE, 6, 0);
  g_assert_cmpint (pwrite (fd, bytes, SIZE, 0), ==, SIZE);
  g_free (bytes);

  xrt_count_reset ();
  mem = import_ok (ctx, fd);
  g_assert_cmpint (close (fd), ==, 0);
  g_assert_cmpuint (vvas_memory_get_size (mem), ==, SIZE);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  assert_syncs (0, 0);
  host_check (mem, 6);
  assert_syncs (0, 1);
  g_assert_cmpint (pending (mem), ==, VVAS_DATA_SYNC_NONE);
  host_check (mem, 6);
  assert_syncs (0, 1);

  vvas_memory_free (mem);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/*
 * Our export imported again: the two memories share the device copy, each
 * with its own host view, kept coherent by the usual transfers.
 */
static void
test_import_of_export (void)
{
  VvasContext *ctx = device_context ();
  VvasMemory *mem = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, SIZE);
  VvasMemory *imported;
  guint8 *bytes;
  int fd;

  host_write (mem, 7);
  fd = export_ok (mem);
  imported = import_ok (ctx, fd);
  /* The import holds the buffer itself. */
  g_assert_cmpint (close (fd), ==, 0);
  g_assert_cmpuint (vvas_memory_get_size (imported), ==, SIZE);
  host_check (imported, 7);

  /* A kernel writes through the exporter's BO; the importer is told. */
  kernel_write (mem, 8);
  vvas_memory_set_sync_flag (imported, VVAS_DATA_SYNC_FROM_DEVICE);
  host_check (imported, 8);

  /* The importer's host writes reach the exporter's device copy. */
  host_write (imported, 9);
  vvas_memory_sync_data (imported, VVAS_DATA_SYNC_TO_DEVICE);
  bytes = kernel_read (mem);
  assert_pattern_at (bytes, SIZE, 9, 0);
  g_free (bytes);
  vvas_memory_set_sync_flag (mem, VVAS_DATA_SYNC_FROM_DEVICE);
  host_check (mem, 9);

  /* Either can go first. */
  vvas_memory_free (mem);
  host_write (imported, 10);
  vvas_memory_sync_data (imported, VVAS_DATA_SYNC_TO_DEVICE);
  bytes = kernel_read (imported);
  assert_pattern_at (bytes, SIZE, 10, 0);
  g_free (bytes);
  vvas_memory_free (imported);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* ------------------------------------------------------------------------ */
/* Copies */

/*
 * Checks @dst's host view and (after the due transfer) its device copy:
 * [0, @off) and [@off + @size, end) hold @dst_seed, the range holds @src_seed
 * from @src_off.
 */
static void
assert_copied (VvasMemory * dst, guint dst_seed, gsize off, guint src_seed,
    gsize src_off, gsize size)
{
  VvasMemoryMapInfo map;
  gsize total = vvas_memory_get_size (dst);
  guint8 *bytes;

  map_ok (dst, VVAS_DATA_MAP_READ, &map);
  assert_pattern_at (map.data, off, dst_seed, 0);
  assert_pattern_at (map.data + off, size, src_seed, src_off);
  assert_pattern_at (map.data + off + size, total - off - size, dst_seed,
      off + size);
  unmap_ok (dst, &map);

  vvas_memory_sync_data (dst, VVAS_DATA_SYNC_TO_DEVICE);
  bytes = kernel_read (dst);
  assert_pattern_at (bytes, off, dst_seed, 0);
  assert_pattern_at (bytes + off, size, src_seed, src_off);
  assert_pattern_at (bytes + off + size, total - off - size, dst_seed,
      off + size);
  g_free (bytes);
}

/*
 * On the device, part of a buffer to offset 0 of a memory the host wrote:
 * the host's bytes after the range must reach the device first, since the
 * device copy then becomes the newer one.
 */
static void
test_copy_part_at_start (void)
{
  VvasContext *ctx = device_context ();
  VvasMemory *src = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  VvasMemory *dst = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, SIZE);

  kernel_write (src, 11);
  vvas_memory_set_sync_flag (src, VVAS_DATA_SYNC_FROM_DEVICE);
  host_write (dst, 12);
  xrt_count_reset ();
  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 0, SIZE - 4096 - 1), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 1);
  assert_syncs (1, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_FROM_DEVICE);
  assert_copied (dst, 12, 0, 11, 0, SIZE - 4096 - 1);
  assert_syncs (1, 1);

  vvas_memory_free (dst);
  vvas_memory_free (src);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/*
 * Into a memory mapped for writing, from a source whose device copy is the
 * newer one: through the writer's host view, so the writer's bytes around
 * the range, the copied ones and the writer's later ones all reach the
 * device.
 */
static void
test_copy_into_mapped_writer (void)
{
  VvasContext *ctx = device_context ();
  VvasMemory *src = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  VvasMemory *dst = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, SIZE);
  VvasMemoryMapInfo map;
  guint8 *bytes;

  kernel_write (src, 21);
  vvas_memory_set_sync_flag (src, VVAS_DATA_SYNC_FROM_DEVICE);

  map_ok (dst, VVAS_DATA_MAP_WRITE, &map);
  fill_pattern (map.data, SIZE, 22, 0);
  g_assert_cmpint (vvas_memory_copy (dst, 100, src, 300, 5000), ==,
      VVAS_RET_SUCCESS);
  assert_pattern_at (map.data + 100, 5000, 21, 300);
  /* The writer writes on, over the end. */
  fill_pattern (map.data + SIZE - 1000, 1000, 23, 0);
  unmap_ok (dst, &map);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_TO_DEVICE);

  /* Host view and (after the transfer before device use) device copy. */
  map_ok (dst, VVAS_DATA_MAP_READ, &map);
  assert_pattern_at (map.data, 100, 22, 0);
  assert_pattern_at (map.data + 100, 5000, 21, 300);
  assert_pattern_at (map.data + 5100, SIZE - 1000 - 5100, 22, 5100);
  assert_pattern_at (map.data + SIZE - 1000, 1000, 23, 0);
  unmap_ok (dst, &map);
  g_assert_cmpint (vvas_memory_begin_device_access (dst, VVAS_DATA_MAP_READ),
      ==, VVAS_RET_SUCCESS);
  bytes = kernel_read (dst);
  vvas_memory_end_device_access (dst, VVAS_DATA_MAP_READ);
  assert_pattern_at (bytes, 100, 22, 0);
  assert_pattern_at (bytes + 100, 5000, 21, 300);
  assert_pattern_at (bytes + 5100, SIZE - 1000 - 5100, 22, 5100);
  assert_pattern_at (bytes + SIZE - 1000, 1000, 23, 0);
  g_free (bytes);

  vvas_memory_free (dst);
  vvas_memory_free (src);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/*
 * Over all of a memory whose device copy was newer, from host memory:
 * nothing is fetched from the device, every byte is the source's.
 */
static void
test_copy_whole_from_host (void)
{
  VvasContext *ctx = device_context ();
  VvasMemory *src = alloc_ok (ctx, VVAS_ALLOC_TYPE_NON_CMA, 0, SIZE);
  VvasMemory *dst = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);

  host_write (src, 31);
  kernel_write (dst, 32);
  vvas_memory_set_sync_flag (dst, VVAS_DATA_SYNC_FROM_DEVICE);
  xrt_count_reset ();
  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 0, SIZE), ==,
      VVAS_RET_SUCCESS);
  assert_syncs (0, 0);
  g_assert_cmpint (pending (dst), ==, VVAS_DATA_SYNC_TO_DEVICE);
  assert_copied (dst, 32, 0, 31, 0, SIZE);
  assert_syncs (1, 0);

  /* Part of it: the device's bytes around the range are kept. */
  kernel_write (dst, 33);
  vvas_memory_set_sync_flag (dst, VVAS_DATA_SYNC_FROM_DEVICE);
  g_assert_cmpint (vvas_memory_copy (dst, 1, src, 0, SIZE - 2), ==,
      VVAS_RET_SUCCESS);
  assert_syncs (1, 1);
  assert_copied (dst, 33, 1, 31, 0, SIZE - 2);

  vvas_memory_free (dst);
  vvas_memory_free (src);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* On the device, all of it: the bytes a kernel wrote, fetched once. */
static void
test_copy_on_device (void)
{
  VvasContext *ctx = device_context ();
  VvasMemory *src = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 0, SIZE);
  VvasMemory *dst = alloc_ok (ctx, VVAS_ALLOC_TYPE_CMA, 1, SIZE);

  kernel_write (src, 41);
  vvas_memory_set_sync_flag (src, VVAS_DATA_SYNC_FROM_DEVICE);
  host_write (dst, 42);
  xrt_count_reset ();
  g_assert_cmpint (vvas_memory_copy (dst, 0, src, 0, SIZE), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (xrt_count_get (XRT_CALL_BO_COPY), ==, 1);
  assert_syncs (0, 0);
  host_check (dst, 41);
  assert_syncs (0, 1);
  /* The source's host view was not needed, and is still stale. */
  g_assert_cmpint (pending (src), ==, VVAS_DATA_SYNC_FROM_DEVICE);

  vvas_memory_free (dst);
  vvas_memory_free (src);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* ------------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  int res;

  xrt_emu_enable ();
  g_test_init (&argc, &argv, NULL);
  test_util_init ();

  g_test_add_func ("/emulated/export/own-fd", test_export_own_fd);
  g_test_add_func ("/emulated/export/sends-host-bytes",
      test_export_sends_host_bytes);
  g_test_add_func ("/emulated/export/failed-transfer",
      test_export_failed_transfer);
  g_test_add_func ("/emulated/import/first-read-fetches",
      test_import_first_read_fetches);
  g_test_add_func ("/emulated/import/of-export", test_import_of_export);
  g_test_add_func ("/emulated/copy/part-at-start", test_copy_part_at_start);
  g_test_add_func ("/emulated/copy/into-mapped-writer",
      test_copy_into_mapped_writer);
  g_test_add_func ("/emulated/copy/whole-from-host", test_copy_whole_from_host);
  g_test_add_func ("/emulated/copy/on-device", test_copy_on_device);

  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
