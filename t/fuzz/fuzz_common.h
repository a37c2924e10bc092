/* fuzz_common.h — helpers shared by the libFuzzer targets (invariant checks over parser output). */
#ifndef SB_FUZZ_COMMON_H
#define SB_FUZZ_COMMON_H
#include <stdlib.h>
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/http/request.h"

/* Crashes (so libFuzzer reports it) when an invariant does not hold. */
#define FUZZ_CHECK(cond) \
    do { \
        if (!(cond)) abort(); \
    } while (0)

/* A parsed text value: valid UTF-8 with no NUL byte, as url_decode promises. */
static inline void fuzz_check_text(str s)
{
    FUZZ_CHECK(utf8_valid(s));
    FUZZ_CHECK(s.len == 0 || memchr(s.ptr, '\0', s.len) == NULL);
}

/* true if s lies entirely inside [base, base + n). */
static inline int fuzz_inside(str s, const void *base, size_t n)
{
    const char *b = base;
    return s.len == 0 || (s.ptr >= b && s.ptr + s.len <= b + n);
}
#endif
