/* request.c — parsers for query strings, forms, cookies, JSON and multipart bodies.
 * All results live in the request arena; every parser is linear and bounded. */
#include "request.h"

#include <json-c/json.h>
#include <string.h>

#include "../core/arena.h"

void kvlist_add(struct arena *a, struct kvlist *l, str key, str val)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        l->items = arena_realloc(a, l->items, l->n * sizeof *l->items, cap * sizeof *l->items);
        l->cap = cap;
    }
    l->items[l->n++] = (struct kv){ key, val };
}

const str *kvlist_get(const struct kvlist *l, const char *key)
{
    str k = str_from(key);
    for (size_t i = 0; i < l->n; i++)
        if (str_eq(l->items[i].key, k)) return &l->items[i].val;
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int url_decode(struct arena *a, str in, bool plus_space, str *out)
{
    bool plain = true;
    for (size_t i = 0; i < in.len && plain; i++)
        if (in.ptr[i] == '%' || (plus_space && in.ptr[i] == '+')) plain = false;
    if (plain) {
        if (!utf8_valid(in) || (in.len && memchr(in.ptr, '\0', in.len))) return PARSE_BAD_ENCODING;
        *out = in;
        return PARSE_OK;
    }
    char *p = arena_alloc(a, in.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < in.len; i++) {
        char c = in.ptr[i];
        if (c == '%') {
            if (i + 2 >= in.len) return PARSE_BAD_ENCODING;
            int hi = hexval(in.ptr[i + 1]), lo = hexval(in.ptr[i + 2]);
            if (hi < 0 || lo < 0) return PARSE_BAD_ENCODING;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        p[n++] = c;
    }
    p[n] = '\0';
    str s = str_make(p, n);
    if (!utf8_valid(s) || memchr(p, '\0', n)) return PARSE_BAD_ENCODING;
    *out = s;
    return PARSE_OK;
}

int parse_urlencoded(struct arena *a, str in, struct kvlist *out)
{
    str rest = in;
    while (rest.len) {
        str pair;
        str_cut(rest, '&', &pair, &rest);
        if (pair.len == 0) continue;
        if (out->n >= PARSE_MAX_FIELDS) return PARSE_TOO_MANY;
        str k, v;
        str_cut(pair, '=', &k, &v);
        str dk, dv;
        int rc = url_decode(a, k, true, &dk);
        if (rc == PARSE_OK) rc = url_decode(a, v, true, &dv);
        if (rc != PARSE_OK) return rc;
        kvlist_add(a, out, dk, dv);
    }
    return PARSE_OK;
}

int parse_cookies(struct arena *a, str in, struct kvlist *out)
{
    if (!utf8_valid(in)) return PARSE_BAD_ENCODING;
    str rest = in;
    while (rest.len) {
        str pair;
        str_cut(rest, ';', &pair, &rest);
        str k, v;
        if (!str_cut(str_trim(pair), '=', &k, &v)) continue;
        k = str_trim(k);
        v = str_trim(v);
        if (k.len == 0) continue;
        if (v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"') v = str_make(v.ptr + 1, v.len - 2);
        if (out->n >= PARSE_MAX_FIELDS) return PARSE_TOO_MANY;
        kvlist_add(a, out, k, v);
    }
    return PARSE_OK;
}

static void json_release(void *p)
{
    json_object_put(p);
}

int parse_json(struct arena *a, str in, struct json_object **out)
{
    if (!utf8_valid(in)) return PARSE_BAD_ENCODING;
    if (in.len > (size_t)INT32_MAX) return PARSE_TOO_LARGE;
    struct json_tokener *tok = json_tokener_new_ex(PARSE_MAX_JSON_DEPTH);
    if (!tok) return PARSE_BAD_ENCODING;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *obj = json_tokener_parse_ex(tok, in.ptr ? in.ptr : "", (int)in.len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    if (!obj && err == json_tokener_continue) {
        /* A bare number or literal at the very end ("42") is only complete once
         * the tokener is told the input has ended (a NUL counts as its end). */
        obj = json_tokener_parse_ex(tok, "", 1);
        err = json_tokener_get_error(tok);
        used = in.len;
    }
    json_tokener_free(tok);
    if (err != json_tokener_success || !obj) {
        if (obj) json_object_put(obj);
        return PARSE_BAD_ENCODING;
    }
    /* Trailing garbage is an error; trailing whitespace is not. */
    for (size_t i = used; i < in.len; i++) {
        char c = in.ptr[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            json_object_put(obj);
            return PARSE_BAD_ENCODING;
        }
    }
    arena_on_reset(a, json_release, obj);
    *out = obj;
    return PARSE_OK;
}

/* The value of parameter name in a header like `form-data; name="x"`. Quoted
 * values may contain ';'. Returns false when absent. */
static bool header_param(str header, const char *name, str *value)
{
    str n = str_from(name);
    size_t i = 0;
    while (i < header.len) {
        while (i < header.len && header.ptr[i] != ';') {
            if (header.ptr[i] == '"') { /* skip quoted text of the previous value */
                i++;
                while (i < header.len && header.ptr[i] != '"') i++;
            }
            i++;
        }
        if (i >= header.len) return false;
        i++;
        while (i < header.len && (header.ptr[i] == ' ' || header.ptr[i] == '\t')) i++;
        str rest = str_make(header.ptr + i, header.len - i);
        if (rest.len > n.len && str_case_eq(str_make(rest.ptr, n.len), n) && rest.ptr[n.len] == '=') {
            size_t j = n.len + 1;
            if (j < rest.len && rest.ptr[j] == '"') {
                size_t end = j + 1;
                while (end < rest.len && rest.ptr[end] != '"') end++;
                if (end >= rest.len) return false;
                *value = str_make(rest.ptr + j + 1, end - j - 1);
            } else {
                size_t end = j;
                while (end < rest.len && rest.ptr[end] != ';' && rest.ptr[end] != ' ') end++;
                *value = str_make(rest.ptr + j, end - j);
            }
            return true;
        }
    }
    return false;
}

int multipart_boundary(str content_type, str *boundary)
{
    str b;
    if (!header_param(content_type, "boundary", &b) || b.len < 1 || b.len > 70) return PARSE_BAD_ENCODING;
    *boundary = b;
    return PARSE_OK;
}

str content_type_base(struct arena *a, str content_type)
{
    str base, params;
    str_cut(content_type, ';', &base, &params);
    base = str_trim(base);
    char *p = arena_alloc(a, base.len + 1);
    for (size_t i = 0; i < base.len; i++) {
        char c = base.ptr[i];
        p[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    p[base.len] = '\0';
    return str_make(p, base.len);
}

struct part_headers {
    str name, filename, content_type;
    bool has_disposition;
};

/* Parses the header block of one part (CRLF-separated lines). */
static int parse_part_headers(str block, struct part_headers *h)
{
    str rest = block;
    while (rest.len) {
        long eol = str_find(rest, STR("\r\n"));
        str line = eol < 0 ? rest : str_make(rest.ptr, (size_t)eol);
        rest = eol < 0 ? str_make(rest.ptr + rest.len, 0) : str_make(rest.ptr + eol + 2, rest.len - (size_t)eol - 2);
        str name, value;
        if (!str_cut(line, ':', &name, &value)) return PARSE_BAD_ENCODING;
        name = str_trim(name);
        value = str_trim(value);
        if (str_case_eq(name, STR("Content-Disposition"))) {
            if (!str_case_starts_with(value, STR("form-data"))) return PARSE_BAD_ENCODING;
            if (!header_param(value, "name", &h->name)) return PARSE_BAD_ENCODING;
            header_param(value, "filename", &h->filename);
            h->has_disposition = true;
        } else if (str_case_eq(name, STR("Content-Type"))) {
            h->content_type = value;
        }
    }
    return h->has_disposition && utf8_valid(h->name) && utf8_valid(h->filename) ? PARSE_OK
                                                                                 : PARSE_BAD_ENCODING;
}

int parse_multipart(struct arena *a, str body, str boundary, struct kvlist *fields,
                    struct upload **files, size_t *nfiles)
{
    /* Delimiter between parts is CRLF "--" boundary; the first may lack the CRLF. */
    size_t dlen = boundary.len + 4;
    char *delim = arena_alloc(a, dlen);
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary.ptr, boundary.len);
    str d = str_make(delim, dlen);
    size_t cap = 4, count = 0;
    struct upload *up = arena_alloc(a, cap * sizeof *up);
    if (!str_starts_with(body, str_make(delim + 2, dlen - 2))) return PARSE_BAD_ENCODING;
    size_t pos = dlen - 2;
    size_t parts = 0;
    for (;;) {
        str rest = str_make(body.ptr + pos, body.len - pos);
        if (str_starts_with(rest, STR("--"))) break; /* closing delimiter */
        if (!str_starts_with(rest, STR("\r\n"))) return rest.len ? PARSE_BAD_ENCODING : PARSE_TRUNCATED;
        rest = str_make(rest.ptr + 2, rest.len - 2);
        long hdr_end = str_find(rest, STR("\r\n\r\n"));
        long empty_hdrs = str_starts_with(rest, STR("\r\n")) ? 0 : -1;
        if (hdr_end < 0 && empty_hdrs < 0) return PARSE_TRUNCATED;
        str headers = empty_hdrs == 0 ? STR_NULL : str_make(rest.ptr, (size_t)hdr_end);
        size_t content_start = empty_hdrs == 0 ? 2 : (size_t)hdr_end + 4;
        str content_area = str_make(rest.ptr + content_start, rest.len - content_start);
        long end = str_find(content_area, d);
        if (end < 0) return PARSE_TRUNCATED;
        if (++parts > PARSE_MAX_FIELDS) return PARSE_TOO_MANY;
        struct part_headers h = { 0 };
        int rc = parse_part_headers(headers, &h);
        if (rc != PARSE_OK) return rc;
        str content = str_make(content_area.ptr, (size_t)end);
        if (h.filename.ptr) {
            if (count == cap) {
                up = arena_realloc(a, up, cap * sizeof *up, cap * 2 * sizeof *up);
                cap *= 2;
            }
            up[count++] = (struct upload){ h.name, h.filename, h.content_type, content };
        } else {
            /* Text fields follow the urlencoded rules: valid UTF-8, no NUL. */
            if (!utf8_valid(content) || memchr(content.ptr, '\0', content.len)) return PARSE_BAD_ENCODING;
            kvlist_add(a, fields, h.name, content);
        }
        pos = (size_t)(content_area.ptr + end - body.ptr) + dlen;
    }
    *files = up;
    *nfiles = count;
    return PARSE_OK;
}

const str *req_param(const struct request *r, const char *key)
{
    const str *v = kvlist_get(&r->form, key);
    return v ? v : kvlist_get(&r->query, key);
}

str req_path_param(const struct request *r, const char *key)
{
    const str *v = kvlist_get(&r->params, key);
    return v ? *v : STR_NULL;
}

/* FastCGI spells a header X_VAPI_SECRET for X-Vapi-Secret. */
static bool header_name_eq(str param, const char *name)
{
    size_t n = strlen(name);
    if (param.len != n) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i] == '-' ? '_' : name[i];
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (param.ptr[i] != c) return false;
    }
    return true;
}

str req_header(const struct request *r, const char *name)
{
    for (size_t i = 0; i < r->headers.n; i++)
        if (header_name_eq(r->headers.items[i].key, name)) return r->headers.items[i].val;
    return STR("");
}

bool req_is_https(const struct request *r)
{
    return str_eq(r->scheme, STR("https"));
}

bool req_accepts_json(const struct request *r)
{
    long j = str_find(r->accept, STR("application/json"));
    if (j < 0) return false;
    long h = str_find(r->accept, STR("text/html"));
    return h < 0 || j < h;
}
