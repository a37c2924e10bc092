/* civil_date.c — calendar arithmetic (Howard Hinnant's days_from_civil algorithms). */
#include "civil_date.h"

#include "../core/buf.h"

/* Floor division: C's '/' truncates toward zero, which is wrong before 1970. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t civil_days_from_ymd(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_ymd_from_days(int64_t day, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = day + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t civil_day_of(int64_t unix_s, int32_t utc_offset_s)
{
    return floor_div(unix_s + utc_offset_s, CIVIL_DAY_S);
}

unsigned civil_iso_weekday(int64_t day)
{
    /* 1970-01-01 was a Thursday (ISO 4). */
    int64_t r = (day + 3) % 7;
    return (unsigned)(r < 0 ? r + 7 : r) + 1;
}

int64_t civil_week_start(int64_t day)
{
    return day - (civil_iso_weekday(day) - 1);
}

void civil_iso_week(int64_t day, int64_t *iso_year, unsigned *week)
{
    /* The ISO year is the year of the week's Thursday; week 1 holds January 4th. */
    int64_t thursday = civil_week_start(day) + 3;
    int64_t y;
    unsigned m, d;
    civil_ymd_from_days(thursday, &y, &m, &d);
    int64_t week1 = civil_week_start(civil_days_from_ymd(y, 1, 4));
    *iso_year = y;
    *week = (unsigned)((civil_week_start(day) - week1) / 7 + 1);
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

static bool digits(const char *p, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    *out = v;
    return true;
}

bool civil_parse_date(str s, int64_t *day)
{
    unsigned y, m, d;
    if (s.len != 10 || s.ptr[4] != '-' || s.ptr[7] != '-') return false;
    if (!digits(s.ptr, 4, &y) || !digits(s.ptr + 5, 2, &m) || !digits(s.ptr + 8, 2, &d)) return false;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m)) return false;
    *day = civil_days_from_ymd(y, m, d);
    return true;
}

void civil_format_date(struct buf *b, int64_t day)
{
    int64_t y;
    unsigned m, d;
    civil_ymd_from_days(day, &y, &m, &d);
    buf_printf(b, "%04lld-%02u-%02u", (long long)y, m, d);
}
