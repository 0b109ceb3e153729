
/*
 * exch store: the environments.  One durable LMDB environment (the
 * mailboxes and the directory) and one opened with MDB_NOSYNC (ephemeral
 * state), per process; every database is opened once here.  This file is
 * also the one place where LMDB's and the system's errors become EXS_*.
 */


#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <openssl/evp.h>
#include <zstd.h>

#include "exs_int.h"


#define EXS_DEFAULT_MAP_SIZE        (64ULL << 30)
#define EXS_DEFAULT_STATE_MAP_SIZE  (4ULL << 30)
#define EXS_DEFAULT_READERS         1024


const char  *exs_db_names[EXS_DB_N] = {
    "meta",
    "domain",
    "dir",
    "dir.addr",
    "dir.dn",
    "dir.guid",
    "dir.gal",
    "dir.member",
    "mbox",
    "folder",
    "folder.child",
    "msg",
    "msg.sub",
    "idx.time",
    "idx.uid",
    "idx.cn",
    "change",
    "named",
    "perm",
    "blob.ref",
    "blob",
    "queue"
};

static const char  *exs_sdb_names[EXS_SDB_N] = {
    "state",
    "state.expiry",
    "state.meta"
};


static int exs_env_open_one(MDB_env **menv, const char *dir,
    uint64_t map_size, unsigned readers, unsigned ndbs, unsigned mflags);
static int exs_env_open_dbs(MDB_env *menv, const char **names, unsigned n,
    MDB_dbi *dbi, int create, int durable);
static void exs_env_chown(const char *dir, const struct stat *st);


int
exs_rc(int rc)
{
    switch (rc) {
    case 0:
        return EXS_OK;
    case MDB_NOTFOUND:
    case ENOENT:
        return EXS_NOTFOUND;
    case MDB_KEYEXIST:
    case EEXIST:
        return EXS_EXISTS;
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
    case MDB_DBS_FULL:
    case ENOSPC:
    case EDQUOT:
        return EXS_FULL;
    case MDB_READERS_FULL:
    case MDB_MAP_RESIZED:
    case EAGAIN:
    case EBUSY:
        return EXS_BUSY;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_PANIC:
    case MDB_INCOMPATIBLE:
    case MDB_BAD_TXN:
    case MDB_BAD_VALSIZE:
    case MDB_BAD_DBI:
    case MDB_BAD_RSLOT:
        return EXS_CORRUPT;
    case ENOMEM:
        return EXS_NOMEM;
    case EACCES:
    case EPERM:
    case EROFS:
        return EXS_DENIED;
    case EINVAL:
    case ENOTDIR:
        return EXS_INVALID;
    case EIO:
        return EXS_IO;
    default:
        return rc > 0 ? EXS_IO : EXS_ERROR;
    }
}


int
exs_env_open(exs_env_t **envp, const char *dir, const exs_env_conf_t *conf)
{
    int          rc;
    char        *sdir;
    size_t       len;
    unsigned     flags, readers;
    uint64_t     map_size, state_size;
    exs_env_t   *env;
    struct stat  st;

    *envp = NULL;
    flags = conf ? conf->flags : 0;
    map_size = conf && conf->map_size ? conf->map_size : EXS_DEFAULT_MAP_SIZE;
    state_size = conf && conf->state_map_size ? conf->state_map_size
                                              : EXS_DEFAULT_STATE_MAP_SIZE;
    readers = conf && conf->max_readers ? conf->max_readers
                                        : EXS_DEFAULT_READERS;

    if (dir == NULL || *dir == '\0') {
        return EXS_INVALID;
    }

    if ((flags & EXS_ENV_CREATE) && !(flags & EXS_ENV_RDONLY)) {
        if (mkdir(dir, 0770) != 0 && errno != EEXIST) {
            return exs_rc(errno);
        }
    }

    if (stat(dir, &st) != 0) {
        return exs_rc(errno);
    }

    if (!S_ISDIR(st.st_mode)) {
        return EXS_INVALID;
    }

    env = calloc(1, sizeof(exs_env_t));
    if (env == NULL) {
        return EXS_NOMEM;
    }

    env->flags = flags;
    pthread_mutex_init(&env->lock, NULL);

    len = strlen(dir);
    env->dir = malloc(len + 1);
    sdir = malloc(len + sizeof("/state"));

    if (env->dir == NULL || sdir == NULL) {
        free(sdir);
        exs_env_close(env);
        return EXS_NOMEM;
    }

    memcpy(env->dir, dir, len + 1);
    memcpy(sdir, dir, len);
    memcpy(sdir + len, "/state", sizeof("/state"));

    if (!(flags & EXS_ENV_RDONLY)) {
        if (mkdir(sdir, 0770) != 0 && errno != EEXIST) {
            rc = exs_rc(errno);
            goto failed;
        }
    }

    rc = exs_env_open_one(&env->env, dir, map_size, readers, EXS_DB_N,
                          MDB_NOTLS
                          | ((flags & EXS_ENV_RDONLY) ? MDB_RDONLY : 0));
    if (rc != EXS_OK) {
        goto failed;
    }

    rc = exs_env_open_dbs(env->env, exs_db_names, EXS_DB_N, env->dbi,
                          !(flags & EXS_ENV_RDONLY), 1);
    if (rc != EXS_OK) {
        goto failed;
    }

    /* the state environment is always writable: sessions need it */

    rc = exs_env_open_one(&env->senv, sdir, state_size, readers, EXS_SDB_N,
                          MDB_NOTLS | MDB_NOSYNC | MDB_NOMETASYNC);
    if (rc == EXS_OK) {
        rc = exs_env_open_dbs(env->senv, exs_sdb_names, EXS_SDB_N, env->sdbi,
                              1, 0);
    }

    if (rc != EXS_OK && !(flags & EXS_ENV_RDONLY)) {
        goto failed;
    }

    if (rc != EXS_OK && env->senv) {
        mdb_env_close(env->senv);
        env->senv = NULL;
    }

    env->cctx = ZSTD_createCCtx();
    env->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);

    if (env->cctx == NULL || env->sha256 == NULL) {
        rc = EXS_NOMEM;
        goto failed;
    }

    /* set once: a chunk is at most 64 KiB, no frame checksum (the blob is
     * named by its SHA-256 and check verifies that) */
    if (ZSTD_isError(ZSTD_CCtx_setParameter(env->cctx,
                                            ZSTD_c_compressionLevel, 1))
        || ZSTD_isError(ZSTD_CCtx_setParameter(env->cctx, ZSTD_c_windowLog,
                                               16))
        || ZSTD_isError(ZSTD_CCtx_setParameter(env->cctx,
                                               ZSTD_c_checksumFlag, 0)))
    {
        rc = EXS_ERROR;
        goto failed;
    }

    exs_env_chown(env->dir, &st);
    exs_env_chown(sdir, &st);

    free(sdir);
    *envp = env;

    return EXS_OK;

failed:

    free(sdir);
    exs_env_close(env);

    return rc;
}


static int
exs_env_open_one(MDB_env **menv, const char *dir, uint64_t map_size,
    unsigned readers, unsigned ndbs, unsigned mflags)
{
    int  rc, dead;

    rc = mdb_env_create(menv);
    if (rc != 0) {
        *menv = NULL;
        return exs_rc(rc);
    }

    rc = mdb_env_set_maxdbs(*menv, ndbs);

    if (rc == 0) {
        rc = mdb_env_set_mapsize(*menv, (size_t) map_size);
    }

    if (rc == 0) {
        rc = mdb_env_set_maxreaders(*menv, readers);
    }

    if (rc == 0) {
        rc = mdb_env_open(*menv, dir, mflags, 0660);
    }

    if (rc == 0) {
        /* slots of readers that died (kill -9) would pin old pages */
        rc = mdb_reader_check(*menv, &dead);
    }

    if (rc != 0) {
        mdb_env_close(*menv);
        *menv = NULL;
        return exs_rc(rc);
    }

    return EXS_OK;
}


static int
exs_env_open_dbs(MDB_env *menv, const char **names, unsigned n, MDB_dbi *dbi,
    int create, int durable)
{
    int          rc;
    unsigned     i;
    MDB_val      k, v;
    MDB_txn     *txn;
    MDB_dbi      meta;
    uint8_t      ver[4];

    rc = mdb_txn_begin(menv, NULL, create ? 0 : MDB_RDONLY, &txn);

    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize(menv, 0);
        rc = mdb_txn_begin(menv, NULL, create ? 0 : MDB_RDONLY, &txn);
    }

    if (rc != 0) {
        return exs_rc(rc);
    }

    for (i = 0; i < n; i++) {
        rc = mdb_dbi_open(txn, names[i], create ? MDB_CREATE : 0, &dbi[i]);
        if (rc != 0) {
            mdb_txn_abort(txn);
            return rc == MDB_NOTFOUND ? EXS_CORRUPT : exs_rc(rc);
        }
    }

    if (durable) {
        meta = dbi[EXS_DB_META];
        k.mv_data = "format";
        k.mv_size = sizeof("format") - 1;

        rc = mdb_get(txn, meta, &k, &v);

        if (rc == MDB_NOTFOUND && create) {
            exs_le32(ver, EXS_FORMAT_VERSION);
            v.mv_data = ver;
            v.mv_size = 4;
            rc = mdb_put(txn, meta, &k, &v, 0);

        } else if (rc == 0) {
            if (v.mv_size != 4
                || exs_get_le32(v.mv_data) != EXS_FORMAT_VERSION)
            {
                mdb_txn_abort(txn);
                return EXS_CORRUPT;
            }
        }

        if (rc != 0) {
            mdb_txn_abort(txn);
            return rc == MDB_NOTFOUND ? EXS_CORRUPT : exs_rc(rc);
        }
    }

    /* a read-only txn commits too: that keeps the handles */

    return exs_rc(mdb_txn_commit(txn));
}


/*
 * exchctl run as root on a store that belongs to the nginx user must not
 * leave files the workers can't open: new files get the directory's owner.
 */

static void
exs_env_chown(const char *dir, const struct stat *st)
{
    int          n;
    char         path[4096];
    const char  *names[] = { "", "/data.mdb", "/lock.mdb" };
    size_t       i;

    if (geteuid() != 0 || st->st_uid == 0) {
        return;
    }

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        n = snprintf(path, sizeof(path), "%s%s", dir, names[i]);
        if (n > 0 && (size_t) n < sizeof(path)) {
            (void) chown(path, st->st_uid, st->st_gid);
        }
    }
}


void
exs_env_close(exs_env_t *env)
{
    exs_txn_t  *t, *next;

    if (env == NULL) {
        return;
    }

    for (t = env->free_rd; t; t = next) {
        next = t->next;
        mdb_txn_abort(t->txn);
        exs_blob_txn_free(t);
        exs_arena_destroy(t->arena);
        free(t);
    }

    exs_zpool_stop(env);
    exs_prep_free(env);

    if (env->senv) {
        mdb_env_close(env->senv);
    }

    if (env->env) {
        mdb_env_close(env->env);
    }

    ZSTD_freeCCtx(env->cctx);
    free(env->zbuf);
    EVP_MD_free(env->sha256);
    pthread_mutex_destroy(&env->lock);
    free(env->dir);
    free(env);
}


const char *
exs_env_dir(exs_env_t *env)
{
    return env->dir;
}


void
exs_env_set_commit_hook(exs_env_t *env, exs_commit_hook_pt hook, void *data)
{
    env->hook = hook;
    env->hook_data = data;
}


int
exs_env_backup(exs_env_t *env, const char *dest)
{
    int  rc;

    if (mkdir(dest, 0770) != 0 && errno != EEXIST) {
        return exs_rc(errno);
    }

    rc = mdb_env_copy2(env->env, dest, MDB_CP_COMPACT);

    return exs_rc(rc);
}


int
exs_env_stat(exs_env_t *env, exs_env_stat_t *st)
{
    int           rc;
    MDB_stat      ms;
    MDB_envinfo   info;

    rc = mdb_env_info(env->env, &info);
    if (rc != 0) {
        return exs_rc(rc);
    }

    rc = mdb_env_stat(env->env, &ms);
    if (rc != 0) {
        return exs_rc(rc);
    }

    st->map_size = info.me_mapsize;
    st->used = (uint64_t) (info.me_last_pgno + 1) * ms.ms_psize;
    st->readers = info.me_numreaders;
    st->max_readers = info.me_maxreaders;

    return EXS_OK;
}
