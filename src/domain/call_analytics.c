/* call_analytics.c — the pure arithmetic of call analytics (see call_analytics.h). */
#include "call_analytics.h"

#include <stdio.h>

/* Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date. */
long ca_days_from_civil(int year, int month, int day)
{
    long y = (long)year - (month <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long mp = (month + 9) % 12;
    long doy = (153 * mp + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void ca_civil_from_days(long days, int *year, int *month, int *day)
{
    long z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
}

static int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

bool ca_parse_date(str s, long *days)
{
    if (s.len != 10 || s.ptr[4] != '-' || s.ptr[7] != '-') return false;
    int y = digits(s.ptr, 4), m = digits(s.ptr + 5, 2), d = digits(s.ptr + 8, 2);
    if (y < 1000 || m < 1 || m > 12 || d < 1 || d > 31) return false;
    long n = ca_days_from_civil(y, m, d);
    /* A day past the month's end (2023-02-30) comes back as another date. */
    int ry, rm, rd;
    ca_civil_from_days(n, &ry, &rm, &rd);
    if (ry != y || rm != m || rd != d) return false;
    *days = n;
    return true;
}

void ca_format_date(long days, char out[11])
{
    int y, m, d;
    ca_civil_from_days(days, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

int ca_iso_weekday(long days)
{
    /* 1970-01-01 was a Thursday (ISO 4). */
    long w = (days % 7 + 7 + 3) % 7;
    return (int)w + 1;
}

long ca_div_round(int64_t num, int64_t den)
{
    if (den <= 0) return 0;
    return (long)((num * 2 + den) / (den * 2));
}

long ca_permille(int64_t part, int64_t whole)
{
    return ca_div_round(part * 1000, whole);
}

void ca_format_tenths(long tenths, char out[24])
{
    snprintf(out, 24, "%ld.%ld", tenths / 10, tenths % 10);
}

void ca_format_mss(long seconds, char out[24])
{
    if (seconds < 0) seconds = 0;
    snprintf(out, 24, "%ld:%02ld", seconds / 60, seconds % 60);
}

void ca_format_mb(int64_t bytes, char out[24])
{
    long tenths = ca_div_round(bytes, 100000);
    ca_format_tenths(tenths, out);
}

long ca_nice_max(long max)
{
    if (max <= 1) return 1;
    for (long p = 1;; p *= 10) {
        static const long steps[] = { 1, 2, 5 };
        for (int i = 0; i < 3; i++)
            if (steps[i] * p >= max) return steps[i] * p;
    }
}

long ca_bar_height_x100(long value, long axis_max, int plot_h)
{
    if (value <= 0 || axis_max <= 0) return 0;
    long h = ca_div_round((int64_t)value * plot_h * 100, axis_max);
    return h < 50 ? 50 : h;
}

long ca_bar_x_x100(int i, int n, int plot_w)
{
    if (n <= 0) return 0;
    return (long)((int64_t)i * plot_w * 100 / n);
}

void ca_format_x100(long v, char out[24])
{
    snprintf(out, 24, "%ld.%02ld", v / 100, v % 100);
}

int ca_bucket(long value, long max, int buckets)
{
    if (value <= 0 || max <= 0) return 0;
    long b = (long)(((int64_t)value * buckets + max - 1) / max);
    return b > buckets ? buckets : (int)b;
}

void ca_fill_days(struct ca_day *dense, long start, int n, const struct ca_day *sparse, int m)
{
    for (int i = 0; i < n; i++) dense[i] = (struct ca_day){ .day = start + i };
    for (int j = 0; j < m; j++) {
        long k = sparse[j].day - start;
        if (k >= 0 && k < n) dense[k] = sparse[j];
    }
}
