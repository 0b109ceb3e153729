
/*
 * exch EWS: recurrences -- the Recurrence element of calendar items and
 * tasks (MS-OXWSCDATA RecurrenceType) and the recurrence blobs of MAPI
 * (MS-OXOCAL 2.2.1.44 PidLidAppointmentRecur, MS-OXOTASK
 * PidLidTaskRecurrence).
 */


#include "exch_ews_items.h"


exch_ews_code_t
exch_ews_recurrence_read(exch_ews_t *ews, exch_ews_mbox_t *m,
    const exch_ews_field_t *f, xmlNodePtr elem, exs_msg_t *msg)
{
    return EXCH_EWS_NOERROR;
}


void
exch_ews_recurrence_write(exch_ews_t *ews, const char *elem,
    const exs_bin_t *blob, int task)
{
}
