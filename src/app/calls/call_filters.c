/* call_filters.c — the calls list's parameter table and the rules the table cannot
 * state: the date-or-time bounds and their order, a phone number in any human
 * format, min_duration <= max_duration, and the cursor matching the sort. */
#include "call_filters.h"

#include <stdio.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../domain/call_analytics.h"
#include "../../domain/civil_date.h"
#include "../common/field_errors.h"

static const char *const directions[] = { "inbound", "outbound", NULL };
static const char *const statuses[] = {
    "queued", "ringing", "in_progress", "completed", "busy", "no_answer", "failed", "canceled", NULL,
};
static const char *const sentiments[] = { "positive", "neutral", "negative", NULL };
static const char *const sorts[] = { "newest", "oldest", "longest", NULL };

static const char date_message[] = "must be a date (YYYY-MM-DD) or an ISO-8601 time (2024-05-01T09:30:00Z)";
static const char duration_message[] = "must be a whole number of seconds from 0 to 86400";

const struct param_spec call_param_specs[CP_COUNT] = {
    [CP_START_DATE] = { "start_date", PARAM_RAW, .message = date_message },
    [CP_END_DATE] = { "end_date", PARAM_RAW, .message = date_message },
    [CP_DIRECTION] = { "direction", PARAM_ENUM, .allowed = directions, .message = "must be inbound or outbound" },
    [CP_STATUS] = { "status", PARAM_ENUM_SET, .allowed = statuses,
                    .message = "must be one or more of queued, ringing, in_progress, completed, busy, "
                               "no_answer, failed, canceled (separated by commas)" },
    [CP_PHONE] = { "phone", PARAM_RAW },
    [CP_NAME] = { "name", PARAM_LIKE, .max = 200 },
    [CP_SENTIMENT] = { "sentiment", PARAM_ENUM, .allowed = sentiments,
                       .message = "must be positive, neutral or negative" },
    [CP_MIN_DURATION] = { "min_duration", PARAM_INT, 0, CALL_DURATION_MAX, .message = duration_message },
    [CP_MAX_DURATION] = { "max_duration", PARAM_INT, 0, CALL_DURATION_MAX, .message = duration_message },
    [CP_HAS_RECORDING] = { "has_recording", PARAM_BOOL },
    [CP_CAMPAIGN_ID] = { "campaign_id", PARAM_UUID },
    [CP_Q] = { "q", PARAM_TEXT, .max = 200 },
    [CP_SORT] = { "sort", PARAM_ENUM, .allowed = sorts, .message = "must be newest, oldest or longest" },
    [CP_INCLUDE_DEMO] = { "include_demo", PARAM_BOOL },
    [CP_LIMIT] = { "limit", PARAM_INT, 1, CALL_LIMIT_MAX },
    [CP_CURSOR] = { "cursor", PARAM_RAW },
};

/* ---- dates ---- */

static bool digits_at(str s, size_t at, size_t n, long *out)
{
    if (at + n > s.len) return false;
    long v = 0;
    for (size_t i = at; i < at + n; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9') return false;
        v = v * 10 + (s.ptr[i] - '0');
    }
    *out = v;
    return true;
}

/* "HH:MM[:SS[.fraction]]" from s[at]; returns the index after it, or 0. */
static size_t parse_clock(str s, size_t at)
{
    long h, mi, sec;
    if (!digits_at(s, at, 2, &h) || at + 2 >= s.len || s.ptr[at + 2] != ':' || !digits_at(s, at + 3, 2, &mi) ||
        h > 23 || mi > 59)
        return 0;
    size_t i = at + 5;
    if (i < s.len && s.ptr[i] == ':') {
        if (!digits_at(s, i + 1, 2, &sec) || sec > 59) return 0;
        i += 3;
        if (i < s.len && s.ptr[i] == '.') {
            size_t f = ++i;
            while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9' && i - f < 9) i++;
            if (i == f) return 0;
        }
    }
    return i;
}

/* "Z", "+HH:MM", "+HHMM" or "+HH" (or '-') from s[at] to the end; a space stands for
 * '+' because an unencoded '+' in a query string arrives as one. */
static bool parse_offset(str s, size_t at)
{
    if (at == s.len) return false;
    if (s.len - at == 1) return s.ptr[at] == 'Z' || s.ptr[at] == 'z';
    char sign = s.ptr[at];
    if (sign != '+' && sign != '-' && sign != ' ') return false;
    long hh, mm = 0;
    if (!digits_at(s, at + 1, 2, &hh) || hh > 14) return false;
    size_t rest = s.len - at - 3;
    if (rest == 0) return true;
    size_t m_at = s.ptr[at + 3] == ':' ? at + 4 : at + 3;
    return s.len - m_at == 2 && digits_at(s, m_at, 2, &mm) && mm <= 59;
}

/* "YYYY-MM-DD 00:00:00" of a day number, in the arena. */
static const char *midnight_text(struct arena *a, int64_t day)
{
    struct buf b;
    buf_init(&b, a, 24);
    civil_format_date(&b, day);
    buf_puts(&b, " 00:00:00");
    return buf_cstr(&b);
}

/* Resolves a start_date/end_date value. A day means midnight in the org's zone
 * (for the end: the next midnight, so the day is included); a time without an
 * offset is org-local; with one it is an instant. */
static bool parse_bound(struct arena *a, str s, bool is_end, struct call_bound *b)
{
    int64_t day;
    if (s.len < 10 || !civil_parse_date(str_make(s.ptr, 10), &day) || day < CA_FIRST_DAY) return false;
    if (s.len == 10) {
        b->local = midnight_text(a, is_end ? day + 1 : day);
        return true;
    }
    if (s.ptr[10] != 'T' && s.ptr[10] != 't' && s.ptr[10] != ' ') return false;
    size_t end = parse_clock(s, 11);
    if (!end) return false;
    char *copy = str_cstr(a, s);
    copy[10] = 'T';
    if (end == s.len) {
        b->local = copy;
        return true;
    }
    if (!parse_offset(s, end)) return false;
    if (copy[end] == ' ') copy[end] = '+';
    b->instant = copy;
    return true;
}

static void check_dates(struct arena *a, struct call_filter *f, struct field_errors *e)
{
    str s = f->v[CP_START_DATE].raw, end = f->v[CP_END_DATE].raw;
    if (s.len && !parse_bound(a, s, false, &f->start)) field_error_add(e, "start_date", date_message);
    if (end.len && !parse_bound(a, end, true, &f->end)) field_error_add(e, "end_date", date_message);
    /* Two days (or two org-local times) compare as text; mixed forms are left to
     * match nothing rather than guessing at the zone here. */
    if (f->start.local && f->end.local && s.len == end.len && memcmp(s.ptr, end.ptr, s.len) > 0)
        field_error_add(e, "end_date", "must not be before start_date");
}

/* ---- the other rules ---- */

static void check_phone(struct call_filter *f, struct field_errors *e)
{
    str p = f->v[CP_PHONE].raw;
    if (p.len && !phone_normalize(p, f->phone))
        field_error_add(e, "phone", "must be a phone number, like (415) 555-0100 or +44 20 7946 0958");
}

static void check_durations(struct call_filter *f, struct field_errors *e)
{
    const struct param_value *mn = &f->v[CP_MIN_DURATION], *mx = &f->v[CP_MAX_DURATION];
    f->min_duration = mn->valid ? mn->num : -1;
    f->max_duration = mx->valid ? mx->num : -1;
    if (mn->valid && mx->valid && mn->num > mx->num)
        field_error_add(e, "max_duration", "must not be less than min_duration");
}

static void check_cursor(str secret, struct call_filter *f, struct field_errors *e)
{
    str token = f->v[CP_CURSOR].raw;
    if (!token.len) return;
    if (list_cursor_decode(secret, CALL_CURSOR_PURPOSE, CALL_SORT_CODES, token, &f->cursor) != 0)
        field_error_add(e, "cursor", "is not valid (use the link of the previous page)");
    else if (f->cursor.sort != (int)f->sort)
        field_error_add(e, "cursor", "belongs to another sort order");
    else
        f->has_cursor = true;
}

/* The table's values that need no further rule. */
static void take_values(struct call_filter *f)
{
    const struct param_value *v = f->v;
    f->direction = v[CP_DIRECTION].valid ? v[CP_DIRECTION].text : NULL;
    f->statuses = v[CP_STATUS].valid ? v[CP_STATUS].text : NULL;
    f->name_like = v[CP_NAME].valid ? v[CP_NAME].text : NULL;
    f->sentiment = v[CP_SENTIMENT].valid ? v[CP_SENTIMENT].text : NULL;
    f->has_recording = v[CP_HAS_RECORDING].valid ? (int)v[CP_HAS_RECORDING].num : -1;
    f->campaign_id = v[CP_CAMPAIGN_ID].valid ? v[CP_CAMPAIGN_ID].text : NULL;
    f->q = v[CP_Q].valid ? v[CP_Q].text : NULL;
    f->sort = v[CP_SORT].valid ? (enum call_sort)v[CP_SORT].num : CALL_SORT_NEWEST;
    f->include_demo = v[CP_INCLUDE_DEMO].valid && v[CP_INCLUDE_DEMO].num;
    f->limit = v[CP_LIMIT].valid ? v[CP_LIMIT].num : CALL_LIMIT_DEFAULT;
}

int call_filter_parse(struct arena *a, const struct kvlist *q, str secret, struct call_filter *f,
                      struct field_errors *e)
{
    memset(f, 0, sizeof *f);
    int before = e->n;
    params_parse(a, q, call_param_specs, CP_COUNT, f->v, e);
    take_values(f);
    check_dates(a, f, e);
    check_phone(f, e);
    check_durations(f, e);
    check_cursor(secret, f, e);
    return e->n - before;
}

bool call_filter_narrows(const struct call_filter *f)
{
    static const enum call_param narrowing[] = {
        CP_START_DATE, CP_END_DATE, CP_DIRECTION, CP_STATUS, CP_PHONE, CP_NAME, CP_SENTIMENT,
        CP_MIN_DURATION, CP_MAX_DURATION, CP_HAS_RECORDING, CP_CAMPAIGN_ID, CP_Q,
    };
    for (size_t i = 0; i < sizeof narrowing / sizeof narrowing[0]; i++)
        if (f->v[narrowing[i]].given) return true;
    return false;
}

void call_filter_query_string(const struct call_filter *f, uint64_t skip, struct buf *out)
{
    params_query_string(call_param_specs, f->v, CP_COUNT, skip, out);
}
