/* router.h — routes as data: method + pattern with {params} → handler, flags. */
#ifndef SB_ROUTER_H
#define SB_ROUTER_H
#include "request.h"

enum route_flags {
    ROUTE_PUBLIC = 0,         /* no session needed */
    ROUTE_AUTH = 1 << 0,      /* signed-in user or API key */
    ROUTE_NO_CSRF = 1 << 1,   /* writes exempt from CSRF (webhooks with own signatures) */
    ROUTE_NO_DB_TX = 1 << 2,  /* handler manages the database itself (healthz, metrics) */
    ROUTE_API = 1 << 3,       /* JSON endpoint: API keys accepted */
    ROUTE_CSRF_IF_SIGNED_IN = 1 << 4, /* CSRF only with a live session (sign-out: without
                                         one there is nothing a forged request could do) */
    ROUTE_JSON = 1 << 5,      /* answers JSON only, errors included (webhooks) */
    ROUTE_KEY_MANAGER = 1 << 6, /* API keys need manager or admin whatever min_role says:
                                   a key has no user of its own to be the agent owning a deal */
    ROUTE_UPLOAD = 1 << 7,    /* a file upload: the body may reach upload_limit, not body_limit */
};

enum role { ROLE_VIEWER = 0, ROLE_AGENT = 1, ROLE_MANAGER = 2, ROLE_ADMIN = 3 };

/* A handler writes into r->res and returns 0, or returns an HTTP status (>= 400)
 * for the dispatcher to render as an error page / JSON error. */
typedef int (*route_handler)(struct request *r);

struct route {
    const char *method;     /* "GET", "POST", ... ("GET" also answers HEAD) */
    const char *pattern;    /* "/calls/{id}" */
    route_handler handler;
    unsigned flags;
    enum role min_role;     /* checked when ROUTE_AUTH */
    const char *name;       /* metrics label, e.g. "calls_show" */
};

/* A feature's routes; each feature folder exports one. */
struct route_table {
    const struct route *routes;
    size_t count;
};
#define ROUTE_TABLE(array) { array, sizeof array / sizeof array[0] }

enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED };

/* Finds the route for method+path; fills params (in arena). On
 * ROUTE_METHOD_NOT_ALLOWED, *allow receives e.g. "GET, HEAD, POST". */
enum route_match router_match(const struct route *routes, size_t n, struct arena *a,
                              str method, str path, const struct route **found,
                              struct kvlist *params, str *allow);
/* Matches one pattern against a path; true and params filled on match. */
bool router_pattern_match(const char *pattern, str path, struct arena *a, struct kvlist *params);

const char *role_name(enum role r);
bool role_parse(str s, enum role *out);
#endif
