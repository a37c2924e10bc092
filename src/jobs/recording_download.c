/* recording_download.c — downloads a call recording over libcurl (allow-listed
 * hosts and schemes, no private addresses, timeouts, size limit, content-type check,
 * few redirects, each one checked) and stores it atomically. */
#include "recording_download.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../auth/org_secret.h"
#include "../core/arena.h"
#include "../core/buf.h"
#include "../db/db.h"

static const struct {
    const char *type, *ext, *canonical;
} audio_types[] = {
    { "audio/wav", "wav", "audio/wav" },   { "audio/x-wav", "wav", "audio/wav" },
    { "audio/wave", "wav", "audio/wav" },  { "audio/vnd.wave", "wav", "audio/wav" },
    { "audio/mpeg", "mp3", "audio/mpeg" }, { "audio/mp3", "mp3", "audio/mpeg" },
    { "audio/ogg", "ogg", "audio/ogg" },   { "audio/webm", "webm", "audio/webm" },
    { "audio/mp4", "m4a", "audio/mp4" },   { "audio/x-m4a", "m4a", "audio/mp4" },
    { "audio/m4a", "m4a", "audio/mp4" },
};

bool recording_type(str content_type, const char **ext, const char **canonical)
{
    str base, params;
    str_cut(content_type, ';', &base, &params);
    base = str_trim(base);
    for (size_t i = 0; i < sizeof audio_types / sizeof audio_types[0]; i++) {
        if (!str_case_eq(base, str_from(audio_types[i].type))) continue;
        *ext = audio_types[i].ext;
        *canonical = audio_types[i].canonical;
        return true;
    }
    return false;
}

#define RECORDING_MAX_REDIRECTS 3

/* IPv4 ranges that are not the public internet (host byte order). */
static bool ipv4_private(uint32_t a)
{
    static const struct {
        uint32_t net, mask;
    } ranges[] = {
        { 0x00000000, 0xff000000 }, /* 0/8 "this network" */
        { 0x0a000000, 0xff000000 }, /* 10/8 */
        { 0x64400000, 0xffc00000 }, /* 100.64/10 carrier-grade NAT */
        { 0x7f000000, 0xff000000 }, /* 127/8 loopback */
        { 0xa9fe0000, 0xffff0000 }, /* 169.254/16 link-local, cloud metadata */
        { 0xac100000, 0xfff00000 }, /* 172.16/12 */
        { 0xc0000000, 0xffffff00 }, /* 192.0.0/24 protocol assignments */
        { 0xc0a80000, 0xffff0000 }, /* 192.168/16 */
        { 0xc6120000, 0xfffe0000 }, /* 198.18/15 benchmarking */
        { 0xe0000000, 0xe0000000 }, /* 224/3 multicast, reserved, broadcast */
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if ((a & ranges[i].mask) == ranges[i].net) return true;
    return false;
}

static uint32_t ipv4_at(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

bool recording_address_private(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const void *)sa;
        return ipv4_private(ntohl(v4->sin_addr.s_addr));
    }
    if (sa->sa_family != AF_INET6) return true;
    const unsigned char *b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
    static const unsigned char zeros[12], mapped[12] = { [10] = 0xff, [11] = 0xff },
                               nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
    /* ::/96 (with :: and ::1), ::ffff:0:0/96 and 64:ff9b::/96 carry an IPv4 address. */
    if (!memcmp(b, zeros, 12) || !memcmp(b, mapped, 12) || !memcmp(b, nat64, 12))
        return ipv4_private(ipv4_at(b + 12));
    return (b[0] & 0xfe) == 0xfc                   /* fc00::/7 unique local */
           || (b[0] == 0xfe && (b[1] & 0x80) == 0x80) /* fe80::/10 link-local, fec0::/10 site-local */
           || b[0] == 0xff;                        /* ff00::/8 multicast */
}

bool url_origin_of(const char *url, struct url_origin *o)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
              strlen(scheme) < sizeof o->scheme && strlen(host) < sizeof o->host && strlen(port) < sizeof o->port;
    if (ok) {
        snprintf(o->scheme, sizeof o->scheme, "%s", scheme);
        snprintf(o->host, sizeof o->host, "%s", host);
        snprintf(o->port, sizeof o->port, "%s", port);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return ok;
}

const char *recording_url_refusal(struct arena *a, const struct config *cfg, const char *org_hosts, const char *url)
{
    struct url_origin o;
    if (!url_origin_of(url, &o)) return "not an absolute http(s) URL";
    bool http = strcmp(o.scheme, "http") == 0;
    struct buf e;
    buf_init(&e, a, 128);
    if (strcmp(o.scheme, "https") != 0 && !(http && cfg->recording_url_allow_http)) {
        buf_printf(&e, "scheme '%s' is not allowed (https%s)", o.scheme,
                   cfg->recording_url_allow_http ? " or http" : " only; see recording_url_allow_http");
        return buf_cstr(&e);
    }
    /* The org's own list (/admin/settings) replaces the configuration's default. */
    bool own = org_hosts && *org_hosts;
    if (own ? config_host_in_list(org_hosts, o.host) : config_recording_host_allowed(cfg, o.host)) return NULL;
    buf_printf(&e, "host '%s' is not in %s", o.host, own ? "the org's recording download hosts" : "recording_url_hosts");
    return buf_cstr(&e);
}

/* One transfer into a temporary file. */
struct fetch {
    CURL *curl;
    FILE *f;
    long max, got;
    bool too_big, bad_type;
    bool allow_private;
    char blocked_address[INET6_ADDRSTRLEN]; /* set when a connection was refused */
    const char *ext, *canonical;
};

/* Checks each address curl is about to connect to (every hop, after DNS, so a name
 * that resolves to an inside address is caught however it was spelled). */
curl_socket_t open_public_socket(bool allow_private, struct curl_sockaddr *addr, char blocked[INET6_ADDRSTRLEN])
{
    if (!allow_private && recording_address_private(&addr->addr)) {
        const struct sockaddr_in6 *v6 = (const void *)&addr->addr;
        const struct sockaddr_in *v4 = (const void *)&addr->addr;
        const void *in = addr->family == AF_INET6 ? (const void *)&v6->sin6_addr : (const void *)&v4->sin_addr;
        if (!inet_ntop(addr->family, in, blocked, INET6_ADDRSTRLEN)) snprintf(blocked, INET6_ADDRSTRLEN, "?");
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype, addr->protocol);
}

static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct fetch *f = arg;
    (void)purpose;
    return open_public_socket(f->allow_private, addr, f->blocked_address);
}

static bool is_redirect(long code)
{
    return code >= 300 && code < 400;
}

/* Checks the type once the first bytes arrive (headers are in by then), so a wrong
 * or oversize body is abandoned at once rather than downloaded. */
static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    struct fetch *f = arg;
    size_t len = size * n;
    long code = 0;
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
    if (is_redirect(code)) return len; /* a redirect's own body: we follow it ourselves */
    if (!f->ext) {
        char *type = NULL;
        curl_easy_getinfo(f->curl, CURLINFO_CONTENT_TYPE, &type);
        if (!type || !recording_type(str_from(type), &f->ext, &f->canonical)) {
            f->bad_type = true;
            return 0;
        }
    }
    if (f->got + (long)len > f->max) {
        f->too_big = true;
        return 0;
    }
    f->got += (long)len;
    return fwrite(p, 1, len, f->f);
}

/* The call's recording URL and, for Twilio, the basic-auth credentials. */
struct source {
    const char *url, *status, *provider;
    const char *hosts; /* the org's recording download hosts; "": the configuration's */
    str user, password;
};

static int load_source(struct job_ctx *c, const char *org_id, const char *call_id, struct source *s)
{
    struct dbres *r = db_q(c->db, c->a, "recording_source",
                           "SELECT coalesce(c.recording_url, ''), c.recording_status, c.provider,"
                           " (SELECT translate(encode(ciphertext, 'base64'), E'\\n', '') FROM org_secrets"
                           "   WHERE org_id = c.org_id AND key = 'twilio_account_sid'),"
                           " (SELECT translate(encode(ciphertext, 'base64'), E'\\n', '') FROM org_secrets"
                           "   WHERE org_id = c.org_id AND key = 'twilio_auth_token'),"
                           " (SELECT recording_download_hosts FROM orgs WHERE id = c.org_id)"
                           " FROM calls c WHERE c.id = $1::uuid AND c.org_id = $2::uuid AND c.deleted_at IS NULL",
                           call_id, org_id);
    if (!r) return -1;
    if (db_rows(r) == 0) return 0;
    s->url = db_cstr(r, 0, 0);
    s->status = db_cstr(r, 0, 1);
    s->provider = db_cstr(r, 0, 2);
    s->hosts = db_cstr(r, 0, 5);
    s->user = s->password = STR_NULL;
    if (strcmp(s->provider, "twilio") == 0 && !db_isnull(r, 0, 3) && !db_isnull(r, 0, 4)) {
        str key = str_from(c->cfg->secret_key), org = str_from(org_id);
        if (org_secret_open_b64(c->a, key, org, "twilio_account_sid", db_val(r, 0, 3), &s->user) != 0 ||
            org_secret_open_b64(c->a, key, org, "twilio_auth_token", db_val(r, 0, 4), &s->password) != 0)
            s->user = s->password = STR_NULL;
    }
    return 1;
}

static const char *call_id_of(struct arena *a, const char *payload)
{
    struct json_object *root = json_tokener_parse(payload), *v;
    const char *id = NULL;
    if (root && json_object_object_get_ex(root, "call_id", &v) && json_object_is_type(v, json_type_string))
        id = arena_strdup(a, json_object_get_string(v));
    json_object_put(root);
    return id && str_is_uuid(str_from(id)) ? id : NULL;
}

/* The options every hop shares. Redirects are followed by hand (download) so that
 * each hop's URL passes recording_url_refusal first. */
static void setup_curl(struct job_ctx *c, struct fetch *f, char *errbuf)
{
    CURL *h = f->curl;
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, c->cfg->recording_url_allow_http ? "http,https" : "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, f);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(c->cfg->http_timeout_s < 10 ? c->cfg->http_timeout_s : 10));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)c->cfg->http_timeout_s);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->cfg->recording_max_bytes);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "switchboard-worker");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

static bool same_origin(const char *a, const char *b)
{
    struct url_origin x, y;
    return url_origin_of(a, &x) && url_origin_of(b, &y) && strcmp(x.scheme, y.scheme) == 0 &&
           str_case_eq(str_from(x.host), str_from(y.host)) && strcmp(x.port, y.port) == 0;
}

/* Points the handle at one hop. Credentials go to the call's own URL's origin only
 * (Twilio redirects recordings to its storage, which must not see them). */
static void aim_curl(struct job_ctx *c, struct fetch *f, const struct source *s, const char *url)
{
    CURL *h = f->curl;
    f->blocked_address[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    bool credentials = s->user.len && same_origin(url, s->url);
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)(credentials ? CURLAUTH_BASIC : CURLAUTH_NONE));
    curl_easy_setopt(h, CURLOPT_USERNAME, credentials ? str_cstr(c->a, s->user) : NULL);
    curl_easy_setopt(h, CURLOPT_PASSWORD, credentials ? str_cstr(c->a, s->password) : NULL);
}

/* Classifies a finished transfer. */
static enum job_result transfer_result(struct job_ctx *c, struct fetch *f, CURLcode rc, const char *errbuf)
{
    long code = 0;
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
    struct buf e;
    buf_init(&e, c->a, 128);
    enum job_result res = JOB_FAILED;
    if (f->blocked_address[0] && rc == CURLE_COULDNT_CONNECT) {
        buf_printf(&e, "recording URL refused: %s is a loopback, private or link-local address"
                       " (see recording_url_allow_private)", f->blocked_address);
    } else if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        buf_printf(&e, "recording larger than %ld bytes", c->cfg->recording_max_bytes);
    } else if (f->bad_type) {
        buf_puts(&e, "not an audio content type");
    } else if (rc == CURLE_HTTP_RETURNED_ERROR) {
        buf_printf(&e, "HTTP %ld", code);
        if (code >= 500 || code == 408 || code == 429) res = JOB_RETRY;
    } else if (rc == CURLE_OK && is_redirect(code)) {
        buf_printf(&e, "HTTP %ld without a usable Location", code);
    } else if (rc == CURLE_OK) {
        if (f->got > 0 && f->ext) return JOB_DONE;
        buf_puts(&e, f->ext ? "empty recording" : "not an audio content type");
    } else {
        buf_printf(&e, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        bool permanent = rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT ||
                         rc == CURLE_TOO_MANY_REDIRECTS;
        if (!permanent) res = JOB_RETRY;
    }
    c->error = buf_cstr(&e);
    return res;
}

static const char *org_dir(struct job_ctx *c, const char *org_id, gid_t gid)
{
    struct buf d;
    buf_init(&d, c->a, 256);
    buf_printf(&d, "%s/%s", c->cfg->recordings_dir, org_id);
    const char *dir = buf_cstr(&d);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) return NULL;
    /* Also when it already existed (made before, or by seed): nginx serves the
     * files through its group, nobody else may read them. */
    if (chown(dir, (uid_t)-1, gid) != 0 || chmod(dir, 0750) != 0) return NULL;
    return dir;
}

/* "<what><why>" in the arena: the job's error (logged and kept in jobs.last_error).
 * It names a scheme or host, never the whole URL, whose query may hold a token. */
static const char *refused(struct job_ctx *c, const char *what, const char *why)
{
    struct buf e;
    buf_init(&e, c->a, 128);
    buf_puts(&e, what);
    buf_puts(&e, why);
    return buf_cstr(&e);
}

/* Where a finished hop redirects to (copied into the arena), or NULL. */
static const char *redirect_target(struct job_ctx *c, struct fetch *f, CURLcode rc)
{
    long code = 0;
    char *next = NULL;
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK || !is_redirect(code)) return NULL;
    if (curl_easy_getinfo(f->curl, CURLINFO_REDIRECT_URL, &next) != CURLE_OK || !next) return NULL;
    return arena_strdup(c->a, next);
}

/* Runs the transfer from the call's URL, following up to RECORDING_MAX_REDIRECTS
 * redirects, each refused (permanently) unless its URL is allowed too. */
static enum job_result transfer(struct job_ctx *c, struct fetch *f, const struct source *s, const char *errbuf)
{
    const char *url = s->url;
    for (int hop = 0;; hop++) {
        aim_curl(c, f, s, url);
        CURLcode rc = curl_easy_perform(f->curl);
        const char *next = redirect_target(c, f, rc);
        if (!next) return transfer_result(c, f, rc, errbuf);
        if (hop == RECORDING_MAX_REDIRECTS) {
            c->error = "too many redirects";
            return JOB_FAILED;
        }
        const char *refusal = recording_url_refusal(c->a, c->cfg, s->hosts, next);
        if (refusal) {
            c->error = refused(c, "redirect refused: ", refusal);
            return JOB_FAILED;
        }
        url = next;
    }
}

/* Downloads into dir/.<call_id>.tmp; true on success with f filled. */
static enum job_result download(struct job_ctx *c, const struct source *s, const char *tmp, struct fetch *f)
{
    f->f = fopen(tmp, "wb");
    if (!f->f) {
        c->error = "cannot write to recordings_dir";
        return JOB_RETRY;
    }
    f->curl = curl_easy_init();
    char errbuf[CURL_ERROR_SIZE] = "";
    setup_curl(c, f, errbuf);
    enum job_result res = transfer(c, f, s, errbuf);
    curl_easy_cleanup(f->curl);
    bool written = fflush(f->f) == 0 && fsync(fileno(f->f)) == 0;
    if (fclose(f->f) != 0) written = false;
    if (res == JOB_DONE && !written) {
        c->error = "cannot write to recordings_dir";
        res = JOB_RETRY;
    }
    return res;
}

static enum job_result store(struct job_ctx *c, const struct job *j, const char *call_id, const char *tmp,
                             const struct fetch *f, gid_t gid)
{
    struct buf rel, final;
    buf_init(&rel, c->a, 128);
    buf_printf(&rel, "%s/%s.%s", j->org_id, call_id, f->ext);
    buf_init(&final, c->a, 256);
    buf_printf(&final, "%s/%s", c->cfg->recordings_dir, buf_cstr(&rel));
    /* nginx serves it through the group it shares with us; nobody else reads it. */
    if (chown(tmp, (uid_t)-1, gid) != 0 || chmod(tmp, 0640) != 0) {
        c->error = "cannot set the recording's group and mode";
        return JOB_RETRY;
    }
    if (rename(tmp, buf_cstr(&final)) != 0) {
        c->error = "cannot move the recording into place";
        return JOB_RETRY;
    }
    char bytes[24];
    snprintf(bytes, sizeof bytes, "%ld", f->got);
    if (!db_q(c->db, c->a, "recording_stored",
              "UPDATE calls SET recording_status = 'stored', recording_path = $3, recording_bytes = $4::bigint,"
              " recording_content_type = $5, updated_at = now() WHERE id = $1::uuid AND org_id = $2::uuid",
              call_id, j->org_id, buf_cstr(&rel), bytes, f->canonical)) {
        c->error = db_last_message(c->db);
        return JOB_RETRY;
    }
    return JOB_DONE;
}

enum job_result recording_download_run(struct job_ctx *c, const struct job *j)
{
    const char *call_id = call_id_of(c->a, j->payload);
    if (!call_id || !*j->org_id) {
        c->error = "payload needs call_id and the job an org";
        return JOB_FAILED;
    }
    struct source s;
    int found = load_source(c, j->org_id, call_id, &s);
    if (found < 0) {
        c->error = db_last_message(c->db);
        return JOB_RETRY;
    }
    /* Deleted, already stored, or no URL: nothing to do. */
    if (found == 0 || strcmp(s.status, "stored") == 0 || !*s.url) return JOB_DONE;
    /* Before anything is created or fetched: a refused URL never becomes allowed by
     * retrying, so the job dies now (its log line and last_error say why). */
    const char *refusal = recording_url_refusal(c->a, c->cfg, s.hosts, s.url);
    if (refusal) {
        c->error = refused(c, "recording URL refused: ", refusal);
        return JOB_FAILED;
    }
    gid_t gid;
    const char *dir = config_listen_gid(c->cfg, &gid) == 0 ? org_dir(c, j->org_id, gid) : NULL;
    if (!dir) {
        c->error = "cannot create the org's recordings directory";
        return JOB_RETRY;
    }
    struct buf tmp;
    buf_init(&tmp, c->a, 256);
    buf_printf(&tmp, "%s/.%s.%ld.tmp", dir, call_id, (long)getpid());
    struct fetch f = { .max = c->cfg->recording_max_bytes, .allow_private = c->cfg->recording_url_allow_private };
    enum job_result res = download(c, &s, buf_cstr(&tmp), &f);
    if (res == JOB_DONE) res = store(c, j, call_id, buf_cstr(&tmp), &f, gid);
    if (res != JOB_DONE) unlink(buf_cstr(&tmp));
    return res;
}

void recording_download_dead(struct job_ctx *c, const struct job *j)
{
    const char *call_id = call_id_of(c->a, j->payload);
    if (!call_id || !*j->org_id) return;
    db_q(c->db, c->a, "recording_failed",
         "UPDATE calls SET recording_status = 'failed', updated_at = now()"
         " WHERE id = $1::uuid AND org_id = $2::uuid AND recording_status <> 'stored'",
         call_id, j->org_id);
}
