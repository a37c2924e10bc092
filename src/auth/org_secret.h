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
#endif
