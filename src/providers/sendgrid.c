/* sendgrid.c — see sendgrid.h. */
#include "sendgrid.h"

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"

static void json_field(struct buf *b, const char *name, str value, bool comma)
{
    if (comma) buf_putc(b, ',');
    buf_json_str(b, str_from(name));
    buf_putc(b, ':');
    buf_json_str(b, value);
}

static void address(struct buf *b, str email, str name)
{
    buf_putc(b, '{');
    json_field(b, "email", email, false);
    if (name.len) json_field(b, "name", name, true);
    buf_putc(b, '}');
}

str sendgrid_mail_json(struct arena *a, const struct sendgrid_mail *m)
{
    struct buf b;
    buf_init(&b, a, 256 + m->subject.len + m->text.len * 2);
    buf_puts(&b, "{\"personalizations\":[{\"to\":[");
    address(&b, m->to_email, m->to_name);
    buf_puts(&b, "],\"custom_args\":{");
    json_field(&b, SENDGRID_MESSAGE_ARG, m->message_id, false);
    buf_puts(&b, "}}],\"from\":");
    address(&b, m->from_email, m->from_name);
    buf_putc(&b, ',');
    json_field(&b, "subject", m->subject, false);
    buf_puts(&b, ",\"content\":[{\"type\":\"text/plain\",");
    json_field(&b, "value", m->text, false);
    buf_puts(&b, "}]}");
    return buf_str(&b);
}

/* The key's base64 without PEM armour or whitespace. */
static str bare_base64(struct arena *a, str key)
{
    struct buf b;
    buf_init(&b, a, key.len + 1);
    str rest = key;
    while (rest.len) {
        str line;
        str_cut(rest, '\n', &line, &rest);
        line = str_trim(line);
        if (line.len == 0 || str_starts_with(line, STR("-----"))) continue;
        buf_put(&b, line);
    }
    return buf_str(&b);
}

bool sendgrid_signature_ok(str public_key_b64, str timestamp, str payload, str signature_b64)
{
    if (!public_key_b64.len || !timestamp.len || !signature_b64.len || public_key_b64.len > 4096 ||
        signature_b64.len > 512 || timestamp.len > 32)
        return false;
    struct arena a;
    arena_init(&a, 8192);
    uint8_t der[2048], sig[256];
    str key = bare_base64(&a, public_key_b64);
    long key_len = base64_decode(key, der, sizeof der);
    long sig_len = base64_decode(str_trim(signature_b64), sig, sizeof sig);
    bool ok = false;
    if (key_len > 0 && sig_len > 0) {
        const unsigned char *p = der;
        EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, key_len);
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        ok = pkey && ctx && p == der + key_len && EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC &&
             EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
             EVP_DigestVerifyUpdate(ctx, timestamp.ptr, timestamp.len) == 1 &&
             EVP_DigestVerifyUpdate(ctx, payload.ptr ? payload.ptr : "", payload.len) == 1 &&
             EVP_DigestVerifyFinal(ctx, sig, (size_t)sig_len) == 1;
        EVP_MD_CTX_free(ctx);
        EVP_PKEY_free(pkey);
    }
    arena_destroy(&a);
    return ok;
}

static str jstring(struct arena *a, struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) return STR("");
    return str_dup(a, str_make(json_object_get_string(v), (size_t)json_object_get_string_len(v)));
}

static void classify(struct sendgrid_event *e)
{
    static const struct {
        const char *event, *state;
        bool opt_out;
    } map[] = {
        { "processed", "sent", false },  { "deferred", "sent", false },    { "delivered", "delivered", false },
        { "bounce", "failed", false },   { "dropped", "failed", false },   { "open", "", false },
        { "click", "", false },          { "spamreport", "", true },       { "unsubscribe", "", true },
        { "group_unsubscribe", "", true }, { "group_resubscribe", "", false },
    };
    e->state = STR("");
    e->opt_out = false;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (str_eq_cstr(e->event, map[i].event)) {
            e->state = str_from(map[i].state);
            e->opt_out = map[i].opt_out;
        }
}

long sendgrid_events_parse(struct arena *a, str body, struct sendgrid_event *out, size_t max)
{
    if (body.len == 0 || body.len > 16 * 1024 * 1024) return -1;
    struct json_tokener *t = json_tokener_new();
    struct json_object *root = t ? json_tokener_parse_ex(t, body.ptr, (int)body.len) : NULL;
    bool parsed = t && json_tokener_get_error(t) == json_tokener_success && json_object_is_type(root, json_type_array);
    json_tokener_free(t);
    if (!parsed) {
        json_object_put(root);
        return -1;
    }
    long n = (long)json_object_array_length(root);
    for (long i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(root, (size_t)i), *ts;
        if (!json_object_is_type(o, json_type_object)) {
            json_object_put(root);
            return -1;
        }
        if ((size_t)i >= max) continue;
        struct sendgrid_event *e = &out[i];
        e->message_id = jstring(a, o, SENDGRID_MESSAGE_ARG);
        e->event = jstring(a, o, "event");
        e->reason = jstring(a, o, "reason");
        e->sg_event_id = jstring(a, o, "sg_event_id");
        e->timestamp = json_object_object_get_ex(o, "timestamp", &ts) && json_object_is_type(ts, json_type_int)
                           ? (long)json_object_get_int64(ts)
                           : 0;
        classify(e);
    }
    json_object_put(root);
    return n;
}
