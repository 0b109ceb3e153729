
/*
 * libFuzzer target: the store's on-disk decoders (a store file can be
 * damaged).  The first byte picks the record: a property bag, a message's
 * recipients and attachments, a search folder's restriction (then
 * evaluated against a bag decoded from the rest), a directory entry, a
 * named property, a change log entry.  Nothing may crash or read past the
 * input; damage is EXS_CORRUPT.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <exs_int.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void bag_ids(const uint8_t *data, size_t size, int rc,
    const exs_props_t *all, exs_arena_t *a);


/*
 * exs_bag_decode_ids() accepts what exs_bag_decode() accepts, and keeps
 * the same values: every other one of a good bag, and an id it lacks.
 */

static void
bag_ids(const uint8_t *data, size_t size, int rc, const exs_props_t *all,
    exs_arena_t *a)
{
    int          rc2;
    uint16_t     ids[64];
    uint32_t     i, n, k;
    exs_rbuf_t   b;
    exs_props_t  some;

    n = 0;

    for (i = 0; rc == EXS_OK && i < all->n && n < 63; i += 2) {
        ids[n++] = (uint16_t) PROP_ID(all->v[i].tag);
    }

    if (n == 0 || ids[n - 1] < 0xFFFF) {
        ids[n++] = 0xFFFF;
    }

    exs_rbuf_init(&b, data, size);
    rc2 = exs_bag_decode_ids(&b, &some, 0, ids, n, a);

    if (rc == EXS_NOMEM || rc2 == EXS_NOMEM) {
        return;
    }

    if ((rc == EXS_OK) != (rc2 == EXS_OK)) {
        abort();
    }

    if (rc != EXS_OK) {
        return;
    }

    for (i = 0, k = 0; i < all->n; i += 2, k++) {
        if (k >= some.n || some.v[k].tag != all->v[i].tag
            || exs_prop_size(&some.v[k]) != exs_prop_size(&all->v[i]))
        {
            if (k < 63) {
                abort();
            }
        }
    }

    if (k < some.n && PROP_ID(some.v[k].tag) != 0xFFFF) {
        abort();
    }
}


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

        bag_ids(data + 1, size - 1, rc, &props, a);
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
