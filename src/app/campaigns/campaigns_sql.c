/* campaigns_sql.c — the campaign builder's statements (campaigns_sql.h). */
#include <stdio.h>

#include "../../db/db.h"
#include "campaigns_sql.h"

/* An instant as the pages show it: the org's local date and time ('' for NULL). */
#define LOCAL_TEXT(col)                                                                                \
    "coalesce(to_char(" col " AT TIME ZONE (SELECT timezone FROM orgs WHERE id = app_org_id()),"       \
    " 'YYYY-MM-DD HH24:MI'), '')"
#define ISO_UTC(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
/* The audience's size: the recipients counted at launch, else the live contacts it
 * names now. */
#define AUDIENCE_SIZE                                                                                  \
    "coalesce(x.recipients, CASE WHEN x.audience_tag IS NOT NULL"                                      \
    " THEN (SELECT count(*) FROM sb_contacts_tagged(x.audience_tag))"                                  \
    " ELSE (SELECT count(*) FROM campaign_audience au JOIN contacts c ON c.id = au.contact_id"         \
    "   AND c.org_id = app_org_id() AND c.deleted_at IS NULL"                                          \
    "   WHERE au.org_id = app_org_id() AND au.campaign_id = x.id) END)"
#define CAMPAIGN_COLUMNS                                                                               \
    "x.id, x.name, to_jsonb(x.channels)::text, x.audience_tag,"                                        \
    " coalesce((SELECT jsonb_agg(au.contact_id ORDER BY au.contact_id)::text FROM campaign_audience au" \
    "   JOIN contacts c ON c.id = au.contact_id AND c.org_id = app_org_id() AND c.deleted_at IS NULL"  \
    "   WHERE au.org_id = app_org_id() AND au.campaign_id = x.id), '[]'),"                            \
    " x.sms_body, x.email_subject, x.email_body, x.voice_script, " ISO_UTC("x.schedule_at") ","        \
    " deal_local_text(x.schedule_at), to_char(x.quiet_start, 'HH24:MI'), to_char(x.quiet_end, 'HH24:MI')," \
    " x.rate_per_minute, x.status, x.status_reason, " ISO_UTC("x.launched_at") ", x.version, "         \
    ISO_UTC("x.created_at") ", " ISO_UTC("x.updated_at") ","                                           \
    " to_char(x.created_at AT TIME ZONE (SELECT timezone FROM orgs WHERE id = app_org_id()), 'YYYY-MM-DD HH24:MI'), " \
    AUDIENCE_SIZE ", coalesce(x.schedule_at > now(), false), array_to_string(x.channels, ', '),"          \
    " (SELECT quiet_hours FROM orgs WHERE id = app_org_id())"

struct dbres *campaign_one_query(struct db *db, struct arena *a, const char *id, bool lock)
{
#define ONE "SELECT " CAMPAIGN_COLUMNS " FROM campaigns x WHERE x.org_id = app_org_id() AND x.id = $1"
    return lock ? db_q(db, a, "campaign_one_lock", ONE " FOR UPDATE", id) : db_q(db, a, "campaign_one", ONE, id);
#undef ONE
}

struct dbres *campaigns_list_query(struct db *db, struct arena *a, const char *after_id, const char *after_created,
                                   long limit)
{
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit);
    return db_q(db, a, "campaigns_list",
                "SELECT " CAMPAIGN_COLUMNS " FROM campaigns x WHERE x.org_id = app_org_id()"
                " AND ($1::uuid IS NULL OR (x.created_at, x.id) < ($2::timestamptz, $1::uuid))"
                " ORDER BY x.created_at DESC, x.id DESC LIMIT $3::int",
                after_id, after_created, lim);
}

struct dbres *campaign_sort_key_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "campaign_sort_key", "SELECT created_at::text FROM campaigns WHERE org_id = app_org_id() AND id = $1",
                id);
}

struct dbres *campaign_write_query(struct db *db, struct arena *a, const char *const v[CV_COUNT], const char *id)
{
    const char *p[CV_COUNT + 1];
    for (int i = 0; i < CV_COUNT; i++) p[i] = v[i];
    if (id) {
        p[CV_COUNT] = id;
        return db_exec(db, a, "campaign_update",
                       "UPDATE campaigns SET name = $1, channels = ARRAY(SELECT jsonb_array_elements_text($2::jsonb)),"
                       " audience_tag = $3, sms_body = $4, email_subject = $5, email_body = $6, voice_script = $7,"
                       " schedule_at = deal_local_time($8), quiet_start = $9::time, quiet_end = $10::time,"
                       " rate_per_minute = $11::int, version = version + 1, updated_at = now()"
                       " WHERE org_id = app_org_id() AND id = $12 RETURNING id",
                       CV_COUNT + 1, p);
    }
    return db_exec(db, a, "campaign_insert",
                   "INSERT INTO campaigns (org_id, name, channels, audience_tag, sms_body, email_subject, email_body,"
                   " voice_script, schedule_at, quiet_start, quiet_end, rate_per_minute, created_by)"
                   " VALUES (app_org_id(), $1, ARRAY(SELECT jsonb_array_elements_text($2::jsonb)), $3, $4, $5, $6, $7,"
                   " deal_local_time($8), $9::time, $10::time, $11::int, nullif(current_setting('app.user_id', true), '')::uuid)"
                   " RETURNING id",
                   CV_COUNT, p);
}

struct dbres *campaign_audience_clear(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "campaign_audience_clear",
                "DELETE FROM campaign_audience WHERE org_id = app_org_id() AND campaign_id = $1", id);
}

struct dbres *campaign_audience_add(struct db *db, struct arena *a, const char *id, const char *ids_json)
{
    return db_q(db, a, "campaign_audience_add",
                "INSERT INTO campaign_audience (org_id, campaign_id, contact_id)"
                " SELECT app_org_id(), $1, c.id FROM contacts c WHERE c.org_id = app_org_id() AND c.deleted_at IS NULL"
                " AND c.id IN (SELECT jsonb_array_elements_text($2::jsonb)::uuid) ON CONFLICT DO NOTHING",
                id, ids_json);
}

struct dbres *campaign_delete_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "campaign_delete", "DELETE FROM campaigns WHERE org_id = app_org_id() AND id = $1 AND status = 'draft'",
                id);
}

struct dbres *campaign_set_status(struct db *db, struct arena *a, const char *id, const char *status)
{
    return db_q(db, a, "campaign_set_status",
                "UPDATE campaigns SET status = $2, version = version + 1, updated_at = now()"
                " WHERE org_id = app_org_id() AND id = $1",
                id, status);
}

struct dbres *campaign_contacts_known(struct db *db, struct arena *a, const char *ids_json)
{
    return db_q(db, a, "campaign_contacts_known",
                "SELECT (SELECT count(*) FROM contacts c WHERE c.org_id = app_org_id() AND c.deleted_at IS NULL"
                "   AND c.id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)),"
                " (SELECT count(DISTINCT x) FROM jsonb_array_elements_text($1::jsonb) x)",
                ids_json);
}

struct dbres *campaign_tag_count(struct db *db, struct arena *a, const char *tag)
{
    return db_q(db, a, "campaign_tag_count", "SELECT count(*) FROM sb_contacts_tagged($1)", tag);
}

struct dbres *campaign_time_ahead(struct db *db, struct arena *a, const char *when)
{
    return db_q(db, a, "campaign_time_ahead", "SELECT deal_local_time($1) > now()", when);
}

/* Why a recipient gets no message on a channel, in this order: the do-not-contact
 * list, the channel's opt-out, no address for it; '' when it gets one. */
#define SKIP_REASON                                                                                    \
    "CASE WHEN c.do_not_contact THEN 'do_not_contact'"                                                 \
    " WHEN (ch = 'sms' AND c.opt_out_sms) OR (ch = 'voice' AND c.opt_out_voice)"                       \
    "   OR (ch = 'email' AND c.opt_out_email) THEN 'opted_out'"                                        \
    " WHEN ch IN ('sms', 'voice') AND c.phone IS NULL THEN 'no_phone'"                                 \
    " WHEN ch = 'email' AND c.email IS NULL THEN 'no_email' ELSE '' END"

struct dbres *campaign_launch_messages(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "campaign_launch_messages",
                "WITH k AS (SELECT * FROM campaigns WHERE org_id = app_org_id() AND id = $1),"
                /* The tag as a scalar subquery, not a column of a joined k: the set is
                 * then made once and hashed, not remade for every contact (which took
                 * minutes for a tag of 10,000). */
                " who AS (SELECT c.* FROM contacts c WHERE c.org_id = app_org_id() AND c.deleted_at IS NULL AND"
                "   CASE WHEN (SELECT audience_tag FROM k) IS NOT NULL"
                "   THEN c.id IN (SELECT sb_contacts_tagged((SELECT audience_tag FROM k)))"
                "   ELSE c.id IN (SELECT au.contact_id FROM campaign_audience au"
                "     WHERE au.org_id = app_org_id() AND au.campaign_id = $1) END),"
                " m AS (SELECT c.id AS contact_id, ch, CASE WHEN ch = 'email' THEN coalesce(c.email, '')"
                "   ELSE coalesce(c.phone, '') END AS to_address, " SKIP_REASON " AS reason"
                "   FROM who AS c CROSS JOIN k CROSS JOIN unnest(k.channels) AS ch),"
                " ins AS (INSERT INTO campaign_messages (org_id, campaign_id, contact_id, channel, to_address, state, reason)"
                "   SELECT app_org_id(), $1, contact_id, ch, to_address, CASE WHEN reason = '' THEN 'queued' ELSE 'skipped' END,"
                "   reason FROM m ON CONFLICT ON CONSTRAINT campaign_messages_once DO NOTHING RETURNING contact_id)"
                " SELECT (SELECT count(*) FROM who), (SELECT count(*) FROM ins)",
                id);
}

struct dbres *campaign_mark_launched(struct db *db, struct arena *a, const char *id, const char *status,
                                     const char *recipients)
{
    return db_q(db, a, "campaign_mark_launched",
                "UPDATE campaigns SET status = $2, recipients = $3::int, launched_at = now(), version = version + 1,"
                " updated_at = now() WHERE org_id = app_org_id() AND id = $1",
                id, status, recipients);
}

/* The counts per channel and state, from the counters the writes keep (sql/0054):
 * a few rows whatever the campaign's size. */
struct dbres *campaign_stats_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "campaign_stats",
                "SELECT channel, state, sum(n)::bigint, sum(replied)::bigint FROM campaign_message_counts"
                " WHERE org_id = app_org_id() AND campaign_id = $1 GROUP BY channel, state"
                " HAVING sum(n) <> 0 OR sum(replied) <> 0",
                id);
}

struct dbres *campaign_reasons_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "campaign_reasons",
                "SELECT channel, reason, count(*) FROM campaign_messages"
                " WHERE org_id = app_org_id() AND campaign_id = $1 AND state IN ('skipped', 'failed')"
                " GROUP BY channel, reason ORDER BY channel, count(*) DESC, reason",
                id);
}

struct dbres *campaign_problems_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "campaign_problems",
                "SELECT channel, state, reason, count(*) FROM campaign_messages"
                " WHERE org_id = app_org_id() AND campaign_id = $1 AND state IN ('failed', 'skipped')"
                " GROUP BY channel, state, reason ORDER BY state, count(*) DESC, channel, reason",
                id);
}

/* From the replied messages (campaign_messages_replied_idx) to their replies, so a
 * big campaign reads only what was answered. */
struct dbres *campaign_replies_query(struct db *db, struct arena *a, const char *id, long limit)
{
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit);
    return db_q(db, a, "campaign_replies",
                "WITH r AS (SELECT r.id, r.contact_id, r.body, r.received_at, m.channel FROM campaign_messages m"
                "   JOIN message_replies r ON r.campaign_message_id = m.id AND r.org_id = app_org_id()"
                "   WHERE m.org_id = app_org_id() AND m.campaign_id = $1 AND m.replied_at IS NOT NULL)"
                " SELECT r.id, coalesce(r.contact_id::text, ''), coalesce(nullif(c.name, ''), ''), r.body, r.channel, "
                ISO_UTC("r.received_at") ", " LOCAL_TEXT("r.received_at") ", (SELECT count(*) FROM r)"
                " FROM r LEFT JOIN contacts c ON c.id = r.contact_id AND c.org_id = app_org_id()"
                " ORDER BY r.received_at DESC, r.id DESC LIMIT $2::int",
                id, lim);
}

struct dbres *campaign_replies_page_query(struct db *db, struct arena *a, const char *id, const char *after_us,
                                         const char *after_id, long limit)
{
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit);
    return db_q(db, a, "campaign_replies_page",
                "SELECT r.id, coalesce(r.contact_id::text, ''), coalesce(nullif(c.name, ''), ''), r.body, m.channel, "
                ISO_UTC("r.received_at") ", " LOCAL_TEXT("r.received_at") ","
                " (extract(epoch FROM r.received_at) * 1000000)::bigint, r.from_address"
                " FROM campaign_messages m"
                " JOIN message_replies r ON r.campaign_message_id = m.id AND r.org_id = app_org_id()"
                " LEFT JOIN contacts c ON c.id = r.contact_id AND c.org_id = app_org_id()"
                " WHERE m.org_id = app_org_id() AND m.campaign_id = $1 AND m.replied_at IS NOT NULL"
                " AND ($2::bigint IS NULL OR (r.received_at, r.id)"
                "  < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::uuid))"
                " ORDER BY r.received_at DESC, r.id DESC LIMIT $4::int",
                id, after_us, after_id, lim);
}

struct dbres *campaign_breakers_query(struct db *db, struct arena *a, const char *providers_json)
{
    return db_q(db, a, "campaign_breakers",
                "SELECT p.provider, coalesce(b.state, 'closed'), coalesce(b.failures, 0), "
                ISO_UTC("b.probe_at") ", " LOCAL_TEXT("b.probe_at")
                " FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS p(provider, n)"
                " LEFT JOIN provider_breakers b ON b.org_id = app_org_id() AND b.provider = p.provider"
                " ORDER BY p.n",
                providers_json);
}

/* The campaign's quiet window (its own, else the org's) read in the org's zone now:
 * whether it is quiet there, and the local time it opens ("08:00"). */
struct dbres *campaign_quiet_now_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "campaign_quiet_now",
                "SELECT sb_quiet_at((now() AT TIME ZONE o.timezone)::time, w.qs, w.qe), to_char(w.qe, 'HH24:MI')"
                " FROM campaigns k JOIN orgs o ON o.id = k.org_id,"
                " LATERAL (SELECT coalesce(k.quiet_start, split_part(o.quiet_hours, '-', 1)::time) AS qs,"
                "   coalesce(k.quiet_end, split_part(o.quiet_hours, '-', 2)::time) AS qe) w"
                " WHERE k.org_id = app_org_id() AND k.id = $1",
                id);
}

struct dbres *org_quiet_query(struct db *db, struct arena *a)
{
    return db_q0(db, a, "org_quiet",
                 "SELECT o.quiet_hours, sb_quiet_at((now() AT TIME ZONE o.timezone)::time, w.qs, w.qe),"
                 " to_char(w.qe, 'HH24:MI') FROM orgs o,"
                 " LATERAL (SELECT split_part(o.quiet_hours, '-', 1)::time AS qs,"
                 "   split_part(o.quiet_hours, '-', 2)::time AS qe) w WHERE o.id = app_org_id()");
}

#define PICK_COLUMNS                                                                                   \
    "c.id, c.name, coalesce(c.phone, ''), coalesce(c.email, ''), c.first_name, c.last_name, c.company," \
    " c.property_address"

struct dbres *campaign_sample_contact(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "campaign_sample_contact",
                /* The tag as a scalar subquery: see campaign_launch_messages. */
                "WITH k AS (SELECT audience_tag FROM campaigns WHERE org_id = app_org_id() AND id = $1)"
                " SELECT " PICK_COLUMNS " FROM contacts c WHERE EXISTS (SELECT 1 FROM k)"
                " AND c.org_id = app_org_id() AND c.deleted_at IS NULL AND"
                " CASE WHEN (SELECT audience_tag FROM k) IS NOT NULL"
                " THEN c.id IN (SELECT sb_contacts_tagged((SELECT audience_tag FROM k)))"
                " ELSE c.id IN (SELECT au.contact_id FROM campaign_audience au"
                "   WHERE au.org_id = app_org_id() AND au.campaign_id = $1) END"
                " ORDER BY c.do_not_contact, c.opt_out_sms::int + c.opt_out_voice::int + c.opt_out_email::int,"
                " (c.phone IS NULL)::int + (c.email IS NULL)::int, lower(c.name), c.id LIMIT 1",
                id);
}

struct dbres *campaign_pick_contacts(struct db *db, struct arena *a, const char *q, long limit)
{
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit);
    return db_q(db, a, "campaign_pick_contacts",
                "SELECT " PICK_COLUMNS " FROM contacts c WHERE c.org_id = app_org_id() AND c.deleted_at IS NULL"
                " AND ($1::text IS NULL OR c.id IN (SELECT sb_contacts_matching($1)))"
                " ORDER BY lower(c.name), c.id LIMIT $2::int",
                q, lim);
}

struct dbres *campaign_contacts_named(struct db *db, struct arena *a, const char *ids_json)
{
    return db_q(db, a, "campaign_contacts_named",
                "SELECT " PICK_COLUMNS " FROM contacts c WHERE c.org_id = app_org_id() AND c.deleted_at IS NULL"
                " AND c.id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid) ORDER BY lower(c.name), c.id",
                ids_json);
}
