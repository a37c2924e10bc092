/* ops.h — the ops feature: health and metrics for operators. Its route table is all the
 * application sees of it; the handlers are declared here for that table. */
#ifndef SB_APP_OPS_H
#define SB_APP_OPS_H
#include "../../http/router.h"

extern const struct route_table ops_routes;

int healthz_show(struct request *r);
int metrics_show(struct request *r);
#endif
