
/*
 * exch EWS: exch_oxwscont.c (not built yet).
 */


#include "exch_ews_ops.h"



int
exch_ews_op_find_people(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_get_user_photo(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
