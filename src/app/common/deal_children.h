/* deal_children.h — what the brand, deliverable, payment and forecast handlers share:
 * reading a field from a form or a JSON body alike, per-field errors rendered either
 * way, strict date/time checks, the org's clock and currency. */
#ifndef SB_DEAL_CHILDREN_H
#define SB_DEAL_CHILDREN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../../core/str.h"
struct request;
struct tdict;

#define CHILD_MAX_ERRORS 16

/* Field → message pairs, in the order found. */
struct child_errors {
    int n;
    const char *field[CHILD_MAX_ERRORS];
    const char *message[CHILD_MAX_ERRORS];
};

/* Records an error for field (the first per field wins). */
void child_error(struct child_errors *e, const char *field, const char *message);
/* The value of key from the form (POST) or the JSON body: strings as they are,
 * numbers and booleans as their text, null as "". *present says whether it was sent.
 * A JSON object or array is reported as an error on that field. */
str child_in(struct request *r, const char *key, bool *present, struct child_errors *e);
/* Sets E_<FIELD> sections (upper-cased key, MSG inside) and FORM_ERROR on d. */
void child_errors_to_dict(struct tdict *d, const struct child_errors *e);
/* Answers 400 (JSON or page) with the fields; returns 0 (the response is written). */
int child_errors_reply(struct request *r, const struct child_errors *e);
/* Sets V_<FIELD> (upper-cased) to value on d. */
void child_set_value(struct tdict *d, const char *field, str value);

/* Strict "YYYY-MM-DD" (a real date). */
bool child_valid_date(str s);
/* "YYYY-MM-DDTHH:MM[:SS]" (a space also separates), optionally followed by "Z" or
 * "+HH:MM"/"-HH:MM"; the local form is read in the org's zone by deal_local_time(). */
bool child_valid_datetime(str s);
/* http:// or https:// followed by at least a host, no spaces or controls, <= 2048. */
bool child_valid_url(str s);

/* The org's clock and currency, read once per request. */
struct org_clock {
    int64_t now;          /* unix seconds */
    int32_t utc_offset_s; /* the org's offset at now */
    int64_t today;        /* civil day in the org's zone */
    str currency;         /* the org's currency code */
};
/* Fills *c; returns 0 or an HTTP status. */
int org_clock_load(struct request *r, struct org_clock *c);

/* Every rate into the org currency (the quote), for fx_convert_with/forecast_build.
 * Returns 0 and an arena array in *rates (n may be 0), or an HTTP status. */
struct fx_rate;
struct currency;
int child_fx_rates_load(struct request *r, const struct currency *org, struct fx_rate **rates, size_t *n);

/* A sum of amounts in the org currency, with what could not be converted kept per currency. */
#define MONEY_TOTAL_OTHERS 8
struct money_total {
    int64_t org_minor;
    size_t n_other;
    const struct currency *other_cur[MONEY_TOTAL_OTHERS];
    int64_t other_minor[MONEY_TOTAL_OTHERS];
};
/* Adds minor units of cur, converted with the latest rate on or before day when it is
 * not the org currency; without a rate the amount is kept apart in its own currency. */
void money_total_add(struct money_total *t, const struct fx_rate *rates, size_t n, int64_t day,
                     const struct currency *org, const struct currency *cur, int64_t minor);
/* "$1,250.00", or "$1,250.00 + €40.00 (no rate)" when some of it is unconverted. */
str money_total_text(struct request *r, const struct money_total *t, const struct currency *org);

/* SQL text of a timestamptz as ISO-8601 UTC ("2025-03-10T14:30:00Z"), NULL kept. */
#define CHILD_ISO_UTC(x) "to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* true if v is one of set[0..n). */
bool child_one_of(str v, const char *const *set, size_t n);
/* Adds one {{#section}} per option (OPT, and SELECTED for current). */
void child_fill_select(struct tdict *d, const char *section, const char *const *opts, size_t n, str current);
/* The "version" a write is based on: false (with a field error) when it is missing
 * and required, or not a whole number >= 1; *version is -1 when absent and optional. */
bool child_read_version(struct request *r, long *version, bool required, struct child_errors *e);
/* "/deals/<id>", NUL-terminated in the request arena (where writes under a deal land). */
const char *child_deal_href(struct request *r, str deal_id);
/* Adds key: the column's text, or JSON null for SQL NULL. */
struct json_object;
struct dbres;
void child_json_nullable(struct json_object *o, const char *key, const struct dbres *q, int row, int col);

/* The HTTP status for the last database error (400 check violations included). */
int child_db_status(struct request *r);
/* A str of a long, in the request arena. */
str child_long_str(struct request *r, long v);
#endif
