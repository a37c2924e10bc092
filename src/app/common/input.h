/* input.h — reading a write's fields alike from a form or a JSON body, and the
 * checks the deal, brand, deliverable and payment inputs share. */
#ifndef SB_INPUT_H
#define SB_INPUT_H
#include <stdbool.h>
#include <stddef.h>
#include "../../core/str.h"
struct request;
struct field_errors;

/* The value of key from the form (POST) or the JSON body: strings as they are,
 * numbers and booleans as their text, null as "". *present (may be NULL) says
 * whether it was sent. A JSON object or array is recorded as an error on key. */
str input_value(struct request *r, const char *key, bool *present, struct field_errors *e);
/* The "version" a write is based on: false (with an error on "version") when it is
 * missing and required, or not a whole number >= 1; *version is -1 when absent and
 * optional. */
bool input_read_version(struct request *r, long *version, bool required, struct field_errors *e);

/* Strict "YYYY-MM-DD" (a real date). */
bool input_valid_date(str s);
/* "YYYY-MM-DDTHH:MM[:SS]" (a space also separates), optionally followed by "Z" or
 * "+HH:MM"/"-HH:MM"; a local time is read in the org's zone by the caller. */
bool input_valid_datetime(str s);
/* http:// or https:// followed by at least a host, no spaces or controls, <= 2048. */
bool input_valid_url(str s);
/* true if v is one of set[0..n). */
bool input_one_of(str v, const char *const *set, size_t n);
#endif
