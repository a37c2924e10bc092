/* money.c — currency table, strict amount parsing and formatting in minor units. */
#include "money.h"

#include "../core/buf.h"

static const struct currency currencies[] = {
    { "USD", 2, "$" },
    { "EUR", 2, "\xe2\x82\xac" },
    { "GBP", 2, "\xc2\xa3" },
    { "INR", 2, "\xe2\x82\xb9" },
};

const struct currency *money_currency(str code)
{
    for (size_t i = 0; i < sizeof currencies / sizeof currencies[0]; i++)
        if (str_eq_cstr(code, currencies[i].code)) return &currencies[i];
    return NULL;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* *acc = *acc * 10 + digit, false on int64 overflow. */
static bool push_digit(int64_t *acc, char c)
{
    int d = c - '0';
    if (*acc > (INT64_MAX - d) / 10) return false;
    *acc = *acc * 10 + d;
    return true;
}

/* Checks the integer part's shape: plain digits, or 1-3 digits then ",ddd" groups. */
static enum money_error check_integer_part(str s)
{
    size_t first = 0;
    while (first < s.len && is_digit(s.ptr[first])) first++;
    if (first == 0) return MONEY_SYNTAX;
    if (first == s.len) return MONEY_OK;
    if (first > 3 || (first == 1 && s.ptr[0] == '0')) return MONEY_GROUPING;
    for (size_t i = first; i < s.len; i += 4) {
        if (s.ptr[i] != ',') return is_digit(s.ptr[i]) ? MONEY_GROUPING : MONEY_SYNTAX;
        if (s.len - i < 4) return MONEY_GROUPING;
        for (size_t k = 1; k <= 3; k++)
            if (!is_digit(s.ptr[i + k])) return s.ptr[i + k] == ',' ? MONEY_GROUPING : MONEY_SYNTAX;
    }
    return MONEY_OK;
}

enum money_error money_parse(str text, const struct currency *cur, int64_t *minor)
{
    if (!cur) return MONEY_UNKNOWN_CURRENCY;
    str s = str_trim(text);
    if (s.len == 0) return MONEY_EMPTY;
    if (s.ptr[0] == '-') return MONEY_NEGATIVE;
    str whole = s, frac = STR_NULL;
    bool has_point = str_cut(s, '.', &whole, &frac);
    enum money_error e = check_integer_part(whole);
    if (e) return e;
    if (has_point) {
        if (frac.len == 0) return MONEY_SYNTAX;
        for (size_t i = 0; i < frac.len; i++)
            if (!is_digit(frac.ptr[i])) return MONEY_SYNTAX;
        if (frac.len > cur->exponent) return MONEY_DECIMALS;
    }
    int64_t v = 0;
    for (size_t i = 0; i < whole.len; i++)
        if (whole.ptr[i] != ',' && !push_digit(&v, whole.ptr[i])) return MONEY_OVERFLOW;
    for (unsigned i = 0; i < cur->exponent; i++)
        if (!push_digit(&v, i < frac.len ? frac.ptr[i] : '0')) return MONEY_OVERFLOW;
    *minor = v;
    return MONEY_OK;
}

const char *money_error_message(enum money_error e)
{
    switch (e) {
    case MONEY_OK: return "";
    case MONEY_EMPTY: return "Enter an amount.";
    case MONEY_SYNTAX: return "Enter an amount like 1,234.50.";
    case MONEY_NEGATIVE: return "The amount cannot be negative.";
    case MONEY_GROUPING: return "Put commas every three digits, like 1,234,567.";
    case MONEY_DECIMALS: return "Use at most 2 decimals.";
    case MONEY_OVERFLOW: return "The amount is too large.";
    case MONEY_UNKNOWN_CURRENCY: return "Choose a supported currency.";
    }
    return "Invalid amount.";
}

/* Appends |minor| as units[.fraction], with a comma every three unit digits if grouped. */
static void put_amount(struct buf *b, int64_t minor, const struct currency *cur, bool grouped)
{
    /* Work in uint64 so INT64_MIN has a magnitude too. */
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1;
    for (unsigned i = 0; i < cur->exponent; i++) scale *= 10;
    char digits[24];
    size_t n = 0;
    uint64_t units = mag / scale;
    do {
        digits[n++] = (char)('0' + units % 10);
        units /= 10;
    } while (units);
    while (n) {
        buf_putc(b, digits[--n]);
        if (grouped && n && n % 3 == 0) buf_putc(b, ',');
    }
    if (cur->exponent) buf_printf(b, ".%0*llu", (int)cur->exponent, (unsigned long long)(mag % scale));
}

void money_format_plain(struct buf *b, int64_t minor, const struct currency *cur)
{
    if (minor < 0) buf_putc(b, '-');
    put_amount(b, minor, cur, false);
}

void money_format_display(struct buf *b, int64_t minor, const struct currency *cur)
{
    if (minor < 0) buf_putc(b, '-');
    buf_puts(b, cur->symbol);
    put_amount(b, minor, cur, true);
}

void money_format_compact(struct buf *b, int64_t minor, const struct currency *cur)
{
    static const struct { uint64_t size; char suffix; } units[] = {
        { 1000000000000ULL, 'T' }, { 1000000000ULL, 'B' }, { 1000000ULL, 'M' }, { 1000ULL, 'K' },
    };
    uint64_t scale = 1;
    for (unsigned i = 0; i < cur->exponent; i++) scale *= 10;
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t whole = (mag + scale / 2) / scale;
    if (minor < 0 && whole) buf_putc(b, '-');
    buf_puts(b, cur->symbol);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (whole < units[i].size) continue;
        /* tenths of the unit, from the minor amount so nothing rounds twice */
        uint64_t tenths = (mag + units[i].size * scale / 20) / (units[i].size * scale / 10);
        if (tenths >= 10000 && i > 0) { /* 999.96K reads 1M, not 1000K */
            i--;
            tenths = (mag + units[i].size * scale / 20) / (units[i].size * scale / 10);
        }
        buf_printf(b, "%llu", (unsigned long long)(tenths / 10));
        if (tenths % 10) buf_printf(b, ".%llu", (unsigned long long)(tenths % 10));
        buf_putc(b, units[i].suffix);
        return;
    }
    buf_printf(b, "%llu", (unsigned long long)whole);
}
