/* deadline.c — deliverable deadline state and its human reason. */
#include "deadline.h"

#include "../core/buf.h"

bool deadline_due_at(const struct deadline_input *in, int64_t *due)
{
    if (in->has_window_end) {
        *due = in->window_end;
        return true;
    }
    if (in->has_scheduled) {
        *due = in->scheduled_at;
        return true;
    }
    return false;
}

/* "3 hours", "1 day", "less than a minute": the largest whole unit, rounded down;
 * days only from 24 h up ("due in 30 hours" is clearer than "1 day"). */
static void put_duration(struct buf *b, int64_t s)
{
    static const struct {
        int64_t seconds;
        const char *one, *many;
    } units[] = { { 86400, "day", "days" }, { 3600, "hour", "hours" }, { 60, "minute", "minutes" } };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (s < units[i].seconds) continue;
        int64_t n = s / units[i].seconds;
        buf_printf(b, "%lld %s", (long long)n, n == 1 ? units[i].one : units[i].many);
        return;
    }
    buf_puts(b, "less than a minute");
}

enum deadline_state deadline_evaluate(const struct deadline_input *in, int64_t now, struct buf *reason)
{
    int64_t due;
    if (in->posted) {
        if (reason) buf_puts(reason, "posted");
        return DEADLINE_COMPLETED;
    }
    if (!deadline_due_at(in, &due)) {
        if (reason) buf_puts(reason, "no due date");
        return DEADLINE_ON_TRACK;
    }
    if (due == now) {
        if (reason) buf_puts(reason, "due now");
        return DEADLINE_DUE_SOON;
    }
    if (due < now) {
        if (reason) {
            buf_puts(reason, "late by ");
            put_duration(reason, now - due);
        }
        return DEADLINE_LATE;
    }
    if (reason) {
        buf_puts(reason, "due in ");
        put_duration(reason, due - now);
    }
    return due - now <= DEADLINE_DUE_SOON_S ? DEADLINE_DUE_SOON : DEADLINE_ON_TRACK;
}

const char *deadline_state_name(enum deadline_state s)
{
    static const char *const names[] = { "completed", "on_track", "due_soon", "late" };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "";
}
