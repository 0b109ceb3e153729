
/*
 * exch: logon and store ROPs, MS-OXCROPS 2.2.3 (MS-OXCSTOR).
 */


#include <string.h>

#include "exch_oxcrops_int.h"


int
exch_rop_parse_store(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req)
{
    uint16_t        size;
    const uint8_t  *p;

    switch (req->rop_id) {

    case EXCH_ROP_LOGON:
        exch_rd_u8(r, &req->u.logon.flags);
        exch_rd_u32(r, &req->u.logon.open_flags);
        exch_rd_u32(r, &req->u.logon.store_state);
        exch_rd_u16(r, &size);
        exch_rd_bytes(r, size, &p);

        req->u.logon.essdn.data = "";

        if (r->err != EXCH_OK || size == 0) {
            return r->err;
        }

        /* EssdnSize counts the terminating NUL */
        if (p[size - 1] != '\0') {
            return exch_rd_fail(r, EXCH_ERR_FORMAT);
        }

        req->u.logon.essdn.data = (const char *) p;
        req->u.logon.essdn.len = strlen((const char *) p);
        return EXCH_OK;

    case EXCH_ROP_GET_RECEIVE_FOLDER:
        return exch_rd_str8(r, &req->u.get_receive_folder.message_class);

    case EXCH_ROP_SET_RECEIVE_FOLDER:
        exch_rd_u64(r, &req->u.set_receive_folder.fid);
        return exch_rd_str8(r, &req->u.set_receive_folder.message_class);

    case EXCH_ROP_GET_RECEIVE_FOLDER_TABLE:
    case EXCH_ROP_GET_STORE_STATE:
        return r->err;

    case EXCH_ROP_LONG_TERM_ID_FROM_ID:
        return exch_rd_u64(r, &req->u.long_term_id_from_id.id);

    case EXCH_ROP_ID_FROM_LONG_TERM_ID:
        return exch_read_ltid(r, &req->u.id_from_long_term_id.ltid);

    case EXCH_ROP_GET_PER_USER_LONG_TERM_IDS:
        return exch_rd_guid(r, req->u.get_per_user_long_term_ids.guid);

    case EXCH_ROP_GET_PER_USER_GUID:
        return exch_read_ltid(r, &req->u.get_per_user_guid.ltid);

    case EXCH_ROP_READ_PER_USER_INFORMATION:
        exch_read_ltid(r, &req->u.read_per_user_information.folder);
        exch_rd_u8(r, &req->u.read_per_user_information.reserved);
        exch_rd_u32(r, &req->u.read_per_user_information.offset);
        return exch_rd_u16(r, &req->u.read_per_user_information.max_size);

    case EXCH_ROP_WRITE_PER_USER_INFORMATION:
        exch_read_ltid(r, &req->u.write_per_user_information.folder);
        exch_rd_u8(r, &req->u.write_per_user_information.has_finished);
        exch_rd_u32(r, &req->u.write_per_user_information.offset);
        exch_rd_counted(r, 2, &req->u.write_per_user_information.data);

        /* ReplGuid: at offset 0, and only for private mailbox logons */
        if (r->err == EXCH_OK
            && req->u.write_per_user_information.offset == 0
            && !exch_rop_logon_is_public(ctx, req->logon_id))
        {
            req->u.write_per_user_information.has_repl_guid = 1;
            exch_rd_guid(r, req->u.write_per_user_information.repl_guid);
        }

        return r->err;

    case EXCH_ROP_GET_OWNING_SERVERS:
        return exch_rd_u64(r, &req->u.get_owning_servers.id);

    case EXCH_ROP_PUBLIC_FOLDER_IS_GHOSTED:
        return exch_rd_u64(r, &req->u.public_folder_is_ghosted.id);
    }

    return EXCH_ERR_UNKNOWN;
}


int
exch_rop_write_store(exch_wr_t *w, exch_rop_rsp_t *rsp)
{
    int                               i;
    size_t                            len;
    uint32_t                          k;
    const exch_receive_folder_row_t  *row;

    switch (rsp->rop_id) {

    case EXCH_ROP_LOGON:
        if (rsp->rv == EXCH_EC_WRONG_SERVER) {
            /* the redirect response */
            len = rsp->u.logon.server_name
                  ? strlen(rsp->u.logon.server_name) : 0;

            if (len > 0xFE) {
                return exch_wr_fail(w, EXCH_ERR_TOOBIG);
            }

            exch_wr_u8(w, rsp->u.logon.flags);
            exch_wr_u8(w, (uint8_t) (len + 1));
            return exch_wr_str8(w, rsp->u.logon.server_name, len);
        }

        exch_wr_u8(w, rsp->u.logon.flags);

        for (i = 0; i < 13; i++) {
            exch_wr_u64(w, rsp->u.logon.fids[i]);
        }

        if (!rsp->u.logon.is_private) {
            exch_wr_u16(w, rsp->u.logon.replid);
            exch_wr_guid(w, rsp->u.logon.repl_guid);
            return exch_wr_guid(w, rsp->u.logon.per_user_guid);
        }

        exch_wr_u8(w, rsp->u.logon.response_flags);
        exch_wr_guid(w, rsp->u.logon.mailbox_guid);
        exch_wr_u16(w, rsp->u.logon.replid);
        exch_wr_guid(w, rsp->u.logon.repl_guid);
        exch_wr_u8(w, rsp->u.logon.time.sec);
        exch_wr_u8(w, rsp->u.logon.time.min);
        exch_wr_u8(w, rsp->u.logon.time.hour);
        exch_wr_u8(w, rsp->u.logon.time.wday);
        exch_wr_u8(w, rsp->u.logon.time.day);
        exch_wr_u8(w, rsp->u.logon.time.month);
        exch_wr_u16(w, rsp->u.logon.time.year);
        exch_wr_u64(w, rsp->u.logon.gwart_time);
        return exch_wr_u32(w, rsp->u.logon.store_state);

    case EXCH_ROP_GET_RECEIVE_FOLDER:
        exch_wr_u64(w, rsp->u.get_receive_folder.fid);
        return exch_wr_str8(w, rsp->u.get_receive_folder.explicit_class.data,
                            rsp->u.get_receive_folder.explicit_class.len);

    case EXCH_ROP_GET_RECEIVE_FOLDER_TABLE:
        /* standard rows of PidTagFolderId, PidTagMessageClass (8-bit),
         * PidTagLastModificationTime */
        exch_wr_u32(w, rsp->u.get_receive_folder_table.n);

        for (k = 0; k < rsp->u.get_receive_folder_table.n; k++) {
            row = &rsp->u.get_receive_folder_table.rows[k];
            exch_wr_u8(w, EXCH_ROW_STANDARD);
            exch_wr_u64(w, row->fid);
            exch_wr_str8(w, row->message_class.data, row->message_class.len);
            exch_wr_u64(w, (uint64_t) row->mtime);
        }

        return w->err;

    case EXCH_ROP_GET_STORE_STATE:
        return exch_wr_u32(w, rsp->u.get_store_state.state);

    case EXCH_ROP_LONG_TERM_ID_FROM_ID:
        return exch_write_ltid(w, &rsp->u.long_term_id_from_id.ltid);

    case EXCH_ROP_ID_FROM_LONG_TERM_ID:
        return exch_wr_u64(w, rsp->u.id_from_long_term_id.id);

    case EXCH_ROP_GET_PER_USER_LONG_TERM_IDS:
        exch_wr_u16(w, rsp->u.get_per_user_long_term_ids.n);

        for (k = 0; k < rsp->u.get_per_user_long_term_ids.n; k++) {
            exch_write_ltid(w, &rsp->u.get_per_user_long_term_ids.ltids[k]);
        }

        return w->err;

    case EXCH_ROP_GET_PER_USER_GUID:
        return exch_wr_guid(w, rsp->u.get_per_user_guid.guid);

    case EXCH_ROP_READ_PER_USER_INFORMATION:
        exch_wr_u8(w, rsp->u.read_per_user_information.has_finished);
        return exch_wr_counted(w, 2, &rsp->u.read_per_user_information.data);

    case EXCH_ROP_GET_OWNING_SERVERS:
        return exch_rop_write_ghost(w, &rsp->u.get_owning_servers.ghost);

    case EXCH_ROP_PUBLIC_FOLDER_IS_GHOSTED:
        exch_wr_u8(w, rsp->u.public_folder_is_ghosted.is_ghosted);

        if (!rsp->u.public_folder_is_ghosted.is_ghosted) {
            return w->err;
        }

        return exch_rop_write_ghost(w, &rsp->u.public_folder_is_ghosted.ghost);

    case EXCH_ROP_SET_RECEIVE_FOLDER:
    case EXCH_ROP_WRITE_PER_USER_INFORMATION:
        return w->err;
    }

    return EXCH_ERR_UNKNOWN;
}
