/* deal_write.c — creating, editing, moving, deleting, restoring and purging deals,
 * as pages (forms, 303 + flash) and as JSON. Every write locks the deal, checks the
 * version it was read at, records one history row per changed field in the same
 * transaction and refreshes risk (also of the deals it conflicts with). */
#include <json-c/json.h>
#include <stdio.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/secretbox.h"
#include "../../db/db.h"
#include "../../domain/deal_stage.h"
#include "../../domain/exclusivity.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "config.h"
#include "deal_common.h"
#include "deal_input.h"
#include "deals.h"
#include "deals.h"

/* ---- affiliate code ---- */

/* Bound to the org and the deal, so a sealed code cannot be moved to another row. */
static str affiliate_context(struct request *r, str deal_id)
{
    struct buf b;
    buf_init(&b, r->arena, 96);
    buf_put(&b, r->session->org_id);
    buf_puts(&b, ":deal:");
    buf_put(&b, deal_id);
    buf_puts(&b, ":affiliate_code");
    return buf_str(&b);
}

/* The sealed code as hex for decode($n, 'hex'), or NULL when not setting one. */
static const char *affiliate_hex(struct request *r, const struct deal_input *in, str deal_id)
{
    if (in->aff != AFF_SET) return NULL;
    str sealed = secretbox_seal(r->arena, app_secret(r), affiliate_context(r, deal_id),
                                str_trim(in->raw[DF_AFFILIATE]));
    struct buf b;
    buf_init(&b, r->arena, sealed.len * 2 + 1);
    for (size_t i = 0; i < sealed.len; i++) buf_printf(&b, "%02x", (unsigned char)sealed.ptr[i]);
    return buf_cstr(&b);
}

int deal_affiliate_open(struct request *r, str deal_id, str *out)
{
    struct dbres *res = db_q(r->db, r->arena, "deal_affiliate_sealed",
                             "SELECT affiliate_code_sealed FROM deals WHERE id = $1::uuid AND org_id = app_org_id()"
                             " AND affiliate_code_sealed IS NOT NULL", str_cstr(r->arena, deal_id));
    if (!res || db_rows(res) != 1) return res ? 1 : -1;
    /* bytea text output is "\x" followed by hex. */
    str hex = db_val(res, 0, 0);
    if (hex.len < 2 || hex.len % 2) return -1;
    size_t n = (hex.len - 2) / 2;
    char *raw = arena_alloc(r->arena, n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        char pair[3] = { hex.ptr[2 + 2 * i], hex.ptr[3 + 2 * i], 0 };
        if (sscanf(pair, "%2x", &v) != 1) return -1;
        raw[i] = (char)v;
    }
    return secretbox_open(r->arena, app_secret(r), affiliate_context(r, deal_id),
                          str_make(raw, n), out) == 0 ? 0 : -1;
}

/* ---- history and risk ---- */

static void row_values(const struct deal_row *d, str v[22])
{
    const str vals[22] = {
        d->title, d->brand_id, d->owner_id, d->stage, d->contract_status, d->deal_type, d->value_minor,
        d->currency, d->usage_rights_start, d->usage_rights_end, d->exclusivity_category,
        d->exclusivity_platforms, d->exclusivity_start, d->exclusivity_end, d->revision_limit,
        d->revisions_used, d->revision_extra_fee_minor, d->next_action, d->next_action_due_at, d->tags,
        d->categories, d->archived ? STR("true") : STR("false"),
    };
    for (int i = 0; i < 22; i++) v[i] = vals[i];
}

/* One row per changed column between two reads of the same deal. */
static int history_between(struct request *r, const struct deal_row *before, const struct deal_row *after,
                           const struct deal_input *in)
{
    static const char *const names[22] = {
        "title", "brand_id", "owner_id", "stage", "contract_status", "deal_type", "value_minor", "currency",
        "usage_rights_start", "usage_rights_end", "exclusivity_category", "exclusivity_platforms",
        "exclusivity_start", "exclusivity_end", "revision_limit", "revisions_used", "revision_extra_fee_minor",
        "next_action", "next_action_due_at", "tags", "categories", "archived",
    };
    str o[22], n[22];
    row_values(before, o);
    row_values(after, n);
    int st = deal_history_diff(r, "deal", after->id, names, o, n, 22);
    if (st || !in || in->aff == AFF_KEEP) return st;
    /* Never the code itself: only that it was set, replaced or removed. */
    return deal_history_record(r, "deal", after->id, "affiliate_code", before->has_affiliate_code ? STR("(set)") : STR_NULL,
                               in->aff == AFF_SET ? STR("(changed)") : STR_NULL);
}

/* Refreshes the deal and every deal it conflicts with (before and after the write:
 * a conflict appears or disappears on both sides). */
static int refresh_with_conflicts(struct request *r, str id, struct exclusivity_conflict *before, size_t nb)
{
    int st = deal_risk_refresh(r, id);
    struct exclusivity_conflict *after;
    size_t na = deal_exclusivity_conflicts(r, id, &after);
    for (size_t i = 0; !st && i < nb; i++) st = deal_risk_refresh(r, before[i].other->id);
    for (size_t i = 0; !st && i < na; i++) st = deal_risk_refresh(r, after[i].other->id);
    return st;
}

/* ---- SQL ---- */

#define DEAL_VALUES                                                                                   \
    " $2, $3::uuid, $4::uuid, $5, $6, $7, $8::bigint, $9, $10::date, $11::date, $12,"                 \
    " ARRAY(SELECT jsonb_array_elements_text($13::jsonb)), $14::date, $15::date, $16::int, $17::int," \
    " $18::bigint, $19, deal_local_time($20), ARRAY(SELECT jsonb_array_elements_text($21::jsonb)),"  \
    " ARRAY(SELECT jsonb_array_elements_text($22::jsonb))"

static int insert_deal(struct request *r, const struct deal_input *in, str id)
{
    const char *const *p = in->p;
    struct dbres *res = db_q(r->db, r->arena, "deal_insert",
                             "INSERT INTO deals (id, org_id, title, brand_id, owner_id, stage, contract_status, deal_type,"
                             " value_minor, currency, usage_rights_start, usage_rights_end, exclusivity_category,"
                             " exclusivity_platforms, exclusivity_start, exclusivity_end, revision_limit, revisions_used,"
                             " revision_extra_fee_minor, next_action, next_action_due_at, tags, categories, archived,"
                             " affiliate_code_sealed) VALUES ($1::uuid, app_org_id()," DEAL_VALUES ", $23::boolean,"
                             " decode($24, 'hex'))",
                             str_cstr(r->arena, id), p[DF_TITLE], p[DF_BRAND], p[DF_OWNER], p[DF_STAGE], p[DF_CONTRACT],
                             p[DF_TYPE], p[DF_VALUE], p[DF_CURRENCY], p[DF_UR_START], p[DF_UR_END], p[DF_EX_CAT],
                             p[DF_EX_PLAT], p[DF_EX_START], p[DF_EX_END], p[DF_REV_LIMIT], p[DF_REV_USED], p[DF_REV_FEE],
                             p[DF_NEXT], p[DF_NEXT_DUE], p[DF_TAGS], p[DF_CATEGORIES], p[DF_ARCHIVED],
                             affiliate_hex(r, in, id));
    return res ? 0 : db_error_http_status(db_last_error(r->db));
}

static int update_deal(struct request *r, const struct deal_input *in, str id)
{
    const char *const *p = in->p;
    struct dbres *res = db_q(r->db, r->arena, "deal_update",
                             "UPDATE deals SET (title, brand_id, owner_id, stage, contract_status, deal_type, value_minor,"
                             " currency, usage_rights_start, usage_rights_end, exclusivity_category, exclusivity_platforms,"
                             " exclusivity_start, exclusivity_end, revision_limit, revisions_used, revision_extra_fee_minor,"
                             " next_action, next_action_due_at, tags, categories) = (" DEAL_VALUES "), archived = $23::boolean,"
                             " affiliate_code_sealed = CASE $25 WHEN 'keep' THEN affiliate_code_sealed ELSE decode($24, 'hex') END,"
                             " version = version + 1, updated_at = now() WHERE id = $1::uuid AND org_id = app_org_id()",
                             str_cstr(r->arena, id), p[DF_TITLE], p[DF_BRAND], p[DF_OWNER], p[DF_STAGE], p[DF_CONTRACT],
                             p[DF_TYPE], p[DF_VALUE], p[DF_CURRENCY], p[DF_UR_START], p[DF_UR_END], p[DF_EX_CAT],
                             p[DF_EX_PLAT], p[DF_EX_START], p[DF_EX_END], p[DF_REV_LIMIT], p[DF_REV_USED], p[DF_REV_FEE],
                             p[DF_NEXT], p[DF_NEXT_DUE], p[DF_TAGS], p[DF_CATEGORIES], p[DF_ARCHIVED],
                             affiliate_hex(r, in, id), in->aff == AFF_KEEP ? "keep" : "write");
    return res ? 0 : db_error_http_status(db_last_error(r->db));
}

/* ---- the form page ---- */

static void fill_options(struct request *r, struct tdict *d, const struct deal_input *in)
{
    struct dbres *b = db_q0(r->db, r->arena, "deal_form_brands",
                            "SELECT id, name FROM brands WHERE org_id = app_org_id() AND deleted_at IS NULL ORDER BY lower(name), id");
    for (int i = 0; b && i < db_rows(b); i++) {
        struct tdict *o = tdict_add_section(d, "BRAND_OPT");
        tdict_set(o, "OPT_VALUE", db_val(b, i, 0));
        tdict_set(o, "OPT_LABEL", db_val(b, i, 1));
        if (str_eq(db_val(b, i, 0), in->raw[DF_BRAND])) tdict_show(o, "OPT_SELECTED");
    }
    if (b && !db_rows(b)) tdict_show(d, "NO_BRANDS");
    struct dbres *u = db_q0(r->db, r->arena, "deal_form_users",
                            "SELECT id, name FROM users WHERE org_id = app_org_id() ORDER BY lower(name), id");
    for (int i = 0; u && i < db_rows(u); i++) {
        struct tdict *o = tdict_add_section(d, "OWNER_OPT");
        tdict_set(o, "OPT_VALUE", db_val(u, i, 0));
        tdict_set(o, "OPT_LABEL", db_val(u, i, 1));
        if (str_eq(db_val(u, i, 0), in->raw[DF_OWNER])) tdict_show(o, "OPT_SELECTED");
    }
}

/* Marks the selected option of each fixed select and checkbox group. */
static void fill_choices(struct tdict *d, const struct deal_input *in)
{
    static const struct { const char *section; enum deal_field f; const char *values; } groups[] = {
        { "STAGE_OPT", DF_STAGE, "inbound,negotiating,contracted,in_progress,delivered,invoiced,paid,lost" },
        { "CONTRACT_OPT", DF_CONTRACT, "none,requested,drafted,sent,signed,terminated" },
        { "TYPE_OPT", DF_TYPE, "fixed,affiliate,performance_bonus,hybrid" },
        { "CURRENCY_OPT", DF_CURRENCY, "USD,EUR,GBP,INR" },
        { "PLATFORM_OPT", DF_EX_PLAT, "instagram,youtube,tiktok,other" },
    };
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        str rest = str_from(groups[g].values), v;
        while (rest.len) {
            str_cut(rest, ',', &v, &rest);
            struct tdict *o = tdict_add_section(d, groups[g].section);
            tdict_set(o, "OPT_VALUE", v);
            tdict_set(o, "OPT_LABEL", v);
            /* The platforms value is a comma list; the others one name. */
            str cur = in->raw[groups[g].f], item, more = cur;
            bool on = false;
            while (more.len && !on) {
                str_cut(more, ',', &item, &more);
                on = str_eq(str_trim(item), v);
            }
            if (on) tdict_show(o, "OPT_SELECTED");
        }
    }
}

static int render_form(struct request *r, int status, const struct deal_row *d, const struct deal_input *in,
                       const char *notice)
{
    struct tdict *t = page_dict(r, d ? "Edit deal" : "New deal", "deals/form.tpl");
    deals_tabs(t, "list");
    deal_input_to_dict(t, in);
    fill_options(r, t, in);
    fill_choices(t, in);
    if (d) {
        struct tdict *e = tdict_add_section(t, "EDIT");
        tdict_set(e, "ID", d->id);
        tdict_set_long(e, "VERSION", d->version);
        tdict_set(t, "ID", d->id);
        if (d->has_affiliate_code) tdict_show(t, "HAS_AFFILIATE");
        tdict_set_cstr(t, "HEADING", "Edit deal");
    } else {
        tdict_show(t, "NEW");
        tdict_set_cstr(t, "HEADING", "New deal");
    }
    if (notice) tdict_set_cstr(tdict_add_section(t, "NOTICE"), "TEXT", notice);
    return page_render(r, status, t);
}

static str local_due(struct request *r, str id)
{
    struct dbres *res = db_q(r->db, r->arena, "deal_local_due",
                             "SELECT deal_local_text(next_action_due_at) FROM deals WHERE id = $1::uuid AND org_id = app_org_id()",
                             str_cstr(r->arena, id));
    return res && db_rows(res) == 1 ? db_val(res, 0, 0) : STR("");
}

/* GET /deals/new (agent+) — the empty form: stage inbound, owner me, org currency. */
int deals_new_form(struct request *r)
{
    struct deal_input in = { .version = -1 };
    for (int i = 0; i < DF_COUNT; i++) in.raw[i] = STR("");
    in.raw[DF_OWNER] = r->session->user_id;
    in.raw[DF_STAGE] = STR("inbound");
    in.raw[DF_VALUE] = STR("0");
    in.raw[DF_REV_USED] = STR("0");
    struct dbres *c = db_q0(r->db, r->arena, "deal_org_currency", "SELECT currency FROM orgs WHERE id = app_org_id()");
    if (c && db_rows(c) == 1) in.raw[DF_CURRENCY] = str_trim(db_val(c, 0, 0));
    return render_form(r, 200, NULL, &in, NULL);
}

/* GET /deals/{id}/edit (agent+; the owner, managers, admins) — the form with the
 * stored values and the version it was read at. */
int deals_edit_form(struct request *r)
{
    struct deal_row d;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &d);
    if (st) return st;
    struct deal_input in;
    deal_input_from_row(r, &d, local_due(r, d.id), &in);
    return render_form(r, 200, &d, &in, NULL);
}

/* ---- create ---- */

/* API keys write only with a manager or admin key (they have no user to own deals). */
static bool key_may_write(const struct request *r)
{
    return !r->via_api_key || r->session->role >= ROLE_MANAGER;
}

static int create_deal(struct request *r, struct deal_input *in, str *id)
{
    int n = deal_input_validate(r, in);
    if (n < 0) return -n;
    if (n) return 400;
    struct dbres *g = db_q0(r->db, r->arena, "deal_new_id", "SELECT gen_random_uuid()::text");
    if (!g) return db_error_http_status(db_last_error(r->db));
    *id = db_val(g, 0, 0);
    int st = insert_deal(r, in, *id);
    if (!st) st = deal_history_event(r, "deal", *id, "create");
    if (!st) st = refresh_with_conflicts(r, *id, NULL, 0);
    if (!st) st = audit_write(r, "deal.create", "deal", *id, NULL) ? 500 : 0;
    return st;
}

/* POST /deals (agent+, CSRF) — the new-deal form; 400 re-renders it with messages,
 * success is 303 to the deal with a flash. */
int deals_create(struct request *r)
{
    struct deal_input in;
    deal_input_from_form(r, &in);
    str id;
    int st = create_deal(r, &in, &id);
    if (st == 400 && in.n_err) return render_form(r, 400, NULL, &in, NULL);
    if (st) return st;
    struct buf u;
    buf_init(&u, r->arena, 64);
    buf_puts(&u, "/deals/");
    buf_put(&u, id);
    return redirect_see_other(r, buf_cstr(&u), "ok", "The deal was created.");
}

static int reply_deal(struct request *r, int status, str id)
{
    int st = 0;
    struct json_object *o = deal_json_by_id(r, id, false, &st);
    if (!o) return st;
    json_reply_data(r, status, o);
    return 0;
}

/* POST /api/v1/deals (manager/admin key or agent+ session) — JSON body with SPEC §6's
 * fields (title, brand_id required); 201 + the deal, 400 naming the fields. */
int api_deals_create(struct request *r)
{
    if (!key_may_write(r)) return 403;
    struct deal_input in = { .version = -1 };
    for (int i = 0; i < DF_COUNT; i++) in.raw[i] = STR("");
    if (!r->via_api_key) in.raw[DF_OWNER] = r->session->user_id;
    deal_input_from_json(r, &in);
    str id;
    int st = create_deal(r, &in, &id);
    if (st == 400 && in.n_err) {
        app_error(r, 400, "Some fields are not valid.", deal_input_errors_json(&in));
        return 0;
    }
    return st ? st : reply_deal(r, 201, id);
}

/* ---- update ---- */

/* A stage change must be a legal move; *moves lists the allowed ones for the 409. */
static bool stage_move_ok(struct request *r, str from, str to, const char **moves)
{
    enum deal_stage a, b;
    if (str_eq(from, to) || !deal_stage_parse(from, &a) || !deal_stage_parse(to, &b)) return true;
    if (deal_stage_can_move(a, b)) return true;
    struct buf m;
    buf_init(&m, r->arena, 64);
    deal_stage_describe_moves(&m, a);
    *moves = buf_cstr(&m);
    return false;
}

enum update_outcome { UP_OK, UP_INVALID, UP_STALE, UP_BAD_MOVE };

/* Validates and writes in over the locked deal *d (refreshed afterwards into *d). */
static int apply_update(struct request *r, struct deal_row *d, struct deal_input *in, enum update_outcome *out,
                        const char **moves)
{
    *out = UP_OK;
    int n = deal_input_validate(r, in);
    if (n < 0) return -n;
    if (n) return *out = UP_INVALID, 400;
    if (!stage_move_ok(r, d->stage, str_from(in->p[DF_STAGE]), moves)) return *out = UP_BAD_MOVE, 409;
    struct exclusivity_conflict *before;
    size_t nb = deal_exclusivity_conflicts(r, d->id, &before);
    int st = update_deal(r, in, d->id);
    struct deal_row after;
    if (!st) st = deal_load(r, d->id, false, &after);
    if (!st) st = history_between(r, d, &after, in);
    if (!st) st = refresh_with_conflicts(r, d->id, before, nb);
    if (!st) st = audit_write(r, "deal.update", "deal", d->id, NULL) ? 500 : 0;
    if (!st) *d = after;
    return st;
}

/* Locks the deal for a write at the version the client read; *stale when it moved. */
static int lock_for_update(struct request *r, long version, struct deal_row *d, bool *stale)
{
    int st = deal_load_for_write(r, req_path_param(r, "id"), version < 0 ? 0 : version, d);
    *stale = st == 409;
    return *stale ? 0 : st;
}

/* POST /deals/{id} (agent+ owner, manager, admin; CSRF) — the edit form with
 * `version`. Stale → 409: the form again with the CURRENT values and a notice,
 * nothing written. Illegal stage → 409 with the allowed moves. */
int deals_update(struct request *r)
{
    struct deal_row d;
    bool stale;
    struct deal_input in;
    deal_input_from_form(r, &in);
    int st = lock_for_update(r, in.version, &d, &stale);
    if (st) return st;
    if (stale) {
        struct deal_input cur;
        deal_input_from_row(r, &d, local_due(r, d.id), &cur);
        return render_form(r, 409, &d, &cur, deal_stale_form_notice(r, "deal"));
    }
    in.raw[DF_STAGE] = d.stage; /* the form moves stages with its own buttons */
    enum update_outcome out;
    const char *moves = NULL;
    st = apply_update(r, &d, &in, &out, &moves);
    if (out == UP_INVALID) return render_form(r, 400, &d, &in, NULL);
    if (st) return st;
    struct buf u;
    buf_init(&u, r->arena, 64);
    buf_puts(&u, "/deals/");
    buf_put(&u, d.id);
    return redirect_see_other(r, buf_cstr(&u), "ok", "The deal was saved.");
}

/* The 409 of a stale deal write: the shared shape, current as PATCH would answer. */
static int reply_stale_json(struct request *r, str id)
{
    int st;
    return deal_stale_reply_json(r, "deal", deal_json_by_id(r, id, false, &st));
}

static void reply_bad_move(struct request *r, str from, const char *moves)
{
    struct buf m;
    buf_init(&m, r->arena, 128);
    buf_puts(&m, "A deal cannot move from ");
    buf_put(&m, from);
    buf_puts(&m, " to that stage. Allowed moves: ");
    buf_puts(&m, moves);
    buf_putc(&m, '.');
    struct json_object *fields = json_object_new_object();
    json_add_cstr(fields, "stage", buf_cstr(&m));
    json_add_cstr(fields, "allowed_moves", moves);
    app_error(r, 409, buf_cstr(&m), fields);
}

/* PATCH /api/v1/deals/{id} — a partial update with `version` (required); stale →
 * 409 with the current deal in error.fields.current; stage moves checked (409 with
 * the allowed moves). */
int api_deals_update(struct request *r)
{
    if (!key_may_write(r)) return 403;
    struct json_object *v;
    if (!r->json || !json_object_object_get_ex(r->json, "version", &v)) {
        struct json_object *fields = json_object_new_object();
        json_add_cstr(fields, "version", "Send the version you read, so a concurrent change is not overwritten.");
        app_error(r, 400, "version is required.", fields);
        return 0;
    }
    struct deal_row d;
    bool stale;
    long version = json_object_is_type(v, json_type_int) ? (long)json_object_get_int64(v) : 0;
    int st = lock_for_update(r, version, &d, &stale);
    if (st) return st;
    if (stale) return reply_stale_json(r, d.id);
    struct deal_input in;
    deal_input_from_row(r, &d, d.next_action_due_at, &in);
    deal_input_from_json(r, &in);
    enum update_outcome out;
    const char *moves = NULL;
    st = apply_update(r, &d, &in, &out, &moves);
    if (out == UP_INVALID) return app_error(r, 400, "Some fields are not valid.", deal_input_errors_json(&in)), 0;
    if (out == UP_BAD_MOVE) return reply_bad_move(r, d.stage, moves), 0;
    return st ? st : reply_deal(r, 200, d.id);
}

/* A refused move without JavaScript: the page it came from, as it is now, with the
 * reason on top and status 409. */
static int stage_notice(struct request *r, bool to_board, str id, const char *notice)
{
    return to_board ? deals_board_render(r, 409, notice) : deals_show_render(r, 409, id, notice);
}

/* POST /deals/{id}/stage (agent+ owner, manager, admin; CSRF) — `stage` and
 * `version`; 303 back to `return_to` (board, else the deal) with a flash. An
 * illegal move or a stale version is 409: that page with a notice naming the
 * allowed moves, or JSON for scripts (the board's drag and drop). */
int deals_stage(struct request *r)
{
    const str *stage = kvlist_get(&r->form, "stage"), *ver = kvlist_get(&r->form, "version");
    long version = -1;
    enum deal_stage target;
    const char *bad = !stage || !deal_stage_parse(str_trim(*stage), &target) ? "stage"
                      : !ver || !str_to_long(str_trim(*ver), &version) ? "version" : NULL;
    if (bad) {
        struct json_object *fields = json_object_new_object();
        json_add_cstr(fields, bad, bad[0] == 's' ? "Choose a stage from the list." : "Send the version you read.");
        app_error(r, 400, bad[0] == 's' ? "stage is not a stage." : "version is missing.", fields);
        return 0;
    }
    struct deal_row d;
    bool stale;
    int st = lock_for_update(r, version, &d, &stale);
    if (st) return st;
    const str *back = kvlist_get(&r->form, "return_to");
    bool to_board = back && str_eq_cstr(*back, "board");
    if (stale) {
        if (r->wants_json) return reply_stale_json(r, d.id);
        return stage_notice(r, to_board, d.id, deal_stale_page_notice(r, "deal"));
    }
    struct deal_input in;
    deal_input_from_row(r, &d, d.next_action_due_at, &in);
    in.raw[DF_STAGE] = str_trim(*stage);
    enum update_outcome out;
    const char *moves = NULL;
    str from = d.stage;
    st = apply_update(r, &d, &in, &out, &moves);
    if (out == UP_BAD_MOVE) {
        if (r->wants_json) return reply_bad_move(r, from, moves), 0;
        struct buf m;
        buf_init(&m, r->arena, 128);
        buf_printf(&m, "Cannot move “%.*s” from %.*s to %s. Allowed moves: %s.", STR_FMT(d.title), STR_FMT(from),
                   deal_stage_name(target), moves);
        return stage_notice(r, to_board, d.id, buf_cstr(&m));
    }
    if (st) return st;
    if (r->wants_json) return reply_deal(r, 200, d.id);
    struct buf u;
    buf_init(&u, r->arena, 64);
    buf_puts(&u, "/deals/");
    if (to_board) buf_puts(&u, "board");
    else buf_put(&u, d.id);
    return redirect_see_other(r, buf_cstr(&u), "ok", "Stage changed.");
}

/* ---- delete, restore, purge ---- */

static int soft_delete(struct request *r, str *id)
{
    struct deal_row d;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &d);
    if (st) return st;
    *id = d.id;
    struct exclusivity_conflict *before;
    size_t nb = deal_exclusivity_conflicts(r, d.id, &before);
    struct dbres *res = db_q(r->db, r->arena, "deal_soft_delete",
                             "UPDATE deals SET deleted_at = now(), version = version + 1, updated_at = now()"
                             " WHERE id = $1::uuid AND org_id = app_org_id() AND deleted_at IS NULL", str_cstr(r->arena, d.id));
    if (!res) return db_error_http_status(db_last_error(r->db));
    st = deal_history_event(r, "deal", d.id, "delete");
    for (size_t i = 0; !st && i < nb; i++) st = deal_risk_refresh(r, before[i].other->id);
    if (!st) st = audit_write(r, "deal.delete", "deal", d.id, NULL) ? 500 : 0;
    return st;
}

/* GET /deals/{id}/delete — the confirmation page. */
int deals_delete_confirm(struct request *r)
{
    struct deal_row d;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &d);
    if (st) return st;
    struct tdict *t = page_dict(r, "Delete deal", "deals/delete.tpl");
    tdict_set(t, "ID", d.id);
    tdict_set(t, "TITLE", d.title);
    tdict_set(t, "BRAND", d.brand_name);
    return page_render(r, 200, t);
}

/* POST /deals/{id}/delete (owner agent, manager, admin; CSRF) — soft delete; 303 to
 * /deals with a flash. */
int deals_delete(struct request *r)
{
    str id;
    int st = soft_delete(r, &id);
    return st ? st : redirect_see_other(r, "/deals", "ok", "The deal was deleted. Managers can restore it from the deleted list.");
}

/* DELETE /api/v1/deals/{id} — soft delete; {"data":{"deleted":true}}. */
int api_deals_delete(struct request *r)
{
    if (!key_may_write(r)) return 403;
    str id;
    int st = soft_delete(r, &id);
    if (st) return st;
    struct json_object *o = json_object_new_object();
    json_add_bool(o, "deleted", true);
    json_reply_data(r, 200, o);
    return 0;
}

static int restore(struct request *r, str *id)
{
    struct deal_row d;
    int st = deal_load(r, req_path_param(r, "id"), true, &d);
    if (st) return st;
    if (!deal_may_write(r, &d)) return 403;
    if (!d.deleted) return 409;
    *id = d.id;
    struct dbres *res = db_q(r->db, r->arena, "deal_restore",
                             "UPDATE deals SET deleted_at = NULL, version = version + 1, updated_at = now()"
                             " WHERE id = $1::uuid AND org_id = app_org_id()", str_cstr(r->arena, d.id));
    if (!res) return db_error_http_status(db_last_error(r->db));
    st = deal_history_event(r, "deal", d.id, "restore");
    if (!st) st = refresh_with_conflicts(r, d.id, NULL, 0);
    if (!st) st = audit_write(r, "deal.restore", "deal", d.id, NULL) ? 500 : 0;
    return st;
}

/* POST /deals/{id}/restore (CSRF) — puts a soft-deleted deal back; 303 to it. */
int deals_restore(struct request *r)
{
    str id;
    int st = restore(r, &id);
    if (st) return st;
    struct buf u;
    buf_init(&u, r->arena, 64);
    buf_puts(&u, "/deals/");
    buf_put(&u, id);
    return redirect_see_other(r, buf_cstr(&u), "ok", "The deal was restored.");
}

/* POST /api/v1/deals/{id}/restore — 200 + the deal; 409 when it is not deleted. */
int api_deals_restore(struct request *r)
{
    if (!key_may_write(r)) return 403;
    str id;
    int st = restore(r, &id);
    return st ? st : reply_deal(r, 200, id);
}

/* POST /deals/{id}/purge (admin, CSRF) — permanently deletes an already deleted deal
 * through sb_deal_purge (0008), which writes the 'purge' history row; 409 for a live
 * deal; 303 to the deleted list. */
int deals_purge(struct request *r)
{
    struct deal_row d;
    int st = deal_load(r, req_path_param(r, "id"), true, &d);
    if (st) return st;
    if (!d.deleted) return 409;
    struct dbres *res = db_q(r->db, r->arena, "deal_purge", "SELECT sb_deal_purge($1::uuid, $2, $3)",
                             str_cstr(r->arena, d.id), str_cstr(r->arena, r->remote_addr), str_cstr(r->arena, r->request_id));
    if (!res) return db_error_http_status(db_last_error(r->db));
    if (!db_bool(res, 0, 0)) return 403;
    if (audit_write(r, "deal.purge", "deal", d.id, NULL)) return 500;
    return redirect_see_other(r, "/deals?deleted=true", "ok", "The deal was deleted permanently.");
}
