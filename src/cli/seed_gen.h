/* seed_gen.h — the deterministic demo-data generator: a seeded PRNG and pure
 * functions that turn it into contacts, calls (as COPY text rows) and WAV audio. */
#ifndef SB_SEED_GEN_H
#define SB_SEED_GEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
struct buf;

/* xoshiro256**, seeded through splitmix64: the same seed gives the same sequence on
 * every platform (rand() does not). */
struct sg_rng {
    uint64_t s[4];
};
/* Seeds rng from seed and a stream number, so independent parts of the data (contacts,
 * calls, audio) draw from their own sequences. */
void sg_seed(struct sg_rng *rng, uint64_t seed, uint64_t stream);
uint64_t sg_next(struct sg_rng *rng);
/* Uniform in [0, n) (n > 0), without modulo bias. */
uint64_t sg_below(struct sg_rng *rng, uint64_t n);
/* Uniform in [0, 1). */
double sg_unit(struct sg_rng *rng);
/* true with probability p. */
bool sg_chance(struct sg_rng *rng, double p);
/* Index i with probability weights[i] / sum(weights); n > 0, weights not all 0. */
size_t sg_weighted(struct sg_rng *rng, const unsigned *weights, size_t n);

#define SG_UUID_LEN 36
/* A version-4-shaped UUID (lower-case, 8-4-4-4-12) into out[SG_UUID_LEN + 1]. */
void sg_uuid(struct sg_rng *rng, char *out);
/* n random lower-case hex digits into out[n + 1]. */
void sg_hex(struct sg_rng *rng, size_t n, char *out);

#define SG_PHONE_LEN 12 /* +1NNNNNNNNNN */
/* The E.164 US number of contact `index`: distinct for distinct indexes (up to
 * sg_contact_phone_max), scattered by seed. out[SG_PHONE_LEN + 1]. */
void sg_contact_phone(uint64_t seed, uint64_t index, char *out);
uint64_t sg_contact_phone_max(void);
/* A random E.164 US number from area codes that contacts never use. */
void sg_stranger_phone(struct sg_rng *rng, char *out);

const char *sg_first_name(struct sg_rng *rng);
const char *sg_last_name(struct sg_rng *rng);
const char *sg_company(struct sg_rng *rng);

/* The UTC offset of America/New_York at instant t, in seconds (-4 h in daylight
 * time, -5 h otherwise; US rules since 2007). */
long sg_new_york_offset(time_t t);

/* One contact: what calls need to refer to it. */
struct sg_contact {
    char id[SG_UUID_LEN + 1];
    char phone[SG_PHONE_LEN + 1];
    const char *first, *last;
};
/* Generates contact `index` and appends its COPY text row (columns: id, org_id, name,
 * phone, email, company, created_at, updated_at). anchor: the newest possible time. */
void sg_contact_row(struct sg_rng *rng, uint64_t seed, uint64_t index, const char *org_id,
                    time_t anchor, struct sg_contact *c, struct buf *row);

/* The columns of sg_call_row, in order, for COPY calls (...). */
extern const char sg_call_columns[];

/* The day-by-day plan of call start times: `days` windows of 24 h back from anchor,
 * each with a share of the calls proportional to its weight (more on weekdays and in
 * business hours, New York time). */
struct sg_timeline {
    time_t anchor;
    int days;
    uint64_t total;
    double weights[120];
    double weight_sum;
};
/* Prepares a timeline of total calls over days (1..120) ending at anchor. */
void sg_timeline_init(struct sg_timeline *tl, time_t anchor, int days, uint64_t total);
/* Number of calls that start in window d (0 = the newest 24 h); the counts add up to total. */
uint64_t sg_timeline_count(const struct sg_timeline *tl, int d);
/* A start time in window d, drawn by the hour-of-day and weekday weights. */
time_t sg_timeline_time(const struct sg_timeline *tl, struct sg_rng *rng, int d);

/* What a generated call needs to know about the world. */
struct sg_call_ctx {
    const char *org_id;
    time_t anchor;                     /* calls never end after it */
    const struct sg_contact *contacts; /* may be NULL when ncontacts == 0 */
    uint64_t ncontacts;
};
/* What the caller learns about a generated call (to write its recording). */
struct sg_call_info {
    char id[SG_UUID_LEN + 1];
    bool wants_recording; /* completed, and chosen to have a stored recording */
};
/* Generates one call starting at `started` and appends its COPY row without the
 * recording columns' values (see sg_call_row_recording) to row. */
void sg_call_row(struct sg_rng *rng, const struct sg_call_ctx *ctx, time_t started, struct buf *row,
                 struct sg_call_info *info);
/* Appends the recording columns (status, path, bytes, content type) and ends the row:
 * path NULL → 'none'. */
void sg_call_row_recording(struct buf *row, const char *path, long bytes);

/* Appends an 8 kHz mono 16-bit PCM WAV of 2–5 seconds (two tones and some noise). */
void sg_wav(struct sg_rng *rng, struct buf *out);

/* Appends a timestamp as COPY text (UTC, ISO 8601). */
void sg_put_time(struct buf *b, time_t t);
#endif
