/* throttle.c — login throttling through PostgreSQL functions (see 0001_init.sql). */
#include "throttle.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../db/db.h"

str throttle_address_key(struct arena *a, str ip)
{
    char text[INET6_ADDRSTRLEN + 4];
    unsigned char addr[16];
    if (ip.len == 0 || ip.len >= sizeof text) return ip;
    memcpy(text, ip.ptr, ip.len);
    text[ip.len] = '\0';
    if (inet_pton(AF_INET6, text, addr) != 1) return ip;
    static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (memcmp(addr, v4_mapped, sizeof v4_mapped) == 0) {
        if (!inet_ntop(AF_INET, addr + 12, text, sizeof text)) return ip;
        return str_dup(a, str_from(text));
    }
    memset(addr + 8, 0, 8);
    if (!inet_ntop(AF_INET6, addr, text, INET6_ADDRSTRLEN)) return ip;
    size_t n = strlen(text);
    memcpy(text + n, "/64", 4);
    return str_dup(a, str_from(text));
}

int throttle_login_check(struct db *db, struct arena *a, str email, str ip_key, int max_email, int max_ip,
                         int window_s, struct login_throttle *t)
{
    char me[16], mi[16], w[16];
    snprintf(me, sizeof me, "%d", max_email);
    snprintf(mi, sizeof mi, "%d", max_ip);
    snprintf(w, sizeof w, "%d", window_s);
    /* Check-then-record is racy: parallel guesses would all see "under the limit"
     * and each get a password check. Serialise attempts per email and per address
     * until this transaction (which records the outcome) ends. Always email first,
     * then address, so two attempts can never wait on each other in a cycle. */
    if (!db_q(db, a, "throttle_lock",
              "SELECT pg_advisory_xact_lock(1397844552, hashtext(lower($1))),"
              " pg_advisory_xact_lock(1397844553, hashtext($2))",
              str_cstr(a, email), str_cstr(a, ip_key)))
        return -1;
    struct dbres *r = db_q(db, a, "throttle_delays",
                           "SELECT email_wait, ip_wait, ip_failures FROM sb_login_delays($1, $2, $3, $4, $5)",
                           str_cstr(a, email), str_cstr(a, ip_key), me, mi, w);
    if (!r || db_rows(r) != 1) return -1;
    t->email_wait = db_long(r, 0, 0);
    t->ip_wait = db_long(r, 0, 1);
    t->address_clean = db_long(r, 0, 2) == 0;
    return 0;
}

int throttle_login_record(struct db *db, struct arena *a, str email, str ip_key, bool ok)
{
    return db_q(db, a, "throttle_record", "SELECT sb_login_record($1, $2, $3)", str_cstr(a, email),
                str_cstr(a, ip_key), ok ? "true" : "false")
               ? 0
               : -1;
}
