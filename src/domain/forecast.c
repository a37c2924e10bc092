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

bool forecast_build(struct arena *a, const struct forecast_payment *payments, size_t n,
                    int64_t today, unsigned horizon_days, const struct currency *org_currency,
                    const struct fx_rate *rates, size_t n_rates, struct forecast *out)
{
    if (horizon_days < 1 || horizon_days > 366) return false;
    *out = (struct forecast){ .today = today, .horizon_days = horizon_days, .org_currency = org_currency };
    make_weeks(a, out);
    int64_t first_monday = out->weeks[0].start_day;
    for (size_t i = 0; i < n; i++) {
        const struct forecast_payment *p = &payments[i];
        int64_t owed = p->amount_minor - p->paid_minor;
        if (owed <= 0) continue;
        if (!p->has_expected) {
            out->undated_count++;
            continue;
        }
        if (p->expected_day >= today + horizon_days) {
            out->later_count++;
            continue;
        }
        struct fx_result fx;
        if (!fx_convert_with(rates, n_rates, owed, p->currency, org_currency, today, &fx)) {
            out->unconverted_count++;
            continue;
        }
        if (p->expected_day < today) {
            if (!add_checked(&out->overdue_org_minor, fx.amount_minor)) return false;
            out->overdue_count++;
            continue;
        }
        struct forecast_week *w = &out->weeks[(p->expected_day - first_monday) / 7];
        if (!add_checked(&w->amount_org_minor, fx.amount_minor) ||
            !add_checked(&out->upcoming_org_minor, fx.amount_minor))
            return false;
        w->count++;
    }
    return true;
}
