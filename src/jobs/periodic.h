/* periodic.h — jobs the queue runs on a schedule of its own (no cron): each kind has
 * one live job under the unique key "periodic:<kind>"; a run that finishes (done or
 * dead) queues the next one every_s later, and the worker queues any kind that has
 * none (a new install, a discarded run) to run at once. */
#ifndef SB_PERIODIC_H
#define SB_PERIODIC_H
#include "../core/str.h"
#include "worker.h"

struct periodic_job {
    const char *kind;
    int every_s;
    const char *every_text; /* "hour", "day": for the admin page */
    const char *purpose;    /* one line for the admin page */
    enum job_result (*run)(struct job_ctx *c, const struct job *j);
};

extern const struct periodic_job periodic_jobs[];
extern const int periodic_count;

/* The periodic kind named kind, or NULL. */
const struct periodic_job *periodic_find(str kind);
/* Queues a run, due now, of every kind without a live one. 0 or -1 (database error). */
int periodic_ensure(struct db *db, struct arena *a);
/* Queues p's next run every_s from now (a no-op when one is live). 0 or -1. */
int periodic_next(struct db *db, struct arena *a, const struct periodic_job *p);
#endif
