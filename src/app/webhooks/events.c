/* events.c — webhook event storage: the verified raw event is stored with what its
 * parser read from it, in one statement, and answered; `switchboard worker` applies
 * stored events to their calls in batches (jobs/webhook_apply.c). */
#include "events.h"

#include <json-c/json.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../core/crypto.h"
#include "../../core/log.h"
#include "../../db/db.h"
#include "../../jobs/recording_download.h"
#include "../../jobs/webhook_apply.h"
#include "../../view/json.h"
#include "../app.h"

/* A NOTIFY serialises the commits of every transaction that sends one, fsync
 * included, which would undo group commit under load; so a worker process sends at
 * most one per interval, and the applying worker keeps looking for events for a
 * while after each batch it applied (WEBHOOK_APPLY_LINGER_MS, longer than this). */
#define NOTIFY_EVERY_US (100 * 1000)

/* The object the worker applies (sb_webhook_calls_folded reads it): the call_event's
 * members that are set, as JSON strings, the transcript and the analysis as the JSON
 * they are. */
static const char *call_json(struct request *r, const struct call_event *e)
{
    const char *names[] = { "provider_call_id", "direction", "status", "from", "to", "caller_name", "started_at",
                            "ended_at", "duration_s", "ended_reason", "summary", "recording_url",
                            "sentiment_label", "sentiment_score" };
    const char *values[] = { e->provider_call_id, e->direction, e->status, e->from, e->to, e->caller_name,
                             e->started_at, e->ended_at, e->duration_s, e->ended_reason, e->summary,
                             e->recording_url, e->sentiment_label, e->sentiment_score };
    struct buf b;
    buf_init(&b, r->arena, 512);
    buf_putc(&b, '{');
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!values[i]) continue;
        buf_printf(&b, "%s\"%s\":", b.len > 1 ? "," : "", names[i]);
        buf_json_str(&b, str_from(values[i]));
    }
    if (e->transcript) buf_printf(&b, "%s\"transcript\":%s", b.len > 1 ? "," : "", e->transcript);
    if (e->analysis) buf_printf(&b, "%s\"analysis\":%s", b.len > 1 ? "," : "", e->analysis);
    if (e->action_items) buf_printf(&b, "%s\"action_items\":%s", b.len > 1 ? "," : "", e->action_items);
    buf_putc(&b, '}');
    return buf_cstr(&b);
}

/* The org's own recording download hosts (/admin/settings), "" when it has none or
 * they cannot be read. Asked only for a URL the configuration's list refuses, so the
 * usual event pays no statement for it. */
static const char *org_download_hosts(struct request *r, str org_id)
{
    const char *id = str_cstr(r->arena, org_id);
    if (!db_q(r->db, r->arena, "webhook_org_tenant", "SELECT set_config('app.org_id', $1, true)", id)) return "";
    struct dbres *q = db_q(r->db, r->arena, "webhook_org_hosts",
                           "SELECT recording_download_hosts FROM orgs WHERE id = $1::uuid", id);
    return q && db_rows(q) == 1 ? db_cstr(q, 0, 0) : "";
}

/* A recording URL the download job would refuse (scheme, host not in the org's
 * recording download hosts, else recording_url_hosts) is dropped here, so no job is
 * queued for it and the call shows no pending recording; the stored raw event keeps
 * the URL for whoever investigates. The log names the reason (scheme or host), never
 * the URL, whose query may be a token. */
static void drop_refused_recording(struct request *r, str org_id, struct call_event *e)
{
    if (!e->recording_url) return;
    const char *why = recording_url_refusal(r->arena, r->cfg, NULL, e->recording_url);
    if (!why) return;
    const char *hosts = org_download_hosts(r, org_id);
    if (*hosts) why = recording_url_refusal(r->arena, r->cfg, hosts, e->recording_url);
    if (!why) return;
    log_warn("webhook: recording of %s call %s not downloaded: %s", e->provider, e->provider_call_id, why);
    e->recording_url = NULL;
}

/* Whether this process is due to wake the applying worker: at most once per
 * NOTIFY_EVERY_US. */
static bool notify_due(void)
{
    static int64_t last_us;
    int64_t now = clock_mono_us();
    if (last_us && now - last_us < NOTIFY_EVERY_US) return false;
    last_us = now;
    return true;
}

/* Stores the event as the transaction's last statement: the INSERT, the worker's
 * wake-up when one is due (notify) and COMMIT travel in one round trip (pipeline).
 * The tenant is set by the statement that stores the event (the row's org_id is
 * set_config's result, so the policy's check sees it). Returns the new event's id,
 * "" for a retry or a replay (nothing stored), NULL on error: nothing was committed,
 * so the provider's retry is safe. */
static const char *store(struct request *r, str org_id, const char *provider, const char *kind, str identity,
                         const char *call, bool settled, const char *error, bool notify)
{
    struct json_object *h = json_object_new_object();
    json_add_str(h, "content_type", r->content_type);
    json_add_str(h, "user_agent", r->user_agent);
    const char *headers = arena_strdup(r->arena, json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN));
    json_object_put(h);
    /* Neither provider sends an event id for these callbacks; the same identity is
     * the same event (a retry), so its hash is the key. */
    str key = crypto_sha256_hex(r->arena, identity);
    const char *values[] = { str_cstr(r->arena, org_id), provider, kind, str_cstr(r->arena, key),
                             str_cstr(r->arena, r->body), headers, call, settled ? "true" : "false", error };
    struct db_stmt s[2] = {
        { "webhook_store",
          "INSERT INTO webhook_events (org_id, provider, kind, event_key, body, headers, call, applied_at, error)"
          " SELECT t.org_id::uuid, $2, left($3, 100), $4, $5, $6::jsonb, $7::jsonb,"
          " CASE WHEN $8::bool THEN now() END, left($9, 1000)"
          " FROM (SELECT set_config('app.org_id', $1, true) AS org_id) t"
          " ON CONFLICT (org_id, provider, event_key) DO NOTHING RETURNING id",
          9, values },
        { "webhook_notify", "SELECT pg_notify('" WEBHOOK_APPLY_CHANNEL "', '')", 0, NULL },
    };
    struct dbres *res[2];
    if (db_exec_last(r->db, r->arena, notify ? 2 : 1, s, res) != 0) return NULL;
    return db_rows(res[0]) ? db_cstr(res[0], 0, 0) : "";
}

static void reply_ok(struct request *r, const char *event_id, const char *outcome)
{
    struct json_object *d = json_object_new_object();
    json_add_cstr(d, "event_id", *event_id ? event_id : NULL);
    json_add_cstr(d, "status", outcome);
    json_reply_data(r, 200, d);
}

/* A refused event: stored with its reason, answered 400 naming the field. */
static int reject(struct request *r, const struct call_event_fault *fault)
{
    struct json_object *fields = json_object_new_object();
    json_add_cstr(fields, fault->field, fault->message);
    app_error(r, 400, fault->message, fields);
    return 0;
}

int webhook_event_accept(struct request *r, str org_id, const char *provider, const char *kind, str identity,
                         enum call_event_parse parsed, struct call_event *e, const struct call_event_fault *fault)
{
    const char *call = NULL;
    if (parsed == CALL_EVENT_OK) {
        drop_refused_recording(r, org_id, e);
        call = call_json(r, e);
    }
    const char *error = parsed == CALL_EVENT_INVALID ? fault->message : NULL;
    /* Only an event to apply wakes the worker; a duplicate among them costs a
     * needless wake-up at most. */
    bool notify = parsed == CALL_EVENT_OK && notify_due();
    const char *id = store(r, org_id, provider, kind, identity, call, parsed == CALL_EVENT_IGNORED, error, notify);
    if (!id) return db_error_http_status(db_last_error(r->db));
    if (!*id) { /* a retry or a replay: the first one's outcome stands */
        reply_ok(r, "", "duplicate");
        return 0;
    }
    switch (parsed) {
    case CALL_EVENT_OK:
        reply_ok(r, id, "accepted");
        return 0;
    case CALL_EVENT_IGNORED:
        reply_ok(r, id, "ignored");
        return 0;
    case CALL_EVENT_INVALID:
        break;
    }
    return reject(r, fault);
}
