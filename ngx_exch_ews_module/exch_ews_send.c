
/*
 * exch EWS: sending (CreateItem and UpdateItem with SendOnly or
 * SendAndSaveCopy, SendItem, meeting requests and cancellations of
 * calendar items) through the store's submission path (exs_mail_submit(),
 * store/exs_mail.h).  The callers run in the thread pool inside the
 * request's one write transaction: the conversion to MIME and the local
 * deliveries happen here, the relay takes the queued copy for remote
 * recipients later.
 */


#include <string.h>
#include <strings.h>

#include "exch_ews_items.h"
#include <exs_mail.h>


int
exch_ews_submit(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t mid,
    int delete, exs_id_t sent_fid)
{
    exs_mail_sent_t  sent;

    return exs_mail_submit(m->mb, mid, delete ? EXS_MAIL_SUBMIT_DELETE : 0,
                           delete ? 0 : sent_fid, &sent, ews->a);
}


/*
 * A meeting request (or cancellation) for the attendees of calendar item
 * mid (MS-OXOCAL 2.2.6): a copy of the appointment with the meeting
 * message class, from the Outbox, the sent copy in Sent Items when asked.
 * The organizer is no recipient of it.
 */

int
exch_ews_meeting_send(exch_ews_t *ews, exch_ews_mbox_t *m, exs_id_t mid,
    int cancel, int save)
{
    int          rc;
    char        *subj;
    size_t       len;
    uint32_t     i, n, tag;
    exs_id_t     rmid;
    exs_msg_t   *appt, *req;
    exs_rcpt_t  *r;
    exs_prop_t  *p;
    const char  *cls, *prefix;

    rc = exs_message_read(m->mb, mid, EXS_READ_ALL, &appt, ews->a);
    if (rc != EXS_OK) {
        return rc;
    }

    tag = exch_ews_np_tag(ews, m, EXCH_NP_APPT_STATE_FLAGS, 0);
    p = tag ? exs_props_get(&appt->props, tag) : NULL;

    if (p && (p->v.l & 0x2)) {
        return EXS_OK;                  /* asfReceived: an attendee's copy,
                                           the organizer tells the others */
    }

    req = exs_msg_create(ews->a);
    if (req == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_props_copy(ews->a, &req->props, &appt->props);
    if (rc != EXS_OK) {
        return rc;
    }

    n = 0;

    for (i = 0; i < appt->nrcpts; i++) {
        p = exs_props_get(&appt->rcpts[i].props, PR_SMTP_ADDRESS);

        if (p == NULL) {
            p = exs_props_get(&appt->rcpts[i].props, PR_EMAIL_ADDRESS);
        }

        if (p && m->address && strcasecmp(p->v.str.data, m->address) == 0) {
            continue;                   /* the organizer */
        }

        r = exs_msg_add_rcpt(ews->a, req);
        if (r == NULL) {
            return EXS_NOMEM;
        }

        *r = appt->rcpts[i];
        n++;
    }

    if (n == 0) {
        return EXS_OK;                  /* nobody to tell */
    }

    cls = cancel ? "IPM.Schedule.Meeting.Canceled"
                 : "IPM.Schedule.Meeting.Request";
    rc = exs_props_set_str(ews->a, &req->props, PR_MESSAGE_CLASS, cls,
                           strlen(cls));
    rc |= exs_props_set_long(ews->a, &req->props, PR_MESSAGE_FLAGS,
                             MSGFLAG_UNSENT | MSGFLAG_READ);
    rc |= exs_props_set_bool(ews->a, &req->props, PR_RESPONSE_REQUESTED,
                             !cancel);

    /* mtgRequest, mtgCancel? MS-OXOCAL 2.2.6.5: a new request is
     * mtgRequest (1); a cancellation has no PidLidMeetingType of its own */
    tag = exch_ews_np_tag(ews, m, EXCH_NP_MEETING_TYPE, 1);
    rc |= exs_props_set_long(ews->a, &req->props, tag, 1);

    tag = exch_ews_np_tag(ews, m, EXCH_NP_BUSY_STATUS, 1);
    p = exs_props_get(&appt->props, tag);
    rc |= exs_props_set_long(ews->a, &req->props,
                             exch_ews_np_tag(ews, m,
                                             EXCH_NP_INTENDED_BUSY_STATUS, 1),
                             cancel ? 0 : p ? p->v.l : 2);

    if (cancel) {
        rc |= exs_props_set_long(ews->a, &req->props, tag, 0);
    }

    /* the attendee has not answered yet */
    rc |= exs_props_set_long(ews->a, &req->props,
                             exch_ews_np_tag(ews, m, EXCH_NP_RESPONSE_STATUS,
                                             1), 5);

    prefix = cancel ? "Canceled: " : NULL;
    p = exs_props_get(&appt->props, PR_SUBJECT);

    if (prefix) {
        len = strlen(prefix) + (p ? p->v.str.len : 0);
        subj = exs_alloc(ews->a, len + 1);

        if (subj == NULL) {
            return EXS_NOMEM;
        }

        strcpy(subj, prefix);

        if (p) {
            memcpy(subj + strlen(prefix), p->v.str.data, p->v.str.len);
        }

        subj[len] = '\0';
        rc |= exs_props_set_str(ews->a, &req->props, PR_SUBJECT, subj, len);
    }

    if (rc != EXS_OK) {
        return EXS_NOMEM;
    }

    /* no ids, times or sizes of the original travel with it */
    exs_props_del(&req->props, PR_ENTRYID);
    exs_props_del(&req->props, PR_CHANGE_KEY);
    exs_props_del(&req->props, PR_PREDECESSOR_CHANGE_LIST);
    exs_props_del(&req->props, PR_SOURCE_KEY);
    exs_props_del(&req->props, PR_MID);
    exs_props_del(&req->props, PR_MESSAGE_SIZE);
    exs_props_del(&req->props, PR_INTERNET_MESSAGE_ID);

    req->natts = appt->natts;
    req->atts_cap = appt->atts_cap;
    req->atts = appt->atts;

    rc = exs_message_create(m->mb, EXS_FID_OUTBOX, req, 0, &rmid);
    if (rc != EXS_OK) {
        return rc;
    }

    return exch_ews_submit(ews, m, rmid, !save, 0);
}


int
exch_ews_meeting_disposition(const char *s)
{
    if (s == NULL || strcmp(s, "SendToNone") == 0) {
        return 0;
    }

    if (strcmp(s, "SendOnlyToAll") == 0 || strcmp(s, "SendOnlyToChanged") == 0)
    {
        return 1;
    }

    if (strcmp(s, "SendToAllAndSaveCopy") == 0
        || strcmp(s, "SendToChangedAndSaveCopy") == 0)
    {
        return 2;
    }

    return -1;
}
