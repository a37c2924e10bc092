/* signatures.c — webhook signature checks and signed recording URLs. */
#include "signatures.h"

#include <stdlib.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"
#include "../http/request.h"

bool sig_vapi_ok(str secret, str header)
{
    if (!secret.len || !header.len) return false;
    return crypto_ct_eq(secret, header);
}

static int str_cmp(str a, str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c) return c;
    return a.len < b.len ? -1 : a.len > b.len;
}

static int kv_cmp(const void *x, const void *y)
{
    const struct kv *a = x, *b = y;
    int c = str_cmp(a->key, b->key);
    return c ? c : str_cmp(a->val, b->val);
}

str sig_twilio_compute(struct arena *a, str auth_token, str url, const struct kvlist *params)
{
    struct kv *sorted = arena_alloc(a, (params->n ? params->n : 1) * sizeof *sorted);
    if (params->n) memcpy(sorted, params->items, params->n * sizeof *sorted);
    qsort(sorted, params->n, sizeof *sorted, kv_cmp);
    struct buf msg;
    buf_init(&msg, a, url.len + 256);
    buf_put(&msg, url);
    for (size_t i = 0; i < params->n; i++) {
        buf_put(&msg, sorted[i].key);
        buf_put(&msg, sorted[i].val);
    }
    uint8_t mac[20];
    crypto_hmac_sha1(auth_token, buf_str(&msg), mac);
    struct buf out;
    buf_init(&out, a, 32);
    base64_encode(&out, mac, sizeof mac);
    return buf_str(&out);
}

bool sig_twilio_ok(struct arena *a, str auth_token, str url, const struct kvlist *params, str header)
{
    if (!auth_token.len || !header.len) return false;
    return crypto_ct_eq(sig_twilio_compute(a, auth_token, url, params), str_trim(header));
}

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
