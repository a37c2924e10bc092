/* admin_routes.c — the admin feature's routes: method, pattern, handler, who may call it. */
#include "admin.h"

static const struct route routes[] = {
    { "GET", "/admin", admin_show, ROUTE_AUTH, ROLE_ADMIN, "admin" },
    { "GET", "/api/v1/admin/ping", api_admin_ping, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_ping" },
    { "GET", "/admin/settings", admin_settings_show, ROUTE_AUTH, ROLE_ADMIN, "admin_settings_show" },
    { "POST", "/admin/settings", admin_settings_update, ROUTE_AUTH, ROLE_ADMIN, "admin_settings_update" },
    { "GET", "/api/v1/admin/settings", api_admin_settings_show, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_settings_show" },
    { "PATCH", "/api/v1/admin/settings", api_admin_settings_update, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_settings_update" },
    { "GET", "/admin/usage", admin_usage_show, ROUTE_AUTH, ROLE_MANAGER, "admin_usage_show" },
    { "GET", "/admin/usage.csv", admin_usage_csv, ROUTE_AUTH, ROLE_MANAGER, "admin_usage_csv" },
    { "GET", "/api/v1/admin/usage", api_admin_usage, ROUTE_AUTH | ROUTE_API, ROLE_MANAGER, "api_admin_usage" },
};
const struct route_table admin_routes = ROUTE_TABLE(routes);
