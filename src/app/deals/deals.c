/* deals.c — the deals list and the deleted list (page, JSON, CSV export), the
 * pipeline board and the deal page (page and JSON). Each resource is loaded into a
 * struct once, then rendered as a page or as JSON. Writes are in deal_write.c; the
 * list's parameters are declared in deal_filters.c and its SQL is in deals_sql.c. */
#include "deals.h"

#include <json-c/json.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/deadline.h"
#include "../../domain/deal_stage.h"
#include "../../domain/exclusivity.h"
#include "../../domain/money.h"
#include "../../domain/payment_status.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/csv.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/org_clock.h"
#include "affiliate.h"
#include "config.h"
#include "deal_common.h"
#include "deal_filters.h"
#include "deal_notes.h"
#include "deal_terms.h"
#include "deals_sql.h"
#include "installments.h"
#include "deliverable_history.h"

#define EXPORT_BATCH 1000
#define BOARD_PER_STAGE 30 /* cards per column; the list has the rest, linked */
#define BOARD_NEXT_CHARS 80 /* of the next action on a card (sql/0038 keeps one more) */

static const char *org_tz(struct request *r) { return str_cstr(r->arena, r->session->org_timezone); }

/* ---- formatting ---- */

static str money_display(struct arena *a, str minor, str currency)
{
    long v;
    const struct currency *cur = money_currency(currency);
    struct buf b;
    buf_init(&b, a, 32);
    if (cur && str_to_long(minor, &v)) money_format_display(&b, v, cur);
    else buf_put(&b, minor);
    return buf_str(&b);
}

static str stage_label(str name)
{
    enum deal_stage s;
    return deal_stage_parse(name, &s) ? str_from(deal_stage_label(s)) : name;
}

/* Adds one section per element of a JSON array of strings. */
static void json_list_sections(struct arena *a, struct tdict *d, const char *section, str json)
{
    struct json_object *arr = json_tokener_parse(str_cstr(a, json));
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
        tdict_set_cstr(tdict_add_section(d, section), "ITEM", json_object_get_string(json_object_array_get_idx(arr, i)));
    if (arr) json_object_put(arr);
}

void deals_tabs(struct tdict *d, const char *current)
{
    static const char *const tabs[][3] = {
        { "list", "/deals", "List" }, { "board", "/deals/board", "Board" },
        { "forecast", "/deals/forecast", "Forecast" }, { "brands", "/brands", "Brands" },
    };
    for (size_t i = 0; i < sizeof tabs / sizeof *tabs; i++) {
        struct tdict *t = tdict_add_section(d, "TAB");
        tdict_set_cstr(t, "TAB_HREF", tabs[i][1]);
        tdict_set_cstr(t, "TAB_LABEL", tabs[i][2]);
        if (!strcmp(current, tabs[i][0])) tdict_show(t, "TAB_CURRENT");
    }
}

/* ---- JSON ---- */

static void add_nullable(struct json_object *o, const char *key, str v) { json_add_str(o, key, v.len ? v : STR_NULL); }

static void add_raw_json(struct json_object *o, const char *key, str json)
{
    json_object_object_add(o, key, json_tokener_parse(json.ptr ? json.ptr : "null"));
}

static void add_number_or_null(struct json_object *o, const char *key, str v)
{
    long n;
    json_object_object_add(o, key, str_to_long(v, &n) ? json_object_new_int64(n) : NULL);
}

static struct json_object *exclusivity_json(const struct dbres *res, int row)
{
    if (!db_val(res, row, DC_EX_CAT).len) return NULL;
    struct json_object *ex = json_object_new_object();
    json_add_str(ex, "category", db_val(res, row, DC_EX_CAT));
    add_raw_json(ex, "platforms", db_val(res, row, DC_EX_PLAT));
    json_add_str(ex, "start", db_val(res, row, DC_EX_START));
    json_add_str(ex, "end", db_val(res, row, DC_EX_END));
    return ex;
}

struct json_object *deal_json(const struct dbres *res, int row)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(res, row, DC_ID));
    json_add_str(o, "title", db_val(res, row, DC_TITLE));
    json_add_str(o, "brand_id", db_val(res, row, DC_BRAND_ID));
    json_add_str(o, "brand_name", db_val(res, row, DC_BRAND_NAME));
    add_nullable(o, "owner_id", db_val(res, row, DC_OWNER_ID));
    json_add_str(o, "stage", db_val(res, row, DC_STAGE));
    json_add_str(o, "contract_status", db_val(res, row, DC_CONTRACT));
    json_add_str(o, "deal_type", db_val(res, row, DC_TYPE));
    struct json_object *value = json_object_new_object();
    add_number_or_null(value, "amount_minor", db_val(res, row, DC_VALUE));
    json_add_str(value, "currency", db_val(res, row, DC_CURRENCY));
    json_object_object_add(o, "value", value);
    json_add_str(o, "risk_level", db_val(res, row, DC_RISK));
    add_raw_json(o, "risk_reasons", db_val(res, row, DC_REASONS));
    json_add_str(o, "next_action", db_val(res, row, DC_NEXT));
    add_nullable(o, "next_action_due_at", db_val(res, row, DC_NEXT_DUE));
    add_raw_json(o, "tags", db_val(res, row, DC_TAGS));
    add_raw_json(o, "categories", db_val(res, row, DC_CATEGORIES));
    add_nullable(o, "usage_rights_start", db_val(res, row, DC_UR_START));
    add_nullable(o, "usage_rights_end", db_val(res, row, DC_UR_END));
    json_object_object_add(o, "exclusivity", exclusivity_json(res, row));
    add_number_or_null(o, "revision_limit", db_val(res, row, DC_REV_LIMIT));
    add_number_or_null(o, "revisions_used", db_val(res, row, DC_REV_USED));
    json_add_bool(o, "archived", db_bool(res, row, DC_ARCHIVED));
    json_add_bool(o, "deleted", db_bool(res, row, DC_DELETED));
    json_add_long(o, "version", db_long(res, row, DC_VERSION));
    json_add_str(o, "created_at", db_val(res, row, DC_CREATED));
    json_add_str(o, "updated_at", db_val(res, row, DC_UPDATED));
    return o;
}

/* ---- the deal, loaded once for its page or its JSON ---- */

enum deliverable_col { DV_ID, DV_PLATFORM, DV_TYPE, DV_QUANTITY, DV_POSTED, DV_SCHEDULED, DV_WINDOW_END, DV_APPROVAL };
#define DELIVERABLES_SQL                                                                                         \
    "SELECT id, platform, type, quantity, posted_at IS NOT NULL, extract(epoch FROM scheduled_at)::bigint,"      \
    " extract(epoch FROM posting_window_end)::bigint, approval_status FROM deliverables"                         \
    " WHERE deal_id = $1::uuid AND org_id = app_org_id() AND deleted_at IS NULL"                                 \
    " ORDER BY coalesce(posting_window_end, scheduled_at) NULLS LAST, id"

enum payment_col { PM_ID, PM_KIND, PM_AMOUNT, PM_CURRENCY, PM_EXPECTED, PM_PAID, PM_INVOICED, PM_DISPUTED, PM_EXPECTED_DAY };
#define PAYMENTS_SQL                                                                                             \
    "SELECT id, kind, amount_minor, currency, coalesce(expected_at::text, ''), paid_minor,"                      \
    " invoice_sent_at IS NOT NULL, disputed, (expected_at - date '1970-01-01') FROM payments"                    \
    " WHERE deal_id = $1::uuid AND org_id = app_org_id() AND deleted_at IS NULL ORDER BY expected_at NULLS LAST, id"

enum history_col { HS_WHEN, HS_WHO, HS_ENTITY, HS_ACTION, HS_FIELD, HS_OLD, HS_NEW, HS_AT, HS_OLD_NULL, HS_NEW_NULL };
#define HISTORY_SQL                                                                                              \
    "SELECT to_char(h.at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI'), coalesce(u.name, h.actor), h.entity,"         \
    " h.action, h.field, h.old_value, h.new_value, to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"\
    " h.old_value IS NULL, h.new_value IS NULL"                                                                   \
    " FROM deal_history h LEFT JOIN users u ON u.org_id = h.org_id AND u.id = h.user_id"                        \
    " WHERE h.org_id = app_org_id() AND h.deal_id = $1::uuid ORDER BY h.at DESC, h.id DESC LIMIT 200"

/* A deal with (detail) its children, history and exclusivity conflicts. */
struct deal_view {
    struct dbres *deal; /* one row, deals_sql.h's columns */
    bool detail;
    struct dbres *deliverables, *payments, *history;
    struct exclusivity_conflict *conflicts;
    size_t n_conflicts;
    struct org_clock clock;
    str note_typed;                         /* a refused note, shown again */
    const struct field_errors *note_errors; /* its messages (NULL: none) */
};

static int detail_load(struct request *r, str id, struct deal_view *v)
{
    const char *cid = str_cstr(r->arena, id);
    int st = org_clock_load(r, &v->clock);
    if (st) return st;
    v->deliverables = db_q(r->db, r->arena, "deal_show_deliverables", DELIVERABLES_SQL, cid);
    v->payments = db_q(r->db, r->arena, "deal_show_payments", PAYMENTS_SQL, cid);
    v->history = db_q(r->db, r->arena, "deal_show_history", HISTORY_SQL, cid, org_tz(r));
    if (!v->deliverables || !v->payments || !v->history) return app_db_status(r);
    v->n_conflicts = deal_exclusivity_conflicts(r, id, &v->conflicts);
    return 0;
}

/* Loads the deal id of the org into *v; 0, 404 or the database's status. A deleted
 * deal is loaded for managers and admins only: to anyone else it is 404, like an id
 * that does not exist (deal_may_read_deleted). */
static int deal_view_load(struct request *r, str id, bool detail, struct deal_view *v)
{
    *v = (struct deal_view){ .detail = detail };
    if (!str_is_uuid(id)) return 404;
    v->deal = deals_one_query(r->db, r->arena, str_cstr(r->arena, id));
    if (!v->deal) return app_db_status(r);
    if (db_rows(v->deal) != 1) return 404;
    if (db_bool(v->deal, 0, DC_DELETED) && !deal_may_read_deleted(r)) return 404;
    return detail ? detail_load(r, db_val(v->deal, 0, DC_ID), v) : 0;
}

static enum deadline_state deliverable_state(const struct dbres *res, int i, int64_t now, struct buf *reason)
{
    struct deadline_input in = {
        .posted = db_bool(res, i, DV_POSTED),
        .has_scheduled = !db_isnull(res, i, DV_SCHEDULED), .scheduled_at = db_long(res, i, DV_SCHEDULED),
        .has_window_end = !db_isnull(res, i, DV_WINDOW_END), .window_end = db_long(res, i, DV_WINDOW_END),
    };
    return deadline_evaluate(&in, now, reason);
}

static enum payment_status payment_state(const struct dbres *res, int i, const struct org_clock *c)
{
    struct payment_facts p = {
        .amount_minor = db_long(res, i, PM_AMOUNT), .paid_minor = db_long(res, i, PM_PAID),
        .has_expected = !db_isnull(res, i, PM_EXPECTED_DAY), .expected_day = db_long(res, i, PM_EXPECTED_DAY),
        .invoice_sent = db_bool(res, i, PM_INVOICED),
    };
    return payment_status_derive(&p, c->now, c->utc_offset_s);
}

/* ---- the deal as JSON ---- */

static struct json_object *deliverables_json(struct request *r, const struct deal_view *v)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(v->deliverables); i++) {
        struct json_object *e = json_object_new_object();
        struct buf reason;
        buf_init(&reason, r->arena, 32);
        enum deadline_state s = deliverable_state(v->deliverables, i, v->clock.now, &reason);
        json_add_str(e, "id", db_val(v->deliverables, i, DV_ID));
        json_add_str(e, "platform", db_val(v->deliverables, i, DV_PLATFORM));
        json_add_str(e, "type", db_val(v->deliverables, i, DV_TYPE));
        json_add_long(e, "quantity", db_long(v->deliverables, i, DV_QUANTITY));
        json_add_cstr(e, "deadline_state", deadline_state_name(s));
        json_add_str(e, "deadline_reason", buf_str(&reason));
        json_add_str(e, "approval_status", db_val(v->deliverables, i, DV_APPROVAL));
        json_object_array_add(a, e);
    }
    return a;
}

static struct json_object *payments_json(const struct deal_view *v)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(v->payments); i++) {
        struct json_object *e = json_object_new_object(), *amt = json_object_new_object();
        json_add_str(e, "id", db_val(v->payments, i, PM_ID));
        json_add_str(e, "kind", db_val(v->payments, i, PM_KIND));
        json_add_long(amt, "amount_minor", db_long(v->payments, i, PM_AMOUNT));
        json_add_str(amt, "currency", db_val(v->payments, i, PM_CURRENCY));
        json_object_object_add(e, "amount", amt);
        add_nullable(e, "expected_at", db_val(v->payments, i, PM_EXPECTED));
        json_add_cstr(e, "status", payment_status_name(payment_state(v->payments, i, &v->clock)));
        json_add_bool(e, "disputed", db_bool(v->payments, i, PM_DISPUTED));
        json_object_array_add(a, e);
    }
    return a;
}

static struct json_object *conflicts_json(const struct deal_view *v)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < v->n_conflicts; i++) {
        struct json_object *e = json_object_new_object();
        json_add_str(e, "deal_id", v->conflicts[i].other->id);
        json_add_str(e, "title", v->conflicts[i].other->title);
        json_add_str(e, "reason", v->conflicts[i].reason);
        json_object_array_add(a, e);
    }
    return a;
}

static struct json_object *history_json(const struct deal_view *v)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(v->history); i++) {
        struct json_object *e = json_object_new_object();
        json_add_str(e, "at", db_val(v->history, i, HS_AT));
        json_add_str(e, "actor", db_val(v->history, i, HS_WHO));
        json_add_str(e, "entity", db_val(v->history, i, HS_ENTITY));
        json_add_str(e, "action", db_val(v->history, i, HS_ACTION));
        json_add_str(e, "field", db_val(v->history, i, HS_FIELD));
        json_add_str(e, "old_value", db_bool(v->history, i, HS_OLD_NULL) ? STR_NULL : db_val(v->history, i, HS_OLD));
        json_add_str(e, "new_value", db_bool(v->history, i, HS_NEW_NULL) ? STR_NULL : db_val(v->history, i, HS_NEW));
        json_object_array_add(a, e);
    }
    return a;
}

static struct json_object *deal_view_json(struct request *r, const struct deal_view *v)
{
    struct json_object *o = deal_json(v->deal, 0);
    if (!v->detail) return o;
    json_object_object_add(o, "deliverables", deliverables_json(r, v));
    json_object_object_add(o, "payments", payments_json(v));
    json_object_object_add(o, "conflicts", conflicts_json(v));
    json_object_object_add(o, "history", history_json(v));
    json_object_object_add(o, "terms", deal_terms_json_of(r, db_val(v->deal, 0, DC_ID)));
    return o;
}

struct json_object *deal_json_by_id(struct request *r, str id, bool detail, int *status)
{
    struct deal_view v;
    *status = deal_view_load(r, id, detail, &v);
    return *status ? NULL : deal_view_json(r, &v);
}

/* ---- the lists ---- */

struct deal_page {
    struct dbres *rows;
    int n;
    str next_cursor;
};

static int page_load(struct request *r, const struct deal_filter *f, struct deal_page *p)
{
    p->rows = deals_list_query(r->db, r->arena, f, org_tz(r), f->has_cursor ? &f->cursor : NULL, f->limit + 1);
    if (!p->rows) return app_db_status(r);
    p->n = db_rows(p->rows) > f->limit ? (int)f->limit : db_rows(p->rows);
    p->next_cursor = STR_NULL;
    if (db_rows(p->rows) > f->limit) {
        struct list_cursor c = deals_cursor_of(p->rows, p->n - 1, f->sort);
        p->next_cursor = deal_cursor_encode(r->arena, app_secret(r), &c);
    }
    return 0;
}

static const char *list_path(const struct deal_filter *f) { return f->deleted ? "/deals/deleted" : "/deals"; }

/* path?<the filters but skip>[&cursor=...], NUL-terminated in the arena. */
static const char *list_url(struct request *r, const char *path, const struct deal_filter *f, uint64_t skip, str cursor)
{
    struct buf qs, u;
    buf_init(&qs, r->arena, 256);
    deal_filter_query_string(f, skip, &qs);
    if (cursor.len) {
        if (qs.len) buf_putc(&qs, '&');
        buf_puts(&qs, "cursor=");
        buf_url_arg(&qs, cursor);
    }
    buf_init(&u, r->arena, qs.len + 32);
    buf_puts(&u, path);
    if (qs.len) buf_putc(&u, '?'), buf_put(&u, buf_str(&qs));
    return buf_cstr(&u);
}

/* A card or row: the fields the list and the board show. */
static void fill_deal(struct request *r, struct tdict *t, const struct dbres *res, int i)
{
    tdict_set(t, "ID", db_val(res, i, DC_ID));
    tdict_set(t, "TITLE", db_val(res, i, DC_TITLE));
    tdict_set(t, "BRAND", db_val(res, i, DC_BRAND_NAME));
    tdict_set(t, "OWNER", db_val(res, i, DC_OWNER_NAME));
    tdict_set(t, "STAGE", db_val(res, i, DC_STAGE));
    tdict_set(t, "STAGE_LABEL", stage_label(db_val(res, i, DC_STAGE)));
    tdict_set(t, "VALUE", money_display(r->arena, db_val(res, i, DC_VALUE), db_val(res, i, DC_CURRENCY)));
    tdict_set(t, "RISK", db_val(res, i, DC_RISK));
    tdict_set(t, "NEXT", db_val(res, i, DC_NEXT));
    tdict_set(t, "NEXT_DUE", db_val(res, i, DC_NEXT_DUE));
    tdict_set(t, "NEXT_DUE_LOCAL", db_val(res, i, DC_NEXT_DUE_LOCAL));
    tdict_set_long(t, "VERSION", db_long(res, i, DC_VERSION));
    if (db_val(res, i, DC_NEXT_DUE).len) tdict_show(t, "HAS_DUE");
    if (db_bool(res, i, DC_ARCHIVED)) tdict_show(t, "ARCHIVED");
    json_list_sections(r->arena, t, "TAG", db_val(res, i, DC_TAGS));
}

/* The filter form: its fields with what was typed and their messages. */
static void fill_filter_form(struct request *r, struct tdict *d, const struct deal_filter *f, const struct field_errors *e)
{
    static const struct form_option risks[] = { { "low", "low" }, { "med", "med" }, { "high", "high" } };
    static const struct form_option sorts[] = { { "", "Recently updated" }, { "value", "Value" }, { "due", "Next action due" } };
    const struct param_value *v = f->v;
    form_field(d, "F_Q", e, "q", "Title or brand", "search", v[DP_Q].raw);
    struct tdict *stage = form_select(d, "F_STAGE", e, "stage", "Stage", NULL, 0, v[DP_STAGE].raw, "Any");
    for (int s = 0; s < DEAL_STAGE_COUNT; s++)
        form_select_add(stage, str_from(deal_stage_name((enum deal_stage)s)), str_from(deal_stage_label((enum deal_stage)s)),
                        v[DP_STAGE].raw);
    struct tdict *brand = form_select(d, "F_BRAND", e, "brand_id", "Brand", NULL, 0, v[DP_BRAND_ID].raw, "Any");
    struct tdict *owner = form_select(d, "F_OWNER", e, "owner_id", "Owner", NULL, 0, v[DP_OWNER_ID].raw, "Anyone");
    deal_people_options(r, brand, owner, v[DP_BRAND_ID].raw, v[DP_OWNER_ID].raw);
    form_select(d, "F_RISK", e, "risk", "Risk", risks, 3, v[DP_RISK].raw, "Any");
    tdict_set_cstr(tdict_add_section(form_field(d, "F_MIN", e, "min_value", "Min value (cents)", "text", v[DP_MIN_VALUE].raw),
                                     "INPUTMODE"), "MODE", "numeric");
    tdict_set_cstr(tdict_add_section(form_field(d, "F_MAX", e, "max_value", "Max value (cents)", "text", v[DP_MAX_VALUE].raw),
                                     "INPUTMODE"), "MODE", "numeric");
    form_field(d, "F_DUE", e, "due_before", "Next action due before", "date", v[DP_DUE_BEFORE].raw);
    form_field(d, "F_TAG", e, "tag", "Tag", "text", v[DP_TAG].raw);
    form_select(d, "F_SORT", e, "sort", "Sort by", sorts, 3, v[DP_SORT].raw, NULL);
    form_errors(d, e, "filter-errors", "Some filters could not be used:");
    if (f->archived) tdict_show(d, "ARCHIVED_CHECKED");
}

/* The list page; p NULL: the filters are refused (e), no rows. */
static int list_render(struct request *r, int status, const struct deal_filter *f, const struct field_errors *e,
                       const struct deal_page *p)
{
    const char *path = list_path(f);
    struct tdict *d = page_dict(r, f->deleted ? "Deleted deals" : "Deals", "deals/list.tpl");
    deals_tabs(d, "list");
    tdict_set_cstr(d, "HEADING", f->deleted ? "Deleted deals" : "Deals");
    tdict_set_cstr(d, "LIST_PATH", path);
    fill_filter_form(r, d, f, e);
    if (r->session->role >= ROLE_MANAGER) tdict_show(d, "CAN_CREATE");
    if (r->session->role >= ROLE_MANAGER && !f->deleted) tdict_show(d, "CAN_SEE_DELETED");
    if (!f->deleted)
        tdict_set_cstr(tdict_add_section(d, "EXPORT"), "EXPORT_URL",
                       list_url(r, "/deals/export.csv", f, (1u << DP_CURSOR) | (1u << DP_LIMIT), STR_NULL));
    for (int i = 0; p && i < p->n; i++) fill_deal(r, tdict_add_section(d, "ROW"), p->rows, i);
    if (p) tdict_show(d, p->n ? "HAS_ROWS" : "EMPTY");
    const char *next = p && p->next_cursor.len ? list_url(r, path, f, 1u << DP_CURSOR, p->next_cursor) : NULL;
    form_pager(d, f->has_cursor ? list_url(r, path, f, 1u << DP_CURSOR, STR_NULL) : NULL, next);
    return page_render(r, status, d);
}

static int list_form_again(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    return list_render(r, status, ctx, e, NULL);
}

/* Reads the filters of the live list or (deleted) the deleted list: 0, or REPLIED
 * when refused (the page with messages at the fields, or the JSON error). */
static int filters_or_reply(struct request *r, bool deleted, struct deal_filter *f)
{
    struct field_errors e = { 0 };
    const char *deleted_href = r->wants_json ? "/api/v1/deals/deleted" : "/deals/deleted";
    if (!deal_filter_parse(r->arena, &r->query, app_secret(r), deleted, deleted_href, f, &e)) return 0;
    return field_errors_reply(r, "Some filters are not valid.", &e, list_form_again, f);
}

static int list_page(struct request *r, bool deleted)
{
    struct deal_filter f;
    struct deal_page p;
    int st = filters_or_reply(r, deleted, &f);
    if (!st) st = page_load(r, &f, &p);
    return st ? st : list_render(r, 200, &f, NULL, &p);
}

static int list_json(struct request *r, bool deleted)
{
    struct deal_filter f;
    struct deal_page p;
    int st = filters_or_reply(r, deleted, &f);
    if (!st) st = page_load(r, &f, &p);
    if (st) return st;
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < p.n; i++) json_object_array_add(a, deal_json(p.rows, i));
    json_reply_list(r, a, p.next_cursor);
    return 0;
}

/*
 * GET /deals — the deals list. Parameters (all optional, "" = absent; deal_filters.c):
 *   q            title or brand name contains (<= 200 chars)
 *   stage        one stage; brand_id, owner_id  uuids; risk  low|med|high
 *   min_value, max_value  minor units (whole numbers >= 0), min <= max
 *   due_before   YYYY-MM-DD: next action due before that day (org zone)
 *   tag          deals carrying this tag
 *   archived     true: include archived deals (hidden by default)
 *   deleted      refused when true (400 naming /deals/deleted, the deleted list)
 *   sort         updated (default) | value | due;  limit 1..200 (50);  cursor
 */
int deals_list(struct request *r) { return list_page(r, false); }

/* GET /deals/deleted (managers, admins) — the soft-deleted deals, to restore; the
 * same parameters. */
int deals_deleted_list(struct request *r) { return list_page(r, true); }

/* GET /api/v1/deals — the same parameters; {"data":[deal...],"next_cursor":...}. */
int api_deals_list(struct request *r) { return list_json(r, false); }

/* GET /api/v1/deals/deleted (managers, admins) — the deleted list as JSON. */
int api_deals_deleted_list(struct request *r) { return list_json(r, true); }

/* ---- CSV export ---- */

static const char *const csv_header =
    "id,title,brand,owner,stage,contract_status,deal_type,value,currency,risk_level,next_action,"
    "next_action_due_at,tags,archived,updated_at\r\n";

static void csv_row(struct arena *a, struct buf *b, const struct dbres *res, int i)
{
    static const int cols[] = { DC_ID, DC_TITLE, DC_BRAND_NAME, DC_OWNER_NAME, DC_STAGE, DC_CONTRACT, DC_TYPE };
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
        csv_field(b, db_val(res, i, cols[c]));
        buf_putc(b, ',');
    }
    long v = db_long(res, i, DC_VALUE);
    const struct currency *cur = money_currency(db_val(res, i, DC_CURRENCY));
    if (cur) money_format_plain(b, v, cur);
    buf_putc(b, ',');
    csv_field(b, db_val(res, i, DC_CURRENCY));
    buf_putc(b, ',');
    csv_field(b, db_val(res, i, DC_RISK));
    buf_putc(b, ',');
    csv_field(b, db_val(res, i, DC_NEXT));
    buf_putc(b, ',');
    csv_field(b, db_val(res, i, DC_NEXT_DUE));
    buf_putc(b, ',');
    struct json_object *tags = json_tokener_parse(db_cstr(res, i, DC_TAGS));
    struct buf t;
    buf_init(&t, a, 64);
    for (size_t k = 0; tags && k < json_object_array_length(tags); k++) {
        if (k) buf_puts(&t, "; ");
        buf_puts(&t, json_object_get_string(json_object_array_get_idx(tags, k)));
    }
    if (tags) json_object_put(tags);
    csv_field(b, buf_str(&t));
    buf_puts(b, db_bool(res, i, DC_ARCHIVED) ? ",true," : ",false,");
    csv_field(b, db_val(res, i, DC_UPDATED));
    buf_puts(b, "\r\n");
}

static int export_audit(struct request *r, const struct deal_filter *f)
{
    struct json_object *detail = json_object_new_object(), *filters = json_object_new_object();
    for (int i = 0; i < DP_COUNT; i++)
        if (f->v[i].given && i != DP_CURSOR && i != DP_LIMIT) json_add_str(filters, deal_params[i].name, f->v[i].raw);
    json_object_object_add(detail, "filters", filters);
    int st = audit_write(r, "deals.export", "deal", STR(""), json_object_to_json_string_ext(detail, JSON_C_TO_STRING_PLAIN));
    json_object_put(detail);
    return st;
}

/* Where the export is: the filters and the last row written. */
struct deal_export {
    const struct deal_filter *f;
    const char *tz;
    struct list_cursor after;
    bool have_after;
};

static struct dbres *export_batch(struct request *r, struct arena *scratch, void *ctx, int batch)
{
    struct deal_export *x = ctx;
    return deals_list_query(r->db, scratch, x->f, x->tz, x->have_after ? &x->after : NULL, batch);
}

static void export_remember(void *ctx, const struct dbres *res, int row)
{
    struct deal_export *x = ctx;
    x->after = deals_cursor_of(res, row, x->f->sort);
    x->have_after = true;
}

/* GET /deals/export.csv — every deal matching the list's filters (limit and cursor
 * ignored), RFC 4180, formula-safe, streamed; audited with the filters. */
int deals_export(struct request *r)
{
    struct deal_filter f;
    int st = filters_or_reply(r, false, &f);
    if (!st) st = export_audit(r, &f);
    if (st) return st;
    f.has_cursor = false;
    struct deal_export x = { .f = &f, .tz = org_tz(r) };
    const struct csv_source src = { &x, "deals.csv", csv_header, export_batch, csv_row, export_remember };
    return csv_stream(r, &src, EXPORT_BATCH);
}

/* ---- the board ---- */

/* "$1,200.00 + €300.00": one sum per currency, never converted (rates change; the
 * forecast is the place for converted totals). */
static void fill_columns(struct request *r, struct tdict *cols[DEAL_STAGE_COUNT], const struct dbres *totals,
                         long counts[DEAL_STAGE_COUNT])
{
    struct buf sums[DEAL_STAGE_COUNT];
    for (int s = 0; s < DEAL_STAGE_COUNT; s++) buf_init(&sums[s], r->arena, 32);
    for (int i = 0; i < db_rows(totals); i++) {
        enum deal_stage s;
        if (!deal_stage_parse(db_val(totals, i, DT_STAGE), &s)) continue;
        counts[s] += db_long(totals, i, DT_COUNT);
        if (sums[s].len) buf_puts(&sums[s], " + ");
        buf_put(&sums[s], money_display(r->arena, db_val(totals, i, DT_VALUE), db_val(totals, i, DT_CURRENCY)));
    }
    for (int s = 0; s < DEAL_STAGE_COUNT; s++) {
        tdict_set_long(cols[s], "COUNT", counts[s]);
        tdict_set(cols[s], "TOTAL", sums[s].len ? buf_str(&sums[s]) : STR("—"));
    }
}

/* The move select of a column: the stages its cards may move to, set once on the
 * column, where each card's form finds them (a section is looked up in the parent
 * dictionaries too); 0 when none. */
static size_t fill_moves(struct tdict *col, enum deal_stage from)
{
    enum deal_stage to[DEAL_STAGE_COUNT];
    size_t n = deal_stage_allowed_moves(from, to);
    for (size_t k = 0; k < n; k++) {
        struct tdict *o = tdict_add_section(col, "MOVE");
        tdict_set_cstr(o, "MOVE_VALUE", deal_stage_name(to[k]));
        tdict_set_cstr(o, "MOVE_LABEL", deal_stage_label(to[k]));
    }
    return n;
}

/* At most BOARD_NEXT_CHARS characters of s, with "…" when it goes on. */
static str card_text(struct arena *a, str s)
{
    size_t chars = 0, i = 0;
    for (; i < s.len; i++)
        if (((unsigned char)s.ptr[i] & 0xC0) != 0x80 && chars++ == BOARD_NEXT_CHARS) break;
    if (i == s.len) return s;
    struct buf b;
    buf_init(&b, a, i + 4);
    buf_append(&b, s.ptr, i);
    buf_puts(&b, "…");
    return buf_str(&b);
}

/* A card: what board.tpl shows of a deal; its stage is its column's. */
static void fill_card(struct request *r, struct tdict *t, const struct dbres *res, int i, bool can_move)
{
    tdict_set(t, "ID", db_val(res, i, BC_ID));
    tdict_set(t, "TITLE", db_val(res, i, BC_TITLE));
    tdict_set(t, "BRAND", db_val(res, i, BC_BRAND));
    tdict_set(t, "VALUE", money_display(r->arena, db_val(res, i, BC_VALUE), db_val(res, i, BC_CURRENCY)));
    tdict_set(t, "RISK", db_val(res, i, BC_RISK));
    tdict_set(t, "VERSION", db_val(res, i, BC_VERSION));
    if (db_val(res, i, BC_NEXT_DUE).len) {
        struct tdict *due = tdict_add_section(t, "HAS_DUE");
        tdict_set(due, "NEXT", card_text(r->arena, db_val(res, i, BC_NEXT)));
        tdict_set(due, "NEXT_DUE", db_val(res, i, BC_NEXT_DUE));
        tdict_set(due, "NEXT_DUE_LOCAL", db_val(res, i, BC_NEXT_DUE_LOCAL));
    }
    if (can_move) tdict_show(t, "CAN_MOVE");
}

/* The cards of each column, and a link to the list when the column holds more. */
static void fill_cards(struct request *r, struct tdict *cols[DEAL_STAGE_COUNT], const struct dbres *cards,
                       const long counts[DEAL_STAGE_COUNT])
{
    long shown[DEAL_STAGE_COUNT] = { 0 };
    bool can_move[DEAL_STAGE_COUNT];
    for (int s = 0; s < DEAL_STAGE_COUNT; s++)
        can_move[s] = r->session->role >= ROLE_AGENT && fill_moves(cols[s], (enum deal_stage)s) > 0;
    for (int i = 0; i < db_rows(cards); i++) {
        enum deal_stage s;
        if (!deal_stage_parse(db_val(cards, i, BC_STAGE), &s)) continue;
        fill_card(r, tdict_add_section(cols[s], "CARD"), cards, i, can_move[s]);
        shown[s]++;
    }
    for (int s = 0; s < DEAL_STAGE_COUNT; s++) {
        if (counts[s] <= shown[s]) continue;
        struct tdict *more = tdict_add_section(cols[s], "MORE");
        tdict_set_long(more, "SHOWN", shown[s]);
        tdict_set_long(more, "MORE_COUNT", counts[s] - shown[s]);
    }
}

int deals_board_render(struct request *r, int status, const char *notice)
{
    /* Both in one round trip, with the commit. */
    struct db_stmt stmts[2] = { deals_board_totals_stmt(), deals_board_cards_stmt(r->arena, BOARD_PER_STAGE) };
    struct dbres *res[2];
    if (db_exec_last(r->db, r->arena, 2, stmts, res) != 0) return app_db_status(r);
    struct dbres *totals = res[0], *cards = res[1];
    struct tdict *d = page_dict(r, "Deal board", "deals/board.tpl");
    deals_tabs(d, "board");
    tdict_set_cstr(d, "STATIC_VERSION", PACKAGE_VERSION);
    if (notice) tdict_set_cstr(tdict_add_section(d, "NOTICE"), "TEXT", notice);
    struct tdict *cols[DEAL_STAGE_COUNT];
    for (int s = 0; s < DEAL_STAGE_COUNT; s++) {
        cols[s] = tdict_add_section(d, "COLUMN");
        tdict_set_cstr(cols[s], "STAGE", deal_stage_name((enum deal_stage)s));
        tdict_set_cstr(cols[s], "STAGE_LABEL", deal_stage_label((enum deal_stage)s));
    }
    long counts[DEAL_STAGE_COUNT] = { 0 };
    fill_columns(r, cols, totals, counts);
    fill_cards(r, cols, cards, counts);
    return page_render(r, status, d);
}

/* GET /deals/board — one column per stage (count, total per currency) with the
 * most recently updated live, unarchived deals as cards; each card moves with a
 * form (POST /deals/{id}/stage) or, with JavaScript, by drag and drop. */
int deals_board(struct request *r) { return deals_board_render(r, 200, NULL); }

/* ---- the deal page ---- */

/* The deliverables with the approval moves allowed from where each one is.
 * writable: the viewer may act on this deal's rows (a section of the row itself,
 * since a row's template cannot see its own values inside a parent's section). */
static void fill_deliverables(struct request *r, struct tdict *d, const struct deal_view *v, bool writable)
{
    for (int i = 0; i < db_rows(v->deliverables); i++) {
        struct tdict *t = tdict_add_section(d, "DELIVERABLE");
        struct buf reason;
        buf_init(&reason, r->arena, 32);
        enum deadline_state s = deliverable_state(v->deliverables, i, v->clock.now, &reason);
        tdict_set(t, "D_ID", db_val(v->deliverables, i, DV_ID));
        tdict_set(t, "PLATFORM", db_val(v->deliverables, i, DV_PLATFORM));
        tdict_set(t, "TYPE", db_val(v->deliverables, i, DV_TYPE));
        tdict_set_long(t, "QUANTITY", db_long(v->deliverables, i, DV_QUANTITY));
        tdict_set_cstr(t, "STATE", deadline_state_name(s));
        tdict_set(t, "REASON", buf_str(&reason));
        str approval = db_val(v->deliverables, i, DV_APPROVAL);
        tdict_set(t, "APPROVAL", approval);
        if (writable) tdict_show(t, "ROW_WRITE");
        bool posted = db_bool(v->deliverables, i, DV_POSTED);
        if (str_eq(approval, STR("pending_submission"))) tdict_show(t, "CAN_SUBMIT");
        if (str_eq(approval, STR("rejected"))) tdict_show(t, "CAN_REVISE"); /* picks the feedback it answers */
        if (str_eq(approval, STR("submitted"))) tdict_show(t, "CAN_REVIEW");
        if (str_eq(approval, STR("approved")) && !posted) tdict_show(t, "CAN_POST");
    }
}

static void fill_payments(struct request *r, struct tdict *d, const struct deal_view *v, bool writable)
{
    for (int i = 0; i < db_rows(v->payments); i++) {
        struct tdict *t = tdict_add_section(d, "PAYMENT");
        tdict_set(t, "P_ID", db_val(v->payments, i, PM_ID));
        tdict_set(t, "KIND", db_val(v->payments, i, PM_KIND));
        tdict_set(t, "AMOUNT", money_display(r->arena, db_val(v->payments, i, PM_AMOUNT), db_val(v->payments, i, PM_CURRENCY)));
        tdict_set(t, "EXPECTED", db_val(v->payments, i, PM_EXPECTED));
        tdict_set_cstr(t, "STATUS", payment_status_name(payment_state(v->payments, i, &v->clock)));
        if (writable) tdict_show(t, "ROW_WRITE");
        tdict_show(t, db_bool(v->payments, i, PM_DISPUTED) ? "DISPUTED" : "CAN_DISPUTE");
        if (!db_bool(v->payments, i, PM_INVOICED)) tdict_show(t, "CAN_INVOICE");
        if (db_long(v->payments, i, PM_PAID) < db_long(v->payments, i, PM_AMOUNT)) tdict_show(t, "CAN_PAY");
    }
}

static void fill_conflicts(struct tdict *d, const struct deal_view *v)
{
    for (size_t i = 0; i < v->n_conflicts; i++) {
        struct tdict *t = tdict_add_section(d, "CONFLICT");
        tdict_set(t, "C_ID", v->conflicts[i].other->id);
        tdict_set(t, "REASON", v->conflicts[i].reason);
    }
}

static void fill_history(struct tdict *d, const struct deal_view *v)
{
    for (int i = 0; i < db_rows(v->history); i++) {
        struct tdict *t = tdict_add_section(d, "HISTORY");
        tdict_set(t, "WHEN", db_val(v->history, i, HS_WHEN));
        tdict_set(t, "WHEN_ISO", db_val(v->history, i, HS_AT));
        tdict_set(t, "WHO", db_val(v->history, i, HS_WHO));
        tdict_set(t, "ENTITY", db_val(v->history, i, HS_ENTITY));
        tdict_set(t, "ACTION", db_val(v->history, i, HS_ACTION));
        tdict_set(t, "FIELD", db_val(v->history, i, HS_FIELD));
        tdict_set(t, "OLD", db_bool(v->history, i, HS_OLD_NULL) ? STR("—") : db_val(v->history, i, HS_OLD));
        tdict_set(t, "NEW", db_bool(v->history, i, HS_NEW_NULL) ? STR("—") : db_val(v->history, i, HS_NEW));
    }
    if (!db_rows(v->history)) tdict_show(d, "NO_HISTORY");
}

/* "••••1234": only the last four characters, for anyone who may read the deal;
 * ?reveal=1 shows managers and admins the whole code, audited. */
static int fill_affiliate(struct request *r, struct tdict *d, str id)
{
    str code;
    struct tdict *a = tdict_add_section(d, "AFFILIATE");
    if (deal_affiliate_open(r, id, &code) != 0) {
        /* Another secret_key or tampered data: say so rather than show anything. */
        tdict_show(a, "AFF_BROKEN");
        return 0;
    }
    bool may_reveal = r->session->role >= ROLE_MANAGER;
    if (may_reveal && kvlist_get(&r->query, "reveal")) {
        tdict_set(a, "AFF_TEXT", code);
        return audit_write(r, "deal.affiliate_code.reveal", "deal", id, NULL);
    }
    struct buf m;
    buf_init(&m, r->arena, 16);
    buf_puts(&m, "••••");
    if (code.len > 4) buf_put(&m, str_make(code.ptr + code.len - 4, 4));
    tdict_set(a, "AFF_TEXT", buf_str(&m));
    if (may_reveal) tdict_set(tdict_add_section(a, "AFF_REVEAL"), "ID", id);
    return 0;
}

/* The summary: what the list shows and the terms. */
static void fill_summary(struct request *r, struct tdict *d, const struct dbres *one)
{
    fill_deal(r, d, one, 0);
    tdict_set(d, "CONTRACT", db_val(one, 0, DC_CONTRACT));
    tdict_set(d, "DEAL_TYPE", db_val(one, 0, DC_TYPE));
    tdict_set(d, "UR_START", db_val(one, 0, DC_UR_START));
    tdict_set(d, "UR_END", db_val(one, 0, DC_UR_END));
    str limit = db_val(one, 0, DC_REV_LIMIT);
    tdict_set(d, "REV_LIMIT", limit.len ? limit : STR("no limit"));
    tdict_set(d, "REV_USED", db_val(one, 0, DC_REV_USED));
    tdict_set(d, "REV_FEE", money_display(r->arena, db_val(one, 0, DC_REV_FEE), db_val(one, 0, DC_CURRENCY)));
    if (db_val(one, 0, DC_EX_CAT).len) {
        struct tdict *e = tdict_add_section(d, "EXCLUSIVITY");
        tdict_set(e, "EX_CAT", db_val(one, 0, DC_EX_CAT));
        tdict_set(e, "EX_START", db_val(one, 0, DC_EX_START));
        tdict_set(e, "EX_END", db_val(one, 0, DC_EX_END));
        json_list_sections(r->arena, e, "PLATFORM", db_val(one, 0, DC_EX_PLAT));
    }
    json_list_sections(r->arena, d, "REASON", db_val(one, 0, DC_REASONS));
    json_list_sections(r->arena, d, "CATEGORY", db_val(one, 0, DC_CATEGORIES));
}

static int deal_view_page(struct request *r, int status, const struct deal_view *v, const char *notice)
{
    const struct dbres *one = v->deal;
    str id = db_val(one, 0, DC_ID);
    bool deleted = db_bool(one, 0, DC_DELETED), may_write = deal_may_write(r, db_val(one, 0, DC_OWNER_ID));
    bool admin = r->session->role >= ROLE_ADMIN; /* deletes, restores and purges (deals_routes.c) */
    struct tdict *d = page_dict(r, db_cstr(one, 0, DC_TITLE), "deals/show.tpl");
    deals_tabs(d, "list");
    if (notice) tdict_set_cstr(tdict_add_section(d, "NOTICE"), "TEXT", notice);
    fill_summary(r, d, one);
    if (deleted) {
        tdict_show(d, "DELETED");
        if (admin) {
            tdict_show(d, "CAN_RESTORE");
            tdict_show(d, "CAN_PURGE");
        }
    } else if (may_write) {
        tdict_show(d, "CAN_WRITE");
        if (admin) tdict_show(d, "CAN_DELETE");
        enum deal_stage from;
        if (deal_stage_parse(db_val(one, 0, DC_STAGE), &from)) fill_moves(d, from);
    }
    int st = db_bool(one, 0, DC_HAS_AFFILIATE) ? fill_affiliate(r, d, id) : 0;
    if (st) return st;
    fill_deliverables(r, d, v, !deleted && may_write);
    fill_payments(r, d, v, !deleted && may_write);
    /* Installment schedule and deliverable history: their own includes (installments.c,
     * deliverable_history.c). */
    if ((st = installments_fill_page(r, d, id, db_val(one, 0, DC_VALUE), db_val(one, 0, DC_CURRENCY), !deleted && may_write)))
        return st;
    if ((st = deliverable_history_fill_page(r, d, id))) return st;
    if ((st = deal_terms_fill_page(r, d, id, !deleted && may_write))) return st;
    fill_conflicts(d, v);
    st = deal_notes_fill(r, d, id, !deleted && may_write, v->note_typed, v->note_errors);
    if (st) return st;
    fill_history(d, v);
    return page_render(r, status, d);
}

int deals_show_render(struct request *r, int status, str id, const char *notice)
{
    struct deal_view v;
    int st = deal_view_load(r, id, true, &v);
    return st ? st : deal_view_page(r, status, &v, notice);
}

int deals_show_render_note(struct request *r, int status, str id, str typed, const struct field_errors *e)
{
    struct deal_view v;
    int st = deal_view_load(r, id, true, &v);
    if (st) return st;
    v.note_typed = typed;
    v.note_errors = e;
    return deal_view_page(r, status, &v, NULL);
}

/* GET /deals/{id} — everything about a deal: value, stage and its allowed moves,
 * risk and reasons, next action, exclusivity conflicts, deliverables with deadline
 * badges, payments with derived status, the change history. ?reveal=1 shows the
 * affiliate code to managers and admins (audited). A deleted deal: managers and
 * admins see it marked deleted (admins with restore and purge), others get 404. */
int deals_show(struct request *r) { return deals_show_render(r, 200, req_path_param(r, "id"), NULL); }

/* GET /api/v1/deals/{id} — the deal plus deliverables, payments, conflicts
 * (exclusivity) and history; a deleted deal as for the page (404 below manager). */
int api_deals_show(struct request *r)
{
    struct deal_view v;
    int st = deal_view_load(r, req_path_param(r, "id"), true, &v);
    if (st) return st;
    json_reply_data(r, 200, deal_view_json(r, &v));
    return 0;
}
