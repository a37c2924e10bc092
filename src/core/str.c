/* str.c — helpers over length-carrying string views. */
#include "str.h"

#include <stdio.h>

#include <limits.h>

#include "arena.h"

bool str_eq(str a, str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool str_eq_cstr(str a, const char *b)
{
    return str_eq(a, str_from(b));
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

bool str_case_eq(str a, str b)
{
    if (a.len != b.len) return false;
    for (size_t i = 0; i < a.len; i++)
        if (lower(a.ptr[i]) != lower(b.ptr[i])) return false;
    return true;
}

bool str_starts_with(str s, str prefix)
{
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
}

bool str_case_starts_with(str s, str prefix)
{
    return s.len >= prefix.len && str_case_eq(str_make(s.ptr, prefix.len), prefix);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

str str_trim(str s)
{
    while (s.len && is_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && is_space(s.ptr[s.len - 1])) s.len--;
    return s;
}

bool str_cut(str s, char c, str *head, str *rest)
{
    const char *p = s.len ? memchr(s.ptr, c, s.len) : NULL;
    if (!p) {
        *head = s;
        *rest = str_make(s.ptr + s.len, 0);
        return false;
    }
    *head = str_make(s.ptr, (size_t)(p - s.ptr));
    *rest = str_make(p + 1, s.len - (size_t)(p - s.ptr) - 1);
    return true;
}

long str_find(str s, str needle)
{
    if (needle.len == 0) return 0;
    if (s.len < needle.len) return -1;
    const char *p = memmem(s.ptr, s.len, needle.ptr, needle.len);
    return p ? (long)(p - s.ptr) : -1;
}

char *str_cstr(struct arena *a, str s)
{
    return arena_strndup(a, s.ptr ? s.ptr : "", s.len);
}

str str_dup(struct arena *a, str s)
{
    return str_make(arena_strndup(a, s.ptr ? s.ptr : "", s.len), s.len);
}

bool str_to_u64(str s, uint64_t *out)
{
    if (s.len == 0 || s.len > 20) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9') return false;
        uint64_t d = (uint64_t)(s.ptr[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool str_to_long(str s, long *out)
{
    bool neg = s.len > 0 && s.ptr[0] == '-';
    uint64_t v;
    if (!str_to_u64(neg ? str_make(s.ptr + 1, s.len - 1) : s, &v)) return false;
    if (neg ? v > (uint64_t)LONG_MAX + 1 : v > (uint64_t)LONG_MAX) return false;
    *out = neg ? (long)(0 - v) : (long)v;
    return true;
}

bool utf8_valid(str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t i = 0, n = s.len;
    while (i < n) {
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned cp, min;
        if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return false; /* continuation byte, overlong lead (C0/C1) or > F4 */
        if (n - i < len) return false;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool str_is_uuid(str s)
{
    if (s.len != 36) return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s.ptr[i] != '-' : !is_hex(s.ptr[i])) return false;
    }
    return true;
}

size_t utf8_length(str s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) n += ((unsigned char)s.ptr[i] & 0xC0) != 0x80;
    return n;
}

str str_of_long(struct arena *a, long v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%ld", v);
    return str_dup(a, str_make(t, (size_t)n));
}
