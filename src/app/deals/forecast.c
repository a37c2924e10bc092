/* forecast.c — the cash-flow forecast page and JSON: what is still owed per ISO week
 * over the next 30/60/90 days in the org currency (src/domain/forecast.c), overdue
 * apart, payments without a rate listed apart; an SVG bar chart and its table. */
#include <json-c/json.h>
#include <stdio.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/call_analytics.h"
#include "../../domain/civil_date.h"
#include "../../domain/forecast.h"
#include "../../domain/fx.h"
#include "../../domain/money.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/money_total.h"
#include "../common/org_clock.h"
#include "../common/params.h"
#include "deals.h"

#define CHART_W 720
#define CHART_H 250
#define PLOT_LEFT 96
#define PLOT_TOP 12
#define PLOT_W 612
#define PLOT_H 200

/* At most this many payments without a rate are listed (the page and JSON say how
 * many there are in all): they are usually few, and the list must stay bounded. */
#define NO_RATE_LIMIT 100
#define NO_RATE_LIMIT_SQL "100" /* the same, for the statement's text */

struct fc_data {
    struct forecast f;
    const struct currency *org;
    struct forecast_payment *groups; /* per day (or overdue, later, undated) and currency */
    struct fx_rate *rates;
    size_t n_rates;
    struct dbres *apart;              /* the first NO_RATE_LIMIT payments without a rate */
    long apart_total;                 /* every owed payment without a rate */
};

/* The parameter of the page and its JSON twin: the horizon in days (30 when absent). */
static const char *const day_choices[] = { "30", "60", "90", NULL };
static const struct param_spec forecast_params[] = {
    { "days", PARAM_ENUM, 0, 0, day_choices, "must be 30, 60 or 90" },
};

/* Reads days; answers a bad value itself (400, the JSON error or the error page) and
 * returns REPLIED then, else 0. */
static int parse_days_or_reply(struct request *r, unsigned *days)
{
    struct param_value v;
    struct field_errors e = { 0 };
    if (params_parse(r->arena, &r->query, forecast_params, 1, &v, &e))
        return field_errors_reply(r, "days must be 30, 60 or 90.", &e, NULL, NULL);
    *days = v.valid ? (unsigned)(30 * (v.num + 1)) : 30;
    return 0;
}

/* What is owed, summed by the database: the rows of deal_open_payment_days (sql/0017,
 * kept by triggers; payments with status <> 'paid', not deleted, paid_minor <
 * amount_minor, of a live deal) per day and currency, the days before today ($1) and
 * from the horizon's end ($2) on folded into one row per currency; and the undated
 * payments, which the aggregate leaves out, counted from payments_org_unpaid_due_idx
 * (the expected_at IS NULL end of it; usually none). */
enum { FG_KEY, FG_CURRENCY, FG_COUNT, FG_OWED };
#define FORECAST_GROUPS_SQL                                                                                  \
    "SELECT CASE WHEN t.expected_at < $1::date THEN 'overdue' WHEN t.expected_at >= $2::date THEN 'later'"   \
    " ELSE t.expected_at::text END, t.currency, sum(t.n)::bigint, sum(t.open_minor)::text"                   \
    " FROM deal_open_payment_days t WHERE t.org_id = app_org_id() AND t.n > 0 GROUP BY 1, 2"                 \
    " UNION ALL SELECT 'undated', p.currency, count(*), sum(p.amount_minor - p.paid_minor)::text"            \
    " FROM payments p JOIN deals d ON d.org_id = app_org_id() AND d.id = p.deal_id AND d.deleted_at IS NULL" \
    " WHERE p.org_id = app_org_id() AND p.status <> 'paid' AND p.deleted_at IS NULL"                          \
    " AND p.expected_at IS NULL AND p.paid_minor < p.amount_minor GROUP BY p.currency"

/* The owed payments in currencies without a rate, oldest expected first, at most
 * NO_RATE_LIMIT (the total comes from the groups); only run when such a currency is
 * owed. $1 is bound as currency_code[]: as text[] the column would be cast and
 * payments_org_unpaid_currency_idx (sql/0029) could not apply. */
enum { FP_AMOUNT, FP_CURRENCY, FP_EXPECTED, FP_DEAL_ID, FP_DEAL_TITLE, FP_ID };
#define FORECAST_NO_RATE_SQL                                                                                  \
    "SELECT p.amount_minor - p.paid_minor, p.currency, coalesce(p.expected_at::text, ''), p.deal_id,"        \
    " d.title, p.id FROM payments p JOIN deals d ON d.org_id = app_org_id() AND d.id = p.deal_id"             \
    " AND d.deleted_at IS NULL WHERE p.org_id = app_org_id() AND p.status <> 'paid' AND p.deleted_at IS NULL" \
    " AND p.paid_minor < p.amount_minor AND p.currency = ANY ($1::currency_code[])"                      \
    " ORDER BY p.expected_at NULLS LAST, p.id LIMIT " NO_RATE_LIMIT_SQL

static const char *day_param(struct request *r, int64_t day)
{
    struct buf b;
    buf_init(&b, r->arena, 12);
    civil_format_date(&b, day);
    return buf_cstr(&b);
}

/* true when what is owed in `cur` cannot be converted today (left out, listed apart). */
static bool no_rate(const struct fc_data *d, const struct currency *cur)
{
    return !cur || (cur != d->org && !fx_pick(d->rates, d->n_rates, cur, d->org, d->f.today));
}

/* true when an earlier group row than i has the same currency code. */
static bool code_seen(const struct dbres *g, int i)
{
    for (int k = 0; k < i; k++)
        if (str_eq(db_val(g, k, FG_CURRENCY), db_val(g, i, FG_CURRENCY))) return true;
    return false;
}

/* The payments in currencies without a rate: an array literal of those codes, each
 * once (codes are three capital letters, nothing to quote), then at most
 * NO_RATE_LIMIT rows. */
static int fc_load_apart(struct request *r, struct fc_data *d, struct dbres *g)
{
    struct buf codes;
    buf_init(&codes, r->arena, 32);
    buf_puts(&codes, "{");
    d->apart_total = 0;
    for (int i = 0; i < db_rows(g); i++) {
        if (!no_rate(d, d->groups[i].currency)) continue;
        d->apart_total += db_long(g, i, FG_COUNT);
        if (code_seen(g, i)) continue;
        if (codes.len > 1) buf_puts(&codes, ",");
        buf_put(&codes, str_trim(db_val(g, i, FG_CURRENCY)));
    }
    buf_puts(&codes, "}");
    if (!d->apart_total) return 0;
    d->apart = db_q(r->db, r->arena, "forecast_no_rate", FORECAST_NO_RATE_SQL, buf_cstr(&codes));
    return d->apart ? 0 : app_db_status(r);
}

static int fc_load(struct request *r, unsigned days, struct fc_data *d)
{
    struct org_clock c;
    int st = org_clock_load(r, &c);
    if (st) return st;
    *d = (struct fc_data){ 0 };
    d->org = money_currency(c.currency);
    if (!d->org) d->org = money_currency(STR("USD")); /* orgs.currency predates the currency domain */
    if ((st = org_fx_rates_load(r, d->org, &d->rates, &d->n_rates))) return st;
    struct dbres *g = db_q(r->db, r->arena, "forecast_groups", FORECAST_GROUPS_SQL, day_param(r, c.today),
                           day_param(r, c.today + days));
    if (!g) return app_db_status(r);
    int n = db_rows(g);
    d->groups = arena_alloc(r->arena, sizeof *d->groups * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        struct forecast_payment *p = &d->groups[i];
        str key = db_val(g, i, FG_KEY);
        *p = (struct forecast_payment){ .amount_minor = db_long(g, i, FG_OWED),
                                        .currency = money_currency(str_trim(db_val(g, i, FG_CURRENCY))),
                                        .count = (unsigned)db_long(g, i, FG_COUNT), .has_expected = true };
        /* Folded rows get a day inside their range: overdue yesterday, later at the end. */
        if (str_eq_cstr(key, "overdue")) p->expected_day = c.today - 1;
        else if (str_eq_cstr(key, "later")) p->expected_day = c.today + days;
        else if (str_eq_cstr(key, "undated")) p->has_expected = false;
        else if (!civil_parse_date(key, &p->expected_day)) *p = (struct forecast_payment){ 0 }; /* never: a date */
    }
    if (!forecast_build(r->arena, d->groups, (size_t)n, c.today, days, d->org, d->rates, d->n_rates, &d->f)) return 400;
    return fc_load_apart(r, d, g);
}

static str money_text(struct request *r, int64_t minor, const struct currency *cur)
{
    struct buf b;
    buf_init(&b, r->arena, 24);
    money_format_display(&b, minor, cur);
    return buf_str(&b);
}

/* Axis labels stay short at any size ("$2.5B"): the label column is 90 px wide. */
static str money_compact_text(struct request *r, int64_t minor, const struct currency *cur)
{
    struct buf b;
    buf_init(&b, r->arena, 16);
    money_format_compact(&b, minor, cur);
    return buf_str(&b);
}

static str day_text(struct request *r, int64_t day)
{
    struct buf b;
    buf_init(&b, r->arena, 12);
    civil_format_date(&b, day);
    return buf_str(&b);
}

/* ---- JSON ---- */

static struct json_object *money_json(int64_t minor, const struct currency *cur)
{
    struct json_object *m = json_object_new_object();
    json_object_object_add(m, "amount_minor", json_object_new_int64(minor));
    json_add_cstr(m, "currency", cur->code);
    return m;
}

/* The outstanding amount of listed payment i, in its own currency. */
static struct json_object *apart_money_json(const struct fc_data *d, int i)
{
    struct json_object *m = json_object_new_object();
    json_object_object_add(m, "amount_minor", json_object_new_int64(db_long(d->apart, i, FP_AMOUNT)));
    json_add_str(m, "currency", str_trim(db_val(d->apart, i, FP_CURRENCY)));
    return m;
}

/* GET /api/v1/deals/forecast?days=30|60|90 (without_rate: at most NO_RATE_LIMIT, the
 * first expected; without_rate_count: all of them). */
int api_forecast(struct request *r)
{
    unsigned days;
    struct fc_data d;
    int st = parse_days_or_reply(r, &days);
    if (st || (st = fc_load(r, days, &d))) return st;
    struct json_object *o = json_object_new_object(), *weeks = json_object_new_array(), *apart = json_object_new_array();
    json_add_str(o, "today", day_text(r, d.f.today));
    json_add_long(o, "days", (long)days);
    json_add_cstr(o, "currency", d.org->code);
    for (size_t i = 0; i < d.f.n_weeks; i++) {
        const struct forecast_week *w = &d.f.weeks[i];
        struct json_object *x = json_object_new_object();
        json_add_long(x, "iso_year", (long)w->iso_year);
        json_add_long(x, "iso_week", (long)w->iso_week);
        json_add_str(x, "week_start", day_text(r, w->start_day));
        json_object_object_add(x, "expected", money_json(w->amount_org_minor, d.org));
        json_add_long(x, "count", (long)w->count);
        json_object_array_add(weeks, x);
    }
    json_object_object_add(o, "weeks", weeks);
    json_object_object_add(o, "upcoming", money_json(d.f.upcoming_org_minor, d.org));
    json_object_object_add(o, "overdue", money_json(d.f.overdue_org_minor, d.org));
    json_add_long(o, "overdue_count", (long)d.f.overdue_count);
    json_add_long(o, "undated_count", (long)d.f.undated_count);
    json_add_long(o, "later_count", (long)d.f.later_count);
    for (int i = 0; d.apart && i < db_rows(d.apart); i++) {
        struct json_object *x = json_object_new_object();
        json_add_str(x, "payment_id", db_val(d.apart, i, FP_ID));
        json_add_str(x, "deal_id", db_val(d.apart, i, FP_DEAL_ID));
        json_object_object_add(x, "outstanding", apart_money_json(&d, i));
        json_object_array_add(apart, x);
    }
    json_object_object_add(o, "without_rate", apart);
    json_add_long(o, "without_rate_count", d.apart_total);
    json_reply_data(r, 200, o);
    return 0;
}

/* ---- page ---- */

static void set_x100(struct tdict *d, const char *key, long v)
{
    char t[24];
    ca_format_x100(v, t);
    tdict_set_cstr(d, key, t);
}

/* Grid lines at 0, half and the top of the axis, labelled in the org currency. */
static void chart_ticks(struct request *r, struct tdict *c, long axis, const struct currency *org)
{
    long ticks[3] = { 0, axis / 2, axis };
    for (int t = 0; t < 3; t++) {
        struct tdict *k = tdict_add_section(c, "TICK");
        set_x100(k, "Y", PLOT_TOP * 100 + PLOT_H * 100 - ca_bar_height_x100(ticks[t], axis, PLOT_H));
        tdict_set_long(k, "X1", PLOT_LEFT);
        tdict_set_long(k, "X2", PLOT_LEFT + PLOT_W);
        tdict_set_long(k, "LABEL_X", PLOT_LEFT - 6);
        tdict_set(k, "LABEL", money_compact_text(r, ticks[t], org));
    }
}

/* One bar per ISO week (templates/deals/forecast_chart.tpl): numbers computed here,
 * text auto-escaped by the template, no style attributes. */
static void page_chart(struct request *r, struct tdict *d, const struct fc_data *fc)
{
    struct tdict *c = tdict_include(d, "FORECAST_CHART", "deals/forecast_chart.tpl");
    int n = (int)fc->f.n_weeks;
    long max = 0;
    for (int i = 0; i < n; i++)
        if (fc->f.weeks[i].amount_org_minor > max) max = (long)fc->f.weeks[i].amount_org_minor;
    long axis = ca_nice_max(max);
    tdict_set_long(c, "CHART_W", CHART_W);
    tdict_set_long(c, "CHART_H", CHART_H);
    chart_ticks(r, c, axis, fc->org);
    long step = ca_bar_x_x100(1, n, PLOT_W);
    for (int i = 0; i < n; i++) {
        const struct forecast_week *w = &fc->f.weeks[i];
        long h = ca_bar_height_x100((long)w->amount_org_minor, axis, PLOT_H);
        long x = PLOT_LEFT * 100 + ca_bar_x_x100(i, n, PLOT_W);
        struct tdict *b = tdict_add_section(c, "BAR");
        set_x100(b, "X", x + step / 10);
        set_x100(b, "Y", PLOT_TOP * 100 + PLOT_H * 100 - h);
        set_x100(b, "W", step - step / 5);
        set_x100(b, "H", h);
        tdict_set(b, "WEEK", day_text(r, w->start_day));
        tdict_set(b, "AMOUNT", money_text(r, w->amount_org_minor, fc->org));
        struct tdict *l = tdict_add_section(c, "XLABEL");
        set_x100(l, "X", x + step / 2);
        tdict_set_long(l, "Y", PLOT_TOP + PLOT_H + 22);
        char wk[8];
        snprintf(wk, sizeof wk, "W%u", w->iso_week);
        tdict_set_cstr(l, "TEXT", wk);
    }
}

static void page_tables(struct request *r, struct tdict *d, const struct fc_data *fc)
{
    for (size_t i = 0; i < fc->f.n_weeks; i++) {
        const struct forecast_week *w = &fc->f.weeks[i];
        struct tdict *row = tdict_add_section(d, "WEEK");
        char wk[16];
        snprintf(wk, sizeof wk, "%lld-W%02u", (long long)w->iso_year, w->iso_week);
        tdict_set_cstr(row, "ISO_WEEK", wk);
        tdict_set(row, "WEEK_START", day_text(r, w->start_day));
        tdict_set_long(row, "COUNT", (long)w->count);
        tdict_set(row, "AMOUNT", money_text(r, w->amount_org_minor, fc->org));
    }
    long apart = fc->apart ? db_rows(fc->apart) : 0;
    for (long i = 0; i < apart; i++) {
        struct tdict *row = tdict_add_section(d, "NO_RATE");
        tdict_set(row, "DEAL_ID", db_val(fc->apart, (int)i, FP_DEAL_ID));
        tdict_set(row, "DEAL_TITLE", db_val(fc->apart, (int)i, FP_DEAL_TITLE));
        const struct currency *cur = money_currency(str_trim(db_val(fc->apart, (int)i, FP_CURRENCY)));
        tdict_set(row, "AMOUNT", cur ? money_text(r, db_long(fc->apart, (int)i, FP_AMOUNT), cur) : STR(""));
        tdict_set(row, "EXPECTED", db_val(fc->apart, (int)i, FP_EXPECTED));
    }
    if (fc->apart_total > apart) {
        struct tdict *more = tdict_add_section(d, "NO_RATE_MORE");
        tdict_set_long(more, "SHOWN", apart);
        tdict_set_long(more, "TOTAL", fc->apart_total);
    }
    if (apart == 0) tdict_show(d, "NO_RATE_NONE");
}

/* GET /deals/forecast?days=30|60|90 — the page (400 with the choices for other values). */
int forecast_page(struct request *r)
{
    unsigned days;
    struct fc_data fc;
    int st = parse_days_or_reply(r, &days);
    if (st || (st = fc_load(r, days, &fc))) return st;
    struct tdict *d = page_dict(r, "Cash-flow forecast", "deals/forecast.tpl");
    static const unsigned choices[] = { 30, 60, 90 };
    for (int i = 0; i < 3; i++) {
        struct tdict *c = tdict_add_section(d, "DAYS_OPT");
        tdict_set_long(c, "DAYS", (long)choices[i]);
        if (choices[i] == days) tdict_show(c, "CURRENT");
        else tdict_show(c, "OTHER");
    }
    tdict_set_long(d, "HORIZON", (long)days);
    tdict_set(d, "TODAY", day_text(r, fc.f.today));
    tdict_set_cstr(d, "ORG_CURRENCY", fc.org->code);
    tdict_set(d, "UPCOMING", money_text(r, fc.f.upcoming_org_minor, fc.org));
    tdict_set(d, "OVERDUE", money_text(r, fc.f.overdue_org_minor, fc.org));
    tdict_set_long(d, "OVERDUE_COUNT", (long)fc.f.overdue_count);
    tdict_set_long(d, "UNDATED_COUNT", (long)fc.f.undated_count);
    tdict_set_long(d, "LATER_COUNT", (long)fc.f.later_count);
    page_chart(r, d, &fc);
    page_tables(r, d, &fc);
    return page_render(r, 200, d);
}
