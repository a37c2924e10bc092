/* arena.h — region allocator: one per request (or job), freed all at once. */
#ifndef SB_ARENA_H
#define SB_ARENA_H
#include <stddef.h>

struct arena_chunk;
struct arena_cleanup;

struct arena {
    struct arena_chunk *head;       /* newest chunk first */
    struct arena_cleanup *cleanups; /* run in reverse order of registration */
    size_t chunk_size;              /* default size of a new chunk */
    size_t total;                   /* bytes reserved from malloc, for limits/metrics */
};

/* Prepares an empty arena whose chunks are at least chunk_size bytes. */
void arena_init(struct arena *a, size_t chunk_size);
/* Returns n bytes aligned for any type; never NULL (aborts on out-of-memory,
 * which for a pre-forked worker means the master respawns it). */
void *arena_alloc(struct arena *a, size_t n);
/* Like arena_alloc, but zeroed. */
void *arena_calloc(struct arena *a, size_t count, size_t size);
/* Copies n bytes and appends a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Grows a previous allocation (copying); old memory stays in the arena. */
void *arena_realloc(struct arena *a, void *old, size_t old_n, size_t new_n);
/* Registers fn(data) to run when the arena is reset or destroyed (e.g. PQclear). */
void arena_on_reset(struct arena *a, void (*fn)(void *), void *data);
/* Runs the cleanups and releases every chunk but the first (kept for reuse). */
void arena_reset(struct arena *a);
/* Runs the cleanups and releases everything. */
void arena_destroy(struct arena *a);
#endif
