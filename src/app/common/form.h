/* form.h — filling the form partials (templates/partials/): a field with its error,
 * a select, the error summary and the pager, so no form repeats their markup. */
#ifndef SB_FORM_H
#define SB_FORM_H
#include <stddef.h>
#include "../../core/str.h"
struct tdict;
struct field_errors;

/* {{>marker}} as partials/field.tpl: an input named name (id f-<name>) of type with
 * value, and e's message for name when there is one (e may be NULL). Returns the
 * partial's dictionary for the optional parts: REQUIRED, MAXLENGTH (N), INPUTMODE
 * (MODE), PLACEHOLDER (TEXT), HINT (TEXT), AUTOCOMPLETE_OFF. */
struct tdict *form_field(struct tdict *d, const char *marker, const struct field_errors *e, const char *name,
                         const char *label, const char *type, str value);

/* One option of a select. */
struct form_option {
    const char *value, *label;
};
/* {{>marker}} as partials/select.tpl: options[0..n) with those equal to current
 * selected (current may hold several values separated by commas when multiple is
 * shown on the returned dictionary: MULTIPLE with SIZE). empty_label, when not NULL,
 * is a first option with the empty value. */
struct tdict *form_select(struct tdict *d, const char *marker, const struct field_errors *e, const char *name,
                          const char *label, const struct form_option *options, size_t n, str current,
                          const char *empty_label);
/* Adds one option to a select filled by form_select (options read from the database). */
void form_select_add(struct tdict *select, str value, str label, str current);

/* Sets V_<FIELD> (upper-cased) to value on d: a field written out by hand. */
void form_set_value(struct tdict *d, const char *field, str value);
/* Adds one {{#section}} per option of a select written out by hand (OPT, and
 * SELECTED for current). */
void form_options(struct tdict *d, const char *section, const char *const *opts, size_t n, str current);

/* {{>ERROR_SUMMARY}} (partials/error_summary.tpl) with id and lead text when e has
 * errors, and E_<FIELD> sections on d for fields written out by hand. */
void form_errors(struct tdict *d, const struct field_errors *e, const char *id, const char *lead);

/* {{>PAGER}} (partials/pager.tpl): "First page" when first_url, "Next page" when
 * next_url (either may be NULL). */
void form_pager(struct tdict *d, const char *first_url, const char *next_url);
#endif
