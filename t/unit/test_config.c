/* test_config.c — settings: defaults, file parsing, SWITCHBOARD_* overrides, validation messages, secret keys;
 * the recording download allow-list (hosts, schemes, private addresses) those settings drive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/core/arena.h"
#include "../../src/core/config.h"
#include "../../src/jobs/recording_download.h"

#define GOOD_SECRET "0123456789abcdef0123456789abcdef" /* exactly 32 bytes */

static const char *const all_keys[] = {
    "DATABASE_URL", "ADMIN_DATABASE_URL", "SECRET_KEY", "LISTEN", "WORKERS", "MAX_REQUESTS",
    "SHUTDOWN_TIMEOUT_S", "STATEMENT_TIMEOUT_MS", "SESSION_IDLE_TIMEOUT_S", "SESSION_LIFETIME_S",
    "BODY_LIMIT", "UPLOAD_LIMIT", "TEMPLATE_DIR", "STATIC_DIR", "SQL_DIR", "RECORDINGS_DIR", "LOG_LEVEL",
    "SCRYPT_LOG2_N", "LOGIN_MAX_FAILURES_EMAIL", "LOGIN_MAX_FAILURES_IP", "LOGIN_WINDOW_S", "METRICS_ALLOW",
    "RECORDING_URL_HOSTS", "RECORDING_URL_ALLOW_HTTP", "RECORDING_URL_ALLOW_PRIVATE",
    "LISTEN_ALLOW_REMOTE", "LISTEN_GROUP",
};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof all_keys / sizeof all_keys[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "SWITCHBOARD_%s", all_keys[i]);
        unsetenv(name);
    }
}

static int setup(void **state)
{
    clear_env();
    return 0;
}

static int teardown(void **state)
{
    clear_env();
    return 0;
}

/* ---- stderr capture ---- */

static char captured[16384];
static FILE *cap_file;
static int saved_stderr = -1;

static void capture_start(void)
{
    fflush(stderr);
    cap_file = tmpfile();
    assert_non_null(cap_file);
    saved_stderr = dup(STDERR_FILENO);
    assert_true(saved_stderr >= 0);
    assert_true(dup2(fileno(cap_file), STDERR_FILENO) >= 0);
}

static const char *capture_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    rewind(cap_file);
    size_t n = fread(captured, 1, sizeof captured - 1, cap_file);
    captured[n] = '\0';
    fclose(cap_file);
    cap_file = NULL;
    return captured;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* Writes text to a fresh temporary file; returns its path (static buffer per slot). */
static const char *write_conf(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sb-test-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

/* Defaults plus the two required settings, so validation passes. */
static void valid_config(struct config *c)
{
    config_defaults(c);
    assert_null(config_set(c, "database_url", "postgres:///switchboard"));
    assert_null(config_set(c, "secret_key", GOOD_SECRET));
}

static void test_defaults(void **state)
{
    struct config c;
    config_defaults(&c);
    assert_null(c.database_url);
    assert_null(c.admin_database_url);
    assert_null(c.secret_key);
    assert_string_equal(c.listen, "unix:/run/switchboard/switchboard.sock");
    assert_int_equal(c.workers, 4);
    assert_int_equal(c.max_requests, 10000);
    assert_int_equal(c.shutdown_timeout_s, 10);
    assert_int_equal(c.statement_timeout_ms, 5000);
    assert_int_equal(c.session_idle_timeout_s, 1800);
    assert_int_equal(c.session_lifetime_s, 43200);
    assert_int_equal(c.body_limit, 1048576);
    assert_int_equal(c.upload_limit, 20971520);
    assert_non_null(strstr(c.template_dir, "/templates"));
    assert_non_null(strstr(c.static_dir, "/static"));
    assert_non_null(strstr(c.sql_dir, "/sql"));
    assert_string_equal(c.recordings_dir, "/var/lib/switchboard/recordings");
    assert_string_equal(c.log_level, "info");
    assert_int_equal(c.scrypt_log2_n, 17);
    assert_int_equal(c.login_max_failures_email, 5);
    assert_int_equal(c.login_max_failures_ip, 20);
    assert_int_equal(c.login_window_s, 900);
    assert_string_equal(c.metrics_allow, "loopback");
    assert_string_equal(c.recording_url_hosts, "storage.vapi.ai,api.twilio.com");
    assert_false(c.recording_url_allow_http);
    assert_false(c.recording_url_allow_private);

    /* Defaults alone lack the two required settings, and say so. */
    capture_start();
    int problems = config_validate(&c);
    const char *err = capture_end();
    assert_int_equal(problems, 2);
    assert_int_equal(count_lines(err), 2);
    assert_contains(err, "config: SWITCHBOARD_DATABASE_URL: is required\n");
    assert_contains(err, "config: SWITCHBOARD_SECRET_KEY: is required");
    config_free(&c);
    assert_null(c.listen);
    assert_null(c.metrics_allow);
}

/* A TCP listen other than loopback lets any host that reaches it speak FastCGI to
 * the pool (and pass for nginx), so it needs an explicit listen_allow_remote. */
static void test_listen_remote_refused(void **state)
{
    static const char *const loopback[] = { "127.0.0.1:9000", "127.1.2.3:9000", "localhost:9000", "[::1]:9000",
                                            "::1:9000" };
    for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++) {
        struct config c;
        valid_config(&c);
        assert_null(config_set(&c, "listen", loopback[i]));
        assert_true(config_listen_is_loopback(loopback[i]));
        assert_int_equal(config_validate(&c), 0);
        config_free(&c);
    }
    static const char *const remote[] = { "0.0.0.0:9000", "[::]:9000", "10.0.0.5:9000", "app.internal:9000",
                                          "128.0.0.1:9000" };
    for (size_t i = 0; i < sizeof remote / sizeof remote[0]; i++) {
        struct config c;
        valid_config(&c);
        assert_null(config_set(&c, "listen", remote[i]));
        assert_false(config_listen_is_loopback(remote[i]));
        capture_start();
        int problems = config_validate(&c);
        const char *err = capture_end();
        assert_int_equal(problems, 1);
        assert_int_equal(count_lines(err), 1);
        assert_contains(err, "config: SWITCHBOARD_LISTEN: '");
        assert_contains(err, remote[i]);
        assert_contains(err, "set listen_allow_remote = yes");
        assert_null(config_set(&c, "listen_allow_remote", "yes"));
        assert_int_equal(config_validate(&c), 0);
        config_free(&c);
    }
    struct config c;
    valid_config(&c);
    assert_false(c.listen_allow_remote);
    assert_int_equal(config_validate(&c), 0); /* the default unix socket needs nothing */
    config_free(&c);
}

static void test_listen_group(void **state)
{
    struct config c;
    valid_config(&c);
    gid_t gid;
    assert_string_equal(c.listen_group, "");
    assert_int_equal(config_listen_gid(&c, &gid), 0); /* www-data or our own group */
    assert_null(config_set(&c, "listen_group", "root"));
    assert_int_equal(config_listen_gid(&c, &gid), 0);
    assert_int_equal(gid, 0);
    assert_null(config_set(&c, "listen_group", "no-such-group-sbt"));
    assert_int_equal(config_listen_gid(&c, &gid), -1);
    capture_start();
    int problems = config_validate(&c);
    const char *err = capture_end();
    assert_int_equal(problems, 1);
    assert_contains(err, "config: SWITCHBOARD_LISTEN_GROUP: names no group\n");
    config_free(&c);
}

static void test_set_values(void **state)
{
    const struct {
        const char *key, *value, *error;
    } cases[] = {
        { "workers", "8", NULL },
        { "workers", " 16 ", NULL }, /* surrounding spaces trimmed */
        { "workers", "1", NULL },
        { "workers", "256", NULL },
        { "workers", "0", "is out of range" },
        { "workers", "257", "is out of range" },
        { "workers", "-4", "is out of range" },
        { "workers", "8x", "must be a whole number" },
        { "workers", "", "must be a whole number" },
        { "workers", "0x10", "must be a whole number" },
        { "workers", "4.0", "must be a whole number" },
        { "workers", "99999999999999999999", "must be a whole number" },
        { "max_requests", "0", NULL },
        { "max_requests", "9223372036854775807", NULL },
        { "max_requests", "-1", "is out of range" },
        { "body_limit", "1024", NULL },
        { "body_limit", "1023", "is out of range" },
        { "body_limit", "1073741825", "is out of range" },
        { "upload_limit", "4294967296", NULL },
        { "upload_limit", "4294967297", "is out of range" },
        { "scrypt_log2_n", "13", "is out of range" },
        { "scrypt_log2_n", "14", NULL },
        { "scrypt_log2_n", "21", "is out of range" },
        { "session_lifetime_s", "59", "is out of range" },
        { "log_level", "debug", NULL },
        { "recording_url_allow_http", "true", NULL },
        { "recording_url_allow_http", " YES ", NULL },
        { "recording_url_allow_http", "maybe", "must be true or false" },
        { "recording_url_allow_http", "", "must be true or false" },
        { "recording_url_allow_private", "on", NULL },
        { "recording_url_allow_private", "off", NULL },
        { "recording_url_allow_private", "1", "must be true or false" },
        { "no_such_key", "1", "unknown setting" },
        { "WORKERS", "1", "unknown setting" }, /* keys are lower-case */
        { "", "1", "unknown setting" },
    };
    struct config c;
    config_defaults(&c);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *err = config_set(&c, cases[i].key, cases[i].value);
        if (cases[i].error == NULL && err != NULL)
            fail_msg("%s=\"%s\": unexpected error \"%s\"", cases[i].key, cases[i].value, err);
        if (cases[i].error != NULL && (err == NULL || strcmp(err, cases[i].error) != 0))
            fail_msg("%s=\"%s\": error \"%s\", want \"%s\"", cases[i].key, cases[i].value, err ? err : "(none)",
                     cases[i].error);
    }
    /* A rejected value leaves the previous one. */
    assert_int_equal(c.workers, 256);
    assert_int_equal(c.body_limit, 1024);
    assert_int_equal(c.upload_limit, 4294967296L);
    assert_int_equal(c.scrypt_log2_n, 14);
    assert_int_equal(c.max_requests, 9223372036854775807L);
    assert_string_equal(c.log_level, "debug");
    assert_true(c.recording_url_allow_http);     /* "maybe" and "" left "YES" */
    assert_false(c.recording_url_allow_private); /* "1" left "off" */
    /* Strings are copied and replaced (ASan would see a leak or double free). */
    char buf[8] = "abc";
    assert_null(config_set(&c, "listen", buf));
    buf[0] = 'X';
    assert_string_equal(c.listen, "abc");
    assert_null(config_set(&c, "listen", "127.0.0.1:9000"));
    assert_string_equal(c.listen, "127.0.0.1:9000");
    config_free(&c);
}

static void test_file_parsing(void **state)
{
    const char *path = write_conf("# Switchboard configuration\n"
                                  "\n"
                                  "   # indented comment\n"
                                  "database_url = postgres://app@localhost/sb?sslmode=disable&x=y\n"
                                  "secret_key=\"" GOOD_SECRET "\"\n"
                                  "\tworkers\t=\t12\t\n"
                                  "listen = 127.0.0.1:9000\r\n"
                                  "log_level = \"warn\"\n"
                                  "template_dir = /srv/t\n"
                                  "metrics_allow = admin-key-only"); /* no final newline */
    struct config c;
    config_defaults(&c);
    capture_start();
    int rc = config_load(&c, path, true);
    const char *err = capture_end();
    unlink(path);
    assert_string_equal(err, "");
    assert_int_equal(rc, 0);
    assert_string_equal(c.database_url, "postgres://app@localhost/sb?sslmode=disable&x=y");
    assert_string_equal(c.secret_key, GOOD_SECRET); /* quotes removed */
    assert_int_equal(c.workers, 12);
    assert_string_equal(c.listen, "127.0.0.1:9000"); /* CRLF trimmed */
    assert_string_equal(c.log_level, "warn");
    assert_string_equal(c.template_dir, "/srv/t");
    assert_string_equal(c.metrics_allow, "admin-key-only");
    assert_int_equal(c.max_requests, 10000); /* untouched keys keep defaults */
    config_free(&c);
}

static void test_file_problems_each_reported(void **state)
{
    const char *path = write_conf("database_url = postgres:///x\n"  /* 1 */
                                  "secret_key = " GOOD_SECRET "\n"  /* 2 */
                                  "colour = blue\n"                 /* 3: unknown */
                                  "workers = many\n"                /* 4: bad number */
                                  "body_limit = 10\n"               /* 5: out of range */
                                  "just some words\n"               /* 6: no '=' */
                                  "# fine\n"                        /* 7 */
                                  "workers = 3\n");                 /* 8: fine */
    char saved[64];
    snprintf(saved, sizeof saved, "%s", path);
    struct config c;
    config_defaults(&c);
    capture_start();
    int rc = config_load(&c, saved, true);
    const char *err = capture_end();
    unlink(saved);
    assert_int_equal(rc, -1);
    assert_int_equal(count_lines(err), 4);
    char want[160];
    snprintf(want, sizeof want, "config: %s:3: unknown setting 'colour'\n", saved);
    assert_contains(err, want);
    snprintf(want, sizeof want, "config: %s:4: SWITCHBOARD_WORKERS: must be a whole number\n", saved);
    assert_contains(err, want);
    snprintf(want, sizeof want, "config: %s:5: SWITCHBOARD_BODY_LIMIT: is out of range\n", saved);
    assert_contains(err, want);
    snprintf(want, sizeof want, "config: %s:6: expected 'key = value'\n", saved);
    assert_contains(err, want);
    assert_int_equal(c.workers, 3);
    config_free(&c);
}

static void test_missing_file(void **state)
{
    struct config c;
    valid_config(&c);
    capture_start();
    int rc = config_load(&c, "/nonexistent/switchboard-test.conf", false);
    const char *err = capture_end();
    assert_int_equal(rc, 0); /* optional and absent: fine */
    assert_string_equal(err, "");

    capture_start();
    rc = config_load(&c, "/nonexistent/switchboard-test.conf", true);
    err = capture_end();
    assert_int_equal(rc, -1);
    assert_contains(err, "config: /nonexistent/switchboard-test.conf: cannot open: ");
    assert_int_equal(count_lines(err), 1);
    config_free(&c);
}

static void test_env_overrides_file(void **state)
{
    const char *path = write_conf("database_url = postgres:///file\nsecret_key = " GOOD_SECRET "\nworkers = 2\n");
    char saved[64];
    snprintf(saved, sizeof saved, "%s", path);
    setenv("SWITCHBOARD_WORKERS", "7", 1);
    setenv("SWITCHBOARD_DATABASE_URL", "postgres:///env", 1);
    setenv("SWITCHBOARD_LOGIN_WINDOW_S", "60", 1);
    struct config c;
    config_defaults(&c);
    capture_start();
    int rc = config_load(&c, saved, true);
    const char *err = capture_end();
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    assert_int_equal(c.workers, 7);
    assert_string_equal(c.database_url, "postgres:///env");
    assert_int_equal(c.login_window_s, 60);
    assert_string_equal(c.secret_key, GOOD_SECRET);
    config_free(&c);

    /* A bad environment value is reported by its variable name. */
    setenv("SWITCHBOARD_WORKERS", "lots", 1);
    setenv("SWITCHBOARD_SCRYPT_LOG2_N", "30", 1);
    config_defaults(&c);
    capture_start();
    rc = config_load(&c, saved, true);
    err = capture_end();
    unlink(saved);
    assert_int_equal(rc, -1);
    assert_int_equal(count_lines(err), 2);
    assert_contains(err, "config: SWITCHBOARD_WORKERS: must be a whole number\n");
    assert_contains(err, "config: SWITCHBOARD_SCRYPT_LOG2_N: is out of range\n");
    config_free(&c);
    clear_env();
}

static void test_env_only(void **state)
{
    setenv("SWITCHBOARD_DATABASE_URL", "postgres:///only-env", 1);
    setenv("SWITCHBOARD_SECRET_KEY", GOOD_SECRET "-and-more", 1);
    struct config c;
    config_defaults(&c);
    capture_start();
    int rc = config_load(&c, NULL, false);
    const char *err = capture_end();
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    assert_string_equal(c.database_url, "postgres:///only-env");
    config_free(&c);

    /* Validation runs after the environment: a short secret from env is refused. */
    setenv("SWITCHBOARD_SECRET_KEY", "short", 1);
    config_defaults(&c);
    capture_start();
    rc = config_load(&c, NULL, false);
    err = capture_end();
    assert_int_equal(rc, -1);
    assert_string_equal(err, "config: SWITCHBOARD_SECRET_KEY: must be at least 32 bytes\n");
    config_free(&c);
    clear_env();
}

/* Applies one key=value to a valid config and returns config_validate's stderr. */
static int validate_with(const char *key, const char *value, const char **err)
{
    struct config c;
    valid_config(&c);
    if (key) assert_null(config_set(&c, key, value));
    capture_start();
    int n = config_validate(&c);
    *err = capture_end();
    config_free(&c);
    return n;
}

static void test_validation_messages(void **state)
{
    const struct {
        const char *key, *value;
        const char *message; /* NULL: valid */
    } cases[] = {
        { NULL, NULL, NULL },
        { "secret_key", "0123456789abcdef0123456789abcde", "config: SWITCHBOARD_SECRET_KEY: must be at least 32 bytes\n" },
        { "secret_key", GOOD_SECRET, NULL },
        { "secret_key", "", "config: SWITCHBOARD_SECRET_KEY: is required (at least 32 bytes)\n" },
        { "database_url", "", "config: SWITCHBOARD_DATABASE_URL: is required\n" },
        { "listen", "unix:/run/sb.sock", NULL },
        { "listen", "127.0.0.1:8080", NULL },
        { "listen", "[::1]:9000", NULL },
        { "listen", "localhost:1", NULL },
        { "listen", "localhost:65535", NULL },
        { "listen", "unix:relative.sock", "config: SWITCHBOARD_LISTEN: must be unix:/absolute/path or host:port (port 1-65535)\n" },
        { "listen", "localhost:0", "config: SWITCHBOARD_LISTEN: must be unix:/absolute/path or host:port (port 1-65535)\n" },
        { "listen", "localhost:65536", "config: SWITCHBOARD_LISTEN: must be unix:/absolute/path or host:port (port 1-65535)\n" },
        { "listen", "localhost", "config: SWITCHBOARD_LISTEN: must be unix:/absolute/path or host:port (port 1-65535)\n" },
        { "listen", ":8080", "config: SWITCHBOARD_LISTEN: must be unix:/absolute/path or host:port (port 1-65535)\n" },
        { "listen", "host:80x", "config: SWITCHBOARD_LISTEN: must be unix:/absolute/path or host:port (port 1-65535)\n" },
        { "listen", "", "config: SWITCHBOARD_LISTEN: must be unix:/absolute/path or host:port (port 1-65535)\n" },
        { "log_level", "error", NULL },
        { "log_level", "verbose", "config: SWITCHBOARD_LOG_LEVEL: must be debug, info, warn or error\n" },
        { "metrics_allow", "everyone", "config: SWITCHBOARD_METRICS_ALLOW: must be loopback or admin-key-only\n" },
        { "session_idle_timeout_s", "43201", "config: SWITCHBOARD_SESSION_IDLE_TIMEOUT_S: must not exceed session_lifetime_s\n" },
        { "session_idle_timeout_s", "43200", NULL },
        { "template_dir", "", "config: SWITCHBOARD_TEMPLATE_DIR: must not be empty\n" },
        { "static_dir", "", "config: SWITCHBOARD_STATIC_DIR: must not be empty\n" },
        { "sql_dir", "", "config: SWITCHBOARD_SQL_DIR: must not be empty\n" },
        { "recordings_dir", "", "config: SWITCHBOARD_RECORDINGS_DIR: must not be empty\n" },
        { "recording_url_hosts", "storage.vapi.ai", NULL },
        { "recording_url_hosts", " .vapi.ai , api.twilio.com,127.0.0.1 ", NULL },
        { "recording_url_hosts", "Media-1.Example.COM,", NULL }, /* a trailing comma is harmless */
        { "recording_url_hosts", "", "config: SWITCHBOARD_RECORDING_URL_HOSTS: must name at least one host\n" },
        { "recording_url_hosts", "a.example,,b.example",
          "config: SWITCHBOARD_RECORDING_URL_HOSTS: '(empty)' is not a host name (want host names or .suffixes, comma-separated)\n" },
        { "recording_url_hosts", "https://storage.vapi.ai",
          "config: SWITCHBOARD_RECORDING_URL_HOSTS: 'https://storage.vapi.ai' is not a host name (want host names or .suffixes, comma-separated)\n" },
        { "recording_url_hosts", "storage.vapi.ai,*.twilio.com",
          "config: SWITCHBOARD_RECORDING_URL_HOSTS: '*.twilio.com' is not a host name (want host names or .suffixes, comma-separated)\n" },
        { "recording_url_hosts", ".",
          "config: SWITCHBOARD_RECORDING_URL_HOSTS: '.' is not a host name (want host names or .suffixes, comma-separated)\n" },
        { "recording_url_hosts", "a..example",
          "config: SWITCHBOARD_RECORDING_URL_HOSTS: 'a..example' is not a host name (want host names or .suffixes, comma-separated)\n" },
        { "recording_url_hosts", "example.com.",
          "config: SWITCHBOARD_RECORDING_URL_HOSTS: 'example.com.' is not a host name (want host names or .suffixes, comma-separated)\n" },
        { "recording_url_hosts", "storage.vapi.ai api.twilio.com",
          "config: SWITCHBOARD_RECORDING_URL_HOSTS: 'storage.vapi.ai api.twilio.com' is not a host name (want host names or .suffixes, comma-separated)\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *err;
        int n = validate_with(cases[i].key, cases[i].value, &err);
        if (!cases[i].message) {
            if (n != 0) fail_msg("%s=\"%s\" should be valid, got: %s", cases[i].key, cases[i].value, err);
            assert_string_equal(err, "");
        } else {
            if (n != 1) fail_msg("%s=\"%s\": %d problems: %s", cases[i].key, cases[i].value, n, err);
            assert_string_equal(err, cases[i].message);
        }
    }
}

static void test_unix_socket_path_fits_sun_path(void **state)
{
    /* sun_path holds 108 bytes with the NUL: a 107-byte path is the longest. */
    char listen[200];
    memcpy(listen, "unix:/", 6);
    memset(listen + 6, 'a', 106);
    listen[112] = '\0';
    assert_int_equal(strlen(listen) - 5, 107);
    const char *err;
    assert_int_equal(validate_with("listen", listen, &err), 0);
    listen[112] = 'a';
    listen[113] = '\0';
    assert_int_equal(validate_with("listen", listen, &err), 1);
    assert_contains(err, "SWITCHBOARD_LISTEN");
}

static void test_validation_counts_every_problem(void **state)
{
    struct config c;
    config_defaults(&c);
    assert_null(config_set(&c, "secret_key", "too short"));
    assert_null(config_set(&c, "listen", "nowhere"));
    assert_null(config_set(&c, "log_level", "loud"));
    assert_null(config_set(&c, "sql_dir", ""));
    capture_start();
    int n = config_validate(&c);
    const char *err = capture_end();
    assert_int_equal(n, 5); /* + database_url missing */
    assert_int_equal(count_lines(err), 5);
    config_free(&c);
}

static void test_secret_never_echoed(void **state)
{
    /* A problem with the secret names the variable but never prints its value. */
    const char *err;
    assert_int_equal(validate_with("secret_key", "hunter2-short-secret", &err), 1);
    assert_null(strstr(err, "hunter2"));
}

static void test_key_is_secret(void **state)
{
    assert_true(config_key_is_secret("secret_key"));
    assert_true(config_key_is_secret("database_url"));
    assert_true(config_key_is_secret("admin_database_url"));
    static const char *const public_keys[] = { "listen", "workers", "log_level", "template_dir", "metrics_allow",
                                               "SECRET_KEY", "secret_key ", "" };
    for (size_t i = 0; i < sizeof public_keys / sizeof public_keys[0]; i++)
        assert_false(config_key_is_secret(public_keys[i]));
}

static void test_recording_settings_from_file_and_env(void **state)
{
    const char *path = write_conf("database_url = postgres:///x\nsecret_key = " GOOD_SECRET "\n"
                                  "recording_url_hosts = \".vapi.ai, api.twilio.com\"\n"
                                  "recording_url_allow_http = true\n");
    char saved[64];
    snprintf(saved, sizeof saved, "%s", path);
    setenv("SWITCHBOARD_RECORDING_URL_ALLOW_PRIVATE", "true", 1);
    struct config c;
    config_defaults(&c);
    capture_start();
    int rc = config_load(&c, saved, true);
    const char *err = capture_end();
    assert_string_equal(err, "");
    assert_int_equal(rc, 0);
    assert_string_equal(c.recording_url_hosts, ".vapi.ai, api.twilio.com");
    assert_true(c.recording_url_allow_http);
    assert_true(c.recording_url_allow_private);
    config_free(&c);

    /* Bad values: one line each, naming the variable, and the load fails. */
    setenv("SWITCHBOARD_RECORDING_URL_ALLOW_PRIVATE", "sometimes", 1);
    setenv("SWITCHBOARD_RECORDING_URL_HOSTS", "storage.vapi.ai;api.twilio.com", 1);
    config_defaults(&c);
    capture_start();
    rc = config_load(&c, saved, true);
    err = capture_end();
    unlink(saved);
    assert_int_equal(rc, -1);
    assert_int_equal(count_lines(err), 2);
    assert_contains(err, "config: SWITCHBOARD_RECORDING_URL_ALLOW_PRIVATE: must be true or false\n");
    assert_contains(err, "config: SWITCHBOARD_RECORDING_URL_HOSTS: 'storage.vapi.ai;api.twilio.com' is not a host name");
    assert_false(c.recording_url_allow_private); /* the bad value was not taken */
    config_free(&c);
    clear_env();
}

static void test_recording_host_matching(void **state)
{
    struct config c;
    valid_config(&c);
    assert_null(config_set(&c, "recording_url_hosts", "api.twilio.com, .vapi.ai,127.0.0.1"));
    static const char *const allowed[] = { "api.twilio.com", "API.Twilio.COM", "storage.vapi.ai", "a.b.vapi.ai",
                                           "127.0.0.1" };
    static const char *const refused[] = { "vapi.ai", /* a .suffix names subdomains only */
                                           "evilvapi.ai", "storage.vapi.ai.evil.example", "twilio.com",
                                           "xapi.twilio.com", "api.twilio.com.", "127.0.0.2", "localhost", "" };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (!config_recording_host_allowed(&c, allowed[i])) fail_msg("%s should be allowed", allowed[i]);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (config_recording_host_allowed(&c, refused[i])) fail_msg("'%s' should be refused", refused[i]);
    config_free(&c);
}

/* recording_url_refusal (src/jobs) applies the settings above to a whole URL with
 * libcurl's own parser, so tricks that fool naive parsers name the real host. */
static void test_recording_url_refusal(void **state)
{
    struct config c;
    valid_config(&c);
    struct arena a;
    arena_init(&a, 4096);
    const struct {
        const char *url;
        const char *refusal; /* substring; NULL: allowed */
    } cases[] = {
        { "https://storage.vapi.ai/abc-mono.wav", NULL },
        { "https://STORAGE.VAPI.AI:443/abc.wav?x=1", NULL },
        { "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", NULL },
        { "https://user:pw@api.twilio.com/x", NULL },
        { "http://storage.vapi.ai/abc.wav", "scheme 'http' is not allowed (https only" },
        { "ftp://storage.vapi.ai/abc.wav", "scheme 'ftp' is not allowed" },
        { "file:///etc/passwd", "not an absolute http(s) URL" },
        { "/relative/path.wav", "not an absolute http(s) URL" },
        { "", "not an absolute http(s) URL" },
        { "https://evil.example/x.wav", "host 'evil.example' is not in recording_url_hosts" },
        { "https://storage.vapi.ai@evil.example/x.wav", "host 'evil.example'" },
        { "https://evil.example#@storage.vapi.ai/x.wav", "host 'evil.example'" },
        { "https://evil.example?@storage.vapi.ai/x.wav", "host 'evil.example'" },
        { "https://storage.vapi.ai.evil.example/x.wav", "host 'storage.vapi.ai.evil.example'" },
        { "https://169.254.169.254/latest/meta-data/", "host '169.254.169.254'" },
        { "https://[::1]/x.wav", "is not in recording_url_hosts" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = recording_url_refusal(&a, &c, NULL, cases[i].url);
        if (!cases[i].refusal && why) fail_msg("%s: refused: %s", cases[i].url, why);
        if (cases[i].refusal && (!why || !strstr(why, cases[i].refusal)))
            fail_msg("%s: got \"%s\", want \"%s\"", cases[i].url, why ? why : "(allowed)", cases[i].refusal);
    }
    /* Plain http only when allowed, and then still only to listed hosts. */
    assert_null(config_set(&c, "recording_url_allow_http", "true"));
    assert_null(recording_url_refusal(&a, &c, NULL, "http://storage.vapi.ai/abc.wav"));
    assert_non_null(recording_url_refusal(&a, &c, NULL, "http://evil.example/abc.wav"));
    assert_non_null(recording_url_refusal(&a, &c, NULL, "ftp://storage.vapi.ai/abc.wav"));
    /* The org's own list (""/NULL: the configuration's) replaces recording_url_hosts. */
    assert_null(recording_url_refusal(&a, &c, "", "https://storage.vapi.ai/abc.wav"));
    assert_null(recording_url_refusal(&a, &c, "rec.example.org,.cdn.example", "https://REC.example.org/a.wav"));
    assert_null(recording_url_refusal(&a, &c, "rec.example.org,.cdn.example", "https://eu.cdn.example/a.wav"));
    const char *why = recording_url_refusal(&a, &c, "rec.example.org", "https://storage.vapi.ai/abc.wav");
    assert_non_null(why);
    assert_non_null(strstr(why, "host 'storage.vapi.ai' is not in the org's recording download hosts"));
    assert_non_null(recording_url_refusal(&a, &c, "rec.example.org", "ftp://rec.example.org/a.wav"));
    arena_destroy(&a);
    config_free(&c);
}

static bool private_address(const char *text)
{
    struct sockaddr_storage ss = { 0 };
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
    } else {
        assert_int_equal(inet_pton(AF_INET6, text, &v6->sin6_addr), 1);
        v6->sin6_family = AF_INET6;
    }
    return recording_address_private((struct sockaddr *)&ss);
}

static void test_recording_private_addresses(void **state)
{
    static const char *const inside[] = {
        "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "192.0.0.8", "198.18.0.1", "224.0.0.1", "255.255.255.255", "::1", "::",
        "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "64:ff9b::a9fe:a9fe",
    };
    static const char *const outside[] = { "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.128.0.1",
                                            "192.169.0.1", "2606:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8" };
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++)
        if (!private_address(inside[i])) fail_msg("%s should count as private", inside[i]);
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        if (private_address(outside[i])) fail_msg("%s should count as public", outside[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen_remote_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_parsing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_problems_each_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_overrides_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unix_socket_path_fits_sun_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation_counts_every_problem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_never_echoed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_is_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recording_settings_from_file_and_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recording_host_matching, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recording_url_refusal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recording_private_addresses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
