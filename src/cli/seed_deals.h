/* seed_deals.h — `seed --demo --deals N`: deterministic brands, deals in every stage,
 * deliverables and payments (late, due soon, posted; paid late, overdue, partial,
 * disputed, in EUR/GBP/INR with FX rates), loaded with COPY in the caller's transaction. */
#ifndef SB_SEED_DEALS_H
#define SB_SEED_DEALS_H
#include <stdint.h>
#include <time.h>
struct arena;
struct db;

/* The most deals one run generates. */
#define SEED_DEALS_MAX 200000L

/* Replaces the demo org's generated deals (tagged "demo"), their brands, children,
 * history and seeded rates with n fresh ones from seed, times relative to anchor.
 * Owners cycle over the org's manager, agent and nobody. Returns 0 or -1 (db error set). */
int seed_deals(struct db *db, struct arena *a, const char *org_id, uint64_t seed, long n, time_t anchor);
#endif
