
/*
 * exch EWS: exch_oxwsmtip.c (not built yet).
 */


#include "exch_ews_ops.h"



int
exch_ews_op_get_mail_tips(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_get_service_configuration(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}


int
exch_ews_op_get_app_manifests(exch_ews_t *ews, xmlNodePtr req)
{
    return exch_ews_op_unsupported(ews, req);
}
