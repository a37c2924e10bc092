/* test_campaign_rules.c — the campaign builder's pure rules: SMS part counting
 * (GSM-7 and UCS-2), `{{field}}` checking and rendering, the status machine, and quiet
 * hours across a spring-forward and a fall-back night in New York. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "../../src/core/buf.h"
#include "../../src/domain/campaign_status.h"
#include "../../src/domain/civil_date.h"
#include "../../src/domain/merge_fields.h"
#include "../../src/domain/quiet_hours.h"
#include "../../src/domain/sms_segments.h"
#include "unit.h"

/* ---- SMS parts ---- */

static str repeat(const char *piece, int n)
{
    struct buf b;
    buf_init(&b, &A, 64);
    for (int i = 0; i < n; i++) buf_puts(&b, piece);
    return buf_str(&b);
}

static void expect(str s, bool ucs2, long units, long segments, long remaining)
{
    struct sms_count c = sms_count(s);
    if (c.ucs2 != ucs2 || c.units != units || c.segments != segments || c.remaining != remaining)
        fail_msg("%.40s...: got %s %ld units %ld parts %ld left, want %s %ld %ld %ld", s.ptr, c.ucs2 ? "UCS-2" : "GSM-7",
                 c.units, c.segments, c.remaining, ucs2 ? "UCS-2" : "GSM-7", units, segments, remaining);
}

static void test_gsm7_single_and_multipart_limits(void **state)
{
    expect(STR(""), false, 0, 0, 160);
    expect(STR("Hi Ada"), false, 6, 1, 154);
    expect(repeat("a", 160), false, 160, 1, 0);
    expect(repeat("a", 161), false, 161, 2, 145); /* 153 + 8 */
    expect(repeat("a", 306), false, 306, 2, 0);
    expect(repeat("a", 307), false, 307, 3, 152);
    /* The GSM alphabet beyond ASCII: £ é Ø Δ ß ¿ are one septet each. */
    expect(STR("£éØΔß¿"), false, 6, 1, 154);
}

static void test_gsm7_extension_characters_count_two(void **state)
{
    expect(STR("€"), false, 2, 1, 158);
    expect(STR("{}[]~|^\\"), false, 16, 1, 144);
    expect(repeat("€", 80), false, 160, 1, 0);
    expect(repeat("€", 81), false, 162, 2, 143); /* 76 € = 152 in part 1, the other 5 = 10 in part 2 */
    /* An escape pair is never split: 152 a then € makes part one 152 septets. */
    struct buf b;
    buf_init(&b, &A, 200);
    buf_put(&b, repeat("a", 152));
    buf_puts(&b, "€");
    buf_put(&b, repeat("a", 10));
    expect(buf_str(&b), false, 164, 2, 153 - 12);
}

static void test_ucs2_when_any_character_is_outside_gsm7(void **state)
{
    expect(STR("Hi Zoë ✓"), true, 8, 1, 62);
    expect(repeat("ж", 70), true, 70, 1, 0);
    expect(repeat("ж", 71), true, 71, 2, 63);      /* 67 + 4 */
    expect(STR("😀"), true, 2, 1, 68);              /* a surrogate pair: two code units */
    expect(repeat("😀", 35), true, 70, 1, 0);
    expect(repeat("😀", 36), true, 72, 2, 67 - 6); /* 33 pairs = 66, the 34th moves on */
    /* One non-GSM character makes the whole text UCS-2, extension characters one unit. */
    expect(STR("€ ✓"), true, 3, 1, 67);
    expect(STR("ç"), true, 1, 1, 69); /* only capital Ç is in the GSM table */
}

/* ---- merge fields ---- */

static void test_known_fields_pass_and_unknown_ones_are_named(void **state)
{
    assert_null(merge_fields_check(&A, STR("Hi {{first_name}}, about {{ property_address }}")));
    assert_null(merge_fields_check(&A, STR("Hi {{first_name|there}} from {{company | us}}")));
    assert_null(merge_fields_check(&A, STR("no fields, a lone { and } are fine")));
    const char *m = merge_fields_check(&A, STR("Hi {{nickname}}"));
    assert_non_null(m);
    assert_string_equal(m, "{{nickname}} is not a field; use first_name, last_name, company, phone, email, property_address");
    assert_string_equal(merge_fields_check(&A, STR("Hi {{first_name")), "has a {{ without its closing }}");
    assert_non_null(merge_fields_check(&A, STR("{{first_name|{x}}}")));
    assert_non_null(merge_fields_check(&A, STR("{{First_Name}}"))); /* names are exact */
}

static void test_rendering_with_values_fallbacks_and_missing_values(void **state)
{
    str v[MF_COUNT] = { STR("Ada"), STR("Lovelace"), STR(""), STR("+14155550100"), STR("ada@example.com"), STR("") };
    assert_str(merge_fields_render(&A, STR("Hi {{first_name}} {{ last_name }}!"), v), "Hi Ada Lovelace!");
    assert_str(merge_fields_render(&A, STR("From {{company|your neighbours}}"), v), "From your neighbours");
    assert_str(merge_fields_render(&A, STR("About [{{property_address}}]"), v), "About []");
    assert_str(merge_fields_render(&A, STR("{{first_name|friend}}"), v), "Ada");
    assert_str(merge_fields_render(&A, STR("{{phone}}/{{email}}"), v), "+14155550100/ada@example.com");
    /* The value is written as it is: a value holding braces is not read again. */
    str w[MF_COUNT] = { STR("{{last_name}}"), STR("X") };
    assert_str(merge_fields_render(&A, STR("{{first_name}}"), w), "{{last_name}}");
}

/* ---- statuses ---- */

/* Rows: from; columns: to (draft scheduled running paused completed canceled failed). */
static const char *const moves[CAMPAIGN_STATUS_COUNT] = {
    /* draft     */ ".xx....",
    /* scheduled */ "..xx.x.",
    /* running   */ "...xxxx",
    /* paused    */ ".xx..x.",
    /* completed */ ".......",
    /* canceled  */ ".......",
    /* failed    */ ".......",
};

static void test_every_status_move(void **state)
{
    for (unsigned f = 0; f < CAMPAIGN_STATUS_COUNT; f++)
        for (unsigned t = 0; t < CAMPAIGN_STATUS_COUNT; t++)
            if (campaign_status_can_move(f, t) != (moves[f][t] == 'x'))
                fail_msg("%s -> %s: want %s", campaign_status_name(f), campaign_status_name(t),
                         moves[f][t] == 'x' ? "allowed" : "refused");
    assert_false(campaign_status_can_move(CAMPAIGN_STATUS_COUNT, CAMPAIGN_DRAFT));
}

static void test_actions_from_every_status(void **state)
{
    /* What each action gives from each status ("-": refused, the 409), for a start now
     * and (after the slash) a start still ahead. */
    static const char *const want[CAMPAIGN_ACTION_COUNT][CAMPAIGN_STATUS_COUNT] = {
        [CAMPAIGN_LAUNCH] = { "running/scheduled", "-", "-", "-", "-", "-", "-" },
        [CAMPAIGN_PAUSE] = { "-", "paused/paused", "paused/paused", "-", "-", "-", "-" },
        [CAMPAIGN_RESUME] = { "-", "-", "-", "running/scheduled", "-", "-", "-" },
        [CAMPAIGN_CANCEL] = { "-", "canceled/canceled", "canceled/canceled", "canceled/canceled", "-", "-", "-" },
    };
    for (unsigned a = 0; a < CAMPAIGN_ACTION_COUNT; a++)
        for (unsigned f = 0; f < CAMPAIGN_STATUS_COUNT; f++) {
            enum campaign_status now, later;
            bool ok_now = campaign_action_target(f, a, false, &now), ok_later = campaign_action_target(f, a, true, &later);
            char got[40];
            if (!ok_now && !ok_later) snprintf(got, sizeof got, "-");
            else snprintf(got, sizeof got, "%s/%s", ok_now ? campaign_status_name(now) : "-",
                          ok_later ? campaign_status_name(later) : "-");
            if (strcmp(got, want[a][f]) != 0)
                fail_msg("%s from %s: got %s, want %s", campaign_action_name(a), campaign_status_name(f), got, want[a][f]);
        }
}

static void test_status_names_editing_and_final(void **state)
{
    for (unsigned s = 0; s < CAMPAIGN_STATUS_COUNT; s++) {
        enum campaign_status back;
        assert_true(campaign_status_parse(str_from(campaign_status_name(s)), &back));
        assert_int_equal(back, s);
        assert_int_equal(campaign_status_editable(s), s == CAMPAIGN_DRAFT);
        assert_int_equal(campaign_status_final(s), s >= CAMPAIGN_COMPLETED);
    }
    enum campaign_status x;
    assert_false(campaign_status_parse(STR("Running"), &x));
    enum campaign_action act;
    assert_true(campaign_action_parse(STR("resume"), &act));
    assert_int_equal(act, CAMPAIGN_RESUME);
    assert_false(campaign_action_parse(STR("restart"), &act));
}

/* ---- quiet hours ---- */

/* America/New_York in 2026: EDT (-4 h) from 2026-03-08 07:00 UTC to 2026-11-01 06:00 UTC. */
static int64_t utc(int64_t y, unsigned mo, unsigned d, int h, int mi)
{
    return civil_days_from_ymd(y, mo, d) * CIVIL_DAY_S + h * 3600 + mi * 60;
}

static int32_t new_york(int64_t t, void *ctx)
{
    (void)ctx;
    return t >= utc(2026, 3, 8, 7, 0) && t < utc(2026, 11, 1, 6, 0) ? -4 * 3600 : -5 * 3600;
}

static void test_parsing_times_and_ranges(void **state)
{
    int m;
    assert_true(quiet_hours_parse_time(STR("21:00"), &m));
    assert_int_equal(m, 1260);
    assert_true(quiet_hours_parse_time(STR("00:00"), &m));
    assert_int_equal(m, 0);
    assert_false(quiet_hours_parse_time(STR("24:00"), &m));
    assert_false(quiet_hours_parse_time(STR("9:00"), &m));
    assert_false(quiet_hours_parse_time(STR("09:60"), &m));
    struct quiet_hours q;
    assert_true(quiet_hours_parse_range(STR("21:00-08:00"), &q));
    assert_int_equal(q.start_min, 1260);
    assert_int_equal(q.end_min, 480);
    assert_false(quiet_hours_parse_range(STR("21:00"), &q));
}

static void test_windows_over_midnight_and_within_a_day(void **state)
{
    struct quiet_hours night = { 21 * 60, 8 * 60 }, lunch = { 12 * 60, 13 * 60 }, none = { 600, 600 };
    assert_true(quiet_hours_contains(&night, 21 * 60));
    assert_true(quiet_hours_contains(&night, 0));
    assert_true(quiet_hours_contains(&night, 8 * 60 - 1));
    assert_false(quiet_hours_contains(&night, 8 * 60));
    assert_false(quiet_hours_contains(&night, 21 * 60 - 1));
    assert_true(quiet_hours_contains(&lunch, 12 * 60 + 30));
    assert_false(quiet_hours_contains(&lunch, 13 * 60));
    assert_false(quiet_hours_contains(&none, 600));
    /* Outside the window, now is the time. */
    int64_t noon = utc(2026, 6, 1, 16, 0); /* 12:00 EDT */
    assert_int_equal(quiet_hours_next_open(&night, noon, new_york, NULL), noon);
}

static void test_spring_forward_night(void **state)
{
    struct quiet_hours night = { 21 * 60, 8 * 60 };
    /* 22:00 EST on Saturday 7 March: quiet until 08:00 EDT on Sunday = 12:00 UTC, a
     * night of 10 real hours (21:00 EST to 08:00 EDT). */
    int64_t t = utc(2026, 3, 8, 3, 0);
    assert_true(quiet_hours_at(&night, t, new_york, NULL));
    assert_int_equal(quiet_hours_next_open(&night, t, new_york, NULL), utc(2026, 3, 8, 12, 0));
    /* 07:30 EDT after the jump is still quiet; 08:00 EDT is not. */
    assert_true(quiet_hours_at(&night, utc(2026, 3, 8, 11, 30), new_york, NULL));
    assert_false(quiet_hours_at(&night, utc(2026, 3, 8, 12, 0), new_york, NULL));
    /* Read with the winter offset, 07:00 EST would wrongly end it at 12:00 UTC - 1 h. */
    assert_true(quiet_hours_at(&night, utc(2026, 3, 8, 11, 0), new_york, NULL));
    /* A window ending at 02:30, a time that night does not have: it ends at the jump,
     * 02:00 EST = 03:00 EDT = 07:00 UTC. */
    struct quiet_hours late = { 22 * 60, 2 * 60 + 30 };
    assert_int_equal(quiet_hours_next_open(&late, utc(2026, 3, 8, 6, 0), new_york, NULL), utc(2026, 3, 8, 7, 0));
}

static void test_fall_back_night(void **state)
{
    struct quiet_hours night = { 21 * 60, 8 * 60 };
    /* 23:00 EDT on Saturday 31 October: quiet until 08:00 EST = 13:00 UTC, 12 real hours. */
    int64_t t = utc(2026, 11, 1, 3, 0);
    assert_true(quiet_hours_at(&night, t, new_york, NULL));
    assert_int_equal(quiet_hours_next_open(&night, t, new_york, NULL), utc(2026, 11, 1, 13, 0));
    assert_true(quiet_hours_at(&night, utc(2026, 11, 1, 12, 30), new_york, NULL)); /* 07:30 EST */
    assert_false(quiet_hours_at(&night, utc(2026, 11, 1, 13, 0), new_york, NULL));
    /* A window ending at 01:30, which that night happens twice: it ends at the first
     * 01:30 (EDT, 05:30 UTC); at 01:10 EST the wall clock is quiet again, until the
     * second 01:30 (EST, 06:30 UTC). */
    struct quiet_hours late = { 22 * 60, 60 + 30 };
    assert_int_equal(quiet_hours_next_open(&late, utc(2026, 11, 1, 3, 0), new_york, NULL), utc(2026, 11, 1, 5, 30));
    assert_false(quiet_hours_at(&late, utc(2026, 11, 1, 5, 45), new_york, NULL));
    assert_int_equal(quiet_hours_next_open(&late, utc(2026, 11, 1, 6, 10), new_york, NULL), utc(2026, 11, 1, 6, 30));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gsm7_single_and_multipart_limits),
        cmocka_unit_test(test_gsm7_extension_characters_count_two),
        cmocka_unit_test(test_ucs2_when_any_character_is_outside_gsm7),
        cmocka_unit_test(test_known_fields_pass_and_unknown_ones_are_named),
        cmocka_unit_test(test_rendering_with_values_fallbacks_and_missing_values),
        cmocka_unit_test(test_every_status_move),
        cmocka_unit_test(test_actions_from_every_status),
        cmocka_unit_test(test_status_names_editing_and_final),
        cmocka_unit_test(test_parsing_times_and_ranges),
        cmocka_unit_test(test_windows_over_midnight_and_within_a_day),
        cmocka_unit_test(test_spring_forward_night),
        cmocka_unit_test(test_fall_back_night),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
