/* throttle.h — login throttling kept in PostgreSQL so it holds across workers. */
#ifndef SB_THROTTLE_H
#define SB_THROTTLE_H
#include "../core/str.h"
struct arena;
struct db;

/* Seconds the caller must wait (0 = allowed, -1 = database error). Holds a lock on
 * the email and the address until the transaction ends, so record the outcome in
 * the same transaction. */
long throttle_login_check(struct db *db, struct arena *a, str email, str ip, int max_email,
                          int max_ip, int window_s);
/* Records an attempt (ok or failed). */
int throttle_login_record(struct db *db, struct arena *a, str email, str ip, bool ok);
#endif
