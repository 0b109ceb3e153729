
/*
 * libFuzzer target: MS-OXCMAPIHTTP request bodies.  The first byte picks
 * the request type (every address book type and the four mailbox ones);
 * the rest is the body.
 */


#include <string.h>
#include <exs_mapi.h>
#include <exch_wire.h>
#include <exch_oxcdata.h>
#include <exch_oxcmapihttp.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


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
        (void) exch_mh_parse_nspi(type, data + 1, size - 1, a, &req);
        break;
    }

    exs_arena_destroy(a);

    return 0;
}
