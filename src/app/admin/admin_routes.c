/* admin_routes.c — the admin feature's routes: method, pattern, handler, who may call it. */
#include "admin.h"

static const struct route routes[] = {
    { "GET", "/admin", admin_show, ROUTE_AUTH, ROLE_ADMIN, "admin" },
    { "GET", "/api/v1/admin/ping", api_admin_ping, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_ping" },
    /* outbound webhooks (outbound_webhooks.c) */
    { "GET", "/admin/webhooks", webhooks_list, ROUTE_AUTH, ROLE_ADMIN, "admin_webhooks" },
    { "POST", "/admin/webhooks", webhook_create, ROUTE_AUTH, ROLE_ADMIN, "admin_webhook_create" },
    { "GET", "/admin/webhooks/{id}", webhook_show, ROUTE_AUTH, ROLE_ADMIN, "admin_webhook" },
    { "POST", "/admin/webhooks/{id}", webhook_update, ROUTE_AUTH, ROLE_ADMIN, "admin_webhook_update" },
    { "GET", "/admin/webhooks/{id}/delete", webhook_delete_confirm, ROUTE_AUTH, ROLE_ADMIN,
      "admin_webhook_delete_confirm" },
    { "POST", "/admin/webhooks/{id}/delete", webhook_delete, ROUTE_AUTH, ROLE_ADMIN, "admin_webhook_delete" },
    { "POST", "/admin/webhooks/{id}/test", webhook_send_test, ROUTE_AUTH, ROLE_ADMIN, "admin_webhook_test" },
    { "POST", "/admin/webhook-deliveries/{id}/redeliver", webhook_redeliver, ROUTE_AUTH, ROLE_ADMIN,
      "admin_webhook_redeliver" },
    { "GET", "/api/v1/admin/webhooks", webhooks_list, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN, "api_admin_webhooks" },
    { "POST", "/api/v1/admin/webhooks", webhook_create, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_webhook_create" },
    { "GET", "/api/v1/admin/webhooks/{id}", webhook_show, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN, "api_admin_webhook" },
    { "PATCH", "/api/v1/admin/webhooks/{id}", webhook_update, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_webhook_update" },
    { "DELETE", "/api/v1/admin/webhooks/{id}", webhook_delete, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_webhook_delete" },
    { "POST", "/api/v1/admin/webhooks/{id}/test", webhook_send_test, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_webhook_test" },
    { "POST", "/api/v1/admin/webhook-deliveries/{id}/redeliver", webhook_redeliver, ROUTE_AUTH | ROUTE_API,
      ROLE_ADMIN, "api_admin_webhook_redeliver" },
};
const struct route_table admin_routes = ROUTE_TABLE(routes);
