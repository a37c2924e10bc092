/* session_cache.c — see session_cache.h. A small direct-mapped table per worker
 * process (workers are single-threaded); sessions and API keys share it (their
 * hashes come from different spaces, and the guard checks the kind anyway). What it holds is never trusted alone:
 * every use is confirmed by sb_session_resume in the request's first round trip,
 * so the table needs no invalidation messages; the age limit only bounds how long
 * an entry that nobody uses keeps its memory. */
#include "session_cache.h"

#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/clock.h"
#include "session.h"

#define SLOTS 64                    /* power of two */
#define MAX_AGE_US (60 * 1000000LL) /* then it is looked up afresh */

enum {
    F_HASH, F_TOKEN_HASH, F_USER_ID, F_ORG_ID, F_ORG_SLUG, F_ORG_NAME, F_ORG_TZ, F_EMAIL, F_USER_NAME,
    F_API_KEY_ID, F_COUNT
};

struct entry {
    str field[F_COUNT]; /* views into block */
    char *block;        /* one allocation holding every field */
    enum role role;
    int64_t at_us;
};

static struct entry table[SLOTS];

static unsigned slot_of(str hash)
{
    unsigned h = 2166136261u; /* FNV-1a over the hex digest */
    for (size_t i = 0; i < hash.len; i++) h = (h ^ (unsigned char)hash.ptr[i]) * 16777619u;
    return h & (SLOTS - 1);
}

static void entry_clear(struct entry *e)
{
    free(e->block);
    memset(e, 0, sizeof *e);
}

void session_cache_put(str hash, const struct session *s)
{
    const str in[F_COUNT] = { hash,         s->token_hash,  s->user_id, s->org_id,     s->org_slug,
                              s->org_name,  s->org_timezone, s->email,  s->user_name, s->api_key_id };
    size_t total = 0;
    for (int i = 0; i < F_COUNT; i++) total += in[i].len + 1;
    struct entry *e = &table[slot_of(hash)];
    entry_clear(e);
    e->block = malloc(total);
    if (!e->block) return; /* nothing remembered: the next request looks it up */
    char *p = e->block;
    for (int i = 0; i < F_COUNT; i++) {
        memcpy(p, in[i].ptr, in[i].len);
        p[in[i].len] = '\0';
        e->field[i] = str_make(p, in[i].len);
        p += in[i].len + 1;
    }
    e->role = s->role;
    e->at_us = clock_mono_us();
}

struct session *session_cache_get(struct arena *a, str hash)
{
    struct entry *e = &table[slot_of(hash)];
    if (!e->block || !str_eq(e->field[F_HASH], hash)) return NULL;
    if (clock_mono_us() - e->at_us > MAX_AGE_US) {
        entry_clear(e);
        return NULL;
    }
    struct session *s = arena_calloc(a, 1, sizeof *s);
    s->recall_hash = str_dup(a, e->field[F_HASH]);
    s->token_hash = str_dup(a, e->field[F_TOKEN_HASH]);
    s->user_id = str_dup(a, e->field[F_USER_ID]);
    s->org_id = str_dup(a, e->field[F_ORG_ID]);
    s->org_slug = str_dup(a, e->field[F_ORG_SLUG]);
    s->org_name = str_dup(a, e->field[F_ORG_NAME]);
    s->org_timezone = str_dup(a, e->field[F_ORG_TZ]);
    s->email = str_dup(a, e->field[F_EMAIL]);
    s->user_name = str_dup(a, e->field[F_USER_NAME]);
    s->api_key_id = str_dup(a, e->field[F_API_KEY_ID]);
    s->role = e->role;
    return s;
}

void session_cache_drop(str hash)
{
    struct entry *e = &table[slot_of(hash)];
    if (e->block && str_eq(e->field[F_HASH], hash)) entry_clear(e);
}
