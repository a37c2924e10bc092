/* webhooks_routes.c — the webhooks feature's routes: method, pattern, handler, who may call it. */
#include "webhooks.h"

static const struct route routes[] = {
    { "POST", "/webhooks/{org}/vapi", webhook_vapi, ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_JSON, ROLE_VIEWER, "webhook_vapi" },
    { "POST", "/webhooks/{org}/twilio/voice-status", webhook_twilio_voice_status, ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_JSON,
      ROLE_VIEWER, "webhook_twilio_voice_status" },
};
const struct route_table webhooks_routes = ROUTE_TABLE(routes);
