
/*
 * exch EWS: exch_oxwscvtid.c (not built yet).
 */


#include "exch_ews_ops.h"



int
exch_ews_op_convert_id(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
