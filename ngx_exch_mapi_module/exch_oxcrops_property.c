
/*
 * exch: property and stream ROPs, MS-OXCROPS 2.2.8 and 2.2.9
 * (MS-OXCPRPT).
 */


#include "exch_oxcrops_int.h"


static int exch_rop_read_names(exch_rd_t *r, exch_rop_req_t *req);
static int exch_rop_read_propids(exch_rd_t *r, exch_rop_req_t *req);
static int exch_rop_read_sized_props(exch_rd_t *r, exs_props_t *props);


static int
exch_rop_read_names(exch_rd_t *r, exch_rop_req_t *req)
{
    uint16_t         i, n;
    exs_propname_t  *names;

    exch_rd_u8(r, &req->u.get_property_ids_from_names.flags);
    exch_rd_u16(r, &n);

    /* Kind and GUID at least */
    if (exch_rd_count_ok(r, n, 17) != EXCH_OK) {
        return r->err;
    }

    names = exch_rd_alloc(r, n, sizeof(exs_propname_t));
    if (names == NULL) {
        return r->err;
    }

    for (i = 0; i < n && r->err == EXCH_OK; i++) {
        exch_read_propname(r, &names[i]);
    }

    if (r->err == EXCH_OK) {
        req->u.get_property_ids_from_names.n = n;
        req->u.get_property_ids_from_names.names = names;
    }

    return r->err;
}


static int
exch_rop_read_propids(exch_rd_t *r, exch_rop_req_t *req)
{
    uint16_t   i, n;
    uint16_t  *ids;

    exch_rd_u16(r, &n);

    if (exch_rd_count_ok(r, n, 2) != EXCH_OK) {
        return r->err;
    }

    ids = exch_rd_alloc(r, n, sizeof(uint16_t));
    if (ids == NULL) {
        return r->err;
    }

    for (i = 0; i < n; i++) {
        exch_rd_u16(r, &ids[i]);
    }

    if (r->err == EXCH_OK) {
        req->u.get_names_from_property_ids.n = n;
        req->u.get_names_from_property_ids.ids = ids;
    }

    return r->err;
}


/* PropertyValueSize (2 bytes), then the count and values it covers */

static int
exch_rop_read_sized_props(exch_rd_t *r, exs_props_t *props)
{
    uint16_t   size;
    exch_rd_t  sub;

    exch_rd_u16(r, &size);

    if (exch_rd_sub(r, size, &sub) != EXCH_OK) {
        return r->err;
    }

    if (exch_read_tagged_array(&sub, 0, props) != EXCH_OK) {
        return exch_rd_fail(r, sub.err);
    }

    if (exch_rd_left(&sub) != 0) {
        return exch_rd_fail(r, EXCH_ERR_FORMAT);
    }

    return EXCH_OK;
}


int
exch_rop_parse_property(exch_rd_t *r, const exch_rop_ctx_t *ctx,
    exch_rop_req_t *req)
{
    uint8_t  has;
    int64_t  i64;

    switch (req->rop_id) {

    case EXCH_ROP_GET_PROPERTY_IDS_FROM_NAMES:
        return exch_rop_read_names(r, req);

    case EXCH_ROP_GET_NAMES_FROM_PROPERTY_IDS:
        return exch_rop_read_propids(r, req);

    case EXCH_ROP_QUERY_NAMED_PROPERTIES:
        exch_rd_u8(r, &req->u.query_named_properties.flags);
        exch_rd_u8(r, &has);

        if (r->err == EXCH_OK && has) {
            req->u.query_named_properties.has_guid = 1;
            exch_rd_guid(r, req->u.query_named_properties.guid);
        }

        return r->err;

    case EXCH_ROP_GET_PROPERTIES_SPECIFIC:
        exch_rd_u16(r, &req->u.get_properties_specific.size_limit);
        exch_rd_u16(r, &req->u.get_properties_specific.want_unicode);
        return exch_read_tags(r, 0, &req->u.get_properties_specific.tags);

    case EXCH_ROP_GET_PROPERTIES_ALL:
        exch_rd_u16(r, &req->u.get_properties_all.size_limit);
        return exch_rd_u16(r, &req->u.get_properties_all.want_unicode);

    case EXCH_ROP_GET_PROPERTIES_LIST:
    case EXCH_ROP_COMMIT_STREAM:
    case EXCH_ROP_GET_STREAM_SIZE:
    case EXCH_ROP_CLONE_STREAM:
        return r->err;

    case EXCH_ROP_SET_PROPERTIES:
    case EXCH_ROP_SET_PROPERTIES_NO_REPLICATE:
        return exch_rop_read_sized_props(r, &req->u.set_properties.props);

    case EXCH_ROP_DELETE_PROPERTIES:
    case EXCH_ROP_DELETE_PROPERTIES_NO_REPLICATE:
        return exch_read_tags(r, 0, &req->u.delete_properties.tags);

    case EXCH_ROP_COPY_PROPERTIES:
        exch_rd_u8(r, &req->u.copy_properties.want_async);
        exch_rd_u8(r, &req->u.copy_properties.flags);
        return exch_read_tags(r, 0, &req->u.copy_properties.tags);

    case EXCH_ROP_COPY_TO:
        exch_rd_u8(r, &req->u.copy_to.want_async);
        exch_rd_u8(r, &req->u.copy_to.want_subobjects);
        exch_rd_u8(r, &req->u.copy_to.flags);
        return exch_read_tags(r, 0, &req->u.copy_to.excluded);

    case EXCH_ROP_PROGRESS:
        return exch_rd_u8(r, &req->u.progress.want_cancel);

    case EXCH_ROP_OPEN_STREAM:
        exch_rd_u32(r, &req->u.open_stream.tag);
        return exch_rd_u8(r, &req->u.open_stream.flags);

    case EXCH_ROP_READ_STREAM:
        exch_rd_u16(r, &req->u.read_stream.byte_count);

        if (r->err == EXCH_OK
            && req->u.read_stream.byte_count == EXCH_READ_STREAM_MAX)
        {
            exch_rd_u32(r, &req->u.read_stream.max_byte_count);
        }

        return r->err;

    case EXCH_ROP_WRITE_STREAM:
    case EXCH_ROP_WRITE_STREAM_EXTENDED:
    case EXCH_ROP_WRITE_AND_COMMIT_STREAM:
        return exch_rd_counted(r, 2, &req->u.write_stream.data);

    case EXCH_ROP_SET_STREAM_SIZE:
        return exch_rd_u64(r, &req->u.set_stream_size.size);

    case EXCH_ROP_SEEK_STREAM:
        exch_rd_u8(r, &req->u.seek_stream.origin);
        exch_rd_i64(r, &i64);
        req->u.seek_stream.offset = i64;
        return r->err;

    case EXCH_ROP_COPY_TO_STREAM:
        return exch_rd_u64(r, &req->u.copy_to_stream.byte_count);

    case EXCH_ROP_LOCK_REGION_STREAM:
    case EXCH_ROP_UNLOCK_REGION_STREAM:
        exch_rd_u64(r, &req->u.lock_region_stream.offset);
        exch_rd_u64(r, &req->u.lock_region_stream.size);
        return exch_rd_u32(r, &req->u.lock_region_stream.flags);
    }

    return EXCH_ERR_UNKNOWN;
}


int
exch_rop_write_property(exch_wr_t *w, exch_rop_rsp_t *rsp)
{
    uint16_t  i;

    switch (rsp->rop_id) {

    case EXCH_ROP_GET_PROPERTY_IDS_FROM_NAMES:
        exch_wr_u16(w, rsp->u.get_property_ids_from_names.n);

        for (i = 0; i < rsp->u.get_property_ids_from_names.n; i++) {
            exch_wr_u16(w, rsp->u.get_property_ids_from_names.ids[i]);
        }

        return w->err;

    case EXCH_ROP_GET_NAMES_FROM_PROPERTY_IDS:
        exch_wr_u16(w, rsp->u.get_names_from_property_ids.n);

        for (i = 0; i < rsp->u.get_names_from_property_ids.n; i++) {
            exch_write_propname(w,
                                &rsp->u.get_names_from_property_ids.names[i]);
        }

        return w->err;

    case EXCH_ROP_QUERY_NAMED_PROPERTIES:
        exch_wr_u16(w, rsp->u.query_named_properties.n);

        for (i = 0; i < rsp->u.query_named_properties.n; i++) {
            exch_wr_u16(w, rsp->u.query_named_properties.ids[i]);
        }

        for (i = 0; i < rsp->u.query_named_properties.n; i++) {
            exch_write_propname(w, &rsp->u.query_named_properties.names[i]);
        }

        return w->err;

    case EXCH_ROP_GET_PROPERTIES_SPECIFIC:
        return exch_write_row(w, rsp->u.get_properties_specific.cols.tags,
                              rsp->u.get_properties_specific.cols.n,
                              rsp->u.get_properties_specific.row);

    case EXCH_ROP_GET_PROPERTIES_ALL:
        if (rsp->u.get_properties_all.props == NULL) {
            return exch_wr_u16(w, 0);
        }

        return exch_write_tagged_array(w, 0, rsp->u.get_properties_all.props);

    case EXCH_ROP_GET_PROPERTIES_LIST:
        return exch_write_tags(w, 0, rsp->u.tags.tags.tags,
                               rsp->u.tags.tags.n);

    case EXCH_ROP_SET_PROPERTIES:
    case EXCH_ROP_SET_PROPERTIES_NO_REPLICATE:
    case EXCH_ROP_DELETE_PROPERTIES:
    case EXCH_ROP_DELETE_PROPERTIES_NO_REPLICATE:
    case EXCH_ROP_COPY_PROPERTIES:
    case EXCH_ROP_COPY_TO:
        return exch_write_problems(w, rsp->u.problems.problems,
                                   rsp->u.problems.n);

    case EXCH_ROP_PROGRESS:
        exch_wr_u8(w, rsp->u.progress.logon_id);
        exch_wr_u32(w, rsp->u.progress.completed);
        return exch_wr_u32(w, rsp->u.progress.total);

    case EXCH_ROP_OPEN_STREAM:
    case EXCH_ROP_GET_STREAM_SIZE:
        return exch_wr_u32(w, rsp->u.stream_size.size);

    case EXCH_ROP_READ_STREAM:
        return exch_wr_counted(w, 2, &rsp->u.read_stream.data);

    case EXCH_ROP_WRITE_STREAM:
    case EXCH_ROP_WRITE_AND_COMMIT_STREAM:
        return exch_wr_u16(w, (uint16_t) rsp->u.write_stream.written);

    case EXCH_ROP_WRITE_STREAM_EXTENDED:
        return exch_wr_u32(w, rsp->u.write_stream.written);

    case EXCH_ROP_SEEK_STREAM:
        return exch_wr_u64(w, rsp->u.seek_stream.pos);

    case EXCH_ROP_COPY_TO_STREAM:
        exch_wr_u64(w, rsp->u.copy_to_stream.read);
        return exch_wr_u64(w, rsp->u.copy_to_stream.written);

    case EXCH_ROP_COMMIT_STREAM:
    case EXCH_ROP_SET_STREAM_SIZE:
    case EXCH_ROP_LOCK_REGION_STREAM:
    case EXCH_ROP_UNLOCK_REGION_STREAM:
    case EXCH_ROP_CLONE_STREAM:
        return w->err;
    }

    return EXCH_ERR_UNKNOWN;
}
