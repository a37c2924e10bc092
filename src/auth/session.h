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
    str facts_epoch;  /* the auth epoch its lookup read first (sql/0055) */
};

/* Looks up a session by raw cookie token (one statement: checks idle and absolute
 * expiry, touches last_seen). NULL if absent/expired; *db_failed set on DB error. */
struct session *session_from_token(struct db *db, struct arena *a, str token, int idle_s,
                                   bool *db_failed);
/* The session of a cookie token that this worker looked up in the last seconds (as
 * long as the lookup said it may be trusted: at most 15 s, never past its expiry),
 * from memory, without a statement of its own. The guard sent with the
 * transaction's first statement sets the tenant and checks that the auth epoch
 * (sql/0055) has not moved since the lookup, i.e. no session, user, org or key fact
 * changed; else that statement fails with DB_ERR_GUARD and the caller looks the
 * session up. NULL when not remembered. */
struct session *session_recall(struct db *db, struct arena *a, str token);
/* The same for an API key ("Bearer <key>"). Its use is recorded and audited by the
 * lookups, which come at least every 15 s. */
struct session *apikey_recall(struct db *db, struct arena *a, str key);
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
