/* test_session_cache.c — a worker's remembered sessions: what is put comes back whole,
 * under its own hash only, for as long as its lookup allowed; dropping forgets it; a
 * crowded table forgets, never mixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../src/auth/session.h"
#include "../../src/auth/session_cache.h"
#include "../../src/core/arena.h"
#include "unit.h"

#define TRUST_MS 60000 /* far longer than any test takes */

static struct session sample(const char *user_id)
{
    return (struct session){
        .token_hash = STR("t0ken-hash"), .user_id = str_make(user_id, strlen(user_id)), .org_id = STR("org-1"),
        .org_slug = STR("demo"), .org_name = STR("Demo & Co"), .org_timezone = STR("America/New_York"),
        .email = STR("a@demo.test"), .user_name = STR("Ann"), .role = ROLE_MANAGER, .api_key_id = STR(""),
        .facts_epoch = STR("42"),
    };
}

static void test_put_then_get_returns_every_field(void **state)
{
    struct session s = sample("user-1");
    session_cache_put(STR("hash-one"), &s, TRUST_MS);
    struct session *got = session_cache_get(&A, STR("hash-one"));
    assert_non_null(got);
    assert_str(got->recall_hash, "hash-one");
    assert_str(got->token_hash, "t0ken-hash");
    assert_str(got->user_id, "user-1");
    assert_str(got->org_id, "org-1");
    assert_str(got->org_slug, "demo");
    assert_str(got->org_name, "Demo & Co");
    assert_str(got->org_timezone, "America/New_York");
    assert_str(got->email, "a@demo.test");
    assert_str(got->user_name, "Ann");
    assert_str(got->api_key_id, "");
    assert_str(got->facts_epoch, "42");
    assert_int_equal(got->role, ROLE_MANAGER);
}

/* The lookup's trust_ms bounds the memory: 0 (a session expiring now) keeps nothing,
 * and an entry is gone once its time has passed. */
static void test_trust_bounds_the_memory(void **state)
{
    struct session s = sample("user-3");
    session_cache_put(STR("hash-three"), &s, 0);
    assert_null(session_cache_get(&A, STR("hash-three")));
    session_cache_put(STR("hash-three"), &s, 1);
    struct timespec pause = { 0, 20 * 1000 * 1000 }; /* 20 ms: well past the 1 ms */
    nanosleep(&pause, NULL);
    assert_null(session_cache_get(&A, STR("hash-three")));
    /* Without an epoch there is nothing to check it against: not remembered. */
    s.facts_epoch = STR("");
    session_cache_put(STR("hash-three"), &s, TRUST_MS);
    assert_null(session_cache_get(&A, STR("hash-three")));
}

static void test_other_hash_misses_and_drop_forgets(void **state)
{
    struct session s = sample("user-2");
    session_cache_put(STR("hash-two"), &s, TRUST_MS);
    assert_null(session_cache_get(&A, STR("hash-tw")));
    assert_null(session_cache_get(&A, STR("hash-two-and-more")));
    session_cache_drop(STR("hash-other")); /* not this one: still there */
    assert_non_null(session_cache_get(&A, STR("hash-two")));
    session_cache_drop(STR("hash-two"));
    assert_null(session_cache_get(&A, STR("hash-two")));
}

static void test_crowded_table_forgets_but_never_mixes(void **state)
{
    char hash[32], user[32];
    for (int i = 0; i < 500; i++) {
        snprintf(hash, sizeof hash, "h%03d", i);
        snprintf(user, sizeof user, "u%03d", i);
        struct session s = sample(user);
        session_cache_put(str_make(hash, strlen(hash)), &s, TRUST_MS);
    }
    int kept = 0;
    for (int i = 0; i < 500; i++) {
        snprintf(hash, sizeof hash, "h%03d", i);
        snprintf(user, sizeof user, "u%03d", i);
        struct session *got = session_cache_get(&A, str_make(hash, strlen(hash)));
        if (!got) continue;
        kept++;
        assert_str(got->user_id, user);
    }
    assert_true(kept > 0 && kept < 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_then_get_returns_every_field),
        cmocka_unit_test(test_trust_bounds_the_memory),
        cmocka_unit_test(test_other_hash_misses_and_drop_forgets),
        cmocka_unit_test(test_crowded_table_forgets_but_never_mixes),
    };
    return cmocka_run_group_tests(tests, unit_setup, unit_teardown);
}
