/* cli_common.c — helpers shared by the subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../db/db.h"
#include "cli.h"

struct db *cli_db_open(const struct config *cfg)
{
    const char *url = cfg->admin_database_url ? cfg->admin_database_url : cfg->database_url;
    struct db *db = db_open(url, 0);
    if (!db_ensure(db)) {
        fprintf(stderr, "switchboard: cannot connect to the database: %s\n", db_last_message(db));
        db_close(db);
        return NULL;
    }
    return db;
}

char *cli_read_password(struct arena *a)
{
    char line[1100];
    if (!fgets(line, sizeof line, stdin)) return NULL;
    size_t n = strlen(line);
    if (n == sizeof line - 1 && line[n - 1] != '\n') return NULL; /* too long: refuse, never cut */
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
    return arena_strndup(a, line, n);
}

const char *cli_org_id(struct db *db, struct arena *a, const char *slug, bool create)
{
    struct dbres *r = db_q(db, a, "cli_org_find", "SELECT id FROM orgs WHERE slug = $1", slug);
    if (!r) return NULL;
    if (db_rows(r) == 1) return db_cstr(r, 0, 0);
    if (!create) {
        fprintf(stderr, "switchboard: no org with slug '%s'\n", slug);
        return NULL;
    }
    r = db_q(db, a, "cli_org_create", "INSERT INTO orgs (slug, name) VALUES ($1, $1) RETURNING id", slug);
    if (!r) {
        fprintf(stderr, "switchboard: cannot create org '%s': %s\n", slug,
                db_last_error(db) == DB_ERR_INVALID
                    ? "a slug is 1-63 lower-case letters, digits or '-', starting with a letter or digit"
                    : db_last_message(db));
        return NULL;
    }
    return db_cstr(r, 0, 0);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "switchboard %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'switchboard %s --help'.\n", cmd);
    return EXIT_USAGE;
}

int cli_db_error(const char *cmd, struct db *db, const char *what)
{
    fprintf(stderr, "switchboard %s: %s: %s\n", cmd, what, db_last_message(db));
    return EXIT_ERROR;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return true;
    return false;
}
