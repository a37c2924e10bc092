/* home_routes.c — the home feature's routes: method, pattern, handler, who may call it. */
#include "home.h"

static const struct route routes[] = {
    { "GET", "/", overview_show, ROUTE_AUTH, ROLE_VIEWER, "overview" },
};
const struct route_table home_routes = ROUTE_TABLE(routes);
