/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/* vvas-make-xclbin OUTPUT N_BANKS: writes a test xclbin for the no-op device. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xclbin_gen.h"

int
main (int argc, char **argv)
{
  char *end = NULL;
  unsigned long n_banks;

  if (argc != 3) {
    fprintf (stderr, "usage: %s OUTPUT N_BANKS\n"
        "Writes an xclbin holding only a memory topology of N_BANKS used "
        "DDR banks (1 to 64), loadable by XRT's no-op device.\n", argv[0]);
    return 2;
  }
  n_banks = strtoul (argv[2], &end, 10);
  if (!end || *end || n_banks < 1 || n_banks > 64) {
    fprintf (stderr, "%s: N_BANKS must be 1 to 64, not '%s'\n", argv[0],
        argv[2]);
    return 2;
  }
  if (xclbin_gen_write (argv[1], (unsigned int) n_banks, 0,
          (uint8_t) n_banks, XCLBIN_VALID) != 0) {
    perror (argv[1]);
    return 1;
  }
  return 0;
}
