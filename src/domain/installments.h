/* installments.h — splitting a deal's value into N payments and their dates: equal
 * shares in minor units (the remainder on the last or the first payment) or custom
 * amounts that must add up exactly, and the due dates a fixed interval gives. Pure. */
#ifndef SB_INSTALLMENTS_H
#define SB_INSTALLMENTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INSTALLMENTS_MAX 60

enum installment_interval { INTERVAL_WEEKLY, INTERVAL_BIWEEKLY, INTERVAL_MONTHLY, INTERVAL_QUARTERLY, INTERVAL_COUNT };
enum installment_remainder { REMAINDER_LAST, REMAINDER_FIRST };

/* Splits total (> 0 minor units) into n (1..INSTALLMENTS_MAX) shares of
 * floor(total / n); the total % n minor units left over go on the last share
 * (REMAINDER_LAST) or the first (REMAINDER_FIRST), so the shares always add up to
 * total exactly. false (out untouched) when n is out of range, total <= 0 or a share
 * would be 0 (n > total). */
bool installments_split(int64_t total, size_t n, enum installment_remainder where, int64_t *out);

/* The due day (days since 1970-01-01) of payment i (0-based) when the first is due on
 * first: i weeks, 2i weeks, i months or 3i months later. A month step keeps the
 * first date's day of the month, clamped to the month's last day (Jan 31 → Feb 28 →
 * Mar 31). */
int64_t installments_due_day(int64_t first, enum installment_interval every, size_t i);

/* The interval's name ("weekly", "biweekly", "monthly", "quarterly"), and back. */
const char *installment_interval_name(enum installment_interval v);
bool installment_interval_parse(const char *s, size_t len, enum installment_interval *out);

/* true when the n amounts are each > 0 and add up to total exactly (no overflow). */
bool installments_sum_matches(const int64_t *amounts, size_t n, int64_t total);
#endif
