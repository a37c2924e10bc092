/* fx_rates.c — the org's exchange rates: the page listing the latest ones with a form
 * to add one, and the JSON twin of that form. Payments convert with these rates. */
#include <json-c/json.h>

#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/fx.h"
#include "../../domain/money.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "deals.h"

static const struct form_option currencies[] = { { "USD", "USD" }, { "EUR", "EUR" }, { "GBP", "GBP" }, { "INR", "INR" } };

/* One rate as the form sends it, and the rate parsed. */
struct fx_in {
    str base, quote, rate, as_of;
    int64_t rate_e8;
};

static void fx_read(struct request *r, struct fx_in *in, struct field_errors *e)
{
    in->base = str_trim(input_value(r, "base", NULL, e));
    in->quote = str_trim(input_value(r, "quote", NULL, e));
    in->rate = str_trim(input_value(r, "rate", NULL, e));
    in->as_of = str_trim(input_value(r, "as_of", NULL, e));
    if (!money_currency(in->base)) field_error_add(e, "base", "must be USD, EUR, GBP or INR");
    if (!money_currency(in->quote)) field_error_add(e, "quote", "must be USD, EUR, GBP or INR");
    else if (str_eq(in->base, in->quote)) field_error_add(e, "quote", "must differ from the base currency");
    if (!fx_rate_parse(in->rate, &in->rate_e8))
        field_error_add(e, "rate", "must be a positive rate with at most 8 decimals, like 1.0842");
    if (!input_valid_date(in->as_of)) field_error_add(e, "as_of", "must be a date (YYYY-MM-DD)");
}

/* The rate as stored: the canonical decimal text of rate_e8. */
static const char *fx_rate_text(struct request *r, const struct fx_in *in)
{
    struct buf b;
    buf_init(&b, r->arena, 24);
    fx_rate_format(&b, in->rate_e8);
    return buf_cstr(&b);
}

/* Inserts or replaces the rate of that pair and day. */
static int fx_save(struct request *r, const struct fx_in *in)
{
    struct dbres *q = db_q(r->db, r->arena, "fx_rate_upsert",
                           "INSERT INTO fx_rates (org_id, base, quote, rate, as_of) VALUES (app_org_id(), $1, $2,"
                           " $3::numeric, $4::date) ON CONFLICT (org_id, base, quote, as_of) DO UPDATE SET rate = EXCLUDED.rate",
                           str_cstr(r->arena, in->base), str_cstr(r->arena, in->quote), fx_rate_text(r, in),
                           str_cstr(r->arena, in->as_of));
    return q ? 0 : app_db_status(r);
}

enum { FXR_BASE, FXR_QUOTE, FXR_RATE, FXR_AS_OF };
#define FX_RECENT_SQL                                                                                \
    "SELECT base, quote, rate::text, as_of::text FROM fx_rates WHERE org_id = app_org_id()"         \
    " ORDER BY as_of DESC, base, quote LIMIT 50"

static void fx_form(struct tdict *d, const struct fx_in *in, const struct field_errors *e)
{
    form_errors(d, e, "form-error", "Some fields need attention; see the messages below.");
    form_select(d, "FIELD_BASE", e, "base", "From (1 unit of)", currencies, 4, in->base, NULL);
    form_select(d, "FIELD_QUOTE", e, "quote", "To", currencies, 4, in->quote, NULL);
    struct tdict *f = form_field(d, "FIELD_RATE", e, "rate", "Rate", "text", in->rate);
    tdict_set_cstr(tdict_add_section(f, "INPUTMODE"), "MODE", "decimal");
    tdict_set_cstr(tdict_add_section(f, "PLACEHOLDER"), "TEXT", "1.0842");
    form_field(d, "FIELD_AS_OF", e, "as_of", "As of", "date", in->as_of);
}

/* The page: the latest rates on file and the form with in's values and e's messages. */
static int render_fx(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct fx_in *in = ctx;
    struct dbres *q = db_q0(r->db, r->arena, "fx_rates_recent", FX_RECENT_SQL);
    if (!q) return app_db_status(r);
    struct tdict *d = page_dict(r, "Exchange rates", "deals/fx_rates.tpl");
    fx_form(d, in, e);
    for (int i = 0; i < db_rows(q); i++) {
        struct tdict *row = tdict_add_section(d, "RATE_ROW");
        tdict_set(row, "BASE", db_val(q, i, FXR_BASE));
        tdict_set(row, "QUOTE", db_val(q, i, FXR_QUOTE));
        tdict_set(row, "RATE", db_val(q, i, FXR_RATE));
        tdict_set(row, "AS_OF", db_val(q, i, FXR_AS_OF));
    }
    if (db_rows(q) == 0) tdict_show(d, "NO_RATES");
    return page_render(r, status, d);
}

/* GET /deals/fx-rates — the rates on file and a form to add one. */
int fx_rates_page(struct request *r)
{
    struct fx_in in = { STR("EUR"), STR("USD"), STR(""), STR(""), 0 };
    return render_fx(r, 200, NULL, &in);
}

static struct json_object *fx_json(struct request *r, const struct fx_in *in)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "base", in->base);
    json_add_str(o, "quote", in->quote);
    json_add_cstr(o, "rate", fx_rate_text(r, in));
    json_add_str(o, "as_of", in->as_of);
    return o;
}

/* POST /deals/fx-rates (and POST /api/v1/fx-rates) — base, quote, rate (decimal
 * text), as_of (date); the same pair and day is replaced. */
int fx_rate_create(struct request *r)
{
    struct fx_in in;
    struct field_errors e = { 0 };
    fx_read(r, &in, &e);
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_fx, &in);
    int st = fx_save(r, &in);
    if (st) return st;
    if (!r->wants_json) return redirect_see_other(r, "/deals/fx-rates", "ok", "Exchange rate saved.");
    json_reply_data(r, 201, fx_json(r, &in));
    return 0;
}
