/* campaign_progress.c — a launched campaign's progress, as the campaign page shows it
 * and as its JSON twin (GET /api/v1/campaigns/{id}/stats) gives it for the page's live
 * refresh (static/js/campaign_live.js): messages per channel and state, a funnel,
 * errors by reason, the latest replies, the breaker of each provider it uses, and
 * whether its quiet hours hold messages back now. One loader feeds both views, so
 * the refreshed numbers are the ones a reload would show. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/campaign_status.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "campaign_input.h"
#include "campaigns.h"
#include "campaigns_sql.h"

static const char *const channel_names[3] = { "sms", "voice", "email" };
static const char *const channel_labels[3] = { "SMS", "Voice", "Email" };
static const char *const states[] = { "queued", "sent", "delivered", "failed", "skipped" };
enum { ST_QUEUED, ST_SENT, ST_DELIVERED, ST_FAILED, ST_SKIPPED, ST_REPLIED, N_COUNTS };

/* The page lists this many replies; the rest are counted ("N more"). */
#define REPLIES_SHOWN 10

struct progress {
    unsigned channels;      /* CH_SMS | CH_VOICE | CH_EMAIL */
    long n[3][N_COUNTS];    /* per channel: the states, then replied */
    long total[N_COUNTS];
    long messages, settled; /* all messages; those no longer queued */
    long sent_or_later;     /* sent or delivered: the provider took them */
    long replies;           /* replies in all (a contact may answer twice) */
    bool quiet_now;
    const char *quiet_opens; /* "HH:MM" in the org's zone */
    struct dbres *reasons, *problems, *replies_rows, *breakers;
};

/* The providers a campaign's channels go through, as a JSON array. */
static const char *providers_json(unsigned channels)
{
    if ((channels & (CH_SMS | CH_VOICE)) && (channels & CH_EMAIL)) return "[\"twilio\",\"sendgrid\"]";
    if (channels & CH_EMAIL) return "[\"sendgrid\"]";
    return "[\"twilio\"]";
}

static void count_states(struct progress *p, const struct dbres *q)
{
    for (int i = 0; i < db_rows(q); i++)
        for (int c = 0; c < 3; c++) {
            if (!str_eq_cstr(db_val(q, i, CS_CHANNEL), channel_names[c])) continue;
            for (int k = 0; k < ST_REPLIED; k++)
                if (str_eq_cstr(db_val(q, i, CS_STATE), states[k])) p->n[c][k] += db_long(q, i, CS_COUNT);
            p->n[c][ST_REPLIED] += db_long(q, i, CS_REPLIED);
        }
    for (int c = 0; c < 3; c++) {
        if (!(p->channels & (1u << c))) continue;
        for (int k = 0; k < N_COUNTS; k++) p->total[k] += p->n[c][k];
    }
    for (int k = 0; k < ST_REPLIED; k++) p->messages += p->total[k];
    p->settled = p->messages - p->total[ST_QUEUED];
    p->sent_or_later = p->total[ST_SENT] + p->total[ST_DELIVERED];
}

/* Whether the campaign's quiet hours hold messages back now (in the org's zone) and
 * when they end; 0, or -1 on a database error. */
static int quiet_load(struct request *r, const char *id, bool *quiet, const char **opens)
{
    struct dbres *q = campaign_quiet_now_query(r->db, r->arena, id);
    if (!q) return -1;
    if (db_rows(q)) *quiet = db_bool(q, 0, 0), *opens = db_cstr(q, 0, 1);
    return 0;
}

static int progress_load(struct request *r, const struct dbres *q, struct progress *p)
{
    const char *id = db_cstr(q, 0, CA_ID);
    struct campaign_in in;
    campaign_in_of_row(q, false, &in);
    *p = (struct progress){ .channels = in.channels, .quiet_opens = "" };
    struct dbres *counts = campaign_stats_query(r->db, r->arena, id);
    if (!counts || !(p->reasons = campaign_reasons_query(r->db, r->arena, id)) ||
        !(p->problems = campaign_problems_query(r->db, r->arena, id)) ||
        !(p->replies_rows = campaign_replies_query(r->db, r->arena, id, REPLIES_SHOWN)) ||
        !(p->breakers = campaign_breakers_query(r->db, r->arena, providers_json(in.channels))) ||
        quiet_load(r, id, &p->quiet_now, &p->quiet_opens))
        return app_db_status(r);
    count_states(p, counts);
    if (db_rows(p->replies_rows)) p->replies = db_long(p->replies_rows, 0, RP_TOTAL);
    return 0;
}

/* What a skipped or failed message's reason means, in words. */
static const char *reason_label(struct arena *a, str reason)
{
    static const char *const known[][2] = {
        { "do_not_contact", "On the do-not-contact list" },
        { "opted_out", "Opted out of this channel" },
        { "no_phone", "No phone number" },
        { "no_email", "No email address" },
        { "canceled", "Campaign canceled" },
        { "deleted", "Contact deleted" },
        { "unconfirmed", "No answer from the provider; not sent again" },
        { "twilio_not_configured", "Twilio is not set up for the organisation" },
        { "sendgrid_not_configured", "SendGrid is not set up for the organisation" },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (str_eq_cstr(reason, known[i][0])) return known[i][1];
    static const char *const prefixes[][2] = {
        { "twilio_", "Twilio error " }, { "sendgrid_", "SendGrid error " }, { "http_", "HTTP " } };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i][0]);
        if (reason.len > n && memcmp(reason.ptr, prefixes[i][0], n) == 0) {
            struct buf b;
            buf_init(&b, a, 48);
            buf_puts(&b, prefixes[i][1]);
            buf_put(&b, str_make(reason.ptr + n, reason.len - n));
            return buf_cstr(&b);
        }
    }
    return reason.len ? str_cstr(a, reason) : "No reason recorded";
}

static const char *breaker_label(str state)
{
    if (str_eq_cstr(state, "open")) return "Open";
    if (str_eq_cstr(state, "half_open")) return "Half-open: one trial message";
    return "Closed";
}

static const char *provider_label(str provider)
{
    return str_eq_cstr(provider, "sendgrid") ? "SendGrid" : "Twilio";
}

/* Whole percent of part in whole, 0 for an empty whole. */
static long percent(long part, long whole)
{
    return whole > 0 ? (part * 100 + whole / 2) / whole : 0;
}

/* ---- JSON ---- */

static struct json_object *counts_json(const long n[N_COUNTS])
{
    struct json_object *o = json_object_new_object();
    for (int k = 0; k < ST_REPLIED; k++) json_add_long(o, states[k], n[k]);
    json_add_long(o, "replied", n[ST_REPLIED]);
    return o;
}

static struct json_object *nullable(struct arena *a, str s)
{
    return s.len ? json_object_new_string(str_cstr(a, s)) : NULL;
}

static struct json_object *errors_json(struct request *r, const struct progress *p)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < db_rows(p->problems); i++) {
        struct json_object *o = json_object_new_object();
        json_add_str(o, "channel", db_val(p->problems, i, CP_CHANNEL));
        json_add_str(o, "state", db_val(p->problems, i, CP_STATE));
        json_add_str(o, "reason", db_val(p->problems, i, CP_REASON));
        json_add_cstr(o, "label", reason_label(r->arena, db_val(p->problems, i, CP_REASON)));
        json_add_long(o, "count", db_long(p->problems, i, CP_COUNT));
        json_object_array_add(a, o);
    }
    return a;
}

static struct json_object *replies_json(struct request *r, const struct progress *p)
{
    struct json_object *o = json_object_new_object(), *a = json_object_new_array();
    const struct dbres *q = p->replies_rows;
    for (int i = 0; i < db_rows(q); i++) {
        struct json_object *x = json_object_new_object();
        json_add_str(x, "id", db_val(q, i, RP_ID));
        json_object_object_add(x, "contact_id", nullable(r->arena, db_val(q, i, RP_CONTACT_ID)));
        json_add_str(x, "contact_name", db_val(q, i, RP_CONTACT_NAME));
        json_add_str(x, "channel", db_val(q, i, RP_CHANNEL));
        json_add_str(x, "body", db_val(q, i, RP_BODY));
        json_add_str(x, "received_at", db_val(q, i, RP_AT));
        json_add_str(x, "received_at_local", db_val(q, i, RP_AT_LOCAL));
        json_object_array_add(a, x);
    }
    json_add_long(o, "total", p->replies);
    json_object_object_add(o, "latest", a);
    return o;
}

static struct json_object *breakers_json(struct request *r, const struct progress *p)
{
    struct json_object *a = json_object_new_array();
    const struct dbres *q = p->breakers;
    for (int i = 0; i < db_rows(q); i++) {
        struct json_object *x = json_object_new_object();
        bool closed = str_eq_cstr(db_val(q, i, BK_STATE), "closed");
        json_add_str(x, "provider", db_val(q, i, BK_PROVIDER));
        json_add_str(x, "state", db_val(q, i, BK_STATE));
        json_add_cstr(x, "label", breaker_label(db_val(q, i, BK_STATE)));
        json_add_long(x, "failures", db_long(q, i, BK_FAILURES));
        json_object_object_add(x, "probe_at", closed ? NULL : nullable(r->arena, db_val(q, i, BK_PROBE_AT)));
        json_object_object_add(x, "probe_at_local", closed ? NULL : nullable(r->arena, db_val(q, i, BK_PROBE_LOCAL)));
        json_object_array_add(a, x);
    }
    return a;
}

static struct json_object *funnel_json(const struct progress *p)
{
    struct json_object *o = json_object_new_object();
    json_add_long(o, "messages", p->messages);
    json_add_long(o, "sent", p->sent_or_later);
    json_add_long(o, "delivered", p->total[ST_DELIVERED]);
    json_add_long(o, "replied", p->total[ST_REPLIED]);
    return o;
}

/* GET /api/v1/campaigns/{id}/stats — counts per channel of the campaign and state
 * (queued, sent, delivered, failed, skipped, replied), their totals, the skipped and
 * failed messages per channel and reason (reasons, as it always was), and what the
 * campaign page shows beside: status_label, final, audience_size, messages, settled,
 * funnel, errors, replies, breakers, quiet_now. */
int campaign_stats(struct request *r)
{
    int st;
    struct dbres *q = campaign_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    struct progress p;
    if ((st = progress_load(r, q, &p))) return st;
    enum campaign_status s = CAMPAIGN_DRAFT;
    campaign_status_parse(db_val(q, 0, CA_STATUS), &s);
    struct json_object *o = json_object_new_object(), *ch = json_object_new_object(), *why = json_object_new_object();
    for (int c = 0; c < 3; c++)
        if (p.channels & (1u << c)) json_object_object_add(ch, channel_names[c], counts_json(p.n[c]));
    for (int i = 0; i < db_rows(p.reasons); i++) {
        struct json_object *per;
        const char *c = db_cstr(p.reasons, i, CR_CHANNEL);
        if (!json_object_object_get_ex(why, c, &per)) {
            per = json_object_new_object();
            json_object_object_add(why, c, per);
        }
        json_add_long(per, db_cstr(p.reasons, i, CR_REASON), db_long(p.reasons, i, CR_COUNT));
    }
    json_add_str(o, "campaign_id", db_val(q, 0, CA_ID));
    json_add_str(o, "status", db_val(q, 0, CA_STATUS));
    json_add_cstr(o, "status_label", campaign_status_label(s));
    json_add_bool(o, "final", campaign_status_final(s));
    json_object_object_add(o, "channels", ch);
    json_object_object_add(o, "totals", counts_json(p.total));
    json_object_object_add(o, "reasons", why);
    json_add_long(o, "audience_size", db_long(q, 0, CA_AUDIENCE_SIZE));
    json_add_long(o, "messages", p.messages);
    json_add_long(o, "settled", p.settled);
    json_object_object_add(o, "funnel", funnel_json(&p));
    json_object_object_add(o, "errors", errors_json(r, &p));
    json_object_object_add(o, "replies", replies_json(r, &p));
    json_object_object_add(o, "breakers", breakers_json(r, &p));
    struct json_object *quiet = json_object_new_object();
    json_add_bool(quiet, "quiet", p.quiet_now);
    json_add_cstr(quiet, "opens_at", p.quiet_opens);
    json_object_object_add(o, "quiet_now", quiet);
    json_reply_data(r, 200, o);
    return 0;
}

/* ---- the page ---- */

static void fill_counts(struct tdict *p, const struct progress *g)
{
    static const char *const keys[N_COUNTS] = { "QUEUED", "SENT", "DELIVERED", "FAILED", "SKIPPED", "REPLIED" };
    for (int c = 0; c < 3; c++) {
        if (!(g->channels & (1u << c))) continue;
        struct tdict *x = tdict_add_section(p, "CHANNEL_ROW");
        tdict_set_cstr(x, "CHANNEL", channel_labels[c]);
        tdict_set_cstr(x, "CHANNEL_KEY", channel_names[c]);
        for (int k = 0; k < N_COUNTS; k++) tdict_set_long(x, keys[k], g->n[c][k]);
    }
    for (int k = 0; k < N_COUNTS; k++) {
        char key[24];
        snprintf(key, sizeof key, "T_%s", keys[k]);
        tdict_set_long(p, key, g->total[k]);
    }
    if (g->channels & (g->channels - 1)) tdict_show(p, "SEVERAL_CHANNELS");
    tdict_set_long(p, "MESSAGES", g->messages);
    tdict_set_long(p, "SETTLED", g->settled);
    tdict_set_long(p, "SETTLED_PCT", percent(g->settled, g->messages));
}

static void fill_funnel(struct tdict *p, const struct progress *g)
{
    const struct { const char *key, *label; long n; } stages[] = {
        { "messages", "Messages", g->messages },
        { "sent", "Sent", g->sent_or_later },
        { "delivered", "Delivered", g->total[ST_DELIVERED] },
        { "replied", "Replied", g->total[ST_REPLIED] },
    };
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
        struct tdict *x = tdict_add_section(p, "FUNNEL");
        tdict_set_cstr(x, "F_KEY", stages[i].key);
        tdict_set_cstr(x, "F_LABEL", stages[i].label);
        tdict_set_long(x, "F_N", stages[i].n);
        tdict_set_long(x, "F_MAX", g->messages > 0 ? g->messages : 1);
        tdict_set_long(x, "F_PCT", percent(stages[i].n, g->messages));
    }
}

static void fill_errors(struct request *r, struct tdict *p, const struct progress *g)
{
    for (int i = 0; i < db_rows(g->problems); i++) {
        struct tdict *x = tdict_add_section(p, "ERROR");
        int c = 0;
        while (c < 2 && !str_eq_cstr(db_val(g->problems, i, CP_CHANNEL), channel_names[c])) c++;
        tdict_set_cstr(x, "E_CHANNEL", channel_labels[c]);
        tdict_set_cstr(x, "E_STATE", str_eq_cstr(db_val(g->problems, i, CP_STATE), "failed") ? "Failed" : "Skipped");
        tdict_set_cstr(x, "E_LABEL", reason_label(r->arena, db_val(g->problems, i, CP_REASON)));
        tdict_set(x, "E_REASON", db_val(g->problems, i, CP_REASON));
        tdict_set_long(x, "E_COUNT", db_long(g->problems, i, CP_COUNT));
    }
    tdict_show(p, db_rows(g->problems) ? "HAS_ERRORS" : "NO_ERRORS");
}

static void fill_replies(struct tdict *p, const struct progress *g)
{
    const struct dbres *q = g->replies_rows;
    for (int i = 0; i < db_rows(q); i++) {
        struct tdict *x = tdict_add_section(p, "REPLY");
        if (db_val(q, i, RP_CONTACT_ID).len) {
            struct tdict *l = tdict_add_section(x, "REPLY_CONTACT");
            tdict_set(l, "CONTACT_ID", db_val(q, i, RP_CONTACT_ID));
            tdict_set(l, "CONTACT_NAME", db_val(q, i, RP_CONTACT_NAME).len ? db_val(q, i, RP_CONTACT_NAME) : STR("(no name)"));
        } else {
            tdict_show(x, "REPLY_NO_CONTACT");
        }
        tdict_set(x, "BODY", db_val(q, i, RP_BODY));
        tdict_set(x, "AT", db_val(q, i, RP_AT));
        tdict_set(x, "AT_LOCAL", db_val(q, i, RP_AT_LOCAL));
    }
    long more = g->replies - db_rows(q);
    tdict_set_long(p, "REPLIES_TOTAL", g->replies);
    tdict_set_long(p, "REPLIES_MORE", more > 0 ? more : 0);
    if (more <= 0) tdict_show(p, "REPLIES_MORE_HIDDEN");
    tdict_show(p, db_rows(q) ? "HAS_REPLIES" : "NO_REPLIES");
}

static void fill_breakers(struct tdict *p, const struct progress *g)
{
    const struct dbres *q = g->breakers;
    for (int i = 0; i < db_rows(q); i++) {
        struct tdict *x = tdict_add_section(p, "BREAKER");
        str state = db_val(q, i, BK_STATE);
        tdict_set(x, "B_PROVIDER", db_val(q, i, BK_PROVIDER));
        tdict_set_cstr(x, "B_PROVIDER_LABEL", provider_label(db_val(q, i, BK_PROVIDER)));
        tdict_set(x, "B_STATE", state);
        tdict_set_cstr(x, "B_LABEL", breaker_label(state));
        if (str_eq_cstr(state, "open") && db_val(q, i, BK_PROBE_LOCAL).len)
            tdict_set(tdict_add_section(x, "B_UNTIL"), "AT", db_val(q, i, BK_PROBE_LOCAL));
    }
}

int campaign_progress_fill(struct request *r, struct tdict *d, const struct dbres *q)
{
    struct progress g;
    int st = progress_load(r, q, &g);
    if (st) return st;
    struct tdict *p = tdict_add_section(d, "PROGRESS");
    enum campaign_status s = CAMPAIGN_DRAFT;
    campaign_status_parse(db_val(q, 0, CA_STATUS), &s);
    if (!campaign_status_final(s)) tdict_show(p, "LIVE");
    fill_counts(p, &g);
    fill_funnel(p, &g);
    fill_errors(r, p, &g);
    fill_replies(p, &g);
    fill_breakers(p, &g);
    return 0;
}

int campaign_quiet_fill(struct request *r, struct tdict *d, const struct dbres *q)
{
    bool quiet = false;
    const char *opens = "";
    if (quiet_load(r, db_cstr(q, 0, CA_ID), &quiet, &opens)) return app_db_status(r);
    if (quiet) tdict_set_cstr(tdict_add_section(d, "QUIET_NOW"), "OPENS", opens);
    return 0;
}
