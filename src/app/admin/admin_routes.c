/* admin_routes.c — the admin feature's routes: method, pattern, handler, who may call it. */
#include "admin.h"

static const struct route routes[] = {
    { "GET", "/admin", admin_show, ROUTE_AUTH, ROLE_ADMIN, "admin" },
    { "GET", "/api/v1/admin/ping", api_admin_ping, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_ping" },
};
const struct route_table admin_routes = ROUTE_TABLE(routes);
