
/*
 * exch: MS-OXCDATA wire forms: ids, entry ids, property values, rows,
 * problems, names, restrictions and sort orders.
 */


#include <string.h>

#include "exch_wire.h"
#include "exch_oxcdata.h"


#define exch_wide(flags)    ((flags) & (EXCH_F_WIDE | EXCH_F_ABK))

/* the columns of a row whose values are looked up only once */
#define EXCH_ROW_KEEP       64


static int exch_read_count(exch_rd_t *r, int wide, uint32_t *n);
static int exch_write_count(exch_wr_t *w, int wide, size_t n);
static int exch_read_bin(exch_rd_t *r, exs_bin_t *bin);
static int exch_write_bin(exch_wr_t *w, const exs_bin_t *bin);
static int exch_read_actions(exch_rd_t *r, exs_bin_t *bin);
static int exch_read_srestriction(exch_rd_t *r, exs_bin_t *bin);
static int exch_read_mv(exch_rd_t *r, uint16_t type, exs_mv_t *mv);
static int exch_write_mv(exch_wr_t *w, uint16_t type, const exs_mv_t *mv);
static int exch_wr_string8(exch_wr_t *w, const char *s, size_t len);
static int exch_res_read(exch_rd_t *r, exs_restriction_t *res,
    unsigned depth);
static int exch_res_write(exch_wr_t *w, const exs_restriction_t *res,
    unsigned depth);
static const exs_prop_t *exch_row_value(const exs_props_t *row,
    uint32_t col, uint32_t *err);
static void exch_row_ids(const exs_props_t *row, uint64_t ids[4]);
static const exs_prop_t *exch_row_value_at(const exs_props_t *row,
    const uint64_t ids[4], uint32_t col, uint32_t *pos, uint32_t *err);
static int exch_read_flagged(exch_rd_t *r, uint32_t col, exs_prop_t *pv,
    int *present);


/* ids */

uint64_t
exch_id_make(uint16_t replid, uint64_t counter)
{
    uint8_t  b[8];

    exch_put16(b, replid);
    exch_globcnt_put(b + 2, counter);

    return exch_get64(b);
}


uint16_t
exch_id_replid(uint64_t id)
{
    return (uint16_t) (id & 0xFFFF);
}


uint64_t
exch_id_counter(uint64_t id)
{
    uint8_t  b[8];

    exch_put64(b, id);

    return exch_globcnt_get(b + 2);
}


void
exch_globcnt_put(uint8_t out[6], uint64_t counter)
{
    int  i;

    for (i = 5; i >= 0; i--) {
        out[i] = (uint8_t) counter;
        counter >>= 8;
    }
}


uint64_t
exch_globcnt_get(const uint8_t in[6])
{
    int       i;
    uint64_t  v;

    v = 0;

    for (i = 0; i < 6; i++) {
        v = (v << 8) | in[i];
    }

    return v;
}


int
exch_read_ltid(exch_rd_t *r, exch_ltid_t *id)
{
    const uint8_t  *p;

    exch_rd_guid(r, id->guid);

    if (exch_rd_bytes(r, 6, &p) == EXCH_OK) {
        memcpy(id->globcnt, p, 6);
    }

    return exch_rd_u16(r, &id->pad);
}


int
exch_write_ltid(exch_wr_t *w, const exch_ltid_t *id)
{
    exch_wr_guid(w, id->guid);
    exch_wr_bytes(w, id->globcnt, 6);

    return exch_wr_u16(w, id->pad);
}


/* entry ids */

int
exch_eid_parse(const uint8_t *p, size_t len, exch_eid_t *eid)
{
    exch_rd_t       r;
    const uint8_t  *g;

    memset(eid, 0, sizeof(exch_eid_t));

    if (len != EXCH_FOLDER_EID_SIZE && len != EXCH_MESSAGE_EID_SIZE) {
        return EXCH_ERR_FORMAT;
    }

    exch_rd_init(&r, p, len, NULL, 0);

    exch_rd_u32(&r, &eid->flags);
    exch_rd_guid(&r, eid->provider);
    exch_rd_u16(&r, &eid->type);
    exch_rd_guid(&r, eid->folder_db);
    exch_rd_bytes(&r, 6, &g);
    exch_rd_skip(&r, 2);

    if (r.err != EXCH_OK) {
        return r.err;
    }

    eid->folder_counter = exch_globcnt_get(g);

    if (len == EXCH_FOLDER_EID_SIZE) {
        if (eid->type != EXCH_EID_PRIVATE_FOLDER
            && eid->type != EXCH_EID_PUBLIC_FOLDER)
        {
            return EXCH_ERR_FORMAT;
        }

        return EXCH_OK;
    }

    if (eid->type != EXCH_EID_PRIVATE_MESSAGE
        && eid->type != EXCH_EID_PUBLIC_MESSAGE)
    {
        return EXCH_ERR_FORMAT;
    }

    exch_rd_guid(&r, eid->message_db);
    exch_rd_bytes(&r, 6, &g);
    exch_rd_skip(&r, 2);

    if (r.err != EXCH_OK) {
        return r.err;
    }

    eid->message_counter = exch_globcnt_get(g);

    return EXCH_OK;
}


int
exch_eid_write(exch_wr_t *w, const exch_eid_t *eid)
{
    uint8_t  g[6];

    exch_wr_u32(w, eid->flags);
    exch_wr_guid(w, eid->provider);
    exch_wr_u16(w, eid->type);
    exch_wr_guid(w, eid->folder_db);
    exch_globcnt_put(g, eid->folder_counter);
    exch_wr_bytes(w, g, 6);
    exch_wr_u16(w, 0);

    if (eid->type == EXCH_EID_PRIVATE_MESSAGE
        || eid->type == EXCH_EID_PUBLIC_MESSAGE)
    {
        exch_wr_guid(w, eid->message_db);
        exch_globcnt_put(g, eid->message_counter);
        exch_wr_bytes(w, g, 6);
        exch_wr_u16(w, 0);
    }

    return w->err;
}


/* counts */

static int
exch_read_count(exch_rd_t *r, int wide, uint32_t *n)
{
    uint16_t  n16;

    if (wide) {
        return exch_rd_u32(r, n);
    }

    exch_rd_u16(r, &n16);
    *n = n16;

    return r->err;
}


static int
exch_write_count(exch_wr_t *w, int wide, size_t n)
{
    if (wide) {
        if (n > 0xFFFFFFFF) {
            return exch_wr_fail(w, EXCH_ERR_TOOBIG);
        }

        return exch_wr_u32(w, (uint32_t) n);
    }

    if (n > 0xFFFF) {
        return exch_wr_fail(w, EXCH_ERR_TOOBIG);
    }

    return exch_wr_u16(w, (uint16_t) n);
}


int
exch_read_tags(exch_rd_t *r, int wide_count, exch_tags_t *tags)
{
    uint32_t  i, n;

    tags->n = 0;
    tags->tags = NULL;

    exch_read_count(r, wide_count, &n);

    if (exch_rd_count_ok(r, n, 4) != EXCH_OK) {
        return r->err;
    }

    tags->tags = exch_rd_alloc(r, n, sizeof(uint32_t));
    if (tags->tags == NULL) {
        return r->err;
    }

    for (i = 0; i < n; i++) {
        exch_rd_u32(r, &tags->tags[i]);
    }

    tags->n = n;

    return r->err;
}


int
exch_write_tags(exch_wr_t *w, int wide_count, const uint32_t *tags,
    uint32_t n)
{
    uint32_t  i;

    exch_write_count(w, wide_count, n);

    for (i = 0; i < n; i++) {
        exch_wr_u32(w, tags[i]);
    }

    return w->err;
}


/* property values */

static int
exch_read_bin(exch_rd_t *r, exs_bin_t *bin)
{
    return exch_rd_counted(r, exch_wide(r->flags) ? 4 : 2, bin);
}


static int
exch_write_bin(exch_wr_t *w, const exs_bin_t *bin)
{
    return exch_wr_counted(w, exch_wide(w->flags) ? 4 : 2, bin);
}


/* RuleAction (MS-OXORULE 2.2.5): its action blocks, kept as bytes */

static int
exch_read_actions(exch_rd_t *r, exs_bin_t *bin)
{
    uint32_t        i, n, blen;
    const uint8_t  *start;

    start = r->p;
    bin->len = 0;
    bin->data = NULL;

    exch_read_count(r, exch_wide(r->flags), &n);

    if (exch_rd_count_ok(r, n, 2) != EXCH_OK) {
        return r->err;
    }

    for (i = 0; i < n; i++) {
        exch_read_count(r, exch_wide(r->flags), &blen);

        /* ActionType, ActionFlavor, ActionFlags come first */
        if (r->err == EXCH_OK && blen < 9) {
            return exch_rd_fail(r, EXCH_ERR_FORMAT);
        }

        exch_rd_skip(r, blen);
    }

    if (r->err == EXCH_OK) {
        bin->data = start;
        bin->len = (size_t) (r->p - start);
    }

    return r->err;
}


static int
exch_read_srestriction(exch_rd_t *r, exs_bin_t *bin)
{
    const uint8_t      *start;
    exs_restriction_t   res;

    start = r->p;
    bin->len = 0;
    bin->data = NULL;

    if (exch_read_restriction(r, &res) == EXCH_OK) {
        bin->data = start;
        bin->len = (size_t) (r->p - start);
    }

    return r->err;
}


static int
exch_read_mv(exch_rd_t *r, uint16_t type, exs_mv_t *mv)
{
    int        abk;
    size_t     min, size;
    uint8_t    has;
    uint32_t   i, n;
    uint16_t   u16;
    uint32_t   u32;
    uint64_t   u64;

    mv->n = 0;
    mv->v.p = NULL;
    abk = (r->flags & EXCH_F_ABK) != 0;

    exch_rd_u32(r, &n);

    switch (type) {
    case PT_MV_SHORT:
        min = 2;
        size = sizeof(int16_t);
        break;
    case PT_MV_LONG:
    case PT_MV_FLOAT:
        min = 4;
        size = 4;
        break;
    case PT_MV_DOUBLE:
    case PT_MV_APPTIME:
    case PT_MV_CURRENCY:
    case PT_MV_I8:
    case PT_MV_SYSTIME:
        min = 8;
        size = 8;
        break;
    case PT_MV_CLSID:
        min = 16;
        size = sizeof(exs_bin_t);
        break;
    case PT_MV_STRING8:
        min = 1;
        size = sizeof(exs_str_t);
        break;
    case PT_MV_UNICODE:
        min = abk ? 1 : 2;
        size = sizeof(exs_str_t);
        break;
    case PT_MV_BINARY:
        min = abk ? 1 : (exch_wide(r->flags) ? 4 : 2);
        size = sizeof(exs_bin_t);
        break;
    default:
        return exch_rd_fail(r, EXCH_ERR_FORMAT);
    }

    if (exch_rd_count_ok(r, n, min) != EXCH_OK) {
        return r->err;
    }

    mv->v.p = exch_rd_alloc(r, n, size);
    if (mv->v.p == NULL) {
        return r->err;
    }

    for (i = 0; i < n && r->err == EXCH_OK; i++) {

        switch (type) {
        case PT_MV_SHORT:
            exch_rd_u16(r, &u16);
            mv->v.i[i] = (int16_t) u16;
            break;

        case PT_MV_LONG:
            exch_rd_u32(r, &u32);
            mv->v.l[i] = (int32_t) u32;
            break;

        case PT_MV_FLOAT:
            exch_rd_f32(r, &mv->v.f[i]);
            break;

        case PT_MV_DOUBLE:
        case PT_MV_APPTIME:
            exch_rd_f64(r, &mv->v.d[i]);
            break;

        case PT_MV_CURRENCY:
        case PT_MV_I8:
        case PT_MV_SYSTIME:
            exch_rd_u64(r, &u64);
            mv->v.ll[i] = (int64_t) u64;
            break;

        case PT_MV_CLSID:
            exch_rd_bytes(r, 16, &mv->v.bin[i].data);
            mv->v.bin[i].len = 16;
            break;

        case PT_MV_STRING8:
        case PT_MV_UNICODE:
            if (abk) {
                exch_rd_u8(r, &has);
                if (has == 0) {
                    mv->v.str[i].data = "";
                    break;
                }
            }

            if (type == PT_MV_STRING8) {
                exch_rd_str8(r, &mv->v.str[i]);
            } else {
                exch_rd_str16(r, &mv->v.str[i]);
            }

            break;

        default: /* PT_MV_BINARY */
            if (abk) {
                exch_rd_u8(r, &has);
                if (has == 0) {
                    break;
                }
            }

            exch_read_bin(r, &mv->v.bin[i]);
            break;
        }
    }

    if (r->err == EXCH_OK) {
        mv->n = n;
    }

    return r->err;
}


int
exch_read_propval(exch_rd_t *r, uint16_t type, exs_prop_t *pv)
{
    uint8_t   b, has;
    uint16_t  u16;
    uint32_t  u32;
    uint64_t  u64;

    memset(&pv->v, 0, sizeof(pv->v));

    if (type & PT_MV_INSTANCE) {
        type &= ~(PT_MV | PT_MV_INSTANCE);
    }

    if ((r->flags & EXCH_F_ABK)
        && (type == PT_STRING8 || type == PT_UNICODE || type == PT_BINARY
            || (type & PT_MV)))
    {
        if (exch_rd_u8(r, &has) != EXCH_OK) {
            return r->err;
        }

        if (has == 0) {
            if (type == PT_STRING8 || type == PT_UNICODE) {
                pv->v.str.data = "";
            }

            return EXCH_OK;
        }
    }

    if (type & PT_MV) {
        return exch_read_mv(r, type, &pv->v.mv);
    }

    switch (type) {
    case PT_NULL:
        return r->err;

    case PT_SHORT:
        exch_rd_u16(r, &u16);
        pv->v.i = (int16_t) u16;
        return r->err;

    case PT_LONG:
    case PT_ERROR:
        exch_rd_u32(r, &u32);
        pv->v.l = (int32_t) u32;
        return r->err;

    case PT_FLOAT:
        return exch_rd_f32(r, &pv->v.f);

    case PT_DOUBLE:
    case PT_APPTIME:
        return exch_rd_f64(r, &pv->v.d);

    case PT_CURRENCY:
    case PT_I8:
    case PT_SYSTIME:
        exch_rd_u64(r, &u64);
        pv->v.ll = (int64_t) u64;
        return r->err;

    case PT_BOOLEAN:
        exch_rd_u8(r, &b);
        pv->v.b = b != 0;
        return r->err;

    case PT_CLSID:
        exch_rd_bytes(r, 16, &pv->v.bin.data);
        pv->v.bin.len = r->err == EXCH_OK ? 16 : 0;
        return r->err;

    case PT_STRING8:
        return exch_rd_str8(r, &pv->v.str);

    case PT_UNICODE:
        return exch_rd_str16(r, &pv->v.str);

    case PT_BINARY:
    case PT_OBJECT:
    case PT_SVREID:
        return exch_read_bin(r, &pv->v.bin);

    case PT_SRESTRICTION:
        return exch_read_srestriction(r, &pv->v.bin);

    case PT_ACTIONS:
        return exch_read_actions(r, &pv->v.bin);
    }

    return exch_rd_fail(r, EXCH_ERR_FORMAT);
}


/* a PT_STRING8 value from UTF-8, in the writer's code page */

static int
exch_wr_string8(exch_wr_t *w, const char *s, size_t len)
{
    int           rc;
    size_t        i;
    exs_str_t     out;
    exs_arena_t  *a;

    for (i = 0; i < len; i++) {
        if ((uint8_t) s[i] >= 0x80) {
            break;
        }
    }

    if (i == len || w->cpid == 65001) {
        return exch_wr_str8(w, s, len);
    }

    a = exs_arena_create(0);
    if (a == NULL) {
        return exch_wr_fail(w, EXCH_ERR_NOMEM);
    }

    rc = exch_utf8_to_str8(a, w->cpid, s, len, &out);
    if (rc != EXCH_OK) {
        /* an unknown code page: keep what ASCII there is */
        rc = exch_utf8_to_str8(a, 20127, s, len, &out);
    }

    if (rc == EXCH_OK) {
        exch_wr_str8(w, out.data, out.len);

    } else {
        exch_wr_fail(w, rc);
    }

    exs_arena_destroy(a);

    return w->err;
}


static int
exch_write_mv(exch_wr_t *w, uint16_t type, const exs_mv_t *mv)
{
    int       abk;
    uint32_t  i;

    abk = (w->flags & EXCH_F_ABK) != 0;

    exch_wr_u32(w, mv->n);

    for (i = 0; i < mv->n && w->err == EXCH_OK; i++) {

        switch (type) {
        case PT_MV_SHORT:
            exch_wr_u16(w, (uint16_t) mv->v.i[i]);
            break;

        case PT_MV_LONG:
            exch_wr_u32(w, (uint32_t) mv->v.l[i]);
            break;

        case PT_MV_FLOAT:
            exch_wr_f32(w, mv->v.f[i]);
            break;

        case PT_MV_DOUBLE:
        case PT_MV_APPTIME:
            exch_wr_f64(w, mv->v.d[i]);
            break;

        case PT_MV_CURRENCY:
        case PT_MV_I8:
        case PT_MV_SYSTIME:
            exch_wr_u64(w, (uint64_t) mv->v.ll[i]);
            break;

        case PT_MV_CLSID:
            if (mv->v.bin[i].len != 16) {
                return exch_wr_fail(w, EXCH_ERR_FORMAT);
            }

            exch_wr_bytes(w, mv->v.bin[i].data, 16);
            break;

        case PT_MV_STRING8:
            if (abk) {
                exch_wr_u8(w, 0xFF);
            }

            exch_wr_string8(w, mv->v.str[i].data, mv->v.str[i].len);
            break;

        case PT_MV_UNICODE:
            if (abk) {
                exch_wr_u8(w, 0xFF);
            }

            exch_wr_str16(w, mv->v.str[i].data, mv->v.str[i].len);
            break;

        case PT_MV_BINARY:
            if (abk) {
                exch_wr_u8(w, 0xFF);
            }

            exch_write_bin(w, &mv->v.bin[i]);
            break;

        default:
            return exch_wr_fail(w, EXCH_ERR_FORMAT);
        }
    }

    return w->err;
}


int
exch_write_propval(exch_wr_t *w, uint16_t type, const exs_prop_t *pv)
{
    if (type & PT_MV_INSTANCE) {
        type &= ~(PT_MV | PT_MV_INSTANCE);
    }

    if ((w->flags & EXCH_F_ABK)
        && (type == PT_STRING8 || type == PT_UNICODE || type == PT_BINARY
            || (type & PT_MV)))
    {
        exch_wr_u8(w, 0xFF);
    }

    if (type & PT_MV) {
        return exch_write_mv(w, type, &pv->v.mv);
    }

    switch (type) {
    case PT_NULL:
        return w->err;

    case PT_SHORT:
        return exch_wr_u16(w, (uint16_t) pv->v.i);

    case PT_LONG:
    case PT_ERROR:
        return exch_wr_u32(w, (uint32_t) pv->v.l);

    case PT_FLOAT:
        return exch_wr_f32(w, pv->v.f);

    case PT_DOUBLE:
    case PT_APPTIME:
        return exch_wr_f64(w, pv->v.d);

    case PT_CURRENCY:
    case PT_I8:
    case PT_SYSTIME:
        return exch_wr_u64(w, (uint64_t) pv->v.ll);

    case PT_BOOLEAN:
        return exch_wr_u8(w, pv->v.b ? 1 : 0);

    case PT_CLSID:
        if (pv->v.bin.len != 16) {
            return exch_wr_fail(w, EXCH_ERR_FORMAT);
        }

        return exch_wr_bytes(w, pv->v.bin.data, 16);

    case PT_STRING8:
        return exch_wr_string8(w, pv->v.str.data, pv->v.str.len);

    case PT_UNICODE:
        return exch_wr_str16(w, pv->v.str.data, pv->v.str.len);

    case PT_BINARY:
    case PT_OBJECT:
    case PT_SVREID:
        return exch_write_bin(w, &pv->v.bin);

    case PT_SRESTRICTION:
    case PT_ACTIONS:
        return exch_wr_bytes(w, pv->v.bin.data, pv->v.bin.len);
    }

    return exch_wr_fail(w, EXCH_ERR_FORMAT);
}


int
exch_read_tagged(exch_rd_t *r, exs_prop_t *pv)
{
    exch_rd_u32(r, &pv->tag);

    if (r->err == EXCH_OK && PROP_TYPE(pv->tag) == PT_UNSPECIFIED) {
        return exch_rd_fail(r, EXCH_ERR_FORMAT);
    }

    return exch_read_propval(r, PROP_TYPE(pv->tag), pv);
}


int
exch_write_tagged(exch_wr_t *w, const exs_prop_t *pv)
{
    exch_wr_u32(w, pv->tag);

    return exch_write_propval(w, PROP_TYPE(pv->tag), pv);
}


int
exch_read_typed(exch_rd_t *r, uint16_t id, exs_prop_t *pv)
{
    uint16_t  type;

    exch_rd_u16(r, &type);

    if (r->err == EXCH_OK && type == PT_UNSPECIFIED) {
        return exch_rd_fail(r, EXCH_ERR_FORMAT);
    }

    pv->tag = PROP_TAG(type, id);

    return exch_read_propval(r, type, pv);
}


int
exch_write_typed(exch_wr_t *w, const exs_prop_t *pv)
{
    exch_wr_u16(w, PROP_TYPE(pv->tag));

    return exch_write_propval(w, PROP_TYPE(pv->tag), pv);
}


int
exch_read_tagged_array(exch_rd_t *r, int wide_count, exs_props_t *props)
{
    uint32_t  i, n;

    props->n = 0;
    props->cap = 0;
    props->v = NULL;

    exch_read_count(r, wide_count, &n);

    /* a tag and at least one value byte each (PT_NULL has none) */
    if (exch_rd_count_ok(r, n, 4) != EXCH_OK) {
        return r->err;
    }

    props->v = exch_rd_alloc(r, n, sizeof(exs_prop_t));
    if (props->v == NULL) {
        return r->err;
    }

    for (i = 0; i < n && r->err == EXCH_OK; i++) {
        exch_read_tagged(r, &props->v[i]);
    }

    if (r->err == EXCH_OK) {
        props->n = n;
        props->cap = n;
    }

    return r->err;
}


int
exch_write_tagged_array(exch_wr_t *w, int wide_count,
    const exs_props_t *props)
{
    uint32_t  i;

    exch_write_count(w, wide_count, props->n);

    for (i = 0; i < props->n && w->err == EXCH_OK; i++) {
        exch_write_tagged(w, &props->v[i]);
    }

    return w->err;
}


/* rows */

static int
exch_read_flagged(exch_rd_t *r, uint32_t col, exs_prop_t *pv, int *present)
{
    uint8_t   flag;
    uint16_t  type;
    uint32_t  u32;

    *present = 0;
    type = PROP_TYPE(col);

    if (type == PT_UNSPECIFIED) {
        exch_rd_u16(r, &type);
    }

    exch_rd_u8(r, &flag);

    if (r->err != EXCH_OK) {
        return r->err;
    }

    switch (flag) {
    case EXCH_FLAG_PRESENT:
        if (type == PT_UNSPECIFIED) {
            return exch_rd_fail(r, EXCH_ERR_FORMAT);
        }

        pv->tag = PROP_TAG(type, PROP_ID(col));
        *present = 1;
        return exch_read_propval(r, type, pv);

    case EXCH_FLAG_ABSENT:
        return EXCH_OK;

    case EXCH_FLAG_ERROR:
        memset(pv, 0, sizeof(exs_prop_t));
        exch_rd_u32(r, &u32);
        pv->tag = PROP_TAG(PT_ERROR, PROP_ID(col));
        pv->v.l = (int32_t) u32;
        *present = 1;
        return r->err;
    }

    return exch_rd_fail(r, EXCH_ERR_FORMAT);
}


int
exch_read_row(exch_rd_t *r, const uint32_t *cols, uint32_t ncols,
    exs_props_t *row)
{
    int          present;
    uint8_t      flag;
    uint32_t     i;
    exs_prop_t  *pv;

    row->n = 0;
    row->cap = 0;
    row->v = NULL;

    exch_rd_u8(r, &flag);

    if (r->err == EXCH_OK
        && flag != EXCH_ROW_STANDARD && flag != EXCH_ROW_FLAGGED)
    {
        return exch_rd_fail(r, EXCH_ERR_FORMAT);
    }

    row->v = exch_rd_alloc(r, ncols, sizeof(exs_prop_t));
    if (row->v == NULL) {
        return r->err;
    }

    for (i = 0; i < ncols && r->err == EXCH_OK; i++) {
        pv = &row->v[row->n];

        if (flag == EXCH_ROW_FLAGGED) {
            if (exch_read_flagged(r, cols[i], pv, &present) == EXCH_OK
                && present)
            {
                row->n++;
            }

            continue;
        }

        if (PROP_TYPE(cols[i]) == PT_UNSPECIFIED) {
            exch_read_typed(r, PROP_ID(cols[i]), pv);

        } else {
            pv->tag = cols[i];
            exch_read_propval(r, PROP_TYPE(cols[i]), pv);
        }

        row->n++;
    }

    row->cap = ncols;

    if (r->err != EXCH_OK) {
        row->n = 0;
    }

    return r->err;
}


/*
 * The value of one column in a row, NULL when there is none; *err is
 * the error to report instead (ecNotFound, or the row's PT_ERROR value).
 */

static const exs_prop_t *
exch_row_value(const exs_props_t *row, uint32_t col, uint32_t *err)
{
    uint32_t           i;
    uint16_t           type, have;
    const exs_prop_t  *p;

    *err = EXCH_EC_NOT_FOUND;
    type = PROP_TYPE(col);

    if (row == NULL) {
        return NULL;
    }

    for (i = 0; i < row->n; i++) {
        p = &row->v[i];

        if (PROP_ID(p->tag) != PROP_ID(col)) {
            continue;
        }

        have = PROP_TYPE(p->tag);

        if (type & PT_MV_INSTANCE) {
            if (p->tag == col) {
                return p;
            }

            continue;
        }

        if (type == PT_UNSPECIFIED || type == have
            || ((type & ~PT_MV) == PT_STRING8
                && (have & ~PT_MV) == PT_UNICODE
                && (type & PT_MV) == (have & PT_MV)))
        {
            return p;
        }

        if (have == PT_ERROR) {
            *err = (uint32_t) p->v.l;
            return NULL;
        }
    }

    return NULL;
}


/* a 256-bit filter of the property ids of a row: most columns missing
 * from a row are known to be without a look at each of its values */

#define exch_row_id_bit(id)  (((uint32_t) (id) * 40503u >> 8) & 0xFF)


static void
exch_row_ids(const exs_props_t *row, uint64_t ids[4])
{
    uint32_t  i, h;

    ids[0] = 0;
    ids[1] = 0;
    ids[2] = 0;
    ids[3] = 0;

    if (row == NULL) {
        return;
    }

    for (i = 0; i < row->n; i++) {
        h = exch_row_id_bit(PROP_ID(row->v[i].tag));
        ids[h >> 6] |= (uint64_t) 1 << (h & 63);
    }
}


/* rows made for a column set usually hold the values in its order (less
 * the missing ones): the value after the last one found is tried first */

static const exs_prop_t *
exch_row_value_at(const exs_props_t *row, const uint64_t ids[4],
    uint32_t col, uint32_t *pos, uint32_t *err)
{
    uint16_t           type;
    uint32_t           h;
    const exs_prop_t  *p;

    type = PROP_TYPE(col);
    h = exch_row_id_bit(PROP_ID(col));

    if (!((ids[h >> 6] >> (h & 63)) & 1)) {
        /* no value with the id: what exch_row_value() would answer */
        *err = EXCH_EC_NOT_FOUND;
        return NULL;
    }

    if (row != NULL && *pos < row->n && !(type & PT_MV_INSTANCE)) {
        p = &row->v[*pos];

        if (p->tag == col
            || (PROP_ID(p->tag) == PROP_ID(col) && type == PT_UNSPECIFIED
                && PROP_TYPE(p->tag) != PT_ERROR))
        {
            (*pos)++;
            return p;
        }
    }

    p = exch_row_value(row, col, err);

    if (p) {
        *pos = (uint32_t) (p - row->v) + 1;
    }

    return p;
}


int
exch_write_row(exch_wr_t *w, const uint32_t *cols, uint32_t ncols,
    const exs_props_t *row)
{
    int                flagged;
    uint16_t           type, wtype;
    uint32_t           i, err, pos, errs[EXCH_ROW_KEEP];
    uint64_t           ids[4];
    exs_prop_t         tmp;
    const exs_prop_t  *p, *vals[EXCH_ROW_KEEP];

    /* each column is looked up once: the first pass keeps what it found
     * for the second (for the first EXCH_ROW_KEEP columns) */

    flagged = 0;
    pos = 0;
    exch_row_ids(row, ids);

    for (i = 0; i < ncols; i++) {
        err = EXCH_EC_NOT_FOUND;
        p = exch_row_value_at(row, ids, cols[i], &pos, &err);

        if (i < EXCH_ROW_KEEP) {
            vals[i] = p;
            errs[i] = err;
        }

        if (p == NULL
            || (PROP_TYPE(p->tag) == PT_ERROR
                && PROP_TYPE(cols[i]) != PT_ERROR))
        {
            flagged = 1;

            if (i >= EXCH_ROW_KEEP) {
                break;
            }
        }
    }

    exch_wr_u8(w, flagged ? EXCH_ROW_FLAGGED : EXCH_ROW_STANDARD);
    pos = 0;

    for (i = 0; i < ncols && w->err == EXCH_OK; i++) {
        type = PROP_TYPE(cols[i]);

        if (i < EXCH_ROW_KEEP) {
            p = vals[i];
            err = errs[i];

        } else {
            p = exch_row_value_at(row, ids, cols[i], &pos, &err);
        }

        if (p != NULL && PROP_TYPE(p->tag) == PT_ERROR
            && type != PT_ERROR)
        {
            err = (uint32_t) p->v.l;
            p = NULL;
        }

        if (p == NULL) {
            /* only in flagged rows */
            if (type == PT_UNSPECIFIED) {
                exch_wr_u16(w, PT_ERROR);
            }

            exch_wr_u8(w, EXCH_FLAG_ERROR);
            exch_wr_u32(w, err);
            continue;
        }

        wtype = type;

        if (type == PT_UNSPECIFIED) {
            wtype = PROP_TYPE(p->tag);
            exch_wr_u16(w, wtype);
        }

        if (flagged) {
            exch_wr_u8(w, EXCH_FLAG_PRESENT);
        }

        if ((wtype & ~PT_MV) == PT_STRING8
            && (PROP_TYPE(p->tag) & ~PT_MV) == PT_UNICODE)
        {
            /* the writer converts UTF-8 to its code page */
            tmp = *p;
            tmp.tag = PROP_CHANGE_TYPE(p->tag, wtype);
            exch_write_propval(w, wtype, &tmp);
            continue;
        }

        exch_write_propval(w, wtype, p);
    }

    return w->err;
}


/* problems */

int
exch_read_problems(exch_rd_t *r, exch_problem_t **problems, uint16_t *n)
{
    uint16_t         i, count;
    exch_problem_t  *pp;

    *problems = NULL;
    *n = 0;

    exch_rd_u16(r, &count);

    if (exch_rd_count_ok(r, count, 10) != EXCH_OK) {
        return r->err;
    }

    pp = exch_rd_alloc(r, count, sizeof(exch_problem_t));
    if (pp == NULL) {
        return r->err;
    }

    for (i = 0; i < count; i++) {
        exch_rd_u16(r, &pp[i].index);
        exch_rd_u32(r, &pp[i].tag);
        exch_rd_u32(r, &pp[i].err);
    }

    if (r->err == EXCH_OK) {
        *problems = pp;
        *n = count;
    }

    return r->err;
}


int
exch_write_problems(exch_wr_t *w, const exch_problem_t *problems,
    uint16_t n)
{
    uint16_t  i;

    exch_wr_u16(w, n);

    for (i = 0; i < n; i++) {
        exch_wr_u16(w, problems[i].index);
        exch_wr_u32(w, problems[i].tag);
        exch_wr_u32(w, problems[i].err);
    }

    return w->err;
}


/* property names */

int
exch_read_propname(exch_rd_t *r, exs_propname_t *name)
{
    int             rc;
    uint8_t         size;
    exs_str_t       s;
    const uint8_t  *p;

    memset(name, 0, sizeof(exs_propname_t));

    exch_rd_u8(r, &name->kind);
    exch_rd_guid(r, name->guid);

    if (r->err != EXCH_OK) {
        return r->err;
    }

    switch (name->kind) {
    case MNID_ID:
        return exch_rd_u32(r, &name->lid);

    case MNID_STRING:
        exch_rd_u8(r, &size);
        exch_rd_bytes(r, size, &p);

        if (r->err != EXCH_OK) {
            return r->err;
        }

        if (size & 1) {
            return exch_rd_fail(r, EXCH_ERR_FORMAT);
        }

        /* NameSize counts the terminating NUL character */
        if (size >= 2 && p[size - 1] == 0 && p[size - 2] == 0) {
            size -= 2;
        }

        rc = exch_utf16_to_utf8(r->arena, p, size,
                                (r->flags & EXCH_F_UTF16_STRICT) != 0, &s);
        if (rc != EXCH_OK) {
            return exch_rd_fail(r, rc);
        }

        name->name = s.data;
        return EXCH_OK;

    case EXCH_MNID_NONE:
        return EXCH_OK;
    }

    return exch_rd_fail(r, EXCH_ERR_FORMAT);
}


int
exch_write_propname(exch_wr_t *w, const exs_propname_t *name)
{
    long         n;
    const char  *s;

    exch_wr_u8(w, name->kind);
    exch_wr_guid(w, name->guid);

    switch (name->kind) {
    case MNID_ID:
        return exch_wr_u32(w, name->lid);

    case MNID_STRING:
        s = name->name ? name->name : "";
        n = exch_utf16_len(s, strlen(s), 0) + 2;

        if (n > 0xFF) {
            return exch_wr_fail(w, EXCH_ERR_TOOBIG);
        }

        exch_wr_u8(w, (uint8_t) n);
        return exch_wr_str16(w, s, strlen(s));

    case EXCH_MNID_NONE:
        return w->err;
    }

    return exch_wr_fail(w, EXCH_ERR_FORMAT);
}


/* restrictions */

int
exch_read_restriction(exch_rd_t *r, exs_restriction_t *res)
{
    int       rc;
    unsigned  flags;

    /* values inside restrictions never take the address book form */
    flags = r->flags;

    if (flags & EXCH_F_ABK) {
        r->flags = (flags & ~EXCH_F_ABK) | EXCH_F_WIDE;
    }

    rc = exch_res_read(r, res, 0);
    r->flags = flags;

    return rc;
}


int
exch_write_restriction(exch_wr_t *w, const exs_restriction_t *res)
{
    int       rc;
    unsigned  flags;

    flags = w->flags;

    if (flags & EXCH_F_ABK) {
        w->flags = (flags & ~EXCH_F_ABK) | EXCH_F_WIDE;
    }

    rc = exch_res_write(w, res, 0);
    w->flags = flags;

    return rc;
}


static int
exch_res_read(exch_rd_t *r, exs_restriction_t *res, unsigned depth)
{
    uint8_t    has, nvals;
    uint16_t   u16;
    uint32_t   i, n;

    memset(res, 0, sizeof(exs_restriction_t));

    if (depth >= EXCH_RES_MAX_DEPTH) {
        return exch_rd_fail(r, EXCH_ERR_DEPTH);
    }

    if (exch_rd_u8(r, &res->type) != EXCH_OK) {
        return r->err;
    }

    switch (res->type) {

    case RES_AND:
    case RES_OR:
        if (exch_wide(r->flags)) {
            exch_rd_u32(r, &n);

        } else {
            exch_rd_u16(r, &u16);
            n = u16;
        }

        /* every restriction is at least its type byte */
        if (exch_rd_count_ok(r, n, 1) != EXCH_OK) {
            return r->err;
        }

        res->u.andor.sub = exch_rd_alloc(r, n, sizeof(exs_restriction_t));
        if (res->u.andor.sub == NULL) {
            return r->err;
        }

        for (i = 0; i < n && r->err == EXCH_OK; i++) {
            exch_res_read(r, &res->u.andor.sub[i], depth + 1);
        }

        res->u.andor.n = n;
        return r->err;

    case RES_NOT:
        res->u.not.sub = exch_rd_alloc(r, 1, sizeof(exs_restriction_t));
        if (res->u.not.sub == NULL) {
            return r->err;
        }

        return exch_res_read(r, res->u.not.sub, depth + 1);

    case RES_CONTENT:
        exch_rd_u32(r, &res->u.content.fuzzy);
        exch_rd_u32(r, &res->u.content.tag);
        return exch_read_tagged(r, &res->u.content.val);

    case RES_PROPERTY:
        exch_rd_u8(r, &res->u.prop.relop);
        exch_rd_u32(r, &res->u.prop.tag);
        return exch_read_tagged(r, &res->u.prop.val);

    case RES_COMPAREPROPS:
        exch_rd_u8(r, &res->u.cmp.relop);
        exch_rd_u32(r, &res->u.cmp.tag1);
        return exch_rd_u32(r, &res->u.cmp.tag2);

    case RES_BITMASK:
        exch_rd_u8(r, &res->u.bitmask.op);
        exch_rd_u32(r, &res->u.bitmask.tag);
        return exch_rd_u32(r, &res->u.bitmask.mask);

    case RES_SIZE:
        exch_rd_u8(r, &res->u.size.relop);
        exch_rd_u32(r, &res->u.size.tag);
        return exch_rd_u32(r, &res->u.size.size);

    case RES_EXIST:
        return exch_rd_u32(r, &res->u.exist.tag);

    case RES_SUBRESTRICTION:
        exch_rd_u32(r, &res->u.sub.subobject);
        res->u.sub.sub = exch_rd_alloc(r, 1, sizeof(exs_restriction_t));
        if (res->u.sub.sub == NULL) {
            return r->err;
        }

        return exch_res_read(r, res->u.sub.sub, depth + 1);

    case RES_COMMENT:
        exch_rd_u8(r, &nvals);

        if (nvals == 0 && r->err == EXCH_OK) {
            /* TaggedValuesCount MUST be nonzero */
            return exch_rd_fail(r, EXCH_ERR_FORMAT);
        }

        if (exch_rd_count_ok(r, nvals, 4) != EXCH_OK) {
            return r->err;
        }

        res->u.comment.props = exch_rd_alloc(r, nvals, sizeof(exs_prop_t));
        if (res->u.comment.props == NULL) {
            return r->err;
        }

        for (i = 0; i < nvals && r->err == EXCH_OK; i++) {
            exch_read_tagged(r, &res->u.comment.props[i]);
        }

        res->u.comment.nprops = nvals;

        exch_rd_u8(r, &has);

        if (has == 0 || r->err != EXCH_OK) {
            return r->err;
        }

        res->u.comment.sub = exch_rd_alloc(r, 1, sizeof(exs_restriction_t));
        if (res->u.comment.sub == NULL) {
            return r->err;
        }

        return exch_res_read(r, res->u.comment.sub, depth + 1);

    case RES_COUNT:
        exch_rd_u32(r, &res->u.count.count);
        res->u.count.sub = exch_rd_alloc(r, 1, sizeof(exs_restriction_t));
        if (res->u.count.sub == NULL) {
            return r->err;
        }

        return exch_res_read(r, res->u.count.sub, depth + 1);
    }

    return exch_rd_fail(r, EXCH_ERR_FORMAT);
}


static int
exch_res_write(exch_wr_t *w, const exs_restriction_t *res, unsigned depth)
{
    uint32_t  i;

    if (depth >= EXCH_RES_MAX_DEPTH) {
        return exch_wr_fail(w, EXCH_ERR_DEPTH);
    }

    exch_wr_u8(w, res->type);

    switch (res->type) {

    case RES_AND:
    case RES_OR:
        exch_write_count(w, exch_wide(w->flags), res->u.andor.n);

        for (i = 0; i < res->u.andor.n && w->err == EXCH_OK; i++) {
            exch_res_write(w, &res->u.andor.sub[i], depth + 1);
        }

        return w->err;

    case RES_NOT:
        return exch_res_write(w, res->u.not.sub, depth + 1);

    case RES_CONTENT:
        exch_wr_u32(w, res->u.content.fuzzy);
        exch_wr_u32(w, res->u.content.tag);
        return exch_write_tagged(w, &res->u.content.val);

    case RES_PROPERTY:
        exch_wr_u8(w, res->u.prop.relop);
        exch_wr_u32(w, res->u.prop.tag);
        return exch_write_tagged(w, &res->u.prop.val);

    case RES_COMPAREPROPS:
        exch_wr_u8(w, res->u.cmp.relop);
        exch_wr_u32(w, res->u.cmp.tag1);
        return exch_wr_u32(w, res->u.cmp.tag2);

    case RES_BITMASK:
        exch_wr_u8(w, res->u.bitmask.op);
        exch_wr_u32(w, res->u.bitmask.tag);
        return exch_wr_u32(w, res->u.bitmask.mask);

    case RES_SIZE:
        exch_wr_u8(w, res->u.size.relop);
        exch_wr_u32(w, res->u.size.tag);
        return exch_wr_u32(w, res->u.size.size);

    case RES_EXIST:
        return exch_wr_u32(w, res->u.exist.tag);

    case RES_SUBRESTRICTION:
        exch_wr_u32(w, res->u.sub.subobject);
        return exch_res_write(w, res->u.sub.sub, depth + 1);

    case RES_COMMENT:
        if (res->u.comment.nprops == 0 || res->u.comment.nprops > 0xFF) {
            return exch_wr_fail(w, EXCH_ERR_FORMAT);
        }

        exch_wr_u8(w, (uint8_t) res->u.comment.nprops);

        for (i = 0; i < res->u.comment.nprops; i++) {
            exch_write_tagged(w, &res->u.comment.props[i]);
        }

        if (res->u.comment.sub == NULL) {
            return exch_wr_u8(w, 0);
        }

        exch_wr_u8(w, 1);
        return exch_res_write(w, res->u.comment.sub, depth + 1);

    case RES_COUNT:
        exch_wr_u32(w, res->u.count.count);
        return exch_res_write(w, res->u.count.sub, depth + 1);
    }

    return exch_wr_fail(w, EXCH_ERR_FORMAT);
}


/* sort orders */

int
exch_read_sortorder(exch_rd_t *r, exs_sortorder_t *so)
{
    uint16_t  i;

    memset(so, 0, sizeof(exs_sortorder_t));

    exch_rd_u16(r, &so->n);
    exch_rd_u16(r, &so->ncategories);
    exch_rd_u16(r, &so->nexpanded);

    if (r->err != EXCH_OK) {
        return r->err;
    }

    if (so->ncategories > so->n || so->nexpanded > so->ncategories) {
        return exch_rd_fail(r, EXCH_ERR_FORMAT);
    }

    if (exch_rd_count_ok(r, so->n, 5) != EXCH_OK) {
        return r->err;
    }

    so->keys = exch_rd_alloc(r, so->n, sizeof(exs_sort_t));
    if (so->keys == NULL) {
        return r->err;
    }

    for (i = 0; i < so->n; i++) {
        exch_rd_u32(r, &so->keys[i].tag);
        exch_rd_u8(r, &so->keys[i].order);
    }

    return r->err;
}


int
exch_write_sortorder(exch_wr_t *w, const exs_sortorder_t *so)
{
    uint16_t  i;

    exch_wr_u16(w, so->n);
    exch_wr_u16(w, so->ncategories);
    exch_wr_u16(w, so->nexpanded);

    for (i = 0; i < so->n; i++) {
        exch_wr_u32(w, so->keys[i].tag);
        exch_wr_u8(w, so->keys[i].order);
    }

    return w->err;
}


/* PT_STRING8 <-> PT_UNICODE */

int
exch_prop_to_unicode(exs_arena_t *a, exs_prop_t *p, uint32_t cpid)
{
    int         rc;
    uint32_t    i;
    exs_str_t  *strs;
    uint16_t    type;

    type = PROP_TYPE(p->tag);

    if (type == PT_STRING8) {
        rc = exch_str8_to_utf8(a, cpid, p->v.str.data, p->v.str.len,
                               &p->v.str);
        if (rc == EXCH_OK) {
            p->tag = PROP_CHANGE_TYPE(p->tag, PT_UNICODE);
        }

        return rc;
    }

    if (type != PT_MV_STRING8) {
        return EXCH_OK;
    }

    strs = exs_alloc(a, (p->v.mv.n + 1) * sizeof(exs_str_t));
    if (strs == NULL) {
        return EXCH_ERR_NOMEM;
    }

    for (i = 0; i < p->v.mv.n; i++) {
        rc = exch_str8_to_utf8(a, cpid, p->v.mv.v.str[i].data,
                               p->v.mv.v.str[i].len, &strs[i]);
        if (rc != EXCH_OK) {
            return rc;
        }
    }

    p->v.mv.v.str = strs;
    p->tag = PROP_CHANGE_TYPE(p->tag, PT_MV_UNICODE);

    return EXCH_OK;
}


int
exch_prop_to_string8(exs_arena_t *a, exs_prop_t *p, uint32_t cpid)
{
    int         rc;
    uint32_t    i;
    exs_str_t  *strs;
    uint16_t    type;

    type = PROP_TYPE(p->tag);

    if (type == PT_UNICODE) {
        rc = exch_utf8_to_str8(a, cpid, p->v.str.data, p->v.str.len,
                               &p->v.str);
        if (rc == EXCH_OK) {
            p->tag = PROP_CHANGE_TYPE(p->tag, PT_STRING8);
        }

        return rc;
    }

    if (type != PT_MV_UNICODE) {
        return EXCH_OK;
    }

    strs = exs_alloc(a, (p->v.mv.n + 1) * sizeof(exs_str_t));
    if (strs == NULL) {
        return EXCH_ERR_NOMEM;
    }

    for (i = 0; i < p->v.mv.n; i++) {
        rc = exch_utf8_to_str8(a, cpid, p->v.mv.v.str[i].data,
                               p->v.mv.v.str[i].len, &strs[i]);
        if (rc != EXCH_OK) {
            return rc;
        }
    }

    p->v.mv.v.str = strs;
    p->tag = PROP_CHANGE_TYPE(p->tag, PT_MV_STRING8);

    return EXCH_OK;
}
