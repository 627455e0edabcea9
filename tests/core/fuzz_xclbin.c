/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * A mutation fuzzer for the library's xclbin reader (lib/vvas_xclbin.c),
 * built with AddressSanitizer and UndefinedBehaviorSanitizer (see
 * meson.build), so a read out of bounds, an overflow or a leak ends the run.
 *
 * Generated xclbins of every flavor are mutated where the reader looks:
 * truncation and extension, the declared length, the section count, kinds,
 * offsets and sizes, the bank count, bank types, sizes and tags, and random
 * bytes. Each mutant is read through a memfd, as a file. Besides memory
 * safety, every answer is checked against the reader's rules applied here
 * to the bytes themselves (check_result): a mutant is accepted exactly when
 * it should be, and an accepted one yields exactly its banks.
 *
 * fuzz_xclbin [--seconds S] [--seed N] [--iterations N] [--only I]
 *
 * Iteration I of seed N is the same mutant whatever the time bound, so a
 * failure is replayed with --seed N --only I. The time bound defaults to
 * $VVAS_FUZZ_SECONDS, else 20 s; the seed to $VVAS_FUZZ_SEED, else 1. A
 * failing mutant is also written to fuzz-xclbin-failure.xclbin in the
 * current folder.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xrt/xclbin.h>

#include "../../lib/vvas_xclbin.h"
#include "xclbin_gen.h"

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_HAVE_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_HAVE_SANITIZER 1
#endif
#endif
#ifdef FUZZ_HAVE_SANITIZER
#include <sanitizer/common_interface_defs.h>
#endif

#define TABLE_OFFSET offsetof (struct axlf, m_sections)
#define SECTION_SIZE sizeof (struct axlf_section_header)
#define BANKS_OFFSET offsetof (struct mem_topology, m_mem_data)
#define LENGTH_FIELD offsetof (struct axlf, m_header.m_length)
#define NUM_SECTIONS_FIELD offsetof (struct axlf, m_header.m_numSections)
#define MAX_LEN (64 * 1024)

/* --- Deterministic randomness ------------------------------------------- */

static uint64_t
splitmix64 (uint64_t * state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* A number below @n (n > 0). */
static uint64_t
below (uint64_t * rng, uint64_t n)
{
  return splitmix64 (rng) % n;
}

/* --- The mutant being read, for the failure report ---------------------- */

static uint64_t current_seed, current_iteration;
static const uint8_t *current_data;
static size_t current_len;

static void
dump_current (void)
{
  char msg[256];
  int fd, n;

  if (!current_data)
    return;
  fd = open ("fuzz-xclbin-failure.xclbin",
      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    if (current_len > 0 && write (fd, current_data, current_len) < 0)
      n = 0;
    close (fd);
  }
  n = snprintf (msg, sizeof (msg), "fuzz_xclbin: failed on seed %" PRIu64
      " iteration %" PRIu64 " (%zu bytes, written to "
      "fuzz-xclbin-failure.xclbin); replay with --seed %" PRIu64
      " --only %" PRIu64 "\n", current_seed, current_iteration, current_len,
      current_seed, current_iteration);
  if (n > 0 && write (STDERR_FILENO, msg, (size_t) n) < 0)
    n = 0;
}

#ifdef FUZZ_HAVE_SANITIZER
static void
on_sanitizer_death (void)
{
  dump_current ();
}
#endif

static void
failure (const char *fmt, ...) __attribute__((format (printf, 1, 2)));

static void
failure (const char *fmt, ...)
{
  va_list args;

  fprintf (stderr, "fuzz_xclbin: ");
  va_start (args, fmt);
  vfprintf (stderr, fmt, args);
  va_end (args);
  fprintf (stderr, "\n");
  dump_current ();
  exit (1);
}

/* --- Field access within the buffer's bounds ---------------------------- */

static bool
get_field (const uint8_t * buf, size_t len, uint64_t offset, void *out,
    size_t size)
{
  if (offset > len || size > len - offset)
    return false;
  memcpy (out, buf + offset, size);
  return true;
}

static void
set_field (uint8_t * buf, size_t len, uint64_t offset, const void *in,
    size_t size)
{
  if (offset <= len && size <= len - offset)
    memcpy (buf + offset, in, size);
}

static uint32_t
get_u32 (const uint8_t * buf, size_t len, uint64_t offset)
{
  uint32_t v = 0;

  get_field (buf, len, offset, &v, sizeof (v));
  return v;
}

static uint64_t
get_u64 (const uint8_t * buf, size_t len, uint64_t offset)
{
  uint64_t v = 0;

  get_field (buf, len, offset, &v, sizeof (v));
  return v;
}

/* A value near @orig or at a boundary: where checks go wrong. */
static uint64_t
interesting_u64 (uint64_t * rng, uint64_t orig, uint64_t len)
{
  switch (below (rng, 10)) {
    case 0:
      return 0;
    case 1:
      return orig + below (rng, 81) - 40;
    case 2:
      return len + below (rng, 81) - 40;
    case 3:
      return UINT64_MAX - below (rng, 64);
    case 4:
      return (uint64_t) 1 << below (rng, 64);
    case 5:
      return orig + SECTION_SIZE * (below (rng, 5) + 1);
    case 6:
      return orig - sizeof (struct mem_data) * (below (rng, 3) + 1);
    case 7:
      return below (rng, len + 1);
    case 8:
      return (uint64_t) INT64_MAX + below (rng, 3);
    default:
      return splitmix64 (rng);
  }
}

/* Offset of the first MEM_TOPOLOGY section's header, or 0. */
static uint64_t
topology_header (const uint8_t * buf, size_t len)
{
  uint32_t n = get_u32 (buf, len, NUM_SECTIONS_FIELD), i;

  for (i = 0; i < n && i < 64; i++) {
    uint64_t at = TABLE_OFFSET + (uint64_t) i * SECTION_SIZE;

    if (at + SECTION_SIZE > len)
      break;
    if (get_u32 (buf, len, at) == MEM_TOPOLOGY)
      return at;
  }
  return 0;
}

/* Offset of the topology's data the section header names, or 0. */
static uint64_t
topology_data (const uint8_t * buf, size_t len)
{
  uint64_t at = topology_header (buf, len);

  return at ? get_u64 (buf, len, at + offsetof (struct axlf_section_header,
          m_sectionOffset)) : 0;
}

/* --- Mutations ---------------------------------------------------------- */

static size_t
mutate_once (uint64_t * rng, uint8_t * buf, size_t len)
{
  uint64_t v, at;
  uint32_t n;
  int32_t count = 0;

  switch (below (rng, 11)) {
    case 0:                    /* truncate, often near a structure's end */
      if (len > 0)
        len = below (rng, 2) ? below (rng, len) :
            len - below (rng, len < 48 ? len : 48);
      break;
    case 1:                    /* extend with zeros or noise */
      v = below (rng, 129);
      if (len + v <= MAX_LEN) {
        bool noise = below (rng, 2);
        uint64_t i;

        for (i = 0; i < v; i++)
          buf[len + i] = noise ? (uint8_t) splitmix64 (rng) : 0;
        len += v;
      }
      break;
    case 2:                    /* the declared length */
      v = interesting_u64 (rng, get_u64 (buf, len, LENGTH_FIELD), len);
      set_field (buf, len, LENGTH_FIELD, &v, sizeof (v));
      break;
    case 3:                    /* the section count */
    {
      const uint32_t picks[] = { 0, 1, 2, 3, 4, 5, 0xffff, 0x10000, 0x10001,
        UINT32_MAX
      };
      n = below (rng, 2) ? picks[below (rng, 10)] :
          (uint32_t) interesting_u64 (rng, get_u32 (buf, len,
              NUM_SECTIONS_FIELD), len / SECTION_SIZE);
      set_field (buf, len, NUM_SECTIONS_FIELD, &n, sizeof (n));
      break;
    }
    case 4:                    /* a section's kind: hide, add, duplicate */
    {
      const uint32_t kinds[] = { MEM_TOPOLOGY, MEM_TOPOLOGY, IP_LAYOUT,
        BITSTREAM, CONNECTIVITY, UINT32_MAX
      };
      n = kinds[below (rng, 6)];
      at = TABLE_OFFSET + below (rng, 6) * SECTION_SIZE;
      set_field (buf, len, at, &n, sizeof (n));
      break;
    }
    case 5:                    /* a section's offset or size */
      at = below (rng, 3) ? topology_header (buf, len) : 0;
      if (!at)
        at = TABLE_OFFSET + below (rng, 4) * SECTION_SIZE;
      at += below (rng, 2) ? offsetof (struct axlf_section_header,
          m_sectionOffset) : offsetof (struct axlf_section_header,
          m_sectionSize);
      v = interesting_u64 (rng, get_u64 (buf, len, at), len);
      set_field (buf, len, at, &v, sizeof (v));
      break;
    case 6:                    /* the bank count */
    {
      const int32_t picks[] = { 0, -1, INT32_MIN, INT32_MAX, 1, 64, 65 };
      at = topology_data (buf, len);
      get_field (buf, len, at, &count, sizeof (count));
      count = below (rng, 2) ? picks[below (rng, 7)] :
          (int32_t) ((uint32_t) count + (uint32_t) below (rng, 5) - 2u);
      set_field (buf, len, at, &count, sizeof (count));
      break;
    }
    case 7:                    /* a bank's type, used flag or size */
    {
      uint8_t byte;

      at = topology_data (buf, len) + BANKS_OFFSET +
          below (rng, 4) * sizeof (struct mem_data);
      switch (below (rng, 3)) {
        case 0:
          byte = below (rng, 2) ? (uint8_t) below (rng, 13) :
              (uint8_t) splitmix64 (rng);
          set_field (buf, len, at + offsetof (struct mem_data, m_type),
              &byte, 1);
          break;
        case 1:
          byte = (uint8_t) below (rng, 3);
          set_field (buf, len, at + offsetof (struct mem_data, m_used),
              &byte, 1);
          break;
        default:
          v = below (rng, 2) ? UINT64_MAX / 1024 + below (rng, 5) - 2 :
              interesting_u64 (rng, 0, len);
          set_field (buf, len, at + offsetof (struct mem_data, m_size), &v,
              sizeof (v));
          break;
      }
      break;
    }
    case 8:                    /* a tag without its NUL */
      at = topology_data (buf, len) + BANKS_OFFSET +
          below (rng, 4) * sizeof (struct mem_data) +
          offsetof (struct mem_data, m_tag);
      set_field (buf, len, at, "XXXXXXXXXXXXXXXX", 16);
      break;
    case 9:                    /* the magic: rarely worth it */
      if (len > 0 && below (rng, 4) == 0)
        buf[below (rng, len < 8 ? len : 8)] ^= 1;
      break;
    default:                   /* a few random bytes */
      for (n = (uint32_t) below (rng, 8) + 1; n > 0 && len > 0; n--)
        buf[below (rng, len)] = (uint8_t) splitmix64 (rng);
      break;
  }
  return len;
}

/* --- The oracle: the reader's rules applied to the bytes ---------------- */

typedef struct
{
  bool accept;
  uint64_t banks_at;            /* file offset of bank 0 */
  int32_t count;
} Expected;

static Expected
expected_answer (const uint8_t * buf, size_t len)
{
  Expected e = { false, 0, 0 };
  uint64_t length, at = 0, offset, size;
  uint32_t sections, i;

  if (len < sizeof (struct axlf) || memcmp (buf, "xclbin2", 8) != 0)
    return e;
  length = get_u64 (buf, len, LENGTH_FIELD);
  sections = get_u32 (buf, len, NUM_SECTIONS_FIELD);
  if (length > len || sections == 0 || sections > XCLBIN_MAX_NUM_SECTION
      || TABLE_OFFSET + (uint64_t) sections * SECTION_SIZE > length)
    return e;
  for (i = 0; i < sections; i++) {
    at = TABLE_OFFSET + (uint64_t) i *SECTION_SIZE;
    if (get_u32 (buf, len, at) == MEM_TOPOLOGY)
      break;
  }
  if (i == sections)
    return e;
  offset = get_u64 (buf, len, at + offsetof (struct axlf_section_header,
          m_sectionOffset));
  size = get_u64 (buf, len, at + offsetof (struct axlf_section_header,
          m_sectionSize));
  /* Section within the declared length, written without subtraction. */
  if (offset > length || size > length || offset + size > length
      || size < BANKS_OFFSET)
    return e;
  get_field (buf, len, offset, &e.count, sizeof (e.count));
  if (e.count <= 0
      || BANKS_OFFSET + (uint64_t) e.count * sizeof (struct mem_data) > size)
    return e;
  e.accept = true;
  e.banks_at = offset + BANKS_OFFSET;
  return e;
}

static bool
is_streaming (uint8_t type)
{
  return type == MEM_STREAMING || type == MEM_STREAMING_CONNECTION;
}

/* describe_usable_banks into buffers of small sizes and around the
 * answer's: a NUL-ended prefix of it, never past the end (ASan sees that). */
static void
check_describe (const VvasXclbinTopology * topo, const char *full)
{
  size_t full_len = strlen (full), out_len;

  for (out_len = 1; out_len <= full_len + 2; out_len++) {
    char *out;

    if (out_len == 40 && full_len > 40)
      out_len = full_len - 1;
    out = malloc (out_len);

    if (!out)
      failure ("out of memory");
    vvas_xclbin_describe_usable_banks (topo, out, out_len);
    if (strlen (out) >= out_len || strncmp (out, full, strlen (out)) != 0)
      failure ("describe_usable_banks into %zu bytes gave '%s', not a "
          "prefix of '%s'", out_len, out, full);
    if (out_len > full_len && strcmp (out, full) != 0)
      failure ("describe_usable_banks into %zu bytes gave '%s', not '%s'",
          out_len, out, full);
    free (out);
  }
}

static void
check_result (const uint8_t * buf, size_t len, int res,
    const VvasXclbinTopology * topo, const char *why)
{
  Expected e = expected_answer (buf, len);
  char *expected_usable;
  size_t used = 0, room;
  uint32_t i;

  if (res != 0 && res != -1)
    failure ("reader returned %d", res);
  if (res == -1) {
    if (e.accept)
      failure ("a valid xclbin of %d banks was refused: %s", e.count, why);
    if (why[0] == '\0')
      failure ("refused without a reason");
    if (topo->banks || topo->bank_count)
      failure ("refused but left %u banks", topo->bank_count);
    return;
  }
  if (!e.accept)
    failure ("an invalid xclbin was accepted with %u banks", topo->bank_count);
  if (topo->bank_count == 0 || !topo->banks)
    failure ("accepted with no banks");
  if (topo->bank_count != (uint32_t) e.count)
    failure ("accepted %u banks, the topology says %d", topo->bank_count,
        e.count);
  if (memcmp (topo->uuid, buf + offsetof (struct axlf, m_header.uuid), 16))
      failure ("the UUID is not the header's");

  room = (size_t) topo->bank_count * 12 + 8;
  expected_usable = calloc (1, room);
  if (!expected_usable)
    failure ("out of memory");

  for (i = 0; i < topo->bank_count; i++) {
    struct mem_data data;
    const VvasXclbinBank *bank = &topo->banks[i];
    uint64_t size;

    /* Every bank lies within the section, and so within the file. */
    if (!get_field (buf, len, e.banks_at + (uint64_t) i * sizeof (data),
            &data, sizeof (data)))
      failure ("bank %u lies outside the file", i);
    size = is_streaming (data.m_type) || data.m_size > UINT64_MAX / 1024 ?
        0 : data.m_size * 1024;
    if (bank->type != data.m_type || bank->used != (data.m_used != 0)
        || bank->base_address != data.m_base_address
        || bank->size_bytes != size)
      failure ("bank %u read wrong: type %u used %d size %" PRIu64, i,
          bank->type, bank->used, bank->size_bytes);
    if (strnlen (bank->tag, sizeof (bank->tag)) == sizeof (bank->tag)
        || strncmp (bank->tag, (const char *) data.m_tag, 16) != 0)
      failure ("bank %u: tag '%.17s' is not the file's, NUL-ended", i,
          bank->tag);
    if (data.m_used && !is_streaming (data.m_type))
      used += (size_t) snprintf (expected_usable + used, room - used,
          "%s%u", used ? ", " : "", i);
  }
  for (i = 0; i < topo->bank_count + 3; i++) {
    bool usable = i < topo->bank_count && topo->banks[i].used
        && !is_streaming (topo->banks[i].type);

    if (vvas_xclbin_bank_is_usable (topo, i) != usable)
      failure ("bank %u: bank_is_usable says %d", i, !usable);
  }
  if (vvas_xclbin_bank_is_usable (topo, UINT32_MAX))
    failure ("bank %u is usable", UINT32_MAX);
  check_describe (topo, used ? expected_usable : "none");
  free (expected_usable);
}

/* --- Outcomes, to show every rule was reached --------------------------- */

static const char *const outcome_patterns[] = {
  "accepted",
  "smaller than the",           /* file shorter than a header */
  "not an xclbin",
  "header says",                /* declared length past the file */
  "sections",                   /* 0 or too many sections */
  "headers run past",
  "no MEM_TOPOLOGY",
  "lies outside",
  "too small",
  "banks in a",
};

#define N_OUTCOMES (sizeof (outcome_patterns) / sizeof (outcome_patterns[0]))

static size_t
outcome_of (int res, const char *why)
{
  size_t i;

  if (res == 0)
    return 0;
  for (i = 1; i < N_OUTCOMES; i++)
    if (strstr (why, outcome_patterns[i]))
      return i;
  return N_OUTCOMES;
}

/* --- Driver ------------------------------------------------------------- */

typedef struct
{
  uint8_t *data;
  size_t len;
} Seed;

static size_t
build_corpus (Seed * corpus, size_t max)
{
  const unsigned int bank_counts[] = { 1, 2, 4, 64 };
  size_t n = 0;
  unsigned int f, b;

  for (f = 0; f < XCLBIN_FLAVOR_COUNT; f++) {
    if (f == XCLBIN_EMPTY)
      continue;
    for (b = 0; b < 4 && n < max; b++) {
      corpus[n].data = xclbin_gen_build (bank_counts[b], 0x5, (uint8_t) b,
          (XclbinFlavor) f, &corpus[n].len);
      if (!corpus[n].data)
        failure ("cannot build flavor %u: %s", f, strerror (errno));
      n++;
    }
  }
  return n;
}

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static uint64_t
parse_number (const char *s, const char *what)
{
  char *end = NULL;
  unsigned long long v;

  errno = 0;
  v = strtoull (s ? s : "", &end, 10);
  if (!s || !*s || *end || errno)
    failure ("%s must be a number, not '%s'", what, s ? s : "");
  return v;
}

int
main (int argc, char **argv)
{
  const char *env_seconds = getenv ("VVAS_FUZZ_SECONDS");
  const char *env_seed = getenv ("VVAS_FUZZ_SEED");
  double seconds = env_seconds ? (double) parse_number (env_seconds,
      "VVAS_FUZZ_SECONDS") : 20.0, start, elapsed;
  uint64_t seed = env_seed ? parse_number (env_seed, "VVAS_FUZZ_SEED") : 1;
  uint64_t max_iterations = UINT64_MAX, only = UINT64_MAX, it;
  uint64_t outcomes[N_OUTCOMES + 1] = { 0 };
  Seed corpus[XCLBIN_FLAVOR_COUNT * 4];
  size_t n_corpus, i;
  uint8_t *buf;
  char path[64];
  int fd, a;

  for (a = 1; a < argc; a++) {
    const char *value = a + 1 < argc ? argv[a + 1] : NULL;

    if (strcmp (argv[a], "--seconds") == 0)
      seconds = (double) parse_number (value, "--seconds");
    else if (strcmp (argv[a], "--seed") == 0)
      seed = parse_number (value, "--seed");
    else if (strcmp (argv[a], "--iterations") == 0)
      max_iterations = parse_number (value, "--iterations");
    else if (strcmp (argv[a], "--only") == 0)
      only = parse_number (value, "--only");
    else {
      fprintf (stderr, "usage: %s [--seconds S] [--seed N] "
          "[--iterations N] [--only I]\n", argv[0]);
      return 2;
    }
    a++;
  }
#ifdef FUZZ_HAVE_SANITIZER
  __sanitizer_set_death_callback (on_sanitizer_death);
#else
  printf ("# built without AddressSanitizer: only the answers are checked\n");
#endif

  /* A memfd is a regular file the reader can open by path, without disk
   * writes; a temporary file where there is none. */
  fd = memfd_create ("fuzz-xclbin", MFD_CLOEXEC);
  if (fd >= 0) {
    snprintf (path, sizeof (path), "/proc/self/fd/%d", fd);
  } else {
    snprintf (path, sizeof (path), "/tmp/fuzz-xclbin-XXXXXX");
    fd = mkstemp (path);
    if (fd < 0)
      failure ("cannot create a file: %s", strerror (errno));
  }

  n_corpus = build_corpus (corpus, sizeof (corpus) / sizeof (corpus[0]));
  buf = malloc (MAX_LEN);
  if (!buf)
    failure ("out of memory");
  current_seed = seed;
  current_data = buf;

  start = now_seconds ();
  for (it = only != UINT64_MAX ? only : 0; it < max_iterations; it++) {
    uint64_t rng = seed ^ (it * 0xd1342543de82ef95ull);
    const Seed *s;
    VvasXclbinTopology topo;
    char why[1024] = "";
    size_t len;
    unsigned int m, n_mutations;
    int res;

    if ((it & 255) == 0 && only == UINT64_MAX
        && now_seconds () - start >= seconds)
      break;
    splitmix64 (&rng);
    s = &corpus[below (&rng, n_corpus)];
    memcpy (buf, s->data, s->len);
    len = s->len;
    n_mutations = (unsigned int) below (&rng, 4) + 1;
    for (m = 0; m < n_mutations; m++)
      len = mutate_once (&rng, buf, len);

    current_iteration = it;
    current_len = len;
    if (ftruncate (fd, 0) != 0 || (len > 0
            && pwrite (fd, buf, len, 0) != (ssize_t) len))
      failure ("cannot write the mutant: %s", strerror (errno));

    res = vvas_xclbin_read_topology (path, &topo, why, sizeof (why));
    check_result (buf, len, res, &topo, why);
    outcomes[outcome_of (res, why)]++;
    vvas_xclbin_topology_clear (&topo);
    if (topo.banks || topo.bank_count)
      failure ("topology_clear left %u banks", topo.bank_count);
    if (only != UINT64_MAX) {
      printf ("iteration %" PRIu64 ": %zu bytes, %s\n", it, len,
          res == 0 ? "accepted" : why);
      it++;
      break;
    }
  }
  elapsed = now_seconds () - start;

  printf ("# seed %" PRIu64 ": %" PRIu64 " mutants in %.1f s\n", seed,
      it - (only != UINT64_MAX ? only : 0), elapsed);
  for (i = 0; i <= N_OUTCOMES; i++)
    printf ("#   %-18s %" PRIu64 "\n", i < N_OUTCOMES ? outcome_patterns[i] :
        "other", outcomes[i]);

  /* A mutator that stopped reaching a rule would test it no more. */
  current_data = NULL;
  if (only == UINT64_MAX && it >= 100000)
    for (i = 0; i < N_OUTCOMES; i++)
      if (outcomes[i] == 0)
        failure ("no mutant reached '%s' in %" PRIu64 " iterations",
            outcome_patterns[i], it);
  if (outcomes[N_OUTCOMES] > 0)
    failure ("%" PRIu64 " mutants were refused for a reason not listed",
        outcomes[N_OUTCOMES]);

  for (i = 0; i < n_corpus; i++)
    free (corpus[i].data);
  free (buf);
  close (fd);
  if (path[1] == 't')
    unlink (path);
  return 0;
}
