/* deals_sql.c — the deals and brands list queries. Each names the org explicitly (RLS is the second
 * lock). Every filter (stage, brand, owner, risk, tag, text, value range, due date,
 * archived, cursor, the deleted list) is a fragment included only when used, so each
 * combination gets a plan for its index, and the plan can become generic: a
 * "$n IS NULL OR ..." test cannot be estimated without its value, so a generic plan
 * costs out far above the custom one and every request was planned again. */
#include "deals_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../domain/deal_stage.h"
#include "../../db/db.h"
#include "../../db/sql_build.h"

#define ISO_UTC(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
#define DUE_KEY "coalesce((extract(epoch FROM d.next_action_due_at) * 1000000)::bigint, 9223372036854775807)"
/* The same order as DUE_KEY, as indexed by deals_org_due_key_idx (0014): a CASE, not
 * COALESCE, which under RLS can be no index condition (see there). */
#define DUE_ORDER "(CASE WHEN d.next_action_due_at IS NULL THEN 'infinity'::timestamptz ELSE d.next_action_due_at END)"

static const char *const sort_keys[] = {
    "(extract(epoch FROM d.updated_at) * 1000000)::bigint", "d.value_minor", DUE_KEY,
};

#define COLUMNS(sortkey)                                                                               \
    "d.id, d.title, d.brand_id, b.name, coalesce(d.owner_id::text, ''), coalesce(u.name, ''), d.stage,"  \
    " d.contract_status, d.deal_type, d.value_minor, d.currency, d.risk_level,"                          \
    " array_to_json(d.risk_reasons)::text, d.next_action, " ISO_UTC("d.next_action_due_at") ","          \
    " array_to_json(d.tags)::text, array_to_json(d.categories)::text,"                                   \
    " coalesce(d.usage_rights_start::text, ''), coalesce(d.usage_rights_end::text, ''),"                 \
    " coalesce(d.exclusivity_category, ''), array_to_json(d.exclusivity_platforms)::text,"               \
    " coalesce(d.exclusivity_start::text, ''), coalesce(d.exclusivity_end::text, ''),"                   \
    " coalesce(d.revision_limit::text, ''), d.revisions_used, d.archived, d.deleted_at IS NOT NULL,"     \
    " d.version, " ISO_UTC("d.created_at") ", " ISO_UTC("d.updated_at") ","                           \
    " " NEXT_DUE_LOCAL ", d.revision_extra_fee_minor,"                                                  \
    " d.affiliate_code_sealed IS NOT NULL, " sortkey

/* The next action's local time in the org's zone, "YYYY-MM-DD HH:MM". The zone is an
 * uncorrelated subquery, read once per statement: deal_local_text() (0010) looked it
 * up again for every row, most of the board's time. */
#define NEXT_DUE_LOCAL                                                                                 \
    "coalesce(to_char(d.next_action_due_at AT TIME ZONE (SELECT o.timezone FROM orgs o WHERE"          \
    " o.id = app_org_id()), 'YYYY-MM-DD HH24:MI'), '')"

#define FROM_JOINS                                                                                     \
    " FROM deals d JOIN brands b ON b.org_id = d.org_id AND b.id = d.brand_id"                        \
    " LEFT JOIN users u ON u.org_id = d.org_id AND u.id = d.owner_id"

enum fragment {
    FR_STAGE = 1, FR_BRAND = 2, FR_OWNER = 4, FR_RISK = 8, FR_TAG = 16, FR_TEXT = 32, FR_CURSOR = 64,
    FR_DELETED = 128, FR_VALUE = 256, FR_DUE = 512, FR_ARCHIVED = 1024, FR_SETS = 2048
};

static const char *const sort_tags[] = { "upd", "val", "due" };
static const char *const order_by[] = {
    " ORDER BY d.updated_at DESC, d.id DESC",
    " ORDER BY d.value_minor DESC, d.id DESC",
    " ORDER BY " DUE_ORDER ", d.id",
};
/* Statement names live as long as the process: db.c keeps the pointers. */
static char *list_names[3][FR_SETS];

/* Adds "AND <sql with $N>" when value is set, and its bit to *mask. */
static void fragment(struct sql_query *q, unsigned *mask, unsigned bit, const char *value, const char *before,
                     const char *after)
{
    if (!value) return;
    buf_printf(&q->sql, " AND %s$%d%s", before, sql_param(q, value), after);
    *mask |= bit;
}

static unsigned build_where(struct sql_query *q, const struct deal_filter *f, const char *tz)
{
    unsigned mask = 0;
    buf_puts(&q->sql, FROM_JOINS " WHERE d.org_id = app_org_id()");
    if (f->deleted) {
        buf_puts(&q->sql, " AND d.deleted_at IS NOT NULL");
        mask |= FR_DELETED;
    } else {
        buf_puts(&q->sql, " AND d.deleted_at IS NULL");
    }
    fragment(q, &mask, FR_STAGE, f->stage, "d.stage = ", "");
    fragment(q, &mask, FR_BRAND, f->brand_id, "d.brand_id = ", "::uuid");
    fragment(q, &mask, FR_OWNER, f->owner_id, "d.owner_id = ", "::uuid");
    fragment(q, &mask, FR_RISK, f->risk, "d.risk_level = ", "");
    /* Tags and text of live deals through sql/0014's and 0009's functions, whose index
     * the list's own condition cannot use under RLS; the deleted list is short. */
    if (f->deleted) fragment(q, &mask, FR_TAG, f->tag, "d.tags @> ARRAY[", "::text]");
    else fragment(q, &mask, FR_TAG, f->tag, "d.id IN (SELECT sb_deals_tagged(", "::text))");
    if (f->q_like && f->deleted)
        fragment(q, &mask, FR_TEXT, f->q_like, "(d.title || ' ' || b.name) ILIKE '%' || ", " || '%'");
    else
        fragment(q, &mask, FR_TEXT, f->q_like, "d.id IN (SELECT sb_deals_matching(", "))");
    if (f->min_value >= 0 || f->max_value >= 0) {
        int lo = sql_param(q, f->min_value >= 0 ? sql_num(q->a, f->min_value) : NULL);
        int hi = sql_param(q, f->max_value >= 0 ? sql_num(q->a, f->max_value) : NULL);
        buf_printf(&q->sql, " AND d.value_minor BETWEEN COALESCE($%d::bigint, 0) AND COALESCE($%d::bigint, 9223372036854775807)",
                   lo, hi);
        mask |= FR_VALUE;
    }
    if (f->due_before) {
        int due = sql_param(q, f->due_before), zone = sql_param(q, tz);
        buf_printf(&q->sql, " AND d.next_action_due_at < ($%d::date::timestamp AT TIME ZONE $%d::text)", due, zone);
        mask |= FR_DUE;
    }
    if (f->archived) mask |= FR_ARCHIVED;
    else buf_puts(&q->sql, " AND NOT d.archived");
    return mask;
}

static void add_after(struct sql_query *q, enum deal_sort sort, const struct list_cursor *c)
{
    int k = sql_param(q, sql_num(q->a, c->key)), id = sql_param(q, c->id);
    if (sort == DEAL_SORT_UPDATED)
        buf_printf(&q->sql, " AND (d.updated_at, d.id) < ('epoch'::timestamptz + $%d::bigint * interval '1 microsecond', $%d::uuid)", k, id);
    else if (sort == DEAL_SORT_VALUE)
        buf_printf(&q->sql, " AND (d.value_minor, d.id) < ($%d::bigint, $%d::uuid)", k, id);
    else
        buf_printf(&q->sql, " AND (" DUE_ORDER ", d.id) > (CASE WHEN $%d::bigint = 9223372036854775807 THEN 'infinity'::timestamptz"
                            " ELSE 'epoch'::timestamptz + $%d::bigint * interval '1 microsecond' END, $%d::uuid)", k, k, id);
}

struct dbres *deals_list_query(struct db *db, struct arena *a, const struct deal_filter *f, const char *tz,
                               const struct list_cursor *after, long limit)
{
    struct sql_query q;
    sql_query_init(&q, a);
    buf_puts(&q.sql, "SELECT " COLUMNS(""));
    buf_puts(&q.sql, sort_keys[f->sort]);
    unsigned mask = build_where(&q, f, tz);
    if (after) {
        add_after(&q, f->sort, after);
        mask |= FR_CURSOR;
    }
    buf_puts(&q.sql, order_by[f->sort]);
    const char *name = sql_limit(&q, &list_names[f->sort][mask], "deals_list", sort_tags[f->sort], mask, limit);
    return db_exec(db, a, name, buf_cstr(&q.sql), q.n, q.params);
}

struct list_cursor deals_cursor_of(const struct dbres *res, int row, enum deal_sort sort)
{
    struct list_cursor c = { .sort = (int)sort };
    c.key = strtoll(db_cstr(res, row, DC_SORT_KEY), NULL, 10);
    str id = db_val(res, row, DC_ID);
    size_t n = id.len < sizeof c.id - 1 ? id.len : sizeof c.id - 1;
    memcpy(c.id, id.ptr, n);
    c.id[n] = '\0';
    return c;
}

struct dbres *deals_one_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "deals_one", "SELECT " COLUMNS("0") FROM_JOINS " WHERE d.org_id = app_org_id() AND d.id = $1::uuid", id);
}

struct db_stmt deals_board_totals_stmt(void)
{
    /* Kept by the triggers of sql/0017: a few dozen rows, never the deals. */
    return (struct db_stmt){ "deals_board_totals",
                             "SELECT t.stage, t.currency, t.n, t.value_minor FROM deal_stage_totals t"
                             " WHERE t.org_id = app_org_id() AND t.n > 0 ORDER BY t.stage, t.currency",
                             0, NULL };
}

/* One short range scan of deals_org_board_idx (0014, 0038) per stage, each stopping
 * after per_stage rows: never the whole pipeline read, joined and numbered to keep a
 * few. The index holds every column read here, the brand's name included, so the
 * cards are an index-only scan with no brand looked up per card (0038). */
struct db_stmt deals_board_cards_stmt(struct arena *a, long per_stage)
{
    struct buf stages;
    buf_init(&stages, a, 128);
    buf_putc(&stages, '{');
    for (int s = 0; s < DEAL_STAGE_COUNT; s++) buf_printf(&stages, "%s%s", s ? "," : "", deal_stage_name((enum deal_stage)s));
    buf_putc(&stages, '}');
    const char **params = arena_alloc(a, 2 * sizeof *params);
    params[0] = sql_num(a, per_stage);
    params[1] = buf_cstr(&stages);
    return (struct db_stmt){ "deals_board_cards",
                             "SELECT s.id, s.title, s.brand_name, s.stage, s.value_minor, s.currency, s.risk_level,"
                             " s.next_action_card, s.due, s.due_local, s.version"
                             " FROM unnest($2::text[]) WITH ORDINALITY st(stage, i) CROSS JOIN LATERAL (SELECT d.id, d.title,"
                             " d.brand_name, d.stage, d.value_minor, d.currency, d.risk_level, d.next_action_card,"
                             " " ISO_UTC("d.next_action_due_at") " AS due, " NEXT_DUE_LOCAL " AS due_local, d.version, d.updated_at"
                             " FROM deals d WHERE d.org_id = app_org_id() AND d.stage = st.stage AND d.deleted_at IS NULL AND NOT d.archived"
                             " ORDER BY d.updated_at DESC, d.id DESC LIMIT $1::bigint) s ORDER BY st.i, s.updated_at DESC, s.id DESC",
                             2, params };
}

/* ---- brands ---- */

enum brand_fragment { BF_TEXT = 1, BF_CURSOR = 2, BF_SETS = 4 };
static char *brand_list_names[BF_SETS];

struct dbres *brands_list_query(struct db *db, struct arena *a, const char *q_like, const char *after_name,
                                const char *after_id, long limit)
{
    struct sql_query q;
    unsigned mask = 0;
    sql_query_init(&q, a);
    buf_puts(&q.sql, "SELECT b.id, b.name, array_to_string(b.aliases, ', '),"
                     " (SELECT count(*) FROM deals d WHERE d.org_id = b.org_id AND d.brand_id = b.id AND d.deleted_at IS NULL)"
                     " FROM brands b WHERE b.org_id = app_org_id() AND b.deleted_at IS NULL");
    if (q_like) {
        int p = sql_param(&q, q_like);
        buf_printf(&q.sql, " AND (b.name ILIKE '%%' || $%d || '%%' OR array_to_string(b.aliases, ' ') ILIKE '%%' || $%d || '%%')",
                   p, p);
        mask |= BF_TEXT;
    }
    if (after_id) {
        int k = sql_param(&q, after_name), id = sql_param(&q, after_id);
        buf_printf(&q.sql, " AND (b.name_key, b.id) > ($%d::text, $%d::uuid)", k, id);
        mask |= BF_CURSOR;
    }
    buf_puts(&q.sql, " ORDER BY b.name_key, b.id"); /* name_key = lower(name): see sql/0015 */
    const char *name = sql_limit(&q, &brand_list_names[mask], "brands_list", "name", mask, limit);
    return db_exec(db, a, name, buf_cstr(&q.sql), q.n, q.params);
}

struct dbres *brands_sort_key_query(struct db *db, struct arena *a, const char *id)
{
    return db_q(db, a, "brands_sort_key", "SELECT name_key FROM brands WHERE org_id = app_org_id() AND id = $1::uuid", id);
}
