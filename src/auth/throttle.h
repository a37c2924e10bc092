/* throttle.h — login throttling kept in PostgreSQL so it holds across workers and
 * hosts: a hard limit per address, and per email a delay that rises with each
 * failure past the limit, which a correct password from a clean address passes. */
#ifndef SB_THROTTLE_H
#define SB_THROTTLE_H
#include <stdbool.h>
#include "../core/str.h"
struct arena;
struct db;

struct login_throttle {
    long email_wait;    /* seconds this email must wait, 0 when free */
    long ip_wait;       /* seconds this address must wait, 0 when free */
    bool address_clean; /* no failed attempt from this address in the window */
};

/* The key attempts from ip are counted under: an IPv6 address by its /64 (a
 * client is usually given a whole /64), an IPv4-mapped one as IPv4, others as
 * they are. In the arena. */
str throttle_address_key(struct arena *a, str ip);

/* Fills *t for email and the address key; 0, or -1 on a database error. Holds a
 * lock on the email and the address until the transaction ends, so record the
 * outcome in the same transaction. */
int throttle_login_check(struct db *db, struct arena *a, str email, str ip_key, int max_email, int max_ip,
                         int window_s, struct login_throttle *t);
/* Records an attempt (ok or failed). */
int throttle_login_record(struct db *db, struct arena *a, str email, str ip_key, bool ok);
#endif
