/* page.c — what every HTML page shares: the layout dictionary (navigation, user
 * menu, CSRF token, flash), error pages in HTML or JSON, redirects and flashes. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "../auth/csrf.h"
#include "../auth/session.h"
#include "../core/arena.h"
#include "../core/crypto.h"
#include "../view/json.h"
#include "../view/view.h"
#include "app.h"
#include "config.h"

#define FLASH_COOKIE "__Host-sb_flash"
#define FLASH_MAX 300

str app_csrf_token(struct request *r)
{
    if (r->session && r->session->token_hash.len)
        return csrf_token(r->arena, app_secret(r), r->session->token_hash);
    const str *pre = kvlist_get(&r->cookies, CSRF_COOKIE);
    str binding = pre && csrf_binding_valid(*pre) ? *pre : STR_NULL;
    if (!binding.len) {
        /* First visit: bind the form to a fresh random cookie (login CSRF defence). */
        binding = crypto_token(r->arena);
        kvlist_add(r->arena, &r->cookies, str_from(CSRF_COOKIE), binding);
        response_set_cookie(r->res, r->arena, CSRF_COOKIE, binding, -1, true);
    }
    return csrf_token(r->arena, app_secret(r), binding);
}

/* Flash cookie: "<kind>.<base64url message>.<hex hmac>" so it cannot be forged
 * into someone's page. */
static str flash_mac(const struct request *r, str payload)
{
    uint8_t mac[32];
    crypto_hmac_sha256(app_secret(r), payload, mac);
    struct buf b;
    buf_init(&b, r->arena, 40);
    hex_encode(&b, mac, 16);
    return buf_str(&b);
}

void flash_set(struct request *r, const char *kind, const char *message)
{
    struct buf b;
    buf_init(&b, r->arena, 128);
    buf_puts(&b, kind);
    buf_putc(&b, '.');
    size_t n = strlen(message);
    base64url_encode(&b, (const uint8_t *)message, n > FLASH_MAX ? FLASH_MAX : n);
    str mac = flash_mac(r, buf_str(&b));
    buf_putc(&b, '.');
    buf_put(&b, mac);
    response_set_cookie(r->res, r->arena, FLASH_COOKIE, buf_str(&b), -1, true);
}

/* Reads and consumes the flash cookie; false if absent or not ours. */
static bool flash_take(struct request *r, str *kind, str *message)
{
    const str *c = kvlist_get(&r->cookies, FLASH_COOKIE);
    if (!c) return false;
    response_set_cookie(r->res, r->arena, FLASH_COOKIE, STR(""), 0, true);
    long last_dot = -1;
    for (size_t i = 0; i < c->len; i++)
        if (c->ptr[i] == '.') last_dot = (long)i;
    if (last_dot <= 0) return false;
    str payload = str_make(c->ptr, (size_t)last_dot);
    str mac = str_make(c->ptr + last_dot + 1, c->len - (size_t)last_dot - 1);
    if (!crypto_ct_eq(mac, flash_mac(r, payload))) return false;
    str enc;
    if (!str_cut(payload, '.', kind, &enc)) return false;
    if (!str_eq(*kind, STR("ok")) && !str_eq(*kind, STR("error")) && !str_eq(*kind, STR("info")))
        return false;
    uint8_t *out = arena_alloc(r->arena, enc.len + 1);
    long len = base64url_decode(enc, out, enc.len + 1);
    if (len < 0 || !utf8_valid(str_make((const char *)out, (size_t)len))) return false;
    *message = str_make((const char *)out, (size_t)len);
    return true;
}

struct nav_item {
    const char *href, *label;
    enum role min_role;
};

/* Only pages that exist. */
static const struct nav_item nav_items[] = {
    { "/", "Overview", ROLE_VIEWER },
    { "/calls", "Calls", ROLE_VIEWER },
    { "/deals", "Deals", ROLE_VIEWER },
    { "/campaigns", "Campaigns", ROLE_VIEWER },
    { "/contacts", "Contacts", ROLE_VIEWER },
    { "/admin", "Admin", ROLE_ADMIN },
    { "/admin/usage", "Usage", ROLE_MANAGER },
};

static void fill_nav(struct request *r, struct tdict *d)
{
    for (size_t i = 0; i < sizeof nav_items / sizeof nav_items[0]; i++) {
        const struct nav_item *n = &nav_items[i];
        if (r->session->role < n->min_role) continue;
        struct tdict *item = tdict_add_section(d, "NAV");
        tdict_set_cstr(item, "NAV_HREF", n->href);
        tdict_set_cstr(item, "NAV_LABEL", n->label);
        bool current = strcmp(n->href, "/") == 0 ? str_eq(r->path, STR("/"))
                                                  : str_starts_with(r->path, str_from(n->href));
        /* /admin/usage has its own item; "Admin" is current on the other admin pages. */
        if (strcmp(n->href, "/admin") == 0 && str_starts_with(r->path, STR("/admin/usage"))) current = false;
        if (current) tdict_show(item, "NAV_CURRENT");
    }
}

struct tdict *page_dict(struct request *r, const char *title, const char *content_tpl)
{
    struct tdict *d = tdict_new(r->arena, "layout");
    tdict_set_cstr(d, "TITLE", title);
    tdict_set_cstr(d, "APP_VERSION", PACKAGE_VERSION);
    /* Global: the content templates name their own scripts with it too. */
    tdict_set_global(d, "STATIC_VERSION", STR(PACKAGE_VERSION));
    tdict_set_global(d, "REQUEST_ID", r->request_id);
    tdict_set_global(d, "CSRF_TOKEN", app_csrf_token(r));
    if (r->session && !r->via_api_key) {
        struct session *s = r->session;
        struct tdict *u = tdict_add_section(d, "SIGNED_IN");
        tdict_set(u, "USER_NAME", s->user_name.len ? s->user_name : s->email);
        tdict_set(u, "USER_EMAIL", s->email);
        tdict_set_cstr(u, "USER_ROLE", role_name(s->role));
        tdict_set(u, "ORG_NAME", s->org_name);
        fill_nav(r, d);
    }
    str kind, message;
    if (flash_take(r, &kind, &message)) {
        struct tdict *f = tdict_add_section(d, "FLASH");
        tdict_set(f, "FLASH_KIND", kind);
        tdict_set(f, "FLASH_MESSAGE", message);
    }
    return tdict_include(d, "CONTENT", content_tpl);
}

#define PAGE_BODY_BYTES (48u << 10)

int page_render(struct request *r, int status, struct tdict *d)
{
    r->res->status = status;
    r->res->is_html = true;
    /* Room for a list page at once (/calls is 30 KB): grown from the response's first
     * 8 KB as it is written, the body was copied twice on the way. */
    buf_reserve(&r->res->body, PAGE_BODY_BYTES);
    if (view_render("layout.tpl", tdict_root(d), &r->res->body) != 0) return 500;
    response_header(r->res, r->arena, "Content-Type", STR("text/html; charset=utf-8"));
    return 0;
}

int redirect_see_other(struct request *r, const char *location, const char *flash_kind,
                       const char *flash_message)
{
    if (flash_kind && flash_message) flash_set(r, flash_kind, flash_message);
    response_redirect(r->res, r->arena, str_from(location));
    return 0;
}

static void plain_error(struct request *r, int status, const char *message)
{
    r->res->status = status;
    buf_clear(&r->res->body);
    buf_printf(&r->res->body, "%d %s\n%s\nRequest id: ", status, http_status_text(status), message);
    buf_put(&r->res->body, r->request_id);
    buf_putc(&r->res->body, '\n');
    response_header(r->res, r->arena, "Content-Type", STR("text/plain; charset=utf-8"));
}

void app_error(struct request *r, int status, const char *message, struct json_object *fields)
{
    /* The 403 default must be chosen before the generic one, or it never shows. */
    if (!message && status == 403) message = "You do not have permission to do that.";
    if (!message) message = http_status_text(status);
    /* Every 401 must name a scheme (RFC 9110 §15.5.2), including the one for an API
     * key sent to an HTML route, which does not pass through the login redirect. */
    if (status == 401 && !kvlist_get(&r->res->headers, "WWW-Authenticate"))
        response_header(r->res, r->arena, "WWW-Authenticate", STR("Bearer"));
    if (r->wants_json) {
        json_reply_error(r, status, json_error_code(status), message, fields);
        return;
    }
    if (fields) json_object_put(fields);
    struct tdict *d;
    const char *tpl;
    if (r->session && !r->via_api_key) {
        d = page_dict(r, http_status_text(status), "errors/error.tpl");
        tpl = "layout.tpl";
    } else {
        d = tdict_new(r->arena, "error");
        tdict_set(d, "REQUEST_ID", r->request_id);
        tpl = "errors/standalone.tpl";
    }
    tdict_set_long(d, "STATUS", status);
    tdict_set_cstr(d, "STATUS_TEXT", http_status_text(status));
    tdict_set_cstr(d, "TITLE", http_status_text(status));
    tdict_set_cstr(d, "MESSAGE", message);
    tdict_set_cstr(d, "STATIC_VERSION", PACKAGE_VERSION);
    r->res->status = status;
    r->res->is_html = true;
    buf_clear(&r->res->body);
    if (view_render(tpl, tdict_root(d), &r->res->body) != 0) {
        plain_error(r, status, message);
        return;
    }
    response_header(r->res, r->arena, "Content-Type", STR("text/html; charset=utf-8"));
}
