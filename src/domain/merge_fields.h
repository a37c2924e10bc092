/* merge_fields.h — `{{first_name}}`-style fields in a campaign's texts: which names
 * exist, checking a text, and rendering it for one contact. A field may carry a
 * fallback, `{{first_name|there}}`, written when the contact has no value; without
 * one a missing value renders as nothing. Spaces inside the braces are allowed. */
#ifndef SB_MERGE_FIELDS_H
#define SB_MERGE_FIELDS_H
#include "../core/str.h"
struct arena;

enum merge_field {
    MF_FIRST_NAME,
    MF_LAST_NAME,
    MF_COMPANY,
    MF_PHONE,
    MF_EMAIL,
    MF_PROPERTY_ADDRESS,
    MF_COUNT
};

#define MERGE_FALLBACK_MAX 50

/* The field's name as written in a text ("first_name"). */
const char *merge_field_name(enum merge_field f);
/* NULL when every `{{...}}` of s names a known field (with a fallback of at most
 * MERGE_FALLBACK_MAX bytes and no braces), else why not, e.g. "{{nickname}} is not a
 * field; use first_name, last_name, ..." (in the arena). */
const char *merge_fields_check(struct arena *a, str s);
/* s with each field replaced by values[field], or by its fallback (else nothing) when
 * that value is empty. s must have passed merge_fields_check; an unknown field is
 * left as written. In the arena. */
str merge_fields_render(struct arena *a, str s, const str values[MF_COUNT]);
#endif
