
/*
 * libFuzzer target: MS-OXCMAPIHTTP request bodies.  The first byte picks
 * the request type (every address book type and the four mailbox ones);
 * the rest is the body.  An address book request that parses is then
 * answered by its NSPI handler over a real directory (mapi_fixture.h) and
 * the answer written out.
 */


#include <string.h>
#include <exs_mapi.h>
#include <exch_wire.h>
#include <exch_oxcdata.h>
#include <exch_oxcmapihttp.h>
#include <exch_nspi.h>

#include "mapi_fixture.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fuzz_nspi(const exch_nspi_req_t *req, exs_arena_t *a);


static void
fuzz_nspi(const exch_nspi_req_t *req, exs_arena_t *a)
{
    exch_wr_t         w;
    exch_nspi_t       n;
    exch_nspi_rsp_t   rsp;
    mapi_fixture_t   *f;

    f = mapi_fixture();
    if (f == NULL) {
        abort();
    }

    memset(&n, 0, sizeof(exch_nspi_t));
    memset(&rsp, 0, sizeof(exch_nspi_rsp_t));
    n.env = f->env;
    n.a = a;
    n.conf = &f->conf;
    n.user = &f->alice;
    n.now = 1700000000;
    n.base_url = "https://mail.example.test";

    if (req->type == EXCH_MH_BIND) {
        if (exch_nspi_bind(&n, req, &rsp) == EXS_OK && n.s) {
            (void) exch_nspi_session_destroy(&n);
        }

    } else if (req->type != EXCH_MH_UNBIND) {
        (void) exch_nspi_handle(&n, req, &rsp);
    }

    if (exch_wr_init_grow(&w, a, 256, 1 << 24) == EXCH_OK) {
        (void) exch_mh_write_nspi(&w, &rsp);
    }

    if (n.txn) {
        exs_txn_abort(n.txn);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                               type;
    exs_arena_t                      *a;
    exch_nspi_req_t                   req;
    exch_mh_connect_req_t             c;
    exch_mh_execute_req_t             e;
    exch_mh_disconnect_req_t          d;
    exch_mh_notification_wait_req_t   nw;

    if (size == 0) {
        return 0;
    }

    a = exs_arena_create(0);
    if (a == NULL) {
        return 0;
    }

    type = data[0] % (EXCH_MH_LAST + 1);

    switch (type) {
    case EXCH_MH_CONNECT:
        (void) exch_mh_parse_connect(data + 1, size - 1, a, &c);
        break;
    case EXCH_MH_EXECUTE:
        (void) exch_mh_parse_execute(data + 1, size - 1, a, &e);
        break;
    case EXCH_MH_DISCONNECT:
        (void) exch_mh_parse_disconnect(data + 1, size - 1, a, &d);
        break;
    case EXCH_MH_NOTIFICATION_WAIT:
        (void) exch_mh_parse_notification_wait(data + 1, size - 1, a, &nw);
        break;
    default:
        if (exch_mh_parse_nspi(type, data + 1, size - 1, a, &req)
            == EXCH_OK)
        {
            fuzz_nspi(&req, a);
        }
        break;
    }

    exs_arena_destroy(a);

    return 0;
}
