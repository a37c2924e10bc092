/* str.h — length-carrying string views; NUL-terminated only at library edges. */
#ifndef SB_STR_H
#define SB_STR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
struct arena;

typedef struct str {
    const char *ptr;
    size_t len;
} str;

#define STR(lit) ((str){ (lit), sizeof(lit) - 1 })
#define STR_NULL ((str){ NULL, 0 })
#define STR_FMT(s) (int)(s).len, (s).ptr /* for "%.*s" */

static inline str str_from(const char *s) { return (str){ s, s ? strlen(s) : 0 }; }
static inline str str_make(const char *p, size_t n) { return (str){ p, n }; }
static inline bool str_empty(str s) { return s.len == 0; }

bool str_eq(str a, str b);
bool str_eq_cstr(str a, const char *b);
bool str_case_eq(str a, str b);  /* ASCII case-insensitive */
bool str_starts_with(str s, str prefix);
bool str_case_starts_with(str s, str prefix);
str str_trim(str s);            /* strips ASCII whitespace both ends */
/* Splits s at the first c: head before, *rest after (rest empty if c absent).
 * Returns false if c was not found. */
bool str_cut(str s, char c, str *head, str *rest);
/* Position of needle in s, or -1. */
long str_find(str s, str needle);
/* NUL-terminated copy in the arena. */
char *str_cstr(struct arena *a, str s);
/* Copy into the arena (as a str). */
str str_dup(struct arena *a, str s);
/* The decimal text of v, in the arena. */
str str_of_long(struct arena *a, long v);
/* Strict decimal parse: optional '-', digits only, no overflow. */
bool str_to_long(str s, long *out);
bool str_to_u64(str s, uint64_t *out);
/* Characters (code points) in s, counting every byte that starts one: limits that
 * users read as "characters" ("at most 200") are measured with this, not len. */
size_t utf8_length(str s);
/* true if s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool utf8_valid(str s);
/* true if s is a canonical textual UUID (8-4-4-4-12 hex). */
bool str_is_uuid(str s);
#endif
