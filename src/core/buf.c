/* buf.c — growable buffer in an arena (or malloc), always NUL-terminated after len. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>

#include "arena.h"

void buf_init(struct buf *b, struct arena *a, size_t cap)
{
    b->arena = a;
    b->len = 0;
    b->cap = cap ? cap : 64;
    b->data = a ? arena_alloc(a, b->cap) : malloc(b->cap);
    if (!b->data) abort();
    b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
    if (!b->arena) free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_grow(struct buf *b, size_t extra)
{
    if (!b->data) buf_init(b, b->arena, extra + 1);
    if (extra > SIZE_MAX / 2 - b->len) abort();
    size_t need = b->len + extra + 1; /* room for the trailing NUL */
    if (need <= b->cap) return;
    size_t cap = b->cap * 2;
    if (cap < need) cap = need;
    if (b->arena) {
        b->data = arena_realloc(b->arena, b->data, b->len + 1, cap);
    } else {
        char *p = realloc(b->data, cap);
        if (!p) abort();
        b->data = p;
    }
    b->cap = cap;
}

void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    buf_reserve(b, 64);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        buf_reserve(b, (size_t)n);
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
    }
    va_end(again);
    if (n > 0) b->len += (size_t)n;
    b->data[b->len] = '\0';
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_put_long(struct buf *b, long v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%ld", v);
    buf_append(b, tmp, (size_t)n);
}

void buf_put_thousandths(struct buf *b, long v)
{
    char tmp[32];
    char *end = tmp + sizeof tmp, *p = end;
    unsigned long u = v < 0 ? 0 - (unsigned long)v : (unsigned long)v;
    for (int i = 0; i < 3; i++, u /= 10) *--p = (char)('0' + u % 10);
    *--p = '.';
    do *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--p = '-';
    buf_append(b, p, (size_t)(end - p));
}

const char *buf_cstr(struct buf *b)
{
    if (!b->data) buf_init(b, b->arena, 16);
    return b->data;
}

/* Bytes the HTML escapes replace: the five with an entity (1) and the whitespace
 * controls ctemplate writes as a space (2); every other byte is copied, in runs. */
static const unsigned char html_special[256] = {
    ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
    ['\t'] = 2, ['\n'] = 2, ['\v'] = 2, ['\f'] = 2, ['\r'] = 2,
};

/* buf_html_text and buf_html_value: the five entities, and with controls_as_space
 * the whitespace controls as a space. A value of a list row is a few bytes long, and
 * a page has hundreds: written byte by byte into room reserved once for the worst
 * case, without a bounds check or a copy call per run. A long text (over 4 KB, where
 * the worst case's room would be large) is copied in runs. */
static void html_escape(struct buf *b, str s, bool controls_as_space)
{
    const unsigned char limit = controls_as_space ? 2 : 1; /* the kinds this escape replaces */
    if (s.len <= 4096) {
        buf_reserve(b, s.len * 6); /* "&quot;" is the longest replacement */
        char *o = b->data + b->len;
        for (size_t i = 0; i < s.len; i++) {
            unsigned char c = (unsigned char)s.ptr[i];
            unsigned char kind = html_special[c];
            if (!kind || kind > limit) {
                *o++ = (char)c;
                continue;
            }
            switch (c) {
            case '&': memcpy(o, "&amp;", 5), o += 5; break;
            case '<': memcpy(o, "&lt;", 4), o += 4; break;
            case '>': memcpy(o, "&gt;", 4), o += 4; break;
            case '"': memcpy(o, "&quot;", 6), o += 6; break;
            case '\'': memcpy(o, "&#39;", 5), o += 5; break;
            default: *o++ = ' ';
            }
        }
        *o = '\0';
        b->len = (size_t)(o - b->data);
        return;
    }
    size_t run = 0; /* where the run of bytes copied as they are starts */
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        unsigned char kind = html_special[c];
        if (!kind || kind > limit) continue;
        if (i > run) buf_append(b, s.ptr + run, i - run);
        run = i + 1;
        switch (c) {
        case '&': buf_append(b, "&amp;", 5); break;
        case '<': buf_append(b, "&lt;", 4); break;
        case '>': buf_append(b, "&gt;", 4); break;
        case '"': buf_append(b, "&quot;", 6); break;
        case '\'': buf_append(b, "&#39;", 5); break;
        default: buf_putc(b, ' ');
        }
    }
    if (s.len > run) buf_append(b, s.ptr + run, s.len - run);
}

void buf_html_text(struct buf *b, str s) { html_escape(b, s, false); }

void buf_html_value(struct buf *b, str s) { html_escape(b, s, true); }

void buf_url_arg(struct buf *b, str s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            buf_putc(b, (char)c);
        } else {
            char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
            buf_append(b, esc, 3);
        }
    }
}

/* Which bytes a JSON string cannot hold as they are: controls, DEL, '"' and '\\'. */
static bool json_escaped(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
}

void buf_json_str(struct buf *b, str s)
{
    static const char hex[] = "0123456789abcdef";
    buf_reserve(b, s.len + 2);
    buf_putc(b, '"');
    if (!s.len) {
        buf_putc(b, '"');
        return;
    }
    size_t run = 0; /* start of the bytes not yet written, which need no escape */
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (!json_escaped(c)) continue;
        buf_append(b, s.ptr + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': buf_append(b, "\\\"", 2); break;
        case '\\': buf_append(b, "\\\\", 2); break;
        case '\n': buf_append(b, "\\n", 2); break;
        case '\r': buf_append(b, "\\r", 2); break;
        case '\t': buf_append(b, "\\t", 2); break;
        default: {
            char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            buf_append(b, esc, 6);
        }
        }
    }
    buf_append(b, s.ptr + run, s.len - run);
    buf_putc(b, '"');
}
