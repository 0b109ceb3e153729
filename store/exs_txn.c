
/*
 * exch store: transactions.  Read transactions come from a per-process
 * cache of reset LMDB read transactions (renewed on use); write
 * transactions carry a sticky error, so a transaction one of whose writes
 * failed can't commit half done.  After a commit, the commit hook hears
 * which mailboxes changed.
 */


#include <stdlib.h>
#include <string.h>

#include "exs_int.h"


#define EXS_TXN_CACHE_MAX       16


static int exs_txn_begin_mdb(exs_env_t *env, unsigned mflags, MDB_txn **txn);
static void exs_txn_release(exs_txn_t *t, int keep);
static int exs_scan_check(exs_scan_t *s, int rc);


static int
exs_txn_begin_mdb(exs_env_t *env, unsigned mflags, MDB_txn **txn)
{
    int  rc;

    rc = mdb_txn_begin(env->env, NULL, mflags, txn);

    if (rc == MDB_MAP_RESIZED) {
        /* another process grew the map: adopt its size */
        pthread_mutex_lock(&env->lock);
        rc = mdb_env_set_mapsize(env->env, 0);
        pthread_mutex_unlock(&env->lock);

        if (rc == 0) {
            rc = mdb_txn_begin(env->env, NULL, mflags, txn);
        }
    }

    return exs_rc(rc);
}


int
exs_txn_begin(exs_env_t *env, unsigned flags, exs_txn_t **txn)
{
    int         rc;
    exs_txn_t  *t;

    *txn = NULL;

    if (!(flags & EXS_TXN_RDONLY) && (env->flags & EXS_ENV_RDONLY)) {
        return EXS_DENIED;
    }

    if (flags & EXS_TXN_RDONLY) {
        pthread_mutex_lock(&env->lock);

        t = env->free_rd;
        if (t) {
            env->free_rd = t->next;
            env->nfree--;
        }

        pthread_mutex_unlock(&env->lock);

        if (t) {
            rc = mdb_txn_renew(t->txn);

            if (rc == 0) {
                t->next = NULL;
                t->err = 0;
                *txn = t;
                return EXS_OK;
            }

            /* e.g. the map was resized: start over with a new one */
            exs_txn_release(t, 0);
        }
    }

    t = calloc(1, sizeof(exs_txn_t));
    if (t == NULL) {
        return EXS_NOMEM;
    }

    t->env = env;
    t->flags = flags;
    t->arena = exs_arena_create(4096);

    if (t->arena == NULL) {
        free(t);
        return EXS_NOMEM;
    }

    rc = exs_txn_begin_mdb(env, (flags & EXS_TXN_RDONLY) ? MDB_RDONLY : 0,
                           &t->txn);
    if (rc != EXS_OK) {
        exs_arena_destroy(t->arena);
        free(t);
        return rc;
    }

    *txn = t;

    return EXS_OK;
}


static void
exs_txn_release(exs_txn_t *t, int keep)
{
    exs_env_t  *env;

    env = t->env;
    t->mboxes = NULL;
    t->mbstates = NULL;
    t->blob_next = 0;
    t->blob_dirty = 0;
    t->queue_due = 0;

    if (t->zjobs) {
        (void) exs_blob_drain(t, 0);
    }
    exs_arena_reset(t->arena);

    if (keep && exs_txn_rdonly(t)) {
        mdb_txn_reset(t->txn);

        pthread_mutex_lock(&env->lock);

        if (env->nfree < EXS_TXN_CACHE_MAX) {
            t->next = env->free_rd;
            env->free_rd = t;
            env->nfree++;
            t = NULL;
        }

        pthread_mutex_unlock(&env->lock);

        if (t == NULL) {
            return;
        }
    }

    if (t->txn) {
        mdb_txn_abort(t->txn);
    }

    exs_blob_txn_free(t);
    exs_arena_destroy(t->arena);
    free(t);
}


int
exs_txn_commit(exs_txn_t *t)
{
    int           rc;
    uint32_t        n, i, *ids;
    uint64_t       *cns;
    exs_env_t      *env;
    exs_mbstate_t  *st;

    if (t == NULL) {
        return EXS_INVALID;
    }

    if (exs_txn_rdonly(t)) {
        exs_txn_release(t, 1);
        return EXS_OK;
    }

    env = t->env;

    if (t->zjobs) {
        exs_txn_fail(t, exs_blob_drain(t, t->err == EXS_OK));
    }

    if (t->err == EXS_OK) {
        rc = exs_mbox_flush(t);
        if (rc == EXS_OK) {
            rc = exs_blob_flush(t);
        }
        if (rc != EXS_OK) {
            exs_txn_fail(t, rc);
        }
    }

    if (t->err != EXS_OK) {
        rc = t->err;
        exs_txn_release(t, 0);
        return rc;
    }

    n = t->queue_due ? 1 : 0;
    for (st = t->mbstates; st; st = st->next) {
        n += st->changed;
    }

    ids = NULL;
    cns = NULL;

    if (n && env->hook) {
        ids = exs_alloc(t->arena, n * sizeof(uint32_t));
        cns = exs_alloc(t->arena, n * sizeof(uint64_t));

        if (ids == NULL || cns == NULL) {
            exs_txn_release(t, 0);
            return EXS_NOMEM;
        }

        i = 0;
        for (st = t->mbstates; st; st = st->next) {
            if (st->changed) {
                ids[i] = st->id;
                cns[i] = st->rec.last_cn;
                i++;
            }
        }

        if (t->queue_due) {
            ids[i] = 0;
            cns[i] = 0;
        }
    }

    rc = mdb_txn_commit(t->txn);
    t->txn = NULL;

    if (rc != 0) {
        exs_txn_release(t, 0);
        return exs_rc(rc);
    }

    if (ids && env->hook) {
        env->hook(env->hook_data, ids, cns, n);
    }

    exs_txn_release(t, 0);

    return EXS_OK;
}


void
exs_txn_abort(exs_txn_t *t)
{
    if (t) {
        exs_txn_release(t, 1);
    }
}


exs_env_t *
exs_txn_env(exs_txn_t *t)
{
    return t->env;
}


int
exs_txn_fail(exs_txn_t *t, int rc)
{
    if (t->err == EXS_OK && rc != EXS_OK) {
        t->err = rc;
    }

    return rc;
}


MDB_dbi
exs_dbi(exs_txn_t *t, int db)
{
    return t->env->dbi[db];
}


int
exs_db_get(exs_txn_t *t, int db, const void *key, size_t klen, MDB_val *val)
{
    MDB_val  k;

    k.mv_data = (void *) key;
    k.mv_size = klen;

    return exs_rc(mdb_get(t->txn, t->env->dbi[db], &k, val));
}


int
exs_db_put(exs_txn_t *t, int db, const void *key, size_t klen,
    const void *val, size_t vlen, unsigned flags)
{
    int      rc;
    MDB_val  k, v;

    if (t->err != EXS_OK) {
        return t->err;
    }

    k.mv_data = (void *) key;
    k.mv_size = klen;
    v.mv_data = (void *) val;
    v.mv_size = vlen;

    rc = mdb_put(t->txn, t->env->dbi[db], &k, &v, flags);

    if (rc == MDB_KEYEXIST && (flags & MDB_NOOVERWRITE)) {
        return EXS_EXISTS;
    }

    return exs_txn_fail(t, exs_rc(rc));
}


int
exs_db_reserve(exs_txn_t *t, int db, const void *key, size_t klen,
    size_t vlen, void **p)
{
    int      rc;
    MDB_val  k, v;

    if (t->err != EXS_OK) {
        return t->err;
    }

    k.mv_data = (void *) key;
    k.mv_size = klen;
    v.mv_data = NULL;
    v.mv_size = vlen;

    rc = mdb_put(t->txn, t->env->dbi[db], &k, &v, MDB_RESERVE);
    if (rc != 0) {
        return exs_txn_fail(t, exs_rc(rc));
    }

    *p = v.mv_data;

    return EXS_OK;
}


int
exs_db_patch(exs_txn_t *t, int db, const void *key, size_t klen,
    const void *head, size_t hlen)
{
    int       rc;
    MDB_val   v;
    uint8_t  *p;

    rc = exs_db_get(t, db, key, klen, &v);
    if (rc != EXS_OK) {
        return exs_txn_fail(t, rc == EXS_NOTFOUND ? EXS_CORRUPT : rc);
    }

    if (v.mv_size < hlen) {
        return exs_txn_fail(t, EXS_CORRUPT);
    }

    /* a copy: the value in the map can't be written in place */
    p = malloc(v.mv_size);
    if (p == NULL) {
        return exs_txn_fail(t, EXS_NOMEM);
    }

    memcpy(p, v.mv_data, v.mv_size);
    memcpy(p, head, hlen);

    rc = exs_db_put(t, db, key, klen, p, v.mv_size, 0);

    free(p);

    return rc;
}


int
exs_db_del(exs_txn_t *t, int db, const void *key, size_t klen)
{
    int      rc;
    MDB_val  k;

    if (t->err != EXS_OK) {
        return t->err;
    }

    k.mv_data = (void *) key;
    k.mv_size = klen;

    rc = mdb_del(t->txn, t->env->dbi[db], &k, NULL);

    if (rc == MDB_NOTFOUND) {
        return EXS_NOTFOUND;
    }

    return exs_txn_fail(t, exs_rc(rc));
}


int
exs_db_del_prefix(exs_txn_t *t, int db, const void *prefix, size_t plen)
{
    int          rc;
    MDB_val      k, v;
    MDB_cursor  *c;

    if (t->err != EXS_OK) {
        return t->err;
    }

    rc = mdb_cursor_open(t->txn, t->env->dbi[db], &c);
    if (rc != 0) {
        return exs_txn_fail(t, exs_rc(rc));
    }

    for ( ;; ) {
        k.mv_data = (void *) prefix;
        k.mv_size = plen;

        rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        if (rc == MDB_NOTFOUND) {
            rc = 0;
            break;
        }

        if (rc != 0) {
            break;
        }

        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0) {
            break;
        }

        rc = mdb_cursor_del(c, 0);
        if (rc != 0) {
            break;
        }
    }

    mdb_cursor_close(c);

    return exs_txn_fail(t, exs_rc(rc));
}


int
exs_scan_open(exs_txn_t *t, int db, const void *prefix, size_t plen,
    exs_scan_t *s)
{
    int  rc;

    if (plen > EXS_KEY_MAX) {
        return EXS_INVALID;
    }

    rc = mdb_cursor_open(t->txn, t->env->dbi[db], &s->c);
    if (rc != 0) {
        s->c = NULL;
        return exs_rc(rc);
    }

    if (plen) {
        memcpy(s->prefix, prefix, plen);
    }

    s->plen = plen;
    s->state = 0;

    return EXS_OK;
}


static int
exs_scan_check(exs_scan_t *s, int rc)
{
    if (rc == MDB_NOTFOUND) {
        s->state = 3;
        return 0;
    }

    if (rc != 0) {
        return exs_rc(rc);
    }

    if (s->k.mv_size < s->plen
        || memcmp(s->k.mv_data, s->prefix, s->plen) != 0)
    {
        s->state = 3;
        return 0;
    }

    s->state = 1;

    return 1;
}


int
exs_scan_next(exs_scan_t *s)
{
    int  rc;

    switch (s->state) {

    case 0:
        if (s->plen == 0) {
            rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_FIRST);
            break;
        }

        s->k.mv_data = s->prefix;
        s->k.mv_size = s->plen;
        rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_SET_RANGE);
        break;

    case 2:
        /* after a seek: the entry found is the next one */
        rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_GET_CURRENT);
        break;

    case 4:
        return 0;

    case 3:
        /* past the end of a seek or walk */
        return 0;

    default:
        rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_NEXT);
        break;
    }

    return exs_scan_check(s, rc);
}


int
exs_scan_prev(exs_scan_t *s)
{
    int      rc;
    size_t   i;
    uint8_t  end[EXS_KEY_MAX];

    switch (s->state) {

    case 0:
    case 4:
        if (s->plen == 0) {
            rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_LAST);
            break;
        }

        /* the first key after the prefix, then one back */
        memcpy(end, s->prefix, s->plen);

        for (i = s->plen; i > 0; i--) {
            if (end[i - 1] != 0xFF) {
                end[i - 1]++;
                break;
            }
            end[i - 1] = 0;
        }

        if (i == 0) {
            rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_LAST);
            break;
        }

        s->k.mv_data = end;
        s->k.mv_size = i;
        rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_SET_RANGE);

        if (rc == MDB_NOTFOUND) {
            rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_LAST);
        } else if (rc == 0) {
            rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_PREV);
        }

        break;

    case 3:
        return 0;

    default:
        rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_PREV);
        break;
    }

    return exs_scan_check(s, rc);
}


int
exs_scan_seek(exs_scan_t *s, const void *key, size_t klen)
{
    int  rc;

    s->k.mv_data = (void *) key;
    s->k.mv_size = klen;

    rc = mdb_cursor_get(s->c, &s->k, &s->v, MDB_SET_RANGE);

    if (rc == MDB_NOTFOUND) {
        /* nothing at or after key: next() ends, prev() takes the last */
        s->state = 4;
        return EXS_OK;
    }

    if (rc != 0) {
        return exs_rc(rc);
    }

    s->state = 2;

    return EXS_OK;
}


void
exs_scan_close(exs_scan_t *s)
{
    if (s->c) {
        mdb_cursor_close(s->c);
        s->c = NULL;
    }
}


int
exs_scan_ids(exs_txn_t *t, int db, const void *prefix, size_t plen, int off,
    int backward, exs_id_t **ids, uint32_t *n)
{
    int          rc;
    uint32_t     cap;
    exs_id_t    *v, *nv;
    exs_scan_t   s;

    *ids = NULL;
    *n = 0;
    v = NULL;
    cap = 0;

    rc = exs_scan_open(t, db, prefix, plen, &s);
    if (rc != EXS_OK) {
        return rc;
    }

    while ((rc = backward ? exs_scan_prev(&s) : exs_scan_next(&s)) == 1) {
        if ((off >= 0 && s.k.mv_size < (size_t) off + 8)
            || (off < 0 && s.v.mv_size < 8))
        {
            rc = EXS_CORRUPT;
            break;
        }

        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            nv = realloc(v, cap * sizeof(exs_id_t));
            if (nv == NULL) {
                rc = EXS_NOMEM;
                break;
            }
            v = nv;
        }

        v[(*n)++] = off >= 0
                    ? exs_get_be64((uint8_t *) s.k.mv_data + off)
                    : exs_get_le64(s.v.mv_data);
    }

    exs_scan_close(&s);

    if (rc < 0) {
        free(v);
        *n = 0;
        return rc;
    }

    *ids = v;

    return EXS_OK;
}
