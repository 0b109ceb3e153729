
/*
 * libFuzzer target: the store's on-disk decoders (a store file can be
 * damaged).  The first byte picks the record: a property bag, a message's
 * recipients and attachments, a search folder's restriction (then
 * evaluated against a bag decoded from the rest), a directory entry, a
 * named property, a change log entry.  Nothing may crash or read past the
 * input; damage is EXS_CORRUPT.
 */


#include <stdint.h>
#include <string.h>

#include <exs_int.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                 rc;
    uint32_t            i;
    exs_msg_t           msg;
    exs_rbuf_t          b;
    exs_arena_t        *a;
    exs_props_t         props;
    exs_change_t        ch;
    exs_dirent_t        e;
    exs_propname_t      name;
    exs_restriction_t   res;

    if (size < 1) {
        return 0;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return 0;
    }

    exs_rbuf_init(&b, data + 1, size - 1);

    switch (data[0] % 6) {

    case 0:
        rc = exs_bag_decode(&b, &props, data[0] & 0x80 ? EXS_DEC_COPY : 0,
                            a);
        if (rc == EXS_OK) {
            for (i = 0; i < props.n; i++) {
                (void) exs_prop_size(&props.v[i]);
            }
        }
        break;

    case 1:
        memset(&msg, 0, sizeof(exs_msg_t));
        (void) exs_sub_decode(&b, &msg, 0, 0, a);
        break;

    case 2:
        rc = exs_res_decode(&b, &res, a, 0);
        if (rc == EXS_OK && exs_bag_decode(&b, &props, 0, a) == EXS_OK) {
            (void) exs_restriction_match(&res, &props);
        }
        break;

    case 3:
        (void) exs_dir_decode_record(data + 1, size - 1, &e, a);
        break;

    case 4:
        (void) exs_named_decode(data + 1, size - 1, &name, a);
        break;

    default:
        (void) exs_change_decode(data + 1, size - 1, &ch);
        break;
    }

    exs_arena_destroy(a);

    return 0;
}
