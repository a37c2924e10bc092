/* params.c — the one parser of declared query parameters. */
#include "params.h"

#include <stdio.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../domain/civil_date.h"
#include "../../http/request.h"
#include "field_errors.h"

#define TEXT_MAX_DEFAULT 200

int param_bool(str s)
{
    if (str_eq(s, STR("true")) || str_eq(s, STR("1")) || str_eq(s, STR("on"))) return 1;
    if (str_eq(s, STR("false")) || str_eq(s, STR("0")) || str_eq(s, STR("off"))) return 0;
    return -1;
}

const char *param_like_escape(struct arena *a, str s)
{
    struct buf b;
    buf_init(&b, a, s.len + 8);
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '\\' || s.ptr[i] == '%' || s.ptr[i] == '_') buf_putc(&b, '\\');
        buf_putc(&b, s.ptr[i]);
    }
    return buf_cstr(&b);
}

static bool has_control_chars(str s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] < 0x20 || s.ptr[i] == 0x7f) return true;
    return false;
}

const char *param_text_error(struct arena *a, str s, long max_chars)
{
    if (max_chars <= 0) max_chars = TEXT_MAX_DEFAULT;
    if (!utf8_valid(s)) return "must be valid UTF-8";
    if ((long)utf8_length(s) > max_chars) {
        char m[64];
        snprintf(m, sizeof m, "must be at most %ld characters", max_chars);
        return arena_strdup(a, m);
    }
    if (has_control_chars(s)) return "must not contain control characters";
    return NULL;
}

static int allowed_index(const char *const *allowed, str s)
{
    for (int i = 0; allowed[i]; i++)
        if (str_eq_cstr(s, allowed[i])) return i;
    return -1;
}

/* "completed,busy" → "{completed,busy}" and the bitmask; false on an unknown or
 * empty item. */
static bool parse_set(struct arena *a, const char *const *allowed, str s, struct param_value *v)
{
    struct buf b;
    buf_init(&b, a, s.len + 3);
    buf_putc(&b, '{');
    long mask = 0;
    str rest = s;
    for (;;) {
        str item;
        bool more = str_cut(rest, ',', &item, &rest);
        int i = allowed_index(allowed, str_trim(item));
        if (i < 0) return false;
        if (!(mask & (1L << i))) {
            if (b.len > 1) buf_putc(&b, ',');
            buf_puts(&b, allowed[i]);
            mask |= 1L << i;
        }
        if (!more) break;
    }
    buf_putc(&b, '}');
    v->text = buf_cstr(&b);
    v->num = mask;
    return true;
}

/* The message made from a spec when it names none. */
static const char *default_message(struct arena *a, const struct param_spec *s)
{
    char m[160];
    switch (s->type) {
    case PARAM_INT: snprintf(m, sizeof m, "must be a whole number from %ld to %ld", s->min, s->max); break;
    case PARAM_BOOL: return "must be true or false";
    case PARAM_UUID: return "must be a UUID";
    case PARAM_DATE: return "must be a date (YYYY-MM-DD)";
    default: return "is not valid";
    }
    return arena_strdup(a, m);
}

/* Validates one given value; returns NULL or the field's message. */
static const char *parse_one(struct arena *a, const struct param_spec *s, struct param_value *v)
{
    str raw = v->raw;
    const char *e;
    int i;
    int64_t day;
    switch (s->type) {
    case PARAM_TEXT:
    case PARAM_LIKE:
        if ((e = param_text_error(a, raw, s->max))) return e;
        v->text = s->type == PARAM_LIKE ? param_like_escape(a, raw) : str_cstr(a, raw);
        return NULL;
    case PARAM_INT:
        if (raw.len > 19 || !str_to_long(raw, &v->num) || v->num < s->min || v->num > s->max) break;
        return NULL;
    case PARAM_BOOL:
        if ((i = param_bool(raw)) < 0) break;
        v->num = i;
        return NULL;
    case PARAM_ENUM:
        if ((i = allowed_index(s->allowed, raw)) < 0) break;
        v->num = i;
        v->text = s->allowed[i];
        return NULL;
    case PARAM_ENUM_SET:
        if (!parse_set(a, s->allowed, raw, v)) break;
        return NULL;
    case PARAM_UUID:
        if (!str_is_uuid(raw)) break;
        v->text = str_cstr(a, raw);
        return NULL;
    case PARAM_DATE:
        if (!civil_parse_date(raw, &day)) break;
        v->num = (long)day;
        v->text = str_cstr(a, raw);
        return NULL;
    case PARAM_RAW:
        v->text = str_cstr(a, raw);
        return NULL;
    }
    return s->message ? s->message : default_message(a, s);
}

int params_parse(struct arena *a, const struct kvlist *q, const struct param_spec *specs, int n,
                 struct param_value *v, struct field_errors *errs)
{
    int bad = 0;
    for (int i = 0; i < n; i++) {
        const str *given = kvlist_get(q, specs[i].name);
        v[i] = (struct param_value){ .raw = given ? str_trim(*given) : STR("") };
        if (!v[i].raw.len) continue;
        v[i].given = true;
        const char *message = parse_one(a, &specs[i], &v[i]);
        if (message) {
            field_error_add(errs, specs[i].name, message);
            bad++;
        } else {
            v[i].valid = true;
        }
    }
    return bad;
}

void params_query_string(const struct param_spec *specs, const struct param_value *v, int n,
                         uint64_t skip, struct buf *out)
{
    for (int i = 0; i < n; i++) {
        if (!v[i].given || (i < 64 && (skip & ((uint64_t)1 << i)))) continue;
        if (out->len) buf_putc(out, '&');
        buf_puts(out, specs[i].name);
        buf_putc(out, '=');
        buf_url_arg(out, v[i].raw);
    }
}

int params_index(const struct param_spec *specs, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(specs[i].name, name) == 0) return i;
    return -1;
}
