/* migrate.h — forward-only SQL migrations from a directory, recorded with checksums. */
#ifndef SB_MIGRATE_H
#define SB_MIGRATE_H
#include <stdbool.h>
#include <stdio.h>
struct db;

/* Applies every not-yet-applied NNNN_name.sql in sql_dir in order, each in its own
 * transaction, recording its SHA-256. Refuses (-1, nothing applied) when an applied
 * file's checksum changed or an applied file is missing. With status_only, prints
 * each file's state and applies nothing. Progress goes to out, problems to stderr. */
int migrate_run(struct db *db, const char *sql_dir, bool status_only, FILE *out);
#endif
