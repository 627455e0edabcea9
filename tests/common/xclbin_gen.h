/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * Writes minimal xclbin files (an axlf header and one MEM_TOPOLOGY section)
 * that XRT's no-op device loads, and broken variants of them for error
 * tests. Debian's xclbinutil does not run, hence this generator.
 */

#ifndef __VVAS_TEST_XCLBIN_GEN_H__
#define __VVAS_TEST_XCLBIN_GEN_H__

#include <stddef.h>
#include <stdint.h>

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
} XclbinFlavor;

/* Bank size the generator declares, in bytes. */
#define XCLBIN_GEN_BANK_SIZE ((uint64_t) 1 << 30)

/*
 * Writes an xclbin with @n_banks banks (1 to 64) to @path; a bank whose bit
 * is set in @unused_mask is marked unused. The UUID is derived from
 * @uuid_seed. Returns 0, or -1 with errno set.
 */
int xclbin_gen_write (const char *path, unsigned int n_banks,
    uint64_t unused_mask, uint8_t uuid_seed, XclbinFlavor flavor);

#endif /* __VVAS_TEST_XCLBIN_GEN_H__ */
