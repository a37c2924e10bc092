/* test_throttle.c — the address key login attempts are counted under: IPv6 by its
 * /64, IPv4-mapped as IPv4, anything else as it came. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/auth/throttle.h"
#include "unit.h"

static void test_address_keys(void **state)
{
    static const struct {
        const char *ip, *key;
    } cases[] = {
        { "127.0.0.1", "127.0.0.1" },
        { "203.0.113.7", "203.0.113.7" },
        { "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
        { "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64" },
        { "2001:DB8:1:2::1", "2001:db8:1:2::/64" },
        { "::1", "::/64" },
        { "::ffff:192.0.2.1", "192.0.2.1" },
        { "", "" },
        { "not an address", "not an address" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_str(throttle_address_key(&A, str_from(cases[i].ip)), cases[i].key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_keys),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
