
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


#define EXS_BLOB_RAW            0
#define EXS_BLOB_ZSTD           1

#define EXS_BLOB_REF_LEN        24

#define EXS_ZSTD_LEVEL          1


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


static int
exs_blob_next_id(exs_txn_t *t, uint64_t *id)
{
    int       rc;
    uint8_t   v[8];
    MDB_val   val;

    rc = exs_db_get(t, EXS_DB_META, "blob_next", 9, &val);

    if (rc == EXS_NOTFOUND) {
        *id = 1;

    } else if (rc != EXS_OK) {
        return rc;

    } else if (val.mv_size != 8) {
        return EXS_CORRUPT;

    } else {
        *id = exs_get_le64(val.mv_data);
    }

    exs_le64(v, *id + 1);

    return exs_db_put(t, EXS_DB_META, "blob_next", 9, v, 8, 0);
}


static int
exs_blob_chunk_put(exs_txn_t *t, uint64_t id, uint32_t n,
    const uint8_t *data, size_t len, int *compress)
{
    int        rc;
    size_t     bound, clen;
    uint8_t    key[12], *p, *tmp;

    exs_be64(key, id);
    exs_be32(key + 8, n);

    tmp = NULL;
    clen = 0;

    if (*compress) {
        bound = ZSTD_compressBound(len);

        tmp = malloc(bound);
        if (tmp == NULL) {
            return EXS_NOMEM;
        }

        clen = ZSTD_compressCCtx(t->env->cctx, tmp, bound, data, len,
                                 EXS_ZSTD_LEVEL);

        if (ZSTD_isError(clen) || clen >= len - len / 16) {
            /* not worth it; the rest of this value won't be either */
            *compress = 0;
            clen = 0;
        }
    }

    if (clen) {
        rc = exs_db_reserve(t, EXS_DB_BLOB, key, sizeof(key), clen + 1,
                            (void **) &p);
        if (rc == EXS_OK) {
            p[0] = EXS_BLOB_ZSTD;
            memcpy(p + 1, tmp, clen);
        }

    } else {
        rc = exs_db_reserve(t, EXS_DB_BLOB, key, sizeof(key), len + 1,
                            (void **) &p);
        if (rc == EXS_OK) {
            p[0] = EXS_BLOB_RAW;
            memcpy(p + 1, data, len);
        }
    }

    free(tmp);

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
    uint8_t  prefix[8];

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
