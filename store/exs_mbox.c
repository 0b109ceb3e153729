
/*
 * exch store: mailboxes.  A mailbox's counters (the global counter that
 * hands out folder ids, message ids and change numbers, the newest change
 * number, the size) live in one record that a write transaction updates
 * once, at commit; its store-object properties in another.
 *
 *   mbox:  u32 mailbox, 0 -> the counters (exs_mbox_rec_put())
 *          u32 mailbox, 1 -> the store object's property bag
 */


#include <stdlib.h>
#include <string.h>

#include "exs_int.h"


#define EXS_GC_MAX              ((1ULL << 48) - 1)

/* frights* of MS-OXCPERM 2.2.7 */
#define EXS_RIGHT_READ_ANY      0x00000001
#define EXS_RIGHT_EDIT_OWNED    0x00000008
#define EXS_RIGHT_DELETE_OWNED  0x00000010
#define EXS_RIGHT_EDIT_ANY      0x00000020
#define EXS_RIGHT_DELETE_ANY    0x00000040

#define EXS_STORE_SUPPORT_MASK  0x0007BBFD
#define EXS_VALID_FOLDER_MASK   0x000000FF


static const uint8_t  exs_private_provider[16] = {
    0x54, 0x94, 0xA1, 0xC0, 0x29, 0x7F, 0x10, 0x1B,
    0xA5, 0x87, 0x08, 0x00, 0x2B, 0x2A, 0x25, 0x17
};


static int exs_mbox_computed(exs_mbox_t *mb, uint32_t tag, exs_prop_t *out,
    exs_arena_t *a);


int
exs_mbox_create(exs_txn_t *t, uint32_t owner, const uint8_t *guid,
    uint32_t *mailbox)
{
    int             rc;
    uint8_t         key[5], rec[EXS_MBOX_REC_LEN], v[4];
    uint32_t        id;
    MDB_val         val;
    exs_mbox_rec_t  r;

    rc = exs_db_get(t, EXS_DB_META, "mbox_next", 9, &val);

    if (rc == EXS_NOTFOUND) {
        id = 1;

    } else if (rc != EXS_OK) {
        return rc;

    } else if (val.mv_size != 4) {
        return EXS_CORRUPT;

    } else {
        id = exs_get_le32(val.mv_data);
    }

    memset(&r, 0, sizeof(exs_mbox_rec_t));
    r.owner = owner;
    r.replid = 1;
    r.next_gc = EXS_ID_FIRST_FREE;
    r.next_named = EXS_NAMED_FIRST;
    r.created = exs_filetime_now();

    if (guid) {
        memcpy(r.guid, guid, 16);

    } else {
        rc = exs_guid_random(r.guid);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    exs_le32(v, id + 1);

    rc = exs_db_put(t, EXS_DB_META, "mbox_next", 9, v, 4, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    exs_be32(key, id);
    key[4] = 0;
    exs_mbox_rec_put(rec, &r);

    rc = exs_db_put(t, EXS_DB_MBOX, key, 5, rec, sizeof(rec), 0);
    if (rc != EXS_OK) {
        return rc;
    }

    *mailbox = id;

    return EXS_OK;
}


int
exs_mbox_provision(exs_txn_t *t, uint32_t mailbox, const char *display_name)
{
    int          rc;
    exs_mbox_t  *mb;

    rc = exs_mbox_open(t, mailbox, 0, &mb);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_provision(mb, display_name);
}


int
exs_mbox_open(exs_txn_t *t, uint32_t mailbox, uint32_t user,
    exs_mbox_t **mbp)
{
    int             rc;
    uint8_t         key[5];
    MDB_val         v;
    exs_mbox_t     *mb;
    exs_mbstate_t  *st;

    *mbp = NULL;

    for (mb = t->mboxes; mb; mb = mb->next) {
        if (mb->id == mailbox && mb->user == user) {
            if (mb->st->gone) {
                return EXS_NOTFOUND;
            }
            *mbp = mb;
            return EXS_OK;
        }
    }

    for (st = t->mbstates; st; st = st->next) {
        if (st->id == mailbox) {
            break;
        }
    }

    if (st && st->gone) {
        return EXS_NOTFOUND;
    }

    if (st == NULL) {
        exs_be32(key, mailbox);
        key[4] = 0;

        rc = exs_db_get(t, EXS_DB_MBOX, key, 5, &v);
        if (rc != EXS_OK) {
            return rc;
        }

        if (v.mv_size < EXS_MBOX_REC_LEN || ((uint8_t *) v.mv_data)[0] != 1) {
            return EXS_CORRUPT;
        }

        st = exs_calloc(t->arena, sizeof(exs_mbstate_t));
        if (st == NULL) {
            return EXS_NOMEM;
        }

        st->id = mailbox;
        exs_mbox_rec_get(v.mv_data, &st->rec);

        st->next = t->mbstates;
        t->mbstates = st;
    }

    mb = exs_calloc(t->arena, sizeof(exs_mbox_t));
    if (mb == NULL) {
        return EXS_NOMEM;
    }

    mb->txn = t;
    mb->id = mailbox;
    mb->user = user;
    mb->st = st;
    mb->owner_access = (user == 0 || user == st->rec.owner);
    exs_named_init(mb);

    mb->next = t->mboxes;
    t->mboxes = mb;
    *mbp = mb;

    return EXS_OK;
}


int
exs_mbox_alloc_id(exs_mbox_t *mb, exs_id_t *id)
{
    if (exs_txn_rdonly(mb->txn)) {
        return EXS_DENIED;
    }

    if (mb->st->rec.next_gc >= EXS_GC_MAX) {
        return EXS_FULL;
    }

    *id = mb->st->rec.next_gc++;
    mb->st->dirty = 1;

    return EXS_OK;
}


void
exs_mbox_touch(exs_mbox_t *mb, uint64_t cn, int64_t size_delta)
{
    if (cn > mb->st->rec.last_cn) {
        mb->st->rec.last_cn = cn;
    }

    mb->st->rec.size += size_delta;
    mb->st->dirty = 1;
    mb->st->changed = 1;
}


int
exs_mbox_flush(exs_txn_t *t)
{
    int             rc;
    uint8_t         key[5], rec[EXS_MBOX_REC_LEN];
    exs_mbstate_t  *st;

    for (st = t->mbstates; st; st = st->next) {
        if (!st->dirty || st->gone) {
            continue;
        }

        exs_be32(key, st->id);
        key[4] = 0;
        exs_mbox_rec_put(rec, &st->rec);

        rc = exs_db_put(t, EXS_DB_MBOX, key, 5, rec, sizeof(rec), 0);
        if (rc != EXS_OK) {
            return rc;
        }

        st->dirty = 0;
    }

    return EXS_OK;
}


int
exs_mbox_destroy(exs_txn_t *t, uint32_t mailbox)
{
    int            rc;
    int            dbs[] = { EXS_DB_MBOX, EXS_DB_FOLDER, EXS_DB_CHILD,
                             EXS_DB_MSG, EXS_DB_MSGSUB, EXS_DB_IDX_TIME,
                             EXS_DB_IDX_UID, EXS_DB_IDX_CN, EXS_DB_CHANGE,
                             EXS_DB_NAMED, EXS_DB_PERM };
    size_t           i;
    uint8_t          prefix[4], key[12];
    uint32_t         n;
    exs_id_t        *mids;
    MDB_val          v;
    exs_rbuf_t       b;
    exs_mbstate_t   *st;

    exs_be32(prefix, mailbox);

    /* the messages' references on blobs first */

    rc = exs_scan_ids(t, EXS_DB_MSG, prefix, 4, 4, 0, &mids, &n);
    if (rc != EXS_OK) {
        return exs_txn_fail(t, rc);
    }

    for (i = 0; rc == 0 && i < n; i++) {
        exs_be32(key, mailbox);
        exs_be64(key + 4, mids[i]);

        rc = exs_db_get(t, EXS_DB_MSG, key, 12, &v);
        if (rc != EXS_OK) {
            break;
        }

        if (v.mv_size < EXS_MSG_HDR_LEN) {
            rc = EXS_CORRUPT;
            break;
        }

        exs_rbuf_init(&b, (uint8_t *) v.mv_data + EXS_MSG_HDR_LEN,
                      v.mv_size - EXS_MSG_HDR_LEN);
        rc = exs_bag_release(t, &b);
        if (rc != EXS_OK) {
            break;
        }

        rc = exs_db_get(t, EXS_DB_MSGSUB, key, 12, &v);
        if (rc == EXS_NOTFOUND) {
            rc = EXS_OK;
            continue;
        }

        if (rc != EXS_OK) {
            break;
        }

        exs_rbuf_init(&b, v.mv_data, v.mv_size);
        rc = exs_sub_release(t, &b, 0);
    }

    free(mids);

    if (rc < 0) {
        return exs_txn_fail(t, rc);
    }

    for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
        rc = exs_db_del_prefix(t, dbs[i], prefix, 4);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    /* handles opened in this transaction are gone */
    for (st = t->mbstates; st; st = st->next) {
        if (st->id == mailbox) {
            st->gone = 1;
            st->dirty = 0;
            st->changed = 0;
        }
    }

    return EXS_OK;
}


int
exs_mbox_info(exs_mbox_t *mb, exs_mbox_info_t *info)
{
    exs_mbox_rec_t  *r;

    r = &mb->st->rec;

    info->mailbox = mb->id;
    info->owner = r->owner;
    memcpy(info->guid, r->guid, 16);
    info->replid = r->replid;
    info->last_cn = r->last_cn;
    info->size = r->size < 0 ? 0 : (uint64_t) r->size;

    return EXS_OK;
}


exs_txn_t *
exs_mbox_txn(exs_mbox_t *mb)
{
    return mb->txn;
}


exs_namemap_t *
exs_mbox_namemap(exs_mbox_t *mb)
{
    return &mb->namemap;
}


/* store object properties */

static int
exs_mbox_computed(exs_mbox_t *mb, uint32_t tag, exs_prop_t *out,
    exs_arena_t *a)
{
    int            rc;
    char          *s;
    uint8_t       *eid;
    exs_id_t       fid;
    exs_dirent_t   e;

    out->tag = tag;

    switch (tag) {

    case PR_IPM_SUBTREE_ENTRYID:
        fid = EXS_FID_IPM_SUBTREE;
        break;
    case PR_IPM_OUTBOX_ENTRYID:
        fid = EXS_FID_OUTBOX;
        break;
    case PR_IPM_WASTEBASKET_ENTRYID:
        fid = EXS_FID_DELETED_ITEMS;
        break;
    case PR_IPM_SENTMAIL_ENTRYID:
        fid = EXS_FID_SENT_ITEMS;
        break;
    case PR_VIEWS_ENTRYID:
        fid = EXS_FID_VIEWS;
        break;
    case PR_COMMON_VIEWS_ENTRYID:
        fid = EXS_FID_COMMON_VIEWS;
        break;
    case PR_FINDER_ENTRYID:
        fid = EXS_FID_FINDER;
        break;
    case PR_SCHEDULE_FOLDER_ENTRYID:
        fid = EXS_FID_SCHEDULE;
        break;
    case PR_IPM_DAF_ENTRYID:
        fid = EXS_FID_DEFERRED_ACTION;
        break;

    case PR_STORE_RECORD_KEY:
    case PR_RECORD_KEY:
    case PR_MAPPING_SIGNATURE:
        out->v.bin.data = exs_memdup(a, mb->st->rec.guid, 16);
        out->v.bin.len = 16;
        return out->v.bin.data ? EXS_OK : EXS_NOMEM;

    case PR_MDB_PROVIDER:
        out->v.bin.data = exs_memdup(a, exs_private_provider, 16);
        out->v.bin.len = 16;
        return out->v.bin.data ? EXS_OK : EXS_NOMEM;

    case PR_STORE_SUPPORT_MASK:
        out->v.l = EXS_STORE_SUPPORT_MASK;
        return EXS_OK;

    case PR_STORE_STATE:
        out->v.l = 0;
        return EXS_OK;

    case PR_VALID_FOLDER_MASK:
        out->v.l = EXS_VALID_FOLDER_MASK;
        return EXS_OK;

    case PR_OBJECT_TYPE:
        out->v.l = 1;       /* MAPI_STORE */
        return EXS_OK;

    case PR_MESSAGE_SIZE_EXTENDED:
        out->v.ll = mb->st->rec.size;
        return EXS_OK;

    case PR_MESSAGE_SIZE:
        out->v.l = mb->st->rec.size > INT32_MAX
                   ? INT32_MAX : (int32_t) mb->st->rec.size;
        return EXS_OK;

    case PR_MAILBOX_OWNER_NAME:
    case PR_MAILBOX_OWNER_ENTRYID:
    case PR_DISPLAY_NAME:
        rc = exs_dir_by_id(mb->txn, mb->st->rec.owner, &e, a);
        if (rc != EXS_OK) {
            return rc;
        }

        if (tag == PR_MAILBOX_OWNER_ENTRYID) {
            return exs_ab_entryid(a, e.legacy_dn, 0, &out->v.bin);
        }

        if (tag == PR_MAILBOX_OWNER_NAME) {
            out->v.str.data = exs_strdup(a, e.display_name);
            out->v.str.len = strlen(e.display_name);
            return out->v.str.data ? EXS_OK : EXS_NOMEM;
        }

        s = exs_alloc(a, strlen(e.display_name) + sizeof("Mailbox - "));
        if (s == NULL) {
            return EXS_NOMEM;
        }

        out->v.str.len = sprintf(s, "Mailbox - %s", e.display_name);
        out->v.str.data = s;
        return EXS_OK;

    default:
        return EXS_NOTFOUND;
    }

    eid = exs_alloc(a, EXS_FOLDER_ENTRYID_LEN);
    if (eid == NULL) {
        return EXS_NOMEM;
    }

    exs_folder_entryid(mb, fid, eid);
    out->v.bin.data = eid;
    out->v.bin.len = EXS_FOLDER_ENTRYID_LEN;

    return EXS_OK;
}


static const uint32_t  exs_mbox_computed_tags[] = {
    PR_IPM_SUBTREE_ENTRYID, PR_IPM_OUTBOX_ENTRYID, PR_IPM_WASTEBASKET_ENTRYID,
    PR_IPM_SENTMAIL_ENTRYID, PR_VIEWS_ENTRYID, PR_COMMON_VIEWS_ENTRYID,
    PR_FINDER_ENTRYID, PR_SCHEDULE_FOLDER_ENTRYID, PR_IPM_DAF_ENTRYID,
    PR_STORE_RECORD_KEY, PR_RECORD_KEY, PR_MAPPING_SIGNATURE,
    PR_MDB_PROVIDER, PR_STORE_SUPPORT_MASK, PR_STORE_STATE,
    PR_VALID_FOLDER_MASK, PR_OBJECT_TYPE, PR_MESSAGE_SIZE_EXTENDED,
    PR_MESSAGE_SIZE, PR_MAILBOX_OWNER_NAME, PR_MAILBOX_OWNER_ENTRYID,
    PR_DISPLAY_NAME
};


int
exs_mbox_get_props(exs_mbox_t *mb, const uint32_t *tags, uint32_t ntags,
    exs_props_t *out, exs_arena_t *a)
{
    int            rc;
    uint8_t        key[5];
    uint32_t       i;
    MDB_val        v;
    exs_rbuf_t     b;
    exs_prop_t     p, *sp;
    exs_props_t    stored;

    out->n = 0;
    out->cap = 0;
    out->v = NULL;
    stored.n = 0;
    stored.v = NULL;

    exs_be32(key, mb->id);
    key[4] = 1;

    rc = exs_db_get(mb->txn, EXS_DB_MBOX, key, 5, &v);

    if (rc == EXS_OK) {
        exs_rbuf_init(&b, v.mv_data, v.mv_size);
        rc = exs_bag_decode(&b, &stored, EXS_DEC_COPY, a);
        if (rc == EXS_OK) {
            rc = exs_bag_resolve(mb->txn, &stored, a);
        }
    }

    if (rc != EXS_OK && rc != EXS_NOTFOUND) {
        return rc;
    }

    if (ntags == 0) {
        rc = exs_props_copy(a, out, &stored);
        if (rc != EXS_OK) {
            return rc;
        }

        tags = exs_mbox_computed_tags;
        ntags = sizeof(exs_mbox_computed_tags) / sizeof(uint32_t);
    }

    for (i = 0; i < ntags; i++) {
        sp = exs_props_get(&stored, tags[i]);

        if (sp) {
            rc = exs_props_set(a, out, sp);

        } else if (exs_props_get(out, tags[i]) == NULL) {
            rc = exs_mbox_computed(mb, tags[i], &p, a);
            if (rc == EXS_NOTFOUND) {
                continue;
            }

            if (rc == EXS_OK) {
                rc = exs_props_set(a, out, &p);
            }

        } else {
            rc = EXS_OK;
        }

        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


int
exs_mbox_set_props(exs_mbox_t *mb, const exs_props_t *props)
{
    int            rc;
    uint8_t        key[5];
    uint32_t       i;
    MDB_val        v;
    exs_rbuf_t     b;
    exs_wbuf_t     w;
    exs_props_t    stored;
    exs_arena_t   *a;

    if (!mb->owner_access) {
        return EXS_DENIED;
    }

    if (exs_props_validate(props) != EXS_OK) {
        return EXS_INVALID;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    stored.n = 0;
    stored.cap = 0;
    stored.v = NULL;

    exs_be32(key, mb->id);
    key[4] = 1;

    rc = exs_db_get(mb->txn, EXS_DB_MBOX, key, 5, &v);

    if (rc == EXS_OK) {
        exs_rbuf_init(&b, v.mv_data, v.mv_size);
        rc = exs_bag_decode(&b, &stored, EXS_DEC_COPY, a);
    }

    if (rc == EXS_NOTFOUND) {
        rc = EXS_OK;
    }

    for (i = 0; rc == EXS_OK && i < props->n; i++) {
        switch (props->v[i].tag) {
        case PR_STORE_RECORD_KEY:
        case PR_RECORD_KEY:
        case PR_MAPPING_SIGNATURE:
        case PR_OBJECT_TYPE:
        case PR_MESSAGE_SIZE:
        case PR_MESSAGE_SIZE_EXTENDED:
        case PR_STORE_SUPPORT_MASK:
        case PR_MAILBOX_OWNER_ENTRYID:
        case PR_MAILBOX_OWNER_NAME:
            continue;
        }

        rc = exs_props_set(a, &stored, &props->v[i]);
    }

    if (rc == EXS_OK) {
        exs_wbuf_init(&w);

        rc = exs_bag_store(mb->txn, &w, &stored, NULL);

        if (rc == EXS_OK) {
            rc = exs_db_get(mb->txn, EXS_DB_MBOX, key, 5, &v);
            if (rc == EXS_OK) {
                exs_rbuf_init(&b, v.mv_data, v.mv_size);
                rc = exs_bag_release(mb->txn, &b);
            } else if (rc == EXS_NOTFOUND) {
                rc = EXS_OK;
            }
        }

        if (rc == EXS_OK) {
            rc = exs_db_put(mb->txn, EXS_DB_MBOX, key, 5, w.p, w.len, 0);
        }

        exs_wbuf_free(&w);

        if (rc != EXS_OK) {
            exs_txn_fail(mb->txn, rc);
        }
    }

    exs_arena_destroy(a);

    return rc;
}


/* change keys: the mailbox GUID and the change number as an XID */

int
exs_change_keys(exs_mbox_t *mb, exs_props_t *props, uint64_t cn,
    exs_arena_t *a)
{
    int          rc;
    uint8_t     *xid;
    exs_bin_t    pcl;
    exs_prop_t  *old;

    xid = exs_alloc(a, EXS_XID_LEN);
    if (xid == NULL) {
        return EXS_NOMEM;
    }

    exs_xid(mb->st->rec.guid, cn, xid);

    old = exs_props_get(props, PR_PREDECESSOR_CHANGE_LIST);

    rc = exs_pcl_merge(a, old ? &old->v.bin : NULL, xid, EXS_XID_LEN, &pcl);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_props_set_bin(a, props, PR_CHANGE_KEY, xid, EXS_XID_LEN);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_props_set_bin(a, props, PR_PREDECESSOR_CHANGE_LIST, pcl.data,
                             pcl.len);
}


/* an uploaded object's own change key, with a PCL that names it */

int
exs_keep_keys(exs_props_t *props, exs_arena_t *a)
{
    int          rc;
    exs_bin_t    pcl;
    exs_prop_t  *ck, *old;

    ck = exs_props_get(props, PR_CHANGE_KEY);
    if (ck == NULL || ck->v.bin.len < 17 || ck->v.bin.len > 24) {
        return EXS_INVALID;
    }

    old = exs_props_get(props, PR_PREDECESSOR_CHANGE_LIST);

    rc = exs_pcl_merge(a, old ? &old->v.bin : NULL, ck->v.bin.data,
                       ck->v.bin.len, &pcl);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_props_set_bin(a, props, PR_PREDECESSOR_CHANGE_LIST, pcl.data,
                             pcl.len);
}


/* permissions: the owner and the system may do anything */

int
exs_mbox_check(exs_mbox_t *mb, exs_id_t fid, uint32_t need, uint32_t creator)
{
    int       rc;
    uint32_t  rights;

    if (mb->owner_access) {
        return EXS_OK;
    }

    rc = exs_folder_rights(mb, fid, &rights);
    if (rc != EXS_OK) {
        return rc;
    }

    if (creator && creator == mb->user) {
        if (rights & EXS_RIGHT_EDIT_OWNED) {
            rights |= EXS_RIGHT_EDIT_ANY;
        }
        if (rights & EXS_RIGHT_DELETE_OWNED) {
            rights |= EXS_RIGHT_DELETE_ANY;
        }
    }

    return (rights & need) == need ? EXS_OK : EXS_DENIED;
}
