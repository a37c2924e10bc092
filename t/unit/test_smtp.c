/* test_smtp.c — the SMTP sender's address lists and its refusals before connecting
 * (the conversation itself is tested against a local sink in t/integration). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/providers/smtp.h"
#include "unit.h"

static void test_addresses_split_and_trimmed(void **state)
{
    (void)state;
    const char *out[4];
    assert_int_equal(smtp_parse_addresses(&A, " a@example.com,b@x.test ,, \tc@y.test\n", out, 4), 3);
    assert_string_equal(out[0], "a@example.com");
    assert_string_equal(out[1], "b@x.test");
    assert_string_equal(out[2], "c@y.test");
    assert_int_equal(smtp_parse_addresses(&A, "", out, 4), 0);
}

static void test_addresses_refused(void **state)
{
    (void)state;
    const char *out[2];
    static const char *const bad[] = { "not an address", "a@b@c", "@example.com", "a@", "a@b\r\nRCPT TO:<x@y>",
                                       "<a@b>", "\"a\"@b", "a@b, c d@e" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(smtp_parse_addresses(&A, bad[i], out, 2), -1);
    assert_int_equal(smtp_parse_addresses(&A, "a@b,c@d,e@f", out, 2), -1); /* more than max */
}

static void test_send_needs_a_server_and_recipients(void **state)
{
    (void)state;
    const char *to[1] = { "a@example.com" }, *error = NULL;
    struct smtp_server none = { .host = "", .port = 25, .security = "none", .from = "x@example.com" };
    struct smtp_message m = { to, 1, "Hello", "Body\n" };
    assert_int_equal(smtp_send(&A, &none, &m, &error), -1);
    assert_non_null(strstr(error, "no SMTP server"));
    struct smtp_server s = { .host = "127.0.0.1", .port = 25, .security = "none", .from = "x@example.com" };
    struct smtp_message nobody = { to, 0, "Hello", "Body\n" };
    assert_int_equal(smtp_send(&A, &s, &nobody, &error), -1);
    assert_string_equal(error, "no recipients");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses_split_and_trimmed),
        cmocka_unit_test(test_addresses_refused),
        cmocka_unit_test(test_send_needs_a_server_and_recipients),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
