/* test_phone.c — phone_normalize: the formats people type, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/domain/phone.h"
#include "unit.h"

struct phone_case {
    const char *in;
    const char *want; /* NULL: rejected */
};

static const struct phone_case cases[] = {
    /* North American formats → +1 */
    { "(415) 555-0100", "+14155550100" },
    { "415.555.0100", "+14155550100" },
    { "415-555-0100", "+14155550100" },
    { "4155550100", "+14155550100" },
    { "14155550100", "+14155550100" },
    { "1 (415) 555-0100", "+14155550100" },
    { "+1 415 555 0100", "+14155550100" },
    { "+14155550100", "+14155550100" },
    { "  +1 (415) 555-0100\t", "+14155550100" },
    { "001 415 555 0100", "+14155550100" },
    { "415/555/0100", "+14155550100" },
    /* International */
    { "+44 20 7946 0958", "+442079460958" },
    { "0044 20 7946 0958", "+442079460958" },
    { "+91 98765 43210", "+919876543210" },
    { "+49 30 123456", "+4930123456" },
    { "+123456789012345", "+123456789012345" }, /* 15 digits, the most E.164 allows */
    /* Rejected */
    { "", NULL },
    { "   ", NULL },
    { "+", NULL },
    { "555-0100", NULL },                /* too few digits */
    { "415 555 010", NULL },             /* 9 digits */
    { "415 555 01000", NULL },           /* 11 digits not starting with 1 */
    { "+1234567", NULL },                /* 7 digits after + */
    { "+1234567890123456", NULL },       /* 16 digits */
    { "00", NULL },
    { "0044", NULL },
    { "+0 415 555 0100", NULL },         /* country codes never start with 0 */
    { "0415 555 0100", NULL },           /* NANP area codes never start with 0 or 1 */
    { "1155 555 0100", NULL },
    { "(415) 555-CALL", NULL },          /* letters */
    { "415 555 0100 ext 12", NULL },
    { "1-800-FLOWERS", NULL },
    { "41+5 555 0100", NULL },           /* '+' only in front */
    { "++14155550100", NULL },
    { "415,555,0100", NULL },
    { "+1 415 555 0100 0000 0000 0000", NULL },
};

static void test_phone_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct phone_case *c = &cases[i];
        size_t len = strlen(c->in);
        char out[PHONE_E164_SIZE];
        memset(out, 'x', sizeof out);
        bool ok = phone_normalize(str_make(c->in, len), out);
        if (c->want) {
            if (!ok) fail_msg("case %zu \"%s\": rejected, want %s", i, c->in, c->want);
            assert_string_equal(out, c->want);
        } else {
            if (ok) fail_msg("case %zu \"%s\": accepted as %s, want rejected", i, c->in, out);
            assert_string_equal(out, "");
        }
    }
}

static void test_phone_embedded_nul(void **state)
{
    (void)state;
    char out[PHONE_E164_SIZE];
    assert_false(phone_normalize(STR("415\x00" "5550100"), out));
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_table),
        cmocka_unit_test(test_phone_embedded_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
