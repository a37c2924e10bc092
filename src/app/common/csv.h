/* csv.h — RFC 4180 cells for the CSV exports, safe to open in a spreadsheet. */
#ifndef SB_CSV_H
#define SB_CSV_H
#include "../../core/str.h"
struct arena;
struct buf;
struct dbres;
struct request;

/* Appends one RFC 4180 field (quoted when it holds a comma, quote, CR or LF). A
 * cell a spreadsheet would read as a formula (= + - @, tab, CR) gets a leading
 * single quote first, so it is shown as text. */
void csv_field(struct buf *b, str v);

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
#endif
