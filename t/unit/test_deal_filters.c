/* test_deal_filters.c — the deals list's parameters: defaults, valid values, each bad
 * value naming its field, the deleted list's own address, and the signed cursor
 * (round trip, tampering, sort and list binding: another list's cursor is never a
 * deals cursor). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/app/calls/call_filters.h"
#include "../../src/app/common/field_errors.h"
#include "../../src/app/deals/deal_filters.h"
#include "../../src/core/buf.h"
#include "unit.h"

static const str secret = STR("a-test-secret-key-of-32-bytes-or-more!!");
#define ID "0b6c1e9e-3f7a-4c59-9a43-2a1f0d3c8e11"

/* Parses qs for the live list; *field (when not NULL) names the first refused one. */
static int parse(const char *qs, struct deal_filter *f, const char **field)
{
    struct kvlist q = { 0 };
    assert_int_equal(parse_urlencoded(&A, str_from(qs), &q), PARSE_OK);
    struct field_errors e = { 0 };
    int n = deal_filter_parse(&A, &q, secret, false, "/deals/deleted", f, &e);
    if (n && field) *field = e.items[0].field;
    return n;
}

static void test_defaults(void **state)
{
    struct deal_filter f;
    assert_int_equal(parse("", &f, NULL), 0);
    assert_int_equal(f.sort, DEAL_SORT_UPDATED);
    assert_int_equal(f.limit, DEAL_LIMIT_DEFAULT);
    assert_false(f.archived);
    assert_false(f.deleted);
    assert_int_equal(f.min_value, -1);
    assert_null(f.stage);
    assert_null(f.q_like);
}

static void test_valid_values(void **state)
{
    struct deal_filter f;
    assert_int_equal(parse("stage=in_progress&risk=high&brand_id=" ID "&min_value=100&max_value=100"
                           "&due_before=2025-02-28&tag=summer&q=50%25_off&archived=true&sort=due&limit=200", &f, NULL), 0);
    assert_string_equal(f.stage, "in_progress");
    assert_string_equal(f.risk, "high");
    assert_string_equal(f.brand_id, ID);
    assert_int_equal(f.min_value, 100);
    assert_string_equal(f.due_before, "2025-02-28");
    assert_string_equal(f.q_like, "50\\%\\_off");
    assert_true(f.archived);
    assert_int_equal(f.sort, DEAL_SORT_DUE);
    assert_int_equal(f.limit, 200);
}

static void test_bad_values_name_their_field(void **state)
{
    static const struct { const char *qs; const char *field; } cases[] = {
        { "stage=won", "stage" }, { "risk=medium", "risk" }, { "owner_id=me", "owner_id" },
        { "min_value=1.5", "min_value" }, { "max_value=-1", "max_value" }, { "min_value=5&max_value=4", "max_value" },
        { "due_before=2025-02-29", "due_before" }, { "sort=oldest", "sort" }, { "limit=201", "limit" },
        { "archived=yes", "archived" }, { "deleted=2", "deleted" }, { "cursor=x.y", "cursor" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct deal_filter f;
        const char *field = NULL;
        assert_int_equal(parse(cases[i].qs, &f, &field), 1);
        assert_string_equal(field, cases[i].field);
    }
}

/* The deleted deals have their own list: deleted=true points there, and that list
 * takes the same parameters. */
static void test_deleted_list(void **state)
{
    struct deal_filter f;
    struct kvlist q = { 0 };
    struct field_errors e = { 0 };
    assert_int_equal(parse("deleted=true", &f, NULL), 1);
    assert_int_equal(parse("deleted=false", &f, NULL), 0);
    assert_false(f.deleted);
    assert_int_equal(parse_urlencoded(&A, STR("deleted=on"), &q), PARSE_OK);
    assert_int_equal(deal_filter_parse(&A, &q, secret, false, "/x/deleted", &f, &e), 1);
    assert_non_null(strstr(field_error_of(&e, "deleted"), "/x/deleted"));
    assert_int_equal(parse_urlencoded(&A, STR("tag=a"), &q), PARSE_OK);
    assert_int_equal(deal_filter_parse(&A, &q, secret, true, NULL, &f, &e), 0);
    assert_true(f.deleted);
    assert_string_equal(f.tag, "a");
}

static void test_cursor(void **state)
{
    struct list_cursor c = { .sort = DEAL_SORT_VALUE, .key = 123456, .id = ID }, back;
    str tok = deal_cursor_encode(&A, secret, &c);
    assert_int_equal(list_cursor_decode(secret, DEAL_CURSOR_PURPOSE, DEAL_SORT_CODES, tok, &back), 0);
    assert_int_equal(back.sort, DEAL_SORT_VALUE);
    assert_int_equal(back.key, 123456);
    assert_string_equal(back.id, ID);
    /* Tampered, wrong key, or bound to another sort or list: refused. */
    char *t = str_cstr(&A, tok);
    t[2] = t[2] == 'A' ? 'B' : 'A';
    assert_int_equal(list_cursor_decode(secret, DEAL_CURSOR_PURPOSE, DEAL_SORT_CODES, str_from(t), &back), -1);
    assert_int_equal(list_cursor_decode(STR("another-secret-key-of-32-bytes-xxxxx"), DEAL_CURSOR_PURPOSE, DEAL_SORT_CODES,
                                        tok, &back), -1);
    struct deal_filter f;
    struct buf qs;
    buf_init(&qs, &A, 128);
    buf_puts(&qs, "sort=due&cursor=");
    buf_url_arg(&qs, tok);
    assert_int_equal(parse(buf_cstr(&qs), &f, NULL), 1);
    struct buf same;
    buf_init(&same, &A, 128);
    buf_puts(&same, "sort=value&cursor=");
    buf_url_arg(&same, tok);
    assert_int_equal(parse(buf_cstr(&same), &f, NULL), 0);
    assert_true(f.has_cursor);
    assert_int_equal(f.cursor.key, 123456);
    struct list_cursor cc = { .sort = CALL_SORT_NEWEST, .key = 1, .id = ID };
    str calls = list_cursor_encode(&A, secret, CALL_CURSOR_PURPOSE, CALL_SORT_CODES, &cc);
    assert_int_equal(list_cursor_decode(secret, DEAL_CURSOR_PURPOSE, DEAL_SORT_CODES, calls, &back), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_bad_values_name_their_field),
        cmocka_unit_test(test_deleted_list),
        cmocka_unit_test(test_cursor),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
