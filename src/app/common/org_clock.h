/* org_clock.h — the org's clock and currency, read once per request: what "today",
 * "overdue" and "this week" mean for the org. */
#ifndef SB_ORG_CLOCK_H
#define SB_ORG_CLOCK_H
#include <stdint.h>
#include "../../core/str.h"
struct request;

struct org_clock {
    int64_t now;          /* unix seconds */
    int32_t utc_offset_s; /* the org's offset at now */
    int64_t today;        /* civil day in the org's zone */
    str currency;         /* the org's currency code */
};

/* Fills *c for the request's org; returns 0 or an HTTP status. */
int org_clock_load(struct request *r, struct org_clock *c);
#endif
