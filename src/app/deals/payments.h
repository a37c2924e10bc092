/* payments.h — what payments.c lends the installment schedules (installments.c) and
 * the deal terms (deal_terms.c): the payment methods, and adding one ordinary payment
 * that is part of a schedule or pays an earned bonus. */
#ifndef SB_PAYMENTS_H
#define SB_PAYMENTS_H
#include <stdint.h>
#include "../../core/str.h"
#include "../common/form.h"
struct request;
struct org_clock;
struct json_object;

#define PAYMENT_METHOD_COUNT 9
#define PAYMENT_METHOD_MESSAGE "must be bank_transfer, card, paypal, wise, stripe, venmo, zelle, check or other"
/* How a payment is made (sql/0046's CHECK holds the same list). */
extern const char *const payment_methods[PAYMENT_METHOD_COUNT];
extern const struct form_option payment_method_options[PAYMENT_METHOD_COUNT];

/* One payment of a schedule: amount in minor units of currency, due date
 * (YYYY-MM-DD), method ("" for none), its number and the schedule's count. */
struct installment_in {
    int64_t amount_minor;
    str currency, expected_at, method;
    int64_t number, count;
};

/* Inserts it as a payment of kind "installment" of deal_id (converted to the org
 * currency like any payment, history and risk as for any payment) in the request's
 * transaction; *out (when out) is the payment as its JSON answers it. Returns 0 or
 * an HTTP status. */
int payment_add_installment(struct request *r, const struct org_clock *c, str deal_id, const struct installment_in *in,
                            struct json_object **out);
/* The payment an earned bonus makes (deal_terms.c): kind "bonus", amount_minor of
 * currency, expected on expected_at (YYYY-MM-DD), inserted like any payment; *id is its
 * id. Returns 0 or an HTTP status. */
int payment_add_bonus(struct request *r, const struct org_clock *c, str deal_id, int64_t amount_minor, str currency,
                      str expected_at, str *id);
#endif
