/* twilio_api.h — the requests the campaign sender makes to Twilio's REST API and what
 * its answers and SMS callbacks say: Messages (SMS) and Calls (voice, TwiML from the
 * campaign's script), form-encoded as Twilio's own libraries send them; pure, no I/O.
 * Signatures of Twilio's callbacks are in twilio.h. */
#ifndef SB_TWILIO_API_H
#define SB_TWILIO_API_H
#include <stdbool.h>
#include <time.h>
#include "../core/str.h"
struct arena;

/* "/2010-04-01/Accounts/{sid}/Messages.json" and ".../Calls.json" (after the base URL);
 * NULL-ptr when the account SID is not AC + 32 hex digits. */
str twilio_messages_path(struct arena *a, str account_sid);
str twilio_calls_path(struct arena *a, str account_sid);
/* A message's own URL, to ask for it again when reconciling after a crash. */
str twilio_message_path(struct arena *a, str account_sid, str message_sid);

/* The form body of a Messages create: To, From, Body, StatusCallback (which carries
 * our message id, so every status callback names the message it is about). */
str twilio_message_form(struct arena *a, str to, str from, str body, str status_callback);
/* The form body of a Calls create: To, From, Twiml (the script spoken), StatusCallback
 * and the events it wants (initiated ringing answered completed). */
str twilio_call_form(struct arena *a, str to, str from, str script, str status_callback);
/* <Response><Say>script</Say></Response>, the script XML-escaped. */
str twilio_twiml_say(struct arena *a, str script);

/* A created resource ({"sid": "SM…"|"CA…", "status": …}): false unless it has a sid. */
bool twilio_parse_created(struct arena *a, str body, str *sid, str *status);
/* An error answer ({"code": 21211, "message": …}): *code 0 and message empty when the
 * body says nothing readable. */
void twilio_parse_error(struct arena *a, str body, long *code, str *message);

/* Twilio's times, RFC 2822 as its resources give them ("Tue, 31 Aug 2010 20:36:28
 * +0000"), as epoch seconds; false when s is not one. */
bool twilio_parse_time(const char *s, time_t *out);
/* From a Calls list answer ({"calls": [{"sid": "CA…", "date_created": …}, …]}), the
 * sids of the calls created at or after `since` (epoch seconds), up to max, in the
 * list's order; false when the body is not such a list. */
bool twilio_calls_since(struct arena *a, str body, time_t since, str *sids, int max, int *n);

/* A MessageStatus from a status callback, as our message states: "sent",
 * "delivered" or "failed"; NULL for one we do not know. */
const char *twilio_message_state(str message_status);

/* What an inbound SMS asks for, by Twilio's default keywords: the whole body, trimmed,
 * any case (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT opt out;
 * START, YES, UNSTOP opt back in; HELP, INFO ask for help). "stop please" is a reply. */
enum sms_keyword { SMS_REPLY, SMS_OPT_OUT, SMS_OPT_IN, SMS_HELP };
enum sms_keyword twilio_sms_keyword(str body);
#endif
