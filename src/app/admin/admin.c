/* admin.c — the admin pages: system health for admins, and an admin-only ping. */
#include <json-c/json.h>

#include "../../db/db.h"
#include "../../http/metrics.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "admin.h"

enum admin_db_col { AD_VERSION, AD_SIZE, AD_USERS, AD_SESSIONS };

/* GET /admin — system health for admins: database, worker pool, counters. */
int admin_show(struct request *r)
{
    struct dbres *db = db_q0(r->db, r->arena, "admin_db",
                             "SELECT version(), pg_size_pretty(pg_database_size(current_database())),"
                             " (SELECT count(*) FROM users), (SELECT count(*) FROM sessions)");
    if (!db) return 503;
    struct metrics_shared *m = metrics_get();
    struct metrics_worker_counts c = metrics_worker_counts();
    struct tdict *d = page_dict(r, "Admin", "admin.tpl");
    tdict_set(d, "DB_VERSION", db_val(db, 0, AD_VERSION));
    tdict_set(d, "DB_SIZE", db_val(db, 0, AD_SIZE));
    tdict_set(d, "USER_COUNT", db_val(db, 0, AD_USERS));
    tdict_set(d, "SESSION_COUNT", db_val(db, 0, AD_SESSIONS));
    tdict_set_long(d, "WORKERS_IDLE", c.idle);
    tdict_set_long(d, "WORKERS_BUSY", c.busy);
    tdict_set_long(d, "WORKER_RESTARTS", m ? (long)m->worker_restarts : 0);
    tdict_set_long(d, "WORKER_CRASHES", m ? (long)m->worker_crashes : 0);
    tdict_set_long(d, "DB_ERRORS", m ? (long)m->db_errors : 0);
    tdict_set_long(d, "REQUESTS_SERVED", m ? (long)m->latency_count : 0);
    return page_render(r, 200, d);
}

/* GET /api/v1/admin/ping — an admin-only JSON endpoint (role checks, key tests). */
int api_admin_ping(struct request *r)
{
    struct json_object *data = json_object_new_object();
    json_add_bool(data, "ok", true);
    json_reply_data(r, 200, data);
    return 0;
}
