/* app.c — the request pipeline: parse → route → authenticate → authorise → CSRF →
 * handler inside one transaction → response → log line. Handlers never repeat
 * these checks; the route table (routes.c) declares what each route needs. */
#include "app.h"
#include "../core/clock.h"

#include <json-c/json.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../auth/audit.h"
#include "../auth/csrf.h"
#include "../auth/session.h"
#include "../core/arena.h"
#include "../core/log.h"
#include "../db/db.h"
#include "../http/fcgi.h"
#include "../http/metrics.h"
#include "../http/pool.h"
#include "../view/view.h"
#include "admin/usage_counter.h"
#include "admin/pool_minutes.h"
#include "routes.h"

static struct app g_app;

static bool is_write_method(str m)
{
    return str_eq(m, STR("POST")) || str_eq(m, STR("PUT")) || str_eq(m, STR("PATCH")) ||
           str_eq(m, STR("DELETE"));
}

static int parse_status_to_http(int rc)
{
    return rc == PARSE_TOO_LARGE ? 413 : 400;
}

/* Decodes the body by its media type. Returns 0 or an HTTP status. */
static int parse_body(struct request *r)
{
    str type = content_type_base(r->arena, r->content_type);
    bool multipart = str_eq(type, STR("multipart/form-data"));
    if (r->body.len == 0 && !multipart) return 0;
    int rc;
    if (str_eq(type, STR("application/x-www-form-urlencoded"))) {
        rc = parse_urlencoded(r->arena, r->body, &r->form);
    } else if (str_eq(type, STR("application/json"))) {
        rc = parse_json(r->arena, r->body, &r->json);
    } else if (multipart) {
        str boundary;
        rc = multipart_boundary(r->content_type, &boundary);
        if (rc == PARSE_OK)
            rc = parse_multipart(r->arena, r->body, boundary, &r->form, &r->files, &r->nfiles);
    } else {
        return 415;
    }
    return rc == PARSE_OK ? 0 : parse_status_to_http(rc);
}

static int parse_inputs(struct request *r)
{
    int rc = parse_urlencoded(r->arena, r->query_string, &r->query);
    if (rc == PARSE_OK) rc = parse_cookies(r->arena, r->cookie_header, &r->cookies);
    if (rc != PARSE_OK) return parse_status_to_http(rc);
    return is_write_method(r->method) ? parse_body(r) : 0;
}

static str bearer_token(const struct request *r)
{
    str auth = str_trim(r->authorization);
    if (!str_case_starts_with(auth, STR("Bearer "))) return STR_NULL;
    return str_trim(str_make(auth.ptr + 7, auth.len - 7));
}

/* Resolves the session or API key (which also sets the tenant for the
 * transaction). Returns 0 or an HTTP status. */
static int authenticate(struct request *r)
{
    bool failed = false;
    str key = bearer_token(r);
    if (key.len) {
        if (!r->session_lookup_needed) {
            r->session = apikey_recall(r->db, r->arena, key);
            if (r->session) {
                metrics_session_recalled(false);
                r->via_api_key = true;
                return 0;
            }
        }
        r->session = session_from_api_key(r->db, r->arena, key, r->remote_addr, r->request_id, &failed);
        if (failed) return 503;
        if (!r->session) return 401; /* a wrong key is never silently anonymous */
        r->via_api_key = true;
        return 0;
    }
    const str *cookie = kvlist_get(&r->cookies, SESSION_COOKIE);
    if (!cookie) return 0;
    int idle_s = r->cfg->session_idle_timeout_s;
    if (!r->session_lookup_needed) {
        r->session = session_recall(r->db, r->arena, *cookie);
        if (r->session) {
            metrics_session_recalled(false);
            return 0;
        }
    }
    r->session = session_from_token(r->db, r->arena, *cookie, idle_s, &failed);
    return failed ? 503 : 0;
}

int app_db_status(const struct request *r) { return db_error_http_status(db_last_error(r->db)); }

int app_forbid(struct request *r, const char *why)
{
    struct session *s = r->session;
    char detail[256];
    snprintf(detail, sizeof detail, "{\"reason\":\"%s\",\"route\":\"%s\"}", why,
             r->route ? r->route->name : "");
    /* Nobody signed in (a forged CSRF token, a bad recording signature): bounded,
     * as a flood of them could otherwise grow the audit log without end. */
    if (!s) audit_unauthenticated(r, STR(""), STR(""), "security.forbidden", detail);
    else
        audit_security(r, s->org_id, s->user_id, s->email.len ? s->email : s->user_name, "security.forbidden",
                       detail);
    return 403;
}

static bool csrf_ok(struct request *r)
{
    if (r->via_api_key) return true; /* no cookies involved, nothing to forge */
    const str *field = kvlist_get(&r->form, "csrf_token");
    str submitted = field ? *field : r->csrf_header;
    if (r->session) return csrf_check(r->arena, app_secret(r), r->session->token_hash,
                                      submitted);
    const str *pre = kvlist_get(&r->cookies, CSRF_COOKIE);
    return pre && csrf_binding_valid(*pre) && csrf_check(r->arena, app_secret(r), *pre, submitted);
}

/* The checks every route gets before its handler. Returns 0 or an HTTP status. */
static int admit(struct request *r)
{
    const struct route *rt = r->route;
    if (r->via_api_key && !(rt->flags & ROUTE_API)) return 401;
    if (rt->flags & ROUTE_AUTH) {
        if (!r->session) return 401;
        if (r->session->role < rt->min_role) return app_forbid(r, "role");
        if (r->via_api_key && (rt->flags & ROUTE_KEY_MANAGER) && r->session->role < ROLE_MANAGER)
            return app_forbid(r, "role");
    }
    bool csrf_needed = is_write_method(r->method) && !(rt->flags & ROUTE_NO_CSRF) &&
                       (r->session || !(rt->flags & ROUTE_CSRF_IF_SIGNED_IN));
    if (csrf_needed && !csrf_ok(r)) return app_forbid(r, "csrf");
    return 0;
}

/* The entity a route acts on: its first path segment after /api/v1 ("payments"). */
static const char *route_entity(struct request *r)
{
    str p = str_from(r->route->pattern);
    if (str_starts_with(p, STR("/api/v1/"))) p = str_make(p.ptr + 7, p.len - 7);
    size_t end = 1;
    while (end < p.len && p.ptr[end] != '/') end++;
    return p.len > 1 ? str_cstr(r->arena, str_make(p.ptr + 1, end - 1)) : "";
}

/* Every signed-in write leaves an audit row: one that wrote none of its own (brands,
 * deliverables, payments, FX rates, a user's name) gets the route's name as action
 * and its {id} as entity id, in its transaction (none left open: nothing to add to). */
static int audit_unaudited_write(struct request *r)
{
    if (r->audited || !r->session || !(r->route->flags & ROUTE_AUTH) || !is_write_method(r->method) ||
        !db_in_tx(r->db))
        return 0;
    return audit_write(r, r->route->name, route_entity(r), req_path_param(r, "id"), NULL);
}

/* Runs the handler in a transaction; a serialization failure is retried once. */
static int run_in_transaction(struct request *r)
{
    for (int attempt = 0;; attempt++) {
        /* BEGIN travels with the first statement (usually the session lookup), so a
         * request pays no round trip for it; a database that is down shows up as that
         * statement's 503, counted below like every database error. */
        db_begin_deferred(r->db);
        int status = authenticate(r);
        if (status == 0) status = admit(r);
        if (status == 0) status = r->route->handler(r);
        if (status == 0) status = audit_unaudited_write(r);
        if (status == 0 && db_commit(r->db) == 0) return 0;
        if (status == REPLIED) {
            db_rollback(r->db);
            return 0;
        }
        enum db_error e = db_last_error(r->db);
        if (e == DB_ERR_GUARD && !r->session_lookup_needed) {
            /* The remembered session no longer holds: nothing ran; look it up. */
            db_rollback(r->db);
            metrics_session_recalled(true);
            if (r->session) session_forget(r->session);
            r->session_lookup_needed = true;
            r->audited = false;
            attempt--;
            response_reset(r->res);
            r->session = NULL;
            r->via_api_key = false;
            continue;
        }
        if (status == 403 || status == 401) {
            db_commit(r->db); /* keeps the audit row of the refusal */
            return status;
        }
        db_rollback(r->db);
        if (e == DB_ERR_RETRY && attempt == 0) {
            r->audited = false;
            response_reset(r->res);
            r->session = NULL;
            r->via_api_key = false;
            continue;
        }
        if (status == 0) status = db_error_http_status(e);
        if (status == 500 || status == 503) metrics_db_error();
        return status;
    }
}

static void unauthenticated(struct request *r)
{
    if (r->wants_json || r->via_api_key || bearer_token(r).len) {
        response_header(r->res, r->arena, "WWW-Authenticate", STR("Bearer"));
        app_error(r, 401, "Sign in or send a valid API key.", NULL);
        return;
    }
    /* A cookie that no longer names a session (expired, signed out elsewhere) goes. */
    if (kvlist_get(&r->cookies, SESSION_COOKIE))
        response_set_cookie(r->res, r->arena, SESSION_COOKIE, STR(""), 0, true);
    struct buf loc;
    buf_init(&loc, r->arena, 128);
    buf_puts(&loc, "/login");
    if (str_eq(r->method, STR("GET")) && !str_eq(r->path, STR("/"))) {
        buf_puts(&loc, "?next=");
        buf_url_arg(&loc, r->path);
        if (r->query_string.len) {
            buf_url_arg(&loc, STR("?"));
            buf_url_arg(&loc, r->query_string);
        }
    }
    redirect_see_other(r, buf_cstr(&loc), NULL, NULL);
}

/* The body is read only once the route is known, to that route's limit: only
 * upload routes accept more than body_limit, whatever the content type. */
static int read_body(struct fcgi_conn *conn, struct request *r)
{
    const struct config *cfg = r->cfg;
    long limit = (r->route->flags & ROUTE_UPLOAD) ? cfg->upload_limit : cfg->body_limit;
    return fcgi_read_body(conn, r, limit);
}

/* Runs one request end to end (everything but the FastCGI framing). */
static void handle(struct app *app, struct fcgi_conn *conn, struct request *r)
{
    r->db = app->db;
    r->cfg = app->cfg;
    r->wants_json = str_starts_with(r->path, STR("/api/")) || req_accepts_json(r);
    str allow;
    size_t route_count;
    const struct route *routes = app_routes(&route_count);
    enum route_match m = router_match(routes, route_count, r->arena, r->method, r->path, &r->route,
                                      &r->params, &allow);
    if (m == ROUTE_NOT_FOUND) {
        app_error(r, 404, "There is no page at this address.", NULL);
        return;
    }
    if (m == ROUTE_METHOD_NOT_ALLOWED) {
        app_error(r, 405, "This address does not accept that method.", NULL);
        response_header(r->res, r->arena, "Allow", allow);
        return;
    }
    if (r->route->flags & ROUTE_JSON) r->wants_json = true;
    int status = read_body(conn, r);
    if (status == 0) status = parse_inputs(r);
    if (status == 0) {
        status = (r->route->flags & ROUTE_NO_DB_TX) ? r->route->handler(r) : run_in_transaction(r);
        if (status == REPLIED) status = 0;
    }
    if (status == 401 && !r->via_api_key) {
        response_reset(r->res);
        unauthenticated(r);
    } else if (status != 0) {
        response_reset(r->res);
        const char *msg = status == 503 ? "The service is temporarily unavailable; try again shortly."
                        : status == 413 ? "The request body is too large."
                        : status == 415 ? "Unsupported content type."
                        : status == 400 ? "The request could not be understood."
                        : NULL;
        app_error(r, status, msg, NULL);
        if (status == 503) response_header(r->res, r->arena, "Retry-After", STR("1"));
    }
}

/* Index of the matched route for metrics (route count = unmatched). */
static int route_index(const struct request *r)
{
    size_t count;
    const struct route *routes = app_routes(&count);
    return r->route ? (int)(r->route - routes) : (int)count;
}

static void log_request(struct request *r, int64_t duration_us, int64_t db_us)
{
    struct buf b;
    buf_init(&b, r->arena, 512);
    char now[40];
    log_now_iso(now, sizeof now);
    buf_printf(&b, "{\"time\":\"%s\",\"level\":\"info\",\"pid\":%ld,\"msg\":\"request\",\"request_id\":", now,
               g_app.pid);
    buf_json_str(&b, r->request_id);
    buf_puts(&b, ",\"method\":");
    buf_json_str(&b, r->method);
    buf_puts(&b, ",\"route\":");
    buf_json_str(&b, str_from(r->route ? r->route->name : "unmatched"));
    buf_puts(&b, ",\"path\":");
    buf_json_str(&b, r->path);
    buf_puts(&b, ",\"status\":");
    buf_put_long(&b, r->res->status);
    buf_puts(&b, ",\"duration_ms\":");
    buf_put_thousandths(&b, (long)duration_us);
    buf_puts(&b, ",\"db_ms\":");
    buf_put_thousandths(&b, (long)db_us);
    buf_puts(&b, ",\"bytes\":");
    buf_put_long(&b, (long)r->res->body.len);
    buf_puts(&b, ",\"user\":");
    buf_json_str(&b, r->session ? (r->session->email.len ? r->session->email : r->session->user_name)
                                : STR(""));
    buf_puts(&b, ",\"org\":");
    buf_json_str(&b, r->session ? r->session->org_slug : STR(""));
    buf_putc(&b, '}');
    log_line_held(buf_str(&b));
}

/* A request slower than slow_request_ms: logged again as a warning, with each round
 * trip to the database (its first statement's name, statements, time), so a slow page
 * names the statement that made it slow. */
static void log_slow_request(struct request *r, int64_t duration_us, int64_t db_us)
{
    int count, dropped;
    const struct db_trip *trips = db_trips(r->db, &count, &dropped);
    struct buf b;
    buf_init(&b, r->arena, 512);
    char now[40];
    log_now_iso(now, sizeof now);
    buf_printf(&b, "{\"time\":\"%s\",\"level\":\"warn\",\"msg\":\"slow request\",\"request_id\":", now);
    buf_json_str(&b, r->request_id);
    buf_puts(&b, ",\"method\":");
    buf_json_str(&b, r->method);
    buf_puts(&b, ",\"route\":");
    buf_json_str(&b, str_from(r->route ? r->route->name : "unmatched"));
    buf_printf(&b, ",\"status\":%d,\"duration_ms\":%.3f,\"db_ms\":%.3f,\"threshold_ms\":%d,\"sql\":[",
               r->res->status, (double)duration_us / 1000.0, (double)db_us / 1000.0, r->cfg->slow_request_ms);
    for (int i = 0; i < count; i++) {
        buf_puts(&b, i ? ",{\"statement\":" : "{\"statement\":");
        buf_json_str(&b, str_from(trips[i].name));
        buf_printf(&b, ",\"statements\":%d,\"ms\":%.3f}", trips[i].statements, (double)trips[i].us / 1000.0);
    }
    buf_printf(&b, "],\"sql_not_listed\":%d}", dropped);
    log_line(buf_str(&b));
}

/* Headers every dynamic response carries. */
static void finish_headers(struct request *r)
{
    struct response *res = r->res;
    response_header(res, r->arena, "X-Request-Id", r->request_id);
    if (!kvlist_get(&res->headers, "Cache-Control"))
        response_header(res, r->arena, "Cache-Control", STR("no-store"));
    if (res->is_html) response_add_security_headers(res, r->arena);
    else response_header(res, r->arena, "X-Content-Type-Options", STR("nosniff"));
}

static struct request *request_new(struct arena *a)
{
    struct request *r = arena_calloc(a, 1, sizeof *r);
    r->arena = a;
    r->res = arena_calloc(a, 1, sizeof *r->res);
    response_init(r->res, a);
    return r;
}

static void serve_one(struct fcgi_conn *conn, struct arena *a)
{
    const struct config *cfg = g_app.cfg;
    struct request *r = request_new(a);
    r->started_us = clock_mono_us();
    r->db = g_app.db;
    r->cfg = cfg;
    db_take_elapsed_us(g_app.db);
    int rc = fcgi_read_request(conn, r);
    fcgi_bind_stream(conn, r->res, a);
    if (rc != 0) {
        r->wants_json = str_starts_with(r->path, STR("/api/"));
        app_error(r, rc, "Malformed request.", NULL);
    } else {
        handle(&g_app, conn, r);
    }
    db_rollback(g_app.db); /* never leak a transaction (a no-op when none is open) */
    finish_headers(r);
    if (!r->res->sent) fcgi_send_response(conn, r->res, a);
    fcgi_finish(conn);
    int64_t dur = clock_mono_us() - r->started_us;
    if (cfg->slow_request_ms > 0 && dur >= (int64_t)cfg->slow_request_ms * 1000)
        log_slow_request(r, dur, db_elapsed_us(g_app.db));
    int64_t db_us = db_take_elapsed_us(g_app.db);
    metrics_observe(route_index(r), r->res->status, dur);
    pool_minutes_counted(clock_mono_us());
    log_request(r, dur, db_us);
    usage_count(r);
}

/* Every template is parsed before the workers fork, so a broken one stops serve at
 * start, or keeps the running workers on a reload, instead of failing the first
 * request that needs it. Parsing them took a replacement worker about 10 ms of its
 * start-up; inherited, they cost it nothing. */
int app_prepare_workers(const struct config *cfg)
{
    int failed = view_load_all(cfg->template_dir);
    if (failed < 0) log_error("cannot read template directory %s", cfg->template_dir);
    else if (failed) log_error("%d template(s) failed to load from %s", failed, cfg->template_dir);
    return failed ? -1 : 0;
}

/* Connections taken in a row before a busy worker looks for a stop signal. */
#define STOP_CHECK_EVERY 32

/* A request whose arena grew past this gives its memory back afterwards. */
#define BIG_REQUEST_BYTES (4u << 20)

int app_worker_main(int listen_fd, int slot, const struct config *cfg)
{
    g_app.cfg = cfg;
    g_app.slot = slot;
    g_app.pid = (long)getpid();
    /* What a big request used (a contacts import's upload and rows) goes back to the
     * system when its arena is reset. Left to itself glibc raises its mmap threshold
     * each time such a block is freed, so the next big blocks came from the heap and
     * stayed: a worker that had imported 100,000 contacts kept 54 MB (the bench's
     * soak, 2026-12-05). A fixed threshold keeps blocks this big mmapped. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    log_flush_on_crash();
    metrics_worker_state(slot, WORKER_STARTING);
    g_app.db = db_open(cfg->database_url, cfg->statement_timeout_ms);
    struct fcgi_conn *conn = fcgi_conn_new(listen_fd);
    struct arena arena;
    /* One chunk survives each request (arena_reset): 256 KB holds a list page of 50
     * with its rows, body and results, so it needs no other. With 64 KB, /calls took
     * a second chunk from malloc and gave it back on every request: 140-154 against
     * 149-178 µs of the worker's CPU a page (wrk -c32, the bench's data). */
    arena_init(&arena, 256 * 1024);
    long served = 0;
    int code = 0;
    /* Whether the last accept took a connection. Then the next accept comes first, and
     * the wait only when it finds none: under load the listen queue is rarely empty,
     * and the wait was one system call in eleven of a /calls page. The stop signals
     * are taken only inside the wait, and a wait that finds a connection ready returns
     * it without taking them: so a worker that keeps finding connections looks at its
     * pending signals every STOP_CHECK_EVERY of them, or a reload or stop under a load
     * that never lets up would wait for the load to end. */
    bool took = false;
    unsigned streak = 0;
    while (!pool_worker_should_stop()) {
        if (took && ++streak % STOP_CHECK_EVERY == 0 && pool_worker_stop_pending()) break;
        metrics_worker_state(slot, WORKER_IDLE);
        /* Usage counts wait in memory at most USAGE_FLUSH_INTERVAL_MS, busy or idle. */
        usage_flush_if_due(g_app.db, clock_mono_us());
        /* The ring's copy for the alerts (pool_minutes.h), on the same terms. */
        pool_minutes_copy_if_due(g_app.db, clock_mono_us());
        if (!took) {
            log_flush(); /* the request lines held back (log_line_held) */
            int64_t now = clock_mono_us();
            int wait_ms = usage_flush_wait_ms(now), copy_ms = pool_minutes_wait_ms(now);
            if (copy_ms >= 0 && (wait_ms < 0 || copy_ms < wait_ms)) wait_ms = copy_ms;
            int waited = pool_worker_wait(listen_fd, wait_ms);
            if (waited == 1) continue;
            if (waited != 0) break;
        }
        int accepted = fcgi_accept(conn);
        took = accepted == 0;
        if (!took) streak = 0;
        if (accepted > 0) continue; /* none waiting, or another worker took it */
        if (accepted < 0) break;
        metrics_worker_state(slot, WORKER_BUSY);
        serve_one(conn, &arena);
        size_t used = arena.total;
        arena_reset(&arena);
        /* After a big request (a contacts import), its memory goes back: libpq's
         * buffers with a new connection, the heap's free pages with malloc_trim. Both
         * cost a few milliseconds, next to such a request's seconds. */
        if (used > BIG_REQUEST_BYTES) {
            db_reconnect(g_app.db);
            malloc_trim(0);
        }
        served++;
        if (cfg->max_requests > 0 && served >= cfg->max_requests) {
            code = POOL_EXIT_RECYCLE;
            break;
        }
    }
    metrics_worker_state(slot, WORKER_EXITING);
    log_flush();
    usage_flush(g_app.db);
    arena_destroy(&arena);
    db_close(g_app.db);
    return code;
}
