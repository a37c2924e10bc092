/* webhooks_routes.c — the webhooks feature's routes: method, pattern, handler, who may call it. */
#include "webhooks.h"

static const struct route routes[] = {
    { "POST", "/webhooks/{org}/vapi", webhook_vapi, ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_JSON, ROLE_VIEWER, "webhook_vapi" },
    { "POST", "/webhooks/{org}/twilio/voice-status", webhook_twilio_voice_status, ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_JSON,
      ROLE_VIEWER, "webhook_twilio_voice_status" },
    { "POST", "/webhooks/{org}/twilio/sms-status", webhook_twilio_sms_status, ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_JSON,
      ROLE_VIEWER, "webhook_twilio_sms_status" },
    { "POST", "/webhooks/{org}/twilio/sms-inbound", webhook_twilio_sms_inbound, ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_JSON,
      ROLE_VIEWER, "webhook_twilio_sms_inbound" },
    { "POST", "/webhooks/{org}/sendgrid/events", webhook_sendgrid_events, ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_JSON,
      ROLE_VIEWER, "webhook_sendgrid_events" },
};
const struct route_table webhooks_routes = ROUTE_TABLE(routes);
