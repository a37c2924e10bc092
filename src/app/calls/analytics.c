/* analytics.c — call analytics read from the rollup tables (sql/0004): the page and its
 * three JSON twins. Nothing here counts the calls table. */
#include <json-c/json.h>
#include <string.h>
#include <time.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/call_analytics.h"
#include "../../domain/civil_date.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/params.h"
#include "calls.h"

#define DEFAULT_RANGE_DAYS 30
#define TOP_NUMBERS 10
#define HEAT_BUCKETS 5
/* The daily chart's geometry in SVG units (the viewBox; CSS scales it to the page). */
#define CHART_W 720
#define CHART_H 250
#define PLOT_LEFT 44
#define PLOT_TOP 12
#define PLOT_W 664
#define PLOT_H 200

static const char *const statuses[] = { "queued", "ringing", "in_progress", "completed",
                                        "busy", "no_answer", "failed", "canceled" };
#define NSTATUS (sizeof statuses / sizeof statuses[0])
#define COMPLETED 3
static const char *const weekdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

/* The range's parameters: days in the org's zone. */
enum range_param { RP_START, RP_END, RP_COUNT };
static const char bad_date[] = "must be a date (YYYY-MM-DD)";
static const struct param_spec range_params[RP_COUNT] = {
    [RP_START] = { "start_date", PARAM_DATE, .message = bad_date },
    [RP_END] = { "end_date", PARAM_DATE, .message = bad_date },
};

/* The requested range: the inputs (echoed back into the form) and the days. */
struct range {
    struct param_value v[RP_COUNT];
    int64_t start, end;
    const char *start_s, *end_s; /* YYYY-MM-DD */
    const char *params[2];       /* start_s, end_s: every statement's $1 and $2 */
};

/* Everything the summary shows, summed from call_rollup_days. */
struct summary {
    long total, inbound, outbound, by_status[NSTATUS];
    int64_t duration_sum; /* answered calls */
    long duration_min, duration_max;
    bool has_duration;
    long sentiment[4]; /* positive, neutral, negative, none */
    long recordings;
    int64_t recording_bytes;
};


/* "YYYY-MM-DD" of a day number, in the arena. */
static const char *day_text(struct arena *a, int64_t day)
{
    struct buf b;
    buf_init(&b, a, 11);
    civil_format_date(&b, day);
    return buf_cstr(&b);
}

/* The org's "today", remembered by the worker until the org's next local midnight (the
 * database says when that is, DST included), so a page of analytics needs no round trip
 * to learn it. It is keyed by org and time zone: a session's zone is confirmed on every
 * request (a zone change moves the auth epoch, sql/0055, and the session is looked up
 * again), so an org moved to another zone is asked again.
 * A few seconds are taken off the end in case this host's clock runs ahead of the
 * database's. */
#define TODAY_MARGIN_S 5
static struct {
    char org_id[40], timezone[64];
    int64_t today, until;
} today_memo;

static bool today_recalled(const struct session *s, int64_t *today)
{
    if (!s || !today_memo.until || time(NULL) >= today_memo.until) return false;
    if (!str_eq_cstr(s->org_id, today_memo.org_id) || !str_eq_cstr(s->org_timezone, today_memo.timezone)) return false;
    *today = today_memo.today;
    return true;
}

static void today_remember(const struct session *s, str timezone, int64_t today, int64_t midnight)
{
    if (!s || s->org_id.len >= sizeof today_memo.org_id || timezone.len >= sizeof today_memo.timezone ||
        !str_eq(s->org_timezone, timezone))
        return;
    memcpy(today_memo.org_id, s->org_id.ptr, s->org_id.len);
    today_memo.org_id[s->org_id.len] = '\0';
    memcpy(today_memo.timezone, timezone.ptr, timezone.len);
    today_memo.timezone[timezone.len] = '\0';
    today_memo.today = today;
    today_memo.until = midnight - TODAY_MARGIN_S;
}

/* Today in the org's time zone, as a day number; false if the database failed. */
static bool org_today(struct request *r, int64_t *today)
{
    if (today_recalled(r->session, today)) return true;
    struct dbres *res = db_q0(r->db, r->arena, "analytics_today",
                              "SELECT t.today::text, o.timezone,"
                              " extract(epoch FROM (t.today + 1)::timestamp AT TIME ZONE o.timezone)::bigint"
                              " FROM orgs o, LATERAL (SELECT (now() AT TIME ZONE o.timezone)::date AS today) t"
                              " WHERE o.id = app_org_id()");
    if (!res || db_rows(res) != 1 || !civil_parse_date(db_val(res, 0, 0), today)) return false;
    today_remember(r->session, db_val(res, 0, 1), *today, db_long(res, 0, 2));
    return true;
}

/* Reads start_date/end_date (defaults: the 30 days ending today) into g; false, with
 * the reasons in e, when they do not make a range. */
static bool range_parse(struct request *r, int64_t today, struct range *g, struct field_errors *e)
{
    params_parse(r->arena, &r->query, range_params, RP_COUNT, g->v, e);
    for (int i = 0; i < RP_COUNT; i++)
        if (g->v[i].valid && g->v[i].num < CA_FIRST_DAY) field_error_add(e, range_params[i].name, bad_date);
    if (field_errors_any(e)) return false;
    g->end = g->v[RP_END].valid ? g->v[RP_END].num : today;
    g->start = g->v[RP_START].valid ? g->v[RP_START].num : g->end - (DEFAULT_RANGE_DAYS - 1);
    if (g->end < g->start) field_error_add(e, "end_date", "must not be before start_date");
    else if (g->end - g->start + 1 > CA_MAX_RANGE_DAYS)
        field_error_add(e, "end_date", "must be at most 366 days after start_date, counting both");
    g->start_s = day_text(r->arena, g->start);
    g->end_s = day_text(r->arena, g->end);
    g->params[0] = g->start_s;
    g->params[1] = g->end_s;
    return !field_errors_any(e);
}

static int render_form(struct request *r, int status, const struct field_errors *e, void *g);

/* Reads the range into g: 0; REPLIED when the 400 is written (the page's form with
 * the messages, or the JSON error naming the fields); or an HTTP status. */
static int range_or_reply(struct request *r, struct range *g)
{
    int64_t today;
    if (!org_today(r, &today)) return app_db_status(r);
    struct field_errors e = { 0 };
    if (range_parse(r, today, g, &e)) return 0;
    return field_errors_reply(r, "The date range is not valid.", &e, render_form, g);
}

static int status_index(str s)
{
    for (size_t i = 0; i < NSTATUS; i++)
        if (str_eq_cstr(s, statuses[i])) return (int)i;
    return -1;
}

enum summary_col {
    SC_DIRECTION, SC_STATUS, SC_N, SC_DURATION_SUM, SC_DURATION_MIN, SC_DURATION_MAX,
    SC_SENTIMENT, /* four columns: positive, neutral, negative, none */
    SC_RECORDINGS = SC_SENTIMENT + 4, SC_RECORDING_BYTES
};

/* A range [$1, $2] in three parts (sql/0061): the whole months inside it, [MONTHS_FROM,
 * MONTHS_TO), from the month tables; the days before them, [$1, HEAD_TO), and after
 * them, [TAIL_FROM, $2], from the day tables. With no whole month inside, the head or
 * the tail is the whole range and the other is empty. */
#define MONTHS_FROM                                                                                               \
    "(CASE WHEN $1::date = sb_month_of($1::date) THEN $1::date"                                                   \
    " ELSE (sb_month_of($1::date) + interval '1 month')::date END)"
#define MONTHS_TO "sb_month_of($2::date + 1)"
#define HEAD_TO "least(" MONTHS_FROM ", $2::date + 1)"
#define TAIL_FROM "greatest(" MONTHS_TO ", " MONTHS_FROM ")"
#define IN_MONTHS " WHERE org_id = app_org_id() AND month >= " MONTHS_FROM " AND month < " MONTHS_TO
#define IN_HEAD " WHERE org_id = app_org_id() AND day >= $1::date AND day < " HEAD_TO
#define IN_TAIL " WHERE org_id = app_org_id() AND day >= " TAIL_FROM " AND day <= $2::date"

#define SUMMARY_COLUMNS                                                                                           \
    "direction, status, n, duration_sum, duration_min, duration_max, sentiment_positive, sentiment_neutral,"      \
    " sentiment_negative, sentiment_none, recordings, recording_bytes"

/* The statement summing the (direction, status) groups of the range: a year reads
 * about 11 months of rows and 31 days of them instead of 365 days. */
static struct db_stmt summary_stmt(struct request *r, const struct range *g)
{
    return (struct db_stmt){ "analytics_summary",
                             "SELECT direction, status, sum(n), sum(duration_sum), min(duration_min),"
                             " max(duration_max), sum(sentiment_positive), sum(sentiment_neutral),"
                             " sum(sentiment_negative), sum(sentiment_none), sum(recordings),"
                             " sum(recording_bytes)"
                             " FROM (SELECT " SUMMARY_COLUMNS " FROM call_rollup_months" IN_MONTHS
                             " UNION ALL SELECT " SUMMARY_COLUMNS " FROM call_rollup_days" IN_HEAD
                             " UNION ALL SELECT " SUMMARY_COLUMNS " FROM call_rollup_days" IN_TAIL ") r"
                             " GROUP BY direction, status",
                             2, g->params };
}

static void summary_read(const struct dbres *res, struct summary *s)
{
    *s = (struct summary){ 0 };
    for (int i = 0; i < db_rows(res); i++) {
        long n = db_long(res, i, SC_N);
        s->total += n;
        if (str_eq_cstr(db_val(res, i, SC_DIRECTION), "inbound")) s->inbound += n;
        else s->outbound += n;
        int st = status_index(db_val(res, i, SC_STATUS));
        if (st >= 0) s->by_status[st] += n;
        for (int k = 0; k < 4; k++) s->sentiment[k] += db_long(res, i, SC_SENTIMENT + k);
        s->recordings += db_long(res, i, SC_RECORDINGS);
        s->recording_bytes += db_long(res, i, SC_RECORDING_BYTES);
        /* Durations describe answered calls: a missed call's 0 s says nothing. */
        if (st != COMPLETED || db_isnull(res, i, SC_DURATION_MIN)) continue;
        s->duration_sum += db_long(res, i, SC_DURATION_SUM);
        long mn = db_long(res, i, SC_DURATION_MIN), mx = db_long(res, i, SC_DURATION_MAX);
        if (!s->has_duration || mn < s->duration_min) s->duration_min = mn;
        if (!s->has_duration || mx > s->duration_max) s->duration_max = mx;
        s->has_duration = true;
    }
}

enum top_col { TC_NUMBER, TC_N };

/* The top numbers of the range (at most 10 rows; only numbers with at least two
 * calls — see sql/0023_call_number_blocks.sql for why and how). */
static struct db_stmt top_stmt(struct request *r, const struct range *g)
{
    return (struct db_stmt){ "analytics_top",
                             "SELECT number, n FROM sb_call_top_numbers(app_org_id(), $1::date, $2::date, 10)",
                             2, g->params };
}

enum daily_col { DC_DAY_OFFSET, DC_TOTAL, DC_INBOUND, DC_OUTBOUND, DC_ANSWERED };

/* The statement of the calls per day of the range (days without calls absent). */
static struct db_stmt daily_stmt(struct request *r, const struct range *g)
{
    return (struct db_stmt){ "analytics_daily",
                             "SELECT day - $1::date, sum(n),"
                             " coalesce(sum(n) FILTER (WHERE direction = 'inbound'), 0),"
                             " coalesce(sum(n) FILTER (WHERE direction = 'outbound'), 0),"
                             " coalesce(sum(n) FILTER (WHERE status = 'completed'), 0)"
                             " FROM call_rollup_days WHERE org_id = app_org_id() AND day BETWEEN $1::date AND $2::date"
                             " GROUP BY day",
                             2, g->params };
}

/* The dense series (zeros for days without calls), *n days long. */
static struct ca_day *daily_read(struct request *r, const struct dbres *res, const struct range *g, int *n)
{
    int m = db_rows(res);
    struct ca_day *sparse = arena_alloc(r->arena, sizeof *sparse * (size_t)(m ? m : 1));
    for (int i = 0; i < m; i++)
        sparse[i] = (struct ca_day){ g->start + db_long(res, i, DC_DAY_OFFSET), db_long(res, i, DC_TOTAL),
                                     db_long(res, i, DC_INBOUND), db_long(res, i, DC_OUTBOUND),
                                     db_long(res, i, DC_ANSWERED) };
    *n = (int)(g->end - g->start + 1);
    struct ca_day *dense = arena_alloc(r->arena, sizeof *dense * (size_t)*n);
    ca_fill_days(dense, g->start, *n, sparse, m);
    return dense;
}

enum heatmap_col { HC_ISODOW, HC_HOUR, HC_N };

/* The statement of the calls per weekday and hour of the range: whole months from
 * their weekday-by-hour cells, the days at either end from their hours. The ISO
 * weekday is counted in whole days from a Monday (2000-01-03): extract(isodow) makes a
 * timestamp and a numeric of each of the 24 rows a day, most of the statement's time
 * at 90 days and more. */
static struct db_stmt heatmap_stmt(struct request *r, const struct range *g)
{
    return (struct db_stmt){ "analytics_heatmap",
                             "SELECT isodow, hour, sum(n)"
                             " FROM (SELECT isodow::integer, hour, n FROM call_rollup_month_hours" IN_MONTHS
                             " UNION ALL SELECT ((day - date '2000-01-03') % 7 + 7) % 7 + 1, hour, n"
                             " FROM call_rollup_hours" IN_HEAD
                             " UNION ALL SELECT ((day - date '2000-01-03') % 7 + 7) % 7 + 1, hour, n"
                             " FROM call_rollup_hours" IN_TAIL ") h(isodow, hour, n)"
                             " GROUP BY 1, 2",
                             2, g->params };
}

/* heat[weekday 0-6 from Monday][hour]. */
static void heatmap_read(const struct dbres *res, long heat[7][24])
{
    memset(heat, 0, sizeof(long[7][24]));
    for (int i = 0; i < db_rows(res); i++) {
        long wd = db_long(res, i, HC_ISODOW), h = db_long(res, i, HC_HOUR);
        if (wd >= 1 && wd <= 7 && h >= 0 && h < 24) heat[wd - 1][h] = db_long(res, i, HC_N);
    }
}

/* Everything the page shows for a range. */
struct analytics {
    struct summary summary;
    struct dbres *top;
    struct ca_day *days;
    int ndays;
    long heat[7][24];
};

/* Loads the page's figures in one round trip, with the commit; 0 or an HTTP status. */
static int analytics_load(struct request *r, const struct range *g, struct analytics *an)
{
    struct db_stmt s[] = { summary_stmt(r, g), top_stmt(r, g), daily_stmt(r, g), heatmap_stmt(r, g) };
    struct dbres *res[4];
    if (db_exec_last(r->db, r->arena, 4, s, res) != 0) return app_db_status(r);
    summary_read(res[0], &an->summary);
    an->top = res[1];
    an->days = daily_read(r, res[2], g, &an->ndays);
    heatmap_read(res[3], an->heat);
    return 0;
}

/* ---- JSON ------------------------------------------------------------------------ */

static struct json_object *json_i64(int64_t v) { return json_object_new_int64(v); }

static void json_add_range(struct json_object *o, const struct range *g)
{
    json_add_cstr(o, "start_date", g->start_s);
    json_add_cstr(o, "end_date", g->end_s);
}

/* Answered calls' durations; nulls when no call was answered. */
static struct json_object *duration_json(const struct summary *s)
{
    struct json_object *dur = json_object_new_object();
    long answered = s->by_status[COMPLETED];
    json_object_object_add(dur, "avg_s", s->has_duration ? json_i64(ca_div_round(s->duration_sum, answered)) : NULL);
    json_object_object_add(dur, "min_s", s->has_duration ? json_i64(s->duration_min) : NULL);
    json_object_object_add(dur, "max_s", s->has_duration ? json_i64(s->duration_max) : NULL);
    return dur;
}

static struct json_object *top_json(const struct dbres *top)
{
    struct json_object *tops = json_object_new_array();
    for (int i = 0; i < db_rows(top); i++) {
        struct json_object *t = json_object_new_object();
        json_add_str(t, "number", db_val(top, i, TC_NUMBER));
        json_object_object_add(t, "count", json_i64(db_long(top, i, TC_N)));
        json_object_array_add(tops, t);
    }
    return tops;
}

static struct json_object *summary_json(const struct summary *s, const struct dbres *top)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "total", json_i64(s->total));
    struct json_object *dir = json_object_new_object();
    json_object_object_add(dir, "inbound", json_i64(s->inbound));
    json_object_object_add(dir, "outbound", json_i64(s->outbound));
    json_object_object_add(o, "by_direction", dir);
    struct json_object *st = json_object_new_object();
    for (size_t i = 0; i < NSTATUS; i++) json_object_object_add(st, statuses[i], json_i64(s->by_status[i]));
    json_object_object_add(o, "by_status", st);
    json_object_object_add(o, "answered", json_i64(s->by_status[COMPLETED]));
    char pct[24];
    long permille = ca_permille(s->by_status[COMPLETED], s->total);
    ca_format_tenths(permille, pct);
    json_object_object_add(o, "answered_rate", json_object_new_double_s((double)permille / 10.0, pct));
    json_object_object_add(o, "duration", duration_json(s));
    struct json_object *sent = json_object_new_object();
    static const char *const labels[] = { "positive", "neutral", "negative", "unknown" };
    for (int k = 0; k < 4; k++) json_object_object_add(sent, labels[k], json_i64(s->sentiment[k]));
    json_object_object_add(o, "sentiment", sent);
    struct json_object *rec = json_object_new_object();
    json_object_object_add(rec, "count", json_i64(s->recordings));
    json_object_object_add(rec, "bytes", json_i64(s->recording_bytes));
    json_object_object_add(o, "recordings", rec);
    json_object_object_add(o, "top_numbers", top_json(top));
    return o;
}

/*
 * GET /api/v1/calls/analytics/summary — totals of the range.
 *   start_date, end_date: YYYY-MM-DD in the org's zone (default: the last 30 days).
 */
int api_analytics_summary(struct request *r)
{
    struct range g;
    int status = range_or_reply(r, &g);
    if (status) return status;
    struct db_stmt stmts[] = { summary_stmt(r, &g), top_stmt(r, &g) };
    struct dbres *res[2];
    if (db_exec_last(r->db, r->arena, 2, stmts, res) != 0) return app_db_status(r);
    struct summary s;
    summary_read(res[0], &s);
    struct json_object *data = summary_json(&s, res[1]);
    json_add_range(data, &g);
    json_reply_data(r, 200, data);
    return 0;
}

/* GET /api/v1/calls/analytics/daily — one entry per day of the range, zeros included. */
int api_analytics_daily(struct request *r)
{
    struct range g;
    int status = range_or_reply(r, &g);
    if (status) return status;
    struct db_stmt stmt = daily_stmt(r, &g);
    struct dbres *res;
    if (db_exec_last(r->db, r->arena, 1, &stmt, &res) != 0) return app_db_status(r);
    int n;
    struct ca_day *days = daily_read(r, res, &g, &n);
    struct json_object *arr = json_object_new_array();
    for (int i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();
        json_add_cstr(o, "date", day_text(r->arena, days[i].day));
        json_object_object_add(o, "total", json_i64(days[i].total));
        json_object_object_add(o, "inbound", json_i64(days[i].inbound));
        json_object_object_add(o, "outbound", json_i64(days[i].outbound));
        json_object_object_add(o, "answered", json_i64(days[i].answered));
        json_object_array_add(arr, o);
    }
    json_reply_data(r, 200, arr);
    return 0;
}

/* GET /api/v1/calls/analytics/heatmap — 168 cells: ISO weekday (1 = Monday) × hour. */
int api_analytics_heatmap(struct request *r)
{
    struct range g;
    int status = range_or_reply(r, &g);
    if (status) return status;
    struct db_stmt stmt = heatmap_stmt(r, &g);
    struct dbres *res;
    if (db_exec_last(r->db, r->arena, 1, &stmt, &res) != 0) return app_db_status(r);
    long heat[7][24];
    heatmap_read(res, heat);
    struct json_object *arr = json_object_new_array();
    for (int w = 0; w < 7; w++)
        for (int h = 0; h < 24; h++) {
            struct json_object *o = json_object_new_object();
            json_add_long(o, "weekday", w + 1);
            json_add_long(o, "hour", h);
            json_object_object_add(o, "count", json_i64(heat[w][h]));
            json_object_array_add(arr, o);
        }
    json_reply_data(r, 200, arr);
    return 0;
}

/* ---- the page ---------------------------------------------------------------------- */

/* "42.5%" of part in whole. */
static void set_pct(struct tdict *d, const char *key, long part, long whole)
{
    char t[24];
    ca_format_tenths(ca_permille(part, whole), t);
    tdict_set_cstr(d, key, t);
}

static void set_mss(struct tdict *d, const char *key, bool has, long seconds)
{
    char t[24];
    ca_format_mss(seconds, t);
    tdict_set_cstr(d, key, has ? t : "—");
}

/* A link to the calls list filtered to the range (plus extra, already encoded). */
static str calls_href(struct request *r, const struct range *g, const char *extra)
{
    struct buf b;
    buf_init(&b, r->arena, 96);
    buf_puts(&b, "/calls?start_date=");
    buf_puts(&b, g->start_s);
    buf_puts(&b, "&end_date=");
    buf_puts(&b, g->end_s);
    buf_puts(&b, extra);
    return buf_str(&b);
}

static void page_summary(struct request *r, struct tdict *d, const struct range *g, const struct summary *s)
{
    long answered = s->by_status[COMPLETED];
    tdict_set_long(d, "TOTAL", s->total);
    tdict_set_long(d, "INBOUND", s->inbound);
    tdict_set_long(d, "OUTBOUND", s->outbound);
    tdict_set_long(d, "ANSWERED", answered);
    set_pct(d, "ANSWERED_RATE", answered, s->total);
    set_mss(d, "AVG_DURATION", s->has_duration, ca_div_round(s->duration_sum, answered));
    set_mss(d, "MIN_DURATION", s->has_duration, s->duration_min);
    set_mss(d, "MAX_DURATION", s->has_duration, s->duration_max);
    static const char *const keys[] = { "POSITIVE", "NEUTRAL", "NEGATIVE", "UNKNOWN" };
    for (int k = 0; k < 4; k++) {
        tdict_set_long(d, keys[k], s->sentiment[k]);
        struct buf key;
        buf_init(&key, r->arena, 24);
        buf_puts(&key, keys[k]);
        buf_puts(&key, "_PCT");
        set_pct(d, buf_cstr(&key), s->sentiment[k], s->total);
    }
    tdict_set_long(d, "RECORDINGS", s->recordings);
    char mb[24];
    ca_format_mb(s->recording_bytes, mb);
    tdict_set_cstr(d, "STORAGE_MB", mb);
    tdict_set(d, "CALLS_HREF", calls_href(r, g, ""));
    tdict_set(d, "INBOUND_HREF", calls_href(r, g, "&direction=inbound"));
    tdict_set(d, "OUTBOUND_HREF", calls_href(r, g, "&direction=outbound"));
    tdict_set(d, "ANSWERED_HREF", calls_href(r, g, "&status=completed"));
}

static void set_x100(struct tdict *d, const char *key, long v)
{
    char t[24];
    ca_format_x100(v, t);
    tdict_set_cstr(d, key, t);
}

/* Horizontal grid lines with their values: 0, the middle when whole, the top. */
static void chart_ticks(struct tdict *c, long axis)
{
    long ticks[3] = { 0, axis % 2 == 0 ? axis / 2 : -1, axis };
    for (int t = 0; t < 3; t++) {
        if (ticks[t] < 0) continue;
        struct tdict *k = tdict_add_section(c, "TICK");
        set_x100(k, "Y", PLOT_TOP * 100 + PLOT_H * 100 - ca_bar_height_x100(ticks[t], axis, PLOT_H));
        tdict_set_long(k, "X1", PLOT_LEFT);
        tdict_set_long(k, "X2", PLOT_LEFT + PLOT_W);
        tdict_set_long(k, "LABEL_X", PLOT_LEFT - 6);
        tdict_set_long(k, "LABEL", ticks[t]);
    }
}

/* Date labels under the first, middle and last bars; the end ones grow inwards so
 * the viewBox never clips them. */
static void chart_label(struct tdict *c, int i, int n, long x, long step, const char *date)
{
    if (i != 0 && i != n - 1 && !(n > 2 && i == n / 2)) return;
    struct tdict *l = tdict_add_section(c, "XLABEL");
    set_x100(l, "X", i == 0 ? x + step / 10 : i == n - 1 ? x + step - step / 10 : x + step / 2);
    tdict_set_long(l, "Y", PLOT_TOP + PLOT_H + 22);
    tdict_set_cstr(l, "TEXT", date);
    tdict_set_cstr(l, "ANCHOR", i == 0 ? "start" : i == n - 1 ? "end" : "middle");
}

/* The calls-per-day SVG (templates/calls/analytics_chart.tpl): every coordinate is a
 * number computed here, every text goes through the template's auto-escape. */
static void page_chart(struct arena *a, struct tdict *d, const struct ca_day *days, int n)
{
    struct tdict *c = tdict_include(d, "DAILY_CHART", "calls/analytics_chart.tpl");
    long max = 0;
    for (int i = 0; i < n; i++)
        if (days[i].total > max) max = days[i].total;
    long axis = ca_nice_max(max);
    tdict_set_long(c, "CHART_W", CHART_W);
    tdict_set_long(c, "CHART_H", CHART_H);
    chart_ticks(c, axis);
    long step = ca_bar_x_x100(1, n, PLOT_W);
    for (int i = 0; i < n; i++) {
        const char *date = day_text(a, days[i].day);
        long h = ca_bar_height_x100(days[i].total, axis, PLOT_H);
        long x = PLOT_LEFT * 100 + ca_bar_x_x100(i, n, PLOT_W);
        struct tdict *b = tdict_add_section(c, "BAR");
        set_x100(b, "X", x + step / 10);
        set_x100(b, "Y", PLOT_TOP * 100 + PLOT_H * 100 - h);
        set_x100(b, "W", step - step / 5 > 10 ? step - step / 5 : 10);
        set_x100(b, "H", h);
        tdict_set_cstr(b, "DATE", date);
        tdict_set_long(b, "COUNT", days[i].total);
        chart_label(c, i, n, x, step, date);
    }
}

static void page_daily_table(struct arena *a, struct tdict *d, const struct ca_day *days, int n)
{
    for (int i = 0; i < n; i++) {
        struct tdict *row = tdict_add_section(d, "DAY");
        tdict_set_cstr(row, "DATE", day_text(a, days[i].day));
        tdict_set_long(row, "TOTAL", days[i].total);
        tdict_set_long(row, "INBOUND", days[i].inbound);
        tdict_set_long(row, "OUTBOUND", days[i].outbound);
        tdict_set_long(row, "ANSWERED", days[i].answered);
    }
    page_chart(a, d, days, n);
}

static void page_heatmap(struct tdict *d, const long heat[7][24])
{
    long max = 0;
    for (int w = 0; w < 7; w++)
        for (int h = 0; h < 24; h++)
            if (heat[w][h] > max) max = heat[w][h];
    for (int h = 0; h < 24; h++) tdict_set_long(tdict_add_section(d, "HEAT_HOUR"), "HOUR", h);
    for (int w = 0; w < 7; w++) {
        struct tdict *row = tdict_add_section(d, "HEAT_ROW");
        tdict_set_cstr(row, "WEEKDAY", weekdays[w]);
        for (int h = 0; h < 24; h++) {
            struct tdict *cell = tdict_add_section(row, "HEAT_CELL");
            tdict_set_long(cell, "COUNT", heat[w][h]);
            tdict_set_long(cell, "HOUR", h);
            tdict_set_long(cell, "BUCKET", ca_bucket(heat[w][h], max, HEAT_BUCKETS));
        }
    }
}

static void page_top(struct request *r, struct tdict *d, const struct range *g, struct dbres *top)
{
    if (db_rows(top) == 0) tdict_show(d, "NO_TOP");
    else tdict_show(d, "HAS_TOP");
    for (int i = 0; i < db_rows(top); i++) {
        struct tdict *row = tdict_add_section(d, "TOP");
        tdict_set(row, "NUMBER", db_val(top, i, TC_NUMBER));
        tdict_set_long(row, "COUNT", db_long(top, i, TC_N));
        struct buf b;
        buf_init(&b, r->arena, 96);
        buf_put(&b, calls_href(r, g, "&phone="));
        buf_url_arg(&b, db_val(top, i, TC_NUMBER));
        tdict_set(row, "HREF", buf_str(&b));
    }
}

/* The page: the range's form and the figures in an; without an (a refused range),
 * the form alone with e's messages and the values as typed. */
static int render_page(struct request *r, int status, const struct range *g, const struct field_errors *e,
                       const struct analytics *an)
{
    struct tdict *d = page_dict(r, "Call analytics", "calls/analytics.tpl");
    tdict_set(d, "ORG_TIMEZONE", r->session->org_timezone);
    if (!an) {
        tdict_set(d, "START_DATE", g->v[RP_START].raw);
        tdict_set(d, "END_DATE", g->v[RP_END].raw);
        field_errors_to_dict(d, e);
        return page_render(r, status, d);
    }
    tdict_set_cstr(d, "START_DATE", g->start_s);
    tdict_set_cstr(d, "END_DATE", g->end_s);
    tdict_set_cstr(d, "RANGE_START", g->start_s);
    tdict_set_cstr(d, "RANGE_END", g->end_s);
    tdict_show(d, "RESULTS");
    page_summary(r, d, g, &an->summary);
    page_daily_table(r->arena, d, an->days, an->ndays);
    page_heatmap(d, an->heat);
    page_top(r, d, g, an->top);
    return page_render(r, status, d);
}

static int render_form(struct request *r, int status, const struct field_errors *e, void *g)
{
    return render_page(r, status, g, e, NULL);
}

/*
 * GET /calls/analytics — the analytics page.
 *   start_date, end_date: YYYY-MM-DD in the org's zone (default: the last 30 days);
 *   a bad value re-renders the form with 400 and the message at the field.
 */
int analytics_page(struct request *r)
{
    struct range g;
    struct analytics an;
    int status = range_or_reply(r, &g);
    if (!status) status = analytics_load(r, &g, &an);
    return status ? status : render_page(r, 200, &g, NULL, &an);
}
