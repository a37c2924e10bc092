/* phone.h — phone numbers as people type them, normalised to E.164. */
#ifndef SB_PHONE_H
#define SB_PHONE_H
#include <stdbool.h>
#include "../core/str.h"

/* Longest E.164 number: '+', 15 digits, NUL. */
#define PHONE_E164_SIZE 17

/* Normalises a human-written number ("(415) 555-0100", "415.555.0100",
 * "+1 415 555 0100", "001 415 555 0100", "+44 20 7946 0958") to E.164 in out
 * ("+14155550100"). Without a '+' or "00" prefix the number is North American:
 * 10 digits get +1, 11 digits must start with 1. Spaces, dots, dashes, slashes
 * and parentheses are ignored. Returns false (out set to "") for letters, a
 * misplaced '+', or too few/many digits. */
bool phone_normalize(str in, char out[PHONE_E164_SIZE]);
#endif
