/* campaign_send.c — see campaign_send.h.
 *
 * Never twice: a message's attempt is recorded and committed (attempt_open, its time,
 * attempts + 1, and a lease in next_attempt_at) before its provider request. When the
 * answer comes, the outcome closes the attempt. A message found due with its attempt
 * still open was abandoned (a worker killed mid-request) or got no answer (a timeout,
 * a reset): the provider may have taken it, so it is asked first (reconcile) and the
 * message is resent only when the provider says it has no such message. */
#include "campaign_send.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../auth/org_secret.h"
#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/clock.h"
#include "../core/crypto.h"
#include "../db/db.h"
#include "../domain/merge_fields.h"
#include "../domain/retry.h"
#include "../providers/sendgrid.h"
#include "../providers/twilio_api.h"
#include "provider_breaker.h"
#include "provider_http.h"

/* A job sends for about this long (batch after batch; each claim sees a pause or
 * cancel), then ends, so the worker runs its other jobs between slices. */
#define SEND_SLICE_US 3000000
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
/* Messages claimed at once (the paces may allow fewer). */
#define CLAIM_MAX 2000
/* Provider slots are claimed this far ahead: a batch's requests start at their slots
 * while the next batch is claimed after them. */
#define CLAIM_LEAD_S 1.0
/* The share of an org's provider limit the sender aims at: the rest is room for a
 * request that starts up to SLOT_LATE_US after its slot (a later one gives its slot
 * back), so no second at the provider sees more than the limit: in any second start
 * at most the slots of 1 + 0.1 seconds, 0.85 x 1.1 = 0.935 of the limit. The margin
 * beyond that is for the provider's own clock: with two workers sending in turns, a
 * fake provider's arrival times showed 1,195 requests in one second under 1,200 at a
 * share of 0.9 (bench, docs/CAMPAIGNS.md). */
#define PACE_SHARE 0.85
#define SLOT_LATE_US 100000
/* A batch's first slot is at least this far ahead, so the batch is ready (texts
 * rendered, the breaker asked) when its first request is due. */
#define SLOT_PREP_S 0.2
/* Campaigns one job sends for at once: its own and up to this many less one of the
 * org's others. */
#define SEND_CAMPAIGNS_MAX 16
/* Beyond the request timeout, before an open attempt counts as abandoned. */
#define LEASE_MARGIN_S 5

int campaign_dispatch_tick(struct db *db, struct arena *a)
{
    static const char *const moves[] = {
        "UPDATE campaigns SET status = 'running', updated_at = now()"
        " WHERE status = 'scheduled' AND schedule_at <= now()",
        /* An open attempt's request may have gone: it is left to finish or reconcile. */
        "UPDATE campaign_messages m SET state = 'skipped', reason = 'canceled', next_attempt_at = NULL,"
        " updated_at = now() FROM campaigns k WHERE k.id = m.campaign_id AND k.org_id = m.org_id"
        " AND k.status = 'canceled' AND m.state = 'queued' AND NOT m.attempt_open",
        "UPDATE campaigns k SET status = 'completed', updated_at = now() WHERE k.status = 'running'"
        " AND NOT EXISTS (SELECT 1 FROM campaign_messages m WHERE m.org_id = k.org_id"
        " AND m.campaign_id = k.id AND m.state = 'queued')",
    };
    static const char *const names[] = { "dispatch_start", "dispatch_cancel", "dispatch_complete" };
    if (db_begin(db) != 0) return -1;
    for (size_t i = 0; i < 3; i++)
        if (!db_q0(db, a, names[i], moves[i])) goto fail;
    /* A canceled campaign's messages whose attempt is open (their request may have
     * gone) are settled by asking the provider, when their lease runs out. */
    struct dbres *r = db_q0(db, a, "dispatch_due",
                            "SELECT k.id, k.org_id, EXISTS (SELECT 1 FROM campaign_messages m"
                            " WHERE m.org_id = k.org_id AND m.campaign_id = k.id AND m.state = 'queued'"
                            " AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= now()))"
                            " AND (k.status = 'canceled' OR coalesce(k.dispatch_next_at, '-infinity') <= now())"
                            " FROM campaigns k WHERE k.status = 'running' OR (k.status = 'canceled' AND EXISTS"
                            " (SELECT 1 FROM campaign_messages m WHERE m.org_id = k.org_id AND m.campaign_id = k.id"
                            " AND m.state = 'queued'))");
    if (!r) goto fail;
    for (int i = 0; i < db_rows(r); i++) {
        if (!db_bool(r, i, 2)) continue;
        struct buf payload, key;
        buf_init(&payload, a, 64);
        buf_printf(&payload, "{\"campaign_id\":\"%s\"}", db_cstr(r, i, 0));
        buf_init(&key, a, 64);
        buf_printf(&key, CAMPAIGN_SEND_KIND ":%s", db_cstr(r, i, 0));
        /* A running campaign is sent by a job about every second; the finished ones
         * say nothing a failed or dead one would not, so they are not kept. */
        if (!db_q(db, a, "dispatch_forget_done", "DELETE FROM jobs WHERE unique_key = $1 AND status = 'done'",
                  buf_cstr(&key)) ||
            job_enqueue(db, a, db_cstr(r, i, 1), CAMPAIGN_SEND_KIND, buf_cstr(&payload), buf_cstr(&key), 3) < 0)
            goto fail;
    }
    if (db_commit(db) != 0) return -1;
    return db_rows(r);
fail:
    db_rollback(db);
    return -1;
}

/* The campaign's texts and its org's provider settings, secrets opened. */
struct sender {
    const char *org_id, *campaign_id, *slug, *org_name;
    str sms, subject, email_body, voice;
    const char *twilio_base, *twilio_from, *twilio_sid, *twilio_token;
    const char *sendgrid_base, *sendgrid_from, *sendgrid_key;
    const char *public_url;
    bool canceled;
    bool uses[2]; /* the campaign has channels of Twilio (SMS, voice), of SendGrid (email) */
};

enum { S_SMS, S_SUBJECT, S_EMAIL, S_VOICE, S_SLUG, S_ORG, S_TW_BASE, S_TW_FROM, S_SG_BASE, S_SG_FROM,
       S_TW_SID, S_TW_TOKEN, S_SG_KEY, S_CANCELED, S_TWILIO, S_SENDGRID };

#define SEALED(key) \
    " (SELECT translate(encode(ciphertext, 'base64'), E'\\n', '') FROM org_secrets" \
    " WHERE org_id = o.id AND key = '" key "')"

/* Opens one sealed secret; "" when absent or unreadable (the send then fails as not
 * configured, which says what to fix). */
static const char *secret(struct job_ctx *c, const struct dbres *r, int col, const char *org_id, const char *key)
{
    if (db_isnull(r, 0, col)) return "";
    str out;
    if (org_secret_open_b64(c->a, str_from(c->cfg->secret_key), str_from(org_id), key, db_val(r, 0, col), &out) != 0)
        return "";
    return str_cstr(c->a, out);
}

static int load_sender(struct job_ctx *c, const char *org_id, const char *campaign_id, struct sender *s)
{
    struct dbres *r = db_q(c->db, c->a, "send_campaign",
                           "SELECT k.sms_body, k.email_subject, k.email_body, k.voice_script, o.slug, o.name,"
                           " o.twilio_base_url, o.twilio_from_number, o.sendgrid_base_url, o.sendgrid_from_email,"
                           SEALED("twilio_account_sid") "," SEALED("twilio_auth_token") "," SEALED("sendgrid_api_key")
                           ", k.status = 'canceled', k.channels && ARRAY['sms', 'voice'], 'email' = ANY(k.channels)"
                           " FROM campaigns k JOIN orgs o ON o.id = k.org_id WHERE k.id = $1::uuid AND k.org_id = $2::uuid",
                           campaign_id, org_id);
    if (!r) return -1;
    if (db_rows(r) == 0) return 0;
    *s = (struct sender){ .org_id = org_id, .campaign_id = campaign_id, .slug = db_cstr(r, 0, S_SLUG),
                          .org_name = db_cstr(r, 0, S_ORG), .sms = db_val(r, 0, S_SMS),
                          .subject = db_val(r, 0, S_SUBJECT), .email_body = db_val(r, 0, S_EMAIL),
                          .voice = db_val(r, 0, S_VOICE), .twilio_base = db_cstr(r, 0, S_TW_BASE),
                          .twilio_from = db_cstr(r, 0, S_TW_FROM), .sendgrid_base = db_cstr(r, 0, S_SG_BASE),
                          .sendgrid_from = db_cstr(r, 0, S_SG_FROM), .public_url = c->cfg->public_url,
                          .canceled = db_bool(r, 0, S_CANCELED),
                          .uses = { db_bool(r, 0, S_TWILIO), db_bool(r, 0, S_SENDGRID) } };
    s->twilio_sid = secret(c, r, S_TW_SID, org_id, "twilio_account_sid");
    s->twilio_token = secret(c, r, S_TW_TOKEN, org_id, "twilio_auth_token");
    s->sendgrid_key = secret(c, r, S_SG_KEY, org_id, "sendgrid_api_key");
    return 1;
}

/* How many messages the campaign's pace allows now (GCRA): one per 60/rate seconds,
 * with up to a second's worth (at least one) at once. lag_s is how far ahead the
 * campaign's dispatch_next_at is (0 when due). */
static int pace_allows(long rate, double lag_s, double *interval)
{
    *interval = 60.0 / (double)rate;
    double tau = *interval > 1.0 ? *interval : 1.0;
    if (lag_s > tau - *interval) return 0;
    double n = floor((tau - lag_s) / *interval + 1e-9);
    return n > CLAIM_MAX ? CLAIM_MAX : (int)n;
}

/* The org's pace with one provider, shared by all its campaigns and workers
 * (provider_pace, 0034): slots one per 1/rate seconds from start on. */
struct provider_slots {
    const char *name;
    double rate;       /* requests a second aimed at: PACE_SHARE of the org's limit */
    const char *start; /* the first slot, epoch seconds (the database's clock) */
    int allowed, taken;
    double wait_s;     /* allowed is 0: how long until slots are within reach */
};

enum { P_TWILIO, P_SENDGRID, P_COUNT };

/* Locks the org's provider_pace rows and reads how many slots fall within
 * CLAIM_LEAD_S after the first one a batch can use (SLOT_PREP_S from now). */
static bool lock_slots(struct job_ctx *c, const struct sender *s, struct provider_slots p[P_COUNT])
{
    if (!db_q(c->db, c->a, "send_pace_rows",
              "INSERT INTO provider_pace (org_id, provider) VALUES ($1::uuid, 'twilio'), ($1::uuid, 'sendgrid')"
              " ON CONFLICT DO NOTHING",
              s->org_id))
        return false;
    struct dbres *r = db_q(c->db, c->a, "send_pace_lock",
                           "WITH t AS (SELECT clock_timestamp() AS now)"
                           " SELECT p.provider, CASE p.provider WHEN 'twilio' THEN o.twilio_rate_per_s"
                           " ELSE o.sendgrid_rate_per_s END,"
                           " extract(epoch FROM greatest(p.next_at, t.now + make_interval(secs => $2::float8))),"
                           " extract(epoch FROM greatest(p.next_at, t.now + make_interval(secs => $2::float8)) - t.now)"
                           " FROM provider_pace p JOIN orgs o ON o.id = p.org_id, t WHERE p.org_id = $1::uuid"
                           " ORDER BY p.provider DESC FOR UPDATE OF p",
                           s->org_id, STRINGIFY(SLOT_PREP_S));
    if (!r || db_rows(r) != P_COUNT) return false;
    for (int i = 0; i < P_COUNT; i++) {
        double rate = (double)db_long(r, i, 1) * PACE_SHARE, ahead = atof(db_cstr(r, i, 3));
        double horizon = SLOT_PREP_S + CLAIM_LEAD_S;
        double n = ahead > horizon ? 0 : floor((horizon - ahead) * rate + 1e-9) + 1;
        p[i] = (struct provider_slots){ .name = db_cstr(r, i, 0), .rate = rate, .start = db_cstr(r, i, 2),
                                        .allowed = n > CLAIM_MAX ? CLAIM_MAX : (int)n,
                                        .wait_s = ahead > horizon ? ahead - horizon : 0 };
    }
    return strcmp(p[P_TWILIO].name, "twilio") == 0;
}

/* Moves the provider's next free slot past the ones taken. */
static bool take_slots(struct job_ctx *c, const struct sender *s, const struct provider_slots *p)
{
    if (p->taken == 0) return true;
    char after[32];
    snprintf(after, sizeof after, "%.6f", (double)p->taken / p->rate);
    return db_q(c->db, c->a, "send_pace_take",
                "UPDATE provider_pace SET next_at = to_timestamp($3::float8 + $4::float8)"
                " WHERE org_id = $1::uuid AND provider = $2",
                s->org_id, p->name, p->start, after) != NULL;
}

/* The claimed rows' columns. */
enum { M_ID, M_CHANNEL, M_TO, M_ATTEMPTS, M_DOUBT, M_SINCE, M_FIRST, M_LAST, M_COMPANY, M_PHONE, M_EMAIL,
       M_ADDRESS, M_BLOCKED, M_SINCE_S };

/* Records the attempt of up to n due messages of one provider (email: SendGrid; SMS
 * and voice: Twilio). */
static struct dbres *claim_some(struct job_ctx *c, const struct sender *s, bool email, int n)
{
    char limit[16], lease[16];
    snprintf(limit, sizeof limit, "%d", n);
    snprintf(lease, sizeof lease, "%d", c->cfg->http_timeout_s + LEASE_MARGIN_S);
    /* Quiet hours: the contact's zone, else the org's; the campaign's window, else the org's. */
    return db_q(
        c->db, c->a, "send_claim",
        "WITH due AS (SELECT m.id, m.attempt_open AS doubt, m.attempt_started_at AS since"
        " FROM campaign_messages m JOIN contacts ct ON ct.id = m.contact_id"
        " JOIN campaigns k ON k.id = m.campaign_id JOIN orgs o ON o.id = m.org_id"
        " WHERE m.org_id = $1::uuid AND m.campaign_id = $2::uuid AND m.state = 'queued'"
        " AND (m.channel = 'email') = $5::bool"
        " AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= now())"
        " AND NOT sb_quiet_at((now() AT TIME ZONE coalesce(nullif(ct.time_zone, ''), o.timezone))::time,"
        "   coalesce(k.quiet_start, split_part(o.quiet_hours, '-', 1)::time),"
        "   coalesce(k.quiet_end, split_part(o.quiet_hours, '-', 2)::time))"
        " ORDER BY m.next_attempt_at NULLS FIRST, m.id LIMIT $3::int FOR UPDATE OF m SKIP LOCKED)"
        " UPDATE campaign_messages m SET attempt_open = true, attempt_started_at = now(),"
        " attempts = m.attempts + 1, next_attempt_at = now() + make_interval(secs => $4::int), updated_at = now()"
        " FROM due, contacts ct WHERE m.id = due.id AND ct.id = m.contact_id"
        " RETURNING m.id, m.channel, m.to_address, m.attempts, due.doubt,"
        " coalesce(to_char((due.since - interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ''),"
        " ct.first_name, ct.last_name, ct.company, coalesce(ct.phone, ''), coalesce(ct.email, ''),"
        " ct.property_address,"
        " CASE WHEN ct.do_not_contact THEN 'do_not_contact' WHEN ct.deleted_at IS NOT NULL THEN 'deleted'"
        "  WHEN (m.channel = 'sms' AND ct.opt_out_sms) OR (m.channel = 'voice' AND ct.opt_out_voice)"
        "  OR (m.channel = 'email' AND ct.opt_out_email) THEN 'opted_out' ELSE '' END,"
        " coalesce(extract(epoch FROM due.since)::bigint, 0)",
        s->org_id, s->campaign_id, limit, lease, email ? "true" : "false");
}

/* The provider's breaker is open: its due messages are held back until the probe time
 * (reason breaker_open), untouched otherwise (no attempt is recorded). */
static bool hold_for_breaker(struct job_ctx *c, const struct sender *s, bool email, time_t retry_at)
{
    char at[24];
    snprintf(at, sizeof at, "%ld", (long)retry_at);
    return db_q(c->db, c->a, "send_hold",
                "UPDATE campaign_messages SET reason = 'breaker_open',"
                " next_attempt_at = greatest(to_timestamp($4::bigint), now()), updated_at = now()"
                " WHERE org_id = $1::uuid AND campaign_id = $2::uuid AND state = 'queued'"
                " AND (channel = 'email') = $3::bool AND (next_attempt_at IS NULL OR next_attempt_at <= now())",
                s->org_id, s->campaign_id, email ? "true" : "false", at) != NULL;
}

/* The campaigns one job sends for: its own first, then the org's other running ones. */
struct senders {
    int n;
    struct sender s[SEND_CAMPAIGNS_MAX];
};

/* Asks each provider's breaker (in its own transaction, before the claim's) how many
 * of the org's messages may go: no limit, one (the probe), or none (every campaign's
 * are held back). */
static bool ask_breakers(struct job_ctx *c, const struct senders *all, int most[P_COUNT])
{
    static const char *const names[P_COUNT] = { "twilio", "sendgrid" };
    for (int i = 0; i < P_COUNT; i++) {
        most[i] = CLAIM_MAX;
        bool used = false;
        for (int k = 0; k < all->n; k++) used |= all->s[k].uses[i];
        if (!used) continue;
        time_t retry_at = time(NULL) + 1;
        enum breaker_verdict v = provider_breaker_allow(c->db, c->a, c->cfg, all->s[0].org_id, names[i], &retry_at);
        if (v == BREAKER_PROBE) most[i] = 1;
        if (v != BREAKER_REJECT) continue;
        most[i] = 0;
        for (int k = 0; k < all->n; k++)
            if (all->s[k].uses[i] && !hold_for_breaker(c, &all->s[k], i == P_SENDGRID, retry_at)) return false;
    }
    return true;
}

/* One claim: for each campaign (as in struct senders) its messages of each provider,
 * and where their slots begin among the provider's slots of the batch. */
struct batch {
    struct provider_slots p[P_COUNT];
    struct dbres *got[SEND_CAMPAIGNS_MAX][P_COUNT];
    int slot0[SEND_CAMPAIGNS_MAX][P_COUNT];
};

/* Locks a campaign's row while it runs and reads how many messages its pace allows
 * now: 0 when it does not run (or, skip_locked, when another claim holds it). */
static int lock_campaign(struct job_ctx *c, const struct sender *s, bool skip_locked, double *lag, double *interval)
{
    struct dbres *k = db_q(c->db, c->a, skip_locked ? "send_pace_other" : "send_pace",
                           skip_locked ? "SELECT rate_per_minute, greatest(extract(epoch FROM"
                                         " coalesce(dispatch_next_at, now()) - now()), 0) FROM campaigns"
                                         " WHERE id = $1::uuid AND org_id = $2::uuid AND status = 'running'"
                                         " FOR UPDATE SKIP LOCKED"
                                       : "SELECT rate_per_minute, greatest(extract(epoch FROM"
                                         " coalesce(dispatch_next_at, now()) - now()), 0) FROM campaigns"
                                         " WHERE id = $1::uuid AND org_id = $2::uuid AND status = 'running'"
                                         " FOR UPDATE",
                           s->campaign_id, s->org_id);
    if (!k) return -1;
    if (db_rows(k) == 0) return 0;
    *lag = atof(db_cstr(k, 0, 1));
    return pace_allows(db_long(k, 0, 0), *lag, interval);
}

/* Claims up to n of one campaign's due messages, each provider's after the slots
 * already taken in this batch, within what the slots and breakers (most) leave. */
static int claim_campaign(struct job_ctx *c, const struct sender *s, int n, int k, struct batch *b,
                          const int most[P_COUNT])
{
    /* Which provider goes first alternates, so neither starves the other of the
     * campaign's pace. */
    int first = (int)(clock_mono_us() / 1000 % 2), total = 0;
    for (int j = 0; j < P_COUNT; j++) {
        int i = (first + j) % P_COUNT, want = n - total;
        struct provider_slots *p = &b->p[i];
        if (want > p->allowed - p->taken) want = p->allowed - p->taken;
        if (want > most[i] - p->taken) want = most[i] - p->taken;
        if (want <= 0 || !s->uses[i]) continue; /* no scan for a channel the campaign lacks */
        if (!(b->got[k][i] = claim_some(c, s, i == P_SENDGRID, want))) return -1;
        b->slot0[k][i] = p->taken;
        p->taken += db_rows(b->got[k][i]);
        total += db_rows(b->got[k][i]);
    }
    return total;
}

/* Nothing claimed: how long until a provider's slots are within reach, when a
 * campaign that could send waits only for them (0 otherwise). */
static int64_t slots_wait_us(const struct senders *all, const int allows[], const struct batch *b,
                             const int most[P_COUNT])
{
    double wait = 0;
    for (int k = 0; k < all->n; k++)
        for (int i = 0; allows[k] > 0 && i < P_COUNT; i++) {
            const struct provider_slots *p = &b->p[i];
            if (!all->s[k].uses[i] || most[i] == 0 || p->allowed > 0) continue;
            if (wait == 0 || p->wait_s < wait) wait = p->wait_s;
        }
    return (int64_t)(wait * 1e6) + 1000;
}

/* Records the attempt of the due messages the campaigns' paces and the org's provider
 * slots allow, and commits, before any request. Only while a campaign runs (its row
 * lock orders this with a pause or cancel), and only while the job's own campaign
 * runs: the others are taken along when no other claim holds them (SKIP LOCKED, so two
 * jobs never wait on each other's campaigns), the first of them in turn. Returns the
 * number claimed, or -1. When nothing was claimed only because another claim (another
 * worker's) holds the provider slots within reach, *wait_us says how long until the
 * next ones are: waiting for them, rather than ending the job, lets two workers take
 * turns, one claiming while the other sends. */
static int claim(struct job_ctx *c, const struct senders *all, unsigned turn, struct batch *b, int64_t *wait_us)
{
    *wait_us = 0;
    memset(b->got, 0, sizeof b->got);
    int most[P_COUNT];
    if (!ask_breakers(c, all, most)) return -1;
    if (db_begin(c->db) != 0) return -1;
    double lag[SEND_CAMPAIGNS_MAX] = { 0 }, interval[SEND_CAMPAIGNS_MAX] = { 0 };
    int allows[SEND_CAMPAIGNS_MAX] = { 0 }, total = 0;
    for (int k = 0; k < all->n; k++) {
        allows[k] = lock_campaign(c, &all->s[k], k > 0, &lag[k], &interval[k]);
        if (allows[k] < 0) goto fail;
        if (k == 0 && allows[0] == 0) {
            db_rollback(c->db);
            return 0;
        }
    }
    if (!lock_slots(c, &all->s[0], b->p)) goto fail;
    for (int j = 0; j < all->n; j++) {
        int k = j == 0 || all->n < 3 ? j : 1 + (int)((turn + (unsigned)j - 1) % (unsigned)(all->n - 1));
        if (allows[k] == 0) continue;
        int got = claim_campaign(c, &all->s[k], allows[k], k, b, most);
        if (got < 0) goto fail;
        total += got;
        char next[32];
        snprintf(next, sizeof next, "%.6f", lag[k] + got * interval[k]);
        if (got && !db_q(c->db, c->a, "send_pace_next",
                         "UPDATE campaigns SET dispatch_next_at = now() + make_interval(secs => $2::float8)"
                         " WHERE id = $1::uuid",
                         all->s[k].campaign_id, next))
            goto fail;
    }
    for (int i = 0; i < P_COUNT; i++)
        if (!take_slots(c, &all->s[0], &b->p[i])) goto fail;
    if (db_commit(c->db) != 0) goto fail;
    if (total == 0) *wait_us = slots_wait_us(all, allows, b, most);
    return total;
fail:
    db_rollback(c->db);
    return -1;
}

/* One claimed message, its texts rendered for its contact. */
struct message {
    const char *id, *channel, *to, *since, *blocked;
    long since_s; /* an open attempt's start, epoch seconds */
    int attempts;
    bool doubt;
    str text, subject, to_name;
};

static void message_of(struct job_ctx *c, const struct sender *s, const struct dbres *r, int i, struct message *m)
{
    str v[MF_COUNT] = {
        [MF_FIRST_NAME] = db_val(r, i, M_FIRST), [MF_LAST_NAME] = db_val(r, i, M_LAST),
        [MF_COMPANY] = db_val(r, i, M_COMPANY), [MF_PHONE] = db_val(r, i, M_PHONE),
        [MF_EMAIL] = db_val(r, i, M_EMAIL), [MF_PROPERTY_ADDRESS] = db_val(r, i, M_ADDRESS),
    };
    *m = (struct message){ .id = db_cstr(r, i, M_ID), .channel = db_cstr(r, i, M_CHANNEL),
                           .to = db_cstr(r, i, M_TO), .since = db_cstr(r, i, M_SINCE),
                           .blocked = db_cstr(r, i, M_BLOCKED), .attempts = (int)db_long(r, i, M_ATTEMPTS),
                           .since_s = db_long(r, i, M_SINCE_S),
                           .doubt = db_bool(r, i, M_DOUBT) };
    const char *ch = m->channel;
    str body = strcmp(ch, "sms") == 0 ? s->sms : strcmp(ch, "email") == 0 ? s->email_body : s->voice;
    m->text = merge_fields_render(c->a, body, v);
    if (strcmp(ch, "email") == 0) m->subject = merge_fields_render(c->a, s->subject, v);
    struct buf name;
    buf_init(&name, c->a, 64);
    buf_put(&name, v[MF_FIRST_NAME]);
    if (v[MF_FIRST_NAME].len && v[MF_LAST_NAME].len) buf_putc(&name, ' ');
    buf_put(&name, v[MF_LAST_NAME]);
    m->to_name = buf_str(&name);
}

/* ---- recording outcomes (each one statement: its own transaction) ---- */

static bool record_sent(struct job_ctx *c, const struct sender *s, const struct message *m, const char *provider,
                        str provider_id)
{
    return db_q(c->db, c->a, "send_sent",
                "UPDATE campaign_messages SET state = 'sent', provider = $3, provider_message_id = nullif($4, ''),"
                " sent_at = now(), attempt_open = false, next_attempt_at = NULL, reason = '', updated_at = now()"
                " WHERE id = $1::uuid AND org_id = $2::uuid AND state = 'queued'",
                m->id, s->org_id, provider, str_cstr(c->a, provider_id)) != NULL;
}

/* A placed call, in Calls with its campaign and contact (a voice-status callback may
 * have made the row first: it gets the links), with the message's record, in the
 * caller's transaction. */
static bool record_call(struct job_ctx *c, const struct sender *s, const struct message *m, str call_sid)
{
    return record_sent(c, s, m, "twilio", call_sid) &&
           db_q(c->db, c->a, "send_call_row",
                "INSERT INTO calls (org_id, direction, provider, provider_call_id, from_number, to_number,"
                " contact_id, status, campaign_id)"
                " SELECT m.org_id, 'outbound', 'twilio', $3, $4, m.to_address, m.contact_id, 'queued', m.campaign_id"
                " FROM campaign_messages m WHERE m.id = $1::uuid AND m.org_id = $2::uuid"
                " ON CONFLICT (org_id, provider, provider_call_id) DO UPDATE SET"
                " campaign_id = EXCLUDED.campaign_id, contact_id = coalesce(calls.contact_id, EXCLUDED.contact_id)",
                m->id, s->org_id, str_cstr(c->a, call_sid), s->twilio_from) != NULL;
}

/* record_call in a transaction of its own. */
static bool record_call_alone(struct job_ctx *c, const struct sender *s, const struct message *m, str call_sid)
{
    if (db_begin(c->db) != 0) return false;
    if (record_call(c, s, m, call_sid) && db_commit(c->db) == 0) return true;
    db_rollback(c->db);
    return false;
}

/* A closed attempt to retry after wait_ms; open stays true when no answer came (the
 * provider may have the message: the next attempt asks it first). */
static bool record_retry(struct job_ctx *c, const struct sender *s, const struct message *m, long wait_ms,
                         bool open, const char *why)
{
    /* No answer: the request may still be on its way into the provider (a busy host
     * reads it from its socket after our timeout), and a search made now could miss a
     * message that is then sent anyway. So it is asked only a whole lease later, as
     * after a worker killed mid-request. */
    long settle_ms = (long)(c->cfg->http_timeout_s + LEASE_MARGIN_S) * 1000;
    if (open && wait_ms < settle_ms) wait_ms = settle_ms;
    char ms[24];
    snprintf(ms, sizeof ms, "%ld", wait_ms);
    return db_q(c->db, c->a, "send_retry",
                "UPDATE campaign_messages SET attempt_open = $3::bool, reason = left($5, 200),"
                " next_attempt_at = now() + make_interval(secs => $4::bigint / 1000.0), updated_at = now()"
                " WHERE id = $1::uuid AND org_id = $2::uuid AND state = 'queued'",
                m->id, s->org_id, open ? "true" : "false", ms, why) != NULL;
}

static bool record_final(struct job_ctx *c, const struct sender *s, const struct message *m, const char *state,
                         const char *reason, bool undo_attempt)
{
    return db_q(c->db, c->a, "send_final",
                "UPDATE campaign_messages SET state = $3, reason = left($4, 200), attempt_open = false,"
                " next_attempt_at = NULL, attempts = attempts - $5::int,"
                " failed_at = CASE WHEN $3 = 'failed' THEN now() END, updated_at = now()"
                " WHERE id = $1::uuid AND org_id = $2::uuid AND state = 'queued'",
                m->id, s->org_id, state, reason, undo_attempt ? "1" : "0") != NULL;
}

/* ---- requests ---- */

static const char *url_of(struct arena *a, const char *base, str path)
{
    struct buf b;
    buf_init(&b, a, 128);
    buf_puts(&b, base);
    buf_put(&b, path);
    return buf_cstr(&b);
}

/* Our callback URL for a message: public_url + path + ?message_id=; empty when
 * public_url is not set (no callbacks then). */
static str callback_of(struct arena *a, const struct sender *s, const char *what, const char *id)
{
    if (!s->public_url || !*s->public_url) return STR("");
    struct buf b;
    buf_init(&b, a, 160);
    buf_printf(&b, "%s/webhooks/%s/%s?message_id=%s", s->public_url, s->slug, what, id);
    return buf_str(&b);
}

/* The form without its StatusCallback field when there is no callback URL. */
static str drop_empty_callback(str form)
{
    static const char tail[] = "&StatusCallback=";
    if (form.len >= sizeof tail - 1 && memcmp(form.ptr + form.len - (sizeof tail - 1), tail, sizeof tail - 1) == 0)
        form.len -= sizeof tail - 1;
    return form;
}

/* Builds the provider request for a message; NULL-reason when ready, else why not. */
static const char *request_of(struct job_ctx *c, const struct sender *s, const struct message *m,
                              struct provider_request *rq, const char **provider)
{
    bool email = strcmp(m->channel, "email") == 0, sms = strcmp(m->channel, "sms") == 0;
    if (email) {
        if (!*s->sendgrid_key || !*s->sendgrid_from) return "sendgrid_not_configured";
        struct sendgrid_mail mail = { .from_email = str_from(s->sendgrid_from), .from_name = str_from(s->org_name),
                                      .to_email = str_from(m->to), .to_name = m->to_name,
                                      .subject = m->subject, .text = m->text, .message_id = str_from(m->id) };
        *rq = (struct provider_request){ .method = "POST", .bearer = s->sendgrid_key,
                                         .url = url_of(c->a, s->sendgrid_base, STR(SENDGRID_SEND_PATH)),
                                         .content_type = "application/json",
                                         .body = sendgrid_mail_json(c->a, &mail) };
        *provider = "sendgrid";
        return NULL;
    }
    str path = sms ? twilio_messages_path(c->a, str_from(s->twilio_sid))
                   : twilio_calls_path(c->a, str_from(s->twilio_sid));
    if (!path.ptr || !*s->twilio_token || !*s->twilio_from) return "twilio_not_configured";
    str form = sms ? twilio_message_form(c->a, str_from(m->to), str_from(s->twilio_from), m->text,
                                         callback_of(c->a, s, "twilio/sms-status", m->id))
                   : twilio_call_form(c->a, str_from(m->to), str_from(s->twilio_from), m->text,
                                      callback_of(c->a, s, "twilio/voice-status", m->id));
    *rq = (struct provider_request){ .method = "POST", .url = url_of(c->a, s->twilio_base, path),
                                     .basic_user = s->twilio_sid, .basic_password = s->twilio_token,
                                     .content_type = "application/x-www-form-urlencoded",
                                     .body = drop_empty_callback(form) };
    *provider = "twilio";
    return NULL;
}

/* The provider's words for a refusal: "twilio_21211", "sendgrid_400", "http_500". */
static const char *refusal_reason(struct arena *a, const char *provider, const struct provider_reply *r)
{
    struct buf b;
    buf_init(&b, a, 48);
    long code = 0;
    str msg;
    if (strcmp(provider, "twilio") == 0) twilio_parse_error(a, r->body, &code, &msg);
    if (r->status == 0) buf_puts(&b, "no_answer");
    else if (code > 0) buf_printf(&b, "%s_%ld", provider, code);
    else if (r->status >= 500 || r->status == 429 || r->status == 408) buf_printf(&b, "http_%d", r->status);
    else buf_printf(&b, "%s_%d", provider, r->status);
    return buf_cstr(&b);
}

static uint64_t jitter(void)
{
    uint64_t v = 0;
    if (crypto_random(&v, sizeof v) != 0) v = (uint64_t)clock_mono_us() * 0x9e3779b97f4a7c15ULL;
    return v;
}

/* The provider's id in a 2xx answer: Twilio's sid from the body, SendGrid's header. */
static str provider_id_of(struct job_ctx *c, const char *provider, const struct provider_reply *r)
{
    str sid = r->message_id, status;
    if (strcmp(provider, "twilio") == 0 && !twilio_parse_created(c->a, r->body, &sid, &status)) sid = STR("");
    return sid;
}

/* Records what one request's answer means. */
static bool record_answer(struct job_ctx *c, const struct sender *s, const struct message *m, const char *provider,
                          const struct provider_reply *r)
{
    if (r->status >= 200 && r->status < 300) {
        str sid = provider_id_of(c, provider, r);
        if (strcmp(m->channel, "voice") == 0 && sid.len) return record_call(c, s, m, sid);
        return record_sent(c, s, m, provider, sid);
    }
    struct attempt_result ar = { .http_status = r->status, .retry_after = r->retry_after };
    struct retry_decision d = retry_decide(&retry_send_policy, m->attempts, ar, time(NULL), jitter());
    const char *why = refusal_reason(c->a, provider, r);
    if (d.outcome == RETRY_LATER) return record_retry(c, s, m, d.wait_ms, r->status == 0, why);
    return record_final(c, s, m, "failed", why, false);
}

/* ---- reconciliation ---- */

enum found { FOUND, NOT_FOUND, UNKNOWN };

/* A search of the account's Messages or Calls (path) sent to a number: the URL so far,
 * for the caller to add its own filters. */
static struct buf twilio_search_url(struct job_ctx *c, const struct sender *s, str path, const char *to)
{
    struct buf url;
    buf_init(&url, c->a, 256);
    buf_puts(&url, s->twilio_base);
    buf_put(&url, path);
    buf_puts(&url, "?To=");
    buf_url_arg(&url, str_from(to));
    return url;
}

/* GETs the search; true when Twilio answered 200 (*r holds the answer). */
static bool twilio_search(struct job_ctx *c, const struct sender *s, struct buf *url, struct provider_reply *r)
{
    struct provider_request rq = { .method = "GET", .url = buf_cstr(url), .basic_user = s->twilio_sid,
                                   .basic_password = s->twilio_token };
    provider_http(c->a, c->cfg, &rq, r);
    return r->status == 200;
}

/* Twilio: the account's messages to this number sent since the day before the open
 * attempt, matched by the text (Twilio's message resource does not show the
 * StatusCallback, which carries our id). */
static enum found reconcile_twilio(struct job_ctx *c, const struct sender *s, const struct message *m, str *sid)
{
    str path = twilio_messages_path(c->a, str_from(s->twilio_sid));
    if (!path.ptr) return UNKNOWN;
    struct buf url = twilio_search_url(c, s, path, m->to);
    if (*m->since) buf_printf(&url, "&DateSent%%3E%%3D=%s", m->since);
    buf_puts(&url, "&PageSize=1000");
    struct provider_reply r;
    if (!twilio_search(c, s, &url, &r)) return UNKNOWN;
    struct json_object *root = json_tokener_parse(str_cstr(c->a, r.body)), *list, *e, *v;
    enum found f = UNKNOWN;
    if (root && json_object_object_get_ex(root, "messages", &list) && json_object_is_type(list, json_type_array)) {
        f = NOT_FOUND;
        for (size_t i = 0; i < json_object_array_length(list) && f == NOT_FOUND; i++) {
            e = json_object_array_get_idx(list, i);
            if (!json_object_object_get_ex(e, "body", &v) || !str_eq(str_from(json_object_get_string(v)), m->text))
                continue;
            if (json_object_object_get_ex(e, "sid", &v)) *sid = str_dup(c->a, str_from(json_object_get_string(v)));
            f = FOUND;
        }
    }
    json_object_put(root);
    return f;
}

/* The sid is already another message's (a call to the same number placed for another
 * campaign): not ours. */
static bool call_taken(struct job_ctx *c, const struct sender *s, const struct message *m, str sid)
{
    struct dbres *r = db_q(c->db, c->a, "send_call_taken",
                           "SELECT EXISTS (SELECT 1 FROM campaign_messages WHERE org_id = $1::uuid"
                           " AND provider_message_id = $2 AND id <> $3::uuid)",
                           s->org_id, str_cstr(c->a, sid), m->id);
    return !r || db_bool(r, 0, 0);
}

/* Twilio Calls: the account's calls to this number from ours, created since a minute
 * before the open attempt (clocks differ), that no other message has. The call's
 * resource does not show the StatusCallback, which carries our id; a voice message is
 * one call per contact and campaign, so a call placed since the attempt is its call.
 * If a call of another campaign to the same number were taken for it, this message
 * would be counted as called once too few, never twice. */
static enum found reconcile_twilio_call(struct job_ctx *c, const struct sender *s, const struct message *m, str *sid)
{
    str path = twilio_calls_path(c->a, str_from(s->twilio_sid));
    if (!path.ptr || !m->since_s) return UNKNOWN;
    struct buf url = twilio_search_url(c, s, path, m->to);
    buf_puts(&url, "&From=");
    buf_url_arg(&url, str_from(s->twilio_from));
    buf_puts(&url, "&PageSize=50");
    struct provider_reply r;
    str sids[50];
    int n = 0;
    if (!twilio_search(c, s, &url, &r) || !twilio_calls_since(c->a, r.body, (time_t)m->since_s - 60, sids, 50, &n))
        return UNKNOWN;
    for (int i = 0; i < n; i++)
        if (!call_taken(c, s, m, sids[i])) {
            *sid = sids[i];
            return FOUND;
        }
    return NOT_FOUND;
}

/* SendGrid: the Email Activity API, searched for our id in the custom arguments. */
static enum found reconcile_sendgrid(struct job_ctx *c, const struct sender *s, const struct message *m, str *id)
{
    struct buf q, url;
    buf_init(&q, c->a, 96);
    buf_printf(&q, "unique_args['" SENDGRID_MESSAGE_ARG "']=\"%s\"", m->id);
    buf_init(&url, c->a, 256);
    buf_printf(&url, "%s/v3/messages?limit=10&query=", s->sendgrid_base);
    buf_url_arg(&url, buf_str(&q));
    struct provider_request rq = { .method = "GET", .url = buf_cstr(&url), .bearer = s->sendgrid_key };
    struct provider_reply r;
    provider_http(c->a, c->cfg, &rq, &r);
    if (r.status != 200) return UNKNOWN;
    struct json_object *root = json_tokener_parse(str_cstr(c->a, r.body)), *list, *v;
    enum found f = UNKNOWN;
    if (root && json_object_object_get_ex(root, "messages", &list) && json_object_is_type(list, json_type_array)) {
        f = json_object_array_length(list) ? FOUND : NOT_FOUND;
        if (f == FOUND && json_object_object_get_ex(json_object_array_get_idx(list, 0), "msg_id", &v))
            *id = str_dup(c->a, str_from(json_object_get_string(v)));
    }
    json_object_put(root);
    return f;
}

/* Settles an open attempt before anything is resent. Returns true when the message
 * may be sent now (the provider has no such message). */
static bool reconcile(struct job_ctx *c, const struct sender *s, const struct message *m, bool *ok)
{
    str id = STR("");
    bool email = strcmp(m->channel, "email") == 0, voice = strcmp(m->channel, "voice") == 0;
    enum found f = email ? reconcile_sendgrid(c, s, m, &id)
                 : voice ? reconcile_twilio_call(c, s, m, &id)
                         : reconcile_twilio(c, s, m, &id);
    /* A call found is in Calls with its campaign and contact, as if its answer had come. */
    if (f == FOUND) *ok = voice ? record_call_alone(c, s, m, id) : record_sent(c, s, m, email ? "sendgrid" : "twilio", id);
    if (f == UNKNOWN) {
        struct attempt_result ar = { .http_status = 0 };
        struct retry_decision d = retry_decide(&retry_send_policy, m->attempts, ar, time(NULL), jitter());
        *ok = d.outcome == RETRY_LATER ? record_retry(c, s, m, d.wait_ms, true, "reconciling")
                                       : record_final(c, s, m, "failed", "unconfirmed", false);
    }
    return f == NOT_FOUND;
}

/* One claimed message on its way: what to do with it once the batch has run. */
enum fate { F_SEND, F_SETTLED, F_BLOCKED, F_UNREADY };

struct item {
    const struct sender *s; /* its campaign */
    struct message m;
    enum fate fate;
    const char *provider, *why; /* why: F_BLOCKED's or F_UNREADY's reason */
    struct provider_request rq;
    int call;                   /* F_SEND: its index in the batch's calls */
    int64_t at_us;              /* its slot (clock_mono_us) */
};

/* Decides a claimed message's fate before the batch's requests: skipped (opted out
 * since), settled by reconciling an open attempt, not configured, or to send at its
 * slot. Reconciling records its own outcome at once (rare: after a crash or a lost
 * answer). */
static void prepare(struct job_ctx *c, struct item *it)
{
    const struct sender *s = it->s;
    const struct message *m = &it->m;
    if (*m->blocked) {
        it->fate = F_BLOCKED;
        it->why = m->blocked;
        return;
    }
    bool ok = true;
    if (m->doubt && !reconcile(c, s, m, &ok)) {
        if (!ok) c->error = db_last_message(c->db);
        it->fate = F_SETTLED;
        return;
    }
    it->why = request_of(c, s, m, &it->rq, &it->provider);
    it->fate = it->why ? F_UNREADY : F_SEND;
}

static bool record_item(struct job_ctx *c, const struct item *it, const struct provider_call *calls)
{
    const struct sender *s = it->s;
    switch (it->fate) {
    case F_SETTLED: return true;
    case F_BLOCKED: return record_final(c, s, &it->m, "skipped", it->why, true);
    case F_UNREADY: return record_final(c, s, &it->m, "failed", it->why, false);
    case F_SEND: break;
    }
    return record_answer(c, s, &it->m, it->provider, &calls[it->call].reply);
}

/* The breaker hears each answer of its provider, in one transaction per provider. */
static void tell_breaker(struct job_ctx *c, const struct sender *s, const struct item *items, int n,
                         const struct provider_call *calls, const char *provider)
{
    bool *transient = arena_alloc(c->a, (size_t)(n ? n : 1) * sizeof *transient);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (items[i].fate != F_SEND || strcmp(items[i].provider, provider) != 0) continue;
        const struct provider_reply *r = &calls[items[i].call].reply;
        if (r->not_sent) continue;
        transient[k++] = r->status == 0 || r->status == 408 || r->status == 429 || r->status >= 500;
    }
    if (k) provider_breaker_record_many(c->db, c->a, c->cfg, s->org_id, provider, transient, k);
}

/* Records a batch's outcomes: the common two (an SMS or email taken; a slot missed)
 * in one statement each, the others one by one. In the caller's transaction. */
static bool record_batch(struct job_ctx *c, const struct sender *s, const struct item *items, int n,
                         const struct provider_call *calls)
{
    struct buf sent, unsent;
    buf_init(&sent, c->a, 4096);
    buf_init(&unsent, c->a, 256);
    buf_putc(&sent, '[');
    buf_putc(&unsent, '[');
    for (int i = 0; i < n; i++) {
        const struct item *it = &items[i];
        const struct provider_reply *r = it->fate == F_SEND ? &calls[it->call].reply : NULL;
        if (r && r->not_sent) {
            buf_puts(&unsent, unsent.len > 1 ? ",{\"id\":" : "{\"id\":");
            buf_json_str(&unsent, str_from(it->m.id));
            buf_putc(&unsent, '}');
        } else if (r && r->status >= 200 && r->status < 300 && strcmp(it->m.channel, "voice") != 0) {
            buf_puts(&sent, sent.len > 1 ? ",{\"id\":" : "{\"id\":");
            buf_json_str(&sent, str_from(it->m.id));
            buf_printf(&sent, ",\"provider\":\"%s\",\"pid\":", it->provider);
            buf_json_str(&sent, provider_id_of(c, it->provider, r));
            buf_putc(&sent, '}');
        } else if (!record_item(c, it, calls)) {
            return false;
        }
    }
    buf_putc(&sent, ']');
    buf_putc(&unsent, ']');
    return (sent.len == 2 ||
            db_q(c->db, c->a, "send_sent_many",
                 "UPDATE campaign_messages m SET state = 'sent', provider = x.provider,"
                 " provider_message_id = nullif(x.pid, ''), sent_at = now(), attempt_open = false,"
                 " next_attempt_at = NULL, reason = '', updated_at = now()"
                 " FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, provider text, pid text)"
                 " WHERE m.id = x.id AND m.org_id = $1::uuid AND m.state = 'queued'",
                 s->org_id, buf_cstr(&sent))) &&
           (unsent.len == 2 ||
            db_q(c->db, c->a, "send_unsent_many",
                 "UPDATE campaign_messages m SET attempt_open = false, attempts = m.attempts - 1,"
                 " next_attempt_at = now(), updated_at = now()"
                 " FROM jsonb_to_recordset($2::jsonb) AS x(id uuid)"
                 " WHERE m.id = x.id AND m.org_id = $1::uuid AND m.state = 'queued'",
                 s->org_id, buf_cstr(&unsent)));
}

/* Sends one claimed batch: each request at its provider slot, concurrently, then
 * every outcome recorded in one transaction (one commit for the batch). false on a
 * database error: the attempts stay open and are reconciled after their lease. */
static bool send_batch(struct job_ctx *c, const struct senders *all, const struct batch *b)
{
    int n = 0;
    for (int k = 0; k < all->n; k++)
        for (int i = 0; i < P_COUNT; i++) n += b->got[k][i] ? db_rows(b->got[k][i]) : 0;
    struct item *items = arena_calloc(c->a, (size_t)(n ? n : 1), sizeof *items);
    struct provider_call *calls = arena_calloc(c->a, (size_t)(n ? n : 1), sizeof *calls);
    int j = 0, ncalls = 0;
    /* Slots are wall-clock times (the database's, the same clock on one host, NTP's
     * across hosts), turned into this process's monotonic clock once: a worker
     * descheduled after its claim still starts each request at its slot. */
    int64_t mono = clock_mono_us(), wall = clock_wall_us();
    for (int k = 0; k < all->n; k++)
        for (int i = 0; i < P_COUNT; i++)
            for (int row = 0; b->got[k][i] && row < db_rows(b->got[k][i]); row++, j++) {
                items[j].s = &all->s[k];
                message_of(c, items[j].s, b->got[k][i], row, &items[j].m);
                prepare(c, &items[j]);
                /* Row r of campaign k's messages of provider i has slot slot0 + r. */
                double at_s = atof(b->p[i].start) + (double)(b->slot0[k][i] + row) / b->p[i].rate;
                items[j].at_us = mono + ((int64_t)(at_s * 1e6) - wall);
            }
    for (int i = 0; i < n; i++) {
        if (items[i].fate != F_SEND) continue;
        items[i].call = ncalls;
        calls[ncalls] = (struct provider_call){ .rq = &items[i].rq, .at_us = items[i].at_us };
        ncalls++;
    }
    provider_http_batch(c->a, c->cfg, calls, (size_t)ncalls, SLOT_LATE_US);
    const struct sender *s = &all->s[0];
    tell_breaker(c, s, items, n, calls, "twilio");
    tell_breaker(c, s, items, n, calls, "sendgrid");
    if (db_begin(c->db) != 0) return false;
    if (!record_batch(c, s, items, n, calls)) {
        db_rollback(c->db);
        return false;
    }
    return db_commit(c->db) == 0;
}

/* A canceled campaign's messages with an open attempt, due (their lease or wait ran
 * out): up to CLAIM_MAX, locked, their lease renewed; the attempt's start is kept (the
 * provider is searched from the day before it). */
static struct dbres *claim_doubts(struct job_ctx *c, const struct sender *s)
{
    char limit[16], lease[16];
    snprintf(limit, sizeof limit, "%d", CLAIM_MAX);
    snprintf(lease, sizeof lease, "%d", c->cfg->http_timeout_s + LEASE_MARGIN_S);
    return db_q(c->db, c->a, "send_claim_doubts",
                "WITH due AS (SELECT m.id FROM campaign_messages m WHERE m.org_id = $1::uuid"
                " AND m.campaign_id = $2::uuid AND m.state = 'queued' AND m.attempt_open AND m.next_attempt_at <= now()"
                " ORDER BY m.next_attempt_at, m.id LIMIT $3::int FOR UPDATE OF m SKIP LOCKED)"
                " UPDATE campaign_messages m SET attempts = m.attempts + 1,"
                " next_attempt_at = now() + make_interval(secs => $4::int), updated_at = now()"
                " FROM due, contacts ct WHERE m.id = due.id AND ct.id = m.contact_id"
                " RETURNING m.id, m.channel, m.to_address, m.attempts, true,"
                " coalesce(to_char((m.attempt_started_at - interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ''),"
                " ct.first_name, ct.last_name, ct.company, coalesce(ct.phone, ''), coalesce(ct.email, ''),"
                " ct.property_address, '', coalesce(extract(epoch FROM m.attempt_started_at)::bigint, 0)",
                s->org_id, s->campaign_id, limit, lease);
}

/* Settles a canceled campaign's messages in doubt: the provider has it (sent), has
 * not (skipped, canceled: nothing is sent after a cancel), or cannot say yet (asked
 * again later, failed unconfirmed after the last attempt). */
static enum job_result settle_canceled(struct job_ctx *c, const struct sender *s)
{
    struct dbres *r = claim_doubts(c, s);
    if (!r) {
        c->error = db_last_message(c->db);
        return JOB_RETRY;
    }
    for (int i = 0; i < db_rows(r); i++) {
        struct message m;
        message_of(c, s, r, i, &m);
        bool ok = true;
        if (reconcile(c, s, &m, &ok)) ok = record_final(c, s, &m, "skipped", "canceled", false);
        if (!ok) c->error = db_last_message(c->db);
    }
    return JOB_DONE;
}

static const char *campaign_id_of(struct arena *a, const char *payload)
{
    struct json_object *root = json_tokener_parse(payload), *v;
    const char *id = NULL;
    if (root && json_object_object_get_ex(root, "campaign_id", &v) && json_object_is_type(v, json_type_string))
        id = arena_strdup(a, json_object_get_string(v));
    json_object_put(root);
    return id && str_is_uuid(str_from(id)) ? id : NULL;
}

/* Adds the org's running campaigns not yet in the list (after the job's own, up to
 * SEND_CAMPAIGNS_MAX): asked before every batch, so a campaign launched meanwhile is
 * sent along at once. One that cannot be read now is left to its own job. */
static bool load_others(struct job_ctx *c, struct senders *all)
{
    if (all->n >= SEND_CAMPAIGNS_MAX) return true;
    struct buf ids, room;
    buf_init(&ids, c->a, 40 * (size_t)all->n + 2);
    buf_putc(&ids, '{');
    for (int k = 0; k < all->n; k++) {
        if (k) buf_putc(&ids, ',');
        buf_puts(&ids, all->s[k].campaign_id);
    }
    buf_putc(&ids, '}');
    buf_init(&room, c->a, 8);
    buf_printf(&room, "%d", SEND_CAMPAIGNS_MAX - all->n);
    struct dbres *r = db_q(c->db, c->a, "send_others",
                           "SELECT id FROM campaigns WHERE org_id = $1::uuid AND status = 'running'"
                           " AND id <> ALL ($2::uuid[]) ORDER BY id LIMIT $3::int",
                           all->s[0].org_id, buf_cstr(&ids), buf_cstr(&room));
    if (!r) return false;
    for (int i = 0; i < db_rows(r) && all->n < SEND_CAMPAIGNS_MAX; i++)
        if (load_sender(c, all->s[0].org_id, db_cstr(r, i, 0), &all->s[all->n]) == 1) all->n++;
    return true;
}

enum job_result campaign_send_run(struct job_ctx *c, const struct job *j)
{
    const char *campaign_id = campaign_id_of(c->a, j->payload);
    if (!campaign_id || !*j->org_id) {
        c->error = "payload needs campaign_id and the job an org";
        return JOB_FAILED;
    }
    struct senders *all = arena_calloc(c->a, 1, sizeof *all);
    int found = load_sender(c, j->org_id, campaign_id, &all->s[0]);
    if (found <= 0) {
        if (found < 0) c->error = db_last_message(c->db);
        return found < 0 ? JOB_RETRY : JOB_DONE;
    }
    if (all->s[0].canceled) return settle_canceled(c, &all->s[0]);
    all->n = 1;
    int64_t until = clock_mono_us() + SEND_SLICE_US;
    for (unsigned turn = (unsigned)(clock_mono_us() / 1000); clock_mono_us() < until; turn++) {
        /* A worker runs one job at a time: sending the org's other running campaigns in
         * the same batches keeps both providers busy, whichever campaigns the workers
         * hold. */
        if (!load_others(c, all)) {
            c->error = db_last_message(c->db);
            return JOB_RETRY;
        }
        struct batch *b = arena_alloc(c->a, sizeof *b);
        int64_t wait_us;
        int n = claim(c, all, turn, b, &wait_us);
        if (n < 0) {
            c->error = db_last_message(c->db);
            return JOB_RETRY;
        }
        if (n == 0 && wait_us > 1000 && clock_mono_us() + wait_us < until) {
            usleep((useconds_t)wait_us);
            continue;
        }
        if (n == 0) break;
        if (!send_batch(c, all, b)) c->error = db_last_message(c->db);
    }
    return JOB_DONE;
}
