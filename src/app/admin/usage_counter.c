/* usage_counter.c — per-worker request counters, flushed to usage_daily in batches. */
#include "usage_counter.h"

#include <string.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/clock.h"
#include "../../core/log.h"
#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../../http/request.h"

/* Enough for the users and keys one worker sees in a few seconds; a full table
 * flushes at once, so more only means more statements. */
#define USAGE_SLOTS 128

struct usage_slot {
    char org_id[37], subject[37]; /* subject: the user's or the API key's id */
    int64_t day;
    bool api_call;
    uint64_t count;
};

static struct usage_slot slots[USAGE_SLOTS];
static int used;
static int64_t first_pending_us; /* when the oldest unflushed count came; 0: none */

static bool copy_id(char out[37], str id)
{
    if (id.len != 36) return false;
    memcpy(out, id.ptr, 36);
    out[36] = '\0';
    return true;
}

static struct usage_slot *slot_for(const char *org, const char *subject, int64_t day, bool api_call)
{
    for (int i = 0; i < used; i++) {
        struct usage_slot *s = &slots[i];
        if (s->day == day && s->api_call == api_call && strcmp(s->subject, subject) == 0 &&
            strcmp(s->org_id, org) == 0)
            return s;
    }
    if (used == USAGE_SLOTS) return NULL;
    struct usage_slot *s = &slots[used++];
    memcpy(s->org_id, org, 37);
    memcpy(s->subject, subject, 37);
    s->day = day;
    s->api_call = api_call;
    s->count = 0;
    return s;
}

void usage_count(const struct request *r)
{
    const struct session *s = r->session;
    if (!s) return;
    char org[37], subject[37];
    bool api_call = r->via_api_key;
    if (!copy_id(org, s->org_id) || !copy_id(subject, api_call ? s->api_key_id : s->user_id)) return;
    int64_t day = civil_day_of(clock_wall_us() / 1000000, 0);
    struct usage_slot *slot = slot_for(org, subject, day, api_call);
    if (!slot) return; /* full: the caller flushes before the next request */
    slot->count++;
    if (!first_pending_us) first_pending_us = clock_mono_us();
}

/* [{"org_id":..,"day":..,"kind":..,"user_id"|"api_key_id":..,"count":..}, ...] */
static void batch_json(struct buf *b)
{
    buf_putc(b, '[');
    for (int i = 0; i < used; i++) {
        const struct usage_slot *s = &slots[i];
        buf_printf(b, "%s{\"org_id\":\"%s\",\"day\":\"", i ? "," : "", s->org_id);
        civil_format_date(b, s->day);
        buf_printf(b, "\",\"kind\":\"%s\",\"%s\":\"%s\",\"count\":%llu}", s->api_call ? "api_call" : "request",
                   s->api_call ? "api_key_id" : "user_id", s->subject, (unsigned long long)s->count);
    }
    buf_putc(b, ']');
}

void usage_flush(struct db *db)
{
    if (!used) return;
    struct arena a;
    arena_init(&a, 16384);
    struct buf b;
    buf_init(&b, &a, (size_t)used * 160 + 8);
    batch_json(&b);
    /* Outside any request's transaction: one statement, committed on its own. */
    if (db_q(db, &a, "usage_add", "SELECT sb_usage_add($1::jsonb)", buf_cstr(&b))) {
        used = 0;
        first_pending_us = 0;
    } else {
        log_warn("usage: %d counter(s) not flushed yet: %s", used, db_last_message(db));
        first_pending_us = clock_mono_us(); /* try again after another interval */
    }
    arena_destroy(&a);
}

int usage_flush_wait_ms(int64_t now_us)
{
    if (!first_pending_us) return -1;
    int64_t left = first_pending_us + (int64_t)USAGE_FLUSH_INTERVAL_MS * 1000 - now_us;
    return left <= 0 ? 0 : (int)(left / 1000) + 1;
}

void usage_flush_if_due(struct db *db, int64_t now_us)
{
    if (used == USAGE_SLOTS || (used && usage_flush_wait_ms(now_us) == 0)) usage_flush(db);
}
