/* campaign_input.c — reading and checking a campaign's fields (campaign_input.h). */
#include "campaign_input.h"

#include <json-c/json.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/merge_fields.h"
#include "../../domain/quiet_hours.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/input.h"
#include "campaigns_sql.h"
#include "contact_fields.h"

static const char *const channel_names[3] = { "sms", "voice", "email" };

/* The field's name as the client spells it. */
static const char *fname(const struct request *r, const char *json_name, const char *form_name)
{
    return r->json ? json_name : form_name;
}

const char *campaign_channels_json(struct request *r, unsigned channels)
{
    struct buf b;
    buf_init(&b, r->arena, 32);
    buf_putc(&b, '[');
    for (int c = 0, n = 0; c < 3; c++)
        if (channels & (1u << c)) buf_printf(&b, "%s\"%s\"", n++ ? "," : "", channel_names[c]);
    buf_putc(&b, ']');
    return buf_cstr(&b);
}

static unsigned channel_bit(str s)
{
    for (int c = 0; c < 3; c++)
        if (str_eq_cstr(s, channel_names[c])) return 1u << c;
    return 0;
}

/* Adds a uuid (lower-cased) to the list; false when it is not a uuid. Repeats stay:
 * the database counts the distinct ones (campaign_contacts_known) and the audience
 * keeps each contact once. */
static bool add_contact(struct request *r, struct buf *b, int *n, str id)
{
    id = str_trim(id);
    if (!str_is_uuid(id)) return false;
    char *low = str_cstr(r->arena, id);
    for (char *c = low; *c; c++)
        if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
    buf_printf(b, "%s\"%s\"", *n ? "," : "[", low);
    (*n)++;
    return true;
}

static void close_contacts(struct buf *b, int n)
{
    if (!n) buf_putc(b, '[');
    buf_putc(b, ']');
}

void campaign_in_of_row(const struct dbres *q, bool local, struct campaign_in *in)
{
    *in = (struct campaign_in){ 0 };
    in->name = db_val(q, 0, CA_NAME);
    struct json_object *ch = json_tokener_parse(db_cstr(q, 0, CA_CHANNELS));
    for (size_t i = 0; ch && i < json_object_array_length(ch); i++)
        in->channels |= channel_bit(str_from(json_object_get_string(json_object_array_get_idx(ch, i))));
    json_object_put(ch);
    in->by_tag = !db_isnull(q, 0, CA_TAG);
    in->tag = db_val(q, 0, CA_TAG);
    in->contact_ids = db_val(q, 0, CA_CONTACT_IDS);
    struct json_object *ids = json_tokener_parse(db_cstr(q, 0, CA_CONTACT_IDS));
    in->n_contacts = ids ? (int)json_object_array_length(ids) : 0;
    json_object_put(ids);
    in->sms_body = db_val(q, 0, CA_SMS);
    in->email_subject = db_val(q, 0, CA_EMAIL_SUBJECT);
    in->email_body = db_val(q, 0, CA_EMAIL_BODY);
    in->voice_script = db_val(q, 0, CA_VOICE);
    in->schedule_at = db_val(q, 0, local ? CA_SCHEDULE_LOCAL : CA_SCHEDULE_AT);
    in->quiet_start = db_val(q, 0, CA_QUIET_START);
    in->quiet_end = db_val(q, 0, CA_QUIET_END);
    in->rate = db_val(q, 0, CA_RATE);
}

/* ---- JSON ---- */

static bool member(struct json_object *o, const char *key, struct json_object **v)
{
    return json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, v);
}

/* A string member (null: ""); keeps *dst when absent. */
static void json_text(struct json_object *o, const char *key, const char *field, str *dst, struct field_errors *e)
{
    struct json_object *v;
    if (!member(o, key, &v)) return;
    if (json_object_is_type(v, json_type_null)) *dst = STR("");
    else if (json_object_is_type(v, json_type_string))
        *dst = str_make(json_object_get_string(v), (size_t)json_object_get_string_len(v));
    else field_error_add(e, field, "must be a string");
}

static void json_channels(struct request *r, struct campaign_in *in, struct field_errors *e)
{
    struct json_object *v;
    if (!member(r->json, "channels", &v)) return;
    in->channels = 0;
    if (!json_object_is_type(v, json_type_array)) {
        field_error_add(e, "channels", "must be an array of sms, voice and email");
        return;
    }
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        struct json_object *c = json_object_array_get_idx(v, i);
        unsigned bit = json_object_is_type(c, json_type_string) ? channel_bit(str_from(json_object_get_string(c))) : 0;
        if (!bit) {
            field_error_add(e, "channels", "must hold only sms, voice and email");
            return;
        }
        in->channels |= bit;
    }
}

static void json_audience(struct request *r, struct campaign_in *in, struct field_errors *e)
{
    struct json_object *v, *ids, *tag;
    if (!member(r->json, "audience", &v)) return;
    if (!json_object_is_type(v, json_type_object)) {
        field_error_add(e, "audience", "must be {\"contact_ids\": [...]} or {\"tag\": \"...\"}");
        return;
    }
    bool has_ids = member(v, "contact_ids", &ids), has_tag = member(v, "tag", &tag);
    if (has_ids == has_tag) {
        field_error_add(e, "audience", "must name either contact_ids or a tag");
        return;
    }
    in->by_tag = has_tag;
    if (has_tag) {
        in->tag = STR("");
        json_text(v, "tag", "audience.tag", &in->tag, e);
        return;
    }
    if (!json_object_is_type(ids, json_type_array)) {
        field_error_add(e, "audience.contact_ids", "must be an array of contact ids");
        return;
    }
    struct buf b;
    buf_init(&b, r->arena, 64);
    in->n_contacts = 0;
    for (size_t i = 0; i < json_object_array_length(ids); i++) {
        struct json_object *id = json_object_array_get_idx(ids, i);
        if (!json_object_is_type(id, json_type_string) || !add_contact(r, &b, &in->n_contacts, str_from(json_object_get_string(id)))) {
            field_error_add(e, "audience.contact_ids", "must be an array of contact ids");
            return;
        }
    }
    close_contacts(&b, in->n_contacts);
    in->contact_ids = buf_str(&b);
}

static void json_quiet(struct request *r, struct campaign_in *in, struct field_errors *e)
{
    struct json_object *v;
    if (!member(r->json, "quiet_hours", &v)) return;
    in->quiet_start = in->quiet_end = STR("");
    if (json_object_is_type(v, json_type_null)) return;
    if (!json_object_is_type(v, json_type_object)) {
        field_error_add(e, "quiet_hours", "must be {\"start\": \"21:00\", \"end\": \"08:00\"} or null");
        return;
    }
    json_text(v, "start", "quiet_hours.start", &in->quiet_start, e);
    json_text(v, "end", "quiet_hours.end", &in->quiet_end, e);
    if (!in->quiet_start.len && !field_error_of(e, "quiet_hours.start")) field_error_add(e, "quiet_hours.start", "is required, as HH:MM");
    if (!in->quiet_end.len && !field_error_of(e, "quiet_hours.end")) field_error_add(e, "quiet_hours.end", "is required, as HH:MM");
}

static void read_json(struct request *r, struct campaign_in *in, struct field_errors *e)
{
    struct json_object *v;
    if (!json_object_is_type(r->json, json_type_object)) {
        field_error_add(e, "body", "must be a JSON object");
        return;
    }
    json_text(r->json, "name", "name", &in->name, e);
    json_channels(r, in, e);
    json_audience(r, in, e);
    json_text(r->json, "sms_body", "sms_body", &in->sms_body, e);
    json_text(r->json, "email_subject", "email_subject", &in->email_subject, e);
    json_text(r->json, "email_body", "email_body", &in->email_body, e);
    json_text(r->json, "voice_script", "voice_script", &in->voice_script, e);
    json_text(r->json, "schedule_at", "schedule_at", &in->schedule_at, e);
    json_quiet(r, in, e);
    if (member(r->json, "rate_per_minute", &v)) {
        if (json_object_is_type(v, json_type_int)) in->rate = str_dup(r->arena, str_from(json_object_get_string(v)));
        else field_error_add(e, "rate_per_minute", "must be a whole number from 1 to 120000");
    }
}

/* ---- the form ---- */

static void read_form(struct request *r, struct campaign_in *in, struct field_errors *e)
{
    in->name = input_value(r, "name", NULL, e);
    in->channels = 0;
    struct buf b;
    buf_init(&b, r->arena, 64);
    in->n_contacts = 0;
    for (size_t i = 0; i < r->form.n; i++) {
        const struct kv *kv = &r->form.items[i];
        if (str_eq_cstr(kv->key, "channels")) {
            unsigned bit = channel_bit(kv->val);
            if (!bit) field_error_add(e, "channels", "must hold only sms, voice and email");
            in->channels |= bit;
        } else if (str_eq_cstr(kv->key, "contact_ids") && kv->val.len) {
            if (!add_contact(r, &b, &in->n_contacts, kv->val)) field_error_add(e, "contact_ids", "must be contacts of this list");
        }
    }
    close_contacts(&b, in->n_contacts);
    in->contact_ids = buf_str(&b);
    in->by_tag = str_eq_cstr(input_value(r, "audience", NULL, e), "tag");
    in->tag = input_value(r, "audience_tag", NULL, e);
    in->sms_body = input_value(r, "sms_body", NULL, e);
    in->email_subject = input_value(r, "email_subject", NULL, e);
    in->email_body = input_value(r, "email_body", NULL, e);
    in->voice_script = input_value(r, "voice_script", NULL, e);
    in->schedule_at = STR("");
    if (str_eq_cstr(input_value(r, "schedule", NULL, e), "later")) {
        in->schedule_at = input_value(r, "schedule_at", NULL, e);
        if (!str_trim(in->schedule_at).len) field_error_add(e, "schedule_at", "is required to start at a time");
    }
    if (str_eq_cstr(input_value(r, "quiet", NULL, e), "custom")) {
        in->quiet_start = input_value(r, "quiet_start", NULL, e);
        in->quiet_end = input_value(r, "quiet_end", NULL, e);
        if (!str_trim(in->quiet_start).len) field_error_add(e, "quiet_start", "is required, as HH:MM");
        if (!str_trim(in->quiet_end).len) field_error_add(e, "quiet_end", "is required, as HH:MM");
    } else {
        in->quiet_start = in->quiet_end = STR("");
    }
    in->rate = input_value(r, "rate_per_minute", NULL, e);
}

void campaign_read(struct request *r, struct campaign_in *in, struct field_errors *e)
{
    if (r->json) read_json(r, in, e);
    else read_form(r, in, e);
}

/* ---- checks ---- */

/* NULL when s is UTF-8 of at most max characters without control characters (line
 * breaks and tabs allowed when multiline), else why not. */
static const char *text_error(str s, long max, bool multiline, struct request *r)
{
    if (!utf8_valid(s)) return "must be UTF-8 text";
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
            return "must not hold control characters";
    }
    if ((long)utf8_length(s) > max) {
        struct buf b;
        buf_init(&b, r->arena, 48);
        buf_printf(&b, "must be at most %ld characters", max);
        return buf_cstr(&b);
    }
    return NULL;
}

/* A message text: required when its channel is chosen; fields checked. */
static void check_body(struct request *r, struct field_errors *e, const char *field, str *v, long max, bool required)
{
    *v = str_trim(*v);
    const char *m = text_error(*v, max, true, r);
    if (!m && required && !v->len) m = "is required for the channel chosen";
    if (!m) m = merge_fields_check(r->arena, *v);
    if (m) field_error_add(e, field, m);
}

static void check_audience(struct request *r, struct campaign_in *in, struct field_errors *e)
{
    if (in->by_tag) {
        const char *field = fname(r, "audience.tag", "audience_tag");
        in->tag = str_trim(in->tag);
        char *low = str_cstr(r->arena, in->tag);
        for (char *c = low; *c; c++)
            if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
        in->tag = str_from(low);
        if (!in->tag.len) field_error_add(e, field, "is required: the tag whose contacts to reach");
        else if (contact_text_error(in->tag, CONTACT_TAG_MAX) || memchr(in->tag.ptr, ',', in->tag.len))
            field_error_add(e, field, "must be one tag of at most 50 characters");
        in->contact_ids = STR("[]");
        in->n_contacts = 0;
        return;
    }
    const char *field = fname(r, "audience.contact_ids", "contact_ids");
    if (!in->n_contacts && !field_error_of(e, field)) {
        field_error_add(e, r->json ? "audience" : "contact_ids", "choose at least one contact, or a tag");
    } else if (in->n_contacts > CAMPAIGN_CONTACTS_MAX) {
        field_error_add(e, field, "may name at most 10000 contacts; use a tag for more");
    }
    in->tag = STR("");
}

static void check_quiet(struct request *r, struct campaign_in *in, struct field_errors *e)
{
    const char *fs = fname(r, "quiet_hours.start", "quiet_start"), *fe = fname(r, "quiet_hours.end", "quiet_end");
    in->quiet_start = str_trim(in->quiet_start);
    in->quiet_end = str_trim(in->quiet_end);
    if (!in->quiet_start.len && !in->quiet_end.len) return;
    int s = -1, t = -1;
    if (in->quiet_start.len && !quiet_hours_parse_time(in->quiet_start, &s)) field_error_add(e, fs, "must be a time as HH:MM, such as 21:00");
    if (in->quiet_end.len && !quiet_hours_parse_time(in->quiet_end, &t)) field_error_add(e, fe, "must be a time as HH:MM, such as 08:00");
    if (s >= 0 && s == t) field_error_add(e, fe, "must differ from the start");
}

static void check_fields(struct request *r, struct campaign_in *in, struct field_errors *e)
{
    in->name = str_trim(in->name);
    const char *m = text_error(in->name, CAMPAIGN_NAME_MAX, false, r);
    if (!m && !in->name.len) m = "is required";
    if (m) field_error_add(e, "name", m);
    if (!in->channels && !field_error_of(e, "channels")) field_error_add(e, "channels", "choose at least one of sms, voice and email");
    check_audience(r, in, e);
    check_body(r, e, "sms_body", &in->sms_body, CAMPAIGN_SMS_MAX, in->channels & CH_SMS);
    in->email_subject = str_trim(in->email_subject);
    m = text_error(in->email_subject, CAMPAIGN_SUBJECT_MAX, false, r);
    if (!m && (in->channels & CH_EMAIL) && !in->email_subject.len) m = "is required for the channel chosen";
    if (!m) m = merge_fields_check(r->arena, in->email_subject);
    if (m) field_error_add(e, "email_subject", m);
    check_body(r, e, "email_body", &in->email_body, CAMPAIGN_EMAIL_MAX, in->channels & CH_EMAIL);
    check_body(r, e, "voice_script", &in->voice_script, CAMPAIGN_VOICE_MAX, in->channels & CH_VOICE);
    in->schedule_at = str_trim(in->schedule_at);
    if (in->schedule_at.len && (in->schedule_at.len > 40 || !input_valid_datetime(in->schedule_at)))
        field_error_add(e, "schedule_at", "must be a date and time such as 2026-03-31T09:00, or empty for now");
    check_quiet(r, in, e);
    in->rate = str_trim(in->rate);
    in->rate_per_minute = CAMPAIGN_RATE_DEFAULT;
    if (in->rate.len && (!str_to_long(in->rate, &in->rate_per_minute) || in->rate_per_minute < 1 ||
                         in->rate_per_minute > CAMPAIGN_RATE_MAX))
        field_error_add(e, "rate_per_minute", "must be a whole number from 1 to 120000");
}

int campaign_check(struct request *r, struct campaign_in *in, struct field_errors *e)
{
    check_fields(r, in, e);
    struct dbres *q;
    if (in->by_tag && in->tag.len && !field_error_of(e, fname(r, "audience.tag", "audience_tag"))) {
        if (!(q = campaign_tag_count(r->db, r->arena, str_cstr(r->arena, in->tag)))) return app_db_status(r);
        if (db_long(q, 0, 0) == 0) field_error_add(e, fname(r, "audience.tag", "audience_tag"), "no contact has this tag");
    }
    if (!in->by_tag && in->n_contacts && !field_error_of(e, fname(r, "audience.contact_ids", "contact_ids")) &&
        in->n_contacts <= CAMPAIGN_CONTACTS_MAX) {
        if (!(q = campaign_contacts_known(r->db, r->arena, str_cstr(r->arena, in->contact_ids)))) return app_db_status(r);
        if (db_long(q, 0, 0) != db_long(q, 0, 1))
            field_error_add(e, fname(r, "audience.contact_ids", "contact_ids"), "names contacts that do not exist");
    }
    if (in->schedule_at.len && !field_error_of(e, "schedule_at")) {
        if (!(q = campaign_time_ahead(r->db, r->arena, str_cstr(r->arena, in->schedule_at)))) return app_db_status(r);
        if (!db_bool(q, 0, 0)) field_error_add(e, "schedule_at", "must be in the future, or empty for now");
    }
    return 0;
}
