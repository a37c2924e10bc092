/* deal_terms.c — a deal's affiliate and performance terms (deal_terms.h).
 *
 * The commission rate and tracking URL belong to affiliate and hybrid deals, the
 * bonus (a condition and an amount in the deal's currency, both or neither) to
 * performance_bonus and hybrid deals. Whoever may write the deal (SPEC §1) edits
 * them and marks the bonus earned; marking it adds a payment of kind "bonus" for the
 * amount, expected on a date the user gives (today by default), and that payment is
 * the only way a bonus reaches the forecast: an unearned bonus is never counted.
 * Unmarking (managers and admins) removes that payment while nothing is received on
 * it. Every change is a deal_history row, bumps the deal's version and is audited,
 * in the request's one transaction. */
#include "deal_terms.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../../domain/money.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "../common/org_clock.h"
#include "deal_common.h"
#include "deals.h"
#include "payments.h"

#define CONDITION_MAX_CHARS 500
#define URL_MAX_CHARS 2048

/* ---- the terms as stored ---- */

enum { TM_RATE, TM_URL, TM_COND, TM_BONUS, TM_EARNED, TM_EARNED_AT, TM_EARNED_BY, TM_PAY_ID, TM_PAY_PAID,
       TM_TYPE, TM_CURRENCY, TM_EARNED_LOCAL, TM_VERSION };
#define TERMS_SQL                                                                                              \
    "SELECT coalesce(d.commission_rate_bp::text, ''), coalesce(d.tracking_url, ''),"                          \
    " coalesce(d.bonus_condition, ''), coalesce(d.bonus_minor::text, ''), d.bonus_earned_at IS NOT NULL,"     \
    " coalesce(to_char(d.bonus_earned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"        \
    " coalesce(u.name, ''), coalesce(p.id::text, ''), coalesce(p.paid_minor, 0), d.deal_type, d.currency,"   \
    " coalesce(to_char(d.bonus_earned_at AT TIME ZONE o.timezone, 'YYYY-MM-DD HH24:MI'), ''), d.version"      \
    " FROM deals d JOIN orgs o ON o.id = d.org_id"                                                            \
    " LEFT JOIN users u ON u.org_id = d.org_id AND u.id = d.bonus_earned_by"                                  \
    " LEFT JOIN LATERAL (SELECT id, paid_minor FROM payments WHERE org_id = d.org_id AND deal_id = d.id"      \
    " AND kind = 'bonus' AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1) p ON true"         \
    " WHERE d.org_id = app_org_id() AND d.id = $1::uuid"

static struct dbres *terms_load(struct request *r, str deal_id)
{
    return db_q(r->db, r->arena, "deal_terms_load", TERMS_SQL, str_cstr(r->arena, deal_id));
}

/* 1250 → "12.5" (percent, no trailing zeros); "" for "". */
static str rate_text(struct arena *a, str bp_text)
{
    long bp;
    if (!bp_text.len || !str_to_long(bp_text, &bp)) return STR("");
    struct buf b;
    buf_init(&b, a, 16);
    buf_printf(&b, "%ld", bp / 100);
    if (bp % 100) buf_printf(&b, bp % 10 ? ".%02ld" : ".%ld", bp % 10 ? bp % 100 : bp % 100 / 10);
    return buf_str(&b);
}

/* A stored amount (minor units as text) as deal_money_text shows it; "" when empty. */
static const char *money_text(struct request *r, str minor_text, str code, bool display)
{
    long minor;
    return str_to_long(minor_text, &minor) ? deal_money_text(r, minor, str_trim(code), display) : "";
}

static bool affiliate_type(str type) { return str_eq_cstr(type, "affiliate") || str_eq_cstr(type, "hybrid"); }
static bool bonus_type(str type) { return str_eq_cstr(type, "performance_bonus") || str_eq_cstr(type, "hybrid"); }

static struct json_object *terms_json(const struct dbres *q)
{
    struct json_object *o = json_object_new_object();
    str rate = db_val(q, 0, TM_RATE), url = db_val(q, 0, TM_URL);
    long bp = 0;
    if (rate.len && str_to_long(rate, &bp)) {
        json_add_long(o, "commission_rate_bp", bp);
        json_object_object_add(o, "commission_rate", json_object_new_double((double)bp / 100.0));
    } else {
        json_object_object_add(o, "commission_rate_bp", NULL);
        json_object_object_add(o, "commission_rate", NULL);
    }
    json_add_str(o, "tracking_url", url.len ? url : STR_NULL);
    if (!db_val(q, 0, TM_BONUS).len) {
        json_object_object_add(o, "bonus", NULL);
        return o;
    }
    struct json_object *b = json_object_new_object(), *amt = json_object_new_object();
    json_add_str(b, "condition", db_val(q, 0, TM_COND));
    json_add_long(amt, "amount_minor", db_long(q, 0, TM_BONUS));
    json_add_str(amt, "currency", str_trim(db_val(q, 0, TM_CURRENCY)));
    json_object_object_add(b, "amount", amt);
    bool earned = db_bool(q, 0, TM_EARNED);
    json_add_bool(b, "earned", earned);
    json_add_str(b, "earned_at", earned ? db_val(q, 0, TM_EARNED_AT) : STR_NULL);
    json_add_str(b, "earned_by", earned && db_val(q, 0, TM_EARNED_BY).len ? db_val(q, 0, TM_EARNED_BY) : STR_NULL);
    json_add_str(b, "payment_id", db_val(q, 0, TM_PAY_ID).len ? db_val(q, 0, TM_PAY_ID) : STR_NULL);
    json_object_object_add(o, "bonus", b);
    return o;
}

/* The terms and the deal's version they were read at (a PATCH sends it back). */
static struct json_object *terms_json_versioned(const struct dbres *q)
{
    struct json_object *o = terms_json(q);
    json_add_long(o, "version", db_long(q, 0, TM_VERSION));
    return o;
}

struct json_object *deal_terms_json_of(struct request *r, str deal_id)
{
    struct dbres *q = terms_load(r, deal_id);
    return q && db_rows(q) == 1 ? terms_json_versioned(q) : NULL;
}

/* ---- the deal page's card ---- */

int deal_terms_fill_page(struct request *r, struct tdict *d, str deal_id, bool writable)
{
    struct dbres *q = terms_load(r, deal_id);
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1) return 0;
    str type = db_val(q, 0, TM_TYPE);
    bool aff = affiliate_type(type), bon = bonus_type(type);
    bool any = db_val(q, 0, TM_RATE).len || db_val(q, 0, TM_URL).len || db_val(q, 0, TM_BONUS).len;
    if (!aff && !bon && !any) return 0; /* a fixed deal without terms: no card */
    struct tdict *t = tdict_include(d, "TERMS", "deals/terms_section.tpl");
    tdict_set(t, "ID", deal_id);
    if (writable) tdict_show(t, "CAN_WRITE");
    str rate = rate_text(r->arena, db_val(q, 0, TM_RATE));
    if (rate.len) tdict_set(tdict_add_section(t, "RATE"), "TEXT", rate);
    else tdict_show(t, "NO_RATE");
    str url = db_val(q, 0, TM_URL);
    if (url.len) tdict_set(tdict_add_section(t, "URL"), "HREF", url);
    else tdict_show(t, "NO_URL");
    if (!db_val(q, 0, TM_BONUS).len) {
        tdict_show(t, "NO_BONUS");
        return 0;
    }
    struct tdict *b = tdict_add_section(t, "BONUS");
    tdict_set(b, "CONDITION", db_val(q, 0, TM_COND));
    tdict_set_cstr(b, "AMOUNT", money_text(r, db_val(q, 0, TM_BONUS), db_val(q, 0, TM_CURRENCY), true));
    if (db_bool(q, 0, TM_EARNED)) {
        struct tdict *e = tdict_add_section(b, "EARNED");
        tdict_set(e, "WHEN", db_val(q, 0, TM_EARNED_LOCAL));
        tdict_set(e, "WHEN_ISO", db_val(q, 0, TM_EARNED_AT));
        tdict_set(e, "WHO", db_val(q, 0, TM_EARNED_BY).len ? db_val(q, 0, TM_EARNED_BY) : STR("an API key"));
        if (db_val(q, 0, TM_PAY_ID).len) tdict_set(tdict_add_section(e, "PAYMENT"), "P_ID", db_val(q, 0, TM_PAY_ID));
        if (writable && r->session->role >= ROLE_MANAGER) tdict_show(e, "CAN_UNEARN");
    } else {
        struct tdict *n = tdict_add_section(b, "NOT_EARNED");
        if (writable) tdict_show(n, "CAN_EARN");
    }
    return 0;
}

/* ---- reading and checking the terms ---- */

/* What a write sends: the field's text and whether it was sent (a form sends all). */
struct terms_in {
    str rate, url, condition, bonus; /* bonus: an amount in the deal's currency */
};

/* The validated values as SQL parameters (NULL: none). */
struct terms_out {
    const char *rate_bp, *url, *condition, *bonus_minor;
};

/* "12.5", "12.5%", "0.05": a percentage from 0 to 100 with at most 2 decimals. */
static bool parse_rate(str s, long *bp)
{
    s = str_trim(s);
    if (s.len && s.ptr[s.len - 1] == '%') s = str_trim(str_make(s.ptr, s.len - 1));
    long whole = 0, frac = 0;
    size_t i = 0, digits = 0, decimals = 0;
    for (; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9' && digits < 4; i++, digits++) whole = whole * 10 + (s.ptr[i] - '0');
    if (!digits) return false;
    if (i < s.len && s.ptr[i] == '.') {
        for (i++; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9' && decimals < 2; i++, decimals++)
            frac = frac * 10 + (s.ptr[i] - '0');
        if (!decimals) return false;
        if (decimals == 1) frac *= 10;
    }
    if (i != s.len) return false;
    *bp = whole * 100 + frac;
    return *bp <= 10000;
}

/* The JSON member "bonus_amount": {"amount_minor": n} or null, as money text. */
static void json_bonus(struct request *r, str currency, struct terms_in *in, struct field_errors *e)
{
    struct json_object *m, *amt;
    if (!r->json || !json_object_object_get_ex(r->json, "bonus_amount", &m)) return;
    if (!m) {
        in->bonus = STR("");
        return;
    }
    const struct currency *c = money_currency(str_trim(currency));
    if (!json_object_is_type(m, json_type_object) || !json_object_object_get_ex(m, "amount_minor", &amt) ||
        !json_object_is_type(amt, json_type_int) || !c) {
        field_error_add(e, "bonus_amount", "must be an object with an integer amount_minor, or null");
        return;
    }
    struct buf b;
    buf_init(&b, r->arena, 24);
    money_format_plain(&b, json_object_get_int64(amt), c);
    in->bonus = buf_str(&b);
}

/* The write's values over the stored ones (a JSON PATCH sends some; a form all). */
static void terms_read(struct request *r, const struct dbres *q, struct terms_in *in, struct field_errors *e)
{
    in->rate = rate_text(r->arena, db_val(q, 0, TM_RATE));
    in->url = db_val(q, 0, TM_URL);
    in->condition = db_val(q, 0, TM_COND);
    in->bonus = str_from(money_text(r, db_val(q, 0, TM_BONUS), db_val(q, 0, TM_CURRENCY), false));
    bool present;
    str v = input_value(r, "commission_rate", &present, e);
    if (present) in->rate = v;
    v = input_value(r, "tracking_url", &present, e);
    if (present) in->url = v;
    v = input_value(r, "bonus_condition", &present, e);
    if (present) in->condition = v;
    if (r->wants_json) {
        json_bonus(r, db_val(q, 0, TM_CURRENCY), in, e);
    } else {
        v = input_value(r, "bonus_amount", &present, e);
        if (present) in->bonus = v;
    }
}

static const char *type_message(bool affiliate, str type)
{
    (void)type;
    return affiliate ? "applies to affiliate and hybrid deals; change the deal's type first"
                     : "applies to performance_bonus and hybrid deals; change the deal's type first";
}

static void check_affiliate(struct request *r, const struct dbres *q, const struct terms_in *in, struct terms_out *out,
                            struct field_errors *e)
{
    str type = db_val(q, 0, TM_TYPE), rate = str_trim(in->rate), url = str_trim(in->url);
    long bp;
    if (rate.len && !parse_rate(rate, &bp)) field_error_add(e, "commission_rate", "must be a percentage from 0 to 100 with at most 2 decimals, like 12.5");
    else if (rate.len) out->rate_bp = str_cstr(r->arena, str_of_long(r->arena, bp));
    if (url.len && (!input_valid_url(url) || url.len > URL_MAX_CHARS || !str_starts_with(url, STR("https://"))))
        field_error_add(e, "tracking_url", "must be an absolute https:// URL of at most 2048 characters");
    else if (url.len) out->url = str_cstr(r->arena, url);
    if (!affiliate_type(type)) {
        if (rate.len && !field_error_of(e, "commission_rate")) field_error_add(e, "commission_rate", type_message(true, type));
        if (url.len && !field_error_of(e, "tracking_url")) field_error_add(e, "tracking_url", type_message(true, type));
    }
}

static void check_bonus(struct request *r, const struct dbres *q, const struct terms_in *in, struct terms_out *out,
                        struct field_errors *e)
{
    str type = db_val(q, 0, TM_TYPE), cond = str_trim(in->condition), amount = str_trim(in->bonus);
    const struct currency *cur = money_currency(str_trim(db_val(q, 0, TM_CURRENCY)));
    int64_t minor = 0;
    if (cond.len && (!utf8_valid(cond) || utf8_length(cond) > CONDITION_MAX_CHARS))
        field_error_add(e, "bonus_condition", "must be text of at most 500 characters");
    else if (cond.len) out->condition = str_cstr(r->arena, cond);
    if (amount.len) {
        enum money_error me = cur ? money_parse(amount, cur, &minor) : MONEY_UNKNOWN_CURRENCY;
        if (me != MONEY_OK || minor <= 0) field_error_add(e, "bonus_amount", "must be an amount above 0, like 500.00");
        else out->bonus_minor = str_cstr(r->arena, str_of_long(r->arena, (long)minor));
    }
    if (amount.len && !cond.len) field_error_add(e, "bonus_condition", "must say what earns the bonus");
    if (cond.len && !amount.len) field_error_add(e, "bonus_amount", "must be given with a bonus condition");
    if (!bonus_type(type)) {
        if (cond.len && !field_error_of(e, "bonus_condition")) field_error_add(e, "bonus_condition", type_message(false, type));
        if (amount.len && !field_error_of(e, "bonus_amount")) field_error_add(e, "bonus_amount", type_message(false, type));
    }
    /* An earned bonus has its payment: its amount and condition stay as earned. */
    bool same = str_eq(cond, db_val(q, 0, TM_COND)) && out->bonus_minor && str_eq_cstr(db_val(q, 0, TM_BONUS), out->bonus_minor);
    if (db_bool(q, 0, TM_EARNED) && !same && !field_error_of(e, "bonus_amount"))
        field_error_add(e, "bonus_amount", "is fixed once the bonus is marked earned; unmark it first");
}

/* ---- the terms form ---- */

struct terms_form {
    str deal_id, title;
    const struct dbres *q;
    const struct terms_in *in;
    long version;
    const char *notice;
};

static int render_terms(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct terms_form *f = ctx;
    struct tdict *d = page_dict(r, "Affiliate and performance terms", "deals/terms_form.tpl");
    tdict_set(d, "DEAL_ID", f->deal_id);
    tdict_set(d, "DEAL_TITLE", f->title);
    tdict_set_long(d, "VERSION", f->version);
    tdict_set(d, "CURRENCY", str_trim(db_val(f->q, 0, TM_CURRENCY)));
    tdict_set(d, "DEAL_TYPE", db_val(f->q, 0, TM_TYPE));
    if (f->notice) tdict_set_cstr(tdict_add_section(d, "NOTICE"), "TEXT", f->notice);
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    struct tdict *x = form_field(d, "FIELD_RATE", e, "commission_rate", "Commission rate (%)", "text", f->in->rate);
    tdict_set_cstr(tdict_add_section(x, "INPUTMODE"), "MODE", "decimal");
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Affiliate and hybrid deals. A percentage of each sale, like 12.5.");
    x = form_field(d, "FIELD_URL", e, "tracking_url", "Tracking URL", "url", f->in->url);
    tdict_set_cstr(tdict_add_section(x, "PLACEHOLDER"), "TEXT", "https://brand.example/?ref=you");
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Affiliate and hybrid deals. https:// only.");
    x = form_field(d, "FIELD_CONDITION", e, "bonus_condition", "Performance bonus: condition", "text", f->in->condition);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Performance-bonus and hybrid deals. What earns it, like “100,000 views in 30 days”.");
    x = form_field(d, "FIELD_BONUS", e, "bonus_amount", "Performance bonus: amount", "text", f->in->bonus);
    tdict_set_cstr(tdict_add_section(x, "INPUTMODE"), "MODE", "decimal");
    struct buf h;
    buf_init(&h, r->arena, 96);
    buf_printf(&h, "In %.*s, the deal's currency. Counted in the forecast only once marked earned.",
               STR_FMT(str_trim(db_val(f->q, 0, TM_CURRENCY))));
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", buf_cstr(&h));
    return page_render(r, status, d);
}

/* GET /deals/{id}/terms — the terms form (whoever may write the deal). */
int deal_terms_form(struct request *r)
{
    struct deal_row deal;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &deal);
    if (st) return st;
    struct dbres *q = terms_load(r, deal.id);
    if (!q || db_rows(q) != 1) return app_db_status(r);
    struct terms_in in = { .rate = rate_text(r->arena, db_val(q, 0, TM_RATE)), .url = db_val(q, 0, TM_URL),
                           .condition = db_val(q, 0, TM_COND),
                           .bonus = str_from(money_text(r, db_val(q, 0, TM_BONUS), db_val(q, 0, TM_CURRENCY), false)) };
    return render_terms(r, 200, NULL, &(struct terms_form){ deal.id, deal.title, q, &in, deal.version, NULL });
}

static const char *const history_fields[] = { "commission_rate_bp", "tracking_url", "bonus_condition", "bonus_minor" };

static int terms_write(struct request *r, str deal_id, const struct dbres *q, const struct terms_out *out)
{
    struct dbres *u = db_q(r->db, r->arena, "deal_terms_update",
                           "UPDATE deals SET commission_rate_bp = $2::int, tracking_url = $3, bonus_condition = $4,"
                           " bonus_minor = $5::bigint, version = version + 1, updated_at = now()"
                           " WHERE id = $1::uuid AND org_id = app_org_id() RETURNING id",
                           str_cstr(r->arena, deal_id), out->rate_bp, out->url, out->condition, out->bonus_minor);
    if (!u || db_rows(u) != 1) return app_db_status(r);
    str old[4] = { db_val(q, 0, TM_RATE), db_val(q, 0, TM_URL), db_val(q, 0, TM_COND), db_val(q, 0, TM_BONUS) };
    str now[4] = { str_from(out->rate_bp ? out->rate_bp : ""), str_from(out->url ? out->url : ""),
                   str_from(out->condition ? out->condition : ""), str_from(out->bonus_minor ? out->bonus_minor : "") };
    for (int i = 0; i < 4; i++) {
        old[i] = old[i].len ? old[i] : STR_NULL;
        now[i] = now[i].len ? now[i] : STR_NULL;
    }
    int st = deal_history_diff(r, "deal", deal_id, history_fields, old, now, 4);
    return st ? st : audit_write(r, "deal.terms.update", "deal", deal_id, NULL);
}

static int reply_terms(struct request *r, int status, str deal_id)
{
    struct json_object *o = deal_terms_json_of(r, deal_id);
    if (!o) return app_db_status(r);
    json_reply_data(r, status, o);
    return 0;
}

/* POST /deals/{id}/terms and PATCH /api/v1/deals/{id}/terms — commission_rate
 * (percent), tracking_url, bonus_condition, bonus_amount (the page: money text; JSON:
 * {"amount_minor"} or null); empty or null clears. `version` (required on the page)
 * guards against a stale edit: 409. */
int deal_terms_update(struct request *r)
{
    struct field_errors e = { 0 };
    long version = -1;
    input_read_version(r, &version, !r->wants_json, &e);
    struct deal_row deal;
    int st = deal_load_for_write(r, req_path_param(r, "id"), version, &deal);
    if (st && st != 409) return st;
    struct dbres *q = terms_load(r, deal.id);
    if (!q || db_rows(q) != 1) return app_db_status(r);
    struct terms_in in;
    terms_read(r, q, &in, &e);
    if (st == 409) {
        if (r->wants_json) return deal_stale_reply_json(r, "deal", deal_json_by_id(r, deal.id, false, &st));
        return render_terms(r, 409, NULL, &(struct terms_form){ deal.id, deal.title, q, &in, deal.version,
                                                                deal_stale_form_notice(r, "deal") });
    }
    struct terms_out out = { 0 };
    check_affiliate(r, q, &in, &out, &e);
    check_bonus(r, q, &in, &out, &e);
    if (field_errors_any(&e))
        return field_errors_reply(r, "Some fields are not valid.", &e, render_terms,
                                  &(struct terms_form){ deal.id, deal.title, q, &in, deal.version, NULL });
    if ((st = terms_write(r, deal.id, q, &out))) return st;
    if (r->wants_json) return reply_terms(r, 200, deal.id);
    return redirect_see_other(r, deal_href(r, deal.id), "ok", "Terms saved.");
}

/* GET /api/v1/deals/{id}/terms (viewer+) — the terms as the deal's JSON has them. */
int api_deal_terms(struct request *r)
{
    str id = req_path_param(r, "id");
    int st = deal_readable(r, id);
    return st ? st : reply_terms(r, 200, id);
}

/* ---- marking the bonus earned ---- */

struct earn_form {
    str deal_id, title;
    const struct dbres *q;
    str expected;
};

static int render_earn(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct earn_form *f = ctx;
    struct tdict *d = page_dict(r, "Mark the bonus earned", "deals/bonus_earn.tpl");
    tdict_set(d, "DEAL_ID", f->deal_id);
    tdict_set(d, "DEAL_TITLE", f->title);
    tdict_set(d, "CONDITION", db_val(f->q, 0, TM_COND));
    tdict_set_cstr(d, "AMOUNT", money_text(r, db_val(f->q, 0, TM_BONUS), db_val(f->q, 0, TM_CURRENCY), true));
    form_errors(d, e, "form-error", "The date needs attention; see the message below.");
    struct tdict *x = form_field(d, "FIELD_EXPECTED", e, "expected_at", "Bonus payment expected on", "date", f->expected);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "A payment of the bonus amount is added to the deal, due on this day.");
    return page_render(r, status, d);
}

/* The deal for a bonus action: writable by the caller, its terms loaded (locked with
 * the deal). 0, or a status. */
static int bonus_deal(struct request *r, struct deal_row *deal, struct dbres **q)
{
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, deal);
    if (st) return st;
    *q = terms_load(r, deal->id);
    return *q && db_rows(*q) == 1 ? 0 : app_db_status(r);
}

static str today_text(struct request *r)
{
    struct org_clock c;
    if (org_clock_load(r, &c)) return STR("");
    struct buf b;
    buf_init(&b, r->arena, 12);
    civil_format_date(&b, c.today);
    return buf_str(&b);
}

/* GET /deals/{id}/bonus/earned — asks for the bonus payment's date. */
int deal_bonus_earn_form(struct request *r)
{
    struct deal_row deal;
    struct dbres *q;
    int st = bonus_deal(r, &deal, &q);
    if (st) return st;
    if (!db_val(q, 0, TM_BONUS).len || db_bool(q, 0, TM_EARNED))
        return redirect_see_other(r, deal_href(r, deal.id), "error",
                                  db_bool(q, 0, TM_EARNED) ? "The bonus is already marked earned." : "The deal has no bonus.");
    return render_earn(r, 200, NULL, &(struct earn_form){ deal.id, deal.title, q, today_text(r) });
}

/* POST /deals/{id}/bonus/earned and /api/v1/deals/{id}/bonus/earned — expected_at
 * (YYYY-MM-DD, today when absent): adds the bonus payment and marks the bonus earned.
 * 409 when the deal has no bonus or it is earned already. */
int deal_bonus_earn(struct request *r)
{
    struct deal_row deal;
    struct dbres *q;
    int st = bonus_deal(r, &deal, &q);
    if (st) return st;
    if (!db_val(q, 0, TM_BONUS).len || db_bool(q, 0, TM_EARNED)) {
        app_error(r, 409, db_bool(q, 0, TM_EARNED) ? "The bonus is already marked earned." : "The deal has no bonus to mark earned.", NULL);
        return REPLIED;
    }
    struct field_errors e = { 0 };
    bool present;
    str expected = str_trim(input_value(r, "expected_at", &present, &e));
    if (!expected.len) expected = today_text(r);
    if (!input_valid_date(expected)) field_error_add(&e, "expected_at", "must be a date like 2025-03-31");
    if (field_errors_any(&e))
        return field_errors_reply(r, "The date is not valid.", &e, render_earn,
                                  &(struct earn_form){ deal.id, deal.title, q, expected });
    struct org_clock c;
    long bonus = db_long(q, 0, TM_BONUS);
    str payment_id;
    if ((st = org_clock_load(r, &c)) ||
        (st = payment_add_bonus(r, &c, deal.id, bonus, str_trim(db_val(q, 0, TM_CURRENCY)), expected, &payment_id)))
        return st;
    const char *by = r->session->api_key_id.len ? NULL : str_cstr(r->arena, r->session->user_id);
    if (!db_q(r->db, r->arena, "deal_bonus_earn",
              "UPDATE deals SET bonus_earned_at = now(), bonus_earned_by = $2::uuid, version = version + 1,"
              " updated_at = now() WHERE id = $1::uuid AND org_id = app_org_id()",
              str_cstr(r->arena, deal.id), by))
        return app_db_status(r);
    if ((st = deal_history_record(r, "deal", deal.id, "bonus_earned", STR("false"), STR("true"))) ||
        (st = audit_write(r, "deal.bonus.earned", "deal", deal.id, NULL)))
        return st;
    if (r->wants_json) return reply_terms(r, 200, deal.id);
    return redirect_see_other(r, deal_href(r, deal.id), "ok", "Bonus marked earned; its payment is added to the deal.");
}

/* The earned bonus's payment may go: nothing received on it. 0, or REPLIED (409). */
static int unearn_allowed(struct request *r, const struct dbres *q)
{
    if (!db_bool(q, 0, TM_EARNED)) {
        app_error(r, 409, "The bonus is not marked earned.", NULL);
        return REPLIED;
    }
    if (db_long(q, 0, TM_PAY_PAID) > 0) {
        app_error(r, 409, "Money has been received on the bonus payment; it stays earned.", NULL);
        return REPLIED;
    }
    return 0;
}

/* GET /deals/{id}/bonus/unearned (managers and admins) — confirms unmarking. */
int deal_bonus_unearn_confirm(struct request *r)
{
    struct deal_row deal;
    struct dbres *q;
    int st = bonus_deal(r, &deal, &q);
    if (st || (st = unearn_allowed(r, q))) return st;
    struct tdict *d = page_dict(r, "Unmark the bonus?", "deals/bonus_unearn.tpl");
    tdict_set(d, "DEAL_ID", deal.id);
    tdict_set(d, "DEAL_TITLE", deal.title);
    tdict_set_cstr(d, "AMOUNT", money_text(r, db_val(q, 0, TM_BONUS), db_val(q, 0, TM_CURRENCY), true));
    return page_render(r, 200, d);
}

/* POST /deals/{id}/bonus/unearned and DELETE /api/v1/deals/{id}/bonus/earned
 * (managers and admins) — the bonus is no longer earned; its unpaid payment is
 * removed (soft deleted), and with it the bonus leaves the forecast. */
int deal_bonus_unearn(struct request *r)
{
    struct deal_row deal;
    struct dbres *q;
    int st = bonus_deal(r, &deal, &q);
    if (st || (st = unearn_allowed(r, q))) return st;
    str pay = db_val(q, 0, TM_PAY_ID);
    if (pay.len) {
        if (!db_q(r->db, r->arena, "deal_bonus_payment_drop",
                  "UPDATE payments SET deleted_at = now(), version = version + 1, updated_at = now()"
                  " WHERE id = $1::uuid AND org_id = app_org_id() AND deleted_at IS NULL", str_cstr(r->arena, pay)))
            return app_db_status(r);
        if ((st = deal_history_event(r, "payment", pay, "delete"))) return st;
    }
    if (!db_q(r->db, r->arena, "deal_bonus_unearn",
              "UPDATE deals SET bonus_earned_at = NULL, bonus_earned_by = NULL, version = version + 1,"
              " updated_at = now() WHERE id = $1::uuid AND org_id = app_org_id()", str_cstr(r->arena, deal.id)))
        return app_db_status(r);
    if ((st = deal_history_record(r, "deal", deal.id, "bonus_earned", STR("true"), STR("false"))) ||
        (st = audit_write(r, "deal.bonus.unearned", "deal", deal.id, NULL)) || (st = deal_risk_refresh(r, deal.id)))
        return st;
    if (r->wants_json) return reply_terms(r, 200, deal.id);
    return redirect_see_other(r, deal_href(r, deal.id), "ok", "The bonus is no longer marked earned; its payment is removed.");
}
