/* deal_write.c — creating, editing, moving, deleting, restoring and purging deals,
 * as pages (forms, 303 + flash) and as JSON. Every write locks the deal, checks the
 * version it was read at, records one history row per changed field in the same
 * transaction and refreshes risk (also of the deals it conflicts with). */
#include <json-c/json.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/deal_stage.h"
#include "../../domain/exclusivity.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "affiliate.h"
#include "deal_common.h"
#include "benchmarks.h"
#include "deal_input.h"
#include "deals.h"

/* The sealed code as hex for decode($n, 'hex'), or NULL when not setting one. */
static const char *affiliate_hex(struct request *r, const struct deal_input *in, str deal_id)
{
    return in->aff == AFF_SET ? deal_affiliate_seal_hex(r, deal_id, str_trim(in->raw[DF_AFFILIATE])) : NULL;
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
    return res ? 0 : app_db_status(r);
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
    return res ? 0 : app_db_status(r);
}

/* ---- the form page ---- */

/* The brand and owner selects, from the org's live brands and its users. */
static void fill_people(struct request *r, struct tdict *t, const struct deal_input *in)
{
    const struct field_errors *e = &in->errs;
    struct tdict *brand = form_select(t, "F_BRAND", e, "brand_id", "Brand", NULL, 0, in->raw[DF_BRAND], "Choose a brand");
    struct tdict *owner = form_select(t, "F_OWNER", e, "owner_id", "Owner", NULL, 0, in->raw[DF_OWNER], "Nobody");
    if (deal_people_options(r, brand, owner, in->raw[DF_BRAND], in->raw[DF_OWNER]) == 0) tdict_show(t, "NO_BRANDS");
}

/* A select of fixed names, each its own label. */
static struct tdict *fixed_select(struct tdict *t, const char *marker, const struct deal_input *in, enum deal_field f,
                                  const char *label, const char *const *names, size_t n)
{
    struct form_option opts[8];
    for (size_t i = 0; i < n; i++) opts[i] = (struct form_option){ names[i], names[i] };
    return form_select(t, marker, &in->errs, deal_field_names[f], label, opts, n, in->raw[f], NULL);
}

static void fill_choices(struct tdict *t, const struct deal_input *in, bool is_new)
{
    static const char *const stages[] = { "inbound", "negotiating", "contracted", "in_progress", "delivered", "invoiced", "paid", "lost" };
    static const char *const contracts[] = { "none", "requested", "drafted", "sent", "signed", "terminated" };
    static const char *const types[] = { "fixed", "affiliate", "performance_bonus", "hybrid" };
    static const char *const currencies[] = { "USD", "EUR", "GBP", "INR" };
    static const char *const platforms[] = { "instagram", "youtube", "tiktok", "other" };
    /* The edit form moves stages with the deal page's buttons, not a select. */
    if (is_new) fixed_select(t, "F_STAGE", in, DF_STAGE, "Stage", stages, 8);
    fixed_select(t, "F_CONTRACT", in, DF_CONTRACT, "Contract", contracts, 6);
    fixed_select(t, "F_TYPE", in, DF_TYPE, "Deal type", types, 4);
    fixed_select(t, "F_CURRENCY", in, DF_CURRENCY, "Currency", currencies, 4);
    struct tdict *p = fixed_select(t, "F_EX_PLAT", in, DF_EX_PLAT, "Exclusive on", platforms, 4);
    tdict_set_cstr(tdict_add_section(p, "MULTIPLE"), "SIZE", "4");
}

/* The input partial of field f at marker, with its value and message. */
static struct tdict *field(struct tdict *t, const char *marker, const struct deal_input *in, enum deal_field f,
                           const char *label, const char *type)
{
    return form_field(t, marker, &in->errs, deal_field_names[f], label, type, in->raw[f]);
}

/* Shows an optional part of a partial (MAXLENGTH, INPUTMODE, ...) with its value. */
static void set_part(struct tdict *f, const char *part, const char *key, const char *value)
{
    tdict_set_cstr(tdict_add_section(f, part), key, value);
}

static void fill_fields(struct tdict *t, const struct deal_input *in, bool has_affiliate)
{
    struct tdict *f = field(t, "F_TITLE", in, DF_TITLE, "Title", "text");
    tdict_show(f, "REQUIRED");
    set_part(f, "MAXLENGTH", "N", "200");
    f = field(t, "F_VALUE", in, DF_VALUE, "Value", "text");
    set_part(f, "INPUTMODE", "MODE", "decimal");
    set_part(f, "PLACEHOLDER", "TEXT", "1,250.00");
    field(t, "F_TAGS", in, DF_TAGS, "Tags (comma-separated)", "text");
    field(t, "F_CATEGORIES", in, DF_CATEGORIES, "Categories (comma-separated)", "text");
    set_part(field(t, "F_NEXT", in, DF_NEXT, "Next action", "text"), "MAXLENGTH", "N", "500");
    field(t, "F_NEXT_DUE", in, DF_NEXT_DUE, "Due", "datetime-local");
    field(t, "F_UR_START", in, DF_UR_START, "Usage rights from", "date");
    field(t, "F_UR_END", in, DF_UR_END, "Usage rights until", "date");
    set_part(field(t, "F_EX_CAT", in, DF_EX_CAT, "Exclusivity category", "text"), "MAXLENGTH", "N", "100");
    field(t, "F_EX_START", in, DF_EX_START, "Exclusive from", "date");
    field(t, "F_EX_END", in, DF_EX_END, "Exclusive until", "date");
    set_part(field(t, "F_REV_LIMIT", in, DF_REV_LIMIT, "Revision limit (empty: none)", "text"), "INPUTMODE", "MODE", "numeric");
    set_part(field(t, "F_REV_USED", in, DF_REV_USED, "Revisions used", "text"), "INPUTMODE", "MODE", "numeric");
    set_part(field(t, "F_REV_FEE", in, DF_REV_FEE, "Fee per extra revision", "text"), "INPUTMODE", "MODE", "decimal");
    f = field(t, "F_AFFILIATE", in, DF_AFFILIATE, "Affiliate code", "text");
    tdict_show(f, "AUTOCOMPLETE_OFF");
    if (has_affiliate) set_part(f, "HINT", "TEXT", "A code is stored; leave empty to keep it.");
}

/* The new-deal form (d NULL) or the edit form of d, with in's values and messages. */
static int render_form(struct request *r, int status, const struct deal_row *d, const struct deal_input *in,
                       const char *notice)
{
    struct tdict *t = page_dict(r, d ? "Edit deal" : "New deal", "deals/form.tpl");
    deals_tabs(t, "list");
    tdict_set_cstr(t, "HEADING", d ? "Edit deal" : "New deal");
    form_errors(t, &in->errs, "form-errors", "Please correct these fields:");
    fill_people(r, t, in);
    fill_choices(t, in, !d);
    fill_fields(t, in, d && d->has_affiliate_code);
    if (str_eq_cstr(in->raw[DF_ARCHIVED], "true")) tdict_show(t, "ARCHIVED_CHECKED");
    if (d) {
        struct tdict *e = tdict_add_section(t, "EDIT");
        tdict_set(e, "ID", d->id);
        tdict_set_long(e, "VERSION", d->version);
        tdict_set(t, "ID", d->id);
        if (d->has_affiliate_code) tdict_show(t, "HAS_AFFILIATE");
    } else {
        tdict_show(t, "NEW");
    }
    if (notice) tdict_set_cstr(tdict_add_section(t, "NOTICE"), "TEXT", notice);
    int st = deal_benchmark_fill(r, t, in->raw[DF_CURRENCY]);
    return st ? st : page_render(r, status, t);
}

/* What field_errors_reply needs to show a refused form again. */
struct form_again {
    const struct deal_row *d;
    const struct deal_input *in;
};

static int form_again(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    (void)e; /* the input's own errors */
    const struct form_again *f = ctx;
    return render_form(r, status, f->d, f->in, NULL);
}

/* The one answer to a refused deal: the form again (d NULL: the new-deal form) or
 * the JSON error naming the fields. Returns REPLIED or a status. */
static int invalid_reply(struct request *r, const struct deal_row *d, const struct deal_input *in)
{
    struct form_again ctx = { d, in };
    return field_errors_reply(r, "Some fields are not valid.", &in->errs, form_again, &ctx);
}

static str local_due(struct request *r, str id)
{
    struct dbres *res = db_q(r->db, r->arena, "deal_local_due",
                             "SELECT deal_local_text(next_action_due_at) FROM deals WHERE id = $1::uuid AND org_id = app_org_id()",
                             str_cstr(r->arena, id));
    return res && db_rows(res) == 1 ? db_val(res, 0, 0) : STR("");
}

/* GET /deals/new (managers, admins) — the empty form: stage inbound, owner me, org currency. */
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

static int create_deal(struct request *r, struct deal_input *in, str *id)
{
    int n = deal_input_validate(r, in);
    if (n < 0) return -n;
    if (n) return 400;
    struct dbres *g = db_q0(r->db, r->arena, "deal_new_id", "SELECT gen_random_uuid()::text");
    if (!g) return app_db_status(r);
    *id = db_val(g, 0, 0);
    int st = insert_deal(r, in, *id);
    if (!st) st = deal_history_event(r, "deal", *id, "create");
    if (!st) st = refresh_with_conflicts(r, *id, NULL, 0);
    if (!st) st = audit_write(r, "deal.create", "deal", *id, NULL);
    return st;
}

/* POST /deals (managers, admins; CSRF) — the new-deal form; 400 re-renders it with messages,
 * success is 303 to the deal with a flash. */
int deals_create(struct request *r)
{
    struct deal_input in;
    deal_input_from_form(r, &in);
    str id;
    int st = create_deal(r, &in, &id);
    if (st == 400 && field_errors_any(&in.errs)) return invalid_reply(r, NULL, &in);
    return st ? st : redirect_see_other(r, deal_href(r, id), "ok", "The deal was created.");
}

static int reply_deal(struct request *r, int status, str id)
{
    int st = 0;
    struct json_object *o = deal_json_by_id(r, id, false, &st);
    if (!o) return st;
    json_reply_data(r, status, o);
    return 0;
}

/* POST /api/v1/deals (managers, admins: sessions and keys) — JSON body with the
 * deal's fields (title, brand_id required; owner_id: a session user by default);
 * 201 + the deal, 400 naming the fields. */
int api_deals_create(struct request *r)
{
    struct deal_input in = { .version = -1 };
    for (int i = 0; i < DF_COUNT; i++) in.raw[i] = STR("");
    if (!r->via_api_key) in.raw[DF_OWNER] = r->session->user_id;
    deal_input_from_json(r, &in);
    str id;
    int st = create_deal(r, &in, &id);
    if (st == 400 && field_errors_any(&in.errs)) return invalid_reply(r, NULL, &in);
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

enum update_outcome { UP_OK, UP_INVALID, UP_BAD_MOVE };

/* Validates and writes in over the locked deal *d (refreshed afterwards into *d).
 * Returns 0 or a status; *out says why a 400 or 409 was refused. */
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
    if (!st) st = audit_write(r, "deal.update", "deal", d->id, NULL);
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
 * nothing written. */
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
        int rst = render_form(r, 409, &d, &cur, deal_stale_form_notice(r, "deal"));
        return rst ? rst : REPLIED;
    }
    in.raw[DF_STAGE] = d.stage; /* the form moves stages with its own buttons */
    enum update_outcome out;
    const char *moves = NULL;
    st = apply_update(r, &d, &in, &out, &moves);
    if (out == UP_INVALID) return invalid_reply(r, &d, &in);
    return st ? st : redirect_see_other(r, deal_href(r, d.id), "ok", "The deal was saved.");
}

/* The 409 of a stale deal write: the shared shape, current as PATCH would answer. */
static int reply_stale_json(struct request *r, str id)
{
    int st;
    return deal_stale_reply_json(r, "deal", deal_json_by_id(r, id, false, &st));
}

/* The 409 of an illegal move: the message names the allowed moves. */
static int reply_bad_move_json(struct request *r, str from, const char *moves)
{
    struct buf m;
    buf_init(&m, r->arena, 128);
    buf_puts(&m, "A deal cannot move from ");
    buf_put(&m, from);
    buf_puts(&m, " to that stage. Allowed moves: ");
    buf_puts(&m, moves);
    buf_putc(&m, '.');
    struct json_object *fields = json_object_new_object();
    struct buf f;
    buf_init(&f, r->arena, 96);
    buf_printf(&f, "must be one of the allowed moves: %s", moves);
    json_add_cstr(fields, "stage", buf_cstr(&f));
    json_add_cstr(fields, "allowed_moves", moves);
    app_error(r, 409, buf_cstr(&m), fields);
    return REPLIED;
}

/* PATCH /api/v1/deals/{id} (ROUTE_KEY_MANAGER) — a partial update with `version`
 * (required); stale → 409 with the current deal in error.fields.current; stage
 * moves checked (409 with the allowed moves). */
int api_deals_update(struct request *r)
{
    struct json_object *v;
    if (!r->json || !json_object_object_get_ex(r->json, "version", &v)) {
        struct field_errors e = { 0 };
        field_error_add(&e, "version", "must be sent: the version you read, so a concurrent change is not overwritten");
        return field_errors_reply(r, "version is required.", &e, NULL, NULL);
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
    if (out == UP_INVALID) return invalid_reply(r, &d, &in);
    if (out == UP_BAD_MOVE) return reply_bad_move_json(r, d.stage, moves);
    return st ? st : reply_deal(r, 200, d.id);
}

/* ---- stage moves ---- */

/* What a stage move came to, for its two renderers. */
struct stage_move {
    enum { MOVE_DONE, MOVE_STALE, MOVE_ILLEGAL } outcome;
    struct deal_row d;   /* after the move, or as it is now */
    str from;            /* the stage it was in */
    const char *to;      /* the stage asked for */
    const char *moves;   /* MOVE_ILLEGAL: the allowed ones */
    bool to_board;       /* the page it came from: the board, else the deal */
};

/* Reads `stage` and `version`: 0, or REPLIED with the field error. */
static int stage_input_or_reply(struct request *r, struct stage_move *m, long *version)
{
    const str *stage = kvlist_get(&r->form, "stage"), *ver = kvlist_get(&r->form, "version");
    enum deal_stage target;
    struct field_errors e = { 0 };
    if (!stage || !deal_stage_parse(str_trim(*stage), &target)) {
        field_error_add(&e, "stage", "must be a stage from the list");
        return field_errors_reply(r, "stage is not a stage.", &e, NULL, NULL);
    }
    if (!ver || !str_to_long(str_trim(*ver), version)) {
        field_error_add(&e, "version", "must be sent: the version you read");
        return field_errors_reply(r, "version is missing.", &e, NULL, NULL);
    }
    m->to = deal_stage_name(target);
    const str *back = kvlist_get(&r->form, "return_to");
    m->to_board = back && str_eq_cstr(*back, "board");
    return 0;
}

/* Moves the deal of the path to m->to, filling m with the outcome. */
static int stage_move(struct request *r, struct stage_move *m)
{
    long version = -1;
    bool stale;
    int st = stage_input_or_reply(r, m, &version);
    if (!st) st = lock_for_update(r, version, &m->d, &stale);
    if (st) return st;
    m->from = m->d.stage;
    if (stale) return m->outcome = MOVE_STALE, 0;
    struct deal_input in;
    deal_input_from_row(r, &m->d, m->d.next_action_due_at, &in);
    in.raw[DF_STAGE] = str_from(m->to);
    enum update_outcome out;
    st = apply_update(r, &m->d, &in, &out, &m->moves);
    m->outcome = out == UP_BAD_MOVE ? MOVE_ILLEGAL : MOVE_DONE;
    return out == UP_BAD_MOVE ? 0 : st;
}

static int stage_reply_json(struct request *r, const struct stage_move *m)
{
    if (m->outcome == MOVE_STALE) return reply_stale_json(r, m->d.id);
    if (m->outcome == MOVE_ILLEGAL) return reply_bad_move_json(r, m->from, m->moves);
    return reply_deal(r, 200, m->d.id);
}

/* A refused move without JavaScript: the page it came from, as it is now, with the
 * reason on top and status 409; a done one: 303 back there with a flash. */
static int stage_reply_page(struct request *r, const struct stage_move *m)
{
    const char *notice;
    if (m->outcome == MOVE_DONE)
        return redirect_see_other(r, m->to_board ? "/deals/board" : deal_href(r, m->d.id), "ok", "Stage changed.");
    if (m->outcome == MOVE_STALE) {
        notice = deal_stale_page_notice(r, "deal");
    } else {
        struct buf b;
        buf_init(&b, r->arena, 128);
        buf_printf(&b, "Cannot move “%.*s” from %.*s to %s. Allowed moves: %s.", STR_FMT(m->d.title), STR_FMT(m->from),
                   m->to, m->moves);
        notice = buf_cstr(&b);
    }
    int st = m->to_board ? deals_board_render(r, 409, notice) : deals_show_render(r, 409, m->d.id, notice);
    return st ? st : REPLIED;
}

/* POST /deals/{id}/stage (agent+ owner, manager, admin; CSRF) — `stage` and
 * `version`; 303 back to `return_to` (board, else the deal) with a flash. An
 * illegal move or a stale version is 409: that page with a notice naming the
 * allowed moves, or JSON for scripts (the board's drag and drop). */
int deals_stage(struct request *r)
{
    struct stage_move m = { 0 };
    int st = stage_move(r, &m);
    if (st) return st;
    return r->wants_json ? stage_reply_json(r, &m) : stage_reply_page(r, &m);
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
    if (!res) return app_db_status(r);
    st = deal_history_event(r, "deal", d.id, "delete");
    for (size_t i = 0; !st && i < nb; i++) st = deal_risk_refresh(r, before[i].other->id);
    if (!st) st = audit_write(r, "deal.delete", "deal", d.id, NULL);
    return st;
}

/* GET /deals/{id}/delete (admins) — the confirmation page. */
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

/* POST /deals/{id}/delete (admins; CSRF) — soft delete; 303 to /deals with a flash. */
int deals_delete(struct request *r)
{
    str id;
    int st = soft_delete(r, &id);
    return st ? st : redirect_see_other(r, "/deals", "ok", "The deal was deleted. An admin can restore it from the deleted list.");
}

/* DELETE /api/v1/deals/{id} (admins) — soft delete; {"data":{"deleted":true}}. */
int api_deals_delete(struct request *r)
{
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
    if (!d.deleted) return 409;
    *id = d.id;
    struct dbres *res = db_q(r->db, r->arena, "deal_restore",
                             "UPDATE deals SET deleted_at = NULL, version = version + 1, updated_at = now()"
                             " WHERE id = $1::uuid AND org_id = app_org_id()", str_cstr(r->arena, d.id));
    if (!res) return app_db_status(r);
    st = deal_history_event(r, "deal", d.id, "restore");
    if (!st) st = refresh_with_conflicts(r, d.id, NULL, 0);
    if (!st) st = audit_write(r, "deal.restore", "deal", d.id, NULL);
    return st;
}

/* POST /deals/{id}/restore (admins; CSRF) — puts a soft-deleted deal back; 303 to it. */
int deals_restore(struct request *r)
{
    str id;
    int st = restore(r, &id);
    return st ? st : redirect_see_other(r, deal_href(r, id), "ok", "The deal was restored.");
}

/* POST /api/v1/deals/{id}/restore (admins) — 200 + the deal; 409 when it
 * is not deleted. */
int api_deals_restore(struct request *r)
{
    str id;
    int st = restore(r, &id);
    return st ? st : reply_deal(r, 200, id);
}

/* POST /deals/{id}/purge (admin, CSRF) — permanently deletes an already deleted deal
 * through sb_deal_purge (0008), which writes the 'purge' history row and refuses
 * (false) a caller who is not an admin; 409 for a live deal; 303 to the deleted list. */
int deals_purge(struct request *r)
{
    struct deal_row d;
    int st = deal_load(r, req_path_param(r, "id"), true, &d);
    if (st) return st;
    if (!d.deleted) return 409;
    struct dbres *res = db_q(r->db, r->arena, "deal_purge", "SELECT sb_deal_purge($1::uuid, $2, $3)",
                             str_cstr(r->arena, d.id), str_cstr(r->arena, r->remote_addr), str_cstr(r->arena, r->request_id));
    if (!res) return app_db_status(r);
    if (!db_bool(res, 0, 0)) return app_forbid(r, "role");
    st = audit_write(r, "deal.purge", "deal", d.id, NULL);
    return st ? st : redirect_see_other(r, "/deals/deleted", "ok", "The deal was deleted permanently.");
}
