/* fuzz_query.c — libFuzzer target for query strings: parse_urlencoded and url_decode. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 512);
    str in = str_make((const char *)data, size);

    struct kvlist l = { 0 };
    int rc = parse_urlencoded(&a, in, &l);
    FUZZ_CHECK(rc == PARSE_OK || rc == PARSE_BAD_ENCODING || rc == PARSE_TOO_MANY);
    FUZZ_CHECK(l.n <= PARSE_MAX_FIELDS);
    if (rc == PARSE_OK) {
        for (size_t i = 0; i < l.n; i++) {
            fuzz_check_text(l.items[i].key);
            fuzz_check_text(l.items[i].val);
            FUZZ_CHECK(kvlist_get(&l, str_cstr(&a, l.items[i].key)) != NULL); /* keys hold no NUL */
        }
    }

    for (int plus = 0; plus < 2; plus++) {
        str out = STR_NULL;
        rc = url_decode(&a, in, plus != 0, &out);
        FUZZ_CHECK(rc == PARSE_OK || rc == PARSE_BAD_ENCODING);
        if (rc == PARSE_OK) {
            fuzz_check_text(out);
            FUZZ_CHECK(out.len <= size); /* decoding never grows the input */
        }
    }
    arena_reset(&a);
    arena_destroy(&a);
    return 0;
}
