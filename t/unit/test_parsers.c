/* test_parsers.c — request parsers: url_decode, urlencoded, cookies, JSON, multipart, content types, kvlist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/core/buf.h"
#include "../../src/http/request.h"
#include "unit.h"

static void assert_kv(const struct kvlist *l, const char *key, const char *want)
{
    const str *v = kvlist_get(l, key);
    if (!v) fail_msg("key \"%s\" missing", key);
    assert_str(*v, want);
}

/* ---- url_decode ---- */

static void test_url_decode_table(void **state)
{
    const struct {
        str in;
        bool plus_space;
        int rc;
        const char *out;
    } cases[] = {
        { STR(""), true, PARSE_OK, "" },
        { STR("plain"), true, PARSE_OK, "plain" },
        { STR("a+b"), true, PARSE_OK, "a b" },
        { STR("a+b"), false, PARSE_OK, "a+b" },
        { STR("+++"), true, PARSE_OK, "   " },
        { STR("%41%42c"), true, PARSE_OK, "ABc" },
        { STR("%2B"), true, PARSE_OK, "+" },  /* an escaped plus is a plus, never a space */
        { STR("%25"), true, PARSE_OK, "%" },
        { STR("%2525"), true, PARSE_OK, "%25" }, /* decoded once only */
        { STR("%e2%82%AC"), true, PARSE_OK, "\xe2\x82\xac" },
        { STR("caf\xc3\xa9"), true, PARSE_OK, "caf\xc3\xa9" },
        { STR("%20x%20"), false, PARSE_OK, " x " },
        { STR("%"), true, PARSE_BAD_ENCODING, NULL },
        { STR("a%"), true, PARSE_BAD_ENCODING, NULL },
        { STR("%4"), true, PARSE_BAD_ENCODING, NULL },
        { STR("a%4"), true, PARSE_BAD_ENCODING, NULL },
        { STR("%zz"), true, PARSE_BAD_ENCODING, NULL },
        { STR("%4g"), true, PARSE_BAD_ENCODING, NULL },
        { STR("%g4"), true, PARSE_BAD_ENCODING, NULL },
        { STR("% 41"), true, PARSE_BAD_ENCODING, NULL },
        { STR("%00"), true, PARSE_BAD_ENCODING, NULL },     /* NUL is never allowed */
        { STR("a\0b"), true, PARSE_BAD_ENCODING, NULL },    /* raw NUL on the plain path */
        { STR("a\0%41"), true, PARSE_BAD_ENCODING, NULL },  /* raw NUL on the decoding path */
        { STR("%ff"), true, PARSE_BAD_ENCODING, NULL },     /* invalid UTF-8 after decoding */
        { STR("%C0%80"), true, PARSE_BAD_ENCODING, NULL },  /* overlong NUL */
        { STR("%ED%A0%80"), true, PARSE_BAD_ENCODING, NULL }, /* surrogate */
        { STR("%e2%82"), true, PARSE_BAD_ENCODING, NULL },  /* truncated sequence */
        { STR("\xff"), true, PARSE_BAD_ENCODING, NULL },    /* raw invalid byte */
        { STR("\xc3+"), true, PARSE_BAD_ENCODING, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        str out = STR("untouched");
        int rc = url_decode(&A, cases[i].in, cases[i].plus_space, &out);
        if (rc != cases[i].rc) fail_msg("case %zu (\"%.*s\"): rc %d, want %d", i, STR_FMT(cases[i].in), rc, cases[i].rc);
        if (rc == PARSE_OK) assert_str(out, cases[i].out);
        else assert_str(out, "untouched");
    }
}

static void test_url_decode_plain_input_is_not_copied(void **state)
{
    str in = STR("no-escapes-here");
    str out;
    assert_int_equal(url_decode(&A, in, true, &out), PARSE_OK);
    assert_ptr_equal(out.ptr, in.ptr);
    /* With escapes the result is a NUL-terminated copy in the arena. */
    assert_int_equal(url_decode(&A, STR("x%41y"), true, &out), PARSE_OK);
    assert_str(out, "xAy");
    assert_int_equal(out.ptr[out.len], '\0');
}

/* ---- parse_urlencoded ---- */

static void test_urlencoded_basic(void **state)
{
    struct kvlist l = { 0 };
    assert_int_equal(parse_urlencoded(&A, STR("a=1&b=two&c=hello+world%21&d=x%3Dy%26z"), &l), PARSE_OK);
    assert_int_equal(l.n, 4);
    assert_kv(&l, "a", "1");
    assert_kv(&l, "b", "two");
    assert_kv(&l, "c", "hello world!");
    assert_kv(&l, "d", "x=y&z");
    assert_str(l.items[0].key, "a");
    assert_str(l.items[3].key, "d");
}

static void test_urlencoded_edge_pairs(void **state)
{
    struct kvlist l = { 0 };
    assert_int_equal(parse_urlencoded(&A, STR("&&a=1&&&flag&empty=&=nokey&b=x=y&a=2&"), &l), PARSE_OK);
    assert_int_equal(l.n, 6);
    assert_kv(&l, "a", "1");         /* the first value wins */
    assert_str(l.items[4].val, "x=y"); /* only the first '=' splits */
    assert_str(l.items[5].val, "2");
    assert_kv(&l, "flag", "");       /* key without '=' has an empty value */
    assert_kv(&l, "empty", "");
    assert_kv(&l, "", "nokey");      /* empty key is kept as-is */
    assert_kv(&l, "b", "x=y");
    assert_null(kvlist_get(&l, "missing"));

    struct kvlist k = { 0 };
    assert_int_equal(parse_urlencoded(&A, STR("a%20b=c+d"), &k), PARSE_OK);
    assert_kv(&k, "a b", "c d"); /* keys are decoded too */

    struct kvlist e = { 0 };
    assert_int_equal(parse_urlencoded(&A, STR(""), &e), PARSE_OK);
    assert_int_equal(e.n, 0);
    assert_int_equal(parse_urlencoded(&A, STR("&&&"), &e), PARSE_OK);
    assert_int_equal(e.n, 0);
    assert_int_equal(parse_urlencoded(&A, STR_NULL, &e), PARSE_OK);
    assert_int_equal(e.n, 0);
}

static void test_urlencoded_bad_encoding(void **state)
{
    const str bad[] = { STR("a=%zz"), STR("%zz=1"), STR("a=1&b=%"), STR("a=%00"), STR("a=%ff"), STR("a=\xff") };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kvlist l = { 0 };
        assert_int_equal(parse_urlencoded(&A, bad[i], &l), PARSE_BAD_ENCODING);
    }
}

static void test_urlencoded_too_many_fields(void **state)
{
    struct buf b;
    buf_init(&b, &A, 16);
    for (int i = 0; i < PARSE_MAX_FIELDS; i++) buf_printf(&b, "k%d=%d&", i, i);
    struct kvlist l = { 0 };
    assert_int_equal(parse_urlencoded(&A, buf_str(&b), &l), PARSE_OK);
    assert_int_equal(l.n, PARSE_MAX_FIELDS);
    assert_kv(&l, "k999", "999");
    /* Empty pairs do not count towards the limit. */
    buf_puts(&b, "&&&&&&");
    struct kvlist l2 = { 0 };
    assert_int_equal(parse_urlencoded(&A, buf_str(&b), &l2), PARSE_OK);
    /* One more real pair is one too many. */
    buf_puts(&b, "x=1");
    struct kvlist l3 = { 0 };
    assert_int_equal(parse_urlencoded(&A, buf_str(&b), &l3), PARSE_TOO_MANY);
    /* So is a bare key. */
    buf_clear(&b);
    for (int i = 0; i <= PARSE_MAX_FIELDS; i++) buf_puts(&b, "k&");
    struct kvlist l4 = { 0 };
    assert_int_equal(parse_urlencoded(&A, buf_str(&b), &l4), PARSE_TOO_MANY);
}

/* ---- parse_cookies ---- */

static void test_cookies(void **state)
{
    struct kvlist l = { 0 };
    assert_int_equal(parse_cookies(&A, STR("  sid = abc123 ;theme=dark;; novalue; =nameless ; q=\"quoted v\"; "
                                           "eq=a=b; pct=%20; lone=\"; e="),
                                   &l),
                     PARSE_OK);
    assert_int_equal(l.n, 7);
    assert_kv(&l, "sid", "abc123");
    assert_kv(&l, "theme", "dark");
    assert_null(kvlist_get(&l, "novalue")); /* a pair without '=' is ignored */
    assert_null(kvlist_get(&l, ""));        /* so is a nameless one */
    assert_kv(&l, "q", "quoted v");         /* surrounding quotes removed */
    assert_kv(&l, "eq", "a=b");
    assert_kv(&l, "pct", "%20");            /* cookie values are not percent-decoded */
    assert_kv(&l, "lone", "\"");            /* a single quote char is not a quoted value */
    assert_kv(&l, "e", "");

    struct kvlist e = { 0 };
    assert_int_equal(parse_cookies(&A, STR(""), &e), PARSE_OK);
    assert_int_equal(e.n, 0);
    assert_int_equal(parse_cookies(&A, STR_NULL, &e), PARSE_OK);
    assert_int_equal(parse_cookies(&A, STR("garbage without pairs"), &e), PARSE_OK);
    assert_int_equal(e.n, 0);

    struct kvlist d = { 0 };
    assert_int_equal(parse_cookies(&A, STR("a=1; a=2"), &d), PARSE_OK);
    assert_kv(&d, "a", "1");
    assert_int_equal(d.n, 2);
}

static void test_cookies_reject_bad_utf8_and_too_many(void **state)
{
    struct kvlist l = { 0 };
    assert_int_equal(parse_cookies(&A, STR("a=\xc3\x28"), &l), PARSE_BAD_ENCODING);
    assert_int_equal(parse_cookies(&A, STR("ok=1; \xff=2"), &l), PARSE_BAD_ENCODING);
    struct kvlist u = { 0 };
    assert_int_equal(parse_cookies(&A, STR("name=caf\xc3\xa9"), &u), PARSE_OK);
    assert_kv(&u, "name", "caf\xc3\xa9");

    struct buf b;
    buf_init(&b, &A, 16);
    for (int i = 0; i < PARSE_MAX_FIELDS; i++) buf_printf(&b, "c%d=v; ", i);
    struct kvlist m = { 0 };
    assert_int_equal(parse_cookies(&A, buf_str(&b), &m), PARSE_OK);
    assert_int_equal(m.n, PARSE_MAX_FIELDS);
    buf_puts(&b, "junk; ; =x; "); /* ignored pairs do not count */
    struct kvlist m2 = { 0 };
    assert_int_equal(parse_cookies(&A, buf_str(&b), &m2), PARSE_OK);
    buf_puts(&b, "one=more");
    struct kvlist m3 = { 0 };
    assert_int_equal(parse_cookies(&A, buf_str(&b), &m3), PARSE_TOO_MANY);
}

/* ---- parse_json ---- */

static void test_json_object(void **state)
{
    struct json_object *o = NULL;
    assert_int_equal(parse_json(&A, STR("{\"name\":\"caf\xc3\xa9\",\"n\":3,\"list\":[1,2,{\"x\":null}]}"), &o),
                     PARSE_OK);
    assert_non_null(o);
    assert_true(json_object_is_type(o, json_type_object));
    struct json_object *v;
    assert_true(json_object_object_get_ex(o, "name", &v));
    assert_string_equal(json_object_get_string(v), "caf\xc3\xa9");
    assert_true(json_object_object_get_ex(o, "n", &v));
    assert_int_equal(json_object_get_int(v), 3);
    assert_true(json_object_object_get_ex(o, "list", &v));
    assert_int_equal(json_object_array_length(v), 3);
    /* Trailing whitespace is fine. */
    o = NULL;
    assert_int_equal(parse_json(&A, STR("  {\"a\":1} \r\n\t "), &o), PARSE_OK);
    assert_non_null(o);
    /* Unicode escapes are decoded to UTF-8. */
    o = NULL;
    assert_int_equal(parse_json(&A, STR("{\"e\":\"\\u20ac\\ud83d\\ude00\"}"), &o), PARSE_OK);
    assert_true(json_object_object_get_ex(o, "e", &v));
    assert_string_equal(json_object_get_string(v), "\xe2\x82\xac\xf0\x9f\x98\x80");
}

static void test_json_non_object_roots(void **state)
{
    /* parse_json does not require an object root; handlers check the type. */
    struct json_object *o = NULL;
    assert_int_equal(parse_json(&A, STR("[1,2]"), &o), PARSE_OK);
    assert_true(json_object_is_type(o, json_type_array));
    o = NULL;
    assert_int_equal(parse_json(&A, STR("\"text\""), &o), PARSE_OK);
    assert_true(json_object_is_type(o, json_type_string));
    o = NULL;
    assert_int_equal(parse_json(&A, STR("42 "), &o), PARSE_OK);
    assert_int_equal(json_object_get_int(o), 42);
    o = NULL;
    assert_int_equal(parse_json(&A, STR("true\n"), &o), PARSE_OK);
    assert_true(json_object_get_boolean(o));
    /* A bare scalar ending exactly at the end of the body is complete too. */
    o = NULL;
    assert_int_equal(parse_json(&A, STR("42"), &o), PARSE_OK);
    assert_int_equal(json_object_get_int(o), 42);
    o = NULL;
    assert_int_equal(parse_json(&A, STR("true"), &o), PARSE_OK);
    assert_true(json_object_get_boolean(o));
    o = NULL;
    assert_int_equal(parse_json(&A, STR("1.5e3"), &o), PARSE_OK);
    o = NULL;
    assert_int_equal(parse_json(&A, STR("[1"), &o), PARSE_BAD_ENCODING);
    assert_null(o);
}

static void test_json_rejects_bad_input(void **state)
{
    const struct {
        str in;
        const char *why;
    } bad[] = {
        { STR(""), "empty body" },
        { STR("   "), "only whitespace" },
        { STR("{"), "truncated object" },
        { STR("{\"a\":"), "truncated member" },
        { STR("{\"a\":\"unterminated}"), "unterminated string" },
        { STR("[1,2"), "truncated array" },
        { STR("{\"a\":1}x"), "trailing garbage" },
        { STR("{\"a\":1} {\"b\":2}"), "two documents" },
        { STR("[1]\n[2]"), "two documents on two lines" },
        { STR("{\"a\":1}\0"), "trailing NUL" },
        { STR("{\"a\":1,}"), "trailing comma (strict)" },
        { STR("[1,]"), "trailing comma in array (strict)" },
        { STR("[01]"), "leading zero (strict)" },
        { STR("{\"a\":\"\xff\"}"), "invalid UTF-8 in a string" },
        { STR("{\"a\":\"\xed\xa0\x80\"}"), "raw surrogate" },
        { STR("{\"a\":\"\xc0\xaf\"}"), "overlong" },
        { STR("\xef\xbb\xbf{}x"), "BOM plus garbage" },
        { STR("nope"), "bare word" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct json_object *o = NULL;
        int rc = parse_json(&A, bad[i].in, &o);
        if (rc != PARSE_BAD_ENCODING) fail_msg("parse_json accepted %s (rc %d)", bad[i].why, rc);
        assert_null(o);
    }
}

/* n nested arrays: [[[...]]] */
static str nested_arrays(int n)
{
    struct buf b;
    buf_init(&b, &A, (size_t)n * 2 + 1);
    for (int i = 0; i < n; i++) buf_putc(&b, '[');
    for (int i = 0; i < n; i++) buf_putc(&b, ']');
    return buf_str(&b);
}

static void test_json_depth_limit(void **state)
{
    struct json_object *o = NULL;
    assert_int_equal(parse_json(&A, nested_arrays(PARSE_MAX_JSON_DEPTH), &o), PARSE_OK);
    assert_non_null(o);
    o = NULL;
    assert_int_equal(parse_json(&A, nested_arrays(PARSE_MAX_JSON_DEPTH + 1), &o), PARSE_BAD_ENCODING);
    assert_null(o);
    assert_int_equal(parse_json(&A, nested_arrays(10000), &o), PARSE_BAD_ENCODING);
    assert_null(o);
}

static void test_json_root_released_on_reset(void **state)
{
    /* The root is owned by the arena: after a reset json-c's refcount has dropped.
     * We hold an extra reference to observe it (json_object_put returns 1 when it frees). */
    struct arena a;
    arena_init(&a, 512);
    struct json_object *o = NULL;
    assert_int_equal(parse_json(&a, STR("{\"k\":[1,2,3]}"), &o), PARSE_OK);
    json_object_get(o);
    arena_reset(&a);
    assert_int_equal(json_object_put(o), 1);
    arena_destroy(&a);
}

/* ---- multipart ---- */

static void test_multipart_boundary(void **state)
{
    const struct {
        str ct;
        int rc;
        const char *boundary;
    } cases[] = {
        { STR("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"), PARSE_OK,
          "----WebKitFormBoundary7MA4YWxkTrZu0gW" },
        { STR("multipart/form-data;boundary=abc"), PARSE_OK, "abc" },
        { STR("multipart/form-data; BOUNDARY=abc"), PARSE_OK, "abc" },
        { STR("multipart/form-data; charset=utf-8; boundary=abc"), PARSE_OK, "abc" },
        { STR("multipart/form-data; boundary=abc; charset=utf-8"), PARSE_OK, "abc" },
        { STR("multipart/form-data; boundary=\"a b;c\""), PARSE_OK, "a b;c" },
        { STR("multipart/form-data; x=\"boundary=evil;\"; boundary=good"), PARSE_OK, "good" },
        { STR("multipart/form-data; \tboundary=tab"), PARSE_OK, "tab" },
        { STR("multipart/form-data; boundary=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
          PARSE_OK, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }, /* 70: the maximum */
        { STR("multipart/form-data; boundary=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
          PARSE_BAD_ENCODING, NULL }, /* 71 */
        { STR("multipart/form-data"), PARSE_BAD_ENCODING, NULL },
        { STR("multipart/form-data; boundary="), PARSE_BAD_ENCODING, NULL },
        { STR("multipart/form-data; boundary=\"\""), PARSE_BAD_ENCODING, NULL },
        { STR("multipart/form-data; boundary=\"abc"), PARSE_BAD_ENCODING, NULL },
        { STR("multipart/form-data; xboundary=abc"), PARSE_BAD_ENCODING, NULL },
        { STR("multipart/form-data; boundary"), PARSE_BAD_ENCODING, NULL },
        { STR(""), PARSE_BAD_ENCODING, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        str b = STR("untouched");
        int rc = multipart_boundary(cases[i].ct, &b);
        if (rc != cases[i].rc) fail_msg("case %zu: rc %d, want %d", i, rc, cases[i].rc);
        if (rc == PARSE_OK) assert_str(b, cases[i].boundary);
        else assert_str(b, "untouched");
    }
}

struct mp {
    int rc;
    struct kvlist fields;
    struct upload *files;
    size_t nfiles;
};

static struct mp mp_parse(str body, const char *boundary)
{
    struct mp m = { 0 };
    m.files = (struct upload *)(uintptr_t)1; /* must be overwritten on success */
    m.nfiles = 12345;
    m.rc = parse_multipart(&A, body, str_from(boundary), &m.fields, &m.files, &m.nfiles);
    return m;
}

static void test_multipart_fields_and_files(void **state)
{
    static const char body[] =
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"title\"\r\n"
        "\r\n"
        "Hello caf\xc3\xa9\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"a b;c.txt\"\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "line1\r\nline2 --XyZ not a delimiter (no CRLF before it)\r\n"
        "--XyZ\r\n"
        "content-disposition: FORM-DATA; NAME=empty\r\n"
        "\r\n"
        "\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"bin\"; filename=\"\"\r\n"
        "\r\n"
        "\xff\xfe\x00\x01\r\n"
        "--XyZ--\r\n"
        "epilogue is ignored";
    struct mp m = mp_parse(STR(body), "XyZ");
    assert_int_equal(m.rc, PARSE_OK);
    assert_int_equal(m.fields.n, 2);
    assert_kv(&m.fields, "title", "Hello caf\xc3\xa9");
    assert_kv(&m.fields, "empty", "");
    assert_int_equal(m.nfiles, 2);
    assert_str(m.files[0].field, "file");
    assert_str(m.files[0].filename, "a b;c.txt");
    assert_str(m.files[0].content_type, "text/plain");
    /* Only CRLF "--" boundary ends a part; the CRLF belongs to the delimiter. */
    assert_str(m.files[0].data, "line1\r\nline2 --XyZ not a delimiter (no CRLF before it)");
    /* An empty filename still makes a file part (an empty <input type=file>). */
    assert_str(m.files[1].field, "bin");
    assert_int_equal(m.files[1].filename.len, 0);
    assert_non_null(m.files[1].filename.ptr);
    assert_int_equal(m.files[1].content_type.len, 0);
    assert_int_equal(m.files[1].data.len, 4);
    assert_memory_equal(m.files[1].data.ptr, "\xff\xfe\x00\x01", 4);
    /* Views point into the body. */
    assert_true(m.files[0].data.ptr > body && m.files[0].data.ptr < body + sizeof body);
}

static void test_multipart_many_files(void **state)
{
    struct buf b;
    buf_init(&b, &A, 64);
    for (int i = 0; i < 10; i++)
        buf_printf(&b, "--B\r\nContent-Disposition: form-data; name=\"f%d\"; filename=\"%d.bin\"\r\n\r\ndata%d\r\n", i, i,
                   i);
    buf_puts(&b, "--B--");
    struct mp m = mp_parse(buf_str(&b), "B");
    assert_int_equal(m.rc, PARSE_OK);
    assert_int_equal(m.nfiles, 10);
    assert_int_equal(m.fields.n, 0);
    for (int i = 0; i < 10; i++) {
        char want[16];
        snprintf(want, sizeof want, "data%d", i);
        assert_str(m.files[i].data, want);
        snprintf(want, sizeof want, "%d.bin", i);
        assert_str(m.files[i].filename, want);
    }
}

static void test_multipart_empty_and_closing_only(void **state)
{
    struct mp m = mp_parse(STR("--B--"), "B");
    assert_int_equal(m.rc, PARSE_OK);
    assert_int_equal(m.nfiles, 0);
    assert_int_equal(m.fields.n, 0);
    m = mp_parse(STR("--B--\r\n"), "B");
    assert_int_equal(m.rc, PARSE_OK);
}

static void test_multipart_errors(void **state)
{
    const struct {
        str body;
        int rc;
        const char *why;
    } cases[] = {
        { STR(""), PARSE_BAD_ENCODING, "empty body" },
        { STR("--Other\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--Other--"), PARSE_BAD_ENCODING,
          "wrong boundary" },
        { STR("preamble\r\n--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B--"), PARSE_BAD_ENCODING,
          "does not start with the boundary" },
        { STR("--B"), PARSE_TRUNCATED, "only the opening delimiter" },
        { STR("--B\r\n"), PARSE_TRUNCATED, "no headers" },
        { STR("--B\r\nContent-Disposition: form-data; name=\"a\""), PARSE_TRUNCATED, "headers not finished" },
        { STR("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue"), PARSE_TRUNCATED,
          "no closing delimiter" },
        { STR("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--B"), PARSE_TRUNCATED,
          "delimiter without -- or CRLF" },
        { STR("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--Bjunk"), PARSE_BAD_ENCODING,
          "junk after the delimiter" },
        { STR("--B\nContent-Disposition: form-data; name=\"a\"\n\nvalue\n--B--"), PARSE_BAD_ENCODING,
          "bare LF line endings" },
        { STR("--B\r\nContent-Type: text/plain\r\n\r\nv\r\n--B--"), PARSE_BAD_ENCODING, "no Content-Disposition" },
        { STR("--B\r\n\r\nv\r\n--B--"), PARSE_BAD_ENCODING, "no headers at all" },
        { STR("--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--B--"), PARSE_BAD_ENCODING,
          "not form-data" },
        { STR("--B\r\nContent-Disposition: form-data\r\n\r\nv\r\n--B--"), PARSE_BAD_ENCODING, "no name" },
        { STR("--B\r\nContent-Disposition: form-data; name=\"a\"\r\nbroken header line\r\n\r\nv\r\n--B--"),
          PARSE_BAD_ENCODING, "header line without colon" },
        { STR("--B\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--B--"), PARSE_BAD_ENCODING,
          "unterminated quoted name" },
        { STR("--B\r\nContent-Disposition: form-data; name=\"\xff\"\r\n\r\nv\r\n--B--"), PARSE_BAD_ENCODING,
          "invalid UTF-8 in the name" },
        { STR("--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xc3\"\r\n\r\nv\r\n--B--"),
          PARSE_BAD_ENCODING, "invalid UTF-8 in the filename" },
        { STR("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xff\r\n--B--"), PARSE_BAD_ENCODING,
          "invalid UTF-8 in a plain field" },
        { STR("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\0y\r\n--B--"), PARSE_BAD_ENCODING,
          "NUL in a plain field" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mp m = mp_parse(cases[i].body, "B");
        if (m.rc != cases[i].rc) fail_msg("%s: rc %d, want %d", cases[i].why, m.rc, cases[i].rc);
        /* Outputs untouched on failure. */
        assert_int_equal(m.nfiles, 12345);
    }
}

static void test_multipart_too_many_parts(void **state)
{
    struct buf b;
    buf_init(&b, &A, 64);
    for (int i = 0; i < PARSE_MAX_FIELDS; i++)
        buf_printf(&b, "--B\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n%d\r\n", i, i);
    size_t keep = b.len;
    buf_puts(&b, "--B--");
    struct mp m = mp_parse(buf_str(&b), "B");
    assert_int_equal(m.rc, PARSE_OK);
    assert_int_equal(m.fields.n, PARSE_MAX_FIELDS);
    assert_kv(&m.fields, "f999", "999");
    b.len = keep;
    buf_puts(&b, "--B\r\nContent-Disposition: form-data; name=\"one-more\"\r\n\r\nx\r\n--B--");
    m = mp_parse(buf_str(&b), "B");
    assert_int_equal(m.rc, PARSE_TOO_MANY);
}

static void test_multipart_boundary_then_parse(void **state)
{
    /* The two functions together, as the pipeline uses them. */
    str boundary;
    assert_int_equal(multipart_boundary(STR("multipart/form-data; boundary=\"q;x\""), &boundary), PARSE_OK);
    struct kvlist fields = { 0 };
    struct upload *files = NULL;
    size_t nfiles = 0;
    assert_int_equal(parse_multipart(&A, STR("--q;x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--q;x--"),
                                     boundary, &fields, &files, &nfiles),
                     PARSE_OK);
    assert_kv(&fields, "a", "1");
    assert_int_equal(nfiles, 0);
    assert_non_null(files);
}

/* ---- content types, kvlist, request helpers ---- */

static void test_content_type_base(void **state)
{
    const struct {
        str in;
        const char *out;
    } cases[] = {
        { STR("application/json"), "application/json" },
        { STR("Application/JSON; charset=UTF-8"), "application/json" },
        { STR("  multipart/form-data ; boundary=x"), "multipart/form-data" },
        { STR("text/html;charset=utf-8"), "text/html" },
        { STR(""), "" },
        { STR(";"), "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        str got = content_type_base(&A, cases[i].in);
        assert_str(got, cases[i].out);
        assert_int_equal(got.ptr[got.len], '\0');
    }
    assert_str(content_type_base(&A, STR_NULL), "");
}

static void test_kvlist(void **state)
{
    struct kvlist l = { 0 };
    assert_null(kvlist_get(&l, "a"));
    for (int i = 0; i < 100; i++) {
        char *k = arena_alloc(&A, 8);
        snprintf(k, 8, "k%d", i);
        kvlist_add(&A, &l, str_from(k), i % 2 ? STR("odd") : STR(""));
    }
    assert_int_equal(l.n, 100);
    assert_true(l.cap >= 100);
    const str *v = kvlist_get(&l, "k0");
    assert_non_null(v);           /* present but empty: not NULL */
    assert_int_equal(v->len, 0);
    assert_kv(&l, "k99", "odd");
    assert_null(kvlist_get(&l, "k100"));
    assert_null(kvlist_get(&l, "k")); /* no prefix matching */
    assert_null(kvlist_get(&l, ""));
    kvlist_add(&A, &l, STR("k1"), STR("second"));
    assert_kv(&l, "k1", "odd"); /* first wins */
}

/* Headers arrive as FastCGI spells them (HTTP_X_VAPI_SECRET, kept without the
 * prefix); a feature asks by the HTTP name, in any case. */
static void test_request_header_by_name(void **state)
{
    struct request r;
    memset(&r, 0, sizeof r);
    assert_str(req_header(&r, "X-Vapi-Secret"), "");
    kvlist_add(&A, &r.headers, STR("HOST"), STR("example.com"));
    kvlist_add(&A, &r.headers, STR("X_VAPI_SECRET"), STR("s3cret"));
    kvlist_add(&A, &r.headers, STR("X_VAPI_SECRET"), STR("second"));
    kvlist_add(&A, &r.headers, STR("X_EMPTY"), STR(""));
    assert_str(req_header(&r, "X-Vapi-Secret"), "s3cret"); /* the first of repeated params */
    assert_str(req_header(&r, "x-vapi-secret"), "s3cret");
    assert_str(req_header(&r, "X_VAPI_SECRET"), "s3cret");
    assert_str(req_header(&r, "Host"), "example.com");
    assert_str(req_header(&r, "X-Empty"), "");
    assert_str(req_header(&r, "X-Vapi"), "");
    assert_str(req_header(&r, "X-Vapi-Secrets"), "");
    assert_str(req_header(&r, "X-Twilio-Signature"), "");
}

static void test_request_helpers(void **state)
{
    struct request r;
    memset(&r, 0, sizeof r);
    kvlist_add(&A, &r.query, STR("a"), STR("from-query"));
    kvlist_add(&A, &r.query, STR("q"), STR("only-query"));
    kvlist_add(&A, &r.form, STR("a"), STR("from-form"));
    kvlist_add(&A, &r.params, STR("id"), STR("42"));
    assert_str(*req_param(&r, "a"), "from-form");
    assert_str(*req_param(&r, "q"), "only-query");
    assert_null(req_param(&r, "zz"));
    assert_str(req_path_param(&r, "id"), "42");
    assert_null(req_path_param(&r, "nope").ptr);

    r.scheme = STR("https");
    assert_true(req_is_https(&r));
    r.scheme = STR("http");
    assert_false(req_is_https(&r));

    const struct {
        str accept;
        bool json;
    } cases[] = {
        { STR("application/json"), true },
        { STR("application/json, text/html"), true },
        { STR("text/html, application/json"), false },
        { STR("text/html,application/xhtml+xml,*/*;q=0.8"), false },
        { STR("*/*"), false },
        { STR(""), false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r.accept = cases[i].accept;
        assert_int_equal(req_accepts_json(&r), cases[i].json);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_decode_table),
        cmocka_unit_test(test_url_decode_plain_input_is_not_copied),
        cmocka_unit_test(test_urlencoded_basic),
        cmocka_unit_test(test_urlencoded_edge_pairs),
        cmocka_unit_test(test_urlencoded_bad_encoding),
        cmocka_unit_test(test_urlencoded_too_many_fields),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_cookies_reject_bad_utf8_and_too_many),
        cmocka_unit_test(test_json_object),
        cmocka_unit_test(test_json_non_object_roots),
        cmocka_unit_test(test_json_rejects_bad_input),
        cmocka_unit_test(test_json_depth_limit),
        cmocka_unit_test(test_json_root_released_on_reset),
        cmocka_unit_test(test_multipart_boundary),
        cmocka_unit_test(test_multipart_fields_and_files),
        cmocka_unit_test(test_multipart_many_files),
        cmocka_unit_test(test_multipart_empty_and_closing_only),
        cmocka_unit_test(test_multipart_errors),
        cmocka_unit_test(test_multipart_too_many_parts),
        cmocka_unit_test(test_multipart_boundary_then_parse),
        cmocka_unit_test(test_content_type_base),
        cmocka_unit_test(test_kvlist),
        cmocka_unit_test(test_request_helpers),
        cmocka_unit_test(test_request_header_by_name),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
