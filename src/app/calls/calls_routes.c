/* calls_routes.c — the calls feature's routes: method, pattern, handler, who may call it. */
#include "calls.h"

static const struct route routes[] = {
    { "GET", "/calls", calls_list, ROUTE_AUTH, ROLE_VIEWER, "calls_list" },
    { "GET", "/api/v1/calls", api_calls_list, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_calls_list" },
    { "GET", "/calls/export.csv", calls_export, ROUTE_AUTH, ROLE_VIEWER, "calls_export" },
    { "GET", "/calls/{id}", calls_show, ROUTE_AUTH, ROLE_VIEWER, "calls_show" },
    { "GET", "/api/v1/calls/{id}", api_calls_show, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_calls_show" },
    { "GET", "/calls/{id}/delete", calls_delete_confirm, ROUTE_AUTH, ROLE_ADMIN, "calls_delete_confirm" },
    { "POST", "/calls/{id}/delete", calls_delete, ROUTE_AUTH, ROLE_ADMIN, "calls_delete" },
    { "DELETE", "/api/v1/calls/{id}", api_calls_delete, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN, "api_calls_delete" },
    { "GET", "/calls/{id}/recording", call_recording_redirect, ROUTE_AUTH, ROLE_VIEWER, "call_recording" },
    { "GET", "/api/v1/calls/{id}/recording-url", api_call_recording_url, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER,
      "api_call_recording_url" },
    { "GET", "/recordings/{org}/{file}", recording_serve, ROUTE_PUBLIC, ROLE_VIEWER, "recording_serve" },
    { "GET", "/calls/analytics", analytics_page, ROUTE_AUTH, ROLE_VIEWER, "calls_analytics" },
    { "GET", "/api/v1/calls/analytics/summary", api_analytics_summary, ROUTE_AUTH | ROUTE_API,
      ROLE_VIEWER, "api_calls_analytics_summary" },
    { "GET", "/api/v1/calls/analytics/daily", api_analytics_daily, ROUTE_AUTH | ROUTE_API,
      ROLE_VIEWER, "api_calls_analytics_daily" },
    { "GET", "/api/v1/calls/analytics/heatmap", api_analytics_heatmap, ROUTE_AUTH | ROUTE_API,
      ROLE_VIEWER, "api_calls_analytics_heatmap" },
};
const struct route_table calls_routes = ROUTE_TABLE(routes);
