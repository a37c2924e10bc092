/* smtp.h — sends one plain-text email over SMTP with libcurl: smtp:// (optionally
 * upgraded with STARTTLS, required then) or smtps://, with a login when a user name
 * is given. Used by alert emails and reminders; the server is the org's (settings). */
#ifndef SB_SMTP_H
#define SB_SMTP_H
struct arena;

struct smtp_server {
    const char *host;     /* a name or an address, no scheme */
    int port;
    const char *security; /* "none", "starttls" (required) or "tls" (smtps) */
    const char *username; /* NULL or "": no AUTH */
    const char *password;
    const char *from;     /* the envelope and From: address */
    long timeout_s;
};

struct smtp_message {
    const char *const *to; /* envelope recipients, also the To: header */
    int to_count;
    const char *subject;   /* one line; CR and LF are replaced by spaces */
    const char *body;      /* UTF-8 text; lines may end with \n or \r\n */
};

/* Sends m through s. 0, or -1 with *error (in a) saying why (the server's answer or
 * libcurl's message). */
int smtp_send(struct arena *a, const struct smtp_server *s, const struct smtp_message *m, const char **error);

/* Splits "a@x, b@y" into addresses (trimmed, empty ones dropped) in a; returns how
 * many, at most max, or -1 when one is not a plausible address (local@domain, no
 * spaces, controls, angle brackets or commas). */
int smtp_parse_addresses(struct arena *a, const char *list, const char **out, int max);
#endif
