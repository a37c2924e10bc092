/* account.h — the account feature: sign in, sign out and who am I. Its route table is all the
 * application sees of it; the handlers are declared here for that table. */
#ifndef SB_APP_ACCOUNT_H
#define SB_APP_ACCOUNT_H
#include "../../http/router.h"

extern const struct route_table account_routes;

int login_form(struct request *r);
int login_submit(struct request *r);
int logout_submit(struct request *r);
int api_me_show(struct request *r);
int api_me_name_update(struct request *r);
/* The account page and one-time links (account_page.c). */
int account_show(struct request *r);
int account_sessions(struct request *r);
int account_password(struct request *r);
int account_session_revoke(struct request *r);
int account_setup_form(struct request *r);
int account_setup_submit(struct request *r);
#endif
