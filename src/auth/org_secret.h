/* org_secret.h — an org's provider secrets (org_secrets rows), sealed with secretbox
 * and bound to their row by the context "<org_id>:<key>". */
#ifndef SB_ORG_SECRET_H
#define SB_ORG_SECRET_H
#include "../core/str.h"
struct arena;

/* The sealing context of one secret: "<org_id>:<key>" (in the arena). */
str org_secret_context(struct arena *a, str org_id, const char *key);
/* Opens a sealed secret given as standard base64; 0 and *out, or -1 when it is
 * malformed, tampered with or sealed under another key or row. */
int org_secret_open_b64(struct arena *a, str secret_key, str org_id, const char *key, str sealed_b64,
                        str *out);
/* The value sealed for its row as a bytea literal ("\\x<hex>", for a parameter),
 * or an empty str when sealing failed. */
str org_secret_seal_hex(struct arena *a, str secret_key, str org_id, const char *key, str value);
/* What may be shown of a secret: "****" and its last four characters, or only
 * "****" when it is shorter than 12 (a short secret's tail is too much of it). */
const char *org_secret_hint(struct arena *a, str value);
#endif
