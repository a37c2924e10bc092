/* deliverables.c — a deal's deliverables: add, edit (versioned), submit, approve,
 * reject with a reason, mark posted with its link; pages and JSON. Every write
 * records per-field history and refreshes the deal's risk in the same transaction. */
#include <json-c/json.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/deadline.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../../db/sql_build.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "../common/org_clock.h"
#include "../common/row_json.h"
#include "deal_common.h"
#include "deals.h"
#include "deliverable_history.h"

/* The columns of DV_SELECT, in order. */
enum {
    DV_ID, DV_DEAL_ID, DV_PLATFORM, DV_TYPE, DV_QUANTITY, DV_SCHEDULED, DV_WSTART, DV_WEND, DV_SLA, DV_NOTES,
    DV_STATUS, DV_REJECTION, DV_POSTED_LOCAL, DV_POST_URL, DV_VERSION, DV_SCHED_EPOCH, DV_WEND_EPOCH,
    DV_POSTED, DV_SCHED_ISO, DV_WSTART_ISO, DV_WEND_ISO, DV_POSTED_ISO, DV_SUBMITTED_ISO, DV_APPROVED_ISO,
    DV_CREATED_ISO, DV_UPDATED_ISO
};
#define DV_SELECT                                                                                              \
    "SELECT d.id, d.deal_id, d.platform, d.type, d.quantity::text, deal_local_text(d.scheduled_at),"          \
    " deal_local_text(d.posting_window_start), deal_local_text(d.posting_window_end),"                        \
    " coalesce(d.sla_hours::text, ''), d.notes, d.approval_status, d.rejection_reason,"                        \
    " deal_local_text(d.posted_at), coalesce(d.post_url, ''), d.version,"                                       \
    " extract(epoch FROM d.scheduled_at)::bigint, extract(epoch FROM d.posting_window_end)::bigint,"           \
    " d.posted_at IS NOT NULL, " SQL_ISO_UTC("d.scheduled_at") ", " SQL_ISO_UTC("d.posting_window_start") ", "                 \
    SQL_ISO_UTC("d.posting_window_end") ", " SQL_ISO_UTC("d.posted_at") ", " SQL_ISO_UTC("d.submitted_at") ", " SQL_ISO_UTC("d.approved_at") \
    ", " SQL_ISO_UTC("d.created_at") ", " SQL_ISO_UTC("d.updated_at") " FROM deliverables d"

#define DV_BY_ID " WHERE d.org_id = app_org_id() AND d.id = $1 AND d.deleted_at IS NULL"

/* The editable fields, as the form and the JSON name them. */
enum { DF_PLATFORM, DF_TYPE, DF_QUANTITY, DF_SCHEDULED, DF_WSTART, DF_WEND, DF_SLA, DF_NOTES, DF_COUNT };
static const char *const df_names[DF_COUNT] = { "platform", "type", "quantity", "scheduled_at",
                                                "posting_window_start", "posting_window_end", "sla_hours", "notes" };
static const int df_cols[DF_COUNT] = { DV_PLATFORM, DV_TYPE, DV_QUANTITY, DV_SCHEDULED, DV_WSTART, DV_WEND, DV_SLA, DV_NOTES };
static const char *const platforms[] = { "instagram", "youtube", "tiktok", "other" };
static const char *const types[] = { "post", "reel", "story", "short", "video", "live", "other" };
static const struct form_option platform_options[] = {
    { "instagram", "instagram" }, { "youtube", "youtube" }, { "tiktok", "tiktok" }, { "other", "other" }
};
static const struct form_option type_options[] = { { "post", "post" }, { "reel", "reel" },   { "story", "story" },
                                                   { "short", "short" }, { "video", "video" }, { "live", "live" },
                                                   { "other", "other" } };

/* Loads a live deliverable (locked for a write when lock). NULL result → 404 set. */
static struct dbres *deliv_load(struct request *r, str id, bool lock, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    const char *p = str_cstr(r->arena, id);
    struct dbres *q = lock ? db_q(r->db, r->arena, "deliv_load_lock", DV_SELECT DV_BY_ID " FOR UPDATE", p)
                           : db_q(r->db, r->arena, "deliv_load", DV_SELECT DV_BY_ID, p);
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

/* The deadline state and its reason for a loaded row. */
static enum deadline_state deliv_deadline(struct request *r, const struct dbres *q, int row, int64_t now,
                                          struct buf *reason)
{
    struct deadline_input in = {
        .posted = db_bool(q, row, DV_POSTED),
        .has_scheduled = !db_isnull(q, row, DV_SCHED_EPOCH),
        .scheduled_at = db_long(q, row, DV_SCHED_EPOCH),
        .has_window_end = !db_isnull(q, row, DV_WEND_EPOCH),
        .window_end = db_long(q, row, DV_WEND_EPOCH),
    };
    buf_init(reason, r->arena, 32);
    return deadline_evaluate(&in, now, reason);
}

/* A deliverable as JSON, with its computed deadline. */
static struct json_object *deliv_json(struct request *r, const struct dbres *q, int row, int64_t now)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, row, DV_ID));
    json_add_str(o, "deal_id", db_val(q, row, DV_DEAL_ID));
    json_add_str(o, "platform", db_val(q, row, DV_PLATFORM));
    json_add_str(o, "type", db_val(q, row, DV_TYPE));
    json_add_long(o, "quantity", db_long(q, row, DV_QUANTITY));
    row_json_nullable(o, "scheduled_at", q, row, DV_SCHED_ISO);
    row_json_nullable(o, "posting_window_start", q, row, DV_WSTART_ISO);
    row_json_nullable(o, "posting_window_end", q, row, DV_WEND_ISO);
    if (db_val(q, row, DV_SLA).len) json_add_long(o, "sla_hours", db_long(q, row, DV_SLA));
    else json_object_object_add(o, "sla_hours", NULL);
    json_add_str(o, "notes", db_val(q, row, DV_NOTES));
    json_add_str(o, "approval_status", db_val(q, row, DV_STATUS));
    row_json_nullable(o, "rejection_reason", q, row, DV_REJECTION);
    row_json_nullable(o, "submitted_at", q, row, DV_SUBMITTED_ISO);
    row_json_nullable(o, "approved_at", q, row, DV_APPROVED_ISO);
    row_json_nullable(o, "posted_at", q, row, DV_POSTED_ISO);
    json_add_str(o, "post_url", db_val(q, row, DV_POST_URL).len ? db_val(q, row, DV_POST_URL) : STR_NULL);
    struct buf reason;
    enum deadline_state st = deliv_deadline(r, q, row, now, &reason);
    struct json_object *dl = json_object_new_object();
    json_add_cstr(dl, "state", deadline_state_name(st));
    json_add_str(dl, "reason", buf_str(&reason));
    json_object_object_add(o, "deadline", dl);
    json_add_long(o, "version", db_long(q, row, DV_VERSION));
    json_add_str(o, "created_at", db_val(q, row, DV_CREATED_ISO));
    json_add_str(o, "updated_at", db_val(q, row, DV_UPDATED_ISO));
    return o;
}

/* ---- validation ---- */

/* Reads the editable fields; with base (a loaded row) absent ones keep their value. */
static void deliv_read(struct request *r, const struct dbres *base, str v[DF_COUNT], struct field_errors *e)
{
    for (int i = 0; i < DF_COUNT; i++) {
        bool present;
        str in = input_value(r, df_names[i], &present, e);
        v[i] = present || !base ? str_trim(in) : db_val(base, 0, df_cols[i]);
    }
    if (!base && v[DF_QUANTITY].len == 0) v[DF_QUANTITY] = STR("1");
}

static void check_time(struct field_errors *e, str v, int f)
{
    if (v.len && !input_valid_datetime(v))
        field_error_add(e, df_names[f], "must be a date and time like 2025-03-10T14:30");
}

/* The column of deliv_window_order: true when the window ends before it opens. */
enum { WO_INVERTED };

/* Field checks; the window order is asked of the database (zones may differ). */
static void deliv_validate(struct request *r, const str v[DF_COUNT], struct field_errors *e)
{
    if (!input_one_of(v[DF_PLATFORM], platforms, 4)) field_error_add(e, "platform", "must be instagram, youtube, tiktok or other");
    if (!input_one_of(v[DF_TYPE], types, 7)) field_error_add(e, "type", "must be post, reel, story, short, video, live or other");
    long n;
    if (!str_to_long(v[DF_QUANTITY], &n) || n < 1 || n > 1000)
        field_error_add(e, "quantity", "must be a whole number from 1 to 1000");
    check_time(e, v[DF_SCHEDULED], DF_SCHEDULED);
    check_time(e, v[DF_WSTART], DF_WSTART);
    check_time(e, v[DF_WEND], DF_WEND);
    if (v[DF_SLA].len && (!str_to_long(v[DF_SLA], &n) || n < 1 || n > 8760))
        field_error_add(e, "sla_hours", "must be a whole number of hours from 1 to 8760");
    if (utf8_length(v[DF_NOTES]) > 10000) field_error_add(e, "notes", "must be at most 10000 characters");
    if (e->n || !v[DF_WSTART].len || !v[DF_WEND].len) return;
    struct dbres *q = db_q(r->db, r->arena, "deliv_window_order", "SELECT deal_local_time($1) > deal_local_time($2)",
                           str_cstr(r->arena, v[DF_WSTART]), str_cstr(r->arena, v[DF_WEND]));
    if (q && db_bool(q, 0, WO_INVERTED))
        field_error_add(e, "posting_window_end", "must not be before the posting window opens");
}

static const char *nz(struct request *r, str s) { return s.len ? str_cstr(r->arena, s) : NULL; }

/* ---- writes ---- */

/* History rows for the fields that changed between old (NULL: created) and the row now. */
static int deliv_history(struct request *r, str id, const struct dbres *old, const struct dbres *now,
                         const int *cols, const char *const *names, int n)
{
    str o[DF_COUNT + 4], v[DF_COUNT + 4];
    for (int i = 0; i < n; i++) {
        o[i] = old && !db_isnull(old, 0, cols[i]) ? db_val(old, 0, cols[i]) : STR_NULL;
        v[i] = db_isnull(now, 0, cols[i]) ? STR_NULL : db_val(now, 0, cols[i]);
        if (o[i].ptr && !o[i].len) o[i] = STR_NULL;
        if (v[i].ptr && !v[i].len) v[i] = STR_NULL;
    }
    return deal_history_diff(r, "deliverable", id, names, o, v, n);
}

static int deliv_after_write(struct request *r, str id, const struct dbres *old, const struct dbres *now)
{
    int rc = deliv_history(r, id, old, now, df_cols, df_names, DF_COUNT);
    if (!rc && !old) rc = deal_history_event(r, "deliverable", id, "create");
    return rc ? rc : deal_risk_refresh(r, db_val(now, 0, DV_DEAL_ID));
}

/* The column of deliv_insert: the new deliverable's id. */
enum { DI_ID };

/* Inserts; returns 0 and *row (the new deliverable), or an HTTP status. */
static int deliv_insert(struct request *r, str deal_id, const str v[DF_COUNT], struct dbres **row)
{
    struct dbres *q = db_q(r->db, r->arena, "deliv_insert",
                           "INSERT INTO deliverables (org_id, deal_id, platform, type, quantity, scheduled_at,"
                           " posting_window_start, posting_window_end, sla_hours, notes)"
                           " VALUES (app_org_id(), $1, $2, $3, $4::int, deal_local_time($5), deal_local_time($6),"
                           " deal_local_time($7), $8::int, $9) RETURNING id",
                           str_cstr(r->arena, deal_id), str_cstr(r->arena, v[DF_PLATFORM]),
                           str_cstr(r->arena, v[DF_TYPE]), str_cstr(r->arena, v[DF_QUANTITY]), nz(r, v[DF_SCHEDULED]),
                           nz(r, v[DF_WSTART]), nz(r, v[DF_WEND]), nz(r, v[DF_SLA]), str_cstr(r->arena, v[DF_NOTES]));
    if (!q) return app_db_status(r);
    int st;
    *row = deliv_load(r, db_val(q, 0, DI_ID), false, &st);
    return *row ? deliv_after_write(r, db_val(q, 0, DI_ID), NULL, *row) : st;
}

/* Updates the editable fields of the locked row old (its version checked by the caller). */
static int deliv_update(struct request *r, const struct dbres *old, const str v[DF_COUNT], str reason, struct dbres **row)
{
    str id = db_val(old, 0, DV_ID);
    /* Before the UPDATE: it reads the dates being replaced. */
    int rc = deliverable_reschedules_record(r, id, v[DF_SCHEDULED], v[DF_WEND], reason);
    if (rc) return rc;
    struct dbres *q = db_q(r->db, r->arena, "deliv_update",
                           "UPDATE deliverables SET platform = $2, type = $3, quantity = $4::int,"
                           " scheduled_at = deal_local_time($5), posting_window_start = deal_local_time($6),"
                           " posting_window_end = deal_local_time($7), sla_hours = $8::int, notes = $9,"
                           " version = version + 1, updated_at = now() WHERE org_id = app_org_id() AND id = $1 AND deleted_at IS NULL",
                           str_cstr(r->arena, id), str_cstr(r->arena, v[DF_PLATFORM]), str_cstr(r->arena, v[DF_TYPE]),
                           str_cstr(r->arena, v[DF_QUANTITY]), nz(r, v[DF_SCHEDULED]), nz(r, v[DF_WSTART]),
                           nz(r, v[DF_WEND]), nz(r, v[DF_SLA]), str_cstr(r->arena, v[DF_NOTES]));
    if (!q) return app_db_status(r);
    int st;
    *row = deliv_load(r, id, false, &st);
    return *row ? deliv_after_write(r, id, old, *row) : st;
}

/* ---- state actions ---- */

enum deliv_action { DA_SUBMIT, DA_APPROVE, DA_REJECT, DA_POSTED, DA_NONE };
static const char *const action_names[] = { "submit", "approve", "reject", "posted" };

/* Why the action is not allowed from the row's state, or NULL when it is. */
static const char *deliv_illegal(enum deliv_action a, const struct dbres *q)
{
    str s = db_val(q, 0, DV_STATUS);
    switch (a) {
    case DA_SUBMIT:
        if (str_eq_cstr(s, "pending_submission") || str_eq_cstr(s, "rejected")) return NULL;
        return "Only a deliverable waiting for submission or rejected can be submitted.";
    case DA_APPROVE:
    case DA_REJECT:
        if (str_eq_cstr(s, "submitted")) return NULL;
        return a == DA_APPROVE ? "Only a submitted deliverable can be approved."
                               : "Only a submitted deliverable can be rejected.";
    case DA_POSTED: return db_bool(q, 0, DV_POSTED) ? "This deliverable is already marked as posted." : NULL;
    case DA_NONE: break;
    }
    return "Unknown action.";
}

struct action_in {
    str reason, posted_at, post_url;
    str feedback; /* the page's feedback text, one item per line */
    /* deliverable_history.c: a rejection's items; a revision's answers and note. */
    struct json_object *items, *answers;
    str note;
};

/* What a reject or a revision (a submit after a rejection) carries beside the
 * state change: read and checked with the other fields. */
static void history_read(struct request *r, enum deliv_action a, const struct dbres *q, struct action_in *in,
                         struct field_errors *e)
{
    if (a == DA_REJECT) deliverable_feedback_read(r, &in->items, e);
    if (a == DA_SUBMIT && str_eq_cstr(db_val(q, 0, DV_STATUS), "rejected"))
        deliverable_revision_read(r, db_val(q, 0, DV_ID), &in->answers, &in->note, e);
}

/* Records them once the state change is written; frees what history_read made. */
static int history_record(struct request *r, str id, struct action_in *in, int st)
{
    if (!st && in->items) st = deliverable_feedback_record(r, id, in->items);
    if (!st && in->answers) st = deliverable_revision_record(r, id, in->answers, in->note);
    if (in->items) json_object_put(in->items);
    if (in->answers) json_object_put(in->answers);
    in->items = in->answers = NULL;
    return st;
}

/* A save that moves a set deadline needs reschedule_reason (kept with the old and
 * new dates); returns 0 or a status, the error on e. */
static int reschedule_check(struct request *r, const struct dbres *q, const str v[DF_COUNT], str *reason,
                            struct field_errors *e)
{
    *reason = str_trim(input_value(r, "reschedule_reason", NULL, e));
    if (utf8_length(*reason) > 2000) field_error_add(e, "reschedule_reason", "must be at most 2000 characters");
    if (e->n) return 0;
    bool moved = false;
    int st = deliverable_deadline_moved(r, db_val(q, 0, DV_ID), v[DF_SCHEDULED], v[DF_WEND], &moved);
    if (st || !moved || reason->len) return st;
    /* The form asks why; a JSON client written before reasons existed (SPEC's PATCH
     * has no such field) keeps working, and the move is still kept, marked so. */
    if (r->json) *reason = STR("(no reason given)");
    else field_error_add(e, "reschedule_reason", "must say why the deadline moves (the old and new dates are kept with it)");
    return st;
}

static void action_validate(enum deliv_action a, const struct action_in *in, struct field_errors *e)
{
    if (a == DA_REJECT) {
        if (in->reason.len == 0) field_error_add(e, "reason", "must say why the deliverable is rejected");
        else if (utf8_length(in->reason) > 2000) field_error_add(e, "reason", "must be at most 2000 characters");
    }
    if (a == DA_POSTED) {
        if (!input_valid_datetime(in->posted_at))
            field_error_add(e, "posted_at", "must be a date and time like 2025-03-10T14:30");
        if (!input_valid_url(in->post_url))
            field_error_add(e, "post_url", "must be the post's link, starting with http:// or https://");
    }
}

/* Applies a legal, valid action; history for the state fields; risk refreshed. */
static int deliv_apply(struct request *r, enum deliv_action a, const struct dbres *old, const struct action_in *in,
                       struct dbres **row)
{
    static const int cols[] = { DV_STATUS, DV_REJECTION, DV_POSTED_LOCAL, DV_POST_URL };
    static const char *const names[] = { "approval_status", "rejection_reason", "posted_at", "post_url" };
    const char *id = db_cstr(old, 0, DV_ID);
    struct dbres *q = NULL;
    if (a == DA_SUBMIT)
        q = db_q(r->db, r->arena, "deliv_submit", "UPDATE deliverables SET approval_status = 'submitted',"
                 " submitted_at = now(), rejection_reason = NULL, version = version + 1, updated_at = now()"
                 " WHERE org_id = app_org_id() AND id = $1", id);
    else if (a == DA_APPROVE)
        q = db_q(r->db, r->arena, "deliv_approve", "UPDATE deliverables SET approval_status = 'approved',"
                 " approved_at = now(), version = version + 1, updated_at = now()"
                 " WHERE org_id = app_org_id() AND id = $1", id);
    else if (a == DA_REJECT)
        q = db_q(r->db, r->arena, "deliv_reject", "UPDATE deliverables SET approval_status = 'rejected',"
                 " rejection_reason = $2, version = version + 1, updated_at = now()"
                 " WHERE org_id = app_org_id() AND id = $1", id,
                 str_cstr(r->arena, in->reason));
    else
        q = db_q(r->db, r->arena, "deliv_posted", "UPDATE deliverables SET posted_at = deal_local_time($2),"
                 " post_url = $3, version = version + 1, updated_at = now()"
                 " WHERE org_id = app_org_id() AND id = $1", id,
                 str_cstr(r->arena, in->posted_at), str_cstr(r->arena, in->post_url));
    if (!q) return app_db_status(r);
    int st;
    *row = deliv_load(r, db_val(old, 0, DV_ID), false, &st);
    if (!*row) return st;
    int rc = deliv_history(r, db_val(old, 0, DV_ID), old, *row, cols, names, 4);
    return rc ? rc : deal_risk_refresh(r, db_val(old, 0, DV_DEAL_ID));
}

/* Loads the deliverable and its deal for a write (404/403 from the deal's rules). */
static int deliv_load_for_write(struct request *r, struct dbres **q, struct deal_row *deal)
{
    int st;
    *q = deliv_load(r, req_path_param(r, "id"), true, &st);
    if (!*q) return st;
    return deal_load_for_write(r, db_val(*q, 0, DV_DEAL_ID), -1, deal);
}

/* ---- pages ---- */

/* The current time for deadline states (0 only if the org row is unreadable). */
static int64_t now_s(struct request *r)
{
    struct org_clock c;
    return org_clock_load(r, &c) == 0 ? c.now : 0;
}

/* What the add or edit form shows: the deal, the deliverable edited (id empty: a new
 * one), the values, the version they are based on, a notice (NULL: none). */
struct deliv_form {
    const struct deal_row *deal;
    str id;
    const str *v;
    long version;
    const char *notice;
    str reason; /* reschedule_reason as typed */
};

static void deliv_form_fields(struct tdict *d, const str v[DF_COUNT], const struct field_errors *e)
{
    form_select(d, "FIELD_PLATFORM", e, "platform", "Platform", platform_options, 4, v[DF_PLATFORM], NULL);
    form_select(d, "FIELD_TYPE", e, "type", "Type", type_options, 7, v[DF_TYPE], NULL);
    form_field(d, "FIELD_QUANTITY", e, "quantity", "Quantity", "number", v[DF_QUANTITY]);
    struct tdict *f = form_field(d, "FIELD_SCHEDULED_AT", e, "scheduled_at", "Scheduled for", "datetime-local", v[DF_SCHEDULED]);
    tdict_set_cstr(tdict_add_section(f, "HINT"), "TEXT", "In the organisation's time zone.");
    form_field(d, "FIELD_POSTING_WINDOW_START", e, "posting_window_start", "Posting window opens", "datetime-local", v[DF_WSTART]);
    f = form_field(d, "FIELD_POSTING_WINDOW_END", e, "posting_window_end", "Posting window closes", "datetime-local", v[DF_WEND]);
    tdict_set_cstr(tdict_add_section(f, "HINT"), "TEXT", "The hard deadline when set.");
    form_field(d, "FIELD_SLA_HOURS", e, "sla_hours", "Approval SLA (hours)", "number", v[DF_SLA]);
    form_set_value(d, "notes", v[DF_NOTES]); /* a textarea, written out by hand */
}

/* form_render_fn: the add or edit form (ctx a struct deliv_form). */
static int render_form(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct deliv_form *f = ctx;
    struct tdict *d = page_dict(r, f->id.len ? "Edit deliverable" : "Add deliverable", "deals/deliverable_form.tpl");
    tdict_set(d, "DEAL_ID", f->deal->id);
    tdict_set(d, "DEAL_TITLE", f->deal->title);
    if (f->id.len) {
        tdict_show(d, "EDIT");
        tdict_set(d, "ID", f->id);
        tdict_set_long(d, "VERSION", f->version);
    } else {
        tdict_show(d, "NEW");
    }
    if (f->notice) tdict_set_cstr(tdict_add_section(d, "NOTICE"), "MSG", f->notice);
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    deliv_form_fields(d, f->v, e);
    form_set_value(d, "reschedule_reason", f->reason.ptr ? f->reason : STR(""));
    return page_render(r, status, d);
}

/* GET /deals/{id}/deliverables/new — the add form (the deal must be writable by the caller). */
int deliverable_new_form(struct request *r)
{
    struct deal_row deal;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &deal);
    if (st) return st;
    str v[DF_COUNT] = { STR("instagram"), STR("post"), STR("1"), STR(""), STR(""), STR(""), STR(""), STR("") };
    return render_form(r, 200, NULL, &(struct deliv_form){ &deal, STR(""), v, 0, NULL, STR("") });
}

/* POST /deals/{id}/deliverables (and its JSON twin) — adds one; invalid input is
 * answered with the form again (400) or the JSON error. */
int deliverable_create(struct request *r)
{
    struct deal_row deal;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &deal);
    if (st) return st;
    str v[DF_COUNT];
    struct field_errors e = { 0 };
    deliv_read(r, NULL, v, &e);
    deliv_validate(r, v, &e);
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_form, &(struct deliv_form){ &deal, STR(""), v, 0, NULL, STR("") });
    struct dbres *row = NULL;
    if ((st = deliv_insert(r, deal.id, v, &row))) return st;
    if (!r->wants_json) return redirect_see_other(r, deal_href(r, deal.id), "ok", "Deliverable added.");
    json_reply_data(r, 201, deliv_json(r, row, 0, now_s(r)));
    return 0;
}

static void row_values(const struct dbres *q, str v[DF_COUNT])
{
    for (int i = 0; i < DF_COUNT; i++) v[i] = db_val(q, 0, df_cols[i]);
}

/* GET /deliverables/{id}/edit — the edit form with the current version. */
int deliverable_edit_form(struct request *r)
{
    struct dbres *q;
    struct deal_row deal;
    int st = deliv_load_for_write(r, &q, &deal);
    if (st) return st;
    str v[DF_COUNT];
    row_values(q, v);
    return render_form(r, 200, NULL, &(struct deliv_form){ &deal, db_val(q, 0, DV_ID), v, db_long(q, 0, DV_VERSION), NULL, STR("") });
}

/* A stale edit, as for deals: JSON 409 with the stored deliverable in
 * error.fields.current, or the edit form again (409) with the stored values, their
 * version and a notice. Nothing is written. Returns REPLIED, or the status the form
 * failed with. */
static int stale_reply(struct request *r, const struct deal_row *deal, const struct dbres *q)
{
    if (r->wants_json) {
        struct json_object *o = deliv_json(r, q, 0, now_s(r));
        int st = deliverable_history_json(r, db_val(q, 0, DV_ID), o); /* as the PATCH answers it */
        if (st) {
            json_object_put(o);
            return st;
        }
        deal_stale_reply_json(r, "deliverable", o);
        return REPLIED;
    }
    str cur[DF_COUNT];
    row_values(q, cur);
    struct deliv_form f = { deal, db_val(q, 0, DV_ID), cur, db_long(q, 0, DV_VERSION), deal_stale_form_notice(r, "deliverable"), STR("") };
    int st = render_form(r, 409, NULL, &f);
    return st ? st : REPLIED;
}

/* true (with *version) when the request carries a version other than the row's. */
static bool is_stale(struct request *r, const struct dbres *q, long *version, struct field_errors *e)
{
    return input_read_version(r, version, true, e) && *version != db_long(q, 0, DV_VERSION);
}

/* POST /deliverables/{id} — saves the edit form with `version`; a stale version
 * re-renders it (409) with the current values and a notice, before any field check. */
int deliverable_update(struct request *r)
{
    struct dbres *q, *row = NULL;
    struct deal_row deal;
    int st = deliv_load_for_write(r, &q, &deal);
    if (st) return st;
    str v[DF_COUNT];
    long version;
    struct field_errors e = { 0 };
    if (is_stale(r, q, &version, &e)) return stale_reply(r, &deal, q);
    deliv_read(r, NULL, v, &e);
    deliv_validate(r, v, &e);
    str reason = STR("");
    if (!e.n && (st = reschedule_check(r, q, v, &reason, &e))) return st;
    if (e.n)
        return field_errors_reply(r, "Some fields are not valid.", &e, render_form,
                                  &(struct deliv_form){ &deal, db_val(q, 0, DV_ID), v, version, NULL, reason });
    if ((st = deliv_update(r, q, v, reason, &row))) return st;
    return redirect_see_other(r, deal_href(r, deal.id), "ok", "Deliverable saved.");
}

static void read_action(struct request *r, struct action_in *in, struct field_errors *e)
{
    in->reason = str_trim(input_value(r, "reason", NULL, e));
    in->posted_at = str_trim(input_value(r, "posted_at", NULL, e));
    in->post_url = str_trim(input_value(r, "post_url", NULL, e));
    in->feedback = r->json ? STR("") : input_value(r, "feedback", NULL, e);
    in->items = in->answers = NULL;
    in->note = STR("");
}

/* What an action form shows: the action, the deliverable, its deal, the values. */
struct action_form {
    enum deliv_action a;
    const struct dbres *q;
    const struct deal_row *deal;
    const struct action_in *in;
};

static void action_fields(struct tdict *d, const struct action_in *in, const struct field_errors *e)
{
    form_set_value(d, "reason", in->reason); /* a textarea, written out by hand */
    form_set_value(d, "feedback", in->feedback);
    form_set_value(d, "revision_note", in->note);
    struct tdict *f = form_field(d, "FIELD_POSTED_AT", e, "posted_at", "Posted at", "datetime-local", in->posted_at);
    tdict_show(f, "REQUIRED");
    f = form_field(d, "FIELD_POST_URL", e, "post_url", "Link to the post", "url", in->post_url);
    tdict_show(f, "REQUIRED");
    tdict_set_cstr(tdict_add_section(f, "PLACEHOLDER"), "TEXT", "https://");
}

/* form_render_fn: the reject or posted form (ctx a struct action_form). */
static int render_action(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct action_form *f = ctx;
    struct tdict *d = page_dict(r, f->a == DA_REJECT ? "Reject deliverable" : f->a == DA_SUBMIT ? "Submit revision"
                                                                                : "Mark deliverable posted",
                                "deals/deliverable_action.tpl");
    tdict_show(d, f->a == DA_REJECT ? "REJECT" : f->a == DA_SUBMIT ? "SUBMIT" : "POSTED");
    if (f->a == DA_SUBMIT) {
        int st = deliverable_open_feedback(r, d, db_val(f->q, 0, DV_ID), f->in->answers);
        if (st) return st;
    }
    tdict_set(d, "ID", db_val(f->q, 0, DV_ID));
    tdict_set(d, "DEAL_ID", f->deal->id);
    tdict_set(d, "DEAL_TITLE", f->deal->title);
    tdict_set(d, "SUMMARY_PLATFORM", db_val(f->q, 0, DV_PLATFORM));
    tdict_set(d, "SUMMARY_TYPE", db_val(f->q, 0, DV_TYPE));
    tdict_set_long(d, "VERSION", db_long(f->q, 0, DV_VERSION));
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    action_fields(d, f->in, e);
    return page_render(r, status, d);
}

/* Answers an action not allowed from the deliverable's state: 409 with why. */
static int illegal_reply(struct request *r, const char *why)
{
    app_error(r, 409, why, NULL);
    return REPLIED;
}

/* Runs an action from a page: a stale version (the action forms send one) → the
 * deal page as it is now with a notice (409), like a stale stage move; illegal → 409;
 * invalid → the form again (400); done → 303 to the deal with a flash. */
static int action_page(struct request *r, enum deliv_action a, const char *done)
{
    struct dbres *q, *row = NULL;
    struct deal_row deal;
    int st = deliv_load_for_write(r, &q, &deal);
    if (st) return st;
    struct action_in in;
    struct field_errors e = { 0 };
    long version;
    if (input_read_version(r, &version, false, &e) && version >= 0 && version != db_long(q, 0, DV_VERSION)) {
        st = deals_show_render(r, 409, deal.id, deal_stale_page_notice(r, "deliverable"));
        return st ? st : REPLIED;
    }
    const char *why = deliv_illegal(a, q);
    if (why) return illegal_reply(r, why);
    read_action(r, &in, &e);
    action_validate(a, &in, &e);
    history_read(r, a, q, &in, &e);
    if (e.n) {
        st = field_errors_reply(r, "Some fields are not valid.", &e, render_action, &(struct action_form){ a, q, &deal, &in });
        history_record(r, STR(""), &in, 1); /* frees what was read */
        return st;
    }
    st = deliv_apply(r, a, q, &in, &row);
    if ((st = history_record(r, db_val(q, 0, DV_ID), &in, st))) return st;
    return redirect_see_other(r, deal_href(r, deal.id), "ok", done);
}

/* GET /deliverables/{id}/reject and /posted — the forms those actions need. */
static int action_form(struct request *r, enum deliv_action a)
{
    struct dbres *q;
    struct deal_row deal;
    int st = deliv_load_for_write(r, &q, &deal);
    if (st) return st;
    const char *why = deliv_illegal(a, q);
    if (why) return illegal_reply(r, why);
    struct action_in in = { STR(""), STR(""), STR(""), STR(""), NULL, NULL, STR("") };
    return render_action(r, 200, NULL, &(struct action_form){ a, q, &deal, &in });
}

/* GET /deliverables/{id}/submit — a revision after a rejection: which feedback items
 * it answers, and a note. */
int deliverable_submit_form(struct request *r) { return action_form(r, DA_SUBMIT); }
/* POST /deliverables/{id}/submit — sent to the brand for approval; after a rejection
 * it is a revision: answers (feedback item ids, repeated) and revision_note. */
int deliverable_submit(struct request *r) { return action_page(r, DA_SUBMIT, "Deliverable submitted for approval."); }
/* POST /deliverables/{id}/approve — the brand approved it. */
int deliverable_approve(struct request *r) { return action_page(r, DA_APPROVE, "Deliverable approved."); }
/* GET /deliverables/{id}/reject — asks for the reason. */
int deliverable_reject_form(struct request *r) { return action_form(r, DA_REJECT); }
/* POST /deliverables/{id}/reject — reason (required), feedback (one item a line). */
int deliverable_reject(struct request *r) { return action_page(r, DA_REJECT, "Deliverable rejected."); }
/* GET /deliverables/{id}/posted — asks for the time and the link. */
int deliverable_posted_form(struct request *r) { return action_form(r, DA_POSTED); }
/* POST /deliverables/{id}/posted — posted_at, post_url (http or https). */
int deliverable_posted(struct request *r) { return action_page(r, DA_POSTED, "Deliverable marked as posted."); }

/* ---- JSON ---- */

/* GET /api/v1/deliverables/{id} — one deliverable with its deadline state; one of a
 * deleted deal for managers and admins only (deal_readable). */
int api_deliverable_show(struct request *r)
{
    int st;
    struct dbres *q = deliv_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if ((st = deal_readable(r, db_val(q, 0, DV_DEAL_ID)))) return st;
    struct json_object *o = deliv_json(r, q, 0, now_s(r));
    if ((st = deliverable_history_json(r, db_val(q, 0, DV_ID), o))) {
        json_object_put(o);
        return st;
    }
    json_reply_data(r, 200, o);
    return 0;
}

static enum deliv_action parse_action(str s)
{
    for (int i = 0; i < DA_NONE; i++)
        if (str_eq_cstr(s, action_names[i])) return (enum deliv_action)i;
    return DA_NONE;
}

/* PATCH /api/v1/deliverables/{id} — version (required) and any editable fields, or
 * "action": submit|approve|reject (+ reason)|posted (+ posted_at, post_url). */
int api_deliverable_patch(struct request *r)
{
    struct dbres *q, *row = NULL;
    struct deal_row deal;
    int st = deliv_load_for_write(r, &q, &deal);
    if (st) return st;
    struct field_errors e = { 0 };
    long version;
    bool has_action;
    str action = input_value(r, "action", &has_action, &e);
    if (is_stale(r, q, &version, &e)) return stale_reply(r, &deal, q);
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, NULL, NULL);
    if (has_action) {
        enum deliv_action a = parse_action(action);
        if (a == DA_NONE) field_error_add(&e, "action", "must be submit, approve, reject or posted");
        if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, NULL, NULL);
        const char *why = deliv_illegal(a, q);
        if (why) return illegal_reply(r, why);
        struct action_in in;
        read_action(r, &in, &e);
        action_validate(a, &in, &e);
        history_read(r, a, q, &in, &e);
        if (e.n) {
            history_record(r, STR(""), &in, 1);
            return field_errors_reply(r, "Some fields are not valid.", &e, NULL, NULL);
        }
        st = history_record(r, db_val(q, 0, DV_ID), &in, deliv_apply(r, a, q, &in, &row));
    } else {
        str v[DF_COUNT];
        deliv_read(r, q, v, &e);
        deliv_validate(r, v, &e);
        str reason = STR("");
        if (!e.n && (st = reschedule_check(r, q, v, &reason, &e))) return st;
        if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, NULL, NULL);
        st = deliv_update(r, q, v, reason, &row);
    }
    if (st) return st;
    struct json_object *o = deliv_json(r, row, 0, now_s(r));
    if ((st = deliverable_history_json(r, db_val(row, 0, DV_ID), o))) {
        json_object_put(o);
        return st;
    }
    json_reply_data(r, 200, o);
    return 0;
}

/* GET /api/v1/deals/{id}/deliverables — the deal's live deliverables, soonest first;
 * a deleted deal's for managers and admins only (deal_readable). */
int api_deal_deliverables(struct request *r)
{
    str deal_id = req_path_param(r, "id");
    int st = deal_readable(r, deal_id);
    if (st) return st;
    struct dbres *q = db_q(r->db, r->arena, "deliv_of_deal",
                           DV_SELECT " WHERE d.deal_id = $1 AND d.org_id = app_org_id() AND d.deleted_at IS NULL"
                           " ORDER BY d.scheduled_at NULLS LAST, d.created_at, d.id", str_cstr(r->arena, deal_id));
    if (!q) return app_db_status(r);
    int64_t now = now_s(r);
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(q); i++) json_object_array_add(a, deliv_json(r, q, i, now));
    json_reply_list(r, a, STR_NULL);
    return 0;
}
