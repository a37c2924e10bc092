/* deals.h — the deals feature: deals, the board, brands, deliverables, payments, FX
 * rates and the forecast. Its route table, its handlers, and what the deal page
 * files (deals.c: reads; deal_write.c: writes) share with the feature's others. */
#ifndef SB_DEALS_H
#define SB_DEALS_H
#include <stdbool.h>
#include "../../core/str.h"
#include "../../http/router.h"
struct request;
struct json_object;
struct dbres;
struct tdict;

/* A deal as the API answers it, from a row of a deals_sql.h result. */
struct json_object *deal_json(const struct dbres *res, int row);
/* The deal id of this org as JSON (deleted ones too); with detail also its
 * deliverables, payments, exclusivity conflicts and history. NULL and *status
 * set (404, or the database's status) when it cannot be read. */
struct json_object *deal_json_by_id(struct request *r, str id, bool detail, int *status);
/* The board with status and a notice on top (a refused move, NULL: none). Returns
 * 0 when written, or a status and nothing written. */
int deals_board_render(struct request *r, int status, const char *notice);
/* The deal page of id (deleted ones too) with status and a notice on top. Returns 0
 * when written, or a status (404, the database's) and nothing written. */
int deals_show_render(struct request *r, int status, str id, const char *notice);
/* The deal page again (status 400) with a refused note's text and messages in its
 * add form (deal_notes.c); 0 when written, or a status. */
struct field_errors;
int deals_show_render_note(struct request *r, int status, str id, str typed, const struct field_errors *e);
/* Fills the pages' tab bar (List · Board · Forecast · Brands) with current marked. */
void deals_tabs(struct tdict *d, const char *current);

extern const struct route_table deals_routes;

int deliverable_new_form(struct request *r);
int deliverable_create(struct request *r);
int deliverable_edit_form(struct request *r);
int deliverable_update(struct request *r);
int deliverable_submit_form(struct request *r);
int deliverable_submit(struct request *r);
int deliverable_approve(struct request *r);
int deliverable_reject_form(struct request *r);
int deliverable_reject(struct request *r);
int deliverable_posted_form(struct request *r);
int deliverable_posted(struct request *r);
int api_deliverable_show(struct request *r);
int api_deliverable_patch(struct request *r);
int api_deal_deliverables(struct request *r);
int payment_new_form(struct request *r);
int payment_create(struct request *r);
int payment_edit_form(struct request *r);
int payment_update(struct request *r);
int payment_invoice_sent(struct request *r);
int payment_paid_form(struct request *r);
int payment_paid(struct request *r);
int payment_dispute_form(struct request *r);
int payment_dispute(struct request *r);
int payment_resolve(struct request *r);
int api_payment_show(struct request *r);
int api_payment_patch(struct request *r);
int installments_new_form(struct request *r);
int installments_create(struct request *r);
int api_installments_show(struct request *r);
int api_installments_create(struct request *r);
int fx_rates_page(struct request *r);
int fx_rate_create(struct request *r);
int forecast_page(struct request *r);
int brands_list(struct request *r);
int brand_new_form(struct request *r);
int brand_create(struct request *r);
int brand_show(struct request *r);
int brand_edit_form(struct request *r);
int brand_update(struct request *r);
int api_forecast(struct request *r);
int deals_list(struct request *r);
int api_deals_list(struct request *r);
int deals_deleted_list(struct request *r);
int api_deals_deleted_list(struct request *r);
int deals_export(struct request *r);
int deals_board(struct request *r);
int deals_show(struct request *r);
int api_deals_show(struct request *r);
int deals_new_form(struct request *r);
int deals_create(struct request *r);
int api_deals_create(struct request *r);
int deals_edit_form(struct request *r);
int deals_update(struct request *r);
int api_deals_update(struct request *r);
int deals_stage(struct request *r);
int deals_delete_confirm(struct request *r);
int deals_delete(struct request *r);
int api_deals_delete(struct request *r);
int deals_restore(struct request *r);
int api_deals_restore(struct request *r);
int deals_purge(struct request *r);
#endif
