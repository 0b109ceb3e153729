
/*
 * Helpers shared by the MAPI codec unit tests: hex fixtures and a check
 * that every truncation of a valid input is refused cleanly.
 */


#ifndef _MAPI_UTIL_H_INCLUDED_
#define _MAPI_UTIL_H_INCLUDED_


#include <ctype.h>
#include <stdlib.h>
#include <string.h>


/*
 * Hex digits to bytes; spaces, dashes, newlines and "0000:" offset
 * prefixes (as in the specs' examples) are skipped.  Returns the length.
 */

static size_t
hex(const char *s, uint8_t *out, size_t cap)
{
    size_t       n;
    const char  *p;
    int          hi;

    n = 0;
    hi = -1;

    for (p = s; *p; p++) {
        if (isxdigit((unsigned char) p[0]) && isxdigit((unsigned char) p[1])
            && isxdigit((unsigned char) p[2]) && isxdigit((unsigned char) p[3])
            && p[4] == ':')
        {
            p += 4;
            continue;
        }

        if (!isxdigit((unsigned char) *p)) {
            continue;
        }

        if (hi < 0) {
            hi = isdigit((unsigned char) *p) ? *p - '0'
                                             : (tolower(*p) - 'a' + 10);
            continue;
        }

        if (n < cap) {
            out[n++] = (uint8_t) ((hi << 4)
                                  | (isdigit((unsigned char) *p)
                                     ? *p - '0' : (tolower(*p) - 'a' + 10)));
        }

        hi = -1;
    }

    return n;
}


#endif /* _MAPI_UTIL_H_INCLUDED_ */
