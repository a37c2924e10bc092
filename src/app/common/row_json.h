/* row_json.h — database columns into JSON objects. */
#ifndef SB_ROW_JSON_H
#define SB_ROW_JSON_H
struct json_object;
struct dbres;

/* Adds key: the column's text, or JSON null for SQL NULL. */
void row_json_nullable(struct json_object *o, const char *key, const struct dbres *q, int row, int col);
#endif
