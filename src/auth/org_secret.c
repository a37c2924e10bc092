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
