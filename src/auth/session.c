/* session.c — sessions and API keys, looked up in one statement each (a
 * SECURITY DEFINER function that also sets the tenant for the transaction), and
 * recalled from the worker's memory under a guard that checks the auth epoch. */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"
#include "../db/db.h"
#include "session_cache.h"

static struct session *session_from_row(struct arena *a, struct dbres *r)
{
    struct session *s = arena_calloc(a, 1, sizeof *s);
    s->user_id = db_val(r, 0, 0);
    s->org_id = db_val(r, 0, 1);
    s->org_slug = db_val(r, 0, 2);
    s->org_name = db_val(r, 0, 3);
    s->org_timezone = db_val(r, 0, 4);
    s->email = db_val(r, 0, 5);
    s->user_name = db_val(r, 0, 6);
    if (!role_parse(db_val(r, 0, 7), &s->role)) s->role = ROLE_VIEWER;
    s->facts_epoch = db_val(r, 0, 8);
    return s;
}

struct session *session_from_token(struct db *db, struct arena *a, str token, int idle_s,
                                   bool *db_failed)
{
    *db_failed = false;
    /* A real token is 43 base64url characters; anything else cannot match. */
    if (token.len != 43) return NULL;
    str hash = crypto_sha256_hex(a, token);
    char idle[24];
    snprintf(idle, sizeof idle, "%d", idle_s);
    struct dbres *r = db_q(db, a, "session_lookup",
                           "SELECT user_id, org_id, org_slug, org_name, org_timezone, email,"
                           " user_name, role, facts_epoch, trust_ms FROM sb_session_lookup($1, $2)",
                           str_cstr(a, hash), idle);
    if (!r) {
        *db_failed = true;
        return NULL;
    }
    if (db_rows(r) != 1) return NULL;
    struct session *s = session_from_row(a, r);
    s->token_hash = hash;
    s->recall_hash = hash;
    session_cache_put(hash, s, (int)db_long(r, 0, 9));
    return s;
}

/* The guard of a remembered session or key: the tenant settings the lookup made,
 * under the condition that the auth epoch is still the one the lookup read (else
 * sb_auth_epoch_moved raises: the guard fails, and the caller looks it up). The
 * epoch is read in the statement's snapshot, which the page's statements share or
 * follow, so a change committed before it is always seen. */
static void guard_with_epoch(struct db *db, struct arena *a, const struct session *s)
{
    const char **p = arena_alloc(a, 3 * sizeof *p);
    p[0] = str_cstr(a, s->facts_epoch);
    p[1] = str_cstr(a, s->org_id);
    p[2] = str_cstr(a, s->user_id);
    struct db_stmt guard = { "auth_recall",
                             "SELECT CASE WHEN (SELECT n FROM auth_epoch) = $1::bigint"
                             " THEN set_config('app.org_id', $2, true) IS NOT NULL"
                             " AND set_config('app.user_id', $3, true) IS NOT NULL"
                             " ELSE sb_auth_epoch_moved() END",
                             3, p };
    db_set_guard(db, &guard);
}

struct session *session_recall(struct db *db, struct arena *a, str token)
{
    if (token.len != 43) return NULL;
    struct session *s = session_cache_get(a, crypto_sha256_hex(a, token));
    if (s && s->api_key_id.len) s = NULL; /* a key remembered under this hash is not a session */
    if (s) guard_with_epoch(db, a, s);
    return s;
}

static bool apikey_shape_ok(str key)
{
    return key.len >= 20 && key.len <= 100 && str_starts_with(key, STR("sb_"));
}

struct session *apikey_recall(struct db *db, struct arena *a, str key)
{
    if (!apikey_shape_ok(key)) return NULL;
    struct session *s = session_cache_get(a, crypto_sha256_hex(a, key));
    if (s && s->api_key_id.len) guard_with_epoch(db, a, s);
    else s = NULL; /* a session remembered under this hash is not a key */
    return s;
}

void session_forget(const struct session *s)
{
    if (s->recall_hash.len) session_cache_drop(s->recall_hash);
}

str session_create(struct db *db, struct arena *a, str user_id, str ip, str user_agent,
                   int lifetime_s)
{
    str token = crypto_token(a);
    str hash = crypto_sha256_hex(a, token);
    char lifetime[24];
    snprintf(lifetime, sizeof lifetime, "%d", lifetime_s);
    if (user_agent.len > 512) user_agent.len = 512; /* metadata only; cap what we keep */
    struct dbres *r = db_q(db, a, "session_create",
                           "INSERT INTO sessions (token_hash, user_id, org_id, expires_at, ip, user_agent)"
                           " VALUES ($1, $2, app_org_id(), now() + make_interval(secs => $3::int), $4,"
                           " $5)",
                           str_cstr(a, hash), str_cstr(a, user_id), lifetime, str_cstr(a, ip),
                           str_cstr(a, user_agent));
    return r ? token : STR_NULL;
}

int session_destroy(struct db *db, struct arena *a, str token_hash)
{
    session_cache_drop(token_hash); /* the session's recall hash is its token hash */
    return db_q(db, a, "session_destroy", "DELETE FROM sessions WHERE token_hash = $1",
                str_cstr(a, token_hash))
               ? 0
               : -1;
}

struct session *session_from_api_key(struct db *db, struct arena *a, str key, str ip, str request_id,
                                     bool *db_failed)
{
    *db_failed = false;
    if (!apikey_shape_ok(key)) return NULL;
    str hash = crypto_sha256_hex(a, key);
    struct dbres *r = db_q(db, a, "apikey_lookup",
                           "SELECT key_id, org_id, org_slug, org_name, org_timezone, key_name, role,"
                           " facts_epoch, trust_ms FROM sb_apikey_lookup($1, $2, $3)",
                           str_cstr(a, hash), str_cstr(a, ip), str_cstr(a, request_id));
    if (!r) {
        *db_failed = true;
        return NULL;
    }
    if (db_rows(r) != 1) return NULL;
    struct session *s = arena_calloc(a, 1, sizeof *s);
    s->api_key_id = db_val(r, 0, 0);
    s->org_id = db_val(r, 0, 1);
    s->org_slug = db_val(r, 0, 2);
    s->org_name = db_val(r, 0, 3);
    s->org_timezone = db_val(r, 0, 4);
    s->user_name = db_val(r, 0, 5);
    s->user_id = STR("");
    s->email = STR("");
    if (!role_parse(db_val(r, 0, 6), &s->role)) s->role = ROLE_VIEWER;
    s->token_hash = STR("");
    s->recall_hash = hash;
    s->facts_epoch = db_val(r, 0, 7);
    session_cache_put(hash, s, (int)db_long(r, 0, 8));
    return s;
}

str apikey_generate(struct arena *a, str *prefix, str *hash)
{
    uint8_t p[4];
    crypto_random(p, sizeof p);
    struct buf b;
    buf_init(&b, a, 64);
    buf_puts(&b, "sb_");
    hex_encode(&b, p, sizeof p);
    *prefix = str_dup(a, buf_str(&b));
    buf_putc(&b, '_');
    buf_put(&b, crypto_token(a));
    str key = buf_str(&b);
    *hash = crypto_sha256_hex(a, key);
    return key;
}
