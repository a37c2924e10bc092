/* deal_notes.h — notes on a deal: what the deal page shows of them (its "Notes"
 * card, filled from deals.c) and the notes' own pages and JSON (deals_routes.c). */
#ifndef SB_DEAL_NOTES_H
#define SB_DEAL_NOTES_H
#include <stdbool.h>
#include "../../core/str.h"
struct request;
struct tdict;
struct field_errors;

/* {{>NOTES}} on the deal page d: the deal's notes, newest first, each with its
 * author and time (edit and delete links for its author and admins), and the
 * add form when may_add, holding typed and e's message (both may be empty/NULL).
 * Returns 0 or the database's status. */
int deal_notes_fill(struct request *r, struct tdict *d, str deal_id, bool may_add, str typed,
                    const struct field_errors *e);

int deal_note_create(struct request *r);
int api_deal_notes(struct request *r);
int deal_note_edit_form(struct request *r);
int deal_note_update(struct request *r);
int deal_note_delete_confirm(struct request *r);
int deal_note_delete(struct request *r);
#endif
