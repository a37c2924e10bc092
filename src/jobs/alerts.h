/* alerts.h — the alerts (docs/ADMIN.md, "Alerts"): the periodic alerts_evaluate job
 * reads every org's enabled rules against the instance's health (the pool's request
 * figures by minute, the queue, the provider breakers, the recordings disk) and
 * records firings and resolutions in alert_events; each event is delivered to the
 * org's channels (a Slack-compatible webhook, email over SMTP) by an alert_deliver
 * job, which a test alert uses too. */
#ifndef SB_ALERTS_H
#define SB_ALERTS_H
#include "worker.h"

#define ALERTS_EVALUATE_KIND "alerts_evaluate"
#define ALERT_DELIVER_KIND "alert_deliver"
#define ALERT_DELIVER_ATTEMPTS 5

/* The metrics a rule may watch, their units and whether their window is a
 * measuring window (rates) rather than how long the condition must hold. */
struct alert_metric {
    const char *name, *label, *unit;
    bool measured_over_window;
};
extern const struct alert_metric alert_metrics[];
extern const int alert_metric_count;
const struct alert_metric *alert_metric_find(const char *name);

/* The periodic job: evaluates every enabled rule once. */
enum job_result alerts_evaluate_run(struct job_ctx *c, const struct job *j);
/* The delivery job: payload {"event_id": uuid}; sends to each channel not yet
 * reached, records what each said, retries the failed ones. */
enum job_result alert_deliver_run(struct job_ctx *c, const struct job *j);
/* Database down (the one rule evaluated without the database): the worker calls
 * this while it cannot reach the database, down_s seconds so far; every enabled
 * database_down rule (as the last evaluation left them) past its threshold and
 * cooldown is sent to its channels at once, from memory. */
void alerts_database_unreachable(const struct config *cfg, struct arena *a, long down_s);
/* ... and this when the database answers again after down_s seconds: the firings
 * sent are recorded in the history and their "resolved" queued. */
void alerts_database_back(struct db *db, struct arena *a, long down_s);
#endif
