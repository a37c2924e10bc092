/* sql_build.h — building a statement from fixed SQL fragments and $n parameters, for
 * list queries whose WHERE depends on the filters given (calls_sql.c, deals_sql.c). */
#ifndef SB_SQL_BUILD_H
#define SB_SQL_BUILD_H
#include "../core/buf.h"
struct arena;

#define SQL_MAX_PARAMS 48
/* SQL text of a timestamptz as ISO-8601 UTC ("2025-03-10T14:30:00Z"), NULL kept. */
#define SQL_ISO_UTC(x) "to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

struct sql_query {
    struct buf sql;
    const char *params[SQL_MAX_PARAMS];
    int n;
    struct arena *a;
};

/* Starts an empty statement whose text and values live in a. */
void sql_query_init(struct sql_query *q, struct arena *a);
/* Adds a parameter (NULL is SQL NULL) and returns its number, for "$%d". */
int sql_param(struct sql_query *q, const char *value);
/* A number as a parameter value, in a. */
const char *sql_num(struct arena *a, long long v);
/* The stable name of the statement kind_tag_mask, made once in *slot and kept for
 * the life of the process (the database layer keeps name pointers). */
const char *sql_stmt_name(char **slot, const char *kind, const char *tag, unsigned mask);
/* Ends the statement with " LIMIT limit" and returns its name. The limit (a number
 * the caller has validated) is written into the text, not passed as a parameter:
 * with LIMIT $n a generic plan has to guess how many rows are wanted, costs out far
 * above the custom one, and PostgreSQL then plans the statement on every execution.
 * Each limit is its own statement; past a bound of distinct ones the limit goes as
 * a parameter and the name is that of slot, as sql_stmt_name makes it. */
const char *sql_limit(struct sql_query *q, char **slot, const char *kind, const char *tag, unsigned mask,
                      long limit);
/* Like sql_limit, but returns the clause (" LIMIT 51" or " LIMIT $7", in q's arena)
 * instead of appending it, for a statement that repeats it; *name gets the name. */
const char *sql_limit_clause(struct sql_query *q, char **slot, const char *kind, const char *tag, unsigned mask,
                             long limit, const char **name);
#endif
