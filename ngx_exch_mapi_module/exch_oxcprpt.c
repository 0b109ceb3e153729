
/*
 * exch: property and stream ROPs, MS-OXCPRPT 3.2.5: reading, writing and
 * deleting the properties of logons (the store object), folders,
 * messages and attachments; copying them between objects; named
 * properties; Stream objects over a property, with their data kept in
 * the state environment while they are written.
 */


#include <string.h>

#include <exs_oxcmail.h>

#include "exch_emsmdb.h"


/* the values GetProperties* return in place of a value that is too big:
 * the client reads it through a stream (MS-OXCPRPT 3.2.5.1) */
#define EXCH_EMS_DEFAULT_LIMIT      0x7000

/* OpenModeFlags, 2.2.14.1 */
#define EXCH_STREAM_READ_ONLY       0x00
#define EXCH_STREAM_READ_WRITE      0x01
#define EXCH_STREAM_CREATE          0x02
#define EXCH_STREAM_BEST_ACCESS     0x03

/* CopyFlags of CopyProperties and CopyTo, 2.2.10.1 / 2.2.11.1 */
#define EXCH_COPY_MOVE              0x01
#define EXCH_COPY_NO_OVERWRITE      0x02

/* GetPropertyIdsFromNames Flags, 2.2.12.1 */
#define EXCH_NAMES_CREATE           0x02

/* QueryNamedProperties QueryFlags, 2.2.13.1 */
#define EXCH_QNP_NO_STRINGS         0x01
#define EXCH_QNP_NO_IDS             0x02

#define EXCH_PR_RECEIVE_FOLDERS     PROP_TAG(PT_MV_UNICODE, 0x67E0)


static int exch_oxcprpt_props_logon(exch_ems_t *e, exch_ems_obj_t *obj,
    const uint32_t *tags, uint32_t ntags, exs_props_t *out);
static int exch_oxcprpt_fetch_tags(exch_ems_t *e, const uint32_t *tags,
    uint32_t ntags, uint32_t **out, uint32_t *nout);
static int exch_oxcprpt_value_size(const exs_prop_t *p);
static int exch_oxcprpt_out_value(exch_ems_t *e, exs_prop_t *p,
    uint16_t want, int want_unicode, uint32_t cpid, uint32_t limit);
static int exch_oxcprpt_set_value(exch_ems_t *e, exs_prop_t *p,
    uint32_t cpid);
static int exch_oxcprpt_writable(exch_ems_t *e, exch_ems_obj_t *obj);
static int exch_oxcprpt_readonly(uint8_t type, uint32_t tag);
static int exch_oxcprpt_stream_stored(exch_ems_t *e, exch_ems_obj_t *s,
    uint64_t off, size_t len, exs_bin_t *out, uint64_t *total);
static int exch_oxcprpt_subject(exch_ems_t *e, const exs_props_t *set,
    exs_props_t *props);
static int exch_oxcprpt_problem(exch_ems_t *e, exch_problem_t **v,
    uint16_t *n, uint16_t index, uint32_t tag, uint32_t err);

static int exch_oxcprpt_get_properties_specific(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcprpt_get_properties_all(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcprpt_get_properties_list(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcprpt_set_properties(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_delete_properties(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static uint32_t exch_oxcprpt_copy_allowed(exch_ems_obj_t *obj,
    exch_ems_obj_t *dst, uint8_t flags);
static int exch_oxcprpt_copy_properties(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_copy_to(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_progress(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_get_property_ids_from_names(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcprpt_get_names_from_property_ids(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcprpt_query_named_properties(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcprpt_open_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_read_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_write_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_commit_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_get_stream_size(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_set_stream_size(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_seek_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_copy_to_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcprpt_not_implemented(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);

static int exch_oxcprpt_stream_source(exch_ems_t *e, exch_ems_obj_t *s,
    exs_bin_t *data);
static int exch_oxcprpt_stream_load(exch_ems_t *e, exch_ems_obj_t *s,
    const exs_bin_t *data);
static int exch_oxcprpt_stream_read(exch_ems_t *e, exch_ems_obj_t *s,
    uint64_t pos, size_t len, uint8_t *out);
static int exch_oxcprpt_stream_write(exch_ems_t *e, exch_ems_obj_t *s,
    uint64_t pos, const uint8_t *data, size_t len);
static int exch_oxcprpt_stream_resize(exch_ems_t *e, exch_ems_obj_t *s,
    uint64_t size);


exch_ems_rop_pt
exch_oxcprpt_handler(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_GET_PROPERTIES_SPECIFIC:
        return exch_oxcprpt_get_properties_specific;
    case EXCH_ROP_GET_PROPERTIES_ALL:
        return exch_oxcprpt_get_properties_all;
    case EXCH_ROP_GET_PROPERTIES_LIST:
        return exch_oxcprpt_get_properties_list;
    case EXCH_ROP_SET_PROPERTIES:
    case EXCH_ROP_SET_PROPERTIES_NO_REPLICATE:
        return exch_oxcprpt_set_properties;
    case EXCH_ROP_DELETE_PROPERTIES:
    case EXCH_ROP_DELETE_PROPERTIES_NO_REPLICATE:
        return exch_oxcprpt_delete_properties;
    case EXCH_ROP_COPY_PROPERTIES:
        return exch_oxcprpt_copy_properties;
    case EXCH_ROP_COPY_TO:
        return exch_oxcprpt_copy_to;
    case EXCH_ROP_PROGRESS:
        return exch_oxcprpt_progress;
    case EXCH_ROP_GET_PROPERTY_IDS_FROM_NAMES:
        return exch_oxcprpt_get_property_ids_from_names;
    case EXCH_ROP_GET_NAMES_FROM_PROPERTY_IDS:
        return exch_oxcprpt_get_names_from_property_ids;
    case EXCH_ROP_QUERY_NAMED_PROPERTIES:
        return exch_oxcprpt_query_named_properties;
    case EXCH_ROP_OPEN_STREAM:
        return exch_oxcprpt_open_stream;
    case EXCH_ROP_READ_STREAM:
        return exch_oxcprpt_read_stream;
    case EXCH_ROP_WRITE_STREAM:
    case EXCH_ROP_WRITE_STREAM_EXTENDED:
        return exch_oxcprpt_write_stream;
    case EXCH_ROP_COMMIT_STREAM:
        return exch_oxcprpt_commit_stream;
    case EXCH_ROP_GET_STREAM_SIZE:
        return exch_oxcprpt_get_stream_size;
    case EXCH_ROP_SET_STREAM_SIZE:
        return exch_oxcprpt_set_stream_size;
    case EXCH_ROP_SEEK_STREAM:
        return exch_oxcprpt_seek_stream;
    case EXCH_ROP_COPY_TO_STREAM:
        return exch_oxcprpt_copy_to_stream;

    /* Exchange 2010 and later refuse these, and so do we */
    case EXCH_ROP_LOCK_REGION_STREAM:
    case EXCH_ROP_UNLOCK_REGION_STREAM:
    case EXCH_ROP_WRITE_AND_COMMIT_STREAM:
    case EXCH_ROP_CLONE_STREAM:
        return exch_oxcprpt_not_implemented;

    default:
        return NULL;
    }
}


/* the properties of an object */

static int
exch_oxcprpt_fetch_tags(exch_ems_t *e, const uint32_t *tags, uint32_t ntags,
    uint32_t **out, uint32_t *nout)
{
    uint16_t   type;
    uint32_t   i, *v;

    /* a PT_UNSPECIFIED tag needs every property; string tags are asked
     * for in the store's type */

    for (i = 0; i < ntags; i++) {
        if (PROP_TYPE(tags[i]) == PT_UNSPECIFIED) {
            *out = NULL;
            *nout = 0;
            return EXS_OK;
        }
    }

    v = exs_alloc(e->a, (ntags + 1) * sizeof(uint32_t));
    if (v == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < ntags; i++) {
        type = PROP_TYPE(tags[i]);

        if (type == PT_STRING8) {
            v[i] = PROP_CHANGE_TYPE(tags[i], PT_UNICODE);

        } else if (type == PT_MV_STRING8) {
            v[i] = PROP_CHANGE_TYPE(tags[i], PT_MV_UNICODE);

        } else {
            v[i] = tags[i];
        }
    }

    *out = v;
    *nout = ntags;

    return EXS_OK;
}


int
exch_ems_props_get(exch_ems_t *e, exch_ems_obj_t *obj, const uint32_t *tags,
    uint32_t ntags, exs_props_t *out)
{
    int            rc;
    uint32_t      *ft, nft;
    exs_mbox_t    *mb;

    out->n = 0;
    out->cap = 0;
    out->v = NULL;

    rc = exch_oxcprpt_fetch_tags(e, tags, ntags, &ft, &nft);
    if (rc != EXS_OK) {
        return rc;
    }

    switch (obj->type) {

    case EXCH_EMS_LOGON:
        return exch_oxcprpt_props_logon(e, obj, ft, nft, out);

    case EXCH_EMS_FOLDER:
        rc = exch_ems_mbox(e, obj, &mb);
        if (rc != EXS_OK) {
            return rc;
        }

        return exs_folder_get(mb, obj->u.folder.fid, ft, nft, out, e->a);

    case EXCH_EMS_MESSAGE:
        return exch_ems_msg_props(e, obj, ft, nft, out);

    case EXCH_EMS_ATTACH:
        return exch_ems_attach_props(e, obj, ft, nft, out);

    default:
        return EXS_NOTSUP;
    }
}


static int
exch_oxcprpt_props_logon(exch_ems_t *e, exch_ems_obj_t *obj,
    const uint32_t *tags, uint32_t ntags, exs_props_t *out)
{
    int              rc;
    uint32_t         i, j;
    exs_bin_t        eid;
    exs_prop_t       p;
    exs_mbox_t      *mb;

    static const uint32_t  extra[] = {
        PR_USER_ENTRYID, PR_USER_NAME, PR_CODE_PAGE_ID, PR_LOCALE_ID,
        PR_SORT_LOCALE_ID, PR_MAX_SUBMIT_MESSAGE_SIZE,
        PR_EXTENDED_RULE_SIZE_LIMIT, PR_OOF_STATE, PR_STORE_OFFLINE
    };

    rc = exch_ems_mbox(e, obj, &mb);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_get_props(mb, tags, ntags, out, e->a);
    if (rc != EXS_OK) {
        return rc;
    }

    (void) exs_props_del(out, EXCH_PR_RECEIVE_FOLDERS);

    for (i = 0; i < sizeof(extra) / sizeof(uint32_t); i++) {
        if (ntags) {
            for (j = 0; j < ntags; j++) {
                if (PROP_ID(tags[j]) == PROP_ID(extra[i])) {
                    break;
                }
            }

            if (j == ntags) {
                continue;
            }
        }

        if (exs_props_get(out, extra[i])) {
            continue;
        }

        memset(&p, 0, sizeof(exs_prop_t));
        p.tag = extra[i];

        switch (extra[i]) {
        case PR_USER_ENTRYID:
            rc = exch_ems_ab_entryid(e->a, e->user->legacy_dn
                                           ? e->user->legacy_dn : "",
                                     0, &eid);
            if (rc != EXS_OK) {
                return rc;
            }
            p.v.bin = eid;
            break;
        case PR_USER_NAME:
            p.v.str.data = e->user->name ? e->user->name : "";
            p.v.str.len = strlen(p.v.str.data);
            break;
        case PR_CODE_PAGE_ID:
            p.v.l = (int32_t) e->s->cpid;
            break;
        case PR_LOCALE_ID:
            p.v.l = (int32_t) e->s->lcid_string;
            break;
        case PR_SORT_LOCALE_ID:
            p.v.l = (int32_t) e->s->lcid_sort;
            break;
        case PR_MAX_SUBMIT_MESSAGE_SIZE:
            /* kilobytes */
            p.v.l = (int32_t) (e->conf->max_stream >> 10);
            break;
        case PR_EXTENDED_RULE_SIZE_LIMIT:
            p.v.l = 510 * 1024;
            break;
        case PR_OOF_STATE:
        case PR_STORE_OFFLINE:
            p.v.b = 0;
            break;
        }

        rc = exs_props_set(e->a, out, &p);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


/* the wire size of a value, for the size limits */

static int
exch_oxcprpt_value_size(const exs_prop_t *p)
{
    uint16_t  type;
    uint32_t  i;
    size_t    n;

    type = PROP_TYPE(p->tag);

    switch (type) {
    case PT_UNICODE:
        return (int) (2 * p->v.str.len + 2);
    case PT_STRING8:
        return (int) (p->v.str.len + 1);
    case PT_BINARY:
    case PT_OBJECT:
    case PT_SVREID:
    case PT_SRESTRICTION:
    case PT_ACTIONS:
        return (int) (p->v.bin.len + 2);
    case PT_MV_UNICODE:
    case PT_MV_STRING8:
        for (i = 0, n = 4; i < p->v.mv.n; i++) {
            n += 2 * p->v.mv.v.str[i].len + 2;
        }
        return n > 0x7FFFFFFF ? 0x7FFFFFFF : (int) n;
    case PT_MV_BINARY:
        for (i = 0, n = 4; i < p->v.mv.n; i++) {
            n += p->v.mv.v.bin[i].len + 2;
        }
        return n > 0x7FFFFFFF ? 0x7FFFFFFF : (int) n;
    default:
        if (type & PT_MV) {
            return (int) (4 + p->v.mv.n * 8);
        }
        return 8;
    }
}


/*
 * A value as a Get* ROP returns it: strings in the type the client asked
 * for, and an error in place of what is bigger than the limit.
 */

static int
exch_oxcprpt_out_value(exch_ems_t *e, exs_prop_t *p, uint16_t want,
    int want_unicode, uint32_t cpid, uint32_t limit)
{
    uint16_t  have;

    have = PROP_TYPE(p->tag);

    if (have == PT_ERROR) {
        return EXS_OK;
    }

    if (limit && (uint32_t) exch_oxcprpt_value_size(p) > limit) {
        p->tag = PROP_CHANGE_TYPE(p->tag, PT_ERROR);
        p->v.l = (int32_t) EXCH_EC_MAPI_OOM;
        return EXS_OK;
    }

    if ((want == PT_STRING8 || want == PT_MV_STRING8
         || (want == PT_UNSPECIFIED && !want_unicode))
        && (have == PT_UNICODE || have == PT_MV_UNICODE))
    {
        if (exch_prop_to_string8(e->a, p, cpid) != EXCH_OK) {
            p->tag = PROP_CHANGE_TYPE(p->tag, PT_ERROR);
            p->v.l = (int32_t) EXCH_EC_ERROR;
        }
    }

    return EXS_OK;
}


uint32_t
exch_ems_cpid(exch_ems_t *e, exch_ems_obj_t *obj)
{
    exch_ems_obj_t  *o;

    for (o = obj; o; o = exch_ems_parent(e, o)) {
        if (o->type == EXCH_EMS_MESSAGE && o->u.message.cpid
            && exch_cpid_charset(o->u.message.cpid))
        {
            if (o->u.message.cpid == 0x0FFF || o->u.message.cpid == 1200) {
                break;
            }

            return o->u.message.cpid;
        }
    }

    return e->s->cpid;
}


static int
exch_oxcprpt_get_properties_specific(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int            rc;
    uint16_t       want;
    uint32_t       i, cpid, limit;
    exs_prop_t    *p, v;
    exs_props_t    props, *row;
    exch_tags_t   *tags;

    tags = &req->u.get_properties_specific.tags;

    if (obj->type < EXCH_EMS_LOGON || obj->type > EXCH_EMS_ATTACH) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_props_get(e, obj, tags->tags, tags->n, &props);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    row = exs_calloc(e->a, sizeof(exs_props_t));
    if (row == NULL) {
        return EXS_NOMEM;
    }

    cpid = exch_ems_cpid(e, obj);
    limit = req->u.get_properties_specific.size_limit
            ? req->u.get_properties_specific.size_limit
            : EXCH_EMS_DEFAULT_LIMIT;

    for (i = 0; i < tags->n; i++) {
        want = PROP_TYPE(tags->tags[i]);

        p = exs_props_get(&props, tags->tags[i]);
        if (p == NULL) {
            continue;
        }

        v = *p;

        if (want == PT_UNSPECIFIED || (want & ~PT_MV) == PT_STRING8) {
            /* the row writer looks values up by id */
        }

        rc = exch_oxcprpt_out_value(e, &v, want,
                                    req->u.get_properties_specific.want_unicode,
                                    cpid, limit);
        if (rc != EXS_OK) {
            return rc;
        }

        rc = exs_props_set(e->a, row, &v);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    rsp->u.get_properties_specific.cols = *tags;
    rsp->u.get_properties_specific.row = row;

    return EXCH_OK;
}


static int
exch_oxcprpt_get_properties_all(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int            rc;
    uint32_t       i, cpid, limit;
    exs_props_t   *props;

    if (obj->type < EXCH_EMS_LOGON || obj->type > EXCH_EMS_ATTACH) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    props = exs_calloc(e->a, sizeof(exs_props_t));
    if (props == NULL) {
        return EXS_NOMEM;
    }

    rc = exch_ems_props_get(e, obj, NULL, 0, props);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    cpid = exch_ems_cpid(e, obj);
    limit = req->u.get_properties_all.size_limit
            ? req->u.get_properties_all.size_limit : EXCH_EMS_DEFAULT_LIMIT;

    for (i = 0; i < props->n; i++) {
        rc = exch_oxcprpt_out_value(e, &props->v[i], PT_UNSPECIFIED,
                                    req->u.get_properties_all.want_unicode,
                                    cpid, limit);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    rsp->u.get_properties_all.props = props;

    return EXCH_OK;
}


static int
exch_oxcprpt_get_properties_list(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int           rc;
    uint32_t      i;
    exs_props_t   props;

    if (obj->type < EXCH_EMS_LOGON || obj->type > EXCH_EMS_ATTACH) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_props_get(e, obj, NULL, 0, &props);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    rsp->u.tags.tags.n = props.n;
    rsp->u.tags.tags.tags = exs_alloc(e->a, (props.n + 1) * sizeof(uint32_t));
    if (rsp->u.tags.tags.tags == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < props.n; i++) {
        rsp->u.tags.tags.tags[i] = props.v[i].tag;
    }

    return EXCH_OK;
}


/* setting and deleting */

static int
exch_oxcprpt_problem(exch_ems_t *e, exch_problem_t **v, uint16_t *n,
    uint16_t index, uint32_t tag, uint32_t err)
{
    exch_problem_t  *nv;

    nv = exs_alloc(e->a, (*n + 1) * sizeof(exch_problem_t));
    if (nv == NULL) {
        return EXS_NOMEM;
    }

    if (*n) {
        memcpy(nv, *v, *n * sizeof(exch_problem_t));
    }

    nv[*n].index = index;
    nv[*n].tag = tag;
    nv[*n].err = err;
    *v = nv;
    (*n)++;

    return EXS_OK;
}


/* strings in the store's form; types a property cannot have refused */

static int
exch_oxcprpt_set_value(exch_ems_t *e, exs_prop_t *p, uint32_t cpid)
{
    uint16_t  type;

    type = PROP_TYPE(p->tag);

    if (type == PT_UNSPECIFIED || type == PT_ERROR || type == PT_NULL
        || !exs_proptype_valid(type & ~PT_MV_INSTANCE)
        || (type & PT_MV_INSTANCE))
    {
        return EXS_INVALID;
    }

    if (type == PT_STRING8 || type == PT_MV_STRING8) {
        if (exch_prop_to_unicode(e->a, p, cpid) != EXCH_OK) {
            return EXS_INVALID;
        }
    }

    return EXS_OK;
}


static int
exch_oxcprpt_writable(exch_ems_t *e, exch_ems_obj_t *obj)
{
    exch_ems_obj_t  *o;

    switch (obj->type) {
    case EXCH_EMS_MESSAGE:
        return (obj->u.message.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW)) != 0;
    case EXCH_EMS_ATTACH:
        if (obj->u.attach.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW)) {
            return 1;
        }
        o = exch_ems_parent(e, obj);
        return o && exch_oxcprpt_writable(e, o);
    default:
        return 1;
    }
}


int
exch_ems_props_set(exch_ems_t *e, exch_ems_obj_t *obj,
    const exs_props_t *props, exch_problem_t **problems, uint16_t *nprob)
{
    int            rc;
    uint32_t       i, cpid;
    exs_msg_t     *msg;
    exs_txn_t     *txn;
    exs_mbox_t    *mb;
    exs_prop_t     v;
    exs_props_t    good;
    exs_attach_t  *att;

    *problems = NULL;
    *nprob = 0;

    if (!exch_oxcprpt_writable(e, obj)) {
        return EXS_DENIED;
    }

    cpid = exch_ems_cpid(e, obj);
    good.n = 0;
    good.cap = 0;
    good.v = NULL;

    for (i = 0; i < props->n; i++) {
        v = props->v[i];

        rc = exch_oxcprpt_set_value(e, &v, cpid);

        if (rc == EXS_OK && obj->type == EXCH_EMS_LOGON
            && PROP_ID(v.tag) == PROP_ID(EXCH_PR_RECEIVE_FOLDERS))
        {
            rc = EXS_DENIED;
        }

        if (rc == EXS_OK && exch_oxcprpt_readonly(obj->type, v.tag)) {
            rc = EXS_DENIED;
        }

        if (rc != EXS_OK) {
            rc = exch_oxcprpt_problem(e, problems, nprob, (uint16_t) i,
                                      props->v[i].tag, exch_ems_ec(rc));
            if (rc != EXS_OK) {
                return rc;
            }

            continue;
        }

        rc = exs_props_set(e->a, &good, &v);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    switch (obj->type) {

    case EXCH_EMS_LOGON:
    case EXCH_EMS_FOLDER:
        rc = exch_ems_write_begin(e, &txn);
        if (rc == EXS_OK) {
            rc = exch_ems_mbox(e, obj, &mb);
        }

        if (rc == EXS_OK) {
            rc = obj->type == EXCH_EMS_LOGON
                 ? exs_mbox_set_props(mb, &good)
                 : exs_folder_set(mb, obj->u.folder.fid, &good);
        }

        return exch_ems_write_end(e, rc);

    case EXCH_EMS_MESSAGE:
        rc = exch_ems_msg_edit(e, obj, &msg);
        if (rc != EXS_OK) {
            return rc;
        }

        for (i = 0; i < good.n; i++) {
            rc = exs_prop_copy(e->a, &v, &good.v[i]);
            if (rc == EXS_OK) {
                rc = exs_props_set(e->a, &msg->props, &v);
            }

            if (rc != EXS_OK) {
                return rc;
            }
        }

        return exch_oxcprpt_subject(e, &good, &msg->props);

    case EXCH_EMS_ATTACH:
        rc = exch_ems_attach_edit(e, obj, &att);
        if (rc != EXS_OK) {
            return rc;
        }

        for (i = 0; i < good.n; i++) {
            if (PROP_ID(good.v[i].tag) == PROP_ID(PR_ATTACH_NUM)) {
                continue;
            }

            rc = exs_prop_copy(e->a, &v, &good.v[i]);
            if (rc == EXS_OK) {
                rc = exs_props_set(e->a, &att->props, &v);
            }

            if (rc != EXS_OK) {
                return rc;
            }
        }

        return EXS_OK;

    default:
        return EXS_NOTSUP;
    }
}


int
exch_ems_props_del(exch_ems_t *e, exch_ems_obj_t *obj, const uint32_t *tags,
    uint32_t ntags, exch_problem_t **problems, uint16_t *nprob)
{
    int            rc;
    uint32_t       i, n, *kept;
    exs_msg_t     *msg;
    exs_txn_t     *txn;
    exs_mbox_t    *mb;
    exs_attach_t  *att;

    *problems = NULL;
    *nprob = 0;

    if (!exch_oxcprpt_writable(e, obj)) {
        return EXS_DENIED;
    }

    /* what the store computes can't go: a problem each, the rest goes */

    kept = exs_alloc(e->a, (ntags + 1) * sizeof(uint32_t));
    if (kept == NULL) {
        return EXS_NOMEM;
    }

    n = 0;

    for (i = 0; i < ntags; i++) {
        if (!exch_oxcprpt_readonly(obj->type, tags[i])) {
            kept[n++] = tags[i];
            continue;
        }

        rc = exch_oxcprpt_problem(e, problems, nprob, (uint16_t) i, tags[i],
                                  EXCH_EC_ACCESS_DENIED);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    tags = kept;
    ntags = n;

    switch (obj->type) {

    case EXCH_EMS_LOGON:
        return EXS_NOTSUP;

    case EXCH_EMS_FOLDER:
        rc = exch_ems_write_begin(e, &txn);
        if (rc == EXS_OK) {
            rc = exch_ems_mbox(e, obj, &mb);
        }

        if (rc == EXS_OK) {
            rc = exs_folder_delprops(mb, obj->u.folder.fid, tags, ntags);
        }

        return exch_ems_write_end(e, rc);

    case EXCH_EMS_MESSAGE:
        rc = exch_ems_msg_edit(e, obj, &msg);
        if (rc != EXS_OK) {
            return rc;
        }

        for (i = 0; i < ntags; i++) {
            (void) exs_props_del(&msg->props,
                                 PROP_CHANGE_TYPE(tags[i], PT_UNSPECIFIED));
        }

        return EXS_OK;

    case EXCH_EMS_ATTACH:
        rc = exch_ems_attach_edit(e, obj, &att);
        if (rc != EXS_OK) {
            return rc;
        }

        for (i = 0; i < ntags; i++) {
            if (PROP_ID(tags[i]) != PROP_ID(PR_ATTACH_NUM)) {
                (void) exs_props_del(&att->props,
                                     PROP_CHANGE_TYPE(tags[i],
                                                      PT_UNSPECIFIED));
            }
        }

        return EXS_OK;

    default:
        return EXS_NOTSUP;
    }
}


/*
 * A message's subject and its two parts follow each other (MS-OXCMSG
 * 2.2.1.46): PR_SUBJECT set alone is split into PR_SUBJECT_PREFIX and
 * PR_NORMALIZED_SUBJECT; the parts set without it make it.
 */

static int
exch_oxcprpt_subject(exch_ems_t *e, const exs_props_t *set,
    exs_props_t *props)
{
    char              *s;
    size_t             plen;
    exs_str_t          prefix, norm;
    const exs_prop_t  *p;

    p = exs_props_get(set, PR_SUBJECT);

    if (p && exs_props_get(set, PR_SUBJECT_PREFIX) == NULL
        && exs_props_get(set, PR_NORMALIZED_SUBJECT) == NULL)
    {
        plen = exs_oxcmail_subject_prefix(p->v.str.data, p->v.str.len);

        if (exs_props_set_str(e->a, props, PR_SUBJECT_PREFIX,
                              p->v.str.data, plen) != EXS_OK
            || exs_props_set_str(e->a, props, PR_NORMALIZED_SUBJECT,
                                 p->v.str.data + plen, p->v.str.len - plen)
               != EXS_OK)
        {
            return EXS_NOMEM;
        }

        return EXS_OK;
    }

    if (p || (exs_props_get(set, PR_SUBJECT_PREFIX) == NULL
              && exs_props_get(set, PR_NORMALIZED_SUBJECT) == NULL))
    {
        return EXS_OK;
    }

    prefix.data = "";
    prefix.len = 0;
    norm = prefix;

    p = exs_props_get(props, PR_SUBJECT_PREFIX);
    if (p && PROP_TYPE(p->tag) == PT_UNICODE) {
        prefix = p->v.str;
    }

    p = exs_props_get(props, PR_NORMALIZED_SUBJECT);
    if (p && PROP_TYPE(p->tag) == PT_UNICODE) {
        norm = p->v.str;
    }

    s = exs_alloc(e->a, prefix.len + norm.len + 1);
    if (s == NULL) {
        return EXS_NOMEM;
    }

    if (prefix.len) {
        memcpy(s, prefix.data, prefix.len);
    }

    if (norm.len) {
        memcpy(s + prefix.len, norm.data, norm.len);
    }

    return exs_props_set_str(e->a, props, PR_SUBJECT, s,
                             prefix.len + norm.len);
}


/* properties the store computes, which no client sets (MS-OXCPRPT
 * 3.2.5.3: a problem with ecAccessDenied each) */

static int
exch_oxcprpt_readonly(uint8_t type, uint32_t tag)
{
    switch (PROP_ID(tag)) {

    case 0x0E08:    /* PR_MESSAGE_SIZE(_EXTENDED) */
    case 0x0E09:    /* PR_PARENT_ENTRYID */
    case 0x0FF4:    /* PR_ACCESS */
    case 0x0FF5:    /* PR_ROW_TYPE */
    case 0x0FF6:    /* PR_INSTANCE_KEY */
    case 0x0FF7:    /* PR_ACCESS_LEVEL */
    case 0x0FF8:    /* PR_MAPPING_SIGNATURE */
    case 0x0FFA:    /* PR_STORE_RECORD_KEY */
    case 0x0FFB:    /* PR_STORE_ENTRYID */
    case 0x0FFE:    /* PR_OBJECT_TYPE */
    case 0x0FFF:    /* PR_ENTRYID */
    case 0x3005:    /* PR_DEPTH */
    case 0x65E1:    /* PR_PARENT_SOURCE_KEY */
    case 0x6748:    /* PR_FID */
    case 0x6749:    /* PR_PARENT_FID */
    case 0x674A:    /* PR_MID */
    case 0x674D:    /* PR_INST_ID */
    case 0x674E:    /* PR_INSTANCE_NUM */
    case 0x67A4:    /* PR_CHANGE_NUMBER */
        return type != EXCH_EMS_LOGON;

    case 0x0E02:    /* PR_DISPLAY_BCC */
    case 0x0E03:    /* PR_DISPLAY_CC */
    case 0x0E04:    /* PR_DISPLAY_TO */
    case 0x0E12:    /* PR_MESSAGE_RECIPIENTS */
    case 0x0E13:    /* PR_MESSAGE_ATTACHMENTS */
    case 0x0E1B:    /* PR_HASATTACH */
    case 0x0E23:    /* PR_INTERNET_ARTICLE_NUMBER */
    case 0x67AA:    /* PR_ASSOCIATED */
        return type == EXCH_EMS_MESSAGE;

    case 0x3602:    /* PR_CONTENT_COUNT */
    case 0x3603:    /* PR_CONTENT_UNREAD */
    case 0x360A:    /* PR_SUBFOLDERS */
    case 0x3617:    /* PR_ASSOC_CONTENT_COUNT */
    case 0x6638:    /* PR_FOLDER_CHILD_COUNT */
        return type == EXCH_EMS_FOLDER;

    case 0x0E20:    /* PR_ATTACH_SIZE */
    case 0x0E21:    /* PR_ATTACH_NUM */
        return type == EXCH_EMS_ATTACH;

    default:
        return 0;
    }
}


static int
exch_oxcprpt_set_properties(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int  rc;

    if (obj->type < EXCH_EMS_LOGON || obj->type > EXCH_EMS_ATTACH) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_props_set(e, obj, &req->u.set_properties.props,
                            (exch_problem_t **) &rsp->u.problems.problems,
                            &rsp->u.problems.n);
    if (rc == EXS_NOMEM) {
        return rc;
    }

    rsp->rv = exch_ems_ec(rc);

    return EXCH_OK;
}


static int
exch_oxcprpt_delete_properties(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int  rc;

    if (obj->type < EXCH_EMS_FOLDER || obj->type > EXCH_EMS_ATTACH) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_props_del(e, obj, req->u.delete_properties.tags.tags,
                            req->u.delete_properties.tags.n,
                            (exch_problem_t **) &rsp->u.problems.problems,
                            &rsp->u.problems.n);
    if (rc == EXS_NOMEM) {
        return rc;
    }

    rsp->rv = exch_ems_ec(rc);

    return EXCH_OK;
}


/* RopCopyProperties and RopCopyTo: between two objects of one kind, with
 * known flags only; EXCH_EC_SUCCESS or the ROP's error */
static uint32_t
exch_oxcprpt_copy_allowed(exch_ems_obj_t *obj, exch_ems_obj_t *dst,
    uint8_t flags)
{
    if (obj->type != dst->type || obj->type < EXCH_EMS_FOLDER
        || obj->type > EXCH_EMS_ATTACH)
    {
        return EXCH_EC_NOT_SUPPORTED;
    }

    if (flags & ~(EXCH_COPY_MOVE | EXCH_COPY_NO_OVERWRITE)) {
        return EXCH_EC_INVALID_PARAM;
    }

    return EXCH_EC_SUCCESS;
}


/*
 * CopyProperties and CopyTo (3.2.5.7, 3.2.5.8): between two objects of
 * the same kind; the destination's values are replaced unless
 * NoOverwrite; Move deletes them from the source.
 */

static int
exch_oxcprpt_copy_properties(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc;
    uint8_t          flags;
    uint16_t         nprob, n2;
    uint32_t         i;
    exs_prop_t      *p;
    exs_props_t      src, have, set;
    exch_tags_t     *tags;
    exch_problem_t  *problems, *p2;

    flags = req->u.copy_properties.flags;
    tags = &req->u.copy_properties.tags;

    rsp->rv = exch_oxcprpt_copy_allowed(obj, dst, flags);
    if (rsp->rv != EXCH_EC_SUCCESS) {
        return EXCH_OK;
    }

    rc = exch_ems_props_get(e, obj, tags->tags, tags->n, &src);
    if (rc == EXS_OK && (flags & EXCH_COPY_NO_OVERWRITE)) {
        rc = exch_ems_props_get(e, dst, tags->tags, tags->n, &have);
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    problems = NULL;
    nprob = 0;
    set.n = 0;
    set.cap = 0;
    set.v = NULL;

    for (i = 0; i < tags->n; i++) {
        p = exs_props_get(&src, tags->tags[i]);

        if (p == NULL) {
            rc = exch_oxcprpt_problem(e, &problems, &nprob, (uint16_t) i,
                                      tags->tags[i], EXCH_EC_NOT_FOUND);
            if (rc != EXS_OK) {
                return rc;
            }

            continue;
        }

        if ((flags & EXCH_COPY_NO_OVERWRITE)
            && exs_props_get(&have, tags->tags[i]))
        {
            continue;
        }

        rc = exs_props_set(e->a, &set, p);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    rc = exch_ems_props_set(e, dst, &set, &p2, &n2);

    if (rc == EXS_OK && (flags & EXCH_COPY_MOVE)) {
        rc = exch_ems_props_del(e, obj, tags->tags, tags->n, &p2, &n2);
    }

    if (rc == EXS_NOMEM) {
        return rc;
    }

    rsp->rv = exch_ems_ec(rc);
    rsp->u.problems.n = nprob;
    rsp->u.problems.problems = problems;

    return EXCH_OK;
}


static int
exch_oxcprpt_copy_to(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc;
    uint8_t          flags;
    uint16_t         n2;
    uint32_t         i, j;
    exs_msg_t       *sm, *dm;
    exs_props_t      src, have, set;
    exch_tags_t     *ex;
    exch_problem_t  *p2;

    flags = req->u.copy_to.flags;
    ex = &req->u.copy_to.excluded;

    rsp->rv = exch_oxcprpt_copy_allowed(obj, dst, flags);
    if (rsp->rv != EXCH_EC_SUCCESS) {
        return EXCH_OK;
    }

    if (obj == dst) {
        /* MS-OXCPRPT 3.2.5.8: copying an object onto itself */
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    if (obj->type == EXCH_EMS_FOLDER && req->u.copy_to.want_subobjects) {
        /* folder contents travel with RopCopyFolder and
         * RopMoveCopyMessages */
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_props_get(e, obj, NULL, 0, &src);
    if (rc == EXS_OK && (flags & EXCH_COPY_NO_OVERWRITE)) {
        rc = exch_ems_props_get(e, dst, NULL, 0, &have);
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    set.n = 0;
    set.cap = 0;
    set.v = NULL;

    for (i = 0; i < src.n; i++) {
        for (j = 0; j < ex->n; j++) {
            if (PROP_ID(ex->tags[j]) == PROP_ID(src.v[i].tag)) {
                break;
            }
        }

        if (j < ex->n || PROP_TYPE(src.v[i].tag) == PT_ERROR
            || exch_oxcprpt_readonly(dst->type, src.v[i].tag)
            || (obj->type == EXCH_EMS_FOLDER
                && PROP_ID(src.v[i].tag) == PROP_ID(PR_DISPLAY_NAME))
            || ((flags & EXCH_COPY_NO_OVERWRITE)
                && exs_props_get(&have, src.v[i].tag)))
        {
            continue;
        }

        rc = exs_props_set(e->a, &set, &src.v[i]);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    rc = exch_ems_props_set(e, dst, &set, &p2, &n2);

    /* a message's recipients and attachments come along unless excluded */

    if (rc == EXS_OK && obj->type == EXCH_EMS_MESSAGE
        && req->u.copy_to.want_subobjects)
    {
        rc = exch_ems_msg_view(e, obj, EXS_READ_ALL, &sm);
        if (rc == EXS_OK) {
            rc = exch_ems_msg_edit(e, dst, &dm);
        }

        for (j = 0; rc == EXS_OK && j < ex->n; j++) {
            if (ex->tags[j] == PR_MESSAGE_RECIPIENTS) {
                sm = NULL;
                break;
            }
        }

        if (rc == EXS_OK && sm && !((flags & EXCH_COPY_NO_OVERWRITE)
                                    && dm->nrcpts))
        {
            dm->nrcpts = 0;

            for (i = 0; rc == EXS_OK && i < sm->nrcpts; i++) {
                exs_rcpt_t  *r;

                r = exs_msg_add_rcpt(e->a, dm);
                rc = r ? exs_props_copy(e->a, &r->props, &sm->rcpts[i].props)
                       : EXS_NOMEM;
            }
        }

        if (rc == EXS_OK) {
            rc = exch_ems_msg_view(e, obj, EXS_READ_ALL, &sm);
        }

        for (j = 0; rc == EXS_OK && j < ex->n; j++) {
            if (ex->tags[j] == PR_MESSAGE_ATTACHMENTS) {
                sm = NULL;
                break;
            }
        }

        if (rc == EXS_OK && sm && !((flags & EXCH_COPY_NO_OVERWRITE)
                                    && dm->natts))
        {
            dm->natts = 0;

            for (i = 0; rc == EXS_OK && i < sm->natts; i++) {
                exs_attach_t  *at;

                at = exs_msg_add_attach(e->a, dm);
                if (at == NULL) {
                    rc = EXS_NOMEM;
                    break;
                }

                rc = exs_props_copy(e->a, &at->props, &sm->atts[i].props);
                at->embedded = sm->atts[i].embedded;
            }
        }

        if (rc == EXS_OK) {
            dst->wc_dirty = 1;
        }
    }

    if (rc == EXS_OK && (flags & EXCH_COPY_MOVE)) {
        uint32_t  *tags;

        tags = exs_alloc(e->a, (src.n + 1) * sizeof(uint32_t));
        if (tags == NULL) {
            return EXS_NOMEM;
        }

        for (i = 0; i < set.n; i++) {
            tags[i] = set.v[i].tag;
        }

        rc = exch_ems_props_del(e, obj, tags, set.n, &p2, &n2);
    }

    if (rc == EXS_NOMEM) {
        return rc;
    }

    rsp->rv = exch_ems_ec(rc);
    rsp->u.problems.n = 0;

    return EXCH_OK;
}


/* RopProgress, 3.2.5.9: every operation here completes synchronously, so
 * there is never one in progress */

static int
exch_oxcprpt_progress(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    rsp->u.progress.logon_id = req->logon_id;
    rsp->u.progress.completed = 0;
    rsp->u.progress.total = 0;

    return EXCH_OK;
}


/* named properties, 3.2.5.10 - 3.2.5.12 */

static int
exch_oxcprpt_get_property_ids_from_names(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc, create, missing;
    uint16_t         i, n, *ids;
    exs_txn_t       *txn;
    exs_mbox_t      *mb;
    exs_namemap_t   *map;
    exs_propname_t  *names;

    n = req->u.get_property_ids_from_names.n;
    names = req->u.get_property_ids_from_names.names;
    create = (req->u.get_property_ids_from_names.flags & EXCH_NAMES_CREATE)
             != 0;

    ids = exs_calloc(e->a, (n + 1) * sizeof(uint16_t));
    if (ids == NULL) {
        return EXS_NOMEM;
    }

    rc = create ? exch_ems_write_begin(e, &txn) : EXS_OK;

    if (rc == EXS_OK) {
        rc = exch_ems_mbox(e, obj, &mb);
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(create ? exch_ems_write_end(e, rc) : rc);
        return EXCH_OK;
    }

    map = exs_mbox_namemap(mb);
    missing = 0;

    for (i = 0; i < n; i++) {
        if (names[i].kind == MNID_ID
            && memcmp(names[i].guid, PS_MAPI, 16) == 0)
        {
            /* PS_MAPI names are the tagged properties themselves */
            ids[i] = names[i].lid < EXS_NAMED_FIRST ? (uint16_t) names[i].lid
                                                    : 0;
            missing += ids[i] == 0;
            continue;
        }

        rc = map->get_id(map, &names[i], create, &ids[i]);

        if (rc == EXS_NOTFOUND) {
            ids[i] = 0;
            missing++;
            continue;
        }

        if (rc != EXS_OK) {
            break;
        }
    }

    if (create) {
        rc = exch_ems_write_end(e, rc == EXS_NOTFOUND ? EXS_OK : rc);
    }

    if (rc != EXS_OK && rc != EXS_NOTFOUND) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    rsp->rv = missing ? EXCH_EC_WARN_WITH_ERRORS : EXCH_EC_SUCCESS;
    rsp->u.get_property_ids_from_names.n = n;
    rsp->u.get_property_ids_from_names.ids = ids;

    return EXCH_OK;
}


static int
exch_oxcprpt_get_names_from_property_ids(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc;
    uint16_t         i, n, *ids;
    exs_mbox_t      *mb;
    exs_namemap_t   *map;
    exs_propname_t  *names;

    n = req->u.get_names_from_property_ids.n;
    ids = req->u.get_names_from_property_ids.ids;

    rc = exch_ems_mbox(e, obj, &mb);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    map = exs_mbox_namemap(mb);

    names = exs_calloc(e->a, (n + 1) * sizeof(exs_propname_t));
    if (names == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < n; i++) {
        if (ids[i] < EXS_NAMED_FIRST) {
            memcpy(names[i].guid, PS_MAPI, 16);
            names[i].kind = MNID_ID;
            names[i].lid = ids[i];
            continue;
        }

        rc = map->get_name(map, ids[i], &names[i], e->a);

        if (rc == EXS_NOTFOUND) {
            memset(&names[i], 0, sizeof(exs_propname_t));
            names[i].kind = EXCH_MNID_NONE;
            continue;
        }

        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }
    }

    rsp->u.get_names_from_property_ids.n = n;
    rsp->u.get_names_from_property_ids.names = names;

    return EXCH_OK;
}


static int
exch_oxcprpt_query_named_properties(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc;
    uint8_t          flags;
    uint16_t         *ids, n, cap;
    uint32_t         id;
    exs_mbox_t      *mb;
    exs_namemap_t   *map;
    exs_propname_t   name, *names;

    flags = req->u.query_named_properties.flags;

    rc = exch_ems_mbox(e, obj, &mb);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    map = exs_mbox_namemap(mb);
    n = 0;
    cap = 64;
    ids = exs_alloc(e->a, cap * sizeof(uint16_t));
    names = exs_alloc(e->a, cap * sizeof(exs_propname_t));
    if (ids == NULL || names == NULL) {
        return EXS_NOMEM;
    }

    /* the map hands out ids in order from 0x8000 */

    for (id = EXS_NAMED_FIRST; id <= EXS_NAMED_LAST; id++) {
        rc = map->get_name(map, (uint16_t) id, &name, e->a);

        if (rc == EXS_NOTFOUND) {
            break;
        }

        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }

        if ((name.kind == MNID_STRING && (flags & EXCH_QNP_NO_STRINGS))
            || (name.kind == MNID_ID && (flags & EXCH_QNP_NO_IDS))
            || (req->u.query_named_properties.has_guid
                && memcmp(name.guid, req->u.query_named_properties.guid, 16)
                   != 0))
        {
            continue;
        }

        if (n == cap) {
            uint16_t        *ni;
            exs_propname_t  *nn;

            if (cap >= 0x4000) {
                break;
            }

            ni = exs_alloc(e->a, cap * 2 * sizeof(uint16_t));
            nn = exs_alloc(e->a, cap * 2 * sizeof(exs_propname_t));
            if (ni == NULL || nn == NULL) {
                return EXS_NOMEM;
            }

            memcpy(ni, ids, n * sizeof(uint16_t));
            memcpy(nn, names, n * sizeof(exs_propname_t));
            ids = ni;
            names = nn;
            cap *= 2;
        }

        ids[n] = (uint16_t) id;
        names[n] = name;
        n++;
    }

    rsp->u.query_named_properties.n = n;
    rsp->u.query_named_properties.ids = ids;
    rsp->u.query_named_properties.names = names;

    return EXCH_OK;
}


/*
 * Streams (3.2.5.13 - 3.2.5.21).  A stream opened read-only reads its
 * property where it lives; one opened for writing has its data copied
 * into chunks of the state environment, and its new value goes to the
 * object when it is committed or released.  Strings travel as the bytes
 * of their wire form: UTF-16LE or the code page, with their terminator.
 */

static int
exch_oxcprpt_stream_source(exch_ems_t *e, exch_ems_obj_t *s, exs_bin_t *data)
{
    int               rc;
    uint32_t          tag;
    uint16_t          type;
    exs_prop_t       *p;
    exs_props_t       props;
    exch_ems_obj_t   *owner;

    owner = exch_ems_parent(e, s);
    if (owner == NULL) {
        return EXS_NOTFOUND;
    }

    tag = s->u.stream.tag;
    type = PROP_TYPE(tag);

    rc = exch_ems_props_get(e, owner, &tag, 1, &props);
    if (rc != EXS_OK) {
        return rc;
    }

    p = exs_props_get(&props, tag);
    if (p == NULL) {
        return EXS_NOTFOUND;
    }

    switch (type) {

    case PT_UNICODE:
        if (PROP_TYPE(p->tag) != PT_UNICODE) {
            return EXS_NOTFOUND;
        }

        if (exch_utf8_to_utf16(e->a, p->v.str.data, p->v.str.len, 0, data)
            != EXCH_OK)
        {
            return EXS_NOMEM;
        }

        {
            uint8_t  *z;

            z = exs_alloc(e->a, data->len + 2);
            if (z == NULL) {
                return EXS_NOMEM;
            }

            if (data->len) {
                memcpy(z, data->data, data->len);
            }

            z[data->len] = 0;
            z[data->len + 1] = 0;
            data->data = z;
            data->len += 2;
        }

        return EXS_OK;

    case PT_STRING8:
        {
            exs_prop_t  v;

            v = *p;

            if (exch_prop_to_string8(e->a, &v, exch_ems_cpid(e, owner))
                != EXCH_OK)
            {
                return EXS_NOMEM;
            }

            data->data = (const uint8_t *) v.v.str.data;
            data->len = v.v.str.len + 1;
        }

        return EXS_OK;

    default:
        *data = p->v.bin;
        return EXS_OK;
    }
}


static int
exch_oxcprpt_stream_load(exch_ems_t *e, exch_ems_obj_t *s,
    const exs_bin_t *data)
{
    int       rc;
    size_t    off, n;
    uint32_t  chunk;

    for (off = 0, chunk = 0; off < data->len; off += n, chunk++) {
        n = data->len - off;
        if (n > EXCH_EMS_CHUNK) {
            n = EXCH_EMS_CHUNK;
        }

        rc = exch_ems_chunk_put(e, s, chunk, data->data + off, n);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    s->u.stream.size = data->len;
    s->u.stream.flags |= EXCH_EMS_STREAM_LOADED;
    e->s->dirty = 1;

    return EXS_OK;
}


static int
exch_oxcprpt_stream_read(exch_ems_t *e, exch_ems_obj_t *s, uint64_t pos,
    size_t len, uint8_t *out)
{
    int        rc;
    size_t     n, in;
    uint32_t   chunk;
    exs_bin_t  c;

    while (len) {
        chunk = (uint32_t) (pos / EXCH_EMS_CHUNK);
        in = (size_t) (pos % EXCH_EMS_CHUNK);
        n = EXCH_EMS_CHUNK - in;
        if (n > len) {
            n = len;
        }

        rc = exch_ems_chunk_get(e, s, chunk, &c);
        if (rc != EXS_OK) {
            return rc;
        }

        /* a chunk past what was written reads as zeros */
        if (c.len > in) {
            memcpy(out, c.data + in, c.len - in >= n ? n : c.len - in);
            if (c.len - in < n) {
                memset(out + (c.len - in), 0, n - (c.len - in));
            }

        } else {
            memset(out, 0, n);
        }

        out += n;
        pos += n;
        len -= n;
    }

    return EXS_OK;
}


static int
exch_oxcprpt_stream_write(exch_ems_t *e, exch_ems_obj_t *s, uint64_t pos,
    const uint8_t *data, size_t len)
{
    int        rc;
    size_t     n, in, clen;
    uint8_t   *buf;
    uint32_t   chunk;
    exs_bin_t  c;

    buf = exs_alloc(e->a, EXCH_EMS_CHUNK);
    if (buf == NULL) {
        return EXS_NOMEM;
    }

    while (len) {
        chunk = (uint32_t) (pos / EXCH_EMS_CHUNK);
        in = (size_t) (pos % EXCH_EMS_CHUNK);
        n = EXCH_EMS_CHUNK - in;
        if (n > len) {
            n = len;
        }

        clen = 0;

        if (in != 0 || n != EXCH_EMS_CHUNK) {
            rc = exch_ems_chunk_get(e, s, chunk, &c);
            if (rc != EXS_OK) {
                return rc;
            }

            clen = c.len;
            if (clen) {
                memcpy(buf, c.data, clen);
            }
        }

        if (clen < in) {
            memset(buf + clen, 0, in - clen);
        }

        memcpy(buf + in, data, n);

        if (clen < in + n) {
            clen = in + n;
        }

        rc = exch_ems_chunk_put(e, s, chunk, buf, clen);
        if (rc != EXS_OK) {
            return rc;
        }

        data += n;
        pos += n;
        len -= n;
    }

    return EXS_OK;
}


static int
exch_oxcprpt_stream_resize(exch_ems_t *e, exch_ems_obj_t *s, uint64_t size)
{
    int        rc;
    uint32_t   chunk, last;
    exs_bin_t  c;

    if (size > e->conf->max_stream) {
        return EXS_TOOBIG;
    }

    if (size < s->u.stream.size) {
        /* the tail chunk keeps what stays; chunks past it are dropped
         * when the stream goes */
        chunk = (uint32_t) (size / EXCH_EMS_CHUNK);

        rc = exch_ems_chunk_get(e, s, chunk, &c);
        if (rc != EXS_OK) {
            return rc;
        }

        if (c.len > size % EXCH_EMS_CHUNK) {
            rc = exch_ems_chunk_put(e, s, chunk, c.data,
                                    (size_t) (size % EXCH_EMS_CHUNK));
            if (rc != EXS_OK) {
                return rc;
            }
        }

        last = (uint32_t) ((s->u.stream.size + EXCH_EMS_CHUNK - 1)
                           / EXCH_EMS_CHUNK);

        for (chunk++; chunk < last; chunk++) {
            rc = exch_ems_chunk_put(e, s, chunk, NULL, 0);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    /* growing needs nothing: missing bytes read as zeros */

    if (s->u.stream.size < size || s->u.stream.size > size) {
        s->u.stream.size = size;
        s->u.stream.flags |= EXCH_EMS_STREAM_DIRTY;
        e->s->dirty = 1;
    }

    return EXS_OK;
}


/* the stream's data becomes the property's value on its object */

int
exch_ems_stream_commit(exch_ems_t *e, exch_ems_obj_t *s)
{
    int               rc;
    uint8_t          *data;
    size_t            len;
    uint16_t          type, nprob;
    exs_prop_t        p;
    exs_props_t       props;
    exch_ems_obj_t   *owner;
    exch_problem_t   *problems;

    if (!(s->u.stream.flags & EXCH_EMS_STREAM_DIRTY)) {
        return EXS_OK;
    }

    owner = exch_ems_parent(e, s);
    if (owner == NULL) {
        return EXS_NOTFOUND;
    }

    len = (size_t) s->u.stream.size;

    data = exs_alloc(e->a, len + 2);
    if (data == NULL) {
        return EXS_NOMEM;
    }

    rc = exch_oxcprpt_stream_read(e, s, 0, len, data);
    if (rc != EXS_OK) {
        return rc;
    }

    memset(&p, 0, sizeof(exs_prop_t));
    p.tag = s->u.stream.tag;
    type = PROP_TYPE(p.tag);

    switch (type) {

    case PT_UNICODE:
        len &= ~(size_t) 1;

        while (len >= 2 && data[len - 1] == 0 && data[len - 2] == 0) {
            len -= 2;
        }

        if (exch_utf16_to_utf8(e->a, data, len, 0, &p.v.str) != EXCH_OK) {
            return EXS_NOMEM;
        }

        break;

    case PT_STRING8:
        while (len && data[len - 1] == 0) {
            len--;
        }

        data[len] = '\0';
        p.v.str.data = (const char *) data;
        p.v.str.len = len;
        break;

    default:
        p.v.bin.data = data;
        p.v.bin.len = len;
        break;
    }

    props.n = 1;
    props.cap = 1;
    props.v = &p;

    rc = exch_ems_props_set(e, owner, &props, &problems, &nprob);
    if (rc != EXS_OK) {
        return rc;
    }

    if (nprob) {
        return (int) EXS_INVALID;
    }

    s->u.stream.flags &= ~EXCH_EMS_STREAM_DIRTY;
    e->s->dirty = 1;

    return EXS_OK;
}


/*
 * A binary value of a message or an attachment as stored, read by range
 * without the rest of the message (an attachment of many megabytes is
 * read in many small ReadStreams).  EXS_NOTSUP when the value is not
 * simply stored: text (its UTF-16 form is made whole), working copies,
 * embedded messages.
 */

static int
exch_oxcprpt_stream_stored(exch_ems_t *e, exch_ems_obj_t *s, uint64_t off,
    size_t len, exs_bin_t *out, uint64_t *total)
{
    int               rc;
    int32_t           num;
    uint16_t          type;
    exs_mbox_t       *mb;
    exch_ems_obj_t   *owner, *msg;

    type = PROP_TYPE(s->u.stream.tag);

    if (type != PT_BINARY || (s->u.stream.flags & EXCH_EMS_STREAM_LOADED)) {
        return EXS_NOTSUP;
    }

    owner = exch_ems_parent(e, s);
    if (owner == NULL) {
        return EXS_NOTSUP;
    }

    num = -1;
    msg = owner;

    if (owner->type == EXCH_EMS_ATTACH) {
        if (owner->awc
            || (owner->u.attach.flags & (EXCH_EMS_HAS_WC | EXCH_EMS_NEW)))
        {
            return EXS_NOTSUP;
        }

        num = (int32_t) owner->u.attach.num;
        msg = exch_ems_parent(e, owner);
    }

    if (msg == NULL || msg->type != EXCH_EMS_MESSAGE || msg->wc
        || (msg->u.message.flags & (EXCH_EMS_HAS_WC | EXCH_EMS_NEW
                                    | EXCH_EMS_EMBEDDED)))
    {
        return EXS_NOTSUP;
    }

    rc = exch_ems_mbox(e, msg, &mb);
    if (rc != EXS_OK) {
        return rc;
    }

    *total = 0;

    rc = exs_message_read_prop(mb, msg->u.message.mid, num, s->u.stream.tag,
                               off, len, out, total, e->a);

    /* computed values (PR_ENTRYID...) come the usual way */
    return rc == EXS_NOTFOUND || rc == EXS_INVALID ? EXS_NOTSUP : rc;
}


/* every dirty stream opened on obj (a message or an attachment) or
 * below it: before the object is saved */

int
exch_ems_streams_flush(exch_ems_t *e, exch_ems_obj_t *obj)
{
    int              rc;
    uint32_t         i;
    exch_ems_obj_t  *o;

    for (i = 0; i < e->s->nobjs; i++) {
        o = e->s->objs[i];

        if (o->parent != obj->handle) {
            continue;
        }

        if (o->type == EXCH_EMS_STREAM) {
            rc = exch_ems_stream_commit(e, o);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    return EXS_OK;
}


static int
exch_oxcprpt_open_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int               rc;
    uint8_t           mode;
    uint16_t          type;
    uint32_t          tag;
    uint64_t          total;
    exs_bin_t         data;
    exch_ems_obj_t   *s;

    tag = req->u.open_stream.tag;
    mode = req->u.open_stream.flags;
    type = PROP_TYPE(tag);

    switch (obj->type) {
    case EXCH_EMS_FOLDER:
        if (type != PT_BINARY) {
            rsp->rv = EXCH_EC_NOT_SUPPORTED;
            return EXCH_OK;
        }
        break;
    case EXCH_EMS_MESSAGE:
    case EXCH_EMS_ATTACH:
        if (type != PT_BINARY && type != PT_OBJECT && type != PT_STRING8
            && type != PT_UNICODE)
        {
            rsp->rv = EXCH_EC_NOT_SUPPORTED;
            return EXCH_OK;
        }
        break;
    default:
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    if (mode > EXCH_STREAM_BEST_ACCESS) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    if (mode == EXCH_STREAM_BEST_ACCESS) {
        mode = exch_oxcprpt_writable(e, obj) ? EXCH_STREAM_READ_WRITE
                                             : EXCH_STREAM_READ_ONLY;
    }

    if (mode != EXCH_STREAM_READ_ONLY && !exch_oxcprpt_writable(e, obj)) {
        rsp->rv = EXCH_EC_ACCESS_DENIED;
        return EXCH_OK;
    }

    s = exch_ems_obj_new(e, EXCH_EMS_STREAM, obj, req->logon_id);
    if (s == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    e->created = s;
    s->u.stream.tag = tag;
    s->u.stream.mode = mode;

    if (mode == EXCH_STREAM_CREATE) {
        s->u.stream.flags = EXCH_EMS_STREAM_WRITE | EXCH_EMS_STREAM_LOADED
                            | EXCH_EMS_STREAM_DIRTY;
        rsp->u.stream_size.size = 0;
        return EXCH_OK;
    }

    if (mode == EXCH_STREAM_READ_ONLY
        && (rc = exch_oxcprpt_stream_stored(e, s, 0, 0, &data, &total))
           != EXS_NOTSUP)
    {
        /* a stored value: its size only, the data read piece by piece */
        data.len = (size_t) total;

    } else {
        rc = exch_oxcprpt_stream_source(e, s, &data);
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    if (data.len > e->conf->max_stream) {
        rsp->rv = EXCH_EC_TOO_BIG;
        return EXCH_OK;
    }

    s->u.stream.size = data.len;

    if (mode == EXCH_STREAM_READ_WRITE) {
        s->u.stream.flags = EXCH_EMS_STREAM_WRITE;

        rc = exch_oxcprpt_stream_load(e, s, &data);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    rsp->u.stream_size.size = data.len > 0xFFFFFFFF ? 0xFFFFFFFF
                                                    : (uint32_t) data.len;

    return EXCH_OK;
}


static int
exch_oxcprpt_read_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int         rc;
    size_t      want, room;
    uint8_t    *buf;
    uint64_t    total;
    exs_bin_t   data;

    if (obj->type != EXCH_EMS_STREAM) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        rsp->u.read_stream.data.len = 0;
        return EXCH_OK;
    }

    want = req->u.read_stream.byte_count == EXCH_READ_STREAM_MAX
           ? req->u.read_stream.max_byte_count
           : req->u.read_stream.byte_count;

    /* what the output buffer can still take: the ROP header and the data
     * size field leave the rest for the data (MS-OXCPRPT 3.2.5.14: the
     * server may return less than asked) */

    room = e->w->limit > e->w->len + e->w->held + 8
           ? e->w->limit - e->w->len - e->w->held - 8 : 0;

    if (want > room) {
        want = room;
    }

    if (want > 0xFFFF) {
        want = 0xFFFF;
    }

    if (obj->u.stream.pos >= obj->u.stream.size) {
        want = 0;

    } else if (want > obj->u.stream.size - obj->u.stream.pos) {
        want = (size_t) (obj->u.stream.size - obj->u.stream.pos);
    }

    rsp->u.read_stream.data.len = 0;

    if (want == 0) {
        return EXCH_OK;
    }

    if (obj->u.stream.flags & EXCH_EMS_STREAM_LOADED) {
        buf = exs_alloc(e->a, want);
        if (buf == NULL) {
            return EXS_NOMEM;
        }

        rc = exch_oxcprpt_stream_read(e, obj, obj->u.stream.pos, want, buf);
        data.data = buf;

    } else if ((rc = exch_oxcprpt_stream_stored(e, obj, obj->u.stream.pos,
                                                 want, &data, &total))
               != EXS_NOTSUP)
    {
        /* a stored value read in place, only the piece asked for */

        if (rc == EXS_OK && data.len < want) {
            want = data.len;
        }

    } else {
        rc = exch_oxcprpt_stream_source(e, obj, &data);

        if (rc == EXS_OK && obj->u.stream.pos + want > data.len) {
            want = data.len > obj->u.stream.pos
                   ? (size_t) (data.len - obj->u.stream.pos) : 0;
        }

        data.data += obj->u.stream.pos;
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    data.len = want;
    rsp->u.read_stream.data = data;
    obj->u.stream.pos += want;
    e->s->dirty = 1;

    return EXCH_OK;
}


static int
exch_oxcprpt_write_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int               rc;
    uint64_t          end;
    const exs_bin_t  *data;

    rsp->u.write_stream.written = 0;

    if (obj->type != EXCH_EMS_STREAM) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    if (!(obj->u.stream.flags & EXCH_EMS_STREAM_WRITE)) {
        rsp->rv = EXCH_EC_STREAM_ACCESS_DENIED;
        return EXCH_OK;
    }

    data = &req->u.write_stream.data;
    end = obj->u.stream.pos + data->len;

    if (end > e->conf->max_stream) {
        rsp->rv = EXCH_EC_TOO_BIG;
        return EXCH_OK;
    }

    rc = exch_oxcprpt_stream_write(e, obj, obj->u.stream.pos, data->data,
                                   data->len);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    obj->u.stream.pos = end;

    if (end > obj->u.stream.size) {
        obj->u.stream.size = end;
    }

    obj->u.stream.flags |= EXCH_EMS_STREAM_DIRTY;
    e->s->dirty = 1;
    rsp->u.write_stream.written = (uint32_t) data->len;

    return EXCH_OK;
}


static int
exch_oxcprpt_commit_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_STREAM) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    if (!(obj->u.stream.flags & EXCH_EMS_STREAM_WRITE)) {
        /* nothing to commit on a read-only stream */
        return EXCH_OK;
    }

    rsp->rv = exch_ems_ec(exch_ems_stream_commit(e, obj));

    return EXCH_OK;
}


static int
exch_oxcprpt_get_stream_size(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_STREAM) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rsp->u.stream_size.size = obj->u.stream.size > 0xFFFFFFFF
                              ? 0xFFFFFFFF : (uint32_t) obj->u.stream.size;

    return EXCH_OK;
}


static int
exch_oxcprpt_set_stream_size(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int  rc;

    if (obj->type != EXCH_EMS_STREAM) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    if (!(obj->u.stream.flags & EXCH_EMS_STREAM_WRITE)) {
        rsp->rv = EXCH_EC_STREAM_ACCESS_DENIED;
        return EXCH_OK;
    }

    rc = exch_oxcprpt_stream_resize(e, obj, req->u.set_stream_size.size);
    if (rc == EXS_TOOBIG) {
        rsp->rv = EXCH_EC_STREAM_SIZE_ERROR;
        return EXCH_OK;
    }

    rsp->rv = exch_ems_ec(rc);

    return EXCH_OK;
}


static int
exch_oxcprpt_seek_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int       rc;
    int64_t   base, pos;

    if (obj->type != EXCH_EMS_STREAM) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    switch (req->u.seek_stream.origin) {
    case 0:
        base = 0;
        break;
    case 1:
        base = (int64_t) obj->u.stream.pos;
        break;
    case 2:
        base = (int64_t) obj->u.stream.size;
        break;
    default:
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    if ((req->u.seek_stream.offset > 0
         && base > INT64_MAX - req->u.seek_stream.offset)
        || base + req->u.seek_stream.offset < 0)
    {
        rsp->rv = EXCH_EC_STREAM_SEEK_ERROR;
        return EXCH_OK;
    }

    pos = base + req->u.seek_stream.offset;

    if ((uint64_t) pos > obj->u.stream.size) {
        /* seeking past the end extends a writable stream */
        if (!(obj->u.stream.flags & EXCH_EMS_STREAM_WRITE)
            || (uint64_t) pos > e->conf->max_stream)
        {
            rsp->rv = EXCH_EC_STREAM_SEEK_ERROR;
            return EXCH_OK;
        }

        rc = exch_oxcprpt_stream_resize(e, obj, (uint64_t) pos);
        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }
    }

    obj->u.stream.pos = (uint64_t) pos;
    rsp->u.seek_stream.pos = (uint64_t) pos;
    e->s->dirty = 1;

    return EXCH_OK;
}


static int
exch_oxcprpt_copy_to_stream(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int         rc;
    uint8_t    *buf;
    uint64_t    n;
    exs_bin_t   data;

    if (obj->type != EXCH_EMS_STREAM || dst->type != EXCH_EMS_STREAM) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    if (!(dst->u.stream.flags & EXCH_EMS_STREAM_WRITE)) {
        rsp->rv = EXCH_EC_STREAM_ACCESS_DENIED;
        return EXCH_OK;
    }

    n = req->u.copy_to_stream.byte_count;

    if (obj->u.stream.pos >= obj->u.stream.size) {
        n = 0;

    } else if (n > obj->u.stream.size - obj->u.stream.pos) {
        n = obj->u.stream.size - obj->u.stream.pos;
    }

    if (dst->u.stream.pos + n > e->conf->max_stream) {
        rsp->rv = EXCH_EC_TOO_BIG;
        return EXCH_OK;
    }

    if (n) {
        if (obj->u.stream.flags & EXCH_EMS_STREAM_LOADED) {
            buf = exs_alloc(e->a, (size_t) n);
            if (buf == NULL) {
                return EXS_NOMEM;
            }

            rc = exch_oxcprpt_stream_read(e, obj, obj->u.stream.pos,
                                          (size_t) n, buf);
            data.data = buf;

        } else {
            rc = exch_oxcprpt_stream_source(e, obj, &data);
            data.data += obj->u.stream.pos;
        }

        if (rc == EXS_OK) {
            rc = exch_oxcprpt_stream_write(e, dst, dst->u.stream.pos,
                                           data.data, (size_t) n);
        }

        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }

        obj->u.stream.pos += n;
        dst->u.stream.pos += n;

        if (dst->u.stream.pos > dst->u.stream.size) {
            dst->u.stream.size = dst->u.stream.pos;
        }

        dst->u.stream.flags |= EXCH_EMS_STREAM_DIRTY;
        e->s->dirty = 1;
    }

    rsp->u.copy_to_stream.read = n;
    rsp->u.copy_to_stream.written = n;

    return EXCH_OK;
}


static int
exch_oxcprpt_not_implemented(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    rsp->rv = EXCH_EC_NOT_IMPLEMENTED;

    return EXCH_OK;
}
