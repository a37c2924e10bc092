/* money_total.h — sums of amounts in several currencies, shown in the org's: the
 * org's FX rates, read once, and a total that keeps apart what has no rate. */
#ifndef SB_MONEY_TOTAL_H
#define SB_MONEY_TOTAL_H
#include <stddef.h>
#include <stdint.h>
#include "../../core/str.h"
struct request;
struct fx_rate;
struct currency;
struct db_stmt;
struct dbres;

/* Every rate into the org currency (the quote), for fx_convert_with/forecast_build.
 * Returns 0 and an arena array in *rates (n may be 0), or an HTTP status. */
int org_fx_rates_load(struct request *r, const struct currency *org, struct fx_rate **rates, size_t *n);
/* The same in two halves, for a page that sends it before it knows the org currency
 * (in one round trip with its other statements): every rate of the org, and reading
 * the ones into org from the answer. */
struct db_stmt org_fx_rates_all_stmt(void);
void org_fx_rates_read(struct request *r, const struct dbres *q, const struct currency *org, struct fx_rate **rates,
                       size_t *n);

/* A sum of amounts in the org currency, with what could not be converted kept per currency. */
#define MONEY_TOTAL_OTHERS 8
struct money_total {
    int64_t org_minor;
    size_t n_other;
    const struct currency *other_cur[MONEY_TOTAL_OTHERS];
    int64_t other_minor[MONEY_TOTAL_OTHERS];
};
/* Adds minor units of cur, converted with the latest rate on or before day when it is
 * not the org currency; without a rate the amount is kept apart in its own currency. */
void money_total_add(struct money_total *t, const struct fx_rate *rates, size_t n, int64_t day,
                     const struct currency *org, const struct currency *cur, int64_t minor);
/* "$1,250.00", or "$1,250.00 + €40.00 (no rate)" when some of it is unconverted. */
str money_total_text(struct request *r, const struct money_total *t, const struct currency *org);
#endif
