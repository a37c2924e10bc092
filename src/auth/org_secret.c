/* org_secret.c — sealing contexts and opening of an org's provider secrets. */
#include "org_secret.h"

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"
#include "../core/secretbox.h"

str org_secret_context(struct arena *a, str org_id, const char *key)
{
    struct buf ctx;
    buf_init(&ctx, a, 64);
    buf_put(&ctx, org_id);
    buf_putc(&ctx, ':');
    buf_puts(&ctx, key);
    return buf_str(&ctx);
}

int org_secret_open_b64(struct arena *a, str secret_key, str org_id, const char *key, str sealed_b64,
                        str *out)
{
    size_t cap = sealed_b64.len / 4 * 3 + 3;
    uint8_t *raw = arena_alloc(a, cap);
    long n = base64_decode(sealed_b64, raw, cap);
    if (n <= 0) return -1;
    return secretbox_open(a, secret_key, org_secret_context(a, org_id, key),
                          str_make((const char *)raw, (size_t)n), out);
}

str org_secret_seal_hex(struct arena *a, str secret_key, str org_id, const char *key, str value)
{
    str sealed = secretbox_seal(a, secret_key, org_secret_context(a, org_id, key), value);
    if (!sealed.len) return STR_NULL;
    struct buf hex;
    buf_init(&hex, a, sealed.len * 2 + 4);
    buf_puts(&hex, "\\x");
    hex_encode(&hex, (const uint8_t *)sealed.ptr, sealed.len);
    return buf_str(&hex);
}

const char *org_secret_hint(struct arena *a, str value)
{
    struct buf b;
    buf_init(&b, a, 16);
    buf_puts(&b, "****");
    if (value.len >= 12) buf_append(&b, value.ptr + value.len - 4, 4);
    return buf_cstr(&b);
}
