/* search_plans.h — a worker's memory of how its recent calls searches were planned
 * (calls_sql.c, "Searches"). Choosing costs the database two EXPLAINs, about 0.5 ms,
 * and a search is usually asked again: page after page, or the same list reopened.
 * Only speed depends on the choice, as either plan gives the same rows, so a choice
 * is kept for SEARCH_PLANS_KEEP_US whatever happens meanwhile; the surname's way
 * checks its own condition on every page and is forgotten when that fails. */
#ifndef SB_SEARCH_PLANS_H
#define SB_SEARCH_PLANS_H
#include <stdint.h>
#include "../../core/str.h"

#define SEARCH_PLANS_KEEP_US (300 * INT64_C(1000000)) /* statistics change slowly */

/* The choice remembered under key at now_us (CLOCK_MONOTONIC microseconds), a
 * non-negative number (enum calls_search_via), or -1 for none (never made,
 * forgotten, or older than SEARCH_PLANS_KEEP_US). *detail is what was kept with it
 * (0 with none). */
int search_plans_get(str key, int64_t now_us, int64_t *detail);
/* Remembers a choice (>= 0) and its detail (for the surname's way, the names' epoch
 * it was checked at) made at now_us, in place of the oldest when the table is full. */
void search_plans_put(str key, int choice, int64_t detail, int64_t now_us);
/* Forgets the choice under key, if any: the next search makes it again. */
void search_plans_forget(str key);
#endif
