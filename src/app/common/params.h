/* params.h — declared parameters: a list names its query parameters in a table
 * (name, type, bounds, allowed values, message), and one parser reads a request's
 * query into typed values, recording a field error per bad one. The list's own file
 * keeps only its cross-field rules. Also the shared spellings: booleans, LIKE
 * patterns, free text. */
#ifndef SB_PARAMS_H
#define SB_PARAMS_H
#include <stdbool.h>
#include <stdint.h>
#include "../../core/str.h"
struct arena;
struct buf;
struct kvlist;
struct field_errors;

enum param_type {
    PARAM_TEXT,     /* free text: at most max characters (200 when 0), no control characters */
    PARAM_LIKE,     /* free text as above, kept as a LIKE pattern body (\ % _ escaped) */
    PARAM_INT,      /* a whole number from min to max */
    PARAM_BOOL,     /* true|false|1|0|on|off (param_bool) */
    PARAM_ENUM,     /* one of allowed; num is its index */
    PARAM_ENUM_SET, /* allowed items separated by commas; text is a PostgreSQL array
                       literal "{a,b}" without repeats; num is a bitmask of indexes */
    PARAM_UUID,     /* a UUID */
    PARAM_DATE,     /* a real calendar date YYYY-MM-DD; num is its day number */
    PARAM_RAW,      /* read as given (trimmed): the list's file validates it */
};

struct param_spec {
    const char *name;
    enum param_type type;
    long min, max;               /* PARAM_INT bounds; PARAM_TEXT/LIKE: max characters */
    const char *const *allowed;  /* PARAM_ENUM/ENUM_SET: NULL-terminated */
    const char *message;         /* the field error when the value is not valid; NULL:
                                    a message made from the type and bounds */
};

struct param_value {
    str raw;          /* as given, trimmed; "" when absent or empty (both mean "not given") */
    bool given;
    bool valid;       /* given and valid */
    long num;         /* INT value, BOOL 0/1, ENUM index, ENUM_SET bitmask, DATE day */
    const char *text; /* TEXT/LIKE/UUID/RAW/ENUM: NUL-terminated (in the arena);
                         ENUM_SET: the array literal; ENUM: the allowed spelling */
};

/* Reads every spec'd parameter of q into v[0..n) (v[i] for specs[i]) and records an
 * error in errs for each given value that is not valid. Returns the number of
 * invalid parameters. */
int params_parse(struct arena *a, const struct kvlist *q, const struct param_spec *specs, int n,
                 struct param_value *v, struct field_errors *errs);
/* Appends "name=value&..." for every given parameter whose bit is not in skip
 * (bit i for specs[i]), percent-encoded: the list's links keep its filters. */
void params_query_string(const struct param_spec *specs, const struct param_value *v, int n,
                         uint64_t skip, struct buf *out);
/* Index of the spec named name, or -1. */
int params_index(const struct param_spec *specs, int n, const char *name);

/* The one boolean spelling: true|1|on → 1, false|0|off → 0, anything else -1. */
int param_bool(str s);
/* s as a LIKE pattern body (NUL-terminated in the arena): \, % and _ match themselves. */
const char *param_like_escape(struct arena *a, str s);
/* NULL when s is acceptable free text of at most max_chars characters (200 when 0),
 * else why not (in the arena). */
const char *param_text_error(struct arena *a, str s, long max_chars);
#endif
