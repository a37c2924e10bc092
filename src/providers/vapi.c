/* vapi.c — Vapi server messages: the shared-secret check, and status-update and
 * end-of-call-report read into a call_event. */
#include "vapi.h"

#include <ctype.h>
#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/crypto.h"

bool vapi_secret_ok(str secret, str header)
{
    if (!secret.len || !header.len) return false;
    return crypto_ct_eq(secret, header);
}

static struct json_object *jget(struct json_object *o, const char *key, enum json_type t)
{
    struct json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t)) return NULL;
    return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
    struct json_object *v = jget(o, key, json_type_string);
    return v ? json_object_get_string(v) : NULL;
}

static bool jnum(struct json_object *o, const char *key, double *out)
{
    struct json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v)) return false;
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) return false;
    *out = json_object_get_double(v);
    return true;
}

static const char *vapi_status(const char *s)
{
    static const char *const map[][2] = { { "queued", "queued" },        { "ringing", "ringing" },
                                          { "in-progress", "in_progress" }, { "forwarding", "in_progress" },
                                          { "ended", "completed" } };
    for (size_t i = 0; s && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s, map[i][0]) == 0) return map[i][1];
    return NULL;
}

static const char *vapi_speaker(const char *role)
{
    if (!role) return NULL;
    if (strcmp(role, "user") == 0) return "caller";
    if (strcmp(role, "bot") == 0 || strcmp(role, "assistant") == 0) return "agent";
    if (strcmp(role, "system") == 0) return "system";
    return NULL; /* tool calls and the like are not part of the conversation */
}

/* artifact.messages → [{t_ms, speaker, text, confidence}] (JSON text), or NULL. */
static const char *vapi_transcript(struct arena *a, struct json_object *artifact)
{
    struct json_object *msgs = jget(artifact, "messages", json_type_array);
    if (!msgs) return NULL;
    struct json_object *out = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(msgs); i++) {
        struct json_object *m = json_object_array_get_idx(msgs, i);
        const char *speaker = vapi_speaker(jstr(m, "role")), *text = jstr(m, "message");
        if (!speaker || !text) continue;
        double secs = 0;
        jnum(m, "secondsFromStart", &secs);
        struct json_object *line = json_object_new_object();
        json_object_object_add(line, "t_ms", json_object_new_int64(secs > 0 ? (int64_t)(secs * 1000.0 + 0.5) : 0));
        json_object_object_add(line, "speaker", json_object_new_string(speaker));
        json_object_object_add(line, "text", json_object_new_string(text));
        json_object_object_add(line, "confidence", json_object_new_int(1));
        json_object_array_add(out, line);
    }
    const char *text = arena_strdup(a, json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
    json_object_put(out);
    return text;
}

/* The call part shared by every Vapi message: direction and numbers. */
static void vapi_call(struct json_object *call, struct call_event *e)
{
    const char *type = jstr(call, "type");
    bool outbound = type && strcmp(type, "outboundPhoneCall") == 0;
    e->direction = outbound ? "outbound" : "inbound";
    const char *customer = jstr(jget(call, "customer", json_type_object), "number");
    const char *ours = jstr(jget(call, "phoneNumber", json_type_object), "number");
    e->from = call_event_e164(outbound ? ours : customer);
    e->to = call_event_e164(outbound ? customer : ours);
    const char *name = jstr(jget(call, "customer", json_type_object), "name");
    if (name && utf8_length(str_from(name)) <= 200) e->caller_name = name;
}

/* The report's analysis as {summary, structuredData, successEvaluation}, those sent
 * with a value (JSON text), or NULL when it has none of them: the call is then "not
 * analysed" (an analysis plan that is off sends an empty object). The org's keys pick
 * the sentiment and action items out of structuredData (vapi_analysis_map). */
static const char *vapi_analysis(struct arena *a, struct json_object *analysis)
{
    struct json_object *out = json_object_new_object(), *v;
    const char *summary = jstr(analysis, "summary");
    if (summary && *summary && utf8_length(str_from(summary)) <= 10000)
        json_object_object_add(out, "summary", json_object_new_string(summary));
    if ((v = jget(analysis, "structuredData", json_type_object)) && json_object_object_length(v))
        json_object_object_add(out, "structuredData", json_object_get(v));
    if (json_object_object_get_ex(analysis, "successEvaluation", &v) && v &&
        !json_object_is_type(v, json_type_object) && !json_object_is_type(v, json_type_array) &&
        !(json_object_is_type(v, json_type_string) && !*json_object_get_string(v)))
        json_object_object_add(out, "successEvaluation", json_object_get(v));
    const char *text = json_object_object_length(out)
                           ? arena_strdup(a, json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN))
                           : NULL;
    json_object_put(out);
    return text;
}

/* Reads an end-of-call report into e; returns the field it failed on (a time that is
 * not ISO-8601), or NULL. */
static const char *vapi_report(struct arena *a, struct json_object *m, struct call_event *e)
{
    e->status = "completed";
    e->started_at = jstr(m, "startedAt");
    e->ended_at = jstr(m, "endedAt");
    if (e->started_at && !call_event_iso_time(e->started_at)) return "message.startedAt";
    if (e->ended_at && !call_event_iso_time(e->ended_at)) return "message.endedAt";
    double secs;
    if (jnum(m, "durationSeconds", &secs) && secs >= 0 && secs <= 86400) {
        char *d = arena_alloc(a, 16);
        snprintf(d, 16, "%ld", (long)(secs + 0.5));
        e->duration_s = d;
    }
    const char *reason = jstr(m, "endedReason");
    if (reason && strlen(reason) <= 200) e->ended_reason = reason;
    const char *summary = jstr(jget(m, "analysis", json_type_object), "summary");
    if (summary && utf8_length(str_from(summary)) <= 10000) e->summary = summary;
    e->analysis = vapi_analysis(a, jget(m, "analysis", json_type_object));
    struct json_object *artifact = jget(m, "artifact", json_type_object);
    e->transcript = vapi_transcript(a, artifact);
    const char *url = jstr(artifact, "recordingUrl");
    if (call_event_http_url(url)) e->recording_url = url;
    return NULL;
}

const char *vapi_event_kind(struct json_object *root)
{
    const char *type = jstr(jget(root, "message", json_type_object), "type");
    return type ? type : "";
}

static enum call_event_parse invalid(struct call_event_fault *fault, const char *field, const char *message)
{
    fault->field = field;
    fault->message = message;
    return CALL_EVENT_INVALID;
}

enum call_event_parse vapi_call_event(struct arena *a, struct json_object *root, struct call_event *e,
                                      struct call_event_fault *fault)
{
    *e = (struct call_event){ .provider = "vapi" };
    struct json_object *m = jget(root, "message", json_type_object);
    const char *type = jstr(m, "type");
    if (!type) return invalid(fault, "message.type", "message.type is required.");
    bool report = strcmp(type, "end-of-call-report") == 0;
    if (!report && strcmp(type, "status-update") != 0) return CALL_EVENT_IGNORED;
    struct json_object *call = jget(m, "call", json_type_object);
    e->provider_call_id = jstr(call, "id");
    if (!e->provider_call_id || !*e->provider_call_id || strlen(e->provider_call_id) > 128)
        return invalid(fault, "message.call.id", "message.call.id is required (1-128 characters).");
    vapi_call(call, e);
    if (report) {
        const char *bad = vapi_report(a, m, e);
        if (bad) return invalid(fault, bad, bad[8] == 's' ? "message.startedAt must be an ISO-8601 time."
                                                         : "message.endedAt must be an ISO-8601 time.");
    } else if (!(e->status = vapi_status(jstr(m, "status"))))
        return invalid(fault, "message.status", "message.status is not a known call status.");
    return CALL_EVENT_OK;
}

/* s without its leading and trailing white space, in a. */
static char *trimmed(struct arena *a, const char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return arena_strndup(a, s, n);
}

/* A sentiment score: a JSON number, or a string that is one whole ("-0.4"). */
static bool score_of(struct arena *a, struct json_object *v, double *out)
{
    if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) {
        *out = json_object_get_double(v);
        return true;
    }
    if (!json_object_is_type(v, json_type_string)) return false;
    const char *t = trimmed(a, json_object_get_string(v));
    char *end;
    if (!*t || !(isdigit((unsigned char)*t) || *t == '-' || *t == '+' || *t == '.')) return false;
    *out = strtod(t, &end);
    return *end == '\0';
}

static void map_sentiment(struct arena *a, struct json_object *v, struct call_event *e)
{
    static const char *const labels[] = { "positive", "neutral", "negative" };
    if (json_object_is_type(v, json_type_string)) {
        char *t = trimmed(a, json_object_get_string(v));
        for (char *p = t; *p; p++) *p = (char)tolower((unsigned char)*p);
        for (size_t i = 0; i < 3; i++)
            if (strcmp(t, labels[i]) == 0) {
                e->sentiment_label = labels[i];
                return;
            }
    }
    double n;
    if (!v || !score_of(a, v, &n) || !isfinite(n) || n < -1 || n > 1) return;
    char *text = arena_alloc(a, 32);
    snprintf(text, 32, "%.6g", n);
    e->sentiment_score = text;
    /* The demo data's rule (seed_gen.c): above 0.25 positive, below -0.25 negative. */
    e->sentiment_label = n > 0.25 ? "positive" : n < -0.25 ? "negative" : "neutral";
}

/* The first max characters of s (UTF-8), in a. */
static const char *first_chars(struct arena *a, const char *s, size_t max)
{
    size_t chars = 0, i = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max) break;
    return arena_strndup(a, s, i);
}

static const char *map_items(struct arena *a, struct json_object *v)
{
    struct json_object *out = json_object_new_array();
    size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    for (size_t i = 0; i < n && i < VAPI_ACTION_ITEMS_MAX; i++) {
        struct json_object *x = json_object_array_get_idx(v, i);
        if (!json_object_is_type(x, json_type_string)) continue;
        const char *t = trimmed(a, json_object_get_string(x));
        if (*t) json_object_array_add(out, json_object_new_string(first_chars(a, t, VAPI_ACTION_ITEM_CHARS)));
    }
    const char *text = arena_strdup(a, json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
    json_object_put(out);
    return text;
}

void vapi_analysis_map(struct arena *a, struct json_object *root, const char *sentiment_key, const char *items_key,
                       struct call_event *e)
{
    if (!e->analysis) return;
    struct json_object *analysis = jget(jget(root, "message", json_type_object), "analysis", json_type_object);
    struct json_object *data = jget(analysis, "structuredData", json_type_object), *v = NULL;
    if (data && sentiment_key && json_object_object_get_ex(data, sentiment_key, &v)) map_sentiment(a, v, e);
    v = NULL;
    if (data && items_key) json_object_object_get_ex(data, items_key, &v);
    e->action_items = map_items(a, v);
}
