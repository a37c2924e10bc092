/* test_params.c — the shared list machinery: declared parameters (each type, its
 * bounds and messages), field errors (first message wins, JSON), the one boolean
 * spelling, LIKE escaping, and the signed list cursor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../src/app/common/cursor.h"
#include "../../src/app/common/field_errors.h"
#include "../../src/app/common/params.h"
#include "../../src/core/buf.h"
#include "../../src/http/request.h"
#include "unit.h"

static const char *const colours[] = { "red", "green", "blue", NULL };
enum { P_NAME, P_Q, P_LIMIT, P_FLAG, P_COLOUR, P_COLOURS, P_ID, P_DAY, P_RAW, P_COUNT };
static const struct param_spec specs[P_COUNT] = {
    { "name", PARAM_LIKE, 0, 0, NULL, NULL },
    { "q", PARAM_TEXT, 0, 10, NULL, NULL },
    { "limit", PARAM_INT, 1, 200, NULL, NULL },
    { "flag", PARAM_BOOL, 0, 0, NULL, NULL },
    { "colour", PARAM_ENUM, 0, 0, colours, "must be red, green or blue" },
    { "colours", PARAM_ENUM_SET, 0, 0, colours, "must be red, green or blue (separated by commas)" },
    { "id", PARAM_UUID, 0, 0, NULL, NULL },
    { "day", PARAM_DATE, 0, 0, NULL, NULL },
    { "raw", PARAM_RAW, 0, 0, NULL, NULL },
};

static int parse(const char *qs, struct param_value *v, struct field_errors *e)
{
    struct kvlist q = { 0 };
    assert_int_equal(parse_urlencoded(&A, str_from(qs), &q), PARSE_OK);
    memset(e, 0, sizeof *e);
    return params_parse(&A, &q, specs, P_COUNT, v, e);
}

static void test_absent_and_empty_are_not_given(void **state)
{
    struct param_value v[P_COUNT];
    struct field_errors e;
    assert_int_equal(parse("name=&limit=%20", v, &e), 0);
    for (int i = 0; i < P_COUNT; i++) assert_false(v[i].given);
    assert_int_equal(e.n, 0);
}

static void test_valid_values(void **state)
{
    struct param_value v[P_COUNT];
    struct field_errors e;
    assert_int_equal(parse("name=50%25_off%5C&q=hello&limit=200&flag=on&colour=green&colours=blue,red,blue"
                           "&id=0b0e7a9e-8f2e-4c51-9a57-1d2b3c4d5e6f&day=2024-02-29&raw=%20x%20",
                           v, &e),
                     0);
    assert_string_equal(v[P_NAME].text, "50\\%\\_off\\\\");
    assert_string_equal(v[P_Q].text, "hello");
    assert_int_equal(v[P_LIMIT].num, 200);
    assert_int_equal(v[P_FLAG].num, 1);
    assert_int_equal(v[P_COLOUR].num, 1);
    assert_string_equal(v[P_COLOUR].text, "green");
    assert_string_equal(v[P_COLOURS].text, "{blue,red}");
    assert_int_equal(v[P_COLOURS].num, (1 << 2) | 1);
    assert_true(v[P_ID].valid);
    assert_true(v[P_DAY].valid);
    assert_string_equal(v[P_RAW].text, "x");
}

static void test_each_bad_value_names_its_field(void **state)
{
    struct param_value v[P_COUNT];
    struct field_errors e;
    int n = parse("q=more+than+ten&limit=0&flag=yes&colour=pink&colours=red,,blue&id=nope&day=2023-02-29", v, &e);
    assert_int_equal(n, 7);
    assert_string_equal(field_error_of(&e, "q"), "must be at most 10 characters");
    assert_string_equal(field_error_of(&e, "limit"), "must be a whole number from 1 to 200");
    assert_string_equal(field_error_of(&e, "flag"), "must be true or false");
    assert_string_equal(field_error_of(&e, "colour"), "must be red, green or blue");
    assert_non_null(field_error_of(&e, "colours"));
    assert_string_equal(field_error_of(&e, "id"), "must be a UUID");
    assert_string_equal(field_error_of(&e, "day"), "must be a date (YYYY-MM-DD)");
    assert_false(v[P_LIMIT].valid);
    assert_true(v[P_LIMIT].given);
    assert_int_equal(parse("limit=99999999999999999999&q=a%01b", v, &e), 2);
    assert_string_equal(field_error_of(&e, "q"), "must not contain control characters");
}

static void test_bool_spellings(void **state)
{
    static const char *const yes[] = { "true", "1", "on" }, *const no[] = { "false", "0", "off" },
                             *const bad[] = { "", "TRUE", "yes", "2", "o" };
    for (size_t i = 0; i < 3; i++) assert_int_equal(param_bool(str_from(yes[i])), 1);
    for (size_t i = 0; i < 3; i++) assert_int_equal(param_bool(str_from(no[i])), 0);
    for (size_t i = 0; i < 5; i++) assert_int_equal(param_bool(str_from(bad[i])), -1);
}

static void test_query_string_keeps_given_values(void **state)
{
    struct param_value v[P_COUNT];
    struct field_errors e;
    parse("name=a+b&limit=5&colour=red", v, &e);
    struct buf b;
    buf_init(&b, &A, 64);
    params_query_string(specs, v, P_COUNT, (uint64_t)1 << P_LIMIT, &b);
    assert_string_equal(buf_cstr(&b), "name=a%20b&colour=red");
    assert_int_equal(params_index(specs, P_COUNT, "colour"), P_COLOUR);
    assert_int_equal(params_index(specs, P_COUNT, "nope"), -1);
}

static void test_field_errors_first_wins_and_json(void **state)
{
    struct field_errors e = { 0 };
    field_error_add(&e, "a", "first");
    field_error_add(&e, "a", "second");
    field_error_add(&e, "b", "other");
    assert_int_equal(e.n, 2);
    assert_string_equal(field_error_of(&e, "a"), "first");
    assert_null(field_error_of(&e, "c"));
    struct json_object *j = field_errors_json(&e);
    assert_string_equal(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN), "{\"a\":\"first\",\"b\":\"other\"}");
    json_object_put(j);
    struct field_errors many = { 0 };
    char names[FIELD_ERRORS_MAX + 5][8];
    for (int i = 0; i < FIELD_ERRORS_MAX + 5; i++) {
        snprintf(names[i], sizeof names[i], "f%d", i);
        field_error_add(&many, names[i], "bad");
    }
    assert_int_equal(many.n, FIELD_ERRORS_MAX + 5); /* still refused, even past the cap */
}

static const str secret = STR("a-test-secret-key-of-32-bytes-or-more!!");

static void test_cursor_round_trip_and_binding(void **state)
{
    struct list_cursor c = { 2, -1234567890123LL, "0b0e7a9e-8f2e-4c51-9a57-1d2b3c4d5e6f" }, out;
    str t = list_cursor_encode(&A, secret, "things-cursor", "nol", &c);
    assert_int_equal(list_cursor_decode(secret, "things-cursor", "nol", t, &out), 0);
    assert_int_equal(out.sort, 2);
    assert_true(out.key == c.key);
    assert_string_equal(out.id, c.id);
    assert_int_equal(list_cursor_decode(secret, "other-cursor", "nol", t, &out), -1);
    assert_int_equal(list_cursor_decode(STR("another-secret-key-of-32-bytes-or-more"), "things-cursor", "nol", t, &out), -1);
    assert_int_equal(list_cursor_decode(secret, "things-cursor", "no", t, &out), -1); /* 'l' unknown */
    char *tampered = str_cstr(&A, t);
    tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
    assert_int_equal(list_cursor_decode(secret, "things-cursor", "nol", str_from(tampered), &out), -1);
    assert_int_equal(list_cursor_decode(secret, "things-cursor", "nol", STR(""), &out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_absent_and_empty_are_not_given),
        cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_each_bad_value_names_its_field),
        cmocka_unit_test(test_bool_spellings),
        cmocka_unit_test(test_query_string_keeps_given_values),
        cmocka_unit_test(test_field_errors_first_wins_and_json),
        cmocka_unit_test(test_cursor_round_trip_and_binding),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
