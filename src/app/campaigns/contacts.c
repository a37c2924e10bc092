/* contacts.c — contacts: the list (search, tag and do-not-contact filters, two
 * orders, keyset pages), the CSV export, create, edit (versioned), delete (soft), and
 * a contact's page with its calls and consent history; pages and JSON. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/phone.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../common/csv.h"
#include "../common/cursor.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "../common/params.h"
#include "../deals/deal_common.h"
#include "campaigns.h"
#include "contact_fields.h"
#include "contacts_sql.h"

/* ---- JSON of a contact ---- */

static struct json_object *contact_json(const struct dbres *q, int i)
{
    struct json_object *o = json_object_new_object(), *p = json_object_new_object(), *oo = json_object_new_object();
    json_add_str(o, "id", db_val(q, i, CT_ID));
    json_add_str(o, "first_name", db_val(q, i, CT_FIRST));
    json_add_str(o, "last_name", db_val(q, i, CT_LAST));
    json_add_str(o, "phone", db_isnull(q, i, CT_PHONE) ? STR_NULL : db_val(q, i, CT_PHONE));
    json_add_str(o, "email", db_isnull(q, i, CT_EMAIL) ? STR_NULL : db_val(q, i, CT_EMAIL));
    json_add_str(o, "company", db_val(q, i, CT_COMPANY));
    json_add_str(p, "address", db_val(q, i, CT_ADDRESS));
    json_add_str(p, "type", db_val(q, i, CT_PTYPE).len ? db_val(q, i, CT_PTYPE) : STR_NULL);
    json_object_object_add(o, "property", p);
    json_object_object_add(o, "tags", json_tokener_parse(db_cstr(q, i, CT_TAGS)));
    json_add_str(o, "time_zone", db_val(q, i, CT_TZ).len ? db_val(q, i, CT_TZ) : STR_NULL);
    json_add_bool(oo, "sms", db_bool(q, i, CT_OO_SMS));
    json_add_bool(oo, "voice", db_bool(q, i, CT_OO_VOICE));
    json_add_bool(oo, "email", db_bool(q, i, CT_OO_EMAIL));
    json_object_object_add(o, "opt_out", oo);
    json_add_bool(o, "do_not_contact", db_bool(q, i, CT_DNC));
    json_add_long(o, "version", db_long(q, i, CT_VERSION));
    json_add_str(o, "created_at", db_val(q, i, CT_CREATED));
    json_add_str(o, "updated_at", db_val(q, i, CT_UPDATED));
    return o;
}

/* ---- input ---- */

/* A contact's fields as read and normalised (phone E.164, email lower-case, tags "a,b"). */
struct contact_in {
    str first_name, last_name, phone, email, company, address, ptype, tags, tz;
    bool opt_out[3], dnc; /* sms, voice, email */
};

static const char *const channels[3] = { "sms", "voice", "email" };

/* A string member of o (null: ""); *present says whether it was sent. */
static str json_text(struct json_object *o, const char *key, const char *field, bool *present, struct field_errors *e)
{
    struct json_object *v;
    *present = json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v);
    if (!*present || json_object_is_type(v, json_type_null)) return STR("");
    if (!json_object_is_type(v, json_type_string)) {
        field_error_add(e, field, "must be a string");
        return STR("");
    }
    return str_make(json_object_get_string(v), (size_t)json_object_get_string_len(v));
}

static bool json_flag(struct json_object *o, const char *key, const char *field, bool *present, struct field_errors *e)
{
    struct json_object *v;
    *present = json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v);
    if (!*present) return false;
    if (!json_object_is_type(v, json_type_boolean)) {
        field_error_add(e, field, "must be true or false");
        return false;
    }
    return json_object_get_boolean(v);
}

/* tags as a JSON array of strings → "a, b" for the one tag parser. */
static str json_tags(struct request *r, bool *present, struct field_errors *e)
{
    struct json_object *v;
    *present = json_object_object_get_ex(r->json, "tags", &v);
    if (!*present || json_object_is_type(v, json_type_null)) return STR("");
    if (!json_object_is_type(v, json_type_array)) {
        field_error_add(e, "tags", "must be an array of strings");
        return STR("");
    }
    struct buf b;
    buf_init(&b, r->arena, 64);
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        struct json_object *t = json_object_array_get_idx(v, i);
        if (!json_object_is_type(t, json_type_string) || strpbrk(json_object_get_string(t), ",;")) {
            field_error_add(e, "tags", "must be an array of strings without commas");
            return STR("");
        }
        if (i) buf_putc(&b, ',');
        buf_puts(&b, json_object_get_string(t));
    }
    return buf_str(&b);
}

/* The stored values of a loaded contact, as the input struct. */
static struct contact_in contact_in_of_row(const struct dbres *q)
{
    return (struct contact_in){ db_val(q, 0, CT_FIRST), db_val(q, 0, CT_LAST), db_val(q, 0, CT_PHONE),
                                db_val(q, 0, CT_EMAIL), db_val(q, 0, CT_COMPANY), db_val(q, 0, CT_ADDRESS),
                                db_val(q, 0, CT_PTYPE), db_val(q, 0, CT_TAGS_TEXT), db_val(q, 0, CT_TZ),
                                { db_bool(q, 0, CT_OO_SMS), db_bool(q, 0, CT_OO_VOICE), db_bool(q, 0, CT_OO_EMAIL) },
                                db_bool(q, 0, CT_DNC) };
}

/* A JSON body: members absent keep in's values (base's for a PATCH, empty for a create). */
static void read_json(struct request *r, struct contact_in *in, struct field_errors *e)
{
    bool p;
    str v;
    struct json_object *prop = NULL, *oo = NULL;
    if (!json_object_is_type(r->json, json_type_object)) {
        field_error_add(e, "body", "must be a JSON object");
        return;
    }
#define TEXT(obj, key, field, dst)                              \
    v = json_text(obj, key, field, &p, e);                      \
    if (p) dst = v
    TEXT(r->json, "first_name", "first_name", in->first_name);
    TEXT(r->json, "last_name", "last_name", in->last_name);
    TEXT(r->json, "phone", "phone", in->phone);
    TEXT(r->json, "email", "email", in->email);
    TEXT(r->json, "company", "company", in->company);
    TEXT(r->json, "time_zone", "time_zone", in->tz);
    if (json_object_object_get_ex(r->json, "property", &prop) && !json_object_is_type(prop, json_type_null)) {
        if (!json_object_is_type(prop, json_type_object)) field_error_add(e, "property", "must be an object with address and type");
        TEXT(prop, "address", "property.address", in->address);
        TEXT(prop, "type", "property.type", in->ptype);
    }
#undef TEXT
    v = json_tags(r, &p, e);
    if (p) in->tags = v;
    if (json_object_object_get_ex(r->json, "opt_out", &oo)) {
        if (!json_object_is_type(oo, json_type_object)) field_error_add(e, "opt_out", "must be an object of sms, voice and email");
        for (int c = 0; c < 3; c++) {
            char field[16];
            snprintf(field, sizeof field, "opt_out.%s", channels[c]);
            bool f = json_flag(oo, channels[c], arena_strdup(r->arena, field), &p, e);
            if (p) in->opt_out[c] = f;
        }
    }
    bool f = json_flag(r->json, "do_not_contact", "do_not_contact", &p, e);
    if (p) in->dnc = f;
}

/* A form: every field is sent; an unticked box is absent. */
static void read_form(struct request *r, struct contact_in *in, struct field_errors *e)
{
    in->first_name = input_value(r, "first_name", NULL, e);
    in->last_name = input_value(r, "last_name", NULL, e);
    in->phone = input_value(r, "phone", NULL, e);
    in->email = input_value(r, "email", NULL, e);
    in->company = input_value(r, "company", NULL, e);
    in->address = input_value(r, "property_address", NULL, e);
    in->ptype = input_value(r, "property_type", NULL, e);
    in->tags = input_value(r, "tags", NULL, e);
    in->tz = input_value(r, "time_zone", NULL, e);
    static const char *const boxes[3] = { "opt_out_sms", "opt_out_voice", "opt_out_email" };
    for (int c = 0; c < 3; c++) in->opt_out[c] = kvlist_get(&r->form, boxes[c]) != NULL;
    in->dnc = kvlist_get(&r->form, "do_not_contact") != NULL;
}

static void check_text(struct field_errors *e, const char *field, str *v, long max)
{
    *v = str_trim(*v);
    const char *m = contact_text_error(*v, max);
    if (m) field_error_add(e, field, m);
}

/* Trims, normalises and checks in; messages in e under the names the client used. */
static void contact_check(struct request *r, struct contact_in *in, struct field_errors *e)
{
    bool json = r->json != NULL;
    check_text(e, "first_name", &in->first_name, CONTACT_NAME_MAX);
    check_text(e, "last_name", &in->last_name, CONTACT_NAME_MAX);
    check_text(e, "company", &in->company, CONTACT_COMPANY_MAX);
    in->address = contact_one_line(r->arena, in->address);
    check_text(e, json ? "property.address" : "property_address", &in->address, CONTACT_ADDRESS_MAX);
    in->phone = str_trim(in->phone);
    if (in->phone.len) {
        char e164[PHONE_E164_SIZE];
        if (in->phone.len > 40 || !phone_normalize(in->phone, e164))
            field_error_add(e, "phone", "must be a phone number such as +1 415 555 0100");
        else in->phone = str_dup(r->arena, str_from(e164));
    }
    in->email = str_trim(in->email);
    if (in->email.len) {
        const char *m = contact_email_error(in->email);
        if (m) field_error_add(e, "email", m);
        char *low = str_cstr(r->arena, in->email);
        for (char *c = low; *c; c++)
            if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
        in->email = str_from(low);
    }
    if (!in->phone.len && !in->email.len && !field_error_of(e, "phone") && !field_error_of(e, "email"))
        field_error_add(e, "phone", "phone or email is required");
    const char *t = contact_property_type(in->ptype);
    if (!t) field_error_add(e, json ? "property.type" : "property_type", "must be one of the property types listed");
    else in->ptype = str_from(t);
    const char *m = NULL;
    str tags = contact_tags_normalize(r->arena, in->tags, &m);
    if (m) field_error_add(e, "tags", m);
    else in->tags = tags;
    in->tz = str_trim(in->tz);
    if (in->tz.len && !contact_time_zone_shape(in->tz)) field_error_add(e, "time_zone", "must be a time zone such as America/New_York");
}

/* The checks that need the database: the time zone exists, the phone is no other
 * contact's. Returns 0 (with any messages in e) or the database's status. */
static int contact_check_db(struct request *r, const struct contact_in *in, str id, struct field_errors *e)
{
    if (in->tz.len && !field_error_of(e, "time_zone")) {
        struct dbres *q = db_q(r->db, r->arena, "contact_tz_known",
                               "SELECT 1 FROM pg_timezone_names WHERE name = $1", str_cstr(r->arena, in->tz));
        if (!q) return app_db_status(r);
        if (!db_rows(q)) field_error_add(e, "time_zone", "must be a time zone such as America/New_York");
    }
    if (in->phone.len && !field_error_of(e, "phone")) {
        struct dbres *q = contact_phone_taken_query(r->db, r->arena, str_cstr(r->arena, in->phone),
                                                    id.len ? str_cstr(r->arena, id) : NULL);
        if (!q) return app_db_status(r);
        if (db_rows(q)) field_error_add(e, "phone", "is already the number of another contact");
    }
    return 0;
}

/* ---- loading and saving ---- */

static struct dbres *contact_load(struct request *r, str id, bool lock, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    struct dbres *q = contact_one_query(r->db, r->arena, str_cstr(r->arena, id), lock);
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

/* Inserts (old NULL) or updates, with the consent source for the history, and the
 * audit row. *row receives the stored contact. */
static int contact_save(struct request *r, const struct dbres *old, const struct contact_in *in, struct dbres **row)
{
    if (!contact_set_consent_source(r->db, r->arena, r->via_api_key || r->json ? "api" : "form"))
        return app_db_status(r);
    struct arena *a = r->arena;
    const char *v[] = { str_cstr(a, in->first_name), str_cstr(a, in->last_name),
                        in->phone.len ? str_cstr(a, in->phone) : NULL, in->email.len ? str_cstr(a, in->email) : NULL,
                        str_cstr(a, in->company), str_cstr(a, in->address), str_cstr(a, in->ptype),
                        str_cstr(a, in->tags), str_cstr(a, in->tz), in->opt_out[0] ? "t" : "f",
                        in->opt_out[1] ? "t" : "f", in->opt_out[2] ? "t" : "f", in->dnc ? "t" : "f",
                        old ? db_cstr(old, 0, CT_ID) : NULL };
    struct dbres *q = contact_write_query(r->db, a, v, old != NULL);
    if (!q) return app_db_status(r);
    str id = db_val(q, 0, 0);
    int st = audit_write(r, old ? "contact.update" : "contact.create", "contact", id, NULL);
    if (st) return st;
    *row = contact_load(r, id, false, &st);
    return *row ? 0 : st;
}

/* ---- the form ---- */

struct contact_form {
    const struct dbres *row; /* the contact edited; NULL: a new one */
    const struct contact_in *in;
    long version;
    const char *notice;
};

static const struct form_option property_options[] = {
    { "single_family", "Single family" }, { "multi_family", "Multi family" }, { "condo", "Condo" },
    { "townhouse", "Townhouse" }, { "land", "Land" }, { "commercial", "Commercial" }, { "other", "Other" },
};

/* form_render_fn: the new or edit form with ctx's values (a struct contact_form). */
static int render_form(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct contact_form *f = ctx;
    const struct contact_in *in = f->in;
    struct tdict *d = page_dict(r, f->row ? "Edit contact" : "New contact", "contacts/form.tpl");
    if (f->row) {
        tdict_show(d, "EDIT");
        tdict_set(d, "ID", db_val(f->row, 0, CT_ID));
        tdict_set_long(d, "VERSION", f->version);
    } else {
        tdict_show(d, "NEW");
    }
    if (f->notice) tdict_set_cstr(tdict_add_section(d, "NOTICE"), "MSG", f->notice);
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    struct tdict *x = form_field(d, "FIELD_FIRST_NAME", e, "first_name", "First name", "text", in->first_name);
    tdict_set_long(tdict_add_section(x, "MAXLENGTH"), "N", CONTACT_NAME_MAX);
    x = form_field(d, "FIELD_LAST_NAME", e, "last_name", "Last name", "text", in->last_name);
    tdict_set_long(tdict_add_section(x, "MAXLENGTH"), "N", CONTACT_NAME_MAX);
    x = form_field(d, "FIELD_PHONE", e, "phone", "Phone", "tel", in->phone);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "With its country code, e.g. +1 415 555 0100. Phone or email is required.");
    form_field(d, "FIELD_EMAIL", e, "email", "Email", "email", in->email);
    form_field(d, "FIELD_COMPANY", e, "company", "Company", "text", in->company);
    form_field(d, "FIELD_PROPERTY_ADDRESS", e, "property_address", "Property address", "text", in->address);
    form_select(d, "FIELD_PROPERTY_TYPE", e, "property_type", "Property type", property_options,
                sizeof property_options / sizeof property_options[0], in->ptype, "—");
    x = form_field(d, "FIELD_TAGS", e, "tags", "Tags", "text", in->tags);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Separated by commas.");
    x = form_field(d, "FIELD_TIME_ZONE", e, "time_zone", "Time zone", "text", in->tz);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "An IANA name such as America/New_York; empty: the organisation's.");
    static const char *const box_sections[3] = { "OPT_OUT_SMS", "OPT_OUT_VOICE", "OPT_OUT_EMAIL" };
    for (int c = 0; c < 3; c++)
        if (in->opt_out[c]) tdict_show(d, box_sections[c]);
    if (in->dnc) tdict_show(d, "DO_NOT_CONTACT");
    return page_render(r, status, d);
}

static const char *contact_href(struct request *r, str id)
{
    struct buf b;
    buf_init(&b, r->arena, 64);
    buf_puts(&b, "/contacts/");
    buf_put(&b, id);
    return buf_cstr(&b);
}

static int reply_saved(struct request *r, int status, const struct dbres *row, const char *flash)
{
    if (!r->wants_json) return redirect_see_other(r, contact_href(r, db_val(row, 0, CT_ID)), "ok", flash);
    json_reply_data(r, status, contact_json(row, 0));
    return 0;
}

/* GET /contacts/new. */
int contact_new_form(struct request *r)
{
    struct contact_in in = { 0 };
    return render_form(r, 200, NULL, &(struct contact_form){ NULL, &in, 0, NULL });
}

/* POST /contacts (form) and POST /api/v1/contacts (JSON) — the fields of the
 * contact shape; phone or email required; 201 with the contact (JSON) or 303 to it. */
int contact_create(struct request *r)
{
    struct contact_in in = { 0 };
    struct field_errors e = { 0 };
    struct dbres *row = NULL;
    if (r->json) read_json(r, &in, &e);
    else read_form(r, &in, &e);
    contact_check(r, &in, &e);
    int st = contact_check_db(r, &in, STR_NULL, &e);
    if (st) return st;
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_form, &(struct contact_form){ NULL, &in, 0, NULL });
    if ((st = contact_save(r, NULL, &in, &row))) return st;
    return reply_saved(r, 201, row, "Contact created.");
}

/* GET /contacts/{id}/edit. */
int contact_edit_form(struct request *r)
{
    int st;
    struct dbres *q = contact_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    struct contact_in in = contact_in_of_row(q);
    return render_form(r, 200, NULL, &(struct contact_form){ q, &in, db_long(q, 0, CT_VERSION), NULL });
}

static int stale_reply(struct request *r, const struct dbres *q)
{
    if (r->wants_json) return deal_stale_reply_json(r, "contact", contact_json(q, 0));
    struct contact_in cur = contact_in_of_row(q);
    struct contact_form f = { q, &cur, db_long(q, 0, CT_VERSION), deal_stale_form_notice(r, "contact") };
    int st = render_form(r, 409, NULL, &f);
    return st ? st : REPLIED;
}

/* POST /contacts/{id} (form: every field, version required) and PATCH
 * /api/v1/contacts/{id} (JSON: absent members kept; version optional, and when sent
 * a stale one is a 409 with the stored contact). */
int contact_update(struct request *r)
{
    int st;
    struct dbres *q = contact_load(r, req_path_param(r, "id"), true, &st), *row = NULL;
    if (!q) return st;
    struct field_errors e = { 0 };
    long version;
    if (input_read_version(r, &version, !r->json, &e) && version > 0 && version != db_long(q, 0, CT_VERSION))
        return stale_reply(r, q);
    struct contact_in in = contact_in_of_row(q);
    if (r->json) read_json(r, &in, &e);
    else read_form(r, &in, &e);
    contact_check(r, &in, &e);
    if ((st = contact_check_db(r, &in, db_val(q, 0, CT_ID), &e))) return st;
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_form, &(struct contact_form){ q, &in, version, NULL });
    if ((st = contact_save(r, q, &in, &row))) return st;
    return reply_saved(r, 200, row, "Contact saved.");
}

/* GET /contacts/{id}/delete — the confirmation page. */
int contact_delete_confirm(struct request *r)
{
    int st;
    struct dbres *q = contact_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    struct tdict *d = page_dict(r, "Delete contact", "contacts/delete.tpl");
    tdict_set(d, "ID", db_val(q, 0, CT_ID));
    tdict_set(d, "NAME", db_val(q, 0, CT_NAME).len ? db_val(q, 0, CT_NAME) : db_val(q, 0, CT_PHONE));
    return page_render(r, 200, d);
}

/* POST /contacts/{id}/delete and DELETE /api/v1/contacts/{id} — a soft delete: the
 * contact leaves lists, exports and campaigns; its calls keep the link. */
int contact_delete(struct request *r)
{
    int st;
    struct dbres *q = contact_load(r, req_path_param(r, "id"), true, &st);
    if (!q) return st;
    if (!contact_soft_delete_query(r->db, r->arena, db_cstr(q, 0, CT_ID))) return app_db_status(r);
    if ((st = audit_write(r, "contact.delete", "contact", db_val(q, 0, CT_ID), NULL))) return st;
    if (!r->wants_json) return redirect_see_other(r, "/contacts", "ok", "Contact deleted.");
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, 0, CT_ID));
    json_add_bool(o, "deleted", true);
    json_reply_data(r, 200, o);
    return 0;
}

/* ---- one contact ---- */

static void fill_details(struct tdict *d, const struct dbres *q)
{
    tdict_set(d, "ID", db_val(q, 0, CT_ID));
    tdict_set(d, "NAME", db_val(q, 0, CT_NAME).len ? db_val(q, 0, CT_NAME) : STR("(no name)"));
    tdict_set(d, "PHONE", db_val(q, 0, CT_PHONE));
    tdict_set(d, "EMAIL", db_val(q, 0, CT_EMAIL));
    tdict_set(d, "COMPANY", db_val(q, 0, CT_COMPANY));
    tdict_set(d, "ADDRESS", db_val(q, 0, CT_ADDRESS));
    tdict_set_cstr(d, "PTYPE", contact_property_type_label(db_val(q, 0, CT_PTYPE)));
    tdict_set(d, "TAGS", db_val(q, 0, CT_TAGS_TEXT));
    tdict_set(d, "TZ", db_val(q, 0, CT_TZ).len ? db_val(q, 0, CT_TZ) : STR("The organisation's"));
    tdict_set_cstr(d, "OO_SMS", db_bool(q, 0, CT_OO_SMS) ? "Opted out" : "Allowed");
    tdict_set_cstr(d, "OO_VOICE", db_bool(q, 0, CT_OO_VOICE) ? "Opted out" : "Allowed");
    tdict_set_cstr(d, "OO_EMAIL", db_bool(q, 0, CT_OO_EMAIL) ? "Opted out" : "Allowed");
    if (db_bool(q, 0, CT_DNC)) tdict_show(d, "DNC");
}

/* GET /contacts/{id} and GET /api/v1/contacts/{id}; the page adds the contact's calls,
 * campaign messages and consent history (newest 50 of each). */
int contact_show(struct request *r)
{
    int st;
    struct dbres *q = contact_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if (r->wants_json) {
        json_reply_data(r, 200, contact_json(q, 0));
        return 0;
    }
    struct dbres *calls = contact_calls_query(r->db, r->arena, db_cstr(q, 0, CT_ID));
    struct dbres *consent = calls ? contact_consent_query(r->db, r->arena, db_cstr(q, 0, CT_ID)) : NULL;
    struct dbres *messages = consent ? contact_messages_query(r->db, r->arena, db_cstr(q, 0, CT_ID)) : NULL;
    if (!messages) return app_db_status(r);
    struct tdict *d = page_dict(r, "Contact", "contacts/show.tpl");
    fill_details(d, q);
    for (int i = 0; i < db_rows(calls); i++) {
        struct tdict *x = tdict_add_section(d, "CALL");
        tdict_set(x, "CALL_ID", db_val(calls, i, CC_ID));
        tdict_set(x, "STARTED", db_val(calls, i, CC_STARTED));
        tdict_set(x, "DIRECTION", db_val(calls, i, CC_DIRECTION));
        tdict_set(x, "STATUS", db_val(calls, i, CC_STATUS));
        tdict_set(x, "DURATION", db_val(calls, i, CC_DURATION));
    }
    tdict_show(d, db_rows(calls) ? "HAS_CALLS" : "NO_CALLS");
    for (int i = 0; i < db_rows(consent); i++) {
        struct tdict *x = tdict_add_section(d, "CONSENT");
        str ch = db_val(consent, i, CE_CHANNEL);
        bool out = db_bool(consent, i, CE_OPTED_OUT);
        tdict_set(x, "AT", db_val(consent, i, CE_AT));
        tdict_set_cstr(x, "WHAT", str_eq_cstr(ch, "all") ? (out ? "Put on the do-not-contact list" : "Taken off the do-not-contact list")
                                                         : (out ? "Opted out" : "Opted in"));
        tdict_set(x, "CHANNEL", str_eq_cstr(ch, "all") ? STR("all channels") : ch);
        tdict_set(x, "SOURCE", db_val(consent, i, CE_SOURCE));
        tdict_set(x, "BY", db_val(consent, i, CE_BY));
    }
    if (!db_rows(consent)) tdict_show(d, "NO_CONSENT");
    for (int i = 0; i < db_rows(messages); i++) {
        struct tdict *x = tdict_add_section(d, "MESSAGE");
        tdict_set(x, "M_CAMPAIGN_ID", db_val(messages, i, CM_CAMPAIGN_ID));
        tdict_set(x, "M_CAMPAIGN", db_val(messages, i, CM_CAMPAIGN));
        tdict_set(x, "M_CHANNEL", db_val(messages, i, CM_CHANNEL));
        tdict_set(x, "M_STATE", db_val(messages, i, CM_STATE));
        tdict_set(x, "M_REASON", db_val(messages, i, CM_REASON));
        tdict_set(x, "M_AT", db_val(messages, i, CM_AT));
    }
    tdict_show(d, db_rows(messages) ? "HAS_MESSAGES" : "NO_MESSAGES");
    if (r->session->role >= ROLE_MANAGER) tdict_show(d, "CAN_WRITE");
    if (r->session->role >= ROLE_ADMIN) tdict_show(d, "CAN_DELETE");
    return page_render(r, 200, d);
}

/* ---- the list ---- */

#define CONTACTS_LIMIT_DEFAULT 50
#define CONTACTS_CURSOR_PURPOSE "contacts-cursor"

enum { LP_Q, LP_TAG, LP_DNC, LP_SORT, LP_LIMIT, LP_CURSOR, LP_COUNT };
static const char *const sorts[] = { "name", "newest", NULL };
static const struct param_spec list_params[LP_COUNT] = {
    [LP_Q] = { "q", PARAM_LIKE, 0, 200, NULL, NULL },
    [LP_TAG] = { "tag", PARAM_TEXT, 0, CONTACT_TAG_MAX, NULL, NULL },
    [LP_DNC] = { "do_not_contact", PARAM_BOOL, 0, 0, NULL, NULL },
    [LP_SORT] = { "sort", PARAM_ENUM, 0, 0, sorts, "must be name or newest" },
    [LP_LIMIT] = { "limit", PARAM_INT, 1, 200, NULL, NULL },
    [LP_CURSOR] = { "cursor", PARAM_RAW, 0, 0, NULL, "is not a page link of this list; start from the first page" },
};

struct contact_page {
    struct param_value v[LP_COUNT];
    struct contact_filter f;
    struct dbres *rows;
    int n;
    str next;
};

/* The cursor is the last contact's id, signed for this list; its sort key is read
 * back from the row (a name does not fit a token), deleted or not, so a page after a
 * contact deleted meanwhile still resumes where it was. */
static int cursor_position(struct request *r, struct contact_page *p, struct field_errors *e)
{
    char id[37];
    if (list_cursor_decode_id(app_secret(r), CONTACTS_CURSOR_PURPOSE, p->v[LP_CURSOR].raw, id) < 0) goto refused;
    struct dbres *key = contact_sort_key_query(r->db, r->arena, id);
    if (!key) return app_db_status(r);
    if (db_rows(key) != 1) goto refused;
    p->f.after_id = arena_strdup(r->arena, id);
    p->f.after_name = db_cstr(key, 0, 0);
    p->f.after_created = db_cstr(key, 0, 1);
    return 0;
refused:
    field_error_add(e, "cursor", list_params[LP_CURSOR].message);
    return 0;
}

static int page_load(struct request *r, struct contact_page *p, bool all, struct field_errors *e)
{
    *p = (struct contact_page){ 0 };
    params_parse(r->arena, &r->query, list_params, LP_COUNT, p->v, e);
    p->f.limit = p->v[LP_LIMIT].valid ? p->v[LP_LIMIT].num : CONTACTS_LIMIT_DEFAULT;
    p->f.q = p->v[LP_Q].valid ? p->v[LP_Q].text : NULL;
    p->f.tag = p->v[LP_TAG].valid ? p->v[LP_TAG].text : NULL;
    if (p->f.tag) {
        char *t = arena_strdup(r->arena, p->f.tag);
        for (char *c = t; *c; c++)
            if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
        p->f.tag = t;
    }
    p->f.dnc = p->v[LP_DNC].valid ? (p->v[LP_DNC].num ? "t" : "f") : NULL;
    p->f.newest = p->v[LP_SORT].valid && p->v[LP_SORT].num == 1;
    int st = !all && p->v[LP_CURSOR].given ? cursor_position(r, p, e) : 0;
    if (st || e->n || all) return st;
    p->rows = contacts_list_query(r->db, r->arena, &p->f, p->f.limit + 1);
    if (!p->rows) return app_db_status(r);
    p->n = db_rows(p->rows) > p->f.limit ? (int)p->f.limit : db_rows(p->rows);
    if (db_rows(p->rows) > p->f.limit)
        p->next = list_cursor_encode_id(r->arena, app_secret(r), CONTACTS_CURSOR_PURPOSE, db_val(p->rows, p->n - 1, CT_ID));
    return 0;
}

static const char *list_url(struct request *r, const struct contact_page *p, const char *base, str cursor, uint64_t skip)
{
    struct buf qs, b;
    buf_init(&qs, r->arena, 96);
    params_query_string(list_params, p->v, LP_COUNT, skip, &qs);
    if (cursor.len) {
        if (qs.len) buf_putc(&qs, '&');
        buf_puts(&qs, "cursor=");
        buf_url_arg(&qs, cursor);
    }
    buf_init(&b, r->arena, qs.len + 32);
    buf_puts(&b, base);
    if (qs.len) {
        buf_putc(&b, '?');
        buf_put(&b, buf_str(&qs));
    }
    return buf_cstr(&b);
}

static int render_list(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct contact_page *p = ctx;
    bool dnc = p->v[LP_DNC].valid && p->v[LP_DNC].num;
    struct tdict *d = page_dict(r, dnc ? "Do not contact" : "Contacts", "contacts/list.tpl");
    tdict_show(d, dnc ? "DNC_LIST" : "ALL_LIST");
    form_field(d, "FIELD_Q", e, "q", "Search", "search", p->v[LP_Q].raw);
    form_field(d, "FIELD_TAG", e, "tag", "Tag", "text", p->v[LP_TAG].raw);
    static const struct form_option sort_options[] = { { "name", "Name" }, { "newest", "Newest first" } };
    form_select(d, "FIELD_SORT", e, "sort", "Order", sort_options, 2, p->v[LP_SORT].raw, NULL);
    if (dnc) tdict_show(d, "DNC_CHECKED");
    for (int i = 0; i < p->n; i++) {
        struct tdict *x = tdict_add_section(d, "CONTACT");
        tdict_set(x, "ID", db_val(p->rows, i, CT_ID));
        tdict_set(x, "NAME", db_val(p->rows, i, CT_NAME).len ? db_val(p->rows, i, CT_NAME) : STR("(no name)"));
        tdict_set(x, "PHONE", db_val(p->rows, i, CT_PHONE));
        tdict_set(x, "EMAIL", db_val(p->rows, i, CT_EMAIL));
        tdict_set(x, "COMPANY", db_val(p->rows, i, CT_COMPANY));
        tdict_set(x, "TAGS", db_val(p->rows, i, CT_TAGS_TEXT));
        if (db_bool(p->rows, i, CT_DNC)) tdict_show(x, "ROW_DNC");
    }
    if (p->rows && p->n == 0) tdict_show(d, p->f.q || p->f.tag || p->f.dnc ? "NO_MATCH" : p->f.after_id ? "NO_MORE" : "EMPTY");
    tdict_set_cstr(d, "EXPORT_URL", list_url(r, p, "/contacts/export.csv", STR_NULL,
                                             (uint64_t)1 << LP_CURSOR | (uint64_t)1 << LP_LIMIT));
    form_pager(d, p->v[LP_CURSOR].given ? list_url(r, p, "/contacts", STR_NULL, (uint64_t)1 << LP_CURSOR) : NULL,
               p->next.len ? list_url(r, p, "/contacts", p->next, (uint64_t)1 << LP_CURSOR) : NULL);
    if (r->session->role >= ROLE_MANAGER) tdict_show(d, "CAN_WRITE");
    field_errors_to_dict(d, e);
    return page_render(r, status, d);
}

/*
 * GET /contacts and GET /api/v1/contacts — the org's live contacts, keyset paginated.
 *   q               name, email, company or phone contains (<= 200 characters)
 *   tag             has this tag
 *   do_not_contact  true: the do-not-contact list; false: everyone else
 *   sort            name (default) | newest
 *   limit           1..200 (50); cursor: the previous page's next_cursor
 */
int contacts_list(struct request *r)
{
    struct contact_page p;
    struct field_errors e = { 0 };
    int st = page_load(r, &p, false, &e);
    if (st) return st;
    if (e.n) return field_errors_reply(r, "Some filters are not valid.", &e, render_list, &p);
    if (!r->wants_json) return render_list(r, 200, NULL, &p);
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < p.n; i++) json_object_array_add(a, contact_json(p.rows, i));
    json_reply_list(r, a, p.next);
    return 0;
}

/* ---- the export ---- */

static const char export_header[] = "id,first_name,last_name,phone,email,company,property_address,property_type,tags,"
                                    "time_zone,opt_out_sms,opt_out_voice,opt_out_email,do_not_contact,created_at,updated_at\r\n";

static void export_row(struct arena *scratch, struct buf *out, const struct dbres *q, int i)
{
    (void)scratch;
    static const int cols[] = { CT_ID, CT_FIRST, CT_LAST, CT_PHONE, CT_EMAIL, CT_COMPANY, CT_ADDRESS, CT_PTYPE,
                                CT_TAGS_TEXT, CT_TZ };
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        csv_field(out, db_val(q, i, cols[c]));
        buf_putc(out, ',');
    }
    static const int flags[] = { CT_OO_SMS, CT_OO_VOICE, CT_OO_EMAIL, CT_DNC };
    for (size_t c = 0; c < 4; c++) buf_puts(out, db_bool(q, i, flags[c]) ? "true," : "false,");
    buf_put(out, db_val(q, i, CT_CREATED));
    buf_putc(out, ',');
    buf_put(out, db_val(q, i, CT_UPDATED));
    buf_puts(out, "\r\n");
}

static struct dbres *export_batch(struct request *r, struct arena *scratch, void *ctx, int batch)
{
    return contacts_list_query(r->db, scratch, ctx, batch);
}

/* Keeps the last row's sort key in memory of the request (scratch is reset). */
static void export_remember(void *ctx, const struct dbres *q, int i)
{
    struct contact_filter *f = ctx;
    snprintf(f->key_id, sizeof f->key_id, "%s", db_cstr(q, i, CT_ID));
    size_t n = strlen(db_cstr(q, i, CT_SORT_NAME));
    if (n >= sizeof f->key_name) n = sizeof f->key_name - 1;
    memcpy(f->key_name, db_cstr(q, i, CT_SORT_NAME), n);
    f->key_name[n] = '\0';
    snprintf(f->key_created, sizeof f->key_created, "%s", db_cstr(q, i, CT_SORT_CREATED));
    f->after_id = f->key_id;
    f->after_name = f->key_name;
    f->after_created = f->key_created;
}

/* GET /contacts/export.csv — every contact the list's filters match (limit and cursor
 * ignored), formula-safe cells, streamed in batches; audited with the filters. */
int contacts_export(struct request *r)
{
    struct contact_page p;
    struct field_errors e = { 0 };
    int st = page_load(r, &p, true, &e);
    if (st) return st;
    if (e.n) return field_errors_reply(r, "Some filters are not valid.", &e, render_list, &p);
    struct buf detail;
    buf_init(&detail, r->arena, 64);
    buf_puts(&detail, "{\"query\":");
    buf_json_str(&detail, r->query_string);
    buf_putc(&detail, '}');
    if ((st = audit_write(r, "contacts.export", "contact", STR(""), buf_cstr(&detail)))) return st;
    const struct csv_source src = { &p.f, "contacts.csv", export_header, export_batch, export_row, export_remember };
    return csv_stream(r, &src, 1000);
}
