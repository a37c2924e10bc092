/* campaign_send.h — the campaign sender: the worker's dispatch housekeeping and the
 * campaign_send job, which claims a running campaign's due messages at its pace and
 * sends each through its provider (Twilio Messages and Calls, SendGrid mail/send). */
#ifndef SB_CAMPAIGN_SEND_H
#define SB_CAMPAIGN_SEND_H
#include "worker.h"

#define CAMPAIGN_SEND_KIND "campaign_send"

/* The housekeeping the worker runs a few times a second, for every org, in one
 * transaction: scheduled campaigns whose time came start running, a canceled
 * campaign's queued messages become skipped (canceled), a running campaign with no
 * queued message left completes, and a running campaign with a message due gets a
 * campaign_send job (one at a time per campaign). Returns the number of running
 * campaigns (the worker looks again soon while there are any), or -1. */
int campaign_dispatch_tick(struct db *db, struct arena *a);

/* The campaign_send job ({"campaign_id": ...}): sends for about three seconds, then ends;
 * the next tick queues it again while messages are due. */
enum job_result campaign_send_run(struct job_ctx *c, const struct job *j);
#endif
