/* call_analytics.c — the pure arithmetic of call analytics (see call_analytics.h). */
#include "call_analytics.h"

#include <stdio.h>

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
