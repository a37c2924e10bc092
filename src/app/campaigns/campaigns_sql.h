/* campaigns_sql.h — the campaign builder's statements, with the column order of the
 * rows each returns. Every one names the tenant (org_id = app_org_id()); row-level
 * security is the second lock. */
#ifndef SB_CAMPAIGNS_SQL_H
#define SB_CAMPAIGNS_SQL_H
#include <stdbool.h>
struct db;
struct arena;
struct dbres;

/* A campaign row (campaign_one_query, campaigns_list_query). CA_CONTACT_IDS: the
 * chosen contacts still live (a JSON array). Times ISO-8601 UTC, "" for none;
 * CA_SCHEDULE_LOCAL the form's local "YYYY-MM-DDTHH:MM" in the org's zone. */
enum { CA_ID, CA_NAME, CA_CHANNELS, CA_TAG, CA_CONTACT_IDS, CA_SMS, CA_EMAIL_SUBJECT, CA_EMAIL_BODY, CA_VOICE,
       CA_SCHEDULE_AT, CA_SCHEDULE_LOCAL, CA_QUIET_START, CA_QUIET_END, CA_RATE, CA_STATUS, CA_REASON,
       CA_LAUNCHED_AT, CA_VERSION, CA_CREATED, CA_UPDATED, CA_CREATED_LOCAL, CA_AUDIENCE_SIZE, CA_STARTS_LATER,
       CA_CHANNELS_TEXT, CA_ORG_QUIET };

/* One campaign of the tenant by id (lock: FOR UPDATE). */
struct dbres *campaign_one_query(struct db *db, struct arena *a, const char *id, bool lock);
/* Newest first, after (after_created, after_id) when given; limit rows. */
struct dbres *campaigns_list_query(struct db *db, struct arena *a, const char *after_id, const char *after_created,
                                   long limit);
/* created_at as text of a campaign of the tenant: a cursor's resume point. */
struct dbres *campaign_sort_key_query(struct db *db, struct arena *a, const char *id);

/* The fields a write stores, as text: name, channels (JSON array), tag (NULL: chosen
 * contacts), sms body, email subject and body, voice script, schedule (NULL: now;
 * local text read in the org's zone), quiet start and end (NULL: the org's), rate. */
enum { CV_NAME, CV_CHANNELS, CV_TAG, CV_SMS, CV_EMAIL_SUBJECT, CV_EMAIL_BODY, CV_VOICE, CV_SCHEDULE,
       CV_QUIET_START, CV_QUIET_END, CV_RATE, CV_COUNT };
/* Inserts (id NULL) or updates campaign id; returns the id. */
struct dbres *campaign_write_query(struct db *db, struct arena *a, const char *const v[CV_COUNT], const char *id);
/* Makes the chosen contacts of campaign id exactly the live contacts among ids (a
 * JSON array; "[]" for a tag audience). */
struct dbres *campaign_audience_clear(struct db *db, struct arena *a, const char *id);
struct dbres *campaign_audience_add(struct db *db, struct arena *a, const char *id, const char *ids_json);
struct dbres *campaign_delete_query(struct db *db, struct arena *a, const char *id);
struct dbres *campaign_set_status(struct db *db, struct arena *a, const char *id, const char *status);

/* How many of ids (JSON array of uuids) are live contacts of the tenant, and how
 * many distinct ids it holds. */
struct dbres *campaign_contacts_known(struct db *db, struct arena *a, const char *ids_json);
/* How many live contacts carry tag. */
struct dbres *campaign_tag_count(struct db *db, struct arena *a, const char *tag);
/* Whether a local or zoned time is in the future: one row, one boolean. */
struct dbres *campaign_time_ahead(struct db *db, struct arena *a, const char *when);

/* The launch: one message per recipient and channel (skipped with a reason when
 * the contact is on the do-not-contact list, opted out of the channel, or has no
 * address for it), then the campaign's new status. Returns (recipients, messages). */
struct dbres *campaign_launch_messages(struct db *db, struct arena *a, const char *id);
struct dbres *campaign_mark_launched(struct db *db, struct arena *a, const char *id, const char *status,
                                     const char *recipients);

/* Counts per channel and state: channel, state, count, replied. */
enum { CS_CHANNEL, CS_STATE, CS_COUNT, CS_REPLIED };
struct dbres *campaign_stats_query(struct db *db, struct arena *a, const char *id);
/* Skipped and failed messages per channel and reason: channel, reason, count. */
enum { CR_CHANNEL, CR_REASON, CR_COUNT };
struct dbres *campaign_reasons_query(struct db *db, struct arena *a, const char *id);

/* Failed and skipped messages per channel, state and reason: failed first, then by
 * count. */
enum { CP_CHANNEL, CP_STATE, CP_REASON, CP_COUNT };
struct dbres *campaign_problems_query(struct db *db, struct arena *a, const char *id);
/* The latest limit replies to the campaign's messages, newest first, each row with the
 * number of replies in all. Times ISO-8601 UTC and local (the org's zone). */
enum { RP_ID, RP_CONTACT_ID, RP_CONTACT_NAME, RP_BODY, RP_CHANNEL, RP_AT, RP_AT_LOCAL, RP_TOTAL };
struct dbres *campaign_replies_query(struct db *db, struct arena *a, const char *id, long limit);
/* One page of the campaign's replies, newest first (RP_* columns up to RP_AT_LOCAL,
 * then RPP_KEY: received_at in microseconds, RPP_FROM: the number or address), after
 * the reply (after_us, after_id) when after_us is not NULL. */
enum { RPP_KEY = 7, RPP_FROM = 8 };
struct dbres *campaign_replies_page_query(struct db *db, struct arena *a, const char *id, const char *after_us,
                                         const char *after_id, long limit);
/* The breaker of each provider named in providers (a JSON array), in that order; a
 * provider without a row is closed. BK_PROBE_AT: when an open breaker lets its probe go. */
enum { BK_PROVIDER, BK_STATE, BK_FAILURES, BK_PROBE_AT, BK_PROBE_LOCAL };
struct dbres *campaign_breakers_query(struct db *db, struct arena *a, const char *providers_json);

/* The campaign's quiet hours in the org's zone now: quiet (bool), opens at ("HH:MM"). */
struct dbres *campaign_quiet_now_query(struct db *db, struct arena *a, const char *id);

/* The org's quiet hours ("21:00-08:00"), whether they hold messages back now (in its
 * zone), and when they end ("08:00"). */
struct dbres *org_quiet_query(struct db *db, struct arena *a);

/* Contact rows for pickers and previews. */
enum { PC_ID, PC_NAME, PC_PHONE, PC_EMAIL, PC_FIRST, PC_LAST, PC_COMPANY, PC_ADDRESS };
/* The preview's sample: a live contact of campaign id's audience, preferring one the
 * campaign reaches (not on the do-not-contact list, fewest opt-outs, phone and email),
 * then by name. */
struct dbres *campaign_sample_contact(struct db *db, struct arena *a, const char *id);
/* Live contacts matching q (a LIKE body, NULL: any), by name, limit rows. */
struct dbres *campaign_pick_contacts(struct db *db, struct arena *a, const char *q, long limit);
/* The live contacts among ids (JSON array), by name. */
struct dbres *campaign_contacts_named(struct db *db, struct arena *a, const char *ids_json);
#endif
