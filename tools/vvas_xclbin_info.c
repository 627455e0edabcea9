/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * vvas-xclbin-info [--json] FILE: prints an xclbin's UUID and memory banks
 * (index, tag, type, size, used, usable) as a VVAS context reads them, over
 * the public vvas_core/vvas_xclbin_info.h API. No device and no XRT call:
 * it runs anywhere, on files from any card. --help gives the exit codes.
 */

#define _GNU_SOURCE             /* getopt_long */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <vvas_core/vvas_version.h>
#include <vvas_core/vvas_xclbin_info.h>

enum
{
  EXIT_UNREADABLE = 1,
  EXIT_USAGE = 2,
  EXIT_NOT_XCLBIN = 3,
  EXIT_CORRUPT = 4,
  EXIT_NO_MEM_TOPOLOGY = 5,
};

static const char *prog = "vvas-xclbin-info";

static void
usage (FILE * out)
{
  fprintf (out,
      "Usage: %s [--json] FILE\n"
      "\n"
      "Prints the UUID and the memory banks of the xclbin FILE: index, tag, "
      "type,\n"
      "size, whether the xclbin marks the bank used, and whether VVAS can "
      "allocate\n"
      "on it (usable: used and not streaming). It reads the file as a VVAS "
      "context\n"
      "does, without a device; the UUID is the one XRT reports once the "
      "xclbin\n"
      "is loaded.\n"
      "\n"
      "Options:\n"
      "  -j, --json     print a JSON object instead of text\n"
      "  -h, --help     print this help and exit\n"
      "      --version  print the version of libvvascore and exit\n"
      "\n"
      "Exit status:\n"
      "  0  printed\n"
      "  1  FILE cannot be read: missing, no permission, not a regular "
      "file\n"
      "  2  bad command line\n"
      "  3  FILE is not an xclbin (no \"xclbin2\" magic)\n"
      "  4  FILE is truncated or corrupt\n"
      "  5  FILE has no MEM_TOPOLOGY section\n", prog);
}

static int
bad_usage (const char *what, const char *arg)
{
  fprintf (stderr, "%s: %s%s%s%s\nTry '%s --help' for more information.\n",
      prog, what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "", prog);
  return EXIT_USAGE;
}

static int
exit_code (VvasXclbinError error)
{
  switch (error) {
    case VVAS_XCLBIN_ERROR_NOT_XCLBIN:
      return EXIT_NOT_XCLBIN;
    case VVAS_XCLBIN_ERROR_TRUNCATED:
    case VVAS_XCLBIN_ERROR_CORRUPT:
      return EXIT_CORRUPT;
    case VVAS_XCLBIN_ERROR_NO_MEM_TOPOLOGY:
      return EXIT_NO_MEM_TOPOLOGY;
    default:
      return EXIT_UNREADABLE;
  }
}

static void
format_uuid (const unsigned char uuid[16], char out[37])
{
  char *p = out;

  for (int i = 0; i < 16; i++) {
    p += sprintf (p, "%02x", uuid[i]);
    if (i == 3 || i == 5 || i == 7 || i == 9)
      *p++ = '-';
  }
  *p = '\0';
}

/* "1 GiB", "1.5 MiB", "768 KiB": the largest unit the size reaches. */
static void
format_size (uint64_t size, char *out, size_t out_len)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
    "PiB", "EiB"
  };
  unsigned int unit = 0;
  uint64_t scale = 1;

  while (unit + 1 < sizeof (units) / sizeof (units[0])
      && size / scale >= 1024) {
    scale *= 1024;
    unit++;
  }
  if (size % scale == 0)
    snprintf (out, out_len, "%" PRIu64 " %s", size / scale, units[unit]);
  else
    snprintf (out, out_len, "%.1f %s", (double) size / (double) scale,
        units[unit]);
}

/* A tag as text: printable ASCII as it is, other bytes as \xNN. */
static void
print_tag_text (const char *tag, int width)
{
  int printed = 0;

  if (tag[0] == '\0') {
    printed = printf ("(none)");
  } else {
    for (const unsigned char *p = (const unsigned char *) tag; *p; p++)
      printed += *p >= 0x20 && *p < 0x7f && *p != '\\' ? printf ("%c", *p)
          : printf ("\\x%02x", *p);
  }
  printf ("%*s", width > printed ? width - printed : 0, "");
}

static void
print_json_string (const char *s)
{
  putchar ('"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
    if (*p == '"' || *p == '\\')
      printf ("\\%c", *p);
    else if (*p < 0x20 || *p >= 0x7f)
      printf ("\\u%04x", *p);
    else
      putchar (*p);
  }
  putchar ('"');
}

static int
print_text (const char *path, const VvasXclbinInfo * info, const char *uuid)
{
  int32_t n = vvas_xclbin_info_get_bank_count (info), usable = 0;
  VvasXclbinBankInfo bank;

  for (int32_t i = 0; i < n; i++) {
    if (vvas_xclbin_info_get_bank (info, (uint32_t) i, &bank) !=
        VVAS_RET_SUCCESS)
      return EXIT_UNREADABLE;
    usable += bank.usable;
  }
  printf ("xclbin: %s\n", path);
  printf ("uuid:   %s\n", uuid);
  printf ("banks:  %d (%d usable)\n", n, usable);
  printf ("%5s  %-16s  %-20s  %-26s  %-4s  %s\n", "index", "tag", "type",
      "size", "used", "usable");
  for (int32_t i = 0; i < n; i++) {
    char human[32], size[64];

    vvas_xclbin_info_get_bank (info, (uint32_t) i, &bank);
    if (bank.size == 0) {
      snprintf (size, sizeof (size), "-");
    } else {
      format_size (bank.size, human, sizeof (human));
      snprintf (size, sizeof (size), "%" PRIu64 " (%s)", bank.size, human);
    }
    printf ("%5u  ", bank.index);
    print_tag_text (bank.tag, 16);
    printf ("  %-20s  %-26s  %-4s  %s\n", vvas_xclbin_mem_type_name (bank.type),
        size, bank.used ? "yes" : "no", bank.usable ? "yes" : "no");
  }
  return 0;
}

static int
print_json (const char *path, const VvasXclbinInfo * info, const char *uuid)
{
  int32_t n = vvas_xclbin_info_get_bank_count (info);

  printf ("{\n  \"file\": ");
  print_json_string (path);
  printf (",\n  \"uuid\": \"%s\",\n  \"banks\": [", uuid);
  for (int32_t i = 0; i < n; i++) {
    VvasXclbinBankInfo bank;

    if (vvas_xclbin_info_get_bank (info, (uint32_t) i, &bank) !=
        VVAS_RET_SUCCESS)
      return EXIT_UNREADABLE;
    printf ("%s\n    {\"index\": %u, \"tag\": ", i ? "," : "", bank.index);
    print_json_string (bank.tag);
    printf (", \"type\": \"%s\", \"type_id\": %u, ",
        vvas_xclbin_mem_type_name (bank.type), bank.type);
    if (bank.size == 0)
      printf ("\"size\": null, ");
    else
      printf ("\"size\": %" PRIu64 ", ", bank.size);
    printf ("\"base_address\": %" PRIu64 ", \"used\": %s, \"usable\": %s}",
        bank.base_address, bank.used ? "true" : "false",
        bank.usable ? "true" : "false");
  }
  printf ("\n  ]\n}\n");
  return 0;
}

int
main (int argc, char **argv)
{
  static const struct option options[] = {
    {"json", no_argument, NULL, 'j'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
  };
  VvasXclbinInfo *info;
  VvasXclbinError error = VVAS_XCLBIN_ERROR_NONE;
  char message[512], uuid_text[37];
  unsigned char uuid[16];
  int opt, json = 0, res;

  opterr = 0;
  while ((opt = getopt_long (argc, argv, "jh", options, NULL)) != -1) {
    switch (opt) {
      case 'j':
        json = 1;
        break;
      case 'h':
        usage (stdout);
        return 0;
      case 'V':
        printf ("%s %s\n", prog, vvas_core_version_string ());
        return 0;
      default:
        return bad_usage ("unknown option", argv[optind - 1]);
    }
  }
  if (optind >= argc)
    return bad_usage ("no FILE given", NULL);
  if (argc - optind > 1)
    return bad_usage ("one FILE only; unexpected", argv[optind + 1]);

  info = vvas_xclbin_info_read (argv[optind], &error, message,
      sizeof (message));
  if (!info) {
    fprintf (stderr, "%s: %s\n", prog, message);
    return exit_code (error);
  }
  if (vvas_xclbin_info_get_uuid (info, uuid) != VVAS_RET_SUCCESS) {
    vvas_xclbin_info_free (info);
    return EXIT_UNREADABLE;
  }
  format_uuid (uuid, uuid_text);
  res = json ? print_json (argv[optind], info, uuid_text)
      : print_text (argv[optind], info, uuid_text);
  vvas_xclbin_info_free (info);
  if (fflush (stdout) != 0 || ferror (stdout)) {
    perror (prog);
    return EXIT_UNREADABLE;
  }
  return res;
}
