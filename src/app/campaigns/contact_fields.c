/* contact_fields.c — the rules of a contact's fields (contact_fields.h). */
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "contact_fields.h"

static const struct {
    const char *name, *label;
} fields[CF_COUNT] = {
    [CF_SKIP] = { "skip", "Do not import" },
    [CF_FIRST_NAME] = { "first_name", "First name" },
    [CF_LAST_NAME] = { "last_name", "Last name" },
    [CF_FULL_NAME] = { "full_name", "Full name (first and last)" },
    [CF_PHONE] = { "phone", "Phone" },
    [CF_EMAIL] = { "email", "Email" },
    [CF_COMPANY] = { "company", "Company" },
    [CF_PROPERTY_ADDRESS] = { "property_address", "Property address" },
    [CF_PROPERTY_TYPE] = { "property_type", "Property type" },
    [CF_TAGS] = { "tags", "Tags" },
    [CF_TIME_ZONE] = { "time_zone", "Time zone" },
    [CF_OPT_OUT_SMS] = { "opt_out_sms", "Opted out of SMS" },
    [CF_OPT_OUT_VOICE] = { "opt_out_voice", "Opted out of calls" },
    [CF_OPT_OUT_EMAIL] = { "opt_out_email", "Opted out of email" },
    [CF_DO_NOT_CONTACT] = { "do_not_contact", "Do not contact" },
};

const char *contact_field_name(enum contact_field f) { return f < CF_COUNT ? fields[f].name : "skip"; }
const char *contact_field_label(enum contact_field f) { return f < CF_COUNT ? fields[f].label : ""; }

bool contact_field_parse(str name, enum contact_field *out)
{
    for (int f = 0; f < CF_COUNT; f++)
        if (str_eq_cstr(name, fields[f].name)) {
            *out = (enum contact_field)f;
            return true;
        }
    return false;
}

/* Header spellings, reduced to lower-case letters and digits. */
static const struct {
    const char *key;
    enum contact_field f;
} guesses[] = {
    { "firstname", CF_FIRST_NAME }, { "first", CF_FIRST_NAME }, { "givenname", CF_FIRST_NAME }, { "forename", CF_FIRST_NAME },
    { "lastname", CF_LAST_NAME }, { "last", CF_LAST_NAME }, { "surname", CF_LAST_NAME }, { "familyname", CF_LAST_NAME },
    { "name", CF_FULL_NAME }, { "fullname", CF_FULL_NAME }, { "contactname", CF_FULL_NAME }, { "ownername", CF_FULL_NAME },
    { "phone", CF_PHONE }, { "phonenumber", CF_PHONE }, { "mobile", CF_PHONE }, { "mobilephone", CF_PHONE },
    { "cell", CF_PHONE }, { "cellphone", CF_PHONE }, { "tel", CF_PHONE }, { "telephone", CF_PHONE }, { "number", CF_PHONE },
    { "email", CF_EMAIL }, { "emailaddress", CF_EMAIL }, { "mail", CF_EMAIL },
    { "company", CF_COMPANY }, { "companyname", CF_COMPANY }, { "organization", CF_COMPANY }, { "organisation", CF_COMPANY },
    { "business", CF_COMPANY },
    { "address", CF_PROPERTY_ADDRESS }, { "propertyaddress", CF_PROPERTY_ADDRESS }, { "street", CF_PROPERTY_ADDRESS },
    { "streetaddress", CF_PROPERTY_ADDRESS },
    { "propertytype", CF_PROPERTY_TYPE }, { "type", CF_PROPERTY_TYPE },
    { "tags", CF_TAGS }, { "tag", CF_TAGS }, { "labels", CF_TAGS },
    { "timezone", CF_TIME_ZONE }, { "tz", CF_TIME_ZONE },
    { "optoutsms", CF_OPT_OUT_SMS }, { "smsoptout", CF_OPT_OUT_SMS },
    { "optoutvoice", CF_OPT_OUT_VOICE }, { "voiceoptout", CF_OPT_OUT_VOICE }, { "optoutcalls", CF_OPT_OUT_VOICE },
    { "optoutemail", CF_OPT_OUT_EMAIL }, { "emailoptout", CF_OPT_OUT_EMAIL },
    { "donotcontact", CF_DO_NOT_CONTACT }, { "dnc", CF_DO_NOT_CONTACT },
};

enum contact_field contact_field_guess(str header)
{
    char key[32];
    size_t n = 0;
    for (size_t i = 0; i < header.len; i++) {
        char c = header.ptr[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) continue;
        if (n + 1 >= sizeof key) return CF_SKIP;
        key[n++] = c;
    }
    key[n] = '\0';
    for (size_t i = 0; i < sizeof guesses / sizeof guesses[0]; i++)
        if (strcmp(key, guesses[i].key) == 0) return guesses[i].f;
    return CF_SKIP;
}

static bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

static bool local_char(char c) { return is_alnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~.-", c)); }

bool contact_email_valid(str s)
{
    if (s.len < 3 || s.len > 254) return false;
    const char *at = memchr(s.ptr, '@', s.len);
    if (!at) return false;
    str local = str_make(s.ptr, (size_t)(at - s.ptr)), domain = str_make(at + 1, s.len - local.len - 1);
    if (!local.len || local.len > 64 || local.ptr[0] == '.' || local.ptr[local.len - 1] == '.') return false;
    for (size_t i = 0; i < local.len; i++)
        if (!local_char(local.ptr[i]) || (local.ptr[i] == '.' && local.ptr[i + 1] == '.')) return false;
    bool dot = false;
    size_t label = 0;
    for (size_t i = 0; i < domain.len; i++) {
        char c = domain.ptr[i];
        if (c == '.') {
            if (!label || domain.ptr[i - 1] == '-') return false;
            dot = true;
            label = 0;
        } else if (is_alnum(c) || (c == '-' && label > 0)) {
            if (++label > 63) return false;
        } else {
            return false;
        }
    }
    return dot && label > 0 && domain.ptr[domain.len - 1] != '-';
}

const char *contact_email_error(str s)
{
    return contact_email_valid(s) ? NULL : "email must be an address such as name@example.com";
}

const char *contact_text_error(str s, long max)
{
    if (!utf8_valid(s)) return "must be UTF-8 text";
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] < 0x20 || s.ptr[i] == 0x7f) return "must not hold control characters";
    if ((long)utf8_length(s) > max) {
        switch (max) {
        case CONTACT_NAME_MAX: return "must be at most 100 characters";
        case CONTACT_COMPANY_MAX: return "must be at most 200 characters";
        default: return "must be at most 300 characters";
        }
    }
    return NULL;
}

str contact_one_line(struct arena *a, str s)
{
    if (!memchr(s.ptr, '\n', s.len) && !memchr(s.ptr, '\r', s.len)) return s;
    struct buf b;
    buf_init(&b, a, s.len + 8);
    for (size_t i = 0; i < s.len;) {
        if (s.ptr[i] != '\n' && s.ptr[i] != '\r') {
            buf_putc(&b, s.ptr[i++]);
            continue;
        }
        while (b.len && b.data[b.len - 1] == ' ') b.len--;
        while (i < s.len && (s.ptr[i] == '\n' || s.ptr[i] == '\r' || s.ptr[i] == ' ')) i++;
        if (b.len && i < s.len) buf_puts(&b, ", ");
    }
    return buf_str(&b);
}

const char *const contact_property_types[] = { "single_family", "multi_family", "condo", "townhouse", "land",
                                               "commercial", "other", NULL };
static const char *const property_labels[] = { "Single family", "Multi family", "Condo", "Townhouse", "Land",
                                               "Commercial", "Other" };

const char *contact_property_type(str s)
{
    s = str_trim(s);
    if (!s.len) return "";
    char key[24];
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c == ' ' || c == '-') c = '_';
        if (n + 1 >= sizeof key) return NULL;
        key[n++] = c;
    }
    key[n] = '\0';
    for (int i = 0; contact_property_types[i]; i++)
        if (strcmp(key, contact_property_types[i]) == 0) return contact_property_types[i];
    return NULL;
}

const char *contact_property_type_label(str stored)
{
    for (int i = 0; contact_property_types[i]; i++)
        if (str_eq_cstr(stored, contact_property_types[i])) return property_labels[i];
    return "";
}

str contact_tags_normalize(struct arena *a, str s, const char **error)
{
    struct buf b;
    buf_init(&b, a, s.len + 1);
    int count = 0;
    *error = NULL;
    size_t i = 0;
    while (i <= s.len) {
        size_t j = i;
        while (j < s.len && s.ptr[j] != ',' && s.ptr[j] != ';') j++;
        str t = str_trim(str_make(s.ptr + i, j - i));
        i = j + 1;
        if (!t.len) continue;
        if (contact_text_error(t, CONTACT_TAG_MAX)) {
            *error = "tags must be at most 50 characters each, separated by commas";
            return STR_NULL;
        }
        size_t start = b.len;
        if (count) buf_putc(&b, ',');
        for (size_t k = 0; k < t.len; k++) buf_putc(&b, (t.ptr[k] >= 'A' && t.ptr[k] <= 'Z') ? (char)(t.ptr[k] + 32) : t.ptr[k]);
        str added = str_make(b.data + start + (count ? 1 : 0), b.len - start - (count ? 1 : 0));
        bool repeat = false;
        for (size_t p = 0, q; p < start; p = q + 1) {
            q = p;
            while (q < start && b.data[q] != ',') q++;
            if (str_eq(str_make(b.data + p, q - p), added)) repeat = true;
        }
        if (repeat) {
            b.len = start;
            continue;
        }
        if (++count > CONTACT_TAGS_MAX) {
            *error = "tags must be at most 20";
            return STR_NULL;
        }
    }
    return buf_str(&b).len ? str_dup(a, buf_str(&b)) : STR("");
}

bool contact_time_zone_shape(str s)
{
    if (!s.len || s.len > 64) return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!is_alnum(c) && c != '/' && c != '_' && c != '-' && c != '+') return false;
    }
    return s.ptr[0] != '/' && s.ptr[s.len - 1] != '/';
}

int contact_yes_no(str s)
{
    static const char *const yes[] = { "yes", "y", "true", "t", "1", "x", "on", "opted out", "opt out", "optout" };
    static const char *const no[] = { "no", "n", "false", "f", "0", "off", "" };
    s = str_trim(s);
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (str_case_eq(s, str_from(yes[i]))) return 1;
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (str_case_eq(s, str_from(no[i]))) return 0;
    return -1;
}
