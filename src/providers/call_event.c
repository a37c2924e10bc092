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

/* n digits at s. */
static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* An offset: "Z", "+hh:mm", "+hhmm" or "+hh", then the end. */
static bool iso_zone(const char *s)
{
    if (s[0] == 'Z') return s[1] == '\0';
    if (s[0] != '+' && s[0] != '-') return false;
    if (!digits(s + 1, 2)) return false;
    s += 3;
    if (*s == ':') s++;
    return *s == '\0' || (digits(s, 2) && s[2] == '\0');
}

bool call_event_iso_time(const char *s)
{
    if (!s || strlen(s) > 40) return false;
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2)) return false;
    if ((s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2)) return false;
    s += 16;
    if (*s == ':') {
        if (!digits(s + 1, 2)) return false;
        s += 3;
        if (*s == '.') {
            int n = 0;
            while (digits(s + 1 + n, 1)) n++;
            if (n == 0 || n > 9) return false;
            s += 1 + n;
        }
    }
    return iso_zone(s);
}
