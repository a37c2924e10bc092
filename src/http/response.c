/* response.c — building the response: status, headers, cookies, body or stream. */
#include "response.h"

#include "../core/arena.h"

void response_init(struct response *res, struct arena *a)
{
    memset(res, 0, sizeof *res);
    res->status = 200;
    buf_init(&res->body, a, 8192);
}

void response_reset(struct response *res)
{
    res->status = 200;
    res->headers.n = 0;
    res->is_html = false;
    buf_clear(&res->body);
}

void response_header(struct response *res, struct arena *a, const char *name, str value)
{
    /* Header values never carry CR/LF: that would split the response. */
    for (size_t i = 0; i < value.len; i++)
        if (value.ptr[i] == '\r' || value.ptr[i] == '\n') return;
    kvlist_add(a, &res->headers, str_from(name), value);
}

void response_set_cookie(struct response *res, struct arena *a, const char *name, str value,
                         long max_age_s, bool http_only)
{
    struct buf b;
    buf_init(&b, a, 128);
    buf_puts(&b, name);
    buf_putc(&b, '=');
    buf_put(&b, value);
    buf_puts(&b, "; Path=/; Secure; SameSite=Lax");
    if (http_only) buf_puts(&b, "; HttpOnly");
    if (max_age_s >= 0) buf_printf(&b, "; Max-Age=%ld", max_age_s);
    response_header(res, a, "Set-Cookie", buf_str(&b));
}

void response_redirect(struct response *res, struct arena *a, str location)
{
    res->status = 303;
    response_header(res, a, "Location", location);
}

const char *http_status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}

void response_add_security_headers(struct response *res, struct arena *a)
{
    response_header(res, a, "Content-Security-Policy",
                    STR("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                        "media-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; "
                        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"));
    response_header(res, a, "X-Content-Type-Options", STR("nosniff"));
    response_header(res, a, "Referrer-Policy", STR("same-origin"));
    response_header(res, a, "X-Frame-Options", STR("DENY"));
    response_header(res, a, "Permissions-Policy", STR("camera=(), microphone=(), geolocation=()"));
}

int response_begin_stream(struct response *res)
{
    if (!res->stream_write || res->sent) return 0;
    res->sent = true;
    return res->stream_write(res->stream_ctx, NULL, 0); /* NULL: send status + headers */
}

int response_write(struct response *res, const char *p, size_t n)
{
    if (!res->stream_write || !res->sent) {
        buf_append(&res->body, p, n);
        return 0;
    }
    return res->stream_write(res->stream_ctx, p, n);
}
