/* routes.c — the route table: method, pattern, handler, who may call it.
 * To add a page: write the handler, declare it in handlers.h, add a row here. */
#include "app.h"
#include "handlers.h"
#include "../http/metrics.h"

const struct route app_routes[] = {
    { "GET", "/", overview_show, ROUTE_AUTH, ROLE_VIEWER, "overview" },
    { "GET", "/login", login_form, ROUTE_PUBLIC, ROLE_VIEWER, "login_form" },
    { "POST", "/login", login_submit, ROUTE_PUBLIC, ROLE_VIEWER, "login_submit" },
    { "POST", "/logout", logout_submit, ROUTE_CSRF_IF_SIGNED_IN, ROLE_VIEWER, "logout" },
    { "GET", "/admin", admin_show, ROUTE_AUTH, ROLE_ADMIN, "admin" },
    { "GET", "/healthz", healthz_show, ROUTE_PUBLIC | ROUTE_NO_DB_TX, ROLE_VIEWER, "healthz" },
    { "GET", "/metrics", metrics_show, ROUTE_PUBLIC | ROUTE_NO_DB_TX, ROLE_VIEWER, "metrics" },
    { "GET", "/api/v1/me", api_me_show, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_me" },
    { "POST", "/api/v1/me/name", api_me_name_update, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER,
      "api_me_name" },
    { "GET", "/api/v1/admin/ping", api_admin_ping, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN,
      "api_admin_ping" },
    /* calls: list, detail, export, delete */
    { "GET", "/calls", calls_list, ROUTE_AUTH, ROLE_VIEWER, "calls_list" },
    { "GET", "/api/v1/calls", api_calls_list, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_calls_list" },
    { "GET", "/calls/export.csv", calls_export, ROUTE_AUTH, ROLE_VIEWER, "calls_export" },
    { "GET", "/calls/{id}", calls_show, ROUTE_AUTH, ROLE_VIEWER, "calls_show" },
    { "GET", "/api/v1/calls/{id}", api_calls_show, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_calls_show" },
    { "GET", "/calls/{id}/delete", calls_delete_confirm, ROUTE_AUTH, ROLE_ADMIN, "calls_delete_confirm" },
    { "POST", "/calls/{id}/delete", calls_delete, ROUTE_AUTH, ROLE_ADMIN, "calls_delete" },
    { "DELETE", "/api/v1/calls/{id}", api_calls_delete, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN, "api_calls_delete" },
    /* calls: webhooks and recordings */
    { "POST", "/webhooks/{org}/vapi", webhook_vapi, ROUTE_PUBLIC | ROUTE_NO_CSRF, ROLE_VIEWER, "webhook_vapi" },
    { "POST", "/webhooks/{org}/twilio/voice-status", webhook_twilio_voice_status, ROUTE_PUBLIC | ROUTE_NO_CSRF,
      ROLE_VIEWER, "webhook_twilio_voice_status" },
    { "GET", "/calls/{id}/recording", call_recording_redirect, ROUTE_AUTH, ROLE_VIEWER, "call_recording" },
    { "GET", "/api/v1/calls/{id}/recording-url", api_call_recording_url, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER,
      "api_call_recording_url" },
    { "GET", "/recordings/{org}/{file}", recording_serve, ROUTE_PUBLIC, ROLE_VIEWER, "recording_serve" },
    /* calls: analytics */
    { "GET", "/calls/analytics", analytics_page, ROUTE_AUTH, ROLE_VIEWER, "calls_analytics" },
    { "GET", "/api/v1/calls/analytics/summary", api_analytics_summary, ROUTE_AUTH | ROUTE_API,
      ROLE_VIEWER, "api_calls_analytics_summary" },
    { "GET", "/api/v1/calls/analytics/daily", api_analytics_daily, ROUTE_AUTH | ROUTE_API,
      ROLE_VIEWER, "api_calls_analytics_daily" },
    { "GET", "/api/v1/calls/analytics/heatmap", api_analytics_heatmap, ROUTE_AUTH | ROUTE_API,
      ROLE_VIEWER, "api_calls_analytics_heatmap" },
    /* deals: list, board, deal pages and API */
    { "GET", "/deals", deals_list, ROUTE_AUTH, ROLE_VIEWER, "deals_list" },
    { "GET", "/deals/export.csv", deals_export, ROUTE_AUTH, ROLE_VIEWER, "deals_export" },
    { "GET", "/deals/board", deals_board, ROUTE_AUTH, ROLE_VIEWER, "deals_board" },
    { "GET", "/deals/new", deals_new_form, ROUTE_AUTH, ROLE_AGENT, "deals_new" },
    { "POST", "/deals", deals_create, ROUTE_AUTH, ROLE_AGENT, "deals_create" },
    { "GET", "/deals/{id}", deals_show, ROUTE_AUTH, ROLE_VIEWER, "deals_show" },
    { "GET", "/deals/{id}/edit", deals_edit_form, ROUTE_AUTH, ROLE_AGENT, "deals_edit" },
    { "POST", "/deals/{id}", deals_update, ROUTE_AUTH, ROLE_AGENT, "deals_update" },
    { "POST", "/deals/{id}/stage", deals_stage, ROUTE_AUTH, ROLE_AGENT, "deals_stage" },
    { "GET", "/deals/{id}/delete", deals_delete_confirm, ROUTE_AUTH, ROLE_AGENT, "deals_delete_confirm" },
    { "POST", "/deals/{id}/delete", deals_delete, ROUTE_AUTH, ROLE_AGENT, "deals_delete" },
    { "POST", "/deals/{id}/restore", deals_restore, ROUTE_AUTH, ROLE_AGENT, "deals_restore" },
    { "POST", "/deals/{id}/purge", deals_purge, ROUTE_AUTH, ROLE_ADMIN, "deals_purge" },
    { "GET", "/api/v1/deals", api_deals_list, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_deals_list" },
    { "POST", "/api/v1/deals", api_deals_create, ROUTE_AUTH | ROUTE_API, ROLE_AGENT, "api_deals_create" },
    { "GET", "/api/v1/deals/{id}", api_deals_show, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_deals_show" },
    { "PATCH", "/api/v1/deals/{id}", api_deals_update, ROUTE_AUTH | ROUTE_API, ROLE_AGENT, "api_deals_update" },
    { "DELETE", "/api/v1/deals/{id}", api_deals_delete, ROUTE_AUTH | ROUTE_API, ROLE_AGENT, "api_deals_delete" },
    { "POST", "/api/v1/deals/{id}/restore", api_deals_restore, ROUTE_AUTH | ROUTE_API, ROLE_AGENT,
      "api_deals_restore" },
    /* deals: brands, deliverables, payments, forecast */
    { "GET", "/brands", brands_list, ROUTE_AUTH, ROLE_VIEWER, "brands_list" },
    { "GET", "/brands/new", brand_new_form, ROUTE_AUTH, ROLE_MANAGER, "brand_new" },
    { "POST", "/brands", brand_create, ROUTE_AUTH, ROLE_MANAGER, "brand_create" },
    { "GET", "/brands/{id}", brand_show, ROUTE_AUTH, ROLE_VIEWER, "brand_show" },
    { "GET", "/brands/{id}/edit", brand_edit_form, ROUTE_AUTH, ROLE_MANAGER, "brand_edit" },
    { "POST", "/brands/{id}", brand_update, ROUTE_AUTH, ROLE_MANAGER, "brand_update" },
    { "GET", "/api/v1/brands", brands_list, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_brands_list" },
    { "POST", "/api/v1/brands", brand_create, ROUTE_AUTH | ROUTE_API, ROLE_MANAGER, "api_brand_create" },
    { "GET", "/api/v1/brands/{id}", brand_show, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_brand_show" },
    { "PATCH", "/api/v1/brands/{id}", brand_update, ROUTE_AUTH | ROUTE_API, ROLE_MANAGER, "api_brand_update" },
    { "GET", "/deals/{id}/deliverables/new", deliverable_new_form, ROUTE_AUTH, ROLE_AGENT, "deliverable_new" },
    { "POST", "/deals/{id}/deliverables", deliverable_create, ROUTE_AUTH, ROLE_AGENT, "deliverable_create" },
    { "GET", "/deliverables/{id}/edit", deliverable_edit_form, ROUTE_AUTH, ROLE_AGENT, "deliverable_edit" },
    { "POST", "/deliverables/{id}", deliverable_update, ROUTE_AUTH, ROLE_AGENT, "deliverable_update" },
    { "POST", "/deliverables/{id}/submit", deliverable_submit, ROUTE_AUTH, ROLE_AGENT, "deliverable_submit" },
    { "POST", "/deliverables/{id}/approve", deliverable_approve, ROUTE_AUTH, ROLE_AGENT, "deliverable_approve" },
    { "GET", "/deliverables/{id}/reject", deliverable_reject_form, ROUTE_AUTH, ROLE_AGENT, "deliverable_reject_form" },
    { "POST", "/deliverables/{id}/reject", deliverable_reject, ROUTE_AUTH, ROLE_AGENT, "deliverable_reject" },
    { "GET", "/deliverables/{id}/posted", deliverable_posted_form, ROUTE_AUTH, ROLE_AGENT, "deliverable_posted_form" },
    { "POST", "/deliverables/{id}/posted", deliverable_posted, ROUTE_AUTH, ROLE_AGENT, "deliverable_posted" },
    { "GET", "/api/v1/deals/{id}/deliverables", api_deal_deliverables, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_deal_deliverables" },
    { "POST", "/api/v1/deals/{id}/deliverables", deliverable_create, ROUTE_AUTH | ROUTE_API, ROLE_AGENT, "api_deliverable_create" },
    { "GET", "/api/v1/deliverables/{id}", api_deliverable_show, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_deliverable_show" },
    { "PATCH", "/api/v1/deliverables/{id}", api_deliverable_patch, ROUTE_AUTH | ROUTE_API, ROLE_AGENT, "api_deliverable_patch" },
    { "GET", "/deals/{id}/payments/new", payment_new_form, ROUTE_AUTH, ROLE_AGENT, "payment_new" },
    { "POST", "/deals/{id}/payments", payment_create, ROUTE_AUTH, ROLE_AGENT, "payment_create" },
    { "GET", "/payments/{id}/edit", payment_edit_form, ROUTE_AUTH, ROLE_AGENT, "payment_edit" },
    { "POST", "/payments/{id}", payment_update, ROUTE_AUTH, ROLE_AGENT, "payment_update" },
    { "POST", "/payments/{id}/invoice-sent", payment_invoice_sent, ROUTE_AUTH, ROLE_AGENT, "payment_invoice_sent" },
    { "GET", "/payments/{id}/paid", payment_paid_form, ROUTE_AUTH, ROLE_AGENT, "payment_paid_form" },
    { "POST", "/payments/{id}/paid", payment_paid, ROUTE_AUTH, ROLE_AGENT, "payment_paid" },
    { "GET", "/payments/{id}/dispute", payment_dispute_form, ROUTE_AUTH, ROLE_AGENT, "payment_dispute_form" },
    { "POST", "/payments/{id}/dispute", payment_dispute, ROUTE_AUTH, ROLE_AGENT, "payment_dispute" },
    { "POST", "/payments/{id}/resolve", payment_resolve, ROUTE_AUTH, ROLE_AGENT, "payment_resolve" },
    { "POST", "/api/v1/deals/{id}/payments", payment_create, ROUTE_AUTH | ROUTE_API, ROLE_AGENT, "api_payment_create" },
    { "GET", "/api/v1/payments/{id}", api_payment_show, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_payment_show" },
    { "PATCH", "/api/v1/payments/{id}", api_payment_patch, ROUTE_AUTH | ROUTE_API, ROLE_AGENT, "api_payment_patch" },
    { "GET", "/deals/fx-rates", fx_rates_page, ROUTE_AUTH, ROLE_MANAGER, "fx_rates" },
    { "POST", "/deals/fx-rates", fx_rate_create, ROUTE_AUTH, ROLE_MANAGER, "fx_rate_create" },
    { "POST", "/api/v1/fx-rates", fx_rate_create, ROUTE_AUTH | ROUTE_API, ROLE_MANAGER, "api_fx_rate_create" },
    { "GET", "/deals/forecast", forecast_page, ROUTE_AUTH, ROLE_VIEWER, "deals_forecast" },
    { "GET", "/api/v1/deals/forecast", api_forecast, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_deals_forecast" },
};
const size_t app_route_count = sizeof app_routes / sizeof app_routes[0];
/* Metrics keep one row per route plus one for unmatched requests. */
_Static_assert(sizeof app_routes / sizeof app_routes[0] < METRICS_MAX_ROUTES, "too many routes for metrics");

const char *const *app_route_names(int *count)
{
    static const char *names[sizeof app_routes / sizeof app_routes[0] + 1];
    for (size_t i = 0; i < app_route_count; i++) names[i] = app_routes[i].name;
    names[app_route_count] = "unmatched";
    *count = (int)app_route_count;
    return names;
}
