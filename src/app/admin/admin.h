/* admin.h — the admin feature: the admin pages. Its route table is all the
 * application sees of it; the handlers are declared here for that table. */
#ifndef SB_APP_ADMIN_H
#define SB_APP_ADMIN_H
#include "../../http/router.h"

extern const struct route_table admin_routes;

int admin_show(struct request *r);
int api_admin_ping(struct request *r);
/* settings.c: the org's settings (admins). */
int admin_settings_show(struct request *r);
int admin_settings_update(struct request *r);
int api_admin_settings_show(struct request *r);
int api_admin_settings_update(struct request *r);
/* usage.c: requests, API calls, messages and storage per day (managers, admins). */
int admin_usage_show(struct request *r);
int admin_usage_csv(struct request *r);
int api_admin_usage(struct request *r);
#endif
