/* unit.h — what the cmocka unit tests share: a per-group arena and string asserts.
 * Include after <cmocka.h> and the project headers. */
#ifndef SB_UNIT_H
#define SB_UNIT_H
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/core/str.h"

/* The group's arena: made by unit_setup, released by unit_teardown. */
static struct arena A;

static inline int unit_setup(void **state)
{
    arena_init(&A, 4096);
    return 0;
}

static inline int unit_teardown(void **state)
{
    arena_destroy(&A);
    return 0;
}

/* Fails with both values shown unless got equals want byte for byte. */
static inline void assert_str(str got, const char *want)
{
    size_t n = strlen(want);
    if (got.len != n || (n && memcmp(got.ptr, want, n) != 0))
        fail_msg("got \"%.*s\" (len %zu), want \"%s\"", STR_FMT(got), got.len, want);
}
#endif
