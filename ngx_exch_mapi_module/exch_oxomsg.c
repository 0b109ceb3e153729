
/*
 * exch: message submission ROPs, MS-OXOMSG 3.2.5.  The server is the
 * transport: RopSubmitMessage hands the message to the mail layer
 * (exs_mail_submit(), store/exs_mail.h), which delivers it to local
 * mailboxes and queues it for the relay at once, then moves it to Sent
 * Items.  A client acting as its own spooler is not supported.
 */


#include <string.h>

#include <exs_mail.h>

#include "exch_emsmdb.h"


/* SubmitFlags, 2.2.3.1.1 */
#define EXCH_SUBMIT_PREPROCESS      0x01
#define EXCH_SUBMIT_NEEDS_SPOOLER   0x02

#define EXCH_EC_NO_RECIPIENTS_MAPI  0x80040607


static int exch_oxomsg_submit(exch_ems_t *e, exch_ems_obj_t *obj,
    uint32_t *ec);
static int exch_oxomsg_submit_message(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxomsg_abort_submit(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxomsg_get_address_types(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxomsg_transport_send(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxomsg_get_transport_folder(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxomsg_options_data(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxomsg_spooler(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);


exch_ems_rop_pt
exch_oxomsg_handler(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_SUBMIT_MESSAGE:
        return exch_oxomsg_submit_message;
    case EXCH_ROP_ABORT_SUBMIT:
        return exch_oxomsg_abort_submit;
    case EXCH_ROP_GET_ADDRESS_TYPES:
        return exch_oxomsg_get_address_types;
    case EXCH_ROP_TRANSPORT_SEND:
        return exch_oxomsg_transport_send;
    case EXCH_ROP_GET_TRANSPORT_FOLDER:
        return exch_oxomsg_get_transport_folder;
    case EXCH_ROP_OPTIONS_DATA:
        return exch_oxomsg_options_data;

    /* the spooler ROPs and new-mail notifications of a client-side
     * transport: there is none here */
    case EXCH_ROP_SET_SPOOLER:
    case EXCH_ROP_SPOOLER_LOCK_MESSAGE:
    case EXCH_ROP_TRANSPORT_NEW_MAIL:
        return exch_oxomsg_spooler;

    default:
        return NULL;
    }
}


/*
 * Saves what is not saved yet (MAPI's SubmitMessage saves the message),
 * then sends it.  *ec is the ROP's result.
 */

static int
exch_oxomsg_submit(exch_ems_t *e, exch_ems_obj_t *obj, uint32_t *ec)
{
    int               rc;
    exs_id_t          mid;
    exs_msg_t        *msg;
    exs_txn_t        *txn;
    exs_mbox_t       *mb;
    exch_ems_obj_t   *logon;
    exs_mail_sent_t   sent;

    *ec = EXCH_EC_SUCCESS;

    if (obj->type != EXCH_EMS_MESSAGE
        || (obj->u.message.flags & (EXCH_EMS_EMBEDDED
                                    | EXCH_EMS_ASSOCIATED)))
    {
        *ec = EXCH_EC_NOT_SUPPORTED;
        return EXS_OK;
    }

    if (obj->u.message.flags & EXCH_EMS_SUBMITTED) {
        *ec = EXCH_EC_ACCESS_DENIED;
        return EXS_OK;
    }

    if (!(obj->u.message.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW))) {
        *ec = EXCH_EC_ACCESS_DENIED;
        return EXS_OK;
    }

    logon = exch_ems_logon_of(e, obj);

    if (logon == NULL) {
        *ec = EXCH_EC_NULL_OBJECT;
        return EXS_OK;
    }

    rc = exch_ems_streams_flush(e, obj);
    if (rc != EXS_OK) {
        *ec = exch_ems_ec(rc);
        return EXS_OK;
    }

    msg = NULL;

    if (obj->wc || (obj->u.message.flags & EXCH_EMS_HAS_WC)) {
        rc = exch_ems_msg_view(e, obj, EXS_READ_ALL, &msg);
        if (rc != EXS_OK) {
            *ec = exch_ems_ec(rc);
            return EXS_OK;
        }
    }

    /* the conversion and deliveries happen in this one transaction: all
     * or nothing */

    rc = exch_ems_write_begin(e, &txn);
    if (rc == EXS_OK) {
        rc = exch_ems_mbox(e, obj, &mb);
    }

    mid = obj->u.message.mid;

    if (rc == EXS_OK && msg) {
        if (obj->u.message.flags & EXCH_EMS_NEW) {
            rc = exs_message_create(mb, obj->u.message.fid, msg, 0, &mid);

        } else {
            rc = exs_message_save(mb, mid, msg, NULL);
        }
    }

    if (rc == EXS_OK) {
        rc = exs_mail_submit(mb, mid, 0, 0, &sent, e->a);
    }

    rc = exch_ems_write_end(e, rc);

    if (rc == EXS_INVALID) {
        *ec = EXCH_EC_NO_RECIPIENTS_MAPI;
        return EXS_OK;
    }

    if (rc != EXS_OK) {
        *ec = exch_ems_ec(rc);
        return EXS_OK;
    }

    /* the message went to Sent Items (or away): this object is done */

    obj->u.message.flags &= ~(EXCH_EMS_NEW | EXCH_EMS_WRITE);
    obj->u.message.flags |= EXCH_EMS_SUBMITTED;
    obj->u.message.mid = sent.sent_mid;
    obj->u.message.fid = sent.sent_fid;
    exch_ems_wc_drop(e, obj);
    e->s->dirty = 1;

    return EXS_OK;
}


static int
exch_oxomsg_submit_message(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (req->u.submit_message.flags & EXCH_SUBMIT_NEEDS_SPOOLER) {
        /* a client-side spooler would send it: there is none */
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    return exch_oxomsg_submit(e, obj, &rsp->rv);
}


static int
exch_oxomsg_transport_send(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int  rc;

    rc = exch_oxomsg_submit(e, obj, &rsp->rv);

    /* no properties come back: NoPropertiesReturned */
    rsp->u.transport_send.props = NULL;

    return rc;
}


/* RopAbortSubmit, 3.2.5.2: submission is done by the time the ROP that
 * asked for it returns, so nothing is ever waiting in a queue to stop */

static int
exch_oxomsg_abort_submit(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    rsp->rv = obj->type == EXCH_EMS_LOGON ? EXCH_EC_NOT_IN_QUEUE
                                          : EXCH_EC_NOT_SUPPORTED;
    return EXCH_OK;
}


static int
exch_oxomsg_get_address_types(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    static const exs_str_t  types[] = {
        { 4, "SMTP" },
        { 2, "EX" }
    };

    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rsp->u.get_address_types.n = 2;
    rsp->u.get_address_types.types = types;

    return EXCH_OK;
}


static int
exch_oxomsg_get_transport_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rsp->u.get_transport_folder.fid = exch_ems_eid(EXS_FID_OUTBOX);

    return EXCH_OK;
}


/* RopOptionsData, 3.2.5.8: no transport options for any address type */

static int
exch_oxomsg_options_data(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rsp->u.options_data.reserved = 1;
    rsp->u.options_data.options_info.len = 0;
    rsp->u.options_data.help_file.len = 0;
    rsp->u.options_data.help_file_name.len = 0;

    return EXCH_OK;
}


static int
exch_oxomsg_spooler(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    rsp->rv = EXCH_EC_NOT_SUPPORTED;

    return EXCH_OK;
}
