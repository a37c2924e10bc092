/* field_errors.h — the one type for "these inputs are wrong, and why": filled by the
 * parameter and form parsers, answered as the form again (HTML) or as the JSON error
 * object, decided in one place (field_errors_reply). */
#ifndef SB_FIELD_ERRORS_H
#define SB_FIELD_ERRORS_H
#include <stdbool.h>
struct request;
struct tdict;
struct json_object;

#define FIELD_ERRORS_MAX 32

struct field_error {
    const char *field;   /* the input's name as sent ("start_date", "value") */
    const char *message; /* says what is expected, without a final full stop */
};

struct field_errors {
    int n;
    struct field_error items[FIELD_ERRORS_MAX];
};

/* Records message for field; the first message per field wins, and errors past
 * FIELD_ERRORS_MAX are dropped (n still counts them, so the input stays refused). */
void field_error_add(struct field_errors *e, const char *field, const char *message);
/* The message recorded for field, or NULL. */
const char *field_error_of(const struct field_errors *e, const char *field);
static inline bool field_errors_any(const struct field_errors *e) { return e->n > 0; }

/* {"field": "message", ...} for the JSON error's "fields". */
struct json_object *field_errors_json(const struct field_errors *e);
/* On a form's dictionary: FORM_ERROR shown, and E_<FIELD> (upper-cased) sections
 * with MSG beside each field written out by hand (form.h fills the partials). */
void field_errors_to_dict(struct tdict *d, const struct field_errors *e);

/* Re-renders a form with its messages: status, the errors, the caller's context. */
typedef int (*form_render_fn)(struct request *r, int status, const struct field_errors *e, void *ctx);

/* The one answer to invalid input: for JSON clients the error object (400,
 * code "invalid", message, fields); for pages render_form(r, 400, e, ctx), which
 * shows the form again with what the user typed (render_form NULL: an error page).
 * message NULL: the first field's message. Returns REPLIED (app.h) when the
 * answer is written, or the status render_form failed with. */
int field_errors_reply(struct request *r, const char *message, const struct field_errors *e,
                       form_render_fn render_form, void *ctx);
#endif
