/* recordings.c — call recordings: short-lived HMAC-signed URLs for an authorised
 * user (issuing one is the audited "recording.download"), and the public
 * /recordings/ route that checks a signature and hands the file to nginx
 * (X-Accel-Redirect, so ranges work) without auditing each ranged fetch. */
#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../auth/signatures.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../view/json.h"
#include "../app.h"
#include "calls.h"


enum recording_path_col { RP_PATH };

/* The stored recording's path (*path) of the call of path parameter id: 0, 404 when
 * the org has no such live call with a stored recording, or the database's status. */
static int recording_path_of(struct request *r, str *path)
{
    str id = req_path_param(r, "id");
    if (!str_is_uuid(id)) return 404;
    struct dbres *res = db_q(r->db, r->arena, "recording_path",
                             "SELECT recording_path FROM calls WHERE id = $1::uuid AND org_id = app_org_id()"
                             " AND deleted_at IS NULL AND recording_status = 'stored' AND recording_path IS NOT NULL",
                             str_cstr(r->arena, id));
    if (!res) return app_db_status(r);
    if (db_rows(res) != 1) return 404;
    *path = db_val(res, 0, RP_PATH);
    return 0;
}

/* "/recordings/<path>?expires=<unix>&sig=<hex>", valid for recording_url_ttl_s. */
static str signed_url(struct request *r, str path, long expires)
{
    struct buf u;
    buf_init(&u, r->arena, 192);
    buf_puts(&u, "/recordings/");
    buf_put(&u, path);
    buf_printf(&u, "?expires=%ld&sig=", expires);
    buf_put(&u, sig_recording(r->arena, app_secret(r), path, expires));
    return buf_str(&u);
}

enum live_issue_col { LI_EXPIRES };

/* Who is listening: the signed-in user, or the API key (each key its own listener;
 * a key has no user, so the user alone would make every key of the org one). "" for
 * a user, whose id the transaction carries. */
static const char *listener_key(const struct request *r)
{
    return r->via_api_key ? str_cstr(r->arena, r->session->api_key_id) : "";
}

/* The expiry of a URL already issued to this listener for this call that still has
 * at least half its lifetime left (so seeking near its end does not hit a 403), or 0
 * (also when the database failed: then *status is its HTTP status). The expiry is in
 * that issue's audit row. */
static long live_issue_of(struct request *r, str call_id, long now, int *status)
{
    int ttl = r->cfg->recording_url_ttl_s;
    char ttl_s[16], min_expires[24];
    snprintf(ttl_s, sizeof ttl_s, "%d", ttl);
    snprintf(min_expires, sizeof min_expires, "%ld", now + ttl / 2);
    const char *id = str_cstr(r->arena, call_id), *key = listener_key(r);
    /* Two requests of one player at once must not both miss and both audit. */
    if (!db_q(r->db, r->arena, "recording_issue_lock",
              "SELECT pg_advisory_xact_lock(hashtextextended('recording.download:' || $1 || ':'"
              " || coalesce(current_setting('app.user_id', true), '') || ':' || $2, 0))",
              id, key)) {
        *status = app_db_status(r);
        return 0;
    }
    struct dbres *res = db_q(r->db, r->arena, "recording_live_issue",
                             "SELECT (detail->>'expires')::bigint FROM audit_log"
                             " WHERE org_id = app_org_id() AND at > now() - make_interval(secs => $2::int)"
                             " AND action = 'recording.download' AND entity = 'call' AND entity_id = $1"
                             " AND user_id IS NOT DISTINCT FROM nullif(current_setting('app.user_id', true), '')::uuid"
                             " AND coalesce(detail->>'api_key_id', '') = $4"
                             " AND (detail->>'expires')::bigint >= $3::bigint ORDER BY at DESC, id DESC LIMIT 1",
                             id, ttl_s, min_expires, key);
    if (!res) {
        *status = app_db_status(r);
        return 0;
    }
    long expires = 0;
    if (db_rows(res) == 1 && !str_to_long(db_val(res, 0, LI_EXPIRES), &expires)) expires = 0;
    return expires;
}

/* The expiry of the signed URL for this user's listen of the call (*expires) or an
 * HTTP status. One listen is one audit row: a player that comes back through
 * /calls/{id}/recording for each range request or seek gets the same URL again
 * (same expiry, same signature) rather than a new row each time. */
static int issue_listen(struct request *r, str call_id, const char *via, long *expires)
{
    long now = (long)time(NULL);
    int status = 0;
    *expires = live_issue_of(r, call_id, now, &status);
    if (status) return status;
    if (*expires) return 0;
    *expires = now + r->cfg->recording_url_ttl_s;
    char detail[160];
    const char *key = listener_key(r);
    if (*key)
        snprintf(detail, sizeof detail, "{\"expires\":%ld,\"via\":\"%s\",\"api_key_id\":\"%s\"}", *expires, via,
                 key);
    else
        snprintf(detail, sizeof detail, "{\"expires\":%ld,\"via\":\"%s\"}", *expires, via);
    return audit_write(r, "recording.download", "call", call_id, detail);
}

/* GET /calls/{id}/recording — any role of the call's org; 303 to a signed URL (this
 * user's live one for the call, else a fresh one, audited). Another org's call, or
 * one without a stored recording → 404. */
int call_recording_redirect(struct request *r)
{
    str path;
    long expires;
    int st = recording_path_of(r, &path);
    if (!st) st = issue_listen(r, req_path_param(r, "id"), "page", &expires);
    if (st) return st;
    response_redirect(r->res, r->arena, signed_url(r, path, expires));
    return 0;
}

/* GET /api/v1/calls/{id}/recording-url — {"data":{"url":..., "expires_at":...}}; the
 * URL is absolute (this request's scheme and host); issued and audited like the
 * page route's. */
int api_call_recording_url(struct request *r)
{
    str path;
    long until;
    int st = recording_path_of(r, &path);
    if (!st) st = issue_listen(r, req_path_param(r, "id"), "api", &until);
    if (st) return st;
    time_t expires = (time_t)until;
    struct buf url;
    buf_init(&url, r->arena, 256);
    buf_put(&url, r->scheme);
    buf_puts(&url, "://");
    buf_put(&url, r->host);
    buf_put(&url, signed_url(r, path, (long)expires));
    struct tm tm;
    gmtime_r(&expires, &tm);
    char iso[32];
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct json_object *d = json_object_new_object();
    json_add_str(d, "url", buf_str(&url));
    json_add_cstr(d, "expires_at", iso);
    json_reply_data(r, 200, d);
    return 0;
}

/* "<call uuid>.<ext>" with a recording extension; *call_id gets the uuid. */
static bool recording_file(str file, str *call_id)
{
    str ext;
    if (!str_cut(file, '.', call_id, &ext) || !str_is_uuid(*call_id)) return false;
    static const char *const exts[] = { "wav", "mp3", "ogg", "webm", "m4a" };
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (str_eq_cstr(ext, exts[i])) return true;
    return false;
}

enum recording_file_col { RF_CONTENT_TYPE };

/* The stored content type (*type, may be "") of the live call owning this file,
 * after setting the tenant the signed path names: 0, 404 when the call or its
 * recording is gone, or the database's status. */
static int file_content_type(struct request *r, str org_id, str call_id, str path, const char **type)
{
    if (!db_q(r->db, r->arena, "recording_set_tenant", "SELECT set_config('app.org_id', $1, true)",
              str_cstr(r->arena, org_id)))
        return app_db_status(r);
    struct dbres *res = db_q(r->db, r->arena, "recording_file",
                             "SELECT recording_content_type FROM calls WHERE id = $1::uuid AND org_id = app_org_id()"
                             " AND recording_path = $2 AND recording_status = 'stored' AND deleted_at IS NULL",
                             str_cstr(r->arena, call_id), str_cstr(r->arena, path));
    if (!res) return app_db_status(r);
    if (db_rows(res) != 1) return 404;
    *type = db_cstr(res, 0, RF_CONTENT_TYPE);
    return 0;
}

/* GET /recordings/{org}/{file}?expires=&sig= — public (the browser's audio element
 * fetches it without relying on the session): an expired or tampered URL → 403
 * (the refusal is audited, as every 403 is); a valid one is answered with
 * X-Accel-Redirect to nginx's internal /internal/recordings/ location, which serves
 * the file with range requests. A served fetch is not audited: a player fetches one
 * URL many times (ranges, seeks), and issuing the URL, the only way to get a valid
 * one, was audited with the user's name. */
int recording_serve(struct request *r)
{
    str org_id = req_path_param(r, "org"), file = req_path_param(r, "file"), call_id;
    if (!str_is_uuid(org_id) || !recording_file(file, &call_id)) return 404;
    struct buf path;
    buf_init(&path, r->arena, 96);
    buf_put(&path, org_id);
    buf_putc(&path, '/');
    buf_put(&path, file);
    const str *expires = kvlist_get(&r->query, "expires"), *sig = kvlist_get(&r->query, "sig");
    if (!expires || !sig ||
        !sig_recording_ok(r->arena, app_secret(r), buf_str(&path), *expires, *sig, (long)time(NULL)))
        return app_forbid(r, "signature");
    const char *type = NULL;
    int status = file_content_type(r, org_id, call_id, buf_str(&path), &type);
    if (status) return status;
    struct buf accel;
    buf_init(&accel, r->arena, 128);
    buf_puts(&accel, "/internal/recordings/");
    buf_put(&accel, buf_str(&path));
    r->res->status = 200;
    response_header(r->res, r->arena, "X-Accel-Redirect", buf_str(&accel));
    response_header(r->res, r->arena, "Content-Type", str_from(*type ? type : "application/octet-stream"));
    response_header(r->res, r->arena, "Cache-Control", STR("private, no-store"));
    return 0;
}
