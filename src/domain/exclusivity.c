/* exclusivity.c — exclusivity conflict detection. */
#include "exclusivity.h"

#include "../core/arena.h"
#include "../core/buf.h"
#include "civil_date.h"

static const char *const platform_names[] = { "instagram", "youtube", "tiktok", "other" };
#define PLATFORM_COUNT (sizeof platform_names / sizeof platform_names[0])

unsigned exclusivity_platform_bit(str name)
{
    for (unsigned i = 0; i < PLATFORM_COUNT; i++)
        if (str_eq_cstr(name, platform_names[i])) return 1u << i;
    return 0;
}

bool exclusivity_deal_active(const struct exclusivity_deal *d)
{
    return deal_stage_is_open(d->stage) && !d->archived && !d->deleted;
}

static bool in_scope(const struct exclusivity_deal *d)
{
    return exclusivity_deal_active(d) && d->has_exclusivity;
}

static void put_reason(struct buf *b, const struct exclusivity_deal *other, unsigned shared,
                       int64_t from, int64_t to)
{
    buf_puts(b, "Overlaps \xe2\x80\x9c");
    buf_put(b, other->title);
    buf_puts(b, "\xe2\x80\x9d in ");
    buf_put(b, str_trim(other->category));
    buf_puts(b, " on ");
    bool first = true;
    for (unsigned i = 0; i < PLATFORM_COUNT; i++) {
        if (!(shared & (1u << i))) continue;
        if (!first) buf_puts(b, ", ");
        buf_puts(b, platform_names[i]);
        first = false;
    }
    buf_puts(b, ", ");
    civil_format_date(b, from);
    if (to != from) {
        buf_puts(b, " to ");
        civil_format_date(b, to);
    }
}

size_t exclusivity_conflicts(struct arena *a, const struct exclusivity_deal *mine,
                             const struct exclusivity_deal *others, size_t n_others,
                             struct exclusivity_conflict **out)
{
    size_t n = 0;
    *out = NULL;
    if (!in_scope(mine)) return 0;
    str category = str_trim(mine->category);
    for (size_t i = 0; i < n_others; i++) {
        const struct exclusivity_deal *o = &others[i];
        if (!in_scope(o) || str_eq(o->id, mine->id)) continue;
        unsigned shared = mine->platforms & o->platforms;
        int64_t from = mine->start_day > o->start_day ? mine->start_day : o->start_day;
        int64_t to = mine->end_day < o->end_day ? mine->end_day : o->end_day;
        if (!shared || from > to || !str_case_eq(category, str_trim(o->category))) continue;
        if (!*out) *out = arena_alloc(a, n_others * sizeof **out);
        struct buf b;
        buf_init(&b, a, 96);
        put_reason(&b, o, shared, from, to);
        (*out)[n++] = (struct exclusivity_conflict){ o, shared, from, to, buf_str(&b) };
    }
    return n;
}
