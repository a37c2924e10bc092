/* account_page.c — a user's own account: changing their password (the current one
 * required; their other sessions end), their sessions and ending them; and the page
 * a one-time link opens (an invitation or a reset) to set a password and sign in. */
#include <json-c/json.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/password.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/crypto.h"
#include "../../db/db.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../admin/admin.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "account.h"

/* Only people have an account; an API key acts for the org. */
static int refuse_api_key(struct request *r)
{
    app_error(r, 400, "API keys act for the organisation, not a user; sign in to manage an account.", NULL);
    return REPLIED;
}

/* form_render_fn: the account page with the password form's messages (ctx unused). */
static int render_account(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    (void)ctx;
    struct dbres *s = user_sessions_query(r, r->session->user_id);
    if (!s) return app_db_status(r);
    struct tdict *d = page_dict(r, "Your account", "account.tpl");
    tdict_set(d, "EMAIL", r->session->email);
    tdict_set(d, "NAME", r->session->user_name);
    tdict_set_cstr(d, "ROLE", role_name(r->session->role));
    form_errors(d, e, "form-error", "Your password was not changed; see the messages below.");
    struct tdict *x = form_field(d, "FIELD_CURRENT", e, "current_password", "Current password", "password", STR(""));
    tdict_show(x, "REQUIRED");
    x = form_field(d, "FIELD_NEW", e, "new_password", "New password", "password", STR(""));
    tdict_show(x, "REQUIRED");
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "At least 12 characters.");
    user_sessions_dict(d, s, "/account");
    return page_render(r, status, d);
}

/* GET /account — the password form and one's sessions. */
int account_show(struct request *r)
{
    if (r->via_api_key) return refuse_api_key(r);
    return render_account(r, 200, NULL, NULL);
}

/* GET /api/v1/account/sessions — one's live sessions (the current one marked). */
int account_sessions(struct request *r)
{
    if (r->via_api_key) return refuse_api_key(r);
    struct dbres *s = user_sessions_query(r, r->session->user_id);
    if (!s) return app_db_status(r);
    json_reply_list(r, user_sessions_json(s), STR_NULL);
    return 0;
}

static int check_current_password(struct request *r, str current, struct field_errors *e)
{
    struct dbres *q = db_q(r->db, r->arena, "account_password_hash",
                           "SELECT password_hash FROM users WHERE org_id = app_org_id() AND id = $1",
                           str_cstr(r->arena, r->session->user_id));
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1 || !password_verify(current, db_cstr(q, 0, 0))) {
        field_error_add(e, "current_password", "is not your current password");
        /* A wrong guess is a security event, kept though the change is refused. */
        audit_security(r, r->session->org_id, r->session->user_id, r->session->email, "password.change_failed", NULL);
    }
    return 0;
}

/* POST /account/password and POST /api/v1/account/password — current_password,
 * new_password (12+ characters). Ends every other session of the user. */
int account_password(struct request *r)
{
    if (r->via_api_key) return refuse_api_key(r);
    struct field_errors e = { 0 };
    bool p;
    str current = input_value(r, "current_password", &p, &e), next = input_value(r, "new_password", &p, &e);
    if (!current.len) field_error_add(&e, "current_password", "is required");
    const char *why = password_policy_error(next);
    if (why) field_error_add(&e, "new_password", why);
    int st = e.n ? 0 : check_current_password(r, current, &e);
    if (st) return st;
    if (e.n) {
        st = field_errors_reply(r, NULL, &e, render_account, NULL);
        /* The refusal is written; a wrong guess's audit row outlives it (the pipeline
         * rolls back after REPLIED, which is then a no-op). */
        if (st == REPLIED && field_error_of(&e, "current_password") && current.len) db_commit(r->db);
        return st;
    }
    char *hash = password_hash(r->arena, next, r->cfg->scrypt_log2_n);
    if (!hash) return 500;
    if (!db_q(r->db, r->arena, "account_password_set",
              "UPDATE users SET password_hash = $2, updated_at = now() WHERE org_id = app_org_id() AND id = $1",
              str_cstr(r->arena, r->session->user_id), hash))
        return app_db_status(r);
    if (!db_q(r->db, r->arena, "account_other_sessions_end",
              "DELETE FROM sessions WHERE org_id = app_org_id() AND user_id = $1 AND token_hash <> $2",
              str_cstr(r->arena, r->session->user_id), str_cstr(r->arena, r->session->token_hash)))
        return app_db_status(r);
    if ((st = audit_write(r, "user.password_change", "user", r->session->user_id, NULL))) return st;
    if (!r->wants_json)
        return redirect_see_other(r, "/account", "ok", "Your password was changed; your other sessions have ended.");
    json_reply_data(r, 200, json_object_new_object());
    return 0;
}

/* POST /account/sessions/{sid}/revoke (and under /api/v1/account) — ends one of
 * one's own sessions (another user's id: 404). Ending the current one signs out. */
int account_session_revoke(struct request *r)
{
    if (r->via_api_key) return refuse_api_key(r);
    str sid = req_path_param(r, "sid");
    if (!str_is_uuid(sid)) return 404;
    int st = session_revoke_by_id(r, r->session->user_id, sid);
    if (st) return st;
    if ((st = audit_write(r, "session.revoke", "user", r->session->user_id, NULL))) return st;
    if (!r->wants_json) return redirect_see_other(r, "/account", "ok", "The session was ended.");
    json_reply_data(r, 200, json_object_new_object());
    return 0;
}

/* ---- the page of a one-time link ---- */

static str link_token(struct request *r)
{
    bool p;
    struct field_errors e = { 0 };
    str t = str_trim(input_value(r, "token", &p, &e));
    if (!p) {
        const str *q = kvlist_get(&r->query, "token");
        t = q ? str_trim(*q) : STR("");
    }
    return t;
}

static int link_gone(struct request *r)
{
    app_error(r, 404, "This link does not work: it was used already, has expired, or a newer one replaced it."
                      " Ask an admin for a new one.", NULL);
    return REPLIED;
}

enum { LP_EMAIL, LP_PURPOSE, LP_ORG };

static struct dbres *link_peek(struct request *r, str token)
{
    if (token.len != 43) return NULL;
    return db_q(r->db, r->arena, "user_link_peek", "SELECT email, purpose, org_name FROM sb_user_token_peek($1)",
                str_cstr(r->arena, crypto_sha256_hex(r->arena, token)));
}

struct setup_form {
    str token;
    const struct dbres *link;
};

static int render_setup(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct setup_form *f = ctx;
    bool invite = str_eq_cstr(db_val(f->link, 0, LP_PURPOSE), "invite");
    struct tdict *d = page_dict(r, invite ? "Welcome" : "Set a new password", "account_setup.tpl");
    tdict_show(d, invite ? "INVITE" : "RESET");
    tdict_set(d, "EMAIL", db_val(f->link, 0, LP_EMAIL));
    tdict_set(d, "ORG", db_val(f->link, 0, LP_ORG));
    tdict_set(d, "TOKEN", f->token);
    form_errors(d, e, "form-error", "Your password was not set; see the message below.");
    struct tdict *x = form_field(d, "FIELD_PASSWORD", e, "password", "New password", "password", STR(""));
    tdict_show(x, "REQUIRED");
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "At least 12 characters.");
    return page_render(r, status, d);
}

/* GET /account/setup?token=T — the form to set a password, for a link that still works. */
int account_setup_form(struct request *r)
{
    str token = link_token(r);
    struct dbres *q = link_peek(r, token);
    if (!q && token.len == 43) return app_db_status(r);
    if (!q || db_rows(q) != 1) return link_gone(r);
    response_header(r->res, r->arena, "Referrer-Policy", STR("no-referrer"));
    return render_setup(r, 200, NULL, &(struct setup_form){ token, q });
}

enum { LR_USER_ID, LR_ORG_ID, LR_EMAIL, LR_PURPOSE };

/* POST /account/setup — token, password: sets the password (the link is spent,
 * the user's other sessions end) and signs in. */
int account_setup_submit(struct request *r)
{
    str token = link_token(r);
    struct dbres *q = link_peek(r, token);
    if (!q && token.len == 43) return app_db_status(r);
    if (!q || db_rows(q) != 1) return link_gone(r);
    bool p;
    struct field_errors e = { 0 };
    str pw = input_value(r, "password", &p, &e);
    const char *why = password_policy_error(pw);
    if (why) field_error_add(&e, "password", why);
    if (e.n) return field_errors_reply(r, NULL, &e, render_setup, &(struct setup_form){ token, q });
    /* Whatever session this browser had ends, as at sign-in (before the tenant switches). */
    if (r->session && r->session->token_hash.len && session_destroy(r->db, r->arena, r->session->token_hash) != 0)
        return 503;
    char *hash = password_hash(r->arena, pw, r->cfg->scrypt_log2_n);
    if (!hash) return 500;
    struct dbres *u = db_q(r->db, r->arena, "user_link_redeem",
                           "SELECT user_id, org_id, email, purpose FROM sb_user_token_redeem($1, $2)",
                           str_cstr(r->arena, crypto_sha256_hex(r->arena, token)), hash);
    if (!u) return app_db_status(r);
    if (db_rows(u) != 1) return link_gone(r); /* spent meanwhile by a concurrent use */
    str token_cookie = session_create(r->db, r->arena, db_val(u, 0, LR_USER_ID), r->remote_addr, r->user_agent,
                                      r->cfg->session_lifetime_s);
    if (!token_cookie.len) return 503;
    if (!db_q(r->db, r->arena, "user_link_touch", "UPDATE users SET last_login_at = now() WHERE id = $1",
              db_cstr(u, 0, LR_USER_ID)))
        return app_db_status(r);
    bool invite = str_eq_cstr(db_val(u, 0, LR_PURPOSE), "invite");
    if (audit_security(r, db_val(u, 0, LR_ORG_ID), db_val(u, 0, LR_USER_ID), db_val(u, 0, LR_EMAIL),
                       invite ? "user.invite_accepted" : "user.password_reset", NULL) != 0)
        return 503;
    response_set_cookie(r->res, r->arena, SESSION_COOKIE, token_cookie, r->cfg->session_lifetime_s, true);
    return redirect_see_other(r, "/", "ok", invite ? "Welcome! Your password is set." : "Your new password is set.");
}
