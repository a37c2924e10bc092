/* app.h — the request pipeline (route → auth → CSRF → handler → view), and what
 * every handler includes: the page helpers (page.h) and the request's settings. */
#ifndef SB_APP_H
#define SB_APP_H
#include "../core/config.h"
#include "../http/request.h"
#include "../http/response.h"
#include "../http/router.h"
#include "page.h"

/* Per-worker state, made once at worker start. */
struct app {
    const struct config *cfg;
    struct db *db;
    int slot; /* metrics slot */
};

/* Runs one request end to end (everything but the FastCGI I/O). */
void app_handle(struct app *app, struct request *r);
/* Worker entry for pool_run. */
int app_worker_main(int listen_fd, int slot, const struct config *cfg);

/* The key that signs cursors, tokens and cookies, and seals secrets. */
static inline str app_secret(const struct request *r) { return str_from(r->cfg->secret_key); }
#endif
