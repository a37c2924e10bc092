/* cli_migrate.c — `switchboard migrate [--status]`. */
#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../db/migrate.h"
#include "cli.h"

int cli_migrate(int argc, char **argv, struct config *cfg)
{
    bool status_only = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--status") == 0) status_only = true;
        else return cli_usage_error("migrate", "unknown option '%s'", argv[i]);
    }
    struct db *db = cli_db_open(cfg);
    if (!db) return EXIT_ERROR;
    int rc = migrate_run(db, cfg->sql_dir, status_only, stdout) == 0 ? EXIT_OK : EXIT_ERROR;
    db_close(db);
    return rc;
}
