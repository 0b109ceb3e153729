
/*
 * exch store: the on-disk codec.  Property bags, message sub-objects,
 * restrictions and the fixed record headers, in the little-endian form
 * store/README.md describes.  The decoders read store files, which can be
 * damaged: every read is checked against the end, no count is trusted, and
 * damage is EXS_CORRUPT (fuzz/propbag.c).
 */


#include <stdlib.h>
#include <string.h>

#include "exs_int.h"


#define EXS_RES_MAX_DEPTH       32


static void exs_prop_encode(exs_wbuf_t *b, const exs_prop_t *p);
static int exs_prop_decode(exs_rbuf_t *b, exs_prop_t *p, unsigned flags,
    int allow_ool, exs_arena_t *a);
static int exs_mv_decode(exs_rbuf_t *b, exs_prop_t *p, unsigned flags,
    exs_arena_t *a);
static int exs_prop_skip(exs_rbuf_t *b, uint32_t *tag, exs_arena_t *a);
static int exs_prop_storable(const exs_prop_t *p);
static uint32_t *exs_bag_order(const exs_props_t *props, uint32_t *n);
static int exs_tag_cmp(const void *a, const void *b);
static int exs_bag_refs(exs_txn_t *t, const exs_props_t *props, int delta);
static int exs_props_check(const exs_props_t *props, int allow_ool);
static int exs_display_list(exs_arena_t *a, const exs_msg_t *msg,
    int32_t type, exs_props_t *props, uint32_t tag);


/* buffers */

void
exs_wbuf_init(exs_wbuf_t *b)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->err = EXS_OK;
}


void
exs_wbuf_free(exs_wbuf_t *b)
{
    free(b->p);
    exs_wbuf_init(b);
}


uint8_t *
exs_wbuf_room(exs_wbuf_t *b, size_t n)
{
    size_t    cap;
    uint8_t  *p;

    if (b->err != EXS_OK) {
        return NULL;
    }

    if (b->cap - b->len < n) {
        cap = b->cap ? b->cap : 256;

        while (cap - b->len < n) {
            if (cap > SIZE_MAX / 2) {
                b->err = EXS_TOOBIG;
                return NULL;
            }
            cap *= 2;
        }

        p = realloc(b->p, cap);
        if (p == NULL) {
            b->err = EXS_NOMEM;
            return NULL;
        }

        b->p = p;
        b->cap = cap;
    }

    p = b->p + b->len;
    b->len += n;

    return p;
}


void
exs_wbuf_mem(exs_wbuf_t *b, const void *p, size_t n)
{
    uint8_t  *d;

    if (n == 0) {
        return;                         /* no NULL + 0 on an empty buffer */
    }

    d = exs_wbuf_room(b, n);
    if (d) {
        memcpy(d, p, n);
    }
}


void
exs_wbuf_u8(exs_wbuf_t *b, uint8_t v)
{
    uint8_t  *d;

    d = exs_wbuf_room(b, 1);
    if (d) {
        *d = v;
    }
}


void
exs_wbuf_u16(exs_wbuf_t *b, uint16_t v)
{
    uint8_t  *d;

    d = exs_wbuf_room(b, 2);
    if (d) {
        exs_le16(d, v);
    }
}


void
exs_wbuf_u32(exs_wbuf_t *b, uint32_t v)
{
    uint8_t  *d;

    d = exs_wbuf_room(b, 4);
    if (d) {
        exs_le32(d, v);
    }
}


void
exs_wbuf_u64(exs_wbuf_t *b, uint64_t v)
{
    uint8_t  *d;

    d = exs_wbuf_room(b, 8);
    if (d) {
        exs_le64(d, v);
    }
}


void
exs_wbuf_varint(exs_wbuf_t *b, uint64_t v)
{
    uint8_t  buf[10];
    size_t   n;

    n = 0;

    do {
        buf[n] = v & 0x7F;
        v >>= 7;
        if (v) {
            buf[n] |= 0x80;
        }
        n++;
    } while (v);

    exs_wbuf_mem(b, buf, n);
}


void
exs_wbuf_str(exs_wbuf_t *b, const char *s, size_t len)
{
    exs_wbuf_varint(b, len);
    exs_wbuf_mem(b, s, len);
    exs_wbuf_u8(b, 0);
}


void
exs_rbuf_init(exs_rbuf_t *b, const void *p, size_t len)
{
    b->p = p;
    b->end = b->p + len;
    b->err = EXS_OK;
}








const char *
exs_rbuf_str(exs_rbuf_t *b, size_t *len)
{
    uint64_t        n;
    const uint8_t  *p;

    n = exs_rbuf_varint(b);

    if (b->err != EXS_OK || n >= (uint64_t) (b->end - b->p)) {
        b->err = EXS_CORRUPT;
        return NULL;
    }

    p = exs_rbuf_mem(b, n + 1);

    if (p == NULL || p[n] != '\0') {
        b->err = EXS_CORRUPT;
        return NULL;
    }

    *len = n;

    return (const char *) p;
}


uint32_t
exs_rbuf_count(exs_rbuf_t *b, size_t min)
{
    uint64_t  n;

    n = exs_rbuf_varint(b);

    if (b->err != EXS_OK) {
        return 0;
    }

    if (n > UINT32_MAX || (min && n > (uint64_t) (b->end - b->p) / min)) {
        b->err = EXS_CORRUPT;
        return 0;
    }

    return (uint32_t) n;
}


/* fixed headers */

void
exs_folder_hdr_put(uint8_t *p, const exs_folder_hdr_t *h)
{
    int  i;

    memset(p, 0, EXS_FOLDER_HDR_LEN);
    p[0] = 1;
    p[1] = h->type;
    exs_le16(p + 2, h->flags);
    exs_le32(p + 4, h->creator);
    exs_le64(p + 8, h->parent);
    exs_le64(p + 16, h->cn);
    exs_le64(p + 24, h->content_cn);
    exs_le64(p + 32, (uint64_t) h->deleted_on);
    exs_le64(p + 40, (uint64_t) h->content_time);

    for (i = 0; i < 4; i++) {
        exs_le32(p + 48 + 4 * i, h->count[i]);
        exs_le64(p + 88 + 8 * i, (uint64_t) h->size[i]);
    }

    exs_le32(p + 64, h->unread);
    exs_le32(p + 68, h->nchild);
    exs_le32(p + 72, h->nchild_del);
    exs_le32(p + 76, h->next_uid);
    exs_le32(p + 80, h->uidvalidity);
    exs_le32(p + 84, h->hier_changes);
}


void
exs_folder_hdr_get(const uint8_t *p, exs_folder_hdr_t *h)
{
    int  i;

    h->type = p[1];
    h->flags = exs_get_le16(p + 2);
    h->creator = exs_get_le32(p + 4);
    h->parent = exs_get_le64(p + 8);
    h->cn = exs_get_le64(p + 16);
    h->content_cn = exs_get_le64(p + 24);
    h->deleted_on = (int64_t) exs_get_le64(p + 32);
    h->content_time = (int64_t) exs_get_le64(p + 40);

    for (i = 0; i < 4; i++) {
        h->count[i] = exs_get_le32(p + 48 + 4 * i);
        h->size[i] = (int64_t) exs_get_le64(p + 88 + 8 * i);
    }

    h->unread = exs_get_le32(p + 64);
    h->nchild = exs_get_le32(p + 68);
    h->nchild_del = exs_get_le32(p + 72);
    h->next_uid = exs_get_le32(p + 76);
    h->uidvalidity = exs_get_le32(p + 80);
    h->hier_changes = exs_get_le32(p + 84);
}


void
exs_msg_hdr_put(uint8_t *p, const exs_msg_hdr_t *h)
{
    memset(p, 0, EXS_MSG_HDR_LEN);
    p[0] = 1;
    p[1] = h->state;
    exs_le32(p + 4, h->flags);
    exs_le64(p + 8, h->fid);
    exs_le64(p + 16, h->cn);
    exs_le64(p + 24, h->read_cn);
    exs_le32(p + 32, h->uid);
    exs_le32(p + 36, h->creator);
    exs_le64(p + 40, (uint64_t) h->delivery);
    exs_le64(p + 48, (uint64_t) h->deleted_on);
    exs_le64(p + 56, (uint64_t) h->size);
    exs_le32(p + 64, h->natts);
    exs_le32(p + 68, h->nrcpts);
}


void
exs_msg_hdr_get(const uint8_t *p, exs_msg_hdr_t *h)
{
    h->state = p[1];
    h->flags = exs_get_le32(p + 4);
    h->fid = exs_get_le64(p + 8);
    h->cn = exs_get_le64(p + 16);
    h->read_cn = exs_get_le64(p + 24);
    h->uid = exs_get_le32(p + 32);
    h->creator = exs_get_le32(p + 36);
    h->delivery = (int64_t) exs_get_le64(p + 40);
    h->deleted_on = (int64_t) exs_get_le64(p + 48);
    h->size = (int64_t) exs_get_le64(p + 56);
    h->natts = exs_get_le32(p + 64);
    h->nrcpts = exs_get_le32(p + 68);
}


void
exs_mbox_rec_put(uint8_t *p, const exs_mbox_rec_t *r)
{
    memset(p, 0, EXS_MBOX_REC_LEN);
    p[0] = 1;
    exs_le16(p + 2, r->replid);
    exs_le32(p + 4, r->owner);
    memcpy(p + 8, r->guid, 16);
    exs_le64(p + 24, r->next_gc);
    exs_le64(p + 32, r->last_cn);
    exs_le64(p + 40, (uint64_t) r->size);
    exs_le64(p + 48, (uint64_t) r->created);
    exs_le16(p + 56, r->next_named);
}


void
exs_mbox_rec_get(const uint8_t *p, exs_mbox_rec_t *r)
{
    r->replid = exs_get_le16(p + 2);
    r->owner = exs_get_le32(p + 4);
    memcpy(r->guid, p + 8, 16);
    r->next_gc = exs_get_le64(p + 24);
    r->last_cn = exs_get_le64(p + 32);
    r->size = (int64_t) exs_get_le64(p + 40);
    r->created = (int64_t) exs_get_le64(p + 48);
    r->next_named = exs_get_le16(p + 56);
}


/* property values */

size_t
exs_prop_size(const exs_prop_t *p)
{
    size_t    size, n;
    uint16_t  type;
    uint32_t  i;

    type = PROP_TYPE(p->tag);

    if (type & (EXS_PT_OOL | EXS_PT_PREP)) {
        type &= ~(EXS_PT_OOL | EXS_PT_PREP);
        return p->v.bin.len
               + ((type == PT_UNICODE || type == PT_STRING8) ? 1 : 0);
    }

    switch (type) {
    case PT_STRING8:
    case PT_UNICODE:
        return p->v.str.len + 1;
    case PT_BINARY:
    case PT_SVREID:
    case PT_SRESTRICTION:
    case PT_ACTIONS:
        return p->v.bin.len;
    case PT_MV_STRING8:
    case PT_MV_UNICODE:
        size = 0;
        for (i = 0; i < p->v.mv.n; i++) {
            size += p->v.mv.v.str[i].len + 1;
        }
        return size;
    case PT_MV_BINARY:
        size = 0;
        for (i = 0; i < p->v.mv.n; i++) {
            size += p->v.mv.v.bin[i].len;
        }
        return size;
    default:
        break;
    }

    n = exs_proptype_size(type & ~PT_MV);

    return (type & PT_MV) ? n * p->v.mv.n : n;
}


static void
exs_prop_encode(exs_wbuf_t *b, const exs_prop_t *p)
{
    uint8_t   *d;
    uint16_t   type;
    uint32_t   i, u;
    uint64_t   ull;

    type = PROP_TYPE(p->tag);
    exs_wbuf_u32(b, p->tag & ~(uint32_t) EXS_PT_OOL);

    if (type & EXS_PT_OOL) {
        exs_wbuf_varint(b, ((uint64_t) p->v.bin.len << 1) | 1);
        exs_wbuf_mem(b, p->v.bin.data, EXS_SHA_LEN);
        return;
    }

    switch (type) {

    case PT_SHORT:
        exs_wbuf_u16(b, (uint16_t) p->v.i);
        return;

    case PT_LONG:
    case PT_ERROR:
        exs_wbuf_u32(b, (uint32_t) p->v.l);
        return;

    case PT_FLOAT:
        memcpy(&u, &p->v.f, 4);
        exs_wbuf_u32(b, u);
        return;

    case PT_BOOLEAN:
        exs_wbuf_u8(b, p->v.b ? 1 : 0);
        return;

    case PT_DOUBLE:
    case PT_APPTIME:
        memcpy(&ull, &p->v.d, 8);
        exs_wbuf_u64(b, ull);
        return;

    case PT_CURRENCY:
    case PT_I8:
    case PT_SYSTIME:
        exs_wbuf_u64(b, (uint64_t) p->v.ll);
        return;

    case PT_CLSID:
        d = exs_wbuf_room(b, 16);
        if (d) {
            memset(d, 0, 16);
            memcpy(d, p->v.bin.data, p->v.bin.len < 16 ? p->v.bin.len : 16);
        }
        return;

    case PT_STRING8:
    case PT_UNICODE:
        exs_wbuf_varint(b, (uint64_t) p->v.str.len << 1);
        exs_wbuf_mem(b, p->v.str.data, p->v.str.len);
        exs_wbuf_u8(b, 0);
        return;

    case PT_BINARY:
    case PT_SVREID:
    case PT_SRESTRICTION:
    case PT_ACTIONS:
        exs_wbuf_varint(b, (uint64_t) p->v.bin.len << 1);
        exs_wbuf_mem(b, p->v.bin.data, p->v.bin.len);
        return;

    default:
        break;
    }

    exs_wbuf_varint(b, p->v.mv.n);

    for (i = 0; i < p->v.mv.n; i++) {

        switch (type) {

        case PT_MV_SHORT:
            exs_wbuf_u16(b, (uint16_t) p->v.mv.v.i[i]);
            break;

        case PT_MV_LONG:
            exs_wbuf_u32(b, (uint32_t) p->v.mv.v.l[i]);
            break;

        case PT_MV_FLOAT:
            memcpy(&u, &p->v.mv.v.f[i], 4);
            exs_wbuf_u32(b, u);
            break;

        case PT_MV_DOUBLE:
        case PT_MV_APPTIME:
            memcpy(&ull, &p->v.mv.v.d[i], 8);
            exs_wbuf_u64(b, ull);
            break;

        case PT_MV_CURRENCY:
        case PT_MV_I8:
        case PT_MV_SYSTIME:
            exs_wbuf_u64(b, (uint64_t) p->v.mv.v.ll[i]);
            break;

        case PT_MV_CLSID:
            d = exs_wbuf_room(b, 16);
            if (d) {
                memset(d, 0, 16);
                memcpy(d, p->v.mv.v.bin[i].data,
                       p->v.mv.v.bin[i].len < 16 ? p->v.mv.v.bin[i].len : 16);
            }
            break;

        case PT_MV_STRING8:
        case PT_MV_UNICODE:
            exs_wbuf_str(b, p->v.mv.v.str[i].data, p->v.mv.v.str[i].len);
            break;

        case PT_MV_BINARY:
            exs_wbuf_varint(b, p->v.mv.v.bin[i].len);
            exs_wbuf_mem(b, p->v.mv.v.bin[i].data, p->v.mv.v.bin[i].len);
            break;

        default:
            b->err = EXS_INVALID;
            return;
        }
    }
}


static int
exs_prop_decode(exs_rbuf_t *b, exs_prop_t *p, unsigned flags, int allow_ool,
    exs_arena_t *a)
{
    uint16_t        type;
    uint32_t        u;
    uint64_t        v, ull;
    const uint8_t  *d;

    p->tag = exs_rbuf_u32(b);
    type = PROP_TYPE(p->tag);

    if (b->err != EXS_OK) {
        return EXS_CORRUPT;
    }

    /* the types with a case below are all valid ones */

    switch (type) {

    case PT_SHORT:
        p->v.i = (int16_t) exs_rbuf_u16(b);
        break;

    case PT_LONG:
    case PT_ERROR:
        p->v.l = (int32_t) exs_rbuf_u32(b);
        break;

    case PT_FLOAT:
        u = exs_rbuf_u32(b);
        memcpy(&p->v.f, &u, 4);
        break;

    case PT_BOOLEAN:
        p->v.b = exs_rbuf_u8(b) ? 1 : 0;
        break;

    case PT_DOUBLE:
    case PT_APPTIME:
        ull = exs_rbuf_u64(b);
        memcpy(&p->v.d, &ull, 8);
        break;

    case PT_CURRENCY:
    case PT_I8:
    case PT_SYSTIME:
        p->v.ll = (int64_t) exs_rbuf_u64(b);
        break;

    case PT_CLSID:
        d = exs_rbuf_mem(b, 16);
        if (d == NULL) {
            return EXS_CORRUPT;
        }
        p->v.bin.len = 16;
        p->v.bin.data = (flags & EXS_DEC_COPY) ? exs_memdup(a, d, 16) : d;
        if (p->v.bin.data == NULL) {
            return EXS_NOMEM;
        }
        break;

    case PT_STRING8:
    case PT_UNICODE:
    case PT_BINARY:
    case PT_SVREID:
    case PT_SRESTRICTION:
    case PT_ACTIONS:
        v = exs_rbuf_varint(b);
        if (b->err != EXS_OK) {
            return EXS_CORRUPT;
        }

        if (v & 1) {
            if (!allow_ool || type == PT_SVREID || type == PT_SRESTRICTION
                || type == PT_ACTIONS || (v >> 1) > SIZE_MAX)
            {
                return EXS_CORRUPT;
            }

            d = exs_rbuf_mem(b, EXS_SHA_LEN);
            if (d == NULL) {
                return EXS_CORRUPT;
            }

            p->tag |= EXS_PT_OOL;
            p->v.bin.len = (size_t) (v >> 1);
            p->v.bin.data = (flags & EXS_DEC_COPY)
                            ? exs_memdup(a, d, EXS_SHA_LEN) : d;
            return p->v.bin.data ? EXS_OK : EXS_NOMEM;
        }

        v >>= 1;

        if (type == PT_STRING8 || type == PT_UNICODE) {
            if (v >= (uint64_t) (b->end - b->p)) {
                return EXS_CORRUPT;
            }

            d = exs_rbuf_mem(b, v + 1);
            if (d == NULL || d[v] != '\0') {
                return EXS_CORRUPT;
            }

            p->v.str.len = v;
            p->v.str.data = (flags & EXS_DEC_COPY)
                            ? exs_strndup(a, (const char *) d, v)
                            : (const char *) d;
            return p->v.str.data ? EXS_OK : EXS_NOMEM;
        }

        if (v > (uint64_t) (b->end - b->p)) {
            return EXS_CORRUPT;
        }

        d = exs_rbuf_mem(b, v);
        if (d == NULL) {
            return EXS_CORRUPT;
        }

        p->v.bin.len = v;
        p->v.bin.data = (flags & EXS_DEC_COPY) ? exs_memdup(a, d, v) : d;
        return p->v.bin.data ? EXS_OK : EXS_NOMEM;

    default:
        if (!exs_proptype_valid(type) || type == PT_OBJECT) {
            return EXS_CORRUPT;
        }

        return exs_mv_decode(b, p, flags, a);
    }

    return b->err;
}


static int
exs_mv_decode(exs_rbuf_t *b, exs_prop_t *p, unsigned flags, exs_arena_t *a)
{
    size_t          size, min, len;
    uint16_t        type;
    uint32_t        i, n, u;
    uint64_t        ull, v;
    const char     *s;
    const uint8_t  *d;

    type = PROP_TYPE(p->tag);

    switch (type) {
    case PT_MV_STRING8:
    case PT_MV_UNICODE:
        min = 2;
        size = sizeof(exs_str_t);
        break;
    case PT_MV_BINARY:
        min = 1;
        size = sizeof(exs_bin_t);
        break;
    case PT_MV_CLSID:
        min = 16;
        size = sizeof(exs_bin_t);
        break;
    default:
        min = exs_proptype_size(type & ~PT_MV);
        size = min;
        if (min == 0) {
            return EXS_CORRUPT;
        }
        break;
    }

    n = exs_rbuf_count(b, min);
    if (b->err != EXS_OK) {
        return EXS_CORRUPT;
    }

    p->v.mv.n = n;
    p->v.mv.v.p = exs_alloc(a, n ? n * size : 1);

    if (p->v.mv.v.p == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < n; i++) {

        switch (type) {

        case PT_MV_SHORT:
            p->v.mv.v.i[i] = (int16_t) exs_rbuf_u16(b);
            break;

        case PT_MV_LONG:
            p->v.mv.v.l[i] = (int32_t) exs_rbuf_u32(b);
            break;

        case PT_MV_FLOAT:
            u = exs_rbuf_u32(b);
            memcpy(&p->v.mv.v.f[i], &u, 4);
            break;

        case PT_MV_DOUBLE:
        case PT_MV_APPTIME:
            ull = exs_rbuf_u64(b);
            memcpy(&p->v.mv.v.d[i], &ull, 8);
            break;

        case PT_MV_CURRENCY:
        case PT_MV_I8:
        case PT_MV_SYSTIME:
            p->v.mv.v.ll[i] = (int64_t) exs_rbuf_u64(b);
            break;

        case PT_MV_CLSID:
            d = exs_rbuf_mem(b, 16);
            if (d == NULL) {
                return EXS_CORRUPT;
            }
            p->v.mv.v.bin[i].len = 16;
            p->v.mv.v.bin[i].data = (flags & EXS_DEC_COPY)
                                    ? exs_memdup(a, d, 16) : d;
            if (p->v.mv.v.bin[i].data == NULL) {
                return EXS_NOMEM;
            }
            break;

        case PT_MV_STRING8:
        case PT_MV_UNICODE:
            s = exs_rbuf_str(b, &len);
            if (s == NULL) {
                return EXS_CORRUPT;
            }
            p->v.mv.v.str[i].len = len;
            p->v.mv.v.str[i].data = (flags & EXS_DEC_COPY)
                                    ? exs_strndup(a, s, len) : s;
            if (p->v.mv.v.str[i].data == NULL) {
                return EXS_NOMEM;
            }
            break;

        default: /* PT_MV_BINARY */
            v = exs_rbuf_varint(b);
            if (b->err != EXS_OK || v > (uint64_t) (b->end - b->p)) {
                return EXS_CORRUPT;
            }
            d = exs_rbuf_mem(b, v);
            if (d == NULL) {
                return EXS_CORRUPT;
            }
            p->v.mv.v.bin[i].len = v;
            p->v.mv.v.bin[i].data = (flags & EXS_DEC_COPY)
                                    ? exs_memdup(a, d, v) : d;
            if (p->v.mv.v.bin[i].data == NULL) {
                return EXS_NOMEM;
            }
            break;
        }

        if (b->err != EXS_OK) {
            return EXS_CORRUPT;
        }
    }

    return EXS_OK;
}


/* bags */

static int
exs_prop_storable(const exs_prop_t *p)
{
    uint16_t  type;

    type = PROP_TYPE(p->tag) & ~(EXS_PT_OOL | EXS_PT_PREP);

    switch (type) {
    case PT_UNSPECIFIED:
    case PT_NULL:
    case PT_ERROR:
    case PT_OBJECT:
        return 0;
    default:
        return 1;
    }
}


static int
exs_props_check(const exs_props_t *props, int allow_ool)
{
    uint16_t           type;
    uint32_t           i, j;
    const exs_prop_t  *p;

    for (i = 0; i < props->n; i++) {
        p = &props->v[i];

        if (!exs_prop_storable(p)) {
            continue;
        }

        type = PROP_TYPE(p->tag);

        if (type & EXS_PT_OOL) {
            /* only the store itself names blobs */
            if (!allow_ool) {
                return EXS_INVALID;
            }
            continue;
        }

        if (type & EXS_PT_PREP) {
            /* exs_message_prepare() made it */
            if ((type & ~EXS_PT_PREP) != PT_UNICODE
                && (type & ~EXS_PT_PREP) != PT_BINARY)
            {
                return EXS_INVALID;
            }

            if (p->v.bin.data == NULL
                || ((const exs_pblob_t *) (const void *)
                    p->v.bin.data)->magic != EXS_PBLOB_MAGIC)
            {
                return EXS_INVALID;
            }
            continue;
        }

        if (!exs_proptype_valid(type) || (type & PT_MV_INSTANCE)) {
            return EXS_INVALID;
        }

        if (type & PT_MV) {
            if (p->v.mv.n && p->v.mv.v.p == NULL) {
                return EXS_INVALID;
            }

            for (j = 0; j < p->v.mv.n; j++) {
                switch (type) {
                case PT_MV_STRING8:
                case PT_MV_UNICODE:
                case PT_MV_BINARY:
                case PT_MV_CLSID:
                    /* exs_str_t and exs_bin_t share their layout */
                    if (p->v.mv.v.bin[j].data == NULL
                        && p->v.mv.v.bin[j].len)
                    {
                        return EXS_INVALID;
                    }
                    break;
                }
            }

            continue;
        }

        switch (type) {
        case PT_STRING8:
        case PT_UNICODE:
            if (p->v.str.data == NULL) {
                return EXS_INVALID;
            }
            break;
        case PT_BINARY:
        case PT_CLSID:
        case PT_SVREID:
        case PT_SRESTRICTION:
        case PT_ACTIONS:
            if (p->v.bin.data == NULL && p->v.bin.len) {
                return EXS_INVALID;
            }
            break;
        }
    }

    return EXS_OK;
}


int
exs_props_validate(const exs_props_t *props)
{
    return exs_props_check(props, 0);
}


static int
exs_tag_cmp(const void *a, const void *b)
{
    uint32_t  x, y;

    x = PROP_ID(*(const uint32_t *) a);
    y = PROP_ID(*(const uint32_t *) b);

    if (x != y) {
        return x < y ? -1 : 1;
    }

    /* the same id twice: the later one wins (it sorts last) */
    x = *((const uint32_t *) a + 1);
    y = *((const uint32_t *) b + 1);

    return (x > y) - (x < y);
}


/* (id, index) pairs of the storable props in id order, one per id */

static uint32_t *
exs_bag_order(const exs_props_t *props, uint32_t *n)
{
    uint32_t  i, j, *pairs, *order;

    *n = 0;

    pairs = malloc((props->n ? props->n : 1) * 2 * sizeof(uint32_t));
    if (pairs == NULL) {
        return NULL;
    }

    j = 0;
    for (i = 0; i < props->n; i++) {
        if (exs_prop_storable(&props->v[i])) {
            pairs[2 * j] = props->v[i].tag;
            pairs[2 * j + 1] = i;
            j++;
        }
    }

    qsort(pairs, j, 2 * sizeof(uint32_t), exs_tag_cmp);

    order = pairs;
    *n = 0;

    for (i = 0; i < j; i++) {
        if (i + 1 < j && PROP_ID(pairs[2 * i]) == PROP_ID(pairs[2 * i + 2])) {
            continue;
        }
        order[(*n)++] = pairs[2 * i + 1];
    }

    return order;
}


void
exs_bag_encode_plain(exs_wbuf_t *b, const exs_props_t *props)
{
    uint32_t     i, n, *order;
    exs_prop_t   p;

    order = exs_bag_order(props, &n);
    if (order == NULL) {
        b->err = EXS_NOMEM;
        return;
    }

    exs_wbuf_varint(b, n);

    for (i = 0; i < n; i++) {
        p = props->v[order[i]];

        if ((PROP_TYPE(p.tag) & ~PT_MV) == PT_STRING8) {
            p.tag = PROP_CHANGE_TYPE(p.tag, PROP_TYPE(p.tag) + 1);
        }

        exs_prop_encode(b, &p);
    }

    free(order);
}


int
exs_bag_decode(exs_rbuf_t *b, exs_props_t *props, unsigned flags,
    exs_arena_t *a)
{
    return exs_bag_decode_ids(b, props, flags, NULL, 0, a);   /* all */
}


/* passes over one value with the checks of exs_prop_decode() */

static int
exs_prop_skip(exs_rbuf_t *b, uint32_t *tag, exs_arena_t *a)
{
    size_t          n;
    uint16_t        type;
    uint64_t        v;
    exs_prop_t      p;
    const uint8_t  *start;

    start = b->p;
    *tag = exs_rbuf_u32(b);
    type = PROP_TYPE(*tag);

    if (b->err != EXS_OK) {
        return EXS_CORRUPT;
    }

    /* the fixed sizes; then the counted ones; the rare ones (multiple
     * values, rules, restrictions) are decoded */

    n = exs_proptype_size(type);

    if (n) {
        return exs_rbuf_mem(b, n) ? EXS_OK : EXS_CORRUPT;
    }

    if (type != PT_STRING8 && type != PT_UNICODE && type != PT_BINARY) {
        b->p = start;
        return exs_prop_decode(b, &p, 0, 1, a);
    }

    v = exs_rbuf_varint(b);
    if (b->err != EXS_OK) {
        return EXS_CORRUPT;
    }

    if (v & 1) {
        if ((v >> 1) > SIZE_MAX) {
            return EXS_CORRUPT;
        }

        n = EXS_SHA_LEN;

    } else if (type == PT_BINARY) {
        if ((v >> 1) > (uint64_t) (b->end - b->p)) {
            return EXS_CORRUPT;
        }

        n = (size_t) (v >> 1);

    } else {
        v >>= 1;

        if (v >= (uint64_t) (b->end - b->p) || b->p[v] != '\0') {
            return EXS_CORRUPT;
        }

        n = (size_t) v + 1;
    }

    return exs_rbuf_mem(b, n) ? EXS_OK : EXS_CORRUPT;
}


int
exs_bag_decode_ids(exs_rbuf_t *b, exs_props_t *props, unsigned flags,
    const uint16_t *ids, uint32_t nids, exs_arena_t *a)
{
    int          rc;
    uint32_t     i, j, n, last, tag, id;
    exs_prop_t  *p;

    props->n = 0;
    props->cap = 0;
    props->v = NULL;

    n = exs_rbuf_count(b, 5);
    if (b->err != EXS_OK) {
        return EXS_CORRUPT;
    }

    if (n == 0) {
        return EXS_OK;
    }

    props->cap = (nids == 0 || n < nids) ? n : nids;
    props->v = exs_alloc(a, (props->cap ? props->cap : 1)
                            * sizeof(exs_prop_t));
    if (props->v == NULL) {
        return EXS_NOMEM;
    }

    last = 0;
    j = 0;

    for (i = 0; i < n; i++) {

        if (b->end - b->p < 4) {
            b->err = EXS_CORRUPT;
            return EXS_CORRUPT;
        }

        id = PROP_ID(exs_get_le32(b->p));

        while (j < nids && ids[j] < id) {
            j++;
        }

        if (nids == 0
            || (j < nids && ids[j] == id && props->n < props->cap))
        {
            p = &props->v[props->n];
            rc = exs_prop_decode(b, p, flags, 1, a);
            tag = p->tag;

            if (rc == EXS_OK) {
                props->n++;
            }

        } else {
            rc = exs_prop_skip(b, &tag, a);
        }

        if (rc != EXS_OK) {
            b->err = EXS_CORRUPT;
            return rc == EXS_NOMEM ? rc : EXS_CORRUPT;
        }

        /* ids are stored strictly increasing: no duplicates */
        if (i > 0 && PROP_ID(tag) <= last) {
            b->err = EXS_CORRUPT;
            return EXS_CORRUPT;
        }

        last = PROP_ID(tag);
    }

    return EXS_OK;
}


int
exs_bag_skip(exs_rbuf_t *b)
{
    int           rc;
    exs_props_t   props;
    exs_arena_t  *a;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = exs_bag_decode(b, &props, 0, a);
    exs_arena_destroy(a);

    return rc;
}


int
exs_bag_store(exs_txn_t *t, exs_wbuf_t *b, const exs_props_t *props,
    int64_t *size)
{
    int                 rc;
    uint16_t            type;
    uint32_t            i, n, *order;
    uint8_t             sha[EXS_SHA_LEN];
    exs_prop_t          p;
    const exs_pblob_t  *pb;

    rc = exs_props_check(props, 1);
    if (rc != EXS_OK) {
        return rc;
    }

    order = exs_bag_order(props, &n);
    if (order == NULL) {
        return EXS_NOMEM;
    }

    exs_wbuf_varint(b, n);

    for (i = 0; i < n; i++) {
        p = props->v[order[i]];
        type = PROP_TYPE(p.tag);

        if ((type & ~PT_MV) == PT_STRING8) {
            type++;
            p.tag = PROP_CHANGE_TYPE(p.tag, type);
        }

        if (size) {
            *size += 4 + exs_prop_size(&p);
        }

        if (type & EXS_PT_OOL) {
            rc = exs_blob_ref(t, p.v.bin.data, 1);

        } else if (type & EXS_PT_PREP) {
            pb = (const exs_pblob_t *) (const void *) p.v.bin.data;
            rc = exs_blob_put_prepared(t, pb);

            p.tag = (p.tag & ~(uint32_t) EXS_PT_PREP) | EXS_PT_OOL;
            p.v.bin.data = pb->sha;

        } else if ((type == PT_UNICODE && p.v.str.len > EXS_BLOB_MIN)
                   || (type == PT_BINARY && p.v.bin.len > EXS_BLOB_MIN))
        {
            rc = exs_blob_put(t, type == PT_UNICODE
                                 ? (const void *) p.v.str.data
                                 : (const void *) p.v.bin.data,
                              p.v.bin.len, sha);

            p.tag |= EXS_PT_OOL;
            p.v.bin.data = sha;

        } else {
            rc = EXS_OK;
        }

        if (rc != EXS_OK) {
            free(order);
            return rc;
        }

        exs_prop_encode(b, &p);
    }

    free(order);

    return b->err;
}


static int
exs_bag_refs(exs_txn_t *t, const exs_props_t *props, int delta)
{
    int       rc;
    uint32_t  i;

    for (i = 0; i < props->n; i++) {
        if (PROP_TYPE(props->v[i].tag) & EXS_PT_OOL) {
            rc = exs_blob_ref(t, props->v[i].v.bin.data, delta);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    return EXS_OK;
}


int
exs_props_release(exs_txn_t *t, const exs_props_t *props)
{
    return exs_bag_refs(t, props, -1);
}


int
exs_bag_release(exs_txn_t *t, exs_rbuf_t *b)
{
    int           rc;
    exs_props_t   props;
    exs_arena_t  *a;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    /* copied: the writes below may move the map's pages */
    rc = exs_bag_decode(b, &props, EXS_DEC_COPY, a);

    if (rc == EXS_OK) {
        rc = exs_bag_refs(t, &props, -1);
    }

    exs_arena_destroy(a);

    return rc;
}


int
exs_prop_resolve(exs_txn_t *t, exs_prop_t *p, exs_arena_t *a)
{
    int        rc;
    exs_bin_t  v;

    if (!(PROP_TYPE(p->tag) & EXS_PT_OOL)) {
        return EXS_OK;
    }

    rc = exs_blob_load(t, p->v.bin.data, &v, a);
    if (rc != EXS_OK) {
        return rc == EXS_NOTFOUND ? EXS_CORRUPT : rc;
    }

    p->tag &= ~(uint32_t) EXS_PT_OOL;

    if (PROP_TYPE(p->tag) == PT_UNICODE || PROP_TYPE(p->tag) == PT_STRING8) {
        p->v.str.data = (const char *) v.data;
        p->v.str.len = v.len;
    } else {
        p->v.bin = v;
    }

    return EXS_OK;
}


int
exs_bag_resolve(exs_txn_t *t, exs_props_t *props, exs_arena_t *a)
{
    int       rc;
    uint32_t  i;

    for (i = 0; i < props->n; i++) {
        rc = exs_prop_resolve(t, &props->v[i], a);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


/* recipients, attachments and embedded messages */

static int
exs_display_list(exs_arena_t *a, const exs_msg_t *msg, int32_t type,
    exs_props_t *props, uint32_t tag)
{
    char              *s;
    size_t             len;
    uint32_t           i;
    exs_prop_t        *t, *name;

    len = 0;

    for (i = 0; i < msg->nrcpts; i++) {
        t = exs_props_get(&msg->rcpts[i].props, PR_RECIPIENT_TYPE);
        name = exs_props_get(&msg->rcpts[i].props, PR_DISPLAY_NAME);

        if (t && (t->v.l & 0xFF) == type && name) {
            len += name->v.str.len + 2;
        }
    }

    s = exs_alloc(a, len + 1);
    if (s == NULL) {
        return EXS_NOMEM;
    }

    len = 0;

    for (i = 0; i < msg->nrcpts; i++) {
        t = exs_props_get(&msg->rcpts[i].props, PR_RECIPIENT_TYPE);
        name = exs_props_get(&msg->rcpts[i].props, PR_DISPLAY_NAME);

        if (t && (t->v.l & 0xFF) == type && name) {
            if (len) {
                memcpy(s + len, "; ", 2);
                len += 2;
            }
            memcpy(s + len, name->v.str.data, name->v.str.len);
            len += name->v.str.len;
        }
    }

    s[len] = '\0';

    return exs_props_set_str(a, props, tag, s, len);
}


/* PR_DISPLAY_TO, _CC and _BCC of a message from its recipients */
int
exs_msg_display_lists(exs_arena_t *a, const exs_msg_t *msg,
    exs_props_t *props)
{
    int  rc;

    rc = exs_display_list(a, msg, 1, props, PR_DISPLAY_TO);

    if (rc == EXS_OK) {
        rc = exs_display_list(a, msg, 2, props, PR_DISPLAY_CC);
    }

    if (rc == EXS_OK) {
        rc = exs_display_list(a, msg, 3, props, PR_DISPLAY_BCC);
    }

    return rc;
}


int
exs_sub_store(exs_txn_t *t, exs_wbuf_t *b, const exs_msg_t *msg,
    unsigned depth, int64_t *size)
{
    int            rc;
    int64_t        asize;
    uint32_t       i, j, num, used;
    exs_prop_t    *p;
    exs_props_t    bag;
    exs_arena_t   *a;
    exs_attach_t  *at;

    if (depth >= EXS_MAX_NESTING) {
        return EXS_TOOBIG;
    }

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    rc = EXS_OK;
    exs_wbuf_varint(b, msg->nrcpts);

    for (i = 0; i < msg->nrcpts; i++) {
        bag = msg->rcpts[i].props;

        if (exs_props_get(&bag, PR_ROWID) == NULL) {
            bag.v = exs_memdup(a, bag.v, bag.n * sizeof(exs_prop_t));
            bag.cap = bag.n;
            rc = exs_props_set_long(a, &bag, PR_ROWID, (int32_t) i);
            if (rc != EXS_OK) {
                goto done;
            }
        }

        rc = exs_bag_store(t, b, &bag, size);
        if (rc != EXS_OK) {
            goto done;
        }
    }

    exs_wbuf_varint(b, msg->natts);

    /* attachment numbers are kept when given and unique, else assigned */
    used = 0;

    for (i = 0; i < msg->natts; i++) {
        p = exs_props_get(&msg->atts[i].props, PR_ATTACH_NUM);
        if (p && (uint32_t) p->v.l >= used) {
            used = (uint32_t) p->v.l + 1;
        }
    }

    for (i = 0; i < msg->natts; i++) {
        at = &msg->atts[i];

        bag.n = 0;
        bag.cap = 0;
        bag.v = NULL;

        for (j = 0; j < at->props.n; j++) {
            switch (PROP_ID(at->props.v[j].tag)) {
            case 0x0E20:    /* PR_ATTACH_SIZE: computed */
            case 0x0FF9:    /* PR_RECORD_KEY */
            case 0x0FFE:    /* PR_OBJECT_TYPE */
                continue;
            }

            rc = exs_props_set(a, &bag, &at->props.v[j]);
            if (rc != EXS_OK) {
                goto done;
            }
        }

        p = exs_props_get(&bag, PR_ATTACH_NUM);

        for (j = 0; p && j < i; j++) {
            if (exs_props_get(&msg->atts[j].props, PR_ATTACH_NUM)
                && exs_props_get(&msg->atts[j].props, PR_ATTACH_NUM)->v.l
                   == p->v.l)
            {
                p = NULL;
            }
        }

        if (p == NULL) {
            num = used++;
            rc = exs_props_set_long(a, &bag, PR_ATTACH_NUM, (int32_t) num);
            if (rc != EXS_OK) {
                goto done;
            }
        }

        asize = 0;
        rc = exs_bag_store(t, b, &bag, &asize);
        if (rc != EXS_OK) {
            goto done;
        }

        exs_wbuf_u8(b, at->embedded ? 1 : 0);

        if (at->embedded) {
            rc = exs_bag_store(t, b, &at->embedded->props, &asize);

            if (rc == EXS_OK) {
                rc = exs_sub_store(t, b, at->embedded, depth + 1, &asize);
            }

            if (rc != EXS_OK) {
                goto done;
            }
        }

        if (size) {
            *size += asize;
        }
    }

    rc = b->err;

done:

    exs_arena_destroy(a);

    return rc;
}


int
exs_sub_decode(exs_rbuf_t *b, exs_msg_t *msg, unsigned flags,
    unsigned depth, exs_arena_t *a)
{
    int            rc;
    uint8_t        emb;
    uint32_t       i, n;
    exs_attach_t  *at;

    if (depth >= EXS_MAX_NESTING) {
        return EXS_CORRUPT;
    }

    n = exs_rbuf_count(b, 1);
    if (b->err != EXS_OK) {
        return EXS_CORRUPT;
    }

    msg->nrcpts = 0;
    msg->rcpts_cap = n;
    msg->rcpts = exs_calloc(a, (n ? n : 1) * sizeof(exs_rcpt_t));

    if (msg->rcpts == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < n; i++) {
        rc = exs_bag_decode(b, &msg->rcpts[i].props, flags, a);
        if (rc != EXS_OK) {
            return rc;
        }
        msg->nrcpts++;
    }

    n = exs_rbuf_count(b, 2);
    if (b->err != EXS_OK) {
        return EXS_CORRUPT;
    }

    msg->natts = 0;
    msg->atts_cap = n;
    msg->atts = exs_calloc(a, (n ? n : 1) * sizeof(exs_attach_t));

    if (msg->atts == NULL) {
        return EXS_NOMEM;
    }

    for (i = 0; i < n; i++) {
        at = &msg->atts[i];

        rc = exs_bag_decode(b, &at->props, flags, a);
        if (rc != EXS_OK) {
            return rc;
        }

        emb = exs_rbuf_u8(b);
        if (b->err != EXS_OK || emb > 1) {
            return EXS_CORRUPT;
        }

        if (emb) {
            at->embedded = exs_msg_create(a);
            if (at->embedded == NULL) {
                return EXS_NOMEM;
            }

            rc = exs_bag_decode(b, &at->embedded->props, flags, a);
            if (rc != EXS_OK) {
                return rc;
            }

            rc = exs_sub_decode(b, at->embedded, flags, depth + 1, a);
            if (rc != EXS_OK) {
                return rc;
            }
        }

        msg->natts++;
    }

    return EXS_OK;
}


int
exs_msg_refs(exs_txn_t *t, const exs_msg_t *msg, int delta)
{
    int       rc;
    uint32_t  i;

    for (i = 0; i < msg->nrcpts; i++) {
        rc = exs_bag_refs(t, &msg->rcpts[i].props, delta);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    for (i = 0; i < msg->natts; i++) {
        rc = exs_bag_refs(t, &msg->atts[i].props, delta);
        if (rc != EXS_OK) {
            return rc;
        }

        if (msg->atts[i].embedded) {
            rc = exs_bag_refs(t, &msg->atts[i].embedded->props, delta);
            if (rc != EXS_OK) {
                return rc;
            }

            rc = exs_msg_refs(t, msg->atts[i].embedded, delta);
            if (rc != EXS_OK) {
                return rc;
            }
        }
    }

    return EXS_OK;
}


int
exs_sub_release(exs_txn_t *t, exs_rbuf_t *b, unsigned depth)
{
    int           rc;
    exs_msg_t     msg;
    exs_arena_t  *a;

    a = exs_arena_create(4096);
    if (a == NULL) {
        return EXS_NOMEM;
    }

    memset(&msg, 0, sizeof(exs_msg_t));

    rc = exs_sub_decode(b, &msg, EXS_DEC_COPY, depth, a);

    if (rc == EXS_OK) {
        rc = exs_msg_refs(t, &msg, -1);
    }

    exs_arena_destroy(a);

    return rc;
}


/* restrictions */

void
exs_res_encode(exs_wbuf_t *b, const exs_restriction_t *r)
{
    uint32_t  i;

    exs_wbuf_u8(b, r->type);

    switch (r->type) {

    case RES_AND:
    case RES_OR:
        exs_wbuf_varint(b, r->u.andor.n);
        for (i = 0; i < r->u.andor.n; i++) {
            exs_res_encode(b, &r->u.andor.sub[i]);
        }
        break;

    case RES_NOT:
        exs_res_encode(b, r->u.not.sub);
        break;

    case RES_CONTENT:
        exs_wbuf_u32(b, r->u.content.fuzzy);
        exs_wbuf_u32(b, r->u.content.tag);
        exs_prop_encode(b, &r->u.content.val);
        break;

    case RES_PROPERTY:
        exs_wbuf_u8(b, r->u.prop.relop);
        exs_wbuf_u32(b, r->u.prop.tag);
        exs_prop_encode(b, &r->u.prop.val);
        break;

    case RES_COMPAREPROPS:
        exs_wbuf_u8(b, r->u.cmp.relop);
        exs_wbuf_u32(b, r->u.cmp.tag1);
        exs_wbuf_u32(b, r->u.cmp.tag2);
        break;

    case RES_BITMASK:
        exs_wbuf_u8(b, r->u.bitmask.op);
        exs_wbuf_u32(b, r->u.bitmask.tag);
        exs_wbuf_u32(b, r->u.bitmask.mask);
        break;

    case RES_SIZE:
        exs_wbuf_u8(b, r->u.size.relop);
        exs_wbuf_u32(b, r->u.size.tag);
        exs_wbuf_u32(b, r->u.size.size);
        break;

    case RES_EXIST:
        exs_wbuf_u32(b, r->u.exist.tag);
        break;

    case RES_SUBRESTRICTION:
        exs_wbuf_u32(b, r->u.sub.subobject);
        exs_res_encode(b, r->u.sub.sub);
        break;

    case RES_COMMENT:
        exs_wbuf_varint(b, r->u.comment.nprops);
        for (i = 0; i < r->u.comment.nprops; i++) {
            exs_prop_encode(b, &r->u.comment.props[i]);
        }
        exs_wbuf_u8(b, r->u.comment.sub ? 1 : 0);
        if (r->u.comment.sub) {
            exs_res_encode(b, r->u.comment.sub);
        }
        break;

    case RES_COUNT:
        exs_wbuf_u32(b, r->u.count.count);
        exs_res_encode(b, r->u.count.sub);
        break;

    default:
        b->err = EXS_INVALID;
        break;
    }
}


int
exs_res_decode(exs_rbuf_t *b, exs_restriction_t *r, exs_arena_t *a,
    unsigned depth)
{
    int       rc;
    uint32_t  i, n;

    if (depth > EXS_RES_MAX_DEPTH) {
        return EXS_CORRUPT;
    }

    memset(r, 0, sizeof(exs_restriction_t));
    r->type = exs_rbuf_u8(b);

    if (b->err != EXS_OK) {
        return EXS_CORRUPT;
    }

    switch (r->type) {

    case RES_AND:
    case RES_OR:
        n = exs_rbuf_count(b, 1);
        if (b->err != EXS_OK) {
            return EXS_CORRUPT;
        }

        r->u.andor.n = n;
        r->u.andor.sub = exs_calloc(a, (n ? n : 1)
                                       * sizeof(exs_restriction_t));
        if (r->u.andor.sub == NULL) {
            return EXS_NOMEM;
        }

        for (i = 0; i < n; i++) {
            rc = exs_res_decode(b, &r->u.andor.sub[i], a, depth + 1);
            if (rc != EXS_OK) {
                return rc;
            }
        }

        return EXS_OK;

    case RES_NOT:
    case RES_SUBRESTRICTION:
    case RES_COUNT:
        if (r->type == RES_SUBRESTRICTION) {
            r->u.sub.subobject = exs_rbuf_u32(b);
        } else if (r->type == RES_COUNT) {
            r->u.count.count = exs_rbuf_u32(b);
        }

        if (b->err != EXS_OK) {
            return EXS_CORRUPT;
        }

        r->u.not.sub = exs_calloc(a, sizeof(exs_restriction_t));
        if (r->u.not.sub == NULL) {
            return EXS_NOMEM;
        }

        /* the three share the layout of their sub pointer */
        if (r->type == RES_SUBRESTRICTION) {
            r->u.sub.sub = r->u.not.sub;
            return exs_res_decode(b, r->u.sub.sub, a, depth + 1);
        }

        if (r->type == RES_COUNT) {
            r->u.count.sub = r->u.not.sub;
            return exs_res_decode(b, r->u.count.sub, a, depth + 1);
        }

        return exs_res_decode(b, r->u.not.sub, a, depth + 1);

    case RES_CONTENT:
        r->u.content.fuzzy = exs_rbuf_u32(b);
        r->u.content.tag = exs_rbuf_u32(b);
        if (b->err != EXS_OK) {
            return EXS_CORRUPT;
        }
        return exs_prop_decode(b, &r->u.content.val, EXS_DEC_COPY, 0, a);

    case RES_PROPERTY:
        r->u.prop.relop = exs_rbuf_u8(b);
        r->u.prop.tag = exs_rbuf_u32(b);
        if (b->err != EXS_OK) {
            return EXS_CORRUPT;
        }
        return exs_prop_decode(b, &r->u.prop.val, EXS_DEC_COPY, 0, a);

    case RES_COMPAREPROPS:
        r->u.cmp.relop = exs_rbuf_u8(b);
        r->u.cmp.tag1 = exs_rbuf_u32(b);
        r->u.cmp.tag2 = exs_rbuf_u32(b);
        break;

    case RES_BITMASK:
        r->u.bitmask.op = exs_rbuf_u8(b);
        r->u.bitmask.tag = exs_rbuf_u32(b);
        r->u.bitmask.mask = exs_rbuf_u32(b);
        break;

    case RES_SIZE:
        r->u.size.relop = exs_rbuf_u8(b);
        r->u.size.tag = exs_rbuf_u32(b);
        r->u.size.size = exs_rbuf_u32(b);
        break;

    case RES_EXIST:
        r->u.exist.tag = exs_rbuf_u32(b);
        break;

    case RES_COMMENT:
        n = exs_rbuf_count(b, 5);
        if (b->err != EXS_OK) {
            return EXS_CORRUPT;
        }

        r->u.comment.nprops = n;
        r->u.comment.props = exs_calloc(a, (n ? n : 1) * sizeof(exs_prop_t));
        if (r->u.comment.props == NULL) {
            return EXS_NOMEM;
        }

        for (i = 0; i < n; i++) {
            rc = exs_prop_decode(b, &r->u.comment.props[i], EXS_DEC_COPY, 0,
                                 a);
            if (rc != EXS_OK) {
                return rc;
            }
        }

        if (exs_rbuf_u8(b)) {
            r->u.comment.sub = exs_calloc(a, sizeof(exs_restriction_t));
            if (r->u.comment.sub == NULL) {
                return EXS_NOMEM;
            }
            return exs_res_decode(b, r->u.comment.sub, a, depth + 1);
        }

        break;

    default:
        return EXS_CORRUPT;
    }

    return b->err == EXS_OK ? EXS_OK : EXS_CORRUPT;
}


/* what callers can't set: the store computes it */

int
exs_tag_computed_msg(uint32_t tag)
{
    switch (PROP_ID(tag)) {
    case 0x0E02:    /* PR_DISPLAY_BCC */
    case 0x0E03:    /* PR_DISPLAY_CC */
    case 0x0E04:    /* PR_DISPLAY_TO */
    case 0x0E05:    /* PR_PARENT_DISPLAY */
    case 0x0E07:    /* PR_MESSAGE_FLAGS */
    case 0x0E08:    /* PR_MESSAGE_SIZE(_EXTENDED) */
    case 0x0E09:    /* PR_PARENT_ENTRYID */
    case 0x0E12:    /* PR_MESSAGE_RECIPIENTS */
    case 0x0E13:    /* PR_MESSAGE_ATTACHMENTS */
    case 0x0E1B:    /* PR_HASATTACH */
    case 0x0E23:    /* PR_INTERNET_ARTICLE_NUMBER */
    case 0x0E69:    /* PR_READ */
    case 0x0FF4:    /* PR_ACCESS */
    case 0x0FF5:    /* PR_ROW_TYPE */
    case 0x0FF6:    /* PR_INSTANCE_KEY */
    case 0x0FF7:    /* PR_ACCESS_LEVEL */
    case 0x0FF8:    /* PR_MAPPING_SIGNATURE */
    case 0x0FF9:    /* PR_RECORD_KEY */
    case 0x0FFA:    /* PR_STORE_RECORD_KEY */
    case 0x0FFB:    /* PR_STORE_ENTRYID */
    case 0x0FFE:    /* PR_OBJECT_TYPE */
    case 0x0FFF:    /* PR_ENTRYID */
    case 0x3005:    /* PR_DEPTH */
    case 0x3008:    /* PR_LAST_MODIFICATION_TIME */
    case 0x65E0:    /* PR_SOURCE_KEY */
    case 0x65E1:    /* PR_PARENT_SOURCE_KEY */
    case 0x65E2:    /* PR_CHANGE_KEY */
    case 0x65E3:    /* PR_PREDECESSOR_CHANGE_LIST */
    case 0x668F:    /* PR_DELETED_ON */
    case 0x6748:    /* PR_FID */
    case 0x6749:    /* PR_PARENT_FID */
    case 0x674A:    /* PR_MID */
    case 0x674D:    /* PR_INST_ID */
    case 0x674E:    /* PR_INSTANCE_NUM */
    case 0x67A4:    /* PR_CHANGE_NUMBER */
    case 0x67AA:    /* PR_ASSOCIATED */
        return 1;
    default:
        return 0;
    }
}


int
exs_tag_computed_folder(uint32_t tag)
{
    switch (PROP_ID(tag)) {
    case 0x0E08:    /* PR_MESSAGE_SIZE(_EXTENDED) */
    case 0x0E09:    /* PR_PARENT_ENTRYID */
    case 0x0FF4:    /* PR_ACCESS */
    case 0x0FF5:    /* PR_ROW_TYPE */
    case 0x0FF6:    /* PR_INSTANCE_KEY */
    case 0x0FF7:    /* PR_ACCESS_LEVEL */
    case 0x0FF8:    /* PR_MAPPING_SIGNATURE */
    case 0x0FF9:    /* PR_RECORD_KEY */
    case 0x0FFA:    /* PR_STORE_RECORD_KEY */
    case 0x0FFB:    /* PR_STORE_ENTRYID */
    case 0x0FFE:    /* PR_OBJECT_TYPE */
    case 0x0FFF:    /* PR_ENTRYID */
    case 0x3005:    /* PR_DEPTH */
    case 0x3008:    /* PR_LAST_MODIFICATION_TIME */
    case 0x3601:    /* PR_FOLDER_TYPE */
    case 0x3602:    /* PR_CONTENT_COUNT */
    case 0x3603:    /* PR_CONTENT_UNREAD */
    case 0x360A:    /* PR_SUBFOLDERS */
    case 0x360E:    /* PR_CONTAINER_HIERARCHY */
    case 0x360F:    /* PR_CONTAINER_CONTENTS */
    case 0x3610:    /* PR_FOLDER_ASSOCIATED_CONTENTS */
    case 0x3617:    /* PR_ASSOC_CONTENT_COUNT */
    case 0x65E0:    /* PR_SOURCE_KEY */
    case 0x65E1:    /* PR_PARENT_SOURCE_KEY */
    case 0x65E2:    /* PR_CHANGE_KEY */
    case 0x65E3:    /* PR_PREDECESSOR_CHANGE_LIST */
    case 0x6638:    /* PR_FOLDER_CHILD_COUNT */
    case 0x6639:    /* PR_RIGHTS */
    case 0x663A:    /* PR_HAS_RULES */
    case 0x663E:    /* PR_HIERARCHY_CHANGE_NUM */
    case 0x6640:    /* PR_DELETED_MSG_COUNT */
    case 0x6641:    /* PR_DELETED_FOLDER_COUNT */
    case 0x6643:    /* PR_DELETED_ASSOC_MSG_COUNT */
    case 0x668F:    /* PR_DELETED_ON */
    case 0x66B3:    /* PR_NORMAL_MESSAGE_SIZE_EXTENDED */
    case 0x66B4:    /* PR_ASSOC_MESSAGE_SIZE_EXTENDED */
    case 0x670A:    /* PR_LOCAL_COMMIT_TIME_MAX */
    case 0x670B:    /* PR_DELETED_COUNT_TOTAL */
    case 0x6748:    /* PR_FID */
    case 0x6749:    /* PR_PARENT_FID */
    case 0x67A4:    /* PR_CHANGE_NUMBER */
        return 1;
    default:
        return 0;
    }
}
