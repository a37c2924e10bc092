/* home.h — the home feature: the overview page. Its route table is all the
 * application sees of it; the handlers are declared here for that table. */
#ifndef SB_APP_HOME_H
#define SB_APP_HOME_H
#include "../../http/router.h"

extern const struct route_table home_routes;

int overview_show(struct request *r);
#endif
