/* deal_children.c — form/JSON input, field errors and the org clock shared by the
 * brand, deliverable, payment and forecast handlers. */
#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../../domain/fx.h"
#include "../../domain/money.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "deal_children.h"

void child_error(struct child_errors *e, const char *field, const char *message)
{
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->field[i], field) == 0) return;
    if (e->n >= CHILD_MAX_ERRORS) return;
    e->field[e->n] = field;
    e->message[e->n] = message;
    e->n++;
}

/* A JSON member as text; objects and arrays are not values of any field here. */
static str json_member_text(struct request *r, const char *key, bool *present, struct child_errors *e)
{
    struct json_object *v;
    if (!json_object_is_type(r->json, json_type_object) || !json_object_object_get_ex(r->json, key, &v)) {
        *present = false;
        return STR("");
    }
    *present = true;
    switch (json_object_get_type(v)) {
    case json_type_null: return STR("");
    case json_type_string: return str_make(json_object_get_string(v), (size_t)json_object_get_string_len(v));
    case json_type_int:
    case json_type_boolean:
    case json_type_double: return str_dup(r->arena, str_from(json_object_get_string(v)));
    default: child_error(e, key, "Must be a string or a number."); return STR("");
    }
}

str child_in(struct request *r, const char *key, bool *present, struct child_errors *e)
{
    bool dummy;
    if (!present) present = &dummy;
    if (r->json) return json_member_text(r, key, present, e);
    const str *v = kvlist_get(&r->form, key);
    *present = v != NULL;
    return v ? *v : STR("");
}

static void upper_key(char *out, size_t cap, const char *prefix, const char *field)
{
    size_t k = 0;
    for (const char *p = prefix; *p && k + 1 < cap; p++) out[k++] = *p;
    for (const char *p = field; *p && k + 1 < cap; p++) out[k++] = (char)toupper((unsigned char)*p);
    out[k] = '\0';
}

void child_errors_to_dict(struct tdict *d, const struct child_errors *e)
{
    if (e->n) tdict_show(d, "FORM_ERROR");
    for (int i = 0; i < e->n; i++) {
        char key[64];
        upper_key(key, sizeof key, "E_", e->field[i]);
        tdict_set_cstr(tdict_add_section(d, key), "MSG", e->message[i]);
    }
}

int child_errors_reply(struct request *r, const struct child_errors *e)
{
    struct json_object *fields = json_object_new_object();
    for (int i = 0; i < e->n; i++) json_add_cstr(fields, e->field[i], e->message[i]);
    app_error(r, 400, e->n ? e->message[0] : "The request is not valid.", fields);
    return 0;
}

void child_set_value(struct tdict *d, const char *field, str value)
{
    char key[64];
    upper_key(key, sizeof key, "V_", field);
    tdict_set(d, key, value);
}

bool child_valid_date(str s)
{
    int64_t day;
    return civil_parse_date(s, &day);
}

static bool digits(str s, size_t at, size_t n)
{
    if (at + n > s.len) return false;
    for (size_t i = at; i < at + n; i++)
        if (!isdigit((unsigned char)s.ptr[i])) return false;
    return true;
}

/* Two digits at `at` as a number (digits checked by the caller). */
static int two(str s, size_t at) { return (s.ptr[at] - '0') * 10 + (s.ptr[at + 1] - '0'); }

bool child_valid_datetime(str s)
{
    if (s.len < 16 || !child_valid_date(str_make(s.ptr, 10))) return false;
    if ((s.ptr[10] != 'T' && s.ptr[10] != ' ') || !digits(s, 11, 2) || s.ptr[13] != ':' || !digits(s, 14, 2))
        return false;
    if (two(s, 11) > 23 || two(s, 14) > 59) return false;
    size_t i = 16;
    if (i < s.len && s.ptr[i] == ':') {
        if (!digits(s, i + 1, 2) || two(s, i + 1) > 59) return false;
        i += 3;
    }
    if (i == s.len) return true;
    if (s.ptr[i] == 'Z') return i + 1 == s.len;
    if (s.ptr[i] != '+' && s.ptr[i] != '-') return false;
    if (!digits(s, i + 1, 2) || two(s, i + 1) > 14) return false;
    i += 3;
    if (i == s.len) return true;
    if (s.ptr[i] == ':') i++;
    return digits(s, i, 2) && i + 2 == s.len && two(s, i) <= 59;
}

bool child_valid_url(str s)
{
    str rest;
    if (str_starts_with(s, STR("https://"))) rest = str_make(s.ptr + 8, s.len - 8);
    else if (str_starts_with(s, STR("http://"))) rest = str_make(s.ptr + 7, s.len - 7);
    else return false;
    if (rest.len == 0 || s.len > 2048 || rest.ptr[0] == '/') return false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c <= 0x20 || c == 0x7f) return false;
    }
    return true;
}

int org_clock_load(struct request *r, struct org_clock *c)
{
    struct dbres *q = db_q0(r->db, r->arena, "deal_children_org_clock",
                            "SELECT extract(epoch FROM now())::bigint,"
                            " extract(epoch FROM (now() AT TIME ZONE o.timezone) - (now() AT TIME ZONE 'UTC'))::int,"
                            " o.currency FROM orgs o WHERE o.id = app_org_id()");
    if (!q) return child_db_status(r);
    if (db_rows(q) != 1) return 503;
    c->now = db_long(q, 0, 0);
    c->utc_offset_s = (int32_t)db_long(q, 0, 1);
    c->today = civil_day_of(c->now, c->utc_offset_s);
    c->currency = str_trim(db_val(q, 0, 2));
    return 0;
}

int child_db_status(struct request *r) { return db_error_http_status(db_last_error(r->db)); }

str child_long_str(struct request *r, long v)
{
    char t[24];
    snprintf(t, sizeof t, "%ld", v);
    return str_dup(r->arena, str_from(t));
}

int child_fx_rates_load(struct request *r, const struct currency *org, struct fx_rate **rates, size_t *n)
{
    *rates = NULL;
    *n = 0;
    struct dbres *q = db_q(r->db, r->arena, "deal_children_fx_rates",
                           "SELECT base, rate::text, as_of::text FROM fx_rates WHERE org_id = app_org_id() AND quote = $1",
                           org->code);
    if (!q) return child_db_status(r);
    *rates = arena_alloc(r->arena, sizeof **rates * (size_t)(db_rows(q) + 1));
    for (int i = 0; i < db_rows(q); i++) {
        struct fx_rate *x = &(*rates)[*n];
        x->base = money_currency(str_trim(db_val(q, i, 0)));
        x->quote = org;
        if (x->base && fx_rate_parse(db_val(q, i, 1), &x->rate_e8) && civil_parse_date(db_val(q, i, 2), &x->as_of_day))
            (*n)++;
    }
    return 0;
}

void money_total_add(struct money_total *t, const struct fx_rate *rates, size_t n, int64_t day,
                     const struct currency *org, const struct currency *cur, int64_t minor)
{
    struct fx_result res;
    if (cur && fx_convert_with(rates, n, minor, cur, org, day, &res)) {
        t->org_minor += res.amount_minor;
        return;
    }
    for (size_t i = 0; i < t->n_other; i++)
        if (t->other_cur[i] == cur) {
            t->other_minor[i] += minor;
            return;
        }
    if (t->n_other < MONEY_TOTAL_OTHERS) {
        t->other_cur[t->n_other] = cur;
        t->other_minor[t->n_other++] = minor;
    }
}

str money_total_text(struct request *r, const struct money_total *t, const struct currency *org)
{
    struct buf b;
    buf_init(&b, r->arena, 48);
    money_format_display(&b, t->org_minor, org);
    for (size_t i = 0; i < t->n_other; i++) {
        if (!t->other_cur[i]) continue;
        buf_puts(&b, " + ");
        money_format_display(&b, t->other_minor[i], t->other_cur[i]);
    }
    if (t->n_other) buf_puts(&b, " (no rate)");
    return buf_str(&b);
}

bool child_one_of(str v, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq_cstr(v, set[i])) return true;
    return false;
}

void child_fill_select(struct tdict *d, const char *section, const char *const *opts, size_t n, str current)
{
    for (size_t i = 0; i < n; i++) {
        struct tdict *o = tdict_add_section(d, section);
        tdict_set_cstr(o, "OPT", opts[i]);
        if (str_eq_cstr(current, opts[i])) tdict_show(o, "SELECTED");
    }
}

bool child_read_version(struct request *r, long *version, bool required, struct child_errors *e)
{
    bool present;
    str v = child_in(r, "version", &present, e);
    *version = -1;
    if (!present && !required) return true;
    if (!str_to_long(str_trim(v), version) || *version < 1) {
        child_error(e, "version", "Send the version the change is based on.");
        return false;
    }
    return true;
}

const char *child_deal_href(struct request *r, str deal_id)
{
    struct buf b;
    buf_init(&b, r->arena, 64);
    buf_puts(&b, "/deals/");
    buf_put(&b, deal_id);
    return buf_cstr(&b);
}

void child_json_nullable(struct json_object *o, const char *key, const struct dbres *q, int row, int col)
{
    json_add_str(o, key, db_isnull(q, row, col) ? STR_NULL : db_val(q, row, col));
}
