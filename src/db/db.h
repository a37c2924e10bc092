/* db.h — the only user of libpq: one persistent connection per worker, parameters
 * only, named prepared statements, one transaction per request, SQLSTATE → HTTP. */
#ifndef SB_DB_H
#define SB_DB_H
#include <stdbool.h>
#include <stdint.h>
#include "../core/str.h"
struct arena;

struct db;
struct dbres; /* a result; released with the arena it was made in */

/* HTTP-meaningful classification of the last error. */
enum db_error {
    DB_OK = 0,
    DB_ERR_UNAVAILABLE,   /* connection lost / cannot connect → 503 */
    DB_ERR_CONFLICT,      /* unique violation 23505 → 409 */
    DB_ERR_INVALID,       /* check / not-null / fk / bad text repr (22xxx, 23xxx) → 400 */
    DB_ERR_RETRY,         /* serialization failure 40001 / deadlock 40P01 → retry once */
    DB_ERR_TIMEOUT,       /* statement timeout 57014 → 503 */
    DB_ERR_NOT_FOUND,     /* no row where one was required (set by callers) */
    DB_ERR_ROLLED_BACK,   /* COMMIT found the transaction aborted by an earlier failed statement → 500 */
    DB_ERR_GUARD,         /* the transaction's guard (db_set_guard) refused: the caller retries → 503 */
    DB_ERR_INTERNAL,      /* anything else → 500 */
};

/* Opens (or prepares to open) a connection; never fails here: a down database is
 * reported by the first query as DB_ERR_UNAVAILABLE. statement_timeout_ms applies
 * to every statement. */
struct db *db_open(const char *conninfo, int statement_timeout_ms);
void db_close(struct db *db);
/* Closes the connection and opens a new one (between transactions only). libpq keeps
 * its buffers as large as the largest message the connection carried (a contacts
 * import's file, sent and read back whole): a new connection gives them back. */
void db_reconnect(struct db *db);
/* Reconnects if the connection is bad; true if usable. Connection attempts are at
 * least 50 ms apart: a call inside that interval waits out its rest, then tries. */
bool db_ensure(struct db *db);

/* A statement by a stable name (prepared once per connection) with its parameters. */
struct db_stmt {
    const char *name;
    const char *sql;
    int nparams;
    const char *const *params;
};
#define DB_BATCH_MAX 8

/* Runs a statement by a stable name (prepared once per connection, re-prepared
 * after a reconnect). params may contain NULL for SQL NULL. Returns a result
 * (possibly with zero rows) or NULL on error (see db_last_error). A statement
 * whose connection turns out lost is run once more on a new connection when it
 * cannot have changed anything (the first of its transaction, or alone and ended
 * by the server); a transaction lost midway fails with DB_ERR_UNAVAILABLE. */
struct dbres *db_exec(struct db *db, struct arena *a, const char *name, const char *sql,
                      int nparams, const char *const *params);
/* Runs n (≤ DB_BATCH_MAX) independent statements in one round trip (pipeline mode),
 * in order, in the current transaction; fills out[0..n-1]. Returns 0, or -1 with
 * the error of the first that failed (those after it did not run; out[] is all NULL).
 * The same retry on a lost connection as db_exec. */
int db_exec_batch(struct db *db, struct arena *a, int n, const struct db_stmt *s, struct dbres **out);
/* Like db_exec_batch, for the transaction's last statements: COMMIT goes in the same
 * round trip (with nothing sent yet, the whole transaction is one pipeline: the
 * guard, the statements and the Sync that commits them, without BEGIN). Afterwards
 * the transaction is over (db_commit has nothing left to do). A connection lost
 * midway is not retried (the commit may have happened). */
int db_exec_last(struct db *db, struct arena *a, int n, const struct db_stmt *s, struct dbres **out);
/* Runs plain SQL without parameters or preparation (BEGIN, COMMIT, DDL). */
int db_exec_simple(struct db *db, const char *sql);
/* Convenience: variadic const char* params. */
#define DB_PARAMS(...) ((const char *const[]){ __VA_ARGS__ })
#define DB_NPARAMS(...) ((int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)))
#define db_q(db, a, name, sql, ...) \
    db_exec((db), (a), (name), (sql), DB_NPARAMS(__VA_ARGS__), DB_PARAMS(__VA_ARGS__))
#define db_q0(db, a, name, sql) db_exec((db), (a), (name), (sql), 0, NULL)

int db_rows(const struct dbres *r);
int db_cols(const struct dbres *r);
/* Value as a view into the result (valid until the arena is reset); "" for NULL. */
str db_val(const struct dbres *r, int row, int col);
const char *db_cstr(const struct dbres *r, int row, int col);
bool db_isnull(const struct dbres *r, int row, int col);
long db_long(const struct dbres *r, int row, int col);
bool db_bool(const struct dbres *r, int row, int col); /* 't' */
int db_col_index(const struct dbres *r, const char *name);
int64_t db_affected(const struct dbres *r);

/* Transactions. db_begin_tenant starts a transaction and sets app.org_id and
 * app.user_id (either may be NULL → empty). Returns 0 or -1. */
int db_begin(struct db *db);
/* Opens a transaction without a round trip of its own: BEGIN is sent together with
 * the first statement (pipeline mode); a transaction with no statement sends
 * nothing at all. Errors (a database that is down) surface at that statement. */
void db_begin_deferred(struct db *db);
/* Gives the deferred transaction a guard: a statement answering one row whose first
 * column is true, sent right after BEGIN in the same round trip as the first
 * statement (or at COMMIT when there is none). If it answers anything else or
 * fails, that statement (or COMMIT) fails with DB_ERR_GUARD. It lets a caller act on
 * facts it remembers while the database confirms them in the same round trip. A
 * guard must raise, not answer false, when the facts do not hold: only an error
 * stops the statements already sent in its pipeline, and db_exec_last commits them
 * in that round trip. The statement and its parameters must outlive the
 * transaction. */
void db_set_guard(struct db *db, const struct db_stmt *guard);
int db_begin_tenant(struct db *db, struct arena *a, const char *org_id, const char *user_id);
/* Commits; 0 only when the transaction's work was kept. -1 when the connection was
 * lost, COMMIT failed, or a statement had failed earlier (DB_ERR_ROLLED_BACK: the
 * server rolled the transaction back). The transaction is over in every case. */
int db_commit(struct db *db);
void db_rollback(struct db *db);
bool db_in_tx(const struct db *db);

enum db_error db_last_error(const struct db *db);
const char *db_last_sqlstate(const struct db *db);  /* "" if none */
const char *db_last_message(const struct db *db);   /* for logs; never contains params */
/* The column/constraint the last error named, if any (for field messages). */
const char *db_last_constraint(const struct db *db);
/* HTTP status for an error class (503, 409, 400, 500...). */
int db_error_http_status(enum db_error e);
/* Microseconds spent waiting on the database since the last call (for logs); also
 * starts a new trace of round trips. */
int64_t db_take_elapsed_us(struct db *db);
/* The same, without starting anew. */
int64_t db_elapsed_us(const struct db *db);

/* One round trip of a request: its first statement's name (a prepared statement's,
 * or the start of plain SQL), how many statements it carried (BEGIN and COMMIT
 * included), and how long it took. The slow-request log prints them. */
struct db_trip {
    char name[48];
    int statements;
    int64_t us;
};
#define DB_TRIPS_MAX 32
/* The round trips since the last db_take_elapsed_us: *count of them (at most
 * DB_TRIPS_MAX), and *dropped beyond that. */
const struct db_trip *db_trips(const struct db *db, int *count, int *dropped);
/* Waits up to timeout_ms for a NOTIFY on a channel this connection LISTENs to
 * (LISTEN itself with db_exec_simple). Returns 1 when one arrived (all pending
 * notifications are consumed), 0 on timeout or a signal, -1 when the connection is bad. */
int db_wait_notify(struct db *db, int timeout_ms);
/* Low-level escape hatch for COPY and LISTEN in tools (seed, worker); returns PGconn*. */
void *db_pgconn(struct db *db);

/* COPY ... FROM STDIN in text format, for bulk loads (seed). db_copy_begin sends the
 * statement (inside the caller's transaction) and returns 0 when the server waits for
 * data, else -1 with the error set. */
int db_copy_begin(struct db *db, const char *sql);
/* Sends n bytes of COPY data (any split of the rows); 0 or -1 (connection lost). */
int db_copy_put(struct db *db, const char *data, size_t n);
/* Ends the COPY; returns 0 when the server accepted every row, else -1 with the
 * error (e.g. a failed check) set. After -1 the transaction must be rolled back. */
int db_copy_end(struct db *db);

/* COPY (SELECT ...) TO STDOUT, streamed (exports). COPY takes no parameters, so sql's
 * $1..$n (outside quoted text) are carried by transaction-local settings: one
 * parameterised statement sets app.copy_<n> to each value, and the COPY reads
 * current_setting('app.copy_<n>') where $n was (NULL where the value is NULL). No value
 * ever enters the SQL text. Runs in the caller's transaction, whose settings these
 * become. Returns 0 when rows follow, else -1 with the error set. */
#define DB_COPY_MAX_PARAMS 32
int db_copy_out_begin(struct db *db, struct arena *a, const char *sql, int nparams, const char *const *params);
/* The next message of the COPY (one row; in binary format the first also carries the
 * file header, and the last is the trailer): its length, *data valid until the next
 * call; 0 when the COPY ended and succeeded; -1 with the error set. */
int db_copy_out_next(struct db *db, const char **data);
/* Abandons a COPY midway: cancels the statement and reads what was already sent. The
 * transaction is then failed; roll back to a savepoint taken before the COPY. */
void db_copy_out_cancel(struct db *db);
/* sql with each $n rewritten as db_copy_out_begin sends it, in a; NULL when a $
 * cannot be rewritten (dollar quoting, a number beyond nparams, unclosed quotes). */
const char *db_copy_sql(struct arena *a, const char *sql, int nparams, const char *const *params);
/* Splits one message of COPY ... (FORMAT binary) into at most max fields (a NULL one
 * is STR_NULL, ptr NULL), skipping the file header where it comes first. Returns the
 * field count, 0 for the trailer, -1 when the message is not in that shape. */
int db_copy_binary_row(const char *data, size_t n, str *fields, int max);
#endif
