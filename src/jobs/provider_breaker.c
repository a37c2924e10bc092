/* provider_breaker.c — see provider_breaker.h. Each call is one short transaction
 * holding the breaker's row lock, so two workers never both take the one probe. */
#include "provider_breaker.h"

#include <stdio.h>
#include <string.h>

#include "../core/config.h"
#include "../db/db.h"

static struct breaker_policy policy_of(const struct config *cfg)
{
    struct breaker_policy p = breaker_default_policy;
    p.open_s = cfg->provider_breaker_open_s;
    return p;
}

/* Locks (making it when new) and reads the breaker; false on a database error. */
static bool load(struct db *db, struct arena *a, const char *org_id, const char *provider, struct breaker *b)
{
    if (!db_q(db, a, "breaker_make",
              "INSERT INTO provider_breakers (org_id, provider) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING",
              org_id, provider))
        return false;
    struct dbres *r = db_q(db, a, "breaker_lock",
                           "SELECT state, failures, coalesce(extract(epoch FROM opened_at)::bigint, 0),"
                           " coalesce(extract(epoch FROM probe_at)::bigint, 0) FROM provider_breakers"
                           " WHERE org_id = $1::uuid AND provider = $2 FOR UPDATE",
                           org_id, provider);
    if (!r || db_rows(r) != 1) return false;
    *b = (struct breaker){ .failures = (int)db_long(r, 0, 1), .opened_at = (time_t)db_long(r, 0, 2),
                           .probe_at = (time_t)db_long(r, 0, 3) };
    return breaker_state_parse(db_val(r, 0, 0), &b->state);
}

static bool store(struct db *db, struct arena *a, const char *org_id, const char *provider, const struct breaker *b)
{
    char failures[16], opened[24], probe[24];
    snprintf(failures, sizeof failures, "%d", b->failures);
    snprintf(opened, sizeof opened, "%ld", (long)b->opened_at);
    snprintf(probe, sizeof probe, "%ld", (long)b->probe_at);
    return db_q(db, a, "breaker_store",
                "UPDATE provider_breakers SET state = $3, failures = $4::int,"
                " opened_at = CASE WHEN $5::bigint > 0 THEN to_timestamp($5::bigint) END,"
                " probe_at = CASE WHEN $6::bigint > 0 THEN to_timestamp($6::bigint) END, updated_at = now()"
                " WHERE org_id = $1::uuid AND provider = $2",
                org_id, provider, breaker_state_name(b->state), failures, opened, probe) != NULL;
}

enum breaker_verdict provider_breaker_allow(struct db *db, struct arena *a, const struct config *cfg,
                                            const char *org_id, const char *provider, time_t *retry_at)
{
    struct breaker_policy p = policy_of(cfg);
    struct breaker b;
    if (db_begin(db) != 0) return BREAKER_ALLOW;
    if (!load(db, a, org_id, provider, &b)) {
        db_rollback(db);
        return BREAKER_ALLOW;
    }
    struct breaker before = b;
    enum breaker_verdict v = breaker_allow(&b, &p, time(NULL));
    if (v == BREAKER_REJECT) *retry_at = breaker_retry_at(&b, &p);
    bool changed = memcmp(&before, &b, sizeof b) != 0;
    if ((changed && !store(db, a, org_id, provider, &b)) || db_commit(db) != 0) db_rollback(db);
    return v;
}

void provider_breaker_record_many(struct db *db, struct arena *a, const struct config *cfg, const char *org_id,
                                  const char *provider, const bool *transient, int n)
{
    struct breaker_policy p = policy_of(cfg);
    struct breaker b;
    if (db_begin(db) != 0) return;
    if (!load(db, a, org_id, provider, &b)) {
        db_rollback(db);
        return;
    }
    struct breaker before = b;
    for (int i = 0; i < n; i++) breaker_record(&b, &p, time(NULL), transient[i]);
    bool changed = memcmp(&before, &b, sizeof b) != 0;
    if ((changed && !store(db, a, org_id, provider, &b)) || db_commit(db) != 0) db_rollback(db);
}
