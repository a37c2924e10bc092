/* signatures.c — signed recording URLs. */
#include "signatures.h"

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"

str sig_recording(struct arena *a, str secret_key, str path, long expires)
{
    uint8_t key[32], mac[32];
    crypto_hmac_sha256(secret_key, STR("switchboard recording url v1"), key);
    struct buf msg;
    buf_init(&msg, a, path.len + 24);
    buf_put(&msg, path);
    buf_printf(&msg, "\n%ld", expires);
    crypto_hmac_sha256(str_make((const char *)key, sizeof key), buf_str(&msg), mac);
    struct buf out;
    buf_init(&out, a, 65);
    hex_encode(&out, mac, sizeof mac);
    return buf_str(&out);
}

bool sig_recording_ok(struct arena *a, str secret_key, str path, str expires, str sig, long now)
{
    long exp;
    if (!str_to_long(expires, &exp) || exp <= now) return false;
    return crypto_ct_eq(sig_recording(a, secret_key, path, exp), sig);
}
