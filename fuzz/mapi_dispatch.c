
/*
 * libFuzzer target: the EMSMDB dispatcher (exch_ems_execute) with every
 * ROP handler, against a real store in a temporary directory (alice's
 * mailbox with mail in it, see mapi_fixture.h).
 *
 * Each input is one session: a built-in Execute logs on to alice's
 * mailbox (handle 1), opens her Inbox (2), the message in it with an
 * attachment (3) and that attachment (4); then the input, cut
 * into up to four pieces (a 2-byte length before each), gives the ROP
 * buffers (RopSize, ROPs, handle table) of the next Executes.  Between
 * two Executes the session is saved and loaded again, as a request on
 * another worker would find it.  The first byte of each piece picks the
 * Execute flags and MaxRopOut.
 */


#include <string.h>
#include <time.h>

#include <exch_oxcrpc_rpc_ext.h>

#include "mapi_fixture.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static size_t fuzz_rhe(const uint8_t *rops, size_t len, uint8_t *out);
static void fuzz_execute(exch_ems_t *e, const uint8_t *rops, size_t len,
    uint8_t sel);


/* one uncompressed RPC_HEADER_EXT (Flags: Last) around a ROP buffer */

static size_t
fuzz_rhe(const uint8_t *rops, size_t len, uint8_t *out)
{
    exch_put16(out, 0);
    exch_put16(out + 2, EXCH_RHE_LAST);
    exch_put16(out + 4, (uint16_t) len);
    exch_put16(out + 6, (uint16_t) len);
    memcpy(out + 8, rops, len);

    return len + 8;
}


static void
fuzz_execute(exch_ems_t *e, const uint8_t *rops, size_t len, uint8_t sel)
{
    size_t      n;
    uint8_t     buf[8 + 0x10000];
    uint32_t    ec, flags, max_out;
    exs_bin_t   out;

    static const uint32_t  sizes[] = { 0x40000, 0x8000, 0x1000, 0x200, 64 };

    if (len > 0xFFFF) {
        len = 0xFFFF;
    }

    n = fuzz_rhe(rops, len, buf);
    flags = sel & 0x03;
    max_out = sizes[(sel >> 2) % (sizeof(sizes) / sizeof(sizes[0]))];

    (void) exch_ems_execute(e, buf, n, flags, max_out, &out, &ec);
    exch_ems_txn_end(e);
    (void) exch_ems_session_save(e);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t            len;
    uint8_t           key[20], setup[512], *p;
    uint32_t          i;
    exch_ems_t        e;
    mapi_fixture_t   *f;

    f = mapi_fixture();
    if (f == NULL) {
        abort();
    }

    mapi_fixture_ems(&e, f, &f->alice, exs_arena_create(0));
    if (e.a == NULL) {
        return 0;
    }

    if (exch_ems_session_create(&e, 1252, 1033, 1033) != EXS_OK) {
        exs_arena_destroy(e.a);
        return 0;
    }

    memcpy(key, e.s->key, 20);

    /* RopLogon (private, the user's DN) and RopOpenFolder (the Inbox) */

    p = mapi_fixture_attachment_rops(f, setup);

    fuzz_execute(&e, setup, (size_t) (p - setup), 0x03);

    for (i = 0; i < 4 && size > 3; i++) {
        len = (size_t) data[0] | (size_t) data[1] << 8;
        data += 2;
        size -= 2;

        if (len > size) {
            len = size;
        }

        /* the next request finds the session as another worker would */

        e.s = NULL;
        if (exch_ems_session_load(&e, key) != EXS_OK) {
            break;
        }

        fuzz_execute(&e, data + 1, len ? len - 1 : 0, data[0]);

        data += len;
        size -= len;
    }

    e.s = NULL;
    if (exch_ems_session_load(&e, key) == EXS_OK) {
        (void) exch_ems_session_destroy(&e);
    }

    exch_ems_txn_end(&e);
    exs_arena_destroy(e.a);

    return 0;
}
