/* deal_stage.h — the deal pipeline's state machine: stage names and the legal moves between them. */
#ifndef SB_DEAL_STAGE_H
#define SB_DEAL_STAGE_H
#include <stdbool.h>
#include <stddef.h>
#include "../core/str.h"
struct buf;

/* In pipeline order; the board shows columns in this order. */
enum deal_stage {
    DEAL_STAGE_INBOUND,
    DEAL_STAGE_NEGOTIATING,
    DEAL_STAGE_CONTRACTED,
    DEAL_STAGE_IN_PROGRESS,
    DEAL_STAGE_DELIVERED,
    DEAL_STAGE_INVOICED,
    DEAL_STAGE_PAID,
    DEAL_STAGE_LOST,
    DEAL_STAGE_COUNT
};

/* Exact lower-case name ("in_progress") to stage; false for anything else. */
bool deal_stage_parse(str name, enum deal_stage *out);
/* The stored name ("in_progress"), or "" for an out-of-range value. */
const char *deal_stage_name(enum deal_stage s);
/* The label people read ("In progress"), or "" for an out-of-range value. */
const char *deal_stage_label(enum deal_stage s);
/* true if a deal may move from `from` to `to`: one step forward, one step back
 * (from contracted..invoiced), to lost from any open stage, and from lost back to inbound
 * or negotiating. Paid is final; staying in the same stage is not a move. */
bool deal_stage_can_move(enum deal_stage from, enum deal_stage to);
/* Writes the stages reachable from `from` into out (pipeline order); returns how many. */
size_t deal_stage_allowed_moves(enum deal_stage from, enum deal_stage out[DEAL_STAGE_COUNT]);
/* Appends the allowed moves as "negotiating, lost" (or "none") for a 409 message. */
void deal_stage_describe_moves(struct buf *b, enum deal_stage from);
/* true for stages whose deal is still running (not paid, not lost). */
bool deal_stage_is_open(enum deal_stage s);
#endif
