/* test_csv_copy.c — the streamed export's pure parts: $n rewritten into settings (no
 * value in the text), binary COPY rows split, and binary values written exactly as
 * PostgreSQL's text of them (uuid, times of any year, round(real::numeric, 3)). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../src/app/common/csv.h"
#include "../../src/core/buf.h"
#include "../../src/db/db.h"
#include "unit.h"

static void test_placeholders_become_settings(void **state)
{
    const char *params[] = { "UTC", NULL, "x'); DROP TABLE calls; --", "$2" };
    const char *sql = "SELECT a FROM t WHERE z = $1 AND b = COALESCE($2::int, 0) AND c = $3 AND d = $4"
                      " AND e = 'it''s $1' AND \"$3\" = 1 AND f = $10";
    assert_null(db_copy_sql(&A, sql, 4, params)); /* $10: beyond the values */
    sql = "SELECT a FROM t WHERE z = $1 AND b = COALESCE($2::int, 0) AND c = $3 AND d = $4"
          " AND e = 'it''s $1' AND \"$3\" = 1";
    const char *got = db_copy_sql(&A, sql, 4, params);
    assert_non_null(got);
    assert_string_equal(got, "SELECT a FROM t WHERE z = current_setting('app.copy_1') AND b = COALESCE(NULL::int, 0)"
                             " AND c = current_setting('app.copy_3') AND d = current_setting('app.copy_4')"
                             " AND e = 'it''s $1' AND \"$3\" = 1");
    assert_null(strstr(got, "DROP"));
    assert_null(db_copy_sql(&A, "SELECT $$x$$", 0, NULL));
    assert_null(db_copy_sql(&A, "SELECT 'open", 0, NULL));
    assert_null(db_copy_sql(&A, "SELECT $0", 1, params));
    assert_string_equal(db_copy_sql(&A, "COPY (SELECT 1) TO STDOUT", 0, NULL), "COPY (SELECT 1) TO STDOUT");
}

static void test_binary_rows(void **state)
{
    static const char first[] = "PGCOPY\n\377\r\n\0" "\0\0\0\0" "\0\0\0\0" /* header */
                                "\0\3" "\0\0\0\2hi" "\377\377\377\377" "\0\0\0\0";
    str f[4];
    assert_int_equal(db_copy_binary_row(first, sizeof first - 1, f, 4), 3);
    assert_str(f[0], "hi");
    assert_null(f[1].ptr);
    assert_non_null(f[2].ptr);
    assert_int_equal(f[2].len, 0);
    static const char row[] = "\0\1" "\0\0\0\3abc";
    assert_int_equal(db_copy_binary_row(row, sizeof row - 1, f, 4), 1);
    assert_str(f[0], "abc");
    assert_int_equal(db_copy_binary_row("\377\377", 2, f, 4), 0); /* the trailer */
    assert_int_equal(db_copy_binary_row(row, sizeof row - 2, f, 4), -1);  /* cut short */
    assert_int_equal(db_copy_binary_row(first, sizeof first - 1, f, 2), -1); /* more fields than room */
    static const char trailing[] = "\0\1" "\0\0\0\1a" "x";
    assert_int_equal(db_copy_binary_row(trailing, sizeof trailing - 1, f, 4), -1);
}

static str field(struct buf *b, const char *v)
{
    buf_clear(b);
    csv_field(b, str_from(v));
    return buf_str(b);
}

static void test_fields(void **state)
{
    struct buf b;
    buf_init(&b, &A, 16);
    assert_str(field(&b, "plain"), "plain");
    assert_str(field(&b, ""), "");
    assert_str(field(&b, "a,b"), "\"a,b\"");
    assert_str(field(&b, "say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_str(field(&b, "=1+2"), "\"'=1+2\"");
    assert_str(field(&b, "-0.500"), "\"'-0.500\"");
    assert_str(field(&b, "+14155550100"), "\"'+14155550100\"");
    assert_str(field(&b, "@x\"y"), "\"'@x\"\"y\"");
    assert_str(field(&b, "line\nbreak"), "\"line\nbreak\"");
    char o[64];
    static const char id[16] = { 0x12, 0x34, 0x56, 0x78, (char)0x9a, (char)0xbc, (char)0xde, (char)0xf0,
                                 0x01, 0x23, 0x45, 0x67, (char)0x89, (char)0xab, (char)0xcd, (char)0xef };
    assert_str(str_make(o, (size_t)(csv_bin_uuid_at(o, str_make(id, 16)) - o)), "12345678-9abc-def0-0123-456789abcdef");
    assert_int_equal(csv_bin_uuid_at(o, STR_NULL) - o, 0);
    assert_str(str_make(o, (size_t)(csv_bin_int4_at(o, str_make("\0\0\1\0", 4)) - o)), "256");
    assert_str(str_make(o, (size_t)(csv_bin_int4_at(o, str_make("\377\377\377\373", 4)) - o)), "\"'-5\"");
}

static void test_times(void **state)
{
    char out[CSV_ISO_SIZE];
    assert_str(csv_pg_time_iso(0, out), "2000-01-01T00:00:00Z");
    assert_str(csv_pg_time_iso(-1, out), "1999-12-31T23:59:59Z");
    assert_str(csv_pg_time_iso(500000, out), "2000-01-01T00:00:00Z");
    assert_str(csv_pg_time_iso(-64464465600000000LL, out), "0044-03-15T12:00:00Z"); /* 44 BC */
    assert_str(csv_pg_time_iso(252455616000000000LL, out), "10000-01-0T 00:00:0Z"); /* as the text's first 19 */
    assert_str(csv_pg_time_iso(INT64_MAX, out), "");
    assert_str(csv_pg_time_iso(INT64_MIN, out), "");
    /* 2024-05-01 13:00:00.25 UTC, through the binary reader */
    int64_t us = (int64_t)(8887 * 86400LL + 13 * 3600) * 1000000 + 250000;
    char be[8];
    for (int i = 0; i < 8; i++) be[i] = (char)((uint64_t)us >> (56 - 8 * i));
    assert_str(csv_bin_time_iso(str_make(be, 8), out), "2024-05-01T13:00:00Z");
    assert_str(csv_bin_time_iso(STR_NULL, out), "");
}

static void test_round3(void **state)
{
    char out[CSV_NUM_SIZE];
    /* What round(x::numeric, 3)::text gives for these reals (checked against PostgreSQL). */
    static const struct { float x; const char *want; } cases[] = {
        { 0.0f, "0.000" }, { -0.0f, "0.000" }, { 1.0f, "1.000" }, { -1.0f, "-1.000" }, { 0.5f, "0.500" },
        { -0.5f, "-0.500" }, { 0.1235f, "0.124" }, { 0.0015f, "0.002" }, { 0.0005f, "0.001" }, { -0.0005f, "-0.001" },
        { 0.00049999997f, "0.001" }, /* "%.6g" makes it 0.0005 first */
        { 0.0004999f, "0.000" }, { 0.9995f, "1.000" }, { -0.9995f, "-1.000" }, { 0.6826548f, "0.683" },
        { -0.048716966f, "-0.049" }, { 1e-30f, "0.000" }, { 2.5e6f, "2500000.000" },
        { -123456789.0f, "-123457000.000" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) assert_str(csv_real_round3(cases[i].x, out), cases[i].want);
    assert_str(csv_bin_real_round3(str_make("\277\0\0\0", 4), out), "-0.500");
    assert_str(csv_bin_real_round3(STR_NULL, out), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_placeholders_become_settings),
        cmocka_unit_test(test_binary_rows),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_round3),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
