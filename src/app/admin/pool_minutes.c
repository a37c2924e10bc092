/* pool_minutes.c — the pool's request ring, copied to the database (pool_minutes.h). */
#include "pool_minutes.h"

#include <stdio.h>
#include <unistd.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../core/log.h"
#include "../../db/db.h"
#include "../../http/metrics.h"

static int64_t first_pending_us, last_counted_us; /* 0: nothing waits */

void pool_minutes_counted(int64_t now_us)
{
    if (!first_pending_us) first_pending_us = now_us;
    last_counted_us = now_us;
}

int pool_minutes_wait_ms(int64_t now_us)
{
    if (!first_pending_us) return -1;
    int64_t left = first_pending_us + (int64_t)POOL_MINUTES_COPY_MS * 1000 - now_us;
    return left <= 0 ? 0 : (int)(left / 1000) + 1;
}

/* [{"minute":..,"requests":..,"errors":..,"buckets":[..]}] for the current and the
 * previous minute (a request counted late in a minute is copied after it ended). */
static int minutes_json(struct buf *b)
{
    uint64_t now = (uint64_t)(clock_wall_us() / 60000000);
    int n = 0;
    buf_putc(b, '[');
    for (uint64_t m = now - 1; m <= now; m++) {
        struct metrics_minute x;
        if (!metrics_ring_minute(m, &x)) continue;
        buf_printf(b, "%s{\"minute\":%llu,\"requests\":%llu,\"errors\":%llu,\"buckets\":[", n++ ? "," : "",
                   (unsigned long long)m, (unsigned long long)x.count, (unsigned long long)x.errors);
        for (int i = 0; i <= METRICS_RING_BUCKETS; i++)
            buf_printf(b, "%s%llu", i ? "," : "", (unsigned long long)x.buckets[i]);
        buf_puts(b, "]}");
    }
    buf_putc(b, ']');
    return n;
}

void pool_minutes_copy_if_due(struct db *db, int64_t now_us)
{
    if (pool_minutes_wait_ms(now_us) != 0) return;
    struct metrics_shared *sh = metrics_get();
    if (!sh) {
        first_pending_us = 0;
        return;
    }
    /* Another worker's copy that began after our last request covers it. */
    int64_t began = __atomic_load_n(&sh->ring_copied_us, __ATOMIC_ACQUIRE);
    if (began > last_counted_us) {
        first_pending_us = 0;
        return;
    }
    __atomic_store_n(&sh->ring_copied_us, now_us, __ATOMIC_RELEASE);
    struct arena a;
    arena_init(&a, 8192);
    struct buf b, host;
    buf_init(&b, &a, 2048);
    buf_init(&host, &a, 96);
    char name[64] = "";
    gethostname(name, sizeof name - 1);
    buf_printf(&host, "%s:%ld", name, (long)getppid()); /* the pool's master: one ring per pool */
    if (minutes_json(&b) == 0 ||
        db_q(db, &a, "pool_minutes_put", "SELECT sb_pool_minutes_put($1, $2::jsonb)", buf_cstr(&host), buf_cstr(&b)))
        first_pending_us = 0;
    else {
        log_warn("pool minutes: not copied yet: %s", db_last_message(db));
        first_pending_us = now_us; /* try again after another interval */
    }
    arena_destroy(&a);
}
