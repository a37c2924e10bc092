/* signatures.h — the HMAC-signed short-lived recording URLs; pure functions, no I/O. */
#ifndef SB_SIGNATURES_H
#define SB_SIGNATURES_H
#include <stdbool.h>
#include "../core/str.h"
struct arena;

/* Recording URLs: hex HMAC-SHA256 over "path\nexpires" with a key derived from the
 * configured secret_key (so it never doubles as the CSRF or secretbox key). */
str sig_recording(struct arena *a, str secret_key, str path, long expires);
/* True when expires (decimal unix seconds) is later than now and sig matches
 * (constant time). */
bool sig_recording_ok(struct arena *a, str secret_key, str path, str expires, str sig, long now);
#endif
