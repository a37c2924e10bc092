/* deals.c — the deals list (page, JSON, CSV export), the pipeline board and the deal
 * page (page and JSON). Writes are in deal_write.c; the list's parameters are
 * parsed by deal_filters.c and its SQL is in db/deals_sql.c. */
#include "deals.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "deals_sql.h"
#include "../../domain/civil_date.h"
#include "../../domain/deadline.h"
#include "../../domain/deal_stage.h"
#include "../../domain/exclusivity.h"
#include "../../domain/money.h"
#include "../../domain/payment_status.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "config.h"
#include "../common/csv.h"
#include "../common/field_errors.h"
#include "../common/input.h"
#include "../common/form.h"
#include "../common/org_clock.h"
#include "../common/money_total.h"
#include "../common/row_json.h"
#include "../../db/sql_build.h"
#include "deal_common.h"
#include "deal_filters.h"
#include "deals.h"

#define EXPORT_BATCH 1000
#define BOARD_PER_STAGE 30 /* cards per column; the list has the rest, linked */

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
    if (db_val(res, row, DC_EX_CAT).len) {
        struct json_object *ex = json_object_new_object();
        json_add_str(ex, "category", db_val(res, row, DC_EX_CAT));
        add_raw_json(ex, "platforms", db_val(res, row, DC_EX_PLAT));
        json_add_str(ex, "start", db_val(res, row, DC_EX_START));
        json_add_str(ex, "end", db_val(res, row, DC_EX_END));
        json_object_object_add(o, "exclusivity", ex);
    } else {
        json_object_object_add(o, "exclusivity", NULL);
    }
    add_number_or_null(o, "revision_limit", db_val(res, row, DC_REV_LIMIT));
    add_number_or_null(o, "revisions_used", db_val(res, row, DC_REV_USED));
    json_add_bool(o, "archived", db_bool(res, row, DC_ARCHIVED));
    json_add_bool(o, "deleted", db_bool(res, row, DC_DELETED));
    json_add_long(o, "version", db_long(res, row, DC_VERSION));
    json_add_str(o, "created_at", db_val(res, row, DC_CREATED));
    json_add_str(o, "updated_at", db_val(res, row, DC_UPDATED));
    return o;
}

/* ---- the deal's children, history and conflicts ---- */

struct deal_extras {
    struct dbres *deliverables, *payments, *history;
    struct exclusivity_conflict *conflicts;
    size_t n_conflicts;
    struct org_clock clock;
};

static int extras_load(struct request *r, str id, struct deal_extras *x)
{
    const char *cid = str_cstr(r->arena, id);
    int st = org_clock_load(r, &x->clock);
    if (st) return st;
    x->deliverables = db_q(r->db, r->arena, "deal_show_deliverables",
                           "SELECT id, platform, type, quantity, posted_at IS NOT NULL, extract(epoch FROM scheduled_at)::bigint,"
                           " extract(epoch FROM posting_window_end)::bigint, approval_status FROM deliverables"
                           " WHERE deal_id = $1::uuid AND org_id = app_org_id() AND deleted_at IS NULL"
                           " ORDER BY coalesce(posting_window_end, scheduled_at) NULLS LAST, id", cid);
    x->payments = db_q(r->db, r->arena, "deal_show_payments",
                       "SELECT id, kind, amount_minor, currency, coalesce(expected_at::text, ''), paid_minor,"
                       " invoice_sent_at IS NOT NULL, disputed, (expected_at - date '1970-01-01') FROM payments"
                       " WHERE deal_id = $1::uuid AND org_id = app_org_id() AND deleted_at IS NULL ORDER BY expected_at NULLS LAST, id", cid);
    x->history = db_q(r->db, r->arena, "deal_show_history",
                      "SELECT to_char(h.at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI'), coalesce(u.name, h.actor), h.entity,"
                      " h.action, h.field, h.old_value, h.new_value, to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                      " h.old_value IS NULL, h.new_value IS NULL"
                      " FROM deal_history h LEFT JOIN users u ON u.id = h.user_id"
                      " WHERE h.org_id = app_org_id() AND h.deal_id = $1::uuid ORDER BY h.at DESC, h.id DESC LIMIT 200",
                      cid, org_tz(r));
    if (!x->deliverables || !x->payments || !x->history) return db_error_http_status(db_last_error(r->db));
    x->n_conflicts = deal_exclusivity_conflicts(r, id, &x->conflicts);
    return 0;
}

static enum deadline_state deliverable_state(const struct dbres *res, int i, int64_t now, struct buf *reason)
{
    struct deadline_input in = {
        .posted = db_bool(res, i, 4),
        .has_scheduled = !db_isnull(res, i, 5), .scheduled_at = db_long(res, i, 5),
        .has_window_end = !db_isnull(res, i, 6), .window_end = db_long(res, i, 6),
    };
    return deadline_evaluate(&in, now, reason);
}

static enum payment_status payment_state(const struct dbres *res, int i, const struct org_clock *c)
{
    struct payment_facts p = {
        .amount_minor = db_long(res, i, 2), .paid_minor = db_long(res, i, 5),
        .has_expected = !db_isnull(res, i, 8), .expected_day = db_long(res, i, 8),
        .invoice_sent = db_bool(res, i, 6),
    };
    return payment_status_derive(&p, c->now, c->utc_offset_s);
}

static struct json_object *extras_json(struct request *r, const struct deal_extras *x, struct json_object *o)
{
    struct json_object *dl = json_object_new_array(), *pm = json_object_new_array(), *cf = json_object_new_array(),
                       *hs = json_object_new_array();
    for (int i = 0; i < db_rows(x->deliverables); i++) {
        struct json_object *e = json_object_new_object();
        struct buf reason;
        buf_init(&reason, r->arena, 32);
        enum deadline_state s = deliverable_state(x->deliverables, i, x->clock.now, &reason);
        json_add_str(e, "id", db_val(x->deliverables, i, 0));
        json_add_str(e, "platform", db_val(x->deliverables, i, 1));
        json_add_str(e, "type", db_val(x->deliverables, i, 2));
        json_add_long(e, "quantity", db_long(x->deliverables, i, 3));
        json_add_cstr(e, "deadline_state", deadline_state_name(s));
        json_add_str(e, "deadline_reason", buf_str(&reason));
        json_add_str(e, "approval_status", db_val(x->deliverables, i, 7));
        json_object_array_add(dl, e);
    }
    for (int i = 0; i < db_rows(x->payments); i++) {
        struct json_object *e = json_object_new_object(), *amt = json_object_new_object();
        json_add_str(e, "id", db_val(x->payments, i, 0));
        json_add_str(e, "kind", db_val(x->payments, i, 1));
        json_add_long(amt, "amount_minor", db_long(x->payments, i, 2));
        json_add_str(amt, "currency", db_val(x->payments, i, 3));
        json_object_object_add(e, "amount", amt);
        add_nullable(e, "expected_at", db_val(x->payments, i, 4));
        json_add_cstr(e, "status", payment_status_name(payment_state(x->payments, i, &x->clock)));
        json_add_bool(e, "disputed", db_bool(x->payments, i, 7));
        json_object_array_add(pm, e);
    }
    for (size_t i = 0; i < x->n_conflicts; i++) {
        struct json_object *e = json_object_new_object();
        json_add_str(e, "deal_id", x->conflicts[i].other->id);
        json_add_str(e, "title", x->conflicts[i].other->title);
        json_add_str(e, "reason", x->conflicts[i].reason);
        json_object_array_add(cf, e);
    }
    for (int i = 0; i < db_rows(x->history); i++) {
        struct json_object *e = json_object_new_object();
        json_add_str(e, "at", db_val(x->history, i, 7));
        json_add_str(e, "actor", db_val(x->history, i, 1));
        json_add_str(e, "entity", db_val(x->history, i, 2));
        json_add_str(e, "action", db_val(x->history, i, 3));
        json_add_str(e, "field", db_val(x->history, i, 4));
        json_add_str(e, "old_value", db_bool(x->history, i, 8) ? STR_NULL : db_val(x->history, i, 5));
        json_add_str(e, "new_value", db_bool(x->history, i, 9) ? STR_NULL : db_val(x->history, i, 6));
        json_object_array_add(hs, e);
    }
    json_object_object_add(o, "deliverables", dl);
    json_object_object_add(o, "payments", pm);
    json_object_object_add(o, "conflicts", cf); /* SPEC §6: the detail adds conflicts */
    json_object_object_add(o, "history", hs);
    return o;
}

struct json_object *deal_json_by_id(struct request *r, str id, bool detail, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    struct dbres *res = deals_one_query(r->db, r->arena, str_cstr(r->arena, id));
    if (!res) return *status = db_error_http_status(db_last_error(r->db)), NULL;
    if (db_rows(res) != 1) return NULL;
    struct json_object *o = deal_json(res, 0);
    if (!detail) return o;
    struct deal_extras x;
    if ((*status = extras_load(r, id, &x))) return json_object_put(o), NULL;
    return extras_json(r, &x, o);
}

/* ---- the list ---- */

struct deal_page {
    struct dbres *rows;
    int n;
    str next_cursor;
};

static int page_load(struct request *r, const struct deal_filter *f, struct deal_page *p)
{
    p->rows = deals_list_query(r->db, r->arena, f, org_tz(r), f->has_cursor ? &f->cursor : NULL, f->limit + 1);
    if (!p->rows) return db_error_http_status(db_last_error(r->db));
    p->n = db_rows(p->rows) > f->limit ? (int)f->limit : db_rows(p->rows);
    p->next_cursor = STR_NULL;
    if (db_rows(p->rows) > f->limit) {
        struct deal_cursor c = deals_cursor_of(p->rows, p->n - 1, f->sort);
        p->next_cursor = deal_cursor_encode(r->arena, app_secret(r), &c);
    }
    return 0;
}

static str list_url(struct request *r, const char *path, const struct deal_filter *f, unsigned skip, str cursor)
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
    return buf_str(&u);
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

static void fill_filter_form(struct tdict *d, const struct deal_filter *f, const struct deal_filter_error *errs, int nerr)
{
    for (int i = 0; i < DP_COUNT; i++) {
        char key[40];
        snprintf(key, sizeof key, "V_%s", deal_param_names[i]);
        tdict_set(d, key, f->raw[i]);
    }
    if (f->archived) tdict_show(d, "ARCHIVED_CHECKED");
    if (f->deleted) tdict_show(d, "DELETED_LIST");
    for (int i = 0; i < nerr && i < DP_COUNT; i++) {
        char key[40];
        snprintf(key, sizeof key, "E_%s", deal_param_names[errs[i].param]);
        tdict_set_cstr(tdict_add_section(d, key), "MSG", errs[i].message);
        struct tdict *s = tdict_add_section(d, "ERROR_SUMMARY");
        tdict_set_cstr(s, "FIELD", deal_param_names[errs[i].param]);
        tdict_set_cstr(s, "MSG", errs[i].message);
    }
    if (nerr) tdict_show(d, "FORM_ERROR");
}

/* The select options of the filter form: brands, owners, stages, risks, sorts. */
static void fill_filter_options(struct request *r, struct tdict *d, const struct deal_filter *f)
{
    static const char *const sorts[][2] = { { "", "Recently updated" }, { "value", "Value" }, { "due", "Next action due" } };
    struct dbres *b = db_q0(r->db, r->arena, "deal_form_brands",
                            "SELECT id, name FROM brands WHERE org_id = app_org_id() AND deleted_at IS NULL ORDER BY lower(name), id");
    struct dbres *u = db_q0(r->db, r->arena, "deal_form_users",
                            "SELECT id, name FROM users WHERE org_id = app_org_id() ORDER BY lower(name), id");
    const struct { const char *section; struct dbres *res; enum deal_param p; } lists[] = {
        { "BRAND_OPT", b, DP_BRAND_ID }, { "OWNER_OPT", u, DP_OWNER_ID },
    };
    for (size_t l = 0; l < 2; l++)
        for (int i = 0; lists[l].res && i < db_rows(lists[l].res); i++) {
            struct tdict *o = tdict_add_section(d, lists[l].section);
            tdict_set(o, "OPT_VALUE", db_val(lists[l].res, i, 0));
            tdict_set(o, "OPT_LABEL", db_val(lists[l].res, i, 1));
            if (str_eq(db_val(lists[l].res, i, 0), f->raw[lists[l].p])) tdict_show(o, "OPT_SELECTED");
        }
    for (int s = 0; s < DEAL_STAGE_COUNT; s++) {
        struct tdict *o = tdict_add_section(d, "STAGE_OPT");
        tdict_set_cstr(o, "OPT_VALUE", deal_stage_name((enum deal_stage)s));
        tdict_set_cstr(o, "OPT_LABEL", deal_stage_label((enum deal_stage)s));
        if (str_eq_cstr(f->raw[DP_STAGE], deal_stage_name((enum deal_stage)s))) tdict_show(o, "OPT_SELECTED");
    }
    for (int i = 0; i < 3; i++) {
        static const char *const risks[] = { "low", "med", "high" };
        struct tdict *o = tdict_add_section(d, "RISK_OPT");
        tdict_set_cstr(o, "OPT_VALUE", risks[i]);
        tdict_set_cstr(o, "OPT_LABEL", risks[i]);
        if (str_eq_cstr(f->raw[DP_RISK], risks[i])) tdict_show(o, "OPT_SELECTED");
    }
    for (int i = 0; i < 3; i++) {
        struct tdict *o = tdict_add_section(d, "SORT_OPT");
        tdict_set_cstr(o, "OPT_VALUE", sorts[i][0]);
        tdict_set_cstr(o, "OPT_LABEL", sorts[i][1]);
        if (str_eq_cstr(f->raw[DP_SORT], sorts[i][0]) || (!i && str_eq_cstr(f->raw[DP_SORT], "updated")))
            tdict_show(o, "OPT_SELECTED");
    }
}

static int render_list(struct request *r, int status, const struct deal_filter *f, const struct deal_filter_error *errs,
                       int nerr, const struct deal_page *p)
{
    struct tdict *d = page_dict(r, "Deals", "deals/list.tpl");
    deals_tabs(d, "list");
    tdict_set_cstr(d, "HEADING", f->deleted ? "Deleted deals" : "Deals");
    fill_filter_form(d, f, errs, nerr);
    fill_filter_options(r, d, f);
    if (r->session->role >= ROLE_AGENT) tdict_show(d, "CAN_CREATE");
    if (r->session->role >= ROLE_MANAGER && !f->deleted) tdict_show(d, "CAN_SEE_DELETED");
    for (int i = 0; p && i < p->n; i++) fill_deal(r, tdict_add_section(d, "ROW"), p->rows, i);
    if (p && p->n) tdict_show(d, "HAS_ROWS");
    else if (p) tdict_show(d, "EMPTY");
    if (p && p->next_cursor.len) tdict_set(tdict_add_section(d, "NEXT"), "NEXT_URL", list_url(r, "/deals", f, 1u << DP_CURSOR, p->next_cursor));
    if (f->has_cursor) tdict_set(tdict_add_section(d, "FIRST"), "FIRST_URL", list_url(r, "/deals", f, 1u << DP_CURSOR, STR_NULL));
    tdict_set(d, "EXPORT_URL", list_url(r, "/deals/export.csv", f, (1u << DP_CURSOR) | (1u << DP_LIMIT), STR_NULL));
    return page_render(r, status, d);
}

/* Parses the filters; on bad input answers 400 (the page with messages at the
 * fields, or JSON naming them) and returns false. The deleted list is for managers
 * and admins (*status 403). */
static bool filters_or_reply(struct request *r, struct deal_filter *f, int *status)
{
    struct deal_filter_error errs[DP_COUNT];
    *status = 0;
    int n = deal_filter_parse(r->arena, &r->query, app_secret(r), f, errs, DP_COUNT);
    if (n == 0) {
        if (f->deleted && r->session->role < ROLE_MANAGER) *status = 403;
        return !*status;
    }
    if (r->wants_json) {
        struct json_object *fields = json_object_new_object();
        for (int i = 0; i < n && i < DP_COUNT; i++) json_add_cstr(fields, deal_param_names[errs[i].param], errs[i].message);
        app_error(r, 400, "Some filters are not valid.", fields);
    } else {
        render_list(r, 400, f, errs, n, NULL);
    }
    return false;
}

/*
 * GET /deals — the deals list. Parameters (all optional, "" = absent):
 *   q            title or brand name contains (<= 200 chars)
 *   stage        one stage; brand_id, owner_id  uuids; risk  low|med|high
 *   min_value, max_value  minor units (whole numbers >= 0), min <= max
 *   due_before   YYYY-MM-DD: next action due before that day (org zone)
 *   tag          deals carrying this tag
 *   archived     true: include archived deals (hidden by default)
 *   deleted      true: only soft-deleted deals, to restore (managers, admins)
 *   sort         updated (default) | value | due;  limit 1..200 (50);  cursor
 */
int deals_list(struct request *r)
{
    struct deal_filter f;
    int st;
    if (!filters_or_reply(r, &f, &st)) return st;
    struct deal_page p;
    if ((st = page_load(r, &f, &p))) return st;
    return render_list(r, 200, &f, NULL, 0, &p);
}

/* GET /api/v1/deals — the same parameters; {"data":[deal...],"next_cursor":...}. */
int api_deals_list(struct request *r)
{
    struct deal_filter f;
    int st;
    if (!filters_or_reply(r, &f, &st)) return st;
    struct deal_page p;
    if ((st = page_load(r, &f, &p))) return st;
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < p.n; i++) json_object_array_add(a, deal_json(p.rows, i));
    json_reply_list(r, a, p.next_cursor);
    return 0;
}

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

static void export_audit(struct request *r, const struct deal_filter *f)
{
    struct json_object *detail = json_object_new_object(), *filters = json_object_new_object();
    for (int i = 0; i < DP_COUNT; i++)
        if (f->raw[i].len && i != DP_CURSOR && i != DP_LIMIT) json_add_str(filters, deal_param_names[i], f->raw[i]);
    json_object_object_add(detail, "filters", filters);
    audit_write(r, "deals.export", "deal", STR(""), json_object_to_json_string_ext(detail, JSON_C_TO_STRING_PLAIN));
    json_object_put(detail);
}

/* Where the export is: the filters and the last row written. */
struct deal_export {
    const struct deal_filter *f;
    const char *tz;
    struct deal_cursor after;
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
    int st;
    if (!filters_or_reply(r, &f, &st)) return st;
    f.has_cursor = false;
    export_audit(r, &f);
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
        if (!deal_stage_parse(db_val(totals, i, 0), &s)) continue;
        counts[s] += db_long(totals, i, 2);
        if (sums[s].len) buf_puts(&sums[s], " + ");
        buf_put(&sums[s], money_display(r->arena, db_val(totals, i, 3), db_val(totals, i, 1)));
    }
    for (int s = 0; s < DEAL_STAGE_COUNT; s++) {
        tdict_set_long(cols[s], "COUNT", counts[s]);
        tdict_set(cols[s], "TOTAL", sums[s].len ? buf_str(&sums[s]) : STR("—"));
    }
}

/* The move select of a card: the allowed next stages. */
static void fill_moves(struct tdict *card, str stage)
{
    enum deal_stage from, to[DEAL_STAGE_COUNT];
    if (!deal_stage_parse(stage, &from)) return;
    size_t n = deal_stage_allowed_moves(from, to);
    for (size_t k = 0; k < n; k++) {
        struct tdict *o = tdict_add_section(card, "MOVE");
        tdict_set_cstr(o, "MOVE_VALUE", deal_stage_name(to[k]));
        tdict_set_cstr(o, "MOVE_LABEL", deal_stage_label(to[k]));
    }
    if (n) tdict_show(card, "CAN_MOVE");
}

int deals_board_render(struct request *r, int status, const char *notice)
{
    struct dbres *totals = deals_board_totals(r->db, r->arena);
    struct dbres *cards = deals_board_cards(r->db, r->arena, BOARD_PER_STAGE);
    if (!totals || !cards) return db_error_http_status(db_last_error(r->db));
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
    long counts[DEAL_STAGE_COUNT] = { 0 }, shown[DEAL_STAGE_COUNT] = { 0 };
    fill_columns(r, cols, totals, counts);
    for (int i = 0; i < db_rows(cards); i++) {
        enum deal_stage s;
        if (!deal_stage_parse(db_val(cards, i, DC_STAGE), &s)) continue;
        struct tdict *card = tdict_add_section(cols[s], "CARD");
        fill_deal(r, card, cards, i);
        if (r->session->role >= ROLE_AGENT) fill_moves(card, db_val(cards, i, DC_STAGE));
        shown[s]++;
    }
    /* A column with more deals than cards links to the list of its stage. */
    for (int s = 0; s < DEAL_STAGE_COUNT; s++) {
        if (counts[s] <= shown[s]) continue;
        struct tdict *more = tdict_add_section(cols[s], "MORE");
        tdict_set_long(more, "SHOWN", shown[s]);
        tdict_set_long(more, "MORE_COUNT", counts[s] - shown[s]);
    }
    return page_render(r, status, d);
}

/* GET /deals/board — one column per stage (count, total per currency) with the
 * most recently updated live, unarchived deals as cards; each card moves with a
 * form (POST /deals/{id}/stage) or, with JavaScript, by drag and drop. */
int deals_board(struct request *r) { return deals_board_render(r, 200, NULL); }

/* ---- the deal page ---- */

/* writable: the viewer may act on this deal's rows (a section of the row itself,
 * since a row's template cannot see its own values inside a parent's section). */
static void fill_children(struct request *r, struct tdict *d, const struct deal_extras *x, bool writable)
{
    for (int i = 0; i < db_rows(x->deliverables); i++) {
        struct tdict *t = tdict_add_section(d, "DELIVERABLE");
        struct buf reason;
        buf_init(&reason, r->arena, 32);
        enum deadline_state s = deliverable_state(x->deliverables, i, x->clock.now, &reason);
        tdict_set(t, "D_ID", db_val(x->deliverables, i, 0));
        tdict_set(t, "PLATFORM", db_val(x->deliverables, i, 1));
        tdict_set(t, "TYPE", db_val(x->deliverables, i, 2));
        tdict_set_long(t, "QUANTITY", db_long(x->deliverables, i, 3));
        tdict_set_cstr(t, "STATE", deadline_state_name(s));
        tdict_set(t, "REASON", buf_str(&reason));
        str approval = db_val(x->deliverables, i, 7);
        tdict_set(t, "APPROVAL", approval);
        if (writable) tdict_show(t, "ROW_WRITE");
        /* Offer only the moves the approval flow allows from here. */
        bool posted = db_bool(x->deliverables, i, 4);
        if (str_eq(approval, STR("pending_submission")) || str_eq(approval, STR("rejected"))) tdict_show(t, "CAN_SUBMIT");
        if (str_eq(approval, STR("submitted"))) tdict_show(t, "CAN_REVIEW");
        if (str_eq(approval, STR("approved")) && !posted) tdict_show(t, "CAN_POST");
    }
    for (int i = 0; i < db_rows(x->payments); i++) {
        struct tdict *t = tdict_add_section(d, "PAYMENT");
        tdict_set(t, "P_ID", db_val(x->payments, i, 0));
        tdict_set(t, "KIND", db_val(x->payments, i, 1));
        tdict_set(t, "AMOUNT", money_display(r->arena, db_val(x->payments, i, 2), db_val(x->payments, i, 3)));
        tdict_set(t, "EXPECTED", db_val(x->payments, i, 4));
        tdict_set_cstr(t, "STATUS", payment_status_name(payment_state(x->payments, i, &x->clock)));
        if (writable) tdict_show(t, "ROW_WRITE");
        bool disputed = db_bool(x->payments, i, 7);
        if (disputed) tdict_show(t, "DISPUTED");
        else tdict_show(t, "CAN_DISPUTE");
        if (!db_bool(x->payments, i, 6)) tdict_show(t, "CAN_INVOICE");
        if (db_long(x->payments, i, 5) < db_long(x->payments, i, 2)) /* not paid in full */
            tdict_show(t, "CAN_PAY");
    }
    for (size_t i = 0; i < x->n_conflicts; i++) {
        struct tdict *t = tdict_add_section(d, "CONFLICT");
        tdict_set(t, "C_ID", x->conflicts[i].other->id);
        tdict_set(t, "REASON", x->conflicts[i].reason);
    }
    for (int i = 0; i < db_rows(x->history); i++) {
        struct tdict *t = tdict_add_section(d, "HISTORY");
        tdict_set(t, "WHEN", db_val(x->history, i, 0));
        tdict_set(t, "WHEN_ISO", db_val(x->history, i, 7));
        tdict_set(t, "WHO", db_val(x->history, i, 1));
        tdict_set(t, "ENTITY", db_val(x->history, i, 2));
        tdict_set(t, "ACTION", db_val(x->history, i, 3));
        tdict_set(t, "FIELD", db_val(x->history, i, 4));
        tdict_set(t, "OLD", db_bool(x->history, i, 8) ? STR("—") : db_val(x->history, i, 5));
        tdict_set(t, "NEW", db_bool(x->history, i, 9) ? STR("—") : db_val(x->history, i, 6));
    }
}

/* "••••1234": only the last four characters, for anyone who may read the deal. */
static void fill_affiliate(struct request *r, struct tdict *d, const struct deal_row *row)
{
    if (!row->has_affiliate_code) return;
    str code;
    struct tdict *a = tdict_add_section(d, "AFFILIATE");
    if (deal_affiliate_open(r, row->id, &code) != 0) {
        /* Wrong secret_key or tampered data: say so rather than show anything. */
        tdict_show(a, "AFF_BROKEN");
        return;
    }
    const str *reveal = kvlist_get(&r->query, "reveal");
    bool may_reveal = r->session->role >= ROLE_MANAGER;
    if (reveal && may_reveal) {
        tdict_set(a, "AFF_TEXT", code);
        audit_write(r, "deal.affiliate_code.reveal", "deal", row->id, NULL);
        return;
    }
    struct buf m;
    buf_init(&m, r->arena, 16);
    buf_puts(&m, "••••");
    if (code.len > 4) buf_put(&m, str_make(code.ptr + code.len - 4, 4));
    tdict_set(a, "AFF_TEXT", buf_str(&m));
    if (may_reveal) tdict_set(tdict_add_section(a, "AFF_REVEAL"), "ID", row->id);
}

static void fill_stage_moves(struct tdict *d, const struct deal_row *row)
{
    enum deal_stage from, to[DEAL_STAGE_COUNT];
    if (!deal_stage_parse(row->stage, &from)) return;
    size_t n = deal_stage_allowed_moves(from, to);
    for (size_t k = 0; k < n; k++) {
        struct tdict *o = tdict_add_section(d, "MOVE");
        tdict_set_cstr(o, "MOVE_VALUE", deal_stage_name(to[k]));
        tdict_set_cstr(o, "MOVE_LABEL", deal_stage_label(to[k]));
        tdict_set(o, "ID", row->id);
        tdict_set_long(o, "VERSION", row->version);
    }
}

static void fill_show(struct request *r, struct tdict *d, const struct deal_row *row, const struct dbres *one)
{
    fill_deal(r, d, one, 0);
    tdict_set(d, "CONTRACT", row->contract_status);
    tdict_set(d, "DEAL_TYPE", row->deal_type);
    tdict_set(d, "UR_START", row->usage_rights_start);
    tdict_set(d, "UR_END", row->usage_rights_end);
    tdict_set(d, "REV_LIMIT", row->revision_limit.len ? row->revision_limit : STR("no limit"));
    tdict_set(d, "REV_USED", row->revisions_used);
    tdict_set(d, "REV_FEE", money_display(r->arena, row->revision_extra_fee_minor, row->currency));
    if (row->exclusivity_category.len) {
        struct tdict *e = tdict_add_section(d, "EXCLUSIVITY");
        tdict_set(e, "EX_CAT", row->exclusivity_category);
        tdict_set(e, "EX_START", row->exclusivity_start);
        tdict_set(e, "EX_END", row->exclusivity_end);
        json_list_sections(r->arena, e, "PLATFORM", row->exclusivity_platforms);
    }
    json_list_sections(r->arena, d, "REASON", row->risk_reasons);
    json_list_sections(r->arena, d, "CATEGORY", row->categories);
    bool may_write = deal_may_write(r, row);
    if (row->deleted) {
        tdict_show(d, "DELETED");
        if (may_write) tdict_show(d, "CAN_RESTORE");
        if (r->session->role >= ROLE_ADMIN) tdict_show(d, "CAN_PURGE");
    } else if (may_write) {
        tdict_show(d, "CAN_WRITE");
        fill_stage_moves(d, row);
    }
    fill_affiliate(r, d, row);
}

int deals_show_render(struct request *r, int status, str id, const char *notice)
{
    struct deal_row row;
    int st = deal_load(r, id, false, &row);
    if (st) return st;
    struct dbres *one = deals_one_query(r->db, r->arena, str_cstr(r->arena, row.id));
    struct deal_extras x;
    if (!one || db_rows(one) != 1) return one ? 404 : db_error_http_status(db_last_error(r->db));
    if ((st = extras_load(r, row.id, &x))) return st;
    struct tdict *d = page_dict(r, str_cstr(r->arena, row.title), "deals/show.tpl");
    deals_tabs(d, "list");
    if (notice) tdict_set_cstr(tdict_add_section(d, "NOTICE"), "TEXT", notice);
    fill_show(r, d, &row, one);
    fill_children(r, d, &x, !row.deleted && deal_may_write(r, &row));
    if (!db_rows(x.history)) tdict_show(d, "NO_HISTORY");
    return page_render(r, status, d);
}

/* GET /deals/{id} — everything about a deal: value, stage and its allowed moves,
 * risk and reasons, next action, exclusivity conflicts, deliverables with deadline
 * badges, payments with derived status, the change history. ?reveal=1 shows the
 * affiliate code to managers and admins (audited). Deleted deals show a restore. */
int deals_show(struct request *r) { return deals_show_render(r, 200, req_path_param(r, "id"), NULL); }

/* GET /api/v1/deals/{id} — the deal plus deliverables, payments,
 * conflicts (exclusivity) and history. */
int api_deals_show(struct request *r)
{
    int st;
    struct json_object *o = deal_json_by_id(r, req_path_param(r, "id"), true, &st);
    if (!o) return st;
    json_reply_data(r, 200, o);
    return 0;
}
