/* overview.c — the signed-in home page. */
#include <time.h>

#include "../auth/session.h"
#include "../core/arena.h"
#include "../db/db.h"
#include "../view/view.h"
#include "app.h"
#include "handlers.h"

/*
 * GET / — the overview: the org, the user's role and today's date in the org's
 * time zone; the calls/deals/campaigns summaries join it as those modules land.
 */
int overview_show(struct request *r)
{
    struct dbres *today = db_q0(r->db, r->arena, "overview_today",
                                "SELECT to_char(now() AT TIME ZONE o.timezone, 'FMDay, DD FMMonth YYYY')"
                                " FROM orgs o WHERE o.id = app_org_id()");
    if (!today) return 503;
    struct tdict *d = page_dict(r, "Overview", "overview.tpl");
    tdict_set(d, "ORG_NAME", r->session->org_name);
    tdict_set_cstr(d, "USER_ROLE", role_name(r->session->role));
    tdict_set(d, "ORG_TIMEZONE", r->session->org_timezone);
    tdict_set(d, "TODAY", db_val(today, 0, 0));
    return page_render(r, 200, d);
}
