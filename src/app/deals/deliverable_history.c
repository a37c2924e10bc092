/* deliverable_history.c — what a deliverable's approval flow and deadline keep beside
 * the per-field history: every move of a set deadline (old and new instant, the
 * reason, who), the feedback items of each rejection, and the revisions (submissions
 * after a rejection) with the items each one answers. Append-only tables (sql/0046);
 * written in the request's transaction with the deliverable's own change. */
#include <json-c/json.h>
#include <string.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../db/sql_build.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/input.h"
#include "deliverable_history.h"

#define FEEDBACK_MAX 50

/* The author's name as deal_history records it: the key's name, or the email. */
static const char *author(const struct request *r)
{
    if (!r->session) return "";
    if (r->session->api_key_id.len) return str_cstr(r->arena, r->session->user_name);
    return str_cstr(r->arena, r->session->email);
}

static const char *nz(struct request *r, str s) { return s.len ? str_cstr(r->arena, s) : NULL; }

/* ---- reschedules ---- */

/* The dates a save would move: set before, and different after to the minute (the
 * forms and the JSON speak in minutes: an untouched date read back loses its seconds). */
#define MOVED_SQL                                                                                       \
    " FROM deliverables d CROSS JOIN LATERAL (VALUES ('scheduled_at', d.scheduled_at, deal_local_time($2)),"  \
    " ('posting_window_end', d.posting_window_end, deal_local_time($3))) f(field, old_at, new_at)"        \
    " WHERE d.org_id = app_org_id() AND d.id = $1::uuid AND d.deleted_at IS NULL AND f.old_at IS NOT NULL" \
    " AND date_trunc('minute', f.old_at) IS DISTINCT FROM date_trunc('minute', f.new_at)"

int deliverable_deadline_moved(struct request *r, str id, str scheduled, str window_end, bool *moved)
{
    struct dbres *q = db_q(r->db, r->arena, "deliv_deadline_moved", "SELECT count(*)" MOVED_SQL,
                           str_cstr(r->arena, id), nz(r, scheduled), nz(r, window_end));
    if (!q) return app_db_status(r);
    *moved = db_long(q, 0, 0) > 0;
    return 0;
}

int deliverable_reschedules_record(struct request *r, str id, str scheduled, str window_end, str reason)
{
    struct dbres *q = db_q(r->db, r->arena, "deliv_reschedule_insert",
                           "INSERT INTO deliverable_reschedules (org_id, deliverable_id, field, old_at, new_at, reason,"
                           " user_id, actor) SELECT app_org_id(), d.id, f.field, f.old_at, f.new_at, $4,"
                           " nullif(current_setting('app.user_id', true), '')::uuid, $5" MOVED_SQL,
                           str_cstr(r->arena, id), nz(r, scheduled), nz(r, window_end), str_cstr(r->arena, reason),
                           author(r));
    return q ? 0 : app_db_status(r);
}

/* ---- feedback ---- */

static void add_item(struct json_object *items, str text, struct field_errors *e)
{
    text = str_trim(text);
    if (!text.len) return;
    if (utf8_length(text) > 1000) field_error_add(e, "feedback", "must have items of at most 1000 characters each");
    else json_object_array_add(items, json_object_new_string_len(text.ptr, (int)text.len));
}

void deliverable_feedback_read(struct request *r, struct json_object **items, struct field_errors *e)
{
    *items = json_object_new_array();
    struct json_object *v;
    if (r->json && json_object_object_get_ex(r->json, "feedback", &v) && json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            struct json_object *it = json_object_array_get_idx(v, i);
            if (!json_object_is_type(it, json_type_string)) {
                field_error_add(e, "feedback", "must be a list of texts");
                return;
            }
            add_item(*items, str_from(json_object_get_string(it)), e);
        }
    } else {
        str rest = input_value(r, "feedback", NULL, e), line;
        while (rest.len) {
            str all = rest;
            if (!str_cut(all, '\n', &line, &rest)) {
                line = all;
                rest = STR("");
            }
            add_item(*items, line, e);
        }
    }
    if (json_object_array_length(*items) > FEEDBACK_MAX) field_error_add(e, "feedback", "must have at most 50 items");
}

int deliverable_feedback_record(struct request *r, str id, struct json_object *items)
{
    if (!json_object_array_length(items)) return 0;
    /* The rejection's number: how many times the history says it was rejected. */
    struct dbres *q = db_q(r->db, r->arena, "deliv_feedback_insert",
                           "INSERT INTO deliverable_feedback (org_id, deliverable_id, rejection_no, position, body,"
                           " user_id, actor) SELECT app_org_id(), $1::uuid, (SELECT count(*) FROM deal_history h"
                           " WHERE h.org_id = app_org_id() AND h.entity = 'deliverable' AND h.entity_id = $1::uuid"
                           " AND h.field = 'approval_status' AND h.new_value = 'rejected'), t.ord, t.body,"
                           " nullif(current_setting('app.user_id', true), '')::uuid, $3"
                           " FROM jsonb_array_elements_text($2::jsonb) WITH ORDINALITY t(body, ord)",
                           str_cstr(r->arena, id), json_object_to_json_string_ext(items, JSON_C_TO_STRING_PLAIN),
                           author(r));
    return q ? 0 : app_db_status(r);
}

/* ---- revisions ---- */

static void add_answer(struct json_object *answers, str v, struct field_errors *e)
{
    v = str_trim(v);
    if (!v.len) return;
    if (!str_is_uuid(v)) field_error_add(e, "answers", "must be ids of this deliverable's open feedback items");
    else json_object_array_add(answers, json_object_new_string_len(v.ptr, (int)v.len));
}

void deliverable_revision_read(struct request *r, str id, struct json_object **answers, str *note, struct field_errors *e)
{
    *answers = json_object_new_array();
    *note = str_trim(input_value(r, "revision_note", NULL, e));
    if (utf8_length(*note) > 2000) field_error_add(e, "revision_note", "must be at most 2000 characters");
    struct json_object *v;
    if (r->json) {
        if (json_object_object_get_ex(r->json, "answers", &v) && !json_object_is_type(v, json_type_null)) {
            if (!json_object_is_type(v, json_type_array)) {
                field_error_add(e, "answers", "must be a list of feedback item ids");
                return;
            }
            for (size_t i = 0; i < json_object_array_length(v); i++) {
                struct json_object *it = json_object_array_get_idx(v, i);
                if (json_object_is_type(it, json_type_string)) add_answer(*answers, str_from(json_object_get_string(it)), e);
                else field_error_add(e, "answers", "must be a list of feedback item ids");
            }
        }
    } else {
        for (size_t i = 0; i < r->form.n; i++)
            if (str_eq_cstr(r->form.items[i].key, "answers")) add_answer(*answers, r->form.items[i].val, e);
    }
    size_t n = json_object_array_length(*answers);
    if (e->n || !n) return;
    if (n > FEEDBACK_MAX * 10) {
        field_error_add(e, "answers", "must have fewer items");
        return;
    }
    struct dbres *q = db_q(r->db, r->arena, "deliv_answers_check",
                           "SELECT count(DISTINCT a.id) = (SELECT count(DISTINCT x) FROM jsonb_array_elements_text($2::jsonb) x)"
                           " FROM deliverable_feedback a WHERE a.org_id = app_org_id() AND a.deliverable_id = $1::uuid"
                           " AND a.answered_by IS NULL AND a.id::text IN (SELECT jsonb_array_elements_text($2::jsonb))",
                           str_cstr(r->arena, id), json_object_to_json_string_ext(*answers, JSON_C_TO_STRING_PLAIN));
    if (q && !db_bool(q, 0, 0)) field_error_add(e, "answers", "must be ids of this deliverable's open feedback items");
}

int deliverable_revision_record(struct request *r, str id, struct json_object *answers, str note)
{
    const char *cid = str_cstr(r->arena, id);
    struct dbres *q = db_q(r->db, r->arena, "deliv_revision_insert",
                           "INSERT INTO deliverable_revisions (org_id, deliverable_id, revision_no, note, user_id, actor)"
                           " SELECT app_org_id(), $1::uuid, coalesce(max(revision_no), 0) + 1, $2,"
                           " nullif(current_setting('app.user_id', true), '')::uuid, $3 FROM deliverable_revisions"
                           " WHERE org_id = app_org_id() AND deliverable_id = $1::uuid RETURNING id",
                           cid, str_cstr(r->arena, note), author(r));
    if (!q) return app_db_status(r);
    if (!json_object_array_length(answers)) return 0;
    struct dbres *u = db_q(r->db, r->arena, "deliv_feedback_answer",
                           "UPDATE deliverable_feedback SET answered_by = $2::uuid WHERE org_id = app_org_id()"
                           " AND deliverable_id = $1::uuid AND answered_by IS NULL"
                           " AND id::text IN (SELECT jsonb_array_elements_text($3::jsonb))",
                           cid, db_cstr(q, 0, 0), json_object_to_json_string_ext(answers, JSON_C_TO_STRING_PLAIN));
    return u ? 0 : app_db_status(r);
}

/* ---- reading it back ---- */

enum { RS_DELIV, RS_FIELD, RS_OLD_ISO, RS_NEW_ISO, RS_REASON, RS_WHO, RS_AT_ISO, RS_OLD_LOCAL, RS_NEW_LOCAL, RS_AT_LOCAL,
       RS_LABEL };
#define RS_SQL(where)                                                                                         \
    "SELECT s.deliverable_id, s.field, " SQL_ISO_UTC("s.old_at") ", " SQL_ISO_UTC("s.new_at") ", s.reason,"   \
    " coalesce(u.name, s.actor), " SQL_ISO_UTC("s.at") ", deal_local_text(s.old_at), deal_local_text(s.new_at),"  \
    " deal_local_text(s.at), d.platform || ' ' || d.type FROM deliverable_reschedules s"                     \
    " JOIN deliverables d ON d.org_id = s.org_id AND d.id = s.deliverable_id"                                  \
    " LEFT JOIN users u ON u.org_id = s.org_id AND u.id = s.user_id WHERE s.org_id = app_org_id() AND " where \
    " ORDER BY s.at DESC, s.id DESC LIMIT 200"

enum { FB_ID, FB_DELIV, FB_NO, FB_POS, FB_BODY, FB_WHO, FB_AT_ISO, FB_REV_ID, FB_REV_NO, FB_LABEL };
#define FB_SQL(where)                                                                                         \
    "SELECT f.id, f.deliverable_id, f.rejection_no, f.position, f.body, coalesce(u.name, f.actor), "         \
    SQL_ISO_UTC("f.at") ", f.answered_by, v.revision_no, d.platform || ' ' || d.type FROM deliverable_feedback f" \
    " JOIN deliverables d ON d.org_id = f.org_id AND d.id = f.deliverable_id"                                  \
    " LEFT JOIN deliverable_revisions v ON v.org_id = f.org_id AND v.id = f.answered_by"                     \
    " LEFT JOIN users u ON u.org_id = f.org_id AND u.id = f.user_id WHERE f.org_id = app_org_id() AND " where \
    " ORDER BY d.created_at, d.id, f.rejection_no, f.position LIMIT 500"

enum { RV_ID, RV_NO, RV_NOTE, RV_WHO, RV_AT_ISO, RV_ANSWERS };
#define RV_SQL                                                                                                \
    "SELECT v.id, v.revision_no, v.note, coalesce(u.name, v.actor), " SQL_ISO_UTC("v.at") ","                 \
    " coalesce((SELECT json_agg(f.id ORDER BY f.rejection_no, f.position) FROM deliverable_feedback f"        \
    " WHERE f.org_id = v.org_id AND f.answered_by = v.id), '[]')::text FROM deliverable_revisions v"          \
    " LEFT JOIN users u ON u.org_id = v.org_id AND u.id = v.user_id"                                          \
    " WHERE v.org_id = app_org_id() AND v.deliverable_id = $1::uuid ORDER BY v.revision_no"

static void nullable(struct json_object *o, const char *k, const struct dbres *q, int i, int col)
{
    json_add_str(o, k, db_isnull(q, i, col) || !db_val(q, i, col).len ? STR_NULL : db_val(q, i, col));
}

int deliverable_history_json(struct request *r, str id, struct json_object *o)
{
    const char *cid = str_cstr(r->arena, id);
    struct dbres *rs = db_q(r->db, r->arena, "deliv_reschedules_of", RS_SQL("s.deliverable_id = $1::uuid"), cid);
    struct dbres *fb = db_q(r->db, r->arena, "deliv_feedback_of", FB_SQL("f.deliverable_id = $1::uuid"), cid);
    struct dbres *rv = db_q(r->db, r->arena, "deliv_revisions_of", RV_SQL, cid);
    if (!rs || !fb || !rv) return app_db_status(r);
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(rs); i++) {
        struct json_object *e = json_object_new_object();
        json_add_str(e, "field", db_val(rs, i, RS_FIELD));
        json_add_str(e, "old_at", db_val(rs, i, RS_OLD_ISO));
        nullable(e, "new_at", rs, i, RS_NEW_ISO);
        json_add_str(e, "reason", db_val(rs, i, RS_REASON));
        json_add_str(e, "author", db_val(rs, i, RS_WHO));
        json_add_str(e, "at", db_val(rs, i, RS_AT_ISO));
        json_object_array_add(a, e);
    }
    json_object_object_add(o, "reschedules", a);
    a = json_object_new_array();
    for (int i = 0; i < db_rows(fb); i++) {
        struct json_object *e = json_object_new_object();
        json_add_str(e, "id", db_val(fb, i, FB_ID));
        json_add_long(e, "rejection", db_long(fb, i, FB_NO));
        json_add_long(e, "position", db_long(fb, i, FB_POS));
        json_add_str(e, "text", db_val(fb, i, FB_BODY));
        json_add_str(e, "author", db_val(fb, i, FB_WHO));
        json_add_str(e, "at", db_val(fb, i, FB_AT_ISO));
        nullable(e, "answered_by", fb, i, FB_REV_ID);
        if (db_isnull(fb, i, FB_REV_NO)) json_object_object_add(e, "answered_in_revision", NULL);
        else json_add_long(e, "answered_in_revision", db_long(fb, i, FB_REV_NO));
        json_object_array_add(a, e);
    }
    json_object_object_add(o, "feedback", a);
    a = json_object_new_array();
    for (int i = 0; i < db_rows(rv); i++) {
        struct json_object *e = json_object_new_object();
        json_add_str(e, "id", db_val(rv, i, RV_ID));
        json_add_long(e, "number", db_long(rv, i, RV_NO));
        json_add_str(e, "note", db_val(rv, i, RV_NOTE));
        json_add_str(e, "author", db_val(rv, i, RV_WHO));
        json_add_str(e, "at", db_val(rv, i, RV_AT_ISO));
        json_object_object_add(e, "answers", json_tokener_parse(db_cstr(rv, i, RV_ANSWERS)));
        json_object_array_add(a, e);
    }
    json_object_object_add(o, "revisions", a);
    return 0;
}

int deliverable_history_fill_page(struct request *r, struct tdict *d, str deal_id)
{
    const char *cid = str_cstr(r->arena, deal_id);
    struct dbres *rs = db_q(r->db, r->arena, "deal_reschedules_of", RS_SQL("d.deal_id = $1::uuid AND d.deleted_at IS NULL"), cid);
    struct dbres *fb = db_q(r->db, r->arena, "deal_feedback_of", FB_SQL("d.deal_id = $1::uuid AND d.deleted_at IS NULL"), cid);
    if (!rs || !fb) return app_db_status(r);
    struct tdict *s = tdict_include(d, "DELIVERABLE_HISTORY", "deals/deliverable_history.tpl");
    if (!db_rows(rs)) tdict_show(s, "NO_RESCHEDULES");
    for (int i = 0; i < db_rows(rs); i++) {
        struct tdict *t = tdict_add_section(s, "RESCHEDULE");
        tdict_set(t, "WHEN", db_val(rs, i, RS_AT_LOCAL));
        tdict_set(t, "WHEN_ISO", db_val(rs, i, RS_AT_ISO));
        tdict_set(t, "WHO", db_val(rs, i, RS_WHO));
        tdict_set(t, "WHAT", db_val(rs, i, RS_LABEL));
        tdict_set_cstr(t, "FIELD", str_eq_cstr(db_val(rs, i, RS_FIELD), "scheduled_at") ? "scheduled time" : "posting window end");
        tdict_set(t, "OLD", db_val(rs, i, RS_OLD_LOCAL));
        tdict_set(t, "NEW", db_val(rs, i, RS_NEW_LOCAL).len ? db_val(rs, i, RS_NEW_LOCAL) : STR("cleared"));
        tdict_set(t, "REASON", db_val(rs, i, RS_REASON));
    }
    if (!db_rows(fb)) tdict_show(s, "NO_FEEDBACK");
    for (int i = 0; i < db_rows(fb); i++) {
        struct tdict *t = tdict_add_section(s, "FEEDBACK");
        tdict_set(t, "WHAT", db_val(fb, i, FB_LABEL));
        tdict_set_long(t, "REJECTION", db_long(fb, i, FB_NO));
        tdict_set(t, "TEXT", db_val(fb, i, FB_BODY));
        tdict_set(t, "WHO", db_val(fb, i, FB_WHO));
        if (db_isnull(fb, i, FB_REV_NO)) tdict_show(t, "OPEN");
        else tdict_set_long(tdict_add_section(t, "ANSWERED"), "REVISION", db_long(fb, i, FB_REV_NO));
    }
    return 0;
}

int deliverable_open_feedback(struct request *r, struct tdict *d, str id, struct json_object *checked)
{
    struct dbres *fb = db_q(r->db, r->arena, "deliv_feedback_of", FB_SQL("f.deliverable_id = $1::uuid"), str_cstr(r->arena, id));
    if (!fb) return app_db_status(r);
    int open = 0;
    for (int i = 0; i < db_rows(fb); i++) {
        if (!db_isnull(fb, i, FB_REV_ID)) continue;
        struct tdict *t = tdict_add_section(d, "OPEN_ITEM");
        tdict_set(t, "F_ID", db_val(fb, i, FB_ID));
        tdict_set(t, "TEXT", db_val(fb, i, FB_BODY));
        tdict_set_long(t, "REJECTION", db_long(fb, i, FB_NO));
        for (size_t k = 0; checked && k < json_object_array_length(checked); k++)
            if (str_eq_cstr(db_val(fb, i, FB_ID), json_object_get_string(json_object_array_get_idx(checked, k))))
                tdict_show(t, "CHECKED");
        open++;
    }
    if (!open) tdict_show(d, "NO_OPEN_ITEMS");
    return 0;
}
