/* merge_fields.c — `{{field}}` and `{{field|fallback}}` in campaign texts. */
#include "merge_fields.h"

#include "../core/arena.h"
#include "../core/buf.h"

static const char *const names[MF_COUNT] = {
    [MF_FIRST_NAME] = "first_name", [MF_LAST_NAME] = "last_name", [MF_COMPANY] = "company",
    [MF_PHONE] = "phone", [MF_EMAIL] = "email", [MF_PROPERTY_ADDRESS] = "property_address",
};

const char *merge_field_name(enum merge_field f)
{
    return (unsigned)f < MF_COUNT ? names[f] : "";
}

/* One `{{...}}` found at s[at]: its field (-1 unknown), name, fallback, and end. */
struct mf_token {
    int field;
    str name, fallback;
    bool has_fallback;
    size_t end; /* just past the closing braces; 0: no closing braces */
};

static struct mf_token read_token(str s, size_t at)
{
    struct mf_token t = { -1, STR_NULL, STR_NULL, false, 0 };
    long close = str_find(str_make(s.ptr + at + 2, s.len - at - 2), STR("}}"));
    if (close < 0) return t;
    str inner = str_make(s.ptr + at + 2, (size_t)close), name = inner, fb;
    t.end = at + 2 + (size_t)close + 2;
    if (str_cut(inner, '|', &name, &fb)) {
        t.has_fallback = true;
        t.fallback = str_trim(fb);
    }
    t.name = str_trim(name);
    for (int f = 0; f < MF_COUNT; f++)
        if (str_eq_cstr(t.name, names[f])) t.field = f;
    return t;
}

static bool has_brace(str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] == '{' || s.ptr[i] == '}') return true;
    return false;
}

const char *merge_fields_check(struct arena *a, str s)
{
    struct buf b;
    for (size_t i = 0; i + 1 < s.len; i++) {
        if (s.ptr[i] != '{' || s.ptr[i + 1] != '{') continue;
        struct mf_token t = read_token(s, i);
        if (!t.end) return "has a {{ without its closing }}";
        if (t.field < 0) {
            buf_init(&b, a, 160);
            buf_puts(&b, "{{");
            buf_put(&b, t.name.len > 40 ? str_make(t.name.ptr, 40) : t.name);
            buf_puts(&b, "}} is not a field; use ");
            for (int f = 0; f < MF_COUNT; f++) buf_printf(&b, "%s%s", f ? ", " : "", names[f]);
            return buf_cstr(&b);
        }
        if (t.fallback.len > MERGE_FALLBACK_MAX || has_brace(t.fallback))
            return "has a fallback (after |) longer than 50 characters or with braces";
        i = t.end - 1;
    }
    return NULL;
}

str merge_fields_render(struct arena *a, str s, const str values[MF_COUNT])
{
    struct buf b;
    buf_init(&b, a, s.len + 64);
    size_t i = 0;
    while (i < s.len) {
        if (i + 1 < s.len && s.ptr[i] == '{' && s.ptr[i + 1] == '{') {
            struct mf_token t = read_token(s, i);
            if (t.end && t.field >= 0) {
                buf_put(&b, values[t.field].len ? values[t.field] : t.fallback);
                i = t.end;
                continue;
            }
        }
        buf_putc(&b, s.ptr[i++]);
    }
    return buf_str(&b);
}
