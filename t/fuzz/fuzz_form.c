/* fuzz_form.c — libFuzzer target for request bodies as the pipeline dispatches them: the first
 * line is the Content-Type, the rest the body (urlencoded form, JSON or multipart). */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 512);
    str in = str_make((const char *)data, size), content_type, body;
    if (!str_cut(in, '\n', &content_type, &body)) {
        content_type = STR("application/x-www-form-urlencoded");
        body = in;
    }
    str type = content_type_base(&a, content_type);
    FUZZ_CHECK(type.len <= content_type.len && type.ptr[type.len] == '\0');
    for (size_t i = 0; i < type.len; i++) FUZZ_CHECK(!(type.ptr[i] >= 'A' && type.ptr[i] <= 'Z'));

    struct kvlist form = { 0 };
    int rc;
    if (str_eq(type, STR("application/json"))) {
        struct json_object *root = NULL;
        rc = parse_json(&a, body, &root);
        FUZZ_CHECK((rc == PARSE_OK) == (root != NULL));
    } else if (str_eq(type, STR("multipart/form-data"))) {
        str boundary;
        struct upload *files = NULL;
        size_t nfiles = 0;
        rc = multipart_boundary(content_type, &boundary);
        if (rc == PARSE_OK) rc = parse_multipart(&a, body, boundary, &form, &files, &nfiles);
        if (rc == PARSE_OK) FUZZ_CHECK(nfiles == 0 || files != NULL);
    } else {
        rc = parse_urlencoded(&a, body, &form);
        if (rc == PARSE_OK)
            for (size_t i = 0; i < form.n; i++) {
                fuzz_check_text(form.items[i].key);
                fuzz_check_text(form.items[i].val);
            }
    }
    FUZZ_CHECK(rc <= 0 && rc >= PARSE_TRUNCATED);
    if (rc == PARSE_OK) FUZZ_CHECK(form.n <= PARSE_MAX_FIELDS);
    arena_reset(&a);
    arena_destroy(&a);
    return 0;
}
