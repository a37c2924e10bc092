/* input.c — form and JSON fields read alike, and the shared value checks. */
#include "input.h"

#include <ctype.h>
#include <json-c/json.h>
#include <string.h>

#include "../../domain/civil_date.h"
#include "../../http/request.h"
#include "field_errors.h"

/* A JSON member as text; objects and arrays are not values of any field here. */
static str json_member_text(struct request *r, const char *key, bool *present, struct field_errors *e)
{
    struct json_object *v;
    if (!json_object_is_type(r->json, json_type_object) || !json_object_object_get_ex(r->json, key, &v)) {
        *present = false;
        return STR("");
    }
    *present = true;
    switch (json_object_get_type(v)) {
    case json_type_null: return STR("");
    case json_type_string: return str_make(json_object_get_string(v), (size_t)json_object_get_string_len(v));
    case json_type_int:
    case json_type_boolean:
    case json_type_double: return str_dup(r->arena, str_from(json_object_get_string(v)));
    default: field_error_add(e, key, "Must be a string or a number."); return STR("");
    }
}

str input_value(struct request *r, const char *key, bool *present, struct field_errors *e)
{
    bool dummy;
    if (!present) present = &dummy;
    if (r->json) return json_member_text(r, key, present, e);
    const str *v = kvlist_get(&r->form, key);
    *present = v != NULL;
    return v ? *v : STR("");
}

bool input_read_version(struct request *r, long *version, bool required, struct field_errors *e)
{
    bool present;
    str v = input_value(r, "version", &present, e);
    *version = -1;
    if (!present && !required) return true;
    if (!str_to_long(str_trim(v), version) || *version < 1) {
        field_error_add(e, "version", "Send the version the change is based on.");
        return false;
    }
    return true;
}

bool input_valid_date(str s)
{
    int64_t day;
    return civil_parse_date(s, &day);
}

static bool digits(str s, size_t at, size_t n)
{
    if (at + n > s.len) return false;
    for (size_t i = at; i < at + n; i++)
        if (!isdigit((unsigned char)s.ptr[i])) return false;
    return true;
}

/* Two digits at `at` as a number (digits checked by the caller). */
static int two(str s, size_t at) { return (s.ptr[at] - '0') * 10 + (s.ptr[at + 1] - '0'); }

bool input_valid_datetime(str s)
{
    if (s.len < 16 || !input_valid_date(str_make(s.ptr, 10))) return false;
    if ((s.ptr[10] != 'T' && s.ptr[10] != ' ') || !digits(s, 11, 2) || s.ptr[13] != ':' || !digits(s, 14, 2))
        return false;
    if (two(s, 11) > 23 || two(s, 14) > 59) return false;
    size_t i = 16;
    if (i < s.len && s.ptr[i] == ':') {
        if (!digits(s, i + 1, 2) || two(s, i + 1) > 59) return false;
        i += 3;
    }
    if (i == s.len) return true;
    if (s.ptr[i] == 'Z') return i + 1 == s.len;
    if (s.ptr[i] != '+' && s.ptr[i] != '-') return false;
    if (!digits(s, i + 1, 2) || two(s, i + 1) > 14) return false;
    i += 3;
    if (i == s.len) return true;
    if (s.ptr[i] == ':') i++;
    return digits(s, i, 2) && i + 2 == s.len && two(s, i) <= 59;
}

bool input_valid_url(str s)
{
    str rest;
    if (str_starts_with(s, STR("https://"))) rest = str_make(s.ptr + 8, s.len - 8);
    else if (str_starts_with(s, STR("http://"))) rest = str_make(s.ptr + 7, s.len - 7);
    else return false;
    if (rest.len == 0 || s.len > 2048 || rest.ptr[0] == '/') return false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c <= 0x20 || c == 0x7f) return false;
    }
    return true;
}

bool input_one_of(str v, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq_cstr(v, set[i])) return true;
    return false;
}
