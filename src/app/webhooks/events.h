/* events.h — webhook event storage: the raw event as received, its outcome, and the
 * call it describes, applied idempotently. */
#ifndef SB_APP_WEBHOOK_EVENTS_H
#define SB_APP_WEBHOOK_EVENTS_H
#include "../../core/str.h"
#include "../../providers/call_event.h"
struct request;

/* Makes org_id the transaction's tenant and stores the raw event (body, content type,
 * user agent) under the SHA-256 of identity, what makes it this event and no other
 * (the body for Vapi, the canonical parameters for Twilio). Returns its id, "" when
 * the same event is stored already (a retry or a replay), or NULL on a database
 * error (db_last_error says which). */
const char *webhook_event_store(struct request *r, str org_id, const char *provider, const char *kind,
                                str identity);

/* Answers a retry of an event already stored: 200, status "duplicate". Returns 0. */
int webhook_event_duplicate(struct request *r);

/* Settles a stored event by what its provider's parser made of it and answers: the
 * call applied (200 "applied", a recording download queued when due), the message
 * ignored (200 "ignored"), or a 400 naming fault->field, whose reason the stored event
 * keeps. Returns 0 (the stored event commits), or an HTTP status when the database
 * fails. */
int webhook_event_settle(struct request *r, str org_id, const char *event_id, enum call_event_parse parsed,
                         struct call_event *e, const struct call_event_fault *fault);
#endif
