/* test_call_analytics.c — the analytics arithmetic: day numbers, rounding, formats, chart scaling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/core/buf.h"
#include "../../src/domain/call_analytics.h"
#include "../../src/domain/civil_date.h"

/* Analytics counts days in civil_date.h day numbers; the arithmetic it relies on. */
static void test_dates_round_trip(void **state)
{
    (void)state;
    assert_int_equal(civil_days_from_ymd(1970, 1, 1), 0);
    assert_int_equal(civil_days_from_ymd(2000, 3, 1), 11017);
    assert_int_equal(civil_days_from_ymd(1969, 12, 31), -1);
    /* Every day across four centuries survives civil → days → civil. */
    for (int64_t d = -20000; d < 130000; d += 7) {
        int64_t y;
        unsigned m, dd;
        civil_ymd_from_days(d, &y, &m, &dd);
        assert_int_equal(civil_days_from_ymd(y, m, dd), d);
    }
    struct buf b;
    buf_init(&b, NULL, 16);
    civil_format_date(&b, civil_days_from_ymd(2024, 2, 29));
    assert_string_equal(buf_cstr(&b), "2024-02-29");
    buf_free(&b);
}

/* A date input: a real calendar date, from CA_FIRST_DAY on. */
static bool input_day(str s, int64_t *day) { return civil_parse_date(s, day) && *day >= CA_FIRST_DAY; }

static void test_parse_date(void **state)
{
    (void)state;
    int64_t d;
    assert_int_equal(CA_FIRST_DAY, civil_days_from_ymd(1000, 1, 1));
    assert_true(input_day(STR("2024-02-29"), &d));
    assert_int_equal(d, civil_days_from_ymd(2024, 2, 29));
    assert_true(input_day(STR("2000-02-29"), &d));
    assert_true(input_day(STR("1000-01-01"), &d));
    static const char *const bad[] = {
        "2023-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
        "2024-1-01", "24-01-01", "2024/01/01", "2024-01-01T00:00", " 2024-01-01", "", "abcd-ef-gh",
        "0999-12-31", "2024-01-3a",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (input_day(str_from(bad[i]), &d)) fail_msg("accepted %s", bad[i]);
    assert_false(input_day(STR("2024-01\0-01"), &d));
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(civil_iso_weekday(0), 4);                                   /* Thu 1970-01-01 */
    assert_int_equal(civil_iso_weekday(civil_days_from_ymd(2024, 1, 1)), 1);    /* Monday */
    assert_int_equal(civil_iso_weekday(civil_days_from_ymd(2023, 12, 31)), 7);  /* Sunday */
    assert_int_equal(civil_iso_weekday(-1), 3);
}

static void test_rounding_and_rates(void **state)
{
    (void)state;
    assert_int_equal(ca_div_round(5, 2), 3); /* half up */
    assert_int_equal(ca_div_round(7, 3), 2);
    assert_int_equal(ca_div_round(8, 3), 3);
    assert_int_equal(ca_div_round(1, 0), 0);
    assert_int_equal(ca_permille(1, 3), 333);
    assert_int_equal(ca_permille(2, 3), 667);
    assert_int_equal(ca_permille(1, 8), 125);
    assert_int_equal(ca_permille(0, 0), 0);
    assert_int_equal(ca_permille(7, 7), 1000);
    char out[24];
    ca_format_tenths(425, out);
    assert_string_equal(out, "42.5");
    ca_format_tenths(1000, out);
    assert_string_equal(out, "100.0");
    ca_format_tenths(0, out);
    assert_string_equal(out, "0.0");
}

static void test_formats(void **state)
{
    (void)state;
    char out[24];
    ca_format_mss(7, out);
    assert_string_equal(out, "0:07");
    ca_format_mss(4503, out);
    assert_string_equal(out, "75:03");
    ca_format_mss(-3, out);
    assert_string_equal(out, "0:00");
    ca_format_mb(0, out);
    assert_string_equal(out, "0.0");
    ca_format_mb(1250000, out);
    assert_string_equal(out, "1.3");
    ca_format_mb(49999, out);
    assert_string_equal(out, "0.0");
    ca_format_mb(50000, out);
    assert_string_equal(out, "0.1");
    ca_format_mb(INT64_C(123456789012), out);
    assert_string_equal(out, "123456.8");
}

static void test_chart_scaling(void **state)
{
    (void)state;
    assert_int_equal(ca_nice_max(0), 1);
    assert_int_equal(ca_nice_max(1), 1);
    assert_int_equal(ca_nice_max(3), 5);
    assert_int_equal(ca_nice_max(11), 20);
    assert_int_equal(ca_nice_max(50), 50);
    assert_int_equal(ca_nice_max(501), 1000);
    assert_int_equal(ca_bar_height_x100(0, 10, 200), 0);
    assert_int_equal(ca_bar_height_x100(10, 10, 200), 20000);
    assert_int_equal(ca_bar_height_x100(1, 3, 200), 6667);
    assert_int_equal(ca_bar_height_x100(1, 100000, 200), 50); /* visible */
    assert_int_equal(ca_bar_x_x100(0, 30, 680), 0);
    assert_int_equal(ca_bar_x_x100(1, 30, 680), 2266);
    assert_int_equal(ca_bar_x_x100(30, 30, 680), 68000);
    char out[24];
    ca_format_x100(2266, out);
    assert_string_equal(out, "22.66");
    ca_format_x100(5, out);
    assert_string_equal(out, "0.05");
    assert_int_equal(ca_bucket(0, 10, 5), 0);
    assert_int_equal(ca_bucket(1, 10, 5), 1);
    assert_int_equal(ca_bucket(2, 10, 5), 1);
    assert_int_equal(ca_bucket(3, 10, 5), 2);
    assert_int_equal(ca_bucket(10, 10, 5), 5);
    assert_int_equal(ca_bucket(5, 0, 5), 0);
}

static void test_fill_days(void **state)
{
    (void)state;
    struct ca_day sparse[] = {
        { .day = 12, .total = 3, .inbound = 2, .outbound = 1, .answered = 1 },
        { .day = 10, .total = 5, .inbound = 5 },
        { .day = 99, .total = 7 }, /* outside: ignored */
    };
    struct ca_day dense[4];
    ca_fill_days(dense, 10, 4, sparse, 3);
    assert_int_equal(dense[0].day, 10);
    assert_int_equal(dense[0].total, 5);
    assert_int_equal(dense[1].day, 11);
    assert_int_equal(dense[1].total, 0);
    assert_int_equal(dense[2].answered, 1);
    assert_int_equal(dense[3].day, 13);
    assert_int_equal(dense[3].total, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_round_trip), cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_weekday),          cmocka_unit_test(test_rounding_and_rates),
        cmocka_unit_test(test_formats),          cmocka_unit_test(test_chart_scaling),
        cmocka_unit_test(test_fill_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
