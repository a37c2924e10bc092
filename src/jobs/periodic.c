/* periodic.c — the periodic jobs: rollup repair, recording retention, overdue
 * payments, missed-webhook recovery (vapi_recovery.c); their schedule is kept by the
 * queue itself (periodic.h). */
#include "periodic.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/log.h"
#include "../db/db.h"
#include "alerts.h"
#include "reminders.h"
#include "vapi_recovery.h"

#define RETENTION_BATCH 500
#define RETENTION_MAX_BATCHES 200 /* a run stops after 100,000 recordings; the next goes on */

/* Recomputes today's and yesterday's rollups (in each org's zone) for every org: the
 * trigger keeps them current, this repairs drift (a crash between a call and its
 * rollup, a time zone changed). */
static enum job_result rollup_repair_run(struct job_ctx *c, const struct job *j)
{
    (void)j;
    if (db_q0(c->db, c->a, "rollup_repair",
              "SELECT sb_call_rollups_repair(o.id, d.day) FROM orgs o CROSS JOIN LATERAL"
              " (VALUES ((now() AT TIME ZONE o.timezone)::date),"
              " ((now() AT TIME ZONE o.timezone)::date - 1)) d(day)"))
        return JOB_DONE;
    c->error = db_last_message(c->db);
    return JOB_RETRY;
}

/* One batch of recordings past their org's retention: the calls mark them deleted
 * (when, and that the retention policy did it: the call page says so; the size stays,
 * so the rollups' "recorded" figures do not change) and an audit row per org lists
 * the calls, in one statement (calls_org_recording_stored_idx);
 * the files go after the commit, so a crash leaves a stray file, never a call whose
 * recording is missing. Returns the rows (org, path) or NULL. */
static struct dbres *retention_batch(struct job_ctx *c)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", RETENTION_BATCH);
    return db_q(c->db, c->a, "retention_batch",
                "WITH old AS (SELECT c.id, c.org_id, c.recording_path FROM orgs o CROSS JOIN LATERAL"
                " (SELECT id, org_id, recording_path FROM calls WHERE org_id = o.id AND recording_status = 'stored'"
                " AND started_at < now() - make_interval(days => o.recording_retention_days)"
                " ORDER BY started_at LIMIT $1::int FOR UPDATE SKIP LOCKED) c LIMIT $1::int),"
                " gone AS (UPDATE calls c SET recording_status = 'deleted', recording_path = NULL, recording_url = NULL,"
                " recording_deleted_at = now(), recording_deleted_reason = 'retention', updated_at = now()"
                " FROM old WHERE c.id = old.id RETURNING c.id, c.org_id, old.recording_path),"
                " audit AS (INSERT INTO audit_log (org_id, actor, action, entity, detail)"
                " SELECT org_id, 'system', 'recordings.retention_purge', 'call',"
                " jsonb_build_object('calls', count(*), 'call_ids', jsonb_agg(id)) FROM gone GROUP BY org_id)"
                " SELECT org_id, coalesce(recording_path, '') FROM gone",
                limit);
}

static void retention_unlink(struct job_ctx *c, const struct dbres *q)
{
    for (int i = 0; i < db_rows(q); i++) {
        const char *rel = db_cstr(q, i, 1);
        if (!*rel || strstr(rel, "..")) continue; /* the column's check allows no other escape */
        struct buf path;
        buf_init(&path, c->a, 256);
        buf_printf(&path, "%s/%s", c->cfg->recordings_dir, rel);
        if (unlink(buf_cstr(&path)) != 0 && errno != ENOENT)
            log_warn("retention: cannot delete %s: %s", buf_cstr(&path), strerror(errno));
    }
}

/* Deletes the recordings older than their org's recording_retention_days. */
static enum job_result retention_run(struct job_ctx *c, const struct job *j)
{
    (void)j;
    for (int batch = 0; batch < RETENTION_MAX_BATCHES; batch++) {
        struct dbres *q = retention_batch(c); /* autocommit: one transaction per batch */
        if (!q) {
            c->error = db_last_message(c->db);
            return JOB_RETRY;
        }
        retention_unlink(c, q);
        if (db_rows(q) < RETENTION_BATCH) break;
    }
    return JOB_DONE;
}

/* Marks unpaid payments whose expected date is before their org's today (in the org's
 * zone) overdue, with an audit row per org; pages derive "overdue" at read time too,
 * this keeps the stored status (filters, exports, webhooks) true. Partial payments
 * keep their status (payment_status.h). Uses payments_org_unpaid_due_idx. */
static enum job_result overdue_run(struct job_ctx *c, const struct job *j)
{
    (void)j;
    if (db_q0(c->db, c->a, "overdue_mark",
              "WITH marked AS (UPDATE payments p SET status = 'overdue', version = p.version + 1, updated_at = now()"
              " FROM orgs o WHERE o.id = p.org_id AND p.status <> 'paid' AND p.deleted_at IS NULL"
              " AND p.status IN ('expected', 'sent') AND p.paid_minor = 0"
              " AND p.expected_at < (now() AT TIME ZONE o.timezone)::date RETURNING p.org_id, p.id)"
              " INSERT INTO audit_log (org_id, actor, action, entity, detail)"
              " SELECT org_id, 'system', 'payments.mark_overdue', 'payment',"
              " jsonb_build_object('payments', count(*), 'payment_ids', jsonb_agg(id)) FROM marked GROUP BY org_id"))
        return JOB_DONE;
    c->error = db_last_message(c->db);
    return JOB_RETRY;
}

const struct periodic_job periodic_jobs[] = {
    { "rollup_repair", 3600, "hour", "Recomputes today's and yesterday's call rollups and fixes drift.",
      rollup_repair_run },
    { "recording_retention", 86400, "day", "Deletes recordings older than the organisation's retention days.",
      retention_run },
    { "overdue_payments", 3600, "hour", "Marks unpaid payments past their expected date overdue.", overdue_run },
    { ALERTS_EVALUATE_KIND, 60, "minute", "Evaluates the alert rules and records what fired or resolved.",
      alerts_evaluate_run },
    { REMINDERS_KIND, 900, "15 minutes", "Emails deal owners their deliverables due and payments overdue, once a day.",
      reminders_run },
    { "vapi_recovery", 3600, "hour", "Asks Vapi for the calls its webhooks missed and ingests them.",
      vapi_recovery_run },
};
const int periodic_count = (int)(sizeof periodic_jobs / sizeof periodic_jobs[0]);

const struct periodic_job *periodic_find(str kind)
{
    for (int i = 0; i < periodic_count; i++)
        if (str_eq_cstr(kind, periodic_jobs[i].kind)) return &periodic_jobs[i];
    return NULL;
}

static int enqueue(struct db *db, struct arena *a, const char *kind, int delay_s)
{
    char delay[16];
    snprintf(delay, sizeof delay, "%d", delay_s);
    /* The live unique key keeps one run per kind; a conflict means one is there. */
    return db_q(db, a, "periodic_enqueue",
                "INSERT INTO jobs (kind, unique_key, max_attempts, run_at)"
                " VALUES ($1, 'periodic:' || $1, 3, now() + make_interval(secs => $2::int))"
                " ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND status IN ('queued', 'running')"
                " DO NOTHING",
                kind, delay)
               ? 0
               : -1;
}

int periodic_ensure(struct db *db, struct arena *a)
{
    for (int i = 0; i < periodic_count; i++)
        if (enqueue(db, a, periodic_jobs[i].kind, 0) != 0) return -1;
    return 0;
}

int periodic_next(struct db *db, struct arena *a, const struct periodic_job *p)
{
    return enqueue(db, a, p->kind, p->every_s);
}
