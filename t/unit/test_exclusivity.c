/* test_exclusivity.c — conflicts need the same category, a shared platform and an
 * overlapping inclusive window (touching on one day overlaps), among active deals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/domain/civil_date.h"
#include "../../src/domain/exclusivity.h"
#include "unit.h"

static int64_t day(unsigned m, unsigned d)
{
    return civil_days_from_ymd(2025, m, d);
}

static struct exclusivity_deal mine(void)
{
    return (struct exclusivity_deal){ STR("d-mine"), STR("Mine"), DEAL_STAGE_CONTRACTED, false, false, true,
                                      STR("beauty"), EXCL_INSTAGRAM | EXCL_TIKTOK, day(3, 1), day(3, 31) };
}

static struct exclusivity_deal other(void)
{
    return (struct exclusivity_deal){ STR("d-other"), STR("Glow"), DEAL_STAGE_IN_PROGRESS, false, false, true,
                                      STR("beauty"), EXCL_INSTAGRAM, day(3, 10), day(4, 10) };
}

static size_t count(const struct exclusivity_deal *o)
{
    struct exclusivity_deal m = mine();
    struct exclusivity_conflict *c;
    return exclusivity_conflicts(&A, &m, o, 1, &c);
}

static void test_overlap_table(void **state)
{
    static const struct {
        unsigned sm, sd, em, ed;
        size_t want;
    } windows[] = {
        { 3, 31, 4, 30, 1 }, /* starts the day mine ends: touching counts */
        { 2, 1, 3, 1, 1 },   /* ends the day mine starts */
        { 4, 1, 4, 30, 0 },  /* starts the day after */
        { 2, 1, 2, 28, 0 },  /* ends the day before */
        { 3, 5, 3, 6, 1 },   /* inside */
        { 1, 1, 12, 31, 1 }, /* around */
        { 3, 15, 3, 15, 1 }, /* one day inside */
    };
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
        struct exclusivity_deal o = other();
        o.start_day = day(windows[i].sm, windows[i].sd);
        o.end_day = day(windows[i].em, windows[i].ed);
        if (count(&o) != windows[i].want) fail_msg("window %zu", i);
    }
}

static void test_category_and_platform_must_match(void **state)
{
    static const struct {
        const char *category;
        unsigned platforms;
        size_t want;
    } cases[] = {
        { "beauty", EXCL_INSTAGRAM, 1 },
        { "Beauty", EXCL_TIKTOK, 1 },               /* case ignored */
        { "  beauty ", EXCL_TIKTOK | EXCL_YOUTUBE, 1 }, /* spaces ignored */
        { "beauty", EXCL_YOUTUBE, 0 },              /* no shared platform */
        { "beauty", EXCL_YOUTUBE | EXCL_OTHER, 0 },
        { "skincare", EXCL_INSTAGRAM, 0 },          /* other category */
        { "beauty/skincare", EXCL_INSTAGRAM, 0 },   /* not the same category */
        { "", EXCL_INSTAGRAM, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct exclusivity_deal o = other();
        o.category = str_from(cases[i].category);
        o.platforms = cases[i].platforms;
        if (count(&o) != cases[i].want) fail_msg("case %zu (%s)", i, cases[i].category);
    }
}

static void test_only_active_deals_count(void **state)
{
    for (unsigned s = 0; s < DEAL_STAGE_COUNT; s++) {
        struct exclusivity_deal o = other();
        o.stage = s;
        assert_int_equal(count(&o), s == DEAL_STAGE_PAID || s == DEAL_STAGE_LOST ? 0 : 1);
    }
    struct exclusivity_deal o = other();
    o.archived = true;
    assert_int_equal(count(&o), 0);
    o = other();
    o.deleted = true;
    assert_int_equal(count(&o), 0);
    o = other();
    o.has_exclusivity = false;
    assert_int_equal(count(&o), 0);
    o = other();
    o.id = STR("d-mine"); /* the deal itself */
    assert_int_equal(count(&o), 0);
}

static void test_an_inactive_deal_has_no_conflicts(void **state)
{
    struct exclusivity_deal m = mine(), o = other();
    struct exclusivity_conflict *c = (void *)&m;
    m.stage = DEAL_STAGE_LOST;
    assert_int_equal(exclusivity_conflicts(&A, &m, &o, 1, &c), 0);
    assert_null(c);
    m = mine();
    m.has_exclusivity = false;
    assert_int_equal(exclusivity_conflicts(&A, &m, &o, 1, &c), 0);
}

static void test_conflicts_carry_overlap_and_reason(void **state)
{
    struct exclusivity_deal m = mine();
    struct exclusivity_deal others[3] = { other(), other(), other() };
    others[1].id = STR("d-2");
    others[1].title = STR("Fresh");
    others[1].category = STR("Beauty");
    others[1].platforms = EXCL_INSTAGRAM | EXCL_TIKTOK | EXCL_YOUTUBE;
    others[1].start_day = day(2, 1);
    others[1].end_day = day(3, 1);
    others[2].category = STR("food");
    struct exclusivity_conflict *c;
    assert_int_equal(exclusivity_conflicts(&A, &m, others, 3, &c), 2);
    assert_ptr_equal(c[0].other, &others[0]);
    assert_int_equal(c[0].shared_platforms, EXCL_INSTAGRAM);
    assert_int_equal(c[0].overlap_start_day, day(3, 10));
    assert_int_equal(c[0].overlap_end_day, day(3, 31));
    assert_str(c[0].reason, "Overlaps \xe2\x80\x9cGlow\xe2\x80\x9d in beauty on instagram, 2025-03-10 to 2025-03-31");
    assert_int_equal(c[1].shared_platforms, EXCL_INSTAGRAM | EXCL_TIKTOK);
    assert_str(c[1].reason, "Overlaps \xe2\x80\x9c" "Fresh\xe2\x80\x9d in Beauty on instagram, tiktok, 2025-03-01");
}

static void test_platform_names(void **state)
{
    assert_int_equal(exclusivity_platform_bit(STR("instagram")), EXCL_INSTAGRAM);
    assert_int_equal(exclusivity_platform_bit(STR("youtube")), EXCL_YOUTUBE);
    assert_int_equal(exclusivity_platform_bit(STR("tiktok")), EXCL_TIKTOK);
    assert_int_equal(exclusivity_platform_bit(STR("other")), EXCL_OTHER);
    assert_int_equal(exclusivity_platform_bit(STR("Instagram")), 0);
    assert_int_equal(exclusivity_platform_bit(STR("")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlap_table),
        cmocka_unit_test(test_category_and_platform_must_match),
        cmocka_unit_test(test_only_active_deals_count),
        cmocka_unit_test(test_an_inactive_deal_has_no_conflicts),
        cmocka_unit_test(test_conflicts_carry_overlap_and_reason),
        cmocka_unit_test(test_platform_names),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
