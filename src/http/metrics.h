/* metrics.h — counters shared by all workers (one anonymous shared mapping made by
 * the master before forking); each worker writes only its own slot. */
#ifndef SB_METRICS_H
#define SB_METRICS_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "../core/buf.h"

#define METRICS_MAX_WORKERS 256
#define METRICS_STATUS_CLASSES 18 /* see metrics_status_index */
#define METRICS_LATENCY_BUCKETS 12

enum worker_state { WORKER_EMPTY = 0, WORKER_STARTING, WORKER_IDLE, WORKER_BUSY, WORKER_EXITING };

struct worker_slot {
    volatile pid_t pid;
    volatile int state;               /* enum worker_state */
    volatile uint64_t requests;       /* served by the current process */
    volatile int64_t started_at_us;
};

struct metrics_shared {
    struct worker_slot workers[METRICS_MAX_WORKERS];
    /* Cumulative across worker restarts (only written by the slot's worker, which
     * uses atomic adds because a dying worker's successor shares the slot). */
    uint64_t latency_buckets[METRICS_LATENCY_BUCKETS + 1]; /* last is +Inf */
    uint64_t latency_sum_us;
    uint64_t latency_count;
    uint64_t db_errors;
    uint64_t sessions_recalled; /* requests that used a worker's remembered session */
    uint64_t sessions_refused;  /* ... of which the database said it no longer held */
    uint64_t worker_restarts;
    uint64_t worker_crashes;
    uint64_t worker_recycles;
    int64_t master_started_at_us;
    int route_rows; /* routes + 1: the last row counts unmatched and out-of-range indexes */
    /* Requests by route and status class, route_rows rows (sized by metrics_init). */
    uint64_t requests[][METRICS_STATUS_CLASSES];
};

/* Creates the shared mapping (master, before forking) with one row of counters
 * per route plus one for unmatched requests. 0 ok (also when it exists already),
 * -1 on error. */
int metrics_init(int route_count);
struct metrics_shared *metrics_get(void);
/* Worker slots by state, read from the shared mapping (all zero without one). */
struct metrics_worker_counts {
    int idle, busy, starting;
};
struct metrics_worker_counts metrics_worker_counts(void);
/* Worker side. */
void metrics_worker_state(int slot, enum worker_state st);
void metrics_observe(int route_index, int status, int64_t duration_us);
void metrics_db_error(void);
/* A remembered session was used (refused: and the database refused it). */
void metrics_session_recalled(bool refused);
int metrics_status_index(int status);
/* Renders the Prometheus text exposition of everything into b; route_names[i]
 * names route index i (route_count entries). */
void metrics_render(struct buf *b, const char *const *route_names, int route_count);
#endif
