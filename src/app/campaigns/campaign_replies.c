/* campaign_replies.c — every reply to a campaign, newest first, a page at a time:
 * /campaigns/{id}/replies and its JSON twin (the campaign page shows the latest ten).
 * The cursor is the last reply's time and id, signed for this list. */
#include <json-c/json.h>
#include <stdio.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../view/json.h"
#include "../../view/view.h"
#include "../common/cursor.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "campaigns.h"
#include "campaigns_sql.h"

#define REPLIES_CURSOR_PURPOSE "campaign_replies"
#define REPLIES_LIMIT_DEFAULT 50
#define REPLIES_LIMIT_MAX 200

struct replies_page {
    long limit;
    struct list_cursor after;
    bool has_after;
    struct dbres *rows;
    int n;       /* rows shown (one more was read to know there is a next page) */
    str next;    /* the next page's cursor, or STR_NULL */
};

/* limit (1..200, 50) and cursor from the query; errors by field. */
static void read_params(struct request *r, struct replies_page *p, struct field_errors *e)
{
    p->limit = REPLIES_LIMIT_DEFAULT;
    const str *v = kvlist_get(&r->query, "limit");
    if (v && (!str_to_long(str_trim(*v), &p->limit) || p->limit < 1 || p->limit > REPLIES_LIMIT_MAX))
        field_error_add(e, "limit", "must be a whole number from 1 to 200");
    v = kvlist_get(&r->query, "cursor");
    if (v && v->len) {
        if (list_cursor_decode(app_secret(r), REPLIES_CURSOR_PURPOSE, "n", *v, &p->after) != 0)
            field_error_add(e, "cursor", "is not a cursor of this list; start again from the first page");
        else p->has_after = true;
    }
}

static int load_page(struct request *r, str campaign_id, struct replies_page *p)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)p->after.key);
    p->rows = campaign_replies_page_query(r->db, r->arena, str_cstr(r->arena, campaign_id), p->has_after ? key : NULL,
                                          p->has_after ? p->after.id : NULL, p->limit + 1);
    if (!p->rows) return app_db_status(r);
    p->n = db_rows(p->rows) > p->limit ? (int)p->limit : db_rows(p->rows);
    p->next = STR_NULL;
    if (db_rows(p->rows) > p->limit) {
        struct list_cursor c = { .sort = 0, .key = db_long(p->rows, p->n - 1, RPP_KEY) };
        snprintf(c.id, sizeof c.id, "%.*s", STR_FMT(db_val(p->rows, p->n - 1, RP_ID)));
        p->next = list_cursor_encode(r->arena, app_secret(r), REPLIES_CURSOR_PURPOSE, "n", &c);
    }
    return 0;
}

static struct json_object *reply_json(const struct dbres *q, int i)
{
    struct json_object *x = json_object_new_object();
    json_add_str(x, "id", db_val(q, i, RP_ID));
    str contact = db_val(q, i, RP_CONTACT_ID);
    json_add_str(x, "contact_id", contact.len ? contact : STR_NULL);
    json_add_str(x, "contact_name", db_val(q, i, RP_CONTACT_NAME));
    json_add_str(x, "from", db_val(q, i, RPP_FROM));
    json_add_str(x, "channel", db_val(q, i, RP_CHANNEL));
    json_add_str(x, "body", db_val(q, i, RP_BODY));
    json_add_str(x, "received_at", db_val(q, i, RP_AT));
    return x;
}

static const char *page_url(struct request *r, str campaign_id, long limit, str cursor)
{
    struct buf b;
    buf_init(&b, r->arena, 160);
    buf_puts(&b, "/campaigns/");
    buf_put(&b, campaign_id);
    buf_puts(&b, "/replies");
    char sep = '?';
    if (limit != REPLIES_LIMIT_DEFAULT) {
        buf_printf(&b, "?limit=%ld", limit);
        sep = '&';
    }
    if (cursor.len) {
        buf_printf(&b, "%ccursor=", sep);
        buf_url_arg(&b, cursor);
    }
    return buf_cstr(&b);
}

static int render(struct request *r, const struct dbres *campaign, const struct replies_page *p)
{
    str id = db_val(campaign, 0, CA_ID);
    struct tdict *d = page_dict(r, "Campaign replies", "campaigns/replies.tpl");
    tdict_set(d, "ID", id);
    tdict_set(d, "NAME", db_val(campaign, 0, CA_NAME));
    for (int i = 0; i < p->n; i++) {
        struct tdict *x = tdict_add_section(d, "REPLY");
        str contact = db_val(p->rows, i, RP_CONTACT_ID);
        if (contact.len) {
            struct tdict *l = tdict_add_section(x, "REPLY_CONTACT");
            tdict_set(l, "CONTACT_ID", contact);
            str name = db_val(p->rows, i, RP_CONTACT_NAME);
            tdict_set(l, "CONTACT_NAME", name.len ? name : STR("(no name)"));
        } else {
            tdict_show(x, "REPLY_NO_CONTACT");
        }
        tdict_set(x, "FROM", db_val(p->rows, i, RPP_FROM));
        tdict_set(x, "CHANNEL", db_val(p->rows, i, RP_CHANNEL));
        tdict_set(x, "BODY", db_val(p->rows, i, RP_BODY));
        tdict_set(x, "AT", db_val(p->rows, i, RP_AT));
        tdict_set(x, "AT_LOCAL", db_val(p->rows, i, RP_AT_LOCAL));
    }
    if (!p->n) tdict_show(d, p->has_after ? "NO_MORE" : "NO_REPLIES");
    form_pager(d, p->has_after ? page_url(r, id, p->limit, STR_NULL) : NULL,
               p->next.len ? page_url(r, id, p->limit, p->next) : NULL);
    return page_render(r, 200, d);
}

/* GET /campaigns/{id}/replies and /api/v1/campaigns/{id}/replies (viewer+) — limit
 * (1..200, 50) and cursor; JSON {"data": [...], "next_cursor"}. Another org's
 * campaign: 404. */
int campaign_replies(struct request *r)
{
    struct replies_page p = { 0 };
    struct field_errors e = { 0 };
    read_params(r, &p, &e);
    if (field_errors_any(&e)) return field_errors_reply(r, NULL, &e, NULL, NULL);
    int st;
    struct dbres *q = campaign_load(r, req_path_param(r, "id"), false, &st);
    if (!q) return st;
    if ((st = load_page(r, db_val(q, 0, CA_ID), &p))) return st;
    if (!r->wants_json) return render(r, q, &p);
    struct json_object *items = json_object_new_array();
    for (int i = 0; i < p.n; i++) json_object_array_add(items, reply_json(p.rows, i));
    json_reply_list(r, items, p.next);
    return 0;
}
