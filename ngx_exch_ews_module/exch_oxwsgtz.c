
/*
 * exch EWS: exch_oxwsgtz.c (not built yet).
 */


#include <string.h>

#include "exch_ews_ops.h"
#include "exch_ews_items.h"


int
exch_ews_tzdef_make(exch_ews_t *ews, const char *id, exs_bin_t *out)
{
    size_t    klen, i, n;
    uint8_t  *p;

    klen = strlen(id);

    if (klen > 255) {
        klen = 255;
    }

    n = 8 + klen * 2 + 2 + 66;

    p = exs_calloc(ews->a, n);
    if (p == NULL) {
        return EXS_NOMEM;
    }

    p[0] = 0x02;
    p[1] = 0x01;
    p[2] = (uint8_t) (6 + klen * 2);
    p[3] = (uint8_t) ((6 + klen * 2) >> 8);
    p[4] = 0x02;
    p[6] = (uint8_t) klen;

    for (i = 0; i < klen; i++) {
        p[8 + i * 2] = (uint8_t) id[i];
    }

    p[8 + klen * 2] = 1;

    /* one rule: no offset */
    p[10 + klen * 2] = 0x02;
    p[11 + klen * 2] = 0x01;
    p[12 + klen * 2] = 0x3E;
    p[14 + klen * 2] = 0x02;

    out->data = p;
    out->len = n;

    return EXS_OK;
}



int
exch_ews_op_get_server_time_zones(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
