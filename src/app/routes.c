/* routes.c — the route table: method, pattern, handler, who may call it.
 * To add a page: write the handler, declare it in handlers.h, add a row here. */
#include "app.h"
#include "handlers.h"

const struct route app_routes[] = {
    { "GET", "/", overview_show, ROUTE_AUTH, ROLE_VIEWER, "overview" },
    { "GET", "/login", login_form, ROUTE_PUBLIC, ROLE_VIEWER, "login_form" },
    { "POST", "/login", login_submit, ROUTE_PUBLIC, ROLE_VIEWER, "login_submit" },
    { "POST", "/logout", logout_submit, ROUTE_PUBLIC, ROLE_VIEWER, "logout" },
    { "GET", "/admin", admin_show, ROUTE_AUTH, ROLE_ADMIN, "admin" },
    { "GET", "/healthz", healthz_show, ROUTE_PUBLIC | ROUTE_NO_DB_TX, ROLE_VIEWER, "healthz" },
    { "GET", "/metrics", metrics_show, ROUTE_PUBLIC | ROUTE_NO_DB_TX, ROLE_VIEWER, "metrics" },
    { "GET", "/api/v1/me", api_me_show, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_me" },
    { "POST", "/api/v1/me/name", api_me_name_update, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER,
      "api_me_name" },
    { "GET", "/api/v1/admin/ping", api_admin_ping, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_ping" },
};
const size_t app_route_count = sizeof app_routes / sizeof app_routes[0];

const char *const *app_route_names(int *count)
{
    static const char *names[sizeof app_routes / sizeof app_routes[0] + 1];
    for (size_t i = 0; i < app_route_count; i++) names[i] = app_routes[i].name;
    names[app_route_count] = "unmatched";
    *count = (int)app_route_count;
    return names;
}
