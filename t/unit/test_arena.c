/* test_arena.c — region allocator: alignment, oversized blocks, realloc, cleanups, reset/destroy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/core/arena.h"

/* Records the order in which cleanups run. */
struct trace {
    int order[16];
    int n;
};

struct probe {
    struct trace *t;
    int id;
};

static void record(void *p)
{
    struct probe *pr = p;
    assert_true(pr->t->n < 16);
    pr->t->order[pr->t->n++] = pr->id;
}

static void test_allocations_are_16_byte_aligned(void **state)
{
    struct arena a;
    arena_init(&a, 256);
    static const size_t sizes[] = { 0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 100, 255, 256, 257, 1000, 5000 };
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            unsigned char *p = arena_alloc(&a, sizes[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % 16, 0);
            if (sizes[i]) memset(p, 0xAB, sizes[i]); /* writable to the last byte (ASan checks) */
        }
    }
    arena_destroy(&a);
}

static void test_allocations_do_not_overlap(void **state)
{
    struct arena a;
    arena_init(&a, 128);
    unsigned char *blocks[64];
    for (int i = 0; i < 64; i++) {
        blocks[i] = arena_alloc(&a, 40);
        memset(blocks[i], i, 40);
    }
    for (int i = 0; i < 64; i++)
        for (int k = 0; k < 40; k++) assert_int_equal(blocks[i][k], i);
    arena_destroy(&a);
}

static void test_zero_chunk_size_uses_default(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    assert_int_equal(a.chunk_size, 16384);
    assert_null(a.head);
    assert_null(a.cleanups);
    assert_int_equal(a.total, 0);
    void *p = arena_alloc(&a, 10);
    assert_non_null(p);
    assert_int_equal(a.total, 16384);
    arena_destroy(&a);
}

static void test_big_allocation_beyond_chunk_size(void **state)
{
    struct arena a;
    arena_init(&a, 1024);
    char *small = arena_alloc(&a, 16);
    memcpy(small, "before the big!", 16);
    size_t big_n = 100000;
    unsigned char *big = arena_alloc(&a, big_n);
    assert_int_equal((uintptr_t)big % 16, 0);
    memset(big, 0x5A, big_n);
    assert_true(a.total >= 1024 + big_n);
    /* The current chunk still has room: the next small block comes from it, right after `small`. */
    char *next = arena_alloc(&a, 16);
    assert_ptr_equal(next, small + 16);
    assert_memory_equal(small, "before the big!", 16);
    for (size_t i = 0; i < big_n; i += 4096) assert_int_equal(big[i], 0x5A);
    assert_int_equal(big[big_n - 1], 0x5A);
    arena_destroy(&a);
    assert_int_equal(a.total, 0);
    assert_null(a.head);
}

static void test_big_first_allocation_then_small_ones(void **state)
{
    struct arena a;
    arena_init(&a, 512);
    unsigned char *big = arena_alloc(&a, 4096);
    memset(big, 1, 4096);
    for (int i = 0; i < 100; i++) {
        unsigned char *p = arena_alloc(&a, 24);
        memset(p, 2, 24);
    }
    for (int i = 0; i < 4096; i++) assert_int_equal(big[i], 1);
    arena_reset(&a);
    /* Only one standard-size chunk survives a reset. */
    assert_int_equal(a.total, 512);
    arena_destroy(&a);
}

static void test_calloc_zeroes_and_strdup_copies(void **state)
{
    struct arena a;
    arena_init(&a, 64);
    /* Dirty the memory first so calloc has something to clear after a reset. */
    memset(arena_alloc(&a, 48), 0xFF, 48);
    arena_reset(&a);
    unsigned char *z = arena_calloc(&a, 12, 4);
    for (int i = 0; i < 48; i++) assert_int_equal(z[i], 0);
    char *s = arena_strdup(&a, "hello");
    assert_string_equal(s, "hello");
    char *t = arena_strndup(&a, "abcdef", 3);
    assert_string_equal(t, "abc");
    char *e = arena_strndup(&a, NULL, 0);
    assert_string_equal(e, "");
    arena_destroy(&a);
}

static void test_realloc_copies_prefix_and_keeps_old(void **state)
{
    struct arena a;
    arena_init(&a, 64);
    char *p = arena_alloc(&a, 8);
    memcpy(p, "abcdefgh", 8);
    char *q = arena_realloc(&a, p, 8, 200);
    assert_ptr_not_equal(p, q);
    assert_memory_equal(q, "abcdefgh", 8);
    memset(q + 8, 'x', 192);
    assert_memory_equal(p, "abcdefgh", 8); /* old memory stays valid */
    char *r = arena_realloc(&a, q, 200, 4);  /* shrinking copies only new_n bytes */
    assert_memory_equal(r, "abcd", 4);
    char *n = arena_realloc(&a, NULL, 0, 32); /* NULL old acts like alloc */
    assert_non_null(n);
    assert_int_equal((uintptr_t)n % 16, 0);
    arena_destroy(&a);
}

static void test_cleanups_run_in_reverse_order_on_reset(void **state)
{
    struct arena a;
    struct trace t = { .n = 0 };
    arena_init(&a, 256);
    struct probe probes[5];
    for (int i = 0; i < 5; i++) {
        probes[i] = (struct probe){ &t, i + 1 };
        arena_on_reset(&a, record, &probes[i]);
        arena_alloc(&a, 100); /* spread registrations over several chunks */
    }
    assert_int_equal(t.n, 0);
    arena_reset(&a);
    assert_int_equal(t.n, 5);
    for (int i = 0; i < 5; i++) assert_int_equal(t.order[i], 5 - i);
    assert_null(a.cleanups);
    /* A second reset runs nothing again. */
    arena_reset(&a);
    assert_int_equal(t.n, 5);
    arena_destroy(&a);
    assert_int_equal(t.n, 5);
}

static void test_cleanups_run_on_destroy(void **state)
{
    struct arena a;
    struct trace t = { .n = 0 };
    arena_init(&a, 0);
    struct probe p1 = { &t, 10 }, p2 = { &t, 20 }, p3 = { &t, 30 };
    arena_on_reset(&a, record, &p1);
    arena_on_reset(&a, record, &p2);
    arena_on_reset(&a, record, &p3);
    arena_destroy(&a);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.order[0], 30);
    assert_int_equal(t.order[1], 20);
    assert_int_equal(t.order[2], 10);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
}

static void test_reset_keeps_one_chunk_and_keeps_working(void **state)
{
    struct arena a;
    struct trace t = { .n = 0 };
    arena_init(&a, 256);
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 20; i++) {
            char *p = arena_alloc(&a, 100);
            memset(p, round, 100);
        }
        arena_alloc(&a, 10000); /* an oversized block each round */
        struct probe *pr = arena_alloc(&a, sizeof *pr);
        *pr = (struct probe){ &t, round };
        if (t.n < 16) arena_on_reset(&a, record, pr);
        assert_true(a.total > 256);
        arena_reset(&a);
        assert_int_equal(a.total, 256);
        assert_non_null(a.head);
    }
    assert_int_equal(t.n, 16);
    for (int i = 0; i < 16; i++) assert_int_equal(t.order[i], i);
    /* After reset the kept chunk is reused from its start. */
    char *first = arena_alloc(&a, 16);
    arena_reset(&a);
    char *again = arena_alloc(&a, 16);
    assert_ptr_equal(first, again);
    arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocations_are_16_byte_aligned),
        cmocka_unit_test(test_allocations_do_not_overlap),
        cmocka_unit_test(test_zero_chunk_size_uses_default),
        cmocka_unit_test(test_big_allocation_beyond_chunk_size),
        cmocka_unit_test(test_big_first_allocation_then_small_ones),
        cmocka_unit_test(test_calloc_zeroes_and_strdup_copies),
        cmocka_unit_test(test_realloc_copies_prefix_and_keeps_old),
        cmocka_unit_test(test_cleanups_run_in_reverse_order_on_reset),
        cmocka_unit_test(test_cleanups_run_on_destroy),
        cmocka_unit_test(test_reset_keeps_one_chunk_and_keeps_working),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
