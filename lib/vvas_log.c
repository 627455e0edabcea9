/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vvas_core/vvas_log.h>

#include "vvas_internal.h"

static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static VvasLogHandler current_handler;
static void *current_user_data;

/* -1 until first read: then the environment or LOG_LEVEL_WARNING. */
static atomic_int default_level = -1;

static const char *
level_name (VvasLogLevel level)
{
  switch (level) {
    case LOG_LEVEL_ERROR:
      return "ERROR";
    case LOG_LEVEL_WARNING:
      return "WARNING";
    case LOG_LEVEL_INFO:
      return "INFO";
    default:
      return "DEBUG";
  }
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? slash + 1 : path;
}

static void
log_to_stderr (VvasLogLevel level, const char *file, const char *func,
    int line, const char *message, void *user_data)
{
  (void) func;
  (void) user_data;
  /* Invalid-argument messages name their function already. */
  fprintf (stderr, "[vvas-core] %s %s:%d: %s\n", level_name (level),
      base_name (file), line, message);
}

void
vvas_log (VvasLogLevel level, VvasLogLevel threshold, const char *file,
    const char *func, int line, const char *fmt, ...)
{
  VvasLogHandler handler;
  void *user_data;
  char stack_buf[512];
  char *message = stack_buf;
  va_list args;
  int len;

  if ((int) level > (int) threshold || !fmt)
    return;

  va_start (args, fmt);
  len = vsnprintf (stack_buf, sizeof (stack_buf), fmt, args);
  va_end (args);
  if (len < 0)
    return;
  if ((size_t) len >= sizeof (stack_buf)) {
    message = malloc ((size_t) len + 1);
    if (!message) {
      message = stack_buf;      /* emit it truncated rather than not at all */
    } else {
      va_start (args, fmt);
      vsnprintf (message, (size_t) len + 1, fmt, args);
      va_end (args);
    }
  }

  pthread_mutex_lock (&handler_lock);
  handler = current_handler ? current_handler : log_to_stderr;
  user_data = current_user_data;
  pthread_mutex_unlock (&handler_lock);

  handler (level, file ? file : "?", func ? func : "?", line, message,
      user_data);

  if (message != stack_buf)
    free (message);
}

void
vvas_log_set_handler (VvasLogHandler handler, void *user_data)
{
  pthread_mutex_lock (&handler_lock);
  current_handler = handler;
  current_user_data = handler ? user_data : NULL;
  pthread_mutex_unlock (&handler_lock);
}

void
vvas_log_set_default_level (VvasLogLevel level)
{
  if ((int) level < LOG_LEVEL_ERROR || level > LOG_LEVEL_DEBUG) {
    VVAS_REPORT_INVALID_ARGUMENT ("level is not a VvasLogLevel");
    return;
  }
  atomic_store (&default_level, (int) level);
}

VvasLogLevel
vvas_log_get_default_level (void)
{
  int level = atomic_load (&default_level);

  if (level < 0) {
    const char *env = getenv ("VVAS_CORE_LOG_LEVEL");
    int expected = -1;

    level = LOG_LEVEL_WARNING;
    if (env && env[0] >= '0' && env[0] <= '3' && env[1] == '\0')
      level = env[0] - '0';
    /* Another thread may have set it meanwhile: theirs wins. */
    if (!atomic_compare_exchange_strong (&default_level, &expected, level))
      level = expected;
  }
  return (VvasLogLevel) level;
}

bool
vvas_report_invalid_argument (const char *file, const char *func, int line,
    const char *fmt, ...)
{
  char why[512];
  va_list args;

  va_start (args, fmt);
  vsnprintf (why, sizeof (why), fmt, args);
  va_end (args);
  /* Errors pass every threshold: a bad argument is always reported. */
  vvas_log (LOG_LEVEL_ERROR, LOG_LEVEL_ERROR, file, func, line,
      "%s: invalid argument: %s", func, why);
  return false;
}
