/* search_plans.c — see search_plans.h. A small table searched in full: 64 entries
 * cost less to scan than the statement they save. */
#include "search_plans.h"

#include <stdlib.h>
#include <string.h>

#define SLOTS 64

struct choice {
    char *key; /* malloc'd; NULL when the slot is free */
    size_t len;
    int choice;
    int64_t detail;
    int64_t at_us;
};

static struct choice table[SLOTS];

static struct choice *find(str key)
{
    for (int i = 0; i < SLOTS; i++)
        if (table[i].key && table[i].len == key.len && memcmp(table[i].key, key.ptr, key.len) == 0) return &table[i];
    return NULL;
}

int search_plans_get(str key, int64_t now_us, int64_t *detail)
{
    const struct choice *c = find(key);
    *detail = 0;
    if (!c || now_us - c->at_us > SEARCH_PLANS_KEEP_US || now_us < c->at_us) return -1;
    *detail = c->detail;
    return c->choice;
}

void search_plans_forget(str key)
{
    struct choice *c = find(key);
    if (!c) return;
    free(c->key);
    *c = (struct choice){ 0 };
}

void search_plans_put(str key, int choice, int64_t detail, int64_t now_us)
{
    struct choice *c = find(key);
    if (!c) {
        c = &table[0];
        for (int i = 0; i < SLOTS && c->key; i++)
            if (!table[i].key || table[i].at_us < c->at_us) c = &table[i];
        char *copy = malloc(key.len ? key.len : 1);
        if (!copy) return; /* not remembering only costs the next search a statement */
        memcpy(copy, key.ptr, key.len);
        free(c->key);
        *c = (struct choice){ .key = copy, .len = key.len };
    }
    c->choice = choice;
    c->detail = detail;
    c->at_us = now_us;
}
