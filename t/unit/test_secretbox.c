/* test_secretbox.c — AES-256-GCM sealing: round trip, wrong key, wrong context, tampering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/core/secretbox.h"

static const str key = STR("0123456789abcdef0123456789abcdef-key");

static void test_round_trip_returns_the_plaintext(void **state)
{
    struct arena a;
    arena_init(&a, 4096);
    str sealed = secretbox_seal(&a, key, STR("org:vapi_secret"), STR("s3cret value"));
    assert_int_equal(sealed.len, 12 + 12 + 16);
    assert_null(memmem(sealed.ptr, sealed.len, "s3cret", 6));
    str out;
    assert_int_equal(secretbox_open(&a, key, STR("org:vapi_secret"), sealed, &out), 0);
    assert_int_equal(out.len, 12);
    assert_memory_equal(out.ptr, "s3cret value", 12);
    arena_destroy(&a);
}

static void test_wrong_key_context_or_tampering_fail_loudly(void **state)
{
    struct arena a;
    arena_init(&a, 4096);
    str sealed = secretbox_seal(&a, key, STR("ctx"), STR("payload"));
    str out;
    assert_int_equal(secretbox_open(&a, STR("another key of at least 32 bytes!!"), STR("ctx"), sealed, &out), -1);
    assert_int_equal(secretbox_open(&a, key, STR("other ctx"), sealed, &out), -1);
    char *copy = arena_alloc(&a, sealed.len);
    for (size_t i = 0; i < sealed.len; i++) {
        memcpy(copy, sealed.ptr, sealed.len);
        copy[i] ^= 0x01;
        assert_int_equal(secretbox_open(&a, key, STR("ctx"), str_make(copy, sealed.len), &out), -1);
    }
    assert_int_equal(secretbox_open(&a, key, STR("ctx"), str_make(sealed.ptr, 27), &out), -1);
    arena_destroy(&a);
}

static void test_each_seal_uses_a_fresh_nonce(void **state)
{
    struct arena a;
    arena_init(&a, 4096);
    str one = secretbox_seal(&a, key, STR("ctx"), STR("same"));
    str two = secretbox_seal(&a, key, STR("ctx"), STR("same"));
    assert_int_equal(one.len, two.len);
    assert_memory_not_equal(one.ptr, two.ptr, one.len);
    arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_returns_the_plaintext),
        cmocka_unit_test(test_wrong_key_context_or_tampering_fail_loudly),
        cmocka_unit_test(test_each_seal_uses_a_fresh_nonce),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
