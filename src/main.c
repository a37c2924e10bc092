/* main.c — the `switchboard` command line: global options, then one subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/routes.h"
#include "cli/cli.h"
#include "config.h"
#include "core/config.h"
#include "core/log.h"
#include "http/pool.h"
#include "jobs/worker.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv, struct config *cfg);
    const char *summary;
    const char *usage;
};

static int cmd_serve(int argc, char **argv, struct config *cfg);
static int cmd_worker(int argc, char **argv, struct config *cfg);

static const char *g_config_path;

static const struct command commands[] = {
    { "serve", cmd_serve, "run the FastCGI process manager (pre-forked workers)",
      "usage: switchboard [--config PATH] serve\n\n"
      "Binds `listen` (unix:/path or host:port), pre-forks `workers` processes that\n"
      "accept FastCGI requests from nginx, respawns any that die, recycles each after\n"
      "`max_requests`. Signals: HUP reloads config and templates gracefully (new\n"
      "workers; old ones finish their request), TERM/INT drain within\n"
      "`shutdown_timeout_s` and exit. Logs JSON lines to stderr.\n" },
    { "worker", cmd_worker, "apply webhook events, run queued jobs (downloads, sends, deliveries)",
      "usage: switchboard [--config PATH] worker\n\n"
      "Applies the stored webhook events to their calls, up to 500 per transaction (one\n"
      "worker at a time applies; the others run jobs), first and between any two jobs.\n"
      "Runs jobs from the PostgreSQL queue for every org: claims one at a time with a\n"
      "lease (`job_lease_s`; a job whose worker vanished runs again after it), retries\n"
      "failures with exponential back-off and jitter (`job_backoff_ms`) until it is dead,\n"
      "wakes on NOTIFY jobs and webhook_events (polling every `worker_poll_s` as a\n"
      "fallback, every 20 ms for a second after applying events) and queues the\n"
      "periodic jobs (rollup repair, retention, overdue payments, alerts every minute,\n"
      "reminder emails). While the database is away it sends the database-down alerts\n"
      "from memory. Connects with `admin_database_url`: the\n"
      "worker acts for every org, so it uses the schema owner. Run as many as you like.\n"
      "Signals: TERM/INT finish the current job and exit, HUP re-reads the configuration.\n"
      "Logs one JSON line per job (kind, id, attempt, outcome, duration) to stderr.\n" },
    { "migrate", cli_migrate, "apply database migrations from sql_dir",
      "usage: switchboard [--config PATH] migrate [--status]\n\n"
      "Applies every pending sql/NNNN_*.sql in order, each in its own transaction,\n"
      "recording its SHA-256. Refuses to run if an applied file was changed.\n"
      "  --status   list each migration as applied or pending; change nothing\n" },
    { "seed", cli_seed, "create the demo org, its users and generated demo data",
      "usage: switchboard [--config PATH] seed --demo [--admin-password-stdin]\n"
      "                   [--calls N] [--contacts N] [--seed S] [--deals N] [--at TIME]\n\n"
      "Creates the org 'demo' (Demo Company) with admin@demo.test, manager@demo.test,\n"
      "agent@demo.test and viewer@demo.test. Safe to run again.\n"
      "With --calls or --contacts it also replaces the demo org's contacts and calls\n"
      "with generated ones (90 days of calls, transcripts, sentiment; a few stored\n"
      "recordings written as WAV files under recordings_dir), loaded with COPY in the\n"
      "same transaction. The same seed, sizes and --at give the same data, ids and\n"
      "times included. Progress goes to stderr.\n"
      "  --admin-password-stdin  read the demo users' password from stdin (>= 12 chars);\n"
      "                          otherwise new users get a random one, printed once\n"
      "  --calls N               calls to generate (default 0; 1,000,000 take minutes)\n"
      "  --contacts N            contacts to generate (default 200 with --calls)\n"
      "  --seed S                seed of the deterministic generator (default 1)\n"
      "  --deals N               deals to generate (~N/10 brands, every stage, with\n"
      "                          deliverables, payments in USD/EUR/GBP/INR and FX rates);\n"
      "                          replaces the demo org's earlier generated deals\n"
      "  --at TIME               place the data before this UTC minute, e.g.\n"
      "                          2026-12-01T14:30Z (default: now)\n" },
    { "user", cli_user, "add a user, change a password, disable a user",
      "usage: switchboard user add --org SLUG --email E --role R [--name N] --password-stdin\n"
      "       switchboard user passwd --email E --password-stdin\n"
      "       switchboard user disable --email E\n\n"
      "Roles: admin, manager, agent, viewer. `add` creates the org if it is missing.\n"
      "Passwords (12 to 1024 characters) are read from one line of stdin, never from\n"
      "arguments. passwd and disable end the user's sessions.\n" },
    { "apikey", cli_apikey, "create, list or revoke API keys",
      "usage: switchboard apikey create --org SLUG --name N --role R\n"
      "       switchboard apikey list --org SLUG\n"
      "       switchboard apikey revoke --org SLUG ID|PREFIX\n\n"
      "create prints a new key (sb_...) once on stdout; only its hash is stored. Use it\n"
      "as `Authorization: Bearer <key>` on /api/v1/.\n"
      "list prints one tab-separated line per key, newest first, after a header: id,\n"
      "prefix, name, role, status (active, expired, revoked), created, expires, last\n"
      "used and the address of that use (UTC times; '-' for none).\n"
      "revoke ends the key named by its id or its prefix (sb_ and 8 hex digits) at once,\n"
      "on every server; the revocation is audited.\n" },
    { "org", cli_org, "show or change an org's settings",
      "usage: switchboard org set SLUG KEY=VALUE|SECRET_KEY ...\n"
      "       switchboard org show SLUG\n\n"
      "Keys: name, timezone (IANA, e.g. Europe/Paris), currency (ISO 4217, e.g. USD),\n"
      "quiet_hours (HH:MM-HH:MM), recording_retention_days (1-3650, empty: keep\n"
      "forever), recording_download_hosts (host names or .suffixes, comma-separated;\n"
      "empty: the configuration's recording_url_hosts), the providers' base URLs and\n"
      "senders (twilio_base_url, twilio_from_number, sendgrid_base_url,\n"
      "sendgrid_from_email, sendgrid_event_public_key). The provider\n"
      "secrets vapi_secret, twilio_account_sid, twilio_auth_token, sendgrid_api_key are\n"
      "named alone and read from standard input, one line each in the order named\n"
      "(never from the command line, which other users can see); they are stored\n"
      "encrypted and shown back only as a hint. `set` creates the org if it is missing\n"
      "and applies all values or none. Example:\n"
      "  printf '%s\\n' \"$VAPI_SECRET\" | switchboard org set acme vapi_secret name='Acme Inc'\n" },
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    fprintf(out, "usage: switchboard [--config PATH] COMMAND [OPTIONS]\n"
                 "       switchboard --help | --version\n\nCommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nOptions:\n"
                 "  --config PATH  configuration file (default $SWITCHBOARD_CONFIG, else %s);\n"
                 "                 every setting can be\n"
                 "                 overridden by SWITCHBOARD_<KEY> environment variables\n"
                 "  --help         this help; `switchboard COMMAND --help` for a command\n"
                 "  --version      print the version\n\n"
                 "Exit status: 0 success, 1 failure, 2 bad usage.\n"
                 "See switchboard(8) for the configuration reference.\n",
            CONFIG_DEFAULT_PATH);
}

static int cmd_serve(int argc, char **argv, struct config *cfg)
{
    if (argc > 1) return cli_usage_error("serve", "unexpected argument '%s'", argv[1]);
    int route_count;
    app_route_names(&route_count);
    return pool_run(cfg, g_config_path, app_prepare_workers, app_worker_main, route_count);
}

static int cmd_worker(int argc, char **argv, struct config *cfg)
{
    if (argc > 1) return cli_usage_error("worker", "unexpected argument '%s'", argv[1]);
    return worker_main(cfg, g_config_path);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

/* Removes "--config PATH" / "--config=PATH" wherever it appears; returns the new argc,
 * or -1 when the path is missing. */
static int take_config_option(int argc, char **argv)
{
    int out = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc) return -1;
            g_config_path = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            g_config_path = argv[i] + 9;
        } else {
            argv[out++] = argv[i];
        }
    }
    return out;
}

int main(int argc, char **argv)
{
    argc = take_config_option(argc, argv);
    if (argc < 0) {
        fprintf(stderr, "switchboard: --config needs a PATH\n");
        return EXIT_USAGE;
    }
    if (argc < 2) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("switchboard %s\n", PACKAGE_VERSION);
        return EXIT_OK;
    }
    const struct command *cmd = find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "switchboard: unknown command '%s'\nTry 'switchboard --help'.\n", argv[1]);
        return EXIT_USAGE;
    }
    if (cli_wants_help(argc - 1, argv + 1)) {
        fputs(cmd->usage, stdout);
        return EXIT_OK;
    }
    struct config cfg;
    config_defaults(&cfg);
    if (!g_config_path) g_config_path = getenv("SWITCHBOARD_CONFIG");
    bool explicit_path = g_config_path != NULL && g_config_path[0];
    if (!explicit_path) g_config_path = CONFIG_DEFAULT_PATH;
    if (config_load(&cfg, g_config_path, explicit_path) != 0) {
        config_free(&cfg);
        return EXIT_ERROR;
    }
    enum log_level lvl;
    if (log_level_parse(cfg.log_level, &lvl)) log_set_level(lvl);
    int rc = cmd->run(argc - 1, argv + 1, &cfg);
    config_free(&cfg);
    return rc;
}
