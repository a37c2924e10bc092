/* sms_segments.h — how many SMS parts a text takes: GSM-7 (160 septets alone, 153 per
 * part when split; the extension table's characters take two) when every character is
 * in the GSM 03.38 alphabet, otherwise UCS-2 (70 UTF-16 code units alone, 67 per part). */
#ifndef SB_SMS_SEGMENTS_H
#define SB_SMS_SEGMENTS_H
#include <stdbool.h>
#include "../core/str.h"

#define SMS_GSM7_SINGLE 160
#define SMS_GSM7_PART 153
#define SMS_UCS2_SINGLE 70
#define SMS_UCS2_PART 67

struct sms_count {
    bool ucs2;      /* false: GSM-7 */
    long units;     /* septets (GSM-7) or UTF-16 code units (UCS-2) */
    long segments;  /* 0 for an empty text */
    long remaining; /* units still free in the last part */
};

/* Counts s (UTF-8; an invalid byte counts as one UCS-2 unit). A character is never
 * split between two parts (an escape pair or a surrogate pair moves to the next one),
 * as handsets and carriers split them. */
struct sms_count sms_count(str s);
/* true if the code point is in the GSM-7 basic table (1 septet) or extension table (2). */
int sms_gsm7_septets(unsigned long cp);
#endif
