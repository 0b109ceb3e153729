
/*
 * exch: folder ROPs, MS-OXCROPS 2.2.4 (MS-OXCFOLD).
 */


#include "exch_oxcrops_int.h"


int
exch_rop_parse_folder(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req)
{
    switch (req->rop_id) {

    case EXCH_ROP_OPEN_FOLDER:
        exch_rd_u64(r, &req->u.open_folder.fid);
        return exch_rd_u8(r, &req->u.open_folder.flags);

    case EXCH_ROP_CREATE_FOLDER:
        exch_rd_u8(r, &req->u.create_folder.type);
        exch_rd_u8(r, &req->u.create_folder.unicode);
        exch_rd_u8(r, &req->u.create_folder.open_existing);
        exch_rd_u8(r, &req->u.create_folder.reserved);
        exch_rop_read_string(r, req->u.create_folder.unicode,
                             &req->u.create_folder.name);
        return exch_rop_read_string(r, req->u.create_folder.unicode,
                                    &req->u.create_folder.comment);

    case EXCH_ROP_DELETE_FOLDER:
        exch_rd_u8(r, &req->u.delete_folder.flags);
        return exch_rd_u64(r, &req->u.delete_folder.fid);

    case EXCH_ROP_SET_SEARCH_CRITERIA:
        exch_rop_read_sized_restriction(r, &req->u.set_search_criteria.res);
        exch_rop_read_ids(r, &req->u.set_search_criteria.fids);
        return exch_rd_u32(r, &req->u.set_search_criteria.flags);

    case EXCH_ROP_GET_SEARCH_CRITERIA:
        exch_rd_u8(r, &req->u.get_search_criteria.unicode);
        exch_rd_u8(r, &req->u.get_search_criteria.include_restriction);
        return exch_rd_u8(r, &req->u.get_search_criteria.include_folders);

    case EXCH_ROP_MOVE_COPY_MESSAGES:
        exch_rop_read_ids(r, &req->u.move_copy_messages.mids);
        exch_rd_u8(r, &req->u.move_copy_messages.want_async);
        return exch_rd_u8(r, &req->u.move_copy_messages.want_copy);

    case EXCH_ROP_MOVE_FOLDER:
        exch_rd_u8(r, &req->u.move_folder.want_async);
        exch_rd_u8(r, &req->u.move_folder.unicode);
        exch_rd_u64(r, &req->u.move_folder.fid);
        return exch_rop_read_string(r, req->u.move_folder.unicode,
                                    &req->u.move_folder.new_name);

    case EXCH_ROP_COPY_FOLDER:
        exch_rd_u8(r, &req->u.copy_folder.want_async);
        exch_rd_u8(r, &req->u.copy_folder.want_recursive);
        exch_rd_u8(r, &req->u.copy_folder.unicode);
        exch_rd_u64(r, &req->u.copy_folder.fid);
        return exch_rop_read_string(r, req->u.copy_folder.unicode,
                                    &req->u.copy_folder.new_name);

    case EXCH_ROP_EMPTY_FOLDER:
        exch_rd_u8(r, &req->u.empty_folder.want_async);
        return exch_rd_u8(r, &req->u.empty_folder.want_delete_associated);

    case EXCH_ROP_HARD_DELETE_MESSAGES_AND_SUBFOLDERS:
        exch_rd_u8(r, &req->u.hard_delete_messages_and_subfolders.want_async);
        return exch_rd_u8(r,
            &req->u.hard_delete_messages_and_subfolders
            .want_delete_associated);

    case EXCH_ROP_DELETE_MESSAGES:
        exch_rd_u8(r, &req->u.delete_messages.want_async);
        exch_rd_u8(r, &req->u.delete_messages.notify_non_read);
        return exch_rop_read_ids(r, &req->u.delete_messages.mids);

    case EXCH_ROP_HARD_DELETE_MESSAGES:
        exch_rd_u8(r, &req->u.hard_delete_messages.want_async);
        exch_rd_u8(r, &req->u.hard_delete_messages.notify_non_read);
        return exch_rop_read_ids(r, &req->u.hard_delete_messages.mids);

    case EXCH_ROP_GET_HIERARCHY_TABLE:
    case EXCH_ROP_GET_CONTENTS_TABLE:
        return exch_rd_u8(r, &req->u.table.flags);
    }

    return EXCH_ERR_UNKNOWN;
}


int
exch_rop_write_folder(exch_wr_t *w, exch_rop_rsp_t *rsp)
{
    switch (rsp->rop_id) {

    case EXCH_ROP_OPEN_FOLDER:
        exch_wr_u8(w, rsp->u.open_folder.has_rules);
        exch_wr_u8(w, rsp->u.open_folder.is_ghosted);

        if (!rsp->u.open_folder.is_ghosted) {
            return w->err;
        }

        return exch_rop_write_ghost(w, &rsp->u.open_folder.ghost);

    case EXCH_ROP_CREATE_FOLDER:
        exch_wr_u64(w, rsp->u.create_folder.fid);
        exch_wr_u8(w, rsp->u.create_folder.is_existing);

        if (!rsp->u.create_folder.is_existing) {
            return w->err;
        }

        exch_wr_u8(w, rsp->u.create_folder.has_rules);
        exch_wr_u8(w, rsp->u.create_folder.is_ghosted);

        if (!rsp->u.create_folder.is_ghosted) {
            return w->err;
        }

        return exch_rop_write_ghost(w, &rsp->u.create_folder.ghost);

    case EXCH_ROP_DELETE_FOLDER:
    case EXCH_ROP_MOVE_COPY_MESSAGES:
    case EXCH_ROP_MOVE_FOLDER:
    case EXCH_ROP_COPY_FOLDER:
    case EXCH_ROP_EMPTY_FOLDER:
    case EXCH_ROP_HARD_DELETE_MESSAGES_AND_SUBFOLDERS:
    case EXCH_ROP_DELETE_MESSAGES:
    case EXCH_ROP_HARD_DELETE_MESSAGES:
        return exch_wr_u8(w, rsp->u.partial.partial);

    case EXCH_ROP_GET_SEARCH_CRITERIA:
        exch_rop_write_sized_restriction(w, rsp->u.get_search_criteria.res);
        exch_wr_u8(w, rsp->u.get_search_criteria.logon_id);
        exch_rop_write_ids(w, rsp->u.get_search_criteria.nfids,
                           rsp->u.get_search_criteria.fids);
        return exch_wr_u32(w, rsp->u.get_search_criteria.flags);

    case EXCH_ROP_GET_HIERARCHY_TABLE:
    case EXCH_ROP_GET_CONTENTS_TABLE:
        return exch_wr_u32(w, rsp->u.table.row_count);

    case EXCH_ROP_SET_SEARCH_CRITERIA:
        return w->err;
    }

    return EXCH_ERR_UNKNOWN;
}
