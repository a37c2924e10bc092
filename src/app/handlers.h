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
#endif
