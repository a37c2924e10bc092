/* pool.h — the process manager behind `switchboard serve`. */
#ifndef SB_POOL_H
#define SB_POOL_H
#include <stdbool.h>
#include "../core/config.h"

/* What one worker process runs: loop accepting on listen_fd until told to stop or
 * max_requests is reached. Returns the process exit code. slot is its metrics slot. */
typedef int (*pool_worker_fn)(int listen_fd, int slot, const struct config *cfg);

/* What the process manager runs before it forks a generation of workers (at start
 * and on each reload, with that generation's configuration). What it loads, every
 * worker of the generation inherits: a worker replaced after a crash starts without
 * loading it again. Returns 0, or non-zero when it failed (and logged why). */
typedef int (*pool_prepare_fn)(const struct config *cfg);

/* Binds cfg->listen, runs prepare, pre-forks cfg->workers workers running fn,
 * supervises them (respawn with back-off, recycle, SIGHUP reload of config_path,
 * SIGTERM drain). A failed prepare stops serve at start (exit 1); on a reload it
 * keeps the running generation and configuration. route_count sizes the shared
 * per-route metrics. Returns the process exit code. */
int pool_run(struct config *cfg, const char *config_path, pool_prepare_fn prepare, pool_worker_fn fn,
             int route_count);

/* Exit code of a worker that stops after serving max_requests (not a crash). */
#define POOL_EXIT_RECYCLE 75

/* For workers: true once the worker has been asked to stop after this request. */
bool pool_worker_should_stop(void);
/* Installs worker-side signal handlers (SIGTERM/SIGHUP → finish and exit) and holds
 * those signals back everywhere but in pool_worker_wait, so neither a request being
 * served nor one being accepted is ever interrupted. */
void pool_worker_signals(void);
/* Waits until the listening socket has a connection to accept: returns 0, 1 when
 * timeout_ms passed first (-1: no timeout), or -1 once the worker has been asked to
 * stop (or on error). */
int pool_worker_wait(int listen_fd, int timeout_ms);
/* True once a stop signal is pending (held back outside the wait), and then also
 * pool_worker_should_stop. For a worker that keeps finding connections without
 * waiting: a wait that finds one ready returns it without taking a pending signal. */
bool pool_worker_stop_pending(void);
#endif
