/* test_forecast.c — calendar arithmetic (ISO weeks, dates) and the cash-flow
 * forecast per week with overdue apart, in the org currency. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/core/buf.h"
#include "../../src/domain/civil_date.h"
#include "../../src/domain/forecast.h"
#include "unit.h"

static void test_iso_weeks_at_year_ends(void **state)
{
    static const struct {
        int64_t y;
        unsigned m, d;
        int64_t iso_year;
        unsigned week, weekday;
    } cases[] = {
        { 1970, 1, 1, 1970, 1, 4 },
        { 2024, 12, 30, 2025, 1, 1 }, /* Monday of 2025's week 1 */
        { 2025, 1, 1, 2025, 1, 3 },
        { 2025, 3, 10, 2025, 11, 1 },
        { 2025, 12, 28, 2025, 52, 7 },
        { 2026, 1, 1, 2026, 1, 4 },
        { 2020, 12, 31, 2020, 53, 4 }, /* a 53-week year */
        { 2021, 1, 3, 2020, 53, 7 },
        { 2021, 1, 4, 2021, 1, 1 },
        { 2024, 2, 29, 2024, 9, 4 },
        { 1969, 12, 31, 1970, 1, 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t day = civil_days_from_ymd(cases[i].y, cases[i].m, cases[i].d), iy;
        unsigned w;
        civil_iso_week(day, &iy, &w);
        if (iy != cases[i].iso_year || w != cases[i].week || civil_iso_weekday(day) != cases[i].weekday)
            fail_msg("case %zu: %lld-W%u-%u", i, (long long)iy, w, civil_iso_weekday(day));
        int64_t y;
        unsigned m, d;
        civil_ymd_from_days(day, &y, &m, &d);
        assert_true(y == cases[i].y && m == cases[i].m && d == cases[i].d);
    }
    assert_int_equal(civil_days_from_ymd(1970, 1, 1), 0);
    assert_int_equal(civil_days_from_ymd(2000, 3, 1), 11017);
}

static void test_dates_parse_strictly(void **state)
{
    static const struct {
        const char *in;
        bool ok;
    } cases[] = {
        { "2025-03-10", true }, { "2024-02-29", true }, { "2000-02-29", true }, { "0001-01-01", true },
        { "2025-02-29", false }, { "1900-02-29", false }, { "2025-13-01", false }, { "2025-00-10", false },
        { "2025-04-31", false }, { "2025-3-10", false }, { "2025/03/10", false }, { "", false },
        { " 2025-03-10", false }, { "2025-03-10T00:00", false }, { "0000-01-01", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t day = -99;
        if (civil_parse_date(str_from(cases[i].in), &day) != cases[i].ok) fail_msg("\"%s\"", cases[i].in);
        if (!cases[i].ok) continue;
        struct buf b;
        buf_init(&b, &A, 12);
        civil_format_date(&b, day);
        assert_str(buf_str(&b), cases[i].in);
    }
}

static const struct currency *cur(const char *code)
{
    return money_currency(str_from(code));
}

/* Today is Wednesday 2025-03-12; ISO week 11 runs from Monday the 10th. */
static int64_t d(unsigned m, unsigned dd)
{
    return civil_days_from_ymd(2025, m, dd);
}

static void test_weeks_cover_the_horizon(void **state)
{
    static const struct {
        unsigned horizon;
        size_t weeks;
    } cases[] = { { 30, 5 }, { 60, 9 }, { 90, 14 }, { 1, 1 }, { 5, 1 }, { 6, 2 } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct forecast f;
        assert_true(forecast_build(&A, NULL, 0, d(3, 12), cases[i].horizon, cur("USD"), NULL, 0, &f));
        if (f.n_weeks != cases[i].weeks) fail_msg("horizon %u: %zu weeks", cases[i].horizon, f.n_weeks);
        assert_int_equal(f.weeks[0].start_day, d(3, 10));
        assert_int_equal(f.weeks[0].iso_week, 11);
        for (size_t w = 1; w < f.n_weeks; w++) assert_int_equal(f.weeks[w].start_day, f.weeks[w - 1].start_day + 7);
    }
    struct forecast f;
    assert_false(forecast_build(&A, NULL, 0, d(3, 12), 0, cur("USD"), NULL, 0, &f));
    assert_false(forecast_build(&A, NULL, 0, d(3, 12), 367, cur("USD"), NULL, 0, &f));
}

static void test_payments_land_in_their_week_overdue_apart(void **state)
{
    const struct fx_rate rates[] = {
        { cur("INR"), cur("USD"), INT64_C(1200000), d(3, 1) },  /* 0.012 */
        { cur("INR"), cur("USD"), INT64_C(1150000), d(3, 20) }, /* future rate: not used */
        { cur("EUR"), cur("USD"), INT64_C(108000000), d(3, 11) },
    };
    const struct forecast_payment p[] = {
        { 100000, 0, cur("USD"), true, d(3, 12), 1 },       /* today → week 11 */
        { 50000, 20000, cur("USD"), true, d(3, 16), 1 },    /* Sunday, remainder 30000 → week 11 */
        { 70000, 0, cur("USD"), true, d(3, 17), 1 },        /* Monday → week 12 */
        { 1000000, 0, cur("INR"), true, d(3, 18), 1 },      /* ₹10,000 × 0.012 = $120 → week 12 */
        { 10000, 0, cur("EUR"), true, d(4, 10), 1 },        /* €100 × 1.08 = $108 → last day, week 15 */
        { 9999, 0, cur("USD"), true, d(4, 11), 1 },         /* today + 30: beyond the horizon */
        { 40000, 0, cur("USD"), true, d(3, 11), 1 },        /* yesterday: overdue */
        { 60000, 10000, cur("USD"), true, d(1, 1), 1 },     /* partial, long overdue: 50000 */
        { 5000, 5000, cur("USD"), true, d(3, 1), 1 },       /* paid: nothing */
        { 8000, 0, cur("USD"), false, 0, 1 },               /* no date */
        { 8000, 0, cur("GBP"), true, d(3, 13), 1 },         /* no GBP rate */
    };
    struct forecast f;
    assert_true(forecast_build(&A, p, sizeof p / sizeof p[0], d(3, 12), 30, cur("USD"), rates, 3, &f));
    assert_int_equal(f.n_weeks, 5);
    assert_int_equal(f.weeks[0].amount_org_minor, 130000);
    assert_int_equal(f.weeks[0].count, 2);
    assert_int_equal(f.weeks[1].amount_org_minor, 70000 + 12000);
    assert_int_equal(f.weeks[1].count, 2);
    assert_int_equal(f.weeks[2].amount_org_minor, 0);
    assert_int_equal(f.weeks[3].amount_org_minor, 0);
    assert_int_equal(f.weeks[4].start_day, d(4, 7));
    assert_int_equal(f.weeks[4].amount_org_minor, 10800);
    assert_int_equal(f.upcoming_org_minor, 130000 + 82000 + 10800);
    assert_int_equal(f.overdue_org_minor, 90000);
    assert_int_equal(f.overdue_count, 2);
    assert_int_equal(f.undated_count, 1);
    assert_int_equal(f.unconverted_count, 1);
    assert_int_equal(f.later_count, 1);
}

static void test_sum_overflow_is_refused(void **state)
{
    const struct forecast_payment p[] = {
        { INT64_MAX, 0, cur("USD"), true, d(3, 12), 1 },
        { INT64_MAX, 0, cur("USD"), true, d(3, 13), 1 },
    };
    struct forecast f;
    assert_false(forecast_build(&A, p, 2, d(3, 12), 30, cur("USD"), NULL, 0, &f));
}

/* Each bucket converts each currency's sum once: two INR 0.01 payments in one week at
 * 0.5 are 0.02 INR → 0.01 USD, where rounding each (0.005 → 0.00, half-even) and
 * summing would show nothing. Overdue the same; a group row counts its payments. */
static void test_sums_are_converted_once_per_currency(void **state)
{
    const struct fx_rate rates[] = { { cur("INR"), cur("USD"), INT64_C(50000000), d(3, 1) } };
    const struct forecast_payment p[] = {
        { 1, 0, cur("INR"), true, d(3, 12), 1 },
        { 1, 0, cur("INR"), true, d(3, 13), 1 },
        { 3, 0, cur("INR"), true, d(3, 1), 2 },  /* two payments, 0.03 INR → 0.015 → 0.02 */
        { 5, 0, cur("USD"), true, d(3, 2), 1 },
    };
    struct forecast f;
    assert_true(forecast_build(&A, p, 4, d(3, 12), 30, cur("USD"), rates, 1, &f));
    assert_int_equal(f.weeks[0].amount_org_minor, 1);
    assert_int_equal(f.weeks[0].count, 2);
    assert_int_equal(f.upcoming_org_minor, 1);
    assert_int_equal(f.overdue_org_minor, 2 + 5);
    assert_int_equal(f.overdue_count, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_weeks_at_year_ends),
        cmocka_unit_test(test_dates_parse_strictly),
        cmocka_unit_test(test_weeks_cover_the_horizon),
        cmocka_unit_test(test_payments_land_in_their_week_overdue_apart),
        cmocka_unit_test(test_sum_overflow_is_refused),
        cmocka_unit_test(test_sums_are_converted_once_per_currency),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
