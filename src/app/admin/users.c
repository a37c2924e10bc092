/* users.c — the admin's users: the list, creating one (with a password, or by a
 * one-time invitation link), one user's page (role, disable/enable, a reset link,
 * their sessions and revoking them); pages and their JSON twins under /api/v1/admin. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/password.h"
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
    { "agent", "Agent: reads, edits their deals" },
    { "manager", "Manager: deals and campaigns" },
    { "admin", "Admin: everything, users and keys too" },
};
static const char *const role_names[] = { "viewer", "agent", "manager", "admin" };

/* A time as ISO-8601 UTC (JSON) and in the org's zone (pages). */
#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define LOCAL(col) "to_char(" col " AT TIME ZONE o.timezone, 'YYYY-MM-DD HH24:MI')"

enum { U_ID, U_NAME, U_EMAIL, U_ROLE, U_STATUS, U_LAST_ISO, U_LAST_LOCAL, U_CREATED_ISO, U_ADMINS };
#define USER_COLUMNS                                                                                     \
    "u.id, u.name, u.email, u.role,"                                                                     \
    " CASE WHEN u.disabled THEN 'disabled' WHEN u.invited THEN 'invited' ELSE 'active' END,"             \
    " " ISO("u.last_login_at") ", " LOCAL("u.last_login_at") ", " ISO("u.created_at") ","               \
    " (SELECT count(*) FROM users a WHERE a.org_id = u.org_id AND a.role = 'admin' AND NOT a.disabled"   \
    "   AND NOT a.invited)"

static struct dbres *user_load(struct request *r, str id, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    struct dbres *q = db_q(r->db, r->arena, "admin_user_load",
                           "SELECT " USER_COLUMNS " FROM users u JOIN orgs o ON o.id = u.org_id"
                           " WHERE u.org_id = app_org_id() AND u.id = $1",
                           str_cstr(r->arena, id));
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

static struct json_object *user_json(const struct dbres *q, int i)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, i, U_ID));
    json_add_str(o, "name", db_val(q, i, U_NAME));
    json_add_str(o, "email", db_val(q, i, U_EMAIL));
    json_add_str(o, "role", db_val(q, i, U_ROLE));
    json_add_str(o, "status", db_val(q, i, U_STATUS));
    row_json_nullable(o, "last_sign_in_at", q, i, U_LAST_ISO);
    json_add_str(o, "created_at", db_val(q, i, U_CREATED_ISO));
    return o;
}

static const char *user_href(struct request *r, str id, const char *tail)
{
    struct buf b;
    buf_init(&b, r->arena, 80);
    buf_puts(&b, "/admin/users/");
    buf_put(&b, id);
    buf_puts(&b, tail);
    return buf_cstr(&b);
}

/* A JSON detail object {"key": value} for an audit row (values escaped by json-c). */
static const char *detail2(struct request *r, const char *k1, str v1, const char *k2, str v2)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, k1, v1);
    if (k2) json_add_str(o, k2, v2);
    const char *s = arena_strdup(r->arena, json_object_to_json_string(o));
    json_object_put(o);
    return s;
}

/* ---- the list ---- */

#define USERS_CURSOR_PURPOSE "admin-users-cursor"
enum { UP_LIMIT, UP_CURSOR, UP_COUNT };
static const struct param_spec user_params[UP_COUNT] = {
    [UP_LIMIT] = { "limit", PARAM_INT, 1, 200, NULL, NULL },
    [UP_CURSOR] = { "cursor", PARAM_RAW, 0, 0, NULL, "is not a page link of this list; start from the first page" },
};

struct user_page {
    struct param_value v[UP_COUNT];
    struct dbres *rows;
    int n;
    str next;
};

/* By email (case-insensitively), then id; the cursor is the last user's id, signed. */
static int user_page_load(struct request *r, struct user_page *p, struct field_errors *e)
{
    *p = (struct user_page){ 0 };
    params_parse(r->arena, &r->query, user_params, UP_COUNT, p->v, e);
    long limit = p->v[UP_LIMIT].valid ? p->v[UP_LIMIT].num : 50;
    char after[37] = "";
    if (p->v[UP_CURSOR].given &&
        list_cursor_decode_id(app_secret(r), USERS_CURSOR_PURPOSE, p->v[UP_CURSOR].raw, after) < 0)
        field_error_add(e, "cursor", user_params[UP_CURSOR].message);
    if (e->n) return 0;
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit + 1);
    p->rows = db_q(r->db, r->arena, "admin_users_list",
                   "SELECT " USER_COLUMNS " FROM users u JOIN orgs o ON o.id = u.org_id"
                   " WHERE u.org_id = app_org_id() AND ($1 = '' OR (lower(u.email), u.id) >"
                   " (SELECT lower(c.email), c.id FROM users c WHERE c.org_id = app_org_id() AND c.id = nullif($1, '')::uuid))"
                   " ORDER BY lower(u.email), u.id LIMIT $2",
                   after, lim);
    if (!p->rows) return app_db_status(r);
    p->n = db_rows(p->rows) > limit ? (int)limit : db_rows(p->rows);
    if (db_rows(p->rows) > limit)
        p->next = list_cursor_encode_id(r->arena, app_secret(r), USERS_CURSOR_PURPOSE, db_val(p->rows, p->n - 1, U_ID));
    return 0;
}

static int render_list(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct user_page *p = ctx;
    struct tdict *d = page_dict(r, "Users", "admin/users_list.tpl");
    admin_nav(d, "users");
    for (int i = 0; p->rows && i < p->n; i++) {
        struct tdict *row = tdict_add_section(d, "USER");
        tdict_set(row, "ID", db_val(p->rows, i, U_ID));
        tdict_set(row, "NAME", db_val(p->rows, i, U_NAME).len ? db_val(p->rows, i, U_NAME) : STR("—"));
        tdict_set(row, "EMAIL", db_val(p->rows, i, U_EMAIL));
        tdict_set(row, "ROLE", db_val(p->rows, i, U_ROLE));
        tdict_set(row, "STATUS", db_val(p->rows, i, U_STATUS));
        tdict_set(row, "LAST", db_isnull(p->rows, i, U_LAST_LOCAL) ? STR("never") : db_val(p->rows, i, U_LAST_LOCAL));
    }
    if (p->rows && p->n == 0) tdict_show(d, "EMPTY");
    struct buf next;
    buf_init(&next, r->arena, 96);
    buf_puts(&next, "/admin/users?cursor=");
    buf_url_arg(&next, p->next);
    form_pager(d, p->v[UP_CURSOR].given ? "/admin/users" : NULL, p->next.len ? buf_cstr(&next) : NULL);
    field_errors_to_dict(d, e);
    return page_render(r, status, d);
}

/*
 * GET /admin/users and GET /api/v1/admin/users — the org's users by email.
 *   limit 1..200 (50); cursor: the previous page's next_cursor.
 */
int admin_users_list(struct request *r)
{
    struct user_page p;
    struct field_errors e = { 0 };
    int st = user_page_load(r, &p, &e);
    if (st) return st;
    if (e.n) return field_errors_reply(r, "Some parameters are not valid.", &e, render_list, &p);
    if (!r->wants_json) return render_list(r, 200, NULL, &p);
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < p.n; i++) json_object_array_add(a, user_json(p.rows, i));
    json_reply_list(r, a, p.next);
    return 0;
}

/* ---- creating a user ---- */

struct user_in {
    str email, name, role, password;
    bool invite;
};

static int render_new(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct user_in *in = ctx;
    struct tdict *d = page_dict(r, "New user", "admin/users_new.tpl");
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    struct tdict *x = form_field(d, "FIELD_EMAIL", e, "email", "Email", "email", in->email);
    tdict_show(x, "REQUIRED");
    tdict_set_long(tdict_add_section(x, "MAXLENGTH"), "N", 254);
    x = form_field(d, "FIELD_NAME", e, "name", "Name", "text", in->name);
    tdict_set_long(tdict_add_section(x, "MAXLENGTH"), "N", 200);
    form_select(d, "FIELD_ROLE", e, "role", "Role", role_options, 4, in->role, NULL);
    x = form_field(d, "FIELD_PASSWORD", e, "password", "Password", "password", STR(""));
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "At least 12 characters. Leave empty when inviting.");
    tdict_show(x, "AUTOCOMPLETE_OFF");
    tdict_show(d, in->invite ? "INVITE_CHECKED" : "PASSWORD_CHECKED");
    return page_render(r, status, d);
}

/* GET /admin/users/new — the form: email, name, role, and a password or an invitation. */
int admin_users_new(struct request *r)
{
    struct user_in in = { STR(""), STR(""), STR("viewer"), STR(""), true };
    return render_new(r, 200, NULL, &in);
}

static bool valid_email(str s)
{
    if (s.len < 3 || s.len > 254) return false;
    const char *at = memchr(s.ptr, '@', s.len);
    if (!at || at == s.ptr || at == s.ptr + s.len - 1 || memchr(at + 1, '@', s.len - (size_t)(at - s.ptr) - 1))
        return false;
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] <= ' ' || s.ptr[i] == 0x7f) return false;
    return true;
}

static void user_read(struct request *r, struct user_in *in, struct field_errors *e)
{
    bool p;
    in->email = str_trim(input_value(r, "email", &p, e));
    in->name = str_trim(input_value(r, "name", &p, e));
    in->role = str_trim(input_value(r, "role", &p, e));
    in->password = input_value(r, "password", &p, e);
    str how = str_trim(input_value(r, "invite", &p, e));
    in->invite = p && (str_eq_cstr(how, "invite") || param_bool(how) == 1);
    if (!valid_email(in->email)) field_error_add(e, "email", "must be an email address, like name@example.com");
    if (utf8_length(in->name) > 200 || param_text_error(r->arena, in->name, 200))
        field_error_add(e, "name", "must be at most 200 characters of text");
    if (!input_one_of(in->role, role_names, 4)) field_error_add(e, "role", "must be viewer, agent, manager or admin");
    if (in->invite && in->password.len) field_error_add(e, "password", "must be empty when inviting");
    const char *why = in->invite ? NULL : password_policy_error(in->password);
    if (why) field_error_add(e, "password", why);
}

/* The page (or JSON) that shows a one-time link, once: never cached, never again. */
static int reply_link(struct request *r, int status, const struct dbres *u, str link, const char *purpose)
{
    response_header(r->res, r->arena, "Cache-Control", STR("no-store"));
    if (r->wants_json) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "user", user_json(u, 0));
        json_add_str(o, "link", link);
        json_add_cstr(o, "purpose", purpose);
        json_add_long(o, "valid_hours", USER_LINK_HOURS);
        json_reply_data(r, status, o);
        return 0;
    }
    bool invite = strcmp(purpose, "invite") == 0;
    struct tdict *d = page_dict(r, invite ? "Invitation link" : "Password reset link", "admin/users_link.tpl");
    tdict_show(d, invite ? "INVITE" : "RESET");
    tdict_set(d, "ID", db_val(u, 0, U_ID));
    tdict_set(d, "EMAIL", db_val(u, 0, U_EMAIL));
    tdict_set(d, "LINK", link);
    tdict_set_long(d, "HOURS", USER_LINK_HOURS);
    return page_render(r, status, d);
}

static int user_insert(struct request *r, const struct user_in *in, struct field_errors *e, str *id)
{
    const char *hash = "";
    if (!in->invite && !(hash = password_hash(r->arena, in->password, r->cfg->scrypt_log2_n))) return 500;
    struct dbres *q = db_q(r->db, r->arena, "admin_user_insert",
                           "INSERT INTO users (org_id, email, name, role, password_hash, invited)"
                           " VALUES (app_org_id(), $1, $2, $3, $4, $5) RETURNING id",
                           str_cstr(r->arena, in->email), str_cstr(r->arena, in->name), str_cstr(r->arena, in->role),
                           hash, in->invite ? "true" : "false");
    if (!q && db_last_error(r->db) == DB_ERR_CONFLICT) {
        /* Sign-in is by email alone, so an address is unique across every org. */
        field_error_add(e, "email", "is already in use");
        return 400;
    }
    if (!q) return app_db_status(r);
    *id = db_val(q, 0, 0);
    return audit_write(r, in->invite ? "user.invite" : "user.create", "user", *id,
                       detail2(r, "email", in->email, "role", in->role));
}

/* POST /admin/users and POST /api/v1/admin/users — email, name, role, and either
 * password (12+ characters) or invite (true/"invite"): then the answer shows the
 * one-time link (valid USER_LINK_HOURS), once. 201; 400 with a message per field. */
int admin_users_create(struct request *r)
{
    struct user_in in;
    struct field_errors e = { 0 };
    user_read(r, &in, &e);
    if (e.n) return field_errors_reply(r, NULL, &e, render_new, &in);
    str id;
    int st = user_insert(r, &in, &e, &id);
    if (st == 400) return field_errors_reply(r, NULL, &e, render_new, &in);
    if (st) return st;
    struct dbres *u = user_load(r, id, &st);
    if (!u) return st;
    if (in.invite) {
        str link = user_link_create(r, id, "invite");
        return link.len ? reply_link(r, 201, u, link, "invite") : app_db_status(r);
    }
    if (!r->wants_json) return redirect_see_other(r, user_href(r, id, ""), "ok", "The user was created.");
    json_reply_data(r, 201, user_json(u, 0));
    return 0;
}

/* ---- one user ---- */

enum { S_ID, S_CREATED_ISO, S_SEEN_ISO, S_CREATED_LOCAL, S_SEEN_LOCAL, S_IP, S_AGENT, S_EXPIRES_ISO, S_CURRENT };

struct dbres *user_sessions_query(struct request *r, str user_id)
{
    return db_q(r->db, r->arena, "user_sessions",
                "SELECT s.id, " ISO("s.created_at") ", " ISO("s.last_seen_at") ", " LOCAL("s.created_at") ", "
                LOCAL("s.last_seen_at") ", s.ip, s.user_agent, " ISO("s.expires_at") ", s.token_hash = $2"
                " FROM sessions s JOIN orgs o ON o.id = s.org_id"
                " WHERE s.org_id = app_org_id() AND s.user_id = $1 AND s.expires_at > now()"
                " ORDER BY s.last_seen_at DESC, s.id LIMIT 200",
                str_cstr(r->arena, user_id), str_cstr(r->arena, r->session->token_hash));
}

struct json_object *user_sessions_json(const struct dbres *q)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(q); i++) {
        struct json_object *o = json_object_new_object();
        json_add_str(o, "id", db_val(q, i, S_ID));
        json_add_str(o, "created_at", db_val(q, i, S_CREATED_ISO));
        json_add_str(o, "last_seen_at", db_val(q, i, S_SEEN_ISO));
        json_add_str(o, "expires_at", db_val(q, i, S_EXPIRES_ISO));
        json_add_str(o, "ip", db_val(q, i, S_IP));
        json_add_str(o, "user_agent", db_val(q, i, S_AGENT));
        json_add_bool(o, "current", db_bool(q, i, S_CURRENT));
        json_object_array_add(a, o);
    }
    return a;
}

void user_sessions_dict(struct tdict *d, const struct dbres *q, const char *action_base)
{
    struct tdict *t = tdict_include(d, "SESSIONS", "partials/sessions.tpl");
    tdict_set_cstr(t, "ACTION_BASE", action_base);
    if (db_rows(q)) tdict_show(t, "HAS_ROWS");
    for (int i = 0; i < db_rows(q); i++) {
        struct tdict *row = tdict_add_section(t, "SESSION");
        tdict_set(row, "SID", db_val(q, i, S_ID));
        tdict_set(row, "CREATED", db_val(q, i, S_CREATED_LOCAL));
        tdict_set(row, "SEEN", db_val(q, i, S_SEEN_LOCAL));
        tdict_set(row, "IP", db_val(q, i, S_IP).len ? db_val(q, i, S_IP) : STR("—"));
        tdict_set(row, "AGENT", db_val(q, i, S_AGENT).len ? db_val(q, i, S_AGENT) : STR("—"));
        if (db_bool(q, i, S_CURRENT)) tdict_show(row, "CURRENT");
    }
    if (db_rows(q) == 0) tdict_show(d, "NO_SESSIONS");
}

/* The user's page, with a notice above it when notice is not NULL (a refused change). */
static int render_user(struct request *r, int status, const struct dbres *u, const char *notice)
{
    struct dbres *s = user_sessions_query(r, db_val(u, 0, U_ID));
    if (!s) return app_db_status(r);
    struct tdict *d = page_dict(r, "User", "admin/users_show.tpl");
    tdict_set(d, "ID", db_val(u, 0, U_ID));
    tdict_set(d, "NAME", db_val(u, 0, U_NAME).len ? db_val(u, 0, U_NAME) : db_val(u, 0, U_EMAIL));
    tdict_set(d, "EMAIL", db_val(u, 0, U_EMAIL));
    tdict_set(d, "ROLE", db_val(u, 0, U_ROLE));
    tdict_set(d, "STATUS", db_val(u, 0, U_STATUS));
    tdict_set(d, "LAST", db_isnull(u, 0, U_LAST_LOCAL) ? STR("never") : db_val(u, 0, U_LAST_LOCAL));
    if (notice) tdict_set_cstr(tdict_add_section(d, "NOTICE"), "MSG", notice);
    form_select(d, "FIELD_ROLE", NULL, "role", "Role", role_options, 4, db_val(u, 0, U_ROLE), NULL);
    /* No button for what would be refused: disabling oneself. */
    if (str_eq_cstr(db_val(u, 0, U_STATUS), "disabled")) tdict_show(d, "CAN_ENABLE");
    else if (!str_eq(db_val(u, 0, U_ID), r->session->user_id)) tdict_show(d, "CAN_DISABLE");
    tdict_show(d, str_eq_cstr(db_val(u, 0, U_STATUS), "invited") ? "INVITED" : "NOT_INVITED");
    user_sessions_dict(d, s, user_href(r, db_val(u, 0, U_ID), ""));
    return page_render(r, status, d);
}

/* GET /admin/users/{id} and GET /api/v1/admin/users/{id} — the user and their
 * live sessions. Another org's id: 404. */
int admin_user_show(struct request *r)
{
    int st;
    str id = req_path_param(r, "id");
    struct dbres *u = user_load(r, id, &st);
    if (!u) return st;
    if (!r->wants_json) return render_user(r, 200, u, NULL);
    struct dbres *s = user_sessions_query(r, id);
    if (!s) return app_db_status(r);
    struct json_object *o = user_json(u, 0);
    json_object_object_add(o, "sessions", user_sessions_json(s));
    json_reply_data(r, 200, o);
    return 0;
}

/* GET /api/v1/admin/users/{id}/sessions — the user's live sessions, newest use first. */
int admin_user_sessions(struct request *r)
{
    int st;
    str id = req_path_param(r, "id");
    struct dbres *u = user_load(r, id, &st);
    if (!u) return st;
    struct dbres *s = user_sessions_query(r, id);
    if (!s) return app_db_status(r);
    json_reply_list(r, user_sessions_json(s), STR_NULL);
    return 0;
}

/* A change refused because of what the user is (the org's last admin, oneself): the
 * page again with why, or the JSON error. Returns REPLIED or an HTTP status. */
static int refuse(struct request *r, int status, const struct dbres *u, const char *field, const char *message)
{
    if (r->wants_json) {
        struct json_object *f = NULL;
        if (field) {
            f = json_object_new_object();
            json_add_cstr(f, field, message);
        }
        app_error(r, status, message, f);
        return REPLIED;
    }
    int st = render_user(r, status, u, message);
    return st ? st : REPLIED;
}

/* true when u is an active admin and nobody else is: taken under the org's admin
 * lock (sql/0035), so two concurrent changes see each other. */
static int is_last_admin(struct request *r, const struct dbres *u, bool *last)
{
    if (!db_q0(r->db, r->arena, "admin_lock_org_admins", "SELECT sb_lock_org_admins()")) return app_db_status(r);
    int st;
    struct dbres *now = user_load(r, db_val(u, 0, U_ID), &st);
    if (!now) return st;
    *last = str_eq_cstr(db_val(now, 0, U_ROLE), "admin") && str_eq_cstr(db_val(now, 0, U_STATUS), "active") &&
            db_long(now, 0, U_ADMINS) <= 1;
    return 0;
}

static const char *const LAST_ADMIN =
    "This is the organisation's last active admin. Make another user admin first.";

/* The trigger of sql/0035 refused (a change that raced past the check): 409 too. */
static int write_failed(struct request *r, const struct dbres *u)
{
    const char *c = db_last_constraint(r->db);
    if (c && strcmp(c, "users_last_admin") == 0) return refuse(r, 409, u, NULL, LAST_ADMIN);
    return app_db_status(r);
}

/* POST /admin/users/{id}/role and POST /api/v1/admin/users/{id}/role — role.
 * 409 when it would leave the org without an active admin. */
int admin_user_role(struct request *r)
{
    int st;
    struct dbres *u = user_load(r, req_path_param(r, "id"), &st);
    if (!u) return st;
    struct field_errors e = { 0 };
    bool p;
    str role = str_trim(input_value(r, "role", &p, &e));
    if (!input_one_of(role, role_names, 4)) return refuse(r, 400, u, "role", "must be viewer, agent, manager or admin");
    bool last;
    if ((st = is_last_admin(r, u, &last))) return st;
    if (last && !str_eq_cstr(role, "admin")) return refuse(r, 409, u, NULL, LAST_ADMIN);
    if (!db_q(r->db, r->arena, "admin_user_role",
              "UPDATE users SET role = $2, updated_at = now() WHERE org_id = app_org_id() AND id = $1",
              db_cstr(u, 0, U_ID), str_cstr(r->arena, role)))
        return write_failed(r, u);
    if ((st = audit_write(r, "user.role", "user", db_val(u, 0, U_ID),
                          detail2(r, "from", db_val(u, 0, U_ROLE), "to", role))))
        return st;
    if (!r->wants_json) return redirect_see_other(r, user_href(r, db_val(u, 0, U_ID), ""), "ok", "The role was changed.");
    u = user_load(r, db_val(u, 0, U_ID), &st);
    if (!u) return st;
    json_reply_data(r, 200, user_json(u, 0));
    return 0;
}

/* GET /admin/users/{id}/disable — asks before disabling. */
int admin_user_disable_confirm(struct request *r)
{
    int st;
    struct dbres *u = user_load(r, req_path_param(r, "id"), &st);
    if (!u) return st;
    struct tdict *d = page_dict(r, "Disable user", "admin/users_disable.tpl");
    tdict_set(d, "ID", db_val(u, 0, U_ID));
    tdict_set(d, "EMAIL", db_val(u, 0, U_EMAIL));
    return page_render(r, 200, d);
}

/* Ends every session of the user (the per-worker memory of them is checked by the
 * database on each use, sql/0028, so it lets none through). */
static int end_sessions(struct request *r, str user_id)
{
    return db_q(r->db, r->arena, "user_sessions_end",
                "DELETE FROM sessions WHERE org_id = app_org_id() AND user_id = $1", str_cstr(r->arena, user_id))
               ? 0
               : app_db_status(r);
}

static int reply_user_changed(struct request *r, str id, const char *flash)
{
    int st;
    if (!r->wants_json) return redirect_see_other(r, user_href(r, id, ""), "ok", flash);
    struct dbres *u = user_load(r, id, &st);
    if (!u) return st;
    json_reply_data(r, 200, user_json(u, 0));
    return 0;
}

/* POST /admin/users/{id}/disable and POST /api/v1/admin/users/{id}/disable — the
 * user can no longer sign in, and their sessions end now. Not oneself; not the last
 * active admin (409). */
int admin_user_disable(struct request *r)
{
    int st;
    struct dbres *u = user_load(r, req_path_param(r, "id"), &st);
    if (!u) return st;
    str id = db_val(u, 0, U_ID);
    if (str_eq(id, r->session->user_id)) return refuse(r, 400, u, NULL, "You cannot disable your own account.");
    bool last;
    if ((st = is_last_admin(r, u, &last))) return st;
    if (last) return refuse(r, 409, u, NULL, LAST_ADMIN);
    if (!db_q(r->db, r->arena, "admin_user_disable",
              "UPDATE users SET disabled = true, updated_at = now() WHERE org_id = app_org_id() AND id = $1",
              str_cstr(r->arena, id)))
        return write_failed(r, u);
    if ((st = end_sessions(r, id))) return st;
    if (!db_q(r->db, r->arena, "admin_user_links_spend",
              "UPDATE user_tokens SET used_at = now() WHERE org_id = app_org_id() AND user_id = $1 AND used_at IS NULL",
              str_cstr(r->arena, id)))
        return app_db_status(r);
    if ((st = audit_write(r, "user.disable", "user", id, detail2(r, "email", db_val(u, 0, U_EMAIL), NULL, STR_NULL))))
        return st;
    return reply_user_changed(r, id, "The user was disabled and signed out everywhere.");
}

/* POST /admin/users/{id}/enable and POST /api/v1/admin/users/{id}/enable. */
int admin_user_enable(struct request *r)
{
    int st;
    struct dbres *u = user_load(r, req_path_param(r, "id"), &st);
    if (!u) return st;
    str id = db_val(u, 0, U_ID);
    if (!db_q(r->db, r->arena, "admin_user_enable",
              "UPDATE users SET disabled = false, updated_at = now() WHERE org_id = app_org_id() AND id = $1",
              str_cstr(r->arena, id)))
        return app_db_status(r);
    if ((st = audit_write(r, "user.enable", "user", id, detail2(r, "email", db_val(u, 0, U_EMAIL), NULL, STR_NULL))))
        return st;
    return reply_user_changed(r, id, "The user was enabled.");
}

/* POST /admin/users/{id}/reset-link and POST /api/v1/admin/users/{id}/reset-link —
 * a one-time link (valid USER_LINK_HOURS) to set a new password, shown once; an
 * invited user gets a new invitation instead. Earlier links stop working. */
int admin_user_reset_link(struct request *r)
{
    int st;
    struct dbres *u = user_load(r, req_path_param(r, "id"), &st);
    if (!u) return st;
    str status = db_val(u, 0, U_STATUS);
    if (str_eq_cstr(status, "disabled")) return refuse(r, 409, u, NULL, "Enable the user before sending them a link.");
    const char *purpose = str_eq_cstr(status, "invited") ? "invite" : "reset";
    str link = user_link_create(r, db_val(u, 0, U_ID), purpose);
    if (!link.len) return app_db_status(r);
    if ((st = audit_write(r, strcmp(purpose, "invite") ? "user.reset_link" : "user.invite_link", "user",
                          db_val(u, 0, U_ID), detail2(r, "email", db_val(u, 0, U_EMAIL), NULL, STR_NULL))))
        return st;
    return reply_link(r, 201, u, link, purpose);
}

/* POST /admin/users/{id}/sessions/{sid}/revoke (and under /api/v1/admin) — ends one
 * session of the user; another user's or org's session id: 404. */
int admin_user_session_revoke(struct request *r)
{
    int st;
    struct dbres *u = user_load(r, req_path_param(r, "id"), &st);
    if (!u) return st;
    str sid = req_path_param(r, "sid");
    if (!str_is_uuid(sid)) return 404;
    str id = db_val(u, 0, U_ID);
    if ((st = session_revoke_by_id(r, id, sid))) return st;
    if ((st = audit_write(r, "session.revoke", "user", id, detail2(r, "session_id", sid, NULL, STR_NULL)))) return st;
    if (!r->wants_json) return redirect_see_other(r, user_href(r, id, ""), "ok", "The session was ended.");
    json_reply_data(r, 200, json_object_new_object());
    return 0;
}

int session_revoke_by_id(struct request *r, str user_id, str sid)
{
    struct dbres *q = db_q(r->db, r->arena, "session_revoke",
                           "DELETE FROM sessions WHERE org_id = app_org_id() AND user_id = $1 AND id = $2"
                           " RETURNING token_hash",
                           str_cstr(r->arena, user_id), str_cstr(r->arena, sid));
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1) return 404;
    /* This worker forgets it now; the others are refused by the database (sql/0028). */
    session_cache_drop(db_val(q, 0, 0));
    return 0;
}
