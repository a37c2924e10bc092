/* provider_http.c — see provider_http.h. */
#include "provider_http.h"

#include <curl/curl.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/config.h"

struct sink {
    struct arena *a;
    struct buf body;
    struct provider_reply *out;
};

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
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) {
        out->status = (int)code;
    } else {
        /* A transfer cut short after the status line is still no answer: the body,
         * which says whether the provider took the message, did not all come. */
        out->error = arena_strdup(a, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    out->body = buf_str(&s.body);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
}
