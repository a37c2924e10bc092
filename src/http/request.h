/* request.h — the parsed request and its parsers (query, form, cookies, JSON, multipart). */
#ifndef SB_REQUEST_H
#define SB_REQUEST_H
#include <stdbool.h>
#include <stdint.h>
#include "../core/str.h"
#include "../core/buf.h"
struct arena;
struct json_object;

struct kv {
    str key;
    str val;
};

struct kvlist {
    struct kv *items;
    size_t n;
    size_t cap;
};

struct upload {
    str field;        /* form field name */
    str filename;     /* as sent by the browser, may be empty */
    str content_type; /* may be empty */
    str data;
};

/* Parser results. PARSE_OK is 0; errors are negative and map to HTTP 400/413. */
enum parse_status {
    PARSE_OK = 0,
    PARSE_BAD_ENCODING = -1, /* bad %-escape, invalid UTF-8, bad syntax */
    PARSE_TOO_MANY = -2,     /* too many fields */
    PARSE_TOO_LARGE = -3,    /* a field or the whole input is over its limit */
    PARSE_TRUNCATED = -4,    /* multipart without its closing boundary, etc. */
};

#define PARSE_MAX_FIELDS 1000
#define PARSE_MAX_JSON_DEPTH 32

void kvlist_add(struct arena *a, struct kvlist *l, str key, str val);
/* First value for key, or NULL if absent (so an empty value is distinguishable). */
const str *kvlist_get(const struct kvlist *l, const char *key);

/* Decodes %XX escapes (and '+' as space when plus_space); the result is in the
 * arena. Fails on a malformed escape or invalid UTF-8. */
int url_decode(struct arena *a, str in, bool plus_space, str *out);
/* a=1&b=2 (query strings and application/x-www-form-urlencoded). */
int parse_urlencoded(struct arena *a, str in, struct kvlist *out);
/* Cookie header: "a=1; b=2". Ignores nameless and malformed pairs as browsers do,
 * but rejects invalid UTF-8 and more than PARSE_MAX_FIELDS cookies. */
int parse_cookies(struct arena *a, str in, struct kvlist *out);
/* JSON body; on success *out holds the root and is released with the arena. */
int parse_json(struct arena *a, str in, struct json_object **out);
/* Extracts the boundary from a multipart/form-data Content-Type. */
int multipart_boundary(str content_type, str *boundary);
/* multipart/form-data: plain fields go to fields, file parts to *files. Views point
 * into body (which must outlive them, i.e. live in the same arena). */
int parse_multipart(struct arena *a, str body, str boundary, struct kvlist *fields,
                    struct upload **files, size_t *nfiles);
/* Media type of a Content-Type header, lower-cased, without parameters. */
str content_type_base(struct arena *a, str content_type);

struct session;  /* auth/session.h */
struct response; /* response.h */
struct db;       /* db/db.h */
struct route;    /* router.h */
struct config;   /* core/config.h */

/* Everything the handlers see about one request. Lives in req->arena. */
struct request {
    struct arena *arena;
    /* From the FastCGI params. */
    str method, path, query_string, content_type, request_id, remote_addr;
    str accept, authorization, cookie_header, user_agent, host, scheme;
    str csrf_header; /* X-CSRF-Token (HTTP_X_CSRF_TOKEN) */
    struct kvlist headers; /* every HTTP_* param, keyed without the prefix (X_VAPI_SECRET); see req_header */
    long content_length;
    str body;
    /* Parsed inputs. */
    struct kvlist query, form, cookies, params /* path parameters */;
    struct json_object *json; /* for application/json bodies */
    struct upload *files;
    size_t nfiles;
    /* Who is asking (filled by the dispatcher). */
    struct session *session;  /* NULL if anonymous */
    bool via_api_key;
    bool session_lookup_needed; /* a remembered session did not hold: look it up again */
    bool audited;               /* an audit row of this request is written (audit_write) */
    bool wants_json;          /* /api/ prefix or Accept: application/json */
    const struct route *route;
    struct response *res;
    struct db *db;
    const struct config *cfg; /* the worker's configuration */
    /* Timing. */
    int64_t started_us;
    int64_t db_us;
};

/* Query or form value (form first for POST), or NULL. */
const str *req_param(const struct request *r, const char *key);
/* Path parameter by name, e.g. "id" for /calls/{id}. */
str req_path_param(const struct request *r, const char *key);
/* A request header by its HTTP name ("X-Vapi-Secret", any case), or an empty
 * string when absent: the feature that needs a header names it, http/ knows none. */
str req_header(const struct request *r, const char *name);
/* Header-like helpers. */
bool req_is_https(const struct request *r);
bool req_accepts_json(const struct request *r);
#endif
