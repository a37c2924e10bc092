/* csrf.h — CSRF tokens derived (HMAC) from the session token or, before sign-in,
 * from a random pre-session cookie; nothing to store. */
#ifndef SB_CSRF_H
#define SB_CSRF_H
#include <stdbool.h>
#include "../core/str.h"
struct arena;

/* __Host-: the browser keeps it to this origin (Secure, Path=/, no Domain), so a
 * sibling subdomain cannot plant one. */
#define CSRF_COOKIE "__Host-sb_csrf"

/* true when value has the shape of the binding we issue (crypto_token: 43
 * base64url characters); anything else is no binding at all. */
bool csrf_binding_valid(str value);

/* The token for a binding (session token hash, or the __Host-sb_csrf cookie value). */
str csrf_token(struct arena *a, str secret_key, str binding);
/* Constant-time check of a submitted token; false if either is empty. */
bool csrf_check(struct arena *a, str secret_key, str binding, str submitted);
#endif
