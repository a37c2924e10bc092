/* installments.c — see installments.h. */
#include "installments.h"

#include <string.h>

#include "civil_date.h"

static const char *const interval_names[INTERVAL_COUNT] = { "weekly", "biweekly", "monthly", "quarterly" };

bool installments_split(int64_t total, size_t n, enum installment_remainder where, int64_t *out)
{
    if (n < 1 || n > INSTALLMENTS_MAX || total <= 0 || (int64_t)n > total) return false;
    int64_t share = total / (int64_t)n, rest = total % (int64_t)n;
    for (size_t i = 0; i < n; i++) out[i] = share;
    out[where == REMAINDER_FIRST ? 0 : n - 1] += rest;
    return true;
}

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static int64_t add_months(int64_t first, int64_t months)
{
    int64_t y;
    unsigned m, d;
    civil_ymd_from_days(first, &y, &m, &d);
    int64_t idx = y * 12 + (int64_t)(m - 1) + months;
    int64_t ny = idx >= 0 ? idx / 12 : -((-idx + 11) / 12);
    unsigned nm = (unsigned)(idx - ny * 12) + 1;
    unsigned last = month_days(ny, nm);
    return civil_days_from_ymd(ny, nm, d > last ? last : d);
}

int64_t installments_due_day(int64_t first, enum installment_interval every, size_t i)
{
    switch (every) {
    case INTERVAL_WEEKLY: return first + 7 * (int64_t)i;
    case INTERVAL_BIWEEKLY: return first + 14 * (int64_t)i;
    case INTERVAL_MONTHLY: return add_months(first, (int64_t)i);
    case INTERVAL_QUARTERLY: return add_months(first, 3 * (int64_t)i);
    case INTERVAL_COUNT: break;
    }
    return first;
}

const char *installment_interval_name(enum installment_interval v)
{
    return v < INTERVAL_COUNT ? interval_names[v] : "";
}

bool installment_interval_parse(const char *s, size_t len, enum installment_interval *out)
{
    for (int i = 0; i < INTERVAL_COUNT; i++)
        if (strlen(interval_names[i]) == len && memcmp(interval_names[i], s, len) == 0) {
            *out = (enum installment_interval)i;
            return true;
        }
    return false;
}

bool installments_sum_matches(const int64_t *amounts, size_t n, int64_t total)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (amounts[i] <= 0 || amounts[i] > total - sum) return false;
        sum += amounts[i];
    }
    return sum == total;
}
