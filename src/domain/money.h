/* money.h — amounts as int64 minor units per currency: the supported currencies,
 * strict parsing of what people type ("1,234.50") and formatting; never floats. */
#ifndef SB_MONEY_H
#define SB_MONEY_H
#include <stdbool.h>
#include <stdint.h>
#include "../core/str.h"
struct buf;

struct currency {
    const char *code;   /* ISO 4217 */
    unsigned exponent;  /* minor-unit digits: 2 for all supported today */
    const char *symbol; /* "$", "€", "£", "₹" */
};

enum money_error {
    MONEY_OK = 0,
    MONEY_EMPTY = -1,            /* nothing but spaces */
    MONEY_SYNTAX = -2,           /* not digits[,ddd][.dd] */
    MONEY_NEGATIVE = -3,         /* a leading '-' */
    MONEY_GROUPING = -4,         /* commas not every three digits */
    MONEY_DECIMALS = -5,         /* more decimals than the currency has */
    MONEY_OVERFLOW = -6,         /* beyond int64 minor units */
    MONEY_UNKNOWN_CURRENCY = -7,
};

/* The supported currency for an exact upper-case code, or NULL. */
const struct currency *money_currency(str code);
/* Parses a non-negative amount: surrounding spaces ignored; digits with optional
 * thousands commas (groups of exactly three, first group 1-3 digits, not "0,"),
 * optional '.' and 1..exponent decimals ("12.5" is 12.50). Returns MONEY_OK and
 * *minor, or a money_error leaving *minor untouched. */
enum money_error money_parse(str text, const struct currency *cur, int64_t *minor);
/* A sentence for a form field ("Use at most 2 decimals."). */
const char *money_error_message(enum money_error e);
/* Appends "-1234.50" (no grouping: CSV cells, form values, JSON-adjacent text). */
void money_format_plain(struct buf *b, int64_t minor, const struct currency *cur);
/* Appends "$1,234.50" / "-€0.05" (grouping every three digits, for pages). */
void money_format_display(struct buf *b, int64_t minor, const struct currency *cur);
/* Appends an axis label: "$950", "$2.5K", "$1M", "-€1.2B" (one decimal at most, rounded
 * half away from zero, trailing ".0" dropped; below 1,000 whole units, cents dropped). */
void money_format_compact(struct buf *b, int64_t minor, const struct currency *cur);
#endif
