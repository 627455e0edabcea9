/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/**
 * SECTION: vvas_log
 * @short_description: Logging of the VVAS core
 *
 * Every message has a level; it is emitted when its level is at or below the
 * threshold in force: for calls on a context or its memories, the higher of
 * the context's log level and the process-wide default level; for messages
 * tied to no context, the default level. Errors always pass.
 *
 * The default level is %LOG_LEVEL_ERROR unless the environment variable
 * `VVAS_CORE_LOG_LEVEL` says otherwise (0 to 3, or error, warning, info,
 * debug), so `VVAS_CORE_LOG_LEVEL=debug ./app` shows every message of the
 * library without changing the program; vvas_log_set_default_level() does
 * the same from code. By default messages go to stderr; a program (the
 * GStreamer layer, for one) can install its own handler.
 */

#ifndef __VVAS_LOG_H__
#define __VVAS_LOG_H__

#include <vvas_core/vvas_common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * VvasLogLevel:
 * @LOG_LEVEL_ERROR: errors only
 * @LOG_LEVEL_WARNING: errors and warnings
 * @LOG_LEVEL_INFO: and informational messages
 * @LOG_LEVEL_DEBUG: everything
 *
 * Severity of a message, and the threshold of what is emitted.
 *
 * Since: 1.0
 */
typedef enum
{
  LOG_LEVEL_ERROR,
  LOG_LEVEL_WARNING,
  LOG_LEVEL_INFO,
  LOG_LEVEL_DEBUG,
} VvasLogLevel;

/**
 * VvasLogHandler:
 * @level: severity of the message
 * @file: source file that emitted it
 * @func: function that emitted it
 * @line: source line
 * @message: the formatted message, without a trailing newline
 * @user_data: the pointer given to vvas_log_set_handler()
 *
 * Receives the messages that pass the threshold. It may be called from any
 * thread, and concurrently.
 *
 * Since: 1.0
 */
typedef void (*VvasLogHandler) (VvasLogLevel level, const char *file,
    const char *func, int line, const char *message, void *user_data);

/**
 * vvas_log:
 * @level: severity of the message
 * @threshold: the threshold of the caller (a context's log level)
 * @file: source file
 * @func: function
 * @line: source line
 * @fmt: printf-style format
 * @...: arguments of @fmt
 *
 * Emits a message if @level is at or below @threshold or the default level
 * (vvas_log_get_default_level()). Use LOG_MESSAGE().
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_log (VvasLogLevel level, VvasLogLevel threshold,
    const char *file, const char *func, int line, const char *fmt, ...)
    __attribute__ ((format (printf, 6, 7)));

/**
 * vvas_log_set_handler:
 * @handler: (nullable): where messages go; NULL restores the stderr handler
 * @user_data: passed to @handler
 *
 * Routes every later message to @handler. Thread-safe.
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_log_set_handler (VvasLogHandler handler,
    void *user_data);

/**
 * vvas_log_set_default_level:
 * @level: the process-wide default level
 *
 * Sets the default level: the threshold of messages tied to no context, and
 * a floor under every context's log level (a context created with
 * %LOG_LEVEL_ERROR emits its debug messages once the default level is
 * %LOG_LEVEL_DEBUG). It takes effect at once, for existing contexts too;
 * %LOG_LEVEL_ERROR removes the floor. Overrides `VVAS_CORE_LOG_LEVEL`.
 * Thread-safe.
 *
 * Since: 1.0
 */
VVAS_CORE_API void vvas_log_set_default_level (VvasLogLevel level);

/**
 * vvas_log_get_default_level:
 *
 * The value last set by vvas_log_set_default_level(); before any, the one of
 * the environment variable `VVAS_CORE_LOG_LEVEL` (read once, at the first
 * message or call; a value that is not a level is ignored, with a warning),
 * or %LOG_LEVEL_ERROR.
 *
 * Returns: the default level.
 *
 * Since: 1.0
 */
VVAS_CORE_API VvasLogLevel vvas_log_get_default_level (void);

/**
 * LOG_MESSAGE:
 * @level: severity of the message
 * @set_level: the threshold of the caller (a context's log level)
 * @...: printf-style format and arguments
 *
 * Emits a message from the calling place if @level is at or below
 * @set_level or the default level (vvas_log_get_default_level()).
 *
 * Since: 1.0
 */
#define LOG_MESSAGE(level, set_level, ...) \
  do { \
    if ((int) (level) <= (int) (set_level) || \
        (int) (level) <= (int) vvas_log_get_default_level ()) \
      vvas_log ((level), (set_level), __FILE__, __func__, __LINE__, \
          __VA_ARGS__); \
  } while (0)

#ifdef __cplusplus
}
#endif

#endif /* __VVAS_LOG_H__ */
