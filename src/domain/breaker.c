/* breaker.c — see breaker.h. */
#include "breaker.h"

const struct breaker_policy breaker_default_policy = { .failure_threshold = 5, .open_s = 30 };

static void open_now(struct breaker *b, time_t now)
{
    b->state = BREAKER_OPEN;
    b->opened_at = now;
    b->probe_at = 0;
}

enum breaker_verdict breaker_allow(struct breaker *b, const struct breaker_policy *p, time_t now)
{
    switch (b->state) {
    case BREAKER_CLOSED: return BREAKER_ALLOW;
    case BREAKER_OPEN:
        if (now < b->opened_at + p->open_s) return BREAKER_REJECT;
        b->state = BREAKER_HALF_OPEN;
        b->probe_at = now;
        return BREAKER_PROBE;
    case BREAKER_HALF_OPEN:
        if (b->probe_at != 0 && now < b->probe_at + p->open_s) return BREAKER_REJECT;
        b->probe_at = now;
        return BREAKER_PROBE;
    }
    return BREAKER_REJECT;
}

void breaker_record(struct breaker *b, const struct breaker_policy *p, time_t now, bool transient_failure)
{
    if (!transient_failure) {
        b->state = BREAKER_CLOSED;
        b->failures = 0;
        b->probe_at = 0;
        return;
    }
    if (b->state == BREAKER_HALF_OPEN) {
        open_now(b, now);
        return;
    }
    if (b->state == BREAKER_CLOSED && ++b->failures >= p->failure_threshold) open_now(b, now);
}

time_t breaker_retry_at(const struct breaker *b, const struct breaker_policy *p)
{
    if (b->state == BREAKER_OPEN) return b->opened_at + p->open_s;
    if (b->state == BREAKER_HALF_OPEN && b->probe_at != 0) return b->probe_at + p->open_s;
    return 0;
}

const char *breaker_state_name(enum breaker_state s)
{
    switch (s) {
    case BREAKER_CLOSED: return "closed";
    case BREAKER_OPEN: return "open";
    case BREAKER_HALF_OPEN: return "half_open";
    }
    return "closed";
}

bool breaker_state_parse(str s, enum breaker_state *out)
{
    if (str_eq_cstr(s, "closed")) *out = BREAKER_CLOSED;
    else if (str_eq_cstr(s, "open")) *out = BREAKER_OPEN;
    else if (str_eq_cstr(s, "half_open")) *out = BREAKER_HALF_OPEN;
    else return false;
    return true;
}
