/* cli_seed.c — `switchboard seed --demo`: the demo org and its users, and with --calls
 * or --contacts its generated contacts and calls, with --deals its generated deals
 * (seed_deals.c) (COPY, one transaction), idempotent. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../auth/password.h"
#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"
#include "../db/db.h"
#include "../domain/civil_date.h"
#include "cli.h"
#include "seed_deals.h"
#include "seed_gen.h"

#define DEFAULT_CONTACTS 200
#define MAX_CONTACTS 2000000L   /* kept in memory while the calls refer to them */
#define MAX_CALLS 100000000L
#define CALL_DAYS 90
#define REAL_RECORDINGS 20      /* the newest stored recordings get their own audio file */
#define COPY_BATCH (256 * 1024) /* bytes of rows sent per COPY message */
#define PROGRESS_EVERY 100000

/* Independent PRNG streams, so changing one part of the data leaves the rest alone. */
enum { STREAM_CONTACTS = 1, STREAM_CALLS = 2, STREAM_AUDIO = 3 };

struct seed_opts {
    bool demo, password_stdin;
    long calls, deals, contacts, seed; /* -1: not given */
    time_t at;                         /* the data is placed before this minute */
};

static const struct demo_user {
    const char *email, *name, *role;
} demo_users[] = {
    { "admin@demo.test", "Ada Admin", "admin" },
    { "manager@demo.test", "Max Manager", "manager" },
    { "agent@demo.test", "Alex Agent", "agent" },
    { "viewer@demo.test", "Vic Viewer", "viewer" },
};

static int parse_count(const char *opt, const char *text, long max, long *out)
{
    if (!str_to_long(str_from(text), out) || *out < 0 || *out > max)
        return cli_usage_error("seed", "%s must be a whole number from 0 to %ld, got '%s'", opt, max, text);
    return EXIT_OK;
}

static bool two_digits(const char *p, int *out)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return false;
    *out = (p[0] - '0') * 10 + p[1] - '0';
    return true;
}

/* "YYYY-MM-DDTHH:MMZ" or "YYYY-MM-DDTHH:MM:SSZ" in UTC, kept to the minute like the
 * default. */
static int parse_at(const char *text, time_t *out)
{
    int64_t day;
    int h, m, sec = 0;
    size_t n = strlen(text);
    bool ok = (n == 17 || (n == 20 && text[16] == ':' && two_digits(text + 17, &sec) && sec < 60)) &&
              text[10] == 'T' && text[13] == ':' && text[n - 1] == 'Z' &&
              civil_parse_date(str_make(text, 10), &day) && two_digits(text + 11, &h) && h < 24 &&
              two_digits(text + 14, &m) && m < 60;
    if (!ok) return cli_usage_error("seed", "--at must be a UTC time like 2026-12-01T14:30Z, got '%s'", text);
    *out = (time_t)(day * CIVIL_DAY_S + h * 3600 + m * 60);
    return EXIT_OK;
}

static int parse_opts(int argc, char **argv, struct seed_opts *o)
{
    static const struct option longopts[] = {
        { "demo", no_argument, NULL, 'd' },       { "admin-password-stdin", no_argument, NULL, 'p' },
        { "calls", required_argument, NULL, 'c' }, { "deals", required_argument, NULL, 'D' },
        { "contacts", required_argument, NULL, 'C' }, { "seed", required_argument, NULL, 's' },
        { "at", required_argument, NULL, 'a' },       { NULL, 0, NULL, 0 },
    };
    optind = 1;
    opterr = 0;
    int c, rc = EXIT_OK;
    while (rc == EXIT_OK && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o->demo = true; break;
        case 'p': o->password_stdin = true; break;
        case 'c': rc = parse_count("--calls", optarg, MAX_CALLS, &o->calls); break;
        case 'D': rc = parse_count("--deals", optarg, SEED_DEALS_MAX, &o->deals); break;
        case 'C': rc = parse_count("--contacts", optarg, MAX_CONTACTS, &o->contacts); break;
        case 's': rc = parse_count("--seed", optarg, INT64_MAX, &o->seed); break;
        case 'a': rc = parse_at(optarg, &o->at); break;
        default: return cli_usage_error("seed", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (rc != EXIT_OK) return rc;
    if (optind < argc) return cli_usage_error("seed", "unexpected argument '%s'", argv[optind]);
    if (!o->demo) return cli_usage_error("seed", "only --demo data can be seeded");
    return EXIT_OK;
}

static const char *demo_org(struct db *db, struct arena *a)
{
    struct dbres *r = db_q0(db, a, "seed_org",
                            "INSERT INTO orgs (slug, name, timezone, currency)"
                            " VALUES ('demo', 'Demo Company', 'America/New_York', 'USD')"
                            " ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id");
    return r ? db_cstr(r, 0, 0) : NULL;
}

/* Creates missing demo users; sets every demo user's password when hash is given
 * (an explicit password), else only new users get the generated one. Returns the
 * number of users created, or -1. */
static int demo_users_upsert(struct db *db, struct arena *a, const char *org_id, const char *hash,
                             bool overwrite)
{
    int created = 0;
    for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
        const struct demo_user *u = &demo_users[i];
        struct dbres *r = db_q(db, a, "seed_user",
                               "INSERT INTO users (org_id, email, name, role, password_hash)"
                               " VALUES ($1, $2, $3, $4, $5)"
                               " ON CONFLICT (lower(email)) DO UPDATE SET password_hash ="
                               " CASE WHEN $6 THEN EXCLUDED.password_hash ELSE users.password_hash END"
                               " RETURNING (xmax = 0)",
                               org_id, u->email, u->name, u->role, hash, overwrite ? "true" : "false");
        if (!r) return -1;
        if (db_bool(r, 0, 0)) created++;
    }
    return created;
}

/* ---- generated data ------------------------------------------------------------------ */

/* One load: where rows go and what the calls need. */
struct loader {
    struct db *db;
    struct arena *a;
    const struct config *cfg;
    const char *org_id;
    uint64_t seed;
    time_t anchor;
    struct buf rows; /* reused for every batch: memory stays flat however many rows */
    struct sg_contact *contacts;
    uint64_t ncontacts;
    /* Recordings written so far; later stored calls share these files. */
    char *sample_path[REAL_RECORDINGS];
    long sample_bytes[REAL_RECORDINGS];
    int nsamples;
    uint64_t stored;
    struct sg_rng audio;
    struct dbres *old_recordings; /* paths the replaced calls had, removed after COPY */
};

static int flush_rows(struct loader *l, bool force)
{
    if (!force && l->rows.len < COPY_BATCH) return 0;
    int rc = l->rows.len ? db_copy_put(l->db, l->rows.data, l->rows.len) : 0;
    buf_clear(&l->rows);
    return rc;
}

/* Removes the demo org's calls and contacts (calls first: they refer to contacts),
 * remembering their recordings' files. */
static int delete_generated(struct loader *l)
{
    l->old_recordings = db_q(l->db, l->a, "seed_old_recordings",
                             "SELECT DISTINCT recording_path FROM calls WHERE org_id = $1"
                             " AND recording_status = 'stored' AND recording_path IS NOT NULL",
                             l->org_id);
    return l->old_recordings &&
                   db_q(l->db, l->a, "seed_delete_calls", "DELETE FROM calls WHERE org_id = $1", l->org_id) &&
                   db_q(l->db, l->a, "seed_delete_contacts", "DELETE FROM contacts WHERE org_id = $1", l->org_id)
               ? 0
               : -1;
}

static int load_contacts(struct loader *l, uint64_t n)
{
    struct sg_rng rng;
    sg_seed(&rng, l->seed, STREAM_CONTACTS);
    l->contacts = n ? arena_alloc(l->a, n * sizeof *l->contacts) : NULL;
    l->ncontacts = n;
    if (db_copy_begin(l->db, "COPY contacts (id, org_id, name, phone, email, company, created_at, updated_at)"
                             " FROM STDIN") != 0)
        return -1;
    int rc = 0;
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        sg_contact_row(&rng, l->seed, i, l->org_id, l->anchor, &l->contacts[i], &l->rows);
        rc = flush_rows(l, false);
    }
    if (rc == 0) rc = flush_rows(l, true);
    return db_copy_end(l->db) == 0 ? rc : -1;
}

static bool ensure_dir(const char *path) { return mkdir(path, 0755) == 0 || errno == EEXIST; }

/* Writes `<recordings_dir>/<rel_path>` (rel_path is `<org_id>/<call_id>.wav`); returns
 * its size, or -1 with a message printed. */
static long write_recording(struct loader *l, const char *rel_path)
{
    struct buf dir, path, wav;
    buf_init(&dir, l->a, 256);
    buf_puts(&dir, l->cfg->recordings_dir);
    buf_putc(&dir, '/');
    buf_puts(&dir, l->org_id);
    buf_init(&path, l->a, 256);
    buf_puts(&path, l->cfg->recordings_dir);
    buf_putc(&path, '/');
    buf_puts(&path, rel_path);
    bool ok = ensure_dir(l->cfg->recordings_dir) && ensure_dir(buf_cstr(&dir));
    buf_init(&wav, l->a, 96 * 1024);
    sg_wav(&l->audio, &wav);
    FILE *f = ok ? fopen(buf_cstr(&path), "wb") : NULL;
    ok = f && fwrite(wav.data, 1, wav.len, f) == wav.len;
    if (f && fclose(f) != 0) ok = false;
    if (ok) return (long)wav.len;
    fprintf(stderr, "switchboard seed: cannot write recording %s: %s\n", buf_cstr(&path), strerror(errno));
    return -1;
}

/* The recording columns of a call that wants one: the first REAL_RECORDINGS get
 * their own file; the rest reuse those files, so every stored recording plays. */
static int put_recording(struct loader *l, const struct sg_call_info *info)
{
    if (!info->wants_recording) {
        sg_call_row_recording(&l->rows, NULL, 0);
        return 0;
    }
    int k = (int)(l->stored++ % REAL_RECORDINGS);
    if (l->nsamples < REAL_RECORDINGS) {
        struct buf rel;
        buf_init(&rel, l->a, 96);
        buf_puts(&rel, l->org_id);
        buf_putc(&rel, '/');
        buf_puts(&rel, info->id);
        buf_puts(&rel, ".wav");
        l->sample_path[k] = (char *)buf_cstr(&rel);
        if ((l->sample_bytes[k] = write_recording(l, l->sample_path[k])) < 0) return -1;
        l->nsamples++;
    }
    sg_call_row_recording(&l->rows, l->sample_path[k], l->sample_bytes[k]);
    return 0;
}

/* Calls newest day first, so the first stored recordings (the real files) are the
 * newest ones. */
static int load_calls(struct loader *l, uint64_t n)
{
    struct sg_rng rng;
    sg_seed(&rng, l->seed, STREAM_CALLS);
    sg_seed(&l->audio, l->seed, STREAM_AUDIO);
    struct sg_timeline tl;
    sg_timeline_init(&tl, l->anchor, CALL_DAYS, n);
    struct sg_call_ctx ctx = { l->org_id, l->anchor, l->contacts, l->ncontacts };
    struct buf sql;
    buf_init(&sql, l->a, 512);
    buf_puts(&sql, "COPY calls (");
    buf_puts(&sql, sg_call_columns);
    buf_puts(&sql, ") FROM STDIN");
    if (db_copy_begin(l->db, buf_cstr(&sql)) != 0) return -1;
    uint64_t done = 0;
    int rc = 0;
    for (int d = 0; d < tl.days && rc == 0; d++) {
        for (uint64_t i = sg_timeline_count(&tl, d); i > 0 && rc == 0; i--) {
            struct sg_call_info info;
            sg_call_row(&rng, &ctx, sg_timeline_time(&tl, &rng, d), &l->rows, &info);
            rc = put_recording(l, &info) == 0 ? flush_rows(l, false) : -1;
            if (++done % PROGRESS_EVERY == 0) fprintf(stderr, "switchboard seed: %lu calls\n", (unsigned long)done);
        }
    }
    if (rc == 0) rc = flush_rows(l, true);
    return db_copy_end(l->db) == 0 ? rc : -1;
}

static bool is_sample(const struct loader *l, str path)
{
    for (int i = 0; i < l->nsamples; i++)
        if (str_eq_cstr(path, l->sample_path[i])) return true;
    return false;
}

/* true for `<org_id>/<name>` with a name that neither hides nor climbs. */
static bool is_org_file(const struct loader *l, str path)
{
    str org = str_from(l->org_id), dir, name;
    return str_cut(path, '/', &dir, &name) && str_eq(dir, org) && name.len > 0 && name.ptr[0] != '.' &&
           !memchr(name.ptr, '/', name.len);
}

/* After the commit: deletes the files of the replaced calls' recordings that the new
 * data does not use. Only `<org_id>/<file>` paths are touched, never anything outside
 * the org's directory. */
static void remove_stale_recordings(const struct loader *l)
{
    for (int i = 0; i < db_rows(l->old_recordings); i++) {
        str path = db_val(l->old_recordings, i, 0);
        if (!is_org_file(l, path) || is_sample(l, path)) continue;
        struct buf full;
        buf_init(&full, l->a, 256);
        buf_puts(&full, l->cfg->recordings_dir);
        buf_putc(&full, '/');
        buf_put(&full, path);
        unlink(buf_cstr(&full)); /* already gone is fine */
    }
}

/* Replaces the demo org's contacts and calls with freshly generated ones (l has db, a,
 * cfg and org_id set). */
static int seed_generated(struct loader *l, const struct seed_opts *o)
{
    l->seed = (uint64_t)o->seed;
    l->anchor = o->at;
    buf_init(&l->rows, l->a, COPY_BATCH + 64 * 1024);
    uint64_t contacts = o->contacts >= 0 ? (uint64_t)o->contacts : DEFAULT_CONTACTS;
    uint64_t calls = o->calls >= 0 ? (uint64_t)o->calls : 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (delete_generated(l) != 0 || load_contacts(l, contacts) != 0 || load_calls(l, calls) != 0) return -1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("demo data (seed %ld): %lu contacts, %lu calls (%lu with a stored recording, %d audio files)"
           " loaded in %.1f s\n",
           o->seed, (unsigned long)contacts, (unsigned long)calls, (unsigned long)l->stored, l->nsamples, secs);
    return 0;
}

int cli_seed(int argc, char **argv, struct config *cfg)
{
    /* The data is placed before the minute of seeding unless --at says otherwise. The
     * generator weights hours by New York business hours, so the same seed gives the
     * same rows only for the same minute. */
    struct seed_opts o = { .calls = -1, .deals = -1, .contacts = -1, .seed = 1, .at = time(NULL) / 60 * 60 };
    int rc = parse_opts(argc, argv, &o);
    if (rc != EXIT_OK) return rc;
    bool generate = o.calls >= 0 || o.contacts >= 0;
    struct arena a;
    arena_init(&a, 16384);
    const char *password = o.password_stdin ? cli_read_password(&a) : NULL;
    if (o.password_stdin && (!password || password_policy_error(str_from(password)))) {
        fprintf(stderr, "switchboard seed: the password on stdin must be 12 to 1024 characters\n");
        arena_destroy(&a);
        return EXIT_ERROR;
    }
    if (!password) password = str_cstr(&a, crypto_token(&a)); /* only used for new users */
    char *hash = password_hash(&a, str_from(password), cfg->scrypt_log2_n);
    struct db *db = hash ? cli_db_open(cfg) : NULL;
    if (!db) {
        arena_destroy(&a);
        return EXIT_ERROR;
    }
    rc = EXIT_ERROR;
    struct loader l = { .db = db, .a = &a, .cfg = cfg };
    int created = -1;
    if (db_begin(db) == 0 && (l.org_id = demo_org(db, &a)) &&
        (created = demo_users_upsert(db, &a, l.org_id, hash, o.password_stdin)) >= 0 &&
        (!generate || seed_generated(&l, &o) == 0) &&
        (o.deals < 0 || seed_deals(db, &a, l.org_id, (uint64_t)o.seed, o.deals, o.at) == 0) &&
        db_commit(db) == 0) {
        rc = EXIT_OK;
        if (generate) remove_stale_recordings(&l);
        printf("demo org 'demo' ready (%d user(s) created)\n", created);
        if (created > 0 && !o.password_stdin)
            printf("demo admin: admin@demo.test password: %s\n", password);
        if (o.deals >= 0) printf("demo deals (seed %ld): %ld deals, %ld brands\n", o.seed, o.deals,
                                 o.deals / 10 > 0 ? o.deals / 10 : 1);
    } else {
        cli_db_error("seed", db, "demo data");
        db_rollback(db);
    }
    db_close(db);
    arena_destroy(&a);
    return rc;
}
