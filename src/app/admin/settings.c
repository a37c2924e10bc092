/* settings.c — the org's settings (GET/POST /admin/settings, GET/PATCH
 * /api/v1/admin/settings; admins only): name, time zone, currency, quiet hours,
 * recording retention and download hosts, the providers' addresses, and the
 * provider secrets, which are write-only: a page or a JSON answer shows a hint
 * ("****" and the last four characters) and when each was set, never the value. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/org_secret.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/money.h"
#include "../../domain/quiet_hours.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "admin.h"

/* The plain settings, in the order of the settings query's columns. */
enum set_field {
    SF_NAME, SF_TIMEZONE, SF_CURRENCY, SF_QUIET_START, SF_QUIET_END, SF_RETENTION, SF_HOSTS,
    SF_TWILIO_BASE_URL, SF_TWILIO_FROM, SF_SENDGRID_BASE_URL, SF_SENDGRID_FROM, SF_SENDGRID_KEY,
    SF_SMTP_HOST, SF_SMTP_PORT, SF_SMTP_SECURITY, SF_SMTP_FROM, SF_REMINDERS_ENABLED, SF_REMINDERS_TIME,
    SF_VAPI_BASE_URL, SF_SENTIMENT_KEY, SF_ACTION_ITEMS_KEY, SF_COUNT
};
static const char *const field_names[SF_COUNT] = {
    "name", "timezone", "currency", "quiet_hours_start", "quiet_hours_end", "recording_retention_days",
    "recording_download_hosts", "twilio_base_url", "twilio_from_number", "sendgrid_base_url",
    "sendgrid_from_email", "sendgrid_event_public_key", "smtp_host", "smtp_port", "smtp_security", "smtp_from",
    "reminders_enabled", "reminders_time",
    "vapi_base_url", "call_sentiment_key", "call_action_items_key",
};

#define SETTINGS_SELECT                                                                                  \
    "SELECT name, timezone, currency, split_part(quiet_hours, '-', 1), split_part(quiet_hours, '-', 2),"\
    " coalesce(recording_retention_days::text, ''), recording_download_hosts, twilio_base_url,"          \
    " twilio_from_number, sendgrid_base_url, sendgrid_from_email, sendgrid_event_public_key,"            \
    " smtp_host, smtp_port::text, smtp_security, smtp_from, reminders_enabled::text, reminders_time,"     \
    " vapi_base_url, call_sentiment_key, call_action_items_key"                                          \
    " FROM orgs WHERE id = app_org_id()"

/* The provider secrets (org_secrets keys), as `switchboard org set` names them. */
#define SECRET_COUNT 7
static const char *const secret_keys[SECRET_COUNT] = { "vapi_secret", "vapi_api_key", "twilio_account_sid",
                                                      "twilio_auth_token", "sendgrid_api_key", "smtp_username",
                                                      "smtp_password" };
static const char *const secret_labels[SECRET_COUNT] = { "Vapi webhook secret", "Vapi API key", "Twilio account SID",
                                                        "Twilio auth token", "SendGrid API key",
                                                        "SMTP user name", "SMTP password" };

enum secret_change { SECRET_KEEP, SECRET_SET, SECRET_CLEAR };

struct settings_in {
    str v[SF_COUNT];
    enum secret_change secret[SECRET_COUNT];
    str secret_value[SECRET_COUNT];
};

static struct dbres *settings_load(struct request *r, bool lock)
{
    return lock ? db_q0(r->db, r->arena, "settings_load_lock", SETTINGS_SELECT " FOR UPDATE")
                : db_q0(r->db, r->arena, "settings_load", SETTINGS_SELECT);
}

enum { SS_KEY, SS_HINT, SS_AT };
static struct dbres *secrets_load(struct request *r)
{
    return db_q0(r->db, r->arena, "settings_secrets",
                 "SELECT key, hint, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                 " FROM org_secrets WHERE org_id = app_org_id() ORDER BY key");
}

static int secret_row(const struct dbres *s, const char *key)
{
    for (int i = 0; i < db_rows(s); i++)
        if (str_eq_cstr(db_val(s, i, SS_KEY), key)) return i;
    return -1;
}

/* ---- validation ---- */

/* A host name (labels of letters, digits and '-', 1 to 63 long, not starting or
 * ending with '-') or a ".suffix" of one. */
static bool valid_host(str h)
{
    if (h.len && h.ptr[0] == '.') h = str_make(h.ptr + 1, h.len - 1);
    if (!h.len || h.len > 253) return false;
    size_t label = 0;
    for (size_t i = 0; i <= h.len; i++) {
        char c = i < h.len ? h.ptr[i] : '.';
        if (c == '.') {
            if (!label || label > 63 || h.ptr[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c == '-' && label);
        if (!ok) return false;
        label++;
    }
    return true;
}

/* "a.example, .b.example\n c" → "a.example,.b.example,c" (lower case); false on a bad entry. */
static bool normalise_hosts(struct request *r, str in, str *out)
{
    struct buf b;
    buf_init(&b, r->arena, in.len + 1);
    int n = 0;
    size_t i = 0;
    while (i < in.len) {
        size_t j = i;
        while (j < in.len && in.ptr[j] != ',' && in.ptr[j] != ' ' && in.ptr[j] != '\n' && in.ptr[j] != '\r' &&
               in.ptr[j] != '\t')
            j++;
        str h = str_make(in.ptr + i, j - i);
        i = j + 1;
        if (!h.len) continue;
        if (!valid_host(h) || ++n > 50) return false;
        if (b.len) buf_putc(&b, ',');
        for (size_t k = 0; k < h.len; k++) buf_putc(&b, (char)(h.ptr[k] >= 'A' && h.ptr[k] <= 'Z' ? h.ptr[k] + 32 : h.ptr[k]));
    }
    *out = buf_str(&b);
    return true;
}

/* http(s)://host[:port], nothing after it (a trailing '/' is dropped). */
static bool valid_base_url(str *u)
{
    while (u->len && u->ptr[u->len - 1] == '/') u->len--;
    str rest;
    if (str_starts_with(*u, STR("https://"))) rest = str_make(u->ptr + 8, u->len - 8);
    else if (str_starts_with(*u, STR("http://"))) rest = str_make(u->ptr + 7, u->len - 7);
    else return false;
    if (!rest.len || u->len > 200) return false;
    for (size_t i = 0; i < rest.len; i++) {
        unsigned char c = (unsigned char)rest.ptr[i];
        if (c <= ' ' || c == '/' || c == '?' || c == '#' || c == 0x7f) return false;
    }
    return true;
}

static bool valid_e164(str s)
{
    if (s.len < 8 || s.len > 16 || s.ptr[0] != '+' || s.ptr[1] < '1' || s.ptr[1] > '9') return false;
    for (size_t i = 2; i < s.len; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9') return false;
    return true;
}

/* A key of the provider's structuredData: what orgs' check allows. */
static bool valid_data_key(str k)
{
    if (!k.len || k.len > 64) return false;
    for (size_t i = 0; i < k.len; i++) {
        char c = k.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return false;
    }
    return true;
}

static bool has_space_or_control(str s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] <= ' ' || s.ptr[i] == 0x7f) return true;
    return false;
}

/* "HH:MM" into in->v[f] zero-padded, or a field error. */
static void check_time(struct request *r, struct settings_in *in, enum set_field f, struct field_errors *e)
{
    char *out = arena_alloc(r->arena, 6);
    int m;
    if (!quiet_hours_parse_time(in->v[f], &m)) {
        field_error_add(e, field_names[f], "must be a time as HH:MM, such as 21:00");
        return;
    }
    out[0] = (char)('0' + m / 600);
    out[1] = (char)('0' + m / 60 % 10);
    out[2] = ':';
    out[3] = (char)('0' + m % 60 / 10);
    out[4] = (char)('0' + m % 10);
    out[5] = '\0';
    in->v[f] = str_make(out, 5);
}

/* Is tz a zone PostgreSQL knows (pg_timezone_names: IANA names, not abbreviations)?
 * 1 yes, 0 no, or a negative HTTP status. */
static int known_zone(struct request *r, str tz)
{
    struct dbres *q = db_q(r->db, r->arena, "settings_zone", "SELECT 1 FROM pg_timezone_names WHERE name = $1",
                           str_cstr(r->arena, tz));
    if (!q) return -app_db_status(r);
    return db_rows(q) == 1;
}

static void check_plain(struct request *r, struct settings_in *in, struct field_errors *e)
{
    str *v = in->v;
    for (int f = 0; f < SF_COUNT; f++) v[f] = str_trim(v[f]);
    if (!v[SF_NAME].len || utf8_length(v[SF_NAME]) > 200) field_error_add(e, "name", "must be 1 to 200 characters");
    if (!money_currency(v[SF_CURRENCY]))
        field_error_add(e, "currency", "must be one of the supported currencies: USD, EUR, GBP, INR");
    check_time(r, in, SF_QUIET_START, e);
    check_time(r, in, SF_QUIET_END, e);
    long days;
    if (v[SF_RETENTION].len && (!str_to_long(v[SF_RETENTION], &days) || days < 1 || days > 3650))
        field_error_add(e, "recording_retention_days", "must be a whole number of days from 1 to 3650, or empty to keep recordings forever");
    if (!normalise_hosts(r, v[SF_HOSTS], &v[SF_HOSTS]))
        field_error_add(e, "recording_download_hosts", "must be host names (or .suffixes) separated by commas, at most 50");
    if (!valid_base_url(&v[SF_TWILIO_BASE_URL]))
        field_error_add(e, "twilio_base_url", "must be http(s)://host[:port] with no path");
    if (!valid_base_url(&v[SF_SENDGRID_BASE_URL]))
        field_error_add(e, "sendgrid_base_url", "must be http(s)://host[:port] with no path");
    if (!valid_base_url(&v[SF_VAPI_BASE_URL]))
        field_error_add(e, "vapi_base_url", "must be http(s)://host[:port] with no path");
    if (!valid_data_key(v[SF_SENTIMENT_KEY]))
        field_error_add(e, "call_sentiment_key", "must be 1 to 64 letters, digits, '_', '-' or '.', such as sentiment");
    if (!valid_data_key(v[SF_ACTION_ITEMS_KEY]))
        field_error_add(e, "call_action_items_key", "must be 1 to 64 letters, digits, '_', '-' or '.', such as actionItems");
    if (v[SF_TWILIO_FROM].len && !valid_e164(v[SF_TWILIO_FROM]))
        field_error_add(e, "twilio_from_number", "must be a phone number in E.164 form, such as +14155550100");
    str em = v[SF_SENDGRID_FROM];
    if (em.len && (em.len > 254 || !memchr(em.ptr, '@', em.len) || has_space_or_control(em)))
        field_error_add(e, "sendgrid_from_email", "must be an email address");
    /* The SMTP server (alert emails, reminders): empty host means none. */
    if (v[SF_SMTP_HOST].len && (v[SF_SMTP_HOST].len > 253 || !valid_host(v[SF_SMTP_HOST]) || v[SF_SMTP_HOST].ptr[0] == '.'))
        field_error_add(e, "smtp_host", "must be a host name, such as smtp.example.com, or empty");
    long port;
    if (!str_to_long(v[SF_SMTP_PORT], &port) || port < 1 || port > 65535)
        field_error_add(e, "smtp_port", "must be a port number from 1 to 65535, such as 587");
    static const char *const security[] = { "none", "starttls", "tls" };
    if (!input_one_of(v[SF_SMTP_SECURITY], security, 3))
        field_error_add(e, "smtp_security", "must be none, starttls or tls");
    str sf = v[SF_SMTP_FROM];
    if (sf.len && (sf.len > 254 || !memchr(sf.ptr, '@', sf.len) || has_space_or_control(sf) || memchr(sf.ptr, '<', sf.len) ||
                   memchr(sf.ptr, '>', sf.len) || memchr(sf.ptr, ',', sf.len)))
        field_error_add(e, "smtp_from", "must be an email address");
    if (v[SF_SMTP_HOST].len && !sf.len) field_error_add(e, "smtp_from", "is required when an SMTP host is set");
    /* Reminders by email: "true"/"false" as stored (a form's box says "on"). */
    str on = v[SF_REMINDERS_ENABLED];
    if (str_eq_cstr(on, "true") || str_eq_cstr(on, "on") || str_eq_cstr(on, "1")) v[SF_REMINDERS_ENABLED] = STR("true");
    else if (str_eq_cstr(on, "false") || str_eq_cstr(on, "off") || str_eq_cstr(on, "0") || !on.len)
        v[SF_REMINDERS_ENABLED] = STR("false");
    else field_error_add(e, "reminders_enabled", "must be true or false");
    check_time(r, in, SF_REMINDERS_TIME, e);
    if (str_eq_cstr(v[SF_REMINDERS_ENABLED], "true") && !v[SF_SMTP_HOST].len)
        field_error_add(e, "reminders_enabled", "needs an SMTP server: set the SMTP host first");
    if (v[SF_SENDGRID_KEY].len > 1000 || has_space_or_control(v[SF_SENDGRID_KEY]))
        field_error_add(e, "sendgrid_event_public_key", "must be the key as SendGrid shows it (base64, no spaces)");
}

/* ---- reading a write ---- */

/* The form's "clear_<key>" checkbox, or JSON "<key>": null / "clear_<key>": true. */
static bool wants_clear(struct request *r, const char *key)
{
    char clear[64];
    snprintf(clear, sizeof clear, "clear_%s", key);
    struct json_object *v;
    if (r->json) {
        if (json_object_object_get_ex(r->json, key, &v) && !v) return true;
        return json_object_object_get_ex(r->json, clear, &v) && json_object_get_boolean(v);
    }
    const str *f = kvlist_get(&r->form, clear);
    return f && f->len && !str_eq_cstr(*f, "0");
}

static void read_secrets(struct request *r, struct settings_in *in, struct field_errors *e)
{
    for (int i = 0; i < SECRET_COUNT; i++) {
        bool present;
        str v = wants_clear(r, secret_keys[i]) ? STR("") : str_trim(input_value(r, secret_keys[i], &present, e));
        in->secret_value[i] = v;
        in->secret[i] = wants_clear(r, secret_keys[i]) ? SECRET_CLEAR : v.len ? SECRET_SET : SECRET_KEEP;
        if (in->secret[i] == SECRET_SET && (v.len > 500 || has_space_or_control(v)))
            field_error_add(e, secret_keys[i], "must be the credential as the provider shows it (no spaces, at most 500 characters)");
    }
}

/* Every field of the form or the JSON body; an absent one keeps its current value
 * (a PATCH names only what changes). */
static void settings_read(struct request *r, const struct dbres *cur, struct settings_in *in, struct field_errors *e)
{
    for (int f = 0; f < SF_COUNT; f++) {
        bool present;
        str v = input_value(r, field_names[f], &present, e);
        in->v[f] = present ? v : db_val(cur, 0, f);
        if (f == SF_REMINDERS_ENABLED && !present && !r->json) in->v[f] = STR("false"); /* an unticked box */
    }
    check_plain(r, in, e);
    read_secrets(r, in, e);
}

/* ---- the page ---- */

struct settings_view {
    const struct settings_in *in;
    const struct dbres *secrets;
};

static void secret_dict(struct tdict *d, const struct dbres *s, const struct field_errors *e, int i)
{
    struct tdict *x = tdict_add_section(d, "SECRET");
    tdict_set_cstr(x, "KEY", secret_keys[i]);
    tdict_set_cstr(x, "LABEL", secret_labels[i]);
    int row = secret_row(s, secret_keys[i]);
    if (row >= 0) {
        struct tdict *set = tdict_add_section(x, "IS_SET");
        tdict_set(set, "HINT", db_val(s, row, SS_HINT));
        tdict_set(set, "AT", db_val(s, row, SS_AT));
    } else {
        tdict_show(x, "NOT_SET");
    }
    const char *msg = e ? field_error_of(e, secret_keys[i]) : NULL;
    if (msg) tdict_set_cstr(tdict_add_section(x, "ERROR"), "MSG", msg);
}

/* form_render_fn: the settings form with ctx's values (a struct settings_view). */
static int render_form(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct settings_view *sv = ctx;
    const str *v = sv->in->v;
    struct tdict *d = page_dict(r, "Settings", "admin/settings.tpl");
    admin_nav(d, "settings");
    form_errors(d, e, "form-error", "Some settings need attention; see the messages below.");
    struct tdict *x = form_field(d, "FIELD_NAME", e, "name", "Organisation name", "text", v[SF_NAME]);
    tdict_set_long(tdict_add_section(x, "MAXLENGTH"), "N", 200);
    x = form_field(d, "FIELD_TIMEZONE", e, "timezone", "Time zone", "text", v[SF_TIMEZONE]);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "An IANA name, such as Europe/Paris. Every date is shown in it.");
    static const struct form_option currencies[] = { { "USD", "USD" }, { "EUR", "EUR" }, { "GBP", "GBP" }, { "INR", "INR" } };
    form_select(d, "FIELD_CURRENCY", e, "currency", "Default currency", currencies, 4, v[SF_CURRENCY], NULL);
    form_field(d, "FIELD_QUIET_START", e, "quiet_hours_start", "Quiet hours start", "time", v[SF_QUIET_START]);
    form_field(d, "FIELD_QUIET_END", e, "quiet_hours_end", "Quiet hours end", "time", v[SF_QUIET_END]);
    x = form_field(d, "FIELD_RETENTION", e, "recording_retention_days", "Recording retention (days)", "text", v[SF_RETENTION]);
    tdict_set_cstr(tdict_add_section(x, "INPUTMODE"), "MODE", "numeric");
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Empty: keep recordings forever.");
    form_set_value(d, "recording_download_hosts", v[SF_HOSTS]);
    form_field(d, "FIELD_TWILIO_BASE_URL", e, "twilio_base_url", "Twilio base URL", "url", v[SF_TWILIO_BASE_URL]);
    form_field(d, "FIELD_TWILIO_FROM", e, "twilio_from_number", "Twilio sender number", "tel", v[SF_TWILIO_FROM]);
    form_field(d, "FIELD_SENDGRID_BASE_URL", e, "sendgrid_base_url", "SendGrid base URL", "url", v[SF_SENDGRID_BASE_URL]);
    form_field(d, "FIELD_SENDGRID_FROM", e, "sendgrid_from_email", "SendGrid sender email", "email", v[SF_SENDGRID_FROM]);
    form_set_value(d, "sendgrid_event_public_key", v[SF_SENDGRID_KEY]);
    form_field(d, "FIELD_VAPI_BASE_URL", e, "vapi_base_url", "Vapi base URL", "url", v[SF_VAPI_BASE_URL]);
    x = form_field(d, "FIELD_SENTIMENT_KEY", e, "call_sentiment_key", "Sentiment key", "text", v[SF_SENTIMENT_KEY]);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT",
                   "The structured-data key holding positive, neutral or negative, or a score from -1 to 1.");
    x = form_field(d, "FIELD_ACTION_ITEMS_KEY", e, "call_action_items_key", "Action items key", "text",
                   v[SF_ACTION_ITEMS_KEY]);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "The structured-data key holding a list of action items.");
    for (int i = 0; i < SECRET_COUNT; i++) secret_dict(d, sv->secrets, e, i);
    x = form_field(d, "FIELD_SMTP_HOST", e, "smtp_host", "SMTP host", "text", v[SF_SMTP_HOST]);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Alert emails and reminders go through it. Empty: no email.");
    x = form_field(d, "FIELD_SMTP_PORT", e, "smtp_port", "SMTP port", "text", v[SF_SMTP_PORT]);
    tdict_set_cstr(tdict_add_section(x, "INPUTMODE"), "MODE", "numeric");
    static const struct form_option security[] = { { "starttls", "STARTTLS (required)" }, { "tls", "TLS from the start (smtps)" },
                                                   { "none", "None (a local relay only)" } };
    form_select(d, "FIELD_SMTP_SECURITY", e, "smtp_security", "SMTP security", security, 3, v[SF_SMTP_SECURITY], NULL);
    form_field(d, "FIELD_SMTP_FROM", e, "smtp_from", "Sender address", "email", v[SF_SMTP_FROM]);
    if (str_eq_cstr(v[SF_REMINDERS_ENABLED], "true")) tdict_show(d, "REMINDERS_ON");
    x = form_field(d, "FIELD_REMINDERS_TIME", e, "reminders_time", "Reminders time", "time", v[SF_REMINDERS_TIME]);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "In the organisation's time zone; each owner gets at most one email a day.");
    return page_render(r, status, d);
}

/* ---- JSON ---- */

static struct json_object *settings_json(const struct settings_in *in, const struct dbres *s)
{
    struct json_object *o = json_object_new_object();
    for (int f = 0; f < SF_COUNT; f++) {
        if (f == SF_RETENTION && !in->v[f].len) json_object_object_add(o, field_names[f], NULL);
        else if (f == SF_REMINDERS_ENABLED) json_add_bool(o, field_names[f], str_eq_cstr(in->v[f], "true"));
        else if (f == SF_RETENTION || f == SF_SMTP_PORT) {
            long days = 0;
            str_to_long(in->v[f], &days);
            json_add_long(o, field_names[f], days);
        } else json_add_str(o, field_names[f], in->v[f]);
    }
    struct json_object *secrets = json_object_new_object();
    for (int i = 0; i < SECRET_COUNT; i++) {
        struct json_object *x = json_object_new_object();
        int row = secret_row(s, secret_keys[i]);
        json_add_bool(x, "set", row >= 0);
        json_add_str(x, "hint", row >= 0 ? db_val(s, row, SS_HINT) : STR_NULL);
        json_add_str(x, "updated_at", row >= 0 ? db_val(s, row, SS_AT) : STR_NULL);
        json_object_object_add(secrets, secret_keys[i], x);
    }
    json_object_object_add(o, "secrets", secrets);
    return o;
}

static void in_from_row(const struct dbres *cur, struct settings_in *in)
{
    memset(in, 0, sizeof *in);
    for (int f = 0; f < SF_COUNT; f++) in->v[f] = db_val(cur, 0, f);
}

/* ---- the write ---- */

static int write_secret(struct request *r, const struct settings_in *in, int i)
{
    const char *key = secret_keys[i];
    if (in->secret[i] == SECRET_CLEAR)
        return db_q(r->db, r->arena, "settings_secret_clear",
                    "DELETE FROM org_secrets WHERE org_id = app_org_id() AND key = $1", key)
                   ? 0
                   : app_db_status(r);
    str hex = org_secret_seal_hex(r->arena, app_secret(r), r->session->org_id, key, in->secret_value[i]);
    if (!hex.len) return 500;
    return db_q(r->db, r->arena, "settings_secret_set",
                "INSERT INTO org_secrets (org_id, key, ciphertext, hint) VALUES (app_org_id(), $1, $2::bytea, $3)"
                " ON CONFLICT (org_id, key) DO UPDATE SET ciphertext = EXCLUDED.ciphertext,"
                " hint = EXCLUDED.hint, updated_at = now()",
                key, str_cstr(r->arena, hex), org_secret_hint(r->arena, in->secret_value[i]))
               ? 0
               : app_db_status(r);
}

static int write_plain(struct request *r, const struct settings_in *in)
{
    const char *p[SF_COUNT];
    for (int f = 0; f < SF_COUNT; f++) p[f] = str_cstr(r->arena, in->v[f]);
    struct dbres *q = db_exec(r->db, r->arena, "settings_update",
                              "UPDATE orgs SET name = $1, timezone = $2, currency = $3, quiet_hours = $4 || '-' || $5,"
                              " recording_retention_days = nullif($6, '')::int, recording_download_hosts = $7,"
                              " twilio_base_url = $8, twilio_from_number = $9, sendgrid_base_url = $10,"
                              " sendgrid_from_email = $11, sendgrid_event_public_key = $12, smtp_host = $13,"
                              " smtp_port = $14::int, smtp_security = $15, smtp_from = $16, reminders_enabled = $17::bool,"
                              " reminders_time = $18, vapi_base_url = $19, call_sentiment_key = $20,"
                              " call_action_items_key = $21, updated_at = now()"
                              " WHERE id = app_org_id()",
                              SF_COUNT, p);
    return q ? 0 : app_db_status(r);
}

/* The audit row: which settings changed (names only; a secret's value never).
 * *any: whether anything did. */
static int audit_changes(struct request *r, const struct dbres *cur, const struct settings_in *in, bool *any)
{
    struct buf b;
    buf_init(&b, r->arena, 256);
    buf_puts(&b, "{\"changed\":[");
    int n = 0;
    for (int f = 0; f < SF_COUNT; f++) {
        if (str_eq(in->v[f], db_val(cur, 0, f))) continue;
        if (n++) buf_putc(&b, ',');
        buf_json_str(&b, str_from(field_names[f]));
    }
    buf_puts(&b, "],\"secrets\":{");
    int k = 0;
    for (int i = 0; i < SECRET_COUNT; i++) {
        if (in->secret[i] == SECRET_KEEP) continue;
        buf_printf(&b, "%s\"%s\":\"%s\"", k++ ? "," : "", secret_keys[i],
                   in->secret[i] == SECRET_SET ? "set" : "cleared");
    }
    buf_puts(&b, "}}");
    *any = n + k > 0;
    return *any ? audit_write(r, "org.settings_update", "org", r->session->org_id, buf_cstr(&b)) : 0;
}

/* Validates and saves; field errors in e (nothing written then). 0 or an HTTP status. */
static int settings_save(struct request *r, struct settings_in *in, struct dbres **secrets, struct field_errors *e)
{
    struct dbres *cur = settings_load(r, true);
    if (!cur) return app_db_status(r);
    if (db_rows(cur) != 1) return 503;
    settings_read(r, cur, in, e);
    if (!field_error_of(e, "timezone") && !str_eq(in->v[SF_TIMEZONE], db_val(cur, 0, SF_TIMEZONE))) {
        int known = in->v[SF_TIMEZONE].len <= 64 ? known_zone(r, in->v[SF_TIMEZONE]) : 0;
        if (known < 0) return -known;
        if (!known) field_error_add(e, "timezone", "must be an IANA time zone name, such as Europe/Paris");
    }
    *secrets = secrets_load(r);
    if (!*secrets) return app_db_status(r);
    if (field_errors_any(e)) return 0;
    bool any;
    int st = audit_changes(r, cur, in, &any);
    if (st || !any) return st;
    st = write_plain(r, in);
    for (int i = 0; i < SECRET_COUNT && !st; i++)
        if (in->secret[i] != SECRET_KEEP) st = write_secret(r, in, i);
    if (!st) *secrets = secrets_load(r);
    return st ? st : *secrets ? 0 : app_db_status(r);
}

/* GET /admin/settings — the form with the current values. */
int admin_settings_show(struct request *r)
{
    struct dbres *cur = settings_load(r, false), *s = cur ? secrets_load(r) : NULL;
    if (!s) return app_db_status(r);
    if (db_rows(cur) != 1) return 503;
    struct settings_in in;
    in_from_row(cur, &in);
    struct settings_view sv = { &in, s };
    return render_form(r, 200, NULL, &sv);
}

/* POST /admin/settings — saves; 303 back with a flash, or 400 and the form again
 * with what was typed (secrets excepted: they are never sent back). */
int admin_settings_update(struct request *r)
{
    struct settings_in in;
    struct field_errors e = { 0 };
    struct dbres *s = NULL;
    int st = settings_save(r, &in, &s, &e);
    if (st) return st;
    if (field_errors_any(&e)) {
        struct settings_view sv = { &in, s };
        return field_errors_reply(r, NULL, &e, render_form, &sv);
    }
    return redirect_see_other(r, "/admin/settings", "ok", "Settings saved.");
}

/* GET /api/v1/admin/settings */
int api_admin_settings_show(struct request *r)
{
    struct dbres *cur = settings_load(r, false), *s = cur ? secrets_load(r) : NULL;
    if (!s) return app_db_status(r);
    if (db_rows(cur) != 1) return 503;
    struct settings_in in;
    in_from_row(cur, &in);
    json_reply_data(r, 200, settings_json(&in, s));
    return 0;
}

/* PATCH /api/v1/admin/settings — the fields sent change, the others stay. */
int api_admin_settings_update(struct request *r)
{
    if (!r->json || !json_object_is_type(r->json, json_type_object)) {
        struct field_errors e = { 0 };
        field_error_add(&e, "body", "must be a JSON object");
        return field_errors_reply(r, NULL, &e, NULL, NULL);
    }
    struct settings_in in;
    struct field_errors e = { 0 };
    struct dbres *s = NULL;
    int st = settings_save(r, &in, &s, &e);
    if (st) return st;
    if (field_errors_any(&e)) return field_errors_reply(r, NULL, &e, NULL, NULL);
    json_reply_data(r, 200, settings_json(&in, s));
    return 0;
}
