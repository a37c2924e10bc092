/* admin_routes.c — the admin feature's routes: method, pattern, handler, who may call it. */
#include "admin.h"

static const struct route routes[] = {
    { "GET", "/admin", admin_health, ROUTE_AUTH, ROLE_ADMIN, "admin" },
    { "GET", "/api/v1/admin/ping", api_admin_ping, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_ping" },
    { "GET", "/api/v1/admin/health", admin_health, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN, "api_admin_health" },
    { "GET", "/admin/audit", admin_audit_list, ROUTE_AUTH, ROLE_ADMIN, "admin_audit" },
    { "GET", "/admin/audit/export.csv", admin_audit_export, ROUTE_AUTH, ROLE_ADMIN, "admin_audit_export" },
    { "GET", "/api/v1/admin/audit", admin_audit_list, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN, "api_admin_audit" },
    { "GET", "/admin/jobs", admin_jobs, ROUTE_AUTH, ROLE_ADMIN, "admin_jobs" },
    { "POST", "/admin/jobs/{id}/retry", admin_job_retry, ROUTE_AUTH, ROLE_ADMIN, "admin_job_retry" },
    { "GET", "/admin/jobs/{id}/discard", admin_job_discard_confirm, ROUTE_AUTH, ROLE_ADMIN, "admin_job_discard_confirm" },
    { "POST", "/admin/jobs/{id}/discard", admin_job_discard, ROUTE_AUTH, ROLE_ADMIN, "admin_job_discard" },
    { "GET", "/api/v1/admin/jobs", admin_jobs, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN, "api_admin_jobs" },
    { "POST", "/api/v1/admin/jobs/{id}/retry", admin_job_retry, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN, "api_admin_job_retry" },
    { "POST", "/api/v1/admin/jobs/{id}/discard", admin_job_discard, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_job_discard" },
};
const struct route_table admin_routes = ROUTE_TABLE(routes);
