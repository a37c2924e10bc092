/* deadline.h — a deliverable's deadline state (completed|on_track|due_soon|late) and
 * the reason people read ("due in 3 hours", "late by 1 day", "posted"). */
#ifndef SB_DEADLINE_H
#define SB_DEADLINE_H
#include <stdbool.h>
#include <stdint.h>
struct buf;

/* Due within this many seconds (inclusive) is due_soon: two days leaves time to act
 * across a weekend or a time-zone gap with the brand. */
#define DEADLINE_DUE_SOON_S (48 * 3600)

enum deadline_state { DEADLINE_COMPLETED, DEADLINE_ON_TRACK, DEADLINE_DUE_SOON, DEADLINE_LATE };

/* What the rule needs of a deliverable; times are unix seconds. */
struct deadline_input {
    bool posted;
    bool has_scheduled;
    int64_t scheduled_at;
    bool has_window_end;
    int64_t window_end; /* the posting window's end: the hard deadline when set */
};

/* The deadline: the posting window's end if set, else the scheduled time; false if
 * the deliverable has neither. */
bool deadline_due_at(const struct deadline_input *in, int64_t *due);
/* The state at `now`, appending the reason to `reason` (may be NULL). Posted is
 * completed ("posted"); no deadline is on_track ("no due date"); due exactly now is
 * due_soon ("due now"); a second past is late. Durations are whole units rounded
 * down: under a minute "less than a minute", then minutes, hours under 24 h, days. */
enum deadline_state deadline_evaluate(const struct deadline_input *in, int64_t now, struct buf *reason);
/* "completed", "on_track", "due_soon", "late" ("" when out of range). */
const char *deadline_state_name(enum deadline_state s);
#endif
