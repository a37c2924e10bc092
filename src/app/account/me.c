/* me.c — the small identity API: who is asking, and changing one's own name. */
#include <json-c/json.h>
#include <string.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../db/db.h"
#include "../../view/json.h"
#include "../app.h"
#include "account.h"

/* GET /api/v1/me — who is asking: the user (or API key) and the org. */
int api_me_show(struct request *r)
{
    struct session *s = r->session;
    struct json_object *data = json_object_new_object();
    struct json_object *user = json_object_new_object();
    if (r->via_api_key) {
        json_add_str(user, "id", STR_NULL);
        json_add_str(user, "api_key_id", s->api_key_id);
    } else {
        json_add_str(user, "id", s->user_id);
        json_add_str(user, "email", s->email);
    }
    json_add_str(user, "name", s->user_name);
    json_add_cstr(user, "role", role_name(s->role));
    struct json_object *org = json_object_new_object();
    json_add_str(org, "id", s->org_id);
    json_add_str(org, "slug", s->org_slug);
    json_add_str(org, "name", s->org_name);
    json_add_str(org, "timezone", s->org_timezone);
    json_object_object_add(data, "user", user);
    json_object_object_add(data, "org", org);
    json_reply_data(r, 200, data);
    return 0;
}

/* The "name" input from a JSON body or a form: 1 found (a string), 0 absent,
 * -1 present but not a string. */
static int name_input(struct request *r, str *out)
{
    if (r->json) {
        struct json_object *v;
        if (!json_object_object_get_ex(r->json, "name", &v)) return 0;
        if (!json_object_is_type(v, json_type_string)) return -1;
        *out = str_make(json_object_get_string(v), (size_t)json_object_get_string_len(v));
        return 1;
    }
    const str *f = kvlist_get(&r->form, "name");
    if (!f) return 0;
    *out = *f;
    return 1;
}

static int invalid_name(struct request *r, const char *message)
{
    struct json_object *fields = json_object_new_object();
    json_add_cstr(fields, "name", message);
    app_error(r, 400, "The name is not valid.", fields);
    return 0; /* the error response is the answer; nothing was written */
}

/*
 * POST /api/v1/me/name — changes the signed-in user's display name.
 *   name: 1..200 characters (JSON {"name":...} or form field).
 */
int api_me_name_update(struct request *r)
{
    if (r->via_api_key) {
        app_error(r, 400, "API keys act for the organisation, not a user; sign in to change a name.",
                  NULL);
        return 0;
    }
    str n;
    int found = name_input(r, &n);
    if (found == 0) return invalid_name(r, "is required");
    if (found < 0) return invalid_name(r, "must be a string");
    n = str_trim(n);
    if (n.len == 0) return invalid_name(r, "must not be empty");
    if (memchr(n.ptr, '\0', n.len)) return invalid_name(r, "must not contain NUL characters");
    if (utf8_length(n) > 200) return invalid_name(r, "must be at most 200 characters");
    if (!utf8_valid(n)) return invalid_name(r, "must be valid UTF-8");
    struct dbres *res = db_q(r->db, r->arena, "me_name_update",
                             "UPDATE users SET name = $1, updated_at = now() WHERE id = $2"
                             " RETURNING name",
                             str_cstr(r->arena, n), str_cstr(r->arena, r->session->user_id));
    if (!res) return db_error_http_status(db_last_error(r->db));
    if (db_rows(res) != 1) return 404;
    struct json_object *data = json_object_new_object();
    json_add_str(data, "name", db_val(res, 0, 0));
    json_reply_data(r, 200, data);
    return 0;
}
