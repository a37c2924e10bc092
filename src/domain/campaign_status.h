/* campaign_status.h — a campaign's statuses and the moves between them: what launch,
 * pause, resume and cancel may do from each status (anything else answers 409), and
 * which statuses allow editing and deleting. */
#ifndef SB_CAMPAIGN_STATUS_H
#define SB_CAMPAIGN_STATUS_H
#include <stdbool.h>
#include "../core/str.h"

enum campaign_status {
    CAMPAIGN_DRAFT,
    CAMPAIGN_SCHEDULED,
    CAMPAIGN_RUNNING,
    CAMPAIGN_PAUSED,
    CAMPAIGN_COMPLETED,
    CAMPAIGN_CANCELED,
    CAMPAIGN_FAILED,
    CAMPAIGN_STATUS_COUNT
};

/* What a user (or later the dispatch) asks of a campaign. */
enum campaign_action {
    CAMPAIGN_LAUNCH,
    CAMPAIGN_PAUSE,
    CAMPAIGN_RESUME,
    CAMPAIGN_CANCEL,
    CAMPAIGN_ACTION_COUNT
};

/* Exact name ("running") to status; false for anything else. */
bool campaign_status_parse(str name, enum campaign_status *out);
/* The stored name, or "" when out of range. */
const char *campaign_status_name(enum campaign_status s);
/* The label people read ("Scheduled"), or "". */
const char *campaign_status_label(enum campaign_status s);
/* The action's name as in its URL ("launch"), or "". */
const char *campaign_action_name(enum campaign_action a);
/* Exact name to action; false for anything else. */
bool campaign_action_parse(str name, enum campaign_action *out);

/* true if a campaign may move from `from` to `to`:
 *   draft → scheduled | running          (launch)
 *   scheduled → running | paused | canceled
 *   running → paused | completed | failed | canceled
 *   paused → running | scheduled | canceled (resume goes back to scheduled while the
 *                                            start time is still ahead)
 * completed, canceled and failed are final. */
bool campaign_status_can_move(enum campaign_status from, enum campaign_status to);
/* The status action a leads to from `from`; `starts_later` says the schedule time is
 * still ahead (launch and resume then give scheduled). false when a is not allowed
 * from `from` (the 409). */
bool campaign_action_target(enum campaign_status from, enum campaign_action a, bool starts_later,
                            enum campaign_status *to);
/* Only a draft's fields may change, and only a draft may be deleted: once launched,
 * its messages are made from what it said. */
bool campaign_status_editable(enum campaign_status s);
/* true for completed, canceled and failed. */
bool campaign_status_final(enum campaign_status s);
#endif
