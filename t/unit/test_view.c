/* test_view.c — templates: HTML auto-escaping, sections, includes, globals, tdict_root, markup values, missing files, reload;
 * the JSON writer (commas, nulls, numbers as PostgreSQL prints them, escaping). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/core/arena.h"
#include "../../src/core/buf.h"
#include "../../src/view/json.h"
#include "../../src/view/view.h"

#define ESC "{{%AUTOESCAPE context=\"HTML\"}}"

static char dir[64];
static struct arena A;

static void write_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static const struct {
    const char *name, *text;
} templates[] = {
    { "value.tpl", ESC "[{{V}}]" },
    { "page.tpl", ESC "<h1>{{TITLE}}</h1>{{#ROWS}}<li>{{NAME}}#{{N}}</li>{{/ROWS}}{{#EMPTY}}<p>none</p>{{/EMPTY}}"
                  "{{>FOOTER}}" },
    { "footer.tpl", ESC "<footer>{{SITE}}|{{TITLE}}|{{LOCAL}}</footer>" },
    { "attr.tpl", ESC "<a href=\"/x?q={{Q}}\" title=\"{{Q}}\">{{Q}}</a>" },
    { "broken.tpl", ESC "{{#OPEN}}never closed" },
    { "reload.tpl", ESC "version one" },
    { "markup.tpl", ESC "<select>{{OPTIONS:none}}</select>[{{V}}]{{>INNER}}" },
    { "inner.tpl", ESC "<i>{{OPTIONS:none}}</i>" },
};

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/sb-test-view-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++) write_file(templates[i].name, templates[i].text);
    if (view_init(dir) != 0) return -1;
    arena_init(&A, 4096);
    return 0;
}

static int teardown(void **state)
{
    arena_destroy(&A);
    for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, templates[i].name);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

/* Renders name with d into a fresh buffer; fails the test if rendering fails. */
static const char *render(const char *name, struct tdict *d)
{
    struct buf b;
    buf_init(&b, &A, 64);
    if (view_render(name, d, &b) != 0) fail_msg("view_render(%s) failed", name);
    return buf_cstr(&b);
}

static void test_values_are_html_escaped(void **state)
{
    const struct {
        const char *in, *out;
    } cases[] = {
        { "plain", "[plain]" },
        { "<script>alert(1)</script>", "[&lt;script&gt;alert(1)&lt;/script&gt;]" },
        { "a & b", "[a &amp; b]" },
        { "\"quoted\" 'single'", "[&quot;quoted&quot; &#39;single&#39;]" },
        { "caf\xc3\xa9", "[caf\xc3\xa9]" },
        { "", "[]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tdict *d = tdict_new(&A, "value");
        tdict_set(d, "V", str_from(cases[i].in));
        assert_string_equal(render("value.tpl", d), cases[i].out);
    }
    /* A value is its str view: bytes past len are not used. */
    struct tdict *d = tdict_new(&A, "value");
    tdict_set(d, "V", str_make("<b>bold</b>", 3));
    assert_string_equal(render("value.tpl", d), "[&lt;b&gt;]");
    /* Attributes get the same escaping, so a quote cannot break out. */
    d = tdict_new(&A, "attr");
    tdict_set_cstr(d, "Q", "\"><script>");
    const char *out = render("attr.tpl", d);
    assert_null(strstr(out, "<script>"));
    assert_null(strstr(out, "\"><"));
}

static void test_set_helpers(void **state)
{
    struct tdict *d = tdict_new(&A, "value");
    tdict_set_long(d, "V", -42);
    assert_string_equal(render("value.tpl", d), "[-42]");
    d = tdict_new(&A, "value");
    tdict_set_cstr(d, "V", NULL);
    assert_string_equal(render("value.tpl", d), "[]");
    d = tdict_new(&A, "value");
    tdict_set(d, "V", STR_NULL);
    assert_string_equal(render("value.tpl", d), "[]");
    d = tdict_new(&A, "value"); /* unset: empty */
    assert_string_equal(render("value.tpl", d), "[]");
}

static void test_sections_repeat_and_hide(void **state)
{
    struct tdict *d = tdict_new(&A, "page");
    tdict_set_cstr(d, "TITLE", "Calls");
    static const char *const rows[] = { "alice", "<bob>", "carol" };
    for (int i = 0; i < 3; i++) {
        struct tdict *row = tdict_add_section(d, "ROWS");
        tdict_set_cstr(row, "NAME", rows[i]);
        tdict_set_long(row, "N", i + 1);
    }
    tdict_include(d, "FOOTER", "footer.tpl");
    assert_string_equal(render("page.tpl", d),
                        "<h1>Calls</h1><li>alice#1</li><li>&lt;bob&gt;#2</li><li>carol#3</li>"
                        "<footer>||</footer>");

    /* No rows: the section vanishes; tdict_show shows a section once. */
    d = tdict_new(&A, "page");
    tdict_show(d, "EMPTY");
    assert_string_equal(render("page.tpl", d), "<h1></h1><p>none</p>");
}

static void test_includes_and_globals(void **state)
{
    struct tdict *d = tdict_new(&A, "page");
    tdict_set_cstr(d, "TITLE", "Top");
    struct tdict *footer = tdict_include(d, "FOOTER", "footer.tpl");
    tdict_set_cstr(footer, "LOCAL", "<mine>");
    /* Plain values are not inherited across includes; globals are (and are escaped). */
    tdict_set_global(d, "SITE", STR("S&B"));
    assert_string_equal(render("page.tpl", d), "<h1>Top</h1><footer>S&amp;B||&lt;mine&gt;</footer>");

    /* A global set through a child dictionary also reaches the whole tree. */
    d = tdict_new(&A, "page");
    footer = tdict_include(d, "FOOTER", "footer.tpl");
    struct tdict *row = tdict_add_section(d, "ROWS");
    tdict_set_global(row, "SITE", STR("from-row"));
    tdict_set_global(row, "NAME", STR("g"));
    assert_string_equal(render("page.tpl", d), "<h1></h1><li>g#</li><footer>from-row||</footer>");
    (void)footer;

    /* An include without a filename renders nothing. */
    d = tdict_new(&A, "page");
    tdict_set_cstr(d, "TITLE", "x");
    assert_string_equal(render("page.tpl", d), "<h1>x</h1>");
}

static void test_root(void **state)
{
    struct tdict *d = tdict_new(&A, "page");
    assert_ptr_equal(tdict_root(d), d);
    struct tdict *row = tdict_add_section(d, "ROWS");
    assert_ptr_equal(tdict_root(row), d);
    struct tdict *inc = tdict_include(d, "FOOTER", "footer.tpl");
    assert_ptr_equal(tdict_root(inc), d);
    struct tdict *nested = tdict_add_section(row, "INNER");
    assert_ptr_equal(tdict_root(nested), d);
    struct tdict *other = tdict_new(&A, "other");
    assert_ptr_not_equal(tdict_root(other), d);
    /* Setting through the root reaches the page. */
    tdict_set_cstr(tdict_root(nested), "TITLE", "via root");
    assert_non_null(strstr(render("page.tpl", d), "<h1>via root</h1>"));
}

static void test_missing_and_broken_templates(void **state)
{
    struct tdict *d = tdict_new(&A, "x");
    struct buf b;
    buf_init(&b, &A, 16);
    buf_puts(&b, "keep");
    assert_int_equal(view_render("does-not-exist.tpl", d, &b), -1);
    assert_int_equal(view_render("broken.tpl", d, &b), -1);
    assert_int_equal(view_render("../etc/passwd", d, &b), -1);
    assert_string_equal(buf_cstr(&b), "keep");

    static const char *const good[] = { "value.tpl", "page.tpl", "footer.tpl" };
    assert_int_equal(view_preload(good, 3), 0);
    static const char *const mixed[] = { "value.tpl", "missing.tpl", "broken.tpl", "footer.tpl" };
    assert_int_equal(view_preload(mixed, 4), 2);
}

static void test_reload_picks_up_changes(void **state)
{
    struct tdict *d = tdict_new(&A, "reload");
    assert_string_equal(render("reload.tpl", d), "version one");
    write_file("reload.tpl", ESC "version two {{V}}");
    tdict_set_cstr(d, "V", "<2>");
    /* Cached until reloaded (templates are read once per worker). */
    assert_string_equal(render("reload.tpl", d), "version one");
    view_reload();
    assert_string_equal(render("reload.tpl", d), "version two &lt;2&gt;");
    /* A template that appears after start-up is found after a reload too. */
    write_file("late.tpl", ESC "late");
    view_reload();
    assert_string_equal(render("late.tpl", d), "late");
    char path[128];
    snprintf(path, sizeof path, "%s/late.tpl", dir);
    unlink(path);
    write_file("reload.tpl", ESC "version one");
    view_reload();
}

static void test_view_init_switches_directory(void **state)
{
    char other[64];
    snprintf(other, sizeof other, "/tmp/sb-test-view2-XXXXXX");
    assert_non_null(mkdtemp(other));
    char path[128];
    snprintf(path, sizeof path, "%s/value.tpl", other);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(ESC "other dir {{V}}", f);
    fclose(f);
    struct tdict *d = tdict_new(&A, "value");
    tdict_set_cstr(d, "V", "v");
    assert_int_equal(view_init(other), 0);
    assert_string_equal(render("value.tpl", d), "other dir v");
    unlink(path);
    rmdir(other);
    /* Back to the main dir, with and without a trailing slash. */
    char slash[80];
    snprintf(slash, sizeof slash, "%s/", dir);
    assert_int_equal(view_init(slash), 0);
    assert_string_equal(render("value.tpl", d), "[v]");
    assert_int_equal(view_init(dir), 0);
    assert_string_equal(render("value.tpl", d), "[v]");
}

/* Writes text to dir/name. */
static void write_in(const char *d, const char *name, const char *text)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", d, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void remove_in(const char *d, const char *const *names, int n)
{
    char path[160];
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", d, names[i]);
        unlink(path);
    }
    rmdir(d);
}

/* view_load_all (serve, before forking the workers): all of a directory's templates,
 * includes resolved from the same set, or none of them and the ones in use stay. */
static void test_load_all_is_all_or_nothing(void **state)
{
    char good[64], bad[64];
    snprintf(good, sizeof good, "/tmp/sb-test-view3-XXXXXX");
    snprintf(bad, sizeof bad, "/tmp/sb-test-view4-XXXXXX");
    assert_non_null(mkdtemp(good));
    assert_non_null(mkdtemp(bad));
    write_in(good, "value.tpl", ESC "good {{V}}");
    write_in(good, "page.tpl", ESC "<h1>{{TITLE}}</h1>{{>FOOTER}}");
    write_in(good, "footer.tpl", ESC "<footer>good</footer>");
    write_in(bad, "value.tpl", ESC "bad {{V}}");
    write_in(bad, "broken.tpl", ESC "{{#OPEN}}never closed");

    struct tdict *d = tdict_new(&A, "value");
    tdict_set_cstr(d, "V", "<v>");
    tdict_set_cstr(d, "TITLE", "t");
    tdict_include(d, "FOOTER", "footer.tpl");
    assert_int_equal(view_load_all(good), 0);
    assert_string_equal(render("value.tpl", d), "good &lt;v&gt;");
    assert_string_equal(render("page.tpl", d), "<h1>t</h1><footer>good</footer>");
    /* One broken template: none of that directory is taken. */
    assert_int_equal(view_load_all(bad), 1);
    assert_string_equal(render("value.tpl", d), "good &lt;v&gt;");
    assert_int_equal(view_load_all("/nonexistent/sb-templates"), -1);
    assert_string_equal(render("page.tpl", d), "<h1>t</h1><footer>good</footer>");
    /* Loaded, they no longer depend on the files. */
    static const char *const good_files[] = { "value.tpl", "page.tpl", "footer.tpl" };
    static const char *const bad_files[] = { "value.tpl", "broken.tpl" };
    remove_in(good, good_files, 3);
    remove_in(bad, bad_files, 2);
    assert_string_equal(render("page.tpl", d), "<h1>t</h1><footer>good</footer>");
    assert_int_equal(view_init(dir), 0); /* back to the other tests' directory */
    assert_string_equal(render("value.tpl", d), "[&lt;v&gt;]");
}

static void test_dictionaries_die_with_the_arena(void **state)
{
    /* Many dictionaries over many resets: with ASan/LSan a missing delete shows as a leak. */
    struct arena a;
    arena_init(&a, 1024);
    for (int round = 0; round < 20; round++) {
        struct tdict *d = tdict_new(&a, "page");
        for (int i = 0; i < 10; i++) tdict_set_long(tdict_add_section(d, "ROWS"), "N", i);
        tdict_include(d, "FOOTER", "footer.tpl");
        struct buf b;
        buf_init(&b, &a, 64);
        assert_int_equal(view_render("page.tpl", d, &b), 0);
        assert_non_null(strstr(buf_cstr(&b), "#9</li>"));
        arena_reset(&a);
    }
    arena_destroy(&a);
}

/* tdict_markup: written as it is (the caller escaped it), each dictionary its own,
 * what the buffer holds when rendered, and any size. */
static void test_markup_values(void **state)
{
    (void)state;
    struct tdict *d = tdict_new(&A, "markup");
    struct tdict *inner = tdict_include(d, "INNER", "inner.tpl");
    buf_puts(tdict_markup(d, "OPTIONS"), "<option value=\"a&amp;b\">");
    buf_puts(tdict_markup(d, "OPTIONS"), "A</option>");
    buf_puts(tdict_markup(inner, "OPTIONS"), "<b>in</b>");
    tdict_set_cstr(d, "V", "<v>");
    assert_string_equal(render("markup.tpl", d),
                        "<select><option value=\"a&amp;b\">A</option></select>[&lt;v&gt;]<i><b>in</b></i>");
    for (int i = 0; i < 20000; i++) buf_puts(tdict_markup(d, "OPTIONS"), "<option>x</option>");
    const char *big = render("markup.tpl", d);
    assert_int_equal(strlen(big), strlen("<select><option value=\"a&amp;b\">A</option></select>[&lt;v&gt;]<i><b>in</b></i>") +
                                      20000 * strlen("<option>x</option>"));
    assert_non_null(strstr(big, "<option>x</option></select>[&lt;v&gt;]"));
    /* Nothing set: the value is empty. */
    struct tdict *e = tdict_new(&A, "empty");
    tdict_include(e, "INNER", "inner.tpl");
    assert_string_equal(render("markup.tpl", e), "<select></select>[]<i></i>");
    arena_reset(&A); /* the buffers are freed with the dictionaries */
}

static void test_json_writer(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, &A, 8);
    struct jw w;
    jw_init(&w, &b);
    jw_object(&w, NULL);
    jw_array(&w, "data");
    for (int i = 0; i < 2; i++) {
        jw_object(&w, NULL);
        jw_str(&w, "id", i ? STR("b\"\\\n\x01") : STR("a"));
        jw_str(&w, "none", STR_NULL);
        jw_cstr(&w, "empty", "");
        jw_long(&w, "n", -42);
        jw_bool(&w, "t", i == 1);
        jw_null(&w, "z");
        jw_array(&w, "list");
        jw_array_end(&w);
        jw_object(&w, "o");
        jw_object_end(&w);
        jw_object_end(&w);
    }
    jw_array_end(&w);
    jw_json(&w, "raw", STR("[\"x\",{\"k\":1}]"));
    jw_json(&w, "raw_null", STR_NULL);
    jw_object_end(&w);
    assert_string_equal(buf_cstr(&b),
                        "{\"data\":[{\"id\":\"a\",\"none\":null,\"empty\":\"\",\"n\":-42,\"t\":false,\"z\":null,"
                        "\"list\":[],\"o\":{}},{\"id\":\"b\\\"\\\\\\n\\u0001\",\"none\":null,\"empty\":\"\",\"n\":-42,"
                        "\"t\":true,\"z\":null,\"list\":[],\"o\":{}}],\"raw\":[\"x\",{\"k\":1}],\"raw_null\":null}");

    /* Numbers as PostgreSQL prints them; anything else is null, never broken JSON. */
    static const char *const in[] = { "0.500", "-0.500", "1.000", "10.0", "100", "-0.000", "0", "0.123",
                                      "-12", "NaN", "1e5", "", "01", ".5", "5.", "-", "1.2.3", "0x10" };
    static const char *const out[] = { "0.5", "-0.5", "1", "10", "100", "0", "0", "0.123",
                                       "-12", "null", "null", "null", "null", "null", "null", "null", "null", "null" };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        buf_clear(&b);
        jw_init(&w, &b);
        jw_number(&w, NULL, str_from(in[i]));
        assert_string_equal(buf_cstr(&b), out[i]);
    }
    buf_clear(&b);
    jw_init(&w, &b);
    jw_number(&w, NULL, STR_NULL);
    assert_string_equal(buf_cstr(&b), "null");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_are_html_escaped),
        cmocka_unit_test(test_set_helpers),
        cmocka_unit_test(test_sections_repeat_and_hide),
        cmocka_unit_test(test_includes_and_globals),
        cmocka_unit_test(test_root),
        cmocka_unit_test(test_missing_and_broken_templates),
        cmocka_unit_test(test_reload_picks_up_changes),
        cmocka_unit_test(test_view_init_switches_directory),
        cmocka_unit_test(test_load_all_is_all_or_nothing),
        cmocka_unit_test(test_dictionaries_die_with_the_arena),
        cmocka_unit_test(test_markup_values),
        cmocka_unit_test(test_json_writer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
