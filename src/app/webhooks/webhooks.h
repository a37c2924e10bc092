/* webhooks.h — the webhooks feature: provider events arriving over HTTP. Its route table is all the
 * application sees of it; the handlers are declared here for that table. */
#ifndef SB_APP_WEBHOOKS_H
#define SB_APP_WEBHOOKS_H
#include "../../http/router.h"

extern const struct route_table webhooks_routes;

int webhook_vapi(struct request *r);
int webhook_twilio_voice_status(struct request *r);
/* The campaign messages' callbacks (messaging_hooks.c). */
int webhook_twilio_sms_status(struct request *r);
int webhook_twilio_sms_inbound(struct request *r);
int webhook_sendgrid_events(struct request *r);

/* The org named in the path, with its provider secret opened. */
struct hook_org {
    str org_id;
    str secret; /* empty when the org has not configured it */
    const char *sentiment_key, *items_key; /* the org's analysis keys (docs/CALLS.md) */
};
/* Finds the org by slug (before any tenant is set) and opens the named secret.
 * Returns 0, or 403 for an unknown org (answered like a wrong signature). */
int hook_org_find(struct request *r, const char *secret_key, struct hook_org *out);
/* A refused signature: audited (rate-limited), 403. */
int hook_forbidden(struct request *r, const struct hook_org *org, const char *provider);
#endif
