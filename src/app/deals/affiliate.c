/* affiliate.c — sealing and opening a deal's affiliate code. */
#include "affiliate.h"

#include <stdio.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/secretbox.h"
#include "../../db/db.h"
#include "../app.h"

/* The sealed box's associated data: the org and the deal it belongs to. */
static str affiliate_context(struct request *r, str deal_id)
{
    struct buf b;
    buf_init(&b, r->arena, 96);
    buf_put(&b, r->session->org_id);
    buf_puts(&b, ":deal:");
    buf_put(&b, deal_id);
    buf_puts(&b, ":affiliate_code");
    return buf_str(&b);
}

const char *deal_affiliate_seal_hex(struct request *r, str deal_id, str code)
{
    str sealed = secretbox_seal(r->arena, app_secret(r), affiliate_context(r, deal_id), code);
    struct buf b;
    buf_init(&b, r->arena, sealed.len * 2 + 1);
    for (size_t i = 0; i < sealed.len; i++) buf_printf(&b, "%02x", (unsigned char)sealed.ptr[i]);
    return buf_cstr(&b);
}

/* bytea's text output "\x<hex>" as bytes; false when it is not that. */
static bool bytea_decode(struct arena *a, str hex, str *out)
{
    if (hex.len < 2 || hex.len % 2) return false;
    size_t n = (hex.len - 2) / 2;
    char *raw = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        char pair[3] = { hex.ptr[2 + 2 * i], hex.ptr[3 + 2 * i], 0 };
        if (sscanf(pair, "%2x", &v) != 1) return false;
        raw[i] = (char)v;
    }
    *out = str_make(raw, n);
    return true;
}

int deal_affiliate_open(struct request *r, str deal_id, str *out)
{
    struct dbres *res = db_q(r->db, r->arena, "deal_affiliate_sealed",
                             "SELECT affiliate_code_sealed FROM deals WHERE id = $1::uuid AND org_id = app_org_id()"
                             " AND affiliate_code_sealed IS NOT NULL", str_cstr(r->arena, deal_id));
    if (!res || db_rows(res) != 1) return res ? 1 : -1;
    str sealed;
    if (!bytea_decode(r->arena, db_val(res, 0, 0), &sealed)) return -1;
    return secretbox_open(r->arena, app_secret(r), affiliate_context(r, deal_id), sealed, out) == 0 ? 0 : -1;
}
