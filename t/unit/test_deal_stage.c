/* test_deal_stage.c — the deal stage machine: the full 8×8 move table, names, 409 text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/core/buf.h"
#include "../../src/domain/deal_stage.h"
#include "unit.h"

/* Rows: from; columns: to, in enum order
 * (inbound negotiating contracted in_progress delivered invoiced paid lost). */
static const char *const moves[DEAL_STAGE_COUNT] = {
    /* inbound     */ ".x.....x",
    /* negotiating */ "..x....x",
    /* contracted  */ ".x.x...x",
    /* in_progress */ "..x.x..x",
    /* delivered   */ "...x.x.x",
    /* invoiced    */ "....x.xx",
    /* paid        */ "........",
    /* lost        */ "xx......",
};

static void test_every_move_of_the_8x8_table(void **state)
{
    for (unsigned f = 0; f < DEAL_STAGE_COUNT; f++)
        for (unsigned t = 0; t < DEAL_STAGE_COUNT; t++)
            if (deal_stage_can_move(f, t) != (moves[f][t] == 'x'))
                fail_msg("%s -> %s: want %s", deal_stage_name(f), deal_stage_name(t),
                         moves[f][t] == 'x' ? "allowed" : "refused");
}

static void test_allowed_moves_list_matches_the_table(void **state)
{
    for (unsigned f = 0; f < DEAL_STAGE_COUNT; f++) {
        enum deal_stage out[DEAL_STAGE_COUNT];
        size_t n = deal_stage_allowed_moves(f, out), want = 0;
        for (unsigned t = 0; t < DEAL_STAGE_COUNT; t++) {
            if (moves[f][t] != 'x') continue;
            assert_true(want < n);
            assert_int_equal(out[want++], t);
        }
        assert_int_equal(n, want);
    }
}

static void test_describe_moves_for_the_409_message(void **state)
{
    static const struct {
        enum deal_stage from;
        const char *want;
    } cases[] = {
        { DEAL_STAGE_INBOUND, "negotiating, lost" },
        { DEAL_STAGE_CONTRACTED, "negotiating, in_progress, lost" },
        { DEAL_STAGE_INVOICED, "delivered, paid, lost" },
        { DEAL_STAGE_PAID, "none" },
        { DEAL_STAGE_LOST, "inbound, negotiating" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b;
        buf_init(&b, &A, 16);
        deal_stage_describe_moves(&b, cases[i].from);
        assert_str(buf_str(&b), cases[i].want);
    }
}

static void test_names_round_trip_and_strangers_are_refused(void **state)
{
    for (unsigned s = 0; s < DEAL_STAGE_COUNT; s++) {
        enum deal_stage got;
        assert_true(deal_stage_parse(str_from(deal_stage_name(s)), &got));
        assert_int_equal(got, s);
        assert_true(strlen(deal_stage_label(s)) > 0);
    }
    static const char *const bad[] = { "", "Inbound", "INBOUND", "in progress", "won", "paid ", "lost\n" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum deal_stage got = DEAL_STAGE_PAID;
        assert_false(deal_stage_parse(str_from(bad[i]), &got));
        assert_int_equal(got, DEAL_STAGE_PAID);
    }
    assert_string_equal(deal_stage_label(DEAL_STAGE_IN_PROGRESS), "In progress");
    assert_string_equal(deal_stage_name(DEAL_STAGE_COUNT), "");
    assert_string_equal(deal_stage_label((enum deal_stage)-1), "");
}

static void test_out_of_range_stages_never_move(void **state)
{
    assert_false(deal_stage_can_move(DEAL_STAGE_COUNT, DEAL_STAGE_INBOUND));
    assert_false(deal_stage_can_move(DEAL_STAGE_INBOUND, DEAL_STAGE_COUNT));
    assert_false(deal_stage_can_move((enum deal_stage)-1, DEAL_STAGE_LOST));
    enum deal_stage out[DEAL_STAGE_COUNT];
    assert_int_equal(deal_stage_allowed_moves(DEAL_STAGE_COUNT, out), 0);
}

static void test_open_stages(void **state)
{
    for (unsigned s = 0; s < DEAL_STAGE_COUNT; s++)
        assert_int_equal(deal_stage_is_open(s), s != DEAL_STAGE_PAID && s != DEAL_STAGE_LOST);
    assert_false(deal_stage_is_open(DEAL_STAGE_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_move_of_the_8x8_table),
        cmocka_unit_test(test_allowed_moves_list_matches_the_table),
        cmocka_unit_test(test_describe_moves_for_the_409_message),
        cmocka_unit_test(test_names_round_trip_and_strangers_are_refused),
        cmocka_unit_test(test_out_of_range_stages_never_move),
        cmocka_unit_test(test_open_stages),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
