
/*
 * exch: message, attachment and submission ROPs, MS-OXCROPS 2.2.6 and
 * 2.2.7 (MS-OXCMSG, MS-OXOMSG).
 */


#include <string.h>

#include "exch_oxcrops_int.h"


static int exch_rop_read_modrcpts(exch_rd_t *r, exch_rop_req_t *req);
static int exch_rop_write_open_message(exch_wr_t *w,
    exch_rsp_open_message_t *om);
static int exch_rop_write_address_types(exch_wr_t *w,
    const exch_rop_rsp_t *rsp);


static int
exch_rop_read_modrcpts(exch_rd_t *r, exch_rop_req_t *req)
{
    uint16_t         i, size;
    exch_rd_t        sub;
    exch_modrcpt_t  *m;

    exch_read_tags(r, 0, &req->u.modify_recipients.cols);
    exch_rd_u16(r, &req->u.modify_recipients.n);

    /* RowId, RecipientType, RecipientRowSize */
    if (exch_rd_count_ok(r, req->u.modify_recipients.n, 7) != EXCH_OK) {
        req->u.modify_recipients.n = 0;
        return r->err;
    }

    m = exch_rd_alloc(r, req->u.modify_recipients.n, sizeof(exch_modrcpt_t));
    req->u.modify_recipients.rows = m;

    if (m == NULL) {
        req->u.modify_recipients.n = 0;
        return r->err;
    }

    for (i = 0; i < req->u.modify_recipients.n && r->err == EXCH_OK; i++) {
        exch_rd_u32(r, &m[i].row_id);
        exch_rd_u8(r, &m[i].type);
        exch_rd_u16(r, &size);

        if (r->err != EXCH_OK || size == 0) {
            continue;
        }

        if (exch_rd_sub(r, size, &sub) != EXCH_OK) {
            break;
        }

        if (exch_read_rcpt_row(&sub, &req->u.modify_recipients.cols,
                               &m[i].row)
            != EXCH_OK)
        {
            return exch_rd_fail(r, sub.err);
        }

        if (exch_rd_left(&sub) != 0) {
            return exch_rd_fail(r, EXCH_ERR_FORMAT);
        }

        m[i].has_row = 1;
    }

    if (r->err != EXCH_OK) {
        req->u.modify_recipients.n = 0;
    }

    return r->err;
}


int
exch_rop_parse_message(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req)
{
    const uint8_t  *p;

    switch (req->rop_id) {

    case EXCH_ROP_OPEN_MESSAGE:
        exch_rd_u16(r, &req->u.open_message.cpid);
        exch_rd_u64(r, &req->u.open_message.fid);
        exch_rd_u8(r, &req->u.open_message.flags);
        return exch_rd_u64(r, &req->u.open_message.mid);

    case EXCH_ROP_CREATE_MESSAGE:
        exch_rd_u16(r, &req->u.create_message.cpid);
        exch_rd_u64(r, &req->u.create_message.fid);
        return exch_rd_u8(r, &req->u.create_message.associated);

    case EXCH_ROP_SAVE_CHANGES_MESSAGE:
    case EXCH_ROP_SAVE_CHANGES_ATTACHMENT:
        return exch_rd_u8(r, &req->u.save_changes.flags);

    case EXCH_ROP_REMOVE_ALL_RECIPIENTS:
        return exch_rd_u32(r, &req->u.remove_all_recipients.reserved);

    case EXCH_ROP_MODIFY_RECIPIENTS:
        return exch_rop_read_modrcpts(r, req);

    case EXCH_ROP_READ_RECIPIENTS:
        exch_rd_u32(r, &req->u.read_recipients.row_id);
        return exch_rd_u16(r, &req->u.read_recipients.reserved);

    case EXCH_ROP_RELOAD_CACHED_INFORMATION:
        return exch_rd_u16(r, &req->u.reload_cached_information.reserved);

    case EXCH_ROP_SET_MESSAGE_STATUS:
        exch_rd_u64(r, &req->u.set_message_status.mid);
        exch_rd_u32(r, &req->u.set_message_status.status);
        return exch_rd_u32(r, &req->u.set_message_status.mask);

    case EXCH_ROP_GET_MESSAGE_STATUS:
        return exch_rd_u64(r, &req->u.get_message_status.id);

    case EXCH_ROP_SET_READ_FLAGS:
        exch_rd_u8(r, &req->u.set_read_flags.want_async);
        exch_rd_u8(r, &req->u.set_read_flags.flags);
        return exch_rop_read_ids(r, &req->u.set_read_flags.mids);

    case EXCH_ROP_SET_MESSAGE_READ_FLAG:
        exch_rd_u8(r, &req->u.set_message_read_flag.flags);

        /* ClientData: only with a public folders logon */
        if (r->err == EXCH_OK
            && exch_rop_logon_is_public(ctx, req->logon_id))
        {
            if (exch_rd_bytes(r, 24, &p) == EXCH_OK) {
                memcpy(req->u.set_message_read_flag.client_data, p, 24);
                req->u.set_message_read_flag.has_client_data = 1;
            }
        }

        return r->err;

    case EXCH_ROP_OPEN_ATTACHMENT:
        exch_rd_u8(r, &req->u.open_attachment.flags);
        return exch_rd_u32(r, &req->u.open_attachment.attach_id);

    case EXCH_ROP_CREATE_ATTACHMENT:
    case EXCH_ROP_GET_VALID_ATTACHMENTS:
    case EXCH_ROP_GET_ADDRESS_TYPES:
    case EXCH_ROP_SET_SPOOLER:
    case EXCH_ROP_TRANSPORT_SEND:
    case EXCH_ROP_GET_TRANSPORT_FOLDER:
        return r->err;

    case EXCH_ROP_DELETE_ATTACHMENT:
        return exch_rd_u32(r, &req->u.delete_attachment.attach_id);

    case EXCH_ROP_OPEN_EMBEDDED_MESSAGE:
        exch_rd_u16(r, &req->u.open_embedded_message.cpid);
        return exch_rd_u8(r, &req->u.open_embedded_message.flags);

    case EXCH_ROP_GET_ATTACHMENT_TABLE:
        return exch_rd_u8(r, &req->u.table.flags);

    case EXCH_ROP_SUBMIT_MESSAGE:
        return exch_rd_u8(r, &req->u.submit_message.flags);

    case EXCH_ROP_ABORT_SUBMIT:
        exch_rd_u64(r, &req->u.abort_submit.fid);
        return exch_rd_u64(r, &req->u.abort_submit.mid);

    case EXCH_ROP_SPOOLER_LOCK_MESSAGE:
        exch_rd_u64(r, &req->u.spooler_lock_message.mid);
        return exch_rd_u8(r, &req->u.spooler_lock_message.state);

    case EXCH_ROP_TRANSPORT_NEW_MAIL:
        exch_rd_u64(r, &req->u.transport_new_mail.mid);
        exch_rd_u64(r, &req->u.transport_new_mail.fid);
        exch_rd_str8(r, &req->u.transport_new_mail.message_class);
        return exch_rd_u32(r, &req->u.transport_new_mail.flags);

    case EXCH_ROP_OPTIONS_DATA:
        exch_rd_str8(r, &req->u.options_data.address_type);
        return exch_rd_u8(r, &req->u.options_data.want_win32);
    }

    return EXCH_ERR_UNKNOWN;
}


static int
exch_rop_write_open_message(exch_wr_t *w, exch_rsp_open_message_t *om)
{
    exch_wr_u8(w, om->has_named_properties);
    exch_write_tstr(w, &om->subject_prefix);
    exch_write_tstr(w, &om->normalized_subject);
    exch_wr_u16(w, om->recipient_count);
    exch_write_tags(w, 0, om->cols.tags, om->cols.n);

    if (w->err != EXCH_OK) {
        return w->err;
    }

    /* the rest is fetched with RopReadRecipients */
    if (om->nrows == 0) {
        om->written = 0;
        return exch_wr_u8(w, 0);
    }

    return exch_rop_write_rcpt_rows(w, 0, &om->cols, om->rows, om->nrows,
                                    &om->written);
}


/* AddressTypeCount, AddressTypeSize (the bytes of the strings), strings */

static int
exch_rop_write_address_types(exch_wr_t *w, const exch_rop_rsp_t *rsp)
{
    size_t    off;
    uint16_t  i;

    exch_wr_u16(w, rsp->u.get_address_types.n);
    exch_wr_reserve(w, 2, &off);

    for (i = 0; i < rsp->u.get_address_types.n; i++) {
        exch_wr_str8(w, rsp->u.get_address_types.types[i].data,
                     rsp->u.get_address_types.types[i].len);
    }

    if (w->err == EXCH_OK && w->len - off - 2 > 0xFFFF) {
        return exch_wr_fail(w, EXCH_ERR_TOOBIG);
    }

    exch_wr_patch_u16(w, off, (uint16_t) (w->len - off - 2));

    return w->err;
}


int
exch_rop_write_message(exch_wr_t *w, exch_rop_rsp_t *rsp)
{
    uint16_t  i;

    switch (rsp->rop_id) {

    case EXCH_ROP_OPEN_MESSAGE:
    case EXCH_ROP_RELOAD_CACHED_INFORMATION:
        return exch_rop_write_open_message(w, &rsp->u.open_message);

    case EXCH_ROP_OPEN_EMBEDDED_MESSAGE:
        exch_wr_u8(w, rsp->u.open_message.reserved);
        exch_wr_u64(w, rsp->u.open_message.mid);
        return exch_rop_write_open_message(w, &rsp->u.open_message);

    case EXCH_ROP_CREATE_MESSAGE:
        exch_wr_u8(w, rsp->u.create_message.has_mid);

        if (!rsp->u.create_message.has_mid) {
            return w->err;
        }

        return exch_wr_u64(w, rsp->u.create_message.mid);

    case EXCH_ROP_SAVE_CHANGES_MESSAGE:
        exch_wr_u8(w, rsp->u.save_changes_message.in_index);
        return exch_wr_u64(w, rsp->u.save_changes_message.mid);

    case EXCH_ROP_READ_RECIPIENTS:
        return exch_rop_write_rcpt_rows(w, 1, &rsp->u.read_recipients.cols,
                                        rsp->u.read_recipients.rows,
                                        rsp->u.read_recipients.nrows,
                                        &rsp->u.read_recipients.written);

    case EXCH_ROP_SET_MESSAGE_STATUS:
    case EXCH_ROP_GET_MESSAGE_STATUS:
        return exch_wr_u32(w, rsp->u.message_status.status);

    case EXCH_ROP_SET_READ_FLAGS:
        return exch_wr_u8(w, rsp->u.partial.partial);

    case EXCH_ROP_SET_MESSAGE_READ_FLAG:
        exch_wr_u8(w, rsp->u.set_message_read_flag.changed);

        if (!rsp->u.set_message_read_flag.changed
            || !rsp->u.set_message_read_flag.has_client_data)
        {
            return w->err;
        }

        exch_wr_u8(w, rsp->u.set_message_read_flag.logon_id);
        return exch_wr_bytes(w, rsp->u.set_message_read_flag.client_data, 24);

    case EXCH_ROP_CREATE_ATTACHMENT:
        return exch_wr_u32(w, rsp->u.create_attachment.attach_id);

    case EXCH_ROP_GET_VALID_ATTACHMENTS:
        exch_wr_u16(w, rsp->u.get_valid_attachments.n);

        for (i = 0; i < rsp->u.get_valid_attachments.n; i++) {
            exch_wr_u32(w, rsp->u.get_valid_attachments.ids[i]);
        }

        return w->err;

    case EXCH_ROP_GET_ADDRESS_TYPES:
        return exch_rop_write_address_types(w, rsp);

    case EXCH_ROP_TRANSPORT_SEND:
        if (rsp->u.transport_send.props == NULL) {
            return exch_wr_u8(w, 1);
        }

        exch_wr_u8(w, 0);
        return exch_write_tagged_array(w, 0, rsp->u.transport_send.props);

    case EXCH_ROP_GET_TRANSPORT_FOLDER:
        return exch_wr_u64(w, rsp->u.get_transport_folder.fid);

    case EXCH_ROP_OPTIONS_DATA:
        exch_wr_u8(w, rsp->u.options_data.reserved);
        exch_wr_counted(w, 2, &rsp->u.options_data.options_info);
        exch_wr_counted(w, 2, &rsp->u.options_data.help_file);

        if (rsp->u.options_data.help_file.len == 0) {
            return w->err;
        }

        return exch_wr_str8(w, rsp->u.options_data.help_file_name.data,
                            rsp->u.options_data.help_file_name.len);

    case EXCH_ROP_REMOVE_ALL_RECIPIENTS:
    case EXCH_ROP_MODIFY_RECIPIENTS:
    case EXCH_ROP_OPEN_ATTACHMENT:
    case EXCH_ROP_DELETE_ATTACHMENT:
    case EXCH_ROP_SAVE_CHANGES_ATTACHMENT:
    case EXCH_ROP_GET_ATTACHMENT_TABLE:
    case EXCH_ROP_SUBMIT_MESSAGE:
    case EXCH_ROP_ABORT_SUBMIT:
    case EXCH_ROP_SET_SPOOLER:
    case EXCH_ROP_SPOOLER_LOCK_MESSAGE:
    case EXCH_ROP_TRANSPORT_NEW_MAIL:
        return w->err;
    }

    return EXCH_ERR_UNKNOWN;
}
