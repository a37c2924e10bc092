/* forecast.c — expected income per ISO week, overdue apart, in the org currency. */
#include "forecast.h"

#include "../core/arena.h"
#include "civil_date.h"

static bool add_checked(int64_t *sum, int64_t v)
{
    if (v > 0 && *sum > INT64_MAX - v) return false;
    *sum += v;
    return true;
}

static void make_weeks(struct arena *a, struct forecast *f)
{
    int64_t first = civil_week_start(f->today);
    int64_t last = civil_week_start(f->today + f->horizon_days - 1);
    f->n_weeks = (size_t)((last - first) / 7 + 1);
    f->weeks = arena_calloc(a, f->n_weeks, sizeof *f->weeks);
    for (size_t i = 0; i < f->n_weeks; i++) {
        struct forecast_week *w = &f->weeks[i];
        w->start_day = first + 7 * (int64_t)i;
        civil_iso_week(w->start_day, &w->iso_year, &w->iso_week);
    }
}

/* What one bucket (a week, or overdue) holds in one currency before conversion. */
struct cur_sum {
    const struct currency *currency;
    int64_t owed_minor;
    unsigned count;
};

/* The slot of `cur` among the bucket's currencies, added when new (at most n_max). */
static struct cur_sum *cur_slot(struct cur_sum *sums, size_t *n, const struct currency *cur)
{
    for (size_t i = 0; i < *n; i++)
        if (sums[i].currency == cur) return &sums[i];
    sums[*n] = (struct cur_sum){ .currency = cur };
    return &sums[(*n)++];
}

/* Converts each currency's sum once and adds it to *total; a currency without a rate
 * counts as unconverted. */
static bool convert_sums(const struct cur_sum *sums, size_t n, const struct fx_rate *rates, size_t n_rates,
                         struct forecast *f, int64_t *total, unsigned *count)
{
    for (size_t i = 0; i < n; i++) {
        struct fx_result fx;
        if (!sums[i].currency ||
            !fx_convert_with(rates, n_rates, sums[i].owed_minor, sums[i].currency, f->org_currency, f->today, &fx)) {
            f->unconverted_count += sums[i].count;
            continue;
        }
        if (!add_checked(total, fx.amount_minor)) return false;
        *count += sums[i].count;
    }
    return true;
}

bool forecast_build(struct arena *a, const struct forecast_payment *payments, size_t n,
                    int64_t today, unsigned horizon_days, const struct currency *org_currency,
                    const struct fx_rate *rates, size_t n_rates, struct forecast *out)
{
    if (horizon_days < 1 || horizon_days > 366) return false;
    *out = (struct forecast){ .today = today, .horizon_days = horizon_days, .org_currency = org_currency };
    make_weeks(a, out);
    int64_t first_monday = out->weeks[0].start_day;
    /* Buckets 0..n_weeks-1 are the weeks, n_weeks is overdue; each has room for as
     * many currencies as there are payments. */
    size_t n_buckets = out->n_weeks + 1;
    struct cur_sum *sums = arena_calloc(a, n_buckets * (n ? n : 1), sizeof *sums);
    size_t *n_sums = arena_calloc(a, n_buckets, sizeof *n_sums);
    for (size_t i = 0; i < n; i++) {
        const struct forecast_payment *p = &payments[i];
        int64_t owed = p->amount_minor - p->paid_minor;
        if (owed <= 0) continue;
        if (!p->has_expected) {
            out->undated_count += p->count;
            continue;
        }
        if (p->expected_day >= today + horizon_days) {
            out->later_count += p->count;
            continue;
        }
        size_t b = p->expected_day < today ? out->n_weeks : (size_t)((p->expected_day - first_monday) / 7);
        struct cur_sum *s = cur_slot(sums + b * n, &n_sums[b], p->currency);
        if (!add_checked(&s->owed_minor, owed)) return false;
        s->count += p->count;
    }
    for (size_t b = 0; b < out->n_weeks; b++) {
        struct forecast_week *w = &out->weeks[b];
        if (!convert_sums(sums + b * n, n_sums[b], rates, n_rates, out, &w->amount_org_minor, &w->count) ||
            !add_checked(&out->upcoming_org_minor, w->amount_org_minor))
            return false;
    }
    return convert_sums(sums + out->n_weeks * n, n_sums[out->n_weeks], rates, n_rates, out,
                        &out->overdue_org_minor, &out->overdue_count);
}
