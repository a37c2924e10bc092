/* log.c — JSON lines on stderr, one write(2) per line so workers never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

static enum log_level g_level = LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void log_set_level(enum log_level lvl) { g_level = lvl; }

bool log_level_parse(const char *s, enum log_level *out)
{
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    return false;
}

void log_now_iso(char *out, size_t cap)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, cap, "%s.%03ldZ", base, (long)(tv.tv_usec / 1000));
}

void log_line(str json)
{
    char small[4096];
    struct buf b = { small, 0, sizeof small, NULL };
    if (json.len + 2 > sizeof small) {
        buf_init(&b, NULL, json.len + 2);
    }
    buf_append(&b, json.ptr, json.len);
    buf_putc(&b, '\n');
    ssize_t w = write(STDERR_FILENO, b.data, b.len);
    (void)w; /* nowhere left to report a failed log write */
    if (b.data != small) buf_free(&b);
}

void log_msg(enum log_level lvl, const char *extra_json, const char *fmt, ...)
{
    if (lvl < g_level) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char now[40];
    log_now_iso(now, sizeof now);
    struct buf b;
    buf_init(&b, NULL, 256);
    buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"pid\":%ld,\"msg\":", now, level_names[lvl],
               (long)getpid());
    buf_json_str(&b, str_from(msg));
    if (extra_json && *extra_json) {
        buf_putc(&b, ',');
        buf_puts(&b, extra_json);
    }
    buf_putc(&b, '}');
    log_line(buf_str(&b));
    buf_free(&b);
}
