/* provider_breaker.h — the circuit breaker per org and provider, kept in
 * provider_breakers (0033) so every worker sees the same one; the decisions are
 * src/domain/breaker.c's. */
#ifndef SB_PROVIDER_BREAKER_H
#define SB_PROVIDER_BREAKER_H
#include <stdbool.h>
#include <time.h>
#include "../domain/breaker.h"
struct db;
struct arena;
struct config;

/* May a request to provider go now? Moves and stores the breaker (open to half-open,
 * the probe let through). *retry_at is set when it says BREAKER_REJECT. A database
 * error lets the request go (the breaker protects the provider, not correctness). */
enum breaker_verdict provider_breaker_allow(struct db *db, struct arena *a, const struct config *cfg,
                                            const char *org_id, const char *provider, time_t *retry_at);
/* The outcomes of n allowed requests, in order, in one transaction: each transient
 * (no answer, 408, 429, 5xx) or not. */
void provider_breaker_record_many(struct db *db, struct arena *a, const struct config *cfg, const char *org_id,
                                  const char *provider, const bool *transient, int n);
#endif
