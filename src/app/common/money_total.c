/* money_total.c — the org's FX rates and multi-currency totals. */
#include "money_total.h"

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../../domain/fx.h"
#include "../../domain/money.h"
#include "../app.h"

enum fx_rate_col { FX_BASE, FX_RATE, FX_AS_OF, FX_QUOTE };

/* Keeps the rows whose quote is org (every row when the statement asked for org's only). */
static void rates_read(struct request *r, const struct dbres *q, const struct currency *org, bool filter,
                       struct fx_rate **rates, size_t *n)
{
    *rates = arena_alloc(r->arena, sizeof **rates * (size_t)(db_rows(q) + 1));
    *n = 0;
    for (int i = 0; i < db_rows(q); i++) {
        if (filter && !str_eq_cstr(str_trim(db_val(q, i, FX_QUOTE)), org->code)) continue;
        struct fx_rate *x = &(*rates)[*n];
        x->base = money_currency(str_trim(db_val(q, i, FX_BASE)));
        x->quote = org;
        if (x->base && fx_rate_parse(db_val(q, i, FX_RATE), &x->rate_e8) && civil_parse_date(db_val(q, i, FX_AS_OF), &x->as_of_day))
            (*n)++;
    }
}

int org_fx_rates_load(struct request *r, const struct currency *org, struct fx_rate **rates, size_t *n)
{
    *rates = NULL;
    *n = 0;
    struct dbres *q = db_q(r->db, r->arena, "org_fx_rates",
                           "SELECT base, rate::text, as_of::text FROM fx_rates WHERE org_id = app_org_id() AND quote = $1",
                           org->code);
    if (!q) return app_db_status(r);
    rates_read(r, q, org, false, rates, n);
    return 0;
}

struct db_stmt org_fx_rates_all_stmt(void)
{
    return (struct db_stmt){ "org_fx_rates_all",
                             "SELECT base, rate::text, as_of::text, quote FROM fx_rates WHERE org_id = app_org_id()",
                             0, NULL };
}

void org_fx_rates_read(struct request *r, const struct dbres *q, const struct currency *org, struct fx_rate **rates,
                       size_t *n)
{
    rates_read(r, q, org, true, rates, n);
}

void money_total_add(struct money_total *t, const struct fx_rate *rates, size_t n, int64_t day,
                     const struct currency *org, const struct currency *cur, int64_t minor)
{
    struct fx_result res;
    if (cur && fx_convert_with(rates, n, minor, cur, org, day, &res)) {
        t->org_minor += res.amount_minor;
        return;
    }
    for (size_t i = 0; i < t->n_other; i++)
        if (t->other_cur[i] == cur) {
            t->other_minor[i] += minor;
            return;
        }
    if (t->n_other < MONEY_TOTAL_OTHERS) {
        t->other_cur[t->n_other] = cur;
        t->other_minor[t->n_other++] = minor;
    }
}

str money_total_text(struct request *r, const struct money_total *t, const struct currency *org)
{
    struct buf b;
    buf_init(&b, r->arena, 48);
    money_format_display(&b, t->org_minor, org);
    for (size_t i = 0; i < t->n_other; i++) {
        if (!t->other_cur[i]) continue;
        buf_puts(&b, " + ");
        money_format_display(&b, t->other_minor[i], t->other_cur[i]);
    }
    if (t->n_other) buf_puts(&b, " (no rate)");
    return buf_str(&b);
}
