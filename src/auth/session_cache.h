/* session_cache.h — a worker's memory of the sessions it looked up recently, so a
 * request can start its statements without waiting for the session lookup; the
 * database confirms in the same round trip that none of the remembered facts can
 * have changed since (session.c: the auth epoch, sql/0055). */
#ifndef SB_SESSION_CACHE_H
#define SB_SESSION_CACHE_H
#include <stdbool.h>
#include "../core/str.h"
struct arena;
struct session;

/* Remembers a session or API key just looked up, under hash (the SHA-256 of the
 * cookie token or of the key), for trust_ms milliseconds (what the lookup said: at
 * most 15 s, less when the session or key expires sooner); 0 remembers nothing. */
void session_cache_put(str hash, const struct session *s, int trust_ms);
/* What is remembered under hash, copied into the arena, while its time lasts; else
 * NULL. Its recall_hash is hash. */
struct session *session_cache_get(struct arena *a, str hash);
/* Forgets it (signed out, or the database said it changed). */
void session_cache_drop(str hash);
#endif
