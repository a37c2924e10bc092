/* calls.c — the calls list (page, JSON, CSV export), the call detail (page and
 * JSON), and the admin's soft delete. Each resource is loaded into a struct, then
 * rendered as a page or as JSON. The list's parameters are parsed by
 * call_filters.c; the SQL is in calls_sql.c. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/clock.h"
#include "calls_sql.h"
#include "../../db/db.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/csv.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "call_filters.h"
#include "calls.h"
#include "config.h"
#include "search_plans.h"

#define COUNT_CAP 10000

static const char *org_tz(struct request *r) { return str_cstr(r->arena, r->session->org_timezone); }

/* ---- formatting ---- */

/* "m:ss", or "h:mm:ss" from an hour; negative as 0:00. Written by hand: snprintf for
 * each of a page's 50 rows cost more than the rest of the row. */
static str duration_text(struct arena *a, long s)
{
    char t[32], *end = t + sizeof t, *p = end;
    if (s < 0) s = 0;
    long minutes = s >= 3600 ? s / 60 % 60 : s / 60;
    *--p = (char)('0' + s % 10);
    *--p = (char)('0' + s % 60 / 10);
    *--p = ':';
    if (s >= 3600) {
        *--p = (char)('0' + minutes % 10);
        *--p = (char)('0' + minutes / 10);
        *--p = ':';
        minutes = s / 3600; /* the leading number: hours */
    }
    do *--p = (char)('0' + minutes % 10); while ((minutes /= 10) > 0);
    return str_dup(a, str_make(p, (size_t)(end - p)));
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
    bool count_more; /* more than count match (a search that walked: its first page) */
};

/* Which columns the rows carry: all of the API's Call object, or the page's. */
enum call_rows { ROWS_API, ROWS_PAGE };

/* What a search's plan is remembered by (search_plans.h): the org, the terms, and the
 * page's length and order, which the choice weighs. */
static str search_plan_key(struct request *r, const struct call_filter *f)
{
    struct buf k;
    buf_init(&k, r->arena, 128);
    buf_put(&k, r->session->org_id);
    buf_printf(&k, "\n%ld\n%d\n%c", f->limit, (int)f->sort, f->name_like ? 'n' : '-');
    if (f->name_like) buf_puts(&k, f->name_like);
    buf_printf(&k, "\n%c", f->q ? 'q' : '-');
    if (f->q) buf_puts(&k, f->q);
    return buf_str(&k);
}

/* A search's count, from its rows (CC_MATCHES). One that walked (or went by the names
 * with other filters) is not counted, but its first page says the least: all of them
 * when it holds every match, else "50+". A page past the last match has no row to say
 * it. */
static void search_count(const struct call_filter *f, struct call_page *p)
{
    if (db_rows(p->rows) && !db_isnull(p->rows, 0, CC_MATCHES)) {
        p->count = db_long(p->rows, 0, CC_MATCHES);
    } else if (!f->has_cursor) {
        p->count = p->n;
        p->count_more = p->next_cursor.len > 0;
    }
}

/* Keeps the choice calls_search_plan_stmt made (known unknown). For a known
 * surname's way it answered whether the way still holds: kept with the names' new
 * epoch when they changed but it does, forgotten when it does not (calls_sql.c,
 * surname_keyset_stmt). */
static void remember_search_plan(str key, struct calls_search_choice known, const struct dbres *plan)
{
    bool surname = !db_isnull(plan, 0, CSP_NAMES_EPOCH);
    int64_t epoch = surname ? db_long(plan, 0, CSP_NAMES_EPOCH) : 0;
    if (known.via < 0) {
        long names = db_isnull(plan, 0, CSP_NAMES) ? -1 : db_long(plan, 0, CSP_NAMES);
        enum calls_search_via via = calls_search_via_of(db_cstr(plan, 0, CSP_CHOICE), names, surname);
        search_plans_put(key, (int)via, epoch, clock_mono_us());
    } else if (known.via == CALLS_SEARCH_SURNAME && strcmp(db_cstr(plan, 0, CSP_CHOICE), "surname") == 0) {
        if (!surname) search_plans_forget(key);
        else if (epoch != known.names_epoch) search_plans_put(key, CALLS_SEARCH_SURNAME, epoch, clock_mono_us());
    }
}

/* Runs the list (and, for the page when filtered, the capped count) as the request's
 * last statements: with the session's check and COMMIT, one round trip in all. A
 * search first chooses its plan (calls_search_plan_stmt). Returns 0 or an HTTP
 * status. */
static int call_page_load(struct request *r, const struct call_filter *f, enum call_rows cols, struct call_page *p)
{
    const char *tz = org_tz(r);
    struct db_stmt s[4];
    struct dbres *res[4];
    int n = 0;
    int count = -1, list;
    int plan = -1;
    struct calls_search_choice known = CALLS_SEARCH_UNKNOWN;
    str plan_key = STR_NULL;
    if (calls_is_search(f)) {
        plan_key = search_plan_key(r, f);
        known.via = search_plans_get(plan_key, clock_mono_us(), &known.names_epoch);
        plan = n;
        s[n++] = calls_search_plan_stmt(r->arena, f, f->limit + 1, known);
    }
    /* Only the page shows the count; a search's rows carry theirs. */
    if (cols == ROWS_PAGE && call_filter_narrows(f) && !calls_is_search(f)) {
        count = n;
        s[n++] = calls_count_stmt(r->arena, f, tz, COUNT_CAP);
    }
    /* After the count, which stays planned for its values: one plan for every number
     * (calls_list_plan_generic), made once per connection. Without index-only scans,
     * as a safeguard: a generic plan cannot tell a number on most calls from one on a
     * single call, and where a side has few distinct numbers (an org's own lines) the
     * covering started_at index, read only and filtered, could cost out cheapest and
     * then read every call of the org for a number that is not there. With a heap
     * fetch on every path, the number's own index always reads the fewest rows. (In
     * calls_plans.test.mjs's skewed data the planner chose the number's index either
     * way; the test checks that it does.) Transaction-local: only the list, last. */
    if (calls_list_plan_generic(f))
        s[n++] = (struct db_stmt){ "calls_generic_plans",
                                   "SELECT set_config('plan_cache_mode', 'force_generic_plan', true),"
                                   " set_config('enable_indexonlyscan', 'off', true)",
                                   0, NULL };
    list = n;
    const struct list_cursor *after = f->has_cursor ? &f->cursor : NULL;
    s[n++] = cols == ROWS_PAGE ? calls_page_stmt(r->arena, f, tz, after, f->limit + 1, known)
                               : calls_list_stmt(r->arena, f, tz, after, f->limit + 1, known);
    if (db_exec_last(r->db, r->arena, n, s, res) != 0) return app_db_status(r);
    if (plan >= 0) remember_search_plan(plan_key, known, res[plan]);
    p->rows = res[list];
    p->n = db_rows(p->rows) > f->limit ? (int)f->limit : db_rows(p->rows);
    p->next_cursor = STR_NULL;
    if (db_rows(p->rows) > f->limit) {
        struct list_cursor c = calls_cursor_of(p->rows, p->n - 1, f->sort);
        p->next_cursor = list_cursor_encode(r->arena, app_secret(r), CALL_CURSOR_PURPOSE, CALL_SORT_CODES, &c);
    }
    p->count = count >= 0 ? db_long(res[count], 0, CN_COUNT) : -1;
    p->count_more = false;
    if (plan >= 0) search_count(f, p);
    return 0;
}

/* ---- JSON ---- */

/* A column that may be NULL, as a JSON string or null. */
static str nullable(const struct dbres *res, int row, int col)
{
    return db_isnull(res, row, col) ? STR_NULL : db_val(res, row, col);
}

/* A call with the fields of the API's Call object (static/openapi.json), written as
 * an object's first members: the caller closes the object (the detail adds its own). */
static void call_members(struct jw *w, const struct dbres *res, int row)
{
    char iso[CALLS_ISO_SIZE];
    jw_str(w, "id", db_val(res, row, CC_ID));
    jw_str(w, "direction", db_val(res, row, CC_DIRECTION));
    jw_str(w, "provider", db_val(res, row, CC_PROVIDER));
    jw_str(w, "provider_call_id", db_val(res, row, CC_PROVIDER_CALL_ID));
    jw_str(w, "from_number", db_val(res, row, CC_FROM));
    jw_str(w, "to_number", db_val(res, row, CC_TO));
    jw_str(w, "caller_name", db_val(res, row, CC_CALLER_NAME));
    jw_str(w, "status", db_val(res, row, CC_STATUS));
    jw_str(w, "started_at", calls_iso(res, row, CC_STARTED_AT, iso));
    jw_str(w, "ended_at", db_isnull(res, row, CC_ENDED_AT) ? STR_NULL : calls_iso(res, row, CC_ENDED_AT, iso));
    jw_long(w, "duration_s", db_long(res, row, CC_DURATION_S));
    jw_number(w, "sentiment_score", nullable(res, row, CC_SENTIMENT_SCORE));
    jw_str(w, "sentiment_label", nullable(res, row, CC_SENTIMENT_LABEL));
    jw_bool(w, "has_recording", db_bool(res, row, CC_HAS_RECORDING));
    jw_str(w, "contact_id", nullable(res, row, CC_CONTACT_ID));
    jw_str(w, "campaign_id", nullable(res, row, CC_CAMPAIGN_ID));
    jw_str(w, "created_at", calls_iso(res, row, CC_CREATED_AT, iso));
}

/* The n first calls of res, each a Call object, as elements of the open array. */
static void call_objects(struct jw *w, const struct dbres *res, int n)
{
    for (int i = 0; i < n; i++) {
        jw_object(w, NULL);
        call_members(w, res, i);
        jw_object_end(w);
    }
}

/* ---- HTML ---- */

/* A text input of the filter form (partials/field.tpl); type NULL: date, or text
 * once the value is a time, which a date input could not show. */
struct filter_input {
    enum call_param param;
    const char *marker, *label, *type, *inputmode, *placeholder;
};

static const struct filter_input filter_inputs[] = {
    { CP_START_DATE, "F_START_DATE", "From", NULL, NULL, "YYYY-MM-DD" },
    { CP_END_DATE, "F_END_DATE", "To", NULL, NULL, "YYYY-MM-DD" },
    { CP_PHONE, "F_PHONE", "Phone number", "text", "tel", "(415) 555-0100" },
    { CP_NAME, "F_NAME", "Caller name", "text", NULL, NULL },
    { CP_Q, "F_Q", "Transcript contains", "search", NULL, "refund -cancel" },
    { CP_MIN_DURATION, "F_MIN_DURATION", "Min. seconds", "text", "numeric", NULL },
    { CP_MAX_DURATION, "F_MAX_DURATION", "Max. seconds", "text", "numeric", NULL },
    { CP_CAMPAIGN_ID, "F_CAMPAIGN_ID", "Campaign id", "text", NULL, NULL },
};

static void fill_input(struct tdict *d, const struct field_errors *e, const struct filter_input *in, str value)
{
    const char *type = in->type ? in->type : value.len <= 10 ? "date" : "text";
    struct tdict *f = form_field(d, in->marker, e, call_param_specs[in->param].name, in->label, type, value);
    if (in->inputmode) tdict_set_cstr(tdict_add_section(f, "INPUTMODE"), "MODE", in->inputmode);
    if (in->placeholder) tdict_set_cstr(tdict_add_section(f, "PLACEHOLDER"), "TEXT", in->placeholder);
}

/* A select of the filter form (partials/select.tpl); the first option, with the
 * empty value, is the default, so a plain search does not put it in the URL. */
struct filter_select {
    enum call_param param;
    const char *marker, *label, *empty_label;
    const struct form_option *options;
    size_t n;
};

static const struct form_option directions[] = { { "inbound", "Inbound" }, { "outbound", "Outbound" } };
static const struct form_option statuses[] = {
    { "completed", "Completed" }, { "in_progress", "In progress" }, { "ringing", "Ringing" },
    { "queued", "Queued" }, { "busy", "Busy" }, { "no_answer", "No answer" }, { "failed", "Failed" },
    { "canceled", "Canceled" }, { "busy,no_answer,failed,canceled", "Not answered" },
};
static const struct form_option sentiments[] = {
    { "positive", "Positive" }, { "neutral", "Neutral" }, { "negative", "Negative" },
};
static const struct form_option recordings[] = { { "true", "With recording" }, { "false", "Without recording" } };
static const struct form_option sort_options[] = { { "oldest", "Oldest first" }, { "longest", "Longest first" } };
static const struct form_option limits[] = { { "100", "100" }, { "200", "200" } };
#define OPTIONS(o) o, sizeof o / sizeof *o

static const struct filter_select filter_selects[] = {
    { CP_DIRECTION, "F_DIRECTION", "Direction", "Any", OPTIONS(directions) },
    { CP_STATUS, "F_STATUS", "Status", "Any", OPTIONS(statuses) },
    { CP_SENTIMENT, "F_SENTIMENT", "Sentiment", "Any", OPTIONS(sentiments) },
    { CP_HAS_RECORDING, "F_HAS_RECORDING", "Recording", "Any", OPTIONS(recordings) },
    { CP_SORT, "F_SORT", "Sort", "Newest first", OPTIONS(sort_options) },
    { CP_LIMIT, "F_LIMIT", "Per page", "50", OPTIONS(limits) },
};

/* A value that is none of the options (bad input) is kept as an extra, selected
 * option, so the form shows what was sent. */
static void fill_select(struct tdict *d, const struct field_errors *e, const struct filter_select *s, str current)
{
    struct tdict *f = form_select(d, s->marker, e, call_param_specs[s->param].name, s->label, s->options, s->n,
                                  current, s->empty_label);
    if (!current.len) return;
    for (size_t i = 0; i < s->n; i++)
        if (str_eq_cstr(current, s->options[i].value)) return;
    form_select_add(f, current, current, current);
}

static void fill_form(struct tdict *d, const struct call_filter *f, const struct field_errors *e)
{
    form_errors(d, e, "filter-errors", "Some filters could not be used:");
    for (size_t i = 0; i < sizeof filter_inputs / sizeof *filter_inputs; i++)
        fill_input(d, e, &filter_inputs[i], f->v[filter_inputs[i].param].raw);
    for (size_t i = 0; i < sizeof filter_selects / sizeof *filter_selects; i++) {
        str current = f->v[filter_selects[i].param].raw;
        /* The default sort is the empty option. */
        if (filter_selects[i].param == CP_SORT && str_eq(current, STR("newest"))) current = STR("");
        fill_select(d, e, &filter_selects[i], current);
    }
    if (f->include_demo) tdict_show(d, "DEMO_CHECKED");
    if (call_filter_narrows(f)) tdict_show(d, "CAN_CLEAR");
}

/* A call's values for a template dictionary: the call's page and its related calls. */
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

/* Markup of the list's rows: a string literal only ("" lit does not compile with
 * anything else); every value goes through buf_html_value. */
#define ROW_MARKUP(b, lit) buf_put((b), STR("" lit))

/* The list's rows, one line each, as calls/results.tpl's row read when it was a
 * template section: literal markup, and each value escaped as the template's
 * auto-escaping does (buf_html_value), so the page is the same byte for byte. A
 * dictionary per row (a section, 13 values and up to three subsections, then as many
 * lookups to expand them) was about a third of the worker's CPU for a page of 50. */
static void rows_html(struct request *r, struct buf *b, const struct dbres *res, int n)
{
    char iso[CALLS_ISO_SIZE];
    for (int i = 0; i < n; i++) {
        str id = db_val(res, i, CC_ID), status = db_val(res, i, CC_STATUS);
        str direction = db_val(res, i, CC_DIRECTION), sentiment = db_val(res, i, CC_SENTIMENT_LABEL);
        if (i) ROW_MARKUP(b, "\n");
        ROW_MARKUP(b, "<tr data-id=\"");
        buf_html_value(b, id);
        ROW_MARKUP(b, "\"><td><a href=\"/calls/");
        buf_html_value(b, id);
        ROW_MARKUP(b, "\"><time datetime=\"");
        buf_html_value(b, calls_iso(res, i, CC_STARTED_AT, iso));
        ROW_MARKUP(b, "\">");
        buf_html_value(b, calls_local_minute(res, i, CC_STARTED_LOCAL));
        ROW_MARKUP(b, "</time></a>");
        if (db_bool(res, i, CC_IS_DEMO)) ROW_MARKUP(b, " <span class=\"badge\">demo</span>");
        ROW_MARKUP(b, "</td><td><span class=\"dir dir-");
        buf_html_value(b, direction);
        ROW_MARKUP(b, "\">");
        buf_html_value(b, direction);
        ROW_MARKUP(b, "</span></td><td class=\"phone\">");
        buf_html_value(b, db_val(res, i, CC_FROM));
        ROW_MARKUP(b, "</td><td class=\"phone\">");
        buf_html_value(b, db_val(res, i, CC_TO));
        ROW_MARKUP(b, "</td><td>");
        buf_html_value(b, db_val(res, i, CC_CALLER_NAME));
        ROW_MARKUP(b, "</td><td><span class=\"status status-");
        buf_html_value(b, status);
        ROW_MARKUP(b, "\">");
        buf_html_value(b, status_label(r->arena, status));
        ROW_MARKUP(b, "</span></td><td class=\"num\">");
        buf_html_value(b, duration_text(r->arena, db_long(res, i, CC_DURATION_S)));
        ROW_MARKUP(b, "</td><td>");
        if (sentiment.len) {
            ROW_MARKUP(b, "<span class=\"sentiment sentiment-");
            buf_html_value(b, sentiment);
            ROW_MARKUP(b, "\">");
            buf_html_value(b, sentiment);
            ROW_MARKUP(b, "</span>");
        }
        ROW_MARKUP(b, "</td><td>");
        if (db_bool(res, i, CC_HAS_RECORDING))
            ROW_MARKUP(b, "<span class=\"rec\" title=\"Recording available\" aria-label=\"Recording available\">"
                          "&#9835;</span>");
        ROW_MARKUP(b, "</td></tr>");
    }
}

static const char *list_url(struct request *r, const char *path, const struct call_filter *f, uint64_t skip,
                            str cursor)
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
    return buf_cstr(&u);
}

static void fill_results(struct request *r, struct tdict *d, const struct call_filter *f, const struct call_page *p)
{
    if (p->n) {
        /* Written straight into the dictionary's markup value: set as a copy, the
         * rows' 25 KB were copied once more before the page was. */
        struct buf *rows = tdict_markup(d, "ROWS");
        buf_reserve(rows, (size_t)p->n * 640);
        rows_html(r, rows, p->rows, p->n);
        tdict_show(d, "HAS_ROWS");
    }
    else if (call_filter_narrows(f) || f->has_cursor) tdict_show(d, "EMPTY_FILTERED");
    else tdict_show(d, "EMPTY_ALL");
    if (p->count >= 0) {
        struct tdict *c = tdict_add_section(d, "COUNT");
        bool more = p->count > COUNT_CAP || p->count_more;
        tdict_set(c, "COUNT_TEXT", thousands(r->arena, p->count > COUNT_CAP ? COUNT_CAP : p->count));
        if (more) tdict_show(c, "COUNT_MORE");
        tdict_set_cstr(c, "COUNT_NOUN", p->count == 1 && !more ? "call matches" : "calls match");
    }
    const uint64_t no_cursor = (uint64_t)1 << CP_CURSOR, no_limit = (uint64_t)1 << CP_LIMIT;
    form_pager(d, f->has_cursor ? list_url(r, "/calls", f, no_cursor, STR_NULL) : NULL,
               p->next_cursor.len ? list_url(r, "/calls", f, no_cursor, p->next_cursor) : NULL);
    tdict_set_cstr(d, "EXPORT_URL", list_url(r, "/calls/export.csv", f, no_cursor | no_limit, STR_NULL));
}

/* The list page: the form (with e's messages, e may be NULL) and the results, or,
 * without p, a note that the list waits for valid filters. */
static int render_list(struct request *r, int status, const struct call_filter *f, const struct field_errors *e,
                       const struct call_page *p)
{
    struct tdict *d = page_dict(r, "Calls", "calls/list.tpl");
    tdict_set(d, "ORG_TIMEZONE", r->session->org_timezone);
    tdict_set_cstr(d, "STATIC_VERSION", PACKAGE_VERSION);
    fill_form(d, f, e);
    struct tdict *res = tdict_include(d, "RESULTS", "calls/results.tpl");
    if (p) {
        fill_results(r, res, f, p);
    } else {
        tdict_show(res, "NOT_RUN");
        form_pager(res, NULL, NULL);
    }
    return page_render(r, status, d);
}

static int render_list_form(struct request *r, int status, const struct field_errors *e, void *f)
{
    return render_list(r, status, f, e, NULL);
}

/* Parses the filters into f: 0, or REPLIED when the 400 is written (the page with
 * messages at the fields, or the JSON error naming them). */
static int filters_or_reply(struct request *r, struct call_filter *f)
{
    struct field_errors e = { 0 };
    if (call_filter_parse(r->arena, &r->query, app_secret(r), f, &e) == 0) return 0;
    return field_errors_reply(r, "Some filters are not valid.", &e, render_list_form, f);
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
 *   has_recording         true|false (also 1|0, on|off)
 *   campaign_id           uuid
 *   q                     transcript full-text search (web search syntax)
 *   sort                  newest (default)|oldest|longest
 *   include_demo          true|false (also 1|0, on|off; default false)
 *   limit                 1..200 (default 50)
 *   cursor                from the "Next page" link
 */
int calls_list(struct request *r)
{
    struct call_filter f;
    struct call_page p;
    int status = filters_or_reply(r, &f);
    if (!status) status = call_page_load(r, &f, ROWS_PAGE, &p);
    return status ? status : render_list(r, 200, &f, NULL, &p);
}

/* GET /api/v1/calls — the same parameters as GET /calls;
 * {"data":[call...],"next_cursor":...}. */
int api_calls_list(struct request *r)
{
    struct call_filter f;
    struct call_page p;
    int status = filters_or_reply(r, &f);
    if (!status) status = call_page_load(r, &f, ROWS_API, &p);
    if (status) return status;
    struct jw w;
    jw_list(r, &w);
    call_objects(&w, p.rows, p.n);
    jw_list_end(&w, p.next_cursor);
    return 0;
}

/* ---- CSV export ---- */

static const char *const csv_header =
    "id,direction,provider,provider_call_id,from_number,to_number,caller_name,status,started_at,"
    "ended_at,duration_s,sentiment_score,sentiment_label,has_recording,contact_id,campaign_id,created_at\r\n";

/* One COPY row (enum call_col order, binary values) as the CSV row the list's columns
 * have always made: ISO-8601 UTC times, the sentiment to three places, RFC 4180 and
 * formula-safe cells. */
static void csv_row(void *ctx, struct buf *b, const str *v)
{
    /* Room for the whole row first, then written in place: the export's hot loop. */
    size_t room = 64;
    for (int c = CC_ID; c <= CC_CREATED_AT; c++) room += CSV_FIELD_MAX(v[c].len) + 48;
    buf_reserve(b, room);
    char t[CSV_NUM_SIZE], *o = b->data + b->len;
    for (int c = CC_ID; c <= CC_CREATED_AT; c++) {
        if (c) *o++ = ',';
        switch (c) {
        case CC_ID: case CC_CONTACT_ID: case CC_CAMPAIGN_ID: o = csv_bin_uuid_at(o, v[c]); break;
        case CC_STARTED_AT: case CC_ENDED_AT: case CC_CREATED_AT: o = csv_field_at(o, csv_bin_time_iso(v[c], t)); break;
        case CC_DURATION_S: o = csv_bin_int4_at(o, v[c]); break;
        case CC_SENTIMENT_SCORE: o = csv_field_at(o, csv_bin_real_round3(v[c], t)); break;
        case CC_HAS_RECORDING: o = csv_field_at(o, v[c].len == 1 && v[c].ptr[0] ? STR("true") : STR("false")); break;
        default: o = csv_field_at(o, v[c]);
        }
    }
    *o++ = '\r';
    *o++ = '\n';
    b->len = (size_t)(o - b->data);
}

/* The calls.export audit row, with the filters; 0 or the database's HTTP status. */
static int export_audit(struct request *r, const struct call_filter *f)
{
    struct json_object *detail = json_object_new_object();
    struct json_object *filters = json_object_new_object();
    for (int i = 0; i < CP_COUNT; i++)
        if (f->v[i].given && i != CP_CURSOR && i != CP_LIMIT)
            json_add_str(filters, call_param_specs[i].name, f->v[i].raw);
    json_object_object_add(detail, "filters", filters);
    int status = audit_write(r, "calls.export", "call", STR(""),
                             json_object_to_json_string_ext(detail, JSON_C_TO_STRING_PLAIN));
    json_object_put(detail);
    return status;
}

/* GET /calls/export.csv — every call matching the list's filters (limit and cursor
 * ignored), RFC 4180, UTF-8, streamed from one COPY as its rows arrive; audited with
 * the filters before the first byte, and not sent when the audit row cannot be
 * written. */
int calls_export(struct request *r)
{
    struct call_filter f;
    int status = filters_or_reply(r, &f);
    if (!status) status = export_audit(r, &f);
    if (status) return status;
    struct csv_copy_source src = { NULL, "calls.csv", csv_header, NULL, 0, NULL, CC_CREATED_AT + 1, csv_row };
    src.sql = calls_export_copy_sql(r->arena, &f, org_tz(r), &src.nparams, &src.params);
    return csv_stream_copy(r, &src);
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
        if (!db_isnull(lines, i, CT_T_MS)) {
            struct tdict *t = tdict_add_section(l, "TIMED");
            tdict_set(t, "T_MS", db_val(lines, i, CT_T_MS));
            tdict_set(t, "T_TEXT", offset_text(r->arena, db_long(lines, i, CT_T_MS)));
        } else {
            tdict_show(l, "UNTIMED");
        }
        tdict_set(l, "SPEAKER", db_val(lines, i, CT_SPEAKER));
        tdict_set(l, "TEXT", db_val(lines, i, CT_TEXT));
    }
    if (db_rows(lines)) tdict_show(d, "HAS_TRANSCRIPT");
    else tdict_show(d, "NO_TRANSCRIPT");
}

static void fill_items_and_related(struct request *r, struct tdict *d, const struct call_detail *cd)
{
    for (int i = 0; i < db_rows(cd->items); i++)
        tdict_set(tdict_add_section(d, "ACTION_ITEM"), "ITEM", db_val(cd->items, i, CAI_TEXT));
    if (!db_rows(cd->items) && db_bool(cd->call, 0, CD_ANALYSED)) tdict_show(d, "NO_ACTION_ITEMS");
    for (int i = 0; i < db_rows(cd->related); i++) fill_row(r, tdict_add_section(d, "RELATED"), cd->related, i);
    if (db_rows(cd->related)) tdict_show(d, "HAS_RELATED");
    else tdict_show(d, "NO_RELATED");
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
    if (!db_bool(c, 0, CD_ANALYSED)) tdict_show(d, "NOT_ANALYSED");
    else if (db_val(c, 0, CC_SENTIMENT_LABEL).len) {
        tdict_show(d, "HAS_SENTIMENT");
        if (db_val(c, 0, CC_SENTIMENT_SCORE).len) tdict_show(d, "HAS_SCORE");
    }
    else tdict_show(d, "NO_SENTIMENT");
    if (!db_isnull(c, 0, CD_SUCCESS_EVALUATION))
        tdict_set(tdict_add_section(d, "SUCCESS"), "SUCCESS_EVALUATION", db_val(c, 0, CD_SUCCESS_EVALUATION));
    str rec = db_val(c, 0, CD_RECORDING_STATUS);
    if (str_eq(rec, STR("stored"))) tdict_show(d, "PLAYER");
    else if (str_eq(rec, STR("deleted"))) {
        /* The audio went (retention or an erasure): say when and why, not just "none". */
        struct tdict *gone = tdict_add_section(d, "RECORDING_DELETED");
        tdict_set(gone, "RECORDING_DELETED_ON", db_val(c, 0, CD_RECORDING_DELETED_ON));
        tdict_set(gone, "RECORDING_DELETED_WHY",
                  str_eq(db_val(c, 0, CD_RECORDING_DELETED_REASON), STR("erasure"))
                      ? STR("when the contact's personal data was erased")
                      : STR("under the retention policy"));
    } else tdict_set(tdict_add_section(d, "NO_PLAYER"), "RECORDING_STATUS", rec);
    if (!db_isnull(c, 0, CC_CONTACT_ID)) {
        struct tdict *ct = tdict_add_section(d, "CONTACT");
        tdict_set(ct, "CONTACT_NAME", db_val(c, 0, CD_CONTACT_NAME));
        tdict_set(ct, "CONTACT_PHONE", db_val(c, 0, CD_CONTACT_PHONE));
    }
    fill_transcript(r, d, cd->lines);
    fill_items_and_related(r, d, cd);
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

/* The transcript's lines: {t_ms, speaker, text, confidence}. */
static void transcript_array(struct jw *w, const char *key, const struct dbres *lines)
{
    jw_array(w, key);
    for (int i = 0; i < db_rows(lines); i++) {
        jw_object(w, NULL);
        jw_number(w, "t_ms", nullable(lines, i, CT_T_MS));
        jw_str(w, "speaker", db_val(lines, i, CT_SPEAKER));
        jw_str(w, "text", db_val(lines, i, CT_TEXT));
        jw_number(w, "confidence", nullable(lines, i, CT_CONFIDENCE));
        jw_object_end(w);
    }
    jw_array_end(w);
}

/* GET /api/v1/calls/{id} — the list fields plus transcript, action_items,
 * related_calls, summary, ended_reason, recording_status, analysis_status,
 * success_evaluation. */
int api_calls_show(struct request *r)
{
    struct call_detail cd;
    const char *id = NULL;
    int status = detail_load(r, &cd, &id);
    if (status) return status;
    struct jw w;
    jw_reply(r, 200, &w);
    jw_object(&w, NULL);
    jw_object(&w, "data");
    call_members(&w, cd.call, 0);
    transcript_array(&w, "transcript", cd.lines);
    /* jsonb as PostgreSQL prints it: valid JSON, an array (sql: calls.action_items). */
    str items = db_val(cd.call, 0, CD_ACTION_ITEMS_JSON);
    jw_json(&w, "action_items", items.len ? items : STR("[]"));
    jw_array(&w, "related_calls");
    call_objects(&w, cd.related, db_rows(cd.related));
    jw_array_end(&w);
    jw_str(&w, "summary", db_val(cd.call, 0, CD_SUMMARY));
    jw_str(&w, "ended_reason", db_val(cd.call, 0, CD_ENDED_REASON));
    jw_str(&w, "recording_status", db_val(cd.call, 0, CD_RECORDING_STATUS));
    jw_str(&w, "recording_deleted_at", nullable(cd.call, 0, CD_RECORDING_DELETED_AT));
    jw_str(&w, "recording_deleted_reason",
           db_isnull(cd.call, 0, CD_RECORDING_DELETED_AT) ? STR_NULL : db_val(cd.call, 0, CD_RECORDING_DELETED_REASON));
    /* "not_analysed": the provider sent no analysis; sentiment and action items are
     * then unknown, not neutral and none. */
    jw_cstr(&w, "analysis_status", db_bool(cd.call, 0, CD_ANALYSED) ? "analysed" : "not_analysed");
    jw_str(&w, "success_evaluation", nullable(cd.call, 0, CD_SUCCESS_EVALUATION));
    jw_object_end(&w);
    jw_object_end(&w);
    buf_putc(w.b, '\n');
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
    return audit_write(r, "call.delete", "call", raw, NULL);
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
