/* deal_input.h — a deal's editable fields as people and API clients send them:
 * collected from a form, from a JSON body over the stored deal, or from the stored
 * deal itself (the edit form), then validated into SQL parameters. */
#ifndef SB_DEAL_INPUT_H
#define SB_DEAL_INPUT_H
#include <stdbool.h>
#include "../../core/str.h"
#include "../common/field_errors.h"
#include "deal_common.h"
struct request;

enum deal_field {
    DF_TITLE, DF_BRAND, DF_OWNER, DF_STAGE, DF_CONTRACT, DF_TYPE, DF_VALUE, DF_CURRENCY, DF_UR_START,
    DF_UR_END, DF_EX_CAT, DF_EX_PLAT, DF_EX_START, DF_EX_END, DF_REV_LIMIT, DF_REV_USED, DF_REV_FEE,
    DF_NEXT, DF_NEXT_DUE, DF_TAGS, DF_CATEGORIES, DF_AFFILIATE, DF_ARCHIVED, DF_COUNT
};
/* The form and error names ("title", "value", "exclusivity_platforms", ...). */
extern const char *const deal_field_names[DF_COUNT];

/* What to do with the sealed affiliate code. */
enum affiliate_op { AFF_KEEP, AFF_SET, AFF_CLEAR };

struct deal_input {
    str raw[DF_COUNT];           /* as typed (lists comma-separated); form values */
    struct field_errors errs;    /* named by deal_field_names */
    const char *p[DF_COUNT];     /* validated SQL parameters (NULL = SQL NULL) */
    enum affiliate_op aff;
    long version;                /* -1 when not sent */
};

/* The form's fields (POST): absent ones are empty, a missing checkbox is false;
 * exclusivity_platforms may repeat; `version` is the version the form was read at. */
void deal_input_from_form(struct request *r, struct deal_input *in);
/* The stored deal as form values (an edit form, or the base of a JSON PATCH);
 * next_due is the due time as the form shows it. */
void deal_input_from_row(struct request *r, const struct deal_row *d, str next_due, struct deal_input *in);
/* Overlays the members of the JSON body (the API's names: value {amount_minor,
 * currency}, exclusivity {category, platforms, start, end} or null, ...) on in;
 * a member of the wrong type is an error on that field. */
void deal_input_from_json(struct request *r, struct deal_input *in);
/* Validates every field into in->p (brand and owner must be the org's; an agent may
 * only own it themselves); returns the number of errors, or minus an HTTP status
 * when the database failed. */
int deal_input_validate(struct request *r, struct deal_input *in);
#endif
