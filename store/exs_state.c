
/*
 * exch store: ephemeral state shared by the workers (sessions, binds,
 * subscriptions), in the second environment, opened with MDB_NOSYNC: it
 * survives a process crash, not necessarily a machine crash, and expires.
 *
 *   state:         u8 namespace, key -> u64 version, i64 expires, value
 *   state.expiry:  u64 expires, u8 namespace, key -> (empty)
 *   state.meta:    "version" -> u64, the newest version handed out
 */


#include <errno.h>
#include <string.h>
#include <time.h>

#include "exs_int.h"


#define EXS_STATE_KEY_MAX       480
#define EXS_STATE_HDR_LEN       16


static int exs_state_begin(exs_env_t *env, unsigned flags, MDB_txn **txn);
static int exs_state_expired(int64_t expires);
static int exs_state_lookup(exs_env_t *env, uint8_t ns, const void *key,
    size_t klen, MDB_txn **txn, MDB_val *v);
static void exs_state_expiry_key(exs_key_t *k, int64_t expires, uint8_t ns,
    const void *key, size_t klen);


static int
exs_state_begin(exs_env_t *env, unsigned flags, MDB_txn **txn)
{
    int  rc;

    if (env->senv == NULL) {
        return EXS_NOTSUP;
    }

    rc = mdb_txn_begin(env->senv, NULL, flags, txn);

    if (rc == MDB_MAP_RESIZED) {
        pthread_mutex_lock(&env->lock);
        rc = mdb_env_set_mapsize(env->senv, 0);
        pthread_mutex_unlock(&env->lock);

        if (rc == 0) {
            rc = mdb_txn_begin(env->senv, NULL, flags, txn);
        }
    }

    return exs_rc(rc);
}


static int
exs_state_expired(int64_t expires)
{
    return expires != 0 && expires <= (int64_t) time(NULL);
}


static void
exs_state_expiry_key(exs_key_t *k, int64_t expires, uint8_t ns,
    const void *key, size_t klen)
{
    exs_key_init(k);
    exs_key_u64(k, exs_time_key(expires));
    exs_key_u8(k, ns);
    exs_key_mem(k, key, klen);
}


/* a read transaction and the raw value of a key, expired or not; the
 * transaction is left open (to abort) only when it returns EXS_OK */

static int
exs_state_lookup(exs_env_t *env, uint8_t ns, const void *key, size_t klen,
    MDB_txn **txn, MDB_val *v)
{
    int        rc;
    MDB_val    k;
    exs_key_t  sk;

    if (klen > EXS_STATE_KEY_MAX) {
        return EXS_INVALID;
    }

    rc = exs_state_begin(env, MDB_RDONLY, txn);
    if (rc != EXS_OK) {
        return rc;
    }

    exs_key_init(&sk);
    exs_key_u8(&sk, ns);
    exs_key_mem(&sk, key, klen);

    k.mv_data = sk.b;
    k.mv_size = sk.len;

    rc = exs_rc(mdb_get(*txn, env->sdbi[EXS_SDB_STATE], &k, v));

    if (rc == EXS_OK && v->mv_size < EXS_STATE_HDR_LEN) {
        rc = EXS_CORRUPT;
    }

    if (rc != EXS_OK) {
        mdb_txn_abort(*txn);
    }

    return rc;
}


int
exs_state_get(exs_env_t *env, uint8_t ns, const void *key, size_t klen,
    exs_bin_t *val, uint64_t *version, exs_arena_t *a)
{
    int        rc;
    MDB_txn   *txn;
    MDB_val    v;
    uint8_t   *p;

    rc = exs_state_lookup(env, ns, key, klen, &txn, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    if (exs_state_expired((int64_t) exs_get_le64((uint8_t *) v.mv_data + 8)))
    {
        rc = EXS_NOTFOUND;
    }

    if (rc == EXS_OK) {
        if (version) {
            *version = exs_get_le64(v.mv_data);
        }

        if (val) {
            p = exs_alloc(a, v.mv_size - EXS_STATE_HDR_LEN + 1);
            if (p == NULL) {
                rc = EXS_NOMEM;

            } else {
                memcpy(p, (uint8_t *) v.mv_data + EXS_STATE_HDR_LEN,
                       v.mv_size - EXS_STATE_HDR_LEN);
                p[v.mv_size - EXS_STATE_HDR_LEN] = '\0';
                val->data = p;
                val->len = v.mv_size - EXS_STATE_HDR_LEN;
            }
        }
    }

    mdb_txn_abort(txn);

    return rc;
}


int
exs_state_put(exs_env_t *env, uint8_t ns, const void *key, size_t klen,
    const void *val, size_t vlen, int64_t expires, uint64_t expect_version,
    uint64_t *version)
{
    int        rc;
    uint64_t   ver;
    MDB_txn   *txn;
    MDB_val    k, v, mk, mv;
    uint8_t    vb[8];
    exs_key_t  sk, ek;

    if (klen > EXS_STATE_KEY_MAX) {
        return EXS_INVALID;
    }

    rc = exs_state_begin(env, 0, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    exs_key_init(&sk);
    exs_key_u8(&sk, ns);
    exs_key_mem(&sk, key, klen);

    k.mv_data = sk.b;
    k.mv_size = sk.len;

    rc = mdb_get(txn, env->sdbi[EXS_SDB_STATE], &k, &v);

    if (rc == 0) {
        if (v.mv_size < EXS_STATE_HDR_LEN) {
            rc = MDB_CORRUPTED;
            goto failed;
        }

        ver = exs_get_le64(v.mv_data);

        if (expect_version
            && (ver != expect_version
                || exs_state_expired((int64_t)
                                     exs_get_le64((uint8_t *) v.mv_data + 8))))
        {
            mdb_txn_abort(txn);
            return EXS_CONFLICT;
        }

        exs_state_expiry_key(&ek, (int64_t)
                             exs_get_le64((uint8_t *) v.mv_data + 8),
                             ns, key, klen);
        k.mv_data = ek.b;
        k.mv_size = ek.len;

        rc = mdb_del(txn, env->sdbi[EXS_SDB_EXPIRY], &k, NULL);
        if (rc != 0 && rc != MDB_NOTFOUND) {
            goto failed;
        }

        k.mv_data = sk.b;
        k.mv_size = sk.len;

    } else if (rc == MDB_NOTFOUND) {
        if (expect_version) {
            mdb_txn_abort(txn);
            return EXS_CONFLICT;
        }

    } else {
        goto failed;
    }

    mk.mv_data = "version";
    mk.mv_size = 7;

    rc = mdb_get(txn, env->sdbi[EXS_SDB_META], &mk, &mv);

    ver = (rc == 0 && mv.mv_size == 8) ? exs_get_le64(mv.mv_data) : 0;
    ver++;

    exs_le64(vb, ver);
    mv.mv_data = vb;
    mv.mv_size = 8;

    rc = mdb_put(txn, env->sdbi[EXS_SDB_META], &mk, &mv, 0);
    if (rc != 0) {
        goto failed;
    }

    v.mv_data = NULL;
    v.mv_size = EXS_STATE_HDR_LEN + vlen;

    rc = mdb_put(txn, env->sdbi[EXS_SDB_STATE], &k, &v, MDB_RESERVE);
    if (rc != 0) {
        goto failed;
    }

    exs_le64(v.mv_data, ver);
    exs_le64((uint8_t *) v.mv_data + 8, (uint64_t) expires);
    if (vlen) {
        memcpy((uint8_t *) v.mv_data + EXS_STATE_HDR_LEN, val, vlen);
    }

    if (expires) {
        exs_state_expiry_key(&ek, expires, ns, key, klen);
        k.mv_data = ek.b;
        k.mv_size = ek.len;
        v.mv_data = NULL;
        v.mv_size = 0;

        rc = mdb_put(txn, env->sdbi[EXS_SDB_EXPIRY], &k, &v, 0);
        if (rc != 0) {
            goto failed;
        }
    }

    rc = mdb_txn_commit(txn);
    if (rc != 0) {
        return exs_rc(rc);
    }

    if (version) {
        *version = ver;
    }

    return EXS_OK;

failed:

    mdb_txn_abort(txn);

    return exs_rc(rc);
}


int
exs_state_expiry(exs_env_t *env, uint8_t ns, const void *key, size_t klen,
    int64_t *expires)
{
    int       rc;
    MDB_txn  *txn;
    MDB_val   v;

    rc = exs_state_lookup(env, ns, key, klen, &txn, &v);
    if (rc != EXS_OK) {
        return rc;
    }

    *expires = (int64_t) exs_get_le64((uint8_t *) v.mv_data + 8);

    mdb_txn_abort(txn);

    return EXS_OK;
}


int
exs_state_del(exs_env_t *env, uint8_t ns, const void *key, size_t klen)
{
    int        rc;
    MDB_txn   *txn;
    MDB_val    k, v;
    exs_key_t  sk, ek;

    if (klen > EXS_STATE_KEY_MAX) {
        return EXS_INVALID;
    }

    rc = exs_state_begin(env, 0, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    exs_key_init(&sk);
    exs_key_u8(&sk, ns);
    exs_key_mem(&sk, key, klen);

    k.mv_data = sk.b;
    k.mv_size = sk.len;

    rc = mdb_get(txn, env->sdbi[EXS_SDB_STATE], &k, &v);

    if (rc == 0 && v.mv_size >= EXS_STATE_HDR_LEN) {
        exs_state_expiry_key(&ek, (int64_t)
                             exs_get_le64((uint8_t *) v.mv_data + 8),
                             ns, key, klen);
        k.mv_data = ek.b;
        k.mv_size = ek.len;

        rc = mdb_del(txn, env->sdbi[EXS_SDB_EXPIRY], &k, NULL);
        if (rc == MDB_NOTFOUND) {
            rc = 0;
        }

        if (rc == 0) {
            k.mv_data = sk.b;
            k.mv_size = sk.len;
            rc = mdb_del(txn, env->sdbi[EXS_SDB_STATE], &k, NULL);
        }
    }

    if (rc != 0) {
        mdb_txn_abort(txn);
        return exs_rc(rc);
    }

    return exs_rc(mdb_txn_commit(txn));
}


int
exs_state_keys(exs_env_t *env, uint8_t ns, const void *prefix, size_t plen,
    exs_bin_t **keys, uint32_t *n, exs_arena_t *a)
{
    int          rc;
    uint32_t     cap;
    MDB_txn     *txn;
    MDB_val      k, v;
    exs_key_t    sk;
    exs_bin_t   *out, *no;
    MDB_cursor  *c;

    *keys = NULL;
    *n = 0;

    if (plen > EXS_STATE_KEY_MAX) {
        return EXS_INVALID;
    }

    rc = exs_state_begin(env, MDB_RDONLY, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = mdb_cursor_open(txn, env->sdbi[EXS_SDB_STATE], &c);
    if (rc != 0) {
        mdb_txn_abort(txn);
        return exs_rc(rc);
    }

    exs_key_init(&sk);
    exs_key_u8(&sk, ns);
    exs_key_mem(&sk, prefix, plen);

    k.mv_data = sk.b;
    k.mv_size = sk.len;

    out = NULL;
    cap = 0;

    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
         rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
    {
        if (k.mv_size < sk.len || memcmp(k.mv_data, sk.b, sk.len) != 0) {
            break;
        }

        if (v.mv_size < EXS_STATE_HDR_LEN
            || exs_state_expired((int64_t)
                                 exs_get_le64((uint8_t *) v.mv_data + 8)))
        {
            continue;
        }

        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            no = exs_alloc(a, cap * sizeof(exs_bin_t));
            if (no == NULL) {
                rc = ENOMEM;
                break;
            }
            if (*n) {
                memcpy(no, out, *n * sizeof(exs_bin_t));
            }
            out = no;
        }

        out[*n].len = k.mv_size - 1;
        out[*n].data = exs_memdup(a, (uint8_t *) k.mv_data + 1,
                                  k.mv_size - 1);
        if (out[*n].data == NULL) {
            rc = ENOMEM;
            break;
        }

        (*n)++;
    }

    mdb_cursor_close(c);
    mdb_txn_abort(txn);

    *keys = out;

    return rc == MDB_NOTFOUND || rc == 0 ? EXS_OK : exs_rc(rc);
}


int
exs_state_sweep(exs_env_t *env, int64_t now)
{
    int          rc;
    MDB_txn     *txn;
    MDB_val      k, v, sk;
    MDB_cursor  *c;
    uint8_t      first[8], key[EXS_KEY_MAX];

    rc = exs_state_begin(env, 0, &txn);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = mdb_cursor_open(txn, env->sdbi[EXS_SDB_EXPIRY], &c);
    if (rc != 0) {
        mdb_txn_abort(txn);
        return exs_rc(rc);
    }

    /* expiry 0 ("never") has no entry; the others sort by time */
    exs_be64(first, exs_time_key(1));

    for ( ;; ) {
        k.mv_data = first;
        k.mv_size = 8;

        rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        if (rc != 0) {
            break;
        }

        if (k.mv_size < 9
            || (int64_t) (exs_get_be64(k.mv_data) ^ 0x8000000000000000ULL)
               > now)
        {
            break;
        }

        /* copied: the deletes below may move pages */
        memcpy(key, (uint8_t *) k.mv_data + 8, k.mv_size - 8);
        sk.mv_data = key;
        sk.mv_size = k.mv_size - 8;

        rc = mdb_del(txn, env->sdbi[EXS_SDB_STATE], &sk, NULL);
        if (rc != 0 && rc != MDB_NOTFOUND) {
            break;
        }

        rc = mdb_cursor_del(c, 0);
        if (rc != 0) {
            break;
        }
    }

    mdb_cursor_close(c);

    if (rc != 0 && rc != MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return exs_rc(rc);
    }

    return exs_rc(mdb_txn_commit(txn));
}
