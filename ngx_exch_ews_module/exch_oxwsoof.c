
/*
 * exch EWS: exch_oxwsoof.c (not built yet).
 */


#include "exch_ews_ops.h"



int
exch_ews_op_get_user_oof_settings(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_set_user_oof_settings(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
