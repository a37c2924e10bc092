/* quiet_hours.c — quiet hours in a zone with daylight saving time. */
#include "quiet_hours.h"

#include "civil_date.h"

bool quiet_hours_parse_time(str s, int *minutes)
{
    if (s.len != 5 || s.ptr[2] != ':') return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s.ptr[i] < '0' || s.ptr[i] > '9')) return false;
    int h = (s.ptr[0] - '0') * 10 + (s.ptr[1] - '0'), m = (s.ptr[3] - '0') * 10 + (s.ptr[4] - '0');
    if (h > 23 || m > 59) return false;
    *minutes = h * 60 + m;
    return true;
}

bool quiet_hours_parse_range(str s, struct quiet_hours *q)
{
    str a, b;
    return str_cut(s, '-', &a, &b) && quiet_hours_parse_time(a, &q->start_min) && quiet_hours_parse_time(b, &q->end_min);
}

bool quiet_hours_contains(const struct quiet_hours *q, int local_min)
{
    if (q->start_min == q->end_min) return false;
    if (q->start_min < q->end_min) return local_min >= q->start_min && local_min < q->end_min;
    return local_min >= q->start_min || local_min < q->end_min;
}

/* Seconds since the local epoch: what a wall clock in the zone shows at t. */
static int64_t local_of(int64_t t, utc_offset_fn offset, void *ctx)
{
    return t + offset(t, ctx);
}

static int local_minute(int64_t local)
{
    int64_t s = local - civil_day_of(local, 0) * CIVIL_DAY_S;
    return (int)(s / 60);
}

bool quiet_hours_at(const struct quiet_hours *q, int64_t t, utc_offset_fn offset, void *ctx)
{
    return quiet_hours_contains(q, local_minute(local_of(t, offset, ctx)));
}

/* The first instant after t whose wall clock shows local: of a time that happens
 * twice, the first occurrence after t; of a time skipped by a jump, the jump. */
static int64_t instant_of_local(int64_t local, int64_t t, utc_offset_fn offset, void *ctx)
{
    /* The offsets a day either side; a zone changes offset at most once in such a
     * span in practice. The larger offset gives the earlier reading. */
    int32_t before = offset(local - CIVIL_DAY_S, ctx), after = offset(local + CIVIL_DAY_S, ctx);
    int64_t first = local - (before > after ? before : after), second = local - (before > after ? after : before);
    if (first > t && local_of(first, offset, ctx) == local) return first;
    if (second > t && local_of(second, offset, ctx) == local) return second;
    /* In a gap: the first instant whose wall clock is at or past local is the jump. */
    int64_t lo = first, hi = second;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (local_of(mid, offset, ctx) >= local) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

int64_t quiet_hours_next_open(const struct quiet_hours *q, int64_t t, utc_offset_fn offset, void *ctx)
{
    int64_t local = local_of(t, offset, ctx);
    int min = local_minute(local);
    if (!quiet_hours_contains(q, min)) return t;
    int64_t day = civil_day_of(local, 0);
    /* Over midnight and still before it: the window ends tomorrow. */
    if (q->start_min > q->end_min && min >= q->start_min) day++;
    int64_t end = instant_of_local(day * CIVIL_DAY_S + (int64_t)q->end_min * 60, t, offset, ctx);
    return end > t ? end : t;
}
