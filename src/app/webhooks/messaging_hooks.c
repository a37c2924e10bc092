/* messaging_hooks.c — the campaign messages' provider callbacks (SPEC §4.3):
 * Twilio's SMS status callbacks and inbound SMS (X-Twilio-Signature), SendGrid's
 * event webhook (ECDSA with the org's verification key). Each applies at once, in the
 * request's transaction, under the org as tenant, and is kept as it came in
 * webhook_events (with applied_at set: nothing is left to apply). Each is idempotent:
 * a retry finds its stored row and changes nothing more; and a state only moves
 * forward, a reply is keyed by its MessageSid, an opt-out that holds already changes
 * nothing. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/crypto.h"
#include "../../db/db.h"
#include "../../providers/sendgrid.h"
#include "../../providers/twilio.h"
#include "../../providers/twilio_api.h"
#include "../../view/json.h"
#include "../app.h"
#include "webhooks.h"

#define SENDGRID_EVENTS_MAX 1000

static int tenant(struct request *r, str org_id)
{
    if (db_q(r->db, r->arena, "hook_tenant", "SELECT set_config('app.org_id', $1, true)",
             str_cstr(r->arena, org_id)))
        return 0;
    return db_error_http_status(db_last_error(r->db));
}

static void reply_status(struct request *r, const char *outcome, long n)
{
    struct json_object *d = json_object_new_object();
    json_add_cstr(d, "status", outcome);
    if (n >= 0) json_object_object_add(d, "applied", json_object_new_int64(n));
    json_reply_data(r, 200, d);
}

/* Twilio's checks, shared by both SMS callbacks: the org, the signature over the
 * public URL and the parameters, the form. 0 or an HTTP status. */
static int twilio_hook(struct request *r, struct hook_org *org)
{
    int st = hook_org_find(r, "twilio_auth_token", org);
    if (st) return st;
    str url = twilio_request_url(r->arena, r->scheme, r->host, r->path, r->query_string);
    if (!twilio_signature_ok(r->arena, org->secret, url, &r->form, req_header(r, TWILIO_SIGNATURE_HEADER)))
        return hook_forbidden(r, org, "twilio");
    if (!str_eq(content_type_base(r->arena, r->content_type), STR("application/x-www-form-urlencoded")))
        return 415;
    if (!twilio_params_unambiguous(&r->form)) return 400;
    return tenant(r, org->org_id);
}

static str form_value(const struct request *r, const char *key)
{
    const str *v = kvlist_get(&r->form, key);
    return v ? *v : STR("");
}

/* Keeps the verified callback as it came, in the request's transaction, keyed by the
 * hash of identity (what makes it this event: a retry has the same). Returns 1 when it
 * is new, 0 when stored before (a retry, applied then), -1 on a database error. */
static int store_raw(struct request *r, const char *provider, const char *kind, str identity)
{
    struct json_object *h = json_object_new_object();
    json_add_str(h, "content_type", r->content_type);
    json_add_str(h, "user_agent", r->user_agent);
    const char *headers = arena_strdup(r->arena, json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN));
    json_object_put(h);
    struct dbres *res = db_q(r->db, r->arena, "hook_store_raw",
                             "INSERT INTO webhook_events (org_id, provider, kind, event_key, body, headers, applied_at)"
                             " VALUES (app_org_id(), $1, $2, $3, $4, $5::jsonb, now())"
                             " ON CONFLICT (org_id, provider, event_key) DO NOTHING RETURNING id",
                             provider, kind, str_cstr(r->arena, crypto_sha256_hex(r->arena, identity)),
                             str_cstr(r->arena, r->body), headers);
    return res ? db_rows(res) == 1 : -1;
}

/* A Twilio callback's identity: its kind, MessageSid and (for status) MessageStatus. */
static str twilio_identity(struct request *r, const char *kind, str sid, str status)
{
    struct buf b;
    buf_init(&b, r->arena, 64);
    buf_printf(&b, "%s:", kind);
    buf_put(&b, sid);
    buf_putc(&b, ':');
    buf_put(&b, status);
    return buf_str(&b);
}

/* Moves a message to state (sent, delivered, failed) when that is forward: sent only
 * from queued, delivered and failed from queued or sent. Found by our id (the
 * callback URL's message_id, or SendGrid's custom arg) or the provider's. Returns the
 * rows changed, or -1. */
static long apply_state(struct request *r, const char *provider, str our_id, str provider_id, const char *state,
                        str reason)
{
    struct dbres *res = db_q(
        r->db, r->arena, "hook_message_state",
        "UPDATE campaign_messages SET state = $4,"
        " provider = coalesce(provider, $1), provider_message_id = coalesce(provider_message_id, nullif($3, '')),"
        " sent_at = coalesce(sent_at, now()),"
        " delivered_at = CASE WHEN $4 = 'delivered' THEN now() ELSE delivered_at END,"
        " failed_at = CASE WHEN $4 = 'failed' THEN now() ELSE failed_at END,"
        " reason = CASE WHEN $4 = 'failed' THEN left($5, 200) ELSE reason END,"
        " attempt_open = false, next_attempt_at = NULL, updated_at = now()"
        " WHERE org_id = app_org_id()"
        " AND (id = CASE WHEN $2 ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN $2::uuid END"
        "  OR (provider = $1 AND provider_message_id = nullif($3, '')))"
        " AND (state = 'queued' OR (state = 'sent' AND $4 IN ('delivered', 'failed')))",
        provider, str_cstr(r->arena, our_id), str_cstr(r->arena, provider_id), state, str_cstr(r->arena, reason));
    return res ? (long)db_affected(res) : -1;
}

/* POST /webhooks/{org}/twilio/sms-status?message_id=… — MessageStatus of a message. */
int webhook_twilio_sms_status(struct request *r)
{
    struct hook_org org;
    int st = twilio_hook(r, &org);
    if (st) return st;
    str sid = form_value(r, "MessageSid");
    const char *state = twilio_message_state(form_value(r, "MessageStatus"));
    if (!sid.len) return 400;
    int fresh = store_raw(r, "twilio", "sms-status", twilio_identity(r, "sms-status", sid, form_value(r, "MessageStatus")));
    if (fresh < 0) return db_error_http_status(db_last_error(r->db));
    if (!fresh) {
        reply_status(r, "duplicate", 0);
        return 0;
    }
    if (!state) { /* queued, sending, accepted, …: nothing we record */
        reply_status(r, "ignored", -1);
        return 0;
    }
    const str *ours = kvlist_get(&r->query, "message_id");
    struct buf reason;
    buf_init(&reason, r->arena, 32);
    str code = form_value(r, "ErrorCode");
    if (code.len) {
        buf_puts(&reason, "twilio_");
        buf_put(&reason, code);
    } else {
        buf_puts(&reason, "twilio_failed");
    }
    long n = apply_state(r, "twilio", ours ? *ours : STR(""), sid, state, buf_str(&reason));
    if (n < 0) return db_error_http_status(db_last_error(r->db));
    reply_status(r, n ? "applied" : "duplicate", n);
    return 0;
}

/* Sets or clears the SMS opt-out of the org's live contacts with this number; the
 * consent trigger (0026) writes the history with this source. Rows changed or -1. */
static long set_sms_opt_out(struct request *r, str from, bool out)
{
    if (!db_q(r->db, r->arena, "hook_consent_source", "SELECT set_config('app.consent_source', $1, true)",
              out ? "sms_stop" : "sms_start"))
        return -1;
    struct dbres *res = db_q(r->db, r->arena, "hook_sms_opt_out",
                             "UPDATE contacts SET opt_out_sms = $2::bool, version = version + 1, updated_at = now()"
                             " WHERE org_id = app_org_id() AND phone = $1 AND deleted_at IS NULL"
                             " AND opt_out_sms IS DISTINCT FROM $2::bool",
                             str_cstr(r->arena, from), out ? "true" : "false");
    return res ? (long)db_affected(res) : -1;
}

/* Stores a reply once (by MessageSid), to the latest campaign SMS sent to the
 * number, whose replied_at it sets. Rows stored or -1. */
static long store_reply(struct request *r, str from, str body, str sid)
{
    struct dbres *res = db_q(
        r->db, r->arena, "hook_sms_reply",
        "WITH ct AS (SELECT id FROM contacts WHERE org_id = app_org_id() AND phone = $1 AND deleted_at IS NULL LIMIT 1),"
        " msg AS (SELECT m.id FROM campaign_messages m WHERE m.org_id = app_org_id() AND m.channel = 'sms'"
        "   AND m.to_address = $1 AND m.state IN ('sent', 'delivered') ORDER BY m.sent_at DESC NULLS LAST LIMIT 1),"
        " ins AS (INSERT INTO message_replies (org_id, contact_id, campaign_message_id, from_address, body,"
        "   provider_message_id) SELECT app_org_id(), (SELECT id FROM ct), (SELECT id FROM msg), $1, left($2, 2000), $3"
        "   ON CONFLICT (org_id, provider_message_id) DO NOTHING RETURNING campaign_message_id),"
        " upd AS (UPDATE campaign_messages SET replied_at = coalesce(replied_at, now()), updated_at = now()"
        "   WHERE org_id = app_org_id() AND id = (SELECT campaign_message_id FROM ins) RETURNING 1)"
        " SELECT count(*) FROM ins",
        str_cstr(r->arena, from), str_cstr(r->arena, body), str_cstr(r->arena, sid));
    return res ? db_long(res, 0, 0) : -1;
}

/* POST /webhooks/{org}/twilio/sms-inbound — an SMS to one of the org's numbers:
 * STOP (and Twilio's other opt-out words) opts the number's contacts out of SMS at
 * once, START opts them back in, HELP is Twilio's to answer, anything else is a
 * reply. */
int webhook_twilio_sms_inbound(struct request *r)
{
    struct hook_org org;
    int st = twilio_hook(r, &org);
    if (st) return st;
    str from = form_value(r, "From"), body = form_value(r, "Body"), sid = form_value(r, "MessageSid");
    if (!from.len || !sid.len) return 400;
    int fresh = store_raw(r, "twilio", "sms-inbound", twilio_identity(r, "sms-inbound", sid, STR("")));
    if (fresh < 0) return db_error_http_status(db_last_error(r->db));
    if (!fresh) {
        reply_status(r, "duplicate", 0);
        return 0;
    }
    long n = 0;
    const char *outcome = "applied";
    switch (twilio_sms_keyword(body)) {
    case SMS_OPT_OUT: n = set_sms_opt_out(r, from, true); outcome = "opted_out"; break;
    case SMS_OPT_IN: n = set_sms_opt_out(r, from, false); outcome = "opted_in"; break;
    case SMS_HELP: outcome = "help"; break;
    case SMS_REPLY: n = store_reply(r, from, body, sid); outcome = "reply"; break;
    }
    if (n < 0) return db_error_http_status(db_last_error(r->db));
    reply_status(r, outcome, n);
    return 0;
}

/* One event: its state, and an unsubscribe or spam report as an email opt-out.
 * Rows changed or -1. */
static long apply_sendgrid_event(struct request *r, const struct sendgrid_event *e)
{
    long n = 0;
    if (e->state.len) {
        n = apply_state(r, "sendgrid", e->message_id, STR(""), str_cstr(r->arena, e->state),
                        e->reason.len ? e->reason : e->event);
        if (n < 0) return -1;
    }
    if (!e->opt_out) return n;
    if (!db_q(r->db, r->arena, "hook_consent_source", "SELECT set_config('app.consent_source', $1, true)",
              "sendgrid_unsubscribe"))
        return -1;
    struct dbres *res = db_q(r->db, r->arena, "hook_email_opt_out",
                             "UPDATE contacts c SET opt_out_email = true, version = version + 1, updated_at = now()"
                             " FROM campaign_messages m WHERE m.org_id = app_org_id() AND c.org_id = app_org_id()"
                             " AND m.id = CASE WHEN $1 ~ '^[0-9a-f-]{36}$' THEN $1::uuid END"
                             " AND c.id = m.contact_id AND NOT c.opt_out_email",
                             str_cstr(r->arena, e->message_id));
    return res ? n + (long)db_affected(res) : -1;
}

/* POST /webhooks/{org}/sendgrid/events — a JSON array of events, signed with ECDSA. */
int webhook_sendgrid_events(struct request *r)
{
    struct dbres *o = db_q(r->db, r->arena, "webhook_org_sendgrid",
                           "SELECT org_id, public_key FROM sb_webhook_org_sendgrid($1)",
                           str_cstr(r->arena, req_path_param(r, "org")));
    if (!o) return db_error_http_status(db_last_error(r->db));
    if (db_rows(o) != 1) return 403;
    struct hook_org org = { .org_id = db_val(o, 0, 0), .secret = db_val(o, 0, 1) };
    if (!sendgrid_signature_ok(org.secret, req_header(r, SENDGRID_TIMESTAMP_HEADER), r->body,
                               req_header(r, SENDGRID_SIGNATURE_HEADER)))
        return hook_forbidden(r, &org, "sendgrid");
    struct sendgrid_event *ev = arena_alloc(r->arena, sizeof *ev * SENDGRID_EVENTS_MAX);
    long count = sendgrid_events_parse(r->arena, r->body, ev, SENDGRID_EVENTS_MAX);
    if (count < 0) return 400;
    if (count > SENDGRID_EVENTS_MAX) return 413;
    int st = tenant(r, org.org_id);
    if (st) return st;
    /* SendGrid retries a batch as it was: the same body is the same delivery. */
    int fresh = store_raw(r, "sendgrid", "events", r->body);
    if (fresh < 0) return db_error_http_status(db_last_error(r->db));
    if (!fresh) {
        reply_status(r, "duplicate", 0);
        return 0;
    }
    long applied = 0;
    for (long i = 0; i < count; i++) {
        if (!ev[i].message_id.len) continue; /* not a campaign's mail */
        long n = apply_sendgrid_event(r, &ev[i]);
        if (n < 0) return db_error_http_status(db_last_error(r->db));
        applied += n;
    }
    reply_status(r, "applied", applied);
    return 0;
}
