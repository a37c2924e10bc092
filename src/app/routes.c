/* routes.c — joins the feature route tables into the one table the router walks.
 * To add a feature: give its folder a route table and list it here. */
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "admin/admin.h"
#include "calls/calls.h"
#include "campaigns/campaigns.h"
#include "deals/deals.h"
#include "home/home.h"
#include "ops/ops.h"
#include "routes.h"
#include "webhooks/webhooks.h"

static const struct route_table *const feature_tables[] = {
    &home_routes, &account_routes, &ops_routes, &admin_routes,
    &calls_routes, &webhooks_routes, &deals_routes, &campaigns_routes,
};

static struct route *g_routes;
static size_t g_route_count;
static const char **g_route_names;

/* Made once per process (the master, before forking, for the metrics) and kept
 * for its life, like the configuration. */
static void routes_join(void)
{
    size_t n = 0;
    for (size_t t = 0; t < sizeof feature_tables / sizeof feature_tables[0]; t++) n += feature_tables[t]->count;
    g_routes = calloc(n, sizeof *g_routes);
    g_route_names = calloc(n + 1, sizeof *g_route_names);
    if (!g_routes || !g_route_names) abort(); /* at start-up: nothing to serve without routes */
    for (size_t t = 0, at = 0; t < sizeof feature_tables / sizeof feature_tables[0]; t++) {
        memcpy(g_routes + at, feature_tables[t]->routes, feature_tables[t]->count * sizeof *g_routes);
        at += feature_tables[t]->count;
    }
    for (size_t i = 0; i < n; i++) g_route_names[i] = g_routes[i].name;
    g_route_names[n] = "unmatched";
    g_route_count = n;
}

const struct route *app_routes(size_t *count)
{
    if (!g_routes) routes_join();
    *count = g_route_count;
    return g_routes;
}

const char *const *app_route_names(int *count)
{
    if (!g_routes) routes_join();
    *count = (int)g_route_count;
    return g_route_names;
}
