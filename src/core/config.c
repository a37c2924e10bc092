/* config.c — settings: defaults, then the file, then SWITCHBOARD_* environment,
 * then validation that reports every problem on its own line. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "str.h"

#ifndef SB_PKGDATADIR
#define SB_PKGDATADIR "/usr/local/share/switchboard"
#endif

enum kind { K_STR, K_INT, K_LONG, K_BOOL };

struct setting {
    const char *key;
    enum kind kind;
    size_t offset;
    long min, max; /* for numbers */
};

#define S(key) { #key, K_STR, offsetof(struct config, key), 0, 0 }
#define I(key, lo, hi) { #key, K_INT, offsetof(struct config, key), lo, hi }
#define L(key, lo, hi) { #key, K_LONG, offsetof(struct config, key), lo, hi }
#define B(key) { #key, K_BOOL, offsetof(struct config, key), 0, 0 }

static const struct setting settings[] = {
    S(database_url),
    S(admin_database_url),
    S(secret_key),
    S(listen),
    B(listen_allow_remote),
    S(listen_group),
    I(workers, 1, 256),
    L(max_requests, 0, LONG_MAX),
    I(shutdown_timeout_s, 1, 3600),
    I(statement_timeout_ms, 1, 3600000),
    I(slow_request_ms, 0, 3600000),
    I(session_idle_timeout_s, 1, 31536000),
    I(session_lifetime_s, 60, 31536000),
    L(body_limit, 1024, 1073741824L),
    L(upload_limit, 1024, 4294967296L),
    S(template_dir),
    S(static_dir),
    S(sql_dir),
    S(recordings_dir),
    S(log_level),
    I(scrypt_log2_n, 14, 20),
    I(login_max_failures_email, 1, 1000),
    I(login_max_failures_ip, 1, 100000),
    I(login_window_s, 1, 86400),
    S(metrics_allow),
    L(recording_max_bytes, 1024, 4294967296L),
    I(recording_url_ttl_s, 10, 86400),
    I(http_timeout_s, 1, 3600),
    I(worker_poll_s, 1, 3600),
    I(job_lease_s, 2, 86400),
    I(job_backoff_ms, 10, 3600000),
    I(job_max_attempts, 1, 100),
    S(recording_url_hosts),
    B(recording_url_allow_http),
    B(recording_url_allow_private),
    B(webhook_url_allow_http),
    B(webhook_url_allow_private),
    I(webhook_disable_after, 1, 100000),
    S(public_url),
    I(provider_breaker_open_s, 1, 3600),
};
#define SETTING_COUNT (sizeof settings / sizeof settings[0])

static const struct setting *find_setting(const char *key)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (strcmp(settings[i].key, key) == 0) return &settings[i];
    return NULL;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) abort();
    return p;
}

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    c->listen = xstrdup("unix:/run/switchboard/switchboard.sock");
    c->listen_allow_remote = false;
    c->listen_group = xstrdup("");
    c->workers = 4;
    c->max_requests = 10000;
    c->shutdown_timeout_s = 10;
    c->statement_timeout_ms = 5000;
    c->slow_request_ms = 500;
    c->session_idle_timeout_s = 1800;
    c->session_lifetime_s = 43200;
    c->body_limit = 1048576;
    c->upload_limit = 20971520;
    c->template_dir = xstrdup(SB_PKGDATADIR "/templates");
    c->static_dir = xstrdup(SB_PKGDATADIR "/static");
    c->sql_dir = xstrdup(SB_PKGDATADIR "/sql");
    c->recordings_dir = xstrdup("/var/lib/switchboard/recordings");
    c->log_level = xstrdup("info");
    c->scrypt_log2_n = 17;
    c->login_max_failures_email = 5;
    c->login_max_failures_ip = 20;
    c->login_window_s = 900;
    c->metrics_allow = xstrdup("loopback");
    c->recording_max_bytes = 104857600;
    c->recording_url_ttl_s = 300;
    c->http_timeout_s = 30;
    c->worker_poll_s = 5;
    c->job_lease_s = 300;
    c->job_backoff_ms = 10000;
    c->job_max_attempts = 5;
    c->webhook_disable_after = 50;
    /* Vapi serves recordings from its storage host, Twilio from its REST API host. */
    c->recording_url_hosts = xstrdup("storage.vapi.ai,api.twilio.com");
    c->recording_url_allow_http = false;
    c->recording_url_allow_private = false;
    c->public_url = xstrdup("");
    c->provider_breaker_open_s = 30;
}

static bool parse_bool(str v, bool *out)
{
    static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };
    for (size_t i = 0; i < 3; i++) {
        if (str_case_eq(v, str_from(yes[i]))) {
            *out = true;
            return true;
        }
        if (str_case_eq(v, str_from(no[i]))) {
            *out = false;
            return true;
        }
    }
    return false;
}

const char *config_set(struct config *c, const char *key, const char *value)
{
    const struct setting *s = find_setting(key);
    if (!s) return "unknown setting";
    char *field = (char *)c + s->offset;
    if (s->kind == K_STR) {
        char **slot = (char **)(void *)field;
        free(*slot);
        *slot = xstrdup(value);
        return NULL;
    }
    if (s->kind == K_BOOL) {
        if (!parse_bool(str_trim(str_from(value)), (bool *)(void *)field)) return "must be true or false";
        return NULL;
    }
    long v;
    if (!str_to_long(str_trim(str_from(value)), &v)) return "must be a whole number";
    if (v < s->min || v > s->max) return "is out of range";
    if (s->kind == K_INT) *(int *)(void *)field = (int)v;
    else *(long *)(void *)field = v;
    return NULL;
}

/* "secret_key" → "SWITCHBOARD_SECRET_KEY" */
static void env_name(const char *key, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "SWITCHBOARD_%s", key);
    for (size_t i = 12; i < n && i < cap; i++)
        if (out[i] >= 'a' && out[i] <= 'z') out[i] = (char)(out[i] - 32);
}

static void report(const char *where, const char *key, const char *problem)
{
    char name[96];
    env_name(key, name, sizeof name);
    if (where) fprintf(stderr, "config: %s: %s: %s\n", where, name, problem);
    else fprintf(stderr, "config: %s: %s\n", name, problem);
}

/* Removes matching surrounding double quotes. */
static str unquote(str v)
{
    if (v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"') return str_make(v.ptr + 1, v.len - 2);
    return v;
}

static int load_file(struct config *c, const char *path, bool required)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!required && errno == ENOENT) return 0;
        fprintf(stderr, "config: %s: cannot open: %s\n", path, strerror(errno));
        return 1;
    }
    int problems = 0, lineno = 0;
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t got = strlen(line);
        if (got == sizeof line - 1 && line[got - 1] != '\n' && !feof(f)) {
            /* Never parse the rest of an over-long line as lines of its own: a piece of
             * a secret could pass for a key and be echoed back in an error. */
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n') continue;
            fprintf(stderr, "config: %s:%d: line longer than %zu bytes\n", path, lineno, sizeof line - 2);
            problems++;
            continue;
        }
        str l = str_trim(str_from(line));
        if (l.len == 0 || l.ptr[0] == '#') continue;
        str key, value;
        char where[600];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if (!str_cut(l, '=', &key, &value)) {
            fprintf(stderr, "config: %s: expected 'key = value'\n", where);
            problems++;
            continue;
        }
        char k[64], v[8192];
        key = str_trim(key);
        value = unquote(str_trim(value));
        snprintf(k, sizeof k, "%.*s", STR_FMT(key));
        snprintf(v, sizeof v, "%.*s", STR_FMT(value));
        if (!find_setting(k)) {
            fprintf(stderr, "config: %s: unknown setting '%s'\n", where, k);
            problems++;
            continue;
        }
        const char *err = config_set(c, k, v);
        if (err) {
            report(where, k, err);
            problems++;
        }
    }
    fclose(f);
    return problems;
}

static int load_env(struct config *c)
{
    int problems = 0;
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        char name[96];
        env_name(settings[i].key, name, sizeof name);
        const char *v = getenv(name);
        if (!v) continue;
        const char *err = config_set(c, settings[i].key, v);
        if (err) {
            report(NULL, settings[i].key, err);
            problems++;
        }
    }
    return problems;
}

static bool valid_listen(const char *l)
{
    if (strncmp(l, "unix:", 5) == 0) return l[5] == '/' && strlen(l) < 5 + 108;
    const char *colon = strrchr(l, ':');
    if (!colon || colon == l) return false;
    long port;
    return str_to_long(str_from(colon + 1), &port) && port >= 1 && port <= 65535;
}

bool config_listen_is_loopback(const char *listen)
{
    const char *colon = strrchr(listen, ':');
    if (!colon) return false;
    char host[256];
    size_t n = (size_t)(colon - listen);
    if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']') {
        listen++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof host) return false;
    memcpy(host, listen, n);
    host[n] = '\0';
    if (strcmp(host, "localhost") == 0) return true;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, host, &a6) == 1 && memcmp(&a6, &in6addr_loopback, sizeof a6) == 0;
}

static bool may_use_group(gid_t gid)
{
    if (geteuid() == 0 || getegid() == gid) return true;
    gid_t groups[256];
    int n = getgroups(256, groups);
    for (int i = 0; i < n; i++)
        if (groups[i] == gid) return true;
    return false;
}

int config_listen_gid(const struct config *c, gid_t *gid)
{
    if (c->listen_group && *c->listen_group) {
        struct group *g = getgrnam(c->listen_group);
        if (!g) return -1;
        *gid = g->gr_gid;
        return 0;
    }
    /* Debian's nginx runs its workers as www-data. */
    struct group *g = getgrnam("www-data");
    *gid = g && may_use_group(g->gr_gid) ? g->gr_gid : getegid();
    return 0;
}

/* A host name or IPv4 address, optionally with a leading dot (suffix match):
 * letters, digits, '-' and '.', no empty label. */
static bool valid_host_entry(str e)
{
    if (e.len && e.ptr[0] == '.') e = str_make(e.ptr + 1, e.len - 1);
    if (e.len == 0 || e.len > 253) return false;
    char prev = '.';
    for (size_t i = 0; i < e.len; i++) {
        char ch = e.ptr[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                  (ch == '.' && prev != '.');
        if (!ok) return false;
        prev = ch;
    }
    return prev != '.';
}

/* The first malformed entry of a host list, or an empty str when all are fine;
 * *count gets the number of entries. */
static str bad_host_entry(const char *list, int *count)
{
    str rest = str_from(list), entry;
    *count = 0;
    while (rest.len) {
        str_cut(rest, ',', &entry, &rest);
        entry = str_trim(entry);
        if (!valid_host_entry(entry)) return entry.len ? entry : STR("(empty)");
        ++*count;
    }
    return STR_NULL;
}

bool config_recording_host_allowed(const struct config *c, const char *host)
{
    return config_host_in_list(c->recording_url_hosts, host);
}

bool config_host_in_list(const char *list, const char *host)
{
    str h = str_from(host), rest = str_from(list), entry;
    if (h.len == 0) return false;
    while (rest.len) {
        str_cut(rest, ',', &entry, &rest);
        entry = str_trim(entry);
        if (entry.len == 0) continue;
        if (entry.ptr[0] != '.') {
            if (str_case_eq(h, entry)) return true;
        } else if (h.len > entry.len && str_case_eq(str_make(h.ptr + h.len - entry.len, entry.len), entry)) {
            return true;
        }
    }
    return false;
}

int config_validate(const struct config *c)
{
    int problems = 0;
#define PROBLEM(key, msg) (report(NULL, key, msg), problems++)
    if (!c->database_url || !*c->database_url) PROBLEM("database_url", "is required");
    if (!c->secret_key || !*c->secret_key) PROBLEM("secret_key", "is required (at least 32 bytes)");
    else if (strlen(c->secret_key) < 32) PROBLEM("secret_key", "must be at least 32 bytes");
    if (!valid_listen(c->listen)) PROBLEM("listen", "must be unix:/absolute/path or host:port (port 1-65535)");
    else if (strncmp(c->listen, "unix:", 5) != 0 && !c->listen_allow_remote && !config_listen_is_loopback(c->listen)) {
        char msg[400];
        snprintf(msg, sizeof msg,
                 "'%.100s' is not a loopback address and FastCGI has no authentication (whoever reaches it"
                 " passes for nginx); set listen_allow_remote = yes if a firewall lets only nginx reach it",
                 c->listen);
        PROBLEM("listen", msg);
    }
    gid_t gid;
    if (c->listen_group && *c->listen_group && config_listen_gid(c, &gid) != 0)
        PROBLEM("listen_group", "names no group");
    enum log_level lvl;
    if (!log_level_parse(c->log_level, &lvl)) PROBLEM("log_level", "must be debug, info, warn or error");
    if (strcmp(c->metrics_allow, "loopback") != 0 && strcmp(c->metrics_allow, "admin-key-only") != 0)
        PROBLEM("metrics_allow", "must be loopback or admin-key-only");
    if (c->session_idle_timeout_s > c->session_lifetime_s)
        PROBLEM("session_idle_timeout_s", "must not exceed session_lifetime_s");
    /* A lease shorter than a download would hand a live job to a second worker. */
    if (c->job_lease_s <= c->http_timeout_s) PROBLEM("job_lease_s", "must exceed http_timeout_s");
    int hosts = 0;
    str bad = bad_host_entry(c->recording_url_hosts ? c->recording_url_hosts : "", &hosts);
    if (bad.len) {
        char msg[200];
        snprintf(msg, sizeof msg, "'%.*s' is not a host name (want host names or .suffixes, comma-separated)",
                 (int)(bad.len > 64 ? 64 : bad.len), bad.ptr);
        PROBLEM("recording_url_hosts", msg);
    } else if (hosts == 0) {
        PROBLEM("recording_url_hosts", "must name at least one host");
    }
    const char *dirs[] = { c->template_dir, c->static_dir, c->sql_dir, c->recordings_dir };
    const char *names[] = { "template_dir", "static_dir", "sql_dir", "recordings_dir" };
    for (int i = 0; i < 4; i++)
        if (!dirs[i] || !*dirs[i]) PROBLEM(names[i], "must not be empty");
#undef PROBLEM
    return problems;
}

int config_load(struct config *c, const char *path, bool required)
{
    int problems = path ? load_file(c, path, required) : 0;
    problems += load_env(c);
    /* Report every problem at once, not only the first kind: a setting that failed
     * to parse kept its default, so validation never reports it a second time. */
    problems += config_validate(c);
    return problems ? -1 : 0;
}

void config_free(struct config *c)
{
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        if (settings[i].kind != K_STR) continue;
        char **slot = (char **)(void *)((char *)c + settings[i].offset);
        free(*slot);
        *slot = NULL;
    }
}

bool config_key_is_secret(const char *key)
{
    return strcmp(key, "secret_key") == 0 || strcmp(key, "database_url") == 0 ||
           strcmp(key, "admin_database_url") == 0;
}
