/* brands.c — brands: list with search, create, edit (versioned), the detail page
 * with the brand's deals and derived metrics (payment delay, reliability, typical
 * revisions); pages and JSON. Managers and admins write; everyone reads. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/call_analytics.h"
#include "../../domain/deal_stage.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/cursor.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "../common/params.h"
#include "deal_common.h"
#include "deals.h"
#include "deals_sql.h"

enum { BR_ID, BR_NAME, BR_ALIASES, BR_CONTACTS, BR_NOTES, BR_VERSION, BR_CREATED, BR_UPDATED, BR_ALIASES_TEXT,
       BR_CONTACTS_TEXT };
/* aliases as a JSON array and as "a, b"; contacts as JSON and as "name, email, phone" lines. */
#define BR_SELECT                                                                                       \
    "SELECT b.id, b.name, to_jsonb(b.aliases)::text, b.contacts::text, b.notes, b.version,"            \
    " to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                      \
    " to_char(b.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                      \
    " array_to_string(b.aliases, ', '),"                                                               \
    " coalesce((SELECT string_agg(concat_ws(', ', nullif(c->>'name', ''), nullif(c->>'email', ''),"     \
    "   nullif(c->>'phone', '')), E'\\n') FROM jsonb_array_elements(b.contacts) c), '')"                 \
    " FROM brands b WHERE b.org_id = app_org_id() AND b.id = $1 AND b.deleted_at IS NULL"

static struct dbres *brand_load(struct request *r, str id, bool lock, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    const char *p = str_cstr(r->arena, id);
    struct dbres *q = lock ? db_q(r->db, r->arena, "brand_load_lock", BR_SELECT " FOR UPDATE", p)
                           : db_q(r->db, r->arena, "brand_load", BR_SELECT, p);
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

/* ---- metrics ---- */

struct brand_metrics {
    long paid_count, delay_sum_days, on_time;
    long deals, median_revisions;
    bool has_median;
};

/* Over the brand's live deals: paid payments with an expected date (delay = the org-zone
 * day it was paid minus the expected day; on time when <= 0), and the median revisions. */
enum { BM_PAID, BM_DELAY_SUM, BM_ON_TIME, BM_DEALS, BM_MEDIAN_REVISIONS };
#define BRAND_METRICS_SQL                                                                              \
    "WITH o AS (SELECT timezone FROM orgs WHERE id = app_org_id()),"                                   \
    " p AS (SELECT ((p.paid_at AT TIME ZONE o.timezone)::date - p.expected_at) AS delay"              \
    "  FROM o, payments p JOIN deals d ON d.org_id = p.org_id AND d.id = p.deal_id AND d.deleted_at IS NULL" \
    "  WHERE p.org_id = app_org_id() AND d.brand_id = $1 AND p.deleted_at IS NULL AND p.status = 'paid'" \
    "  AND p.expected_at IS NOT NULL AND p.paid_at IS NOT NULL)"                                      \
    " SELECT (SELECT count(*) FROM p), (SELECT coalesce(sum(delay), 0) FROM p),"                      \
    " (SELECT count(*) FROM p WHERE delay <= 0),"                                                      \
    " (SELECT count(*) FROM deals WHERE org_id = app_org_id() AND brand_id = $1 AND deleted_at IS NULL)," \
    " (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY revisions_used) FROM deals"                 \
    "   WHERE org_id = app_org_id() AND brand_id = $1 AND deleted_at IS NULL)"

static int metrics_load(struct request *r, str id, struct brand_metrics *m)
{
    struct dbres *q = db_q(r->db, r->arena, "brand_metrics", BRAND_METRICS_SQL, str_cstr(r->arena, id));
    if (!q) return app_db_status(r);
    m->paid_count = db_long(q, 0, BM_PAID);
    m->delay_sum_days = db_long(q, 0, BM_DELAY_SUM);
    m->on_time = db_long(q, 0, BM_ON_TIME);
    m->deals = db_long(q, 0, BM_DEALS);
    m->has_median = !db_isnull(q, 0, BM_MEDIAN_REVISIONS);
    m->median_revisions = db_long(q, 0, BM_MEDIAN_REVISIONS);
    return 0;
}

/* Average delay in tenths of a day, rounded half away from zero. */
static long delay_tenths(const struct brand_metrics *m)
{
    long s = m->delay_sum_days;
    long t = ca_div_round((s < 0 ? -s : s) * 10, m->paid_count);
    return s < 0 ? -t : t;
}

static void tenths_text(long tenths, char out[32])
{
    char t[24];
    ca_format_tenths(tenths < 0 ? -tenths : tenths, t);
    snprintf(out, 32, "%s%s", tenths < 0 ? "-" : "", t);
}

static struct json_object *metrics_json(const struct brand_metrics *m)
{
    struct json_object *o = json_object_new_object();
    char t[32];
    json_add_long(o, "paid_payments", m->paid_count);
    if (m->paid_count) {
        tenths_text(delay_tenths(m), t);
        json_add_cstr(o, "average_payment_delay_days", t);
        ca_format_tenths(ca_permille(m->on_time, m->paid_count), t);
        json_add_cstr(o, "payment_reliability_pct", t);
    } else {
        json_object_object_add(o, "average_payment_delay_days", NULL);
        json_object_object_add(o, "payment_reliability_pct", NULL);
    }
    if (m->has_median) json_add_long(o, "typical_revisions", m->median_revisions);
    else json_object_object_add(o, "typical_revisions", NULL);
    json_add_long(o, "deals", m->deals);
    return o;
}

static void metrics_dict(struct tdict *d, const struct brand_metrics *m)
{
    char t[32];
    if (m->paid_count) {
        struct tdict *x = tdict_add_section(d, "PAY_METRICS");
        tenths_text(delay_tenths(m), t);
        tdict_set_cstr(x, "DELAY", t);
        ca_format_tenths(ca_permille(m->on_time, m->paid_count), t);
        tdict_set_cstr(x, "RELIABILITY", t);
        tdict_set_long(x, "PAID_COUNT", m->paid_count);
    } else {
        tdict_show(d, "PAY_NO_DATA");
    }
    if (m->has_median) tdict_set_long(tdict_add_section(d, "REV_METRICS"), "REVISIONS", m->median_revisions);
    else tdict_show(d, "REV_NO_DATA");
}

/* ---- JSON of a brand ---- */

static struct json_object *brand_json(const struct dbres *q, const struct brand_metrics *m)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, 0, BR_ID));
    json_add_str(o, "name", db_val(q, 0, BR_NAME));
    json_object_object_add(o, "aliases", json_tokener_parse(db_cstr(q, 0, BR_ALIASES)));
    json_object_object_add(o, "contacts", json_tokener_parse(db_cstr(q, 0, BR_CONTACTS)));
    json_add_str(o, "notes", db_val(q, 0, BR_NOTES));
    json_add_long(o, "version", db_long(q, 0, BR_VERSION));
    json_add_str(o, "created_at", db_val(q, 0, BR_CREATED));
    json_add_str(o, "updated_at", db_val(q, 0, BR_UPDATED));
    if (m) json_object_object_add(o, "metrics", metrics_json(m));
    return o;
}

/* ---- input ---- */

struct brand_in {
    str name, aliases_text, contacts_text, notes;
    struct json_object *aliases, *contacts; /* built here; owned by the arena cleanup below */
};

static void json_put_on_reset(void *p) { json_object_put(p); }

/* "a, b ,c" → ["a","b","c"] (empty pieces dropped) with the label limits of 0008. */
static void parse_aliases(struct request *r, struct brand_in *in, struct field_errors *e)
{
    in->aliases = json_object_new_array();
    arena_on_reset(r->arena, json_put_on_reset, in->aliases);
    str rest = in->aliases_text, piece;
    while (rest.len) {
        str_cut(rest, ',', &piece, &rest);
        piece = str_trim(piece);
        if (!piece.len) continue;
        if (utf8_length(piece) > 50) field_error_add(e, "aliases", "each alias must be at most 50 characters");
        json_object_array_add(in->aliases, json_object_new_string_len(piece.ptr, (int)piece.len));
    }
    if (json_object_array_length(in->aliases) > 50) field_error_add(e, "aliases", "must be at most 50 aliases");
}

/* One contact per line: "name, email, phone" (email and phone optional, in any order
 * after the name: a piece with '@' is the email). */
static void parse_contacts(struct request *r, struct brand_in *in, struct field_errors *e)
{
    in->contacts = json_object_new_array();
    arena_on_reset(r->arena, json_put_on_reset, in->contacts);
    str rest = in->contacts_text, line;
    while (rest.len) {
        str_cut(rest, '\n', &line, &rest);
        line = str_trim(line);
        if (!line.len) continue;
        str name, tail, piece;
        str_cut(line, ',', &name, &tail);
        struct json_object *c = json_object_new_object();
        json_add_str(c, "name", str_trim(name));
        while (tail.len) {
            str_cut(tail, ',', &piece, &tail);
            piece = str_trim(piece);
            if (!piece.len) continue;
            json_add_str(c, memchr(piece.ptr, '@', piece.len) ? "email" : "phone", piece);
        }
        if (!str_trim(name).len || utf8_length(line) > 500) field_error_add(e, "contacts", "must be one contact a line: name, email, phone");
        json_object_array_add(in->contacts, c);
    }
    if (json_object_array_length(in->contacts) > 100) field_error_add(e, "contacts", "must be at most 100 contacts");
}

/* JSON bodies may send aliases as an array of strings and contacts as an array of
 * objects; both are turned into the form's text so one parser serves both. */
static str json_list_text(struct request *r, const char *key, bool contacts, bool *present, struct field_errors *e)
{
    struct json_object *v;
    *present = false;
    if (!json_object_object_get_ex(r->json, key, &v)) return STR("");
    *present = true;
    if (!json_object_is_type(v, json_type_array)) return input_value(r, key, present, e);
    struct buf b;
    buf_init(&b, r->arena, 64);
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        struct json_object *x = json_object_array_get_idx(v, i), *f;
        if (i) buf_puts(&b, contacts ? "\n" : ",");
        if (!contacts && json_object_is_type(x, json_type_string)) buf_puts(&b, json_object_get_string(x));
        else if (contacts && json_object_is_type(x, json_type_object)) {
            static const char *const keys[] = { "name", "email", "phone" };
            for (int k = 0; k < 3; k++)
                if (json_object_object_get_ex(x, keys[k], &f) && json_object_is_type(f, json_type_string)) {
                    if (k) buf_puts(&b, ", ");
                    buf_puts(&b, json_object_get_string(f));
                }
        } else field_error_add(e, key, contacts ? "must be objects with name, email and phone" : "must be strings");
    }
    return buf_str(&b);
}

/* Reads the fields (absent ones keep base's values when base is given) and checks them. */
static void brand_read(struct request *r, const struct dbres *base, struct brand_in *in, struct field_errors *e)
{
    bool p;
    str v = str_trim(input_value(r, "name", &p, e));
    in->name = p || !base ? v : db_val(base, 0, BR_NAME);
    v = r->json ? json_list_text(r, "aliases", false, &p, e) : input_value(r, "aliases", &p, e);
    in->aliases_text = p || !base ? v : db_val(base, 0, BR_ALIASES_TEXT);
    v = r->json ? json_list_text(r, "contacts", true, &p, e) : input_value(r, "contacts", &p, e);
    in->contacts_text = p || !base ? v : db_val(base, 0, BR_CONTACTS_TEXT);
    v = input_value(r, "notes", &p, e);
    in->notes = p || !base ? v : db_val(base, 0, BR_NOTES);
    if (!in->name.len || utf8_length(in->name) > 200) field_error_add(e, "name", "must be 1 to 200 characters");
    if (utf8_length(in->notes) > 10000) field_error_add(e, "notes", "must be at most 10000 characters");
    parse_aliases(r, in, e);
    parse_contacts(r, in, e);
}

/* ---- writes ---- */

static int brand_history(struct request *r, str id, const struct dbres *old, const struct dbres *now)
{
    static const int cols[] = { BR_NAME, BR_ALIASES, BR_CONTACTS, BR_NOTES };
    static const char *const names[] = { "name", "aliases", "contacts", "notes" };
    str o[4], n[4];
    for (int i = 0; i < 4; i++) {
        o[i] = old ? db_val(old, 0, cols[i]) : STR_NULL;
        n[i] = db_val(now, 0, cols[i]);
    }
    int rc = old ? 0 : deal_history_event(r, "brand", id, "create");
    return rc ? rc : deal_history_diff(r, "brand", id, names, o, n, 4);
}

/* The column of brand_insert and brand_update: the brand's id. */
enum { BS_ID };

/* Inserts or updates; a name already in use (case-insensitive) is a field error, checked
 * first so the transaction is never left failed under a re-rendered form. */
static int brand_save(struct request *r, const struct dbres *old, const struct brand_in *in, struct dbres **row,
                      struct field_errors *e)
{
    const char *aliases = json_object_to_json_string(in->aliases), *contacts = json_object_to_json_string(in->contacts);
    struct dbres *q = db_q(r->db, r->arena, "brand_name_taken",
                           "SELECT 1 FROM brands WHERE org_id = app_org_id() AND lower(name) = lower($1)"
                           " AND deleted_at IS NULL AND id IS DISTINCT FROM $2::uuid",
                           str_cstr(r->arena, in->name), old ? db_cstr(old, 0, BR_ID) : NULL);
    if (!q) return app_db_status(r);
    if (db_rows(q)) {
        field_error_add(e, "name", "is already the name of another brand");
        return 400;
    }
    q = old
        ? db_q(r->db, r->arena, "brand_update",
               "UPDATE brands SET name = $2, aliases = ARRAY(SELECT jsonb_array_elements_text($3::jsonb)),"
               " contacts = $4::jsonb, notes = $5, version = version + 1, updated_at = now()"
               " WHERE org_id = app_org_id() AND id = $1 RETURNING id",
               db_cstr(old, 0, BR_ID), str_cstr(r->arena, in->name), aliases, contacts, str_cstr(r->arena, in->notes))
        : db_q(r->db, r->arena, "brand_insert",
               "INSERT INTO brands (org_id, name, aliases, contacts, notes) VALUES (app_org_id(), $1,"
               " ARRAY(SELECT jsonb_array_elements_text($2::jsonb)), $3::jsonb, $4) RETURNING id",
               str_cstr(r->arena, in->name), aliases, contacts, str_cstr(r->arena, in->notes));
    if (!q) return app_db_status(r);
    int st;
    *row = brand_load(r, db_val(q, 0, BS_ID), false, &st);
    return *row ? brand_history(r, db_val(q, 0, BS_ID), old, *row) : st;
}

/* ---- the form ---- */

/* What the form shows: the brand edited (NULL: a new one), the values, the version
 * they are based on, and a notice above them (NULL: none). */
struct brand_form {
    const struct dbres *row;
    const struct brand_in *in;
    long version;
    const char *notice;
};

/* form_render_fn: the new or edit form with ctx's values (a struct brand_form). */
static int render_form(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct brand_form *f = ctx;
    struct tdict *d = page_dict(r, f->row ? "Edit brand" : "New brand", "brands/form.tpl");
    if (f->row) {
        tdict_show(d, "EDIT");
        tdict_set(d, "ID", db_val(f->row, 0, BR_ID));
        tdict_set_long(d, "VERSION", f->version);
    } else {
        tdict_show(d, "NEW");
    }
    if (f->notice) tdict_set_cstr(tdict_add_section(d, "NOTICE"), "MSG", f->notice);
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    struct tdict *x = form_field(d, "FIELD_NAME", e, "name", "Name", "text", f->in->name);
    tdict_show(x, "REQUIRED");
    tdict_set_long(tdict_add_section(x, "MAXLENGTH"), "N", 200);
    x = form_field(d, "FIELD_ALIASES", e, "aliases", "Aliases", "text", f->in->aliases_text);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Separated by commas.");
    /* Textareas are written out by hand (no partial); form_errors set their messages. */
    form_set_value(d, "contacts", f->in->contacts_text);
    form_set_value(d, "notes", f->in->notes);
    return page_render(r, status, d);
}

static const char *brand_href(struct request *r, str id)
{
    struct buf b;
    buf_init(&b, r->arena, 64);
    buf_puts(&b, "/brands/");
    buf_put(&b, id);
    return buf_cstr(&b);
}

/* ---- the list ---- */

#define BRANDS_LIMIT_DEFAULT 50
#define BRANDS_CURSOR_PURPOSE "brands-cursor"

/* The list's parameters (GET /brands and GET /api/v1/brands). */
enum { BP_Q, BP_LIMIT, BP_CURSOR, BP_COUNT };
static const struct param_spec brand_params[BP_COUNT] = {
    [BP_Q] = { "q", PARAM_LIKE, 0, 200, NULL, NULL },
    [BP_LIMIT] = { "limit", PARAM_INT, 1, 200, NULL, NULL },
    [BP_CURSOR] = { "cursor", PARAM_RAW, 0, 0, NULL, "is not a page link of this list; start from the first page" },
};

/* One page of the list, loaded: what both renderers show. */
struct brand_page {
    struct param_value v[BP_COUNT];
    long limit;
    const char *after_id, *after_name; /* where the previous page ended; NULL: the first page */
    struct dbres *rows;                /* NULL when the parameters were refused */
    int n;                             /* rows shown (the query reads one more) */
    str next;                          /* the next page's cursor, or empty */
};

/* The cursor is the id of the last brand shown, signed for this list only. It carries
 * no name (names of up to 200 characters do not fit a token): the next page resumes
 * after that brand's (name_key, id) as stored, so brands added meanwhile land on their
 * own page and never shift the walk; renaming that very brand moves the resume point
 * with it. Returns 0 (after_* set, or a field error for a cursor not of this list or
 * naming a brand this org does not have) or the database's HTTP status. */
static int cursor_position(struct request *r, struct brand_page *p, struct field_errors *e)
{
    char id[37];
    if (list_cursor_decode_id(app_secret(r), BRANDS_CURSOR_PURPOSE, p->v[BP_CURSOR].raw, id) < 0) goto refused;
    struct dbres *key = brands_sort_key_query(r->db, r->arena, id);
    if (!key) return app_db_status(r);
    if (db_rows(key) != 1) goto refused;
    p->after_id = arena_strdup(r->arena, id);
    p->after_name = db_cstr(key, 0, 0);
    return 0;
refused:
    field_error_add(e, "cursor", brand_params[BP_CURSOR].message);
    return 0;
}

/* Reads the parameters and the page they ask for; field errors in e (rows NULL then).
 * Returns 0 or an HTTP status. */
static int brand_page_load(struct request *r, struct brand_page *p, struct field_errors *e)
{
    *p = (struct brand_page){ .limit = BRANDS_LIMIT_DEFAULT };
    params_parse(r->arena, &r->query, brand_params, BP_COUNT, p->v, e);
    if (p->v[BP_LIMIT].valid) p->limit = p->v[BP_LIMIT].num;
    int st = p->v[BP_CURSOR].given ? cursor_position(r, p, e) : 0;
    if (st || e->n) return st;
    p->rows = brands_list_query(r->db, r->arena, p->v[BP_Q].text, p->after_name, p->after_id, p->limit + 1);
    if (!p->rows) return app_db_status(r);
    p->n = db_rows(p->rows) > p->limit ? (int)p->limit : db_rows(p->rows);
    if (db_rows(p->rows) > p->limit)
        p->next = list_cursor_encode_id(r->arena, app_secret(r), BRANDS_CURSOR_PURPOSE, db_val(p->rows, p->n - 1, BL_ID));
    return 0;
}

/* "/brands?q=&limit=" and the cursor when given: the pager's links. */
static const char *list_url(struct request *r, const struct brand_page *p, str cursor)
{
    struct buf qs, b;
    buf_init(&qs, r->arena, 96);
    params_query_string(brand_params, p->v, BP_COUNT, (uint64_t)1 << BP_CURSOR, &qs);
    if (cursor.len) {
        if (qs.len) buf_putc(&qs, '&');
        buf_puts(&qs, "cursor=");
        buf_url_arg(&qs, cursor);
    }
    buf_init(&b, r->arena, qs.len + 8);
    buf_puts(&b, "/brands");
    if (qs.len) {
        buf_putc(&b, '?');
        buf_put(&b, buf_str(&qs));
    }
    return buf_cstr(&b);
}

/* form_render_fn: the list page (ctx a struct brand_page), with e's messages. */
static int render_list(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct brand_page *p = ctx;
    struct tdict *d = page_dict(r, "Brands", "brands/list.tpl");
    form_field(d, "FIELD_Q", e, "q", "Search", "search", p->v[BP_Q].raw);
    for (int i = 0; i < p->n; i++) {
        struct tdict *row = tdict_add_section(d, "BRAND");
        tdict_set(row, "ID", db_val(p->rows, i, BL_ID));
        tdict_set(row, "NAME", db_val(p->rows, i, BL_NAME));
        tdict_set(row, "ALIASES", db_val(p->rows, i, BL_ALIASES));
        tdict_set_long(row, "DEALS", db_long(p->rows, i, BL_DEALS));
    }
    if (p->rows && p->n == 0) tdict_show(d, p->v[BP_Q].given ? "NO_MATCH" : p->after_id ? "NO_MORE" : "EMPTY");
    tdict_set(d, "Q", p->v[BP_Q].raw);
    form_pager(d, p->v[BP_CURSOR].given ? list_url(r, p, STR_NULL) : NULL, p->next.len ? list_url(r, p, p->next) : NULL);
    if (r->session->role >= ROLE_MANAGER) tdict_show(d, "CAN_WRITE");
    field_errors_to_dict(d, e);
    return page_render(r, status, d);
}

static void reply_list_json(struct request *r, const struct brand_page *p)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < p->n; i++) {
        struct json_object *o = json_object_new_object();
        json_add_str(o, "id", db_val(p->rows, i, BL_ID));
        json_add_str(o, "name", db_val(p->rows, i, BL_NAME));
        json_add_long(o, "deals", db_long(p->rows, i, BL_DEALS));
        json_object_array_add(a, o);
    }
    json_reply_list(r, a, p->next);
}

/*
 * GET /brands and GET /api/v1/brands — the org's live brands by name
 * (case-insensitively, then id), keyset paginated. Parameters (brand_params):
 *   q       name or alias contains (<= 200 characters)
 *   limit   1..200 (50)
 *   cursor  the previous page's next_cursor
 * Bad parameters: 400 naming each (JSON), or the page with the messages.
 */
int brands_list(struct request *r)
{
    struct brand_page p;
    struct field_errors e = { 0 };
    int st = brand_page_load(r, &p, &e);
    if (st) return st;
    if (e.n) return field_errors_reply(r, "Some filters are not valid.", &e, render_list, &p);
    if (r->wants_json) {
        reply_list_json(r, &p);
        return 0;
    }
    return render_list(r, 200, NULL, &p);
}

/* ---- one brand ---- */

/* GET /brands/new. */
int brand_new_form(struct request *r)
{
    struct brand_in in = { STR(""), STR(""), STR(""), STR(""), NULL, NULL };
    return render_form(r, 200, NULL, &(struct brand_form){ NULL, &in, 0, NULL });
}

/* The answer to a saved brand: JSON with status, or 303 to its page with flash. */
static int reply_saved(struct request *r, int status, const struct dbres *row, const char *flash)
{
    if (!r->wants_json) return redirect_see_other(r, brand_href(r, db_val(row, 0, BR_ID)), "ok", flash);
    json_reply_data(r, status, brand_json(row, NULL));
    return 0;
}

/* POST /brands (and POST /api/v1/brands) — name, aliases, contacts, notes. */
int brand_create(struct request *r)
{
    struct brand_in in;
    struct field_errors e = { 0 };
    struct dbres *row = NULL;
    brand_read(r, NULL, &in, &e);
    int st = e.n ? 400 : brand_save(r, NULL, &in, &row, &e);
    if (st && e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_form, &(struct brand_form){ NULL, &in, 0, NULL });
    if (st) return st;
    return reply_saved(r, 201, row, "Brand created.");
}

/* A brand with its metrics, loaded for either renderer. */
struct brand_view {
    struct dbres *row;
    struct brand_metrics m;
};

/* The page's list of the brand's deals, most recently updated first. */
enum { BD_ID, BD_TITLE, BD_STAGE };
#define BRAND_DEALS_SQL                                                                                \
    "SELECT id, title, stage FROM deals WHERE org_id = app_org_id() AND brand_id = $1"                 \
    " AND deleted_at IS NULL ORDER BY updated_at DESC, id DESC LIMIT 100"

static int render_show(struct request *r, const struct brand_view *b)
{
    struct dbres *deals = db_q(r->db, r->arena, "brand_deals", BRAND_DEALS_SQL, db_cstr(b->row, 0, BR_ID));
    if (!deals) return app_db_status(r);
    struct tdict *d = page_dict(r, "Brand", "brands/show.tpl");
    tdict_set(d, "ID", db_val(b->row, 0, BR_ID));
    tdict_set(d, "NAME", db_val(b->row, 0, BR_NAME));
    tdict_set(d, "ALIASES", db_val(b->row, 0, BR_ALIASES_TEXT));
    tdict_set(d, "CONTACTS", db_val(b->row, 0, BR_CONTACTS_TEXT));
    tdict_set(d, "NOTES", db_val(b->row, 0, BR_NOTES));
    metrics_dict(d, &b->m);
    for (int i = 0; i < db_rows(deals); i++) {
        struct tdict *x = tdict_add_section(d, "DEAL");
        enum deal_stage s;
        tdict_set(x, "DEAL_ID", db_val(deals, i, BD_ID));
        tdict_set(x, "TITLE", db_val(deals, i, BD_TITLE));
        tdict_set_cstr(x, "STAGE", deal_stage_parse(db_val(deals, i, BD_STAGE), &s) ? deal_stage_label(s) : "");
    }
    if (db_rows(deals) == 0) tdict_show(d, "NO_DEALS");
    if (r->session->role >= ROLE_MANAGER) tdict_show(d, "CAN_WRITE");
    return page_render(r, 200, d);
}

/* GET /brands/{id} (and GET /api/v1/brands/{id}) — details and metrics; the page
 * also lists the brand's deals. */
int brand_show(struct request *r)
{
    int st;
    struct brand_view b;
    if (!(b.row = brand_load(r, req_path_param(r, "id"), false, &st))) return st;
    if ((st = metrics_load(r, db_val(b.row, 0, BR_ID), &b.m))) return st;
    if (!r->wants_json) return render_show(r, &b);
    json_reply_data(r, 200, brand_json(b.row, &b.m));
    return 0;
}

/* The form's values of a loaded brand. */
static struct brand_in brand_in_of_row(const struct dbres *q)
{
    return (struct brand_in){ db_val(q, 0, BR_NAME), db_val(q, 0, BR_ALIASES_TEXT), db_val(q, 0, BR_CONTACTS_TEXT),
                              db_val(q, 0, BR_NOTES), NULL, NULL };
}

/* GET /brands/{id}/edit. */
int brand_edit_form(struct request *r)
{
    int st;
    struct dbres *q = brand_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    struct brand_in in = brand_in_of_row(q);
    return render_form(r, 200, NULL, &(struct brand_form){ q, &in, db_long(q, 0, BR_VERSION), NULL });
}

/* A stale edit, as for deals: JSON 409 with the stored brand in error.fields.current,
 * or the form again (409) with the stored values, their version and a notice.
 * Returns REPLIED, or the status the form failed with. */
static int stale_reply(struct request *r, const struct dbres *q)
{
    if (r->wants_json) {
        deal_stale_reply_json(r, "brand", brand_json(q, NULL));
        return REPLIED;
    }
    struct brand_in cur = brand_in_of_row(q);
    struct brand_form f = { q, &cur, db_long(q, 0, BR_VERSION), deal_stale_form_notice(r, "brand") };
    int st = render_form(r, 409, NULL, &f);
    return st ? st : REPLIED;
}

/* POST /brands/{id} (form) and PATCH /api/v1/brands/{id} (JSON: absent fields kept),
 * with the `version` read (required). A stale version is answered before the fields
 * are checked: whatever was typed, it was typed over old values. */
int brand_update(struct request *r)
{
    int st;
    struct dbres *q = brand_load(r, req_path_param(r, "id"), true, &st), *row = NULL;
    if (!q) return st;
    struct brand_in in;
    struct field_errors e = { 0 };
    long version;
    if (input_read_version(r, &version, true, &e) && version != db_long(q, 0, BR_VERSION)) return stale_reply(r, q);
    brand_read(r, r->json ? q : NULL, &in, &e);
    st = e.n ? 400 : brand_save(r, q, &in, &row, &e);
    if (st && e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_form, &(struct brand_form){ q, &in, version, NULL });
    if (st) return st;
    return reply_saved(r, 200, row, "Brand saved.");
}
