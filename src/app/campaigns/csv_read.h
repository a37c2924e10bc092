/* csv_read.h — reading an uploaded CSV file (RFC 4180 as spreadsheets write it): a
 * UTF-8 byte-order mark, CRLF, LF or CR line ends, quoted fields holding commas,
 * quotes ("") and line breaks. Pure: no I/O, everything in the caller's arena. */
#ifndef SB_CSV_READ_H
#define SB_CSV_READ_H
#include <stddef.h>
#include "../../core/str.h"
struct arena;

#define CSV_MAX_FIELDS 100

struct csv_reader {
    str in;
    size_t pos;
    long line; /* the line the next record starts on, from 1 */
};

enum csv_status {
    CSV_RECORD = 1,      /* a record was read */
    CSV_END = 0,         /* no more records */
    CSV_BAD_QUOTE = -1,  /* a quoted field not closed, or text after its closing quote */
    CSV_TOO_MANY = -2,   /* more than CSV_MAX_FIELDS fields */
};

/* Starts reading in (a leading UTF-8 byte-order mark is skipped). */
void csv_reader_init(struct csv_reader *rd, str in);
/* Reads the next record into fields[0..*n) (views into the input, or copies in a for
 * fields with doubled quotes). Blank lines are skipped. On an error, rd->line is the
 * line the bad record started on. */
enum csv_status csv_read_record(struct csv_reader *rd, struct arena *a, str fields[CSV_MAX_FIELDS], int *n);
/* The message for an error status ("a quoted field is not closed ..."). */
const char *csv_status_message(enum csv_status s);
#endif
