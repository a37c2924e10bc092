/* campaigns_routes.c — the campaigns feature's routes: method, pattern, handler, who
 * may call it. Everyone reads contacts; managers and admins create, edit and import
 * them (SPEC §1: managers run campaigns), admins delete them. POST /contacts/import
 * is the one route whose body may reach the upload limit. */
#include "campaigns.h"

static const struct route routes[] = {
    { "GET", "/contacts", contacts_list, ROUTE_AUTH, ROLE_VIEWER, "contacts_list" },
    { "GET", "/contacts/export.csv", contacts_export, ROUTE_AUTH, ROLE_VIEWER, "contacts_export" },
    { "GET", "/contacts/new", contact_new_form, ROUTE_AUTH, ROLE_MANAGER, "contact_new" },
    { "POST", "/contacts", contact_create, ROUTE_AUTH, ROLE_MANAGER, "contact_create" },
    { "GET", "/contacts/import", contacts_import_form, ROUTE_AUTH, ROLE_MANAGER, "contacts_import_form" },
    { "POST", "/contacts/import", contacts_import_upload, ROUTE_AUTH | ROUTE_UPLOAD, ROLE_MANAGER,
      "contacts_import_upload" },
    { "GET", "/contacts/imports/{id}", contacts_import_show, ROUTE_AUTH, ROLE_MANAGER, "contacts_import_show" },
    { "POST", "/contacts/imports/{id}", contacts_import_run, ROUTE_AUTH, ROLE_MANAGER, "contacts_import_run" },
    { "GET", "/contacts/imports/{id}/report.csv", contacts_import_report, ROUTE_AUTH, ROLE_MANAGER,
      "contacts_import_report" },
    { "GET", "/contacts/{id}", contact_show, ROUTE_AUTH, ROLE_VIEWER, "contact_show" },
    { "GET", "/contacts/{id}/edit", contact_edit_form, ROUTE_AUTH, ROLE_MANAGER, "contact_edit" },
    { "POST", "/contacts/{id}", contact_update, ROUTE_AUTH, ROLE_MANAGER, "contact_update" },
    { "GET", "/contacts/{id}/delete", contact_delete_confirm, ROUTE_AUTH, ROLE_ADMIN, "contact_delete_confirm" },
    { "POST", "/contacts/{id}/delete", contact_delete, ROUTE_AUTH, ROLE_ADMIN, "contact_delete" },
    { "GET", "/api/v1/contacts", contacts_list, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_contacts_list" },
    { "POST", "/api/v1/contacts", contact_create, ROUTE_AUTH | ROUTE_API, ROLE_MANAGER, "api_contact_create" },
    { "GET", "/api/v1/contacts/{id}", contact_show, ROUTE_AUTH | ROUTE_API, ROLE_VIEWER, "api_contact_show" },
    { "PATCH", "/api/v1/contacts/{id}", contact_update, ROUTE_AUTH | ROUTE_API, ROLE_MANAGER, "api_contact_update" },
    { "DELETE", "/api/v1/contacts/{id}", contact_delete, ROUTE_AUTH | ROUTE_API, ROLE_ADMIN, "api_contact_delete" },
};
const struct route_table campaigns_routes = ROUTE_TABLE(routes);
