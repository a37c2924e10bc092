/* deal_filters.h — the deals list's query parameters (identical for the page, the
 * JSON API and the CSV export), validated into a struct, and its signed cursor.
 * Pure: no I/O; the SQL that uses the struct is in db/deals_sql.c. */
#ifndef SB_DEAL_FILTERS_H
#define SB_DEAL_FILTERS_H
#include <stdbool.h>
#include <stdint.h>
#include "../../http/request.h"

enum deal_sort { DEAL_SORT_UPDATED, DEAL_SORT_VALUE, DEAL_SORT_DUE };

/* Every parameter, in the order the form shows them (index = enum value). */
enum deal_param {
    DP_Q, DP_STAGE, DP_BRAND_ID, DP_OWNER_ID, DP_RISK, DP_MIN_VALUE, DP_MAX_VALUE, DP_DUE_BEFORE,
    DP_TAG, DP_ARCHIVED, DP_DELETED, DP_SORT, DP_LIMIT, DP_CURSOR, DP_COUNT
};
extern const char *const deal_param_names[DP_COUNT];

#define DEAL_LIMIT_DEFAULT 50
#define DEAL_LIMIT_MAX 200

/* Where the previous page ended: the sort key (updated_at in microseconds since the
 * epoch, value_minor, or the next action's due time in microseconds with "none"
 * as INT64_MAX) and the id. */
struct deal_cursor {
    enum deal_sort sort;
    int64_t key;
    char id[37];
};

struct deal_filter {
    str raw[DP_COUNT];        /* the inputs as given, trimmed ("" when absent) */
    const char *stage;        /* NULL: any */
    const char *brand_id, *owner_id, *risk, *tag;
    const char *q_like;       /* title/brand substring, LIKE metacharacters escaped */
    long long min_value, max_value; /* minor units; -1: unset */
    const char *due_before;   /* YYYY-MM-DD: next action due before that day starts (org zone) */
    bool archived;            /* true: archived deals too */
    bool deleted;             /* true: only soft-deleted deals (restore list) */
    enum deal_sort sort;
    long limit;
    bool has_cursor;
    struct deal_cursor cursor;
};

struct deal_filter_error {
    enum deal_param param;
    const char *message;
};

/* Reads and validates every parameter of q ("" counts as absent) into f; writes at
 * most max errors (one per bad parameter) and returns how many (0 = f is ready).
 * secret signs cursors. */
int deal_filter_parse(struct arena *a, const struct kvlist *q, str secret, struct deal_filter *f,
                      struct deal_filter_error *errs, int max);
/* Appends "name=value&..." for every given parameter except those in skip (a bitmask
 * of 1 << enum deal_param), percent-encoded. */
void deal_filter_query_string(const struct deal_filter *f, unsigned skip, struct buf *out);
/* The opaque cursor (signed_token.h, purpose "deals-cursor"). */
str deal_cursor_encode(struct arena *a, str secret, const struct deal_cursor *c);
/* 0 and *c filled, or -1 if token is malformed or its signature is wrong. */
int deal_cursor_decode(str secret, str token, struct deal_cursor *c);
#endif
