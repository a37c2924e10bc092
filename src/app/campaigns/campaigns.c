/* campaigns.c — the campaign builder: the list (newest first, keyset pages), create
 * and edit (drafts only, versioned), a campaign's page with a preview for a sample
 * contact, delete (drafts only, with a confirmation page), the status actions
 * (launch, pause, resume, cancel); pages and JSON. The progress of a launched
 * campaign and its stats are campaign_progress.c's. A launch makes the
 * messages; the sender (src/jobs/campaign_send.c) sends them. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/campaign_status.h"
#include "../../domain/merge_fields.h"
#include "../../domain/sms_segments.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../common/cursor.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "../common/params.h"
#include "../deals/deal_common.h"
#include "campaign_input.h"
#include "campaigns.h"
#include "campaigns_sql.h"


/* ---- JSON of a campaign ---- */

static struct json_object *campaign_json(const struct dbres *q, int i)
{
    struct json_object *o = json_object_new_object(), *aud = json_object_new_object();
    json_add_str(o, "id", db_val(q, i, CA_ID));
    json_add_str(o, "name", db_val(q, i, CA_NAME));
    json_object_object_add(o, "channels", json_tokener_parse(db_cstr(q, i, CA_CHANNELS)));
    if (!db_isnull(q, i, CA_TAG)) json_add_str(aud, "tag", db_val(q, i, CA_TAG));
    else json_object_object_add(aud, "contact_ids", json_tokener_parse(db_cstr(q, i, CA_CONTACT_IDS)));
    json_object_object_add(o, "audience", aud);
    json_add_long(o, "audience_size", db_long(q, i, CA_AUDIENCE_SIZE));
    json_add_str(o, "sms_body", db_val(q, i, CA_SMS));
    json_add_str(o, "email_subject", db_val(q, i, CA_EMAIL_SUBJECT));
    json_add_str(o, "email_body", db_val(q, i, CA_EMAIL_BODY));
    json_add_str(o, "voice_script", db_val(q, i, CA_VOICE));
    json_add_str(o, "schedule_at", db_val(q, i, CA_SCHEDULE_AT).len ? db_val(q, i, CA_SCHEDULE_AT) : STR_NULL);
    if (db_isnull(q, i, CA_QUIET_START)) {
        json_object_object_add(o, "quiet_hours", NULL);
    } else {
        struct json_object *qh = json_object_new_object();
        json_add_str(qh, "start", db_val(q, i, CA_QUIET_START));
        json_add_str(qh, "end", db_val(q, i, CA_QUIET_END));
        json_object_object_add(o, "quiet_hours", qh);
    }
    json_add_long(o, "rate_per_minute", db_long(q, i, CA_RATE));
    json_add_str(o, "status", db_val(q, i, CA_STATUS));
    json_add_str(o, "launched_at", db_val(q, i, CA_LAUNCHED_AT).len ? db_val(q, i, CA_LAUNCHED_AT) : STR_NULL);
    json_add_long(o, "version", db_long(q, i, CA_VERSION));
    json_add_str(o, "created_at", db_val(q, i, CA_CREATED));
    json_add_str(o, "updated_at", db_val(q, i, CA_UPDATED));
    return o;
}

/* ---- loading and saving ---- */

struct dbres *campaign_load(struct request *r, str id, bool lock, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    struct dbres *q = campaign_one_query(r->db, r->arena, str_cstr(r->arena, id), lock);
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

static enum campaign_status status_of(const struct dbres *q)
{
    enum campaign_status s = CAMPAIGN_DRAFT;
    campaign_status_parse(db_val(q, 0, CA_STATUS), &s);
    return s;
}

static const char *campaign_href(struct request *r, str id, const char *suffix)
{
    struct buf b;
    buf_init(&b, r->arena, 80);
    buf_puts(&b, "/campaigns/");
    buf_put(&b, id);
    buf_puts(&b, suffix);
    return buf_cstr(&b);
}

/* Inserts (old NULL) or updates the campaign and its chosen contacts, with the audit
 * row. *row receives the stored campaign. */
static int campaign_save(struct request *r, const struct dbres *old, const struct campaign_in *in, struct dbres **row)
{
    struct arena *a = r->arena;
    const char *v[CV_COUNT] = {
        [CV_NAME] = str_cstr(a, in->name),
        [CV_CHANNELS] = campaign_channels_json(r, in->channels),
        [CV_TAG] = in->by_tag ? str_cstr(a, in->tag) : NULL,
        [CV_SMS] = str_cstr(a, in->sms_body),
        [CV_EMAIL_SUBJECT] = str_cstr(a, in->email_subject),
        [CV_EMAIL_BODY] = str_cstr(a, in->email_body),
        [CV_VOICE] = str_cstr(a, in->voice_script),
        [CV_SCHEDULE] = in->schedule_at.len ? str_cstr(a, in->schedule_at) : NULL,
        [CV_QUIET_START] = in->quiet_start.len ? str_cstr(a, in->quiet_start) : NULL,
        [CV_QUIET_END] = in->quiet_end.len ? str_cstr(a, in->quiet_end) : NULL,
        [CV_RATE] = str_cstr(a, str_of_long(a, in->rate_per_minute)),
    };
    struct dbres *q = campaign_write_query(r->db, a, v, old ? db_cstr(old, 0, CA_ID) : NULL);
    if (!q) return app_db_status(r);
    const char *id = db_cstr(q, 0, 0);
    if (old && !campaign_audience_clear(r->db, a, id)) return app_db_status(r);
    if (!in->by_tag && !campaign_audience_add(r->db, a, id, str_cstr(a, in->contact_ids))) return app_db_status(r);
    int st = audit_write(r, old ? "campaign.update" : "campaign.create", "campaign", str_from(id), NULL);
    if (st) return st;
    *row = campaign_load(r, str_from(id), false, &st);
    return *row ? 0 : st;
}

/* Answers a request its campaign's status does not allow: 409 with why. */
static int conflict_reply(struct request *r, const struct dbres *q, const char *doing)
{
    struct buf m;
    buf_init(&m, r->arena, 96);
    buf_printf(&m, "A %s campaign cannot be %s.", campaign_status_name(status_of(q)), doing);
    struct json_object *fields = json_object_new_object();
    json_add_str(fields, "status", db_val(q, 0, CA_STATUS));
    app_error(r, 409, buf_cstr(&m), fields);
    return REPLIED;
}

/* ---- the form ---- */

struct campaign_form {
    const struct dbres *row; /* the campaign edited; NULL: a new one */
    const struct campaign_in *in;
    long version;
    const char *notice;
    str find; /* the contact search typed in the form */
};

#define PICK_LIMIT 50

static void channel_boxes(struct tdict *d, unsigned channels)
{
    static const char *const shown[3] = { "CH_SMS", "CH_VOICE", "CH_EMAIL" };
    for (int c = 0; c < 3; c++)
        if (channels & (1u << c)) tdict_show(d, shown[c]);
}

/* A textarea written out by hand: its value; its message section (E_<NAME>) comes
 * from form_errors. */
static void textarea(struct tdict *d, const char *name, str value)
{
    form_set_value(d, name, value);
}

/* The contact picker: the chosen contacts (ticked), then up to PICK_LIMIT matching
 * the search, or the first ones by name. */
static int contact_picker(struct request *r, struct tdict *d, const struct campaign_form *f)
{
    const struct campaign_in *in = f->in;
    struct dbres *chosen = NULL, *found;
    if (in->n_contacts && !(chosen = campaign_contacts_named(r->db, r->arena, str_cstr(r->arena, in->contact_ids))))
        return app_db_status(r);
    const char *q = f->find.len ? param_like_escape(r->arena, f->find) : NULL;
    if (!(found = campaign_pick_contacts(r->db, r->arena, q, PICK_LIMIT))) return app_db_status(r);
    for (int pass = 0; pass < 2; pass++) {
        const struct dbres *res = pass ? found : chosen;
        for (int i = 0; res && i < db_rows(res); i++) {
            str id = db_val(res, i, PC_ID);
            if (pass && str_find(in->contact_ids, id) >= 0) continue;
            struct tdict *x = tdict_add_section(d, "PICK");
            tdict_set(x, "PICK_ID", id);
            tdict_set(x, "PICK_NAME", db_val(res, i, PC_NAME).len ? db_val(res, i, PC_NAME) : STR("(no name)"));
            tdict_set(x, "PICK_DETAIL", db_val(res, i, PC_PHONE).len ? db_val(res, i, PC_PHONE) : db_val(res, i, PC_EMAIL));
            if (!pass) tdict_show(x, "PICKED");
        }
    }
    if (!db_rows(found) && (!chosen || !db_rows(chosen))) tdict_show(d, f->find.len ? "PICK_NO_MATCH" : "PICK_NONE");
    return 0;
}

#define QUIET_NONE "none: messages go at any hour"

/* A quiet window as words: "21:00 to 08:00", or none when it starts where it ends
 * (sb_quiet_at holds nothing back then: that is how an org goes without). */
static str quiet_words(struct arena *a, str start, str end)
{
    if (str_eq(start, end)) return STR(QUIET_NONE);
    struct buf b;
    buf_init(&b, a, 24);
    buf_put(&b, start);
    buf_puts(&b, " to ");
    buf_put(&b, end);
    return buf_str(&b);
}

/* quiet_words of an org's "HH:MM-HH:MM". */
static str org_quiet_words(struct arena *a, str window)
{
    long dash = str_find(window, STR("-"));
    if (dash < 0) return window;
    return quiet_words(a, str_make(window.ptr, (size_t)dash),
                       str_make(window.ptr + dash + 1, window.len - (size_t)dash - 1));
}

/* Which quiet hours the org's choice means, and whether they hold messages back now:
 * a campaign launched in them waits, and the form says until when. */
static int org_quiet_fill(struct request *r, struct tdict *d)
{
    struct dbres *q = org_quiet_query(r->db, r->arena);
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1) return 0;
    tdict_set(d, "ORG_QUIET", org_quiet_words(r->arena, db_val(q, 0, 0)));
    if (db_bool(q, 0, 1)) tdict_set(tdict_add_section(d, "ORG_QUIET_NOW"), "OPENS", db_val(q, 0, 2));
    return 0;
}

/* form_render_fn: the new or edit form with ctx's values (a struct campaign_form). */
static int render_form(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct campaign_form *f = ctx;
    const struct campaign_in *in = f->in;
    struct tdict *d = page_dict(r, f->row ? "Edit campaign" : "New campaign", "campaigns/form.tpl");
    if (f->row) {
        tdict_show(d, "EDIT");
        tdict_set(d, "ID", db_val(f->row, 0, CA_ID));
        tdict_set_long(d, "VERSION", f->version);
    } else {
        tdict_show(d, "NEW");
    }
    if (f->notice) tdict_set_cstr(tdict_add_section(d, "NOTICE"), "MSG", f->notice);
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    struct tdict *x = form_field(d, "FIELD_NAME", e, "name", "Name", "text", in->name);
    tdict_set_long(tdict_add_section(x, "MAXLENGTH"), "N", CAMPAIGN_NAME_MAX);
    channel_boxes(d, in->channels);
    tdict_show(d, in->by_tag ? "AUD_TAG" : "AUD_CONTACTS");
    x = form_field(d, "FIELD_AUDIENCE_TAG", e, "audience_tag", "Tag", "text", in->tag);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Every contact with this tag when the campaign is launched.");
    x = form_field(d, "FIELD_FIND", NULL, "find", "Find contacts", "search", f->find);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Name, email, company or phone.");
    int st = contact_picker(r, d, f);
    if (st) return st;
    textarea(d, "sms_body", in->sms_body);
    struct sms_count c = sms_count(in->sms_body);
    tdict_set_long(d, "SMS_CHARS", (long)utf8_length(in->sms_body));
    tdict_set_long(d, "SMS_SEGMENTS", c.segments);
    tdict_set_cstr(d, "SMS_PARTS_WORD", c.segments == 1 ? "part" : "parts");
    tdict_set_cstr(d, "SMS_ENCODING", c.ucs2 ? "UCS-2" : "GSM-7");
    form_field(d, "FIELD_EMAIL_SUBJECT", e, "email_subject", "Email subject", "text", in->email_subject);
    textarea(d, "email_body", in->email_body);
    textarea(d, "voice_script", in->voice_script);
    tdict_show(d, in->schedule_at.len ? "SCHEDULE_LATER" : "SCHEDULE_NOW");
    form_field(d, "FIELD_SCHEDULE_AT", e, "schedule_at", "Start at", "datetime-local", in->schedule_at);
    tdict_show(d, in->quiet_start.len || in->quiet_end.len || (e && (field_error_of(e, "quiet_start") || field_error_of(e, "quiet_end")))
                      ? "QUIET_CUSTOM" : "QUIET_ORG");
    if ((st = org_quiet_fill(r, d))) return st;
    form_field(d, "FIELD_QUIET_START", e, "quiet_start", "Quiet from", "time", in->quiet_start);
    form_field(d, "FIELD_QUIET_END", e, "quiet_end", "Quiet until", "time", in->quiet_end);
    x = form_field(d, "FIELD_RATE", e, "rate_per_minute", "Messages per minute", "number",
                   in->rate.len ? in->rate : STR("60"));
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "From 1 to 120,000.");
    return page_render(r, status, d);
}

/* The form's "Find contacts" button: the form again with the search's results and
 * everything typed kept; nothing saved. */
static bool finding(struct request *r)
{
    return !r->json && kvlist_get(&r->form, "find_contacts") != NULL;
}

static str find_text(struct request *r)
{
    const str *v = r->json ? NULL : kvlist_get(&r->form, "find");
    return v ? str_trim(*v) : STR("");
}

static int reply_saved(struct request *r, int status, const struct dbres *row, const char *flash)
{
    if (!r->wants_json) return redirect_see_other(r, campaign_href(r, db_val(row, 0, CA_ID), ""), "ok", flash);
    json_reply_data(r, status, campaign_json(row, 0));
    return 0;
}

/* GET /campaigns/new. */
int campaign_new_form(struct request *r)
{
    struct campaign_in in = { .channels = CH_SMS };
    return render_form(r, 200, NULL, &(struct campaign_form){ NULL, &in, 0, NULL, STR("") });
}

/* POST /campaigns (form) and POST /api/v1/campaigns (JSON): the campaign shape of
 * SPEC §7; 201 with the campaign (JSON) or 303 to its page; a draft. */
int campaign_create(struct request *r)
{
    struct campaign_in in = { 0 };
    struct field_errors e = { 0 };
    struct dbres *row = NULL;
    campaign_read(r, &in, &e);
    struct campaign_form f = { NULL, &in, 0, NULL, find_text(r) };
    if (finding(r)) return render_form(r, 200, NULL, &f);
    int st = campaign_check(r, &in, &e);
    if (st) return st;
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_form, &f);
    if ((st = campaign_save(r, NULL, &in, &row))) return st;
    return reply_saved(r, 201, row, "Campaign saved as a draft.");
}

/* GET /campaigns/{id}/edit — drafts only (else 409). */
int campaign_edit_form(struct request *r)
{
    int st;
    struct dbres *q = campaign_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if (!campaign_status_editable(status_of(q))) return conflict_reply(r, q, "edited");
    struct campaign_in in;
    campaign_in_of_row(q, true, &in);
    return render_form(r, 200, NULL, &(struct campaign_form){ q, &in, db_long(q, 0, CA_VERSION), NULL, STR("") });
}

static int stale_reply(struct request *r, const struct dbres *q)
{
    if (r->wants_json) return deal_stale_reply_json(r, "campaign", campaign_json(q, 0));
    struct campaign_in cur;
    campaign_in_of_row(q, true, &cur);
    struct campaign_form f = { q, &cur, db_long(q, 0, CA_VERSION), deal_stale_form_notice(r, "campaign"), STR("") };
    int st = render_form(r, 409, NULL, &f);
    return st ? st : REPLIED;
}

/* POST /campaigns/{id} (form: every field, version required) and PATCH
 * /api/v1/campaigns/{id} (JSON: absent members kept; version optional, a stale one
 * is a 409 with the stored campaign). Drafts only: anything else is a 409. */
int campaign_update(struct request *r)
{
    int st;
    struct dbres *q = campaign_load(r, req_path_param(r, "id"), true, &st), *row = NULL;
    if (!q) return st;
    if (!campaign_status_editable(status_of(q))) return conflict_reply(r, q, "edited");
    struct field_errors e = { 0 };
    long version;
    if (input_read_version(r, &version, !r->json, &e) && version > 0 && version != db_long(q, 0, CA_VERSION))
        return stale_reply(r, q);
    struct campaign_in in;
    campaign_in_of_row(q, false, &in);
    campaign_read(r, &in, &e);
    struct campaign_form f = { q, &in, version, NULL, find_text(r) };
    if (finding(r)) return render_form(r, 200, NULL, &f);
    if ((st = campaign_check(r, &in, &e))) return st;
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_form, &f);
    if ((st = campaign_save(r, q, &in, &row))) return st;
    return reply_saved(r, 200, row, "Campaign saved.");
}

/* GET /campaigns/{id}/delete — the confirmation page (drafts only). */
int campaign_delete_confirm(struct request *r)
{
    int st;
    struct dbres *q = campaign_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if (!campaign_status_editable(status_of(q))) return conflict_reply(r, q, "deleted");
    struct tdict *d = page_dict(r, "Delete campaign", "campaigns/delete.tpl");
    tdict_set(d, "ID", db_val(q, 0, CA_ID));
    tdict_set(d, "NAME", db_val(q, 0, CA_NAME));
    return page_render(r, 200, d);
}

/* POST /campaigns/{id}/delete and DELETE /api/v1/campaigns/{id} — drafts only: a
 * launched campaign keeps its record (cancel it instead). */
int campaign_delete(struct request *r)
{
    int st;
    struct dbres *q = campaign_load(r, req_path_param(r, "id"), true, &st);
    if (!q) return st;
    if (!campaign_status_editable(status_of(q))) return conflict_reply(r, q, "deleted");
    if (!campaign_delete_query(r->db, r->arena, db_cstr(q, 0, CA_ID))) return app_db_status(r);
    struct buf detail;
    buf_init(&detail, r->arena, 64);
    buf_puts(&detail, "{\"name\":");
    buf_json_str(&detail, db_val(q, 0, CA_NAME));
    buf_putc(&detail, '}');
    if ((st = audit_write(r, "campaign.delete", "campaign", db_val(q, 0, CA_ID), buf_cstr(&detail)))) return st;
    if (!r->wants_json) return redirect_see_other(r, "/campaigns", "ok", "Campaign deleted.");
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, 0, CA_ID));
    json_add_bool(o, "deleted", true);
    json_reply_data(r, 200, o);
    return 0;
}

/* ---- status actions ---- */

static const char *const done_words[CAMPAIGN_ACTION_COUNT] = { "launched", "paused", "resumed", "canceled" };

/* Launch: one message per recipient and channel, then running (or scheduled while
 * the start time is ahead); *counts gets {"recipients":n,"messages":m} for the audit
 * row. 409 when the audience has no contact left. */
static int launch(struct request *r, const struct dbres *q, enum campaign_status to, char *counts, size_t size)
{
    const char *id = db_cstr(q, 0, CA_ID);
    struct dbres *m = campaign_launch_messages(r->db, r->arena, id);
    if (!m) return app_db_status(r);
    if (db_long(m, 0, 0) == 0) {
        app_error(r, 409, "The audience has no contacts left: choose contacts or a tag again.", NULL);
        return REPLIED;
    }
    if (!campaign_mark_launched(r->db, r->arena, id, campaign_status_name(to), db_cstr(m, 0, 0))) return app_db_status(r);
    snprintf(counts, size, ",\"recipients\":%ld,\"messages\":%ld", db_long(m, 0, 0), db_long(m, 0, 1));
    return 0;
}

/* POST /campaigns/{id}/<action> and POST /api/v1/campaigns/{id}/<action>: the move
 * the action makes from the campaign's status, or 409; audited with both statuses
 * (and a launch with its recipients and messages).
 * Answers 200 with the campaign (JSON) or 303 to its page. */
static int campaign_act(struct request *r, enum campaign_action act)
{
    int st;
    struct dbres *q = campaign_load(r, req_path_param(r, "id"), true, &st), *row;
    if (!q) return st;
    enum campaign_status from = status_of(q), to;
    if (!campaign_action_target(from, act, db_bool(q, 0, CA_STARTS_LATER), &to))
        return conflict_reply(r, q, done_words[act]);
    char action[32], counts[64] = "", detail[160];
    st = 0;
    if (act == CAMPAIGN_LAUNCH) st = launch(r, q, to, counts, sizeof counts);
    else if (!campaign_set_status(r->db, r->arena, db_cstr(q, 0, CA_ID), campaign_status_name(to))) st = app_db_status(r);
    if (st) return st;
    snprintf(action, sizeof action, "campaign.%s", campaign_action_name(act));
    snprintf(detail, sizeof detail, "{\"from\":\"%s\",\"to\":\"%s\"%s}", campaign_status_name(from),
             campaign_status_name(to), counts);
    if ((st = audit_write(r, action, "campaign", db_val(q, 0, CA_ID), detail))) return st;
    if (!(row = campaign_load(r, db_val(q, 0, CA_ID), false, &st))) return st;
    if (!r->wants_json) {
        char flash[64];
        snprintf(flash, sizeof flash, "Campaign %s.", done_words[act]);
        return redirect_see_other(r, campaign_href(r, db_val(row, 0, CA_ID), ""), "ok", arena_strdup(r->arena, flash));
    }
    json_reply_data(r, 200, campaign_json(row, 0));
    return 0;
}

int campaign_launch(struct request *r) { return campaign_act(r, CAMPAIGN_LAUNCH); }
int campaign_pause(struct request *r) { return campaign_act(r, CAMPAIGN_PAUSE); }
int campaign_resume(struct request *r) { return campaign_act(r, CAMPAIGN_RESUME); }
int campaign_cancel(struct request *r) { return campaign_act(r, CAMPAIGN_CANCEL); }

/* ---- one campaign ---- */

/* The preview: the texts rendered for the audience's first contact (by name). */
static int fill_preview(struct request *r, struct tdict *d, const struct dbres *q)
{
    struct dbres *c = campaign_sample_contact(r->db, r->arena, db_cstr(q, 0, CA_ID));
    if (!c) return app_db_status(r);
    if (!db_rows(c)) {
        tdict_show(d, "NO_SAMPLE");
        return 0;
    }
    struct tdict *p = tdict_add_section(d, "PREVIEW");
    str v[MF_COUNT] = {
        [MF_FIRST_NAME] = db_val(c, 0, PC_FIRST), [MF_LAST_NAME] = db_val(c, 0, PC_LAST),
        [MF_COMPANY] = db_val(c, 0, PC_COMPANY), [MF_PHONE] = db_val(c, 0, PC_PHONE),
        [MF_EMAIL] = db_val(c, 0, PC_EMAIL), [MF_PROPERTY_ADDRESS] = db_val(c, 0, PC_ADDRESS),
    };
    tdict_set(p, "SAMPLE_ID", db_val(c, 0, PC_ID));
    tdict_set(p, "SAMPLE_NAME", db_val(c, 0, PC_NAME).len ? db_val(c, 0, PC_NAME) : STR("(no name)"));
    str ch = db_val(q, 0, CA_CHANNELS);
    if (str_find(ch, STR("\"sms\"")) >= 0) {
        struct tdict *s = tdict_add_section(p, "P_SMS");
        str body = merge_fields_render(r->arena, db_val(q, 0, CA_SMS), v);
        struct sms_count n = sms_count(body);
        tdict_set(s, "TEXT", body);
        tdict_set_long(s, "CHARS", (long)utf8_length(body));
        tdict_set_long(s, "SEGMENTS", n.segments);
        tdict_set_cstr(s, "PARTS_WORD", n.segments == 1 ? "part" : "parts");
        tdict_set_cstr(s, "ENCODING", n.ucs2 ? "UCS-2" : "GSM-7");
    }
    if (str_find(ch, STR("\"email\"")) >= 0) {
        struct tdict *s = tdict_add_section(p, "P_EMAIL");
        tdict_set(s, "SUBJECT", merge_fields_render(r->arena, db_val(q, 0, CA_EMAIL_SUBJECT), v));
        tdict_set(s, "TEXT", merge_fields_render(r->arena, db_val(q, 0, CA_EMAIL_BODY), v));
    }
    if (str_find(ch, STR("\"voice\"")) >= 0)
        tdict_set(tdict_add_section(p, "P_VOICE"), "TEXT", merge_fields_render(r->arena, db_val(q, 0, CA_VOICE), v));
    return 0;
}

static void fill_actions(struct request *r, struct tdict *d, const struct dbres *q)
{
    enum campaign_status s = status_of(q), to;
    if (r->session->role < ROLE_MANAGER) return;
    static const char *const buttons[CAMPAIGN_ACTION_COUNT] = { "Launch", "Pause", "Resume", "Cancel campaign" };
    for (unsigned a = 0; a < CAMPAIGN_ACTION_COUNT; a++) {
        if (!campaign_action_target(s, a, db_bool(q, 0, CA_STARTS_LATER), &to)) continue;
        struct tdict *x = tdict_add_section(d, "ACTION");
        tdict_set_cstr(x, "ACTION_NAME", campaign_action_name(a));
        tdict_set_cstr(x, "ACTION_LABEL", buttons[a]);
        tdict_set_cstr(x, "ACTION_CLASS", a == CAMPAIGN_CANCEL ? "danger" : a == CAMPAIGN_LAUNCH ? "primary" : "secondary");
    }
    if (campaign_status_editable(s)) tdict_show(d, "CAN_EDIT");
    if (campaign_status_editable(s) && r->session->role >= ROLE_ADMIN) tdict_show(d, "CAN_DELETE");
}

/* GET /campaigns/{id} and GET /api/v1/campaigns/{id}; the page adds the preview for
 * a sample contact, the progress once launched, and the actions its status allows. */
int campaign_show(struct request *r)
{
    int st;
    struct dbres *q = campaign_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if (r->wants_json) {
        json_reply_data(r, 200, campaign_json(q, 0));
        return 0;
    }
    enum campaign_status s = status_of(q);
    struct tdict *d = page_dict(r, "Campaign", "campaigns/show.tpl");
    tdict_set(d, "ID", db_val(q, 0, CA_ID));
    tdict_set(d, "NAME", db_val(q, 0, CA_NAME));
    tdict_set(d, "STATUS", db_val(q, 0, CA_STATUS));
    tdict_set_cstr(d, "STATUS_LABEL", campaign_status_label(s));
    tdict_set(d, "CHANNELS", db_val(q, 0, CA_CHANNELS_TEXT));
    if (!db_isnull(q, 0, CA_TAG)) tdict_set(tdict_add_section(d, "AUD_TAG"), "TAG", db_val(q, 0, CA_TAG));
    else tdict_show(d, "AUD_CONTACTS");
    tdict_set(d, "AUDIENCE_SIZE", db_val(q, 0, CA_AUDIENCE_SIZE));
    if (db_val(q, 0, CA_SCHEDULE_LOCAL).len) tdict_set(tdict_add_section(d, "SCHEDULED"), "AT", db_val(q, 0, CA_SCHEDULE_LOCAL));
    else tdict_show(d, "AT_LAUNCH");
    str window = db_isnull(q, 0, CA_QUIET_START)
                     ? org_quiet_words(r->arena, db_val(q, 0, CA_ORG_QUIET))
                     : quiet_words(r->arena, db_val(q, 0, CA_QUIET_START), db_val(q, 0, CA_QUIET_END));
    tdict_set(tdict_add_section(d, db_isnull(q, 0, CA_QUIET_START) ? "QUIET_ORG" : "QUIET_OWN"), "WINDOW", window);
    /* Whose clock a window is read on matters only when there is one. */
    if (!str_eq(window, STR(QUIET_NONE))) tdict_show(d, "QUIET_ZONES");
    tdict_set(d, "RATE", db_val(q, 0, CA_RATE));
    tdict_set(d, "CREATED", db_val(q, 0, CA_CREATED_LOCAL));
    if (s != CAMPAIGN_DRAFT) tdict_show(d, "LAUNCHED");
    if ((st = fill_preview(r, d, q))) return st;
    if (s != CAMPAIGN_DRAFT && (st = campaign_progress_fill(r, d, q))) return st;
    if (!campaign_status_final(s) && (st = campaign_quiet_fill(r, d, q))) return st;
    /* Scheduled, running and paused campaigns still move: the page refreshes itself. */
    if (s != CAMPAIGN_DRAFT && !campaign_status_final(s)) tdict_show(d, "LIVE");
    fill_actions(r, d, q);
    return page_render(r, 200, d);
}

/* ---- the list ---- */

#define CAMPAIGNS_LIMIT_DEFAULT 50
#define CAMPAIGNS_CURSOR_PURPOSE "campaigns-cursor"

enum { LP_LIMIT, LP_CURSOR, LP_COUNT };
static const struct param_spec list_params[LP_COUNT] = {
    [LP_LIMIT] = { "limit", PARAM_INT, 1, 200, NULL, NULL },
    [LP_CURSOR] = { "cursor", PARAM_RAW, 0, 0, NULL, "is not a page link of this list; start from the first page" },
};

struct campaign_page {
    struct param_value v[LP_COUNT];
    struct dbres *rows;
    int n;
    long limit;
    bool after;
    str next;
};

static int page_load(struct request *r, struct campaign_page *p, struct field_errors *e)
{
    *p = (struct campaign_page){ 0 };
    params_parse(r->arena, &r->query, list_params, LP_COUNT, p->v, e);
    p->limit = p->v[LP_LIMIT].valid ? p->v[LP_LIMIT].num : CAMPAIGNS_LIMIT_DEFAULT;
    const char *after_id = NULL, *after_created = NULL;
    if (p->v[LP_CURSOR].given) {
        char id[37];
        struct dbres *key = NULL;
        if (list_cursor_decode_id(app_secret(r), CAMPAIGNS_CURSOR_PURPOSE, p->v[LP_CURSOR].raw, id) == 0 &&
            !(key = campaign_sort_key_query(r->db, r->arena, id)))
            return app_db_status(r);
        if (!key || db_rows(key) != 1) field_error_add(e, "cursor", list_params[LP_CURSOR].message);
        else after_id = arena_strdup(r->arena, id), after_created = db_cstr(key, 0, 0), p->after = true;
    }
    if (e->n) return 0;
    p->rows = campaigns_list_query(r->db, r->arena, after_id, after_created, p->limit + 1);
    if (!p->rows) return app_db_status(r);
    p->n = db_rows(p->rows) > p->limit ? (int)p->limit : db_rows(p->rows);
    if (db_rows(p->rows) > p->limit)
        p->next = list_cursor_encode_id(r->arena, app_secret(r), CAMPAIGNS_CURSOR_PURPOSE, db_val(p->rows, p->n - 1, CA_ID));
    return 0;
}

static const char *next_url(struct request *r, const struct campaign_page *p)
{
    struct buf b;
    buf_init(&b, r->arena, 96);
    buf_puts(&b, "/campaigns?");
    if (p->v[LP_LIMIT].valid) buf_printf(&b, "limit=%ld&", p->limit);
    buf_puts(&b, "cursor=");
    buf_url_arg(&b, p->next);
    return buf_cstr(&b);
}

static int render_list(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct campaign_page *p = ctx;
    struct tdict *d = page_dict(r, "Campaigns", "campaigns/list.tpl");
    for (int i = 0; i < p->n; i++) {
        struct tdict *x = tdict_add_section(d, "CAMPAIGN");
        enum campaign_status s = CAMPAIGN_DRAFT;
        campaign_status_parse(db_val(p->rows, i, CA_STATUS), &s);
        tdict_set(x, "ID", db_val(p->rows, i, CA_ID));
        tdict_set(x, "NAME", db_val(p->rows, i, CA_NAME));
        tdict_set(x, "STATUS", db_val(p->rows, i, CA_STATUS));
        tdict_set_cstr(x, "STATUS_LABEL", campaign_status_label(s));
        tdict_set(x, "CHANNELS", db_val(p->rows, i, CA_CHANNELS_TEXT));
        tdict_set(x, "AUDIENCE_SIZE", db_val(p->rows, i, CA_AUDIENCE_SIZE));
        tdict_set(x, "CREATED", db_val(p->rows, i, CA_CREATED_LOCAL));
    }
    if (p->rows && p->n) tdict_show(d, "HAS_ROWS");
    if (p->rows && p->n == 0) tdict_show(d, p->after ? "NO_MORE" : "EMPTY");
    form_pager(d, p->v[LP_CURSOR].given ? "/campaigns" : NULL, p->next.len ? next_url(r, p) : NULL);
    if (r->session->role >= ROLE_MANAGER) tdict_show(d, "CAN_WRITE");
    field_errors_to_dict(d, e);
    return page_render(r, status, d);
}

/*
 * GET /campaigns and GET /api/v1/campaigns — the org's campaigns, newest first.
 *   limit  1..200 (50); cursor: the previous page's next_cursor
 */
int campaigns_list(struct request *r)
{
    struct campaign_page p;
    struct field_errors e = { 0 };
    int st = page_load(r, &p, &e);
    if (st) return st;
    if (e.n) return field_errors_reply(r, "Some parameters are not valid.", &e, render_list, &p);
    if (!r->wants_json) return render_list(r, 200, NULL, &p);
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < p.n; i++) json_object_array_add(a, campaign_json(p.rows, i));
    json_reply_list(r, a, p.next);
    return 0;
}
