/* alerts.c — evaluating the alert rules and delivering their events (alerts.h). */
#include "alerts.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "../auth/org_secret.h"
#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/log.h"
#include "../db/db.h"
#include "../http/metrics.h"
#include "../providers/smtp.h"
#include "webhook_delivery.h"

const struct alert_metric alert_metrics[] = {
    { "error_rate", "Error rate", "% of requests answered 5xx", true },
    { "p95_latency", "p95 latency", "ms", true },
    { "database_down", "Database down", "seconds without an answer", false },
    { "queue_age", "Queue age", "seconds the oldest due job has waited", false },
    { "provider_circuit_open", "Provider circuit open", "providers with an open circuit", false },
    { "recordings_disk", "Recordings disk use", "% of the recordings disk used", false },
};
const int alert_metric_count = (int)(sizeof alert_metrics / sizeof alert_metrics[0]);

const struct alert_metric *alert_metric_find(const char *name)
{
    for (int i = 0; i < alert_metric_count; i++)
        if (strcmp(alert_metrics[i].name, name) == 0) return &alert_metrics[i];
    return NULL;
}

/* ---- the pool's figures ---- */

struct pool_window {
    int minutes; /* 0: not read yet */
    double error_rate_pct, p95_ms;
    long requests;
};

/* The pool's requests over the last `minutes` whole and current minutes, summed over
 * every pool host (pool_request_minutes, written by the application workers). */
static int pool_read(struct job_ctx *c, int minutes, struct pool_window *w)
{
    char m[16];
    snprintf(m, sizeof m, "%d", minutes);
    struct dbres *q = db_q(c->db, c->a, "alerts_pool_window",
                           "WITH now_m AS (SELECT floor(extract(epoch FROM now()) / 60)::bigint AS m),"
                           " rows AS (SELECT p.* FROM pool_request_minutes p, now_m"
                           "  WHERE p.minute > now_m.m - $1::int AND p.minute <= now_m.m)"
                           " SELECT coalesce(sum(requests), 0), coalesce(sum(errors), 0),"
                           " coalesce((SELECT string_agg(s::text, ',' ORDER BY i) FROM (SELECT u.i, sum(u.b) s"
                           "  FROM rows, unnest(rows.buckets) WITH ORDINALITY u(b, i) GROUP BY u.i) x), '')"
                           " FROM rows",
                           m);
    if (!q) return -1;
    uint64_t buckets[METRICS_RING_BUCKETS + 1] = { 0 }, total = 0;
    const char *p = db_cstr(q, 0, 2);
    for (int i = 0; *p && i <= METRICS_RING_BUCKETS; i++) {
        char *end;
        buckets[i] = strtoull(p, &end, 10);
        total += buckets[i];
        p = *end == ',' ? end + 1 : end;
    }
    long requests = db_long(q, 0, 0), errors = db_long(q, 0, 1);
    w->minutes = minutes;
    w->requests = requests;
    w->error_rate_pct = requests ? 100.0 * (double)errors / (double)requests : 0;
    w->p95_ms = metrics_ring_quantile_ms(buckets, total, 0.95);
    return 0;
}

/* Percent of the recordings directory's file system in use; -1 when unknown. */
static double disk_used_pct(const char *dir)
{
    struct statvfs fs;
    if (!dir || statvfs(dir, &fs) != 0 || !fs.f_blocks) return -1;
    double total = (double)fs.f_blocks, avail = (double)fs.f_bavail;
    return 100.0 * (total - avail) / total;
}

static int down_refresh(struct job_ctx *c);

/* ---- evaluation ---- */

enum { RL_ID, RL_ORG, RL_METRIC, RL_THRESHOLD, RL_WINDOW, RL_COOLDOWN, RL_STATE, RL_PENDING_S, RL_SINCE_FIRED_S,
       RL_DB_VALUE, RL_DETAIL, RL_ORG_NAME };

static struct dbres *rules_load(struct job_ctx *c)
{
    return db_q0(c->db, c->a, "alerts_rules_due",
                 "SELECT r.id, r.org_id, r.metric, r.threshold::text, r.window_minutes, r.cooldown_minutes, r.state,"
                 " coalesce(floor(extract(epoch FROM now() - r.pending_since))::bigint, -1),"
                 " coalesce(floor(extract(epoch FROM now() - r.last_fired_at))::bigint, -1),"
                 " CASE r.metric"
                 "  WHEN 'queue_age' THEN (SELECT coalesce(floor(extract(epoch FROM now() - min(j.run_at))), 0)"
                 "   FROM jobs j WHERE j.org_id = r.org_id AND j.status = 'queued' AND j.run_at <= now())"
                 "  WHEN 'provider_circuit_open' THEN (SELECT count(*) FROM provider_breakers b"
                 "   WHERE b.org_id = r.org_id AND b.state <> 'closed')"
                 "  ELSE 0 END::text,"
                 " CASE r.metric WHEN 'provider_circuit_open' THEN (SELECT coalesce(string_agg(b.provider, ', '"
                 "   ORDER BY b.provider), '') FROM provider_breakers b WHERE b.org_id = r.org_id AND b.state <> 'closed')"
                 "  ELSE '' END, o.name"
                 " FROM alert_rules r JOIN orgs o ON o.id = r.org_id WHERE r.enabled ORDER BY r.org_id, r.created_at");
}

struct verdict {
    const char *state, *pending; /* pending: "keep", "now" or "null" */
    const char *event;           /* "", "fired" or "resolved" */
};

/* What a rule does now, given whether its condition holds (see alert_rules.state). */
static struct verdict decide(const struct dbres *q, int i, bool holds)
{
    const char *state = db_cstr(q, i, RL_STATE);
    long held = db_long(q, i, RL_PENDING_S), since_fired = db_long(q, i, RL_SINCE_FIRED_S);
    long window_s = db_long(q, i, RL_WINDOW) * 60, cooldown_s = db_long(q, i, RL_COOLDOWN) * 60;
    const struct alert_metric *m = alert_metric_find(db_cstr(q, i, RL_METRIC));
    bool cooled = since_fired < 0 || since_fired >= cooldown_s;
    if (!holds) {
        if (strcmp(state, "firing") == 0) return (struct verdict){ "ok", "null", "resolved" };
        return (struct verdict){ "ok", "null", "" };
    }
    if (strcmp(state, "firing") == 0) /* still holding: remind once per cooldown */
        return cooled ? (struct verdict){ "firing", "keep", "fired" } : (struct verdict){ "firing", "keep", "" };
    bool was_pending = strcmp(state, "pending") == 0 && held >= 0;
    if (!was_pending) held = 0;
    bool long_enough = (m && m->measured_over_window) || held >= window_s;
    if (long_enough && cooled) return (struct verdict){ "firing", was_pending ? "keep" : "now", "fired" };
    return (struct verdict){ "pending", was_pending ? "keep" : "now", "" };
}

static const char *fmt_value(struct arena *a, double v)
{
    struct buf b;
    buf_init(&b, a, 24);
    buf_printf(&b, "%.3f", v);
    return buf_cstr(&b);
}

static const char *message(struct job_ctx *c, const struct dbres *q, int i, const char *event, double value)
{
    const struct alert_metric *m = alert_metric_find(db_cstr(q, i, RL_METRIC));
    struct buf b;
    buf_init(&b, c->a, 256);
    buf_printf(&b, "[%s] %s: %s is %.1f (threshold %s; %s)", db_cstr(q, i, RL_ORG_NAME),
               strcmp(event, "fired") == 0 ? "FIRING" : "RESOLVED", m ? m->label : db_cstr(q, i, RL_METRIC), value,
               db_cstr(q, i, RL_THRESHOLD), m ? m->unit : "");
    if (*db_cstr(q, i, RL_DETAIL)) buf_printf(&b, ". Open: %s", db_cstr(q, i, RL_DETAIL));
    return buf_cstr(&b);
}

/* The rule's new state, and its event with the delivery job, in one statement. */
static int record(struct job_ctx *c, const struct dbres *q, int i, const struct verdict *v, double value)
{
    const char *msg = *v->event ? message(c, q, i, v->event, value) : "";
    return db_q(c->db, c->a, "alerts_rule_record",
                "WITH u AS (UPDATE alert_rules SET state = $2,"
                " pending_since = CASE $3 WHEN 'now' THEN now() WHEN 'null' THEN NULL ELSE pending_since END,"
                " last_fired_at = CASE WHEN $4 = 'fired' THEN now() ELSE last_fired_at END,"
                " last_value = $5::numeric, last_evaluated_at = now() WHERE id = $1::uuid"
                " RETURNING id, org_id, metric, threshold),"
                " e AS (INSERT INTO alert_events (org_id, rule_id, kind, metric, value, threshold, message)"
                " SELECT org_id, id, $4, metric, $5::numeric, threshold, $6 FROM u WHERE $4 <> '' RETURNING id, org_id)"
                " INSERT INTO jobs (org_id, kind, payload, unique_key, max_attempts)"
                " SELECT org_id, '" ALERT_DELIVER_KIND "', jsonb_build_object('event_id', id),"
                " '" ALERT_DELIVER_KIND ":' || id, " "5" " FROM e",
                db_cstr(q, i, RL_ID), v->state, v->pending, v->event, fmt_value(c->a, value), msg)
               ? 0
               : -1;
}

enum job_result alerts_evaluate_run(struct job_ctx *c, const struct job *j)
{
    (void)j;
    struct dbres *q = rules_load(c);
    if (!q) goto db_error;
    struct pool_window windows[61] = { { 0 } };
    double disk = -2;
    for (int i = 0; i < db_rows(q); i++) {
        const char *metric = db_cstr(q, i, RL_METRIC);
        double value = strtod(db_cstr(q, i, RL_DB_VALUE), NULL), threshold = strtod(db_cstr(q, i, RL_THRESHOLD), NULL);
        bool known = true;
        if (strcmp(metric, "error_rate") == 0 || strcmp(metric, "p95_latency") == 0) {
            int w = (int)db_long(q, i, RL_WINDOW);
            if (w < 1) w = 1;
            if (w > 60) w = 60;
            if (!windows[w].minutes && pool_read(c, w, &windows[w]) != 0) goto db_error;
            value = strcmp(metric, "error_rate") == 0 ? windows[w].error_rate_pct : windows[w].p95_ms;
            known = windows[w].requests > 0;
        } else if (strcmp(metric, "recordings_disk") == 0) {
            if (disk == -2) disk = disk_used_pct(c->cfg->recordings_dir);
            value = disk;
            known = disk >= 0;
        } else if (strcmp(metric, "database_down") == 0) {
            value = 0; /* it answered this run; an outage is seen by the worker (worker.c) */
        }
        bool holds = known && value >= threshold;
        struct verdict v = decide(q, i, holds);
        if (record(c, q, i, &v, known ? value : 0) != 0) goto db_error;
    }
    /* The pool's figures are kept two hours (the longest window is one). */
    if (!db_q0(c->db, c->a, "alerts_pool_trim",
               "DELETE FROM pool_request_minutes WHERE minute < floor(extract(epoch FROM now()) / 60)::bigint - 120"))
        goto db_error;
    if (down_refresh(c) != 0) goto db_error;
    return JOB_DONE;
db_error:
    c->error = db_last_message(c->db);
    return JOB_RETRY;
}

/* ---- delivery ---- */

enum { EV_ORG, EV_KIND, EV_MESSAGE, EV_CHANNEL, EV_DELIVERIES, EV_ORG_NAME, EV_SMTP_HOST, EV_SMTP_PORT,
       EV_SMTP_SECURITY, EV_SMTP_FROM, EV_SMTP_USER, EV_SMTP_PASSWORD };
enum { CH_ID, CH_KIND, CH_NAME, CH_TARGET };

static const char *event_id_of(struct arena *a, const char *payload)
{
    struct json_object *root = json_tokener_parse(payload), *v;
    const char *id = NULL;
    if (root && json_object_object_get_ex(root, "event_id", &v) && json_object_is_type(v, json_type_string))
        id = arena_strdup(a, json_object_get_string(v));
    json_object_put(root);
    return id && str_is_uuid(str_from(id)) ? id : NULL;
}

static const char *open_secret(struct job_ctx *c, const struct dbres *ev, int col, const char *key)
{
    if (db_isnull(ev, 0, col) || !db_val(ev, 0, col).len) return NULL;
    str out;
    if (org_secret_open_b64(c->a, str_from(c->cfg->secret_key), db_val(ev, 0, EV_ORG), key, db_val(ev, 0, col), &out) != 0)
        return NULL;
    return str_cstr(c->a, out);
}

static int send_slack(struct job_ctx *c, const char *url, const char *text, const char **error)
{
    if ((*error = webhook_url_refusal(c->a, c->cfg, url))) return -1;
    struct buf body;
    buf_init(&body, c->a, strlen(text) + 32);
    buf_puts(&body, "{\"text\":");
    buf_json_str(&body, str_from(text));
    buf_putc(&body, '}');
    long status = webhook_post(c->cfg, c->a, url, NULL, buf_str(&body), error);
    if (status >= 200 && status < 300) return 0;
    if (status) {
        struct buf e;
        buf_init(&e, c->a, 64);
        buf_printf(&e, status >= 300 && status < 400 ? "HTTP %ld (redirects are not followed)" : "HTTP %ld", status);
        *error = buf_cstr(&e);
    }
    return -1;
}

static int send_email_via(struct job_ctx *c, const struct smtp_server *s, const char *org_name, const char *to_list,
                          const char *msg, const char **error)
{
    const char *to[20];
    int n = smtp_parse_addresses(c->a, to_list, to, 20);
    if (n <= 0) {
        *error = "the channel's recipients are not valid addresses";
        return -1;
    }
    struct buf subject, body;
    buf_init(&subject, c->a, 160);
    buf_printf(&subject, "Switchboard alert: %.140s", msg);
    buf_init(&body, c->a, strlen(msg) + 256);
    buf_printf(&body, "%s\n\nOrganisation: %s\nSee the alert history on the Alerts page of Switchboard's admin.\n", msg,
               org_name);
    struct smtp_message m = { to, n, buf_cstr(&subject), buf_cstr(&body) };
    return smtp_send(c->a, s, &m, error);
}

static int send_email(struct job_ctx *c, const struct dbres *ev, const char *to_list, const char **error)
{
    struct smtp_server s = {
        .host = db_cstr(ev, 0, EV_SMTP_HOST), .port = (int)db_long(ev, 0, EV_SMTP_PORT),
        .security = db_cstr(ev, 0, EV_SMTP_SECURITY), .from = db_cstr(ev, 0, EV_SMTP_FROM),
        .username = open_secret(c, ev, EV_SMTP_USER, "smtp_username"),
        .password = open_secret(c, ev, EV_SMTP_PASSWORD, "smtp_password"), .timeout_s = c->cfg->http_timeout_s,
    };
    return send_email_via(c, &s, db_cstr(ev, 0, EV_ORG_NAME), to_list, db_cstr(ev, 0, EV_MESSAGE), error);
}

#define SECRET_COL(key)                                                                                   \
    "(SELECT translate(encode(s.ciphertext, 'base64'), E'\\n', '') FROM org_secrets s WHERE s.org_id = e.org_id" \
    " AND s.key = '" key "')"

enum job_result alert_deliver_run(struct job_ctx *c, const struct job *j)
{
    const char *id = event_id_of(c->a, j->payload);
    if (!id) {
        c->error = "payload has no event_id";
        return JOB_FAILED;
    }
    struct dbres *ev = db_q(c->db, c->a, "alert_event_load",
                            "SELECT e.org_id, e.kind, e.message, coalesce(e.channel_id::text, ''), e.deliveries::text,"
                            " o.name, o.smtp_host, o.smtp_port, o.smtp_security, o.smtp_from,"
                            " " SECRET_COL("smtp_username") ", " SECRET_COL("smtp_password")
                            " FROM alert_events e JOIN orgs o ON o.id = e.org_id WHERE e.id = $1::uuid",
                            id);
    if (!ev) goto db_error;
    if (db_rows(ev) != 1) return JOB_DONE; /* the org is gone */
    const char *only = db_cstr(ev, 0, EV_CHANNEL);
    struct dbres *ch = db_q(c->db, c->a, "alert_channels_for_event",
                            "SELECT id, kind, name, target FROM alert_channels WHERE org_id = $1::uuid"
                            " AND (id = nullif($2, '')::uuid OR ($2 = '' AND enabled)) ORDER BY created_at",
                            db_cstr(ev, 0, EV_ORG), only);
    if (!ch) goto db_error;
    struct json_object *done = json_tokener_parse(db_cstr(ev, 0, EV_DELIVERIES));
    if (!done || !json_object_is_type(done, json_type_object)) {
        json_object_put(done);
        done = json_object_new_object();
    }
    int ok = 0, failed = 0;
    const char *last_error = NULL;
    for (int i = 0; i < db_rows(ch); i++) {
        struct json_object *prev, *prev_ok;
        if (json_object_object_get_ex(done, db_cstr(ch, i, CH_ID), &prev) &&
            json_object_object_get_ex(prev, "ok", &prev_ok) && json_object_get_boolean(prev_ok)) {
            ok++;
            continue;
        }
        const char *error = NULL;
        int rc = strcmp(db_cstr(ch, i, CH_KIND), "slack") == 0
                     ? send_slack(c, db_cstr(ch, i, CH_TARGET), db_cstr(ev, 0, EV_MESSAGE), &error)
                     : send_email(c, ev, db_cstr(ch, i, CH_TARGET), &error);
        struct json_object *r = json_object_new_object();
        json_object_object_add(r, "ok", json_object_new_boolean(rc == 0));
        json_object_object_add(r, "channel", json_object_new_string(db_cstr(ch, i, CH_NAME)));
        json_object_object_add(r, "error", json_object_new_string(rc == 0 ? "" : error ? error : "failed"));
        json_object_object_add(done, db_cstr(ch, i, CH_ID), r);
        if (rc == 0) ok++;
        else {
            failed++;
            last_error = error ? error : "failed";
        }
    }
    const char *status = !db_rows(ch) ? "no_channels" : !failed ? "sent" : ok ? "partial" : "failed";
    const char *text = arena_strdup(c->a, json_object_to_json_string_ext(done, JSON_C_TO_STRING_PLAIN));
    json_object_put(done);
    if (!db_q(c->db, c->a, "alert_event_delivered",
              "UPDATE alert_events SET deliveries = $2::jsonb, status = $3 WHERE id = $1::uuid", id, text, status))
        goto db_error;
    if (!failed) return JOB_DONE;
    c->error = last_error;
    return JOB_RETRY;
db_error:
    c->error = db_last_message(c->db);
    return JOB_RETRY;
}

/* ---- database down: from memory ----
 * The one rule the database cannot evaluate: when it is away, nothing can be read.
 * So each evaluation leaves the worker a copy of every enabled database_down rule
 * with its org's channels and SMTP server (g_down, in its own arena), the worker
 * calls alerts_database_unreachable while it cannot reach the database, and
 * alerts_database_back records the firing and queues the resolution once it can. */

struct down_rule {
    char rule_id[37], org_id[37];
    const char *org_name;
    long threshold_s, cooldown_s;
    int64_t last_fired; /* unix seconds; 0: never */
    struct smtp_server smtp;
    int channels;
    const char *kind[20], *name[20], *target[20];
    /* this outage */
    int64_t fired_at;
    int sent, failed;
    const char *error;
};

static struct arena g_down_arena;
static bool g_down_ready;
static struct down_rule *g_down;
static int g_down_n;

enum { DR_RULE, DR_ORG, DR_ORG_NAME, DR_THRESHOLD, DR_COOLDOWN, DR_LAST_FIRED, DR_HOST, DR_PORT, DR_SECURITY, DR_FROM,
       DR_USER, DR_PASSWORD, DR_KIND, DR_NAME, DR_TARGET };

static const char *down_secret(const struct config *cfg, const struct dbres *q, int i, int col, const char *key)
{
    str out;
    if (db_isnull(q, i, col) || !db_val(q, i, col).len ||
        org_secret_open_b64(&g_down_arena, str_from(cfg->secret_key), db_val(q, i, DR_ORG), key, db_val(q, i, col), &out) != 0)
        return NULL;
    return arena_strndup(&g_down_arena, out.ptr, out.len);
}

/* Rebuilds the copy; an outage under way keeps its own (it is not called then). */
static int down_refresh(struct job_ctx *c)
{
    struct dbres *q = db_q0(c->db, c->a, "alerts_down_rules",
                            "SELECT r.id, r.org_id, o.name, ceil(r.threshold)::bigint, r.cooldown_minutes * 60,"
                            " coalesce(floor(extract(epoch FROM r.last_fired_at))::bigint, 0),"
                            " o.smtp_host, o.smtp_port, o.smtp_security, o.smtp_from,"
                            " (SELECT translate(encode(s.ciphertext, 'base64'), E'\\n', '') FROM org_secrets s"
                            "  WHERE s.org_id = r.org_id AND s.key = 'smtp_username'),"
                            " (SELECT translate(encode(s.ciphertext, 'base64'), E'\\n', '') FROM org_secrets s"
                            "  WHERE s.org_id = r.org_id AND s.key = 'smtp_password'),"
                            " c.kind, c.name, c.target"
                            " FROM alert_rules r JOIN orgs o ON o.id = r.org_id"
                            " JOIN alert_channels c ON c.org_id = r.org_id AND c.enabled"
                            " WHERE r.enabled AND r.metric = 'database_down' ORDER BY r.id, c.created_at");
    if (!q) return -1;
    if (!g_down_ready) arena_init(&g_down_arena, 16384);
    else arena_reset(&g_down_arena);
    g_down_ready = true;
    g_down = arena_alloc(&g_down_arena, sizeof *g_down * (size_t)(db_rows(q) + 1));
    g_down_n = 0;
    for (int i = 0; i < db_rows(q); i++) {
        struct down_rule *d = g_down_n ? &g_down[g_down_n - 1] : NULL;
        if (!d || strcmp(d->rule_id, db_cstr(q, i, DR_RULE)) != 0) {
            d = &g_down[g_down_n++];
            memset(d, 0, sizeof *d);
            snprintf(d->rule_id, sizeof d->rule_id, "%s", db_cstr(q, i, DR_RULE));
            snprintf(d->org_id, sizeof d->org_id, "%s", db_cstr(q, i, DR_ORG));
            d->org_name = arena_strdup(&g_down_arena, db_cstr(q, i, DR_ORG_NAME));
            d->threshold_s = db_long(q, i, DR_THRESHOLD);
            d->cooldown_s = db_long(q, i, DR_COOLDOWN);
            d->last_fired = db_long(q, i, DR_LAST_FIRED);
            d->smtp = (struct smtp_server){
                .host = arena_strdup(&g_down_arena, db_cstr(q, i, DR_HOST)), .port = (int)db_long(q, i, DR_PORT),
                .security = arena_strdup(&g_down_arena, db_cstr(q, i, DR_SECURITY)),
                .from = arena_strdup(&g_down_arena, db_cstr(q, i, DR_FROM)),
                .username = down_secret(c->cfg, q, i, DR_USER, "smtp_username"),
                .password = down_secret(c->cfg, q, i, DR_PASSWORD, "smtp_password"), .timeout_s = c->cfg->http_timeout_s,
            };
        }
        if (d->channels == 20) continue;
        d->kind[d->channels] = arena_strdup(&g_down_arena, db_cstr(q, i, DR_KIND));
        d->name[d->channels] = arena_strdup(&g_down_arena, db_cstr(q, i, DR_NAME));
        d->target[d->channels] = arena_strdup(&g_down_arena, db_cstr(q, i, DR_TARGET));
        d->channels++;
    }
    return 0;
}

static const char *down_message(struct arena *a, const struct down_rule *d, const char *what, long down_s)
{
    struct buf b;
    buf_init(&b, a, 200);
    buf_printf(&b, "[%s] %s: Database down is %ld.0 (threshold %ld; seconds without an answer)", d->org_name, what,
               down_s, d->threshold_s);
    return buf_cstr(&b);
}

void alerts_database_unreachable(const struct config *cfg, struct arena *a, long down_s)
{
    int64_t now = (int64_t)time(NULL);
    for (int i = 0; i < g_down_n; i++) {
        struct down_rule *d = &g_down[i];
        int64_t last = d->fired_at ? d->fired_at : d->last_fired;
        if (down_s < d->threshold_s || (last && now - last < d->cooldown_s)) continue;
        d->fired_at = now;
        struct job_ctx c = { .db = NULL, .a = a, .cfg = cfg, .error = NULL };
        const char *msg = down_message(a, d, "FIRING", down_s);
        for (int k = 0; k < d->channels; k++) {
            const char *error = NULL;
            int rc = strcmp(d->kind[k], "slack") == 0 ? send_slack(&c, d->target[k], msg, &error)
                                                      : send_email_via(&c, &d->smtp, d->org_name, d->target[k], msg, &error);
            if (rc == 0) d->sent++;
            else {
                d->failed++;
                d->error = arena_strdup(&g_down_arena, error ? error : "failed");
            }
        }
    }
}

void alerts_database_back(struct db *db, struct arena *a, long down_s)
{
    for (int i = 0; i < g_down_n; i++) {
        struct down_rule *d = &g_down[i];
        if (!d->fired_at) continue;
        char at[24], value[24];
        snprintf(at, sizeof at, "%lld", (long long)d->fired_at);
        snprintf(value, sizeof value, "%ld", down_s);
        const char *status = !d->channels ? "no_channels" : !d->failed ? "sent" : d->sent ? "partial" : "failed";
        struct buf dl;
        buf_init(&dl, a, 160);
        buf_printf(&dl, "{\"from_memory\":{\"ok\":%s,\"channel\":\"%d channel(s), sent while the database was down\",\"error\":",
                   d->failed ? "false" : "true", d->channels);
        buf_json_str(&dl, str_from(d->error ? d->error : ""));
        buf_puts(&dl, "}}");
        /* The firing as it was sent (no delivery job), then the resolution (delivered as usual). */
        if (!db_q(db, a, "alerts_down_record",
                  "WITH r AS (UPDATE alert_rules SET last_fired_at = to_timestamp($2::bigint), last_value = 0,"
                  " last_evaluated_at = now() WHERE id = $1::uuid RETURNING id, org_id, threshold),"
                  " f AS (INSERT INTO alert_events (org_id, rule_id, kind, metric, value, threshold, message, status, deliveries,"
                  " created_at) SELECT org_id, id, 'fired', 'database_down', $3::numeric, threshold, $4, $5, $6::jsonb,"
                  " to_timestamp($2::bigint) FROM r),"
                  " e AS (INSERT INTO alert_events (org_id, rule_id, kind, metric, value, threshold, message)"
                  " SELECT org_id, id, 'resolved', 'database_down', 0, threshold, $7 FROM r RETURNING id, org_id)"
                  " INSERT INTO jobs (org_id, kind, payload, unique_key, max_attempts)"
                  " SELECT org_id, '" ALERT_DELIVER_KIND "', jsonb_build_object('event_id', id),"
                  " '" ALERT_DELIVER_KIND ":' || id, 5 FROM e",
                  d->rule_id, at, value, down_message(a, d, "FIRING", down_s), status, buf_cstr(&dl),
                  down_message(a, d, "RESOLVED", 0)))
            log_warn("alerts: the database_down firing of rule %s is not recorded: %s", d->rule_id, db_last_message(db));
        d->last_fired = d->fired_at;
        d->fired_at = 0;
        d->sent = d->failed = 0;
        d->error = NULL;
    }
}
