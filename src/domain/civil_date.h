/* civil_date.h — proleptic Gregorian days since 1970-01-01, the org's "today" from a
 * UTC offset, ISO weeks and YYYY-MM-DD text; pure arithmetic, no time zone database. */
#ifndef SB_CIVIL_DATE_H
#define SB_CIVIL_DATE_H
#include <stdbool.h>
#include <stdint.h>
#include "../core/str.h"
struct buf;

#define CIVIL_DAY_S 86400

/* Day number of y-m-d (1970-01-01 is 0, earlier days negative); no validation. */
int64_t civil_days_from_ymd(int64_t y, unsigned m, unsigned d);
/* The y-m-d of a day number. */
void civil_ymd_from_days(int64_t day, int64_t *y, unsigned *m, unsigned *d);
/* The local day of an instant for a UTC offset in seconds (caller resolves DST). */
int64_t civil_day_of(int64_t unix_s, int32_t utc_offset_s);
/* ISO weekday: 1 = Monday .. 7 = Sunday. */
unsigned civil_iso_weekday(int64_t day);
/* The Monday that starts day's ISO week. */
int64_t civil_week_start(int64_t day);
/* ISO-8601 week-numbering year and week (1..53) of a day. */
void civil_iso_week(int64_t day, int64_t *iso_year, unsigned *week);
/* Strict "YYYY-MM-DD" (a real calendar date); false on anything else. */
bool civil_parse_date(str s, int64_t *day);
/* Appends "YYYY-MM-DD". */
void civil_format_date(struct buf *b, int64_t day);
#endif
