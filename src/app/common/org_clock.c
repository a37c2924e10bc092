/* org_clock.c — the org's clock and currency from one statement. */
#include "org_clock.h"

#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../app.h"

enum org_clock_col { OC_NOW, OC_OFFSET, OC_CURRENCY };

struct db_stmt org_clock_stmt(void)
{
    return (struct db_stmt){ "org_clock",
                             "SELECT extract(epoch FROM now())::bigint,"
                             " extract(epoch FROM (now() AT TIME ZONE o.timezone) - (now() AT TIME ZONE 'UTC'))::int,"
                             " o.currency FROM orgs o WHERE o.id = app_org_id()",
                             0, NULL };
}

int org_clock_load(struct request *r, struct org_clock *c)
{
    struct db_stmt s = org_clock_stmt();
    struct dbres *q = db_exec(r->db, r->arena, s.name, s.sql, 0, NULL);
    if (!q) return app_db_status(r);
    return org_clock_read(q, c);
}

int org_clock_read(const struct dbres *q, struct org_clock *c)
{
    if (db_rows(q) != 1) return 503;
    c->now = db_long(q, 0, OC_NOW);
    c->utc_offset_s = (int32_t)db_long(q, 0, OC_OFFSET);
    c->today = civil_day_of(c->now, c->utc_offset_s);
    c->currency = str_trim(db_val(q, 0, OC_CURRENCY));
    return 0;
}
