/* call_analytics.h — the pure arithmetic of call analytics: rates, rounding,
 * duration and size formats, chart scaling, dense day series (days are civil_date.h
 * day numbers). No I/O, no allocation. */
#ifndef SB_CALL_ANALYTICS_H
#define SB_CALL_ANALYTICS_H
#include <stdint.h>

/* The longest range a request may ask for, in days (inclusive). */
#define CA_MAX_RANGE_DAYS 366

/* The first day a date input may name, 1000-01-01 as a civil_date.h day number:
 * dates are typed as YYYY-MM-DD, and an earlier year is a typo. */
#define CA_FIRST_DAY (-354285)

/* Rounded half up: num / den for num >= 0, den > 0; 0 when den <= 0. */
long ca_div_round(int64_t num, int64_t den);
/* part / whole as tenths of a percent, rounded half up (425 = 42.5 %); 0 when whole is 0. */
long ca_permille(int64_t part, int64_t whole);
/* Tenths written as "42.5" and a NUL into out[24]. */
void ca_format_tenths(long tenths, char out[24]);
/* Seconds as m:ss ("0:07", "75:03") and a NUL into out[24]. */
void ca_format_mss(long seconds, char out[24]);
/* Bytes as decimal megabytes with one decimal ("12.3"; 1 MB = 1,000,000 bytes) into out[24]. */
void ca_format_mb(int64_t bytes, char out[24]);

/* The chart's value axis: the smallest 1, 2 or 5 × 10^k at least max (1 when max <= 0). */
long ca_nice_max(long max);
/* A bar's height in hundredths of a unit for value on an axis of axis_max over
 * plot_h units, rounded; a non-zero value is never drawn thinner than 0.5 unit. */
long ca_bar_height_x100(long value, long axis_max, int plot_h);
/* Where bar i of n starts in hundredths of a unit, across plot_w units. */
long ca_bar_x_x100(int i, int n, int plot_w);
/* Hundredths written as "12.34" and a NUL into out[24]. */
void ca_format_x100(long v, char out[24]);
/* Heatmap intensity: 0 for 0, else 1..buckets in proportion to max (ceiling). */
int ca_bucket(long value, long max, int buckets);

/* One day of the calls-per-day series. */
struct ca_day {
    long day; /* day number */
    long total, inbound, outbound, answered;
};
/* Fills dense[0..n) with the days start .. start+n-1, taking each from sparse (any
 * order, days outside the range ignored) or zeros. */
void ca_fill_days(struct ca_day *dense, long start, int n, const struct ca_day *sparse, int m);

#endif
