/* calls.h — the calls feature: the calls list, detail, export, recordings and analytics. Its route table is all the
 * application sees of it; the handlers are declared here for that table. */
#ifndef SB_APP_CALLS_H
#define SB_APP_CALLS_H
#include "../../http/router.h"

extern const struct route_table calls_routes;

int calls_list(struct request *r);
int api_calls_list(struct request *r);
int calls_export(struct request *r);
int calls_show(struct request *r);
int api_calls_show(struct request *r);
int calls_delete_confirm(struct request *r);
int calls_delete(struct request *r);
int api_calls_delete(struct request *r);
int call_recording_redirect(struct request *r);
int api_call_recording_url(struct request *r);
int recording_serve(struct request *r);
int analytics_page(struct request *r);
int api_analytics_summary(struct request *r);
int api_analytics_daily(struct request *r);
int api_analytics_heatmap(struct request *r);
#endif
