/* test_dispatch_rules.c — the sender's rules for a provider request: retry or not,
 * backoff bounds with jitter, Retry-After in both forms, and the circuit breaker's
 * states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/domain/breaker.h"
#include "../../src/domain/retry.h"
#include "unit.h"

static const struct retry_policy P = { .max_attempts = 5, .base_ms = 1000, .cap_ms = 20000, .max_after_ms = 120000 };
static const time_t NOW = 1764806400; /* 2025-12-04 00:00:00 UTC */

static struct attempt_result status(int code) { return (struct attempt_result){ code, STR("") }; }

static void test_success_and_permanent_failures(void **state)
{
    assert_int_equal(retry_decide(&P, 1, status(201), NOW, 7).outcome, RETRY_DONE);
    assert_int_equal(retry_decide(&P, 1, status(202), NOW, 7).outcome, RETRY_DONE);
    static const int permanent[] = { 400, 401, 403, 404, 409, 422 };
    for (size_t i = 0; i < sizeof permanent / sizeof permanent[0]; i++) {
        struct retry_decision d = retry_decide(&P, 1, status(permanent[i]), NOW, 7);
        assert_int_equal(d.outcome, RETRY_GIVE_UP);
        assert_false(d.transient);
    }
    /* A redirect is not followed by the sender: permanent too. */
    assert_int_equal(retry_decide(&P, 1, status(302), NOW, 7).outcome, RETRY_GIVE_UP);
}

static void test_transient_failures_retry_until_the_last_attempt(void **state)
{
    static const int transient[] = { 0, 408, 429, 500, 502, 503, 504 };
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++) {
        for (int attempt = 1; attempt < P.max_attempts; attempt++)
            assert_int_equal(retry_decide(&P, attempt, status(transient[i]), NOW, 7).outcome, RETRY_LATER);
        struct retry_decision last = retry_decide(&P, P.max_attempts, status(transient[i]), NOW, 7);
        assert_int_equal(last.outcome, RETRY_GIVE_UP);
        assert_true(last.transient);
    }
}

static void test_backoff_doubles_to_the_cap_with_jitter_inside_bounds(void **state)
{
    static const long ceilings[] = { 1000, 2000, 4000, 8000, 16000, 20000, 20000 };
    for (int attempt = 1; attempt <= 7; attempt++)
        assert_int_equal(retry_backoff_ceiling_ms(&P, attempt), ceilings[attempt - 1]);
    struct retry_policy many = P;
    many.max_attempts = 100;
    for (int attempt = 1; attempt < 100; attempt++) {
        long ceiling = retry_backoff_ceiling_ms(&many, attempt), lo = ceiling, hi = 0;
        uint64_t x = 88172645463325252ull; /* xorshift: many jitter values per attempt */
        for (int k = 0; k < 2000; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            long w = retry_decide(&many, attempt, status(503), NOW, x).wait_ms;
            assert_true(w >= ceiling / 2 && w <= ceiling);
            if (w < lo) lo = w;
            if (w > hi) hi = w;
        }
        /* The jitter spreads over the window rather than sitting at one end. */
        assert_true(lo < ceiling / 2 + ceiling / 10 && hi > ceiling - ceiling / 10);
    }
    /* The extremes of the random value land on the window's ends. */
    assert_int_equal(retry_decide(&P, 3, status(500), NOW, 0).wait_ms, 2000);
    assert_int_equal(retry_decide(&P, 3, status(500), NOW, 2000).wait_ms, 4000);
}

static void test_retry_after_is_honoured_never_shortened(void **state)
{
    struct attempt_result r = { 429, STR("30") };
    assert_int_equal(retry_decide(&P, 1, r, NOW, 0).wait_ms, 30000);
    r.retry_after = STR(" 0 ");
    assert_int_equal(retry_decide(&P, 1, r, NOW, 0).wait_ms, 500); /* the backoff's floor */
    r.retry_after = STR("Thu, 04 Dec 2025 00:01:30 GMT");
    assert_int_equal(retry_decide(&P, 1, r, NOW, 0).wait_ms, 90000);
    r.retry_after = STR("86400"); /* a day: cut to the policy's maximum */
    assert_int_equal(retry_decide(&P, 1, r, NOW, 0).wait_ms, 120000);
    r.retry_after = STR("soon");
    assert_int_equal(retry_decide(&P, 1, r, NOW, 0).wait_ms, 500);
}

static void test_retry_after_forms(void **state)
{
    assert_int_equal(retry_after_ms(STR("120"), NOW), 120000);
    assert_int_equal(retry_after_ms(STR("Thu, 04 Dec 2025 00:00:10 GMT"), NOW), 10000);
    assert_int_equal(retry_after_ms(STR("Wed, 03 Dec 2025 23:00:00 GMT"), NOW), 0); /* past */
    static const char *const bad[] = { "", "-5", "1.5", "12a", "Thu, 04 Dec 2025 00:00:10 UTC",
                                       "Thu, 04 Dex 2025 00:00:10 GMT", "Thu, 04 Dec 2025 25:00:10 GMT",
                                       "Thu, 04 Dec 2025 00:00:10 GMT extra", "9999999999",
                                       /* signs wrap in %u (found by fuzz_provider) */
                                       "Thu, 04 Dec -025 00:00:10 GMT", "Thu, 04 Dec -025 00:00:10GMT",
                                       "Thu, -4 Dec 2025 00:00:10 GMT", "Thu, 00 Dec 2025 00:00:10 GMT" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (retry_after_ms(str_from(bad[i]), NOW) != -1) fail_msg("'%s' was accepted", bad[i]);
}

static const struct breaker_policy BP = { .failure_threshold = 3, .open_s = 30 };

static void test_breaker_opens_after_consecutive_transient_failures(void **state)
{
    struct breaker b = { 0 };
    for (int i = 0; i < 2; i++) {
        assert_int_equal(breaker_allow(&b, &BP, NOW), BREAKER_ALLOW);
        breaker_record(&b, &BP, NOW, true);
    }
    breaker_record(&b, &BP, NOW, false); /* a success (or a 4xx) resets the run */
    assert_int_equal(b.failures, 0);
    for (int i = 0; i < 3; i++) breaker_record(&b, &BP, NOW + i, true);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(b.opened_at, NOW + 2);
    assert_int_equal(breaker_allow(&b, &BP, NOW + 10), BREAKER_REJECT);
    assert_int_equal(breaker_retry_at(&b, &BP), NOW + 32);
    assert_int_equal(breaker_allow(&b, &BP, NOW + 31), BREAKER_REJECT);
}

static void test_breaker_half_opens_with_one_probe(void **state)
{
    struct breaker b = { .state = BREAKER_OPEN, .opened_at = NOW };
    assert_int_equal(breaker_allow(&b, &BP, NOW + 30), BREAKER_PROBE);
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    /* While the probe is out, nobody else goes. */
    assert_int_equal(breaker_allow(&b, &BP, NOW + 31), BREAKER_REJECT);
    /* The probe fails: open again, for a full period from now. */
    breaker_record(&b, &BP, NOW + 32, true);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(breaker_allow(&b, &BP, NOW + 61), BREAKER_REJECT);
    assert_int_equal(breaker_allow(&b, &BP, NOW + 62), BREAKER_PROBE);
    /* The probe succeeds: closed, and everyone goes. */
    breaker_record(&b, &BP, NOW + 63, false);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(breaker_allow(&b, &BP, NOW + 63), BREAKER_ALLOW);
    assert_int_equal(breaker_allow(&b, &BP, NOW + 63), BREAKER_ALLOW);
}

static void test_breaker_lost_probe_is_replaced(void **state)
{
    /* The worker holding the probe died without recording an outcome. */
    struct breaker b = { .state = BREAKER_HALF_OPEN, .opened_at = NOW, .probe_at = NOW + 30 };
    assert_int_equal(breaker_allow(&b, &BP, NOW + 59), BREAKER_REJECT);
    assert_int_equal(breaker_allow(&b, &BP, NOW + 60), BREAKER_PROBE);
    assert_int_equal(b.probe_at, NOW + 60);
}

static void test_breaker_state_names(void **state)
{
    for (int s = BREAKER_CLOSED; s <= BREAKER_HALF_OPEN; s++) {
        enum breaker_state back;
        assert_true(breaker_state_parse(str_from(breaker_state_name((enum breaker_state)s)), &back));
        assert_int_equal(back, s);
    }
    enum breaker_state x;
    assert_false(breaker_state_parse(STR("half-open"), &x));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success_and_permanent_failures),
        cmocka_unit_test(test_transient_failures_retry_until_the_last_attempt),
        cmocka_unit_test(test_backoff_doubles_to_the_cap_with_jitter_inside_bounds),
        cmocka_unit_test(test_retry_after_is_honoured_never_shortened),
        cmocka_unit_test(test_retry_after_forms),
        cmocka_unit_test(test_breaker_opens_after_consecutive_transient_failures),
        cmocka_unit_test(test_breaker_half_opens_with_one_probe),
        cmocka_unit_test(test_breaker_lost_probe_is_replaced),
        cmocka_unit_test(test_breaker_state_names),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
