
/*
 * libFuzzer target: MS-OXCROPS request parsers.  The input is a RopsList;
 * its first byte's low bit says whether logons are public (which changes
 * two layouts).  Every parsed request is answered with a zeroed success
 * and a failure response.
 */


#include <string.h>
#include <exs_mapi.h>
#include <exch_wire.h>
#include <exch_oxcrops.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static int fuzz_public(void *data, uint8_t logon_id);


static int
fuzz_public(void *data, uint8_t logon_id)
{
    return (*(const uint8_t *) data & 1) != 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t          out[4096];
    uint32_t         i, n;
    exch_wr_t        w;
    exs_arena_t     *a;
    exch_rop_ctx_t   ctx;
    exch_rop_req_t  *reqs;
    exch_rop_rsp_t   rsp;

    if (size == 0) {
        return 0;
    }

    a = exs_arena_create(0);
    if (a == NULL) {
        return 0;
    }

    ctx.logon_is_public = fuzz_public;
    ctx.data = (void *) data;

    (void) exch_rop_parse_all(data + 1, size - 1, a, &ctx, &reqs, &n);

    for (i = 0; i < n; i++) {
        memset(&rsp, 0, sizeof(rsp));
        rsp.rop_id = reqs[i].rop_id;
        rsp.index = reqs[i].rsp_index;
        exch_wr_init(&w, out, sizeof(out));
        (void) exch_rop_write_response(&w, &rsp);
        (void) exch_rop_write_error(&w, reqs[i].rop_id, reqs[i].rsp_index,
                                    0x80004005);
    }

    exs_arena_destroy(a);

    return 0;
}
