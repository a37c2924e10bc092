/* api_keys.c — the admin's API keys: the list with each key's last use, creating
 * one (shown once, stored hashed, its prefix visible; a role, a name, an optional
 * expiry) and revoking one (it stops working on the next request, on every worker). */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../auth/session_cache.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/cursor.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "../common/params.h"
#include "../common/row_json.h"
#include "admin.h"

static const struct form_option role_options[] = {
    { "viewer", "Viewer: reads everything" },
    { "agent", "Agent: reads, adds notes" },
    { "manager", "Manager: deals and campaigns" },
    { "admin", "Admin: everything" },
};
static const char *const role_names[] = { "viewer", "agent", "manager", "admin" };

#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define LOCAL(col) "to_char(" col " AT TIME ZONE o.timezone, 'YYYY-MM-DD HH24:MI')"

enum { K_ID, K_NAME, K_PREFIX, K_ROLE, K_STATUS, K_CREATED_ISO, K_CREATED_LOCAL, K_EXPIRES_ISO, K_EXPIRES_LOCAL,
       K_USED_ISO, K_USED_LOCAL, K_USED_IP, K_REVOKED_ISO, K_CREATED_BY };
#define KEY_COLUMNS                                                                                       \
    "k.id, k.name, k.prefix, k.role,"                                                                     \
    " CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked' WHEN k.expires_at <= now() THEN 'expired'"        \
    "  ELSE 'active' END,"                                                                                \
    " " ISO("k.created_at") ", " LOCAL("k.created_at") ", " ISO("k.expires_at") ", " LOCAL("k.expires_at") "," \
    " " ISO("k.last_used_at") ", " LOCAL("k.last_used_at") ", k.last_used_ip, " ISO("k.revoked_at") ","  \
    " (SELECT u.email FROM users u WHERE u.org_id = k.org_id AND u.id = k.created_by)"

static struct dbres *key_load(struct request *r, str id, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    struct dbres *q = db_q(r->db, r->arena, "admin_api_key_load",
                           "SELECT " KEY_COLUMNS " FROM api_keys k JOIN orgs o ON o.id = k.org_id"
                           " WHERE k.org_id = app_org_id() AND k.id = $1",
                           str_cstr(r->arena, id));
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

static struct json_object *key_json(const struct dbres *q, int i)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, i, K_ID));
    json_add_str(o, "name", db_val(q, i, K_NAME));
    json_add_str(o, "prefix", db_val(q, i, K_PREFIX));
    json_add_str(o, "role", db_val(q, i, K_ROLE));
    json_add_str(o, "status", db_val(q, i, K_STATUS));
    json_add_str(o, "created_at", db_val(q, i, K_CREATED_ISO));
    row_json_nullable(o, "created_by", q, i, K_CREATED_BY);
    row_json_nullable(o, "expires_at", q, i, K_EXPIRES_ISO);
    row_json_nullable(o, "last_used_at", q, i, K_USED_ISO);
    row_json_nullable(o, "last_used_ip", q, i, K_USED_IP);
    row_json_nullable(o, "revoked_at", q, i, K_REVOKED_ISO);
    return o;
}

/* ---- the list (with the form to create one) ---- */

#define KEYS_CURSOR_PURPOSE "admin-api-keys-cursor"
enum { KP_LIMIT, KP_CURSOR, KP_COUNT };
static const struct param_spec key_params[KP_COUNT] = {
    [KP_LIMIT] = { "limit", PARAM_INT, 1, 200, NULL, NULL },
    [KP_CURSOR] = { "cursor", PARAM_RAW, 0, 0, NULL, "is not a page link of this list; start from the first page" },
};

struct key_in {
    str name, role, expires_on;
};

struct key_page {
    struct param_value v[KP_COUNT];
    struct dbres *rows;
    int n;
    str next;
    struct key_in in; /* the create form's values */
};

/* Newest first (created_at, then id); the cursor is the last key's id, signed. */
static int key_page_load(struct request *r, struct key_page *p, struct field_errors *e)
{
    params_parse(r->arena, &r->query, key_params, KP_COUNT, p->v, e);
    long limit = p->v[KP_LIMIT].valid ? p->v[KP_LIMIT].num : 50;
    char after[37] = "";
    if (p->v[KP_CURSOR].given &&
        list_cursor_decode_id(app_secret(r), KEYS_CURSOR_PURPOSE, p->v[KP_CURSOR].raw, after) < 0)
        field_error_add(e, "cursor", key_params[KP_CURSOR].message);
    if (e->n) return 0;
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit + 1);
    p->rows = db_q(r->db, r->arena, "admin_api_keys_list",
                   "SELECT " KEY_COLUMNS " FROM api_keys k JOIN orgs o ON o.id = k.org_id"
                   " WHERE k.org_id = app_org_id() AND ($1 = '' OR (k.created_at, k.id) <"
                   " (SELECT c.created_at, c.id FROM api_keys c WHERE c.org_id = app_org_id()"
                   "  AND c.id = nullif($1, '')::uuid))"
                   " ORDER BY k.created_at DESC, k.id DESC LIMIT $2",
                   after, lim);
    if (!p->rows) return app_db_status(r);
    p->n = db_rows(p->rows) > limit ? (int)limit : db_rows(p->rows);
    if (db_rows(p->rows) > limit)
        p->next = list_cursor_encode_id(r->arena, app_secret(r), KEYS_CURSOR_PURPOSE, db_val(p->rows, p->n - 1, K_ID));
    return 0;
}

static void key_rows_dict(struct tdict *d, const struct key_page *p)
{
    for (int i = 0; p->rows && i < p->n; i++) {
        struct tdict *row = tdict_add_section(d, "KEY");
        tdict_set(row, "ID", db_val(p->rows, i, K_ID));
        tdict_set(row, "NAME", db_val(p->rows, i, K_NAME));
        tdict_set(row, "PREFIX", db_val(p->rows, i, K_PREFIX));
        tdict_set(row, "ROLE", db_val(p->rows, i, K_ROLE));
        tdict_set(row, "STATUS", db_val(p->rows, i, K_STATUS));
        tdict_set(row, "CREATED", db_val(p->rows, i, K_CREATED_LOCAL));
        tdict_set(row, "EXPIRES", db_isnull(p->rows, i, K_EXPIRES_LOCAL) ? STR("never") : db_val(p->rows, i, K_EXPIRES_LOCAL));
        tdict_set(row, "USED", db_isnull(p->rows, i, K_USED_LOCAL) ? STR("never") : db_val(p->rows, i, K_USED_LOCAL));
        tdict_set(row, "USED_IP", db_isnull(p->rows, i, K_USED_IP) ? STR("") : db_val(p->rows, i, K_USED_IP));
        if (str_eq_cstr(db_val(p->rows, i, K_STATUS), "active")) tdict_show(row, "CAN_REVOKE");
    }
    if (p->rows && p->n == 0) tdict_show(d, "EMPTY");
}

/* form_render_fn: the list with the create form (ctx a struct key_page). */
static int render_list(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct key_page *p = ctx;
    struct tdict *d = page_dict(r, "API keys", "admin/api_keys.tpl");
    admin_nav(d, "api_keys");
    key_rows_dict(d, p);
    struct buf next;
    buf_init(&next, r->arena, 96);
    buf_puts(&next, "/admin/api-keys?cursor=");
    buf_url_arg(&next, p->next);
    form_pager(d, p->v[KP_CURSOR].given ? "/admin/api-keys" : NULL, p->next.len ? buf_cstr(&next) : NULL);
    form_errors(d, e, "form-error", "The key was not created; see the messages below.");
    struct tdict *x = form_field(d, "FIELD_NAME", e, "name", "Name", "text", p->in.name);
    tdict_show(x, "REQUIRED");
    tdict_set_long(tdict_add_section(x, "MAXLENGTH"), "N", 100);
    form_select(d, "FIELD_ROLE", e, "role", "Role", role_options, 4, p->in.role, NULL);
    x = form_field(d, "FIELD_EXPIRES_ON", e, "expires_on", "Expires on (optional)", "date", p->in.expires_on);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "The key stops working at the end of that day.");
    return page_render(r, status, d);
}

/*
 * GET /admin/api-keys and GET /api/v1/admin/api-keys — the org's keys, newest first,
 * with their last use (time and address). limit 1..200 (50); cursor.
 */
int admin_api_keys_list(struct request *r)
{
    struct key_page p = { .in = { STR(""), STR("viewer"), STR("") } };
    struct field_errors e = { 0 };
    int st = key_page_load(r, &p, &e);
    if (st) return st;
    if (e.n) return field_errors_reply(r, "Some parameters are not valid.", &e, render_list, &p);
    if (!r->wants_json) return render_list(r, 200, NULL, &p);
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < p.n; i++) json_object_array_add(a, key_json(p.rows, i));
    json_reply_list(r, a, p.next);
    return 0;
}

/* ---- creating a key ---- */

static void key_read(struct request *r, struct key_in *in, struct field_errors *e)
{
    bool p;
    in->name = str_trim(input_value(r, "name", &p, e));
    in->role = str_trim(input_value(r, "role", &p, e));
    in->expires_on = str_trim(input_value(r, "expires_on", &p, e));
    if (!in->name.len || utf8_length(in->name) > 100 || param_text_error(r->arena, in->name, 100))
        field_error_add(e, "name", "must be 1 to 100 characters of text");
    if (!input_one_of(in->role, role_names, 4)) field_error_add(e, "role", "must be viewer, agent, manager or admin");
    if (in->expires_on.len && !input_valid_date(in->expires_on))
        field_error_add(e, "expires_on", "must be a date like 2030-12-31");
}

/* The expiry (the end of that day in the org's zone) must be in the future. */
static int check_expiry(struct request *r, const struct key_in *in, struct field_errors *e)
{
    if (!in->expires_on.len) return 0;
    struct dbres *q = db_q(r->db, r->arena, "admin_api_key_expiry_ok",
                           "SELECT (($1::date + 1)::timestamp AT TIME ZONE o.timezone) > now()"
                           " FROM orgs o WHERE o.id = app_org_id()",
                           str_cstr(r->arena, in->expires_on));
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1 || !db_bool(q, 0, 0)) field_error_add(e, "expires_on", "must be today or a later date");
    return 0;
}

static int reply_created(struct request *r, const struct dbres *k, str key)
{
    response_header(r->res, r->arena, "Cache-Control", STR("no-store"));
    if (r->wants_json) {
        struct json_object *o = key_json(k, 0);
        json_add_str(o, "key", key);
        json_reply_data(r, 201, o);
        return 0;
    }
    struct tdict *d = page_dict(r, "API key created", "admin/api_keys_created.tpl");
    tdict_set(d, "NAME", db_val(k, 0, K_NAME));
    tdict_set(d, "ROLE", db_val(k, 0, K_ROLE));
    tdict_set(d, "KEY", key);
    return page_render(r, 201, d);
}

/* POST /admin/api-keys and POST /api/v1/admin/api-keys — name (1..100), role,
 * expires_on (optional YYYY-MM-DD, today or later). 201 with the key, shown this once. */
int admin_api_keys_create(struct request *r)
{
    struct key_page p = { 0 };
    struct field_errors e = { 0 };
    key_read(r, &p.in, &e);
    /* A well-formed date is checked against today even when other fields are wrong,
     * so every message shows at once. */
    int st = field_error_of(&e, "expires_on") ? 0 : check_expiry(r, &p.in, &e);
    if (st) return st;
    if (e.n) {
        if (!r->wants_json && (st = key_page_load(r, &p, &(struct field_errors){ 0 }))) return st;
        return field_errors_reply(r, NULL, &e, render_list, &p);
    }
    str prefix, hash;
    str key = apikey_generate(r->arena, &prefix, &hash);
    struct dbres *q = db_q(r->db, r->arena, "admin_api_key_insert",
                           "INSERT INTO api_keys (org_id, name, prefix, key_hash, role, created_by, expires_at)"
                           " SELECT app_org_id(), $1, $2, $3, $4, nullif($5, '')::uuid,"
                           " (nullif($6, '')::date + 1)::timestamp AT TIME ZONE o.timezone"
                           " FROM orgs o WHERE o.id = app_org_id() RETURNING id",
                           str_cstr(r->arena, p.in.name), str_cstr(r->arena, prefix), str_cstr(r->arena, hash),
                           str_cstr(r->arena, p.in.role), str_cstr(r->arena, r->session->user_id),
                           str_cstr(r->arena, p.in.expires_on));
    if (!q) return app_db_status(r);
    str id = db_val(q, 0, 0);
    struct json_object *detail = json_object_new_object();
    json_add_str(detail, "name", p.in.name);
    json_add_str(detail, "role", p.in.role);
    json_add_str(detail, "prefix", prefix);
    st = audit_write(r, "api_key.create", "api_key", id, arena_strdup(r->arena, json_object_to_json_string(detail)));
    json_object_put(detail);
    if (st) return st;
    struct dbres *k = key_load(r, id, &st);
    return k ? reply_created(r, k, key) : st;
}

/* ---- revoking a key ---- */

/* GET /admin/api-keys/{id}/revoke — asks first. */
int admin_api_key_revoke_confirm(struct request *r)
{
    int st;
    struct dbres *k = key_load(r, req_path_param(r, "id"), &st);
    if (!k) return st;
    struct tdict *d = page_dict(r, "Revoke API key", "admin/api_keys_revoke.tpl");
    tdict_set(d, "ID", db_val(k, 0, K_ID));
    tdict_set(d, "NAME", db_val(k, 0, K_NAME));
    tdict_set(d, "PREFIX", db_val(k, 0, K_PREFIX));
    tdict_show(d, str_eq_cstr(db_val(k, 0, K_STATUS), "revoked") ? "ALREADY_REVOKED" : "CAN_REVOKE");
    return page_render(r, 200, d);
}

/* POST /admin/api-keys/{id}/revoke and POST /api/v1/admin/api-keys/{id}/revoke —
 * the key stops working now: the revocation moves the auth epoch (sql/0055), so
 * every worker that remembers the key looks it up again, and this one forgets it. Revoking a
 * revoked key changes nothing. Another org's id: 404. */
int admin_api_key_revoke(struct request *r)
{
    int st;
    str id = req_path_param(r, "id");
    if (!str_is_uuid(id)) return 404;
    struct dbres *q = db_q(r->db, r->arena, "admin_api_key_revoke",
                           "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())"
                           " WHERE org_id = app_org_id() AND id = $1"
                           " RETURNING key_hash, prefix, name",
                           str_cstr(r->arena, id));
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1) return 404;
    session_cache_drop(db_val(q, 0, 0));
    struct json_object *detail = json_object_new_object();
    json_add_str(detail, "name", db_val(q, 0, 2));
    json_add_str(detail, "prefix", db_val(q, 0, 1));
    st = audit_write(r, "api_key.revoke", "api_key", id, arena_strdup(r->arena, json_object_to_json_string(detail)));
    json_object_put(detail);
    if (st) return st;
    if (!r->wants_json) return redirect_see_other(r, "/admin/api-keys", "ok", "The API key was revoked.");
    struct dbres *k = key_load(r, id, &st);
    if (!k) return st;
    json_reply_data(r, 200, key_json(k, 0));
    return 0;
}
