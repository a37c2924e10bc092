/* contacts_import.c — the CSV import of contacts: upload (the whole file checked, then
 * kept in contact_imports), the header mapping with a preview of the first rows, and
 * the import itself, synchronous and in the request's one transaction: the valid rows
 * go in through COPY into a temporary staging table and two set-based statements
 * (update the contacts they match by phone or email, insert the others); the rejected
 * ones are listed in a downloadable report. Any failure midway rolls everything back. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../../auth/audit.h"
#include "../../auth/session.h"
#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../core/log.h"
#include "../../db/db.h"
#include "../../view/view.h"
#include "config.h"
#include "../common/field_errors.h"
#include "../common/form.h"
#include "campaigns.h"
#include "import_rows.h"

#define PREVIEW_ROWS 5

/* ---- the upload ---- */

struct upload_form {
    str filename;
};

/* form_render_fn: the upload form, with e's message at the file field. */
static int render_upload(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    (void)ctx;
    struct tdict *d = page_dict(r, "Import contacts", "contacts/import.tpl");
    form_errors(d, e, "form-error", "The file cannot be imported; nothing was imported.");
    tdict_set_cstr(d, "MAX_ROWS", "100,000");
    tdict_set_cstr(d, "STATIC_VERSION", PACKAGE_VERSION);
    return page_render(r, status, d);
}

/* GET /contacts/import — the upload form. */
int contacts_import_form(struct request *r) { return render_upload(r, 200, NULL, NULL); }

static const struct upload *file_part(const struct request *r)
{
    for (size_t i = 0; i < r->nfiles; i++)
        if (str_eq_cstr(r->files[i].field, "file")) return &r->files[i];
    return NULL;
}

static const char *import_href(struct request *r, str id)
{
    struct buf b;
    buf_init(&b, r->arena, 64);
    buf_puts(&b, "/contacts/imports/");
    buf_put(&b, id);
    return buf_cstr(&b);
}

/* POST /contacts/import (multipart: csrf_token, file) — checks the file as a whole
 * (UTF-8, not empty, a header and 1..100,000 rows, CSV syntax) and keeps it for the
 * mapping step; a refused file is the form again (400) with why, nothing kept. */
int contacts_import_upload(struct request *r)
{
    const struct upload *f = file_part(r);
    struct field_errors e = { 0 };
    struct import_scan scan;
    const char *why = !f ? "must be a CSV file; choose one" : import_scan_file(r->arena, f->data, &scan);
    if (why) {
        struct buf m;
        buf_init(&m, r->arena, 128);
        buf_puts(&m, f ? "the file " : "");
        buf_puts(&m, why);
        field_error_add(&e, "file", buf_cstr(&m));
        return field_errors_reply(r, buf_cstr(&m), &e, render_upload, NULL);
    }
    str name = f->filename.len > 255 || !utf8_valid(f->filename) ? STR("upload.csv") : f->filename;
    char rows[24];
    snprintf(rows, sizeof rows, "%ld", scan.rows);
    struct dbres *q = db_q(r->db, r->arena, "contact_import_insert",
                           "INSERT INTO contact_imports (org_id, user_id, filename, body, rows)"
                           " VALUES (app_org_id(), nullif(current_setting('app.user_id', true), '')::uuid, $1, $2, $3)"
                           " RETURNING id",
                           str_cstr(r->arena, name), str_cstr(r->arena, f->data), rows);
    if (!q) return app_db_status(r);
    return redirect_see_other(r, import_href(r, db_val(q, 0, 0)), NULL, NULL);
}

/* ---- the mapping and preview ---- */

enum { IM_ID, IM_FILENAME, IM_BODY, IM_ROWS, IM_STATUS, IM_CREATED, IM_UPDATED, IM_MERGED, IM_REJECTED, IM_MAPPING };

static struct dbres *import_load(struct request *r, str id, bool lock, int *status)
{
    *status = 404;
    if (!str_is_uuid(id)) return NULL;
#define IMPORT_SELECT                                                                                  \
    "SELECT id, filename, body, rows, status, created, updated, merged, rejected, coalesce(mapping::text, '')" \
    " FROM contact_imports WHERE org_id = app_org_id() AND id = $1"
    const char *p = str_cstr(r->arena, id);
    struct dbres *q = lock ? db_q(r->db, r->arena, "contact_import_lock", IMPORT_SELECT " FOR UPDATE", p)
                           : db_q(r->db, r->arena, "contact_import_load", IMPORT_SELECT, p);
#undef IMPORT_SELECT
    if (!q) *status = app_db_status(r);
    else if (db_rows(q) == 1) return q;
    return NULL;
}

struct mapping_view {
    const struct dbres *row;
    enum contact_field *mapping;
    int ncols;
};

/* The header, a select per column, and the first rows. */
static void fill_preview(struct request *r, struct tdict *d, const struct mapping_view *v, const struct field_errors *e)
{
    struct csv_reader rd;
    str cells[CSV_MAX_FIELDS];
    int n;
    csv_reader_init(&rd, db_val(v->row, 0, IM_BODY));
    if (csv_read_record(&rd, r->arena, cells, &n) != CSV_RECORD) return;
    for (int i = 0; i < n; i++) {
        struct tdict *c = tdict_add_section(d, "COLUMN");
        char name[16];
        snprintf(name, sizeof name, "map_%d", i);
        tdict_set_cstr(c, "NAME", name);
        tdict_set(c, "HEADER", cells[i].len ? cells[i] : STR("(no header)"));
        tdict_set(tdict_add_section(d, "HEAD"), "HEADER", cells[i]);
        enum contact_field cur = i < v->ncols ? v->mapping[i] : CF_SKIP;
        for (int f = 0; f < CF_COUNT; f++) {
            struct tdict *o = tdict_add_section(c, "OPTION");
            tdict_set_cstr(o, "VALUE", contact_field_name((enum contact_field)f));
            tdict_set_cstr(o, "LABEL", contact_field_label((enum contact_field)f));
            if ((int)cur == f) tdict_show(o, "SELECTED");
        }
    }
    for (int row = 0; row < PREVIEW_ROWS && csv_read_record(&rd, r->arena, cells, &n) == CSV_RECORD; row++) {
        struct tdict *x = tdict_add_section(d, "PREVIEW_ROW");
        for (int i = 0; i < n; i++) tdict_set(tdict_add_section(x, "CELL"), "TEXT", cells[i]);
    }
    if (e) form_errors(d, e, "form-error", "The columns cannot be imported as mapped; nothing was imported.");
}

/* form_render_fn: the import's page (ctx a struct mapping_view): the mapping form while
 * it waits, what it did once imported. */
static int render_import(struct request *r, int status, const struct field_errors *e, void *ctx)
{
    const struct mapping_view *v = ctx;
    struct tdict *d = page_dict(r, "Import contacts", "contacts/import_show.tpl");
    tdict_set(d, "ID", db_val(v->row, 0, IM_ID));
    tdict_set(d, "FILENAME", db_val(v->row, 0, IM_FILENAME));
    const char *noun = db_long(v->row, 0, IM_ROWS) == 1 ? "row" : "rows";
    tdict_set(d, "ROWS", db_val(v->row, 0, IM_ROWS));
    tdict_set_cstr(d, "ROWS_NOUN", noun);
    tdict_set_cstr(d, "STATIC_VERSION", PACKAGE_VERSION);
    if (str_eq_cstr(db_val(v->row, 0, IM_STATUS), "imported")) {
        struct tdict *x = tdict_add_section(d, "DONE");
        tdict_set(x, "CREATED", db_val(v->row, 0, IM_CREATED));
        tdict_set(x, "UPDATED", db_val(v->row, 0, IM_UPDATED));
        tdict_set(x, "MERGED", db_val(v->row, 0, IM_MERGED));
        tdict_set(x, "REJECTED", db_val(v->row, 0, IM_REJECTED));
        tdict_set(x, "ID", db_val(v->row, 0, IM_ID));
        if (db_long(v->row, 0, IM_REJECTED) > 0) tdict_show(x, "HAS_REJECTED");
    } else {
        struct tdict *x = tdict_add_section(d, "PENDING");
        tdict_set(x, "ID", db_val(v->row, 0, IM_ID));
        tdict_set(x, "ROWS", db_val(v->row, 0, IM_ROWS));
        tdict_set_cstr(x, "ROWS_NOUN", noun);
        fill_preview(r, x, v, e);
    }
    return page_render(r, status, d);
}

/* The header's columns guessed (contact_field_guess). */
static int guess_mapping(struct request *r, const struct dbres *row, enum contact_field **out)
{
    struct csv_reader rd;
    str cells[CSV_MAX_FIELDS];
    int n = 0;
    csv_reader_init(&rd, db_val(row, 0, IM_BODY));
    if (csv_read_record(&rd, r->arena, cells, &n) != CSV_RECORD) n = 0;
    *out = arena_calloc(r->arena, (size_t)n + 1, sizeof **out);
    bool seen[CF_COUNT] = { false };
    for (int i = 0; i < n; i++) {
        enum contact_field f = contact_field_guess(cells[i]);
        if (f != CF_SKIP && seen[f]) f = CF_SKIP; /* a second "Phone" column is not guessed */
        seen[f] = true;
        (*out)[i] = f;
    }
    return n;
}

/* GET /contacts/imports/{id} — the mapping form and preview, or what the import did. */
int contacts_import_show(struct request *r)
{
    int st;
    struct mapping_view v = { 0 };
    if (!(v.row = import_load(r, req_path_param(r, "id"), false, &st))) return st;
    v.ncols = guess_mapping(r, v.row, &v.mapping);
    return render_import(r, 200, NULL, &v);
}

/* ---- the import ---- */

/* map_0..map_{n-1} from the form; a missing or unknown one is an error on its field. */
static void read_mapping(struct request *r, struct mapping_view *v, struct field_errors *e)
{
    for (int i = 0; i < v->ncols; i++) {
        char name[16];
        snprintf(name, sizeof name, "map_%d", i);
        const str *s = kvlist_get(&r->form, name);
        enum contact_field f = CF_SKIP;
        if (s && !contact_field_parse(*s, &f)) field_error_add(e, arena_strdup(r->arena, name), "must be one of the fields listed");
        v->mapping[i] = f;
    }
    const char *m = e->n ? NULL : import_mapping_error(v->mapping, v->ncols);
    if (m) field_error_add(e, "mapping", m);
}

/* The database's time zone names, sorted for bsearch. */
static int load_zones(struct request *r, struct import_zones *z)
{
    struct dbres *q = db_q0(r->db, r->arena, "contact_import_zones",
                            "SELECT name FROM pg_timezone_names ORDER BY name COLLATE \"C\"");
    if (!q) return app_db_status(r);
    z->n = db_rows(q);
    z->names = arena_alloc(r->arena, (size_t)z->n * sizeof *z->names + 1);
    for (int i = 0; i < z->n; i++) z->names[i] = db_cstr(q, i, 0);
    return 0;
}

/* The staged rows as COPY text, sent in pieces of about 1 MiB. */
static int stage_rows(struct request *r, const struct import_result *res)
{
    if (db_exec_simple(r->db, "CREATE TEMPORARY TABLE contact_import_rows (n bigint, first_name text, last_name text,"
                              " phone text, email text, company text, property_address text, property_type text,"
                              " tags text, time_zone text, opt_out_sms boolean, opt_out_voice boolean,"
                              " opt_out_email boolean, do_not_contact boolean, contact_id uuid) ON COMMIT DROP") ||
        db_copy_begin(r->db, "COPY contact_import_rows (n, first_name, last_name, phone, email, company,"
                             " property_address, property_type, tags, time_zone, opt_out_sms, opt_out_voice,"
                             " opt_out_email, do_not_contact) FROM STDIN"))
        return app_db_status(r);
    struct buf b;
    buf_init(&b, r->arena, 1 << 20);
    for (long i = 0; i < res->ncontacts; i++) {
        import_copy_line(&b, i, &res->contacts[i]);
        if (b.len >= (1 << 20) - 4096 || i + 1 == res->ncontacts) {
            if (db_copy_put(r->db, b.data, b.len)) return app_db_status(r);
            buf_clear(&b);
        }
    }
    if (db_copy_end(r->db) || db_exec_simple(r->db, "ANALYZE contact_import_rows")) return app_db_status(r);
    return 0;
}

/* Matches the staged rows to live contacts (by phone; else by email: the oldest live
 * contact with it, when their phones cannot disagree and no row matched it by phone),
 * updates those and inserts the rest, every step one set-based statement. *updated and
 * *created receive the counts. */
static int merge_rows(struct request *r, long *updated, long *created)
{
    static const char *const steps[] = {
        "UPDATE contact_import_rows s SET contact_id = c.id FROM contacts c"
        " WHERE c.org_id = app_org_id() AND c.deleted_at IS NULL AND s.phone IS NOT NULL AND c.phone = s.phone",
        "UPDATE contact_import_rows s SET contact_id = x.id FROM"
        " (SELECT DISTINCT ON (lower(c.email)) lower(c.email) AS email, c.id, c.phone FROM contacts c"
        "   WHERE c.org_id = app_org_id() AND c.deleted_at IS NULL AND c.email IS NOT NULL"
        "   AND lower(c.email) IN (SELECT email FROM contact_import_rows WHERE contact_id IS NULL AND email IS NOT NULL)"
        "   ORDER BY lower(c.email), c.created_at, c.id) x"
        " WHERE s.contact_id IS NULL AND s.email = x.email AND (s.phone IS NULL OR x.phone IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM contact_import_rows m WHERE m.contact_id = x.id)",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (db_exec_simple(r->db, steps[i])) return app_db_status(r);
    struct dbres *q = db_q0(r->db, r->arena, "contact_import_update",
        "UPDATE contacts c SET first_name = coalesce(nullif(s.first_name, ''), c.first_name),"
        " last_name = coalesce(nullif(s.last_name, ''), c.last_name), phone = coalesce(s.phone, c.phone),"
        " email = coalesce(s.email, c.email), company = coalesce(nullif(s.company, ''), c.company),"
        " property_address = coalesce(nullif(s.property_address, ''), c.property_address),"
        " property_type = coalesce(nullif(s.property_type, ''), c.property_type),"
        " tags = (ARRAY(SELECT DISTINCT t FROM unnest(c.tags || coalesce(string_to_array(nullif(s.tags, ''), ','), '{}')) t"
        "   ORDER BY t))[1:20],"
        " time_zone = coalesce(nullif(s.time_zone, ''), c.time_zone),"
        " opt_out_sms = c.opt_out_sms OR s.opt_out_sms, opt_out_voice = c.opt_out_voice OR s.opt_out_voice,"
        " opt_out_email = c.opt_out_email OR s.opt_out_email, do_not_contact = c.do_not_contact OR s.do_not_contact,"
        " version = c.version + 1, updated_at = now()"
        " FROM contact_import_rows s WHERE c.org_id = app_org_id() AND c.id = s.contact_id");
    if (!q) return app_db_status(r);
    *updated = (long)db_affected(q);
    q = db_q0(r->db, r->arena, "contact_import_create",
        "INSERT INTO contacts (org_id, first_name, last_name, phone, email, company, property_address, property_type,"
        " tags, time_zone, opt_out_sms, opt_out_voice, opt_out_email, do_not_contact)"
        " SELECT app_org_id(), first_name, last_name, phone, email, company, property_address, property_type,"
        " coalesce(string_to_array(nullif(tags, ''), ','), '{}'), time_zone, opt_out_sms, opt_out_voice,"
        " opt_out_email, do_not_contact FROM contact_import_rows WHERE contact_id IS NULL ORDER BY n");
    if (!q) return app_db_status(r);
    *created = (long)db_affected(q);
    return 0;
}

static int record_result(struct request *r, const struct mapping_view *v, const struct import_result *res,
                         long updated, long created)
{
    struct json_object *m = json_object_new_array();
    for (int i = 0; i < v->ncols; i++) json_object_array_add(m, json_object_new_string(contact_field_name(v->mapping[i])));
    char nums[4][24];
    snprintf(nums[0], 24, "%ld", created);
    snprintf(nums[1], 24, "%ld", updated);
    snprintf(nums[2], 24, "%ld", res->merged);
    snprintf(nums[3], 24, "%ld", res->rejected);
    struct dbres *q = db_q(r->db, r->arena, "contact_import_done",
                           "UPDATE contact_imports SET status = 'imported', imported_at = now(), mapping = $2::jsonb,"
                           " created = $3, updated = $4, merged = $5, rejected = $6, report = $7, body = ''"
                           " WHERE org_id = app_org_id() AND id = $1",
                           db_cstr(v->row, 0, IM_ID), json_object_to_json_string(m), nums[0], nums[1], nums[2],
                           nums[3], buf_cstr((struct buf *)&res->report));
    json_object_put(m);
    if (!q) return app_db_status(r);
    struct buf detail;
    buf_init(&detail, r->arena, 128);
    buf_printf(&detail, "{\"rows\":%ld,\"created\":%ld,\"updated\":%ld,\"merged\":%ld,\"rejected\":%ld}", res->rows,
               created, updated, res->merged, res->rejected);
    return audit_write(r, "contacts.import", "contact_import", db_val(v->row, 0, IM_ID), buf_cstr(&detail));
}

/* POST /contacts/imports/{id} (csrf_token, map_0..map_N: a field name per column) —
 * imports the kept file in this request's transaction: every valid row in, every
 * rejected row in the report; a database failure midway leaves nothing. An import
 * already done answers 409; a bad mapping the page again (400) with why. */
int contacts_import_run(struct request *r)
{
    int st;
    struct mapping_view v = { 0 };
    if (!(v.row = import_load(r, req_path_param(r, "id"), true, &st))) return st;
    if (str_eq_cstr(db_val(v.row, 0, IM_STATUS), "imported")) {
        flash_set(r, "info", "This file was already imported.");
        st = render_import(r, 409, NULL, &v);
        return st ? st : REPLIED;
    }
    v.ncols = guess_mapping(r, v.row, &v.mapping);
    struct field_errors e = { 0 };
    read_mapping(r, &v, &e);
    if (e.n) return field_errors_reply(r, "The columns cannot be imported as mapped.", &e, render_import, &v);
    struct import_zones zones = { 0 };
    bool tz_mapped = false;
    for (int i = 0; i < v.ncols; i++) tz_mapped = tz_mapped || v.mapping[i] == CF_TIME_ZONE;
    if (tz_mapped && (st = load_zones(r, &zones))) return st;
    struct import_result res;
    if (import_rows_read(r->arena, db_val(v.row, 0, IM_BODY), v.mapping, v.ncols, &zones, db_long(v.row, 0, IM_ROWS), &res))
        return 500;
    long updated = 0, created = 0;
    /* One statement may take longer than a page's: 100,000 rows are merged at once. */
    if (db_exec_simple(r->db, "SET LOCAL statement_timeout = '60s'") ||
        !db_q(r->db, r->arena, "contact_consent_source", "SELECT set_config('app.consent_source', $1, true)", "import"))
        return app_db_status(r);
    if (res.ncontacts && ((st = stage_rows(r, &res)) || (st = merge_rows(r, &updated, &created)))) return st;
    if ((st = record_result(r, &v, &res, updated, created))) return st;
    return redirect_see_other(r, import_href(r, db_val(v.row, 0, IM_ID)), "ok", "Contacts imported.");
}

/* GET /contacts/imports/{id}/report.csv — the rejected rows: line, reason, the cells. */
int contacts_import_report(struct request *r)
{
    str id = req_path_param(r, "id");
    if (!str_is_uuid(id)) return 404;
    struct dbres *q = db_q(r->db, r->arena, "contact_import_report",
                           "SELECT report FROM contact_imports WHERE org_id = app_org_id() AND id = $1 AND status = 'imported'",
                           str_cstr(r->arena, id));
    if (!q) return app_db_status(r);
    if (db_rows(q) != 1) return 404;
    struct response *res = r->res;
    res->status = 200;
    response_header(res, r->arena, "Content-Type", STR("text/csv; charset=utf-8"));
    response_header(res, r->arena, "Content-Disposition", STR("attachment; filename=\"rejected-rows.csv\""));
    buf_put(&res->body, db_val(q, 0, 0));
    return 0;
}
