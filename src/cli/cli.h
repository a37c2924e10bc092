/* cli.h — the `switchboard` subcommands other than serve, and their shared helpers. */
#ifndef SB_CLI_H
#define SB_CLI_H
#include <stdbool.h>
#include "../core/config.h"
#include "../core/str.h"
struct db;
struct arena;

/* Exit codes, as switchboard --help states them. */
#define EXIT_OK 0
#define EXIT_ERROR 1
#define EXIT_USAGE 2

/* Each command: argv[0] is the command name; cfg is loaded and validated. */
int cli_migrate(int argc, char **argv, struct config *cfg);
int cli_seed(int argc, char **argv, struct config *cfg);
int cli_user(int argc, char **argv, struct config *cfg);
int cli_apikey(int argc, char **argv, struct config *cfg);
int cli_org(int argc, char **argv, struct config *cfg);

/* Helpers (cli_common.c). */
/* Connects with the admin (owner) URL; prints the problem and returns NULL if down. */
struct db *cli_db_open(const struct config *cfg);
/* Reads one line (the password) from stdin, without its newline; NULL on EOF/too long. */
char *cli_read_password(struct arena *a);
/* The id of the org with this slug, creating it (name = slug) when create is true.
 * NULL if absent (and not created) or on error (message printed). */
const char *cli_org_id(struct db *db, struct arena *a, const char *slug, bool create);
/* Prints "switchboard CMD: message" to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the database's last error for a failed step and returns EXIT_ERROR. */
int cli_db_error(const char *cmd, struct db *db, const char *what);
/* true if argv has --help / -h. */
bool cli_wants_help(int argc, char **argv);
#endif
