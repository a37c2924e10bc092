/* webhooks.c — the provider webhook handlers (Vapi server messages, Twilio voice status
 * callbacks): find the org, check the signature (providers/), read the event
 * (providers/), store it and answer (events.c); the worker applies it. */
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/org_secret.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../providers/twilio.h"
#include "../../providers/vapi.h"
#include "../app.h"
#include "events.h"
#include "webhooks.h"

/* Finds the org by slug (before any tenant is set) and opens the named secret.
 * Returns 0, or 403 for an unknown org: answered like a wrong signature, so the
 * webhooks cannot be used to tell which org slugs exist. */
int hook_org_find(struct request *r, const char *secret_key, struct hook_org *out)
{
    str slug = req_path_param(r, "org");
    struct dbres *res = db_q(r->db, r->arena, "webhook_org",
                             "SELECT org_id, vapi_secret, twilio_auth_token, call_sentiment_key, call_action_items_key"
                             " FROM sb_webhook_org($1)",
                             str_cstr(r->arena, slug));
    if (!res) return db_error_http_status(db_last_error(r->db));
    if (db_rows(res) != 1) return 403;
    out->org_id = db_val(res, 0, 0);
    out->sentiment_key = db_cstr(res, 0, 3);
    out->items_key = db_cstr(res, 0, 4);
    out->secret = STR_NULL;
    int col = strcmp(secret_key, "vapi_secret") == 0 ? 1 : 2;
    if (!db_isnull(res, 0, col) &&
        org_secret_open_b64(r->arena, app_secret(r), out->org_id, secret_key,
                            db_val(res, 0, col), &out->secret) != 0)
        out->secret = STR_NULL; /* unreadable (secret_key changed): nothing can verify */
    return 0;
}

/* A refused signature: audited (at most once a minute per org and address, a flood
 * of forgeries being unauthenticated), nothing else stored. */
int hook_forbidden(struct request *r, const struct hook_org *org, const char *provider)
{
    struct buf d;
    buf_init(&d, r->arena, 64);
    buf_printf(&d, "{\"provider\":\"%s\"}", provider);
    audit_unauthenticated(r, org->org_id, STR(""), "webhook.signature_invalid", buf_cstr(&d));
    return 403;
}

/* POST /webhooks/{org}/vapi — a Vapi server message (JSON), authenticated by the
 * X-Vapi-Secret header equal to the org's vapi_secret. status-update and
 * end-of-call-report are stored for the worker to apply to the call; other types are
 * stored and acknowledged. */
int webhook_vapi(struct request *r)
{
    struct hook_org org;
    int st = hook_org_find(r, "vapi_secret", &org);
    if (st) return st;
    if (!vapi_secret_ok(org.secret, req_header(r, VAPI_SECRET_HEADER))) return hook_forbidden(r, &org, "vapi");
    if (!r->json) return 400; /* not a JSON body (415 and bad JSON are answered earlier) */
    struct call_event e;
    struct call_event_fault fault;
    enum call_event_parse parsed = vapi_call_event(r->arena, r->json, &e, &fault);
    if (parsed == CALL_EVENT_OK) vapi_analysis_map(r->arena, r->json, org.sentiment_key, org.items_key, &e);
    return webhook_event_accept(r, org.org_id, "vapi", vapi_event_kind(r->json), r->body, parsed, &e, &fault);
}

/* POST /webhooks/{org}/twilio/voice-status — a Twilio voice status callback (form),
 * authenticated by X-Twilio-Signature (HMAC-SHA1 with the org's twilio_auth_token
 * over the public URL and the sorted parameters). */
int webhook_twilio_voice_status(struct request *r)
{
    struct hook_org org;
    int st = hook_org_find(r, "twilio_auth_token", &org);
    if (st) return st;
    str url = twilio_request_url(r->arena, r->scheme, r->host, r->path, r->query_string);
    if (!twilio_signature_ok(r->arena, org.secret, url, &r->form, req_header(r, TWILIO_SIGNATURE_HEADER)))
        return hook_forbidden(r, &org, "twilio");
    if (!str_eq(content_type_base(r->arena, r->content_type), STR("application/x-www-form-urlencoded")))
        return 415;
    if (!twilio_params_unambiguous(&r->form)) return 400;
    struct call_event e;
    struct call_event_fault fault;
    enum call_event_parse parsed = twilio_voice_status_event(r->arena, &r->form, &e, &fault);
    return webhook_event_accept(r, org.org_id, "twilio", twilio_event_kind(r->arena, &r->form),
                                twilio_canonical_params(r->arena, &r->form), parsed, &e, &fault);
}
