/* ops.c — operations endpoints: health for load balancers, metrics for Prometheus. */
#include <json-c/json.h>
#include <string.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../db/db.h"
#include "../../http/metrics.h"
#include "../../view/json.h"
#include "../app.h"
#include "../routes.h"
#include "ops.h"

static bool db_alive(struct request *r)
{
    return db_q0(r->db, r->arena, "healthz_ping", "SELECT 1") != NULL;
}

/* GET /healthz — 200 when the database answers, else 503 naming what is down. */
int healthz_show(struct request *r)
{
    bool db_ok = db_alive(r);
    struct metrics_worker_counts c = metrics_worker_counts();
    struct json_object *o = json_object_new_object();
    json_add_cstr(o, "status", db_ok ? "ok" : "unavailable");
    json_add_cstr(o, "db", db_ok ? "ok" : "down");
    struct json_object *w = json_object_new_object();
    json_add_long(w, "idle", c.idle);
    json_add_long(w, "busy", c.busy);
    json_object_object_add(o, "workers", w);
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    r->res->status = db_ok ? 200 : 503;
    buf_puts(&r->res->body, text);
    json_object_put(o);
    response_header(r->res, r->arena, "Content-Type", STR("application/json; charset=utf-8"));
    if (!db_ok) response_header(r->res, r->arena, "Retry-After", STR("1"));
    return 0;
}

static bool is_loopback(str addr)
{
    return str_eq(addr, STR("::1")) || str_starts_with(addr, STR("127.")) ||
           str_eq(addr, STR("::ffff:127.0.0.1"));
}

/* An admin API key lets a remote scraper in; checked in a short transaction. */
static bool admin_key_ok(struct request *r)
{
    str auth = str_trim(r->authorization);
    if (!str_case_starts_with(auth, STR("Bearer "))) return false;
    str key = str_trim(str_make(auth.ptr + 7, auth.len - 7));
    if (db_begin(r->db) != 0) return false;
    bool failed;
    struct session *s = session_from_api_key(r->db, r->arena, key, r->remote_addr, r->request_id, &failed);
    db_commit(r->db);
    return s && s->role == ROLE_ADMIN;
}

/* The campaign sender's circuit breakers: one series per org, provider and state,
 * 1 for the state it is in. They live in the database; when it cannot be read the
 * pool's own figures are still answered (they matter most then), with
 * switchboard_provider_breakers_readable 0 saying these are missing. */
static void breaker_metrics(struct request *r)
{
    struct dbres *q = db_q0(r->db, r->arena, "metrics_breakers",
                            "SELECT org, provider, state, failures FROM sb_provider_breaker_states()");
    struct buf *b = &r->res->body;
    buf_printf(b, "# HELP switchboard_provider_breakers_readable 1 when the breaker states below could be read.\n"
                  "# TYPE switchboard_provider_breakers_readable gauge\nswitchboard_provider_breakers_readable %d\n",
               q != NULL);
    if (!q) {
        db_rollback(r->db);
        return;
    }
    static const char *const states[] = { "closed", "open", "half_open" };
    buf_puts(b, "# HELP switchboard_provider_breaker_state The campaign sender's circuit breaker per org and"
                " provider (1 for its state).\n# TYPE switchboard_provider_breaker_state gauge\n");
    for (int i = 0; i < db_rows(q); i++)
        for (int k = 0; k < 3; k++)
            buf_printf(b, "switchboard_provider_breaker_state{org=\"%s\",provider=\"%s\",state=\"%s\"} %d\n",
                       db_cstr(q, i, 0), db_cstr(q, i, 1), states[k], strcmp(db_cstr(q, i, 2), states[k]) == 0);
}

/* GET /metrics — Prometheus text; from loopback (unless configured otherwise) or
 * with an admin API key. */
int metrics_show(struct request *r)
{
    bool loopback_ok = strcmp(r->cfg->metrics_allow, "loopback") == 0 && is_loopback(r->remote_addr);
    if (!loopback_ok && !admin_key_ok(r)) return app_forbid(r, "metrics");
    int count;
    const char *const *names = app_route_names(&count);
    metrics_render(&r->res->body, names, count);
    breaker_metrics(r);
    r->res->status = 200;
    response_header(r->res, r->arena, "Content-Type", STR("text/plain; version=0.0.4; charset=utf-8"));
    return 0;
}
