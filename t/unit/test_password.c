/* test_password.c — scrypt password hashes: round trip, wrong password, salts, malformed stored hashes, policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../src/auth/password.h"
#include "../../src/core/arena.h"

#define LN 14 /* the cheapest cost the config allows; keeps the test fast */

static struct arena A;
static char *hash1; /* hash of PW1, made once */

#define PW1 "correct horse battery staple"

static int setup(void **state)
{
    arena_init(&A, 4096);
    hash1 = password_hash(&A, STR(PW1), LN);
    return hash1 ? 0 : -1;
}

static int teardown(void **state)
{
    arena_destroy(&A);
    return 0;
}

static bool b64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static void test_hash_format(void **state)
{
    static const char prefix[] = "$scrypt$ln=14,r=8,p=1$";
    assert_int_equal(strncmp(hash1, prefix, sizeof prefix - 1), 0);
    const char *salt = hash1 + sizeof prefix - 1;
    const char *dollar = strchr(salt, '$');
    assert_non_null(dollar);
    assert_int_equal(dollar - salt, 22); /* 16 bytes, unpadded base64 */
    assert_int_equal(strlen(dollar + 1), 43); /* 32 bytes, unpadded base64 */
    for (const char *p = salt; *p; p++)
        if (p != dollar) assert_true(b64_char(*p));
    assert_null(strstr(hash1, PW1));
}

static void test_round_trip_and_wrong_password(void **state)
{
    assert_true(password_verify(STR(PW1), hash1));
    assert_false(password_verify(STR("correct horse battery stapl"), hash1));
    assert_false(password_verify(STR("Correct horse battery staple"), hash1));
    assert_false(password_verify(STR(""), hash1));
    assert_false(password_verify(STR(PW1 "x"), hash1));
    assert_false(password_verify(STR_NULL, hash1));
    /* (scrypt's PBKDF2-HMAC zero-pads keys up to the 64-byte block, so PW1 followed
     * by NUL bytes verifies too; the input parsers reject NUL, so that is not tested.) */
}

static void test_salts_differ(void **state)
{
    char *again = password_hash(&A, STR(PW1), LN);
    assert_non_null(again);
    assert_string_not_equal(again, hash1);
    /* Different salt segment, not just a different hash segment. */
    assert_memory_not_equal(again + 22, hash1 + 22, 22);
    assert_true(password_verify(STR(PW1), again));
}

static void test_cost_bounds(void **state)
{
    assert_null(password_hash(&A, STR(PW1), 9));
    assert_null(password_hash(&A, STR(PW1), 21));
    assert_null(password_hash(&A, STR(PW1), -1));
}

static void test_overlong_password_is_refused(void **state)
{
    static char longpw[PASSWORD_MAX_LEN + 2];
    memset(longpw, 'p', sizeof longpw);
    assert_false(password_verify(str_make(longpw, PASSWORD_MAX_LEN + 1), hash1));
    /* Exactly at the limit is fine for verify (it just doesn't match). */
    assert_false(password_verify(str_make(longpw, PASSWORD_MAX_LEN), hash1));
}

static void test_malformed_stored_hashes_return_false(void **state)
{
    /* Every one of these must be rejected by parsing, before any key derivation
     * (so none of them can make the verifier allocate or spin). */
    char salt[23], hash[44];
    const char *s = hash1 + strlen("$scrypt$ln=14,r=8,p=1$");
    memcpy(salt, s, 22);
    salt[22] = '\0';
    snprintf(hash, sizeof hash, "%s", s + 23);
    char cases[32][200];
    int n = 0;
#define CASE(...) snprintf(cases[n++], sizeof cases[0], __VA_ARGS__)
    CASE("%s", "");
    CASE("%s", "$scrypt$");
    CASE("%s", "$scrypt$$$");
    CASE("$bcrypt$ln=14,r=8,p=1$%s$%s", salt, hash);
    CASE("scrypt$ln=14,r=8,p=1$%s$%s", salt, hash);
    CASE("$scrypt$ln=14,r=8,p=1$%s", salt);                 /* no hash part */
    CASE("$scrypt$ln=14,r=8,p=1$%s$", salt);                /* empty hash */
    CASE("$scrypt$ln=14,r=8,p=1$$%s", hash);                /* empty salt */
    CASE("$scrypt$ln=9,r=8,p=1$%s$%s", salt, hash);         /* cost too low */
    CASE("$scrypt$ln=21,r=8,p=1$%s$%s", salt, hash);        /* cost too high */
    CASE("$scrypt$ln=99999999999999999999,r=8,p=1$%s$%s", salt, hash);
    CASE("$scrypt$ln=-14,r=8,p=1$%s$%s", salt, hash);
    CASE("$scrypt$ln=14,r=0,p=1$%s$%s", salt, hash);
    CASE("$scrypt$ln=14,r=33,p=1$%s$%s", salt, hash);
    CASE("$scrypt$ln=14,r=8,p=0$%s$%s", salt, hash);
    CASE("$scrypt$ln=14,r=8,p=5$%s$%s", salt, hash);
    CASE("$scrypt$ln=14,r=8$%s$%s", salt, hash);            /* missing p */
    CASE("$scrypt$ln=14$%s$%s", salt, hash);
    CASE("$scrypt$n=14,r=8,p=1$%s$%s", salt, hash);
    CASE("$scrypt$ln=14,p=1,r=8$%s$%s", salt, hash);        /* wrong order */
    CASE("$scrypt$ln=1x,r=8,p=1$%s$%s", salt, hash);
    CASE("$scrypt$ln=14,r=8,p=1$AAAA$%s", hash);            /* salt under 8 bytes */
    CASE("$scrypt$ln=14,r=8,p=1$%s$%.42s", salt, hash);     /* hash one char short */
    CASE("$scrypt$ln=14,r=8,p=1$%s$%sAAAA", salt, hash);    /* hash too long */
    CASE("$scrypt$ln=14,r=8,p=1$%s$%s$extra", salt, hash);
    CASE("$scrypt$ln=14,r=8,p=1$!!!!!!!!!!!!!!!!!!!!!!$%s", hash);
    CASE("$scrypt$ln=14,r=8,p=1$%s$%.42s*", salt, hash);
    CASE("$scrypt$ln=14,r=8,p=1$%s%s%s$%s", salt, salt, salt, hash); /* salt too long to decode */
    CASE("$scrypt$ln=14,r=8,p=1$%s$%s", "A", hash);        /* impossible base64 length */
#undef CASE
    assert_false(password_verify(STR(PW1), NULL));
    for (int i = 0; i < n; i++)
        if (password_verify(STR(PW1), cases[i])) fail_msg("accepted malformed hash \"%s\"", cases[i]);
}

static void test_tampered_hash_fails(void **state)
{
    /* Well-formed but wrong: the derivation runs and the comparison fails. */
    size_t len = strlen(hash1);
    char *t = arena_strdup(&A, hash1);
    t[len - 2] = t[len - 2] == 'A' ? 'B' : 'A';
    assert_false(password_verify(STR(PW1), t));
    t = arena_strdup(&A, hash1);
    t[strlen("$scrypt$ln=14,r=8,p=1$") + 3] ^= 0x01; /* flip a salt character (stays base64) */
    if (t[strlen("$scrypt$ln=14,r=8,p=1$") + 3] != '$') assert_false(password_verify(STR(PW1), t));
}

static void test_dummy_verify_does_not_crash(void **state)
{
    password_dummy_verify(STR(PW1), LN);
    static char longpw[PASSWORD_MAX_LEN * 2];
    memset(longpw, 'x', sizeof longpw);
    password_dummy_verify(str_make(longpw, sizeof longpw), LN); /* clamped, not refused */
    password_dummy_verify(STR_NULL, LN);
}

static void test_policy(void **state)
{
    static char buf[PASSWORD_MAX_LEN + 2];
    memset(buf, 'a', sizeof buf);
    const struct {
        str pw;
        const char *error;
    } cases[] = {
        { STR(""), "must be at least 12 characters" },
        { STR("short"), "must be at least 12 characters" },
        { STR("elevenchars"), "must be at least 12 characters" },
        { STR("twelve chars"), NULL },
        { STR("a much longer passphrase"), NULL },
        { str_make(buf, PASSWORD_MAX_LEN), NULL },
        { str_make(buf, PASSWORD_MAX_LEN + 1), "must be at most 1024 characters" },
        { STR("valid length \xff\xfe"), "must be valid UTF-8" },
        { STR("twelve chars\xc3"), "must be valid UTF-8" },
        { STR("p\xc3\xa4ssw\xc3\xb6rd-\xc3\xbc" "ber"), NULL },
        /* The minimum counts characters, not bytes: six 2-byte characters are six. */
        { STR("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), "must be at least 12 characters" },
        { STR("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *err = password_policy_error(cases[i].pw);
        if (!cases[i].error && err) fail_msg("case %zu: unexpected \"%s\"", i, err);
        if (cases[i].error && (!err || strcmp(err, cases[i].error) != 0))
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, err ? err : "(none)", cases[i].error);
    }
}

static void test_needs_rehash_below_the_configured_cost(void **state)
{
    char *h = password_hash(&A, STR("correct horse battery"), 12);
    assert_non_null(h);
    assert_false(password_needs_rehash(h, 12));
    assert_false(password_needs_rehash(h, 11));
    assert_true(password_needs_rehash(h, 13));
    assert_true(password_needs_rehash("$scrypt$ln=12,r=4,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA", 12));
    assert_true(password_needs_rehash("not a hash", 12));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_format),
        cmocka_unit_test(test_round_trip_and_wrong_password),
        cmocka_unit_test(test_salts_differ),
        cmocka_unit_test(test_cost_bounds),
        cmocka_unit_test(test_overlong_password_is_refused),
        cmocka_unit_test(test_malformed_stored_hashes_return_false),
        cmocka_unit_test(test_tampered_hash_fails),
        cmocka_unit_test(test_dummy_verify_does_not_crash),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_needs_rehash_below_the_configured_cost),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
