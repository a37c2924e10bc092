/* calls.c — the calls list (page, JSON, CSV export), the call detail (page and
 * JSON), and the admin's soft delete. The list's parameters are parsed by
 * call_filters.c; the SQL is in db/calls_sql.c. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "calls_sql.h"
#include "../../db/db.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "call_filters.h"
#include "../common/csv.h"
#include "config.h"
#include "calls.h"

#define COUNT_CAP 10000
#define EXPORT_BATCH 1000

static const char *org_tz(struct request *r) { return str_cstr(r->arena, r->session->org_timezone); }

/* ---- formatting ---- */

/* "m:ss", or "h:mm:ss" from an hour. */
static str duration_text(struct arena *a, long s)
{
    char t[32];
    if (s >= 3600) snprintf(t, sizeof t, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else snprintf(t, sizeof t, "%ld:%02ld", s / 60, s % 60);
    return str_dup(a, str_from(t));
}

/* 12345 → "12,345". */
static str thousands(struct arena *a, long v)
{
    char d[24], out[32];
    int n = snprintf(d, sizeof d, "%ld", v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) out[k++] = ',';
        out[k++] = d[i];
    }
    return str_dup(a, str_make(out, (size_t)k));
}

static str status_label(struct arena *a, str status)
{
    char *s = str_cstr(a, status);
    for (char *p = s; *p; p++)
        if (*p == '_') *p = ' ';
    return str_from(s);
}

/* ---- the list: data ---- */

struct call_page {
    struct dbres *rows;
    int n;          /* rows shown (the query fetched one more to see if there is a next page) */
    str next_cursor;
    long count;     /* -1: not counted */
};

/* Runs the list (and, when filtered, the capped count). Returns 0 or an HTTP status. */
static int call_page_load(struct request *r, const struct call_filter *f, struct call_page *p)
{
    const char *tz = org_tz(r);
    p->rows = calls_list_query(r->db, r->arena, f, tz, f->has_cursor ? &f->cursor : NULL, f->limit + 1);
    if (!p->rows) return db_error_http_status(db_last_error(r->db));
    p->n = db_rows(p->rows) > f->limit ? (int)f->limit : db_rows(p->rows);
    p->next_cursor = STR_NULL;
    if (db_rows(p->rows) > f->limit) {
        struct call_cursor c = calls_cursor_of(p->rows, p->n - 1, f->sort);
        p->next_cursor = call_cursor_encode(r->arena, app_secret(r), &c);
    }
    p->count = -1;
    if (call_filter_narrows(f)) {
        struct dbres *c = calls_count_query(r->db, r->arena, f, tz, COUNT_CAP);
        if (!c) return db_error_http_status(db_last_error(r->db));
        p->count = db_long(c, 0, 0);
    }
    return 0;
}

/* ---- JSON ---- */

static void json_add_nullable(struct json_object *o, const char *key, const struct dbres *res, int row, int col)
{
    json_add_str(o, key, db_isnull(res, row, col) ? STR_NULL : db_val(res, row, col));
}

/* A call as SPEC §5 lists its fields. */
static struct json_object *call_json(const struct dbres *res, int row)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(res, row, CC_ID));
    json_add_str(o, "direction", db_val(res, row, CC_DIRECTION));
    json_add_str(o, "provider", db_val(res, row, CC_PROVIDER));
    json_add_str(o, "provider_call_id", db_val(res, row, CC_PROVIDER_CALL_ID));
    json_add_str(o, "from_number", db_val(res, row, CC_FROM));
    json_add_str(o, "to_number", db_val(res, row, CC_TO));
    json_add_str(o, "caller_name", db_val(res, row, CC_CALLER_NAME));
    json_add_str(o, "status", db_val(res, row, CC_STATUS));
    char iso[CALLS_ISO_SIZE];
    json_add_str(o, "started_at", calls_iso(res, row, CC_STARTED_AT, iso));
    if (db_isnull(res, row, CC_ENDED_AT)) json_object_object_add(o, "ended_at", NULL);
    else json_add_str(o, "ended_at", calls_iso(res, row, CC_ENDED_AT, iso));
    json_add_long(o, "duration_s", db_long(res, row, CC_DURATION_S));
    if (db_isnull(res, row, CC_SENTIMENT_SCORE))
        json_object_object_add(o, "sentiment_score", NULL);
    else
        json_object_object_add(o, "sentiment_score",
                               json_object_new_double(strtod(db_cstr(res, row, CC_SENTIMENT_SCORE), NULL)));
    json_add_nullable(o, "sentiment_label", res, row, CC_SENTIMENT_LABEL);
    json_add_bool(o, "has_recording", db_bool(res, row, CC_HAS_RECORDING));
    json_add_nullable(o, "contact_id", res, row, CC_CONTACT_ID);
    json_add_nullable(o, "campaign_id", res, row, CC_CAMPAIGN_ID);
    json_add_str(o, "created_at", calls_iso(res, row, CC_CREATED_AT, iso));
    return o;
}

static struct json_object *calls_json_array(const struct dbres *res, int n)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < n; i++) json_object_array_add(a, call_json(res, i));
    return a;
}

static void reply_filter_errors_json(struct request *r, const struct call_filter_error *errs, int n)
{
    struct json_object *fields = json_object_new_object();
    for (int i = 0; i < n && i < CP_COUNT; i++) json_add_cstr(fields, call_param_names[errs[i].param], errs[i].message);
    app_error(r, 400, "Some filters are not valid.", fields);
}

/* ---- HTML ---- */

struct select_option {
    const char *value, *label;
};

/* Fills section with the options; the current value is selected, and a value that
 * is none of them (bad input) is shown as an extra, selected option. */
static void fill_select(struct tdict *d, const char *section, const struct select_option *opts, size_t n,
                        str current)
{
    bool matched = false;
    for (size_t i = 0; i < n; i++) {
        struct tdict *o = tdict_add_section(d, section);
        tdict_set_cstr(o, "OPT_VALUE", opts[i].value);
        tdict_set_cstr(o, "OPT_LABEL", opts[i].label);
        if (str_eq_cstr(current, opts[i].value)) {
            tdict_show(o, "OPT_SELECTED");
            matched = true;
        }
    }
    if (!matched && current.len) {
        struct tdict *o = tdict_add_section(d, section);
        tdict_set(o, "OPT_VALUE", current);
        tdict_set(o, "OPT_LABEL", current);
        tdict_show(o, "OPT_SELECTED");
    }
}

static void fill_form(struct tdict *d, const struct call_filter *f, const struct call_filter_error *errs, int nerr)
{
    static const struct select_option directions[] = { { "", "Any" }, { "inbound", "Inbound" }, { "outbound", "Outbound" } };
    static const struct select_option statuses[] = {
        { "", "Any" }, { "completed", "Completed" }, { "in_progress", "In progress" }, { "ringing", "Ringing" },
        { "queued", "Queued" }, { "busy", "Busy" }, { "no_answer", "No answer" }, { "failed", "Failed" },
        { "canceled", "Canceled" }, { "busy,no_answer,failed,canceled", "Not answered" },
    };
    static const struct select_option sentiments[] = { { "", "Any" }, { "positive", "Positive" }, { "neutral", "Neutral" }, { "negative", "Negative" } };
    static const struct select_option recordings[] = { { "", "Any" }, { "true", "With recording" }, { "false", "Without recording" } };
    /* The default's value is empty so that a plain search does not put it in the URL. */
    static const struct select_option sorts[] = { { "", "Newest first" }, { "oldest", "Oldest first" }, { "longest", "Longest first" } };
    static const struct select_option limits[] = { { "", "50" }, { "100", "100" }, { "200", "200" } };
    for (int i = 0; i < CP_COUNT; i++) {
        char key[40];
        snprintf(key, sizeof key, "V_%s", call_param_names[i]);
        tdict_set(d, key, f->raw[i]);
    }
    tdict_set_cstr(d, "START_TYPE", f->raw[CP_START_DATE].len <= 10 ? "date" : "text");
    tdict_set_cstr(d, "END_TYPE", f->raw[CP_END_DATE].len <= 10 ? "date" : "text");
    fill_select(d, "DIRECTION_OPT", directions, sizeof directions / sizeof *directions, f->raw[CP_DIRECTION]);
    fill_select(d, "STATUS_OPT", statuses, sizeof statuses / sizeof *statuses, f->raw[CP_STATUS]);
    fill_select(d, "SENTIMENT_OPT", sentiments, sizeof sentiments / sizeof *sentiments, f->raw[CP_SENTIMENT]);
    fill_select(d, "RECORDING_OPT", recordings, sizeof recordings / sizeof *recordings, f->raw[CP_HAS_RECORDING]);
    fill_select(d, "SORT_OPT", sorts, sizeof sorts / sizeof *sorts,
                str_eq(f->raw[CP_SORT], STR("newest")) ? STR("") : f->raw[CP_SORT]);
    fill_select(d, "LIMIT_OPT", limits, sizeof limits / sizeof *limits, f->raw[CP_LIMIT]);
    if (f->include_demo) tdict_show(d, "DEMO_CHECKED");
    if (call_filter_narrows(f)) tdict_show(d, "CAN_CLEAR");
    if (nerr) tdict_show(d, "FORM_ERROR");
    for (int i = 0; i < nerr && i < CP_COUNT; i++) {
        char key[40];
        snprintf(key, sizeof key, "E_%s", call_param_names[errs[i].param]);
        struct tdict *e = tdict_add_section(d, key);
        tdict_set_cstr(e, "MSG", errs[i].message);
        struct tdict *s = tdict_add_section(d, "ERROR_SUMMARY");
        tdict_set_cstr(s, "FIELD", call_param_names[errs[i].param]);
        tdict_set_cstr(s, "MSG", errs[i].message);
    }
}

static void fill_row(struct request *r, struct tdict *row, const struct dbres *res, int i)
{
    str id = db_val(res, i, CC_ID);
    tdict_set(row, "ID", id);
    char iso[CALLS_ISO_SIZE];
    tdict_set(row, "TIME", calls_local_minute(res, i, CC_STARTED_LOCAL));
    tdict_set(row, "STARTED_AT", calls_iso(res, i, CC_STARTED_AT, iso));
    tdict_set(row, "DIRECTION", db_val(res, i, CC_DIRECTION));
    tdict_set(row, "FROM", db_val(res, i, CC_FROM));
    tdict_set(row, "TO", db_val(res, i, CC_TO));
    tdict_set(row, "CALLER", db_val(res, i, CC_CALLER_NAME));
    tdict_set(row, "STATUS", db_val(res, i, CC_STATUS));
    tdict_set(row, "STATUS_LABEL", status_label(r->arena, db_val(res, i, CC_STATUS)));
    tdict_set(row, "DURATION", duration_text(r->arena, db_long(res, i, CC_DURATION_S)));
    tdict_set(row, "SENTIMENT", db_val(res, i, CC_SENTIMENT_LABEL));
    if (db_val(res, i, CC_SENTIMENT_LABEL).len) tdict_show(row, "HAS_SENT");
    if (db_bool(res, i, CC_HAS_RECORDING)) tdict_show(row, "RECORDING");
    if (db_bool(res, i, CC_IS_DEMO)) tdict_show(row, "DEMO");
}

static str list_url(struct request *r, const char *path, const struct call_filter *f, unsigned skip, str cursor)
{
    struct buf qs;
    buf_init(&qs, r->arena, 256);
    call_filter_query_string(f, skip, &qs);
    if (cursor.len) {
        if (qs.len) buf_putc(&qs, '&');
        buf_puts(&qs, "cursor=");
        buf_url_arg(&qs, cursor);
    }
    struct buf u;
    buf_init(&u, r->arena, qs.len + 32);
    buf_puts(&u, path);
    if (qs.len) {
        buf_putc(&u, '?');
        buf_put(&u, buf_str(&qs));
    }
    return buf_str(&u);
}

static void fill_results(struct request *r, struct tdict *d, const struct call_filter *f, const struct call_page *p)
{
    for (int i = 0; i < p->n; i++) fill_row(r, tdict_add_section(d, "ROW"), p->rows, i);
    if (p->n) tdict_show(d, "HAS_ROWS");
    else if (call_filter_narrows(f) || f->has_cursor) tdict_show(d, "EMPTY_FILTERED");
    else tdict_show(d, "EMPTY_ALL");
    if (p->count >= 0) {
        struct tdict *c = tdict_add_section(d, "COUNT");
        tdict_set(c, "COUNT_TEXT", thousands(r->arena, p->count > COUNT_CAP ? COUNT_CAP : p->count));
        if (p->count > COUNT_CAP) tdict_show(c, "COUNT_MORE");
        tdict_set_cstr(c, "COUNT_NOUN", p->count == 1 ? "call matches" : "calls match");
    }
    if (p->next_cursor.len) {
        struct tdict *nx = tdict_add_section(d, "NEXT");
        tdict_set(nx, "NEXT_URL", list_url(r, "/calls", f, 1u << CP_CURSOR, p->next_cursor));
    }
    if (f->has_cursor) {
        struct tdict *first = tdict_add_section(d, "FIRST");
        tdict_set(first, "FIRST_URL", list_url(r, "/calls", f, 1u << CP_CURSOR, STR_NULL));
    }
    tdict_set(d, "EXPORT_URL", list_url(r, "/calls/export.csv", f, (1u << CP_CURSOR) | (1u << CP_LIMIT), STR_NULL));
}

static int render_list(struct request *r, int status, const struct call_filter *f, const struct call_filter_error *errs,
                       int nerr, const struct call_page *p)
{
    struct tdict *d = page_dict(r, "Calls", "calls/list.tpl");
    tdict_set(d, "ORG_TIMEZONE", r->session->org_timezone);
    tdict_set_cstr(d, "STATIC_VERSION", PACKAGE_VERSION);
    fill_form(d, f, errs, nerr);
    struct tdict *res = tdict_include(d, "RESULTS", "calls/results.tpl");
    if (p) fill_results(r, res, f, p);
    else tdict_show(res, "NOT_RUN");
    return page_render(r, status, d);
}

/* Parses the filters; on bad input answers 400 (the page with messages at the
 * fields, or JSON naming them) and returns false. */
static bool filters_or_reply(struct request *r, struct call_filter *f)
{
    struct call_filter_error errs[CP_COUNT];
    int n = call_filter_parse(r->arena, &r->query, app_secret(r), f, errs, CP_COUNT);
    if (n == 0) return true;
    if (r->wants_json) reply_filter_errors_json(r, errs, n);
    else render_list(r, 400, f, errs, n, NULL);
    return false;
}

/*
 * GET /calls — the calls list. Parameters (all optional, "" = absent):
 *   start_date, end_date  YYYY-MM-DD (a day in the org's zone; end included) or
 *                         ISO-8601 time (end excluded)
 *   direction             inbound|outbound
 *   status                one of the 8 statuses, or several separated by commas
 *   phone                 any human format; matches from or to exactly (E.164)
 *   name                  caller name substring, case-insensitive (<= 200 chars)
 *   sentiment             positive|neutral|negative
 *   min_duration, max_duration  seconds, 0..86400, min <= max
 *   has_recording         true|false
 *   campaign_id           uuid
 *   q                     transcript full-text search (web search syntax)
 *   sort                  newest (default)|oldest|longest
 *   include_demo          true|false (default false)
 *   limit                 1..200 (default 50)
 *   cursor                from the "Next page" link
 */
int calls_list(struct request *r)
{
    struct call_filter f;
    if (!filters_or_reply(r, &f)) return 0;
    struct call_page p;
    int status = call_page_load(r, &f, &p);
    if (status) return status;
    return render_list(r, 200, &f, NULL, 0, &p);
}

/* GET /api/v1/calls — the same parameters as GET /calls;
 * {"data":[call...],"next_cursor":...}. */
int api_calls_list(struct request *r)
{
    struct call_filter f;
    if (!filters_or_reply(r, &f)) return 0;
    struct call_page p;
    int status = call_page_load(r, &f, &p);
    if (status) return status;
    json_reply_list(r, calls_json_array(p.rows, p.n), p.next_cursor);
    return 0;
}

/* ---- CSV export ---- */

static const char *const csv_header =
    "id,direction,provider,provider_call_id,from_number,to_number,caller_name,status,started_at,"
    "ended_at,duration_s,sentiment_score,sentiment_label,has_recording,contact_id,campaign_id,created_at\r\n";

static void csv_row(struct arena *scratch, struct buf *b, const struct dbres *res, int row)
{
    char iso[CALLS_ISO_SIZE];
    for (int c = CC_ID; c <= CC_CREATED_AT; c++) {
        if (c) buf_putc(b, ',');
        if (c == CC_HAS_RECORDING) buf_puts(b, db_bool(res, row, c) ? "true" : "false");
        else if (c == CC_STARTED_AT || c == CC_ENDED_AT || c == CC_CREATED_AT) csv_field(b, calls_iso(res, row, c, iso));
        else csv_field(b, db_val(res, row, c));
    }
    buf_puts(b, "\r\n");
}

static void export_audit(struct request *r, const struct call_filter *f)
{
    struct json_object *detail = json_object_new_object();
    struct json_object *filters = json_object_new_object();
    for (int i = 0; i < CP_COUNT; i++)
        if (f->raw[i].len && i != CP_CURSOR && i != CP_LIMIT) json_add_str(filters, call_param_names[i], f->raw[i]);
    json_object_object_add(detail, "filters", filters);
    audit_write(r, "calls.export", "call", STR(""), json_object_to_json_string_ext(detail, JSON_C_TO_STRING_PLAIN));
    json_object_put(detail);
}

/* Where the export is: the filters, the org's zone and the last row written. */
struct call_export {
    struct call_filter *f;
    const char *tz;
    struct call_cursor after;
    bool have_after;
};

static struct dbres *export_batch(struct request *r, struct arena *scratch, void *ctx, int batch)
{
    struct call_export *x = ctx;
    return calls_export_query(r->db, scratch, x->f, x->tz, x->have_after ? &x->after : NULL, batch);
}

static void export_remember(void *ctx, const struct dbres *res, int row)
{
    struct call_export *x = ctx;
    x->after = calls_cursor_of(res, row, x->f->sort);
    x->have_after = true;
}

/* GET /calls/export.csv — every call matching the list's filters (limit and cursor
 * ignored), RFC 4180, UTF-8, streamed; audited with the filters. */
int calls_export(struct request *r)
{
    struct call_filter f;
    if (!filters_or_reply(r, &f)) return 0;
    export_audit(r, &f);
    struct call_export x = { .f = &f, .tz = org_tz(r) };
    const struct csv_source src = { &x, "calls.csv", csv_header, export_batch, csv_row, export_remember };
    return csv_stream(r, &src, EXPORT_BATCH);
}

/* ---- detail ---- */

/* The call with path parameter id, or NULL after deciding the status (404 for
 * anything that is not one of this org's live calls). */
static struct dbres *call_or_status(struct request *r, const char **id, int *status)
{
    str raw = req_path_param(r, "id");
    *status = 404;
    if (!str_is_uuid(raw)) return NULL;
    *id = str_cstr(r->arena, raw);
    struct dbres *c = calls_detail_query(r->db, r->arena, *id, org_tz(r));
    if (!c) {
        *status = db_error_http_status(db_last_error(r->db));
        return NULL;
    }
    return db_rows(c) == 1 ? c : NULL;
}

/* The number the call shares with the other party: who called in, or who we called. */
static str other_number(const struct dbres *c)
{
    return str_eq(db_val(c, 0, CC_DIRECTION), STR("inbound")) ? db_val(c, 0, CC_FROM) : db_val(c, 0, CC_TO);
}

struct call_detail {
    struct dbres *call, *lines, *items, *related;
};

static int detail_load(struct request *r, struct call_detail *d, const char **id)
{
    int status;
    d->call = call_or_status(r, id, &status);
    if (!d->call) return status;
    str number = other_number(d->call);
    d->lines = calls_transcript_query(r->db, r->arena, *id);
    d->items = d->lines ? calls_action_items_query(r->db, r->arena, *id) : NULL;
    d->related = NULL;
    if (d->items && number.len)
        d->related = calls_related_query(r->db, r->arena, *id, str_cstr(r->arena, number), org_tz(r));
    if (!d->lines || !d->items || (number.len && !d->related)) return db_error_http_status(db_last_error(r->db));
    return 0;
}

/* "1:05" for a transcript line 65,000 ms in. */
static str offset_text(struct arena *a, long ms) { return duration_text(a, ms / 1000); }

static void fill_transcript(struct request *r, struct tdict *d, const struct dbres *lines)
{
    for (int i = 0; i < db_rows(lines); i++) {
        struct tdict *l = tdict_add_section(d, "LINE");
        bool timed = !db_isnull(lines, i, 0);
        if (timed) {
            struct tdict *t = tdict_add_section(l, "TIMED");
            tdict_set(t, "T_MS", db_val(lines, i, 0));
            tdict_set(t, "T_TEXT", offset_text(r->arena, db_long(lines, i, 0)));
        } else {
            tdict_show(l, "UNTIMED");
        }
        tdict_set(l, "SPEAKER", db_val(lines, i, 1));
        tdict_set(l, "TEXT", db_val(lines, i, 2));
    }
    if (db_rows(lines)) tdict_show(d, "HAS_TRANSCRIPT");
    else tdict_show(d, "NO_TRANSCRIPT");
}

static void fill_detail(struct request *r, struct tdict *d, const struct call_detail *cd)
{
    const struct dbres *c = cd->call;
    fill_row(r, d, c, 0);
    tdict_set(d, "PROVIDER", db_val(c, 0, CC_PROVIDER));
    tdict_set(d, "PROVIDER_CALL_ID", db_val(c, 0, CC_PROVIDER_CALL_ID));
    tdict_set(d, "ENDED", db_val(c, 0, CD_ENDED_LOCAL));
    tdict_set(d, "SCORE", db_val(c, 0, CC_SENTIMENT_SCORE));
    tdict_set(d, "SUMMARY", db_val(c, 0, CD_SUMMARY));
    tdict_set(d, "ENDED_REASON", db_val(c, 0, CD_ENDED_REASON));
    tdict_set(d, "ORG_TIMEZONE", r->session->org_timezone);
    tdict_set(d, "TITLE_NAME", db_val(c, 0, CC_CALLER_NAME).len ? db_val(c, 0, CC_CALLER_NAME) : other_number(c));
    if (db_val(c, 0, CD_SUMMARY).len) tdict_show(d, "HAS_SUMMARY");
    if (db_val(c, 0, CD_ENDED_REASON).len) tdict_show(d, "HAS_ENDED_REASON");
    if (db_val(c, 0, CC_SENTIMENT_LABEL).len) tdict_show(d, "HAS_SENTIMENT");
    str rec = db_val(c, 0, CD_RECORDING_STATUS);
    if (str_eq(rec, STR("stored"))) tdict_show(d, "PLAYER");
    else tdict_set(tdict_add_section(d, "NO_PLAYER"), "RECORDING_STATUS", rec);
    if (!db_isnull(c, 0, CC_CONTACT_ID)) {
        struct tdict *ct = tdict_add_section(d, "CONTACT");
        tdict_set(ct, "CONTACT_NAME", db_val(c, 0, CD_CONTACT_NAME));
        tdict_set(ct, "CONTACT_PHONE", db_val(c, 0, CD_CONTACT_PHONE));
    }
    fill_transcript(r, d, cd->lines);
    for (int i = 0; i < db_rows(cd->items); i++)
        tdict_set(tdict_add_section(d, "ACTION_ITEM"), "ITEM", db_val(cd->items, i, 0));
    if (!db_rows(cd->items)) tdict_show(d, "NO_ACTION_ITEMS");
    for (int i = 0; i < db_rows(cd->related); i++) fill_row(r, tdict_add_section(d, "RELATED"), cd->related, i);
    if (db_rows(cd->related)) tdict_show(d, "HAS_RELATED");
    else tdict_show(d, "NO_RELATED");
    tdict_set(d, "OTHER_NUMBER", other_number(c));
    if (r->session->role >= ROLE_ADMIN) tdict_show(d, "CAN_DELETE");
}

/* GET /calls/{id} — one call: metadata, player, transcript, sentiment, summary,
 * action items, related calls, contact. Not a UUID, another org's, deleted → 404. */
int calls_show(struct request *r)
{
    struct call_detail cd;
    const char *id = NULL;
    int status = detail_load(r, &cd, &id);
    if (status) return status;
    struct tdict *d = page_dict(r, "Call", "calls/show.tpl");
    tdict_set_cstr(d, "STATIC_VERSION", PACKAGE_VERSION);
    fill_detail(r, d, &cd);
    return page_render(r, 200, d);
}

static struct json_object *transcript_json(const struct dbres *lines)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(lines); i++) {
        struct json_object *l = json_object_new_object();
        if (db_isnull(lines, i, 0)) json_object_object_add(l, "t_ms", NULL);
        else json_object_object_add(l, "t_ms", json_object_new_int64(strtoll(db_cstr(lines, i, 0), NULL, 10)));
        json_add_str(l, "speaker", db_val(lines, i, 1));
        json_add_str(l, "text", db_val(lines, i, 2));
        if (db_isnull(lines, i, 3)) json_object_object_add(l, "confidence", NULL);
        else json_object_object_add(l, "confidence", json_object_new_double(strtod(db_cstr(lines, i, 3), NULL)));
        json_object_array_add(a, l);
    }
    return a;
}

/* GET /api/v1/calls/{id} — the list fields plus transcript, action_items,
 * related_calls, summary, ended_reason, recording_status. */
int api_calls_show(struct request *r)
{
    struct call_detail cd;
    const char *id = NULL;
    int status = detail_load(r, &cd, &id);
    if (status) return status;
    struct json_object *o = call_json(cd.call, 0);
    json_object_object_add(o, "transcript", transcript_json(cd.lines));
    struct json_object *items = json_tokener_parse(db_cstr(cd.call, 0, CD_ACTION_ITEMS_JSON));
    json_object_object_add(o, "action_items", items ? items : json_object_new_array());
    json_object_object_add(o, "related_calls", calls_json_array(cd.related, db_rows(cd.related)));
    json_add_str(o, "summary", db_val(cd.call, 0, CD_SUMMARY));
    json_add_str(o, "ended_reason", db_val(cd.call, 0, CD_ENDED_REASON));
    json_add_str(o, "recording_status", db_val(cd.call, 0, CD_RECORDING_STATUS));
    json_reply_data(r, 200, o);
    return 0;
}

/* ---- delete ---- */

/* GET /calls/{id}/delete (admin) — the confirmation page. */
int calls_delete_confirm(struct request *r)
{
    const char *id = NULL;
    int status;
    struct dbres *c = call_or_status(r, &id, &status);
    if (!c) return status;
    struct tdict *d = page_dict(r, "Delete call", "calls/delete.tpl");
    fill_row(r, d, c, 0);
    return page_render(r, 200, d);
}

/* Soft-deletes the call of path parameter id and audits it. Returns 0 (deleted)
 * or an HTTP status. */
static int delete_call(struct request *r)
{
    str raw = req_path_param(r, "id");
    if (!str_is_uuid(raw)) return 404;
    struct dbres *res = calls_soft_delete(r->db, r->arena, str_cstr(r->arena, raw));
    if (!res) return db_error_http_status(db_last_error(r->db));
    if (db_rows(res) != 1) return 404;
    if (audit_write(r, "call.delete", "call", raw, NULL) != 0) return db_error_http_status(db_last_error(r->db));
    return 0;
}

/* POST /calls/{id}/delete (admin, CSRF) — soft delete, then 303 to /calls. */
int calls_delete(struct request *r)
{
    int status = delete_call(r);
    if (status) return status;
    return redirect_see_other(r, "/calls", "ok", "The call was deleted.");
}

/* DELETE /api/v1/calls/{id} (admin) — soft delete; {"data":{"deleted":true}}. */
int api_calls_delete(struct request *r)
{
    int status = delete_call(r);
    if (status) return status;
    struct json_object *o = json_object_new_object();
    json_add_bool(o, "deleted", true);
    json_reply_data(r, 200, o);
    return 0;
}
