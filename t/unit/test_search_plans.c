/* test_search_plans.c — a worker's memory of its calls searches' plans: a choice comes
 * back under its own key only, with its detail, until its time is up or it is
 * forgotten; a new choice replaces the old; a full table forgets its oldest choices,
 * never mixes two keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../src/app/calls/search_plans.h"
#include "unit.h"

#define T0 INT64_C(1000000000)

/* The choice under key at now, its detail ignored. */
static int get(str key, int64_t now)
{
    int64_t detail;
    return search_plans_get(key, now, &detail);
}

static void put(str key, int choice, int64_t now) { search_plans_put(key, choice, 0, now); }

static void test_a_choice_comes_back_under_its_key_only(void **state)
{
    put(STR("org-1\n51\nnMartinez\n-"), 1, T0);
    put(STR("org-1\n51\nnLuis Torres\n-"), 0, T0);
    assert_int_equal(get(STR("org-1\n51\nnMartinez\n-"), T0 + 1), 1);
    assert_int_equal(get(STR("org-1\n51\nnLuis Torres\n-"), T0 + 1), 0);
    assert_int_equal(get(STR("org-2\n51\nnMartinez\n-"), T0 + 1), -1);
    assert_int_equal(get(STR("org-1\n51\nnMartine\n-"), T0 + 1), -1);
    assert_int_equal(get(STR("org-1\n51\nnMartinez\n-x"), T0 + 1), -1);
    put(STR("org-1\n51\nnMartinez\n-"), 0, T0 + 2);
    assert_int_equal(get(STR("org-1\n51\nnMartinez\n-"), T0 + 3), 0);
    put(STR("org-1\n51\nnMartinez\n-"), 2, T0 + 4); /* any choice the caller numbers */
    assert_int_equal(get(STR("org-1\n51\nnMartinez\n-"), T0 + 5), 2);
}

static void test_a_choice_is_kept_for_its_time_only(void **state)
{
    put(STR("org-1\n51\n-\nqrefund"), 1, T0);
    assert_int_equal(get(STR("org-1\n51\n-\nqrefund"), T0 + SEARCH_PLANS_KEEP_US), 1);
    assert_int_equal(get(STR("org-1\n51\n-\nqrefund"), T0 + SEARCH_PLANS_KEEP_US + 1), -1);
    assert_int_equal(get(STR("org-1\n51\n-\nqrefund"), T0 - 1), -1); /* a clock that went back */
    put(STR("org-1\n51\n-\nqrefund"), 1, T0 + SEARCH_PLANS_KEEP_US + 1);
    assert_int_equal(get(STR("org-1\n51\n-\nqrefund"), T0 + SEARCH_PLANS_KEEP_US + 2), 1);
}

static void test_a_full_table_forgets_the_oldest_and_never_mixes(void **state)
{
    char key[32];
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "k%03d", i);
        put(str_make(key, strlen(key)), i % 2 == 0 ? 1 : 0, T0 + i);
    }
    int kept = 0, oldest_kept = 200;
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "k%03d", i);
        int got = get(str_make(key, strlen(key)), T0 + 200);
        if (got < 0) continue;
        kept++;
        if (i < oldest_kept) oldest_kept = i;
        assert_int_equal(got, i % 2 == 0);
    }
    assert_true(kept > 0 && kept < 200);
    assert_int_equal(oldest_kept, 200 - kept); /* the newest are the ones kept */
    assert_int_equal(get(STR("k199"), T0 + 200), 0);
}

static void test_a_detail_comes_back_and_a_choice_can_be_forgotten(void **state)
{
    int64_t detail = -1;
    search_plans_put(STR("org-1\n51\nnQuarry\n-"), 4, INT64_C(1234567890123), T0);
    assert_int_equal(search_plans_get(STR("org-1\n51\nnQuarry\n-"), T0 + 1, &detail), 4);
    assert_true(detail == INT64_C(1234567890123));
    assert_int_equal(search_plans_get(STR("org-1\n51\nnQuarr\n-"), T0 + 1, &detail), -1);
    assert_true(detail == 0);
    put(STR("org-1\n51\nnOther\n-"), 1, T0);
    search_plans_forget(STR("org-1\n51\nnQuarry\n-"));
    search_plans_forget(STR("org-1\n51\nnNever\n-")); /* nothing to forget */
    assert_int_equal(get(STR("org-1\n51\nnQuarry\n-"), T0 + 2), -1);
    assert_int_equal(get(STR("org-1\n51\nnOther\n-"), T0 + 2), 1);
    search_plans_put(STR("org-1\n51\nnQuarry\n-"), 4, 7, T0 + 3); /* its slot is free again */
    assert_int_equal(search_plans_get(STR("org-1\n51\nnQuarry\n-"), T0 + 4, &detail), 4);
    assert_true(detail == 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_choice_comes_back_under_its_key_only),
        cmocka_unit_test(test_a_choice_is_kept_for_its_time_only),
        cmocka_unit_test(test_a_full_table_forgets_the_oldest_and_never_mixes),
        cmocka_unit_test(test_a_detail_comes_back_and_a_choice_can_be_forgotten),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
