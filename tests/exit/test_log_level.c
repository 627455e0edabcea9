/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * The process-wide default log level (vvas_log_set_default_level(),
 * VVAS_CORE_LOG_LEVEL): the threshold of messages tied to no context, and
 * a floor under every context's own level. Cases that read the environment
 * run in a subprocess of their own, since it is read once per process.
 */

#include <string.h>

#include <glib.h>
#include <vvas_core/vvas_context.h>
#include <vvas_core/vvas_log.h>
#include <vvas_core/vvas_memory.h>

#include "test_util.h"

typedef struct
{
  VvasLogLevel level;
  gchar *message;
} Record;

static GMutex records_lock;
static GPtrArray *records;

static void
record_free (gpointer data)
{
  Record *r = data;

  g_free (r->message);
  g_free (r);
}

static void
capture (VvasLogLevel level, const char *file, const char *func, int line,
    const char *message, void *user_data)
{
  Record *r = g_new0 (Record, 1);

  r->level = level;
  r->message = g_strdup (message);
  g_mutex_lock (&records_lock);
  g_ptr_array_add (records, r);
  g_mutex_unlock (&records_lock);
}

static void
capture_start (void)
{
  records = g_ptr_array_new_with_free_func (record_free);
  vvas_log_set_handler (capture, NULL);
}

static void
capture_stop (void)
{
  vvas_log_set_handler (NULL, NULL);
  g_ptr_array_unref (records);
  records = NULL;
}

/* Messages captured at @level that hold @text. */
static guint
count (VvasLogLevel level, const gchar * text)
{
  guint i, n = 0;

  g_mutex_lock (&records_lock);
  for (i = 0; i < records->len; i++) {
    Record *r = g_ptr_array_index (records, i);

    if (r->level == level && strstr (r->message, text))
      n++;
  }
  g_mutex_unlock (&records_lock);
  return n;
}

/*
 * Creates and destroys a host-only context at @ctx_level: its creation is
 * an INFO message, its end a DEBUG one.
 */
static void
context_round_trip (VvasLogLevel ctx_level)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx = vvas_context_create (-1, NULL, ctx_level, &ret);

  g_assert_nonnull (ctx);
  g_assert_cmpint (ret, ==, VVAS_RET_SUCCESS);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
}

/* The default level raises a context's threshold, never lowers it. */
static void
test_floor_from_code (void)
{
  VvasLogLevel initial = vvas_log_get_default_level ();
  VvasReturnType ret = VVAS_RET_ERROR;
  VvasContext *ctx;

  capture_start ();

  vvas_log_set_default_level (LOG_LEVEL_DEBUG);
  context_round_trip (LOG_LEVEL_ERROR);
  g_assert_cmpuint (count (LOG_LEVEL_INFO, "host-only context"), ==, 1);
  g_assert_cmpuint (count (LOG_LEVEL_DEBUG, "last reference gone"), ==, 1);

  /* At INFO, the context's debug message stays out. */
  vvas_log_set_default_level (LOG_LEVEL_INFO);
  context_round_trip (LOG_LEVEL_ERROR);
  g_assert_cmpuint (count (LOG_LEVEL_INFO, "host-only context"), ==, 2);
  g_assert_cmpuint (count (LOG_LEVEL_DEBUG, "last reference gone"), ==, 1);

  /* ERROR is no floor: the context's own level rules, both ways. */
  vvas_log_set_default_level (LOG_LEVEL_ERROR);
  context_round_trip (LOG_LEVEL_ERROR);
  g_assert_cmpuint (count (LOG_LEVEL_INFO, "host-only context"), ==, 2);
  context_round_trip (LOG_LEVEL_DEBUG);
  g_assert_cmpuint (count (LOG_LEVEL_INFO, "host-only context"), ==, 3);
  g_assert_cmpuint (count (LOG_LEVEL_DEBUG, "last reference gone"), ==, 2);

  /* Raised after a context was made: its later messages pass too. */
  ctx = vvas_context_create (-1, NULL, LOG_LEVEL_ERROR, &ret);
  g_assert_nonnull (ctx);
  vvas_log_set_default_level (LOG_LEVEL_DEBUG);
  g_assert_cmpint (vvas_context_destroy (ctx), ==, VVAS_RET_SUCCESS);
  g_assert_cmpuint (count (LOG_LEVEL_DEBUG, "last reference gone"), ==, 3);

  capture_stop ();
  vvas_log_set_default_level (initial);
}

/* LOG_MESSAGE() and vvas_log(), as accelerator code calls them. */
static void
test_floor_of_log_message (void)
{
  VvasLogLevel initial = vvas_log_get_default_level ();

  capture_start ();
  vvas_log_set_default_level (LOG_LEVEL_INFO);
  LOG_MESSAGE (LOG_LEVEL_INFO, LOG_LEVEL_ERROR, "macro %s", "info");
  LOG_MESSAGE (LOG_LEVEL_DEBUG, LOG_LEVEL_ERROR, "macro %s", "debug");
  vvas_log (LOG_LEVEL_INFO, LOG_LEVEL_WARNING, "f.c", "fn", 1, "direct info");
  vvas_log (LOG_LEVEL_DEBUG, LOG_LEVEL_WARNING, "f.c", "fn", 1, "direct "
      "debug");
  g_assert_cmpuint (count (LOG_LEVEL_INFO, "macro info"), ==, 1);
  g_assert_cmpuint (count (LOG_LEVEL_DEBUG, "macro debug"), ==, 0);
  g_assert_cmpuint (count (LOG_LEVEL_INFO, "direct info"), ==, 1);
  g_assert_cmpuint (count (LOG_LEVEL_DEBUG, "direct debug"), ==, 0);

  vvas_log_set_default_level (LOG_LEVEL_ERROR);
  LOG_MESSAGE (LOG_LEVEL_INFO, LOG_LEVEL_ERROR, "macro %s", "info");
  vvas_log (LOG_LEVEL_INFO, LOG_LEVEL_WARNING, "f.c", "fn", 1, "direct info");
  g_assert_cmpuint (count (LOG_LEVEL_INFO, "macro info"), ==, 1);
  g_assert_cmpuint (count (LOG_LEVEL_INFO, "direct info"), ==, 1);
  capture_stop ();
  vvas_log_set_default_level (initial);
}

/*
 * In a subprocess: VVAS_CORE_LOG_LEVEL=@value, read at the first message;
 * a context at ERROR then says it was created iff @info_shown.
 */
static void
child_environment (const gchar * value, VvasLogLevel expected,
    gboolean info_shown)
{
  if (value)
    g_setenv ("VVAS_CORE_LOG_LEVEL", value, TRUE);
  else
    g_unsetenv ("VVAS_CORE_LOG_LEVEL");
  capture_start ();
  context_round_trip (LOG_LEVEL_ERROR);
  g_assert_cmpuint (count (LOG_LEVEL_INFO, "host-only context"), ==,
      info_shown ? 1 : 0);
  g_assert_cmpint (vvas_log_get_default_level (), ==, expected);
  /* A value that is no level is said once, whatever follows. */
  context_round_trip (LOG_LEVEL_ERROR);
  g_assert_cmpuint (count (LOG_LEVEL_WARNING, "VVAS_CORE_LOG_LEVEL"), ==,
      expected == LOG_LEVEL_ERROR && value ? 1 : 0);
  capture_stop ();
}

static const struct
{
  const gchar *value;           /* NULL: unset */
  VvasLogLevel expected;
} environment_cases[] = {
  {NULL, LOG_LEVEL_ERROR},
  {"3", LOG_LEVEL_DEBUG},
  {"debug", LOG_LEVEL_DEBUG},
  {"INFO", LOG_LEVEL_INFO},
  {"1", LOG_LEVEL_WARNING},
  {"verbose", LOG_LEVEL_ERROR},
  {"4", LOG_LEVEL_ERROR},
  {"", LOG_LEVEL_ERROR},
};

static void
test_environment (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);

  if (g_test_subprocess ()) {
    child_environment (environment_cases[i].value,
        environment_cases[i].expected,
        environment_cases[i].expected >= LOG_LEVEL_INFO);
    return;
  }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
}

/*
 * A message tied to no context follows the default level: the report of
 * what the library released at exit, in a process that leaves a device
 * memory alive.
 */
static void
child_exit_report (void)
{
  VvasReturnType ret = VVAS_RET_ERROR;
  static VvasContext *ctx;
  static VvasMemory *mem;

  ctx = vvas_context_create (0, (char *) test_util_path ("two_banks.xclbin"),
      LOG_LEVEL_ERROR, &ret);
  g_assert_nonnull (ctx);
  mem = vvas_memory_alloc (ctx, VVAS_ALLOC_TYPE_CMA, VVAS_ALLOC_FLAG_NONE, 0,
      4096, &ret);
  g_assert_nonnull (mem);
  /* Left alive: the library reports them at exit, on stderr. */
}

static void
test_exit_report (void)
{
  if (g_test_subprocess ()) {
    child_exit_report ();
    return;
  }
  g_setenv ("VVAS_CORE_LOG_LEVEL", "info", TRUE);
  g_test_trap_subprocess (NULL, 0, 0);
  g_unsetenv ("VVAS_CORE_LOG_LEVEL");
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*INFO*process exit: released 1 buffer "
      "object(s) and 1 device(s) still in use*");

  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*process exit*");
}

int
main (int argc, char **argv)
{
  int res;
  guint i;

  g_test_init (&argc, &argv, NULL);
  test_util_init ();
  g_test_add_func ("/log-level/floor-from-code", test_floor_from_code);
  g_test_add_func ("/log-level/floor-of-log-message",
      test_floor_of_log_message);
  for (i = 0; i < G_N_ELEMENTS (environment_cases); i++) {
    gchar *path = g_strdup_printf ("/log-level/environment/%s",
        environment_cases[i].value ? (*environment_cases[i].value ?
            environment_cases[i].value : "empty") : "unset");

    g_test_add_data_func (path, GUINT_TO_POINTER (i), test_environment);
    g_free (path);
  }
  g_test_add_func ("/log-level/exit-report", test_exit_report);
  res = g_test_run ();
  test_util_cleanup ();
  return res;
}
