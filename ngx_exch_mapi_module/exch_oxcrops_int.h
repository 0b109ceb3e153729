
/*
 * exch: what the exch_oxcrops_*.c files share among themselves.  Each
 * area file parses the bodies and writes the responses of its ROPs and
 * returns EXCH_ERR_UNKNOWN for a RopId that is not its own.
 */


#ifndef _EXCH_OXCROPS_INT_H_INCLUDED_
#define _EXCH_OXCROPS_INT_H_INCLUDED_


#include "exch_oxcrops.h"


/* MS-OXCSTOR: logon and store ROPs */
int exch_rop_parse_store(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req);
int exch_rop_write_store(exch_wr_t *w, exch_rop_rsp_t *rsp);

/* MS-OXCFOLD */
int exch_rop_parse_folder(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req);
int exch_rop_write_folder(exch_wr_t *w, exch_rop_rsp_t *rsp);

/* MS-OXCTABL */
int exch_rop_parse_table(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req);
int exch_rop_write_table(exch_wr_t *w, exch_rop_rsp_t *rsp);

/* MS-OXCMSG, MS-OXOMSG */
int exch_rop_parse_message(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req);
int exch_rop_write_message(exch_wr_t *w, exch_rop_rsp_t *rsp);

/* MS-OXCPRPT: properties and streams */
int exch_rop_parse_property(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req);
int exch_rop_write_property(exch_wr_t *w, exch_rop_rsp_t *rsp);

/* MS-OXCPERM, MS-OXORULE, MS-OXCNOTIF, MS-OXCFXICS */
int exch_rop_parse_misc(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req);
int exch_rop_write_misc(exch_wr_t *w, exch_rop_rsp_t *rsp);


/* helpers shared by the area files */
int exch_rop_read_ids(exch_rd_t *r, exch_rop_ids_t *ids);
int exch_rop_write_ids(exch_wr_t *w, uint16_t n, const uint64_t *ids);
int exch_rop_read_string(exch_rd_t *r, int unicode, exs_str_t *s);
/* RestrictionDataSize (2 bytes) and the restriction; NULL when 0 */
int exch_rop_read_sized_restriction(exch_rd_t *r, exs_restriction_t **res);
int exch_rop_write_sized_restriction(exch_wr_t *w,
    const exs_restriction_t *res);
int exch_rop_write_ghost(exch_wr_t *w, const exch_ghost_t *g);
/* a row count (1 or 2 bytes) then rows while they fit */
int exch_rop_write_rows(exch_wr_t *w, int count_bytes,
    const exch_tags_t *cols, const exs_props_t *rows, uint32_t nrows,
    uint32_t *written);
int exch_rop_write_rcpt_rows(exch_wr_t *w, int read_rows,
    const exch_tags_t *cols, const exch_rsp_rcpt_t *rows, uint32_t nrows,
    uint8_t *written);
int exch_rop_logon_is_public(const exch_rop_ctx_t *ctx, uint8_t logon_id);


#endif /* _EXCH_OXCROPS_INT_H_INCLUDED_ */
