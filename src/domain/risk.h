/* risk.h — a deal's risk level (low|med|high) with the reasons behind it.
 *
 * Scoring: each finding adds points; 0 is low, 1-2 med, 3 or more high.
 *   overdue payment (any)              3    money owed past its date
 *   disputed payment (any open)        3
 *   late deliverable (any)             3    a brand-facing promise already broken
 *   exclusivity conflict (any)         2    contractual exposure, not yet harm
 *   no signed contract at in_progress  2    work under way without paper
 *     or later (delivered, invoiced)
 *   revisions over the limit           1    scope creep: bill the extra fee
 *   next action overdue                1    the deal is being neglected
 * A lost or archived deal is low with no reasons: nobody acts on it any more. A paid
 * deal is still scored (a chargeback dispute matters), but its next action no longer is. */
#ifndef SB_RISK_H
#define SB_RISK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../core/str.h"
#include "deal_stage.h"
struct arena;

enum risk_level { RISK_LOW, RISK_MED, RISK_HIGH };

enum risk_reason_code {
    RISK_OVERDUE_PAYMENT,
    RISK_DISPUTED_PAYMENT,
    RISK_LATE_DELIVERABLE,
    RISK_EXCLUSIVITY_CONFLICT,
    RISK_NO_CONTRACT,
    RISK_REVISIONS_OVER_LIMIT,
    RISK_NEXT_ACTION_OVERDUE,
    RISK_REASON_COUNT
};

struct risk_input {
    enum deal_stage stage;
    bool archived;
    bool contract_signed;
    unsigned overdue_payments;      /* payment_is_overdue() */
    unsigned disputed_payments;
    unsigned late_deliverables;     /* deadline_evaluate() == DEADLINE_LATE */
    unsigned exclusivity_conflicts; /* exclusivity_conflicts() */
    bool has_revision_limit;
    int revision_limit;
    int revisions_used;
    bool has_next_action_due;
    int64_t next_action_due_at;     /* unix seconds */
    int64_t now;
};

struct risk_reason {
    enum risk_reason_code code;
    int points;
    str text; /* "2 overdue payments", "revisions over limit (4 of 3)" */
};

struct risk_result {
    enum risk_level level;
    int score;
    size_t n_reasons;
    struct risk_reason reasons[RISK_REASON_COUNT]; /* in the order of the table above */
};

/* Scores a deal; reason texts are allocated in the arena. */
void risk_assess(struct arena *a, const struct risk_input *in, struct risk_result *out);
/* The level for a score (0 low, 1-2 med, >= 3 high). */
enum risk_level risk_level_for_score(int score);
/* "low", "med", "high" ("" when out of range). */
const char *risk_level_name(enum risk_level l);
/* Exact name to level; false otherwise. */
bool risk_level_parse(str name, enum risk_level *out);
/* A stable code for a reason ("overdue_payment"), for JSON and filters. */
const char *risk_reason_code_name(enum risk_reason_code c);
#endif
