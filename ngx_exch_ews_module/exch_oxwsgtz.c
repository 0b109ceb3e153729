
/*
 * exch EWS: exch_oxwsgtz.c (not built yet).
 */


#include "exch_ews_ops.h"



int
exch_ews_op_get_server_time_zones(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
