
/*
 * exch: the store object ROPs, MS-OXCSTOR 3.2.5: RopLogon to one's own
 * mailbox or to another one the user has rights in, receive folders,
 * store state, long-term ids, and the per-user information and owning
 * servers of public folders (which this server has none of).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "exch_emsmdb.h"


/* the receive folder settings: "CLASS\tFID" strings on the store object,
 * a property of this server's own (MS-OXPROPS leaves 0x6600-0x67FF to the
 * provider) that is never shown to clients */
#define EXCH_PR_RECEIVE_FOLDERS     PROP_TAG(PT_MV_UNICODE, 0x67E0)

#define EXCH_OPEN_PUBLIC            0x00000002


static int exch_oxcstor_may_logon(exch_ems_t *e, exs_txn_t *txn,
    uint32_t mailbox);
static int exch_oxcstor_get_receive_folder(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcstor_set_receive_folder(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcstor_get_receive_folder_table(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcstor_get_store_state(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst);
static int exch_oxcstor_long_term_id_from_id(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcstor_id_from_long_term_id(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcstor_get_per_user_long_term_ids(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcstor_get_per_user_guid(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcstor_read_per_user_information(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcstor_get_owning_servers(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcstor_public_folder_is_ghosted(exch_ems_t *e,
    exch_rop_req_t *req, exch_rop_rsp_t *rsp, exch_ems_obj_t *obj,
    exch_ems_obj_t *dst);
static int exch_oxcstor_receive_folders(exch_ems_t *e, exs_mbox_t *mb,
    exch_receive_folder_row_t **rows, uint32_t *n);
static uint32_t exch_oxcstor_receive_table(exch_ems_t *e, exch_ems_obj_t *obj,
    exs_mbox_t **mb, exch_receive_folder_row_t **rows, uint32_t *n);
static int exch_oxcstor_mailbox_guid(exch_ems_t *e, exch_ems_obj_t *obj,
    uint8_t guid[16]);


/* the special folders of RopLogon's response, in its order (2.2.3.1.2) */
static const exs_id_t  exch_oxcstor_fids[13] = {
    EXS_FID_ROOT, EXS_FID_DEFERRED_ACTION, EXS_FID_SPOOLER_QUEUE,
    EXS_FID_IPM_SUBTREE, EXS_FID_INBOX, EXS_FID_OUTBOX, EXS_FID_SENT_ITEMS,
    EXS_FID_DELETED_ITEMS, EXS_FID_COMMON_VIEWS, EXS_FID_SCHEDULE,
    EXS_FID_FINDER, EXS_FID_VIEWS, EXS_FID_SHORTCUTS
};

/* a delegate may log on to a mailbox when any of these is shared */
static const exs_id_t  exch_oxcstor_shared[] = {
    EXS_FID_ROOT, EXS_FID_IPM_SUBTREE, EXS_FID_INBOX, EXS_FID_CALENDAR,
    EXS_FID_CONTACTS, EXS_FID_TASKS, EXS_FID_NOTES, EXS_FID_JOURNAL,
    EXS_FID_DRAFTS, EXS_FID_SENT_ITEMS, EXS_FID_DELETED_ITEMS,
    EXS_FID_OUTBOX
};


exch_ems_rop_pt
exch_oxcstor_handler(uint8_t rop_id)
{
    switch (rop_id) {
    case EXCH_ROP_GET_RECEIVE_FOLDER:
        return exch_oxcstor_get_receive_folder;
    case EXCH_ROP_SET_RECEIVE_FOLDER:
        return exch_oxcstor_set_receive_folder;
    case EXCH_ROP_GET_RECEIVE_FOLDER_TABLE:
        return exch_oxcstor_get_receive_folder_table;
    case EXCH_ROP_GET_STORE_STATE:
        return exch_oxcstor_get_store_state;
    case EXCH_ROP_LONG_TERM_ID_FROM_ID:
        return exch_oxcstor_long_term_id_from_id;
    case EXCH_ROP_ID_FROM_LONG_TERM_ID:
        return exch_oxcstor_id_from_long_term_id;
    case EXCH_ROP_GET_PER_USER_LONG_TERM_IDS:
        return exch_oxcstor_get_per_user_long_term_ids;
    case EXCH_ROP_GET_PER_USER_GUID:
        return exch_oxcstor_get_per_user_guid;
    case EXCH_ROP_READ_PER_USER_INFORMATION:
        return exch_oxcstor_read_per_user_information;
    case EXCH_ROP_GET_OWNING_SERVERS:
        return exch_oxcstor_get_owning_servers;
    case EXCH_ROP_PUBLIC_FOLDER_IS_GHOSTED:
        return exch_oxcstor_public_folder_is_ghosted;
    default:
        return NULL;
    }
}


/* RopLogon, 3.2.5.1 */

int
exch_oxcstor_logon(exch_ems_t *e, exch_rop_req_t *req, exch_rop_rsp_t *rsp,
    exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int               rc;
    time_t            t;
    uint32_t          i;
    struct tm         tm;
    exs_txn_t        *txn;
    exs_mbox_t       *mb;
    exs_dirent_t      d;
    exch_ems_obj_t   *logon;
    exs_mbox_info_t   info;

    rsp->u.logon.flags = req->u.logon.flags;
    rsp->u.logon.is_private = 1;

    if (!(req->u.logon.flags & EXCH_LOGON_PRIVATE)
        || (req->u.logon.open_flags & EXCH_OPEN_PUBLIC))
    {
        /* this server holds no public folders */
        rsp->u.logon.is_private = 0;
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_ems_read(e, &txn);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    if (req->u.logon.essdn.len == 0) {
        rc = exs_dir_by_id(txn, e->user->id, &d, e->a);

    } else {
        rc = exs_dir_by_dn(txn, req->u.logon.essdn.data, &d, e->a);
    }

    if (rc == EXS_NOTFOUND || (rc == EXS_OK && d.type != EXS_DIR_USER)) {
        rsp->rv = EXCH_EC_UNKNOWN_USER;
        return EXCH_OK;
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    if (d.id != e->user->id && !exch_oxcstor_may_logon(e, txn, d.mailbox)) {
        rsp->rv = EXCH_EC_LOGIN_PERM;
        return EXCH_OK;
    }

    rc = exs_mbox_open(txn, d.mailbox, e->user->id, &mb);
    if (rc == EXS_OK) {
        rc = exs_mbox_info(mb, &info);
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    logon = exch_ems_obj_new(e, EXCH_EMS_LOGON, NULL, req->logon_id);
    if (logon == NULL) {
        rsp->rv = EXCH_EC_TOO_MANY_OBJECTS;
        return EXCH_OK;
    }

    logon->u.logon.mailbox = d.mailbox;
    logon->u.logon.owner = d.id;
    logon->u.logon.flags = req->u.logon.flags;
    logon->u.logon.open_flags = req->u.logon.open_flags;
    e->created = logon;

    for (i = 0; i < 13; i++) {
        rsp->u.logon.fids[i] = exch_ems_eid(exch_oxcstor_fids[i]);
    }

    rsp->u.logon.response_flags = EXCH_LOGON_RESPONSE_RESERVED;

    if (d.id == e->user->id) {
        rsp->u.logon.response_flags |= EXCH_LOGON_RESPONSE_OWNER_RIGHT
                                       | EXCH_LOGON_RESPONSE_SEND_AS;
    }

    memcpy(rsp->u.logon.mailbox_guid, info.guid, 16);
    rsp->u.logon.replid = info.replid;
    memcpy(rsp->u.logon.repl_guid, info.guid, 16);

    t = (time_t) e->now;
    gmtime_r(&t, &tm);
    rsp->u.logon.time.sec = (uint8_t) tm.tm_sec;
    rsp->u.logon.time.min = (uint8_t) tm.tm_min;
    rsp->u.logon.time.hour = (uint8_t) tm.tm_hour;
    rsp->u.logon.time.wday = (uint8_t) tm.tm_wday;
    rsp->u.logon.time.day = (uint8_t) tm.tm_mday;
    rsp->u.logon.time.month = (uint8_t) (tm.tm_mon + 1);
    rsp->u.logon.time.year = (uint16_t) (tm.tm_year + 1900);
    rsp->u.logon.gwart_time = 0;
    rsp->u.logon.store_state = 0;

    return EXCH_OK;
}


/* another user's mailbox: when its owner shared any folder with us */

static int
exch_oxcstor_may_logon(exch_ems_t *e, exs_txn_t *txn, uint32_t mailbox)
{
    uint32_t     i, rights;
    exs_mbox_t  *mb;

    if (exs_mbox_open(txn, mailbox, e->user->id, &mb) != EXS_OK) {
        return 0;
    }

    for (i = 0; i < sizeof(exch_oxcstor_shared) / sizeof(exs_id_t); i++) {
        if (exs_folder_rights(mb, exch_oxcstor_shared[i], &rights) == EXS_OK
            && rights != 0)
        {
            return 1;
        }
    }

    return 0;
}


/* receive folders, 3.2.5.2 - 3.2.5.4 */

static int
exch_oxcstor_receive_folders(exch_ems_t *e, exs_mbox_t *mb,
    exch_receive_folder_row_t **rows, uint32_t *n)
{
    int                         rc;
    char                       *tab, *end;
    uint32_t                    i, m, tag;
    exs_props_t                 props;
    exs_prop_t                 *p;
    exch_receive_folder_row_t  *r;

    tag = EXCH_PR_RECEIVE_FOLDERS;

    rc = exs_mbox_get_props(mb, &tag, 1, &props, e->a);
    if (rc != EXS_OK) {
        return rc;
    }

    p = exs_props_get(&props, EXCH_PR_RECEIVE_FOLDERS);
    m = p ? p->v.mv.n : 0;

    /* the defaults come first and may be overridden */
    r = exs_calloc(e->a, (m + 3) * sizeof(exch_receive_folder_row_t));
    if (r == NULL) {
        return EXS_NOMEM;
    }

    r[0].fid = EXS_FID_INBOX;
    r[0].message_class.data = "";
    r[1].fid = EXS_FID_INBOX;
    r[1].message_class.data = "IPM";
    r[1].message_class.len = 3;
    r[2].fid = EXS_FID_ROOT;
    r[2].message_class.data = "IPC";
    r[2].message_class.len = 3;
    *n = 3;

    for (i = 0; i < m; i++) {
        tab = strchr(p->v.mv.v.str[i].data, '\t');
        if (tab == NULL) {
            continue;
        }

        r[*n].message_class.data = exs_strndup(e->a, p->v.mv.v.str[i].data,
                                  (size_t) (tab - p->v.mv.v.str[i].data));
        if (r[*n].message_class.data == NULL) {
            return EXS_NOMEM;
        }

        r[*n].message_class.len = (size_t) (tab - p->v.mv.v.str[i].data);
        r[*n].fid = strtoull(tab + 1, &end, 16);

        {
            uint32_t  j;

            for (j = 0; j < *n; j++) {
                if (r[j].message_class.len == r[*n].message_class.len
                    && strncasecmp(r[j].message_class.data,
                                   r[*n].message_class.data,
                                   r[j].message_class.len) == 0)
                {
                    r[j].fid = r[*n].fid;
                    break;
                }
            }

            if (j == *n) {
                (*n)++;
            }
        }
    }

    *rows = r;

    return EXS_OK;
}


/* the receive folder table for a ROP on obj, which must be a logon:
 * EXCH_EC_SUCCESS, or the ROP's error */

static uint32_t
exch_oxcstor_receive_table(exch_ems_t *e, exch_ems_obj_t *obj,
    exs_mbox_t **mb, exch_receive_folder_row_t **rows, uint32_t *n)
{
    int  rc;

    if (obj->type != EXCH_EMS_LOGON) {
        return EXCH_EC_NOT_SUPPORTED;
    }

    rc = exch_ems_mbox(e, obj, mb);
    if (rc == EXS_OK) {
        rc = exch_oxcstor_receive_folders(e, *mb, rows, n);
    }

    return exch_ems_ec(rc);
}


static int
exch_oxcstor_get_receive_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    size_t                      len, best;
    uint32_t                    i, n;
    exs_mbox_t                 *mb;
    const exs_str_t            *cls;
    exch_receive_folder_row_t  *rows;

    rsp->rv = exch_oxcstor_receive_table(e, obj, &mb, &rows, &n);
    if (rsp->rv != EXCH_EC_SUCCESS) {
        return EXCH_OK;
    }

    /* the longest class that is a prefix of the one asked for, at a dot
     * boundary (MS-OXCSTOR 3.2.5.2) */

    cls = &req->u.get_receive_folder.message_class;
    best = 0;
    rsp->u.get_receive_folder.fid = exch_ems_eid(rows[0].fid);
    rsp->u.get_receive_folder.explicit_class = rows[0].message_class;

    for (i = 1; i < n; i++) {
        len = rows[i].message_class.len;

        if (len > cls->len || len <= best
            || strncasecmp(cls->data, rows[i].message_class.data, len) != 0
            || (len < cls->len && cls->data[len] != '.'))
        {
            continue;
        }

        best = len;
        rsp->u.get_receive_folder.fid = exch_ems_eid(rows[i].fid);
        rsp->u.get_receive_folder.explicit_class = rows[i].message_class;
    }

    return EXCH_OK;
}


static int
exch_oxcstor_set_receive_folder(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int                 rc;
    char               *s, *tab;
    size_t              len;
    uint32_t            i, j, m, tag;
    exs_id_t            fid;
    exs_txn_t          *txn;
    exs_mbox_t         *mb;
    exs_prop_t          p, *old;
    exs_props_t         props, stored;
    const exs_str_t    *cls;
    exs_folder_info_t   info;

    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    cls = &req->u.set_receive_folder.message_class;
    fid = req->u.set_receive_folder.fid
          ? exch_ems_id(req->u.set_receive_folder.fid) : 0;

    /* "IPC" and its subclasses cannot move; the default needs a folder
     * (3.2.5.3) */
    if ((cls->len >= 3 && strncasecmp(cls->data, "IPC", 3) == 0
         && (cls->len == 3 || cls->data[3] == '.'))
        || (cls->len == 0 && fid == 0))
    {
        rsp->rv = EXCH_EC_ACCESS_DENIED;
        return EXCH_OK;
    }

    for (i = 0; i < cls->len; i++) {
        if ((unsigned char) cls->data[i] <= 0x20
            || (unsigned char) cls->data[i] > 0x7E)
        {
            rsp->rv = EXCH_EC_INVALID_PARAM;
            return EXCH_OK;
        }
    }

    tag = EXCH_PR_RECEIVE_FOLDERS;

    rc = exch_ems_write_begin(e, &txn);
    if (rc == EXS_OK) {
        rc = exch_ems_mbox(e, obj, &mb);
    }

    if (rc == EXS_OK && fid) {
        rc = exs_folder_info(mb, fid, &info);
    }

    if (rc == EXS_OK) {
        rc = exs_mbox_get_props(mb, &tag, 1, &stored, e->a);
    }

    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(exch_ems_write_end(e, rc));
        return EXCH_OK;
    }

    old = exs_props_get(&stored, EXCH_PR_RECEIVE_FOLDERS);
    m = old ? old->v.mv.n : 0;

    memset(&p, 0, sizeof(exs_prop_t));
    p.tag = EXCH_PR_RECEIVE_FOLDERS;
    p.v.mv.v.str = exs_calloc(e->a, (m + 1) * sizeof(exs_str_t));
    if (p.v.mv.v.str == NULL) {
        return exch_ems_write_end(e, EXS_NOMEM);
    }

    for (i = 0, j = 0; i < m; i++) {
        tab = strchr(old->v.mv.v.str[i].data, '\t');
        len = tab ? (size_t) (tab - old->v.mv.v.str[i].data) : 0;

        if (tab == NULL
            || (len == cls->len
                && strncasecmp(old->v.mv.v.str[i].data, cls->data, len) == 0))
        {
            continue;
        }

        p.v.mv.v.str[j++] = old->v.mv.v.str[i];
    }

    if (fid) {
        s = exs_alloc(e->a, cls->len + 20);
        if (s == NULL) {
            return exch_ems_write_end(e, EXS_NOMEM);
        }

        p.v.mv.v.str[j].len = (size_t) sprintf(s, "%.*s\t%llx",
                                               (int) cls->len, cls->data,
                                               (unsigned long long) fid);
        p.v.mv.v.str[j++].data = s;
    }

    p.v.mv.n = j;

    props.n = 0;
    props.cap = 0;
    props.v = NULL;

    rc = exs_props_set(e->a, &props, &p);
    if (rc == EXS_OK) {
        rc = exs_mbox_set_props(mb, &props);
    }

    rsp->rv = exch_ems_ec(exch_ems_write_end(e, rc));

    return EXCH_OK;
}


static int
exch_oxcstor_get_receive_folder_table(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    uint32_t                    i, n;
    exs_mbox_t                 *mb;
    exs_folder_info_t           info;
    exch_receive_folder_row_t  *rows;

    rsp->rv = exch_oxcstor_receive_table(e, obj, &mb, &rows, &n);
    if (rsp->rv != EXCH_EC_SUCCESS) {
        return EXCH_OK;
    }

    for (i = 0; i < n; i++) {
        rows[i].mtime = exs_filetime_from_unix(e->now);

        if (exs_folder_info(mb, rows[i].fid, &info) == EXS_OK) {
            rows[i].mtime = exs_filetime_now();
        }

        rows[i].fid = exch_ems_eid(rows[i].fid);
    }

    rsp->u.get_receive_folder_table.n = n;
    rsp->u.get_receive_folder_table.rows = rows;

    return EXCH_OK;
}


/* RopGetStoreState, 3.2.5.5: no store state is kept */

static int
exch_oxcstor_get_store_state(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rsp->u.get_store_state.state = 0;

    return EXCH_OK;
}


static int
exch_oxcstor_mailbox_guid(exch_ems_t *e, exch_ems_obj_t *obj,
    uint8_t guid[16])
{
    int               rc;
    exs_mbox_t       *mb;
    exs_mbox_info_t   info;

    rc = exch_ems_mbox(e, obj, &mb);
    if (rc == EXS_OK) {
        rc = exs_mbox_info(mb, &info);
    }

    if (rc == EXS_OK) {
        memcpy(guid, info.guid, 16);
    }

    return rc;
}


/* RopLongTermIdFromId, RopIdFromLongTermId: 3.2.5.8, 3.2.5.9 */

static int
exch_oxcstor_long_term_id_from_id(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int          rc;
    uint64_t     id;
    exch_ltid_t *l;

    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    id = req->u.long_term_id_from_id.id;

    if (exch_id_replid(id) != 1) {
        rsp->rv = EXCH_EC_NOT_FOUND;
        return EXCH_OK;
    }

    l = &rsp->u.long_term_id_from_id.ltid;

    rc = exch_oxcstor_mailbox_guid(e, obj, l->guid);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    exch_globcnt_put(l->globcnt, exch_id_counter(id));
    l->pad = 0;

    return EXCH_OK;
}


static int
exch_oxcstor_id_from_long_term_id(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    int      rc;
    uint8_t  guid[16];

    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rc = exch_oxcstor_mailbox_guid(e, obj, guid);
    if (rc != EXS_OK) {
        rsp->rv = exch_ems_ec(rc);
        return EXCH_OK;
    }

    if (memcmp(guid, req->u.id_from_long_term_id.ltid.guid, 16) != 0) {
        rsp->rv = EXCH_EC_NOT_FOUND;
        return EXCH_OK;
    }

    rsp->u.id_from_long_term_id.id =
        exch_id_make(1, exch_globcnt_get(
                            req->u.id_from_long_term_id.ltid.globcnt));

    return EXCH_OK;
}


/*
 * Per-user information (3.2.5.10 - 3.2.5.13) is what a private mailbox
 * keeps about public folders' read states.  There are no public folders
 * here, so there is none: the lists are empty, and there is nothing to
 * write (RopWritePerUserInformation answers ecNotSupported, by its
 * absence from the handler table).
 */

static int
exch_oxcstor_get_per_user_long_term_ids(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rsp->u.get_per_user_long_term_ids.n = 0;

    return EXCH_OK;
}


static int
exch_oxcstor_get_per_user_guid(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    rsp->rv = obj->type == EXCH_EMS_LOGON ? EXCH_EC_NOT_FOUND
                                          : EXCH_EC_NOT_SUPPORTED;
    return EXCH_OK;
}


static int
exch_oxcstor_read_per_user_information(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rsp->u.read_per_user_information.has_finished = 1;
    rsp->u.read_per_user_information.data.len = 0;

    return EXCH_OK;
}


/* public folder replicas: a private mailbox has none (3.2.5.14, 3.2.5.15) */

static int
exch_oxcstor_get_owning_servers(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    rsp->rv = EXCH_EC_NOT_SUPPORTED;
    return EXCH_OK;
}


static int
exch_oxcstor_public_folder_is_ghosted(exch_ems_t *e, exch_rop_req_t *req,
    exch_rop_rsp_t *rsp, exch_ems_obj_t *obj, exch_ems_obj_t *dst)
{
    if (obj->type != EXCH_EMS_LOGON) {
        rsp->rv = EXCH_EC_NOT_SUPPORTED;
        return EXCH_OK;
    }

    rsp->u.public_folder_is_ghosted.is_ghosted = 0;

    return EXCH_OK;
}


/* address book entry ids (MS-OXNSPI 2.2.9.3, PermanentEntryID) */

int
exch_ems_ab_entryid(exs_arena_t *a, const char *dn, uint32_t type,
    exs_bin_t *out)
{
    exch_wr_t        w;
    exch_nspi_eid_t  eid;

    if (exch_wr_init_grow(&w, a, 64 + strlen(dn), 4096 + strlen(dn))
        != EXCH_OK)
    {
        return EXS_NOMEM;
    }

    memset(&eid, 0, sizeof(exch_nspi_eid_t));
    eid.id_type = EXCH_NSPI_PERMANENT;
    memcpy(eid.provider, EXCH_GUID_NSPI, 16);
    eid.display_type = type;
    eid.dn.data = dn;
    eid.dn.len = strlen(dn);

    if (exch_write_nspi_eid(&w, &eid) != EXCH_OK) {
        return EXS_NOMEM;
    }

    out->data = w.buf;
    out->len = w.len;

    return EXS_OK;
}


int
exch_ems_ab_lookup(exch_ems_t *e, const uint8_t *data, size_t len,
    exs_dirent_t *d)
{
    int              rc;
    char            *dn;
    exs_txn_t       *txn;
    exch_nspi_eid_t  eid;

    if (exch_nspi_eid_parse(data, len, &eid) != EXCH_OK) {
        return EXS_INVALID;
    }

    rc = exch_ems_read(e, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    if (eid.id_type == EXCH_NSPI_EPHEMERAL) {
        return exs_dir_by_id(txn, eid.mid, d, e->a);
    }

    dn = exs_strndup(e->a, eid.dn.data, eid.dn.len);
    if (dn == NULL) {
        return EXS_NOMEM;
    }

    return exs_dir_by_dn(txn, dn, d, e->a);
}
