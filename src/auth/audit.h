/* audit.h — the audit log: every write and every security event. */
#ifndef SB_AUDIT_H
#define SB_AUDIT_H
#include "../core/str.h"
struct request;
struct db;
struct arena;

/* Writes an audit row in the current transaction for r's org/user/ip.
 * detail_json may be NULL. Returns 0, or the HTTP status of the database error
 * (the caller returns it: a write whose audit row is lost is not done). */
int audit_write(struct request *r, const char *action, const char *entity, str entity_id,
                const char *detail_json);
/* Security events (login ok/failed/throttled, 403, CSRF): written through a
 * SECURITY DEFINER function, so they need no tenant (org_id/user_id may be empty);
 * inside the current transaction if one is open, else in a short one of its own.
 * The caller must make sure the transaction commits (the dispatcher commits after a
 * handler returns 0 or after it refuses a request). */
int audit_security(struct request *r, str org_id, str user_id, str actor, const char *action,
                   const char *detail_json);
/* An event from a caller nobody authenticated (a bad webhook signature, a sign-in
 * while throttled): like audit_security, but at most one row a minute per action,
 * address and subject (org_id, else actor); the next row written carries
 * "left_out_before", how many were not written since the last. 0 or -1. */
int audit_unauthenticated(struct request *r, str org_id, str actor, const char *action,
                          const char *detail_json);
#endif
