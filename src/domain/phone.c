/* phone.c — E.164 normalisation of phone numbers typed by people. */
#include "phone.h"

#define E164_MIN_DIGITS 8  /* country code + the shortest national numbers in use */
#define E164_MAX_DIGITS 15

static bool is_separator(char c)
{
    return c == ' ' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')' || c == '\t';
}

/* Collects the digits of s into digits (at most cap); false on any other
 * character, a '+' that is not first, or more digits than cap. */
static bool collect_digits(str s, char *digits, size_t cap, size_t *n, bool *plus)
{
    *n = 0;
    *plus = false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c >= '0' && c <= '9') {
            if (*n == cap) return false;
            digits[(*n)++] = c;
        } else if (c == '+' && *n == 0 && !*plus) {
            *plus = true;
        } else if (!is_separator(c)) {
            return false;
        }
    }
    return true;
}

static bool emit(char out[PHONE_E164_SIZE], const char *country, const char *digits, size_t n)
{
    size_t cc = strlen(country);
    char first = cc ? country[0] : (n ? digits[0] : '0');
    if (cc + n < E164_MIN_DIGITS || cc + n > E164_MAX_DIGITS || first == '0') return false;
    size_t k = 0;
    out[k++] = '+';
    for (size_t i = 0; i < cc; i++) out[k++] = country[i];
    for (size_t i = 0; i < n; i++) out[k++] = digits[i];
    out[k] = '\0';
    return true;
}

bool phone_normalize(str in, char out[PHONE_E164_SIZE])
{
    /* Room for a "00" prefix in front of a full 15-digit number, plus one to
     * notice an overlong one. */
    char d[E164_MAX_DIGITS + 3];
    size_t n;
    bool plus;
    out[0] = '\0';
    if (!collect_digits(str_trim(in), d, sizeof d, &n, &plus) || n == 0) return false;
    if (plus) return emit(out, "", d, n);
    if (n > 2 && d[0] == '0' && d[1] == '0') return emit(out, "", d + 2, n - 2);
    /* North American numbering: area codes and exchanges never start with 0 or 1. */
    if (n == 11 && d[0] == '1' && d[1] >= '2') return emit(out, "1", d + 1, 10);
    if (n == 10 && d[0] >= '2') return emit(out, "1", d, 10);
    return false;
}
