
/*
 * exch store: `exchctl store check`.  Reads everything in one snapshot and
 * proves what the writers keep in step: every record decodes, every blob's
 * reference count equals the records that name it and its bytes hash to its
 * name, every folder's counters equal its messages, every index entry
 * matches a message and every message its index entries, the directory's
 * look-up keys match its entries, the counters of a mailbox are ahead of
 * every id and change number in it.  One line per problem.
 */


#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "exs_int.h"


#define EXS_CHK_KEY             32
#define EXS_CHK_VALS            14

/* per-folder values */
#define F_EXISTS                0
#define F_COUNT                 1        /* 1..4: per view */
#define F_UNREAD                5
#define F_SIZE                  6        /* 6..9: per view */
#define F_NCHILD                10
#define F_NCHILD_DEL            11
#define F_MAXUID                12
#define F_NUID                  13

/* per-mailbox values */
#define M_MAXID                 0
#define M_MAXCN                 1
#define M_SIZE                  2
#define M_LOGCN                 3
#define M_EXISTS                4

typedef struct {
    uint8_t                   used;
    uint8_t                   key[EXS_CHK_KEY];
    int64_t                   v[EXS_CHK_VALS];
} exs_chk_ent_t;

typedef struct {
    exs_chk_ent_t            *e;
    size_t                    n;
    size_t                    cap;
} exs_chk_map_t;

typedef struct {
    exs_txn_t                *txn;
    FILE                     *report;
    unsigned long             problems;
    exs_chk_map_t             folders;      /* mb, fid */
    exs_chk_map_t             views;        /* mb, fid, view: index counts */
    exs_chk_map_t             mboxes;       /* mb */
    exs_chk_map_t             blobs;        /* sha */
    exs_chk_map_t             blob_ids;     /* blob id */
    exs_arena_t              *a;
} exs_chk_t;


static exs_chk_ent_t *exs_chk_get(exs_chk_map_t *m, const void *key,
    size_t len, int create);
static void exs_chk_problem(exs_chk_t *c, const char *fmt, ...);
static void exs_chk_refs(exs_chk_t *c, const exs_props_t *props);
static void exs_chk_msg_refs(exs_chk_t *c, const exs_msg_t *msg);
static int64_t exs_chk_bag_size(const exs_props_t *props);
static int64_t exs_chk_sub_size(const exs_msg_t *msg);
static int exs_chk_folders(exs_chk_t *c);
static int exs_chk_children(exs_chk_t *c);
static int exs_chk_messages(exs_chk_t *c);
static int exs_chk_indexes(exs_chk_t *c);
static int exs_chk_counters(exs_chk_t *c);
static int exs_chk_mailboxes(exs_chk_t *c);
static int exs_chk_named(exs_chk_t *c);
static int exs_chk_directory(exs_chk_t *c);
static int exs_chk_blobs(exs_chk_t *c);
static int exs_chk_has(exs_chk_t *c, int db, const void *key, size_t klen,
    MDB_val *v);


static exs_chk_ent_t *
exs_chk_get(exs_chk_map_t *m, const void *key, size_t len, int create)
{
    size_t          i, h, cap;
    uint8_t         k[EXS_CHK_KEY];
    exs_chk_ent_t  *e, *old;

    memset(k, 0, sizeof(k));
    memcpy(k, key, len < EXS_CHK_KEY ? len : EXS_CHK_KEY);

    if (create && (m->n + 1) * 2 > m->cap) {
        cap = m->cap ? m->cap * 2 : 1024;

        e = calloc(cap, sizeof(exs_chk_ent_t));
        if (e == NULL) {
            return NULL;
        }

        old = m->e;

        for (i = 0; i < m->cap; i++) {
            if (old[i].used) {
                h = 0;
                for (h = 14695981039346656037ULL, len = 0;
                     len < EXS_CHK_KEY; len++)
                {
                    h = (h ^ old[i].key[len]) * 1099511628211ULL;
                }
                for (h %= cap; e[h].used; h = (h + 1) % cap) { }
                e[h] = old[i];
            }
        }

        free(old);
        m->e = e;
        m->cap = cap;
    }

    if (m->cap == 0) {
        return NULL;
    }

    for (h = 14695981039346656037ULL, i = 0; i < EXS_CHK_KEY; i++) {
        h = (h ^ k[i]) * 1099511628211ULL;
    }

    for (h %= m->cap; m->e[h].used; h = (h + 1) % m->cap) {
        if (memcmp(m->e[h].key, k, EXS_CHK_KEY) == 0) {
            return &m->e[h];
        }
    }

    if (!create) {
        return NULL;
    }

    m->e[h].used = 1;
    memcpy(m->e[h].key, k, EXS_CHK_KEY);
    m->n++;

    return &m->e[h];
}


static void
exs_chk_problem(exs_chk_t *c, const char *fmt, ...)
{
    va_list  ap;

    c->problems++;

    if (c->report == NULL || c->problems > 1000) {
        return;
    }

    va_start(ap, fmt);
    vfprintf(c->report, fmt, ap);
    va_end(ap);
    fputc('\n', c->report);
}


static int
exs_chk_has(exs_chk_t *c, int db, const void *key, size_t klen, MDB_val *v)
{
    MDB_val  tmp;

    return exs_db_get(c->txn, db, key, klen, v ? v : &tmp) == EXS_OK;
}


static void
exs_chk_refs(exs_chk_t *c, const exs_props_t *props)
{
    uint32_t        i;
    exs_chk_ent_t  *e;

    for (i = 0; i < props->n; i++) {
        if (PROP_TYPE(props->v[i].tag) & EXS_PT_OOL) {
            e = exs_chk_get(&c->blobs, props->v[i].v.bin.data, EXS_SHA_LEN,
                            1);
            if (e == NULL) {
                c->problems++;
                continue;
            }
            e->v[0]++;
            e->v[1] = (int64_t) props->v[i].v.bin.len;
        }
    }
}


static void
exs_chk_msg_refs(exs_chk_t *c, const exs_msg_t *msg)
{
    uint32_t  i;

    for (i = 0; i < msg->nrcpts; i++) {
        exs_chk_refs(c, &msg->rcpts[i].props);
    }

    for (i = 0; i < msg->natts; i++) {
        exs_chk_refs(c, &msg->atts[i].props);

        if (msg->atts[i].embedded) {
            exs_chk_refs(c, &msg->atts[i].embedded->props);
            exs_chk_msg_refs(c, msg->atts[i].embedded);
        }
    }
}


static int64_t
exs_chk_bag_size(const exs_props_t *props)
{
    int64_t   size;
    uint32_t  i;

    size = 0;

    for (i = 0; i < props->n; i++) {
        size += 4 + exs_prop_size(&props->v[i]);
    }

    return size;
}


static int64_t
exs_chk_sub_size(const exs_msg_t *msg)
{
    int64_t   size;
    uint32_t  i;

    size = 0;

    for (i = 0; i < msg->nrcpts; i++) {
        size += exs_chk_bag_size(&msg->rcpts[i].props);
    }

    for (i = 0; i < msg->natts; i++) {
        size += exs_chk_bag_size(&msg->atts[i].props);

        if (msg->atts[i].embedded) {
            size += exs_chk_bag_size(&msg->atts[i].embedded->props);
            size += exs_chk_sub_size(msg->atts[i].embedded);
        }
    }

    return size;
}


static void
exs_chk_mbox_id(exs_chk_t *c, uint32_t mb, exs_id_t id, uint64_t cn)
{
    uint8_t         k[4];
    exs_chk_ent_t  *e;

    exs_be32(k, mb);

    e = exs_chk_get(&c->mboxes, k, 4, 1);
    if (e == NULL) {
        c->problems++;
        return;
    }

    if ((int64_t) id > e->v[M_MAXID]) {
        e->v[M_MAXID] = (int64_t) id;
    }

    if ((int64_t) cn > e->v[M_MAXCN]) {
        e->v[M_MAXCN] = (int64_t) cn;
    }
}


static int
exs_chk_folders(exs_chk_t *c)
{
    int                 rc;
    uint8_t             k[12];
    uint32_t            mb, nscope, flags;
    exs_id_t            fid, *scope;
    exs_key_t           ck;
    exs_scan_t          s;
    exs_rbuf_t          b;
    exs_prop_t         *name;
    exs_props_t         props;
    exs_chk_ent_t      *e;
    exs_folder_hdr_t    h;
    exs_restriction_t   res;
    MDB_val             v;

    rc = exs_scan_open(c->txn, EXS_DB_FOLDER, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        exs_arena_reset(c->a);

        if (s.k.mv_size != 12) {
            exs_chk_problem(c, "folder: a key of %zu bytes", s.k.mv_size);
            continue;
        }

        mb = exs_get_be32(s.k.mv_data);
        fid = exs_get_be64((uint8_t *) s.k.mv_data + 4);

        if (s.v.mv_size < EXS_FOLDER_HDR_LEN
            || ((uint8_t *) s.v.mv_data)[0] != 1)
        {
            exs_chk_problem(c, "mailbox %u folder %llu: bad header", mb,
                            (unsigned long long) fid);
            continue;
        }

        exs_folder_hdr_get(s.v.mv_data, &h);
        exs_chk_mbox_id(c, mb, fid, h.cn);

        exs_rbuf_init(&b, (uint8_t *) s.v.mv_data + EXS_FOLDER_HDR_LEN,
                      s.v.mv_size - EXS_FOLDER_HDR_LEN);

        if (exs_bag_decode(&b, &props, EXS_DEC_COPY, c->a) != EXS_OK) {
            exs_chk_problem(c, "mailbox %u folder %llu: properties damaged",
                            mb, (unsigned long long) fid);
            continue;
        }

        exs_chk_refs(c, &props);

        if (h.flags & EXS_FOLDER_HAS_SEARCH) {
            flags = exs_rbuf_u32(&b);
            nscope = exs_rbuf_count(&b, 8);
            scope = NULL;

            while (b.err == EXS_OK && nscope--) {
                (void) exs_rbuf_u64(&b);
            }

            if (b.err != EXS_OK
                || (exs_rbuf_u8(&b)
                    && exs_res_decode(&b, &res, c->a, 0) != EXS_OK)
                || b.p != b.end)
            {
                exs_chk_problem(c, "mailbox %u folder %llu: search criteria "
                                "damaged", mb, (unsigned long long) fid);
            }

            (void) flags;
            (void) scope;

        } else if (b.p != b.end) {
            exs_chk_problem(c, "mailbox %u folder %llu: trailing bytes", mb,
                            (unsigned long long) fid);
        }

        e = exs_chk_get(&c->folders, s.k.mv_data, 12, 1);
        if (e == NULL) {
            rc = EXS_NOMEM;
            break;
        }

        e->v[F_EXISTS] = 1;

        if (h.parent == 0) {
            if (fid != EXS_FID_ROOT) {
                exs_chk_problem(c, "mailbox %u folder %llu: no parent", mb,
                                (unsigned long long) fid);
            }
            continue;
        }

        /* its key under its parent */

        exs_be32(k, mb);
        exs_be64(k + 4, h.parent);

        if (!exs_chk_has(c, EXS_DB_FOLDER, k, 12, NULL)) {
            exs_chk_problem(c, "mailbox %u folder %llu: parent %llu missing",
                            mb, (unsigned long long) fid,
                            (unsigned long long) h.parent);
        }

        exs_key_init(&ck);
        exs_key_u32(&ck, mb);
        exs_key_u64(&ck, h.parent);

        if (h.flags & EXS_FOLDER_DELETED) {
            exs_key_u8(&ck, 1);
            exs_key_u64(&ck, fid);

        } else {
            name = exs_props_get(&props, PR_DISPLAY_NAME);
            if (name == NULL) {
                exs_chk_problem(c, "mailbox %u folder %llu: no name", mb,
                                (unsigned long long) fid);
                continue;
            }

            exs_key_u8(&ck, 0);
            ck.len += exs_fold(name->v.str.data, name->v.str.len,
                               ck.b + ck.len, 400);
        }

        if (!exs_chk_has(c, EXS_DB_CHILD, ck.b, ck.len, &v)
            || v.mv_size != 8 || exs_get_le64(v.mv_data) != fid)
        {
            exs_chk_problem(c, "mailbox %u folder %llu: its key under its "
                            "parent is missing", mb,
                            (unsigned long long) fid);
        }
    }

    exs_scan_close(&s);

    return rc < 0 ? rc : EXS_OK;
}


static int
exs_chk_children(exs_chk_t *c)
{
    int               rc;
    uint8_t           k[12];
    uint32_t          mb;
    exs_id_t          parent, fid;
    MDB_val           v;
    exs_scan_t        s;
    exs_chk_ent_t    *e;
    exs_folder_hdr_t  h;

    rc = exs_scan_open(c->txn, EXS_DB_CHILD, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size < 13 || s.v.mv_size != 8) {
            exs_chk_problem(c, "folder.child: a damaged entry");
            continue;
        }

        mb = exs_get_be32(s.k.mv_data);
        parent = exs_get_be64((uint8_t *) s.k.mv_data + 4);
        fid = exs_get_le64(s.v.mv_data);

        exs_be32(k, mb);
        exs_be64(k + 4, fid);

        if (!exs_chk_has(c, EXS_DB_FOLDER, k, 12, &v)
            || v.mv_size < EXS_FOLDER_HDR_LEN)
        {
            exs_chk_problem(c, "mailbox %u folder %llu: a key under %llu "
                            "but no folder", mb, (unsigned long long) fid,
                            (unsigned long long) parent);
            continue;
        }

        exs_folder_hdr_get(v.mv_data, &h);

        if (h.parent != parent) {
            exs_chk_problem(c, "mailbox %u folder %llu: a key under %llu, "
                            "its parent is %llu", mb,
                            (unsigned long long) fid,
                            (unsigned long long) parent,
                            (unsigned long long) h.parent);
        }

        exs_be64(k + 4, parent);

        e = exs_chk_get(&c->folders, k, 12, 1);
        if (e == NULL) {
            rc = EXS_NOMEM;
            break;
        }

        if (((uint8_t *) s.k.mv_data)[12] == 0) {
            e->v[F_NCHILD]++;
        } else {
            e->v[F_NCHILD_DEL]++;
        }
    }

    exs_scan_close(&s);

    return rc < 0 ? rc : EXS_OK;
}


static int
exs_chk_messages(exs_chk_t *c)
{
    int              rc, view;
    uint8_t          k[12];
    uint32_t         mb;
    exs_id_t         mid;
    MDB_val          v;
    exs_key_t        ik;
    exs_msg_t        sub;
    exs_rbuf_t       b;
    exs_scan_t       s;
    exs_props_t      props;
    exs_chk_ent_t   *e;
    exs_msg_hdr_t    h;
    int64_t          size;

    rc = exs_scan_open(c->txn, EXS_DB_MSG, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        exs_arena_reset(c->a);

        if (s.k.mv_size != 12) {
            exs_chk_problem(c, "msg: a key of %zu bytes", s.k.mv_size);
            continue;
        }

        mb = exs_get_be32(s.k.mv_data);
        mid = exs_get_be64((uint8_t *) s.k.mv_data + 4);

        if (s.v.mv_size < EXS_MSG_HDR_LEN
            || ((uint8_t *) s.v.mv_data)[0] != 1)
        {
            exs_chk_problem(c, "mailbox %u message %llu: bad header", mb,
                            (unsigned long long) mid);
            continue;
        }

        exs_msg_hdr_get(s.v.mv_data, &h);
        exs_chk_mbox_id(c, mb, mid, h.cn > h.read_cn ? h.cn : h.read_cn);

        exs_rbuf_init(&b, (uint8_t *) s.v.mv_data + EXS_MSG_HDR_LEN,
                      s.v.mv_size - EXS_MSG_HDR_LEN);

        if (exs_bag_decode(&b, &props, EXS_DEC_COPY, c->a) != EXS_OK
            || b.p != b.end)
        {
            exs_chk_problem(c, "mailbox %u message %llu: properties damaged",
                            mb, (unsigned long long) mid);
            continue;
        }

        exs_chk_refs(c, &props);
        size = EXS_MSG_HDR_LEN + exs_chk_bag_size(&props);

        memset(&sub, 0, sizeof(exs_msg_t));

        if (exs_chk_has(c, EXS_DB_MSGSUB, s.k.mv_data, 12, &v)) {
            exs_rbuf_init(&b, v.mv_data, v.mv_size);

            if (exs_sub_decode(&b, &sub, EXS_DEC_COPY, 0, c->a) != EXS_OK
                || b.p != b.end)
            {
                exs_chk_problem(c, "mailbox %u message %llu: recipients or "
                                "attachments damaged", mb,
                                (unsigned long long) mid);
                continue;
            }

            exs_chk_msg_refs(c, &sub);
            size += exs_chk_sub_size(&sub);
        }

        if (sub.natts != h.natts || sub.nrcpts != h.nrcpts) {
            exs_chk_problem(c, "mailbox %u message %llu: header says %u "
                            "recipients and %u attachments, there are %u "
                            "and %u", mb, (unsigned long long) mid,
                            h.nrcpts, h.natts, sub.nrcpts, sub.natts);
        }

        if (size != h.size) {
            exs_chk_problem(c, "mailbox %u message %llu: size %lld, counted "
                            "%lld", mb, (unsigned long long) mid,
                            (long long) h.size, (long long) size);
        }

        exs_be32(k, mb);
        exs_be64(k + 4, h.fid);

        e = exs_chk_get(&c->folders, k, 12, 1);
        if (e == NULL) {
            rc = EXS_NOMEM;
            break;
        }

        view = exs_msg_view(&h);
        e->v[F_COUNT + view]++;
        e->v[F_SIZE + view] += h.size;

        if (view == EXS_VIEW_NORMAL && !(h.flags & MSGFLAG_READ)) {
            e->v[F_UNREAD]++;
        }

        if (view == EXS_VIEW_NORMAL && h.uid) {
            e->v[F_NUID]++;
        }

        if ((int64_t) h.uid > e->v[F_MAXUID]) {
            e->v[F_MAXUID] = h.uid;
        }

        exs_be32(k, mb);
        e = exs_chk_get(&c->mboxes, k, 4, 1);
        if (e == NULL) {
            rc = EXS_NOMEM;
            break;
        }

        e->v[M_SIZE] += h.size;

        /* its index entries */

        exs_key_init(&ik);
        exs_key_u32(&ik, mb);
        exs_key_u64(&ik, h.fid);
        exs_key_u8(&ik, (uint8_t) view);
        exs_key_u64(&ik, exs_time_key(h.delivery));
        exs_key_u64(&ik, mid);

        if (!exs_chk_has(c, EXS_DB_IDX_TIME, ik.b, ik.len, NULL)) {
            exs_chk_problem(c, "mailbox %u message %llu: not in idx.time",
                            mb, (unsigned long long) mid);
        }

        if (view == EXS_VIEW_NORMAL && h.uid) {
            exs_key_init(&ik);
            exs_key_u32(&ik, mb);
            exs_key_u64(&ik, h.fid);
            exs_key_u32(&ik, h.uid);

            if (!exs_chk_has(c, EXS_DB_IDX_UID, ik.b, ik.len, &v)
                || v.mv_size != 8 || exs_get_le64(v.mv_data) != mid)
            {
                exs_chk_problem(c, "mailbox %u message %llu: not in idx.uid",
                                mb, (unsigned long long) mid);
            }
        }

        if (view == EXS_VIEW_NORMAL || view == EXS_VIEW_ASSOC) {
            exs_key_init(&ik);
            exs_key_u32(&ik, mb);
            exs_key_u64(&ik, h.fid);
            exs_key_u64(&ik, h.cn > h.read_cn ? h.cn : h.read_cn);

            if (!exs_chk_has(c, EXS_DB_IDX_CN, ik.b, ik.len, &v)
                || v.mv_size != 9 || exs_get_le64(v.mv_data) != mid)
            {
                exs_chk_problem(c, "mailbox %u message %llu: not in idx.cn",
                                mb, (unsigned long long) mid);
            }
        }
    }

    exs_scan_close(&s);

    return rc < 0 ? rc : EXS_OK;
}


/* every index entry names a message that names it back: with every
 * message's entries present (exs_chk_messages()), equal counts prove it */

static int
exs_chk_indexes(exs_chk_t *c)
{
    int              rc, db, view;
    size_t           i;
    uint8_t          k[13];
    exs_scan_t       s;
    exs_chk_ent_t   *e, *f;

    for (db = EXS_DB_IDX_TIME; db <= EXS_DB_IDX_CN; db++) {
        rc = exs_scan_open(c->txn, db, NULL, 0, &s);
        if (rc != EXS_OK) {
            return rc;
        }

        while ((rc = exs_scan_next(&s)) == 1) {
            if (s.k.mv_size < 13) {
                exs_chk_problem(c, "%s: a damaged key", exs_db_names[db]);
                continue;
            }

            memcpy(k, s.k.mv_data, 12);
            k[12] = db == EXS_DB_IDX_TIME ? ((uint8_t *) s.k.mv_data)[12]
                                          : (uint8_t) (db == EXS_DB_IDX_UID
                                                       ? 0x10 : 0x20);

            if (db == EXS_DB_IDX_CN && s.v.mv_size == 9
                && ((uint8_t *) s.v.mv_data)[8])
            {
                k[12] = 0x21;
            }

            e = exs_chk_get(&c->views, k, 13, 1);
            if (e == NULL) {
                exs_scan_close(&s);
                return EXS_NOMEM;
            }

            e->v[0]++;
        }

        exs_scan_close(&s);

        if (rc < 0) {
            return rc;
        }
    }

    for (i = 0; i < c->views.cap; i++) {
        e = &c->views.e[i];
        if (!e->used) {
            continue;
        }

        f = exs_chk_get(&c->folders, e->key, 12, 0);
        view = e->key[12];

        if (f == NULL || !f->v[F_EXISTS]) {
            exs_chk_problem(c, "mailbox %u folder %llu: index entries for a "
                            "folder that doesn't exist",
                            exs_get_be32(e->key),
                            (unsigned long long) exs_get_be64(e->key + 4));
            continue;
        }

        if ((view < 4 && e->v[0] != f->v[F_COUNT + view])
            || (view == 0x10 && e->v[0] != f->v[F_NUID])
            || (view == 0x20 && e->v[0] != f->v[F_COUNT + 0])
            || (view == 0x21 && e->v[0] != f->v[F_COUNT + 1]))
        {
            exs_chk_problem(c, "mailbox %u folder %llu: %lld index entries "
                            "(%s) for its messages",
                            exs_get_be32(e->key),
                            (unsigned long long) exs_get_be64(e->key + 4),
                            (long long) e->v[0],
                            view < 4 ? "idx.time"
                            : view == 0x10 ? "idx.uid" : "idx.cn");
        }
    }

    /* a folder whose messages have no entries at all */
    for (i = 0; i < c->folders.cap; i++) {
        f = &c->folders.e[i];
        if (!f->used) {
            continue;
        }

        for (view = 0; view < 4; view++) {
            memcpy(k, f->key, 12);
            k[12] = (uint8_t) view;

            if (f->v[F_COUNT + view] && !exs_chk_get(&c->views, k, 13, 0)) {
                exs_chk_problem(c, "mailbox %u folder %llu: no idx.time "
                                "entries", exs_get_be32(f->key),
                                (unsigned long long) exs_get_be64(f->key
                                                                  + 4));
            }
        }
    }

    return EXS_OK;
}


static int
exs_chk_counters(exs_chk_t *c)
{
    int               i;
    size_t            j;
    MDB_val           v;
    exs_chk_ent_t    *f;
    exs_folder_hdr_t  h;

    for (j = 0; j < c->folders.cap; j++) {
        f = &c->folders.e[j];
        if (!f->used) {
            continue;
        }

        if (!f->v[F_EXISTS]) {
            exs_chk_problem(c, "mailbox %u folder %llu: has messages or "
                            "subfolders but doesn't exist",
                            exs_get_be32(f->key),
                            (unsigned long long) exs_get_be64(f->key + 4));
            continue;
        }

        if (!exs_chk_has(c, EXS_DB_FOLDER, f->key, 12, &v)) {
            continue;
        }

        exs_folder_hdr_get(v.mv_data, &h);

        for (i = 0; i < 4; i++) {
            if ((int64_t) h.count[i] != f->v[F_COUNT + i]
                || h.size[i] != f->v[F_SIZE + i])
            {
                exs_chk_problem(c, "mailbox %u folder %llu: view %d counts "
                                "%u messages of %lld bytes, there are %lld "
                                "of %lld", exs_get_be32(f->key),
                                (unsigned long long) exs_get_be64(f->key + 4),
                                i, h.count[i], (long long) h.size[i],
                                (long long) f->v[F_COUNT + i],
                                (long long) f->v[F_SIZE + i]);
            }
        }

        if ((int64_t) h.unread != f->v[F_UNREAD]) {
            exs_chk_problem(c, "mailbox %u folder %llu: %u unread, counted "
                            "%lld", exs_get_be32(f->key),
                            (unsigned long long) exs_get_be64(f->key + 4),
                            h.unread, (long long) f->v[F_UNREAD]);
        }

        if ((int64_t) h.nchild != f->v[F_NCHILD]
            || (int64_t) h.nchild_del != f->v[F_NCHILD_DEL])
        {
            exs_chk_problem(c, "mailbox %u folder %llu: %u subfolders (%u "
                            "deleted), counted %lld (%lld)",
                            exs_get_be32(f->key),
                            (unsigned long long) exs_get_be64(f->key + 4),
                            h.nchild, h.nchild_del,
                            (long long) f->v[F_NCHILD],
                            (long long) f->v[F_NCHILD_DEL]);
        }

        if ((int64_t) h.next_uid <= f->v[F_MAXUID]) {
            exs_chk_problem(c, "mailbox %u folder %llu: next UID %u is not "
                            "above %lld", exs_get_be32(f->key),
                            (unsigned long long) exs_get_be64(f->key + 4),
                            h.next_uid, (long long) f->v[F_MAXUID]);
        }
    }

    return EXS_OK;
}


static int
exs_chk_mailboxes(exs_chk_t *c)
{
    int              rc;
    size_t           i;
    uint32_t         mb;
    uint64_t         cn;
    exs_rbuf_t       b;
    exs_scan_t       s;
    exs_props_t      props;
    exs_chk_ent_t   *e;
    exs_change_t     ch;
    exs_mbox_rec_t   r;
    exs_dirent_t     d;

    /* the change log */

    rc = exs_scan_open(c->txn, EXS_DB_CHANGE, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size != 12
            || exs_change_decode(s.v.mv_data, s.v.mv_size, &ch) != EXS_OK)
        {
            exs_chk_problem(c, "change: a damaged entry");
            continue;
        }

        cn = exs_get_be64((uint8_t *) s.k.mv_data + 4);

        e = exs_chk_get(&c->mboxes, s.k.mv_data, 4, 1);
        if (e == NULL) {
            rc = EXS_NOMEM;
            break;
        }

        if ((int64_t) cn > e->v[M_LOGCN]) {
            e->v[M_LOGCN] = (int64_t) cn;
        }
    }

    exs_scan_close(&s);

    if (rc < 0) {
        return rc;
    }

    rc = exs_scan_open(c->txn, EXS_DB_MBOX, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        exs_arena_reset(c->a);

        if (s.k.mv_size != 5) {
            exs_chk_problem(c, "mbox: a damaged key");
            continue;
        }

        mb = exs_get_be32(s.k.mv_data);

        if (((uint8_t *) s.k.mv_data)[4] == 1) {
            exs_rbuf_init(&b, s.v.mv_data, s.v.mv_size);
            if (exs_bag_decode(&b, &props, EXS_DEC_COPY, c->a) != EXS_OK) {
                exs_chk_problem(c, "mailbox %u: store properties damaged",
                                mb);
            } else {
                exs_chk_refs(c, &props);
            }
            continue;
        }

        if (s.v.mv_size < EXS_MBOX_REC_LEN
            || ((uint8_t *) s.v.mv_data)[0] != 1)
        {
            exs_chk_problem(c, "mailbox %u: damaged counters", mb);
            continue;
        }

        exs_mbox_rec_get(s.v.mv_data, &r);

        e = exs_chk_get(&c->mboxes, s.k.mv_data, 4, 1);
        if (e == NULL) {
            rc = EXS_NOMEM;
            break;
        }

        e->v[M_EXISTS] = 1;

        if ((int64_t) r.next_gc <= e->v[M_MAXID]
            || (int64_t) r.next_gc <= e->v[M_MAXCN]
            || (int64_t) r.next_gc <= e->v[M_LOGCN])
        {
            exs_chk_problem(c, "mailbox %u: the global counter %llu is not "
                            "ahead of every id", mb,
                            (unsigned long long) r.next_gc);
        }

        if ((int64_t) r.last_cn < e->v[M_LOGCN]
            || (int64_t) r.last_cn < e->v[M_MAXCN])
        {
            exs_chk_problem(c, "mailbox %u: its last change number %llu is "
                            "behind its changes", mb,
                            (unsigned long long) r.last_cn);
        }

        if (r.size != e->v[M_SIZE]) {
            exs_chk_problem(c, "mailbox %u: size %lld, its messages make "
                            "%lld", mb, (long long) r.size,
                            (long long) e->v[M_SIZE]);
        }

        if (exs_dir_by_id(c->txn, r.owner, &d, c->a) != EXS_OK
            || d.mailbox != mb)
        {
            exs_chk_problem(c, "mailbox %u: its owner %u is not in the "
                            "directory", mb, r.owner);
        }
    }

    exs_scan_close(&s);

    if (rc < 0) {
        return rc;
    }

    for (i = 0; i < c->mboxes.cap; i++) {
        e = &c->mboxes.e[i];
        if (e->used && !e->v[M_EXISTS]) {
            exs_chk_problem(c, "mailbox %u: data without the mailbox",
                            exs_get_be32(e->key));
        }
    }

    return EXS_OK;
}


static int
exs_chk_named(exs_chk_t *c)
{
    int              rc;
    uint8_t          key[7];
    uint16_t         id;
    MDB_val          v;
    exs_scan_t       s;
    exs_mbox_rec_t   r;
    exs_propname_t   name;

    rc = exs_scan_open(c->txn, EXS_DB_NAMED, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        exs_arena_reset(c->a);

        if (s.k.mv_size < 5) {
            exs_chk_problem(c, "named: a damaged key");
            continue;
        }

        memcpy(key, s.k.mv_data, 4);
        key[4] = 0;

        if (!exs_chk_has(c, EXS_DB_MBOX, key, 5, &v)
            || v.mv_size < EXS_MBOX_REC_LEN)
        {
            exs_chk_problem(c, "named: mailbox %u doesn't exist",
                            exs_get_be32(key));
            continue;
        }

        exs_mbox_rec_get(v.mv_data, &r);

        if (((uint8_t *) s.k.mv_data)[4] == 0) {
            id = s.k.mv_size == 7
                 ? exs_get_be16((uint8_t *) s.k.mv_data + 5) : 0;

            if (id < EXS_NAMED_FIRST || id >= r.next_named
                || exs_named_decode(s.v.mv_data, s.v.mv_size, &name, c->a)
                   != EXS_OK)
            {
                exs_chk_problem(c, "mailbox %u: named property %04x damaged",
                                exs_get_be32(key), id);
            }
            continue;
        }

        /* a name to its id: the id's entry must exist */

        if (s.v.mv_size != 2) {
            exs_chk_problem(c, "mailbox %u: a named property's id damaged",
                            exs_get_be32(key));
            continue;
        }

        exs_be16(key + 5, exs_get_le16(s.v.mv_data));

        if (!exs_chk_has(c, EXS_DB_NAMED, key, 7, NULL)) {
            exs_chk_problem(c, "mailbox %u: named property %04x has a name "
                            "but no entry", exs_get_be32(key),
                            exs_get_le16(s.v.mv_data));
        }
    }

    exs_scan_close(&s);

    return rc < 0 ? rc : EXS_OK;
}


static int
exs_chk_directory(exs_chk_t *c)
{
    int            rc;
    size_t         len;
    uint8_t        key[EXS_KEY_MAX];
    uint32_t       id, i, ngal, nentries;
    MDB_val        v;
    exs_key_t      gk;
    exs_scan_t     s;
    exs_dirent_t   e;

    nentries = 0;

    rc = exs_scan_open(c->txn, EXS_DB_DIR, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        exs_arena_reset(c->a);

        if (s.k.mv_size != 4
            || exs_dir_decode_record(s.v.mv_data, s.v.mv_size, &e, c->a)
               != EXS_OK)
        {
            exs_chk_problem(c, "dir: a damaged entry");
            continue;
        }

        id = exs_get_be32(s.k.mv_data);
        nentries++;

        for (i = 0; i <= e.naliases; i++) {
            const char  *addr;

            addr = i == 0 ? e.address : e.aliases[i - 1];
            len = exs_fold(addr, strlen(addr), key, 320);

            if (!exs_chk_has(c, EXS_DB_DIR_ADDR, key, len, &v)
                || v.mv_size != 4 || exs_get_le32(v.mv_data) != id)
            {
                exs_chk_problem(c, "dir %u: address %s not indexed", id,
                                addr);
            }
        }

        len = exs_fold(e.legacy_dn, strlen(e.legacy_dn), key, EXS_KEY_MAX);

        if (!exs_chk_has(c, EXS_DB_DIR_DN, key, len, &v)
            || v.mv_size != 4 || exs_get_le32(v.mv_data) != id)
        {
            exs_chk_problem(c, "dir %u: legacyExchangeDN not indexed", id);
        }

        if (!exs_chk_has(c, EXS_DB_DIR_GUID, e.guid, 16, &v)
            || v.mv_size != 4 || exs_get_le32(v.mv_data) != id)
        {
            exs_chk_problem(c, "dir %u: GUID not indexed", id);
        }

        exs_key_init(&gk);
        gk.len = exs_fold(e.display_name, strlen(e.display_name), gk.b, 400);
        exs_key_u8(&gk, 0);
        exs_key_u32(&gk, id);

        if (!exs_chk_has(c, EXS_DB_DIR_GAL, gk.b, gk.len, NULL)) {
            exs_chk_problem(c, "dir %u: not in the address list", id);
        }

        if (e.type == EXS_DIR_USER) {
            exs_be32(key, e.mailbox);
            key[4] = 0;

            if (!exs_chk_has(c, EXS_DB_MBOX, key, 5, NULL)) {
                exs_chk_problem(c, "dir %u: mailbox %u missing", id,
                                e.mailbox);
            }
        }
    }

    exs_scan_close(&s);

    if (rc < 0) {
        return rc;
    }

    /* the reverse directions: every key names an entry */

    rc = exs_scan_open(c->txn, EXS_DB_DIR_ADDR, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        exs_be32(key, s.v.mv_size == 4 ? exs_get_le32(s.v.mv_data) : 0);

        if (!exs_chk_has(c, EXS_DB_DIR, key, 4, NULL)) {
            exs_chk_problem(c, "dir.addr: %.*s names no entry",
                            (int) s.k.mv_size, (char *) s.k.mv_data);
        }
    }

    exs_scan_close(&s);

    if (rc < 0) {
        return rc;
    }

    ngal = 0;

    rc = exs_scan_open(c->txn, EXS_DB_DIR_GAL, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        ngal++;
    }

    exs_scan_close(&s);

    if (rc < 0) {
        return rc;
    }

    if (ngal != nentries) {
        exs_chk_problem(c, "dir.gal: %u entries for %u directory entries",
                        ngal, nentries);
    }

    rc = exs_scan_open(c->txn, EXS_DB_DIR_MEMBER, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        exs_arena_reset(c->a);

        if (s.k.mv_size != 8
            || exs_dir_by_id(c->txn, exs_get_be32(s.k.mv_data), &e, c->a)
               != EXS_OK
            || e.type != EXS_DIR_GROUP
            || exs_dir_by_id(c->txn,
                             exs_get_be32((uint8_t *) s.k.mv_data + 4), &e,
                             c->a) != EXS_OK)
        {
            exs_chk_problem(c, "dir.member: a membership of a missing group "
                            "or member");
        }
    }

    exs_scan_close(&s);

    return rc < 0 ? rc : EXS_OK;
}


static int
exs_chk_blobs(exs_chk_t *c)
{
    int              rc;
    size_t           i, got, n;
    uint8_t         *buf;
    uint8_t          sha[EXS_SHA_LEN], idk[8];
    uint64_t         id, refs, len, total;
    exs_scan_t       s;
    exs_chk_ent_t   *e;

    buf = malloc(EXS_BLOB_CHUNK);
    if (buf == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_scan_open(c->txn, EXS_DB_BLOB_REF, NULL, 0, &s);
    if (rc != EXS_OK) {
        free(buf);
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size != EXS_SHA_LEN || s.v.mv_size != 24) {
            exs_chk_problem(c, "blob.ref: a damaged entry");
            continue;
        }

        id = exs_get_le64(s.v.mv_data);
        refs = exs_get_le64((uint8_t *) s.v.mv_data + 8);
        len = exs_get_le64((uint8_t *) s.v.mv_data + 16);

        e = exs_chk_get(&c->blobs, s.k.mv_data, EXS_SHA_LEN, 1);
        if (e == NULL) {
            rc = EXS_NOMEM;
            break;
        }

        e->v[2] = 1;

        if ((int64_t) refs != e->v[0]) {
            exs_chk_problem(c, "blob %llu: %llu references, %lld records "
                            "name it", (unsigned long long) id,
                            (unsigned long long) refs, (long long) e->v[0]);
        }

        if (e->v[0] && (int64_t) len != e->v[1]) {
            exs_chk_problem(c, "blob %llu: %llu bytes, named with %lld",
                            (unsigned long long) id,
                            (unsigned long long) len, (long long) e->v[1]);
        }

        exs_be64(idk, id);
        e = exs_chk_get(&c->blob_ids, idk, 8, 1);
        if (e == NULL) {
            rc = EXS_NOMEM;
            break;
        }

        e->v[0] = 1;

        /* the bytes hash to the name */

        if (c->txn->md == NULL) {
            c->txn->md = EVP_MD_CTX_new();
        }

        if (c->txn->md == NULL
            || EVP_DigestInit_ex(c->txn->md, c->txn->env->sha256, NULL) != 1)
        {
            rc = EXS_NOMEM;
            break;
        }

        for (total = 0; total < len; total += got) {
            n = len - total < EXS_BLOB_CHUNK ? (size_t) (len - total)
                                             : EXS_BLOB_CHUNK;

            if (exs_blob_read(c->txn, s.k.mv_data, total, buf, n, &got, NULL)
                != EXS_OK || got != n)
            {
                break;
            }

            EVP_DigestUpdate(c->txn->md, buf, got);
        }

        if (total != len
            || EVP_DigestFinal_ex(c->txn->md, sha, NULL) != 1
            || memcmp(sha, s.k.mv_data, EXS_SHA_LEN) != 0)
        {
            exs_chk_problem(c, "blob %llu: its content is damaged",
                            (unsigned long long) id);
        }
    }

    exs_scan_close(&s);
    free(buf);

    if (rc < 0) {
        return rc;
    }

    for (i = 0; i < c->blobs.cap; i++) {
        e = &c->blobs.e[i];
        if (e->used && !e->v[2]) {
            exs_chk_problem(c, "blob: %lld records name a blob that doesn't "
                            "exist", (long long) e->v[0]);
        }
    }

    rc = exs_scan_open(c->txn, EXS_DB_BLOB, NULL, 0, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = exs_scan_next(&s)) == 1) {
        if (s.k.mv_size != 12
            || exs_chk_get(&c->blob_ids, s.k.mv_data, 8, 0) == NULL)
        {
            exs_chk_problem(c, "blob: a chunk of no blob");
        }
    }

    exs_scan_close(&s);

    return rc < 0 ? rc : EXS_OK;
}


int
exs_env_check(exs_env_t *env, FILE *report)
{
    int         rc;
    exs_chk_t   c;
    exs_txn_t  *txn;

    rc = exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    memset(&c, 0, sizeof(exs_chk_t));
    c.txn = txn;
    c.report = report;
    c.a = exs_arena_create(65536);

    if (c.a == NULL) {
        exs_txn_abort(txn);
        return EXS_NOMEM;
    }

    rc = exs_chk_folders(&c);

    if (rc == EXS_OK) {
        rc = exs_chk_children(&c);
    }

    if (rc == EXS_OK) {
        rc = exs_chk_messages(&c);
    }

    if (rc == EXS_OK) {
        rc = exs_chk_indexes(&c);
    }

    if (rc == EXS_OK) {
        rc = exs_chk_counters(&c);
    }

    if (rc == EXS_OK) {
        rc = exs_chk_mailboxes(&c);
    }

    if (rc == EXS_OK) {
        rc = exs_chk_named(&c);
    }

    if (rc == EXS_OK) {
        rc = exs_chk_directory(&c);
    }

    if (rc == EXS_OK) {
        rc = exs_chk_blobs(&c);
    }

    exs_txn_abort(txn);
    exs_arena_destroy(c.a);
    free(c.folders.e);
    free(c.views.e);
    free(c.mboxes.e);
    free(c.blobs.e);
    free(c.blob_ids.e);

    if (rc != EXS_OK) {
        if (report) {
            fprintf(report, "check stopped: %s\n", exs_strerror(rc));
        }
        return rc;
    }

    if (c.problems > 1000 && report) {
        fprintf(report, "... %lu problems in all\n", c.problems);
    }

    return c.problems ? EXS_CORRUPT : EXS_OK;
}
