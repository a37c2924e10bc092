/* form.c — the form partials' dictionaries. */
#include "form.h"

#include <ctype.h>
#include <string.h>

#include "../../core/buf.h"
#include "../../view/view.h"
#include "field_errors.h"

static void set_error(struct tdict *f, const struct field_errors *e, const char *name)
{
    const char *msg = e ? field_error_of(e, name) : NULL;
    if (msg) tdict_set_cstr(tdict_add_section(f, "ERROR"), "MSG", msg);
}

struct tdict *form_field(struct tdict *d, const char *marker, const struct field_errors *e, const char *name,
                         const char *label, const char *type, str value)
{
    struct tdict *f = tdict_include(d, marker, "partials/field.tpl");
    tdict_set_cstr(f, "NAME", name);
    tdict_set_cstr(f, "LABEL", label);
    tdict_set_cstr(f, "TYPE", type);
    tdict_set(f, "VALUE", value);
    set_error(f, e, name);
    return f;
}

/* true when value is current or, for a multiple select, one of its comma-separated
 * items (an option whose value holds commas matches the whole of current only). */
static bool is_current(str value, str current)
{
    if (str_eq(value, current)) return true;
    str rest = current, item;
    for (;;) {
        bool more = str_cut(rest, ',', &item, &rest);
        if (str_eq(str_trim(item), value)) return true;
        if (!more) return false;
    }
}

/* One <option>, as the template's section wrote it when each was a dictionary (a
 * select of the calls' filter form had 26: a tenth of the page's instructions). */
static void put_option(struct buf *b, str value, str label, bool selected)
{
    buf_puts(b, "<option value=\"");
    buf_html_value(b, value);
    buf_puts(b, selected ? "\" selected>" : "\">");
    buf_html_value(b, label);
    buf_puts(b, "</option>");
}

void form_select_add(struct tdict *select, str value, str label, str current)
{
    put_option(tdict_markup(select, "OPTIONS"), value, label, value.len && is_current(value, current));
}

struct tdict *form_select(struct tdict *d, const char *marker, const struct field_errors *e, const char *name,
                          const char *label, const struct form_option *options, size_t n, str current,
                          const char *empty_label)
{
    struct tdict *f = tdict_include(d, marker, "partials/select.tpl");
    tdict_set_cstr(f, "NAME", name);
    tdict_set_cstr(f, "LABEL", label);
    if (empty_label) put_option(tdict_markup(f, "OPTIONS"), STR(""), str_from(empty_label), false);
    for (size_t i = 0; i < n; i++)
        form_select_add(f, str_from(options[i].value), str_from(options[i].label), current);
    set_error(f, e, name);
    return f;
}

void form_set_value(struct tdict *d, const char *field, str value)
{
    char key[72];
    size_t k = 0;
    key[k++] = 'V';
    key[k++] = '_';
    for (const char *p = field; *p && k + 1 < sizeof key; p++) key[k++] = (char)toupper((unsigned char)*p);
    key[k] = '\0';
    tdict_set(d, key, value);
}

void form_options(struct tdict *d, const char *section, const char *const *opts, size_t n, str current)
{
    for (size_t i = 0; i < n; i++) {
        struct tdict *o = tdict_add_section(d, section);
        tdict_set_cstr(o, "OPT", opts[i]);
        if (str_eq_cstr(current, opts[i])) tdict_show(o, "SELECTED");
    }
}

void form_errors(struct tdict *d, const struct field_errors *e, const char *id, const char *lead)
{
    if (!e || !e->n) return;
    field_errors_to_dict(d, e);
    struct tdict *s = tdict_include(d, "ERROR_SUMMARY", "partials/error_summary.tpl");
    tdict_set_cstr(s, "SUMMARY_ID", id);
    tdict_set_cstr(s, "SUMMARY_LEAD", lead);
    int n = e->n < FIELD_ERRORS_MAX ? e->n : FIELD_ERRORS_MAX;
    for (int i = 0; i < n; i++) {
        struct tdict *item = tdict_add_section(s, "ERROR_SUMMARY");
        tdict_set_cstr(item, "FIELD", e->items[i].field);
        tdict_set_cstr(item, "MSG", e->items[i].message);
    }
}

void form_pager(struct tdict *d, const char *first_url, const char *next_url)
{
    struct tdict *p = tdict_include(d, "PAGER", "partials/pager.tpl");
    if (first_url) tdict_set_cstr(tdict_add_section(p, "FIRST"), "FIRST_URL", first_url);
    if (next_url) tdict_set_cstr(tdict_add_section(p, "NEXT"), "NEXT_URL", next_url);
}
