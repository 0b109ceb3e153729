
/*
 * exch: message and attachment ROPs, MS-OXCMSG 3.2.5.  An open message
 * reads through to the store until it is changed; its first change
 * makes a working copy (in the state environment, exch_emsmdb_state.c)
 * that RopSaveChangesMessage writes to the store.  An attachment has a
 * working copy of its own while it is changed, merged into its message's
 * by RopSaveChangesAttachment; an embedded message's goes into its
 * attachment's when saved.
 */


#include <string.h>
#include <strings.h>

#include "exch_emsmdb.h"


/* OpenModeFlags of RopOpenMessage, 2.2.3.1.1 */
#define EXCH_OPEN_READ_WRITE        0x01
#define EXCH_OPEN_BEST_ACCESS       0x03
#define EXCH_OPEN_SOFT_DELETED      0x04

/* RopOpenEmbeddedMessage OpenModeFlags, 2.2.3.16.1 */
#define EXCH_EMBEDDED_CREATE        0x02

/* SaveFlags, 2.2.3.3.1 */
#define EXCH_SAVE_KEEP_OPEN_READ_ONLY   0x01
#define EXCH_SAVE_KEEP_OPEN_READ_WRITE  0x02
#define EXCH_SAVE_FORCE                 0x04

/* ReadFlags of RopSetReadFlags / RopSetMessageReadFlag, 2.2.3.10.1 */
#define EXCH_READ_SUPPRESS_RECEIPT  0x01
#define EXCH_READ_CLEAR_READ_FLAG   0x04
#define EXCH_READ_GENERATE_RECEIPT  0x10
#define EXCH_READ_CLEAR_NOTIFY_READ 0x20
#define EXCH_READ_CLEAR_NOTIFY_UNREAD  0x40

/* rights, MS-OXCPERM 2.2.7 */
#define EXCH_RIGHT_READ_ANY         0x00000001
#define EXCH_RIGHT_CREATE           0x00000002
#define EXCH_RIGHT_EDIT_OWNED       0x00000008
#define EXCH_RIGHT_EDIT_ANY         0x00000020

#define EXCH_ATTACH_EMBEDDED_MSG    5

#define EXCH_MAPI_MESSAGE           5
#define EXCH_MAPI_ATTACH            7

/* PR_ACCESS bits, MS-OXCPRPT 2.2.1.1 */
#define EXCH_ACCESS_MODIFY          0x01
#define EXCH_ACCESS_READ            0x02
#define EXCH_ACCESS_DELETE          0x04


static int exch_oxcmsg_mbox_msg(exch_ems_t *e, exch_ems_obj_t *obj,
    exs_mbox_t **mb);
static int exch_oxcmsg_copy(exch_ems_t *e, const exs_msg_t *src,
    exs_msg_t **dst);
static int exch_oxcmsg_attach_copy(exch_ems_t *e, const exs_attach_t *src,
    exs_attach_t **dst);
static exs_attach_t *exch_oxcmsg_find_attach(exs_msg_t *msg, uint32_t num);
static int exch_oxcmsg_computed(exch_ems_t *e, exch_ems_obj_t *obj,
    exs_msg_t *msg, exs_props_t *out);
static int exch_oxcmsg_filter(exch_ems_t *e, const exs_props_t *all,
    const uint32_t *tags, uint32_t ntags, exs_props_t *out);
static int exch_oxcmsg_defaults(exch_ems_t *e, exs_msg_t *msg,
    uint16_t cpid, int associated);
static int exch_oxcmsg_may_write(exch_ems_t *e, exs_mbox_t *mb,
    exch_ems_obj_t *logon, exs_id_t fid);
static int exch_oxcmsg_rcpt_cols(exch_ems_t *e, const exs_msg_t *msg,
    exch_tags_t *cols);
static int exch_oxcmsg_rcpt_row(exch_ems_t *e, const exs_props_t *r,
    const exch_tags_t *cols, exch_rsp_rcpt_t *out);
static int exch_oxcmsg_row_bag(exch_ems_t *e, const exch_modrcpt_t *m,
    uint32_t cpid, exs_props_t *bag);
static int exch_oxcmsg_open_response(exch_ems_t *e, exch_ems_obj_t *msgobj,
    exch_rsp_open_message_t *om);
static int exch_oxcmsg_next_attach(exch_ems_t *e, exch_ems_obj_t *msgobj,
    uint32_t *num);

static int exch_oxcmsg_open_message(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcmsg_create_message(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcmsg_save_changes_message(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcmsg_remove_all_recipients(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcmsg_modify_recipients(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcmsg_read_recipients(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcmsg_reload_cached_information(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcmsg_set_message_status(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcmsg_get_message_status(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcmsg_set_read_flags(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcmsg_set_message_read_flag(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcmsg_open_attachment(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcmsg_create_attachment(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcmsg_delete_attachment(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcmsg_save_changes_attachment(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcmsg_open_embedded_message(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcmsg_get_valid_attachments(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);


exch_ems_rop_pt
exch_oxcmsg_handler(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_OPEN_MESSAGE:
        return exch_oxcmsg_open_message;
    case EXCH_ROP_CREATE_MESSAGE:
        return exch_oxcmsg_create_message;
    case EXCH_ROP_SAVE_CHANGES_MESSAGE:
        return exch_oxcmsg_save_changes_message;
    case EXCH_ROP_REMOVE_ALL_RECIPIENTS:
        return exch_oxcmsg_remove_all_recipients;
    case EXCH_ROP_MODIFY_RECIPIENTS:
        return exch_oxcmsg_modify_recipients;
    case EXCH_ROP_READ_RECIPIENTS:
        return exch_oxcmsg_read_recipients;
    case EXCH_ROP_RELOAD_CACHED_INFORMATION:
        return exch_oxcmsg_reload_cached_information;
    case EXCH_ROP_SET_MESSAGE_STATUS:
        return exch_oxcmsg_set_message_status;
    case EXCH_ROP_GET_MESSAGE_STATUS:
        return exch_oxcmsg_get_message_status;
    case EXCH_ROP_SET_READ_FLAGS:
        return exch_oxcmsg_set_read_flags;
    case EXCH_ROP_SET_MESSAGE_READ_FLAG:
        return exch_oxcmsg_set_message_read_flag;
    case EXCH_ROP_OPEN_ATTACHMENT:
        return exch_oxcmsg_open_attachment;
    case EXCH_ROP_CREATE_ATTACHMENT:
        return exch_oxcmsg_create_attachment;
    case EXCH_ROP_DELETE_ATTACHMENT:
        return exch_oxcmsg_delete_attachment;
    case EXCH_ROP_SAVE_CHANGES_ATTACHMENT:
        return exch_oxcmsg_save_changes_attachment;
    case EXCH_ROP_OPEN_EMBEDDED_MESSAGE:
        return exch_oxcmsg_open_embedded_message;
    case EXCH_ROP_GET_VALID_ATTACHMENTS:
        return exch_oxcmsg_get_valid_attachments;
    default:
        return NULL;
    }
}


/* views and working copies */

static int
exch_oxcmsg_mbox_msg(exch_ems_t *e, exch_ems_obj_t *obj, exs_mbox_t **mb)
{
    return exch_ems_mbox(e, obj, mb);
}


/* a deep copy, through the working copy encoding */

static int
exch_oxcmsg_copy(exch_ems_t *e, const exs_msg_t *src, exs_msg_t **dst)
{
    exch_wr_t   w;
    exch_rd_t   r;
    exs_msg_t  *m;

    if (exch_wr_init_grow(&w, e->a, 4096, (size_t) 1 << 31) != EXCH_OK
        || exch_ems_msg_encode(&w, src) != EXCH_OK)
    {
        return EXS_NOMEM;
    }

    m = exs_msg_create(e->a);
    if (m == NULL) {
        return EXS_NOMEM;
    }

    exch_rd_init(&r, w.buf, w.len, e->a, 0);

    if (exch_ems_msg_decode(&r, m, 0) != EXCH_OK) {
        return EXS_NOMEM;
    }

    *dst = m;

    return EXS_OK;
}


static int
exch_oxcmsg_attach_copy(exch_ems_t *e, const exs_attach_t *src,
    exs_attach_t **dst)
{
    int            rc;
    exs_attach_t  *a;

    a = exs_calloc(e->a, sizeof(exs_attach_t));
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_props_copy(e->a, &a->props, &src->props);
    if (rc != EXS_OK) {
        return rc;
    }

    if (src->embedded) {
        rc = exch_oxcmsg_copy(e, src->embedded, &a->embedded);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    *dst = a;

    return EXS_OK;
}


static exs_attach_t *
exch_oxcmsg_find_attach(exs_msg_t *msg, uint32_t num)
{
    uint32_t     i;
    exs_prop_t  *p;

    for (i = 0; i < msg->natts; i++) {
        p = exs_props_get(&msg->atts[i].props, PR_ATTACH_NUM);

        if (p && (uint32_t) p->v.l == num) {
            return &msg->atts[i];
        }
    }

    return NULL;
}


int
exch_ems_msg_view(exch_ems_t *e, exch_ems_obj_t *obj, unsigned what,
    exs_msg_t **out)
{
    int              rc;
    exs_mbox_t      *mb;
    exs_attach_t    *att;
    exch_ems_obj_t  *parent;

    if (obj->type != EXCH_EMS_MESSAGE) {
        return EXS_INVALID;
    }

    if (obj->wc) {
        *out = obj->wc;
        return EXS_OK;
    }

    if (obj->u.message.flags & EXCH_EMS_HAS_WC) {
        rc = exch_ems_wc_load(e, obj);
        if (rc != EXS_OK) {
            return rc;
        }

        *out = obj->wc;
        return EXS_OK;
    }

    if (obj->u.message.flags & EXCH_EMS_EMBEDDED) {
        parent = exch_ems_parent(e, obj);
        if (parent == NULL) {
            return EXS_NOTFOUND;
        }

        rc = exch_ems_attach_view(e, parent, &att);
        if (rc != EXS_OK) {
            return rc;
        }

        if (att->embedded == NULL) {
            return EXS_NOTFOUND;
        }

        *out = att->embedded;
        return EXS_OK;
    }

    rc = exch_oxcmsg_mbox_msg(e, obj, &mb);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_message_read(mb, obj->u.message.mid, what, out, e->a);
}


int
exch_ems_msg_edit(exch_ems_t *e, exch_ems_obj_t *obj, exs_msg_t **out)
{
    int         rc;
    exs_msg_t  *view;

    if (!(obj->u.message.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW))) {
        return EXS_DENIED;
    }

    if (obj->wc == NULL && (obj->u.message.flags & EXCH_EMS_HAS_WC)) {
        rc = exch_ems_wc_load(e, obj);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    if (obj->wc == NULL) {
        rc = exch_ems_msg_view(e, obj, EXS_READ_ALL, &view);
        if (rc != EXS_OK) {
            return rc;
        }

        rc = exch_oxcmsg_copy(e, view, &obj->wc);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    obj->wc_dirty = 1;
    *out = obj->wc;

    return EXS_OK;
}


int
exch_ems_attach_view(exch_ems_t *e, exch_ems_obj_t *att, exs_attach_t **out)
{
    int              rc;
    exs_msg_t       *msg;
    exs_attach_t    *a;
    exch_ems_obj_t  *parent;

    if (att->awc) {
        *out = att->awc;
        return EXS_OK;
    }

    if (att->u.attach.flags & EXCH_EMS_HAS_WC) {
        rc = exch_ems_wc_load(e, att);
        if (rc != EXS_OK) {
            return rc;
        }

        *out = att->awc;
        return EXS_OK;
    }

    parent = exch_ems_parent(e, att);
    if (parent == NULL || parent->type != EXCH_EMS_MESSAGE) {
        return EXS_NOTFOUND;
    }

    rc = exch_ems_msg_view(e, parent, EXS_READ_ALL, &msg);
    if (rc != EXS_OK) {
        return rc;
    }

    a = exch_oxcmsg_find_attach(msg, att->u.attach.num);
    if (a == NULL) {
        return EXS_NOTFOUND;
    }

    *out = a;

    return EXS_OK;
}


int
exch_ems_attach_edit(exch_ems_t *e, exch_ems_obj_t *att, exs_attach_t **out)
{
    int              rc;
    exs_attach_t    *view;
    exch_ems_obj_t  *parent;

    parent = exch_ems_parent(e, att);

    if (!(att->u.attach.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW))
        || parent == NULL
        || !(parent->u.message.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW)))
    {
        return EXS_DENIED;
    }

    if (att->awc == NULL) {
        rc = exch_ems_attach_view(e, att, &view);
        if (rc != EXS_OK) {
            return rc;
        }

        if (att->awc == NULL) {
            rc = exch_oxcmsg_attach_copy(e, view, &att->awc);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    att->wc_dirty = 1;
    *out = att->awc;

    return EXS_OK;
}


/* the properties the store computes, for a working copy */

static int
exch_oxcmsg_computed(exch_ems_t *e, exch_ems_obj_t *obj, exs_msg_t *msg,
    exs_props_t *out)
{
    int           rc;
    char         *s[3];
    size_t        len[3], size;
    uint32_t      i, j, type, flags, access;
    exs_prop_t   *p, *name;

    memset(out, 0, sizeof(exs_props_t));

    rc = exs_props_copy(e->a, out, &msg->props);
    if (rc != EXS_OK) {
        return rc;
    }

    /* PR_DISPLAY_TO, _CC, _BCC: the recipients' names by type */

    for (j = 0; j < 3; j++) {
        len[j] = 0;
        for (i = 0; i < msg->nrcpts; i++) {
            p = exs_props_get(&msg->rcpts[i].props, PR_RECIPIENT_TYPE);
            name = exs_props_get(&msg->rcpts[i].props, PR_DISPLAY_NAME);
            type = p ? (uint32_t) p->v.l & 0x0F : 1;

            if (type == j + 1 && name) {
                len[j] += name->v.str.len + 2;
            }
        }

        s[j] = exs_alloc(e->a, len[j] + 1);
        if (s[j] == NULL) {
            return EXS_NOMEM;
        }

        len[j] = 0;

        for (i = 0; i < msg->nrcpts; i++) {
            p = exs_props_get(&msg->rcpts[i].props, PR_RECIPIENT_TYPE);
            name = exs_props_get(&msg->rcpts[i].props, PR_DISPLAY_NAME);
            type = p ? (uint32_t) p->v.l & 0x0F : 1;

            if (type != j + 1 || name == NULL) {
                continue;
            }

            if (len[j]) {
                memcpy(s[j] + len[j], "; ", 2);
                len[j] += 2;
            }

            memcpy(s[j] + len[j], name->v.str.data, name->v.str.len);
            len[j] += name->v.str.len;
        }

        s[j][len[j]] = '\0';
    }

    rc = exs_props_set_str(e->a, out, PR_DISPLAY_TO, s[0], len[0]);
    if (rc == EXS_OK) {
        rc = exs_props_set_str(e->a, out, PR_DISPLAY_CC, s[1], len[1]);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_str(e->a, out, PR_DISPLAY_BCC, s[2], len[2]);
    }

    p = exs_props_get(&msg->props, PR_MESSAGE_FLAGS);
    flags = p ? (uint32_t) p->v.l : 0;
    flags &= ~MSGFLAG_HASATTACH;

    if (msg->natts) {
        flags |= MSGFLAG_HASATTACH;
    }

    if (obj->u.message.flags & EXCH_EMS_ASSOCIATED) {
        flags |= MSGFLAG_ASSOCIATED;
    }

    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, out, PR_MESSAGE_FLAGS, (int32_t) flags);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_bool(e->a, out, PR_HASATTACH, msg->natts != 0);
    }

    /* an estimate: the values' sizes */
    size = 0;
    for (i = 0; i < msg->props.n; i++) {
        switch (PROP_TYPE(msg->props.v[i].tag)) {
        case PT_UNICODE:
        case PT_STRING8:
            size += msg->props.v[i].v.str.len;
            break;
        case PT_BINARY:
            size += msg->props.v[i].v.bin.len;
            break;
        default:
            size += 8;
        }
    }

    for (i = 0; i < msg->natts; i++) {
        p = exs_props_get(&msg->atts[i].props, PR_ATTACH_DATA_BIN);
        size += p ? p->v.bin.len : 0;
    }

    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, out, PR_MESSAGE_SIZE,
                                size > INT32_MAX ? INT32_MAX : (int32_t) size);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_i8(e->a, out, PR_MESSAGE_SIZE_EXTENDED,
                              (int64_t) size);
    }

    access = EXCH_ACCESS_READ;
    if (obj->u.message.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW)) {
        access |= EXCH_ACCESS_MODIFY | EXCH_ACCESS_DELETE;
    }

    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, out, PR_ACCESS, (int32_t) access);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, out, PR_ACCESS_LEVEL,
                                (access & EXCH_ACCESS_MODIFY) ? 1 : 0);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, out, PR_OBJECT_TYPE,
                                EXCH_MAPI_MESSAGE);
    }

    return rc;
}


static int
exch_oxcmsg_filter(exch_ems_t *e, const exs_props_t *all,
    const uint32_t *tags, uint32_t ntags, exs_props_t *out)
{
    int          rc;
    uint32_t     i;
    exs_prop_t  *p;

    if (ntags == 0) {
        *out = *all;
        return EXS_OK;
    }

    out->n = 0;
    out->cap = 0;
    out->v = NULL;

    for (i = 0; i < ntags; i++) {
        p = exs_props_get(all, tags[i]);

        if (p && exs_props_get(out, p->tag) == NULL) {
            rc = exs_props_set(e->a, out, p);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    return EXS_OK;
}


int
exch_ems_msg_props(exch_ems_t *e, exch_ems_obj_t *obj, const uint32_t *tags,
    uint32_t ntags, exs_props_t *out)
{
    int           rc;
    exs_msg_t    *msg;
    exs_mbox_t   *mb;
    exs_props_t   all;

    if (obj->wc == NULL && !(obj->u.message.flags & EXCH_EMS_HAS_WC)
        && !(obj->u.message.flags & EXCH_EMS_EMBEDDED))
    {
        /* a stored message: the store computes what it computes */
        rc = exch_oxcmsg_mbox_msg(e, obj, &mb);
        if (rc != EXS_OK) {
            return rc;
        }

        return exs_message_get(mb, obj->u.message.mid, tags, ntags, out,
                               e->a);
    }

    rc = exch_ems_msg_view(e, obj, EXS_READ_ALL, &msg);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exch_oxcmsg_computed(e, obj, msg, &all);
    if (rc != EXS_OK) {
        return rc;
    }

    return exch_oxcmsg_filter(e, &all, tags, ntags, out);
}


int
exch_ems_attach_props(exch_ems_t *e, exch_ems_obj_t *obj,
    const uint32_t *tags, uint32_t ntags, exs_props_t *out)
{
    int            rc;
    size_t         size;
    uint32_t       i, access;
    uint8_t       *key;
    exs_attach_t  *att;
    exs_props_t    all;

    rc = exch_ems_attach_view(e, obj, &att);
    if (rc != EXS_OK) {
        return rc;
    }

    memset(&all, 0, sizeof(exs_props_t));

    rc = exs_props_copy(e->a, &all, &att->props);
    if (rc != EXS_OK) {
        return rc;
    }

    size = 0;
    for (i = 0; i < att->props.n; i++) {
        switch (PROP_TYPE(att->props.v[i].tag)) {
        case PT_UNICODE:
        case PT_STRING8:
            size += att->props.v[i].v.str.len;
            break;
        case PT_BINARY:
        case PT_OBJECT:
            size += att->props.v[i].v.bin.len;
            break;
        default:
            size += 8;
        }
    }

    key = exs_alloc(e->a, 4);
    if (key == NULL) {
        return EXS_NOMEM;
    }

    exch_put32(key, obj->u.attach.num);

    access = EXCH_ACCESS_READ;
    if (obj->u.attach.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW)) {
        access |= EXCH_ACCESS_MODIFY | EXCH_ACCESS_DELETE;
    }

    rc = exs_props_set_long(e->a, &all, PR_ATTACH_NUM,
                            (int32_t) obj->u.attach.num);
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, &all, PR_ATTACH_SIZE,
                                size > INT32_MAX ? INT32_MAX
                                                 : (int32_t) size);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, &all, PR_OBJECT_TYPE,
                                EXCH_MAPI_ATTACH);
    }
    if (rc == EXS_OK && exs_props_get(&all, PR_RECORD_KEY) == NULL) {
        rc = exs_props_set_bin(e->a, &all, PR_RECORD_KEY, key, 4);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, &all, PR_ACCESS, (int32_t) access);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, &all, PR_ACCESS_LEVEL,
                                (access & EXCH_ACCESS_MODIFY) ? 1 : 0);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    return exch_oxcmsg_filter(e, &all, tags, ntags, out);
}


/* what a new message has before the client sets anything (3.2.5.2) */

static int
exch_oxcmsg_defaults(exch_ems_t *e, exs_msg_t *msg, uint16_t cpid,
    int associated)
{
    int         rc;
    int64_t     now;
    uint32_t    flags;
    exs_bin_t   eid;

    now = exs_filetime_now();
    flags = MSGFLAG_UNSENT | MSGFLAG_READ
            | (associated ? MSGFLAG_ASSOCIATED : 0);

    rc = exs_props_set_str(e->a, &msg->props, PR_MESSAGE_CLASS, "IPM.Note",
                           8);
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, &msg->props, PR_IMPORTANCE, 1);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, &msg->props, PR_SENSITIVITY, 0);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, &msg->props, PR_MESSAGE_FLAGS,
                                (int32_t) flags);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, &msg->props, PR_TRUST_SENDER, 1);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_i8(e->a, &msg->props, PR_CREATION_TIME, now);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_i8(e->a, &msg->props, PR_LAST_MODIFICATION_TIME,
                              now);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, &msg->props, PR_MESSAGE_LOCALE_ID,
                                (int32_t) e->s->lcid_string);
    }
    if (rc == EXS_OK && cpid && cpid != 0x0FFF) {
        rc = exs_props_set_long(e->a, &msg->props, PR_MESSAGE_CODEPAGE,
                                cpid);
    }
    if (rc == EXS_OK && e->user->name) {
        rc = exs_props_set_str(e->a, &msg->props, PR_CREATOR_NAME,
                               e->user->name, strlen(e->user->name));
    }
    if (rc == EXS_OK && e->user->legacy_dn) {
        rc = exch_ems_ab_entryid(e->a, e->user->legacy_dn, 0, &eid);
        if (rc == EXS_OK) {
            rc = exs_props_set_bin(e->a, &msg->props, PR_CREATOR_ENTRYID,
                                   eid.data, eid.len);
        }
    }

    return rc;
}


/* whether the acting user may change messages of a folder */

static int
exch_oxcmsg_may_write(exch_ems_t *e, exs_mbox_t *mb, exch_ems_obj_t *logon,
    exs_id_t fid)
{
    uint32_t  rights;

    if (logon->u.logon.owner == e->user->id) {
        return 1;
    }

    if (exs_folder_rights(mb, fid, &rights) != EXS_OK) {
        return 0;
    }

    return (rights & (EXCH_RIGHT_EDIT_ANY | EXCH_RIGHT_EDIT_OWNED)) != 0;
}


/* recipient rows (MS-OXCDATA 2.8.3.2) */

static int
exch_oxcmsg_fixed_rcpt_tag(uint32_t tag)
{
    switch (PROP_ID(tag)) {
    case 0x3000:    /* PR_ROWID */
    case 0x0C15:    /* PR_RECIPIENT_TYPE */
    case 0x3001:    /* PR_DISPLAY_NAME */
    case 0x3002:    /* PR_ADDRTYPE */
    case 0x3003:    /* PR_EMAIL_ADDRESS */
    case 0x3A20:    /* PR_TRANSMITABLE_DISPLAY_NAME */
    case 0x39FF:    /* PR_7BIT_DISPLAY_NAME */
    case 0x3A40:    /* PR_SEND_RICH_INFO */
        return 1;
    default:
        return 0;
    }
}


static int
exch_oxcmsg_rcpt_cols(exch_ems_t *e, const exs_msg_t *msg,
    exch_tags_t *cols)
{
    uint32_t  i, j, k, n, tag;

    n = 0;
    for (i = 0; i < msg->nrcpts; i++) {
        n += msg->rcpts[i].props.n;
    }

    cols->n = 0;
    cols->tags = exs_alloc(e->a, (n + 1) * sizeof(uint32_t));
    if (cols->tags == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < msg->nrcpts; i++) {
        for (j = 0; j < msg->rcpts[i].props.n; j++) {
            tag = msg->rcpts[i].props.v[j].tag;

            if (exch_oxcmsg_fixed_rcpt_tag(tag)
                || PROP_TYPE(tag) == PT_ERROR)
            {
                continue;
            }

            for (k = 0; k < cols->n; k++) {
                if (PROP_ID(cols->tags[k]) == PROP_ID(tag)) {
                    break;
                }
            }

            if (k == cols->n && cols->n < 0x7FFF) {
                cols->tags[cols->n++] = tag;
            }
        }
    }

    return EXS_OK;
}


static int
exch_oxcmsg_rcpt_row(exch_ems_t *e, const exs_props_t *r,
    const exch_tags_t *cols, exch_rsp_rcpt_t *out)
{
    exs_prop_t       *p;
    exch_rcpt_row_t  *row;
    const char       *addrtype;

    memset(out, 0, sizeof(exch_rsp_rcpt_t));
    row = &out->row;

    p = exs_props_get(r, PR_ROWID);
    out->row_id = p ? (uint32_t) p->v.l : 0;
    p = exs_props_get(r, PR_RECIPIENT_TYPE);
    out->type = p ? (uint8_t) p->v.l : 1;
    out->cpid = 1200;

    row->flags = EXCH_RCPT_U;

    p = exs_props_get(r, PR_ADDRTYPE);
    addrtype = p ? p->v.str.data : "";

    if (strcasecmp(addrtype, "EX") == 0) {
        row->flags |= EXCH_RCPT_TYPE_X500DN;
        p = exs_props_get(r, PR_EMAIL_ADDRESS);
        row->x500dn.data = p ? p->v.str.data : "";
        row->x500dn.len = p ? p->v.str.len : 0;
        p = exs_props_get(r, PR_DISPLAY_TYPE);
        row->display_type = p ? (uint8_t) p->v.l : 0;

    } else {
        if (strcasecmp(addrtype, "SMTP") == 0) {
            row->flags |= EXCH_RCPT_TYPE_SMTP;

        } else if (p) {
            row->flags |= EXCH_RCPT_O;
            row->address_type.data = p->v.str.data;
            row->address_type.len = p->v.str.len;
        }

        p = exs_props_get(r, PR_EMAIL_ADDRESS);
        if (p) {
            row->flags |= EXCH_RCPT_E;
            row->email = p->v.str;
        }
    }

    p = exs_props_get(r, PR_DISPLAY_NAME);
    if (p) {
        row->flags |= EXCH_RCPT_D;
        row->display_name = p->v.str;
    }

    p = exs_props_get(r, PR_TRANSMITABLE_DISPLAY_NAME);
    if (p && PROP_TYPE(p->tag) == PT_UNICODE) {
        row->flags |= EXCH_RCPT_T;
        row->transmittable_name = p->v.str;
    }

    p = exs_props_get(r, PR_SEND_RICH_INFO);
    if (p && !p->v.b) {
        row->flags |= EXCH_RCPT_S;
    }

    row->ncols = (uint16_t) cols->n;
    row->props = *r;

    return EXS_OK;
}


/* a ModifyRecipients row as a recipient bag */

static int
exch_oxcmsg_row_bag(exch_ems_t *e, const exch_modrcpt_t *m, uint32_t cpid,
    exs_props_t *bag)
{
    int                     rc;
    char                   *dn;
    size_t                  plen;
    uint16_t                type;
    uint32_t                i;
    exs_bin_t               eid;
    exs_prop_t              v;
    exs_str_t               s;
    const char             *at, *prefix, *q;
    const exch_rcpt_row_t  *row;

    row = &m->row;
    bag->n = 0;
    bag->cap = 0;
    bag->v = NULL;

    /* the columns first: the fixed fields below override them */

    for (i = 0; i < row->props.n; i++) {
        v = row->props.v[i];

        if (PROP_TYPE(v.tag) == PT_ERROR || PROP_TYPE(v.tag) == PT_NULL) {
            continue;
        }

        if ((PROP_TYPE(v.tag) & ~PT_MV) == PT_STRING8
            && exch_prop_to_unicode(e->a, &v, cpid) != EXCH_OK)
        {
            continue;
        }

        rc = exs_props_set(e->a, bag, &v);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    rc = exs_props_set_long(e->a, bag, PR_ROWID, (int32_t) m->row_id);
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, bag, PR_RECIPIENT_TYPE, m->type);
    }

    if (rc != EXS_OK) {
        return rc;
    }

#define EXCH_ROW_STR(field, tag)                                              \
    if (row->flags & EXCH_RCPT_U) {                                           \
        s = row->field;                                                       \
    } else if (exch_str8_to_utf8(e->a, cpid, row->field.data, row->field.len, \
                                 &s) != EXCH_OK)                              \
    {                                                                         \
        return EXS_INVALID;                                                   \
    }                                                                         \
    rc = exs_props_set_str(e->a, bag, tag, s.data, s.len);                    \
    if (rc != EXS_OK) {                                                       \
        return rc;                                                            \
    }

    if (row->flags & EXCH_RCPT_D) {
        EXCH_ROW_STR(display_name, PR_DISPLAY_NAME)
    }

    if (row->flags & EXCH_RCPT_T) {
        EXCH_ROW_STR(transmittable_name, PR_TRANSMITABLE_DISPLAY_NAME)
    }

    if (row->flags & EXCH_RCPT_I) {
        EXCH_ROW_STR(simple_name, PROP_CHANGE_TYPE(PR_7BIT_DISPLAY_NAME,
                                                   PT_UNICODE))
    }

    if (row->flags & EXCH_RCPT_E) {
        EXCH_ROW_STR(email, PR_EMAIL_ADDRESS)
    }

#undef EXCH_ROW_STR

    rc = exs_props_set_bool(e->a, bag, PR_SEND_RICH_INFO,
                            !(row->flags & EXCH_RCPT_S));
    if (rc != EXS_OK) {
        return rc;
    }

    type = row->flags & EXCH_RCPT_TYPE_MASK;
    at = NULL;

    switch (type) {

    case EXCH_RCPT_TYPE_X500DN:
        /* PrefixUsed characters of the DN prefix of Connect go first */
        prefix = e->user->legacy_dn ? e->user->legacy_dn : "";
        q = strstr(prefix, "/cn=");
        plen = q ? (size_t) (q - prefix) : strlen(prefix);

        if (row->prefix_used > plen) {
            return EXS_INVALID;
        }

        dn = exs_alloc(e->a, row->prefix_used + row->x500dn.len + 1);
        if (dn == NULL) {
            return EXS_NOMEM;
        }

        memcpy(dn, prefix, row->prefix_used);
        memcpy(dn + row->prefix_used, row->x500dn.data, row->x500dn.len);
        dn[row->prefix_used + row->x500dn.len] = '\0';

        rc = exs_props_set_str(e->a, bag, PR_EMAIL_ADDRESS, dn,
                               row->prefix_used + row->x500dn.len);
        if (rc == EXS_OK) {
            rc = exs_props_set_long(e->a, bag, PR_DISPLAY_TYPE,
                                    row->display_type);
        }

        if (rc == EXS_OK && exs_props_get(bag, PR_ENTRYID) == NULL) {
            rc = exch_ems_ab_entryid(e->a, dn, row->display_type, &eid);
            if (rc == EXS_OK) {
                rc = exs_props_set_bin(e->a, bag, PR_ENTRYID, eid.data,
                                       eid.len);
            }
        }

        if (rc != EXS_OK) {
            return rc;
        }

        at = "EX";
        break;

    case EXCH_RCPT_TYPE_MSMAIL:
        at = "MSMAIL";
        break;
    case EXCH_RCPT_TYPE_SMTP:
        at = "SMTP";
        break;
    case EXCH_RCPT_TYPE_FAX:
        at = "FAX";
        break;
    case EXCH_RCPT_TYPE_PROFESSIONALOFFICESYSTEM:
        at = "PROFS";
        break;

    case EXCH_RCPT_TYPE_PERSONALDL1:
    case EXCH_RCPT_TYPE_PERSONALDL2:
        at = "MAPIPDL";
        rc = exs_props_set_bin(e->a, bag, PR_ENTRYID, row->entry_id.data,
                               row->entry_id.len);
        if (rc == EXS_OK) {
            rc = exs_props_set_bin(e->a, bag, PR_SEARCH_KEY,
                                   row->search_key.data,
                                   row->search_key.len);
        }
        if (rc != EXS_OK) {
            return rc;
        }
        break;

    default:
        if (row->flags & EXCH_RCPT_O) {
            rc = exs_props_set_str(e->a, bag, PR_ADDRTYPE,
                                   row->address_type.data,
                                   row->address_type.len);
            if (rc != EXS_OK) {
                return rc;
            }
        }
        break;
    }

    if (at) {
        rc = exs_props_set_str(e->a, bag, PR_ADDRTYPE, at, strlen(at));
    }

    return rc;
}


/* OpenMessage's, OpenEmbeddedMessage's and ReloadCachedInformation's
 * common part */

static int
exch_oxcmsg_open_response(exch_ems_t *e, exch_ems_obj_t *msgobj,
    exch_rsp_open_message_t *om)
{
    int               rc;
    uint32_t          i;
    exs_msg_t        *msg;
    exs_prop_t       *p;
    exch_rsp_rcpt_t  *rows;

    rc = exch_ems_msg_view(e, msgobj, EXS_READ_PROPS | EXS_READ_RCPTS,
                           &msg);
    if (rc != EXS_OK) {
        return rc;
    }

    om->has_named_properties = 0;

    for (i = 0; i < msg->props.n; i++) {
        if (PROP_ID(msg->props.v[i].tag) >= EXS_NAMED_FIRST) {
            om->has_named_properties = 1;
            break;
        }
    }

    om->subject_prefix.type = EXCH_TSTR_NONE;
    om->normalized_subject.type = EXCH_TSTR_NONE;

    p = exs_props_get(&msg->props, PR_SUBJECT_PREFIX);
    if (p && PROP_TYPE(p->tag) == PT_UNICODE) {
        om->subject_prefix.type = 0xFF;
        om->subject_prefix.s = p->v.str;
    }

    p = exs_props_get(&msg->props, PR_NORMALIZED_SUBJECT);
    if (p == NULL && om->subject_prefix.type == EXCH_TSTR_NONE) {
        p = exs_props_get(&msg->props, PR_SUBJECT);
    }

    if (p && PROP_TYPE(p->tag) == PT_UNICODE) {
        om->normalized_subject.type = 0xFF;
        om->normalized_subject.s = p->v.str;
    }

    om->recipient_count = msg->nrcpts > 0xFFFF ? 0xFFFF
                                               : (uint16_t) msg->nrcpts;

    rc = exch_oxcmsg_rcpt_cols(e, msg, &om->cols);
    if (rc != EXS_OK) {
        return rc;
    }

    rows = exs_calloc(e->a, (msg->nrcpts + 1) * sizeof(exch_rsp_rcpt_t));
    if (rows == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < msg->nrcpts && i < 0xFF; i++) {
        rc = exch_oxcmsg_rcpt_row(e, &msg->rcpts[i].props, &om->cols,
                                  &rows[i]);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    om->nrows = (uint8_t) i;
    om->rows = rows;

    return EXS_OK;
}


/* RopOpenMessage, 3.2.5.1 */

static int
exch_oxcmsg_open_message(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int               rc, writable;
    uint8_t           mode;
    exs_id_t          fid, mid;
    exs_mbox_t       *mb;
    exch_ems_obj_t   *logon, *m;
    exs_msg_info_t    info;

    if (obj->type != EXCH_EMS_LOGON && obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    logon = exch_ems_logon_of(e, obj);
    fid = exch_ems_id(req->u.open_message.fid);
    mid = exch_ems_id(req->u.open_message.mid);
    mode = req->u.open_message.flags;

    if (logon == NULL || mid == 0) {
        rsp->rv = logon ? EXCH_EC_NOT_FOUND : EXCH_EC_NULL_OBJECT;
        return EXCH_OK;
    }

    rc = exch_ems_mbox(e, obj, &mb);
    if (rc == EXS_OK) {
        rc = exs_message_info(mb, mid, &info);
    }

    if (rc == EXS_OK
        && ((info.deleted && !(mode & EXCH_OPEN_SOFT_DELETED))
            || (fid && info.fid != fid)))
    {
        rc = EXS_NOTFOUND;
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    writable = exch_oxcmsg_may_write(e, mb, logon, info.fid);

    if ((mode & 0x03) == EXCH_OPEN_READ_WRITE && !writable) {
        rsp->rv = EXCH_EC_ACCESS_DENIED;
        return EXCH_OK;
    }

    m = exch_ems_obj_new(e, EXCH_EMS_MESSAGE, obj, req->logon_id);
    if (m == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    e->created = m;
    m->u.message.fid = info.fid;
    m->u.message.mid = mid;
    m->u.message.cpid = req->u.open_message.cpid;

    if (info.associated) {
        m->u.message.flags |= EXCH_EMS_ASSOCIATED;
    }

    if (((mode & 0x03) == EXCH_OPEN_READ_WRITE
         || (mode & 0x03) == EXCH_OPEN_BEST_ACCESS) && writable)
    {
        m->u.message.flags |= EXCH_EMS_WRITE;
    }

    rc = exch_oxcmsg_open_response(e, m, &rsp->u.open_message);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return rc == EXS_NOMEM ? rc : EXCH_OK;
    }

    return EXCH_OK;
}


/* RopCreateMessage, 3.2.5.2 */

static int
exch_oxcmsg_create_message(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                 rc;
    uint32_t            rights;
    exs_id_t            fid;
    exs_mbox_t         *mb;
    exch_ems_obj_t     *logon, *m;
    exs_folder_info_t   info;

    if (obj->type != EXCH_EMS_LOGON && obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    logon = exch_ems_logon_of(e, obj);
    fid = exch_ems_id(req->u.create_message.fid);

    if (logon == NULL) {
        rsp->rv = EXCH_EC_NULL_OBJECT;
        return EXCH_OK;
    }

    rc = exch_ems_mbox(e, obj, &mb);
    if (rc == EXS_OK) {
        rc = exs_folder_info(mb, fid, &info);
    }

    if (rc == EXS_OK && logon->u.logon.owner != e->user->id) {
        rc = exs_folder_rights(mb, fid, &rights);
        if (rc == EXS_OK && !(rights & EXCH_RIGHT_CREATE)) {
            rc = EXS_DENIED;
        }
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    if (info.type == EXS_FOLDER_SEARCH) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    m = exch_ems_obj_new(e, EXCH_EMS_MESSAGE, obj, req->logon_id);
    if (m == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    e->created = m;
    m->u.message.fid = fid;
    m->u.message.cpid = req->u.create_message.cpid;
    m->u.message.flags = EXCH_EMS_NEW | EXCH_EMS_WRITE
                         | (req->u.create_message.associated
                            ? EXCH_EMS_ASSOCIATED : 0);

    m->wc = exs_msg_create(e->a);
    if (m->wc == NULL) {
        return EXS_NOMEM;
    }

    rc = exch_oxcmsg_defaults(e, m->wc, req->u.create_message.cpid,
                              req->u.create_message.associated);
    if (rc != EXS_OK) {
        return rc;
    }

    m->wc_dirty = 1;
    rsp->u.create_message.has_mid = 0;

    return EXCH_OK;
}


/* RopSaveChangesMessage, 3.2.5.3 */

static int
exch_oxcmsg_save_changes_message(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int               rc;
    uint8_t           flags;
    exs_id_t          mid;
    exs_msg_t        *msg, *copy;
    exs_txn_t        *txn;
    exs_mbox_t       *mb;
    exs_attach_t     *att;
    exch_ems_obj_t   *parent;

    rsp->u.save_changes_message.in_index = req->in_index;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    flags = req->u.save_changes.flags;

    if (!(obj->u.message.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW))) {
        rsp->rv = EXCH_EC_ACCESS_DENIED;
        return EXCH_OK;
    }

    rc = exch_ems_streams_flush(e, obj);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    rc = exch_ems_msg_view(e, obj, EXS_READ_ALL, &msg);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    if (obj->u.message.flags & EXCH_EMS_EMBEDDED) {
        /* into the attachment's working copy; the attachment and its
         * message are saved by their own ROPs */
        parent = exch_ems_parent(e, obj);
        if (parent == NULL) {
            rsp->rv = EXCH_EC_NULL_OBJECT;
            return EXCH_OK;
        }

        rc = exch_oxcmsg_copy(e, msg, &copy);
        if (rc == EXS_OK) {
            rc = exch_ems_attach_edit(e, parent, &att);
        }

        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }

        att->embedded = copy;
        rc = exs_props_set_long(e->a, &att->props, PR_ATTACH_METHOD,
                                EXCH_ATTACH_EMBEDDED_MSG);
        if (rc != EXS_OK) {
            return rc;
        }

        obj->u.message.flags &= ~EXCH_EMS_NEW;
        rsp->u.save_changes_message.mid = 0;
        e->s->dirty = 1;

        goto kept;
    }

    if (obj->wc == NULL && !(obj->u.message.flags & EXCH_EMS_HAS_WC)) {
        /* nothing changed */
        rsp->u.save_changes_message.mid = exch_ems_eid(obj->u.message.mid);
        goto kept;
    }

    rc = exch_ems_write_begin(e, &txn);
    if (rc == EXS_OK) {
        rc = exch_oxcmsg_mbox_msg(e, obj, &mb);
    }

    if (rc == EXS_OK) {
        if (obj->u.message.flags & EXCH_EMS_NEW) {
            rc = exs_message_create(mb, obj->u.message.fid, msg,
                                    (obj->u.message.flags
                                     & EXCH_EMS_ASSOCIATED)
                                    ? EXS_MSG_ASSOCIATED : 0, &mid);

        } else {
            mid = obj->u.message.mid;
            rc = exs_message_save(mb, mid, msg, NULL);
        }
    }

    rc = exch_ems_write_end(e, rc);

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    obj->u.message.mid = mid;
    obj->u.message.flags &= ~EXCH_EMS_NEW;
    exch_ems_wc_drop(e, obj);
    e->s->dirty = 1;

    rsp->u.save_changes_message.mid = exch_ems_eid(mid);

kept:

    if (flags & EXCH_SAVE_KEEP_OPEN_READ_ONLY) {
        obj->u.message.flags &= ~EXCH_EMS_WRITE;
        e->s->dirty = 1;
    }

    return EXCH_OK;
}


static int
exch_oxcmsg_remove_all_recipients(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int         rc;
    exs_msg_t  *msg;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_msg_edit(e, obj, &msg);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    msg->nrcpts = 0;

    return EXCH_OK;
}


/* RopModifyRecipients, 3.2.5.5 */

static int
exch_oxcmsg_modify_recipients(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc;
    uint16_t         i;
    uint32_t         j, cpid;
    exs_msg_t       *msg;
    exs_prop_t      *p;
    exs_rcpt_t      *r;
    exs_props_t      bag;
    exch_modrcpt_t  *m;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    /* columns of recipient rows may not be of these types (3.2.5.5) */
    for (i = 0; i < req->u.modify_recipients.cols.n; i++) {
        switch (PROP_TYPE(req->u.modify_recipients.cols.tags[i])) {
        case PT_UNSPECIFIED:
        case PT_OBJECT:
        case PT_ERROR:
            rsp->rv = EXCH_EC_INVALID_PARAM;
            return EXCH_OK;
        }
    }

    rc = exch_ems_msg_edit(e, obj, &msg);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    cpid = exch_ems_cpid(e, obj);

    for (i = 0; i < req->u.modify_recipients.n; i++) {
        m = &req->u.modify_recipients.rows[i];

        for (j = 0; j < msg->nrcpts; j++) {
            p = exs_props_get(&msg->rcpts[j].props, PR_ROWID);
            if (p && (uint32_t) p->v.l == m->row_id) {
                break;
            }
        }

        if (!m->has_row) {
            if (j < msg->nrcpts) {
                memmove(&msg->rcpts[j], &msg->rcpts[j + 1],
                        (msg->nrcpts - j - 1) * sizeof(exs_rcpt_t));
                msg->nrcpts--;
            }

            continue;
        }

        rc = exch_oxcmsg_row_bag(e, m, cpid, &bag);
        if (rc == EXS_NOMEM) {
            return rc;
        }

        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }

        if (j < msg->nrcpts) {
            msg->rcpts[j].props = bag;
            continue;
        }

        r = exs_msg_add_rcpt(e->a, msg);
        if (r == NULL) {
            return EXS_NOMEM;
        }

        r->props = bag;
    }

    return EXCH_OK;
}


/* RopReadRecipients, 3.2.5.6: from the row id on, what fits */

static int
exch_oxcmsg_read_recipients(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int               rc;
    uint32_t          i, n;
    exs_msg_t        *msg;
    exs_prop_t       *p;
    exch_rsp_rcpt_t  *rows;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_msg_view(e, obj, EXS_READ_PROPS | EXS_READ_RCPTS, &msg);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    rc = exch_oxcmsg_rcpt_cols(e, msg, &rsp->u.read_recipients.cols);
    if (rc != EXS_OK) {
        return rc;
    }

    rows = exs_calloc(e->a, (msg->nrcpts + 1) * sizeof(exch_rsp_rcpt_t));
    if (rows == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0, n = 0; i < msg->nrcpts && n < 0xFF; i++) {
        p = exs_props_get(&msg->rcpts[i].props, PR_ROWID);

        if ((p ? (uint32_t) p->v.l : i) < req->u.read_recipients.row_id) {
            continue;
        }

        rc = exch_oxcmsg_rcpt_row(e, &msg->rcpts[i].props,
                                  &rsp->u.read_recipients.cols, &rows[n]);
        if (rc != EXS_OK) {
            return rc;
        }

        rows[n].row_id = p ? (uint32_t) p->v.l : i;
        n++;
    }

    if (n == 0) {
        rsp->rv = EXCH_EC_NOT_FOUND;
        return EXCH_OK;
    }

    rsp->u.read_recipients.nrows = (uint8_t) n;
    rsp->u.read_recipients.rows = rows;

    return EXCH_OK;
}


static int
exch_oxcmsg_reload_cached_information(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int  rc;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_oxcmsg_open_response(e, obj, &rsp->u.open_message);
    if (rc == EXS_NOMEM) {
        return rc;
    }

    rsp->rv = exch_ems_ec(rc);

    return EXCH_OK;
}


/* RopSetMessageStatus, RopGetMessageStatus: 3.2.5.8, 3.2.5.9 */

static int
exch_oxcmsg_set_message_status(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int           rc;
    uint32_t      tag, old, mask;
    exs_id_t      mid;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_prop_t   *p;
    exs_props_t   props;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    mid = exch_ems_id(req->u.set_message_status.mid);
    mask = req->u.set_message_status.mask;
    tag = PR_MESSAGE_STATUS;

    rc = exch_ems_write_begin(e, &txn);
    if (rc == EXS_OK) {
        rc = exch_ems_mbox(e, obj, &mb);
    }

    if (rc == EXS_OK) {
        rc = exs_message_get(mb, mid, &tag, 1, &props, e->a);
    }

    if (rc == EXS_OK) {
        p = exs_props_get(&props, PR_MESSAGE_STATUS);
        old = p ? (uint32_t) p->v.l : 0;

        props.n = 0;
        props.cap = 0;
        props.v = NULL;

        rc = exs_props_set_long(e->a, &props, PR_MESSAGE_STATUS,
                                (int32_t) ((old & ~mask)
                                           | (req->u.set_message_status.status
                                              & mask)));
        if (rc == EXS_OK) {
            rc = exs_message_set(mb, mid, &props);
        }

        rsp->u.message_status.status = old;
    }

    rsp->rv = exch_ems_ec(exch_ems_write_end(e, rc));

    return EXCH_OK;
}


static int
exch_oxcmsg_get_message_status(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int           rc;
    uint32_t      tag;
    exs_mbox_t   *mb;
    exs_prop_t   *p;
    exs_props_t   props;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    tag = PR_MESSAGE_STATUS;

    rc = exch_ems_mbox(e, obj, &mb);
    if (rc == EXS_OK) {
        rc = exs_message_get(mb, exch_ems_id(req->u.get_message_status.id),
                             &tag, 1, &props, e->a);
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    p = exs_props_get(&props, PR_MESSAGE_STATUS);
    rsp->u.message_status.status = p ? (uint32_t) p->v.l : 0;

    return EXCH_OK;
}


/* RopSetReadFlags, 3.2.5.11: every message of the list, partly done when
 * some fail */

static int
exch_oxcmsg_set_read_flags(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int           rc, read, failed;
    uint8_t       flags;
    uint16_t      i;
    exs_id_t      mid, fid;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    flags = req->u.set_read_flags.flags;

    if (flags & (EXCH_READ_GENERATE_RECEIPT | EXCH_READ_CLEAR_NOTIFY_READ
                 | EXCH_READ_CLEAR_NOTIFY_UNREAD))
    {
        /* read receipts only: the read state stays */
        rsp->u.partial.partial = 0;
        return EXCH_OK;
    }

    read = !(flags & EXCH_READ_CLEAR_READ_FLAG);
    failed = 0;

    rc = exch_ems_write_begin(e, &txn);
    if (rc == EXS_OK) {
        rc = exch_ems_mbox(e, obj, &mb);
    }

    for (i = 0; rc == EXS_OK && i < req->u.set_read_flags.mids.n; i++) {
        mid = exch_ems_id(req->u.set_read_flags.mids.ids[i]);

        if (mid == 0 || exs_message_parent(mb, mid, &fid) != EXS_OK
            || fid != obj->u.folder.fid
            || exs_message_set_read(mb, mid, read) != EXS_OK)
        {
            failed = 1;
        }
    }

    rc = exch_ems_write_end(e, rc);

    rsp->rv = exch_ems_ec(rc);
    rsp->u.partial.partial = (uint8_t) failed;

    return EXCH_OK;
}


/* RopSetMessageReadFlag, 3.2.5.10 */

static int
exch_oxcmsg_set_message_read_flag(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc, read, was;
    uint32_t         flags;
    exs_msg_t       *msg;
    exs_txn_t       *txn;
    exs_prop_t      *p;
    exs_mbox_t      *mb;
    exs_msg_info_t   info;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rsp->u.set_message_read_flag.changed = 0;
    rsp->u.set_message_read_flag.logon_id = req->logon_id;

    if (req->u.set_message_read_flag.flags
        & (EXCH_READ_GENERATE_RECEIPT | EXCH_READ_CLEAR_NOTIFY_READ
           | EXCH_READ_CLEAR_NOTIFY_UNREAD))
    {
        return EXCH_OK;
    }

    read = !(req->u.set_message_read_flag.flags & EXCH_READ_CLEAR_READ_FLAG);

    if (obj->wc || (obj->u.message.flags & (EXCH_EMS_HAS_WC | EXCH_EMS_NEW
                                            | EXCH_EMS_EMBEDDED)))
    {
        rc = exch_ems_msg_view(e, obj, EXS_READ_ALL, &msg);
        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }

        p = exs_props_get(&msg->props, PR_MESSAGE_FLAGS);
        flags = p ? (uint32_t) p->v.l : 0;
        was = (flags & MSGFLAG_READ) != 0;

        if (was != read) {
            /* the read flag changes without the write access the other
             * changes need */
            if (obj->wc == NULL) {
                rc = exch_ems_wc_load(e, obj);
                if (rc != EXS_OK && !(obj->u.message.flags
                                      & EXCH_EMS_EMBEDDED))
                {
                    rsp->rv = exch_ems_ec(rc);
                    return EXCH_OK;
                }
            }

            if (obj->wc) {
                flags = read ? (flags | MSGFLAG_READ) : (flags & ~MSGFLAG_READ);
                rc = exs_props_set_long(e->a, &obj->wc->props,
                                        PR_MESSAGE_FLAGS, (int32_t) flags);
                if (rc != EXS_OK) {
                    return rc;
                }

                obj->wc_dirty = 1;
                rsp->u.set_message_read_flag.changed = 1;
            }
        }

        if (obj->u.message.flags & (EXCH_EMS_NEW | EXCH_EMS_EMBEDDED)) {
            return EXCH_OK;
        }
    }

    rc = exch_ems_write_begin(e, &txn);
    if (rc == EXS_OK) {
        rc = exch_ems_mbox(e, obj, &mb);
    }

    if (rc == EXS_OK) {
        rc = exs_message_info(mb, obj->u.message.mid, &info);
    }

    if (rc == EXS_OK) {
        was = (info.flags & MSGFLAG_READ) != 0;

        if (was != read) {
            rc = exs_message_set_read(mb, obj->u.message.mid, read);
            rsp->u.set_message_read_flag.changed = 1;
        }
    }

    rc = exch_ems_write_end(e, rc);

    if (rc != EXS_OK) {
        rsp->u.set_message_read_flag.changed = 0;
    }

    rsp->rv = exch_ems_ec(rc);

    return EXCH_OK;
}


/* attachments, 3.2.5.12 - 3.2.5.17 */

static int
exch_oxcmsg_next_attach(exch_ems_t *e, exch_ems_obj_t *msgobj,
    uint32_t *num)
{
    int          rc;
    uint32_t     i, next;
    exs_msg_t   *msg;
    exs_prop_t  *p;

    rc = exch_ems_msg_view(e, msgobj, EXS_READ_PROPS | EXS_READ_ATTACH,
                           &msg);
    if (rc != EXS_OK) {
        return rc;
    }

    next = 0;

    for (i = 0; i < msg->natts; i++) {
        p = exs_props_get(&msg->atts[i].props, PR_ATTACH_NUM);
        if (p && (uint32_t) p->v.l >= next) {
            next = (uint32_t) p->v.l + 1;
        }
    }

    /* and the new ones not saved yet */
    for (i = 0; i < e->s->nobjs; i++) {
        if (e->s->objs[i]->type == EXCH_EMS_ATTACH
            && e->s->objs[i]->parent == msgobj->handle
            && e->s->objs[i]->u.attach.num >= next)
        {
            next = e->s->objs[i]->u.attach.num + 1;
        }
    }

    *num = next;

    return EXS_OK;
}


static int
exch_oxcmsg_open_attachment(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc;
    uint8_t          mode;
    exs_msg_t       *msg;
    exch_ems_obj_t  *a;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    mode = req->u.open_attachment.flags & 0x03;

    if (mode == EXCH_OPEN_READ_WRITE
        && !(obj->u.message.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW)))
    {
        rsp->rv = EXCH_EC_ACCESS_DENIED;
        return EXCH_OK;
    }

    rc = exch_ems_msg_view(e, obj, EXS_READ_PROPS | EXS_READ_ATTACH, &msg);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    if (exch_oxcmsg_find_attach(msg, req->u.open_attachment.attach_id)
        == NULL)
    {
        rsp->rv = EXCH_EC_NOT_FOUND;
        return EXCH_OK;
    }

    a = exch_ems_obj_new(e, EXCH_EMS_ATTACH, obj, req->logon_id);
    if (a == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    e->created = a;
    a->u.attach.num = req->u.open_attachment.attach_id;

    if (mode != 0 && (obj->u.message.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW))) {
        a->u.attach.flags |= EXCH_EMS_WRITE;
    }

    return EXCH_OK;
}


static int
exch_oxcmsg_create_attachment(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc;
    uint32_t         num;
    exch_ems_obj_t  *a;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    if (!(obj->u.message.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW))) {
        rsp->rv = EXCH_EC_ACCESS_DENIED;
        return EXCH_OK;
    }

    rc = exch_oxcmsg_next_attach(e, obj, &num);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    a = exch_ems_obj_new(e, EXCH_EMS_ATTACH, obj, req->logon_id);
    if (a == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    e->created = a;
    a->u.attach.num = num;
    a->u.attach.flags = EXCH_EMS_NEW | EXCH_EMS_WRITE;

    a->awc = exs_calloc(e->a, sizeof(exs_attach_t));
    if (a->awc == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_props_set_long(e->a, &a->awc->props, PR_ATTACH_NUM,
                            (int32_t) num);
    if (rc == EXS_OK) {
        rc = exs_props_set_long(e->a, &a->awc->props, PR_RENDERING_POSITION,
                                -1);
    }
    if (rc == EXS_OK) {
        rc = exs_props_set_i8(e->a, &a->awc->props, PR_CREATION_TIME,
                              exs_filetime_now());
    }

    if (rc != EXS_OK) {
        return rc;
    }

    a->wc_dirty = 1;
    rsp->u.create_attachment.attach_id = num;

    return EXCH_OK;
}


static int
exch_oxcmsg_delete_attachment(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int            rc;
    uint32_t       i;
    exs_msg_t     *msg;
    exs_attach_t  *a;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_msg_edit(e, obj, &msg);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    a = exch_oxcmsg_find_attach(msg, req->u.delete_attachment.attach_id);
    if (a == NULL) {
        rsp->rv = EXCH_EC_NOT_FOUND;
        return EXCH_OK;
    }

    i = (uint32_t) (a - msg->atts);
    memmove(&msg->atts[i], &msg->atts[i + 1],
            (msg->natts - i - 1) * sizeof(exs_attach_t));
    msg->natts--;

    return EXCH_OK;
}


static int
exch_oxcmsg_save_changes_attachment(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc;
    exs_msg_t       *msg;
    exs_attach_t    *a, *copy;
    exch_ems_obj_t  *parent;

    if (obj->type != EXCH_EMS_ATTACH) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    if (!(obj->u.attach.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW))) {
        rsp->rv = EXCH_EC_ACCESS_DENIED;
        return EXCH_OK;
    }

    rc = exch_ems_streams_flush(e, obj);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    if (obj->awc == NULL && (obj->u.attach.flags & EXCH_EMS_HAS_WC)) {
        rc = exch_ems_wc_load(e, obj);
        if (rc != EXS_OK) {
            rsp->rv = exch_ems_ec(rc);
            return EXCH_OK;
        }
    }

    if (obj->awc == NULL) {
        /* no change */
        return EXCH_OK;
    }

    parent = exch_ems_parent(e, obj);
    if (parent == NULL) {
        rsp->rv = EXCH_EC_NULL_OBJECT;
        return EXCH_OK;
    }

    rc = exch_ems_msg_edit(e, parent, &msg);
    if (rc == EXS_OK) {
        rc = exch_oxcmsg_attach_copy(e, obj->awc, &copy);
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    a = exch_oxcmsg_find_attach(msg, obj->u.attach.num);

    if (a == NULL) {
        a = exs_msg_add_attach(e->a, msg);
        if (a == NULL) {
            return EXS_NOMEM;
        }
    }

    *a = *copy;

    rc = exs_props_set_long(e->a, &a->props, PR_ATTACH_NUM,
                            (int32_t) obj->u.attach.num);
    if (rc != EXS_OK) {
        return rc;
    }

    obj->u.attach.flags &= ~EXCH_EMS_NEW;
    exch_ems_wc_drop(e, obj);
    e->s->dirty = 1;

    return EXCH_OK;
}


/* RopOpenEmbeddedMessage, 3.2.5.16 */

static int
exch_oxcmsg_open_embedded_message(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc, create, writable;
    uint8_t          mode;
    exs_attach_t    *att;
    exch_ems_obj_t  *m, *msgobj;

    if (obj->type != EXCH_EMS_ATTACH) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    mode = req->u.open_embedded_message.flags;
    msgobj = exch_ems_parent(e, obj);
    writable = (obj->u.attach.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW))
               && msgobj
               && (msgobj->u.message.flags & (EXCH_EMS_WRITE | EXCH_EMS_NEW));

    if ((mode & (EXCH_OPEN_READ_WRITE | EXCH_EMBEDDED_CREATE)) && !writable) {
        rsp->rv = EXCH_EC_ACCESS_DENIED;
        return EXCH_OK;
    }

    rc = exch_ems_attach_view(e, obj, &att);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    create = att->embedded == NULL;

    if (create && !(mode & EXCH_EMBEDDED_CREATE)) {
        rsp->rv = EXCH_EC_NOT_FOUND;
        return EXCH_OK;
    }

    m = exch_ems_obj_new(e, EXCH_EMS_MESSAGE, obj, req->logon_id);
    if (m == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    e->created = m;
    m->u.message.cpid = req->u.open_embedded_message.cpid;
    m->u.message.flags = EXCH_EMS_EMBEDDED;
    m->u.message.attach_num = obj->u.attach.num;

    if (msgobj) {
        m->u.message.fid = msgobj->u.message.fid;
    }

    if (mode & (EXCH_OPEN_READ_WRITE | EXCH_EMBEDDED_CREATE)) {
        m->u.message.flags |= EXCH_EMS_WRITE;
    }

    if (create) {
        m->u.message.flags |= EXCH_EMS_NEW;
        m->wc = exs_msg_create(e->a);
        if (m->wc == NULL) {
            return EXS_NOMEM;
        }

        rc = exch_oxcmsg_defaults(e, m->wc, req->u.open_embedded_message.cpid,
                                  0);
        if (rc != EXS_OK) {
            return rc;
        }

        m->wc_dirty = 1;
    }

    rsp->u.open_message.reserved = 0;
    rsp->u.open_message.mid = 0;

    rc = exch_oxcmsg_open_response(e, m, &rsp->u.open_message);
    if (rc == EXS_NOMEM) {
        return rc;
    }

    rsp->rv = exch_ems_ec(rc);

    return EXCH_OK;
}


static int
exch_oxcmsg_get_valid_attachments(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int          rc;
    uint32_t     i, *ids;
    exs_msg_t   *msg;
    exs_prop_t  *p;

    if (obj->type != EXCH_EMS_MESSAGE) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_msg_view(e, obj, EXS_READ_PROPS | EXS_READ_ATTACH, &msg);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    ids = exs_alloc(e->a, (msg->natts + 1) * sizeof(uint32_t));
    if (ids == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < msg->natts && i < 0xFFFF; i++) {
        p = exs_props_get(&msg->atts[i].props, PR_ATTACH_NUM);
        ids[i] = p ? (uint32_t) p->v.l : i;
    }

    rsp->u.get_valid_attachments.n = (uint16_t) i;
    rsp->u.get_valid_attachments.ids = ids;

    return EXCH_OK;
}
