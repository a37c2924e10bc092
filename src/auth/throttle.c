/* throttle.c — login throttling through PostgreSQL functions (see 0001_init.sql). */
#include "throttle.h"

#include <stdio.h>

#include "../core/arena.h"
#include "../db/db.h"

long throttle_login_check(struct db *db, struct arena *a, str email, str ip, int max_email,
                          int max_ip, int window_s)
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
              str_cstr(a, email), str_cstr(a, ip)))
        return -1;
    struct dbres *r = db_q(db, a, "throttle_check", "SELECT sb_login_throttle($1, $2, $3, $4, $5)",
                           str_cstr(a, email), str_cstr(a, ip), me, mi, w);
    if (!r || db_rows(r) != 1) return -1;
    return db_long(r, 0, 0);
}

int throttle_login_record(struct db *db, struct arena *a, str email, str ip, bool ok)
{
    return db_q(db, a, "throttle_record", "SELECT sb_login_record($1, $2, $3)", str_cstr(a, email),
                str_cstr(a, ip), ok ? "true" : "false")
               ? 0
               : -1;
}
