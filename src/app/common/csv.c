/* csv.c — RFC 4180, formula-safe CSV cells, and the streamed exports built on them. */
#include "csv.h"

#include <stdbool.h>
#include <string.h>

#include "../../core/arena.h"
#include "../../core/buf.h"
#include "../../db/db.h"
#include "../../http/request.h"
#include "../../http/response.h"

void csv_field(struct buf *b, str v)
{
    bool formula = v.len && strchr("=+-@\t\r", v.ptr[0]) != NULL;
    bool quote = formula;
    for (size_t i = 0; i < v.len && !quote; i++)
        quote = v.ptr[i] == ',' || v.ptr[i] == '"' || v.ptr[i] == '\r' || v.ptr[i] == '\n';
    if (!quote) {
        buf_put(b, v);
        return;
    }
    buf_putc(b, '"');
    if (formula) buf_putc(b, '\'');
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] == '"') buf_putc(b, '"');
        buf_putc(b, v.ptr[i]);
    }
    buf_putc(b, '"');
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
