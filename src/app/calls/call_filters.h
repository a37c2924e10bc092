/* call_filters.h — the calls list's query parameters (identical for the page, the
 * JSON API and the CSV export): declared in a table (common/params.h), read into a
 * struct with the cross-field rules applied, and the list's signed cursor.
 * Pure: no I/O; the SQL that uses the struct is in calls_sql.c. */
#ifndef SB_CALL_FILTERS_H
#define SB_CALL_FILTERS_H
#include <stdbool.h>
#include <stdint.h>
#include "../../domain/phone.h"
#include "../../http/request.h"
#include "../common/cursor.h"
#include "../common/params.h"
struct field_errors;

/* The list's sorts; the cursor names them by one letter each (CALL_SORT_CODES). */
enum call_sort { CALL_SORT_NEWEST, CALL_SORT_OLDEST, CALL_SORT_LONGEST };
#define CALL_SORT_CODES "nol"
#define CALL_CURSOR_PURPOSE "calls-cursor"

/* Every parameter, in the order the form shows them: the index into
 * call_param_specs and call_filter.v. */
enum call_param {
    CP_START_DATE, CP_END_DATE, CP_DIRECTION, CP_STATUS, CP_PHONE, CP_NAME, CP_SENTIMENT,
    CP_MIN_DURATION, CP_MAX_DURATION, CP_HAS_RECORDING, CP_CAMPAIGN_ID, CP_Q, CP_SORT,
    CP_INCLUDE_DEMO, CP_LIMIT, CP_CURSOR, CP_COUNT
};
extern const struct param_spec call_param_specs[CP_COUNT];

#define CALL_LIMIT_DEFAULT 50
#define CALL_LIMIT_MAX 200
#define CALL_DURATION_MAX 86400

/* One end of the date range, resolved for SQL: exactly one of the two is set, or
 * neither (open). instant: ISO-8601 with an offset (a timestamptz); local:
 * "YYYY-MM-DD HH:MM[:SS]" meaning that wall-clock time in the org's zone. */
struct call_bound {
    const char *instant, *local;
};

struct call_filter {
    struct param_value v[CP_COUNT]; /* each input as given (v[i].raw, "" when absent) */
    struct call_bound start, end;   /* start inclusive, end exclusive */
    const char *direction;          /* NULL: any */
    const char *statuses;           /* PostgreSQL array literal "{completed,busy}"; NULL: any */
    char phone[PHONE_E164_SIZE];    /* "" : any */
    const char *name_like;          /* caller name substring, LIKE metacharacters escaped */
    const char *sentiment;
    long min_duration, max_duration; /* -1: unset */
    int has_recording;              /* -1 any, 0 no, 1 yes */
    const char *campaign_id;
    const char *q;                  /* transcript search (websearch syntax) */
    enum call_sort sort;
    bool include_demo;
    long limit;
    bool has_cursor;
    struct list_cursor cursor;      /* where the previous page ended (sort: enum call_sort) */
};

/* Reads and validates every parameter of q ("" counts as absent) into f, recording
 * one error per bad parameter in e. Returns how many parameters were bad (0 = f is
 * ready to use). secret checks the cursor's signature. */
int call_filter_parse(struct arena *a, const struct kvlist *q, str secret, struct call_filter *f,
                      struct field_errors *e);
/* true when any parameter that narrows the set is given (not sort/limit/cursor/
 * include_demo): the list then shows a count. */
bool call_filter_narrows(const struct call_filter *f);
/* Appends "name=value&..." for every given parameter except those in skip (a
 * bitmask of 1 << enum call_param), percent-encoded. */
void call_filter_query_string(const struct call_filter *f, uint64_t skip, struct buf *out);
#endif
