
/*
 * A store for the MAPI fuzz targets and unit tests: a temporary directory
 * with two users (alice, bob), a group of both, and mail in alice's Inbox
 * (one message with an attachment).  Made on first use, removed at exit.
 */


#ifndef _MAPI_FIXTURE_H_INCLUDED_
#define _MAPI_FIXTURE_H_INCLUDED_


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <exs_store.h>
#include <exs_mail.h>
#include <exch_emsmdb.h>


typedef struct {
    exs_env_t                *env;
    exs_arena_t              *a;
    exch_ems_conf_t           conf;
    exch_ems_user_t           alice;
    exch_ems_user_t           bob;
    uint32_t                  group;
    exs_id_t                  mids[2];      /* alice's Inbox: the message
                                               with an attachment, the
                                               plain one */
    char                      dir[256];
} mapi_fixture_t;


static mapi_fixture_t  mapi_fixture_store;


static const char  mapi_fixture_mail[] =
    "From: Bob Brown <bob@example.test>\r\n"
    "To: Alice Anders <alice@example.test>\r\n"
    "Subject: Fixture\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain\r\n\r\nHello from the fixture.\r\n"
    "--b\r\nContent-Type: application/octet-stream; name=x.bin\r\n"
    "Content-Disposition: attachment; filename=x.bin\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgcICQ==\r\n"
    "--b--\r\n";

static const char  mapi_fixture_note[] =
    "From: Bob Brown <bob@example.test>\r\n"
    "To: alice@example.test\r\nSubject: Plain\r\n\r\nJust text.\r\n";


static void
mapi_fixture_cleanup(void)
{
    char  cmd[300];

    if (mapi_fixture_store.env) {
        exs_env_close(mapi_fixture_store.env);
        mapi_fixture_store.env = NULL;
    }

    if (mapi_fixture_store.dir[0]) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", mapi_fixture_store.dir);
        if (system(cmd) != 0) {
            /* nothing to do */
        }
    }
}


static void
mapi_fixture_log(void *data, int error, const char *fmt, ...)
{
}


static int
mapi_fixture_user(mapi_fixture_t *f, exs_txn_t *txn, const char *address,
    const char *name, exch_ems_user_t *u)
{
    uint32_t      id;
    exs_dirent_t  d;

    if (exs_dir_user_add(txn, address, name, NULL, &id) != EXS_OK
        || exs_dir_by_id(txn, id, &d, f->a) != EXS_OK)
    {
        return -1;
    }

    u->id = d.id;
    u->mailbox = d.mailbox;
    u->address = d.address;
    u->name = d.display_name;
    u->legacy_dn = d.legacy_dn;

    return 0;
}


static int
mapi_fixture_deliver(exs_txn_t *txn, const char *mime, exs_arena_t *a)
{
    exs_mail_t         *m;
    const char         *rcpt;
    exs_mail_rcpt_t     res;

    rcpt = "alice@example.test";

    if (exs_mail_parse(txn, mime, strlen(mime), 0, &m, a) != EXS_OK
        || exs_mail_deliver(txn, m, &rcpt, 1, 0, &res, a) != EXS_OK)
    {
        return -1;
    }

    return 0;
}


static mapi_fixture_t *
mapi_fixture(void)
{
    const char      *tmp;
    exs_txn_t       *txn;
    exs_mbox_t      *mb;
    exs_env_conf_t   conf;
    mapi_fixture_t  *f;

    f = &mapi_fixture_store;

    if (f->env) {
        return f;
    }

    tmp = getenv("EXCH_TEST_TMP");
    if (tmp == NULL) {
        tmp = getenv("TMPDIR");
    }

    snprintf(f->dir, sizeof(f->dir), "%s/exch-mapi-fixture-XXXXXX",
             tmp ? tmp : "/tmp");

    if (mkdtemp(f->dir) == NULL) {
        f->dir[0] = '\0';
        return NULL;
    }

    atexit(mapi_fixture_cleanup);

    memset(&conf, 0, sizeof(conf));
    conf.flags = EXS_ENV_CREATE;
    conf.map_size = 1ULL << 30;
    conf.state_map_size = 256 << 20;

    f->a = exs_arena_create(0);

    if (f->a == NULL || exs_env_open(&f->env, f->dir, &conf) != EXS_OK
        || exs_txn_begin(f->env, 0, &txn) != EXS_OK)
    {
        return NULL;
    }

    if (exs_dir_domain_add(txn, "example.test", NULL) != EXS_OK
        || mapi_fixture_user(f, txn, "alice@example.test", "Alice Anders",
                             &f->alice) != 0
        || mapi_fixture_user(f, txn, "bob@example.test", "Bob Brown",
                             &f->bob) != 0
        || exs_dir_group_add(txn, "staff@example.test", "Staff", &f->group)
           != EXS_OK
        || exs_dir_member_add(txn, f->group, f->alice.id) != EXS_OK
        || exs_dir_member_add(txn, f->group, f->bob.id) != EXS_OK
        || mapi_fixture_deliver(txn, mapi_fixture_mail, f->a) != 0
        || mapi_fixture_deliver(txn, mapi_fixture_note, f->a) != 0
        || exs_txn_commit(txn) != EXS_OK)
    {
        return NULL;
    }

    if (exs_txn_begin(f->env, EXS_TXN_RDONLY, &txn) != EXS_OK
        || exs_mbox_open(txn, f->alice.mailbox, f->alice.id, &mb) != EXS_OK
        || exs_message_by_uid(mb, EXS_FID_INBOX, 1, &f->mids[0]) != EXS_OK
        || exs_message_by_uid(mb, EXS_FID_INBOX, 2, &f->mids[1]) != EXS_OK)
    {
        return NULL;
    }

    exs_txn_abort(txn);

    f->conf.session_timeout = 1800;
    f->conf.max_sessions = 4;
    f->conf.max_objects = 256;
    f->conf.max_stream = 1 << 20;
    f->conf.log = mapi_fixture_log;

    return f;
}


/* a request's exch_ems_t for the user, as a worker makes it */

static void
mapi_fixture_ems(exch_ems_t *e, mapi_fixture_t *f,
    const exch_ems_user_t *user, exs_arena_t *a)
{
    memset(e, 0, sizeof(exch_ems_t));
    e->env = f->env;
    e->a = a;
    e->conf = &f->conf;
    e->user = user;
    e->now = (int64_t) time(NULL);
}


/* RopLogon to alice's own mailbox (its handle at index 0) and RopOpenFolder
 * of her Inbox (from index 0 to 1), written at p: returns the end */

/* not every user of the fixture sends it */
static uint8_t *mapi_fixture_logon_rops(mapi_fixture_t *f, uint8_t *p)
    __attribute__((unused));

static uint8_t *
mapi_fixture_logon_rops(mapi_fixture_t *f, uint8_t *p)
{
    size_t  dn;

    dn = strlen(f->alice.legacy_dn) + 1;

    *p++ = EXCH_ROP_LOGON; *p++ = 0; *p++ = 0; *p++ = EXCH_LOGON_PRIVATE;
    exch_put32(p, 0x01000000); p += 4;
    exch_put32(p, 0); p += 4;
    exch_put16(p, (uint16_t) dn); p += 2;
    memcpy(p, f->alice.legacy_dn, dn); p += dn;

    *p++ = EXCH_ROP_OPEN_FOLDER; *p++ = 0; *p++ = 0; *p++ = 1;
    exch_put64(p, exch_ems_eid(EXS_FID_INBOX)); p += 8;
    *p++ = 0;

    return p;
}


/* a whole ROP request buffer at buf: the logon ROPs, RopOpenMessage of
 * f->mids[0] in the Inbox (from index 1 to 2) and RopOpenAttachment 0 (from
 * 2 to 3), then the four handles, all 0xFFFFFFFF: returns the end */

static uint8_t *mapi_fixture_attachment_rops(mapi_fixture_t *f,
    uint8_t *buf) __attribute__((unused));

static uint8_t *
mapi_fixture_attachment_rops(mapi_fixture_t *f, uint8_t *buf)
{
    size_t    i;
    uint8_t  *p;

    p = mapi_fixture_logon_rops(f, buf + 2);
    *p++ = EXCH_ROP_OPEN_MESSAGE; *p++ = 0; *p++ = 1; *p++ = 2;
    exch_put16(p, 0x0FFF); p += 2;
    exch_put64(p, exch_ems_eid(EXS_FID_INBOX)); p += 8;
    *p++ = 0;
    exch_put64(p, exch_ems_eid(f->mids[0])); p += 8;
    *p++ = EXCH_ROP_OPEN_ATTACHMENT; *p++ = 0; *p++ = 2; *p++ = 3;
    *p++ = 0;
    exch_put32(p, 0); p += 4;
    exch_put16(buf, (uint16_t) (p - buf));

    for (i = 0; i < 4; i++) {
        exch_put32(p, 0xFFFFFFFF); p += 4;
    }

    return p;
}


#endif /* _MAPI_FIXTURE_H_INCLUDED_ */
