/* test_metrics.c — shared counters: status classes, observations, and the Prometheus text rendering (checked by promtool when present). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/core/arena.h"
#include "../../src/core/buf.h"
#include "../../src/http/metrics.h"
#include "unit.h"

static const char *const names[] = { "home", "calls_show", "unmatched" };
#define ROUTE_COUNT 2 /* names[ROUTE_COUNT] is the "unmatched" slot, as app_route_names gives it */

static const char *render(void)
{
    struct buf b;
    buf_init(&b, &A, 256);
    metrics_render(&b, names, ROUTE_COUNT);
    return buf_cstr(&b);
}

/* true if text contains line as a whole line. */
static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n') return true;
    return false;
}

static void assert_line(const char *text, const char *line)
{
    if (!has_line(text, line)) fail_msg("missing line \"%s\" in:\n%s", line, text);
}

static void assert_no_line_prefix(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = text; *p;) {
        if (strncmp(p, prefix, n) == 0) fail_msg("unexpected line starting \"%s\"", prefix);
        const char *nl = strchr(p, '\n');
        if (!nl) break;
        p = nl + 1;
    }
}

/* Must run first: nothing is mapped yet. */
static void test_render_before_init(void **state)
{
    assert_null(metrics_get());
    metrics_observe(0, 200, 1000); /* ignored, must not crash */
    metrics_db_error();
    metrics_worker_state(0, WORKER_IDLE);
    const char *t = render();
    assert_line(t, "# TYPE switchboard_up gauge");
    assert_line(t, "switchboard_up 0");
    assert_no_line_prefix(t, "switchboard_http_requests_total");
}

static void test_status_index(void **state)
{
    static const int known[] = { 200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409, 413, 429, 500, 503 };
    assert_int_equal(sizeof known / sizeof known[0], METRICS_STATUS_CLASSES - 1);
    for (int i = 0; i < (int)(sizeof known / sizeof known[0]); i++) assert_int_equal(metrics_status_index(known[i]), i);
    static const int other[] = { 0, -1, 100, 202, 418, 422, 502, 504, 599, 1000 };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        assert_int_equal(metrics_status_index(other[i]), METRICS_STATUS_CLASSES - 1);
}

static void test_init_is_zeroed_and_idempotent(void **state)
{
    assert_int_equal(metrics_init(ROUTE_COUNT), 0);
    struct metrics_shared *m = metrics_get();
    assert_non_null(m);
    assert_int_equal(metrics_init(ROUTE_COUNT), 0);
    assert_ptr_equal(metrics_get(), m);
    assert_true(m->master_started_at_us > 1500000000LL * 1000000LL); /* a wall-clock time */
    assert_true(m->latency_count == 0);
    assert_true(m->requests[0][0] == 0);
    const char *t = render();
    assert_line(t, "switchboard_up 1");
    /* No requests yet: the family is declared but has no samples. */
    assert_line(t, "# TYPE switchboard_http_requests_total counter");
    assert_no_line_prefix(t, "switchboard_http_requests_total{");
    assert_line(t, "switchboard_http_request_duration_seconds_bucket{le=\"+Inf\"} 0");
    assert_line(t, "switchboard_http_request_duration_seconds_count 0");
    assert_line(t, "switchboard_http_request_duration_seconds_sum 0.000000");
}

static void test_observe_and_render(void **state)
{
    metrics_worker_state(1, WORKER_STARTING);
    metrics_worker_state(1, WORKER_BUSY);
    metrics_worker_state(0, WORKER_STARTING);
    metrics_worker_state(0, WORKER_IDLE); /* g_slot is now 0 */

    metrics_observe(0, 200, 500);       /* 0.0005 s  -> le 0.001 */
    metrics_observe(0, 200, 1000);      /* 0.001 s   -> le 0.001 (bounds are inclusive) */
    metrics_observe(0, 302, 1001);      /* just over -> le 0.0025 */
    metrics_observe(1, 404, 30000);     /* 0.03 s    -> le 0.05 */
    metrics_observe(1, 418, 5000000);   /* 5 s       -> le 5 */
    metrics_observe(1, 418, 10000000);  /* 10 s      -> +Inf */
    metrics_observe(ROUTE_COUNT, 404, 2000); /* the unmatched slot -> le 0.0025 */
    metrics_observe(-5, 500, -7);       /* out-of-range route and negative time: clamped, le 0.001 */
    metrics_db_error();
    metrics_db_error();

    struct metrics_shared *m = metrics_get();
    assert_true(m->latency_count == 8);
    assert_true(m->latency_sum_us == 500 + 1000 + 1001 + 30000 + 5000000 + 10000000 + 2000);
    assert_true(m->workers[0].requests == 8);
    assert_true(m->workers[1].requests == 0);
    assert_int_equal(m->workers[0].pid, getpid());
    assert_true(m->requests[ROUTE_COUNT][metrics_status_index(500)] == 1);

    const char *t = render();
    assert_line(t, "# HELP switchboard_http_requests_total HTTP requests by route and status.");
    assert_line(t, "# TYPE switchboard_http_requests_total counter");
    assert_line(t, "switchboard_http_requests_total{route=\"home\",status=\"200\"} 2");
    assert_line(t, "switchboard_http_requests_total{route=\"home\",status=\"302\"} 1");
    assert_line(t, "switchboard_http_requests_total{route=\"calls_show\",status=\"404\"} 1");
    assert_line(t, "switchboard_http_requests_total{route=\"calls_show\",status=\"other\"} 2");
    assert_line(t, "switchboard_http_requests_total{route=\"unmatched\",status=\"404\"} 1");
    assert_line(t, "switchboard_http_requests_total{route=\"unmatched\",status=\"500\"} 1");
    /* Zero counters are not printed. */
    assert_no_line_prefix(t, "switchboard_http_requests_total{route=\"home\",status=\"404\"}");

    assert_line(t, "# TYPE switchboard_http_request_duration_seconds histogram");
    static const char *const buckets[] = {
        "le=\"0.001\"} 3", "le=\"0.0025\"} 5", "le=\"0.005\"} 5", "le=\"0.01\"} 5", "le=\"0.025\"} 5",
        "le=\"0.05\"} 6",  "le=\"0.1\"} 6",    "le=\"0.25\"} 6",  "le=\"0.5\"} 6",  "le=\"1\"} 6",
        "le=\"2.5\"} 6",   "le=\"5\"} 7",      "le=\"+Inf\"} 8",
    };
    /* Buckets appear in order, cumulatively. */
    const char *p = t;
    for (size_t i = 0; i < sizeof buckets / sizeof buckets[0]; i++) {
        char line[128];
        snprintf(line, sizeof line, "switchboard_http_request_duration_seconds_bucket{%s", buckets[i]);
        assert_line(t, line);
        const char *at = strstr(p, line);
        if (!at) fail_msg("bucket %s out of order", buckets[i]);
        p = at + 1;
    }
    assert_line(t, "switchboard_http_request_duration_seconds_sum 15.034501");
    assert_line(t, "switchboard_http_request_duration_seconds_count 8");

    assert_line(t, "# TYPE switchboard_db_errors_total counter");
    assert_line(t, "switchboard_db_errors_total 2");
    assert_line(t, "switchboard_worker_restarts_total 0");
    assert_line(t, "switchboard_worker_crashes_total 0");
    assert_line(t, "switchboard_worker_recycles_total 0");
    assert_line(t, "switchboard_workers{state=\"idle\"} 1");
    assert_line(t, "switchboard_workers{state=\"busy\"} 1");
    assert_line(t, "switchboard_workers{state=\"starting\"} 0");
    assert_line(t, "switchboard_worker_requests 8");

    /* Every TYPE has a HELP right before it, and the text ends with a newline. */
    for (const char *q = t; (q = strstr(q, "# TYPE ")) != NULL; q++) {
        assert_true(q > t);
        const char *prev = q - 1; /* the '\n' ending the previous line */
        while (prev > t && prev[-1] != '\n') prev--;
        assert_int_equal(strncmp(prev, "# HELP ", 7), 0);
    }
    assert_int_equal(t[strlen(t) - 1], '\n');
}

static void test_counters_are_shared_with_children(void **state)
{
    /* The mapping is MAP_SHARED: a forked worker's observation is seen by the parent. */
    uint64_t before = metrics_get()->latency_count;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        metrics_observe(0, 201, 100);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(metrics_get()->latency_count == before + 1);
    assert_line(render(), "switchboard_http_requests_total{route=\"home\",status=\"201\"} 1");
}

static void test_promtool_accepts_the_output(void **state)
{
    if (system("command -v promtool >/dev/null 2>&1") != 0) skip();
    char path[] = "/tmp/sb-test-metrics-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *t = render();
    size_t n = strlen(t);
    assert_int_equal(write(fd, t, n), (ssize_t)n);
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s 2>&1", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char out[4096];
    size_t got = fread(out, 1, sizeof out - 1, p);
    out[got] = '\0';
    int rc = pclose(p);
    unlink(path);
    if (rc != 0) fail_msg("promtool check metrics failed:\n%s", out);
}

/* The per-minute ring: windows sum only their own minutes, reused slots start empty,
 * and percentiles come out of the buckets by interpolation. */
static void test_ring_windows(void **state)
{
    static struct metrics_ring ring;
    memset(&ring, 0, sizeof ring);
    const uint64_t now = 29000000;
    for (int i = 0; i < 100; i++) metrics_ring_add(&ring, now, 200, 1000 * (i + 1) / 100); /* 0.01..1 ms */
    metrics_ring_add(&ring, now, 503, 900);
    metrics_ring_add(&ring, now - 3, 500, 20000);
    metrics_ring_add(&ring, now - 10, 200, 100000);
    metrics_ring_add(&ring, now - 70, 200, 1000000); /* an hour and more ago: in no window */
    struct metrics_window w;
    metrics_ring_window(&ring, now, 1, &w);
    assert_true(w.count == 101 && w.errors == 1);
    assert_true(w.p50_ms > 0.25 && w.p50_ms <= 0.75);
    assert_true(w.p99_ms > 0.75 && w.p99_ms <= 1.0);
    metrics_ring_window(&ring, now, 5, &w);
    assert_true(w.count == 102 && w.errors == 2);
    metrics_ring_window(&ring, now, 15, &w);
    assert_true(w.count == 103 && w.errors == 2);
    assert_true(w.p99_ms > 16 && w.p99_ms <= 25); /* the 20 ms request, 102nd of 103 */
    metrics_ring_window(&ring, now, 60, &w);
    assert_true(w.count == 103);
    /* The slot of now - 70 is reused by now - 6 (64 apart): cleared first. */
    metrics_ring_add(&ring, now - 70 + METRICS_RING_MINUTES, 200, 500);
    metrics_ring_window(&ring, now, 15, &w);
    assert_true(w.count == 104);
    /* A write for an older minute than its slot holds is dropped. */
    metrics_ring_add(&ring, now - METRICS_RING_MINUTES, 200, 500);
    metrics_ring_window(&ring, now, 60, &w);
    assert_true(w.count == 104);
    metrics_ring_window(&ring, now + 1000, 60, &w);
    assert_true(w.count == 0 && w.p50_ms == 0 && w.p99_ms == 0);
}

static void test_ring_quantiles(void **state)
{
    uint64_t b[METRICS_RING_BUCKETS + 1] = { 0 };
    assert_true(metrics_ring_quantile_ms(b, 0, 0.5) == 0);
    b[3] = 10; /* (0.75, 1] ms */
    double p50 = metrics_ring_quantile_ms(b, 10, 0.5);
    assert_true(p50 > 0.87 && p50 < 0.88);
    b[METRICS_RING_BUCKETS] = 10; /* above 5 s: the open bucket answers its lower bound */
    assert_true(metrics_ring_quantile_ms(b, 20, 0.99) == 5000);
    assert_true(metrics_ring_quantile_ms(b, 20, 0.5) == 1.0);
}

/* metrics_observe feeds the shared ring: the current minute sees the request. */
static void test_observe_feeds_ring(void **state)
{
    struct metrics_window before = metrics_recent(5);
    metrics_observe(0, 500, 3000);
    struct metrics_window after = metrics_recent(5);
    /* A minute boundary between the two reads drops nothing from a 5-minute window. */
    assert_true(after.count == before.count + 1);
    assert_true(after.errors == before.errors + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_before_init),
        cmocka_unit_test(test_status_index),
        cmocka_unit_test(test_init_is_zeroed_and_idempotent),
        cmocka_unit_test(test_observe_and_render),
        cmocka_unit_test(test_ring_windows),
        cmocka_unit_test(test_ring_quantiles),
        cmocka_unit_test(test_observe_feeds_ring),
        cmocka_unit_test(test_counters_are_shared_with_children),
        cmocka_unit_test(test_promtool_accepts_the_output),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
