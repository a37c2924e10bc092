/* deal_filters.c — parsing and validation of the deals list's parameters, and its
 * HMAC-signed keyset cursor. */
#include "deal_filters.h"

#include <stdio.h>
#include <stdlib.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../domain/civil_date.h"
#include "../../domain/deal_stage.h"
#include "../../domain/risk.h"
#include "../common/signed_token.h"

const char *const deal_param_names[DP_COUNT] = {
    "q", "stage", "brand_id", "owner_id", "risk", "min_value", "max_value", "due_before",
    "tag", "archived", "deleted", "sort", "limit", "cursor",
};

static const char *const sort_names[] = { "updated", "value", "due" };
static const char sort_codes[] = { 'u', 'v', 'd' };

struct parse_state {
    struct arena *a;
    struct deal_filter *f;
    struct deal_filter_error *errs;
    int max, n;
};

static void fail(struct parse_state *ps, enum deal_param p, const char *msg)
{
    if (ps->n < ps->max) ps->errs[ps->n] = (struct deal_filter_error){ p, msg };
    ps->n++;
}

static const char *cstr(struct parse_state *ps, enum deal_param p) { return str_cstr(ps->a, ps->f->raw[p]); }

/* "%", "_" and "\" escaped for LIKE ... ESCAPE '\'. */
static const char *like_escape(struct arena *a, str s)
{
    struct buf b;
    buf_init(&b, a, s.len + 8);
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '%' || s.ptr[i] == '_' || s.ptr[i] == '\\') buf_putc(&b, '\\');
        buf_putc(&b, s.ptr[i]);
    }
    return buf_cstr(&b);
}

static bool parse_bool(str s, bool *out)
{
    if (str_eq_cstr(s, "true") || str_eq_cstr(s, "1") || str_eq_cstr(s, "on")) return *out = true, true;
    if (str_eq_cstr(s, "false") || str_eq_cstr(s, "0")) return *out = false, true;
    return false;
}

/* A whole number of minor units (the list filters take integers, like the API). */
static void parse_amount(struct parse_state *ps, enum deal_param p, long long *out)
{
    long v;
    *out = -1;
    if (!ps->f->raw[p].len) return;
    if (!str_to_long(ps->f->raw[p], &v) || v < 0) fail(ps, p, "must be a whole number of minor units (cents), 0 or more.");
    else *out = v;
}

static void parse_enums(struct parse_state *ps)
{
    struct deal_filter *f = ps->f;
    enum deal_stage st;
    enum risk_level rl;
    if (f->raw[DP_STAGE].len) {
        if (deal_stage_parse(f->raw[DP_STAGE], &st)) f->stage = cstr(ps, DP_STAGE);
        else fail(ps, DP_STAGE, "must be one of inbound, negotiating, contracted, in_progress, delivered, invoiced, paid, lost.");
    }
    if (f->raw[DP_RISK].len) {
        if (risk_level_parse(f->raw[DP_RISK], &rl)) f->risk = cstr(ps, DP_RISK);
        else fail(ps, DP_RISK, "must be low, med or high.");
    }
    for (int p = DP_BRAND_ID; p <= DP_OWNER_ID; p++) {
        if (!f->raw[p].len) continue;
        if (!str_is_uuid(f->raw[p])) fail(ps, (enum deal_param)p, "must be an id from the list.");
        else if (p == DP_BRAND_ID) f->brand_id = cstr(ps, DP_BRAND_ID);
        else f->owner_id = cstr(ps, DP_OWNER_ID);
    }
    f->sort = DEAL_SORT_UPDATED;
    if (f->raw[DP_SORT].len) {
        size_t i = 0;
        while (i < 3 && !str_eq_cstr(f->raw[DP_SORT], sort_names[i])) i++;
        if (i < 3) f->sort = (enum deal_sort)i;
        else fail(ps, DP_SORT, "must be updated, value or due.");
    }
}

static void parse_rest(struct parse_state *ps, str secret)
{
    struct deal_filter *f = ps->f;
    int64_t day;
    if (f->raw[DP_DUE_BEFORE].len) {
        if (f->raw[DP_DUE_BEFORE].len == 10 && civil_parse_date(f->raw[DP_DUE_BEFORE], &day)) f->due_before = cstr(ps, DP_DUE_BEFORE);
        else fail(ps, DP_DUE_BEFORE, "must be a date (YYYY-MM-DD).");
    }
    if (f->raw[DP_TAG].len) {
        if (utf8_length(f->raw[DP_TAG]) <= 50) f->tag = cstr(ps, DP_TAG);
        else fail(ps, DP_TAG, "must be at most 50 characters.");
    }
    if (f->raw[DP_Q].len) {
        if (utf8_length(f->raw[DP_Q]) <= 200) f->q_like = like_escape(ps->a, f->raw[DP_Q]);
        else fail(ps, DP_Q, "must be at most 200 characters.");
    }
    if (f->raw[DP_ARCHIVED].len && !parse_bool(f->raw[DP_ARCHIVED], &f->archived)) fail(ps, DP_ARCHIVED, "must be true or false.");
    if (f->raw[DP_DELETED].len && !parse_bool(f->raw[DP_DELETED], &f->deleted)) fail(ps, DP_DELETED, "must be true or false.");
    f->limit = DEAL_LIMIT_DEFAULT;
    long l;
    if (f->raw[DP_LIMIT].len) {
        if (str_to_long(f->raw[DP_LIMIT], &l) && l >= 1 && l <= DEAL_LIMIT_MAX) f->limit = l;
        else fail(ps, DP_LIMIT, "must be a number from 1 to 200.");
    }
    if (f->raw[DP_CURSOR].len) {
        if (deal_cursor_decode(secret, f->raw[DP_CURSOR], &f->cursor) != 0 || f->cursor.sort != f->sort)
            fail(ps, DP_CURSOR, "is not valid for this list; start from the first page.");
        else f->has_cursor = true;
    }
}

int deal_filter_parse(struct arena *a, const struct kvlist *q, str secret, struct deal_filter *f,
                      struct deal_filter_error *errs, int max)
{
    *f = (struct deal_filter){ .min_value = -1, .max_value = -1 };
    for (int i = 0; i < DP_COUNT; i++) {
        const str *v = kvlist_get(q, deal_param_names[i]);
        f->raw[i] = v ? str_trim(*v) : STR("");
    }
    struct parse_state ps = { a, f, errs, max, 0 };
    parse_enums(&ps);
    parse_amount(&ps, DP_MIN_VALUE, &f->min_value);
    parse_amount(&ps, DP_MAX_VALUE, &f->max_value);
    if (f->min_value >= 0 && f->max_value >= 0 && f->min_value > f->max_value)
        fail(&ps, DP_MAX_VALUE, "must not be below the minimum value.");
    parse_rest(&ps, secret);
    return ps.n;
}

void deal_filter_query_string(const struct deal_filter *f, unsigned skip, struct buf *out)
{
    for (int i = 0; i < DP_COUNT; i++) {
        if (!f->raw[i].len || (skip & (1u << i))) continue;
        if (out->len) buf_putc(out, '&');
        buf_puts(out, deal_param_names[i]);
        buf_putc(out, '=');
        buf_url_arg(out, f->raw[i]);
    }
}

str deal_cursor_encode(struct arena *a, str secret, const struct deal_cursor *c)
{
    char payload[80];
    int n = snprintf(payload, sizeof payload, "%c.%lld.%s", sort_codes[c->sort], (long long)c->key, c->id);
    return signed_token_encode(a, secret, "deals-cursor", str_make(payload, (size_t)n));
}

int deal_cursor_decode(str secret, str token, struct deal_cursor *c)
{
    char payload[SIGNED_TOKEN_MAX_PAYLOAD];
    long n = signed_token_decode(secret, "deals-cursor", token, payload, sizeof payload);
    if (n < 40) return -1;
    str sort, rest, key, id;
    if (!str_cut(str_make(payload, (size_t)n), '.', &sort, &rest) || !str_cut(rest, '.', &key, &id) || sort.len != 1)
        return -1;
    const char *code = memchr(sort_codes, sort.ptr[0], sizeof sort_codes);
    long k;
    if (!code || !str_to_long(key, &k) || !str_is_uuid(id)) return -1;
    c->sort = (enum deal_sort)(code - sort_codes);
    c->key = k;
    memcpy(c->id, id.ptr, 36);
    c->id[36] = '\0';
    return 0;
}
