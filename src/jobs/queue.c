/* queue.c — the job queue's statements; each is one round trip. */
#include "queue.h"

#include <stdio.h>

#include "../core/arena.h"
#include "../db/db.h"

int job_enqueue(struct db *db, struct arena *a, const char *org_id, const char *kind,
                const char *payload_json, const char *unique_key, int max_attempts)
{
    char max[16];
    snprintf(max, sizeof max, "%d", max_attempts);
    struct dbres *r = db_q(db, a, "job_enqueue",
                           "INSERT INTO jobs (org_id, kind, payload, unique_key, max_attempts)"
                           " VALUES (nullif($1, '')::uuid, $2, $3::jsonb, $4, $5::int)"
                           " ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL"
                           " AND status IN ('queued', 'running') DO NOTHING RETURNING id",
                           org_id ? org_id : "", kind, payload_json, unique_key, max);
    if (!r) return -1;
    return db_rows(r) == 1;
}

int job_claim(struct db *db, struct arena *a, const char *worker_id, int lease_s, struct job *out)
{
    char lease[16];
    snprintf(lease, sizeof lease, "%d", lease_s);
    /* SKIP LOCKED: concurrent workers each take a different row without waiting. */
    struct dbres *r = db_q(db, a, "job_claim",
                           "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1,"
                           " lease_until = now() + make_interval(secs => $2::int), updated_at = now()"
                           " WHERE id = (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= now())"
                           " OR (status = 'running' AND lease_until < now())"
                           " ORDER BY run_at, id FOR UPDATE SKIP LOCKED LIMIT 1)"
                           " RETURNING id, coalesce(org_id::text, ''), kind, payload::text, attempts, max_attempts",
                           worker_id, lease);
    if (!r) return -1;
    if (db_rows(r) == 0) return 0;
    out->id = db_cstr(r, 0, 0);
    out->org_id = db_cstr(r, 0, 1);
    out->kind = db_val(r, 0, 2);
    out->payload = db_cstr(r, 0, 3);
    out->attempts = (int)db_long(r, 0, 4);
    out->max_attempts = (int)db_long(r, 0, 5);
    return 1;
}

int job_complete(struct db *db, struct arena *a, const struct job *j, const char *worker_id)
{
    return db_q(db, a, "job_complete",
                "UPDATE jobs SET status = 'done', lease_until = NULL, last_error = NULL, updated_at = now()"
                " WHERE id = $1::bigint AND locked_by = $2 AND status = 'running'",
                j->id, worker_id)
               ? 0
               : -1;
}

int job_fail(struct db *db, struct arena *a, const struct job *j, const char *worker_id,
             const char *error, bool retry, int backoff_ms)
{
    char ms[16];
    snprintf(ms, sizeof ms, "%d", backoff_ms);
    bool again = retry && j->attempts < j->max_attempts;
    /* Jitter spreads the retries of jobs that failed together (a provider outage). */
    struct dbres *r = db_q(db, a, "job_fail",
                           "UPDATE jobs SET status = CASE WHEN $3::bool THEN 'queued' ELSE 'dead' END,"
                           " run_at = now() + make_interval(secs => $4::int / 1000.0::float8"
                           " * power(2::float8, least(attempts - 1, 20)) * (0.5 + random())),"
                           " last_error = left($5, 1000), lease_until = NULL, locked_by = NULL,"
                           " updated_at = now() WHERE id = $1::bigint AND locked_by = $2",
                           j->id, worker_id, again ? "true" : "false", ms, error ? error : "");
    if (!r) return -1;
    return again;
}
