/* vapi_recovery.h — the periodic job that recovers the calls Vapi's webhooks missed
 * (vapi_recovery.c; docs/CALLS.md, "Missed-webhook recovery"). */
#ifndef SB_VAPI_RECOVERY_H
#define SB_VAPI_RECOVERY_H
#include "worker.h"

/* Calls asked for per request (Vapi's limit; it allows up to 1,000), and requests per
 * org and run at most. */
#define VAPI_RECOVERY_PAGE 100
#define VAPI_RECOVERY_MAX_PAGES 50

/* Runs one recovery over every org with a Vapi API key. */
enum job_result vapi_recovery_run(struct job_ctx *c, const struct job *j);
#endif
