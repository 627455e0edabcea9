/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * vvas-make-xclbin: writes an xclbin that holds only a memory topology (an
 * axlf header and one MEM_TOPOLOGY section). XRT's no-op device
 * (XCL_EMULATION_MODE=noop) loads it as it would a real one and reports its
 * UUID, so that a VVAS context, the vvas plugin's elements and a user's own
 * elements can allocate device memory on its banks without an FPGA.
 * Debian's xclbinutil does not run, hence this tool.
 *
 *   vvas-make-xclbin OUTPUT N_BANKS
 *       N_BANKS (1 to 64) used DDR4 banks of 1 GiB tagged bank0, bank1...;
 *       the layout the test suite uses.
 *   vvas-make-xclbin [-b SIZE[:TAG[:TYPE]]]... [-u LIST] [-U UUID] OUTPUT
 *       the banks given, in index order.
 *
 * Unless --uuid gives one, the UUID is derived from the banks: the same
 * banks make the same UUID, and changing any of them changes it (a VVAS
 * device context knows an xclbin by its UUID). --help says the rest; the
 * generator itself is xclbin_gen.h, which the test suite links in.
 */

#define _GNU_SOURCE             /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xrt/xclbin.h>

#include "xclbin_gen.h"

enum
{
  EXIT_WRITE_FAILED = 1,
  EXIT_USAGE = 2,
};

static const struct
{
  const char *name;
  uint8_t type;
} mem_types[] = {
  {"DDR3", MEM_DDR3},
  {"DDR4", MEM_DDR4},
  {"DRAM", MEM_DRAM},
  {"STREAMING", MEM_STREAMING},
  {"PREALLOCATED_GLOB", MEM_PREALLOCATED_GLOB},
  {"ARE", MEM_ARE},
  {"HBM", MEM_HBM},
  {"BRAM", MEM_BRAM},
  {"URAM", MEM_URAM},
  {"STREAMING_CONNECTION", MEM_STREAMING_CONNECTION},
  {"HOST", MEM_HOST},
  {"PS_KERNEL", MEM_PS_KERNEL},
};

#define N_MEM_TYPES (sizeof (mem_types) / sizeof (mem_types[0]))

static const char *prog = "vvas-make-xclbin";

static void
usage (FILE * out)
{
  fprintf (out,
      "Usage: %s OUTPUT N_BANKS\n"
      "       %s [OPTION]... OUTPUT\n"
      "\n"
      "Writes OUTPUT, an xclbin holding only a memory topology (an axlf "
      "header and\n"
      "one MEM_TOPOLOGY section). XRT's no-op device "
      "(XCL_EMULATION_MODE=noop, with\n"
      "XILINX_XRT set) loads it as it would a real xclbin, so that VVAS "
      "contexts,\n"
      "the vvas plugin and your own elements can allocate device memory "
      "on its\n"
      "banks without an FPGA. vvas-xclbin-info prints what it holds.\n"
      "\n"
      "With N_BANKS (1 to 64): that many used DDR4 banks of 1 GiB, tagged "
      "bank0,\n"
      "bank1... (the layout of the project's test suite).\n"
      "\n"
      "Options:\n"
      "  -b, --bank=SIZE[:TAG[:TYPE]]  add a bank; repeat for more (up to "
      "%d),\n"
      "                     in index order. SIZE in bytes, with an optional "
      "K, M, G\n"
      "                     or T suffix (powers of 1024), a multiple of "
      "1K;\n"
      "                     '-' for a streaming bank, which has none. TAG: "
      "up to\n"
      "                     16 characters, no ':' (default bank<INDEX>). "
      "TYPE\n"
      "                     (default DDR4):", prog, prog,
      XCLBIN_GEN_MAX_BANKS);
  /* The type names, wrapped at 78 columns. */
  for (size_t i = 0, column = 36; i < N_MEM_TYPES; i++) {
    size_t len = strlen (mem_types[i].name) + 2;

    if (column + len > 78) {
      fprintf (out, "\n%21s", "");
      column = 21;
    } else {
      fputc (' ', out);
      column++;
    }
    fprintf (out, "%s%c", mem_types[i].name, i + 1 < N_MEM_TYPES ? ',' : '.');
    column += len - 1;
  }
  fputc ('\n', out);
  fprintf (out,
      "  -u, --unused=LIST  mark banks unused (no buffer can go there): "
      "their\n"
      "                     indexes, separated by commas, e.g. 1,3\n"
      "  -U, --uuid=UUID    the xclbin's UUID, 32 hex digits with or "
      "without dashes;\n"
      "                     default: derived from the banks (the same "
      "banks give\n"
      "                     the same UUID, other banks another)\n"
      "  -h, --help         print this help and exit\n"
      "      --version      print the version and exit\n"
      "\n"
      "Exit status: 0 written, 1 OUTPUT could not be written, 2 bad "
      "command line.\n"
      "\n"
      "Examples:\n"
      "  %s two.xclbin 2\n"
      "  %s -b 4G:DDR[0] -b 256M:HBM[0]:HBM -b -:stream0:STREAMING "
      "-u 1 my.xclbin\n", prog, prog);
}

static int bad_usage (const char *fmt, ...)
    __attribute__ ((format (printf, 1, 2)));

/* Says what is wrong with the command line; returns EXIT_USAGE. */
static int
bad_usage (const char *fmt, ...)
{
  va_list args;

  fprintf (stderr, "%s: ", prog);
  va_start (args, fmt);
  vfprintf (stderr, fmt, args);
  va_end (args);
  fprintf (stderr, "\nTry '%s --help' for more information.\n", prog);
  return EXIT_USAGE;
}

/* A size in bytes with an optional K, M, G or T suffix; 0 on error. */
static uint64_t
parse_size (const char *text)
{
  char *end = NULL;
  unsigned long long value;
  unsigned int shift = 0;

  if (text[0] < '0' || text[0] > '9')
    return 0;
  errno = 0;
  value = strtoull (text, &end, 10);
  if (errno != 0 || end == text)
    return 0;
  if (*end != '\0') {
    switch (*end) {
      case 'K':
      case 'k':
        shift = 10;
        break;
      case 'M':
      case 'm':
        shift = 20;
        break;
      case 'G':
      case 'g':
        shift = 30;
        break;
      case 'T':
      case 't':
        shift = 40;
        break;
      default:
        return 0;
    }
    if (end[1] != '\0')
      return 0;
  }
  if (shift && value > (UINT64_MAX >> shift))
    return 0;
  return (uint64_t) value << shift;
}

static int
is_streaming (uint8_t type)
{
  return type == MEM_STREAMING || type == MEM_STREAMING_CONNECTION;
}

/* SIZE[:TAG[:TYPE]] into @bank, index @index. Returns 0 or an exit code. */
static int
parse_bank (const char *spec, unsigned int index, XclbinGenBank * bank)
{
  char buf[256];
  char *size_text, *tag = NULL, *type_name = NULL, *colon;
  size_t i;

  if (strlen (spec) >= sizeof (buf))
    return bad_usage ("bank '%s' is too long", spec);
  strcpy (buf, spec);
  size_text = buf;
  colon = strchr (size_text, ':');
  if (colon) {
    *colon = '\0';
    tag = colon + 1;
    colon = strchr (tag, ':');
    if (colon) {
      *colon = '\0';
      type_name = colon + 1;
      if (strchr (type_name, ':'))
        return bad_usage ("bank '%s': more than SIZE:TAG:TYPE", spec);
    }
  }

  memset (bank, 0, sizeof (*bank));
  bank->used = 1;
  bank->type = MEM_DDR4;
  if (type_name && type_name[0] != '\0') {
    for (i = 0; i < N_MEM_TYPES; i++) {
      if (strcasecmp (type_name, mem_types[i].name) == 0)
        break;
    }
    if (i == N_MEM_TYPES)
      return bad_usage ("bank '%s': unknown memory type (see --help)", spec);
    bank->type = mem_types[i].type;
  }

  if (is_streaming (bank->type)) {
    if (strcmp (size_text, "-") != 0)
      return bad_usage ("bank '%s': a streaming bank has no size: give '-'",
          spec);
  } else {
    bank->size_bytes = parse_size (size_text);
    if (bank->size_bytes == 0)
      return bad_usage ("bank '%s': SIZE must be a number of bytes with an "
          "optional K, M, G or T suffix, not 0", spec);
    if (bank->size_bytes % 1024 != 0)
      return bad_usage ("bank '%s': SIZE must be a multiple of 1K (the "
          "xclbin holds KiB)", spec);
  }

  if (tag && tag[0] != '\0') {
    if (strlen (tag) > 16)
      return bad_usage ("bank '%s': TAG has more than 16 characters", spec);
    strcpy (bank->tag, tag);
  } else {
    snprintf (bank->tag, sizeof (bank->tag), "bank%u", index);
  }
  return 0;
}

static int
parse_unused (const char *list, XclbinGenBank * banks, unsigned int n_banks)
{
  const char *p = list;

  while (*p) {
    char *end = NULL;
    unsigned long index;

    if (*p < '0' || *p > '9')
      return bad_usage ("--unused '%s': not a list of bank indexes", list);
    index = strtoul (p, &end, 10);
    if (index >= n_banks)
      return bad_usage ("--unused '%s': no such bank", list);
    banks[index].used = 0;
    p = end;
    if (*p == ',' && p[1] != '\0')
      p++;
    else if (*p != '\0')
      return bad_usage ("--unused '%s': not a list of bank indexes", list);
  }
  return 0;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static int
parse_uuid (const char *text, unsigned char uuid[16])
{
  unsigned int n = 0;
  const char *p;

  for (p = text; *p; p++) {
    int hi, lo;

    if (*p == '-')
      continue;
    hi = hex_value (p[0]);
    lo = p[1] ? hex_value (p[1]) : -1;
    if (hi < 0 || lo < 0 || n == 16)
      return bad_usage ("--uuid '%s': not 32 hexadecimal digits", text);
    uuid[n++] = (unsigned char) (hi << 4 | lo);
    p++;
  }
  if (n != 16)
    return bad_usage ("--uuid '%s': not 32 hexadecimal digits", text);
  return 0;
}

static uint64_t
fnv1a (uint64_t hash, const void *data, size_t len)
{
  const unsigned char *p = data;

  while (len--) {
    hash ^= *p++;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

/*
 * A UUID that depends on every field of every bank: two FNV-1a hashes,
 * marked as an RFC 9562 version 8 (vendor-specific) UUID.
 */
static void
derive_uuid (const XclbinGenBank * banks, unsigned int n_banks,
    unsigned char uuid[16])
{
  uint64_t h[2] = { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull };
  unsigned int i, k;

  for (k = 0; k < 2; k++) {
    for (i = 0; i < n_banks; i++) {
      unsigned char fixed[10];
      uint64_t size = banks[i].size_bytes;

      fixed[0] = banks[i].type;
      fixed[1] = banks[i].used;
      for (int b = 0; b < 8; b++)
        fixed[2 + b] = (unsigned char) (size >> (8 * b));
      h[k] = fnv1a (h[k], fixed, sizeof (fixed));
      h[k] = fnv1a (h[k], banks[i].tag, strlen (banks[i].tag) + 1);
    }
    for (i = 0; i < 8; i++)
      uuid[k * 8 + i] = (unsigned char) (h[k] >> (56 - 8 * i));
  }
  uuid[6] = (uuid[6] & 0x0f) | 0x80;
  uuid[8] = (uuid[8] & 0x3f) | 0x80;
}

int
main (int argc, char **argv)
{
  static const struct option options[] = {
    {"bank", required_argument, NULL, 'b'},
    {"unused", required_argument, NULL, 'u'},
    {"uuid", required_argument, NULL, 'U'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
  };
  static XclbinGenBank banks[XCLBIN_GEN_MAX_BANKS];
  XclbinGenSpec spec;
  const char *unused = NULL, *uuid_text = NULL, *output;
  unsigned int n_banks = 0;
  int opt, res;

  memset (&spec, 0, sizeof (spec));
  opterr = 0;
  while ((opt = getopt_long (argc, argv, ":b:u:U:h", options, NULL)) != -1) {
    switch (opt) {
      case 'b':
        if (n_banks == XCLBIN_GEN_MAX_BANKS)
          return bad_usage ("more than %d banks", XCLBIN_GEN_MAX_BANKS);
        res = parse_bank (optarg, n_banks, &banks[n_banks]);
        if (res != 0)
          return res;
        n_banks++;
        break;
      case 'u':
        unused = optarg;
        break;
      case 'U':
        uuid_text = optarg;
        break;
      case 'h':
        usage (stdout);
        return 0;
      case 'V':
        printf ("%s %s\n", prog, VVAS_TOOLS_VERSION);
        return 0;
      case ':':
        return bad_usage ("option '%s' needs an argument", argv[optind - 1]);
      default:
        return bad_usage ("unknown option '%s'", argv[optind - 1]);
    }
  }

  if (optind >= argc)
    return bad_usage ("%s", "no OUTPUT given");
  output = argv[optind];
  if (argc - optind == 2) {
    char *end = NULL;
    unsigned long count;

    if (n_banks > 0)
      return bad_usage ("N_BANKS '%s' and --bank cannot be combined",
          argv[optind + 1]);
    errno = 0;
    count = strtoul (argv[optind + 1], &end, 10);
    if (errno != 0 || !end || *end || end == argv[optind + 1] || count < 1
        || count > 64)
      return bad_usage ("N_BANKS must be 1 to 64, not '%s'",
          argv[optind + 1]);
    /* The test suite's layout. */
    xclbin_gen_default_spec ((unsigned int) count, 0, 0, banks, &spec);
    n_banks = (unsigned int) count;
  } else if (argc - optind > 2) {
    return bad_usage ("unexpected argument '%s'", argv[optind + 2]);
  } else if (n_banks == 0) {
    return bad_usage ("%s", "no bank: give N_BANKS or --bank");
  }

  if (unused && (res = parse_unused (unused, banks, n_banks)) != 0)
    return res;
  spec.n_banks = n_banks;
  spec.banks = banks;
  if (uuid_text) {
    if ((res = parse_uuid (uuid_text, spec.uuid)) != 0)
      return res;
  } else {
    derive_uuid (banks, n_banks, spec.uuid);
  }

  if (xclbin_gen_write_spec (output, &spec, XCLBIN_VALID) != 0) {
    fprintf (stderr, "%s: cannot write '%s': %s\n", prog, output,
        strerror (errno));
    return EXIT_WRITE_FAILED;
  }
  return 0;
}
