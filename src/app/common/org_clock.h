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

struct db_stmt;
struct dbres;

/* Fills *c for the request's org; returns 0 or an HTTP status. */
int org_clock_load(struct request *r, struct org_clock *c);
/* The same in two halves, for a page that sends it with its other statements in one
 * round trip (db_exec_batch/db_exec_last): the statement, and reading its answer
 * (0, or 503 when the session's org is gone). */
struct db_stmt org_clock_stmt(void);
int org_clock_read(const struct dbres *q, struct org_clock *c);
#endif
