/* retry.c — see retry.h. Jitter keeps the senders of many workers from retrying in
 * step after a provider's outage; the half-to-full window ("equal jitter") keeps a
 * floor under the wait so a 429 is never answered at once. */
#include "retry.h"

#include <stdio.h>
#include <string.h>

#include "civil_date.h"

const struct retry_policy retry_send_policy = {
    .max_attempts = 6, .base_ms = 1000, .cap_ms = 5 * 60 * 1000, .max_after_ms = 60 * 60 * 1000,
};

long retry_backoff_ceiling_ms(const struct retry_policy *p, int attempt)
{
    long c = p->base_ms;
    for (int i = 1; i < attempt && c < p->cap_ms; i++) c *= 2;
    return c < p->cap_ms ? c : p->cap_ms;
}

static bool digits_only(str s)
{
    if (s.len == 0 || s.len > 9) return false;
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9') return false;
    return true;
}

/* IMF-fixdate, the form RFC 9110 requires senders to use. */
static long http_date(str s, time_t *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char text[40], wday[4], mon[4], zone[4];
    unsigned d, y, h, mi, se;
    int used = 0;
    if (s.len >= sizeof text) return -1;
    memcpy(text, s.ptr, s.len);
    text[s.len] = '\0';
    if (sscanf(text, "%3[A-Za-z], %2u %3[A-Za-z] %4u %2u:%2u:%2u %3s%n", wday, &d, mon, &y, &h, &mi, &se, zone, &used) != 8 ||
        (size_t)used != s.len || strcmp(zone, "GMT") != 0 || h > 23 || mi > 59 || se > 60)
        return -1;
    /* %u takes a sign and wraps: "-025" would be a year past any time_t. */
    if (y < 1900 || y > 9999 || d < 1 || d > 31) return -1;
    const char *m = strstr(months, mon);
    if (!m || strlen(mon) != 3 || (m - months) % 3 != 0) return -1;
    int64_t day = civil_days_from_ymd(y, (unsigned)((m - months) / 3 + 1), d);
    *out = (time_t)(day * CIVIL_DAY_S + h * 3600 + mi * 60 + se);
    return 0;
}

long retry_after_ms(str header, time_t now)
{
    str h = str_trim(header);
    if (digits_only(h)) {
        long v = 0;
        for (size_t i = 0; i < h.len; i++) v = v * 10 + (h.ptr[i] - '0');
        return v * 1000;
    }
    time_t at;
    if (h.len == 0 || http_date(h, &at) != 0) return -1;
    return at > now ? (long)(at - now) * 1000 : 0;
}

static bool is_transient(int status) { return status == 0 || status == 408 || status == 429 || status >= 500; }

struct retry_decision retry_decide(const struct retry_policy *p, int attempt, struct attempt_result r,
                                   time_t now, uint64_t random)
{
    struct retry_decision d = { .outcome = RETRY_GIVE_UP, .wait_ms = 0, .transient = false };
    if (r.http_status >= 200 && r.http_status < 300) {
        d.outcome = RETRY_DONE;
        return d;
    }
    d.transient = is_transient(r.http_status);
    if (!d.transient || attempt >= p->max_attempts) return d;
    long ceiling = retry_backoff_ceiling_ms(p, attempt);
    long half = ceiling / 2;
    d.wait_ms = half + (long)(random % (uint64_t)(ceiling - half + 1));
    long after = retry_after_ms(r.retry_after, now);
    if (after > p->max_after_ms) after = p->max_after_ms;
    if (after > d.wait_ms) d.wait_ms = after;
    d.outcome = RETRY_LATER;
    return d;
}
