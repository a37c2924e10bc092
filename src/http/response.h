/* response.h — the response being built: status, headers, body (or a stream). */
#ifndef SB_RESPONSE_H
#define SB_RESPONSE_H
#include "../core/buf.h"
#include "request.h"

struct response {
    int status;
    struct kvlist headers;
    struct buf body;
    bool is_html;   /* adds CSP and the other HTML security headers */
    bool sent;      /* headers already written (streaming) */
    /* Streaming output, set by fcgi.c; NULL when buffering. */
    void *stream_ctx;
    int (*stream_write)(void *ctx, const char *p, size_t n);
};

void response_init(struct response *res, struct arena *a);
/* Resets status, headers and body so an error page can replace a partial one. */
void response_reset(struct response *res);
void response_header(struct response *res, struct arena *a, const char *name, str value);
void response_set_cookie(struct response *res, struct arena *a, const char *name, str value,
                         long max_age_s /* -1: session cookie, 0: delete */, bool http_only);
/* 303 See Other to location. */
void response_redirect(struct response *res, struct arena *a, str location);
/* Status text for a code ("Not Found"). */
const char *http_status_text(int status);
/* The security headers every HTML page gets (CSP, nosniff, referrer, frame). */
void response_add_security_headers(struct response *res, struct arena *a);
/* Streaming: sends status+headers now, then appends body via response_write. */
int response_begin_stream(struct response *res);
int response_write(struct response *res, const char *p, size_t n);
#endif
