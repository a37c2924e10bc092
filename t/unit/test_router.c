/* test_router.c — route matching: static and {param} patterns, 404 vs 405 + Allow, HEAD via GET, trailing slashes, roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/http/router.h"
#include "unit.h"

static int h_dummy(struct request *r) { return 0; }

static const struct route routes[] = {
    { "GET", "/", h_dummy, ROUTE_PUBLIC, ROLE_VIEWER, "home" },
    { "GET", "/calls", h_dummy, ROUTE_AUTH, ROLE_VIEWER, "calls_list" },
    { "POST", "/calls", h_dummy, ROUTE_AUTH, ROLE_AGENT, "calls_create" },
    { "GET", "/calls/new", h_dummy, ROUTE_AUTH, ROLE_AGENT, "calls_new" }, /* before {id}: wins */
    { "GET", "/calls/{id}", h_dummy, ROUTE_AUTH, ROLE_VIEWER, "calls_show" },
    { "POST", "/calls/{id}", h_dummy, ROUTE_AUTH, ROLE_AGENT, "calls_update" },
    { "DELETE", "/calls/{id}", h_dummy, ROUTE_AUTH, ROLE_MANAGER, "calls_delete" },
    { "GET", "/orgs/{org}/users/{user}", h_dummy, ROUTE_AUTH, ROLE_ADMIN, "org_user" },
    { "POST", "/logout", h_dummy, ROUTE_AUTH, ROLE_VIEWER, "logout" },
    { "PUT", "/items/{id}", h_dummy, ROUTE_API, ROLE_VIEWER, "item_put" },
};
#define NROUTES (sizeof routes / sizeof routes[0])

struct result {
    enum route_match m;
    const struct route *found;
    struct kvlist params;
    str allow;
};

static struct result match(const char *method, const char *path)
{
    struct result r;
    memset(&r, 0, sizeof r);
    r.found = (const struct route *)&r; /* sentinel: must be overwritten */
    r.allow = STR("unset");
    r.m = router_match(routes, NROUTES, &A, str_from(method), str_from(path), &r.found, &r.params, &r.allow);
    return r;
}

static void test_found_routes(void **state)
{
    const struct {
        const char *method, *path, *name;
    } cases[] = {
        { "GET", "/", "home" },
        { "GET", "/calls", "calls_list" },
        { "POST", "/calls", "calls_create" },
        { "GET", "/calls/new", "calls_new" },
        { "GET", "/calls/123", "calls_show" },
        { "POST", "/calls/123", "calls_update" },
        { "DELETE", "/calls/abc-def", "calls_delete" },
        { "GET", "/orgs/o1/users/u2", "org_user" },
        { "POST", "/logout", "logout" },
        { "PUT", "/items/7.json", "item_put" },
        { "HEAD", "/", "home" },
        { "HEAD", "/calls/9", "calls_show" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct result r = match(cases[i].method, cases[i].path);
        if (r.m != ROUTE_FOUND) fail_msg("%s %s: not found (%d)", cases[i].method, cases[i].path, r.m);
        assert_string_equal(r.found->name, cases[i].name);
        assert_str(r.allow, "unset"); /* Allow only filled for 405 */
    }
}

static void test_params_are_extracted(void **state)
{
    struct result r = match("GET", "/calls/550e8400-e29b-41d4-a716-446655440000");
    assert_int_equal(r.m, ROUTE_FOUND);
    assert_int_equal(r.params.n, 1);
    assert_str(*kvlist_get(&r.params, "id"), "550e8400-e29b-41d4-a716-446655440000");

    r = match("GET", "/orgs/acme/users/42");
    assert_int_equal(r.m, ROUTE_FOUND);
    assert_int_equal(r.params.n, 2);
    assert_str(*kvlist_get(&r.params, "org"), "acme");
    assert_str(*kvlist_get(&r.params, "user"), "42");

    r = match("PUT", "/items/abc.json");
    assert_int_equal(r.m, ROUTE_FOUND);
    assert_str(*kvlist_get(&r.params, "id"), "abc.json"); /* a parameter is the whole segment */

    /* Static routes carry no params, and a static route listed before {id} wins. */
    r = match("GET", "/calls/new");
    assert_int_equal(r.params.n, 0);
    assert_string_equal(r.found->name, "calls_new");
}

static void test_not_found(void **state)
{
    static const char *const paths[] = {
        "", "/nope", "/call", "/callsx", "/calls/1/extra", "/orgs/o1/users", "/orgs//users/u", "//",
        "/CALLS", /* case-sensitive */
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct result r = match("GET", paths[i]);
        if (r.m != ROUTE_NOT_FOUND) fail_msg("GET \"%s\": %d, want 404", paths[i], r.m);
        assert_null(r.found);
        assert_int_equal(r.params.n, 0);
        assert_str(r.allow, "unset");
    }
}

static void test_trailing_slash_is_strict(void **state)
{
    /* No redirects or slash folding: "/calls/" and "/calls/1/" are different paths. */
    assert_int_equal(match("GET", "/calls/").m, ROUTE_NOT_FOUND); /* {id} must be non-empty */
    assert_int_equal(match("GET", "/calls/1/").m, ROUTE_NOT_FOUND);
    assert_int_equal(match("POST", "/logout/").m, ROUTE_NOT_FOUND);
    assert_int_equal(match("GET", "/calls//").m, ROUTE_NOT_FOUND);
}

static void test_method_not_allowed_lists_allow(void **state)
{
    struct result r = match("PUT", "/calls");
    assert_int_equal(r.m, ROUTE_METHOD_NOT_ALLOWED);
    assert_null(r.found);
    assert_str(r.allow, "GET, HEAD, POST");
    assert_int_equal(r.params.n, 0);

    r = match("PATCH", "/calls/5");
    assert_int_equal(r.m, ROUTE_METHOD_NOT_ALLOWED);
    assert_str(r.allow, "GET, HEAD, POST, DELETE");
    assert_int_equal(r.params.n, 0); /* params of non-matching methods are dropped */

    /* GET on a POST-only route: 405 (not 404) and HEAD is not offered. */
    r = match("GET", "/logout");
    assert_int_equal(r.m, ROUTE_METHOD_NOT_ALLOWED);
    assert_str(r.allow, "POST");
    r = match("HEAD", "/logout");
    assert_int_equal(r.m, ROUTE_METHOD_NOT_ALLOWED);
    assert_str(r.allow, "POST");

    /* /calls/new is claimed by its literal route: {id} routes never see it. */
    r = match("DELETE", "/calls/new");
    assert_int_equal(r.m, ROUTE_METHOD_NOT_ALLOWED);
    assert_str(r.allow, "GET, HEAD");
    assert_int_equal(r.params.n, 0);

    r = match("POST", "/orgs/a/users/b");
    assert_int_equal(r.m, ROUTE_METHOD_NOT_ALLOWED);
    assert_str(r.allow, "GET, HEAD");

    /* Methods are case-sensitive tokens. */
    r = match("get", "/");
    assert_int_equal(r.m, ROUTE_METHOD_NOT_ALLOWED);
    assert_str(r.allow, "GET, HEAD");
}

static void test_pattern_match_directly(void **state)
{
    const struct {
        const char *pattern, *path;
        bool ok;
    } cases[] = {
        { "/", "/", true },
        { "/", "", false },
        { "/a", "/a", true },
        { "/a", "/a/", false },
        { "/a/", "/a", false },
        { "/a/{x}", "/a/b", true },
        { "/a/{x}", "/a/", false },
        { "/a/{x}", "/a/b/c", false },
        { "/a/{x}/c", "/a/b/c", true },
        { "/a/{x}/c", "/a//c", false },
        { "/{x}", "/%2F", true },
        { "/a/{x}", "/A/b", false },
        /* A parameter always takes its whole segment, so a literal suffix in the same
         * segment can never match (no route uses one). */
        { "/i/{id}.json", "/i/7.json", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kvlist p = { 0 };
        bool ok = router_pattern_match(cases[i].pattern, str_from(cases[i].path), &A, &p);
        if (ok != cases[i].ok) fail_msg("%s vs \"%s\": %d", cases[i].pattern, cases[i].path, ok);
        if (!ok) assert_int_equal(p.n, 0);
    }
    /* A failed match leaves params added earlier in place. */
    struct kvlist p = { 0 };
    kvlist_add(&A, &p, STR("keep"), STR("me"));
    assert_false(router_pattern_match("/x/{a}/{b}/z", STR("/x/1/2/y"), &A, &p));
    assert_int_equal(p.n, 1);
    assert_true(router_pattern_match("/x/{a}/{b}/z", STR("/x/1/2/z"), &A, &p));
    assert_int_equal(p.n, 3);
    assert_str(*kvlist_get(&p, "a"), "1");
    assert_str(*kvlist_get(&p, "b"), "2");
}

/* A literal pattern wins over a parameter one wherever it stands in the table, and
 * a path claimed by a literal pattern never falls through to a parameter route. */
static void test_literal_beats_parameter_in_any_order(void **state)
{
    static const struct route late[] = {
        { "GET", "/calls/{id}", h_dummy, ROUTE_AUTH, ROLE_VIEWER, "calls_show" },
        { "POST", "/calls/{id}", h_dummy, ROUTE_AUTH, ROLE_AGENT, "calls_update" },
        { "GET", "/calls/analytics", h_dummy, ROUTE_AUTH, ROLE_VIEWER, "calls_analytics" },
    };
    const struct route *found = NULL;
    struct kvlist params = { 0 };
    str allow = STR_NULL;
    assert_int_equal(router_match(late, 3, &A, STR("GET"), STR("/calls/analytics"), &found, &params, &allow),
                     ROUTE_FOUND);
    assert_string_equal(found->name, "calls_analytics");
    assert_int_equal(params.n, 0);
    assert_int_equal(router_match(late, 3, &A, STR("GET"), STR("/calls/42"), &found, &params, &allow), ROUTE_FOUND);
    assert_string_equal(found->name, "calls_show");
    params.n = 0;
    assert_int_equal(router_match(late, 3, &A, STR("POST"), STR("/calls/analytics"), &found, &params, &allow),
                     ROUTE_METHOD_NOT_ALLOWED);
    assert_str(allow, "GET, HEAD");
}

static void test_roles(void **state)
{
    const struct {
        const char *name;
        enum role role;
    } cases[] = {
        { "viewer", ROLE_VIEWER }, { "agent", ROLE_AGENT }, { "manager", ROLE_MANAGER }, { "admin", ROLE_ADMIN },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum role r = (enum role)99;
        assert_true(role_parse(str_from(cases[i].name), &r));
        assert_int_equal(r, cases[i].role);
        assert_string_equal(role_name(cases[i].role), cases[i].name);
    }
    assert_true(ROLE_VIEWER < ROLE_AGENT && ROLE_AGENT < ROLE_MANAGER && ROLE_MANAGER < ROLE_ADMIN);
    static const char *const bad[] = { "", "Admin", "ADMIN", "admin ", "administrator", "adm", "root" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum role r = ROLE_AGENT;
        assert_false(role_parse(str_from(bad[i]), &r));
        assert_int_equal(r, ROLE_AGENT); /* untouched */
    }
    /* Out-of-range values fall back to the least privileged name. */
    assert_string_equal(role_name((enum role)4), "viewer");
    assert_string_equal(role_name((enum role)-1), "viewer");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found_routes),
        cmocka_unit_test(test_params_are_extracted),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_trailing_slash_is_strict),
        cmocka_unit_test(test_method_not_allowed_lists_allow),
        cmocka_unit_test(test_pattern_match_directly),
        cmocka_unit_test(test_literal_beats_parameter_in_any_order), cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
