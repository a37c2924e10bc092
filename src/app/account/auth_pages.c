/* auth_pages.c — sign in and sign out. */
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/password.h"
#include "../../auth/session.h"
#include "../../auth/throttle.h"
#include "../../core/arena.h"
#include "../../db/db.h"
#include "../../view/view.h"
#include "../app.h"
#include "account.h"

/* Only local paths: "/x" but not "//host" or "/\host" (open-redirect defence).
 * Bytes a Location header cannot carry (space, DEL, non-ASCII) are percent-encoded,
 * which also makes the result stable when it comes back through the form. */
static str safe_next(struct arena *a, const str *next)
{
    if (!next || next->len == 0 || next->len > 2000 || next->ptr[0] != '/') return STR("/");
    if (next->len > 1 && (next->ptr[1] == '/' || next->ptr[1] == '\\')) return STR("/");
    struct buf b;
    buf_init(&b, a, next->len + 16);
    for (size_t i = 0; i < next->len; i++) {
        unsigned char c = (unsigned char)next->ptr[i];
        if (c < 0x20) return STR("/");
        if (c == ' ' || c >= 0x7f) buf_printf(&b, "%%%02X", c);
        else buf_putc(&b, (char)c);
    }
    return buf_str(&b);
}

struct login_input {
    str email, password, next;
    str address; /* the throttle's key for the client's address */
    const char *email_error, *password_error, *form_error;
};

static int render_login(struct request *r, int status, const struct login_input *in)
{
    struct tdict *d = page_dict(r, "Sign in", "login.tpl");
    tdict_set(d, "EMAIL", in->email);
    tdict_set(d, "NEXT", in->next);
    if (in->email_error) {
        tdict_show(d, "EMAIL_ERROR");
        tdict_set_cstr(d, "EMAIL_ERROR_MESSAGE", in->email_error);
    }
    if (in->password_error) {
        tdict_show(d, "PASSWORD_ERROR");
        tdict_set_cstr(d, "PASSWORD_ERROR_MESSAGE", in->password_error);
    }
    if (in->form_error) {
        tdict_show(d, "FORM_ERROR");
        tdict_set_cstr(d, "FORM_ERROR_MESSAGE", in->form_error);
    }
    return page_render(r, status, d);
}

/*
 * GET /login — the sign-in form.
 *   next: where to go after signing in (a local path; default /).
 */
int login_form(struct request *r)
{
    str next = safe_next(r->arena, req_param(r, "next"));
    if (r->session) return redirect_see_other(r, str_cstr(r->arena, next), NULL, NULL);
    struct login_input in = { .email = STR(""), .next = next };
    return render_login(r, 200, &in);
}

static bool validate_login(struct login_input *in)
{
    if (in->email.len == 0) in->email_error = "Enter your email address.";
    else if (in->email.len > 254 || memchr(in->email.ptr, '@', in->email.len) == NULL)
        in->email_error = "Enter a valid email address, like name@example.com.";
    if (in->password.len == 0) in->password_error = "Enter your password.";
    else if (in->password.len > PASSWORD_MAX_LEN) in->password_error = "That password is too long.";
    return !in->email_error && !in->password_error;
}

static int login_throttled(struct request *r, struct login_input *in, long wait_s)
{
    char secs[24], detail[128];
    snprintf(secs, sizeof secs, "%ld", wait_s);
    snprintf(detail, sizeof detail, "{\"retry_after_s\":%ld}", wait_s);
    audit_unauthenticated(r, STR(""), in->email, "login.throttled", detail);
    /* Headers keep the str until the response is sent: copy it off the stack. */
    response_header(r->res, r->arena, "Retry-After", str_dup(r->arena, str_from(secs)));
    in->form_error = "Too many failed sign-in attempts. Wait a few minutes and try again.";
    in->password = STR("");
    return render_login(r, 429, in);
}

/* A wrong password: recorded, audited, the form again. While the email waits out a
 * delay (a clean address may still try), it answers like a throttled attempt, with
 * the longer wait this failure has just caused. */
static int login_failed(struct request *r, struct login_input *in, str org_id, str user_id, long email_wait)
{
    if (throttle_login_record(r->db, r->arena, in->email, in->address, false) != 0) return 503;
    audit_security(r, org_id, user_id, in->email, "login.failed", NULL);
    if (email_wait > 0) {
        const struct config *cfg = r->cfg;
        struct login_throttle t;
        if (throttle_login_check(r->db, r->arena, in->email, in->address, cfg->login_max_failures_email,
                                 cfg->login_max_failures_ip, cfg->login_window_s, &t) != 0)
            return 503;
        return login_throttled(r, in, t.email_wait > 0 ? t.email_wait : email_wait);
    }
    in->form_error = "The email or password is incorrect.";
    return render_login(r, 400, in);
}

/* Switches the transaction to the user's org so the session insert passes RLS. */
static int enter_org(struct request *r, str org_id, str user_id)
{
    return db_q(r->db, r->arena, "login_enter_org",
                "SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)",
                str_cstr(r->arena, org_id), str_cstr(r->arena, user_id))
               ? 0
               : -1;
}

/* A hash made with a lower cost than configured is made again now, while the
 * password is at hand: raising scrypt_log2_n upgrades users as they sign in. */
static int rehash_if_weaker(struct request *r, str user_id, str password, const char *stored_hash)
{
    if (!password_needs_rehash(stored_hash, r->cfg->scrypt_log2_n)) return 0;
    char *hash = password_hash(r->arena, password, r->cfg->scrypt_log2_n);
    if (!hash) return -1;
    return db_q(r->db, r->arena, "login_rehash", "UPDATE users SET password_hash = $1 WHERE id = $2", hash,
                str_cstr(r->arena, user_id))
               ? 0
               : -1;
}

static int login_succeeded(struct request *r, struct login_input *in, str org_id, str user_id,
                           const char *stored_hash)
{
    const struct config *cfg = r->cfg;
    /* Rotation: whatever session the browser had is ended, a new token is issued.
     * Before the tenant switches: under the new org's row-level security a session
     * of another org is invisible, and would survive its delete. */
    if (r->session && session_destroy(r->db, r->arena, r->session->token_hash) != 0) return 503;
    if (enter_org(r, org_id, user_id) != 0) return 503;
    if (rehash_if_weaker(r, user_id, in->password, stored_hash) != 0) return 503;
    str token = session_create(r->db, r->arena, user_id, r->remote_addr, r->user_agent,
                               cfg->session_lifetime_s);
    if (!token.len) return 503;
    if (throttle_login_record(r->db, r->arena, in->email, in->address, true) != 0) return 503;
    if (!db_q(r->db, r->arena, "login_touch_user", "UPDATE users SET last_login_at = now() WHERE id = $1",
              str_cstr(r->arena, user_id)))
        return 503;
    audit_security(r, org_id, user_id, in->email, "login.ok", NULL);
    response_set_cookie(r->res, r->arena, SESSION_COOKIE, token, cfg->session_lifetime_s, true);
    return redirect_see_other(r, str_cstr(r->arena, in->next), NULL, NULL);
}

enum login_user_col { LU_USER_ID, LU_ORG_ID, LU_PASSWORD_HASH, LU_DISABLED };

/*
 * POST /login — signs in.
 *   email, password (required); next (optional local path); csrf_token.
 * 400 with the form and messages on bad input or wrong credentials; 429 with
 * Retry-After when the address is over its limit, or the email is in a delay and
 * the address has failed recently (a correct password from a clean address gets
 * through a delay: throttle.h).
 */
int login_submit(struct request *r)
{
    const struct config *cfg = r->cfg;
    const str *email = req_param(r, "email"), *pw = req_param(r, "password");
    struct login_input in = { .email = email ? str_trim(*email) : STR(""),
                              .password = pw ? *pw : STR(""),
                              .next = safe_next(r->arena, req_param(r, "next")),
                              .address = throttle_address_key(r->arena, r->remote_addr) };
    if (!validate_login(&in)) return render_login(r, 400, &in);
    struct login_throttle t;
    if (throttle_login_check(r->db, r->arena, in.email, in.address, cfg->login_max_failures_email,
                             cfg->login_max_failures_ip, cfg->login_window_s, &t) != 0)
        return 503;
    if (t.ip_wait > 0) return login_throttled(r, &in, t.ip_wait);
    if (t.email_wait > 0 && !t.address_clean) return login_throttled(r, &in, t.email_wait);
    struct dbres *u = db_q(r->db, r->arena, "login_user",
                           "SELECT user_id, org_id, password_hash, disabled FROM sb_login_user($1)",
                           str_cstr(r->arena, in.email));
    if (!u) return 503;
    if (db_rows(u) != 1) {
        password_dummy_verify(in.password, cfg->scrypt_log2_n);
        return login_failed(r, &in, STR(""), STR(""), t.email_wait);
    }
    str user_id = db_val(u, 0, LU_USER_ID), org_id = db_val(u, 0, LU_ORG_ID);
    bool ok = password_verify(in.password, db_cstr(u, 0, LU_PASSWORD_HASH)) && !db_bool(u, 0, LU_DISABLED);
    if (!ok) return login_failed(r, &in, org_id, user_id, t.email_wait);
    return login_succeeded(r, &in, org_id, user_id, db_cstr(u, 0, LU_PASSWORD_HASH));
}

/* POST /logout — ends the session (csrf_token required) and returns to /login. */
int logout_submit(struct request *r)
{
    if (r->session && r->session->token_hash.len) {
        if (session_destroy(r->db, r->arena, r->session->token_hash) != 0) return 503;
        audit_security(r, r->session->org_id, r->session->user_id, r->session->email, "logout", NULL);
    }
    response_set_cookie(r->res, r->arena, SESSION_COOKIE, STR(""), 0, true);
    return redirect_see_other(r, "/login", "ok", "You have signed out.");
}
