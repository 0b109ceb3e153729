
/*
 * exch EWS: exch_oxwsusrcfg.c (not built yet).
 */


#include "exch_ews_ops.h"



int
exch_ews_op_get_user_config(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_create_user_config(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_update_user_config(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_delete_user_config(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
