/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#define _POSIX_C_SOURCE 200809L /* strnlen */
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

static int
is_streaming (uint8_t type)
{
  return type == MEM_STREAMING || type == MEM_STREAMING_CONNECTION;
}

static int
spec_is_valid (const XclbinGenSpec * spec)
{
  unsigned int i;

  if (!spec || !spec->banks || spec->n_banks < 1
      || spec->n_banks > XCLBIN_GEN_MAX_BANKS)
    return 0;
  for (i = 0; i < spec->n_banks; i++) {
    const XclbinGenBank *bank = &spec->banks[i];

    if (!is_streaming (bank->type) && bank->size_bytes % 1024 != 0)
      return 0;
    if (memchr (bank->tag, '\0', sizeof (bank->tag)) == NULL)
      return 0;
  }
  return 1;
}

int
xclbin_gen_default_spec (unsigned int n_banks, uint64_t unused_mask,
    uint8_t uuid_seed, XclbinGenBank * banks, XclbinGenSpec * spec)
{
  unsigned int i;

  if (n_banks < 1 || n_banks > 64) {
    errno = EINVAL;
    return -1;
  }
  memset (spec, 0, sizeof (*spec));
  for (i = 0; i < sizeof (spec->uuid); i++)
    spec->uuid[i] = (unsigned char) (uuid_seed * 16 + i + 1);
  spec->n_banks = n_banks;
  spec->banks = banks;
  for (i = 0; i < n_banks; i++) {
    memset (&banks[i], 0, sizeof (banks[i]));
    banks[i].type = MEM_DDR4;
    banks[i].used = (unused_mask >> i) & 1 ? 0 : 1;
    banks[i].size_bytes = XCLBIN_GEN_BANK_SIZE;
    snprintf (banks[i].tag, sizeof (banks[i].tag), "bank%u", i);
  }
  return 0;
}

uint8_t *
xclbin_gen_build (unsigned int n_banks, uint64_t unused_mask,
    uint8_t uuid_seed, XclbinFlavor flavor, size_t *len)
{
  XclbinGenBank banks[64];
  XclbinGenSpec spec;

  if (xclbin_gen_default_spec (n_banks, unused_mask, uuid_seed, banks,
          &spec) != 0)
    return NULL;
  return xclbin_gen_build_spec (&spec, flavor, len);
}

uint8_t *
xclbin_gen_build_spec (const XclbinGenSpec * spec, XclbinFlavor flavor,
    size_t *len)
{
  const size_t section_size = sizeof (struct axlf_section_header);
  const size_t table_offset = offsetof (struct axlf, m_sections);
  const size_t banks_offset = offsetof (struct mem_topology, m_mem_data);
  const unsigned int n_sections = flavor == XCLBIN_TOPOLOGY_LAST ? 3 : 1;
  const size_t header_size = table_offset + n_sections * section_size;
  /* Room before the topology: data of the other sections, or a gap that
   * the declared length can end in. */
  const size_t gap = flavor == XCLBIN_TOPOLOGY_LAST
      || flavor == XCLBIN_SECTION_AFTER_LENGTH ? 64 : 0;
  const size_t topo_offset = header_size + gap;
  size_t topo_size, length, total, tail = 0;
  struct axlf *header;
  struct axlf_section_header *topo_section;
  struct mem_topology *topo;
  uint8_t *buf;
  unsigned int i, n_banks;

  if (!spec_is_valid (spec) || !len
      || (unsigned int) flavor >= XCLBIN_FLAVOR_COUNT) {
    errno = EINVAL;
    return NULL;
  }
  n_banks = spec->n_banks;
  if (flavor == XCLBIN_EMPTY) {
    *len = 0;
    return calloc (1, 1);
  }
  switch (flavor) {
    case XCLBIN_TABLE_PAST_LENGTH:
    case XCLBIN_SECTION_AFTER_LENGTH:
    case XCLBIN_SECTION_PAST_LENGTH:
    case XCLBIN_TRAILING_BYTES:
      tail = XCLBIN_GEN_TAIL;
      break;
    default:
      break;
  }

  topo_size = banks_offset + n_banks * sizeof (struct mem_data);
  length = topo_offset + topo_size;
  total = length + tail;
  buf = calloc (1, total);
  if (!buf)
    return NULL;

  header = (struct axlf *) buf;
  memcpy (header->m_magic, "xclbin2", 8);
  header->m_signature_length = -1;
  memset (header->reserved, 0xff, sizeof (header->reserved));
  header->m_uniqueId = 0x5656415358525400ull | spec->uuid[15];
  header->m_header.m_length = length;
  header->m_header.m_timeStamp = 1700000000;
  header->m_header.m_versionMajor = 2;
  header->m_header.m_versionMinor = 13;
  snprintf ((char *) header->m_header.m_platformVBNV,
      sizeof (header->m_header.m_platformVBNV), "vvas:test:%ubank:1.0",
      n_banks);
  memcpy (header->m_header.uuid, spec->uuid, sizeof (header->m_header.uuid));
  header->m_header.m_numSections = n_sections;
  if (flavor == XCLBIN_TOPOLOGY_LAST) {
    /* Two sections the reader skips, their data in the gap. */
    header->m_sections[0].m_sectionKind = IP_LAYOUT;
    snprintf (header->m_sections[0].m_sectionName,
        sizeof (header->m_sections[0].m_sectionName), "ip_layout");
    header->m_sections[0].m_sectionOffset = header_size;
    header->m_sections[0].m_sectionSize = gap / 2;
    header->m_sections[1].m_sectionKind = CLOCK_FREQ_TOPOLOGY;
    snprintf (header->m_sections[1].m_sectionName,
        sizeof (header->m_sections[1].m_sectionName), "clock_freq");
    header->m_sections[1].m_sectionOffset = header_size + gap / 2;
    header->m_sections[1].m_sectionSize = gap / 2;
  }
  topo_section = &header->m_sections[n_sections - 1];
  topo_section->m_sectionKind = MEM_TOPOLOGY;
  snprintf (topo_section->m_sectionName, sizeof (topo_section->m_sectionName),
      "mem_topology");
  topo_section->m_sectionOffset = topo_offset;
  topo_section->m_sectionSize = topo_size;

  topo = (struct mem_topology *) (buf + topo_offset);
  topo->m_count = (int32_t) n_banks;
  for (i = 0; i < n_banks; i++) {
    struct mem_data *bank = &topo->m_mem_data[i];
    const XclbinGenBank *want = &spec->banks[i];

    bank->m_type = want->type;
    bank->m_used = want->used ? 1 : 0;
    if (is_streaming (want->type)) {
      bank->route_id = i;
      bank->flow_id = i;
    } else {
      bank->m_size = want->size_bytes / 1024;
      bank->m_base_address = 0x4000000000ull + (uint64_t) i *XCLBIN_GEN_BANK_SIZE;
    }
    /* Up to 16 characters: a 16-character tag has no NUL in the file. */
    memcpy (bank->m_tag, want->tag, strnlen (want->tag, sizeof (bank->m_tag)));
    if (flavor == XCLBIN_MIXED_BANK_TYPES) {
      bank->m_type = XCLBIN_GEN_MIXED_TYPES[i % 4];
      if (bank->m_type == MEM_STREAMING
          || bank->m_type == MEM_STREAMING_CONNECTION)
        bank->route_id = 7 + i;
    }
    if (flavor == XCLBIN_LONG_TAGS)
      memcpy (bank->m_tag, "bank_with_a_long_name", sizeof (bank->m_tag));
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
      topo_section->m_sectionOffset = total + 4096;
      break;
    case XCLBIN_BANK_COUNT_TOO_LARGE:
      topo->m_count = (int32_t) n_banks + 1000;
      break;
    case XCLBIN_NO_TOPOLOGY:
      topo_section->m_sectionKind = IP_LAYOUT;
      break;
    case XCLBIN_HUGE_SECTION_COUNT:
      header->m_header.m_numSections = 60000;
      break;
    case XCLBIN_ZERO_SECTIONS:
      header->m_header.m_numSections = 0;
      break;
    case XCLBIN_TOO_MANY_SECTIONS:
      header->m_header.m_numSections = XCLBIN_MAX_NUM_SECTION + 1;
      break;
    case XCLBIN_TABLE_PAST_LENGTH:
      /* The fewest sections whose table ends past the length: it ends less
       * than one header past it, before the end of the file. */
      header->m_header.m_numSections =
          (uint32_t) ((length - table_offset) / section_size + 1);
      break;
    case XCLBIN_SECTION_AFTER_LENGTH:
      /* The length ends in the gap between the table and the topology. */
      header->m_header.m_length = header_size + gap / 2;
      break;
    case XCLBIN_SECTION_PAST_LENGTH:
      topo_section->m_sectionSize = topo_size + 8;
      break;
    case XCLBIN_SECTION_TOO_SMALL:
      topo_section->m_sectionSize = sizeof (topo->m_count);
      break;
    case XCLBIN_ZERO_BANKS:
      topo->m_count = 0;
      break;
    case XCLBIN_NEGATIVE_BANKS:
      topo->m_count = -1;
      break;
    case XCLBIN_BANK_COUNT_ONE_TOO_MANY:
      topo->m_count = (int32_t) n_banks + 1;
      break;
    case XCLBIN_HUGE_BANK_SIZE:
      /* + 1 would wrap to exactly 0 and hide a missing check. */
      topo->m_mem_data[0].m_size = UINT64_MAX / 1024 + 2;
      if (n_banks > 1)
        topo->m_mem_data[1].m_size = UINT64_MAX / 1024;
      break;
    default:
      break;
  }

  *len = total;
  return buf;
}

static int
write_built (const char *path, uint8_t * buf, size_t len)
{
  int res;

  if (!buf)
    return -1;
  res = write_file (path, buf, len);
  free (buf);
  return res;
}

int
xclbin_gen_write (const char *path, unsigned int n_banks,
    uint64_t unused_mask, uint8_t uuid_seed, XclbinFlavor flavor)
{
  size_t len = 0;
  uint8_t *buf = xclbin_gen_build (n_banks, unused_mask, uuid_seed, flavor,
      &len);

  return write_built (path, buf, len);
}

int
xclbin_gen_write_spec (const char *path, const XclbinGenSpec * spec,
    XclbinFlavor flavor)
{
  size_t len = 0;
  uint8_t *buf = xclbin_gen_build_spec (spec, flavor, &len);

  return write_built (path, buf, len);
}
