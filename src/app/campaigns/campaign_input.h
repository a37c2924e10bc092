/* campaign_input.h — a campaign's fields read alike from a form or a JSON body,
 * normalised and checked (SPEC §7), with a message per bad field under the name the
 * client used: JSON members ("audience.tag", "quiet_hours.start") or form fields
 * ("audience_tag", "quiet_start"). */
#ifndef SB_CAMPAIGN_INPUT_H
#define SB_CAMPAIGN_INPUT_H
#include <stdbool.h>
#include "../../core/str.h"
struct request;
struct dbres;
struct field_errors;

enum { CH_SMS = 1, CH_VOICE = 2, CH_EMAIL = 4 };

#define CAMPAIGN_NAME_MAX 100
#define CAMPAIGN_SMS_MAX 500
#define CAMPAIGN_SUBJECT_MAX 200
#define CAMPAIGN_EMAIL_MAX 20000
#define CAMPAIGN_VOICE_MAX 5000
#define CAMPAIGN_CONTACTS_MAX 10000
#define CAMPAIGN_RATE_MAX 120000
#define CAMPAIGN_RATE_DEFAULT 60

struct campaign_in {
    str name;
    unsigned channels;       /* CH_* bits */
    bool by_tag;             /* the audience is a tag (else chosen contacts) */
    str tag;
    str contact_ids;         /* a JSON array of lower-case uuids */
    int n_contacts;          /* its length, repeats included */
    str sms_body, email_subject, email_body, voice_script;
    str schedule_at;         /* "" now; local "YYYY-MM-DDTHH:MM" (the org's zone) or zoned ISO-8601 */
    str quiet_start, quiet_end; /* "" both: the org's quiet hours */
    str rate;                /* as typed; checked into rate_per_minute */
    long rate_per_minute;
};

/* A campaign's stored values (a row of campaign_one_query) as input: the base of a
 * PATCH, or an edit form's first values (local: the schedule as the form shows it). */
void campaign_in_of_row(const struct dbres *q, bool local, struct campaign_in *in);
/* Reads the JSON body (members absent keep in's values) or the form (every field
 * sent) into in. */
void campaign_read(struct request *r, struct campaign_in *in, struct field_errors *e);
/* Trims and checks in; then the checks that need the database (the contacts exist,
 * the tag has contacts, the schedule is ahead). Returns 0 (messages in e) or the
 * database's status. */
int campaign_check(struct request *r, struct campaign_in *in, struct field_errors *e);
/* The channels as a JSON array text in the order sms, voice, email. */
const char *campaign_channels_json(struct request *r, unsigned channels);
#endif
