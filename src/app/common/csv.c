/* csv.c — RFC 4180, formula-safe CSV cells, and the streamed exports built on them. */
#include "csv.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/log.h"
#include "../../db/db.h"
#include "../../domain/civil_date.h"
#include "../../http/request.h"
#include "../../http/response.h"

/* Bytes that make a field quoted: anywhere (, " CR LF), or first (formula-like). */
static const unsigned char quote_anywhere[256] = { [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };
static const unsigned char formula_first[256] = { ['='] = 1, ['+'] = 1, ['-'] = 1, ['@'] = 1, ['\t'] = 1, ['\r'] = 1 };

char *csv_field_at(char *o, str v)
{
    const unsigned char *p = (const unsigned char *)v.ptr;
    bool formula = v.len && formula_first[p[0]];
    bool quote = formula;
    for (size_t i = 0; i < v.len && !quote; i++) quote = quote_anywhere[p[i]];
    if (!quote) {
        if (v.len) memcpy(o, v.ptr, v.len);
        return o + v.len;
    }
    *o++ = '"';
    if (formula) *o++ = '\'';
    for (size_t i = 0; i < v.len; i++) {
        if (p[i] == '"') *o++ = '"';
        *o++ = (char)p[i];
    }
    *o++ = '"';
    return o;
}

void csv_field(struct buf *b, str v)
{
    buf_reserve(b, CSV_FIELD_MAX(v.len));
    b->len = (size_t)(csv_field_at(b->data + b->len, v) - b->data);
    b->data[b->len] = '\0';
}

static void csv_headers(struct request *r, const char *filename)
{
    struct response *res = r->res;
    struct buf disposition;
    buf_init(&disposition, r->arena, 64);
    buf_printf(&disposition, "attachment; filename=\"%s\"", filename);
    res->status = 200;
    response_header(res, r->arena, "Content-Type", STR("text/csv; charset=utf-8"));
    response_header(res, r->arena, "Content-Disposition", buf_str(&disposition));
    /* The stream's head goes out now, before the pipeline's finishing headers. */
    response_header(res, r->arena, "X-Request-Id", r->request_id);
    response_header(res, r->arena, "Cache-Control", STR("no-store"));
    response_header(res, r->arena, "X-Content-Type-Options", STR("nosniff"));
}

int csv_stream(struct request *r, const struct csv_source *src, int batch)
{
    struct arena scratch;
    arena_init(&scratch, 256 * 1024);
    int status = 0;
    for (bool first = true;; first = false) {
        struct dbres *res = src->next_batch(r, &scratch, src->ctx, batch);
        if (!res) {
            if (first) status = db_error_http_status(db_last_error(r->db));
            break;
        }
        if (first) {
            csv_headers(r, src->filename);
            response_begin_stream(r->res);
            response_write(r->res, src->header, strlen(src->header));
        }
        int n = db_rows(res);
        struct buf out;
        buf_init(&out, &scratch, 256 * 1024);
        for (int i = 0; i < n; i++) src->write_row(&scratch, &out, res, i);
        if (out.len && response_write(r->res, out.data, out.len) != 0) n = 0; /* client gone */
        if (n == batch) src->remember_last(src->ctx, res, n - 1);
        arena_reset(&scratch);
        if (n < batch) break;
    }
    arena_destroy(&scratch);
    return status;
}

/* ---- values of COPY (FORMAT binary), written as PostgreSQL would print them ---- */

static uint64_t be_u64(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | (unsigned char)p[i];
    return v;
}

static uint32_t be_u32(const char *p)
{
    return (uint32_t)(unsigned char)p[0] << 24 | (uint32_t)(unsigned char)p[1] << 16 |
           (uint32_t)(unsigned char)p[2] << 8 | (unsigned char)p[3];
}

char *csv_bin_uuid_at(char *o, str v)
{
    static const char hex[] = "0123456789abcdef";
    if (v.len != 16) return o; /* NULL: an empty cell */
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
        *o++ = hex[(unsigned char)v.ptr[i] >> 4];
        *o++ = hex[(unsigned char)v.ptr[i] & 15];
    }
    return o;
}

/* v's decimal digits, ending at end; returns where they start. */
static char *digits_before(char *end, uint64_t v)
{
    do *--end = (char)('0' + v % 10);
    while (v /= 10);
    return end;
}

char *csv_bin_int4_at(char *o, str v)
{
    if (v.len != 4) return o;
    int32_t n = (int32_t)be_u32(v.ptr);
    char t[16], *end = t + sizeof t;
    char *p = digits_before(end, n < 0 ? (uint64_t)-(int64_t)n : (uint64_t)n);
    if (n < 0) *--p = '-';
    return csv_field_at(o, str_make(p, (size_t)(end - p))); /* a negative number is formula-like too */
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

static void two_digits(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/* 1970-01-01 less 2000-01-01, PostgreSQL's epoch, in days. */
#define PG_EPOCH_DAY 10957

str csv_pg_time_iso(int64_t us, char out[CSV_ISO_SIZE])
{
    if (us == INT64_MAX || us == INT64_MIN) return STR(""); /* infinity prints short */
    int64_t s = floor_div(us, 1000000), day = floor_div(s, 86400);
    int64_t tod = s - day * 86400, y;
    unsigned m, d;
    civil_ymd_from_days(day + PG_EPOCH_DAY, &y, &m, &d);
    /* PostgreSQL writes years BC as 1 - y with " BC" after the offset, and years past
     * 9999 with more digits, which shifts what the first 19 characters hold. */
    char text[48];
    int n = snprintf(text, sizeof text, "%04lld-%02u-%02u %02u:%02u:%02u", (long long)(y > 0 ? y : 1 - y), m, d,
                     (unsigned)(tod / 3600), (unsigned)(tod / 60 % 60), (unsigned)(tod % 60));
    if (n < 19) return STR("");
    memcpy(out, text, 19);
    out[10] = 'T';
    out[19] = 'Z';
    out[20] = '\0';
    return str_make(out, 20);
}

str csv_bin_time_iso(str v, char out[CSV_ISO_SIZE])
{
    if (v.len != 8) return STR("");
    if (v.ptr[0] == 0 && (unsigned char)v.ptr[1] < 0x10) { /* 2000 to 2142: no printf */
        int64_t us = (int64_t)be_u64(v.ptr), s = us / 1000000, day = s / 86400, tod = s % 86400;
        /* Rows come in time order, so the last few days' dates are kept. */
        static int64_t cached_day[4] = { -1, -1, -1, -1 };
        static char cached_date[4][10];
        int slot = (int)(day & 3);
        if (cached_day[slot] != day) {
            int64_t y;
            unsigned m, d;
            civil_ymd_from_days(day + PG_EPOCH_DAY, &y, &m, &d);
            char *c = cached_date[slot];
            c[0] = (char)('0' + y / 1000);
            c[1] = (char)('0' + y / 100 % 10);
            two_digits(c + 2, (unsigned)(y % 100));
            c[4] = '-';
            two_digits(c + 5, m);
            c[7] = '-';
            two_digits(c + 8, d);
            cached_day[slot] = day;
        }
        memcpy(out, cached_date[slot], 10);
        out[10] = 'T';
        two_digits(out + 11, (unsigned)(tod / 3600));
        out[13] = ':';
        two_digits(out + 14, (unsigned)(tod / 60 % 60));
        out[16] = ':';
        two_digits(out + 17, (unsigned)(tod % 60));
        out[19] = 'Z';
        out[20] = '\0';
        return str_make(out, 20);
    }
    return csv_pg_time_iso((int64_t)be_u64(v.ptr), out);
}

static str thousandths_text(bool negative, uint64_t t, char out[CSV_NUM_SIZE])
{
    char *end = out + CSV_NUM_SIZE;
    char *p = end - 4;
    p[0] = '.';
    p[1] = (char)('0' + t / 100 % 10);
    p[2] = (char)('0' + t / 10 % 10);
    p[3] = (char)('0' + t % 10);
    p = digits_before(p, t / 1000);
    if (negative && t) *--p = '-';
    return str_make(p, (size_t)(end - p));
}

static const uint64_t pow10_u64[] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull, 1000000000ull,
    10000000000ull,
};

/* |f| (a normal float in [0.0003, 1e6)) rounded as "%.6g" rounds it (to 6 significant
 * digits, ties to even, on its exact binary value), then to thousandths with ties away
 * from zero (numeric's round): exact integer arithmetic, no printf. */
static uint64_t round3_of_g6(float a)
{
    uint32_t bits;
    memcpy(&bits, &a, sizeof bits);
    uint64_t m = (bits & 0x7fffff) | 0x800000;
    int e = (int)(bits >> 23 & 0xff) - 150; /* a = m * 2^e, e in [-35, -4] here */
    uint64_t den = 1ull << -e;
    int k = 5 - (((int)(bits >> 23 & 0xff) - 127) * 77 >> 8); /* 77/256: log10(2), near enough */
    if (k < 0) k = 0;
    if (k > 9) k = 9;
    for (;;) { /* k such that a * 10^k has exactly 6 digits before the point */
        uint64_t q = m * pow10_u64[k] / den;
        if (q < 100000 && k < 10) k++;
        else if (q >= 1000000 && k > 0) k--;
        else break;
    }
    uint64_t num = m * pow10_u64[k], q = num / den, r = num % den;
    if (2 * r > den || (2 * r == den && (q & 1))) q++;
    if (k <= 3) return q * pow10_u64[3 - k];
    uint64_t div = pow10_u64[k - 3], t = q / div;
    return 2 * (q % div) >= div ? t + 1 : t;
}

str csv_real_round3(float f, char out[CSV_NUM_SIZE])
{
    float a = f < 0 ? -f : f;
    if (a < 0.0003f) return thousandths_text(false, 0, out);
    if (a < 1e6f) return thousandths_text(f < 0, round3_of_g6(a), out);
    /* Out of the sentiment's range, kept exact all the same: 6 significant digits,
     * then zeros up to the point. */
    char g[32];
    int exp10 = 0;
    snprintf(g, sizeof g, "%.5e", (double)a);
    sscanf(strchr(g, 'e') + 1, "%d", &exp10);
    int n = snprintf(out, CSV_NUM_SIZE, "%s%c%.5s", f < 0 ? "-" : "", g[0], g + 2);
    for (int i = 5; i < exp10 && n < CSV_NUM_SIZE - 6; i++) out[n++] = '0';
    memcpy(out + n, ".000", 5);
    return str_make(out, (size_t)n + 4);
}

str csv_bin_real_round3(str v, char out[CSV_NUM_SIZE])
{
    if (v.len != 4) return STR("");
    uint32_t bits = be_u32(v.ptr);
    float f;
    memcpy(&f, &bits, sizeof f);
    return csv_real_round3(f, out);
}

/* ---- streaming one COPY ---- */

#define COPY_FLUSH (256 * 1024)

/* How a COPY's stream ended. */
enum copy_end {
    COPY_SENT,          /* every row went out */
    COPY_CLIENT_GONE,   /* a write failed while the COPY still ran */
    COPY_GONE_AFTER,    /* the last write failed; the COPY had ended */
    COPY_FAILED,        /* a database error (the COPY is over) */
    COPY_MALFORMED,     /* a row not in the expected shape (the COPY still runs) */
};

/* Rows of the COPY into COPY_FLUSH-sized writes. */
static enum copy_end copy_rows(struct request *r, const struct csv_copy_source *src, struct buf *out,
                               struct arena *scratch)
{
    str fields[CSV_COPY_MAX_COLS];
    const char *data;
    int n;
    while ((n = db_copy_out_next(r->db, &data)) > 0) {
        int k = db_copy_binary_row(data, (size_t)n, fields, CSV_COPY_MAX_COLS);
        if (k == 0) continue; /* the trailer */
        if (k != src->ncols) return COPY_MALFORMED;
        src->write_row(src->ctx, out, fields);
        if (out->len < COPY_FLUSH) continue;
        if (response_write(r->res, out->data, out->len) != 0) return COPY_CLIENT_GONE;
        arena_reset(scratch);
        buf_init(out, scratch, 2 * COPY_FLUSH);
    }
    if (n < 0) return COPY_FAILED;
    return out->len && response_write(r->res, out->data, out->len) != 0 ? COPY_GONE_AFTER : COPY_SENT;
}

int csv_stream_copy(struct request *r, const struct csv_copy_source *src)
{
    /* One statement streams every row: the per-statement limit is lifted for this
     * transaction (a stalled client is bounded by nginx's FastCGI timeouts), and a
     * savepoint lets a stream cut short still commit its audit row. */
    if (db_exec_simple(r->db, "SET LOCAL statement_timeout = 0; SAVEPOINT csv_copy") != 0 ||
        db_copy_out_begin(r->db, r->arena, src->sql, src->nparams, src->params) != 0)
        return db_error_http_status(db_last_error(r->db));
    csv_headers(r, src->filename);
    response_begin_stream(r->res);
    struct arena scratch;
    arena_init(&scratch, 2 * COPY_FLUSH + 4096);
    struct buf out;
    buf_init(&out, &scratch, 2 * COPY_FLUSH);
    buf_puts(&out, src->header);
    enum copy_end end = copy_rows(r, src, &out, &scratch);
    arena_destroy(&scratch);
    if (end == COPY_SENT || end == COPY_GONE_AFTER) return 0;
    if (end != COPY_FAILED) db_copy_out_cancel(r->db);
    log_warn("%s export cut short: %s", src->filename,
             end == COPY_CLIENT_GONE ? "the client went away"
             : end == COPY_MALFORMED ? "a COPY row not in the expected shape"
                                     : db_last_message(r->db));
    if (db_exec_simple(r->db, "ROLLBACK TO SAVEPOINT csv_copy") != 0)
        return db_error_http_status(db_last_error(r->db));
    return 0;
}
