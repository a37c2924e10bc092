/* admin.h — the admin feature: the admin pages. Its route table is all the
 * application sees of it; the handlers are declared here for that table. */
#ifndef SB_APP_ADMIN_H
#define SB_APP_ADMIN_H
#include "../../http/router.h"

extern const struct route_table admin_routes;

int admin_show(struct request *r);
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
#endif
