/* fx.c — rate parsing and currency conversion in integers, half-to-even rounding. */
#include "fx.h"

#include "../core/buf.h"

bool fx_rate_parse(str text, int64_t *rate_e8)
{
    str whole, frac = STR_NULL;
    bool has_point = str_cut(text, '.', &whole, &frac);
    if (whole.len == 0 || (has_point && (frac.len == 0 || frac.len > 8))) return false;
    int64_t v = 0;
    for (size_t i = 0; i < whole.len + 8; i++) {
        char c = i < whole.len ? whole.ptr[i] : (i - whole.len < frac.len ? frac.ptr[i - whole.len] : '0');
        if (c < '0' || c > '9') return false;
        if (v > (INT64_MAX - (c - '0')) / 10) return false;
        v = v * 10 + (c - '0');
    }
    if (v == 0) return false;
    *rate_e8 = v;
    return true;
}

void fx_rate_format(struct buf *b, int64_t rate_e8)
{
    buf_printf(b, "%lld", (long long)(rate_e8 / FX_SCALE));
    int64_t frac = rate_e8 % FX_SCALE;
    if (!frac) return;
    char digits[9];
    int n = 8;
    for (int i = 7; i >= 0; i--, frac /= 10) digits[i] = (char)('0' + frac % 10);
    while (digits[n - 1] == '0') n--;
    buf_putc(b, '.');
    buf_append(b, digits, (size_t)n);
}

/* num / den rounded half to even (den > 0): ties go to the even neighbour, so a long
 * run of conversions has no upward drift. */
static __int128 div_half_even(__int128 num, __int128 den)
{
    __int128 q = num / den, r = num % den;
    if (r < 0) {
        q -= 1;
        r += den;
    }
    __int128 twice = 2 * r;
    if (twice > den || (twice == den && (q & 1))) q += 1;
    return q;
}

static __int128 pow10_i128(unsigned n)
{
    __int128 p = 1;
    while (n--) p *= 10;
    return p;
}

bool fx_convert(const struct fx_rate *rate, int64_t amount_minor, struct fx_result *out)
{
    if (rate->rate_e8 <= 0) return false;
    /* amount_minor / 10^e_from × rate / 10^8 × 10^e_to, as one integer division. */
    __int128 num = (__int128)amount_minor * rate->rate_e8 * pow10_i128(rate->quote->exponent);
    __int128 den = (__int128)FX_SCALE * pow10_i128(rate->base->exponent);
    __int128 q = div_half_even(num, den);
    if (q > INT64_MAX || q < INT64_MIN) return false;
    *out = (struct fx_result){ (int64_t)q, rate->base, rate->quote, rate->rate_e8, rate->as_of_day };
    return true;
}

const struct fx_rate *fx_pick(const struct fx_rate *rates, size_t n, const struct currency *from,
                              const struct currency *to, int64_t day)
{
    const struct fx_rate *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct fx_rate *r = &rates[i];
        if (r->base != from || r->quote != to || r->as_of_day > day) continue;
        if (!best || r->as_of_day > best->as_of_day) best = r;
    }
    return best;
}

bool fx_convert_with(const struct fx_rate *rates, size_t n, int64_t amount_minor,
                     const struct currency *from, const struct currency *to, int64_t day,
                     struct fx_result *out)
{
    if (from == to) {
        *out = (struct fx_result){ amount_minor, from, to, FX_SCALE, day };
        return true;
    }
    const struct fx_rate *r = fx_pick(rates, n, from, to, day);
    return r && fx_convert(r, amount_minor, out);
}
