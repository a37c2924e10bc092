/* csrf.h — CSRF tokens derived (HMAC) from the session token or, before sign-in,
 * from a random pre-session cookie; nothing to store. */
#ifndef SB_CSRF_H
#define SB_CSRF_H
#include <stdbool.h>
#include "../core/str.h"
struct arena;

#define CSRF_COOKIE "sb_csrf"

/* The token for a binding (session token hash, or the sb_csrf cookie value). */
str csrf_token(struct arena *a, str secret_key, str binding);
/* Constant-time check of a submitted token; false if either is empty. */
bool csrf_check(struct arena *a, str secret_key, str binding, str submitted);
#endif
