
/*
 * exch EWS: exch_oxwssync.c (not built yet).
 */


#include "exch_ews_ops.h"



int
exch_ews_op_sync_folder_hierarchy(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_sync_folder_items(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
