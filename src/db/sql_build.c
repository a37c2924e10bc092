/* sql_build.c — statements from fixed fragments and $n parameters. */
#include "sql_build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"

void sql_query_init(struct sql_query *q, struct arena *a)
{
    q->a = a;
    q->n = 0;
    buf_init(&q->sql, a, 2048);
}

int sql_param(struct sql_query *q, const char *value)
{
    if (q->n >= SQL_MAX_PARAMS) abort(); /* fragments are fixed: this is a programming error */
    q->params[q->n++] = value;
    return q->n;
}

const char *sql_num(struct arena *a, long long v)
{
    char s[24];
    snprintf(s, sizeof s, "%lld", v);
    return arena_strdup(a, s);
}

const char *sql_stmt_name(char **slot, const char *kind, const char *tag, unsigned mask)
{
    if (!*slot) {
        char name[64];
        snprintf(name, sizeof name, "%s_%s_%04x", kind, tag, mask);
        *slot = strdup(name);
        if (!*slot) abort();
    }
    return *slot;
}

/* Names of statements whose LIMIT is in their text, interned for the life of the
 * process (the database layer keeps name pointers). Bounded: when the table is
 * full, further limits travel as parameters instead. */
#define LIMIT_NAME_SLOTS 1024
struct limit_name {
    const char *kind, *tag; /* string literals, compared by address */
    unsigned mask;
    long limit;
    char *name;
};
static struct limit_name limit_names[LIMIT_NAME_SLOTS];
static int limit_names_used;

static const char *limit_name(const char *kind, const char *tag, unsigned mask, long limit)
{
    unsigned h = (unsigned)(((uintptr_t)kind >> 3) * 31u + ((uintptr_t)tag >> 3) * 17u + mask * 7u + (unsigned)limit);
    for (unsigned i = h & (LIMIT_NAME_SLOTS - 1);; i = (i + 1) & (LIMIT_NAME_SLOTS - 1)) {
        struct limit_name *e = &limit_names[i];
        if (!e->name) {
            if (limit_names_used >= LIMIT_NAME_SLOTS * 3 / 4) return NULL;
            char name[80];
            snprintf(name, sizeof name, "%s_%s_%04x_l%ld", kind, tag, mask, limit);
            *e = (struct limit_name){ kind, tag, mask, limit, strdup(name) };
            if (!e->name) abort();
            limit_names_used++;
            return e->name;
        }
        if (e->kind == kind && e->tag == tag && e->mask == mask && e->limit == limit) return e->name;
    }
}

const char *sql_limit_clause(struct sql_query *q, char **slot, const char *kind, const char *tag, unsigned mask,
                             long limit, const char **name)
{
    char clause[40];
    *name = limit_name(kind, tag, mask, limit);
    if (*name) {
        snprintf(clause, sizeof clause, " LIMIT %ld", limit);
    } else {
        snprintf(clause, sizeof clause, " LIMIT $%d", sql_param(q, sql_num(q->a, limit)));
        *name = sql_stmt_name(slot, kind, tag, mask);
    }
    return arena_strdup(q->a, clause);
}

const char *sql_limit(struct sql_query *q, char **slot, const char *kind, const char *tag, unsigned mask,
                      long limit)
{
    const char *name;
    buf_puts(&q->sql, sql_limit_clause(q, slot, kind, tag, mask, limit, &name));
    return name;
}
