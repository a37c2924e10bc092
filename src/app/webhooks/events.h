/* events.h — webhook event storage: the raw event as received, with what its parser
 * read from it, stored once and answered; the worker applies it to its call. */
#ifndef SB_APP_WEBHOOK_EVENTS_H
#define SB_APP_WEBHOOK_EVENTS_H
#include "../../core/str.h"
#include "../../providers/call_event.h"
struct request;

/* Stores a verified event for org_id (made the transaction's tenant) under the
 * SHA-256 of identity, what makes it this event and no other (the body for Vapi, the
 * canonical parameters for Twilio), and answers by what its parser made of it:
 * CALL_EVENT_OK is stored pending with e, for the worker to apply (200 "accepted");
 * CALL_EVENT_IGNORED is stored settled (200 "ignored"); CALL_EVENT_INVALID is stored
 * with fault's reason and answered 400 naming fault->field. An event stored already
 * (a retry) changes nothing: 200 "duplicate". Returns 0 (the transaction commits),
 * or an HTTP status when the database fails: then nothing is stored and the
 * provider's retry is safe. */
int webhook_event_accept(struct request *r, str org_id, const char *provider, const char *kind, str identity,
                         enum call_event_parse parsed, struct call_event *e, const struct call_event_fault *fault);
#endif
