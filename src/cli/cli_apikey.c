/* cli_apikey.c — `switchboard apikey create|list|revoke`: make a key (printed once),
 * list an org's keys with their last use, revoke one. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../auth/session.h"
#include "../core/arena.h"
#include "../db/db.h"
#include "cli.h"

static int apikey_create(int argc, char **argv, struct config *cfg)
{
    static const struct option longopts[] = {
        { "org", required_argument, NULL, 'o' },
        { "name", required_argument, NULL, 'n' },
        { "role", required_argument, NULL, 'r' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "apikey create", *org = NULL, *name = NULL, *role = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'o') org = optarg;
        else if (c == 'n') name = optarg;
        else if (c == 'r') role = optarg;
        else return cli_usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc) return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    enum role parsed;
    if (!org || !name || !role) return cli_usage_error(cmd, "--org, --name and --role are required");
    if (!role_parse(str_from(role), &parsed))
        return cli_usage_error(cmd, "--role must be admin, manager, agent or viewer");
    if (strlen(name) == 0 || strlen(name) > 100)
        return cli_usage_error(cmd, "--name must be 1 to 100 characters");
    struct db *db = cli_db_open(cfg);
    if (!db) return EXIT_ERROR;
    struct arena a;
    arena_init(&a, 8192);
    int rc = EXIT_ERROR;
    const char *org_id = cli_org_id(db, &a, org, false);
    if (org_id) {
        str prefix, hash;
        str key = apikey_generate(&a, &prefix, &hash);
        if (db_q(db, &a, "cli_apikey_create",
                 "INSERT INTO api_keys (org_id, name, prefix, key_hash, role) VALUES ($1, $2, $3, $4, $5)",
                 org_id, name, str_cstr(&a, prefix), str_cstr(&a, hash), role)) {
            /* The key alone on the first line, so scripts can capture it. */
            printf("%.*s\n", STR_FMT(key));
            fprintf(stderr, "API key '%s' (%s) created for org %s; it is shown only once.\n", name, role, org);
            rc = EXIT_OK;
        } else {
            rc = cli_db_error(cmd, db, "insert");
        }
    }
    arena_destroy(&a);
    db_close(db);
    return rc;
}

/* Reads --org SLUG and at most `positional` arguments after it; NULL org on error
 * (the usage message is printed and *rc set). */
static const char *org_and_args(int argc, char **argv, const char *cmd, int positional, const char **arg, int *rc)
{
    static const struct option longopts[] = { { "org", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };
    const char *org = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'o') org = optarg;
        else {
            *rc = cli_usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
            return NULL;
        }
    }
    if (argc - optind > positional) {
        *rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + positional]);
        return NULL;
    }
    if (positional && argc - optind < positional) {
        *rc = cli_usage_error(cmd, "expected the key's id or prefix (sb_...)");
        return NULL;
    }
    if (!org) {
        *rc = cli_usage_error(cmd, "--org is required");
        return NULL;
    }
    if (positional) *arg = argv[optind];
    return org;
}

/* One tab-separated line per key, newest first, after a header line. */
static int apikey_list(int argc, char **argv, struct config *cfg)
{
    const char *cmd = "apikey list";
    int rc = EXIT_ERROR;
    const char *org = org_and_args(argc, argv, cmd, 0, NULL, &rc);
    if (!org) return rc;
    struct db *db = cli_db_open(cfg);
    if (!db) return EXIT_ERROR;
    struct arena a;
    arena_init(&a, 8192);
    const char *org_id = cli_org_id(db, &a, org, false);
    struct dbres *q = !org_id ? NULL
        : db_q(db, &a, "cli_apikey_list",
               "SELECT k.id, k.prefix, k.name, k.role,"
               " CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked' WHEN k.expires_at <= now() THEN 'expired'"
               "  ELSE 'active' END,"
               " to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
               " coalesce(to_char(k.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '-'),"
               " coalesce(to_char(k.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '-'),"
               " coalesce(nullif(k.last_used_ip, ''), '-')"
               " FROM api_keys k WHERE k.org_id = $1 ORDER BY k.created_at DESC, k.id DESC",
               org_id);
    if (q) {
        printf("ID\tPREFIX\tNAME\tROLE\tSTATUS\tCREATED\tEXPIRES\tLAST_USED\tLAST_USED_IP\n");
        for (int i = 0; i < db_rows(q); i++) {
            for (int c = 0; c < 9; c++) {
                /* A name is free text: tabs and newlines would break the columns. */
                for (const char *p = db_cstr(q, i, c); *p; p++) putchar(*p == '\t' || *p == '\n' ? ' ' : *p);
                putchar(c < 8 ? '\t' : '\n');
            }
        }
        rc = EXIT_OK;
    } else if (org_id) {
        rc = cli_db_error(cmd, db, "list");
    }
    arena_destroy(&a);
    db_close(db);
    return rc;
}

/* Revokes the key named by id or prefix in the org; audited (actor "cli"). */
static int apikey_revoke(int argc, char **argv, struct config *cfg)
{
    const char *cmd = "apikey revoke", *which = NULL;
    int rc = EXIT_ERROR;
    const char *org = org_and_args(argc, argv, cmd, 1, &which, &rc);
    if (!org) return rc;
    struct db *db = cli_db_open(cfg);
    if (!db) return EXIT_ERROR;
    struct arena a;
    arena_init(&a, 8192);
    const char *org_id = cli_org_id(db, &a, org, false);
    struct dbres *q = !org_id ? NULL
        : db_q(db, &a, "cli_apikey_revoke",
               "WITH k AS (SELECT id FROM api_keys WHERE org_id = $1 AND (id::text = $2 OR prefix = $2)),"
               " r AS (UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())"
               "  WHERE id = (SELECT id FROM k) AND (SELECT count(*) FROM k) = 1"
               "  RETURNING id, name, prefix, role),"
               " a AS (INSERT INTO audit_log (org_id, actor, action, entity, entity_id, detail)"
               "  SELECT $1, 'cli', 'api_key.revoke', 'api_key', r.id::text,"
               "  jsonb_build_object('name', r.name, 'prefix', r.prefix) FROM r)"
               " SELECT (SELECT count(*) FROM k), (SELECT name FROM r)",
               org_id, which);
    if (q && db_long(q, 0, 0) == 1) {
        fprintf(stderr, "API key '%s' (%s) revoked; it stops working at once.\n", db_cstr(q, 0, 1), which);
        rc = EXIT_OK;
    } else if (q) {
        fprintf(stderr, "switchboard %s: %s '%s' in org %s\n", cmd,
                db_long(q, 0, 0) ? "more than one key has the prefix" : "no API key", which, org);
    } else if (org_id) {
        rc = cli_db_error(cmd, db, "revoke");
    }
    arena_destroy(&a);
    db_close(db);
    return rc;
}

int cli_apikey(int argc, char **argv, struct config *cfg)
{
    if (argc >= 2 && strcmp(argv[1], "create") == 0) return apikey_create(argc - 1, argv + 1, cfg);
    if (argc >= 2 && strcmp(argv[1], "list") == 0) return apikey_list(argc - 1, argv + 1, cfg);
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0) return apikey_revoke(argc - 1, argv + 1, cfg);
    return cli_usage_error("apikey", "expected 'create', 'list' or 'revoke'");
}
