/* exclusivity.h — exclusivity conflicts between a deal and the org's other active
 * deals: same category, overlapping window, at least one shared platform. */
#ifndef SB_EXCLUSIVITY_H
#define SB_EXCLUSIVITY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../core/str.h"
#include "deal_stage.h"
struct arena;

/* Platforms as bits, so "shares a platform" is one AND. */
enum {
    EXCL_INSTAGRAM = 1u << 0,
    EXCL_YOUTUBE = 1u << 1,
    EXCL_TIKTOK = 1u << 2,
    EXCL_OTHER = 1u << 3,
};

/* One deal as the rule sees it. The window is inclusive at both ends, in civil day
 * numbers (the SQL `date` columns): windows that share even one day overlap. */
struct exclusivity_deal {
    str id;
    str title;
    enum deal_stage stage;
    bool archived;
    bool deleted;
    bool has_exclusivity;
    str category;          /* compared ignoring ASCII case and surrounding spaces */
    unsigned platforms;    /* EXCL_* bits */
    int64_t start_day, end_day;
};

struct exclusivity_conflict {
    const struct exclusivity_deal *other;
    unsigned shared_platforms;
    int64_t overlap_start_day, overlap_end_day;
    str reason; /* "Overlaps “Title” in beauty on instagram, 2025-03-10 to 2025-03-31" */
};

/* Bit of a platform name ("instagram"|"youtube"|"tiktok"|"other"); 0 if unknown. */
unsigned exclusivity_platform_bit(str name);
/* true if the deal counts for conflicts: not lost, paid, archived or deleted. */
bool exclusivity_deal_active(const struct exclusivity_deal *d);
/* Conflicts of `mine` with `others` (itself, by id, and inactive deals skipped; none
 * at all when `mine` is inactive or has no exclusivity). Returns the count and sets
 * *out to an arena array of them (NULL when none), in the order of `others`. */
size_t exclusivity_conflicts(struct arena *a, const struct exclusivity_deal *mine,
                             const struct exclusivity_deal *others, size_t n_others,
                             struct exclusivity_conflict **out);
#endif
