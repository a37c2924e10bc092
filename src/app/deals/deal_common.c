/* deal_common.c — deal history rows, loading a deal for a write, stale-edit answers
 * and risk refresh. */
#include "deal_common.h"

#include <json-c/json.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../../domain/deadline.h"
#include "../../domain/exclusivity.h"
#include "../../domain/money.h"
#include "../../domain/payment_status.h"
#include "../../domain/risk.h"
#include "../../http/request.h"
#include "../../view/json.h"
#include "../app.h"
#include "../common/form.h"

/* ---- history ---- */

static const char *actor_of(const struct request *r)
{
    if (!r->session) return "";
    if (r->session->api_key_id.len) return str_cstr(r->arena, r->session->user_name);
    return str_cstr(r->arena, r->session->email);
}

static const char *nullable(struct arena *a, str s) { return s.ptr ? str_cstr(a, s) : NULL; }

/* deal_id is the entity itself for a deal, else the deal its deliverable/payment
 * belongs to (RLS and the org filter keep the lookup inside the tenant). */
#define HISTORY_SQL                                                                                 \
    "INSERT INTO deal_history (org_id, deal_id, entity, entity_id, action, field, old_value,"      \
    " new_value, user_id, actor, ip, request_id) VALUES (app_org_id(), CASE $1"                     \
    " WHEN 'deal' THEN $2::uuid"                                                                     \
    " WHEN 'deliverable' THEN (SELECT deal_id FROM deliverables WHERE id = $2::uuid AND org_id = app_org_id())" \
    " WHEN 'payment' THEN (SELECT deal_id FROM payments WHERE id = $2::uuid AND org_id = app_org_id()) END," \
    " $1, $2::uuid, $3, $4, $5, $6, nullif(current_setting('app.user_id', true), '')::uuid, $7, $8, $9)"

static int history_insert(struct request *r, const char *entity, str entity_id, const char *action,
                          const char *field, str old_value, str new_value)
{
    struct arena *a = r->arena;
    struct dbres *res = db_q(r->db, a, "deal_history_insert", HISTORY_SQL, entity, str_cstr(a, entity_id),
                             action, field, nullable(a, old_value), nullable(a, new_value), actor_of(r),
                             str_cstr(a, r->remote_addr), str_cstr(a, r->request_id));
    return res ? 0 : app_db_status(r);
}

int deal_history_record(struct request *r, const char *entity, str entity_id, const char *field,
                        str old_value, str new_value)
{
    return history_insert(r, entity, entity_id, "update", field, old_value, new_value);
}

int deal_history_event(struct request *r, const char *entity, str entity_id, const char *action)
{
    return history_insert(r, entity, entity_id, action, "", STR_NULL, STR_NULL);
}

static bool value_changed(str a, str b)
{
    if (!a.ptr || !b.ptr) return a.ptr != b.ptr;
    return !str_eq(a, b);
}

int deal_history_diff(struct request *r, const char *entity, str entity_id, const char *const *fields,
                      const str *old_values, const str *new_values, int n)
{
    for (int i = 0; i < n; i++) {
        if (!value_changed(old_values[i], new_values[i])) continue;
        int st = deal_history_record(r, entity, entity_id, fields[i], old_values[i], new_values[i]);
        if (st) return st;
    }
    return 0;
}

/* ---- loading ---- */

enum {
    DR_ID, DR_ORG, DR_TITLE, DR_BRAND_ID, DR_BRAND_NAME, DR_OWNER, DR_STAGE, DR_CONTRACT, DR_TYPE,
    DR_VALUE, DR_CURRENCY, DR_UR_START, DR_UR_END, DR_EX_CAT, DR_EX_PLAT, DR_EX_START, DR_EX_END,
    DR_REV_LIMIT, DR_REV_USED, DR_REV_FEE, DR_NEXT, DR_NEXT_DUE, DR_RISK, DR_REASONS, DR_TAGS,
    DR_CATEGORIES, DR_HAS_AFF, DR_ARCHIVED, DR_VERSION, DR_CREATED, DR_UPDATED, DR_DELETED
};

#define ISO_UTC(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"

/* Every column of struct deal_row, in the DR_* order. */
#define DEAL_ROW_SELECT                                                                            \
    "SELECT d.id, d.org_id, d.title, d.brand_id, b.name, coalesce(d.owner_id::text, ''), d.stage,"  \
    " d.contract_status, d.deal_type, d.value_minor, d.currency,"                                    \
    " coalesce(d.usage_rights_start::text, ''), coalesce(d.usage_rights_end::text, ''),"             \
    " coalesce(d.exclusivity_category, ''), array_to_json(d.exclusivity_platforms)::text,"                          \
    " coalesce(d.exclusivity_start::text, ''), coalesce(d.exclusivity_end::text, ''),"               \
    " coalesce(d.revision_limit::text, ''), d.revisions_used, d.revision_extra_fee_minor,"           \
    " d.next_action, " ISO_UTC("d.next_action_due_at") ", d.risk_level, array_to_json(d.risk_reasons)::text,"       \
    " array_to_json(d.tags)::text, array_to_json(d.categories)::text, d.affiliate_code_sealed IS NOT NULL, d.archived, d.version," \
    " " ISO_UTC("d.created_at") ", " ISO_UTC("d.updated_at") ", d.deleted_at IS NOT NULL"             \
    " FROM deals d JOIN brands b ON b.org_id = d.org_id AND b.id = d.brand_id"                      \
    " WHERE d.id = $1::uuid AND d.org_id = app_org_id()"

static void row_fill(const struct dbres *res, struct deal_row *o)
{
    const str *cols[] = {
        &o->id, &o->org_id, &o->title, &o->brand_id, &o->brand_name, &o->owner_id, &o->stage,
        &o->contract_status, &o->deal_type, &o->value_minor, &o->currency, &o->usage_rights_start,
        &o->usage_rights_end, &o->exclusivity_category, &o->exclusivity_platforms, &o->exclusivity_start,
        &o->exclusivity_end, &o->revision_limit, &o->revisions_used, &o->revision_extra_fee_minor,
        &o->next_action, &o->next_action_due_at, &o->risk_level, &o->risk_reasons, &o->tags,
        &o->categories,
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) *(str *)cols[i] = db_val(res, 0, (int)i);
    o->has_affiliate_code = db_bool(res, 0, DR_HAS_AFF);
    o->archived = db_bool(res, 0, DR_ARCHIVED);
    o->version = db_long(res, 0, DR_VERSION);
    o->created_at = db_val(res, 0, DR_CREATED);
    o->updated_at = db_val(res, 0, DR_UPDATED);
    o->deleted = db_bool(res, 0, DR_DELETED);
}

int deal_load(struct request *r, str deal_id, bool lock, struct deal_row *out)
{
    if (!str_is_uuid(deal_id)) return 404;
    const char *id = str_cstr(r->arena, deal_id);
    struct dbres *res = lock ? db_q(r->db, r->arena, "deal_load_lock", DEAL_ROW_SELECT " FOR UPDATE OF d", id)
                             : db_q(r->db, r->arena, "deal_load", DEAL_ROW_SELECT, id);
    if (!res) return app_db_status(r);
    if (db_rows(res) != 1) return 404;
    row_fill(res, out);
    return 0;
}

bool deal_may_read_deleted(const struct request *r) { return r->session && r->session->role >= ROLE_MANAGER; }

int deal_readable(struct request *r, str deal_id)
{
    if (!str_is_uuid(deal_id)) return 404;
    struct dbres *res = db_q(r->db, r->arena, "deal_readable",
                             "SELECT deleted_at IS NOT NULL FROM deals WHERE id = $1::uuid AND org_id = app_org_id()",
                             str_cstr(r->arena, deal_id));
    if (!res) return app_db_status(r);
    if (db_rows(res) != 1) return 404;
    return db_bool(res, 0, 0) && !deal_may_read_deleted(r) ? 404 : 0;
}

bool deal_may_write(const struct request *r, str owner_id)
{
    const struct session *s = r->session;
    if (!s) return false;
    if (s->role >= ROLE_MANAGER) return true;
    if (s->role < ROLE_AGENT || s->api_key_id.len) return false;
    return owner_id.len && str_eq(owner_id, s->user_id);
}

int deal_load_for_write(struct request *r, str deal_id, long expected_version, struct deal_row *out)
{
    int st = deal_load(r, deal_id, true, out);
    if (st) return st;
    if (out->deleted) return 404;
    if (!deal_may_write(r, out->owner_id)) return app_forbid(r, "owner");
    if (expected_version >= 0 && expected_version != out->version) return 409;
    return 0;
}

/* ---- stale edits ---- */

int deal_stale_reply_json(struct request *r, const char *entity, struct json_object *current)
{
    struct buf why, msg;
    buf_init(&why, r->arena, 96);
    buf_printf(&why, "The %s changed since you read it; current holds the stored values.", entity);
    buf_init(&msg, r->arena, 64);
    buf_printf(&msg, "The %s was changed by someone else.", entity);
    struct json_object *fields = json_object_new_object();
    json_add_cstr(fields, "version", buf_cstr(&why));
    if (current) json_object_object_add(fields, "current", current);
    app_error(r, 409, buf_cstr(&msg), fields);
    return REPLIED;
}

const char *deal_stale_form_notice(struct request *r, const char *entity)
{
    struct buf b;
    buf_init(&b, r->arena, 160);
    buf_printf(&b, "This %s was changed by someone else since you opened it. The form now shows the current values;"
                   " make your change again.", entity);
    return buf_cstr(&b);
}

const char *deal_stale_page_notice(struct request *r, const char *entity)
{
    struct buf b;
    buf_init(&b, r->arena, 96);
    buf_printf(&b, "This %s was changed by someone else; this page shows it as it is now.", entity);
    return buf_cstr(&b);
}

/* ---- exclusivity ---- */

/* ["instagram","tiktok"] → EXCL_* bits (the names need no JSON unescaping). */
static unsigned platform_bits(str json)
{
    str rest = json, item;
    if (rest.len >= 2) rest = str_make(rest.ptr + 1, rest.len - 2);
    unsigned bits = 0;
    while (rest.len) {
        str_cut(rest, ',', &item, &rest);
        if (item.len >= 2) bits |= exclusivity_platform_bit(str_make(item.ptr + 1, item.len - 2));
    }
    return bits;
}

static bool day_of(str date, int64_t *day) { return civil_parse_date(date, day); }

/* The columns of EXCL_COLS, in this order. */
enum excl_col { EX_ID, EX_TITLE, EX_STAGE, EX_ARCHIVED, EX_CATEGORY, EX_PLATFORMS, EX_START, EX_END };

/* Fills an exclusivity_deal from row of a result with the EXCL_COLS columns. */
static void excl_fill(const struct dbres *res, int row, struct exclusivity_deal *e)
{
    e->id = db_val(res, row, EX_ID);
    e->title = db_val(res, row, EX_TITLE);
    if (!deal_stage_parse(db_val(res, row, EX_STAGE), &e->stage)) e->stage = DEAL_STAGE_LOST;
    e->archived = db_bool(res, row, EX_ARCHIVED);
    e->deleted = false;
    e->category = db_val(res, row, EX_CATEGORY);
    e->platforms = platform_bits(db_val(res, row, EX_PLATFORMS));
    e->has_exclusivity = e->category.len && day_of(db_val(res, row, EX_START), &e->start_day)
                         && day_of(db_val(res, row, EX_END), &e->end_day);
}

#define EXCL_COLS "d.id, d.title, d.stage, d.archived, coalesce(d.exclusivity_category, ''), " \
                  "array_to_json(d.exclusivity_platforms)::text, coalesce(d.exclusivity_start::text, ''), "   \
                  "coalesce(d.exclusivity_end::text, '')"

size_t deal_exclusivity_conflicts(struct request *r, str deal_id, struct exclusivity_conflict **out)
{
    *out = NULL;
    const char *id = str_cstr(r->arena, deal_id);
    struct dbres *mine = db_q(r->db, r->arena, "deal_excl_mine",
                              "SELECT " EXCL_COLS " FROM deals d WHERE d.id = $1::uuid AND d.org_id = app_org_id()"
                              " AND d.deleted_at IS NULL", id);
    if (!mine || db_rows(mine) != 1) return 0;
    struct exclusivity_deal *me = arena_alloc(r->arena, sizeof *me);
    excl_fill(mine, 0, me);
    if (!exclusivity_deal_active(me) || !me->has_exclusivity) return 0;
    /* The candidate index: same category, active, overlapping window. */
    struct dbres *others = db_q(r->db, r->arena, "deal_excl_others",
                                "SELECT " EXCL_COLS " FROM deals d WHERE d.org_id = app_org_id()"
                                " AND d.exclusivity_category IS NOT NULL AND d.deleted_at IS NULL AND NOT d.archived"
                                " AND d.stage NOT IN ('lost', 'paid') AND lower(d.exclusivity_category) = lower($2)"
                                " AND d.exclusivity_start <= $4::date AND d.exclusivity_end >= $3::date"
                                " AND d.id <> $1::uuid ORDER BY d.title, d.id LIMIT 200",
                                id, str_cstr(r->arena, me->category), str_cstr(r->arena, db_val(mine, 0, EX_START)),
                                str_cstr(r->arena, db_val(mine, 0, EX_END)));
    if (!others) return 0;
    int n = db_rows(others);
    struct exclusivity_deal *list = arena_alloc(r->arena, sizeof *list * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) excl_fill(others, i, &list[i]);
    return exclusivity_conflicts(r->arena, me, list, (size_t)n, out);
}

/* ---- risk ---- */

struct risk_facts {
    int64_t now;
    int32_t utc_offset_s;
};

enum risk_now_col { RN_NOW, RN_OFFSET };

static int facts_load(struct request *r, struct risk_facts *f)
{
    struct dbres *res = db_q(r->db, r->arena, "deal_risk_now",
                             "SELECT extract(epoch FROM now())::bigint, extract(epoch FROM"
                             " (now() AT TIME ZONE o.timezone) - (now() AT TIME ZONE 'UTC'))::int"
                             " FROM orgs o WHERE o.id = app_org_id()");
    if (!res) return app_db_status(r);
    if (db_rows(res) != 1) return 404;
    f->now = db_long(res, 0, RN_NOW);
    f->utc_offset_s = (int32_t)db_long(res, 0, RN_OFFSET);
    return 0;
}

enum risk_deliverable_col { RD_POSTED, RD_SCHEDULED, RD_WINDOW_END };

static int count_late_deliverables(struct request *r, const char *id, int64_t now, unsigned *late)
{
    struct dbres *res = db_q(r->db, r->arena, "deal_risk_deliverables",
                             "SELECT posted_at IS NOT NULL, extract(epoch FROM scheduled_at)::bigint,"
                             " extract(epoch FROM posting_window_end)::bigint FROM deliverables"
                             " WHERE deal_id = $1::uuid AND org_id = app_org_id() AND deleted_at IS NULL", id);
    if (!res) return app_db_status(r);
    *late = 0;
    for (int i = 0; i < db_rows(res); i++) {
        struct deadline_input in = {
            .posted = db_bool(res, i, RD_POSTED),
            .has_scheduled = !db_isnull(res, i, RD_SCHEDULED), .scheduled_at = db_long(res, i, RD_SCHEDULED),
            .has_window_end = !db_isnull(res, i, RD_WINDOW_END), .window_end = db_long(res, i, RD_WINDOW_END),
        };
        if (deadline_evaluate(&in, now, NULL) == DEADLINE_LATE) (*late)++;
    }
    return 0;
}

enum risk_payment_col { RP_AMOUNT, RP_PAID, RP_EXPECTED_DAY, RP_INVOICED, RP_DISPUTED };

static int count_payment_findings(struct request *r, const char *id, const struct risk_facts *f,
                                  struct risk_input *in)
{
    struct dbres *res = db_q(r->db, r->arena, "deal_risk_payments",
                             "SELECT amount_minor, paid_minor, (expected_at - date '1970-01-01'),"
                             " invoice_sent_at IS NOT NULL, disputed FROM payments"
                             " WHERE deal_id = $1::uuid AND org_id = app_org_id() AND deleted_at IS NULL", id);
    if (!res) return app_db_status(r);
    for (int i = 0; i < db_rows(res); i++) {
        struct payment_facts p = {
            .amount_minor = db_long(res, i, RP_AMOUNT), .paid_minor = db_long(res, i, RP_PAID),
            .has_expected = !db_isnull(res, i, RP_EXPECTED_DAY), .expected_day = db_long(res, i, RP_EXPECTED_DAY),
            .invoice_sent = db_bool(res, i, RP_INVOICED),
        };
        if (payment_is_overdue(&p, f->now, f->utc_offset_s)) in->overdue_payments++;
        if (db_bool(res, i, RP_DISPUTED)) in->disputed_payments++;
    }
    return 0;
}

static void deal_facts(const struct deal_row *d, struct risk_input *in)
{
    if (!deal_stage_parse(d->stage, &in->stage)) in->stage = DEAL_STAGE_INBOUND;
    in->archived = d->archived;
    in->contract_signed = str_eq_cstr(d->contract_status, "signed");
    long v;
    in->has_revision_limit = str_to_long(d->revision_limit, &v);
    in->revision_limit = in->has_revision_limit ? (int)v : 0;
    in->revisions_used = str_to_long(d->revisions_used, &v) ? (int)v : 0;
}

/* The reasons as a JSON array of their texts, for the UPDATE. */
static const char *reasons_json(struct arena *a, const struct risk_result *res)
{
    struct buf b;
    buf_init(&b, a, 128);
    buf_putc(&b, '[');
    for (size_t i = 0; i < res->n_reasons; i++) {
        if (i) buf_putc(&b, ',');
        buf_json_str(&b, res->reasons[i].text);
    }
    buf_putc(&b, ']');
    return buf_cstr(&b);
}

int deal_risk_refresh(struct request *r, str deal_id)
{
    struct deal_row d;
    int st = deal_load(r, deal_id, false, &d);
    if (st == 404) return 0;
    if (st) return st;
    if (d.deleted) return 0;
    struct risk_facts f = { 0 };
    if ((st = facts_load(r, &f))) return st;
    const char *id = str_cstr(r->arena, d.id);
    struct risk_input in = { .now = f.now };
    deal_facts(&d, &in);
    struct dbres *due = db_q(r->db, r->arena, "deal_risk_next_due",
                             "SELECT extract(epoch FROM next_action_due_at)::bigint FROM deals"
                             " WHERE id = $1::uuid AND org_id = app_org_id()", id);
    if (!due) return app_db_status(r);
    in.has_next_action_due = db_rows(due) == 1 && !db_isnull(due, 0, 0);
    in.next_action_due_at = in.has_next_action_due ? db_long(due, 0, 0) : 0;
    if ((st = count_late_deliverables(r, id, f.now, &in.late_deliverables))) return st;
    if ((st = count_payment_findings(r, id, &f, &in))) return st;
    struct exclusivity_conflict *conf;
    in.exclusivity_conflicts = (unsigned)deal_exclusivity_conflicts(r, d.id, &conf);
    struct risk_result res;
    risk_assess(r->arena, &in, &res);
    struct dbres *up = db_q(r->db, r->arena, "deal_risk_store",
                            "UPDATE deals SET risk_level = $2, risk_reasons = ARRAY(SELECT jsonb_array_elements_text($3::jsonb))"
                            " WHERE id = $1::uuid AND org_id = app_org_id() AND (risk_level, risk_reasons) IS DISTINCT FROM"
                            " ($2, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)))",
                            id, risk_level_name(res.level), reasons_json(r->arena, &res));
    return up ? 0 : app_db_status(r);
}

const char *deal_money_text(struct request *r, int64_t minor, str code, bool display)
{
    const struct currency *c = money_currency(code);
    if (!c) return "";
    struct buf b;
    buf_init(&b, r->arena, 24);
    if (display) money_format_display(&b, minor, c);
    else money_format_plain(&b, minor, c);
    return buf_cstr(&b);
}

const char *deal_href(struct request *r, str deal_id)
{
    struct buf b;
    buf_init(&b, r->arena, 64);
    buf_puts(&b, "/deals/");
    buf_put(&b, deal_id);
    return buf_cstr(&b);
}

enum option_col { OPT_ID, OPT_NAME };

/* By name_key (lower(name), stored: sql/0015): the same order without lower() of
 * every brand on every page. For the bench's 10,000 brands the statement is 18 ms
 * against 22 (EXPLAIN ANALYZE), most of it the row-level policy's check of each row
 * and the sort: a select of every brand does not scale (see the closing note). */
int deal_people_options(struct request *r, struct tdict *brand, struct tdict *owner, str brand_now, str owner_now)
{
    struct dbres *b = db_q0(r->db, r->arena, "deal_form_brands",
                            "SELECT id, name FROM brands WHERE org_id = app_org_id() AND deleted_at IS NULL"
                            " ORDER BY name_key, id");
    struct dbres *u = db_q0(r->db, r->arena, "deal_form_users",
                            "SELECT id, name FROM users WHERE org_id = app_org_id() ORDER BY lower(name), id");
    for (int i = 0; b && i < db_rows(b); i++) form_select_add(brand, db_val(b, i, OPT_ID), db_val(b, i, OPT_NAME), brand_now);
    for (int i = 0; u && i < db_rows(u); i++) form_select_add(owner, db_val(u, i, OPT_ID), db_val(u, i, OPT_NAME), owner_now);
    return b ? db_rows(b) : -1;
}
