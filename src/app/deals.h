/* deals.h — what the deal page files (deals.c: reads; deal_write.c: writes) share. */
#ifndef SB_DEALS_H
#define SB_DEALS_H
#include <stdbool.h>
#include "../core/str.h"
struct request;
struct json_object;
struct dbres;
struct tdict;

/* A deal as SPEC §6 lists its fields, from a db/deals_sql.h result row. */
struct json_object *deal_json(const struct dbres *res, int row);
/* The deal id of this org as JSON (deleted ones too); with detail also its
 * deliverables, payments, exclusivity conflicts and history. NULL and *status
 * set when it cannot be read. */
struct json_object *deal_json_by_id(struct request *r, str id, bool detail, int *status);
/* Opens the deal's affiliate code: 0 and *out; 1 when there is none; -1 when it
 * cannot be opened (wrong secret key, tampered): loudly, never garbage. */
int deal_affiliate_open(struct request *r, str deal_id, str *out);
/* The board / the deal page with status and a notice on top (a refused move). */
int deals_board_render(struct request *r, int status, const char *notice);
int deals_show_render(struct request *r, int status, str id, const char *notice);
/* Fills the pages' tab bar (List · Board · Forecast · Brands) with current marked. */
void deals_tabs(struct tdict *d, const char *current);
#endif
