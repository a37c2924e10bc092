/* handlers.h — every route handler, grouped by the file that implements it. */
#ifndef SB_HANDLERS_H
#define SB_HANDLERS_H
#include "../http/request.h"

/* auth_pages.c */
int login_form(struct request *r);
int login_submit(struct request *r);
int logout_submit(struct request *r);
/* overview.c */
int overview_show(struct request *r);
/* ops.c */
int healthz_show(struct request *r);
int metrics_show(struct request *r);
int admin_show(struct request *r);
int api_me_show(struct request *r);
int api_me_name_update(struct request *r);
int api_admin_ping(struct request *r);
/* calls.c — list, detail, export, delete */
int calls_list(struct request *r);
int api_calls_list(struct request *r);
int calls_export(struct request *r);
int calls_show(struct request *r);
int api_calls_show(struct request *r);
int calls_delete_confirm(struct request *r);
int calls_delete(struct request *r);
int api_calls_delete(struct request *r);
/* webhooks.c, recordings.c */
int webhook_vapi(struct request *r);
int webhook_twilio_voice_status(struct request *r);
int call_recording_redirect(struct request *r);
int api_call_recording_url(struct request *r);
int recording_serve(struct request *r);
/* analytics.c */
int analytics_page(struct request *r);
int api_analytics_summary(struct request *r);
int api_analytics_daily(struct request *r);
int api_analytics_heatmap(struct request *r);
/* brands.c, deliverables.c, payments.c, forecast.c */
int deliverable_new_form(struct request *r);
int deliverable_create(struct request *r);
int deliverable_edit_form(struct request *r);
int deliverable_update(struct request *r);
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
/* deals.c, deal_write.c — deals list, board, deal pages and API (area F) */
int deals_list(struct request *r);
int api_deals_list(struct request *r);
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
