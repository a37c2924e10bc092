/* seed_deals.c — the demo deals generator: every row drawn from one PRNG stream, so
 * the same seed and size give the same ids and values; COPY into four tables. */
#include "seed_deals.h"

#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../db/db.h"
#include "../domain/civil_date.h"
#include "../domain/deal_stage.h"
#include "../domain/fx.h"
#include "../domain/money.h"
#include "../domain/risk.h"
#include "seed_gen.h"

enum { STREAM_DEALS = 4 }; /* after cli_seed.c's contacts (1), calls (2) and audio (3) */
#define DAY 86400

/* Rates into USD (8 decimals, as fx_rates stores them) and the sample currencies. */
static const struct {
    const char *code, *rate;
    int64_t rate_e8;
} fx[] = { { "EUR", "1.08000000", 108000000 }, { "GBP", "1.27000000", 127000000 }, { "INR", "0.01200000", 1200000 } };

static const char *const campaigns[] = { "spring launch", "holiday push", "product review", "unboxing series",
                                         "summer collab", "brand ambassador", "giveaway", "tutorial series" };
static const char *const platforms[] = { "instagram", "youtube", "tiktok" };
static const char *const dtypes[] = { "reel", "video", "short", "post", "story" };

struct gen {
    struct sg_rng rng;
    time_t anchor;
    int64_t today;
    const char *org_id, *owners[3];
    struct arena *a;
    struct buf brands, deals, deliverables, payments;
};

struct deal_facts {
    char id[SG_UUID_LEN + 1];
    enum deal_stage stage;
    const char *currency;
    int64_t value;
    unsigned late, overdue, disputed;
};

static void put_date(struct buf *b, int64_t day) { civil_format_date(b, day); }

/* One brand row: id, org_id, name, aliases, contacts, notes. */
static void gen_brand(struct gen *g, long i, char *id)
{
    sg_uuid(&g->rng, id);
    const char *company = sg_company(&g->rng);
    buf_printf(&g->brands, "%s\t%s\t%s %ld\t{}\t[{\"name\": \"%s %s\", \"email\": \"partners@brand%ld.example\"}]\t"
               "Demo brand.\n", id, g->org_id, company, i + 1, sg_first_name(&g->rng), sg_last_name(&g->rng), i + 1);
}

/* Deliverables: after contracting, 1-3; posted once delivered, else scheduled around
 * today so some are late and some due soon. */
static void gen_deliverables(struct gen *g, struct deal_facts *f)
{
    if (f->stage < DEAL_STAGE_CONTRACTED || f->stage == DEAL_STAGE_LOST) return;
    int n = 1 + (int)sg_below(&g->rng, 3);
    for (int k = 0; k < n; k++) {
        char id[SG_UUID_LEN + 1];
        sg_uuid(&g->rng, id);
        time_t at = g->anchor + (time_t)((long)sg_below(&g->rng, 30 * 24) - 10 * 24) * 3600;
        bool posted = f->stage >= DEAL_STAGE_DELIVERED;
        if (!posted && at < g->anchor) f->late++;
        buf_printf(&g->deliverables, "%s\t%s\t%s\t%s\t%s\t1\t", id, g->org_id, f->id,
                   platforms[sg_below(&g->rng, 3)], dtypes[sg_below(&g->rng, 5)]);
        sg_put_time(&g->deliverables, at);
        buf_putc(&g->deliverables, '\t');
        if (posted) {
            sg_put_time(&g->deliverables, at + 3600);
            buf_printf(&g->deliverables, "\thttps://social.example/p/%s\tapproved\n", id);
        } else {
            buf_puts(&g->deliverables, "\\N\t\\N\tpending_submission\n");
        }
    }
}

/* The conversion columns: into USD with the rate of 60 days ago (seeded below), as
 * payments.c records it (fx_convert, half to even); NULLs for USD itself. */
static void put_fx(struct gen *g, struct buf *b, const char *code, int64_t amount)
{
    for (size_t i = 0; i < sizeof fx / sizeof fx[0]; i++) {
        struct fx_rate rate = { .base = money_currency(str_from(code)), .quote = money_currency(STR("USD")),
                                .rate_e8 = fx[i].rate_e8, .as_of_day = g->today - 60 };
        struct fx_result res;
        if (strcmp(fx[i].code, code) != 0 || !fx_convert(&rate, amount, &res)) continue;
        buf_printf(b, "\t%s\t", fx[i].rate);
        put_date(b, rate.as_of_day);
        buf_printf(b, "\tUSD\t%lld", (long long)res.amount_minor);
        return;
    }
    buf_puts(b, "\t\\N\t\\N\t\\N\t\\N");
}

/* One payment: status as payment_status.c would store it at seeding time. */
static void gen_payment(struct gen *g, struct deal_facts *f, const char *kind, int64_t amount)
{
    char id[SG_UUID_LEN + 1];
    sg_uuid(&g->rng, id);
    int64_t expected = g->today + (int64_t)sg_below(&g->rng, 60) - 20;
    int64_t paid = 0;
    bool paid_full = f->stage == DEAL_STAGE_PAID, dispute = false;
    if (f->stage == DEAL_STAGE_INVOICED) {
        unsigned pick = (unsigned)sg_below(&g->rng, 5);
        if (pick == 0) paid = amount / 2;
        dispute = pick == 1;
    }
    if (paid_full) {
        paid = amount;
        expected = g->today - 5 - (int64_t)sg_below(&g->rng, 40);
    }
    const char *status = paid >= amount ? "paid" : paid > 0 ? "partial" : expected < g->today ? "overdue"
                       : f->stage == DEAL_STAGE_INVOICED ? "sent" : "expected";
    if (paid < amount && expected < g->today) f->overdue++;
    if (dispute) f->disputed++;
    struct buf *b = &g->payments;
    buf_printf(b, "%s\t%s\t%s\t%s\t%lld\t%s\t", id, g->org_id, f->id, kind, (long long)amount, f->currency);
    put_date(b, expected);
    buf_printf(b, "\t%s\t%lld\t", status, (long long)paid);
    if (paid) sg_put_time(b, (time_t)(expected + (int64_t)sg_below(&g->rng, 12) - 2) * DAY + 15 * 3600);
    else buf_puts(b, "\\N");
    buf_putc(b, '\t');
    if (f->stage == DEAL_STAGE_INVOICED || paid_full) sg_put_time(b, (time_t)(expected - 14) * DAY);
    else buf_puts(b, "\\N");
    put_fx(g, b, f->currency, amount);
    buf_printf(b, "\t%s\t%s\t", dispute ? "t" : "f", dispute ? "Amount short of the contract" : "\\N");
    if (dispute) sg_put_time(b, g->anchor - 3 * DAY);
    else buf_puts(b, "\\N");
    buf_putc(b, '\n');
}

static void gen_payments(struct gen *g, struct deal_facts *f)
{
    if (f->stage < DEAL_STAGE_CONTRACTED || f->stage == DEAL_STAGE_LOST) return;
    if (sg_chance(&g->rng, 0.5)) {
        gen_payment(g, f, "deposit", f->value / 2);
        gen_payment(g, f, "final", f->value - f->value / 2);
    } else {
        gen_payment(g, f, "final", f->value);
    }
}

/* The deal row, with its risk scored by risk.c from what its children turned out to be. */
static void put_deal(struct gen *g, const struct deal_facts *f, const char *brand_id, long i, int revisions)
{
    bool signed_ = f->stage >= DEAL_STAGE_CONTRACTED && f->stage != DEAL_STAGE_LOST;
    struct risk_input in = { .stage = f->stage, .contract_signed = signed_, .overdue_payments = f->overdue,
                             .disputed_payments = f->disputed, .late_deliverables = f->late,
                             .has_revision_limit = true, .revision_limit = 2, .revisions_used = revisions,
                             .now = g->anchor };
    struct risk_result res;
    risk_assess(g->a, &in, &res);
    const char *owner = g->owners[i % 3];
    struct buf *b = &g->deals;
    buf_printf(b, "%s\t%s\t%s %s\t%s\t%s\t%s\t%s\t%lld\t%s\t2\t%d\t%s\t{", f->id, g->org_id,
               sg_company(&g->rng), campaigns[sg_below(&g->rng, 8)], brand_id, owner ? owner : "\\N",
               deal_stage_name(f->stage), signed_ ? "signed" : "none", (long long)f->value, f->currency, revisions,
               risk_level_name(res.level));
    for (size_t k = 0; k < res.n_reasons; k++) {
        buf_puts(b, k ? ",\"" : "\"");
        buf_put(b, res.reasons[k].text);
        buf_putc(b, '"');
    }
    buf_puts(b, "}\t{demo}\n");
}

static void gen_deal(struct gen *g, long i, const char *brand_id)
{
    struct deal_facts f = { .stage = (enum deal_stage)(i % DEAL_STAGE_COUNT) };
    sg_uuid(&g->rng, f.id);
    unsigned cur = (unsigned)sg_below(&g->rng, 10);
    f.currency = cur < 7 ? "USD" : fx[cur - 7].code;
    f.value = (int64_t)(500 + sg_below(&g->rng, 49500)) * 100;
    int revisions = (int)sg_below(&g->rng, 5);
    gen_deliverables(g, &f);
    gen_payments(g, &f);
    put_deal(g, &f, brand_id, i, revisions);
}

static int copy(struct db *db, const char *sql, const struct buf *rows)
{
    if (db_copy_begin(db, sql) != 0) return -1;
    int rc = rows->len ? db_copy_put(db, rows->data, rows->len) : 0;
    return db_copy_end(db) == 0 ? rc : -1;
}

/* Deletes what an earlier run generated: deals tagged demo (children cascade), their
 * history, brands left without deals that the seed made, and the seeded rates. */
static int delete_previous(struct db *db, struct arena *a, const char *org)
{
    return db_q(db, a, "seed_deals_history", "DELETE FROM deal_history WHERE org_id = $1 AND deal_id IN"
                " (SELECT id FROM deals WHERE org_id = $1 AND tags @> '{demo}')", org) &&
                   db_q(db, a, "seed_deals_delete", "DELETE FROM deals WHERE org_id = $1 AND tags @> '{demo}'", org) &&
                   db_q(db, a, "seed_deals_brands", "DELETE FROM brands b WHERE org_id = $1 AND notes = 'Demo brand.'"
                        " AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.brand_id = b.id)", org) &&
                   db_q(db, a, "seed_deals_fx", "DELETE FROM fx_rates WHERE org_id = $1 AND source = 'demo-seed'", org)
               ? 0 : -1;
}

static void owners_load(struct db *db, struct gen *g)
{
    struct dbres *q = db_q(db, g->a, "seed_deals_owners",
                           "SELECT (SELECT id::text FROM users WHERE org_id = $1 AND email = 'manager@demo.test'),"
                           " (SELECT id::text FROM users WHERE org_id = $1 AND email = 'agent@demo.test')", g->org_id);
    g->owners[0] = q && !db_isnull(q, 0, 0) ? db_cstr(q, 0, 0) : NULL;
    g->owners[1] = q && !db_isnull(q, 0, 1) ? db_cstr(q, 0, 1) : NULL;
    g->owners[2] = NULL;
}

static void gen_rates(struct gen *g, struct buf *rows)
{
    for (size_t i = 0; i < sizeof fx / sizeof fx[0]; i++)
        for (int back = 60; back >= 30; back -= 30) {
            buf_printf(rows, "%s\t%s\tUSD\t%s\t", g->org_id, fx[i].code, fx[i].rate);
            put_date(rows, g->today - back);
            buf_puts(rows, "\tdemo-seed\n");
        }
}

int seed_deals(struct db *db, struct arena *a, const char *org_id, uint64_t seed, long n, time_t anchor)
{
    struct gen g = { .anchor = anchor, .today = civil_day_of(anchor, 0), .org_id = org_id, .a = a };
    sg_seed(&g.rng, seed, STREAM_DEALS);
    owners_load(db, &g);
    if (delete_previous(db, a, org_id) != 0) return -1;
    buf_init(&g.brands, a, 4096);
    buf_init(&g.deals, a, 4096);
    buf_init(&g.deliverables, a, 4096);
    buf_init(&g.payments, a, 4096);
    struct buf rates;
    buf_init(&rates, a, 512);
    long nbrands = n / 10 > 0 ? n / 10 : 1;
    char (*brand_ids)[SG_UUID_LEN + 1] = arena_alloc(a, (size_t)nbrands * sizeof *brand_ids);
    for (long i = 0; i < nbrands; i++) gen_brand(&g, i, brand_ids[i]);
    for (long i = 0; i < n; i++) gen_deal(&g, i, brand_ids[i % nbrands]);
    gen_rates(&g, &rates);
    if (n == 0) buf_clear(&g.brands);
    int rc = copy(db, "COPY brands (id, org_id, name, aliases, contacts, notes) FROM STDIN", &g.brands);
    if (!rc) rc = copy(db, "COPY deals (id, org_id, title, brand_id, owner_id, stage, contract_status, value_minor,"
                       " currency, revision_limit, revisions_used, risk_level, risk_reasons, tags) FROM STDIN", &g.deals);
    if (!rc) rc = copy(db, "COPY deliverables (id, org_id, deal_id, platform, type, quantity, scheduled_at, posted_at,"
                       " post_url, approval_status) FROM STDIN", &g.deliverables);
    if (!rc) rc = copy(db, "COPY payments (id, org_id, deal_id, kind, amount_minor, currency, expected_at, status,"
                       " paid_minor, paid_at, invoice_sent_at, fx_rate, fx_rate_date, org_currency, amount_org_minor,"
                       " disputed, dispute_reason, dispute_opened_at) FROM STDIN", &g.payments);
    if (!rc) rc = copy(db, "COPY fx_rates (org_id, base, quote, rate, as_of, source) FROM STDIN", &rates);
    return rc;
}
