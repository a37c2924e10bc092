/* test_signatures.c — Vapi secret, Twilio HMAC-SHA1 and the URL it covers (vectors
 * computed independently with `openssl dgst -sha1 -hmac TOKEN -binary | base64`) and
 * signed recording URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/auth/signatures.h"
#include "../../src/http/request.h"
#include "../../src/jobs/webhook_delivery.h"
#include "../../src/providers/twilio.h"
#include "../../src/providers/vapi.h"
#include "unit.h"

static struct kvlist params_of(const char *const *kv, size_t n)
{
    struct kvlist l = { 0 };
    for (size_t i = 0; i + 1 < n; i += 2) kvlist_add(&A, &l, str_from(kv[i]), str_from(kv[i + 1]));
    return l;
}

/* Twilio's documented example: URL with a query string, params in arbitrary order. */
static void test_twilio_documented_vector(void **state)
{
    static const char *const kv[] = { "To", "+18005551212", "Digits", "1234", "From", "+12349013030",
                                      "CallSid", "CA1234567890ABCDE", "Caller", "+12349013030" };
    struct kvlist p = params_of(kv, 10);
    str url = STR("https://mycompany.com/myapp.php?foo=1&bar=2");
    assert_str(twilio_signature_compute(&A, STR("12345"), url, &p), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    assert_true(twilio_signature_ok(&A, STR("12345"), url, &p, STR("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")));
}

/* A voice status callback as Twilio posts it to our route. */
static void test_twilio_status_callback_vector(void **state)
{
    static const char *const kv[] = { "CallStatus", "completed", "From", "+14155550100", "To", "+14155550199",
                                      "CallSid", "CA11111111111111111111111111111111", "Direction", "inbound",
                                      "AccountSid", "AC0123456789abcdef0123456789abcdef" };
    struct kvlist p = params_of(kv, 12);
    str url = STR("https://example.com/webhooks/acme/twilio/voice-status");
    str token = STR("12345678901234567890123456789012");
    assert_true(twilio_signature_ok(&A, token, url, &p, STR("IsRduN8dQe+JtydDGcPCPfyPrP4=")));
    /* Another URL, token, value, or a missing header: all refused. */
    assert_false(twilio_signature_ok(&A, token, STR("https://example.com/webhooks/other/twilio/voice-status"), &p,
                                     STR("IsRduN8dQe+JtydDGcPCPfyPrP4=")));
    assert_false(twilio_signature_ok(&A, STR("x2345678901234567890123456789012"), url, &p,
                                     STR("IsRduN8dQe+JtydDGcPCPfyPrP4=")));
    p.items[0].val = STR("ringing");
    assert_false(twilio_signature_ok(&A, token, url, &p, STR("IsRduN8dQe+JtydDGcPCPfyPrP4=")));
    assert_false(twilio_signature_ok(&A, token, url, &p, STR("")));
    assert_false(twilio_signature_ok(&A, STR(""), url, &p, STR("IsRduN8dQe+JtydDGcPCPfyPrP4=")));
}

/* The URL rebuilt from what nginx saw is the one Twilio signed: the query is kept, an
 * empty one adds no '?'. */
static void test_twilio_request_url(void **state)
{
    assert_str(twilio_request_url(&A, STR("https"), STR("example.com"), STR("/webhooks/acme/twilio/voice-status"),
                                  STR("")),
               "https://example.com/webhooks/acme/twilio/voice-status");
    assert_str(twilio_request_url(&A, STR("http"), STR("sb.test:8443"), STR("/myapp.php"), STR("foo=1&bar=2")),
               "http://sb.test:8443/myapp.php?foo=1&bar=2");
}

/* A signature header with surrounding whitespace (as some proxies pass it) still matches. */
static void test_twilio_signature_header_trimmed(void **state)
{
    static const char *const kv[] = { "To", "+18005551212", "Digits", "1234", "From", "+12349013030",
                                      "CallSid", "CA1234567890ABCDE", "Caller", "+12349013030" };
    struct kvlist p = params_of(kv, 10);
    str url = STR("https://mycompany.com/myapp.php?foo=1&bar=2");
    assert_true(twilio_signature_ok(&A, STR("12345"), url, &p, STR(" 0/KCTR6DLpKmkAf8muzZqo1nDgQ=\t")));
    struct kvlist none = { 0 };
    assert_false(twilio_signature_ok(&A, STR("12345"), url, &none, STR("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")));
}

static void test_vapi_secret_must_match_exactly(void **state)
{
    assert_true(vapi_secret_ok(STR("vapi-secret-1"), STR("vapi-secret-1")));
    assert_false(vapi_secret_ok(STR("vapi-secret-1"), STR("vapi-secret-2")));
    assert_false(vapi_secret_ok(STR("vapi-secret-1"), STR("vapi-secret-")));
    assert_false(vapi_secret_ok(STR("vapi-secret-1"), STR("")));
    assert_false(vapi_secret_ok(STR(""), STR("")));
}

/* Expected value from openssl: key = HMAC(secret, label), sig = HMAC(key, "path\nexpires"). */
static void test_recording_url_signature(void **state)
{
    str secret = STR("0123456789abcdef0123456789abcdef");
    str path = STR("org/rec.wav");
    const char *want = "4eb0fb9060483f18e8292422e2c38b377ee7c71b8351c132edaab987fdb6c296";
    assert_str(sig_recording(&A, secret, path, 1700000000L), want);
    assert_true(sig_recording_ok(&A, secret, path, STR("1700000000"), str_from(want), 1699999999L));
    /* Expired, tampered path, tampered expiry, tampered signature, junk expiry. */
    assert_false(sig_recording_ok(&A, secret, path, STR("1700000000"), str_from(want), 1700000000L));
    assert_false(sig_recording_ok(&A, secret, STR("org/rec.mp3"), STR("1700000000"), str_from(want), 1L));
    assert_false(sig_recording_ok(&A, secret, path, STR("1700000001"), str_from(want), 1L));
    assert_false(sig_recording_ok(&A, secret, path, STR("1700000000"),
                                  STR("4eb0fb9060483f18e8292422e2c38b377ee7c71b8351c132edaab987fdb6c297"), 1L));
    assert_false(sig_recording_ok(&A, secret, path, STR("17e8"), str_from(want), 1L));
}

/* Outbound webhooks: Switchboard-Signature over "t.body" (value from Python's hmac). */
static void test_outbound_webhook_signature(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, &A, 96);
    webhook_signature(&b, STR("whsec_test"), 1700000000L, STR("{\"a\":1}"));
    assert_str(buf_str(&b), "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twilio_documented_vector),
        cmocka_unit_test(test_twilio_status_callback_vector),
        cmocka_unit_test(test_twilio_request_url),
        cmocka_unit_test(test_twilio_signature_header_trimmed),
        cmocka_unit_test(test_vapi_secret_must_match_exactly),
        cmocka_unit_test(test_recording_url_signature),
        cmocka_unit_test(test_outbound_webhook_signature),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
