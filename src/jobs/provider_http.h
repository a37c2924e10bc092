/* provider_http.h — one request to a provider's REST API over libcurl (Twilio's or
 * SendGrid's, or the local fake): timeouts, credentials, the answer's status, body
 * (bounded) and the headers the sender reads. */
#ifndef SB_PROVIDER_HTTP_H
#define SB_PROVIDER_HTTP_H
#include <stdbool.h>
#include <stdint.h>

#include "../core/str.h"
struct arena;
struct config;

struct provider_request {
    const char *method;       /* "GET" or "POST" */
    const char *url;
    const char *basic_user;   /* Twilio: account SID and auth token; or NULL */
    const char *basic_password;
    const char *bearer;       /* SendGrid: the API key; or NULL */
    const char *content_type; /* of body; NULL for a GET */
    str body;
    /* The address is an org's setting an admin may point anywhere (Vapi's base URL):
     * connections to loopback, private and link-local addresses are refused unless
     * recording_url_allow_private, as for recording downloads. provider_http only. */
    bool public_only;
};

struct provider_reply {
    int status;        /* 0: no answer (timeout, refused, reset) */
    str body;          /* at most PROVIDER_REPLY_MAX bytes of it */
    str retry_after;   /* the Retry-After header, or empty */
    str message_id;    /* SendGrid's X-Message-Id header, or empty */
    const char *error; /* why there was no answer (libcurl's words), or NULL */
    bool not_sent;     /* provider_http_batch: its start time had passed; nothing went */
};

#define PROVIDER_REPLY_MAX (256 * 1024)

/* Runs the request (total time cfg->http_timeout_s) and fills *out. Never logs: the
 * credentials and the recipients stay out of the log. */
void provider_http(struct arena *a, const struct config *cfg, const struct provider_request *rq,
                   struct provider_reply *out);

/* One request of a batch, to start at at_us (clock_mono_us). */
struct provider_call {
    const struct provider_request *rq;
    int64_t at_us;
    struct provider_reply reply;
};

/* Runs the calls concurrently (at most PROVIDER_IN_FLIGHT at once), each started no
 * sooner than its at_us and no later than late_us after it: one that could not start
 * by then is not sent (reply.not_sent). GETs reuse connections kept alive between
 * batches (one connection cache per process); every POST gets a connection of its own
 * (provider_http.c says why). Fills each reply as provider_http does. */
void provider_http_batch(struct arena *a, const struct config *cfg, struct provider_call *calls, size_t n,
                         int64_t late_us);

#define PROVIDER_IN_FLIGHT 32
#endif
