/* csrf.c — CSRF token = base64url(HMAC-SHA256(secret_key, "csrf:" + binding)). */
#include "csrf.h"

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"

str csrf_token(struct arena *a, str secret_key, str binding)
{
    struct buf msg;
    buf_init(&msg, a, binding.len + 8);
    buf_puts(&msg, "csrf:");
    buf_put(&msg, binding);
    uint8_t mac[32];
    crypto_hmac_sha256(secret_key, buf_str(&msg), mac);
    struct buf out;
    buf_init(&out, a, 48);
    base64url_encode(&out, mac, sizeof mac);
    return buf_str(&out);
}

bool csrf_check(struct arena *a, str secret_key, str binding, str submitted)
{
    if (binding.len == 0 || submitted.len == 0) return false;
    return crypto_ct_eq(csrf_token(a, secret_key, binding), submitted);
}

bool csrf_binding_valid(str value)
{
    if (value.len != 43) return false;
    for (size_t i = 0; i < value.len; i++) {
        char c = value.ptr[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}
