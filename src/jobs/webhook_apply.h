/* webhook_apply.h — applies stored webhook events (sql/0024) to their calls, hundreds
 * per transaction, for `switchboard worker`. */
#ifndef SB_WEBHOOK_APPLY_H
#define SB_WEBHOOK_APPLY_H
struct db;
struct arena;
struct config;

/* The channel a webhook request notifies when it stored an event to apply. */
#define WEBHOOK_APPLY_CHANNEL "webhook_events"
/* Events per batch: enough that one statement's fixed costs (the rollup triggers,
 * the commit's fsync) are shared widely, few enough that a batch commits within
 * tens of milliseconds. */
#define WEBHOOK_APPLY_BATCH 500
/* How long the worker keeps looking for events (every WEBHOOK_APPLY_LOOK_MS) after a
 * batch it applied before it sleeps until a NOTIFY: a request notifies at most every
 * 100 ms per process, so an event stored right after another one's notification is
 * still found this way, within a second. */
#define WEBHOOK_APPLY_LINGER_MS 1000
#define WEBHOOK_APPLY_LOOK_MS 20

/* Applies the oldest pending events (at most WEBHOOK_APPLY_BATCH) in one transaction
 * and marks them applied; an event the database refuses is marked failed with the
 * reason, without holding back the others. One worker applies at a time (an advisory
 * lock), so events are applied in the order they were stored. Returns how many events
 * it settled, 0 when none was pending or another worker is applying, -1 on a database
 * error (rolled back: the events stay pending). Outside a transaction on entry and
 * on return; the owner role (it acts for every org). */
int webhook_apply_batch(struct db *db, struct arena *a, const struct config *cfg);

/* Due top-numbers blocks refreshed per transaction (each row is one number's day, about
 * 1.3 ms to refresh on the bench data): a chunk of 20-30 ms, about the wait between two
 * batches of a steady stream, so the events stored meanwhile wait no longer for it. */
#define WEBHOOK_BLOCKS_BATCH 16

/* Refreshes the top-numbers blocks that applied batches left due (sql/0037), at most
 * WEBHOOK_BLOCKS_BATCH rows, in a transaction of its own. Returns how many it
 * refreshed, or -1 on a database error (rolled back: they stay due). Outside a
 * transaction on entry and on return; the owner role. */
int webhook_number_blocks_catch_up(struct db *db, struct arena *a);
#endif
