/* contact_fields.h — the rules of a contact's fields, shared by the form, the JSON API
 * and the CSV import: email, property type, tags, time zone spelling, the import's
 * header names. Pure: each check returns NULL when the value is fine, else the
 * field's message (lower-case, no final full stop). */
#ifndef SB_CONTACT_FIELDS_H
#define SB_CONTACT_FIELDS_H
#include <stdbool.h>
#include "../../core/str.h"
struct arena;

/* What a CSV column can be mapped to. */
enum contact_field {
    CF_SKIP, CF_FIRST_NAME, CF_LAST_NAME, CF_FULL_NAME, CF_PHONE, CF_EMAIL, CF_COMPANY,
    CF_PROPERTY_ADDRESS, CF_PROPERTY_TYPE, CF_TAGS, CF_TIME_ZONE, CF_OPT_OUT_SMS, CF_OPT_OUT_VOICE,
    CF_OPT_OUT_EMAIL, CF_DO_NOT_CONTACT, CF_COUNT
};
/* The field's name ("first_name", "skip") and label ("First name", "Do not import"). */
const char *contact_field_name(enum contact_field f);
const char *contact_field_label(enum contact_field f);
/* The field named name (as contact_field_name spells it); false if none. */
bool contact_field_parse(str name, enum contact_field *out);
/* The field a CSV header most likely means ("E-mail address" → CF_EMAIL), else CF_SKIP. */
enum contact_field contact_field_guess(str header);

#define CONTACT_NAME_MAX 100
#define CONTACT_COMPANY_MAX 200
#define CONTACT_ADDRESS_MAX 300
#define CONTACT_TAGS_MAX 20
#define CONTACT_TAG_MAX 50

/* A plain address: local@domain, at most 254 bytes, no spaces or controls, a domain
 * of dot-separated letters, digits and hyphens with at least one dot. */
bool contact_email_valid(str s);
/* NULL, or the message for email. */
const char *contact_email_error(str s);
/* Free text of at most max characters without control characters: NULL or a message. */
const char *contact_text_error(str s, long max);
/* s with each line break (CRLF, LF, CR) and the spaces around it made ", ": a
 * multi-line spreadsheet cell or textarea address kept on one line. s when it has none. */
str contact_one_line(struct arena *a, str s);
/* The stored spelling of a property type written as people do ("Single family",
 * "multi-family", "CONDO"), or NULL when it is not one; "" for an empty value. */
const char *contact_property_type(str s);
/* The property types' stored spellings, NULL-terminated, and a label for each. */
extern const char *const contact_property_types[];
const char *contact_property_type_label(str stored);
/* Tags separated by commas (or semicolons) → "a,b" (trimmed, lower-cased, repeats and
 * empty pieces dropped) in a; NULL and *error set when there are too many, one is too
 * long or holds a control character. */
str contact_tags_normalize(struct arena *a, str s, const char **error);
/* The shape of an IANA time zone name ("America/New_York", "UTC"); whether the zone
 * exists is the database's to say. */
bool contact_time_zone_shape(str s);
/* A yes/no cell of an import or a form: 1 (yes, true, 1, y, x, on, opted out...), 0
 * (no, false, 0, n, off, empty), -1 otherwise. */
int contact_yes_no(str s);
#endif
