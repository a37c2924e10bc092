/* admin.h — the admin feature: the admin pages. Its route table is all the
 * application sees of it; the handlers are declared here for that table. */
#ifndef SB_APP_ADMIN_H
#define SB_APP_ADMIN_H
#include "../../http/router.h"
struct tdict;

extern const struct route_table admin_routes;

int api_admin_ping(struct request *r);
/* System health (health.c). */
int admin_health(struct request *r);
/* The admin pages' sub-navigation with current ("health", "audit", "jobs") marked. */
void admin_nav(struct tdict *d, const char *current);
/* The audit log (audit_log.c). */
int admin_audit_list(struct request *r);
int admin_audit_export(struct request *r);
/* The job queue (jobs.c). */
int admin_jobs(struct request *r);
int admin_job_retry(struct request *r);
int admin_job_discard_confirm(struct request *r);
int admin_job_discard(struct request *r);
#endif
