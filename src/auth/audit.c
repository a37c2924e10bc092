/* audit.c — audit rows, written in the request's transaction. */
#include "audit.h"

#include "../core/arena.h"
#include "../db/db.h"
#include "../http/request.h"
#include "session.h"

static const char *actor_of(const struct request *r)
{
    if (!r->session) return "";
    if (r->session->api_key_id.len) return str_cstr(r->arena, r->session->user_name);
    return str_cstr(r->arena, r->session->email);
}

int audit_write(struct request *r, const char *action, const char *entity, str entity_id,
                const char *detail_json)
{
    struct dbres *res = db_q(r->db, r->arena, "audit_write",
                             "INSERT INTO audit_log (org_id, user_id, actor, action, entity, entity_id,"
                             " ip, request_id, detail) VALUES (app_org_id(),"
                             " nullif(current_setting('app.user_id', true), '')::uuid, $1, $2, $3, $4,"
                             " $5, $6, coalesce($7::jsonb, '{}'::jsonb))",
                             actor_of(r), action, entity, str_cstr(r->arena, entity_id),
                             str_cstr(r->arena, r->remote_addr), str_cstr(r->arena, r->request_id),
                             detail_json);
    if (!res) return db_error_http_status(db_last_error(r->db));
    r->audited = true;
    return 0;
}

int audit_security(struct request *r, str org_id, str user_id, str actor, const char *action,
                   const char *detail_json)
{
    struct db *db = r->db;
    struct arena *a = r->arena;
    bool own_tx = !db_in_tx(db);
    if (own_tx && db_begin(db) != 0) return -1;
    struct dbres *res = db_q(db, a, "audit_security",
                             "SELECT sb_audit_security(nullif($1, '')::uuid, nullif($2, '')::uuid, $3,"
                             " $4, $5, $6, $7::jsonb)",
                             str_cstr(a, org_id), str_cstr(a, user_id), str_cstr(a, actor), action,
                             str_cstr(a, r->remote_addr), str_cstr(a, r->request_id),
                             detail_json ? detail_json : "{}");
    if (!res) {
        if (own_tx) db_rollback(db);
        return -1;
    }
    return own_tx ? db_commit(db) : 0;
}

int audit_unauthenticated(struct request *r, str org_id, str actor, const char *action,
                          const char *detail_json)
{
    struct arena *a = r->arena;
    bool own_tx = !db_in_tx(r->db);
    if (own_tx && db_begin(r->db) != 0) return -1;
    struct dbres *res = db_q(r->db, a, "audit_unauthenticated",
                             "SELECT sb_audit_unauthenticated(nullif($1, '')::uuid, $2, $3, $4, $5, $6::jsonb)",
                             str_cstr(a, org_id), str_cstr(a, actor), action, str_cstr(a, r->remote_addr),
                             str_cstr(a, r->request_id), detail_json ? detail_json : "{}");
    if (!res) {
        if (own_tx) db_rollback(r->db);
        return -1;
    }
    return own_tx ? db_commit(r->db) : 0;
}
