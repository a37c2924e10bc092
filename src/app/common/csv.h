/* csv.h — RFC 4180 cells for the CSV exports, safe to open in a spreadsheet. */
#ifndef SB_CSV_H
#define SB_CSV_H
#include <stdint.h>
#include "../../core/str.h"
struct arena;
struct buf;
struct dbres;
struct request;

/* Appends one RFC 4180 field (quoted when it holds a comma, quote, CR or LF). A
 * cell a spreadsheet would read as a formula (= + - @, tab, CR) gets a leading
 * single quote first, so it is shown as text. */
void csv_field(struct buf *b, str v);
/* The same written at o, which has room for CSV_FIELD_MAX(v.len) bytes; returns the
 * end of what was written (no NUL). */
#define CSV_FIELD_MAX(n) (2 * (n) + 3)
char *csv_field_at(char *o, str v);

/* One CSV export read in keyset batches. next_batch returns the rows after the last
 * row remember_last was shown (all from the start before that), or NULL on a database
 * error; write_row appends one row (CRLF-terminated) to out. Both may allocate in
 * scratch, which is reset after every batch. */
struct csv_source {
    void *ctx;
    const char *filename;  /* Content-Disposition name, e.g. "calls.csv" */
    const char *header;    /* the header row, CRLF-terminated */
    struct dbres *(*next_batch)(struct request *r, struct arena *scratch, void *ctx, int batch);
    void (*write_row)(struct arena *scratch, struct buf *out, const struct dbres *res, int row);
    void (*remember_last)(void *ctx, const struct dbres *res, int row);
};

/* Streams src as the whole response (status, headers, header row, then every batch),
 * in memory that stays flat however many rows there are. Returns 0, or an HTTP status
 * when the first query fails (nothing sent yet); a later failure ends the stream. */
int csv_stream(struct request *r, const struct csv_source *src, int batch);

/* An export read by one COPY (SELECT ...) TO STDOUT (FORMAT binary): sql and its $n
 * values go to db_copy_out_begin; write_row appends the CRLF-terminated CSV row of
 * the ncols fields of one COPY row (binary values; STR_NULL for NULL). */
#define CSV_COPY_MAX_COLS 32
struct csv_copy_source {
    void *ctx;
    const char *filename;
    const char *header;
    const char *sql;
    int nparams;
    const char *const *params;
    int ncols;
    void (*write_row)(void *ctx, struct buf *out, const str *fields);
};

/* Streams src as the whole response, in 256 KB writes and flat memory, with the
 * statement timeout lifted for it. Returns 0, or an HTTP status when the COPY cannot
 * start (nothing sent yet). A stream cut short (the client gone, a database error)
 * is cancelled and rolled back to before the COPY, so the transaction's earlier work
 * (the audit row) still commits; the client sees a truncated file. */
int csv_stream_copy(struct request *r, const struct csv_copy_source *src);

/* Binary COPY values written as the text export has always shown them. */
#define CSV_ISO_SIZE 24
#define CSV_NUM_SIZE 64
/* A uuid (16 bytes) in PostgreSQL's form at o (room for 36); nothing for NULL.
 * Returns the end of what was written. */
char *csv_bin_uuid_at(char *o, str v);
/* An integer (4 bytes) as a CSV field at o (room for CSV_FIELD_MAX(11)); returns the end. */
char *csv_bin_int4_at(char *o, str v);
/* A timestamptz (8 bytes: microseconds since 2000-01-01 UTC) as "YYYY-MM-DDTHH:MM:SSZ":
 * the first 19 characters of PostgreSQL's UTC, ISO text with 'T' at [10] and 'Z'
 * appended, so BC years and years past 9999 come out as that text makes them; "" for
 * NULL and the infinities. In out. */
str csv_bin_time_iso(str v, char out[CSV_ISO_SIZE]);
str csv_pg_time_iso(int64_t us, char out[CSV_ISO_SIZE]);
/* round(x::numeric, 3)::text of a real x (4 bytes), exactly: x goes to numeric through
 * "%.6g" and is rounded with ties away from zero; "" for NULL. In out. */
str csv_bin_real_round3(str v, char out[CSV_NUM_SIZE]);
str csv_real_round3(float f, char out[CSV_NUM_SIZE]);
#endif
