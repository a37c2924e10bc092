/* log.c — JSON lines on stderr, whole lines per write(2) so workers never interleave. */
#include "log.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"

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
    /* The date and time to the second are formatted once a second: a worker writes a
     * line per request, and strftime was most of it. */
    static time_t formatted_sec = -1;
    static char base[24];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    if (tv.tv_sec != formatted_sec) {
        struct tm tm;
        gmtime_r(&tv.tv_sec, &tm);
        strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
        formatted_sec = tv.tv_sec;
    }
    long ms = (long)(tv.tv_usec / 1000);
    char tail[6] = { '.', (char)('0' + ms / 100), (char)('0' + ms / 10 % 10), (char)('0' + ms % 10), 'Z', '\0' };
    snprintf(out, cap, "%s%s", base, tail);
}

/* Lines held back by log_line_held: at most PIPE_BUF bytes, so that their one write
 * to a pipe is never split or interleaved with another process's. */
static char held[4096];
static size_t held_len;
static int64_t held_since_us;

#define LOG_HOLD_US 1000000 /* the oldest held line is written within a second */

void log_flush(void)
{
    size_t n = held_len;
    held_len = 0;
    if (!n) return;
    ssize_t w = write(STDERR_FILENO, held, n);
    (void)w; /* nowhere left to report a failed log write */
}

void log_line_held(str json)
{
    if (json.len + 1 > sizeof held) {
        log_line(json);
        return;
    }
    if (held_len + json.len + 1 > sizeof held) log_flush();
    int64_t now = clock_mono_us();
    if (!held_len) held_since_us = now;
    memcpy(held + held_len, json.ptr, json.len);
    held[held_len + json.len] = '\n';
    held_len += json.len + 1;
    if (now - held_since_us >= LOG_HOLD_US) log_flush();
}

/* A crash writes the held lines before it ends the process the way it would have:
 * the previous handler (the default, or a sanitizer's) is put back; a fault happens
 * again when the faulting instruction runs again on return, with its own address for
 * a sanitizer to report, and a sent signal (abort's, kill's) is sent again. */
static struct sigaction crash_before[5];
static const int crash_signals[5] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

static void on_crash(int sig, siginfo_t *info, void *context)
{
    (void)context;
    log_flush(); /* write(2) is async-signal-safe, as are sigaction and raise */
    for (int i = 0; i < 5; i++)
        if (crash_signals[i] == sig) sigaction(sig, &crash_before[i], NULL);
    if (info->si_code <= 0) raise(sig); /* SI_USER, SI_TKILL, SI_QUEUE: sent, not a fault */
}

void log_flush_on_crash(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 5; i++) sigaction(crash_signals[i], &sa, &crash_before[i]);
}

void log_line(str json)
{
    log_flush(); /* the held lines came first */
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
