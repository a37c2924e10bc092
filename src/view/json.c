/* json.c — JSON responses: {"data":...}, lists with next_cursor, and
 * {"error":{code,message,fields},"request_id"}. */
#include "json.h"

#include <json-c/json.h>

#include "../core/arena.h"
#include "../http/request.h"
#include "../http/response.h"

void json_add_str(struct json_object *o, const char *key, str s)
{
    json_object_object_add(o, key, s.ptr ? json_object_new_string_len(s.ptr, (int)s.len) : NULL);
}

void json_add_cstr(struct json_object *o, const char *key, const char *s)
{
    json_object_object_add(o, key, s ? json_object_new_string(s) : NULL);
}

void json_add_long(struct json_object *o, const char *key, long v)
{
    json_object_object_add(o, key, json_object_new_int64(v));
}

void json_add_bool(struct json_object *o, const char *key, bool v)
{
    json_object_object_add(o, key, json_object_new_boolean(v));
}

/* Serialises root into the response body and releases it. */
static void reply(struct request *r, int status, struct json_object *root)
{
    size_t len;
    const char *text = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    r->res->status = status;
    r->res->is_html = false;
    buf_clear(&r->res->body);
    buf_append(&r->res->body, text, len);
    buf_putc(&r->res->body, '\n');
    json_object_put(root);
    response_header(r->res, r->arena, "Content-Type", STR("application/json; charset=utf-8"));
}

void json_reply_data(struct request *r, int status, struct json_object *data)
{
    struct json_object *root = json_object_new_object();
    json_object_object_add(root, "data", data);
    reply(r, status, root);
}

void json_reply_list(struct request *r, struct json_object *items, str next_cursor)
{
    struct json_object *root = json_object_new_object();
    json_object_object_add(root, "data", items);
    json_add_str(root, "next_cursor", next_cursor.len ? next_cursor : STR_NULL);
    reply(r, 200, root);
}

void json_reply_error(struct request *r, int status, const char *code, const char *message,
                      struct json_object *fields)
{
    struct json_object *root = json_object_new_object();
    struct json_object *err = json_object_new_object();
    json_add_cstr(err, "code", code);
    json_add_cstr(err, "message", message);
    json_object_object_add(err, "fields", fields ? fields : json_object_new_object());
    json_object_object_add(root, "error", err);
    json_add_str(root, "request_id", r->request_id);
    reply(r, status, root);
}

const char *json_error_code(int status)
{
    switch (status) {
    case 400: case 405: case 413: case 415: case 422: return "invalid";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 409: return "conflict";
    case 429: return "rate_limited";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "invalid";
    }
}
