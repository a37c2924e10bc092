/* vapi.h — Vapi: the server-message secret and what its server messages say about a call;
 * pure functions, no I/O. */
#ifndef SB_VAPI_H
#define SB_VAPI_H
#include <stdbool.h>
#include "../core/str.h"
#include "call_event.h"
struct arena;
struct json_object;

/* The header Vapi sends the org's server secret in. */
#define VAPI_SECRET_HEADER "X-Vapi-Secret"

/* True when header equals the org's secret (constant time); false when either is empty. */
bool vapi_secret_ok(str secret, str header);

/* The kind a server message is stored under: message.type, or "" when it has none. */
const char *vapi_event_kind(struct json_object *root);

/* Reads a server message ({"message": {...}}): status-update and end-of-call-report
 * fill e (statuses mapped, the transcript assembled as [{t_ms, speaker, text,
 * confidence}] JSON text in a) and give CALL_EVENT_OK; other types give
 * CALL_EVENT_IGNORED; a missing type, call id or unknown status give
 * CALL_EVENT_INVALID with *fault set. Values out of bounds are left NULL. */
enum call_event_parse vapi_call_event(struct arena *a, struct json_object *root, struct call_event *e,
                                      struct call_event_fault *fault);

/* When e has an analysis (vapi_call_event on an end-of-call report), reads the
 * sentiment and the action items from the report's analysis.structuredData under the
 * org's keys into e (docs/CALLS.md, "Analysis"): a label positive/neutral/negative,
 * or a score in -1..1 with its label; the array's non-empty strings (at most
 * VAPI_ACTION_ITEMS_MAX of VAPI_ACTION_ITEM_CHARS characters). Never a guess: anything
 * else leaves the sentiment NULL and the items "[]". */
void vapi_analysis_map(struct arena *a, struct json_object *root, const char *sentiment_key, const char *items_key,
                       struct call_event *e);
#define VAPI_ACTION_ITEMS_MAX 50
#define VAPI_ACTION_ITEM_CHARS 500
#endif
