/* secretbox.c — AES-256-GCM sealing over OpenSSL EVP. */
#include "secretbox.h"

#include <openssl/evp.h>

#include "arena.h"
#include "crypto.h"

#define NONCE_LEN 12
#define TAG_LEN 16

/* A dedicated key, so the CSRF/URL-signing uses of secret_key never share one. */
static void derive_key(str secret_key, uint8_t key[32])
{
    crypto_hmac_sha256(secret_key, STR("switchboard secretbox v1"), key);
}

str secretbox_seal(struct arena *a, str secret_key, str context, str plaintext)
{
    uint8_t key[32];
    derive_key(secret_key, key);
    size_t n = NONCE_LEN + plaintext.len + TAG_LEN;
    uint8_t *out = arena_alloc(a, n);
    if (crypto_random(out, NONCE_LEN) != 0) return STR_NULL;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0;
    bool ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, out) == 1 &&
              EVP_EncryptUpdate(ctx, NULL, &len, (const uint8_t *)context.ptr, (int)context.len) == 1 &&
              EVP_EncryptUpdate(ctx, out + NONCE_LEN, &len, (const uint8_t *)plaintext.ptr,
                                (int)plaintext.len) == 1 &&
              EVP_EncryptFinal_ex(ctx, out + NONCE_LEN + len, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + NONCE_LEN + plaintext.len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? (str){ (const char *)out, n } : STR_NULL;
}

int secretbox_open(struct arena *a, str secret_key, str context, str sealed, str *out)
{
    if (sealed.len < NONCE_LEN + TAG_LEN) return -1;
    uint8_t key[32];
    derive_key(secret_key, key);
    const uint8_t *in = (const uint8_t *)sealed.ptr;
    size_t ct_len = sealed.len - NONCE_LEN - TAG_LEN;
    uint8_t *plain = arena_alloc(a, ct_len + 1);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0;
    bool ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, in) == 1 &&
              EVP_DecryptUpdate(ctx, NULL, &len, (const uint8_t *)context.ptr, (int)context.len) == 1 &&
              EVP_DecryptUpdate(ctx, plain, &len, in + NONCE_LEN, (int)ct_len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                                  (void *)(in + NONCE_LEN + ct_len)) == 1 &&
              EVP_DecryptFinal_ex(ctx, plain + len, &len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) return -1;
    plain[ct_len] = '\0';
    *out = (str){ (const char *)plain, ct_len };
    return 0;
}
