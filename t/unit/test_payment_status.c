/* test_payment_status.c — derived payment status, overdue by the org's calendar day
 * (UTC offsets either side of midnight), outstanding amounts, names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/domain/civil_date.h"
#include "../../src/domain/payment_status.h"
#include "unit.h"

#define KOLKATA (5 * 3600 + 30 * 60)
#define LOS_ANGELES_PDT (-7 * 3600)
#define LOS_ANGELES_PST (-8 * 3600)

static int64_t at(int64_t y, unsigned m, unsigned d, int64_t hh, int64_t mm, int64_t ss)
{
    return civil_days_from_ymd(y, m, d) * CIVIL_DAY_S + hh * 3600 + mm * 60 + ss;
}

static void test_status_table(void **state)
{
    int64_t mar10 = civil_days_from_ymd(2025, 3, 10);
    int64_t now = at(2025, 3, 10, 12, 0, 0);
    static const struct {
        int64_t amount, paid;
        bool has_expected;
        int64_t expected_offset; /* days from 2025-03-10 */
        bool sent;
        enum payment_status want;
    } cases[] = {
        { 1000, 1000, true, -30, false, PAYMENT_PAID },   /* paid wins over overdue */
        { 1000, 1500, true, -30, true, PAYMENT_PAID },    /* overpaid is paid */
        { 1000, 999, true, -30, true, PAYMENT_PARTIAL },  /* partial wins over overdue */
        { 1000, 1, false, 0, false, PAYMENT_PARTIAL },
        { 1000, 0, true, -1, true, PAYMENT_OVERDUE },     /* overdue wins over sent */
        { 1000, 0, true, -1, false, PAYMENT_OVERDUE },
        { 1000, 0, true, 0, true, PAYMENT_SENT },         /* due today is not overdue */
        { 1000, 0, true, 0, false, PAYMENT_EXPECTED },
        { 1000, 0, true, 5, true, PAYMENT_SENT },
        { 1000, 0, true, 5, false, PAYMENT_EXPECTED },
        { 1000, 0, false, 0, true, PAYMENT_SENT },        /* no date: never overdue */
        { 1000, 0, false, 0, false, PAYMENT_EXPECTED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct payment_facts p = { cases[i].amount, cases[i].paid, cases[i].has_expected,
                                   mar10 + cases[i].expected_offset, cases[i].sent };
        enum payment_status got = payment_status_derive(&p, now, 0);
        if (got != cases[i].want)
            fail_msg("case %zu: got %s want %s", i, payment_status_name(got), payment_status_name(cases[i].want));
    }
}

static void test_today_depends_on_the_org_zone(void **state)
{
    /* 2025-03-10T20:00Z is already the 11th in Kolkata, still the 10th in Los Angeles. */
    int64_t now = at(2025, 3, 10, 20, 0, 0);
    struct payment_facts p = { 5000, 0, true, civil_days_from_ymd(2025, 3, 10), true };
    assert_int_equal(payment_status_derive(&p, now, KOLKATA), PAYMENT_OVERDUE);
    assert_int_equal(payment_status_derive(&p, now, LOS_ANGELES_PDT), PAYMENT_SENT);
    assert_int_equal(payment_status_derive(&p, now, 0), PAYMENT_SENT);
    /* 2025-03-11T03:00Z: UTC and Kolkata are on the 11th, Los Angeles still on the 10th. */
    now = at(2025, 3, 11, 3, 0, 0);
    assert_int_equal(payment_status_derive(&p, now, 0), PAYMENT_OVERDUE);
    assert_int_equal(payment_status_derive(&p, now, LOS_ANGELES_PDT), PAYMENT_SENT);
    assert_int_equal(payment_status_derive(&p, now, LOS_ANGELES_PST), PAYMENT_SENT);
}

static void test_offsets_at_the_stroke_of_midnight(void **state)
{
    static const struct {
        int32_t offset;
    } zones[] = {
        { KOLKATA }, { LOS_ANGELES_PDT }, { LOS_ANGELES_PST }, { 0 }, { 14 * 3600 }, { -12 * 3600 },
        { 12 * 3600 + 45 * 60 }, /* Chatham */
    };
    struct payment_facts p = { 5000, 0, true, civil_days_from_ymd(2025, 3, 10), false };
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        int64_t midnight = at(2025, 3, 11, 0, 0, 0) - zones[i].offset;
        if (payment_status_derive(&p, midnight - 1, zones[i].offset) != PAYMENT_EXPECTED)
            fail_msg("offset %d: overdue one second before local midnight", zones[i].offset);
        if (payment_status_derive(&p, midnight, zones[i].offset) != PAYMENT_OVERDUE)
            fail_msg("offset %d: not overdue at local midnight", zones[i].offset);
    }
}

static void test_overdue_also_for_a_partial_remainder(void **state)
{
    int64_t now = at(2025, 3, 10, 12, 0, 0);
    struct payment_facts p = { 1000, 400, true, civil_days_from_ymd(2025, 3, 1), false };
    assert_int_equal(payment_status_derive(&p, now, 0), PAYMENT_PARTIAL);
    assert_true(payment_is_overdue(&p, now, 0));
    assert_int_equal(payment_outstanding(&p), 600);
    p.paid_minor = 1000;
    assert_false(payment_is_overdue(&p, now, 0));
    assert_int_equal(payment_outstanding(&p), 0);
    p.paid_minor = 2000;
    assert_int_equal(payment_outstanding(&p), 0);
}

static void test_dates_before_1970_use_floor_days(void **state)
{
    /* One second before the epoch is 1969-12-31, not day 0. */
    assert_int_equal(civil_day_of(-1, 0), -1);
    assert_int_equal(civil_day_of(0, 0), 0);
    assert_int_equal(civil_day_of(-1, 1), 0);
    assert_int_equal(civil_day_of(0, -1), -1);
}

static void test_names_round_trip(void **state)
{
    for (unsigned s = 0; s < PAYMENT_STATUS_COUNT; s++) {
        enum payment_status got;
        assert_true(payment_status_parse(str_from(payment_status_name(s)), &got));
        assert_int_equal(got, s);
    }
    enum payment_status got;
    assert_false(payment_status_parse(STR("Paid"), &got));
    assert_false(payment_status_parse(STR(""), &got));
    assert_string_equal(payment_status_name(PAYMENT_STATUS_COUNT), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_table),
        cmocka_unit_test(test_today_depends_on_the_org_zone),
        cmocka_unit_test(test_offsets_at_the_stroke_of_midnight),
        cmocka_unit_test(test_overdue_also_for_a_partial_remainder),
        cmocka_unit_test(test_dates_before_1970_use_floor_days),
        cmocka_unit_test(test_names_round_trip),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
