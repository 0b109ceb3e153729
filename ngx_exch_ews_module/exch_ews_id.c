
/*
 * exch EWS: folder, item and attachment ids and change keys in Exchange's
 * EWS id format, so that ConvertId can turn them into entry ids and back.
 *
 * An EwsId (Exchange 2007 SP1 and later) is base64 of
 *
 *     u8   compression             0 (none)
 *     u8   storage type            3: mailbox GUID based (EwsId),
 *                                  0: SMTP address based (EwsLegacyId)
 *     u16  length (LE)             of the mailbox moniker that follows
 *     ...  moniker                 the mailbox GUID as text (36 bytes), or
 *                                  the SMTP address
 *     u8   processing instruction  0: a normal object
 *     u16  length (LE)             of the store id: 46 or 70
 *     ...  store id                the folder or message entry id
 *                                  (MS-OXCDATA 2.2.4)
 *
 * An attachment id is its item's id followed by u8 count and, per level
 * of embedding, u16 length 4 and the attachment number (u32 LE).
 *
 * A ChangeKey is base64 of u32 object type (1 folder, 9 message, 15
 * calendar item), u32 length, PR_CHANGE_KEY (22 bytes).
 */


#include <string.h>

#include "exch_ews.h"


#define EXCH_EID_FOLDER_LEN     46
#define EXCH_EID_MESSAGE_LEN    70

#define EXCH_ID_STORAGE_SMTP    0
#define EXCH_ID_STORAGE_GUID    3


static void exch_gc_put(uint8_t *p, exs_id_t id);
static exs_id_t exch_gc_get(const uint8_t *p);
static int exch_hexval(int c);


static void
exch_gc_put(uint8_t *p, exs_id_t id)
{
    p[0] = (uint8_t) (id >> 40);
    p[1] = (uint8_t) (id >> 32);
    p[2] = (uint8_t) (id >> 24);
    p[3] = (uint8_t) (id >> 16);
    p[4] = (uint8_t) (id >> 8);
    p[5] = (uint8_t) id;
}


static exs_id_t
exch_gc_get(const uint8_t *p)
{
    return (exs_id_t) p[0] << 40 | (exs_id_t) p[1] << 32
           | (exs_id_t) p[2] << 24 | (exs_id_t) p[3] << 16
           | (exs_id_t) p[4] << 8 | p[5];
}


void
exch_ews_guid_text(const uint8_t *g, char *out)
{
    exch_guid_format(g, out);
}


int
exch_ews_entryid_make(const exch_ews_id_t *id, uint8_t *out, size_t *len)
{
    memset(out, 0, EXCH_EID_MESSAGE_LEN);
    memcpy(out + 4, id->guid, 16);
    memcpy(out + 22, id->guid, 16);
    exch_gc_put(out + 38, id->fid);

    if (id->kind == EXCH_EWS_ID_FOLDER) {
        out[20] = 0x01;
        *len = EXCH_EID_FOLDER_LEN;
        return EXS_OK;
    }

    out[20] = 0x07;
    memcpy(out + 46, id->guid, 16);
    exch_gc_put(out + 62, id->mid);
    *len = EXCH_EID_MESSAGE_LEN;

    return EXS_OK;
}


int
exch_ews_entryid_parse(const uint8_t *p, size_t len, exch_ews_id_t *id)
{
    memset(id, 0, sizeof(exch_ews_id_t));

    if (len != EXCH_EID_FOLDER_LEN && len != EXCH_EID_MESSAGE_LEN) {
        return EXS_INVALID;
    }

    if (p[0] || p[1] || p[2] || p[3] || p[21] != 0) {
        return EXS_INVALID;
    }

    if (p[20] == 0x01 && len == EXCH_EID_FOLDER_LEN) {
        id->kind = EXCH_EWS_ID_FOLDER;

    } else if (p[20] == 0x07 && len == EXCH_EID_MESSAGE_LEN) {
        id->kind = EXCH_EWS_ID_ITEM;
        id->mid = exch_gc_get(p + 62);

        if (id->mid == 0 || memcmp(p + 46, p + 22, 16) != 0) {
            return EXS_INVALID;
        }

    } else {
        return EXS_INVALID;
    }

    memcpy(id->guid, p + 4, 16);
    id->fid = exch_gc_get(p + 38);

    if (id->fid == 0 || memcmp(p + 22, p + 4, 16) != 0) {
        return EXS_INVALID;
    }

    return EXS_OK;
}


int
exch_ews_storeid_make(const exch_ews_id_t *id, uint8_t *out, size_t *len)
{
    size_t  n;

    exch_ews_entryid_make(id, out + 1, &n);

    out[0] = (uint8_t) n;
    out[1 + n] = id->kind == EXCH_EWS_ID_FOLDER ? EXCH_EWS_CK_FOLDER
                                                : EXCH_EWS_CK_MESSAGE;
    *len = n + 2;

    return EXS_OK;
}


int
exch_ews_storeid_parse(const uint8_t *p, size_t len, exch_ews_id_t *id)
{
    if (len < 2 || (size_t) p[0] + 2 != len) {
        return EXS_INVALID;
    }

    return exch_ews_entryid_parse(p + 1, p[0], id);
}


char *
exch_ews_id_encode(const exch_ews_id_t *id, exs_arena_t *a)
{
    char      *out;
    size_t     n, mlen, elen;
    uint32_t   i;
    uint8_t    raw[512];
    char       moniker[40];
    const char *m;

    if (id->legacy && id->smtp) {
        m = id->smtp;
        mlen = strlen(m);

        if (mlen > 256) {
            return NULL;
        }

    } else {
        exch_ews_guid_text(id->guid, moniker);
        m = moniker;
        mlen = 36;
    }

    n = 0;
    raw[n++] = 0;
    raw[n++] = (id->legacy && id->smtp) ? EXCH_ID_STORAGE_SMTP
                                        : EXCH_ID_STORAGE_GUID;
    raw[n++] = (uint8_t) mlen;
    raw[n++] = (uint8_t) (mlen >> 8);
    memcpy(raw + n, m, mlen);
    n += mlen;
    raw[n++] = 0;

    exch_ews_entryid_make(id, raw + n + 2, &elen);
    raw[n++] = (uint8_t) elen;
    raw[n++] = 0;
    n += elen;

    if (id->kind == EXCH_EWS_ID_ATTACH) {
        if (id->natt == 0 || id->natt > EXCH_EWS_MAX_ATT_DEPTH) {
            return NULL;
        }

        raw[n++] = (uint8_t) id->natt;

        for (i = 0; i < id->natt; i++) {
            raw[n++] = 4;
            raw[n++] = 0;
            raw[n++] = (uint8_t) id->att[i];
            raw[n++] = (uint8_t) ((uint32_t) id->att[i] >> 8);
            raw[n++] = (uint8_t) ((uint32_t) id->att[i] >> 16);
            raw[n++] = (uint8_t) ((uint32_t) id->att[i] >> 24);
        }
    }

    out = exs_alloc(a, exch_base64_encoded_len(n) + 1);
    if (out == NULL) {
        return NULL;
    }

    exch_base64_encode(raw, n, out);

    return out;
}


int
exch_ews_id_decode(const char *s, size_t len, exch_ews_id_t *id,
    exs_arena_t *a)
{
    int             rc, kind;
    size_t          n, off, mlen, elen, i;
    uint8_t         raw[600];
    exch_ews_id_t   e;
    char            moniker[40];
    uint8_t         guid[16];
    int             legacy;
    const char     *smtp;

    memset(id, 0, sizeof(exch_ews_id_t));

    if (len == 0 || len > 780) {
        return EXS_INVALID;
    }

    if (exch_base64_decode(s, len, raw, &n) != 0) {
        return EXS_INVALID;
    }

    if (n < 5 || raw[0] != 0) {
        return EXS_INVALID;
    }

    legacy = raw[1] == EXCH_ID_STORAGE_SMTP;
    smtp = NULL;

    if (raw[1] != EXCH_ID_STORAGE_GUID && !legacy) {
        return EXS_INVALID;
    }

    mlen = raw[2] | (size_t) raw[3] << 8;
    off = 4;

    if (mlen == 0 || mlen > n - off) {
        return EXS_INVALID;
    }

    if (legacy) {
        if (memchr(raw + off, '\0', mlen) != NULL
            || memchr(raw + off, '@', mlen) == NULL)
        {
            return EXS_INVALID;
        }

        smtp = exs_strndup(a, (const char *) raw + off, mlen);
        if (smtp == NULL) {
            return EXS_NOMEM;
        }

    } else {
        if (mlen != 36) {
            return EXS_INVALID;
        }

        memcpy(moniker, raw + off, 36);
        moniker[36] = '\0';

        if (exch_guid_parse(moniker, guid) != 0) {
            return EXS_INVALID;
        }
    }

    off += mlen;

    /* processing instruction, store id length */

    if (n - off < 3 || raw[off] > 2) {
        return EXS_INVALID;
    }

    elen = raw[off + 1] | (size_t) raw[off + 2] << 8;
    off += 3;

    if (elen > n - off) {
        return EXS_INVALID;
    }

    rc = exch_ews_entryid_parse(raw + off, elen, &e);
    if (rc != EXS_OK) {
        return rc;
    }

    off += elen;

    if (!legacy && memcmp(e.guid, guid, 16) != 0) {
        return EXS_INVALID;
    }

    kind = e.kind;

    if (off < n) {
        /* an attachment path */

        if (kind != EXCH_EWS_ID_ITEM) {
            return EXS_INVALID;
        }

        e.natt = raw[off++];

        if (e.natt == 0 || e.natt > EXCH_EWS_MAX_ATT_DEPTH) {
            return EXS_INVALID;
        }

        for (i = 0; i < e.natt; i++) {
            if (n - off < 6 || raw[off] != 4 || raw[off + 1] != 0) {
                return EXS_INVALID;
            }

            e.att[i] = (int32_t) ((uint32_t) raw[off + 2]
                                  | (uint32_t) raw[off + 3] << 8
                                  | (uint32_t) raw[off + 4] << 16
                                  | (uint32_t) raw[off + 5] << 24);

            if (e.att[i] < 0) {
                return EXS_INVALID;
            }

            off += 6;
        }

        if (off != n) {
            return EXS_INVALID;
        }

        kind = EXCH_EWS_ID_ATTACH;
    }

    *id = e;
    id->kind = kind;
    id->legacy = legacy;
    id->smtp = smtp;

    return EXS_OK;
}


char *
exch_ews_ck_encode(uint32_t type, const exs_bin_t *xid, exs_arena_t *a)
{
    char     *out;
    size_t    n;
    uint8_t   raw[8 + 64];

    n = xid && xid->len <= 64 ? xid->len : 0;

    raw[0] = (uint8_t) type;
    raw[1] = raw[2] = raw[3] = 0;

    if (n == 0) {
        out = exs_alloc(a, 9);
        if (out) {
            exch_base64_encode(raw, 4, out);
        }

        return out;
    }

    raw[4] = (uint8_t) n;
    raw[5] = raw[6] = raw[7] = 0;
    memcpy(raw + 8, xid->data, n);

    out = exs_alloc(a, exch_base64_encoded_len(8 + n) + 1);
    if (out == NULL) {
        return NULL;
    }

    exch_base64_encode(raw, 8 + n, out);

    return out;
}


int
exch_ews_ck_decode(const char *s, size_t len, exs_bin_t *xid, exs_arena_t *a)
{
    size_t    n, klen;
    uint8_t   raw[128];

    xid->len = 0;
    xid->data = NULL;

    if (len == 0 || len > 160 || exch_base64_decode(s, len, raw, &n) != 0) {
        return EXS_INVALID;
    }

    if (n == 4) {
        return EXS_OK;
    }

    if (n < 8) {
        return EXS_INVALID;
    }

    klen = raw[4] | (size_t) raw[5] << 8 | (size_t) raw[6] << 16
           | (size_t) raw[7] << 24;

    if (klen != n - 8 || klen < 17 || klen > 24) {
        return EXS_INVALID;
    }

    xid->data = exs_memdup(a, raw + 8, klen);
    if (xid->data == NULL) {
        return EXS_NOMEM;
    }

    xid->len = klen;

    return EXS_OK;
}


static int
exch_hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}


int
exch_ews_hex_decode(const char *s, size_t n, uint8_t *out, size_t *outlen)
{
    int     hi, lo;
    size_t  i;

    if (n % 2) {
        return -1;
    }

    for (i = 0; i < n; i += 2) {
        hi = exch_hexval((unsigned char) s[i]);
        lo = exch_hexval((unsigned char) s[i + 1]);

        if (hi < 0 || lo < 0) {
            return -1;
        }

        out[i / 2] = (uint8_t) (hi << 4 | lo);
    }

    *outlen = n / 2;

    return 0;
}
