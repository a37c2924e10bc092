/* session_cache.h — a worker's memory of the sessions it looked up recently, so a
 * request can start its statements without waiting for the session lookup; the
 * database confirms the remembered facts in the same round trip (session.c). */
#ifndef SB_SESSION_CACHE_H
#define SB_SESSION_CACHE_H
#include <stdbool.h>
#include "../core/str.h"
struct arena;
struct session;

/* Remembers a session just looked up (by its token hash). */
void session_cache_put(const struct session *s);
/* The session remembered under this token hash, copied into the arena, if it was
 * looked up less than a minute ago; else NULL. */
struct session *session_cache_get(struct arena *a, str token_hash);
/* Forgets the session (signed out, or the database said it changed). */
void session_cache_drop(str token_hash);
#endif
