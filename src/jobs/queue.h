/* queue.h — the PostgreSQL job queue (table jobs, sql/0005): enqueue with unique keys,
 * claim with FOR UPDATE SKIP LOCKED and a lease, complete, fail with back-off. */
#ifndef SB_QUEUE_H
#define SB_QUEUE_H
#include "../core/str.h"
struct db;
struct arena;

struct job {
    const char *id;      /* bigint as text */
    const char *org_id;  /* "" for jobs acting on every org */
    str kind;
    const char *payload; /* JSON text */
    int attempts;        /* including this one */
    int max_attempts;
};

/* Queues a job in the caller's transaction (the app role sets org_id to its tenant;
 * RLS checks it). unique_key may be NULL; a live job with the same key makes this a
 * no-op. Returns 1 queued, 0 duplicate, -1 on a database error. */
int job_enqueue(struct db *db, struct arena *a, const char *org_id, const char *kind,
                const char *payload_json, const char *unique_key, int max_attempts);
/* Claims the oldest runnable job (queued and due, or running with an expired lease)
 * for worker_id with a lease of lease_s seconds, in its own statement. Returns 1 and
 * *out, 0 when there is none, -1 on error. */
int job_claim(struct db *db, struct arena *a, const char *worker_id, int lease_s, struct job *out);
/* Marks the job done (only while worker_id still holds it). 0 or -1. */
int job_complete(struct db *db, struct arena *a, const struct job *j, const char *worker_id);
/* Records a failure: retried after backoff_ms * 2^(attempts-1) (±50% jitter) while
 * attempts remain and retry is true, else dead. Returns 1 retried, 0 dead, -1 error. */
int job_fail(struct db *db, struct arena *a, const struct job *j, const char *worker_id,
             const char *error, bool retry, int backoff_ms);
#endif
