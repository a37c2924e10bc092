/* deal_filters.c — the deals list's parameter table and the rules between its
 * parameters (value range, cursor and sort, the deleted list's own address). */
#include "deal_filters.h"

#include <limits.h>
#include <stdio.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../common/field_errors.h"

static const char *const stages[] = { "inbound", "negotiating", "contracted", "in_progress", "delivered",
                                      "invoiced", "paid", "lost", NULL };
static const char *const risks[] = { "low", "med", "high", NULL };
static const char *const sorts[] = { "updated", "value", "due", NULL };

#define AMOUNT_MESSAGE "must be a whole number of minor units (cents), 0 or more"

const struct param_spec deal_params[DP_COUNT] = {
    [DP_Q] = { "q", PARAM_LIKE, 0, 200, NULL, NULL },
    [DP_STAGE] = { "stage", PARAM_ENUM, 0, 0, stages,
                   "must be one of inbound, negotiating, contracted, in_progress, delivered, invoiced, paid, lost" },
    [DP_BRAND_ID] = { "brand_id", PARAM_UUID, 0, 0, NULL, "must be an id from the list" },
    [DP_OWNER_ID] = { "owner_id", PARAM_UUID, 0, 0, NULL, "must be an id from the list" },
    [DP_RISK] = { "risk", PARAM_ENUM, 0, 0, risks, "must be low, med or high" },
    [DP_MIN_VALUE] = { "min_value", PARAM_INT, 0, LONG_MAX, NULL, AMOUNT_MESSAGE },
    [DP_MAX_VALUE] = { "max_value", PARAM_INT, 0, LONG_MAX, NULL, AMOUNT_MESSAGE },
    [DP_DUE_BEFORE] = { "due_before", PARAM_DATE, 0, 0, NULL, NULL },
    [DP_TAG] = { "tag", PARAM_TEXT, 0, 50, NULL, NULL },
    [DP_ARCHIVED] = { "archived", PARAM_BOOL, 0, 0, NULL, NULL },
    [DP_DELETED] = { "deleted", PARAM_BOOL, 0, 0, NULL, NULL },
    [DP_SORT] = { "sort", PARAM_ENUM, 0, 0, sorts, "must be updated, value or due" },
    [DP_LIMIT] = { "limit", PARAM_INT, 1, DEAL_LIMIT_MAX, NULL, NULL },
    [DP_CURSOR] = { "cursor", PARAM_RAW, 0, 0, NULL, NULL },
};

static const char *text_of(const struct param_value *v) { return v->valid ? v->text : NULL; }

/* The typed members from the values params_parse accepted. */
static void filter_fill(struct deal_filter *f, bool deleted_list)
{
    const struct param_value *v = f->v;
    f->q_like = text_of(&v[DP_Q]);
    f->stage = text_of(&v[DP_STAGE]);
    f->brand_id = text_of(&v[DP_BRAND_ID]);
    f->owner_id = text_of(&v[DP_OWNER_ID]);
    f->risk = text_of(&v[DP_RISK]);
    f->tag = text_of(&v[DP_TAG]);
    f->due_before = text_of(&v[DP_DUE_BEFORE]);
    f->min_value = v[DP_MIN_VALUE].valid ? v[DP_MIN_VALUE].num : -1;
    f->max_value = v[DP_MAX_VALUE].valid ? v[DP_MAX_VALUE].num : -1;
    f->archived = v[DP_ARCHIVED].valid && v[DP_ARCHIVED].num;
    f->deleted = deleted_list;
    f->sort = v[DP_SORT].valid ? (enum deal_sort)v[DP_SORT].num : DEAL_SORT_UPDATED;
    f->limit = v[DP_LIMIT].valid ? v[DP_LIMIT].num : DEAL_LIMIT_DEFAULT;
}

int deal_filter_parse(struct arena *a, const struct kvlist *q, str secret, bool deleted_list,
                      const char *deleted_href, struct deal_filter *f, struct field_errors *e)
{
    *f = (struct deal_filter){ 0 };
    int before = e->n;
    params_parse(a, q, deal_params, DP_COUNT, f->v, e);
    filter_fill(f, deleted_list);
    if (f->min_value >= 0 && f->max_value >= 0 && f->min_value > f->max_value)
        field_error_add(e, "max_value", "must not be below the minimum value");
    if (!deleted_list && f->v[DP_DELETED].valid && f->v[DP_DELETED].num) {
        char m[160];
        snprintf(m, sizeof m, "must not be true here: deleted deals are listed at %s", deleted_href);
        field_error_add(e, "deleted", arena_strdup(a, m));
    }
    if (f->v[DP_CURSOR].given) {
        /* A cursor holds its sort: continuing it under another sort would skip rows. */
        if (list_cursor_decode(secret, DEAL_CURSOR_PURPOSE, DEAL_SORT_CODES, f->v[DP_CURSOR].raw, &f->cursor) != 0 ||
            f->cursor.sort != (int)f->sort)
            field_error_add(e, "cursor", "is not valid for this list: start from the first page");
        else f->has_cursor = true;
    }
    return e->n - before;
}

void deal_filter_query_string(const struct deal_filter *f, uint64_t skip, struct buf *out)
{
    params_query_string(deal_params, f->v, DP_COUNT, skip, out);
}

str deal_cursor_encode(struct arena *a, str secret, const struct list_cursor *c)
{
    return list_cursor_encode(a, secret, DEAL_CURSOR_PURPOSE, DEAL_SORT_CODES, c);
}
