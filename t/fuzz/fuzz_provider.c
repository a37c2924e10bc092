/* fuzz_provider.c — libFuzzer target for what providers send back to the campaign
 * sender and to its callbacks: SendGrid's event arrays and signature header, Twilio's
 * created/error answers, SMS keywords, and Retry-After values. None may crash, read
 * out of bounds or leak; every parsed event's fields are text inside the arena. */
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../../src/domain/retry.h"
#include "../../src/providers/sendgrid.h"
#include "../../src/providers/twilio_api.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 1024);
    str in = str_make((const char *)data, size);
    struct sendgrid_event ev[8];
    long n = sendgrid_events_parse(&a, in, ev, 8);
    FUZZ_CHECK(n >= -1);
    for (long i = 0; i < n && i < 8; i++) {
        FUZZ_CHECK(ev[i].event.ptr != NULL && ev[i].message_id.ptr != NULL && ev[i].state.ptr != NULL);
        FUZZ_CHECK(ev[i].state.len == 0 || str_eq_cstr(ev[i].state, "sent") || str_eq_cstr(ev[i].state, "delivered") ||
                   str_eq_cstr(ev[i].state, "failed"));
    }
    str sid, status, message;
    long code;
    if (twilio_parse_created(&a, in, &sid, &status)) FUZZ_CHECK(sid.len > 0 && sid.len <= 64);
    twilio_parse_error(&a, in, &code, &message);
    (void)twilio_sms_keyword(in);
    (void)twilio_message_state(in);
    long after = retry_after_ms(in, (time_t)1764806400);
    FUZZ_CHECK(after >= -1);
    /* The input as a signature and as a key: never verifies, never crashes. */
    FUZZ_CHECK(!sendgrid_signature_ok(in, STR("1600112502"), STR("[]"), STR("MEUCIQ==")));
    FUZZ_CHECK(!sendgrid_signature_ok(STR("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3G"
                                          "Rqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="),
                                      STR("1600112502"), STR("[]"), in));
    arena_destroy(&a);
    return 0;
}
