/* privacy.c — everything about a contact or a user as one JSON document (a
 * download), and erasing a contact (its personal data gone, the aggregates kept;
 * sql/0042_privacy.sql does the erasing). Admins only; each is audited. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../auth/audit.h"
#include "../../core/buf.h"
#include "../../core/log.h"
#include "../../db/db.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "admin.h"

#define ISO(x) "sb_webhook_iso(" x ")"

/* The contact's calls: linked to it, or to or from its number (calls that arrived
 * before the contact existed are about the same person). */
#define CONTACT_CALLS \
    "k.org_id = c.org_id AND (k.contact_id = c.id OR (c.phone IS NOT NULL AND (k.from_number = c.phone OR k.to_number = c.phone)))"

/* One statement under the tenant's row-level security: the contact with its tags,
 * opt-outs and consent history, its calls (transcripts, summaries, recording
 * metadata), campaign messages, replies and the audit rows about it. */
static const char contact_export_sql[] =
    "SELECT jsonb_build_object("
    " 'kind', 'contact', 'exported_at', " ISO("now()") ", 'org_id', c.org_id,"
    " 'contact', jsonb_build_object('id', c.id, 'first_name', c.first_name, 'last_name', c.last_name,"
    "   'phone', c.phone, 'email', c.email, 'company', c.company,"
    "   'property', jsonb_build_object('address', c.property_address, 'type', nullif(c.property_type, '')),"
    "   'tags', to_jsonb(c.tags), 'time_zone', c.time_zone,"
    "   'opt_out', jsonb_build_object('sms', c.opt_out_sms, 'voice', c.opt_out_voice, 'email', c.opt_out_email),"
    "   'do_not_contact', c.do_not_contact, 'version', c.version, 'created_at', " ISO("c.created_at") ","
    "   'updated_at', " ISO("c.updated_at") ", 'deleted_at', " ISO("c.deleted_at") ", 'erased_at', " ISO("c.erased_at") "),"
    " 'do_not_contact', jsonb_build_object('listed', c.do_not_contact, 'since', (SELECT " ISO("max(e.created_at)")
    "   FROM contact_consent_events e WHERE e.org_id = c.org_id AND e.contact_id = c.id AND e.channel = 'all'"
    "   AND e.opted_out AND c.do_not_contact)),"
    " 'consent_history', (SELECT coalesce(jsonb_agg(jsonb_build_object('channel', e.channel, 'opted_out', e.opted_out,"
    "   'source', e.source, 'user_id', e.user_id, 'at', " ISO("e.created_at") ") ORDER BY e.id), '[]')"
    "   FROM contact_consent_events e WHERE e.org_id = c.org_id AND e.contact_id = c.id),"
    " 'calls', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', k.id, 'direction', k.direction,"
    "   'provider', k.provider, 'provider_call_id', k.provider_call_id, 'from_number', k.from_number,"
    "   'to_number', k.to_number, 'caller_name', k.caller_name, 'status', k.status,"
    "   'started_at', " ISO("k.started_at") ", 'ended_at', " ISO("k.ended_at") ", 'duration_s', k.duration_s,"
    "   'sentiment_score', k.sentiment_score, 'sentiment_label', k.sentiment_label, 'summary', k.summary,"
    "   'ended_reason', k.ended_reason, 'action_items', k.action_items, 'transcript', k.transcript,"
    "   'recording', jsonb_build_object('status', k.recording_status, 'bytes', k.recording_bytes,"
    "     'content_type', k.recording_content_type, 'deleted_at', " ISO("k.recording_deleted_at") ","
    "     'deleted_reason', k.recording_deleted_reason),"
    "   'campaign_id', k.campaign_id, 'deleted_at', " ISO("k.deleted_at") ", 'erased_at', " ISO("k.erased_at") ")"
    "   ORDER BY k.started_at, k.id), '[]') FROM calls k WHERE " CONTACT_CALLS "),"
    " 'campaign_messages', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', m.id, 'campaign_id', m.campaign_id,"
    "   'campaign_name', p.name, 'channel', m.channel, 'to_address', m.to_address, 'state', m.state,"
    "   'reason', m.reason, 'provider', m.provider, 'provider_message_id', m.provider_message_id,"
    "   'sent_at', " ISO("m.sent_at") ", 'delivered_at', " ISO("m.delivered_at") ", 'failed_at', " ISO("m.failed_at") ","
    "   'replied_at', " ISO("m.replied_at") ", 'created_at', " ISO("m.created_at") ") ORDER BY m.created_at, m.id), '[]')"
    "   FROM campaign_messages m JOIN campaigns p ON p.id = m.campaign_id AND p.org_id = m.org_id"
    "   WHERE m.org_id = c.org_id AND m.contact_id = c.id),"
    " 'replies', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', y.id, 'campaign_message_id', y.campaign_message_id,"
    "   'channel', y.channel, 'from_address', y.from_address, 'body', y.body, 'received_at', " ISO("y.received_at") ")"
    "   ORDER BY y.received_at, y.id), '[]') FROM message_replies y WHERE y.org_id = c.org_id AND y.contact_id = c.id),"
    " 'audit', (SELECT coalesce(jsonb_agg(jsonb_build_object('at', " ISO("a.at") ", 'actor', a.actor,"
    "   'action', a.action, 'detail', a.detail) ORDER BY a.at, a.id), '[]')"
    "   FROM audit_log a WHERE a.org_id = c.org_id AND a.entity = 'contact' AND a.entity_id = c.id::text)"
    ")::text, c.name FROM contacts c WHERE c.id = $1::uuid AND c.org_id = app_org_id()";

/* The user's profile and role, sessions, the API keys they created (never a hash),
 * their one-time links (when, not the token), the audit rows they wrote, and the
 * deals they own. */
static const char user_export_sql[] =
    "SELECT jsonb_build_object("
    " 'kind', 'user', 'exported_at', " ISO("now()") ", 'org_id', u.org_id,"
    " 'user', jsonb_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role,"
    "   'status', CASE WHEN u.disabled THEN 'disabled' WHEN u.invited THEN 'invited' ELSE 'active' END,"
    "   'created_at', " ISO("u.created_at") ", 'updated_at', " ISO("u.updated_at") ","
    "   'last_login_at', " ISO("u.last_login_at") "),"
    " 'sessions', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'created_at', " ISO("s.created_at") ","
    "   'last_seen_at', " ISO("s.last_seen_at") ", 'expires_at', " ISO("s.expires_at") ", 'ip', s.ip,"
    "   'user_agent', s.user_agent) ORDER BY s.created_at), '[]')"
    "   FROM sessions s WHERE s.org_id = u.org_id AND s.user_id = u.id),"
    " 'api_keys', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', k.id, 'name', k.name, 'prefix', k.prefix,"
    "   'role', k.role, 'created_at', " ISO("k.created_at") ", 'expires_at', " ISO("k.expires_at") ","
    "   'last_used_at', " ISO("k.last_used_at") ", 'last_used_ip', k.last_used_ip, 'revoked_at', " ISO("k.revoked_at") ")"
    "   ORDER BY k.created_at), '[]') FROM api_keys k WHERE k.org_id = u.org_id AND k.created_by = u.id),"
    " 'links', (SELECT coalesce(jsonb_agg(jsonb_build_object('purpose', t.purpose, 'created_at', " ISO("t.created_at") ","
    "   'expires_at', " ISO("t.expires_at") ", 'used_at', " ISO("t.used_at") ") ORDER BY t.created_at), '[]')"
    "   FROM user_tokens t WHERE t.org_id = u.org_id AND t.user_id = u.id),"
    " 'audit', (SELECT coalesce(jsonb_agg(jsonb_build_object('at', " ISO("a.at") ", 'action', a.action,"
    "   'entity', a.entity, 'entity_id', a.entity_id, 'ip', a.ip, 'request_id', a.request_id, 'detail', a.detail)"
    "   ORDER BY a.at, a.id), '[]') FROM audit_log a WHERE a.org_id = u.org_id AND a.user_id = u.id),"
    " 'deals', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', d.id, 'title', d.title, 'stage', d.stage,"
    "   'value_minor', d.value_minor, 'currency', d.currency, 'created_at', " ISO("d.created_at") ","
    "   'updated_at', " ISO("d.updated_at") ", 'deleted_at', " ISO("d.deleted_at") ") ORDER BY d.created_at, d.id), '[]')"
    "   FROM deals d WHERE d.org_id = u.org_id AND d.owner_id = u.id)"
    ")::text, u.email FROM users u WHERE u.id = $1::uuid AND u.org_id = app_org_id()";

/* An export or an erasure reads an org's whole history of events and calls: rare, and
 * allowed longer than the pool's statement_timeout (for this transaction only). */
#define PRIVACY_TIMEOUT_MS "120000"
static int allow_long_statements(struct request *r)
{
    return db_q(r->db, r->arena, "privacy_timeout", "SELECT set_config('statement_timeout', $1, true)",
                PRIVACY_TIMEOUT_MS)
               ? 0
               : app_db_status(r);
}

/* The document as a download: the same bytes for the page's link and the JSON twin. */
static int send_export(struct request *r, str doc, const char *kind, str id)
{
    r->res->status = 200;
    buf_append(&r->res->body, doc.ptr, doc.len);
    buf_puts(&r->res->body, "\n");
    response_header(r->res, r->arena, "Content-Type", STR("application/json; charset=utf-8"));
    struct buf name;
    buf_init(&name, r->arena, 96);
    buf_printf(&name, "attachment; filename=\"%s-%.*s.json\"", kind, (int)id.len, id.ptr);
    response_header(r->res, r->arena, "Content-Disposition", buf_str(&name));
    response_header(r->res, r->arena, "Cache-Control", STR("no-store"));
    return 0;
}

static int export_one(struct request *r, const char *kind, const char *stmt, const char *sql)
{
    str id = req_path_param(r, "id");
    if (!str_is_uuid(id)) return 404;
    int st = allow_long_statements(r);
    if (st) return st;
    struct dbres *q = db_q(r->db, r->arena, stmt, sql, str_cstr(r->arena, id));
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1) return 404;
    st = audit_write(r, "privacy.export", kind, id, NULL);
    if (st) return st;
    return send_export(r, db_val(q, 0, 0), kind, id);
}

/* GET /admin/privacy/contacts/{id}/export and GET /api/v1/admin/privacy/contacts/{id}/export
 * — everything about a contact (an erased or deleted one too); another org's: 404. */
int admin_privacy_contact_export(struct request *r)
{
    return export_one(r, "contact", "privacy_contact_export", contact_export_sql);
}

/* GET /admin/privacy/users/{id}/export and GET /api/v1/admin/privacy/users/{id}/export. */
int admin_privacy_user_export(struct request *r)
{
    return export_one(r, "user", "privacy_user_export", user_export_sql);
}

/* ---- erasing a contact ---- */

enum { EC_ID, EC_NAME, EC_PHONE, EC_EMAIL, EC_ERASED, EC_CALLS, EC_MESSAGES, EC_REPLIES, EC_RECORDINGS };

static struct dbres *erase_target(struct request *r, str id, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    struct dbres *q = db_q(r->db, r->arena, "privacy_erase_target",
                           "SELECT c.id, c.name, coalesce(c.phone, ''), coalesce(c.email, ''), c.erased_at IS NOT NULL,"
                           " (SELECT count(*) FROM calls k WHERE " CONTACT_CALLS "),"
                           " (SELECT count(*) FROM campaign_messages m WHERE m.org_id = c.org_id AND m.contact_id = c.id),"
                           " (SELECT count(*) FROM message_replies y WHERE y.org_id = c.org_id AND y.contact_id = c.id),"
                           " (SELECT count(*) FROM calls k WHERE " CONTACT_CALLS " AND k.recording_status = 'stored')"
                           " FROM contacts c WHERE c.id = $1::uuid AND c.org_id = app_org_id()",
                           str_cstr(r->arena, id));
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

/* What the admin must type: the contact's name, or ERASE for a contact without one. */
static str confirm_word(const struct dbres *c)
{
    str name = str_trim(db_val(c, 0, EC_NAME));
    return name.len ? name : STR("ERASE");
}

struct erase_form {
    const struct dbres *contact;
    str typed;
};

static int render_erase(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct erase_form *f = ctx;
    const struct dbres *c = f->contact;
    struct tdict *d = page_dict(r, "Erase contact", "admin/privacy_erase.tpl");
    tdict_set(d, "ID", db_val(c, 0, EC_ID));
    tdict_set(d, "NAME", db_val(c, 0, EC_NAME).len ? db_val(c, 0, EC_NAME) : STR("this contact"));
    tdict_set(d, "PHONE", db_val(c, 0, EC_PHONE));
    tdict_set(d, "EMAIL", db_val(c, 0, EC_EMAIL));
    tdict_set(d, "CALLS", db_val(c, 0, EC_CALLS));
    tdict_set(d, "MESSAGES", db_val(c, 0, EC_MESSAGES));
    tdict_set(d, "REPLIES", db_val(c, 0, EC_REPLIES));
    tdict_set(d, "RECORDINGS", db_val(c, 0, EC_RECORDINGS));
    tdict_set(d, "WORD", confirm_word(c));
    if (db_bool(c, 0, EC_ERASED)) tdict_show(d, "ERASED");
    else {
        struct tdict *form = tdict_add_section(d, "CAN_ERASE");
        form_errors(form, e, "form-error", "The contact was not erased; see the message below.");
        struct tdict *x = form_field(form, "FIELD_CONFIRM", e, "confirm", "Type the contact's name to confirm",
                                     "text", f->typed);
        tdict_show(x, "REQUIRED");
        tdict_show(x, "AUTOCOMPLETE_OFF");
    }
    return page_render(r, status, d);
}

/* GET /admin/privacy/contacts/{id}/erase — what erasing will do, and the confirmation. */
int admin_privacy_erase_confirm(struct request *r)
{
    int st;
    struct dbres *c = erase_target(r, req_path_param(r, "id"), &st);
    if (!c) return st;
    struct erase_form f = { c, STR("") };
    return render_erase(r, 200, NULL, &f);
}

/* Removes the erased calls' recording files, after the commit (as the retention job
 * does: a crash leaves a stray file, never a call pointing at a missing one). The
 * paths come from the database as one text[] literal of safe names (the column's
 * check allows letters, digits and ._/- only), so splitting on commas is exact. */
static void unlink_recordings(struct request *r, str paths)
{
    if (paths.len < 2) return;
    str rest = str_make(paths.ptr + 1, paths.len - 2), rel; /* without the braces */
    while (rest.len) {
        str_cut(rest, ',', &rel, &rest);
        if (!rel.len || str_find(rel, STR("..")) >= 0) continue;
        struct buf path;
        buf_init(&path, r->arena, 256);
        buf_printf(&path, "%s/%.*s", r->cfg->recordings_dir, (int)rel.len, rel.ptr);
        if (unlink(buf_cstr(&path)) != 0 && errno != ENOENT)
            log_warn("erase: cannot delete %s: %s", buf_cstr(&path), strerror(errno));
    }
}

/* 409: the page says so (no form), the JSON client gets the conflict error. */
static int already_erased(struct request *r, struct erase_form *f)
{
    if (r->wants_json) {
        app_error(r, 409, "This contact was erased before.", NULL);
        return REPLIED;
    }
    int st = render_erase(r, 409, NULL, f);
    return st ? st : REPLIED;
}

enum { ER_ALREADY, ER_CALLS, ER_MESSAGES, ER_REPLIES, ER_EVENTS, ER_DELIVERIES, ER_IMPORTS, ER_RECORDINGS, ER_PATHS };

/* POST /admin/privacy/contacts/{id}/erase (form: confirm) and
 * POST /api/v1/admin/privacy/contacts/{id}/erase (JSON: {"confirm": "<name>"}) — the
 * contact's personal data erased in one transaction with its audit row; its recording
 * files deleted after the commit. 409 when it was erased before. */
int admin_privacy_erase(struct request *r)
{
    int st;
    str id = req_path_param(r, "id");
    struct dbres *c = erase_target(r, id, &st);
    if (!c) return st;
    struct field_errors e = { 0 };
    struct erase_form f = { c, str_trim(input_value(r, "confirm", NULL, &e)) };
    if (!field_errors_any(&e) && !str_case_eq(f.typed, confirm_word(c)))
        field_error_add(&e, "confirm", r->wants_json ? "confirm must be the contact's name (or ERASE when it has none)"
                                                     : "confirm must be the contact's name as shown above");
    if (field_errors_any(&e)) return field_errors_reply(r, NULL, &e, render_erase, &f);
    if (db_bool(c, 0, EC_ERASED)) return already_erased(r, &f);
    if ((st = allow_long_statements(r))) return st;
    struct dbres *q = db_q(r->db, r->arena, "privacy_erase",
                           "SELECT already_erased, calls, messages, replies, events, deliveries, imports, recordings,"
                           " recording_paths::text FROM sb_contact_erase($1::uuid)",
                           str_cstr(r->arena, id));
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1) return 404;
    if (db_bool(q, 0, ER_ALREADY)) return already_erased(r, &f); /* another admin was first */
    struct json_object *counts = json_object_new_object();
    static const char *const names[] = { "calls", "messages", "replies", "events", "deliveries", "imports", "recordings" };
    for (int i = 0; i < 7; i++) json_object_object_add(counts, names[i], json_object_new_int64(db_long(q, 0, ER_CALLS + i)));
    st = audit_write(r, "contact.erase", "contact", id, json_object_to_json_string_ext(counts, JSON_C_TO_STRING_PLAIN));
    if (st) {
        json_object_put(counts);
        return st;
    }
    if (db_commit(r->db) != 0) {
        json_object_put(counts);
        return app_db_status(r) >= 500 ? app_db_status(r) : 503;
    }
    unlink_recordings(r, db_val(q, 0, ER_PATHS));
    if (!r->wants_json) {
        json_object_put(counts);
        return redirect_see_other(r, "/contacts", "ok", "The contact's personal data is erased.");
    }
    json_add_str(counts, "id", id);
    json_add_cstr(counts, "status", "erased");
    json_reply_data(r, 200, counts);
    return 0;
}
