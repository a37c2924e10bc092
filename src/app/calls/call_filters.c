/* call_filters.c — parsing and validation of the calls list's parameters, and
 * the HMAC-signed keyset cursor. */
#include "call_filters.h"

#include <stdio.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../common/signed_token.h"

const char *const call_param_names[CP_COUNT] = {
    "start_date", "end_date", "direction", "status", "phone", "name", "sentiment",
    "min_duration", "max_duration", "has_recording", "campaign_id", "q", "sort",
    "include_demo", "limit", "cursor",
};

static const char *const statuses[] = {
    "queued", "ringing", "in_progress", "completed", "busy", "no_answer", "failed", "canceled",
};
static const char *const sort_names[] = { "newest", "oldest", "longest" };
static const char sort_codes[] = { 'n', 'o', 'l' };

#define TEXT_MAX_CHARS 200

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

static int days_in_month(long y, long m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* "YYYY-MM-DD" at the start of s, a real calendar date in years 1000..9999. */
static bool parse_day(str s, long *y, long *m, long *d)
{
    return s.len >= 10 && digits_at(s, 0, 4, y) && s.ptr[4] == '-' && digits_at(s, 5, 2, m) &&
           s.ptr[7] == '-' && digits_at(s, 8, 2, d) && *y >= 1000 && *m >= 1 && *m <= 12 && *d >= 1 &&
           *d <= days_in_month(*y, *m);
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

/* Resolves a start_date/end_date value. A day means midnight in the org's zone
 * (for the end: the next midnight, so the day is included); a time without an
 * offset is org-local; with one it is an instant. */
static bool parse_bound(struct arena *a, str s, bool is_end, struct call_bound *b)
{
    long y, m, d;
    if (!parse_day(s, &y, &m, &d)) return false;
    if (s.len == 10) {
        if (is_end && ++d > days_in_month(y, m)) {
            d = 1;
            if (++m > 12) m = 1, y++;
        }
        char day[40];
        snprintf(day, sizeof day, "%04ld-%02ld-%02ld 00:00:00", y, m, d);
        b->local = arena_strdup(a, day);
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

/* ---- the other parameters ---- */

static int enum_index(str s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (str_eq_cstr(s, names[i])) return i;
    return -1;
}

static int parse_bool(str s)
{
    if (str_eq(s, STR("true"))) return 1;
    if (str_eq(s, STR("false"))) return 0;
    return -1;
}

static bool parse_range(str s, long lo, long hi, long *out)
{
    return s.len <= 6 && str_to_long(s, out) && *out >= lo && *out <= hi;
}

/* "completed,busy" → "{completed,busy}"; NULL on an unknown or empty item. */
static const char *parse_statuses(struct arena *a, str s)
{
    struct buf b;
    buf_init(&b, a, s.len + 3);
    buf_putc(&b, '{');
    bool seen[sizeof statuses / sizeof statuses[0]] = { false };
    str rest = s;
    for (;;) {
        str item;
        bool more = str_cut(rest, ',', &item, &rest);
        int i = enum_index(str_trim(item), statuses, (int)(sizeof statuses / sizeof statuses[0]));
        if (i < 0) return NULL;
        if (!seen[i]) {
            if (b.len > 1) buf_putc(&b, ',');
            buf_puts(&b, statuses[i]);
            seen[i] = true;
        }
        if (!more) break;
    }
    buf_putc(&b, '}');
    return buf_cstr(&b);
}

static bool has_control_chars(str s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] < 0x20 || s.ptr[i] == 0x7f) return true;
    return false;
}

/* Free text (name, q): at most TEXT_MAX_CHARS characters, no control characters. */
static const char *text_error(str s)
{
    if (utf8_length(s) > TEXT_MAX_CHARS) return "must be at most 200 characters";
    if (has_control_chars(s)) return "must not contain control characters";
    return NULL;
}

/* The name as a LIKE pattern body: \, % and _ match themselves. */
static const char *like_escape(struct arena *a, str s)
{
    struct buf b;
    buf_init(&b, a, s.len + 8);
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '\\' || s.ptr[i] == '%' || s.ptr[i] == '_') buf_putc(&b, '\\');
        buf_putc(&b, s.ptr[i]);
    }
    return buf_cstr(&b);
}

struct parse_state {
    struct arena *a;
    struct call_filter *f;
    struct call_filter_error *errs;
    int max, n;
};

static void fail(struct parse_state *ps, enum call_param p, const char *message)
{
    if (ps->n < ps->max) ps->errs[ps->n] = (struct call_filter_error){ p, message };
    ps->n++;
}

static void parse_dates(struct parse_state *ps)
{
    struct call_filter *f = ps->f;
    const char *msg = "must be a date (YYYY-MM-DD) or an ISO-8601 time (2024-05-01T09:30:00Z)";
    if (f->raw[CP_START_DATE].len && !parse_bound(ps->a, f->raw[CP_START_DATE], false, &f->start))
        fail(ps, CP_START_DATE, msg);
    if (f->raw[CP_END_DATE].len && !parse_bound(ps->a, f->raw[CP_END_DATE], true, &f->end))
        fail(ps, CP_END_DATE, msg);
    /* Two days (or two org-local times) compare as text; mixed forms are left to
     * match nothing rather than guessing at the zone here. */
    str s = f->raw[CP_START_DATE], e = f->raw[CP_END_DATE];
    if (f->start.local && f->end.local && s.len == e.len && memcmp(s.ptr, e.ptr, s.len) > 0)
        fail(ps, CP_END_DATE, "must not be before start_date");
}

static void parse_enums(struct parse_state *ps)
{
    struct call_filter *f = ps->f;
    static const char *const directions[] = { "inbound", "outbound" };
    static const char *const sentiments[] = { "positive", "neutral", "negative" };
    if (f->raw[CP_DIRECTION].len) {
        int i = enum_index(f->raw[CP_DIRECTION], directions, 2);
        if (i < 0) fail(ps, CP_DIRECTION, "must be inbound or outbound");
        else f->direction = directions[i];
    }
    if (f->raw[CP_STATUS].len && !(f->statuses = parse_statuses(ps->a, f->raw[CP_STATUS])))
        fail(ps, CP_STATUS, "must be one or more of queued, ringing, in_progress, completed, busy, "
                            "no_answer, failed, canceled (separated by commas)");
    if (f->raw[CP_SENTIMENT].len) {
        int i = enum_index(f->raw[CP_SENTIMENT], sentiments, 3);
        if (i < 0) fail(ps, CP_SENTIMENT, "must be positive, neutral or negative");
        else f->sentiment = sentiments[i];
    }
    if (f->raw[CP_HAS_RECORDING].len && (f->has_recording = parse_bool(f->raw[CP_HAS_RECORDING])) < 0)
        fail(ps, CP_HAS_RECORDING, "must be true or false");
    int demo = f->raw[CP_INCLUDE_DEMO].len ? parse_bool(f->raw[CP_INCLUDE_DEMO]) : 0;
    if (demo < 0) fail(ps, CP_INCLUDE_DEMO, "must be true or false");
    f->include_demo = demo == 1;
    if (f->raw[CP_SORT].len) {
        int i = enum_index(f->raw[CP_SORT], sort_names, 3);
        if (i < 0) fail(ps, CP_SORT, "must be newest, oldest or longest");
        else f->sort = (enum call_sort)i;
    }
}

static void parse_numbers(struct parse_state *ps)
{
    struct call_filter *f = ps->f;
    const char *msg = "must be a whole number of seconds from 0 to 86400";
    if (f->raw[CP_MIN_DURATION].len && !parse_range(f->raw[CP_MIN_DURATION], 0, CALL_DURATION_MAX, &f->min_duration))
        fail(ps, CP_MIN_DURATION, msg), f->min_duration = -1;
    if (f->raw[CP_MAX_DURATION].len && !parse_range(f->raw[CP_MAX_DURATION], 0, CALL_DURATION_MAX, &f->max_duration))
        fail(ps, CP_MAX_DURATION, msg), f->max_duration = -1;
    if (f->min_duration >= 0 && f->max_duration >= 0 && f->min_duration > f->max_duration)
        fail(ps, CP_MAX_DURATION, "must not be less than min_duration");
    if (f->raw[CP_LIMIT].len && !parse_range(f->raw[CP_LIMIT], 1, CALL_LIMIT_MAX, &f->limit))
        fail(ps, CP_LIMIT, "must be a whole number from 1 to 200");
}

static void parse_texts(struct parse_state *ps)
{
    struct call_filter *f = ps->f;
    const char *e;
    if (f->raw[CP_PHONE].len && !phone_normalize(f->raw[CP_PHONE], f->phone))
        fail(ps, CP_PHONE, "must be a phone number, like (415) 555-0100 or +44 20 7946 0958");
    if (f->raw[CP_NAME].len) {
        if ((e = text_error(f->raw[CP_NAME]))) fail(ps, CP_NAME, e);
        else f->name_like = like_escape(ps->a, f->raw[CP_NAME]);
    }
    if (f->raw[CP_Q].len) {
        if ((e = text_error(f->raw[CP_Q]))) fail(ps, CP_Q, e);
        else f->q = str_cstr(ps->a, f->raw[CP_Q]);
    }
    if (f->raw[CP_CAMPAIGN_ID].len) {
        if (!str_is_uuid(f->raw[CP_CAMPAIGN_ID])) fail(ps, CP_CAMPAIGN_ID, "must be a UUID");
        else f->campaign_id = str_cstr(ps->a, f->raw[CP_CAMPAIGN_ID]);
    }
}

static void parse_cursor(struct parse_state *ps, str secret)
{
    struct call_filter *f = ps->f;
    if (!f->raw[CP_CURSOR].len) return;
    if (call_cursor_decode(secret, f->raw[CP_CURSOR], &f->cursor) != 0)
        fail(ps, CP_CURSOR, "is not valid (use the link of the previous page)");
    else if (f->cursor.sort != f->sort)
        fail(ps, CP_CURSOR, "belongs to another sort order");
    else
        f->has_cursor = true;
}

int call_filter_parse(struct arena *a, const struct kvlist *q, str secret, struct call_filter *f,
                      struct call_filter_error *errs, int max)
{
    memset(f, 0, sizeof *f);
    f->min_duration = f->max_duration = -1;
    f->has_recording = -1;
    f->limit = CALL_LIMIT_DEFAULT;
    for (int i = 0; i < CP_COUNT; i++) {
        const str *v = kvlist_get(q, call_param_names[i]);
        f->raw[i] = v ? str_trim(*v) : STR("");
    }
    struct parse_state ps = { a, f, errs, max, 0 };
    parse_dates(&ps);
    parse_enums(&ps);
    parse_numbers(&ps);
    parse_texts(&ps);
    parse_cursor(&ps, secret);
    return ps.n;
}

bool call_filter_narrows(const struct call_filter *f)
{
    static const enum call_param narrowing[] = {
        CP_START_DATE, CP_END_DATE, CP_DIRECTION, CP_STATUS, CP_PHONE, CP_NAME, CP_SENTIMENT,
        CP_MIN_DURATION, CP_MAX_DURATION, CP_HAS_RECORDING, CP_CAMPAIGN_ID, CP_Q,
    };
    for (size_t i = 0; i < sizeof narrowing / sizeof narrowing[0]; i++)
        if (f->raw[narrowing[i]].len) return true;
    return false;
}

void call_filter_query_string(const struct call_filter *f, unsigned skip, struct buf *out)
{
    for (int i = 0; i < CP_COUNT; i++) {
        if (!f->raw[i].len || (skip & (1u << i))) continue;
        if (out->len) buf_putc(out, '&');
        buf_puts(out, call_param_names[i]);
        buf_putc(out, '=');
        buf_url_arg(out, f->raw[i]);
    }
}

/* ---- cursor ---- */

str call_cursor_encode(struct arena *a, str secret, const struct call_cursor *c)
{
    char payload[80];
    int n = snprintf(payload, sizeof payload, "%c.%lld.%s", sort_codes[c->sort], (long long)c->key, c->id);
    return signed_token_encode(a, secret, "calls-cursor", str_make(payload, (size_t)n));
}

int call_cursor_decode(str secret, str token, struct call_cursor *c)
{
    char payload[SIGNED_TOKEN_MAX_PAYLOAD];
    long n = signed_token_decode(secret, "calls-cursor", token, payload, sizeof payload);
    if (n < 40) return -1;
    str p = str_make(payload, (size_t)n);
    /* Signed by us, so well-formed; parsed strictly all the same. */
    str sort, rest, key, id;
    if (!str_cut(p, '.', &sort, &rest) || !str_cut(rest, '.', &key, &id) || sort.len != 1) return -1;
    const char *code = memchr(sort_codes, sort.ptr[0], sizeof sort_codes);
    long k;
    if (!code || !str_to_long(key, &k) || !str_is_uuid(id)) return -1;
    c->sort = (enum call_sort)(code - sort_codes);
    c->key = k;
    memcpy(c->id, id.ptr, 36);
    c->id[36] = '\0';
    return 0;
}
