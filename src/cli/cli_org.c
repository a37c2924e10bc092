/* cli_org.c — `switchboard org set SLUG KEY=VALUE|SECRET_KEY ...` and `org show SLUG`.
 * Provider secrets are named alone and read from standard input, one line each in
 * the order named: a command line is visible to every local user (ps, /proc). */
#include <stdio.h>
#include <string.h>

#include "../auth/org_secret.h"
#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"
#include "../core/secretbox.h"
#include "../db/db.h"
#include "cli.h"

/* Plain settings are columns of orgs; each has a statement that validates in SQL. */
struct org_setting {
    const char *key;
    const char *stmt_name;
    const char *sql; /* $1 org id, $2 value */
};

static const struct org_setting plain_settings[] = {
    { "name", "org_set_name", "UPDATE orgs SET name = $2, updated_at = now() WHERE id = $1" },
    { "timezone", "org_set_timezone",
      "UPDATE orgs SET timezone = (SELECT name FROM pg_timezone_names WHERE name = $2),"
      " updated_at = now() WHERE id = $1" },
    { "currency", "org_set_currency", "UPDATE orgs SET currency = $2, updated_at = now() WHERE id = $1" },
    { "quiet_hours", "org_set_quiet_hours",
      "UPDATE orgs SET quiet_hours = $2, updated_at = now() WHERE id = $1" },
    { "recording_retention_days", "org_set_retention",
      "UPDATE orgs SET recording_retention_days = nullif($2, '')::int, updated_at = now() WHERE id = $1" },
    /* Empty: the configuration's recording_url_hosts. */
    { "recording_download_hosts", "org_set_download_hosts",
      "UPDATE orgs SET recording_download_hosts = replace($2, ' ', ''), updated_at = now() WHERE id = $1" },
    /* The campaign sender's providers (the account SID, token and API key are secrets). */
    { "twilio_base_url", "org_set_twilio_base_url",
      "UPDATE orgs SET twilio_base_url = rtrim($2, '/'), updated_at = now() WHERE id = $1" },
    { "twilio_from_number", "org_set_twilio_from",
      "UPDATE orgs SET twilio_from_number = $2, updated_at = now() WHERE id = $1" },
    { "sendgrid_base_url", "org_set_sendgrid_base_url",
      "UPDATE orgs SET sendgrid_base_url = rtrim($2, '/'), updated_at = now() WHERE id = $1" },
    { "sendgrid_from_email", "org_set_sendgrid_from",
      "UPDATE orgs SET sendgrid_from_email = $2, updated_at = now() WHERE id = $1" },
    { "sendgrid_event_public_key", "org_set_sendgrid_key",
      "UPDATE orgs SET sendgrid_event_public_key = $2, updated_at = now() WHERE id = $1" },
    /* Call analysis and missed-webhook recovery (0044). */
    { "vapi_base_url", "org_set_vapi_base_url",
      "UPDATE orgs SET vapi_base_url = rtrim($2, '/'), updated_at = now() WHERE id = $1" },
    { "call_sentiment_key", "org_set_call_sentiment_key",
      "UPDATE orgs SET call_sentiment_key = $2, updated_at = now() WHERE id = $1" },
    { "call_action_items_key", "org_set_call_action_items_key",
      "UPDATE orgs SET call_action_items_key = $2, updated_at = now() WHERE id = $1" },
    /* Requests a second to each provider, shared by all the org's campaigns (0034). */
    { "twilio_rate_per_s", "org_set_twilio_rate",
      "UPDATE orgs SET twilio_rate_per_s = $2::int, updated_at = now() WHERE id = $1" },
    { "sendgrid_rate_per_s", "org_set_sendgrid_rate",
      "UPDATE orgs SET sendgrid_rate_per_s = $2::int, updated_at = now() WHERE id = $1" },
};

/* Provider secrets: stored sealed, shown back only as a hint. */
static const char *const secret_keys[] = { "vapi_secret", "vapi_api_key", "twilio_account_sid",
                                           "twilio_auth_token", "sendgrid_api_key" };

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

static const struct org_setting *find_plain(const char *key)
{
    for (size_t i = 0; i < COUNT(plain_settings); i++)
        if (strcmp(plain_settings[i].key, key) == 0) return &plain_settings[i];
    return NULL;
}

static bool is_secret_key(const char *key)
{
    for (size_t i = 0; i < COUNT(secret_keys); i++)
        if (strcmp(secret_keys[i], key) == 0) return true;
    return false;
}

static int set_secret(struct db *db, struct arena *a, const struct config *cfg, const char *org_id,
                      const char *key, const char *value)
{
    str hex = org_secret_seal_hex(a, str_from(cfg->secret_key), str_from(org_id), key, str_from(value));
    if (!hex.len) return -1;
    return db_q(db, a, "org_set_secret",
                "INSERT INTO org_secrets (org_id, key, ciphertext, hint) VALUES ($1, $2, $3::bytea, $4)"
                " ON CONFLICT (org_id, key) DO UPDATE SET ciphertext = EXCLUDED.ciphertext,"
                " hint = EXCLUDED.hint, updated_at = now()",
                org_id, key, str_cstr(a, hex), org_secret_hint(a, str_from(value)))
               ? 0
               : -1;
}

/* Checks every KEY=VALUE and SECRET_KEY before anything is read or written. */
static int check_assignments(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        if (is_secret_key(argv[i])) continue;
        char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) return cli_usage_error("org set", "expected KEY=VALUE, got '%s'", argv[i]);
        *eq = '\0';
        bool secret = is_secret_key(argv[i]), known = secret || find_plain(argv[i]);
        if (secret)
            cli_usage_error("org set", "%s is a secret: name it alone and give its value on standard input"
                                       " (a command line is visible to other users)", argv[i]);
        else if (!known)
            cli_usage_error("org set", "unknown setting '%s'", argv[i]);
        if (!known || secret) return EXIT_USAGE;
        *eq = '=';
    }
    return EXIT_OK;
}

/* The value of one secret named on the command line: the next line of standard
 * input. NULL after saying why. */
static const char *read_secret(struct arena *a, const char *key)
{
    char *value = cli_read_password(a);
    if (!value || !*value) {
        fprintf(stderr, "switchboard org set: no value for %s on standard input (one line per secret, in order)\n",
                key);
        return NULL;
    }
    return value;
}

static int apply_one(struct db *db, struct arena *a, const struct config *cfg, const char *org_id,
                     char *assignment)
{
    if (is_secret_key(assignment)) {
        const char *value = read_secret(a, assignment);
        if (!value) return EXIT_ERROR;
        if (set_secret(db, a, cfg, org_id, assignment, value) == 0) return EXIT_OK;
        return cli_db_error("org set", db, assignment);
    }
    char *eq = strchr(assignment, '=');
    *eq = '\0';
    const char *key = assignment, *value = eq + 1;
    const struct org_setting *s = find_plain(key);
    if (db_q(db, a, s->stmt_name, s->sql, org_id, value)) return EXIT_OK;
    if (db_last_error(db) == DB_ERR_INVALID) {
        fprintf(stderr, "switchboard org set: %s: invalid value '%s'%s\n", key, value,
                strcmp(key, "timezone") == 0 ? " (use an IANA name such as Europe/Paris)" : "");
        return EXIT_ERROR;
    }
    return cli_db_error("org set", db, key);
}

static int org_set(struct db *db, struct arena *a, const struct config *cfg, int argc, char **argv)
{
    if (db_begin(db) != 0) return cli_db_error("org set", db, "begin");
    const char *org_id = cli_org_id(db, a, argv[1], true);
    int rc = org_id ? EXIT_OK : EXIT_ERROR;
    for (int i = 2; i < argc && rc == EXIT_OK; i++) rc = apply_one(db, a, cfg, org_id, argv[i]);
    if (rc != EXIT_OK) {
        db_rollback(db); /* all or nothing */
        return rc;
    }
    if (db_commit(db) != 0) return cli_db_error("org set", db, "commit");
    printf("updated org %s\n", argv[1]);
    return EXIT_OK;
}

static int org_show(struct db *db, struct arena *a, const char *slug)
{
    struct dbres *r = db_q(db, a, "org_show",
                           "SELECT id, slug, name, timezone, currency, quiet_hours,"
                           " coalesce(recording_retention_days::text, '(keep forever)'), created_at, twilio_base_url, twilio_from_number,"
                           " sendgrid_base_url, sendgrid_from_email,"
                           " CASE WHEN sendgrid_event_public_key = '' THEN '(not set)' ELSE '(set)' END,"
                           " twilio_rate_per_s, sendgrid_rate_per_s FROM orgs WHERE slug = $1",
                           slug);
    if (!r) return cli_db_error("org show", db, "select");
    if (db_rows(r) != 1) {
        fprintf(stderr, "switchboard org show: no org with slug '%s'\n", slug);
        return EXIT_ERROR;
    }
    static const char *const labels[] = { "id", "slug", "name", "timezone", "currency", "quiet_hours",
                                          "recording_retention_days", "created_at", "twilio_base_url",
                                          "twilio_from_number", "sendgrid_base_url", "sendgrid_from_email",
                                          "sendgrid_event_public_key", "twilio_rate_per_s",
                                          "sendgrid_rate_per_s" };
    for (int i = 0; i < (int)COUNT(labels); i++) printf("%-26s %s\n", labels[i], db_cstr(r, 0, i));
    struct dbres *s = db_q(db, a, "org_show_secrets",
                           "SELECT key, hint FROM org_secrets WHERE org_id = $1 ORDER BY key", db_cstr(r, 0, 0));
    for (size_t k = 0; k < COUNT(secret_keys); k++) {
        const char *shown = "(not set)";
        for (int i = 0; i < db_rows(s); i++)
            if (strcmp(db_cstr(s, i, 0), secret_keys[k]) == 0) shown = db_cstr(s, i, 1);
        printf("%-26s %s\n", secret_keys[k], shown);
    }
    return EXIT_OK;
}

int cli_org(int argc, char **argv, struct config *cfg)
{
    if (argc < 3 || (strcmp(argv[1], "set") && strcmp(argv[1], "show")))
        return cli_usage_error("org", "expected 'set SLUG KEY=VALUE|SECRET_KEY ...' or 'show SLUG'");
    bool set = strcmp(argv[1], "set") == 0;
    if (set && argc < 4) return cli_usage_error("org set", "expected at least one KEY=VALUE");
    if (!set && argc != 3) return cli_usage_error("org show", "expected exactly one SLUG");
    if (set && check_assignments(argc - 1, argv + 1) != EXIT_OK) return EXIT_USAGE;
    struct db *db = cli_db_open(cfg);
    if (!db) return EXIT_ERROR;
    struct arena a;
    arena_init(&a, 16384);
    int rc = set ? org_set(db, &a, cfg, argc - 1, argv + 1) : org_show(db, &a, argv[2]);
    arena_destroy(&a);
    db_close(db);
    return rc;
}
