/* fuzz_cookie.c — libFuzzer target for the Cookie header parser (parse_cookies). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 512);
    struct kvlist l = { 0 };
    int rc = parse_cookies(&a, str_make((const char *)data, size), &l);
    FUZZ_CHECK(rc == PARSE_OK || rc == PARSE_BAD_ENCODING || rc == PARSE_TOO_MANY);
    FUZZ_CHECK(l.n <= PARSE_MAX_FIELDS);
    if (rc == PARSE_OK) {
        FUZZ_CHECK(utf8_valid(str_make((const char *)data, size)));
        for (size_t i = 0; i < l.n; i++) {
            str k = l.items[i].key, v = l.items[i].val;
            /* Names are non-empty and trimmed; both are views into the header. */
            FUZZ_CHECK(k.len > 0);
            FUZZ_CHECK(!is_space(k.ptr[0]) && !is_space(k.ptr[k.len - 1]));
            FUZZ_CHECK(memchr(k.ptr, ';', k.len) == NULL && memchr(k.ptr, '=', k.len) == NULL);
            FUZZ_CHECK(fuzz_inside(k, data, size) && fuzz_inside(v, data, size));
            FUZZ_CHECK(v.len == 0 || memchr(v.ptr, ';', v.len) == NULL);
        }
    }
    arena_reset(&a);
    arena_destroy(&a);
    return 0;
}
