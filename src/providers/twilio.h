/* twilio.h — Twilio: request signatures (HMAC-SHA1) and what its voice status callbacks
 * say about a call; pure functions, no I/O. */
#ifndef SB_TWILIO_H
#define SB_TWILIO_H
#include <stdbool.h>
#include "../core/str.h"
#include "call_event.h"
struct arena;
struct kvlist;

/* The header Twilio sends its request signature in. */
#define TWILIO_SIGNATURE_HEADER "X-Twilio-Signature"

/* base64(HMAC-SHA1(auth_token, url + each POST parameter name+value, sorted by name,
 * then value, bytewise)). url is the full URL Twilio called (scheme, host, path and
 * query). The result is in the arena. */
str twilio_signature_compute(struct arena *a, str auth_token, str url, const struct kvlist *params);
/* Compares the signature header with the expected value in constant time; false when
 * the token or the header is empty. */
bool twilio_signature_ok(struct arena *a, str auth_token, str url, const struct kvlist *params, str header);
/* The public URL Twilio called and signed, rebuilt from the scheme and Host the front
 * proxy saw, the path and the query (if any); in the arena. A proxy in front of that
 * one must pass the original Host and scheme through. */
str twilio_request_url(struct arena *a, str scheme, str host, str path, str query);

/* The parameters in the order the signature covers them (by name, then value), each
 * as name=value percent-encoded, joined by '&': what a callback means, however its
 * body was ordered or padded, so a replay with its parameters reordered is the same
 * event. In the arena. */
str twilio_canonical_params(struct arena *a, const struct kvlist *params);
/* false when a parameter has an empty name or a name given twice: such a body
 * cannot be told apart from a tampered one and is refused. */
bool twilio_params_unambiguous(const struct kvlist *params);

/* The kind a voice status callback is stored under: its CallStatus as sent, or "". */
const char *twilio_event_kind(struct arena *a, const struct kvlist *form);
/* Reads a voice status callback's parameters into e (status mapped, numbers kept only
 * when E.164, a finished call's end time "now"): CALL_EVENT_OK, or CALL_EVENT_INVALID
 * with *fault naming the missing or invalid parameter (CallSid, CallStatus,
 * CallDuration, RecordingUrl). Strings are copied into a. */
enum call_event_parse twilio_voice_status_event(struct arena *a, const struct kvlist *form, struct call_event *e,
                                                struct call_event_fault *fault);
#endif
