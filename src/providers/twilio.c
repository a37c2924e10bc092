/* twilio.c — Twilio: request signatures and voice status callbacks read into a call_event. */
#include "twilio.h"

#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"
#include "../http/request.h"

static int str_cmp(str a, str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c) return c;
    return a.len < b.len ? -1 : a.len > b.len;
}

static int kv_cmp(const void *x, const void *y)
{
    const struct kv *a = x, *b = y;
    int c = str_cmp(a->key, b->key);
    return c ? c : str_cmp(a->val, b->val);
}

/* A copy of the parameters sorted by name, then value (bytewise). */
static struct kv *sorted_params(struct arena *a, const struct kvlist *params)
{
    struct kv *sorted = arena_alloc(a, (params->n ? params->n : 1) * sizeof *sorted);
    if (params->n) memcpy(sorted, params->items, params->n * sizeof *sorted);
    qsort(sorted, params->n, sizeof *sorted, kv_cmp);
    return sorted;
}

str twilio_canonical_params(struct arena *a, const struct kvlist *params)
{
    struct kv *sorted = sorted_params(a, params);
    struct buf b;
    buf_init(&b, a, 256);
    for (size_t i = 0; i < params->n; i++) {
        if (i) buf_putc(&b, '&');
        buf_url_arg(&b, sorted[i].key);
        buf_putc(&b, '=');
        buf_url_arg(&b, sorted[i].val);
    }
    return buf_str(&b);
}

bool twilio_params_unambiguous(const struct kvlist *params)
{
    for (size_t i = 0; i < params->n; i++) {
        if (!params->items[i].key.len) return false;
        for (size_t j = 0; j < i; j++)
            if (str_eq(params->items[i].key, params->items[j].key)) return false;
    }
    return true;
}

str twilio_signature_compute(struct arena *a, str auth_token, str url, const struct kvlist *params)
{
    struct kv *sorted = sorted_params(a, params);
    struct buf msg;
    buf_init(&msg, a, url.len + 256);
    buf_put(&msg, url);
    for (size_t i = 0; i < params->n; i++) {
        buf_put(&msg, sorted[i].key);
        buf_put(&msg, sorted[i].val);
    }
    uint8_t mac[20];
    crypto_hmac_sha1(auth_token, buf_str(&msg), mac);
    struct buf out;
    buf_init(&out, a, 32);
    base64_encode(&out, mac, sizeof mac);
    return buf_str(&out);
}

bool twilio_signature_ok(struct arena *a, str auth_token, str url, const struct kvlist *params, str header)
{
    if (!auth_token.len || !header.len) return false;
    return crypto_ct_eq(twilio_signature_compute(a, auth_token, url, params), str_trim(header));
}

str twilio_request_url(struct arena *a, str scheme, str host, str path, str query)
{
    struct buf u;
    buf_init(&u, a, 128);
    buf_put(&u, scheme);
    buf_puts(&u, "://");
    buf_put(&u, host);
    buf_put(&u, path);
    if (query.len) {
        buf_putc(&u, '?');
        buf_put(&u, query);
    }
    return buf_str(&u);
}

static const char *twilio_status(const str *s)
{
    static const char *const map[][2] = { { "queued", "queued" },       { "initiated", "queued" },
                                          { "ringing", "ringing" },     { "in-progress", "in_progress" },
                                          { "completed", "completed" }, { "busy", "busy" },
                                          { "no-answer", "no_answer" }, { "failed", "failed" },
                                          { "canceled", "canceled" } };
    for (size_t i = 0; s && i < sizeof map / sizeof map[0]; i++)
        if (str_eq_cstr(*s, map[i][0])) return map[i][1];
    return NULL;
}

static const char *form_cstr(struct arena *a, const struct kvlist *form, const char *key)
{
    const str *v = kvlist_get(form, key);
    return v ? str_cstr(a, *v) : NULL;
}

const char *twilio_event_kind(struct arena *a, const struct kvlist *form)
{
    const char *status = form_cstr(a, form, "CallStatus");
    return status ? status : "";
}

/* Fills e from the form; returns NULL or the name of the bad parameter. */
static const char *twilio_event(struct arena *a, const struct kvlist *form, struct call_event *e)
{
    e->provider_call_id = form_cstr(a, form, "CallSid");
    if (!e->provider_call_id || !*e->provider_call_id || strlen(e->provider_call_id) > 128) return "CallSid";
    if (!(e->status = twilio_status(kvlist_get(form, "CallStatus")))) return "CallStatus";
    const char *dir = form_cstr(a, form, "Direction");
    e->direction = dir && strncmp(dir, "outbound", 8) == 0 ? "outbound" : "inbound";
    e->from = call_event_e164(form_cstr(a, form, "From"));
    e->to = call_event_e164(form_cstr(a, form, "To"));
    const char *name = form_cstr(a, form, "CallerName");
    if (name && utf8_length(str_from(name)) <= 200) e->caller_name = name;
    const str *dur = kvlist_get(form, "CallDuration");
    long secs;
    if (dur && (!str_to_long(*dur, &secs) || secs < 0 || secs > 86400)) return "CallDuration";
    if (dur) e->duration_s = str_cstr(a, *dur);
    /* Twilio sends no end time; the callback of a finished call is sent as it ends. */
    if (strcmp(e->status, "completed") == 0 || strcmp(e->status, "busy") == 0 ||
        strcmp(e->status, "no_answer") == 0 || strcmp(e->status, "failed") == 0 ||
        strcmp(e->status, "canceled") == 0)
        e->ended_at = "now";
    const char *url = form_cstr(a, form, "RecordingUrl");
    if (url && !call_event_http_url(url)) return "RecordingUrl";
    e->recording_url = url;
    return NULL;
}

enum call_event_parse twilio_voice_status_event(struct arena *a, const struct kvlist *form, struct call_event *e,
                                                struct call_event_fault *fault)
{
    *e = (struct call_event){ .provider = "twilio" };
    const char *bad = twilio_event(a, form, e);
    if (!bad) return CALL_EVENT_OK;
    fault->field = bad;
    fault->message = "This field is missing or invalid.";
    return CALL_EVENT_INVALID;
}
