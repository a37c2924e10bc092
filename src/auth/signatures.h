/* signatures.h — provider webhook signatures (Vapi shared secret, Twilio HMAC-SHA1)
 * and the HMAC-signed short-lived recording URLs; pure functions, no I/O. */
#ifndef SB_SIGNATURES_H
#define SB_SIGNATURES_H
#include <stdbool.h>
#include "../core/str.h"
struct arena;
struct kvlist;

/* Vapi: the X-Vapi-Secret header must equal the org's secret (constant time).
 * False when either is empty. */
bool sig_vapi_ok(str secret, str header);

/* Twilio: base64(HMAC-SHA1(auth_token, url + each POST parameter name+value, sorted by
 * name, then value, bytewise)). url is the full URL Twilio called (scheme, host,
 * path and query). The result is in the arena. */
str sig_twilio_compute(struct arena *a, str auth_token, str url, const struct kvlist *params);
/* Compares the X-Twilio-Signature header with the expected value in constant time;
 * false when the token or the header is empty. */
bool sig_twilio_ok(struct arena *a, str auth_token, str url, const struct kvlist *params, str header);

/* Recording URLs: hex HMAC-SHA256 over "path\nexpires" with a key derived from the
 * configured secret_key (so it never doubles as the CSRF or secretbox key). */
str sig_recording(struct arena *a, str secret_key, str path, long expires);
/* True when expires (decimal unix seconds) is later than now and sig matches
 * (constant time). */
bool sig_recording_ok(struct arena *a, str secret_key, str path, str expires, str sig, long now);
#endif
