
/*
 * exch store: the in-memory MAPI model (see exs_mapi.h).
 */


#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "exs_mapi.h"


#define EXS_ARENA_ALIGN  16


typedef struct exs_chunk_s  exs_chunk_t;

struct exs_chunk_s {
    exs_chunk_t              *next;
    size_t                    size;
    size_t                    used;
    /* data follows, aligned */
};

struct exs_arena_s {
    exs_chunk_t              *head;
    size_t                    chunk;
};


#define EXS_CHUNK_HDR                                                         \
    ((sizeof(exs_chunk_t) + EXS_ARENA_ALIGN - 1)                              \
     & ~(size_t) (EXS_ARENA_ALIGN - 1))

#define exs_chunk_data(c)  ((uint8_t *) (c) + EXS_CHUNK_HDR)


typedef struct {
    exs_arena_t              *arena;
    uint32_t                  n;
    uint32_t                  cap;
    exs_propname_t           *names;
} exs_namemap_mem_t;


static int exs_namemap_mem_get_id(exs_namemap_t *m,
    const exs_propname_t *name, int create, uint16_t *id);
static int exs_namemap_mem_get_name(exs_namemap_t *m, uint16_t id,
    exs_propname_t *name, exs_arena_t *a);
static int exs_propname_eq(const exs_propname_t *a, const exs_propname_t *b);
static int exs_cmp_num(double a, double b);
static int exs_cmp_bin(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen);
static int exs_cmp_str(const exs_str_t *a, const exs_str_t *b, int ci);


#define EXS_GUID(d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7)                  \
    { (d1) & 0xff, ((d1) >> 8) & 0xff, ((d1) >> 16) & 0xff,                   \
      ((d1) >> 24) & 0xff, (d2) & 0xff, ((d2) >> 8) & 0xff,                   \
      (d3) & 0xff, ((d3) >> 8) & 0xff, b0, b1, b2, b3, b4, b5, b6, b7 }

const uint8_t  PS_MAPI[16] = EXS_GUID(0x00020328, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PS_PUBLIC_STRINGS[16] = EXS_GUID(0x00020329, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PS_INTERNET_HEADERS[16] = EXS_GUID(0x00020386, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PSETID_COMMON[16] = EXS_GUID(0x00062008, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PSETID_ADDRESS[16] = EXS_GUID(0x00062004, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PSETID_APPOINTMENT[16] = EXS_GUID(0x00062002, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PSETID_MEETING[16] = EXS_GUID(0x6ED8DA90, 0x450B, 0x101B,
    0x98, 0xDA, 0x00, 0xAA, 0x00, 0x3F, 0x13, 0x05);
const uint8_t  PSETID_TASK[16] = EXS_GUID(0x00062003, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PSETID_LOG[16] = EXS_GUID(0x0006200A, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PSETID_NOTE[16] = EXS_GUID(0x0006200E, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PSETID_SHARING[16] = EXS_GUID(0x00062040, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PSETID_POSTRSS[16] = EXS_GUID(0x00062041, 0x0000, 0x0000,
    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
const uint8_t  PSETID_UNIFIEDMESSAGING[16] = EXS_GUID(0x4442858E, 0xA9E3,
    0x4E80, 0xB9, 0x00, 0x31, 0x7A, 0x21, 0x0C, 0xC1, 0x5B);
const uint8_t  PSETID_CALENDARASSISTANT[16] = EXS_GUID(0x11000E07, 0xB51B,
    0x40D6, 0xAF, 0x21, 0xCA, 0xA8, 0x5E, 0xDA, 0xB1, 0xD0);
const uint8_t  PSETID_ATTACHMENT[16] = EXS_GUID(0x96357F7F, 0x59E1, 0x47D0,
    0x99, 0xA7, 0x46, 0x51, 0x5C, 0x18, 0x3B, 0x54);
const uint8_t  PSETID_MESSAGING[16] = EXS_GUID(0x41F28F13, 0x83F4, 0x4114,
    0xA5, 0x84, 0xEE, 0xDB, 0x5A, 0x6B, 0x0B, 0xFF);


const char *
exs_strerror(int rc)
{
    switch (rc) {
    case EXS_OK:
        return "success";
    case EXS_NOMEM:
        return "out of memory";
    case EXS_NOTFOUND:
        return "not found";
    case EXS_EXISTS:
        return "already exists";
    case EXS_INVALID:
        return "invalid argument";
    case EXS_DENIED:
        return "access denied";
    case EXS_CORRUPT:
        return "store data damaged";
    case EXS_FULL:
        return "store full";
    case EXS_TOOBIG:
        return "too big";
    case EXS_CONFLICT:
        return "conflicting change";
    case EXS_BUSY:
        return "busy, try again";
    case EXS_IO:
        return "I/O error";
    case EXS_NOTSUP:
        return "not supported";
    default:
        return "internal error";
    }
}


exs_arena_t *
exs_arena_create(size_t chunk)
{
    exs_arena_t  *a;

    a = malloc(sizeof(exs_arena_t));
    if (a == NULL) {
        return NULL;
    }

    a->head = NULL;
    a->chunk = chunk ? chunk : 16384;

    return a;
}


void
exs_arena_destroy(exs_arena_t *a)
{
    if (a == NULL) {
        return;
    }

    exs_arena_reset(a);
    free(a);
}


void
exs_arena_reset(exs_arena_t *a)
{
    exs_chunk_t  *c, *next;

    for (c = a->head; c; c = next) {
        next = c->next;
        free(c);
    }

    a->head = NULL;
}


void *
exs_alloc(exs_arena_t *a, size_t size)
{
    size_t        need, hdr;
    uint8_t      *p;
    exs_chunk_t  *c;

    size = (size + EXS_ARENA_ALIGN - 1) & ~(size_t) (EXS_ARENA_ALIGN - 1);

    if (size == 0) {
        size = EXS_ARENA_ALIGN;
    }

    c = a->head;

    if (c && c->size - c->used >= size) {
        p = exs_chunk_data(c) + c->used;
        c->used += size;
        return p;
    }

    hdr = EXS_CHUNK_HDR;
    need = size > a->chunk ? size : a->chunk;

    if (need > SIZE_MAX - hdr) {
        return NULL;
    }

    c = malloc(hdr + need);
    if (c == NULL) {
        return NULL;
    }

    c->size = need;
    c->used = size;

    /* a large allocation goes behind the current chunk, which stays open */

    if (need > a->chunk && a->head) {
        c->next = a->head->next;
        a->head->next = c;

    } else {
        c->next = a->head;
        a->head = c;
    }

    return exs_chunk_data(c);
}


void *
exs_calloc(exs_arena_t *a, size_t size)
{
    void  *p;

    p = exs_alloc(a, size);
    if (p) {
        memset(p, 0, size);
    }

    return p;
}


void *
exs_memdup(exs_arena_t *a, const void *p, size_t size)
{
    void  *d;

    d = exs_alloc(a, size);
    if (d && size) {
        memcpy(d, p, size);
    }

    return d;
}


char *
exs_strndup(exs_arena_t *a, const char *s, size_t len)
{
    char  *d;

    if (len == SIZE_MAX) {
        return NULL;
    }

    d = exs_alloc(a, len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }

    return d;
}


char *
exs_strdup(exs_arena_t *a, const char *s)
{
    return exs_strndup(a, s, strlen(s));
}


size_t
exs_utf8_decode(const uint8_t *p, size_t len, uint32_t *cp)
{
    size_t    n, i;
    uint32_t  c, min;

    c = p[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }

    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        c &= 0x1F;
        min = 0x80;

    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        c &= 0x0F;
        min = 0x800;

    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        c &= 0x07;
        min = 0x10000;

    } else {
        return 0;
    }

    if (len < n) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }

        c = (c << 6) | (p[i] & 0x3F);
    }

    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return 0;
    }

    *cp = c;

    return n;
}


size_t
exs_utf8_encode(uint8_t *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (uint8_t) c;
        return 1;
    }

    if (c < 0x800) {
        out[0] = 0xC0 | (c >> 6);
        out[1] = 0x80 | (c & 0x3F);
        return 2;
    }

    if (c < 0x10000) {
        out[0] = 0xE0 | (c >> 12);
        out[1] = 0x80 | ((c >> 6) & 0x3F);
        out[2] = 0x80 | (c & 0x3F);
        return 3;
    }

    out[0] = 0xF0 | (c >> 18);
    out[1] = 0x80 | ((c >> 12) & 0x3F);
    out[2] = 0x80 | ((c >> 6) & 0x3F);
    out[3] = 0x80 | (c & 0x3F);

    return 4;
}


int64_t
exs_filetime_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_REALTIME, &ts);

    return exs_filetime_from_unix(ts.tv_sec) + ts.tv_nsec / 100;
}


size_t
exs_proptype_size(uint16_t type)
{
    switch (type) {
    case PT_SHORT:
        return 2;
    case PT_LONG:
    case PT_FLOAT:
    case PT_ERROR:
        return 4;
    case PT_BOOLEAN:
        return 1;
    case PT_DOUBLE:
    case PT_APPTIME:
    case PT_CURRENCY:
    case PT_I8:
    case PT_SYSTIME:
        return 8;
    case PT_CLSID:
        return 16;
    default:
        return 0;
    }
}


int
exs_proptype_valid(uint16_t type)
{
    switch (type & ~PT_MV) {
    case PT_SHORT:
    case PT_LONG:
    case PT_FLOAT:
    case PT_DOUBLE:
    case PT_CURRENCY:
    case PT_APPTIME:
    case PT_I8:
    case PT_STRING8:
    case PT_UNICODE:
    case PT_SYSTIME:
    case PT_CLSID:
    case PT_BINARY:
        return 1;

    case PT_ERROR:
    case PT_BOOLEAN:
    case PT_OBJECT:
    case PT_SVREID:
    case PT_SRESTRICTION:
    case PT_ACTIONS:
        return (type & PT_MV) == 0;

    default:
        return 0;
    }
}


exs_prop_t *
exs_props_get(const exs_props_t *bag, uint32_t tag)
{
    uint16_t     type, have;
    uint32_t     i;
    exs_prop_t  *p;

    type = PROP_TYPE(tag);

    for (i = 0; i < bag->n; i++) {
        p = &bag->v[i];

        if (PROP_ID(p->tag) != PROP_ID(tag)) {
            continue;
        }

        have = PROP_TYPE(p->tag);

        if (type == PT_UNSPECIFIED || type == have
            || ((type & ~PT_MV) == PT_STRING8
                && (have & ~PT_MV) == PT_UNICODE
                && (type & PT_MV) == (have & PT_MV)))
        {
            return p;
        }

        return NULL;
    }

    return NULL;
}


int
exs_props_set(exs_arena_t *a, exs_props_t *bag, const exs_prop_t *p)
{
    uint32_t     i, cap;
    exs_prop_t  *v;

    for (i = 0; i < bag->n; i++) {
        if (PROP_ID(bag->v[i].tag) == PROP_ID(p->tag)) {
            bag->v[i] = *p;
            return EXS_OK;
        }
    }

    if (bag->n == bag->cap) {
        cap = bag->cap ? bag->cap * 2 : 16;

        v = exs_alloc(a, cap * sizeof(exs_prop_t));
        if (v == NULL) {
            return EXS_NOMEM;
        }

        if (bag->n) {
            memcpy(v, bag->v, bag->n * sizeof(exs_prop_t));
        }

        bag->v = v;
        bag->cap = cap;
    }

    bag->v[bag->n++] = *p;

    return EXS_OK;
}


int
exs_props_del(exs_props_t *bag, uint32_t tag)
{
    uint32_t  i;

    for (i = 0; i < bag->n; i++) {
        if (PROP_ID(bag->v[i].tag) == PROP_ID(tag)) {
            bag->v[i] = bag->v[--bag->n];
            return EXS_OK;
        }
    }

    return EXS_NOTFOUND;
}


int
exs_props_set_long(exs_arena_t *a, exs_props_t *bag, uint32_t tag, int32_t v)
{
    exs_prop_t  p;

    p.tag = tag;
    p.v.l = v;

    return exs_props_set(a, bag, &p);
}


int
exs_props_set_i8(exs_arena_t *a, exs_props_t *bag, uint32_t tag, int64_t v)
{
    exs_prop_t  p;

    p.tag = tag;
    p.v.ll = v;

    return exs_props_set(a, bag, &p);
}


int
exs_props_set_bool(exs_arena_t *a, exs_props_t *bag, uint32_t tag, int v)
{
    exs_prop_t  p;

    p.tag = tag;
    p.v.b = v ? 1 : 0;

    return exs_props_set(a, bag, &p);
}


int
exs_props_set_str(exs_arena_t *a, exs_props_t *bag, uint32_t tag,
    const char *s, size_t len)
{
    char        *d;
    exs_prop_t   p;

    d = exs_strndup(a, s, len);
    if (d == NULL) {
        return EXS_NOMEM;
    }

    p.tag = tag;
    p.v.str.data = d;
    p.v.str.len = len;

    return exs_props_set(a, bag, &p);
}


int
exs_props_set_bin(exs_arena_t *a, exs_props_t *bag, uint32_t tag,
    const void *data, size_t len)
{
    void        *d;
    exs_prop_t   p;

    d = exs_memdup(a, data, len);
    if (d == NULL) {
        return EXS_NOMEM;
    }

    p.tag = tag;
    p.v.bin.data = d;
    p.v.bin.len = len;

    return exs_props_set(a, bag, &p);
}


int
exs_prop_copy(exs_arena_t *a, exs_prop_t *dst, const exs_prop_t *src)
{
    size_t      size;
    uint16_t    type;
    uint32_t    i;
    exs_str_t  *str;
    exs_bin_t  *bin;

    *dst = *src;
    type = PROP_TYPE(src->tag);

    switch (type) {

    case PT_STRING8:
    case PT_UNICODE:
        dst->v.str.data = exs_strndup(a, src->v.str.data, src->v.str.len);
        return dst->v.str.data ? EXS_OK : EXS_NOMEM;

    case PT_BINARY:
    case PT_CLSID:
    case PT_SVREID:
    case PT_SRESTRICTION:
    case PT_ACTIONS:
        dst->v.bin.data = exs_memdup(a, src->v.bin.data, src->v.bin.len);
        return dst->v.bin.data ? EXS_OK : EXS_NOMEM;

    case PT_MV_STRING8:
    case PT_MV_UNICODE:
        str = exs_alloc(a, src->v.mv.n * sizeof(exs_str_t));
        if (str == NULL) {
            return EXS_NOMEM;
        }

        for (i = 0; i < src->v.mv.n; i++) {
            str[i].len = src->v.mv.v.str[i].len;
            str[i].data = exs_strndup(a, src->v.mv.v.str[i].data,
                                      str[i].len);
            if (str[i].data == NULL) {
                return EXS_NOMEM;
            }
        }

        dst->v.mv.v.str = str;
        return EXS_OK;

    case PT_MV_BINARY:
    case PT_MV_CLSID:
        bin = exs_alloc(a, src->v.mv.n * sizeof(exs_bin_t));
        if (bin == NULL) {
            return EXS_NOMEM;
        }

        for (i = 0; i < src->v.mv.n; i++) {
            bin[i].len = src->v.mv.v.bin[i].len;
            bin[i].data = exs_memdup(a, src->v.mv.v.bin[i].data, bin[i].len);
            if (bin[i].data == NULL) {
                return EXS_NOMEM;
            }
        }

        dst->v.mv.v.bin = bin;
        return EXS_OK;

    default:
        break;
    }

    if (type & PT_MV) {
        size = exs_proptype_size(type & ~PT_MV);
        if (size == 0) {
            return EXS_INVALID;
        }

        dst->v.mv.v.p = exs_memdup(a, src->v.mv.v.p, src->v.mv.n * size);
        return dst->v.mv.v.p ? EXS_OK : EXS_NOMEM;
    }

    return EXS_OK;
}


int
exs_props_copy(exs_arena_t *a, exs_props_t *dst, const exs_props_t *src)
{
    int         rc;
    uint32_t    i;
    exs_prop_t  p;

    for (i = 0; i < src->n; i++) {
        rc = exs_prop_copy(a, &p, &src->v[i]);
        if (rc != EXS_OK) {
            return rc;
        }

        rc = exs_props_set(a, dst, &p);
        if (rc != EXS_OK) {
            return rc;
        }
    }

    return EXS_OK;
}


static int
exs_cmp_num(double a, double b)
{
    return (a > b) - (a < b);
}


static int
exs_cmp_bin(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int  rc;

    rc = memcmp(a, b, alen < blen ? alen : blen);
    if (rc) {
        return rc < 0 ? -1 : 1;
    }

    return (alen > blen) - (alen < blen);
}


static int
exs_cmp_str(const exs_str_t *a, const exs_str_t *b, int ci)
{
    int            ca, cb;
    size_t         i, n;
    const uint8_t *pa, *pb;

    if (!ci) {
        return exs_cmp_bin((const uint8_t *) a->data, a->len,
                           (const uint8_t *) b->data, b->len);
    }

    /* ASCII case folding; UTF-8 byte order is code point order */

    pa = (const uint8_t *) a->data;
    pb = (const uint8_t *) b->data;
    n = a->len < b->len ? a->len : b->len;

    for (i = 0; i < n; i++) {
        ca = (pa[i] >= 'A' && pa[i] <= 'Z') ? pa[i] + 32 : pa[i];
        cb = (pb[i] >= 'A' && pb[i] <= 'Z') ? pb[i] + 32 : pb[i];

        if (ca != cb) {
            return ca < cb ? -1 : 1;
        }
    }

    return (a->len > b->len) - (a->len < b->len);
}


int
exs_prop_cmp(const exs_prop_t *a, const exs_prop_t *b, int ci)
{
    int       rc;
    uint16_t  type;
    uint32_t  i, n;

    type = PROP_TYPE(a->tag);

    switch (type) {
    case PT_SHORT:
        return exs_cmp_num(a->v.i, b->v.i);
    case PT_LONG:
    case PT_ERROR:
        return exs_cmp_num(a->v.l, b->v.l);
    case PT_BOOLEAN:
        return exs_cmp_num(a->v.b, b->v.b);
    case PT_FLOAT:
        return exs_cmp_num(a->v.f, b->v.f);
    case PT_DOUBLE:
    case PT_APPTIME:
        return exs_cmp_num(a->v.d, b->v.d);
    case PT_I8:
    case PT_CURRENCY:
    case PT_SYSTIME:
        return (a->v.ll > b->v.ll) - (a->v.ll < b->v.ll);
    case PT_STRING8:
    case PT_UNICODE:
        return exs_cmp_str(&a->v.str, &b->v.str, ci);
    case PT_BINARY:
    case PT_CLSID:
    case PT_SVREID:
    case PT_SRESTRICTION:
    case PT_ACTIONS:
        return exs_cmp_bin(a->v.bin.data, a->v.bin.len,
                           b->v.bin.data, b->v.bin.len);
    default:
        break;
    }

    if (!(type & PT_MV)) {
        return 0;
    }

    n = a->v.mv.n < b->v.mv.n ? a->v.mv.n : b->v.mv.n;

    for (i = 0; i < n; i++) {
        switch (type & ~PT_MV) {
        case PT_STRING8:
        case PT_UNICODE:
            rc = exs_cmp_str(&a->v.mv.v.str[i], &b->v.mv.v.str[i], ci);
            break;
        case PT_BINARY:
        case PT_CLSID:
            rc = exs_cmp_bin(a->v.mv.v.bin[i].data, a->v.mv.v.bin[i].len,
                             b->v.mv.v.bin[i].data, b->v.mv.v.bin[i].len);
            break;
        case PT_SHORT:
            rc = exs_cmp_num(a->v.mv.v.i[i], b->v.mv.v.i[i]);
            break;
        case PT_LONG:
            rc = exs_cmp_num(a->v.mv.v.l[i], b->v.mv.v.l[i]);
            break;
        case PT_FLOAT:
            rc = exs_cmp_num(a->v.mv.v.f[i], b->v.mv.v.f[i]);
            break;
        case PT_DOUBLE:
        case PT_APPTIME:
            rc = exs_cmp_num(a->v.mv.v.d[i], b->v.mv.v.d[i]);
            break;
        default:
            rc = (a->v.mv.v.ll[i] > b->v.mv.v.ll[i])
                 - (a->v.mv.v.ll[i] < b->v.mv.v.ll[i]);
            break;
        }

        if (rc) {
            return rc;
        }
    }

    return (a->v.mv.n > b->v.mv.n) - (a->v.mv.n < b->v.mv.n);
}


exs_msg_t *
exs_msg_create(exs_arena_t *a)
{
    return exs_calloc(a, sizeof(exs_msg_t));
}


exs_rcpt_t *
exs_msg_add_rcpt(exs_arena_t *a, exs_msg_t *msg)
{
    uint32_t     cap;
    exs_rcpt_t  *r;

    if (msg->nrcpts == msg->rcpts_cap) {
        cap = msg->rcpts_cap ? msg->rcpts_cap * 2 : 4;

        r = exs_calloc(a, cap * sizeof(exs_rcpt_t));
        if (r == NULL) {
            return NULL;
        }

        if (msg->nrcpts) {
            memcpy(r, msg->rcpts, msg->nrcpts * sizeof(exs_rcpt_t));
        }

        msg->rcpts = r;
        msg->rcpts_cap = cap;
    }

    r = &msg->rcpts[msg->nrcpts++];
    memset(r, 0, sizeof(exs_rcpt_t));

    return r;
}


exs_attach_t *
exs_msg_add_attach(exs_arena_t *a, exs_msg_t *msg)
{
    uint32_t       cap;
    exs_attach_t  *at;

    if (msg->natts == msg->atts_cap) {
        cap = msg->atts_cap ? msg->atts_cap * 2 : 4;

        at = exs_calloc(a, cap * sizeof(exs_attach_t));
        if (at == NULL) {
            return NULL;
        }

        if (msg->natts) {
            memcpy(at, msg->atts, msg->natts * sizeof(exs_attach_t));
        }

        msg->atts = at;
        msg->atts_cap = cap;
    }

    at = &msg->atts[msg->natts++];
    memset(at, 0, sizeof(exs_attach_t));

    return at;
}


static int
exs_propname_eq(const exs_propname_t *a, const exs_propname_t *b)
{
    if (a->kind != b->kind || memcmp(a->guid, b->guid, 16) != 0) {
        return 0;
    }

    if (a->kind == MNID_ID) {
        return a->lid == b->lid;
    }

    return a->name && b->name && strcasecmp(a->name, b->name) == 0;
}


exs_namemap_t *
exs_namemap_mem_create(exs_arena_t *a)
{
    exs_namemap_t      *m;
    exs_namemap_mem_t  *mm;

    m = exs_calloc(a, sizeof(exs_namemap_t));
    mm = exs_calloc(a, sizeof(exs_namemap_mem_t));

    if (m == NULL || mm == NULL) {
        return NULL;
    }

    mm->arena = a;
    m->get_id = exs_namemap_mem_get_id;
    m->get_name = exs_namemap_mem_get_name;
    m->data = mm;

    return m;
}


static int
exs_namemap_mem_get_id(exs_namemap_t *m, const exs_propname_t *name,
    int create, uint16_t *id)
{
    uint32_t            i, cap;
    exs_propname_t     *names;
    exs_namemap_mem_t  *mm;

    mm = m->data;

    for (i = 0; i < mm->n; i++) {
        if (exs_propname_eq(&mm->names[i], name)) {
            *id = EXS_NAMED_FIRST + i;
            return EXS_OK;
        }
    }

    if (!create) {
        return EXS_NOTFOUND;
    }

    if (mm->n > EXS_NAMED_LAST - EXS_NAMED_FIRST) {
        return EXS_FULL;
    }

    if (name->kind != MNID_ID && (name->kind != MNID_STRING || !name->name)) {
        return EXS_INVALID;
    }

    if (mm->n == mm->cap) {
        cap = mm->cap ? mm->cap * 2 : 32;

        names = exs_alloc(mm->arena, cap * sizeof(exs_propname_t));
        if (names == NULL) {
            return EXS_NOMEM;
        }

        if (mm->n) {
            memcpy(names, mm->names, mm->n * sizeof(exs_propname_t));
        }

        mm->names = names;
        mm->cap = cap;
    }

    mm->names[mm->n] = *name;

    if (name->kind == MNID_STRING) {
        mm->names[mm->n].name = exs_strdup(mm->arena, name->name);
        if (mm->names[mm->n].name == NULL) {
            return EXS_NOMEM;
        }
    }

    *id = EXS_NAMED_FIRST + mm->n++;

    return EXS_OK;
}


static int
exs_namemap_mem_get_name(exs_namemap_t *m, uint16_t id, exs_propname_t *name,
    exs_arena_t *a)
{
    exs_namemap_mem_t  *mm;

    mm = m->data;

    if (id < EXS_NAMED_FIRST
        || (uint32_t) (id - EXS_NAMED_FIRST) >= mm->n)
    {
        return EXS_NOTFOUND;
    }

    *name = mm->names[id - EXS_NAMED_FIRST];

    if (name->kind == MNID_STRING) {
        name->name = exs_strdup(a, name->name);
        if (name->name == NULL) {
            return EXS_NOMEM;
        }
    }

    return EXS_OK;
}
