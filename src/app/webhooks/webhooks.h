/* webhooks.h — the webhooks feature: provider events arriving over HTTP. Its route table is all the
 * application sees of it; the handlers are declared here for that table. */
#ifndef SB_APP_WEBHOOKS_H
#define SB_APP_WEBHOOKS_H
#include "../../http/router.h"

extern const struct route_table webhooks_routes;

int webhook_vapi(struct request *r);
int webhook_twilio_voice_status(struct request *r);
#endif
