/* sendgrid.h — SendGrid v3: the mail/send request the campaign sender makes, and the
 * signed event webhook (ECDSA P-256 over SHA-256 of timestamp + body, verified with
 * the org's public key); pure, no I/O. */
#ifndef SB_SENDGRID_H
#define SB_SENDGRID_H
#include <stdbool.h>
#include <stddef.h>
#include "../core/str.h"
struct arena;

#define SENDGRID_SEND_PATH "/v3/mail/send"
#define SENDGRID_SIGNATURE_HEADER "X-Twilio-Email-Event-Webhook-Signature"
#define SENDGRID_TIMESTAMP_HEADER "X-Twilio-Email-Event-Webhook-Timestamp"
/* The custom argument our message id travels in; every event of the message carries it. */
#define SENDGRID_MESSAGE_ARG "switchboard_message_id"

struct sendgrid_mail {
    str from_email, from_name, to_email, to_name, subject, text;
    str message_id; /* ours */
};

/* The JSON body of POST /v3/mail/send (one personalization, plain text, our id in
 * custom_args), in the arena. */
str sendgrid_mail_json(struct arena *a, const struct sendgrid_mail *m);

/* True when signature_b64 (DER ECDSA, base64) verifies timestamp + payload with
 * public_key_b64 (the verification key SendGrid shows: a base64 DER
 * SubjectPublicKeyInfo of a P-256 key, with or without PEM armour). False on any
 * missing or malformed input. */
bool sendgrid_signature_ok(str public_key_b64, str timestamp, str payload, str signature_b64);

/* One event of the webhook's JSON array. */
struct sendgrid_event {
    str message_id;     /* our custom argument; empty when absent (not our mail) */
    str event;          /* processed, delivered, bounce, dropped, deferred, open, ... */
    str state;          /* our message state it means: sent, delivered, failed; or empty */
    bool opt_out;       /* unsubscribe, group_unsubscribe, spamreport */
    str reason;         /* for bounce and dropped */
    str sg_event_id;    /* SendGrid's own id of the event: the idempotency key */
    long timestamp;
};

/* Parses the array; -1 when the body is not a JSON array of objects. At most max
 * events are read (the rest are counted in the return value but not stored). */
long sendgrid_events_parse(struct arena *a, str body, struct sendgrid_event *out, size_t max);
#endif
