/* admin.h — the admin feature: the admin pages. Its route table is all the
 * application sees of it; the handlers are declared here for that table. */
#ifndef SB_APP_ADMIN_H
#define SB_APP_ADMIN_H
#include "../../http/router.h"
struct dbres;
struct json_object;
struct tdict;

extern const struct route_table admin_routes;

int api_admin_ping(struct request *r);

/* outbound_webhooks.c */
int webhooks_list(struct request *r);
int webhook_create(struct request *r);
int webhook_show(struct request *r);
int webhook_update(struct request *r);
int webhook_delete_confirm(struct request *r);
int webhook_delete(struct request *r);
int webhook_send_test(struct request *r);
int webhook_redeliver(struct request *r);
/* Users (users.c): pages under /admin/users, JSON under /api/v1/admin/users. */
int admin_users_list(struct request *r);
int admin_users_new(struct request *r);
int admin_users_create(struct request *r);
int admin_user_show(struct request *r);
int admin_user_sessions(struct request *r);
int admin_user_role(struct request *r);
int admin_user_disable_confirm(struct request *r);
int admin_user_disable(struct request *r);
int admin_user_enable(struct request *r);
int admin_user_reset_link(struct request *r);
int admin_user_session_revoke(struct request *r);
/* Ends session sid of user_id (this org's): 0, 404 when there is none, or the
 * database's HTTP status. The account page uses it for one's own sessions too. */
int session_revoke_by_id(struct request *r, str user_id, str sid);
/* A user's live sessions (columns of users.c), as JSON and as {{>SESSIONS}}
 * (partials/sessions.tpl, its forms posting to action_base/sessions/{id}/revoke;
 * NO_SESSIONS on d when none); the current session is marked. */
struct dbres *user_sessions_query(struct request *r, str user_id);
struct json_object *user_sessions_json(const struct dbres *q);
void user_sessions_dict(struct tdict *d, const struct dbres *q, const char *action_base);

/* One-time links to set a password (users_links.c): how long one works. */
#define USER_LINK_HOURS 72
/* Makes a link for user_id ("invite" or "reset"), spending the user's earlier ones;
 * returns its full URL (shown once), or an empty str on a database error. */
str user_link_create(struct request *r, str user_id, const char *purpose);

/* API keys (api_keys.c): /admin/api-keys and /api/v1/admin/api-keys. */
int admin_api_keys_list(struct request *r);
int admin_api_keys_create(struct request *r);
int admin_api_key_revoke_confirm(struct request *r);
int admin_api_key_revoke(struct request *r);
/* settings.c: the org's settings (admins). */
int admin_settings_show(struct request *r);
int admin_settings_update(struct request *r);
int api_admin_settings_show(struct request *r);
int api_admin_settings_update(struct request *r);
/* usage.c: requests, API calls, messages and storage per day (managers, admins). */
int admin_usage_show(struct request *r);
int admin_usage_csv(struct request *r);
int api_admin_usage(struct request *r);
/* System health (health.c). */
int admin_health(struct request *r);
/* The admin pages' sub-navigation with current ("health", "users", "api_keys", "audit",
 * "jobs", "webhooks", "alerts", "settings", "usage") marked. */
void admin_nav(struct tdict *d, const char *current);
/* The audit log (audit_log.c). */
int admin_audit_list(struct request *r);
int admin_audit_export(struct request *r);
/* Alerts (alerts.c): rules, channels, history and test alerts. */
int admin_alerts(struct request *r);
int admin_alert_rule_create(struct request *r);
int admin_alert_rule_show(struct request *r);
int admin_alert_rule_update(struct request *r);
int admin_alert_rule_delete_confirm(struct request *r);
int admin_alert_rule_delete(struct request *r);
int admin_alert_channel_create(struct request *r);
int admin_alert_channel_show(struct request *r);
int admin_alert_channel_update(struct request *r);
int admin_alert_channel_delete_confirm(struct request *r);
int admin_alert_channel_delete(struct request *r);
int admin_alert_channel_test(struct request *r);
/* The job queue (jobs.c). */
int admin_jobs(struct request *r);
int admin_job_retry(struct request *r);
int admin_job_discard_confirm(struct request *r);
int admin_job_discard(struct request *r);
/* Privacy (privacy.c): exports of a contact or a user, erasing a contact. */
int admin_privacy_contact_export(struct request *r);
int admin_privacy_user_export(struct request *r);
int admin_privacy_erase_confirm(struct request *r);
int admin_privacy_erase(struct request *r);
#endif
