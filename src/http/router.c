/* router.c — matches method + path against the route table. */
#include "router.h"

#include <string.h>

#include "../core/arena.h"
#include "../core/buf.h"

bool router_pattern_match(const char *pattern, str path, struct arena *a, struct kvlist *params)
{
    str pat = str_from(pattern);
    size_t pi = 0, si = 0;
    size_t first_param = params->n;
    while (pi < pat.len) {
        if (pat.ptr[pi] == '{') {
            size_t close = pi;
            while (close < pat.len && pat.ptr[close] != '}') close++;
            size_t start = si;
            while (si < path.len && path.ptr[si] != '/') si++;
            if (si == start) goto fail; /* a parameter is one non-empty segment */
            kvlist_add(a, params, str_make(pat.ptr + pi + 1, close - pi - 1),
                       str_make(path.ptr + start, si - start));
            pi = close + 1;
            continue;
        }
        if (si >= path.len || path.ptr[si] != pat.ptr[pi]) goto fail;
        pi++;
        si++;
    }
    if (si == path.len) return true;
fail:
    params->n = first_param;
    return false;
}

enum route_match router_match(const struct route *routes, size_t n, struct arena *a, str method,
                              str path, const struct route **found, struct kvlist *params, str *allow)
{
    bool is_head = str_eq(method, STR("HEAD"));
    struct buf methods;
    buf_init(&methods, a, 64);
    bool path_known = false;
    /* Literal patterns first, whatever their place in the table: /calls/analytics is
     * never taken for /calls/{id}. A path a literal pattern claims is theirs alone. */
    for (int pass = 0; pass < 2 && !path_known; pass++) {
        for (size_t i = 0; i < n; i++) {
            bool literal = strchr(routes[i].pattern, '{') == NULL;
            if (literal != (pass == 0)) continue;
            if (!router_pattern_match(routes[i].pattern, path, a, params)) continue;
            str m = str_from(routes[i].method);
            if (str_eq(m, method) || (is_head && str_eq(m, STR("GET")))) {
                *found = &routes[i];
                return ROUTE_FOUND;
            }
            params->n = 0;
            path_known = true;
            if (str_find(buf_str(&methods), m) < 0) {
                if (methods.len) buf_puts(&methods, ", ");
                buf_put(&methods, m);
                if (str_eq(m, STR("GET"))) buf_puts(&methods, ", HEAD");
            }
        }
    }
    *found = NULL;
    if (!path_known) return ROUTE_NOT_FOUND;
    *allow = buf_str(&methods);
    return ROUTE_METHOD_NOT_ALLOWED;
}

static const char *const role_names[] = { "viewer", "agent", "manager", "admin" };

const char *role_name(enum role r)
{
    return (unsigned)r < 4 ? role_names[r] : "viewer";
}

bool role_parse(str s, enum role *out)
{
    for (int i = 0; i < 4; i++)
        if (str_eq_cstr(s, role_names[i])) {
            *out = (enum role)i;
            return true;
        }
    return false;
}
