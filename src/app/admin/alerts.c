/* alerts.c — /admin/alerts: the org's alert rules (error rate, p95 latency, database
 * down, queue age, provider circuit open, recordings disk use; each with a
 * threshold, a window and a cooldown), the channels alerts go to (a Slack-compatible
 * incoming webhook, or email over the org's SMTP server), the alert history and a
 * test alert per channel; pages and JSON under /api/v1/admin/alerts. The rules are
 * evaluated by the alerts_evaluate job and events delivered by alert_deliver jobs
 * (jobs/alerts.c). Admins only (the route table says so). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../jobs/alerts.h"
#include "../../jobs/webhook_delivery.h"
#include "../../providers/smtp.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../app.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "../common/input.h"
#include "admin.h"

#define HISTORY_SHOWN "50" /* the latest events on the page and in the JSON */
#define MAX_RECIPIENTS 20
#define ISO(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"

enum { RU_ID, RU_METRIC, RU_THRESHOLD, RU_WINDOW, RU_COOLDOWN, RU_ENABLED, RU_STATE, RU_LAST_VALUE, RU_LAST_FIRED,
       RU_LAST_EVALUATED, RU_CREATED, RU_VERSION };
#define RULE_COLUMNS                                                                                     \
    "r.id, r.metric, trim_scale(r.threshold)::text, r.window_minutes, r.cooldown_minutes, r.enabled, r.state," \
    " coalesce(round(r.last_value, 3)::text, ''), " ISO("r.last_fired_at") ", " ISO("r.last_evaluated_at") ","  \
    " " ISO("r.created_at") ", r.version"
enum { CH_ID, CH_KIND, CH_NAME, CH_TARGET, CH_ENABLED, CH_CREATED, CH_VERSION };
#define CHANNEL_COLUMNS "c.id, c.kind, c.name, c.target, c.enabled, " ISO("c.created_at") ", c.version"
enum { EV_ID, EV_KIND, EV_METRIC, EV_VALUE, EV_THRESHOLD, EV_MESSAGE, EV_STATUS, EV_DELIVERIES, EV_CREATED, EV_RULE,
       EV_CHANNEL };
#define EVENT_COLUMNS                                                                                      \
    "e.id, e.kind, e.metric, coalesce(round(e.value, 3)::text, ''), coalesce(trim_scale(e.threshold)::text, ''),"\
    " e.message, e.status, e.deliveries::text, " ISO("e.created_at") ", coalesce(e.rule_id::text, ''),"          \
    " coalesce(e.channel_id::text, '')"


/* ---- input ---- */

struct rule_in {
    str metric, threshold, window, cooldown;
    bool enabled;
};

struct channel_in {
    str kind, name, target;
    bool enabled;
};

/* A form's unticked box sends nothing; JSON leaves an absent member as it was. */
static bool read_enabled(struct request *r, bool current, struct field_errors *e)
{
    bool present;
    str v = input_value(r, "enabled", &present, e);
    if (!present) return r->json ? current : false;
    return str_eq_cstr(v, "true") || str_eq_cstr(v, "on") || str_eq_cstr(v, "1");
}

static str read_or(struct request *r, const char *key, str current, struct field_errors *e)
{
    bool present;
    str v = str_trim(input_value(r, key, &present, e));
    return present ? v : current;
}

static bool whole(str s, long lo, long hi, long *out)
{
    return str_to_long(s, out) && *out >= lo && *out <= hi;
}

/* A plain decimal: digits with at most one '.' and three decimals. */
static bool decimal(str s, double *out)
{
    size_t dot = s.len, digits = 0;
    if (!s.len || s.len > 16) return false;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '.' && dot == s.len) dot = i;
        else if (s.ptr[i] >= '0' && s.ptr[i] <= '9') digits++;
        else return false;
    }
    if (!digits || (dot < s.len && s.len - dot - 1 > 3)) return false;
    char tmp[20];
    memcpy(tmp, s.ptr, s.len);
    tmp[s.len] = '\0';
    *out = strtod(tmp, NULL);
    return true;
}

static void rule_read(struct request *r, const struct rule_in *cur, struct rule_in *in, struct field_errors *e)
{
    in->metric = read_or(r, "metric", cur->metric, e);
    in->threshold = read_or(r, "threshold", cur->threshold, e);
    in->window = read_or(r, "window_minutes", cur->window, e);
    in->cooldown = read_or(r, "cooldown_minutes", cur->cooldown, e);
    in->enabled = read_enabled(r, cur->enabled, e);
    const struct alert_metric *m = in->metric.len ? alert_metric_find(str_cstr(r->arena, in->metric)) : NULL;
    if (!m) field_error_add(e, "metric", "must be one of error_rate, p95_latency, database_down, queue_age,"
                                         " provider_circuit_open, recordings_disk");
    double t;
    if (!decimal(in->threshold, &t) || t <= 0 || t > 999999999)
        field_error_add(e, "threshold", "must be a number above 0 (at most three decimals)");
    else if (m && (strcmp(m->name, "error_rate") == 0 || strcmp(m->name, "recordings_disk") == 0) && t > 100)
        field_error_add(e, "threshold", "must be a percentage from above 0 to 100");
    long n;
    if (m && m->measured_over_window && !whole(in->window, 1, 60, &n))
        field_error_add(e, "window_minutes", "must be a whole number of minutes from 1 to 60 (the measuring window)");
    else if (!whole(in->window, 0, 60, &n))
        field_error_add(e, "window_minutes", "must be a whole number of minutes from 0 to 60 (how long the condition must hold)");
    if (!whole(in->cooldown, 1, 10080, &n))
        field_error_add(e, "cooldown_minutes", "must be a whole number of minutes from 1 to 10080 (a week)");
}

static void channel_read(struct request *r, const struct channel_in *cur, struct channel_in *in,
                         struct field_errors *e)
{
    in->kind = read_or(r, "kind", cur->kind, e);
    in->name = read_or(r, "name", cur->name, e);
    in->target = read_or(r, "target", cur->target, e);
    in->enabled = read_enabled(r, cur->enabled, e);
    bool slack = str_eq_cstr(in->kind, "slack"), email = str_eq_cstr(in->kind, "email");
    if (!slack && !email) field_error_add(e, "kind", "must be slack or email");
    if (!in->name.len || utf8_length(in->name) > 100) field_error_add(e, "name", "must be 1 to 100 characters");
    if (slack) {
        const char *why = NULL;
        if (!in->target.len) why = "is required: the incoming webhook's URL";
        else if (!input_valid_url(in->target)) why = "must be an absolute https:// URL";
        else why = webhook_url_refusal(r->arena, r->cfg, str_cstr(r->arena, in->target));
        if (why) field_error_add(e, "target", why);
    } else if (email) {
        const char *to[MAX_RECIPIENTS];
        int n = in->target.len <= 2048 ? smtp_parse_addresses(r->arena, str_cstr(r->arena, in->target), to, MAX_RECIPIENTS)
                                       : -1;
        if (n <= 0) field_error_add(e, "target", "must be 1 to 20 email addresses separated by commas");
    }
}

/* ---- JSON ---- */

static struct json_object *number(str text)
{
    if (!text.len) return NULL;
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%.*s", (int)text.len, text.ptr);
    return json_object_new_double_s(strtod(tmp, NULL), tmp);
}

static void add_time(struct json_object *o, const char *key, str v)
{
    if (v.len) json_add_str(o, key, v);
    else json_object_object_add(o, key, NULL);
}

static struct json_object *rule_json(const struct dbres *q, int i)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, i, RU_ID));
    json_add_str(o, "metric", db_val(q, i, RU_METRIC));
    json_object_object_add(o, "threshold", number(db_val(q, i, RU_THRESHOLD)));
    json_add_long(o, "window_minutes", db_long(q, i, RU_WINDOW));
    json_add_long(o, "cooldown_minutes", db_long(q, i, RU_COOLDOWN));
    json_add_bool(o, "enabled", db_bool(q, i, RU_ENABLED));
    json_add_str(o, "state", db_val(q, i, RU_STATE));
    json_object_object_add(o, "last_value", number(db_val(q, i, RU_LAST_VALUE)));
    add_time(o, "last_fired_at", db_val(q, i, RU_LAST_FIRED));
    add_time(o, "last_evaluated_at", db_val(q, i, RU_LAST_EVALUATED));
    json_add_str(o, "created_at", db_val(q, i, RU_CREATED));
    json_add_long(o, "version", db_long(q, i, RU_VERSION));
    return o;
}

static struct json_object *channel_json(const struct dbres *q, int i)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, i, CH_ID));
    json_add_str(o, "kind", db_val(q, i, CH_KIND));
    json_add_str(o, "name", db_val(q, i, CH_NAME));
    json_add_str(o, "target", db_val(q, i, CH_TARGET));
    json_add_bool(o, "enabled", db_bool(q, i, CH_ENABLED));
    json_add_str(o, "created_at", db_val(q, i, CH_CREATED));
    json_add_long(o, "version", db_long(q, i, CH_VERSION));
    return o;
}

static struct json_object *event_json(const struct dbres *q, int i)
{
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", db_val(q, i, EV_ID));
    json_add_str(o, "kind", db_val(q, i, EV_KIND));
    json_add_str(o, "metric", db_val(q, i, EV_METRIC));
    json_object_object_add(o, "value", number(db_val(q, i, EV_VALUE)));
    json_object_object_add(o, "threshold", number(db_val(q, i, EV_THRESHOLD)));
    json_add_str(o, "message", db_val(q, i, EV_MESSAGE));
    json_add_str(o, "status", db_val(q, i, EV_STATUS));
    json_object_object_add(o, "deliveries", json_tokener_parse(db_cstr(q, i, EV_DELIVERIES)));
    json_add_str(o, "created_at", db_val(q, i, EV_CREATED));
    json_add_cstr(o, "rule_id", db_val(q, i, EV_RULE).len ? db_cstr(q, i, EV_RULE) : NULL);
    json_add_cstr(o, "channel_id", db_val(q, i, EV_CHANNEL).len ? db_cstr(q, i, EV_CHANNEL) : NULL);
    return o;
}

/* ---- loading ---- */

enum { AQ_RULES, AQ_CHANNELS, AQ_EVENTS, AQ_COUNT };
static const struct db_stmt all_stmts[AQ_COUNT] = {
    [AQ_RULES] = { "alert_rules_list",
                   "SELECT " RULE_COLUMNS " FROM alert_rules r WHERE r.org_id = app_org_id() ORDER BY r.created_at, r.id",
                   0, NULL },
    [AQ_CHANNELS] = { "alert_channels_list",
                      "SELECT " CHANNEL_COLUMNS " FROM alert_channels c WHERE c.org_id = app_org_id()"
                      " ORDER BY c.created_at, c.id",
                      0, NULL },
    [AQ_EVENTS] = { "alert_events_list",
                    "SELECT " EVENT_COLUMNS " FROM alert_events e WHERE e.org_id = app_org_id()"
                    " ORDER BY e.created_at DESC, e.id DESC LIMIT " HISTORY_SHOWN,
                    0, NULL },
};

static struct dbres *rule_load(struct request *r, str id, bool lock, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    const char *p = str_cstr(r->arena, id);
    struct dbres *q = lock ? db_q(r->db, r->arena, "alert_rule_load_lock",
                                  "SELECT " RULE_COLUMNS " FROM alert_rules r WHERE r.id = $1 FOR UPDATE", p)
                           : db_q(r->db, r->arena, "alert_rule_load", "SELECT " RULE_COLUMNS " FROM alert_rules r WHERE r.id = $1", p);
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

static struct dbres *channel_load(struct request *r, str id, bool lock, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
    const char *p = str_cstr(r->arena, id);
    struct dbres *q = lock ? db_q(r->db, r->arena, "alert_channel_load_lock",
                                  "SELECT " CHANNEL_COLUMNS " FROM alert_channels c WHERE c.id = $1 FOR UPDATE", p)
                           : db_q(r->db, r->arena, "alert_channel_load",
                                  "SELECT " CHANNEL_COLUMNS " FROM alert_channels c WHERE c.id = $1", p);
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

/* ---- the page ---- */

static const char *metric_label(const char *name)
{
    const struct alert_metric *m = alert_metric_find(name);
    return m ? m->label : name;
}

static void metric_select(struct tdict *d, const struct field_errors *e, str current)
{
    struct form_option opts[8];
    int n = alert_metric_count < 8 ? alert_metric_count : 8;
    for (int i = 0; i < n; i++) opts[i] = (struct form_option){ alert_metrics[i].name, alert_metrics[i].label };
    form_select(d, "FIELD_METRIC", e, "metric", "Metric", opts, (size_t)n, current, NULL);
}

static void rule_fields(struct tdict *d, const struct field_errors *e, const struct rule_in *in)
{
    metric_select(d, e, in->metric);
    struct tdict *x = form_field(d, "FIELD_THRESHOLD", e, "threshold", "Threshold", "text", in->threshold);
    tdict_set_cstr(tdict_add_section(x, "INPUTMODE"), "MODE", "decimal");
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT",
                   "Fires at or above it: % for error rate and disk, ms for latency, seconds for database down and queue age, providers for circuits.");
    x = form_field(d, "FIELD_WINDOW", e, "window_minutes", "Window (minutes)", "text", in->window);
    tdict_set_cstr(tdict_add_section(x, "INPUTMODE"), "MODE", "numeric");
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT",
                   "Error rate and latency: measured over it (1-60). Others: how long the condition must hold (0-60).");
    x = form_field(d, "FIELD_COOLDOWN", e, "cooldown_minutes", "Cooldown (minutes)", "text", in->cooldown);
    tdict_set_cstr(tdict_add_section(x, "INPUTMODE"), "MODE", "numeric");
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT", "Not sent again within it while the condition lasts.");
    if (in->enabled) tdict_show(d, "RULE_ENABLED");
}

static void channel_fields(struct tdict *d, const struct field_errors *e, const struct channel_in *in)
{
    static const struct form_option kinds[] = { { "slack", "Slack-compatible webhook" }, { "email", "Email (SMTP)" } };
    form_select(d, "FIELD_KIND", e, "kind", "Kind", kinds, 2, in->kind, NULL);
    struct tdict *x = form_field(d, "FIELD_NAME", e, "name", "Name", "text", in->name);
    tdict_set_long(tdict_add_section(x, "MAXLENGTH"), "N", 100);
    x = form_field(d, "FIELD_TARGET", e, "target", "Webhook URL or email addresses", "text", in->target);
    tdict_set_cstr(tdict_add_section(x, "HINT"), "TEXT",
                   "Slack: the incoming webhook's https URL. Email: addresses separated by commas (the SMTP server is in Settings).");
    if (in->enabled) tdict_show(d, "CHANNEL_ENABLED");
}

/* A Slack URL's path is its credential: the list shows its origin and last four
 * characters (the edit page, for admins, has it whole). */
static str channel_target_shown(struct request *r, str kind, str target)
{
    if (!str_eq_cstr(kind, "slack") || target.len < 12) return target;
    size_t host_end = 8;
    while (host_end < target.len && target.ptr[host_end] != '/') host_end++;
    struct buf b;
    buf_init(&b, r->arena, host_end + 16);
    buf_append(&b, target.ptr, host_end);
    buf_puts(&b, "/…");
    buf_append(&b, target.ptr + target.len - 4, 4);
    return buf_str(&b);
}

static void fill_lists(struct request *r, struct tdict *d, struct dbres *const *q)
{
    for (int i = 0; i < db_rows(q[AQ_RULES]); i++) {
        const struct dbres *x = q[AQ_RULES];
        struct tdict *row = tdict_add_section(d, "RULE");
        tdict_set(row, "ID", db_val(x, i, RU_ID));
        tdict_set_cstr(row, "METRIC", metric_label(db_cstr(x, i, RU_METRIC)));
        tdict_set(row, "THRESHOLD", db_val(x, i, RU_THRESHOLD));
        tdict_set(row, "WINDOW", db_val(x, i, RU_WINDOW));
        tdict_set(row, "COOLDOWN", db_val(x, i, RU_COOLDOWN));
        bool on = db_bool(x, i, RU_ENABLED);
        tdict_set(row, "STATE", on ? db_val(x, i, RU_STATE) : STR("disabled"));
        tdict_set(row, "LAST_VALUE", db_val(x, i, RU_LAST_VALUE).len ? db_val(x, i, RU_LAST_VALUE) : STR("—"));
        tdict_set(row, "LAST_FIRED", db_val(x, i, RU_LAST_FIRED).len ? db_val(x, i, RU_LAST_FIRED) : STR("never"));
    }
    tdict_show(d, db_rows(q[AQ_RULES]) ? "HAS_RULES" : "NO_RULES");
    for (int i = 0; i < db_rows(q[AQ_CHANNELS]); i++) {
        const struct dbres *x = q[AQ_CHANNELS];
        struct tdict *row = tdict_add_section(d, "CHANNEL");
        tdict_set(row, "ID", db_val(x, i, CH_ID));
        tdict_set(row, "NAME", db_val(x, i, CH_NAME));
        tdict_set_cstr(row, "KIND", str_eq_cstr(db_val(x, i, CH_KIND), "slack") ? "Slack webhook" : "Email");
        tdict_set(row, "TARGET", channel_target_shown(r, db_val(x, i, CH_KIND), db_val(x, i, CH_TARGET)));
        tdict_set_cstr(row, "STATE", db_bool(x, i, CH_ENABLED) ? "enabled" : "disabled");
    }
    tdict_show(d, db_rows(q[AQ_CHANNELS]) ? "HAS_CHANNELS" : "NO_CHANNELS");
    for (int i = 0; i < db_rows(q[AQ_EVENTS]); i++) {
        const struct dbres *x = q[AQ_EVENTS];
        struct tdict *row = tdict_add_section(d, "EVENT");
        tdict_set(row, "CREATED", db_val(x, i, EV_CREATED));
        tdict_set(row, "KIND", db_val(x, i, EV_KIND));
        tdict_set(row, "MESSAGE", db_val(x, i, EV_MESSAGE));
        tdict_set(row, "STATUS", db_val(x, i, EV_STATUS));
        /* What each channel said, as one line. */
        struct json_object *dl = json_tokener_parse(db_cstr(x, i, EV_DELIVERIES));
        struct buf b;
        buf_init(&b, r->arena, 128);
        if (dl && json_object_is_type(dl, json_type_object)) {
            json_object_object_foreach(dl, k, v) {
                (void)k;
                struct json_object *ch, *ok, *er;
                json_object_object_get_ex(v, "channel", &ch);
                json_object_object_get_ex(v, "ok", &ok);
                json_object_object_get_ex(v, "error", &er);
                buf_printf(&b, "%s%s: %s", b.len ? "; " : "", ch ? json_object_get_string(ch) : "?",
                           ok && json_object_get_boolean(ok) ? "sent" : er ? json_object_get_string(er) : "failed");
            }
        }
        json_object_put(dl);
        tdict_set(row, "DELIVERIES", buf_str(&b));
    }
    tdict_show(d, db_rows(q[AQ_EVENTS]) ? "HAS_EVENTS" : "NO_EVENTS");
}

struct page_form {
    const struct rule_in *rule;       /* the rule form as typed, or NULL */
    const struct channel_in *channel; /* the channel form as typed, or NULL */
};

static int render_page(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct page_form *f = ctx;
    struct dbres *q[AQ_COUNT];
    if (db_exec_batch(r->db, r->arena, AQ_COUNT, all_stmts, q) != 0) return app_db_status(r);
    struct tdict *d = page_dict(r, "Alerts", "admin/alerts.tpl");
    admin_nav(d, "alerts");
    fill_lists(r, d, q);
    static const struct rule_in rule_default = { STR("error_rate"), STR("5"), STR("5"), STR("60"), true };
    static const struct channel_in channel_default = { STR("slack"), STR(""), STR(""), true };
    const struct field_errors *re = f && f->rule ? e : NULL, *ce = f && f->channel ? e : NULL;
    struct tdict *rf = tdict_add_section(d, "RULE_FORM");
    form_errors(rf, re, "rule-errors", "The rule was not added.");
    rule_fields(rf, re, f && f->rule ? f->rule : &rule_default);
    struct tdict *cf = tdict_add_section(d, "CHANNEL_FORM");
    form_errors(cf, ce, "channel-errors", "The channel was not added.");
    channel_fields(cf, ce, f && f->channel ? f->channel : &channel_default);
    return page_render(r, status, d);
}

/* GET /admin/alerts and GET /api/v1/admin/alerts: rules, channels and the latest
 * history. */
int admin_alerts(struct request *r)
{
    if (!r->wants_json) return render_page(r, 200, NULL, &(struct page_form){ NULL, NULL });
    struct dbres *q[AQ_COUNT];
    if (db_exec_batch(r->db, r->arena, AQ_COUNT, all_stmts, q) != 0) return app_db_status(r);
    struct json_object *o = json_object_new_object(), *rules = json_object_new_array(),
                       *channels = json_object_new_array(), *events = json_object_new_array();
    for (int i = 0; i < db_rows(q[AQ_RULES]); i++) json_object_array_add(rules, rule_json(q[AQ_RULES], i));
    for (int i = 0; i < db_rows(q[AQ_CHANNELS]); i++) json_object_array_add(channels, channel_json(q[AQ_CHANNELS], i));
    for (int i = 0; i < db_rows(q[AQ_EVENTS]); i++) json_object_array_add(events, event_json(q[AQ_EVENTS], i));
    json_object_object_add(o, "rules", rules);
    json_object_object_add(o, "channels", channels);
    json_object_object_add(o, "history", events);
    json_reply_data(r, 200, o);
    return 0;
}

/* ---- rules ---- */

static void rule_from_row(const struct dbres *q, struct rule_in *in)
{
    *in = (struct rule_in){ db_val(q, 0, RU_METRIC), db_val(q, 0, RU_THRESHOLD), db_val(q, 0, RU_WINDOW),
                            db_val(q, 0, RU_COOLDOWN), db_bool(q, 0, RU_ENABLED) };
}

struct rule_form {
    const struct dbres *q;
    const struct rule_in *in;
};

static int render_rule(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct rule_form *f = ctx;
    struct rule_in cur;
    rule_from_row(f->q, &cur);
    struct tdict *d = page_dict(r, "Alert rule", "admin/alert_rule.tpl");
    tdict_set(d, "ID", db_val(f->q, 0, RU_ID));
    tdict_set_cstr(d, "METRIC_LABEL", metric_label(db_cstr(f->q, 0, RU_METRIC)));
    tdict_set(d, "STATE", db_val(f->q, 0, RU_STATE));
    form_errors(d, e, "rule-errors", "The rule was not saved.");
    rule_fields(d, e, f->in ? f->in : &cur);
    return page_render(r, status, d);
}

static const char *rule_audit_detail(struct request *r, const struct rule_in *in)
{
    struct buf b;
    buf_init(&b, r->arena, 160);
    buf_puts(&b, "{\"metric\":");
    buf_json_str(&b, in->metric);
    buf_puts(&b, ",\"threshold\":");
    buf_json_str(&b, in->threshold);
    buf_printf(&b, ",\"window_minutes\":%.*s,\"cooldown_minutes\":%.*s,\"enabled\":%s}", (int)in->window.len,
               in->window.ptr, (int)in->cooldown.len, in->cooldown.ptr, in->enabled ? "true" : "false");
    return buf_cstr(&b);
}

static int reply_rule(struct request *r, int status, const struct dbres *q, const char *flash)
{
    if (r->wants_json) {
        json_reply_data(r, status, rule_json(q, 0));
        return 0;
    }
    return redirect_see_other(r, "/admin/alerts", "ok", flash);
}

/* POST /admin/alerts/rules and POST /api/v1/admin/alerts/rules. */
int admin_alert_rule_create(struct request *r)
{
    static const struct rule_in defaults = { STR(""), STR(""), STR("5"), STR("60"), true };
    struct rule_in in;
    struct field_errors e = { 0 };
    rule_read(r, &defaults, &in, &e);
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_page, &(struct page_form){ &in, NULL });
    struct dbres *q = db_q(r->db, r->arena, "alert_rule_insert",
                           "WITH r AS (INSERT INTO alert_rules (org_id, metric, threshold, window_minutes, cooldown_minutes,"
                           " enabled) VALUES (app_org_id(), $1, $2::numeric, $3::int, $4::int, $5::bool) RETURNING *)"
                           " SELECT " RULE_COLUMNS " FROM r",
                           str_cstr(r->arena, in.metric), str_cstr(r->arena, in.threshold), str_cstr(r->arena, in.window),
                           str_cstr(r->arena, in.cooldown), in.enabled ? "true" : "false");
    if (!q) return app_db_status(r);
    int st = audit_write(r, "alert_rule.create", "alert_rule", db_val(q, 0, RU_ID), rule_audit_detail(r, &in));
    return st ? st : reply_rule(r, 201, q, "Rule added.");
}

/* GET /admin/alerts/rules/{id} and GET /api/v1/admin/alerts/rules/{id}. */
int admin_alert_rule_show(struct request *r)
{
    int st;
    struct dbres *q = rule_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if (!r->wants_json) return render_rule(r, 200, NULL, &(struct rule_form){ q, NULL });
    json_reply_data(r, 200, rule_json(q, 0));
    return 0;
}

/* POST /admin/alerts/rules/{id} (the whole form) and PATCH /api/v1/admin/alerts/rules/{id}
 * (the members sent). A changed rule starts again from "ok". */
int admin_alert_rule_update(struct request *r)
{
    int st;
    struct dbres *q = rule_load(r, req_path_param(r, "id"), true, &st);
    if (!q) return st;
    struct rule_in cur, in;
    rule_from_row(q, &cur);
    struct field_errors e = { 0 };
    rule_read(r, &cur, &in, &e);
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_rule, &(struct rule_form){ q, &in });
    struct dbres *u = db_q(r->db, r->arena, "alert_rule_update",
                           "WITH r AS (UPDATE alert_rules SET metric = $2, threshold = $3::numeric, window_minutes = $4::int,"
                           " cooldown_minutes = $5::int, enabled = $6::bool,"
                           " state = CASE WHEN metric = $2 AND enabled = $6::bool THEN state ELSE 'ok' END,"
                           " pending_since = CASE WHEN metric = $2 AND enabled = $6::bool THEN pending_since END,"
                           " version = version + 1, updated_at = now() WHERE id = $1::uuid RETURNING *)"
                           " SELECT " RULE_COLUMNS " FROM r",
                           db_cstr(q, 0, RU_ID), str_cstr(r->arena, in.metric), str_cstr(r->arena, in.threshold),
                           str_cstr(r->arena, in.window), str_cstr(r->arena, in.cooldown), in.enabled ? "true" : "false");
    if (!u) return app_db_status(r);
    st = audit_write(r, "alert_rule.update", "alert_rule", db_val(q, 0, RU_ID), rule_audit_detail(r, &in));
    return st ? st : reply_rule(r, 200, u, "Rule saved.");
}

/* GET /admin/alerts/rules/{id}/delete and /admin/alerts/channels/{id}/delete: ask first. */
static int confirm_delete(struct request *r, const char *what, str id, str label, const char *path)
{
    struct tdict *d = page_dict(r, "Delete alert", "admin/alert_delete.tpl");
    tdict_set_cstr(d, "WHAT", what);
    tdict_set(d, "LABEL", label);
    struct buf b;
    buf_init(&b, r->arena, 96);
    buf_printf(&b, "/admin/alerts/%s/%.*s", path, (int)id.len, id.ptr);
    tdict_set_cstr(d, "BACK", buf_cstr(&b));
    buf_puts(&b, "/delete");
    tdict_set_cstr(d, "ACTION", buf_cstr(&b));
    return page_render(r, 200, d);
}

int admin_alert_rule_delete_confirm(struct request *r)
{
    int st;
    struct dbres *q = rule_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    struct buf b;
    buf_init(&b, r->arena, 96);
    buf_printf(&b, "%s at %s", metric_label(db_cstr(q, 0, RU_METRIC)), db_cstr(q, 0, RU_THRESHOLD));
    return confirm_delete(r, "rule", db_val(q, 0, RU_ID), buf_str(&b), "rules");
}

static int reply_deleted(struct request *r, str id, const char *flash)
{
    if (!r->wants_json) return redirect_see_other(r, "/admin/alerts", "ok", flash);
    struct json_object *o = json_object_new_object();
    json_add_str(o, "id", id);
    json_add_bool(o, "deleted", true);
    json_reply_data(r, 200, o);
    return 0;
}

/* POST /admin/alerts/rules/{id}/delete and DELETE /api/v1/admin/alerts/rules/{id}: the
 * history keeps its events. */
int admin_alert_rule_delete(struct request *r)
{
    int st;
    struct dbres *q = rule_load(r, req_path_param(r, "id"), true, &st);
    if (!q) return st;
    if (!db_q(r->db, r->arena, "alert_rule_delete", "DELETE FROM alert_rules WHERE id = $1::uuid", db_cstr(q, 0, RU_ID)))
        return app_db_status(r);
    if ((st = audit_write(r, "alert_rule.delete", "alert_rule", db_val(q, 0, RU_ID), NULL))) return st;
    return reply_deleted(r, db_val(q, 0, RU_ID), "Rule deleted.");
}

/* ---- channels ---- */

static void channel_from_row(const struct dbres *q, struct channel_in *in)
{
    *in = (struct channel_in){ db_val(q, 0, CH_KIND), db_val(q, 0, CH_NAME), db_val(q, 0, CH_TARGET),
                               db_bool(q, 0, CH_ENABLED) };
}

struct channel_form {
    const struct dbres *q;
    const struct channel_in *in;
};

static int render_channel(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct channel_form *f = ctx;
    struct channel_in cur;
    channel_from_row(f->q, &cur);
    struct tdict *d = page_dict(r, "Alert channel", "admin/alert_channel.tpl");
    tdict_set(d, "ID", db_val(f->q, 0, CH_ID));
    tdict_set(d, "NAME", db_val(f->q, 0, CH_NAME));
    form_errors(d, e, "channel-errors", "The channel was not saved.");
    channel_fields(d, e, f->in ? f->in : &cur);
    return page_render(r, status, d);
}

/* Which channel, never the Slack URL (it is a credential). */
static const char *channel_audit_detail(struct request *r, const struct channel_in *in)
{
    struct buf b;
    buf_init(&b, r->arena, 160);
    buf_puts(&b, "{\"kind\":");
    buf_json_str(&b, in->kind);
    buf_puts(&b, ",\"name\":");
    buf_json_str(&b, in->name);
    buf_printf(&b, ",\"enabled\":%s}", in->enabled ? "true" : "false");
    return buf_cstr(&b);
}

static int reply_channel(struct request *r, int status, const struct dbres *q, const char *flash)
{
    if (r->wants_json) {
        json_reply_data(r, status, channel_json(q, 0));
        return 0;
    }
    return redirect_see_other(r, "/admin/alerts", "ok", flash);
}

/* POST /admin/alerts/channels and POST /api/v1/admin/alerts/channels. */
int admin_alert_channel_create(struct request *r)
{
    static const struct channel_in defaults = { STR(""), STR(""), STR(""), true };
    struct channel_in in;
    struct field_errors e = { 0 };
    channel_read(r, &defaults, &in, &e);
    if (e.n) return field_errors_reply(r, "Some fields are not valid.", &e, render_page, &(struct page_form){ NULL, &in });
    struct dbres *q = db_q(r->db, r->arena, "alert_channel_insert",
                           "WITH c AS (INSERT INTO alert_channels (org_id, kind, name, target, enabled)"
                           " VALUES (app_org_id(), $1, $2, $3, $4::bool) RETURNING *) SELECT " CHANNEL_COLUMNS " FROM c",
                           str_cstr(r->arena, in.kind), str_cstr(r->arena, in.name), str_cstr(r->arena, in.target),
                           in.enabled ? "true" : "false");
    if (!q) return app_db_status(r);
    int st = audit_write(r, "alert_channel.create", "alert_channel", db_val(q, 0, CH_ID), channel_audit_detail(r, &in));
    return st ? st : reply_channel(r, 201, q, "Channel added.");
}

/* GET /admin/alerts/channels/{id} and GET /api/v1/admin/alerts/channels/{id}. */
int admin_alert_channel_show(struct request *r)
{
    int st;
    struct dbres *q = channel_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if (!r->wants_json) return render_channel(r, 200, NULL, &(struct channel_form){ q, NULL });
    json_reply_data(r, 200, channel_json(q, 0));
    return 0;
}

/* POST /admin/alerts/channels/{id} and PATCH /api/v1/admin/alerts/channels/{id}. */
int admin_alert_channel_update(struct request *r)
{
    int st;
    struct dbres *q = channel_load(r, req_path_param(r, "id"), true, &st);
    if (!q) return st;
    struct channel_in cur, in;
    channel_from_row(q, &cur);
    struct field_errors e = { 0 };
    channel_read(r, &cur, &in, &e);
    if (e.n)
        return field_errors_reply(r, "Some fields are not valid.", &e, render_channel, &(struct channel_form){ q, &in });
    struct dbres *u = db_q(r->db, r->arena, "alert_channel_update",
                           "WITH c AS (UPDATE alert_channels SET kind = $2, name = $3, target = $4, enabled = $5::bool,"
                           " version = version + 1, updated_at = now() WHERE id = $1::uuid RETURNING *)"
                           " SELECT " CHANNEL_COLUMNS " FROM c",
                           db_cstr(q, 0, CH_ID), str_cstr(r->arena, in.kind), str_cstr(r->arena, in.name),
                           str_cstr(r->arena, in.target), in.enabled ? "true" : "false");
    if (!u) return app_db_status(r);
    st = audit_write(r, "alert_channel.update", "alert_channel", db_val(q, 0, CH_ID), channel_audit_detail(r, &in));
    return st ? st : reply_channel(r, 200, u, "Channel saved.");
}

int admin_alert_channel_delete_confirm(struct request *r)
{
    int st;
    struct dbres *q = channel_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    return confirm_delete(r, "channel", db_val(q, 0, CH_ID), db_val(q, 0, CH_NAME), "channels");
}

/* POST /admin/alerts/channels/{id}/delete and DELETE /api/v1/admin/alerts/channels/{id}. */
int admin_alert_channel_delete(struct request *r)
{
    int st;
    struct dbres *q = channel_load(r, req_path_param(r, "id"), true, &st);
    if (!q) return st;
    if (!db_q(r->db, r->arena, "alert_channel_delete", "DELETE FROM alert_channels WHERE id = $1::uuid",
              db_cstr(q, 0, CH_ID)))
        return app_db_status(r);
    if ((st = audit_write(r, "alert_channel.delete", "alert_channel", db_val(q, 0, CH_ID), NULL))) return st;
    return reply_deleted(r, db_val(q, 0, CH_ID), "Channel deleted.");
}

/* POST /admin/alerts/channels/{id}/test and its JSON twin: a "test" event in the
 * history, delivered to this channel only (even when it is disabled) by a job. */
int admin_alert_channel_test(struct request *r)
{
    int st;
    struct dbres *q = channel_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    struct buf msg;
    buf_init(&msg, r->arena, 160);
    buf_puts(&msg, "Test alert from Switchboard, sent by ");
    if (r->session->email.len) buf_append(&msg, r->session->email.ptr, r->session->email.len);
    else buf_printf(&msg, "API key %.*s", (int)r->session->api_key_id.len, r->session->api_key_id.ptr);
    buf_puts(&msg, ": this channel receives the organisation's alerts.");
    struct dbres *ev = db_q(r->db, r->arena, "alert_test_event",
                            "WITH e AS (INSERT INTO alert_events (org_id, channel_id, kind, message)"
                            " VALUES (app_org_id(), $1::uuid, 'test', $2) RETURNING id, org_id),"
                            " j AS (INSERT INTO jobs (org_id, kind, payload, unique_key, max_attempts)"
                            " SELECT org_id, '" ALERT_DELIVER_KIND "', jsonb_build_object('event_id', id),"
                            " '" ALERT_DELIVER_KIND ":' || id, 5 FROM e) SELECT id FROM e",
                            db_cstr(q, 0, CH_ID), buf_cstr(&msg));
    if (!ev) return app_db_status(r);
    if ((st = audit_write(r, "alert_channel.test", "alert_channel", db_val(q, 0, CH_ID), NULL))) return st;
    if (!r->wants_json) return redirect_see_other(r, "/admin/alerts", "ok", "Test alert queued; see the history.");
    struct json_object *o = json_object_new_object();
    json_add_str(o, "event_id", db_val(ev, 0, 0));
    json_add_str(o, "status", STR("pending"));
    json_reply_data(r, 202, o);
    return 0;
}
