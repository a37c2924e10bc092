/* test_call_filters.c — the calls list's parameters: each valid form, each bad value
 * naming its field, the boolean spellings, and the signed cursor (round trip,
 * tampering, sort binding). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../src/app/calls/call_filters.h"
#include "../../src/app/common/field_errors.h"
#include "../../src/core/buf.h"
#include "unit.h"

static const str secret = STR("a-test-secret-key-of-32-bytes-or-more!!");

/* Parses a query string; returns the error count, the errors in *e (may be NULL). */
static int parse(const char *qs, struct call_filter *f, struct field_errors *e)
{
    struct kvlist q = { 0 };
    assert_int_equal(parse_urlencoded(&A, str_from(qs), &q), PARSE_OK);
    struct field_errors errs = { 0 };
    int n = call_filter_parse(&A, &q, secret, f, &errs);
    assert_int_equal(n, errs.n);
    if (e) *e = errs;
    return n;
}

static str cursor_encode(str key, const struct list_cursor *c)
{
    return list_cursor_encode(&A, key, CALL_CURSOR_PURPOSE, CALL_SORT_CODES, c);
}

static int cursor_decode(str key, str token, struct list_cursor *c)
{
    return list_cursor_decode(key, CALL_CURSOR_PURPOSE, CALL_SORT_CODES, token, c);
}

static void test_defaults(void **state)
{
    struct call_filter f;
    assert_int_equal(parse("", &f, NULL), 0);
    assert_int_equal(f.sort, CALL_SORT_NEWEST);
    assert_int_equal(f.limit, CALL_LIMIT_DEFAULT);
    assert_false(f.include_demo);
    assert_false(f.has_cursor);
    assert_int_equal(f.has_recording, -1);
    assert_int_equal(f.min_duration, -1);
    assert_null(f.direction);
    assert_null(f.start.local);
    assert_null(f.start.instant);
    assert_false(call_filter_narrows(&f));
    /* Empty values (a GET form's untouched fields) are absent. */
    assert_int_equal(parse("direction=&status=&phone=&limit=&sort=&include_demo=", &f, NULL), 0);
    assert_false(call_filter_narrows(&f));
}

struct valid_case {
    const char *qs;
    void (*check)(const struct call_filter *f);
};

static void chk_day_range(const struct call_filter *f)
{
    assert_string_equal(f->start.local, "2024-02-28 00:00:00");
    assert_string_equal(f->end.local, "2024-03-01 00:00:00"); /* leap day included */
    assert_null(f->start.instant);
}
static void chk_year_end(const struct call_filter *f) { assert_string_equal(f->end.local, "2025-01-01 00:00:00"); }
static void chk_instant(const struct call_filter *f)
{
    assert_string_equal(f->start.instant, "2024-05-01T09:30:00Z");
    assert_string_equal(f->end.instant, "2024-05-01T10:00:00.250+02:00");
}
static void chk_plus_as_space(const struct call_filter *f) { assert_string_equal(f->start.instant, "2024-05-01T09:30+05:30"); }
static void chk_local_time(const struct call_filter *f) { assert_string_equal(f->start.local, "2024-05-01T09:30"); }
static void chk_enums(const struct call_filter *f)
{
    assert_string_equal(f->direction, "outbound");
    assert_string_equal(f->sentiment, "negative");
    assert_int_equal(f->has_recording, 1);
    assert_true(f->include_demo);
    assert_int_equal(f->sort, CALL_SORT_LONGEST);
}
static void chk_statuses(const struct call_filter *f) { assert_string_equal(f->statuses, "{completed,no_answer}"); }
static void chk_phone(const struct call_filter *f) { assert_string_equal(f->phone, "+14155550100"); }
static void chk_name(const struct call_filter *f) { assert_string_equal(f->name_like, "50\\% o\\_f \\\\x"); }
static void chk_numbers(const struct call_filter *f)
{
    assert_int_equal(f->min_duration, 0);
    assert_int_equal(f->max_duration, 86400);
    assert_int_equal(f->limit, 200);
    assert_int_equal(f->has_recording, 0);
}
static void chk_campaign_q(const struct call_filter *f)
{
    assert_string_equal(f->campaign_id, "0b6c1e9e-3f7a-4c59-9a43-2a1f0d3c8e11");
    assert_string_equal(f->q, "refund -\"late fee\"");
    assert_true(call_filter_narrows(f));
}

static const struct valid_case valid[] = {
    { "start_date=2024-02-28&end_date=2024-02-29", chk_day_range },
    { "end_date=2024-12-31", chk_year_end },
    { "start_date=2024-05-01T09:30:00Z&end_date=2024-05-01T10:00:00.250%2B02:00", chk_instant },
    { "start_date=2024-05-01T09:30+05:30", chk_plus_as_space },
    { "start_date=2024-05-01T09:30", chk_local_time },
    { "direction=outbound&sentiment=negative&has_recording=true&include_demo=true&sort=longest", chk_enums },
    { "status=completed,no_answer,completed", chk_statuses },
    { "phone=(415)+555-0100", chk_phone },
    { "name=50%25+o_f+%5Cx", chk_name },
    { "min_duration=0&max_duration=86400&limit=200&has_recording=false", chk_numbers },
    { "campaign_id=0b6c1e9e-3f7a-4c59-9a43-2a1f0d3c8e11&q=refund+-%22late+fee%22", chk_campaign_q },
};

static void test_valid_values(void **state)
{
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        struct call_filter f;
        struct field_errors e;
        if (parse(valid[i].qs, &f, &e)) fail_msg("%s: %s %s", valid[i].qs, e.items[0].field, e.items[0].message);
        valid[i].check(&f);
    }
}

struct bad_case {
    const char *qs;
    enum call_param field;
};

static const struct bad_case bad[] = {
    { "start_date=yesterday", CP_START_DATE },
    { "start_date=2024-13-01", CP_START_DATE },
    { "start_date=2023-02-29", CP_START_DATE },
    { "start_date=2024-1-01", CP_START_DATE },
    { "start_date=0999-01-01", CP_START_DATE },
    { "start_date=2024-05-01T25:00", CP_START_DATE },
    { "start_date=2024-05-01T10:60", CP_START_DATE },
    { "start_date=2024-05-01T10:00:00+15:00", CP_START_DATE },
    { "start_date=2024-05-01T10:00:00Zjunk", CP_START_DATE },
    { "start_date=2024-05-01X10:00", CP_START_DATE },
    { "end_date=2024-05-32", CP_END_DATE },
    { "start_date=2024-05-02&end_date=2024-05-01", CP_END_DATE },
    { "direction=sideways", CP_DIRECTION },
    { "direction=INBOUND", CP_DIRECTION },
    { "status=done", CP_STATUS },
    { "status=completed,", CP_STATUS },
    { "status=completed,,busy", CP_STATUS },
    { "phone=555-CALL", CP_PHONE },
    { "phone=123", CP_PHONE },
    { "name=%01x", CP_NAME },
    { "sentiment=happy", CP_SENTIMENT },
    { "min_duration=-1", CP_MIN_DURATION },
    { "min_duration=1.5", CP_MIN_DURATION },
    { "min_duration=86401", CP_MIN_DURATION },
    { "max_duration=abc", CP_MAX_DURATION },
    { "max_duration=99999999999999999999", CP_MAX_DURATION },
    { "min_duration=60&max_duration=30", CP_MAX_DURATION },
    { "has_recording=yes", CP_HAS_RECORDING },
    { "campaign_id=not-a-uuid", CP_CAMPAIGN_ID },
    { "sort=random", CP_SORT },
    { "include_demo=yes", CP_INCLUDE_DEMO },
    { "include_demo=TRUE", CP_INCLUDE_DEMO },
    { "has_recording=2", CP_HAS_RECORDING },
    { "limit=0", CP_LIMIT },
    { "limit=201", CP_LIMIT },
    { "limit=ten", CP_LIMIT },
    { "cursor=abc", CP_CURSOR },
};

static void test_bad_values_name_their_field(void **state)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct call_filter f;
        struct field_errors e;
        int n = parse(bad[i].qs, &f, &e);
        if (n != 1) fail_msg("%s: %d errors, want 1", bad[i].qs, n);
        const char *want = call_param_specs[bad[i].field].name;
        const char *message = field_error_of(&e, want);
        if (!message) fail_msg("%s: error on %s, want %s", bad[i].qs, e.items[0].field, want);
        /* A message reads on from the field's name, without a final full stop. */
        assert_true(message[0] && message[strlen(message) - 1] != '.');
    }
    /* A long name: 200 characters pass, 201 do not (characters, not bytes). */
    struct buf b;
    buf_init(&b, &A, 1024);
    buf_puts(&b, "name=");
    for (int i = 0; i < 200; i++) buf_puts(&b, "%C3%A9");
    struct call_filter f;
    assert_int_equal(parse(buf_cstr(&b), &f, NULL), 0);
    buf_puts(&b, "x");
    struct field_errors e;
    assert_int_equal(parse(buf_cstr(&b), &f, &e), 1);
    assert_non_null(field_error_of(&e, "name"));
    /* Every bad parameter is reported, not just the first. */
    assert_int_equal(parse("direction=x&status=y&limit=0&sort=z", &f, NULL), 4);
}

/* Booleans take the one spelling set of every list: true|1|on and false|0|off. */
static void test_boolean_spellings(void **state)
{
    static const char *const yes[] = { "true", "1", "on" }, *const no[] = { "false", "0", "off" };
    for (size_t i = 0; i < 3; i++) {
        struct call_filter f;
        char qs[80];
        snprintf(qs, sizeof qs, "include_demo=%s&has_recording=%s", yes[i], yes[i]);
        assert_int_equal(parse(qs, &f, NULL), 0);
        assert_true(f.include_demo);
        assert_int_equal(f.has_recording, 1);
        snprintf(qs, sizeof qs, "include_demo=%s&has_recording=%s", no[i], no[i]);
        assert_int_equal(parse(qs, &f, NULL), 0);
        assert_false(f.include_demo);
        assert_int_equal(f.has_recording, 0);
        assert_true(call_filter_narrows(&f)); /* has_recording=false still narrows */
    }
}

static struct list_cursor sample_cursor(enum call_sort sort)
{
    struct list_cursor c = { (int)sort, 1714555800123456LL, "" };
    memcpy(c.id, "6f1c2a4e-8b0d-4e57-9c3a-1d2e3f4a5b6c", 37);
    return c;
}

static void test_cursor_round_trip(void **state)
{
    for (int s = CALL_SORT_NEWEST; s <= CALL_SORT_LONGEST; s++) {
        struct list_cursor c = sample_cursor((enum call_sort)s), back;
        str t = cursor_encode(secret, &c);
        for (size_t i = 0; i < t.len; i++) assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", t.ptr[i]));
        assert_int_equal(cursor_decode(secret, t, &back), 0);
        assert_int_equal(back.sort, s);
        assert_true(back.key == c.key);
        assert_string_equal(back.id, c.id);
    }
    struct list_cursor neg = sample_cursor(CALL_SORT_OLDEST), back;
    neg.key = -5;
    assert_int_equal(cursor_decode(secret, cursor_encode(secret, &neg), &back), 0);
    assert_true(back.key == -5);
}

static void test_cursor_tampering(void **state)
{
    struct list_cursor c = sample_cursor(CALL_SORT_NEWEST), back;
    str t = cursor_encode(secret, &c);
    /* Every single-character change is refused. */
    for (size_t i = 0; i < t.len; i++) {
        char *m = str_cstr(&A, t);
        m[i] = m[i] == 'A' ? 'B' : 'A';
        if (cursor_decode(secret, str_from(m), &back) == 0 && memcmp(m, t.ptr, t.len) != 0)
            fail_msg("tampered cursor accepted at %zu: %s", i, m);
    }
    assert_int_equal(cursor_decode(STR("another-secret-key-another-secret-key!"), t, &back), -1);
    assert_int_equal(cursor_decode(secret, STR(""), &back), -1);
    assert_int_equal(cursor_decode(secret, STR("."), &back), -1);
    assert_int_equal(cursor_decode(secret, str_make(t.ptr, t.len - 1), &back), -1);
    /* A valid payload signed with someone else's key. */
    str other = cursor_encode(STR("another-secret-key-another-secret-key!"), &c);
    assert_int_equal(cursor_decode(secret, other, &back), -1);
}

static void test_cursor_bound_to_sort(void **state)
{
    struct list_cursor c = sample_cursor(CALL_SORT_NEWEST);
    struct buf b;
    buf_init(&b, &A, 256);
    buf_puts(&b, "sort=oldest&cursor=");
    buf_put(&b, cursor_encode(secret, &c));
    struct call_filter f;
    struct field_errors e;
    assert_int_equal(parse(buf_cstr(&b), &f, &e), 1);
    assert_non_null(field_error_of(&e, "cursor"));
    buf_clear(&b);
    buf_puts(&b, "cursor=");
    buf_put(&b, cursor_encode(secret, &c));
    assert_int_equal(parse(buf_cstr(&b), &f, NULL), 0);
    assert_true(f.has_cursor);
    assert_string_equal(f.cursor.id, c.id);
}

static void test_query_string(void **state)
{
    struct call_filter f;
    assert_int_equal(parse("phone=%2B1+415+555+0100&direction=inbound&limit=10&cursor=&name=a%26b", &f, NULL), 0);
    struct buf b;
    buf_init(&b, &A, 128);
    call_filter_query_string(&f, (uint64_t)1 << CP_LIMIT, &b);
    assert_str(buf_str(&b), "direction=inbound&phone=%2B1%20415%20555%200100&name=a%26b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_bad_values_name_their_field),
        cmocka_unit_test(test_boolean_spellings),
        cmocka_unit_test(test_cursor_round_trip),
        cmocka_unit_test(test_cursor_tampering),
        cmocka_unit_test(test_cursor_bound_to_sort),
        cmocka_unit_test(test_query_string),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
