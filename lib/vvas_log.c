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
#include <strings.h>

#include <vvas_core/vvas_log.h>

#include "vvas_internal.h"

static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static VvasLogHandler current_handler;
static void *current_user_data;

/*
 * The process-wide default level: the threshold of messages without a
 * context, and a floor under every context's. -1 until first read: then
 * VVAS_CORE_LOG_LEVEL, or LOG_LEVEL_ERROR (no floor: errors pass anyway).
 */
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

  if (!fmt || ((int) level > (int) threshold &&
          (int) level > (int) vvas_log_get_default_level ()))
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

/* "0" to "3", or a level's name in any case; -1 for anything else. */
static int
parse_level (const char *text)
{
  static const char *const names[] = { "error", "warning", "info", "debug" };
  int i;

  if (text[0] >= '0' && text[0] <= '3' && text[1] == '\0')
    return text[0] - '0';
  for (i = 0; i < 4; i++)
    if (strcasecmp (text, names[i]) == 0)
      return i;
  return -1;
}

VvasLogLevel
vvas_log_get_default_level (void)
{
  int level = atomic_load (&default_level);

  if (level < 0) {
    const char *env = getenv ("VVAS_CORE_LOG_LEVEL");
    int parsed = env ? parse_level (env) : -1;
    int expected = -1;

    level = parsed >= 0 ? parsed : LOG_LEVEL_ERROR;
    /* Another thread may have set it meanwhile: theirs wins. */
    if (!atomic_compare_exchange_strong (&default_level, &expected, level))
      return (VvasLogLevel) expected;
    /* Said once, by the thread that read the variable; set by now. */
    if (env && parsed < 0)
      vvas_log (LOG_LEVEL_WARNING, LOG_LEVEL_WARNING, __FILE__, __func__,
          __LINE__, "VVAS_CORE_LOG_LEVEL='%s' is not a log level (0 to 3, "
          "or error, warning, info, debug): ignored", env);
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
