/* vapi_recovery.c — missed-webhook recovery: asks Vapi for each org's calls created
 * since the last one seen (GET {vapi_base_url}/call?createdAtGt=...&limit=...) and
 * stores every ended call the webhooks have not delivered as an event, read by the
 * same parser as an end-of-call report; the worker applies it like a webhook's
 * (webhook_apply.c), so a report that arrives too, before or after, changes nothing. */
#include "vapi_recovery.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../auth/org_secret.h"
#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/config.h"
#include "../core/crypto.h"
#include "../core/log.h"
#include "../db/db.h"
#include "../providers/vapi.h"
#include "../view/json.h"
#include "provider_http.h"
#include "recording_download.h"
#include "webhook_apply.h"

/* The orgs with a Vapi API key, where each resumes: its cursor, else an hour before
 * its newest Vapi call, else a day ago (Vapi's createdAt is at or before startedAt). */
enum { R_ORG, R_BASE, R_SINCE, R_HOSTS, R_KEY, R_SENTIMENT, R_ITEMS };
static struct dbres *recovery_orgs(struct job_ctx *c)
{
    return db_q0(c->db, c->a, "vapi_recovery_orgs",
                 "SELECT o.id, o.vapi_base_url,"
                 " to_char(coalesce(o.vapi_recovered_until,"
                 " (SELECT max(started_at) - interval '1 hour' FROM calls k"
                 "   WHERE k.org_id = o.id AND k.provider = 'vapi' AND k.deleted_at IS NULL),"
                 " now() - interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
                 " o.recording_download_hosts, translate(encode(s.ciphertext, 'base64'), E'\\n', ''),"
                 " o.call_sentiment_key, o.call_action_items_key"
                 " FROM orgs o JOIN org_secrets s ON s.org_id = o.id AND s.key = 'vapi_api_key' ORDER BY o.id");
}

/* One org's run: what it reads from its row, and what the pages taught. */
struct org_run {
    const char *org_id, *base, *since, *hosts, *key, *sentiment_key, *items_key;
    const char *newest;  /* the newest createdAt among the ended calls seen, or NULL */
    const char *pending; /* the oldest createdAt among calls not ended yet, or NULL */
    int stored;
};

/* Vapi's createdAt values share one format ("2026-03-01T10:00:00.000Z"), so their
 * text orders as their times do. */
static bool earlier(const char *a, const char *b) { return strcmp(a, b) < 0; }

static const char *jstr(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) return NULL;
    return json_object_get_string(v);
}

/* A Call object as the end-of-call report that would have described it: the report
 * carries the call and, beside it, its times, reason, analysis and artifact (older
 * Call objects have the transcript and recording at the top level). Owned by the
 * caller (json_object_put). */
static struct json_object *as_report(struct json_object *call)
{
    struct json_object *m = json_object_new_object(), *v;
    json_object_object_add(m, "type", json_object_new_string("end-of-call-report"));
    json_object_object_add(m, "call", json_object_get(call));
    static const char *const copied[] = { "startedAt", "endedAt", "endedReason", "analysis" };
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++)
        if (json_object_object_get_ex(call, copied[i], &v) && v)
            json_object_object_add(m, copied[i], json_object_get(v));
    if (json_object_object_get_ex(call, "artifact", &v) && json_object_is_type(v, json_type_object)) {
        json_object_object_add(m, "artifact", json_object_get(v));
    } else {
        struct json_object *art = json_object_new_object();
        if (json_object_object_get_ex(call, "messages", &v) && v) json_object_object_add(art, "messages", json_object_get(v));
        if (json_object_object_get_ex(call, "recordingUrl", &v) && v)
            json_object_object_add(art, "recordingUrl", json_object_get(v));
        json_object_object_add(m, "artifact", art);
    }
    struct json_object *root = json_object_new_object();
    json_object_object_add(root, "message", m);
    return root;
}

/* A recording URL the download job would refuse is dropped, as the webhook does
 * (events.c): the call shows no pending recording. */
static void drop_refused_recording(struct job_ctx *c, const struct org_run *o, struct call_event *e)
{
    if (!e->recording_url) return;
    const char *why = recording_url_refusal(c->a, c->cfg, NULL, e->recording_url);
    if (why && *o->hosts) why = recording_url_refusal(c->a, c->cfg, o->hosts, e->recording_url);
    if (why) e->recording_url = NULL;
}

/* The event object stored for one call (events.c's call_json, same members). */
static const char *event_call_json(struct arena *a, const struct call_event *e)
{
    struct json_object *o = json_object_new_object();
    const char *names[] = { "provider_call_id", "direction", "status", "from", "to", "caller_name", "started_at",
                            "ended_at", "duration_s", "ended_reason", "summary", "recording_url",
                            "sentiment_label", "sentiment_score" };
    const char *values[] = { e->provider_call_id, e->direction, e->status, e->from, e->to, e->caller_name,
                             e->started_at, e->ended_at, e->duration_s, e->ended_reason, e->summary,
                             e->recording_url, e->sentiment_label, e->sentiment_score };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (values[i]) json_add_cstr(o, names[i], values[i]);
    if (e->transcript) json_object_object_add(o, "transcript", json_tokener_parse(e->transcript));
    if (e->analysis) json_object_object_add(o, "analysis", json_tokener_parse(e->analysis));
    if (e->action_items) json_object_object_add(o, "action_items", json_tokener_parse(e->action_items));
    const char *text = arena_strdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return text;
}

/* The ids among the page's ended calls whose end-of-call report is applied already
 * (its reason is set) with an analysis, or without one when the page has none
 * either: a JSON object {id: true}. The rest are stored. */
static struct json_object *known_calls(struct job_ctx *c, const struct org_run *o, const char *ids)
{
    struct dbres *r = db_q(c->db, c->a, "vapi_recovery_known",
                           "SELECT coalesce(jsonb_object_agg(provider_call_id, analysis IS NOT NULL), '{}')::text"
                           " FROM calls WHERE org_id = $1::uuid AND provider = 'vapi'"
                           " AND provider_call_id IN (SELECT jsonb_array_elements_text($2::jsonb))"
                           " AND ended_reason <> ''",
                           o->org_id, ids);
    return r ? json_tokener_parse(db_cstr(r, 0, 0)) : NULL;
}

/* Adds one ended call's event to events (an array of {key, body, call}). */
static void add_event(struct job_ctx *c, struct org_run *o, struct json_object *call, struct json_object *known,
                      struct json_object *events)
{
    struct call_event e;
    struct call_event_fault fault;
    struct json_object *report = as_report(call), *seen;
    enum call_event_parse parsed = vapi_call_event(c->a, report, &e, &fault);
    if (parsed == CALL_EVENT_OK) vapi_analysis_map(c->a, report, o->sentiment_key, o->items_key, &e);
    json_object_put(report);
    if (parsed != CALL_EVENT_OK) {
        log_warn("vapi recovery: call skipped: %s", parsed == CALL_EVENT_INVALID ? fault.message : "not a call");
        return;
    }
    if (json_object_object_get_ex(known, e.provider_call_id, &seen) && (json_object_get_boolean(seen) || !e.analysis))
        return;
    drop_refused_recording(c, o, &e);
    const char *body = json_object_to_json_string_ext(call, JSON_C_TO_STRING_PLAIN);
    struct buf id;
    buf_init(&id, c->a, strlen(body) + 16);
    buf_printf(&id, "recovery:%s", body);
    struct json_object *x = json_object_new_object();
    json_add_str(x, "key", crypto_sha256_hex(c->a, buf_str(&id)));
    json_add_cstr(x, "body", body);
    json_object_object_add(x, "call", json_tokener_parse(event_call_json(c->a, &e)));
    json_object_array_add(events, x);
}

/* Stores a page's events (a retry of a stored one does nothing) and wakes the applier. */
static int store_events(struct job_ctx *c, struct org_run *o, struct json_object *events)
{
    if (!json_object_array_length(events)) return 0;
    const char *text = arena_strdup(c->a, json_object_to_json_string_ext(events, JSON_C_TO_STRING_PLAIN));
    struct dbres *r = db_q(c->db, c->a, "vapi_recovery_store",
                           "WITH s AS (INSERT INTO webhook_events (org_id, provider, kind, event_key, body, headers, call)"
                           " SELECT $1::uuid, 'vapi', 'recovery', x->>'key', x->>'body', '{\"source\":\"recovery\"}', x->'call'"
                           " FROM jsonb_array_elements($2::jsonb) x"
                           " ON CONFLICT (org_id, provider, event_key) DO NOTHING RETURNING 1)"
                           " SELECT count(*), pg_notify('" WEBHOOK_APPLY_CHANNEL "', '') FROM s",
                           o->org_id, text);
    if (!r) return -1;
    o->stored += (int)db_long(r, 0, 0);
    return 0;
}

/* The page's ids of ended calls, as a JSON array for known_calls. */
static const char *ended_ids(struct arena *a, struct json_object *page)
{
    struct json_object *ids = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(page); i++) {
        struct json_object *call = json_object_array_get_idx(page, i);
        const char *id = jstr(call, "id"), *status = jstr(call, "status");
        if (id && status && strcmp(status, "ended") == 0) json_object_array_add(ids, json_object_new_string(id));
    }
    const char *text = arena_strdup(a, json_object_to_json_string_ext(ids, JSON_C_TO_STRING_PLAIN));
    json_object_put(ids);
    return text;
}

/* Takes one page: stores its ended calls, notes the createdAt bounds; *oldest is set
 * to the page's oldest createdAt. 0, or -1 on a database error. */
static int take_page(struct job_ctx *c, struct org_run *o, struct json_object *page, const char **oldest)
{
    struct json_object *known = known_calls(c, o, ended_ids(c->a, page));
    if (!known) return -1;
    struct json_object *events = json_object_new_array();
    *oldest = NULL;
    for (size_t i = 0; i < json_object_array_length(page); i++) {
        struct json_object *call = json_object_array_get_idx(page, i);
        const char *created = jstr(call, "createdAt"), *status = jstr(call, "status");
        if (!created || !call_event_iso_time(created)) continue;
        if (!*oldest || earlier(created, *oldest)) *oldest = arena_strdup(c->a, created);
        if (!status || strcmp(status, "ended") != 0) {
            /* Not over yet: the cursor stays before it, so a later run sees it ended. */
            if (!o->pending || earlier(created, o->pending)) o->pending = arena_strdup(c->a, created);
            continue;
        }
        if (!o->newest || earlier(o->newest, created)) o->newest = arena_strdup(c->a, created);
        add_event(c, o, call, known, events);
    }
    int rc = store_events(c, o, events);
    json_object_put(events);
    json_object_put(known);
    return rc;
}

/* GET one page: createdAtGt the cursor, createdAtLe the oldest of the previous page
 * (Vapi lists the newest first). The reply's array (owned by the caller), or NULL
 * with *why. */
static struct json_object *fetch_page(struct job_ctx *c, const struct org_run *o, const char *le, const char **why)
{
    struct buf url;
    buf_init(&url, c->a, 256);
    buf_printf(&url, "%s/call?createdAtGt=%s&limit=%d", o->base, o->since, VAPI_RECOVERY_PAGE);
    if (le) buf_printf(&url, "&createdAtLe=%s", le);
    struct provider_request rq = { .method = "GET", .url = buf_cstr(&url), .bearer = o->key, .public_only = true };
    struct provider_reply rp;
    provider_http(c->a, c->cfg, &rq, &rp);
    if (rp.status != 200) {
        struct buf b;
        buf_init(&b, c->a, 128);
        if (rp.status) buf_printf(&b, "Vapi answered %d", rp.status);
        else buf_printf(&b, "Vapi did not answer: %s", rp.error ? rp.error : "no answer");
        *why = buf_cstr(&b);
        return NULL;
    }
    struct json_object *page = json_tokener_parse(str_cstr(c->a, rp.body));
    if (!page || !json_object_is_type(page, json_type_array)) {
        json_object_put(page);
        *why = "Vapi's answer is not a list of calls";
        return NULL;
    }
    return page;
}

/* The cursor moves to the newest ended call seen, but stays before the oldest call
 * still going (unless that one is over a day old: a call Vapi never ends must not
 * hold recovery back). */
static int save_cursor(struct job_ctx *c, const struct org_run *o)
{
    if (!o->newest) return 0;
    return db_q(c->db, c->a, "vapi_recovery_cursor",
                "UPDATE orgs SET vapi_recovered_until = greatest(coalesce(vapi_recovered_until, '-infinity'),"
                " CASE WHEN nullif($3, '')::timestamptz > now() - interval '1 day'"
                " THEN least($2::timestamptz, $3::timestamptz - interval '1 millisecond') ELSE $2::timestamptz END)"
                " WHERE id = $1::uuid",
                o->org_id, o->newest, o->pending ? o->pending : "")
               ? 0
               : -1;
}

/* One org: pages newest first until one is short; a run reads at most
 * VAPI_RECOVERY_MAX_PAGES and, when it stops early, keeps the cursor where it was
 * (the older calls are the next run's). 0, 1 (the provider failed: *why), -1 (database). */
static int recover_org(struct job_ctx *c, struct org_run *o, const char **why)
{
    const char *le = NULL;
    for (int n = 0; n < VAPI_RECOVERY_MAX_PAGES; n++) {
        struct json_object *page = fetch_page(c, o, le, why);
        if (!page) return 1;
        size_t len = json_object_array_length(page);
        const char *oldest = NULL;
        int rc = take_page(c, o, page, &oldest);
        json_object_put(page);
        if (rc) return -1;
        /* createdAtLe repeats the boundary's calls (several may share a millisecond);
         * a page that cannot move past its boundary ends the walk. */
        if (len < VAPI_RECOVERY_PAGE || !oldest || (le && strcmp(oldest, le) >= 0)) return save_cursor(c, o);
        le = oldest;
    }
    return 0;
}

enum job_result vapi_recovery_run(struct job_ctx *c, const struct job *j)
{
    (void)j;
    struct dbres *orgs = recovery_orgs(c);
    if (!orgs) {
        c->error = db_last_message(c->db);
        return JOB_RETRY;
    }
    struct buf errors;
    buf_init(&errors, c->a, 128);
    for (int i = 0; i < db_rows(orgs); i++) {
        struct org_run o = { .org_id = db_cstr(orgs, i, R_ORG), .base = db_cstr(orgs, i, R_BASE),
                             .since = db_cstr(orgs, i, R_SINCE), .hosts = db_cstr(orgs, i, R_HOSTS),
                             .sentiment_key = db_cstr(orgs, i, R_SENTIMENT), .items_key = db_cstr(orgs, i, R_ITEMS) };
        str key;
        if (org_secret_open_b64(c->a, str_from(c->cfg->secret_key), str_from(o.org_id), "vapi_api_key",
                                db_val(orgs, i, R_KEY), &key) != 0)
            continue; /* unreadable (secret_key changed): the settings page says to set it again */
        o.key = str_cstr(c->a, key);
        const char *why = NULL;
        int rc = recover_org(c, &o, &why);
        if (rc < 0) {
            c->error = db_last_message(c->db);
            return JOB_RETRY;
        }
        if (rc > 0) {
            log_warn("vapi recovery: org %s: %s", o.org_id, why);
            buf_printf(&errors, "%sorg %s: %s", errors.len ? "; " : "", o.org_id, why);
        } else if (o.stored) {
            log_info("vapi recovery: org %s: %d missed calls recovered", o.org_id, o.stored);
        }
    }
    /* One org's provider failing does not hold the others back; the worker's log
     * names it, and the next run asks again from the same cursor. */
    if (errors.len) c->error = buf_cstr(&errors);
    return JOB_DONE;
}
