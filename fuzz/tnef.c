
/*
 * libFuzzer target: the TNEF codec (store/exs_tnef.c): MS-OXTNEF streams
 * as winmail.dat carries them are decoded, what was read is written again
 * and that is decoded once more.
 */


#include <string.h>

#include <exs_mapi.h>
#include <exs_tnef.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exs_bin_t        out;
    exs_msg_t       *msg, *again;
    exs_arena_t     *a;
    exs_namemap_t   *nm;
    exs_tnef_ctx_t   ctx;

    if (size > (1 << 20)) {
        return 0;
    }

    a = exs_arena_create(0);
    msg = exs_msg_create(a);
    memset(&ctx, 0, sizeof(ctx));

    nm = exs_namemap_mem_create(a);

    (void) exs_tnef_read(data, size, nm, msg, &ctx, a);

    if (exs_tnef_write(msg, nm, &out, a) == EXS_OK) {
        again = exs_msg_create(a);
        memset(&ctx, 0, sizeof(ctx));
        (void) exs_tnef_read(out.data, out.len, nm, again, &ctx, a);
    }

    exs_arena_destroy(a);

    return 0;
}
