/* call_event.c — the value checks shared by the providers' payload parsers. */
#include "call_event.h"

#include <string.h>

const char *call_event_e164(const char *s)
{
    if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9') return "";
    size_t n = strlen(s);
    if (n < 3 || n > 16) return "";
    for (size_t i = 2; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return "";
    return s;
}

bool call_event_http_url(const char *s)
{
    return s && strlen(s) <= 2048 && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}
