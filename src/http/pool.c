/* pool.c — `switchboard serve`: a php-fpm-like process manager. The master binds
 * the socket, pre-forks workers that accept on it, respawns the ones that die (with
 * back-off when they crash in a loop), swaps generations on SIGHUP, drains on SIGTERM. */
#include "pool.h"
#include "../core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/log.h"
#include "fcgi.h"
#include "metrics.h"

#define CRASH_FAST_US 1000000       /* a worker dying sooner than this counts as a crash loop */
#define CRASH_RESET_US 10000000     /* surviving this long forgives earlier crashes */
#define BACKOFF_MIN_US 100000
#define BACKOFF_MAX_US 5000000

struct child {
    pid_t pid;
    int generation;
    int64_t started_us;
};

static struct child children[METRICS_MAX_WORKERS]; /* index = metrics slot */
static int self_pipe[2] = { -1, -1 };
static volatile sig_atomic_t got_term, got_hup;
static volatile sig_atomic_t worker_stop;

/* ---- worker side ---- */

/* The signal mask while a worker waits for a connection: the stop and reload signals
 * are deliverable there and nowhere else (pool_worker_signals). */
static sigset_t wait_mask;
static int accept_epoll = -1;

static void worker_on_signal(int sig)
{
    (void)sig;
    worker_stop = 1;
}

void pool_worker_signals(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = worker_on_signal; /* no SA_RESTART: the wait must return */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    /* Held back from here on except inside pool_worker_wait. A signal that came while
     * libfcgi was reading a request it had just accepted used to fail that read, and
     * nginx answered the request 502; one that comes while a request is served must
     * let it finish. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, &wait_mask);
    sigdelset(&wait_mask, SIGTERM);
    sigdelset(&wait_mask, SIGHUP);
    sigdelset(&wait_mask, SIGINT);
}

int pool_worker_wait(int listen_fd, int timeout_ms)
{
    if (accept_epoll < 0) {
        /* Exclusive: a connection wakes one waiting worker, not all of them. */
        struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
        accept_epoll = epoll_create1(EPOLL_CLOEXEC);
        if (accept_epoll < 0 || epoll_ctl(accept_epoll, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
            log_error("cannot wait on the listening socket: %s", strerror(errno));
            return -1;
        }
    }
    while (!worker_stop) {
        struct epoll_event ev;
        int n = epoll_pwait(accept_epoll, &ev, 1, timeout_ms, &wait_mask);
        if (n > 0) return 0;
        if (n == 0) return 1;
        if (n < 0 && errno != EINTR) {
            log_error("waiting for a connection failed: %s", strerror(errno));
            return -1;
        }
    }
    return -1;
}

bool pool_worker_should_stop(void) { return worker_stop; }

bool pool_worker_stop_pending(void)
{
    sigset_t pending;
    if (sigpending(&pending) == 0 &&
        (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGHUP) == 1 ||
         sigismember(&pending, SIGINT) == 1))
        worker_stop = 1;
    return worker_stop;
}

/* ---- master side ---- */

static void master_on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGTERM || sig == SIGINT) got_term = 1;
    else if (sig == SIGHUP) got_hup = 1;
    char c = (char)sig;
    ssize_t w = write(self_pipe[1], &c, 1); /* wakes poll; a full pipe is wake enough */
    (void)w;
    errno = saved;
}

static int master_signals(void)
{
    if (pipe2(self_pipe, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    struct sigaction sa = { 0 };
    sa.sa_handler = master_on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static int free_slot(void)
{
    for (int i = 0; i < METRICS_MAX_WORKERS; i++)
        if (!children[i].pid) return i;
    return -1;
}

static void log_worker(const char *what, pid_t pid, int slot, int generation, const char *cause)
{
    char extra[200];
    snprintf(extra, sizeof extra, "\"worker_pid\":%ld,\"slot\":%d,\"generation\":%d,\"cause\":\"%s\"",
             (long)pid, slot, generation, cause);
    log_msg(LOG_INFO, extra, "worker %s", what);
}

static int spawn(int listen_fd, int generation, const struct config *cfg, pool_worker_fn fn)
{
    int slot = free_slot();
    if (slot < 0) return -1;
    /* The slot's state is written before fork: written after, it could land on
     * top of the state the child has already moved on to (idle, busy). */
    struct metrics_shared *m = metrics_get();
    m->workers[slot].state = WORKER_STARTING;
    pid_t pid = fork();
    if (pid < 0) {
        log_error("fork failed: %s", strerror(errno));
        m->workers[slot].state = WORKER_EMPTY;
        return -1;
    }
    if (pid == 0) {
        close(self_pipe[0]);
        close(self_pipe[1]);
        pool_worker_signals();
        _exit(fn(listen_fd, slot, cfg));
    }
    children[slot] = (struct child){ pid, generation, clock_mono_us() };
    m->workers[slot].pid = pid; /* the same value the child writes */
    log_worker("started", pid, slot, generation, "spawn");
    return 0;
}

static int alive_in_generation(int generation)
{
    int n = 0;
    for (int i = 0; i < METRICS_MAX_WORKERS; i++)
        if (children[i].pid && children[i].generation == generation) n++;
    return n;
}

static int alive_total(void)
{
    int n = 0;
    for (int i = 0; i < METRICS_MAX_WORKERS; i++)
        if (children[i].pid) n++;
    return n;
}

struct supervisor {
    struct config *cfg;
    const char *config_path;
    pool_prepare_fn prepare;
    pool_worker_fn fn;
    int listen_fd;
    int generation;
    int fast_crashes;
    int64_t respawn_at_us; /* back-off: no respawn before this */
    bool replacing;        /* a worker of the current generation died: the next spawn is a restart */
};

static void describe_exit(int status, char *cause, size_t cap)
{
    if (WIFSIGNALED(status)) snprintf(cause, cap, "signal %d", WTERMSIG(status));
    else if (WEXITSTATUS(status) == POOL_EXIT_RECYCLE) snprintf(cause, cap, "recycled after max_requests");
    else snprintf(cause, cap, "exit %d", WEXITSTATUS(status));
}

static void on_exit_of(struct supervisor *s, int slot, int status)
{
    struct child c = children[slot];
    struct metrics_shared *m = metrics_get();
    char cause[64];
    describe_exit(status, cause, sizeof cause);
    log_worker("exited", c.pid, slot, c.generation, cause);
    children[slot].pid = 0;
    m->workers[slot].pid = 0;
    m->workers[slot].state = WORKER_EMPTY;
    bool recycled = WIFEXITED(status) && WEXITSTATUS(status) == POOL_EXIT_RECYCLE;
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (recycled) __atomic_fetch_add(&m->worker_recycles, 1, __ATOMIC_RELAXED);
    else if (!clean) __atomic_fetch_add(&m->worker_crashes, 1, __ATOMIC_RELAXED);
    if (c.generation != s->generation || got_term) return; /* retired on purpose */
    int64_t lived = clock_mono_us() - c.started_us;
    if (!recycled && !clean && lived < CRASH_FAST_US) {
        s->fast_crashes++;
        int64_t backoff = BACKOFF_MIN_US << (s->fast_crashes < 7 ? s->fast_crashes - 1 : 6);
        if (backoff > BACKOFF_MAX_US) backoff = BACKOFF_MAX_US;
        s->respawn_at_us = clock_mono_us() + backoff;
        log_msg(LOG_WARN, NULL, "workers are crashing at start-up; next respawn in %lld ms",
                (long long)(backoff / 1000));
    } else if (lived > CRASH_RESET_US) {
        s->fast_crashes = 0;
    }
}

static void reap(struct supervisor *s)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        for (int i = 0; i < METRICS_MAX_WORKERS; i++)
            if (children[i].pid == pid) {
                on_exit_of(s, i, status);
                break;
            }
}

static void top_up(struct supervisor *s)
{
    if (clock_mono_us() < s->respawn_at_us) return;
    struct metrics_shared *m = metrics_get();
    while (alive_in_generation(s->generation) < s->cfg->workers) {
        if (spawn(s->listen_fd, s->generation, s->cfg, s->fn) != 0) break;
        if (s->replacing) __atomic_fetch_add(&m->worker_restarts, 1, __ATOMIC_RELAXED);
    }
    s->replacing = true; /* after the first fill, every spawn replaces someone */
}

static void signal_generation(int generation, int sig)
{
    for (int i = 0; i < METRICS_MAX_WORKERS; i++)
        if (children[i].pid && (generation < 0 || children[i].generation == generation))
            kill(children[i].pid, sig);
}

static void reload(struct supervisor *s)
{
    struct config fresh;
    config_defaults(&fresh);
    if (config_load(&fresh, s->config_path, false) != 0) {
        log_error("reload: configuration invalid; keeping the running one");
        config_free(&fresh);
        return;
    }
    if (s->prepare && s->prepare(&fresh) != 0) {
        log_error("reload: the new generation could not be prepared; keeping the running one");
        config_free(&fresh);
        return;
    }
    if (strcmp(fresh.listen, s->cfg->listen) != 0)
        log_warn("reload: 'listen' changed; it takes effect after a restart");
    config_free(s->cfg);
    *s->cfg = fresh;
    enum log_level lvl;
    if (log_level_parse(s->cfg->log_level, &lvl)) log_set_level(lvl);
    int old = s->generation++;
    s->respawn_at_us = 0;
    s->replacing = false;
    top_up(s);
    signal_generation(old, SIGTERM); /* they finish their request, then exit */
    log_info("reload: generation %d started, generation %d retiring", s->generation, old);
}

static void drain_self_pipe(void)
{
    char buf[64];
    while (read(self_pipe[0], buf, sizeof buf) > 0) continue;
}

/* Waits for signals (or the back-off deadline). */
static void wait_for_event(const struct supervisor *s)
{
    int timeout_ms = -1;
    if (s->respawn_at_us) {
        int64_t left = s->respawn_at_us - clock_mono_us();
        timeout_ms = left > 0 ? (int)(left / 1000) + 1 : 0;
    }
    struct pollfd p = { .fd = self_pipe[0], .events = POLLIN };
    poll(&p, 1, timeout_ms);
    drain_self_pipe();
}

static void shutdown_workers(struct supervisor *s)
{
    log_info("shutting down: draining %d worker(s)", alive_total());
    signal_generation(-1, SIGTERM);
    int64_t deadline = clock_mono_us() + (int64_t)s->cfg->shutdown_timeout_s * 1000000;
    while (alive_total() > 0 && clock_mono_us() < deadline) {
        struct pollfd p = { .fd = self_pipe[0], .events = POLLIN };
        poll(&p, 1, 50);
        drain_self_pipe();
        reap(s);
    }
    if (alive_total() > 0) {
        log_warn("shutdown: %d worker(s) still busy after %d s; killing them", alive_total(),
                 s->cfg->shutdown_timeout_s);
        signal_generation(-1, SIGKILL);
        while (alive_total() > 0 && waitpid(-1, NULL, 0) > 0) reap(s);
        for (int i = 0; i < METRICS_MAX_WORKERS; i++) children[i].pid = 0;
    }
}

int pool_run(struct config *cfg, const char *config_path, pool_prepare_fn prepare, pool_worker_fn fn,
             int route_count)
{
    if (metrics_init(route_count) != 0 || master_signals() != 0) {
        log_error("cannot set up the process manager: %s", strerror(errno));
        return 1;
    }
    gid_t gid;
    if (config_listen_gid(cfg, &gid) != 0) {
        fprintf(stderr, "switchboard serve: listen_group '%s' names no group\n", cfg->listen_group);
        return 1;
    }
    if (prepare && prepare(cfg) != 0) {
        log_error("serve: the workers could not be prepared; stopping");
        fprintf(stderr, "switchboard serve: the workers could not be prepared (the log says why)\n");
        return 1;
    }
    int fd = fcgi_listen(cfg->listen, 1024, gid);
    if (fd < 0) {
        log_error("cannot listen on %s: %s", cfg->listen, strerror(errno));
        fprintf(stderr, "switchboard serve: cannot listen on %s: %s\n", cfg->listen, strerror(errno));
        return 1;
    }
    struct supervisor s = { .cfg = cfg, .config_path = config_path, .prepare = prepare, .fn = fn,
                            .listen_fd = fd, .generation = 1 };
    char extra[64];
    snprintf(extra, sizeof extra, "\"workers\":%d", cfg->workers);
    log_msg(LOG_INFO, extra, "serve: listening on %s", cfg->listen);
    top_up(&s);
    while (!got_term) {
        wait_for_event(&s);
        reap(&s);
        if (got_term) break;
        if (got_hup) {
            got_hup = 0;
            reload(&s);
        }
        if (s.respawn_at_us && clock_mono_us() >= s.respawn_at_us) s.respawn_at_us = 0;
        top_up(&s);
    }
    shutdown_workers(&s);
    close(fd);
    if (strncmp(cfg->listen, "unix:", 5) == 0) unlink(cfg->listen + 5);
    log_info("serve: stopped");
    return 0;
}
