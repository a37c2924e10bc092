/* worker.h — `switchboard worker`: runs queued jobs for every org, and what a job
 * kind implements. */
#ifndef SB_WORKER_H
#define SB_WORKER_H
#include "../core/config.h"
#include "queue.h"

/* What a job run tells the worker. */
enum job_result {
    JOB_DONE,   /* finished (or nothing left to do) */
    JOB_RETRY,  /* transient failure: run again after back-off while attempts remain */
    JOB_FAILED, /* permanent failure: dead now, no retry */
};

/* Everything a job run may use; error is set (in the arena) on failure. */
struct job_ctx {
    struct db *db; /* owner role: the worker acts for every org; outside a transaction */
    struct arena *a; /* the job's arena, reset after it */
    const struct config *cfg;
    const char *error;
};

/* The worker loop: LISTEN jobs (with a worker_poll_s poll fallback), claim and run
 * jobs, schedule the periodic ones. SIGTERM/SIGINT finish the current job and
 * exit 0; SIGHUP re-reads config_path. Connects with admin_database_url. */
int worker_main(struct config *cfg, const char *config_path);
#endif
