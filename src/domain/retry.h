/* retry.h — what to do after one attempt at a provider request: done, retry later
 * (exponential backoff with full jitter, never sooner than the provider's
 * Retry-After), or give up; pure, no I/O. */
#ifndef SB_RETRY_H
#define SB_RETRY_H
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "../core/str.h"

struct retry_policy {
    int max_attempts;   /* attempts in all, the first included */
    long base_ms;       /* the first retry waits up to this */
    long cap_ms;        /* no computed wait exceeds this */
    long max_after_ms;  /* a Retry-After longer than this is cut to it */
};

/* The campaign sender's policy: 6 attempts, 1 s doubling to 5 minutes. */
extern const struct retry_policy retry_send_policy;

enum retry_outcome {
    RETRY_DONE,      /* 2xx: the provider took it */
    RETRY_LATER,     /* 429, 5xx, a timeout or a broken connection, attempts left */
    RETRY_GIVE_UP,   /* another 4xx, or a transient failure with no attempts left */
};

/* One attempt's result as the sender saw it. http_status is 0 when no response came
 * (timeout, refused, reset); retry_after is the Retry-After header's text or empty. */
struct attempt_result {
    int http_status;
    str retry_after;
};

struct retry_decision {
    enum retry_outcome outcome;
    long wait_ms;       /* for RETRY_LATER */
    bool transient;     /* the failure itself was transient (also when given up) */
};

/* attempt counts from 1 (the attempt that just ended). random is any uniformly
 * distributed 64-bit value: the jitter. now is for a Retry-After given as a date. */
struct retry_decision retry_decide(const struct retry_policy *p, int attempt, struct attempt_result r,
                                   time_t now, uint64_t random);
/* Retry-After as milliseconds from now: delta-seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2015 07:28:00 GMT", in the past = 0). -1 when absent or unreadable. */
long retry_after_ms(str header, time_t now);
/* The backoff ceiling before jitter for a retry after `attempt`: base * 2^(attempt-1),
 * at most cap. The wait is uniform in [ceiling/2, ceiling]. */
long retry_backoff_ceiling_ms(const struct retry_policy *p, int attempt);
#endif
