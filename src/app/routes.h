/* routes.h — every route of the application: the feature tables, joined. */
#ifndef SB_APP_ROUTES_H
#define SB_APP_ROUTES_H
#include <stddef.h>
#include "../http/router.h"

/* The joined table and its length (made on first use, kept for the process). */
const struct route *app_routes(size_t *count);
/* Route names for metrics (index = route index; names[count] is "unmatched"). */
const char *const *app_route_names(int *count);
#endif
