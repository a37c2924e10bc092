/* recording_download.c — downloads a call recording over libcurl (timeouts, size
 * limit, content-type check, few redirects) and stores it atomically. */
#include "recording_download.h"

#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
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

/* One transfer into a temporary file. */
struct fetch {
    CURL *curl;
    FILE *f;
    long max, got;
    bool too_big, bad_type;
    const char *ext, *canonical;
};

/* Checks the type once the first bytes arrive (headers are in by then), so a wrong
 * or oversize body is abandoned at once rather than downloaded. */
static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    struct fetch *f = arg;
    size_t len = size * n;
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
    str user, password;
};

static int load_source(struct job_ctx *c, const char *org_id, const char *call_id, struct source *s)
{
    struct dbres *r = db_q(c->db, c->a, "recording_source",
                           "SELECT coalesce(c.recording_url, ''), c.recording_status, c.provider,"
                           " (SELECT translate(encode(ciphertext, 'base64'), E'\\n', '') FROM org_secrets"
                           "   WHERE org_id = c.org_id AND key = 'twilio_account_sid'),"
                           " (SELECT translate(encode(ciphertext, 'base64'), E'\\n', '') FROM org_secrets"
                           "   WHERE org_id = c.org_id AND key = 'twilio_auth_token')"
                           " FROM calls c WHERE c.id = $1::uuid AND c.org_id = $2::uuid AND c.deleted_at IS NULL",
                           call_id, org_id);
    if (!r) return -1;
    if (db_rows(r) == 0) return 0;
    s->url = db_cstr(r, 0, 0);
    s->status = db_cstr(r, 0, 1);
    s->provider = db_cstr(r, 0, 2);
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

static void setup_curl(struct job_ctx *c, struct fetch *f, const struct source *s, char *errbuf)
{
    CURL *h = f->curl;
    curl_easy_setopt(h, CURLOPT_URL, s->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(c->cfg->http_timeout_s < 10 ? c->cfg->http_timeout_s : 10));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)c->cfg->http_timeout_s);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->cfg->recording_max_bytes);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "switchboard-worker");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (s->user.len) {
        /* Credentials go to the provider's host only; curl drops them on a redirect
         * to another host (Twilio redirects recordings to its storage). */
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, str_cstr(c->a, s->user));
        curl_easy_setopt(h, CURLOPT_PASSWORD, str_cstr(c->a, s->password));
    }
}

/* Classifies a finished transfer. */
static enum job_result transfer_result(struct job_ctx *c, struct fetch *f, CURLcode rc, const char *errbuf)
{
    long code = 0;
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
    struct buf e;
    buf_init(&e, c->a, 128);
    enum job_result res = JOB_FAILED;
    if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        buf_printf(&e, "recording larger than %ld bytes", c->cfg->recording_max_bytes);
    } else if (f->bad_type) {
        buf_puts(&e, "not an audio content type");
    } else if (rc == CURLE_HTTP_RETURNED_ERROR) {
        buf_printf(&e, "HTTP %ld", code);
        if (code >= 500 || code == 408 || code == 429) res = JOB_RETRY;
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

static const char *org_dir(struct job_ctx *c, const char *org_id)
{
    struct buf d;
    buf_init(&d, c->a, 256);
    buf_printf(&d, "%s/%s", c->cfg->recordings_dir, org_id);
    const char *dir = buf_cstr(&d);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return NULL;
    return dir;
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
    setup_curl(c, f, s, errbuf);
    CURLcode rc = curl_easy_perform(f->curl);
    enum job_result res = transfer_result(c, f, rc, errbuf);
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
                             const struct fetch *f)
{
    struct buf rel, final;
    buf_init(&rel, c->a, 128);
    buf_printf(&rel, "%s/%s.%s", j->org_id, call_id, f->ext);
    buf_init(&final, c->a, 256);
    buf_printf(&final, "%s/%s", c->cfg->recordings_dir, buf_cstr(&rel));
    chmod(tmp, 0644); /* nginx serves it under its own user */
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
    const char *dir = org_dir(c, j->org_id);
    if (!dir) {
        c->error = "cannot create the org's recordings directory";
        return JOB_RETRY;
    }
    struct buf tmp;
    buf_init(&tmp, c->a, 256);
    buf_printf(&tmp, "%s/.%s.%ld.tmp", dir, call_id, (long)getpid());
    struct fetch f = { .max = c->cfg->recording_max_bytes };
    enum job_result res = download(c, &s, buf_cstr(&tmp), &f);
    if (res == JOB_DONE) res = store(c, j, call_id, buf_cstr(&tmp), &f);
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
