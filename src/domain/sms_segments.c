/* sms_segments.c — SMS part counting (GSM-7 or UCS-2). */
#include "sms_segments.h"

/* GSM 03.38 basic table, as Unicode code points, in table order (0x1B, the escape, is
 * not a character of its own: 0 there). */
static const unsigned short gsm7_basic[128] = {
    '@', 0xA3, '$', 0xA5, 0xE8, 0xE9, 0xF9, 0xEC, 0xF2, 0xC7, '\n', 0xD8, 0xF8, '\r', 0xC5, 0xE5,
    0x394, '_', 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E, 0, 0xC6, 0xE6, 0xDF, 0xC9,
    ' ', '!', '"', '#', 0xA4, '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    0xA1, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 0xC4, 0xD6, 0xD1, 0xDC, 0xA7,
    0xBF, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0xE4, 0xF6, 0xF1, 0xFC, 0xE0,
};
/* The extension table: escape + one septet each. */
static const unsigned short gsm7_ext[] = { 0x0C, '^', '{', '}', '\\', '[', '~', ']', '|', 0x20AC };

int sms_gsm7_septets(unsigned long cp)
{
    for (int i = 0; i < 128; i++)
        if (gsm7_basic[i] == cp && (cp || i == 0)) return 1;
    for (unsigned i = 0; i < sizeof gsm7_ext / sizeof gsm7_ext[0]; i++)
        if (gsm7_ext[i] == cp) return 2;
    return 0;
}

/* The next code point of s at *i (advanced); 0xFFFD for an invalid byte. */
static unsigned long next_cp(str s, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s.ptr + *i;
    size_t left = s.len - *i, n;
    unsigned long cp;
    if (p[0] < 0x80) n = 1, cp = p[0];
    else if ((p[0] & 0xE0) == 0xC0) n = 2, cp = p[0] & 0x1Fu;
    else if ((p[0] & 0xF0) == 0xE0) n = 3, cp = p[0] & 0x0Fu;
    else if ((p[0] & 0xF8) == 0xF0) n = 4, cp = p[0] & 0x07u;
    else n = 0, cp = 0;
    if (n == 0 || n > left) {
        *i += 1;
        return 0xFFFD;
    }
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *i += 1;
            return 0xFFFD;
        }
        cp = cp << 6 | (p[k] & 0x3Fu);
    }
    *i += n;
    return cp;
}

/* Lays out characters of the given widths into parts of `part` units. */
struct layout {
    long units, parts, used; /* used: units in the current part */
};

static void place(struct layout *l, long w, long part)
{
    l->units += w;
    if (l->parts == 0 || l->used + w > part) {
        l->parts++;
        l->used = 0;
    }
    l->used += w;
}

struct sms_count sms_count(str s)
{
    struct sms_count c = { 0 };
    bool gsm = true;
    for (size_t i = 0; i < s.len && gsm;)
        if (!sms_gsm7_septets(next_cp(s, &i))) gsm = false;
    long single = gsm ? SMS_GSM7_SINGLE : SMS_UCS2_SINGLE, part = gsm ? SMS_GSM7_PART : SMS_UCS2_PART;
    struct layout l = { 0 };
    for (size_t i = 0; i < s.len;) {
        unsigned long cp = next_cp(s, &i);
        place(&l, gsm ? sms_gsm7_septets(cp) : cp > 0xFFFF ? 2 : 1, part);
    }
    c.ucs2 = !gsm;
    c.units = l.units;
    if (l.units == 0) {
        c.remaining = single;
    } else if (l.units <= single) {
        c.segments = 1;
        c.remaining = single - l.units;
    } else {
        c.segments = l.parts;
        c.remaining = part - l.used;
    }
    return c;
}
