
/*
 * exch store: large values out of line.  A value is named by the SHA-256
 * of its bytes (so identical attachments are stored once), kept in chunks
 * of EXS_BLOB_CHUNK bytes each compressed with zstd on its own (so a range
 * read decompresses only what it needs), and counted: every stored record
 * that names it holds one reference (exs_propbag.c), and the last release
 * deletes it.  `exchctl store check` recounts.
 *
 *   blob.ref:  SHA-256 -> u64 blob id, u64 references, u64 length
 *   blob:      u64 blob id, u32 chunk number -> u8 encoding, bytes
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zstd.h>

#include "exs_int.h"


typedef struct exs_zjob_s   exs_zjob_t;
typedef struct exs_zpool_s  exs_zpool_t;


#define EXS_BLOB_RAW            0
#define EXS_BLOB_ZSTD           1

#define EXS_BLOB_REF_LEN        24


struct exs_stream_s {
    exs_txn_t                *txn;
    uint64_t                  id;
    uint64_t                  len;
    uint32_t                  nchunks;
    int                       compress;
    int                       err;
    size_t                    used;
    EVP_MD_CTX               *md;
    uint8_t                   sha[EXS_SHA_LEN];
    uint8_t                   buf[EXS_BLOB_CHUNK];
};


static int exs_blob_next_id(exs_txn_t *t, uint64_t *id);
static int exs_blob_chunk_put(exs_txn_t *t, uint64_t id, uint32_t n,
    const uint8_t *data, size_t len, int *compress);
static int exs_blob_chunk_get(exs_txn_t *t, uint64_t id, uint32_t n,
    uint8_t *out, size_t len);
static int exs_blob_ref_get(exs_txn_t *t, const uint8_t *sha, uint64_t *id,
    uint64_t *refs, uint64_t *len);
static int exs_blob_ref_put(exs_txn_t *t, const uint8_t *sha, uint64_t id,
    uint64_t refs, uint64_t len);
static int exs_blob_delete(exs_txn_t *t, uint64_t id);


int
exs_sha256(exs_txn_t *t, const void *data, size_t len, uint8_t *out)
{
    unsigned int  n;

    if (t->md == NULL) {
        t->md = EVP_MD_CTX_new();
        if (t->md == NULL) {
            return EXS_NOMEM;
        }
    }

    if (EVP_DigestInit_ex(t->md, t->env->sha256, NULL) != 1
        || EVP_DigestUpdate(t->md, data, len) != 1
        || EVP_DigestFinal_ex(t->md, out, &n) != 1
        || n != EXS_SHA_LEN)
    {
        return EXS_ERROR;
    }

    return EXS_OK;
}


void
exs_blob_txn_free(exs_txn_t *t)
{
    if (t->dctx) {
        ZSTD_freeDCtx(t->dctx);
        t->dctx = NULL;
    }

    if (t->md) {
        EVP_MD_CTX_free(t->md);
        t->md = NULL;
    }
}


static int
exs_blob_ref_get(exs_txn_t *t, const uint8_t *sha, uint64_t *id,
    uint64_t *refs, uint64_t *len)
{
    int      rc;
    MDB_val  v;

    rc = exs_db_get(t, EXS_DB_BLOB_REF, sha, EXS_SHA_LEN, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (v.mv_size != EXS_BLOB_REF_LEN) {
        return EXS_CORRUPT;
    }

    *id = exs_get_le64(v.mv_data);
    *refs = exs_get_le64((uint8_t *) v.mv_data + 8);
    *len = exs_get_le64((uint8_t *) v.mv_data + 16);

    return EXS_OK;
}


static int
exs_blob_ref_put(exs_txn_t *t, const uint8_t *sha, uint64_t id,
    uint64_t refs, uint64_t len)
{
    uint8_t  v[EXS_BLOB_REF_LEN];

    exs_le64(v, id);
    exs_le64(v + 8, refs);
    exs_le64(v + 16, len);

    return exs_db_put(t, EXS_DB_BLOB_REF, sha, EXS_SHA_LEN, v, sizeof(v), 0);
}


/* blob ids: read once per write transaction, written back at commit */

static int
exs_blob_next_id(exs_txn_t *t, uint64_t *id)
{
    int       rc;
    MDB_val   val;

    if (t->blob_next == 0) {
        rc = exs_db_get(t, EXS_DB_META, "blob_next", 9, &val);

        if (rc == EXS_NOTFOUND) {
            t->blob_next = 1;

        } else if (rc != EXS_OK) {
            return rc;

        } else if (val.mv_size != 8) {
            return EXS_CORRUPT;

        } else {
            t->blob_next = exs_get_le64(val.mv_data);
        }
    }

    *id = t->blob_next++;
    t->blob_dirty = 1;

    return EXS_OK;
}


int
exs_blob_flush(exs_txn_t *t)
{
    uint8_t  v[8];

    if (!t->blob_dirty) {
        return EXS_OK;
    }

    exs_le64(v, t->blob_next);
    t->blob_dirty = 0;

    return exs_db_put(t, EXS_DB_META, "blob_next", 9, v, 8, 0);
}


/*
 * Compression runs beside the writer: a chunk to store is queued for the
 * environment's compressor thread, and the write transaction puts the
 * compressed chunks into the database before anything reads them, before
 * a blob is deleted, and before it commits (exs_blob_drain()).  On two
 * cores the hashing and B-tree work of one message overlap the
 * compression of the one before.  Without the thread, chunks are
 * compressed in line.
 */

struct exs_zjob_s {
    uint64_t                  id;
    uint32_t                  n;
    int                       compress;
    int                       done;
    size_t                    len;
    size_t                    clen;         /* 0: store raw */
    uint8_t                  *raw;          /* EXS_BLOB_CHUNK bytes */
    uint8_t                  *out;          /* EXS_ZBUF_LEN bytes */
    exs_zjob_t               *next;         /* the thread's queue */
    exs_zjob_t               *tnext;        /* the transaction's list,
                                               or the free list */
};

struct exs_zpool_s {
    pthread_t                 thread;
    pthread_mutex_t           lock;
    pthread_cond_t            work;
    pthread_cond_t            done;
    exs_zjob_t               *head;
    exs_zjob_t               *tail;
    void                     *cctx;
    uint64_t                  skip_id;      /* a blob found incompressible */
    unsigned                  queued;       /* not yet taken */
    int                       stop;
    exs_zjob_t               *free;         /* jobs to reuse (the writer's) */
    unsigned                  nfree;
};


#define EXS_ZPOOL_MIN           1024
#define EXS_ZPOOL_PENDING_MAX   (16 << 20)
#define EXS_ZPOOL_FREE_MAX      256
/* ZSTD_compressBound(EXS_BLOB_CHUNK) with room to spare */
#define EXS_ZBUF_LEN            (EXS_BLOB_CHUNK + EXS_BLOB_CHUNK / 128 + 1024)


/* compresses into out (EXS_ZBUF_LEN bytes); 0: not worth it */

static size_t
exs_blob_compress(void *cctx, const uint8_t *data, size_t len, uint8_t *out)
{
    size_t  clen;

    if (len > EXS_BLOB_CHUNK) {
        return 0;
    }

    clen = ZSTD_compress2(cctx, out, EXS_ZBUF_LEN, data, len);

    if (ZSTD_isError(clen) || clen >= len - len / 16) {
        return 0;
    }

    return clen;
}


static void *
exs_zpool_run(void *data)
{
    exs_zjob_t  *j;
    exs_zpool_t *zp;

    zp = data;

    pthread_mutex_lock(&zp->lock);

    for ( ;; ) {
        while (zp->head == NULL && !zp->stop) {
            pthread_cond_wait(&zp->work, &zp->lock);
        }

        if (zp->head == NULL) {
            break;
        }

        j = zp->head;
        zp->head = j->next;
        zp->queued--;
        if (zp->head == NULL) {
            zp->tail = NULL;
        }

        pthread_mutex_unlock(&zp->lock);

        /* a blob whose first chunk didn't compress stays raw */
        if (j->compress && j->id != zp->skip_id) {
            j->clen = exs_blob_compress(zp->cctx, j->raw, j->len, j->out);
            if (j->clen == 0 && j->n == 0) {
                zp->skip_id = j->id;
            }
        }

        pthread_mutex_lock(&zp->lock);
        j->done = 1;
        pthread_cond_broadcast(&zp->done);
    }

    pthread_mutex_unlock(&zp->lock);

    return NULL;
}


static exs_zpool_t *
exs_zpool_get(exs_env_t *env)
{
    exs_zpool_t  *zp;

    if (env->zpool || env->zpool_failed) {
        return env->zpool;
    }

    zp = calloc(1, sizeof(exs_zpool_t));
    if (zp == NULL) {
        env->zpool_failed = 1;
        return NULL;
    }

    zp->cctx = ZSTD_createCCtx();

    if (zp->cctx == NULL
        || ZSTD_isError(ZSTD_CCtx_setParameter(zp->cctx,
                                               ZSTD_c_compressionLevel, 1))
        || ZSTD_isError(ZSTD_CCtx_setParameter(zp->cctx, ZSTD_c_windowLog,
                                               16)))
    {
        ZSTD_freeCCtx(zp->cctx);
        free(zp);
        env->zpool_failed = 1;
        return NULL;
    }

    pthread_mutex_init(&zp->lock, NULL);
    pthread_cond_init(&zp->work, NULL);
    pthread_cond_init(&zp->done, NULL);

    if (pthread_create(&zp->thread, NULL, exs_zpool_run, zp) != 0) {
        pthread_mutex_destroy(&zp->lock);
        pthread_cond_destroy(&zp->work);
        pthread_cond_destroy(&zp->done);
        ZSTD_freeCCtx(zp->cctx);
        free(zp);
        env->zpool_failed = 1;
        return NULL;
    }

    env->zpool = zp;

    return zp;
}


void
exs_zpool_stop(exs_env_t *env)
{
    exs_zpool_t  *zp;

    zp = env->zpool;
    if (zp == NULL) {
        return;
    }

    pthread_mutex_lock(&zp->lock);
    zp->stop = 1;
    pthread_cond_signal(&zp->work);
    pthread_mutex_unlock(&zp->lock);

    pthread_join(zp->thread, NULL);

    pthread_mutex_destroy(&zp->lock);
    pthread_cond_destroy(&zp->work);
    pthread_cond_destroy(&zp->done);
    ZSTD_freeCCtx(zp->cctx);

    while (zp->free) {
        exs_zjob_t  *j;

        j = zp->free;
        zp->free = j->tnext;
        free(j->raw);
        free(j->out);
        free(j);
    }

    free(zp);

    env->zpool = NULL;
}


static int
exs_blob_chunk_write(exs_txn_t *t, uint64_t id, uint32_t n,
    const uint8_t *data, size_t len, int enc)
{
    int       rc;
    uint8_t   key[12], *p;

    exs_be64(key, id);
    exs_be32(key + 8, n);

    rc = exs_db_reserve(t, EXS_DB_BLOB, key, sizeof(key), len + 1,
                        (void **) &p);
    if (rc == EXS_OK) {
        p[0] = (uint8_t) enc;
        memcpy(p + 1, data, len);
    }

    return rc;
}


/* puts the queued chunks of the transaction (write 0: only waits for the
 * thread to let go of them) */

int
exs_blob_drain(exs_txn_t *t, int write)
{
    int           rc;
    exs_zjob_t   *j, *next;
    exs_zpool_t  *zp;

    zp = t->env->zpool;
    rc = EXS_OK;

    for (j = t->zjobs; j; j = next) {
        next = j->tnext;

        pthread_mutex_lock(&zp->lock);
        while (!j->done) {
            pthread_cond_wait(&zp->done, &zp->lock);
        }
        pthread_mutex_unlock(&zp->lock);

        if (write && rc == EXS_OK) {
            rc = j->clen
                 ? exs_blob_chunk_write(t, j->id, j->n, j->out, j->clen,
                                        EXS_BLOB_ZSTD)
                 : exs_blob_chunk_write(t, j->id, j->n, j->raw, j->len,
                                        EXS_BLOB_RAW);
        }

        if (zp->nfree < EXS_ZPOOL_FREE_MAX) {
            j->tnext = zp->free;
            zp->free = j;
            zp->nfree++;

        } else {
            free(j->raw);
            free(j->out);
            free(j);
        }
    }

    t->zjobs = NULL;
    t->zjobs_tail = NULL;
    t->zpending = 0;

    return rc;
}


static int
exs_blob_chunk_put(exs_txn_t *t, uint64_t id, uint32_t n,
    const uint8_t *data, size_t len, int *compress)
{
    int           rc, busy;
    size_t        clen;
    uint8_t      *tmp;
    exs_zjob_t   *j;
    exs_zpool_t  *zp;

    zp = (*compress && len >= EXS_ZPOOL_MIN) ? exs_zpool_get(t->env) : NULL;

    if (zp) {
        /* the thread is behind: this one is compressed here, so both
         * cores work */
        pthread_mutex_lock(&zp->lock);
        busy = zp->queued >= 2;
        pthread_mutex_unlock(&zp->lock);

        if (busy) {
            zp = NULL;
        }
    }

    if (zp) {
        j = zp->free;

        if (j) {
            zp->free = j->tnext;
            zp->nfree--;

        } else {
            j = calloc(1, sizeof(exs_zjob_t));
            if (j == NULL) {
                return EXS_NOMEM;
            }

            j->raw = malloc(EXS_BLOB_CHUNK);
            j->out = malloc(EXS_ZBUF_LEN);

            if (j->raw == NULL || j->out == NULL) {
                free(j->raw);
                free(j->out);
                free(j);
                return EXS_NOMEM;
            }
        }

        memcpy(j->raw, data, len);
        j->next = NULL;
        j->tnext = NULL;
        j->done = 0;
        j->clen = 0;
        j->id = id;
        j->n = n;
        j->len = len;
        j->compress = 1;

        if (t->zjobs_tail) {
            t->zjobs_tail->tnext = j;
        } else {
            t->zjobs = j;
        }

        t->zjobs_tail = j;
        t->zpending += len;

        pthread_mutex_lock(&zp->lock);

        if (zp->tail) {
            zp->tail->next = j;
        } else {
            zp->head = j;
        }

        zp->tail = j;
        zp->queued++;
        pthread_cond_signal(&zp->work);
        pthread_mutex_unlock(&zp->lock);

        if (t->zpending > EXS_ZPOOL_PENDING_MAX) {
            return exs_txn_fail(t, exs_blob_drain(t, 1));
        }

        return EXS_OK;
    }

    tmp = t->env->zbuf;

    if (tmp == NULL && *compress) {
        tmp = malloc(EXS_ZBUF_LEN);
        t->env->zbuf = tmp;
    }

    clen = (*compress && tmp) ? exs_blob_compress(t->env->cctx, data, len,
                                                  tmp)
                              : 0;

    if (clen == 0) {
        /* the rest of this value won't compress either */
        *compress = 0;
        return exs_blob_chunk_write(t, id, n, data, len, EXS_BLOB_RAW);
    }

    rc = exs_blob_chunk_write(t, id, n, tmp, clen, EXS_BLOB_ZSTD);

    return rc;
}


int
exs_blob_put(exs_txn_t *t, const void *data, size_t len, uint8_t *sha)
{
    int        rc, compress;
    size_t     n;
    uint32_t   i;
    uint64_t   id, refs, have;

    rc = exs_sha256(t, data, len, sha);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_blob_ref_get(t, sha, &id, &refs, &have);

    if (rc == EXS_OK) {
        if (have != len) {
            return exs_txn_fail(t, EXS_CORRUPT);
        }
        return exs_blob_ref_put(t, sha, id, refs + 1, len);
    }

    if (rc != EXS_NOTFOUND) {
        return rc;
    }

    rc = exs_blob_next_id(t, &id);
    if (rc != EXS_OK) {
        return rc;
    }

    compress = 1;

    for (i = 0; (uint64_t) i * EXS_BLOB_CHUNK < len || i == 0; i++) {
        n = len - (size_t) i * EXS_BLOB_CHUNK;
        if (n > EXS_BLOB_CHUNK) {
            n = EXS_BLOB_CHUNK;
        }

        rc = exs_blob_chunk_put(t, id, i,
                                (const uint8_t *) data
                                + (size_t) i * EXS_BLOB_CHUNK,
                                n, &compress);
        if (rc != EXS_OK) {
            return rc;
        }

        if (n < EXS_BLOB_CHUNK) {
            break;
        }
    }

    return exs_blob_ref_put(t, sha, id, 1, len);
}


static int
exs_blob_delete(exs_txn_t *t, uint64_t id)
{
    int      rc;
    uint8_t  prefix[8];

    if (t->zjobs) {
        rc = exs_txn_fail(t, exs_blob_drain(t, 1));
        if (rc != EXS_OK) {
            return rc;
        }
    }

    exs_be64(prefix, id);

    return exs_db_del_prefix(t, EXS_DB_BLOB, prefix, sizeof(prefix));
}


int
exs_blob_ref(exs_txn_t *t, const uint8_t *sha, int delta)
{
    int       rc;
    uint8_t   key[EXS_SHA_LEN];
    uint64_t  id, refs, len;

    /* sha may point into the map, which the writes below can move */
    memcpy(key, sha, EXS_SHA_LEN);

    rc = exs_blob_ref_get(t, key, &id, &refs, &len);
    if (rc == EXS_NOTFOUND) {
        return exs_txn_fail(t, EXS_CORRUPT);
    }

    if (rc != EXS_OK) {
        return rc;
    }

    if (delta < 0 && refs < (uint64_t) -delta) {
        return exs_txn_fail(t, EXS_CORRUPT);
    }

    refs += delta;

    if (refs == 0) {
        rc = exs_blob_delete(t, id);
        if (rc != EXS_OK) {
            return rc;
        }

        rc = exs_db_del(t, EXS_DB_BLOB_REF, key, EXS_SHA_LEN);
        return rc == EXS_NOTFOUND ? exs_txn_fail(t, EXS_CORRUPT) : rc;
    }

    return exs_blob_ref_put(t, key, id, refs, len);
}


/* decompresses chunk n, which holds len bytes, into out */

static int
exs_blob_chunk_get(exs_txn_t *t, uint64_t id, uint32_t n, uint8_t *out,
    size_t len)
{
    int       rc;
    size_t    r;
    uint8_t   key[12];
    MDB_val   v;
    uint8_t  *p;

    exs_be64(key, id);
    exs_be32(key + 8, n);

    rc = exs_db_get(t, EXS_DB_BLOB, key, sizeof(key), &v);
    if (rc != EXS_OK) {
        return rc == EXS_NOTFOUND ? EXS_CORRUPT : rc;
    }

    p = v.mv_data;

    if (v.mv_size < 1) {
        return EXS_CORRUPT;
    }

    if (p[0] == EXS_BLOB_RAW) {
        if (v.mv_size - 1 != len) {
            return EXS_CORRUPT;
        }

        memcpy(out, p + 1, len);
        return EXS_OK;
    }

    if (p[0] != EXS_BLOB_ZSTD) {
        return EXS_CORRUPT;
    }

    if (t->dctx == NULL) {
        t->dctx = ZSTD_createDCtx();
        if (t->dctx == NULL) {
            return EXS_NOMEM;
        }
    }

    r = ZSTD_decompressDCtx(t->dctx, out, len, p + 1, v.mv_size - 1);

    if (ZSTD_isError(r) || r != len) {
        return EXS_CORRUPT;
    }

    return EXS_OK;
}


int
exs_blob_read(exs_txn_t *t, const uint8_t *sha, uint64_t off, uint8_t *out,
    size_t len, size_t *got, uint64_t *total)
{
    int        rc;
    size_t     clen, skip, n;
    uint8_t   *tmp;
    uint32_t   chunk;
    uint64_t   id, refs, blen;

    *got = 0;

    if (t->zjobs) {
        rc = exs_txn_fail(t, exs_blob_drain(t, 1));
        if (rc != EXS_OK) {
            return rc;
        }
    }

    rc = exs_blob_ref_get(t, sha, &id, &refs, &blen);
    if (rc != EXS_OK) {
        return rc == EXS_NOTFOUND ? EXS_CORRUPT : rc;
    }

    if (total) {
        *total = blen;
    }

    if (off >= blen || len == 0) {
        return EXS_OK;
    }

    if (len > blen - off) {
        len = (size_t) (blen - off);
    }

    tmp = NULL;

    while (len) {
        chunk = (uint32_t) (off / EXS_BLOB_CHUNK);
        skip = (size_t) (off % EXS_BLOB_CHUNK);
        clen = blen - (uint64_t) chunk * EXS_BLOB_CHUNK < EXS_BLOB_CHUNK
               ? (size_t) (blen - (uint64_t) chunk * EXS_BLOB_CHUNK)
               : EXS_BLOB_CHUNK;

        n = clen - skip;
        if (n > len) {
            n = len;
        }

        if (skip == 0 && n == clen) {
            rc = exs_blob_chunk_get(t, id, chunk, out, clen);

        } else {
            if (tmp == NULL) {
                tmp = malloc(EXS_BLOB_CHUNK);
                if (tmp == NULL) {
                    return EXS_NOMEM;
                }
            }

            rc = exs_blob_chunk_get(t, id, chunk, tmp, clen);
            if (rc == EXS_OK) {
                memcpy(out, tmp + skip, n);
            }
        }

        if (rc != EXS_OK) {
            free(tmp);
            return rc;
        }

        out += n;
        off += n;
        len -= n;
        *got += n;
    }

    free(tmp);

    return EXS_OK;
}


int
exs_blob_load(exs_txn_t *t, const uint8_t *sha, exs_bin_t *out,
    exs_arena_t *a)
{
    int        rc;
    size_t     got;
    uint8_t   *p;
    uint64_t   id, refs, len;

    rc = exs_blob_ref_get(t, sha, &id, &refs, &len);
    if (rc != EXS_OK) {
        return rc;
    }

    if (len >= SIZE_MAX) {
        return EXS_TOOBIG;
    }

    p = exs_alloc(a, (size_t) len + 1);
    if (p == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_blob_read(t, sha, 0, p, (size_t) len, &got, NULL);
    if (rc != EXS_OK) {
        return rc;
    }

    if (got != len) {
        return EXS_CORRUPT;
    }

    p[len] = '\0';
    out->data = p;
    out->len = (size_t) len;

    return EXS_OK;
}


/* streaming writes */

int
exs_stream_open(exs_txn_t *t, exs_stream_t **sp)
{
    int            rc;
    exs_stream_t  *s;

    *sp = NULL;

    if (exs_txn_rdonly(t)) {
        return EXS_DENIED;
    }

    s = calloc(1, sizeof(exs_stream_t));
    if (s == NULL) {
        return EXS_NOMEM;
    }

    s->txn = t;
    s->compress = 1;
    s->md = EVP_MD_CTX_new();

    if (s->md == NULL || EVP_DigestInit_ex(s->md, t->env->sha256, NULL) != 1)
    {
        EVP_MD_CTX_free(s->md);
        free(s);
        return EXS_NOMEM;
    }

    rc = exs_blob_next_id(t, &s->id);
    if (rc != EXS_OK) {
        EVP_MD_CTX_free(s->md);
        free(s);
        return rc;
    }

    *sp = s;

    return EXS_OK;
}


int
exs_stream_write(exs_stream_t *s, const void *data, size_t len)
{
    size_t          n;
    const uint8_t  *p;

    if (s->err != EXS_OK) {
        return s->err;
    }

    if (EVP_DigestUpdate(s->md, data, len) != 1) {
        return s->err = EXS_ERROR;
    }

    p = data;
    s->len += len;

    while (len) {
        n = EXS_BLOB_CHUNK - s->used;
        if (n > len) {
            n = len;
        }

        memcpy(s->buf + s->used, p, n);
        s->used += n;
        p += n;
        len -= n;

        if (s->used == EXS_BLOB_CHUNK) {
            s->err = exs_blob_chunk_put(s->txn, s->id, s->nchunks++, s->buf,
                                        s->used, &s->compress);
            s->used = 0;

            if (s->err != EXS_OK) {
                return s->err;
            }
        }
    }

    return EXS_OK;
}


/* ends the value: the stream then holds one reference on it, which
 * exs_stream_close() drops */

int
exs_stream_finish(exs_stream_t *s, uint8_t *sha, uint64_t *len)
{
    int           rc;
    unsigned int  n;
    uint64_t      id, refs, have;

    if (s->err != EXS_OK) {
        return s->err;
    }

    if (s->used || s->nchunks == 0) {
        s->err = exs_blob_chunk_put(s->txn, s->id, s->nchunks++, s->buf,
                                    s->used, &s->compress);
        s->used = 0;

        if (s->err != EXS_OK) {
            return s->err;
        }
    }

    if (EVP_DigestFinal_ex(s->md, s->sha, &n) != 1 || n != EXS_SHA_LEN) {
        return s->err = EXS_ERROR;
    }

    rc = exs_blob_ref_get(s->txn, s->sha, &id, &refs, &have);

    if (rc == EXS_OK) {
        /* stored already: keep that copy */
        rc = exs_blob_delete(s->txn, s->id);
        if (rc == EXS_OK) {
            rc = exs_blob_ref_put(s->txn, s->sha, id, refs + 1, have);
        }

    } else if (rc == EXS_NOTFOUND) {
        rc = exs_blob_ref_put(s->txn, s->sha, s->id, 1, s->len);
    }

    if (rc != EXS_OK) {
        return s->err = rc;
    }

    s->err = EXS_CONFLICT;      /* finished: no more writes */
    s->nchunks = 0;

    memcpy(sha, s->sha, EXS_SHA_LEN);
    *len = s->len;

    return EXS_OK;
}


void
exs_stream_close(exs_stream_t *s)
{
    if (s == NULL) {
        return;
    }

    if (s->err == EXS_CONFLICT) {
        /* finished: drop the stream's own reference */
        (void) exs_blob_ref(s->txn, s->sha, -1);

    } else if (s->nchunks) {
        (void) exs_blob_delete(s->txn, s->id);
    }

    EVP_MD_CTX_free(s->md);
    free(s);
}


/*
 * Preparing a value outside any transaction: hashed and compressed by the
 * caller's thread, so the write transaction that stores it only puts the
 * chunks (or takes a reference when the store has the value already).
 */

struct exs_prep_s {
    void                     *cctx;
    EVP_MD_CTX               *md;
    struct exs_prep_s        *next;
};


static struct exs_prep_s *
exs_prep_get(exs_env_t *env)
{
    struct exs_prep_s  *p;

    pthread_mutex_lock(&env->lock);

    p = env->preps;
    if (p) {
        env->preps = p->next;
    }

    pthread_mutex_unlock(&env->lock);

    if (p) {
        return p;
    }

    p = calloc(1, sizeof(struct exs_prep_s));
    if (p == NULL) {
        return NULL;
    }

    p->cctx = ZSTD_createCCtx();
    p->md = EVP_MD_CTX_new();

    if (p->cctx == NULL || p->md == NULL
        || ZSTD_isError(ZSTD_CCtx_setParameter(p->cctx,
                                               ZSTD_c_compressionLevel, 1))
        || ZSTD_isError(ZSTD_CCtx_setParameter(p->cctx, ZSTD_c_windowLog,
                                               16)))
    {
        ZSTD_freeCCtx(p->cctx);
        EVP_MD_CTX_free(p->md);
        free(p);
        return NULL;
    }

    return p;
}


static void
exs_prep_put(exs_env_t *env, struct exs_prep_s *p)
{
    pthread_mutex_lock(&env->lock);
    p->next = env->preps;
    env->preps = p;
    pthread_mutex_unlock(&env->lock);
}


void
exs_prep_free(exs_env_t *env)
{
    struct exs_prep_s  *p;

    while (env->preps) {
        p = env->preps;
        env->preps = p->next;
        ZSTD_freeCCtx(p->cctx);
        EVP_MD_CTX_free(p->md);
        free(p);
    }
}


int
exs_blob_prepare(exs_env_t *env, const void *data, size_t len,
    exs_pblob_t **pbp, exs_arena_t *a)
{
    int                 compress;
    size_t              n, bound, clen;
    uint8_t            *out;
    uint32_t            i;
    unsigned int        hl;
    exs_pblob_t        *pb;
    struct exs_prep_s  *p;

    pb = exs_calloc(a, sizeof(exs_pblob_t));
    if (pb == NULL) {
        return EXS_NOMEM;
    }

    pb->magic = EXS_PBLOB_MAGIC;
    pb->len = len;
    pb->n = (uint32_t) (len / EXS_BLOB_CHUNK + (len % EXS_BLOB_CHUNK || !len));
    pb->chunks = exs_calloc(a, pb->n * sizeof(exs_pchunk_t));

    if (pb->chunks == NULL) {
        return EXS_NOMEM;
    }

    p = exs_prep_get(env);
    if (p == NULL) {
        return EXS_NOMEM;
    }

    if (EVP_DigestInit_ex(p->md, env->sha256, NULL) != 1
        || EVP_DigestUpdate(p->md, data, len) != 1
        || EVP_DigestFinal_ex(p->md, pb->sha, &hl) != 1)
    {
        exs_prep_put(env, p);
        return EXS_ERROR;
    }

    compress = 1;

    for (i = 0; i < pb->n; i++) {
        n = len - (size_t) i * EXS_BLOB_CHUNK;
        if (n > EXS_BLOB_CHUNK) {
            n = EXS_BLOB_CHUNK;
        }

        pb->chunks[i].enc = EXS_BLOB_RAW;
        pb->chunks[i].len = n;
        pb->chunks[i].data = (const uint8_t *) data
                             + (size_t) i * EXS_BLOB_CHUNK;

        if (!compress || n < EXS_ZPOOL_MIN) {
            continue;
        }

        bound = ZSTD_compressBound(n);

        out = exs_alloc(a, bound);
        if (out == NULL) {
            exs_prep_put(env, p);
            return EXS_NOMEM;
        }

        clen = ZSTD_compress2(p->cctx, out, bound, pb->chunks[i].data, n);

        if (ZSTD_isError(clen) || clen >= n - n / 16) {
            /* the rest of this value won't compress either */
            compress = 0;
            continue;
        }

        pb->chunks[i].enc = EXS_BLOB_ZSTD;
        pb->chunks[i].len = clen;
        pb->chunks[i].data = out;
    }

    exs_prep_put(env, p);

    *pbp = pb;

    return EXS_OK;
}


int
exs_blob_put_prepared(exs_txn_t *t, const exs_pblob_t *pb)
{
    int       rc;
    uint32_t  i;
    uint64_t  id, refs, have;

    if (pb->magic != EXS_PBLOB_MAGIC) {
        return EXS_INVALID;
    }

    rc = exs_blob_ref_get(t, pb->sha, &id, &refs, &have);

    if (rc == EXS_OK) {
        if (have != pb->len) {
            return exs_txn_fail(t, EXS_CORRUPT);
        }
        return exs_blob_ref_put(t, pb->sha, id, refs + 1, have);
    }

    if (rc != EXS_NOTFOUND) {
        return rc;
    }

    rc = exs_blob_next_id(t, &id);

    for (i = 0; rc == EXS_OK && i < pb->n; i++) {
        rc = exs_blob_chunk_write(t, id, i, pb->chunks[i].data,
                                  pb->chunks[i].len, pb->chunks[i].enc);
    }

    if (rc == EXS_OK) {
        rc = exs_blob_ref_put(t, pb->sha, id, 1, pb->len);
    }

    return exs_txn_fail(t, rc);
}
