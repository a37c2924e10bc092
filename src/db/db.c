/* db.c — the only user of libpq: connection, prepared statements, transactions,
 * and the mapping of SQLSTATEs to what an HTTP client should be told. */
#include "db.h"
#include "../core/clock.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/log.h"

#define PREPARED_SLOTS 1024 /* power of two; far more than the statements we have */
/* Least time between two connection attempts of one worker: short, so a database
 * that is back is found at once, yet a down one sees at most 20 attempts a second
 * from each worker. */
#define RECONNECT_INTERVAL_US 50000

struct db {
    PGconn *conn;
    char *conninfo;
    int statement_timeout_ms;
    const char *prepared[PREPARED_SLOTS]; /* statement names known to this connection */
    int nprepared;
    bool in_tx;
    bool tx_lost; /* the connection died inside a transaction: fail until it ends */
    bool begin_pending; /* db_begin_deferred: BEGIN goes out with the first statement */
    bool guard_pending; /* db_set_guard: the guard goes out right after that BEGIN */
    bool ended_by_last; /* db_exec_last ended the transaction: nothing may follow until the next one */
    struct db_stmt guard;
    enum db_error last_error;
    char sqlstate[6];
    char message[256];
    char constraint[64];
    int64_t elapsed_us;
    struct db_trip trips[DB_TRIPS_MAX]; /* since the last db_take_elapsed_us */
    int ntrips, dropped_trips;
    int64_t last_connect_us;
    char *copy_data; /* the last message db_copy_out_next returned (libpq's memory) */
};

struct dbres {
    PGresult *res;
};

/* Adds a round trip (or a wait for COPY data) that began at t0 to the request's time,
 * and to its trace under the name of its first statement. */
static void timed(struct db *db, const char *name, int statements, int64_t t0)
{
    int64_t us = clock_mono_us() - t0;
    db->elapsed_us += us;
    if (db->ntrips == DB_TRIPS_MAX) {
        db->dropped_trips++;
        return;
    }
    struct db_trip *t = &db->trips[db->ntrips++];
    snprintf(t->name, sizeof t->name, "%s", name ? name : "");
    t->statements = statements;
    t->us = us;
}

static void set_error(struct db *db, enum db_error e, const char *sqlstate, const char *msg,
                      const char *constraint)
{
    db->last_error = e;
    snprintf(db->sqlstate, sizeof db->sqlstate, "%s", sqlstate ? sqlstate : "");
    snprintf(db->message, sizeof db->message, "%s", msg ? msg : "");
    size_t n = strlen(db->message);
    while (n > 0 && (db->message[n - 1] == '\n' || db->message[n - 1] == ' '))
        db->message[--n] = '\0';
    snprintf(db->constraint, sizeof db->constraint, "%s", constraint ? constraint : "");
}

static void clear_error(struct db *db)
{
    db->last_error = DB_OK;
    db->sqlstate[0] = db->message[0] = db->constraint[0] = '\0';
}

/* SQLSTATE classes: 23 integrity, 22 data exception, 40 rollback, 57014 cancel
 * (statement timeout), 08/57P connection trouble. */
static enum db_error classify(const char *state)
{
    if (!state || !*state) return DB_ERR_INTERNAL;
    if (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0) return DB_ERR_CONFLICT;
    if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0) return DB_ERR_INVALID;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) return DB_ERR_RETRY;
    if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0) return DB_ERR_TIMEOUT;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0) return DB_ERR_UNAVAILABLE;
    return DB_ERR_INTERNAL;
}

static void forget_prepared(struct db *db)
{
    memset(db->prepared, 0, sizeof db->prepared);
    db->nprepared = 0;
}

static void drop_connection(struct db *db)
{
    if (db->conn) PQfinish(db->conn);
    db->conn = NULL;
    /* A transaction whose BEGIN has not gone out yet lost nothing: it simply starts
     * on the next connection. */
    if (db->in_tx && !db->begin_pending) {
        db->tx_lost = true;
        db->in_tx = false;
    }
    forget_prepared(db);
}

/* Server notices ("relation already exists, skipping") are not errors; keep them
 * out of the terminal and in the debug log. */
static void notice_to_log(void *arg, const char *message)
{
    log_debug("postgres notice: %s", message);
}

static bool connect_now(struct db *db)
{
    db->last_connect_us = clock_mono_us();
    db->conn = PQconnectdb(db->conninfo);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        set_error(db, DB_ERR_UNAVAILABLE, "08006", PQerrorMessage(db->conn), NULL);
        drop_connection(db);
        return false;
    }
    PQsetNoticeProcessor(db->conn, notice_to_log, NULL);
    /* Timestamps print as "YYYY-MM-DD HH:MM:SS[.ffffff]+00": code that reshapes
     * them in C (calls_sql.c) relies on UTC and the ISO date style. */
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET statement_timeout = %d; SET application_name = 'switchboard';"
             " SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'",
             db->statement_timeout_ms);
    PGresult *r = PQexec(db->conn, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        set_error(db, DB_ERR_UNAVAILABLE, "08006", PQerrorMessage(db->conn), NULL);
        drop_connection(db);
    }
    return ok;
}

void db_reconnect(struct db *db)
{
    if (db->in_tx) return; /* between transactions only */
    drop_connection(db);
    connect_now(db);
}

struct db *db_open(const char *conninfo, int statement_timeout_ms)
{
    struct db *db = calloc(1, sizeof *db);
    if (!db) abort();
    db->conninfo = strdup(conninfo ? conninfo : "");
    if (!db->conninfo) abort();
    db->statement_timeout_ms = statement_timeout_ms;
    connect_now(db);
    return db;
}

void db_close(struct db *db)
{
    if (!db) return;
    drop_connection(db);
    free(db->conninfo);
    free(db);
}

/* A server that restarted (or ended an idle session) closed our socket while we
 * were idle; libpq only notices when it next reads. Between transactions nothing
 * should be waiting on the socket, so if it is readable, read it (libpq's socket
 * is non-blocking): the server's goodbye, then EOF, mark the connection bad and we
 * reconnect now instead of failing the next request of every worker with a 503. */
static void notice_closed_while_idle(struct db *db)
{
    if ((db->in_tx && !db->begin_pending) || !db->conn) return;
    for (int i = 0; i < 4 && PQstatus(db->conn) == CONNECTION_OK; i++) {
        struct pollfd p = { .fd = PQsocket(db->conn), .events = POLLIN };
        if (p.fd < 0 || poll(&p, 1, 0) != 1) break; /* the usual case: nothing pending */
        if (!PQconsumeInput(db->conn)) break;
    }
    if (PQstatus(db->conn) == CONNECTION_OK) return;
    drop_connection(db);
    db->last_connect_us = 0; /* lost, not refused: reconnect now, without the back-off */
}

bool db_ensure(struct db *db)
{
    notice_closed_while_idle(db);
    if (db->conn && PQstatus(db->conn) == CONNECTION_OK) return true;
    if (db->conn) drop_connection(db);
    /* A down database must not be hammered by every request of every worker, but a
     * request is never refused without an attempt: one failing fast inside the
     * interval would answer 503 although the database came back meanwhile. So it
     * waits out the rest of the (short) interval and tries. */
    int64_t wait = db->last_connect_us + RECONNECT_INTERVAL_US - clock_mono_us();
    if (db->last_connect_us && wait > 0) {
        struct timespec ts = { 0, (long)wait * 1000 };
        while (nanosleep(&ts, &ts) != 0) continue;
    }
    return connect_now(db);
}

/* Handles a failed result: classifies it and notices a lost connection. Only the
 * primary message is kept: PostgreSQL's DETAIL quotes the failing row's values
 * (phone numbers, transcripts), which must not reach the logs. */
static void fail_with(struct db *db, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *msg = primary ? primary : res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn);
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    enum db_error e = classify(state);
    if (PQstatus(db->conn) != CONNECTION_OK) e = DB_ERR_UNAVAILABLE;
    set_error(db, e, state, msg, constraint);
    if (e == DB_ERR_UNAVAILABLE) drop_connection(db);
}

static unsigned name_slot(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) h = (h ^ *p) * 16777619u;
    return h & (PREPARED_SLOTS - 1);
}

/* Prepares the statement once per connection; names are string literals, so the
 * table stores the pointers. */
static bool ensure_prepared(struct db *db, const char *name, const char *sql, int nparams)
{
    unsigned i = name_slot(name);
    while (db->prepared[i]) {
        if (strcmp(db->prepared[i], name) == 0) return true;
        i = (i + 1) & (PREPARED_SLOTS - 1);
    }
    /* Keep the open-addressing table at most 3/4 full (so the probe above always
     * ends): past that, start afresh; statements are prepared again on use. */
    if (db->nprepared >= PREPARED_SLOTS * 3 / 4) {
        PQclear(PQexec(db->conn, "DEALLOCATE ALL"));
        forget_prepared(db);
        i = name_slot(name);
    }
    PGresult *r = PQprepare(db->conn, name, sql, nparams, NULL);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) fail_with(db, r);
    PQclear(r);
    if (ok) {
        db->prepared[i] = name;
        db->nprepared++;
    }
    return ok;
}

static void dbres_free(void *p)
{
    PQclear(((struct dbres *)p)->res);
}

/* The results of one pipeline: BEGIN's and the guard's when they went out, then
 * one per statement; NULL where none came (the connection broke). */
struct pipeline_results {
    PGresult *begin, *guard, *stmt[DB_BATCH_MAX], *commit;
};

static void clear_results(struct pipeline_results *pr, int n)
{
    PQclear(pr->begin);
    PQclear(pr->guard);
    PQclear(pr->commit);
    for (int i = 0; i < n; i++) PQclear(pr->stmt[i]);
}

static bool send_prepared(PGconn *c, const struct db_stmt *s)
{
    return PQsendQueryPrepared(c, s->name, s->nparams, s->params, NULL, NULL, 0);
}

/* How a pipeline ends the transaction. */
enum pipeline_end {
    KEEP_OPEN,       /* the transaction goes on */
    COMMIT_EXPLICIT, /* BEGIN went out earlier: COMMIT follows the statements */
    COMMIT_IMPLICIT, /* nothing went out yet: no BEGIN, the Sync commits what ran before it */
};

/* Sends the deferred BEGIN and the guard when due, then the statements, then
 * COMMIT when asked, then one Sync, and reads every result: one round trip however
 * many statements there are (libpq pipeline mode). Statements after a failed one
 * come back aborted. */
static void pipeline_send_and_read(struct db *db, int n, const struct db_stmt *s, enum pipeline_end end,
                                   struct pipeline_results *pr)
{
    PGconn *c = db->conn;
    bool with_begin = db->begin_pending && end != COMMIT_IMPLICIT, with_guard = db->guard_pending;
    bool with_commit = end == COMMIT_EXPLICIT;
    db->begin_pending = db->guard_pending = false;
    memset(pr, 0, sizeof *pr);
    if (!PQenterPipelineMode(c)) return;
    bool sent = !with_begin || PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
    sent = sent && (!with_guard || send_prepared(c, &db->guard));
    for (int i = 0; sent && i < n; i++) sent = send_prepared(c, &s[i]);
    sent = sent && (!with_commit || PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0));
    if (sent && PQpipelineSync(c)) {
        PGresult **slot[DB_BATCH_MAX + 3];
        int nslots = 0;
        if (with_begin) slot[nslots++] = &pr->begin;
        if (with_guard) slot[nslots++] = &pr->guard;
        for (int i = 0; i < n; i++) slot[nslots++] = &pr->stmt[i];
        if (with_commit) slot[nslots++] = &pr->commit;
        /* Each query's results end with a NULL; the Sync's marker ends the pipeline. */
        for (int q = 0;;) {
            PGresult *x = PQgetResult(c);
            if (!x) {
                q++;
                if (PQstatus(c) != CONNECTION_OK || q > nslots) break;
                continue;
            }
            if (PQresultStatus(x) == PGRES_PIPELINE_SYNC) {
                PQclear(x);
                break;
            }
            if (q < nslots && !*slot[q]) *slot[q] = x;
            else PQclear(x);
        }
    }
    PQexitPipelineMode(c);
}

static bool result_ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return r && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK);
}

/* The first failure of a pipeline, in the order its parts ran; 0 or -1 with the
 * error set. A guard that failed for any reason but a lost connection is
 * DB_ERR_GUARD: the caller's facts no longer hold, and nothing after it ran. */
static int pipeline_verdict(struct db *db, int n, const struct pipeline_results *pr, bool with_begin,
                            bool with_guard, bool with_commit)
{
    if (with_begin && !result_ok(pr->begin)) {
        fail_with(db, pr->begin);
        return -1;
    }
    if (with_guard && !(result_ok(pr->guard) && PQntuples(pr->guard) == 1 &&
                        PQgetvalue(pr->guard, 0, 0)[0] == 't')) {
        fail_with(db, result_ok(pr->guard) ? NULL : pr->guard);
        if (db->last_error != DB_ERR_UNAVAILABLE)
            set_error(db, DB_ERR_GUARD, db->sqlstate, "the transaction's guard refused", NULL);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (!result_ok(pr->stmt[i])) {
            fail_with(db, pr->stmt[i]);
            return -1;
        }
    }
    if (with_commit && !result_ok(pr->commit)) {
        fail_with(db, pr->commit);
        return -1;
    }
    return 0;
}

/* A transaction whose connection died is over: its later statements must not run
 * in autocommit on a fresh connection, and its COMMIT must not report success. */
static bool tx_was_lost(struct db *db)
{
    if (!db->tx_lost) return false;
    set_error(db, DB_ERR_UNAVAILABLE, "08006", "connection lost during the transaction", NULL);
    return true;
}

/* Whether a statement that failed because its connection was lost may run again on
 * a new connection, which is then made at once. Only when the statement cannot have
 * changed anything: it was the first of its transaction (the deferred BEGIN went
 * with it, and COMMIT never did), or it ran on its own and the server said it ended
 * the session (57P01 and kin: a statement cut off that way is rolled back; a bare
 * EOF could follow a commit whose answer was lost). The transaction is put back as
 * it was. One cut off midway stays lost (its statements fail until it ends), so its
 * request answers 503 and the next one finds the new connection. */
static bool reconnect_for_retry(struct db *db, bool in_tx, bool begin_pending, bool guard_pending)
{
    if (db->conn || db->last_error != DB_ERR_UNAVAILABLE) return false;
    bool first_of_tx = in_tx && begin_pending;
    bool ended_by_server = !in_tx && strncmp(db->sqlstate, "57P", 3) == 0;
    if (!first_of_tx && !ended_by_server) return false;
    db->tx_lost = false;
    db->in_tx = in_tx;
    db->begin_pending = begin_pending;
    db->guard_pending = guard_pending;
    log_warn("database connection lost (%s); reconnecting", db->message);
    return connect_now(db);
}

/* One attempt at the statements, in one round trip; 0 with out[] filled, or -1
 * with the error set (and nothing in out[]). */
static int exec_once(struct db *db, int n, const struct db_stmt *s, bool commit, PGresult **out)
{
    int64_t t0 = clock_mono_us();
    bool with_begin = db->begin_pending, with_guard = db->guard_pending;
    if (with_guard && !ensure_prepared(db, db->guard.name, db->guard.sql, db->guard.nparams)) return -1;
    for (int i = 0; i < n; i++)
        if (!ensure_prepared(db, s[i].name, s[i].sql, s[i].nparams)) return -1;
    enum pipeline_end end = !commit ? KEEP_OPEN : with_begin ? COMMIT_IMPLICIT : COMMIT_EXPLICIT;
    if (commit && !db->in_tx) end = KEEP_OPEN; /* autocommit: each statement commits itself */
    if (n == 1 && !with_begin && !with_guard && end == KEEP_OPEN) { /* the common case: no pipeline */
        out[0] = PQexecPrepared(db->conn, s->name, s->nparams, s->params, NULL, NULL, 0);
        timed(db, s->name, 1, t0);
        if (result_ok(out[0])) return 0;
        fail_with(db, out[0]);
        PQclear(out[0]);
        return -1;
    }
    struct pipeline_results pr;
    pipeline_send_and_read(db, n, s, end, &pr);
    timed(db, n ? s[0].name : with_guard ? db->guard.name : "BEGIN",
          n + with_begin + with_guard + (end != KEEP_OPEN), t0);
    /* A transaction committed by its pipeline is over whatever it answered, except
     * an explicit one whose COMMIT never ran: that one the caller rolls back. After a
     * failed statement the COMMIT comes back PIPELINE_ABORTED (not run), and the
     * server's transaction block is still open, aborted. */
    bool commit_ran = pr.commit && PQresultStatus(pr.commit) != PGRES_PIPELINE_ABORTED;
    if (end == COMMIT_IMPLICIT || (end == COMMIT_EXPLICIT && commit_ran)) db->in_tx = false;
    if (pipeline_verdict(db, n, &pr, with_begin && end != COMMIT_IMPLICIT, with_guard, end == COMMIT_EXPLICIT) != 0) {
        clear_results(&pr, n);
        return -1;
    }
    if (end == COMMIT_EXPLICIT && strcmp(PQcmdStatus(pr.commit), "ROLLBACK") == 0) {
        set_error(db, DB_ERR_ROLLED_BACK, "25P02", "COMMIT rolled back: a statement of the transaction had failed",
                  NULL);
        clear_results(&pr, n);
        return -1;
    }
    PQclear(pr.begin);
    PQclear(pr.guard);
    PQclear(pr.commit);
    memcpy(out, pr.stmt, (size_t)n * sizeof *out);
    return 0;
}

static int exec_batch(struct db *db, struct arena *a, int n, const struct db_stmt *s, bool commit,
                      struct dbres **out)
{
    if (n < 0 || n > DB_BATCH_MAX) abort(); /* a programming error, not a runtime one */
    for (int i = 0; i < n; i++) out[i] = NULL;
    clear_error(db);
    if (db->ended_by_last) { /* it would run outside the transaction, without its tenant */
        set_error(db, DB_ERR_INTERNAL, "25000", "a statement after the transaction's last (db_exec_last)", NULL);
        log_msg(LOG_ERROR, NULL, "sql %s: %s", n ? s[0].name : "", db->message);
        return -1;
    }
    if (tx_was_lost(db) || !db_ensure(db)) return -1;
    bool in_tx = db->in_tx, begin_pending = db->begin_pending, guard_pending = db->guard_pending;
    PGresult *r[DB_BATCH_MAX + 1];
    int rc = exec_once(db, n, s, commit, r);
    /* With COMMIT in the pipeline, a connection lost midway may have committed:
     * only a server that said it was ending the session ran none of it. */
    bool may_retry = !commit || strncmp(db->sqlstate, "57P", 3) == 0;
    if (rc != 0 && may_retry && reconnect_for_retry(db, in_tx, begin_pending, guard_pending)) {
        clear_error(db);
        rc = exec_once(db, n, s, commit, r);
    }
    if (commit && db->in_tx == false && in_tx) db->ended_by_last = true;
    if (rc != 0) {
        log_msg(LOG_WARN, NULL, "sql %s failed: %s %s", n ? s[0].name : "(guard)", db->sqlstate,
                db->message);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        out[i] = arena_alloc(a, sizeof *out[i]);
        out[i]->res = r[i];
        arena_on_reset(a, dbres_free, out[i]);
    }
    return 0;
}

int db_exec_batch(struct db *db, struct arena *a, int n, const struct db_stmt *s, struct dbres **out)
{
    return exec_batch(db, a, n, s, false, out);
}

int db_exec_last(struct db *db, struct arena *a, int n, const struct db_stmt *s, struct dbres **out)
{
    return exec_batch(db, a, n, s, true, out);
}

struct dbres *db_exec(struct db *db, struct arena *a, const char *name, const char *sql,
                      int nparams, const char *const *params)
{
    struct db_stmt s = { name, sql, nparams, params };
    struct dbres *out;
    return exec_batch(db, a, 1, &s, false, &out) == 0 ? out : NULL;
}

/* One attempt at plain SQL, after the deferred BEGIN if one is due; 0 or -1. */
static int exec_simple_once(struct db *db, const char *sql)
{
    if (db->begin_pending || db->guard_pending) {
        PGresult *none[1];
        if (exec_once(db, 0, NULL, false, none) != 0) return -1;
    }
    int64_t t0 = clock_mono_us();
    PGresult *r = PQexec(db->conn, sql);
    timed(db, sql, 1, t0);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail_with(db, r);
        rc = -1;
    }
    PQclear(r);
    return rc;
}

int db_exec_simple(struct db *db, const char *sql)
{
    clear_error(db);
    if (tx_was_lost(db) || !db_ensure(db)) return -1;
    bool in_tx = db->in_tx, begin_pending = db->begin_pending, guard_pending = db->guard_pending;
    if (exec_simple_once(db, sql) == 0) return 0;
    if (!reconnect_for_retry(db, in_tx, begin_pending, guard_pending)) return -1;
    clear_error(db);
    return exec_simple_once(db, sql);
}

int db_rows(const struct dbres *r) { return r ? PQntuples(r->res) : 0; }
int db_cols(const struct dbres *r) { return r ? PQnfields(r->res) : 0; }

str db_val(const struct dbres *r, int row, int col)
{
    if (!r || row >= PQntuples(r->res) || col >= PQnfields(r->res)) return STR("");
    return (str){ PQgetvalue(r->res, row, col), (size_t)PQgetlength(r->res, row, col) };
}

const char *db_cstr(const struct dbres *r, int row, int col)
{
    if (!r || row >= PQntuples(r->res) || col >= PQnfields(r->res)) return "";
    return PQgetvalue(r->res, row, col);
}

bool db_isnull(const struct dbres *r, int row, int col)
{
    return !r || row >= PQntuples(r->res) || PQgetisnull(r->res, row, col);
}

long db_long(const struct dbres *r, int row, int col)
{
    return strtol(db_cstr(r, row, col), NULL, 10);
}

bool db_bool(const struct dbres *r, int row, int col)
{
    return db_cstr(r, row, col)[0] == 't';
}

int db_col_index(const struct dbres *r, const char *name)
{
    return r ? PQfnumber(r->res, name) : -1;
}

int64_t db_affected(const struct dbres *r)
{
    return r ? strtoll(PQcmdTuples(r->res), NULL, 10) : 0;
}

int db_begin(struct db *db)
{
    db->tx_lost = false;
    db->guard_pending = false;
    db->ended_by_last = false;
    if (db_exec_simple(db, "BEGIN") != 0) return -1;
    db->in_tx = true;
    return 0;
}

void db_begin_deferred(struct db *db)
{
    db->tx_lost = false;
    db->in_tx = true;
    db->begin_pending = true;
    db->guard_pending = false;
    db->ended_by_last = false;
}

void db_set_guard(struct db *db, const struct db_stmt *guard)
{
    db->guard = *guard;
    db->guard_pending = true;
}

int db_begin_tenant(struct db *db, struct arena *a, const char *org_id, const char *user_id)
{
    if (db_begin(db) != 0) return -1;
    struct dbres *r = db_q(db, a, "db_set_tenant",
                           "SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)",
                           org_id ? org_id : "", user_id ? user_id : "");
    if (!r) {
        db_rollback(db);
        return -1;
    }
    return 0;
}

int db_commit(struct db *db)
{
    db->ended_by_last = false; /* the transaction is formally over: statements may run again */
    if (tx_was_lost(db)) {
        db->tx_lost = false;
        return -1;
    }
    if (!db->in_tx) return 0;
    if (db->guard_pending) { /* no statement ran, but what was answered relied on the guard */
        clear_error(db);
        PGresult *none[1];
        if (!db_ensure(db) || exec_once(db, 0, NULL, false, none) != 0) {
            db_rollback(db);
            return -1;
        }
    }
    if (db->begin_pending) { /* nothing was ever sent: nothing to commit */
        db->begin_pending = false;
        db->in_tx = false;
        return 0;
    }
    clear_error(db);
    db->in_tx = false; /* whatever COMMIT answers, the transaction is over */
    if (!db->conn) {
        set_error(db, DB_ERR_UNAVAILABLE, "08006", "connection lost during the transaction", NULL);
        return -1;
    }
    int64_t t0 = clock_mono_us();
    PGresult *r = PQexec(db->conn, "COMMIT");
    timed(db, "COMMIT", 1, t0);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fail_with(db, r);
        rc = -1;
    } else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
        /* PostgreSQL answers COMMIT of a transaction in which a statement failed
         * with success and the tag ROLLBACK: nothing was kept, so it is a failure
         * (a caller ignored that statement's error). */
        set_error(db, DB_ERR_ROLLED_BACK, "25P02", "COMMIT rolled back: a statement of the transaction had failed",
                  NULL);
        log_warn("%s", db->message);
        rc = -1;
    }
    PQclear(r);
    return rc;
}

void db_rollback(struct db *db)
{
    db->tx_lost = false;
    db->guard_pending = false;
    db->ended_by_last = false;
    if (!db->in_tx) return;
    db->in_tx = false;
    if (db->begin_pending) { /* BEGIN never went out */
        db->begin_pending = false;
        return;
    }
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) return;
    /* Keep the original error: a rollback is cleanup, not news. */
    enum db_error e = db->last_error;
    char state[6], msg[256], constraint[64];
    memcpy(state, db->sqlstate, sizeof state);
    memcpy(msg, db->message, sizeof msg);
    memcpy(constraint, db->constraint, sizeof constraint);
    PGresult *r = PQexec(db->conn, "ROLLBACK");
    PQclear(r);
    if (PQstatus(db->conn) != CONNECTION_OK) drop_connection(db);
    db->last_error = e;
    memcpy(db->sqlstate, state, sizeof state);
    memcpy(db->message, msg, sizeof msg);
    memcpy(db->constraint, constraint, sizeof constraint);
}

bool db_in_tx(const struct db *db) { return db->in_tx; }
enum db_error db_last_error(const struct db *db) { return db->last_error; }
const char *db_last_sqlstate(const struct db *db) { return db->sqlstate; }
const char *db_last_message(const struct db *db) { return db->message; }
const char *db_last_constraint(const struct db *db) { return db->constraint; }

int db_error_http_status(enum db_error e)
{
    switch (e) {
    case DB_OK: return 200;
    case DB_ERR_UNAVAILABLE: return 503;
    case DB_ERR_TIMEOUT: return 503;
    case DB_ERR_CONFLICT: return 409;
    case DB_ERR_INVALID: return 400;
    case DB_ERR_NOT_FOUND: return 404;
    case DB_ERR_RETRY: return 503;
    case DB_ERR_ROLLED_BACK: return 500;
    case DB_ERR_GUARD: return 503;
    case DB_ERR_INTERNAL: return 500;
    }
    return 500;
}

int64_t db_take_elapsed_us(struct db *db)
{
    int64_t t = db->elapsed_us;
    db->elapsed_us = 0;
    db->ntrips = db->dropped_trips = 0;
    return t;
}

int64_t db_elapsed_us(const struct db *db)
{
    return db->elapsed_us;
}

const struct db_trip *db_trips(const struct db *db, int *count, int *dropped)
{
    *count = db->ntrips;
    *dropped = db->dropped_trips;
    return db->trips;
}

void *db_pgconn(struct db *db)
{
    return db_ensure(db) ? db->conn : NULL;
}

/* Drains libpq's queue of notifications; true if there was any. */
static bool take_notifies(PGconn *conn)
{
    bool any = false;
    PGnotify *n;
    while ((n = PQnotifies(conn)) != NULL) {
        PQfreemem(n);
        any = true;
    }
    return any;
}

int db_wait_notify(struct db *db, int timeout_ms)
{
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) return -1;
    if (take_notifies(db->conn)) return 1;
    struct pollfd pfd = { .fd = PQsocket(db->conn), .events = POLLIN };
    int rc = poll(&pfd, 1, timeout_ms);
    if (rc <= 0) return 0; /* timeout, or EINTR: the caller re-checks its signals */
    if (!PQconsumeInput(db->conn)) {
        drop_connection(db);
        return -1;
    }
    return take_notifies(db->conn) ? 1 : 0;
}

int db_copy_begin(struct db *db, const char *sql)
{
    clear_error(db);
    if (tx_was_lost(db) || !db_ensure(db)) return -1;
    PGresult *r = PQexec(db->conn, sql);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        fail_with(db, r);
        rc = -1;
    }
    PQclear(r);
    return rc;
}

int db_copy_put(struct db *db, const char *data, size_t n)
{
    /* The connection is blocking, so 1 means queued or sent; never 0. */
    if (n > INT32_MAX || PQputCopyData(db->conn, data, (int)n) != 1) {
        fail_with(db, NULL);
        return -1;
    }
    return 0;
}

int db_copy_end(struct db *db)
{
    if (PQputCopyEnd(db->conn, NULL) != 1) {
        fail_with(db, NULL);
        return -1;
    }
    int rc = 0;
    PGresult *r;
    while ((r = PQgetResult(db->conn))) { /* the COPY's result, then NULL */
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
            fail_with(db, r);
            rc = -1;
        }
        PQclear(r);
    }
    return rc;
}

/* ---- COPY ... TO STDOUT, streamed ---- */

#define COPY_SETTING "app.copy_"

/* Skips a quoted literal or identifier starting at p (its opening quote); returns
 * the character after its closing quote, or NULL when it is not closed. */
static const char *skip_quoted(const char *p)
{
    char q = *p++;
    for (; *p; p++) {
        if (*p != q) continue;
        if (p[1] != q) return p + 1;
        p++; /* a doubled quote stands for itself */
    }
    return NULL;
}

const char *db_copy_sql(struct arena *a, const char *sql, int nparams, const char *const *params)
{
    struct buf out;
    buf_init(&out, a, strlen(sql) + 64);
    for (const char *p = sql; *p;) {
        if (*p == '\'' || *p == '"') {
            const char *end = skip_quoted(p);
            if (!end) return NULL;
            buf_append(&out, p, (size_t)(end - p));
            p = end;
            continue;
        }
        if (*p != '$') {
            buf_putc(&out, *p++);
            continue;
        }
        if (p[1] < '1' || p[1] > '9') return NULL; /* dollar quoting: not ours to parse */
        int n = 0;
        for (p++; *p >= '0' && *p <= '9' && n <= nparams; p++) n = n * 10 + (*p - '0');
        if (n > nparams) return NULL;
        if (params[n - 1]) buf_printf(&out, "current_setting('" COPY_SETTING "%d')", n);
        else buf_puts(&out, "NULL");
    }
    return buf_cstr(&out);
}

/* SELECT set_config('app.copy_<n>', $n, true) for n = 1..nparams: one parameterised
 * statement per count (NULL values are set as '' and never read: db_copy_sql wrote
 * NULL in their place). */
static int copy_set_params(struct db *db, struct arena *a, int nparams, const char *const *params)
{
    static char *names[DB_COPY_MAX_PARAMS + 1]; /* kept for the process: db.c keeps name pointers */
    if (nparams == 0) return 0;
    if (nparams > DB_COPY_MAX_PARAMS) {
        set_error(db, DB_ERR_INTERNAL, "54023", "too many COPY parameters", NULL);
        return -1;
    }
    struct buf sql;
    buf_init(&sql, a, 64 * (size_t)nparams);
    const char *values[DB_COPY_MAX_PARAMS];
    buf_puts(&sql, "SELECT ");
    for (int i = 0; i < nparams; i++) {
        values[i] = params[i] ? params[i] : "";
        buf_printf(&sql, "%sset_config('" COPY_SETTING "%d', $%d, true)", i ? ", " : "", i + 1, i + 1);
    }
    if (!names[nparams]) {
        char name[32];
        snprintf(name, sizeof name, "db_copy_params_%d", nparams);
        names[nparams] = strdup(name);
        if (!names[nparams]) abort();
    }
    return db_exec(db, a, names[nparams], buf_cstr(&sql), nparams, values) ? 0 : -1;
}

int db_copy_out_begin(struct db *db, struct arena *a, const char *sql, int nparams, const char *const *params)
{
    const char *text = db_copy_sql(a, sql, nparams, params);
    if (!text) {
        clear_error(db);
        set_error(db, DB_ERR_INTERNAL, "42601", "COPY text with a placeholder db_copy_sql cannot rewrite", NULL);
        return -1;
    }
    if (copy_set_params(db, a, nparams, params) != 0) return -1;
    clear_error(db);
    if (tx_was_lost(db) || !db_ensure(db)) return -1;
    if (db->begin_pending) { /* nothing set: the COPY is the transaction's first statement */
        db->begin_pending = false;
        if (exec_simple_once(db, "BEGIN") != 0) return -1;
    }
    int64_t t0 = clock_mono_us();
    PGresult *r = PQexec(db->conn, text);
    timed(db, "COPY", 1, t0);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COPY_OUT) {
        fail_with(db, r);
        rc = -1;
    }
    PQclear(r);
    return rc;
}

/* Reads the COPY's own result once its data has ended; 0 when it succeeded. */
static int copy_out_finish(struct db *db)
{
    int rc = 0;
    PGresult *r;
    while (db->conn && (r = PQgetResult(db->conn))) { /* the COPY's result, then NULL */
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
            fail_with(db, r);
            rc = -1;
        }
        PQclear(r);
    }
    return rc;
}

int db_copy_out_next(struct db *db, const char **data)
{
    if (db->copy_data) {
        PQfreemem(db->copy_data);
        db->copy_data = NULL;
    }
    if (!db->conn) return -1;
    /* Rows already received are taken without a clock reading; only a wait for more
     * is timed (two readings a row were a tenth of an export's worker time). */
    int n = PQgetCopyData(db->conn, &db->copy_data, 1);
    if (n == 0) {
        int64_t t0 = clock_mono_us();
        n = PQgetCopyData(db->conn, &db->copy_data, 0);
        db->elapsed_us += clock_mono_us() - t0; /* not traced: one wait per batch of rows */
    }
    if (n > 0) {
        *data = db->copy_data;
        return n;
    }
    if (n == -1) return copy_out_finish(db); /* the data ended: 0, or the error */
    fail_with(db, NULL);
    copy_out_finish(db);
    return -1;
}

void db_copy_out_cancel(struct db *db)
{
    if (!db->conn) return;
    /* Cancel rather than read the rest: a client that went away after the first rows
     * of a million must not keep the database and the worker busy with the others.
     * The cancel reaches the server before this returns, so what is drained below is
     * only what was already on its way. */
    PGcancel *c = PQgetCancel(db->conn);
    char err[256];
    if (c) {
        PQcancel(c, err, sizeof err);
        PQfreeCancel(c);
    }
    const char *data;
    while (db_copy_out_next(db, &data) > 0) continue;
}

int db_copy_binary_row(const char *data, size_t n, str *fields, int max)
{
    static const char signature[11] = "PGCOPY\n\377\r\n";
    const unsigned char *p = (const unsigned char *)data, *end = p + n;
    if (n >= 19 && memcmp(p, signature, sizeof signature) == 0) { /* the file header, before the first row */
        uint32_t ext = (uint32_t)p[15] << 24 | (uint32_t)p[16] << 16 | (uint32_t)p[17] << 8 | p[18];
        if (ext > n - 19) return -1;
        p += 19 + ext;
    }
    if (end - p < 2) return -1;
    int16_t count = (int16_t)(p[0] << 8 | p[1]);
    p += 2;
    if (count == -1) return 0; /* the trailer */
    if (count < 0 || count > max) return -1;
    for (int i = 0; i < count; i++) {
        if (end - p < 4) return -1;
        int32_t len = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
        p += 4;
        if (len == -1) {
            fields[i] = STR_NULL;
            continue;
        }
        if (len < 0 || len > end - p) return -1;
        fields[i] = str_make((const char *)p, (size_t)len);
        p += len;
    }
    return p == end ? count : -1;
}
