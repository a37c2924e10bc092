/* webhooks.c — provider webhooks (Vapi server messages, Twilio voice status
 * callbacks): signature first, then the raw event is stored, then applied to the
 * call idempotently and order-safely, and a recording URL queues a download. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/org_secret.h"
#include "../../auth/signatures.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/crypto.h"
#include "../../core/log.h"
#include "../../db/db.h"
#include "../../jobs/queue.h"
#include "../../jobs/recording_download.h"
#include "../../view/json.h"
#include "../app.h"
#include "webhooks.h"

/* What one event says about a call; NULL members change nothing. */
struct call_event {
    const char *provider, *provider_call_id, *direction, *status;
    const char *from, *to, *caller_name;
    const char *started_at, *ended_at, *duration_s;
    const char *ended_reason, *summary, *transcript, *recording_url;
};

/* The org named in the path, with its provider secret opened. */
struct hook_org {
    str org_id;
    str secret; /* empty when the org has not configured it */
};

/* Finds the org by slug (before any tenant is set) and opens the named secret.
 * Returns 0, or 404 for an unknown org. */
static int hook_org_find(struct request *r, const char *secret_key, struct hook_org *out)
{
    str slug = req_path_param(r, "org");
    struct dbres *res = db_q(r->db, r->arena, "webhook_org",
                             "SELECT org_id, vapi_secret, twilio_auth_token FROM sb_webhook_org($1)",
                             str_cstr(r->arena, slug));
    if (!res) return db_error_http_status(db_last_error(r->db));
    if (db_rows(res) != 1) return 404;
    out->org_id = db_val(res, 0, 0);
    out->secret = STR_NULL;
    int col = strcmp(secret_key, "vapi_secret") == 0 ? 1 : 2;
    if (!db_isnull(res, 0, col) &&
        org_secret_open_b64(r->arena, app_secret(r), out->org_id, secret_key,
                            db_val(res, 0, col), &out->secret) != 0)
        out->secret = STR_NULL; /* unreadable (secret_key changed): nothing can verify */
    return 0;
}

/* A refused signature: audited (the org is known), nothing else stored. */
static int hook_forbidden(struct request *r, const struct hook_org *org, const char *provider)
{
    struct buf d;
    buf_init(&d, r->arena, 64);
    buf_printf(&d, "{\"provider\":\"%s\"}", provider);
    audit_security(r, org->org_id, STR(""), STR(""), "webhook.signature_invalid", buf_cstr(&d));
    return 403;
}

static int set_tenant(struct request *r, str org_id)
{
    return db_q(r->db, r->arena, "webhook_set_tenant", "SELECT set_config('app.org_id', $1, true)",
                str_cstr(r->arena, org_id))
               ? 0
               : -1;
}

/* Stores the raw event. Returns its id, "" for a replay already stored, NULL on error. */
static const char *store_event(struct request *r, str org_id, const char *provider, const char *kind)
{
    struct json_object *h = json_object_new_object();
    json_add_str(h, "content_type", r->content_type);
    json_add_str(h, "user_agent", r->user_agent);
    const char *headers = arena_strdup(r->arena, json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN));
    json_object_put(h);
    /* Neither provider sends an event id for these callbacks; an identical body is
     * the same event (a retry), so its hash is the key. */
    str key = crypto_sha256_hex(r->arena, r->body);
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

/* E.164 as providers send it; anything else is stored as unknown (''). */
static const char *e164_or_empty(const char *s)
{
    if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9') return "";
    size_t n = strlen(s);
    if (n < 3 || n > 16) return "";
    for (size_t i = 2; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return "";
    return s;
}

static bool http_url(const char *s)
{
    return s && strlen(s) <= 2048 &&
           (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

/* ---- Vapi ---- */

static struct json_object *jget(struct json_object *o, const char *key, enum json_type t)
{
    struct json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t)) return NULL;
    return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
    struct json_object *v = jget(o, key, json_type_string);
    return v ? json_object_get_string(v) : NULL;
}

static bool jnum(struct json_object *o, const char *key, double *out)
{
    struct json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v)) return false;
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) return false;
    *out = json_object_get_double(v);
    return true;
}

static const char *vapi_status(const char *s)
{
    static const char *const map[][2] = { { "queued", "queued" },        { "ringing", "ringing" },
                                          { "in-progress", "in_progress" }, { "forwarding", "in_progress" },
                                          { "ended", "completed" } };
    for (size_t i = 0; s && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s, map[i][0]) == 0) return map[i][1];
    return NULL;
}

static const char *vapi_speaker(const char *role)
{
    if (!role) return NULL;
    if (strcmp(role, "user") == 0) return "caller";
    if (strcmp(role, "bot") == 0 || strcmp(role, "assistant") == 0) return "agent";
    if (strcmp(role, "system") == 0) return "system";
    return NULL; /* tool calls and the like are not part of the conversation */
}

/* artifact.messages → [{t_ms, speaker, text, confidence}] (JSON text), or NULL. */
static const char *vapi_transcript(struct request *r, struct json_object *artifact)
{
    struct json_object *msgs = jget(artifact, "messages", json_type_array);
    if (!msgs) return NULL;
    struct json_object *out = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(msgs); i++) {
        struct json_object *m = json_object_array_get_idx(msgs, i);
        const char *speaker = vapi_speaker(jstr(m, "role")), *text = jstr(m, "message");
        if (!speaker || !text) continue;
        double secs = 0;
        jnum(m, "secondsFromStart", &secs);
        struct json_object *line = json_object_new_object();
        json_object_object_add(line, "t_ms", json_object_new_int64(secs > 0 ? (int64_t)(secs * 1000.0 + 0.5) : 0));
        json_add_cstr(line, "speaker", speaker);
        json_add_cstr(line, "text", text);
        json_object_object_add(line, "confidence", json_object_new_int(1));
        json_object_array_add(out, line);
    }
    const char *text = arena_strdup(r->arena, json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
    json_object_put(out);
    return text;
}

/* The call part shared by every Vapi message: id, direction and numbers. */
static void vapi_call(struct json_object *call, struct call_event *e)
{
    const char *type = jstr(call, "type");
    bool outbound = type && strcmp(type, "outboundPhoneCall") == 0;
    e->direction = outbound ? "outbound" : "inbound";
    const char *customer = jstr(jget(call, "customer", json_type_object), "number");
    const char *ours = jstr(jget(call, "phoneNumber", json_type_object), "number");
    e->from = e164_or_empty(outbound ? ours : customer);
    e->to = e164_or_empty(outbound ? customer : ours);
    const char *name = jstr(jget(call, "customer", json_type_object), "name");
    if (name && utf8_length(str_from(name)) <= 200) e->caller_name = name;
}

static void vapi_report(struct request *r, struct json_object *m, struct call_event *e)
{
    e->status = "completed";
    e->started_at = jstr(m, "startedAt");
    e->ended_at = jstr(m, "endedAt");
    double secs;
    if (jnum(m, "durationSeconds", &secs) && secs >= 0 && secs <= 86400) {
        char *d = arena_alloc(r->arena, 16);
        snprintf(d, 16, "%ld", (long)(secs + 0.5));
        e->duration_s = d;
    }
    const char *reason = jstr(m, "endedReason");
    if (reason && strlen(reason) <= 200) e->ended_reason = reason;
    const char *summary = jstr(jget(m, "analysis", json_type_object), "summary");
    if (summary && utf8_length(str_from(summary)) <= 10000) e->summary = summary;
    struct json_object *artifact = jget(m, "artifact", json_type_object);
    e->transcript = vapi_transcript(r, artifact);
    const char *url = jstr(artifact, "recordingUrl");
    if (http_url(url)) e->recording_url = url;
}

/* POST /webhooks/{org}/vapi — a Vapi server message (JSON), authenticated by the
 * X-Vapi-Secret header equal to the org's vapi_secret. status-update and
 * end-of-call-report are applied to the call; other types are stored and acknowledged. */
int webhook_vapi(struct request *r)
{
    struct hook_org org;
    int st = hook_org_find(r, "vapi_secret", &org);
    if (st) return st;
    if (!sig_vapi_ok(org.secret, req_header(r, "X-Vapi-Secret"))) return hook_forbidden(r, &org, "vapi");
    if (!r->json) return 400; /* not a JSON body (415 and bad JSON are answered earlier) */
    struct json_object *m = jget(r->json, "message", json_type_object);
    const char *type = jstr(m, "type");
    if (set_tenant(r, org.org_id) != 0) return db_error_http_status(db_last_error(r->db));
    const char *event_id = store_event(r, org.org_id, "vapi", type ? type : "");
    if (!event_id) return db_error_http_status(db_last_error(r->db));
    if (!*event_id) {
        reply_ok(r, event_id, "duplicate");
        return 0;
    }
    if (!type) return reject_event(r, event_id, "message.type", "message.type is required.");
    bool report = strcmp(type, "end-of-call-report") == 0;
    if (!report && strcmp(type, "status-update") != 0) {
        mark_event(r, event_id, NULL);
        reply_ok(r, event_id, "ignored");
        return 0;
    }
    struct call_event e = { .provider = "vapi" };
    struct json_object *call = jget(m, "call", json_type_object);
    e.provider_call_id = jstr(call, "id");
    if (!e.provider_call_id || !*e.provider_call_id || strlen(e.provider_call_id) > 128)
        return reject_event(r, event_id, "message.call.id", "message.call.id is required (1-128 characters).");
    vapi_call(call, &e);
    if (report) {
        vapi_report(r, m, &e);
    } else if (!(e.status = vapi_status(jstr(m, "status")))) {
        return reject_event(r, event_id, "message.status", "message.status is not a known call status.");
    }
    return apply_event(r, org.org_id, event_id, &e);
}

/* ---- Twilio ---- */

static const char *twilio_status(const str *s)
{
    static const char *const map[][2] = { { "queued", "queued" },       { "initiated", "queued" },
                                          { "ringing", "ringing" },     { "in-progress", "in_progress" },
                                          { "completed", "completed" }, { "busy", "busy" },
                                          { "no-answer", "no_answer" }, { "failed", "failed" },
                                          { "canceled", "canceled" } };
    for (size_t i = 0; s && i < sizeof map / sizeof map[0]; i++)
        if (str_eq_cstr(*s, map[i][0])) return map[i][1];
    return NULL;
}

static const char *form_cstr(struct request *r, const char *key)
{
    const str *v = kvlist_get(&r->form, key);
    return v ? str_cstr(r->arena, *v) : NULL;
}

/* The URL Twilio signed: the public URL it called, rebuilt from the scheme nginx saw,
 * the Host header and the path (and query). Behind another proxy, that proxy must
 * pass the original Host and scheme through. */
static str twilio_url(struct request *r)
{
    struct buf u;
    buf_init(&u, r->arena, 128);
    buf_put(&u, r->scheme);
    buf_puts(&u, "://");
    buf_put(&u, r->host);
    buf_put(&u, r->path);
    if (r->query_string.len) {
        buf_putc(&u, '?');
        buf_put(&u, r->query_string);
    }
    return buf_str(&u);
}

/* Fills e from the form; returns NULL or the name of the bad field. */
static const char *twilio_event(struct request *r, struct call_event *e)
{
    e->provider = "twilio";
    e->provider_call_id = form_cstr(r, "CallSid");
    if (!e->provider_call_id || !*e->provider_call_id || strlen(e->provider_call_id) > 128) return "CallSid";
    const str *status = kvlist_get(&r->form, "CallStatus");
    if (!(e->status = twilio_status(status))) return "CallStatus";
    const char *dir = form_cstr(r, "Direction");
    e->direction = dir && strncmp(dir, "outbound", 8) == 0 ? "outbound" : "inbound";
    e->from = e164_or_empty(form_cstr(r, "From"));
    e->to = e164_or_empty(form_cstr(r, "To"));
    const char *name = form_cstr(r, "CallerName");
    if (name && utf8_length(str_from(name)) <= 200) e->caller_name = name;
    const str *dur = kvlist_get(&r->form, "CallDuration");
    long secs;
    if (dur && (!str_to_long(*dur, &secs) || secs < 0 || secs > 86400)) return "CallDuration";
    if (dur) e->duration_s = str_cstr(r->arena, *dur);
    /* Twilio sends no end time; the callback of a finished call is sent as it ends. */
    if (strcmp(e->status, "completed") == 0 || strcmp(e->status, "busy") == 0 ||
        strcmp(e->status, "no_answer") == 0 || strcmp(e->status, "failed") == 0 ||
        strcmp(e->status, "canceled") == 0)
        e->ended_at = "now";
    const char *url = form_cstr(r, "RecordingUrl");
    if (url && !http_url(url)) return "RecordingUrl";
    e->recording_url = url;
    return NULL;
}

/* POST /webhooks/{org}/twilio/voice-status — a Twilio voice status callback (form),
 * authenticated by X-Twilio-Signature (HMAC-SHA1 with the org's twilio_auth_token
 * over the public URL and the sorted parameters). */
int webhook_twilio_voice_status(struct request *r)
{
    struct hook_org org;
    int st = hook_org_find(r, "twilio_auth_token", &org);
    if (st) return st;
    if (!sig_twilio_ok(r->arena, org.secret, twilio_url(r), &r->form, req_header(r, "X-Twilio-Signature")))
        return hook_forbidden(r, &org, "twilio");
    if (!str_eq(content_type_base(r->arena, r->content_type), STR("application/x-www-form-urlencoded")))
        return 415;
    if (set_tenant(r, org.org_id) != 0) return db_error_http_status(db_last_error(r->db));
    const str *status = kvlist_get(&r->form, "CallStatus");
    const char *event_id = store_event(r, org.org_id, "twilio", status ? str_cstr(r->arena, *status) : "");
    if (!event_id) return db_error_http_status(db_last_error(r->db));
    if (!*event_id) {
        reply_ok(r, event_id, "duplicate");
        return 0;
    }
    struct call_event e = { 0 };
    const char *bad = twilio_event(r, &e);
    if (bad) return reject_event(r, event_id, bad, "This field is missing or invalid.");
    return apply_event(r, org.org_id, event_id, &e);
}
