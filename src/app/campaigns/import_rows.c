/* import_rows.c — the rows of a contacts CSV checked, normalised and merged
 * (import_rows.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../domain/phone.h"
#include "../common/csv.h"
#include "import_rows.h"

const char *import_scan_file(struct arena *a, str data, struct import_scan *scan)
{
    *scan = (struct import_scan){ 0 };
    struct csv_reader rd;
    csv_reader_init(&rd, data);
    if (!str_trim(rd.in).len) return "is empty: choose a CSV file with a header row and at least one contact";
    if (memchr(rd.in.ptr, '\0', rd.in.len)) return "is not a text file: save it as CSV and upload it again";
    if (!utf8_valid(rd.in)) {
        long line = 1;
        /* The first line holding a bad byte, for the message. */
        for (size_t i = 0, start = 0; i <= rd.in.len; i++)
            if (i == rd.in.len || rd.in.ptr[i] == '\n') {
                if (!utf8_valid(str_make(rd.in.ptr + start, i - start))) break;
                start = i + 1;
                line++;
            }
        struct buf b;
        buf_init(&b, a, 160);
        buf_printf(&b, "is not UTF-8 text (line %ld): save it as \"CSV UTF-8\" and upload it again", line);
        return buf_cstr(&b);
    }
    str fields[CSV_MAX_FIELDS];
    int n;
    enum csv_status st;
    while ((st = csv_read_record(&rd, a, fields, &n)) == CSV_RECORD) {
        if (scan->ncols == 0) {
            scan->ncols = n;
            memcpy(scan->header, fields, (size_t)n * sizeof fields[0]);
        } else if (++scan->rows > IMPORT_MAX_ROWS) {
            return "has more than 100,000 rows: split it into files of at most 100,000 rows";
        }
    }
    if (st != CSV_END) {
        struct buf b;
        buf_init(&b, a, 160);
        buf_printf(&b, "line %ld %s", rd.line, csv_status_message(st));
        return buf_cstr(&b);
    }
    if (scan->rows == 0) return "has a header row but no contacts";
    return NULL;
}

const char *import_mapping_error(const enum contact_field *mapping, int ncols)
{
    int seen[CF_COUNT] = { 0 };
    for (int i = 0; i < ncols; i++)
        if (mapping[i] != CF_SKIP && seen[mapping[i]]++) return "maps two columns to the same field";
    if (!seen[CF_PHONE] && !seen[CF_EMAIL]) return "must map a column to Phone or to Email";
    if (seen[CF_FULL_NAME] && (seen[CF_FIRST_NAME] || seen[CF_LAST_NAME]))
        return "must map either a full name or first and last names, not both";
    return NULL;
}

/* ---- one row ---- */

/* A cell an export neutralised ('=..., '+1...) read back as it was. */
static str cell_value(str v)
{
    v = str_trim(v);
    if (v.len >= 2 && v.ptr[0] == '\'' && strchr("=+-@", v.ptr[1])) v = str_make(v.ptr + 1, v.len - 1);
    return v;
}

static int zone_cmp(const void *k, const void *e) { return strcmp(k, *(const char *const *)e); }

static bool zone_known(struct arena *a, const struct import_zones *z, str tz)
{
    return z->n && bsearch(str_cstr(a, tz), z->names, (size_t)z->n, sizeof z->names[0], zone_cmp) != NULL;
}

static const char *text_field(str v, long max, const char *what, str *out)
{
    const char *m = contact_text_error(v, max);
    *out = v;
    if (!m) return NULL;
    return what;
}

/* Splits "Ada Lovelace" at its first space. */
static void split_name(str v, str *first, str *last)
{
    const char *sp = memchr(v.ptr, ' ', v.len);
    *first = sp ? str_make(v.ptr, (size_t)(sp - v.ptr)) : v;
    *last = sp ? str_trim(str_make(sp + 1, v.len - (size_t)(sp - v.ptr) - 1)) : STR("");
}

/* Reads one record under mapping into c; NULL, or why the row is refused. */
static const char *row_read(struct arena *a, const str *cells, int n, const enum contact_field *mapping, int ncols,
                            const struct import_zones *zones, struct import_contact *c)
{
    *c = (struct import_contact){ .first = STR(""), .last = STR(""), .phone = STR(""), .email = STR(""),
                                  .company = STR(""), .address = STR(""), .ptype = STR(""), .tags = STR(""), .tz = STR("") };
    if (n != ncols && !(n == 1 && !cells[0].len)) return "has a different number of columns than the header";
    for (int i = 0; i < n && i < ncols; i++) {
        str v = cell_value(cells[i]);
        const char *m = NULL;
        int yn;
        switch (mapping[i]) {
        case CF_SKIP: break;
        case CF_FIRST_NAME: m = text_field(v, CONTACT_NAME_MAX, "first name is too long or holds control characters", &c->first); break;
        case CF_LAST_NAME: m = text_field(v, CONTACT_NAME_MAX, "last name is too long or holds control characters", &c->last); break;
        case CF_FULL_NAME:
            split_name(v, &c->first, &c->last);
            if (contact_text_error(c->first, CONTACT_NAME_MAX) || contact_text_error(c->last, CONTACT_NAME_MAX))
                m = "name is too long or holds control characters";
            break;
        case CF_PHONE:
            if (v.len) {
                char e164[PHONE_E164_SIZE];
                if (v.len > 40 || !phone_normalize(v, e164)) m = "phone is not a phone number";
                else c->phone = str_dup(a, str_from(e164));
            }
            break;
        case CF_EMAIL:
            if (v.len) {
                if (!contact_email_valid(v)) m = "email is not an email address";
                char *low = str_cstr(a, v);
                for (char *p = low; *p; p++)
                    if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
                c->email = str_from(low);
            }
            break;
        case CF_COMPANY: m = text_field(v, CONTACT_COMPANY_MAX, "company is too long or holds control characters", &c->company); break;
        case CF_PROPERTY_ADDRESS:
            m = text_field(contact_one_line(a, v), CONTACT_ADDRESS_MAX, "property address is too long or holds control characters",
                           &c->address);
            break;
        case CF_PROPERTY_TYPE: {
            const char *t = contact_property_type(v);
            if (!t) m = "property type is not one of single family, multi family, condo, townhouse, land, commercial, other";
            else c->ptype = str_from(t);
            break;
        }
        case CF_TAGS: c->tags = contact_tags_normalize(a, v, &m); break;
        case CF_TIME_ZONE:
            if (v.len && (!contact_time_zone_shape(v) || !zone_known(a, zones, v))) m = "time zone is not a time zone name such as America/New_York";
            else c->tz = v;
            break;
        case CF_OPT_OUT_SMS:
        case CF_OPT_OUT_VOICE:
        case CF_OPT_OUT_EMAIL:
        case CF_DO_NOT_CONTACT:
            yn = contact_yes_no(v);
            if (yn < 0) m = "a yes/no column holds something other than yes or no";
            else if (mapping[i] == CF_DO_NOT_CONTACT) c->dnc = yn;
            else c->opt_out[mapping[i] - CF_OPT_OUT_SMS] = yn;
            break;
        case CF_COUNT: break;
        }
        if (m) return m;
    }
    if (!c->phone.len && !c->email.len) return "has neither a phone number nor an email address";
    return NULL;
}

/* ---- merging rows of the same person ---- */

/* An open-addressing table from a phone or email to the index of its contact. */
struct key_index {
    str *keys;
    long *at;
    size_t cap;
};

static void key_index_init(struct arena *a, struct key_index *k, long rows)
{
    k->cap = 16;
    while (k->cap < (size_t)rows * 2) k->cap <<= 1;
    k->keys = arena_calloc(a, k->cap, sizeof *k->keys);
    k->at = arena_calloc(a, k->cap, sizeof *k->at);
}

static size_t key_hash(str s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < s.len; i++) h = (h ^ (unsigned char)s.ptr[i]) * 1099511628211ULL;
    return (size_t)h;
}

/* The slot of key: holding it, or empty where it goes. */
static size_t key_slot(const struct key_index *k, str key)
{
    size_t i = key_hash(key) & (k->cap - 1);
    while (k->keys[i].ptr && !str_eq(k->keys[i], key)) i = (i + 1) & (k->cap - 1);
    return i;
}

static long key_find(const struct key_index *k, str key)
{
    if (!key.len) return -1;
    size_t i = key_slot(k, key);
    return k->keys[i].ptr ? k->at[i] : -1;
}

static void key_put(struct key_index *k, str key, long at)
{
    if (!key.len) return;
    size_t i = key_slot(k, key);
    k->keys[i] = key;
    k->at[i] = at;
}

/* A later row of the same person: its non-empty values win, opt-outs add up, tags join. */
static void merge_into(struct arena *a, struct import_contact *into, const struct import_contact *c)
{
#define TAKE(f) if (c->f.len) into->f = c->f
    TAKE(first);
    TAKE(last);
    if (!into->phone.len) into->phone = c->phone; /* the keys a row was merged by stay */
    if (!into->email.len) into->email = c->email;
    TAKE(company);
    TAKE(address);
    TAKE(ptype);
    TAKE(tz);
#undef TAKE
    for (int i = 0; i < 3; i++) into->opt_out[i] = into->opt_out[i] || c->opt_out[i];
    into->dnc = into->dnc || c->dnc;
    if (c->tags.len) {
        struct buf b;
        buf_init(&b, a, into->tags.len + c->tags.len + 2);
        buf_put(&b, into->tags);
        buf_putc(&b, ',');
        buf_put(&b, c->tags);
        const char *m = NULL;
        str t = contact_tags_normalize(a, buf_str(&b), &m);
        if (!m) into->tags = t;
    }
}

static void report_row(struct import_result *res, long line, const char *reason, const str *cells, int n)
{
    buf_put_long(&res->report, line);
    buf_putc(&res->report, ',');
    csv_field(&res->report, str_from(reason));
    for (int i = 0; i < n; i++) {
        buf_putc(&res->report, ',');
        csv_field(&res->report, cells[i]);
    }
    buf_puts(&res->report, "\r\n");
    res->rejected++;
}

int import_rows_read(struct arena *a, str data, const enum contact_field *mapping, int ncols,
                     const struct import_zones *zones, long rows, struct import_result *res)
{
    struct csv_reader rd;
    str cells[CSV_MAX_FIELDS];
    int n;
    csv_reader_init(&rd, data);
    if (csv_read_record(&rd, a, cells, &n) != CSV_RECORD) return -1;
    *res = (struct import_result){ 0 };
    buf_init(&res->report, a, 256);
    buf_puts(&res->report, "line,reason");
    for (int i = 0; i < n; i++) {
        buf_putc(&res->report, ',');
        csv_field(&res->report, cells[i]);
    }
    buf_puts(&res->report, "\r\n");
    res->contacts = arena_alloc(a, (size_t)(rows + 1) * sizeof *res->contacts);
    struct key_index phones, emails;
    key_index_init(a, &phones, rows);
    key_index_init(a, &emails, rows);
    enum csv_status st;
    for (;;) {
        long line = rd.line;
        if ((st = csv_read_record(&rd, a, cells, &n)) != CSV_RECORD) break;
        if (++res->rows > rows) return -1;
        struct import_contact c;
        const char *why = row_read(a, cells, n, mapping, ncols, zones, &c);
        long ip = key_find(&phones, c.phone), ie = key_find(&emails, c.email);
        if (!why && ip >= 0 && ie >= 0 && ip != ie) why = "its phone and its email belong to two different earlier rows";
        if (why) {
            report_row(res, line, why, cells, n);
            continue;
        }
        long at = ip >= 0 ? ip : ie;
        if (at >= 0) {
            merge_into(a, &res->contacts[at], &c);
            res->merged++;
        } else {
            at = res->ncontacts++;
            res->contacts[at] = c;
        }
        key_put(&phones, res->contacts[at].phone, at);
        key_put(&emails, res->contacts[at].email, at);
    }
    return st == CSV_END ? 0 : -1;
}

/* ---- COPY text ---- */

static void copy_text(struct buf *b, str v)
{
    for (size_t i = 0; i < v.len; i++) {
        char ch = v.ptr[i];
        switch (ch) {
        case '\\': buf_puts(b, "\\\\"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        default: buf_putc(b, ch);
        }
    }
}

static void copy_nullable(struct buf *b, str v)
{
    if (v.len) copy_text(b, v);
    else buf_puts(b, "\\N");
}

void import_copy_line(struct buf *b, long line, const struct import_contact *c)
{
    buf_put_long(b, line);
    const str texts[] = { c->first, c->last };
    for (size_t i = 0; i < 2; i++) {
        buf_putc(b, '\t');
        copy_text(b, texts[i]);
    }
    buf_putc(b, '\t');
    copy_nullable(b, c->phone);
    buf_putc(b, '\t');
    copy_nullable(b, c->email);
    const str rest[] = { c->company, c->address, c->ptype, c->tags, c->tz };
    for (size_t i = 0; i < 5; i++) {
        buf_putc(b, '\t');
        copy_text(b, rest[i]);
    }
    for (int i = 0; i < 3; i++) buf_puts(b, c->opt_out[i] ? "\tt" : "\tf");
    buf_puts(b, c->dnc ? "\tt\n" : "\tf\n");
}
