
/*
 * exch: table ROPs, MS-OXCROPS 2.2.5 (MS-OXCTABL).
 */


#include "exch_oxcrops_int.h"


int
exch_rop_parse_table(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req)
{
    int32_t  i32;

    switch (req->rop_id) {

    case EXCH_ROP_SET_COLUMNS:
        exch_rd_u8(r, &req->u.set_columns.flags);
        return exch_read_tags(r, 0, &req->u.set_columns.cols);

    case EXCH_ROP_SORT_TABLE:
        exch_rd_u8(r, &req->u.sort_table.flags);
        return exch_read_sortorder(r, &req->u.sort_table.sort);

    case EXCH_ROP_RESTRICT:
        exch_rd_u8(r, &req->u.restriction.flags);
        return exch_rop_read_sized_restriction(r, &req->u.restriction.res);

    case EXCH_ROP_QUERY_ROWS:
        exch_rd_u8(r, &req->u.query_rows.flags);
        exch_rd_u8(r, &req->u.query_rows.forward);
        return exch_rd_u16(r, &req->u.query_rows.count);

    case EXCH_ROP_ABORT:
    case EXCH_ROP_GET_STATUS:
    case EXCH_ROP_QUERY_POSITION:
    case EXCH_ROP_CREATE_BOOKMARK:
    case EXCH_ROP_QUERY_COLUMNS_ALL:
    case EXCH_ROP_RESET_TABLE:
        return r->err;

    case EXCH_ROP_SEEK_ROW:
        exch_rd_u8(r, &req->u.seek_row.origin);
        exch_rd_i32(r, &i32);
        req->u.seek_row.count = i32;
        return exch_rd_u8(r, &req->u.seek_row.want_moved);

    case EXCH_ROP_SEEK_ROW_BOOKMARK:
        exch_rd_counted(r, 2, &req->u.seek_row_bookmark.bookmark);
        exch_rd_i32(r, &i32);
        req->u.seek_row_bookmark.count = i32;
        return exch_rd_u8(r, &req->u.seek_row_bookmark.want_moved);

    case EXCH_ROP_SEEK_ROW_FRACTIONAL:
        exch_rd_u32(r, &req->u.seek_row_fractional.numerator);
        return exch_rd_u32(r, &req->u.seek_row_fractional.denominator);

    case EXCH_ROP_FREE_BOOKMARK:
        return exch_rd_counted(r, 2, &req->u.free_bookmark.bookmark);

    case EXCH_ROP_FIND_ROW:
        exch_rd_u8(r, &req->u.find_row.flags);
        exch_rop_read_sized_restriction(r, &req->u.find_row.res);
        exch_rd_u8(r, &req->u.find_row.origin);
        return exch_rd_counted(r, 2, &req->u.find_row.bookmark);

    case EXCH_ROP_EXPAND_ROW:
        exch_rd_u16(r, &req->u.expand_row.max_rows);
        return exch_rd_u64(r, &req->u.expand_row.category_id);

    case EXCH_ROP_COLLAPSE_ROW:
        return exch_rd_u64(r, &req->u.collapse_row.category_id);

    case EXCH_ROP_GET_COLLAPSE_STATE:
        exch_rd_u64(r, &req->u.get_collapse_state.row_id);
        return exch_rd_u32(r, &req->u.get_collapse_state.row_instance);

    case EXCH_ROP_SET_COLLAPSE_STATE:
        return exch_rd_counted(r, 2, &req->u.set_collapse_state.state);
    }

    return EXCH_ERR_UNKNOWN;
}


int
exch_rop_write_table(exch_wr_t *w, exch_rop_rsp_t *rsp)
{
    uint32_t  n;

    switch (rsp->rop_id) {

    case EXCH_ROP_SET_COLUMNS:
    case EXCH_ROP_SORT_TABLE:
    case EXCH_ROP_RESTRICT:
    case EXCH_ROP_ABORT:
    case EXCH_ROP_GET_STATUS:
        return exch_wr_u8(w, rsp->u.table_status.status);

    case EXCH_ROP_QUERY_ROWS:
        exch_wr_u8(w, rsp->u.query_rows.origin);
        exch_rop_write_rows(w, 2, &rsp->u.query_rows.cols,
                            rsp->u.query_rows.rows, rsp->u.query_rows.nrows,
                            &n);
        rsp->u.query_rows.written = (uint16_t) n;
        return w->err;

    case EXCH_ROP_QUERY_POSITION:
        exch_wr_u32(w, rsp->u.query_position.numerator);
        return exch_wr_u32(w, rsp->u.query_position.denominator);

    case EXCH_ROP_SEEK_ROW:
        exch_wr_u8(w, rsp->u.seek_row.has_sought_less);
        return exch_wr_u32(w, (uint32_t) rsp->u.seek_row.rows_sought);

    case EXCH_ROP_SEEK_ROW_BOOKMARK:
        exch_wr_u8(w, rsp->u.seek_row_bookmark.row_no_longer_visible);
        exch_wr_u8(w, rsp->u.seek_row_bookmark.has_sought_less);
        return exch_wr_u32(w, (uint32_t) rsp->u.seek_row_bookmark.rows_sought);

    case EXCH_ROP_CREATE_BOOKMARK:
    case EXCH_ROP_GET_COLLAPSE_STATE:
    case EXCH_ROP_SET_COLLAPSE_STATE:
        return exch_wr_counted(w, 2, &rsp->u.bookmark.data);

    case EXCH_ROP_QUERY_COLUMNS_ALL:
        return exch_write_tags(w, 0, rsp->u.tags.tags.tags,
                               rsp->u.tags.tags.n);

    case EXCH_ROP_FIND_ROW:
        exch_wr_u8(w, rsp->u.find_row.row_no_longer_visible);
        exch_wr_u8(w, rsp->u.find_row.has_row);

        if (!rsp->u.find_row.has_row) {
            return w->err;
        }

        return exch_write_row(w, rsp->u.find_row.cols.tags,
                              rsp->u.find_row.cols.n, rsp->u.find_row.row);

    case EXCH_ROP_EXPAND_ROW:
        exch_wr_u32(w, rsp->u.expand_row.expanded_count);
        exch_rop_write_rows(w, 2, &rsp->u.expand_row.cols,
                            rsp->u.expand_row.rows, rsp->u.expand_row.nrows,
                            &n);
        rsp->u.expand_row.written = (uint16_t) n;
        return w->err;

    case EXCH_ROP_COLLAPSE_ROW:
        return exch_wr_u32(w, rsp->u.collapse_row.collapsed_count);

    case EXCH_ROP_SEEK_ROW_FRACTIONAL:
    case EXCH_ROP_FREE_BOOKMARK:
    case EXCH_ROP_RESET_TABLE:
        return w->err;
    }

    return EXCH_ERR_UNKNOWN;
}
