/* fx.h — currency conversion with a rate held as an integer scaled by 10^8 (the
 * numeric(18,8) of fx_rates), rounding half to even; the result carries the rate and
 * its date so what was used is recorded with the converted amount. */
#ifndef SB_FX_H
#define SB_FX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../core/str.h"
#include "money.h"
struct buf;

#define FX_SCALE INT64_C(100000000) /* 8 decimals */

/* `rate_e8` / 10^8 units of quote for 1 unit of base, valid from as_of_day. Currencies
 * are compared by identity: use the pointers money_currency() returns. */
struct fx_rate {
    const struct currency *base;
    const struct currency *quote;
    int64_t rate_e8;
    int64_t as_of_day; /* civil day number (civil_date.h) */
};

struct fx_result {
    int64_t amount_minor;            /* in `to` */
    const struct currency *from, *to;
    int64_t rate_e8;                 /* the rate applied; FX_SCALE when from == to */
    int64_t rate_day;                /* the rate's date */
};

/* Parses a positive decimal rate ("83.12345678", "0.0119", "1") into rate × 10^8:
 * digits, optional '.', at most 8 decimals, no sign, no exponent, not zero.
 * Returns false (leaving *rate_e8 untouched) on anything else or overflow. */
bool fx_rate_parse(str text, int64_t *rate_e8);
/* Appends a rate with its trailing zeros dropped ("83.125", "1"). */
void fx_rate_format(struct buf *b, int64_t rate_e8);
/* Converts amount_minor of rate->base into rate->quote (minor units of each, so
 * exponents may differ), rounding half to even. Returns false on a non-positive
 * rate or a result beyond int64. */
bool fx_convert(const struct fx_rate *rate, int64_t amount_minor, struct fx_result *out);
/* The rate to convert `from` into `to` on `day`: the latest with as_of_day <= day
 * among rates (direct pairs only; load both directions). NULL if none. When from ==
 * to no rate is needed: use fx_convert_with instead. */
const struct fx_rate *fx_pick(const struct fx_rate *rates, size_t n, const struct currency *from,
                              const struct currency *to, int64_t day);
/* Converts with the rate fx_pick finds, or 1:1 (rate_day = day) when from == to.
 * Returns false when no rate is known or the result overflows. */
bool fx_convert_with(const struct fx_rate *rates, size_t n, int64_t amount_minor,
                     const struct currency *from, const struct currency *to, int64_t day,
                     struct fx_result *out);
#endif
