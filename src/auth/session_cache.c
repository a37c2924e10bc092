/* session_cache.c — see session_cache.h. A small direct-mapped table per worker
 * process (workers are single-threaded); sessions and API keys share it (their
 * hashes come from different spaces, and the recall checks the kind anyway). What it
 * holds is never trusted alone: every use is confirmed in the request's first round
 * trip by the auth epoch the lookup returned (sql/0055), which moves whenever any
 * remembered fact may have changed, so the table needs no invalidation messages. An
 * entry lasts as long as the lookup said (trust_ms): then the session is looked up
 * again, which touches it and notices its expiry. */
#include "session_cache.h"

#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/clock.h"
#include "session.h"

#define SLOTS 64 /* power of two */

enum {
    F_HASH, F_TOKEN_HASH, F_USER_ID, F_ORG_ID, F_ORG_SLUG, F_ORG_NAME, F_ORG_TZ, F_EMAIL, F_USER_NAME,
    F_API_KEY_ID, F_EPOCH, F_COUNT
};

struct entry {
    str field[F_COUNT]; /* views into block */
    char *block;        /* one allocation holding every field */
    enum role role;
    int64_t until_us; /* clock_mono_us: trusted until then */
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

void session_cache_put(str hash, const struct session *s, int trust_ms)
{
    const str in[F_COUNT] = { hash,         s->token_hash,  s->user_id, s->org_id,     s->org_slug,
                              s->org_name,  s->org_timezone, s->email,  s->user_name, s->api_key_id,
                              s->facts_epoch };
    size_t total = 0;
    for (int i = 0; i < F_COUNT; i++) total += in[i].len + 1;
    struct entry *e = &table[slot_of(hash)];
    entry_clear(e);
    if (trust_ms <= 0 || !s->facts_epoch.len) return;
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
    e->until_us = clock_mono_us() + (int64_t)trust_ms * 1000;
}

struct session *session_cache_get(struct arena *a, str hash)
{
    struct entry *e = &table[slot_of(hash)];
    if (!e->block || !str_eq(e->field[F_HASH], hash)) return NULL;
    if (clock_mono_us() >= e->until_us) {
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
    s->facts_epoch = str_dup(a, e->field[F_EPOCH]);
    s->role = e->role;
    return s;
}

void session_cache_drop(str hash)
{
    struct entry *e = &table[slot_of(hash)];
    if (e->block && str_eq(e->field[F_HASH], hash)) entry_clear(e);
}
