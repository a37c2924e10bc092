/* calls_sql.c — the calls queries. Every one names the org explicitly and skips
 * soft-deleted rows (RLS is the second lock). Each list filter is a fixed SQL
 * fragment included only when used, and each set of fragments is its own named
 * statement: its plan can then be generic and cached, and still use the index
 * its filters need. Only the combinations actually used get prepared. */
#include "calls_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../db/sql_build.h"
#include "../../domain/civil_date.h"

/* Order matches enum call_col; $1 is always the org's time zone. Timestamps come
 * back as PostgreSQL prints them (the connection's TimeZone is UTC) and are
 * reshaped in C (calls_iso, calls_local_minute, calls_cursor_of): to_char on
 * every row cost more than the rest of the query. CALL_COLUMNS_TO_CREATED_AT is
 * every column up to CC_CREATED_AT; the lists add the local time and is_demo. */
#define CALL_COLUMNS_TO_CREATED_AT                                                                \
    "c.id, c.direction, c.provider, c.provider_call_id, c.from_number, c.to_number,"           \
    " c.caller_name, c.status, c.started_at, c.ended_at,"                                          \
    " c.duration_s, round(c.sentiment_score::numeric, 3), c.sentiment_label,"                      \
    " c.recording_status = 'stored', c.contact_id, c.campaign_id, c.created_at,"
#define LIST_COLUMNS CALL_COLUMNS_TO_CREATED_AT " c.started_at AT TIME ZONE $1, c.is_demo"

/* The JSON list's (calls_list_stmt): the same, but the local time, which a Call object
 * does not carry, is NULL. PostgreSQL converted and printed it for every row (about a
 * tenth of its CPU for the request). The expression stays, never evaluated (the
 * planner drops the branch), so that $1 keeps its type when no filter uses it. */
#define API_COLUMNS CALL_COLUMNS_TO_CREATED_AT " CASE WHEN false THEN c.started_at AT TIME ZONE $1 END, c.is_demo"

/* The page's list (calls_page_stmt): the same positions, NULL for what the page does
 * not show. PostgreSQL then neither formats those values (the rounded sentiment and
 * two timestamps were most of its output work) nor sends them: the 50 rows of a page
 * fit in one of libpq's 16 KB reads instead of two (each a poll and a recv more). */
#define PAGE_COLUMNS                                                                              \
    "c.id, c.direction, NULL, NULL, c.from_number, c.to_number,"                                  \
    " c.caller_name, c.status, c.started_at, NULL,"                                                \
    " c.duration_s, NULL, c.sentiment_label,"                                                      \
    " c.recording_status = 'stored', NULL, NULL, NULL,"                                             \
    " c.started_at AT TIME ZONE $1, c.is_demo"

/* The export's columns, read by COPY (FORMAT binary): the list's up to CC_CREATED_AT,
 * the sentiment as stored (calls.c rounds it as round(x::numeric, 3) would, which
 * cost PostgreSQL more than the rest of the row). Every one of them is in
 * calls_org_started_idx (sql/0025), so the usual orders read that index only. */
#define EXPORT_COLUMNS                                                                            \
    "c.id, c.direction, c.provider, c.provider_call_id, c.from_number, c.to_number,"           \
    " c.caller_name, c.status, c.started_at, c.ended_at, c.duration_s, c.sentiment_score,"         \
    " c.sentiment_label, c.recording_status = 'stored', c.contact_id, c.campaign_id, c.created_at"

enum fragment {
    FR_PHONE = 1 << 0, FR_NAME = 1 << 1, FR_TEXT = 1 << 2, FR_CAMPAIGN = 1 << 3, FR_CURSOR = 1 << 4,
    FR_START = 1 << 5, FR_END = 1 << 6, FR_DIRECTION = 1 << 7, FR_STATUS = 1 << 8, FR_SENTIMENT = 1 << 9,
    FR_DURATION = 1 << 10, FR_RECORDED = 1 << 11, FR_UNRECORDED = 1 << 12, FR_NO_DEMO = 1 << 13,
    FR_VIA_NAMES = 1 << 14, /* a search's statement of the names' way alone (names_keyset_stmt) */
    FR_FEW_NAMES = 1 << 15, /* the same for a few names (names_keyset_stmt's few) */
    FR_SURNAME = FR_VIA_NAMES | FR_FEW_NAMES, /* by the surname (surname_keyset_stmt) */
    FR_SETS = 1 << 16
};

static const char *const sort_tags[] = { "newest", "oldest", "longest" };
static const char *const order_by[] = {
    " ORDER BY c.started_at DESC, c.id DESC",
    " ORDER BY c.started_at, c.id",
    " ORDER BY c.duration_s DESC, c.id DESC",
};
/* Statement names live as long as the process (db.c keeps the pointers); made on
 * first use, as only a few of the fragment sets ever occur. */
static char *list_names[3][FR_SETS], *page_names[3][FR_SETS];
static char *count_names[FR_SETS];

/* The keyset condition of sort: rows after (key, id). */
static void add_after(struct sql_query *q, enum call_sort sort, const struct list_cursor *after)
{
    int k = sql_param(q, sql_num(q->a, after->key));
    int id = sql_param(q, after->id);
    switch (sort) {
    case CALL_SORT_NEWEST:
        buf_printf(&q->sql, " AND (c.started_at, c.id) < ('epoch'::timestamptz + $%d::bigint * interval"
                            " '1 microsecond', $%d::uuid)", k, id);
        break;
    case CALL_SORT_OLDEST:
        buf_printf(&q->sql, " AND (c.started_at, c.id) > ('epoch'::timestamptz + $%d::bigint * interval"
                            " '1 microsecond', $%d::uuid)", k, id);
        break;
    case CALL_SORT_LONGEST:
        buf_printf(&q->sql, " AND (c.duration_s, c.id) < ($%d::integer, $%d::uuid)", k, id);
        break;
    }
}

/* How a statement finds the calls a name or transcript search matches. */
enum search_via {
    SEARCH_INDEX, /* through sql/0006's functions: ILIKE and @@ are not leakproof, so under
                   * RLS they could never be index conditions here; each function runs
                   * once and its ids are joined by primary key */
    SEARCH_TEST,  /* by testing the terms on each call read (add_terms), or no search */
};

/* FROM, with the search functions' ids joined when via the index. */
static unsigned add_from(struct sql_query *q, const struct call_filter *f, enum search_via via)
{
    struct buf *s = &q->sql;
    unsigned mask = 0;
    buf_puts(s, " FROM calls c");
    if (f->name_like && via == SEARCH_INDEX) {
        buf_printf(s, " JOIN sb_calls_matching_name($%d) AS mn(id) ON mn.id = c.id", sql_param(q, f->name_like));
        mask |= FR_NAME;
    }
    if (f->q && via == SEARCH_INDEX) {
        buf_printf(s, " JOIN sb_calls_matching_text($%d) AS mt(id) ON mt.id = c.id", sql_param(q, f->q));
        mask |= FR_TEXT;
    }
    return mask;
}

/* The search terms tested on a call, as sql/0006's functions test them. The pattern
 * and the query are made once, in sub-selects: in a generic plan a function of a
 * parameter is evaluated again on every row (websearch_to_tsquery parses the words
 * each time, and ILIKE lowers its pattern each time). In a UTF-8 database ILIKE is
 * LIKE on both sides lowered, which this spells out. Measured in pgbench on 1M calls:
 * 2.66 → 2.26 ms for a common name's page, 1.67 → 1.23 ms for a common word's. */
static unsigned add_terms(struct sql_query *q, const struct call_filter *f)
{
    struct buf *s = &q->sql;
    unsigned mask = 0;
    if (f->name_like) {
        buf_printf(s, " AND lower(c.caller_name) LIKE (SELECT lower('%%' || $%d || '%%'))", sql_param(q, f->name_like));
        mask |= FR_NAME;
    }
    if (f->q) {
        buf_printf(s, " AND c.transcript_tsv @@ (SELECT websearch_to_tsquery('english', $%d))", sql_param(q, f->q));
        mask |= FR_TEXT;
    }
    return mask;
}

/* The start and end bounds. Parameters are numbered in order, so each is taken in
 * its own statement (the order a function's arguments are evaluated in is
 * unspecified). */
static unsigned add_dates(struct sql_query *q, const struct call_filter *f)
{
    struct buf *s = &q->sql;
    unsigned mask = 0;
    if (f->start.instant || f->start.local) {
        int p = sql_param(q, f->start.instant), p2 = sql_param(q, f->start.local);
        buf_printf(s, " AND c.started_at >= COALESCE($%d::timestamptz, $%d::timestamp AT TIME ZONE $1)", p, p2);
        mask |= FR_START;
    }
    if (f->end.instant || f->end.local) {
        int p = sql_param(q, f->end.instant), p2 = sql_param(q, f->end.local);
        buf_printf(s, " AND c.started_at < COALESCE($%d::timestamptz, $%d::timestamp AT TIME ZONE $1)", p, p2);
        mask |= FR_END;
    }
    return mask;
}

/* The call's traits: direction, status, sentiment, duration. */
static unsigned add_traits(struct sql_query *q, const struct call_filter *f)
{
    struct buf *s = &q->sql;
    unsigned mask = 0;
    if (f->direction) {
        buf_printf(s, " AND c.direction = $%d", sql_param(q, f->direction));
        mask |= FR_DIRECTION;
    }
    if (f->statuses) {
        buf_printf(s, " AND c.status = ANY($%d::text[])", sql_param(q, f->statuses));
        mask |= FR_STATUS;
    }
    if (f->sentiment) {
        buf_printf(s, " AND c.sentiment_label = $%d", sql_param(q, f->sentiment));
        mask |= FR_SENTIMENT;
    }
    if (f->min_duration >= 0 || f->max_duration >= 0) {
        int p = sql_param(q, f->min_duration >= 0 ? sql_num(q->a, f->min_duration) : NULL);
        int p2 = sql_param(q, f->max_duration >= 0 ? sql_num(q->a, f->max_duration) : NULL);
        buf_printf(s, " AND c.duration_s BETWEEN COALESCE($%d::integer, 0) AND COALESCE($%d::integer, 86400)", p,
                   p2);
        mask |= FR_DURATION;
    }
    return mask;
}

/* Which calls of a number a statement's WHERE takes: those it was on either side of
 * (one OR), or one branch of the two-branch list (calls_list_plan_generic): the calls
 * from it, then the calls to it that were not also from it. */
enum phone_side { PHONE_EITHER, PHONE_FROM, PHONE_TO_ONLY };

/* What the call is tied to: a stored recording, the demo data, a phone number, a
 * campaign. */
static unsigned add_ties(struct sql_query *q, const struct call_filter *f, enum phone_side side)
{
    struct buf *s = &q->sql;
    unsigned mask = 0;
    if (f->has_recording >= 0) {
        buf_puts(s, f->has_recording ? " AND c.recording_status = 'stored'" : " AND c.recording_status <> 'stored'");
        mask |= f->has_recording ? FR_RECORDED : FR_UNRECORDED;
    }
    if (!f->include_demo) {
        buf_puts(s, " AND NOT c.is_demo");
        mask |= FR_NO_DEMO;
    }
    if (f->phone[0]) {
        int p = sql_param(q, f->phone);
        if (side == PHONE_FROM) buf_printf(s, " AND c.from_number = $%d", p);
        else if (side == PHONE_TO_ONLY) buf_printf(s, " AND c.to_number = $%d AND c.from_number <> $%d", p, p);
        else buf_printf(s, " AND (c.from_number = $%d OR c.to_number = $%d)", p, p);
        mask |= FR_PHONE;
    }
    if (f->campaign_id) {
        buf_printf(s, " AND c.campaign_id = $%d::uuid", sql_param(q, f->campaign_id));
        mask |= FR_CAMPAIGN;
    }
    return mask;
}

/* The FROM and WHERE shared by lists and counts; returns the fragment set used.
 * Only the filters given become SQL, so each statement's plan can be generic (no
 * "$n IS NULL OR ..." that would hide the keyset index from a generic plan) and
 * PostgreSQL stops planning it after a few executions. $1 is the org's zone. */
static unsigned build_filters(struct sql_query *q, const struct call_filter *f, enum phone_side side,
                              enum search_via via)
{
    unsigned mask = add_from(q, f, via);
    buf_puts(&q->sql, " WHERE c.org_id = app_org_id() AND c.deleted_at IS NULL");
    mask |= add_dates(q, f);
    mask |= add_traits(q, f);
    return mask | add_ties(q, f, side);
}

static unsigned build_where(struct sql_query *q, const struct call_filter *f, const char *tz)
{
    sql_param(q, tz);
    return build_filters(q, f, PHONE_EITHER, SEARCH_INDEX);
}

/* A phone number filter with no name, transcript or campaign search, newest or oldest
 * first: the list reads the number's calls in two branches, the calls from it through
 * calls_org_from_idx and those to it through calls_org_to_idx, each index already in
 * started_at order, takes the first rows of each branch and merges them. However many
 * calls the number has, a page reads about a page of each index, so that plan is as
 * good for every number and may be generic. With the OR of both sides the best plan
 * depends on the number (a bitmap of a few matches and a sort, or the started_at index
 * filtered for a number on hundreds of thousands of calls, such as an org's own line),
 * so PostgreSQL planned it afresh on every request: most of the filtered page's
 * database time. The count keeps the OR and its per-value plans: up to 10,001 rows of
 * a number on half the calls are best read another way than those of a number on one. */
bool calls_list_plan_generic(const struct call_filter *f)
{
    return f->phone[0] && !f->name_like && !f->q && !f->campaign_id &&
           f->sort != CALL_SORT_LONGEST; /* the indexes are in started_at order */
}

/* q as a statement that outlives it (the parameter array moves into the arena). */
static struct db_stmt stmt_of(struct arena *a, const char *name, struct sql_query *q)
{
    const char **params = arena_alloc(a, (size_t)(q->n ? q->n : 1) * sizeof *params);
    memcpy(params, q->params, (size_t)q->n * sizeof *params);
    return (struct db_stmt){ name, buf_cstr(&q->sql), q->n, params };
}

/* One branch of phone_keyset_stmt: "(SELECT columns ... side ... ORDER BY ...", its
 * LIMIT left to the caller; returns the fragment set. */
static unsigned phone_branch(struct sql_query *q, const char *columns, const struct call_filter *f,
                             enum phone_side side, const struct list_cursor *after)
{
    buf_puts(&q->sql, "(SELECT ");
    buf_puts(&q->sql, columns);
    unsigned mask = build_filters(q, f, side, SEARCH_INDEX);
    if (after) {
        add_after(q, f->sort, after);
        mask |= FR_CURSOR;
    }
    buf_puts(&q->sql, order_by[f->sort]);
    return mask;
}

/* The keyset page of a phone filter in branches (calls_list_plan_generic): each branch's
 * first rows in order, merged, the first of them. The columns are the branches' own,
 * so the result reads as the one-branch list does. */
static struct db_stmt phone_keyset_stmt(struct arena *a, const char *kind, const char *columns,
                                        char *(*names)[FR_SETS], const struct call_filter *f, const char *tz,
                                        const struct list_cursor *after, long limit)
{
    struct sql_query q;
    sql_query_init(&q, a);
    sql_param(&q, tz);
    buf_puts(&q.sql, "SELECT * FROM (");
    unsigned mask = phone_branch(&q, columns, f, PHONE_FROM, after);
    const char *name;
    const char *lim = sql_limit_clause(&q, &names[f->sort][mask], kind, sort_tags[f->sort], mask, limit, &name);
    buf_puts(&q.sql, lim);
    buf_puts(&q.sql, ") UNION ALL ");
    phone_branch(&q, columns, f, PHONE_TO_ONLY, after);
    buf_puts(&q.sql, lim);
    buf_puts(&q.sql, ")) c");
    buf_puts(&q.sql, order_by[f->sort]);
    buf_puts(&q.sql, lim);
    return stmt_of(a, name, &q);
}

/* ---- Searches ----
 * A caller name or transcript words (or both) are found one of three ways, chosen per
 * request by how common the terms are (sql/0056 and sql/0057, calls_search_plan_stmt,
 * which puts the choice in app.calls_search for the request's later statements):
 *   - the names: a name alone, newest or oldest first, matching at most
 *     SEARCH_NAMES_MAX of the org's distinct caller names (call_names, sql/0057): a
 *     page of each name's calls from its own index, in the list's order, and the
 *     first page of them all. Reads about names x page index entries, however common
 *     the name is.
 *   - the walk: the calls in the list's order, with the other filters, tested for the
 *     terms, until a page is full. Cheap when matches are common; reads the org's
 *     every call when there are none.
 *   - the index: sql/0006's functions read every match (through the names, or the
 *     transcript's GIN index) and the list sorts them. Cheap when matches are few;
 *     slow when they are many.
 * And, once a worker knows that every name a name search matches ends with it
 * (sql/0062), a fourth: the surname's calls from calls_org_surname_idx, one range
 * however many names share it (surname_keyset_stmt).
 * The walk reads at most a window of calls: if the page is full within it, the calls
 * read were the first in the order, so their matches are the first matches, and the
 * page is right. If not (the terms were rarer than estimated, or the list ends within
 * the window), the index's branch gives the page instead. The window is smaller for
 * transcript words, which the walk tests on the table (the name is in the started_at
 * index). */
#define SEARCH_WINDOW_NAME 20000
#define SEARCH_WINDOW_TEXT 5000
/* Above this many names the walk is cheaper for a page: a common name's page reads
 * about 4,300 calls walking (2.3-2.8 ms on the bench, pgbench), 58 names' pages about
 * 3,000 index entries and 110 index descents (1.5 ms), when every name was read a page
 * deep (now 464 entries, NAMES_DEPTH_SHARE: 1.0-1.2 ms). */
#define SEARCH_NAMES_MAX 100

static const char *const search_via_names[] = { "index", "walk", "names" };

static long search_window(const struct call_filter *f)
{
    return f->q ? SEARCH_WINDOW_TEXT : SEARCH_WINDOW_NAME;
}

/* Whether the names can find f's page: a name alone, in started_at order (each name's
 * calls are in that order in calls_org_name_idx). */
static bool search_by_names_applies(const struct call_filter *f)
{
    return f->name_like && !f->q && f->sort != CALL_SORT_LONGEST;
}

bool calls_is_search(const struct call_filter *f) { return f->name_like || f->q; }

/* How deep the names' way reads each name at first: NAMES_DEPTH_SHARE times the
 * name's share of a page (rows / names), at least NAMES_DEPTH_MIN, at most the page.
 * Martinez' 58 names read 8 entries each rather than 51: in pgbench 1.1-1.3 against
 * 1.4-1.6 ms for the page's statement. A name with more of the page than that is read
 * again in full (add_names_ctes). So up to NAMES_DEPTH_SHARE names, each is read a
 * page deep from the start: names_keyset_stmt with few. */
#define NAMES_DEPTH_SHARE 4
#define NAMES_DEPTH_MIN 8
#define SQL_NUMBER_(n) #n
#define SQL_NUMBER(n) SQL_NUMBER_(n) /* a macro's value in a statement's text */

enum calls_search_via calls_search_via_of(const char *choice, long names, bool surname)
{
    if (surname) return CALLS_SEARCH_SURNAME; /* one index range, however many names */
    for (int i = CALLS_SEARCH_INDEX; i <= CALLS_SEARCH_NAMES; i++) {
        if (strcmp(choice, search_via_names[i]) != 0) continue;
        if (i == CALLS_SEARCH_NAMES && names >= 0 && names <= NAMES_DEPTH_SHARE) return CALLS_SEARCH_FEW_NAMES;
        return (enum calls_search_via)i;
    }
    return CALLS_SEARCH_INDEX;
}

/* The epoch of the org's names (sql/0062; no row is 0). */
#define NAMES_EPOCH "coalesce((SELECT e.n FROM call_name_epochs e WHERE e.org_id = app_org_id()), 0)"

struct db_stmt calls_search_plan_stmt(struct arena *a, const struct call_filter *f, long limit,
                                      struct calls_search_choice known)
{
    const char **p = arena_alloc(a, 5 * sizeof *p);
    bool by_names = search_by_names_applies(f);
    /* The surname's way known: "surname", and the names' epoch if it still holds
     * (the same epoch, or checked again when it moved), else NULL. */
    if (known.via == CALLS_SEARCH_SURNAME && by_names) {
        p[0] = sql_num(a, known.names_epoch);
        p[1] = f->name_like;
        return (struct db_stmt){ "calls_search_plan_surname",
                                 "SELECT CASE WHEN set_config('app.calls_search', 'names', true) IS NOT NULL THEN 'surname'"
                                 " END, NULL::bigint, CASE WHEN " NAMES_EPOCH " = $1::bigint THEN $1::bigint"
                                 " ELSE sb_calls_surname_epoch($2) END",
                                 2, p };
    }
    if (known.via == CALLS_SEARCH_INDEX || known.via == CALLS_SEARCH_WALK ||
        ((known.via == CALLS_SEARCH_NAMES || known.via == CALLS_SEARCH_FEW_NAMES) && by_names)) {
        p[0] = known.via == CALLS_SEARCH_FEW_NAMES ? "names" : search_via_names[known.via];
        return (struct db_stmt){ "calls_search_plan_known", "SELECT set_config('app.calls_search', $1, true)", 1, p };
    }
    p[0] = f->name_like;
    p[1] = f->q;
    p[2] = sql_num(a, limit);
    p[3] = sql_num(a, search_window(f));
    p[4] = sql_num(a, by_names ? SEARCH_NAMES_MAX : 0);
    /* When the names were chosen, how many there are, up to one past "few": a few
     * names are read by a simpler statement once the choice is remembered. And,
     * whatever the choice, whether the names it matches all have it as their surname,
     * with the names' epoch: then the surname's index is read instead, one range
     * however many names that is. The names are found again for those, but only when
     * a search is first asked. (The count is an initplan, run only if the CASE needs
     * it.) */
    if (by_names)
        return (struct db_stmt){ "calls_search_plan_names",
                                 "WITH p AS MATERIALIZED (SELECT set_config('app.calls_search',"
                                 " sb_calls_search_plan($1, $2, $3::integer, $4::integer, $5::integer), true) AS via)"
                                 " SELECT via, CASE WHEN via = 'names' THEN (SELECT count(*) FROM (SELECT FROM"
                                 " sb_calls_matching_names($1) LIMIT " SQL_NUMBER(NAMES_DEPTH_SHARE) " + 1) n) END,"
                                 " sb_calls_surname_epoch($1) FROM p",
                                 5, p };
    return (struct db_stmt){ "calls_search_plan",
                             "SELECT set_config('app.calls_search', sb_calls_search_plan($1, $2, $3::integer,"
                             " $4::integer, $5::integer), true), NULL::bigint, NULL::bigint",
                             5, p };
}

/* A name's first calls in the list's order, the other filters and the cursor applied,
 * from calls_org_name_idx: "SELECT select FROM calls c WHERE ... LIMIT limit", for a
 * lateral join on names n. */
static unsigned add_name_heads(struct sql_query *q, const char *select, const struct call_filter *f,
                               const struct list_cursor *after, const char *limit)
{
    struct buf *s = &q->sql;
    buf_puts(s, "SELECT ");
    buf_puts(s, select);
    unsigned mask = build_filters(q, f, PHONE_EITHER, SEARCH_TEST) | FR_NAME;
    buf_puts(s, " AND c.caller_name = n.caller_name");
    if (after) add_after(q, f->sort, after);
    buf_puts(s, order_by[f->sort]);
    buf_printf(s, " LIMIT %s", limit);
    return mask;
}

/* The org's names that match the search ($pattern), with their counts, when the
 * fragment `when` holds: by default, when the choice is the names. */
static void add_names_cte_when(struct sql_query *q, int pattern, const char *when)
{
    buf_printf(&q->sql, "names AS MATERIALIZED (SELECT * FROM sb_calls_matching_names($%d) WHERE ", pattern);
    buf_puts(&q->sql, when);
    buf_puts(&q->sql, ")");
}

static void add_names_cte(struct sql_query *q, const struct call_filter *f)
{
    add_names_cte_when(q, sql_param(q, f->name_like), "current_setting('app.calls_search', true) = 'names'");
}

/* The CTEs of the names' way (search_by_names_applies): the matching names; the
 * first `depth` calls of each, and the first page of them all (heads); the page's
 * keys; and their columns from the covering started_at index (named). Empty unless
 * the choice is the names. heads is the page exactly unless it holds some name's
 * depth-th call, that is `depth` of the name's calls: that name's next calls might
 * belong on the page too, so then (reread) every name is read a page deep, as they all
 * were before the depth. That test groups the page's rows by name; numbering each
 * name's rows for it (a window per name) cost "Martinez" (58 names) a fifth more in
 * pgbench: 1,960-1,970 against 2,390-2,400 pages a second (4 clients). Returns the
 * filters' mask with FR_NAME (never FR_CURSOR: the count does not depend on the
 * page). */
static unsigned add_names_ctes(struct sql_query *q, const char *columns, const struct call_filter *f,
                               const struct list_cursor *after, const char *rows)
{
    struct buf *s = &q->sql;
    add_names_cte(q, f);
    buf_printf(s, ", depth AS MATERIALIZED (SELECT least((%s)::bigint, greatest(%d, %d * (%s)::bigint"
                  " / greatest(count(*), 1))) AS n FROM names)",
               rows, NAMES_DEPTH_MIN, NAMES_DEPTH_SHARE, rows);
    buf_puts(s, ", heads AS MATERIALIZED (SELECT c.started_at, c.id, n.caller_name FROM names n, LATERAL (");
    unsigned mask = add_name_heads(q, "c.started_at, c.id", f, after, "(SELECT n FROM depth)");
    buf_puts(s, ") c");
    buf_puts(s, order_by[f->sort]);
    buf_printf(s, " LIMIT %s)", rows);
    buf_printf(s, ", reread AS MATERIALIZED (SELECT (SELECT n FROM depth) < (%s)::bigint AND EXISTS (SELECT FROM heads"
                  " GROUP BY caller_name HAVING count(*) >= (SELECT n FROM depth)) AS yes)",
               rows);
    buf_puts(s, ", keys AS MATERIALIZED (SELECT c.started_at, c.id FROM heads c WHERE NOT (SELECT yes FROM reread)"
                " UNION ALL (SELECT c.started_at, c.id FROM names n, LATERAL (");
    add_name_heads(q, "c.started_at, c.id", f, after, rows);
    buf_puts(s, ") c WHERE (SELECT yes FROM reread)");
    buf_puts(s, order_by[f->sort]);
    buf_printf(s, " LIMIT %s))", rows);
    buf_puts(s, ", named AS MATERIALIZED (SELECT ");
    buf_puts(s, columns);
    buf_puts(s, " FROM keys k JOIN calls c ON c.org_id = app_org_id() AND c.deleted_at IS NULL"
                " AND c.started_at = k.started_at AND c.id = k.id)");
    return mask;
}

/* The count column of the names' rows: the sum of the names' counts when the name
 * (and leaving the demo calls out) is the only filter, else NULL. */
static const char *names_count(unsigned filters)
{
    return filters == FR_NAME                  ? "(SELECT sum(calls) FROM names)::bigint"
           : filters == (FR_NAME | FR_NO_DEMO) ? "(SELECT sum(calls - demo_calls) FROM names)::bigint"
                                               : "NULL::bigint";
}

/* " SELECT columns FROM names n, LATERAL (...) c": each name's first page (rows), with
 * its columns, and the names' count (names_count(filters)); for names_keyset_stmt's
 * few and surname_keyset_stmt. */
static void add_names_pages(struct sql_query *q, const char *columns, const struct call_filter *f,
                            const struct list_cursor *after, const char *rows, unsigned filters)
{
    buf_puts(&q->sql, " SELECT ");
    buf_puts(&q->sql, columns);
    buf_printf(&q->sql, ", %s FROM names n, LATERAL (", names_count(filters));
    add_name_heads(q, "*", f, after, rows);
    buf_puts(&q->sql, ") c");
}

/* The start of a statement of a search known to go by the names or the surname: q
 * begun, $1 the zone; its *name, chosen before its text from the filters' set (a dry
 * run) with the way's fragment bits (way); its " LIMIT n" clause (*lim). Returns the
 * filters' set, with FR_NAME. */
static unsigned names_stmt_begin(struct sql_query *q, struct arena *a, const char *kind, char *(*names)[FR_SETS],
                                 const struct call_filter *f, const char *tz, const struct list_cursor *after,
                                 long limit, unsigned way, const char **name, const char **lim)
{
    sql_query_init(q, a);
    sql_param(q, tz);
    struct sql_query dry;
    sql_query_init(&dry, a);
    unsigned filters = build_filters(&dry, f, PHONE_EITHER, SEARCH_TEST) | FR_NAME;
    unsigned mask = filters | way | (after ? FR_CURSOR : 0);
    *lim = sql_limit_clause(q, &names[f->sort][mask], kind, sort_tags[f->sort], mask, limit, name);
    return filters;
}

/* The keyset page of a search already known to go by the names (search_plans.h): the
 * names' CTEs alone. The statement that can take any way carries the walk and the
 * index too, and PostgreSQL starts every node of its plan on each execution, used or
 * not. Its name's fragment set is the names' filters with FR_VIA_NAMES.
 * With few, a search known to go by at most NAMES_DEPTH_SHARE names
 * (calls_search_via_of): each name's first page, with its columns, and the first page
 * of them all. That is what the names' CTEs read for so few names, whose depth is the
 * page, without their plan nodes for a depth or their second lookup of each row's
 * columns in the started_at index: "Luis Torres" in pgbench, the page's statement with
 * its transaction, 7,100-7,800 against 4,100-4,500 pages a second (4 clients). Were
 * there more names by now, the page would still be right, each name read a page deep.
 * Its fragment set has FR_FEW_NAMES instead. */
static struct db_stmt names_keyset_stmt(struct arena *a, const char *kind, const char *columns,
                                        char *(*names)[FR_SETS], const struct call_filter *f, const char *tz,
                                        const struct list_cursor *after, long limit, bool few)
{
    struct sql_query q;
    const char *name, *lim;
    unsigned filters = names_stmt_begin(&q, a, kind, names, f, tz, after, limit, few ? FR_FEW_NAMES : FR_VIA_NAMES,
                                        &name, &lim);
    const char *rows = lim + strlen(" LIMIT ");
    buf_puts(&q.sql, "WITH ");
    if (few) {
        add_names_cte(&q, f);
        add_names_pages(&q, columns, f, after, rows, filters);
    } else {
        add_names_ctes(&q, columns, f, after, rows);
        buf_printf(&q.sql, " SELECT *, %s FROM named c", names_count(filters));
    }
    buf_puts(&q.sql, order_by[f->sort]);
    buf_puts(&q.sql, lim);
    return stmt_of(a, name, &q);
}

/* ", count": the count column of the surname's ($word's) rows, as names_count's:
 * the sum of its names' counts, from call_names_org_surname_idx. */
#define SURNAME_SUM(counted)                                                                      \
    ", (SELECT sum(" counted ") FROM call_names n WHERE n.org_id = app_org_id()"                 \
    " AND n.surname = lower($%d))::bigint"
static void add_surname_count(struct sql_query *q, int word, unsigned filters)
{
    if (filters == FR_NAME) buf_printf(&q->sql, SURNAME_SUM("n.calls"), word);
    else if (filters == (FR_NAME | FR_NO_DEMO)) buf_printf(&q->sql, SURNAME_SUM("n.calls - n.demo_calls"), word);
    else buf_puts(&q->sql, ", NULL::bigint");
}

/* The keyset page of a search known to go by its surname (sql/0062; the names it
 * matches all end with it): the surname's first calls, in the list's order, from
 * calls_org_surname_idx, one range of it. That holds while the org's names are those
 * the choice was checked against, so the page reads their epoch in its own snapshot;
 * if it moved (the org gained names), the page checks the names again. Only if a
 * name now has the word elsewhere does it go by the names instead, each read a page
 * deep as names_keyset_stmt's few does (right for any number of names, only slower);
 * the worker then forgets the choice, or keeps it with the new epoch
 * (calls_search_plan_stmt). Its fragment set has FR_SURNAME. */
static struct db_stmt surname_keyset_stmt(struct arena *a, const char *kind, const char *columns,
                                          char *(*names)[FR_SETS], const struct call_filter *f, const char *tz,
                                          const struct list_cursor *after, long limit, int64_t epoch)
{
    struct sql_query q;
    const char *name, *lim;
    unsigned filters = names_stmt_begin(&q, a, kind, names, f, tz, after, limit, FR_SURNAME, &name, &lim);
    const char *rows = lim + strlen(" LIMIT ");
    struct buf *s = &q.sql;
    int e = sql_param(&q, sql_num(a, epoch)), word = sql_param(&q, f->name_like);
    buf_printf(s, "WITH surname AS MATERIALIZED (SELECT " NAMES_EPOCH " = $%d::bigint"
                  " OR sb_calls_surname_epoch($%d) IS NOT NULL AS current), ",
               e, word);
    add_names_cte_when(&q, word, "NOT (SELECT current FROM surname)");
    buf_puts(s, " SELECT * FROM ((SELECT ");
    buf_puts(s, columns);
    add_surname_count(&q, word, filters);
    build_filters(&q, f, PHONE_EITHER, SEARCH_TEST);
    buf_printf(s, " AND c.caller_surname = lower($%d) AND (SELECT current FROM surname)", word);
    if (after) add_after(&q, f->sort, after);
    buf_puts(s, order_by[f->sort]);
    buf_puts(s, lim);
    buf_puts(s, ") UNION ALL (");
    add_names_pages(&q, columns, f, after, rows, filters);
    buf_puts(s, ")) c");
    buf_puts(s, order_by[f->sort]);
    buf_puts(s, lim);
    return stmt_of(a, name, &q);
}

/* The keyset page of a search: the walk as a CTE, then its rows if they fill the
 * page, or else the index's page; or the names' page when they were chosen. Each row
 * ends with the number of matches (CC_MATCHES): all of them by the index, which reads
 * them all anyway to sort them (so the function runs once, for the page and its
 * count); by the names, the sum of their counts when the name (and leaving the demo
 * calls out) is the only filter; else NULL. limit travels in the text
 * (sql_limit_clause) and the comparisons with the walk's count use the same value. */
static struct db_stmt search_keyset_stmt(struct arena *a, const char *kind, const char *columns,
                                         char *(*names)[FR_SETS], const struct call_filter *f, const char *tz,
                                         const struct list_cursor *after, long limit)
{
    struct sql_query q;
    sql_query_init(&q, a);
    sql_param(&q, tz);
    struct buf *s = &q.sql;
    buf_puts(s, "WITH walk AS MATERIALIZED (SELECT ");
    buf_puts(s, columns);
    buf_puts(s, " FROM (SELECT *");
    unsigned mask = build_filters(&q, f, PHONE_EITHER, SEARCH_TEST);
    buf_puts(s, " AND current_setting('app.calls_search', true) = 'walk'");
    if (after) {
        add_after(&q, f->sort, after);
        mask |= FR_CURSOR;
    }
    buf_puts(s, order_by[f->sort]);
    buf_printf(s, " LIMIT %ld) c WHERE true", search_window(f));
    mask |= add_terms(&q, f);
    buf_puts(s, order_by[f->sort]);
    const char *name;
    const char *lim = sql_limit_clause(&q, &names[f->sort][mask], kind, sort_tags[f->sort], mask, limit, &name);
    const char *rows = lim + strlen(" LIMIT "); /* "51", or "$7" past the bound */
    buf_puts(s, lim);
    buf_puts(s, ")");
    bool by_names = search_by_names_applies(f);
    if (by_names) buf_puts(s, ", ");
    unsigned filters = by_names ? add_names_ctes(&q, columns, f, after, rows) : 0;
    /* Every match by the index, with the other filters but not the cursor. */
    buf_puts(s, ", found AS MATERIALIZED (SELECT ");
    buf_puts(s, columns);
    build_filters(&q, f, PHONE_EITHER, SEARCH_INDEX);
    buf_printf(s, " AND (SELECT count(*) FROM walk) < %s", rows);
    buf_puts(s, " AND current_setting('app.calls_search', true) IS DISTINCT FROM 'names')");
    buf_printf(s, " SELECT * FROM (SELECT *, NULL::bigint FROM walk WHERE (SELECT count(*) FROM walk) = %s", rows);
    buf_puts(s, " UNION ALL (SELECT *, (SELECT count(*) FROM found) FROM found c WHERE true");
    if (after) add_after(&q, f->sort, after);
    buf_puts(s, order_by[f->sort]);
    buf_puts(s, lim);
    buf_puts(s, ")");
    if (by_names) buf_printf(s, " UNION ALL SELECT *, %s FROM named", names_count(filters));
    buf_puts(s, ") c");
    buf_puts(s, order_by[f->sort]);
    buf_puts(s, lim);
    return stmt_of(a, name, &q);
}

/* The statement of a keyset page; its SQL and parameters live in the arena. */
static struct db_stmt keyset_stmt(struct arena *a, const char *kind, const char *columns, char *(*names)[FR_SETS],
                                  const struct call_filter *f, const char *tz, const struct list_cursor *after,
                                  long limit, struct calls_search_choice known)
{
    if (calls_list_plan_generic(f)) return phone_keyset_stmt(a, kind, columns, names, f, tz, after, limit);
    if (calls_is_search(f) && known.via == CALLS_SEARCH_SURNAME && search_by_names_applies(f))
        return surname_keyset_stmt(a, kind, columns, names, f, tz, after, limit, known.names_epoch);
    if (calls_is_search(f) && (known.via == CALLS_SEARCH_NAMES || known.via == CALLS_SEARCH_FEW_NAMES) &&
        search_by_names_applies(f))
        return names_keyset_stmt(a, kind, columns, names, f, tz, after, limit, known.via == CALLS_SEARCH_FEW_NAMES);
    if (calls_is_search(f)) return search_keyset_stmt(a, kind, columns, names, f, tz, after, limit);
    struct sql_query q;
    sql_query_init(&q, a);
    buf_puts(&q.sql, "SELECT ");
    buf_puts(&q.sql, columns);
    unsigned mask = build_where(&q, f, tz);
    if (after) {
        add_after(&q, f->sort, after);
        mask |= FR_CURSOR;
    }
    buf_puts(&q.sql, order_by[f->sort]);
    const char *name = sql_limit(&q, &names[f->sort][mask], kind, sort_tags[f->sort], mask, limit);
    return stmt_of(a, name, &q);
}

struct db_stmt calls_list_stmt(struct arena *a, const struct call_filter *f, const char *tz,
                               const struct list_cursor *after, long limit, struct calls_search_choice known)
{
    return keyset_stmt(a, "calls_list", API_COLUMNS, list_names, f, tz, after, limit, known);
}

struct db_stmt calls_page_stmt(struct arena *a, const struct call_filter *f, const char *tz,
                               const struct list_cursor *after, long limit, struct calls_search_choice known)
{
    return keyset_stmt(a, "calls_page", PAGE_COLUMNS, page_names, f, tz, after, limit, known);
}

const char *calls_export_copy_sql(struct arena *a, const struct call_filter *f, const char *tz, int *nparams,
                                  const char *const **params)
{
    struct sql_query *q = arena_alloc(a, sizeof *q);
    sql_query_init(q, a);
    buf_puts(&q->sql, "COPY (SELECT " EXPORT_COLUMNS);
    build_where(q, f, tz);
    buf_puts(&q->sql, order_by[f->sort]);
    buf_puts(&q->sql, ") TO STDOUT (FORMAT binary)");
    *nparams = q->n;
    *params = q->params;
    return buf_cstr(&q->sql);
}

struct db_stmt calls_count_stmt(struct arena *a, const struct call_filter *f, const char *tz, long cap)
{
    struct sql_query q;
    sql_query_init(&q, a);
    /* One column (enum calls_count_col); $1, the zone, must be used by the statement. */
    buf_puts(&q.sql, "SELECT count(*) FROM (SELECT $1::text");
    unsigned mask = build_where(&q, f, tz);
    const char *name = sql_limit(&q, &count_names[mask], "calls_count", "all", mask, cap + 1);
    buf_puts(&q.sql, ") s");
    return stmt_of(a, name, &q);
}

static unsigned digits(const char *p, int n)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + (unsigned)(p[i] - '0');
    return v;
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]+00" (a timestamptz printed in UTC) → microseconds
 * since the epoch; 0 if it is not in that shape. */
static long long utc_text_to_us(str t)
{
    if (t.len < 22 || t.ptr[4] != '-' || t.ptr[10] != ' ' || t.ptr[13] != ':') return 0;
    const char *p = t.ptr;
    long long days = civil_days_from_ymd(digits(p, 4), digits(p + 5, 2), digits(p + 8, 2));
    long long us = ((days * 24 + digits(p + 11, 2)) * 60 + digits(p + 14, 2)) * 60 + digits(p + 17, 2);
    us *= 1000000;
    if (p[19] == '.') {
        unsigned frac = 0;
        int n = 0;
        for (size_t i = 20; i < t.len && n < 6 && p[i] >= '0' && p[i] <= '9'; i++, n++) frac = frac * 10 + (unsigned)(p[i] - '0');
        for (; n < 6; n++) frac *= 10;
        us += frac;
    }
    return us;
}

struct list_cursor calls_cursor_of(const struct dbres *res, int row, enum call_sort sort)
{
    struct list_cursor c = { .sort = (int)sort };
    c.key = sort == CALL_SORT_LONGEST ? strtoll(db_cstr(res, row, CC_DURATION_S), NULL, 10)
                                      : utc_text_to_us(db_val(res, row, CC_STARTED_AT));
    str id = db_val(res, row, CC_ID);
    size_t n = id.len < sizeof c.id - 1 ? id.len : sizeof c.id - 1;
    memcpy(c.id, id.ptr, n);
    c.id[n] = '\0';
    return c;
}

str calls_iso(const struct dbres *res, int row, int col, char out[CALLS_ISO_SIZE])
{
    str t = db_val(res, row, col);
    if (db_isnull(res, row, col) || t.len < 19) return STR("");
    memcpy(out, t.ptr, 19);
    out[10] = 'T';
    out[19] = 'Z';
    out[20] = '\0';
    return str_make(out, 20);
}

str calls_local_minute(const struct dbres *res, int row, int col)
{
    str t = db_val(res, row, col);
    return t.len >= 16 ? str_make(t.ptr, 16) : t;
}

struct dbres *calls_detail_query(struct db *db, struct arena *a, const char *id, const char *tz)
{
    return db_q(db, a, "calls_detail",
                "SELECT " LIST_COLUMNS ", c.recording_status, c.summary, c.ended_reason, c.action_items::text,"
                " ct.name, ct.phone, to_char(c.ended_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI:SS'),"
                " coalesce(c.recording_deleted_reason, ''), to_char(c.recording_deleted_at AT TIME ZONE $1, 'YYYY-MM-DD'),"
                " to_char(c.recording_deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                /* Analysed: the provider sent an analysis, or the call has what one
                 * gives (the demo data, calls from before analyses were kept). */
                " c.analysis IS NOT NULL OR c.sentiment_label IS NOT NULL OR c.action_items <> '[]',"
                " c.analysis->>'successEvaluation'"
                " FROM calls c LEFT JOIN contacts ct ON ct.id = c.contact_id AND ct.org_id = c.org_id"
                " AND ct.deleted_at IS NULL"
                " WHERE c.id = $2::uuid AND c.org_id = app_org_id() AND c.deleted_at IS NULL",
                tz, id);
}

struct dbres *calls_transcript_query(struct db *db, struct arena *a, const char *id)
{
    /* Lines arrive from providers; anything malformed is shown as well as it can
     * be rather than failing the page. */
    return db_q(db, a, "calls_transcript",
                "SELECT CASE WHEN jsonb_typeof(e->'t_ms') = 'number' THEN round((e->>'t_ms')::numeric)::bigint END,"
                " CASE WHEN e->>'speaker' IN ('caller', 'agent', 'system') THEN e->>'speaker' ELSE 'system' END,"
                " CASE WHEN jsonb_typeof(e) = 'object' THEN coalesce(e->>'text', '') ELSE e #>> '{}' END,"
                " CASE WHEN jsonb_typeof(e->'confidence') = 'number' THEN e->>'confidence' END"
                " FROM calls c CROSS JOIN LATERAL jsonb_array_elements(c.transcript) WITH ORDINALITY AS t(e, n)"
                " WHERE c.id = $1::uuid AND c.org_id = app_org_id() AND c.deleted_at IS NULL"
                " ORDER BY 1 NULLS LAST, t.n",
                id);
}

struct dbres *calls_action_items_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "calls_action_items",
                "SELECT CASE jsonb_typeof(e) WHEN 'string' THEN e #>> '{}'"
                " WHEN 'object' THEN coalesce(e->>'text', e->>'title', e->>'description', e::text) ELSE e::text END"
                " FROM calls c CROSS JOIN LATERAL jsonb_array_elements(c.action_items) WITH ORDINALITY AS t(e, n)"
                " WHERE c.id = $1::uuid AND c.org_id = app_org_id() AND c.deleted_at IS NULL ORDER BY t.n",
                id);
}

struct dbres *calls_related_query(struct db *db, struct arena *a, const char *id, const char *number,
                                  const char *tz)
{
    return db_q(db, a, "calls_related",
                "SELECT " LIST_COLUMNS " FROM calls c"
                " WHERE c.org_id = app_org_id() AND c.deleted_at IS NULL AND c.id <> $2::uuid"
                " AND (c.from_number = $3 OR c.to_number = $3)"
                " ORDER BY c.started_at DESC, c.id DESC LIMIT 10",
                tz, id, number);
}

struct dbres *calls_soft_delete(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "calls_soft_delete",
                "UPDATE calls SET deleted_at = now(), updated_at = now()"
                " WHERE id = $1::uuid AND org_id = app_org_id() AND deleted_at IS NULL RETURNING id",
                id);
}
