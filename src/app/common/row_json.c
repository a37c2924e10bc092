/* row_json.c — database columns into JSON objects. */
#include "row_json.h"

#include "../../db/db.h"
#include "../../view/json.h"

void row_json_nullable(struct json_object *o, const char *key, const struct dbres *q, int row, int col)
{
    json_add_str(o, key, db_isnull(q, row, col) ? STR_NULL : db_val(q, row, col));
}
