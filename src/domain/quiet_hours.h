/* quiet_hours.h — a campaign's quiet hours ("21:00" to "08:00" local, nothing is sent
 * in between) in the contact's time zone, or else the org's. The zone's rules are the
 * caller's (the database's or libc's zone data) through an offset function, so the
 * arithmetic here is pure and DST-correct: local times are read at the instant, and a
 * local end time is turned back into an instant with the offset in force then. */
#ifndef SB_QUIET_HOURS_H
#define SB_QUIET_HOURS_H
#include <stdbool.h>
#include <stdint.h>
#include "../core/str.h"

/* Minutes after local midnight, 0..1439. start == end: no quiet hours. A window whose
 * start is after its end runs over midnight (21:00-08:00). */
struct quiet_hours {
    int start_min, end_min;
};

/* The zone's UTC offset in seconds at instant unix_s. */
typedef int32_t (*utc_offset_fn)(int64_t unix_s, void *ctx);

/* Strict "HH:MM" (00:00..23:59) into minutes; false on anything else. */
bool quiet_hours_parse_time(str s, int *minutes);
/* "HH:MM-HH:MM" (the org setting's spelling) into q; false on anything else. */
bool quiet_hours_parse_range(str s, struct quiet_hours *q);
/* true if the local minute of day falls inside the window (start included, end not). */
bool quiet_hours_contains(const struct quiet_hours *q, int local_min);
/* true if instant t is inside the window in the zone of offset. */
bool quiet_hours_at(const struct quiet_hours *q, int64_t t, utc_offset_fn offset, void *ctx);
/* The first instant at or after t that is outside the window: t itself when it is
 * outside, else the window's end that day in local time. An end time that does not
 * exist that night (skipped by a spring-forward) is the moment the clocks jump; one
 * that happens twice (a fall-back) is its first occurrence after t, so a wall clock
 * that shows a quiet time again after the fall-back is quiet again. */
int64_t quiet_hours_next_open(const struct quiet_hours *q, int64_t t, utc_offset_fn offset, void *ctx);
#endif
