/* overview.c — the signed-in home page: the org, today's calls and the deal figures
 * (pipeline by stage, payments due this week and overdue, late deliverables). */
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/call_analytics.h"
#include "../../domain/civil_date.h"
#include "../../domain/deal_stage.h"
#include "../../domain/fx.h"
#include "../../domain/money.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/money_total.h"
#include "../common/org_clock.h"
#include "home.h"

static const char *role_summary(enum role role)
{
    switch (role) {
    case ROLE_ADMIN: return "Everything, including users, API keys, deletes and settings.";
    case ROLE_MANAGER: return "Create and edit deals and campaigns, launch campaigns, read everything.";
    case ROLE_AGENT: return "Read everything, edit the deals assigned to you, add notes.";
    case ROLE_VIEWER: return "Read only.";
    }
    return "";
}

/* Today's call figures link to the calls list filtered to today and to one of them. */
static void set_calls_href(struct request *r, struct tdict *d, const char *key, str today,
                           const char *extra)
{
    struct buf b;
    buf_init(&b, r->arena, 96);
    buf_puts(&b, "/calls?start_date=");
    buf_put(&b, today);
    buf_puts(&b, "&end_date=");
    buf_put(&b, today);
    buf_puts(&b, extra);
    tdict_set(d, key, buf_str(&b));
}

/* Today (org zone) and its calls from the rollups: never a count over the calls table. */
enum { OT_TODAY_TEXT, OT_DAY, OT_INBOUND, OT_OUTBOUND, OT_ANSWERED };
#define OVERVIEW_TODAY_SQL                                                                             \
    "SELECT to_char(t.local_now, 'FMDay, DD FMMonth YYYY'), t.local_now::date::text,"                  \
    " coalesce(sum(c.n) FILTER (WHERE c.direction = 'inbound'), 0),"                                   \
    " coalesce(sum(c.n) FILTER (WHERE c.direction = 'outbound'), 0),"                                  \
    " coalesce(sum(c.n) FILTER (WHERE c.status = 'completed'), 0)"                                     \
    " FROM orgs o CROSS JOIN LATERAL (SELECT now() AT TIME ZONE o.timezone AS local_now) t"            \
    " LEFT JOIN call_rollup_days c ON c.org_id = o.id AND c.day = t.local_now::date"                   \
    " WHERE o.id = app_org_id() GROUP BY t.local_now"

static void fill_today_calls(struct request *r, struct tdict *d, struct dbres *t)
{
    str day = db_val(t, 0, OT_DAY);
    long inbound = db_long(t, 0, OT_INBOUND), outbound = db_long(t, 0, OT_OUTBOUND), answered = db_long(t, 0, OT_ANSWERED);
    char rate[24];
    ca_format_tenths(ca_permille(answered, inbound + outbound), rate);
    tdict_set_long(d, "CALLS_INBOUND", inbound);
    tdict_set_long(d, "CALLS_OUTBOUND", outbound);
    tdict_set_long(d, "CALLS_ANSWERED", answered);
    tdict_set_cstr(d, "CALLS_ANSWERED_NOUN", answered == 1 ? "call" : "calls");
    tdict_set_cstr(d, "CALLS_ANSWERED_RATE", rate);
    set_calls_href(r, d, "CALLS_INBOUND_HREF", day, "&direction=inbound");
    set_calls_href(r, d, "CALLS_OUTBOUND_HREF", day, "&direction=outbound");
    set_calls_href(r, d, "CALLS_ANSWERED_HREF", day, "&status=completed");
    set_calls_href(r, d, "CALLS_TODAY_HREF", day, "");
}

/* ---- deals ---- */

/* The deal figures in one statement over the aggregates of sql/0017, kept by triggers
 * in the writers' transactions: open value per stage and currency
 * (deal_stage_totals); unpaid payments expected up to the end of this ISO week (org
 * zone), split into overdue and due (deal_open_payment_days, one row per day and
 * currency that still has some); late deliverables; and a row with today and the
 * week's end. Payments and deliverables of deleted deals do not count. Ordered, so
 * that currencies without a rate are listed in the same order every time. */
/* When a deliverable is due: the key of deliverables_org_due_key_idx (sql/0015), a
 * CASE rather than COALESCE so that, under RLS, "due < now()" searches the index. */
#define DELIVERABLE_DUE "(CASE WHEN v.posting_window_end IS NULL THEN v.scheduled_at ELSE v.posting_window_end END)"
/* The start of the current UTC hour: deal_open_deliverable_hours counts the hours
 * before it; the part of the current hour already past is counted from the index,
 * leaving out those of the org's deleted deals (deals_org_deleted_idx, sql/0014: few
 * rows) rather than looking up each deliverable's deal: late in the hour, 61 probes of
 * deals_pkey were 1.3 of the statement's 1.9 ms at 100,000 deals. */
#define DELIVERABLE_HOUR "date_trunc('hour', now(), 'UTC')"

enum { OF_KIND, OF_KEY /* the stage, or today */, OF_CURRENCY, OF_COUNT, OF_MINOR /* or the week's end */ };
#define OVERVIEW_DEALS_SQL                                                                                  \
    "WITH o AS (SELECT (now() AT TIME ZONE timezone)::date AS today FROM orgs WHERE id = app_org_id()),"     \
    " w AS (SELECT today, today + (7 - extract(isodow FROM today))::int AS week_end FROM o)"                 \
    " SELECT 'stage', t.stage, t.currency, t.n, t.value_minor::text FROM deal_stage_totals t"               \
    "  WHERE t.org_id = app_org_id() AND t.n > 0"                                                            \
    " UNION ALL SELECT CASE WHEN p.expected_at < w.today THEN 'overdue' ELSE 'due_week' END, '', p.currency,"  \
    "  sum(p.n)::bigint, sum(p.open_minor)::text FROM w, deal_open_payment_days p"                           \
    "  WHERE p.org_id = app_org_id() AND p.expected_at <= w.week_end AND p.n > 0 GROUP BY 1, p.currency"     \
    " UNION ALL SELECT 'late', '', '', ((SELECT coalesce(sum(h.n), 0) FROM deal_open_deliverable_hours h"    \
    "  WHERE h.org_id = app_org_id() AND h.due_hour < " DELIVERABLE_HOUR ")"                                   \
    "  + (SELECT count(*) FROM deliverables v"                                                                \
    "  WHERE v.org_id = app_org_id() AND v.posted_at IS NULL AND v.deleted_at IS NULL"                        \
    "  AND " DELIVERABLE_DUE " >= " DELIVERABLE_HOUR " AND " DELIVERABLE_DUE " < now()"                         \
    "  AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.org_id = app_org_id() AND d.id = v.deal_id"              \
    "  AND d.deleted_at IS NOT NULL)))::bigint, '0'"                                                          \
    " UNION ALL SELECT 'week', today::text, '', 0, week_end::text FROM w"                                      \
    " ORDER BY 1, 2, 3"

struct deal_figures {
    const struct currency *org;
    struct fx_rate *rates;
    size_t n_rates;
    int64_t today;
    long stage_count[DEAL_STAGE_COUNT];
    struct money_total stage_value[DEAL_STAGE_COUNT];
    long due_count, overdue_count, late_count;
    struct money_total due, overdue;
    str today_text, week_end;
};

static void figures_add(struct deal_figures *f, const struct dbres *q, int i)
{
    str kind = db_val(q, i, OF_KIND);
    const struct currency *cur = money_currency(str_trim(db_val(q, i, OF_CURRENCY)));
    long n = db_long(q, i, OF_COUNT);
    int64_t minor = db_long(q, i, OF_MINOR);
    enum deal_stage st;
    if (str_eq_cstr(kind, "stage") && deal_stage_parse(db_val(q, i, OF_KEY), &st)) {
        f->stage_count[st] += n;
        money_total_add(&f->stage_value[st], f->rates, f->n_rates, f->today, f->org, cur, minor);
    } else if (str_eq_cstr(kind, "due_week") || str_eq_cstr(kind, "overdue")) {
        bool overdue = str_eq_cstr(kind, "overdue");
        *(overdue ? &f->overdue_count : &f->due_count) += n;
        money_total_add(overdue ? &f->overdue : &f->due, f->rates, f->n_rates, f->today, f->org, cur, minor);
    } else if (str_eq_cstr(kind, "late")) {
        f->late_count = n;
    } else if (str_eq_cstr(kind, "week")) {
        f->today_text = db_val(q, i, OF_KEY);
        f->week_end = db_val(q, i, OF_MINOR);
        civil_parse_date(f->today_text, &f->today);
    }
}

/* The statements of the page, sent together in one round trip with the commit. */
enum { OQ_TODAY_CALLS, OQ_CLOCK, OQ_RATES, OQ_DEALS, OQ_ITEMS, OQ_CAMPAIGNS, OQ_ATTENTION, OQ_COUNT };

/* What needs an admin's attention: dead jobs (jobs_org_dead_idx) and provider circuits
 * not closed. Cheap enough to ask for every role; shown to admins only. */
enum { OA_DEAD_JOBS, OA_PROVIDERS_DOWN };
#define OVERVIEW_ATTENTION_SQL                                                                                 \
    "SELECT (SELECT count(*) FROM jobs WHERE org_id = app_org_id() AND status = 'dead'),"                     \
    " (SELECT string_agg(provider, ', ' ORDER BY provider) FROM provider_breakers"                            \
    "  WHERE org_id = app_org_id() AND state <> 'closed')"

static void fill_attention(struct request *r, struct tdict *d, const struct dbres *q)
{
    if (r->session->role < ROLE_ADMIN || db_rows(q) != 1) return;
    long dead = db_long(q, 0, OA_DEAD_JOBS);
    str down = db_val(q, 0, OA_PROVIDERS_DOWN);
    if (!dead && !down.len) return;
    struct tdict *a = tdict_add_section(d, "ATTENTION");
    if (dead) {
        struct tdict *x = tdict_add_section(a, "DEAD_JOBS");
        tdict_set_long(x, "COUNT", dead);
        tdict_set_cstr(x, "NOUN", dead == 1 ? "job" : "jobs");
    }
    if (down.len) tdict_set(tdict_add_section(a, "PROVIDERS_DOWN"), "PROVIDERS", down);
}

/* Campaigns under way (scheduled, running, paused), newest launch first, with their
 * messages counted by state (the counters of sql/0054), and how many there are in all. */
enum { OC_ID, OC_NAME, OC_STATUS, OC_CHANNELS, OC_TOTAL, OC_DONE, OC_DELIVERED, OC_FAILED, OC_SKIPPED,
       OC_REPLIED, OC_ACTIVE };
#define OVERVIEW_CAMPAIGNS_LIMIT 5
#define OVERVIEW_CAMPAIGNS_SQL                                                                                 \
    "SELECT k.id, k.name, k.status, array_to_string(k.channels, ', '), s.total, s.done, s.delivered,"         \
    " s.failed, s.skipped, s.replied, count(*) OVER ()"                                                        \
    " FROM campaigns k, LATERAL (SELECT coalesce(sum(m.n), 0)::bigint AS total,"                               \
    "  coalesce(sum(m.n) FILTER (WHERE m.state <> 'queued'), 0)::bigint AS done,"                              \
    "  coalesce(sum(m.n) FILTER (WHERE m.state = 'delivered'), 0)::bigint AS delivered,"                       \
    "  coalesce(sum(m.n) FILTER (WHERE m.state = 'failed'), 0)::bigint AS failed,"                             \
    "  coalesce(sum(m.n) FILTER (WHERE m.state = 'skipped'), 0)::bigint AS skipped,"                           \
    "  coalesce(sum(m.replied), 0)::bigint AS replied"                                                          \
    "  FROM campaign_message_counts m WHERE m.org_id = app_org_id() AND m.campaign_id = k.id) s"               \
    " WHERE k.org_id = app_org_id() AND k.status IN ('scheduled', 'running', 'paused')"                        \
    " ORDER BY k.launched_at DESC NULLS LAST, k.id LIMIT 5"

/* The campaigns card: each campaign's share of messages settled (anything but queued),
 * as a number and a bar, with what went wrong. */
static void fill_campaigns(struct tdict *d, const struct dbres *q)
{
    int n = db_rows(q);
    if (n == 0) {
        tdict_show(d, "NO_CAMPAIGNS");
        return;
    }
    for (int i = 0; i < n; i++) {
        struct tdict *c = tdict_add_section(d, "CAMPAIGN");
        tdict_set(c, "ID", db_val(q, i, OC_ID));
        tdict_set(c, "NAME", db_val(q, i, OC_NAME));
        tdict_set(c, "STATUS", db_val(q, i, OC_STATUS));
        tdict_set(c, "CHANNELS", db_val(q, i, OC_CHANNELS));
        long total = db_long(q, i, OC_TOTAL), done = db_long(q, i, OC_DONE);
        tdict_set_long(c, "TOTAL", total);
        tdict_set_long(c, "DONE", done);
        tdict_set_long(c, "PERCENT", total ? done * 100 / total : 0);
        tdict_set_long(c, "DELIVERED", db_long(q, i, OC_DELIVERED));
        tdict_set_long(c, "FAILED", db_long(q, i, OC_FAILED));
        tdict_set_long(c, "SKIPPED", db_long(q, i, OC_SKIPPED));
        tdict_set_long(c, "REPLIED", db_long(q, i, OC_REPLIED));
    }
    long active = db_long(q, 0, OC_ACTIVE);
    if (active > n) tdict_set_long(tdict_add_section(d, "MORE_CAMPAIGNS"), "MORE", active - n);
}

/* Reads the figures: the org's clock and rates first, since every sum converts as of
 * today into the org currency. */
static int deal_figures_read(struct request *r, struct dbres *const *res, struct deal_figures *f)
{
    struct org_clock c;
    int st = org_clock_read(res[OQ_CLOCK], &c);
    if (st) return st;
    f->org = money_currency(c.currency);
    if (!f->org) f->org = money_currency(STR("USD")); /* orgs.currency predates the deals' currency domain */
    f->today = c.today;
    org_fx_rates_read(r, res[OQ_RATES], f->org, &f->rates, &f->n_rates);
    const struct dbres *q = res[OQ_DEALS];
    for (int i = 0; i < db_rows(q); i++) figures_add(f, q, i);
    return 0;
}

/* The few items behind the payment and deliverable figures, each linking to its deal.
 * Today and the week's end are scalar subqueries, so they bound the payments index
 * scan (joined from a CTE they were only a filter: the scan read every open payment). */
enum { OI_KIND, OI_DEAL_ID, OI_TITLE, OI_WHAT /* currency or platform */, OI_AMOUNT /* or type */, OI_WHEN };
#define OVERVIEW_ITEMS_SQL                                                                                  \
    "WITH o AS (SELECT (now() AT TIME ZONE timezone)::date AS today FROM orgs WHERE id = app_org_id()),"     \
    " w AS (SELECT today, today + (7 - extract(isodow FROM today))::int AS week_end FROM o)"                 \
    " (SELECT 'overdue', p.deal_id, d.title, p.currency, (p.amount_minor - p.paid_minor)::text,"            \
    "  p.expected_at::text FROM payments p JOIN deals d ON d.org_id = app_org_id() AND d.id = p.deal_id"   \
    "  AND d.deleted_at IS NULL"                                                                            \
    "  WHERE p.org_id = app_org_id() AND p.status <> 'paid' AND p.deleted_at IS NULL"                       \
    "  AND p.expected_at < (SELECT today FROM w) AND p.paid_minor < p.amount_minor"                         \
    "  ORDER BY p.expected_at, p.id LIMIT 5)"                                                                \
    " UNION ALL (SELECT 'due_week', p.deal_id, d.title, p.currency, (p.amount_minor - p.paid_minor)::text," \
    "  p.expected_at::text FROM payments p JOIN deals d ON d.org_id = app_org_id() AND d.id = p.deal_id"   \
    "  AND d.deleted_at IS NULL"                                                                            \
    "  WHERE p.org_id = app_org_id() AND p.status <> 'paid' AND p.deleted_at IS NULL"                       \
    "  AND p.expected_at BETWEEN (SELECT today FROM w) AND (SELECT week_end FROM w)"                        \
    "  AND p.paid_minor < p.amount_minor ORDER BY p.expected_at, p.id LIMIT 5)"                              \
    " UNION ALL (SELECT 'late', v.deal_id, d.title, v.platform, v.type,"                                     \
    "  replace(deal_local_text(" DELIVERABLE_DUE "), 'T', ' ') FROM deliverables v"                                \
    "  JOIN deals d ON d.org_id = app_org_id() AND d.id = v.deal_id AND d.deleted_at IS NULL"               \
    "  WHERE v.org_id = app_org_id()"                                                                        \
    "  AND v.posted_at IS NULL AND v.deleted_at IS NULL AND " DELIVERABLE_DUE " < now()"                         \
    "  ORDER BY " DELIVERABLE_DUE ", v.id LIMIT 5)"

static void fill_deal_items(struct request *r, struct tdict *d, const struct dbres *q)
{
    for (int i = 0; i < db_rows(q); i++) {
        str kind = db_val(q, i, OI_KIND);
        const char *section = str_eq_cstr(kind, "overdue") ? "OVERDUE_ITEM" : str_eq_cstr(kind, "late") ? "LATE_ITEM" : "DUE_ITEM";
        struct tdict *it = tdict_add_section(d, section);
        tdict_set(it, "DEAL_ID", db_val(q, i, OI_DEAL_ID));
        tdict_set(it, "DEAL_TITLE", db_val(q, i, OI_TITLE));
        tdict_set(it, "WHEN", db_val(q, i, OI_WHEN));
        /* Payments show their outstanding amount; deliverables their platform and type. */
        const struct currency *cur = money_currency(str_trim(db_val(q, i, OI_WHAT)));
        struct buf b;
        buf_init(&b, r->arena, 24);
        if (cur) money_format_display(&b, db_long(q, i, OI_AMOUNT), cur);
        else buf_printf(&b, "%.*s %.*s", STR_FMT(db_val(q, i, OI_WHAT)), STR_FMT(db_val(q, i, OI_AMOUNT)));
        tdict_set(it, "WHAT", buf_str(&b));
    }
}

/* Pipeline rows link to /deals?stage=…; payment and deliverable items link to their deal. */
static int fill_deals(struct request *r, struct tdict *d, struct dbres *const *res)
{
    struct deal_figures f = { 0 };
    int st = deal_figures_read(r, res, &f);
    if (st) return st;
    for (int s = 0; s < DEAL_STAGE_COUNT; s++) {
        struct tdict *row = tdict_add_section(d, "STAGE");
        tdict_set_cstr(row, "STAGE", deal_stage_name((enum deal_stage)s));
        tdict_set_cstr(row, "STAGE_LABEL", deal_stage_label((enum deal_stage)s));
        tdict_set_long(row, "COUNT", f.stage_count[s]);
        tdict_set(row, "VALUE", money_total_text(r, &f.stage_value[s], f.org));
    }
    tdict_set_cstr(d, "ORG_CURRENCY", f.org->code);
    tdict_set_long(d, "DUE_COUNT", f.due_count);
    tdict_set(d, "DUE_VALUE", money_total_text(r, &f.due, f.org));
    tdict_set_long(d, "OVERDUE_COUNT", f.overdue_count);
    tdict_set(d, "OVERDUE_VALUE", money_total_text(r, &f.overdue, f.org));
    tdict_set_long(d, "LATE_COUNT", f.late_count);
    tdict_set(d, "WEEK_END", f.week_end);
    fill_deal_items(r, d, res[OQ_ITEMS]);
    return 0;
}

/*
 * GET / — the overview: the org, the user's role, today's date in the org's time zone
 * today's calls and the deal figures.
 */
int overview_show(struct request *r)
{
    struct db_stmt stmts[OQ_COUNT] = {
        [OQ_TODAY_CALLS] = { "overview_today_calls", OVERVIEW_TODAY_SQL, 0, NULL },
        [OQ_CLOCK] = org_clock_stmt(),
        [OQ_RATES] = org_fx_rates_all_stmt(),
        [OQ_DEALS] = { "overview_deal_figures", OVERVIEW_DEALS_SQL, 0, NULL },
        [OQ_ITEMS] = { "overview_deal_items", OVERVIEW_ITEMS_SQL, 0, NULL },
        [OQ_CAMPAIGNS] = { "overview_campaigns", OVERVIEW_CAMPAIGNS_SQL, 0, NULL },
        [OQ_ATTENTION] = { "overview_attention", OVERVIEW_ATTENTION_SQL, 0, NULL },
    };
    struct dbres *res[OQ_COUNT];
    if (db_exec_last(r->db, r->arena, OQ_COUNT, stmts, res) != 0) return app_db_status(r);
    struct dbres *today = res[OQ_TODAY_CALLS];
    if (db_rows(today) != 1) return 503; /* the session's org is gone */
    struct tdict *d = page_dict(r, "Overview", "overview.tpl");
    tdict_set(d, "ORG_NAME", r->session->org_name);
    tdict_set_cstr(d, "USER_ROLE", role_name(r->session->role));
    tdict_set_cstr(d, "ROLE_SUMMARY", role_summary(r->session->role));
    tdict_set(d, "ORG_TIMEZONE", r->session->org_timezone);
    tdict_set(d, "TODAY", db_val(today, 0, OT_TODAY_TEXT));
    fill_today_calls(r, d, today);
    fill_campaigns(d, res[OQ_CAMPAIGNS]);
    fill_attention(r, d, res[OQ_ATTENTION]);
    int st = fill_deals(r, d, res);
    if (st) return st;
    return page_render(r, 200, d);
}
