/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * bench_vvas: what VVAS memory costs on the host side, against GStreamer's
 * own system memory, measured in the same process on XRT's no-op device.
 *
 * Every figure runs the VVAS path (A) and its baseline (B) alternately,
 * A B A B ..., for several rounds, and reports the median, the spread (min,
 * max and inter-quartile range) and the ratio A / B computed round by round.
 * Figures:
 *
 *   allocator   alloc + free of 1080p and 4K NV12-sized memories,
 *               GstVvasAllocator (CMA, bank 0) vs the system allocator, in
 *               both of glibc's regimes for large blocks (heap and mmap)
 *               and with glibc's default settings (a child process), the
 *               core's vvas_memory_alloc + free (CMA and NON_CMA) vs
 *               malloc + free, the same with the context's recycling cache
 *               disabled, and heap allocations per alloc + unref;
 *   map         map + unmap with nothing pending: READ, WRITE and
 *               GST_MAP_VVAS | READ vs system memory READ / WRITE;
 *   pool        acquire + release of 1080p NV12 buffers, GstVvasBufferPool
 *               vs GstVideoBufferPool (same config);
 *   contention  the pool and the map path from 1, 2, 4 and 8 threads (one
 *               shared pool; one shared memory, and one memory per thread);
 *   pipeline    steady-state frames per second of videotestsrc ! vvasupload
 *               ! vvasdownload ! fakesink (and with force-copy) vs
 *               videotestsrc ! fakesink;
 *   streams     1, 4, 16 and 32 concurrent pipelines in one process
 *               (child processes): total frames per second, VmRSS per
 *               stream, copies and device opens;
 *   memory      VmRSS after 10,000 frames, heap allocations and XRT buffer
 *               allocations per frame in steady state, and bytes of
 *               bookkeeping per memory and per pool buffer over the payload
 *               (these run in child processes of this program, so that each
 *               pipeline starts from a fresh process).
 *
 * Run it with tests/bench/run.sh, which sets the environment (no-op device,
 * plugin path, private registry, pinned malloc regime) and draws the plot.
 * It is built by Meson but not registered with `meson test`.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/vvas/gstvvas.h>
#include <vvas_core/vvas_context.h>
#include <vvas_core/vvas_memory.h>

#include "xclbin_gen.h"
#include "xrt_count.h"

#ifndef BENCH_MALLOC_COUNT_LIB
#define BENCH_MALLOC_COUNT_LIB ""
#endif

#define CAPS_1080P "video/x-raw,format=NV12,width=1920,height=1080"
#define MAX_THREADS 8

static const guint thread_counts[] = { 1, 2, 4, 8 };

#define N_THREAD_COUNTS G_N_ELEMENTS (thread_counts)

/* ------------------------------------------------------------------------ */
/* Options                                                                  */

static gint opt_rounds = 21;
static gint opt_thread_rounds = 9;
static gint opt_pipeline_rounds = 7;
static gint opt_frames = 2000;
static gint opt_warmup_frames = 200;
static gint opt_memory_frames = 10000;
static gint opt_memory_rounds = 3;
static gint opt_stream_rounds = 3;
static gint opt_sample_ms = 10;
static gint opt_thread_ms = 100;
static gchar *opt_only = NULL;
static gchar *opt_out_dir = NULL;
static gchar *opt_xclbin = NULL;
static gchar *opt_malloc_lib = NULL;
static gboolean opt_quick = FALSE;
static gchar *opt_child = NULL;

static GOptionEntry option_entries[] = {
  {"rounds", 0, 0, G_OPTION_ARG_INT, &opt_rounds,
      "Rounds of each single-thread figure (default 21)", "N"},
  {"thread-rounds", 0, 0, G_OPTION_ARG_INT, &opt_thread_rounds,
      "Rounds of the contention figures (default 9)", "N"},
  {"pipeline-rounds", 0, 0, G_OPTION_ARG_INT, &opt_pipeline_rounds,
      "Rounds of the pipeline figures (default 7)", "N"},
  {"frames", 0, 0, G_OPTION_ARG_INT, &opt_frames,
      "Frames per pipeline run (default 2000)", "N"},
  {"warmup-frames", 0, 0, G_OPTION_ARG_INT, &opt_warmup_frames,
      "Frames before the steady state is measured (default 200)", "N"},
  {"memory-frames", 0, 0, G_OPTION_ARG_INT, &opt_memory_frames,
      "Frames of the resident-memory runs (default 10000)", "N"},
  {"memory-rounds", 0, 0, G_OPTION_ARG_INT, &opt_memory_rounds,
      "Rounds of the resident-memory runs (default 3)", "N"},
  {"stream-rounds", 0, 0, G_OPTION_ARG_INT, &opt_stream_rounds,
      "Rounds of the many-streams figures (default 3)", "N"},
  {"sample-ms", 0, 0, G_OPTION_ARG_INT, &opt_sample_ms,
      "Length of one single-thread sample in ms (default 10)", "MS"},
  {"thread-ms", 0, 0, G_OPTION_ARG_INT, &opt_thread_ms,
      "Length of one contention sample in ms (default 100)", "MS"},
  {"only", 0, 0, G_OPTION_ARG_STRING, &opt_only,
      "Comma-separated sections to run: allocator, map, pool, contention, "
        "pipeline, streams, memory (default: all)", "LIST"},
  {"out-dir", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out_dir,
      "Where bench.csv, samples.csv and table.md go (default: .)", "DIR"},
  {"xclbin", 0, 0, G_OPTION_ARG_FILENAME, &opt_xclbin,
        "xclbin to load (default: a 2-bank one written to a temporary folder)",
      "FILE"},
  {"malloc-count-lib", 0, 0, G_OPTION_ARG_FILENAME, &opt_malloc_lib,
      "The LD_PRELOAD library that counts heap allocations", "FILE"},
  {"quick", 0, 0, G_OPTION_ARG_NONE, &opt_quick,
      "Few, short rounds: a smoke test, not a measurement", NULL},
  {"child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_child,
      "Internal: run one measurement in a child process", "MODE"},
  {NULL}
};

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

/* Reports a failure of the benchmark itself and exits. */
static void
die (const gchar * format, ...)
{
  va_list args;

  va_start (args, format);
  fprintf (stderr, "bench_vvas: ");
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
  exit (1);
}

static inline guint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (guint64) ts.tv_sec * G_GUINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static gboolean
section_enabled (const gchar * name)
{
  gchar **parts;
  gboolean found;

  if (!opt_only)
    return TRUE;
  parts = g_strsplit (opt_only, ",", -1);
  found = g_strv_contains ((const gchar * const *) parts, name);
  g_strfreev (parts);
  return found;
}

/* VmRSS and VmHWM of this process, in KiB. */
static void
read_rss (glong * rss_kb, glong * hwm_kb)
{
  gchar *status = NULL, **lines, **l;

  *rss_kb = -1;
  if (hwm_kb)
    *hwm_kb = -1;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  lines = g_strsplit (status, "\n", -1);
  for (l = lines; *l; l++) {
    if (g_str_has_prefix (*l, "VmRSS:"))
      *rss_kb = strtol (*l + 6, NULL, 10);
    else if (hwm_kb && g_str_has_prefix (*l, "VmHWM:"))
      *hwm_kb = strtol (*l + 6, NULL, 10);
  }
  g_strfreev (lines);
  g_free (status);
}

/* The heap allocation counter of malloc_count.c, when it is preloaded. */
static uint64_t (*malloc_count_allocs) (void);

static guint64
heap_allocs (void)
{
  return malloc_count_allocs ? malloc_count_allocs () : 0;
}

static guint64
xrt_syncs (void)
{
  return xrt_count_get (XRT_CALL_SYNC_TO_DEVICE) +
      xrt_count_get (XRT_CALL_SYNC_FROM_DEVICE);
}

static void *
idle_thread (void *data)
{
  return data;
}

/*
 * glibc's pthread mutexes skip their atomic instructions while a process
 * has only ever had one thread (a lock+unlock pair costs 2.5 ns instead of
 * 13 ns here). Every GStreamer application has streaming threads, so the
 * benchmark starts one before measuring anything.
 */
static void
become_multithreaded (void)
{
  pthread_t t;

  if (pthread_create (&t, NULL, idle_thread, NULL) != 0)
    die ("cannot create a thread");
  pthread_join (t, NULL);
}

/* ------------------------------------------------------------------------ */
/* glibc's regime for large blocks                                          */

/*
 * glibc serves a block above M_MMAP_THRESHOLD with its own mmap (a few us,
 * plus page faults) and a smaller one from the heap (a fraction of a us).
 * The threshold starts at 128 KiB and rises by itself when an mmapped block
 * is freed, so a frame-sized allocation can change regime in mid-run. Both
 * thresholds set (environment or mallopt) stop that drift.
 */
typedef struct
{
  const gchar *name;
  gint mmap_threshold;
  gint trim_threshold;
} MallocRegime;

static const MallocRegime regime_heap = { "heap", 32 << 20, 512 << 20 };
static const MallocRegime regime_mmap = { "mmap", 128 << 10, 128 << 10 };

static MallocRegime process_regime;
static gchar *regime_description;

static void
set_malloc_regime (const MallocRegime * r)
{
  if (mallopt (M_MMAP_THRESHOLD, r->mmap_threshold) != 1 ||
      mallopt (M_TRIM_THRESHOLD, r->trim_threshold) != 1)
    die ("mallopt refused the %s regime", r->name);
}

/* Pins the regime of the process: the environment's, or the heap regime. */
static void
pin_malloc_regime (void)
{
  const gchar *mmap_env = g_getenv ("MALLOC_MMAP_THRESHOLD_");
  const gchar *trim_env = g_getenv ("MALLOC_TRIM_THRESHOLD_");

  if (mmap_env && trim_env) {
    process_regime.mmap_threshold = atoi (mmap_env);
    process_regime.trim_threshold = atoi (trim_env);
    process_regime.name =
        process_regime.mmap_threshold > (8 << 20) ? "heap" : "mmap";
    regime_description = g_strdup_printf ("%s regime, pinned by the "
        "environment: MALLOC_MMAP_THRESHOLD_=%s MALLOC_TRIM_THRESHOLD_=%s",
        process_regime.name, mmap_env, trim_env);
  } else {
    process_regime = regime_heap;
    regime_description = g_strdup_printf ("heap regime, pinned with "
        "mallopt (MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ were "
        "not both set): mmap threshold %d, trim threshold %d",
        regime_heap.mmap_threshold, regime_heap.trim_threshold);
  }
  set_malloc_regime (&process_regime);
}

/* ------------------------------------------------------------------------ */
/* Statistics, rows and output                                              */

typedef struct
{
  gdouble median, min, max, q1, q3;
  guint n;
} Stats;

static int
cmp_double (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static gdouble
quantile (const gdouble * sorted, guint n, gdouble q)
{
  gdouble pos = q * (n - 1);
  guint lo = (guint) pos;

  if (lo + 1 >= n)
    return sorted[n - 1];
  return sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]);
}

static Stats
stats_of (const gdouble * values, guint n)
{
  Stats s = { 0, };
  gdouble *v;

  s.n = n;
  if (n == 0)
    return s;
  v = g_memdup2 (values, n * sizeof (gdouble));
  qsort (v, n, sizeof (gdouble), cmp_double);
  s.min = v[0];
  s.max = v[n - 1];
  s.median = quantile (v, n, 0.5);
  s.q1 = quantile (v, n, 0.25);
  s.q3 = quantile (v, n, 0.75);
  g_free (v);
  return s;
}

typedef enum
{
  TARGET_NONE,
  TARGET_RATIO_AT_LEAST,        /* ratio >= value */
  TARGET_RATIO_AT_MOST,         /* ratio <= value */
  TARGET_VVAS_AT_LEAST,         /* VVAS value >= value */
  TARGET_VVAS_ZERO,             /* VVAS value == 0 */
  TARGET_VVAS_AT_MOST_BASE,     /* VVAS value <= baseline value */
  TARGET_VVAS_AT_MOST,          /* VVAS value <= value */
} TargetKind;

typedef struct
{
  gchar *section;
  gchar *figure;
  gchar *unit;
  gint x;                       /* threads for contention rows, else 0 */
  Stats vvas, base, ratio;
  gboolean has_base, has_ratio;
  TargetKind target;
  gdouble target_value;
  gint result;                  /* -1: no target, 0: fail, 1: pass */
  gboolean noisy;               /* the target lies inside the IQR */
} Row;

static GPtrArray *rows;
static FILE *samples_csv;

/* A row's values, kept when a child process is to report its rows. */
typedef struct
{
  gdouble *vvas, *base;
  guint n_vvas, n_base;
} KeptValues;

static GPtrArray *kept_values;  /* parallel to rows; NULL: not kept */

static void
kept_values_free (gpointer data)
{
  KeptValues *k = data;

  g_free (k->vvas);
  g_free (k->base);
  g_free (k);
}

static void
record_samples (const gchar * section, const gchar * figure, gint x,
    const gchar * variant, const gdouble * v, guint n, const gchar * unit)
{
  guint i;

  if (!samples_csv)
    return;
  for (i = 0; i < n; i++)
    fprintf (samples_csv, "%s,%s,%d,%s,%u,%.6g,%s\n", section, figure, x,
        variant, i, v[i], unit);
  fflush (samples_csv);
}

static gchar *
target_text (const Row * r)
{
  switch (r->target) {
    case TARGET_RATIO_AT_LEAST:
      return g_strdup_printf ("ratio >= %.2f", r->target_value);
    case TARGET_RATIO_AT_MOST:
      return g_strdup_printf ("ratio <= %.2f", r->target_value);
    case TARGET_VVAS_AT_LEAST:
      return g_strdup_printf ("VVAS >= %.2f", r->target_value);
    case TARGET_VVAS_ZERO:
      return g_strdup ("VVAS = 0");
    case TARGET_VVAS_AT_MOST_BASE:
      return g_strdup ("VVAS <= baseline");
    case TARGET_VVAS_AT_MOST:
      return g_strdup_printf ("VVAS <= %.2f", r->target_value);
    case TARGET_NONE:
    default:
      return g_strdup ("-");
  }
}

static const gchar *
result_text (const Row * r)
{
  if (r->result < 0)
    return "-";
  if (r->result)
    return r->noisy ? "pass (noise)" : "PASS";
  return r->noisy ? "fail (noise)" : "FAIL";
}

static void
evaluate_row (Row * r)
{
  gdouble tv = r->target_value;

  r->result = -1;
  r->noisy = FALSE;
  switch (r->target) {
    case TARGET_RATIO_AT_LEAST:
      r->result = r->ratio.median >= tv;
      r->noisy = r->ratio.q1 < tv && tv < r->ratio.q3;
      break;
    case TARGET_RATIO_AT_MOST:
      r->result = r->ratio.median <= tv;
      r->noisy = r->ratio.q1 < tv && tv < r->ratio.q3;
      break;
    case TARGET_VVAS_AT_LEAST:
      r->result = r->vvas.median >= tv;
      r->noisy = r->vvas.q1 < tv && tv < r->vvas.q3;
      break;
    case TARGET_VVAS_ZERO:
      r->result = r->vvas.max == 0;
      break;
    case TARGET_VVAS_AT_MOST_BASE:
      r->result = r->vvas.median <= r->base.median;
      break;
    case TARGET_VVAS_AT_MOST:
      r->result = r->vvas.max <= tv;
      break;
    case TARGET_NONE:
      break;
  }
}

/*
 * Adds a row. @base may be NULL (no baseline); @ratio NULL computes the
 * ratio of each round's values (@n_vvas == @n_base then).
 */
static Row *
add_row (const gchar * section, const gchar * figure, gint x,
    const gchar * unit, const gdouble * vvas, guint n_vvas,
    const gdouble * base, guint n_base, const gdouble * ratio,
    guint n_ratio, TargetKind target, gdouble target_value)
{
  Row *r = g_new0 (Row, 1);
  gdouble *own_ratio = NULL;
  guint i;

  r->section = g_strdup (section);
  r->figure = g_strdup (figure);
  r->unit = g_strdup (unit);
  r->x = x;
  r->vvas = stats_of (vvas, n_vvas);
  record_samples (section, figure, x, "vvas", vvas, n_vvas, unit);
  if (base) {
    r->has_base = TRUE;
    r->base = stats_of (base, n_base);
    record_samples (section, figure, x, "baseline", base, n_base, unit);
    if (!ratio && n_vvas == n_base) {
      own_ratio = g_new (gdouble, n_vvas);
      for (i = 0; i < n_vvas; i++)
        own_ratio[i] = base[i] != 0 ? vvas[i] / base[i] :
            (vvas[i] == 0 ? 1.0 : INFINITY);
      ratio = own_ratio;
      n_ratio = n_vvas;
    }
  }
  if (ratio) {
    r->has_ratio = TRUE;
    r->ratio = stats_of (ratio, n_ratio);
  }
  r->target = target;
  r->target_value = target_value;
  evaluate_row (r);
  if (kept_values) {
    KeptValues *k = g_new0 (KeptValues, 1);

    k->vvas = g_memdup2 (vvas, n_vvas * sizeof (gdouble));
    k->n_vvas = n_vvas;
    if (base) {
      k->base = g_memdup2 (base, n_base * sizeof (gdouble));
      k->n_base = n_base;
    }
    g_ptr_array_add (kept_values, k);
  }
  g_free (own_ratio);
  g_ptr_array_add (rows, r);
  return r;
}

static gchar *
fmt_value (gdouble v)
{
  gdouble a = ABS (v);

  if (a >= 1e7)
    return g_strdup_printf ("%.2fM", v / 1e6);
  if (a >= 1e5)
    return g_strdup_printf ("%.0fk", v / 1e3);
  if (a >= 1e4)
    return g_strdup_printf ("%.1fk", v / 1e3);
  if (a >= 100 || v == (gint64) v)
    return g_strdup_printf ("%.0f", v);
  if (a >= 10)
    return g_strdup_printf ("%.1f", v);
  return g_strdup_printf ("%.2f", v);
}

/* "median [min..max]", or the single value for one sample. */
static gchar *
fmt_stats (const Stats * s)
{
  gchar *med = fmt_value (s->median), *lo, *hi, *out;

  if (s->n <= 1 || s->min == s->max)
    return med;
  lo = fmt_value (s->min);
  hi = fmt_value (s->max);
  out = g_strdup_printf ("%s [%s..%s]", med, lo, hi);
  g_free (med);
  g_free (lo);
  g_free (hi);
  return out;
}

static gchar *
fmt_ratio (const Row * r)
{
  if (!r->has_ratio)
    return g_strdup ("-");
  if (isinf (r->ratio.median))
    return g_strdup ("inf");
  if (r->ratio.n <= 1 || r->ratio.min == r->ratio.max)
    return g_strdup_printf ("%.3f", r->ratio.median);
  return g_strdup_printf ("%.3f [%.3f..%.3f]", r->ratio.median,
      r->ratio.min, r->ratio.max);
}

static gchar *
row_label (const Row * r)
{
  return g_strdup_printf ("%s: %s (%s)", r->section, r->figure, r->unit);
}

static void
print_table (FILE * out, gboolean markdown)
{
  const gchar *headers[] = { "figure", "VVAS", "baseline", "ratio",
    "target", "result"
  };
  guint widths[6] = { 0, };
  GPtrArray *cells = g_ptr_array_new_with_free_func (g_free);
  guint i, c;

  for (c = 0; c < 6; c++)
    widths[c] = strlen (headers[c]);
  for (i = 0; i < rows->len; i++) {
    Row *r = g_ptr_array_index (rows, i);
    gchar *cell[6];

    cell[0] = row_label (r);
    cell[1] = fmt_stats (&r->vvas);
    cell[2] = r->has_base ? fmt_stats (&r->base) : g_strdup ("-");
    cell[3] = fmt_ratio (r);
    cell[4] = target_text (r);
    cell[5] = g_strdup (result_text (r));
    for (c = 0; c < 6; c++) {
      widths[c] = MAX (widths[c], strlen (cell[c]));
      g_ptr_array_add (cells, cell[c]);
    }
  }

  if (markdown) {
    fprintf (out, "| %s | %s | %s | %s | %s | %s |\n", headers[0],
        headers[1], headers[2], headers[3], headers[4], headers[5]);
    fprintf (out, "|---|---:|---:|---:|---|---|\n");
    for (i = 0; i < rows->len; i++) {
      fprintf (out, "|");
      for (c = 0; c < 6; c++) {
        /* A '|' in a cell (GST_MAP_VVAS|READ) would end it. */
        gchar **parts = g_strsplit (g_ptr_array_index (cells, i * 6 + c),
            "|", -1);
        gchar *cell = g_strjoinv ("\\|", parts);

        fprintf (out, " %s |", cell);
        g_free (cell);
        g_strfreev (parts);
      }
      fprintf (out, "\n");
    }
  } else {
    for (c = 0; c < 6; c++)
      fprintf (out, "%-*s%s", (int) widths[c], headers[c], c < 5 ? "  " : "\n");
    for (c = 0; c < 6; c++)
      for (i = 0; i < widths[c] + (c < 5 ? 2 : 0); i++)
        fputc (c < 5 && i >= widths[c] ? ' ' : '-', out);
    fputc ('\n', out);
    for (i = 0; i < rows->len; i++)
      for (c = 0; c < 6; c++)
        fprintf (out, c == 0 || c >= 4 ? "%-*s%s" : "%*s%s",
            (int) widths[c], (gchar *) g_ptr_array_index (cells, i * 6 + c),
            c < 5 ? "  " : "\n");
  }
  g_ptr_array_unref (cells);
}

static void
write_summary_csv (const gchar * path)
{
  FILE *f = fopen (path, "w");
  guint i;

  if (!f)
    die ("cannot write %s", path);
  fprintf (f, "section,figure,x,unit,vvas_median,vvas_min,vvas_max,vvas_q1,"
      "vvas_q3,base_median,base_min,base_max,base_q1,base_q3,ratio_median,"
      "ratio_min,ratio_max,target,result,rounds\n");
  for (i = 0; i < rows->len; i++) {
    Row *r = g_ptr_array_index (rows, i);
    gchar *t = target_text (r);

    fprintf (f, "%s,%s,%d,%s,%.6g,%.6g,%.6g,%.6g,%.6g,", r->section,
        r->figure, r->x, r->unit, r->vvas.median, r->vvas.min, r->vvas.max,
        r->vvas.q1, r->vvas.q3);
    if (r->has_base)
      fprintf (f, "%.6g,%.6g,%.6g,%.6g,%.6g,", r->base.median, r->base.min,
          r->base.max, r->base.q1, r->base.q3);
    else
      fprintf (f, ",,,,,");
    if (r->has_ratio)
      fprintf (f, "%.6g,%.6g,%.6g,", r->ratio.median, r->ratio.min,
          r->ratio.max);
    else
      fprintf (f, ",,,");
    fprintf (f, "%s,%s,%u\n", t, result_text (r), r->vvas.n);
    g_free (t);
  }
  fclose (f);
}

/* ------------------------------------------------------------------------ */
/* The machine                                                              */

static gchar *
machine_description (const gchar * args)
{
  gchar *cpuinfo = NULL, *meminfo = NULL, *model = NULL, **l, **lines;
  glong mem_kb = -1;
  struct utsname u;
  GString *s = g_string_new (NULL);

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL)) {
    lines = g_strsplit (cpuinfo, "\n", -1);
    for (l = lines; *l && !model; l++)
      if (g_str_has_prefix (*l, "model name") && strchr (*l, ':'))
        model = g_strstrip (g_strdup (strchr (*l, ':') + 1));
    g_strfreev (lines);
  }
  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL)) {
    lines = g_strsplit (meminfo, "\n", -1);
    for (l = lines; *l; l++)
      if (g_str_has_prefix (*l, "MemTotal:"))
        mem_kb = strtol (*l + 9, NULL, 10);
    g_strfreev (lines);
  }
  uname (&u);
  {
    GDateTime *now = g_date_time_new_now_local ();
    gchar *date = g_date_time_format (now, "%Y-%m-%d %H:%M %z");

    g_string_append_printf (s, "- date: %s; arguments: %s\n", date,
        args && *args ? args : "(none)");
    g_free (date);
    g_date_time_unref (now);
  }
  g_string_append_printf (s, "- CPU: %s, %ld online processors\n",
      model ? model : "unknown", sysconf (_SC_NPROCESSORS_ONLN));
  g_string_append_printf (s, "- memory: %.1f GiB\n", mem_kb / 1048576.0);
  g_string_append_printf (s, "- kernel: %s %s; glibc %s; GLib %u.%u.%u; "
      "%s\n", u.sysname, u.release, gnu_get_libc_version (),
      glib_major_version, glib_minor_version, glib_micro_version,
      gst_version_string ());
  g_string_append_printf (s, "- malloc: %s\n", regime_description);
  g_string_append_printf (s, "- XRT: XCL_EMULATION_MODE=%s, XILINX_XRT=%s\n",
      g_getenv ("XCL_EMULATION_MODE"), g_getenv ("XILINX_XRT"));
  g_string_append_printf (s, "- rounds: %d single-thread (samples of ~%d "
      "ms), %d contention (samples of %d ms), %d pipeline (%d frames, "
      "%d of warm-up), %d resident-memory (%d frames)\n", opt_rounds,
      opt_sample_ms, opt_thread_rounds, opt_thread_ms, opt_pipeline_rounds,
      opt_frames, opt_warmup_frames, opt_memory_rounds, opt_memory_frames);
  g_free (model);
  g_free (cpuinfo);
  g_free (meminfo);
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Shared objects                                                           */

static const gchar *xclbin_path;
static GstVvasContext *vvas_context;
static GstAllocator *vvas_allocator;
static GstAllocator *sys_allocator;
static GstVideoInfo info_1080p, info_4k;

static void
open_device (void)
{
  GError *error = NULL;

  vvas_context = gst_vvas_context_new (0, xclbin_path, &error);
  if (!vvas_context)
    die ("cannot open the device: %s", error ? error->message : "?");
  vvas_allocator = gst_vvas_allocator_new (vvas_context, 0,
      VVAS_ALLOC_TYPE_CMA);
  if (!vvas_allocator)
    die ("cannot make a VVAS allocator on bank 0");
  sys_allocator = gst_allocator_find (NULL);
  if (!sys_allocator)
    die ("no system allocator");
}

static void
close_device (void)
{
  gst_clear_object (&vvas_allocator);
  gst_clear_object (&sys_allocator);
  gst_clear_object (&vvas_context);
}

/* A pool of 1080p NV12 buffers: caps, min @min_buffers, max 0, video meta. */
static GstBufferPool *
make_pool (gboolean vvas, guint min_buffers)
{
  GstBufferPool *pool = vvas ? gst_vvas_buffer_pool_new (vvas_allocator) :
      gst_video_buffer_pool_new ();
  GstStructure *config = gst_buffer_pool_get_config (pool);
  GstCaps *caps = gst_caps_from_string (CAPS_1080P);

  gst_buffer_pool_config_set_params (config, caps, info_1080p.size,
      min_buffers, 0);
  if (vvas)
    gst_buffer_pool_config_set_allocator (config, vvas_allocator, NULL);
  gst_buffer_pool_config_add_option (config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (!gst_buffer_pool_set_config (pool, config))
    die ("%s pool refused its config", vvas ? "VVAS" : "video");
  gst_caps_unref (caps);
  if (!gst_buffer_pool_set_active (pool, TRUE))
    die ("%s pool does not activate", vvas ? "VVAS" : "video");
  return pool;
}

/* ------------------------------------------------------------------------ */
/* Single-thread pairs                                                      */

/* Runs @iters operations; returns the nanoseconds they took. */
typedef guint64 (*BatchFunc) (gpointer data, guint64 iters);

typedef enum
{
  VALUE_NS_PER_OP,
  VALUE_OPS_PER_S,
} ValueKind;

/* Iterations that take about opt_sample_ms. */
static guint64
calibrate (BatchFunc f, gpointer data)
{
  guint64 iters = 8, t;
  gdouble target = opt_sample_ms * 1e6;

  for (;;) {
    t = f (data, iters);
    if (t >= target / 5 || iters >= (G_GUINT64_CONSTANT (1) << 32))
      break;
    iters *= 2;
  }
  return MAX (1, (guint64) (iters * target / MAX (t, 1)));
}

static Row *
measure_pair (const gchar * section, const gchar * figure, ValueKind kind,
    BatchFunc fa, gpointer da, BatchFunc fb, gpointer db, TargetKind target,
    gdouble target_value)
{
  guint64 ia = calibrate (fa, da), ib = calibrate (fb, db);
  gdouble *va = g_new (gdouble, opt_rounds), *vb = g_new (gdouble, opt_rounds);
  Row *row;
  gint r;

  for (r = 0; r < opt_rounds; r++) {
    gdouble ta = (gdouble) fa (da, ia) / ia;
    gdouble tb = (gdouble) fb (db, ib) / ib;

    va[r] = kind == VALUE_NS_PER_OP ? ta : 1e9 / ta;
    vb[r] = kind == VALUE_NS_PER_OP ? tb : 1e9 / tb;
  }
  row = add_row (section, figure, 0, kind == VALUE_NS_PER_OP ? "ns/op" :
      "ops/s", va, opt_rounds, vb, opt_rounds, NULL, 0, target, target_value);
  g_free (va);
  g_free (vb);
  return row;
}

typedef struct
{
  GstAllocator *allocator;
  gsize size;
} AllocData;

static guint64
batch_alloc (gpointer data, guint64 iters)
{
  AllocData *d = data;
  guint64 t0 = now_ns (), i;

  for (i = 0; i < iters; i++) {
    GstMemory *mem = gst_allocator_alloc (d->allocator, d->size, NULL);

    if (!mem)
      die ("allocation of %" G_GSIZE_FORMAT " bytes failed", d->size);
    gst_memory_unref (mem);
  }
  return now_ns () - t0;
}

typedef struct
{
  GstMemory *mem;
  GstMapFlags flags;
} MapData;

static guint64
batch_map (gpointer data, guint64 iters)
{
  MapData *d = data;
  guint64 t0 = now_ns (), i;
  GstMapInfo info;

  for (i = 0; i < iters; i++) {
    if (!gst_memory_map (d->mem, &info, d->flags))
      die ("map 0x%x failed", d->flags);
    gst_memory_unmap (d->mem, &info);
  }
  return now_ns () - t0;
}

static guint64
batch_pool (gpointer data, guint64 iters)
{
  GstBufferPool *pool = data;
  guint64 t0 = now_ns (), i;
  GstBuffer *buf;

  for (i = 0; i < iters; i++) {
    if (gst_buffer_pool_acquire_buffer (pool, &buf, NULL) != GST_FLOW_OK)
      die ("acquire failed");
    gst_buffer_unref (buf);
  }
  return now_ns () - t0;
}

/* ------------------------------------------------------------------------ */
/* Section: allocator                                                       */

typedef struct
{
  VvasContext *ctx;
  VvasAllocationType type;
  gsize size;
} CoreAllocData;

static guint64
batch_core_alloc (gpointer data, guint64 iters)
{
  CoreAllocData *d = data;
  guint64 t0 = now_ns (), i;

  for (i = 0; i < iters; i++) {
    VvasMemory *mem = vvas_memory_alloc (d->ctx, d->type,
        VVAS_ALLOC_FLAG_NONE, 0, d->size, NULL);

    if (!mem)
      die ("core allocation of %" G_GSIZE_FORMAT " bytes failed", d->size);
    vvas_memory_free (mem);
  }
  return now_ns () - t0;
}

static guint64
batch_malloc (gpointer data, guint64 iters)
{
  gsize size = *(gsize *) data;
  guint64 t0 = now_ns (), i;

  for (i = 0; i < iters; i++) {
    void *p = malloc (size);

    if (!p)
      die ("malloc of %" G_GSIZE_FORMAT " bytes failed", size);
    /* Used, so that the pair is not optimised away; its pages untouched,
     * as an allocator's are. */
    __asm__ volatile ("":"+r" (p)::"memory");
    free (p);
  }
  return now_ns () - t0;
}

static VvasContext *
core_context (void)
{
  return gst_vvas_context_get_vvas_context (vvas_context);
}

static guint64
cache_limit (void)
{
  VvasCacheStats st;

  if (vvas_context_get_cache_stats (core_context (), &st) != VVAS_RET_SUCCESS)
    die ("no cache statistics");
  return st.bytes_limit;
}

static gsize malloc_size;       /* of batch_malloc */

static GHashTable *run_child (const gchar * mode, gboolean count_heap,
    gboolean no_tcache, const gchar * regime, gboolean cache_off);
static gdouble kv_double (GHashTable * kv, const gchar * key);

/* Core alloc+free, CMA and NON_CMA, vs malloc+free, 1080p (ops/s). */
static void
measure_core_pairs (const gchar * regime)
{
  CoreAllocData cma = { core_context (), VVAS_ALLOC_TYPE_CMA, info_1080p.size };
  CoreAllocData host = { core_context (), VVAS_ALLOC_TYPE_NON_CMA,
    info_1080p.size
  };
  gchar *figure;

  malloc_size = info_1080p.size;
  figure = g_strdup_printf ("core CMA alloc+free vs malloc+free 1080p %s",
      regime);
  measure_pair ("allocator", figure, VALUE_OPS_PER_S, batch_core_alloc, &cma,
      batch_malloc, &malloc_size, TARGET_RATIO_AT_LEAST, 0.3);
  g_free (figure);
  figure = g_strdup_printf ("core NON_CMA alloc+free vs malloc+free 1080p %s",
      regime);
  measure_pair ("allocator", figure, VALUE_OPS_PER_S, batch_core_alloc, &host,
      batch_malloc, &malloc_size, TARGET_RATIO_AT_LEAST, 0.3);
  g_free (figure);
}

/* Before the cache (docs/performance.md, issue 12): gst alloc+free 1080p
 * over system memory, heap and mmap regimes. */
#define UNCACHED_RATIO_HEAP 7.27
#define UNCACHED_RATIO_MMAP 1.34

/*
 * --child alloc:REGIME:on|off: the allocator figures in a process of their
 * own, whose heap no other figure has shaped: glibc serves a frame-sized
 * malloc from a free chunk when it has one, whatever the regime says, so
 * figures measured one after another in one process drift. REGIME is
 * pinned by the environment (heap, mmap) or glibc's default (default);
 * off runs with the context's cache disabled.
 */
static void
child_alloc (const gchar * spec)
{
  gchar **parts = g_strsplit (spec, ":", -1);
  const gchar *regime;
  gboolean on, pinned_mmap;
  gchar *figure;

  if (g_strv_length (parts) != 3)
    die ("bad child spec %s", spec);
  /* A figure's name: no comma, it is a CSV field. */
  regime = g_str_equal (parts[1], "default") ? "glibc default" :
      g_str_equal (parts[1], "mmap") ? "mmap regime" : "heap regime";
  on = g_str_equal (parts[2], "on");
  pinned_mmap = g_str_equal (parts[1], "mmap");
  open_device ();
  if (on) {
    const struct
    {
      const gchar *name;
      gsize size;
    } sizes[] = {
      {"1080p", info_1080p.size}, {"4K", info_4k.size},
    };
    VvasCacheStats st0, st1;
    guint64 bo0;
    gdouble v;
    guint i;

    if (cache_limit () < 2 * info_4k.size)
      die ("the context's cache holds less than two 4K frames: unset "
          "VVAS_CORE_CACHE_BYTES");
    vvas_context_get_cache_stats (core_context (), &st0);
    bo0 = xrt_count_get (XRT_CALL_BO_ALLOC);
    for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
      AllocData a = { vvas_allocator, sizes[i].size };
      AllocData b = { sys_allocator, sizes[i].size };

      figure = g_strdup_printf ("gst alloc+free %s NV12 %s", sizes[i].name,
          regime);
      measure_pair ("allocator", figure, VALUE_NS_PER_OP, batch_alloc, &a,
          batch_alloc, &b, i == 0 && !pinned_mmap ? TARGET_RATIO_AT_MOST :
          TARGET_NONE, 2.0);
      g_free (figure);
    }
    measure_core_pairs (regime);
    vvas_context_get_cache_stats (core_context (), &st1);
    v = 100.0 * (st1.hits - st0.hits) / MAX (1, (st1.hits - st0.hits) +
        (st1.misses - st0.misses));
    figure = g_strdup_printf ("cache hits %s", regime);
    add_row ("allocator", figure, 0, "% of allocations", &v, 1, NULL, 0, NULL,
        0, TARGET_NONE, 0);
    g_free (figure);
    /* One miss per device buffer size, then hits only. */
    v = xrt_count_get (XRT_CALL_BO_ALLOC) - bo0;
    figure = g_strdup_printf ("XRT BOs allocated in these loops %s", regime);
    add_row ("allocator", figure, 0, "BOs", &v, 1, NULL, 0, NULL, 0,
        TARGET_VVAS_AT_MOST, 2);
    g_free (figure);
  } else {
    AllocData a = { vvas_allocator, info_1080p.size };
    AllocData b = { sys_allocator, info_1080p.size };
    CoreAllocData cma = { core_context (), VVAS_ALLOC_TYPE_CMA,
      info_1080p.size
    };
    gdouble before = pinned_mmap ? UNCACHED_RATIO_MMAP : UNCACHED_RATIO_HEAP;

    if (cache_limit () != 0)
      die ("the cache is not disabled (VVAS_CORE_CACHE_BYTES=0)");
    malloc_size = info_1080p.size;
    figure = g_strdup_printf ("cache disabled: gst alloc+free 1080p NV12 %s "
        "(ratio before the cache: %.2f)", regime, before);
    /* Nothing slower than before: its ratio, with 10% for noise. */
    measure_pair ("allocator", figure, VALUE_NS_PER_OP, batch_alloc, &a,
        batch_alloc, &b, TARGET_RATIO_AT_MOST, before * 1.1);
    g_free (figure);
    figure = g_strdup_printf ("cache disabled: core CMA alloc+free vs "
        "malloc+free 1080p %s", regime);
    measure_pair ("allocator", figure, VALUE_OPS_PER_S, batch_core_alloc,
        &cma, batch_malloc, &malloc_size, TARGET_NONE, 0);
    g_free (figure);
  }
  close_device ();
  g_strfreev (parts);
}

/* Prints "KEY=v1,v2,..." */
static void
print_values (const gchar * key, const gdouble * v, guint n)
{
  guint i;

  printf ("%s=", key);
  for (i = 0; i < n; i++)
    printf ("%s%.6g", i ? "," : "", v[i]);
  printf ("\n");
}

/* Prints the rows of a child process, for add_child_rows(). */
static void
print_kept_rows (void)
{
  guint i;

  for (i = 0; i < rows->len; i++) {
    Row *r = g_ptr_array_index (rows, i);
    KeptValues *k = g_ptr_array_index (kept_values, i);
    gchar *key;

    printf ("row%u_section=%s\nrow%u_figure=%s\nrow%u_unit=%s\n", i,
        r->section, i, r->figure, i, r->unit);
    printf ("row%u_x=%d\nrow%u_target=%d\nrow%u_tv=%.6g\n", i, r->x, i,
        (int) r->target, i, r->target_value);
    key = g_strdup_printf ("row%u_vvas", i);
    print_values (key, k->vvas, k->n_vvas);
    g_free (key);
    if (k->base) {
      key = g_strdup_printf ("row%u_base", i);
      print_values (key, k->base, k->n_base);
      g_free (key);
    }
  }
}

static gdouble *
kv_values (GHashTable * kv, const gchar * key, guint * n)
{
  const gchar *v = g_hash_table_lookup (kv, key);
  gchar **parts;
  gdouble *out;
  guint i;

  *n = 0;
  if (!v)
    return NULL;
  parts = g_strsplit (v, ",", -1);
  *n = g_strv_length (parts);
  out = g_new (gdouble, *n);
  for (i = 0; i < *n; i++)
    out[i] = g_ascii_strtod (parts[i], NULL);
  g_strfreev (parts);
  return out;
}

static const gchar *
kv_string (GHashTable * kv, guint row, const gchar * what)
{
  gchar *key = g_strdup_printf ("row%u_%s", row, what);
  const gchar *v = g_hash_table_lookup (kv, key);

  g_free (key);
  return v;
}

/* Adds the rows a child printed with print_kept_rows(). */
static void
add_child_rows (GHashTable * kv)
{
  guint i;

  for (i = 0; kv_string (kv, i, "figure"); i++) {
    gchar *key = g_strdup_printf ("row%u_vvas", i);
    gdouble *va, *vb;
    guint na, nb;

    va = kv_values (kv, key, &na);
    g_free (key);
    key = g_strdup_printf ("row%u_base", i);
    vb = kv_values (kv, key, &nb);
    g_free (key);
    if (!va)
      die ("a child reported row %u without values", i);
    add_row (kv_string (kv, i, "section"), kv_string (kv, i, "figure"),
        atoi (kv_string (kv, i, "x")), kv_string (kv, i, "unit"), va, na, vb,
        nb, NULL, 0, (TargetKind) atoi (kv_string (kv, i, "target")),
        g_ascii_strtod (kv_string (kv, i, "tv"), NULL));
    g_free (va);
    g_free (vb);
  }
}

/* --child alloccount: heap allocations per alloc + unref, cache hit. */
static void
child_alloc_count (void)
{
  const guint n = 1000;
  guint64 a0, a1, a2;
  guint i;

  open_device ();
  for (i = 0; i < 100; i++) {
    gst_memory_unref (gst_allocator_alloc (vvas_allocator, info_1080p.size,
            NULL));
    gst_memory_unref (gst_allocator_alloc (sys_allocator, info_1080p.size,
            NULL));
  }
  a0 = heap_allocs ();
  for (i = 0; i < n; i++)
    gst_memory_unref (gst_allocator_alloc (vvas_allocator, info_1080p.size,
            NULL));
  a1 = heap_allocs ();
  for (i = 0; i < n; i++)
    gst_memory_unref (gst_allocator_alloc (sys_allocator, info_1080p.size,
            NULL));
  a2 = heap_allocs ();
  printf ("heap_counted=%d\n", malloc_count_allocs != NULL);
  printf ("vvas=%.3f\nsys=%.3f\n", (gdouble) (a1 - a0) / n,
      (gdouble) (a2 - a1) / n);
  close_device ();
}

static void
section_allocator (void)
{
  const struct
  {
    const gchar *regime;
    gboolean cache_off;
  } runs[] = {
    {"heap", FALSE}, {"mmap", FALSE}, {"default", FALSE},
    {"heap", TRUE}, {"mmap", TRUE},
  };
  gboolean can_count = opt_malloc_lib && *opt_malloc_lib &&
      g_file_test (opt_malloc_lib, G_FILE_TEST_EXISTS);
  GHashTable *kv;
  guint i;

  g_print ("allocator: alloc+free, VVAS (CMA bank 0) vs system memory, one "
      "child process per malloc regime, cache on and off...\n");
  for (i = 0; i < G_N_ELEMENTS (runs); i++) {
    gchar *mode = g_strdup_printf ("alloc:%s:%s", runs[i].regime,
        runs[i].cache_off ? "off" : "on");

    kv = run_child (mode, FALSE, FALSE, runs[i].regime, runs[i].cache_off);
    add_child_rows (kv);
    g_hash_table_unref (kv);
    g_free (mode);
  }

  if (!can_count) {
    g_print ("  (no heap allocation counts: %s not found)\n",
        opt_malloc_lib ? opt_malloc_lib : "the counting library");
    return;
  }
  kv = run_child ("alloccount", TRUE, FALSE, NULL, FALSE);
  if (kv_double (kv, "heap_counted") != 1)
    die ("the heap allocation counter %s did not load", opt_malloc_lib);
  {
    gdouble v = kv_double (kv, "vvas"), b = kv_double (kv, "sys");

    add_row ("allocations", "heap allocations per gst alloc+unref 1080p, "
        "cache hit", 0, "allocs/op", &v, 1, &b, 1, NULL, 0,
        TARGET_VVAS_AT_MOST, 2);
  }
  g_hash_table_unref (kv);
}

/* ------------------------------------------------------------------------ */
/* Section: map                                                             */

static void
section_map (void)
{
  GstMemory *vmem = gst_allocator_alloc (vvas_allocator, info_1080p.size,
      NULL);
  GstMemory *smem = gst_allocator_alloc (sys_allocator, info_1080p.size,
      NULL);
  const struct
  {
    const gchar *figure;
    GstMapFlags vvas_flags, sys_flags;
  } pairs[] = {
    {"map+unmap READ", GST_MAP_READ, GST_MAP_READ},
    {"map+unmap WRITE", GST_MAP_WRITE, GST_MAP_WRITE},
    {"map+unmap VVAS|READ vs sys READ", GST_MAP_VVAS | GST_MAP_READ,
        GST_MAP_READ},
  };
  guint64 syncs = 0, s0;
  GstMapInfo info;
  guint p;

  g_print ("map: map+unmap with nothing pending, VVAS vs system memory...\n");
  if (!vmem || !smem)
    die ("cannot allocate the memories to map");
  for (p = 0; p < G_N_ELEMENTS (pairs); p++) {
    MapData a = { vmem, pairs[p].vvas_flags };
    MapData b = { smem, pairs[p].sys_flags };

    /* A WRITE map leaves the host copy newer: one device map moves it, so
     * that the device maps below have nothing pending. */
    if (pairs[p].vvas_flags & GST_MAP_VVAS) {
      if (!gst_memory_map (vmem, &info, GST_MAP_VVAS | GST_MAP_READ))
        die ("device map failed");
      gst_memory_unmap (vmem, &info);
      if (gst_vvas_memory_get_pending_transfers (vmem) != VVAS_DATA_SYNC_NONE)
        die ("a transfer is still pending after a device map");
    }
    s0 = xrt_syncs ();
    measure_pair ("map", pairs[p].figure, VALUE_NS_PER_OP, batch_map, &a,
        batch_map, &b, TARGET_RATIO_AT_MOST, 1.5);
    syncs += xrt_syncs () - s0;
  }
  g_print ("  XRT syncs during the timed maps: %" G_GUINT64_FORMAT
      " (must be 0: nothing was pending)\n", syncs);
  if (syncs != 0)
    die ("a map with nothing pending made a transfer");
  gst_memory_unref (vmem);
  gst_memory_unref (smem);
}

/* ------------------------------------------------------------------------ */
/* Section: pool                                                            */

static GstBufferPool *vvas_pool, *video_pool;
static gint64 pool_bo_allocs = -1;      /* in the single-thread pool loop */
static gint64 contention_bo_allocs = -1;        /* in the contention rounds */

static void
prewarm_pool (GstBufferPool * pool, guint n)
{
  GstBuffer *bufs[MAX_THREADS];
  guint i;

  for (i = 0; i < n; i++)
    if (gst_buffer_pool_acquire_buffer (pool, &bufs[i], NULL) != GST_FLOW_OK)
      die ("acquire failed");
  for (i = 0; i < n; i++)
    gst_buffer_unref (bufs[i]);
}

static void
ensure_pools (void)
{
  if (vvas_pool)
    return;
  vvas_pool = make_pool (TRUE, 4);
  video_pool = make_pool (FALSE, 4);
  /* Enough buffers for every thread of the contention figures. */
  prewarm_pool (vvas_pool, MAX_THREADS);
  prewarm_pool (video_pool, MAX_THREADS);
}

static void
section_pool (void)
{
  guint64 bo0;

  g_print ("pool: acquire+release, GstVvasBufferPool vs GstVideoBufferPool"
      "...\n");
  ensure_pools ();
  bo0 = xrt_count_get (XRT_CALL_BO_ALLOC);
  measure_pair ("pool", "acquire+release 1080p NV12", VALUE_OPS_PER_S,
      batch_pool, vvas_pool, batch_pool, video_pool, TARGET_RATIO_AT_LEAST,
      1.0);
  pool_bo_allocs = xrt_count_get (XRT_CALL_BO_ALLOC) - bo0;
}

/* ------------------------------------------------------------------------ */
/* Section: contention                                                      */

/*
 * The floor of any pool shared by threads: a GstBufferPool whose acquire
 * hands each thread the same buffer of its own and whose release does
 * nothing. What is left is gst_buffer_pool_acquire_buffer() and
 * gst_buffer_pool_release_buffer() themselves (their atomic operations on
 * the pool's counters and reference count), which no subclass can avoid.
 */
typedef struct
{
  GstBufferPool parent;
} FloorPool;

typedef struct
{
  GstBufferPoolClass parent_class;
} FloorPoolClass;

static GType floor_pool_get_type (void);
G_DEFINE_TYPE (FloorPool, floor_pool, GST_TYPE_BUFFER_POOL);

static __thread GstBuffer *floor_buffer;

static GstFlowReturn
floor_pool_acquire (GstBufferPool * pool, GstBuffer ** buffer,
    GstBufferPoolAcquireParams * params)
{
  if (!floor_buffer)
    floor_buffer = gst_buffer_new ();
  *buffer = floor_buffer;
  return GST_FLOW_OK;
}

static void
floor_pool_nothing (GstBufferPool * pool, GstBuffer * buffer)
{
}

static void
floor_pool_class_init (FloorPoolClass * klass)
{
  GstBufferPoolClass *pool_class = GST_BUFFER_POOL_CLASS (klass);

  pool_class->acquire_buffer = floor_pool_acquire;
  pool_class->reset_buffer = floor_pool_nothing;
  pool_class->release_buffer = floor_pool_nothing;
}

static void
floor_pool_init (FloorPool * self)
{
}

/* Frees the calling thread's buffer of the floor pool (it is released). */
static void
floor_pool_thread_done (void)
{
  gst_clear_buffer (&floor_buffer);
}

static GstBufferPool *
make_floor_pool (void)
{
  GstBufferPool *pool = g_object_new (floor_pool_get_type (), NULL);
  GstStructure *config = gst_buffer_pool_get_config (pool);

  gst_object_ref_sink (pool);
  gst_buffer_pool_config_set_params (config, NULL, 0, 0, 0);
  if (!gst_buffer_pool_set_config (pool, config) ||
      !gst_buffer_pool_set_active (pool, TRUE))
    die ("cannot start the floor pool");
  return pool;
}

typedef struct
{
  GstBufferPool *pool;          /* or NULL: map @mem */
  GstMemory *mem;
  pthread_barrier_t *start;
  atomic_int *stop;
  guint64 ops;
  guint64 start_ns, end_ns;
  pthread_t thread;
} Worker;

static void *
worker_main (void *data)
{
  Worker *w = data;
  guint64 n = 0;
  GstMapInfo info;
  GstBuffer *buf;
  guint i;

  pthread_barrier_wait (w->start);
  w->start_ns = now_ns ();
  while (!atomic_load_explicit (w->stop, memory_order_relaxed)) {
    if (w->pool) {
      for (i = 0; i < 16; i++) {
        if (gst_buffer_pool_acquire_buffer (w->pool, &buf, NULL) != GST_FLOW_OK)
          die ("acquire failed in a thread");
        gst_buffer_unref (buf);
      }
    } else {
      for (i = 0; i < 16; i++) {
        if (!gst_memory_map (w->mem, &info, GST_MAP_READ))
          die ("map failed in a thread");
        gst_memory_unmap (w->mem, &info);
      }
    }
    n += 16;
  }
  w->ops = n;
  w->end_ns = now_ns ();
  floor_pool_thread_done ();
  return NULL;
}

/*
 * Total operations per second of @n threads on @pool, or on @mems[i]: all
 * their operations over the time from the first thread's start to the last
 * one's end (the main thread may wait for a CPU to note the time itself).
 */
static gdouble
run_threads (GstBufferPool * pool, GstMemory ** mems, guint n)
{
  Worker workers[MAX_THREADS];
  pthread_barrier_t start;
  atomic_int stop = 0;
  guint64 start_min = G_MAXUINT64, end = 0, ops = 0;
  guint i;

  pthread_barrier_init (&start, NULL, n + 1);
  for (i = 0; i < n; i++) {
    workers[i] = (Worker) {
    pool, mems ? mems[i] : NULL, &start, &stop, 0, 0, 0};
    if (pthread_create (&workers[i].thread, NULL, worker_main, &workers[i]))
      die ("cannot create a thread");
  }
  pthread_barrier_wait (&start);
  g_usleep (opt_thread_ms * 1000);
  atomic_store (&stop, 1);
  for (i = 0; i < n; i++) {
    pthread_join (workers[i].thread, NULL);
    ops += workers[i].ops;
    start_min = MIN (start_min, workers[i].start_ns);
    end = MAX (end, workers[i].end_ns);
  }
  pthread_barrier_destroy (&start);
  return ops * 1e9 / (end - start_min);
}

typedef enum
{
  KIND_POOL,
  KIND_MAP_SHARED,
  KIND_MAP_PRIVATE,
  KIND_POOL_FLOOR,
  N_KINDS
} ContentionKind;

static void
section_contention (void)
{
  static const gchar *kind_section[N_KINDS] = { "contention-pool",
    "contention-map-shared", "contention-map-per-thread",
    "contention-pool-floor"
  };
  static const gchar *kind_figure[N_KINDS] = {
    "acquire+release", "map+unmap READ", "map+unmap READ",
    "acquire+release (GstBufferPool with empty vfuncs)"
  };
  GstBufferPool *floor = make_floor_pool ();
  GstMemory *vshared[MAX_THREADS], *sshared[MAX_THREADS];
  GstMemory *vprivate[MAX_THREADS], *sprivate[MAX_THREADS];
  gdouble *va[N_KINDS][N_THREAD_COUNTS], *vb[N_KINDS][N_THREAD_COUNTS];
  guint k, t, i, nr = opt_thread_rounds;
  guint64 bo0;
  gint r;

  g_print ("contention: %u thread counts x %u kinds x %u rounds of %d ms, "
      "VVAS vs baseline...\n", (guint) N_THREAD_COUNTS, (guint) N_KINDS, nr,
      opt_thread_ms);
  ensure_pools ();
  vshared[0] = gst_allocator_alloc (vvas_allocator, info_1080p.size, NULL);
  sshared[0] = gst_allocator_alloc (sys_allocator, info_1080p.size, NULL);
  for (i = 0; i < MAX_THREADS; i++) {
    vshared[i] = vshared[0];
    sshared[i] = sshared[0];
    vprivate[i] = gst_allocator_alloc (vvas_allocator, info_1080p.size, NULL);
    sprivate[i] = gst_allocator_alloc (sys_allocator, info_1080p.size, NULL);
    if (!vprivate[i] || !sprivate[i] || !vshared[0] || !sshared[0])
      die ("cannot allocate the memories to map");
  }
  for (k = 0; k < N_KINDS; k++)
    for (t = 0; t < N_THREAD_COUNTS; t++) {
      va[k][t] = g_new (gdouble, nr);
      vb[k][t] = g_new (gdouble, nr);
    }

  bo0 = xrt_count_get (XRT_CALL_BO_ALLOC);
  for (r = 0; r < (gint) nr; r++) {
    for (k = 0; k < N_KINDS; k++) {
      for (t = 0; t < N_THREAD_COUNTS; t++) {
        guint n = thread_counts[t];

        switch (k) {
          case KIND_POOL:
            va[k][t][r] = run_threads (vvas_pool, NULL, n);
            vb[k][t][r] = run_threads (video_pool, NULL, n);
            break;
          case KIND_POOL_FLOOR:
            va[k][t][r] = run_threads (floor, NULL, n);
            vb[k][t][r] = 0;    /* no baseline */
            break;
          case KIND_MAP_SHARED:
            va[k][t][r] = run_threads (NULL, vshared, n);
            vb[k][t][r] = run_threads (NULL, sshared, n);
            break;
          default:
            va[k][t][r] = run_threads (NULL, vprivate, n);
            vb[k][t][r] = run_threads (NULL, sprivate, n);
            break;
        }
      }
    }
  }
  contention_bo_allocs = xrt_count_get (XRT_CALL_BO_ALLOC) - bo0;

  for (k = 0; k < N_KINDS; k++) {
    gdouble *sa = g_new (gdouble, nr), *sb = g_new (gdouble, nr);
    gchar *figure;

    for (t = 0; t < N_THREAD_COUNTS; t++) {
      figure = g_strdup_printf ("%s %u thread%s", kind_figure[k],
          thread_counts[t], thread_counts[t] > 1 ? "s" : "");
      add_row (kind_section[k], figure, thread_counts[t], "ops/s", va[k][t],
          nr, k == KIND_POOL_FLOOR ? NULL : vb[k][t], nr, NULL, 0,
          TARGET_NONE, 0);
      g_free (figure);
    }
    /* Scaling: the 8-thread total over the 1-thread total, round by round. */
    for (i = 0; i < nr; i++) {
      sa[i] = va[k][N_THREAD_COUNTS - 1][i] / va[k][0][i];
      sb[i] = k == KIND_POOL_FLOOR ? 0 :
          vb[k][N_THREAD_COUNTS - 1][i] / vb[k][0][i];
    }
    figure = g_strdup_printf ("%s 8 threads / 1 thread", kind_figure[k]);
    if (k == KIND_POOL_FLOOR)
      add_row (kind_section[k], figure, 0, "x", sa, nr, NULL, 0, NULL, 0,
          TARGET_NONE, 0);
    else
      add_row (kind_section[k], figure, 0, "x", sa, nr, sb, nr, NULL, 0,
          TARGET_VVAS_AT_LEAST, 0.8);
    g_free (figure);
    g_free (sa);
    g_free (sb);
    for (t = 0; t < N_THREAD_COUNTS; t++) {
      g_free (va[k][t]);
      g_free (vb[k][t]);
    }
  }

  gst_buffer_pool_set_active (floor, FALSE);
  gst_object_unref (floor);
  gst_memory_unref (vshared[0]);
  gst_memory_unref (sshared[0]);
  for (i = 0; i < MAX_THREADS; i++) {
    gst_memory_unref (vprivate[i]);
    gst_memory_unref (sprivate[i]);
  }
}

/* ------------------------------------------------------------------------ */
/* Pipelines                                                                */

typedef enum
{
  PIPE_VVAS,
  PIPE_SYSTEM,
  PIPE_VVAS_COPY,
  N_PIPES
} PipeKind;

static const gchar *pipe_names[N_PIPES] = { "vvas", "system", "vvas-copy" };

typedef struct
{
  /* set by the caller */
  guint frames, warmup, rss_at;
  /* measured in the streaming thread */
  guint64 n, t0, t1;
  guint64 bo0, bo1, sync0, sync1, heap0, heap1;
  glong rss_at_kb, rss_end_kb, hwm_end_kb;
} PipeProbe;

typedef struct
{
  gdouble fps;
  guint64 measured_frames;
  guint64 bo_allocs, syncs, heap_allocs;
  glong rss_at_kb, rss_end_kb, hwm_end_kb;
  guint64 up_passed, up_copied, down_passed, down_copied;
} PipeResult;

static GstPadProbeReturn
on_sink_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  PipeProbe *p = data;
  guint64 t = now_ns ();

  p->n++;
  if (p->n == p->warmup) {
    p->t0 = t;
    p->bo0 = xrt_count_get (XRT_CALL_BO_ALLOC);
    p->sync0 = xrt_syncs ();
    p->heap0 = heap_allocs ();
  }
  if (p->rss_at && p->n == p->rss_at)
    read_rss (&p->rss_at_kb, NULL);
  if (p->n == p->frames) {
    p->t1 = t;
    p->bo1 = xrt_count_get (XRT_CALL_BO_ALLOC);
    p->sync1 = xrt_syncs ();
    p->heap1 = heap_allocs ();
    read_rss (&p->rss_end_kb, &p->hwm_end_kb);
  }
  return GST_PAD_PROBE_OK;
}

static guint64
get_counter (GstElement * bin, const gchar * name, const gchar * counter)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (bin), name);
  guint64 v = 0;

  if (e) {
    g_object_get (e, counter, &v, NULL);
    gst_object_unref (e);
  }
  return v;
}

static void
run_pipeline (PipeKind kind, guint frames, guint warmup, guint rss_at,
    PipeResult * res)
{
  gchar *desc;
  GstElement *pipeline, *sink;
  GstPad *pad;
  GstBus *bus;
  GstMessage *msg;
  GError *error = NULL;
  PipeProbe probe = { frames, MAX (warmup, 1), rss_at, };

  if (kind == PIPE_SYSTEM)
    desc = g_strdup_printf ("videotestsrc pattern=solid-color num-buffers=%u "
        "! " CAPS_1080P " ! fakesink name=sink", frames);
  else
    desc = g_strdup_printf ("videotestsrc pattern=solid-color num-buffers=%u "
        "! " CAPS_1080P " ! vvasupload name=up xclbin-location=\"%s\" "
        "! vvasdownload name=down force-copy=%s ! fakesink name=sink",
        frames, xclbin_path, kind == PIPE_VVAS_COPY ? "true" : "false");
  pipeline = gst_parse_launch (desc, &error);
  if (!pipeline || error)
    die ("cannot make the pipeline '%s': %s", desc,
        error ? error->message : "?");

  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_sink_buffer, &probe,
      NULL);
  gst_object_unref (pad);
  gst_object_unref (sink);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE)
    die ("pipeline '%s' does not start", desc);
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_timed_pop_filtered (bus, 600 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (!msg)
    die ("pipeline '%s' did not finish in 10 minutes", desc);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    gchar *dbg = NULL;

    gst_message_parse_error (msg, &error, &dbg);
    die ("pipeline '%s' failed: %s (%s)", desc, error->message, dbg);
  }
  gst_message_unref (msg);
  gst_object_unref (bus);

  if (probe.n != frames || probe.t1 <= probe.t0)
    die ("pipeline '%s' delivered %" G_GUINT64_FORMAT " of %u frames", desc,
        probe.n, frames);
  memset (res, 0, sizeof (*res));
  res->measured_frames = frames - probe.warmup;
  res->fps = res->measured_frames * 1e9 / (probe.t1 - probe.t0);
  res->bo_allocs = probe.bo1 - probe.bo0;
  res->syncs = probe.sync1 - probe.sync0;
  res->heap_allocs = probe.heap1 - probe.heap0;
  res->rss_at_kb = probe.rss_at_kb;
  res->rss_end_kb = probe.rss_end_kb;
  res->hwm_end_kb = probe.hwm_end_kb;
  if (kind != PIPE_SYSTEM) {
    res->up_passed = get_counter (pipeline, "up", "buffers-passed");
    res->up_copied = get_counter (pipeline, "up", "buffers-copied");
    res->down_passed = get_counter (pipeline, "down", "buffers-passed");
    res->down_copied = get_counter (pipeline, "down", "buffers-copied");
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  g_free (desc);
}

static void
check_plugin (void)
{
  GstElementFactory *f = gst_element_factory_find ("vvasupload");

  if (!f)
    die ("no vvasupload element: set GST_PLUGIN_PATH to <build>/gst/plugin "
        "(tests/bench/run.sh does)");
  gst_object_unref (f);
}

static void
section_pipeline (void)
{
  gint nr = opt_pipeline_rounds, r;
  gdouble *fps[N_PIPES];
  guint64 bo[N_PIPES] = { 0, }, syncs[N_PIPES] = { 0, };
  guint64 frames[N_PIPES] = { 0, }, up_copied = 0;
  gdouble per_frame[2];
  PipeResult res;
  guint k;

  g_print ("pipeline: %d rounds of %d frames (vvas, system, vvas force-copy)"
      "...\n", nr, opt_frames);
  check_plugin ();
  for (k = 0; k < N_PIPES; k++)
    fps[k] = g_new (gdouble, nr);
  for (r = 0; r < nr; r++) {
    for (k = 0; k < N_PIPES; k++) {
      run_pipeline (k, opt_frames, opt_warmup_frames, 0, &res);
      fps[k][r] = res.fps;
      bo[k] += res.bo_allocs;
      syncs[k] += res.syncs;
      frames[k] += res.measured_frames;
      up_copied += res.up_copied;
      if (k == PIPE_VVAS && (res.down_copied != 0 || res.up_copied != 0))
        die ("the zero-copy pipeline copied (%" G_GUINT64_FORMAT " up, %"
            G_GUINT64_FORMAT " down)", res.up_copied, res.down_copied);
      if (k == PIPE_VVAS_COPY && res.down_copied != (guint64) opt_frames)
        die ("force-copy copied %" G_GUINT64_FORMAT " frames of %d",
            res.down_copied, opt_frames);
    }
  }
  g_print ("  vvasupload copied %" G_GUINT64_FORMAT " buffers (0: upstream "
      "wrote into device memory); XRT syncs in steady state: %"
      G_GUINT64_FORMAT " zero-copy, %" G_GUINT64_FORMAT " force-copy\n",
      up_copied, syncs[PIPE_VVAS], syncs[PIPE_VVAS_COPY]);

  add_row ("pipeline", "upload ! download zero-copy", 1, "frames/s",
      fps[PIPE_VVAS], nr, fps[PIPE_SYSTEM], nr, NULL, 0, TARGET_RATIO_AT_LEAST,
      0.95);
  add_row ("pipeline", "upload ! download force-copy=true", 2, "frames/s",
      fps[PIPE_VVAS_COPY], nr, fps[PIPE_SYSTEM], nr, NULL, 0, TARGET_NONE, 0);

  per_frame[0] = (gdouble) bo[PIPE_VVAS] / frames[PIPE_VVAS];
  per_frame[1] = (gdouble) bo[PIPE_VVAS_COPY] / frames[PIPE_VVAS_COPY];
  add_row ("allocations", "XRT BOs per frame zero-copy; force-copy", 0,
      "allocs/frame", per_frame, 2, NULL, 0, NULL, 0, TARGET_VVAS_ZERO, 0);
  for (k = 0; k < N_PIPES; k++)
    g_free (fps[k]);
}

/* ------------------------------------------------------------------------ */
/* Child processes                                                          */

static gchar *self_exe;

/*
 * Runs this program with --child @mode; returns its key=value lines.
 * @regime: NULL keeps this process's malloc environment; "heap" or "mmap"
 * pins that regime; "default" leaves glibc's own. @cache_off disables the
 * recycling cache of the child's contexts.
 */
static GHashTable *
run_child (const gchar * mode, gboolean count_heap, gboolean no_tcache,
    const gchar * regime, gboolean cache_off)
{
  gchar *rounds = g_strdup_printf ("--rounds=%d", opt_rounds);
  gchar *sample = g_strdup_printf ("--sample-ms=%d", opt_sample_ms);
  gchar *argv[] = { self_exe, (gchar *) "--child", (gchar *) mode,
    (gchar *) "--xclbin", (gchar *) xclbin_path, rounds, sample, NULL
  };
  gchar **envp = g_get_environ ();
  gchar *out = NULL, *err = NULL, **lines, **l;
  GError *error = NULL;
  GHashTable *kv;
  gint status;

  if (count_heap) {
    const gchar *old = g_environ_getenv (envp, "LD_PRELOAD");
    gchar *preload = old && *old ? g_strdup_printf ("%s:%s", opt_malloc_lib,
        old) : g_strdup (opt_malloc_lib);

    envp = g_environ_setenv (envp, "LD_PRELOAD", preload, TRUE);
    g_free (preload);
  }
  /* g_slice allocations reach malloc, so that they are counted and seen. */
  if (count_heap || no_tcache)
    envp = g_environ_setenv (envp, "G_SLICE", "always-malloc", TRUE);
  if (regime) {
    const MallocRegime *r = g_str_equal (regime, "mmap") ? &regime_mmap :
        &regime_heap;
    gchar v[32];

    if (g_str_equal (regime, "default")) {
      /* Most applications run with glibc's own, moving, threshold. */
      envp = g_environ_unsetenv (envp, "MALLOC_MMAP_THRESHOLD_");
      envp = g_environ_unsetenv (envp, "MALLOC_TRIM_THRESHOLD_");
    } else {
      g_snprintf (v, sizeof (v), "%d", r->mmap_threshold);
      envp = g_environ_setenv (envp, "MALLOC_MMAP_THRESHOLD_", v, TRUE);
      g_snprintf (v, sizeof (v), "%d", r->trim_threshold);
      envp = g_environ_setenv (envp, "MALLOC_TRIM_THRESHOLD_", v, TRUE);
    }
  }
  if (cache_off)
    envp = g_environ_setenv (envp, "VVAS_CORE_CACHE_BYTES", "0", TRUE);
  else
    envp = g_environ_unsetenv (envp, "VVAS_CORE_CACHE_BYTES");
  /* mallinfo2 counts blocks in the thread caches as used: no caches. */
  if (no_tcache)
    envp = g_environ_setenv (envp, "GLIBC_TUNABLES",
        "glibc.malloc.tcache_count=0", TRUE);

  if (!g_spawn_sync (NULL, argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out,
          &err, &status, &error))
    die ("cannot run a child: %s", error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    die ("child '%s' failed:\n%s%s", mode, out, err);
  kv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (out, "\n", -1);
  for (l = lines; *l; l++) {
    gchar *eq = strchr (*l, '=');

    if (eq)
      g_hash_table_insert (kv, g_strndup (*l, eq - *l), g_strdup (eq + 1));
  }
  g_strfreev (lines);
  g_strfreev (envp);
  g_free (out);
  g_free (err);
  g_free (rounds);
  g_free (sample);
  return kv;
}

static gdouble
kv_double (GHashTable * kv, const gchar * key)
{
  const gchar *v = g_hash_table_lookup (kv, key);

  if (!v)
    die ("a child did not report %s", key);
  return g_ascii_strtod (v, NULL);
}

/* --child pipeline:KIND:FRAMES:WARMUP:RSS_AT */
static void
child_pipeline (const gchar * spec)
{
  gchar **parts = g_strsplit (spec, ":", -1);
  PipeResult res;
  PipeKind kind;

  if (g_strv_length (parts) != 5)
    die ("bad child spec %s", spec);
  for (kind = 0; kind < N_PIPES; kind++)
    if (g_str_equal (parts[1], pipe_names[kind]))
      break;
  if (kind == N_PIPES)
    die ("no pipeline %s", parts[1]);
  check_plugin ();
  run_pipeline (kind, atoi (parts[2]), atoi (parts[3]), atoi (parts[4]), &res);
  printf ("fps=%.3f\nmeasured_frames=%" G_GUINT64_FORMAT "\n", res.fps,
      res.measured_frames);
  printf ("bo_allocs=%" G_GUINT64_FORMAT "\nsyncs=%" G_GUINT64_FORMAT "\n",
      res.bo_allocs, res.syncs);
  printf ("heap_counted=%d\nheap_allocs=%" G_GUINT64_FORMAT "\n",
      malloc_count_allocs != NULL, res.heap_allocs);
  printf ("rss_at_kb=%ld\nrss_end_kb=%ld\nhwm_end_kb=%ld\n", res.rss_at_kb,
      res.rss_end_kb, res.hwm_end_kb);
  g_strfreev (parts);
}

static gint64
heap_in_use (void)
{
  struct mallinfo2 mi = mallinfo2 ();

  return (gint64) mi.uordblks + (gint64) mi.hblkhd;
}

/* Bytes per memory over the payload: heap growth for @n allocations. */
static gdouble
memory_overhead (GstAllocator * allocator, gsize size, guint n)
{
  GstMemory **mems = g_new (GstMemory *, n);
  gint64 before, after;
  guint i;

  gst_memory_unref (gst_allocator_alloc (allocator, size, NULL));
  before = heap_in_use ();
  for (i = 0; i < n; i++)
    mems[i] = gst_allocator_alloc (allocator, size, NULL);
  after = heap_in_use ();
  for (i = 0; i < n; i++)
    gst_memory_unref (mems[i]);
  g_free (mems);
  return (gdouble) (after - before) / n - size;
}

/* Bytes per pool buffer (buffer, memory, meta) over the payload. */
static gdouble
pool_overhead (gboolean vvas, guint n)
{
  GstBufferPool *pool = make_pool (vvas, 0);
  GstBuffer **bufs = g_new (GstBuffer *, n);
  gint64 before, after;
  guint i;

  before = heap_in_use ();
  for (i = 0; i < n; i++)
    if (gst_buffer_pool_acquire_buffer (pool, &bufs[i], NULL) != GST_FLOW_OK)
      die ("acquire failed");
  after = heap_in_use ();
  for (i = 0; i < n; i++)
    gst_buffer_unref (bufs[i]);
  gst_buffer_pool_set_active (pool, FALSE);
  gst_object_unref (pool);
  g_free (bufs);
  return (gdouble) (after - before) / n - info_1080p.size;
}

/* --child bookkeeping */
static void
child_bookkeeping (void)
{
  const guint n = 16, reps = 3;
  GstBufferPool *warm;
  guint i;

  open_device ();
  /* First use of the types, metas and pools happens here, not measured. */
  warm = make_pool (TRUE, 1);
  gst_object_unref (warm);
  warm = make_pool (FALSE, 1);
  gst_object_unref (warm);
  for (i = 0; i < reps; i++) {
    printf ("mem_vvas_%u=%.1f\n", i, memory_overhead (vvas_allocator,
            info_1080p.size, n));
    printf ("mem_sys_%u=%.1f\n", i, memory_overhead (sys_allocator,
            info_1080p.size, n));
    printf ("buf_vvas_%u=%.1f\n", i, pool_overhead (TRUE, n));
    printf ("buf_sys_%u=%.1f\n", i, pool_overhead (FALSE, n));
  }
  close_device ();
}

/* ------------------------------------------------------------------------ */
/* Section: streams                                                         */

static const guint stream_counts[] = { 1, 4, 16, 32 };

/* Shared by the pipelines of one --child streams run. */
typedef struct
{
  guint n_pipelines, frames, warmup;
  atomic_uint_fast64_t total;   /* frames seen by all sinks */
  atomic_uint warmed;           /* pipelines past their warm-up */
  atomic_bool one_done;
  _Atomic guint64 t_start, f_start, t_end, f_end;
  glong rss_kb;                 /* when the first pipeline is done */
} StreamRun;

typedef struct
{
  StreamRun *run;
  guint64 n;
} StreamProbe;

static GstPadProbeReturn
on_stream_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  StreamProbe *p = data;
  StreamRun *run = p->run;
  guint64 total = atomic_fetch_add (&run->total, 1) + 1;

  p->n++;
  /* The window: from the last pipeline's warm-up to the first one's end,
   * while every pipeline runs. */
  if (p->n == run->warmup &&
      atomic_fetch_add (&run->warmed, 1) + 1 == run->n_pipelines) {
    atomic_store (&run->f_start, total);
    atomic_store (&run->t_start, now_ns ());
  }
  if (p->n == run->frames && !atomic_exchange (&run->one_done, TRUE)) {
    atomic_store (&run->t_end, now_ns ());
    atomic_store (&run->f_end, total);
    read_rss (&run->rss_kb, NULL);
  }
  return GST_PAD_PROBE_OK;
}

/* --child streams:KIND:N:FRAMES:WARMUP */
static void
child_streams (const gchar * spec)
{
  gchar **parts = g_strsplit (spec, ":", -1);
  gboolean vvas;
  GstElement **pipes;
  StreamProbe *probes;
  StreamRun run;
  guint64 copied = 0, t_first, t_last;
  guint i, n;

  if (g_strv_length (parts) != 5)
    die ("bad child spec %s", spec);
  vvas = g_str_equal (parts[1], "vvas");
  n = atoi (parts[2]);
  memset (&run, 0, sizeof (run));
  run.n_pipelines = n;
  run.frames = atoi (parts[3]);
  run.warmup = atoi (parts[4]);
  if (vvas)
    check_plugin ();
  pipes = g_new0 (GstElement *, n);
  probes = g_new0 (StreamProbe, n);

  for (i = 0; i < n; i++) {
    GError *error = NULL;
    gchar *desc = vvas ?
        g_strdup_printf ("videotestsrc pattern=solid-color num-buffers=%u ! "
        CAPS_1080P " ! vvasupload name=up xclbin-location=\"%s\" ! "
        "vvasdownload name=down ! fakesink name=sink", run.frames,
        xclbin_path) :
        g_strdup_printf ("videotestsrc pattern=solid-color num-buffers=%u ! "
        CAPS_1080P " ! fakesink name=sink", run.frames);
    GstElement *sink;
    GstPad *pad;

    pipes[i] = gst_parse_launch (desc, &error);
    if (!pipes[i] || error)
      die ("cannot make '%s': %s", desc, error ? error->message : "?");
    probes[i].run = &run;
    sink = gst_bin_get_by_name (GST_BIN (pipes[i]), "sink");
    pad = gst_element_get_static_pad (sink, "sink");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_stream_buffer,
        &probes[i], NULL);
    gst_object_unref (pad);
    gst_object_unref (sink);
    g_free (desc);
  }
  /* Negotiated, allocated and prerolled first, so that the streams then
   * start together and start-up is not measured. */
  for (i = 0; i < n; i++)
    if (gst_element_set_state (pipes[i], GST_STATE_PAUSED) ==
        GST_STATE_CHANGE_FAILURE)
      die ("pipeline %u of %u does not pause", i, n);
  for (i = 0; i < n; i++)
    if (gst_element_get_state (pipes[i], NULL, NULL, 60 * GST_SECOND) !=
        GST_STATE_CHANGE_SUCCESS)
      die ("pipeline %u of %u does not preroll", i, n);
  t_first = now_ns ();
  for (i = 0; i < n; i++)
    if (gst_element_set_state (pipes[i], GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE)
      die ("pipeline %u of %u does not start", i, n);
  for (i = 0; i < n; i++) {
    GstBus *bus = gst_element_get_bus (pipes[i]);
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 600 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

    if (!msg || GST_MESSAGE_TYPE (msg) != GST_MESSAGE_EOS)
      die ("pipeline %u of %u failed or did not finish", i, n);
    gst_message_unref (msg);
    gst_object_unref (bus);
  }
  t_last = now_ns ();
  for (i = 0; i < n; i++) {
    if (vvas)
      copied += get_counter (pipes[i], "up", "buffers-copied") +
          get_counter (pipes[i], "down", "buffers-copied");
    gst_element_set_state (pipes[i], GST_STATE_NULL);
    gst_object_unref (pipes[i]);
  }
  if (atomic_load (&run.t_end) > atomic_load (&run.t_start) &&
      atomic_load (&run.f_start) > 0) {
    printf ("fps=%.3f\nwindow=1\n", (atomic_load (&run.f_end) -
            atomic_load (&run.f_start)) * 1e9 / (atomic_load (&run.t_end) -
            atomic_load (&run.t_start)));
  } else {
    /* No moment when all ran: the whole run, start-up included. */
    printf ("fps=%.3f\nwindow=0\n", (gdouble) n * run.frames * 1e9 /
        (t_last - t_first));
  }
  printf ("rss_kb=%ld\ncopied=%" G_GUINT64_FORMAT "\ndevice_opens=%"
      G_GUINT64_FORMAT "\n", run.rss_kb, copied,
      xrt_count_get (XRT_CALL_DEVICE_OPEN));
  g_free (pipes);
  g_free (probes);
  g_strfreev (parts);
}

static void
section_streams (void)
{
  const guint nc = G_N_ELEMENTS (stream_counts);
  gint nr = opt_stream_rounds, r;
  gdouble copies[G_N_ELEMENTS (stream_counts)];
  gdouble opens[G_N_ELEMENTS (stream_counts)];
  guint c, k;

  g_print ("streams: 1, 4, 16 and 32 concurrent pipelines, %d rounds "
      "(child processes)...\n", nr);
  check_plugin ();
  for (c = 0; c < nc; c++) {
    guint n = stream_counts[c];
    /* About the same number of frames in every run; at least 5 warm-ups
     * per pipeline, so that all of them run together for a while. */
    guint frames = MAX (400, (guint) (opt_frames * 3) / n);
    guint warmup = frames / 5;
    gdouble *fps[2], *rss[2];
    gchar *figure;

    copies[c] = 0;
    opens[c] = 0;
    for (k = 0; k < 2; k++) {
      fps[k] = g_new (gdouble, nr);
      rss[k] = g_new (gdouble, nr);
    }
    for (r = 0; r < nr; r++) {
      for (k = 0; k < 2; k++) {
        gchar *mode = g_strdup_printf ("streams:%s:%u:%u:%u",
            k == 0 ? "vvas" : "system", n, frames, warmup);
        GHashTable *kv = run_child (mode, FALSE, FALSE, NULL, FALSE);

        fps[k][r] = kv_double (kv, "fps");
        rss[k][r] = kv_double (kv, "rss_kb") / 1024.0 / n;
        if (kv_double (kv, "window") != 1)
          g_print ("  %u streams (%s): no moment when all ran; fps of the "
              "whole run\n", n, k == 0 ? "vvas" : "system");
        if (k == 0) {
          copies[c] += kv_double (kv, "copied");
          opens[c] = MAX (opens[c], kv_double (kv, "device_opens"));
        }
        g_hash_table_unref (kv);
        g_free (mode);
      }
    }
    figure = g_strdup_printf ("%u pipelines total", n);
    add_row ("streams-fps", figure, n, "frames/s", fps[0], nr, fps[1], nr,
        NULL, 0, TARGET_RATIO_AT_LEAST, 0.95);
    g_free (figure);
    figure = g_strdup_printf ("%u pipelines VmRSS per stream", n);
    add_row ("streams-rss", figure, n, "MiB", rss[0], nr, rss[1], nr, NULL,
        0, TARGET_RATIO_AT_MOST, 1.1);
    g_free (figure);
    for (k = 0; k < 2; k++) {
      g_free (fps[k]);
      g_free (rss[k]);
    }
  }
  for (c = 0; c < nc; c++) {
    gchar *figure = g_strdup_printf ("%u pipelines: frames copied",
        stream_counts[c]);
    gdouble v = copies[c];

    add_row ("streams", figure, stream_counts[c], "copies", &v, 1, NULL, 0,
        NULL, 0, TARGET_VVAS_ZERO, 0);
    v = opens[c];
    g_free (figure);
    figure = g_strdup_printf ("%u pipelines: device opens", stream_counts[c]);
    add_row ("streams", figure, stream_counts[c], "opens", &v, 1, NULL, 0,
        NULL, 0, TARGET_VVAS_AT_MOST, 1);
    g_free (figure);
  }
}

/* ------------------------------------------------------------------------ */
/* Section: memory                                                          */

static void
section_memory (void)
{
  gint nr = opt_memory_rounds, r;
  gdouble *rss[N_PIPES], *growth[N_PIPES], heap[N_PIPES];
  gdouble mem_v[3], mem_s[3], buf_v[3], buf_s[3];
  gboolean can_count = opt_malloc_lib && *opt_malloc_lib &&
      g_file_test (opt_malloc_lib, G_FILE_TEST_EXISTS);
  guint rss_at = MIN (1000, (guint) opt_memory_frames / 2);
  GHashTable *kv;
  gchar *mode, *figure;
  guint k, i;

  g_print ("memory: %d rounds of %d-frame pipelines in child processes, "
      "allocation counts, bookkeeping...\n", nr, opt_memory_frames);
  check_plugin ();
  for (k = 0; k < N_PIPES; k++) {
    rss[k] = g_new (gdouble, nr);
    growth[k] = g_new (gdouble, nr);
  }
  for (r = 0; r < nr; r++) {
    for (k = 0; k < N_PIPES; k++) {
      mode = g_strdup_printf ("pipeline:%s:%d:%u:%u", pipe_names[k],
          opt_memory_frames, rss_at, rss_at);
      kv = run_child (mode, FALSE, FALSE, NULL, FALSE);
      rss[k][r] = kv_double (kv, "rss_end_kb") / 1024.0;
      growth[k][r] = kv_double (kv, "rss_end_kb") - kv_double (kv, "rss_at_kb");
      g_hash_table_unref (kv);
      g_free (mode);
    }
  }
  figure = g_strdup_printf ("VmRSS after %d frames", opt_memory_frames);
  add_row ("memory", figure, 0, "MiB", rss[PIPE_VVAS], nr, rss[PIPE_SYSTEM],
      nr, NULL, 0, TARGET_NONE, 0);
  g_free (figure);
  figure = g_strdup_printf ("VmRSS after %d frames, force-copy",
      opt_memory_frames);
  add_row ("memory", figure, 0, "MiB", rss[PIPE_VVAS_COPY], nr,
      rss[PIPE_SYSTEM], nr, NULL, 0, TARGET_NONE, 0);
  g_free (figure);
  figure = g_strdup_printf ("VmRSS growth frame %u to %d", rss_at,
      opt_memory_frames);
  add_row ("memory", figure, 0, "KiB", growth[PIPE_VVAS], nr,
      growth[PIPE_SYSTEM], nr, NULL, 0, TARGET_NONE, 0);
  g_free (figure);

  /* Heap allocations per frame, counted in children that preload the
   * counter (the timed figures do not run with it). */
  if (can_count) {
    guint frames = MAX ((guint) opt_frames, 1000), warm = frames / 4;

    for (k = 0; k < N_PIPES; k++) {
      mode = g_strdup_printf ("pipeline:%s:%u:%u:0", pipe_names[k], frames,
          warm);
      kv = run_child (mode, TRUE, FALSE, NULL, FALSE);
      if (kv_double (kv, "heap_counted") != 1)
        die ("the heap allocation counter %s did not load", opt_malloc_lib);
      heap[k] = kv_double (kv, "heap_allocs") / kv_double (kv,
          "measured_frames");
      g_hash_table_unref (kv);
      g_free (mode);
    }
    add_row ("allocations", "heap allocations per frame zero-copy", 0,
        "allocs/frame", &heap[PIPE_VVAS], 1, &heap[PIPE_SYSTEM], 1, NULL, 0,
        TARGET_VVAS_AT_MOST_BASE, 0);
    add_row ("allocations", "heap allocations per frame force-copy", 0,
        "allocs/frame", &heap[PIPE_VVAS_COPY], 1, &heap[PIPE_SYSTEM], 1, NULL,
        0, TARGET_VVAS_AT_MOST_BASE, 0);
  } else {
    g_print ("  (no heap allocation counts: %s not found)\n",
        opt_malloc_lib ? opt_malloc_lib : "the counting library");
  }

  /* What a memory's structures cost: with the cache on, the next pool's
   * buffers would be the last one's, and the heap would not grow. */
  kv = run_child ("bookkeeping", FALSE, TRUE, NULL, TRUE);
  for (i = 0; i < 3; i++) {
    gchar key[32];

    g_snprintf (key, sizeof (key), "mem_vvas_%u", i);
    mem_v[i] = kv_double (kv, key);
    g_snprintf (key, sizeof (key), "mem_sys_%u", i);
    mem_s[i] = kv_double (kv, key);
    g_snprintf (key, sizeof (key), "buf_vvas_%u", i);
    buf_v[i] = kv_double (kv, key);
    g_snprintf (key, sizeof (key), "buf_sys_%u", i);
    buf_s[i] = kv_double (kv, key);
  }
  g_hash_table_unref (kv);
  add_row ("memory", "bookkeeping per 1080p memory", 0,
      "bytes", mem_v, 3, mem_s, 3, NULL, 0, TARGET_NONE, 0);
  add_row ("memory", "bookkeeping per 1080p pool buffer", 0,
      "bytes", buf_v, 3, buf_s, 3, NULL, 0, TARGET_NONE, 0);

  for (k = 0; k < N_PIPES; k++) {
    g_free (rss[k]);
    g_free (growth[k]);
  }
}

/* ------------------------------------------------------------------------ */

static void
apply_quick (void)
{
  opt_rounds = 3;
  opt_thread_rounds = 2;
  opt_pipeline_rounds = 2;
  opt_frames = 400;
  opt_warmup_frames = 100;
  opt_memory_frames = 1000;
  opt_memory_rounds = 1;
  opt_stream_rounds = 1;
  opt_sample_ms = 3;
  opt_thread_ms = 30;
}

static void
init_video_infos (void)
{
  gst_video_info_set_format (&info_1080p, GST_VIDEO_FORMAT_NV12, 1920, 1080);
  gst_video_info_set_format (&info_4k, GST_VIDEO_FORMAT_NV12, 3840, 2160);
}

int
main (int argc, char **argv)
{
  GOptionContext *octx;
  GError *error = NULL;
  gchar *args = g_strjoinv (" ", argv + 1);
  gchar *tmpdir = NULL, *machine, *path;
  FILE *md;
  guint i, passed = 0, failed = 0;
  gint64 leaked_bos;

  octx = g_option_context_new ("- VVAS memory vs system memory benchmark");
  g_option_context_add_main_entries (octx, option_entries, NULL);
  g_option_context_add_group (octx, gst_init_get_option_group ());
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    die ("%s", error->message);
  g_option_context_free (octx);
  if (opt_quick)
    apply_quick ();
  if (opt_rounds < 1 || opt_thread_rounds < 1 || opt_pipeline_rounds < 1 ||
      opt_memory_rounds < 1 || opt_stream_rounds < 1 || opt_frames < 2
      || opt_warmup_frames < 1 || opt_warmup_frames >= opt_frames
      || opt_memory_frames < 2 || opt_sample_ms < 1 || opt_thread_ms < 1)
    die ("bad option values (see --help)");
  if (!opt_malloc_lib)
    opt_malloc_lib = g_strdup (BENCH_MALLOC_COUNT_LIB);

  /* An alloc:default child measures glibc as most applications run it. */
  if (!opt_child || !g_str_has_prefix (opt_child, "alloc:default:"))
    pin_malloc_regime ();
  become_multithreaded ();
  malloc_count_allocs = dlsym (RTLD_DEFAULT, "bench_malloc_count_allocs");
  init_video_infos ();

  if (!g_getenv ("XILINX_XRT"))
    die ("XILINX_XRT is not set: run tests/bench/run.sh, which sets up "
        "XRT's no-op device");

  if (opt_child) {
    xclbin_path = opt_xclbin;
    if (!xclbin_path)
      die ("--child needs --xclbin");
    if (g_str_has_prefix (opt_child, "pipeline:"))
      child_pipeline (opt_child);
    else if (g_str_equal (opt_child, "bookkeeping"))
      child_bookkeeping ();
    else if (g_str_has_prefix (opt_child, "alloc:")) {
      rows = g_ptr_array_new ();
      kept_values = g_ptr_array_new_with_free_func (kept_values_free);
      child_alloc (opt_child);
      print_kept_rows ();
    } else if (g_str_equal (opt_child, "alloccount"))
      child_alloc_count ();
    else if (g_str_has_prefix (opt_child, "streams:"))
      child_streams (opt_child);
    else
      die ("unknown child mode %s", opt_child);
    return 0;
  }

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (!self_exe)
    die ("cannot find this program's path");
  if (opt_xclbin) {
    xclbin_path = opt_xclbin;
  } else {
    tmpdir = g_dir_make_tmp ("bench-vvas-XXXXXX", &error);
    if (!tmpdir)
      die ("%s", error->message);
    path = g_build_filename (tmpdir, "two_banks.xclbin", NULL);
    if (xclbin_gen_write (path, 2, 0, 2, XCLBIN_VALID) != 0)
      die ("cannot write %s", path);
    xclbin_path = path;
  }
  if (!opt_out_dir)
    opt_out_dir = g_strdup (".");
  g_mkdir_with_parents (opt_out_dir, 0755);

  rows = g_ptr_array_new ();
  path = g_build_filename (opt_out_dir, "samples.csv", NULL);
  samples_csv = fopen (path, "w");
  if (!samples_csv)
    die ("cannot write %s", path);
  fprintf (samples_csv, "section,figure,x,variant,round,value,unit\n");
  g_free (path);

  machine = machine_description (args);
  g_print ("bench_vvas: VVAS memory vs system memory, XRT no-op device\n%s\n",
      machine);

  open_device ();
  if (section_enabled ("allocator"))
    section_allocator ();
  if (section_enabled ("map"))
    section_map ();
  if (section_enabled ("pool"))
    section_pool ();
  if (section_enabled ("contention"))
    section_contention ();
  if (pool_bo_allocs >= 0) {
    gdouble v = pool_bo_allocs;

    add_row ("allocations", "XRT BOs allocated in the pool loop", 0,
        "allocs", &v, 1, NULL, 0, NULL, 0, TARGET_VVAS_ZERO, 0);
  }
  if (contention_bo_allocs >= 0) {
    gdouble v = contention_bo_allocs;

    /* GstBufferPool (1.22) can lose buffers under contention; the pool
     * then allocates replacements: no target, a symptom. */
    add_row ("allocations", "XRT BOs allocated in contention rounds", 0,
        "allocs", &v, 1, NULL, 0, NULL, 0, TARGET_NONE, 0);
  }
  if (vvas_pool) {
    if (!gst_buffer_pool_set_active (vvas_pool, FALSE))
      g_print ("  GstVvasBufferPool did not deactivate: GstBufferPool lost "
          "track of some of its buffers\n");
    if (!gst_buffer_pool_set_active (video_pool, FALSE))
      g_print ("  GstVideoBufferPool did not deactivate: GstBufferPool lost "
          "track of some of its buffers\n");
    gst_clear_object (&vvas_pool);
    gst_clear_object (&video_pool);
  }
  if (!xrt_count_is_active ())
    g_print ("  note: XRT calls were not counted (libxrtcount not "
        "interposed)\n");
  if (section_enabled ("pipeline"))
    section_pipeline ();
  if (section_enabled ("streams"))
    section_streams ();
  if (section_enabled ("memory"))
    section_memory ();
  close_device ();
  leaked_bos = xrt_count_get (XRT_CALL_BO_ALLOC) -
      xrt_count_get (XRT_CALL_BO_FREE);
  {
    gdouble v = leaked_bos;

    add_row ("allocations", "XRT BOs never freed (this process)", 0, "BOs",
        &v, 1, NULL, 0, NULL, 0, TARGET_VVAS_ZERO, 0);
  }

  g_print ("\nratio = VVAS / baseline of the value shown; values are "
      "median [min..max] over the rounds;\nthe ratio is computed round by "
      "round (A and B of one round run back to back).\n"
      "'(noise)': the target lies inside the inter-quartile range of the "
      "per-round values.\n\n");
  print_table (stdout, FALSE);
  for (i = 0; i < rows->len; i++) {
    Row *r = g_ptr_array_index (rows, i);

    if (r->result == 1)
      passed++;
    else if (r->result == 0)
      failed++;
  }
  g_print ("\ntargets: %u met, %u missed\n", passed, failed);

  path = g_build_filename (opt_out_dir, "bench.csv", NULL);
  write_summary_csv (path);
  g_print ("wrote %s", path);
  g_free (path);
  path = g_build_filename (opt_out_dir, "table.md", NULL);
  md = fopen (path, "w");
  if (!md)
    die ("cannot write %s", path);
  fprintf (md, "%s\n", machine);
  print_table (md, TRUE);
  fprintf (md, "\ntargets: %u met, %u missed\n", passed, failed);
  fclose (md);
  g_print (", %s", path);
  g_free (path);
  g_print (", %s/samples.csv\n", opt_out_dir);
  fclose (samples_csv);

  if (tmpdir) {
    g_unlink (xclbin_path);
    g_rmdir (tmpdir);
  }
  g_free (machine);
  g_free (args);
  if (leaked_bos > 0) {
    /* XRT frees the BOs it still holds from a static destructor, and its
     * no-op driver crashes there (free(): invalid pointer): skip them. */
    g_print ("%" G_GINT64_FORMAT " XRT buffer(s) were never freed; exiting "
        "without running XRT's static destructors\n", leaked_bos);
    fflush (stdout);
    _exit (0);
  }
  return 0;
}
