/* ops.c — operations endpoints (health, metrics), the admin page, and the
 * small identity API. */
#include <json-c/json.h>
#include <string.h>

#include "../auth/session.h"
#include "../core/arena.h"
#include "../db/db.h"
#include "../http/metrics.h"
#include "../view/json.h"
#include "../view/view.h"
#include "app.h"
#include "handlers.h"

struct pool_counts {
    int idle, busy, starting;
};

static struct pool_counts pool_counts(void)
{
    struct pool_counts c = { 0, 0, 0 };
    struct metrics_shared *m = metrics_get();
    if (!m) return c;
    for (int i = 0; i < METRICS_MAX_WORKERS; i++) {
        int st = m->workers[i].state;
        if (!m->workers[i].pid) continue;
        if (st == WORKER_IDLE) c.idle++;
        else if (st == WORKER_BUSY) c.busy++;
        else if (st == WORKER_STARTING) c.starting++;
    }
    return c;
}

static bool db_alive(struct request *r)
{
    return db_q0(r->db, r->arena, "healthz_ping", "SELECT 1") != NULL;
}

/* GET /healthz — 200 when the database answers, else 503 naming what is down. */
int healthz_show(struct request *r)
{
    bool db_ok = db_alive(r);
    struct pool_counts c = pool_counts();
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
    struct session *s = session_from_api_key(r->db, r->arena, key, &failed);
    db_commit(r->db);
    return s && s->role == ROLE_ADMIN;
}

/* GET /metrics — Prometheus text; from loopback (unless configured otherwise) or
 * with an admin API key. */
int metrics_show(struct request *r)
{
    bool loopback_ok = strcmp(app_cfg()->metrics_allow, "loopback") == 0 && is_loopback(r->remote_addr);
    if (!loopback_ok && !admin_key_ok(r)) return 403;
    int count;
    const char *const *names = app_route_names(&count);
    metrics_render(&r->res->body, names, count);
    r->res->status = 200;
    response_header(r->res, r->arena, "Content-Type", STR("text/plain; version=0.0.4; charset=utf-8"));
    return 0;
}

/* GET /admin — system health for admins: database, worker pool, counters. */
int admin_show(struct request *r)
{
    struct dbres *db = db_q0(r->db, r->arena, "admin_db",
                             "SELECT version(), pg_size_pretty(pg_database_size(current_database())),"
                             " (SELECT count(*) FROM users), (SELECT count(*) FROM sessions)");
    if (!db) return 503;
    struct metrics_shared *m = metrics_get();
    struct pool_counts c = pool_counts();
    struct tdict *d = page_dict(r, "Admin", "admin.tpl");
    tdict_set(d, "DB_VERSION", db_val(db, 0, 0));
    tdict_set(d, "DB_SIZE", db_val(db, 0, 1));
    tdict_set(d, "USER_COUNT", db_val(db, 0, 2));
    tdict_set(d, "SESSION_COUNT", db_val(db, 0, 3));
    tdict_set_long(d, "WORKERS_IDLE", c.idle);
    tdict_set_long(d, "WORKERS_BUSY", c.busy);
    tdict_set_long(d, "WORKER_RESTARTS", m ? (long)m->worker_restarts : 0);
    tdict_set_long(d, "WORKER_CRASHES", m ? (long)m->worker_crashes : 0);
    tdict_set_long(d, "DB_ERRORS", m ? (long)m->db_errors : 0);
    tdict_set_long(d, "REQUESTS_SERVED", m ? (long)m->latency_count : 0);
    return page_render(r, 200, d);
}

/* GET /api/v1/me — who is asking: the user (or API key) and the org. */
int api_me_show(struct request *r)
{
    struct session *s = r->session;
    struct json_object *data = json_object_new_object();
    struct json_object *user = json_object_new_object();
    if (r->via_api_key) {
        json_add_str(user, "id", STR_NULL);
        json_add_str(user, "api_key_id", s->api_key_id);
    } else {
        json_add_str(user, "id", s->user_id);
        json_add_str(user, "email", s->email);
    }
    json_add_str(user, "name", s->user_name);
    json_add_cstr(user, "role", role_name(s->role));
    struct json_object *org = json_object_new_object();
    json_add_str(org, "id", s->org_id);
    json_add_str(org, "slug", s->org_slug);
    json_add_str(org, "name", s->org_name);
    json_add_str(org, "timezone", s->org_timezone);
    json_object_object_add(data, "user", user);
    json_object_object_add(data, "org", org);
    json_reply_data(r, 200, data);
    return 0;
}

/* The "name" input from a JSON body or a form: 1 found (a string), 0 absent,
 * -1 present but not a string. */
static int name_input(struct request *r, str *out)
{
    if (r->json) {
        struct json_object *v;
        if (!json_object_object_get_ex(r->json, "name", &v)) return 0;
        if (!json_object_is_type(v, json_type_string)) return -1;
        *out = str_make(json_object_get_string(v), (size_t)json_object_get_string_len(v));
        return 1;
    }
    const str *f = kvlist_get(&r->form, "name");
    if (!f) return 0;
    *out = *f;
    return 1;
}

static int invalid_name(struct request *r, const char *message)
{
    struct json_object *fields = json_object_new_object();
    json_add_cstr(fields, "name", message);
    app_error(r, 400, "The name is not valid.", fields);
    return 0; /* the error response is the answer; nothing was written */
}

/*
 * POST /api/v1/me/name — changes the signed-in user's display name.
 *   name: 1..200 characters (JSON {"name":...} or form field).
 */
int api_me_name_update(struct request *r)
{
    if (r->via_api_key) {
        app_error(r, 400, "API keys act for the organisation, not a user; sign in to change a name.",
                  NULL);
        return 0;
    }
    str n;
    int found = name_input(r, &n);
    if (found == 0) return invalid_name(r, "is required");
    if (found < 0) return invalid_name(r, "must be a string");
    n = str_trim(n);
    if (n.len == 0) return invalid_name(r, "must not be empty");
    if (memchr(n.ptr, '\0', n.len)) return invalid_name(r, "must not contain NUL characters");
    if (utf8_length(n) > 200) return invalid_name(r, "must be at most 200 characters");
    if (!utf8_valid(n)) return invalid_name(r, "must be valid UTF-8");
    struct dbres *res = db_q(r->db, r->arena, "me_name_update",
                             "UPDATE users SET name = $1, updated_at = now() WHERE id = $2"
                             " RETURNING name",
                             str_cstr(r->arena, n), str_cstr(r->arena, r->session->user_id));
    if (!res) return db_error_http_status(db_last_error(r->db));
    if (db_rows(res) != 1) return 404;
    struct json_object *data = json_object_new_object();
    json_add_str(data, "name", db_val(res, 0, 0));
    json_reply_data(r, 200, data);
    return 0;
}

/* GET /api/v1/admin/ping — an admin-only JSON endpoint (role checks, key tests). */
int api_admin_ping(struct request *r)
{
    struct json_object *data = json_object_new_object();
    json_add_bool(data, "ok", true);
    json_reply_data(r, 200, data);
    return 0;
}
