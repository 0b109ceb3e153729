
/*
 * libFuzzer target: the TNEF decoder (store/exs_tnef.c), MS-OXTNEF
 * streams as winmail.dat carries them.
 */


#include <string.h>

#include <exs_mapi.h>
#include <exs_tnef.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exs_msg_t       *msg;
    exs_arena_t     *a;
    exs_tnef_ctx_t   ctx;

    if (size > (1 << 20)) {
        return 0;
    }

    a = exs_arena_create(0);
    msg = exs_msg_create(a);
    memset(&ctx, 0, sizeof(ctx));

    (void) exs_tnef_read(data, size, exs_namemap_mem_create(a), msg, &ctx,
                         a);

    exs_arena_destroy(a);

    return 0;
}
