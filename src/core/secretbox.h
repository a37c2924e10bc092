/* secretbox.h — AES-256-GCM for secrets at rest (provider keys), with a key derived
 * from the configured secret_key; tampering or a wrong key fails loudly. */
#ifndef SB_SECRETBOX_H
#define SB_SECRETBOX_H
#include "str.h"
struct arena;

/* Seals plaintext as nonce(12) || ciphertext || tag(16), bound to context (e.g. the
 * org id + key name, so a sealed value cannot be moved to another row). */
str secretbox_seal(struct arena *a, str secret_key, str context, str plaintext);
/* Opens a sealed value; returns 0 and *out, or -1 on a wrong key, wrong context or
 * tampered data (never garbage). */
int secretbox_open(struct arena *a, str secret_key, str context, str sealed, str *out);
#endif
