/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The library's own xclbin reader (lib/vvas_xclbin.c), fed valid files,
 * every broken flavor of the generator, every truncation of a valid file
 * and randomly corrupted copies: it must answer, never read out of bounds
 * (valgrind checks), never crash.
 */

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <vvas_core/vvas_context.h>

#include "../../lib/vvas_xclbin.h"
#include "test_util.h"

static void
test_valid (void)
{
  const struct
  {
    const gchar *name;
    guint banks;
    const gchar *usable;
  } cases[] = {
    {"one_bank.xclbin", 1, "0"},
    {"two_banks.xclbin", 2, "0, 1"},
    {"four_banks.xclbin", 4, "0, 1, 3"},
  };
  guint c, i;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    VvasXclbinTopology topo;
    char why[256] = "", usable[64];

    g_assert_cmpint (vvas_xclbin_read_topology (test_util_path
            (cases[c].name), &topo, why, sizeof (why)), ==, 0);
    g_assert_cmpstr (why, ==, "");
    g_assert_cmpuint (topo.bank_count, ==, cases[c].banks);
    for (i = 0; i < 16; i++)
      g_assert_cmpuint (topo.uuid[i], ==, cases[c].banks * 16 + i + 1);
    for (i = 0; i < topo.bank_count; i++) {
      gchar *tag = g_strdup_printf ("bank%u", i);

      g_assert_cmpstr (topo.banks[i].tag, ==, tag);
      g_assert_cmpuint (topo.banks[i].type, ==, 1);     /* MEM_DDR4 */
      g_assert_cmpuint (topo.banks[i].size_bytes, ==, XCLBIN_GEN_BANK_SIZE);
      g_assert_cmpuint (topo.banks[i].base_address, ==,
          0x4000000000ull + i * XCLBIN_GEN_BANK_SIZE);
      g_free (tag);
    }
    vvas_xclbin_describe_usable_banks (&topo, usable, sizeof (usable));
    g_assert_cmpstr (usable, ==, cases[c].usable);
    g_assert_false (vvas_xclbin_bank_is_usable (&topo, cases[c].banks));
    g_assert_false (vvas_xclbin_bank_is_usable (&topo, 255));
    vvas_xclbin_topology_clear (&topo);
    g_assert_null (topo.banks);
    g_assert_cmpuint (topo.bank_count, ==, 0);
  }
}

/*
 * Each flavor breaks one rule of the reader and keeps the others, so each
 * case fails when its rule is weakened: the file is then accepted, or
 * refused for another reason. The *_LENGTH flavors keep bytes past the
 * declared length, so a check made against the file's size passes them.
 */
static void
test_broken_flavors (void)
{
  const struct
  {
    XclbinFlavor flavor;
    const gchar *reason;
  } cases[] = {
    {XCLBIN_EMPTY, "*truncated*smaller than*header*"},
    {XCLBIN_TRUNCATED, "*truncated*smaller than*header*"},
    {XCLBIN_TRUNCATED_SECTION, "*truncated*header says 584 bytes*"},
    {XCLBIN_BAD_MAGIC, "*not an xclbin*"},
    {XCLBIN_SECTION_OUT_OF_BOUNDS, "*MEM_TOPOLOGY section*outside*"},
    {XCLBIN_BANK_COUNT_TOO_LARGE, "*1002 banks*"},
    {XCLBIN_NO_TOPOLOGY, "*no MEM_TOPOLOGY*"},
    {XCLBIN_HUGE_SECTION_COUNT, "*60000 section headers run past*"},
    {XCLBIN_ZERO_SECTIONS, "*corrupt: 0 sections*"},
    {XCLBIN_TOO_MANY_SECTIONS, "*corrupt: 65537 sections*"},
    {XCLBIN_TABLE_PAST_LENGTH, "*4 section headers run past*"},
    {XCLBIN_SECTION_AFTER_LENGTH, "*MEM_TOPOLOGY section*outside*"},
    {XCLBIN_SECTION_PAST_LENGTH, "*MEM_TOPOLOGY section*outside*"},
    {XCLBIN_SECTION_TOO_SMALL, "*MEM_TOPOLOGY section (4 bytes)*too small*"},
    {XCLBIN_ZERO_BANKS, "*says 0 banks*"},
    {XCLBIN_NEGATIVE_BANKS, "*says -1 banks*"},
    {XCLBIN_BANK_COUNT_ONE_TOO_MANY, "*says 3 banks in a 88-byte section*"},
  };
  guint c;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    const gchar *path = test_util_xclbin ("broken.xclbin", 2, 0,
        cases[c].flavor);
    VvasXclbinTopology topo;
    char why[512] = "";

    if (vvas_xclbin_read_topology (path, &topo, why, sizeof (why)) != -1)
      g_error ("flavor %d was accepted with %u banks", cases[c].flavor,
          topo.bank_count);
    if (!g_pattern_match_simple (cases[c].reason, why))
      g_error ("flavor %d: reason '%s' does not match '%s'",
          cases[c].flavor, why, cases[c].reason);
    g_assert_null (topo.banks);
    g_assert_cmpuint (topo.bank_count, ==, 0);
  }
}

static VvasXclbinTopology
read_flavor (guint n_banks, guint64 unused_mask, XclbinFlavor flavor)
{
  const gchar *path = test_util_xclbin ("flavor.xclbin", n_banks,
      unused_mask, flavor);
  VvasXclbinTopology topo;
  char why[512] = "";

  if (vvas_xclbin_read_topology (path, &topo, why, sizeof (why)) != 0)
    g_error ("flavor %d refused: %s", flavor, why);
  g_assert_cmpuint (topo.bank_count, ==, n_banks);
  g_assert_nonnull (topo.banks);
  return topo;
}

static void
assert_usable (const VvasXclbinTopology * topo, const gchar * expected)
{
  char usable[64];

  vvas_xclbin_describe_usable_banks (topo, usable, sizeof (usable));
  g_assert_cmpstr (usable, ==, expected);
}

/* Valid files with a feature a careless reader would trip on. */
static void
test_valid_flavors (void)
{
  VvasXclbinTopology topo;
  guint i;

  /* A signature after the declared length is not part of the xclbin. */
  topo = read_flavor (2, 0, XCLBIN_TRAILING_BYTES);
  assert_usable (&topo, "0, 1");
  vvas_xclbin_topology_clear (&topo);

  /* The topology is found wherever it is in the table. */
  topo = read_flavor (4, 1 << 2, XCLBIN_TOPOLOGY_LAST);
  for (i = 0; i < topo.bank_count; i++) {
    gchar *tag = g_strdup_printf ("bank%u", i);

    g_assert_cmpstr (topo.banks[i].tag, ==, tag);
    g_free (tag);
  }
  assert_usable (&topo, "0, 1, 3");
  vvas_xclbin_topology_clear (&topo);

  /* Streaming banks hold no buffers; their m_size is a route id. */
  topo = read_flavor (4, 0, XCLBIN_MIXED_BANK_TYPES);
  for (i = 0; i < topo.bank_count; i++)
    g_assert_cmpuint (topo.banks[i].type, ==, XCLBIN_GEN_MIXED_TYPES[i]);
  g_assert_cmpuint (topo.banks[0].size_bytes, ==, XCLBIN_GEN_BANK_SIZE);
  g_assert_cmpuint (topo.banks[1].size_bytes, ==, 0);
  g_assert_cmpuint (topo.banks[2].size_bytes, ==, XCLBIN_GEN_BANK_SIZE);
  g_assert_cmpuint (topo.banks[3].size_bytes, ==, 0);
  g_assert_true (vvas_xclbin_bank_is_usable (&topo, 0));
  g_assert_false (vvas_xclbin_bank_is_usable (&topo, 1));
  g_assert_false (vvas_xclbin_bank_is_usable (&topo, 3));
  assert_usable (&topo, "0, 2");
  vvas_xclbin_topology_clear (&topo);

  /* A size in KiB that overflows in bytes is unknown, not wrapped. */
  topo = read_flavor (2, 0, XCLBIN_HUGE_BANK_SIZE);
  g_assert_cmpuint (topo.banks[0].size_bytes, ==, 0);
  g_assert_cmpuint (topo.banks[1].size_bytes, ==, (G_MAXUINT64 / 1024) * 1024);
  vvas_xclbin_topology_clear (&topo);

  /* A 16-byte tag without NUL is cut there, and terminated. */
  topo = read_flavor (2, 0, XCLBIN_LONG_TAGS);
  g_assert_cmpstr (topo.banks[0].tag, ==, "bank_with_a_long");
  g_assert_cmpstr (topo.banks[1].tag, ==, "bank_with_a_long");
  vvas_xclbin_topology_clear (&topo);
}

/*
 * A bank index equal to the count is past the end. The banks array here
 * holds one more used bank, so a check off by one accepts it instead of
 * reading out of bounds (which only valgrind would see).
 */
static void
test_bank_index_past_count (void)
{
  VvasXclbinBank banks[4];
  VvasXclbinTopology topo = { 3, banks, {0} };
  guint i;

  memset (banks, 0, sizeof (banks));
  for (i = 0; i < G_N_ELEMENTS (banks); i++) {
    banks[i].type = 1;          /* MEM_DDR4 */
    banks[i].used = TRUE;
    banks[i].size_bytes = XCLBIN_GEN_BANK_SIZE;
  }
  banks[1].used = FALSE;

  g_assert_true (vvas_xclbin_bank_is_usable (&topo, 0));
  g_assert_false (vvas_xclbin_bank_is_usable (&topo, 1));
  g_assert_true (vvas_xclbin_bank_is_usable (&topo, 2));
  g_assert_false (vvas_xclbin_bank_is_usable (&topo, 3));
  g_assert_false (vvas_xclbin_bank_is_usable (&topo, G_MAXUINT32));
  assert_usable (&topo, "0, 2");

  topo.bank_count = 0;
  g_assert_false (vvas_xclbin_bank_is_usable (&topo, 0));
  assert_usable (&topo, "none");
}

static void
test_not_a_file (void)
{
  VvasXclbinTopology topo;
  char why[512] = "";

  g_assert_cmpint (vvas_xclbin_read_topology ("/nonexistent/x.xclbin", &topo,
          why, sizeof (why)), ==, -1);
  g_assert_true (g_pattern_match_simple ("*cannot open*", why));
  g_assert_cmpint (vvas_xclbin_read_topology ("/", &topo, why,
          sizeof (why)), ==, -1);
  g_assert_true (g_pattern_match_simple ("*not a regular file*", why));
}

/* A reader that blocks would hang the suite: fail it instead. */
static void
on_alarm (int sig)
{
  static const char msg[] = "test_xclbin: blocked reading a path that is "
      "not a regular file\n";

  if (write (STDERR_FILENO, msg, sizeof (msg) - 1) < 0)
    _exit (3);
  _exit (2);
}

/*
 * A FIFO, a device node and a directory are refused at once, by the reader
 * and by vvas_context_create, before XRT is called: open() of a FIFO with
 * no writer blocks, and XRT would block on it too.
 */
static void
test_special_files (void)
{
  const gchar *fifo = test_util_path ("fifo.xclbin");
  const gchar *dir = test_util_path ("dir.xclbin");
  const struct
  {
    const gchar *path;
    const gchar *kind;
  } cases[] = {
    {fifo, "*fifo.xclbin*not a regular file*FIFO*"},
    {"/dev/null", "*/dev/null*not a regular file*device*"},
    {dir, "*dir.xclbin*not a regular file*directory*"},
  };
  guint c;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  signal (SIGALRM, on_alarm);
  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    VvasXclbinTopology topo;
    VvasReturnType ret = VVAS_RET_SUCCESS;
    char why[512] = "";

    alarm (10);
    g_assert_cmpint (vvas_xclbin_read_topology (cases[c].path, &topo, why,
            sizeof (why)), ==, -1);
    if (!g_pattern_match_simple (cases[c].kind, why))
      g_error ("'%s': reason '%s' does not match '%s'", cases[c].path, why,
          cases[c].kind);
    g_assert_null (topo.banks);

    xrt_count_reset ();
    g_assert_null (vvas_context_create (0, (char *) cases[c].path,
            LOG_LEVEL_ERROR, &ret));
    g_assert_cmpint (ret, ==, VVAS_RET_INVALID_ARGS);
    g_assert_cmpuint (xrt_count_get (XRT_CALL_DEVICE_OPEN), ==, 0);
    g_assert_cmpuint (xrt_count_get (XRT_CALL_LOAD_XCLBIN), ==, 0);
    alarm (0);
  }
  signal (SIGALRM, SIG_DFL);
  g_assert_cmpint (g_unlink (fifo), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Thousands of files are written: without the fsync and rename that
 * g_file_set_contents() does, which cost seconds on a busy disk. */
static gboolean
write_file (const gchar * path, const gchar * data, gsize len)
{
  return g_file_set_contents_full (path, data, (gssize) len,
      G_FILE_SET_CONTENTS_NONE, 0600, NULL);
}

/* Every prefix of a valid file is refused, the whole file accepted. */
static void
test_every_truncation (void)
{
  const gchar *path = test_util_path ("four_banks.xclbin");
  const gchar *cut = test_util_path ("cut.xclbin");
  gchar *data;
  gsize len, n;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  for (n = 0; n <= len; n++) {
    VvasXclbinTopology topo;
    char why[512];

    g_assert_true (write_file (cut, data, n));
    g_assert_cmpint (vvas_xclbin_read_topology (cut, &topo, why,
            sizeof (why)), ==, n == len ? 0 : -1);
    vvas_xclbin_topology_clear (&topo);
  }
  g_free (data);
}

/* Random corruption: any answer is fine, reading out of bounds is not. */
static void
test_random_corruption (void)
{
  const gchar *path = test_util_path ("two_banks.xclbin");
  const gchar *bad = test_util_path ("corrupt.xclbin");
  guint rounds = g_getenv ("VVAS_UNDER_VALGRIND") ? 300 : 3000;
  GRand *rand = g_rand_new_with_seed (20261125);
  gchar *data;
  gsize len;
  guint r, accepted = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  for (r = 0; r < rounds; r++) {
    gchar *copy = g_memdup2 (data, len);
    VvasXclbinTopology topo;
    char why[512];
    guint flips = g_rand_int_range (rand, 1, 8), f;

    for (f = 0; f < flips; f++)
      copy[g_rand_int_range (rand, 0, (gint32) len)] =
          (gchar) g_rand_int_range (rand, 0, 256);
    g_assert_true (write_file (bad, copy, len));
    if (vvas_xclbin_read_topology (bad, &topo, why, sizeof (why)) == 0) {
      g_assert_cmpuint (topo.bank_count, >, 0);
      g_assert_nonnull (topo.banks);
      accepted++;
    }
    vvas_xclbin_topology_clear (&topo);
    g_free (copy);
  }
  /* Most flips land in fields the reader ignores, so most are accepted. */
  g_assert_cmpuint (accepted, >, 0);
  g_assert_cmpuint (accepted, <, rounds);
  g_rand_free (rand);
  g_free (data);
}

int
main (int argc, char **argv)
{
  int res;

  g_test_init (&argc, &argv, NULL);
  test_util_init ();
  g_test_add_func ("/xclbin/valid", test_valid);
  g_test_add_func ("/xclbin/broken-flavors", test_broken_flavors);
  g_test_add_func ("/xclbin/valid-flavors", test_valid_flavors);
  g_test_add_func ("/xclbin/bank-index-past-count", test_bank_index_past_count);
  g_test_add_func ("/xclbin/not-a-file", test_not_a_file);
  g_test_add_func ("/xclbin/special-files", test_special_files);
  g_test_add_func ("/xclbin/every-truncation", test_every_truncation);
  g_test_add_func ("/xclbin/random-corruption", test_random_corruption);
  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
