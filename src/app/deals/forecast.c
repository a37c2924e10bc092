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

struct fc_data {
    struct forecast f;
    const struct currency *org;
    struct forecast_payment *pay;
    struct dbres *rows; /* the payments, for those listed apart */
    struct fx_rate *rates;
    size_t n_rates;
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

/* Every unpaid, live payment of a live deal: the forecast's input. */
enum { FP_AMOUNT, FP_PAID, FP_CURRENCY, FP_EXPECTED, FP_DEAL_ID, FP_DEAL_TITLE, FP_ID };
#define FORECAST_PAYMENTS_SQL                                                                             \
    "SELECT p.amount_minor, p.paid_minor, p.currency, coalesce(p.expected_at::text, ''), p.deal_id,"     \
    " d.title, p.id FROM payments p JOIN deals d ON d.org_id = app_org_id() AND d.id = p.deal_id"         \
    " AND d.deleted_at IS NULL WHERE p.org_id = app_org_id() AND p.status <> 'paid' AND p.deleted_at IS NULL" \
    " ORDER BY p.expected_at NULLS LAST, p.id"

static int fc_load(struct request *r, unsigned days, struct fc_data *d)
{
    struct org_clock c;
    int st = org_clock_load(r, &c);
    if (st) return st;
    d->org = money_currency(c.currency);
    if (!d->org) d->org = money_currency(STR("USD")); /* orgs.currency predates the currency domain */
    if ((st = org_fx_rates_load(r, d->org, &d->rates, &d->n_rates))) return st;
    d->rows = db_q0(r->db, r->arena, "forecast_payments", FORECAST_PAYMENTS_SQL);
    if (!d->rows) return app_db_status(r);
    int n = db_rows(d->rows);
    d->pay = arena_alloc(r->arena, sizeof *d->pay * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        struct forecast_payment *p = &d->pay[i];
        p->amount_minor = db_long(d->rows, i, FP_AMOUNT);
        p->paid_minor = db_long(d->rows, i, FP_PAID);
        p->currency = money_currency(str_trim(db_val(d->rows, i, FP_CURRENCY)));
        p->has_expected = civil_parse_date(db_val(d->rows, i, FP_EXPECTED), &p->expected_day);
    }
    if (!forecast_build(r->arena, d->pay, (size_t)n, c.today, days, d->org, d->rates, d->n_rates, &d->f)) return 400;
    return 0;
}

/* true when the payment is owed and cannot be converted today (forecast leaves it out). */
static bool fc_unconverted(const struct fc_data *d, int i)
{
    const struct forecast_payment *p = &d->pay[i];
    struct fx_result res;
    return p->amount_minor > p->paid_minor &&
           !fx_convert_with(d->rates, d->n_rates, p->amount_minor - p->paid_minor, p->currency, d->org, d->f.today, &res);
}

static str money_text(struct request *r, int64_t minor, const struct currency *cur)
{
    struct buf b;
    buf_init(&b, r->arena, 24);
    money_format_display(&b, minor, cur);
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

/* GET /api/v1/deals/forecast?days=30|60|90. */
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
    for (int i = 0; i < db_rows(d.rows); i++) {
        if (!fc_unconverted(&d, i)) continue;
        struct json_object *x = json_object_new_object();
        json_add_str(x, "payment_id", db_val(d.rows, i, FP_ID));
        json_add_str(x, "deal_id", db_val(d.rows, i, FP_DEAL_ID));
        json_object_object_add(x, "outstanding", money_json(d.pay[i].amount_minor - d.pay[i].paid_minor, d.pay[i].currency));
        json_object_array_add(apart, x);
    }
    json_object_object_add(o, "without_rate", apart);
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
        tdict_set(k, "LABEL", money_text(r, ticks[t], org));
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
    long apart = 0;
    for (int i = 0; i < db_rows(fc->rows); i++) {
        if (!fc_unconverted(fc, i)) continue;
        struct tdict *row = tdict_add_section(d, "NO_RATE");
        tdict_set(row, "DEAL_ID", db_val(fc->rows, i, FP_DEAL_ID));
        tdict_set(row, "DEAL_TITLE", db_val(fc->rows, i, FP_DEAL_TITLE));
        const struct forecast_payment *p = &fc->pay[i];
        tdict_set(row, "AMOUNT", p->currency ? money_text(r, p->amount_minor - p->paid_minor, p->currency) : STR(""));
        tdict_set(row, "EXPECTED", db_val(fc->rows, i, FP_EXPECTED));
        apart++;
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
