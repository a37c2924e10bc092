/* payments.c — a deal's payments: record, edit (versioned), invoice sent, paid
 * (in full or part), dispute and resolve; conversion to the org currency with the
 * rate recorded. Pages and JSON; history and risk on every write. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../../domain/fx.h"
#include "../../domain/money.h"
#include "../../domain/payment_status.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../../db/sql_build.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "../common/org_clock.h"
#include "../common/row_json.h"
#include "deal_common.h"
#include "deals.h"
#include "payments.h"

enum {
    PY_ID, PY_DEAL_ID, PY_KIND, PY_AMOUNT, PY_CURRENCY, PY_EXPECTED, PY_INVOICE_SENT, PY_PAID_LOCAL, PY_STATUS,
    PY_PAID_MINOR, PY_FEES, PY_TAX, PY_NET, PY_FX_RATE, PY_FX_DATE, PY_ORG_CURRENCY, PY_AMOUNT_ORG, PY_DISPUTED,
    PY_DISPUTE_REASON, PY_NOTES, PY_VERSION, PY_INVOICE_ISO, PY_PAID_ISO, PY_DISPUTE_OPENED_ISO,
    PY_DISPUTE_RESOLVED_ISO, PY_CREATED_ISO, PY_UPDATED_ISO, PY_METHOD, PY_INST_NO, PY_INST_COUNT
};
#define PY_SELECT                                                                                             \
    "SELECT p.id, p.deal_id, p.kind, p.amount_minor::text, p.currency, coalesce(p.expected_at::text, ''),"   \
    " p.invoice_sent_at IS NOT NULL, deal_local_text(p.paid_at), p.status, p.paid_minor::text,"              \
    " p.fees_minor::text, p.tax_withheld_minor::text, p.net_minor::text, p.fx_rate::text, p.fx_rate_date::text," \
    " p.org_currency, p.amount_org_minor::text, p.disputed, p.dispute_reason, p.notes, p.version, "           \
    SQL_ISO_UTC("p.invoice_sent_at") ", " SQL_ISO_UTC("p.paid_at") ", " SQL_ISO_UTC("p.dispute_opened_at") ", "                      \
    SQL_ISO_UTC("p.dispute_resolved_at") ", " SQL_ISO_UTC("p.created_at") ", " SQL_ISO_UTC("p.updated_at")                           \
    ", coalesce(p.method, ''), p.installment_no, p.installment_count"                                          \
    " FROM payments p WHERE p.org_id = app_org_id() AND p.id = $1 AND p.deleted_at IS NULL"

/* Every column history follows, with its name. */
static const int hist_cols[] = { PY_KIND, PY_AMOUNT, PY_CURRENCY, PY_EXPECTED, PY_FEES, PY_TAX, PY_NOTES,
                                 PY_STATUS, PY_PAID_MINOR, PY_PAID_LOCAL, PY_INVOICE_ISO, PY_DISPUTED,
                                 PY_DISPUTE_REASON, PY_FX_RATE, PY_FX_DATE, PY_AMOUNT_ORG, PY_METHOD };
static const char *const hist_names[] = { "kind", "amount_minor", "currency", "expected_at", "fees_minor",
                                          "tax_withheld_minor", "notes", "status", "paid_minor", "paid_at",
                                          "invoice_sent_at", "disputed", "dispute_reason", "fx_rate",
                                          "fx_rate_date", "amount_org_minor", "method" };
#define HIST_N ((int)(sizeof hist_cols / sizeof hist_cols[0]))

/* Editable fields as the form and JSON name them. */
enum { PF_KIND, PF_AMOUNT, PF_CURRENCY, PF_EXPECTED, PF_FEES, PF_TAX, PF_NOTES, PF_METHOD, PF_COUNT };
static const char *const pf_names[PF_COUNT] = { "kind", "amount", "currency", "expected_at", "fees", "tax_withheld", "notes",
                                                "method" };
static const char *const kinds[] = { "deposit", "installment", "final", "affiliate_payout", "bonus" };
#define KIND_COUNT ((int)(sizeof kinds / sizeof kinds[0]))
static const struct form_option kind_options[] = {
    { "deposit", "deposit" }, { "installment", "installment" }, { "final", "final" }, { "affiliate_payout", "affiliate_payout" },
    { "bonus", "bonus" }
};
const char *const payment_methods[PAYMENT_METHOD_COUNT] = { "bank_transfer", "card", "paypal", "wise", "stripe",
                                                          "venmo", "zelle", "check", "other" };
const struct form_option payment_method_options[PAYMENT_METHOD_COUNT] = {
    { "bank_transfer", "Bank transfer" }, { "card", "Card" }, { "paypal", "PayPal" }, { "wise", "Wise" },
    { "stripe", "Stripe" }, { "venmo", "Venmo" }, { "zelle", "Zelle" }, { "check", "Check" }, { "other", "Other" }
};
static const struct form_option currency_options[] = { { "USD", "USD" }, { "EUR", "EUR" }, { "GBP", "GBP" }, { "INR", "INR" } };

static struct dbres *pay_load(struct request *r, str id, bool lock, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    const char *p = str_cstr(r->arena, id);
    struct dbres *q = lock ? db_q(r->db, r->arena, "pay_load_lock", PY_SELECT " FOR UPDATE", p)
                           : db_q(r->db, r->arena, "pay_load", PY_SELECT, p);
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

static long long_col(const struct dbres *q, int col) { return db_long(q, 0, col); }

/* The status the rules give for these facts at the org's clock. */
static const char *status_for(const struct org_clock *c, long amount, long paid, str expected, bool invoice_sent)
{
    struct payment_facts f = { .amount_minor = amount, .paid_minor = paid, .invoice_sent = invoice_sent };
    f.has_expected = expected.len && civil_parse_date(expected, &f.expected_day);
    return payment_status_name(payment_status_derive(&f, c->now, c->utc_offset_s));
}

static struct json_object *money_json(long minor, str currency)
{
    struct json_object *m = json_object_new_object();
    json_add_long(m, "amount_minor", minor);
    json_add_str(m, "currency", currency);
    return m;
}

/* A payment as JSON: money as {amount_minor, currency}, status derived now. */
static struct json_object *pay_json(const struct dbres *q, const struct org_clock *c)
{
    struct json_object *o = json_object_new_object();
    str cur = db_val(q, 0, PY_CURRENCY);
    json_add_str(o, "id", db_val(q, 0, PY_ID));
    json_add_str(o, "deal_id", db_val(q, 0, PY_DEAL_ID));
    json_add_str(o, "kind", db_val(q, 0, PY_KIND));
    json_object_object_add(o, "amount", money_json(long_col(q, PY_AMOUNT), cur));
    json_object_object_add(o, "paid", money_json(long_col(q, PY_PAID_MINOR), cur));
    json_object_object_add(o, "fees", money_json(long_col(q, PY_FEES), cur));
    json_object_object_add(o, "tax_withheld", money_json(long_col(q, PY_TAX), cur));
    json_object_object_add(o, "net", money_json(long_col(q, PY_NET), cur));
    json_add_str(o, "expected_at", db_val(q, 0, PY_EXPECTED).len ? db_val(q, 0, PY_EXPECTED) : STR_NULL);
    json_add_cstr(o, "status", status_for(c, long_col(q, PY_AMOUNT), long_col(q, PY_PAID_MINOR),
                                          db_val(q, 0, PY_EXPECTED), db_bool(q, 0, PY_INVOICE_SENT)));
    row_json_nullable(o, "invoice_sent_at", q, 0, PY_INVOICE_ISO);
    row_json_nullable(o, "paid_at", q, 0, PY_PAID_ISO);
    if (db_isnull(q, 0, PY_FX_RATE)) {
        json_object_object_add(o, "fx", NULL);
    } else {
        struct json_object *fx = json_object_new_object();
        json_add_str(fx, "rate", db_val(q, 0, PY_FX_RATE));
        json_add_str(fx, "rate_date", db_val(q, 0, PY_FX_DATE));
        json_object_object_add(fx, "amount", money_json(long_col(q, PY_AMOUNT_ORG), db_val(q, 0, PY_ORG_CURRENCY)));
        json_object_object_add(o, "fx", fx);
    }
    json_add_bool(o, "disputed", db_bool(q, 0, PY_DISPUTED));
    row_json_nullable(o, "dispute_reason", q, 0, PY_DISPUTE_REASON);
    row_json_nullable(o, "dispute_opened_at", q, 0, PY_DISPUTE_OPENED_ISO);
    row_json_nullable(o, "dispute_resolved_at", q, 0, PY_DISPUTE_RESOLVED_ISO);
    json_add_str(o, "notes", db_val(q, 0, PY_NOTES));
    json_add_str(o, "method", db_val(q, 0, PY_METHOD).len ? db_val(q, 0, PY_METHOD) : STR_NULL);
    if (db_isnull(q, 0, PY_INST_NO)) {
        json_object_object_add(o, "installment", NULL);
    } else {
        struct json_object *in = json_object_new_object();
        json_add_long(in, "number", long_col(q, PY_INST_NO));
        json_add_long(in, "of", long_col(q, PY_INST_COUNT));
        json_object_object_add(o, "installment", in);
    }
    json_add_long(o, "version", long_col(q, PY_VERSION));
    json_add_str(o, "created_at", db_val(q, 0, PY_CREATED_ISO));
    json_add_str(o, "updated_at", db_val(q, 0, PY_UPDATED_ISO));
    return o;
}

/* ---- input ---- */

struct pay_values {
    str raw[PF_COUNT];
    const struct currency *cur;
    int64_t amount, fees, tax;
    const char *fx_missing; /* the edit form's note when the stored payment has no rate */
    int64_t inst_no, inst_count; /* its place in an installment schedule (0: none) */
};

/* A money field's message for why its text is not an amount. */
static const char *money_field_message(enum money_error me)
{
    switch (me) {
    case MONEY_OK: break;
    case MONEY_EMPTY: return "must be an amount";
    case MONEY_SYNTAX: return "must be an amount like 1,234.50";
    case MONEY_NEGATIVE: return "must not be negative";
    case MONEY_GROUPING: return "must have a comma every three digits, like 1,234,567";
    case MONEY_DECIMALS: return "must have at most 2 decimals";
    case MONEY_OVERFLOW: return "is too large";
    case MONEY_UNKNOWN_CURRENCY: return "must be in USD, EUR, GBP or INR";
    }
    return "must be an amount";
}

/* Money text as minor units for the field; an unknown currency still checks syntax (USD digits). */
static void parse_money(struct field_errors *e, const char *field, str text, const struct currency *cur,
                        bool positive, int64_t *out)
{
    enum money_error me = money_parse(text, cur ? cur : money_currency(STR("USD")), out);
    if (me != MONEY_OK) field_error_add(e, field, money_field_message(me));
    else if (positive && *out == 0) field_error_add(e, field, "must be more than zero");
}

static str plain_money(struct request *r, long minor, str code)
{
    struct buf b;
    buf_init(&b, r->arena, 24);
    const struct currency *c = money_currency(code);
    if (c) money_format_plain(&b, minor, c);
    return buf_str(&b);
}

/* A JSON money object {"amount_minor": n, "currency": "EUR"} as the decimal text the
 * form would carry (and its currency into *currency); false when key is not an object. */
static bool json_money_text(struct request *r, const char *key, str *text, str *currency, struct field_errors *e)
{
    struct json_object *m, *minor, *cur;
    if (!r->json || !json_object_object_get_ex(r->json, key, &m) || !json_object_is_type(m, json_type_object))
        return false;
    *text = STR("");
    const struct currency *c = json_object_object_get_ex(m, "currency", &cur) && json_object_is_type(cur, json_type_string)
                                   ? money_currency(str_from(json_object_get_string(cur))) : NULL;
    if (!c || !json_object_object_get_ex(m, "amount_minor", &minor) || !json_object_is_type(minor, json_type_int) ||
        json_object_get_int64(minor) < 0) {
        field_error_add(e, key, "must be {\"amount_minor\": a whole number >= 0, \"currency\": USD, EUR, GBP or INR}");
        return true;
    }
    struct buf b;
    buf_init(&b, r->arena, 24);
    money_format_plain(&b, json_object_get_int64(minor), c);
    *text = buf_str(&b);
    *currency = str_from(c->code);
    return true;
}

/* Reads the fields; with base (a loaded row) absent ones keep their stored value. JSON
 * may send amount, fees and tax_withheld as decimal text or as money objects. */
static void pay_read(struct request *r, const struct dbres *base, struct pay_values *v, struct field_errors *e)
{
    str money_cur = STR_NULL;
    for (int i = 0; i < PF_COUNT; i++) {
        bool present, is_money = i == PF_AMOUNT || i == PF_FEES || i == PF_TAX;
        str in;
        if (is_money && json_money_text(r, pf_names[i], &in, &money_cur, e)) present = true;
        else in = str_trim(input_value(r, pf_names[i], &present, e));
        if (present || !base) v->raw[i] = in;
        else if (i == PF_KIND) v->raw[i] = db_val(base, 0, PY_KIND);
        else if (i == PF_CURRENCY) v->raw[i] = db_val(base, 0, PY_CURRENCY);
        else if (i == PF_EXPECTED) v->raw[i] = db_val(base, 0, PY_EXPECTED);
        else if (i == PF_NOTES) v->raw[i] = db_val(base, 0, PY_NOTES);
        else if (i == PF_METHOD) v->raw[i] = db_val(base, 0, PY_METHOD);
        else {
            int col = i == PF_AMOUNT ? PY_AMOUNT : i == PF_FEES ? PY_FEES : PY_TAX;
            v->raw[i] = plain_money(r, long_col(base, col), db_val(base, 0, PY_CURRENCY));
        }
    }
    if (!v->raw[PF_FEES].len) v->raw[PF_FEES] = STR("0");
    if (!v->raw[PF_TAX].len) v->raw[PF_TAX] = STR("0");
    bool cur_sent;
    input_value(r, "currency", &cur_sent, e);
    if (money_cur.ptr && !cur_sent) v->raw[PF_CURRENCY] = money_cur;
}

static void pay_validate(struct pay_values *v, struct field_errors *e)
{
    if (!input_one_of(v->raw[PF_KIND], kinds, KIND_COUNT))
        field_error_add(e, "kind", "must be deposit, installment, final, affiliate_payout or bonus");
    v->cur = money_currency(v->raw[PF_CURRENCY]);
    if (!v->cur) field_error_add(e, "currency", "must be USD, EUR, GBP or INR");
    parse_money(e, "amount", v->raw[PF_AMOUNT], v->cur, true, &v->amount);
    parse_money(e, "fees", v->raw[PF_FEES], v->cur, false, &v->fees);
    parse_money(e, "tax_withheld", v->raw[PF_TAX], v->cur, false, &v->tax);
    if (v->raw[PF_EXPECTED].len && !input_valid_date(v->raw[PF_EXPECTED]))
        field_error_add(e, "expected_at", "must be a date (YYYY-MM-DD)");
    if (utf8_length(v->raw[PF_NOTES]) > 10000) field_error_add(e, "notes", "must be at most 10000 characters");
    if (v->raw[PF_METHOD].len && !input_one_of(v->raw[PF_METHOD], payment_methods, PAYMENT_METHOD_COUNT))
        field_error_add(e, "method", PAYMENT_METHOD_MESSAGE);
    if (!e->n && v->fees + v->tax > v->amount)
        field_error_add(e, "fees", "must not be more than the amount, with the tax withheld");
}

/* ---- FX ---- */

struct pay_fx {
    bool converted;
    char rate[32], date[11], amount_org[24];
    char missing[96]; /* "No exchange rate for EUR→USD on or before 2025-03-10." or "" */
};

/* Converts into the org currency with the latest rate on or before the expected date
 * (today when there is none); a missing rate leaves the payment unconverted. */
static int pay_convert(struct request *r, const struct org_clock *c, const struct pay_values *v, struct pay_fx *fx)
{
    memset(fx, 0, sizeof *fx);
    const struct currency *org = money_currency(c->currency);
    if (!org || org == v->cur) return 0;
    int64_t day = c->today;
    if (v->raw[PF_EXPECTED].len) civil_parse_date(v->raw[PF_EXPECTED], &day);
    struct buf d;
    buf_init(&d, r->arena, 12);
    civil_format_date(&d, day);
    enum { FX_RATE, FX_AS_OF };
    struct dbres *q = db_q(r->db, r->arena, "pay_fx_pick",
                           "SELECT rate::text, as_of::text FROM fx_rates WHERE org_id = app_org_id() AND base = $1"
                           " AND quote = $2 AND as_of <= $3::date ORDER BY as_of DESC LIMIT 1",
                           v->cur->code, org->code, buf_cstr(&d));
    if (!q) return app_db_status(r);
    struct fx_rate rate = { .base = v->cur, .quote = org };
    struct fx_result res;
    if (db_rows(q) == 0 || !fx_rate_parse(db_val(q, 0, FX_RATE), &rate.rate_e8) ||
        !civil_parse_date(db_val(q, 0, FX_AS_OF), &rate.as_of_day) || !fx_convert(&rate, v->amount, &res)) {
        snprintf(fx->missing, sizeof fx->missing, "No exchange rate for %s→%s on or before %s.", v->cur->code,
                 org->code, buf_cstr(&d));
        return 0;
    }
    fx->converted = true;
    snprintf(fx->rate, sizeof fx->rate, "%.*s", STR_FMT(db_val(q, 0, FX_RATE)));
    snprintf(fx->date, sizeof fx->date, "%.*s", STR_FMT(db_val(q, 0, FX_AS_OF)));
    snprintf(fx->amount_org, sizeof fx->amount_org, "%lld", (long long)res.amount_minor);
    return 0;
}

/* ---- writes ---- */

static str nstr(const struct dbres *q, int col)
{
    return db_isnull(q, 0, col) || db_val(q, 0, col).len == 0 ? STR_NULL : db_val(q, 0, col);
}

static int pay_after_write(struct request *r, str id, const struct dbres *old, const struct dbres *now)
{
    str o[HIST_N], n[HIST_N];
    for (int i = 0; i < HIST_N; i++) {
        o[i] = old ? nstr(old, hist_cols[i]) : STR_NULL;
        n[i] = nstr(now, hist_cols[i]);
    }
    int rc = old ? 0 : deal_history_event(r, "payment", id, "create");
    if (!rc) rc = deal_history_diff(r, "payment", id, hist_names, o, n, HIST_N);
    return rc ? rc : deal_risk_refresh(r, db_val(now, 0, PY_DEAL_ID));
}

static const char *num(struct request *r, int64_t v) { return str_cstr(r->arena, str_of_long(r->arena, (long)v)); }
static const char *nz(struct request *r, str s) { return s.len ? str_cstr(r->arena, s) : NULL; }
static const char *fxv(const struct pay_fx *fx, const char *s) { return fx->converted ? s : NULL; }

/* The column of pay_insert: the new payment's id. */
enum { PI_ID };

static int pay_insert(struct request *r, const struct org_clock *c, str deal_id, const struct pay_values *v,
                      const struct pay_fx *fx, struct dbres **row)
{
    const char *status = status_for(c, (long)v->amount, 0, v->raw[PF_EXPECTED], false);
    struct dbres *q = db_q(r->db, r->arena, "pay_insert",
                           "INSERT INTO payments (org_id, deal_id, kind, amount_minor, currency, expected_at, status,"
                           " fees_minor, tax_withheld_minor, notes, fx_rate, fx_rate_date, org_currency, amount_org_minor,"
                           " method, installment_no, installment_count)"
                           " VALUES (app_org_id(), $1, $2, $3::bigint, $4, $5::date, $6, $7::bigint, $8::bigint, $9,"
                           " $10::numeric, $11::date, $12, $13::bigint, $14, $15::int, $16::int) RETURNING id",
                           str_cstr(r->arena, deal_id), str_cstr(r->arena, v->raw[PF_KIND]), num(r, v->amount),
                           v->cur->code, nz(r, v->raw[PF_EXPECTED]), status, num(r, v->fees), num(r, v->tax),
                           str_cstr(r->arena, v->raw[PF_NOTES]), fxv(fx, fx->rate), fxv(fx, fx->date),
                           fxv(fx, str_cstr(r->arena, c->currency)), fxv(fx, fx->amount_org), nz(r, v->raw[PF_METHOD]),
                           v->inst_no ? num(r, v->inst_no) : NULL, v->inst_no ? num(r, v->inst_count) : NULL);
    if (!q) return app_db_status(r);
    int st;
    *row = pay_load(r, db_val(q, 0, PI_ID), false, &st);
    return *row ? pay_after_write(r, db_val(q, 0, PI_ID), NULL, *row) : st;
}

static int pay_update(struct request *r, const struct org_clock *c, const struct dbres *old, const struct pay_values *v,
                      const struct pay_fx *fx, struct dbres **row)
{
    str id = db_val(old, 0, PY_ID);
    const char *status = status_for(c, (long)v->amount, long_col(old, PY_PAID_MINOR), v->raw[PF_EXPECTED],
                                    db_bool(old, 0, PY_INVOICE_SENT));
    struct dbres *q = db_q(r->db, r->arena, "pay_update",
                           "UPDATE payments SET kind = $2, amount_minor = $3::bigint, currency = $4, expected_at = $5::date,"
                           " status = $6, fees_minor = $7::bigint, tax_withheld_minor = $8::bigint, notes = $9,"
                           " fx_rate = $10::numeric, fx_rate_date = $11::date, org_currency = $12,"
                           " amount_org_minor = $13::bigint, method = $14, version = version + 1, updated_at = now()"
                           " WHERE org_id = app_org_id() AND id = $1",
                           str_cstr(r->arena, id), str_cstr(r->arena, v->raw[PF_KIND]), num(r, v->amount), v->cur->code,
                           nz(r, v->raw[PF_EXPECTED]), status, num(r, v->fees), num(r, v->tax),
                           str_cstr(r->arena, v->raw[PF_NOTES]), fxv(fx, fx->rate), fxv(fx, fx->date),
                           fxv(fx, str_cstr(r->arena, c->currency)), fxv(fx, fx->amount_org), nz(r, v->raw[PF_METHOD]));
    if (!q) return app_db_status(r);
    int st;
    *row = pay_load(r, id, false, &st);
    return *row ? pay_after_write(r, id, old, *row) : st;
}

/* ---- actions ---- */

enum pay_action { PA_INVOICE_SENT, PA_PAID, PA_DISPUTE, PA_RESOLVE, PA_NONE };
static const char *const pay_action_names[] = { "invoice_sent", "paid", "dispute", "resolve" };

static const char *pay_illegal(enum pay_action a, const struct dbres *q)
{
    bool paid = long_col(q, PY_PAID_MINOR) >= long_col(q, PY_AMOUNT);
    switch (a) {
    case PA_INVOICE_SENT:
        if (paid) return "This payment is already paid; no invoice is needed.";
        return db_bool(q, 0, PY_INVOICE_SENT) ? "The invoice for this payment is already marked as sent." : NULL;
    case PA_PAID: return paid ? "This payment is already paid in full." : NULL;
    case PA_DISPUTE: return db_bool(q, 0, PY_DISPUTED) ? "This payment is already in dispute." : NULL;
    case PA_RESOLVE: return db_bool(q, 0, PY_DISPUTED) ? NULL : "This payment has no open dispute to resolve.";
    case PA_NONE: break;
    }
    return "Unknown action.";
}

struct pay_action_in {
    str paid_at, amount_paid, reason;
    int64_t paid_minor;
};

static void pay_action_read(struct request *r, enum pay_action a, const struct dbres *q, struct pay_action_in *in,
                            struct field_errors *e)
{
    in->paid_at = str_trim(input_value(r, "paid_at", NULL, e));
    in->amount_paid = str_trim(input_value(r, "amount_paid", NULL, e));
    in->reason = str_trim(input_value(r, "reason", NULL, e));
    if (a == PA_PAID) {
        if (!input_valid_datetime(in->paid_at)) field_error_add(e, "paid_at", "must be a date and time like 2025-03-10T14:30");
        parse_money(e, "amount_paid", in->amount_paid, money_currency(db_val(q, 0, PY_CURRENCY)), true, &in->paid_minor);
    }
    if (a == PA_DISPUTE) {
        if (!in->reason.len) field_error_add(e, "reason", "must say what the dispute is about");
        else if (utf8_length(in->reason) > 2000) field_error_add(e, "reason", "must be at most 2000 characters");
    }
}

static int pay_apply(struct request *r, const struct org_clock *c, enum pay_action a, const struct dbres *old,
                     const struct pay_action_in *in, struct dbres **row)
{
    const char *id = db_cstr(old, 0, PY_ID);
    long amount = long_col(old, PY_AMOUNT);
    str expected = db_val(old, 0, PY_EXPECTED);
    struct dbres *q;
    if (a == PA_INVOICE_SENT)
        q = db_q(r->db, r->arena, "pay_invoice_sent", "UPDATE payments SET invoice_sent_at = now(), status = $2,"
                 " version = version + 1, updated_at = now()"
                 " WHERE org_id = app_org_id() AND id = $1",
                 id, status_for(c, amount, long_col(old, PY_PAID_MINOR), expected, true));
    else if (a == PA_PAID)
        q = db_q(r->db, r->arena, "pay_paid", "UPDATE payments SET paid_at = deal_local_time($2), paid_minor = $3::bigint,"
                 " status = $4, version = version + 1, updated_at = now()"
                 " WHERE org_id = app_org_id() AND id = $1", id,
                 str_cstr(r->arena, in->paid_at), num(r, in->paid_minor),
                 status_for(c, amount, (long)in->paid_minor, expected, db_bool(old, 0, PY_INVOICE_SENT)));
    else if (a == PA_DISPUTE)
        q = db_q(r->db, r->arena, "pay_dispute", "UPDATE payments SET disputed = true, dispute_reason = $2,"
                 " dispute_opened_at = now(), dispute_resolved_at = NULL, version = version + 1, updated_at = now()"
                 " WHERE org_id = app_org_id() AND id = $1", id, str_cstr(r->arena, in->reason));
    else
        q = db_q(r->db, r->arena, "pay_resolve", "UPDATE payments SET disputed = false, dispute_resolved_at = now(),"
                 " version = version + 1, updated_at = now()"
                 " WHERE org_id = app_org_id() AND id = $1", id);
    if (!q) return app_db_status(r);
    int st;
    *row = pay_load(r, db_val(old, 0, PY_ID), false, &st);
    return *row ? pay_after_write(r, db_val(old, 0, PY_ID), old, *row) : st;
}

static int pay_load_for_write(struct request *r, struct dbres **q, struct deal_row *deal)
{
    int st;
    *q = pay_load(r, req_path_param(r, "id"), true, &st);
    if (!*q) return st;
    return deal_load_for_write(r, db_val(*q, 0, PY_DEAL_ID), -1, deal);
}

/* ---- pages ---- */

/* What the record or edit form shows: the deal, the payment edited (NULL: a new one,
 * its recorded conversion shown), the values (a missing rate from v->fx_missing), the
 * version they are based on, the stale-edit notice (NULL: none). */
struct pay_form {
    const struct deal_row *deal;
    const struct dbres *row;
    const struct pay_values *v;
    long version;
    const char *notice;
};

/* The money inputs: decimal text, the amount with an example. */
static void money_field(struct tdict *d, const char *marker, const struct field_errors *e, const char *name,
                        const char *label, str value, const char *placeholder)
{
    struct tdict *f = form_field(d, marker, e, name, label, "text", value);
    tdict_set_cstr(tdict_add_section(f, "INPUTMODE"), "MODE", "decimal");
    if (placeholder) tdict_set_cstr(tdict_add_section(f, "PLACEHOLDER"), "TEXT", placeholder);
}

static void pay_form_fields(struct tdict *d, const struct pay_values *v, const struct field_errors *e)
{
    form_select(d, "FIELD_KIND", e, "kind", "Kind", kind_options, 4, v->raw[PF_KIND], NULL);
    money_field(d, "FIELD_AMOUNT", e, "amount", "Amount", v->raw[PF_AMOUNT], "1,250.00");
    form_select(d, "FIELD_CURRENCY", e, "currency", "Currency", currency_options, 4, v->raw[PF_CURRENCY], NULL);
    form_field(d, "FIELD_EXPECTED_AT", e, "expected_at", "Expected on", "date", v->raw[PF_EXPECTED]);
    money_field(d, "FIELD_FEES", e, "fees", "Fees", v->raw[PF_FEES], NULL);
    money_field(d, "FIELD_TAX_WITHHELD", e, "tax_withheld", "Tax withheld", v->raw[PF_TAX], NULL);
    form_select(d, "FIELD_METHOD", e, "method", "Payment method", payment_method_options, PAYMENT_METHOD_COUNT,
                v->raw[PF_METHOD], "Not set");
    form_set_value(d, "notes", v->raw[PF_NOTES]); /* a textarea, written out by hand */
}

/* The conversion recorded on a stored payment, when it has one. */
static void recorded_fx(struct request *r, struct tdict *d, const struct dbres *row)
{
    if (db_isnull(row, 0, PY_FX_RATE)) return;
    struct tdict *f = tdict_add_section(d, "FX");
    tdict_set(f, "RATE", db_val(row, 0, PY_FX_RATE));
    tdict_set(f, "RATE_DATE", db_val(row, 0, PY_FX_DATE));
    tdict_set(f, "AMOUNT_ORG", plain_money(r, long_col(row, PY_AMOUNT_ORG), db_val(row, 0, PY_ORG_CURRENCY)));
    tdict_set(f, "ORG_CURRENCY", db_val(row, 0, PY_ORG_CURRENCY));
}

/* form_render_fn: the record or edit form (ctx a struct pay_form). */
static int render_form(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct pay_form *f = ctx;
    struct tdict *d = page_dict(r, f->row ? "Edit payment" : "Record a payment", "deals/payment_form.tpl");
    tdict_set(d, "DEAL_ID", f->deal->id);
    tdict_set(d, "DEAL_TITLE", f->deal->title);
    if (f->row) {
        tdict_show(d, "EDIT");
        tdict_set(d, "ID", db_val(f->row, 0, PY_ID));
        tdict_set_long(d, "VERSION", f->version);
        recorded_fx(r, d, f->row);
    } else {
        tdict_show(d, "NEW");
    }
    if (f->notice) tdict_set_cstr(tdict_add_section(d, "NOTICE"), "MSG", f->notice);
    if (f->v->fx_missing) tdict_set_cstr(tdict_add_section(d, "FX_MISSING"), "MSG", f->v->fx_missing);
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    pay_form_fields(d, f->v, e);
    return page_render(r, status, d);
}

/* The flash after a save: says when no rate was found. */
static const char *saved_message(struct request *r, const char *done, const struct pay_fx *fx)
{
    if (!fx->missing[0]) return done;
    struct buf b;
    buf_init(&b, r->arena, 160);
    buf_printf(&b, "%s %s It is saved without conversion.", done, fx->missing);
    return buf_cstr(&b);
}

/* GET /deals/{id}/payments/new — the record form (deal currency preselected). */
int payment_new_form(struct request *r)
{
    struct deal_row deal;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &deal);
    if (st) return st;
    struct pay_values v = { .raw = { STR("deposit"), STR(""), str_trim(deal.currency), STR(""), STR("0"), STR("0"), STR(""), STR("") } };
    return render_form(r, 200, NULL, &(struct pay_form){ &deal, NULL, &v, 0, NULL });
}

/* POST /deals/{id}/payments (and the JSON twin) — kind, amount (decimal text),
 * currency, expected_at, fees, tax_withheld, notes. */
int payment_create(struct request *r)
{
    struct deal_row deal;
    struct org_clock c;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &deal);
    if (st || (st = org_clock_load(r, &c))) return st;
    struct pay_values v = { 0 };
    struct field_errors e = { 0 };
    pay_read(r, NULL, &v, &e);
    if (!v.raw[PF_CURRENCY].len) v.raw[PF_CURRENCY] = str_trim(deal.currency);
    pay_validate(&v, &e);
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_form, &(struct pay_form){ &deal, NULL, &v, 0, NULL });
    struct pay_fx fx;
    struct dbres *row = NULL;
    if ((st = pay_convert(r, &c, &v, &fx)) || (st = pay_insert(r, &c, deal.id, &v, &fx, &row))) return st;
    if (!r->wants_json) return redirect_see_other(r, deal_href(r, deal.id), "ok", saved_message(r, "Payment recorded.", &fx));
    json_reply_data(r, 201, pay_json(row, &c));
    return 0;
}

static void row_values(struct request *r, const struct dbres *q, struct pay_values *v)
{
    str cur = db_val(q, 0, PY_CURRENCY);
    v->raw[PF_KIND] = db_val(q, 0, PY_KIND);
    v->raw[PF_AMOUNT] = plain_money(r, long_col(q, PY_AMOUNT), cur);
    v->raw[PF_CURRENCY] = cur;
    v->raw[PF_EXPECTED] = db_val(q, 0, PY_EXPECTED);
    v->raw[PF_FEES] = plain_money(r, long_col(q, PY_FEES), cur);
    v->raw[PF_TAX] = plain_money(r, long_col(q, PY_TAX), cur);
    v->raw[PF_NOTES] = db_val(q, 0, PY_NOTES);
    v->raw[PF_METHOD] = db_val(q, 0, PY_METHOD);
}

/* GET /payments/{id}/edit — the edit form with the version and the recorded conversion. */
int payment_edit_form(struct request *r)
{
    struct dbres *q;
    struct deal_row deal;
    int st = pay_load_for_write(r, &q, &deal);
    if (st) return st;
    struct pay_values v = { 0 };
    struct org_clock c;
    struct pay_fx fx = { 0 };
    row_values(r, q, &v);
    /* Says again what the save said: no rate was found (one may have been added since). */
    v.cur = money_currency(v.raw[PF_CURRENCY]);
    v.amount = long_col(q, PY_AMOUNT);
    if (db_isnull(q, 0, PY_FX_RATE) && ((st = org_clock_load(r, &c)) || (st = pay_convert(r, &c, &v, &fx)))) return st;
    v.fx_missing = fx.missing[0] ? fx.missing : NULL;
    return render_form(r, 200, NULL, &(struct pay_form){ &deal, q, &v, long_col(q, PY_VERSION), NULL });
}

/* A stale edit, as for deals: JSON 409 with the stored payment in
 * error.fields.current, or the edit form again (409) with the stored values, their
 * version and a notice. Nothing is written. Returns REPLIED, or the status the form
 * failed with. */
static int stale_reply(struct request *r, const struct deal_row *deal, const struct dbres *q, const struct org_clock *c)
{
    if (r->wants_json) {
        deal_stale_reply_json(r, "payment", pay_json(q, c));
        return REPLIED;
    }
    struct pay_values cur = { 0 };
    row_values(r, q, &cur);
    struct pay_form f = { deal, q, &cur, long_col(q, PY_VERSION), deal_stale_form_notice(r, "payment") };
    int st = render_form(r, 409, NULL, &f);
    return st ? st : REPLIED;
}

/* true (with *version) when the request carries a version other than the row's. */
static bool is_stale(struct request *r, const struct dbres *q, long *version, struct field_errors *e)
{
    return input_read_version(r, version, true, e) && *version != long_col(q, PY_VERSION);
}

/* POST /payments/{id} — saves the edit with `version`; a stale version re-renders the
 * form (409) with the current values and a notice, before any field check. */
int payment_update(struct request *r)
{
    struct dbres *q, *row = NULL;
    struct deal_row deal;
    struct org_clock c;
    int st = pay_load_for_write(r, &q, &deal);
    if (st || (st = org_clock_load(r, &c))) return st;
    struct pay_values v = { 0 };
    long version;
    struct field_errors e = { 0 };
    if (is_stale(r, q, &version, &e)) return stale_reply(r, &deal, q, &c);
    pay_read(r, NULL, &v, &e);
    pay_validate(&v, &e);
    if (e.n)
        return field_errors_reply(r, "Some fields are not valid.", &e, render_form, &(struct pay_form){ &deal, q, &v, version, NULL });
    struct pay_fx fx;
    if ((st = pay_convert(r, &c, &v, &fx)) || (st = pay_update(r, &c, q, &v, &fx, &row))) return st;
    return redirect_see_other(r, deal_href(r, deal.id), "ok", saved_message(r, "Payment saved.", &fx));
}

/* What an action form shows: the action, the payment, its deal, the values. */
struct pay_action_form {
    enum pay_action a;
    const struct dbres *q;
    const struct deal_row *deal;
    const struct pay_action_in *in;
};

static void pay_action_fields(struct request *r, struct tdict *d, const struct pay_action_form *f,
                              const struct field_errors *e)
{
    struct tdict *x = form_field(d, "FIELD_PAID_AT", e, "paid_at", "Received at", "datetime-local", f->in->paid_at);
    tdict_show(x, "REQUIRED");
    struct buf label;
    buf_init(&label, r->arena, 48);
    buf_printf(&label, "Amount received in total (%.*s)", STR_FMT(db_val(f->q, 0, PY_CURRENCY)));
    x = form_field(d, "FIELD_AMOUNT_PAID", e, "amount_paid", buf_cstr(&label), "text", f->in->amount_paid);
    tdict_set_cstr(tdict_add_section(x, "INPUTMODE"), "MODE", "decimal");
    tdict_show(x, "REQUIRED");
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Less than the amount makes the payment partial.");
    form_set_value(d, "reason", f->in->reason); /* a textarea, written out by hand */
}

/* form_render_fn: the paid or dispute form (ctx a struct pay_action_form). */
static int render_action(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct pay_action_form *f = ctx;
    struct tdict *d = page_dict(r, f->a == PA_PAID ? "Mark payment paid" : "Open a dispute", "deals/payment_action.tpl");
    tdict_show(d, f->a == PA_PAID ? "PAID" : "DISPUTE");
    tdict_set(d, "ID", db_val(f->q, 0, PY_ID));
    tdict_set(d, "DEAL_ID", f->deal->id);
    tdict_set(d, "DEAL_TITLE", f->deal->title);
    tdict_set(d, "AMOUNT", plain_money(r, long_col(f->q, PY_AMOUNT), db_val(f->q, 0, PY_CURRENCY)));
    tdict_set(d, "CURRENCY", db_val(f->q, 0, PY_CURRENCY));
    tdict_set_long(d, "VERSION", long_col(f->q, PY_VERSION));
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    pay_action_fields(r, d, f, e);
    return page_render(r, status, d);
}

/* Answers an action not allowed from the payment's state: 409 with why. */
static int illegal_reply(struct request *r, const char *why)
{
    app_error(r, 409, why, NULL);
    return REPLIED;
}

/* Runs an action from a page: a stale version (the action forms send one) → the
 * deal page as it is now with a notice (409), like a stale stage move; illegal → 409;
 * invalid → the form again (400); done → 303 to the deal with a flash. */
static int action_page(struct request *r, enum pay_action a, const char *done)
{
    struct dbres *q, *row = NULL;
    struct deal_row deal;
    struct org_clock c;
    int st = pay_load_for_write(r, &q, &deal);
    if (st || (st = org_clock_load(r, &c))) return st;
    struct pay_action_in in;
    struct field_errors e = { 0 };
    long version;
    if (input_read_version(r, &version, false, &e) && version >= 0 && version != long_col(q, PY_VERSION)) {
        st = deals_show_render(r, 409, deal.id, deal_stale_page_notice(r, "payment"));
        return st ? st : REPLIED;
    }
    const char *why = pay_illegal(a, q);
    if (why) return illegal_reply(r, why);
    pay_action_read(r, a, q, &in, &e);
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_action, &(struct pay_action_form){ a, q, &deal, &in });
    if ((st = pay_apply(r, &c, a, q, &in, &row))) return st;
    return redirect_see_other(r, deal_href(r, deal.id), "ok", done);
}

static int action_form(struct request *r, enum pay_action a)
{
    struct dbres *q;
    struct deal_row deal;
    int st = pay_load_for_write(r, &q, &deal);
    if (st) return st;
    const char *why = pay_illegal(a, q);
    if (why) return illegal_reply(r, why);
    struct pay_action_in in = { .paid_at = STR(""), .reason = STR("") };
    in.amount_paid = plain_money(r, long_col(q, PY_AMOUNT), db_val(q, 0, PY_CURRENCY));
    return render_action(r, 200, NULL, &(struct pay_action_form){ a, q, &deal, &in });
}

/* POST /payments/{id}/invoice-sent — the invoice went out. */
int payment_invoice_sent(struct request *r) { return action_page(r, PA_INVOICE_SENT, "Invoice marked as sent."); }
/* GET /payments/{id}/paid — asks when and how much arrived. */
int payment_paid_form(struct request *r) { return action_form(r, PA_PAID); }
/* POST /payments/{id}/paid — paid_at, amount_paid (total received): paid or partial. */
int payment_paid(struct request *r) { return action_page(r, PA_PAID, "Payment recorded as received."); }
/* GET /payments/{id}/dispute — asks for the reason. */
int payment_dispute_form(struct request *r) { return action_form(r, PA_DISPUTE); }
/* POST /payments/{id}/dispute — reason (required). */
int payment_dispute(struct request *r) { return action_page(r, PA_DISPUTE, "Dispute opened."); }
/* POST /payments/{id}/resolve — closes the open dispute. */
int payment_resolve(struct request *r) { return action_page(r, PA_RESOLVE, "Dispute resolved."); }

/* ---- JSON ---- */

/* GET /api/v1/payments/{id} — one of a deleted deal for managers and admins only
 * (deal_readable). */
int api_payment_show(struct request *r)
{
    int st;
    struct org_clock c;
    struct dbres *q = pay_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if ((st = deal_readable(r, db_val(q, 0, PY_DEAL_ID)))) return st;
    if ((st = org_clock_load(r, &c))) return st;
    json_reply_data(r, 200, pay_json(q, &c));
    return 0;
}

static enum pay_action parse_pay_action(str s)
{
    for (int i = 0; i < PA_NONE; i++)
        if (str_eq_cstr(s, pay_action_names[i])) return (enum pay_action)i;
    return PA_NONE;
}

/* PATCH /api/v1/payments/{id} — version (required) and any fields, or "action":
 * invoice_sent | paid (+ paid_at, amount_paid) | dispute (+ reason) | resolve. */
int api_payment_patch(struct request *r)
{
    struct dbres *q, *row = NULL;
    struct deal_row deal;
    struct org_clock c;
    int st = pay_load_for_write(r, &q, &deal);
    if (st || (st = org_clock_load(r, &c))) return st;
    struct field_errors e = { 0 };
    long version;
    bool has_action;
    str action = input_value(r, "action", &has_action, &e);
    if (is_stale(r, q, &version, &e)) return stale_reply(r, &deal, q, &c);
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, NULL, NULL);
    if (has_action) {
        enum pay_action a = parse_pay_action(action);
        if (a == PA_NONE) field_error_add(&e, "action", "must be invoice_sent, paid, dispute or resolve");
        if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, NULL, NULL);
        const char *why = pay_illegal(a, q);
        if (why) return illegal_reply(r, why);
        struct pay_action_in in;
        pay_action_read(r, a, q, &in, &e);
        if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, NULL, NULL);
        st = pay_apply(r, &c, a, q, &in, &row);
    } else {
        struct pay_values v = { 0 };
        struct pay_fx fx;
        pay_read(r, q, &v, &e);
        pay_validate(&v, &e);
        if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, NULL, NULL);
        if (!(st = pay_convert(r, &c, &v, &fx))) st = pay_update(r, &c, q, &v, &fx, &row);
    }
    if (st) return st;
    json_reply_data(r, 200, pay_json(row, &c));
    return 0;
}

/* ---- installment schedules (installments.c) ---- */

/* Inserts one payment of kind made by another part of the deal (a schedule, an earned
 * bonus), converted and recorded like any payment. */
static int payment_add(struct request *r, const struct org_clock *c, str deal_id, const char *kind,
                       const struct installment_in *in, struct json_object **out, str *id)
{
    struct pay_values v = { .raw = { str_from(kind), STR(""), in->currency, in->expected_at, STR("0"), STR("0"),
                                     STR(""), in->method } };
    v.cur = money_currency(in->currency);
    if (!v.cur) return 400;
    v.amount = in->amount_minor;
    v.inst_no = in->number;
    v.inst_count = in->count;
    struct pay_fx fx;
    struct dbres *row = NULL;
    int st = pay_convert(r, c, &v, &fx);
    if (!st) st = pay_insert(r, c, deal_id, &v, &fx, &row);
    if (!st && out) *out = pay_json(row, c);
    if (!st && id) *id = db_val(row, 0, PY_ID);
    return st;
}

int payment_add_installment(struct request *r, const struct org_clock *c, str deal_id, const struct installment_in *in,
                            struct json_object **out)
{
    return payment_add(r, c, deal_id, "installment", in, out, NULL);
}

int payment_add_bonus(struct request *r, const struct org_clock *c, str deal_id, int64_t amount_minor, str currency,
                      str expected_at, str *id)
{
    struct installment_in in = { .amount_minor = amount_minor, .currency = currency, .expected_at = expected_at,
                                 .method = STR("") };
    return payment_add(r, c, deal_id, "bonus", &in, NULL, id);
}
