/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The public xclbin API (vvas_core/vvas_xclbin_info.h) and the two tools
 * over it: vvas-xclbin-info (paths in VVAS_XCLBIN_INFO) and vvas-make-xclbin
 * (VVAS_MAKE_XCLBIN). Files come from the generator (tools/xclbin_gen.h);
 * the UUID is checked against what XRT's no-op device reports once it has
 * loaded the file.
 */

#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <xrt/xclbin.h>

#include <vvas_core/vvas_context.h>
#include <vvas_core/vvas_xclbin_info.h>

#include "test_util.h"

/* A layout with one bank of each kind the reader treats apart. */
static const XclbinGenBank mixed_banks[] = {
  {MEM_DDR4, 1, 4ull << 30, "DDR[0]"},
  {MEM_HBM, 1, 256ull << 20, "HBM[0]"},
  {MEM_DDR4, 0, 1536ull << 10, "unused"},
  {MEM_STREAMING, 1, 0, "stream0"},
  {MEM_PS_KERNEL, 1, 64ull << 10, "sixteen_chars_16"},
};

#define N_MIXED G_N_ELEMENTS (mixed_banks)

static const unsigned char mixed_uuid[16] = {
  0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
  0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
};

#define MIXED_UUID_TEXT "01234567-89ab-cdef-fedc-ba9876543210"

static const gchar *
write_mixed (const gchar * name, XclbinFlavor flavor)
{
  const gchar *path = test_util_path (name);
  XclbinGenSpec spec;

  memset (&spec, 0, sizeof (spec));
  memcpy (spec.uuid, mixed_uuid, sizeof (spec.uuid));
  spec.n_banks = N_MIXED;
  spec.banks = mixed_banks;
  g_assert_cmpint (xclbin_gen_write_spec (path, &spec, flavor), ==, 0);
  return path;
}

static VvasXclbinInfo *
read_ok (const gchar * path)
{
  VvasXclbinError error = VVAS_XCLBIN_ERROR_INVALID_ARGS;
  char message[256] = "untouched";
  VvasXclbinInfo *info = vvas_xclbin_info_read (path, &error, message,
      sizeof (message));

  g_assert_nonnull (info);
  g_assert_cmpint (error, ==, VVAS_XCLBIN_ERROR_NONE);
  g_assert_cmpstr (message, ==, "");
  return info;
}

static void
assert_mixed_banks (const VvasXclbinInfo * info)
{
  unsigned char uuid[16];
  guint i;

  g_assert_cmpint (vvas_xclbin_info_get_uuid (info, uuid), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpmem (uuid, 16, mixed_uuid, 16);
  g_assert_cmpint (vvas_xclbin_info_get_bank_count (info), ==, N_MIXED);
  for (i = 0; i < N_MIXED; i++) {
    VvasXclbinBankInfo bank;
    gboolean streaming = mixed_banks[i].type == MEM_STREAMING;

    memset (&bank, 0xa5, sizeof (bank));
    g_assert_cmpint (vvas_xclbin_info_get_bank (info, i, &bank), ==,
        VVAS_RET_SUCCESS);
    g_assert_cmpuint (bank.index, ==, i);
    g_assert_cmpuint (bank.type, ==, mixed_banks[i].type);
    g_assert_cmpint (bank.used, ==, mixed_banks[i].used);
    g_assert_cmpint (bank.usable, ==, mixed_banks[i].used && !streaming);
    g_assert_cmpuint (bank.size, ==, streaming ? 0 :
        mixed_banks[i].size_bytes);
    g_assert_cmpstr (bank.tag, ==, mixed_banks[i].tag);
    /* The generator's base addresses; a stream's flow id is its index. */
    g_assert_cmpuint (bank.base_address, ==, streaming ? i :
        0x4000000000ull + (guint64) i * XCLBIN_GEN_BANK_SIZE);
    for (guint r = 0; r < G_N_ELEMENTS (bank.reserved); r++)
      g_assert_cmpuint (bank.reserved[r], ==, 0);
  }
}

static void
test_read_banks (void)
{
  XclbinFlavor flavors[] = { XCLBIN_VALID, XCLBIN_TRAILING_BYTES,
    XCLBIN_TOPOLOGY_LAST
  };

  for (guint f = 0; f < G_N_ELEMENTS (flavors); f++) {
    gchar *name = g_strdup_printf ("mixed-%u.xclbin", f);
    VvasXclbinInfo *info = read_ok (write_mixed (name, flavors[f]));

    assert_mixed_banks (info);
    vvas_xclbin_info_free (info);
    g_free (name);
  }
}

static void
test_read_special_banks (void)
{
  VvasXclbinInfo *info;
  VvasXclbinBankInfo bank;

  /* The tag fills its 16 bytes, no NUL in the file. */
  info = read_ok (test_util_xclbin ("long.xclbin", 2, 0, XCLBIN_LONG_TAGS));
  g_assert_cmpint (vvas_xclbin_info_get_bank (info, 1, &bank), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpstr (bank.tag, ==, "bank_with_a_long");
  vvas_xclbin_info_free (info);

  /* A size that overflows 64 bits in bytes is not known. */
  info = read_ok (test_util_xclbin ("huge.xclbin", 2, 0,
          XCLBIN_HUGE_BANK_SIZE));
  g_assert_cmpint (vvas_xclbin_info_get_bank (info, 0, &bank), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (bank.size, ==, 0);
  g_assert_cmpint (bank.usable, ==, 1);
  g_assert_cmpint (vvas_xclbin_info_get_bank (info, 1, &bank), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpuint (bank.size, ==, UINT64_MAX / 1024 * 1024);
  vvas_xclbin_info_free (info);

  /* DDR4, STREAMING, HBM, STREAMING_CONNECTION: streams are not usable. */
  info = read_ok (test_util_xclbin ("types.xclbin", 4, 0,
          XCLBIN_MIXED_BANK_TYPES));
  for (guint i = 0; i < 4; i++) {
    g_assert_cmpint (vvas_xclbin_info_get_bank (info, i, &bank), ==,
        VVAS_RET_SUCCESS);
    g_assert_cmpuint (bank.type, ==, XCLBIN_GEN_MIXED_TYPES[i]);
    g_assert_cmpint (bank.usable, ==, i % 2 == 0);
    g_assert_cmpuint (bank.size, ==, i % 2 == 0 ? XCLBIN_GEN_BANK_SIZE : 0);
  }
  vvas_xclbin_info_free (info);
}

typedef struct
{
  XclbinFlavor flavor;
  VvasXclbinError error;
  const gchar *says;
} BrokenCase;

static const BrokenCase broken_cases[] = {
  {XCLBIN_EMPTY, VVAS_XCLBIN_ERROR_TRUNCATED, "is truncated"},
  {XCLBIN_TRUNCATED, VVAS_XCLBIN_ERROR_TRUNCATED, "is truncated"},
  {XCLBIN_TRUNCATED_SECTION, VVAS_XCLBIN_ERROR_TRUNCATED, "is truncated"},
  {XCLBIN_BAD_MAGIC, VVAS_XCLBIN_ERROR_NOT_XCLBIN, "is not an xclbin"},
  {XCLBIN_NO_TOPOLOGY, VVAS_XCLBIN_ERROR_NO_MEM_TOPOLOGY,
      "has no MEM_TOPOLOGY section"},
  {XCLBIN_SECTION_OUT_OF_BOUNDS, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_BANK_COUNT_TOO_LARGE, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_HUGE_SECTION_COUNT, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_ZERO_SECTIONS, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_TOO_MANY_SECTIONS, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_TABLE_PAST_LENGTH, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_SECTION_AFTER_LENGTH, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_SECTION_PAST_LENGTH, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_SECTION_TOO_SMALL, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_ZERO_BANKS, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_NEGATIVE_BANKS, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
  {XCLBIN_BANK_COUNT_ONE_TOO_MANY, VVAS_XCLBIN_ERROR_CORRUPT, "is corrupt"},
};

static void
assert_read_fails (const gchar * path, VvasXclbinError expected,
    const gchar * says)
{
  VvasXclbinError error = VVAS_XCLBIN_ERROR_NONE;
  char message[512] = "";

  g_assert_null (vvas_xclbin_info_read (path, &error, message,
          sizeof (message)));
  g_assert_cmpstr (vvas_xclbin_error_name (error), ==,
      vvas_xclbin_error_name (expected));
  g_assert_nonnull (strstr (message, says));
  g_assert_nonnull (strstr (message, path));
}

static void
test_read_broken (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (broken_cases); i++) {
    gchar *name = g_strdup_printf ("broken-%u.xclbin", i);

    assert_read_fails (test_util_xclbin (name, 2, 0, broken_cases[i].flavor),
        broken_cases[i].error, broken_cases[i].says);
    g_free (name);
  }
  assert_read_fails ("/nonexistent/x.xclbin", VVAS_XCLBIN_ERROR_OPEN,
      "No such file or directory");
  assert_read_fails (g_get_tmp_dir (), VVAS_XCLBIN_ERROR_OPEN,
      "is a directory");
}

typedef struct
{
  guint count;
  gchar *last;
} LogCapture;

static void
capture_log (VvasLogLevel level, const char *file, const char *func,
    int line, const char *message, void *user_data)
{
  LogCapture *capture = user_data;

  if (level != LOG_LEVEL_ERROR)
    return;
  capture->count++;
  g_free (capture->last);
  capture->last = g_strdup (message);
}

static void
test_invalid_args (void)
{
  LogCapture capture = { 0, NULL };
  VvasXclbinError error = VVAS_XCLBIN_ERROR_NONE;
  VvasXclbinInfo *info;
  VvasXclbinBankInfo bank;
  unsigned char uuid[16];
  char message[64] = "x", tiny[8];
  const gchar *valid = write_mixed ("args.xclbin", XCLBIN_VALID);

  vvas_log_set_handler (capture_log, &capture);

  g_assert_null (vvas_xclbin_info_read (NULL, &error, message,
          sizeof (message)));
  g_assert_cmpint (error, ==, VVAS_XCLBIN_ERROR_INVALID_ARGS);
  g_assert_cmpuint (capture.count, ==, 1);
  g_assert_nonnull (strstr (capture.last, "xclbin_loc is NULL"));
  g_assert_nonnull (strstr (message, "invalid argument"));

  error = VVAS_XCLBIN_ERROR_NONE;
  g_assert_null (vvas_xclbin_info_read ("", &error, NULL, 0));
  g_assert_cmpint (error, ==, VVAS_XCLBIN_ERROR_INVALID_ARGS);
  g_assert_cmpuint (capture.count, ==, 2);
  g_assert_nonnull (strstr (capture.last, "empty"));

  g_assert_null (vvas_xclbin_info_read (valid, NULL, NULL, 16));
  g_assert_cmpuint (capture.count, ==, 3);

  /* No message buffer: the reason is logged, once. */
  error = VVAS_XCLBIN_ERROR_NONE;
  g_assert_null (vvas_xclbin_info_read ("/nonexistent/y.xclbin", &error,
          NULL, 0));
  g_assert_cmpint (error, ==, VVAS_XCLBIN_ERROR_OPEN);
  g_assert_cmpuint (capture.count, ==, 4);
  g_assert_nonnull (strstr (capture.last, "/nonexistent/y.xclbin"));

  /* A short message buffer is filled, truncated and terminated. */
  memset (tiny, 'z', sizeof (tiny));
  g_assert_null (vvas_xclbin_info_read ("/nonexistent/z.xclbin", NULL, tiny,
          sizeof (tiny)));
  g_assert_cmpuint (strlen (tiny), ==, sizeof (tiny) - 1);
  g_assert_cmpuint (capture.count, ==, 4);

  /* A file read with no error pointer and no message works. */
  info = vvas_xclbin_info_read (valid, NULL, NULL, 0);
  g_assert_nonnull (info);
  g_assert_cmpuint (capture.count, ==, 4);

  g_assert_cmpint (vvas_xclbin_info_get_uuid (NULL, uuid), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpint (vvas_xclbin_info_get_uuid (info, NULL), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpint (vvas_xclbin_info_get_bank_count (NULL), ==, -1);
  g_assert_cmpint (vvas_xclbin_info_get_bank (NULL, 0, &bank), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpint (vvas_xclbin_info_get_bank (info, 0, NULL), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpuint (capture.count, ==, 9);

  /* One past the last bank: refused, @bank untouched, the range named. */
  memset (&bank, 0x5a, sizeof (bank));
  g_assert_cmpint (vvas_xclbin_info_get_bank (info, N_MIXED, &bank), ==,
      VVAS_RET_INVALID_ARGS);
  g_assert_cmpuint (bank.index, ==, 0x5a5a5a5a);
  g_assert_cmpuint (capture.count, ==, 10);
  g_assert_nonnull (strstr (capture.last, "0 to 4"));
  g_assert_cmpint (vvas_xclbin_info_get_bank (info, N_MIXED - 1, &bank), ==,
      VVAS_RET_SUCCESS);

  vvas_xclbin_info_free (info);
  vvas_xclbin_info_free (NULL);
  g_assert_cmpuint (capture.count, ==, 10);

  vvas_log_set_handler (NULL, NULL);
  g_free (capture.last);
}

static void
test_names (void)
{
  const gchar *types[] = { "DDR3", "DDR4", "DRAM", "STREAMING",
    "PREALLOCATED_GLOB", "ARE", "HBM", "BRAM", "URAM", "STREAMING_CONNECTION",
    "HOST", "PS_KERNEL"
  };

  /* The order of enum MEM_TYPE in XRT's xclbin.h. */
  g_assert_cmpint (MEM_HBM, ==, 6);
  g_assert_cmpint (MEM_PS_KERNEL, ==, 11);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_assert_cmpstr (vvas_xclbin_mem_type_name (i), ==, types[i]);
  g_assert_cmpstr (vvas_xclbin_mem_type_name (MEM_PS_KERNEL + 1), ==,
      "UNKNOWN");
  g_assert_cmpstr (vvas_xclbin_mem_type_name (UINT32_MAX), ==, "UNKNOWN");

  g_assert_cmpstr (vvas_xclbin_error_name (VVAS_XCLBIN_ERROR_NONE), ==,
      "none");
  g_assert_cmpstr (vvas_xclbin_error_name (VVAS_XCLBIN_ERROR_TRUNCATED), ==,
      "truncated");
  g_assert_cmpstr (vvas_xclbin_error_name
      (VVAS_XCLBIN_ERROR_NO_MEM_TOPOLOGY), ==, "no-mem-topology");
  g_assert_cmpstr (vvas_xclbin_error_name ((VvasXclbinError) 99), ==,
      "unknown");
}

/* The UUID read from the file is the one XRT reports once it loaded it. */
static void
assert_uuid_is_devices (const gchar * path)
{
  VvasXclbinInfo *info = read_ok (path);
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx = vvas_context_create (0, (char *) path, LOG_LEVEL_ERROR,
      &ret);
  unsigned char uuid[16];

  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_xclbin_info_get_uuid (info, uuid), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpmem (uuid, 16, ctx->uuid, 16);
  g_assert_cmpint (vvas_xclbin_info_get_bank_count (info), ==,
      vvas_context_get_bank_count (ctx));
  for (int32_t i = 0; i < vvas_xclbin_info_get_bank_count (info); i++) {
    VvasXclbinBankInfo bank;

    g_assert_cmpint (vvas_xclbin_info_get_bank (info, i, &bank), ==,
        VVAS_RET_SUCCESS);
    g_assert_cmpint (bank.usable, ==,
        vvas_context_is_bank_usable (ctx, (uint8_t) i));
    g_assert_cmpuint (bank.size, ==,
        vvas_context_get_bank_size (ctx, (uint8_t) i));
  }
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  vvas_xclbin_info_free (info);
}

static void
test_uuid_matches_device (void)
{
  assert_uuid_is_devices (test_util_path ("four_banks.xclbin"));
  assert_uuid_is_devices (write_mixed ("device.xclbin", XCLBIN_VALID));
}

/* --- the tools --------------------------------------------------------- */

static gint
run_tool (const gchar * env_var, const gchar * const *args, gchar ** out,
    gchar ** err)
{
  const gchar *tool = g_getenv (env_var);
  GPtrArray *argv = g_ptr_array_new ();
  GError *error = NULL;
  gint status = -1;

  g_assert_nonnull (tool);
  g_ptr_array_add (argv, (gpointer) tool);
  for (; *args; args++)
    g_ptr_array_add (argv, (gpointer) * args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv->pdata, NULL,
          G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error));
  g_assert_no_error (error);
  g_ptr_array_unref (argv);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static gint
run_info (const gchar * const *args, gchar ** out, gchar ** err)
{
  return run_tool ("VVAS_XCLBIN_INFO", args, out, err);
}

static gint
run_make (const gchar * const *args, gchar ** out, gchar ** err)
{
  return run_tool ("VVAS_MAKE_XCLBIN", args, out, err);
}

/* The line of bank @index in vvas-xclbin-info's text output, split. */
static gchar **
bank_line (const gchar * out, guint index)
{
  gchar **lines = g_strsplit (out, "\n", -1);
  gchar **fields = NULL;
  gchar *prefix = g_strdup_printf ("%u ", index);

  for (gchar ** l = lines; *l; l++) {
    gchar *stripped = g_strstrip (g_strdup (*l));

    if (g_str_has_prefix (stripped, prefix))
      fields = g_regex_split_simple ("\\s+", stripped, 0, 0);
    g_free (stripped);
    if (fields)
      break;
  }
  g_strfreev (lines);
  g_free (prefix);
  g_assert_nonnull (fields);
  return fields;
}

static void
test_info_tool_text (void)
{
  const gchar *path = write_mixed ("text.xclbin", XCLBIN_VALID);
  const gchar *args[] = { path, NULL };
  gchar *out = NULL, *err = NULL, *header;
  gchar **f;

  g_assert_cmpint (run_info (args, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  header = g_strdup_printf ("xclbin: %s\nuuid:   " MIXED_UUID_TEXT
      "\nbanks:  5 (3 usable)\n", path);
  g_assert_true (g_str_has_prefix (out, header));
  g_free (header);

  /* index tag type size (human) used usable */
  f = bank_line (out, 0);
  g_assert_cmpuint (g_strv_length (f), ==, 8);
  g_assert_cmpstr (f[1], ==, "DDR[0]");
  g_assert_cmpstr (f[2], ==, "DDR4");
  g_assert_cmpstr (f[3], ==, "4294967296");
  g_assert_cmpstr (f[4], ==, "(4");
  g_assert_cmpstr (f[5], ==, "GiB)");
  g_assert_cmpstr (f[6], ==, "yes");
  g_assert_cmpstr (f[7], ==, "yes");
  g_strfreev (f);

  f = bank_line (out, 1);
  g_assert_cmpstr (f[1], ==, "HBM[0]");
  g_assert_cmpstr (f[2], ==, "HBM");
  g_assert_cmpstr (f[3], ==, "268435456");
  g_assert_cmpstr (f[4], ==, "(256");
  g_assert_cmpstr (f[5], ==, "MiB)");
  g_strfreev (f);

  f = bank_line (out, 2);
  g_assert_cmpstr (f[1], ==, "unused");
  g_assert_cmpstr (f[3], ==, "1572864");
  g_assert_cmpstr (f[4], ==, "(1.5");
  g_assert_cmpstr (f[6], ==, "no");
  g_assert_cmpstr (f[7], ==, "no");
  g_strfreev (f);

  /* A stream has no size; used but not usable. */
  f = bank_line (out, 3);
  g_assert_cmpuint (g_strv_length (f), ==, 6);
  g_assert_cmpstr (f[1], ==, "stream0");
  g_assert_cmpstr (f[2], ==, "STREAMING");
  g_assert_cmpstr (f[3], ==, "-");
  g_assert_cmpstr (f[4], ==, "yes");
  g_assert_cmpstr (f[5], ==, "no");
  g_strfreev (f);

  f = bank_line (out, 4);
  g_assert_cmpstr (f[1], ==, "sixteen_chars_16");
  g_assert_cmpstr (f[2], ==, "PS_KERNEL");
  g_assert_cmpstr (f[3], ==, "65536");
  g_strfreev (f);

  g_free (out);
  g_free (err);
}

static void
test_info_tool_json (void)
{
  const gchar *path = write_mixed ("json.xclbin", XCLBIN_VALID);
  const gchar *args[] = { "--json", path, NULL };
  const gchar *expected[] = {
    "\"uuid\": \"" MIXED_UUID_TEXT "\"",
    "{\"index\": 0, \"tag\": \"DDR[0]\", \"type\": \"DDR4\", \"type_id\": 1, "
        "\"size\": 4294967296, \"base_address\": 274877906944, "
        "\"used\": true, \"usable\": true}",
    "{\"index\": 2, \"tag\": \"unused\", \"type\": \"DDR4\", \"type_id\": 1, "
        "\"size\": 1572864, ",
    "\"used\": false, \"usable\": false}",
    "{\"index\": 3, \"tag\": \"stream0\", \"type\": \"STREAMING\", "
        "\"type_id\": 3, \"size\": null, \"base_address\": 3, "
        "\"used\": true, \"usable\": false}",
  };
  gchar *out = NULL, *err = NULL, *file;

  g_assert_cmpint (run_info (args, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  file = g_strdup_printf ("{\n  \"file\": \"%s\",\n", path);
  g_assert_true (g_str_has_prefix (out, file));
  g_assert_true (g_str_has_suffix (out, "}\n  ]\n}\n"));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++) {
    if (!strstr (out, expected[i]))
      g_error ("'%s' not in:\n%s", expected[i], out);
  }
  g_free (file);
  g_free (out);
  g_free (err);
}

static void
assert_info_fails (const gchar * const *args, gint code, const gchar * says)
{
  gchar *out = NULL, *err = NULL;

  g_assert_cmpint (run_info (args, &out, &err), ==, code);
  g_assert_cmpstr (out, ==, "");
  if (!strstr (err, says))
    g_error ("'%s' not in stderr: %s", says, err);
  g_assert_true (g_str_has_prefix (err, "vvas-xclbin-info: "));
  g_free (out);
  g_free (err);
}

static void
test_info_tool_errors (void)
{
  struct
  {
    XclbinFlavor flavor;
    gint code;
    const gchar *says;
  } cases[] = {
    {XCLBIN_BAD_MAGIC, 3, "is not an xclbin"},
    {XCLBIN_TRUNCATED, 4, "is truncated"},
    {XCLBIN_TRUNCATED_SECTION, 4, "is truncated"},
    {XCLBIN_EMPTY, 4, "is truncated"},
    {XCLBIN_ZERO_BANKS, 4, "is corrupt"},
    {XCLBIN_SECTION_OUT_OF_BOUNDS, 4, "is corrupt"},
    {XCLBIN_NO_TOPOLOGY, 5, "has no MEM_TOPOLOGY section"},
  };
  const gchar *missing[] = { "/nonexistent/w.xclbin", NULL };
  const gchar *dir[] = { g_get_tmp_dir (), NULL };
  const gchar *none[] = { NULL };
  const gchar *two[] = { "a.xclbin", "b.xclbin", NULL };
  const gchar *unknown[] = { "--frobnicate", "a.xclbin", NULL };
  const gchar *help[] = { "--help", NULL };
  gchar *out = NULL, *err = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *name = g_strdup_printf ("tool-broken-%u.xclbin", i);
    const gchar *args[] = { test_util_xclbin (name, 2, 0, cases[i].flavor),
      NULL
    };

    assert_info_fails (args, cases[i].code, cases[i].says);
    g_free (name);
  }
  assert_info_fails (missing, 1, "cannot open xclbin '/nonexistent/w.xclbin'"
      ": No such file or directory");
  assert_info_fails (dir, 1, "is not a regular file: it is a directory");
  assert_info_fails (none, 2, "no FILE given");
  assert_info_fails (two, 2, "unexpected 'b.xclbin'");
  assert_info_fails (unknown, 2, "unknown option '--frobnicate'");

  g_assert_cmpint (run_info (help, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Usage: vvas-xclbin-info [--json] "
          "FILE\n"));
  g_assert_nonnull (strstr (out, "  5  FILE has no MEM_TOPOLOGY section\n"));
  g_assert_cmpstr (err, ==, "");
  g_free (out);
  g_free (err);
}

/* Runs vvas-make-xclbin with @args then OUTPUT; returns what it wrote. */
static VvasXclbinInfo *
make_and_read (const gchar * name, const gchar * const *args)
{
  const gchar *path = test_util_path (name);
  GPtrArray *argv = g_ptr_array_new ();
  gchar *out = NULL, *err = NULL;
  VvasXclbinInfo *info;

  for (; *args; args++)
    g_ptr_array_add (argv, (gpointer) * args);
  g_ptr_array_add (argv, (gpointer) path);
  g_ptr_array_add (argv, NULL);
  g_assert_cmpint (run_make ((const gchar * const *) argv->pdata, &out,
          &err), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "");
  info = read_ok (path);
  g_ptr_array_unref (argv);
  g_free (out);
  g_free (err);
  return info;
}

static void
assert_bank (const VvasXclbinInfo * info, guint index, const gchar * tag,
    guint32 type, guint64 size, gint used)
{
  VvasXclbinBankInfo bank;

  g_assert_cmpint (vvas_xclbin_info_get_bank (info, index, &bank), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpstr (bank.tag, ==, tag);
  g_assert_cmpuint (bank.type, ==, type);
  g_assert_cmpuint (bank.size, ==, size);
  g_assert_cmpint (bank.used, ==, used);
}

static void
test_make_tool (void)
{
  const gchar *banks[] = { "-b", "4G:DDR[0]", "--bank", "256M:HBM[0]:hbm",
    "-b", "-:stream0:STREAMING", "-b", "1536K", "-b", "64K", NULL
  };
  const gchar *with_uuid[] = { "-b", "4G:DDR[0]", "--bank", "256M:HBM[0]:hbm",
    "-b", "-:stream0:STREAMING", "-b", "1536K", "--unused=1,3",
    "--uuid", "0123456789ABCDEF-fedc-ba98-76543210", NULL
  };
  const gchar *other[] = { "-b", "4G:DDR[0]", "--bank", "256M:HBM[0]:hbm",
    "-b", "-:stream0:STREAMING", "-b", "1536K", "-u", "3", NULL
  };
  unsigned char uuid[16], uuid2[16];
  VvasXclbinInfo *info, *info2;
  gchar *out = NULL, *err = NULL;
  GStatBuf st;

  /* "-b 3": not a multiple of 1K: exit 2, nothing written. */
  {
    const gchar *args[] = { "-b", "3", test_util_path ("never.xclbin"),
      NULL
    };

    g_assert_cmpint (run_make (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "multiple of 1K"));
    g_assert_cmpint (g_stat (args[2], &st), ==, -1);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  info = make_and_read ("made.xclbin", with_uuid);
  g_assert_cmpint (vvas_xclbin_info_get_bank_count (info), ==, 4);
  g_assert_cmpint (vvas_xclbin_info_get_uuid (info, uuid), ==,
      VVAS_RET_SUCCESS);
  g_assert_cmpmem (uuid, 16, mixed_uuid, 16);
  assert_bank (info, 0, "DDR[0]", MEM_DDR4, 4ull << 30, 1);
  assert_bank (info, 1, "HBM[0]", MEM_HBM, 256ull << 20, 0);
  assert_bank (info, 2, "stream0", MEM_STREAMING, 0, 1);
  assert_bank (info, 3, "bank3", MEM_DDR4, 1536ull << 10, 0);
  vvas_xclbin_info_free (info);

  /* No --uuid: the same banks make the same UUID, others another. */
  info = make_and_read ("derived-a.xclbin", banks);
  info2 = make_and_read ("derived-b.xclbin", banks);
  g_assert_cmpint (vvas_xclbin_info_get_bank_count (info), ==, 5);
  assert_bank (info, 4, "bank4", MEM_DDR4, 64 << 10, 1);
  vvas_xclbin_info_get_uuid (info, uuid);
  vvas_xclbin_info_get_uuid (info2, uuid2);
  g_assert_cmpmem (uuid, 16, uuid2, 16);
  vvas_xclbin_info_free (info2);
  info2 = make_and_read ("derived-c.xclbin", other);
  vvas_xclbin_info_get_uuid (info2, uuid2);
  g_assert_true (memcmp (uuid, uuid2, 16) != 0);
  vvas_xclbin_info_free (info);
  vvas_xclbin_info_free (info2);

  /* OUTPUT N_BANKS: the test suite's layout. */
  {
    const gchar *path = test_util_path ("legacy.xclbin");
    const gchar *args[] = { path, "3", NULL };

    g_assert_cmpint (run_make (args, &out, &err), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    info = read_ok (path);
    g_assert_cmpint (vvas_xclbin_info_get_bank_count (info), ==, 3);
    for (guint i = 0; i < 3; i++) {
      gchar *tag = g_strdup_printf ("bank%u", i);

      assert_bank (info, i, tag, MEM_DDR4, XCLBIN_GEN_BANK_SIZE, 1);
      g_free (tag);
    }
    vvas_xclbin_info_free (info);
    /* And the device loads it. */
    assert_uuid_is_devices (path);
  }
}

static void
test_make_tool_errors (void)
{
  struct
  {
    const gchar *args[6];
    gint code;
    const gchar *says;
  } cases[] = {
    {{"OUT", "0"}, 2, "N_BANKS must be 1 to 64, not '0'"},
    {{"OUT", "65"}, 2, "N_BANKS must be 1 to 64"},
    {{"OUT", "2x"}, 2, "N_BANKS must be 1 to 64"},
    {{"OUT"}, 2, "no bank"},
    {{NULL}, 2, "no OUTPUT given"},
    {{"-b", "1G", "OUT", "2"}, 2, "cannot be combined"},
    {{"-b", "1G:a_tag_of_17_chars"}, 2, "more than 16 characters"},
    {{"-b", "1G:t:NOPE", "OUT"}, 2, "unknown memory type"},
    {{"-b", "1G:t:STREAMING", "OUT"}, 2, "a streaming bank has no size"},
    {{"-b", "0", "OUT"}, 2, "not 0"},
    {{"-b", "99999999999T", "OUT"}, 2, "SIZE must be"},
    {{"-b", "1G:t:DDR4:x", "OUT"}, 2, "more than SIZE:TAG:TYPE"},
    {{"-b", "1G", "-u", "1", "OUT"}, 2, "no such bank"},
    {{"-b", "1G", "-u", "0,", "OUT"}, 2, "not a list"},
    {{"-b", "1G", "-U", "0123", "OUT"}, 2, "not 32 hexadecimal digits"},
    {{"-b", "1G", "-U", "0123456789abcdef0123456789abcdeg", "OUT"}, 2,
        "not 32 hexadecimal digits"},
    {{"--bank"}, 2, "needs an argument"},
    {{"--nope", "OUT", "1"}, 2, "unknown option '--nope'"},
    {{"/nonexistent/dir/x.xclbin", "1"}, 1,
        "cannot write '/nonexistent/dir/x.xclbin': No such file"},
  };
  const gchar *help[] = { "--help", NULL };
  gchar *out = NULL, *err = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const gchar *args[7] = { NULL };
    GStatBuf st;

    for (guint a = 0; a < 6 && cases[i].args[a]; a++)
      args[a] = g_strcmp0 (cases[i].args[a], "OUT") == 0 ?
          test_util_path ("out.xclbin") : cases[i].args[a];
    g_assert_cmpint (run_make (args, &out, &err), ==, cases[i].code);
    g_assert_cmpstr (out, ==, "");
    if (!strstr (err, cases[i].says))
      g_error ("case %u: '%s' not in stderr: %s", i, cases[i].says, err);
    g_assert_cmpint (g_stat (test_util_path ("out.xclbin"), &st), ==, -1);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  g_assert_cmpint (run_make (help, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Usage: vvas-make-xclbin OUTPUT "
          "N_BANKS\n"));
  g_assert_nonnull (strstr (out, "STREAMING_CONNECTION"));
  g_assert_cmpstr (err, ==, "");
  g_free (out);
  g_free (err);
}

int
main (int argc, char **argv)
{
  int res;

  g_test_init (&argc, &argv, NULL);
  test_util_init ();
  g_test_add_func ("/xclbin-info/read-banks", test_read_banks);
  g_test_add_func ("/xclbin-info/read-special-banks",
      test_read_special_banks);
  g_test_add_func ("/xclbin-info/read-broken", test_read_broken);
  g_test_add_func ("/xclbin-info/invalid-args", test_invalid_args);
  g_test_add_func ("/xclbin-info/names", test_names);
  g_test_add_func ("/xclbin-info/uuid-matches-device",
      test_uuid_matches_device);
  g_test_add_func ("/tools/xclbin-info/text", test_info_tool_text);
  g_test_add_func ("/tools/xclbin-info/json", test_info_tool_json);
  g_test_add_func ("/tools/xclbin-info/errors", test_info_tool_errors);
  g_test_add_func ("/tools/make-xclbin/banks", test_make_tool);
  g_test_add_func ("/tools/make-xclbin/errors", test_make_tool_errors);
  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
