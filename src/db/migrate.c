/* migrate.c — applies sql/NNNN_*.sql in order; each file in one transaction. */
#include "migrate.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/crypto.h"
#include "db.h"

#define MAX_MIGRATIONS 1000

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_migration_name(const char *n)
{
    size_t len = strlen(n);
    return len > 9 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' && n[2] >= '0' &&
           n[2] <= '9' && n[3] >= '0' && n[3] <= '9' && n[4] == '_' &&
           strcmp(n + len - 4, ".sql") == 0;
}

/* Sorted list of migration file names in dir (in the arena); -1 if unreadable. */
static int list_files(struct arena *a, const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **names = arena_alloc(a, MAX_MIGRATIONS * sizeof *names);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_MIGRATIONS)
        if (is_migration_name(e->d_name)) names[n++] = arena_strdup(a, e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, name_cmp);
    *out = names;
    return n;
}

static int read_file(struct arena *a, const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    buf_init(out, a, 8192);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(out, chunk, n);
    int err = ferror(f);
    fclose(f);
    return err ? -1 : 0;
}

static const char *applied_checksum(struct db *db, struct arena *a, const char *name)
{
    struct dbres *r = db_q(db, a, "migrate_applied",
                           "SELECT checksum FROM schema_migrations WHERE filename = $1", name);
    return db_rows(r) == 1 ? db_cstr(r, 0, 0) : NULL;
}

static int apply_one(struct db *db, struct arena *a, const char *name, const char *sql, const char *sum,
                     FILE *out)
{
    if (db_begin(db) != 0) return -1;
    if (db_exec_simple(db, sql) != 0) {
        fprintf(stderr, "migrate: %s: %s\n", name, db_last_message(db));
        db_rollback(db);
        return -1;
    }
    if (!db_q(db, a, "migrate_record",
              "INSERT INTO schema_migrations (filename, checksum) VALUES ($1, $2)", name, sum)) {
        fprintf(stderr, "migrate: %s: cannot record: %s\n", name, db_last_message(db));
        db_rollback(db);
        return -1;
    }
    if (db_commit(db) != 0) {
        fprintf(stderr, "migrate: %s: commit failed: %s\n", name, db_last_message(db));
        return -1;
    }
    fprintf(out, "applied %s\n", name);
    return 0;
}

/* Every applied migration must still exist unchanged; returns the problem count. */
static int check_applied(struct db *db, struct arena *a, char **names, int n, str *sums)
{
    struct dbres *r = db_q0(db, a, "migrate_all",
                            "SELECT filename, checksum FROM schema_migrations ORDER BY filename");
    int problems = 0;
    for (int i = 0; i < db_rows(r); i++) {
        const char *fname = db_cstr(r, i, 0);
        int j = 0;
        while (j < n && strcmp(names[j], fname) != 0) j++;
        if (j == n) {
            fprintf(stderr, "migrate: %s was applied but is missing from the sql directory\n", fname);
            problems++;
        } else if (!str_eq_cstr(sums[j], db_cstr(r, i, 1))) {
            fprintf(stderr, "migrate: %s was changed after it was applied (checksum mismatch); "
                            "write a new migration instead\n", fname);
            problems++;
        }
    }
    return problems;
}

int migrate_run(struct db *db, const char *sql_dir, bool status_only, FILE *out)
{
    struct arena a;
    arena_init(&a, 64 * 1024);
    int rc = -1;
    char **names;
    int n = list_files(&a, sql_dir, &names);
    if (n < 0) {
        fprintf(stderr, "migrate: cannot read directory %s\n", sql_dir);
        goto done;
    }
    /* One migrator at a time, whatever the number of hosts. */
    if (db_exec_simple(db, "SELECT pg_advisory_lock(7215001)") != 0 ||
        db_exec_simple(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                           " filename text PRIMARY KEY, checksum text NOT NULL,"
                           " applied_at timestamptz NOT NULL DEFAULT now())") != 0) {
        fprintf(stderr, "migrate: %s\n", db_last_message(db));
        goto done;
    }
    struct buf *bodies = arena_calloc(&a, (size_t)n + 1, sizeof *bodies);
    str *sums = arena_calloc(&a, (size_t)n + 1, sizeof *sums);
    for (int i = 0; i < n; i++) {
        char *path = arena_alloc(&a, strlen(sql_dir) + strlen(names[i]) + 2);
        memcpy(path, sql_dir, strlen(sql_dir));
        path[strlen(sql_dir)] = '/';
        memcpy(path + strlen(sql_dir) + 1, names[i], strlen(names[i]) + 1);
        if (read_file(&a, path, &bodies[i]) != 0) {
            fprintf(stderr, "migrate: cannot read %s\n", path);
            goto unlock;
        }
        sums[i] = crypto_sha256_hex(&a, buf_str(&bodies[i]));
    }
    if (check_applied(db, &a, names, n, sums) > 0) goto unlock;
    int applied = 0;
    for (int i = 0; i < n; i++) {
        const char *have = applied_checksum(db, &a, names[i]);
        if (status_only) {
            fprintf(out, "%-40s %s\n", names[i], have ? "applied" : "pending");
            continue;
        }
        if (have) continue;
        if (apply_one(db, &a, names[i], buf_cstr(&bodies[i]), str_cstr(&a, sums[i]), out) != 0)
            goto unlock;
        applied++;
    }
    if (!status_only) fprintf(out, applied ? "migrations done (%d applied)\n" : "up to date\n", applied);
    rc = 0;
unlock:
    db_exec_simple(db, "SELECT pg_advisory_unlock(7215001)");
done:
    arena_destroy(&a);
    return rc;
}
