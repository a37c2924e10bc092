/* crypto.h — the small set of primitives the app uses, over OpenSSL libcrypto. */
#ifndef SB_CRYPTO_H
#define SB_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "str.h"
struct arena;
struct buf;

/* Fills out with n cryptographically secure random bytes; 0 ok, -1 on failure. */
int crypto_random(void *out, size_t n);
void crypto_sha256(const void *p, size_t n, uint8_t out[32]);
void crypto_hmac_sha256(str key, str msg, uint8_t out[32]);
void crypto_hmac_sha1(str key, str msg, uint8_t out[20]);
/* Constant-time comparison of equal-length buffers; false if lengths differ. */
bool crypto_ct_eq(str a, str b);
/* Encoders append to b. */
void hex_encode(struct buf *b, const uint8_t *p, size_t n);
void base64url_encode(struct buf *b, const uint8_t *p, size_t n); /* no padding */
void base64_encode(struct buf *b, const uint8_t *p, size_t n);    /* standard, padded */
/* Decoders return decoded length or -1 on malformed input; out must hold enough. */
long base64url_decode(str in, uint8_t *out, size_t out_cap);
long base64_decode(str in, uint8_t *out, size_t out_cap);
/* A fresh random token: 32 random bytes, base64url (43 chars), in the arena. */
str crypto_token(struct arena *a);
/* sha256 of s as lowercase hex (64 chars), in the arena. */
str crypto_sha256_hex(struct arena *a, str s);
#endif
