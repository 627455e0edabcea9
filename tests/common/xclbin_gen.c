/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#include "xclbin_gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xrt/xclbin.h>

static int
write_file (const char *path, const void *data, size_t len)
{
  FILE *f = fopen (path, "wb");
  int res = 0;

  if (!f)
    return -1;
  if (len > 0 && fwrite (data, 1, len, f) != len)
    res = -1;
  if (fclose (f) != 0)
    res = -1;
  return res;
}

int
xclbin_gen_write (const char *path, unsigned int n_banks,
    uint64_t unused_mask, uint8_t uuid_seed, XclbinFlavor flavor)
{
  const size_t topo_offset = sizeof (struct axlf);
  const size_t banks_offset = offsetof (struct mem_topology, m_mem_data);
  size_t topo_size, total;
  struct axlf *header;
  struct mem_topology *topo;
  uint8_t *buf;
  unsigned int i;
  int res;

  if (n_banks < 1 || n_banks > 64) {
    errno = EINVAL;
    return -1;
  }
  if (flavor == XCLBIN_EMPTY)
    return write_file (path, "", 0);

  topo_size = banks_offset + n_banks * sizeof (struct mem_data);
  total = topo_offset + topo_size;
  buf = calloc (1, total);
  if (!buf)
    return -1;

  header = (struct axlf *) buf;
  memcpy (header->m_magic, "xclbin2", 8);
  header->m_signature_length = -1;
  memset (header->reserved, 0xff, sizeof (header->reserved));
  header->m_uniqueId = 0x5656415358525400ull | uuid_seed;
  header->m_header.m_length = total;
  header->m_header.m_timeStamp = 1700000000;
  header->m_header.m_versionMajor = 2;
  header->m_header.m_versionMinor = 13;
  snprintf ((char *) header->m_header.m_platformVBNV,
      sizeof (header->m_header.m_platformVBNV), "vvas:test:%ubank:1.0",
      n_banks);
  for (i = 0; i < sizeof (header->m_header.uuid); i++)
    header->m_header.uuid[i] = (unsigned char) (uuid_seed * 16 + i + 1);
  header->m_header.m_numSections = 1;
  header->m_sections[0].m_sectionKind = MEM_TOPOLOGY;
  snprintf (header->m_sections[0].m_sectionName,
      sizeof (header->m_sections[0].m_sectionName), "mem_topology");
  header->m_sections[0].m_sectionOffset = topo_offset;
  header->m_sections[0].m_sectionSize = topo_size;

  topo = (struct mem_topology *) (buf + topo_offset);
  topo->m_count = (int32_t) n_banks;
  for (i = 0; i < n_banks; i++) {
    struct mem_data *bank = &topo->m_mem_data[i];

    bank->m_type = MEM_DDR4;
    bank->m_used = (unused_mask >> i) & 1 ? 0 : 1;
    bank->m_size = XCLBIN_GEN_BANK_SIZE / 1024;
    bank->m_base_address = 0x4000000000ull + (uint64_t) i *XCLBIN_GEN_BANK_SIZE;
    snprintf ((char *) bank->m_tag, sizeof (bank->m_tag), "bank%u", i);
  }

  switch (flavor) {
    case XCLBIN_TRUNCATED:
      total = sizeof (struct axlf) / 2;
      break;
    case XCLBIN_TRUNCATED_SECTION:
      total -= sizeof (struct mem_data) / 2;
      break;
    case XCLBIN_BAD_MAGIC:
      memcpy (header->m_magic, "xclbin1", 8);
      break;
    case XCLBIN_SECTION_OUT_OF_BOUNDS:
      header->m_sections[0].m_sectionOffset = total + 4096;
      break;
    case XCLBIN_BANK_COUNT_TOO_LARGE:
      topo->m_count = (int32_t) n_banks + 1000;
      break;
    case XCLBIN_NO_TOPOLOGY:
      header->m_sections[0].m_sectionKind = IP_LAYOUT;
      break;
    case XCLBIN_HUGE_SECTION_COUNT:
      header->m_header.m_numSections = 60000;
      break;
    default:
      break;
  }

  res = write_file (path, buf, total);
  free (buf);
  return res;
}
