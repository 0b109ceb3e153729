
/*
 * What the store's unit tests share: a fresh store in $EXCH_TEST_TMP, a
 * user with a mailbox, small builders of messages and bags.
 */


#ifndef _STORE_UTIL_H_INCLUDED_
#define _STORE_UTIL_H_INCLUDED_


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exs_store.h>


static char  store_dir[4096];


/* a store directory of its own under $EXCH_TEST_TMP */
static inline exs_env_t *
store_open(const char *name, uint64_t map_size)
{
    int              rc;
    char             cmd[4200];
    const char      *tmp;
    exs_env_t       *env;
    exs_env_conf_t   conf;

    tmp = getenv("EXCH_TEST_TMP");
    if (tmp == NULL) {
        tmp = "/tmp";
    }

    snprintf(store_dir, sizeof(store_dir), "%s/%s.%d", tmp, name,
             (int) getpid());
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", store_dir);
    if (system(cmd) != 0) {
        return NULL;
    }

    memset(&conf, 0, sizeof(conf));
    conf.flags = EXS_ENV_CREATE;
    conf.map_size = map_size ? map_size : (1ULL << 30);
    conf.state_map_size = 64 << 20;

    rc = exs_env_open(&env, store_dir, &conf);
    if (rc != EXS_OK) {
        printf("# exs_env_open: %s\n", exs_strerror(rc));
        return NULL;
    }

    return env;
}


/* an existing store again */
static inline exs_env_t *
store_open_again(const char *dir)
{
    exs_env_t       *env;
    exs_env_conf_t   conf;

    memset(&conf, 0, sizeof(conf));
    conf.map_size = 1ULL << 30;
    conf.state_map_size = 64 << 20;

    return exs_env_open(&env, dir, &conf) == EXS_OK ? env : NULL;
}


/* a domain and one user; returns the user's mailbox */
static inline uint32_t
store_user(exs_env_t *env, const char *address, uint32_t *id)
{
    int            rc;
    uint32_t       uid;
    exs_txn_t     *txn;
    exs_arena_t   *a;
    exs_dirent_t   e;
    const char    *dom;

    rc = exs_txn_begin(env, 0, &txn);
    if (rc != EXS_OK) {
        return 0;
    }

    dom = strchr(address, '@') + 1;
    rc = exs_dir_domain_add(txn, dom, NULL);
    if (rc != EXS_OK && rc != EXS_EXISTS) {
        exs_txn_abort(txn);
        return 0;
    }

    rc = exs_dir_user_add(txn, address, NULL, NULL, &uid);
    if (rc != EXS_OK) {
        printf("# user add: %s\n", exs_strerror(rc));
        exs_txn_abort(txn);
        return 0;
    }

    a = exs_arena_create(0);
    rc = exs_dir_by_id(txn, uid, &e, a);
    if (rc != EXS_OK) {
        exs_txn_abort(txn);
        return 0;
    }

    if (id) {
        *id = uid;
    }

    uid = e.mailbox;
    exs_arena_destroy(a);

    return exs_txn_commit(txn) == EXS_OK ? uid : 0;
}


static inline int
store_check(exs_env_t *env)
{
    int  rc;

    rc = exs_env_check(env, stdout);
    if (rc != EXS_OK) {
        printf("# check: %s\n", exs_strerror(rc));
    }

    return rc;
}


/* a simple message: subject, body, n recipients */
static inline exs_msg_t *
store_msg(exs_arena_t *a, const char *subject, const char *body,
    int64_t delivery)
{
    exs_msg_t   *m;
    exs_rcpt_t  *r;

    m = exs_msg_create(a);
    exs_props_set_str(a, &m->props, PR_SUBJECT, subject, strlen(subject));
    exs_props_set_str(a, &m->props, PR_MESSAGE_CLASS, "IPM.Note", 8);

    if (body) {
        exs_props_set_str(a, &m->props, PR_BODY, body, strlen(body));
    }

    if (delivery) {
        exs_props_set_i8(a, &m->props, PR_MESSAGE_DELIVERY_TIME, delivery);
    }

    r = exs_msg_add_rcpt(a, m);
    exs_props_set_long(a, &r->props, PR_RECIPIENT_TYPE, 1);
    exs_props_set_str(a, &r->props, PR_DISPLAY_NAME, "Bob", 3);
    exs_props_set_str(a, &r->props, PR_EMAIL_ADDRESS, "bob@example.test",
                      16);

    return m;
}


#endif /* _STORE_UTIL_H_INCLUDED_ */
