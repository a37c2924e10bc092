/* app.h — the request pipeline (route → auth → CSRF → handler → view), and what
 * every handler includes: the page helpers (page.h) and the request's settings. */
#ifndef SB_APP_H
#define SB_APP_H
#include "../core/config.h"
#include "../http/request.h"
#include "../http/response.h"
#include "../http/router.h"
#include "page.h"

/* What a handler, and every step of one, returns (docs/ARCHITECTURE.md, "Return
 * values"):
 *   0        done: go on (a handler: its response is written; the transaction commits);
 *   REPLIED  the answer is already written (the form again with its messages, a 409
 *            with the current values): the caller returns REPLIED at once, and the
 *            pipeline rolls the transaction back and sends what was written;
 *   >= 400   failed with that HTTP status and nothing written: the caller returns it,
 *            and the pipeline rolls back and answers the error page or JSON error
 *            (403s and 401s commit, keeping their audit row). */
enum { REPLIED = 1 };

/* Per-worker state, made once at worker start. */
struct app {
    const struct config *cfg;
    struct db *db;
    int slot; /* metrics slot */
    long pid; /* the worker's, for its request lines */
};

/* Before pool_run forks a generation of workers: parses every template (a broken
 * one is logged, and the generation is not started). The workers inherit them. */
int app_prepare_workers(const struct config *cfg);
/* Worker entry for pool_run. */
int app_worker_main(int listen_fd, int slot, const struct config *cfg);

/* Refuses the request: writes the security.forbidden audit row (why: "role",
 * "csrf", "owner", ...) and returns 403 for the caller to return. Every 403 goes
 * through here, from the pipeline or from inside a handler. */
int app_forbid(struct request *r, const char *why);

/* The HTTP status of the request's last database error (503, 409, 400...). */
int app_db_status(const struct request *r);

/* The key that signs cursors, tokens and cookies, and seals secrets. */
static inline str app_secret(const struct request *r) { return str_from(r->cfg->secret_key); }
#endif
