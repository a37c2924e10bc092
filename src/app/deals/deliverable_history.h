/* deliverable_history.h — a deliverable's deadline changes (old date, new date,
 * reason, author), the feedback items of its rejections and the revisions that
 * answer them (deliverable_history.c). deliverables.c calls these in its writes. */
#ifndef SB_DELIVERABLE_HISTORY_H
#define SB_DELIVERABLE_HISTORY_H
#include <stdbool.h>
#include "../../core/str.h"
struct request;
struct tdict;
struct json_object;
struct field_errors;

/* Whether saving scheduled_at / posting_window_end (local times as the form sends
 * them, "" for none) moves a deadline that was set: *moved. Returns 0 or a status. */
int deliverable_deadline_moved(struct request *r, str id, str scheduled, str window_end, bool *moved);
/* Records each set deadline the save moves, with reason and the caller as author;
 * call it before the UPDATE (it reads the old dates). Returns 0 or a status. */
int deliverable_reschedules_record(struct request *r, str id, str scheduled, str window_end, str reason);

/* The feedback items of a rejection: a JSON array of strings, or text with one item
 * per line (blank lines skipped). Errors on "feedback". *items is a JSON array. */
void deliverable_feedback_read(struct request *r, struct json_object **items, struct field_errors *e);
/* Stores them as the latest rejection's items (call after the rejection is written). */
int deliverable_feedback_record(struct request *r, str id, struct json_object *items);

/* The revision's answers ("answers": feedback item ids, a JSON array or repeated form
 * fields) and note ("revision_note"); checked against the deliverable's open items
 * (errors on "answers", "revision_note"). *answers is a JSON array of ids. */
void deliverable_revision_read(struct request *r, str id, struct json_object **answers, str *note, struct field_errors *e);
/* Records a revision (a submission after a rejection) answering those items. */
int deliverable_revision_record(struct request *r, str id, struct json_object *answers, str note);

/* Adds "reschedules", "feedback" and "revisions" to a deliverable's JSON. Returns 0
 * or a status. */
int deliverable_history_json(struct request *r, str id, struct json_object *o);
/* Fills the {{>DELIVERABLE_HISTORY}} include of the deal page. Returns 0 or a status. */
int deliverable_history_fill_page(struct request *r, struct tdict *d, str deal_id);
/* Fills the open feedback items as checkboxes (section OPEN_ITEM) of the revision form. */
int deliverable_open_feedback(struct request *r, struct tdict *d, str id, struct json_object *checked);
#endif
