/* page.h — what every page shares: rendering in the layout, errors in HTML or JSON,
 * flash messages, redirects, the CSRF token. */
#ifndef SB_PAGE_H
#define SB_PAGE_H
#include "../core/str.h"
struct request;
struct tdict;
struct json_object;

/* A page: page_dict returns the dictionary of templates/<content_tpl> (what the
 * handler fills); page_render renders it inside layout.tpl with status.
 * page_render returns 0, or 500 if the template failed. */
struct tdict *page_dict(struct request *r, const char *title, const char *content_tpl);
int page_render(struct request *r, int status, struct tdict *d);
/* Adds a flash message shown on the next page (cookie, signed). kind: ok|error|info. */
void flash_set(struct request *r, const char *kind, const char *message);
/* POST → 303 → GET with an optional flash. Returns 0. */
int redirect_see_other(struct request *r, const char *location, const char *flash_kind,
                       const char *flash_message);
/* Renders an error (HTML page or JSON by r->wants_json) for status with message.
 * fields may be NULL (json_object of field → message). */
void app_error(struct request *r, int status, const char *message, struct json_object *fields);
/* The CSRF token for the current visitor (session- or cookie-bound). */
str app_csrf_token(struct request *r);
#endif
