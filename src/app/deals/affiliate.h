/* affiliate.h — a deal's affiliate code, stored sealed (core/secretbox.h) and bound
 * to the org and the deal, so a sealed code cannot be moved to another row. */
#ifndef SB_DEAL_AFFILIATE_H
#define SB_DEAL_AFFILIATE_H
#include "../../core/str.h"
struct request;

/* code sealed for deal_id with the request's secret key, as hex for SQL's
 * decode($n, 'hex'), NUL-terminated in the request arena. */
const char *deal_affiliate_seal_hex(struct request *r, str deal_id, str code);
/* Opens the stored code of deal_id: 0 and *out (in the arena); 1 when there is
 * none; -1 when it cannot be opened (another secret key, tampered data, a database
 * error): loudly, never garbage. */
int deal_affiliate_open(struct request *r, str deal_id, str *out);
#endif
