/* benchmarks.c — rate benchmarks for the deal form. A deal's value is spread evenly
 * over its live deliverables (the sum of their quantities): one value per deliverable
 * per deal. For a type and platform, the sample is the org's live deals created in
 * the last 12 months, in one currency (no conversion: a benchmark in the currency
 * being typed), with a positive value and at least one such deliverable. The
 * figures are percentile_cont's 25th, 50th and 75th percentiles, rounded to minor
 * units. sql/0045's index finds the deals with such a deliverable. */
#include "benchmarks.h"

#include <json-c/json.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/money.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "deals.h"

static const char *const platforms[] = { "instagram", "youtube", "tiktok", "other" };
static const char *const types[] = { "post", "reel", "story", "short", "video", "live", "other" };
static const char *const currencies[] = { "USD", "EUR", "GBP", "INR" };

enum bench_col { BM_COUNT, BM_P25, BM_MEDIAN, BM_P75 };
#define BENCHMARK_SQL                                                                                           \
    "WITH hit AS (SELECT DISTINCT deal_id FROM deliverables WHERE org_id = app_org_id() AND deleted_at IS NULL" \
    "   AND type = $1 AND platform = $2),"                                                                      \
    " unit AS (SELECT d.value_minor::float8 / (SELECT sum(v.quantity) FROM deliverables v"                      \
    "   WHERE v.org_id = d.org_id AND v.deal_id = d.id AND v.deleted_at IS NULL) AS minor"                      \
    "   FROM hit JOIN deals d ON d.id = hit.deal_id AND d.org_id = app_org_id()"                                \
    "   WHERE d.deleted_at IS NULL AND d.currency = $3 AND d.value_minor > 0"                                   \
    "   AND d.created_at >= now() - interval '12 months')"                                                      \
    " SELECT count(*), round(percentile_cont(0.25) WITHIN GROUP (ORDER BY minor))::bigint,"                     \
    " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY minor))::bigint,"                                       \
    " round(percentile_cont(0.75) WITHIN GROUP (ORDER BY minor))::bigint FROM unit"

struct benchmark {
    str type, platform, currency;
    long count;
    str p25, median, p75; /* minor units; empty when count is 0 */
};

static int benchmark_load(struct request *r, struct benchmark *b)
{
    struct arena *a = r->arena;
    struct dbres *res = db_q(r->db, a, "deal_benchmark", BENCHMARK_SQL, str_cstr(a, b->type), str_cstr(a, b->platform),
                             str_cstr(a, b->currency));
    if (!res || db_rows(res) != 1) return app_db_status(r);
    b->count = db_long(res, 0, BM_COUNT);
    b->p25 = db_val(res, 0, BM_P25);
    b->median = db_val(res, 0, BM_MEDIAN);
    b->p75 = db_val(res, 0, BM_P75);
    return 0;
}

static str org_currency(struct request *r)
{
    struct dbres *c = db_q0(r->db, r->arena, "deal_org_currency", "SELECT currency FROM orgs WHERE id = app_org_id()");
    return c && db_rows(c) == 1 ? str_trim(db_val(c, 0, 0)) : STR("USD");
}

/* A query value of set, or dflt when absent or not one of them. */
static str choice(struct request *r, const char *key, const char *const *set, size_t n, const char *dflt)
{
    const str *v = kvlist_get(&r->query, key);
    return v && input_one_of(str_trim(*v), set, n) ? str_trim(*v) : str_from(dflt);
}

static str money_text(struct arena *a, str minor, str currency)
{
    long v;
    const struct currency *c = money_currency(currency);
    if (!minor.len || !c || !str_to_long(minor, &v)) return STR("—");
    struct buf b;
    buf_init(&b, a, 32);
    money_format_display(&b, v, c);
    return buf_str(&b);
}

int deal_benchmark_fill(struct request *r, struct tdict *t, str currency)
{
    struct benchmark b = { .type = choice(r, "bench_type", types, 7, "post"),
                           .platform = choice(r, "bench_platform", platforms, 4, "instagram"),
                           .currency = input_one_of(currency, currencies, 4) ? currency : org_currency(r) };
    int st = benchmark_load(r, &b);
    if (st) return st;
    struct tdict *d = tdict_include(t, "BENCHMARK", "deals/benchmark.tpl");
    form_options(d, "BT_OPT", types, 7, b.type);
    form_options(d, "BP_OPT", platforms, 4, b.platform);
    tdict_set(d, "B_CURRENCY", b.currency);
    tdict_set(d, "B_TYPE", b.type);
    tdict_set(d, "B_PLATFORM", b.platform);
    tdict_set_long(d, "B_COUNT", b.count);
    tdict_set_cstr(d, "B_DEALS", b.count == 1 ? "deal" : "deals");
    if (!b.count) {
        tdict_show(d, "B_NONE");
        return 0;
    }
    struct tdict *s = tdict_add_section(d, "B_SOME");
    tdict_set(s, "B_MEDIAN", money_text(r->arena, b.median, b.currency));
    tdict_set(s, "B_P25", money_text(r->arena, b.p25, b.currency));
    tdict_set(s, "B_P75", money_text(r->arena, b.p75, b.currency));
    return 0;
}

static void add_minor(struct json_object *o, const char *key, str v)
{
    long n;
    if (v.len && str_to_long(v, &n)) json_add_long(o, key, n);
    else json_object_object_add(o, key, NULL);
}

/* GET /api/v1/deals/benchmarks?type=&platform=&currency= (viewer+) — a deliverable's
 * type and platform (defaults: post on instagram, as on the form), the currency
 * (default: the org's); 400 with a message per field for other values. {"data":
 * {type, platform, currency, count, p25_minor, median_minor, p75_minor}}; the
 * figures are null when count is 0. */
int api_deal_benchmarks(struct request *r)
{
    struct field_errors e = { 0 };
    const str *t = kvlist_get(&r->query, "type"), *p = kvlist_get(&r->query, "platform");
    const str *c = kvlist_get(&r->query, "currency");
    if (t && !input_one_of(str_trim(*t), types, 7)) field_error_add(&e, "type", "must be a deliverable type: post, reel, story, short, video, live or other");
    if (p && !input_one_of(str_trim(*p), platforms, 4)) field_error_add(&e, "platform", "must be instagram, youtube, tiktok or other");
    if (c && c->len && !input_one_of(str_trim(*c), currencies, 4)) field_error_add(&e, "currency", "must be USD, EUR, GBP or INR");
    if (field_errors_any(&e)) return field_errors_reply(r, "Some parameters are not valid.", &e, NULL, NULL);
    struct benchmark b = { .type = t ? str_trim(*t) : STR("post"), .platform = p ? str_trim(*p) : STR("instagram"),
                           .currency = c && c->len ? str_trim(*c) : org_currency(r) };
    int st = benchmark_load(r, &b);
    if (st) return st;
    struct json_object *o = json_object_new_object();
    json_add_str(o, "type", b.type);
    json_add_str(o, "platform", b.platform);
    json_add_str(o, "currency", b.currency);
    json_add_long(o, "count", b.count);
    add_minor(o, "p25_minor", b.p25);
    add_minor(o, "median_minor", b.median);
    add_minor(o, "p75_minor", b.p75);
    if (b.count) {
        json_add_str(o, "median_display", money_text(r->arena, b.median, b.currency));
        json_add_str(o, "p25_display", money_text(r->arena, b.p25, b.currency));
        json_add_str(o, "p75_display", money_text(r->arena, b.p75, b.currency));
    }
    json_reply_data(r, 200, o);
    return 0;
}
