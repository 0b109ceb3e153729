
/*
 * MAPI notifications without nginx (exch_oxcnotif.c): Logon and
 * RopRegisterNotification (new mail, the whole store), a delivery that
 * makes NotificationWait's check say "pending", the next Execute carrying
 * the RopNotify with the Inbox and the new message, the logon's cursor
 * kept in the session's state, and nothing twice.
 */


#include <stdlib.h>
#include <time.h>

#include <tap.h>
#include <exch_oxcrpc_rpc_ext.h>

#include "../../fuzz/mapi_fixture.h"


static exs_arena_t  *ar;


/* runs a ROP buffer (uncompressed RPC_HEADER_EXT); returns the output ROP
 * buffer after its header */

static const uint8_t *
execute(exch_ems_t *e, const uint8_t *rops, size_t len, size_t *out_len)
{
    uint8_t     buf[1024];
    uint32_t    ec;
    exs_bin_t   out;

    exch_put16(buf, 0);
    exch_put16(buf + 2, EXCH_RHE_LAST);
    exch_put16(buf + 4, (uint16_t) len);
    exch_put16(buf + 6, (uint16_t) len);
    memcpy(buf + 8, rops, len);

    if (exch_ems_execute(e, buf, len + 8, 0x03, 0x40000, &out, &ec)
        != EXCH_OK || ec != 0 || out.len < 8)
    {
        exch_ems_txn_end(e);
        return NULL;
    }

    exch_ems_txn_end(e);

    *out_len = out.len - 8;
    return out.data + 8;
}


/* where the server's own responses begin: after one RopGetReceiveFolder
 * response at the start of the ROP buffer */

static size_t
after_receive_folder(const uint8_t *o, size_t size)
{
    size_t  at;

    at = 2;

    if (size < at + 14 || o[at] != 0x27 || exch_get32(o + at + 2) != 0) {
        return 0;
    }

    at += 14;

    while (at < size && o[at] != 0) {
        at++;
    }

    return at + 1;
}


static void
test_new_mail(mapi_fixture_t *f)
{
    size_t           dn, len, at, size;
    uint8_t          key[20], req[512], *p;
    uint32_t         mbs[4], nmb, h[2];
    uint64_t         cns[4], cn;
    exs_txn_t       *txn;
    exch_ems_t       e;
    const uint8_t   *o;

    mapi_fixture_ems(&e, f, &f->alice, ar);
    is_int(exch_ems_session_create(&e, 1252, 1033, 1033), EXS_OK,
           "session created");
    memcpy(key, e.s->key, 20);

    /* Logon; RegisterNotification(NewMail, whole store) */

    dn = strlen(f->alice.legacy_dn) + 1;
    p = req + 2;
    *p++ = 0xFE; *p++ = 0; *p++ = 0; *p++ = 0x01;
    exch_put32(p, 0x01000000); p += 4;
    exch_put32(p, 0); p += 4;
    exch_put16(p, (uint16_t) dn); p += 2;
    memcpy(p, f->alice.legacy_dn, dn); p += dn;
    *p++ = 0x29; *p++ = 0; *p++ = 0; *p++ = 1;
    *p++ = 0x02; *p++ = 0; *p++ = 1;
    exch_put16(req, (uint16_t) (p - req));
    exch_put32(p, 0xFFFFFFFF); p += 4;
    exch_put32(p, 0xFFFFFFFF); p += 4;

    o = execute(&e, req, (size_t) (p - req), &len);
    ok(o != NULL, "Logon and RegisterNotification run");
    if (o == NULL) {
        return;
    }

    size = exch_get16(o);
    ok(o[2 + 166] == 0x29 && exch_get32(o + 2 + 166 + 2) == 0,
       "RegisterNotification succeeds");
    h[0] = exch_get32(o + len - 8);
    h[1] = exch_get32(o + len - 4);
    ok(h[1] != 0xFFFFFFFF && h[1] != h[0], "a notification handle");
    is_int(exch_ems_session_save(&e), EXS_OK, "session saved");

    /* nothing yet: NotificationWait would park on alice's mailbox */

    mapi_fixture_ems(&e, f, &f->alice, ar);
    is_int(exch_ems_session_load(&e, key), EXS_OK, "session loaded");
    is_int(exch_ems_notify_pending(&e, mbs, cns, &nmb, 4), 0,
           "nothing pending");
    ok(nmb == 1 && mbs[0] == f->alice.mailbox && cns[0] > 0,
       "the mailbox to watch, from its newest change");
    cn = cns[0];

    /* a delivery */

    ok(exs_txn_begin(f->env, 0, &txn) == EXS_OK
       && mapi_fixture_deliver(txn, mapi_fixture_note, ar) == 0
       && exs_txn_commit(txn) == EXS_OK, "a message delivered");

    mapi_fixture_ems(&e, f, &f->alice, ar);
    is_int(exch_ems_session_load(&e, key), EXS_OK, "session loaded again");
    is_int(exch_ems_notify_pending(&e, mbs, cns, &nmb, 4), 1,
           "the delivery is pending");

    /* the next Execute (GetReceiveFolder "IPM") carries the RopNotify */

    p = req + 2;
    *p++ = 0x27; *p++ = 0; *p++ = 0;
    memcpy(p, "IPM", 4); p += 4;
    exch_put16(req, (uint16_t) (p - req));
    exch_put32(p, h[0]); p += 4;

    o = execute(&e, req, (size_t) (p - req), &len);
    ok(o != NULL, "an Execute runs");
    if (o == NULL) {
        return;
    }

    size = exch_get16(o);
    at = after_receive_folder(o, size);
    ok(at > 0, "GetReceiveFolder answered");

    /* RopId, handle, logon, flags, FID, MID, MessageFlags, UnicodeFlag,
     * "IPM.Note" in UTF-16 */
    ok(at > 0 && o[at] == 0x2A && at + 47 == size,
       "one RopNotify after it, the last response");
    if (at > 0 && o[at] == 0x2A) {
        is_int(exch_get32(o + at + 1), h[1], "on the registration's handle");
        is_int(exch_get16(o + at + 6), 0x8002, "NewMail about a message");
        ok(exch_get64(o + at + 8) == exch_ems_eid(EXS_FID_INBOX),
           "in the Inbox");
        ok(o[at + 28] == 1 && memcmp(o + at + 29, "I\0P\0M\0.\0", 8) == 0,
           "of class IPM.Note");
    }

    is_int(exch_ems_session_save(&e), EXS_OK, "session saved with its "
           "cursor");

    mapi_fixture_ems(&e, f, &f->alice, ar);
    is_int(exch_ems_session_load(&e, key), EXS_OK, "and loaded");
    is_int(exch_ems_notify_pending(&e, mbs, cns, &nmb, 4), 0,
           "nothing pending once told");
    ok(nmb == 1 && cns[0] > cn, "the cursor moved past the delivery");
}


int
main(void)
{
    mapi_fixture_t  *f;

    ar = exs_arena_create(0);

    f = mapi_fixture();
    ok(f != NULL, "a store with alice, bob and mail");
    if (f) {
        test_new_mail(f);
    }

    exs_arena_destroy(ar);

    return done_testing();
}
