/* cursor.h — the one keyset cursor of every list: where the previous page ended
 * (the sort, its key, the row's id), as an opaque signed token (signed_token.h)
 * whose purpose names the list, so one list's cursor is refused by another. */
#ifndef SB_CURSOR_H
#define SB_CURSOR_H
#include <stdint.h>
#include "../../core/str.h"
struct arena;

struct list_cursor {
    int sort;     /* index into the list's sort codes */
    int64_t key;  /* the sort key of the last row (a time in microseconds, an amount, ...) */
    char id[37];  /* the last row's id, the tie-breaker */
};

/* The token "<code>.<key>.<id>", signed for purpose; codes holds one letter per
 * sort of the list ("nol": newest, oldest, longest). In the arena. */
str list_cursor_encode(struct arena *a, str secret, const char *purpose, const char *codes,
                       const struct list_cursor *c);
/* 0 and *c filled, or -1 when token is malformed, signed for another purpose or
 * with another key, or names a sort not in codes. */
int list_cursor_decode(str secret, const char *purpose, const char *codes, str token, struct list_cursor *c);

/* A cursor that is the last row's id alone, for a list whose sort key does not fit in
 * a token and is read back from that row (brand names of up to 200 characters): the
 * id signed for purpose. In the arena. */
str list_cursor_encode_id(struct arena *a, str secret, const char *purpose, str id);
/* 0 and id filled (NUL-terminated), or -1 when token is malformed, signed for another
 * purpose or with another key, or holds no UUID. */
int list_cursor_decode_id(str secret, const char *purpose, str token, char id[37]);

/* A cursor of two whole numbers, for lists ordered by (a time, a bigint id): the
 * audit log and the dead jobs. "<key>.<id>" signed for purpose, in the arena. */
str list_cursor_encode_pair(struct arena *a, str secret, const char *purpose, int64_t key, int64_t id);
/* 0 and *key, *id filled, or -1 when token is malformed or signed otherwise. */
int list_cursor_decode_pair(str secret, const char *purpose, str token, int64_t *key, int64_t *id);
#endif
