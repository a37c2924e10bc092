/* outbound_webhooks.c — /admin/webhooks: the endpoints an org's events are sent to
 * (register, edit, enable/disable, delete), the signing secret shown once, a test
 * event, the delivery log and redelivery; pages and JSON under /api/v1/admin/webhooks.
 * The events themselves are queued by triggers (sql/0041) and sent by the
 * webhook_delivery job. Admins only (the route table says so). */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/crypto.h"
#include "../../core/secretbox.h"
#include "../../auth/org_secret.h"
#include "../../db/db.h"
#include "../../jobs/queue.h"
#include "../../jobs/webhook_delivery.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "admin.h"

static const char *const event_types[] = { "call.completed", "deal.stage_changed", "payment.paid",
                                           "campaign.completed", "contact.opted_out" };
#define EVENT_COUNT (sizeof event_types / sizeof event_types[0])
#define DELIVERIES_SHOWN 50

enum { EP_ID, EP_URL, EP_DESCRIPTION, EP_EVENTS, EP_ENABLED, EP_DISABLED_REASON, EP_FAILURES, EP_VERSION,
       EP_CREATED, EP_EVENTS_TEXT };
#define EP_COLUMNS                                                                                 \
    "e.id, e.url, e.description, to_jsonb(e.events)::text, e.enabled, e.disabled_reason,"          \
    " e.consecutive_failures, e.version,"                                                           \
    " to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                   \
    " array_to_string(e.events, ', ')"

/* What a create or an update says. */
struct endpoint_in {
    str url, description;
    unsigned events; /* bit i: event_types[i] */
    bool url_sent, description_sent, events_sent, enabled, enabled_sent;
};

static int event_index(str name)
{
    for (size_t i = 0; i < EVENT_COUNT; i++)
        if (str_eq_cstr(name, event_types[i])) return (int)i;
    return -1;
}

static const char *events_array_sql(struct request *r, unsigned events)
{
    struct buf b;
    buf_init(&b, r->arena, 128);
    buf_putc(&b, '{');
    for (size_t i = 0, n = 0; i < EVENT_COUNT; i++)
        if (events & (1u << i)) buf_printf(&b, "%s%s", n++ ? "," : "", event_types[i]);
    buf_putc(&b, '}');
    return buf_cstr(&b);
}

static void add_event(struct endpoint_in *in, str name, struct field_errors *e)
{
    int i = event_index(name);
    if (i < 0) field_error_add(e, "events", "must hold only the listed events");
    else in->events |= 1u << i;
}

static void read_input(struct request *r, struct endpoint_in *in, struct field_errors *e)
{
    bool present;
    in->url = str_trim(input_value(r, "url", &in->url_sent, e));
    in->description = str_trim(input_value(r, "description", &in->description_sent, e));
    str enabled = input_value(r, "enabled", &present, e);
    in->enabled_sent = present || !r->json; /* a form's unticked box sends nothing */
    in->enabled = str_eq_cstr(enabled, "true") || str_eq_cstr(enabled, "on");
    if (r->json) {
        struct json_object *v;
        if (!json_object_object_get_ex(r->json, "events", &v)) return;
        in->events_sent = true;
        if (!json_object_is_type(v, json_type_array)) {
            field_error_add(e, "events", "must be an array of event names");
            return;
        }
        for (size_t i = 0; i < json_object_array_length(v); i++)
            add_event(in, str_from(json_object_get_string(json_object_array_get_idx(v, i))), e);
        return;
    }
    in->events_sent = true;
    for (size_t i = 0; i < r->form.n; i++)
        if (str_eq_cstr(r->form.items[i].key, "events")) add_event(in, r->form.items[i].val, e);
}

static void check_input(struct request *r, const struct endpoint_in *in, bool creating, struct field_errors *e)
{
    if (creating || in->url_sent) {
        const char *why = NULL;
        if (!in->url.len) why = "is required";
        else if (!input_valid_url(in->url)) why = "must be an absolute https:// URL";
        else why = webhook_url_refusal(r->arena, r->cfg, str_cstr(r->arena, in->url));
        if (why) field_error_add(e, "url", why);
    }
    if (in->description.len > 200) field_error_add(e, "description", "must be at most 200 characters");
    if (in->events_sent && !in->events) field_error_add(e, "events", "must name at least one event");
}

/* ---- JSON ---- */

static struct json_object *endpoint_json(const struct dbres *q, int row)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, row, EP_ID));
    json_add_str(o, "url", db_val(q, row, EP_URL));
    json_add_str(o, "description", db_val(q, row, EP_DESCRIPTION));
    json_object_object_add(o, "events", json_tokener_parse(db_cstr(q, row, EP_EVENTS)));
    json_add_bool(o, "enabled", db_bool(q, row, EP_ENABLED));
    json_add_str(o, "disabled_reason", db_val(q, row, EP_DISABLED_REASON));
    json_add_long(o, "consecutive_failures", db_long(q, row, EP_FAILURES));
    json_add_long(o, "version", db_long(q, row, EP_VERSION));
    json_add_str(o, "created_at", db_val(q, row, EP_CREATED));
    return o;
}

enum { DV_ID, DV_EVENT_ID, DV_TYPE, DV_STATUS, DV_ATTEMPTS, DV_RESPONSE, DV_ERROR, DV_CREATED, DV_LAST, DV_DELIVERED };

static struct json_object *delivery_json(const struct dbres *q, int row)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, row, DV_ID));
    json_add_str(o, "event_id", db_val(q, row, DV_EVENT_ID));
    json_add_str(o, "event_type", db_val(q, row, DV_TYPE));
    json_add_str(o, "status", db_val(q, row, DV_STATUS));
    json_add_long(o, "attempts", db_long(q, row, DV_ATTEMPTS));
    if (db_isnull(q, row, DV_RESPONSE)) json_object_object_add(o, "response_status", NULL);
    else json_add_long(o, "response_status", db_long(q, row, DV_RESPONSE));
    json_add_str(o, "last_error", db_val(q, row, DV_ERROR));
    json_add_str(o, "created_at", db_val(q, row, DV_CREATED));
    json_add_cstr(o, "last_attempt_at", db_isnull(q, row, DV_LAST) ? NULL : db_cstr(q, row, DV_LAST));
    json_add_cstr(o, "delivered_at", db_isnull(q, row, DV_DELIVERED) ? NULL : db_cstr(q, row, DV_DELIVERED));
    return o;
}

/* ---- loading ---- */

static struct dbres *endpoint_load(struct request *r, str id, bool lock, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    const char *p = str_cstr(r->arena, id);
    struct dbres *q = lock ? db_q(r->db, r->arena, "webhook_endpoint_load_lock",
                                  "SELECT " EP_COLUMNS " FROM webhook_endpoints e WHERE e.id = $1 FOR UPDATE", p)
                           : db_q(r->db, r->arena, "webhook_endpoint_load",
                                  "SELECT " EP_COLUMNS " FROM webhook_endpoints e WHERE e.id = $1", p);
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static struct dbres *deliveries_load(struct request *r, str endpoint_id)
{
    char limit[8];
    snprintf(limit, sizeof limit, "%d", DELIVERIES_SHOWN);
    return db_q(r->db, r->arena, "webhook_deliveries_list",
                "SELECT d.id, d.event_id, d.event_type, d.status, d.attempts, d.response_status, d.last_error, "
                ISO("d.created_at") ", " ISO("d.last_attempt_at") ", " ISO("d.delivered_at")
                " FROM webhook_deliveries d WHERE d.org_id = app_org_id() AND d.endpoint_id = $1"
                " ORDER BY d.created_at DESC, d.id DESC LIMIT $2::int",
                str_cstr(r->arena, endpoint_id), limit);
}

/* ---- pages ---- */

static void fill_event_boxes(struct tdict *d, unsigned checked)
{
    for (size_t i = 0; i < EVENT_COUNT; i++) {
        struct tdict *ev = tdict_add_section(d, "EVENT");
        tdict_set_cstr(ev, "NAME", event_types[i]);
        tdict_set_long(ev, "N", (long)i);
        if (checked & (1u << i)) tdict_show(ev, "CHECKED");
    }
}

struct list_form {
    const struct endpoint_in *in;
};

static int render_list(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct list_form *f = ctx;
    struct dbres *q = db_q0(r->db, r->arena, "webhook_endpoints_list",
                            "SELECT " EP_COLUMNS " FROM webhook_endpoints e WHERE e.org_id = app_org_id()"
                            " ORDER BY e.created_at DESC, e.id DESC LIMIT 100");
    if (!q) return app_db_status(r);
    struct tdict *d = page_dict(r, "Outbound webhooks", "admin/webhooks.tpl");
    admin_nav(d, "webhooks");
    for (int i = 0; i < db_rows(q); i++) {
        struct tdict *row = tdict_add_section(d, "ENDPOINT");
        tdict_set(row, "ID", db_val(q, i, EP_ID));
        tdict_set(row, "URL", db_val(q, i, EP_URL));
        tdict_set(row, "DESCRIPTION", db_val(q, i, EP_DESCRIPTION));
        tdict_set(row, "EVENTS", db_val(q, i, EP_EVENTS_TEXT));
        tdict_set_cstr(row, "STATE", db_bool(q, i, EP_ENABLED) ? "Enabled" : "Disabled");
        tdict_set_cstr(row, "STATE_CLASS", db_bool(q, i, EP_ENABLED) ? "ok" : "bad");
        tdict_set(row, "FAILURES", db_val(q, i, EP_FAILURES));
    }
    tdict_show(d, db_rows(q) ? "HAS_ROWS" : "EMPTY");
    const struct endpoint_in *in = f ? f->in : NULL;
    form_errors(d, e, "webhook-errors", "The endpoint was not added.");
    struct tdict *url = form_field(d, "FIELD_URL", e, "url", "Endpoint URL", "url", in ? in->url : STR(""));
    tdict_show(url, "REQUIRED");
    tdict_set_cstr(url, "PLACEHOLDER", "https://example.com/switchboard-events");
    form_field(d, "FIELD_DESCRIPTION", e, "description", "Description (optional)", "text",
               in ? in->description : STR(""));
    fill_event_boxes(d, in ? in->events : (1u << EVENT_COUNT) - 1);
    return page_render(r, status, d);
}

/* GET /admin/webhooks and GET /api/v1/admin/webhooks. */
int webhooks_list(struct request *r)
{
    if (!r->wants_json) return render_list(r, 200, NULL, NULL);
    struct dbres *q = db_q0(r->db, r->arena, "webhook_endpoints_list",
                            "SELECT " EP_COLUMNS " FROM webhook_endpoints e WHERE e.org_id = app_org_id()"
                            " ORDER BY e.created_at DESC, e.id DESC LIMIT 100");
    if (!q) return app_db_status(r);
    struct json_object *items = json_object_new_array();
    for (int i = 0; i < db_rows(q); i++) json_object_array_add(items, endpoint_json(q, i));
    json_reply_list(r, items, STR_NULL);
    return 0;
}

/* A new signing secret: "whsec_" and 32 random bytes, base64url. */
static str new_secret(struct arena *a)
{
    uint8_t raw[32];
    crypto_random(raw, sizeof raw);
    struct buf b;
    buf_init(&b, a, 56);
    buf_puts(&b, "whsec_");
    base64url_encode(&b, raw, sizeof raw);
    return buf_str(&b);
}

static str sealed_b64(struct request *r, str endpoint_id, str secret)
{
    struct buf key;
    buf_init(&key, r->arena, 64);
    buf_puts(&key, "webhook:");
    buf_append(&key, endpoint_id.ptr, endpoint_id.len);
    str ctx = org_secret_context(r->arena, r->session->org_id, buf_cstr(&key));
    str sealed = secretbox_seal(r->arena, app_secret(r), ctx, secret);
    struct buf b;
    buf_init(&b, r->arena, sealed.len * 4 / 3 + 8);
    base64_encode(&b, (const uint8_t *)sealed.ptr, sealed.len);
    return buf_str(&b);
}

static void fill_detail(struct request *r, struct tdict *d, const struct dbres *q, const struct dbres *dl)
{
    tdict_set(d, "ID", db_val(q, 0, EP_ID));
    tdict_set(d, "URL", db_val(q, 0, EP_URL));
    tdict_set(d, "EVENTS", db_val(q, 0, EP_EVENTS_TEXT));
    tdict_set(d, "FAILURES", db_val(q, 0, EP_FAILURES));
    tdict_set(d, "VERSION", db_val(q, 0, EP_VERSION));
    if (db_bool(q, 0, EP_ENABLED)) tdict_show(d, "ENABLED");
    else {
        struct tdict *off = tdict_add_section(d, "DISABLED");
        tdict_set(off, "REASON", db_val(q, 0, EP_DISABLED_REASON).len ? db_val(q, 0, EP_DISABLED_REASON)
                                                                       : STR("Disabled by an admin."));
    }
    for (int i = 0; dl && i < db_rows(dl); i++) {
        struct tdict *row = tdict_add_section(d, "DELIVERY");
        tdict_set(row, "ID", db_val(dl, i, DV_ID));
        tdict_set(row, "TYPE", db_val(dl, i, DV_TYPE));
        tdict_set(row, "STATUS", db_val(dl, i, DV_STATUS));
        tdict_set(row, "ATTEMPTS", db_val(dl, i, DV_ATTEMPTS));
        tdict_set(row, "RESPONSE", db_isnull(dl, i, DV_RESPONSE) ? STR("—") : db_val(dl, i, DV_RESPONSE));
        tdict_set(row, "ERROR", db_val(dl, i, DV_ERROR));
        tdict_set(row, "CREATED", db_val(dl, i, DV_CREATED));
        tdict_set(row, "LAST", db_isnull(dl, i, DV_LAST) ? STR("—") : db_val(dl, i, DV_LAST));
    }
    tdict_show(d, dl && db_rows(dl) ? "HAS_DELIVERIES" : "NO_DELIVERIES");
    (void)r;
}

struct detail_form {
    const struct dbres *q;
    const struct endpoint_in *in;
    str secret; /* shown once, right after creation */
};

static int render_detail(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct detail_form *f = ctx;
    struct dbres *dl = deliveries_load(r, db_val(f->q, 0, EP_ID));
    if (!dl) return app_db_status(r);
    struct tdict *d = page_dict(r, "Webhook endpoint", "admin/webhook.tpl");
    fill_detail(r, d, f->q, dl);
    if (f->secret.len) tdict_set(tdict_add_section(d, "SECRET"), "VALUE", f->secret);
    form_errors(d, e, "webhook-errors", "The endpoint was not saved.");
    const struct endpoint_in *in = f->in;
    form_field(d, "FIELD_URL", e, "url", "Endpoint URL", "url", in ? in->url : db_val(f->q, 0, EP_URL));
    form_field(d, "FIELD_DESCRIPTION", e, "description", "Description (optional)", "text",
               in ? in->description : db_val(f->q, 0, EP_DESCRIPTION));
    unsigned checked = 0;
    if (in) checked = in->events;
    else {
        struct json_object *ev = json_tokener_parse(db_cstr(f->q, 0, EP_EVENTS));
        for (size_t i = 0; ev && i < json_object_array_length(ev); i++) {
            int k = event_index(str_from(json_object_get_string(json_object_array_get_idx(ev, i))));
            if (k >= 0) checked |= 1u << k;
        }
        json_object_put(ev);
    }
    fill_event_boxes(d, checked);
    if (in ? in->enabled : db_bool(f->q, 0, EP_ENABLED)) tdict_show(d, "ENABLED_CHECKED");
    return page_render(r, status, d);
}

/* POST /admin/webhooks and POST /api/v1/admin/webhooks: the secret is in the answer
 * (the page, or "secret" in the JSON) and never again. */
int webhook_create(struct request *r)
{
    struct endpoint_in in = { 0 };
    struct field_errors e = { 0 };
    read_input(r, &in, &e);
    if (!in.events_sent && r->json) in.events_sent = true; /* required on create */
    check_input(r, &in, true, &e);
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_list, &(struct list_form){ &in });
    struct dbres *idq = db_q0(r->db, r->arena, "webhook_endpoint_new_id", "SELECT gen_random_uuid()");
    if (!idq) return app_db_status(r);
    str id = db_val(idq, 0, 0), secret = new_secret(r->arena);
    struct dbres *q = db_q(r->db, r->arena, "webhook_endpoint_insert",
                           "WITH e AS (INSERT INTO webhook_endpoints (id, org_id, url, description, events, secret_sealed)"
                           " VALUES ($1::uuid, app_org_id(), $2, $3, $4::text[], $5) RETURNING *)"
                           " SELECT " EP_COLUMNS " FROM e",
                           str_cstr(r->arena, id), str_cstr(r->arena, in.url), str_cstr(r->arena, in.description),
                           events_array_sql(r, in.events), str_cstr(r->arena, sealed_b64(r, id, secret)));
    if (!q) return app_db_status(r);
    struct buf detail;
    buf_init(&detail, r->arena, 128);
    buf_puts(&detail, "{\"url\":");
    buf_json_str(&detail, in.url);
    buf_printf(&detail, ",\"events\":%s}", db_cstr(q, 0, EP_EVENTS));
    int st = audit_write(r, "webhook_endpoint.create", "webhook_endpoint", id, buf_cstr(&detail));
    if (st) return st;
    if (!r->wants_json) return render_detail(r, 201, NULL, &(struct detail_form){ q, NULL, secret });
    struct json_object *o = endpoint_json(q, 0);
    json_add_str(o, "secret", secret);
    json_reply_data(r, 201, o);
    return 0;
}

/* GET /admin/webhooks/{id} and GET /api/v1/admin/webhooks/{id} (with its latest
 * deliveries in "deliveries"). */
int webhook_show(struct request *r)
{
    int st;
    struct dbres *q = endpoint_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if (!r->wants_json) return render_detail(r, 200, NULL, &(struct detail_form){ q, NULL, STR_NULL });
    struct dbres *dl = deliveries_load(r, db_val(q, 0, EP_ID));
    if (!dl) return app_db_status(r);
    struct json_object *o = endpoint_json(q, 0), *items = json_object_new_array();
    for (int i = 0; i < db_rows(dl); i++) json_object_array_add(items, delivery_json(dl, i));
    json_object_object_add(o, "deliveries", items);
    json_reply_data(r, 200, o);
    return 0;
}

/* POST /admin/webhooks/{id} (the whole form) and PATCH /api/v1/admin/webhooks/{id}
 * (members sent are changed). Enabling again clears the failure count. */
int webhook_update(struct request *r)
{
    int st;
    struct dbres *q = endpoint_load(r, req_path_param(r, "id"), true, &st);
    if (!q) return st;
    struct endpoint_in in = { 0 };
    struct field_errors e = { 0 };
    read_input(r, &in, &e);
    check_input(r, &in, !r->json, &e); /* the form sends every field */
    if (e.n)
        return field_errors_reply(r, "Some fields are not valid.", &e, render_detail,
                                  &(struct detail_form){ q, &in, STR_NULL });
    bool url_sent = in.url_sent, desc_sent = in.description_sent;
    struct dbres *u = db_q(r->db, r->arena, "webhook_endpoint_update",
                           "WITH e AS (UPDATE webhook_endpoints SET"
                           " url = CASE WHEN $2::bool THEN $3 ELSE url END,"
                           " description = CASE WHEN $4::bool THEN $5 ELSE description END,"
                           " events = CASE WHEN $6::bool THEN $7::text[] ELSE events END,"
                           " consecutive_failures = CASE WHEN $8::bool AND $9::bool AND NOT enabled THEN 0"
                           "   ELSE consecutive_failures END,"
                           " disabled_reason = CASE WHEN $8::bool AND $9::bool THEN '' WHEN $8::bool AND NOT $9::bool"
                           "   AND enabled THEN 'Disabled by an admin.' ELSE disabled_reason END,"
                           " enabled = CASE WHEN $8::bool THEN $9::bool ELSE enabled END,"
                           " version = version + 1, updated_at = now() WHERE id = $1::uuid RETURNING *)"
                           " SELECT " EP_COLUMNS " FROM e",
                           db_cstr(q, 0, EP_ID), url_sent ? "true" : "false", str_cstr(r->arena, in.url),
                           desc_sent ? "true" : "false", str_cstr(r->arena, in.description),
                           in.events_sent ? "true" : "false", events_array_sql(r, in.events),
                           in.enabled_sent ? "true" : "false", in.enabled ? "true" : "false");
    if (!u) return app_db_status(r);
    if ((st = audit_write(r, "webhook_endpoint.update", "webhook_endpoint", db_val(q, 0, EP_ID), NULL))) return st;
    if (r->wants_json) {
        json_reply_data(r, 200, endpoint_json(u, 0));
        return 0;
    }
    struct buf to;
    buf_init(&to, r->arena, 64);
    buf_puts(&to, "/admin/webhooks/");
    buf_append(&to, db_val(q, 0, EP_ID).ptr, db_val(q, 0, EP_ID).len);
    return redirect_see_other(r, buf_cstr(&to), "ok", "Endpoint saved.");
}

/* GET /admin/webhooks/{id}/delete: asks first. */
int webhook_delete_confirm(struct request *r)
{
    int st;
    struct dbres *q = endpoint_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    struct tdict *d = page_dict(r, "Delete webhook endpoint", "admin/webhook_delete.tpl");
    tdict_set(d, "ID", db_val(q, 0, EP_ID));
    tdict_set(d, "URL", db_val(q, 0, EP_URL));
    return page_render(r, 200, d);
}

/* POST /admin/webhooks/{id}/delete and DELETE /api/v1/admin/webhooks/{id}: the endpoint
 * and its delivery log go; queued deliveries are dropped by their jobs. */
int webhook_delete(struct request *r)
{
    int st;
    struct dbres *q = endpoint_load(r, req_path_param(r, "id"), true, &st);
    if (!q) return st;
    if (!db_q(r->db, r->arena, "webhook_endpoint_delete", "DELETE FROM webhook_endpoints WHERE id = $1::uuid",
              db_cstr(q, 0, EP_ID)))
        return app_db_status(r);
    if ((st = audit_write(r, "webhook_endpoint.delete", "webhook_endpoint", db_val(q, 0, EP_ID), NULL))) return st;
    if (!r->wants_json) return redirect_see_other(r, "/admin/webhooks", "ok", "Endpoint deleted.");
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, 0, EP_ID));
    json_add_bool(o, "deleted", true);
    json_reply_data(r, 200, o);
    return 0;
}

/* Queues a delivery of body to the endpoint, with its job. */
static struct dbres *queue_delivery(struct request *r, const char *endpoint_id, const char *event_id,
                                    const char *type, const char *body, const char *redelivery_of)
{
    struct dbres *q = db_q(r->db, r->arena, "webhook_delivery_queue",
                           "INSERT INTO webhook_deliveries (org_id, endpoint_id, event_id, event_type, body, redelivery_of)"
                           " VALUES (app_org_id(), $1::uuid, coalesce(nullif($2, '')::uuid, gen_random_uuid()), $3, $4,"
                           " nullif($5, '')::uuid) RETURNING id",
                           endpoint_id, event_id, type, body, redelivery_of ? redelivery_of : "");
    if (!q) return NULL;
    struct buf payload, key;
    buf_init(&payload, r->arena, 64);
    buf_printf(&payload, "{\"delivery_id\":\"%s\"}", db_cstr(q, 0, 0));
    buf_init(&key, r->arena, 64);
    buf_printf(&key, WEBHOOK_DELIVERY_KIND ":%s", db_cstr(q, 0, 0));
    if (job_enqueue(r->db, r->arena, str_cstr(r->arena, r->session->org_id), WEBHOOK_DELIVERY_KIND,
                    buf_cstr(&payload), buf_cstr(&key), 100) < 0)
        return NULL;
    return q;
}

static int reply_queued(struct request *r, str endpoint_id, const struct dbres *q, const char *flash)
{
    if (r->wants_json) {
        struct json_object *o = json_object_new_object();
        json_add_str(o, "delivery_id", db_val(q, 0, 0));
        json_add_str(o, "status", STR("pending"));
        json_reply_data(r, 202, o);
        return 0;
    }
    struct buf to;
    buf_init(&to, r->arena, 64);
    buf_puts(&to, "/admin/webhooks/");
    buf_append(&to, endpoint_id.ptr, endpoint_id.len);
    return redirect_see_other(r, buf_cstr(&to), "ok", flash);
}

/* POST /admin/webhooks/{id}/test and POST /api/v1/admin/webhooks/{id}/test: a
 * "webhook.test" event to this endpoint only. */
int webhook_send_test(struct request *r)
{
    int st;
    struct dbres *q = endpoint_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if (!db_bool(q, 0, EP_ENABLED)) {
        struct field_errors e = { 0 };
        field_error_add(&e, "enabled", "the endpoint is disabled: enable it first");
        return field_errors_reply(r, "The endpoint is disabled.", &e, render_detail,
                                  &(struct detail_form){ q, NULL, STR_NULL });
    }
    struct dbres *ev = db_q0(r->db, r->arena, "webhook_test_event",
                             "SELECT e.id, jsonb_build_object('id', e.id, 'type', 'webhook.test', 'created_at',"
                             " " ISO("now()") ", 'data', jsonb_build_object('message',"
                             " 'A test event from Switchboard.'))::text FROM (SELECT gen_random_uuid() AS id) e");
    if (!ev) return app_db_status(r);
    struct dbres *d = queue_delivery(r, db_cstr(q, 0, EP_ID), db_cstr(ev, 0, 0), "webhook.test", db_cstr(ev, 0, 1), NULL);
    if (!d) return app_db_status(r);
    if ((st = audit_write(r, "webhook_endpoint.test", "webhook_endpoint", db_val(q, 0, EP_ID), NULL))) return st;
    return reply_queued(r, db_val(q, 0, EP_ID), d, "Test event queued.");
}

/* POST /admin/webhook-deliveries/{id}/redeliver and its JSON twin: the same event (id
 * and body) sent again as a new delivery; the old one keeps its record. */
int webhook_redeliver(struct request *r)
{
    str id = req_path_param(r, "id");
    if (!str_is_uuid(id)) return 404;
    struct dbres *old = db_q(r->db, r->arena, "webhook_delivery_for_redelivery",
                             "SELECT d.id, d.endpoint_id, d.event_id, d.event_type, d.body, e.enabled"
                             " FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id"
                             " WHERE d.id = $1::uuid AND d.org_id = app_org_id()",
                             str_cstr(r->arena, id));
    if (!old) return app_db_status(r);
    if (db_rows(old) != 1) return 404;
    if (!db_bool(old, 0, 5)) {
        app_error(r, 409, "The endpoint is disabled: enable it before redelivering.", NULL);
        return REPLIED;
    }
    struct dbres *d = queue_delivery(r, db_cstr(old, 0, 1), db_cstr(old, 0, 2), db_cstr(old, 0, 3),
                                     db_cstr(old, 0, 4), db_cstr(old, 0, 0));
    if (!d) return app_db_status(r);
    int st = audit_write(r, "webhook_delivery.redeliver", "webhook_delivery", db_val(old, 0, 0), NULL);
    if (st) return st;
    return reply_queued(r, db_val(old, 0, 1), d, "Delivery queued again.");
}
