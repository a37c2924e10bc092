/* fuzz_csv.c — libFuzzer target for the contacts import's CSV reader: every record it
 * reads from any input, written back with every field quoted, reads back the same; it
 * always ends (each call consumes input); and the header guesser takes any cell. */
#include <stddef.h>
#include <stdint.h>

#include "../../src/app/campaigns/contact_fields.h"
#include "../../src/app/campaigns/csv_read.h"
#include "../../src/core/buf.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_quoted(struct buf *b, str f)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < f.len; i++) {
        if (f.ptr[i] == '"') buf_putc(b, '"');
        buf_putc(b, f.ptr[i]);
    }
    buf_putc(b, '"');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a, 4096);
    struct csv_reader rd, again;
    str f[CSV_MAX_FIELDS], g[CSV_MAX_FIELDS];
    int n, m;
    struct buf out;
    buf_init(&out, &a, size * 2 + 16);
    csv_reader_init(&rd, str_make((const char *)data, size));
    enum csv_status st;
    long records = 0;
    while ((st = csv_read_record(&rd, &a, f, &n)) == CSV_RECORD) {
        FUZZ_CHECK(n >= 1 && n <= CSV_MAX_FIELDS);
        FUZZ_CHECK(++records <= (long)size + 1);
        for (int i = 0; i < n; i++) {
            if (i) buf_putc(&out, ',');
            put_quoted(&out, f[i]);
            (void)contact_field_guess(f[i]);
            (void)contact_email_valid(f[i]);
        }
        buf_puts(&out, "\r\n");
    }
    FUZZ_CHECK(st == CSV_END || st == CSV_BAD_QUOTE || st == CSV_TOO_MANY);
    if (st == CSV_END) {
        /* The same records, field for field. */
        csv_reader_init(&rd, str_make((const char *)data, size));
        csv_reader_init(&again, buf_str(&out));
        for (long r = 0; r < records; r++) {
            FUZZ_CHECK(csv_read_record(&rd, &a, f, &n) == CSV_RECORD);
            FUZZ_CHECK(csv_read_record(&again, &a, g, &m) == CSV_RECORD);
            FUZZ_CHECK(n == m);
            for (int i = 0; i < n; i++) FUZZ_CHECK(str_eq(f[i], g[i]));
        }
        FUZZ_CHECK(csv_read_record(&again, &a, g, &m) == CSV_END);
    }
    arena_reset(&a);
    arena_destroy(&a);
    return 0;
}
