/* contacts_sql.c — the contacts feature's statements (contacts_sql.h). Every one names
 * the tenant (org_id = app_org_id()); row-level security is the second lock. */
#include <stdio.h>

#include "../../db/db.h"
#include "contacts_sql.h"

#define UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define CONTACT_COLUMNS                                                                                 \
    "c.id, c.first_name, c.last_name, c.name, c.phone, c.email, c.company, c.property_address,"        \
    " c.property_type, to_jsonb(c.tags)::text, array_to_string(c.tags, ', '), c.time_zone,"            \
    " c.opt_out_sms, c.opt_out_voice, c.opt_out_email, c.do_not_contact, c.version, "                  \
    UTC("c.created_at") ", " UTC("c.updated_at") ", lower(c.name), c.created_at::text"

struct dbres *contact_one_query(struct db *db, struct arena *a, const char *id, bool lock)
{
#define ONE "SELECT " CONTACT_COLUMNS " FROM contacts c WHERE c.org_id = app_org_id() AND c.id = $1 AND c.deleted_at IS NULL"
    return lock ? db_q(db, a, "contact_one_lock", ONE " FOR UPDATE", id) : db_q(db, a, "contact_one", ONE, id);
#undef ONE
}

/* The filters are optional parameters ($1 q, $2 tag, $3 dnc): a NULL one is folded
 * away when the statement is planned with its values. Search goes through
 * sb_contacts_matching (0026), the only way to its trigram index under RLS. */
#define LIST_WHERE                                                                                      \
    " FROM contacts c WHERE c.org_id = app_org_id() AND c.deleted_at IS NULL"                         \
    " AND ($1::text IS NULL OR c.id IN (SELECT sb_contacts_matching($1)))"                             \
    " AND ($2::text IS NULL OR c.tags @> ARRAY[$2::text])"                                            \
    " AND ($3::boolean IS NULL OR c.do_not_contact = $3::boolean)"

struct dbres *contacts_list_query(struct db *db, struct arena *a, const struct contact_filter *f, long limit)
{
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit);
    if (f->newest)
        return db_q(db, a, "contacts_list_newest",
                    "SELECT " CONTACT_COLUMNS LIST_WHERE
                    " AND ($4::uuid IS NULL OR (c.created_at, c.id) < ($5::timestamptz, $4::uuid))"
                    " ORDER BY c.created_at DESC, c.id DESC LIMIT $6::int",
                    f->q, f->tag, f->dnc, f->after_id, f->after_created, lim);
    return db_q(db, a, "contacts_list_name",
                "SELECT " CONTACT_COLUMNS LIST_WHERE
                " AND ($4::uuid IS NULL OR (lower(c.name), c.id) > ($5::text, $4::uuid))"
                " ORDER BY lower(c.name), c.id LIMIT $6::int",
                f->q, f->tag, f->dnc, f->after_id, f->after_name, lim);
}

struct dbres *contact_sort_key_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "contact_sort_key",
                "SELECT lower(name), created_at::text FROM contacts WHERE org_id = app_org_id() AND id = $1", id);
}

struct dbres *contact_phone_taken_query(struct db *db, struct arena *a, const char *phone, const char *except_id)
{
    return db_q(db, a, "contact_phone_taken",
                "SELECT 1 FROM contacts WHERE org_id = app_org_id() AND phone = $1 AND deleted_at IS NULL"
                " AND id IS DISTINCT FROM $2::uuid",
                phone, except_id);
}

struct dbres *contact_write_query(struct db *db, struct arena *a, const char *const v[14], bool update)
{
    if (update)
        return db_exec(db, a, "contact_update",
                       "UPDATE contacts SET first_name = $1, last_name = $2, phone = $3, email = $4, company = $5,"
                       " property_address = $6, property_type = $7, tags = coalesce(string_to_array(nullif($8, ''), ','), '{}'),"
                       " time_zone = $9, opt_out_sms = $10, opt_out_voice = $11, opt_out_email = $12,"
                       " do_not_contact = $13, version = version + 1, updated_at = now()"
                       " WHERE org_id = app_org_id() AND id = $14 RETURNING id",
                       14, v);
    return db_exec(db, a, "contact_insert",
                   "INSERT INTO contacts (org_id, first_name, last_name, phone, email, company, property_address,"
                   " property_type, tags, time_zone, opt_out_sms, opt_out_voice, opt_out_email, do_not_contact)"
                   " VALUES (app_org_id(), $1, $2, $3, $4, $5, $6, $7, coalesce(string_to_array(nullif($8, ''), ','), '{}'),"
                   " $9, $10, $11, $12, $13) RETURNING id",
                   13, v);
}

struct dbres *contact_soft_delete_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "contact_soft_delete",
                "UPDATE contacts SET deleted_at = now(), version = version + 1, updated_at = now()"
                " WHERE org_id = app_org_id() AND id = $1 AND deleted_at IS NULL",
                id);
}

struct dbres *contact_set_consent_source(struct db *db, struct arena *a, const char *source)
{
    return db_q(db, a, "contact_consent_source", "SELECT set_config('app.consent_source', $1, true)", source);
}

struct dbres *contact_calls_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "contact_calls",
                "SELECT id, to_char(started_at AT TIME ZONE (SELECT timezone FROM orgs WHERE id = app_org_id()),"
                " 'YYYY-MM-DD HH24:MI'), direction, status, duration_s FROM calls"
                " WHERE org_id = app_org_id() AND contact_id = $1 AND deleted_at IS NULL"
                " ORDER BY started_at DESC, id DESC LIMIT 50",
                id);
}

struct dbres *contact_messages_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "contact_messages",
                "SELECT k.id, k.name, m.channel, m.state, m.reason,"
                " to_char(m.created_at AT TIME ZONE (SELECT timezone FROM orgs WHERE id = app_org_id()), 'YYYY-MM-DD HH24:MI')"
                " FROM campaign_messages m JOIN campaigns k ON k.id = m.campaign_id AND k.org_id = app_org_id()"
                " WHERE m.org_id = app_org_id() AND m.contact_id = $1"
                " ORDER BY m.created_at DESC, m.id DESC LIMIT 50",
                id);
}

struct dbres *contact_consent_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "contact_consent",
                "SELECT to_char(e.created_at AT TIME ZONE (SELECT timezone FROM orgs WHERE id = app_org_id()),"
                " 'YYYY-MM-DD HH24:MI'), e.channel, e.opted_out, e.source,"
                " coalesce((SELECT coalesce(nullif(u.name, ''), u.email) FROM users u"
                "   WHERE u.org_id = app_org_id() AND u.id = e.user_id), '')"
                " FROM contact_consent_events e WHERE e.org_id = app_org_id() AND e.contact_id = $1"
                " ORDER BY e.id DESC LIMIT 50",
                id);
}
