/* events.c — webhook event storage: the raw event is stored first (de-duplicated by
 * its body), then applied to the call idempotently and order-safely, and a recording
 * URL queues a download. */
#include "events.h"

#include <json-c/json.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/crypto.h"
#include "../../core/log.h"
#include "../../db/db.h"
#include "../../jobs/queue.h"
#include "../../jobs/recording_download.h"
#include "../../view/json.h"
#include "../app.h"

static int set_tenant(struct request *r, str org_id)
{
    return db_q(r->db, r->arena, "webhook_set_tenant", "SELECT set_config('app.org_id', $1, true)",
                str_cstr(r->arena, org_id))
               ? 0
               : -1;
}

const char *webhook_event_store(struct request *r, str org_id, const char *provider, const char *kind,
                                str identity)
{
    if (set_tenant(r, org_id) != 0) return NULL;
    struct json_object *h = json_object_new_object();
    json_add_str(h, "content_type", r->content_type);
    json_add_str(h, "user_agent", r->user_agent);
    const char *headers = arena_strdup(r->arena, json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN));
    json_object_put(h);
    /* Neither provider sends an event id for these callbacks; the same identity is
     * the same event (a retry), so its hash is the key. */
    str key = crypto_sha256_hex(r->arena, identity);
    struct dbres *res = db_q(r->db, r->arena, "webhook_store",
                             "INSERT INTO webhook_events (org_id, provider, kind, event_key, body, headers)"
                             " VALUES ($1::uuid, $2, left($3, 100), $4, $5, $6::jsonb)"
                             " ON CONFLICT (org_id, provider, event_key) DO NOTHING RETURNING id",
                             str_cstr(r->arena, org_id), provider, kind, str_cstr(r->arena, key),
                             str_cstr(r->arena, r->body), headers);
    if (!res) return NULL;
    return db_rows(res) ? db_cstr(res, 0, 0) : "";
}

static void mark_event(struct request *r, const char *event_id, const char *error)
{
    db_q(r->db, r->arena, "webhook_mark",
         "UPDATE webhook_events SET applied_at = CASE WHEN $2::text IS NULL THEN now() END, error = $2"
         " WHERE id = $1::bigint",
         event_id, error);
}

/* Inserts or advances the call. The status only moves forward (call_status_rank:
 * a late 'ringing' never replaces 'completed'); other fields take the event's value
 * when it has one. Returns the call id and whether a download is due, or NULL. */
static struct dbres *upsert_call(struct request *r, const struct call_event *e)
{
    return db_q(r->db, r->arena, "webhook_upsert_call",
                "INSERT INTO calls AS c (org_id, provider, provider_call_id, direction, status, from_number,"
                " to_number, caller_name, started_at, ended_at, duration_s, ended_reason, summary, transcript,"
                " recording_url, recording_status)"
                " VALUES (app_org_id(), $1, $2, $3, $4, coalesce($5, ''), coalesce($6, ''), coalesce($7, ''),"
                " coalesce($8::timestamptz, now()), $9::timestamptz,"
                " coalesce($10::int, round(extract(epoch FROM $9::timestamptz - $8::timestamptz))::int, 0),"
                " coalesce($11, ''), coalesce($12, ''), coalesce($13::jsonb, '[]'::jsonb), $14::text,"
                " CASE WHEN $14 IS NULL THEN 'none' ELSE 'pending' END)"
                " ON CONFLICT (org_id, provider, provider_call_id) DO UPDATE SET"
                " status = CASE WHEN call_status_rank(EXCLUDED.status) > call_status_rank(c.status)"
                "   THEN EXCLUDED.status ELSE c.status END,"
                " from_number = CASE WHEN EXCLUDED.from_number <> '' THEN EXCLUDED.from_number ELSE c.from_number END,"
                " to_number = CASE WHEN EXCLUDED.to_number <> '' THEN EXCLUDED.to_number ELSE c.to_number END,"
                " caller_name = CASE WHEN EXCLUDED.caller_name <> '' THEN EXCLUDED.caller_name ELSE c.caller_name END,"
                " started_at = coalesce($8::timestamptz, c.started_at),"
                " ended_at = coalesce($9::timestamptz, c.ended_at),"
                " duration_s = coalesce($10::int, round(extract(epoch FROM $9::timestamptz - $8::timestamptz))::int,"
                "   c.duration_s),"
                " ended_reason = coalesce($11, c.ended_reason), summary = coalesce($12, c.summary),"
                " transcript = coalesce($13::jsonb, c.transcript), recording_url = coalesce($14, c.recording_url),"
                " recording_status = CASE WHEN $14 IS NOT NULL AND c.recording_status IN ('none', 'failed')"
                "   THEN 'pending' ELSE c.recording_status END,"
                " updated_at = now()"
                " RETURNING id, recording_status = 'pending' AND $14 IS NOT NULL",
                e->provider, e->provider_call_id, e->direction, e->status, e->from, e->to, e->caller_name,
                e->started_at, e->ended_at, e->duration_s, e->ended_reason, e->summary, e->transcript,
                e->recording_url);
}

static int enqueue_download(struct request *r, str org_id, str call_id)
{
    struct buf payload, key;
    buf_init(&payload, r->arena, 64);
    buf_puts(&payload, "{\"call_id\":");
    buf_json_str(&payload, call_id);
    buf_putc(&payload, '}');
    buf_init(&key, r->arena, 64);
    buf_puts(&key, RECORDING_DOWNLOAD_KIND ":");
    buf_put(&key, call_id);
    return job_enqueue(r->db, r->arena, str_cstr(r->arena, org_id), RECORDING_DOWNLOAD_KIND,
                       buf_cstr(&payload), buf_cstr(&key), r->cfg->job_max_attempts) < 0
               ? -1
               : 0;
}

static void reply_ok(struct request *r, const char *event_id, const char *outcome)
{
    struct json_object *d = json_object_new_object();
    json_add_cstr(d, "event_id", *event_id ? event_id : NULL);
    json_add_cstr(d, "status", outcome);
    json_reply_data(r, 200, d);
}

int webhook_event_duplicate(struct request *r)
{
    reply_ok(r, "", "duplicate");
    return 0;
}

/* The event could not be applied: the raw event keeps the reason, the provider gets
 * a 400 naming the field (and the stored event is committed: returns 0). */
static int reject_event(struct request *r, const char *event_id, const char *field, const char *msg)
{
    mark_event(r, event_id, msg);
    struct json_object *fields = json_object_new_object();
    json_add_cstr(fields, field, msg);
    app_error(r, 400, msg, fields);
    return 0;
}

/* A recording URL the download job would refuse (scheme, host not in
 * recording_url_hosts) is dropped here, so no job is queued for it and the call shows
 * no pending recording; the stored raw event keeps the URL for whoever investigates.
 * The log names the reason (scheme or host), never the URL, whose query may be a token. */
static void drop_refused_recording(struct request *r, struct call_event *e)
{
    if (!e->recording_url) return;
    const char *why = recording_url_refusal(r->arena, r->cfg, e->recording_url);
    if (!why) return;
    log_warn("webhook: recording of %s call %s not downloaded: %s", e->provider, e->provider_call_id, why);
    e->recording_url = NULL;
}

/* Applies e inside a savepoint, so a value the database refuses leaves the stored
 * raw event (with its error) and nothing else. Returns 0 or an HTTP status. */
static int apply_event(struct request *r, str org_id, const char *event_id, struct call_event *e)
{
    drop_refused_recording(r, e);
    if (db_exec_simple(r->db, "SAVEPOINT webhook_apply") != 0) return db_error_http_status(db_last_error(r->db));
    struct dbres *res = upsert_call(r, e);
    if (!res) {
        enum db_error err = db_last_error(r->db);
        if (err != DB_ERR_INVALID) return db_error_http_status(err);
        if (db_exec_simple(r->db, "ROLLBACK TO SAVEPOINT webhook_apply") != 0) return 503;
        return reject_event(r, event_id, "body", "The event has a value the call cannot take.");
    }
    if (db_bool(res, 0, 1) && enqueue_download(r, org_id, db_val(res, 0, 0)) != 0)
        return db_error_http_status(db_last_error(r->db));
    mark_event(r, event_id, NULL);
    reply_ok(r, event_id, "applied");
    return 0;
}

int webhook_event_settle(struct request *r, str org_id, const char *event_id, enum call_event_parse parsed,
                         struct call_event *e, const struct call_event_fault *fault)
{
    switch (parsed) {
    case CALL_EVENT_OK:
        return apply_event(r, org_id, event_id, e);
    case CALL_EVENT_IGNORED:
        mark_event(r, event_id, NULL);
        reply_ok(r, event_id, "ignored");
        return 0;
    case CALL_EVENT_INVALID:
        break;
    }
    return reject_event(r, event_id, fault->field, fault->message);
}
