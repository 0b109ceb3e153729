
/*
 * exch EWS: sending (CreateItem and UpdateItem with SendOnly or
 * SendAndSaveCopy, SendItem) through the store's submission path.
 */


#include "exch_ews_items.h"


int
exch_ews_submit(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t mid,
    int delete, exs_id_t sent_fid)
{
    return EXS_NOTSUP;
}
