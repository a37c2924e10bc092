/* deal_common.h — what the deal pages and the brand, deliverable and payment pages
 * share: per-field history rows, loading a deal for a write (tenant, ownership and
 * version checks), answering a stale edit, and recomputing a deal's risk. */
#ifndef SB_DEAL_COMMON_H
#define SB_DEAL_COMMON_H
#include <stdbool.h>
#include <stdint.h>
#include "../../core/str.h"
struct request;
struct tdict;
struct exclusivity_conflict;
struct json_object;

/* One live deal as stored, every column as text ("" for SQL NULL unless noted), as
 * deal_load_for_write reads it. Arrays are JSON text (["a","b"]). */
struct deal_row {
    str id, org_id, title, brand_id, brand_name;
    str owner_id;            /* "" when nobody owns it */
    str stage, contract_status, deal_type;
    str value_minor, currency;
    str usage_rights_start, usage_rights_end;        /* YYYY-MM-DD or "" */
    str exclusivity_category;                        /* "" when no clause */
    str exclusivity_platforms;                       /* ["instagram","tiktok"] */
    str exclusivity_start, exclusivity_end;          /* YYYY-MM-DD or "" */
    str revision_limit;                              /* "" when no limit agreed */
    str revisions_used, revision_extra_fee_minor;
    str next_action, next_action_due_at;             /* due: ISO-8601 UTC or "" */
    str risk_level, risk_reasons;                    /* reasons: JSON array of texts */
    str tags, categories;                            /* JSON arrays of labels */
    bool has_affiliate_code;
    bool archived;
    bool deleted;                                    /* soft deleted (deal_load only) */
    long version;
    str created_at, updated_at;                      /* ISO-8601 UTC */
};

/* An amount of minor units of the currency code as the pages show it (display:
 * "$1,234.50") or as a form field holds it ("1234.50"); "" for an unknown currency. In
 * the request arena. */
const char *deal_money_text(struct request *r, int64_t minor, str code, bool display);

/* The options of a deal's brand and owner selects (form.h's form_select_add): the
 * org's live brands and its users, by name, brand_now and owner_now selected. Returns
 * the number of brands, or -1 when they could not be read. */
int deal_people_options(struct request *r, struct tdict *brand, struct tdict *owner, str brand_now, str owner_now);

/* "/deals/<id>", NUL-terminated in the request arena (where writes under a deal land). */
const char *deal_href(struct request *r, str deal_id);

/* Writes one deal_history row with action "update" for `field` of an entity
 * ("deal" | "deliverable" | "payment") in the request's transaction: who is the
 * session user (NULL user and the key's name as actor for API keys), ip is
 * r->remote_addr, at is now(). The row's deal_id is the deal itself, or the deal
 * the deliverable/payment belongs to (looked up, so call it after the child's
 * INSERT). old_value/new_value with a NULL ptr are stored as SQL NULL.
 * Returns 0, or an HTTP status (from the database error) for the handler to return. */
int deal_history_record(struct request *r, const char *entity, str entity_id, const char *field,
                        str old_value, str new_value);

/* Like deal_history_record, with action "create" | "delete" | "restore" and no
 * field or values: one row that says the whole entity was made, removed or put back. */
int deal_history_event(struct request *r, const char *entity, str entity_id, const char *action);

/* One deal_history_record per field whose old and new values differ (a NULL ptr
 * differs from ""; equal text is unchanged). Returns 0 or the first HTTP status. */
int deal_history_diff(struct request *r, const char *entity, str entity_id, const char *const *fields,
                      const str *old_values, const str *new_values, int n);

/* Locks (SELECT ... FOR UPDATE) the live deal deal_id of the current org and fills
 * *out. Returns 0; 404 when the id is malformed, absent, of another org or soft
 * deleted; 403 when the caller is a session agent who does not own the deal
 * (refused through app_forbid, which writes the audit row; API keys are judged by
 * their role: the route's minimum role and ROUTE_KEY_MANAGER do the rest); 409 when
 * expected_version >= 0 and differs from the stored version, with *out still filled
 * with the current values for the caller to show. */
int deal_load_for_write(struct request *r, str deal_id, long expected_version, struct deal_row *out);

/* Reads deal_id of the current org into *out, soft-deleted ones too (out->deleted),
 * locking it FOR UPDATE when lock. Returns 0, 404 (malformed, absent, another org)
 * or an HTTP status from the database. */
int deal_load(struct request *r, str deal_id, bool lock, struct deal_row *out);

/* true when the caller may read a soft-deleted deal and what belongs to it (its
 * deliverables and payments): managers and admins, sessions and keys (SPEC §1). */
bool deal_may_read_deleted(const struct request *r);

/* Whether the caller may read the deal deal_id of the current org: 0; 404 when the id
 * is malformed, absent, of another org, or soft deleted and the caller may not read
 * deleted deals (answered exactly as an absent id: nothing audited, nothing revealed);
 * or an HTTP status from the database. For reads of what belongs to a deal. */
int deal_readable(struct request *r, str deal_id);

/* true when the caller may change a deal owned by owner_id ("" when nobody):
 * managers and admins (sessions and keys), and a session agent who owns it. */
bool deal_may_write(const struct request *r, str owner_id);

/* The exclusivity conflicts of the live deal deal_id with the org's other active
 * deals (exclusivity.c); returns the count, *out an arena array (NULL when none;
 * also 0 on a database error, which the caller's next statement reports). */
size_t deal_exclusivity_conflicts(struct request *r, str deal_id, struct exclusivity_conflict **out);

/* A stale edit of entity ("deal" | "brand" | "deliverable" | "payment"), one shape
 * for all: 409 with error.code "conflict", error.fields.version saying why and
 * error.fields.current the stored row as the entity's GET/PATCH answers it (omitted
 * when current is NULL; taken over either way). Writes the JSON error and returns
 * REPLIED (app.h) for the caller to return. */
int deal_stale_reply_json(struct request *r, const char *entity, struct json_object *current);

/* The notice above an edit form re-rendered (409) with the stored values after a
 * stale edit of entity, in the request arena. */
const char *deal_stale_form_notice(struct request *r, const char *entity);

/* The notice above a page shown as it is now (409) after a stale action on entity
 * (a stage move, a deliverable or payment action), in the request arena. */
const char *deal_stale_page_notice(struct request *r, const char *entity);

/* Recomputes deal_id's risk_level and risk_reasons (src/domain/risk.c) from the
 * deal, its live deliverables (deadline.c), its live payments (payment_status.c,
 * overdue in the org's time zone; open disputes) and exclusivity conflicts with the
 * org's other active deals (exclusivity.c), and UPDATEs the deal only when they
 * changed (neither version nor updated_at move: risk is derived, not an edit).
 * Call it after every write to a deal or to one of its deliverables or payments.
 * Returns 0 (also when the deal is absent or deleted), or an HTTP status. */
int deal_risk_refresh(struct request *r, str deal_id);
#endif
