/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Reads the memory topology of an xclbin without XRT, so that a bad bank
 * index is refused with the list of valid ones before any buffer is
 * allocated. Only the header, the section table and the MEM_TOPOLOGY
 * section are read (real xclbins hold bitstreams of tens of megabytes);
 * every offset and count is checked first against the length the header
 * declares, which must fit in the file (bytes past it, a signature, are
 * not the xclbin's).
 */

#define _GNU_SOURCE
#include "vvas_xclbin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xrt/xclbin.h>

/* Where a failure is reported: a sentence, and its kind. */
typedef struct
{
  char *text;
  size_t len;
  VvasXclbinError error;
} VvasXclbinWhy;

static int
fail (VvasXclbinWhy * why, VvasXclbinError error, const char *fmt, ...)
{
  va_list args;

  why->error = error;
  if (why->text && why->len > 0) {
    va_start (args, fmt);
    vsnprintf (why->text, why->len, fmt, args);
    va_end (args);
  }
  return -1;
}

/* Reads exactly @len bytes at @offset; false on a short read or error. */
static bool
read_exact (int fd, void *buf, size_t len, uint64_t offset)
{
  uint8_t *p = buf;

  while (len > 0) {
    ssize_t n = pread (fd, p, len, (off_t) offset);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    len -= (size_t) n;
    offset += (uint64_t) n;
  }
  return true;
}

static bool
is_streaming_type (uint8_t type)
{
  return type == MEM_STREAMING || type == MEM_STREAMING_CONNECTION;
}

static int
parse_topology (int fd, uint64_t file_size, const char *path,
    VvasXclbinTopology * topology, VvasXclbinWhy * why)
{
  struct axlf header;
  struct axlf_section_header section;
  const size_t table_offset = offsetof (struct axlf, m_sections);
  const size_t banks_offset = offsetof (struct mem_topology, m_mem_data);
  uint64_t table_end;
  int32_t count;
  uint32_t i;
  bool found = false;

  if (file_size < sizeof (header))
    return fail (why, VVAS_XCLBIN_ERROR_TRUNCATED,
        "xclbin '%s' is truncated: %llu bytes, "
        "smaller than the %zu-byte xclbin header", path,
        (unsigned long long) file_size, sizeof (header));
  if (!read_exact (fd, &header, sizeof (header), 0))
    return fail (why, VVAS_XCLBIN_ERROR_OPEN,
        "cannot read xclbin '%s': %s", path, strerror (errno ? errno : EIO));
  if (memcmp (header.m_magic, "xclbin2", 8) != 0)
    return fail (why, VVAS_XCLBIN_ERROR_NOT_XCLBIN,
        "'%s' is not an xclbin: its magic is not \"xclbin2\"", path);
  if (header.m_header.m_length > file_size)
    return fail (why, VVAS_XCLBIN_ERROR_TRUNCATED,
        "xclbin '%s' is truncated: its header says "
        "%llu bytes, the file has %llu", path,
        (unsigned long long) header.m_header.m_length,
        (unsigned long long) file_size);
  if (header.m_header.m_numSections == 0
      || header.m_header.m_numSections > XCLBIN_MAX_NUM_SECTION)
    return fail (why, VVAS_XCLBIN_ERROR_CORRUPT,
        "xclbin '%s' is corrupt: %u sections", path,
        header.m_header.m_numSections);

  table_end = table_offset +
      (uint64_t) header.m_header.m_numSections * sizeof (section);
  if (table_end > header.m_header.m_length)
    return fail (why, VVAS_XCLBIN_ERROR_CORRUPT,
        "xclbin '%s' is corrupt: its %u section "
        "headers run past its end", path, header.m_header.m_numSections);

  for (i = 0; i < header.m_header.m_numSections; i++) {
    if (!read_exact (fd, &section, sizeof (section),
            table_offset + (uint64_t) i * sizeof (section)))
      return fail (why, VVAS_XCLBIN_ERROR_OPEN,
          "cannot read section table of '%s'", path);
    if (section.m_sectionKind == MEM_TOPOLOGY) {
      found = true;
      break;
    }
  }
  if (!found)
    return fail (why, VVAS_XCLBIN_ERROR_NO_MEM_TOPOLOGY,
        "xclbin '%s' has no MEM_TOPOLOGY section", path);

  if (section.m_sectionOffset > header.m_header.m_length
      || section.m_sectionSize > header.m_header.m_length -
      section.m_sectionOffset)
    return fail (why, VVAS_XCLBIN_ERROR_CORRUPT,
        "xclbin '%s' is corrupt: MEM_TOPOLOGY section "
        "(offset %llu, size %llu) lies outside the file's %llu bytes", path,
        (unsigned long long) section.m_sectionOffset,
        (unsigned long long) section.m_sectionSize,
        (unsigned long long) header.m_header.m_length);
  if (section.m_sectionSize < banks_offset)
    return fail (why, VVAS_XCLBIN_ERROR_CORRUPT,
        "xclbin '%s' is corrupt: its MEM_TOPOLOGY "
        "section (%llu bytes) is too small to hold a bank", path,
        (unsigned long long) section.m_sectionSize);

  if (!read_exact (fd, &count, sizeof (count), section.m_sectionOffset))
    return fail (why, VVAS_XCLBIN_ERROR_OPEN,
        "cannot read MEM_TOPOLOGY of '%s'", path);
  if (count <= 0 || (uint64_t) count >
      (section.m_sectionSize - banks_offset) / sizeof (struct mem_data))
    return fail (why, VVAS_XCLBIN_ERROR_CORRUPT,
        "xclbin '%s' is corrupt: MEM_TOPOLOGY says "
        "%d banks in a %llu-byte section", path, count,
        (unsigned long long) section.m_sectionSize);

  topology->banks = calloc ((size_t) count, sizeof (VvasXclbinBank));
  if (!topology->banks)
    return fail (why, VVAS_XCLBIN_ERROR_NO_MEMORY,
        "out of memory reading '%s'", path);
  topology->bank_count = (uint32_t) count;

  for (i = 0; i < topology->bank_count; i++) {
    struct mem_data data;
    VvasXclbinBank *bank = &topology->banks[i];

    if (!read_exact (fd, &data, sizeof (data), section.m_sectionOffset +
            banks_offset + (uint64_t) i * sizeof (data))) {
      vvas_xclbin_topology_clear (topology);
      return fail (why, VVAS_XCLBIN_ERROR_OPEN,
          "cannot read bank %u of '%s'", i, path);
    }
    bank->type = data.m_type;
    bank->used = data.m_used != 0;
    bank->base_address = data.m_base_address;
    /* m_size is in KiB for memory banks, a route id for streams. */
    bank->size_bytes = is_streaming_type (data.m_type)
        || data.m_size > UINT64_MAX / 1024 ? 0 : data.m_size * 1024;
    memcpy (bank->tag, data.m_tag, sizeof (data.m_tag));
    bank->tag[sizeof (bank->tag) - 1] = '\0';
  }
  memcpy (topology->uuid, header.m_header.uuid, sizeof (topology->uuid));
  return 0;
}

static const char *
file_kind (mode_t mode)
{
  if (S_ISDIR (mode))
    return "a directory";
  if (S_ISFIFO (mode))
    return "a FIFO";
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return "a device node";
  if (S_ISSOCK (mode))
    return "a socket";
  return "another kind of file";
}

static int
read_file (const char *path, VvasXclbinTopology * topology, VvasXclbinWhy * why)
{
  struct stat st;
  int fd, res;

  /*
   * Opening a FIFO blocks until a writer comes, reading a device node may
   * never end: refuse anything but a regular file before opening it, and
   * open without blocking in case the path changes in between.
   */
  if (stat (path, &st) != 0)
    return fail (why, VVAS_XCLBIN_ERROR_OPEN,
        "cannot open xclbin '%s': %s", path, strerror (errno));
  if (!S_ISREG (st.st_mode))
    return fail (why, VVAS_XCLBIN_ERROR_OPEN,
        "xclbin '%s' is not a regular file: it is %s", path,
        file_kind (st.st_mode));
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return fail (why, VVAS_XCLBIN_ERROR_OPEN,
        "cannot open xclbin '%s': %s", path, strerror (errno));
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
    close (fd);
    return fail (why, VVAS_XCLBIN_ERROR_OPEN,
        "xclbin '%s' is not a regular file: it is %s", path,
        file_kind (st.st_mode));
  }
  errno = 0;
  res = parse_topology (fd, (uint64_t) st.st_size, path, topology, why);
  close (fd);
  return res;
}

int
vvas_xclbin_read_topology (const char *path, VvasXclbinTopology * topology,
    char *why, size_t why_len)
{
  return vvas_xclbin_read (path, topology, NULL, why, why_len);
}

int
vvas_xclbin_read (const char *path, VvasXclbinTopology * topology,
    VvasXclbinError * error, char *why, size_t why_len)
{
  VvasXclbinWhy report = { why, why_len, VVAS_XCLBIN_ERROR_NONE };
  int res;

  memset (topology, 0, sizeof (*topology));
  if (why && why_len > 0)
    why[0] = '\0';
  res = read_file (path, topology, &report);
  if (error)
    *error = report.error;
  return res;
}

void
vvas_xclbin_topology_clear (VvasXclbinTopology * topology)
{
  free (topology->banks);
  memset (topology, 0, sizeof (*topology));
}

bool
vvas_xclbin_bank_is_usable (const VvasXclbinTopology * topology, uint32_t bank)
{
  return bank < topology->bank_count && topology->banks[bank].used
      && !is_streaming_type (topology->banks[bank].type);
}

void
vvas_xclbin_describe_usable_banks (const VvasXclbinTopology * topology,
    char *out, size_t out_len)
{
  size_t used = 0;
  uint32_t i;

  out[0] = '\0';
  for (i = 0; i < topology->bank_count && used < out_len; i++) {
    int n;

    if (!vvas_xclbin_bank_is_usable (topology, i))
      continue;
    n = snprintf (out + used, out_len - used, "%s%u", used ? ", " : "", i);
    if (n < 0)
      break;
    used += (size_t) n;
  }
  if (out[0] == '\0')
    snprintf (out, out_len, "none");
}
