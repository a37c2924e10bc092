/* log.h — JSON-lines logging to stderr; one line per event, never secrets. */
#ifndef SB_LOG_H
#define SB_LOG_H
#include "str.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
/* Parses "debug|info|warn|error"; returns false if unknown. */
bool log_level_parse(const char *s, enum log_level *out);
/* {"time":..,"level":..,"msg":..} plus the given extra JSON members
 * (extra is either NULL or a string like "\"pid\":12,\"cause\":\"signal 9\""). */
void log_msg(enum log_level lvl, const char *extra_json, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define log_info(...) log_msg(LOG_INFO, NULL, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, NULL, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, NULL, __VA_ARGS__)
/* Writes a preformatted JSON object line (already complete, without newline). */
void log_line(str json);
/* The same line, held back with others to be written together: when log_flush is
 * called (a worker about to wait for a connection, or exiting), when the next would
 * not fit in 4 KB, when the oldest is a second old, or before any log_line. A pool
 * worker's request lines: under load, one write for a dozen requests. */
void log_line_held(str json);
void log_flush(void);
/* Makes a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) write the held lines first. */
void log_flush_on_crash(void);
/* ISO-8601 UTC timestamp with milliseconds into out (at least 32 bytes). */
void log_now_iso(char *out, size_t cap);
#endif
