
/*
 * exch EWS: exch_oxwsfold.c (not built yet).
 */


#include "exch_ews_ops.h"



int
exch_ews_op_get_folder(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_find_folder(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_create_folder(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_create_folder_path(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_update_folder(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_delete_folder(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_move_folder(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_copy_folder(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_empty_folder(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
