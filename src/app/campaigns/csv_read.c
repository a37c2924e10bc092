/* csv_read.c — the CSV reader of the contacts import (csv_read.h). */
#include <string.h>

#include "../../core/arena.h"
#include "csv_read.h"

void csv_reader_init(struct csv_reader *rd, str in)
{
    if (in.len >= 3 && memcmp(in.ptr, "\xEF\xBB\xBF", 3) == 0) in = str_make(in.ptr + 3, in.len - 3);
    *rd = (struct csv_reader){ in, 0, 1 };
}

/* Consumes one line end (CRLF, LF or CR) at pos, if there is one. */
static void skip_line_end(struct csv_reader *rd)
{
    if (rd->pos < rd->in.len && rd->in.ptr[rd->pos] == '\r') rd->pos++;
    else if (rd->pos < rd->in.len && rd->in.ptr[rd->pos] == '\n') {
        rd->pos++;
        rd->line++;
        return;
    } else return;
    if (rd->pos < rd->in.len && rd->in.ptr[rd->pos] == '\n') rd->pos++;
    rd->line++;
}

/* A quoted field from after its opening quote; the quotes doubled inside are undone in
 * a copy only when there are some. Leaves pos after the closing quote. */
static enum csv_status quoted_field(struct csv_reader *rd, struct arena *a, str *out, long *lines)
{
    const char *p = rd->in.ptr;
    size_t start = rd->pos, i = start, doubled = 0;
    for (;;) {
        const char *q = memchr(p + i, '"', rd->in.len - i);
        if (!q) return CSV_BAD_QUOTE;
        i = (size_t)(q - p);
        if (i + 1 < rd->in.len && p[i + 1] == '"') {
            doubled++;
            i += 2;
            continue;
        }
        break;
    }
    for (size_t k = start; k < i; k++)
        if (p[k] == '\n' || (p[k] == '\r' && (k + 1 >= i || p[k + 1] != '\n'))) (*lines)++;
    if (!doubled) {
        *out = str_make(p + start, i - start);
    } else {
        char *c = arena_alloc(a, i - start - doubled + 1);
        size_t n = 0;
        for (size_t k = start; k < i; k++) {
            c[n++] = p[k];
            if (p[k] == '"') k++;
        }
        *out = str_make(c, n);
    }
    rd->pos = i + 1;
    return CSV_RECORD;
}

enum csv_status csv_read_record(struct csv_reader *rd, struct arena *a, str fields[CSV_MAX_FIELDS], int *n)
{
    const char *p = rd->in.ptr;
    *n = 0;
    while (rd->pos < rd->in.len && (p[rd->pos] == '\n' || p[rd->pos] == '\r')) skip_line_end(rd);
    if (rd->pos >= rd->in.len) return CSV_END;
    long extra_lines = 0;
    for (;;) {
        if (*n == CSV_MAX_FIELDS) return CSV_TOO_MANY;
        str f;
        if (p[rd->pos] == '"') {
            rd->pos++;
            enum csv_status st = quoted_field(rd, a, &f, &extra_lines);
            if (st != CSV_RECORD) return st;
            if (rd->pos < rd->in.len && p[rd->pos] != ',' && p[rd->pos] != '\n' && p[rd->pos] != '\r')
                return CSV_BAD_QUOTE;
        } else {
            size_t s = rd->pos;
            while (rd->pos < rd->in.len && p[rd->pos] != ',' && p[rd->pos] != '\n' && p[rd->pos] != '\r') rd->pos++;
            f = str_make(p + s, rd->pos - s);
        }
        fields[(*n)++] = f;
        if (rd->pos < rd->in.len && p[rd->pos] == ',') {
            rd->pos++;
            if (rd->pos < rd->in.len) continue;
            if (*n == CSV_MAX_FIELDS) return CSV_TOO_MANY;
            fields[(*n)++] = STR(""); /* a trailing comma at the end of the input */
        }
        break;
    }
    rd->line += extra_lines;
    skip_line_end(rd);
    return CSV_RECORD;
}

const char *csv_status_message(enum csv_status s)
{
    switch (s) {
    case CSV_BAD_QUOTE: return "has a quoted field that is not closed, or text after a closing quote";
    case CSV_TOO_MANY: return "has a row of more than 100 columns";
    default: return "could not be read";
    }
}
