/* test_seed_gen.c — the demo-data generator: PRNG determinism, UUID and phone shapes,
 * New York time, the timeline, row determinism, transcripts and WAV headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <string.h>

#include "../../src/cli/seed_gen.h"
#include "../../src/core/buf.h"
#include "unit.h"

static void test_same_seed_same_sequence_other_seed_or_stream_differs(void **state)
{
    struct sg_rng a, b, c, d;
    sg_seed(&a, 7, 1);
    sg_seed(&b, 7, 1);
    sg_seed(&c, 8, 1);
    sg_seed(&d, 7, 2);
    int same_c = 0, same_d = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = sg_next(&a);
        assert_true(x == sg_next(&b));
        same_c += x == sg_next(&c);
        same_d += x == sg_next(&d);
    }
    assert_int_equal(same_c, 0);
    assert_int_equal(same_d, 0);
}

static void test_the_sequence_is_pinned(void **state)
{
    /* Regression guard: a change here changes every seeded data set. */
    struct sg_rng r;
    sg_seed(&r, 1, 0);
    uint64_t first = sg_next(&r);
    sg_seed(&r, 1, 0);
    assert_true(first == sg_next(&r));
    char uuid[SG_UUID_LEN + 1];
    sg_seed(&r, 1, 0);
    sg_uuid(&r, uuid);
    assert_string_equal(uuid, "5c017cf0-d6fa-4f3b-8ec4-63746955b358");
}

static void test_below_and_unit_stay_in_range(void **state)
{
    struct sg_rng r;
    sg_seed(&r, 3, 0);
    int seen[7] = { 0 };
    for (int i = 0; i < 7000; i++) {
        uint64_t x = sg_below(&r, 7);
        assert_true(x < 7);
        seen[x]++;
        double u = sg_unit(&r);
        assert_true(u >= 0.0 && u < 1.0);
    }
    for (int i = 0; i < 7; i++) assert_true(seen[i] > 800 && seen[i] < 1200);
    static const unsigned w[] = { 0, 5, 0 };
    for (int i = 0; i < 100; i++) assert_int_equal(sg_weighted(&r, w, 3), 1);
}

static void test_uuids_are_version_4_shaped(void **state)
{
    struct sg_rng r;
    sg_seed(&r, 42, 0);
    for (int i = 0; i < 1000; i++) {
        char u[SG_UUID_LEN + 1];
        sg_uuid(&r, u);
        assert_int_equal(strlen(u), 36);
        assert_true(str_is_uuid(str_from(u)));
        assert_int_equal(u[14], '4');
        assert_non_null(strchr("89ab", u[19]));
        for (const char *p = u; *p; p++) assert_true(*p == '-' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
    }
}

static bool is_e164_us(const char *p)
{
    if (strlen(p) != 12 || p[0] != '+' || p[1] != '1' || p[2] < '2' || p[5] < '2') return false;
    for (int i = 1; i < 12; i++)
        if (p[i] < '0' || p[i] > '9') return false;
    return true;
}

static int cmp_phone(const void *a, const void *b) { return memcmp(a, b, SG_PHONE_LEN); }

static void test_contact_phones_are_distinct_e164_and_seeded(void **state)
{
    enum { N = 200000 };
    char(*phones)[SG_PHONE_LEN + 1] = arena_alloc(&A, N * sizeof *phones);
    for (uint64_t i = 0; i < N; i++) {
        sg_contact_phone(9, i, phones[i]);
        assert_true(is_e164_us(phones[i]));
    }
    char again[SG_PHONE_LEN + 1], other[SG_PHONE_LEN + 1];
    sg_contact_phone(9, 12345, again);
    sg_contact_phone(10, 12345, other);
    assert_string_equal(again, phones[12345]);
    assert_string_not_equal(other, phones[12345]);
    qsort(phones, N, sizeof *phones, cmp_phone);
    for (int i = 1; i < N; i++) assert_true(memcmp(phones[i - 1], phones[i], SG_PHONE_LEN) != 0);

    struct sg_rng r;
    sg_seed(&r, 9, 0);
    for (int i = 0; i < 1000; i++) {
        char s[SG_PHONE_LEN + 1];
        sg_stranger_phone(&r, s);
        assert_true(is_e164_us(s));
        assert_null(bsearch(s, phones, N, sizeof *phones, cmp_phone)); /* never a contact's number */
    }
}

static void test_new_york_daylight_time_switches(void **state)
{
    /* 2026: DST from Sunday 8 March 07:00 UTC to Sunday 1 November 06:00 UTC. */
    struct tm tm = { .tm_year = 126, .tm_mon = 2, .tm_mday = 8, .tm_hour = 7 };
    time_t start = timegm(&tm);
    assert_int_equal(sg_new_york_offset(start - 1), -5 * 3600);
    assert_int_equal(sg_new_york_offset(start), -4 * 3600);
    tm = (struct tm){ .tm_year = 126, .tm_mon = 10, .tm_mday = 1, .tm_hour = 6 };
    time_t end = timegm(&tm);
    assert_int_equal(sg_new_york_offset(end - 1), -4 * 3600);
    assert_int_equal(sg_new_york_offset(end), -5 * 3600);
    tm = (struct tm){ .tm_year = 125, .tm_mon = 0, .tm_mday = 15, .tm_hour = 12 };
    assert_int_equal(sg_new_york_offset(timegm(&tm)), -5 * 3600);
}

static void test_timeline_counts_add_up_and_favour_weekdays(void **state)
{
    /* Anchor: Monday 2 March 2026 00:00 New York (05:00 UTC), so window d covers one
     * whole local day: d = 0 is Sunday, 1 Saturday, 2 Friday. */
    struct tm tm = { .tm_year = 126, .tm_mon = 2, .tm_mday = 2, .tm_hour = 5 };
    struct sg_timeline tl;
    sg_timeline_init(&tl, timegm(&tm), 90, 100000);
    uint64_t sum = 0;
    for (int d = 0; d < tl.days; d++) sum += sg_timeline_count(&tl, d);
    assert_true(sum == 100000);
    assert_true(sg_timeline_count(&tl, 2) > 2 * sg_timeline_count(&tl, 0));
    struct sg_rng r;
    sg_seed(&r, 1, 0);
    int business = 0;
    for (int i = 0; i < 1000; i++) {
        time_t t = sg_timeline_time(&tl, &r, 2);
        assert_true(t >= tl.anchor - 3 * 86400 && t < tl.anchor - 2 * 86400);
        long hour = ((long)t + sg_new_york_offset(t)) % 86400 / 3600;
        business += hour >= 8 && hour < 18;
    }
    assert_true(business > 700);
}

/* Splits a COPY text row into its tab-separated fields (in place). */
static int fields(char *row, char **out, int max)
{
    int n = 0;
    out[n++] = row;
    for (char *p = row; *p && n < max; p++)
        if (*p == '\t') {
            *p = '\0';
            out[n++] = p + 1;
        }
    return n;
}

static void check_transcript(const char *text)
{
    json_object *arr = json_tokener_parse(text);
    assert_non_null(arr);
    assert_true(json_object_is_type(arr, json_type_array));
    size_t n = json_object_array_length(arr);
    assert_true(n >= 4 && n <= 30);
    long prev = -1;
    for (size_t i = 0; i < n; i++) {
        json_object *line = json_object_array_get_idx(arr, i), *v;
        assert_true(json_object_object_get_ex(line, "t_ms", &v));
        assert_true(json_object_get_int64(v) > prev);
        prev = (long)json_object_get_int64(v);
        assert_true(json_object_object_get_ex(line, "speaker", &v));
        assert_non_null(strstr("|caller|agent|system|", json_object_get_string(v)));
        assert_true(json_object_object_get_ex(line, "confidence", &v));
        double c = json_object_get_double(v);
        assert_true(c >= 0.8 && c <= 0.99);
        assert_true(json_object_object_get_ex(line, "text", &v));
        assert_true(strlen(json_object_get_string(v)) > 0);
    }
    json_object_put(arr);
}

static void make_calls(uint64_t seed, struct buf *out, int n, struct sg_contact *contacts, int ncontacts)
{
    struct sg_rng r;
    sg_seed(&r, seed, 1);
    for (int i = 0; i < ncontacts; i++) {
        struct buf scratch;
        buf_init(&scratch, &A, 256);
        sg_contact_row(&r, seed, (uint64_t)i, "00000000-0000-4000-8000-000000000001", 1780000000, &contacts[i], &scratch);
    }
    struct sg_call_ctx ctx = { "00000000-0000-4000-8000-000000000001", 1780000000, contacts, (uint64_t)ncontacts };
    for (int i = 0; i < n; i++) {
        struct sg_call_info info;
        sg_call_row(&r, &ctx, 1780000000 - 3600 - i * 600, out, &info);
        sg_call_row_recording(out, info.wants_recording ? "org/x.wav" : NULL, 123);
    }
}

static void test_rows_are_deterministic_and_well_formed(void **state)
{
    struct sg_contact c1[50], c2[50];
    struct buf a, b;
    buf_init(&a, &A, 4096);
    buf_init(&b, &A, 4096);
    make_calls(5, &a, 500, c1, 50);
    make_calls(5, &b, 500, c2, 50);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);

    int completed = 0, inbound = 0;
    char *save = NULL;
    for (char *row = strtok_r(a.data, "\n", &save); row; row = strtok_r(NULL, "\n", &save)) {
        char *f[30];
        assert_int_equal(fields(row, f, 30), 26);
        inbound += strcmp(f[2], "inbound") == 0;
        assert_true(is_e164_us(f[5]) && is_e164_us(f[6]));
        if (strcmp(f[3], "twilio") == 0) assert_true(strlen(f[4]) == 34 && strncmp(f[4], "CA", 2) == 0);
        else assert_true(str_is_uuid(str_from(f[4])));
        if (strcmp(f[9], "completed") != 0) {
            assert_string_equal(f[13], "[]");
            assert_string_equal(f[12], "0");
            continue;
        }
        completed++;
        long dur = atol(f[12]);
        assert_true(dur >= 10 && dur <= 1800);
        check_transcript(f[13]);
        double score = atof(f[16]);
        assert_string_equal(f[17], score > 0.25 ? "positive" : score < -0.25 ? "negative" : "neutral");
    }
    assert_true(completed > 250 && completed < 450);
    assert_true(inbound > 220 && inbound < 380);
}

static uint32_t le32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

static void test_wav_is_8khz_mono_pcm_of_2_to_5_seconds(void **state)
{
    struct sg_rng r;
    sg_seed(&r, 11, 3);
    for (int i = 0; i < 10; i++) {
        struct buf w;
        buf_init(&w, &A, 1024);
        sg_wav(&r, &w);
        assert_memory_equal(w.data, "RIFF", 4);
        assert_int_equal(le32(w.data + 4), w.len - 8);
        assert_memory_equal(w.data + 8, "WAVEfmt ", 8);
        assert_int_equal(le32(w.data + 24), 8000);
        assert_int_equal(w.data[22], 1); /* mono */
        assert_int_equal(w.data[34], 16); /* bits */
        assert_memory_equal(w.data + 36, "data", 4);
        uint32_t data = le32(w.data + 40);
        assert_int_equal(data, w.len - 44);
        assert_true(data >= 2 * 16000 && data <= 5 * 16000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_sequence_other_seed_or_stream_differs),
        cmocka_unit_test(test_the_sequence_is_pinned),
        cmocka_unit_test(test_below_and_unit_stay_in_range),
        cmocka_unit_test(test_uuids_are_version_4_shaped),
        cmocka_unit_test(test_contact_phones_are_distinct_e164_and_seeded),
        cmocka_unit_test(test_new_york_daylight_time_switches),
        cmocka_unit_test(test_timeline_counts_add_up_and_favour_weekdays),
        cmocka_unit_test(test_rows_are_deterministic_and_well_formed),
        cmocka_unit_test(test_wav_is_8khz_mono_pcm_of_2_to_5_seconds),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
