/* test_crypto.c — SHA-256/HMAC against FIPS 180 and RFC 4231/2202 vectors, hex/base64 codecs, ct_eq, tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/core/buf.h"
#include "../../src/core/crypto.h"

/* Lower-case hex of n bytes into a static-free caller buffer (2n+1). */
static void to_hex(const uint8_t *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static void test_sha256_vectors(void **state)
{
    static const struct {
        const char *msg;
        const char *digest;
    } cases[] = {
        { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t d[32];
        char hex[65];
        crypto_sha256(cases[i].msg, strlen(cases[i].msg), d);
        to_hex(d, 32, hex);
        assert_string_equal(hex, cases[i].digest);
    }
    /* One million 'a' (FIPS 180-2 appendix B.3). */
    char *million = malloc(1000000);
    assert_non_null(million);
    memset(million, 'a', 1000000);
    uint8_t d[32];
    char hex[65];
    crypto_sha256(million, 1000000, d);
    free(million);
    to_hex(d, 32, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_hex_in_arena(void **state)
{
    struct arena a;
    arena_init(&a, 1024);
    str h = crypto_sha256_hex(&a, STR("abc"));
    assert_int_equal(h.len, 64);
    assert_memory_equal(h.ptr, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 64);
    str e = crypto_sha256_hex(&a, STR_NULL);
    assert_int_equal(e.len, 64);
    assert_memory_equal(e.ptr, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 64);
    arena_destroy(&a);
}

/* Fills out with n copies of byte c and returns a str over it. */
static str repeat(uint8_t *out, uint8_t c, size_t n)
{
    memset(out, c, n);
    return str_make((const char *)out, n);
}

static void test_hmac_sha256_rfc4231(void **state)
{
    uint8_t k[131], m[50], mac[32];
    char hex[65];
    uint8_t k25[25];
    for (int i = 0; i < 25; i++) k25[i] = (uint8_t)(i + 1);
    /* 1 */
    crypto_hmac_sha256(repeat(k, 0x0b, 20), STR("Hi There"), mac);
    to_hex(mac, 32, hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    /* 2: key shorter than the output */
    crypto_hmac_sha256(STR("Jefe"), STR("what do ya want for nothing?"), mac);
    to_hex(mac, 32, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* 3 */
    crypto_hmac_sha256(repeat(k, 0xaa, 20), repeat(m, 0xdd, 50), mac);
    to_hex(mac, 32, hex);
    assert_string_equal(hex, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    /* 4 */
    crypto_hmac_sha256(str_make((const char *)k25, 25), repeat(m, 0xcd, 50), mac);
    to_hex(mac, 32, hex);
    assert_string_equal(hex, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    /* 5 (truncated output) */
    crypto_hmac_sha256(repeat(k, 0x0c, 20), STR("Test With Truncation"), mac);
    to_hex(mac, 16, hex);
    assert_string_equal(hex, "a3b6167473100ee06e0c796c2955552b");
    /* 6: key longer than the block size */
    crypto_hmac_sha256(repeat(k, 0xaa, 131), STR("Test Using Larger Than Block-Size Key - Hash Key First"), mac);
    to_hex(mac, 32, hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    /* 7: key and data longer than the block size */
    crypto_hmac_sha256(repeat(k, 0xaa, 131),
                       STR("This is a test using a larger than block-size key and a larger than block-size data. "
                           "The key needs to be hashed before being used by the HMAC algorithm."),
                       mac);
    to_hex(mac, 32, hex);
    assert_string_equal(hex, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

static void test_hmac_sha1_rfc2202(void **state)
{
    uint8_t k[80], m[50], mac[20];
    char hex[41];
    uint8_t k25[25];
    for (int i = 0; i < 25; i++) k25[i] = (uint8_t)(i + 1);

    crypto_hmac_sha1(repeat(k, 0x0b, 20), STR("Hi There"), mac);
    to_hex(mac, 20, hex);
    assert_string_equal(hex, "b617318655057264e28bc0b6fb378c8ef146be00");

    crypto_hmac_sha1(STR("Jefe"), STR("what do ya want for nothing?"), mac);
    to_hex(mac, 20, hex);
    assert_string_equal(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");

    crypto_hmac_sha1(repeat(k, 0xaa, 20), repeat(m, 0xdd, 50), mac);
    to_hex(mac, 20, hex);
    assert_string_equal(hex, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");

    crypto_hmac_sha1(str_make((const char *)k25, 25), repeat(m, 0xcd, 50), mac);
    to_hex(mac, 20, hex);
    assert_string_equal(hex, "4c9007f4026250c6bc8414f9bf50c86c2d7235da");

    crypto_hmac_sha1(repeat(k, 0x0c, 20), STR("Test With Truncation"), mac);
    to_hex(mac, 20, hex);
    assert_string_equal(hex, "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");

    crypto_hmac_sha1(repeat(k, 0xaa, 80), STR("Test Using Larger Than Block-Size Key - Hash Key First"), mac);
    to_hex(mac, 20, hex);
    assert_string_equal(hex, "aa4ae5e15272d00e95705637ce8a3b55ed402112");

    crypto_hmac_sha1(repeat(k, 0xaa, 80),
                     STR("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"), mac);
    to_hex(mac, 20, hex);
    assert_string_equal(hex, "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

/* The context keeps its last key: a key compared by its bytes, not its address. */
static void test_hmac_sha256_key_changes(void **state)
{
    uint8_t k[20], mac[32];
    char hex[65];
    for (int round = 0; round < 2; round++) {
        crypto_hmac_sha256(repeat(k, 0x0b, 20), STR("Hi There"), mac);
        to_hex(mac, 32, hex);
        assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        crypto_hmac_sha256(repeat(k, 0x0b, 20), STR("Hi There"), mac); /* the same key again */
        to_hex(mac, 32, hex);
        assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        crypto_hmac_sha256(repeat(k, 0x0c, 20), STR("Test With Truncation"), mac); /* same buffer, other key */
        to_hex(mac, 16, hex);
        assert_string_equal(hex, "a3b6167473100ee06e0c796c2955552b");
        crypto_hmac_sha256(str_make((const char *)k, 4), STR("Hi There"), mac); /* a prefix of it */
        uint8_t want[32];
        crypto_hmac_sha256(STR("\x0c\x0c\x0c\x0c"), STR("Hi There"), want);
        assert_memory_equal(mac, want, 32);
    }
}

static void test_hmac_null_key_and_msg(void **state)
{
    /* A NULL view behaves as the empty string. */
    uint8_t a1[32], a2[32];
    crypto_hmac_sha256(STR_NULL, STR_NULL, a1);
    crypto_hmac_sha256(STR(""), STR(""), a2);
    assert_memory_equal(a1, a2, 32);
    char hex[65];
    to_hex(a1, 32, hex);
    assert_string_equal(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void test_ct_eq(void **state)
{
    assert_true(crypto_ct_eq(STR("abc"), STR("abc")));
    assert_true(crypto_ct_eq(STR(""), STR("")));
    assert_true(crypto_ct_eq(STR_NULL, STR("")));
    assert_false(crypto_ct_eq(STR("abc"), STR("abd")));
    assert_false(crypto_ct_eq(STR("abc"), STR("xbc")));
    assert_false(crypto_ct_eq(STR("abc"), STR("ab")));
    assert_false(crypto_ct_eq(STR("ab"), STR("abc")));
    assert_false(crypto_ct_eq(STR(""), STR("a")));
    assert_true(crypto_ct_eq(STR("a\0b"), STR("a\0b")));
    assert_false(crypto_ct_eq(STR("a\0b"), STR("a\0c")));
}

static void test_hex_encode(void **state)
{
    struct arena a;
    arena_init(&a, 1024);
    struct buf b;
    buf_init(&b, &a, 1);
    static const uint8_t bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
    buf_puts(&b, "x:");
    hex_encode(&b, bytes, sizeof bytes);
    assert_string_equal(buf_cstr(&b), "x:00017f80abff");
    buf_clear(&b);
    hex_encode(&b, bytes, 0);
    assert_string_equal(buf_cstr(&b), "");
    arena_destroy(&a);
}

static void test_base64_rfc4648_vectors(void **state)
{
    static const struct {
        const char *plain, *std, *url;
    } cases[] = {
        { "", "", "" },
        { "f", "Zg==", "Zg" },
        { "fo", "Zm8=", "Zm8" },
        { "foo", "Zm9v", "Zm9v" },
        { "foob", "Zm9vYg==", "Zm9vYg" },
        { "fooba", "Zm9vYmE=", "Zm9vYmE" },
        { "foobar", "Zm9vYmFy", "Zm9vYmFy" },
    };
    struct arena a;
    arena_init(&a, 1024);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t *p = (const uint8_t *)cases[i].plain;
        size_t n = strlen(cases[i].plain);
        struct buf b;
        buf_init(&b, &a, 1);
        base64_encode(&b, p, n);
        assert_string_equal(buf_cstr(&b), cases[i].std);
        buf_clear(&b);
        base64url_encode(&b, p, n);
        assert_string_equal(buf_cstr(&b), cases[i].url);

        uint8_t out[16];
        long got = base64_decode(str_from(cases[i].std), out, sizeof out);
        assert_int_equal(got, (long)n);
        if (n) assert_memory_equal(out, p, n);
        got = base64url_decode(str_from(cases[i].url), out, sizeof out);
        assert_int_equal(got, (long)n);
        if (n) assert_memory_equal(out, p, n);
    }
    arena_destroy(&a);
}

static void test_base64_alphabets_differ(void **state)
{
    static const uint8_t bytes[] = { 0xfb, 0xff, 0xbf };
    struct arena a;
    arena_init(&a, 1024);
    struct buf b;
    buf_init(&b, &a, 8);
    base64_encode(&b, bytes, 3);
    assert_string_equal(buf_cstr(&b), "+/+/");
    buf_clear(&b);
    base64url_encode(&b, bytes, 3);
    assert_string_equal(buf_cstr(&b), "-_-_");
    uint8_t out[3];
    assert_int_equal(base64_decode(STR("+/+/"), out, 3), 3);
    assert_memory_equal(out, bytes, 3);
    assert_int_equal(base64url_decode(STR("-_-_"), out, 3), 3);
    assert_memory_equal(out, bytes, 3);
    assert_int_equal(base64_decode(STR("-_-_"), out, 3), -1);
    assert_int_equal(base64url_decode(STR("+/+/"), out, 3), -1);
    arena_destroy(&a);
}

static void test_base64_round_trip_all_lengths(void **state)
{
    struct arena a;
    arena_init(&a, 4096);
    uint8_t data[100], out[100];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof data; n++) {
        struct buf b;
        buf_init(&b, &a, 4);
        base64_encode(&b, data, n);
        assert_int_equal(b.len, (n + 2) / 3 * 4);
        assert_int_equal(base64_decode(buf_str(&b), out, n), (long)n); /* exact capacity suffices */
        if (n) assert_memory_equal(out, data, n);
        if (n) assert_int_equal(base64_decode(buf_str(&b), out, n - 1), -1); /* one short */
        buf_clear(&b);
        base64url_encode(&b, data, n);
        assert_int_equal(b.len, (n * 4 + 2) / 3);
        assert_null(memchr(b.data, '=', b.len));
        assert_int_equal(base64url_decode(buf_str(&b), out, n), (long)n);
        if (n) assert_memory_equal(out, data, n);
    }
    arena_destroy(&a);
}

static void test_base64_rejects_malformed(void **state)
{
    const str bad_std[] = {
        STR("Zg"),       /* standard needs padding */
        STR("Zg="),      /* length not a multiple of 4 */
        STR("Z==="),     /* too much padding */
        STR("===="),     /* only padding */
        STR("Zh=="),     /* non-zero trailing bits */
        STR("Zm9="),     /* non-zero trailing bits (two-byte group) */
        STR("Zm=v"),     /* padding in the middle */
        STR("Zg==Zg=="), /* padding then data */
        STR("Zm9v Zm9v"),
        STR("Zm9v\n"),
        STR("Zm9-"),     /* url alphabet in standard */
        STR("Zm9_"),
        STR("Zm9\x80"),
        STR("Zm9\0"),
        STR("A"),
    };
    uint8_t out[64];
    for (size_t i = 0; i < sizeof bad_std / sizeof bad_std[0]; i++) {
        if (base64_decode(bad_std[i], out, sizeof out) != -1)
            fail_msg("base64_decode accepted \"%.*s\"", STR_FMT(bad_std[i]));
    }
    static const char *const bad_url[] = {
        "Zg==", /* no padding in url form */
        "Z",    /* impossible length */
        "Zh",   /* non-zero trailing bits */
        "Zm9",  /* non-zero trailing bits */
        "Zm9+", "Zm9/", "Zm 9", "Zm9v=",
    };
    for (size_t i = 0; i < sizeof bad_url / sizeof bad_url[0]; i++)
        if (base64url_decode(str_from(bad_url[i]), out, sizeof out) != -1)
            fail_msg("base64url_decode accepted \"%s\"", bad_url[i]);
    /* Output capacity is enforced. */
    assert_int_equal(base64_decode(STR("Zm9vYmFy"), out, 5), -1);
    assert_int_equal(base64url_decode(STR("Zm9vYmFy"), out, 5), -1);
    assert_int_equal(base64_decode(STR(""), out, 0), 0);
}

static bool token_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int cmp_str(const void *x, const void *y)
{
    const str *a = x, *b = y;
    return memcmp(a->ptr, b->ptr, 43);
}

static void test_token_length_charset_uniqueness(void **state)
{
    enum { N = 2000 };
    struct arena a;
    arena_init(&a, 0);
    str *tokens = arena_alloc(&a, N * sizeof *tokens);
    int seen_chars[256] = { 0 };
    for (int i = 0; i < N; i++) {
        str t = crypto_token(&a);
        assert_int_equal(t.len, 43);
        for (size_t k = 0; k < t.len; k++) {
            if (!token_char(t.ptr[k])) fail_msg("token char 0x%02x", (unsigned char)t.ptr[k]);
            seen_chars[(unsigned char)t.ptr[k]]++;
        }
        uint8_t raw[33];
        assert_int_equal(base64url_decode(t, raw, sizeof raw), 32);
        tokens[i] = t;
    }
    qsort(tokens, N, sizeof *tokens, cmp_str);
    for (int i = 1; i < N; i++) assert_int_not_equal(cmp_str(&tokens[i - 1], &tokens[i]), 0);
    /* 86000 characters over a 64-symbol alphabet: every symbol should appear. */
    int distinct = 0;
    for (int c = 0; c < 256; c++) distinct += seen_chars[c] > 0;
    assert_int_equal(distinct, 64);
    arena_destroy(&a);
}

static void test_random_fills(void **state)
{
    uint8_t a1[64] = { 0 }, a2[64] = { 0 };
    assert_int_equal(crypto_random(a1, sizeof a1), 0);
    assert_int_equal(crypto_random(a2, sizeof a2), 0);
    assert_memory_not_equal(a1, a2, sizeof a1);
    assert_int_equal(crypto_random(a1, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_hex_in_arena),
        cmocka_unit_test(test_hmac_sha256_rfc4231),
        cmocka_unit_test(test_hmac_sha1_rfc2202),
        cmocka_unit_test(test_hmac_sha256_key_changes),
        cmocka_unit_test(test_hmac_null_key_and_msg),
        cmocka_unit_test(test_ct_eq),
        cmocka_unit_test(test_hex_encode),
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_base64_alphabets_differ),
        cmocka_unit_test(test_base64_round_trip_all_lengths),
        cmocka_unit_test(test_base64_rejects_malformed),
        cmocka_unit_test(test_token_length_charset_uniqueness),
        cmocka_unit_test(test_random_fills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
