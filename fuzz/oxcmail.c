
/*
 * libFuzzer target: Internet mail through the MIME converter and back,
 * MIME -> MAPI -> MIME -> MAPI (store/exs_oxcmail*.c, exs_tnef.c for the
 * winmail.dat parts), with a directory that knows one local address.
 */


#include <string.h>

#include <exs_mapi.h>
#include <exs_oxcmail.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static int lookup(void *data, int by, const char *key,
    exs_oxcmail_addr_t *out, exs_arena_t *a);


static int
lookup(void *data, int by, const char *key, exs_oxcmail_addr_t *out,
    exs_arena_t *a)
{
    if (strcasecmp(key, "local@example.com") == 0
        || strcasecmp(key, "/o=x/cn=local") == 0)
    {
        out->smtp = "local@example.com";
        out->display_name = "Local";
        out->legacy_dn = "/o=x/cn=local";
        return EXS_OK;
    }

    return EXS_NOTFOUND;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t             n, bad;
    exs_bin_t            out, out2;
    exs_msg_t           *msg, *msg2;
    const char          *from, **rcpts;
    exs_arena_t         *a;
    exs_oxcmail_opts_t   o;
    exs_oxcmail_info_t   info;

    if (size > (1 << 20)) {
        return 0;
    }

    a = exs_arena_create(0);

    memset(&o, 0, sizeof(o));
    o.namemap = exs_namemap_mem_create(a);
    o.lookup = lookup;

    if (exs_oxcmail_import(data, size, &o, &msg, &info, a) == EXS_OK) {
        o.flags = EXS_OXCMAIL_FOR_READ;

        if (exs_oxcmail_export(msg, &o, &out, a) == EXS_OK) {
            o.flags = 0;

            if (exs_oxcmail_import(out.data, out.len, &o, &msg2, NULL, a)
                == EXS_OK)
            {
                (void) exs_oxcmail_export(msg2, &o, &out2, a);
            }
        }

        o.flags = EXS_OXCMAIL_FOR_SEND;
        (void) exs_oxcmail_export(msg, &o, &out, a);
        (void) exs_oxcmail_envelope(msg, &o, &from, &rcpts, &n, &bad, a);
    }

    exs_arena_destroy(a);

    return 0;
}
