/* session.h — server-side sessions in PostgreSQL: hashed token, rotation at
 * login, idle and absolute expiry; and API keys resolved to the same shape. */
#ifndef SB_SESSION_H
#define SB_SESSION_H
#include <stdbool.h>
#include "../core/str.h"
#include "../http/router.h"
struct arena;
struct db;

/* __Host-: Secure, Path=/ and no Domain, so no sibling subdomain can set or shadow it. */
#define SESSION_COOKIE "__Host-sb_session"

struct session {
    str token_hash;   /* sha256 hex of the cookie token (CSRF binding); empty for API keys */
    str user_id, org_id, org_slug, org_name, org_timezone;
    str email, user_name;
    enum role role;
    str api_key_id;   /* set when authenticated by an API key */
    str recall_hash;  /* the hash a worker remembers it under (session_recall, apikey_recall) */
};

/* Looks up a session by raw cookie token (one statement: checks idle and absolute
 * expiry, touches last_seen). NULL if absent/expired; *db_failed set on DB error. */
struct session *session_from_token(struct db *db, struct arena *a, str token, int idle_s,
                                   bool *db_failed);
/* The session of a cookie token that this worker looked up in the last minute,
 * from memory, without a statement of its own: the database confirms it (valid,
 * not idle, every field unchanged; touching last_seen and setting the tenant as
 * the lookup does) together with the transaction's first statement, which fails
 * with DB_ERR_GUARD if it does not hold. NULL when not remembered. */
struct session *session_recall(struct db *db, struct arena *a, str token, int idle_s);
/* The same for an API key ("Bearer <key>"): remembered from its last lookup, checked
 * by sb_apikey_resume (revoked, or any remembered field changed, and it fails; the
 * key's use is recorded and audited as the lookup does). */
struct session *apikey_recall(struct db *db, struct arena *a, str key, str ip, str request_id);
/* Forgets a remembered session or key (s->recall_hash; after DB_ERR_GUARD). */
void session_forget(const struct session *s);
/* Creates a session for user_id; returns the raw token for the cookie, or empty str. */
str session_create(struct db *db, struct arena *a, str user_id, str ip, str user_agent,
                   int lifetime_s);
/* Deletes the session with this token hash. */
int session_destroy(struct db *db, struct arena *a, str token_hash);
/* Resolves "Bearer <key>" to a session-like identity, or NULL. A key's use is
 * audited (api_key.use, from ip) at most once a minute per key. */
struct session *session_from_api_key(struct db *db, struct arena *a, str key, str ip, str request_id,
                                     bool *db_failed);
/* Makes a new API key "sb_<prefix>_<secret>"; *prefix and *hash for storage. */
str apikey_generate(struct arena *a, str *prefix, str *hash);
#endif
