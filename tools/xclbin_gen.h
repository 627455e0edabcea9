/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Writes minimal xclbin files (an axlf header and one MEM_TOPOLOGY section)
 * that XRT's no-op device loads, and broken variants of them for error
 * tests. Debian's xclbinutil does not run, hence this generator. Used by
 * the vvas-make-xclbin tool and, linked in, by the test suite; not
 * installed.
 */

#ifndef __VVAS_XCLBIN_GEN_H__
#define __VVAS_XCLBIN_GEN_H__

#include <stddef.h>
#include <stdint.h>

/*
 * Each broken flavor breaks one rule of the reader and keeps every other
 * one, so that it is refused by that rule alone. Several keep bytes after
 * the header's declared length (a signature does that in real files): a
 * reader that checks against the file's size instead of the declared
 * length accepts them.
 */
typedef enum
{
  XCLBIN_VALID,
  XCLBIN_EMPTY,                 /* a 0-byte file */
  XCLBIN_TRUNCATED,             /* cut in the middle of the header */
  XCLBIN_TRUNCATED_SECTION,     /* header intact, topology section cut */
  XCLBIN_BAD_MAGIC,
  XCLBIN_SECTION_OUT_OF_BOUNDS, /* topology offset beyond the file */
  XCLBIN_BANK_COUNT_TOO_LARGE,  /* m_count larger than the section holds */
  XCLBIN_NO_TOPOLOGY,           /* one section, of another kind */
  XCLBIN_HUGE_SECTION_COUNT,    /* m_numSections larger than the file */
  XCLBIN_ZERO_SECTIONS,         /* m_numSections 0 */
  XCLBIN_TOO_MANY_SECTIONS,     /* m_numSections XCLBIN_MAX_NUM_SECTION + 1 */
  /* The section table ends less than one header past the declared length,
   * inside the file; the topology is the first section, within the length. */
  XCLBIN_TABLE_PAST_LENGTH,
  /* The topology starts past the declared length, inside the file. */
  XCLBIN_SECTION_AFTER_LENGTH,
  /* The topology's size runs 8 bytes past the declared length, inside the
   * file; m_count fits the real size. */
  XCLBIN_SECTION_PAST_LENGTH,
  XCLBIN_SECTION_TOO_SMALL,     /* m_sectionSize 4: m_count but no bank */
  XCLBIN_ZERO_BANKS,            /* m_count 0 */
  XCLBIN_NEGATIVE_BANKS,        /* m_count -1 */
  XCLBIN_BANK_COUNT_ONE_TOO_MANY,       /* m_count n_banks + 1 */
  /* Valid ones, each with a feature the reader must handle: */
  XCLBIN_TRAILING_BYTES,        /* 64 bytes after the declared length */
  XCLBIN_TOPOLOGY_LAST,         /* 3 sections, MEM_TOPOLOGY the last */
  /* Bank i has type XCLBIN_GEN_MIXED_TYPES[i % 4]; streaming banks carry
   * a route id in m_size. */
  XCLBIN_MIXED_BANK_TYPES,
  /* Bank 0's m_size (KiB) overflows 64 bits in bytes, bank 1's does not. */
  XCLBIN_HUGE_BANK_SIZE,
  XCLBIN_LONG_TAGS,             /* tags of 16 characters, no NUL */
  XCLBIN_FLAVOR_COUNT
} XclbinFlavor;

/* Bank size the generator declares, in bytes. */
#define XCLBIN_GEN_BANK_SIZE ((uint64_t) 1 << 30)

/* Bytes the flavors that keep some after the declared length keep. */
#define XCLBIN_GEN_TAIL 64

/* enum MEM_TYPE values of XCLBIN_MIXED_BANK_TYPES: DDR4, STREAMING, HBM,
 * STREAMING_CONNECTION. */
#define XCLBIN_GEN_MIXED_TYPES ((const uint8_t[4]) { 1, 3, 6, 9 })

/* Most banks xclbin_gen_build_spec() writes: bank indexes are 8 bits. */
#define XCLBIN_GEN_MAX_BANKS 256

/* One bank of an XclbinGenSpec. */
typedef struct
{
  uint8_t type;                 /* enum MEM_TYPE of xrt/xclbin.h */
  uint8_t used;                 /* 0: marked unused */
  /* Bytes, a multiple of 1024 (the file holds KiB); streaming banks
   * (MEM_STREAMING, MEM_STREAMING_CONNECTION) have no size: their index is
   * written as the route id instead. */
  uint64_t size_bytes;
  char tag[17];                 /* up to 16 characters */
} XclbinGenBank;

/* What an xclbin holds: its UUID and its memory banks. */
typedef struct
{
  unsigned char uuid[16];
  unsigned int n_banks;         /* 1 to XCLBIN_GEN_MAX_BANKS */
  const XclbinGenBank *banks;
} XclbinGenSpec;

/*
 * Builds an xclbin of @spec's banks and UUID, broken as @flavor says (the
 * flavors that name a bank need 2 banks or more). Returns a buffer to
 * free() of *@len bytes, or NULL with errno set (EINVAL for a bad spec).
 */
uint8_t *xclbin_gen_build_spec (const XclbinGenSpec * spec,
    XclbinFlavor flavor, size_t *len);

/* The same, written to @path. Returns 0, or -1 with errno set. */
int xclbin_gen_write_spec (const char *path, const XclbinGenSpec * spec,
    XclbinFlavor flavor);

/*
 * The banks and UUID xclbin_gen_build() writes for these arguments: DDR4
 * banks of XCLBIN_GEN_BANK_SIZE tagged "bank<i>"; the UUID's bytes are
 * @uuid_seed * 16 + 1, + 2, ... Fills @banks (room for @n_banks) and
 * @spec. Returns 0, or -1 with errno EINVAL when @n_banks is not 1 to 64.
 */
int xclbin_gen_default_spec (unsigned int n_banks, uint64_t unused_mask,
    uint8_t uuid_seed, XclbinGenBank * banks, XclbinGenSpec * spec);

/*
 * Builds an xclbin with @n_banks banks (1 to 64) in memory; a bank whose bit
 * is set in @unused_mask is marked unused. The UUID is derived from
 * @uuid_seed. Returns a buffer to free() of *@len bytes, or NULL with errno
 * set.
 */
uint8_t *xclbin_gen_build (unsigned int n_banks, uint64_t unused_mask,
    uint8_t uuid_seed, XclbinFlavor flavor, size_t *len);

/* The same, written to @path. Returns 0, or -1 with errno set. */
int xclbin_gen_write (const char *path, unsigned int n_banks,
    uint64_t unused_mask, uint8_t uuid_seed, XclbinFlavor flavor);

#endif /* __VVAS_XCLBIN_GEN_H__ */
