/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The emulated device (see xrt_emu.h): a device copy per BO, in a memfd,
 * next to the host view that XRT's no-op device keeps. The tables below
 * are guarded by one mutex; bytes are copied outside it, since a BO cannot
 * go away during its own sync unless the code under test is wrong anyway.
 */

#define _GNU_SOURCE
#include "xrt_emu_private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xrt/xclbin.h>

#define MAX_DEVICES 16
#define MAX_BANKS 128
#define BO_BUCKETS 256

typedef struct EmuBo
{
  xrtBufferHandle handle;
  int dev_idx;                  /* -1: not known to the emulation */
  int bank;                     /* -1: imported, on no bank */
  size_t size;                  /* as asked, or the imported file's size */
  size_t reserved;              /* bytes charged to the bank */
  uint8_t *host;                /* XRT's host view */
  uint8_t *device;              /* the device copy, mapped from fd */
  size_t mapped;
  int fd;                       /* owned: what xrtBOExport returns */
  struct EmuBo *next;
} EmuBo;

typedef struct EmuHandle
{
  xrtDeviceHandle handle;
  unsigned int index;
  struct EmuHandle *next;
} EmuHandle;

/* A device index: its banks from the loaded xclbin (none: not enforced). */
typedef struct
{
  unsigned int bank_count;
  uint64_t capacity[MAX_BANKS]; /* 0: unknown */
  bool usable[MAX_BANKS];
  uint64_t used[MAX_BANKS];
} EmuDevice;

static pthread_mutex_t emu_lock = PTHREAD_MUTEX_INITIALIZER;
static EmuBo *bo_table[BO_BUCKETS];
static EmuHandle *handles;
static EmuDevice devices[MAX_DEVICES];

/* -1 until read from the environment. */
static atomic_int emulation = -1;

bool
xrt_emu_enabled (void)
{
  int on = atomic_load_explicit (&emulation, memory_order_relaxed);

  if (on < 0) {
    const char *env = getenv ("VVAS_XRT_EMULATION");
    int expected = -1;

    on = env && strcmp (env, "1") == 0;
    if (!atomic_compare_exchange_strong (&emulation, &expected, on))
      on = expected;
  }
  return on;
}

void
xrt_emu_enable (void)
{
  atomic_store (&emulation, 1);
}

static size_t
page_round (size_t size)
{
  size_t page = (size_t) sysconf (_SC_PAGESIZE);

  return (size + page - 1) / page * page;
}

static unsigned int
bucket (const void *handle)
{
  return (unsigned int) (((uintptr_t) handle >> 4) % BO_BUCKETS);
}

/* Lock held. */
static EmuBo *
find_bo_locked (xrtBufferHandle handle)
{
  EmuBo *bo;

  for (bo = bo_table[bucket (handle)]; bo; bo = bo->next)
    if (bo->handle == handle)
      return bo;
  return NULL;
}

/* A copy of @handle's record, or false (with a message: a test bug). */
static bool
find_bo (xrtBufferHandle handle, EmuBo * out)
{
  EmuBo *bo;

  pthread_mutex_lock (&emu_lock);
  bo = find_bo_locked (handle);
  if (bo)
    *out = *bo;
  pthread_mutex_unlock (&emu_lock);
  if (!bo)
    fprintf (stderr, "xrt_emu: %p is not a live buffer object of the "
        "emulated device\n", handle);
  return bo != NULL;
}

/* Lock held; -1 for a device opened before the emulation was on. */
static int
device_index_locked (xrtDeviceHandle handle)
{
  EmuHandle *h;

  for (h = handles; h; h = h->next)
    if (h->handle == handle)
      return (int) h->index;
  return -1;
}

void
xrt_emu_device_opened (xrtDeviceHandle device, unsigned int index)
{
  EmuHandle *h;

  if (index >= MAX_DEVICES)
    return;
  h = calloc (1, sizeof (*h));
  if (!h)
    return;
  h->handle = device;
  h->index = index;
  pthread_mutex_lock (&emu_lock);
  h->next = handles;
  handles = h;
  pthread_mutex_unlock (&emu_lock);
}

void
xrt_emu_device_closing (xrtDeviceHandle device)
{
  EmuHandle **link, *gone = NULL;

  pthread_mutex_lock (&emu_lock);
  for (link = &handles; *link; link = &(*link)->next) {
    if ((*link)->handle == device) {
      gone = *link;
      *link = gone->next;
      break;
    }
  }
  pthread_mutex_unlock (&emu_lock);
  free (gone);
}

static bool
read_at (int fd, void *buf, size_t len, uint64_t offset)
{
  return pread (fd, buf, len, (off_t) offset) == (ssize_t) len;
}

/*
 * The banks of @path's MEM_TOPOLOGY, read on their own (not with the
 * library's reader: the emulation must not share its bugs). An xclbin
 * without one leaves the banks unknown.
 */
static void
read_banks (const char *path, EmuDevice * banks)
{
  const uint64_t table = offsetof (struct axlf, m_sections);
  const uint64_t data = offsetof (struct mem_topology, m_mem_data);
  struct axlf_section_header section;
  struct axlf header;
  int32_t count = 0;
  uint32_t i;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

  memset (banks, 0, sizeof (*banks));
  if (fd < 0)
    return;
  if (!read_at (fd, &header, sizeof (header), 0)
      || memcmp (header.m_magic, "xclbin2", 8) != 0)
    goto out;
  for (i = 0; i < header.m_header.m_numSections && i < 64; i++) {
    if (!read_at (fd, &section, sizeof (section), table + i * sizeof (section)))
      goto out;
    if (section.m_sectionKind == MEM_TOPOLOGY)
      break;
  }
  if (i == header.m_header.m_numSections || i == 64
      || !read_at (fd, &count, sizeof (count), section.m_sectionOffset)
      || count <= 0)
    goto out;
  for (i = 0; i < (uint32_t) count && i < MAX_BANKS; i++) {
    struct mem_data bank;
    bool streaming;

    if (!read_at (fd, &bank, sizeof (bank), section.m_sectionOffset + data +
            i * sizeof (bank)))
      break;
    streaming = bank.m_type == MEM_STREAMING
        || bank.m_type == MEM_STREAMING_CONNECTION;
    banks->usable[i] = bank.m_used && !streaming;
    banks->capacity[i] = streaming ? 0 : bank.m_size * 1024;
  }
  banks->bank_count = i;
out:
  close (fd);
}

void
xrt_emu_xclbin_loaded (xrtDeviceHandle device, const char *path)
{
  EmuDevice banks;
  int index;

  read_banks (path, &banks);
  pthread_mutex_lock (&emu_lock);
  index = device_index_locked (device);
  if (index >= 0) {
    /* What live BOs hold stays charged. */
    memcpy (banks.used, devices[index].used, sizeof (banks.used));
    devices[index] = banks;
  }
  pthread_mutex_unlock (&emu_lock);
}

/*
 * Charges @size to the bank (in *@charged: nothing where the banks are not
 * known), or refuses it as XRT's allocator would. Returns 0 or an errno.
 */
static int
reserve (int index, unsigned int bank, size_t size, size_t *charged)
{
  EmuDevice *d;
  int res = 0;

  *charged = 0;
  if (index < 0)
    return 0;
  pthread_mutex_lock (&emu_lock);
  d = &devices[index];
  if (d->bank_count > 0) {
    if (bank >= d->bank_count || !d->usable[bank])
      res = EINVAL;
    else if (d->capacity[bank] && size > d->capacity[bank] - d->used[bank])
      res = ENOMEM;
    else
      d->used[bank] += *charged = size;
  }
  pthread_mutex_unlock (&emu_lock);
  return res;
}

static void
unreserve (int index, int bank, size_t size)
{
  if (index < 0 || bank < 0 || size == 0)
    return;
  pthread_mutex_lock (&emu_lock);
  devices[index].used[bank] -= size;
  pthread_mutex_unlock (&emu_lock);
}

static void
insert_bo (EmuBo * bo)
{
  unsigned int b = bucket (bo->handle);

  pthread_mutex_lock (&emu_lock);
  bo->next = bo_table[b];
  bo_table[b] = bo;
  pthread_mutex_unlock (&emu_lock);
}

static void
release_device_copy (EmuBo * bo)
{
  if (bo->device)
    munmap (bo->device, bo->mapped);
  if (bo->fd >= 0)
    close (bo->fd);
}

/*
 * Maps @fd (owned by @bo from now on) as @bo's device copy and gives @bo
 * the host view of @handle. Returns 0 or an errno.
 */
static int
attach (EmuBo * bo, xrtBufferHandle handle, int fd, size_t size)
{
  void *(*real_map) (xrtBufferHandle) = xrt_real_symbol ("xrtBOMap");

  bo->handle = handle;
  bo->fd = fd;
  bo->size = size;
  bo->mapped = page_round (size);
  bo->device = mmap (NULL, bo->mapped, PROT_READ | PROT_WRITE, MAP_SHARED,
      fd, 0);
  if (bo->device == MAP_FAILED) {
    bo->device = NULL;
    return EINVAL;
  }
  bo->host = real_map (handle);
  if (!bo->host)
    return ENOMEM;
  memset (bo->host, XRT_EMU_FRESH_HOST_BYTE, size);
  return 0;
}

xrtBufferHandle
xrt_emu_bo_alloc (xrtDeviceHandle device, size_t size, xrtBufferFlags flags,
    xrtMemoryGroup bank, XrtBOAllocFunc real_alloc)
{
  int (*real_free) (xrtBufferHandle) = xrt_real_symbol ("xrtBOFree");
  xrtBufferHandle handle;
  size_t charged;
  EmuBo *bo;
  int index, fd, err;

  pthread_mutex_lock (&emu_lock);
  index = device_index_locked (device);
  pthread_mutex_unlock (&emu_lock);

  err = reserve (index, bank, size, &charged);
  if (err) {
    errno = err;
    return NULL;
  }
  bo = calloc (1, sizeof (*bo));
  fd = memfd_create ("xrt-emu-bo", MFD_CLOEXEC);
  handle = bo && fd >= 0 && ftruncate (fd, (off_t) size) == 0 ?
      real_alloc (device, size, flags, bank) : NULL;
  err = handle ? attach (bo, handle, fd, size) : ENOMEM;
  if (err) {
    if (handle)
      real_free (handle);
    if (bo && bo->device)
      release_device_copy (bo);
    else if (fd >= 0)
      close (fd);
    free (bo);
    unreserve (index, (int) bank, charged);
    errno = err;
    return NULL;
  }
  memset (bo->device, XRT_EMU_FRESH_DEVICE_BYTE, size);
  bo->dev_idx = index;
  bo->bank = (int) bank;
  bo->reserved = charged;
  insert_bo (bo);
  return handle;
}

xrtBufferHandle
xrt_emu_bo_import (xrtDeviceHandle device, int fd)
{
  XrtBOAllocFunc real_alloc = xrt_real_symbol ("xrtBOAlloc");
  int (*real_free) (xrtBufferHandle) = xrt_real_symbol ("xrtBOFree");
  xrtBufferHandle handle = NULL;
  struct stat st;
  EmuBo *bo;
  int own_fd, err;

  if (fd < 0 || fstat (fd, &st) != 0 || st.st_size <= 0) {
    errno = EINVAL;
    return NULL;
  }
  /* Like a driver's import, it keeps its own reference to the buffer. */
  own_fd = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  bo = calloc (1, sizeof (*bo));
  if (own_fd >= 0 && bo)
    handle = real_alloc (device, page_round ((size_t) st.st_size), 0, 0);
  err = handle ? attach (bo, handle, own_fd, (size_t) st.st_size) : ENOMEM;
  if (err) {
    if (handle)
      real_free (handle);
    if (bo && bo->device)
      release_device_copy (bo);
    else if (own_fd >= 0)
      close (own_fd);
    free (bo);
    errno = err;
    return NULL;
  }
  bo->dev_idx = -1;
  bo->bank = -1;
  insert_bo (bo);
  return handle;
}

void
xrt_emu_bo_freeing (xrtBufferHandle handle)
{
  EmuBo **link, *bo = NULL;

  pthread_mutex_lock (&emu_lock);
  for (link = &bo_table[bucket (handle)]; *link; link = &(*link)->next) {
    if ((*link)->handle == handle) {
      bo = *link;
      *link = bo->next;
      break;
    }
  }
  pthread_mutex_unlock (&emu_lock);
  if (!bo)
    return;
  if (bo->reserved)
    unreserve (bo->dev_idx, bo->bank, bo->reserved);
  release_device_copy (bo);
  free (bo);
}

size_t
xrt_emu_bo_size (xrtBufferHandle handle)
{
  EmuBo bo;

  return find_bo (handle, &bo) ? bo.size : 0;
}

static bool
range_ok (const EmuBo * bo, size_t offset, size_t size)
{
  return offset <= bo->size && size <= bo->size - offset;
}

int
xrt_emu_bo_sync (xrtBufferHandle handle, bool to_device, size_t size,
    size_t offset)
{
  EmuBo bo;

  if (!find_bo (handle, &bo) || !range_ok (&bo, offset, size))
    return -EINVAL;
  if (to_device)
    memcpy (bo.device + offset, bo.host + offset, size);
  else
    memcpy (bo.host + offset, bo.device + offset, size);
  return 0;
}

int
xrt_emu_bo_copy (xrtBufferHandle dst, xrtBufferHandle src, size_t size,
    size_t dst_offset, size_t src_offset)
{
  EmuBo d, s;

  if (!find_bo (dst, &d) || !find_bo (src, &s)
      || !range_ok (&d, dst_offset, size) || !range_ok (&s, src_offset, size))
    return -EINVAL;
  /* An import of an export shares the bytes: the ranges may overlap. */
  memmove (d.device + dst_offset, s.device + src_offset, size);
  return 0;
}

int
xrt_emu_bo_export (xrtBufferHandle handle)
{
  EmuBo bo;

  if (!find_bo (handle, &bo)) {
    errno = EINVAL;
    return -1;
  }
  return bo.fd;
}

/* Where a kernel touches @handle: the device copy, or the host view. */
static uint8_t *
kernel_bytes (xrtBufferHandle handle, size_t offset, size_t size)
{
  EmuBo bo;

  if (xrt_emu_enabled ()) {
    if (!find_bo (handle, &bo) || !range_ok (&bo, offset, size))
      return NULL;
    return bo.device + offset;
  } else {
    void *(*real_map) (xrtBufferHandle) = xrt_real_symbol ("xrtBOMap");
    size_t (*real_size) (xrtBufferHandle) = xrt_real_symbol ("xrtBOSize");
    uint8_t *host = real_map (handle);

    bo.size = real_size (handle);
    if (!host || !range_ok (&bo, offset, size))
      return NULL;
    return host + offset;
  }
}

int
xrt_emu_kernel_read (void *bo, size_t offset, void *dst, size_t size)
{
  uint8_t *bytes = kernel_bytes (bo, offset, size);

  if (!bytes)
    return -1;
  memcpy (dst, bytes, size);
  return 0;
}

int
xrt_emu_kernel_write (void *bo, size_t offset, const void *src, size_t size)
{
  uint8_t *bytes = kernel_bytes (bo, offset, size);

  if (!bytes)
    return -1;
  memcpy (bytes, src, size);
  return 0;
}

int
xrt_emu_kernel_fill (void *bo, size_t offset, uint8_t value, size_t size)
{
  uint8_t *bytes = kernel_bytes (bo, offset, size);

  if (!bytes)
    return -1;
  memset (bytes, value, size);
  return 0;
}

uint64_t
xrt_emu_bank_used (unsigned int dev_idx, unsigned int bank)
{
  uint64_t used;

  if (dev_idx >= MAX_DEVICES || bank >= MAX_BANKS)
    return 0;
  pthread_mutex_lock (&emu_lock);
  used = devices[dev_idx].used[bank];
  pthread_mutex_unlock (&emu_lock);
  return used;
}

uint64_t
xrt_emu_bank_capacity (unsigned int dev_idx, unsigned int bank)
{
  uint64_t capacity;

  if (dev_idx >= MAX_DEVICES || bank >= MAX_BANKS)
    return 0;
  pthread_mutex_lock (&emu_lock);
  capacity = devices[dev_idx].capacity[bank];
  pthread_mutex_unlock (&emu_lock);
  return capacity;
}

void
xrt_emu_set_bank_capacity (unsigned int dev_idx, unsigned int bank,
    uint64_t bytes)
{
  EmuDevice *d;
  unsigned int i;

  if (dev_idx >= MAX_DEVICES || bank >= MAX_BANKS)
    return;
  pthread_mutex_lock (&emu_lock);
  d = &devices[dev_idx];
  /* Banks the topology did not name become usable, of unknown size. */
  for (i = d->bank_count; i <= bank; i++)
    d->usable[i] = true;
  if (bank >= d->bank_count)
    d->bank_count = bank + 1;
  d->capacity[bank] = bytes;
  pthread_mutex_unlock (&emu_lock);
}

unsigned int
xrt_emu_count_open_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *entry;
  unsigned int n = 0;

  if (!dir)
    return 0;
  while ((entry = readdir (dir)))
    if (entry->d_name[0] != '.')
      n++;
  closedir (dir);
  return n - 1;                 /* the folder's own fd */
}
