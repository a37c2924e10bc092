/* ops_routes.c — the ops feature's routes: method, pattern, handler, who may call it. */
#include "ops.h"

static const struct route routes[] = {
    { "GET", "/healthz", healthz_show, ROUTE_PUBLIC | ROUTE_NO_DB_TX, ROLE_VIEWER, "healthz" },
    { "GET", "/metrics", metrics_show, ROUTE_PUBLIC | ROUTE_NO_DB_TX, ROLE_VIEWER, "metrics" },
};
const struct route_table ops_routes = ROUTE_TABLE(routes);
