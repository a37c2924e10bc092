/* jobs.c — /admin/jobs and its JSON twin: the org's queue by kind and state, the
 * periodic jobs with their last and next run, and the dead letters with retry and
 * discard (discard asks first; both audited). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../auth/audit.h"
#include "../../db/db.h"
#include "../../jobs/periodic.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/cursor.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/params.h"
#include "admin.h"

#define JOBS_LIMIT_DEFAULT 50
#define JOBS_CURSOR_PURPOSE "admin-dead-jobs"

enum jobs_kind_col { JK_KIND, JK_QUEUED, JK_RUNNING, JK_DEAD, JK_OLDEST_S };
enum jobs_periodic_col { JP_KIND, JP_NEXT, JP_RUNNING, JP_LAST, JP_LAST_STATUS, JP_LAST_ERROR };
enum jobs_dead_col { JD_ID, JD_KIND, JD_ATTEMPTS, JD_ERROR, JD_DIED_AT, JD_DIED_US, JD_PAYLOAD, JD_CREATED_AT };

#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* By kind over the live and dead jobs (jobs_org_live_kind_idx); done jobs are not
 * counted, as they pile up and say nothing about health. */
static const char kinds_sql[] =
    "SELECT kind, count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),"
    " count(*) FILTER (WHERE status = 'dead'), coalesce(floor(extract(epoch FROM now() - min(run_at)"
    " FILTER (WHERE status = 'queued' AND run_at <= now())))::bigint, 0)"
    " FROM jobs WHERE org_id = app_org_id() AND status IN ('queued', 'running', 'dead') GROUP BY kind ORDER BY kind";

static const char periodic_sql[] =
    "SELECT kind, coalesce(" ISO("next_run_at") ", ''), coalesce(running, false), coalesce(" ISO("last_run_at")
    ", ''), coalesce(last_status, ''), coalesce(last_error, '') FROM sb_periodic_jobs($1::text[])";

/* Newest death first, keyset on (updated_at, id) by jobs_org_dead_idx; $1/$2 the
 * previous page's last row (NULL on the first page), $3 a kind or NULL. */
static const char dead_sql[] =
    "SELECT id, kind, attempts, coalesce(last_error, ''), " ISO("updated_at") ","
    " (extract(epoch FROM updated_at) * 1000000)::bigint, payload::text, " ISO("created_at")
    " FROM jobs WHERE org_id = app_org_id() AND status = 'dead'"
    " AND ($1::bigint IS NULL OR (updated_at, id) < (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::bigint))"
    " AND ($3::text IS NULL OR kind = $3) ORDER BY updated_at DESC, id DESC LIMIT $4::int";

enum { JL_KIND, JL_LIMIT, JL_CURSOR, JL_COUNT };
static const struct param_spec list_params[JL_COUNT] = {
    [JL_KIND] = { "kind", PARAM_TEXT, 0, 64, NULL, NULL },
    [JL_LIMIT] = { "limit", PARAM_INT, 1, 200, NULL, NULL },
    [JL_CURSOR] = { "cursor", PARAM_RAW, 0, 0, NULL, "is not a page link of this list; start from the first page" },
};

struct jobs_page {
    struct param_value v[JL_COUNT];
    struct dbres *kinds, *periodic, *dead;
    int n;
    str next;
};

static const char *periodic_kinds_literal(struct request *r)
{
    struct buf b;
    buf_init(&b, r->arena, 96);
    buf_putc(&b, '{');
    for (int i = 0; i < periodic_count; i++) buf_printf(&b, "%s%s", i ? "," : "", periodic_jobs[i].kind);
    buf_putc(&b, '}');
    return buf_cstr(&b);
}

static int page_load(struct request *r, struct jobs_page *p, struct field_errors *e)
{
    *p = (struct jobs_page){ 0 };
    params_parse(r->arena, &r->query, list_params, JL_COUNT, p->v, e);
    long limit = p->v[JL_LIMIT].valid ? p->v[JL_LIMIT].num : JOBS_LIMIT_DEFAULT;
    int64_t at_us = 0, at_id = 0;
    if (p->v[JL_CURSOR].given &&
        list_cursor_decode_pair(app_secret(r), JOBS_CURSOR_PURPOSE, p->v[JL_CURSOR].raw, &at_us, &at_id) < 0)
        field_error_add(e, "cursor", list_params[JL_CURSOR].message);
    if (e->n) return 0;
    char key[24], id[24], lim[24];
    snprintf(key, sizeof key, "%lld", (long long)at_us);
    snprintf(id, sizeof id, "%lld", (long long)at_id);
    snprintf(lim, sizeof lim, "%ld", limit + 1);
    const char *kind = p->v[JL_KIND].valid ? p->v[JL_KIND].text : NULL;
    const char *after = p->v[JL_CURSOR].given ? key : NULL;
    const char *after_id = p->v[JL_CURSOR].given ? id : NULL;
    const char *periodic_params[] = { periodic_kinds_literal(r) };
    const char *dead_params[] = { after, after_id, kind, lim };
    const struct db_stmt s[3] = {
        { "admin_jobs_kinds", kinds_sql, 0, NULL },
        { "admin_jobs_periodic", periodic_sql, 1, periodic_params },
        { "admin_jobs_dead", dead_sql, 4, dead_params },
    };
    struct dbres *out[3];
    if (db_exec_batch(r->db, r->arena, 3, s, out) != 0) return app_db_status(r);
    p->kinds = out[0];
    p->periodic = out[1];
    p->dead = out[2];
    p->n = db_rows(p->dead) > limit ? (int)limit : db_rows(p->dead);
    if (db_rows(p->dead) > limit) {
        p->next = list_cursor_encode_pair(r->arena, app_secret(r), JOBS_CURSOR_PURPOSE,
                                          strtoll(db_cstr(p->dead, p->n - 1, JD_DIED_US), NULL, 10),
                                          strtoll(db_cstr(p->dead, p->n - 1, JD_ID), NULL, 10));
    }
    return 0;
}

static const char *list_url(struct request *r, const struct jobs_page *p, str cursor)
{
    struct buf b;
    buf_init(&b, r->arena, 96);
    buf_puts(&b, "/admin/jobs");
    struct buf qs;
    buf_init(&qs, r->arena, 64);
    params_query_string(list_params, p->v, JL_COUNT, (uint64_t)1 << JL_CURSOR, &qs);
    if (cursor.len) {
        if (qs.len) buf_putc(&qs, '&');
        buf_puts(&qs, "cursor=");
        buf_url_arg(&qs, cursor);
    }
    if (qs.len) {
        buf_putc(&b, '?');
        buf_put(&b, buf_str(&qs));
    }
    return buf_cstr(&b);
}

static int render_page(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct jobs_page *p = ctx;
    struct tdict *d = page_dict(r, "Jobs", "admin/jobs.tpl");
    admin_nav(d, "jobs");
    for (int i = 0; p->kinds && i < db_rows(p->kinds); i++) {
        struct tdict *x = tdict_add_section(d, "KIND");
        tdict_set(x, "KIND", db_val(p->kinds, i, JK_KIND));
        tdict_set(x, "QUEUED", db_val(p->kinds, i, JK_QUEUED));
        tdict_set(x, "RUNNING", db_val(p->kinds, i, JK_RUNNING));
        tdict_set(x, "DEAD", db_val(p->kinds, i, JK_DEAD));
        tdict_set(x, "OLDEST", db_val(p->kinds, i, JK_OLDEST_S));
    }
    if (p->kinds && !db_rows(p->kinds)) tdict_show(d, "KINDS_EMPTY");
    for (int i = 0; p->periodic && i < db_rows(p->periodic); i++) {
        struct tdict *x = tdict_add_section(d, "PERIODIC");
        tdict_set(x, "KIND", db_val(p->periodic, i, JP_KIND));
        tdict_set_cstr(x, "EVERY", periodic_jobs[i].every_text);
        tdict_set_cstr(x, "PURPOSE", periodic_jobs[i].purpose);
        str next = db_val(p->periodic, i, JP_NEXT);
        tdict_set(x, "NEXT", db_bool(p->periodic, i, JP_RUNNING) ? STR("running now")
                             : next.len ? next : STR("when a worker next looks (within a minute)"));
        tdict_set(x, "LAST", db_val(p->periodic, i, JP_LAST).len ? db_val(p->periodic, i, JP_LAST) : STR("never"));
        tdict_set(x, "LAST_STATUS", db_val(p->periodic, i, JP_LAST_STATUS));
        tdict_set(x, "LAST_ERROR", db_val(p->periodic, i, JP_LAST_ERROR));
    }
    form_field(d, "FIELD_KIND", e, "kind", "Kind", "text", p->v[JL_KIND].raw);
    for (int i = 0; p->dead && i < p->n; i++) {
        struct tdict *x = tdict_add_section(d, "DEAD");
        tdict_set(x, "ID", db_val(p->dead, i, JD_ID));
        tdict_set(x, "KIND", db_val(p->dead, i, JD_KIND));
        tdict_set(x, "ATTEMPTS", db_val(p->dead, i, JD_ATTEMPTS));
        tdict_set(x, "ERROR", db_val(p->dead, i, JD_ERROR));
        tdict_set(x, "DIED_AT", db_val(p->dead, i, JD_DIED_AT));
    }
    if (p->dead && p->n == 0) tdict_show(d, p->v[JL_CURSOR].given ? "DEAD_NO_MORE" : "DEAD_EMPTY");
    form_pager(d, p->v[JL_CURSOR].given ? list_url(r, p, STR_NULL) : NULL, p->next.len ? list_url(r, p, p->next) : NULL);
    field_errors_to_dict(d, e);
    return page_render(r, status, d);
}

static struct json_object *page_json(const struct jobs_page *p)
{
    struct json_object *data = json_object_new_object();
    struct json_object *kinds = json_object_new_array();
    for (int i = 0; i < db_rows(p->kinds); i++) {
        struct json_object *o = json_object_new_object();
        json_add_str(o, "kind", db_val(p->kinds, i, JK_KIND));
        json_add_long(o, "queued", db_long(p->kinds, i, JK_QUEUED));
        json_add_long(o, "running", db_long(p->kinds, i, JK_RUNNING));
        json_add_long(o, "dead", db_long(p->kinds, i, JK_DEAD));
        json_add_long(o, "oldest_age_s", db_long(p->kinds, i, JK_OLDEST_S));
        json_object_array_add(kinds, o);
    }
    json_object_object_add(data, "kinds", kinds);
    struct json_object *periodic = json_object_new_array();
    for (int i = 0; i < db_rows(p->periodic); i++) {
        struct json_object *o = json_object_new_object();
        json_add_str(o, "kind", db_val(p->periodic, i, JP_KIND));
        json_add_long(o, "every_s", periodic_jobs[i].every_s);
        json_add_bool(o, "running", db_bool(p->periodic, i, JP_RUNNING));
        str next = db_val(p->periodic, i, JP_NEXT), last = db_val(p->periodic, i, JP_LAST);
        json_add_str(o, "next_run_at", next.len ? next : STR_NULL);
        json_add_str(o, "last_run_at", last.len ? last : STR_NULL);
        str ls = db_val(p->periodic, i, JP_LAST_STATUS), le = db_val(p->periodic, i, JP_LAST_ERROR);
        json_add_str(o, "last_status", ls.len ? ls : STR_NULL);
        json_add_str(o, "last_error", le.len ? le : STR_NULL);
        json_object_array_add(periodic, o);
    }
    json_object_object_add(data, "periodic", periodic);
    struct json_object *dead = json_object_new_array();
    for (int i = 0; i < p->n; i++) {
        struct json_object *o = json_object_new_object();
        json_add_str(o, "id", db_val(p->dead, i, JD_ID));
        json_add_str(o, "kind", db_val(p->dead, i, JD_KIND));
        json_add_long(o, "attempts", db_long(p->dead, i, JD_ATTEMPTS));
        json_add_str(o, "last_error", db_val(p->dead, i, JD_ERROR));
        json_add_str(o, "died_at", db_val(p->dead, i, JD_DIED_AT));
        json_add_str(o, "created_at", db_val(p->dead, i, JD_CREATED_AT));
        json_object_object_add(o, "payload", json_tokener_parse(db_cstr(p->dead, i, JD_PAYLOAD)));
        json_object_array_add(dead, o);
    }
    json_object_object_add(data, "dead", dead);
    return data;
}

/*
 * GET /admin/jobs and GET /api/v1/admin/jobs — the queue by kind, the periodic jobs
 * and the dead letters (newest first).
 *   kind    only dead jobs of this kind
 *   limit   1..200 (50); cursor: the previous page's next_cursor
 */
int admin_jobs(struct request *r)
{
    struct jobs_page p;
    struct field_errors e = { 0 };
    int st = page_load(r, &p, &e);
    if (st) return st;
    if (e.n) return field_errors_reply(r, "Some filters are not valid.", &e, render_page, &p);
    if (!r->wants_json) return render_page(r, 200, NULL, &p);
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "data", page_json(&p));
    if (p.next.len) json_add_str(o, "next_cursor", p.next);
    else json_object_object_add(o, "next_cursor", NULL);
    r->res->status = 200;
    buf_puts(&r->res->body, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    response_header(r->res, r->arena, "Content-Type", STR("application/json; charset=utf-8"));
    return 0;
}

/* The {id} of a job: a positive whole number, else NULL (answered 404: no such job). */
static const char *job_id_param(struct request *r)
{
    str raw = req_path_param(r, "id");
    long id;
    if (raw.len > 18 || !str_to_long(raw, &id) || id < 1) return NULL;
    return str_cstr(r->arena, raw);
}

static int reply_done(struct request *r, const char *id, const char *status, const char *flash)
{
    if (!r->wants_json) return redirect_see_other(r, "/admin/jobs", "ok", flash);
    struct json_object *o = json_object_new_object();
    json_add_cstr(o, "id", id);
    json_add_cstr(o, "status", status);
    json_reply_data(r, 200, o);
    return 0;
}

/* POST /admin/jobs/{id}/retry and POST /api/v1/admin/jobs/{id}/retry — a dead job of
 * the org queued again with its attempts reset; 404 for any other job. */
int admin_job_retry(struct request *r)
{
    const char *id = job_id_param(r);
    if (!id) return 404;
    struct dbres *q = db_q(r->db, r->arena, "admin_job_retry", "SELECT sb_job_retry($1::bigint)", id);
    if (!q) return app_db_status(r);
    if (!db_bool(q, 0, 0)) return 404;
    int st = audit_write(r, "job.retry", "job", str_from(id), NULL);
    if (st) return st;
    return reply_done(r, id, "queued", "The job is queued again.");
}

/* GET /admin/jobs/{id}/discard — asks before a dead job is deleted. */
int admin_job_discard_confirm(struct request *r)
{
    const char *id = job_id_param(r);
    if (!id) return 404;
    struct dbres *q = db_q(r->db, r->arena, "admin_job_load",
                           "SELECT id, kind, attempts, coalesce(last_error, '') FROM jobs"
                           " WHERE id = $1::bigint AND org_id = app_org_id() AND status = 'dead'",
                           id);
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1) return 404;
    struct tdict *d = page_dict(r, "Discard job", "admin/jobs_discard.tpl");
    tdict_set(d, "ID", db_val(q, 0, 0));
    tdict_set(d, "KIND", db_val(q, 0, 1));
    tdict_set(d, "ATTEMPTS", db_val(q, 0, 2));
    tdict_set(d, "ERROR", db_val(q, 0, 3));
    return page_render(r, 200, d);
}

/* POST /admin/jobs/{id}/discard and POST /api/v1/admin/jobs/{id}/discard — a dead job
 * of the org deleted, its kind and last error kept in the audit row. */
int admin_job_discard(struct request *r)
{
    const char *id = job_id_param(r);
    if (!id) return 404;
    struct dbres *q = db_q(r->db, r->arena, "admin_job_discard", "SELECT kind, last_error FROM sb_job_discard($1::bigint)", id);
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1) return 404;
    struct json_object *detail = json_object_new_object();
    json_add_str(detail, "kind", db_val(q, 0, 0));
    json_add_str(detail, "last_error", db_val(q, 0, 1));
    int st = audit_write(r, "job.discard", "job", str_from(id),
                         json_object_to_json_string_ext(detail, JSON_C_TO_STRING_PLAIN));
    json_object_put(detail);
    if (st) return st;
    return reply_done(r, id, "discarded", "The job is discarded.");
}
