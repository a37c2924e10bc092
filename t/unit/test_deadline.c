/* test_deadline.c — deliverable deadline state and reason, around every threshold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/core/buf.h"
#include "../../src/domain/deadline.h"
#include "unit.h"

#define H 3600
#define D 86400
#define DUE INT64_C(1739613600) /* 2025-02-15T10:00:00Z */

/* A deliverable scheduled at DUE, not posted, evaluated at DUE - remaining. */
static const struct {
    int64_t remaining;
    enum deadline_state state;
    const char *reason;
} table[] = {
    { 10 * D, DEADLINE_ON_TRACK, "due in 10 days" },
    { 2 * D + 1, DEADLINE_ON_TRACK, "due in 2 days" },          /* one second past the threshold */
    { DEADLINE_DUE_SOON_S, DEADLINE_DUE_SOON, "due in 2 days" }, /* exactly 48 h: due soon */
    { DEADLINE_DUE_SOON_S - 1, DEADLINE_DUE_SOON, "due in 1 day" },
    { D, DEADLINE_DUE_SOON, "due in 1 day" },
    { D - 1, DEADLINE_DUE_SOON, "due in 23 hours" },
    { 3 * H, DEADLINE_DUE_SOON, "due in 3 hours" },
    { H, DEADLINE_DUE_SOON, "due in 1 hour" },
    { H - 1, DEADLINE_DUE_SOON, "due in 59 minutes" },
    { 60, DEADLINE_DUE_SOON, "due in 1 minute" },
    { 59, DEADLINE_DUE_SOON, "due in less than a minute" },
    { 1, DEADLINE_DUE_SOON, "due in less than a minute" },
    { 0, DEADLINE_DUE_SOON, "due now" },
    { -1, DEADLINE_LATE, "late by less than a minute" },       /* one second late */
    { -60, DEADLINE_LATE, "late by 1 minute" },
    { -120, DEADLINE_LATE, "late by 2 minutes" },
    { -H, DEADLINE_LATE, "late by 1 hour" },
    { -2 * H, DEADLINE_LATE, "late by 2 hours" },
    { -(D - 1), DEADLINE_LATE, "late by 23 hours" },
    { -D, DEADLINE_LATE, "late by 1 day" },
    { -(2 * D - 1), DEADLINE_LATE, "late by 1 day" },
    { -2 * D, DEADLINE_LATE, "late by 2 days" },
    { -400 * D, DEADLINE_LATE, "late by 400 days" },
};

static void test_state_and_reason_table(void **state)
{
    struct deadline_input in = { .has_scheduled = true, .scheduled_at = DUE };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        struct buf b;
        buf_init(&b, &A, 32);
        enum deadline_state st = deadline_evaluate(&in, DUE - table[i].remaining, &b);
        if (st != table[i].state)
            fail_msg("remaining %lld: got %s want %s", (long long)table[i].remaining, deadline_state_name(st),
                     deadline_state_name(table[i].state));
        assert_str(buf_str(&b), table[i].reason);
        assert_int_equal(deadline_evaluate(&in, DUE - table[i].remaining, NULL), table[i].state);
    }
}

static void test_posted_is_completed_even_when_late(void **state)
{
    struct deadline_input in = { .posted = true, .has_scheduled = true, .scheduled_at = DUE };
    struct buf b;
    buf_init(&b, &A, 16);
    assert_int_equal(deadline_evaluate(&in, DUE + 5 * D, &b), DEADLINE_COMPLETED);
    assert_str(buf_str(&b), "posted");
}

static void test_no_due_date_is_on_track(void **state)
{
    struct deadline_input in = { 0 };
    struct buf b;
    buf_init(&b, &A, 16);
    int64_t due = 7;
    assert_false(deadline_due_at(&in, &due));
    assert_int_equal(due, 7);
    assert_int_equal(deadline_evaluate(&in, DUE, &b), DEADLINE_ON_TRACK);
    assert_str(buf_str(&b), "no due date");
}

static void test_window_end_is_the_deadline_when_set(void **state)
{
    /* Scheduled time already past, but the posting window is still open: not late. */
    struct deadline_input in = { .has_scheduled = true, .scheduled_at = DUE - 10 * H,
                                 .has_window_end = true, .window_end = DUE };
    int64_t due;
    assert_true(deadline_due_at(&in, &due));
    assert_int_equal(due, DUE);
    struct buf b;
    buf_init(&b, &A, 16);
    assert_int_equal(deadline_evaluate(&in, DUE - 3 * H, &b), DEADLINE_DUE_SOON);
    assert_str(buf_str(&b), "due in 3 hours");
    in.has_scheduled = false;
    assert_int_equal(deadline_evaluate(&in, DUE + 1, NULL), DEADLINE_LATE);
}

static void test_state_names(void **state)
{
    assert_string_equal(deadline_state_name(DEADLINE_COMPLETED), "completed");
    assert_string_equal(deadline_state_name(DEADLINE_ON_TRACK), "on_track");
    assert_string_equal(deadline_state_name(DEADLINE_DUE_SOON), "due_soon");
    assert_string_equal(deadline_state_name(DEADLINE_LATE), "late");
    assert_string_equal(deadline_state_name((enum deadline_state)4), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_and_reason_table),
        cmocka_unit_test(test_posted_is_completed_even_when_late),
        cmocka_unit_test(test_no_due_date_is_on_track),
        cmocka_unit_test(test_window_end_is_the_deadline_when_set),
        cmocka_unit_test(test_state_names),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
