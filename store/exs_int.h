
/*
 * exch store: what the store's own files share (not for callers).
 *
 * store/README.md describes the databases and the key layout; the names
 * below follow it.  Keys are fixed-width big-endian integers, mailbox id
 * first; values are little-endian records written by exs_propbag.c.
 */


#ifndef _EXS_INT_H_INCLUDED_
#define _EXS_INT_H_INCLUDED_


#include <pthread.h>
#include <string.h>
#include <lmdb.h>

#include "exs_store.h"


/* the databases of the durable environment, all opened once at open */

enum {
    EXS_DB_META = 0,
    EXS_DB_DOMAIN,
    EXS_DB_DIR,
    EXS_DB_DIR_ADDR,
    EXS_DB_DIR_DN,
    EXS_DB_DIR_GUID,
    EXS_DB_DIR_GAL,
    EXS_DB_DIR_MEMBER,
    EXS_DB_MBOX,
    EXS_DB_FOLDER,
    EXS_DB_CHILD,
    EXS_DB_MSG,
    EXS_DB_MSGSUB,
    EXS_DB_IDX_TIME,
    EXS_DB_IDX_UID,
    EXS_DB_IDX_CN,
    EXS_DB_CHANGE,
    EXS_DB_NAMED,
    EXS_DB_PERM,
    EXS_DB_BLOB_REF,
    EXS_DB_BLOB,
    EXS_DB_QUEUE,                           /* exs_queue.c */
    EXS_DB_N
};

/* the databases of the state environment */

enum {
    EXS_SDB_STATE = 0,
    EXS_SDB_EXPIRY,
    EXS_SDB_META,
    EXS_SDB_N
};

extern const char  *exs_db_names[EXS_DB_N];

typedef struct exs_mbstate_s  exs_mbstate_t;


#define EXS_FORMAT_VERSION      1

/* values larger than this go out of line into the blob store */
#define EXS_BLOB_MIN            4096
/* blobs are kept in independently compressed chunks of this size */
#define EXS_BLOB_CHUNK          65536

/* how deep embedded messages may nest */
#define EXS_MAX_NESTING         8

/* an internal type bit: the value is out of line, v.bin.data is its
 * 32-byte SHA-256 and v.bin.len (v.str.len) its length */
#define EXS_PT_OOL              0x8000

/* an internal type bit: the value was prepared outside the transaction
 * (exs_message_prepare()), v.bin.data is an exs_pblob_t */
#define EXS_PT_PREP             0x4000

#define EXS_SHA_LEN             32
#define EXS_PBLOB_MAGIC         0x65787062

typedef struct {
    uint8_t                   enc;
    size_t                    len;
    const uint8_t            *data;
} exs_pchunk_t;

typedef struct {
    uint32_t                  magic;
    uint32_t                  n;
    uint64_t                  len;
    uint8_t                   sha[EXS_SHA_LEN];
    exs_pchunk_t             *chunks;
} exs_pblob_t;


struct exs_env_s {
    MDB_env                  *env;
    MDB_env                  *senv;
    MDB_dbi                   dbi[EXS_DB_N];
    MDB_dbi                   sdbi[EXS_SDB_N];
    char                     *dir;
    unsigned                  flags;

    pthread_mutex_t           lock;         /* free_rd, map resize */
    exs_txn_t                *free_rd;      /* reset read transactions */
    unsigned                  nfree;

    exs_commit_hook_pt        hook;
    void                     *hook_data;

    void                     *cctx;         /* ZSTD_CCtx of write txns */
    void                     *sha256;       /* EVP_MD */
    struct exs_zpool_s       *zpool;        /* the compressor thread */
    struct exs_prep_s        *preps;        /* contexts for preparing */
    uint8_t                  *zbuf;         /* the writer's output buffer */
    int                       zpool_failed;
};


struct exs_txn_s {
    exs_env_t                *env;
    MDB_txn                  *txn;
    unsigned                  flags;
    int                       err;          /* sticky: a write failed */
    exs_arena_t              *arena;        /* lives as long as the txn */
    exs_mbox_t               *mboxes;
    exs_mbstate_t            *mbstates;
    void                     *dctx;         /* ZSTD_DCtx */
    void                     *md;           /* EVP_MD_CTX */
    struct exs_zjob_s        *zjobs;        /* chunks being compressed */
    struct exs_zjob_s        *zjobs_tail;
    size_t                    zpending;
    uint64_t                  blob_next;    /* 0: not read yet */
    int                       blob_dirty;
    int                       queue_due;    /* the outgoing queue has an
                                               entry due: the commit hook
                                               hears mailbox 0 */
    exs_txn_t                *next;
};


/* a mailbox's counters: key (mb, 0) in EXS_DB_MBOX */

typedef struct {
    uint32_t                  owner;
    uint16_t                  replid;
    uint16_t                  next_named;
    uint8_t                   guid[16];
    uint64_t                  next_gc;
    uint64_t                  last_cn;
    int64_t                   size;
    int64_t                   created;
} exs_mbox_rec_t;

#define EXS_MBOX_REC_LEN        64


/* a mailbox's counters as a transaction sees them, shared by the handles
 * of several users on one mailbox */

struct exs_mbstate_s {
    uint32_t                  id;
    unsigned                  dirty:1;
    unsigned                  changed:1;    /* tell the commit hook */
    unsigned                  gone:1;
    exs_mbox_rec_t            rec;
    exs_mbstate_t            *next;
};

struct exs_mbox_s {
    exs_txn_t                *txn;
    uint32_t                  id;
    uint32_t                  user;
    unsigned                  owner_access:1;
    exs_mbstate_t            *st;
    exs_namemap_t             namemap;
    exs_mbox_t               *next;
};


/* a folder record's fixed header (EXS_DB_FOLDER), then its property bag
 * and, for search folders, the criteria */

#define EXS_FOLDER_SPECIAL      0x0001
#define EXS_FOLDER_DELETED      0x0002
#define EXS_FOLDER_HAS_SEARCH   0x0004

/* the four views of a folder's messages */
#define EXS_VIEW_NORMAL         0
#define EXS_VIEW_ASSOC          1
#define EXS_VIEW_DEL_NORMAL     2
#define EXS_VIEW_DEL_ASSOC      3

typedef struct {
    uint8_t                   type;
    uint16_t                  flags;
    uint32_t                  creator;
    exs_id_t                  parent;
    uint64_t                  cn;
    uint64_t                  content_cn;   /* newest change inside */
    int64_t                   deleted_on;
    int64_t                   content_time; /* PR_LOCAL_COMMIT_TIME_MAX */
    uint32_t                  count[4];     /* per view */
    uint32_t                  unread;
    uint32_t                  nchild;
    uint32_t                  nchild_del;
    uint32_t                  next_uid;
    uint32_t                  uidvalidity;
    uint32_t                  hier_changes;
    int64_t                   size[4];      /* per view */
} exs_folder_hdr_t;

#define EXS_FOLDER_HDR_LEN      128


/* a message record's fixed header (EXS_DB_MSG), then its property bag */

#define EXS_MSG_ST_ASSOC        0x01
#define EXS_MSG_ST_DELETED      0x02

typedef struct {
    uint8_t                   state;
    uint32_t                  flags;        /* MSGFLAG_* as stored */
    exs_id_t                  fid;
    uint64_t                  cn;
    uint64_t                  read_cn;
    uint32_t                  uid;
    uint32_t                  creator;
    int64_t                   delivery;     /* the time index key */
    int64_t                   deleted_on;
    int64_t                   size;
    uint32_t                  natts;
    uint32_t                  nrcpts;
} exs_msg_hdr_t;

#define EXS_MSG_HDR_LEN         80

#define exs_msg_view(h)                                                       \
    ((((h)->state & EXS_MSG_ST_DELETED) ? 2 : 0)                              \
     | (((h)->state & EXS_MSG_ST_ASSOC) ? 1 : 0))


/* byte order */

static inline void
exs_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8; p[1] = v;
}

static inline void
exs_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static inline void
exs_be64(uint8_t *p, uint64_t v)
{
    exs_be32(p, (uint32_t) (v >> 32));
    exs_be32(p + 4, (uint32_t) v);
}

static inline uint16_t
exs_get_be16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline uint32_t
exs_get_be32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}

static inline uint64_t
exs_get_be64(const uint8_t *p)
{
    return (uint64_t) exs_get_be32(p) << 32 | exs_get_be32(p + 4);
}

static inline void
exs_le16(uint8_t *p, uint16_t v)
{
    p[0] = v; p[1] = v >> 8;
}

static inline void
exs_le32(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static inline void
exs_le64(uint8_t *p, uint64_t v)
{
    exs_le32(p, (uint32_t) v);
    exs_le32(p + 4, (uint32_t) (v >> 32));
}

static inline uint16_t
exs_get_le16(const uint8_t *p)
{
    return (uint16_t) (p[0] | p[1] << 8);
}

static inline uint32_t
exs_get_le32(const uint8_t *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8
           | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static inline uint64_t
exs_get_le64(const uint8_t *p)
{
    return (uint64_t) exs_get_le32(p) | (uint64_t) exs_get_le32(p + 4) << 32;
}

/* a signed time as an unsigned key that sorts the same way */
static inline uint64_t
exs_time_key(int64_t t)
{
    return (uint64_t) t ^ 0x8000000000000000ULL;
}


/* keys: a small builder on the stack */

#define EXS_KEY_MAX             511

typedef struct {
    size_t                    len;
    uint8_t                   b[EXS_KEY_MAX];
} exs_key_t;

static inline void
exs_key_init(exs_key_t *k)
{
    k->len = 0;
}

static inline void
exs_key_u8(exs_key_t *k, uint8_t v)
{
    k->b[k->len++] = v;
}

static inline void
exs_key_u16(exs_key_t *k, uint16_t v)
{
    exs_be16(k->b + k->len, v);
    k->len += 2;
}

static inline void
exs_key_u32(exs_key_t *k, uint32_t v)
{
    exs_be32(k->b + k->len, v);
    k->len += 4;
}

static inline void
exs_key_u64(exs_key_t *k, uint64_t v)
{
    exs_be64(k->b + k->len, v);
    k->len += 8;
}

/* appends up to max bytes (the caller leaves room) */
static inline void
exs_key_mem(exs_key_t *k, const void *p, size_t len)
{
    memcpy(k->b + k->len, p, len);
    k->len += len;
}


/* a growable write buffer (malloc) and a bounds-checked read buffer */

typedef struct {
    uint8_t                  *p;
    size_t                    len;
    size_t                    cap;
    int                       err;
} exs_wbuf_t;

typedef struct {
    const uint8_t            *p;
    const uint8_t            *end;
    int                       err;
} exs_rbuf_t;

void exs_wbuf_init(exs_wbuf_t *b);
void exs_wbuf_free(exs_wbuf_t *b);
uint8_t *exs_wbuf_room(exs_wbuf_t *b, size_t n);
void exs_wbuf_mem(exs_wbuf_t *b, const void *p, size_t n);
void exs_wbuf_u8(exs_wbuf_t *b, uint8_t v);
void exs_wbuf_u16(exs_wbuf_t *b, uint16_t v);
void exs_wbuf_u32(exs_wbuf_t *b, uint32_t v);
void exs_wbuf_u64(exs_wbuf_t *b, uint64_t v);
void exs_wbuf_varint(exs_wbuf_t *b, uint64_t v);
void exs_wbuf_str(exs_wbuf_t *b, const char *s, size_t len);

void exs_rbuf_init(exs_rbuf_t *b, const void *p, size_t len);
static inline uint8_t exs_rbuf_u8(exs_rbuf_t *b);
static inline uint16_t exs_rbuf_u16(exs_rbuf_t *b);
static inline uint32_t exs_rbuf_u32(exs_rbuf_t *b);
static inline uint64_t exs_rbuf_u64(exs_rbuf_t *b);
static inline uint64_t exs_rbuf_varint(exs_rbuf_t *b);
static inline const uint8_t *exs_rbuf_mem(exs_rbuf_t *b, size_t n);
/* a string written by exs_wbuf_str(): len, bytes, NUL */
const char *exs_rbuf_str(exs_rbuf_t *b, size_t *len);
/* a count of items of at least min bytes each that can still follow */
uint32_t exs_rbuf_count(exs_rbuf_t *b, size_t min);


/* inline: a property bag is read a few bytes at a time */

static inline const uint8_t *
exs_rbuf_mem(exs_rbuf_t *b, size_t n)
{
    const uint8_t  *p;

    if (b->err != EXS_OK || (size_t) (b->end - b->p) < n) {
        b->err = EXS_CORRUPT;
        return NULL;
    }

    p = b->p;
    b->p += n;

    return p;
}


static inline uint8_t
exs_rbuf_u8(exs_rbuf_t *b)
{
    const uint8_t  *p;

    p = exs_rbuf_mem(b, 1);

    return p ? *p : 0;
}


static inline uint16_t
exs_rbuf_u16(exs_rbuf_t *b)
{
    const uint8_t  *p;

    p = exs_rbuf_mem(b, 2);

    return p ? exs_get_le16(p) : 0;
}


static inline uint32_t
exs_rbuf_u32(exs_rbuf_t *b)
{
    const uint8_t  *p;

    p = exs_rbuf_mem(b, 4);

    return p ? exs_get_le32(p) : 0;
}


static inline uint64_t
exs_rbuf_u64(exs_rbuf_t *b)
{
    const uint8_t  *p;

    p = exs_rbuf_mem(b, 8);

    return p ? exs_get_le64(p) : 0;
}


static inline uint64_t
exs_rbuf_varint(exs_rbuf_t *b)
{
    int       shift;
    uint8_t   c;
    uint64_t  v;

    v = 0;

    for (shift = 0; shift < 64; shift += 7) {
        if (b->err != EXS_OK || b->p >= b->end) {
            b->err = EXS_CORRUPT;
            return 0;
        }

        c = *b->p++;

        if (shift == 63 && (c & 0x7E)) {
            break;
        }

        v |= (uint64_t) (c & 0x7F) << shift;

        if (!(c & 0x80)) {
            return v;
        }
    }

    b->err = EXS_CORRUPT;

    return 0;
}


/* errors: the one place that maps LMDB's and the system's codes */

int exs_rc(int mdb_or_errno);


/* transactions and database access */

#define exs_txn_rdonly(t)       ((t)->flags & EXS_TXN_RDONLY)

MDB_dbi exs_dbi(exs_txn_t *t, int db);
/* makes the transaction uncommittable with rc and returns rc */
int exs_txn_fail(exs_txn_t *t, int rc);

int exs_db_get(exs_txn_t *t, int db, const void *key, size_t klen,
    MDB_val *val);
int exs_db_put(exs_txn_t *t, int db, const void *key, size_t klen,
    const void *val, size_t vlen, unsigned flags);
int exs_db_reserve(exs_txn_t *t, int db, const void *key, size_t klen,
    size_t vlen, void **p);
int exs_db_del(exs_txn_t *t, int db, const void *key, size_t klen);
/* rewrites the first hlen bytes of an existing value */
int exs_db_patch(exs_txn_t *t, int db, const void *key, size_t klen,
    const void *head, size_t hlen);
/* deletes every key that starts with prefix */
int exs_db_del_prefix(exs_txn_t *t, int db, const void *prefix, size_t plen);

/* a walk over the keys that start with a prefix, either way */

typedef struct {
    MDB_cursor               *c;
    uint8_t                   prefix[EXS_KEY_MAX];
    size_t                    plen;
    MDB_val                   k;
    MDB_val                   v;
    int                       state;
} exs_scan_t;

int exs_scan_open(exs_txn_t *t, int db, const void *prefix, size_t plen,
    exs_scan_t *s);
/* 1: an entry in s->k, s->v; 0: the end; <0: an error */
int exs_scan_next(exs_scan_t *s);
int exs_scan_prev(exs_scan_t *s);
/* positions so that the next exs_scan_next() returns the first key >= key
 * (still within the prefix) */
int exs_scan_seek(exs_scan_t *s, const void *key, size_t klen);
void exs_scan_close(exs_scan_t *s);
/* the u64 ids of a walk over a prefix, read big-endian at byte off of each
 * key, or (off -1) little-endian at the start of each value; *ids is
 * malloc'd (free it) */
int exs_scan_ids(exs_txn_t *t, int db, const void *prefix, size_t plen,
    int off, int backward, exs_id_t **ids, uint32_t *n);


/* the property bag codec (exs_propbag.c) */

#define EXS_DEC_COPY            0x01     /* copy out of the map */
#define EXS_DEC_REFS            0x02     /* keep out-of-line values as
                                            EXS_PT_OOL references */

/* EXS_INVALID for a bag the codec can't store (bad types, NULL data) */
int exs_props_validate(const exs_props_t *props);
void exs_bag_encode_plain(exs_wbuf_t *b, const exs_props_t *props);
int exs_bag_decode(exs_rbuf_t *b, exs_props_t *props, unsigned flags,
    exs_arena_t *a);
/* as exs_bag_decode, keeping only the values whose ids are in ids (nids,
 * ascending; all of them when nids is 0); the others are checked as
 * strictly and passed over */
int exs_bag_decode_ids(exs_rbuf_t *b, exs_props_t *props, unsigned flags,
    const uint16_t *ids, uint32_t nids, exs_arena_t *a);
/* skips one encoded bag */
int exs_bag_skip(exs_rbuf_t *b);
/* the encoded size of one value as stored inline */
size_t exs_prop_size(const exs_prop_t *p);
int exs_tag_computed_msg(uint32_t tag);
int exs_tag_computed_folder(uint32_t tag);

/* restrictions in their stored form (search folders) */
void exs_res_encode(exs_wbuf_t *b, const exs_restriction_t *r);
int exs_res_decode(exs_rbuf_t *b, exs_restriction_t *r, exs_arena_t *a,
    unsigned depth);

void exs_folder_hdr_put(uint8_t *p, const exs_folder_hdr_t *h);
void exs_folder_hdr_get(const uint8_t *p, exs_folder_hdr_t *h);
void exs_msg_hdr_put(uint8_t *p, const exs_msg_hdr_t *h);
void exs_msg_hdr_get(const uint8_t *p, exs_msg_hdr_t *h);
void exs_mbox_rec_put(uint8_t *p, const exs_mbox_rec_t *r);
void exs_mbox_rec_get(const uint8_t *p, exs_mbox_rec_t *r);


/*
 * Writing bags with their large values out of line: every stored record
 * holds one reference on each blob it names.  exs_bag_store() encodes a bag,
 * putting big values into the blob store (a new reference each) and taking
 * a reference on values that already are EXS_PT_OOL; exs_bag_release()
 * drops the references of an encoded bag being deleted or replaced.
 * *size receives the logical size (out-of-line values counted in full).
 */
int exs_bag_store(exs_txn_t *t, exs_wbuf_t *b, const exs_props_t *props,
    int64_t *size);
int exs_bag_release(exs_txn_t *t, exs_rbuf_t *b);
/* the same for a decoded bag and for a message's sub-objects; delta +1
 * takes a reference on each out-of-line value, -1 drops one */
int exs_props_release(exs_txn_t *t, const exs_props_t *props);
int exs_msg_refs(exs_txn_t *t, const exs_msg_t *msg, int delta);
/* loads the out-of-line values of a bag decoded with EXS_DEC_REFS */
int exs_bag_resolve(exs_txn_t *t, exs_props_t *props, exs_arena_t *a);
int exs_prop_resolve(exs_txn_t *t, exs_prop_t *p, exs_arena_t *a);

/* message sub-objects: recipients, attachments, embedded messages */
int exs_sub_store(exs_txn_t *t, exs_wbuf_t *b, const exs_msg_t *msg,
    unsigned depth, int64_t *size);
int exs_sub_release(exs_txn_t *t, exs_rbuf_t *b, unsigned depth);
int exs_sub_decode(exs_rbuf_t *b, exs_msg_t *msg, unsigned flags,
    unsigned depth, exs_arena_t *a);
int exs_msg_display_lists(exs_arena_t *a, const exs_msg_t *msg,
    exs_props_t *props);


/* blobs (exs_blob.c) */

int exs_sha256(exs_txn_t *t, const void *data, size_t len, uint8_t *out);
int exs_blob_put(exs_txn_t *t, const void *data, size_t len, uint8_t *sha);
int exs_blob_ref(exs_txn_t *t, const uint8_t *sha, int delta);
int exs_blob_read(exs_txn_t *t, const uint8_t *sha, uint64_t off,
    uint8_t *out, size_t len, size_t *got, uint64_t *total);
/* the whole value, NUL-terminated */
int exs_blob_load(exs_txn_t *t, const uint8_t *sha, exs_bin_t *out,
    exs_arena_t *a);
int exs_stream_finish(exs_stream_t *s, uint8_t *sha, uint64_t *len);
int exs_blob_prepare(exs_env_t *env, const void *data, size_t len,
    exs_pblob_t **pb, exs_arena_t *a);
int exs_blob_put_prepared(exs_txn_t *t, const exs_pblob_t *pb);
void exs_prep_free(exs_env_t *env);
void exs_blob_txn_free(exs_txn_t *t);
/* puts the chunks the compressor thread holds for the txn (write 0: drops
 * them) */
int exs_blob_drain(exs_txn_t *t, int write);
int exs_blob_flush(exs_txn_t *t);
void exs_zpool_stop(exs_env_t *env);


/* ids (exs_ids.c) */

void exs_xid(const uint8_t *guid, exs_id_t id, uint8_t *out);
int exs_pcl_merge(exs_arena_t *a, const exs_bin_t *pcl, const uint8_t *xid,
    size_t xlen, exs_bin_t *out);
int exs_guid_random(uint8_t *guid);
/* the address book entry id of a directory object (MS-OXCDATA 2.2.5.2) */
int exs_ab_entryid(exs_arena_t *a, const char *dn, uint32_t type,
    exs_bin_t *out);
const char *exs_ab_entryid_dn(const uint8_t *data, size_t len);


/* mailboxes (exs_mbox.c) */

int exs_mbox_alloc_id(exs_mbox_t *mb, exs_id_t *id);
/* the mailbox GUID is the owner's directory GUID, so that one GUID names
 * the mailbox everywhere (Autodiscover, entry ids, EWS ids) */
int exs_mbox_create(exs_txn_t *t, uint32_t owner, const uint8_t *guid,
    uint32_t *mailbox);
int exs_mbox_destroy(exs_txn_t *t, uint32_t mailbox);
int exs_mbox_flush(exs_txn_t *t);
/* a change number was used and the size moved */
void exs_mbox_touch(exs_mbox_t *mb, uint64_t cn, int64_t size_delta);
void exs_named_init(exs_mbox_t *mb);
int exs_mbox_provision(exs_txn_t *t, uint32_t mailbox,
    const char *display_name);
int exs_provision(exs_mbox_t *mb, const char *display_name);
/* PR_CHANGE_KEY and PR_PREDECESSOR_CHANGE_LIST for a new change */
int exs_change_keys(exs_mbox_t *mb, exs_props_t *props, uint64_t cn,
    exs_arena_t *a);
int exs_keep_keys(exs_props_t *props, exs_arena_t *a);
/* the mailbox's access to a folder for its user */
int exs_mbox_check(exs_mbox_t *mb, exs_id_t fid, uint32_t need,
    uint32_t creator);


/* folders (exs_folder.c), messages (exs_message.c) */

int exs_folder_load(exs_mbox_t *mb, exs_id_t fid, exs_folder_hdr_t *h,
    exs_props_t *props, unsigned dflags, exs_arena_t *a);
int exs_folder_hdr(exs_mbox_t *mb, exs_id_t fid, exs_folder_hdr_t *h);
int exs_folder_hdr_update(exs_mbox_t *mb, exs_id_t fid,
    const exs_folder_hdr_t *h);
/* counts a message in (sign 1) or out (-1) of its folder's counters;
 * cn: a change inside; uid: hands out the folder's next IMAP UID */
int exs_folder_account(exs_mbox_t *mb, exs_id_t fid, const exs_msg_hdr_t *m,
    int sign, uint64_t cn, uint32_t *uid);
int exs_folder_computed(exs_mbox_t *mb, exs_id_t fid,
    const exs_folder_hdr_t *h, const exs_props_t *stored, uint32_t tag,
    exs_prop_t *out, exs_arena_t *a);
int exs_folder_create_special(exs_mbox_t *mb, exs_id_t fid, exs_id_t parent,
    const char *name, const char *cls, uint32_t type, int hidden);
int exs_folder_is_ancestor(exs_mbox_t *mb, exs_id_t anc, exs_id_t fid);

int exs_msg_load(exs_mbox_t *mb, exs_id_t mid, exs_msg_hdr_t *h,
    exs_props_t *props, unsigned dflags, exs_arena_t *a);
/* a message's stored values are filtered by the ids of up to this many
 * tags (more are rare: they get the whole bag) */
#define EXS_MSG_IDS_MAX         128

/* the ids of tags, ascending and each once; 0 when there are more than
 * max (or no tags) */
uint32_t exs_msg_tag_ids(const uint32_t *tags, uint32_t ntags, uint16_t *ids,
    uint32_t max);
/* exs_message_get with the ids exs_msg_tag_ids() made of tags (0: all
 * the stored values are read) */
int exs_message_get_ids(exs_mbox_t *mb, exs_id_t mid, const uint32_t *tags,
    uint32_t ntags, const uint16_t *ids, uint32_t nids, exs_props_t *out,
    exs_arena_t *a);
/* as exs_msg_load, with only the stored values of the ids (ascending; all
 * of them when nids is 0) */
int exs_msg_load_ids(exs_mbox_t *mb, exs_id_t mid, exs_msg_hdr_t *h,
    exs_props_t *props, unsigned dflags, const uint16_t *ids, uint32_t nids,
    exs_arena_t *a);
int exs_msg_computed(exs_mbox_t *mb, exs_id_t mid, const exs_msg_hdr_t *h,
    const exs_props_t *stored, uint32_t tag, exs_prop_t *out,
    exs_arena_t *a);
int exs_msg_sub_load(exs_mbox_t *mb, exs_id_t mid, exs_msg_t *msg,
    unsigned dflags, exs_arena_t *a);
int exs_msg_index(exs_mbox_t *mb, exs_id_t mid, const exs_msg_hdr_t *h,
    int add);
/* a hard delete without checks: records, indexes, blob references,
 * counters; log: a tombstone in the change log */
int exs_msg_remove(exs_mbox_t *mb, exs_id_t mid, exs_msg_hdr_t *h, int log);


/* records decoded for `store check` */
int exs_change_decode(const void *data, size_t len, exs_change_t *c);
int exs_named_decode(const void *data, size_t len, exs_propname_t *name,
    exs_arena_t *a);
int exs_dir_decode_record(const void *data, size_t len, exs_dirent_t *e,
    exs_arena_t *a);


/* the change log (exs_changes.c) */

int exs_change_log(exs_mbox_t *mb, uint64_t cn, uint8_t kind, uint8_t flags,
    exs_id_t id, exs_id_t folder, exs_id_t old_id, exs_id_t old_folder);


/* restrictions (exs_restriction.c): evaluation over a row that may load
 * its values and sub-objects lazily */

typedef struct exs_row_s  exs_row_t;

struct exs_row_s {
    const exs_prop_t       *(*get)(exs_row_t *row, uint32_t tag);
    int                     (*subobjs)(exs_row_t *row, uint32_t which,
                                       exs_props_t **bags, uint32_t *n);
    exs_txn_t                *txn;          /* may be NULL */
    void                     *data;
};

typedef struct exs_rescount_s  exs_rescount_t;

/* count restrictions keep their state across the rows of one walk */
int exs_res_eval(const exs_restriction_t *res, exs_row_t *row,
    exs_rescount_t **counts, exs_arena_t *a);

/* element i of a multi-valued property as a single value */
int exs_mv_elem(const exs_prop_t *mv, uint32_t i, exs_prop_t *e);

/* a message as a row: its stored bag, computed values on demand */
int exs_msg_row_init(exs_mbox_t *mb, exs_id_t mid, exs_row_t *row,
    exs_arena_t *a);
int exs_folder_row_init(exs_mbox_t *mb, exs_id_t fid, exs_row_t *row,
    exs_arena_t *a);


/* strings */

/* ASCII case folding into out (at most max bytes); returns the length */
size_t exs_fold(const char *s, size_t len, uint8_t *out, size_t max);
int exs_strcaseeq(const char *a, const char *b);
char *exs_lower(exs_arena_t *a, const char *s);


#endif /* _EXS_INT_H_INCLUDED_ */
