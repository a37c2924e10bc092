/* forecast.h — cash-flow forecast: what is still owed, per ISO week over the next
 * N days (30/60/90 on the page), overdue apart, converted to the org currency. */
#ifndef SB_FORECAST_H
#define SB_FORECAST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fx.h"
#include "money.h"
struct arena;

/* One payment, or a group of `count` payments of one currency expected on one day (a
 * row of sql/0017's deal_open_payment_days, or the undated ones): amounts summed. */
struct forecast_payment {
    int64_t amount_minor;
    int64_t paid_minor;             /* only the remainder is forecast */
    const struct currency *currency;
    bool has_expected;
    int64_t expected_day;           /* civil day number */
    unsigned count;                 /* payments in the group */
};

struct forecast_week {
    int64_t iso_year;
    unsigned iso_week;
    int64_t start_day;              /* the Monday (may precede today in the first week) */
    int64_t amount_org_minor;
    unsigned count;
};

struct forecast {
    int64_t today;                  /* the org's today (civil day) */
    unsigned horizon_days;
    const struct currency *org_currency;
    struct forecast_week *weeks;    /* every ISO week touching [today, today+horizon) */
    size_t n_weeks;
    int64_t upcoming_org_minor;     /* sum of the weeks */
    int64_t overdue_org_minor;      /* expected before today, still owed */
    unsigned overdue_count;
    unsigned undated_count;         /* owed but with no expected date: not forecast */
    unsigned unconverted_count;     /* no rate to the org currency: left out, not guessed */
    unsigned later_count;           /* expected after the horizon */
};

/* Builds the forecast in the arena. Amounts owed (amount - paid > 0) expected in
 * [today, today + horizon_days) go to their ISO week, earlier ones to overdue. Each
 * bucket (a week, overdue) sums what is owed per currency first, then converts each
 * currency's sum once with the latest rate on or before today (fx_convert_with,
 * half-even): the figure is the exact amount owed, rounded once, rather than the sum of
 * each payment's rounding. Upcoming is the sum of the weeks, as shown. Returns false
 * for a horizon outside 1..366 or a sum overflow. */
bool forecast_build(struct arena *a, const struct forecast_payment *payments, size_t n,
                    int64_t today, unsigned horizon_days, const struct currency *org_currency,
                    const struct fx_rate *rates, size_t n_rates, struct forecast *out);
#endif
