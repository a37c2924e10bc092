/* field_errors.c — collecting per-field messages and answering them as a form or JSON. */
#include "field_errors.h"

#include <ctype.h>
#include <json-c/json.h>
#include <string.h>

#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"

void field_error_add(struct field_errors *e, const char *field, const char *message)
{
    if (field_error_of(e, field)) return;
    if (e->n < FIELD_ERRORS_MAX) e->items[e->n] = (struct field_error){ field, message };
    e->n++;
}

const char *field_error_of(const struct field_errors *e, const char *field)
{
    int n = e->n < FIELD_ERRORS_MAX ? e->n : FIELD_ERRORS_MAX;
    for (int i = 0; i < n; i++)
        if (strcmp(e->items[i].field, field) == 0) return e->items[i].message;
    return NULL;
}

struct json_object *field_errors_json(const struct field_errors *e)
{
    struct json_object *fields = json_object_new_object();
    int n = e->n < FIELD_ERRORS_MAX ? e->n : FIELD_ERRORS_MAX;
    for (int i = 0; i < n; i++) json_add_cstr(fields, e->items[i].field, e->items[i].message);
    return fields;
}

/* "E_" + the field upper-cased: the section a template shows beside the field. */
static void error_key(char *out, size_t cap, const char *field)
{
    size_t k = 0;
    out[k++] = 'E';
    out[k++] = '_';
    for (const char *p = field; *p && k + 1 < cap; p++) out[k++] = (char)toupper((unsigned char)*p);
    out[k] = '\0';
}

void field_errors_to_dict(struct tdict *d, const struct field_errors *e)
{
    if (!e || !e->n) return;
    tdict_show(d, "FORM_ERROR");
    int n = e->n < FIELD_ERRORS_MAX ? e->n : FIELD_ERRORS_MAX;
    for (int i = 0; i < n; i++) {
        char key[72];
        error_key(key, sizeof key, e->items[i].field);
        tdict_set_cstr(tdict_add_section(d, key), "MSG", e->items[i].message);
    }
}

int field_errors_reply(struct request *r, const char *message, const struct field_errors *e,
                       form_render_fn render_form, void *ctx)
{
    if (!message) message = e->n ? e->items[0].message : "The request is not valid.";
    if (r->wants_json || !render_form) {
        app_error(r, 400, message, field_errors_json(e));
        return REPLIED;
    }
    int st = render_form(r, 400, e, ctx);
    return st ? st : REPLIED;
}
