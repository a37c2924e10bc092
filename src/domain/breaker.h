/* breaker.h — a circuit breaker per provider and org: after a run of transient
 * failures (timeouts, 429, 5xx) the provider is left alone for a while, then one
 * probe request decides whether it is back. Pure: the caller keeps the state (in the
 * database, so every worker sees the same breaker) and passes the time in. */
#ifndef SB_BREAKER_H
#define SB_BREAKER_H
#include <stdbool.h>
#include <time.h>
#include "../core/str.h"

enum breaker_state { BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN };

struct breaker_policy {
    int failure_threshold; /* consecutive transient failures that open it */
    int open_s;            /* how long it stays open before a probe */
};

/* 5 failures in a row; 30 s open. */
extern const struct breaker_policy breaker_default_policy;

struct breaker {
    enum breaker_state state;
    int failures;      /* consecutive transient failures while closed */
    time_t opened_at;  /* when it last opened */
    time_t probe_at;   /* when the half-open probe was let through; 0 when none */
};

enum breaker_verdict {
    BREAKER_ALLOW,  /* send */
    BREAKER_PROBE,  /* send: this request is the one probe */
    BREAKER_REJECT, /* do not send now; try again after breaker_retry_at */
};

/* May a request go now? Moves open to half-open when the open time is over, and
 * lets one probe through at a time (another after open_s, should a probe's sender
 * have died without reporting). */
enum breaker_verdict breaker_allow(struct breaker *b, const struct breaker_policy *p, time_t now);
/* The outcome of a request that was allowed. A permanent failure (another 4xx) says
 * the provider is up, so it counts as a success here. */
void breaker_record(struct breaker *b, const struct breaker_policy *p, time_t now, bool transient_failure);
/* When a rejected request may ask again. */
time_t breaker_retry_at(const struct breaker *b, const struct breaker_policy *p);
/* "closed", "open", "half_open" (the database's and /metrics' spelling), and back. */
const char *breaker_state_name(enum breaker_state s);
bool breaker_state_parse(str s, enum breaker_state *out);
#endif
