/* deal_stage.c — the deal pipeline's state machine. */
#include "deal_stage.h"

#include "../core/buf.h"

static const struct {
    const char *name;
    const char *label;
} stages[DEAL_STAGE_COUNT] = {
    [DEAL_STAGE_INBOUND] = { "inbound", "Inbound" },
    [DEAL_STAGE_NEGOTIATING] = { "negotiating", "Negotiating" },
    [DEAL_STAGE_CONTRACTED] = { "contracted", "Contracted" },
    [DEAL_STAGE_IN_PROGRESS] = { "in_progress", "In progress" },
    [DEAL_STAGE_DELIVERED] = { "delivered", "Delivered" },
    [DEAL_STAGE_INVOICED] = { "invoiced", "Invoiced" },
    [DEAL_STAGE_PAID] = { "paid", "Paid" },
    [DEAL_STAGE_LOST] = { "lost", "Lost" },
};

static bool valid(enum deal_stage s)
{
    return (unsigned)s < DEAL_STAGE_COUNT;
}

bool deal_stage_parse(str name, enum deal_stage *out)
{
    for (unsigned i = 0; i < DEAL_STAGE_COUNT; i++) {
        if (str_eq_cstr(name, stages[i].name)) {
            *out = (enum deal_stage)i;
            return true;
        }
    }
    return false;
}

const char *deal_stage_name(enum deal_stage s)
{
    return valid(s) ? stages[s].name : "";
}

const char *deal_stage_label(enum deal_stage s)
{
    return valid(s) ? stages[s].label : "";
}

bool deal_stage_is_open(enum deal_stage s)
{
    return valid(s) && s != DEAL_STAGE_PAID && s != DEAL_STAGE_LOST;
}

bool deal_stage_can_move(enum deal_stage from, enum deal_stage to)
{
    if (!valid(from) || !valid(to) || from == to) return false;
    if (from == DEAL_STAGE_LOST)
        /* A lost deal that comes back starts over, or resumes talks. */
        return to == DEAL_STAGE_INBOUND || to == DEAL_STAGE_NEGOTIATING;
    if (from == DEAL_STAGE_PAID) return false;
    if (to == DEAL_STAGE_LOST) return true;
    if (to == from + 1) return true;
    /* One step back undoes a mistaken move or reopens work (revisions, a withdrawn
     * invoice); never back to inbound, which would mean the talks never happened. */
    return to + 1 == from && to != DEAL_STAGE_INBOUND;
}

size_t deal_stage_allowed_moves(enum deal_stage from, enum deal_stage out[DEAL_STAGE_COUNT])
{
    size_t n = 0;
    for (unsigned to = 0; to < DEAL_STAGE_COUNT; to++)
        if (deal_stage_can_move(from, (enum deal_stage)to)) out[n++] = (enum deal_stage)to;
    return n;
}

void deal_stage_describe_moves(struct buf *b, enum deal_stage from)
{
    enum deal_stage to[DEAL_STAGE_COUNT];
    size_t n = deal_stage_allowed_moves(from, to);
    if (n == 0) {
        buf_puts(b, "none");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i) buf_puts(b, ", ");
        buf_puts(b, stages[to[i]].name);
    }
}
