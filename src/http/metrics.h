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

/* The last hour by minute, for the admin health page's error rate and latency
 * percentiles: a ring of per-minute histograms with finer fixed buckets than the
 * Prometheus ones (percentiles are read from them by interpolation). */
#define METRICS_RING_MINUTES 64 /* >= 61: the last 60 whole minutes and the current one */
#define METRICS_RING_BUCKETS 24

struct metrics_minute {
    uint64_t minute;                               /* unix minute this slot holds; 0: none */
    uint64_t count;
    uint64_t errors;                               /* answered 5xx */
    uint64_t buckets[METRICS_RING_BUCKETS + 1];    /* last is above the last bound */
};

struct metrics_ring {
    struct metrics_minute slots[METRICS_RING_MINUTES];
};

/* What the ring holds over a window of minutes. */
struct metrics_window {
    uint64_t count, errors;
    double p50_ms, p95_ms, p99_ms; /* 0 without requests */
};

/* Counts one request answered with status in duration_us during unix minute. A slot
 * reused for a new minute is cleared by the writer that claims it (compare and swap);
 * a request counted by another worker in that instant may be lost, never misfiled. */
void metrics_ring_add(struct metrics_ring *ring, uint64_t minute, int status, int64_t duration_us);
/* Sums the minutes (now_minute - minutes, now_minute] into *w (minutes 1..60). */
void metrics_ring_window(const struct metrics_ring *ring, uint64_t now_minute, int minutes,
                         struct metrics_window *w);
/* The q-quantile (0 < q < 1) in milliseconds of counts over the ring buckets,
 * interpolated linearly inside its bucket (the open last bucket answers its lower
 * bound); 0 when total is 0. */
double metrics_ring_quantile_ms(const uint64_t *buckets, uint64_t total, double q);
/* Copies the shared ring's slot for unix minute into *out; false when it holds no
 * request of that minute (or there is no mapping). */
bool metrics_ring_minute(uint64_t minute, struct metrics_minute *out);
/* The shared mapping's window ending now (all zero without one). */
struct metrics_window metrics_recent(int minutes);

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
    int64_t ring_copied_us; /* when a worker last began copying the ring to the database (clock_mono_us) */
    struct metrics_ring ring;
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
