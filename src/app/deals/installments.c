/* installments.c — a deal's installment schedule: its value split into N payments
 * with due dates, equal (the remainder minor units on the last or the first payment)
 * or custom amounts that must add up to the deal value exactly, all generated in the
 * request's one transaction. The payments made are ordinary payments (payments.c):
 * edited, paid, disputed, marked overdue and forecast like any other. The schedule's
 * page section and its JSON say whether they still add up to the deal value. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../../domain/installments.h"
#include "../../domain/money.h"
#include "../../domain/payment_status.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "../common/org_clock.h"
#include "deal_common.h"
#include "deals.h"
#include "installments.h"
#include "payments.h"

/* Rows of the page form's custom table (JSON takes up to INSTALLMENTS_MAX). */
#define CUSTOM_ROWS 12

static const char *const modes[] = { "equal", "custom" };
static const char *const remainders[] = { "last", "first" };
static const struct form_option interval_options[] = {
    { "weekly", "Every week" }, { "biweekly", "Every two weeks" }, { "monthly", "Every month" }, { "quarterly", "Every quarter" }
};
static const struct form_option remainder_options[] = {
    { "last", "On the last payment" }, { "first", "On the first payment" }
};

/* ---- the schedule as stored ---- */

enum { SC_ID, SC_NO, SC_COUNT, SC_AMOUNT, SC_CURRENCY, SC_EXPECTED, SC_METHOD, SC_PAID, SC_INVOICED, SC_DAY };
#define SCHEDULE_SQL                                                                                          \
    "SELECT id, installment_no, installment_count, amount_minor, currency, coalesce(expected_at::text, ''),"  \
    " coalesce(method, ''), paid_minor, invoice_sent_at IS NOT NULL, (expected_at - date '1970-01-01')"        \
    " FROM payments WHERE org_id = app_org_id() AND deal_id = $1::uuid AND installment_no IS NOT NULL"       \
    " AND deleted_at IS NULL ORDER BY installment_no, expected_at, id"

static struct dbres *schedule_load(struct request *r, str deal_id)
{
    return db_q(r->db, r->arena, "installments_of_deal", SCHEDULE_SQL, str_cstr(r->arena, deal_id));
}

static const char *status_of(const struct dbres *q, int i, const struct org_clock *c)
{
    struct payment_facts f = {
        .amount_minor = db_long(q, i, SC_AMOUNT), .paid_minor = db_long(q, i, SC_PAID),
        .has_expected = !db_isnull(q, i, SC_DAY), .expected_day = db_long(q, i, SC_DAY),
        .invoice_sent = db_bool(q, i, SC_INVOICED),
    };
    return payment_status_name(payment_status_derive(&f, c->now, c->utc_offset_s));
}

static int64_t schedule_total(const struct dbres *q)
{
    int64_t sum = 0;
    for (int i = 0; i < db_rows(q); i++) sum += db_long(q, i, SC_AMOUNT);
    return sum;
}

static struct json_object *money_json(int64_t minor, str currency)
{
    struct json_object *m = json_object_new_object();
    json_add_long(m, "amount_minor", (long)minor);
    json_add_str(m, "currency", currency);
    return m;
}

/* {"payments": [...], "total": money, "deal_value": money, "difference_minor": n,
 * "adds_up": bool}: difference is total − deal value (negative: short). */
static struct json_object *schedule_json(const struct dbres *q, const struct deal_row *deal, const struct org_clock *c)
{
    struct json_object *o = json_object_new_object(), *a = json_object_new_array();
    long value = 0;
    str_to_long(deal->value_minor, &value);
    for (int i = 0; i < db_rows(q); i++) {
        struct json_object *p = json_object_new_object();
        json_add_str(p, "id", db_val(q, i, SC_ID));
        json_add_long(p, "number", db_long(q, i, SC_NO));
        json_add_long(p, "of", db_long(q, i, SC_COUNT));
        json_object_object_add(p, "amount", money_json(db_long(q, i, SC_AMOUNT), db_val(q, i, SC_CURRENCY)));
        json_add_str(p, "expected_at", db_val(q, i, SC_EXPECTED).len ? db_val(q, i, SC_EXPECTED) : STR_NULL);
        json_add_str(p, "method", db_val(q, i, SC_METHOD).len ? db_val(q, i, SC_METHOD) : STR_NULL);
        json_add_cstr(p, "status", status_of(q, i, c));
        json_object_array_add(a, p);
    }
    int64_t total = schedule_total(q);
    json_object_object_add(o, "payments", a);
    json_object_object_add(o, "total", money_json(total, str_trim(deal->currency)));
    json_object_object_add(o, "deal_value", money_json(value, str_trim(deal->currency)));
    json_add_long(o, "difference_minor", (long)(total - value));
    json_add_bool(o, "adds_up", db_rows(q) > 0 && total == value);
    return o;
}

/* ---- input ---- */

struct sched_in {
    str mode, method, count, first_date, interval, remainder, replace;
    str row_amount[CUSTOM_ROWS], row_date[CUSTOM_ROWS]; /* the page's custom table */
    size_t n;
    int64_t amounts[INSTALLMENTS_MAX];
    str dates[INSTALLMENTS_MAX];
};

static const char *row_field(struct request *r, const char *name, size_t i)
{
    struct buf b;
    buf_init(&b, r->arena, 24);
    if (r->wants_json) buf_printf(&b, "payments[%zu].%s", i, name);
    else buf_printf(&b, "%s_%zu", name, i + 1);
    return buf_cstr(&b);
}

static str day_text(struct request *r, int64_t day)
{
    struct buf b;
    buf_init(&b, r->arena, 12);
    civil_format_date(&b, day);
    return buf_str(&b);
}

/* The JSON custom rows: "payments": [{"amount_minor": n, "expected_at": "YYYY-MM-DD"}]. */
static void read_json_rows(struct request *r, struct sched_in *in, struct field_errors *e)
{
    struct json_object *rows;
    if (!r->json || !json_object_object_get_ex(r->json, "payments", &rows) || !json_object_is_type(rows, json_type_array)) {
        field_error_add(e, "payments", "must be a list of {\"amount_minor\": n, \"expected_at\": \"YYYY-MM-DD\"}");
        return;
    }
    size_t n = json_object_array_length(rows);
    if (n < 2 || n > INSTALLMENTS_MAX) {
        field_error_add(e, "payments", "must have from 2 to 60 payments");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *row = json_object_array_get_idx(rows, i), *amt, *date;
        if (!json_object_is_type(row, json_type_object) || !json_object_object_get_ex(row, "amount_minor", &amt) ||
            !json_object_is_type(amt, json_type_int) || json_object_get_int64(amt) <= 0)
            field_error_add(e, row_field(r, "amount_minor", i), "must be a whole number of minor units above 0");
        else in->amounts[i] = json_object_get_int64(amt);
        if (!json_object_is_type(row, json_type_object) || !json_object_object_get_ex(row, "expected_at", &date) ||
            !json_object_is_type(date, json_type_string) || !input_valid_date(str_from(json_object_get_string(date))))
            field_error_add(e, row_field(r, "expected_at", i), "must be a date (YYYY-MM-DD)");
        else in->dates[i] = str_dup(r->arena, str_from(json_object_get_string(date)));
    }
    in->n = n;
}

/* The page's custom table: rows with neither amount nor date are skipped. */
static void read_page_rows(struct request *r, const struct currency *cur, struct sched_in *in, struct field_errors *e)
{
    in->n = 0;
    for (size_t i = 0; i < CUSTOM_ROWS; i++) {
        in->row_amount[i] = str_trim(input_value(r, row_field(r, "amount", i), NULL, e));
        in->row_date[i] = str_trim(input_value(r, row_field(r, "date", i), NULL, e));
        if (!in->row_amount[i].len && !in->row_date[i].len) continue;
        int64_t minor = 0;
        enum money_error me = money_parse(in->row_amount[i], cur, &minor);
        if (me != MONEY_OK) field_error_add(e, row_field(r, "amount", i), "must be an amount like 1,234.50");
        else if (minor == 0) field_error_add(e, row_field(r, "amount", i), "must be more than zero");
        if (!input_valid_date(in->row_date[i])) field_error_add(e, row_field(r, "date", i), "must be a date (YYYY-MM-DD)");
        in->amounts[in->n] = minor;
        in->dates[in->n++] = in->row_date[i];
    }
    if (!e->n && in->n < 2) field_error_add(e, "payments", "must have an amount and a date for at least two payments");
}

static void read_common(struct request *r, struct sched_in *in, struct field_errors *e)
{
    in->mode = str_trim(input_value(r, "mode", NULL, e));
    if (!in->mode.len) in->mode = STR("equal");
    in->method = str_trim(input_value(r, "method", NULL, e));
    in->count = str_trim(input_value(r, "count", NULL, e));
    in->first_date = str_trim(input_value(r, "first_date", NULL, e));
    in->interval = str_trim(input_value(r, "interval", NULL, e));
    if (!in->interval.len) in->interval = STR("monthly");
    in->remainder = str_trim(input_value(r, "remainder", NULL, e));
    if (!in->remainder.len) in->remainder = STR("last");
    in->replace = str_trim(input_value(r, "replace", NULL, e));
}

/* The sum rule's message: what they add up to against the deal value. */
static const char *sum_message(struct request *r, int64_t sum, int64_t value, str currency)
{
    struct buf b;
    buf_init(&b, r->arena, 160);
    int64_t diff = sum - value;
    buf_printf(&b, "must add up to the deal value, %s %.*s, exactly; they add up to %s (%s %s)",
               deal_money_text(r, value, currency, false), STR_FMT(currency), deal_money_text(r, sum, currency, false),
               deal_money_text(r, diff < 0 ? -diff : diff, currency, false), diff < 0 ? "short" : "over");
    return buf_cstr(&b);
}

/* Reads and checks everything; fills in->n, amounts and dates when valid. */
static void sched_read(struct request *r, const struct deal_row *deal, int64_t value, struct sched_in *in,
                       struct field_errors *e)
{
    read_common(r, in, e);
    const struct currency *cur = money_currency(str_trim(deal->currency));
    if (!input_one_of(in->mode, modes, 2)) field_error_add(e, "mode", "must be equal or custom");
    if (!input_one_of(in->method, payment_methods, PAYMENT_METHOD_COUNT)) field_error_add(e, "method", PAYMENT_METHOD_MESSAGE);
    if (in->replace.len && !str_eq_cstr(in->replace, "true") && !str_eq_cstr(in->replace, "false") &&
        !str_eq_cstr(in->replace, "1"))
        field_error_add(e, "replace", "must be true or false");
    if (str_eq_cstr(in->mode, "custom")) {
        if (r->wants_json) read_json_rows(r, in, e);
        else read_page_rows(r, cur, in, e);
        if (!e->n && !installments_sum_matches(in->amounts, in->n, value)) {
            int64_t sum = 0;
            for (size_t i = 0; i < in->n; i++) sum += in->amounts[i];
            field_error_add(e, "payments", sum_message(r, sum, value, str_trim(deal->currency)));
        }
        return;
    }
    if (!str_eq_cstr(in->mode, "equal")) return;
    long n = 0;
    int64_t first = 0;
    enum installment_interval every = INTERVAL_MONTHLY;
    if (!str_to_long(in->count, &n) || n < 2 || n > INSTALLMENTS_MAX)
        field_error_add(e, "count", "must be a whole number from 2 to 60");
    else if (n > value)
        field_error_add(e, "count", "must not be more than the deal value in minor units (each payment needs at least 0.01)");
    if (!civil_parse_date(in->first_date, &first)) field_error_add(e, "first_date", "must be a date (YYYY-MM-DD)");
    if (!installment_interval_parse(in->interval.ptr, in->interval.len, &every))
        field_error_add(e, "interval", "must be weekly, biweekly, monthly or quarterly");
    if (!input_one_of(in->remainder, remainders, 2)) field_error_add(e, "remainder", "must be last or first");
    if (e->n) return;
    enum installment_remainder where = str_eq_cstr(in->remainder, "first") ? REMAINDER_FIRST : REMAINDER_LAST;
    if (!installments_split(value, (size_t)n, where, in->amounts)) {
        field_error_add(e, "count", "cannot split the deal value into that many payments");
        return;
    }
    in->n = (size_t)n;
    for (size_t i = 0; i < in->n; i++) in->dates[i] = day_text(r, installments_due_day(first, every, i));
}

/* ---- the form page ---- */

struct sched_form {
    const struct deal_row *deal;
    const struct sched_in *in;
    int existing; /* payments of the schedule there already */
};

static void fill_form(struct request *r, struct tdict *d, const struct sched_form *f, const struct field_errors *e)
{
    const struct sched_in *in = f->in;
    form_select(d, "FIELD_METHOD", e, "method", "Payment method", payment_method_options, PAYMENT_METHOD_COUNT,
                in->method, "Choose…");
    struct tdict *x = form_field(d, "FIELD_COUNT", e, "count", "Number of payments", "number", in->count);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "From 2 to 60.");
    form_field(d, "FIELD_FIRST_DATE", e, "first_date", "First payment due", "date", in->first_date);
    form_select(d, "FIELD_INTERVAL", e, "interval", "Then", interval_options, 4, in->interval, NULL);
    form_select(d, "FIELD_REMAINDER", e, "remainder", "Cents left over by an equal split", remainder_options, 2,
                    in->remainder, NULL);
    tdict_show(d, str_eq_cstr(in->mode, "custom") ? "MODE_CUSTOM" : "MODE_EQUAL");
    for (size_t i = 0; i < CUSTOM_ROWS; i++) {
        struct tdict *row = tdict_add_section(d, "ROW");
        tdict_set_long(row, "N", (long)i + 1);
        tdict_set(row, "AMOUNT", in->row_amount[i].ptr ? in->row_amount[i] : STR(""));
        tdict_set(row, "DATE", in->row_date[i].ptr ? in->row_date[i] : STR(""));
        const char *ma = e ? field_error_of(e, row_field(r, "amount", i)) : NULL;
        const char *md = e ? field_error_of(e, row_field(r, "date", i)) : NULL;
        if (ma) tdict_set_cstr(tdict_add_section(row, "E_AMOUNT"), "MSG", ma);
        if (md) tdict_set_cstr(tdict_add_section(row, "E_DATE"), "MSG", md);
        if (ma || md) tdict_show(row, "ROW_ERROR");
    }
    /* E_PAYMENTS (the sum rule) and E_MODE come from form_errors. */
}

/* form_render_fn: the schedule form (ctx a struct sched_form). */
static int render_form(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct sched_form *f = ctx;
    struct tdict *d = page_dict(r, "Installment schedule", "deals/installments_form.tpl");
    tdict_set(d, "DEAL_ID", f->deal->id);
    tdict_set(d, "DEAL_TITLE", f->deal->title);
    long value = 0;
    str_to_long(f->deal->value_minor, &value);
    tdict_set_cstr(d, "VALUE", deal_money_text(r, value, str_trim(f->deal->currency), true));
    tdict_set(d, "CURRENCY", str_trim(f->deal->currency));
    if (f->existing) {
        struct tdict *x = tdict_add_section(d, "EXISTING");
        tdict_set_long(x, "COUNT", f->existing);
        if (str_eq_cstr(f->in->replace, "true") || str_eq_cstr(f->in->replace, "1")) tdict_show(x, "REPLACE_CHECKED");
    }
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    fill_form(r, d, f, e);
    return page_render(r, status, d);
}

/* ---- writes ---- */

enum { EX_COUNT, EX_PAID };

/* Payments of the deal's current schedule: how many, and how many have money on them. */
static int existing_schedule(struct request *r, str deal_id, int *count, int *paid)
{
    struct dbres *q = db_q(r->db, r->arena, "installments_existing",
                           "SELECT count(*), count(*) FILTER (WHERE paid_minor > 0) FROM payments"
                           " WHERE org_id = app_org_id() AND deal_id = $1::uuid AND installment_no IS NOT NULL"
                           " AND deleted_at IS NULL", str_cstr(r->arena, deal_id));
    if (!q) return app_db_status(r);
    *count = (int)db_long(q, 0, EX_COUNT);
    *paid = (int)db_long(q, 0, EX_PAID);
    return 0;
}

/* Removes (soft deletes) the unpaid schedule being replaced, with a history row each. */
static int drop_schedule(struct request *r, str deal_id)
{
    struct dbres *q = db_q(r->db, r->arena, "installments_drop",
                           "UPDATE payments SET deleted_at = now(), version = version + 1, updated_at = now()"
                           " WHERE org_id = app_org_id() AND deal_id = $1::uuid AND installment_no IS NOT NULL"
                           " AND deleted_at IS NULL RETURNING id", str_cstr(r->arena, deal_id));
    if (!q) return app_db_status(r);
    for (int i = 0; i < db_rows(q); i++) {
        int st = deal_history_event(r, "payment", db_val(q, i, 0), "delete");
        if (st) return st;
    }
    return 0;
}

/* Writes the whole schedule; any failure fails the request, whose transaction then
 * rolls back every payment written before it. */
static int sched_write(struct request *r, const struct deal_row *deal, const struct sched_in *in, bool replace,
                       int existing, struct json_object *out)
{
    struct org_clock c;
    int st = org_clock_load(r, &c);
    if (!st && replace && existing) st = drop_schedule(r, deal->id);
    for (size_t i = 0; !st && i < in->n; i++) {
        struct installment_in p = { .amount_minor = in->amounts[i], .currency = str_trim(deal->currency),
                                    .expected_at = in->dates[i], .method = in->method,
                                    .number = (int64_t)i + 1, .count = (int64_t)in->n };
        struct json_object *one = NULL;
        st = payment_add_installment(r, &c, deal->id, &p, out ? &one : NULL);
        if (!st && out) json_object_array_add(out, one);
    }
    return st;
}

/* The shared path of the page and the JSON: 0 when written, else a status or REPLIED. */
static int sched_create(struct request *r, struct deal_row *deal, struct sched_in *in, struct json_object *out)
{
    long value = 0;
    str_to_long(deal->value_minor, &value);
    if (value <= 0) {
        app_error(r, 409, "The deal has no value to split; set its value first.", NULL);
        return REPLIED;
    }
    int existing = 0, paid = 0;
    int st = existing_schedule(r, deal->id, &existing, &paid);
    if (st) return st;
    struct field_errors e = { 0 };
    sched_read(r, deal, value, in, &e);
    bool replace = str_eq_cstr(in->replace, "true") || str_eq_cstr(in->replace, "1");
    if (e.n)
        return field_errors_reply(r, "Some fields are not valid.", &e, render_form, &(struct sched_form){ deal, in, existing });
    if (existing && !replace) {
        app_error(r, 409, "This deal already has an installment schedule. Edit its payments, or replace the schedule.", NULL);
        return REPLIED;
    }
    if (existing && paid) {
        app_error(r, 409, "The current schedule has payments received; it cannot be replaced. Edit its payments instead.", NULL);
        return REPLIED;
    }
    return sched_write(r, deal, in, replace, existing, out);
}

/* GET /deals/{id}/installments/new — the schedule form. */
int installments_new_form(struct request *r)
{
    struct deal_row deal;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &deal);
    int existing = 0, paid = 0;
    if (st || (st = existing_schedule(r, deal.id, &existing, &paid))) return st;
    struct sched_in in = { .mode = STR("equal"), .method = STR(""), .count = STR("3"), .first_date = STR(""),
                           .interval = STR("monthly"), .remainder = STR("last"), .replace = STR("") };
    return render_form(r, 200, NULL, &(struct sched_form){ &deal, &in, existing });
}

/* POST /deals/{id}/installments (page) — mode, method, count, first_date, interval,
 * remainder, or the custom rows amount_N / date_N; replace to swap an unpaid schedule. */
int installments_create(struct request *r)
{
    struct deal_row deal;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &deal);
    if (st) return st;
    struct sched_in in = { 0 };
    if ((st = sched_create(r, &deal, &in, NULL))) return st;
    struct buf b;
    buf_init(&b, r->arena, 64);
    buf_printf(&b, "Installment schedule of %zu payments created.", in.n);
    return redirect_see_other(r, deal_href(r, deal.id), "ok", buf_cstr(&b));
}

/* POST /api/v1/deals/{id}/installments — as the page; custom rows as "payments":
 * [{"amount_minor", "expected_at"}]. 201 with the schedule. */
int api_installments_create(struct request *r)
{
    struct deal_row deal;
    int st = deal_load_for_write(r, req_path_param(r, "id"), -1, &deal);
    if (st) return st;
    struct sched_in in = { 0 };
    struct json_object *made = json_object_new_array();
    st = sched_create(r, &deal, &in, made);
    json_object_put(made);
    if (st) return st;
    struct org_clock c;
    struct dbres *q = schedule_load(r, deal.id);
    if (!q) return app_db_status(r);
    if ((st = org_clock_load(r, &c))) return st;
    json_reply_data(r, 201, schedule_json(q, &deal, &c));
    return 0;
}

/* GET /api/v1/deals/{id}/installments — the schedule and whether it adds up. */
int api_installments_show(struct request *r)
{
    str id = req_path_param(r, "id");
    struct deal_row deal;
    int st = deal_readable(r, id);
    if (st || (st = deal_load(r, id, false, &deal))) return st;
    struct org_clock c;
    struct dbres *q = schedule_load(r, deal.id);
    if (!q) return app_db_status(r);
    if ((st = org_clock_load(r, &c))) return st;
    json_reply_data(r, 200, schedule_json(q, &deal, &c));
    return 0;
}

/* ---- the deal page's section ---- */

int installments_fill_page(struct request *r, struct tdict *d, str deal_id, str value_minor, str currency, bool writable)
{
    struct tdict *s = tdict_include(d, "INSTALLMENTS", "deals/installments_section.tpl");
    tdict_set(s, "ID", deal_id);
    if (writable) tdict_show(s, "CAN_WRITE");
    struct dbres *q = schedule_load(r, deal_id);
    if (!q) return app_db_status(r);
    tdict_set_cstr(s, "NEW_LABEL", db_rows(q) ? "Replace schedule" : "Split into installments");
    if (!db_rows(q)) {
        tdict_show(s, "NO_SCHEDULE");
        return 0;
    }
    struct org_clock c;
    int st = org_clock_load(r, &c);
    if (st) return st;
    currency = str_trim(currency);
    struct tdict *t = tdict_add_section(s, "SCHEDULE");
    for (int i = 0; i < db_rows(q); i++) {
        struct tdict *row = tdict_add_section(t, "INST");
        tdict_set(row, "P_ID", db_val(q, i, SC_ID));
        tdict_set_long(row, "NO", db_long(q, i, SC_NO));
        tdict_set_long(row, "OF", db_long(q, i, SC_COUNT));
        tdict_set(row, "DUE", db_val(q, i, SC_EXPECTED));
        tdict_set_cstr(row, "AMOUNT", deal_money_text(r, db_long(q, i, SC_AMOUNT), db_val(q, i, SC_CURRENCY), true));
        str m = db_val(q, i, SC_METHOD);
        const char *label = "not set";
        for (int k = 0; k < PAYMENT_METHOD_COUNT; k++)
            if (str_eq_cstr(m, payment_method_options[k].value)) label = payment_method_options[k].label;
        tdict_set_cstr(row, "METHOD", label);
        tdict_set_cstr(row, "STATUS", status_of(q, i, &c));
        if (writable) tdict_show(row, "ROW_WRITE");
    }
    long value = 0;
    str_to_long(value_minor, &value);
    int64_t total = schedule_total(q);
    tdict_set_cstr(t, "TOTAL", deal_money_text(r, total, currency, true));
    tdict_set_cstr(t, "DEAL_VALUE", deal_money_text(r, value, currency, true));
    if (total == value) {
        tdict_show(t, "ADDS_UP");
    } else {
        struct tdict *x = tdict_add_section(t, "DIFFERS");
        int64_t diff = total - value;
        tdict_set_cstr(x, "DIFF", deal_money_text(r, diff < 0 ? -diff : diff, currency, true));
        tdict_set_cstr(x, "WAY", diff < 0 ? "short of" : "over");
    }
    return 0;
}
