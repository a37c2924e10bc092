/* fuzz_multipart.c — libFuzzer target for multipart/form-data: multipart_boundary on a derived
 * Content-Type, then parse_multipart on the rest of the input. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input layout: the boundary parameter text up to the first '\n' (at most 100 bytes),
 * then the body. Without a '\n' a fixed boundary is used and the whole input is the body. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 512);
    str in = str_make((const char *)data, size);
    str param = STR("XyZ"), body = in;
    const char *nl = size ? memchr(data, '\n', size < 101 ? size : 101) : NULL;
    if (nl) {
        param = str_make((const char *)data, (size_t)(nl - (const char *)data));
        body = str_make(nl + 1, size - param.len - 1);
    }
    struct buf ct;
    buf_init(&ct, &a, 128);
    buf_puts(&ct, "multipart/form-data; charset=utf-8; boundary=");
    buf_put(&ct, param);

    str boundary = STR_NULL;
    int rc = multipart_boundary(buf_str(&ct), &boundary);
    FUZZ_CHECK(rc == PARSE_OK || rc == PARSE_BAD_ENCODING);
    if (rc == PARSE_OK) {
        FUZZ_CHECK(boundary.len >= 1 && boundary.len <= 70);
        FUZZ_CHECK(fuzz_inside(boundary, ct.data, ct.len));
        FUZZ_CHECK(str_eq(content_type_base(&a, buf_str(&ct)), STR("multipart/form-data")));

        struct kvlist fields = { 0 };
        struct upload *files = NULL;
        size_t nfiles = 0;
        rc = parse_multipart(&a, body, boundary, &fields, &files, &nfiles);
        FUZZ_CHECK(rc == PARSE_OK || rc == PARSE_BAD_ENCODING || rc == PARSE_TOO_MANY || rc == PARSE_TRUNCATED);
        if (rc == PARSE_OK) {
            FUZZ_CHECK(fields.n + nfiles <= PARSE_MAX_FIELDS);
            for (size_t i = 0; i < fields.n; i++) {
                FUZZ_CHECK(utf8_valid(fields.items[i].key) && utf8_valid(fields.items[i].val));
                FUZZ_CHECK(fuzz_inside(fields.items[i].val, body.ptr, body.len));
            }
            for (size_t i = 0; i < nfiles; i++) {
                FUZZ_CHECK(files[i].filename.ptr != NULL);
                FUZZ_CHECK(fuzz_inside(files[i].data, body.ptr, body.len));
                FUZZ_CHECK(fuzz_inside(files[i].filename, body.ptr, body.len));
                FUZZ_CHECK(fuzz_inside(files[i].content_type, body.ptr, body.len));
            }
        }
    }
    arena_reset(&a);
    arena_destroy(&a);
    return 0;
}
