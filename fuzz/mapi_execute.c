
/*
 * libFuzzer target: a MAPI/HTTP Execute body: the body itself, then its
 * RopBuffer and AuxiliaryBuffer as RPC_HEADER_EXT chains (XorMagic,
 * LZ77), the ROP input buffer and its ROPs, and the AUX_HEADER blocks.
 * The input is also tried as a bare RPC_HEADER_EXT chain.
 */


#include <string.h>
#include <exs_mapi.h>
#include <exch_wire.h>
#include <exch_oxcrpc_rpc_ext.h>
#include <exch_oxcrops.h>
#include <exch_oxcmapihttp.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fuzz_chain(const uint8_t *p, size_t len, exs_arena_t *a);


static void
fuzz_chain(const uint8_t *p, size_t len, exs_arena_t *a)
{
    uint32_t           n;
    exch_aux_t         aux;
    exch_ropbuf_t      rb;
    exch_rop_req_t    *reqs;
    exch_rhe_chain_t   chain;

    if (exch_rhe_parse(p, len, a, 0x40000, &chain) != EXCH_OK) {
        return;
    }

    (void) exch_aux_parse(chain.data, chain.len, a, &aux);

    if (exch_ropbuf_parse(chain.data, chain.len, a, &rb) == EXCH_OK) {
        (void) exch_rop_parse_all(rb.rops, rb.rops_len, a, NULL, &reqs, &n);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exs_arena_t            *a;
    exch_mh_execute_req_t   req;

    a = exs_arena_create(0);
    if (a == NULL) {
        return 0;
    }

    if (exch_mh_parse_execute(data, size, a, &req) == EXCH_OK) {
        fuzz_chain(req.rop_buffer.data, req.rop_buffer.len, a);
        fuzz_chain(req.aux.data, req.aux.len, a);
    }

    fuzz_chain(data, size, a);

    exs_arena_destroy(a);

    return 0;
}
