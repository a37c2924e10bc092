/* usage_counter.h — the worker's in-memory request counters (docs/ADMIN.md, "Usage"):
 * counted per (org, user or API key, UTC day, kind) at no cost to the request, and
 * added to usage_daily in one statement every USAGE_FLUSH_INTERVAL_MS or when the
 * table fills. A crash loses at most the counts not yet flushed. */
#ifndef SB_USAGE_COUNTER_H
#define SB_USAGE_COUNTER_H
#include <stdint.h>
struct request;
struct db;

#define USAGE_FLUSH_INTERVAL_MS 2000

/* Counts r (when it was authenticated) in this worker's table. */
void usage_count(const struct request *r);
/* Flushes when counts wait longer than the interval or the table is full
 * (now_us: clock_mono_us). Failures keep the counts for the next try. */
void usage_flush_if_due(struct db *db, int64_t now_us);
/* Flushes whatever waits (a worker that stops). */
void usage_flush(struct db *db);
/* How long the worker may wait idle before a flush is due: milliseconds, or -1
 * when nothing waits. */
int usage_flush_wait_ms(int64_t now_us);
#endif
