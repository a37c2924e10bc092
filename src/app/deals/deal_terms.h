/* deal_terms.h — a deal's affiliate and performance terms: commission rate, tracking
 * URL, a performance bonus (condition, amount) and marking that bonus earned, which
 * adds the payment that brings it into the forecast. The deal page's "Terms" card is
 * filled from deals.c; the terms' own form and JSON are routed in deals_routes.c. */
#ifndef SB_DEAL_TERMS_H
#define SB_DEAL_TERMS_H
#include <stdbool.h>
#include "../../core/str.h"
struct request;
struct tdict;
struct json_object;

/* {{>TERMS}} on the deal page d: the terms and, when writable, the links to edit
 * them and to mark the bonus earned (unmarking for managers and admins). Returns 0 or
 * the database's status. */
int deal_terms_fill_page(struct request *r, struct tdict *d, str deal_id, bool writable);
/* The terms as the deal's JSON carries them ("terms"), or NULL on a database error. */
struct json_object *deal_terms_json_of(struct request *r, str deal_id);

int deal_terms_form(struct request *r);
int deal_terms_update(struct request *r);
int api_deal_terms(struct request *r);
int deal_bonus_earn_form(struct request *r);
int deal_bonus_earn(struct request *r);
int deal_bonus_unearn_confirm(struct request *r);
int deal_bonus_unearn(struct request *r);
#endif
