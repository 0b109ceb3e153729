
/*
 * exch store: named properties (MS-OXCPRPT 3.1.4.2), per mailbox.  A name
 * (property set GUID, then a LID or a string) gets the next id from
 * 0x8000 on the first ask with create set, and keeps it forever.  Names in
 * PS_MAPI with a LID are the tagged properties themselves (id = LID).
 *
 *   named:  u32 mailbox, 0, u16 id -> GUID, kind, u32 LID, name
 *           u32 mailbox, 1, GUID, kind, u32 LID | folded name -> u16 id
 */


#include <string.h>

#include "exs_int.h"


#define EXS_NAME_MAX            400


static int exs_named_get_id(exs_namemap_t *m, const exs_propname_t *name,
    int create, uint16_t *id);
static int exs_named_get_name(exs_namemap_t *m, uint16_t id,
    exs_propname_t *name, exs_arena_t *a);
static int exs_named_rkey(exs_mbox_t *mb, const exs_propname_t *name,
    exs_key_t *k);


void
exs_named_init(exs_mbox_t *mb)
{
    mb->namemap.get_id = exs_named_get_id;
    mb->namemap.get_name = exs_named_get_name;
    mb->namemap.data = mb;
}


static int
exs_named_rkey(exs_mbox_t *mb, const exs_propname_t *name, exs_key_t *k)
{
    size_t  len;

    exs_key_init(k);
    exs_key_u32(k, mb->id);
    exs_key_u8(k, 1);
    exs_key_mem(k, name->guid, 16);
    exs_key_u8(k, name->kind);

    if (name->kind == MNID_ID) {
        exs_key_u32(k, name->lid);
        return EXS_OK;
    }

    if (name->kind != MNID_STRING || name->name == NULL) {
        return EXS_INVALID;
    }

    len = strlen(name->name);
    if (len == 0 || len > EXS_NAME_MAX) {
        return EXS_INVALID;
    }

    k->len += exs_fold(name->name, len, k->b + k->len, EXS_NAME_MAX);

    return EXS_OK;
}


static int
exs_named_get_id(exs_namemap_t *m, const exs_propname_t *name, int create,
    uint16_t *id)
{
    int          rc;
    uint8_t      fkey[7], v[2];
    MDB_val      val;
    exs_key_t    k;
    exs_wbuf_t   b;
    exs_mbox_t  *mb;

    mb = m->data;

    if (name->kind == MNID_ID && memcmp(name->guid, PS_MAPI, 16) == 0) {
        if (name->lid == 0 || name->lid >= EXS_NAMED_FIRST) {
            return EXS_NOTFOUND;
        }
        *id = (uint16_t) name->lid;
        return EXS_OK;
    }

    rc = exs_named_rkey(mb, name, &k);
    if (rc != EXS_OK) {
        return rc;
    }

    rc = exs_db_get(mb->txn, EXS_DB_NAMED, k.b, k.len, &val);

    if (rc == EXS_OK) {
        if (val.mv_size != 2) {
            return EXS_CORRUPT;
        }
        *id = exs_get_le16(val.mv_data);
        return EXS_OK;
    }

    if (rc != EXS_NOTFOUND || !create) {
        return rc;
    }

    if (exs_txn_rdonly(mb->txn)) {
        return EXS_DENIED;
    }

    if (mb->st->rec.next_named < EXS_NAMED_FIRST
        || mb->st->rec.next_named > EXS_NAMED_LAST)
    {
        return EXS_FULL;
    }

    *id = mb->st->rec.next_named++;
    mb->st->dirty = 1;

    exs_be32(fkey, mb->id);
    fkey[4] = 0;
    exs_be16(fkey + 5, *id);

    exs_wbuf_init(&b);
    exs_wbuf_mem(&b, name->guid, 16);
    exs_wbuf_u8(&b, name->kind);
    exs_wbuf_u32(&b, name->kind == MNID_ID ? name->lid : 0);

    if (name->kind == MNID_STRING) {
        exs_wbuf_str(&b, name->name, strlen(name->name));
    }

    rc = b.err;

    if (rc == EXS_OK) {
        rc = exs_db_put(mb->txn, EXS_DB_NAMED, fkey, sizeof(fkey), b.p, b.len,
                        0);
    }

    exs_wbuf_free(&b);

    if (rc != EXS_OK) {
        return exs_txn_fail(mb->txn, rc);
    }

    exs_le16(v, *id);

    return exs_db_put(mb->txn, EXS_DB_NAMED, k.b, k.len, v, 2, 0);
}


int
exs_named_decode(const void *data, size_t len, exs_propname_t *name,
    exs_arena_t *a)
{
    size_t          l;
    exs_rbuf_t      b;
    const char     *s;
    const uint8_t  *g;

    exs_rbuf_init(&b, data, len);

    g = exs_rbuf_mem(&b, 16);
    name->kind = exs_rbuf_u8(&b);
    name->lid = exs_rbuf_u32(&b);
    name->name = NULL;

    if (g == NULL || b.err != EXS_OK || name->kind > MNID_STRING) {
        return EXS_CORRUPT;
    }

    memcpy(name->guid, g, 16);

    if (name->kind == MNID_STRING) {
        s = exs_rbuf_str(&b, &l);
        if (s == NULL) {
            return EXS_CORRUPT;
        }

        name->name = exs_strndup(a, s, l);
        if (name->name == NULL) {
            return EXS_NOMEM;
        }
    }

    return b.p == b.end ? EXS_OK : EXS_CORRUPT;
}


static int
exs_named_get_name(exs_namemap_t *m, uint16_t id, exs_propname_t *name,
    exs_arena_t *a)
{
    int          rc;
    uint8_t      key[7];
    MDB_val      v;
    exs_mbox_t  *mb;

    mb = m->data;

    if (id < EXS_NAMED_FIRST) {
        memcpy(name->guid, PS_MAPI, 16);
        name->kind = MNID_ID;
        name->lid = id;
        name->name = NULL;
        return id ? EXS_OK : EXS_NOTFOUND;
    }

    exs_be32(key, mb->id);
    key[4] = 0;
    exs_be16(key + 5, id);

    rc = exs_db_get(mb->txn, EXS_DB_NAMED, key, sizeof(key), &v);
    if (rc != EXS_OK) {
        return rc;
    }

    return exs_named_decode(v.mv_data, v.mv_size, name, a);
}
