
/*
 * exch: permission, rule and notification ROPs (MS-OXCROPS 2.2.10,
 * 2.2.11, 2.2.14), and the layouts of the FastTransfer and ICS ROPs
 * (2.2.12, 2.2.13), parsed only far enough to answer them.
 */


#include "exch_oxcrops_int.h"


static int exch_rop_read_data_rows(exch_rd_t *r, uint8_t *flags,
    uint16_t *n, exch_rop_data_row_t **rows);
static int exch_rop_read_notsup(exch_rd_t *r, exch_rop_req_t *req);


static int
exch_rop_read_data_rows(exch_rd_t *r, uint8_t *flags, uint16_t *n,
    exch_rop_data_row_t **rows)
{
    uint16_t              i, count;
    exch_rop_data_row_t  *v;

    *n = 0;
    *rows = NULL;

    exch_rd_u8(r, flags);
    exch_rd_u16(r, &count);

    /* a flags byte and a value count each */
    if (exch_rd_count_ok(r, count, 3) != EXCH_OK) {
        return r->err;
    }

    v = exch_rd_alloc(r, count, sizeof(exch_rop_data_row_t));
    if (v == NULL) {
        return r->err;
    }

    for (i = 0; i < count && r->err == EXCH_OK; i++) {
        exch_rd_u8(r, &v[i].flags);
        exch_read_tagged_array(r, 0, &v[i].props);
    }

    if (r->err == EXCH_OK) {
        *n = count;
        *rows = v;
    }

    return r->err;
}


/* the ROPs answered ecNotSupported: their bodies, to find their end */

static int
exch_rop_read_notsup(exch_rd_t *r, exch_rop_req_t *req)
{
    int                 i;
    uint16_t            u16;
    uint32_t            u32;
    exch_tags_t         tags;
    exs_props_t         props;
    exch_rop_ids_t      ids;
    const uint8_t      *start, *p;
    exs_restriction_t  *res;

    start = r->p;

    switch (req->rop_id) {

    case EXCH_ROP_FT_SOURCE_COPY_MESSAGES:
        exch_rop_read_ids(r, &ids);
        exch_rd_skip(r, 2);
        break;

    case EXCH_ROP_FT_SOURCE_COPY_FOLDER:
    case EXCH_ROP_FT_DEST_CONFIGURE:
        exch_rd_skip(r, 2);
        break;

    case EXCH_ROP_FT_SOURCE_COPY_TO:
        exch_rd_skip(r, 6);
        exch_read_tags(r, 0, &tags);
        break;

    case EXCH_ROP_FT_SOURCE_COPY_PROPERTIES:
        exch_rd_skip(r, 3);
        exch_read_tags(r, 0, &tags);
        break;

    case EXCH_ROP_FT_SOURCE_GET_BUFFER:
        exch_rd_u16(r, &u16);

        if (r->err == EXCH_OK && u16 == 0xBABE) {
            exch_rd_skip(r, 2);
        }

        break;

    case EXCH_ROP_FT_DEST_PUT_BUFFER:
    case EXCH_ROP_FT_DEST_PUT_BUFFER_EXTENDED:
    case EXCH_ROP_SYNC_IMPORT_READ_STATE_CHANGES:
    case EXCH_ROP_SET_LOCAL_REPLICA_MIDSET_DELETED:
        exch_rd_u16(r, &u16);
        exch_rd_skip(r, u16);
        break;

    case EXCH_ROP_SYNC_CONFIGURE:
        exch_rd_skip(r, 4);
        exch_rop_read_sized_restriction(r, &res);
        exch_rd_skip(r, 4);
        exch_read_tags(r, 0, &tags);
        break;

    case EXCH_ROP_SYNC_IMPORT_MESSAGE_CHANGE:
    case EXCH_ROP_SYNC_IMPORT_DELETES:
        exch_rd_skip(r, 1);
        exch_read_tagged_array(r, 0, &props);
        break;

    case EXCH_ROP_SYNC_IMPORT_HIERARCHY_CHANGE:
        exch_read_tagged_array(r, 0, &props);
        exch_read_tagged_array(r, 0, &props);
        break;

    case EXCH_ROP_SYNC_UPLOAD_STATE_STREAM_BEGIN:
        exch_rd_skip(r, 8);
        break;

    case EXCH_ROP_SYNC_UPLOAD_STATE_STREAM_CONTINUE:
        exch_rd_u32(r, &u32);
        exch_rd_skip(r, u32);
        break;

    case EXCH_ROP_SYNC_IMPORT_MESSAGE_MOVE:
        for (i = 0; i < 5; i++) {
            exch_rd_u32(r, &u32);
            exch_rd_skip(r, u32);
        }

        break;

    case EXCH_ROP_SYNC_OPEN_COLLECTOR:
        exch_rd_skip(r, 1);
        break;

    case EXCH_ROP_GET_LOCAL_REPLICA_IDS:
        exch_rd_skip(r, 4);
        break;

    case EXCH_ROP_TELL_VERSION:
        exch_rd_skip(r, 6);
        break;

    case EXCH_ROP_SYNC_UPLOAD_STATE_STREAM_END:
    case EXCH_ROP_SYNC_GET_TRANSFER_STATE:
        break;

    default:
        return EXCH_ERR_UNKNOWN;
    }

    if (r->err == EXCH_OK) {
        p = start;
        req->u.notsup.body.data = p;
        req->u.notsup.body.len = (size_t) (r->p - start);
    }

    return r->err;
}


int
exch_rop_parse_misc(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req)
{
    switch (req->rop_id) {

    case EXCH_ROP_MODIFY_PERMISSIONS:
        return exch_rop_read_data_rows(r, &req->u.modify_permissions.flags,
                                       &req->u.modify_permissions.n,
                                       &req->u.modify_permissions.rows);

    case EXCH_ROP_MODIFY_RULES:
        return exch_rop_read_data_rows(r, &req->u.modify_rules.flags,
                                       &req->u.modify_rules.n,
                                       &req->u.modify_rules.rows);

    case EXCH_ROP_GET_PERMISSIONS_TABLE:
    case EXCH_ROP_GET_RULES_TABLE:
        return exch_rd_u8(r, &req->u.table.flags);

    case EXCH_ROP_UPDATE_DEFERRED_ACTION_MESSAGES:
        exch_rd_counted(r, 2,
                        &req->u.update_deferred_action_messages.server_eid);
        return exch_rd_counted(r, 2,
                        &req->u.update_deferred_action_messages.client_eid);

    case EXCH_ROP_REGISTER_NOTIFICATION:
        exch_rd_u8(r, &req->u.register_notification.types);
        exch_rd_u8(r, &req->u.register_notification.reserved);
        exch_rd_u8(r, &req->u.register_notification.whole_store);

        if (r->err == EXCH_OK && !req->u.register_notification.whole_store) {
            exch_rd_u64(r, &req->u.register_notification.fid);
            exch_rd_u64(r, &req->u.register_notification.mid);
        }

        return r->err;

    case EXCH_ROP_RELEASE:
        return r->err;
    }

    return exch_rop_read_notsup(r, req);
}


int
exch_rop_write_misc(exch_wr_t *w, exch_rop_rsp_t *rsp)
{
    switch (rsp->rop_id) {

    case EXCH_ROP_MODIFY_PERMISSIONS:
    case EXCH_ROP_GET_PERMISSIONS_TABLE:
    case EXCH_ROP_MODIFY_RULES:
    case EXCH_ROP_GET_RULES_TABLE:
    case EXCH_ROP_UPDATE_DEFERRED_ACTION_MESSAGES:
    case EXCH_ROP_REGISTER_NOTIFICATION:
        return w->err;

    /* what a failure of the buffer ROPs carries, all zero */

    case EXCH_ROP_FT_SOURCE_GET_BUFFER:
        /* TransferStatus, InProgressCount, TotalStepCount, Reserved,
         * TransferBufferSize */
        return exch_wr_zero(w, 2 + 2 + 2 + 1 + 2);

    case EXCH_ROP_FT_DEST_PUT_BUFFER:
        /* TransferStatus, InProgressCount, TotalStepCount, Reserved,
         * BufferUsedSize */
        return exch_wr_zero(w, 2 + 2 + 2 + 1 + 2);

    case EXCH_ROP_FT_DEST_PUT_BUFFER_EXTENDED:
        return exch_wr_zero(w, 2 + 4 + 4 + 1 + 2);
    }

    if (exch_rop_info(rsp->rop_id)->flags & EXCH_ROPF_NOTSUP) {
        /* a success of the others would need what we do not implement */
        return rsp->rv != EXCH_EC_SUCCESS ? w->err
                                          : exch_wr_fail(w, EXCH_ERR_UNKNOWN);
    }

    return EXCH_ERR_UNKNOWN;
}
