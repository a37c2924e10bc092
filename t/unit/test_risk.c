/* test_risk.c — risk scoring: each finding's points and text, the level thresholds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/domain/risk.h"
#include "unit.h"

#define NOW INT64_C(1741600000)

static struct risk_input calm(void)
{
    return (struct risk_input){ .stage = DEAL_STAGE_IN_PROGRESS, .contract_signed = true,
                                .has_revision_limit = true, .revision_limit = 2, .revisions_used = 2,
                                .has_next_action_due = true, .next_action_due_at = NOW, .now = NOW };
}

static void test_each_finding_alone(void **state)
{
    static const struct {
        int which;
        enum risk_reason_code code;
        int points;
        enum risk_level level;
        const char *text;
    } cases[] = {
        { 0, RISK_OVERDUE_PAYMENT, 3, RISK_HIGH, "1 overdue payment" },
        { 1, RISK_OVERDUE_PAYMENT, 3, RISK_HIGH, "2 overdue payments" },
        { 2, RISK_DISPUTED_PAYMENT, 3, RISK_HIGH, "1 disputed payment" },
        { 3, RISK_LATE_DELIVERABLE, 3, RISK_HIGH, "3 late deliverables" },
        { 4, RISK_EXCLUSIVITY_CONFLICT, 2, RISK_MED, "exclusivity conflict with 1 other deal" },
        { 5, RISK_NO_CONTRACT, 2, RISK_MED, "no signed contract while in progress" },
        { 6, RISK_REVISIONS_OVER_LIMIT, 1, RISK_MED, "revisions over limit (3 of 2)" },
        { 7, RISK_NEXT_ACTION_OVERDUE, 1, RISK_MED, "next action overdue" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct risk_input in = calm();
        switch (cases[i].which) {
        case 0: in.overdue_payments = 1; break;
        case 1: in.overdue_payments = 2; break;
        case 2: in.disputed_payments = 1; break;
        case 3: in.late_deliverables = 3; break;
        case 4: in.exclusivity_conflicts = 1; break;
        case 5: in.contract_signed = false; break;
        case 6: in.revisions_used = 3; break;
        case 7: in.next_action_due_at = NOW - 1; break;
        }
        struct risk_result r;
        risk_assess(&A, &in, &r);
        assert_int_equal(r.n_reasons, 1);
        assert_int_equal(r.reasons[0].code, cases[i].code);
        assert_int_equal(r.reasons[0].points, cases[i].points);
        assert_int_equal(r.score, cases[i].points);
        assert_int_equal(r.level, cases[i].level);
        assert_str(r.reasons[0].text, cases[i].text);
    }
}

static void test_calm_deal_is_low_at_every_boundary(void **state)
{
    /* Revisions at the limit, next action due exactly now: neither counts yet. */
    struct risk_input in = calm();
    struct risk_result r;
    risk_assess(&A, &in, &r);
    assert_int_equal(r.level, RISK_LOW);
    assert_int_equal(r.n_reasons, 0);
    in.has_revision_limit = false;
    in.revisions_used = 50;
    in.has_next_action_due = false;
    risk_assess(&A, &in, &r);
    assert_int_equal(r.level, RISK_LOW);
}

static void test_no_contract_only_counts_while_work_is_under_way(void **state)
{
    for (unsigned s = 0; s < DEAL_STAGE_COUNT; s++) {
        struct risk_input in = calm();
        in.stage = s;
        in.contract_signed = false;
        struct risk_result r;
        risk_assess(&A, &in, &r);
        bool want = s >= DEAL_STAGE_IN_PROGRESS && s <= DEAL_STAGE_INVOICED;
        assert_int_equal(r.n_reasons, want ? 1 : 0);
    }
    struct risk_input in = calm();
    in.stage = DEAL_STAGE_INVOICED;
    in.contract_signed = false;
    struct risk_result r;
    risk_assess(&A, &in, &r);
    assert_str(r.reasons[0].text, "no signed contract while invoiced");
}

static void test_points_add_up_in_table_order(void **state)
{
    struct risk_input in = calm();
    in.revisions_used = 4;
    in.next_action_due_at = NOW - 86400;
    struct risk_result r;
    risk_assess(&A, &in, &r);
    assert_int_equal(r.score, 2);
    assert_int_equal(r.level, RISK_MED);
    in.exclusivity_conflicts = 2;
    in.overdue_payments = 1;
    risk_assess(&A, &in, &r);
    assert_int_equal(r.score, 7);
    assert_int_equal(r.level, RISK_HIGH);
    assert_int_equal(r.n_reasons, 4);
    assert_int_equal(r.reasons[0].code, RISK_OVERDUE_PAYMENT);
    assert_int_equal(r.reasons[1].code, RISK_EXCLUSIVITY_CONFLICT);
    assert_str(r.reasons[1].text, "exclusivity conflict with 2 other deals");
    assert_int_equal(r.reasons[3].code, RISK_NEXT_ACTION_OVERDUE);
}

static void test_lost_or_archived_is_low_and_paid_keeps_money_findings(void **state)
{
    struct risk_input in = calm();
    in.overdue_payments = 3;
    in.late_deliverables = 1;
    in.stage = DEAL_STAGE_LOST;
    struct risk_result r;
    risk_assess(&A, &in, &r);
    assert_int_equal(r.level, RISK_LOW);
    assert_int_equal(r.n_reasons, 0);
    in.stage = DEAL_STAGE_IN_PROGRESS;
    in.archived = true;
    risk_assess(&A, &in, &r);
    assert_int_equal(r.level, RISK_LOW);
    /* A paid deal can still carry a chargeback dispute; a stale next action does not matter. */
    in = calm();
    in.stage = DEAL_STAGE_PAID;
    in.disputed_payments = 1;
    in.next_action_due_at = NOW - 10;
    risk_assess(&A, &in, &r);
    assert_int_equal(r.n_reasons, 1);
    assert_int_equal(r.reasons[0].code, RISK_DISPUTED_PAYMENT);
}

static void test_levels_and_names(void **state)
{
    static const enum risk_level want[] = { RISK_LOW, RISK_MED, RISK_MED, RISK_HIGH, RISK_HIGH };
    for (int s = 0; s < 5; s++) assert_int_equal(risk_level_for_score(s), want[s]);
    assert_int_equal(risk_level_for_score(100), RISK_HIGH);
    for (unsigned l = RISK_LOW; l <= RISK_HIGH; l++) {
        enum risk_level got;
        assert_true(risk_level_parse(str_from(risk_level_name(l)), &got));
        assert_int_equal(got, l);
    }
    enum risk_level got;
    assert_false(risk_level_parse(STR("medium"), &got));
    assert_string_equal(risk_level_name((enum risk_level)3), "");
    assert_string_equal(risk_reason_code_name(RISK_NO_CONTRACT), "no_contract");
    assert_string_equal(risk_reason_code_name(RISK_REASON_COUNT), "");
    for (unsigned c = 0; c < RISK_REASON_COUNT; c++) assert_true(strlen(risk_reason_code_name(c)) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_finding_alone),
        cmocka_unit_test(test_calm_deal_is_low_at_every_boundary),
        cmocka_unit_test(test_no_contract_only_counts_while_work_is_under_way),
        cmocka_unit_test(test_points_add_up_in_table_order),
        cmocka_unit_test(test_lost_or_archived_is_low_and_paid_keeps_money_findings),
        cmocka_unit_test(test_levels_and_names),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
