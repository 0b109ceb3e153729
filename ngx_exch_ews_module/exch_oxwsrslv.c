
/*
 * exch EWS: exch_oxwsrslv.c (not built yet).
 */


#include "exch_ews_ops.h"



int
exch_ews_op_resolve_names(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_expand_dl(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
