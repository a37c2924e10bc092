/* risk.c — deal risk scoring (the table is in risk.h). */
#include "risk.h"

#include "../core/buf.h"

static const char *const level_names[] = { "low", "med", "high" };
static const char *const code_names[RISK_REASON_COUNT] = {
    [RISK_OVERDUE_PAYMENT] = "overdue_payment",
    [RISK_DISPUTED_PAYMENT] = "disputed_payment",
    [RISK_LATE_DELIVERABLE] = "late_deliverable",
    [RISK_EXCLUSIVITY_CONFLICT] = "exclusivity_conflict",
    [RISK_NO_CONTRACT] = "no_contract",
    [RISK_REVISIONS_OVER_LIMIT] = "revisions_over_limit",
    [RISK_NEXT_ACTION_OVERDUE] = "next_action_overdue",
};

static void add(struct arena *a, struct risk_result *r, enum risk_reason_code code, int points,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(struct arena *a, struct risk_result *r, enum risk_reason_code code, int points,
                const char *fmt, ...)
{
    struct buf b;
    va_list ap;
    buf_init(&b, a, 48);
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    r->reasons[r->n_reasons++] = (struct risk_reason){ code, points, buf_str(&b) };
    r->score += points;
}

static const char *plural(unsigned n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void risk_assess(struct arena *a, const struct risk_input *in, struct risk_result *out)
{
    *out = (struct risk_result){ .level = RISK_LOW };
    if (in->stage == DEAL_STAGE_LOST || in->archived) return;
    if (in->overdue_payments)
        add(a, out, RISK_OVERDUE_PAYMENT, 3, "%u overdue %s", in->overdue_payments,
            plural(in->overdue_payments, "payment", "payments"));
    if (in->disputed_payments)
        add(a, out, RISK_DISPUTED_PAYMENT, 3, "%u disputed %s", in->disputed_payments,
            plural(in->disputed_payments, "payment", "payments"));
    if (in->late_deliverables)
        add(a, out, RISK_LATE_DELIVERABLE, 3, "%u late %s", in->late_deliverables,
            plural(in->late_deliverables, "deliverable", "deliverables"));
    if (in->exclusivity_conflicts)
        add(a, out, RISK_EXCLUSIVITY_CONFLICT, 2, "exclusivity conflict with %u other %s",
            in->exclusivity_conflicts, plural(in->exclusivity_conflicts, "deal", "deals"));
    if (!in->contract_signed && in->stage >= DEAL_STAGE_IN_PROGRESS && in->stage <= DEAL_STAGE_INVOICED)
        add(a, out, RISK_NO_CONTRACT, 2, "no signed contract while %s",
            in->stage == DEAL_STAGE_IN_PROGRESS ? "in progress" : deal_stage_name(in->stage));
    if (in->has_revision_limit && in->revisions_used > in->revision_limit)
        add(a, out, RISK_REVISIONS_OVER_LIMIT, 1, "revisions over limit (%d of %d)", in->revisions_used,
            in->revision_limit);
    if (in->has_next_action_due && in->next_action_due_at < in->now && deal_stage_is_open(in->stage))
        add(a, out, RISK_NEXT_ACTION_OVERDUE, 1, "next action overdue");
    out->level = risk_level_for_score(out->score);
}

enum risk_level risk_level_for_score(int score)
{
    return score >= 3 ? RISK_HIGH : score >= 1 ? RISK_MED : RISK_LOW;
}

const char *risk_level_name(enum risk_level l)
{
    return (unsigned)l < sizeof level_names / sizeof level_names[0] ? level_names[l] : "";
}

bool risk_level_parse(str name, enum risk_level *out)
{
    for (unsigned i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (str_eq_cstr(name, level_names[i])) {
            *out = (enum risk_level)i;
            return true;
        }
    }
    return false;
}

const char *risk_reason_code_name(enum risk_reason_code c)
{
    return (unsigned)c < RISK_REASON_COUNT ? code_names[c] : "";
}
