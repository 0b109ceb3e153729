
/*
 * exch EWS: exch_oxwsatt.c (not built yet).
 */


#include "exch_ews_ops.h"



int
exch_ews_op_create_attachment(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_get_attachment(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_delete_attachment(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
