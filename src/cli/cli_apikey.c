/* cli_apikey.c — `switchboard apikey create --org SLUG --name N --role R`. */
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

int cli_apikey(int argc, char **argv, struct config *cfg)
{
    if (argc < 2 || strcmp(argv[1], "create") != 0)
        return cli_usage_error("apikey", "expected 'create'");
    return apikey_create(argc - 1, argv + 1, cfg);
}
