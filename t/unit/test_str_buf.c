/* test_str_buf.c — string views (cut, trim, find, number parsing, UTF-8, UUID) and the growable buffer with its escapers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/core/buf.h"
#include "../../src/core/str.h"
#include "unit.h"

/* A str over a literal that may contain NUL bytes (STR uses sizeof, not strlen). */
#define LIT(s) STR(s)

static void test_eq_and_prefix(void **state)
{
    assert_true(str_eq(STR("abc"), STR("abc")));
    assert_false(str_eq(STR("abc"), STR("abd")));
    assert_false(str_eq(STR("abc"), STR("ab")));
    assert_true(str_eq(STR_NULL, STR("")));
    assert_true(str_eq_cstr(STR("x"), "x"));
    assert_true(str_case_eq(STR("Content-Type"), STR("content-TYPE")));
    assert_false(str_case_eq(STR("a"), STR("b")));
    assert_false(str_case_eq(STR("@"), STR("`"))); /* only ASCII letters fold */
    assert_true(str_starts_with(STR("multipart/form-data"), STR("multipart/")));
    assert_true(str_starts_with(STR("abc"), STR_NULL));
    assert_false(str_starts_with(STR("ab"), STR("abc")));
    assert_true(str_case_starts_with(STR("Form-Data; name=x"), STR("form-data")));
    assert_false(str_case_starts_with(STR("form"), STR("form-data")));
}

static void test_cut(void **state)
{
    static const struct {
        const char *in;
        char c;
        bool found;
        const char *head, *rest;
    } cases[] = {
        { "a=1", '=', true, "a", "1" },
        { "a=1=2", '=', true, "a", "1=2" },
        { "=x", '=', true, "", "x" },
        { "x=", '=', true, "x", "" },
        { "=", '=', true, "", "" },
        { "abc", '=', false, "abc", "" },
        { "", '=', false, "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        str head, rest;
        str in = str_from(cases[i].in);
        assert_int_equal(str_cut(in, cases[i].c, &head, &rest), cases[i].found);
        assert_str(head, cases[i].head);
        assert_str(rest, cases[i].rest);
        /* rest always points inside (or just past) the input */
        assert_true(rest.ptr >= in.ptr && rest.ptr + rest.len == in.ptr + in.len);
    }
    str head, rest;
    assert_false(str_cut(STR_NULL, ';', &head, &rest));
    assert_int_equal(head.len, 0);
    assert_int_equal(rest.len, 0);
}

static void test_trim(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "  x  ", "x" }, { "\t\r\n\f\vx y\v\f\n\r\t", "x y" }, { "", "" }, { "   ", "" },
        { "x", "x" },     { " a b ", "a b" },                    { "\xc2\xa0x", "\xc2\xa0x" }, /* NBSP is not ASCII space */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) assert_str(str_trim(str_from(cases[i].in)), cases[i].out);
    assert_int_equal(str_trim(STR_NULL).len, 0);
}

static void test_find(void **state)
{
    assert_int_equal(str_find(STR("hello world"), STR("world")), 6);
    assert_int_equal(str_find(STR("hello world"), STR("hello")), 0);
    assert_int_equal(str_find(STR("hello world"), STR("d")), 10);
    assert_int_equal(str_find(STR("hello"), STR("")), 0);
    assert_int_equal(str_find(STR(""), STR("")), 0);
    assert_int_equal(str_find(STR(""), STR("a")), -1);
    assert_int_equal(str_find(STR("abc"), STR("abcd")), -1);
    assert_int_equal(str_find(STR("abc"), STR("x")), -1);
    assert_int_equal(str_find(STR("aaab"), STR("aab")), 1);
    assert_int_equal(str_find(LIT("a\0b\r\n"), STR("\r\n")), 3); /* binary-safe */
}

static void test_cstr_and_dup(void **state)
{
    struct arena a;
    arena_init(&a, 256);
    char *c = str_cstr(&a, STR("abc"));
    assert_string_equal(c, "abc");
    assert_string_equal(str_cstr(&a, STR_NULL), "");
    const char src[] = "xyz";
    str d = str_dup(&a, str_make(src, 2));
    assert_ptr_not_equal(d.ptr, src);
    assert_str(d, "xy");
    assert_int_equal(d.ptr[2], '\0');
    str e = str_dup(&a, STR_NULL);
    assert_non_null(e.ptr);
    assert_int_equal(e.len, 0);
    arena_destroy(&a);
}

static void test_to_long(void **state)
{
    static const struct {
        const char *in;
        bool ok;
        long want;
    } cases[] = {
        { "0", true, 0 },
        { "42", true, 42 },
        { "-42", true, -42 },
        { "-0", true, 0 },
        { "007", true, 7 },
        { "9223372036854775807", true, LONG_MAX },
        { "-9223372036854775808", true, LONG_MIN },
        { "9223372036854775808", false, 0 },
        { "-9223372036854775809", false, 0 },
        { "18446744073709551615", false, 0 },  /* fits u64, not long */
        { "18446744073709551616", false, 0 },  /* overflows u64 */
        { "99999999999999999999999", false, 0 },
        { "", false, 0 },
        { "-", false, 0 },
        { "+1", false, 0 },
        { " 1", false, 0 },
        { "1 ", false, 0 },
        { "1a", false, 0 },
        { "0x10", false, 0 },
        { "1.5", false, 0 },
        { "--1", false, 0 },
        { "1e3", false, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long v = 12345;
        bool ok = str_to_long(str_from(cases[i].in), &v);
        if (ok != cases[i].ok) fail_msg("str_to_long(\"%s\") returned %d", cases[i].in, ok);
        if (ok) assert_int_equal(v, cases[i].want);
        else assert_int_equal(v, 12345); /* untouched on failure */
    }
    long v;
    assert_false(str_to_long(LIT("1\0"), &v));
    assert_false(str_to_long(STR_NULL, &v));
}

static void test_to_u64(void **state)
{
    uint64_t v = 0;
    assert_true(str_to_u64(STR("18446744073709551615"), &v));
    assert_true(v == UINT64_MAX);
    assert_false(str_to_u64(STR("18446744073709551616"), &v));
    assert_false(str_to_u64(STR("-1"), &v));
    assert_true(str_to_u64(STR("0"), &v));
    assert_true(v == 0);
    assert_false(str_to_u64(STR(""), &v));
}

static void test_utf8_length(void **state)
{
    assert_int_equal(utf8_length(STR("")), 0);
    assert_int_equal(utf8_length(STR("plain")), 5);
    assert_int_equal(utf8_length(STR("\xc3\xa9t\xc3\xa9")), 3);        /* été */
    assert_int_equal(utf8_length(STR("\xe2\x82\xac\xf0\x9f\x93\x9e")), 2); /* euro sign, telephone receiver */
}

static void test_utf8_valid(void **state)
{
    const struct {
        str s;
        bool ok;
        const char *what;
    } cases[] = {
        { LIT(""), true, "empty" },
        { LIT("plain ascii"), true, "ascii" },
        { LIT("a\0b"), true, "NUL is valid UTF-8" },
        { LIT("\x7f"), true, "DEL" },
        { LIT("caf\xc3\xa9"), true, "2-byte" },
        { LIT("\xe2\x82\xac"), true, "3-byte euro" },
        { LIT("\xf0\x9f\x98\x80"), true, "4-byte emoji" },
        { LIT("\xc2\x80"), true, "U+0080" },
        { LIT("\xdf\xbf"), true, "U+07FF" },
        { LIT("\xe0\xa0\x80"), true, "U+0800" },
        { LIT("\xed\x9f\xbf"), true, "U+D7FF" },
        { LIT("\xee\x80\x80"), true, "U+E000" },
        { LIT("\xef\xbf\xbf"), true, "U+FFFF" },
        { LIT("\xf0\x90\x80\x80"), true, "U+10000" },
        { LIT("\xf4\x8f\xbf\xbf"), true, "U+10FFFF" },
        { LIT("\x80"), false, "lone continuation" },
        { LIT("\xbf"), false, "lone continuation bf" },
        { LIT("\xc0\x80"), false, "overlong NUL (C0)" },
        { LIT("\xc1\xbf"), false, "overlong (C1)" },
        { LIT("\xe0\x80\x80"), false, "overlong 3-byte NUL" },
        { LIT("\xe0\x9f\xbf"), false, "overlong 3-byte U+07FF" },
        { LIT("\xf0\x80\x80\x80"), false, "overlong 4-byte NUL" },
        { LIT("\xf0\x8f\xbf\xbf"), false, "overlong 4-byte U+FFFF" },
        { LIT("\xed\xa0\x80"), false, "surrogate D800" },
        { LIT("\xed\xbf\xbf"), false, "surrogate DFFF" },
        { LIT("\xed\xa0\xbd\xed\xb8\x80"), false, "CESU-8 surrogate pair" },
        { LIT("\xf4\x90\x80\x80"), false, "U+110000" },
        { LIT("\xf5\x80\x80\x80"), false, "F5 lead" },
        { LIT("\xf8\x88\x80\x80\x80"), false, "5-byte form" },
        { LIT("\xfe"), false, "FE" },
        { LIT("\xff"), false, "FF" },
        { LIT("\xc3"), false, "truncated 2-byte" },
        { LIT("\xe2\x82"), false, "truncated 3-byte" },
        { LIT("\xf0\x9f\x98"), false, "truncated 4-byte" },
        { LIT("ab\xf0\x9f"), false, "truncated at end after ascii" },
        { LIT("\xc3x"), false, "bad continuation" },
        { LIT("\xe2\x28\xa1"), false, "bad 2nd byte" },
        { LIT("\xe2\x82\x28"), false, "bad 3rd byte" },
        { LIT("\xf0\x9f\x98\x28"), false, "bad 4th byte" },
        { LIT("\xc3\xa9\xc3"), false, "valid then truncated" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (utf8_valid(cases[i].s) != cases[i].ok) fail_msg("utf8_valid wrong for %s", cases[i].what);
    assert_true(utf8_valid(STR_NULL));
}

static void test_is_uuid(void **state)
{
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        { "123e4567-e89b-12d3-a456-426614174000", true },
        { "00000000-0000-0000-0000-000000000000", true },
        { "ABCDEF01-2345-6789-ABCD-EF0123456789", true },
        { "123e4567e89b12d3a456426614174000", false },
        { "123e4567-e89b-12d3-a456-42661417400", false },
        { "123e4567-e89b-12d3-a456-4266141740000", false },
        { "{123e4567-e89b-12d3-a456-426614174000}", false },
        { "123e4567-e89b-12d3-a456_426614174000", false },
        { "123e4567-e89b-12d3-a4560426614174000", false },
        { "g23e4567-e89b-12d3-a456-426614174000", false },
        { "123e4567-e89b-12d3-a456-42661417400 ", false },
        { "123e456-7e89b-12d3-a456-426614174000", false },
        { "", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (str_is_uuid(str_from(cases[i].s)) != cases[i].ok) fail_msg("str_is_uuid(\"%s\")", cases[i].s);
}

static void test_buf_growth_arena(void **state)
{
    struct arena a;
    arena_init(&a, 1024);
    struct buf b;
    buf_init(&b, &a, 4);
    assert_int_equal(b.cap, 4);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++) {
        buf_putc(&b, (char)('a' + i % 26));
        assert_true(b.len < b.cap);       /* room for the NUL */
        assert_int_equal(b.data[b.len], '\0');
    }
    assert_int_equal(b.len, 1000);
    for (int i = 0; i < 1000; i++) assert_int_equal(b.data[i], 'a' + i % 26);
    assert_int_equal(strlen(buf_cstr(&b)), 1000);
    size_t cap = b.cap;
    buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    buf_append(&b, "xy", 2);
    buf_append(&b, NULL, 0);
    assert_str(buf_str(&b), "xy");
    arena_destroy(&a);
}

static void test_buf_growth_malloc(void **state)
{
    struct buf b;
    buf_init(&b, NULL, 0);
    assert_int_equal(b.cap, 64);
    char chunk[300];
    memset(chunk, 'z', sizeof chunk);
    for (int i = 0; i < 100; i++) buf_append(&b, chunk, sizeof chunk);
    assert_int_equal(b.len, 30000);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[29999], 'z');
    assert_int_equal(b.data[30000], '\0');
    buf_puts(&b, "!");
    assert_int_equal(b.len, 30001);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    /* A zeroed buf initialises itself on first use. */
    struct buf z = { 0 };
    buf_puts(&z, "lazy");
    assert_string_equal(buf_cstr(&z), "lazy");
    buf_free(&z);
}

static void test_buf_printf(void **state)
{
    struct arena a;
    arena_init(&a, 4096);
    struct buf b;
    buf_init(&b, &a, 8);
    buf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(buf_cstr(&b), "42-x");
    /* Longer than both the initial capacity and the first 64-byte reservation. */
    char big[500];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, 4 + 2 + 499);
    assert_int_equal(b.data[4], '[');
    assert_int_equal(b.data[4 + 1 + 498], 'q');
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    buf_printf(&b, "%s", ""); /* empty output changes nothing */
    assert_int_equal(b.len, 505);
    buf_clear(&b);
    buf_put_long(&b, LONG_MIN);
    buf_putc(&b, ' ');
    buf_put_long(&b, 0);
    buf_putc(&b, ' ');
    buf_put_long(&b, LONG_MAX);
    assert_string_equal(buf_cstr(&b), "-9223372036854775808 0 9223372036854775807");
    /* Many appends of exactly-fitting sizes. */
    buf_clear(&b);
    for (int i = 0; i < 200; i++) buf_printf(&b, "%03d,", i);
    assert_int_equal(b.len, 800);
    assert_memory_equal(b.data + 796, "199,", 4);
    arena_destroy(&a);
}

static void test_html_text(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
        { "a & b", "a &amp; b" },
        { "\"q\"", "&quot;q&quot;" },
        { "&amp;", "&amp;amp;" },
        { "plain", "plain" },
        { "", "" },
        { "caf\xc3\xa9", "caf\xc3\xa9" },
    };
    struct arena a;
    arena_init(&a, 1024);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b;
        buf_init(&b, &a, 4);
        buf_html_text(&b, str_from(cases[i].in));
        assert_string_equal(buf_cstr(&b), cases[i].out);
    }
    arena_destroy(&a);
}

/* As ctemplate's auto-escaping writes a value in HTML (checked against it by hand:
 * the same five entities, whitespace controls as spaces, other bytes as they are). */
static void test_html_value(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
        { "a & b \"q\"", "a &amp; b &quot;q&quot;" },
        { "a\nb\tc\rd\ve\ff", "a b c d e f" },
        { "=` caf\xc3\xa9\x01", "=` caf\xc3\xa9\x01" },
        { "&", "&amp;" },
        { "plain", "plain" },
        { "", "" },
    };
    struct arena a;
    arena_init(&a, 1024);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b;
        buf_init(&b, &a, 4);
        buf_put(&b, STR("x"));
        buf_html_value(&b, str_from(cases[i].in));
        assert_string_equal(buf_cstr(&b) + 1, cases[i].out);
    }
    arena_destroy(&a);
}

/* A text over 4 KB is escaped in runs, a shorter one byte by byte: the same bytes. */
static void test_html_long_text_escapes_as_its_parts(void **state)
{
    static const char pattern[] = "ab<c>&\"d'\te\nf\x01\xc3\xa9 ";
    char in[9000];
    for (size_t i = 0; i < sizeof in; i++) in[i] = pattern[i % (sizeof pattern - 1)];
    struct arena a;
    arena_init(&a, 1024);
    for (int value = 0; value < 2; value++) {
        void (*escape)(struct buf *, str) = value ? buf_html_value : buf_html_text;
        struct buf whole, parts;
        buf_init(&whole, &a, 4);
        buf_init(&parts, &a, 4);
        escape(&whole, str_make(in, sizeof in));
        for (size_t at = 0; at < sizeof in; at += 3000) escape(&parts, str_make(in + at, 3000));
        assert_true(whole.len > sizeof in);
        assert_int_equal(whole.len, parts.len);
        assert_memory_equal(whole.data, parts.data, whole.len);
        assert_int_equal(whole.data[whole.len], '\0');
    }
    arena_destroy(&a);
}

static void test_put_thousandths_writes_what_printf_does(void **state)
{
    static const long cases[] = { 0, 1, 9, 10, 999, 1000, 1001, 12345, 100000, 2147483647L, -5, -1000, -12345 };
    struct arena a;
    arena_init(&a, 1024);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf got, want;
        buf_init(&got, &a, 4);
        buf_init(&want, &a, 4);
        buf_put_thousandths(&got, cases[i]);
        buf_printf(&want, "%.3f", (double)cases[i] / 1000.0);
        assert_string_equal(buf_cstr(&got), buf_cstr(&want));
    }
    arena_destroy(&a);
}

static void test_url_arg(void **state)
{
    static const struct {
        str in;
        const char *out;
    } cases[] = {
        { LIT("abcXYZ019-._~"), "abcXYZ019-._~" },
        { LIT("a b"), "a%20b" },
        { LIT("a+b=c&d/e?f#g%"), "a%2Bb%3Dc%26d%2Fe%3Ff%23g%25" },
        { LIT("caf\xc3\xa9"), "caf%C3%A9" },
        { LIT("\x00\x7f\xff"), "%00%7F%FF" },
        { LIT(""), "" },
    };
    struct arena a;
    arena_init(&a, 1024);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b;
        buf_init(&b, &a, 4);
        buf_url_arg(&b, cases[i].in);
        assert_string_equal(buf_cstr(&b), cases[i].out);
    }
    arena_destroy(&a);
}

static void test_json_str(void **state)
{
    static const struct {
        str in;
        const char *out;
    } cases[] = {
        { LIT(""), "\"\"" },
        { LIT("plain"), "\"plain\"" },
        { LIT("say \"hi\""), "\"say \\\"hi\\\"\"" },
        { LIT("back\\slash"), "\"back\\\\slash\"" },
        { LIT("a\nb\rc\td"), "\"a\\nb\\rc\\td\"" },
        { LIT("\x00\x01\x1f"), "\"\\u0000\\u0001\\u001f\"" },
        { LIT("\x08\x0c"), "\"\\u0008\\u000c\"" },
        { LIT("\x7f"), "\"\\u007f\"" },
        { LIT("</script>"), "\"</script>\"" },
        { LIT("caf\xc3\xa9 \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"" }, /* UTF-8 passes through */
        { LIT("\x20~"), "\" ~\"" },
    };
    struct arena a;
    arena_init(&a, 1024);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b;
        buf_init(&b, &a, 2);
        buf_json_str(&b, cases[i].in);
        assert_string_equal(buf_cstr(&b), cases[i].out);
        assert_int_equal(strlen(b.data), b.len); /* no raw NUL escaped through */
    }
    arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eq_and_prefix),   cmocka_unit_test(test_cut),
        cmocka_unit_test(test_trim),            cmocka_unit_test(test_find),
        cmocka_unit_test(test_cstr_and_dup),    cmocka_unit_test(test_to_long),
        cmocka_unit_test(test_to_u64),          cmocka_unit_test(test_utf8_valid), cmocka_unit_test(test_utf8_length),
        cmocka_unit_test(test_is_uuid),         cmocka_unit_test(test_buf_growth_arena),
        cmocka_unit_test(test_buf_growth_malloc), cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_html_text), cmocka_unit_test(test_html_value),
        cmocka_unit_test(test_html_long_text_escapes_as_its_parts),
        cmocka_unit_test(test_put_thousandths_writes_what_printf_does),       cmocka_unit_test(test_url_arg),
        cmocka_unit_test(test_json_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
