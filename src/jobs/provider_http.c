/* provider_http.c — see provider_http.h. */
#include "provider_http.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/clock.h"
#include "../core/config.h"
#include "recording_download.h"

#include <stdlib.h>
#include <time.h>

struct sink {
    struct arena *a;
    struct buf body;
    struct provider_reply *out;
    bool allow_private;
    char blocked[INET6_ADDRSTRLEN]; /* set when a connection was refused */
};

static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct sink *s = arg;
    (void)purpose;
    return open_public_socket(s->allow_private, addr, s->blocked);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n, room = PROVIDER_REPLY_MAX - s->body.len;
    buf_append(&s->body, p, len < room ? len : room); /* the rest is read and dropped */
    return len;
}

/* Keeps the value of a header we read (the last one of its name wins). */
static void keep_header(struct sink *s, str line, const char *name, str *into)
{
    str head, value;
    if (!str_cut(line, ':', &head, &value) || !str_case_eq(str_trim(head), str_from(name))) return;
    *into = str_dup(s->a, str_trim(value));
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    str line = str_make(p, size * n);
    keep_header(s, line, "Retry-After", &s->out->retry_after);
    keep_header(s, line, "X-Message-Id", &s->out->message_id);
    return size * n;
}

static struct curl_slist *headers_of(struct arena *a, const struct provider_request *rq)
{
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
    if (rq->content_type) {
        struct buf b;
        buf_init(&b, a, 64);
        buf_printf(&b, "Content-Type: %s", rq->content_type);
        h = curl_slist_append(h, buf_cstr(&b));
    }
    if (rq->bearer) {
        struct buf b;
        buf_init(&b, a, 128);
        buf_printf(&b, "Authorization: Bearer %s", rq->bearer);
        h = curl_slist_append(h, buf_cstr(&b));
    }
    return curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
}

static void setup(CURL *h, const struct config *cfg, const struct provider_request *rq, struct sink *s,
                  struct curl_slist *hdrs, char *errbuf)
{
    long timeout = cfg->http_timeout_s;
    curl_easy_setopt(h, CURLOPT_URL, rq->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* an API answer never redirects */
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "switchboard-worker");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (rq->basic_user) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, rq->basic_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, rq->basic_password);
    }
    if (strcmp(rq->method, "POST") == 0) {
        /* A POST creates a message or a call: it goes on a connection of its own. On a
         * kept-alive connection that the provider closes without an answer, libcurl
         * sends the request again by itself on a new connection, and a provider that
         * had taken the first one sends the message twice. (GETs, the reconciling
         * searches, keep the kept-alive connections.) */
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body.ptr ? rq->body.ptr : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body.len);
    }
}

void provider_http(struct arena *a, const struct config *cfg, const struct provider_request *rq,
                   struct provider_reply *out)
{
    *out = (struct provider_reply){ 0 };
    struct sink s = { .a = a, .out = out };
    buf_init(&s.body, a, 1024);
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *h = curl_easy_init();
    if (!h) {
        out->error = "libcurl: cannot make a handle";
        return;
    }
    struct curl_slist *hdrs = headers_of(a, rq);
    setup(h, cfg, rq, &s, hdrs, errbuf);
    if (rq->public_only) {
        s.allow_private = cfg->recording_url_allow_private;
        curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
        curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &s);
    }
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) {
        out->status = (int)code;
    } else {
        /* A transfer cut short after the status line is still no answer: the body,
         * which says whether the provider took the message, did not all come. */
        if (s.blocked[0]) {
            struct buf b;
            buf_init(&b, a, 128);
            buf_printf(&b, "refused: %s is a loopback, private or link-local address (see recording_url_allow_private)",
                       s.blocked);
            out->error = buf_cstr(&b);
        } else {
            out->error = arena_strdup(a, errbuf[0] ? errbuf : curl_easy_strerror(rc));
        }
    }
    out->body = buf_str(&s.body);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
}

/* ---- batches: curl multi, connections kept alive ---- */

/* The process's multi handle: its connection cache outlives each batch, so a busy
 * sender talks to a provider over a few kept-alive connections, not one per message. */
static CURLM *multi_of(void)
{
    static CURLM *m;
    if (!m && (m = curl_multi_init())) {
        curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)PROVIDER_IN_FLIGHT);
        curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)PROVIDER_IN_FLIGHT * 2);
    }
    return m;
}

struct transfer {
    struct provider_call *call;
    struct sink sink;
    struct curl_slist *hdrs;
    char errbuf[CURL_ERROR_SIZE];
};

static int by_start(const void *x, const void *y)
{
    const struct provider_call *a = *(struct provider_call *const *)x, *b = *(struct provider_call *const *)y;
    return (a->at_us > b->at_us) - (a->at_us < b->at_us);
}

static bool start_one(struct arena *a, const struct config *cfg, CURLM *m, struct provider_call *call)
{
    struct transfer *t = arena_calloc(a, 1, sizeof *t);
    CURL *h = curl_easy_init();
    if (!h) {
        call->reply.error = "libcurl: cannot make a handle";
        return false;
    }
    t->call = call;
    t->sink = (struct sink){ .a = a, .out = &call->reply };
    buf_init(&t->sink.body, a, 512);
    t->hdrs = headers_of(a, call->rq);
    setup(h, cfg, call->rq, &t->sink, t->hdrs, t->errbuf);
    curl_easy_setopt(h, CURLOPT_PRIVATE, t);
    if (curl_multi_add_handle(m, h) != CURLM_OK) {
        call->reply.error = "libcurl: cannot start the transfer";
        curl_slist_free_all(t->hdrs);
        curl_easy_cleanup(h);
        return false;
    }
    return true;
}

static void finish_one(CURLM *m, CURL *h, CURLcode rc)
{
    struct transfer *t = NULL;
    curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&t);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    struct provider_reply *out = &t->call->reply;
    if (rc == CURLE_OK) out->status = (int)code;
    else out->error = arena_strdup(t->sink.a, t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
    out->body = buf_str(&t->sink.body);
    curl_multi_remove_handle(m, h);
    curl_slist_free_all(t->hdrs);
    curl_easy_cleanup(h);
}

static int reap(CURLM *m)
{
    int done = 0, left;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(m, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        finish_one(m, msg->easy_handle, msg->data.result);
        done++;
    }
    return done;
}

void provider_http_batch(struct arena *a, const struct config *cfg, struct provider_call *calls, size_t n,
                         int64_t late_us)
{
    CURLM *m = multi_of();
    struct provider_call **order = arena_alloc(a, (n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++) {
        calls[i].reply = (struct provider_reply){ 0 };
        order[i] = &calls[i];
        if (!m) calls[i].reply.error = "libcurl: cannot make a multi handle";
    }
    if (!m) return;
    qsort(order, n, sizeof *order, by_start);
    size_t next = 0;
    int in_flight = 0;
    while (next < n || in_flight > 0) {
        int64_t now = clock_mono_us();
        for (; next < n && in_flight < PROVIDER_IN_FLIGHT && order[next]->at_us <= now; next++) {
            /* A slot missed by more than late_us is given back, never used late: late
             * requests bunched together would break the provider's rate limit. */
            if (now - order[next]->at_us > late_us) order[next]->reply.not_sent = true;
            else if (start_one(a, cfg, m, order[next])) in_flight++;
        }
        int running = 0;
        curl_multi_perform(m, &running);
        in_flight -= reap(m);
        if (next >= n && in_flight == 0) break;
        int64_t wait_us = 100000;
        if (next < n && in_flight < PROVIDER_IN_FLIGHT) {
            int64_t until = order[next]->at_us - clock_mono_us();
            wait_us = until < 0 ? 0 : until < wait_us ? until : wait_us;
        }
        if (in_flight > 0) curl_multi_poll(m, NULL, 0, (int)(wait_us / 1000), NULL);
        else if (wait_us > 0) nanosleep(&(struct timespec){ wait_us / 1000000, (wait_us % 1000000) * 1000 }, NULL);
    }
}
