/* sql_build.c — statements from fixed fragments and $n parameters. */
#include "sql_build.h"

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
