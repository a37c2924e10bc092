/* test_installments.c — equal splits (remainder last or first, always the exact
 * total), custom sums, and due dates by interval with month-end clamping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/domain/civil_date.h"
#include "../../src/domain/installments.h"
#include "unit.h"

static void test_split_remainder(void **state)
{
    int64_t out[INSTALLMENTS_MAX];
    assert_true(installments_split(10000, 3, REMAINDER_LAST, out));
    assert_int_equal(out[0], 3333);
    assert_int_equal(out[1], 3333);
    assert_int_equal(out[2], 3334);
    assert_true(installments_split(10000, 3, REMAINDER_FIRST, out));
    assert_int_equal(out[0], 3334);
    assert_int_equal(out[2], 3333);
    assert_true(installments_split(7, 7, REMAINDER_LAST, out));
    assert_int_equal(out[6], 1);
    assert_true(installments_split(5, 1, REMAINDER_LAST, out));
    assert_int_equal(out[0], 5);
    /* Every total and count adds up exactly. */
    for (int64_t total = 1; total < 400; total += 7)
        for (size_t n = 1; n <= INSTALLMENTS_MAX && (int64_t)n <= total; n++) {
            assert_true(installments_split(total, n, n % 2 ? REMAINDER_LAST : REMAINDER_FIRST, out));
            assert_true(installments_sum_matches(out, n, total));
        }
}

static void test_split_refusals(void **state)
{
    int64_t out[INSTALLMENTS_MAX + 1];
    assert_false(installments_split(100, 0, REMAINDER_LAST, out));
    assert_false(installments_split(100, INSTALLMENTS_MAX + 1, REMAINDER_LAST, out));
    assert_false(installments_split(0, 2, REMAINDER_LAST, out));
    assert_false(installments_split(-5, 2, REMAINDER_LAST, out));
    assert_false(installments_split(2, 3, REMAINDER_LAST, out)); /* a share would be 0 */
}

static void test_sum_matches(void **state)
{
    int64_t a[] = { 100, 200, 700 };
    assert_true(installments_sum_matches(a, 3, 1000));
    assert_false(installments_sum_matches(a, 3, 999));
    assert_false(installments_sum_matches(a, 3, 1001));
    int64_t z[] = { 1000, 0 };
    assert_false(installments_sum_matches(z, 2, 1000));
    int64_t neg[] = { 1100, -100 };
    assert_false(installments_sum_matches(neg, 2, 1000));
    int64_t big[] = { INT64_MAX, INT64_MAX };
    assert_false(installments_sum_matches(big, 2, 10));
}

static void assert_day(int64_t day, int64_t y, unsigned m, unsigned d)
{
    assert_int_equal(day, civil_days_from_ymd(y, m, d));
}

static void test_due_days(void **state)
{
    int64_t jan31 = civil_days_from_ymd(2025, 1, 31);
    assert_day(installments_due_day(jan31, INTERVAL_MONTHLY, 0), 2025, 1, 31);
    assert_day(installments_due_day(jan31, INTERVAL_MONTHLY, 1), 2025, 2, 28);
    assert_day(installments_due_day(jan31, INTERVAL_MONTHLY, 2), 2025, 3, 31);
    assert_day(installments_due_day(jan31, INTERVAL_MONTHLY, 13), 2026, 2, 28);
    assert_day(installments_due_day(civil_days_from_ymd(2024, 1, 30), INTERVAL_MONTHLY, 1), 2024, 2, 29);
    assert_day(installments_due_day(civil_days_from_ymd(2025, 11, 30), INTERVAL_QUARTERLY, 1), 2026, 2, 28);
    assert_day(installments_due_day(civil_days_from_ymd(2025, 12, 15), INTERVAL_MONTHLY, 1), 2026, 1, 15);
    assert_day(installments_due_day(jan31, INTERVAL_WEEKLY, 2), 2025, 2, 14);
    assert_day(installments_due_day(jan31, INTERVAL_BIWEEKLY, 2), 2025, 2, 28);
    assert_day(installments_due_day(civil_days_from_ymd(1969, 12, 31), INTERVAL_MONTHLY, 2), 1970, 2, 28);
}

static void test_interval_names(void **state)
{
    for (int i = 0; i < INTERVAL_COUNT; i++) {
        enum installment_interval got;
        const char *n = installment_interval_name((enum installment_interval)i);
        assert_true(installment_interval_parse(n, strlen(n), &got));
        assert_int_equal(got, i);
    }
    enum installment_interval got;
    assert_false(installment_interval_parse("Monthly", 7, &got));
    assert_false(installment_interval_parse("", 0, &got));
    assert_string_equal(installment_interval_name(INTERVAL_COUNT), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_remainder),
        cmocka_unit_test(test_split_refusals),
        cmocka_unit_test(test_sum_matches),
        cmocka_unit_test(test_due_days),
        cmocka_unit_test(test_interval_names),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
