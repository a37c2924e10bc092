/* payment_status.h — a payment's status derived from amounts and dates:
 * paid > partial > overdue > sent > expected, "today" taken in the org's zone. */
#ifndef SB_PAYMENT_STATUS_H
#define SB_PAYMENT_STATUS_H
#include <stdbool.h>
#include <stdint.h>
#include "../core/str.h"

enum payment_status {
    PAYMENT_EXPECTED,
    PAYMENT_SENT,
    PAYMENT_PAID,
    PAYMENT_OVERDUE,
    PAYMENT_PARTIAL,
    PAYMENT_STATUS_COUNT
};

struct payment_facts {
    int64_t amount_minor;  /* > 0 */
    int64_t paid_minor;    /* received so far, >= 0 */
    bool has_expected;
    int64_t expected_day;  /* civil day number of the expected date (civil_date.h) */
    bool invoice_sent;
};

/* The status at `now` (unix seconds) for an org at utc_offset_s (the caller resolves
 * the org's zone, DST included, for that instant): paid when paid >= amount; partial
 * when 0 < paid < amount; overdue when the expected date is before the org's today;
 * sent when the invoice went out; else expected. */
enum payment_status payment_status_derive(const struct payment_facts *p, int64_t now, int32_t utc_offset_s);
/* true when money is still owed and the expected date is before the org's today —
 * also for a partial payment, whose status stays "partial" (forecast and risk use this). */
bool payment_is_overdue(const struct payment_facts *p, int64_t now, int32_t utc_offset_s);
/* What is still owed: amount - paid, never below 0. */
int64_t payment_outstanding(const struct payment_facts *p);
/* "expected", "sent", "paid", "overdue", "partial" ("" when out of range). */
const char *payment_status_name(enum payment_status s);
/* Exact name to status; false otherwise. */
bool payment_status_parse(str name, enum payment_status *out);
#endif
