/* campaign_status.c — the campaign status machine. */
#include "campaign_status.h"

static const struct {
    const char *name, *label;
} statuses[CAMPAIGN_STATUS_COUNT] = {
    [CAMPAIGN_DRAFT] = { "draft", "Draft" },           [CAMPAIGN_SCHEDULED] = { "scheduled", "Scheduled" },
    [CAMPAIGN_RUNNING] = { "running", "Running" },     [CAMPAIGN_PAUSED] = { "paused", "Paused" },
    [CAMPAIGN_COMPLETED] = { "completed", "Completed" }, [CAMPAIGN_CANCELED] = { "canceled", "Canceled" },
    [CAMPAIGN_FAILED] = { "failed", "Failed" },
};

static const char *const actions[CAMPAIGN_ACTION_COUNT] = {
    [CAMPAIGN_LAUNCH] = "launch", [CAMPAIGN_PAUSE] = "pause", [CAMPAIGN_RESUME] = "resume", [CAMPAIGN_CANCEL] = "cancel",
};

/* moves[from] has bit `to` set when the move is allowed. */
#define B(s) (1u << (s))
static const unsigned moves[CAMPAIGN_STATUS_COUNT] = {
    [CAMPAIGN_DRAFT] = B(CAMPAIGN_SCHEDULED) | B(CAMPAIGN_RUNNING),
    [CAMPAIGN_SCHEDULED] = B(CAMPAIGN_RUNNING) | B(CAMPAIGN_PAUSED) | B(CAMPAIGN_CANCELED),
    [CAMPAIGN_RUNNING] = B(CAMPAIGN_PAUSED) | B(CAMPAIGN_COMPLETED) | B(CAMPAIGN_FAILED) | B(CAMPAIGN_CANCELED),
    [CAMPAIGN_PAUSED] = B(CAMPAIGN_RUNNING) | B(CAMPAIGN_SCHEDULED) | B(CAMPAIGN_CANCELED),
};

bool campaign_status_parse(str name, enum campaign_status *out)
{
    for (unsigned i = 0; i < CAMPAIGN_STATUS_COUNT; i++) {
        if (str_eq_cstr(name, statuses[i].name)) {
            *out = (enum campaign_status)i;
            return true;
        }
    }
    return false;
}

const char *campaign_status_name(enum campaign_status s)
{
    return (unsigned)s < CAMPAIGN_STATUS_COUNT ? statuses[s].name : "";
}

const char *campaign_status_label(enum campaign_status s)
{
    return (unsigned)s < CAMPAIGN_STATUS_COUNT ? statuses[s].label : "";
}

const char *campaign_action_name(enum campaign_action a)
{
    return (unsigned)a < CAMPAIGN_ACTION_COUNT ? actions[a] : "";
}

bool campaign_action_parse(str name, enum campaign_action *out)
{
    for (unsigned i = 0; i < CAMPAIGN_ACTION_COUNT; i++) {
        if (str_eq_cstr(name, actions[i])) {
            *out = (enum campaign_action)i;
            return true;
        }
    }
    return false;
}

bool campaign_status_can_move(enum campaign_status from, enum campaign_status to)
{
    if ((unsigned)from >= CAMPAIGN_STATUS_COUNT || (unsigned)to >= CAMPAIGN_STATUS_COUNT) return false;
    return (moves[from] & B(to)) != 0;
}

bool campaign_action_target(enum campaign_status from, enum campaign_action a, bool starts_later,
                            enum campaign_status *to)
{
    enum campaign_status t;
    switch (a) {
    case CAMPAIGN_LAUNCH:
        if (from != CAMPAIGN_DRAFT) return false;
        t = starts_later ? CAMPAIGN_SCHEDULED : CAMPAIGN_RUNNING;
        break;
    case CAMPAIGN_PAUSE: t = CAMPAIGN_PAUSED; break;
    case CAMPAIGN_RESUME:
        if (from != CAMPAIGN_PAUSED) return false;
        t = starts_later ? CAMPAIGN_SCHEDULED : CAMPAIGN_RUNNING;
        break;
    case CAMPAIGN_CANCEL: t = CAMPAIGN_CANCELED; break;
    default: return false;
    }
    if (!campaign_status_can_move(from, t)) return false;
    *to = t;
    return true;
}

bool campaign_status_editable(enum campaign_status s)
{
    return s == CAMPAIGN_DRAFT;
}

bool campaign_status_final(enum campaign_status s)
{
    return s == CAMPAIGN_COMPLETED || s == CAMPAIGN_CANCELED || s == CAMPAIGN_FAILED;
}
