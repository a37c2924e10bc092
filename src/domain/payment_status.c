/* payment_status.c — derived payment status. */
#include "payment_status.h"

#include "civil_date.h"

static const char *const names[PAYMENT_STATUS_COUNT] = {
    [PAYMENT_EXPECTED] = "expected", [PAYMENT_SENT] = "sent", [PAYMENT_PAID] = "paid",
    [PAYMENT_OVERDUE] = "overdue", [PAYMENT_PARTIAL] = "partial",
};

int64_t payment_outstanding(const struct payment_facts *p)
{
    return p->paid_minor >= p->amount_minor ? 0 : p->amount_minor - p->paid_minor;
}

bool payment_is_overdue(const struct payment_facts *p, int64_t now, int32_t utc_offset_s)
{
    /* Due "on" the expected date: it becomes overdue when that date is over in the
     * org's own zone, not in UTC. */
    return payment_outstanding(p) > 0 && p->has_expected &&
           p->expected_day < civil_day_of(now, utc_offset_s);
}

enum payment_status payment_status_derive(const struct payment_facts *p, int64_t now, int32_t utc_offset_s)
{
    if (payment_outstanding(p) == 0) return PAYMENT_PAID;
    if (p->paid_minor > 0) return PAYMENT_PARTIAL;
    if (payment_is_overdue(p, now, utc_offset_s)) return PAYMENT_OVERDUE;
    return p->invoice_sent ? PAYMENT_SENT : PAYMENT_EXPECTED;
}

const char *payment_status_name(enum payment_status s)
{
    return (unsigned)s < PAYMENT_STATUS_COUNT ? names[s] : "";
}

bool payment_status_parse(str name, enum payment_status *out)
{
    for (unsigned i = 0; i < PAYMENT_STATUS_COUNT; i++) {
        if (str_eq_cstr(name, names[i])) {
            *out = (enum payment_status)i;
            return true;
        }
    }
    return false;
}
