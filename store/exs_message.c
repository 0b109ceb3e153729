
/*
 * exch store: messages (MS-OXCMSG).  A message is a record with a fixed
 * header (folder, change number, IMAP UID, flags, delivery time, size) and
 * its property bag; its recipients, attachments and embedded messages are
 * a second record read only when asked for.  Every change keeps the
 * folder's counters, the indexes and the change log in step, in the same
 * transaction.
 *
 *   msg:       u32 mailbox, u64 mid -> header, bag
 *   msg.sub:   u32 mailbox, u64 mid -> recipients, attachments
 *   idx.time:  u32 mailbox, u64 fid, u8 view, u64 delivery time, u64 mid
 *   idx.uid:   u32 mailbox, u64 fid, u32 uid -> u64 mid
 *   idx.cn:    u32 mailbox, u64 fid, u64 cn -> u64 mid, u8 associated
 */


#include <stdlib.h>
#include <string.h>

#include "exs_int.h"


#define EXS_RIGHT_READ_ANY      0x00000001
#define EXS_RIGHT_CREATE        0x00000002
#define EXS_RIGHT_EDIT_ANY      0x00000020
#define EXS_RIGHT_DELETE_ANY    0x00000040

/* the MSGFLAG_* bits a caller may set; the rest are computed */
#define EXS_MSGFLAG_SETTABLE    (MSGFLAG_READ | MSGFLAG_UNMODIFIED            \
                                 | MSGFLAG_SUBMIT | MSGFLAG_UNSENT            \
                                 | MSGFLAG_FROMME | MSGFLAG_RESEND            \
                                 | MSGFLAG_RN_PENDING | MSGFLAG_NRN_PENDING   \
                                 | MSGFLAG_EVERREAD | MSGFLAG_ORIGIN_X400     \
                                 | MSGFLAG_ORIGIN_INTERNET                    \
                                 | MSGFLAG_ORIGIN_MISC_EXT)


#define EXS_PIDX_SLOTS          512      /* a power of two */
#define EXS_PIDX_MAX            256      /* at most half full */

typedef struct {
    uint16_t                  id[EXS_PIDX_SLOTS];
    uint16_t                  at[EXS_PIDX_SLOTS];  /* index + 1, 0: free */
    uint32_t                  n;
    uint32_t                  mask;      /* the slots in use, less 1 */
} exs_pidx_t;


static int exs_msg_key(exs_mbox_t *mb, exs_id_t mid, exs_key_t *k);
static int exs_msg_validate(const exs_msg_t *msg, unsigned depth);
static int exs_msg_filter(exs_mbox_t *mb, const exs_props_t *in,
    exs_props_t *out, int keep_keys, exs_arena_t *a);
static int exs_msg_write(exs_mbox_t *mb, exs_id_t mid, exs_msg_hdr_t *h,
    const exs_props_t *props, const exs_wbuf_t *sub, int64_t sub_size,
    int has_sub, int account);
static int exs_msg_update(exs_mbox_t *mb, exs_id_t mid,
    const exs_props_t *set, const uint32_t *del, uint32_t ndel,
    const exs_prop_t *ool, int32_t attach_num, const exs_props_t *keys);
static int64_t exs_bag_size(const exs_props_t *props);
static int exs_msg_mime_changed(const exs_props_t *set, const uint32_t *del,
    uint32_t ndel);
static int exs_msg_replace(exs_mbox_t *mb, exs_id_t mid,
    const exs_msg_hdr_t *oh, exs_msg_hdr_t *h, const exs_props_t *props,
    const exs_wbuf_t *sub, int64_t sub_size, int has_sub,
    const exs_props_t *old, const exs_msg_t *old_sub, uint64_t cn);
static int exs_msg_move_one(exs_mbox_t *mb, exs_id_t mid, exs_id_t dst,
    int copy, exs_id_t *new_mid);
static int exs_msg_flags_in(const exs_props_t *props, uint32_t *flags);
static exs_prop_t *exs_msg_stored(const exs_props_t *stored, uint32_t tag);
static const exs_prop_t *exs_msg_row_get(exs_row_t *row, uint32_t tag);
static int exs_msg_row_subobjs(exs_row_t *row, uint32_t which,
    exs_props_t **bags, uint32_t *n);
static void exs_pidx_init(exs_pidx_t *x, uint32_t need);
static int exs_pidx_add(exs_pidx_t *x, uint32_t tag, uint32_t at);
static int32_t exs_pidx_find(const exs_pidx_t *x, uint32_t tag);
static exs_prop_t *exs_pidx_get(const exs_pidx_t *x, const exs_props_t *bag,
    uint32_t tag);


static int
exs_msg_key(exs_mbox_t *mb, exs_id_t mid, exs_key_t *k)
{
    exs_key_init(k);
    exs_key_u32(k, mb->id);
    exs_key_u64(k, mid);

    return EXS_OK;
}


int
exs_msg_load(exs_mbox_t *mb, exs_id_t mid, exs_msg_hdr_t *h,
    exs_props_t *props, unsigned dflags, exs_arena_t *a)
{
    return exs_msg_load_ids(mb, mid, h, props, dflags, NULL, 0, a);
}


int
exs_msg_load_ids(exs_mbox_t *mb, exs_id_t mid, exs_msg_hdr_t *h,
    exs_props_t *props, unsigned dflags, const uint16_t *ids, uint32_t nids,
    exs_arena_t *a)
{
    int         rc;
    MDB_val     v;
    exs_key_t   k;
    exs_rbuf_t  b;

    exs_msg_key(mb, mid, &k);

    rc = exs_db_get(mb->txn, EXS_DB_MSG, k.b, k.len, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size < EXS_MSG_HDR_LEN || ((uint8_t *) v.mv_data)[0] != 1) {
        return EXS_CORRUPT;
    }

    exs_msg_hdr_get(v.mv_data, h);

    if (props == NULL) {
        return EXS_OK;
    }

    if (!exs_txn_rdonly(mb->txn)) {
        dflags |= EXS_DEC_COPY;
    }

    exs_rbuf_init(&b, (uint8_t *) v.mv_data + EXS_MSG_HDR_LEN,
                  v.mv_size - EXS_MSG_HDR_LEN);

    return exs_bag_decode_ids(&b, props, dflags, ids, nids, a);
}


int
exs_msg_sub_load(exs_mbox_t *mb, exs_id_t mid, exs_msg_t *msg,
    unsigned dflags, exs_arena_t *a)
{
    int         rc;
    MDB_val     v;
    exs_key_t   k;
    exs_rbuf_t  b;

    msg->nrcpts = 0;
    msg->natts = 0;

    exs_msg_key(mb, mid, &k);

    rc = exs_db_get(mb->txn, EXS_DB_MSGSUB, k.b, k.len, &v);
    if (rc == EXS_NOTFOUND) {
        return EXS_OK;
    }

    if (rc != EXS_OK) {
        return rc;
    }

    if (!exs_txn_rdonly(mb->txn)) {
        dflags |= EXS_DEC_COPY;
    }

    exs_rbuf_init(&b, v.mv_data, v.mv_size);

    rc = exs_sub_decode(&b, msg, dflags, 0, a);
    if (rc != EXS_OK) {
        return rc;
    }

    return b.p == b.end ? EXS_OK : EXS_CORRUPT;
}


int
exs_msg_index(exs_mbox_t *mb, exs_id_t mid, const exs_msg_hdr_t *h, int add)
{
    int        rc, view;
    uint8_t    v[9];
    exs_key_t  k;

    view = exs_msg_view(h);

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, h->fid);
    exs_key_u8(&k, (uint8_t) view);
    exs_key_u64(&k, exs_time_key(h->delivery));
    exs_key_u64(&k, mid);

    rc = add ? exs_db_put(mb->txn, EXS_DB_IDX_TIME, k.b, k.len, NULL, 0, 0)
             : exs_db_del(mb->txn, EXS_DB_IDX_TIME, k.b, k.len);
    if (rc != EXS_OK) {
        goto failed;
    }

    if (view == EXS_VIEW_NORMAL && h->uid) {
        exs_key_init(&k);
        exs_key_u32(&k, mb->id);
        exs_key_u64(&k, h->fid);
        exs_key_u32(&k, h->uid);
        exs_le64(v, mid);

        rc = add ? exs_db_put(mb->txn, EXS_DB_IDX_UID, k.b, k.len, v, 8, 0)
                 : exs_db_del(mb->txn, EXS_DB_IDX_UID, k.b, k.len);
        if (rc != EXS_OK) {
            goto failed;
        }
    }

    if (view == EXS_VIEW_NORMAL || view == EXS_VIEW_ASSOC) {
        exs_key_init(&k);
        exs_key_u32(&k, mb->id);
        exs_key_u64(&k, h->fid);
        exs_key_u64(&k, h->cn > h->read_cn ? h->cn : h->read_cn);
        exs_le64(v, mid);
        v[8] = view == EXS_VIEW_ASSOC;

        rc = add ? exs_db_put(mb->txn, EXS_DB_IDX_CN, k.b, k.len, v, 9, 0)
                 : exs_db_del(mb->txn, EXS_DB_IDX_CN, k.b, k.len);
        if (rc != EXS_OK) {
            goto failed;
        }
    }

    return EXS_OK;

failed:

    /* an index entry that should be there is missing: damage */
    return exs_txn_fail(mb->txn, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
}


static int
exs_msg_validate(const exs_msg_t *msg, unsigned depth)
{
    uint32_t  i;

    if (depth >= EXS_MAX_NESTING) {
        return EXS_TOOBIG;
    }

    if (exs_props_validate(&msg->props) != EXS_OK) {
        return EXS_INVALID;
    }

    for (i = 0; i < msg->nrcpts; i++) {
        if (exs_props_validate(&msg->rcpts[i].props) != EXS_OK) {
            return EXS_INVALID;
        }
    }

    for (i = 0; i < msg->natts; i++) {
        if (exs_props_validate(&msg->atts[i].props) != EXS_OK
            || (msg->atts[i].embedded
                && exs_msg_validate(msg->atts[i].embedded, depth + 1)
                   != EXS_OK))
        {
            return EXS_INVALID;
        }
    }

    return EXS_OK;
}


static int
exs_msg_flags_in(const exs_props_t *props, uint32_t *flags)
{
    exs_prop_t  *p;

    p = exs_props_get(props, PR_MESSAGE_FLAGS);
    if (p) {
        *flags = (*flags & ~EXS_MSGFLAG_SETTABLE)
                 | ((uint32_t) p->v.l & EXS_MSGFLAG_SETTABLE);
    }

    p = exs_props_get(props, PR_READ);
    if (p) {
        *flags = p->v.b ? (*flags | MSGFLAG_READ | MSGFLAG_EVERREAD)
                        : (*flags & ~MSGFLAG_READ);
    }

    return p != NULL || exs_props_get(props, PR_MESSAGE_FLAGS) != NULL;
}


/* the caller's properties without the ones the store computes */

static int
exs_msg_filter(exs_mbox_t *mb, const exs_props_t *in, exs_props_t *out,
    int keep_keys, exs_arena_t *a)
{
    int       rc;
    uint32_t  i, tag;

    for (i = 0; i < in->n; i++) {
        tag = in->v[i].tag;

        if (exs_tag_computed_msg(tag)) {
            if (!(keep_keys && (tag == PR_SOURCE_KEY || tag == PR_CHANGE_KEY
                                || tag == PR_PREDECESSOR_CHANGE_LIST)))
            {
                continue;
            }
        }

        rc = exs_props_set(a, out, &in->v[i]);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


/*
 * Writes the main record (and the sub-object record when has_sub) and sets
 * h->size; account: a message new to its folder, which counts it and, for
 * a normal message, gives it the next IMAP UID (one update of the folder).
 */

static int
exs_msg_write(exs_mbox_t *mb, exs_id_t mid, exs_msg_hdr_t *h,
    const exs_props_t *props, const exs_wbuf_t *sub, int64_t sub_size,
    int has_sub, int account)
{
    int          rc;
    int64_t      size;
    uint8_t     *p;
    exs_key_t    k;
    exs_wbuf_t   b;

    exs_wbuf_init(&b);

    if (exs_wbuf_room(&b, EXS_MSG_HDR_LEN) == NULL) {
        return exs_txn_fail(mb->txn, b.err);
    }

    size = 0;
    rc = exs_bag_store(mb->txn, &b, props, &size);
    if (rc != EXS_OK) {
        exs_wbuf_free(&b);
        return exs_txn_fail(mb->txn, rc);
    }

    h->size = EXS_MSG_HDR_LEN + size + sub_size;

    if (account) {
        rc = exs_folder_account(mb, h->fid, h, 1, h->cn,
                                (h->state & EXS_MSG_ST_ASSOC) ? NULL
                                                              : &h->uid);
        if (rc != EXS_OK) {
            exs_wbuf_free(&b);
            return rc;
        }
    }

    exs_msg_hdr_put(b.p, h);

    exs_msg_key(mb, mid, &k);

    rc = exs_db_reserve(mb->txn, EXS_DB_MSG, k.b, k.len, b.len, (void **) &p);
    if (rc == EXS_OK) {
        memcpy(p, b.p, b.len);
    }

    exs_wbuf_free(&b);

    if (rc != EXS_OK || !has_sub) {
        return rc;
    }

    if (sub && sub->len) {
        return exs_db_put(mb->txn, EXS_DB_MSGSUB, k.b, k.len, sub->p,
                          sub->len, 0);
    }

    rc = exs_db_del(mb->txn, EXS_DB_MSGSUB, k.b, k.len);

    return rc == EXS_NOTFOUND ? EXS_OK : rc;
}


static int
exs_props_prepare(exs_env_t *env, exs_props_t *props, exs_arena_t *a)
{
    int           rc;
    uint16_t      type;
    uint32_t      i;
    exs_prop_t   *p;
    exs_pblob_t  *pb;

    for (i = 0; i < props->n; i++) {
        p = &props->v[i];
        type = PROP_TYPE(p->tag);

        if (!(((type == PT_UNICODE || type == PT_STRING8)
               && p->v.str.data && p->v.str.len > EXS_BLOB_MIN)
              || (type == PT_BINARY && p->v.bin.data
                  && p->v.bin.len > EXS_BLOB_MIN)))
        {
            continue;
        }

        rc = exs_blob_prepare(env, p->v.bin.data, p->v.bin.len, &pb, a);
        if (rc != EXS_OK) {
            return rc;
        }

        p->tag = PROP_CHANGE_TYPE(p->tag, (type == PT_BINARY ? PT_BINARY
                                                             : PT_UNICODE)
                                          | EXS_PT_PREP);
        p->v.bin.data = (const uint8_t *) (const void *) pb;
    }

    return EXS_OK;
}


static int
exs_msg_prepare(exs_env_t *env, exs_msg_t *msg, unsigned depth,
    exs_arena_t *a)
{
    int       rc;
    uint32_t  i;

    if (depth >= EXS_MAX_NESTING) {
        return EXS_TOOBIG;
    }

    rc = exs_props_prepare(env, &msg->props, a);

    for (i = 0; rc == EXS_OK && i < msg->nrcpts; i++) {
        rc = exs_props_prepare(env, &msg->rcpts[i].props, a);
    }

    for (i = 0; rc == EXS_OK && i < msg->natts; i++) {
        rc = exs_props_prepare(env, &msg->atts[i].props, a);

        if (rc == EXS_OK && msg->atts[i].embedded) {
            rc = exs_msg_prepare(env, msg->atts[i].embedded, depth + 1, a);
        }
    }

    return rc;
}


int
exs_message_prepare(exs_env_t *env, exs_msg_t *msg, exs_arena_t *a)
{
    return exs_msg_prepare(env, msg, 0, a);
}


int
exs_message_create(exs_mbox_t *mb, exs_id_t fid, const exs_msg_t *msg,
    unsigned flags, exs_id_t *midp)
{
    int               rc, has_sub;
    int64_t           now, sub_size;
    exs_id_t          mid;
    uint64_t          cn;
    exs_wbuf_t        sub;
    exs_prop_t       *p;
    exs_arena_t      *a;
    exs_props_t       props;
    exs_msg_hdr_t     h;
    exs_folder_hdr_t  fh;

    rc = exs_folder_hdr(mb, fid, &fh);
    if (rc != EXS_OK) {
        return rc;
    }

    if ((fh.flags & EXS_FOLDER_DELETED) || fh.type == EXS_FOLDER_SEARCH) {
        return fh.type == EXS_FOLDER_SEARCH ? EXS_INVALID : EXS_NOTFOUND;
    }

    rc = exs_mbox_check(mb, fid, EXS_RIGHT_CREATE, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_msg_validate(msg, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    if (exs_txn_rdonly(mb->txn)) {
        return EXS_DENIED;
    }

    a = exs_arena_create(8192);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    exs_wbuf_init(&sub);

    props.n = 0;
    props.cap = 0;
    props.v = NULL;

    rc = exs_msg_filter(mb, &msg->props, &props, flags & EXS_KEEP_KEYS, a);
    if (rc != EXS_OK) {
        goto done;
    }

    rc = exs_mbox_alloc_id(mb, &mid);
    if (rc == EXS_OK) {
        rc = exs_mbox_alloc_id(mb, &cn);
    }

    if (rc != EXS_OK) {
        goto done;
    }

    memset(&h, 0, sizeof(exs_msg_hdr_t));
    h.state = (flags & EXS_MSG_ASSOCIATED) ? EXS_MSG_ST_ASSOC : 0;
    h.fid = fid;
    h.cn = cn;
    h.creator = mb->user;
    h.natts = msg->natts;
    h.nrcpts = msg->nrcpts;

    (void) exs_msg_flags_in(&msg->props, &h.flags);

    now = exs_filetime_now();

    p = exs_props_get(&props, PR_MESSAGE_DELIVERY_TIME);
    if (p == NULL) {
        rc = exs_props_set_i8(a, &props, PR_MESSAGE_DELIVERY_TIME, now);
        h.delivery = now;
    } else {
        h.delivery = p->v.ll;
    }

    if (rc == EXS_OK && exs_props_get(&props, PR_CREATION_TIME) == NULL) {
        rc = exs_props_set_i8(a, &props, PR_CREATION_TIME, now);
    }

    if (rc == EXS_OK) {
        rc = exs_props_set_i8(a, &props, PR_LAST_MODIFICATION_TIME, now);
    }

    if (rc == EXS_OK && msg->nrcpts) {
        rc = exs_msg_display_lists(a, msg, &props);
    }

    if (rc == EXS_OK) {
        rc = ((flags & EXS_KEEP_KEYS) && exs_props_get(&props, PR_CHANGE_KEY))
             ? exs_keep_keys(&props, a) : exs_change_keys(mb, &props, cn, a);
    }

    if (rc != EXS_OK) {
        goto done;
    }

    /* from here on, only a failing write can stop us: it fails the txn */

    sub_size = 0;
    has_sub = msg->nrcpts || msg->natts;

    if (has_sub) {
        rc = exs_sub_store(mb->txn, &sub, msg, 0, &sub_size);
        if (rc != EXS_OK) {
            rc = exs_txn_fail(mb->txn, rc);
            goto done;
        }
    }

    rc = exs_msg_write(mb, mid, &h, &props, &sub, sub_size, has_sub, 1);

    if (rc == EXS_OK) {
        rc = exs_msg_index(mb, mid, &h, 1);
    }

    if (rc == EXS_OK) {
        exs_mbox_touch(mb, cn, h.size);

        rc = exs_change_log(mb, cn, EXS_CHANGE_CREATE,
                            ((flags & EXS_MSG_ASSOCIATED)
                             ? EXS_CHANGE_ASSOCIATED : 0)
                            | ((flags & EXS_MSG_NEW_MAIL)
                               ? EXS_CHANGE_NEW_MAIL : 0),
                            mid, fid, 0, 0);
    }

    if (rc == EXS_OK && midp) {
        *midp = mid;
    }

done:

    exs_wbuf_free(&sub);
    exs_arena_destroy(a);

    return rc;
}


/* computed properties */

static const uint32_t  exs_msg_computed_tags[] = {
    PR_ENTRYID, PR_RECORD_KEY, PR_SOURCE_KEY, PR_PARENT_ENTRYID,
    PR_PARENT_SOURCE_KEY, PR_MID, PR_PARENT_FID, PR_CHANGE_NUMBER,
    PR_INTERNET_ARTICLE_NUMBER, PR_MESSAGE_FLAGS, PR_READ, PR_MESSAGE_SIZE,
    PR_HASATTACH, PR_ASSOCIATED, PR_OBJECT_TYPE, PR_ACCESS, PR_ACCESS_LEVEL,
    PR_STORE_RECORD_KEY, PR_MAPPING_SIGNATURE, PR_DELETED_ON
};


int
exs_msg_computed(exs_mbox_t *mb, exs_id_t mid, const exs_msg_hdr_t *h,
    const exs_props_t *stored, uint32_t tag, exs_prop_t *out,
    exs_arena_t *a)
{
    int          rc;
    size_t       i;
    uint8_t     *p;
    exs_props_t  fprops;
    exs_prop_t  *sp;

    if (PROP_TYPE(tag) == PT_UNSPECIFIED) {
        for (i = 0; i < sizeof(exs_msg_computed_tags) / sizeof(uint32_t);
             i++)
        {
            if (PROP_ID(exs_msg_computed_tags[i]) == PROP_ID(tag)) {
                tag = exs_msg_computed_tags[i];
                break;
            }
        }

        if (PROP_ID(tag) == PROP_ID(PR_PARENT_DISPLAY)) {
            tag = PR_PARENT_DISPLAY;
        }
    }

    out->tag = tag;

    switch (tag) {

    case PR_ENTRYID:
        p = exs_alloc(a, EXS_MESSAGE_ENTRYID_LEN);
        if (p == NULL) {
            return EXS_NOMEM;
        }
        exs_message_entryid(mb, h->fid, mid, p);
        out->v.bin.data = p;
        out->v.bin.len = EXS_MESSAGE_ENTRYID_LEN;
        return EXS_OK;

    case PR_PARENT_ENTRYID:
        p = exs_alloc(a, EXS_FOLDER_ENTRYID_LEN);
        if (p == NULL) {
            return EXS_NOMEM;
        }
        exs_folder_entryid(mb, h->fid, p);
        out->v.bin.data = p;
        out->v.bin.len = EXS_FOLDER_ENTRYID_LEN;
        return EXS_OK;

    case PR_SOURCE_KEY:
        sp = stored ? exs_props_get(stored, PR_SOURCE_KEY) : NULL;
        if (sp) {
            *out = *sp;
            return EXS_OK;
        }

        /* fall through */

    case PR_RECORD_KEY:
        p = exs_alloc(a, EXS_XID_LEN);
        if (p == NULL) {
            return EXS_NOMEM;
        }
        exs_xid(mb->st->rec.guid, mid, p);
        out->v.bin.data = p;
        out->v.bin.len = EXS_XID_LEN;
        return EXS_OK;

    case PR_PARENT_SOURCE_KEY:
        rc = exs_folder_load(mb, h->fid, NULL, &fprops, 0, a);
        if (rc != EXS_OK) {
            return rc;
        }

        sp = exs_props_get(&fprops, PR_SOURCE_KEY);
        if (sp) {
            *out = *sp;
            out->tag = tag;
            return EXS_OK;
        }

        p = exs_alloc(a, EXS_XID_LEN);
        if (p == NULL) {
            return EXS_NOMEM;
        }
        exs_xid(mb->st->rec.guid, h->fid, p);
        out->v.bin.data = p;
        out->v.bin.len = EXS_XID_LEN;
        return EXS_OK;

    case PR_PARENT_DISPLAY:
        rc = exs_folder_load(mb, h->fid, NULL, &fprops, 0, a);
        if (rc != EXS_OK) {
            return rc;
        }

        sp = exs_props_get(&fprops, PR_DISPLAY_NAME);
        if (sp == NULL) {
            return EXS_NOTFOUND;
        }

        *out = *sp;
        out->tag = tag;
        return EXS_OK;

    case PR_MID:
        out->v.ll = (int64_t) exs_id_to_eid(mb->st->rec.replid, mid);
        return EXS_OK;

    case PR_FID:
    case PR_PARENT_FID:
        out->v.ll = (int64_t) exs_id_to_eid(mb->st->rec.replid, h->fid);
        return EXS_OK;

    case PR_CHANGE_NUMBER:
        out->v.ll = (int64_t) exs_id_to_eid(mb->st->rec.replid, h->cn);
        return EXS_OK;

    case PR_INTERNET_ARTICLE_NUMBER:
        if (h->uid == 0) {
            return EXS_NOTFOUND;
        }
        out->v.l = (int32_t) h->uid;
        return EXS_OK;

    case PR_MESSAGE_FLAGS:
        out->v.l = (int32_t) (h->flags
                              | (h->natts ? MSGFLAG_HASATTACH : 0)
                              | ((h->state & EXS_MSG_ST_ASSOC)
                                 ? MSGFLAG_ASSOCIATED : 0));
        return EXS_OK;

    case PR_READ:
        out->v.b = (h->flags & MSGFLAG_READ) ? 1 : 0;
        return EXS_OK;

    case PR_MESSAGE_SIZE:
        out->v.l = h->size > INT32_MAX ? INT32_MAX : (int32_t) h->size;
        return EXS_OK;

    case PR_MESSAGE_SIZE_EXTENDED:
        out->v.ll = h->size;
        return EXS_OK;

    case PR_HASATTACH:
        out->v.b = h->natts ? 1 : 0;
        return EXS_OK;

    case PR_ASSOCIATED:
        out->v.b = (h->state & EXS_MSG_ST_ASSOC) ? 1 : 0;
        return EXS_OK;

    case PR_OBJECT_TYPE:
        out->v.l = 5;       /* MAPI_MESSAGE */
        return EXS_OK;

    case PR_ACCESS:
        /* MAPI_ACCESS_MODIFY | _READ | _DELETE for what the user may do */
        if (mb->owner_access) {
            out->v.l = 0x07;
            return EXS_OK;
        }

        out->v.l = 0x02;
        if (exs_mbox_check(mb, h->fid, EXS_RIGHT_EDIT_ANY, h->creator)
            == EXS_OK)
        {
            out->v.l |= 0x01;
        }
        if (exs_mbox_check(mb, h->fid, EXS_RIGHT_DELETE_ANY, h->creator)
            == EXS_OK)
        {
            out->v.l |= 0x04;
        }
        return EXS_OK;

    case PR_ACCESS_LEVEL:
        out->v.l = (mb->owner_access
                    || exs_mbox_check(mb, h->fid, EXS_RIGHT_EDIT_ANY,
                                      h->creator) == EXS_OK) ? 1 : 0;
        return EXS_OK;

    case PR_STORE_RECORD_KEY:
    case PR_MAPPING_SIGNATURE:
        out->v.bin.data = exs_memdup(a, mb->st->rec.guid, 16);
        out->v.bin.len = 16;
        return out->v.bin.data ? EXS_OK : EXS_NOMEM;

    case PR_DELETED_ON:
        if (!(h->state & EXS_MSG_ST_DELETED)) {
            return EXS_NOTFOUND;
        }
        out->v.ll = h->deleted_on;
        return EXS_OK;

    default:
        return EXS_NOTFOUND;
    }
}


/* a stored value overrides a computed one for these */
static int
exs_msg_stored_first(uint32_t tag)
{
    switch (PROP_ID(tag)) {
    case 0x65E0:    /* PR_SOURCE_KEY */
    case 0x65E2:    /* PR_CHANGE_KEY */
    case 0x65E3:    /* PR_PREDECESSOR_CHANGE_LIST */
    case 0x3008:    /* PR_LAST_MODIFICATION_TIME */
    case 0x0E02:    /* PR_DISPLAY_BCC */
    case 0x0E03:    /* PR_DISPLAY_CC */
    case 0x0E04:    /* PR_DISPLAY_TO */
        return 1;
    default:
        return !exs_tag_computed_msg(tag);
    }
}


/* a stored value by tag, out-of-line ones included (their type carries
 * EXS_PT_OOL until resolved).  A stored bag is as exs_bag_decode() read
 * it, its ids strictly increasing: a binary search finds the one value of
 * the id */

static exs_prop_t *
exs_msg_stored(const exs_props_t *stored, uint32_t tag)
{
    uint16_t     type, have;
    uint32_t     lo, hi, mid;
    exs_prop_t  *p;

    type = PROP_TYPE(tag);
    lo = 0;
    hi = stored->n;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        p = &stored->v[mid];

        if (PROP_ID(p->tag) < PROP_ID(tag)) {
            lo = mid + 1;
            continue;
        }

        if (PROP_ID(p->tag) > PROP_ID(tag)) {
            hi = mid;
            continue;
        }

        have = PROP_TYPE(p->tag) & ~(EXS_PT_OOL | EXS_PT_PREP);

        if (type == PT_UNSPECIFIED || type == have
            || ((type & ~PT_MV) == PT_STRING8
                && (have & ~PT_MV) == PT_UNICODE
                && (type & PT_MV) == (have & PT_MV)))
        {
            return p;
        }

        return NULL;
    }

    return NULL;
}


/*
 * exs_msg_collect answers up to hundreds of tags per row for the table
 * views of clients (an EWS listing asks ~100 per message); a small open
 * hash of property ids (exs_pidx_t) keeps that linear instead of tags x
 * properties.
 */


/* as many slots as twice the values expected (a row of a table: a few
 * dozen), so that little is cleared */

static void
exs_pidx_init(exs_pidx_t *x, uint32_t need)
{
    uint32_t  slots;

    for (slots = 64; slots < EXS_PIDX_SLOTS && slots < 2 * need;
         slots <<= 1)
    {
        /* void */
    }

    memset(x->at, 0, slots * sizeof(uint16_t));
    x->n = 0;
    x->mask = slots - 1;
}


static int
exs_pidx_add(exs_pidx_t *x, uint32_t tag, uint32_t at)
{
    uint32_t  h;

    if (x->n >= EXS_PIDX_MAX || x->n >= (x->mask + 1) / 2) {
        return -1;
    }

    h = (PROP_ID(tag) * 40503u) & x->mask;

    while (x->at[h]) {
        if (x->id[h] == PROP_ID(tag)) {
            return 0;                   /* the first one stays */
        }

        h = (h + 1) & x->mask;
    }

    x->id[h] = (uint16_t) PROP_ID(tag);
    x->at[h] = (uint16_t) (at + 1);
    x->n++;

    return 0;
}


/* the index of the value with tag's id, or -1 */

static int32_t
exs_pidx_find(const exs_pidx_t *x, uint32_t tag)
{
    uint32_t  h;

    h = (PROP_ID(tag) * 40503u) & x->mask;

    while (x->at[h]) {
        if (x->id[h] == PROP_ID(tag)) {
            return (int32_t) x->at[h] - 1;
        }

        h = (h + 1) & x->mask;
    }

    return -1;
}


/* exs_props_get() through the index */

static exs_prop_t *
exs_pidx_get(const exs_pidx_t *x, const exs_props_t *bag, uint32_t tag)
{
    int32_t      i;
    exs_props_t  one;

    i = exs_pidx_find(x, tag);
    if (i < 0) {
        return NULL;
    }

    one.n = 1;
    one.cap = 1;
    one.v = &bag->v[i];

    return exs_props_get(&one, tag);     /* the same type rules */
}


static int
exs_msg_collect(exs_mbox_t *mb, exs_id_t mid, const exs_msg_hdr_t *h,
    const exs_props_t *stored, const uint32_t *tags, uint32_t ntags,
    exs_props_t *out, exs_arena_t *a)
{
    int          rc, indexed;
    uint32_t     i;
    exs_prop_t   p, *sp;
    exs_pidx_t   ox;

    /* stored values are found by binary search (exs_msg_stored), the ones
     * already answered through an index of "out"; when the index is full
     * the linear lookups answer */

    indexed = out->n == 0;

    if (ntags == 0) {
        for (i = 0; i < stored->n; i++) {
            p = stored->v[i];

            rc = exs_prop_resolve(mb->txn, &p, a);
            if (rc == EXS_OK) {
                rc = exs_props_set(a, out, &p);
            }

            if (rc != EXS_OK) {
                return rc;
            }
        }

        tags = exs_msg_computed_tags;
        ntags = sizeof(exs_msg_computed_tags) / sizeof(uint32_t);
    }

    exs_pidx_init(&ox, out->n + ntags);

    for (i = 0; indexed && i < out->n; i++) {
        if (exs_pidx_add(&ox, out->v[i].tag, i) != 0) {
            indexed = 0;
        }
    }

    for (i = 0; i < ntags; i++) {
        if (indexed ? exs_pidx_get(&ox, out, tags[i]) != NULL
                    : exs_props_get(out, tags[i]) != NULL)
        {
            continue;
        }

        sp = exs_msg_stored_first(tags[i]) ? exs_msg_stored(stored, tags[i])
                                           : NULL;

        if (sp) {
            p = *sp;
            rc = exs_prop_resolve(mb->txn, &p, a);

        } else {
            rc = exs_msg_computed(mb, mid, h, stored, tags[i], &p, a);
            if (rc == EXS_NOTFOUND) {
                continue;
            }
        }

        if (rc != EXS_OK) {
            return rc;
        }

        if (indexed && exs_pidx_find(&ox, p.tag) < 0) {
            /* new to the bag: no need for exs_props_set's search */

            if (exs_pidx_add(&ox, p.tag, out->n) != 0) {
                indexed = 0;
            }

            rc = exs_props_append(a, out, &p);

        } else {
            rc = exs_props_set(a, out, &p);
        }

        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


/*
 * The ids of tags, ascending and each once; 0 when there are more than
 * max.  Only the stored values of these ids are asked for: exs_msg_collect
 * reads a stored value by the id of the tag it answers, and
 * exs_msg_computed reads none but PR_SOURCE_KEY for PR_SOURCE_KEY.
 */

uint32_t
exs_msg_tag_ids(const uint32_t *tags, uint32_t ntags, uint16_t *ids,
    uint32_t max)
{
    uint16_t  id;
    uint32_t  i, j, k, n;

    if (ntags > max) {
        return 0;
    }

    n = 0;

    for (i = 0; i < ntags; i++) {
        id = (uint16_t) PROP_ID(tags[i]);

        for (j = n; j > 0 && ids[j - 1] > id; j--) {
            /* void */
        }

        if (j > 0 && ids[j - 1] == id) {
            continue;
        }

        for (k = n; k > j; k--) {
            ids[k] = ids[k - 1];
        }

        ids[j] = id;
        n++;
    }

    return n;
}


int
exs_message_get(exs_mbox_t *mb, exs_id_t mid, const uint32_t *tags,
    uint32_t ntags, exs_props_t *out, exs_arena_t *a)
{
    uint16_t  ids[EXS_MSG_IDS_MAX];
    uint32_t  nids;

    nids = exs_msg_tag_ids(tags, ntags, ids, EXS_MSG_IDS_MAX);

    return exs_message_get_ids(mb, mid, tags, ntags, ids, nids, out, a);
}


int
exs_message_get_ids(exs_mbox_t *mb, exs_id_t mid, const uint32_t *tags,
    uint32_t ntags, const uint16_t *ids, uint32_t nids, exs_props_t *out,
    exs_arena_t *a)
{
    int            rc;
    exs_props_t    stored;
    exs_msg_hdr_t  h;

    out->n = 0;
    out->cap = 0;
    out->v = NULL;

    rc = exs_msg_load_ids(mb, mid, &h, &stored, 0, ids, nids, a);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_check(mb, h.fid, EXS_RIGHT_READ_ANY, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_msg_collect(mb, mid, &h, &stored, tags, ntags, out, a);
}


int32_t
exs_attach_size(const exs_attach_t *at)
{
    int64_t   size;
    uint32_t  j;

    size = 0;

    for (j = 0; j < at->props.n; j++) {
        switch (PROP_ID(at->props.v[j].tag)) {
        case 0x0E20:    /* PR_ATTACH_SIZE */
        case 0x0FFE:    /* PR_OBJECT_TYPE */
            continue;
        }

        size += exs_prop_size(&at->props.v[j]);
    }

    if (at->embedded) {
        for (j = 0; j < at->embedded->props.n; j++) {
            size += exs_prop_size(&at->embedded->props.v[j]);
        }
    }

    return size > INT32_MAX ? INT32_MAX : (int32_t) size;
}


static int
exs_attach_finish(exs_txn_t *t, exs_msg_t *msg, unsigned what,
    exs_arena_t *a)
{
    int            rc;
    uint32_t       i, j;
    exs_attach_t  *at;

    for (i = 0; i < msg->natts; i++) {
        at = &msg->atts[i];

        rc = exs_props_set_long(a, &at->props, PR_ATTACH_SIZE,
                                exs_attach_size(at));
        if (rc != EXS_OK) {
            return rc;
        }

        rc = exs_props_set_long(a, &at->props, PR_OBJECT_TYPE, 7);
        if (rc != EXS_OK) {
            return rc;
        }

        if (!(what & EXS_READ_ATTACH_DATA)) {
            (void) exs_props_del(&at->props, PR_ATTACH_DATA_BIN);
            at->embedded = NULL;
            continue;
        }

        rc = exs_bag_resolve(t, &at->props, a);
        if (rc != EXS_OK) {
            return rc;
        }

        if (at->embedded) {
            rc = exs_bag_resolve(t, &at->embedded->props, a);
            if (rc != EXS_OK) {
                return rc;
            }

            for (j = 0; j < at->embedded->nrcpts; j++) {
                rc = exs_bag_resolve(t, &at->embedded->rcpts[j].props, a);
                if (rc != EXS_OK) {
                    return rc;
                }
            }

            rc = exs_attach_finish(t, at->embedded, what, a);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    return EXS_OK;
}


int
exs_message_read(exs_mbox_t *mb, exs_id_t mid, unsigned what,
    exs_msg_t **msgp, exs_arena_t *a)
{
    int            rc;
    uint32_t       i;
    exs_msg_t     *msg;
    exs_props_t    stored;
    exs_msg_hdr_t  h;

    *msgp = NULL;

    msg = exs_msg_create(a);
    if (msg == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_msg_load(mb, mid, &h, &stored, 0, a);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_check(mb, h.fid, EXS_RIGHT_READ_ANY, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    if (what & EXS_READ_PROPS) {
        rc = exs_msg_collect(mb, mid, &h, &stored, NULL, 0, &msg->props, a);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    if (what & (EXS_READ_RCPTS | EXS_READ_ATTACH | EXS_READ_ATTACH_DATA)) {
        rc = exs_msg_sub_load(mb, mid, msg, 0, a);
        if (rc != EXS_OK) {
            return rc;
        }

        if (what & EXS_READ_RCPTS) {
            for (i = 0; i < msg->nrcpts; i++) {
                rc = exs_bag_resolve(mb->txn, &msg->rcpts[i].props, a);
                if (rc != EXS_OK) {
                    return rc;
                }
            }

        } else {
            msg->nrcpts = 0;
        }

        if (what & (EXS_READ_ATTACH | EXS_READ_ATTACH_DATA)) {
            rc = exs_attach_finish(mb->txn, msg, what, a);
            if (rc != EXS_OK) {
                return rc;
            }

        } else {
            msg->natts = 0;
        }
    }

    *msgp = msg;

    return EXS_OK;
}


int
exs_message_info(exs_mbox_t *mb, exs_id_t mid, exs_msg_info_t *info)
{
    int            rc;
    exs_msg_hdr_t  h;

    rc = exs_msg_load(mb, mid, &h, NULL, 0, NULL);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_check(mb, h.fid, EXS_RIGHT_READ_ANY, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    info->fid = h.fid;
    info->cn = h.cn;
    info->modseq = h.cn > h.read_cn ? h.cn : h.read_cn;
    info->uid = h.uid;
    info->flags = h.flags | (h.natts ? MSGFLAG_HASATTACH : 0)
                  | ((h.state & EXS_MSG_ST_ASSOC) ? MSGFLAG_ASSOCIATED : 0);
    info->associated = (h.state & EXS_MSG_ST_ASSOC) ? 1 : 0;
    info->deleted = (h.state & EXS_MSG_ST_DELETED) ? 1 : 0;
    info->delivery = h.delivery;
    info->size = h.size;

    return EXS_OK;
}


/*
 * Puts a message's new record in place of its old one: out of its indexes
 * and counters with the old header, the new record written (taking its
 * references), the old values' references dropped, back in with the new
 * header, the change logged (cn 0: no change of its own, ICS keys).
 */

static int
exs_msg_replace(exs_mbox_t *mb, exs_id_t mid, const exs_msg_hdr_t *oh,
    exs_msg_hdr_t *h, const exs_props_t *props, const exs_wbuf_t *sub,
    int64_t sub_size, int has_sub, const exs_props_t *old,
    const exs_msg_t *old_sub, uint64_t cn)
{
    int  rc;

    rc = exs_msg_index(mb, mid, oh, 0);

    if (rc == EXS_OK) {
        rc = exs_folder_account(mb, oh->fid, oh, -1, 0, NULL);
    }

    if (rc == EXS_OK) {
        rc = exs_msg_write(mb, mid, h, props, sub, sub_size, has_sub, 0);
    }

    if (rc == EXS_OK) {
        rc = exs_props_release(mb->txn, old);
    }

    if (rc == EXS_OK && old_sub) {
        rc = exs_msg_refs(mb->txn, old_sub, -1);
    }

    if (rc == EXS_OK) {
        rc = exs_msg_index(mb, mid, h, 1);
    }

    if (rc == EXS_OK) {
        rc = exs_folder_account(mb, h->fid, h, 1, cn, NULL);
    }

    if (rc == EXS_OK) {
        exs_mbox_touch(mb, cn, h->size - oh->size);

        if (cn) {
            rc = exs_change_log(mb, cn, EXS_CHANGE_MODIFY,
                                (h->state & EXS_MSG_ST_ASSOC)
                                ? EXS_CHANGE_ASSOCIATED : 0,
                                mid, h->fid, 0, 0);
        }
    }

    return exs_txn_fail(mb->txn, rc);
}


int
exs_message_save(exs_mbox_t *mb, exs_id_t mid, const exs_msg_t *msg,
    const exs_bin_t *change_key)
{
    int            rc, has_sub;
    int64_t        sub_size;
    uint64_t       cn;
    exs_wbuf_t     sub;
    exs_prop_t    *p, *old_pcl;
    exs_arena_t   *a;
    exs_msg_t      old_sub;
    exs_props_t    old, props;
    exs_msg_hdr_t  h, oh;

    a = exs_arena_create(8192);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    exs_wbuf_init(&sub);
    memset(&old_sub, 0, sizeof(exs_msg_t));

    rc = exs_msg_load(mb, mid, &oh, &old, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        goto done;
    }

    if (oh.state & EXS_MSG_ST_DELETED) {
        rc = EXS_NOTFOUND;
        goto done;
    }

    rc = exs_mbox_check(mb, oh.fid, EXS_RIGHT_EDIT_ANY, oh.creator);
    if (rc != EXS_OK) {
        goto done;
    }

    if (change_key) {
        p = exs_props_get(&old, PR_CHANGE_KEY);

        if (p == NULL || p->v.bin.len != change_key->len
            || memcmp(p->v.bin.data, change_key->data, change_key->len) != 0)
        {
            rc = EXS_CONFLICT;
            goto done;
        }
    }

    rc = exs_msg_validate(msg, 0);
    if (rc != EXS_OK) {
        goto done;
    }

    if (exs_txn_rdonly(mb->txn)) {
        rc = EXS_DENIED;
        goto done;
    }

    rc = exs_msg_sub_load(mb, mid, &old_sub, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        goto done;
    }

    props.n = 0;
    props.cap = 0;
    props.v = NULL;

    rc = exs_msg_filter(mb, &msg->props, &props, 0, a);
    if (rc != EXS_OK) {
        goto done;
    }

    /* a client's new content: the MIME it arrived as no longer is it */
    (void) exs_props_del(&props, PR_INTERNET_CONTENT);

    /* what the new content doesn't say is kept from the old */

    if (exs_props_get(&props, PR_MESSAGE_DELIVERY_TIME) == NULL) {
        p = exs_props_get(&old, PR_MESSAGE_DELIVERY_TIME);
        if (p) {
            rc = exs_props_set(a, &props, p);
        }
    }

    if (rc == EXS_OK && exs_props_get(&props, PR_CREATION_TIME) == NULL) {
        p = exs_props_get(&old, PR_CREATION_TIME);
        if (p) {
            rc = exs_props_set(a, &props, p);
        }
    }

    old_pcl = exs_props_get(&old, PR_PREDECESSOR_CHANGE_LIST);
    if (rc == EXS_OK && old_pcl) {
        rc = exs_props_set(a, &props, old_pcl);
    }

    if (rc == EXS_OK) {
        rc = exs_mbox_alloc_id(mb, &cn);
    }

    if (rc == EXS_OK) {
        rc = exs_props_set_i8(a, &props, PR_LAST_MODIFICATION_TIME,
                              exs_filetime_now());
    }

    if (rc == EXS_OK && msg->nrcpts) {
        rc = exs_msg_display_lists(a, msg, &props);
    }

    if (rc == EXS_OK) {
        rc = exs_change_keys(mb, &props, cn, a);
    }

    if (rc != EXS_OK) {
        goto done;
    }

    h = oh;
    h.cn = cn;
    h.natts = msg->natts;
    h.nrcpts = msg->nrcpts;
    (void) exs_msg_flags_in(&msg->props, &h.flags);

    p = exs_props_get(&props, PR_MESSAGE_DELIVERY_TIME);
    h.delivery = p ? p->v.ll : 0;

    sub_size = 0;
    has_sub = 1;

    if (msg->nrcpts || msg->natts) {
        rc = exs_sub_store(mb->txn, &sub, msg, 0, &sub_size);
        if (rc != EXS_OK) {
            rc = exs_txn_fail(mb->txn, rc);
            goto done;
        }
    }

    rc = exs_msg_replace(mb, mid, &oh, &h, &props, &sub, sub_size, has_sub,
                         &old, &old_sub, cn);

done:

    exs_wbuf_free(&sub);
    exs_arena_destroy(a);

    return rc;
}


/*
 * PR_INTERNET_CONTENT is the message as it arrived (exs_oxcmail.h): a
 * change of what MIME carries makes it stale, so it goes.  Flags and
 * follow-up state are not in the MIME.
 */

static int
exs_msg_mime_changed(const exs_props_t *set, const uint32_t *del,
    uint32_t ndel)
{
    uint32_t  i, n, tag;

    n = set ? set->n : ndel;

    for (i = 0; i < n; i++) {
        tag = set ? set->v[i].tag : del[i];

        switch (PROP_ID(tag)) {
        case 0x0E07:    /* PR_MESSAGE_FLAGS */
        case 0x0E69:    /* PR_READ */
        case 0x1080:    /* PR_ICON_INDEX */
        case 0x1081:    /* PR_LAST_VERB_EXECUTED */
        case 0x1082:    /* PR_LAST_VERB_EXECUTION_TIME */
        case 0x1090:    /* PR_FLAG_STATUS */
        case 0x1091:    /* PR_FLAG_COMPLETE_TIME */
        case 0x1095:    /* PR_FOLLOWUP_ICON */
        case 0x0E2B:    /* PR_TODO_ITEM_FLAGS */
        case 0x6659:    /* PR_INTERNET_CONTENT itself */
            continue;
        default:
            return 1;
        }
    }

    return 0;
}


static int64_t
exs_bag_size(const exs_props_t *props)
{
    int64_t   size;
    uint32_t  i;

    size = 0;

    for (i = 0; i < props->n; i++) {
        size += 4 + exs_prop_size(&props->v[i]);
    }

    return size;
}


/*
 * Property changes of a message: set (PR_MESSAGE_FLAGS and PR_READ go
 * into the header), delete, or one out-of-line value from a stream into
 * the message (attach_num -1) or one of its attachments.  keys, when
 * given, are the change key and PCL to keep (ICS upload): then no new
 * change number.
 */

static int
exs_msg_update(exs_mbox_t *mb, exs_id_t mid, const exs_props_t *set,
    const uint32_t *del, uint32_t ndel, const exs_prop_t *ool,
    int32_t attach_num, const exs_props_t *keys)
{
    int            rc, has_sub;
    int64_t        sub_size;
    uint32_t       i;
    uint64_t       cn;
    exs_wbuf_t     sub;
    exs_prop_t    *p;
    exs_arena_t   *a;
    exs_msg_t      msub, old_sub;
    exs_props_t    props, old, *bag;
    exs_msg_hdr_t  h, oh;

    if (set && exs_props_validate(set) != EXS_OK) {
        return EXS_INVALID;
    }

    a = exs_arena_create(8192);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    exs_wbuf_init(&sub);
    memset(&msub, 0, sizeof(exs_msg_t));
    memset(&old_sub, 0, sizeof(exs_msg_t));

    rc = exs_msg_load(mb, mid, &oh, &props, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        goto done;
    }

    if (oh.state & EXS_MSG_ST_DELETED) {
        rc = EXS_NOTFOUND;
        goto done;
    }

    rc = exs_mbox_check(mb, oh.fid, EXS_RIGHT_EDIT_ANY, oh.creator);
    if (rc != EXS_OK) {
        goto done;
    }

    if (exs_txn_rdonly(mb->txn)) {
        rc = EXS_DENIED;
        goto done;
    }

    /* the old bag as it was, for its references */
    old = props;
    old.v = exs_memdup(a, props.v, (props.n ? props.n : 1)
                                   * sizeof(exs_prop_t));
    if (old.v == NULL) {
        rc = EXS_NOMEM;
        goto done;
    }

    h = oh;
    has_sub = 0;
    sub_size = oh.size - EXS_MSG_HDR_LEN - exs_bag_size(&props);
    bag = &props;

    if (sub_size < 0) {
        sub_size = 0;
    }

    if (ool && attach_num >= 0) {
        rc = exs_msg_sub_load(mb, mid, &msub, EXS_DEC_COPY, a);
        if (rc == EXS_OK) {
            rc = exs_msg_sub_load(mb, mid, &old_sub, EXS_DEC_COPY, a);
        }

        if (rc != EXS_OK) {
            goto done;
        }

        bag = NULL;

        for (i = 0; i < msub.natts; i++) {
            p = exs_props_get(&msub.atts[i].props, PR_ATTACH_NUM);
            if (p && p->v.l == attach_num) {
                bag = &msub.atts[i].props;
                break;
            }
        }

        if (bag == NULL) {
            rc = EXS_NOTFOUND;
            goto done;
        }

        has_sub = 1;
    }

    if (set) {
        (void) exs_msg_flags_in(set, &h.flags);
    }

    for (i = 0; set && i < set->n; i++) {
        if (exs_tag_computed_msg(set->v[i].tag)) {
            continue;
        }

        switch (PROP_TYPE(set->v[i].tag)) {
        case PT_UNSPECIFIED:
        case PT_NULL:
        case PT_ERROR:
        case PT_OBJECT:
            continue;
        }

        rc = exs_props_set(a, &props, &set->v[i]);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    for (i = 0; i < ndel; i++) {
        if (!exs_tag_computed_msg(del[i])) {
            (void) exs_props_del(&props, del[i]);
        }
    }

    if ((set && exs_msg_mime_changed(set, NULL, 0))
        || (ndel && exs_msg_mime_changed(NULL, del, ndel))
        || (ool && !(set && exs_props_get(set, PR_INTERNET_CONTENT))))
    {
        (void) exs_props_del(&props, PR_INTERNET_CONTENT);
    }

    if (ool) {
        rc = exs_props_set(a, bag, ool);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    if (keys) {
        cn = oh.cn;

        for (i = 0; i < keys->n; i++) {
            rc = exs_props_set(a, &props, &keys->v[i]);
            if (rc != EXS_OK) {
                goto done;
            }
        }

    } else {
        rc = exs_mbox_alloc_id(mb, &cn);

        if (rc == EXS_OK) {
            rc = exs_props_set_i8(a, &props, PR_LAST_MODIFICATION_TIME,
                                  exs_filetime_now());
        }

        if (rc == EXS_OK) {
            rc = exs_change_keys(mb, &props, cn, a);
        }

        if (rc != EXS_OK) {
            goto done;
        }
    }

    p = exs_props_get(&props, PR_MESSAGE_DELIVERY_TIME);
    h.delivery = p ? p->v.ll : 0;
    h.cn = cn;

    /* no more checks: what fails now fails the transaction */

    if (has_sub) {
        sub_size = 0;
        rc = exs_sub_store(mb->txn, &sub, &msub, 0, &sub_size);
        if (rc == EXS_OK) {
            rc = exs_msg_refs(mb->txn, &old_sub, -1);
        }
    }

    if (rc == EXS_OK) {
        rc = exs_msg_replace(mb, mid, &oh, &h, &props, &sub, sub_size,
                             has_sub, &old, NULL, keys ? 0 : cn);
    }

    rc = exs_txn_fail(mb->txn, rc);

done:

    exs_wbuf_free(&sub);
    exs_arena_destroy(a);

    return rc;
}


int
exs_message_set(exs_mbox_t *mb, exs_id_t mid, const exs_props_t *props)
{
    return exs_msg_update(mb, mid, props, NULL, 0, NULL, -1, NULL);
}


int
exs_message_delprops(exs_mbox_t *mb, exs_id_t mid, const uint32_t *tags,
    uint32_t ntags)
{
    return exs_msg_update(mb, mid, NULL, tags, ntags, NULL, -1, NULL);
}


int
exs_message_set_stream(exs_mbox_t *mb, exs_id_t mid, int32_t attach_num,
    uint32_t tag, exs_stream_t *s)
{
    int         rc;
    uint8_t     sha[EXS_SHA_LEN];
    uint16_t    type;
    uint64_t    len;
    exs_prop_t  p;

    type = PROP_TYPE(tag);

    if (type == PT_STRING8) {
        type = PT_UNICODE;
    }

    if (type != PT_UNICODE && type != PT_BINARY) {
        return EXS_INVALID;
    }

    rc = exs_stream_finish(s, sha, &len);
    if (rc != EXS_OK) {
        return rc;
    }

    if (len > SIZE_MAX) {
        return EXS_TOOBIG;
    }

    p.tag = PROP_CHANGE_TYPE(tag, type) | EXS_PT_OOL;
    p.v.bin.data = sha;
    p.v.bin.len = (size_t) len;

    return exs_msg_update(mb, mid, NULL, NULL, 0, &p, attach_num, NULL);
}


int
exs_message_set_read(exs_mbox_t *mb, exs_id_t mid, int read)
{
    int            rc;
    uint8_t        head[EXS_MSG_HDR_LEN];
    uint32_t       flags;
    uint64_t       cn;
    exs_key_t      k;
    exs_msg_hdr_t  h, oh;

    rc = exs_msg_load(mb, mid, &oh, NULL, 0, NULL);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_check(mb, oh.fid, EXS_RIGHT_READ_ANY, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    flags = read ? (oh.flags | MSGFLAG_READ | MSGFLAG_EVERREAD)
                 : (oh.flags & ~MSGFLAG_READ);

    if (flags == oh.flags) {
        return EXS_OK;
    }

    if (exs_txn_rdonly(mb->txn)) {
        return EXS_DENIED;
    }

    rc = exs_mbox_alloc_id(mb, &cn);
    if (rc != EXS_OK) {
        return rc;
    }

    h = oh;
    h.flags = flags;
    h.read_cn = cn;

    rc = exs_msg_index(mb, mid, &oh, 0);

    if (rc == EXS_OK) {
        rc = exs_folder_account(mb, oh.fid, &oh, -1, 0, NULL);
    }

    if (rc == EXS_OK) {
        /* only the header changes */
        exs_msg_key(mb, mid, &k);
        exs_msg_hdr_put(head, &h);
        rc = exs_db_patch(mb->txn, EXS_DB_MSG, k.b, k.len, head,
                          sizeof(head));
    }

    if (rc == EXS_OK) {
        rc = exs_msg_index(mb, mid, &h, 1);
    }

    if (rc == EXS_OK) {
        rc = exs_folder_account(mb, h.fid, &h, 1, cn, NULL);
    }

    if (rc == EXS_OK) {
        rc = exs_change_log(mb, cn, EXS_CHANGE_READ,
                            (h.state & EXS_MSG_ST_ASSOC)
                            ? EXS_CHANGE_ASSOCIATED : 0,
                            mid, h.fid, 0, 0);
    }

    return exs_txn_fail(mb->txn, rc);
}


int
exs_message_set_change_keys(exs_mbox_t *mb, exs_id_t mid,
    const exs_bin_t *change_key, const exs_bin_t *pcl)
{
    int            rc;
    exs_prop_t    *old;
    exs_bin_t      merged;
    exs_arena_t   *a;
    exs_props_t    props, keys;
    exs_msg_hdr_t  h;

    if (change_key == NULL || change_key->len < 17 || change_key->len > 24) {
        return EXS_INVALID;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_msg_load(mb, mid, &h, &props, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        goto done;
    }

    old = exs_props_get(&props, PR_PREDECESSOR_CHANGE_LIST);

    rc = exs_pcl_merge(a, pcl ? pcl : (old ? &old->v.bin : NULL),
                       change_key->data, change_key->len, &merged);
    if (rc != EXS_OK) {
        goto done;
    }

    keys.n = 0;
    keys.cap = 0;
    keys.v = NULL;

    rc = exs_props_set_bin(a, &keys, PR_CHANGE_KEY, change_key->data,
                           change_key->len);
    if (rc == EXS_OK) {
        rc = exs_props_set_bin(a, &keys, PR_PREDECESSOR_CHANGE_LIST,
                               merged.data, merged.len);
    }

    if (rc == EXS_OK) {
        rc = exs_msg_update(mb, mid, NULL, NULL, 0, NULL, -1, &keys);
    }

done:

    exs_arena_destroy(a);

    return rc;
}


int
exs_message_parent(exs_mbox_t *mb, exs_id_t mid, exs_id_t *fid)
{
    int            rc;
    exs_msg_hdr_t  h;

    rc = exs_msg_load(mb, mid, &h, NULL, 0, NULL);
    if (rc != EXS_OK) {
        return rc;
    }

    *fid = h.fid;

    return EXS_OK;
}


int
exs_message_by_uid(exs_mbox_t *mb, exs_id_t fid, uint32_t uid, exs_id_t *mid)
{
    int        rc;
    MDB_val    v;
    exs_key_t  k;

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);
    exs_key_u64(&k, fid);
    exs_key_u32(&k, uid);

    rc = exs_db_get(mb->txn, EXS_DB_IDX_UID, k.b, k.len, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size != 8) {
        return EXS_CORRUPT;
    }

    *mid = exs_get_le64(v.mv_data);

    return EXS_OK;
}


int
exs_msg_remove(exs_mbox_t *mb, exs_id_t mid, exs_msg_hdr_t *h, int log)
{
    int          rc;
    uint64_t     cn;
    MDB_val      v;
    exs_key_t    k;
    exs_rbuf_t   b;

    exs_msg_key(mb, mid, &k);

    rc = exs_db_get(mb->txn, EXS_DB_MSG, k.b, k.len, &v);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
    }

    exs_rbuf_init(&b, (uint8_t *) v.mv_data + EXS_MSG_HDR_LEN,
                  v.mv_size - EXS_MSG_HDR_LEN);

    rc = exs_bag_release(mb->txn, &b);
    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc);
    }

    rc = exs_db_get(mb->txn, EXS_DB_MSGSUB, k.b, k.len, &v);

    if (rc == EXS_OK) {
        exs_rbuf_init(&b, v.mv_data, v.mv_size);
        rc = exs_sub_release(mb->txn, &b, 0);

        if (rc == EXS_OK) {
            rc = exs_db_del(mb->txn, EXS_DB_MSGSUB, k.b, k.len);
        }

    } else if (rc == EXS_NOTFOUND) {
        rc = EXS_OK;
    }

    if (rc == EXS_OK) {
        rc = exs_db_del(mb->txn, EXS_DB_MSG, k.b, k.len);
    }

    if (rc == EXS_OK) {
        rc = exs_msg_index(mb, mid, h, 0);
    }

    if (rc == EXS_OK) {
        rc = exs_folder_account(mb, h->fid, h, -1, 0, NULL);
    }

    if (rc == EXS_OK) {
        rc = exs_mbox_alloc_id(mb, &cn);
    }

    if (rc == EXS_OK) {
        exs_mbox_touch(mb, cn, -h->size);

        if (log) {
            rc = exs_change_log(mb, cn, EXS_CHANGE_DELETE,
                                (h->state & EXS_MSG_ST_ASSOC)
                                ? EXS_CHANGE_ASSOCIATED : 0,
                                mid, h->fid, 0, 0);
        }
    }

    return exs_txn_fail(mb->txn, rc);
}


int
exs_message_delete(exs_mbox_t *mb, const exs_id_t *mids, uint32_t n,
    unsigned flags)
{
    int            rc;
    uint8_t        head[EXS_MSG_HDR_LEN];
    uint32_t       i;
    uint64_t       cn;
    exs_key_t      k;
    exs_msg_hdr_t  h, oh;

    /* every message first: nothing changes when one can't go */

    for (i = 0; i < n; i++) {
        rc = exs_msg_load(mb, mids[i], &h, NULL, 0, NULL);
        if (rc != EXS_OK) {
            return rc;
        }

        rc = exs_mbox_check(mb, h.fid, EXS_RIGHT_DELETE_ANY, h.creator);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    if (exs_txn_rdonly(mb->txn)) {
        return EXS_DENIED;
    }

    for (i = 0; i < n; i++) {
        rc = exs_msg_load(mb, mids[i], &oh, NULL, 0, NULL);
        if (rc == EXS_NOTFOUND) {
            continue;       /* named twice */
        }

        if (rc != EXS_OK) {
            return exs_txn_fail(mb->txn, rc);
        }

        if (flags & EXS_DEL_HARD) {
            rc = exs_msg_remove(mb, mids[i], &oh, 1);
            if (rc != EXS_OK) {
                return rc;
            }
            continue;
        }

        if (oh.state & EXS_MSG_ST_DELETED) {
            continue;
        }

        /* soft: into the folder's soft-deleted view */

        rc = exs_mbox_alloc_id(mb, &cn);
        if (rc != EXS_OK) {
            return exs_txn_fail(mb->txn, rc);
        }

        h = oh;
        h.state |= EXS_MSG_ST_DELETED;
        h.deleted_on = exs_filetime_now();

        rc = exs_msg_index(mb, mids[i], &oh, 0);

        if (rc == EXS_OK) {
            rc = exs_folder_account(mb, oh.fid, &oh, -1, 0, NULL);
        }

        if (rc == EXS_OK) {
            exs_msg_key(mb, mids[i], &k);
            exs_msg_hdr_put(head, &h);
            rc = exs_db_patch(mb->txn, EXS_DB_MSG, k.b, k.len, head,
                              sizeof(head));
        }

        if (rc == EXS_OK) {
            rc = exs_msg_index(mb, mids[i], &h, 1);
        }

        if (rc == EXS_OK) {
            rc = exs_folder_account(mb, h.fid, &h, 1, cn, NULL);
        }

        if (rc == EXS_OK) {
            rc = exs_change_log(mb, cn, EXS_CHANGE_SOFT_DELETE,
                                (h.state & EXS_MSG_ST_ASSOC)
                                ? EXS_CHANGE_ASSOCIATED : 0,
                                mids[i], h.fid, 0, 0);
        }

        if (rc != EXS_OK) {
            return exs_txn_fail(mb->txn, rc);
        }
    }

    return EXS_OK;
}


/* a move gives the message a new id in its new folder (Exchange does the
 * same); a copy is a new message with the same content */

static int
exs_msg_move_one(exs_mbox_t *mb, exs_id_t mid, exs_id_t dst, int copy,
    exs_id_t *new_mid)
{
    int            rc;
    int64_t        sub_size;
    exs_id_t       nmid;
    uint64_t       cn;
    MDB_val        v;
    exs_key_t      k;
    exs_wbuf_t     sub;
    exs_arena_t   *a;
    exs_msg_t      msub;
    exs_props_t    props, bag;
    exs_msg_hdr_t  h, oh;
    uint32_t       i;

    a = exs_arena_create(8192);
    if (a == NULL) {
        return exs_txn_fail(mb->txn, EXS_NOMEM);
    }

    exs_wbuf_init(&sub);

    rc = exs_msg_load(mb, mid, &oh, &props, EXS_DEC_COPY, a);
    if (rc != EXS_OK) {
        goto done;
    }

    rc = exs_mbox_alloc_id(mb, &nmid);
    if (rc == EXS_OK) {
        rc = exs_mbox_alloc_id(mb, &cn);
    }

    if (rc != EXS_OK) {
        goto done;
    }

    bag.n = 0;
    bag.cap = 0;
    bag.v = NULL;

    for (i = 0; i < props.n; i++) {
        if (props.v[i].tag == PR_SOURCE_KEY) {
            continue;       /* the new id's */
        }

        rc = exs_props_set(a, &bag, &props.v[i]);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    if (copy) {
        (void) exs_props_del(&bag, PR_PREDECESSOR_CHANGE_LIST);
    }

    rc = exs_props_set_i8(a, &bag, PR_LAST_MODIFICATION_TIME,
                          exs_filetime_now());
    if (rc == EXS_OK) {
        rc = exs_change_keys(mb, &bag, cn, a);
    }

    if (rc != EXS_OK) {
        goto done;
    }

    h = oh;
    h.fid = dst;
    h.cn = cn;
    h.read_cn = 0;
    h.uid = 0;
    h.state &= ~EXS_MSG_ST_DELETED;
    h.deleted_on = 0;

    if (copy) {
        h.creator = mb->user;
    }

    /* the sub-objects: the same bytes under the new id, with a reference
     * more for a copy */

    exs_msg_key(mb, mid, &k);

    rc = exs_db_get(mb->txn, EXS_DB_MSGSUB, k.b, k.len, &v);

    if (rc == EXS_OK) {
        exs_wbuf_mem(&sub, v.mv_data, v.mv_size);
        rc = sub.err;

        if (rc == EXS_OK && copy) {
            exs_rbuf_t  b;

            memset(&msub, 0, sizeof(exs_msg_t));
            exs_rbuf_init(&b, sub.p, sub.len);
            rc = exs_sub_decode(&b, &msub, EXS_DEC_COPY, 0, a);
            if (rc == EXS_OK) {
                rc = exs_msg_refs(mb->txn, &msub, 1);
            }
        }

    } else if (rc == EXS_NOTFOUND) {
        rc = EXS_OK;
    }

    if (rc != EXS_OK) {
        goto failed;
    }

    sub_size = oh.size - EXS_MSG_HDR_LEN - exs_bag_size(&props);

    if (sub_size < 0) {
        sub_size = 0;
    }

    rc = exs_msg_write(mb, nmid, &h, &bag, &sub, sub_size, 1, 1);

    if (rc == EXS_OK) {
        rc = exs_msg_index(mb, nmid, &h, 1);
    }

    if (rc != EXS_OK) {
        goto failed;
    }

    if (copy) {
        exs_mbox_touch(mb, cn, h.size);
        rc = exs_change_log(mb, cn, EXS_CHANGE_COPY,
                            (h.state & EXS_MSG_ST_ASSOC)
                            ? EXS_CHANGE_ASSOCIATED : 0,
                            nmid, dst, mid, oh.fid);

    } else {
        /* the old record goes; its sub-object references moved along */

        exs_rbuf_t  b;

        rc = exs_db_get(mb->txn, EXS_DB_MSG, k.b, k.len, &v);
        if (rc == EXS_OK) {
            exs_rbuf_init(&b, (uint8_t *) v.mv_data + EXS_MSG_HDR_LEN,
                          v.mv_size - EXS_MSG_HDR_LEN);
            rc = exs_bag_release(mb->txn, &b);
        }

        if (rc == EXS_OK) {
            rc = exs_db_del(mb->txn, EXS_DB_MSG, k.b, k.len);
        }

        if (rc == EXS_OK) {
            rc = exs_db_del(mb->txn, EXS_DB_MSGSUB, k.b, k.len);
            if (rc == EXS_NOTFOUND) {
                rc = EXS_OK;
            }
        }

        if (rc == EXS_OK) {
            rc = exs_msg_index(mb, mid, &oh, 0);
        }

        if (rc == EXS_OK) {
            rc = exs_folder_account(mb, oh.fid, &oh, -1, cn, NULL);
        }

        if (rc == EXS_OK) {
            exs_mbox_touch(mb, cn, h.size - oh.size);
            rc = exs_change_log(mb, cn, EXS_CHANGE_MOVE,
                                (h.state & EXS_MSG_ST_ASSOC)
                                ? EXS_CHANGE_ASSOCIATED : 0,
                                nmid, dst, mid, oh.fid);
        }
    }

    if (rc == EXS_OK && new_mid) {
        *new_mid = nmid;
    }

failed:

    rc = exs_txn_fail(mb->txn, rc);

done:

    exs_wbuf_free(&sub);
    exs_arena_destroy(a);

    return rc;
}


static int
exs_msg_transfer(exs_mbox_t *mb, const exs_id_t *mids, uint32_t n,
    exs_id_t dst, exs_id_t *new_mids, int copy)
{
    int               rc;
    uint32_t          i, j;
    exs_msg_hdr_t     h;
    exs_folder_hdr_t  fh;

    rc = exs_folder_hdr(mb, dst, &fh);
    if (rc != EXS_OK) {
        return rc;
    }

    if ((fh.flags & EXS_FOLDER_DELETED) || fh.type == EXS_FOLDER_SEARCH) {
        return fh.type == EXS_FOLDER_SEARCH ? EXS_INVALID : EXS_NOTFOUND;
    }

    rc = exs_mbox_check(mb, dst, EXS_RIGHT_CREATE, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    for (i = 0; i < n; i++) {
        rc = exs_msg_load(mb, mids[i], &h, NULL, 0, NULL);
        if (rc != EXS_OK) {
            return rc;
        }

        rc = exs_mbox_check(mb, h.fid, copy ? EXS_RIGHT_READ_ANY
                                            : EXS_RIGHT_DELETE_ANY,
                            h.creator);
        if (rc != EXS_OK) {
            return rc;
        }

        for (j = 0; j < i && !copy; j++) {
            if (mids[j] == mids[i]) {
                return EXS_INVALID;
            }
        }
    }

    if (exs_txn_rdonly(mb->txn)) {
        return EXS_DENIED;
    }

    for (i = 0; i < n; i++) {
        if (!copy) {
            rc = exs_msg_load(mb, mids[i], &h, NULL, 0, NULL);
            if (rc != EXS_OK) {
                return exs_txn_fail(mb->txn, rc);
            }

            if (h.fid == dst && !(h.state & EXS_MSG_ST_DELETED)) {
                /* a move to where it is changes nothing */
                if (new_mids) {
                    new_mids[i] = mids[i];
                }
                continue;
            }
        }

        rc = exs_msg_move_one(mb, mids[i], dst, copy,
                              new_mids ? &new_mids[i] : NULL);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


int
exs_message_move(exs_mbox_t *mb, const exs_id_t *mids, uint32_t n,
    exs_id_t dst, exs_id_t *new_mids)
{
    return exs_msg_transfer(mb, mids, n, dst, new_mids, 0);
}


int
exs_message_copy(exs_mbox_t *mb, const exs_id_t *mids, uint32_t n,
    exs_id_t dst, exs_id_t *new_mids)
{
    return exs_msg_transfer(mb, mids, n, dst, new_mids, 1);
}


int
exs_message_read_prop(exs_mbox_t *mb, exs_id_t mid, int32_t attach_num,
    uint32_t tag, uint64_t offset, size_t len, exs_bin_t *out,
    uint64_t *total, exs_arena_t *a)
{
    int            rc;
    size_t         got, n;
    uint8_t       *buf;
    uint32_t       i;
    exs_prop_t    *p, *num;
    exs_msg_t      msub;
    exs_props_t    props, *bag;
    exs_msg_hdr_t  h;

    out->data = NULL;
    out->len = 0;

    rc = exs_msg_load(mb, mid, &h, &props, 0, a);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_mbox_check(mb, h.fid, EXS_RIGHT_READ_ANY, 0);
    if (rc != EXS_OK) {
        return rc;
    }

    bag = &props;

    if (attach_num >= 0) {
        memset(&msub, 0, sizeof(exs_msg_t));

        rc = exs_msg_sub_load(mb, mid, &msub, 0, a);
        if (rc != EXS_OK) {
            return rc;
        }

        bag = NULL;

        for (i = 0; i < msub.natts; i++) {
            num = exs_props_get(&msub.atts[i].props, PR_ATTACH_NUM);
            if (num && num->v.l == attach_num) {
                bag = &msub.atts[i].props;
                break;
            }
        }

        if (bag == NULL) {
            return EXS_NOTFOUND;
        }
    }

    p = NULL;

    for (i = 0; i < bag->n; i++) {
        if (PROP_ID(bag->v[i].tag) == PROP_ID(tag)) {
            p = &bag->v[i];
            break;
        }
    }

    if (p == NULL) {
        return EXS_NOTFOUND;
    }

    if (PROP_TYPE(p->tag) & EXS_PT_OOL) {
        if (offset >= p->v.bin.len) {
            *total = p->v.bin.len;
            return EXS_OK;
        }

        n = p->v.bin.len - offset < len ? p->v.bin.len - offset : len;

        buf = exs_alloc(a, n ? n : 1);
        if (buf == NULL) {
            return EXS_NOMEM;
        }

        rc = exs_blob_read(mb->txn, p->v.bin.data, offset, buf, n, &got,
                           total);
        if (rc != EXS_OK) {
            return rc;
        }

        out->data = buf;
        out->len = got;
        return EXS_OK;
    }

    switch (PROP_TYPE(p->tag)) {
    case PT_UNICODE:
    case PT_STRING8:
    case PT_BINARY:
        break;
    default:
        return EXS_INVALID;
    }

    *total = p->v.bin.len;

    if (offset >= p->v.bin.len) {
        return EXS_OK;
    }

    n = p->v.bin.len - offset < len ? p->v.bin.len - offset : len;

    out->data = exs_memdup(a, p->v.bin.data + offset, n);
    out->len = n;

    return out->data ? EXS_OK : EXS_NOMEM;
}


/* soft-deleted messages and folders older than before go for good */

int
exs_mbox_purge(exs_mbox_t *mb, int64_t before, uint32_t *purged)
{
    int               rc, view;
    uint32_t          i, n, nf, count;
    exs_id_t         *mids, *fids;
    exs_key_t         k;
    exs_msg_hdr_t     h;
    exs_folder_hdr_t  fh;

    if (!mb->owner_access) {
        return EXS_DENIED;
    }

    count = 0;

    /* every folder id first */

    exs_key_init(&k);
    exs_key_u32(&k, mb->id);

    rc = exs_scan_ids(mb->txn, EXS_DB_FOLDER, k.b, k.len, 4, 0, &fids, &nf);
    if (rc != EXS_OK) {
        return rc;
    }

    for (i = 0; rc == 0 && i < nf; i++) {
        rc = exs_folder_hdr(mb, fids[i], &fh);
        if (rc == EXS_NOTFOUND) {
            rc = 0;     /* gone with a purged parent */
            continue;
        }

        if (rc != EXS_OK) {
            break;
        }

        if ((fh.flags & EXS_FOLDER_DELETED) && fh.deleted_on < before) {
            rc = exs_folder_delete(mb, fids[i], EXS_DEL_HARD
                                   | EXS_DEL_MESSAGES | EXS_DEL_FOLDERS);
            count++;
            continue;
        }

        for (view = EXS_VIEW_DEL_NORMAL; rc == 0 && view <= EXS_VIEW_DEL_ASSOC;
             view++)
        {
            exs_key_init(&k);
            exs_key_u32(&k, mb->id);
            exs_key_u64(&k, fids[i]);
            exs_key_u8(&k, (uint8_t) view);

            rc = exs_scan_ids(mb->txn, EXS_DB_IDX_TIME, k.b, k.len, 21, 0,
                              &mids, &n);
            if (rc != EXS_OK) {
                break;
            }

            for ( /* void */ ; rc == 0 && n > 0; n--) {
                rc = exs_msg_load(mb, mids[n - 1], &h, NULL, 0, NULL);
                if (rc == EXS_OK && h.deleted_on < before) {
                    rc = exs_msg_remove(mb, mids[n - 1], &h, 1);
                    count++;
                }
            }

            free(mids);
        }
    }

    free(fids);

    if (purged) {
        *purged = count;
    }

    return rc < 0 ? rc : EXS_OK;
}


/* a message as a row for restrictions: stored values first, computed
 * ones and the sub-objects when asked for */

typedef struct {
    exs_mbox_t               *mb;
    exs_id_t                  mid;
    exs_msg_hdr_t             h;
    exs_props_t               stored;
    exs_props_t               extra;
    exs_msg_t                 sub;
    int                       sub_loaded;
    exs_arena_t              *a;
} exs_msg_row_t;


static const exs_prop_t *
exs_msg_row_get(exs_row_t *row, uint32_t tag)
{
    exs_prop_t      *p, v;
    exs_msg_row_t   *r;

    r = row->data;

    p = exs_props_get(&r->extra, tag);
    if (p) {
        return p;
    }

    p = exs_msg_stored_first(tag) ? exs_msg_stored(&r->stored, tag) : NULL;

    if (p) {
        v = *p;
        if (exs_prop_resolve(r->mb->txn, &v, r->a) != EXS_OK) {
            return NULL;
        }

    } else if (exs_msg_computed(r->mb, r->mid, &r->h, &r->stored, tag, &v,
                                r->a) != EXS_OK)
    {
        return NULL;
    }

    if (exs_props_set(r->a, &r->extra, &v) != EXS_OK) {
        return NULL;
    }

    return exs_props_get(&r->extra, tag);
}


static int
exs_msg_row_subobjs(exs_row_t *row, uint32_t which, exs_props_t **bags,
    uint32_t *n)
{
    int             rc;
    uint32_t        i;
    exs_props_t    *b;
    exs_msg_row_t  *r;

    r = row->data;

    if (!r->sub_loaded) {
        rc = exs_msg_sub_load(r->mb, r->mid, &r->sub, 0, r->a);
        if (rc != EXS_OK) {
            return rc;
        }

        for (i = 0; i < r->sub.nrcpts; i++) {
            rc = exs_bag_resolve(r->mb->txn, &r->sub.rcpts[i].props, r->a);
            if (rc != EXS_OK) {
                return rc;
            }
        }

        for (i = 0; i < r->sub.natts; i++) {
            rc = exs_bag_resolve(r->mb->txn, &r->sub.atts[i].props, r->a);
            if (rc != EXS_OK) {
                return rc;
            }
        }

        r->sub_loaded = 1;
    }

    if (which == PR_MESSAGE_RECIPIENTS) {
        *n = r->sub.nrcpts;
        b = exs_alloc(r->a, (*n ? *n : 1) * sizeof(exs_props_t));
        if (b == NULL) {
            return EXS_NOMEM;
        }
        for (i = 0; i < *n; i++) {
            b[i] = r->sub.rcpts[i].props;
        }

    } else if (which == PR_MESSAGE_ATTACHMENTS) {
        *n = r->sub.natts;
        b = exs_alloc(r->a, (*n ? *n : 1) * sizeof(exs_props_t));
        if (b == NULL) {
            return EXS_NOMEM;
        }
        for (i = 0; i < *n; i++) {
            b[i] = r->sub.atts[i].props;
        }

    } else {
        *n = 0;
        b = NULL;
    }

    *bags = b;

    return EXS_OK;
}


int
exs_msg_row_init(exs_mbox_t *mb, exs_id_t mid, exs_row_t *row,
    exs_arena_t *a)
{
    int             rc;
    exs_msg_row_t  *r;

    r = exs_calloc(a, sizeof(exs_msg_row_t));
    if (r == NULL) {
        return EXS_NOMEM;
    }

    r->mb = mb;
    r->mid = mid;
    r->a = a;

    rc = exs_msg_load(mb, mid, &r->h, &r->stored, 0, a);
    if (rc != EXS_OK) {
        return rc;
    }

    row->get = exs_msg_row_get;
    row->subobjs = exs_msg_row_subobjs;
    row->txn = mb->txn;
    row->data = r;

    return EXS_OK;
}
