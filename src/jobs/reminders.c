/* reminders.c — one email a day per deal owner: deliverables due, payments overdue
 * (reminders.h). */
#include "reminders.h"

#include <stdio.h>
#include <string.h>

#include "../auth/org_secret.h"
#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/log.h"
#include "../db/db.h"
#include "../providers/smtp.h"

/* Every item of every owner who is due a reminder today (in the org's zone) and has
 * none yet, ordered by owner: deliverables not posted whose deadline (the posting
 * window's end, else the scheduled time) is within 48 hours, and unpaid payments past
 * their expected date. */
enum { RI_ORG, RI_USER, RI_EMAIL, RI_NAME, RI_DAY, RI_KIND, RI_WHAT, RI_DEAL, RI_WHEN, RI_ORG_NAME, RI_HOST, RI_PORT,
       RI_SECURITY, RI_FROM, RI_SMTP_USER, RI_SMTP_PASSWORD };

#define SECRET(key)                                                                                        \
    "(SELECT translate(encode(s.ciphertext, 'base64'), E'\\n', '') FROM org_secrets s WHERE s.org_id = o.id" \
    " AND s.key = '" key "')"

static struct dbres *items_load(struct job_ctx *c)
{
    return db_q0(c->db, c->a, "reminders_items",
                 "WITH o AS (SELECT o.*, (now() AT TIME ZONE o.timezone)::date AS today FROM orgs o"
                 "  WHERE o.reminders_enabled AND o.smtp_host <> ''"
                 "  AND to_char(now() AT TIME ZONE o.timezone, 'HH24:MI') >= o.reminders_time),"
                 " items AS ("
                 "  SELECT o.id AS org_id, de.owner_id, 'deliverable' AS kind,"
                 "   initcap(dl.platform) || ' ' || dl.type || CASE WHEN dl.quantity > 1 THEN ' ×' || dl.quantity ELSE '' END AS what,"
                 "   de.title, coalesce(dl.posting_window_end, dl.scheduled_at) AS at, o.timezone"
                 "  FROM o JOIN deals de ON de.org_id = o.id AND de.deleted_at IS NULL AND de.owner_id IS NOT NULL"
                 "  JOIN deliverables dl ON dl.org_id = o.id AND dl.deal_id = de.id AND dl.deleted_at IS NULL"
                 "   AND dl.posted_at IS NULL AND coalesce(dl.posting_window_end, dl.scheduled_at)"
                 "   BETWEEN now() AND now() + interval '48 hours'"
                 "  UNION ALL"
                 "  SELECT o.id, de.owner_id, 'payment',"
                 "   initcap(replace(p.kind, '_', ' ')) || ' of ' || to_char(p.amount_minor / 100.0, 'FM999,999,999,990.00')"
                 "   || ' ' || p.currency, de.title, p.expected_at::timestamp AT TIME ZONE o.timezone, o.timezone"
                 "  FROM o JOIN deals de ON de.org_id = o.id AND de.deleted_at IS NULL AND de.owner_id IS NOT NULL"
                 "  JOIN payments p ON p.org_id = o.id AND p.deal_id = de.id AND p.deleted_at IS NULL"
                 "   AND (p.status = 'overdue' OR (p.status IN ('expected', 'sent') AND p.paid_minor = 0"
                 "   AND p.expected_at < o.today)))"
                 " SELECT o.id, u.id, u.email, u.name, o.today::text, i.kind, i.what, i.title,"
                 "  to_char(i.at AT TIME ZONE i.timezone, CASE i.kind WHEN 'payment' THEN 'YYYY-MM-DD' ELSE 'YYYY-MM-DD HH24:MI' END),"
                 "  o.name, o.smtp_host, o.smtp_port, o.smtp_security, o.smtp_from, " SECRET("smtp_username") ","
                 "  " SECRET("smtp_password")
                 " FROM items i JOIN o ON o.id = i.org_id"
                 " JOIN users u ON u.org_id = i.org_id AND u.id = i.owner_id AND NOT u.disabled"
                 " WHERE NOT EXISTS (SELECT 1 FROM reminder_emails r WHERE r.org_id = o.id AND r.user_id = u.id"
                 "  AND r.day = o.today)"
                 " ORDER BY o.id, u.id, i.kind, i.at");
}

static const char *secret(struct job_ctx *c, const struct dbres *q, int i, int col, const char *key)
{
    str out;
    if (db_isnull(q, i, col) || !db_val(q, i, col).len ||
        org_secret_open_b64(c->a, str_from(c->cfg->secret_key), db_val(q, i, RI_ORG), key, db_val(q, i, col), &out) != 0)
        return NULL;
    return str_cstr(c->a, out);
}

/* The owner's email: rows [from, to) of q. */
static void compose(const struct dbres *q, int from, int to, struct buf *body)
{
    const char *name = db_cstr(q, from, RI_NAME);
    buf_printf(body, "Hello%s%s,\n\nWhat needs you in %s today (%s):\n", *name ? " " : "", name,
               db_cstr(q, from, RI_ORG_NAME), db_cstr(q, from, RI_DAY));
    const char *section = "";
    for (int i = from; i < to; i++) {
        const char *kind = db_cstr(q, i, RI_KIND);
        if (strcmp(kind, section) != 0) {
            section = kind;
            buf_puts(body, strcmp(kind, "deliverable") == 0 ? "\nDeliverables due within 48 hours:\n"
                                                            : "\nPayments overdue:\n");
        }
        buf_printf(body, "- %s — %s, %s %s\n", db_cstr(q, i, RI_DEAL), db_cstr(q, i, RI_WHAT),
                   strcmp(kind, "payment") == 0 ? "expected" : "due", db_cstr(q, i, RI_WHEN));
    }
    buf_puts(body, "\nYou get this email at most once a day; an admin can turn reminders off in Settings.\n");
}

/* Claims the owner's day (a second run, or another worker, finds it taken), sends,
 * records the outcome. 1 sent, 0 taken already, -1 on a database error. */
static int remind(struct job_ctx *c, const struct dbres *q, int from, int to)
{
    char items[16];
    snprintf(items, sizeof items, "%d", to - from);
    struct dbres *claim = db_q(c->db, c->a, "reminders_claim",
                               "INSERT INTO reminder_emails (org_id, user_id, day, items) VALUES ($1::uuid, $2::uuid, $3::date, $4::int)"
                               " ON CONFLICT DO NOTHING RETURNING 1",
                               db_cstr(q, from, RI_ORG), db_cstr(q, from, RI_USER), db_cstr(q, from, RI_DAY), items);
    if (!claim) return -1;
    if (db_rows(claim) == 0) return 0;
    struct buf body, subject;
    buf_init(&body, c->a, 1024);
    compose(q, from, to, &body);
    buf_init(&subject, c->a, 128);
    buf_printf(&subject, "Switchboard reminders: %d item%s need%s you", to - from, to - from == 1 ? "" : "s",
               to - from == 1 ? "s" : "");
    struct smtp_server s = {
        .host = db_cstr(q, from, RI_HOST), .port = (int)db_long(q, from, RI_PORT), .security = db_cstr(q, from, RI_SECURITY),
        .from = db_cstr(q, from, RI_FROM), .username = secret(c, q, from, RI_SMTP_USER, "smtp_username"),
        .password = secret(c, q, from, RI_SMTP_PASSWORD, "smtp_password"), .timeout_s = c->cfg->http_timeout_s,
    };
    const char *to_addr[1] = { db_cstr(q, from, RI_EMAIL) };
    struct smtp_message m = { to_addr, 1, buf_cstr(&subject), buf_cstr(&body) };
    const char *error = NULL;
    int rc = smtp_send(c->a, &s, &m, &error);
    if (rc != 0) log_warn("reminders: not sent to %s: %s", to_addr[0], error);
    /* A failed send is not tried again that day: a reminder late is better than many. */
    if (!db_q(c->db, c->a, "reminders_sent",
              "UPDATE reminder_emails SET status = $4, error = left($5, 500)"
              " WHERE org_id = $1::uuid AND user_id = $2::uuid AND day = $3::date",
              db_cstr(q, from, RI_ORG), db_cstr(q, from, RI_USER), db_cstr(q, from, RI_DAY), rc == 0 ? "sent" : "failed",
              error ? error : ""))
        return -1;
    return rc == 0 ? 1 : 0;
}

enum job_result reminders_run(struct job_ctx *c, const struct job *j)
{
    (void)j;
    struct dbres *q = items_load(c);
    if (!q) goto db_error;
    for (int i = 0; i < db_rows(q);) {
        int k = i + 1;
        while (k < db_rows(q) && str_eq(db_val(q, k, RI_USER), db_val(q, i, RI_USER)) &&
               str_eq(db_val(q, k, RI_ORG), db_val(q, i, RI_ORG)))
            k++;
        if (remind(c, q, i, k) < 0) goto db_error;
        i = k;
    }
    /* A year of days is enough to show what was sent. */
    if (!db_q0(c->db, c->a, "reminders_trim", "DELETE FROM reminder_emails WHERE day < current_date - 400")) goto db_error;
    return JOB_DONE;
db_error:
    c->error = db_last_message(c->db);
    return JOB_RETRY;
}
