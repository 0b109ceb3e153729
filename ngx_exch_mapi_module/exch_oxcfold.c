
/*
 * exch: folder ROPs, MS-OXCFOLD 3.2.5: opening, creating, deleting,
 * moving, copying and emptying folders, deleting and moving messages,
 * and search folder criteria.  (The hierarchy and contents tables are in
 * exch_oxctabl.c.)
 */


#include <string.h>

#include "exch_emsmdb.h"


/* CreateFolder FolderType */
#define EXCH_FOLDER_GENERIC         1
#define EXCH_FOLDER_SEARCH          2

/* OpenFolder OpenModeFlags */
#define EXCH_OPEN_SOFT_DELETED      0x04

/* DeleteFolderFlags, 2.2.1.3.1 */
#define EXCH_DEL_MESSAGES           0x01
#define EXCH_DEL_FOLDERS            0x04
#define EXCH_DELETE_HARD_DELETE     0x10

/* SearchFlags of SetSearchCriteria, 2.2.1.4.1 */
#define EXCH_SEARCH_STOP            0x00000001
#define EXCH_SEARCH_RESTART         0x00000002
#define EXCH_SEARCH_RECURSIVE       0x00000004
#define EXCH_SEARCH_SHALLOW         0x00000008

/* SearchFlags of GetSearchCriteria, 2.2.1.5.2 */
#define EXCH_SEARCH_RUNNING         0x00000001
#define EXCH_SEARCH_REBUILD         0x00000002
#define EXCH_SEARCH_COMPLETE        0x00001000
#define EXCH_SEARCH_STATIC          0x00010000

#define EXCH_RIGHT_CREATE_SUB       0x00000080


static int exch_oxcfold_mbox(exch_ems_t *e, exch_ems_obj_t *obj,
    exs_mbox_t **mb, int write);
static int exch_oxcfold_child(exs_mbox_t *mb, exs_id_t parent, exs_id_t fid);
static int exch_oxcfold_copy_across(exch_ems_t *e, exs_mbox_t *src,
    exs_mbox_t *dst, exs_id_t mid, exs_id_t fid, int move);

static int exch_oxcfold_open_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcfold_create_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcfold_delete_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcfold_move_copy_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcfold_empty_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcfold_delete_messages(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcfold_move_copy_messages(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcfold_set_search_criteria(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcfold_get_search_criteria(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);


exch_ems_rop_pt
exch_oxcfold_handler(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_OPEN_FOLDER:
        return exch_oxcfold_open_folder;
    case EXCH_ROP_CREATE_FOLDER:
        return exch_oxcfold_create_folder;
    case EXCH_ROP_DELETE_FOLDER:
        return exch_oxcfold_delete_folder;
    case EXCH_ROP_MOVE_FOLDER:
    case EXCH_ROP_COPY_FOLDER:
        return exch_oxcfold_move_copy_folder;
    case EXCH_ROP_EMPTY_FOLDER:
    case EXCH_ROP_HARD_DELETE_MESSAGES_AND_SUBFOLDERS:
        return exch_oxcfold_empty_folder;
    case EXCH_ROP_DELETE_MESSAGES:
    case EXCH_ROP_HARD_DELETE_MESSAGES:
        return exch_oxcfold_delete_messages;
    case EXCH_ROP_MOVE_COPY_MESSAGES:
        return exch_oxcfold_move_copy_messages;
    case EXCH_ROP_SET_SEARCH_CRITERIA:
        return exch_oxcfold_set_search_criteria;
    case EXCH_ROP_GET_SEARCH_CRITERIA:
        return exch_oxcfold_get_search_criteria;
    default:
        return NULL;
    }
}


static int
exch_oxcfold_mbox(exch_ems_t *e, exch_ems_obj_t *obj, exs_mbox_t **mb,
    int write)
{
    int         rc;
    exs_txn_t  *txn;

    if (write) {
        rc = exch_ems_write_begin(e, &txn);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return exch_ems_mbox(e, obj, mb);
}


static int
exch_oxcfold_child(exs_mbox_t *mb, exs_id_t parent, exs_id_t fid)
{
    int       rc;
    exs_id_t  p;

    rc = exs_folder_parent(mb, fid, &p);
    if (rc != EXS_OK) {
        return rc;
    }

    return p == parent ? EXS_OK : EXS_NOTFOUND;
}


/* RopOpenFolder, 3.2.5.1 */

static int
exch_oxcfold_open_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                 rc;
    uint32_t            rights;
    exs_id_t            fid;
    exs_mbox_t         *mb;
    exch_ems_obj_t     *logon, *f;
    exs_folder_info_t   info;

    if (obj->type != EXCH_EMS_LOGON && obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    logon = exch_ems_logon_of(e, obj);
    fid = exch_ems_id(req->u.open_folder.fid);

    if (logon == NULL) {
        rsp->rv = EXCH_EC_NULL_OBJECT;
        return EXCH_OK;
    }

    rc = exch_ems_mbox(e, obj, &mb);
    if (rc == EXS_OK) {
        rc = fid ? exs_folder_info(mb, fid, &info) : EXS_NOTFOUND;
    }

    if (rc == EXS_OK && info.deleted
        && !(req->u.open_folder.flags & EXCH_OPEN_SOFT_DELETED))
    {
        rc = EXS_NOTFOUND;
    }

    if (rc == EXS_OK && logon->u.logon.owner != e->user->id) {
        rc = exs_folder_rights(mb, fid, &rights);
        if (rc == EXS_OK && rights == 0) {
            rc = EXS_DENIED;
        }
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    f = exch_ems_obj_new(e, EXCH_EMS_FOLDER, obj, req->logon_id);
    if (f == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    e->created = f;
    f->u.folder.fid = fid;

    rsp->u.open_folder.has_rules = (uint8_t)
                                   exch_ems_folder_has_rules(e, mb, fid);
    rsp->u.open_folder.is_ghosted = 0;

    return EXCH_OK;
}


/* RopCreateFolder, 3.2.5.2 */

static int
exch_oxcfold_create_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc, existed;
    uint8_t          type;
    exs_id_t         fid, parent;
    exs_str_t        name, comment;
    exs_mbox_t      *mb;
    exs_props_t      props;
    exch_ems_obj_t  *f;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    type = req->u.create_folder.type;

    if (type != EXCH_FOLDER_GENERIC && type != EXCH_FOLDER_SEARCH) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    name = req->u.create_folder.name;
    comment = req->u.create_folder.comment;

    if (!req->u.create_folder.unicode) {
        if (exch_str8_to_utf8(e->a, e->s->cpid, name.data, name.len, &name)
            != EXCH_OK
            || exch_str8_to_utf8(e->a, e->s->cpid, comment.data, comment.len,
                                 &comment) != EXCH_OK)
        {
            rsp->rv = EXCH_EC_INVALID_PARAM;
            return EXCH_OK;
        }
    }

    if (name.len == 0) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    parent = obj->u.folder.fid;

    props.n = 0;
    props.cap = 0;
    props.v = NULL;

    rc = exs_props_set_str(e->a, &props, PR_DISPLAY_NAME, name.data,
                           name.len);
    if (rc == EXS_OK && comment.len) {
        rc = exs_props_set_str(e->a, &props, PR_COMMENT, comment.data,
                               comment.len);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    rc = exch_oxcfold_mbox(e, obj, &mb, 1);

    existed = 0;

    if (rc == EXS_OK) {
        rc = exs_folder_by_name(mb, parent, name.data, &fid);

        if (rc == EXS_OK) {
            existed = 1;
            rc = req->u.create_folder.open_existing ? EXS_OK : EXS_EXISTS;

        } else if (rc == EXS_NOTFOUND) {
            rc = exs_folder_create(mb, parent, &props,
                                   type == EXCH_FOLDER_SEARCH
                                   ? EXS_FOLDER_SEARCH : EXS_FOLDER_GENERIC,
                                   0, &fid);
        }
    }

    rc = exch_ems_write_end(e, rc);

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    f = exch_ems_obj_new(e, EXCH_EMS_FOLDER, obj, req->logon_id);
    if (f == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    e->created = f;
    f->u.folder.fid = fid;

    rsp->u.create_folder.fid = exch_ems_eid(fid);
    rsp->u.create_folder.is_existing = (uint8_t) existed;

    if (existed) {
        rc = exch_ems_mbox(e, obj, &mb);
        rsp->u.create_folder.has_rules = rc == EXS_OK
                                ? (uint8_t) exch_ems_folder_has_rules(e, mb,
                                                                      fid)
                                : 0;
        rsp->u.create_folder.is_ghosted = 0;
    }

    return EXCH_OK;
}


/* RopDeleteFolder, 3.2.5.3 */

static int
exch_oxcfold_delete_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int          rc;
    uint8_t      flags;
    unsigned     sflags;
    exs_id_t     fid;
    exs_mbox_t  *mb;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    flags = req->u.delete_folder.flags;
    fid = exch_ems_id(req->u.delete_folder.fid);

    if (flags & ~(EXCH_DEL_MESSAGES | EXCH_DEL_FOLDERS
                  | EXCH_DELETE_HARD_DELETE))
    {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    sflags = ((flags & EXCH_DEL_MESSAGES) ? EXS_DEL_MESSAGES : 0)
             | ((flags & EXCH_DEL_FOLDERS) ? EXS_DEL_FOLDERS : 0)
             | ((flags & EXCH_DELETE_HARD_DELETE) ? EXS_DEL_HARD : 0);

    rc = exch_oxcfold_mbox(e, obj, &mb, 1);
    if (rc == EXS_OK) {
        rc = exch_oxcfold_child(mb, obj->u.folder.fid, fid);
    }

    if (rc == EXS_OK) {
        rc = exs_folder_delete(mb, fid, sflags);
    }

    rc = exch_ems_write_end(e, rc);

    rsp->u.partial.partial = 0;

    if (rc == EXS_CONFLICT) {
        /* it has contents the flags did not allow to delete */
        rsp->u.partial.partial = 1;
        rc = EXS_OK;
    }

    rsp->rv = exch_ems_ec(rc);

    return EXCH_OK;
}


/* RopMoveFolder, RopCopyFolder: 3.2.5.7, 3.2.5.8 */

static int
exch_oxcfold_move_copy_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc, copy;
    exs_id_t         fid, nfid;
    exs_str_t        name;
    exs_mbox_t      *mb;
    exch_ems_obj_t  *l1, *l2;

    copy = req->rop_id == EXCH_ROP_COPY_FOLDER;
    rsp->u.partial.partial = 0;

    if (obj->type != EXCH_EMS_FOLDER || dst->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    l1 = exch_ems_logon_of(e, obj);
    l2 = exch_ems_logon_of(e, dst);

    if (l1 == NULL || l2 == NULL
        || l1->u.logon.mailbox != l2->u.logon.mailbox)
    {
        /* between mailboxes a folder is copied message by message by
         * the client */
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    fid = exch_ems_id(copy ? req->u.copy_folder.fid : req->u.move_folder.fid);
    name = copy ? req->u.copy_folder.new_name : req->u.move_folder.new_name;

    if (!(copy ? req->u.copy_folder.unicode : req->u.move_folder.unicode)) {
        if (exch_str8_to_utf8(e->a, e->s->cpid, name.data, name.len, &name)
            != EXCH_OK)
        {
            rsp->rv = EXCH_EC_INVALID_PARAM;
            return EXCH_OK;
        }
    }

    rc = exch_oxcfold_mbox(e, obj, &mb, 1);
    if (rc == EXS_OK) {
        rc = exch_oxcfold_child(mb, obj->u.folder.fid, fid);
    }

    if (rc == EXS_OK) {
        if (copy) {
            rc = exs_folder_copy(mb, fid, dst->u.folder.fid,
                                 name.len ? name.data : NULL,
                                 req->u.copy_folder.want_recursive, &nfid);

        } else {
            rc = exs_folder_move(mb, fid, dst->u.folder.fid,
                                 name.len ? name.data : NULL);
        }
    }

    rc = exch_ems_write_end(e, rc);

    if (rc == EXS_INVALID) {
        /* into itself or below */
        rsp->rv = EXCH_EC_FOLDER_CYCLE;
        return EXCH_OK;
    }

    rsp->rv = exch_ems_ec(rc);

    return EXCH_OK;
}


/* RopEmptyFolder, RopHardDeleteMessagesAndSubfolders: 3.2.5.9, 3.2.5.10 */

static int
exch_oxcfold_empty_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int          rc;
    unsigned     flags;
    exs_mbox_t  *mb;

    rsp->u.partial.partial = 0;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    flags = EXS_DEL_FOLDERS;

    if (req->rop_id == EXCH_ROP_HARD_DELETE_MESSAGES_AND_SUBFOLDERS) {
        flags |= EXS_DEL_HARD;
        if (req->u.hard_delete_messages_and_subfolders.want_delete_associated)
        {
            flags |= EXS_DEL_ASSOCIATED;
        }

    } else if (req->u.empty_folder.want_delete_associated) {
        flags |= EXS_DEL_ASSOCIATED;
    }

    if (obj->u.folder.fid == EXS_FID_ROOT
        || obj->u.folder.fid == EXS_FID_IPM_SUBTREE)
    {
        /* the whole mailbox: not with one ROP (3.2.5.9) */
        rsp->rv = EXCH_EC_ACCESS_DENIED;
        return EXCH_OK;
    }

    rc = exch_oxcfold_mbox(e, obj, &mb, 1);
    if (rc == EXS_OK) {
        rc = exs_folder_empty(mb, obj->u.folder.fid, flags);
    }

    rc = exch_ems_write_end(e, rc);

    if (rc == EXS_CONFLICT || rc == EXS_DENIED) {
        rsp->u.partial.partial = 1;
    }

    rsp->rv = exch_ems_ec(rc == EXS_CONFLICT ? EXS_OK : rc);

    return EXCH_OK;
}


/* RopDeleteMessages, RopHardDeleteMessages: 3.2.5.11, 3.2.5.12 */

static int
exch_oxcfold_delete_messages(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int              rc, failed;
    uint16_t         i;
    unsigned         flags;
    exs_id_t         mid, fid;
    exs_mbox_t      *mb;
    exch_rop_ids_t  *mids;

    rsp->u.partial.partial = 0;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    if (req->rop_id == EXCH_ROP_HARD_DELETE_MESSAGES) {
        mids = &req->u.hard_delete_messages.mids;
        flags = EXS_DEL_HARD;

    } else {
        mids = &req->u.delete_messages.mids;
        flags = 0;
    }

    failed = 0;

    rc = exch_oxcfold_mbox(e, obj, &mb, 1);

    for (i = 0; rc == EXS_OK && i < mids->n; i++) {
        mid = exch_ems_id(mids->ids[i]);

        if (mid == 0 || exs_message_parent(mb, mid, &fid) != EXS_OK
            || fid != obj->u.folder.fid)
        {
            failed = 1;
            continue;
        }

        rc = exs_message_delete(mb, &mid, 1, flags);

        if (rc == EXS_DENIED || rc == EXS_NOTFOUND) {
            failed = 1;
            rc = EXS_OK;
        }
    }

    rc = exch_ems_write_end(e, rc);

    rsp->rv = exch_ems_ec(rc);
    rsp->u.partial.partial = (uint8_t) failed;

    return EXCH_OK;
}


/* a message into another mailbox: a new copy there */

static int
exch_oxcfold_copy_across(exch_ems_t *e, exs_mbox_t *src, exs_mbox_t *dst,
    exs_id_t mid, exs_id_t fid, int move)
{
    int               rc;
    exs_id_t          nmid;
    exs_msg_t        *msg;
    exs_msg_info_t    info;

    rc = exs_message_info(src, mid, &info);
    if (rc == EXS_OK) {
        rc = exs_message_read(src, mid, EXS_READ_ALL, &msg, e->a);
    }

    if (rc == EXS_OK) {
        rc = exs_message_create(dst, fid, msg,
                                info.associated ? EXS_MSG_ASSOCIATED : 0,
                                &nmid);
    }

    if (rc == EXS_OK && move) {
        rc = exs_message_delete(src, &mid, 1, 0);
    }

    return rc;
}


/* RopMoveCopyMessages, 3.2.5.6 */

static int
exch_oxcfold_move_copy_messages(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int               rc, failed, copy;
    uint16_t          i;
    exs_id_t          mid, fid, nmid;
    exs_txn_t        *txn;
    exs_mbox_t       *smb, *dmb;
    exch_ems_obj_t   *sl, *dl;

    rsp->u.partial.partial = 0;

    if (obj->type != EXCH_EMS_FOLDER || dst->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    copy = req->u.move_copy_messages.want_copy != 0;
    sl = exch_ems_logon_of(e, obj);
    dl = exch_ems_logon_of(e, dst);

    if (sl == NULL || dl == NULL) {
        rsp->rv = EXCH_EC_NULL_OBJECT;
        return EXCH_OK;
    }

    failed = 0;

    rc = exch_ems_write_begin(e, &txn);
    if (rc == EXS_OK) {
        rc = exs_mbox_open(txn, sl->u.logon.mailbox, e->user->id, &smb);
    }
    if (rc == EXS_OK) {
        rc = exs_mbox_open(txn, dl->u.logon.mailbox, e->user->id, &dmb);
    }

    for (i = 0; rc == EXS_OK && i < req->u.move_copy_messages.mids.n; i++) {
        mid = exch_ems_id(req->u.move_copy_messages.mids.ids[i]);

        if (mid == 0 || exs_message_parent(smb, mid, &fid) != EXS_OK
            || fid != obj->u.folder.fid)
        {
            failed = 1;
            continue;
        }

        if (sl->u.logon.mailbox != dl->u.logon.mailbox) {
            rc = exch_oxcfold_copy_across(e, smb, dmb, mid,
                                          dst->u.folder.fid, !copy);

        } else if (copy) {
            rc = exs_message_copy(smb, &mid, 1, dst->u.folder.fid, &nmid);

        } else {
            rc = exs_message_move(smb, &mid, 1, dst->u.folder.fid, &nmid);
        }

        if (rc == EXS_DENIED || rc == EXS_NOTFOUND) {
            failed = 1;
            rc = EXS_OK;
        }
    }

    rc = exch_ems_write_end(e, rc);

    rsp->rv = exch_ems_ec(rc);
    rsp->u.partial.partial = (uint8_t) failed;

    return EXCH_OK;
}


/* search folders, 3.2.5.4 and 3.2.5.5: the store evaluates the criteria
 * whenever the folder's contents table is read */

static int
exch_oxcfold_set_search_criteria(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                  rc;
    uint16_t             i;
    uint32_t             flags, oflags, ns;
    exs_id_t            *scope, *oscope;
    exs_mbox_t          *mb;
    exs_restriction_t   *res, *ores;
    exs_folder_info_t    info;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    flags = req->u.set_search_criteria.flags;

    if ((flags & EXCH_SEARCH_RECURSIVE) && (flags & EXCH_SEARCH_SHALLOW)) {
        rsp->rv = EXCH_EC_INVALID_PARAM;
        return EXCH_OK;
    }

    rc = exch_oxcfold_mbox(e, obj, &mb, 1);
    if (rc == EXS_OK) {
        rc = exs_folder_info(mb, obj->u.folder.fid, &info);
    }

    if (rc == EXS_OK && info.type != EXS_FOLDER_SEARCH) {
        exch_ems_write_end(e, EXS_INVALID);
        rsp->rv = EXCH_EC_NOT_SEARCH_FOLDER;
        return EXCH_OK;
    }

    /* what the request leaves out stays as it was */

    ores = NULL;
    oscope = NULL;
    ns = 0;
    oflags = 0;

    if (rc == EXS_OK) {
        rc = exs_folder_get_search(mb, obj->u.folder.fid, &ores, &oscope,
                                   &ns, &oflags, e->a);
        if (rc == EXS_NOTFOUND) {
            rc = EXS_OK;
        }
    }

    res = req->u.set_search_criteria.res ? req->u.set_search_criteria.res
                                         : ores;

    scope = oscope;

    if (req->u.set_search_criteria.fids.n) {
        ns = req->u.set_search_criteria.fids.n;
        scope = exs_alloc(e->a, ns * sizeof(exs_id_t));
        if (scope == NULL) {
            exch_ems_write_end(e, EXS_NOMEM);
            return EXS_NOMEM;
        }

        for (i = 0; i < ns; i++) {
            scope[i] = exch_ems_id(req->u.set_search_criteria.fids.ids[i]);

            if (rc == EXS_OK
                && (scope[i] == 0
                    || exs_folder_info(mb, scope[i], &info) != EXS_OK))
            {
                rc = EXS_NOTFOUND;
            }
        }
    }

    if (rc == EXS_OK && ns == 0) {
        /* a search needs folders to search */
        rc = EXS_INVALID;
    }

    if (rc == EXS_OK) {
        rc = exs_folder_set_search(mb, obj->u.folder.fid, res, scope, ns,
                                   flags & (EXCH_SEARCH_RECURSIVE
                                            | EXCH_SEARCH_STOP));
    }

    rsp->rv = exch_ems_ec(exch_ems_write_end(e, rc));

    return EXCH_OK;
}


static int
exch_oxcfold_get_search_criteria(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                  rc;
    uint32_t             i, n, flags;
    uint64_t            *fids;
    exs_id_t            *scope;
    exs_mbox_t          *mb;
    exs_restriction_t   *res;
    exs_folder_info_t    info;

    if (obj->type != EXCH_EMS_FOLDER) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_mbox(e, obj, &mb);
    if (rc == EXS_OK) {
        rc = exs_folder_info(mb, obj->u.folder.fid, &info);
    }

    if (rc == EXS_OK && info.type != EXS_FOLDER_SEARCH) {
        rsp->rv = EXCH_EC_NOT_SEARCH_FOLDER;
        return EXCH_OK;
    }

    res = NULL;
    scope = NULL;
    n = 0;
    flags = 0;

    if (rc == EXS_OK) {
        rc = exs_folder_get_search(mb, obj->u.folder.fid, &res, &scope, &n,
                                   &flags, e->a);
        if (rc == EXS_NOTFOUND) {
            /* never given criteria */
            rsp->rv = EXCH_EC_NOT_INITIALIZED;
            return EXCH_OK;
        }
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    fids = exs_alloc(e->a, (n + 1) * sizeof(uint64_t));
    if (fids == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < n && i < 0xFFFF; i++) {
        fids[i] = exch_ems_eid(scope[i]);
    }

    rsp->u.get_search_criteria.res =
        req->u.get_search_criteria.include_restriction ? res : NULL;
    rsp->u.get_search_criteria.logon_id = req->logon_id;
    rsp->u.get_search_criteria.nfids =
        req->u.get_search_criteria.include_folders ? (uint16_t) i : 0;
    rsp->u.get_search_criteria.fids = fids;

    /* evaluated when read: always complete, unless stopped */
    rsp->u.get_search_criteria.flags =
        (flags & EXCH_SEARCH_STOP) ? 0
        : EXCH_SEARCH_RUNNING | EXCH_SEARCH_COMPLETE
          | (flags & EXCH_SEARCH_RECURSIVE);

    return EXCH_OK;
}
