/* contacts_sql.h — the contacts feature's statements, with the column order of the
 * rows each returns. */
#ifndef SB_CONTACTS_SQL_H
#define SB_CONTACTS_SQL_H
#include <stdbool.h>
struct db;
struct arena;
struct dbres;

/* A contact row (contact_one_query, contacts_list_query). */
enum { CT_ID, CT_FIRST, CT_LAST, CT_NAME, CT_PHONE, CT_EMAIL, CT_COMPANY, CT_ADDRESS, CT_PTYPE, CT_TAGS,
       CT_TAGS_TEXT, CT_TZ, CT_OO_SMS, CT_OO_VOICE, CT_OO_EMAIL, CT_DNC, CT_VERSION, CT_CREATED, CT_UPDATED,
       CT_SORT_NAME, CT_SORT_CREATED };

/* The list's filters and where the previous page ended (after_* NULL: the start). */
struct contact_filter {
    const char *q, *tag, *dnc; /* NULL: not filtered; q a LIKE body; dnc "t"/"f" */
    bool newest;
    long limit;
    const char *after_id, *after_name, *after_created;
    char key_id[37], key_name[1024], key_created[40]; /* the export's own copy of the key */
};

/* One live contact of the tenant by id (lock: FOR UPDATE). */
struct dbres *contact_one_query(struct db *db, struct arena *a, const char *id, bool lock);
/* The rows of f's page (limit rows), in f's order. */
struct dbres *contacts_list_query(struct db *db, struct arena *a, const struct contact_filter *f, long limit);
/* (lower(name), created_at) of a contact of the tenant, deleted or not: a cursor's resume point. */
struct dbres *contact_sort_key_query(struct db *db, struct arena *a, const char *id);
/* A row when another live contact (not except_id, which may be NULL) has phone. */
struct dbres *contact_phone_taken_query(struct db *db, struct arena *a, const char *phone, const char *except_id);
/* Inserts (update false; v[13] unused) or updates v[13]: first, last, phone, email,
 * company, address, type, tags "a,b", time zone, opt-out sms/voice/email, dnc.
 * Returns the id. */
struct dbres *contact_write_query(struct db *db, struct arena *a, const char *const v[14], bool update);
struct dbres *contact_soft_delete_query(struct db *db, struct arena *a, const char *id);
/* Names the consent history's source for the rest of the transaction. */
struct dbres *contact_set_consent_source(struct db *db, struct arena *a, const char *source);

/* A contact's calls, newest first (50). */
enum { CC_ID, CC_STARTED, CC_DIRECTION, CC_STATUS, CC_DURATION };
struct dbres *contact_calls_query(struct db *db, struct arena *a, const char *id);
/* A contact's campaign messages, newest first (50): the campaign, channel, state,
 * why it was skipped or failed, when it was made (the org's time). */
enum { CM_CAMPAIGN_ID, CM_CAMPAIGN, CM_CHANNEL, CM_STATE, CM_REASON, CM_AT };
struct dbres *contact_messages_query(struct db *db, struct arena *a, const char *id);
/* A contact's consent history, newest first (50). */
enum { CE_AT, CE_CHANNEL, CE_OPTED_OUT, CE_SOURCE, CE_BY };
struct dbres *contact_consent_query(struct db *db, struct arena *a, const char *id);
#endif
