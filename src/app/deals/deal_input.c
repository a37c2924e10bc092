/* deal_input.c — collecting and validating a deal's editable fields (deal_input.h). */
#include "deal_input.h"

#include <json-c/json.h>
#include <stdio.h>

#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../../domain/deal_stage.h"
#include "../../domain/exclusivity.h"
#include "../../domain/money.h"
#include "../app.h"
#include "../common/input.h"
#include "../common/org_clock.h"

const char *const deal_field_names[DF_COUNT] = {
    "title", "brand_id", "owner_id", "stage", "contract_status", "deal_type", "value", "currency",
    "usage_rights_start", "usage_rights_end", "exclusivity_category", "exclusivity_platforms",
    "exclusivity_start", "exclusivity_end", "revision_limit", "revisions_used", "revision_extra_fee",
    "next_action", "next_action_due_at", "tags", "categories", "affiliate_code", "archived",
};

#define LABELS_MAX 50
#define LABEL_CHARS 50
#define AFFILIATE_CHARS 200

/* ---- collecting ---- */

static str form_value(struct request *r, const char *key)
{
    const str *v = kvlist_get(&r->form, key);
    return v ? *v : STR("");
}

/* Every value of a repeated form field, comma-joined. */
static str form_joined(struct request *r, const char *key)
{
    struct buf b;
    buf_init(&b, r->arena, 64);
    for (size_t i = 0; i < r->form.n; i++) {
        if (!str_eq_cstr(r->form.items[i].key, key)) continue;
        if (b.len) buf_putc(&b, ',');
        buf_put(&b, r->form.items[i].val);
    }
    return buf_str(&b);
}

void deal_input_from_form(struct request *r, struct deal_input *in)
{
    *in = (struct deal_input){ .version = -1 };
    for (int i = 0; i < DF_COUNT; i++) in->raw[i] = form_value(r, deal_field_names[i]);
    in->raw[DF_EX_PLAT] = form_joined(r, "exclusivity_platforms");
    in->raw[DF_ARCHIVED] = kvlist_get(&r->form, "archived") ? STR("true") : STR("false");
    /* The stored code is never sent to the form: empty keeps it, the box removes it. */
    in->aff = in->raw[DF_AFFILIATE].len ? AFF_SET : kvlist_get(&r->form, "remove_affiliate_code") ? AFF_CLEAR : AFF_KEEP;
    long v;
    const str *ver = kvlist_get(&r->form, "version");
    if (ver && str_to_long(str_trim(*ver), &v)) in->version = v;
}

/* ["a","b"] → "a, b". */
static str json_list_text(struct arena *a, str json, const char *sep)
{
    struct buf b;
    buf_init(&b, a, json.len + 8);
    struct json_object *arr = json_tokener_parse(str_cstr(a, json));
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        if (i) buf_puts(&b, sep);
        buf_puts(&b, json_object_get_string(json_object_array_get_idx(arr, i)));
    }
    if (arr) json_object_put(arr);
    return buf_str(&b);
}

static str money_text(struct arena *a, str minor, str currency)
{
    long v;
    const struct currency *cur = money_currency(currency);
    if (!cur || !str_to_long(minor, &v)) return minor;
    struct buf b;
    buf_init(&b, a, 24);
    money_format_plain(&b, v, cur);
    return buf_str(&b);
}

void deal_input_from_row(struct request *r, const struct deal_row *d, str next_due, struct deal_input *in)
{
    struct arena *a = r->arena;
    *in = (struct deal_input){ .version = -1, .aff = AFF_KEEP };
    str *v = in->raw;
    v[DF_TITLE] = d->title, v[DF_BRAND] = d->brand_id, v[DF_OWNER] = d->owner_id, v[DF_STAGE] = d->stage;
    v[DF_CONTRACT] = d->contract_status, v[DF_TYPE] = d->deal_type, v[DF_CURRENCY] = d->currency;
    v[DF_VALUE] = money_text(a, d->value_minor, d->currency);
    v[DF_UR_START] = d->usage_rights_start, v[DF_UR_END] = d->usage_rights_end;
    v[DF_EX_CAT] = d->exclusivity_category, v[DF_EX_PLAT] = json_list_text(a, d->exclusivity_platforms, ",");
    v[DF_EX_START] = d->exclusivity_start, v[DF_EX_END] = d->exclusivity_end;
    v[DF_REV_LIMIT] = d->revision_limit, v[DF_REV_USED] = d->revisions_used;
    v[DF_REV_FEE] = money_text(a, d->revision_extra_fee_minor, d->currency);
    v[DF_NEXT] = d->next_action, v[DF_NEXT_DUE] = next_due;
    v[DF_TAGS] = json_list_text(a, d->tags, ", "), v[DF_CATEGORIES] = json_list_text(a, d->categories, ", ");
    v[DF_AFFILIATE] = STR("");
    v[DF_ARCHIVED] = d->archived ? STR("true") : STR("false");
}

/* ---- JSON overlay ---- */

static void set_err(struct deal_input *in, enum deal_field f, const char *msg)
{
    field_error_add(&in->errs, deal_field_names[f], msg);
}

static bool has_err(const struct deal_input *in, enum deal_field f)
{
    return field_error_of(&in->errs, deal_field_names[f]) != NULL;
}

/* A string or null member into raw[f] ("" for null). */
static void json_text(struct request *r, struct deal_input *in, struct json_object *o, enum deal_field f)
{
    if (!o) {
        in->raw[f] = STR("");
        return;
    }
    if (json_object_is_type(o, json_type_string)) in->raw[f] = str_dup(r->arena, str_from(json_object_get_string(o)));
    else set_err(in, f, "must be a string or null");
}

static void json_int(struct request *r, struct deal_input *in, struct json_object *o, enum deal_field f)
{
    if (!o) in->raw[f] = STR("");
    else if (json_object_is_type(o, json_type_int)) in->raw[f] = str_of_long(r->arena, (long)json_object_get_int64(o));
    else set_err(in, f, "must be a whole number or null");
}

/* An array of strings → "a,b"; a label holding a comma could not be told apart. */
static void json_labels(struct request *r, struct deal_input *in, struct json_object *o, enum deal_field f)
{
    if (!o || !json_object_is_type(o, json_type_array)) {
        set_err(in, f, "must be an array of strings");
        return;
    }
    struct buf b;
    buf_init(&b, r->arena, 64);
    for (size_t i = 0; i < json_object_array_length(o); i++) {
        struct json_object *s = json_object_array_get_idx(o, i);
        if (!s || !json_object_is_type(s, json_type_string) || strchr(json_object_get_string(s), ',')) {
            set_err(in, f, "must be an array of strings without commas");
            return;
        }
        if (i) buf_putc(&b, ',');
        buf_puts(&b, json_object_get_string(s));
    }
    in->raw[f] = buf_str(&b);
}

/* value: {"amount_minor": int >= 0, "currency": "USD"}; the amount is shown as text
 * so that it is checked by the same money rule as the form's. */
static void json_money(struct request *r, struct deal_input *in, struct json_object *o, enum deal_field f,
                       bool with_currency)
{
    struct json_object *amt, *cur;
    if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "amount_minor", &amt) ||
        !json_object_is_type(amt, json_type_int)) {
        set_err(in, f, "must be an object with an integer amount_minor");
        return;
    }
    if (with_currency && json_object_object_get_ex(o, "currency", &cur)) json_text(r, in, cur, DF_CURRENCY);
    const struct currency *c = money_currency(in->raw[DF_CURRENCY]);
    int64_t v = json_object_get_int64(amt);
    struct buf b;
    buf_init(&b, r->arena, 24);
    if (c) money_format_plain(&b, v, c);
    else buf_printf(&b, "%lld", (long long)v);
    in->raw[f] = buf_str(&b);
}

static void json_exclusivity(struct request *r, struct deal_input *in, struct json_object *o)
{
    static const enum deal_field parts[] = { DF_EX_CAT, DF_EX_START, DF_EX_END };
    static const char *const keys[] = { "category", "start", "end" };
    for (int i = 0; i < 3; i++) in->raw[parts[i]] = STR("");
    in->raw[DF_EX_PLAT] = STR("");
    if (!o) return;
    if (!json_object_is_type(o, json_type_object)) {
        set_err(in, DF_EX_CAT, "must come in an exclusivity object (or exclusivity null)");
        return;
    }
    struct json_object *m;
    for (int i = 0; i < 3; i++)
        if (json_object_object_get_ex(o, keys[i], &m)) json_text(r, in, m, parts[i]);
    if (json_object_object_get_ex(o, "platforms", &m)) json_labels(r, in, m, DF_EX_PLAT);
}

void deal_input_from_json(struct request *r, struct deal_input *in)
{
    static const enum deal_field texts[] = { DF_TITLE, DF_BRAND, DF_OWNER, DF_STAGE, DF_CONTRACT, DF_TYPE,
                                             DF_UR_START, DF_UR_END, DF_NEXT, DF_NEXT_DUE };
    struct json_object *root = r->json, *m;
    if (!root || !json_object_is_type(root, json_type_object)) {
        set_err(in, DF_TITLE, "must be sent in a JSON object");
        return;
    }
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        if (json_object_object_get_ex(root, deal_field_names[texts[i]], &m)) json_text(r, in, m, texts[i]);
    if (json_object_object_get_ex(root, "value", &m)) json_money(r, in, m, DF_VALUE, true);
    if (json_object_object_get_ex(root, "revision_extra_fee", &m)) json_money(r, in, m, DF_REV_FEE, false);
    if (json_object_object_get_ex(root, "exclusivity", &m)) json_exclusivity(r, in, m);
    if (json_object_object_get_ex(root, "revision_limit", &m)) json_int(r, in, m, DF_REV_LIMIT);
    if (json_object_object_get_ex(root, "revisions_used", &m)) json_int(r, in, m, DF_REV_USED);
    if (json_object_object_get_ex(root, "tags", &m)) json_labels(r, in, m, DF_TAGS);
    if (json_object_object_get_ex(root, "categories", &m)) json_labels(r, in, m, DF_CATEGORIES);
    if (json_object_object_get_ex(root, "archived", &m)) {
        if (m && json_object_is_type(m, json_type_boolean)) in->raw[DF_ARCHIVED] = json_object_get_boolean(m) ? STR("true") : STR("false");
        else set_err(in, DF_ARCHIVED, "must be true or false");
    }
    if (json_object_object_get_ex(root, "affiliate_code", &m)) {
        json_text(r, in, m, DF_AFFILIATE);
        in->aff = in->raw[DF_AFFILIATE].len ? AFF_SET : AFF_CLEAR;
    }
    if (json_object_object_get_ex(root, "version", &m)) {
        if (m && json_object_is_type(m, json_type_int)) in->version = (long)json_object_get_int64(m);
        else in->version = -2; /* present but unusable: never matches a stored version */
    }
}

/* ---- validation ---- */

static const char *cstr(struct request *r, str s) { return str_cstr(r->arena, s); }

static bool one_of(str v, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq_cstr(v, names[i])) return true;
    return false;
}

static void check_text(struct request *r, struct deal_input *in, enum deal_field f, size_t min, size_t max,
                       const char *msg)
{
    str v = str_trim(in->raw[f]);
    size_t n = utf8_length(v);
    if (n < min || n > max) set_err(in, f, msg);
    in->p[f] = cstr(r, v);
}

static void check_enums(struct request *r, struct deal_input *in)
{
    static const char *const contracts[] = { "none", "requested", "drafted", "sent", "signed", "terminated" };
    static const char *const types[] = { "fixed", "affiliate", "performance_bonus", "hybrid" };
    enum deal_stage st;
    str stage = in->raw[DF_STAGE].len ? in->raw[DF_STAGE] : STR("inbound");
    if (!deal_stage_parse(stage, &st)) set_err(in, DF_STAGE, "must be a stage from the list");
    in->p[DF_STAGE] = cstr(r, stage);
    str c = in->raw[DF_CONTRACT].len ? in->raw[DF_CONTRACT] : STR("none");
    if (!one_of(c, contracts, 6)) set_err(in, DF_CONTRACT, "must be a contract status from the list");
    in->p[DF_CONTRACT] = cstr(r, c);
    str t = in->raw[DF_TYPE].len ? in->raw[DF_TYPE] : STR("fixed");
    if (!one_of(t, types, 4)) set_err(in, DF_TYPE, "must be a deal type from the list");
    in->p[DF_TYPE] = cstr(r, t);
    in->p[DF_ARCHIVED] = str_eq_cstr(in->raw[DF_ARCHIVED], "true") ? "t" : "f";
}

/* money_error_message's sentences as field messages (phrases after the field's
 * name, as every message of the deals core). */
static const char *money_message(enum money_error e)
{
    switch (e) {
    case MONEY_EMPTY: return "must be an amount";
    case MONEY_NEGATIVE: return "must not be negative";
    case MONEY_GROUPING: return "must have commas every three digits, like 1,234,567";
    case MONEY_DECIMALS: return "must have at most 2 decimals";
    case MONEY_OVERFLOW: return "must be a smaller amount";
    default: return "must be an amount like 1,234.50";
    }
}

static void check_amount(struct request *r, struct deal_input *in, enum deal_field f, const struct currency *cur)
{
    str v = str_trim(in->raw[f]);
    if (!v.len && f == DF_REV_FEE) v = STR("0");
    int64_t minor;
    enum money_error e = cur ? money_parse(v, cur, &minor) : MONEY_UNKNOWN_CURRENCY;
    if (e == MONEY_UNKNOWN_CURRENCY) return; /* reported on currency */
    if (e != MONEY_OK) set_err(in, f, money_message(e));
    else in->p[f] = cstr(r, str_of_long(r->arena, (long)minor));
}

static void check_money(struct request *r, struct deal_input *in, str default_currency)
{
    str code = str_trim(in->raw[DF_CURRENCY]);
    if (!code.len) code = default_currency;
    in->raw[DF_CURRENCY] = code;
    const struct currency *cur = money_currency(code);
    if (!cur) set_err(in, DF_CURRENCY, "must be one of USD, EUR, GBP, INR");
    in->p[DF_CURRENCY] = cstr(r, code);
    if (!str_trim(in->raw[DF_VALUE]).len) set_err(in, DF_VALUE, "must be given (0 if not agreed yet)");
    else check_amount(r, in, DF_VALUE, cur);
    check_amount(r, in, DF_REV_FEE, cur);
}

/* An optional date; returns its day number or INT64_MIN when empty/bad. */
static int64_t check_date(struct request *r, struct deal_input *in, enum deal_field f)
{
    str v = str_trim(in->raw[f]);
    int64_t day;
    if (!v.len) return INT64_MIN;
    if (v.len != 10 || !civil_parse_date(v, &day)) {
        set_err(in, f, "must be a date like 2025-03-31");
        return INT64_MIN;
    }
    in->p[f] = cstr(r, v);
    return day;
}

static void check_window(struct request *r, struct deal_input *in, enum deal_field s, enum deal_field e)
{
    int64_t a = check_date(r, in, s), b = check_date(r, in, e);
    if (a != INT64_MIN && b != INT64_MIN && b < a) set_err(in, e, "must not be before the start");
}

/* "a, b ,a" → ["a","b"] (trimmed, de-duplicated); limits as 0008's deal_labels_ok. */
static const char *labels_json(struct request *r, struct deal_input *in, enum deal_field f, str text)
{
    struct json_object *arr = json_object_new_array();
    str rest = text, item;
    while (rest.len) {
        str_cut(rest, ',', &item, &rest);
        item = str_trim(item);
        if (!item.len) continue;
        if (utf8_length(item) > LABEL_CHARS) set_err(in, f, "must be labels of at most 50 characters each");
        bool dup = false;
        for (size_t i = 0; i < json_object_array_length(arr) && !dup; i++)
            dup = str_eq_cstr(item, json_object_get_string(json_object_array_get_idx(arr, i)));
        if (!dup) json_object_array_add(arr, json_object_new_string_len(item.ptr, (int)item.len));
    }
    if (json_object_array_length(arr) > LABELS_MAX) set_err(in, f, "must be at most 50 labels");
    const char *out = arena_strdup(r->arena, json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
    json_object_put(arr);
    return out;
}

static void check_exclusivity(struct request *r, struct deal_input *in)
{
    str cat = str_trim(in->raw[DF_EX_CAT]);
    bool any = cat.len || str_trim(in->raw[DF_EX_PLAT]).len || str_trim(in->raw[DF_EX_START]).len ||
               str_trim(in->raw[DF_EX_END]).len;
    in->p[DF_EX_PLAT] = labels_json(r, in, DF_EX_PLAT, in->raw[DF_EX_PLAT]);
    if (!any) return;
    if (!cat.len || utf8_length(cat) > 100) set_err(in, DF_EX_CAT, "must be 1 to 100 characters for an exclusivity clause");
    in->p[DF_EX_CAT] = cstr(r, cat);
    struct json_object *arr = json_tokener_parse(in->p[DF_EX_PLAT]);
    size_t n = arr ? json_object_array_length(arr) : 0;
    for (size_t i = 0; i < n; i++)
        if (!exclusivity_platform_bit(str_from(json_object_get_string(json_object_array_get_idx(arr, i)))))
            set_err(in, DF_EX_PLAT, "must be from instagram, youtube, tiktok, other");
    if (arr) json_object_put(arr);
    if (!n) set_err(in, DF_EX_PLAT, "must name at least one platform for an exclusivity clause");
    if (!str_trim(in->raw[DF_EX_START]).len) set_err(in, DF_EX_START, "must be given for an exclusivity clause");
    if (!str_trim(in->raw[DF_EX_END]).len) set_err(in, DF_EX_END, "must be given for an exclusivity clause");
    check_window(r, in, DF_EX_START, DF_EX_END);
}

static void check_count(struct request *r, struct deal_input *in, enum deal_field f, bool optional)
{
    str v = str_trim(in->raw[f]);
    long n;
    if (!v.len && optional) return;
    if (!v.len) v = STR("0");
    if (!str_to_long(v, &n) || n < 0 || n > 1000) set_err(in, f, "must be a whole number from 0 to 1000");
    else in->p[f] = cstr(r, v);
}

static void check_rest(struct request *r, struct deal_input *in)
{
    check_window(r, in, DF_UR_START, DF_UR_END);
    check_exclusivity(r, in);
    check_count(r, in, DF_REV_LIMIT, true);
    check_count(r, in, DF_REV_USED, false);
    check_text(r, in, DF_NEXT, 0, 500, "must be at most 500 characters");
    str due = str_trim(in->raw[DF_NEXT_DUE]);
    if (due.len && !input_valid_datetime(due)) set_err(in, DF_NEXT_DUE, "must be a date and time like 2025-03-31T17:00");
    in->p[DF_NEXT_DUE] = due.len ? cstr(r, due) : NULL;
    in->p[DF_TAGS] = labels_json(r, in, DF_TAGS, in->raw[DF_TAGS]);
    in->p[DF_CATEGORIES] = labels_json(r, in, DF_CATEGORIES, in->raw[DF_CATEGORIES]);
    if (in->aff == AFF_SET && utf8_length(in->raw[DF_AFFILIATE]) > AFFILIATE_CHARS)
        set_err(in, DF_AFFILIATE, "must be at most 200 characters");
}

enum ref_col { REF_BRAND_OK, REF_OWNER_OK };

/* Brand and owner must be live rows of this org; an agent's deal stays theirs (an agent
 * edits only the deals assigned to them and cannot hand one over). */
static int check_refs(struct request *r, struct deal_input *in)
{
    str brand = str_trim(in->raw[DF_BRAND]), owner = str_trim(in->raw[DF_OWNER]);
    in->p[DF_BRAND] = cstr(r, brand);
    in->p[DF_OWNER] = owner.len ? cstr(r, owner) : NULL;
    if (!str_is_uuid(brand)) set_err(in, DF_BRAND, "must be a brand from the list");
    if (owner.len && !str_is_uuid(owner)) set_err(in, DF_OWNER, "must be an owner from the list");
    if (has_err(in, DF_BRAND) || has_err(in, DF_OWNER)) return 0;
    struct dbres *res = db_q(r->db, r->arena, "deal_input_refs",
                             "SELECT EXISTS (SELECT 1 FROM brands WHERE id = $1::uuid AND org_id = app_org_id() AND deleted_at IS NULL),"
                             " $2::uuid IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $2::uuid AND org_id = app_org_id())",
                             in->p[DF_BRAND], in->p[DF_OWNER]);
    if (!res) return app_db_status(r);
    if (!db_bool(res, 0, REF_BRAND_OK)) set_err(in, DF_BRAND, "must be a brand from the list");
    if (!db_bool(res, 0, REF_OWNER_OK)) set_err(in, DF_OWNER, "must be an owner from the list");
    const struct session *s = r->session;
    if (s->role == ROLE_AGENT && !(owner.len && str_eq(owner, s->user_id)))
        set_err(in, DF_OWNER, "must be yourself: agents own the deals they work on");
    return 0;
}

int deal_input_validate(struct request *r, struct deal_input *in)
{
    struct org_clock clock;
    int st = org_clock_load(r, &clock);
    if (st) return -st;
    check_text(r, in, DF_TITLE, 1, 200, "must be 1 to 200 characters");
    check_enums(r, in);
    check_money(r, in, clock.currency);
    check_rest(r, in);
    st = check_refs(r, in);
    return st ? -st : in->errs.n;
}
