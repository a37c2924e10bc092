/* deal_notes.c — notes on a deal. Anyone who may write the deal (SPEC §1: managers,
 * admins, the agent it is assigned to) adds one; only its author or an admin edits
 * or deletes it. Every change is a deal_history row (entity "deal", field "note")
 * and an audit row, in the request's transaction. */
#include "deal_notes.h"

#include <json-c/json.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "deal_common.h"
#include "deals.h"

#define NOTE_MAX_CHARS 5000
#define NOTES_SHOWN 200 /* on the page and in the JSON list, newest first */

enum note_col { NT_ID, NT_DEAL, NT_AUTHOR_ID, NT_AUTHOR, NT_BODY, NT_WHEN, NT_CREATED, NT_UPDATED, NT_EDITED };
#define NOTE_COLS                                                                                               \
    "n.id, n.deal_id, coalesce(n.author_id::text, ''), coalesce(u.name, nullif(n.author_name, ''), 'someone'),"  \
    " n.body, to_char(n.created_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI'),"                                     \
    " to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                              \
    " to_char(n.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), n.updated_at > n.created_at"   \
    " FROM deal_notes n LEFT JOIN users u ON u.org_id = n.org_id AND u.id = n.author_id"
#define NOTES_OF_DEAL_SQL                                                                                       \
    "SELECT " NOTE_COLS " WHERE n.org_id = app_org_id() AND n.deal_id = $1::uuid"                               \
    " ORDER BY n.created_at DESC, n.id DESC LIMIT 200"
#define NOTE_ONE_SQL "SELECT " NOTE_COLS " WHERE n.org_id = app_org_id() AND n.id = $1::uuid"

static const char *org_tz(struct request *r) { return str_cstr(r->arena, r->session->org_timezone); }

static struct dbres *notes_of_deal(struct request *r, str deal_id)
{
    return db_q(r->db, r->arena, "deal_notes_of_deal", NOTES_OF_DEAL_SQL, str_cstr(r->arena, deal_id), org_tz(r));
}

/* Its author (a session user, not a key acting for them) or an admin. */
static bool may_change(const struct request *r, const struct dbres *res, int i)
{
    if (r->session->role >= ROLE_ADMIN) return true;
    str author = db_val(res, i, NT_AUTHOR_ID);
    return !r->session->api_key_id.len && author.len && str_eq(author, r->session->user_id);
}

static struct json_object *note_json(const struct dbres *res, int i)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(res, i, NT_ID));
    json_add_str(o, "deal_id", db_val(res, i, NT_DEAL));
    str author = db_val(res, i, NT_AUTHOR_ID);
    json_add_str(o, "author_id", author.len ? author : STR_NULL);
    json_add_str(o, "author", db_val(res, i, NT_AUTHOR));
    json_add_str(o, "body", db_val(res, i, NT_BODY));
    json_add_str(o, "created_at", db_val(res, i, NT_CREATED));
    json_add_str(o, "updated_at", db_val(res, i, NT_UPDATED));
    json_add_bool(o, "edited", db_bool(res, i, NT_EDITED));
    return o;
}

int deal_notes_fill(struct request *r, struct tdict *d, str deal_id, bool may_add, str typed,
                    const struct field_errors *e)
{
    struct dbres *res = notes_of_deal(r, deal_id);
    if (!res) return app_db_status(r);
    struct tdict *t = tdict_include(d, "NOTES", "deals/notes.tpl");
    tdict_set(t, "ID", deal_id);
    for (int i = 0; i < db_rows(res); i++) {
        struct tdict *n = tdict_add_section(t, "NOTE");
        tdict_set(n, "N_ID", db_val(res, i, NT_ID));
        tdict_set(n, "AUTHOR", db_val(res, i, NT_AUTHOR));
        tdict_set(n, "WHEN", db_val(res, i, NT_WHEN));
        tdict_set(n, "WHEN_ISO", db_val(res, i, NT_CREATED));
        tdict_set(n, "BODY", db_val(res, i, NT_BODY));
        if (db_bool(res, i, NT_EDITED)) tdict_show(n, "EDITED");
        if (may_change(r, res, i)) tdict_show(n, "CAN_CHANGE");
    }
    if (!db_rows(res)) tdict_show(t, "NO_NOTES");
    if (may_add) {
        struct tdict *f = tdict_add_section(t, "ADD_NOTE");
        form_set_value(f, "body", typed);
        if (e) form_errors(f, e, "note-errors", "The note was not added:");
    }
    return 0;
}

/* The trimmed body, or an error on "body" (1..5000 characters, valid UTF-8). */
static str read_body(struct request *r, struct field_errors *e)
{
    bool present = false;
    str body = str_trim(input_value(r, "body", &present, e));
    if (!present || !body.len) field_error_add(e, "body", "must not be empty");
    else if (!utf8_valid(body)) field_error_add(e, "body", "must be text (UTF-8)");
    else if (utf8_length(body) > NOTE_MAX_CHARS) field_error_add(e, "body", "must be at most 5000 characters");
    return body;
}

/* What field_errors_reply needs to show the deal page again with the typed note. */
struct add_again {
    str deal_id, typed;
};

static int add_again(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct add_again *a = ctx;
    int st = deals_show_render_note(r, status, a->deal_id, a->typed, e);
    return st ? st : REPLIED;
}

/* Inserts the note with its history and audit rows; *id is the new note's. */
static int insert_note(struct request *r, str deal_id, str body, str *id)
{
    struct arena *a = r->arena;
    const char *author = r->session->api_key_id.len ? NULL : str_cstr(a, r->session->user_id);
    const char *name = str_cstr(a, r->session->api_key_id.len ? r->session->user_name : r->session->email);
    struct dbres *res = db_q(r->db, a, "deal_note_insert",
                             "INSERT INTO deal_notes (org_id, deal_id, author_id, author_name, body)"
                             " VALUES (app_org_id(), $1::uuid, $2::uuid, $3, $4) RETURNING id",
                             str_cstr(a, deal_id), author, name, str_cstr(a, body));
    if (!res || db_rows(res) != 1) return app_db_status(r);
    *id = db_val(res, 0, 0);
    int st = deal_history_record(r, "deal", deal_id, "note", STR_NULL, body);
    return st ? st : audit_write(r, "deal.note.create", "deal_note", *id, NULL);
}

static int reply_note(struct request *r, int status, str note_id)
{
    struct dbres *res = db_q(r->db, r->arena, "deal_note_one", NOTE_ONE_SQL, str_cstr(r->arena, note_id), org_tz(r));
    if (!res || db_rows(res) != 1) return app_db_status(r);
    json_reply_data(r, status, note_json(res, 0));
    return 0;
}

/* POST /deals/{id}/notes and /api/v1/deals/{id}/notes (agent+ who may write the
 * deal; CSRF on the page) — `body`, 1..5000 characters. The page: 303 back to the
 * deal with a flash, or the deal page again (400) holding the typed text; JSON: 201
 * and the note. Another org's or a deleted deal: 404; an agent's unassigned deal: 403. */
int deal_note_create(struct request *r)
{
    struct deal_row d;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &d);
    if (st) return st;
    struct field_errors e = { 0 };
    str body = read_body(r, &e);
    if (field_errors_any(&e)) {
        struct add_again ctx = { d.id, body };
        return field_errors_reply(r, "The note is not valid.", &e, add_again, &ctx);
    }
    str id;
    st = insert_note(r, d.id, body, &id);
    if (st) return st;
    if (r->wants_json) return reply_note(r, 201, id);
    return redirect_see_other(r, deal_href(r, d.id), "ok", "Note added.");
}

/* GET /api/v1/deals/{id}/notes (viewer+) — the deal's notes, newest first (at most
 * 200), as {"data":[...]}; a deleted deal as for the deal itself. */
int api_deal_notes(struct request *r)
{
    str id = req_path_param(r, "id");
    int st = deal_readable(r, id);
    if (st) return st;
    struct dbres *res = notes_of_deal(r, id);
    if (!res) return app_db_status(r);
    struct json_object *items = json_object_new_array();
    for (int i = 0; i < db_rows(res); i++) json_object_array_add(items, note_json(res, i));
    json_reply_list(r, items, STR_NULL);
    return 0;
}

/* ---- one note: edit, delete ---- */

/* Loads (FOR UPDATE when lock) the note of the path on a live deal the caller may
 * read, and checks the caller may change it: 0, 404 (absent, another org, a deleted
 * deal), 403 through app_forbid, or the database's status. */
static int note_for_change(struct request *r, bool lock, struct dbres **out)
{
    str id = req_path_param(r, "id");
    if (!str_is_uuid(id)) return 404;
    *out = db_q(r->db, r->arena, lock ? "deal_note_lock" : "deal_note_one",
                lock ? NOTE_ONE_SQL " FOR UPDATE OF n" : NOTE_ONE_SQL, str_cstr(r->arena, id), org_tz(r));
    if (!*out) return app_db_status(r);
    if (db_rows(*out) != 1) return 404;
    struct deal_row d;
    int st = deal_load(r, db_val(*out, 0, NT_DEAL), false, &d);
    if (st) return st;
    if (d.deleted) return 404;
    return may_change(r, *out, 0) ? 0 : app_forbid(r, "note_author");
}

static int render_edit(struct request *r, int status, const struct dbres *note, str typed, const struct field_errors *e,
                       bool delete)
{
    struct tdict *t = page_dict(r, delete ? "Delete note" : "Edit note", "deals/note_edit.tpl");
    tdict_set(t, "ID", db_val(note, 0, NT_ID));
    tdict_set(t, "DEAL_ID", db_val(note, 0, NT_DEAL));
    tdict_set(t, "AUTHOR", db_val(note, 0, NT_AUTHOR));
    tdict_set(t, "WHEN", db_val(note, 0, NT_WHEN));
    if (delete) {
        tdict_set(tdict_add_section(t, "DELETE"), "BODY", db_val(note, 0, NT_BODY));
    } else {
        struct tdict *f = tdict_add_section(t, "EDIT");
        form_set_value(f, "body", typed);
        if (e) form_errors(f, e, "note-errors", "The note was not saved:");
    }
    return page_render(r, status, t);
}

/* GET /deal-notes/{id}/edit (its author, admins) — the note in a form. */
int deal_note_edit_form(struct request *r)
{
    struct dbres *note;
    int st = note_for_change(r, false, &note);
    return st ? st : render_edit(r, 200, note, db_val(note, 0, NT_BODY), NULL, false);
}

struct edit_again {
    const struct dbres *note;
    str typed;
};

static int edit_again(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct edit_again *a = ctx;
    int st = render_edit(r, status, a->note, a->typed, e, false);
    return st ? st : REPLIED;
}

/* POST /deal-notes/{id} and PATCH /api/v1/deal-notes/{id} (its author, admins) —
 * a new `body`; 303 to the deal (page) or 200 and the note (JSON). */
int deal_note_update(struct request *r)
{
    struct dbres *note;
    int st = note_for_change(r, true, &note);
    if (st) return st;
    struct field_errors e = { 0 };
    str body = read_body(r, &e);
    if (field_errors_any(&e)) {
        struct edit_again ctx = { note, body };
        return field_errors_reply(r, "The note is not valid.", &e, edit_again, &ctx);
    }
    str id = db_val(note, 0, NT_ID), deal_id = db_val(note, 0, NT_DEAL), old = db_val(note, 0, NT_BODY);
    if (!str_eq(old, body)) {
        struct dbres *res = db_q(r->db, r->arena, "deal_note_update",
                                 "UPDATE deal_notes SET body = $2, updated_at = now() WHERE id = $1::uuid AND org_id = app_org_id()",
                                 str_cstr(r->arena, id), str_cstr(r->arena, body));
        if (!res) return app_db_status(r);
        st = deal_history_record(r, "deal", deal_id, "note", old, body);
        if (!st) st = audit_write(r, "deal.note.update", "deal_note", id, NULL);
        if (st) return st;
    }
    if (r->wants_json) return reply_note(r, 200, id);
    return redirect_see_other(r, deal_href(r, deal_id), "ok", "Note saved.");
}

/* GET /deal-notes/{id}/delete (its author, admins) — the confirmation page. */
int deal_note_delete_confirm(struct request *r)
{
    struct dbres *note;
    int st = note_for_change(r, false, &note);
    return st ? st : render_edit(r, 200, note, STR(""), NULL, true);
}

/* POST /deal-notes/{id}/delete and DELETE /api/v1/deal-notes/{id} (its author,
 * admins) — removes the note (its text stays in the deal's history as the old
 * value); 303 to the deal, or {"data":{"deleted":true}}. */
int deal_note_delete(struct request *r)
{
    struct dbres *note;
    int st = note_for_change(r, true, &note);
    if (st) return st;
    str id = db_val(note, 0, NT_ID), deal_id = db_val(note, 0, NT_DEAL);
    struct dbres *res = db_q(r->db, r->arena, "deal_note_delete",
                             "DELETE FROM deal_notes WHERE id = $1::uuid AND org_id = app_org_id()", str_cstr(r->arena, id));
    if (!res) return app_db_status(r);
    st = deal_history_record(r, "deal", deal_id, "note", db_val(note, 0, NT_BODY), STR_NULL);
    if (!st) st = audit_write(r, "deal.note.delete", "deal_note", id, NULL);
    if (st) return st;
    if (!r->wants_json) return redirect_see_other(r, deal_href(r, deal_id), "ok", "Note deleted.");
    struct json_object *o = json_object_new_object();
    json_add_bool(o, "deleted", true);
    json_reply_data(r, 200, o);
    return 0;
}
