/* test_provider_api.c — the campaign sender's provider requests and what the
 * providers answer: Twilio Messages and Calls forms and TwiML, created and error
 * answers, SMS statuses and STOP/START/HELP keywords; SendGrid's mail/send JSON, its
 * event webhook's ECDSA signature (SendGrid's published example, and tampering), and
 * its events. */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/core/buf.h"
#include "../../src/providers/sendgrid.h"
#include "../../src/providers/twilio_api.h"
#include "unit.h"

#define SID "AC0123456789abcdef0123456789abcdef"

static void test_twilio_paths(void **state)
{
    assert_str(twilio_messages_path(&A, STR(SID)), "/2010-04-01/Accounts/" SID "/Messages.json");
    assert_str(twilio_calls_path(&A, STR(SID)), "/2010-04-01/Accounts/" SID "/Calls.json");
    assert_str(twilio_message_path(&A, STR(SID), STR("SMabc")), "/2010-04-01/Accounts/" SID "/Messages/SMabc.json");
    static const char *const bad[] = { "", "AC0123", "XX0123456789abcdef0123456789abcdef",
                                       "AC0123456789abcdef0123456789abcdeg", "AC0123456789abcdef0123456789abcdef0",
                                       "AC0123456789abcdef/../456789abcdef" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (twilio_messages_path(&A, str_from(bad[i])).ptr) fail_msg("'%s' was taken as an account", bad[i]);
}

static void test_twilio_message_form_is_form_encoded(void **state)
{
    str f = twilio_message_form(&A, STR("+15551230001"), STR("+15559990000"), STR("Hi Ann & co, 50% off = yes?\n🙂"),
                                STR("https://sb.example/hooks/twilio/sms-status?m=5f0c"));
    assert_str(f, "To=%2B15551230001&From=%2B15559990000"
                  "&Body=Hi%20Ann%20%26%20co%2C%2050%25%20off%20%3D%20yes%3F%0A%F0%9F%99%82"
                  "&StatusCallback=https%3A%2F%2Fsb.example%2Fhooks%2Ftwilio%2Fsms-status%3Fm%3D5f0c");
}

static void test_twilio_call_form_carries_escaped_twiml(void **state)
{
    assert_str(twilio_twiml_say(&A, STR("Hello <Ann> & \"Bob\"")),
               "<Response><Say>Hello &lt;Ann&gt; &amp; &quot;Bob&quot;</Say></Response>");
    str f = twilio_call_form(&A, STR("+15551230001"), STR("+15559990000"), STR("Hi & bye"), STR("https://x/cb"));
    assert_str(f, "To=%2B15551230001&From=%2B15559990000"
                  "&Twiml=%3CResponse%3E%3CSay%3EHi%20%26amp%3B%20bye%3C%2FSay%3E%3C%2FResponse%3E"
                  "&StatusCallback=https%3A%2F%2Fx%2Fcb&StatusCallbackEvent=initiated&StatusCallbackEvent=ringing"
                  "&StatusCallbackEvent=answered&StatusCallbackEvent=completed");
}

static void test_twilio_answers(void **state)
{
    str sid, status;
    assert_true(twilio_parse_created(&A, STR("{\"sid\":\"SM0123\",\"status\":\"queued\",\"body\":\"x\"}"), &sid, &status));
    assert_str(sid, "SM0123");
    assert_str(status, "queued");
    assert_false(twilio_parse_created(&A, STR("{\"status\":\"queued\"}"), &sid, &status));
    assert_false(twilio_parse_created(&A, STR("[\"sid\"]"), &sid, &status));
    assert_false(twilio_parse_created(&A, STR("{\"sid\":\"SM1\""), &sid, &status));
    assert_false(twilio_parse_created(&A, STR(""), &sid, &status));
    long code;
    str message;
    twilio_parse_error(&A, STR("{\"code\":21211,\"message\":\"The 'To' number is not a valid phone number.\","
                               "\"more_info\":\"https://www.twilio.com/docs/errors/21211\",\"status\":400}"),
                       &code, &message);
    assert_int_equal(code, 21211);
    assert_str(message, "The 'To' number is not a valid phone number.");
    twilio_parse_error(&A, STR("<html>Bad Gateway</html>"), &code, &message);
    assert_int_equal(code, 0);
    assert_str(message, "");
}

static void test_twilio_times_and_call_lists(void **state)
{
    time_t t;
    assert_true(twilio_parse_time("Tue, 31 Aug 2010 20:36:28 +0000", &t));
    assert_int_equal(t, 1283286988);
    /* Another offset is the same instant. */
    assert_true(twilio_parse_time("Tue, 31 Aug 2010 22:36:28 +0200", &t));
    assert_int_equal(t, 1283286988);
    assert_false(twilio_parse_time("2010-08-31T20:36:28Z", &t));
    assert_false(twilio_parse_time("Tue, 31 Aug 2010 20:36:28 +0000 trailing", &t));
    assert_false(twilio_parse_time("", &t));

    str sids[2];
    int n;
    str body = STR("{\"calls\":[{\"sid\":\"CA2\",\"date_created\":\"Tue, 31 Aug 2010 20:40:00 +0000\"},"
                   "{\"sid\":\"CAx\",\"date_created\":null},"
                   "{\"sid\":\"CA1\",\"date_created\":\"Tue, 31 Aug 2010 20:36:28 +0000\"},"
                   "{\"sid\":\"CA0\",\"date_created\":\"Tue, 31 Aug 2010 20:36:27 +0000\"}],\"page\":0}");
    assert_true(twilio_calls_since(&A, body, 1283286988, sids, 2, &n));
    assert_int_equal(n, 2);
    assert_str(sids[0], "CA2");
    assert_str(sids[1], "CA1");
    assert_true(twilio_calls_since(&A, body, 1283287300, sids, 2, &n));
    assert_int_equal(n, 0);
    assert_true(twilio_calls_since(&A, STR("{\"calls\":[]}"), 0, sids, 2, &n));
    assert_int_equal(n, 0);
    assert_false(twilio_calls_since(&A, STR("{\"messages\":[]}"), 0, sids, 2, &n));
    assert_false(twilio_calls_since(&A, STR("<html>"), 0, sids, 2, &n));
}

static void test_twilio_message_states(void **state)
{
    static const char *const cases[][2] = { { "queued", "sent" },       { "sending", "sent" },
                                            { "sent", "sent" },         { "delivered", "delivered" },
                                            { "read", "delivered" },    { "undelivered", "failed" },
                                            { "failed", "failed" },     { "canceled", "failed" } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(twilio_message_state(str_from(cases[i][0])), cases[i][1]);
    assert_null(twilio_message_state(STR("Delivered")));
    assert_null(twilio_message_state(STR("")));
}

static void test_sms_keywords(void **state)
{
    static const struct {
        const char *body;
        enum sms_keyword kind;
    } cases[] = {
        { "STOP", SMS_OPT_OUT },       { "stop", SMS_OPT_OUT },    { "  Stop \n", SMS_OPT_OUT },
        { "UNSUBSCRIBE", SMS_OPT_OUT }, { "cancel", SMS_OPT_OUT }, { "End", SMS_OPT_OUT },
        { "QUIT", SMS_OPT_OUT },       { "stopall", SMS_OPT_OUT }, { "REVOKE", SMS_OPT_OUT },
        { "optout", SMS_OPT_OUT },     { "START", SMS_OPT_IN },    { "yes", SMS_OPT_IN },
        { "Unstop", SMS_OPT_IN },      { "HELP", SMS_HELP },       { "info", SMS_HELP },
        { "stop please", SMS_REPLY },  { "STOP.", SMS_REPLY },     { "Yes, call me", SMS_REPLY },
        { "", SMS_REPLY },             { "STOPP", SMS_REPLY },     { "S T O P", SMS_REPLY },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (twilio_sms_keyword(str_from(cases[i].body)) != cases[i].kind) fail_msg("'%s'", cases[i].body);
}

static void test_sendgrid_mail_json(void **state)
{
    struct sendgrid_mail m = { .from_email = STR("team@demo.test"), .from_name = STR("Demo \"Team\""),
                               .to_email = STR("ann@example.com"), .to_name = STR(""),
                               .subject = STR("Hello Ann"), .text = STR("Line 1\nLine 2 </script>"),
                               .message_id = STR("5f0c3c1e-0000-4000-8000-000000000001") };
    str j = sendgrid_mail_json(&A, &m);
    /* Valid JSON, with the fields where SendGrid reads them. */
    struct json_object *o = json_tokener_parse(str_cstr(&A, j)), *p, *v;
    assert_non_null(o);
    assert_true(json_object_object_get_ex(o, "personalizations", &p));
    struct json_object *p0 = json_object_array_get_idx(p, 0), *to, *args;
    assert_true(json_object_object_get_ex(p0, "to", &to));
    assert_true(json_object_object_get_ex(json_object_array_get_idx(to, 0), "email", &v));
    assert_string_equal(json_object_get_string(v), "ann@example.com");
    assert_false(json_object_object_get_ex(json_object_array_get_idx(to, 0), "name", &v)); /* empty: left out */
    assert_true(json_object_object_get_ex(p0, "custom_args", &args));
    assert_true(json_object_object_get_ex(args, SENDGRID_MESSAGE_ARG, &v));
    assert_string_equal(json_object_get_string(v), "5f0c3c1e-0000-4000-8000-000000000001");
    assert_true(json_object_object_get_ex(o, "from", &v));
    assert_true(json_object_object_get_ex(v, "name", &v));
    assert_string_equal(json_object_get_string(v), "Demo \"Team\"");
    assert_true(json_object_object_get_ex(o, "content", &v));
    assert_true(json_object_object_get_ex(json_object_array_get_idx(v, 0), "value", &v));
    assert_string_equal(json_object_get_string(v), "Line 1\nLine 2 </script>");
    json_object_put(o);
}

/* SendGrid's published example of a signed event (also in its libraries' tests). */
#define SG_KEY                                                                                         \
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXv" \
    "VpiglSI8eNEc6wEA3F+g=="
#define SG_SIG "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM="
#define SG_TS "1600112502"
#define SG_BODY                                                                                              \
    "[{\"email\":\"hello@world.com\",\"event\":\"dropped\",\"reason\":\"Bounced Address\",\"sg_event_id\":"  \
    "\"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA\",\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A."   \
    "filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\",\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1" \
    "iad1.sendgrid.net>\",\"timestamp\":1600112492}]\r\n"

static void test_sendgrid_signature(void **state)
{
    assert_true(sendgrid_signature_ok(STR(SG_KEY), STR(SG_TS), STR(SG_BODY), STR(SG_SIG)));
    /* The key as PEM works too. */
    assert_true(sendgrid_signature_ok(STR("-----BEGIN PUBLIC KEY-----\n" SG_KEY "\n-----END PUBLIC KEY-----\n"),
                                      STR(SG_TS), STR(SG_BODY), STR(SG_SIG)));
    /* Any change to the timestamp, the body or the signature fails. */
    assert_false(sendgrid_signature_ok(STR(SG_KEY), STR("1600112503"), STR(SG_BODY), STR(SG_SIG)));
    str body = str_dup(&A, STR(SG_BODY));
    ((char *)body.ptr)[30] ^= 1;
    assert_false(sendgrid_signature_ok(STR(SG_KEY), STR(SG_TS), body, STR(SG_SIG)));
    assert_false(sendgrid_signature_ok(STR(SG_KEY), STR(SG_TS), STR(SG_BODY), STR("MEUCIGHQ")));
    assert_false(sendgrid_signature_ok(STR(SG_KEY), STR(SG_TS), STR(SG_BODY), STR("")));
    assert_false(sendgrid_signature_ok(STR(""), STR(SG_TS), STR(SG_BODY), STR(SG_SIG)));
    assert_false(sendgrid_signature_ok(STR("bm90IGEga2V5"), STR(SG_TS), STR(SG_BODY), STR(SG_SIG)));
    assert_false(sendgrid_signature_ok(STR(SG_KEY), STR(""), STR(SG_BODY), STR(SG_SIG)));
}

static void test_sendgrid_events(void **state)
{
    struct sendgrid_event e[4];
    assert_int_equal(sendgrid_events_parse(&A, STR(SG_BODY), e, 4), 1);
    assert_str(e[0].event, "dropped");
    assert_str(e[0].state, "failed");
    assert_str(e[0].reason, "Bounced Address");
    assert_str(e[0].message_id, ""); /* not one of ours */
    assert_int_equal(e[0].timestamp, 1600112492);
    str body = STR("[{\"event\":\"delivered\",\"switchboard_message_id\":\"m1\",\"sg_event_id\":\"a\"},"
                   "{\"event\":\"unsubscribe\",\"switchboard_message_id\":\"m1\",\"sg_event_id\":\"b\"},"
                   "{\"event\":\"open\",\"switchboard_message_id\":\"m1\"},"
                   "{\"event\":\"bounce\",\"switchboard_message_id\":\"m2\",\"reason\":\"550 no such user\"},"
                   "{\"event\":\"processed\"}]");
    assert_int_equal(sendgrid_events_parse(&A, body, e, 4), 5); /* five read, four kept */
    assert_str(e[0].state, "delivered");
    assert_str(e[0].message_id, "m1");
    assert_str(e[0].sg_event_id, "a");
    assert_true(e[1].opt_out);
    assert_str(e[1].state, "");
    assert_str(e[2].state, "");
    assert_false(e[2].opt_out);
    assert_str(e[3].state, "failed");
    assert_str(e[3].reason, "550 no such user");
    assert_int_equal(sendgrid_events_parse(&A, STR("{\"event\":\"delivered\"}"), e, 4), -1);
    assert_int_equal(sendgrid_events_parse(&A, STR("[1,2]"), e, 4), -1);
    assert_int_equal(sendgrid_events_parse(&A, STR("[{]"), e, 4), -1);
    assert_int_equal(sendgrid_events_parse(&A, STR("[]"), e, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twilio_paths),
        cmocka_unit_test(test_twilio_message_form_is_form_encoded),
        cmocka_unit_test(test_twilio_call_form_carries_escaped_twiml),
        cmocka_unit_test(test_twilio_answers),
        cmocka_unit_test(test_twilio_times_and_call_lists),
        cmocka_unit_test(test_twilio_message_states),
        cmocka_unit_test(test_sms_keywords),
        cmocka_unit_test(test_sendgrid_mail_json),
        cmocka_unit_test(test_sendgrid_signature),
        cmocka_unit_test(test_sendgrid_events),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
