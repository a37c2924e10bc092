/* audit_log.c — /admin/audit, its JSON twin and its CSV export: the org's audit log
 * newest first, filtered by user, entity, action and date range (dates in the org's
 * zone), in keyset pages; the export is audited itself. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../db/db.h"
#include "../../db/sql_build.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/csv.h"
#include "../common/cursor.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/params.h"
#include "admin.h"

#define AUDIT_LIMIT_DEFAULT 50
#define AUDIT_CURSOR_PURPOSE "admin-audit"
#define AUDIT_EXPORT_BATCH 2000

enum audit_col { AU_ID, AU_AT, AU_AT_US, AU_USER_ID, AU_ACTOR, AU_ACTION, AU_ENTITY, AU_ENTITY_ID, AU_IP, AU_REQUEST_ID, AU_DETAIL };

enum { AP_USER, AP_ENTITY, AP_ENTITY_ID, AP_ACTION, AP_FROM, AP_TO, AP_LIMIT, AP_CURSOR, AP_COUNT };
static const struct param_spec list_params[AP_COUNT] = {
    [AP_USER] = { "user_id", PARAM_UUID, 0, 0, NULL, "must be a user's id" },
    [AP_ENTITY] = { "entity", PARAM_TEXT, 0, 64, NULL, NULL },
    [AP_ENTITY_ID] = { "entity_id", PARAM_TEXT, 0, 200, NULL, NULL },
    [AP_ACTION] = { "action", PARAM_TEXT, 0, 100, NULL, NULL },
    [AP_FROM] = { "from", PARAM_DATE, 0, 0, NULL, "must be a date (YYYY-MM-DD)" },
    [AP_TO] = { "to", PARAM_DATE, 0, 0, NULL, "must be a date (YYYY-MM-DD)" },
    [AP_LIMIT] = { "limit", PARAM_INT, 1, 200, NULL, NULL },
    [AP_CURSOR] = { "cursor", PARAM_RAW, 0, 0, NULL, "is not a page link of this list; start from the first page" },
};

struct audit_filter {
    const char *user_id, *entity, *entity_id, *action, *from, *to, *tz;
    bool after;
    char after_us[24], after_id[37];
};

enum audit_fragment { AF_USER = 1, AF_ENTITY = 2, AF_ENTITY_ID = 4, AF_ACTION = 8, AF_FROM = 16, AF_TO = 32,
                      AF_CURSOR = 64, AF_SETS = 128 };
static char *list_names[AF_SETS];

/* One page (or export batch) after f's position. Each filter has an index that leads
 * with it (sql/0036); the dates bound the (org_id, at, id) order of them all. */
static struct dbres *audit_query(struct request *r, struct arena *a, const struct audit_filter *f, long limit)
{
    struct sql_query q;
    unsigned mask = 0;
    sql_query_init(&q, a);
    buf_puts(&q.sql, "SELECT id, " SQL_ISO_UTC("at") ", (extract(epoch FROM at) * 1000000)::bigint,"
                     " coalesce(user_id::text, ''), actor, action, entity, entity_id, ip, request_id, detail::text"
                     " FROM audit_log WHERE org_id = app_org_id()");
    if (f->user_id) {
        buf_printf(&q.sql, " AND user_id = $%d::uuid", sql_param(&q, f->user_id));
        mask |= AF_USER;
    }
    if (f->entity) {
        buf_printf(&q.sql, " AND entity = $%d", sql_param(&q, f->entity));
        mask |= AF_ENTITY;
    }
    if (f->entity_id) {
        buf_printf(&q.sql, " AND entity_id = $%d", sql_param(&q, f->entity_id));
        mask |= AF_ENTITY_ID;
    }
    if (f->action) {
        buf_printf(&q.sql, " AND action = $%d", sql_param(&q, f->action));
        mask |= AF_ACTION;
    }
    if (f->from) {
        int d = sql_param(&q, f->from), z = sql_param(&q, f->tz);
        buf_printf(&q.sql, " AND at >= ($%d::date::timestamp AT TIME ZONE $%d)", d, z);
        mask |= AF_FROM;
    }
    if (f->to) {
        int d = sql_param(&q, f->to), z = sql_param(&q, f->tz);
        buf_printf(&q.sql, " AND at < (($%d::date + 1)::timestamp AT TIME ZONE $%d)", d, z);
        mask |= AF_TO;
    }
    if (f->after) {
        int k = sql_param(&q, f->after_us), id = sql_param(&q, f->after_id);
        buf_printf(&q.sql, " AND (at, id) < (timestamptz 'epoch' + $%d::bigint * interval '1 microsecond', $%d::bigint)",
                   k, id);
        mask |= AF_CURSOR;
    }
    buf_puts(&q.sql, " ORDER BY at DESC, id DESC");
    const char *name = sql_limit(&q, &list_names[mask], "audit_list", "newest", mask, limit);
    return db_exec(r->db, a, name, buf_cstr(&q.sql), q.n, q.params);
}

struct audit_page {
    struct param_value v[AP_COUNT];
    struct audit_filter f;
    long limit;
    struct dbres *rows;
    int n;
    str next;
};

/* Reads the filters into p->f; the cursor too unless all (the export). */
static void page_filters(struct request *r, struct audit_page *p, bool all, struct field_errors *e)
{
    params_parse(r->arena, &r->query, list_params, AP_COUNT, p->v, e);
    const struct param_value *v = p->v;
    p->limit = v[AP_LIMIT].valid ? v[AP_LIMIT].num : AUDIT_LIMIT_DEFAULT;
    p->f.user_id = v[AP_USER].valid ? v[AP_USER].text : NULL;
    p->f.entity = v[AP_ENTITY].valid ? v[AP_ENTITY].text : NULL;
    p->f.entity_id = v[AP_ENTITY_ID].valid ? v[AP_ENTITY_ID].text : NULL;
    p->f.action = v[AP_ACTION].valid ? v[AP_ACTION].text : NULL;
    p->f.from = v[AP_FROM].valid ? v[AP_FROM].text : NULL;
    p->f.to = v[AP_TO].valid ? v[AP_TO].text : NULL;
    p->f.tz = str_cstr(r->arena, r->session->org_timezone);
    if (p->f.from && p->f.to && v[AP_TO].num < v[AP_FROM].num) field_error_add(e, "to", "must be on or after from");
    if (all || !v[AP_CURSOR].given) return;
    int64_t key, id;
    if (list_cursor_decode_pair(app_secret(r), AUDIT_CURSOR_PURPOSE, v[AP_CURSOR].raw, &key, &id) < 0) {
        field_error_add(e, "cursor", list_params[AP_CURSOR].message);
        return;
    }
    p->f.after = true;
    snprintf(p->f.after_us, sizeof p->f.after_us, "%lld", (long long)key);
    snprintf(p->f.after_id, sizeof p->f.after_id, "%lld", (long long)id);
}

static int page_load(struct request *r, struct audit_page *p, struct field_errors *e)
{
    *p = (struct audit_page){ 0 };
    page_filters(r, p, false, e);
    if (e->n) return 0;
    p->rows = audit_query(r, r->arena, &p->f, p->limit + 1);
    if (!p->rows) return app_db_status(r);
    p->n = db_rows(p->rows) > p->limit ? (int)p->limit : db_rows(p->rows);
    if (db_rows(p->rows) > p->limit) {
        p->next = list_cursor_encode_pair(r->arena, app_secret(r), AUDIT_CURSOR_PURPOSE,
                                          strtoll(db_cstr(p->rows, p->n - 1, AU_AT_US), NULL, 10),
                                          strtoll(db_cstr(p->rows, p->n - 1, AU_ID), NULL, 10));
    }
    return 0;
}

static const char *list_url(struct request *r, const struct audit_page *p, const char *base, str cursor, uint64_t skip)
{
    struct buf qs, b;
    buf_init(&qs, r->arena, 96);
    params_query_string(list_params, p->v, AP_COUNT, skip, &qs);
    if (cursor.len) {
        if (qs.len) buf_putc(&qs, '&');
        buf_puts(&qs, "cursor=");
        buf_url_arg(&qs, cursor);
    }
    buf_init(&b, r->arena, qs.len + 32);
    buf_puts(&b, base);
    if (qs.len) {
        buf_putc(&b, '?');
        buf_put(&b, buf_str(&qs));
    }
    return buf_cstr(&b);
}

static int render_list(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct audit_page *p = ctx;
    struct tdict *d = page_dict(r, "Audit log", "admin/audit.tpl");
    admin_nav(d, "audit");
    form_field(d, "FIELD_USER", e, "user_id", "User id", "text", p->v[AP_USER].raw);
    form_field(d, "FIELD_ENTITY", e, "entity", "Entity", "text", p->v[AP_ENTITY].raw);
    form_field(d, "FIELD_ENTITY_ID", e, "entity_id", "Entity id", "text", p->v[AP_ENTITY_ID].raw);
    form_field(d, "FIELD_ACTION", e, "action", "Action", "text", p->v[AP_ACTION].raw);
    form_field(d, "FIELD_FROM", e, "from", "From", "date", p->v[AP_FROM].raw);
    form_field(d, "FIELD_TO", e, "to", "To", "date", p->v[AP_TO].raw);
    for (int i = 0; p->rows && i < p->n; i++) {
        struct tdict *x = tdict_add_section(d, "ROW");
        tdict_set(x, "ID", db_val(p->rows, i, AU_ID));
        tdict_set(x, "AT", db_val(p->rows, i, AU_AT));
        tdict_set(x, "USER_ID", db_val(p->rows, i, AU_USER_ID));
        if (db_val(p->rows, i, AU_USER_ID).len) tdict_show(x, "HAS_USER");
        tdict_set(x, "ACTOR", db_val(p->rows, i, AU_ACTOR).len ? db_val(p->rows, i, AU_ACTOR) : STR("(nobody signed in)"));
        tdict_set(x, "ACTION", db_val(p->rows, i, AU_ACTION));
        tdict_set(x, "ENTITY", db_val(p->rows, i, AU_ENTITY));
        tdict_set(x, "ENTITY_ID", db_val(p->rows, i, AU_ENTITY_ID));
        tdict_set(x, "IP", db_val(p->rows, i, AU_IP));
        tdict_set(x, "DETAIL", str_eq_cstr(db_val(p->rows, i, AU_DETAIL), "{}") ? STR("") : db_val(p->rows, i, AU_DETAIL));
    }
    if (p->rows && p->n == 0) tdict_show(d, p->f.after ? "NO_MORE" : "EMPTY");
    tdict_set_cstr(d, "EXPORT_URL", list_url(r, p, "/admin/audit/export.csv", STR_NULL,
                                             (uint64_t)1 << AP_CURSOR | (uint64_t)1 << AP_LIMIT));
    form_pager(d, p->v[AP_CURSOR].given ? list_url(r, p, "/admin/audit", STR_NULL, (uint64_t)1 << AP_CURSOR) : NULL,
               p->next.len ? list_url(r, p, "/admin/audit", p->next, (uint64_t)1 << AP_CURSOR) : NULL);
    field_errors_to_dict(d, e);
    return page_render(r, status, d);
}

static struct json_object *row_json(const struct dbres *q, int i)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, i, AU_ID));
    json_add_str(o, "at", db_val(q, i, AU_AT));
    str user = db_val(q, i, AU_USER_ID);
    json_add_str(o, "user_id", user.len ? user : STR_NULL);
    json_add_str(o, "actor", db_val(q, i, AU_ACTOR));
    json_add_str(o, "action", db_val(q, i, AU_ACTION));
    json_add_str(o, "entity", db_val(q, i, AU_ENTITY));
    json_add_str(o, "entity_id", db_val(q, i, AU_ENTITY_ID));
    json_add_str(o, "ip", db_val(q, i, AU_IP));
    json_add_str(o, "request_id", db_val(q, i, AU_REQUEST_ID));
    json_object_object_add(o, "detail", json_tokener_parse(db_cstr(q, i, AU_DETAIL)));
    return o;
}

/*
 * GET /admin/audit and GET /api/v1/admin/audit — the org's audit log, newest first.
 *   user_id           rows of this user
 *   entity, entity_id rows about this kind of thing (and this one)
 *   action            rows of this action ("login.failed", "deal.update", ...)
 *   from, to          dates (YYYY-MM-DD) in the org's zone, both included
 *   limit             1..200 (50); cursor: the previous page's next_cursor
 */
int admin_audit_list(struct request *r)
{
    struct audit_page p;
    struct field_errors e = { 0 };
    int st = page_load(r, &p, &e);
    if (st) return st;
    if (e.n) return field_errors_reply(r, "Some filters are not valid.", &e, render_list, &p);
    if (!r->wants_json) return render_list(r, 200, NULL, &p);
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < p.n; i++) json_object_array_add(a, row_json(p.rows, i));
    json_reply_list(r, a, p.next);
    return 0;
}

static const char export_header[] = "id,at,user_id,actor,action,entity,entity_id,ip,request_id,detail\r\n";

static void export_row(struct arena *scratch, struct buf *out, const struct dbres *q, int i)
{
    (void)scratch;
    static const int cols[] = { AU_ID, AU_AT, AU_USER_ID, AU_ACTOR, AU_ACTION, AU_ENTITY, AU_ENTITY_ID, AU_IP,
                                AU_REQUEST_ID, AU_DETAIL };
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        if (c) buf_putc(out, ',');
        csv_field(out, db_val(q, i, cols[c]));
    }
    buf_puts(out, "\r\n");
}

static struct dbres *export_batch(struct request *r, struct arena *scratch, void *ctx, int batch)
{
    return audit_query(r, scratch, ctx, batch);
}

static void export_remember(void *ctx, const struct dbres *q, int i)
{
    struct audit_filter *f = ctx;
    f->after = true;
    snprintf(f->after_us, sizeof f->after_us, "%s", db_cstr(q, i, AU_AT_US));
    snprintf(f->after_id, sizeof f->after_id, "%s", db_cstr(q, i, AU_ID));
}

/* GET /admin/audit/export.csv — every row the list's filters match (limit and cursor
 * ignored), formula-safe cells, streamed in keyset batches; its own audit row is
 * written first, so the export lists itself. */
int admin_audit_export(struct request *r)
{
    struct audit_page p = { 0 };
    struct field_errors e = { 0 };
    page_filters(r, &p, true, &e);
    if (e.n) return field_errors_reply(r, "Some filters are not valid.", &e, render_list, &p);
    struct buf detail;
    buf_init(&detail, r->arena, 64);
    buf_puts(&detail, "{\"query\":");
    buf_json_str(&detail, r->query_string);
    buf_putc(&detail, '}');
    int st = audit_write(r, "audit.export", "audit_log", STR(""), buf_cstr(&detail));
    if (st) return st;
    const struct csv_source src = { &p.f, "audit.csv", export_header, export_batch, export_row, export_remember };
    return csv_stream(r, &src, AUDIT_EXPORT_BATCH);
}
