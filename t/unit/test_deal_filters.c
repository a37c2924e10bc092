/* test_deal_filters.c — the deals list's parameters: defaults, valid values, each bad
 * value naming its field, and the signed cursor (round trip, tampering, sort and
 * list binding: a calls cursor is never a deals cursor). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/app/calls/call_filters.h"
#include "../../src/app/deals/deal_filters.h"
#include "../../src/core/buf.h"
#include "unit.h"

static const str secret = STR("a-test-secret-key-of-32-bytes-or-more!!");
#define ID "0b6c1e9e-3f7a-4c59-9a43-2a1f0d3c8e11"

static int parse(const char *qs, struct deal_filter *f, struct deal_filter_error *err)
{
    struct kvlist q = { 0 };
    assert_int_equal(parse_urlencoded(&A, str_from(qs), &q), PARSE_OK);
    struct deal_filter_error errs[DP_COUNT];
    int n = deal_filter_parse(&A, &q, secret, f, errs, DP_COUNT);
    if (n && err) *err = errs[0];
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
    static const struct { const char *qs; enum deal_param p; } cases[] = {
        { "stage=won", DP_STAGE }, { "risk=medium", DP_RISK }, { "owner_id=me", DP_OWNER_ID },
        { "min_value=1.5", DP_MIN_VALUE }, { "max_value=-1", DP_MAX_VALUE }, { "min_value=5&max_value=4", DP_MAX_VALUE },
        { "due_before=2025-02-29", DP_DUE_BEFORE }, { "sort=oldest", DP_SORT }, { "limit=201", DP_LIMIT },
        { "archived=yes", DP_ARCHIVED }, { "deleted=2", DP_DELETED }, { "cursor=x.y", DP_CURSOR },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct deal_filter f;
        struct deal_filter_error e;
        assert_int_equal(parse(cases[i].qs, &f, &e), 1);
        assert_int_equal(e.param, cases[i].p);
    }
}

static void test_cursor(void **state)
{
    struct deal_cursor c = { .sort = DEAL_SORT_VALUE, .key = 123456, .id = ID }, back;
    str tok = deal_cursor_encode(&A, secret, &c);
    assert_int_equal(deal_cursor_decode(secret, tok, &back), 0);
    assert_int_equal(back.sort, DEAL_SORT_VALUE);
    assert_int_equal(back.key, 123456);
    assert_string_equal(back.id, ID);
    /* Tampered, wrong key, or bound to another sort or list: refused. */
    char *t = str_cstr(&A, tok);
    t[2] = t[2] == 'A' ? 'B' : 'A';
    assert_int_equal(deal_cursor_decode(secret, str_from(t), &back), -1);
    assert_int_equal(deal_cursor_decode(STR("another-secret-key-of-32-bytes-xxxxx"), tok, &back), -1);
    struct deal_filter f;
    struct buf qs;
    buf_init(&qs, &A, 128);
    buf_puts(&qs, "sort=due&cursor=");
    buf_url_arg(&qs, tok);
    assert_int_equal(parse(buf_cstr(&qs), &f, NULL), 1);
    struct list_cursor cc = { .sort = CALL_SORT_NEWEST, .key = 1, .id = ID };
    str calls_token = list_cursor_encode(&A, secret, CALL_CURSOR_PURPOSE, CALL_SORT_CODES, &cc);
    assert_int_equal(deal_cursor_decode(secret, calls_token, &back), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_bad_values_name_their_field),
        cmocka_unit_test(test_cursor),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
