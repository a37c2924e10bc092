/* buf.h — growable byte buffer backed by an arena (or malloc when arena is NULL). */
#ifndef SB_BUF_H
#define SB_BUF_H
#include <stdarg.h>
#include <string.h>
#include "str.h"
struct arena;

struct buf {
    char *data;
    size_t len;
    size_t cap;
    struct arena *arena; /* NULL: malloc-backed, release with buf_free */
};

void buf_init(struct buf *b, struct arena *a, size_t cap);
void buf_free(struct buf *b);                    /* only for malloc-backed */
/* Grows the buffer for extra more bytes (and the trailing NUL); aborts when memory
 * runs out. */
void buf_grow(struct buf *b, size_t extra);
/* The appends are inline: a JSON list or a CSV export makes one per value, and a
 * call each cost more than the copy (measured: docs/ARCHITECTURE.md, "JSON lists"). */
static inline void buf_reserve(struct buf *b, size_t extra)
{
    if (!b->data || extra >= b->cap - b->len) buf_grow(b, extra); /* len < cap: never wraps */
}
static inline void buf_append(struct buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}
static inline void buf_putc(struct buf *b, char c)
{
    buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}
static inline void buf_put(struct buf *b, str s) { buf_append(b, s.ptr, s.len); }
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void buf_put_long(struct buf *b, long v);
/* v / 1000 with three decimals, as printf's "%.3f" writes it ("12.345", "-0.005"),
 * without its floating point: microseconds as milliseconds in a log line. */
void buf_put_thousandths(struct buf *b, long v);
/* The content as a view / as a NUL-terminated string (a NUL is kept after len). */
static inline str buf_str(const struct buf *b) { return (str){ b->data, b->len }; }
const char *buf_cstr(struct buf *b);
static inline void buf_clear(struct buf *b) { b->len = 0; }

/* Output helpers named by escaping context, for the few places outside templates. */
void buf_html_text(struct buf *b, str s);  /* & < > " ' escaped */
/* A value as the templates' HTML auto-escaping writes it (ctemplate's :h): the five
 * entities of buf_html_text, and \t \n \v \f \r as spaces. For markup written in C
 * that must read as the template's would (calls.c's list rows). */
void buf_html_value(struct buf *b, str s);
void buf_url_arg(struct buf *b, str s);    /* percent-encodes all but unreserved */
void buf_json_str(struct buf *b, str s);   /* quoted JSON string, \u-escaping controls */
#endif
