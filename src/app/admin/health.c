/* health.c — GET /admin and GET /api/v1/admin/health: system health for admins
 * (database, queue, provider breakers, worker pool, recent error rate and latency,
 * recordings on disk), and an admin-only ping. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "../../db/db.h"
#include "../../http/metrics.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "admin.h"

static const int windows[] = { 5, 15, 60 };
#define WINDOW_COUNT 3

enum { HQ_DB, HQ_QUEUE, HQ_BREAKERS, HQ_RECORDINGS, HQ_PEOPLE, HQ_COUNT };
enum health_db_col { HD_VERSION, HD_SIZE_BYTES, HD_SIZE_TEXT };
enum health_queue_col { HK_KIND, HK_QUEUED, HK_RUNNING, HK_DEAD, HK_OLDEST_S };
enum health_breaker_col { HB_PROVIDER, HB_STATE, HB_FAILURES, HB_OPENED_AT };
enum health_rec_col { HR_FILES, HR_BYTES, HR_BYTES_TEXT };
enum health_people_col { HP_USERS, HP_SESSIONS };

/* Every figure in one round trip; the queue reads jobs_org_live_kind_idx, the
 * recordings calls_org_recording_stored_idx (sql/0036). */
static const struct db_stmt health_stmts[HQ_COUNT] = {
    [HQ_DB] = { "health_db",
                "SELECT current_setting('server_version'), pg_database_size(current_database()),"
                " pg_size_pretty(pg_database_size(current_database()))",
                0, NULL },
    [HQ_QUEUE] = { "health_queue",
                   "SELECT kind, count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),"
                   " count(*) FILTER (WHERE status = 'dead'),"
                   " coalesce(floor(extract(epoch FROM now() - min(run_at) FILTER (WHERE status = 'queued'"
                   " AND run_at <= now())))::bigint, 0)"
                   " FROM jobs WHERE org_id = app_org_id() AND status IN ('queued', 'running', 'dead')"
                   " GROUP BY kind ORDER BY kind",
                   0, NULL },
    [HQ_BREAKERS] = { "health_breakers",
                      "SELECT provider, state, failures,"
                      " coalesce(to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
                      " FROM provider_breakers WHERE org_id = app_org_id() ORDER BY provider",
                      0, NULL },
    [HQ_RECORDINGS] = { "health_recordings",
                        "SELECT count(*), coalesce(sum(recording_bytes), 0), pg_size_pretty(coalesce(sum(recording_bytes), 0))"
                        " FROM calls WHERE org_id = app_org_id() AND recording_status = 'stored'",
                        0, NULL },
    /* Under RLS: the org's users and live sessions. */
    [HQ_PEOPLE] = { "health_people", "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM sessions)", 0, NULL },
};

struct health {
    struct dbres *q[HQ_COUNT];
    struct metrics_worker_counts workers;
    uint64_t restarts, crashes, recycles;
    struct metrics_window win[WINDOW_COUNT];
    long long disk_free, disk_total; /* of the recordings directory; -1 when unknown */
    long dead_total;
};

/* Reads every figure; 0 or an HTTP status. */
static int health_load(struct request *r, struct health *h)
{
    *h = (struct health){ 0 };
    if (db_exec_batch(r->db, r->arena, HQ_COUNT, health_stmts, h->q) != 0) return app_db_status(r);
    h->workers = metrics_worker_counts();
    struct metrics_shared *m = metrics_get();
    if (m) {
        h->restarts = __atomic_load_n(&m->worker_restarts, __ATOMIC_RELAXED);
        h->crashes = __atomic_load_n(&m->worker_crashes, __ATOMIC_RELAXED);
        h->recycles = __atomic_load_n(&m->worker_recycles, __ATOMIC_RELAXED);
    }
    for (int i = 0; i < WINDOW_COUNT; i++) h->win[i] = metrics_recent(windows[i]);
    struct statvfs fs;
    h->disk_free = h->disk_total = -1;
    if (statvfs(r->cfg->recordings_dir, &fs) == 0) {
        h->disk_free = (long long)fs.f_bavail * (long long)fs.f_frsize;
        h->disk_total = (long long)fs.f_blocks * (long long)fs.f_frsize;
    }
    for (int i = 0; i < db_rows(h->q[HQ_QUEUE]); i++) h->dead_total += db_long(h->q[HQ_QUEUE], i, HK_DEAD);
    return 0;
}

/* v with that many decimals, in the arena. */
static const char *fmt(struct request *r, int decimals, double v)
{
    struct buf b;
    buf_init(&b, r->arena, 16);
    buf_printf(&b, "%.*f", decimals, v);
    return buf_cstr(&b);
}

static double error_rate_pct(const struct metrics_window *w)
{
    return w->count ? 100.0 * (double)w->errors / (double)w->count : 0;
}

static const char *gib(struct request *r, long long bytes)
{
    if (bytes < 0) return "unknown";
    struct buf b;
    buf_init(&b, r->arena, 16);
    buf_printf(&b, "%.1f GiB", (double)bytes / (1024.0 * 1024.0 * 1024.0));
    return buf_cstr(&b);
}

static void fill_dict(struct request *r, struct tdict *d, const struct health *h)
{
    tdict_set(d, "DB_VERSION", db_val(h->q[HQ_DB], 0, HD_VERSION));
    tdict_set(d, "DB_SIZE", db_val(h->q[HQ_DB], 0, HD_SIZE_TEXT));
    const struct dbres *q = h->q[HQ_QUEUE];
    for (int i = 0; i < db_rows(q); i++) {
        struct tdict *x = tdict_add_section(d, "KIND");
        tdict_set(x, "KIND", db_val(q, i, HK_KIND));
        tdict_set(x, "QUEUED", db_val(q, i, HK_QUEUED));
        tdict_set(x, "RUNNING", db_val(q, i, HK_RUNNING));
        tdict_set(x, "DEAD", db_val(q, i, HK_DEAD));
        tdict_set(x, "OLDEST", db_val(q, i, HK_OLDEST_S));
    }
    if (!db_rows(q)) tdict_show(d, "QUEUE_EMPTY");
    tdict_set_long(d, "DEAD_TOTAL", h->dead_total);
    if (h->dead_total) tdict_show(d, "HAS_DEAD");
    const struct dbres *b = h->q[HQ_BREAKERS];
    for (int i = 0; i < db_rows(b); i++) {
        struct tdict *x = tdict_add_section(d, "BREAKER");
        tdict_set(x, "PROVIDER", db_val(b, i, HB_PROVIDER));
        tdict_set(x, "STATE", db_val(b, i, HB_STATE));
        tdict_set(x, "FAILURES", db_val(b, i, HB_FAILURES));
        tdict_set(x, "OPENED_AT", db_val(b, i, HB_OPENED_AT));
    }
    if (!db_rows(b)) tdict_show(d, "NO_BREAKERS");
    tdict_set_long(d, "WORKERS_IDLE", h->workers.idle);
    tdict_set_long(d, "WORKERS_BUSY", h->workers.busy);
    tdict_set_long(d, "WORKER_RESTARTS", (long)h->restarts);
    tdict_set_long(d, "WORKER_CRASHES", (long)h->crashes);
    tdict_set_long(d, "WORKER_RECYCLES", (long)h->recycles);
    for (int i = 0; i < WINDOW_COUNT; i++) {
        struct tdict *x = tdict_add_section(d, "WINDOW");
        tdict_set_long(x, "MINUTES", windows[i]);
        tdict_set_long(x, "COUNT", (long)h->win[i].count);
        tdict_set_cstr(x, "ERROR_RATE", fmt(r, 2, error_rate_pct(&h->win[i])));
        tdict_set_cstr(x, "P50", fmt(r, 1, h->win[i].p50_ms));
        tdict_set_cstr(x, "P95", fmt(r, 1, h->win[i].p95_ms));
        tdict_set_cstr(x, "P99", fmt(r, 1, h->win[i].p99_ms));
    }
    tdict_set(d, "REC_FILES", db_val(h->q[HQ_RECORDINGS], 0, HR_FILES));
    tdict_set(d, "REC_SIZE", db_val(h->q[HQ_RECORDINGS], 0, HR_BYTES_TEXT));
    tdict_set_cstr(d, "DISK_FREE", gib(r, h->disk_free));
    tdict_set_cstr(d, "DISK_TOTAL", gib(r, h->disk_total));
    tdict_set(d, "USER_COUNT", db_val(h->q[HQ_PEOPLE], 0, HP_USERS));
    tdict_set(d, "SESSION_COUNT", db_val(h->q[HQ_PEOPLE], 0, HP_SESSIONS));
}

static struct json_object *num(struct request *r, int decimals, double v)
{
    return json_object_new_double_s(v, fmt(r, decimals, v));
}

static struct json_object *queue_json(const struct dbres *q)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(q); i++) {
        struct json_object *o = json_object_new_object();
        json_add_str(o, "kind", db_val(q, i, HK_KIND));
        json_add_long(o, "queued", db_long(q, i, HK_QUEUED));
        json_add_long(o, "running", db_long(q, i, HK_RUNNING));
        json_add_long(o, "dead", db_long(q, i, HK_DEAD));
        json_add_long(o, "oldest_age_s", db_long(q, i, HK_OLDEST_S));
        json_object_array_add(a, o);
    }
    return a;
}

static struct json_object *breakers_json(const struct dbres *b)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(b); i++) {
        struct json_object *o = json_object_new_object();
        json_add_str(o, "provider", db_val(b, i, HB_PROVIDER));
        json_add_str(o, "state", db_val(b, i, HB_STATE));
        json_add_long(o, "failures", db_long(b, i, HB_FAILURES));
        if (db_val(b, i, HB_OPENED_AT).len) json_add_str(o, "opened_at", db_val(b, i, HB_OPENED_AT));
        else json_object_object_add(o, "opened_at", NULL);
        json_object_array_add(a, o);
    }
    return a;
}

static struct json_object *windows_json(struct request *r, const struct health *h)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < WINDOW_COUNT; i++) {
        struct json_object *o = json_object_new_object();
        json_add_long(o, "minutes", windows[i]);
        json_add_long(o, "requests", (long)h->win[i].count);
        json_add_long(o, "errors", (long)h->win[i].errors);
        json_object_object_add(o, "error_rate", num(r, 4, h->win[i].count ? (double)h->win[i].errors / (double)h->win[i].count : 0));
        json_object_object_add(o, "p50_ms", num(r, 3, h->win[i].p50_ms));
        json_object_object_add(o, "p95_ms", num(r, 3, h->win[i].p95_ms));
        json_object_object_add(o, "p99_ms", num(r, 3, h->win[i].p99_ms));
        json_object_array_add(a, o);
    }
    return a;
}

static struct json_object *health_json(struct request *r, const struct health *h)
{
    struct json_object *data = json_object_new_object();
    struct json_object *db = json_object_new_object();
    json_add_bool(db, "up", true);
    json_add_str(db, "version", db_val(h->q[HQ_DB], 0, HD_VERSION));
    json_object_object_add(db, "size_bytes", json_object_new_int64(db_long(h->q[HQ_DB], 0, HD_SIZE_BYTES)));
    json_object_object_add(data, "database", db);
    json_object_object_add(data, "queue", queue_json(h->q[HQ_QUEUE]));
    json_add_long(data, "dead_jobs", h->dead_total);
    json_object_object_add(data, "providers", breakers_json(h->q[HQ_BREAKERS]));
    struct json_object *w = json_object_new_object();
    json_add_long(w, "busy", h->workers.busy);
    json_add_long(w, "idle", h->workers.idle);
    json_add_long(w, "starting", h->workers.starting);
    json_add_long(w, "restarts", (long)h->restarts);
    json_add_long(w, "crashes", (long)h->crashes);
    json_add_long(w, "recycles", (long)h->recycles);
    json_object_object_add(data, "workers", w);
    json_object_object_add(data, "requests", windows_json(r, h));
    struct json_object *rec = json_object_new_object();
    json_add_long(rec, "files", db_long(h->q[HQ_RECORDINGS], 0, HR_FILES));
    json_object_object_add(rec, "bytes", json_object_new_int64(db_long(h->q[HQ_RECORDINGS], 0, HR_BYTES)));
    json_object_object_add(rec, "disk_free_bytes", h->disk_free < 0 ? NULL : json_object_new_int64(h->disk_free));
    json_object_object_add(rec, "disk_total_bytes", h->disk_total < 0 ? NULL : json_object_new_int64(h->disk_total));
    json_object_object_add(data, "recordings", rec);
    struct json_object *people = json_object_new_object();
    json_add_long(people, "users", db_long(h->q[HQ_PEOPLE], 0, HP_USERS));
    json_add_long(people, "sessions", db_long(h->q[HQ_PEOPLE], 0, HP_SESSIONS));
    json_object_object_add(data, "people", people);
    return data;
}

/* GET /admin and GET /api/v1/admin/health — the figures above; the page refreshes
 * itself from the JSON (static/js/admin_health.js) and is whole without it. */
int admin_health(struct request *r)
{
    struct health h;
    int st = health_load(r, &h);
    if (st) return st;
    if (r->wants_json) {
        json_reply_data(r, 200, health_json(r, &h));
        return 0;
    }
    struct tdict *d = page_dict(r, "System health", "admin/health.tpl");
    admin_nav(d, "health");
    fill_dict(r, d, &h);
    return page_render(r, 200, d);
}

/* GET /api/v1/admin/ping — an admin-only JSON endpoint (role checks, key tests). */
int api_admin_ping(struct request *r)
{
    struct json_object *data = json_object_new_object();
    json_add_bool(data, "ok", true);
    json_reply_data(r, 200, data);
    return 0;
}

/* The admin pages' own navigation ({{>ADMIN_NAV}}, templates/admin/nav.tpl). */
void admin_nav(struct tdict *d, const char *current)
{
    static const struct { const char *key, *href, *label; } items[] = {
        { "health", "/admin", "Health" },
        { "users", "/admin/users", "Users" },
        { "api_keys", "/admin/api-keys", "API keys" },
        { "audit", "/admin/audit", "Audit log" },
        { "jobs", "/admin/jobs", "Jobs" },
        { "webhooks", "/admin/webhooks", "Webhooks" },
        { "alerts", "/admin/alerts", "Alerts" },
        { "settings", "/admin/settings", "Settings" },
        { "usage", "/admin/usage", "Usage" },
    };
    struct tdict *nav = tdict_include(d, "ADMIN_NAV", "admin/nav.tpl");
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        struct tdict *x = tdict_add_section(nav, "ITEM");
        tdict_set_cstr(x, "HREF", items[i].href);
        tdict_set_cstr(x, "LABEL", items[i].label);
        if (strcmp(items[i].key, current) == 0) tdict_show(x, "CURRENT");
    }
}
