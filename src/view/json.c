/* json.c — JSON responses: {"data":...}, lists with next_cursor, and
 * {"error":{code,message,fields},"request_id"}; and the writer that builds JSON text
 * straight into a buffer. */
#include "json.h"

#include <json-c/json.h>
#include <string.h>

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

/* ---- the writer ---- */

void jw_init(struct jw *w, struct buf *b)
{
    w->b = b;
    w->comma = false;
}

void jw_reply(struct request *r, int status, struct jw *w)
{
    r->res->status = status;
    r->res->is_html = false;
    buf_clear(&r->res->body);
    response_header(r->res, r->arena, "Content-Type", STR("application/json; charset=utf-8"));
    jw_init(w, &r->res->body);
}

/* The comma before a value, and its key. */
static void jw_key(struct jw *w, const char *key)
{
    if (w->comma) buf_putc(w->b, ',');
    w->comma = true;
    if (!key) return;
    buf_json_str(w->b, str_from(key));
    buf_putc(w->b, ':');
}

void jw_object(struct jw *w, const char *key)
{
    jw_key(w, key);
    buf_putc(w->b, '{');
    w->comma = false;
}

void jw_object_end(struct jw *w)
{
    buf_putc(w->b, '}');
    w->comma = true;
}

void jw_array(struct jw *w, const char *key)
{
    jw_key(w, key);
    buf_putc(w->b, '[');
    w->comma = false;
}

void jw_array_end(struct jw *w)
{
    buf_putc(w->b, ']');
    w->comma = true;
}

void jw_null(struct jw *w, const char *key)
{
    jw_key(w, key);
    buf_append(w->b, "null", 4);
}

void jw_str(struct jw *w, const char *key, str s)
{
    jw_key(w, key);
    if (s.ptr) buf_json_str(w->b, s);
    else buf_append(w->b, "null", 4);
}

void jw_cstr(struct jw *w, const char *key, const char *s)
{
    jw_str(w, key, s ? str_from(s) : STR_NULL);
}

void jw_long(struct jw *w, const char *key, long v)
{
    jw_key(w, key);
    buf_put_long(w->b, v);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
    jw_key(w, key);
    if (v) buf_append(w->b, "true", 4);
    else buf_append(w->b, "false", 5);
}

/* Whether t is a number JSON allows as it is: -?digits(.digits)? — what PostgreSQL
 * prints for integers and numerics (never "NaN" or an exponent for those we write). */
static bool json_number_shape(str t)
{
    size_t i = 0;
    if (i < t.len && t.ptr[i] == '-') i++;
    size_t digits = i;
    while (i < t.len && t.ptr[i] >= '0' && t.ptr[i] <= '9') i++;
    if (i == digits || (t.ptr[digits] == '0' && i - digits > 1)) return false;
    if (i == t.len) return true;
    if (t.ptr[i++] != '.') return false;
    size_t frac = i;
    while (i < t.len && t.ptr[i] >= '0' && t.ptr[i] <= '9') i++;
    return i == t.len && i > frac;
}

void jw_number(struct jw *w, const char *key, str text)
{
    jw_key(w, key);
    if (!text.ptr || !json_number_shape(text)) {
        buf_append(w->b, "null", 4);
        return;
    }
    if (memchr(text.ptr, '.', text.len)) { /* "0.500" → "0.5", "1.000" → "1" */
        while (text.ptr[text.len - 1] == '0') text.len--;
        if (text.ptr[text.len - 1] == '.') text.len--;
    }
    if (text.len == 2 && text.ptr[0] == '-' && text.ptr[1] == '0') text = STR("0"); /* "-0.000" */
    buf_put(w->b, text);
}

void jw_json(struct jw *w, const char *key, str json)
{
    jw_key(w, key);
    if (json.ptr) buf_put(w->b, json);
    else buf_append(w->b, "null", 4);
}

void jw_list(struct request *r, struct jw *w)
{
    jw_reply(r, 200, w);
    jw_object(w, NULL);
    jw_array(w, "data");
}

void jw_list_end(struct jw *w, str next_cursor)
{
    jw_array_end(w);
    jw_str(w, "next_cursor", next_cursor.len ? next_cursor : STR_NULL);
    jw_object_end(w);
    buf_putc(w->b, '\n');
}
