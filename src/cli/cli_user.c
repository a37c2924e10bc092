/* cli_user.c — `switchboard user add|passwd|disable`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../auth/password.h"
#include "../core/arena.h"
#include "../db/db.h"
#include "../http/router.h"
#include "cli.h"

struct user_opts {
    const char *org, *email, *role, *name;
    bool password_stdin;
};

static int parse_opts(int argc, char **argv, const char *cmd, struct user_opts *o)
{
    static const struct option longopts[] = {
        { "org", required_argument, NULL, 'o' },   { "email", required_argument, NULL, 'e' },
        { "role", required_argument, NULL, 'r' },  { "name", required_argument, NULL, 'n' },
        { "password-stdin", no_argument, NULL, 'p' }, { NULL, 0, NULL, 0 },
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->org = optarg; break;
        case 'e': o->email = optarg; break;
        case 'r': o->role = optarg; break;
        case 'n': o->name = optarg; break;
        case 'p': o->password_stdin = true; break;
        default: return cli_usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return EXIT_OK;
}

/* Reads and checks the password from stdin; NULL after printing why. */
static const char *new_password_hash(struct arena *a, const struct config *cfg, const char *cmd)
{
    char *pw = cli_read_password(a);
    if (!pw) {
        fprintf(stderr, "switchboard %s: no password on stdin (or longer than 1024 bytes)\n", cmd);
        return NULL;
    }
    const char *why = password_policy_error(str_from(pw));
    if (why) {
        fprintf(stderr, "switchboard %s: password %s\n", cmd, why);
        return NULL;
    }
    char *hash = password_hash(a, str_from(pw), cfg->scrypt_log2_n);
    memset(pw, 0, strlen(pw));
    if (!hash) fprintf(stderr, "switchboard %s: cannot hash the password\n", cmd);
    return hash;
}

static int user_add(struct db *db, struct arena *a, const struct config *cfg, struct user_opts *o)
{
    const char *cmd = "user add";
    enum role role;
    if (!o->org || !o->email || !o->role)
        return cli_usage_error(cmd, "--org, --email and --role are required");
    if (!role_parse(str_from(o->role), &role))
        return cli_usage_error(cmd, "--role must be admin, manager, agent or viewer");
    if (!o->password_stdin) return cli_usage_error(cmd, "--password-stdin is required");
    const char *hash = new_password_hash(a, cfg, cmd);
    if (!hash) return EXIT_ERROR;
    if (db_begin(db) != 0) return cli_db_error(cmd, db, "begin");
    const char *org = cli_org_id(db, a, o->org, true);
    if (!org) {
        db_rollback(db);
        return EXIT_ERROR;
    }
    struct dbres *r = db_q(db, a, "cli_user_add",
                           "INSERT INTO users (org_id, email, name, role, password_hash)"
                           " VALUES ($1, $2, $3, $4, $5) RETURNING id",
                           org, o->email, o->name ? o->name : "", o->role, hash);
    if (!r) {
        enum db_error e = db_last_error(db);
        db_rollback(db);
        if (e == DB_ERR_CONFLICT) fprintf(stderr, "switchboard %s: a user with email %s already exists\n", cmd, o->email);
        else if (e == DB_ERR_INVALID) fprintf(stderr, "switchboard %s: invalid email or name: %s\n", cmd, db_last_message(db));
        else return cli_db_error(cmd, db, "insert");
        return EXIT_ERROR;
    }
    if (db_commit(db) != 0) return cli_db_error(cmd, db, "commit");
    printf("created user %s (%s) in org %s: %s\n", o->email, o->role, o->org, db_cstr(r, 0, 0));
    return EXIT_OK;
}

static int user_update(struct db *db, struct arena *a, const char *cmd, const char *name,
                       const char *sql, const char *email, const char *value)
{
    struct dbres *r = value ? db_q(db, a, name, sql, email, value) : db_q(db, a, name, sql, email);
    if (!r) return cli_db_error(cmd, db, "update");
    if (db_affected(r) != 1) {
        fprintf(stderr, "switchboard %s: no user with email %s\n", cmd, email);
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

int cli_user(int argc, char **argv, struct config *cfg)
{
    if (argc < 2) return cli_usage_error("user", "expected add, passwd or disable");
    const char *sub = argv[1];
    struct user_opts o = { 0 };
    char cmd[32];
    snprintf(cmd, sizeof cmd, "user %s", sub);
    if (strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "disable"))
        return cli_usage_error("user", "unknown subcommand '%s' (expected add, passwd or disable)", sub);
    int rc = parse_opts(argc - 1, argv + 1, cmd, &o);
    if (rc != EXIT_OK) return rc;
    if (strcmp(sub, "add") != 0 && (o.org || o.role || o.name))
        return cli_usage_error(cmd, "only --email%s is accepted", strcmp(sub, "passwd") ? "" : " and --password-stdin");
    if (!o.email) return cli_usage_error(cmd, "--email is required");
    struct db *db = cli_db_open(cfg);
    if (!db) return EXIT_ERROR;
    struct arena a;
    arena_init(&a, 16384);
    if (strcmp(sub, "add") == 0) {
        rc = user_add(db, &a, cfg, &o);
    } else if (strcmp(sub, "passwd") == 0) {
        const char *hash = o.password_stdin ? new_password_hash(&a, cfg, cmd) : NULL;
        if (!o.password_stdin) rc = cli_usage_error(cmd, "--password-stdin is required");
        else if (!hash) rc = EXIT_ERROR;
        else {
            rc = user_update(db, &a, cmd, "cli_user_passwd",
                             "UPDATE users SET password_hash = $2, updated_at = now()"
                             " WHERE lower(email) = lower($1)",
                             o.email, hash);
            /* A new password ends every existing session of that user. */
            if (rc == EXIT_OK)
                db_q(db, &a, "cli_user_sessions_end",
                     "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE lower(email) = lower($1))",
                     o.email);
        }
        if (rc == EXIT_OK) printf("password changed for %s\n", o.email);
    } else {
        rc = user_update(db, &a, cmd, "cli_user_disable",
                         "UPDATE users SET disabled = true, updated_at = now() WHERE lower(email) = lower($1)",
                         o.email, NULL);
        if (rc == EXIT_OK)
            db_q(db, &a, "cli_user_sessions_end",
                 "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE lower(email) = lower($1))",
                 o.email);
        if (rc == EXIT_OK) printf("disabled %s and ended their sessions\n", o.email);
    }
    arena_destroy(&a);
    db_close(db);
    return rc;
}
