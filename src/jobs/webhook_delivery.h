/* webhook_delivery.h — sends one outbound webhook delivery (webhook_deliveries,
 * sql/0041): signed, to the endpoint's URL under the recording downloads' address
 * rules, retried with back-off for 24 hours; an endpoint that keeps failing is
 * disabled. */
#ifndef SB_WEBHOOK_DELIVERY_H
#define SB_WEBHOOK_DELIVERY_H
#include "../core/buf.h"
#include "../core/str.h"
#include "worker.h"

#define WEBHOOK_DELIVERY_KIND "webhook_delivery"
/* How long a delivery is retried before it is given up (seconds). */
#define WEBHOOK_RETRY_WINDOW_S (24 * 3600)

/* Appends the Switchboard-Signature header's value for body sent at unix time t:
 * "t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>". */
void webhook_signature(struct buf *b, str secret, long t, str body);
/* Why url may not be delivered to, or NULL: http(s) with a host, https only unless
 * webhook_url_allow_http. (Addresses are checked again at connect time.) */
const char *webhook_url_refusal(struct arena *a, const struct config *cfg, const char *url);
struct curl_slist;
/* POSTs body (JSON) to url with headers added to Content-Type, under the outbound
 * address rules: https only unless webhook_url_allow_http, no redirects followed, and
 * every address connected to checked by open_public_socket (no loopback, private or
 * link-local address unless webhook_url_allow_private). Returns the HTTP status, or 0
 * with *error (in a) when there was no answer. Alert channels use it too. */
long webhook_post(const struct config *cfg, struct arena *a, const char *url, struct curl_slist *headers, str body,
                  const char **error);
/* The job: payload {"delivery_id": uuid}. */
enum job_result webhook_delivery_run(struct job_ctx *c, const struct job *j);
#endif
