/* fuzz_json.c — libFuzzer target for JSON bodies (parse_json); the root is released by the arena. */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 512);
    struct json_object *root = NULL;
    int rc = parse_json(&a, str_make((const char *)data, size), &root);
    FUZZ_CHECK(rc == PARSE_OK || rc == PARSE_BAD_ENCODING || rc == PARSE_TOO_LARGE);
    if (rc == PARSE_OK) {
        FUZZ_CHECK(root != NULL);
        FUZZ_CHECK(utf8_valid(str_make((const char *)data, size)));
        /* Walk it the way handlers do: serialise, and look up a member. */
        size_t n = 0;
        const char *text = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN, &n);
        FUZZ_CHECK(text != NULL && strlen(text) == n);
        struct json_object *v;
        if (json_object_is_type(root, json_type_object) && json_object_object_get_ex(root, "name", &v) &&
            json_object_is_type(v, json_type_string))
            FUZZ_CHECK(json_object_get_string_len(v) >= 0);
    } else {
        FUZZ_CHECK(root == NULL);
    }
    arena_reset(&a); /* releases the json-c root (a leak here is reported by LeakSanitizer) */
    arena_destroy(&a);
    return 0;
}
