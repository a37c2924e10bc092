/* password.h — scrypt password hashing with per-user salt (PHC-like string). */
#ifndef SB_PASSWORD_H
#define SB_PASSWORD_H
#include <stdbool.h>
#include "../core/str.h"
struct arena;

#define PASSWORD_MIN_LEN 12
#define PASSWORD_MAX_LEN 1024

/* Hashes pw as "$scrypt$ln=<log2 N>,r=8,p=1$<salt b64>$<hash b64>"; NULL on error. */
char *password_hash(struct arena *a, str pw, int log2_n);
/* Constant-time check of pw against a stored hash; false on any malformed hash. */
bool password_verify(str pw, const char *stored);
/* true when stored was made with a lower cost than log2_n (or other r, p), or
 * cannot be read: the caller hashes the password again at sign-in. */
bool password_needs_rehash(const char *stored, int log2_n);
/* Burns the same time as a verify, for unknown users (no user enumeration). */
void password_dummy_verify(str pw, int log2_n);
/* NULL if acceptable, else the reason ("must be at least 12 characters"). */
const char *password_policy_error(str pw);
#endif
