
/*
 * exch store: small string helpers.  Case-insensitive means ASCII case
 * folding, as exs_prop_cmp() does; other UTF-8 bytes compare as they are.
 */


#include <string.h>

#include "exs_int.h"


size_t
exs_fold(const char *s, size_t len, uint8_t *out, size_t max)
{
    size_t   i;
    uint8_t  c;

    if (len > max) {
        /* don't cut a UTF-8 sequence in two */
        len = max;
        while (len && ((uint8_t) s[len] & 0xC0) == 0x80) {
            len--;
        }
    }

    for (i = 0; i < len; i++) {
        c = (uint8_t) s[i];
        out[i] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
    }

    return len;
}


int
exs_strcaseeq(const char *a, const char *b)
{
    uint8_t  ca, cb;

    for ( ;; ) {
        ca = (uint8_t) *a++;
        cb = (uint8_t) *b++;

        if (ca >= 'A' && ca <= 'Z') {
            ca += 32;
        }

        if (cb >= 'A' && cb <= 'Z') {
            cb += 32;
        }

        if (ca != cb) {
            return 0;
        }

        if (ca == '\0') {
            return 1;
        }
    }
}


char *
exs_lower(exs_arena_t *a, const char *s)
{
    char    *d;
    size_t   len;

    len = strlen(s);

    d = exs_alloc(a, len + 1);
    if (d == NULL) {
        return NULL;
    }

    exs_fold(s, len, (uint8_t *) d, len);
    d[len] = '\0';

    return d;
}
