/* app.h — the request pipeline (route → auth → CSRF → handler → view) and the
 * helpers handlers share: page rendering in the layout, errors, flash, redirects. */
#ifndef SB_APP_H
#define SB_APP_H
#include "../core/config.h"
#include "../http/request.h"
#include "../http/response.h"
#include "../http/router.h"
struct tdict;

/* Per-worker state, made once at worker start. */
struct app {
    const struct config *cfg;
    struct db *db;
    int slot; /* metrics slot */
};

extern const struct route app_routes[];
extern const size_t app_route_count;
/* Route names for metrics (index = route index; last one is "unmatched"). */
const char *const *app_route_names(int *count);

/* Runs one request end to end (everything but the FastCGI I/O). */
void app_handle(struct app *app, struct request *r);
/* Worker entry for pool_run. */
int app_worker_main(int listen_fd, int slot, const struct config *cfg);

/* The worker's app (for handlers needing config). */
const struct config *app_cfg(void);

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
