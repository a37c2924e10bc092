/* signed_token.c — HMAC-signed opaque tokens (list cursors). */
#include "signed_token.h"

#include <stdint.h>
#include <string.h>

#include "../../core/buf.h"
#include "../../core/crypto.h"

#define MAC_BYTES 16

/* HMAC over "<purpose>:<payload>". */
static void token_mac(str secret, const char *purpose, str payload, uint8_t mac[32])
{
    char in[64 + 1 + SIGNED_TOKEN_MAX_PAYLOAD];
    size_t p = strlen(purpose);
    if (p > 64) p = 64;
    size_t n = payload.len < SIGNED_TOKEN_MAX_PAYLOAD ? payload.len : SIGNED_TOKEN_MAX_PAYLOAD;
    memcpy(in, purpose, p);
    in[p] = ':';
    memcpy(in + p + 1, payload.ptr, n);
    crypto_hmac_sha256(secret, str_make(in, p + 1 + n), mac);
}

str signed_token_encode(struct arena *a, str secret, const char *purpose, str payload)
{
    uint8_t mac[32];
    if (payload.len > SIGNED_TOKEN_MAX_PAYLOAD) payload.len = SIGNED_TOKEN_MAX_PAYLOAD;
    token_mac(secret, purpose, payload, mac);
    struct buf b;
    buf_init(&b, a, 2 * payload.len + 32);
    base64url_encode(&b, (const uint8_t *)payload.ptr, payload.len);
    buf_putc(&b, '.');
    base64url_encode(&b, mac, MAC_BYTES);
    return buf_str(&b);
}

long signed_token_decode(str secret, const char *purpose, str token, char *out, size_t cap)
{
    str enc, mac_enc;
    if (token.len > 2 * SIGNED_TOKEN_MAX_PAYLOAD || !str_cut(token, '.', &enc, &mac_enc)) return -1;
    uint8_t payload[SIGNED_TOKEN_MAX_PAYLOAD], mac[32], given[32];
    long n = base64url_decode(enc, payload, sizeof payload);
    long m = base64url_decode(mac_enc, given, sizeof given);
    if (n < 1 || m != MAC_BYTES || (size_t)n > cap) return -1;
    token_mac(secret, purpose, str_make((const char *)payload, (size_t)n), mac);
    if (!crypto_ct_eq(str_make((const char *)mac, MAC_BYTES), str_make((const char *)given, MAC_BYTES))) return -1;
    memcpy(out, payload, (size_t)n);
    return n;
}
