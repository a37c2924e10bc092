/* webhook_delivery.c — one attempt at an outbound webhook delivery: load it with its
 * endpoint, sign the stored body, POST it (no redirects followed, no private
 * addresses unless allowed), record the outcome, and disable an endpoint that keeps
 * failing. The job is retried by the queue's back-off until the delivery is 24 hours
 * old. */
#include "webhook_delivery.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../auth/org_secret.h"
#include "../core/arena.h"
#include "../core/crypto.h"
#include "../db/db.h"
#include "recording_download.h"

void webhook_signature(struct buf *b, str secret, long t, str body)
{
    struct buf msg;
    struct arena a;
    arena_init(&a, body.len + 64);
    buf_init(&msg, &a, body.len + 32);
    buf_printf(&msg, "%ld.", t);
    buf_append(&msg, body.ptr, body.len);
    uint8_t mac[32];
    crypto_hmac_sha256(secret, buf_str(&msg), mac);
    buf_printf(b, "t=%ld,v1=", t);
    hex_encode(b, mac, sizeof mac);
    arena_destroy(&a);
}

const char *webhook_url_refusal(struct arena *a, const struct config *cfg, const char *url)
{
    struct url_origin o;
    if (!url_origin_of(url, &o) || !o.host[0]) return "is not an absolute http(s) URL";
    if (strcmp(o.scheme, "https") == 0) return NULL;
    if (strcmp(o.scheme, "http") == 0 && cfg->webhook_url_allow_http) return NULL;
    struct buf e;
    buf_init(&e, a, 96);
    buf_printf(&e, "must use https (not %s)", o.scheme);
    return buf_cstr(&e);
}

/* ---- the request ---- */

struct attempt {
    bool allow_private;
    char blocked[INET6_ADDRSTRLEN];
    size_t body_seen;
};

/* Every address curl is about to connect to, after DNS: a name that resolves to an
 * inside address is refused however it was spelled (as recording downloads do). */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct attempt *at = arg;
    (void)purpose;
    return open_public_socket(at->allow_private, addr, at->blocked);
}

/* The receiver's answer body is not kept: only that it came. */
static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    ((struct attempt *)arg)->body_seen += size * n;
    return size * n;
}

long webhook_post(const struct config *cfg, struct arena *a, const char *url, struct curl_slist *headers, str body,
                  const char **error)
{
    struct attempt at = { .allow_private = cfg->webhook_url_allow_private };
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *h = curl_easy_init();
    if (!h) {
        *error = "cannot start an HTTP request";
        return 0;
    }
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    for (struct curl_slist *x = headers; x; x = x->next) hdr = curl_slist_append(hdr, x->data);
    hdr = curl_slist_append(hdr, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, cfg->webhook_url_allow_http ? "http,https" : "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect is an answer, not a new address */
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &at);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(cfg->http_timeout_s < 10 ? cfg->http_timeout_s : 10));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)cfg->http_timeout_s);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "Switchboard-Webhooks/1");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.ptr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &at);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    if (status) return status;
    struct buf e;
    buf_init(&e, a, 160);
    if (at.blocked[0])
        buf_printf(&e, "refused: %s is a loopback, private or link-local address (see webhook_url_allow_private)",
                   at.blocked);
    else buf_printf(&e, "no answer: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    *error = buf_cstr(&e);
    return 0;
}

/* POSTs a delivery's body, signed; returns the HTTP status (0 when there was no answer, with *error). */
static long post(struct job_ctx *c, const char *url, const char *event_type, const char *delivery_id, str body,
                 const char *signature, const char **error)
{
    struct curl_slist *hdr = NULL;
    char line[300];
    snprintf(line, sizeof line, "Switchboard-Signature: %s", signature);
    hdr = curl_slist_append(hdr, line);
    snprintf(line, sizeof line, "Switchboard-Event: %s", event_type);
    hdr = curl_slist_append(hdr, line);
    snprintf(line, sizeof line, "Switchboard-Delivery: %s", delivery_id);
    hdr = curl_slist_append(hdr, line);
    long status = webhook_post(c->cfg, c->a, url, hdr, body, error);
    curl_slist_free_all(hdr);
    return status;
}

/* ---- the job ---- */

enum { DL_ORG, DL_BODY, DL_STATUS, DL_TYPE, DL_ENDPOINT, DL_URL, DL_SECRET, DL_ENABLED, DL_EXPIRED };

static const char *delivery_id_of(struct arena *a, const char *payload)
{
    struct json_object *root = json_tokener_parse(payload), *v;
    const char *id = NULL;
    if (root && json_object_object_get_ex(root, "delivery_id", &v) && json_object_is_type(v, json_type_string))
        id = arena_strdup(a, json_object_get_string(v));
    json_object_put(root);
    return id && str_is_uuid(str_from(id)) ? id : NULL;
}

/* Records the attempt's outcome, in one transaction with the endpoint's failure count
 * (and its disabling). Returns 1 when the endpoint is now disabled, 0, or -1. */
static int record(struct job_ctx *c, const char *id, const char *endpoint, long status, bool ok, const char *error)
{
    char st[16], limit[16];
    snprintf(st, sizeof st, "%ld", status);
    snprintf(limit, sizeof limit, "%d", c->cfg->webhook_disable_after);
    struct db_stmt s[2] = {
        { "webhook_delivery_record",
          "UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(),"
          " response_status = nullif($2::int, 0), last_error = left($3, 500),"
          " status = CASE WHEN $4::bool THEN 'delivered' ELSE 'pending' END,"
          " delivered_at = CASE WHEN $4::bool THEN now() END WHERE id = $1::uuid",
          4, (const char *[]){ id, st, error ? error : "", ok ? "true" : "false" } },
        { "webhook_endpoint_record",
          "UPDATE webhook_endpoints SET"
          " consecutive_failures = CASE WHEN $2::bool THEN 0 ELSE consecutive_failures + 1 END,"
          " enabled = enabled AND ($2::bool OR consecutive_failures + 1 < $3::int),"
          " disabled_reason = CASE WHEN enabled AND NOT $2::bool AND consecutive_failures + 1 >= $3::int"
          "   THEN left(format('Disabled after %s failed attempts in a row; the last: %s', $3::int, $4::text), 300)"
          "   ELSE disabled_reason END,"
          " updated_at = CASE WHEN enabled AND NOT $2::bool AND consecutive_failures + 1 >= $3::int"
          "   THEN now() ELSE updated_at END"
          " WHERE id = $1::uuid RETURNING enabled",
          4, (const char *[]){ endpoint, ok ? "true" : "false", limit, error ? error : "" } },
    };
    struct dbres *res[2];
    if (db_begin(c->db) != 0) return -1;
    if (db_exec_batch(c->db, c->a, 2, s, res) != 0 || db_commit(c->db) != 0) {
        db_rollback(c->db);
        return -1;
    }
    return db_rows(res[1]) == 1 && !db_bool(res[1], 0, 0) ? 1 : 0;
}

static enum job_result give_up(struct job_ctx *c, const char *id, const char *why)
{
    struct dbres *q = db_q(c->db, c->a, "webhook_delivery_give_up",
                           "UPDATE webhook_deliveries SET status = 'failed', last_error = left($2, 500)"
                           " WHERE id = $1::uuid AND status = 'pending'",
                           id, why);
    if (!q) {
        c->error = db_last_message(c->db);
        return JOB_RETRY;
    }
    return JOB_DONE;
}

enum job_result webhook_delivery_run(struct job_ctx *c, const struct job *j)
{
    const char *id = delivery_id_of(c->a, j->payload);
    if (!id) {
        c->error = "payload has no delivery_id";
        return JOB_FAILED;
    }
    char window[16];
    snprintf(window, sizeof window, "%d", WEBHOOK_RETRY_WINDOW_S);
    struct dbres *q = db_q(c->db, c->a, "webhook_delivery_load",
                           "SELECT d.org_id, d.body, d.status, d.event_type, e.id, e.url, e.secret_sealed, e.enabled,"
                           " d.created_at < now() - make_interval(secs => $2::int)"
                           " FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id"
                           " WHERE d.id = $1::uuid",
                           id, window);
    if (!q) {
        c->error = db_last_message(c->db);
        return JOB_RETRY;
    }
    if (db_rows(q) == 0 || !str_eq(db_val(q, 0, DL_STATUS), STR("pending"))) return JOB_DONE; /* gone or settled */
    if (!db_bool(q, 0, DL_ENABLED)) return give_up(c, id, "the endpoint is disabled");
    if (db_bool(q, 0, DL_EXPIRED)) return give_up(c, id, "not delivered within 24 hours");

    const char *url = db_cstr(q, 0, DL_URL), *endpoint = db_cstr(q, 0, DL_ENDPOINT);
    str secret;
    struct buf key;
    buf_init(&key, c->a, 64);
    buf_printf(&key, "webhook:%s", endpoint);
    if (org_secret_open_b64(c->a, str_from(c->cfg->secret_key), db_val(q, 0, DL_ORG), buf_cstr(&key),
                            db_val(q, 0, DL_SECRET), &secret) != 0) {
        c->error = "the endpoint's signing secret cannot be opened (was secret_key changed?)";
        return give_up(c, id, c->error);
    }
    const char *error = webhook_url_refusal(c->a, c->cfg, url);
    long status = 0;
    if (!error) {
        struct buf sig;
        buf_init(&sig, c->a, 96);
        webhook_signature(&sig, secret, (long)time(NULL), db_val(q, 0, DL_BODY));
        status = post(c, url, db_cstr(q, 0, DL_TYPE), id, db_val(q, 0, DL_BODY), buf_cstr(&sig), &error);
    }
    bool ok = status >= 200 && status < 300;
    if (!ok && status) {
        struct buf e;
        buf_init(&e, c->a, 64);
        buf_printf(&e, status >= 300 && status < 400 ? "HTTP %ld (redirects are not followed)" : "HTTP %ld", status);
        error = buf_cstr(&e);
    }
    int disabled = record(c, id, endpoint, status, ok, ok ? NULL : error);
    if (disabled < 0) {
        c->error = db_last_message(c->db);
        return JOB_RETRY;
    }
    if (ok) return JOB_DONE;
    if (disabled) return give_up(c, id, error);
    c->error = error;
    return JOB_RETRY;
}
