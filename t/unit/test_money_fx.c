/* test_money_fx.c — strict amount parsing, formatting, rate parsing and conversion
 * with half-to-even rounding, the rate and its date carried in the result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/core/buf.h"
#include "../../src/domain/fx.h"
#include "../../src/domain/money.h"
#include "unit.h"

static void test_parse_table(void **state)
{
    static const struct {
        const char *in;
        enum money_error err;
        int64_t want;
    } cases[] = {
        { "0", MONEY_OK, 0 },
        { "1", MONEY_OK, 100 },
        { "12.5", MONEY_OK, 1250 },
        { "12.05", MONEY_OK, 1205 },
        { "0.01", MONEY_OK, 1 },
        { "1,234.50", MONEY_OK, 123450 },
        { "1234.50", MONEY_OK, 123450 },
        { "1,234,567", MONEY_OK, 123456700 },
        { "  42.00\t", MONEY_OK, 4200 },
        { "007", MONEY_OK, 700 },
        { "92233720368547758.07", MONEY_OK, INT64_MAX },
        { "92,233,720,368,547,758.07", MONEY_OK, INT64_MAX },
        { "", MONEY_EMPTY, 0 },
        { "   ", MONEY_EMPTY, 0 },
        { "-5", MONEY_NEGATIVE, 0 },
        { "-0.01", MONEY_NEGATIVE, 0 },
        { "+5", MONEY_SYNTAX, 0 },
        { "1.2.3", MONEY_SYNTAX, 0 },
        { "12.", MONEY_SYNTAX, 0 },
        { ".5", MONEY_SYNTAX, 0 },
        { "1 234", MONEY_SYNTAX, 0 },
        { "$5", MONEY_SYNTAX, 0 },
        { "5 USD", MONEY_SYNTAX, 0 },
        { "1e3", MONEY_SYNTAX, 0 },
        { "12,34a", MONEY_SYNTAX, 0 },
        { "1.2a", MONEY_SYNTAX, 0 },
        { "abc", MONEY_SYNTAX, 0 },
        { ",123", MONEY_SYNTAX, 0 },
        { "1,23", MONEY_GROUPING, 0 },
        { "1,2345", MONEY_GROUPING, 0 },
        { "1234,567", MONEY_GROUPING, 0 },
        { "1,234,", MONEY_GROUPING, 0 },
        { "1,,234", MONEY_GROUPING, 0 },
        { "0,123", MONEY_GROUPING, 0 },
        { "12,34,567", MONEY_GROUPING, 0 }, /* Indian grouping is not accepted */
        { "12.345", MONEY_DECIMALS, 0 },
        { "0.001", MONEY_DECIMALS, 0 },
        { "92233720368547758.08", MONEY_OVERFLOW, 0 },
        { "92233720368547759", MONEY_OVERFLOW, 0 },
        { "99999999999999999999999", MONEY_OVERFLOW, 0 },
    };
    const struct currency *usd = money_currency(STR("USD"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = -7;
        enum money_error e = money_parse(str_from(cases[i].in), usd, &got);
        if (e != cases[i].err) fail_msg("\"%s\": error %d, want %d", cases[i].in, e, cases[i].err);
        assert_int_equal(got, e == MONEY_OK ? cases[i].want : -7);
        assert_true(strlen(money_error_message(e)) > 0 || e == MONEY_OK);
    }
    int64_t got;
    assert_int_equal(money_parse(STR("5"), NULL, &got), MONEY_UNKNOWN_CURRENCY);
}

static void test_currencies(void **state)
{
    static const char *const ok[] = { "USD", "EUR", "GBP", "INR" };
    for (size_t i = 0; i < 4; i++) {
        const struct currency *c = money_currency(str_from(ok[i]));
        assert_non_null(c);
        assert_string_equal(c->code, ok[i]);
        assert_int_equal(c->exponent, 2);
    }
    assert_null(money_currency(STR("usd")));
    assert_null(money_currency(STR("JPY")));
    assert_null(money_currency(STR("")));
}

static void test_format_table(void **state)
{
    static const struct {
        int64_t minor;
        const char *cur, *plain, *display;
    } cases[] = {
        { 0, "USD", "0.00", "$0.00" },
        { 5, "USD", "0.05", "$0.05" },
        { 123450, "USD", "1234.50", "$1,234.50" },
        { 100000000, "EUR", "1000000.00", "\xe2\x82\xac" "1,000,000.00" },
        { 99999, "GBP", "999.99", "\xc2\xa3" "999.99" },
        { 12345678, "INR", "123456.78", "\xe2\x82\xb9" "123,456.78" },
        { -5, "USD", "-0.05", "-$0.05" },
        { -123450, "USD", "-1234.50", "-$1,234.50" },
        { INT64_MAX, "USD", "92233720368547758.07", "$92,233,720,368,547,758.07" },
        { INT64_MIN, "USD", "-92233720368547758.08", "-$92,233,720,368,547,758.08" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct currency *c = money_currency(str_from(cases[i].cur));
        struct buf b;
        buf_init(&b, &A, 8);
        money_format_plain(&b, cases[i].minor, c);
        assert_str(buf_str(&b), cases[i].plain);
        buf_clear(&b);
        money_format_display(&b, cases[i].minor, c);
        assert_str(buf_str(&b), cases[i].display);
        /* What we print plainly parses back to the same amount. */
        int64_t back;
        if (cases[i].minor >= 0) {
            assert_int_equal(money_parse(str_from(cases[i].plain), c, &back), MONEY_OK);
            assert_int_equal(back, cases[i].minor);
        }
    }
}

static void test_format_compact(void **state)
{
    (void)state;
    static const struct { int64_t minor; const char *cur, *text; } cases[] = {
        { 0, "USD", "$0" },
        { 149, "USD", "$1" },
        { 150, "USD", "$2" },
        { 95000, "USD", "$950" },
        { 99999, "USD", "$1K" },
        { 250000, "USD", "$2.5K" },
        { 100000000, "EUR", "\xe2\x82\xac" "1M" },
        { 250000000000, "USD", "$2.5B" },
        { 99996000, "USD", "$1M" },       /* 999.96K */
        { 123456789012, "GBP", "\xc2\xa3" "1.2B" },
        { -150000000, "USD", "-$1.5M" },
        { -49, "USD", "$0" },
        { 500000000000000, "USD", "$5T" },
        { INT64_MAX, "USD", "$92233.7T" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b;
        buf_init(&b, &A, 8);
        money_format_compact(&b, cases[i].minor, money_currency(str_from(cases[i].cur)));
        assert_str(buf_str(&b), cases[i].text);
    }
}

static void test_rate_parse_and_format(void **state)
{
    static const struct {
        const char *in;
        bool ok;
        int64_t want;
        const char *formatted;
    } cases[] = {
        { "1", true, FX_SCALE, "1" },
        { "83.12345678", true, INT64_C(8312345678), "83.12345678" },
        { "83.125", true, INT64_C(8312500000), "83.125" },
        { "0.0119", true, INT64_C(1190000), "0.0119" },
        { "0.00000001", true, 1, "0.00000001" },
        { "92233720368.54775807", true, INT64_MAX, "92233720368.54775807" },
        { "92233720368.54775808", false, 0, NULL },
        { "0", false, 0, NULL },
        { "0.00000000", false, 0, NULL },
        { "0.000000001", false, 0, NULL },
        { "", false, 0, NULL },
        { ".5", false, 0, NULL },
        { "5.", false, 0, NULL },
        { "-1", false, 0, NULL },
        { "1,000", false, 0, NULL },
        { " 1", false, 0, NULL },
        { "1e2", false, 0, NULL },
        { "1.2.3", false, 0, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = -1;
        if (fx_rate_parse(str_from(cases[i].in), &got) != cases[i].ok) fail_msg("\"%s\"", cases[i].in);
        if (!cases[i].ok) {
            assert_int_equal(got, -1);
            continue;
        }
        assert_int_equal(got, cases[i].want);
        struct buf b;
        buf_init(&b, &A, 8);
        fx_rate_format(&b, got);
        assert_str(buf_str(&b), cases[i].formatted);
    }
}

static void test_convert_rounds_half_to_even(void **state)
{
    const struct currency *usd = money_currency(STR("USD")), *inr = money_currency(STR("INR")),
                          *eur = money_currency(STR("EUR"));
    static const struct {
        int64_t amount, rate_e8, want;
    } cases[] = {
        { 100, INT64_C(8312345678), 8312 },  /* $1.00 at 83.12345678 = ₹83.12|345678 → down */
        { 100, INT64_C(8312500000), 8312 },  /* exactly .5 of a paisa, 2 is even → down */
        { 100, INT64_C(8313500000), 8314 },  /* exactly .5, 3 is odd → up */
        { 100, INT64_C(8312500001), 8313 },  /* just over half → up */
        { 1, 50000000, 0 },                  /* 0.5 → 0 (even) */
        { 3, 50000000, 2 },                  /* 1.5 → 2 */
        { 5, 50000000, 2 },                  /* 2.5 → 2 */
        { 7, 50000000, 4 },                  /* 3.5 → 4 */
        { 0, INT64_C(8312345678), 0 },
        { 150000, INT64_C(92000000), 138000 }, /* $1,500 at 0.92 = €1,380 */
        { -5, 50000000, -2 },                /* -2.5 → -2: refunds round the same way */
        { -3, 50000000, -2 },                /* -1.5 → -2 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fx_rate r = { usd, i == 9 ? eur : inr, cases[i].rate_e8, 20150 };
        struct fx_result out;
        assert_true(fx_convert(&r, cases[i].amount, &out));
        if (out.amount_minor != cases[i].want)
            fail_msg("case %zu: got %lld want %lld", i, (long long)out.amount_minor, (long long)cases[i].want);
        assert_ptr_equal(out.from, usd);
        assert_int_equal(out.rate_e8, cases[i].rate_e8);
        assert_int_equal(out.rate_day, 20150);
    }
}

static void test_convert_overflow_and_bad_rate(void **state)
{
    const struct currency *usd = money_currency(STR("USD")), *inr = money_currency(STR("INR"));
    struct fx_rate r = { usd, inr, INT64_C(8312345678), 1 };
    struct fx_result out = { .amount_minor = 42 };
    assert_false(fx_convert(&r, INT64_MAX, &out));
    assert_int_equal(out.amount_minor, 42);
    r.rate_e8 = 0;
    assert_false(fx_convert(&r, 100, &out));
    r.rate_e8 = FX_SCALE;
    assert_true(fx_convert(&r, INT64_MAX, &out));
    assert_int_equal(out.amount_minor, INT64_MAX);
}

static void test_pick_latest_rate_on_or_before_the_day(void **state)
{
    const struct currency *usd = money_currency(STR("USD")), *inr = money_currency(STR("INR")),
                          *eur = money_currency(STR("EUR"));
    const struct fx_rate rates[] = {
        { usd, inr, INT64_C(8300000000), 100 },
        { usd, inr, INT64_C(8400000000), 110 },
        { usd, inr, INT64_C(8500000000), 120 },
        { inr, usd, INT64_C(1200000), 115 },
        { eur, inr, INT64_C(9000000000), 105 },
    };
    assert_null(fx_pick(rates, 5, usd, inr, 99));
    assert_ptr_equal(fx_pick(rates, 5, usd, inr, 100), &rates[0]);
    assert_ptr_equal(fx_pick(rates, 5, usd, inr, 119), &rates[1]);
    assert_ptr_equal(fx_pick(rates, 5, usd, inr, 500), &rates[2]);
    assert_ptr_equal(fx_pick(rates, 5, inr, usd, 116), &rates[3]);
    assert_null(fx_pick(rates, 5, usd, eur, 500)); /* no inverse guessing */
    struct fx_result out;
    assert_true(fx_convert_with(rates, 5, 1000, usd, inr, 115, &out));
    assert_int_equal(out.amount_minor, 84000);
    assert_int_equal(out.rate_e8, INT64_C(8400000000));
    assert_int_equal(out.rate_day, 110);
    assert_true(fx_convert_with(rates, 5, 1234, usd, usd, 115, &out));
    assert_int_equal(out.amount_minor, 1234);
    assert_int_equal(out.rate_e8, FX_SCALE);
    assert_int_equal(out.rate_day, 115);
    assert_false(fx_convert_with(rates, 5, 1000, usd, eur, 115, &out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_currencies),
        cmocka_unit_test(test_format_table),
        cmocka_unit_test(test_format_compact),
        cmocka_unit_test(test_rate_parse_and_format),
        cmocka_unit_test(test_convert_rounds_half_to_even),
        cmocka_unit_test(test_convert_overflow_and_bad_rate),
        cmocka_unit_test(test_pick_latest_rate_on_or_before_the_day),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
