/* password.c — scrypt hashes as "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (base64, no padding). */
#include "password.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"

#define SALT_LEN 16
#define HASH_LEN 32
#define SCRYPT_R 8
#define SCRYPT_P 1

/* scrypt needs 128 * r * N bytes; allow up to ln=20 with headroom. */
static uint64_t maxmem_for(int log2_n, int r)
{
    return (uint64_t)128 * (uint64_t)r * ((uint64_t)1 << log2_n) + (32u << 20);
}

static bool derive(str pw, const uint8_t *salt, size_t salt_len, int log2_n, int r, int p, uint8_t *out)
{
    return EVP_PBE_scrypt(pw.ptr ? pw.ptr : "", pw.len, salt, salt_len, (uint64_t)1 << log2_n,
                          (uint64_t)r, (uint64_t)p, maxmem_for(log2_n, r), out, HASH_LEN) == 1;
}

/* base64 without padding, as PHC strings use. */
static void b64_nopad(struct buf *b, const uint8_t *p, size_t n)
{
    size_t start = b->len;
    base64_encode(b, p, n);
    while (b->len > start && b->data[b->len - 1] == '=') b->len--;
    b->data[b->len] = '\0';
}

static long b64_nopad_decode(str in, uint8_t *out, size_t cap)
{
    char padded[64];
    if (in.len == 0 || in.len + 3 > sizeof padded) return -1;
    memcpy(padded, in.ptr, in.len);
    size_t n = in.len;
    while (n % 4) padded[n++] = '=';
    return base64_decode(str_make(padded, n), out, cap);
}

char *password_hash(struct arena *a, str pw, int log2_n)
{
    uint8_t salt[SALT_LEN], hash[HASH_LEN];
    if (log2_n < 10 || log2_n > 20 || crypto_random(salt, sizeof salt) != 0) return NULL;
    if (!derive(pw, salt, sizeof salt, log2_n, SCRYPT_R, SCRYPT_P, hash)) return NULL;
    struct buf b;
    buf_init(&b, a, 128);
    buf_printf(&b, "$scrypt$ln=%d,r=%d,p=%d$", log2_n, SCRYPT_R, SCRYPT_P);
    b64_nopad(&b, salt, sizeof salt);
    buf_putc(&b, '$');
    b64_nopad(&b, hash, sizeof hash);
    return (char *)buf_cstr(&b);
}

struct parsed_hash {
    int log2_n, r, p;
    uint8_t salt[48];
    long salt_len;
    uint8_t hash[HASH_LEN];
};

/* Parses a stored string; false on anything unexpected (never trusts its numbers). */
static bool parse_stored(const char *stored, struct parsed_hash *out)
{
    if (!stored || strncmp(stored, "$scrypt$", 8) != 0) return false;
    str rest = str_from(stored + 8), params, salt_b64, hash_b64;
    str_cut(rest, '$', &params, &rest);
    if (!str_cut(rest, '$', &salt_b64, &hash_b64)) return false;
    long ln, r, p;
    str f1, f2, f3, tail;
    str_cut(params, ',', &f1, &tail);
    str_cut(tail, ',', &f2, &f3);
    if (!str_starts_with(f1, STR("ln=")) || !str_starts_with(f2, STR("r=")) || !str_starts_with(f3, STR("p=")))
        return false;
    if (!str_to_long(str_make(f1.ptr + 3, f1.len - 3), &ln) || !str_to_long(str_make(f2.ptr + 2, f2.len - 2), &r) ||
        !str_to_long(str_make(f3.ptr + 2, f3.len - 2), &p))
        return false;
    if (ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 4) return false;
    out->log2_n = (int)ln;
    out->r = (int)r;
    out->p = (int)p;
    out->salt_len = b64_nopad_decode(salt_b64, out->salt, sizeof out->salt);
    long hl = b64_nopad_decode(hash_b64, out->hash, sizeof out->hash);
    return out->salt_len >= 8 && hl == HASH_LEN;
}

bool password_verify(str pw, const char *stored)
{
    struct parsed_hash h;
    uint8_t got[HASH_LEN];
    if (pw.len > PASSWORD_MAX_LEN || !parse_stored(stored, &h)) return false;
    if (!derive(pw, h.salt, (size_t)h.salt_len, h.log2_n, h.r, h.p, got)) return false;
    return crypto_ct_eq(str_make((const char *)got, HASH_LEN), str_make((const char *)h.hash, HASH_LEN));
}

bool password_needs_rehash(const char *stored, int log2_n)
{
    struct parsed_hash h;
    if (!parse_stored(stored, &h)) return true;
    return h.log2_n < log2_n || h.r != SCRYPT_R || h.p != SCRYPT_P;
}

void password_dummy_verify(str pw, int log2_n)
{
    static const uint8_t salt[SALT_LEN] = { 0 };
    uint8_t out[HASH_LEN];
    if (pw.len > PASSWORD_MAX_LEN) pw.len = PASSWORD_MAX_LEN;
    derive(pw, salt, sizeof salt, log2_n, SCRYPT_R, SCRYPT_P, out);
}

const char *password_policy_error(str pw)
{
    if (utf8_length(pw) < PASSWORD_MIN_LEN) return "must be at least 12 characters";
    if (pw.len > PASSWORD_MAX_LEN) return "must be at most 1024 characters";
    if (!utf8_valid(pw)) return "must be valid UTF-8";
    return NULL;
}
