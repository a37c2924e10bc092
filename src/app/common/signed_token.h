/* signed_token.h — opaque, tamper-proof tokens for list cursors: base64url(payload)
 * "." base64url(HMAC-SHA256 truncated to 16 bytes) keyed by the secret and a purpose
 * label, so a cursor of one list is never accepted by another. */
#ifndef SB_SIGNED_TOKEN_H
#define SB_SIGNED_TOKEN_H
#include <stddef.h>
#include "../../core/str.h"
struct arena;

/* Longest payload accepted (bytes). */
#define SIGNED_TOKEN_MAX_PAYLOAD 120

/* The token for payload (at most SIGNED_TOKEN_MAX_PAYLOAD bytes), in the arena. */
str signed_token_encode(struct arena *a, str secret, const char *purpose, str payload);
/* Verifies token for purpose and copies its payload into out (cap bytes; at least
 * SIGNED_TOKEN_MAX_PAYLOAD). Returns the payload's length, or -1 if the token is
 * malformed or its signature is wrong. */
long signed_token_decode(str secret, const char *purpose, str token, char *out, size_t cap);
#endif
