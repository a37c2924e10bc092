/* json.h — JSON responses in the shapes static/openapi.json documents, built with json-c. */
#ifndef SB_JSON_H
#define SB_JSON_H
#include "../core/str.h"
struct json_object;
struct request;
struct arena;

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
#endif
