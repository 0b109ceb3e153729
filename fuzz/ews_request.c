
/*
 * libFuzzer target: the EWS front -- the SOAP envelope, RequestServerVersion,
 * routing on the first element of soap:Body, and every operation's request
 * parser and handler -- against a small store made once in a temporary
 * directory (the domain example.test, the users alice and bob), as alice.
 * Each input is one request body.  Operations that want a thread run again
 * with in_thread set, as the nginx glue does.  Writes stay in the store
 * between inputs, so the store grows a little; that is all right for the
 * short runs of the tests and of make fuzz.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exs_store.h>
#include <exch_xml.h>
#include <exch_ews.h>


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fuzz_cleanup(void);


static exs_env_t        *fuzz_env;
static exch_ews_user_t   fuzz_user;
static char              fuzz_dir[] = "/tmp/exch-fuzz-ews-XXXXXX";
static char              fuzz_address[64], fuzz_name[64], fuzz_dn[256];


static void
fuzz_cleanup(void)
{
    char  cmd[sizeof(fuzz_dir) + 16];

    if (fuzz_env) {
        exs_env_close(fuzz_env);
        fuzz_env = NULL;
    }

    snprintf(cmd, sizeof(cmd), "rm -rf %s", fuzz_dir);

    if (system(cmd) != 0) {
        /* nothing to do */
    }
}


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint32_t         id, dom;
    exs_txn_t       *txn;
    exs_arena_t     *a;
    exs_dirent_t     e;
    exs_env_conf_t   conf;

    exch_xml_init();

    if (mkdtemp(fuzz_dir) == NULL) {
        abort();
    }

    memset(&conf, 0, sizeof(exs_env_conf_t));
    conf.flags = EXS_ENV_CREATE;
    conf.map_size = 1ULL << 30;
    conf.state_map_size = 1ULL << 26;

    a = exs_arena_create(0);

    if (a == NULL || exs_env_open(&fuzz_env, fuzz_dir, &conf) != EXS_OK
        || exs_txn_begin(fuzz_env, 0, &txn) != EXS_OK)
    {
        abort();
    }

    if (exs_dir_domain_add(txn, "example.test", &dom) != EXS_OK
        || exs_dir_user_add(txn, "alice@example.test", "Alice Anders", NULL,
                            &id) != EXS_OK
        || exs_dir_user_add(txn, "bob@example.test", "Bob Brown", NULL, &id)
           != EXS_OK
        || exs_txn_commit(txn) != EXS_OK
        || exs_txn_begin(fuzz_env, EXS_TXN_RDONLY, &txn) != EXS_OK
        || exs_dir_by_address(txn, "alice@example.test", &e, a) != EXS_OK)
    {
        abort();
    }

    fuzz_user.id = e.id;
    fuzz_user.mailbox = e.mailbox;
    snprintf(fuzz_address, sizeof(fuzz_address), "%s", e.address);
    snprintf(fuzz_name, sizeof(fuzz_name), "%s", e.display_name);
    snprintf(fuzz_dn, sizeof(fuzz_dn), "%s", e.legacy_dn);
    fuzz_user.address = fuzz_address;
    fuzz_user.name = fuzz_name;
    fuzz_user.legacy_dn = fuzz_dn;
    memcpy(fuzz_user.guid, e.guid, 16);

    exs_txn_abort(txn);
    exs_arena_destroy(a);

    atexit(fuzz_cleanup);

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          rc;
    exch_ews_t   ews;

    exch_ews_init(&ews);

    ews.env = fuzz_env;
    ews.a = exs_arena_create(0);
    ews.user = fuzz_user;
    ews.max_body = 1 << 20;
    ews.host = "mail.example.test";

    if (ews.a == NULL) {
        return 0;
    }

    rc = exch_ews_process(&ews, data, size);

    if (rc == EXCH_EWS_AGAIN) {
        ews.in_thread = 1;               /* as the thread pool does */
        rc = exch_ews_process(&ews, data, size);
    }

    if (rc == EXCH_EWS_OK && (ews.status < 200 || ews.status > 599)) {
        abort();
    }

    if (ews.txn) {
        abort();                         /* no transaction outlives a
                                            request */
    }

    exch_ews_free(&ews);
    exs_arena_destroy(ews.a);

    return 0;
}
