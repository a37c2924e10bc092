/* deal_filters.h — the deals list's query parameters (identical for the page, the
 * JSON API, the CSV export and the deleted list), declared in one table and read by
 * params_parse, then the rules that tie parameters together. Pure: no I/O; the SQL
 * that uses the struct is in deals_sql.c. */
#ifndef SB_DEAL_FILTERS_H
#define SB_DEAL_FILTERS_H
#include <stdbool.h>
#include <stdint.h>
#include "../../http/request.h"
#include "../common/cursor.h"
#include "../common/params.h"
struct field_errors;

/* The sorts, in the order of DEAL_SORT_CODES (the cursor's first letter). */
enum deal_sort { DEAL_SORT_UPDATED, DEAL_SORT_VALUE, DEAL_SORT_DUE };
#define DEAL_SORT_CODES "uvd"
#define DEAL_CURSOR_PURPOSE "deals-cursor"

/* Every parameter, in the order of deal_params (index = enum value). */
enum deal_param {
    DP_Q, DP_STAGE, DP_BRAND_ID, DP_OWNER_ID, DP_RISK, DP_MIN_VALUE, DP_MAX_VALUE, DP_DUE_BEFORE,
    DP_TAG, DP_ARCHIVED, DP_DELETED, DP_SORT, DP_LIMIT, DP_CURSOR, DP_COUNT
};
extern const struct param_spec deal_params[DP_COUNT];

#define DEAL_LIMIT_DEFAULT 50
#define DEAL_LIMIT_MAX 200

struct deal_filter {
    struct param_value v[DP_COUNT]; /* as params_parse read them (raw: as given, trimmed) */
    const char *stage;        /* NULL: any */
    const char *brand_id, *owner_id, *risk, *tag;
    const char *q_like;       /* title/brand substring, LIKE metacharacters escaped */
    long long min_value, max_value; /* minor units; -1: unset */
    const char *due_before;   /* YYYY-MM-DD: next action due before that day starts (org zone) */
    bool archived;            /* true: archived deals too */
    bool deleted;             /* the deleted list: only soft-deleted deals (to restore) */
    enum deal_sort sort;
    long limit;
    bool has_cursor;
    struct list_cursor cursor; /* where the previous page ended; key as deals_sql.h says */
};

/* Reads q into f and records a field error in e per bad parameter (the first per
 * name); returns the number of errors (0: f is ready). deleted_list: f is for the
 * deleted list; otherwise deleted=true is refused with a message naming
 * deleted_href, the deleted list's own address. secret signs cursors. */
int deal_filter_parse(struct arena *a, const struct kvlist *q, str secret, bool deleted_list,
                      const char *deleted_href, struct deal_filter *f, struct field_errors *e);
/* Appends "name=value&..." for every given parameter except those in skip (a bitmask
 * of 1 << enum deal_param), percent-encoded. */
void deal_filter_query_string(const struct deal_filter *f, uint64_t skip, struct buf *out);
/* The opaque cursor of c (common/cursor.h, purpose DEAL_CURSOR_PURPOSE). */
str deal_cursor_encode(struct arena *a, str secret, const struct list_cursor *c);
#endif
