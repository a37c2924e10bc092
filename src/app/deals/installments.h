/* installments.h — the deal page's installment schedule section (installments.c). */
#ifndef SB_INSTALLMENTS_APP_H
#define SB_INSTALLMENTS_APP_H
#include <stdbool.h>
#include "../../core/str.h"
struct request;
struct tdict;

/* Fills the {{>INSTALLMENTS}} include of the deal page: the schedule's payments
 * (number, due date, amount, method, status), their total against the deal value,
 * and (writable) the links to create or edit it. Returns 0 or an HTTP status. */
int installments_fill_page(struct request *r, struct tdict *d, str deal_id, str value_minor, str currency, bool writable);
#endif
