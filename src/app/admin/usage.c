/* usage.c — the org's usage (GET /admin/usage, /admin/usage.csv, /api/v1/admin/usage;
 * managers and admins): requests per user and per day, API calls per key, messages
 * sent per channel, and recording storage, for billing. Days are UTC days. The
 * request counts come from usage_daily, which the workers fill in batches
 * (usage_counter.h), so the last few seconds may not be counted yet. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/csv.h"
#include "../common/field_errors.h"
#include "admin.h"

#define USAGE_DEFAULT_DAYS 30
#define USAGE_MAX_DAYS 366

struct usage_range {
    int64_t from, to; /* civil days, inclusive */
    char from_s[11], to_s[11];
};

/* ?from=YYYY-MM-DD&to=YYYY-MM-DD (UTC days; default the last 30 days, at most 366). */
static void usage_range_read(struct request *r, struct usage_range *u, struct field_errors *e)
{
    int64_t today = civil_day_of(clock_wall_us() / 1000000, 0);
    u->to = today;
    u->from = today - (USAGE_DEFAULT_DAYS - 1);
    const str *f = kvlist_get(&r->query, "from"), *t = kvlist_get(&r->query, "to");
    if (t && t->len && !civil_parse_date(*t, &u->to)) field_error_add(e, "to", "must be a date as YYYY-MM-DD");
    if (f && f->len && !civil_parse_date(*f, &u->from)) field_error_add(e, "from", "must be a date as YYYY-MM-DD");
    else if (!(f && f->len)) u->from = u->to - (USAGE_DEFAULT_DAYS - 1);
    if (!field_errors_any(e) && u->from > u->to) field_error_add(e, "from", "must not be after to");
    if (!field_errors_any(e) && u->to - u->from >= USAGE_MAX_DAYS)
        field_error_add(e, "from", "must be at most 366 days before to");
    struct buf b;
    buf_init(&b, r->arena, 16);
    civil_format_date(&b, u->from);
    snprintf(u->from_s, sizeof u->from_s, "%s", buf_cstr(&b));
    buf_init(&b, r->arena, 16);
    civil_format_date(&b, u->to);
    snprintf(u->to_s, sizeof u->to_s, "%s", buf_cstr(&b));
}

/* Per day: requests, API calls, messages sent per channel, bytes of the recordings
 * of that day's calls (the rollups' days are the org's local days). */
enum { UD_DAY, UD_REQUESTS, UD_API, UD_SMS, UD_VOICE, UD_EMAIL, UD_REC_BYTES };
static struct dbres *usage_days_query(struct request *r, const struct usage_range *u)
{
    return db_q(r->db, r->arena, "usage_days",
                "WITH u AS (SELECT day, sum(count) FILTER (WHERE kind = 'request') AS req,"
                "   sum(count) FILTER (WHERE kind = 'api_call') AS api FROM usage_daily"
                "   WHERE org_id = app_org_id() AND day BETWEEN $1::date AND $2::date GROUP BY day),"
                " m AS (SELECT (sent_at AT TIME ZONE 'UTC')::date AS day,"
                "   count(*) FILTER (WHERE channel = 'sms') AS sms, count(*) FILTER (WHERE channel = 'voice') AS voice,"
                "   count(*) FILTER (WHERE channel = 'email') AS email FROM campaign_messages"
                "   WHERE org_id = app_org_id() AND sent_at >= ($1::date)::timestamp AT TIME ZONE 'UTC'"
                "   AND sent_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC' GROUP BY 1),"
                " c AS (SELECT day, sum(recording_bytes) AS bytes FROM call_rollup_days"
                "   WHERE org_id = app_org_id() AND day BETWEEN $1::date AND $2::date GROUP BY day)"
                " SELECT to_char(d, 'YYYY-MM-DD'), coalesce(u.req, 0), coalesce(u.api, 0), coalesce(m.sms, 0),"
                " coalesce(m.voice, 0), coalesce(m.email, 0), coalesce(c.bytes, 0)"
                " FROM generate_series($1::date, $2::date, interval '1 day') AS d"
                " LEFT JOIN u ON u.day = d::date LEFT JOIN m ON m.day = d::date LEFT JOIN c ON c.day = d::date"
                " ORDER BY d",
                u->from_s, u->to_s);
}

/* Per day and user (requests) or API key (API calls), with who it is. */
enum { US_DAY, US_KIND, US_USER_ID, US_KEY_ID, US_NAME, US_EMAIL, US_COUNT };
static struct dbres *usage_subjects_query(struct request *r, const struct usage_range *u)
{
    return db_q(r->db, r->arena, "usage_subjects",
                "SELECT to_char(x.day, 'YYYY-MM-DD'), x.kind, x.user_id, x.api_key_id,"
                " coalesce(nullif(us.name, ''), us.email, k.name, ''), coalesce(us.email, ''), x.count"
                " FROM usage_daily x LEFT JOIN users us ON us.org_id = x.org_id AND us.id = x.user_id"
                " LEFT JOIN api_keys k ON k.org_id = x.org_id AND k.id = x.api_key_id"
                " WHERE x.org_id = app_org_id() AND x.day BETWEEN $1::date AND $2::date"
                " ORDER BY x.day, x.kind DESC, 5, x.user_id, x.api_key_id",
                u->from_s, u->to_s);
}

/* Recordings stored now: how many and their bytes (from the call rollups). */
enum { UR_COUNT, UR_BYTES };
static struct dbres *usage_storage_query(struct request *r)
{
    return db_q0(r->db, r->arena, "usage_storage",
                 "SELECT coalesce(sum(recordings), 0), coalesce(sum(recording_bytes), 0) FROM call_rollup_days"
                 " WHERE org_id = app_org_id()");
}

struct usage_data {
    struct usage_range range;
    struct dbres *days, *subjects, *storage;
};

/* Reads the range and the figures; field errors in e. 0 or an HTTP status. */
static int usage_load(struct request *r, struct usage_data *u, struct field_errors *e)
{
    usage_range_read(r, &u->range, e);
    if (field_errors_any(e)) return 0;
    u->days = usage_days_query(r, &u->range);
    u->subjects = u->days ? usage_subjects_query(r, &u->range) : NULL;
    u->storage = u->subjects ? usage_storage_query(r) : NULL;
    return u->storage ? 0 : app_db_status(r);
}

/* "12.3 MB" */
static void bytes_text(struct buf *b, long n)
{
    static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
    double v = (double)n;
    int i = 0;
    while (v >= 1000 && i < 4) {
        v /= 1000;
        i++;
    }
    if (i == 0) buf_printf(b, "%ld B", n);
    else buf_printf(b, "%.1f %s", v, units[i]);
}

/* ---- the page ---- */

#define CHART_W 720
#define CHART_H 200
#define CHART_LEFT 48
#define CHART_BOTTOM 24

/* Requests + API calls per day as SVG bars (no script, no canvas). */
static void chart_dict(struct tdict *d, const struct dbres *days)
{
    int n = db_rows(days);
    long max = 1;
    for (int i = 0; i < n; i++) {
        long v = db_long(days, i, UD_REQUESTS) + db_long(days, i, UD_API);
        if (v > max) max = v;
    }
    tdict_set_long(d, "CHART_W", CHART_W);
    tdict_set_long(d, "CHART_H", CHART_H);
    int plot_h = CHART_H - CHART_BOTTOM - 8, plot_w = CHART_W - CHART_LEFT - 8;
    for (int t = 0; t <= 2; t++) {
        struct tdict *x = tdict_add_section(d, "TICK");
        long y = 8 + plot_h - (long)plot_h * t / 2;
        tdict_set_long(x, "Y", y);
        tdict_set_long(x, "X1", CHART_LEFT);
        tdict_set_long(x, "X2", CHART_W - 8);
        tdict_set_long(x, "LABEL_X", CHART_LEFT - 4);
        tdict_set_long(x, "LABEL", max * t / 2);
    }
    double slot = (double)plot_w / (n ? n : 1);
    for (int i = 0; i < n; i++) {
        long v = db_long(days, i, UD_REQUESTS) + db_long(days, i, UD_API);
        long h = (long)((double)plot_h * (double)v / (double)max);
        struct tdict *x = tdict_add_section(d, "BAR");
        tdict_set_long(x, "X", CHART_LEFT + (long)(slot * i) + 1);
        tdict_set_long(x, "W", slot > 3 ? (long)slot - 2 : 1);
        tdict_set_long(x, "Y", 8 + plot_h - h);
        tdict_set_long(x, "H", h);
        tdict_set(x, "DATE", db_val(days, i, UD_DAY));
        tdict_set_long(x, "COUNT", v);
    }
    for (int i = 0; i < n; i += n > 10 ? (n + 5) / 6 : 1) {
        struct tdict *x = tdict_add_section(d, "XLABEL");
        tdict_set_long(x, "X", CHART_LEFT + (long)(slot * i + slot / 2));
        tdict_set_long(x, "Y", CHART_H - 6);
        tdict_set(x, "TEXT", str_make(db_val(days, i, UD_DAY).ptr + 5, 5));
    }
}

static void tables_dict(struct request *r, struct tdict *d, const struct usage_data *u)
{
    long totals[6] = { 0 };
    for (int i = 0; i < db_rows(u->days); i++) {
        struct tdict *x = tdict_add_section(d, "DAY");
        tdict_set(x, "DATE", db_val(u->days, i, UD_DAY));
        static const char *const keys[] = { "REQUESTS", "API", "SMS", "VOICE", "EMAIL" };
        for (int k = 0; k < 5; k++) {
            long v = db_long(u->days, i, UD_REQUESTS + k);
            totals[k] += v;
            tdict_set_long(x, keys[k], v);
        }
        struct buf b;
        buf_init(&b, r->arena, 16);
        bytes_text(&b, db_long(u->days, i, UD_REC_BYTES));
        tdict_set(x, "REC", buf_str(&b));
    }
    tdict_set_long(d, "T_REQUESTS", totals[0]);
    tdict_set_long(d, "T_API", totals[1]);
    tdict_set_long(d, "T_MESSAGES", totals[2] + totals[3] + totals[4]);
    for (int i = 0; i < db_rows(u->subjects); i++) {
        struct tdict *x = tdict_add_section(d, "SUBJECT");
        tdict_set(x, "DATE", db_val(u->subjects, i, US_DAY));
        bool api = str_eq_cstr(db_val(u->subjects, i, US_KIND), "api_call");
        tdict_set_cstr(x, "KIND", api ? "API key" : "User");
        tdict_set(x, "NAME", db_val(u->subjects, i, US_NAME));
        tdict_set(x, "EMAIL", db_val(u->subjects, i, US_EMAIL));
        tdict_set_long(x, "COUNT", db_long(u->subjects, i, US_COUNT));
    }
    if (!db_rows(u->subjects)) tdict_show(d, "NO_SUBJECTS");
    struct buf b;
    buf_init(&b, r->arena, 16);
    bytes_text(&b, db_long(u->storage, 0, UR_BYTES));
    tdict_set(d, "STORAGE", buf_str(&b));
    tdict_set_long(d, "RECORDINGS", db_long(u->storage, 0, UR_COUNT));
}

static int render_page(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct usage_data *u = ctx;
    struct tdict *d = page_dict(r, "Usage", "admin/usage.tpl");
    if (r->session->role >= ROLE_ADMIN) admin_nav(d, "usage"); /* managers see only their page */
    const str *f = kvlist_get(&r->query, "from"), *t = kvlist_get(&r->query, "to");
    tdict_set(d, "FROM", e && f ? *f : str_from(u->range.from_s));
    tdict_set(d, "TO", e && t ? *t : str_from(u->range.to_s));
    if (e) {
        for (int i = 0; i < e->n && i < FIELD_ERRORS_MAX; i++) {
            struct tdict *x = tdict_add_section(d, "RANGE_ERROR");
            tdict_set_cstr(x, "FIELD", e->items[i].field);
            tdict_set_cstr(x, "MSG", e->items[i].message);
        }
        return page_render(r, status, d);
    }
    tdict_show(d, "FIGURES");
    tdict_set_cstr(d, "RANGE_FROM", u->range.from_s);
    tdict_set_cstr(d, "RANGE_TO", u->range.to_s);
    chart_dict(d, u->days);
    tables_dict(r, d, u);
    return page_render(r, status, d);
}

/* GET /admin/usage?from=&to= — chart and tables for the range. */
int admin_usage_show(struct request *r)
{
    struct usage_data u = { 0 };
    struct field_errors e = { 0 };
    int st = usage_load(r, &u, &e);
    if (st) return st;
    if (field_errors_any(&e)) return field_errors_reply(r, NULL, &e, render_page, &u);
    return render_page(r, 200, NULL, &u);
}

/* ---- JSON ---- */

static struct json_object *days_json(const struct dbres *days)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(days); i++) {
        struct json_object *o = json_object_new_object(), *m = json_object_new_object();
        json_add_str(o, "date", db_val(days, i, UD_DAY));
        json_add_long(o, "requests", db_long(days, i, UD_REQUESTS));
        json_add_long(o, "api_calls", db_long(days, i, UD_API));
        json_add_long(m, "sms", db_long(days, i, UD_SMS));
        json_add_long(m, "voice", db_long(days, i, UD_VOICE));
        json_add_long(m, "email", db_long(days, i, UD_EMAIL));
        json_object_object_add(o, "messages_sent", m);
        json_add_long(o, "recording_bytes", db_long(days, i, UD_REC_BYTES));
        json_object_array_add(a, o);
    }
    return a;
}

static struct json_object *subjects_json(const struct dbres *s)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(s); i++) {
        struct json_object *o = json_object_new_object();
        json_add_str(o, "date", db_val(s, i, US_DAY));
        json_add_str(o, "kind", db_val(s, i, US_KIND));
        json_add_str(o, "user_id", db_isnull(s, i, US_USER_ID) ? STR_NULL : db_val(s, i, US_USER_ID));
        json_add_str(o, "api_key_id", db_isnull(s, i, US_KEY_ID) ? STR_NULL : db_val(s, i, US_KEY_ID));
        json_add_str(o, "name", db_val(s, i, US_NAME));
        json_add_long(o, "count", db_long(s, i, US_COUNT));
        json_object_array_add(a, o);
    }
    return a;
}

/* GET /api/v1/admin/usage?from=&to= — what billing systems read (static/openapi.json). */
int api_admin_usage(struct request *r)
{
    struct usage_data u = { 0 };
    struct field_errors e = { 0 };
    int st = usage_load(r, &u, &e);
    if (st) return st;
    if (field_errors_any(&e)) return field_errors_reply(r, NULL, &e, NULL, NULL);
    struct json_object *o = json_object_new_object(), *rec = json_object_new_object();
    json_add_cstr(o, "from", u.range.from_s);
    json_add_cstr(o, "to", u.range.to_s);
    json_add_cstr(o, "day_zone", "UTC");
    json_object_object_add(o, "days", days_json(u.days));
    json_object_object_add(o, "by_subject", subjects_json(u.subjects));
    json_add_long(rec, "count", db_long(u.storage, 0, UR_COUNT));
    json_add_long(rec, "bytes", db_long(u.storage, 0, UR_BYTES));
    json_object_object_add(o, "recordings_stored", rec);
    json_reply_data(r, 200, o);
    return 0;
}

/* ---- CSV ---- */

static void csv_row(struct buf *b, str day, const char *kind, str user_id, str key_id, str name, long count)
{
    csv_field(b, day);
    buf_putc(b, ',');
    csv_field(b, str_from(kind));
    buf_putc(b, ',');
    csv_field(b, user_id);
    buf_putc(b, ',');
    csv_field(b, key_id);
    buf_putc(b, ',');
    csv_field(b, name);
    buf_printf(b, ",%ld\r\n", count);
}

/* GET /admin/usage.csv?from=&to= — one row per day and counter: the users' requests,
 * the keys' API calls, and the org's messages sent per channel. Audited. */
int admin_usage_csv(struct request *r)
{
    struct usage_data u = { 0 };
    struct field_errors e = { 0 };
    int st = usage_load(r, &u, &e);
    if (st) return st;
    if (field_errors_any(&e)) return field_errors_reply(r, NULL, &e, render_page, &u);
    char detail[96];
    snprintf(detail, sizeof detail, "{\"from\":\"%s\",\"to\":\"%s\"}", u.range.from_s, u.range.to_s);
    st = audit_write(r, "usage.export", "org", r->session->org_id, detail);
    if (st) return st;
    struct buf *b = &r->res->body;
    buf_puts(b, "date,kind,user_id,api_key_id,name,count\r\n");
    for (int i = 0; i < db_rows(u.subjects); i++)
        csv_row(b, db_val(u.subjects, i, US_DAY), db_cstr(u.subjects, i, US_KIND), db_val(u.subjects, i, US_USER_ID),
                db_val(u.subjects, i, US_KEY_ID), db_val(u.subjects, i, US_NAME), db_long(u.subjects, i, US_COUNT));
    static const char *const channels[] = { "messages_sms", "messages_voice", "messages_email" };
    for (int i = 0; i < db_rows(u.days); i++)
        for (int k = 0; k < 3; k++) {
            long n = db_long(u.days, i, UD_SMS + k);
            if (n) csv_row(b, db_val(u.days, i, UD_DAY), channels[k], STR(""), STR(""), STR(""), n);
        }
    r->res->status = 200;
    response_header(r->res, r->arena, "Content-Type", STR("text/csv; charset=utf-8"));
    response_header(r->res, r->arena, "Content-Disposition", STR("attachment; filename=\"usage.csv\""));
    return 0;
}
