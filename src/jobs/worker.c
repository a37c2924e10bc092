/* worker.c — `switchboard worker`: applies stored webhook events in batches, claims
 * jobs (SKIP LOCKED, leases), runs them, records the outcome, wakes on NOTIFY, and
 * schedules the periodic jobs. */
#include "worker.h"
#include "../core/clock.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/log.h"
#include "../db/db.h"
#include "alerts.h"
#include "campaign_send.h"
#include "periodic.h"
#include "recording_download.h"
#include "webhook_apply.h"
#include "webhook_delivery.h"

#define SCHEDULE_EVERY_S 60
/* The campaign dispatch's housekeeping runs this often while campaigns are running
 * (pause, cancel and completion are seen within it), else every worker_poll_s. */
#define DISPATCH_TICK_MS 250
/* Jobs such as a rollup repair of a busy day outlast a request's statement timeout. */
#define WORKER_MIN_STATEMENT_TIMEOUT_MS 60000

static volatile sig_atomic_t g_stop, g_reload;

static void on_signal(int sig)
{
    if (sig == SIGHUP) g_reload = 1;
    else g_stop = 1;
}

static void install_signals(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal; /* no SA_RESTART: a wait for NOTIFY must return */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

struct worker {
    struct config *cfg;
    struct db *db;
    struct arena arena;
    char id[128];
    time_t last_schedule;
    int64_t last_applied_us; /* when a webhook batch last applied events; 0: never */
    int64_t last_tick_us;    /* when the dispatch housekeeping last ran */
    int running_campaigns;   /* what it found then */
    time_t db_down_since;    /* when the database stopped answering; 0: it answers */
};

static struct db *open_db(const struct config *cfg)
{
    const char *url = cfg->admin_database_url && *cfg->admin_database_url ? cfg->admin_database_url
                                                                          : cfg->database_url;
    int timeout = cfg->statement_timeout_ms > WORKER_MIN_STATEMENT_TIMEOUT_MS ? cfg->statement_timeout_ms
                                                                              : WORKER_MIN_STATEMENT_TIMEOUT_MS;
    return db_open(url, timeout);
}

/* Queues the periodic jobs that have no live run (periodic.h), once a minute. */
static void schedule_periodic(struct worker *w)
{
    time_t now = time(NULL);
    if (w->last_schedule && now - w->last_schedule < SCHEDULE_EVERY_S) return;
    w->last_schedule = now;
    if (periodic_ensure(w->db, &w->arena) < 0) log_warn("cannot schedule the periodic jobs: %s", db_last_message(w->db));
    arena_reset(&w->arena);
}

static enum job_result run_kind(struct job_ctx *c, const struct job *j)
{
    if (str_eq(j->kind, STR(RECORDING_DOWNLOAD_KIND))) return recording_download_run(c, j);
    const struct periodic_job *p = periodic_find(j->kind);
    if (p) return p->run(c, j);
    if (str_eq(j->kind, STR(CAMPAIGN_SEND_KIND))) return campaign_send_run(c, j);
    if (str_eq(j->kind, STR(WEBHOOK_DELIVERY_KIND))) return webhook_delivery_run(c, j);
    if (str_eq(j->kind, STR(ALERT_DELIVER_KIND))) return alert_deliver_run(c, j);
    c->error = "unknown job kind";
    return JOB_FAILED;
}

static void log_job(struct worker *w, const struct job *j, const char *outcome, int64_t us, const char *error)
{
    struct buf b;
    buf_init(&b, &w->arena, 512);
    char now[40];
    log_now_iso(now, sizeof now);
    buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"job\",\"worker\":", now,
               strcmp(outcome, "done") == 0 ? "info" : "warn");
    buf_json_str(&b, str_from(w->id));
    buf_printf(&b, ",\"id\":%s,\"kind\":", j->id);
    buf_json_str(&b, j->kind);
    buf_printf(&b, ",\"org\":\"%s\",\"attempt\":%d,\"outcome\":\"%s\",\"duration_ms\":%.3f", j->org_id,
               j->attempts, outcome, (double)us / 1000.0);
    if (error) {
        buf_puts(&b, ",\"error\":");
        buf_json_str(&b, str_from(error));
    }
    buf_putc(&b, '}');
    log_line(buf_str(&b));
}

/* A periodic job that finished (done or dead) queues its next run. */
static void periodic_after(struct worker *w, const struct job *j)
{
    const struct periodic_job *p = periodic_find(j->kind);
    if (p && periodic_next(w->db, &w->arena, p) != 0)
        log_warn("cannot queue the next %s: %s", p->kind, db_last_message(w->db));
}

/* Records the outcome; returns "done", "retry" or "dead". */
static const char *finish(struct worker *w, struct job_ctx *c, const struct job *j, enum job_result res)
{
    if (res == JOB_DONE) {
        if (job_complete(w->db, &w->arena, j, w->id) != 0) c->error = db_last_message(w->db);
        periodic_after(w, j);
        return "done";
    }
    int rc = job_fail(w->db, &w->arena, j, w->id, c->error, res == JOB_RETRY, w->cfg->job_backoff_ms);
    if (rc == 1) return "retry";
    if (str_eq(j->kind, STR(RECORDING_DOWNLOAD_KIND))) recording_download_dead(c, j);
    periodic_after(w, j);
    return "dead";
}

/* Claims and runs one job; 1 when one ran, 0 when the queue is empty, -1 on error. */
static int run_one(struct worker *w)
{
    struct job j;
    int got = job_claim(w->db, &w->arena, w->id, w->cfg->job_lease_s, &j);
    if (got <= 0) return got;
    int64_t t0 = clock_mono_us();
    struct job_ctx c = { .db = w->db, .a = &w->arena, .cfg = w->cfg, .error = NULL };
    enum job_result res = run_kind(&c, &j);
    const char *outcome = finish(w, &c, &j, res);
    log_job(w, &j, outcome, clock_mono_us() - t0, c.error);
    return 1;
}

static void reload(struct worker *w, const char *config_path)
{
    g_reload = 0;
    struct config fresh;
    config_defaults(&fresh);
    if (config_load(&fresh, config_path, true) != 0) {
        config_free(&fresh);
        log_error("worker: configuration reload failed; keeping the old one");
        return;
    }
    config_free(w->cfg);
    *w->cfg = fresh;
    db_close(w->db);
    w->db = open_db(w->cfg);
    enum log_level lvl;
    if (log_level_parse(w->cfg->log_level, &lvl)) log_set_level(lvl);
    log_info("worker: configuration reloaded");
}

/* Applies webhook batches while full ones are pending; then refreshes one small chunk
 * of the top-numbers blocks they left due (WEBHOOK_BLOCKS_BATCH, tens of milliseconds)
 * and comes back for the events stored meanwhile: events first (a call's page waits
 * for them, the blocks only for the analytics), the blocks in the time the worker
 * would otherwise spend waiting for the next batch to grow, so an event never waits
 * behind more than one chunk. Returns whether blocks were refreshed (more may be due:
 * the caller does not sleep). */
static bool apply_webhooks(struct worker *w)
{
    int n = 0;
    while (!g_stop && (n = webhook_apply_batch(w->db, &w->arena, w->cfg)) > 0) {
        w->last_applied_us = clock_mono_us();
        arena_reset(&w->arena);
        if (n < WEBHOOK_APPLY_BATCH) break;
    }
    arena_reset(&w->arena);
    if (g_stop || n < 0) return false;
    int refreshed = webhook_number_blocks_catch_up(w->db, &w->arena);
    arena_reset(&w->arena);
    return refreshed > 0;
}

/* Waits for a NOTIFY: WEBHOOK_APPLY_LOOK_MS while webhook events arrived lately (a
 * request does not notify for every event, and the pause lets the next batch grow),
 * else at most worker_poll_s (a missed notification costs one poll). */
static void idle(struct worker *w)
{
    bool lately = w->last_applied_us &&
                  clock_mono_us() - w->last_applied_us < (int64_t)WEBHOOK_APPLY_LINGER_MS * 1000;
    int timeout_ms = lately ? WEBHOOK_APPLY_LOOK_MS : w->cfg->worker_poll_s * 1000;
    if (w->running_campaigns > 0 && timeout_ms > DISPATCH_TICK_MS) timeout_ms = DISPATCH_TICK_MS;
    if (db_wait_notify(w->db, timeout_ms) < 0) {
        struct timespec ts = { 1, 0 }; /* database away: retry the connection each second */
        nanosleep(&ts, NULL);
    }
}

/* The dispatch's housekeeping, at most every DISPATCH_TICK_MS. */
static void dispatch_tick(struct worker *w)
{
    int64_t now = clock_mono_us();
    if (w->last_tick_us && now - w->last_tick_us < (int64_t)DISPATCH_TICK_MS * 1000) return;
    w->last_tick_us = now;
    int n = campaign_dispatch_tick(w->db, &w->arena);
    if (n < 0) log_warn("campaign dispatch: %s", db_last_message(w->db));
    else w->running_campaigns = n;
    arena_reset(&w->arena);
}

/* The database_down alert rules are sent from memory while the database is away
 * (alerts.h), and recorded when it is back. */
static void database_away(struct worker *w)
{
    time_t now = time(NULL);
    if (!w->db_down_since) w->db_down_since = now;
    alerts_database_unreachable(w->cfg, &w->arena, (long)(now - w->db_down_since));
    arena_reset(&w->arena);
}

static void database_back(struct worker *w)
{
    if (!w->db_down_since) return;
    alerts_database_back(w->db, &w->arena, (long)(time(NULL) - w->db_down_since));
    w->db_down_since = 0;
    arena_reset(&w->arena);
}

/* Webhook events go first and between any two jobs, so a slow job (a download) delays
 * a call's page by one job at most, not by a queue of them. */
static void run_loop(struct worker *w, const char *config_path)
{
    while (!g_stop) {
        if (g_reload) reload(w, config_path);
        /* Listening before claiming: an event or a job queued after the claim found
         * nothing still wakes us. (LISTEN again is a no-op; it also covers reconnects.) */
        if (db_exec_simple(w->db, "LISTEN jobs; LISTEN " WEBHOOK_APPLY_CHANNEL) != 0) {
            database_away(w);
            idle(w);
            continue;
        }
        database_back(w);
        schedule_periodic(w);
        dispatch_tick(w);
        bool refreshed = apply_webhooks(w);
        int ran = g_stop || g_reload ? 0 : run_one(w);
        arena_reset(&w->arena);
        if (ran != 1 && !refreshed && !g_stop && !g_reload) idle(w);
    }
}

int worker_main(struct config *cfg, const char *config_path)
{
    install_signals();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("worker: libcurl failed to initialise");
        return 1;
    }
    struct worker w = { .cfg = cfg };
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(w.id, sizeof w.id, "%s:%ld", host, (long)getpid());
    arena_init(&w.arena, 64 * 1024);
    w.db = open_db(cfg);
    log_info("worker %s started", w.id);
    run_loop(&w, config_path);
    log_info("worker %s stopped", w.id);
    arena_destroy(&w.arena);
    db_close(w.db);
    curl_global_cleanup();
    return 0;
}
