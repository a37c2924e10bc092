/* twilio_api.c — see twilio_api.h. */
#include "twilio_api.h"

#include <json-c/json.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/buf.h"

static bool account_sid_ok(str sid)
{
    if (sid.len != 34 || sid.ptr[0] != 'A' || sid.ptr[1] != 'C') return false;
    for (size_t i = 2; i < sid.len; i++)
        if (!strchr("0123456789abcdef", sid.ptr[i]) || sid.ptr[i] == '\0') return false;
    return true;
}

static str account_path(struct arena *a, str account_sid, const char *tail)
{
    if (!account_sid_ok(account_sid)) return STR_NULL;
    struct buf b;
    buf_init(&b, a, 96);
    buf_puts(&b, "/2010-04-01/Accounts/");
    buf_put(&b, account_sid);
    buf_puts(&b, tail);
    return buf_str(&b);
}

str twilio_messages_path(struct arena *a, str account_sid) { return account_path(a, account_sid, "/Messages.json"); }
str twilio_calls_path(struct arena *a, str account_sid) { return account_path(a, account_sid, "/Calls.json"); }

str twilio_message_path(struct arena *a, str account_sid, str message_sid)
{
    str base = account_path(a, account_sid, "/Messages/");
    if (!base.ptr) return base;
    struct buf b;
    buf_init(&b, a, base.len + message_sid.len + 8);
    buf_put(&b, base);
    buf_url_arg(&b, message_sid);
    buf_puts(&b, ".json");
    return buf_str(&b);
}

static void form_field(struct buf *b, const char *name, str value)
{
    if (b->len) buf_putc(b, '&');
    buf_puts(b, name);
    buf_putc(b, '=');
    buf_url_arg(b, value);
}

str twilio_message_form(struct arena *a, str to, str from, str body, str status_callback)
{
    struct buf b;
    buf_init(&b, a, 128 + body.len * 3);
    form_field(&b, "To", to);
    form_field(&b, "From", from);
    form_field(&b, "Body", body);
    form_field(&b, "StatusCallback", status_callback);
    return buf_str(&b);
}

str twilio_twiml_say(struct arena *a, str script)
{
    struct buf b;
    buf_init(&b, a, 64 + script.len * 2);
    buf_puts(&b, "<Response><Say>");
    buf_html_text(&b, script); /* & < > " ' as entities: valid XML text */
    buf_puts(&b, "</Say></Response>");
    return buf_str(&b);
}

str twilio_call_form(struct arena *a, str to, str from, str script, str status_callback)
{
    struct buf b;
    buf_init(&b, a, 256 + script.len * 4);
    form_field(&b, "To", to);
    form_field(&b, "From", from);
    form_field(&b, "Twiml", twilio_twiml_say(a, script));
    form_field(&b, "StatusCallback", status_callback);
    /* Repeated as Twilio's libraries send a list parameter. */
    static const char *const events[] = { "initiated", "ringing", "answered", "completed" };
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        form_field(&b, "StatusCallbackEvent", str_from(events[i]));
    return buf_str(&b);
}

static struct json_object *parse_object(str body)
{
    if (body.len == 0 || body.len > 1024 * 1024) return NULL;
    struct json_tokener *t = json_tokener_new();
    struct json_object *o = t ? json_tokener_parse_ex(t, body.ptr, (int)body.len) : NULL;
    if (t && json_tokener_get_error(t) != json_tokener_success) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(t);
    if (o && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        o = NULL;
    }
    return o;
}

static str jstring(struct arena *a, struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) return STR_NULL;
    return str_dup(a, str_make(json_object_get_string(v), (size_t)json_object_get_string_len(v)));
}

bool twilio_parse_created(struct arena *a, str body, str *sid, str *status)
{
    struct json_object *o = parse_object(body);
    if (!o) return false;
    *sid = jstring(a, o, "sid");
    *status = jstring(a, o, "status");
    json_object_put(o);
    return sid->len > 0 && sid->len <= 64;
}

void twilio_parse_error(struct arena *a, str body, long *code, str *message)
{
    *code = 0;
    *message = STR("");
    struct json_object *o = parse_object(body), *v;
    if (!o) return;
    if (json_object_object_get_ex(o, "code", &v) && json_object_is_type(v, json_type_int))
        *code = (long)json_object_get_int64(v);
    str m = jstring(a, o, "message");
    if (m.ptr) *message = m;
    json_object_put(o);
}

bool twilio_parse_time(const char *s, time_t *out)
{
    struct tm tm = { 0 };
    const char *end = s ? strptime(s, "%a, %d %b %Y %H:%M:%S %z", &tm) : NULL;
    if (!end || *end) return false;
    long offset = tm.tm_gmtoff;
    *out = timegm(&tm) - offset;
    return true;
}

bool twilio_calls_since(struct arena *a, str body, time_t since, str *sids, int max, int *n)
{
    *n = 0;
    struct json_object *o = parse_object(body), *list;
    if (!o) return false;
    bool ok = json_object_object_get_ex(o, "calls", &list) && json_object_is_type(list, json_type_array);
    for (size_t i = 0; ok && i < json_object_array_length(list) && *n < max; i++) {
        struct json_object *call = json_object_array_get_idx(list, i);
        if (!json_object_is_type(call, json_type_object)) continue;
        str sid = jstring(a, call, "sid"), created = jstring(a, call, "date_created");
        time_t at;
        if (sid.len == 0 || sid.len > 64 || !created.ptr || !twilio_parse_time(created.ptr, &at) || at < since)
            continue;
        sids[(*n)++] = sid;
    }
    json_object_put(o);
    return ok;
}

const char *twilio_message_state(str s)
{
    static const char *const map[][2] = {
        { "accepted", "sent" },  { "scheduled", "sent" },  { "queued", "sent" },     { "sending", "sent" },
        { "sent", "sent" },      { "delivered", "delivered" }, { "read", "delivered" },
        { "undelivered", "failed" }, { "failed", "failed" }, { "canceled", "failed" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (str_eq_cstr(s, map[i][0])) return map[i][1];
    return NULL;
}

enum sms_keyword twilio_sms_keyword(str body)
{
    static const struct {
        const char *word;
        enum sms_keyword kind;
    } words[] = {
        { "STOP", SMS_OPT_OUT }, { "STOPALL", SMS_OPT_OUT }, { "UNSUBSCRIBE", SMS_OPT_OUT }, { "CANCEL", SMS_OPT_OUT },
        { "END", SMS_OPT_OUT },  { "QUIT", SMS_OPT_OUT },    { "REVOKE", SMS_OPT_OUT },      { "OPTOUT", SMS_OPT_OUT },
        { "START", SMS_OPT_IN }, { "YES", SMS_OPT_IN },      { "UNSTOP", SMS_OPT_IN },       { "HELP", SMS_HELP },
        { "INFO", SMS_HELP },
    };
    str w = str_trim(body);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (str_case_eq(w, str_from(words[i].word))) return words[i].kind;
    return SMS_REPLY;
}
