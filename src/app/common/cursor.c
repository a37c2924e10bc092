/* cursor.c — encoding and strict decoding of list cursors. */
#include "cursor.h"

#include <stdio.h>
#include <string.h>

#include "signed_token.h"

str list_cursor_encode(struct arena *a, str secret, const char *purpose, const char *codes,
                       const struct list_cursor *c)
{
    char payload[80];
    int n = snprintf(payload, sizeof payload, "%c.%lld.%s", codes[c->sort], (long long)c->key, c->id);
    return signed_token_encode(a, secret, purpose, str_make(payload, (size_t)n));
}

int list_cursor_decode(str secret, const char *purpose, const char *codes, str token, struct list_cursor *c)
{
    char payload[SIGNED_TOKEN_MAX_PAYLOAD];
    long n = signed_token_decode(secret, purpose, token, payload, sizeof payload);
    if (n < 40) return -1;
    /* Signed by us, so well-formed; parsed strictly all the same. */
    str sort, rest, key, id;
    if (!str_cut(str_make(payload, (size_t)n), '.', &sort, &rest) || !str_cut(rest, '.', &key, &id) ||
        sort.len != 1 || sort.ptr[0] == '\0')
        return -1;
    const char *code = strchr(codes, sort.ptr[0]);
    long k;
    if (!code || !str_to_long(key, &k) || !str_is_uuid(id)) return -1;
    c->sort = (int)(code - codes);
    c->key = k;
    memcpy(c->id, id.ptr, 36);
    c->id[36] = '\0';
    return 0;
}

str list_cursor_encode_id(struct arena *a, str secret, const char *purpose, str id)
{
    return signed_token_encode(a, secret, purpose, id);
}

int list_cursor_decode_id(str secret, const char *purpose, str token, char id[37])
{
    char payload[SIGNED_TOKEN_MAX_PAYLOAD];
    long n = signed_token_decode(secret, purpose, token, payload, sizeof payload);
    if (n != 36 || !str_is_uuid(str_make(payload, 36))) return -1;
    memcpy(id, payload, 36);
    id[36] = '\0';
    return 0;
}

str list_cursor_encode_pair(struct arena *a, str secret, const char *purpose, int64_t key, int64_t id)
{
    char payload[48];
    int n = snprintf(payload, sizeof payload, "%lld.%lld", (long long)key, (long long)id);
    return signed_token_encode(a, secret, purpose, str_make(payload, (size_t)n));
}

int list_cursor_decode_pair(str secret, const char *purpose, str token, int64_t *key, int64_t *id)
{
    char payload[SIGNED_TOKEN_MAX_PAYLOAD];
    long n = signed_token_decode(secret, purpose, token, payload, sizeof payload);
    if (n < 3) return -1;
    str k, i;
    long kv, iv;
    if (!str_cut(str_make(payload, (size_t)n), '.', &k, &i) || !str_to_long(k, &kv) || !str_to_long(i, &iv)) return -1;
    *key = kv;
    *id = iv;
    return 0;
}
