/* test_csrf.c — CSRF tokens: HMAC-derived per binding and key, deterministic, strict constant-time check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/auth/csrf.h"
#include "../../src/core/arena.h"
#include "unit.h"

static const str key = STR("k3y-for-tests-k3y-for-tests-k3y-!");
static const str other_key = STR("another-key-another-key-another-k");

static bool url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static void test_token_matches_reference_hmac(void **state)
{
    /* Reference values from: printf 'csrf:<binding>' | openssl dgst -sha256 -hmac <key> -binary | basenc --base64url */
    str t = csrf_token(&A, key, STR("binding-one"));
    assert_int_equal(t.len, 43);
    assert_memory_equal(t.ptr, "pdANRB9w_g6nA3ue-Ikc2yW86B1oStehzPR3CnKymg8", 43);
    str e = csrf_token(&A, key, STR(""));
    assert_int_equal(e.len, 43);
    assert_memory_equal(e.ptr, "vHxt8v5Fv_ngj0jnkZtYP4cb6mbMXxoaUTEG5KWXYZc", 43);
    for (size_t i = 0; i < t.len; i++) assert_true(url_char(t.ptr[i]));
}

static void test_token_is_deterministic(void **state)
{
    str a = csrf_token(&A, key, STR("sess-hash-abc"));
    str b = csrf_token(&A, key, STR("sess-hash-abc"));
    assert_ptr_not_equal(a.ptr, b.ptr);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.ptr, b.ptr, a.len);
    /* Survives an arena reset (nothing cached). */
    char copy[64];
    memcpy(copy, a.ptr, a.len);
    arena_reset(&A);
    str c = csrf_token(&A, key, STR("sess-hash-abc"));
    assert_memory_equal(copy, c.ptr, c.len);
}

static void test_token_depends_on_binding_and_key(void **state)
{
    const str bindings[] = { STR("a"), STR("b"), STR("A"), STR("a "), STR("ab"), STR("sess-1"), STR("sess-2") };
    enum { N = sizeof bindings / sizeof bindings[0] };
    str tokens[N];
    for (size_t i = 0; i < N; i++) tokens[i] = csrf_token(&A, key, bindings[i]);
    for (size_t i = 0; i < N; i++)
        for (size_t j = i + 1; j < N; j++)
            if (memcmp(tokens[i].ptr, tokens[j].ptr, 43) == 0) fail_msg("bindings %zu and %zu share a token", i, j);
    str k1 = csrf_token(&A, key, STR("same"));
    str k2 = csrf_token(&A, other_key, STR("same"));
    assert_memory_not_equal(k1.ptr, k2.ptr, 43);
}

static void test_check_accepts_only_the_right_token(void **state)
{
    str binding = STR("pre-session-cookie-value");
    str good = csrf_token(&A, key, binding);
    assert_true(csrf_check(&A, key, binding, good));

    char buf[64];
    memcpy(buf, good.ptr, good.len);
    /* Truncated, extended, padded, one character changed. */
    assert_false(csrf_check(&A, key, binding, str_make(buf, good.len - 1)));
    assert_false(csrf_check(&A, key, binding, str_make(buf, 1)));
    buf[good.len] = 'A';
    assert_false(csrf_check(&A, key, binding, str_make(buf, good.len + 1)));
    buf[good.len] = '=';
    assert_false(csrf_check(&A, key, binding, str_make(buf, good.len + 1)));
    for (size_t i = 0; i < good.len; i++) {
        memcpy(buf, good.ptr, good.len);
        buf[i] = buf[i] == 'x' ? 'y' : 'x';
        assert_false(csrf_check(&A, key, binding, str_make(buf, good.len)));
    }
    /* Empty or missing submissions. */
    assert_false(csrf_check(&A, key, binding, STR("")));
    assert_false(csrf_check(&A, key, binding, STR_NULL));
    /* Another binding's token, or the same binding under another key. */
    assert_false(csrf_check(&A, key, binding, csrf_token(&A, key, STR("someone-else"))));
    assert_false(csrf_check(&A, key, binding, csrf_token(&A, other_key, binding)));
    assert_false(csrf_check(&A, other_key, binding, good));
}

static void test_check_refuses_empty_binding(void **state)
{
    /* Without a binding (no session, no pre-session cookie) nothing is accepted,
     * not even the token computed for the empty binding. */
    str empty_token = csrf_token(&A, key, STR(""));
    assert_false(csrf_check(&A, key, STR(""), empty_token));
    assert_false(csrf_check(&A, key, STR_NULL, empty_token));
}

static void test_binding_shape(void **state)
{
    assert_true(csrf_binding_valid(STR("abcdefghijABCDEFGHIJ0123456789-_abcdefghijk")));
    assert_false(csrf_binding_valid(STR("")));
    assert_false(csrf_binding_valid(STR("a")));
    assert_false(csrf_binding_valid(STR("abcdefghijABCDEFGHIJ0123456789-_abcdefghij")));   /* 42 */
    assert_false(csrf_binding_valid(STR("abcdefghijABCDEFGHIJ0123456789-_abcdefghijkl"))); /* 44 */
    assert_false(csrf_binding_valid(STR("abcdefghijABCDEFGHIJ0123456789+/abcdefghijk")));  /* not base64url */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_matches_reference_hmac),
        cmocka_unit_test(test_token_is_deterministic),
        cmocka_unit_test(test_token_depends_on_binding_and_key),
        cmocka_unit_test(test_check_accepts_only_the_right_token),
        cmocka_unit_test(test_check_refuses_empty_binding),
        cmocka_unit_test(test_binding_shape),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
