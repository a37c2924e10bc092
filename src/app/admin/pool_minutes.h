/* pool_minutes.h — copies the pool's per-minute request ring (http/metrics.h) to
 * pool_request_minutes (sql/0043) so the alerts_evaluate job, which runs in
 * another process, can read the error rate and latency of the last hour. A worker
 * that served a request copies the current and previous minutes within
 * POOL_MINUTES_COPY_MS, unless another worker began a copy after its request. */
#ifndef SB_POOL_MINUTES_H
#define SB_POOL_MINUTES_H
#include <stdint.h>
struct db;

#define POOL_MINUTES_COPY_MS 5000

/* A request was counted in the ring (now_us: clock_mono_us). */
void pool_minutes_counted(int64_t now_us);
/* Copies when due; failures are retried after another interval. */
void pool_minutes_copy_if_due(struct db *db, int64_t now_us);
/* Milliseconds until a copy is due, or -1 when nothing waits. */
int pool_minutes_wait_ms(int64_t now_us);
#endif
