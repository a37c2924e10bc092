/* smtp.c — one email over SMTP with libcurl (smtp.h). */
#include "smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"

struct upload {
    const char *p;
    size_t left;
};

static size_t read_body(char *out, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t k = size * n < u->left ? size * n : u->left;
    memcpy(out, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

/* Header values are one line: a CR or LF in them would start a header of its own. */
static void put_line_value(struct buf *b, const char *s)
{
    for (; *s; s++) buf_putc(b, *s == '\r' || *s == '\n' ? ' ' : *s);
}

/* The message as sent after DATA: headers, a blank line, the body with CRLF line
 * ends (libcurl escapes a leading dot itself). */
static void compose(struct buf *b, const struct smtp_server *s, const struct smtp_message *m)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    uint8_t rnd[12];
    crypto_random(rnd, sizeof rnd);
    buf_printf(b, "Date: %s\r\nFrom: ", date);
    put_line_value(b, s->from);
    buf_puts(b, "\r\nTo: ");
    for (int i = 0; i < m->to_count; i++) {
        if (i) buf_puts(b, ", ");
        put_line_value(b, m->to[i]);
    }
    buf_puts(b, "\r\nMessage-ID: <");
    hex_encode(b, rnd, sizeof rnd);
    const char *at = strchr(s->from, '@');
    buf_printf(b, "@%s>\r\nSubject: ", at && at[1] ? at + 1 : "switchboard.invalid");
    put_line_value(b, m->subject);
    buf_puts(b, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n");
    for (const char *p = m->body; *p; p++) {
        if (*p == '\n' && (p == m->body || p[-1] != '\r')) buf_putc(b, '\r');
        buf_putc(b, *p);
    }
    if (b->len < 2 || memcmp(b->data + b->len - 2, "\r\n", 2) != 0) buf_puts(b, "\r\n");
}

int smtp_send(struct arena *a, const struct smtp_server *s, const struct smtp_message *m, const char **error)
{
    *error = NULL;
    if (!s->host || !*s->host || !s->from || !*s->from) {
        *error = "no SMTP server is configured (Settings: SMTP host and sender address)";
        return -1;
    }
    if (m->to_count < 1) {
        *error = "no recipients";
        return -1;
    }
    bool tls = s->security && strcmp(s->security, "tls") == 0;
    bool starttls = s->security && strcmp(s->security, "starttls") == 0;
    char url[320], from[300];
    snprintf(url, sizeof url, "%s://%s:%d", tls ? "smtps" : "smtp", s->host, s->port);
    snprintf(from, sizeof from, "<%s>", s->from);
    struct buf body;
    buf_init(&body, a, strlen(m->body) + 512);
    compose(&body, s, m);
    struct upload up = { body.data, body.len };
    struct curl_slist *rcpt = NULL;
    for (int i = 0; i < m->to_count; i++) {
        char one[300];
        snprintf(one, sizeof one, "<%s>", m->to[i]);
        rcpt = curl_slist_append(rcpt, one);
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *h = curl_easy_init();
    if (!h) {
        curl_slist_free_all(rcpt);
        *error = "cannot start an SMTP session";
        return -1;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (starttls) curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (s->username && *s->username) {
        curl_easy_setopt(h, CURLOPT_USERNAME, s->username);
        curl_easy_setopt(h, CURLOPT_PASSWORD, s->password ? s->password : "");
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body.len);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    long t = s->timeout_s > 0 ? s->timeout_s : 30;
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, t < 10 ? t : 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, t);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    if (rc == CURLE_OK) return 0;
    struct buf e;
    buf_init(&e, a, 160);
    buf_printf(&e, "SMTP: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    if (code) buf_printf(&e, " (server answered %ld)", code);
    *error = buf_cstr(&e);
    return -1;
}

static bool plausible_address(const char *p, size_t n)
{
    const char *at = memchr(p, '@', n);
    if (!at || at == p || at == p + n - 1 || n > 254 || memchr(at + 1, '@', (size_t)(p + n - at - 1))) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',' || c == '"' || c == '\\') return false;
    }
    return true;
}

int smtp_parse_addresses(struct arena *a, const char *list, const char **out, int max)
{
    int n = 0;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *s = p, *e = end;
        while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) e--;
        if (e > s) {
            if (!plausible_address(s, (size_t)(e - s)) || n == max) return -1;
            out[n++] = arena_strndup(a, s, (size_t)(e - s));
        }
        p = *end ? end + 1 : end;
    }
    return n;
}
