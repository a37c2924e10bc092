/* json.h — JSON responses in the shapes static/openapi.json documents: built with
 * json-c, or, for the long lists and the objects they share, written straight into
 * the response body (struct jw). */
#ifndef SB_JSON_H
#define SB_JSON_H
#include "../core/str.h"
struct json_object;
struct request;
struct arena;
struct buf;

/* Build with json-c directly (json_object_new_object, ...): a child added to a
 * parent is owned by it; the json_reply_* calls take ownership of data.
 * Adds a string (NULL-safe: a NULL ptr gives JSON null). */
void json_add_str(struct json_object *o, const char *key, str s);
void json_add_cstr(struct json_object *o, const char *key, const char *s);
void json_add_long(struct json_object *o, const char *key, long v);
void json_add_bool(struct json_object *o, const char *key, bool v);
/* Writes {"data": data} with status into r->res. data ownership passes to the call. */
void json_reply_data(struct request *r, int status, struct json_object *data);
/* Writes {"data":[...],"next_cursor":...}. */
void json_reply_list(struct request *r, struct json_object *items, str next_cursor);
/* Writes {"error":{"code","message","fields"},"request_id"}. fields may be NULL. */
void json_reply_error(struct request *r, int status, const char *code, const char *message,
                      struct json_object *fields);
/* The SPEC error code for an HTTP status ("not_found", "invalid", ...). */
const char *json_error_code(int status);

/* ---- JSON written straight into a buffer ----
 * json-c allocates an object per value: for a list of 50 calls its mallocs and
 * frees cost the worker more than anything else it did for the request (measured:
 * docs/ARCHITECTURE.md, "JSON lists"). A jw writes the text as the caller goes,
 * keys in the order written, commas placed for it. key is NULL for an array's
 * elements and the top-level value. A str with a NULL ptr is JSON null. */
struct jw {
    struct buf *b;
    bool comma; /* a value was written at this level: the next one needs a comma */
};
/* Starts the response body as a JSON text (status, Content-Type) and a writer on it. */
void jw_reply(struct request *r, int status, struct jw *w);
/* A writer appending to b. */
void jw_init(struct jw *w, struct buf *b);
void jw_object(struct jw *w, const char *key);
void jw_object_end(struct jw *w);
void jw_array(struct jw *w, const char *key);
void jw_array_end(struct jw *w);
void jw_str(struct jw *w, const char *key, str s);
void jw_cstr(struct jw *w, const char *key, const char *s);
void jw_long(struct jw *w, const char *key, long v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
/* A number as PostgreSQL printed it (integer or numeric text: "-0.500" is written
 * "-0.5"); NULL ptr → null. */
void jw_number(struct jw *w, const char *key, str text);
/* A JSON text as it is (PostgreSQL's json or jsonb output); NULL ptr → null. */
void jw_json(struct jw *w, const char *key, str json);
/* {"data":[ — then the caller's items, then jw_list_end. */
void jw_list(struct request *r, struct jw *w);
/* ],"next_cursor":…} and the final newline. */
void jw_list_end(struct jw *w, str next_cursor);
#endif
