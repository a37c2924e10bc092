/* import_rows.h — turning the records of an uploaded contacts CSV into contacts: the
 * whole-file checks (UTF-8, empty, header only, too many rows, CSV syntax), each row
 * checked and normalised under a header mapping, and rows of the same person (same
 * phone or email) merged. Pure: the database part is contacts_import.c's. */
#ifndef SB_IMPORT_ROWS_H
#define SB_IMPORT_ROWS_H
#include <stdbool.h>
#include "../../core/buf.h"
#include "../../core/str.h"
#include "contact_fields.h"
#include "csv_read.h"
struct arena;

#define IMPORT_MAX_ROWS 100000

/* What the whole-file check found: the number of data rows and the header. */
struct import_scan {
    long rows;
    int ncols;
    str header[CSV_MAX_FIELDS];
};
/* Checks the file as a whole. Returns NULL (scan filled) or the message for the file
 * field, in a ("is empty", "line 7 has a quoted field that is not closed ..."). */
const char *import_scan_file(struct arena *a, str data, struct import_scan *scan);

/* One contact to stage: the normalised values (phone E.164 or "", email lower-case or
 * "", tags "a,b"). */
struct import_contact {
    str first, last, phone, email, company, address, ptype, tags, tz;
    bool opt_out[3], dnc;
};

/* Valid time zone names, sorted by strcmp (the database's list). */
struct import_zones {
    const char **names;
    int n;
};

struct import_result {
    struct import_contact *contacts; /* distinct people, in file order */
    long ncontacts;
    long rows, merged, rejected;
    struct buf report; /* CSV: line, reason, then the row's cells */
};

/* Checks that mapping[0..ncols) maps each field at most once (skip aside), maps phone
 * or email, and not a full name beside first or last name: NULL or the message. */
const char *import_mapping_error(const enum contact_field *mapping, int ncols);
/* Reads every data row of data (scanned: rows data rows) under mapping, checking and
 * merging them into res (its report in a). zones may hold no names when no column is
 * a time zone. Returns 0, or -1 when the file does not read as the scan did. */
int import_rows_read(struct arena *a, str data, const enum contact_field *mapping, int ncols,
                     const struct import_zones *zones, long rows, struct import_result *res);
/* Appends c as one line of COPY text (the staging table's columns, tab-separated). */
void import_copy_line(struct buf *b, long line, const struct import_contact *c);
#endif
