/* metrics.c — counters in one shared anonymous mapping, rendered for Prometheus. */
#include "metrics.h"
#include "../core/clock.h"

#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static struct metrics_shared *g_metrics;
static int g_slot = -1;

static const int status_codes[METRICS_STATUS_CLASSES - 1] = {
    200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409, 413, 429, 500, 503,
};
static const double latency_bounds[METRICS_LATENCY_BUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};

/* Upper bounds in milliseconds, roughly 1.5x apart where percentiles matter most. */
static const double ring_bounds_ms[METRICS_RING_BUCKETS] = {
    0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 25, 35, 50, 75, 100, 150, 250, 400, 600, 1000, 2500, 5000,
};

void metrics_ring_add(struct metrics_ring *ring, uint64_t minute, int status, int64_t duration_us)
{
    struct metrics_minute *m = &ring->slots[minute % METRICS_RING_MINUTES];
    uint64_t held = __atomic_load_n(&m->minute, __ATOMIC_ACQUIRE);
    if (held != minute) {
        if (held > minute) return; /* the slot moved on (a clock step back): dropped */
        if (__atomic_compare_exchange_n(&m->minute, &held, minute, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&m->count, 0, __ATOMIC_RELAXED);
            __atomic_store_n(&m->errors, 0, __ATOMIC_RELAXED);
            for (int i = 0; i <= METRICS_RING_BUCKETS; i++) __atomic_store_n(&m->buckets[i], 0, __ATOMIC_RELAXED);
        } else if (held != minute) {
            return; /* another writer took the slot for another minute meanwhile */
        }
    }
    double ms = (double)duration_us / 1000.0;
    int b = 0;
    while (b < METRICS_RING_BUCKETS && ms > ring_bounds_ms[b]) b++;
    __atomic_fetch_add(&m->buckets[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->count, 1, __ATOMIC_RELAXED);
    if (status >= 500) __atomic_fetch_add(&m->errors, 1, __ATOMIC_RELAXED);
}

double metrics_ring_quantile_ms(const uint64_t *buckets, uint64_t total, double q)
{
    if (total == 0) return 0;
    double rank = q * (double)total;
    uint64_t below = 0;
    for (int i = 0; i <= METRICS_RING_BUCKETS; i++) {
        if (buckets[i] == 0 || (double)(below + buckets[i]) < rank) {
            below += buckets[i];
            continue;
        }
        double lo = i == 0 ? 0 : ring_bounds_ms[i - 1];
        if (i == METRICS_RING_BUCKETS) return lo;
        double hi = ring_bounds_ms[i];
        return lo + (hi - lo) * (rank - (double)below) / (double)buckets[i];
    }
    return ring_bounds_ms[METRICS_RING_BUCKETS - 1];
}

void metrics_ring_window(const struct metrics_ring *ring, uint64_t now_minute, int minutes,
                         struct metrics_window *w)
{
    uint64_t buckets[METRICS_RING_BUCKETS + 1] = { 0 };
    *w = (struct metrics_window){ 0 };
    if (minutes < 1) minutes = 1;
    if (minutes > METRICS_RING_MINUTES - 1) minutes = METRICS_RING_MINUTES - 1;
    for (int k = 0; k < minutes && (uint64_t)k <= now_minute; k++) {
        const struct metrics_minute *m = &ring->slots[(now_minute - (uint64_t)k) % METRICS_RING_MINUTES];
        if (__atomic_load_n(&m->minute, __ATOMIC_ACQUIRE) != now_minute - (uint64_t)k) continue;
        w->count += __atomic_load_n(&m->count, __ATOMIC_RELAXED);
        w->errors += __atomic_load_n(&m->errors, __ATOMIC_RELAXED);
        for (int i = 0; i <= METRICS_RING_BUCKETS; i++) buckets[i] += __atomic_load_n(&m->buckets[i], __ATOMIC_RELAXED);
    }
    /* The buckets' sum, not count: read a moment apart, they may differ by a request. */
    uint64_t total = 0;
    for (int i = 0; i <= METRICS_RING_BUCKETS; i++) total += buckets[i];
    w->p50_ms = metrics_ring_quantile_ms(buckets, total, 0.50);
    w->p95_ms = metrics_ring_quantile_ms(buckets, total, 0.95);
    w->p99_ms = metrics_ring_quantile_ms(buckets, total, 0.99);
}

struct metrics_window metrics_recent(int minutes)
{
    struct metrics_window w = { 0 };
    if (g_metrics) metrics_ring_window(&g_metrics->ring, (uint64_t)(clock_wall_us() / 60000000), minutes, &w);
    return w;
}

bool metrics_ring_minute(uint64_t minute, struct metrics_minute *out)
{
    *out = (struct metrics_minute){ 0 };
    if (!g_metrics) return false;
    const struct metrics_minute *m = &g_metrics->ring.slots[minute % METRICS_RING_MINUTES];
    if (__atomic_load_n(&m->minute, __ATOMIC_ACQUIRE) != minute) return false;
    out->minute = minute;
    out->count = __atomic_load_n(&m->count, __ATOMIC_RELAXED);
    out->errors = __atomic_load_n(&m->errors, __ATOMIC_RELAXED);
    for (int i = 0; i <= METRICS_RING_BUCKETS; i++) out->buckets[i] = __atomic_load_n(&m->buckets[i], __ATOMIC_RELAXED);
    return out->count > 0;
}

int metrics_init(int route_count)
{
    if (g_metrics) return 0;
    if (route_count < 0) return -1;
    size_t rows = (size_t)route_count + 1;
    size_t size = sizeof *g_metrics + rows * sizeof g_metrics->requests[0];
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    g_metrics = p; /* zero-filled by the kernel */
    g_metrics->route_rows = (int)rows;
    g_metrics->master_started_at_us = clock_wall_us();
    return 0;
}

struct metrics_worker_counts metrics_worker_counts(void)
{
    struct metrics_worker_counts c = { 0, 0, 0 };
    if (!g_metrics) return c;
    for (int i = 0; i < METRICS_MAX_WORKERS; i++) {
        const struct worker_slot *w = &g_metrics->workers[i];
        if (!w->pid) continue;
        int st = __atomic_load_n(&w->state, __ATOMIC_RELAXED);
        if (st == WORKER_IDLE) c.idle++;
        else if (st == WORKER_BUSY) c.busy++;
        else if (st == WORKER_STARTING) c.starting++;
    }
    return c;
}

struct metrics_shared *metrics_get(void) { return g_metrics; }

void metrics_worker_state(int slot, enum worker_state st)
{
    g_slot = slot;
    if (!g_metrics || slot < 0 || slot >= METRICS_MAX_WORKERS) return;
    struct worker_slot *w = &g_metrics->workers[slot];
    if (st == WORKER_STARTING) {
        w->pid = getpid();
        w->requests = 0;
        w->started_at_us = clock_wall_us();
    }
    __atomic_store_n(&w->state, (int)st, __ATOMIC_RELAXED);
}

int metrics_status_index(int status)
{
    for (int i = 0; i < METRICS_STATUS_CLASSES - 1; i++)
        if (status_codes[i] == status) return i;
    return METRICS_STATUS_CLASSES - 1;
}

static void add(uint64_t *p, uint64_t v) { __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }

void metrics_observe(int route_index, int status, int64_t duration_us)
{
    if (!g_metrics) return;
    if (route_index < 0 || route_index >= g_metrics->route_rows) route_index = g_metrics->route_rows - 1;
    add(&g_metrics->requests[route_index][metrics_status_index(status)], 1);
    double s = (double)duration_us / 1e6;
    int b = 0;
    while (b < METRICS_LATENCY_BUCKETS && s > latency_bounds[b]) b++;
    add(&g_metrics->latency_buckets[b], 1);
    add(&g_metrics->latency_sum_us, (uint64_t)(duration_us > 0 ? duration_us : 0));
    add(&g_metrics->latency_count, 1);
    metrics_ring_add(&g_metrics->ring, (uint64_t)(clock_wall_us() / 60000000), status, duration_us);
    if (g_slot >= 0 && g_slot < METRICS_MAX_WORKERS)
        __atomic_fetch_add(&g_metrics->workers[g_slot].requests, 1, __ATOMIC_RELAXED);
}

void metrics_db_error(void)
{
    if (g_metrics) add(&g_metrics->db_errors, 1);
}

void metrics_session_recalled(bool refused)
{
    if (g_metrics) add(refused ? &g_metrics->sessions_refused : &g_metrics->sessions_recalled, 1);
}

static uint64_t load(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

static void counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, (unsigned long long)v);
}

static void render_requests(struct buf *b, const char *const *route_names, int route_count)
{
    buf_puts(b, "# HELP switchboard_http_requests_total HTTP requests by route and status.\n"
                "# TYPE switchboard_http_requests_total counter\n");
    /* Index route_count is "unmatched"; so is the last row, where out-of-range
     * indexes land: both are reported as one series. */
    const int overflow = g_metrics->route_rows - 1;
    for (int r = 0; r <= route_count && r < g_metrics->route_rows; r++) {
        const char *name = r < route_count ? route_names[r] : "unmatched";
        for (int s = 0; s < METRICS_STATUS_CLASSES; s++) {
            uint64_t v = load(&g_metrics->requests[r][s]);
            if (r == route_count && r != overflow) v += load(&g_metrics->requests[overflow][s]);
            if (!v) continue;
            if (s < METRICS_STATUS_CLASSES - 1)
                buf_printf(b, "switchboard_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", name,
                           status_codes[s], (unsigned long long)v);
            else
                buf_printf(b, "switchboard_http_requests_total{route=\"%s\",status=\"other\"} %llu\n", name,
                           (unsigned long long)v);
        }
    }
}

static void render_latency(struct buf *b)
{
    buf_puts(b, "# HELP switchboard_http_request_duration_seconds Time to serve a request in the worker.\n"
                "# TYPE switchboard_http_request_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (int i = 0; i <= METRICS_LATENCY_BUCKETS; i++) {
        cumulative += load(&g_metrics->latency_buckets[i]);
        if (i < METRICS_LATENCY_BUCKETS)
            buf_printf(b, "switchboard_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", latency_bounds[i],
                       (unsigned long long)cumulative);
        else
            buf_printf(b, "switchboard_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                       (unsigned long long)cumulative);
    }
    buf_printf(b, "switchboard_http_request_duration_seconds_sum %.6f\n",
               (double)load(&g_metrics->latency_sum_us) / 1e6);
    buf_printf(b, "switchboard_http_request_duration_seconds_count %llu\n", (unsigned long long)cumulative);
}

static void render_workers(struct buf *b)
{
    struct metrics_worker_counts c = metrics_worker_counts();
    uint64_t served = 0;
    for (int i = 0; i < METRICS_MAX_WORKERS; i++)
        if (g_metrics->workers[i].pid) served += __atomic_load_n(&g_metrics->workers[i].requests, __ATOMIC_RELAXED);
    buf_printf(b, "# HELP switchboard_workers Worker processes by state.\n# TYPE switchboard_workers gauge\n"
                  "switchboard_workers{state=\"idle\"} %d\nswitchboard_workers{state=\"busy\"} %d\n"
                  "switchboard_workers{state=\"starting\"} %d\n",
               c.idle, c.busy, c.starting);
    buf_printf(b, "# HELP switchboard_worker_requests Requests served by the current worker processes.\n"
                  "# TYPE switchboard_worker_requests gauge\nswitchboard_worker_requests %llu\n",
               (unsigned long long)served);
}

void metrics_render(struct buf *b, const char *const *route_names, int route_count)
{
    if (!g_metrics) {
        buf_puts(b, "# HELP switchboard_up 1 when the process manager is running.\n"
                    "# TYPE switchboard_up gauge\nswitchboard_up 0\n");
        return;
    }
    buf_puts(b, "# HELP switchboard_up 1 when the process manager is running.\n"
                "# TYPE switchboard_up gauge\nswitchboard_up 1\n");
    buf_printf(b, "# HELP switchboard_start_time_seconds When the process manager started.\n"
                  "# TYPE switchboard_start_time_seconds gauge\nswitchboard_start_time_seconds %.3f\n",
               (double)g_metrics->master_started_at_us / 1e6);
    render_requests(b, route_names, route_count);
    render_latency(b);
    counter(b, "switchboard_db_errors_total", "Requests that failed on a database error.",
            load(&g_metrics->db_errors));
    counter(b, "switchboard_sessions_recalled_total",
            "Requests whose session a worker remembered (checked by the database in the same round trip).",
            load(&g_metrics->sessions_recalled));
    counter(b, "switchboard_sessions_refused_total",
            "Remembered sessions the database refused (signed out, expired or changed): looked up again.",
            load(&g_metrics->sessions_refused));
    counter(b, "switchboard_worker_restarts_total", "Workers started to replace one that exited.",
            load(&g_metrics->worker_restarts));
    counter(b, "switchboard_worker_crashes_total", "Workers that died on a signal or an error exit.",
            load(&g_metrics->worker_crashes));
    counter(b, "switchboard_worker_recycles_total", "Workers that exited after max_requests.",
            load(&g_metrics->worker_recycles));
    render_workers(b);
}
