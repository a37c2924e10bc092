/* calls_sql.h — the calls list, count, detail and delete queries. The list's WHERE
 * is built from fixed fragments; each fragment set has its own statement name. */
#ifndef SB_CALLS_SQL_H
#define SB_CALLS_SQL_H
#include <stdbool.h>
#include <stdint.h>
#include "../../db/db.h"
#include "call_filters.h"
struct db;
struct dbres;
struct arena;

/* Columns of a list row (calls_list_stmt, calls_related_query). */
enum call_col {
    CC_ID, CC_DIRECTION, CC_PROVIDER, CC_PROVIDER_CALL_ID, CC_FROM, CC_TO, CC_CALLER_NAME,
    CC_STATUS, CC_STARTED_AT, CC_ENDED_AT, CC_DURATION_S, CC_SENTIMENT_SCORE, CC_SENTIMENT_LABEL,
    CC_HAS_RECORDING, CC_CONTACT_ID, CC_CAMPAIGN_ID, CC_CREATED_AT,
    CC_STARTED_LOCAL,  /* started_at in the org's zone: read with calls_local_minute */
    CC_IS_DEMO,
    CC_COUNT,
    CC_MATCHES = CC_COUNT /* a search's rows only: how many calls match in all, or NULL
                           * when it walked (calls_sql.c, "Searches") */
};

/* How a search finds its matches, once chosen (calls_sql.c, "Searches"): via, an enum
 * calls_search_via, or -1 while not chosen; names_epoch, for CALLS_SEARCH_SURNAME, the
 * epoch of the org's names when the choice was checked (sql/0062). A worker keeps it
 * for the same search (search_plans.h). */
struct calls_search_choice {
    int via;
    int64_t names_epoch;
};
#define CALLS_SEARCH_UNKNOWN ((struct calls_search_choice){ -1, 0 })

/* The statement of the calls of the org matching f in f->sort order, after `after`
 * (may be NULL), at most limit rows. tz names the org's time zone (dates and local
 * times). known is a search's way when already known (as given to
 * calls_search_plan_stmt, run before it), else CALLS_SEARCH_UNKNOWN. Its SQL and
 * parameters live in the arena. */
struct db_stmt calls_list_stmt(struct arena *a, const struct call_filter *f, const char *tz,
                               const struct list_cursor *after, long limit, struct calls_search_choice known);
/* The same rows for the /calls page: the columns it does not show (CC_PROVIDER,
 * CC_PROVIDER_CALL_ID, CC_ENDED_AT, CC_SENTIMENT_SCORE, CC_CONTACT_ID, CC_CAMPAIGN_ID,
 * CC_CREATED_AT) are NULL. */
struct db_stmt calls_page_stmt(struct arena *a, const struct call_filter *f, const char *tz,
                               const struct list_cursor *after, long limit, struct calls_search_choice known);
/* Whether f's list has a plan as good for every value (a phone number alone, newest
 * or oldest first: read in two merged index walks, calls_sql.c), so the caller should
 * have PostgreSQL keep one generic plan for it instead of planning every request. */
bool calls_list_plan_generic(const struct call_filter *f);
/* Whether f searches by caller name or transcript words. A search's list and count
 * need calls_search_plan_stmt run before them in the same transaction: it chooses
 * how they find the matches (calls_sql.c, "Searches") and answers the choice, "walk",
 * "index" or "names" (enum calls_search_plan_col; calls_search_via_of reads it). limit
 * is the list's. known is a choice already made for the same search (search_plans.h),
 * or CALLS_SEARCH_UNKNOWN to make it. For a known CALLS_SEARCH_SURNAME it answers the
 * names' epoch now (CSP_NAMES_EPOCH): the choice is to be forgotten if it moved. */
enum calls_search_via {
    CALLS_SEARCH_INDEX, CALLS_SEARCH_WALK, CALLS_SEARCH_NAMES, CALLS_SEARCH_FEW_NAMES, CALLS_SEARCH_SURNAME
};
bool calls_is_search(const struct call_filter *f);
struct db_stmt calls_search_plan_stmt(struct arena *a, const struct call_filter *f, long limit,
                                      struct calls_search_choice known);
/* The way to remember for a choice (CSP_CHOICE), the number of names the search
 * matched (CSP_NAMES, counted up to a few more than the few the names' simpler
 * statement is for), or -1 when the names could not answer (CSP_NAMES is NULL), and
 * whether its names all have the search as their surname (CSP_NAMES_EPOCH not NULL:
 * the epoch to keep with the choice). */
enum calls_search_via calls_search_via_of(const char *choice, long names, bool surname);
enum calls_search_plan_col { CSP_CHOICE, CSP_NAMES, CSP_NAMES_EPOCH };
/* COPY (SELECT ...) TO STDOUT (FORMAT binary) of every call matching f in f->sort
 * order (limit and cursor ignored): columns CC_ID..CC_CREATED_AT, the sentiment as a
 * real. Its $n values come back in *params (for db_copy_out_begin); all in a. */
const char *calls_export_copy_sql(struct arena *a, const struct call_filter *f, const char *tz, int *nparams,
                                  const char *const **params);
/* The statement counting the calls that match f, at most cap + 1 (so "more than
 * cap" shows). Not for a search, whose rows carry their count (CC_MATCHES). */
struct db_stmt calls_count_stmt(struct arena *a, const struct call_filter *f, const char *tz, long cap);
enum calls_count_col { CN_COUNT };
/* Timestamp columns (CC_STARTED_AT, CC_ENDED_AT, CC_CREATED_AT) as ISO-8601 UTC
 * ("2024-05-01T13:00:00Z") written into out; "" for NULL. */
#define CALLS_ISO_SIZE 21
str calls_iso(const struct dbres *res, int row, int col, char out[CALLS_ISO_SIZE]);
/* CC_STARTED_LOCAL as "YYYY-MM-DD HH:MM" (a view into the result). */
str calls_local_minute(const struct dbres *res, int row, int col);
/* The cursor that continues after row of a list result, in f's sort. */
struct list_cursor calls_cursor_of(const struct dbres *res, int row, enum call_sort sort);

/* One call (the list columns, then enum call_detail_col), or zero rows. */
struct dbres *calls_detail_query(struct db *db, struct arena *a, const char *id, const char *tz);
enum call_detail_col {
    CD_RECORDING_STATUS = CC_COUNT, CD_SUMMARY, CD_ENDED_REASON, CD_ACTION_ITEMS_JSON,
    CD_CONTACT_NAME, CD_CONTACT_PHONE, CD_ENDED_LOCAL,
    CD_RECORDING_DELETED_REASON, CD_RECORDING_DELETED_ON, CD_RECORDING_DELETED_AT, CD_ANALYSED, CD_SUCCESS_EVALUATION
};
/* The transcript lines in time order. */
struct dbres *calls_transcript_query(struct db *db, struct arena *a, const char *id);
enum transcript_col {
    CT_T_MS,      /* milliseconds from the start, or NULL */
    CT_SPEAKER,   /* caller, agent or system */
    CT_TEXT,
    CT_CONFIDENCE /* or NULL */
};
/* The action items as text, one per row. */
struct dbres *calls_action_items_query(struct db *db, struct arena *a, const char *id);
enum action_item_col { CAI_TEXT };
/* Up to 10 other calls with number (either side), newest first (list columns). */
struct dbres *calls_related_query(struct db *db, struct arena *a, const char *id, const char *number,
                                  const char *tz);
/* Soft-deletes a call of the org; the result has one row (its id) if it was deleted now. */
struct dbres *calls_soft_delete(struct db *db, struct arena *a, const char *id);
#endif
