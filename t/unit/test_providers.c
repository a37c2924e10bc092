/* test_providers.c — the providers' payload parsing: Vapi server messages and Twilio
 * voice status callbacks read into a call_event, well-formed and malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "../../src/http/request.h"
#include "../../src/providers/call_event.h"
#include "../../src/providers/twilio.h"
#include "../../src/providers/vapi.h"
#include "unit.h"

static struct json_object *json_of(const char *text)
{
    struct json_object *root = NULL;
    assert_int_equal(parse_json(&A, str_from(text), &root), PARSE_OK);
    return root;
}

static void assert_cstr(const char *got, const char *want)
{
    if (!want) {
        if (got) fail_msg("got \"%s\", want NULL", got);
        return;
    }
    if (!got) fail_msg("got NULL, want \"%s\"", want);
    assert_string_equal(got, want);
}

/* Parses a Vapi message expected to be refused, and checks the field named. */
static void assert_vapi_invalid(const char *text, const char *field)
{
    struct call_event e;
    struct call_event_fault f = { 0 };
    assert_int_equal(vapi_call_event(&A, json_of(text), &e, &f), CALL_EVENT_INVALID);
    assert_cstr(f.field, field);
    assert_non_null(f.message);
}

static void test_vapi_end_of_call_report(void **state)
{
    struct json_object *root = json_of(
        "{\"message\":{\"type\":\"end-of-call-report\","
        "\"call\":{\"id\":\"call-1\",\"type\":\"outboundPhoneCall\","
        "\"customer\":{\"number\":\"+14155550100\",\"name\":\"Ada\"},\"phoneNumber\":{\"number\":\"+14155550199\"}},"
        "\"startedAt\":\"2024-05-01T10:00:00Z\",\"endedAt\":\"2024-05-01T10:01:02Z\",\"durationSeconds\":61.6,"
        "\"endedReason\":\"customer-ended-call\",\"analysis\":{\"summary\":\"Booked a demo.\"},"
        "\"artifact\":{\"recordingUrl\":\"https://storage.vapi.ai/rec.wav\",\"messages\":["
        "{\"role\":\"system\",\"message\":\"Be brief.\"},"
        "{\"role\":\"bot\",\"message\":\"Hello\",\"secondsFromStart\":0.4},"
        "{\"role\":\"user\",\"message\":\"Hi there\",\"secondsFromStart\":1.5},"
        "{\"role\":\"tool_calls\",\"message\":\"lookup\",\"secondsFromStart\":2},"
        "{\"role\":\"assistant\",\"secondsFromStart\":3},"
        "{\"role\":\"assistant\",\"message\":\"Bye\",\"secondsFromStart\":-1}]}}}");
    assert_string_equal(vapi_event_kind(root), "end-of-call-report");
    struct call_event e;
    struct call_event_fault f = { 0 };
    assert_int_equal(vapi_call_event(&A, root, &e, &f), CALL_EVENT_OK);
    assert_cstr(e.provider, "vapi");
    assert_cstr(e.provider_call_id, "call-1");
    assert_cstr(e.direction, "outbound");
    assert_cstr(e.status, "completed");
    assert_cstr(e.from, "+14155550199"); /* outbound: from our number to the customer */
    assert_cstr(e.to, "+14155550100");
    assert_cstr(e.caller_name, "Ada");
    assert_cstr(e.started_at, "2024-05-01T10:00:00Z");
    assert_cstr(e.ended_at, "2024-05-01T10:01:02Z");
    assert_cstr(e.duration_s, "62");
    assert_cstr(e.ended_reason, "customer-ended-call");
    assert_cstr(e.summary, "Booked a demo.");
    assert_cstr(e.analysis, "{\"summary\":\"Booked a demo.\"}");
    assert_cstr(e.recording_url, "https://storage.vapi.ai/rec.wav");
    /* Tool calls and lines without text are not part of the conversation. */
    assert_cstr(e.transcript,
                "[{\"t_ms\":0,\"speaker\":\"system\",\"text\":\"Be brief.\",\"confidence\":1},"
                "{\"t_ms\":400,\"speaker\":\"agent\",\"text\":\"Hello\",\"confidence\":1},"
                "{\"t_ms\":1500,\"speaker\":\"caller\",\"text\":\"Hi there\",\"confidence\":1},"
                "{\"t_ms\":0,\"speaker\":\"agent\",\"text\":\"Bye\",\"confidence\":1}]");
}

/* Out-of-bounds values in a report are left out (NULL changes nothing), the event
 * itself still applies. */
static void test_vapi_report_drops_bad_values(void **state)
{
    struct json_object *root = json_of(
        "{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"call-2\","
        "\"customer\":{\"number\":\"4155550100\"},\"phoneNumber\":{\"number\":\"+1\"}},"
        "\"durationSeconds\":-3,\"endedReason\":7,\"startedAt\":null,"
        "\"artifact\":{\"recordingUrl\":\"ftp://example.com/rec.wav\",\"messages\":{}}}}");
    struct call_event e;
    struct call_event_fault f = { 0 };
    assert_int_equal(vapi_call_event(&A, root, &e, &f), CALL_EVENT_OK);
    assert_cstr(e.direction, "inbound");
    assert_cstr(e.from, "");
    assert_cstr(e.to, "");
    assert_cstr(e.caller_name, NULL);
    assert_cstr(e.started_at, NULL);
    assert_cstr(e.duration_s, NULL);
    assert_cstr(e.ended_reason, NULL);
    assert_cstr(e.transcript, NULL);
    assert_cstr(e.recording_url, NULL);
    assert_int_equal(vapi_call_event(&A, json_of("{\"message\":{\"type\":\"end-of-call-report\","
                                                 "\"call\":{\"id\":\"c\"},\"durationSeconds\":86400}}"),
                                     &e, &f),
                     CALL_EVENT_OK);
    assert_cstr(e.duration_s, "86400");
    assert_int_equal(vapi_call_event(&A, json_of("{\"message\":{\"type\":\"end-of-call-report\","
                                                 "\"call\":{\"id\":\"c\"},\"durationSeconds\":86400.2}}"),
                                     &e, &f),
                     CALL_EVENT_OK);
    assert_cstr(e.duration_s, NULL);
}

/* The analysis is kept as sent (the org's keys pick from it when it is applied);
 * one with nothing in it is no analysis: the call is "not analysed". */
static void test_vapi_report_analysis(void **state)
{
    struct call_event e;
    struct call_event_fault f = { 0 };
    assert_int_equal(vapi_call_event(&A, json_of("{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"c\"},"
                                                 "\"analysis\":{\"summary\":\"Quote.\",\"structuredData\":"
                                                 "{\"sentiment\":-0.5,\"actionItems\":[\"Call back\"]},"
                                                 "\"successEvaluation\":true}}}"),
                                     &e, &f),
                     CALL_EVENT_OK);
    assert_cstr(e.analysis, "{\"summary\":\"Quote.\",\"structuredData\":{\"sentiment\":-0.5,\"actionItems\":"
                            "[\"Call back\"]},\"successEvaluation\":true}");
    const char *none[] = {
        "{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"c\"}}}",
        "{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"c\"},\"analysis\":{}}}",
        "{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"c\"},\"analysis\":null}}",
        "{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"c\"},"
        "\"analysis\":{\"summary\":\"\",\"structuredData\":{},\"successEvaluation\":\"\"}}}",
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        assert_int_equal(vapi_call_event(&A, json_of(none[i]), &e, &f), CALL_EVENT_OK);
        assert_cstr(e.analysis, NULL);
    }
}

/* The org's keys pick the sentiment (label, or score with its label) and the action
 * items; nothing else is taken for one. */
static void test_vapi_analysis_map(void **state)
{
    static const struct {
        const char *value, *label, *score;
    } cases[] = {
        { "\"Positive\"", "positive", NULL }, { "\" negative \"", "negative", NULL }, { "-0.6", "negative", "-0.6" },
        { "0.1", "neutral", "0.1" },           { "1", "positive", "1" },               { "\"-0.4\"", "negative", "-0.4" },
        { "1.5", NULL, NULL },                 { "\"happy\"", NULL, NULL },            { "null", NULL, NULL },
        { "\"0.5x\"", NULL, NULL },            { "[1]", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"c\"},"
                 "\"analysis\":{\"structuredData\":{\"mood\":%s,\"todo\":[\" Send quote \",\"\",3,\"Call back\"]}}}}",
                 cases[i].value);
        struct json_object *root = json_of(text);
        struct call_event e;
        struct call_event_fault f = { 0 };
        assert_int_equal(vapi_call_event(&A, root, &e, &f), CALL_EVENT_OK);
        vapi_analysis_map(&A, root, "mood", "todo", &e);
        assert_cstr(e.sentiment_label, cases[i].label);
        assert_cstr(e.sentiment_score, cases[i].score);
        assert_cstr(e.action_items, "[\"Send quote\",\"Call back\"]");
        vapi_analysis_map(&A, root, "sentiment", "actionItems", &e); /* other keys: nothing */
    }
    struct json_object *root = json_of("{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"c\"},"
                                       "\"analysis\":{\"summary\":\"Hi\",\"structuredData\":{\"sentiment\":\"good\"}}}}");
    struct call_event e;
    struct call_event_fault f = { 0 };
    assert_int_equal(vapi_call_event(&A, root, &e, &f), CALL_EVENT_OK);
    vapi_analysis_map(&A, root, "sentiment", "actionItems", &e);
    assert_cstr(e.sentiment_label, NULL);
    assert_cstr(e.action_items, "[]");
    /* No analysis: nothing set. */
    root = json_of("{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"c\"}}}");
    assert_int_equal(vapi_call_event(&A, root, &e, &f), CALL_EVENT_OK);
    vapi_analysis_map(&A, root, "sentiment", "actionItems", &e);
    assert_cstr(e.action_items, NULL);
}

static void test_vapi_status_update(void **state)
{
    static const char *const statuses[][2] = { { "queued", "queued" },         { "ringing", "ringing" },
                                               { "in-progress", "in_progress" }, { "forwarding", "in_progress" },
                                               { "ended", "completed" } };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "{\"message\":{\"type\":\"status-update\",\"status\":\"%s\",\"call\":{\"id\":\"call-3\","
                 "\"type\":\"inboundPhoneCall\",\"customer\":{\"number\":\"+442071234567\"},"
                 "\"phoneNumber\":{\"number\":\"+14155550199\"}}}}",
                 statuses[i][0]);
        struct call_event e;
        struct call_event_fault f = { 0 };
        assert_int_equal(vapi_call_event(&A, json_of(text), &e, &f), CALL_EVENT_OK);
        assert_cstr(e.status, statuses[i][1]);
        assert_cstr(e.provider_call_id, "call-3");
        assert_cstr(e.direction, "inbound");
        assert_cstr(e.from, "+442071234567");
        assert_cstr(e.to, "+14155550199");
        assert_cstr(e.ended_at, NULL);
        assert_cstr(e.transcript, NULL);
    }
}

static void test_vapi_other_types_ignored(void **state)
{
    struct call_event e;
    struct call_event_fault f = { 0 };
    assert_int_equal(vapi_call_event(&A, json_of("{\"message\":{\"type\":\"transcript\",\"call\":{}}}"), &e, &f),
                     CALL_EVENT_IGNORED);
    assert_int_equal(vapi_call_event(&A, json_of("{\"message\":{\"type\":\"\"}}"), &e, &f), CALL_EVENT_IGNORED);
    assert_string_equal(vapi_event_kind(json_of("{\"message\":{\"type\":\"hang\"}}")), "hang");
}

static void test_vapi_malformed(void **state)
{
    assert_vapi_invalid("{}", "message.type");
    assert_vapi_invalid("[1,2]", "message.type");
    assert_vapi_invalid("{\"message\":\"status-update\"}", "message.type");
    assert_vapi_invalid("{\"message\":{\"type\":5}}", "message.type");
    assert_vapi_invalid("{\"message\":{\"type\":\"status-update\",\"status\":\"ringing\"}}", "message.call.id");
    assert_vapi_invalid("{\"message\":{\"type\":\"status-update\",\"status\":\"ringing\",\"call\":{\"id\":\"\"}}}",
                        "message.call.id");
    assert_vapi_invalid("{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":42}}}", "message.call.id");
    char text[512];
    snprintf(text, sizeof text,
             "{\"message\":{\"type\":\"status-update\",\"status\":\"ringing\",\"call\":{\"id\":\"%0129d\"}}}", 0);
    assert_vapi_invalid(text, "message.call.id");
    assert_vapi_invalid("{\"message\":{\"type\":\"status-update\",\"status\":\"on-hold\",\"call\":{\"id\":\"c\"}}}",
                        "message.status");
    assert_vapi_invalid("{\"message\":{\"type\":\"status-update\",\"call\":{\"id\":\"c\"}}}", "message.status");
    assert_vapi_invalid("{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"c\"},"
                        "\"startedAt\":\"yesterday-ish\"}}",
                        "message.startedAt");
    assert_vapi_invalid("{\"message\":{\"type\":\"end-of-call-report\",\"call\":{\"id\":\"c\"},"
                        "\"startedAt\":\"2026-03-01T10:00:00Z\",\"endedAt\":\"2026-03-01 10:02\"}}",
                        "message.endedAt");
    assert_string_equal(vapi_event_kind(json_of("{}")), "");
    assert_string_equal(vapi_event_kind(json_of("{\"message\":{\"type\":[]}}")), "");
}

static void test_iso_time(void **state)
{
    (void)state;
    const char *good[] = { "2026-03-01T10:00:00.000Z", "2026-03-01T10:00:00Z", "2026-03-01T10:00Z",
                           "2026-03-01 10:00:00+02:00", "2026-03-01T10:00:00.123456-0530", "2026-02-30T10:00:00+01" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) assert_true(call_event_iso_time(good[i]));
    const char *bad[] = { NULL, "", "yesterday", "2026-03-01", "2026-03-01T10:00:00", "2026-3-01T10:00:00Z",
                          "2026-03-01T10:00:00.Z", "2026-03-01T10:00:00Zx", "2026-03-01T10:00:00+2:00",
                          "2026-03-01T10:00:00.1234567890Z" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_false(call_event_iso_time(bad[i]));
}

static struct kvlist form_of(const char *const *kv, size_t n)
{
    struct kvlist l = { 0 };
    for (size_t i = 0; i + 1 < n; i += 2) kvlist_add(&A, &l, str_from(kv[i]), str_from(kv[i + 1]));
    return l;
}

static void test_twilio_completed_callback(void **state)
{
    static const char *const kv[] = { "CallSid", "CA11111111111111111111111111111111", "CallStatus", "completed",
                                      "Direction", "outbound-api", "From", "+14155550100", "To", "+14155550199",
                                      "CallerName", "Ada", "CallDuration", "42", "RecordingUrl",
                                      "https://api.twilio.com/rec/RE1", "AccountSid", "AC0" };
    struct kvlist form = form_of(kv, sizeof kv / sizeof kv[0]);
    assert_string_equal(twilio_event_kind(&A, &form), "completed");
    struct call_event e;
    struct call_event_fault f = { 0 };
    assert_int_equal(twilio_voice_status_event(&A, &form, &e, &f), CALL_EVENT_OK);
    assert_cstr(e.provider, "twilio");
    assert_cstr(e.provider_call_id, "CA11111111111111111111111111111111");
    assert_cstr(e.status, "completed");
    assert_cstr(e.direction, "outbound");
    assert_cstr(e.from, "+14155550100");
    assert_cstr(e.to, "+14155550199");
    assert_cstr(e.caller_name, "Ada");
    assert_cstr(e.duration_s, "42");
    assert_cstr(e.ended_at, "now"); /* Twilio sends no end time: a finished call ends as the callback comes */
    assert_cstr(e.started_at, NULL);
    assert_cstr(e.recording_url, "https://api.twilio.com/rec/RE1");
    assert_cstr(e.transcript, NULL);
}

static void test_twilio_statuses(void **state)
{
    static const char *const statuses[][3] = {
        { "queued", "queued", NULL },        { "initiated", "queued", NULL },
        { "ringing", "ringing", NULL },      { "in-progress", "in_progress", NULL },
        { "completed", "completed", "now" }, { "busy", "busy", "now" },
        { "no-answer", "no_answer", "now" }, { "failed", "failed", "now" },
        { "canceled", "canceled", "now" },
    };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        const char *kv[] = { "CallSid", "CA2", "CallStatus", statuses[i][0], "From", "anonymous" };
        struct kvlist form = form_of(kv, 6);
        struct call_event e;
        struct call_event_fault f = { 0 };
        assert_int_equal(twilio_voice_status_event(&A, &form, &e, &f), CALL_EVENT_OK);
        assert_cstr(e.status, statuses[i][1]);
        assert_cstr(e.ended_at, statuses[i][2]);
        assert_cstr(e.direction, "inbound");
        assert_cstr(e.from, "");
        assert_cstr(e.to, "");
        assert_cstr(e.duration_s, NULL);
        assert_cstr(e.recording_url, NULL);
    }
}

/* Parses a Twilio callback expected to be refused, and checks the parameter named. */
static void assert_twilio_invalid(const char *const *kv, size_t n, const char *field)
{
    struct kvlist form = form_of(kv, n);
    struct call_event e;
    struct call_event_fault f = { 0 };
    assert_int_equal(twilio_voice_status_event(&A, &form, &e, &f), CALL_EVENT_INVALID);
    assert_cstr(f.field, field);
    assert_cstr(f.message, "This field is missing or invalid.");
}

static void test_twilio_malformed(void **state)
{
    struct kvlist empty = { 0 };
    assert_string_equal(twilio_event_kind(&A, &empty), "");
    assert_twilio_invalid(NULL, 0, "CallSid");
    static const char *const no_sid[] = { "CallStatus", "completed" };
    assert_twilio_invalid(no_sid, 2, "CallSid");
    static const char *const empty_sid[] = { "CallSid", "", "CallStatus", "completed" };
    assert_twilio_invalid(empty_sid, 4, "CallSid");
    char long_sid[130];
    memset(long_sid, 'C', 129);
    long_sid[129] = '\0';
    const char *const long_sid_kv[] = { "CallSid", long_sid, "CallStatus", "completed" };
    assert_twilio_invalid(long_sid_kv, 4, "CallSid");
    static const char *const no_status[] = { "CallSid", "CA3" };
    assert_twilio_invalid(no_status, 2, "CallStatus");
    static const char *const bad_status[] = { "CallSid", "CA3", "CallStatus", "Completed" };
    assert_twilio_invalid(bad_status, 4, "CallStatus");
    static const char *const bad_durations[] = { "abc", "-1", "86401", "4.5", "" };
    for (size_t i = 0; i < sizeof bad_durations / sizeof bad_durations[0]; i++) {
        const char *const kv[] = { "CallSid", "CA3", "CallStatus", "completed", "CallDuration", bad_durations[i] };
        assert_twilio_invalid(kv, 6, "CallDuration");
    }
    static const char *const bad_url[] = { "CallSid", "CA3", "CallStatus", "completed", "RecordingUrl",
                                           "javascript:alert(1)" };
    assert_twilio_invalid(bad_url, 6, "RecordingUrl");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vapi_end_of_call_report),
        cmocka_unit_test(test_vapi_report_drops_bad_values),
        cmocka_unit_test(test_vapi_report_analysis),
        cmocka_unit_test(test_vapi_analysis_map),
        cmocka_unit_test(test_vapi_status_update),
        cmocka_unit_test(test_vapi_other_types_ignored),
        cmocka_unit_test(test_vapi_malformed),
        cmocka_unit_test(test_iso_time),
        cmocka_unit_test(test_twilio_completed_callback),
        cmocka_unit_test(test_twilio_statuses),
        cmocka_unit_test(test_twilio_malformed),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
