/* webhook_apply.c — the worker's side of webhook ingestion: claims the oldest pending
 * events, applies them with one call of sb_webhook_events_apply (sql/0024) and, when
 * that statement fails, applies them one by one so that only the bad ones fail; then
 * refreshes the top-numbers blocks the batches left due (sql/0037). */
#include "webhook_apply.h"

#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../db/db.h"
#include "recording_download.h"

/* The advisory lock that makes one worker at a time the applier (any fixed key). */
#define APPLY_LOCK_KEY "7315020240"

/* The ids of the oldest pending events, as an array literal ("{1,2,3}"), locked for
 * this transaction; "" when none is pending or another worker holds the lock; NULL on
 * error. */
static const char *claim(struct db *db, struct arena *a)
{
    struct dbres *lock = db_q(db, a, "webhook_apply_lock", "SELECT pg_try_advisory_xact_lock(" APPLY_LOCK_KEY ")");
    if (!lock) return NULL;
    if (!db_bool(lock, 0, 0)) return "";
    char limit[16];
    snprintf(limit, sizeof limit, "%d", WEBHOOK_APPLY_BATCH);
    struct dbres *res = db_q(db, a, "webhook_apply_claim",
                             "SELECT coalesce(array_agg(id ORDER BY id), '{}')::text FROM"
                             " (SELECT id FROM webhook_events WHERE applied_at IS NULL AND error IS NULL"
                             "  ORDER BY id LIMIT $1::int FOR UPDATE SKIP LOCKED) e",
                             limit);
    if (!res) return NULL;
    const char *ids = db_cstr(res, 0, 0);
    return ids[1] == '}' ? "" : ids;
}

/* Applies the pending events among ids; their count, or -1 (db_last_error). */
static long apply(struct db *db, struct arena *a, const struct config *cfg, const char *ids)
{
    char max[16];
    snprintf(max, sizeof max, "%d", cfg->job_max_attempts);
    struct dbres *res = db_q(db, a, "webhook_apply", "SELECT sb_webhook_events_apply($1::bigint[], $2, $3::int)",
                             ids, RECORDING_DOWNLOAD_KIND, max);
    return res ? db_long(res, 0, 0) : -1;
}

/* The database's reason, its first line only: the detail lines may quote the row,
 * which carries a caller's number and words. In a. */
static const char *reason(struct arena *a, struct db *db)
{
    const char *m = db_last_message(db);
    if (strncmp(m, "ERROR:", 6) == 0) m += 6;
    while (*m == ' ') m++;
    return arena_strndup(a, m, strcspn(m, "\n"));
}

/* The event is marked failed with the database's reason: kept, visible, not retried. */
static int fail_event(struct db *db, struct arena *a, const char *id, const char *why)
{
    log_warn("webhook event %s not applied: %s", id, why);
    return db_q(db, a, "webhook_apply_fail",
                "UPDATE webhook_events SET error = left($2, 1000) WHERE id = $1::bigint AND applied_at IS NULL",
                id, why)
               ? 0
               : -1;
}

/* Copies the next id of an array literal's rest p ("1,2}") into id; returns what
 * follows it, or NULL at the end. */
static const char *next_id(const char *p, char *id, size_t size)
{
    size_t n = 0;
    while (p[n] >= '0' && p[n] <= '9' && n < size - 1) n++;
    if (n == 0) return NULL;
    snprintf(id, size, "%.*s", (int)n, p);
    return p + n + (p[n] == ',');
}

/* Applies one event in a savepoint; one the database refuses is marked failed.
 * Returns 0, or -1 when the connection failed. */
static int apply_one(struct db *db, struct arena *a, const struct config *cfg, const char *id)
{
    char one[32];
    snprintf(one, sizeof one, "{%s}", id);
    if (db_exec_simple(db, "SAVEPOINT webhook_event") != 0) return -1;
    if (apply(db, a, cfg, one) >= 0) return 0;
    if (db_last_error(db) == DB_ERR_UNAVAILABLE) return -1;
    const char *why = reason(a, db); /* the rollback clears it */
    if (db_exec_simple(db, "ROLLBACK TO SAVEPOINT webhook_event") != 0) return -1;
    return fail_event(db, a, id, why);
}

/* The batch failed on some event's value: each event again on its own, so only the
 * bad ones fail. Returns how many were settled, or -1 when the connection failed. */
static long apply_each(struct db *db, struct arena *a, const struct config *cfg, const char *ids)
{
    long settled = 0;
    char id[24];
    for (const char *p = next_id(ids + 1, id, sizeof id); p; p = next_id(p, id, sizeof id)) {
        if (apply_one(db, a, cfg, id) != 0) return -1;
        settled++;
    }
    return settled;
}

int webhook_apply_batch(struct db *db, struct arena *a, const struct config *cfg)
{
    if (db_begin(db) != 0) return -1;
    /* The blocks of the numbers this batch touches are refreshed after it
     * (webhook_number_blocks_catch_up): a call's page does not wait for them. */
    if (db_exec_simple(db, "SET LOCAL sb.number_blocks = 'deferred'") != 0) {
        db_rollback(db);
        return -1;
    }
    const char *ids = claim(db, a);
    if (!ids || !*ids) {
        db_rollback(db);
        return ids ? 0 : -1;
    }
    long settled = -1;
    if (db_exec_simple(db, "SAVEPOINT webhook_batch") == 0) {
        settled = apply(db, a, cfg, ids);
        if (settled < 0 && db_last_error(db) != DB_ERR_UNAVAILABLE &&
            db_exec_simple(db, "ROLLBACK TO SAVEPOINT webhook_batch") == 0)
            settled = apply_each(db, a, cfg, ids);
    }
    if (settled < 0 || db_commit(db) != 0) {
        log_warn("webhook events not applied (will retry): %s", db_last_message(db));
        db_rollback(db);
        return -1;
    }
    return (int)settled;
}

int webhook_number_blocks_catch_up(struct db *db, struct arena *a)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", WEBHOOK_BLOCKS_BATCH);
    if (db_begin(db) != 0) return -1;
    struct dbres *res = db_q(db, a, "webhook_blocks_catch_up", "SELECT sb_call_number_blocks_catch_up($1::int)", limit);
    if (!res || db_commit(db) != 0) {
        log_warn("top-numbers blocks not refreshed (will retry): %s", db_last_message(db));
        db_rollback(db);
        return -1;
    }
    return (int)db_long(res, 0, 0);
}
