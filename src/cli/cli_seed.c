/* cli_seed.c — `switchboard seed --demo`: the demo org and its users, idempotent. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../auth/password.h"
#include "../core/arena.h"
#include "../core/crypto.h"
#include "../db/db.h"
#include "cli.h"

struct seed_opts {
    bool demo, password_stdin;
    long calls, deals, contacts, seed;
};

static const struct demo_user {
    const char *email, *name, *role;
} demo_users[] = {
    { "admin@demo.test", "Ada Admin", "admin" },
    { "manager@demo.test", "Max Manager", "manager" },
    { "agent@demo.test", "Alex Agent", "agent" },
    { "viewer@demo.test", "Vic Viewer", "viewer" },
};

static int parse_count(const char *opt, const char *text, long *out)
{
    if (!str_to_long(str_from(text), out) || *out < 0)
        return cli_usage_error("seed", "%s must be a non-negative whole number, got '%s'", opt, text);
    return EXIT_OK;
}

static int parse_opts(int argc, char **argv, struct seed_opts *o)
{
    static const struct option longopts[] = {
        { "demo", no_argument, NULL, 'd' },       { "admin-password-stdin", no_argument, NULL, 'p' },
        { "calls", required_argument, NULL, 'c' }, { "deals", required_argument, NULL, 'D' },
        { "contacts", required_argument, NULL, 'C' }, { "seed", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    optind = 1;
    opterr = 0;
    int c, rc = EXIT_OK;
    while (rc == EXIT_OK && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o->demo = true; break;
        case 'p': o->password_stdin = true; break;
        case 'c': rc = parse_count("--calls", optarg, &o->calls); break;
        case 'D': rc = parse_count("--deals", optarg, &o->deals); break;
        case 'C': rc = parse_count("--contacts", optarg, &o->contacts); break;
        case 's': rc = parse_count("--seed", optarg, &o->seed); break;
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

int cli_seed(int argc, char **argv, struct config *cfg)
{
    struct seed_opts o = { 0 };
    int rc = parse_opts(argc, argv, &o);
    if (rc != EXIT_OK) return rc;
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
    const char *org_id;
    int created = -1;
    if (db_begin(db) == 0 && (org_id = demo_org(db, &a)) &&
        (created = demo_users_upsert(db, &a, org_id, hash, o.password_stdin)) >= 0 && db_commit(db) == 0) {
        rc = EXIT_OK;
        printf("demo org 'demo' ready (%d user(s) created)\n", created);
        if (created > 0 && !o.password_stdin)
            printf("demo admin: admin@demo.test password: %s\n", password);
        if (o.calls || o.deals || o.contacts)
            fprintf(stderr, "switchboard seed: calls, deals and contacts are not part of this version;"
                            " only the org and its users were seeded\n");
    } else {
        cli_db_error("seed", db, "demo data");
        db_rollback(db);
    }
    db_close(db);
    arena_destroy(&a);
    return rc;
}
