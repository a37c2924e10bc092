/* users_links.c — one-time links to set a password (an invitation, a reset): made
 * here for the admin, stored as the SHA-256 of their token, shown once. */
#include <stdio.h>
#include <string.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/crypto.h"
#include "../../db/db.h"
#include "../app.h"
#include "admin.h"

/* The site's own address for a link: public_url when set (what users reach), else
 * the scheme and host this admin's request came through. */
static void link_base(struct request *r, struct buf *b)
{
    const char *pub = r->cfg->public_url;
    if (pub && *pub) {
        str p = str_from(pub);
        while (p.len && p.ptr[p.len - 1] == '/') p.len--;
        buf_put(b, p);
        return;
    }
    buf_put(b, r->scheme.len ? r->scheme : STR("https"));
    buf_puts(b, "://");
    buf_put(b, r->host);
}

str user_link_create(struct request *r, str user_id, const char *purpose)
{
    str token = crypto_token(r->arena);
    /* An earlier link of the user's is spent: only the newest one works. */
    if (!db_q(r->db, r->arena, "user_link_supersede",
              "UPDATE user_tokens SET used_at = now() WHERE org_id = app_org_id() AND user_id = $1"
              " AND used_at IS NULL",
              str_cstr(r->arena, user_id)))
        return STR_NULL;
    char hours[16];
    snprintf(hours, sizeof hours, "%d", USER_LINK_HOURS);
    if (!db_q(r->db, r->arena, "user_link_create",
              "INSERT INTO user_tokens (org_id, user_id, purpose, token_hash, created_by, expires_at)"
              " VALUES (app_org_id(), $1, $2, $3, nullif($4, '')::uuid, now() + make_interval(hours => $5::int))",
              str_cstr(r->arena, user_id), purpose, str_cstr(r->arena, crypto_sha256_hex(r->arena, token)),
              str_cstr(r->arena, r->session->user_id), hours))
        return STR_NULL;
    struct buf b;
    buf_init(&b, r->arena, 128);
    link_base(r, &b);
    buf_puts(&b, "/account/setup?token=");
    buf_put(&b, token);
    return buf_str(&b);
}
