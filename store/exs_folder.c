
/*
 * exch store: folders (MS-OXCFOLD).  A folder is a record: a fixed header
 * with its counters (exs_folder_hdr_t) and its property bag; its name is a
 * key under its parent, which keeps names unique among siblings and gives
 * hierarchy tables their display-name order.
 *
 *   folder:        u32 mailbox, u64 fid -> header, bag[, search criteria]
 *   folder.child:  u32 mailbox, u64 parent, 0, folded name -> u64 fid
 *                  u32 mailbox, u64 parent, 1, u64 fid -> u64 fid
 *                  (the second form: soft-deleted subfolders)
 *   perm:          u32 mailbox, u64 fid, u64 member -> u32 rights
 */


#include <stdlib.h>
#include <string.h>

#include "exs_int.h"


#define EXS_NAME_KEY_MAX        400

#define EXS_RIGHTS_ALL          0x00001FFB
#define EXS_RIGHT_READ_ANY      0x00000001
#define EXS_RIGHT_CREATE        0x00000002
#define EXS_RIGHT_EDIT_ANY      0x00000020
#define EXS_RIGHT_DELETE_ANY    0x00000040
#define EXS_RIGHT_CREATE_SUB    0x00000080
#define EXS_RIGHT_OWNER         0x00000100
#define EXS_RIGHT_VISIBLE       0x00000400

/* PR_ACCESS bits, MS-OXCPRPT 2.2.1.1 */
#define EXS_ACCESS_MODIFY       0x01
#define EXS_ACCESS_READ         0x02
#define EXS_ACCESS_DELETE       0x04
#define EXS_ACCESS_HIERARCHY    0x08
#define EXS_ACCESS_CONTENTS     0x10
#define EXS_ACCESS_ASSOCIATED   0x20

#define EXS_MAX_DEPTH           1024


static void exs_child_key(exs_key_t *k, uint32_t mb, exs_id_t parent,
    const char *name);
static void exs_child_del_key(exs_key_t *k, uint32_t mb, exs_id_t parent,
    exs_id_t fid);
static int exs_folder_key(exs_mbox_t *mb, exs_id_t fid, exs_key_t *k);
static int exs_folder_write(exs_mbox_t *mb, exs_id_t fid,
    const exs_folder_hdr_t *h, const exs_props_t *props,
    const exs_wbuf_t *search);
static int exs_folder_rewrite(exs_mbox_t *mb, exs_id_t fid,
    exs_folder_hdr_t *h, exs_props_t *props, exs_arena_t *a);
static int exs_folder_parent_update(exs_mbox_t *mb, exs_id_t parent,
    int live, int deleted);
static int exs_folder_destroy(exs_mbox_t *mb, exs_id_t fid, unsigned depth);
static int exs_folder_messages(exs_mbox_t *mb, exs_id_t fid, int view,
    exs_id_t **mids, uint32_t *n);
static int exs_folder_children(exs_mbox_t *mb, exs_id_t fid, int deleted,
    exs_id_t **fids, uint32_t *n);
static int exs_folder_copy_tree(exs_mbox_t *mb, exs_id_t fid,
    exs_id_t new_parent, const char *name, int recursive, exs_id_t *new_fid,
    unsigned depth);
static const char *exs_props_name(const exs_props_t *props);
static int exs_folder_search_get(const MDB_val *v, exs_restriction_t **res,
    exs_id_t **scope, uint32_t *nscope, uint32_t *flags, exs_arena_t *a);


static void
exs_child_key(exs_key_t *k, uint32_t mb, exs_id_t parent, const char *name)
{
    exs_key_init(k);
    exs_key_u32(k, mb);
    exs_key_u64(k, parent);
    exs_key_u8(k, 0);
    k->len += exs_fold(name, strlen(name), k->b + k->len, EXS_NAME_KEY_MAX);
}


static void
exs_child_del_key(exs_key_t *k, uint32_t mb, exs_id_t parent, exs_id_t fid)
{
    exs_key_init(k);
    exs_key_u32(k, mb);
    exs_key_u64(k, parent);
    exs_key_u8(k, 1);
    exs_key_u64(k, fid);
}


static int
exs_folder_key(exs_mbox_t *mb, exs_id_t fid, exs_key_t *k)
{
    exs_key_init(k);
    exs_key_u32(k, mb->id);
    exs_key_u64(k, fid);

    return EXS_OK;
}


static const char *
exs_props_name(const exs_props_t *props)
{
    exs_prop_t  *p;

    p = exs_props_get(props, PR_DISPLAY_NAME);

    return (p && p->v.str.len) ? p->v.str.data : NULL;
}


int
exs_folder_load(exs_mbox_t *mb, exs_id_t fid, exs_folder_hdr_t *h,
    exs_props_t *props, unsigned dflags, exs_arena_t *a)
{
    int         rc;
    MDB_val     v;
    exs_key_t   k;
    exs_rbuf_t  b;

    exs_folder_key(mb, fid, &k);

    rc = exs_db_get(mb->txn, EXS_DB_FOLDER, k.b, k.len, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size < EXS_FOLDER_HDR_LEN || ((uint8_t *) v.mv_data)[0] != 1) {
        return EXS_CORRUPT;
    }

    if (h) {
        exs_folder_hdr_get(v.mv_data, h);
    }

    if (props == NULL) {
        return EXS_OK;
    }

    if (!exs_txn_rdonly(mb->txn)) {
        dflags |= EXS_DEC_COPY;
    }

    exs_rbuf_init(&b, (uint8_t *) v.mv_data + EXS_FOLDER_HDR_LEN,
                  v.mv_size - EXS_FOLDER_HDR_LEN);

    return exs_bag_decode(&b, props, dflags, a);
}


int
exs_folder_hdr(exs_mbox_t *mb, exs_id_t fid, exs_folder_hdr_t *h)
{
    return exs_folder_load(mb, fid, h, NULL, 0, NULL);
}


/* a live (not soft-deleted) folder */

static int
exs_folder_live(exs_mbox_t *mb, exs_id_t fid, exs_folder_hdr_t *h)
{
    int  rc;

    rc = exs_folder_hdr(mb, fid, h);
    if (rc != EXS_OK) {
        return rc;
    }

    return (h->flags & EXS_FOLDER_DELETED) ? EXS_NOTFOUND : EXS_OK;
}


int
exs_folder_hdr_update(exs_mbox_t *mb, exs_id_t fid, const exs_folder_hdr_t *h)
{
    uint8_t    head[EXS_FOLDER_HDR_LEN];
    exs_key_t  k;

    exs_folder_key(mb, fid, &k);
    exs_folder_hdr_put(head, h);

    return exs_db_patch(mb->txn, EXS_DB_FOLDER, k.b, k.len, head,
                        sizeof(head));
}


int
exs_folder_account(exs_mbox_t *mb, exs_id_t fid, const exs_msg_hdr_t *m,
    int sign, uint64_t cn, uint32_t *uid)
{
    int               rc, view;
    exs_folder_hdr_t  h;

    rc = exs_folder_hdr(mb, fid, &h);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
    }

    if (m) {
        view = exs_msg_view(m);

        h.count[view] += sign;
        h.size[view] += sign * m->size;

        if (view == EXS_VIEW_NORMAL && !(m->flags & MSGFLAG_READ)) {
            h.unread += sign;
        }
    }

    if (uid) {
        if (h.next_uid == UINT32_MAX) {
            return exs_txn_fail(mb->txn, EXS_FULL);
        }
        *uid = h.next_uid++;
    }

    if (cn) {
        if (cn > h.content_cn) {
            h.content_cn = cn;
        }
        h.content_time = exs_filetime_now();
    }

    return exs_folder_hdr_update(mb, fid, &h);
}


static int
exs_folder_write(exs_mbox_t *mb, exs_id_t fid, const exs_folder_hdr_t *h,
    const exs_props_t *props, const exs_wbuf_t *search)
{
    int          rc;
    uint8_t     *p;
    exs_key_t    k;
    exs_wbuf_t   b;

    exs_wbuf_init(&b);

    p = exs_wbuf_room(&b, EXS_FOLDER_HDR_LEN);
    if (p) {
        exs_folder_hdr_put(p, h);
    }

    rc = exs_bag_store(mb->txn, &b, props, NULL);

    if (rc == EXS_OK && search && search->len) {
        exs_wbuf_mem(&b, search->p, search->len);
    }

    if (rc == EXS_OK) {
        rc = b.err;
    }

    if (rc == EXS_OK) {
        exs_folder_key(mb, fid, &k);
        rc = exs_db_put(mb->txn, EXS_DB_FOLDER, k.b, k.len, b.p, b.len, 0);
    }

    exs_wbuf_free(&b);

    return exs_txn_fail(mb->txn, rc);
}


/*
 * Replaces a folder's bag (and header): the old record's blob references
 * go, the search criteria stay.
 */

static int
exs_folder_rewrite(exs_mbox_t *mb, exs_id_t fid, exs_folder_hdr_t *h,
    exs_props_t *props, exs_arena_t *a)
{
    int          rc;
    MDB_val      v;
    exs_key_t    k;
    exs_rbuf_t   b;
    exs_wbuf_t   search;
    exs_props_t  old;

    exs_folder_key(mb, fid, &k);

    rc = exs_db_get(mb->txn, EXS_DB_FOLDER, k.b, k.len, &v);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
    }

    exs_rbuf_init(&b, (uint8_t *) v.mv_data + EXS_FOLDER_HDR_LEN,
                  v.mv_size - EXS_FOLDER_HDR_LEN);

    rc = exs_bag_decode(&b, &old, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc);
    }

    exs_wbuf_init(&search);
    exs_wbuf_mem(&search, b.p, b.end - b.p);

    rc = search.err;

    if (rc == EXS_OK) {
        rc = exs_folder_write(mb, fid, h, props, &search);
    }

    if (rc == EXS_OK) {
        rc = exs_props_release(mb->txn, &old);
    }

    exs_wbuf_free(&search);

    return exs_txn_fail(mb->txn, rc);
}


static int
exs_folder_parent_update(exs_mbox_t *mb, exs_id_t parent, int live,
    int deleted)
{
    int               rc;
    exs_folder_hdr_t  h;

    rc = exs_folder_hdr(mb, parent, &h);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
    }

    h.nchild += live;
    h.nchild_del += deleted;
    h.hier_changes++;

    return exs_folder_hdr_update(mb, parent, &h);
}


int
exs_folder_is_ancestor(exs_mbox_t *mb, exs_id_t anc, exs_id_t fid)
{
    int               rc, i;
    exs_folder_hdr_t  h;

    for (i = 0; fid && i < EXS_MAX_DEPTH; i++) {
        if (fid == anc) {
            return 1;
        }

        rc = exs_folder_hdr(mb, fid, &h);
        if (rc != EXS_OK) {
            return 0;
        }

        fid = h.parent;
    }

    return 0;
}


int
exs_folder_create_special(exs_mbox_t *mb, exs_id_t fid, exs_id_t parent,
    const char *name, const char *cls, uint32_t type, int hidden)
{
    int               rc;
    int64_t           now;
    uint8_t           v[8];
    uint64_t          cn;
    exs_key_t         k;
    exs_arena_t      *a;
    exs_props_t       props;
    exs_folder_hdr_t  h;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    props.n = 0;
    props.cap = 0;
    props.v = NULL;

    rc = exs_mbox_alloc_id(mb, &cn);
    if (rc != EXS_OK) {
        goto done;
    }

    now = exs_filetime_now();

    rc = exs_props_set_str(a, &props, PR_DISPLAY_NAME, name, strlen(name));

    if (rc == EXS_OK && cls) {
        rc = exs_props_set_str(a, &props, PR_CONTAINER_CLASS, cls,
                               strlen(cls));
    }

    if (rc == EXS_OK && hidden) {
        rc = exs_props_set_bool(a, &props, PR_ATTR_HIDDEN, 1);
    }

    if (rc == EXS_OK) {
        rc = exs_props_set_i8(a, &props, PR_CREATION_TIME, now);
    }

    if (rc == EXS_OK) {
        rc = exs_props_set_i8(a, &props, PR_LAST_MODIFICATION_TIME, now);
    }

    if (rc == EXS_OK) {
        rc = exs_change_keys(mb, &props, cn, a);
    }

    if (rc != EXS_OK) {
        goto done;
    }

    memset(&h, 0, sizeof(exs_folder_hdr_t));
    h.type = (uint8_t) type;
    h.flags = EXS_FOLDER_SPECIAL;
    h.parent = parent;
    h.cn = cn;
    h.next_uid = 1;
    h.uidvalidity = (uint32_t) fid;

    rc = exs_folder_write(mb, fid, &h, &props, NULL);
    if (rc != EXS_OK) {
        goto done;
    }

    if (parent) {
        exs_child_key(&k, mb->id, parent, name);
        exs_le64(v, fid);

        rc = exs_db_put(mb->txn, EXS_DB_CHILD, k.b, k.len, v, 8,
                        MDB_NOOVERWRITE);
        if (rc != EXS_OK) {
            rc = exs_txn_fail(mb->txn, rc == EXS_EXISTS ? EXS_CORRUPT : rc);
            goto done;
        }

        rc = exs_folder_parent_update(mb, parent, 1, 0);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    rc = exs_change_log(mb, cn, EXS_CHANGE_CREATE, EXS_CHANGE_FOLDER, fid,
                        parent, 0, 0);

done:

    exs_arena_destroy(a);

    return rc;
}


int
exs_folder_create(exs_mbox_t *mb, exs_id_t parent, const exs_props_t *props,
    uint32_t type, unsigned flags, exs_id_t *fidp)
{
    int               rc;
    int64_t           now;
    uint8_t           v[8];
    uint32_t          i;
    exs_id_t          fid;
    uint64_t          cn;
    MDB_val           val;
    exs_key_t         k;
    const char       *name;
    exs_arena_t      *a;
    exs_props_t       bag;
    exs_folder_hdr_t  ph, h;

    name = exs_props_name(props);

    if (name == NULL || (type != EXS_FOLDER_GENERIC
                         && type != EXS_FOLDER_SEARCH)
        || exs_props_validate(props) != EXS_OK)
    {
        return EXS_INVALID;
    }

    rc = exs_folder_live(mb, parent, &ph);
    if (rc != EXS_OK) {
        return rc;
    }

    if (ph.type == EXS_FOLDER_SEARCH) {
        return EXS_INVALID;
    }

    rc = exs_mbox_check(mb, parent, EXS_RIGHT_CREATE_SUB, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    exs_child_key(&k, mb->id, parent, name);

    rc = exs_db_get(mb->txn, EXS_DB_CHILD, k.b, k.len, &val);

    if (rc == EXS_OK) {
        if (!(flags & EXS_OPEN_IF_EXISTS)) {
            return EXS_EXISTS;
        }

        if (val.mv_size != 8) {
            return EXS_CORRUPT;
        }

        if (fidp) {
            *fidp = exs_get_le64(val.mv_data);
        }

        return EXS_OK;
    }

    if (rc != EXS_NOTFOUND) {
        return rc;
    }

    if (exs_txn_rdonly(mb->txn)) {
        return EXS_DENIED;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    bag.n = 0;
    bag.cap = 0;
    bag.v = NULL;

    for (i = 0; i < props->n; i++) {
        if (exs_tag_computed_folder(props->v[i].tag)
            && !((flags & EXS_KEEP_KEYS)
                 && (props->v[i].tag == PR_SOURCE_KEY
                     || props->v[i].tag == PR_CHANGE_KEY
                     || props->v[i].tag == PR_PREDECESSOR_CHANGE_LIST)))
        {
            continue;
        }

        rc = exs_props_set(a, &bag, &props->v[i]);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    rc = exs_mbox_alloc_id(mb, &fid);

    if (rc == EXS_OK) {
        rc = exs_mbox_alloc_id(mb, &cn);
    }

    if (rc != EXS_OK) {
        goto done;
    }

    now = exs_filetime_now();

    if (exs_props_get(&bag, PR_CREATION_TIME) == NULL) {
        rc = exs_props_set_i8(a, &bag, PR_CREATION_TIME, now);
    }

    if (rc == EXS_OK) {
        rc = exs_props_set_i8(a, &bag, PR_LAST_MODIFICATION_TIME, now);
    }

    if (rc == EXS_OK) {
        rc = ((flags & EXS_KEEP_KEYS) && exs_props_get(&bag, PR_CHANGE_KEY))
             ? exs_keep_keys(&bag, a) : exs_change_keys(mb, &bag, cn, a);
    }

    if (rc != EXS_OK) {
        goto done;
    }

    memset(&h, 0, sizeof(exs_folder_hdr_t));
    h.type = (uint8_t) type;
    h.parent = parent;
    h.cn = cn;
    h.creator = mb->user;
    h.next_uid = 1;
    h.uidvalidity = (uint32_t) fid;

    rc = exs_folder_write(mb, fid, &h, &bag, NULL);
    if (rc != EXS_OK) {
        goto done;
    }

    exs_le64(v, fid);

    rc = exs_db_put(mb->txn, EXS_DB_CHILD, k.b, k.len, v, 8, 0);

    if (rc == EXS_OK) {
        rc = exs_folder_parent_update(mb, parent, 1, 0);
    }

    if (rc == EXS_OK) {
        rc = exs_change_log(mb, cn, EXS_CHANGE_CREATE, EXS_CHANGE_FOLDER,
                            fid, parent, 0, 0);
    }

    if (rc == EXS_OK && fidp) {
        *fidp = fid;
    }

done:

    exs_arena_destroy(a);

    return rc;
}


/* properties */

static const uint32_t  exs_folder_computed_tags[] = {
    PR_ENTRYID, PR_RECORD_KEY, PR_SOURCE_KEY, PR_PARENT_ENTRYID,
    PR_PARENT_SOURCE_KEY, PR_FID, PR_PARENT_FID, PR_CHANGE_NUMBER,
    PR_CONTENT_COUNT, PR_CONTENT_UNREAD, PR_ASSOC_CONTENT_COUNT,
    PR_SUBFOLDERS, PR_FOLDER_CHILD_COUNT, PR_MESSAGE_SIZE_EXTENDED,
    PR_NORMAL_MESSAGE_SIZE_EXTENDED, PR_ASSOC_MESSAGE_SIZE_EXTENDED,
    PR_DELETED_MSG_COUNT, PR_DELETED_ASSOC_MSG_COUNT,
    PR_DELETED_FOLDER_COUNT, PR_DELETED_COUNT_TOTAL, PR_FOLDER_TYPE,
    PR_RIGHTS, PR_ACCESS, PR_ACCESS_LEVEL, PR_OBJECT_TYPE, PR_DELETED_ON,
    PR_HIERARCHY_CHANGE_NUM, PR_LOCAL_COMMIT_TIME_MAX, PR_STORE_RECORD_KEY,
    PR_MAPPING_SIGNATURE, PR_HAS_RULES
};


static int
exs_folder_source_key(exs_mbox_t *mb, exs_id_t fid, exs_prop_t *out,
    exs_arena_t *a)
{
    int           rc;
    uint8_t      *xid;
    exs_prop_t   *p;
    exs_props_t   props;

    rc = exs_folder_load(mb, fid, NULL, &props, 0, a);

    if (rc == EXS_OK) {
        p = exs_props_get(&props, PR_SOURCE_KEY);
        if (p) {
            *out = *p;
            return EXS_OK;
        }
    }

    xid = exs_alloc(a, EXS_XID_LEN);
    if (xid == NULL) {
        return EXS_NOMEM;
    }

    exs_xid(mb->st->rec.guid, fid, xid);
    out->tag = PR_SOURCE_KEY;
    out->v.bin.data = xid;
    out->v.bin.len = EXS_XID_LEN;

    return EXS_OK;
}


int
exs_folder_computed(exs_mbox_t *mb, exs_id_t fid, const exs_folder_hdr_t *h,
    const exs_props_t *stored, uint32_t tag, exs_prop_t *out, exs_arena_t *a)
{
    int          rc;
    uint8_t     *p;
    uint32_t     rights;
    exs_prop_t  *sp;

    if (PROP_TYPE(tag) == PT_UNSPECIFIED) {
        /* the canonical type of the computed ones */
        switch (PROP_ID(tag)) {
        case 0x0E08:
            tag = PR_MESSAGE_SIZE_EXTENDED;
            break;
        default:
            for (rc = 0; rc < (int) (sizeof(exs_folder_computed_tags)
                                     / sizeof(uint32_t)); rc++)
            {
                if (PROP_ID(exs_folder_computed_tags[rc]) == PROP_ID(tag)) {
                    tag = exs_folder_computed_tags[rc];
                    break;
                }
            }
        }
    }

    out->tag = tag;

    switch (tag) {

    case PR_ENTRYID:
    case PR_PARENT_ENTRYID:
        if (tag == PR_PARENT_ENTRYID && h->parent == 0) {
            return EXS_NOTFOUND;
        }

        p = exs_alloc(a, EXS_FOLDER_ENTRYID_LEN);
        if (p == NULL) {
            return EXS_NOMEM;
        }

        exs_folder_entryid(mb, tag == PR_ENTRYID ? fid : h->parent, p);
        out->v.bin.data = p;
        out->v.bin.len = EXS_FOLDER_ENTRYID_LEN;
        return EXS_OK;

    case PR_RECORD_KEY:
        p = exs_alloc(a, EXS_XID_LEN);
        if (p == NULL) {
            return EXS_NOMEM;
        }

        exs_xid(mb->st->rec.guid, fid, p);
        out->v.bin.data = p;
        out->v.bin.len = EXS_XID_LEN;
        return EXS_OK;

    case PR_SOURCE_KEY:
        sp = stored ? exs_props_get(stored, PR_SOURCE_KEY) : NULL;
        if (sp) {
            *out = *sp;
            return EXS_OK;
        }

        p = exs_alloc(a, EXS_XID_LEN);
        if (p == NULL) {
            return EXS_NOMEM;
        }

        exs_xid(mb->st->rec.guid, fid, p);
        out->v.bin.data = p;
        out->v.bin.len = EXS_XID_LEN;
        return EXS_OK;

    case PR_PARENT_SOURCE_KEY:
        if (h->parent == 0) {
            out->v.bin.data = (const uint8_t *) "";
            out->v.bin.len = 0;
            return EXS_OK;
        }

        rc = exs_folder_source_key(mb, h->parent, out, a);
        out->tag = tag;
        return rc;

    case PR_FID:
        out->v.ll = (int64_t) exs_id_to_eid(mb->st->rec.replid, fid);
        return EXS_OK;

    case PR_PARENT_FID:
        out->v.ll = h->parent
                    ? (int64_t) exs_id_to_eid(mb->st->rec.replid, h->parent)
                    : 0;
        return EXS_OK;

    case PR_CHANGE_NUMBER:
        out->v.ll = (int64_t) exs_id_to_eid(mb->st->rec.replid, h->cn);
        return EXS_OK;

    case PR_CONTENT_COUNT:
        out->v.l = (int32_t) h->count[EXS_VIEW_NORMAL];
        return EXS_OK;

    case PR_CONTENT_UNREAD:
        out->v.l = (int32_t) h->unread;
        return EXS_OK;

    case PR_ASSOC_CONTENT_COUNT:
        out->v.l = (int32_t) h->count[EXS_VIEW_ASSOC];
        return EXS_OK;

    case PR_DELETED_MSG_COUNT:
        out->v.l = (int32_t) h->count[EXS_VIEW_DEL_NORMAL];
        return EXS_OK;

    case PR_DELETED_ASSOC_MSG_COUNT:
        out->v.l = (int32_t) h->count[EXS_VIEW_DEL_ASSOC];
        return EXS_OK;

    case PR_DELETED_FOLDER_COUNT:
        out->v.l = (int32_t) h->nchild_del;
        return EXS_OK;

    case PR_DELETED_COUNT_TOTAL:
        out->v.l = (int32_t) (h->count[EXS_VIEW_DEL_NORMAL]
                              + h->count[EXS_VIEW_DEL_ASSOC]
                              + h->nchild_del);
        return EXS_OK;

    case PR_SUBFOLDERS:
        out->v.b = h->nchild ? 1 : 0;
        return EXS_OK;

    case PR_FOLDER_CHILD_COUNT:
        out->v.l = (int32_t) h->nchild;
        return EXS_OK;

    case PR_MESSAGE_SIZE:
        out->v.l = h->size[0] + h->size[1] > INT32_MAX
                   ? INT32_MAX : (int32_t) (h->size[0] + h->size[1]);
        return EXS_OK;

    case PR_MESSAGE_SIZE_EXTENDED:
        out->v.ll = h->size[0] + h->size[1];
        return EXS_OK;

    case PR_NORMAL_MESSAGE_SIZE_EXTENDED:
        out->v.ll = h->size[0];
        return EXS_OK;

    case PR_ASSOC_MESSAGE_SIZE_EXTENDED:
        out->v.ll = h->size[1];
        return EXS_OK;

    case PR_FOLDER_TYPE:
        out->v.l = h->type;
        return EXS_OK;

    case PR_RIGHTS:
    case PR_ACCESS:
    case PR_ACCESS_LEVEL:
        rc = exs_folder_rights(mb, fid, &rights);
        if (rc != EXS_OK) {
            return rc;
        }

        if (tag == PR_RIGHTS) {
            out->v.l = (int32_t) rights;
            return EXS_OK;
        }

        out->v.l = 0;

        if (rights & (EXS_RIGHT_READ_ANY | EXS_RIGHT_VISIBLE)) {
            out->v.l |= EXS_ACCESS_READ;
        }

        if (rights & EXS_RIGHT_OWNER) {
            out->v.l |= EXS_ACCESS_MODIFY | EXS_ACCESS_ASSOCIATED;
            if (!(h->flags & EXS_FOLDER_SPECIAL)) {
                out->v.l |= EXS_ACCESS_DELETE;
            }
        }

        if (rights & EXS_RIGHT_CREATE_SUB) {
            out->v.l |= EXS_ACCESS_HIERARCHY;
        }

        if (rights & EXS_RIGHT_CREATE) {
            out->v.l |= EXS_ACCESS_CONTENTS;
        }

        if (tag == PR_ACCESS_LEVEL) {
            out->v.l = (out->v.l & EXS_ACCESS_MODIFY) ? 1 : 0;
        }

        return EXS_OK;

    case PR_OBJECT_TYPE:
        out->v.l = 3;       /* MAPI_FOLDER */
        return EXS_OK;

    case PR_DELETED_ON:
        if (!(h->flags & EXS_FOLDER_DELETED)) {
            return EXS_NOTFOUND;
        }
        out->v.ll = h->deleted_on;
        return EXS_OK;

    case PR_HIERARCHY_CHANGE_NUM:
        out->v.l = (int32_t) h->hier_changes;
        return EXS_OK;

    case PR_LOCAL_COMMIT_TIME_MAX:
        if (h->content_time == 0) {
            return EXS_NOTFOUND;
        }
        out->v.ll = h->content_time;
        return EXS_OK;

    case PR_STORE_RECORD_KEY:
    case PR_MAPPING_SIGNATURE:
        out->v.bin.data = exs_memdup(a, mb->st->rec.guid, 16);
        out->v.bin.len = 16;
        return out->v.bin.data ? EXS_OK : EXS_NOMEM;

    case PR_HAS_RULES:
        out->v.b = 0;
        return EXS_OK;

    default:
        return EXS_NOTFOUND;
    }
}


int
exs_folder_get(exs_mbox_t *mb, exs_id_t fid, const uint32_t *tags,
    uint32_t ntags, exs_props_t *out, exs_arena_t *a)
{
    int               rc;
    uint32_t          i;
    exs_prop_t        p, *sp;
    exs_props_t       stored;
    exs_folder_hdr_t  h;

    out->n = 0;
    out->cap = 0;
    out->v = NULL;

    rc = exs_folder_load(mb, fid, &h, &stored, 0, a);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_check(mb, fid, EXS_RIGHT_VISIBLE, 0);
    if (rc != EXS_OK) {
        rc = exs_mbox_check(mb, fid, EXS_RIGHT_READ_ANY, 0);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    if (ntags == 0) {
        for (i = 0; i < stored.n; i++) {
            p = stored.v[i];

            rc = exs_prop_resolve(mb->txn, &p, a);
            if (rc == EXS_OK) {
                rc = exs_props_set(a, out, &p);
            }

            if (rc != EXS_OK) {
                return rc;
            }
        }

        tags = exs_folder_computed_tags;
        ntags = sizeof(exs_folder_computed_tags) / sizeof(uint32_t);
    }

    for (i = 0; i < ntags; i++) {
        if (exs_props_get(out, tags[i])) {
            continue;
        }

        sp = exs_tag_computed_folder(tags[i]) && tags[i] != PR_SOURCE_KEY
             && tags[i] != PR_CHANGE_KEY
             && tags[i] != PR_PREDECESSOR_CHANGE_LIST
             && tags[i] != PR_LAST_MODIFICATION_TIME
             ? NULL : exs_props_get(&stored, tags[i]);

        if (sp) {
            p = *sp;
            rc = exs_prop_resolve(mb->txn, &p, a);

        } else {
            rc = exs_folder_computed(mb, fid, &h, &stored, tags[i], &p, a);
            if (rc == EXS_NOTFOUND) {
                continue;
            }
        }

        if (rc == EXS_OK) {
            rc = exs_props_set(a, out, &p);
        }

        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


static int
exs_folder_update_props(exs_mbox_t *mb, exs_id_t fid,
    const exs_props_t *set, const uint32_t *del, uint32_t ndel)
{
    int               rc;
    uint8_t           v[8];
    uint32_t          i;
    uint64_t          cn;
    exs_key_t         ok, nk;
    const char       *old, *name;
    exs_arena_t      *a;
    exs_props_t       props;
    exs_folder_hdr_t  h;
    MDB_val           val;

    if (set && exs_props_validate(set) != EXS_OK) {
        return EXS_INVALID;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_folder_load(mb, fid, &h, &props, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        goto done;
    }

    rc = exs_mbox_check(mb, fid, EXS_RIGHT_OWNER, 0);
    if (rc != EXS_OK) {
        goto done;
    }

    old = exs_props_name(&props);

    for (i = 0; set && i < set->n; i++) {
        if (exs_tag_computed_folder(set->v[i].tag)
            || PROP_TYPE(set->v[i].tag) == PT_OBJECT)
        {
            continue;
        }

        rc = exs_props_set(a, &props, &set->v[i]);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    for (i = 0; i < ndel; i++) {
        if (PROP_ID(del[i]) == PROP_ID(PR_DISPLAY_NAME)) {
            rc = EXS_DENIED;
            goto done;
        }

        if (!exs_tag_computed_folder(del[i])) {
            (void) exs_props_del(&props, del[i]);
        }
    }

    name = exs_props_name(&props);

    if (name == NULL && h.parent) {
        rc = EXS_INVALID;
        goto done;
    }

    if (old && name && strcmp(old, name) != 0 && h.parent) {
        if ((h.flags & EXS_FOLDER_SPECIAL) && mb->user != 0) {
            rc = EXS_DENIED;
            goto done;
        }

        if (h.flags & EXS_FOLDER_DELETED) {
            rc = EXS_NOTFOUND;
            goto done;
        }

        exs_child_key(&ok, mb->id, h.parent, old);
        exs_child_key(&nk, mb->id, h.parent, name);

        if (ok.len != nk.len || memcmp(ok.b, nk.b, ok.len) != 0) {
            rc = exs_db_get(mb->txn, EXS_DB_CHILD, nk.b, nk.len, &val);
            if (rc == EXS_OK) {
                rc = EXS_EXISTS;
                goto done;
            }

            if (rc != EXS_NOTFOUND) {
                goto done;
            }

            rc = exs_db_del(mb->txn, EXS_DB_CHILD, ok.b, ok.len);
            if (rc != EXS_OK) {
                rc = exs_txn_fail(mb->txn,
                                  rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
                goto done;
            }

            exs_le64(v, fid);
            rc = exs_db_put(mb->txn, EXS_DB_CHILD, nk.b, nk.len, v, 8, 0);
            if (rc != EXS_OK) {
                goto done;
            }
        }
    }

    rc = exs_mbox_alloc_id(mb, &cn);

    if (rc == EXS_OK) {
        rc = exs_props_set_i8(a, &props, PR_LAST_MODIFICATION_TIME,
                              exs_filetime_now());
    }

    if (rc == EXS_OK) {
        rc = exs_change_keys(mb, &props, cn, a);
    }

    if (rc != EXS_OK) {
        rc = exs_txn_fail(mb->txn, rc);
        goto done;
    }

    h.cn = cn;

    rc = exs_folder_rewrite(mb, fid, &h, &props, a);

    if (rc == EXS_OK && h.parent) {
        rc = exs_folder_parent_update(mb, h.parent, 0, 0);
    }

    if (rc == EXS_OK) {
        rc = exs_change_log(mb, cn, EXS_CHANGE_MODIFY, EXS_CHANGE_FOLDER, fid,
                            h.parent, 0, 0);
    }

done:

    exs_arena_destroy(a);

    return rc;
}


int
exs_folder_set(exs_mbox_t *mb, exs_id_t fid, const exs_props_t *props)
{
    return exs_folder_update_props(mb, fid, props, NULL, 0);
}


int
exs_folder_delprops(exs_mbox_t *mb, exs_id_t fid, const uint32_t *tags,
    uint32_t ntags)
{
    return exs_folder_update_props(mb, fid, NULL, tags, ntags);
}


int
exs_folder_parent(exs_mbox_t *mb, exs_id_t fid, exs_id_t *parent)
{
    int               rc;
    exs_folder_hdr_t  h;

    rc = exs_folder_hdr(mb, fid, &h);
    if (rc != EXS_OK) {
        return rc;
    }

    *parent = h.parent;

    return EXS_OK;
}


int
exs_folder_by_name(exs_mbox_t *mb, exs_id_t parent, const char *name,
    exs_id_t *fid)
{
    int        rc;
    MDB_val    v;
    exs_key_t  k;

    if (name == NULL || *name == '\0') {
        return EXS_INVALID;
    }

    exs_child_key(&k, mb->id, parent, name);

    rc = exs_db_get(mb->txn, EXS_DB_CHILD, k.b, k.len, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size != 8) {
        return EXS_CORRUPT;
    }

    *fid = exs_get_le64(v.mv_data);

    return EXS_OK;
}


int
exs_folder_info(exs_mbox_t *mb, exs_id_t fid, exs_folder_info_t *info)
{
    int               rc;
    exs_folder_hdr_t  h;

    rc = exs_folder_hdr(mb, fid, &h);
    if (rc != EXS_OK) {
        return rc;
    }

    memset(info, 0, sizeof(exs_folder_info_t));
    info->parent = h.parent;
    info->type = h.type;
    info->special = (h.flags & EXS_FOLDER_SPECIAL) ? 1 : 0;
    info->deleted = (h.flags & EXS_FOLDER_DELETED) ? 1 : 0;
    info->cn = h.cn;
    info->content_cn = h.content_cn;
    info->count = h.count[EXS_VIEW_NORMAL];
    info->unread = h.unread;
    info->assoc_count = h.count[EXS_VIEW_ASSOC];
    info->deleted_count = h.count[EXS_VIEW_DEL_NORMAL];
    info->children = h.nchild;
    info->uidnext = h.next_uid;
    info->uidvalidity = h.uidvalidity;
    info->size = h.size[0] + h.size[1];

    return EXS_OK;
}


/* walking a folder's contents and children (collected first: the caller
 * changes what it walks) */

static int
exs_folder_messages(exs_mbox_t *mb, exs_id_t fid, int view, exs_id_t **mids,
    uint32_t *n)
{
    exs_key_t  k;

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, fid);
    exs_key_u8(&k, (uint8_t) view);

    /* idx.time: mailbox, folder, view, time, mid */
    return exs_scan_ids(mb->txn, EXS_DB_IDX_TIME, k.b, k.len, 21, 0, mids, n);
}


static int
exs_folder_children(exs_mbox_t *mb, exs_id_t fid, int deleted,
    exs_id_t **fids, uint32_t *n)
{
    exs_key_t  k;

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, fid);
    exs_key_u8(&k, deleted ? 1 : 0);

    return exs_scan_ids(mb->txn, EXS_DB_CHILD, k.b, k.len, -1, 0, fids, n);
}


int
exs_folder_list_children(exs_mbox_t *mb, exs_id_t fid, int deleted,
    exs_id_t **fids, uint32_t *n, exs_arena_t *a)
{
    int        rc;
    exs_id_t  *v;

    rc = exs_folder_children(mb, fid, deleted, &v, n);
    if (rc != EXS_OK) {
        return rc;
    }

    *fids = *n ? exs_memdup(a, v, *n * sizeof(exs_id_t))
               : exs_alloc(a, sizeof(exs_id_t));
    free(v);

    return *fids ? EXS_OK : EXS_NOMEM;
}


/* hard delete of a folder with everything below it; the caller removes
 * its key under the parent */

static int
exs_folder_destroy(exs_mbox_t *mb, exs_id_t fid, unsigned depth)
{
    int               rc, view, del;
    uint32_t          i, n;
    uint64_t          cn;
    exs_id_t         *ids;
    MDB_val           val;
    exs_key_t         k;
    exs_rbuf_t        b;
    exs_msg_hdr_t     mh;
    exs_folder_hdr_t  h;

    if (depth > EXS_MAX_DEPTH) {
        return exs_txn_fail(mb->txn, EXS_CORRUPT);
    }

    rc = exs_folder_hdr(mb, fid, &h);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
    }

    for (del = 0; del < 2; del++) {
        rc = exs_folder_children(mb, fid, del, &ids, &n);
        if (rc != EXS_OK) {
            return exs_txn_fail(mb->txn, rc);
        }

        for (i = 0; i < n; i++) {
            rc = exs_folder_destroy(mb, ids[i], depth + 1);
            if (rc != EXS_OK) {
                free(ids);
                return rc;
            }
        }

        free(ids);
    }

    for (view = 0; view < 4; view++) {
        rc = exs_folder_messages(mb, fid, view, &ids, &n);
        if (rc != EXS_OK) {
            return exs_txn_fail(mb->txn, rc);
        }

        for (i = 0; i < n; i++) {
            rc = exs_msg_load(mb, ids[i], &mh, NULL, 0, NULL);
            if (rc == EXS_OK) {
                rc = exs_msg_remove(mb, ids[i], &mh, 0);
            }

            if (rc != EXS_OK) {
                free(ids);
                return exs_txn_fail(mb->txn,
                                    rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
            }
        }

        free(ids);
    }

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, fid);

    /* the keys of the subfolders destroyed above, and the permissions */

    rc = exs_db_del_prefix(mb->txn, EXS_DB_CHILD, k.b, k.len);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_db_del_prefix(mb->txn, EXS_DB_PERM, k.b, k.len);
    if (rc != EXS_OK) {
        return rc;
    }

    /* the record and its blob references */
    rc = exs_db_get(mb->txn, EXS_DB_FOLDER, k.b, k.len, &val);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
    }

    exs_rbuf_init(&b, (uint8_t *) val.mv_data + EXS_FOLDER_HDR_LEN,
                  val.mv_size - EXS_FOLDER_HDR_LEN);

    rc = exs_bag_release(mb->txn, &b);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc);
    }

    rc = exs_db_del(mb->txn, EXS_DB_FOLDER, k.b, k.len);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
    }

    rc = exs_mbox_alloc_id(mb, &cn);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc);
    }

    return exs_change_log(mb, cn, EXS_CHANGE_DELETE, EXS_CHANGE_FOLDER, fid,
                          h.parent, 0, 0);
}


int
exs_folder_delete(exs_mbox_t *mb, exs_id_t fid, unsigned flags)
{
    int               rc;
    uint8_t           v[8];
    uint64_t          cn;
    exs_key_t         k;
    exs_arena_t      *a;
    exs_props_t       props;
    exs_folder_hdr_t  h;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_folder_load(mb, fid, &h, &props, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        goto done;
    }

    if ((h.flags & EXS_FOLDER_SPECIAL) || h.parent == 0) {
        rc = EXS_DENIED;
        goto done;
    }

    rc = exs_mbox_check(mb, fid, EXS_RIGHT_OWNER, 0);
    if (rc != EXS_OK) {
        goto done;
    }

    if (!(flags & EXS_DEL_MESSAGES)
        && (h.count[EXS_VIEW_NORMAL] || h.count[EXS_VIEW_ASSOC]))
    {
        rc = EXS_CONFLICT;
        goto done;
    }

    if (!(flags & EXS_DEL_FOLDERS) && h.nchild) {
        rc = EXS_CONFLICT;
        goto done;
    }

    if (h.flags & EXS_FOLDER_DELETED) {
        if (!(flags & EXS_DEL_HARD)) {
            rc = EXS_OK;
            goto done;
        }

        exs_child_del_key(&k, mb->id, h.parent, fid);

    } else {
        if (exs_props_name(&props) == NULL) {
            rc = EXS_CORRUPT;
            goto done;
        }

        exs_child_key(&k, mb->id, h.parent, exs_props_name(&props));
    }

    if (exs_txn_rdonly(mb->txn)) {
        rc = EXS_DENIED;
        goto done;
    }

    rc = exs_db_del(mb->txn, EXS_DB_CHILD, k.b, k.len);
    if (rc != EXS_OK) {
        rc = exs_txn_fail(mb->txn, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
        goto done;
    }

    if (flags & EXS_DEL_HARD) {
        rc = exs_folder_destroy(mb, fid, 0);

        if (rc == EXS_OK) {
            rc = (h.flags & EXS_FOLDER_DELETED)
                 ? exs_folder_parent_update(mb, h.parent, 0, -1)
                 : exs_folder_parent_update(mb, h.parent, -1, 0);
        }

        goto done;
    }

    /* soft: the folder moves aside under its parent, contents and all */

    exs_child_del_key(&k, mb->id, h.parent, fid);
    exs_le64(v, fid);

    rc = exs_db_put(mb->txn, EXS_DB_CHILD, k.b, k.len, v, 8, 0);

    if (rc == EXS_OK) {
        rc = exs_mbox_alloc_id(mb, &cn);
    }

    if (rc == EXS_OK) {
        h.flags |= EXS_FOLDER_DELETED;
        h.deleted_on = exs_filetime_now();
        rc = exs_folder_hdr_update(mb, fid, &h);
    }

    if (rc == EXS_OK) {
        rc = exs_folder_parent_update(mb, h.parent, -1, 1);
    }

    if (rc == EXS_OK) {
        rc = exs_change_log(mb, cn, EXS_CHANGE_SOFT_DELETE,
                            EXS_CHANGE_FOLDER, fid, h.parent, 0, 0);
    }

    rc = exs_txn_fail(mb->txn, rc);

done:

    exs_arena_destroy(a);

    return rc;
}


int
exs_folder_move(exs_mbox_t *mb, exs_id_t fid, exs_id_t new_parent,
    const char *name)
{
    int               rc;
    uint8_t           v[8];
    uint64_t          cn;
    exs_id_t          old_parent;
    MDB_val           val;
    exs_key_t         ok, nk;
    const char       *old;
    exs_arena_t      *a;
    exs_props_t       props;
    exs_folder_hdr_t  h, ph;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_folder_load(mb, fid, &h, &props, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        goto done;
    }

    if ((h.flags & EXS_FOLDER_SPECIAL) || h.parent == 0) {
        rc = EXS_DENIED;
        goto done;
    }

    if (h.flags & EXS_FOLDER_DELETED) {
        rc = EXS_NOTFOUND;
        goto done;
    }

    rc = exs_folder_live(mb, new_parent, &ph);
    if (rc != EXS_OK) {
        goto done;
    }

    if (ph.type == EXS_FOLDER_SEARCH
        || exs_folder_is_ancestor(mb, fid, new_parent))
    {
        /* no folder goes below itself */
        rc = EXS_INVALID;
        goto done;
    }

    rc = exs_mbox_check(mb, fid, EXS_RIGHT_OWNER, 0);
    if (rc == EXS_OK) {
        rc = exs_mbox_check(mb, new_parent, EXS_RIGHT_CREATE_SUB, 0);
    }

    if (rc != EXS_OK) {
        goto done;
    }

    old = exs_props_name(&props);
    if (old == NULL) {
        rc = EXS_CORRUPT;
        goto done;
    }

    if (name == NULL || *name == '\0') {
        name = old;
    }

    old_parent = h.parent;
    exs_child_key(&ok, mb->id, old_parent, old);
    exs_child_key(&nk, mb->id, new_parent, name);

    if (ok.len != nk.len || memcmp(ok.b, nk.b, ok.len) != 0) {
        rc = exs_db_get(mb->txn, EXS_DB_CHILD, nk.b, nk.len, &val);
        if (rc == EXS_OK) {
            rc = EXS_EXISTS;
            goto done;
        }

        if (rc != EXS_NOTFOUND) {
            goto done;
        }
    }

    if (exs_txn_rdonly(mb->txn)) {
        rc = EXS_DENIED;
        goto done;
    }

    rc = exs_db_del(mb->txn, EXS_DB_CHILD, ok.b, ok.len);
    if (rc != EXS_OK) {
        rc = exs_txn_fail(mb->txn, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
        goto done;
    }

    exs_le64(v, fid);

    rc = exs_db_put(mb->txn, EXS_DB_CHILD, nk.b, nk.len, v, 8, 0);

    if (rc == EXS_OK && strcmp(name, old) != 0) {
        rc = exs_props_set_str(a, &props, PR_DISPLAY_NAME, name,
                               strlen(name));
    }

    if (rc == EXS_OK) {
        rc = exs_mbox_alloc_id(mb, &cn);
    }

    if (rc == EXS_OK) {
        rc = exs_props_set_i8(a, &props, PR_LAST_MODIFICATION_TIME,
                              exs_filetime_now());
    }

    if (rc == EXS_OK) {
        rc = exs_change_keys(mb, &props, cn, a);
    }

    if (rc == EXS_OK) {
        h.parent = new_parent;
        h.cn = cn;
        rc = exs_folder_rewrite(mb, fid, &h, &props, a);
    }

    if (rc == EXS_OK) {
        rc = exs_folder_parent_update(mb, old_parent, -1, 0);
    }

    if (rc == EXS_OK) {
        rc = exs_folder_parent_update(mb, new_parent, 1, 0);
    }

    if (rc == EXS_OK) {
        rc = exs_change_log(mb, cn, EXS_CHANGE_MOVE, EXS_CHANGE_FOLDER, fid,
                            new_parent, fid, old_parent);
    }

    rc = exs_txn_fail(mb->txn, rc);

done:

    exs_arena_destroy(a);

    return rc;
}


static int
exs_folder_copy_tree(exs_mbox_t *mb, exs_id_t fid, exs_id_t new_parent,
    const char *name, int recursive, exs_id_t *new_fid, unsigned depth)
{
    int               rc, view;
    uint32_t          i, n;
    exs_id_t          nfid, *ids;
    exs_arena_t      *a;
    exs_props_t       props, bag;
    exs_folder_hdr_t  h;

    if (depth > EXS_MAX_DEPTH) {
        return EXS_TOOBIG;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_folder_load(mb, fid, &h, &props, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        goto done;
    }

    /* the copy keeps the values, out-of-line ones loaded back */
    rc = exs_bag_resolve(mb->txn, &props, a);
    if (rc != EXS_OK) {
        goto done;
    }

    bag.n = 0;
    bag.cap = 0;
    bag.v = NULL;

    for (i = 0; i < props.n; i++) {
        if (props.v[i].tag == PR_CREATION_TIME
            || props.v[i].tag == PR_ATTR_HIDDEN)
        {
            continue;
        }

        rc = exs_props_set(a, &bag, &props.v[i]);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    if (name && *name) {
        rc = exs_props_set_str(a, &bag, PR_DISPLAY_NAME, name, strlen(name));
        if (rc != EXS_OK) {
            goto done;
        }
    }

    rc = exs_folder_create(mb, new_parent, &bag,
                           h.type == EXS_FOLDER_SEARCH ? EXS_FOLDER_SEARCH
                                                       : EXS_FOLDER_GENERIC,
                           0, &nfid);
    if (rc != EXS_OK) {
        goto done;
    }

    for (view = 0; view < 2; view++) {
        rc = exs_folder_messages(mb, fid, view, &ids, &n);
        if (rc != EXS_OK) {
            goto done;
        }

        rc = n ? exs_message_copy(mb, ids, n, nfid, NULL) : EXS_OK;
        free(ids);

        if (rc != EXS_OK) {
            goto done;
        }
    }

    if (recursive) {
        rc = exs_folder_children(mb, fid, 0, &ids, &n);
        if (rc != EXS_OK) {
            goto done;
        }

        for (i = 0; i < n; i++) {
            rc = exs_folder_copy_tree(mb, ids[i], nfid, NULL, 1, NULL,
                                      depth + 1);
            if (rc != EXS_OK) {
                break;
            }
        }

        free(ids);
    }

    if (rc == EXS_OK && new_fid) {
        *new_fid = nfid;
    }

done:

    exs_arena_destroy(a);

    return rc;
}


int
exs_folder_copy(exs_mbox_t *mb, exs_id_t fid, exs_id_t new_parent,
    const char *name, int recursive, exs_id_t *new_fid)
{
    int               rc;
    exs_folder_hdr_t  h;

    rc = exs_folder_live(mb, fid, &h);
    if (rc != EXS_OK) {
        return rc;
    }

    if (h.parent == 0 || exs_folder_is_ancestor(mb, fid, new_parent)) {
        return EXS_INVALID;
    }

    rc = exs_mbox_check(mb, fid, EXS_RIGHT_READ_ANY, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_folder_copy_tree(mb, fid, new_parent, name, recursive, new_fid,
                              0);

    /* a copy that stopped half way must not commit */
    if (rc != EXS_OK && rc != EXS_EXISTS && rc != EXS_DENIED) {
        exs_txn_fail(mb->txn, rc);
    }

    return rc;
}


int
exs_folder_empty(exs_mbox_t *mb, exs_id_t fid, unsigned flags)
{
    int               rc, view;
    uint32_t          i, n;
    exs_id_t         *ids;
    exs_folder_hdr_t  h;

    rc = exs_folder_live(mb, fid, &h);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_check(mb, fid, EXS_RIGHT_DELETE_ANY, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    for (view = 0; view < 2; view++) {
        if (view == EXS_VIEW_ASSOC && !(flags & EXS_DEL_ASSOCIATED)) {
            continue;
        }

        rc = exs_folder_messages(mb, fid, view, &ids, &n);
        if (rc != EXS_OK) {
            return rc;
        }

        rc = n ? exs_message_delete(mb, ids, n, flags & EXS_DEL_HARD)
               : EXS_OK;
        free(ids);

        if (rc != EXS_OK) {
            return exs_txn_fail(mb->txn, rc);
        }
    }

    if (flags & EXS_DEL_FOLDERS) {
        rc = exs_folder_children(mb, fid, 0, &ids, &n);
        if (rc != EXS_OK) {
            return rc;
        }

        for (i = 0; i < n; i++) {
            rc = exs_folder_delete(mb, ids[i],
                                   EXS_DEL_MESSAGES | EXS_DEL_FOLDERS
                                   | (flags & EXS_DEL_HARD));
            if (rc == EXS_DENIED) {
                /* special folders stay, emptied */
                rc = exs_folder_empty(mb, ids[i], flags);
            }

            if (rc != EXS_OK) {
                break;
            }
        }

        free(ids);

        if (rc != EXS_OK) {
            return exs_txn_fail(mb->txn, rc);
        }
    }

    return EXS_OK;
}


/* search folders */

int
exs_folder_set_search(exs_mbox_t *mb, exs_id_t fid,
    const exs_restriction_t *res, const exs_id_t *scope, uint32_t nscope,
    uint32_t flags)
{
    int               rc;
    uint32_t          i;
    exs_wbuf_t        s;
    exs_arena_t      *a;
    exs_props_t       props;
    exs_folder_hdr_t  h, sh;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_folder_load(mb, fid, &h, &props, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        goto done;
    }

    if (h.type != EXS_FOLDER_SEARCH) {
        rc = EXS_INVALID;
        goto done;
    }

    rc = exs_mbox_check(mb, fid, EXS_RIGHT_OWNER, 0);
    if (rc != EXS_OK) {
        goto done;
    }

    for (i = 0; i < nscope; i++) {
        rc = exs_folder_hdr(mb, scope[i], &sh);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    exs_wbuf_init(&s);
    exs_wbuf_u32(&s, flags);
    exs_wbuf_varint(&s, nscope);

    for (i = 0; i < nscope; i++) {
        exs_wbuf_u64(&s, scope[i]);
    }

    exs_wbuf_u8(&s, res ? 1 : 0);
    if (res) {
        exs_res_encode(&s, res);
    }

    rc = s.err;

    if (rc == EXS_OK) {
        h.flags |= EXS_FOLDER_HAS_SEARCH;
        rc = exs_folder_write(mb, fid, &h, &props, &s);
    }

    if (rc == EXS_OK) {
        rc = exs_props_release(mb->txn, &props);
    }

    exs_wbuf_free(&s);

    rc = exs_txn_fail(mb->txn, rc);

done:

    exs_arena_destroy(a);

    return rc;
}


static int
exs_folder_search_get(const MDB_val *v, exs_restriction_t **res,
    exs_id_t **scope, uint32_t *nscope, uint32_t *flags, exs_arena_t *a)
{
    int          rc;
    uint32_t     i;
    exs_rbuf_t   b;

    exs_rbuf_init(&b, (uint8_t *) v->mv_data + EXS_FOLDER_HDR_LEN,
                  v->mv_size - EXS_FOLDER_HDR_LEN);

    rc = exs_bag_skip(&b);
    if (rc != EXS_OK) {
        return rc;
    }

    *flags = exs_rbuf_u32(&b);
    *nscope = exs_rbuf_count(&b, 8);

    if (b.err != EXS_OK) {
        return EXS_CORRUPT;
    }

    *scope = exs_alloc(a, (*nscope ? *nscope : 1) * sizeof(exs_id_t));
    if (*scope == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < *nscope; i++) {
        (*scope)[i] = exs_rbuf_u64(&b);
    }

    *res = NULL;

    if (exs_rbuf_u8(&b)) {
        *res = exs_alloc(a, sizeof(exs_restriction_t));
        if (*res == NULL) {
            return EXS_NOMEM;
        }

        rc = exs_res_decode(&b, *res, a, 0);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return (b.err == EXS_OK && b.p == b.end) ? EXS_OK : EXS_CORRUPT;
}


int
exs_folder_get_search(exs_mbox_t *mb, exs_id_t fid, exs_restriction_t **res,
    exs_id_t **scope, uint32_t *nscope, uint32_t *flags, exs_arena_t *a)
{
    int               rc;
    MDB_val           v;
    exs_key_t         k;
    exs_folder_hdr_t  h;

    *res = NULL;
    *scope = NULL;
    *nscope = 0;
    *flags = 0;

    exs_folder_key(mb, fid, &k);

    rc = exs_db_get(mb->txn, EXS_DB_FOLDER, k.b, k.len, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size < EXS_FOLDER_HDR_LEN) {
        return EXS_CORRUPT;
    }

    exs_folder_hdr_get(v.mv_data, &h);

    if (h.type != EXS_FOLDER_SEARCH) {
        return EXS_INVALID;
    }

    if (!(h.flags & EXS_FOLDER_HAS_SEARCH)) {
        return EXS_NOTFOUND;
    }

    return exs_folder_search_get(&v, res, scope, nscope, flags, a);
}


/* permissions (MS-OXCPERM) */

int
exs_folder_rights(exs_mbox_t *mb, exs_id_t fid, uint32_t *rights)
{
    int        rc;
    MDB_val    v;
    exs_key_t  k;

    if (mb->owner_access) {
        *rights = EXS_RIGHTS_ALL;
        return EXS_OK;
    }

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, fid);
    exs_key_u64(&k, (uint64_t) (int64_t) mb->user);

    rc = exs_db_get(mb->txn, EXS_DB_PERM, k.b, k.len, &v);

    if (rc == EXS_NOTFOUND) {
        /* the "Default" member */
        k.len -= 8;
        exs_key_u64(&k, 0);
        rc = exs_db_get(mb->txn, EXS_DB_PERM, k.b, k.len, &v);
    }

    if (rc == EXS_NOTFOUND) {
        *rights = 0;
        return EXS_OK;
    }

    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size != 4) {
        return EXS_CORRUPT;
    }

    *rights = exs_get_le32(v.mv_data);

    return EXS_OK;
}


int
exs_folder_perms(exs_mbox_t *mb, exs_id_t fid, exs_perm_t **perms,
    uint32_t *n, exs_arena_t *a)
{
    int          rc;
    uint32_t     cap;
    exs_key_t    k;
    exs_scan_t   s;
    exs_perm_t  *p, *np;

    *perms = NULL;
    *n = 0;
    p = NULL;
    cap = 0;

    rc = exs_mbox_check(mb, fid, EXS_RIGHT_OWNER, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, fid);

    rc = exs_scan_open(mb->txn, EXS_DB_PERM, k.b, k.len, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size != 20 || s.v.mv_size != 4) {
            rc = EXS_CORRUPT;
            break;
        }

        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            np = exs_alloc(a, cap * sizeof(exs_perm_t));
            if (np == NULL) {
                rc = EXS_NOMEM;
                break;
            }
            if (*n) {
                memcpy(np, p, *n * sizeof(exs_perm_t));
            }
            p = np;
        }

        p[*n].member = (int64_t) exs_get_be64((uint8_t *) s.k.mv_data + 12);
        p[*n].rights = exs_get_le32(s.v.mv_data);
        (*n)++;
    }

    exs_scan_close(&s);

    *perms = p;

    return rc < 0 ? rc : EXS_OK;
}


int
exs_folder_set_perm(exs_mbox_t *mb, exs_id_t fid, int64_t member,
    uint32_t rights)
{
    int               rc;
    uint8_t           v[4];
    exs_key_t         k;
    exs_folder_hdr_t  h;

    rc = exs_folder_hdr(mb, fid, &h);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_check(mb, fid, EXS_RIGHT_OWNER, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, fid);
    exs_key_u64(&k, (uint64_t) member);

    if (rights == 0) {
        rc = exs_db_del(mb->txn, EXS_DB_PERM, k.b, k.len);
        return rc == EXS_NOTFOUND ? EXS_OK : rc;
    }

    exs_le32(v, rights);

    return exs_db_put(mb->txn, EXS_DB_PERM, k.b, k.len, v, 4, 0);
}
