/* test_input.c — the input checks and money sums the deliverable, payment and
 * overview handlers share: date/time and URL forms at their edges, and totals that
 * convert with the latest rate on or before the day and keep the rest apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/app/common/field_errors.h"
#include "../../src/app/common/input.h"
#include "../../src/app/common/money_total.h"
#include "../../src/domain/civil_date.h"
#include "../../src/domain/fx.h"
#include "../../src/domain/money.h"
#include "../../src/http/request.h"
#include "unit.h"

static void test_datetimes(void **state)
{
    static const char *const good[] = { "2025-03-10T14:30", "2025-03-10 14:30", "2025-03-10T14:30:59",
                                        "2025-03-10T14:30Z", "2025-03-10T14:30:00+05:30", "2025-03-10T00:00-0800",
                                        "2024-02-29T23:59", "2025-03-10T14:30+14" };
    static const char *const bad[] = { "", "2025-03-10", "2025-03-10T24:00", "2025-03-10T14:60", "2025-02-29T10:00",
                                       "2025-03-10T14:30:60", "2025-03-10T14:30Zx", "2025-03-10T14:30+15:00",
                                       "2025-03-10T14:30+05:3", "2025-03-10X14:30", "tomorrow", "2025-3-10T14:30",
                                       "2025-03-10T14:30 ", "2025-03-10T1:30" };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!input_valid_datetime(str_from(good[i]))) fail_msg("rejected %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (input_valid_datetime(str_from(bad[i]))) fail_msg("accepted %s", bad[i]);
    assert_true(input_valid_date(STR("2025-12-31")));
    assert_false(input_valid_date(STR("2025-13-01")));
}

static void test_urls(void **state)
{
    assert_true(input_valid_url(STR("https://instagram.com/p/1")));
    assert_true(input_valid_url(STR("http://x")));
    static const char *const bad[] = { "", "https://", "ftp://x.y", "javascript:alert(1)", "https:///path",
                                       "https://a b", "HTTPS://x.y", "//x.y", "https://x.y\t" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (input_valid_url(str_from(bad[i]))) fail_msg("accepted %s", bad[i]);
    char longurl[2100];
    memset(longurl, 'a', sizeof longurl - 1);
    memcpy(longurl, "https://", 8);
    longurl[sizeof longurl - 1] = '\0';
    assert_false(input_valid_url(str_from(longurl)));
}

static void test_money_total(void **state)
{
    const struct currency *usd = money_currency(STR("USD")), *eur = money_currency(STR("EUR")),
                          *inr = money_currency(STR("INR"));
    int64_t d1 = civil_days_from_ymd(2025, 3, 1), d2 = civil_days_from_ymd(2025, 4, 1);
    struct fx_rate rates[] = { { eur, usd, 110000000, d1 }, { eur, usd, 120000000, d2 } };
    struct money_total t = { 0 };
    money_total_add(&t, rates, 2, d2 - 1, usd, usd, 1000);  /* as it is */
    money_total_add(&t, rates, 2, d2 - 1, usd, eur, 1000);  /* at 1.1: the April rate is later */
    money_total_add(&t, rates, 2, d2, usd, eur, 1000);      /* at 1.2 */
    money_total_add(&t, rates, 2, d1 - 1, usd, eur, 500);   /* before any rate: apart */
    money_total_add(&t, rates, 2, d2, usd, inr, 700);       /* no rate at all: apart */
    money_total_add(&t, rates, 2, d2, usd, inr, 300);
    assert_int_equal(t.org_minor, 1000 + 1100 + 1200);
    assert_int_equal(t.n_other, 2);
    struct request r = { .arena = &A };
    assert_str(money_total_text(&r, &t, usd), "$33.00 + €5.00 + ₹10.00 (no rate)");
    struct money_total empty = { 0 };
    assert_str(money_total_text(&r, &empty, usd), "$0.00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datetimes),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_money_total),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
