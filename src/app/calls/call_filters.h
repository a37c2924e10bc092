/* call_filters.h — the calls list's query parameters (identical for the page, the
 * JSON API and the CSV export), validated into a struct, and its signed cursor.
 * Pure: no I/O; the SQL that uses the struct is in db/calls_sql.c. */
#ifndef SB_CALL_FILTERS_H
#define SB_CALL_FILTERS_H
#include <stdbool.h>
#include <stdint.h>
#include "../../domain/phone.h"
#include "../../http/request.h"

enum call_sort { CALL_SORT_NEWEST, CALL_SORT_OLDEST, CALL_SORT_LONGEST };

/* Every parameter, in the order the form shows them (index = enum value). */
enum call_param {
    CP_START_DATE, CP_END_DATE, CP_DIRECTION, CP_STATUS, CP_PHONE, CP_NAME, CP_SENTIMENT,
    CP_MIN_DURATION, CP_MAX_DURATION, CP_HAS_RECORDING, CP_CAMPAIGN_ID, CP_Q, CP_SORT,
    CP_INCLUDE_DEMO, CP_LIMIT, CP_CURSOR, CP_COUNT
};
extern const char *const call_param_names[CP_COUNT];

#define CALL_LIMIT_DEFAULT 50
#define CALL_LIMIT_MAX 200
#define CALL_DURATION_MAX 86400

/* One end of the date range, resolved for SQL: exactly one of the two is set, or
 * neither (open). instant: ISO-8601 with an offset (a timestamptz); local:
 * "YYYY-MM-DD HH:MM[:SS]" meaning that wall-clock time in the org's zone. */
struct call_bound {
    const char *instant, *local;
};

/* Where the previous page ended: the sort key (started_at in microseconds since
 * the epoch, or duration_s for "longest") and the id. */
struct call_cursor {
    enum call_sort sort;
    int64_t key;
    char id[37];
};

struct call_filter {
    str raw[CP_COUNT];          /* the inputs as given, trimmed ("" when absent) */
    struct call_bound start, end; /* start inclusive, end exclusive */
    const char *direction;      /* NULL: any */
    const char *statuses;       /* PostgreSQL array literal "{completed,busy}"; NULL: any */
    char phone[PHONE_E164_SIZE];/* "" : any */
    const char *name_like;      /* caller name substring, LIKE metacharacters escaped */
    const char *sentiment;
    long min_duration, max_duration; /* -1: unset */
    int has_recording;          /* -1 any, 0 no, 1 yes */
    const char *campaign_id;
    const char *q;              /* transcript search (websearch syntax) */
    enum call_sort sort;
    bool include_demo;
    long limit;
    bool has_cursor;
    struct call_cursor cursor;
};

struct call_filter_error {
    enum call_param param;
    const char *message;
};

/* Reads and validates every parameter of q ("" counts as absent) into f. Writes
 * at most max errors (one per bad parameter) and returns how many there were
 * (0 = f is ready to use). secret signs cursors. */
int call_filter_parse(struct arena *a, const struct kvlist *q, str secret, struct call_filter *f,
                      struct call_filter_error *errs, int max);
/* true when any parameter that narrows the set is given (not sort/limit/cursor/
 * include_demo): the list then shows a count. */
bool call_filter_narrows(const struct call_filter *f);
/* Appends "name=value&..." for every given parameter except those in skip (a
 * bitmask of 1 << enum call_param), percent-encoded. */
void call_filter_query_string(const struct call_filter *f, unsigned skip, struct buf *out);

/* The opaque cursor: base64url("<sort>.<key>.<id>") "." base64url(HMAC-SHA256
 * truncated to 16 bytes) keyed by secret. */
str call_cursor_encode(struct arena *a, str secret, const struct call_cursor *c);
/* 0 and *c filled, or -1 if token is malformed or its signature is wrong. */
int call_cursor_decode(str secret, str token, struct call_cursor *c);
#endif
