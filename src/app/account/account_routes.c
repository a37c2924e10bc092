/* account_routes.c — the account feature's routes: method, pattern, handler, who may call it. */
#include "account.h"

static const struct route routes[] = {
    { "GET", "/login", login_form, ROUTE_PUBLIC, ROLE_VIEWER, "login_form" },
    { "POST", "/login", login_submit, ROUTE_PUBLIC, ROLE_VIEWER, "login_submit" },
    { "POST", "/logout", logout_submit, ROUTE_CSRF_IF_SIGNED_IN, ROLE_VIEWER, "logout" },
    { "GET", "/api/v1/me", api_me_show, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_me" },
    { "POST", "/api/v1/me/name", api_me_name_update, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER,
      "api_me_name" },
    { "GET", "/account", account_show, ROUTE_AUTH, ROLE_VIEWER, "account" },
    { "POST", "/account/password", account_password, ROUTE_AUTH, ROLE_VIEWER, "account_password" },
    { "POST", "/account/sessions/{sid}/revoke", account_session_revoke, ROUTE_AUTH, ROLE_VIEWER,
      "account_session_revoke" },
    { "GET", "/account/setup", account_setup_form, ROUTE_PUBLIC, ROLE_VIEWER, "account_setup_form" },
    { "POST", "/account/setup", account_setup_submit, ROUTE_PUBLIC, ROLE_VIEWER, "account_setup" },
    { "GET", "/api/v1/account/sessions", account_sessions, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER,
      "api_account_sessions" },
    { "POST", "/api/v1/account/password", account_password, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER,
      "api_account_password" },
    { "POST", "/api/v1/account/sessions/{sid}/revoke", account_session_revoke, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER,
      "api_account_session_revoke" },
};
const struct route_table account_routes = ROUTE_TABLE(routes);
