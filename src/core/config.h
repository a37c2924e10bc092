/* config.h — settings from a key = value file overridden by SWITCHBOARD_* env. */
#ifndef SB_CONFIG_H
#define SB_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CONFIG_DEFAULT_PATH "/etc/switchboard/switchboard.conf"

struct config {
    char *database_url;        /* app role (RLS applies) */
    char *admin_database_url;  /* owner role for migrate/seed/CLI; defaults to database_url */
    char *secret_key;          /* >= 32 bytes; signs CSRF tokens, URLs; never logged */
    char *listen;              /* "unix:/path/sock" or "host:port" */
    /* FastCGI has no authentication: whoever reaches the socket is trusted as nginx. */
    bool listen_allow_remote;  /* a TCP listen on a non-loopback address, default false */
    char *listen_group;        /* group shared with nginx's workers: the unix socket (0660,
                                  in a 0750 directory) and the recordings (0640 in 0750
                                  directories); "" = www-data if usable, else ours */
    int workers;               /* 1..256 */
    long max_requests;         /* recycle a worker after this many; 0 = never */
    int shutdown_timeout_s;    /* SIGTERM drain limit */
    int statement_timeout_ms;
    int slow_request_ms;       /* log such requests again with their SQL; 0 = never */
    int session_idle_timeout_s;
    int session_lifetime_s;
    long body_limit;           /* bytes, default 1 MiB */
    long upload_limit;         /* bytes for multipart, default 20 MiB */
    char *template_dir;
    char *static_dir;
    char *sql_dir;
    char *recordings_dir;
    char *log_level;
    int scrypt_log2_n;         /* scrypt cost, 14..20 */
    int login_max_failures_email; /* default 5 */
    int login_max_failures_ip;    /* default 20 */
    int login_window_s;           /* default 900 */
    char *metrics_allow;       /* "loopback" (default) or "admin-key-only" */
    /* Jobs (switchboard worker) and recordings. */
    long recording_max_bytes;  /* download size limit, default 100 MiB */
    int recording_url_ttl_s;   /* lifetime of a signed recording URL, default 300 */
    int http_timeout_s;        /* total time of one outbound HTTP request, default 30 */
    int worker_poll_s;         /* queue poll when no NOTIFY arrives, default 5 */
    int job_lease_s;           /* a claimed job is re-run after this; > http_timeout_s */
    int job_backoff_ms;        /* first retry delay, doubled per attempt, with jitter */
    int job_max_attempts;      /* attempts before a job is dead, default 5 */
    /* Where recording_download may fetch from: a provider webhook names the URL, so
     * an unchecked one would let its sender make the worker fetch anything. */
    char *recording_url_hosts;        /* "host,.suffix,..." (default: Vapi's and Twilio's) */
    bool recording_url_allow_http;    /* plain http too (local testing only), default false */
    bool recording_url_allow_private; /* loopback/private/link-local addresses, default false */
    /* Outbound webhooks: the same address rules as recordings (https only, no private
     * addresses, no redirects followed), relaxed only for local testing. */
    bool webhook_url_allow_http;
    bool webhook_url_allow_private;
    int webhook_disable_after; /* failed attempts in a row that disable an endpoint, default 50 */
    /* This site's address as providers reach it ("https://ops.example.com"): the
     * campaign sender's status callback URLs. Empty: messages go without callbacks. */
    char *public_url;
    int provider_breaker_open_s; /* a provider's open breaker waits this long to probe, default 30 */
};

/* Fills c with defaults. */
void config_defaults(struct config *c);
/* Loads the file (if path non-NULL; a missing default file is not an error when
 * required is false), then the environment, then validates. On any problem writes
 * one "config: KEY: reason" line per problem to stderr and returns -1. */
int config_load(struct config *c, const char *path, bool required);
/* Validates c; writes problems to stderr; returns their count. */
int config_validate(const struct config *c);
/* Sets one key from text ("workers", "8"); returns NULL or an error message. */
const char *config_set(struct config *c, const char *key, const char *value);
/* true if host (as a URL names it; ASCII case ignored) is named by
 * recording_url_hosts: an entry equal to it, or a ".suffix" entry it ends with
 * (".vapi.ai" matches storage.vapi.ai, not vapi.ai). */
bool config_recording_host_allowed(const struct config *c, const char *host);
/* Whether host is in list ("host,.suffix,...", the recording_url_hosts syntax). */
bool config_host_in_list(const char *list, const char *host);
/* true if a "host:port" listen binds only loopback addresses (127.0.0.0/8, ::1,
 * localhost); false for an empty host (every address) and any other name. */
bool config_listen_is_loopback(const char *listen);
/* The group to give the socket and recordings: listen_group, else www-data when it
 * exists and this process may use it (root or a member), else the process's own
 * group. Returns 0, or -1 when listen_group names no group. */
int config_listen_gid(const struct config *c, gid_t *gid);
/* Frees strings owned by c. */
void config_free(struct config *c);
/* true for keys whose values must never be logged or printed. */
bool config_key_is_secret(const char *key);
#endif
