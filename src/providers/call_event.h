/* call_event.h — what one provider event says about a call, in provider-neutral terms,
 * and the checks every provider's parser applies to the values it copies. */
#ifndef SB_CALL_EVENT_H
#define SB_CALL_EVENT_H
#include <stdbool.h>

/* One event about a call. Values are NUL-terminated text ready to bind as SQL
 * parameters (statuses in calls.status terms); NULL members change nothing. */
struct call_event {
    const char *provider, *provider_call_id, *direction, *status;
    const char *from, *to, *caller_name;
    const char *started_at, *ended_at, *duration_s;
    const char *ended_reason, *summary, *transcript, *recording_url;
    /* The provider's analysis as a JSON object {summary, structuredData,
     * successEvaluation} (those it sent), or NULL when it sent none. */
    const char *analysis;
    /* What the analysis says under the org's keys (vapi_analysis_map): the label and
     * the score (text) or NULL, the action items as a JSON array; set with analysis. */
    const char *sentiment_label, *sentiment_score, *action_items;
};

/* What a provider's parser made of a payload. */
enum call_event_parse {
    CALL_EVENT_OK,      /* the event describes a call */
    CALL_EVENT_IGNORED, /* well-formed, but says nothing about a call */
    CALL_EVENT_INVALID, /* a required or present field is bad: see call_event_fault */
};

/* The field a payload failed on (in the provider's own naming) and why, for the
 * error answer and the stored event. */
struct call_event_fault {
    const char *field, *message;
};

/* s when it is an E.164 number as providers send it ("+" and 2-15 digits), else
 * "" (stored as unknown); NULL gives "". */
const char *call_event_e164(const char *s);
/* True for an ISO-8601 date and time as providers send them
 * ("2026-03-01T10:00:00.000Z", seconds, fraction and a "+02:00" offset allowed); the
 * database still judges the values (a 30 February passes here). false for NULL. */
bool call_event_iso_time(const char *s);
/* True for an http(s) URL of at most 2048 bytes; false for NULL. */
bool call_event_http_url(const char *s);
#endif
