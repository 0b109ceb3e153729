
/*
 * exch store: identifiers in their wire forms (MS-OXCDATA 2.2).  Inside
 * the store an id is the 48-bit global counter value; a mailbox's replica
 * id is 1 and its replica GUID the mailbox GUID.
 *
 *   FID/MID (2.2.1.1): replica id (2 bytes LE), global counter (6 bytes BE)
 *   XID (MS-OXCFXICS 2.2.2.2): GUID (16 bytes), global counter (6 bytes BE)
 *   folder entry id (2.2.4.1): flags, provider UID, type 0x0001,
 *       database GUID, global counter, 2 bytes of padding: 46 bytes
 *   message entry id (2.2.4.2): the same for the folder, then the
 *       message's database GUID, global counter, padding: 70 bytes
 */


#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "exs_int.h"


#define EXS_EIT_PRIVATE_FOLDER   0x0001
#define EXS_EIT_PRIVATE_MESSAGE  0x0007


/* the provider UID of address book entry ids, MS-OXCDATA 2.2.5.2 */
static const uint8_t  exs_ab_provider[16] = {
    0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A,
    0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82
};




void
exs_gc_put(uint8_t *p, exs_id_t id)
{
    p[0] = (uint8_t) (id >> 40);
    p[1] = (uint8_t) (id >> 32);
    p[2] = (uint8_t) (id >> 24);
    p[3] = (uint8_t) (id >> 16);
    p[4] = (uint8_t) (id >> 8);
    p[5] = (uint8_t) id;
}


exs_id_t
exs_gc_get(const uint8_t *p)
{
    return (exs_id_t) p[0] << 40 | (exs_id_t) p[1] << 32
           | (exs_id_t) p[2] << 24 | (exs_id_t) p[3] << 16
           | (exs_id_t) p[4] << 8 | p[5];
}


uint64_t
exs_id_to_eid(uint16_t replid, exs_id_t id)
{
    uint8_t  b[8];

    /* the 8 bytes on the wire, read back as a little-endian integer */
    exs_le16(b, replid);
    exs_gc_put(b + 2, id);

    return exs_get_le64(b);
}


exs_id_t
exs_eid_to_id(uint64_t eid, uint16_t *replid)
{
    uint8_t  b[8];

    exs_le64(b, eid);

    if (replid) {
        *replid = exs_get_le16(b);
    }

    return exs_gc_get(b + 2);
}


void
exs_xid(const uint8_t *guid, exs_id_t id, uint8_t *out)
{
    memcpy(out, guid, 16);
    exs_gc_put(out + 16, id);
}


int
exs_folder_entryid(exs_mbox_t *mb, exs_id_t fid, uint8_t *out)
{
    memset(out, 0, EXS_FOLDER_ENTRYID_LEN);
    memcpy(out + 4, mb->st->rec.guid, 16);
    exs_le16(out + 20, EXS_EIT_PRIVATE_FOLDER);
    memcpy(out + 22, mb->st->rec.guid, 16);
    exs_gc_put(out + 38, fid);

    return EXS_OK;
}


int
exs_message_entryid(exs_mbox_t *mb, exs_id_t fid, exs_id_t mid,
    uint8_t *out)
{
    memset(out, 0, EXS_MESSAGE_ENTRYID_LEN);
    memcpy(out + 4, mb->st->rec.guid, 16);
    exs_le16(out + 20, EXS_EIT_PRIVATE_MESSAGE);
    memcpy(out + 22, mb->st->rec.guid, 16);
    exs_gc_put(out + 38, fid);
    memcpy(out + 46, mb->st->rec.guid, 16);
    exs_gc_put(out + 62, mid);

    return EXS_OK;
}


int
exs_entryid_parse(const uint8_t *data, size_t len, uint8_t guid[16],
    exs_id_t *fid, exs_id_t *mid)
{
    uint16_t  type;

    if (data == NULL || len < EXS_FOLDER_ENTRYID_LEN) {
        return EXS_INVALID;
    }

    if (exs_get_le32(data) != 0) {
        return EXS_INVALID;
    }

    type = exs_get_le16(data + 20);

    if (type == EXS_EIT_PRIVATE_FOLDER && len == EXS_FOLDER_ENTRYID_LEN) {
        memcpy(guid, data + 4, 16);
        *fid = exs_gc_get(data + 38);
        *mid = 0;

    } else if (type == EXS_EIT_PRIVATE_MESSAGE
               && len == EXS_MESSAGE_ENTRYID_LEN)
    {
        memcpy(guid, data + 4, 16);
        *fid = exs_gc_get(data + 38);
        *mid = exs_gc_get(data + 62);

        if (*mid == 0) {
            return EXS_INVALID;
        }

    } else {
        return EXS_INVALID;
    }

    return *fid ? EXS_OK : EXS_INVALID;
}


/*
 * A predecessor change list (MS-OXCFXICS 2.2.2.4): size-prefixed XIDs, at
 * most one per namespace GUID, the one with the highest counter.  The
 * merge keeps the existing entries of other GUIDs, in GUID order.
 */

int
exs_pcl_merge(exs_arena_t *a, const exs_bin_t *pcl, const uint8_t *xid,
    size_t xlen, exs_bin_t *out)
{
    int             placed, c;
    size_t          off, n, len;
    uint8_t        *p;
    const uint8_t  *e;

    if (xlen < 17 || xlen > 24) {
        return EXS_INVALID;
    }

    len = (pcl ? pcl->len : 0) + 1 + xlen;

    p = exs_alloc(a, len);
    if (p == NULL) {
        return EXS_NOMEM;
    }

    n = 0;
    placed = 0;

    for (off = 0; pcl && off < pcl->len; off += 1 + e[-1]) {
        e = pcl->data + off + 1;

        if (pcl->data[off] < 17 || pcl->data[off] > pcl->len - off - 1) {
            break;      /* damaged: keep what parsed */
        }

        c = memcmp(e, xid, 16);

        if (c == 0) {
            /* the same namespace: keep the higher counter */
            if (!placed) {
                if (pcl->data[off] == xlen
                    && memcmp(e + 16, xid + 16, xlen - 16) > 0)
                {
                    p[n++] = (uint8_t) pcl->data[off];
                    memcpy(p + n, e, pcl->data[off]);
                    n += pcl->data[off];
                } else {
                    p[n++] = (uint8_t) xlen;
                    memcpy(p + n, xid, xlen);
                    n += xlen;
                }
                placed = 1;
            }
            continue;
        }

        if (c > 0 && !placed) {
            p[n++] = (uint8_t) xlen;
            memcpy(p + n, xid, xlen);
            n += xlen;
            placed = 1;
        }

        p[n++] = pcl->data[off];
        memcpy(p + n, e, pcl->data[off]);
        n += pcl->data[off];
    }

    if (!placed) {
        p[n++] = (uint8_t) xlen;
        memcpy(p + n, xid, xlen);
        n += xlen;
    }

    out->data = p;
    out->len = n;

    return EXS_OK;
}


int
exs_guid_random(uint8_t *guid)
{
    ssize_t  n;

    n = getrandom(guid, 16, 0);
    if (n != 16) {
        return exs_rc(n < 0 ? errno : EIO);
    }

    /* a version 4 UUID */
    guid[7] = (guid[7] & 0x0F) | 0x40;
    guid[8] = (guid[8] & 0x3F) | 0x80;

    return EXS_OK;
}


int
exs_ab_entryid(exs_arena_t *a, const char *dn, uint32_t type, exs_bin_t *out)
{
    size_t    len;
    uint8_t  *p;

    len = strlen(dn);

    p = exs_alloc(a, 28 + len + 1);
    if (p == NULL) {
        return EXS_NOMEM;
    }

    exs_le32(p, 0);
    memcpy(p + 4, exs_ab_provider, 16);
    exs_le32(p + 20, 1);
    exs_le32(p + 24, type);
    memcpy(p + 28, dn, len + 1);

    out->data = p;
    out->len = 28 + len + 1;

    return EXS_OK;
}


/* the X500 DN of an address book entry id, or NULL */
const char *
exs_ab_entryid_dn(const uint8_t *data, size_t len)
{
    if (len < 29 || exs_get_le32(data) != 0
        || memcmp(data + 4, exs_ab_provider, 16) != 0
        || data[len - 1] != '\0')
    {
        return NULL;
    }

    return (const char *) data + 28;
}
