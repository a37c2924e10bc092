/* deals_sql.h — the deals list query (page, JSON and CSV share it), the board's
 * per-stage totals and cards, and the brands list. */
#ifndef SB_DEALS_SQL_H
#define SB_DEALS_SQL_H
#include "deal_filters.h"
struct db;
struct dbres;
struct arena;

/* Columns of every deals_* result that lists deals, in this order. */
enum deal_col {
    DC_ID, DC_TITLE, DC_BRAND_ID, DC_BRAND_NAME, DC_OWNER_ID, DC_OWNER_NAME, DC_STAGE, DC_CONTRACT,
    DC_TYPE, DC_VALUE, DC_CURRENCY, DC_RISK, DC_REASONS /* JSON */, DC_NEXT, DC_NEXT_DUE, DC_TAGS /* JSON */,
    DC_CATEGORIES /* JSON */, DC_UR_START, DC_UR_END, DC_EX_CAT, DC_EX_PLAT /* JSON */, DC_EX_START, DC_EX_END,
    DC_REV_LIMIT, DC_REV_USED, DC_ARCHIVED, DC_DELETED, DC_VERSION, DC_CREATED, DC_UPDATED,
    DC_NEXT_DUE_LOCAL /* org zone, "YYYY-MM-DD HH:MM" */, DC_REV_FEE, DC_HAS_AFFILIATE, DC_SORT_KEY,
    DC_COUNT
};

/* One page of the list after `after` (NULL: the first), at most limit rows. tz is
 * the org's time zone (due_before is a day there). A cursor's key is updated_at in
 * microseconds since the epoch, value_minor, or the next action's due time in
 * microseconds with "none" as INT64_MAX, as the sort says. NULL on a database error. */
struct dbres *deals_list_query(struct db *db, struct arena *a, const struct deal_filter *f, const char *tz,
                               const struct list_cursor *after, long limit);
/* The cursor that continues after row of a list result. */
struct list_cursor deals_cursor_of(const struct dbres *res, int row, enum deal_sort sort);
/* One deal of the org (deleted ones too) with the list's columns. */
struct dbres *deals_one_query(struct db *db, struct arena *a, const char *id);
/* Columns of deals_board_totals, in this order. */
enum deal_total_col { DT_STAGE, DT_CURRENCY, DT_COUNT, DT_VALUE };
/* Board totals: stage, currency, count, sum(value_minor) of live, unarchived deals. */
struct db_stmt deals_board_totals_stmt(void);
/* Board cards: the `per_stage` most recently updated live, unarchived deals of each
 * stage, in stage then updated order (the columns below). */
struct db_stmt deals_board_cards_stmt(struct arena *a, long per_stage);
/* Columns of deals_board_cards, in this order; cards in stage order, newest first. */
enum deal_card_col {
    BC_ID, BC_TITLE, BC_BRAND, BC_STAGE, BC_VALUE, BC_CURRENCY, BC_RISK,
    BC_NEXT, /* the next action's first BOARD_NEXT_CHARS + 1 characters */
    BC_NEXT_DUE, BC_NEXT_DUE_LOCAL, BC_VERSION
};

/* Columns of brands_list_query, in this order. */
enum brand_list_col { BL_ID, BL_NAME, BL_ALIASES /* "a, b" */, BL_DEALS /* live deals */ };

/* One page of the org's live brands in name order (case-insensitively, then id),
 * served by brands_org_name_id_idx (0012): those whose name or aliases contain
 * q_like (a LIKE pattern body, metacharacters escaped; NULL: all), after the
 * position (after_name = lower(name), after_id) when after_id is given, at most
 * limit rows. NULL on a database error. */
struct dbres *brands_list_query(struct db *db, struct arena *a, const char *q_like, const char *after_name,
                                const char *after_id, long limit);
/* lower(name) of brand id of the org (soft-deleted ones too: a list cursor may
 * point at a brand deleted since): one row, or none when there is no such brand. */
struct dbres *brands_sort_key_query(struct db *db, struct arena *a, const char *id);
#endif
