
/*
 * The environment: the commit hook hears which mailboxes changed and
 * their newest change number, a transaction whose write failed can't
 * commit, a full map is EXS_FULL and leaves a store that still works, a
 * backup is a store of its own, check finds damage, read transactions are
 * reused, the ephemeral state (versions, conflicts, expiry, keys, sweep).
 */


#include <lmdb.h>
#include <tap.h>
#include "store_util.h"


typedef struct {
    int                       calls;
    uint32_t                  n;
    uint32_t                  mailboxes[8];
    uint64_t                  cns[8];
} hook_t;


static void
hook(void *data, const uint32_t *mailboxes, const uint64_t *last_cn,
    uint32_t n)
{
    uint32_t   i;
    hook_t    *h;

    h = data;
    h->calls++;
    h->n = n;

    for (i = 0; i < n && i < 8; i++) {
        h->mailboxes[i] = mailboxes[i];
        h->cns[i] = last_cn[i];
    }
}


static void
test_hook(exs_env_t *env, uint32_t mb1, uint32_t mb2)
{
    hook_t           h;
    exs_txn_t       *txn;
    exs_mbox_t      *mb, *mb2h;
    exs_arena_t     *a;
    exs_mbox_info_t  i1, i2;

    a = exs_arena_create(0);
    memset(&h, 0, sizeof(h));
    exs_env_set_commit_hook(env, hook, &h);

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mb1, 0, &mb);
    exs_mbox_open(txn, mb2, 0, &mb2h);
    exs_message_create(mb, EXS_FID_INBOX, store_msg(a, "1", NULL, 0), 0,
                       NULL);
    exs_message_create(mb2h, EXS_FID_INBOX, store_msg(a, "2", NULL, 0), 0,
                       NULL);
    exs_mbox_info(mb, &i1);
    exs_mbox_info(mb2h, &i2);
    is_int(exs_txn_commit(txn), EXS_OK, "two mailboxes change in one txn");

    is_int(h.calls, 1, "the hook runs once");
    is_int(h.n, 2, "with both mailboxes");
    ok((h.mailboxes[0] == mb1 && h.cns[0] == i1.last_cn
        && h.mailboxes[1] == mb2 && h.cns[1] == i2.last_cn)
       || (h.mailboxes[1] == mb1 && h.cns[1] == i1.last_cn
           && h.mailboxes[0] == mb2 && h.cns[0] == i2.last_cn),
       "and their newest change numbers");

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mb1, 0, &mb);
    exs_txn_abort(txn);
    exs_txn_begin(env, 0, &txn);
    exs_txn_commit(txn);
    is_int(h.calls, 1, "no hook for aborted or empty transactions");

    exs_env_set_commit_hook(env, NULL, NULL);
    exs_arena_destroy(a);
}


static void
test_full(void)
{
    int           rc, i;
    char         *body;
    uint32_t      x;
    exs_env_t    *env;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_arena_t  *a;
    uint32_t      mbid;

    env = store_open("full", 4 << 20);
    ok(env != NULL, "a store with a 4 MB map");
    mbid = store_user(env, "full@example.test", NULL);

    a = exs_arena_create(0);
    body = exs_alloc(a, 600001);
    x = 2463534242u;
    for (i = 0; i < 600000; i++) {
        /* xorshift: text that doesn't compress */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        body[i] = (char) (' ' + x % 90);
    }
    body[600000] = '\0';

    rc = EXS_OK;

    for (i = 0; i < 20 && rc == EXS_OK; i++) {
        body[0] = (char) ('A' + i);     /* every body differs */

        exs_txn_begin(env, 0, &txn);
        exs_mbox_open(txn, mbid, 0, &mb);
        rc = exs_message_create(mb, EXS_FID_INBOX,
                                store_msg(a, "big", body, 0), 0, NULL);
        if (rc == EXS_OK) {
            rc = exs_txn_commit(txn);
        } else {
            exs_txn_abort(txn);
        }
    }

    is_int(rc, EXS_FULL, "filling the map ends in EXS_FULL");

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);
    rc = exs_message_create(mb, EXS_FID_INBOX, store_msg(a, "small",
                            "fits", 0), 0, NULL);
    is_int(rc, EXS_OK, "a small message still fits");
    is_int(exs_txn_commit(txn), EXS_OK, "and commits");
    is_int(store_check(env), EXS_OK, "the store checks clean");

    exs_arena_destroy(a);
    exs_env_close(env);
}


static void
test_sticky(exs_env_t *env, uint32_t mbid)
{
    int           rc;
    exs_txn_t    *txn;
    exs_mbox_t   *mb;
    exs_arena_t  *a;
    exs_props_t   p;
    exs_id_t      fid;

    a = exs_arena_create(0);

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);
    p.n = 0;
    p.cap = 0;
    p.v = NULL;
    exs_props_set_str(a, &p, PR_DISPLAY_NAME, "Inbox", 5);
    rc = exs_folder_create(mb, EXS_FID_IPM_SUBTREE, &p, EXS_FOLDER_GENERIC,
                           0, &fid);
    is_int(rc, EXS_EXISTS, "a refused operation ...");
    exs_props_set_str(a, &p, PR_DISPLAY_NAME, "Fine", 4);
    rc = exs_folder_create(mb, EXS_FID_IPM_SUBTREE, &p, EXS_FOLDER_GENERIC,
                           0, &fid);
    is_int(rc, EXS_OK, "... leaves the transaction usable");

    {
        exs_msg_t   *m;
        exs_prop_t   bad;

        m = store_msg(a, "bad", NULL, 0);
        bad.tag = PROP_TAG(0x8000 | PT_BINARY, 0x6000);
        bad.v.bin.data = (const uint8_t *) "not a blob";
        bad.v.bin.len = 10;
        exs_props_set(a, &m->props, &bad);
        rc = exs_message_create(mb, EXS_FID_INBOX, m, 0, NULL);
        is_int(rc, EXS_INVALID, "an unknown property type is refused");

        m = store_msg(a, "bad", NULL, 0);
        bad.tag = PROP_TAG(PT_BINARY, 0x6000);
        bad.v.bin.data = NULL;
        exs_props_set(a, &m->props, &bad);
        rc = exs_message_create(mb, EXS_FID_INBOX, m, 0, NULL);
        is_int(rc, EXS_INVALID, "a binary without data is refused");
    }

    is_int(exs_txn_commit(txn), EXS_OK, "and committable");

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);
    rc = exs_message_create(mb, EXS_FID_INBOX, store_msg(a, "x", NULL, 0),
                            0, NULL);
    is_int(rc, EXS_DENIED, "no writes in a read transaction");
    exs_txn_abort(txn);

    exs_arena_destroy(a);
}


static void
test_backup(exs_env_t *env, uint32_t mbid)
{
    int               rc;
    char              dest[4200];
    exs_env_t        *copy;
    exs_txn_t        *txn;
    exs_mbox_t       *mb;
    exs_env_conf_t    conf;
    exs_folder_info_t fi, fi2;

    snprintf(dest, sizeof(dest), "%s.backup", store_dir);

    is_int(exs_env_backup(env, dest), EXS_OK, "a hot backup");

    memset(&conf, 0, sizeof(conf));
    conf.map_size = 1 << 30;
    conf.state_map_size = 16 << 20;
    rc = exs_env_open(&copy, dest, &conf);
    is_int(rc, EXS_OK, "the backup opens as a store");
    is_int(exs_env_check(copy, stdout), EXS_OK, "and checks clean");

    exs_txn_begin(env, EXS_TXN_RDONLY, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);
    exs_folder_info(mb, EXS_FID_INBOX, &fi);
    exs_txn_abort(txn);

    exs_txn_begin(copy, EXS_TXN_RDONLY, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);
    exs_folder_info(mb, EXS_FID_INBOX, &fi2);
    exs_txn_abort(txn);

    ok(fi.count == fi2.count && fi.count > 0, "with the same messages");

    exs_env_close(copy);
}


static void
test_damage(void)
{
    int          rc;
    exs_env_t   *env;
    MDB_env     *menv;
    MDB_txn     *mtxn;
    MDB_dbi      dbi;
    MDB_val      k, v;
    MDB_cursor  *c;
    uint32_t     mbid;
    exs_txn_t   *txn;
    exs_mbox_t  *mb;
    exs_arena_t *a;

    env = store_open("damage", 0);
    mbid = store_user(env, "d@example.test", NULL);
    a = exs_arena_create(0);

    exs_txn_begin(env, 0, &txn);
    exs_mbox_open(txn, mbid, 0, &mb);
    exs_message_create(mb, EXS_FID_INBOX, store_msg(a, "s", "b", 0), 0,
                       NULL);
    exs_txn_commit(txn);
    exs_env_close(env);

    /* change a folder counter and drop an index entry behind its back */

    mdb_env_create(&menv);
    mdb_env_set_maxdbs(menv, 32);
    mdb_env_set_mapsize(menv, 1 << 30);
    rc = mdb_env_open(menv, store_dir, 0, 0660);
    mdb_txn_begin(menv, NULL, 0, &mtxn);
    mdb_dbi_open(mtxn, "idx.uid", 0, &dbi);
    mdb_cursor_open(mtxn, dbi, &c);
    rc |= mdb_cursor_get(c, &k, &v, MDB_FIRST);
    rc |= mdb_cursor_del(c, 0);
    mdb_cursor_close(c);
    rc |= mdb_txn_commit(mtxn);
    mdb_env_close(menv);
    is_int(rc, 0, "an index entry removed by hand");

    env = store_open_again(store_dir);
    ok(env != NULL, "the store opens");
    printf("# the check's report follows\n");
    is_int(exs_env_check(env, stdout), EXS_CORRUPT, "check finds it");

    exs_arena_destroy(a);
    exs_env_close(env);
}


static void
test_state(exs_env_t *env)
{
    int           rc;
    int64_t       expires;
    uint64_t      v1, v2, v3;
    uint32_t      n;
    exs_bin_t     val, *keys;
    exs_arena_t  *a;

    a = exs_arena_create(0);

    is_int(exs_state_get(env, 1, "sess-1", 6, &val, &v1, a), EXS_NOTFOUND,
           "no state yet");
    is_int(exs_state_put(env, 1, "sess-1", 6, "hello", 5, 0, 0, &v1),
           EXS_OK, "a put");
    ok(exs_state_get(env, 1, "sess-1", 6, &val, &v2, a) == EXS_OK
       && val.len == 5 && memcmp(val.data, "hello", 5) == 0 && v2 == v1,
       "reads back with its version");
    is_int(exs_state_get(env, 2, "sess-1", 6, &val, &v2, a), EXS_NOTFOUND,
           "namespaces are apart");

    is_int(exs_state_put(env, 1, "sess-1", 6, "again", 5, 0, v1, &v2),
           EXS_OK, "a put expecting the current version");
    ok(v2 > v1, "gets a higher version");
    is_int(exs_state_put(env, 1, "sess-1", 6, "stale", 5, 0, v1, &v3),
           EXS_CONFLICT, "a put expecting an old version conflicts");
    is_int(exs_state_put(env, 1, "sess-2", 6, "x", 1, 0, 99, &v3),
           EXS_CONFLICT, "expecting a version of nothing conflicts");

    exs_state_put(env, 1, "sess-2", 6, "x", 1, 0, 0, NULL);
    exs_state_put(env, 1, "user:bob", 8, "y", 1, 0, 0, NULL);
    rc = exs_state_keys(env, 1, "sess-", 5, &keys, &n, a);
    ok(rc == EXS_OK && n == 2 && keys[0].len == 6
       && memcmp(keys[1].data, "sess-2", 6) == 0, "keys by prefix");

    is_int(exs_state_put(env, 1, "old", 3, "z", 1, 1000, 0, NULL), EXS_OK,
           "a value that expired long ago");
    is_int(exs_state_get(env, 1, "old", 3, &val, NULL, a), EXS_NOTFOUND,
           "is not found");
    exs_state_put(env, 1, "later", 5, "z", 1, 4000000000LL, 0, NULL);
    ok(exs_state_expiry(env, 1, "old", 3, &expires) == EXS_OK
       && expires == 1000, "an expired value tells when it expired");
    ok(exs_state_expiry(env, 1, "later", 5, &expires) == EXS_OK
       && expires == 4000000000LL, "a live one when it will");
    ok(exs_state_expiry(env, 1, "sess-1", 6, &expires) == EXS_OK
       && expires == 0, "one that never expires: 0");
    is_int(exs_state_expiry(env, 1, "never", 5, &expires), EXS_NOTFOUND,
           "a key that never was is not found");
    is_int(exs_state_sweep(env, 2000000000LL), EXS_OK, "a sweep");
    is_int(exs_state_expiry(env, 1, "old", 3, &expires), EXS_NOTFOUND,
           "the sweep removed the expired value");
    ok(exs_state_get(env, 1, "later", 5, &val, NULL, a) == EXS_OK
       && exs_state_get(env, 1, "sess-1", 6, &val, NULL, a) == EXS_OK,
       "keeps what hasn't expired");

    is_int(exs_state_del(env, 1, "sess-1", 6), EXS_OK, "a delete");
    is_int(exs_state_get(env, 1, "sess-1", 6, &val, NULL, a), EXS_NOTFOUND,
           "gone");
    exs_state_put(env, 1, "sess-1", 6, "back", 4, 0, 0, &v3);
    ok(v3 > v2, "versions never repeat, even after a delete");

    exs_arena_destroy(a);
}


static void
test_read_cache(exs_env_t *env)
{
    int          i, rc;
    exs_txn_t   *t1, *t2, *w;

    rc = EXS_OK;

    for (i = 0; i < 1000 && rc == EXS_OK; i++) {
        rc = exs_txn_begin(env, EXS_TXN_RDONLY, &t1);
        if (rc == EXS_OK) {
            rc = exs_txn_begin(env, EXS_TXN_RDONLY, &t2);
            exs_txn_abort(t2);
            exs_txn_abort(t1);
        }
    }

    is_int(rc, EXS_OK, "a thousand read transactions from the cache");

    exs_txn_begin(env, EXS_TXN_RDONLY, &t1);
    exs_txn_begin(env, 0, &w);
    exs_dir_domain_add(w, "later.test", NULL);
    exs_txn_commit(w);
    {
        exs_domain_t  *d;
        uint32_t       n, n2;
        exs_arena_t   *a;

        a = exs_arena_create(0);
        exs_dir_domains(t1, &d, &n, a);
        exs_txn_abort(t1);
        exs_txn_begin(env, EXS_TXN_RDONLY, &t1);
        exs_dir_domains(t1, &d, &n2, a);
        exs_txn_abort(t1);
        is_int(n2, n + 1, "a renewed read transaction sees a newer commit");
        exs_arena_destroy(a);
    }
}


int
main(void)
{
    uint32_t    mb1, mb2;
    exs_env_t  *env;

    env = store_open("env", 0);
    ok(env != NULL, "a store");

    mb1 = store_user(env, "one@example.test", NULL);
    mb2 = store_user(env, "two@example.test", NULL);
    ok(mb1 && mb2 && mb1 != mb2, "two mailboxes");

    test_hook(env, mb1, mb2);
    test_sticky(env, mb1);
    test_backup(env, mb1);
    test_state(env);
    test_read_cache(env);

    exs_env_close(env);

    test_full();
    test_damage();

    return done_testing();
}
