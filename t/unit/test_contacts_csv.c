/* test_contacts_csv.c — the contacts import's pure parts: the CSV reader (BOM, CRLF,
 * quotes, line breaks in fields, errors with their line), the whole-file checks,
 * email and the other field rules, header guessing, and rows merged by phone/email. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/app/campaigns/contact_fields.h"
#include "../../src/app/campaigns/csv_read.h"
#include "../../src/app/campaigns/import_rows.h"
#include "unit.h"

/* Every record of in, cells joined by '|' and records by '/'; or "ERR<status>@<line>". */
static const char *read_all(const char *in)
{
    struct csv_reader rd;
    struct buf b;
    str f[CSV_MAX_FIELDS];
    int n;
    enum csv_status st;
    csv_reader_init(&rd, str_from(in));
    buf_init(&b, &A, 64);
    for (int rec = 0; (st = csv_read_record(&rd, &A, f, &n)) == CSV_RECORD; rec++) {
        if (rec) buf_putc(&b, '/');
        for (int i = 0; i < n; i++) {
            if (i) buf_putc(&b, '|');
            buf_put(&b, f[i]);
        }
    }
    if (st != CSV_END) {
        buf_clear(&b);
        buf_printf(&b, "ERR%d@%ld", (int)st, rd.line);
    }
    return buf_cstr(&b);
}

static void test_csv_records(void **state)
{
    (void)state;
    assert_string_equal(read_all("a,b\nc,d\n"), "a|b/c|d");
    assert_string_equal(read_all("a,b\r\nc,d"), "a|b/c|d");
    assert_string_equal(read_all("a,b\rc,d\r"), "a|b/c|d");
    assert_string_equal(read_all("\xEF\xBB\xBFname,phone\r\n"), "name|phone");
    assert_string_equal(read_all("\"Engines, Ltd\",x"), "Engines, Ltd|x");
    assert_string_equal(read_all("\"say \"\"hi\"\"\",\"\""), "say \"hi\"|");
    assert_string_equal(read_all("\"two\r\nlines\",z\r\nnext,row"), "two\r\nlines|z/next|row");
    assert_string_equal(read_all("a,,\n,\n"), "a||/|");
    assert_string_equal(read_all("a,b\n\n\r\n\nc\n"), "a|b/c");
    assert_string_equal(read_all("trailing,"), "trailing|");
    assert_string_equal(read_all(""), "");
    assert_string_equal(read_all("\xEF\xBB\xBF"), "");
    assert_string_equal(read_all("é,ü\n"), "é|ü");
}

static void test_csv_errors(void **state)
{
    (void)state;
    assert_string_equal(read_all("a\n\"open,b\nc\n"), "ERR-1@2");
    assert_string_equal(read_all("a\nb\n\"x\"y,z\n"), "ERR-1@3");
    assert_string_equal(read_all("\"multi\nline\"\n\"bad\"x\n"), "ERR-1@3");
    struct buf wide;
    buf_init(&wide, &A, 256);
    for (int i = 0; i <= CSV_MAX_FIELDS; i++) buf_puts(&wide, i ? ",x" : "x");
    assert_string_equal(read_all(buf_cstr(&wide)), "ERR-2@1");
}

static const char *scan(const char *in, long *rows)
{
    struct import_scan s;
    const char *m = import_scan_file(&A, str_from(in), &s);
    *rows = s.rows;
    return m ? m : "ok";
}

static void test_scan_file(void **state)
{
    (void)state;
    long rows;
    assert_string_equal(scan("phone\n+14155550100\n", &rows), "ok");
    assert_int_equal(rows, 1);
    assert_non_null(strstr(scan("", &rows), "is empty"));
    assert_non_null(strstr(scan("\xEF\xBB\xBF \r\n", &rows), "is empty"));
    assert_non_null(strstr(scan("phone,name\r\n", &rows), "header row but no contacts"));
    assert_non_null(strstr(scan("phone\nJos\xE9\n", &rows), "not UTF-8 text (line 2)"));
    assert_non_null(strstr(scan("phone\n\"x\n", &rows), "line 2 has a quoted field"));
    struct buf big;
    buf_init(&big, &A, 1 << 20);
    buf_puts(&big, "phone\n");
    for (long i = 0; i < IMPORT_MAX_ROWS; i++) buf_puts(&big, "1\n");
    assert_string_equal(scan(buf_cstr(&big), &rows), "ok");
    assert_int_equal(rows, IMPORT_MAX_ROWS);
    buf_puts(&big, "1\n");
    assert_non_null(strstr(scan(buf_cstr(&big), &rows), "more than 100,000 rows"));
}

static void test_email(void **state)
{
    (void)state;
    static const char *const good[] = { "a@b.co", "ada.lovelace+news@example.com", "x_y@sub.example-mail.org",
                                        "O'Brien@example.ie" };
    static const char *const bad[] = { "", "plain", "@example.com", "a@", "a@b", "a@@b.co", "a b@c.co", "a@b..co",
                                       ".a@b.co", "a.@b.co", "a..b@c.co", "a@-b.co", "a@b-.co", "a@b.co.", "é@b.co",
                                       "a@b.co\n" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!contact_email_valid(str_from(good[i]))) fail_msg("refused %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (contact_email_valid(str_from(bad[i]))) fail_msg("accepted \"%s\"", bad[i]);
    char longer[300];
    memset(longer, 'a', sizeof longer);
    memcpy(longer + 240, "@example.com", 13);
    assert_false(contact_email_valid(str_from(longer)));
}

static void test_field_rules(void **state)
{
    (void)state;
    assert_string_equal(contact_property_type(STR("Single family")), "single_family");
    assert_string_equal(contact_property_type(STR("MULTI-FAMILY")), "multi_family");
    assert_string_equal(contact_property_type(STR(" ")), "");
    assert_null(contact_property_type(STR("castle")));
    const char *m = NULL;
    assert_str(contact_tags_normalize(&A, STR(" VIP, spring;vip,, "), &m), "vip,spring");
    assert_str(contact_one_line(&A, STR("12 Way \r\n Floor 2\n")), "12 Way, Floor 2");
    assert_null(m);
    contact_tags_normalize(&A, STR("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u"), &m);
    assert_non_null(m);
    assert_true(contact_time_zone_shape(STR("America/New_York")));
    assert_false(contact_time_zone_shape(STR("America/New York")));
    assert_int_equal(contact_yes_no(STR(" Yes ")), 1);
    assert_int_equal(contact_yes_no(STR("")), 0);
    assert_int_equal(contact_yes_no(STR("maybe")), -1);
    assert_int_equal(contact_field_guess(STR("E-mail Address")), CF_EMAIL);
    assert_int_equal(contact_field_guess(STR("Mobile Phone")), CF_PHONE);
    assert_int_equal(contact_field_guess(STR("First Name")), CF_FIRST_NAME);
    assert_int_equal(contact_field_guess(STR("shoe size")), CF_SKIP);
    enum contact_field f;
    assert_true(contact_field_parse(STR("do_not_contact"), &f));
    assert_int_equal(f, CF_DO_NOT_CONTACT);
    assert_false(contact_field_parse(STR("DO_NOT_CONTACT"), &f));
}

static void test_mapping(void **state)
{
    (void)state;
    enum contact_field ok[] = { CF_FULL_NAME, CF_PHONE, CF_SKIP, CF_SKIP };
    enum contact_field no_key[] = { CF_FIRST_NAME, CF_COMPANY };
    enum contact_field twice[] = { CF_PHONE, CF_PHONE };
    enum contact_field both[] = { CF_FULL_NAME, CF_FIRST_NAME, CF_EMAIL };
    assert_null(import_mapping_error(ok, 4));
    assert_non_null(import_mapping_error(no_key, 2));
    assert_non_null(import_mapping_error(twice, 2));
    assert_non_null(import_mapping_error(both, 3));
}

static void test_rows_merge_and_reject(void **state)
{
    (void)state;
    const char *csv = "name,phone,email,tags\n"
                      "Ada Lovelace,(415) 555-0100,,a\n"
                      "Ada L,,ADA@example.com,b\n"            /* new: no key matches yet */
                      "Ada King,+1 415 555 0100,ada@example.com,c\n" /* phone → row 1, email → row 2: refused */
                      "Ada,4155550100,,d\n"                    /* merged into row 1 */
                      "'=Bad,12,,\n"                           /* bad phone */
                      "Nobody,,,\n";
    enum contact_field map[] = { CF_FULL_NAME, CF_PHONE, CF_EMAIL, CF_TAGS };
    struct import_zones zones = { 0 };
    struct import_result res;
    assert_int_equal(import_rows_read(&A, str_from(csv), map, 4, &zones, 6, &res), 0);
    assert_int_equal(res.rows, 6);
    assert_int_equal(res.ncontacts, 2);
    assert_int_equal(res.merged, 1);
    assert_int_equal(res.rejected, 3);
    assert_str(res.contacts[0].phone, "+14155550100");
    assert_str(res.contacts[0].first, "Ada");
    assert_str(res.contacts[0].last, "Lovelace"); /* an empty cell keeps what an earlier row said */
    assert_str(res.contacts[0].tags, "a,d");
    assert_str(res.contacts[1].email, "ada@example.com");
    const char *report = buf_cstr(&res.report);
    assert_non_null(strstr(report, "line,reason,name,phone,email,tags\r\n"));
    assert_non_null(strstr(report, "4,its phone and its email belong to two different earlier rows,"));
    assert_non_null(strstr(report, "6,phone is not a phone number,'=Bad,12,,\r\n"));
    assert_non_null(strstr(report, "7,has neither a phone number nor an email address"));
    struct buf copy;
    buf_init(&copy, &A, 128);
    struct import_contact c = { STR("Tab\there"), STR("Back\\slash"), STR("+14155550100"), STR(""), STR("Line\nbreak"),
                                STR(""), STR("condo"), STR("a,b"), STR(""), { true, false, false }, true };
    import_copy_line(&copy, 7, &c);
    assert_str(buf_str(&copy), "7\tTab\\there\tBack\\\\slash\t+14155550100\t\\N\tLine\\nbreak\t\tcondo\ta,b\t\tt\tf\tf\tt\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_records), cmocka_unit_test(test_csv_errors), cmocka_unit_test(test_scan_file),
        cmocka_unit_test(test_email), cmocka_unit_test(test_field_rules), cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_rows_merge_and_reject),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
